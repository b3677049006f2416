//! Data supervision (大数据监督) background work: dataset imports and model runs as jobs.
//!
//! Jobs are rows of `data_supervision_job`; one worker takes them oldest first. A job writes its outcome in
//! one transaction at the very end (the dataset store publishes a version atomically, findings
//! are stored together with the job's final status), so a server stopped mid-way leaves no half
//! result: at start, jobs found `running` go back to the queue and run again from the start.
//! Cancellation is a flag in the row, watched every second while the job runs.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use qinglian_analytics::dataset::{DatasetStore, HeaderMapping, PublishMeta, read_source};
use qinglian_analytics::model::{self, Engine, Model, ModelError, ParamOverrides, RunOptions};
use qinglian_analytics::redflags;
use qinglian_store::audit::{self, Actor, Event, Outcome};
use qinglian_store::data_supervision::{self as sv, FindingInput, Job, JobKind, NewJob, job_status};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use super::*;
use crate::App;
use crate::auth::Ctx;
use crate::error::AppError;

/// Parameters of an import job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportParams {
    /// Canonical dataset name.
    pub dataset: String,
    /// Uploaded files, kept under the data directory until the job ends.
    pub files: Vec<UploadedFile>,
    /// Header overrides chosen on the mapping page (source header → canonical column).
    pub mapping: BTreeMap<String, String>,
    /// Note of the version (e.g. "2026年10月发放数据").
    pub note: String,
    /// Importer's username, recorded in the version manifest.
    pub imported_by: String,
}

/// One uploaded file of an import job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UploadedFile {
    /// Name as uploaded (shown to people).
    pub name: String,
    /// Path relative to the data directory.
    pub path: String,
}

/// Parameters of a model run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunParams {
    /// Built-in model ids and `custom:CODE` for custom models (newest version).
    pub models: Vec<String>,
    /// Parameter overrides per model id.
    #[serde(default)]
    pub params: BTreeMap<String, ParamOverrides>,
    /// Dataset versions to use; datasets not named use their newest version.
    #[serde(default)]
    pub versions: BTreeMap<String, u32>,
}

/// Outcome of one model in a run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ModelOutcome {
    /// Model id.
    pub model: String,
    /// Title.
    pub title: String,
    /// Findings produced.
    pub findings: u64,
    /// Of which new.
    pub inserted: u64,
    /// Of which already known.
    pub known: u64,
    /// Seconds taken.
    pub seconds: f64,
    /// Why it failed, if it did (Chinese).
    pub error: Option<String>,
}

/// Result of a run job.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunResult {
    /// Dataset versions used.
    pub versions: BTreeMap<String, u32>,
    /// Per model.
    pub models: Vec<ModelOutcome>,
}

/// Result of an import job.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ImportResult {
    /// Dataset.
    pub dataset: String,
    /// Version published.
    pub version: u32,
    /// Rows.
    pub rows: u64,
    /// Problems found (rows kept or skipped).
    pub issues: u64,
    /// Report of the problems (relative to the data directory), when there were any.
    pub report: Option<String>,
}

/// Why a job stopped without a result.
#[derive(Debug)]
enum JobError {
    /// A user cancelled it.
    Cancelled,
    /// A problem the user can understand and fix (Chinese message).
    User(String),
    /// A fault; logged with an id, the user sees the id.
    Internal(anyhow::Error),
}

impl From<anyhow::Error> for JobError {
    fn from(e: anyhow::Error) -> Self {
        JobError::Internal(e)
    }
}

impl From<sqlx::Error> for JobError {
    fn from(e: sqlx::Error) -> Self {
        JobError::Internal(e.into())
    }
}

impl From<qinglian_store::StoreError> for JobError {
    fn from(e: qinglian_store::StoreError) -> Self {
        JobError::Internal(e.into())
    }
}

/// Opens the dataset store named by the configuration.
pub fn open_store(config: &crate::config::Config) -> anyhow::Result<DatasetStore> {
    DatasetStore::open(&config.data_supervision.store, &config.data_dir)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| "无法打开数据集存储（配置项data_supervision.store）".to_string())
}

