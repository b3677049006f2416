//! Data supervision (大数据监督) pages: datasets and their import with header mapping, the model
//! library and runs with live progress, findings with their evidence, checking by units and
//! review by the commission, Excel export, per-model hit and confirmation rates.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use chrono::NaiveDate;
use qinglian_analytics::dataset::{self as dsets, DATASETS, DatasetSpec, HeaderMapping, VersionInfo};
use qinglian_analytics::model::{self, Model};
use qinglian_domain::data_supervision::{FINDING_WORKFLOW, FindingAction, FindingState};
use qinglian_domain::deadline::Due;
use qinglian_domain::text::Limit;
use qinglian_domain::workflow::{Action, State as _};
use qinglian_office::Cell;
use qinglian_store::attachment::{self, NewAttachment};
use qinglian_store::audit::{self, Event, Outcome};
use qinglian_store::permission as perm;
use qinglian_store::supervision::{
    self as sv, Answer, Check, Dispatch, Finding, FindingFilter, Job, JobKind, ModelStat, Review, finding_status,
};
use serde::Deserialize;

use super::org::{OrgRow, choices};
use super::xlsx::{XLSX, download};
use super::{page, page_with, redirect};
use crate::App;
use crate::auth::Ctx;
use crate::ds::{ImportParams, ImportResult, Requester, RunParams, RunResult, UploadedFile, redflags};
use crate::error::{AppError, PageResult};
use crate::list::{self, Export, ExtraSheet, ListParams, ListSpec, ListView, html};
use crate::templates::{Chrome, FormErrors, Typed};

const SECTION: &str = "/ds";

async fn chrome(app: &App, ctx: &Ctx, title: &str, active: &str, crumbs: &[(&str, &str)]) -> Chrome {
    // The overview is need-to-know (ds.rules): for a unit the section crumb is not a link.
    let section = if ctx.principal.can(perm::DS_RULES) { SECTION } else { "" };
    let mut all = vec![("大数据监督", section)];
    all.extend_from_slice(crumbs);
    Chrome::new(app, ctx, title, active, &all).await
}

/// Chinese label of a severity code.
pub fn severity_label(code: &str) -> &'static str {
    match code {
        "high" => "高",
        "medium" => "中",
        "low" => "低",
        _ => "—",
    }
}

/// Chinese label of a subject kind code.
pub fn subject_kind_label(code: &str) -> &'static str {
    match code {
        "person" => "人员",
        "household" => "家庭",
        "enterprise" => "企业",
        "tender" => "招标项目",
        "budget_item" => "预算项目",
        "buyer" => "采购人",
        _ => "对象",
    }
}

fn store_err(e: impl std::fmt::Display) -> AppError {
    AppError::BadRequest(e.to_string())
}

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
#[template(path = "ds_home.html")]
struct HomePage {
    chrome: Chrome,
    datasets: Vec<DatasetRow>,
    models: Vec<ModelRow>,
    jobs: Vec<Job>,
    charts: Vec<crate::charts::Chart>,
    can_import: bool,
    can_run: bool,
    can_model: bool,
}

