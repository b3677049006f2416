//! Data-supervision pages: the overview, datasets, and dataset import (upload → header
//! mapping → job).

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use qinglian_analytics::dataset::{self as dsets, DATASETS, DatasetSpec, HeaderMapping, VersionInfo};
use qinglian_analytics::model::Model;
use qinglian_store::data_supervision::{self as sv, Job, JobKind, ModelStat};
use qinglian_store::permission as perm;
use serde::Deserialize;

use super::jobs::{ImportParams, Requester, UploadedFile};
use super::*;
use crate::App;
use crate::auth::Ctx;
use crate::error::{AppError, PageResult};
use crate::list::{self, ListParams, ListSpec, ListView, html};
use crate::services::attachment::{is_token, safe_file_name};
use crate::templates::{Chrome, FormErrors};
use crate::ui::{page, page_with, redirect};
use qinglian_analytics::redflags;
use qinglian_store::sql::Page;

// ---------------------------------------------------------------------------------------------
// Overview and datasets
// ---------------------------------------------------------------------------------------------

/// A dataset with its newest version.
pub struct DatasetRow {
    /// Canonical spec.
    pub spec: &'static DatasetSpec,
    /// Newest version, if any.
    pub latest: Option<VersionInfo>,
    /// Versions in all.
    pub versions: usize,
}

/// The datasets with their newest versions (the overview's first panel). Titles are Chinese;
/// the table name a model's SQL uses is in the title's tooltip.
pub(super) static DATASET_LIST: ListSpec<DatasetRow> = ListSpec {
    id: "ds-datasets",
    empty_id: "ds-datasets-empty",
    path: "/ds",
    empty: "没有数据集",
    unit: "个",
    default_sort: "",
    per_page: 50,
    columns: &[
        list::Column {
            label: "数据集",
            sort: None,
            class: "",
            html: Some(|d| {
                html::Html(format!(
                    "<a href=\"/ds/datasets/{}\" title=\"表名：{}\">{}</a>",
                    html::escape(d.spec.name),
                    html::escape(d.spec.name),
                    html::escape(d.spec.title)
                ))
            }),
            excel: None,
        },
        list::Column {
            label: "最新版本",
            sort: None,
            class: "nowrap",
            html: Some(|d| match &d.latest {
                Some(v) => html::text(&format!("第{}版（共{}版）", v.version, d.versions)),
                None => html::Html("<span class=\"muted\">尚未导入</span>".into()),
            }),
            excel: None,
        },
        list::Column {
            label: "行数",
            sort: None,
            class: "num",
            html: Some(|d| html::text(&d.latest.as_ref().map(|v| thousands(v.rows as i64)).unwrap_or_default())),
            excel: None,
        },
        list::Column {
            label: "导入时间",
            sort: None,
            class: "nowrap",
            html: Some(|d| {
                html::text(
                    &d.latest
                        .as_ref()
                        .map(|v| qinglian_store::time::display_cst(&v.created_at))
                        .unwrap_or_default(),
                )
            }),
            excel: None,
        },
        list::Column {
            label: "导入人",
            sort: None,
            class: "nowrap",
            html: Some(|d| html::text(d.latest.as_ref().map_or("", |v| v.imported_by.as_str()))),
            excel: None,
        },
        list::Column {
            label: "说明",
            sort: None,
            class: "",
            html: Some(|d| html::text(d.latest.as_ref().map_or("", |v| v.note.as_str()))),
            excel: None,
        },
    ],
    export: None,
    actions: None,
    select: None,
    paged: false,
};

/// A whole number with thousands separators (12,345).
pub(super) fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A model with its figures.
pub struct ModelRow {
    /// Id used in links and run forms.
    pub id: String,
    /// Title.
    pub title: String,
    /// Version.
    pub version: u32,
    /// Severity label.
    pub severity: &'static str,
    /// Subject kind label.
    pub subject: &'static str,
    /// Built-in or custom.
    pub builtin: bool,
    /// Figures.
    pub stat: ModelStat,
}

impl ModelRow {
    /// Confirmation rate as text.
    pub fn rate(&self) -> String {
        self.stat
            .confirmation_rate()
            .map_or("—".to_string(), |r| format!("{:.1}%", r * 100.0))
    }
}

#[derive(Template)]
#[template(path = "data_supervision/home.html")]
pub(super) struct HomePage {
    chrome: Chrome,
    list: ListView,
    model_stats: ListView,
    model_ids: Vec<String>,
    jobs: Vec<Job>,
    charts: Vec<crate::charts::Chart>,
    can_import: bool,
    can_run: bool,
    can_model: bool,
}