/// Who queues a job: the org that owns it (and its results), the starting user, the audit actor.
#[derive(Debug, Clone)]
pub struct Requester {
    /// Owning org: the starter's own org.
    pub org_id: qinglian_store::org::OrgId,
    /// Starting user (`None` for the system, e.g. the demo).
    pub user_id: Option<qinglian_store::user::UserId>,
    /// Actor of the audit entry.
    pub actor: Actor,
}

impl Requester {
    /// The logged-in user; refused when the account has no org (work must have an owner).
    pub fn of(ctx: &Ctx) -> Result<Requester, AppError> {
        let org_id = ctx
            .principal
            .user
            .org_id
            .ok_or_else(|| AppError::Conflict("org_id", "您的账号未设置所属单位，请联系系统管理员".into()))?;
        Ok(Requester {
            org_id,
            user_id: Some(ctx.principal.user.id),
            actor: ctx.actor(),
        })
    }
}

/// Queues a job owned by the requester's org, audits it and wakes the worker.
pub async fn queue_job(
    app: &App,
    who: &Requester,
    kind: JobKind,
    title: String,
    params_json: String,
) -> Result<sv::JobId, AppError> {
    let mut tx = app.db.begin().await?;
    let id = sv::create_job(
        &mut tx,
        &NewJob {
            kind,
            title: title.clone(),
            params_json,
            org_id: who.org_id,
            created_by: who.user_id,
        },
    )
    .await?;
    audit::append(
        &mut tx,
        app.mode(),
        &who.actor,
        &Event {
            action: match kind {
                JobKind::Import => "data_supervision.import_queue",
                JobKind::Run => "data_supervision.run_queue",
            },
            object_type: "data_supervision_job",
            object_id: id.to_string(),
            outcome: Outcome::Success,
            detail: title,
        },
    )
    .await?;
    tx.commit().await?;
    app.job_wakeup.notify_one();
    Ok(id)
}

/// Checks a run and queues it (the pages, the API and the demo all start runs here): at least
/// one model, every model known, parameters of the right type and valid, every named dataset
/// version published. Problems are refused now as 422s with a Chinese message naming the field
/// (`models`, `params` or `versions`), so nothing bad is queued. Returns the job id.
pub async fn queue_run(app: &App, who: &Requester, params: RunParams) -> Result<sv::JobId, AppError> {
    if params.models.is_empty() {
        return Err(AppError::invalid("models", "请至少选择一个模型"));
    }
    if let Some(id) = params.params.keys().find(|id| !params.models.contains(id)) {
        return Err(AppError::invalid(
            "params",
            format!("参数针对的模型{id}不在本次运行的模型中"),
        ));
    }
    let models = resolve_models(app, &params)
        .await
        .map_err(|(field, e)| AppError::invalid(field, e))?;
    for (dataset, version) in &params.versions {
        let spec = qinglian_analytics::dataset::spec(dataset)
            .ok_or_else(|| AppError::invalid("versions", format!("没有名为{dataset}的数据集")))?;
        let published = app
            .datasets
            .versions(spec.name)
            .await
            .map_err(|e| AppError::BadRequest(e.to_string()))?;
        if !published.iter().any(|v| v.version == *version) {
            return Err(AppError::invalid(
                "versions",
                format!("数据集“{}”没有第{version}版", spec.title),
            ));
        }
    }
    let title = if models.len() == 1 {
        format!("运行模型：{}", models[0].title)
    } else {
        format!("运行{}个模型", models.len())
    };
    let json = serde_json::to_string(&params).map_err(|e| AppError::Internal(e.into()))?;
    queue_job(app, who, JobKind::Run, title, json).await
}

/// Starts the worker: requeues interrupted jobs, then runs queued jobs one at a time.
pub fn spawn_worker(app: App) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        match sv::requeue_interrupted(&app.db).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(jobs = n, "interrupted data-supervision jobs queued again"),
            Err(e) => tracing::warn!(error = %e, "could not requeue interrupted jobs"),
        }
        if let Err(e) = app.datasets.gc().await {
            tracing::warn!(error = %e, "dataset store clean-up failed");
        }
        loop {
            match sv::claim_next_job(&app.db).await {
                Ok(Some(job)) => run_job(&app, job).await,
                Ok(None) => {
                    // Woken at once when a job is queued; the timeout covers other processes.
                    let _ = tokio::time::timeout(Duration::from_secs(5), app.job_wakeup.notified()).await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not take the next job");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            }
        }
    })
}