async fn dataset_rows(app: &App) -> Result<Vec<DatasetRow>, AppError> {
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
fn subjects_of(m: &Model) -> &'static str {
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
async fn version_choices(app: &App) -> Result<Vec<VersionChoice>, AppError> {
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

async fn model_rows(app: &App, ctx: &Ctx) -> Result<Vec<ModelRow>, AppError> {
    let stats = sv::model_stats(&app.db, ctx.scope()).await?;
    let stat_of = |id: &str| {
        stats.iter().find(|s| s.model == id).cloned().unwrap_or(ModelStat {
            model: id.to_string(),
            ..Default::default()
        })
    };
    let mut out: Vec<ModelRow> = crate::ds::builtin_models()
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
pub async fn home(State(app): State<App>, ctx: Ctx, Query(q): Query<super::ListQuery>) -> PageResult {
    ctx.require(perm::DS_RULES)?;
    let jobs = sv::list_jobs(&app.db, ctx.scope(), None, 1, 8).await?.items;
    Ok(page(&HomePage {
        chrome: Chrome::new(&app, &ctx, "大数据监督", SECTION, &[("大数据监督", SECTION)])
            .await
            .flash_code(q.ok.as_deref()),
        datasets: dataset_rows(&app).await?,
        models: model_rows(&app, &ctx).await?,
        jobs,
        charts: crate::charts::data_supervision(&app, ctx.scope()).await?,
        can_import: ctx.principal.can(perm::DS_DATASET),
        can_run: ctx.principal.can(perm::DS_RUN),
        can_model: ctx.principal.can(perm::DS_MODEL),
    }))
}

#[derive(Template)]
#[template(path = "ds_dataset.html")]
struct DatasetPage {
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
    Query(q): Query<super::ListQuery>,
) -> PageResult {
    ctx.require(perm::DS_RULES)?;
    let spec = dsets::spec(&name).ok_or(AppError::NotFound("数据集"))?;
    let versions = app.datasets.versions(spec.name).await.map_err(store_err)?;
    Ok(page(&DatasetPage {
        chrome: chrome(&app, &ctx, spec.title, SECTION, &[(spec.title, "")])
            .await
            .flash_code(q.ok.as_deref()),
        spec,
        versions,
        can_import: ctx.principal.can(perm::DS_DATASET),
        can_from_roster: spec.name == "roster"
            && ctx.principal.can(perm::DS_DATASET)
            && ctx.principal.can(perm::PERSON_READ)
            && ctx.principal.can(perm::PERSON_SENSITIVE),
    }))
}

/// Publishes the platform's people roster as a new version of the `roster` dataset.
pub async fn roster_publish(State(app): State<App>, ctx: Ctx, headers: HeaderMap) -> PageResult {
    crate::ds::publish_roster(&app, &ctx).await?;
    Ok(redirect(&headers, "/ds/datasets/roster?ok=roster"))
}

// ---------------------------------------------------------------------------------------------
// Import: upload → header mapping → job
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "ds_import.html")]
struct ImportPage {
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
    ctx.require(perm::DS_DATASET)?;
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
struct UploadManifest {
    user_id: i64,
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
#[template(path = "ds_mapping.html")]
struct MappingPage {
    chrome: Chrome,
    token: String,
    spec: &'static DatasetSpec,
    files: Vec<String>,
    rows: Vec<MappingRow>,
    errors: FormErrors,
}

fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|'))
        .take(120)
        .collect();
    if cleaned.trim().is_empty() || cleaned.starts_with('.') {
        format!("file{}", cleaned.trim())
    } else {
        cleaned
    }
}

fn extension_ok(name: &str) -> bool {
    let lower = name.to_lowercase();
    [".xlsx", ".csv", ".parquet"].iter().any(|e| lower.ends_with(e))
}

async fn remembered_mapping(app: &App) -> Result<HeaderMapping, AppError> {
    let mut mapping = HeaderMapping::default();
    for (dataset, header, column) in sv::header_mappings(&app.db).await? {
        mapping.insert(&dataset, &header, &column);
    }
    Ok(mapping)
}

/// Receives the files, reads their headers and shows the mapping step.
pub async fn import_upload(State(app): State<App>, ctx: Ctx, mut mp: Multipart) -> PageResult {
    ctx.require(perm::DS_DATASET)?;
    let token = qinglian_crypto::random_token(16);
    let rel_dir = crate::ds::upload_dir(&token);
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

/// True for a value made by `random_token` (URL-safe base64): safe as a file or directory name.
fn is_token(s: &str) -> bool {
    (16..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn read_manifest(app: &App, ctx: &Ctx, token: &str) -> Result<UploadManifest, AppError> {
    if !is_token(token) {
        return Err(AppError::NotFound("上传文件"));
    }
    let path = app
        .config
        .data_dir
        .join(crate::ds::upload_dir(token))
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
    ctx.require(perm::DS_DATASET)?;
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
    let id = crate::ds::queue_job(
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
            .join(crate::ds::upload_dir(&token))
            .join("upload.json"),
    );
    Ok(redirect(&headers, &format!("/ds/jobs/{id}")))
}

// ---------------------------------------------------------------------------------------------
// Jobs
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "ds_jobs.html")]
struct JobsPage {
    chrome: Chrome,
    list: ListView,
}

/// Job list.
pub async fn jobs(State(app): State<App>, ctx: Ctx, Query(lp): Query<ListParams>) -> PageResult {
    ctx.require(perm::DS_RULES)?;
    let (pg, per) = lp.paging(JOB_LIST.per_page);
    let data = sv::list_jobs(&app.db, ctx.scope(), None, pg, per).await?;
    Ok(page(&JobsPage {
        chrome: chrome(&app, &ctx, "运行记录", SECTION, &[("运行记录", "")]).await,
        list: JOB_LIST.view(&data, &[], &lp, false),
    }))
}

/// The imports and model runs in the scope, newest first.
static JOB_LIST: ListSpec<Job> = ListSpec {
    id: "ds-jobs",
    empty_id: "ds-jobs-empty",
    path: "/ds/jobs",
    empty: "暂无任务",
    unit: "个",
    default_sort: "id",
    per_page: 20,
    columns: &[
        list::Column {
            label: "编号",
            sort: None,
            class: "num",
            html: Some(|j| html::text(&j.id.to_string())),
            excel: None,
        },
        list::Column {
            label: "任务",
            sort: None,
            class: "",
            html: Some(|j| html::link(&format!("/ds/jobs/{}", j.id), &j.title)),
            excel: None,
        },
        list::Column {
            label: "类型",
            sort: None,
            class: "nowrap",
            html: Some(|j| html::text(j.kind_label())),
            excel: None,
        },
        list::Column {
            label: "状态",
            sort: None,
            class: "nowrap",
            html: Some(|j| html::text(j.status_label())),
            excel: None,
        },
        list::Column {
            label: "进度",
            sort: None,
            class: "num",
            html: Some(|j| html::text(&format!("{}%", j.percent()))),
            excel: None,
        },
        list::Column {
            label: "发起人",
            sort: None,
            class: "nowrap",
            html: Some(|j| {
                html::text(if j.created_by_name.is_empty() {
                    "系统"
                } else {
                    &j.created_by_name
                })
            }),
            excel: None,
        },
        list::Column {
            label: "创建时间",
            sort: None,
            class: "nowrap",
            html: Some(|j| html::text(&qinglian_store::time::display_cst(&j.created_at))),
            excel: None,
        },
        list::Column {
            label: "结果",
            sort: None,
            class: "",
            html: Some(|j| html::text(&j.message)),
            excel: None,
        },
    ],
    export: None,
    actions: None,
    select: None,
};

/// What the progress fragment shows.
pub struct JobView {
    /// The job.
    pub job: Job,
    /// Run result, if a finished run.
    pub run: Option<RunResult>,
    /// Import result, if a finished import.
    pub import: Option<ImportResult>,
}

impl JobView {
    fn new(job: Job) -> JobView {
        let (run, import) = if job.result_json.is_empty() {
            (None, None)
        } else {
            match JobKind::parse(&job.kind) {
                Some(JobKind::Run) => (serde_json::from_str(&job.result_json).ok(), None),
                Some(JobKind::Import) => (None, serde_json::from_str(&job.result_json).ok()),
                None => (None, None),
            }
        };
        JobView { job, run, import }
    }
}

#[derive(Template)]
#[template(path = "ds_job.html")]
struct JobPage {
    chrome: Chrome,
    v: JobView,
    can_cancel: bool,
}

#[derive(Template)]
#[template(path = "ds_job_progress.html")]
struct JobProgress {
    v: JobView,
}

/// One job with live progress.
pub async fn job(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    ctx.require(perm::DS_RULES)?;
    let job = sv::get_job(&app.db, ctx.scope(), id).await?;
    let can_cancel = !job.finished()
        && (ctx.principal.can(perm::DS_RUN) || ctx.principal.can(perm::DS_DATASET))
        && !job.cancel_requested;
    Ok(page(&JobPage {
        chrome: chrome(
            &app,
            &ctx,
            &job.title.clone(),
            SECTION,
            &[("运行记录", "/ds/jobs"), ("任务详情", "")],
        )
        .await,
        v: JobView::new(job),
        can_cancel,
    }))
}

/// The progress fragment polled by the job page (htmx, every second until finished).
pub async fn job_progress(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    ctx.require(perm::DS_RULES)?;
    let job = sv::get_job(&app.db, ctx.scope(), id).await?;
    Ok(page(&JobProgress { v: JobView::new(job) }))
}

/// Asks a job to stop.
pub async fn job_cancel(State(app): State<App>, ctx: Ctx, headers: HeaderMap, Path(id): Path<i64>) -> PageResult {
    if !(ctx.principal.can(perm::DS_RUN) || ctx.principal.can(perm::DS_DATASET)) {
        return Err(AppError::Forbidden.into());
    }
    let mut tx = app.db.begin().await?;
    sv::request_cancel(&mut tx, ctx.scope(), id).await?;
    audit::append(
        &mut tx,
        app.mode(),
        &ctx.actor(),
        &Event {
            action: "ds.job_cancel",
            object_type: "ds_job",
            object_id: id.to_string(),
            outcome: Outcome::Success,
            detail: String::new(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(redirect(&headers, &format!("/ds/jobs/{id}")))
}

/// The problem report of an import job.
pub async fn job_report(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    ctx.require(perm::DS_RULES)?;
    let job = sv::get_job(&app.db, ctx.scope(), id).await?;
    let result: ImportResult = serde_json::from_str(&job.result_json).map_err(|_| AppError::NotFound("问题清单"))?;
    let rel = result.report.ok_or(AppError::NotFound("问题清单"))?;
    // Only files this module writes are served.
    if !rel.starts_with("ds-reports") || rel.contains("..") {
        return Err(AppError::NotFound("问题清单").into());
    }
    let bytes = std::fs::read(app.config.data_dir.join(rel)).map_err(|e| AppError::from_file("问题清单", e))?;
    Ok(download(&format!("数据集导入问题-任务{id}.xlsx"), XLSX, bytes))
}

// ---------------------------------------------------------------------------------------------
// Models and runs
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "ds_models.html")]
struct ModelsPage {
    chrome: Chrome,
    models: Vec<ModelRow>,
    versions: Vec<VersionChoice>,
    can_run: bool,
    can_model: bool,
}

/// The model library with hit and confirmation rates and the run form.
pub async fn models(State(app): State<App>, ctx: Ctx) -> PageResult {
    ctx.require(perm::DS_RULES)?;
    Ok(page(&ModelsPage {
        chrome: chrome(&app, &ctx, "比对模型", "/ds/models", &[("比对模型", "")]).await,
        models: model_rows(&app, &ctx).await?,
        versions: version_choices(&app).await?,
        can_run: ctx.principal.can(perm::DS_RUN),
        can_model: ctx.principal.can(perm::DS_MODEL),
    }))
}

/// A parameter in the model page's form.
pub struct ParamRow {
    /// Name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Value as text (lists joined with "、").
    pub value: String,
}

fn param_text(v: &model::ParamValue) -> String {
    match v {
        model::ParamValue::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        model::ParamValue::Int(i) => i.to_string(),
        model::ParamValue::Number(f) => f.to_string(),
        model::ParamValue::Text(s) => s.clone(),
        model::ParamValue::List(l) => l.join("、"),
    }
}

/// Parses a parameter typed in a form as the type of its default.
fn parse_param(like: &model::ParamValue, label: &str, text: &str) -> Result<model::ParamValue, String> {
    let t = text.trim();
    Ok(match like {
        model::ParamValue::Bool(_) => model::ParamValue::Bool(matches!(t, "是" | "true" | "1" | "on")),
        model::ParamValue::Int(_) => {
            model::ParamValue::Int(t.parse().map_err(|_| format!("参数“{label}”应为整数，收到“{t}”"))?)
        }
        model::ParamValue::Number(_) => {
            model::ParamValue::Number(t.parse().map_err(|_| format!("参数“{label}”应为数值，收到“{t}”"))?)
        }
        model::ParamValue::Text(_) => model::ParamValue::Text(t.to_string()),
        model::ParamValue::List(_) => model::ParamValue::List(
            t.split(['、', ',', '，', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        ),
    })
}

#[derive(Template)]
#[template(path = "ds_model.html")]
struct ModelPage {
    chrome: Chrome,
    m: Model,
    subjects: &'static str,
    params: Vec<ParamRow>,
    /// Heading and text of the definition panel: the SQL, or the red flags' INI settings.
    code_title: &'static str,
    code: String,
    versions: Vec<VersionChoice>,
    stat: ModelStat,
    can_run: bool,
    can_edit: bool,
    errors: FormErrors,
}

async fn load_model(app: &App, id: &str) -> Result<Model, AppError> {
    if let Some(code) = id.strip_prefix("custom:") {
        let stored = sv::custom_model(&app.db, code, None).await?;
        crate::ds::custom_from_store(&stored).map_err(|e| AppError::BadRequest(e.to_string()))
    } else {
        crate::ds::builtin_model(id).ok_or(AppError::NotFound("模型"))
    }
}

/// One model: SQL, parameters (editable for a run), figures.
pub async fn model_detail(State(app): State<App>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    ctx.require(perm::DS_RULES)?;
    let m = load_model(&app, &id).await?;
    let stat = sv::model_stats(&app.db, ctx.scope())
        .await?
        .into_iter()
        .find(|s| s.model == m.id)
        .unwrap_or_default();
    let params = m
        .params
        .iter()
        .map(|p| ParamRow {
            name: p.name.clone(),
            label: p.label.clone(),
            value: param_text(&p.value),
        })
        .collect();
    Ok(page(&ModelPage {
        chrome: chrome(
            &app,
            &ctx,
            &m.title.clone(),
            "/ds/models",
            &[("比对模型", "/ds/models"), ("模型详情", "")],
        )
        .await,
        params,
        subjects: subjects_of(&m),
        code_title: if m.id == redflags::ID {
            "等效的Cardinal设置文件（INI，随上列参数生成）"
        } else {
            "查询语句"
        },
        code: if m.id == redflags::ID {
            redflags::settings_ini(&m).unwrap_or_else(|e| e)
        } else {
            m.sql.clone()
        },
        versions: version_choices(&app).await?,
        stat,
        can_run: ctx.principal.can(perm::DS_RUN),
        can_edit: !m.builtin && ctx.principal.can(perm::DS_MODEL),
        m,
        errors: FormErrors::default(),
    }))
}

/// Starts a run: the selected models (`model` fields) with default parameters, or one model
/// with the parameters typed on its page (`p.NAME` fields); `v.DATASET` fields choose dataset
/// versions (others: the newest).
pub async fn run(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    ctx.require(perm::DS_RUN)?;
    let ids: Vec<String> = form
        .iter()
        .filter(|(k, _)| k == "model")
        .map(|(_, v)| v.clone())
        .collect();
    let mut params = RunParams {
        models: ids.clone(),
        ..Default::default()
    };
    for (k, v) in &form {
        if let Some(dataset) = k.strip_prefix("v.") {
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            let version = v
                .parse()
                .map_err(|_| AppError::invalid("versions", format!("数据集{dataset}的版本号有误：{v}")))?;
            params.versions.insert(dataset.to_string(), version);
        }
    }
    if ids.len() == 1 {
        let m = match load_model(&app, &ids[0]).await {
            Err(AppError::NotFound(_)) => {
                return Err(AppError::invalid("models", format!("模型{}不存在", ids[0])).into());
            }
            other => other?,
        };
        let mut overrides = model::ParamOverrides::new();
        for (k, v) in &form {
            if let Some(name) = k.strip_prefix("p.") {
                let p = m
                    .params
                    .iter()
                    .find(|p| p.name == name)
                    .ok_or_else(|| AppError::invalid("params", format!("模型没有参数“{name}”")))?;
                let value = parse_param(&p.value, &p.label, v).map_err(|e| AppError::invalid("params", e))?;
                if value != p.value {
                    overrides.insert(name.to_string(), value);
                }
            }
        }
        if !overrides.is_empty() {
            params.params.insert(ids[0].clone(), overrides);
        }
    }
    // Everything is checked before queueing: unknown models and bad parameters are 4xx now.
    let id = crate::ds::queue_run(&app, &Requester::of(&ctx)?, params).await?;
    Ok(redirect(&headers, &format!("/ds/jobs/{id}")))
}

// ---------------------------------------------------------------------------------------------
// Custom models
// ---------------------------------------------------------------------------------------------

/// The custom model form.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct CustomForm {
    code: String,
    title: String,
    subject_kind: String,
    severity: String,
    sql_text: String,
    explanation: String,
    params_text: String,
}

#[derive(Template)]
#[template(path = "ds_custom.html")]
struct CustomPage {
    chrome: Chrome,
    form: CustomForm,
    editing: bool,
    errors: FormErrors,
    tables: Vec<(&'static str, String)>,
}

fn table_help() -> Vec<(&'static str, String)> {
    DATASETS
        .iter()
        .map(|d| {
            (
                d.name,
                d.columns
                    .iter()
                    .map(|c| format!("{}（{}）", c.name, c.label))
                    .collect::<Vec<_>>()
                    .join("、"),
            )
        })
        .collect()
}

/// New custom model form.
pub async fn custom_new(State(app): State<App>, ctx: Ctx) -> PageResult {
    ctx.require(perm::DS_MODEL)?;
    Ok(page(&CustomPage {
        chrome: chrome(
            &app,
            &ctx,
            "新建自定义模型",
            "/ds/models",
            &[("比对模型", "/ds/models"), ("新建", "")],
        )
        .await,
        form: CustomForm {
            subject_kind: "person".into(),
            severity: "medium".into(),
            explanation: "{subject}在{period}存在疑点（{count}条记录）".into(),
            ..Default::default()
        },
        editing: false,
        errors: FormErrors::default(),
        tables: table_help(),
    }))
}

/// Edit form of a custom model (saving makes a new version).
pub async fn custom_edit(State(app): State<App>, ctx: Ctx, Path(code): Path<String>) -> PageResult {
    ctx.require(perm::DS_MODEL)?;
    let m = sv::custom_model(&app.db, &code, None).await?;
    let params: Vec<model::Param> = serde_json::from_str(&m.params_json).unwrap_or_default();
    Ok(page(&CustomPage {
        chrome: chrome(
            &app,
            &ctx,
            "修改自定义模型",
            "/ds/models",
            &[("比对模型", "/ds/models"), ("修改", "")],
        )
        .await,
        form: CustomForm {
            code: m.code,
            title: m.title,
            subject_kind: m.subject_kind,
            severity: m.severity,
            sql_text: m.sql_text,
            explanation: m.explanation,
            params_text: params
                .iter()
                .map(|p| format!("{}|{}|{}", p.name, p.label, param_text(&p.value)))
                .collect::<Vec<_>>()
                .join("\n"),
        },
        editing: true,
        errors: FormErrors::default(),
        tables: table_help(),
    }))
}

/// Parameters typed one per line as `name|label|default`; numbers become numbers.
fn parse_params_text(text: &str) -> Result<Vec<model::Param>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.splitn(3, '|').map(str::trim).collect();
        if parts.len() != 3 || parts[0].is_empty() {
            return Err(format!("第{}行参数格式应为“名称|说明|默认值”", i + 1));
        }
        if !parts[0].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(format!("第{}行参数名称只能含字母、数字和下划线", i + 1));
        }
        let value = if let Ok(n) = parts[2].parse::<i64>() {
            model::ParamValue::Int(n)
        } else if let Ok(f) = parts[2].parse::<f64>() {
            model::ParamValue::Number(f)
        } else {
            model::ParamValue::Text(parts[2].to_string())
        };
        out.push(model::Param {
            name: parts[0].to_string(),
            label: parts[1].to_string(),
            value,
        });
    }
    Ok(out)
}

/// Saves a custom model (a new version when it exists).
pub async fn custom_save(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(form): Form<CustomForm>,
) -> PageResult {
    ctx.require(perm::DS_MODEL)?;
    let code = form.code.trim().to_string();
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    if crate::ds::builtin_model(&code).is_some() {
        errors.push(("code", "该编号是内置模型的编号，请换一个".into()));
    }
    let params = match parse_params_text(&form.params_text) {
        Ok(p) => p,
        Err(e) => {
            errors.push(("params_text", e));
            Vec::new()
        }
    };
    let kind = serde_json::from_value::<model::SubjectKind>(serde_json::Value::String(form.subject_kind.clone()));
    let severity = serde_json::from_value::<model::Severity>(serde_json::Value::String(form.severity.clone()));
    if kind.is_err() {
        errors.push(("subject_kind", "请选择对象类型".into()));
    }
    if severity.is_err() {
        errors.push(("severity", "请选择严重程度".into()));
    }
    if form.sql_text.trim().is_empty() {
        errors.push(("sql_text", "请填写查询语句（SELECT）".into()));
    }
    if let (Ok(kind), Ok(severity), true) = (kind, severity, errors.is_empty()) {
        match Model::custom(
            &format!("custom:{code}"),
            form.title.trim(),
            kind,
            severity,
            &form.sql_text,
            &form.explanation,
            params.clone(),
        ) {
            Ok(m) => {
                // Plan the query over empty tables: unknown tables and columns are found now.
                let engine = model::Engine::new(&dsets::Datasets::empty(), Default::default())
                    .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
                if let Err(e) = engine.run(&m).await {
                    errors.push(("sql_text", e.to_string()));
                }
            }
            Err(e) => errors.push(("sql_text", e.to_string())),
        }
    }
    if errors.is_empty() {
        let mut tx = app.db.begin().await?;
        let saved = sv::save_custom_model(
            &mut tx,
            &sv::NewCustomModel {
                code: code.clone(),
                title: form.title.trim().to_string(),
                subject_kind: form.subject_kind.clone(),
                severity: form.severity.clone(),
                sql_text: form.sql_text.clone(),
                explanation: form.explanation.clone(),
                params_json: serde_json::to_string(&params).map_err(|e| AppError::Internal(e.into()))?,
                created_by: ctx.principal.user.id,
            },
        )
        .await;
        match saved {
            Ok(version) => {
                audit::append(
                    &mut tx,
                    app.mode(),
                    &ctx.actor(),
                    &Event {
                        action: "ds.model_save",
                        object_type: "ds_model",
                        object_id: format!("{code}@{version}"),
                        outcome: Outcome::Success,
                        detail: form.title.trim().to_string(),
                    },
                )
                .await?;
                tx.commit().await?;
                return Ok(redirect(&headers, &format!("/ds/models/custom:{code}?ok=saved")));
            }
            Err(qinglian_store::StoreError::Invalid { field, message }) => errors.push((field, message)),
            Err(e) => return Err(AppError::from(e).into()),
        }
    }
    let editing = sv::custom_model(&app.db, &code, None).await.is_ok();
    Ok(page_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &CustomPage {
            chrome: chrome(
                &app,
                &ctx,
                "自定义模型",
                "/ds/models",
                &[("比对模型", "/ds/models"), ("编辑", "")],
            )
            .await,
            form,
            editing,
            errors: FormErrors::from_pairs(errors),
            tables: table_help(),
        },
    ))
}

// ---------------------------------------------------------------------------------------------
// Findings
// ---------------------------------------------------------------------------------------------

/// Findings list query.
#[derive(Debug, Default, Deserialize)]
pub struct FindingQuery {
    model: Option<String>,
    status: Option<String>,
    severity: Option<String>,
    q: Option<String>,
    check_org_id: Option<String>,
    clue_ready: Option<String>,
    ok: Option<String>,
}

impl FindingQuery {
    fn filter(&self) -> FindingFilter {
        FindingFilter {
            model: self.model.clone(),
            status: self.status.clone(),
            severity: self.severity.clone(),
            q: self.q.clone(),
            check_org_id: self.check_org_id.as_deref().and_then(|s| s.parse().ok()),
            clue_ready: Some(self.clue_ready.as_deref() == Some("1")),
        }
    }
    fn pairs(&self) -> Vec<(String, String)> {
        list::filters(&[
            ("model", self.model.as_deref()),
            ("status", self.status.as_deref()),
            ("severity", self.severity.as_deref()),
            ("q", self.q.as_deref()),
            ("check_org_id", self.check_org_id.as_deref()),
            ("clue_ready", self.clue_ready.as_deref()),
        ])
    }
}

/// The findings list and its export (with every evidence row on a second sheet).
static FINDING_LIST: ListSpec<Finding> = ListSpec {
    id: "findings",
    empty_id: "findings-empty",
    path: "/ds/findings",
    empty: "没有符合条件的疑点",
    unit: "条",
    default_sort: "id",
    per_page: 20,
    columns: &[
        list::Column {
            label: "疑点编号",
            sort: None,
            class: "num",
            html: Some(|f| html::link(&format!("/ds/findings/{}", f.id), &f.id.to_string())),
            excel: Some(|f| Cell::Int(f.id)),
        },
        list::Column {
            label: "模型",
            sort: None,
            class: "",
            html: Some(|f| html::text(&f.model_title)),
            excel: Some(|f| Cell::Text(f.model_title.clone())),
        },
        list::Column {
            label: "模型编号",
            sort: None,
            class: "",
            html: None,
            excel: Some(|f| Cell::Code(f.model.clone())),
        },
        list::Column {
            label: "对象类型",
            sort: None,
            class: "",
            html: None,
            excel: Some(|f| Cell::Text(subject_kind_label(&f.subject_kind).into())),
        },
        list::Column {
            label: "对象",
            sort: None,
            class: "mono nowrap",
            html: Some(|f| html::text(&f.subject)),
            excel: Some(|f| Cell::Code(f.subject.clone())),
        },
        list::Column {
            label: "期间",
            sort: None,
            class: "nowrap",
            html: Some(|f| html::text(&f.period)),
            excel: Some(|f| Cell::Code(f.period.clone())),
        },
        list::Column {
            label: "严重程度",
            sort: None,
            class: "nowrap",
            html: Some(|f| html::text(severity_label(&f.severity))),
            excel: Some(|f| Cell::Text(severity_label(&f.severity).into())),
        },
        list::Column {
            label: "疑点说明",
            sort: None,
            class: "",
            html: Some(|f| html::text(&f.explanation)),
            excel: Some(|f| Cell::Text(f.explanation.clone())),
        },
        list::Column {
            label: "状态",
            sort: None,
            class: "nowrap",
            html: Some(|f| html::tag(f.status_label())),
            excel: Some(|f| Cell::Text(f.status_label().into())),
        },
        list::Column {
            label: "核查单位",
            sort: None,
            class: "",
            html: Some(|f| html::text(f.check_org_name.as_deref().unwrap_or(""))),
            excel: Some(|f| Cell::Text(f.check_org_name.clone().unwrap_or_default())),
        },
        list::Column {
            label: "核查期限",
            sort: None,
            class: "nowrap",
            html: Some(|f| html::text(f.due_display())),
            excel: Some(|f| Cell::Code(f.due_display().to_string())),
        },
        list::Column {
            label: "发现时间",
            sort: None,
            class: "",
            html: None,
            excel: Some(|f| Cell::Text(qinglian_store::time::display_cst(&f.created_at))),
        },
    ],
    export: Some(Export {
        permission: perm::DS_EXPORT,
        file: "大数据监督疑点.xlsx",
        sheet: "疑点",
        audit_action: "ds.findings_export",
        object_type: "ds_finding",
        limit: 50_000,
        extra: Some(ExtraSheet {
            name: "证据明细",
            headers: &["疑点编号", "模型编号", "对象", "序号", "明细"],
            rows: evidence_rows,
        }),
    }),
    actions: None,
    // Clerks handle many at once: findings not yet sent can be dispatched or excluded together.
    select: Some(("batch-form", |f| {
        (f.status == finding_status::NEW).then(|| f.id.to_string())
    })),
};

/// Every evidence row of the exported findings, one line each ("列名：值；…").
fn evidence_rows(items: &[Finding]) -> Vec<Vec<Cell>> {
    let mut evidence: Vec<Vec<Cell>> = Vec::new();
    for f in items {
        let t = evidence_table(&f.evidence_json);
        for (i, r) in t.rows.iter().enumerate() {
            let detail = t
                .headers
                .iter()
                .zip(r)
                .filter(|(_, v)| !v.is_empty())
                .map(|(h, v)| format!("{h}：{v}"))
                .collect::<Vec<_>>()
                .join("；");
            evidence.push(vec![
                Cell::Int(f.id),
                Cell::Code(f.model.clone()),
                Cell::Code(f.subject.clone()),
                Cell::Int(i as i64 + 1),
                Cell::Text(detail),
            ]);
        }
    }
    evidence
}

/// A (code, label) choice.
pub struct Choice {
    /// Code.
    pub code: String,
    /// Label.
    pub label: String,
}

#[derive(Template)]
#[template(path = "ds_findings.html")]
struct FindingsPage {
    chrome: Chrome,
    list: ListView,
    can_batch: bool,
    q: FindingQuery,
    models: Vec<Choice>,
    statuses: Vec<Choice>,
    orgs: Vec<OrgRow>,
}

async fn model_choices(app: &App) -> Result<Vec<Choice>, AppError> {
    let mut out: Vec<Choice> = crate::ds::builtin_models()
        .into_iter()
        .map(|m| Choice {
            code: m.id,
            label: m.title,
        })
        .collect();
    for c in sv::custom_models(&app.db).await? {
        out.push(Choice {
            code: format!("custom:{}", c.code),
            label: c.title,
        });
    }
    Ok(out)
}

/// Findings list with filters.
pub async fn findings(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<FindingQuery>,
    Query(lp): Query<ListParams>,
) -> PageResult {
    ctx.require(perm::DS_READ)?;
    let (pg, per) = lp.paging(FINDING_LIST.per_page);
    let sensitive = ctx.principal.can(perm::PERSON_SENSITIVE);
    let data = sv::list_findings(&app.db, ctx.scope(), &q.filter(), pg, per)
        .await?
        .map(|f| f.shown(sensitive));
    Ok(page(&FindingsPage {
        chrome: chrome(&app, &ctx, "疑点清单", "/ds/findings", &[("疑点清单", "")])
            .await
            .flash_code(q.ok.as_deref()),
        list: FINDING_LIST.view_with_actions(
            &data,
            &q.pairs(),
            &lp,
            ctx.principal.can(perm::DS_EXPORT),
            if ctx.principal.can(perm::DS_DISPATCH) {
                &ctx.csrf
            } else {
                ""
            },
        ),
        can_batch: ctx.principal.can(perm::DS_DISPATCH),
        models: model_choices(&app).await?,
        statuses: finding_status::ALL
            .iter()
            .map(|s| Choice {
                code: s.to_string(),
                label: finding_status::label(s).to_string(),
            })
            .collect(),
        orgs: choices(&app, ctx.scope()).await?,
        q,
    }))
}

/// Labels of the columns models compute (the canonical datasets' columns carry their own).
const COMPUTED_LABELS: &[(&str, &str)] = &[
    ("benefit_amount", "发放金额"),
    ("recipient_id_number", "领取人身份证号"),
    ("recipient_name", "领取人姓名"),
    ("salary", "工资"),
    ("staff_id_number", "工作人员身份证号"),
    ("staff_name", "工作人员姓名"),
    ("property_count", "房产数量"),
    ("vehicle_count", "车辆数量"),
    ("purchase_count", "采购次数"),
    ("total_amount", "合计金额"),
    ("bid_count", "投标次数"),
    ("months", "月数"),
    ("count", "数量"),
    ("amount", "金额"),
    ("relation", "关系"),
];

/// Chinese label of an evidence column: the canonical column's label, a computed column's,
/// or one read from its ending (…_id_number 身份证号, …_name 姓名, …_amount 金额, …_count 数量,
/// …_date 日期); the key itself only when nothing fits.
fn column_label(key: &str) -> String {
    for d in DATASETS {
        if let Some(c) = d.column(key) {
            return c.label.to_string();
        }
    }
    if let Some((_, l)) = COMPUTED_LABELS.iter().find(|(k, _)| *k == key) {
        return l.to_string();
    }
    for (suffix, label) in [
        ("_id_number", "身份证号"),
        ("_credit_code", "统一社会信用代码"),
        ("_name", "名称"),
        ("_amount", "金额"),
        ("_count", "数量"),
        ("_date", "日期"),
    ] {
        if key.ends_with(suffix) {
            return label.to_string();
        }
    }
    key.to_string()
}

/// Whether an evidence column holds money (shown with thousands separators and 元).
fn is_money(key: &str) -> bool {
    ["amount", "salary", "price", "budget", "value", "income"]
        .iter()
        .any(|w| key.contains(w))
}

/// 4105600 → 「4,105,600元」, 1234.5 → 「1,234.50元」.
pub fn yuan(v: f64) -> String {
    let cents = (v * 100.0).round() as i128;
    let (sign, cents) = if cents < 0 { ("-", -cents) } else { ("", cents) };
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if cents % 100 == 0 {
        format!("{sign}{grouped}元")
    } else {
        format!("{sign}{grouped}.{:02}元", cents % 100)
    }
}

fn cell_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        // Whole numbers stored as decimals read as whole numbers (1.0 → 1, 180.0 → 180).
        serde_json::Value::Number(n) if !n.is_i64() && !n.is_u64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

fn evidence_cell(key: &str, v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Number(n) if is_money(key) => n.as_f64().map(yuan).unwrap_or_else(|| cell_text(v)),
        _ => cell_text(v),
    }
}

/// Evidence rows as a table: column keys in first-seen order, labels, rows of texts.
pub struct EvidenceTable {
    /// Chinese headers.
    pub headers: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<String>>,
}

fn evidence_table(json: &str) -> EvidenceTable {
    let rows: Vec<serde_json::Map<String, serde_json::Value>> = serde_json::from_str(json).unwrap_or_default();
    let mut keys: Vec<String> = Vec::new();
    for r in &rows {
        for k in r.keys() {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    EvidenceTable {
        headers: keys.iter().map(|k| column_label(k)).collect(),
        rows: rows
            .iter()
            .map(|r| {
                keys.iter()
                    .map(|k| r.get(k).map(|v| evidence_cell(k, v)).unwrap_or_default())
                    .collect()
            })
            .collect(),
    }
}

/// Batch handling of selected findings (疑点清单): dispatch them all to one unit, or exclude
/// them all with one reason — one transaction: a finding that cannot be handled (already sent,
/// out of scope) refuses the whole batch, naming it.
pub async fn findings_batch(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    ctx.require(perm::DS_DISPATCH)?;
    let value = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut ids: Vec<i64> = Vec::new();
    for (k, v) in &pairs {
        if k == "ids" {
            let id = v
                .trim()
                .parse()
                .map_err(|_| AppError::BadRequest("所选疑点编号有误".into()))?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    if ids.is_empty() {
        return Err(AppError::invalid("ids", "请先在清单中勾选要处理的疑点").into());
    }
    if ids.len() > 500 {
        return Err(AppError::invalid("ids", "一次最多处理500条疑点，请分批处理").into());
    }
    let action = value("batch_action");
    let note = value("note");
    let by = ctx.performer(app.mode());
    let mut tx = app.db.begin().await?;
    let name = |id: i64, e: qinglian_store::StoreError| -> AppError {
        match AppError::from(e) {
            AppError::Invalid(v) => {
                AppError::Invalid(v.into_iter().map(|(f, m)| (f, format!("疑点 #{id}：{m}"))).collect())
            }
            AppError::Conflict(f, m) => AppError::Conflict(f, format!("疑点 #{id}：{m}")),
            AppError::NotFound(_) => AppError::invalid("ids", format!("疑点 #{id}不存在或不在您的数据权限范围内")),
            other => other,
        }
    };
    match action.as_str() {
        "dispatch" => {
            let org_id = checking_unit(&app, &ctx, &value("org_id")).await?;
            let start = app.today();
            let due = check_due(&app, start);
            let note = limited("note", "核查要求", &note, Limit::Note)?;
            for &id in &ids {
                let d = Dispatch {
                    finding_id: id,
                    org_id,
                    note: note.clone(),
                    start,
                    due,
                };
                sv::dispatch(&mut tx, ctx.scope(), &d, &by)
                    .await
                    .map_err(|e| name(id, e))?;
            }
        }
        "exclude" => {
            let note = limited("close_note", "排除理由", &note, Limit::Note)?;
            for &id in &ids {
                sv::dismiss(&mut tx, ctx.scope(), id, &note, &by)
                    .await
                    .map_err(|e| name(id, e))?;
            }
        }
        _ => return Err(AppError::invalid("batch_action", "请选择批量操作：派发核查或直接排除").into()),
    }
    tx.commit().await?;
    Ok(redirect(&headers, "/ds/findings?ok=batch"))
}

/// Excel export: findings, and every evidence row on a second sheet.
pub async fn findings_export(State(app): State<App>, ctx: Ctx, Query(q): Query<FindingQuery>) -> PageResult {
    ctx.require(perm::DS_EXPORT)?;
    let sensitive = ctx.principal.can(perm::PERSON_SENSITIVE);
    let items: Vec<Finding> = sv::list_findings_all(&app.db, ctx.scope(), &q.filter(), 50_000)
        .await?
        .into_iter()
        .map(|f| f.shown(sensitive))
        .collect();
    let detail = if sensitive { "含完整身份证号" } else { "" };
    Ok(FINDING_LIST.export(&app, &ctx, &items, detail.into()).await?)
}

/// A check with its attachments.
pub struct CheckView {
    /// The check.
    pub check: Check,
    /// Its attachments.
    pub files: Vec<attachment::Attachment>,
}

#[derive(Template)]
#[template(path = "ds_finding.html")]
struct FindingPage {
    chrome: Chrome,
    f: Finding,
    evidence: EvidenceTable,
    versions: String,
    checks: Vec<CheckView>,
    history: Vec<HistoryRow>,
    orgs: Vec<OrgRow>,
    default_due: String,
    due_pending_year: Option<i32>,
    today: String,
    can_dispatch: bool,
    can_answer: bool,
    can_rules: bool,
    errors: FormErrors,
    typed: Typed,
}

async fn finding_page(
    app: &App,
    ctx: &Ctx,
    id: i64,
    ok: Option<&str>,
    errors: FormErrors,
) -> Result<FindingPage, AppError> {
    let f = sv::get_finding(&app.db, ctx.scope(), id)
        .await?
        .shown(ctx.principal.can(perm::PERSON_SENSITIVE));
    let checks = sv::checks_of(&app.db, id).await?;
    let history = history_rows(&qinglian_store::workflow::history(&app.db, FINDING_WORKFLOW.name, id).await?);
    let ids: Vec<i64> = checks.iter().map(|c| c.id).collect();
    let files = attachment::list(&app.db, "ds_check", &ids).await?;
    let checks = checks
        .into_iter()
        .map(|c| CheckView {
            files: files.iter().filter(|a| a.owner_id == c.id).cloned().collect(),
            check: c,
        })
        .collect();
    let today = app.today();
    let (default_due, due_pending_year) = match check_due(app, today) {
        Due::On(d) => (d.format("%Y-%m-%d").to_string(), None),
        Due::Pending { year, .. } => (String::new(), Some(year)),
    };
    let versions: BTreeMap<String, u32> = serde_json::from_str(&f.dataset_versions).unwrap_or_default();
    // 数据来源: only the datasets the model's SQL reads (all recorded ones if it is unknown).
    // (The red flags read the procurement datasets outside SQL: procurement::compiled_releases.)
    let read = load_model(app, &f.model).await.ok().map(|m| {
        if m.id == crate::ds::redflags::ID {
            "tenders bids awards".to_string()
        } else {
            m.sql.to_lowercase()
        }
    });
    let reads = |name: &str| {
        read.as_deref().is_none_or(|sql| {
            sql.match_indices(name).any(|(i, _)| {
                let before = sql[..i].chars().next_back();
                let after = sql[i + name.len()..].chars().next();
                let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
                !word(before) && !word(after)
            })
        })
    };
    let versions = versions
        .iter()
        .filter(|(k, v)| **v > 0 && reads(k))
        .map(|(k, v)| format!("{}第{v}版", dsets::spec(k).map_or(k.as_str(), |s| s.title)))
        .collect::<Vec<_>>()
        .join("、");
    // Answering needs the unit the finding was sent to in the user's own scope.
    let can_answer = ctx.principal.can(perm::DS_ANSWER) && f.status == finding_status::CHECKING && {
        match f.check_org_id {
            Some(org) => qinglian_store::org::get(&app.db, ctx.scope(), org).await.is_ok(),
            None => false,
        }
    };
    Ok(FindingPage {
        chrome: chrome(
            app,
            ctx,
            &format!("疑点 #{id}"),
            "/ds/findings",
            &[("疑点清单", "/ds/findings"), ("疑点详情", "")],
        )
        .await
        .flash_code(ok),
        evidence: evidence_table(&f.evidence_json),
        versions,
        checks,
        history,
        orgs: choices(app, ctx.scope()).await?,
        default_due,
        due_pending_year,
        today: today.format("%Y-%m-%d").to_string(),
        can_dispatch: ctx.principal.can(perm::DS_DISPATCH),
        can_answer,
        can_rules: ctx.principal.can(perm::DS_RULES),
        typed: Typed::default(),
        errors,
        f,
    })
}

/// One finding: explanation, evidence rows, checking history and the actions its state allows.
pub async fn finding(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<super::ListQuery>,
) -> PageResult {
    ctx.require(perm::DS_READ)?;
    Ok(page(
        &finding_page(&app, &ctx, id, q.ok.as_deref(), FormErrors::default()).await?,
    ))
}

/// The finding page again after a refused step, with the errors and everything typed.
async fn finding_error(app: &App, ctx: &Ctx, id: i64, e: AppError, typed: Typed) -> PageResult {
    let (status, errors) = match e {
        AppError::Invalid(pairs) => (StatusCode::UNPROCESSABLE_ENTITY, FormErrors::from_pairs(pairs)),
        AppError::Conflict(field, msg) => (StatusCode::CONFLICT, FormErrors::from_pairs(vec![(field, msg)])),
        other => return Err(other.into()),
    };
    let mut p = finding_page(app, ctx, id, None, errors).await?;
    p.typed = typed;
    Ok(page_with(status, &p))
}

fn parse_date(field: &'static str, label: &str, s: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::invalid(field, format!("{label}应为“年-月-日”格式的日期，例如2026-12-15")))
}

/// One line of a finding's 处理记录, in words.
pub struct HistoryRow {
    /// When (China time).
    pub at: String,
    /// The action's label.
    pub action: &'static str,
    /// 「待派发 → 核查中」.
    pub change: String,
    /// Who.
    pub by: String,
    /// The note.
    pub note: String,
}

fn history_rows(events: &[qinglian_store::workflow::WorkflowEvent]) -> Vec<HistoryRow> {
    let state = |c: &str| FindingState::parse(c).map_or("未知", |s| s.label());
    events
        .iter()
        .map(|e| HistoryRow {
            at: qinglian_store::time::display_cst(&e.at),
            action: FindingAction::parse(&e.action).map_or("未知操作", |a| a.label()),
            change: format!("{} → {}", state(&e.from_state), state(&e.to_state)),
            by: if e.by_name.is_empty() {
                "系统".into()
            } else {
                e.by_name.clone()
            },
            note: e.note.clone(),
        })
        .collect()
}

/// The checking unit chosen in a form: one the sender can see (a database failure is not the
/// user's fault and stays a 500).
async fn checking_unit(app: &App, ctx: &Ctx, chosen: &str) -> Result<i64, AppError> {
    let org_id: i64 = chosen
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("org_id", "请选择核查单位"))?;
    match qinglian_store::org::get(&app.db, ctx.scope(), org_id).await {
        Err(qinglian_store::StoreError::NotFound(_)) => {
            Err(AppError::invalid("org_id", "请选择您管辖范围内的核查单位"))
        }
        other => other.map(|_| org_id).map_err(AppError::from),
    }
}

/// The text as typed, or the field's error when it is over its limit (never cut silently).
fn limited(field: &'static str, label: &str, text: &str, limit: Limit) -> Result<String, AppError> {
    qinglian_domain::text::check(field, label, text, limit).map_err(|(f, m)| AppError::invalid(f, m))?;
    Ok(text.to_string())
}

/// The default due date of a check sent today: the `finding_check` rule on the official
/// calendar, or pending (待定) when it runs into a year without a calendar.
fn check_due(app: &App, start: NaiveDate) -> Due {
    qinglian_domain::data_supervision::check_due(&app.calendar(), start)
}

/// The due date a clerk chose, or — left empty — the rule's (possibly pending) due date.
fn due_from_form(app: &App, start: NaiveDate, field: &'static str, label: &str, text: &str) -> Result<Due, AppError> {
    if text.trim().is_empty() {
        Ok(check_due(app, start))
    } else {
        Ok(Due::On(parse_date(field, label, text)?))
    }
}

/// Dispatch form.
#[derive(Debug, Deserialize)]
pub struct DispatchForm {
    org_id: String,
    due_date: String,
    note: String,
}

/// Sends a finding to a unit for checking.
pub async fn dispatch(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<DispatchForm>,
) -> PageResult {
    ctx.require(perm::DS_DISPATCH)?;
    let result = async {
        let org_id = checking_unit(&app, &ctx, &form.org_id).await?;
        let start = app.today();
        let due = due_from_form(&app, start, "due_date", "核查期限", &form.due_date)?;
        let mut tx = app.db.begin().await?;
        sv::dispatch(
            &mut tx,
            ctx.scope(),
            &Dispatch {
                finding_id: id,
                org_id,
                note: limited("note", "核查要求", &form.note, Limit::Note)?,
                start,
                due,
            },
            &ctx.performer(app.mode()),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(redirect(&headers, &format!("/ds/findings/{id}?ok=dispatched"))),
        Err(e) => {
            let typed = Typed::of([
                ("dispatch.org_id", form.org_id.clone()),
                ("dispatch.due_date", form.due_date.clone()),
                ("dispatch.note", form.note.clone()),
            ]);
            finding_error(&app, &ctx, id, e, typed).await
        }
    }
}

const ATTACHMENT_TYPES: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("png", "image/png"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("xlsx", XLSX),
    ("doc", "application/msword"),
    ("xls", "application/vnd.ms-excel"),
    ("txt", "text/plain"),
    ("ofd", "application/ofd"),
];

/// The unit's answer with optional attachments (multipart).
pub async fn answer(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    mut mp: Multipart,
) -> PageResult {
    ctx.require(perm::DS_ANSWER)?;
    let max = app.config.upload.max_mb * 1024 * 1024;
    let mut answer_code = String::new();
    let mut note = String::new();
    let mut files: Vec<(String, &'static str, Vec<u8>)> = Vec::new();
    let mut problem: Option<AppError> = None;
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("上传内容无法读取，请重新提交".into()))?
    {
        match field.name() {
            Some("answer") => answer_code = field.text().await.unwrap_or_default(),
            Some("note") => note = field.text().await.unwrap_or_default(),
            Some("files") => {
                let name = safe_file_name(field.file_name().unwrap_or(""));
                if field.file_name().unwrap_or("").is_empty() {
                    continue;
                }
                let ext = name.rsplit('.').next().unwrap_or("").to_lowercase();
                let Some((_, mime)) = ATTACHMENT_TYPES.iter().find(|(e, _)| *e == ext) else {
                    problem = Some(AppError::invalid(
                        "files",
                        format!("附件{name}的类型不允许，请上传PDF、OFD、图片、Word、Excel或文本文件"),
                    ));
                    continue;
                };
                let bytes = field.bytes().await.map_err(|_| {
                    AppError::BadRequest(format!("附件过大或上传中断（上限{}MB）", app.config.upload.max_mb))
                })?;
                if bytes.len() > max {
                    problem = Some(AppError::invalid(
                        "files",
                        format!("附件{name}超过{}MB上限", app.config.upload.max_mb),
                    ));
                    continue;
                }
                files.push((name, mime, bytes.to_vec()));
            }
            _ => {}
        }
    }
    // A file input cannot be refilled: after an error the form says to choose them again.
    let files_chosen = !files.is_empty() || problem.is_some();
    let result = async {
        if let Some(p) = problem {
            return Err(p);
        }
        let answer = Answer::parse(&answer_code)
            .ok_or_else(|| AppError::invalid("answer", "请选择核查结论：属实、部分属实或不属实"))?;
        limited("answer_note", "核查情况说明", &note, Limit::Explanation)?;
        // Files first (outside the transaction); a failed transaction removes them again.
        let dir = app.config.data_dir.join("attachments");
        std::fs::create_dir_all(&dir).map_err(|e| AppError::Internal(e.into()))?;
        let mut written: Vec<(String, NewAttachment)> = Vec::new();
        for (name, mime, bytes) in &files {
            let key = qinglian_crypto::random_token(16);
            std::fs::write(dir.join(&key), bytes).map_err(|e| AppError::Internal(e.into()))?;
            written.push((
                key.clone(),
                NewAttachment {
                    owner_type: "ds_check".into(),
                    owner_id: 0,
                    file_name: name.clone(),
                    content_type: mime.to_string(),
                    size_bytes: bytes.len() as i64,
                    sha256: hex::encode(qinglian_crypto::digest(
                        qinglian_crypto::CryptoMode::International,
                        bytes,
                    )),
                    storage_key: key,
                    uploaded_by: Some(ctx.principal.user.id),
                },
            ));
        }
        let saved = async {
            let mut tx = app.db.begin().await?;
            let check = sv::answer(&mut tx, ctx.scope(), id, answer, &note, &ctx.performer(app.mode())).await?;
            for (_, a) in &mut written {
                a.owner_id = check;
                attachment::create(&mut tx, a).await?;
            }
            tx.commit().await?;
            Ok::<_, AppError>(())
        }
        .await;
        if saved.is_err() {
            for (key, _) in &written {
                let _ = std::fs::remove_file(dir.join(key));
            }
        }
        saved
    }
    .await;
    match result {
        Ok(()) => Ok(redirect(&headers, &format!("/ds/findings/{id}?ok=answered"))),
        Err(e) => {
            let typed = Typed::of([
                ("answer.answer", answer_code.clone()),
                ("answer.note", note.clone()),
                ("answer.files", files_chosen.to_string()),
            ]);
            finding_error(&app, &ctx, id, e, typed).await
        }
    }
}

/// Review form.
#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    decision: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    due_date: String,
}

/// The commission's review: accept the answer, or return it for another round.
pub async fn review(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<ReviewForm>,
) -> PageResult {
    ctx.require(perm::DS_DISPATCH)?;
    let result = async {
        let review = match form.decision.as_str() {
            "accept" => Review::Accept,
            "return" => Review::Return {
                start: app.today(),
                due: due_from_form(&app, app.today(), "due_date", "重新核查期限", &form.due_date)?,
            },
            _ => return Err(AppError::invalid("decision", "请选择复核意见")),
        };
        let mut tx = app.db.begin().await?;
        sv::review(
            &mut tx,
            ctx.scope(),
            id,
            &review,
            limited("review_note", "复核说明", &form.note, Limit::Explanation)?.as_str(),
            &ctx.performer(app.mode()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Ok(redirect(&headers, &format!("/ds/findings/{id}?ok=reviewed"))),
        Err(e) => {
            let typed = Typed::of([
                ("review.decision", form.decision.clone()),
                ("review.due_date", form.due_date.clone()),
                ("review.note", form.note.clone()),
            ]);
            finding_error(&app, &ctx, id, e, typed).await
        }
    }
}

/// Dismiss form.
#[derive(Debug, Deserialize)]
pub struct DismissForm {
    #[serde(default)]
    note: String,
}

/// Excludes an unsent finding with a reason.
pub async fn dismiss(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<DismissForm>,
) -> PageResult {
    ctx.require(perm::DS_DISPATCH)?;
    let result = async {
        let mut tx = app.db.begin().await?;
        sv::dismiss(
            &mut tx,
            ctx.scope(),
            id,
            &limited("close_note", "排除理由", &form.note, Limit::Note)?,
            &ctx.performer(app.mode()),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    match result {
        Ok(()) => Ok(redirect(&headers, &format!("/ds/findings/{id}?ok=saved"))),
        Err(e) => finding_error(&app, &ctx, id, e, Typed::of([("dismiss.note", form.note.clone())])).await,
    }
}

/// Serves an attachment after checking access to the record that owns it.
pub async fn attachment_download(State(app): State<App>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let a = attachment::get(&app.db, id).await?;
    match a.owner_type.as_str() {
        "ds_check" => {
            ctx.require(perm::DS_READ)?;
            let finding_id: i64 = sqlx::query_scalar("SELECT finding_id FROM ds_check WHERE id = $1")
                .bind(a.owner_id)
                .fetch_optional(app.db.pool())
                .await
                .map_err(|e| AppError::Internal(e.into()))?
                .ok_or(AppError::NotFound("附件"))?;
            sv::get_finding(&app.db, ctx.scope(), finding_id).await?;
        }
        _ => return Err(AppError::NotFound("附件").into()),
    }
    if !is_token(&a.storage_key) {
        return Err(AppError::NotFound("附件").into());
    }
    let bytes = std::fs::read(app.config.data_dir.join("attachments").join(&a.storage_key))
        .map_err(|e| AppError::from_file("附件", e))?;
    let mut r = download(&a.file_name, &a.content_type, bytes);
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(r.into_response())
}

#[cfg(test)]
mod tests {
    use super::{cell_text, column_label, evidence_cell, yuan};
    use serde_json::json;

    /// Issue #16 §2: findings speak the users' language — Chinese headers, amounts in 元.
    #[test]
    fn evidence_has_chinese_headers_and_formatted_amounts() {
        assert_eq!(column_label("benefit_amount"), "发放金额");
        assert_eq!(column_label("spouse_id_number"), "身份证号");
        assert_eq!(column_label("purchase_count"), "采购次数");
        assert_eq!(yuan(4_105_600.0), "4,105,600元");
        assert_eq!(yuan(1234.5), "1,234.50元");
        assert_eq!(yuan(-180.0), "-180元");
        assert_eq!(yuan(0.0), "0元");
        assert_eq!(evidence_cell("total_amount", &json!(4105600.0)), "4,105,600元");
        assert_eq!(evidence_cell("bid_count", &json!(3)), "3");
    }

    #[test]
    fn evidence_cells_show_whole_numbers_without_decimals() {
        assert_eq!(cell_text(&json!(1.0)), "1");
        assert_eq!(cell_text(&json!(1253900.0)), "1253900");
        assert_eq!(cell_text(&json!(0.0123)), "0.0123");
        assert_eq!(cell_text(&json!(42)), "42");
        assert_eq!(cell_text(&json!("2026-03-10")), "2026-03-10");
        assert_eq!(cell_text(&json!(null)), "");
    }
}