pub(super) async fn dataset_rows(app: &App) -> Result<Vec<DatasetRow>, AppError> {
    let mut out = Vec::new();
    for spec in DATASETS {
        let versions = app.datasets.versions(spec.name).await.map_err(store_err)?;
        out.push(DatasetRow {
            spec,
            versions: versions.len(),
            latest: versions.into_iter().next(),
        });
    }
    Ok(out)
}

/// What a model's findings are about (the red flags name three kinds of subject).
pub(super) fn subjects_of(m: &Model) -> &'static str {
    if m.id == redflags::ID {
        redflags::SUBJECTS
    } else {
        m.subject_kind.label()
    }
}

/// A dataset's published versions, for choosing the version a run uses.
pub struct VersionChoice {
    /// Dataset name (the form field is `v.NAME`).
    pub name: &'static str,
    /// Dataset title.
    pub title: &'static str,
    /// Versions, newest first: (number, label).
    pub options: Vec<(u32, String)>,
}

/// Every dataset with at least one version, with its versions for the run forms.
pub(super) async fn version_choices(app: &App) -> Result<Vec<VersionChoice>, AppError> {
    let mut out = Vec::new();
    for spec in DATASETS {
        let versions = app.datasets.versions(spec.name).await.map_err(store_err)?;
        if versions.is_empty() {
            continue;
        }
        out.push(VersionChoice {
            name: spec.name,
            title: spec.title,
            options: versions
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let mut label = format!(
                        "第{}版（{}行，{}）",
                        v.version,
                        v.rows,
                        qinglian_store::time::display_cst(&v.created_at)
                    );
                    if i == 0 {
                        label.push_str("，最新");
                    }
                    (v.version, label)
                })
                .collect(),
        });
    }
    Ok(out)
}

pub(super) async fn model_rows(app: &App, ctx: &Ctx) -> Result<Vec<ModelRow>, AppError> {
    let stats = sv::model_stats(&app.db, ctx.scope()).await?;
    let stat_of = |id: &str| {
        stats.iter().find(|s| s.model == id).cloned().unwrap_or(ModelStat {
            model: id.to_string(),
            ..Default::default()
        })
    };
    let mut out: Vec<ModelRow> = crate::data_supervision::jobs::builtin_models()
        .into_iter()
        .map(|m| ModelRow {
            stat: stat_of(&m.id),
            subject: subjects_of(&m),
            id: m.id.clone(),
            title: m.title.clone(),
            version: m.version,
            severity: m.severity.label(),
            builtin: true,
        })
        .collect();
    for c in sv::custom_models(&app.db).await? {
        let id = format!("custom:{}", c.code);
        out.push(ModelRow {
            stat: stat_of(&id),
            id,
            title: c.title.clone(),
            version: c.version as u32,
            severity: severity_label(&c.severity),
            subject: subject_kind_label(&c.subject_kind),
            builtin: false,
        });
    }
    Ok(out)
}

/// The overview: datasets, models with hit and confirmation rates, recent jobs.
pub async fn home(State(app): State<App>, ctx: Ctx, Query(q): Query<crate::ui::ListQuery>) -> PageResult {
    ctx.require(PERM_RULES)?;
    let jobs = sv::list_jobs(&app.db, ctx.scope(), None, 1, 8).await?.items;
    let models = model_rows(&app, &ctx).await?;
    Ok(page(&HomePage {
        chrome: Chrome::new(&app, &ctx, "大数据监督", SECTION, &[("大数据监督", SECTION)])
            .await
            .flash_code(q.ok.as_deref()),
        list: DATASET_LIST.view(
            &Page::of_all(dataset_rows(&app).await?, 1, 50),
            &[],
            &ListParams::default(),
            false,
        ),
        model_ids: models.iter().map(|m| m.id.clone()).collect(),
        model_stats: super::models::model_list(&super::models::MODEL_STATS, models, ""),
        jobs,
        charts: crate::charts::data_supervision(&app, ctx.scope()).await?,
        can_import: ctx.principal.can(PERM_DATASET),
        can_run: ctx.principal.can(PERM_RUN),
        can_model: ctx.principal.can(PERM_MODEL),
    }))
}

#[derive(Template)]
#[template(path = "data_supervision/dataset.html")]
pub(super) struct DatasetPage {
    chrome: Chrome,
    spec: &'static DatasetSpec,
    versions: Vec<VersionInfo>,
    can_import: bool,
    can_from_roster: bool,
}