/// Runs every queued job now, one after another (the CLI and tests use this instead of the
/// background worker). Returns how many ran.
pub async fn run_pending(app: &App) -> anyhow::Result<usize> {
    let mut n = 0;
    while let Some(job) = sv::claim_next_job(&app.db).await? {
        run_job(app, job).await;
        n += 1;
    }
    Ok(n)
}

/// Runs one claimed job to its end and records the outcome.
pub async fn run_job(app: &App, job: Job) {
    let cancel = CancellationToken::new();
    let watcher = {
        let (app, cancel, id) = (app.clone(), cancel.clone(), job.id);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                if matches!(sv::cancel_requested(&app.db, id).await, Ok(true)) {
                    cancel.cancel();
                    break;
                }
            }
        })
    };
    let outcome = match JobKind::parse(&job.kind) {
        Some(JobKind::Import) => run_import(app, &job, &cancel).await,
        Some(JobKind::Run) => run_models(app, &job, &cancel).await,
        None => Err(JobError::User("未知的任务类型".into())),
    };
    watcher.abort();
    let finished = match outcome {
        Ok(()) => Ok(()),
        Err(JobError::Cancelled) => {
            finish(app, &job, job_status::CANCELLED, "任务已按要求取消，未产生任何结果", "").await
        }
        Err(JobError::User(message)) => finish(app, &job, job_status::FAILED, &message, "").await,
        Err(JobError::Internal(e)) => {
            let id = qinglian_crypto::random_token(6);
            tracing::error!(error.id = %id, job = job.id.0, error = %format!("{e:#}"), "data-supervision job failed");
            finish(
                app,
                &job,
                job_status::FAILED,
                &format!("任务因系统内部错误失败，请联系管理员（错误编号：{id}）"),
                "",
            )
            .await
        }
    };
    if let Err(e) = finished {
        tracing::error!(job = job.id.0, error = %e, "could not record the end of a job");
    }
}

async fn finish(app: &App, job: &Job, status: &str, message: &str, result: &str) -> anyhow::Result<()> {
    let mut tx = app.db.begin().await?;
    sv::finish_job(&mut tx, job.id, status, message, result).await?;
    tx.commit().await?;
    cleanup_uploads(app, job);
    Ok(())
}

fn job_actor(job: &Job) -> Actor {
    Actor {
        user_id: job.created_by,
        username: job.created_by_name.clone(),
        role: "后台任务".into(),
        ip: "local".into(),
    }
}

/// Upload directory of an import job (relative to the data directory).
pub fn upload_dir(token: &str) -> PathBuf {
    PathBuf::from("uploads").join(token)
}

fn cleanup_uploads(app: &App, job: &Job) {
    if let Ok(p) = serde_json::from_str::<ImportParams>(&job.params_json) {
        for f in &p.files {
            let path = app.config.data_dir.join(&f.path);
            let _ = std::fs::remove_file(&path);
            if let Some(dir) = path.parent() {
                let _ = std::fs::remove_dir(dir);
            }
        }
    }
}