/// One dataset: its columns and versions.
pub async fn dataset(
    State(app): State<App>,
    ctx: Ctx,
    Path(name): Path<String>,
    Query(q): Query<crate::ui::ListQuery>,
) -> PageResult {
    ctx.require(PERM_RULES)?;
    let spec = dsets::spec(&name).ok_or(AppError::NotFound("数据集"))?;
    let versions = app.datasets.versions(spec.name).await.map_err(store_err)?;
    Ok(page(&DatasetPage {
        chrome: chrome(&app, &ctx, spec.title, SECTION, &[(spec.title, "")])
            .await
            .flash_code(q.ok.as_deref()),
        spec,
        versions,
        can_import: ctx.principal.can(PERM_DATASET),
        can_from_roster: spec.name == "roster"
            && ctx.principal.can(PERM_DATASET)
            && ctx.principal.can(perm::PERSON_READ)
            && ctx.principal.can(perm::PERSON_SENSITIVE),
    }))
}

/// Publishes the platform's people roster as a new version of the `roster` dataset.
pub async fn roster_publish(State(app): State<App>, ctx: Ctx, headers: HeaderMap) -> PageResult {
    crate::data_supervision::jobs::publish_roster(&app, &ctx).await?;
    Ok(redirect(&headers, "/ds/datasets/roster?ok=roster"))
}

// ---------------------------------------------------------------------------------------------
// Import: upload → header mapping → job
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "data_supervision/import.html")]
pub(super) struct ImportPage {
    chrome: Chrome,
    datasets: &'static [DatasetSpec],
    dataset: String,
    note: String,
    errors: FormErrors,
    max_mb: usize,
}

/// Query of the import form.
#[derive(Debug, Default, Deserialize)]
pub struct ImportQuery {
    dataset: Option<String>,
}

/// The upload form.
pub async fn import_form(State(app): State<App>, ctx: Ctx, Query(q): Query<ImportQuery>) -> PageResult {
    ctx.require(PERM_DATASET)?;
    Ok(page(&ImportPage {
        chrome: chrome(&app, &ctx, "导入数据集", SECTION, &[("导入数据集", "")]).await,
        datasets: DATASETS,
        dataset: q.dataset.unwrap_or_default(),
        note: String::new(),
        errors: FormErrors::default(),
        max_mb: app.config.data_supervision.upload_max_mb,
    }))
}

/// What an upload left on disk, read back by the mapping step.
#[derive(Debug, Clone, serde::Serialize, Deserialize)]
pub(super) struct UploadManifest {
    user_id: qinglian_store::user::UserId,
    dataset: String,
    note: String,
    files: Vec<UploadedFile>,
    headers: Vec<String>,
}

/// One row of the mapping form.
pub struct MappingRow {
    /// Index (form field `map_N`).
    pub index: usize,
    /// Source header.
    pub header: String,
    /// Suggested canonical column.
    pub column: String,
}

#[derive(Template)]
#[template(path = "data_supervision/mapping.html")]
pub(super) struct MappingPage {
    chrome: Chrome,
    token: String,
    spec: &'static DatasetSpec,
    files: Vec<String>,
    rows: Vec<MappingRow>,
    errors: FormErrors,
}

pub(super) fn extension_ok(name: &str) -> bool {
    let lower = name.to_lowercase();
    [".xlsx", ".csv", ".parquet"].iter().any(|e| lower.ends_with(e))
}

pub(super) async fn remembered_mapping(app: &App) -> Result<HeaderMapping, AppError> {
    let mut mapping = HeaderMapping::default();
    for (dataset, header, column) in sv::header_mappings(&app.db).await? {
        mapping.insert(&dataset, &header, &column);
    }
    Ok(mapping)
}

/// Receives the files, reads their headers and shows the mapping step.
pub async fn import_upload(State(app): State<App>, ctx: Ctx, mut mp: Multipart) -> PageResult {
    ctx.require(PERM_DATASET)?;
    let token = qinglian_crypto::random_token(16);
    let rel_dir = crate::data_supervision::jobs::upload_dir(&token);
    let abs_dir = app.config.data_dir.join(&rel_dir);
    let max = app.config.data_supervision.upload_max_mb * 1024 * 1024;
    let mut dataset = String::new();
    let mut note = String::new();
    let mut files: Vec<UploadedFile> = Vec::new();
    let fail = |dataset: &str, note: &str, field: &'static str, msg: String| {
        let _ = std::fs::remove_dir_all(&abs_dir);
        (dataset.to_string(), note.to_string(), field, msg)
    };
    let mut error: Option<(String, String, &'static str, String)> = None;
    while let Some(mut field) = mp
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("上传内容无法读取，请重新选择文件".into()))?
    {
        match field.name() {
            Some("dataset") => dataset = field.text().await.unwrap_or_default(),
            Some("note") => note = field.text().await.unwrap_or_default().chars().take(200).collect(),
            Some("file") => {
                let name = safe_file_name(field.file_name().unwrap_or("file"));
                if field.file_name().unwrap_or("").is_empty() {
                    continue;
                }
                if !extension_ok(&name) {
                    error = Some(fail(
                        &dataset,
                        &note,
                        "file",
                        format!("不支持的文件类型：{name}，请上传.xlsx、.csv或.parquet文件"),
                    ));
                    break;
                }
                std::fs::create_dir_all(&abs_dir).map_err(|e| AppError::Internal(e.into()))?;
                let stored = format!("{}-{}", files.len() + 1, name);
                let path = abs_dir.join(&stored);
                let mut out = tokio::fs::File::create(&path)
                    .await
                    .map_err(|e| AppError::Internal(e.into()))?;
                let mut size = 0usize;
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            size += chunk.len();
                            if size > max {
                                error = Some(fail(
                                    &dataset,
                                    &note,
                                    "file",
                                    format!("文件{name}超过{}MB上限", app.config.data_supervision.upload_max_mb),
                                ));
                                break;
                            }
                            tokio::io::AsyncWriteExt::write_all(&mut out, &chunk)
                                .await
                                .map_err(|e| AppError::Internal(e.into()))?;
                        }
                        Ok(None) => break,
                        Err(_) => {
                            error = Some(fail(&dataset, &note, "file", "文件上传中断，请重新上传".into()));
                            break;
                        }
                    }
                }
                if error.is_some() {
                    break;
                }
                tokio::io::AsyncWriteExt::flush(&mut out)
                    .await
                    .map_err(|e| AppError::Internal(e.into()))?;
                files.push(UploadedFile {
                    name,
                    path: rel_dir.join(&stored).to_string_lossy().into_owned(),
                });
            }
            _ => {}
        }
    }
    let spec = dsets::spec(&dataset);
    if error.is_none() && spec.is_none() {
        error = Some(fail(&dataset, &note, "dataset", "请选择要导入的数据集".into()));
    }
    if error.is_none() && files.is_empty() {
        error = Some(fail(&dataset, &note, "file", "请选择要导入的文件".into()));
    }
    // Headers of every file, read in the blocking pool.
    let mut headers: Vec<String> = Vec::new();
    if error.is_none() {
        for f in &files {
            let path = app.config.data_dir.join(&f.path);
            let read = tokio::task::spawn_blocking(move || dsets::read_source(&path))
                .await
                .map_err(|e| AppError::Internal(e.into()))?;
            match read {
                Ok((raw, _)) => {
                    for field in raw.schema.fields() {
                        if !headers.contains(field.name()) {
                            headers.push(field.name().clone());
                        }
                    }
                }
                Err(e) => {
                    error = Some(fail(&dataset, &note, "file", format!("文件{}无法读取：{e}", f.name)));
                    break;
                }
            }
        }
    }
    if let Some((dataset, note, field, msg)) = error {
        return Ok(page_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ImportPage {
                chrome: chrome(&app, &ctx, "导入数据集", SECTION, &[("导入数据集", "")]).await,
                datasets: DATASETS,
                dataset,
                note,
                errors: FormErrors::from_pairs(vec![(field, msg)]),
                max_mb: app.config.data_supervision.upload_max_mb,
            },
        ));
    }
    let spec = spec.expect("checked above");
    let manifest = UploadManifest {
        user_id: ctx.principal.user.id,
        dataset: spec.name.to_string(),
        note,
        files: files.clone(),
        headers: headers.clone(),
    };
    std::fs::write(
        abs_dir.join("upload.json"),
        serde_json::to_vec(&manifest).map_err(|e| AppError::Internal(e.into()))?,
    )
    .map_err(|e| AppError::Internal(e.into()))?;
    let mapping = remembered_mapping(&app).await?;
    let rows = dsets::suggest_mapping(spec, &headers, &mapping)
        .into_iter()
        .enumerate()
        .map(|(index, (header, column))| MappingRow {
            index,
            header,
            column: column.unwrap_or("").to_string(),
        })
        .collect();
    Ok(page(&MappingPage {
        chrome: chrome(
            &app,
            &ctx,
            "核对列对应关系",
            SECTION,
            &[("导入数据集", "/ds/import"), ("核对列", "")],
        )
        .await,
        token,
        spec,
        files: files.into_iter().map(|f| f.name).collect(),
        rows,
        errors: FormErrors::default(),
    }))
}