async fn run_import(app: &App, job: &Job, cancel: &CancellationToken) -> Result<(), JobError> {
    let params: ImportParams =
        serde_json::from_str(&job.params_json).map_err(|_| JobError::User("导入任务参数有误".into()))?;
    // A previous attempt may have published before the server stopped: never publish twice.
    let marker = format!("任务#{}", job.id);
    let published = app
        .datasets
        .versions(&params.dataset)
        .await
        .map_err(|e| JobError::User(e.to_string()))?
        .into_iter()
        .find(|v| v.imported_by.ends_with(&format!("（{marker}）")));
    if let Some(v) = published {
        let result = ImportResult {
            dataset: params.dataset.clone(),
            version: v.version,
            rows: v.rows,
            issues: v.issue_count,
            report: None,
        };
        let json = serde_json::to_string(&result).map_err(anyhow::Error::from)?;
        finish(app, job, job_status::DONE, &format!("已发布第{}版", v.version), &json).await?;
        return Ok(());
    }
    let mut mapping = HeaderMapping::default();
    for (dataset, header, column) in sv::header_mappings(&app.db).await? {
        mapping.insert(&dataset, &header, &column);
    }
    for (header, column) in &params.mapping {
        mapping.insert(&params.dataset, header, column);
    }
    let total_files = params.files.len() as i64;
    let mut raws = Vec::with_capacity(params.files.len());
    for (i, f) in params.files.iter().enumerate() {
        if cancel.is_cancelled() {
            return Err(JobError::Cancelled);
        }
        sv::job_progress(
            &app.db,
            job.id,
            i as i64,
            total_files * 2,
            0,
            &format!("读取文件：{}", f.name),
        )
        .await?;
        let path = app.config.data_dir.join(&f.path);
        let name = f.name.clone();
        let raw = tokio::task::spawn_blocking(move || {
            read_source(&path).map(|(mut raw, _)| {
                raw.file = name;
                raw
            })
        })
        .await
        .map_err(anyhow::Error::from)?
        .map_err(|e| JobError::User(e.to_string()))?;
        raws.push(raw);
    }
    sv::job_progress(&app.db, job.id, total_files, total_files * 2, 0, "规范化并写入数据集").await?;
    let rows_seen = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let progress = {
        let rows_seen = rows_seen.clone();
        move |rows: u64| rows_seen.store(rows, std::sync::atomic::Ordering::Relaxed)
    };
    // Report rows while the store works.
    let reporter = {
        let (app, id, rows_seen) = (app.clone(), job.id, rows_seen.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(700)).await;
                let rows = rows_seen.load(std::sync::atomic::Ordering::Relaxed) as i64;
                let _ = sv::job_progress(&app.db, id, total_files, total_files * 2, rows, "规范化并写入数据集").await;
            }
        })
    };
    let meta = PublishMeta {
        note: params.note.clone(),
        imported_by: format!("{}（{marker}）", params.imported_by),
        source_names: params.files.iter().map(|f| f.name.clone()).collect(),
    };
    let outcome = app
        .datasets
        .publish(&params.dataset, raws, &mapping, meta, Some(&progress), cancel)
        .await;
    reporter.abort();
    if cancel.is_cancelled() {
        return Err(JobError::Cancelled);
    }
    let published = outcome.map_err(|e| JobError::User(e.to_string()))?;
    let report = if published.issues.is_empty() {
        None
    } else {
        let rel = PathBuf::from("ds-reports").join(format!("job-{}.xlsx", job.id));
        let errors: Vec<qinglian_office::RowError> = published
            .issues
            .iter()
            .map(|i| qinglian_office::RowError {
                row: i.row.unwrap_or(0) as usize,
                column: i.column.clone(),
                message: format!(
                    "{}：{}{}{}",
                    i.file,
                    i.reason,
                    i.value.as_deref().map(|v| format!("（值：{v}）")).unwrap_or_default(),
                    if i.kept { "；已保留该值" } else { "" }
                ),
            })
            .collect();
        let bytes = qinglian_office::error_report_xlsx(&errors).map_err(|e| anyhow::anyhow!("{e}"))?;
        let abs = app.config.data_dir.join(&rel);
        if let Some(dir) = abs.parent() {
            std::fs::create_dir_all(dir).map_err(anyhow::Error::from)?;
        }
        std::fs::write(&abs, bytes).map_err(anyhow::Error::from)?;
        Some(rel.to_string_lossy().into_owned())
    };
    let result = ImportResult {
        dataset: params.dataset.clone(),
        version: published.version,
        rows: published.rows,
        issues: published.issues.len() as u64,
        report,
    };
    let json = serde_json::to_string(&result).map_err(anyhow::Error::from)?;
    let message = format!(
        "已发布第{}版，共{}行{}",
        published.version,
        published.rows,
        if published.issues.is_empty() {
            String::new()
        } else {
            format!("，发现{}处问题（见问题清单）", published.issues.len())
        }
    );
    let mut tx = app.db.begin().await?;
    sv::finish_job(&mut tx, job.id, job_status::DONE, &message, &json).await?;
    audit::append(
        &mut tx,
        app.mode(),
        &job_actor(job),
        &Event {
            action: "data_supervision.dataset_import",
            object_type: "dataset",
            object_id: format!("{}@{}", params.dataset, published.version),
            outcome: Outcome::Success,
            detail: format!("导入{}行，问题{}处", published.rows, published.issues.len()),
        },
    )
    .await?;
    tx.commit().await?;
    cleanup_uploads(app, job);
    Ok(())
}

/// Most people one roster version takes (a province's officials fit many times over).
pub const ROSTER_MAX: i64 = 2_000_000;

/// Publishes the platform's own people roster (everyone in the user's data scope) as a new
/// version of the `roster` dataset, so the models compare benefit and company data with the
/// officials the platform already knows instead of a separately exported list. Needs the
/// dataset permission and the sensitive-data permission (the dataset holds full ID numbers).
/// Audited; returns the published version.
pub async fn publish_roster(app: &App, ctx: &Ctx) -> Result<qinglian_analytics::dataset::Published, AppError> {
    use qinglian_analytics::datafusion::arrow::array::{ArrayRef, RecordBatch, StringArray};
    use qinglian_analytics::datafusion::arrow::datatypes::{DataType, Field, Schema};
    use qinglian_analytics::dataset::RawTable;
    use qinglian_store::permission as perm;

    ctx.require(PERM_DATASET)?;
    ctx.require(perm::PERSON_READ)?;
    ctx.require(perm::PERSON_SENSITIVE)?;
    let people = qinglian_store::person::list_all(
        &app.db,
        ctx.scope(),
        &qinglian_store::person::PersonFilter::default(),
        ROSTER_MAX + 1,
    )
    .await?;
    if people.is_empty() {
        return Err(AppError::Conflict(
            "roster",
            "您的数据范围内没有人员，无法生成干部名册数据集".into(),
        ));
    }
    if people.len() as i64 > ROSTER_MAX {
        return Err(AppError::Conflict(
            "roster",
            format!("您的数据范围内人员超过{ROSTER_MAX}人，请分单位导入干部名册"),
        ));
    }
    let columns = ["id_number", "name", "org", "position", "rank"];
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|c| Field::new(*c, DataType::Utf8, true))
            .collect::<Vec<_>>(),
    ));
    let column = |f: fn(&qinglian_store::person::Person) -> &str| -> ArrayRef {
        Arc::new(StringArray::from_iter(people.iter().map(|p| {
            let v = f(p);
            (!v.is_empty()).then_some(v)
        })))
    };
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            column(|p| &p.id_number),
            column(|p| &p.name),
            column(|p| &p.org_name),
            column(|p| &p.post),
            column(|p| &p.rank),
        ],
    )
    .map_err(|e| AppError::Internal(e.into()))?;
    let raw = RawTable {
        file: "平台人员名册".into(),
        schema,
        batches: vec![batch],
        first_row: 2,
        issues: Vec::new(),
    };
    let meta = PublishMeta {
        note: format!("由平台人员名册生成（{}人）", people.len()),
        imported_by: ctx.principal.user.display_name.clone(),
        source_names: vec!["平台人员名册".into()],
    };
    let published = app
        .datasets
        .publish(
            "roster",
            vec![raw],
            &HeaderMapping::default(),
            meta,
            None,
            &CancellationToken::new(),
        )
        .await
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let mut tx = app.db.begin().await?;
    crate::services::audit::write(
        app,
        ctx,
        &mut tx,
        Event::success(
            "data_supervision.roster_publish",
            "dataset",
            format!("roster@{}", published.version),
            format!("由平台人员名册生成{}行", published.rows),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(published)
}

/// A built-in model of the library by id: the 14 comparison models and the red flags.
pub fn builtin_model(id: &str) -> Option<Model> {
    if id == redflags::ID {
        Some(redflags::model())
    } else {
        model::builtin(id)
    }
}

/// Every built-in model of the library: the 14 comparison models, then the red flags.
pub fn builtin_models() -> Vec<Model> {
    let mut out = model::builtin_models();
    out.push(redflags::model());
    out
}

/// The models a run names, with their parameter overrides applied. An error names the field
/// at fault (`models` or `params`) and says what is wrong in Chinese.
pub async fn resolve_models(app: &App, params: &RunParams) -> Result<Vec<Model>, (&'static str, String)> {
    let mut out = Vec::new();
    for id in &params.models {
        let base = if let Some(code) = id.strip_prefix("custom:") {
            let stored = match sv::custom_model(&app.db, code, None).await {
                Ok(m) => m,
                Err(qinglian_store::StoreError::NotFound(_)) => {
                    return Err(("models", format!("自定义模型{code}不存在")));
                }
                // Not the user's fault: said as such (the caller shows it as a field error).
                Err(e) => {
                    tracing::error!(error = %e, "loading custom model {code}");
                    return Err(("models", "读取自定义模型时数据库出错，请稍后重试".to_string()));
                }
            };
            custom_from_store(&stored).map_err(|e| ("models", format!("自定义模型{code}：{e}")))?
        } else {
            builtin_model(id).ok_or_else(|| ("models", format!("模型{id}不存在")))?
        };
        let model = match params.params.get(id) {
            Some(o) if !o.is_empty() => base.with_params(o).map_err(|e| ("params", e.to_string()))?,
            _ => base,
        };
        if model.id == redflags::ID {
            redflags::settings(&model).map_err(|e| ("params", e))?;
        }
        out.push(model);
    }
    Ok(out)
}

/// A stored custom model as an engine model.
pub fn custom_from_store(m: &sv::CustomModel) -> Result<Model, ModelError> {
    let params: Vec<model::Param> =
        serde_json::from_str(&m.params_json).map_err(|_| ModelError::Template("参数格式有误".into()))?;
    let subject_kind = serde_json::from_value(serde_json::Value::String(m.subject_kind.clone()))
        .map_err(|_| ModelError::Template("对象类型有误".into()))?;
    let severity = serde_json::from_value(serde_json::Value::String(m.severity.clone()))
        .map_err(|_| ModelError::Template("严重程度有误".into()))?;
    let mut model = Model::custom(
        &format!("custom:{}", m.code),
        &m.title,
        subject_kind,
        severity,
        &m.sql_text,
        &m.explanation,
        params,
    )?;
    model.version = m.version as u32;
    Ok(model)
}

fn code_of<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

async fn run_models(app: &App, job: &Job, cancel: &CancellationToken) -> Result<(), JobError> {
    let params: RunParams =
        serde_json::from_str(&job.params_json).map_err(|_| JobError::User("运行任务参数有误".into()))?;
    let models = resolve_models(app, &params).await.map_err(|(_, e)| JobError::User(e))?;
    if models.is_empty() {
        return Err(JobError::User("请至少选择一个模型".into()));
    }
    let mut versions = app.datasets.latest().await.map_err(|e| JobError::User(e.to_string()))?;
    versions.extend(params.versions.iter().map(|(k, v)| (k.clone(), *v)));
    let mut rows_of: BTreeMap<String, u64> = BTreeMap::new();
    for (dataset, version) in &versions {
        let infos = app
            .datasets
            .versions(dataset)
            .await
            .map_err(|e| JobError::User(e.to_string()))?;
        let info = infos
            .iter()
            .find(|v| v.version == *version)
            .ok_or_else(|| JobError::User(format!("数据集{dataset}没有第{version}版")))?;
        rows_of.insert(dataset.clone(), info.rows);
    }
    let options = RunOptions {
        memory_limit: Some(app.config.data_supervision.memory_limit_mb * 1024 * 1024),
        timeout: Some(Duration::from_secs(app.config.data_supervision.timeout_secs)),
        cancel: cancel.clone(),
    };
    let timeout = options.timeout;
    let engine = Engine::from_store(&app.datasets, &versions, options)
        .await
        .map_err(|e| JobError::User(e.to_string()))?;
    let total = models.len() as i64;
    let mut rows_done: u64 = 0;
    let mut result = RunResult {
        versions: versions.clone(),
        models: Vec::new(),
    };
    let mut inputs: Vec<FindingInput> = Vec::new();
    for (i, m) in models.iter().enumerate() {
        if cancel.is_cancelled() {
            return Err(JobError::Cancelled);
        }
        sv::job_progress(
            &app.db,
            job.id,
            i as i64,
            total,
            rows_done as i64,
            &format!("运行模型：{}", m.title),
        )
        .await?;
        let started = Instant::now();
        let outcome = if m.id == redflags::ID {
            match redflags::settings(m) {
                Ok(settings) => redflags::run(&engine, settings, timeout, cancel).await,
                Err(e) => Err(ModelError::Query(e)),
            }
        } else {
            engine.run(m).await
        };
        let mut o = ModelOutcome {
            model: m.id.clone(),
            title: m.title.clone(),
            seconds: started.elapsed().as_secs_f64(),
            ..Default::default()
        };
        match outcome {
            Ok(findings) => {
                o.findings = findings.len() as u64;
                for f in findings {
                    inputs.push(FindingInput {
                        model: f.model.clone(),
                        model_version: i64::from(f.model_version),
                        model_title: m.title.clone(),
                        subject_kind: code_of(&f.subject_kind),
                        subject: f.subject,
                        period: f.period,
                        severity: code_of(&f.severity),
                        explanation: f.explanation,
                        evidence_json: serde_json::to_string(&f.evidence).map_err(anyhow::Error::from)?,
                    });
                }
            }
            Err(ModelError::Cancelled) => return Err(JobError::Cancelled),
            Err(e) => o.error = Some(e.to_string()),
        }
        // Rows of the datasets the model reads.
        let sql = m.render_sql().unwrap_or_default();
        rows_done += rows_of
            .iter()
            .filter(|(name, _)| {
                if m.id == redflags::ID {
                    redflags::DATASETS.contains(&name.as_str())
                } else {
                    sql_mentions(&sql, name)
                }
            })
            .map(|(_, rows)| *rows)
            .sum::<u64>();
        result.models.push(o);
    }
    if cancel.is_cancelled() {
        return Err(JobError::Cancelled);
    }
    // Progress is written outside the transaction below (SQLite allows one writer at a time).
    sv::job_progress(&app.db, job.id, total, total, rows_done as i64, "保存疑点").await?;
    let versions_json = serde_json::to_string(&versions).map_err(anyhow::Error::from)?;
    let mut tx = app.db.begin().await?;
    let mut by_model: BTreeMap<String, Vec<FindingInput>> = BTreeMap::new();
    for f in inputs {
        by_model.entry(f.model.clone()).or_default().push(f);
    }
    for o in &mut result.models {
        if let Some(items) = by_model.get(&o.model) {
            let up = sv::upsert_findings(&mut tx, Some(job.id), job.org_id, &versions_json, items).await?;
            o.inserted = up.inserted;
            o.known = up.known;
        }
    }
    let found: u64 = result.models.iter().map(|m| m.findings).sum();
    let new: u64 = result.models.iter().map(|m| m.inserted).sum();
    let failed = result.models.iter().filter(|m| m.error.is_some()).count();
    let message = if failed == 0 {
        format!("{}个模型运行完成，疑点{found}条（新增{new}条）", result.models.len())
    } else {
        format!(
            "{}个模型运行完成，{failed}个失败（见下表）；疑点{found}条（新增{new}条）",
            result.models.len() - failed
        )
    };
    let json = serde_json::to_string(&result).map_err(anyhow::Error::from)?;
    sv::finish_job(&mut tx, job.id, job_status::DONE, &message, &json).await?;
    audit::append(
        &mut tx,
        app.mode(),
        &job_actor(job),
        &Event {
            action: "data_supervision.model_run",
            object_type: "data_supervision_job",
            object_id: job.id.to_string(),
            outcome: Outcome::Success,
            detail: message.clone(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// True if `sql` names the table `name` as a whole word.
fn sql_mentions(sql: &str, name: &str) -> bool {
    let bytes = sql.as_bytes();
    sql.match_indices(name).any(|(at, _)| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + name.len()).copied();
        let word = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
        !word(before) && !word(after)
    })
}

#[cfg(test)]
mod tests {
    use super::sql_mentions;

    #[test]
    fn table_names_are_matched_as_whole_words() {
        assert!(sql_mentions("SELECT * FROM persons p", "persons"));
        assert!(!sql_mentions("SELECT * FROM benefit_payments", "payments"));
        assert!(sql_mentions("JOIN deaths d ON", "deaths"));
        assert!(!sql_mentions("SELECT persons_x FROM t", "persons"));
    }
}