pub(super) fn read_manifest(app: &App, ctx: &Ctx, token: &str) -> Result<UploadManifest, AppError> {
    if !is_token(token) {
        return Err(AppError::NotFound("上传文件"));
    }
    let path = app
        .config
        .data_dir
        .join(crate::data_supervision::jobs::upload_dir(token))
        .join("upload.json");
    let bytes = std::fs::read(path).map_err(|e| AppError::from_file("上传文件", e))?;
    let m: UploadManifest = serde_json::from_slice(&bytes).map_err(|_| AppError::NotFound("上传文件"))?;
    if m.user_id != ctx.principal.user.id {
        return Err(AppError::NotFound("上传文件"));
    }
    Ok(m)
}

/// Confirms the mapping: remembers it and queues the import.
pub async fn import_confirm(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<BTreeMap<String, String>>,
) -> PageResult {
    ctx.require(PERM_DATASET)?;
    let token = form.get("token").cloned().unwrap_or_default();
    let m = read_manifest(&app, &ctx, &token)?;
    let spec = dsets::spec(&m.dataset).ok_or(AppError::NotFound("数据集"))?;
    let mut chosen: BTreeMap<String, String> = BTreeMap::new();
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let mut used: BTreeMap<String, String> = BTreeMap::new();
    for (i, header) in m.headers.iter().enumerate() {
        let column = form.get(&format!("map_{i}")).cloned().unwrap_or_default();
        if column.is_empty() {
            continue;
        }
        let Some(col) = spec.column(&column) else {
            errors.push(("mapping", format!("列“{header}”对应的字段无效")));
            continue;
        };
        if let Some(other) = used.insert(col.name.to_string(), header.clone()) {
            errors.push((
                "mapping",
                format!("“{other}”和“{header}”都对应了“{}”，一个字段只能对应一列", col.label),
            ));
        }
        chosen.insert(header.clone(), col.name.to_string());
    }
    for required in dsets::required_columns(spec) {
        if !used.contains_key(*required) {
            let label = spec.column(required).map_or(*required, |c| c.label);
            errors.push(("mapping", format!("缺少必需的“{label}”列，请指定哪一列是{label}")));
        }
    }
    if !errors.is_empty() {
        let rows = m
            .headers
            .iter()
            .enumerate()
            .map(|(index, header)| MappingRow {
                index,
                header: header.clone(),
                column: form.get(&format!("map_{index}")).cloned().unwrap_or_default(),
            })
            .collect();
        return Ok(page_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &MappingPage {
                chrome: chrome(
                    &app,
                    &ctx,
                    "核对列对应关系",
                    SECTION,
                    &[("导入数据集", "/ds/import"), ("核对列", "")],
                )
                .await,
                token,
                spec,
                files: m.files.iter().map(|f| f.name.clone()).collect(),
                rows,
                errors: FormErrors::from_pairs(errors),
            },
        ));
    }
    // Remember choices that differ from what the headers map to by themselves.
    let automatic = HeaderMapping::default();
    let remember: Vec<(String, String)> = chosen
        .iter()
        .filter(|(h, c)| automatic.resolve(spec, h).map(|s| s.name) != Some(c.as_str()))
        .map(|(h, c)| (h.clone(), c.clone()))
        .collect();
    if !remember.is_empty() {
        let mut tx = app.db.begin().await?;
        sv::remember_mapping(&mut tx, spec.name, &remember, Some(ctx.principal.user.id)).await?;
        tx.commit().await?;
    }
    let params = ImportParams {
        dataset: spec.name.to_string(),
        files: m.files.clone(),
        mapping: chosen,
        note: m.note.clone(),
        imported_by: ctx.principal.user.display_name.clone(),
    };
    let title = format!(
        "导入{}（{}）",
        spec.title,
        m.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join("、")
    );
    let id = crate::data_supervision::jobs::queue_job(
        &app,
        &Requester::of(&ctx)?,
        JobKind::Import,
        title,
        serde_json::to_string(&params).map_err(|e| AppError::Internal(e.into()))?,
    )
    .await?;
    let _ = std::fs::remove_file(
        app.config
            .data_dir
            .join(crate::data_supervision::jobs::upload_dir(&token))
            .join("upload.json"),
    );
    Ok(redirect(&headers, &format!("/ds/jobs/{id}")))
}
