//! Data supervision (大数据监督) records: remembered header mappings, custom models, background
//! jobs (dataset imports and model runs), findings (疑点) and their checking (核查).
//!
//! The dataset files live in the versioned Parquet dataset store (analytics crate); the
//! database keeps what people work on. A finding is unique per (model, subject, period), so a
//! re-run never duplicates a known finding. A finding is visible to a user when the org that
//! owns it (the commission that ran the model) or the unit it was sent to for checking is in
//! the user's scope.

use std::collections::HashMap;

use chrono::NaiveDate;
use qinglian_domain::data_supervision::{FINDING_WORKFLOW, FindingAction, FindingState};
use qinglian_domain::deadline::Due;
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

use crate::deadline::NewDeadline;
use crate::error::{StoreError, StoreResult};
use crate::org::OrgId;
use crate::sql::{Page, Query, like_escape};
use crate::user::UserId;
use crate::workflow::{self, Performer, Step};
use crate::{Db, Scope, Tx};

/// Module name of data-supervision deadlines.
pub const DEADLINE_MODULE: &str = "data_supervision";
/// Rule id of the checking period (`qinglian_domain::rules`).
pub use qinglian_domain::data_supervision::CHECK_RULE;

// ---------------------------------------------------------------------------------------------
// Header mappings
// ---------------------------------------------------------------------------------------------

/// Every remembered header mapping: (dataset, source header, canonical column).
pub async fn header_mappings(db: &Db) -> StoreResult<Vec<(String, String, String)>> {
    let rows = sqlx::query("SELECT dataset, header, column_name FROM ds_header_mapping ORDER BY dataset, header")
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// Remember how source headers map to canonical columns of a dataset (replacing older choices).
pub async fn remember_mapping(
    tx: &mut Tx,
    dataset: &str,
    pairs: &[(String, String)],
    user: Option<UserId>,
) -> StoreResult<()> {
    let now = crate::time::now();
    for (header, column) in pairs {
        sqlx::query("DELETE FROM ds_header_mapping WHERE dataset = $1 AND header = $2")
            .bind(dataset)
            .bind(header.as_str())
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "INSERT INTO ds_header_mapping (dataset, header, column_name, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(dataset)
        .bind(header.as_str())
        .bind(column.as_str())
        .bind(user)
        .bind(&now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Custom models
// ---------------------------------------------------------------------------------------------

/// One version of a custom model written by authorised staff.
#[derive(Debug, Clone, Serialize)]
pub struct CustomModel {
    /// Row id.
    pub id: i64,
    /// Stable model id (never one of the built-in ids).
    pub code: String,
    /// Version (1, 2, …); every edit makes a new version.
    pub version: i64,
    /// Chinese title.
    pub title: String,
    /// Subject kind code (person, household, enterprise, tender, budget_item).
    pub subject_kind: String,
    /// Severity code (high, medium, low).
    pub severity: String,
    /// The SELECT.
    pub sql_text: String,
    /// Explanation template.
    pub explanation: String,
    /// Parameters as JSON (list of {name, label, value}).
    pub params_json: String,
    /// Who saved this version.
    pub created_by_name: String,
    /// When.
    pub created_at: String,
}

/// Input of a new custom model version.
#[derive(Debug, Clone)]
pub struct NewCustomModel {
    /// Model id.
    pub code: String,
    /// Title.
    pub title: String,
    /// Subject kind code.
    pub subject_kind: String,
    /// Severity code.
    pub severity: String,
    /// SELECT (already validated as read-only by the caller).
    pub sql_text: String,
    /// Explanation template.
    pub explanation: String,
    /// Parameters JSON.
    pub params_json: String,
    /// Author.
    pub created_by: UserId,
}

const MODEL_COLS: &str = "m.id, m.code, m.version, m.title, m.subject_kind, m.severity, m.sql_text, m.explanation, m.params_json, COALESCE(u.display_name, '') AS created_by_name, m.created_at";

fn model_from_row(r: &sqlx::any::AnyRow) -> StoreResult<CustomModel> {
    Ok(CustomModel {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        version: r.try_get("version")?,
        title: r.try_get("title")?,
        subject_kind: r.try_get("subject_kind")?,
        severity: r.try_get("severity")?,
        sql_text: r.try_get("sql_text")?,
        explanation: r.try_get("explanation")?,
        params_json: r.try_get("params_json")?,
        created_by_name: r.try_get("created_by_name")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Saves a new version of a custom model (version 1 for a new code); returns the version.
pub async fn save_custom_model(tx: &mut Tx, m: &NewCustomModel) -> StoreResult<i64> {
    let code_ok = !m.code.is_empty()
        && m.code.len() <= 48
        && m.code.starts_with(|c: char| c.is_ascii_lowercase())
        && m.code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !code_ok {
        return Err(StoreError::invalid(
            "code",
            "模型编号须以小写字母开头，只含小写字母、数字和下划线，不超过48位",
        ));
    }
    if m.title.trim().is_empty() {
        return Err(StoreError::invalid("title", "请填写模型名称"));
    }
    let current: Option<i64> = sqlx::query("SELECT MAX(version) FROM ds_custom_model WHERE code = $1")
        .bind(m.code.as_str())
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    let version = current.unwrap_or(0) + 1;
    sqlx::query(
        "INSERT INTO ds_custom_model (code, version, title, subject_kind, severity, sql_text, explanation, params_json, active, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10)",
    )
    .bind(m.code.as_str())
    .bind(version)
    .bind(m.title.trim())
    .bind(m.subject_kind.as_str())
    .bind(m.severity.as_str())
    .bind(m.sql_text.as_str())
    .bind(m.explanation.as_str())
    .bind(m.params_json.as_str())
    .bind(m.created_by)
    .bind(crate::time::now())
    .execute(&mut **tx)
    .await?;
    if version > 1 {
        sqlx::query("UPDATE ds_custom_model SET active = 1 WHERE code = $1")
            .bind(m.code.as_str())
            .execute(&mut **tx)
            .await?;
    }
    Ok(version)
}

/// The newest version of every active custom model, by code.
pub async fn custom_models(db: &Db) -> StoreResult<Vec<CustomModel>> {
    let sql = format!(
        "SELECT {MODEL_COLS} FROM ds_custom_model m LEFT JOIN app_user u ON u.id = m.created_by \
         WHERE m.active = 1 AND m.version = (SELECT MAX(x.version) FROM ds_custom_model x WHERE x.code = m.code) \
         ORDER BY m.code"
    );
    let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(db.pool()).await?;
    rows.iter().map(model_from_row).collect()
}

/// One custom model: the given version, or the newest.
pub async fn custom_model(db: &Db, code: &str, version: Option<i64>) -> StoreResult<CustomModel> {
    let sql = format!(
        "SELECT {MODEL_COLS} FROM ds_custom_model m LEFT JOIN app_user u ON u.id = m.created_by \
         WHERE m.code = $1 ORDER BY m.version DESC"
    );
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(code).fetch_all(db.pool()).await?;
    let models = rows.iter().map(model_from_row).collect::<StoreResult<Vec<_>>>()?;
    match version {
        Some(v) => models.into_iter().find(|m| m.version == v),
        None => models.into_iter().next(),
    }
    .ok_or(StoreError::NotFound("模型"))
}

/// Retires a custom model (all versions stay for the findings that cite them).
pub async fn retire_custom_model(tx: &mut Tx, code: &str) -> StoreResult<()> {
    let n = sqlx::query("UPDATE ds_custom_model SET active = 0 WHERE code = $1")
        .bind(code)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound("模型"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Jobs
// ---------------------------------------------------------------------------------------------

/// What a background job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Import files into a new dataset version.
    Import,
    /// Run comparison models.
    Run,
}

impl JobKind {
    /// Stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Import => "import",
            JobKind::Run => "run",
        }
    }
    /// Parse the stored code.
    pub fn parse(s: &str) -> Option<JobKind> {
        match s {
            "import" => Some(JobKind::Import),
            "run" => Some(JobKind::Run),
            _ => None,
        }
    }
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            JobKind::Import => "数据集导入",
            JobKind::Run => "模型运行",
        }
    }
}

/// Job states. `queued → running → done | failed | cancelled`; a job found `running` at start
/// (the server stopped mid-way) goes back to `queued` and runs again from the start.
pub mod job_status {
    /// Waiting for the worker.
    pub const QUEUED: &str = "queued";
    /// Being worked on.
    pub const RUNNING: &str = "running";
    /// Finished successfully.
    pub const DONE: &str = "done";
    /// Failed with a message.
    pub const FAILED: &str = "failed";
    /// Cancelled by a user.
    pub const CANCELLED: &str = "cancelled";

    /// Chinese label of a status.
    pub fn label(s: &str) -> &'static str {
        match s {
            QUEUED => "排队中",
            RUNNING => "运行中",
            DONE => "已完成",
            FAILED => "失败",
            CANCELLED => "已取消",
            _ => "未知",
        }
    }
}

/// A background job.
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    /// Id.
    pub id: i64,
    /// Kind code.
    pub kind: String,
    /// Status code (see [`job_status`]).
    pub status: String,
    /// Title shown in lists.
    pub title: String,
    /// Parameters (JSON, kind-specific).
    pub params_json: String,
    /// Org that owns the job (the starter's org).
    pub org_id: OrgId,
    /// Who started it.
    pub created_by: Option<UserId>,
    /// Their name.
    pub created_by_name: String,
    /// Steps done.
    pub done_steps: i64,
    /// Steps in all.
    pub total_steps: i64,
    /// Rows processed so far.
    pub rows_processed: i64,
    /// What is being done now.
    pub current_step: String,
    /// Failure or summary message (Chinese).
    pub message: String,
    /// Result (JSON, kind-specific).
    pub result_json: String,
    /// Times started.
    pub attempts: i64,
    /// A user asked to cancel.
    pub cancel_requested: bool,
    /// Created.
    pub created_at: String,
    /// Started (last attempt).
    pub started_at: Option<String>,
    /// Finished.
    pub finished_at: Option<String>,
}

impl Job {
    /// Percent done, 0–100.
    pub fn percent(&self) -> i64 {
        if self.status == job_status::DONE {
            100
        } else if self.total_steps <= 0 {
            0
        } else {
            (self.done_steps * 100 / self.total_steps).clamp(0, 100)
        }
    }
    /// True once the job can no longer change.
    pub fn finished(&self) -> bool {
        matches!(
            self.status.as_str(),
            job_status::DONE | job_status::FAILED | job_status::CANCELLED
        )
    }
    /// Chinese status label.
    pub fn status_label(&self) -> &'static str {
        job_status::label(&self.status)
    }
    /// Chinese kind label.
    pub fn kind_label(&self) -> &'static str {
        JobKind::parse(&self.kind).map_or("任务", JobKind::label)
    }
}

/// Input of a new job.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// Kind.
    pub kind: JobKind,
    /// Title.
    pub title: String,
    /// Parameters JSON.
    pub params_json: String,
    /// Owning org.
    pub org_id: OrgId,
    /// Starter.
    pub created_by: Option<UserId>,
}

const JOB_COLS: &str = "j.id, j.kind, j.status, j.title, j.params_json, j.org_id, j.created_by, COALESCE(u.display_name, '') AS created_by_name, j.done_steps, j.total_steps, j.rows_processed, j.current_step, j.message, j.result_json, j.attempts, j.cancel_requested, j.created_at, j.started_at, j.finished_at";

fn job_from_row(r: &sqlx::any::AnyRow) -> StoreResult<Job> {
    Ok(Job {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        status: r.try_get("status")?,
        title: r.try_get("title")?,
        params_json: r.try_get("params_json")?,
        org_id: r.try_get("org_id")?,
        created_by: r.try_get("created_by")?,
        created_by_name: r.try_get("created_by_name")?,
        done_steps: r.try_get("done_steps")?,
        total_steps: r.try_get("total_steps")?,
        rows_processed: r.try_get("rows_processed")?,
        current_step: r.try_get("current_step")?,
        message: r.try_get("message")?,
        result_json: r.try_get("result_json")?,
        attempts: r.try_get("attempts")?,
        cancel_requested: crate::flag(r.try_get("cancel_requested")?),
        created_at: r.try_get("created_at")?,
        started_at: r.try_get("started_at")?,
        finished_at: r.try_get("finished_at")?,
    })
}

/// Queues a job; the worker picks it up.
pub async fn create_job(tx: &mut Tx, j: &NewJob) -> StoreResult<i64> {
    let id: i64 = sqlx::query(
        "INSERT INTO ds_job (kind, status, title, params_json, org_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(j.kind.as_str())
    .bind(job_status::QUEUED)
    .bind(j.title.as_str())
    .bind(j.params_json.as_str())
    .bind(j.org_id)
    .bind(j.created_by)
    .bind(crate::time::now())
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    Ok(id)
}

/// One job without a scope check (for the worker).
pub async fn job_unscoped(db: &Db, id: i64) -> StoreResult<Job> {
    let sql = format!("SELECT {JOB_COLS} FROM ds_job j LEFT JOIN app_user u ON u.id = j.created_by WHERE j.id = $1");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("任务"))?;
    job_from_row(&row)
}

/// One job, if its org is in the scope.
pub async fn get_job(db: &Db, scope: &Scope, id: i64) -> StoreResult<Job> {
    let mut q = Query::new(&format!(
        "SELECT {JOB_COLS} FROM ds_job j LEFT JOIN app_user u ON u.id = j.created_by JOIN org o ON o.id = j.org_id WHERE j.id = "
    ));
    q.bind_int(id);
    scope.push_filter(&mut q, "o.path");
    let row = q
        .build()
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("任务"))?;
    job_from_row(&row)
}

/// Jobs in the scope, newest first, optionally of one kind.
pub async fn list_jobs(
    db: &Db,
    scope: &Scope,
    kind: Option<JobKind>,
    page: i64,
    per_page: i64,
) -> StoreResult<Page<Job>> {
    let build = |cols: &str| {
        let mut q = Query::new(&format!(
            "SELECT {cols} FROM ds_job j LEFT JOIN app_user u ON u.id = j.created_by JOIN org o ON o.id = j.org_id WHERE 1 = 1"
        ));
        if let Some(k) = kind {
            q.push(" AND j.kind = ");
            q.bind_text(k.as_str());
        }
        scope.push_filter(&mut q, "o.path");
        q
    };
    let total: i64 = build("COUNT(*)").build().fetch_one(db.pool()).await?.try_get(0)?;
    let mut q = build(JOB_COLS);
    q.push(" ORDER BY j.id DESC LIMIT ");
    q.bind_int(per_page);
    q.push(" OFFSET ");
    q.bind_int((page - 1) * per_page);
    let rows = q.build().fetch_all(db.pool()).await?;
    Ok(Page {
        items: rows.iter().map(job_from_row).collect::<StoreResult<_>>()?,
        total,
        page,
        per_page,
    })
}

/// Takes the oldest queued job and marks it running (one worker wins when several race).
pub async fn claim_next_job(db: &Db) -> StoreResult<Option<Job>> {
    let mut tx = db.begin().await?;
    let id: Option<i64> = sqlx::query("SELECT MIN(id) FROM ds_job WHERE status = $1")
        .bind(job_status::QUEUED)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
    let Some(id) = id else {
        return Ok(None);
    };
    claim_in(db, tx, id).await
}

/// Marks one queued job running if it is still queued; `None` when it is not (another worker
/// took it, it was cancelled, or it does not exist).
pub async fn claim_job(db: &Db, id: i64) -> StoreResult<Option<Job>> {
    let tx = db.begin().await?;
    claim_in(db, tx, id).await
}

async fn claim_in(db: &Db, mut tx: Tx, id: i64) -> StoreResult<Option<Job>> {
    let claimed = sqlx::query(
        "UPDATE ds_job SET status = $1, attempts = attempts + 1, started_at = $2, done_steps = 0, rows_processed = 0, current_step = '' \
         WHERE id = $3 AND status = $4",
    )
    .bind(job_status::RUNNING)
    .bind(crate::time::now())
    .bind(id)
    .bind(job_status::QUEUED)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    if claimed == 0 {
        return Ok(None);
    }
    job_unscoped(db, id).await.map(Some)
}

/// Records progress of a running job.
pub async fn job_progress(
    db: &Db,
    id: i64,
    done_steps: i64,
    total_steps: i64,
    rows_processed: i64,
    current_step: &str,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE ds_job SET done_steps = $1, total_steps = $2, rows_processed = $3, current_step = $4 WHERE id = $5 AND status = $6",
    )
    .bind(done_steps)
    .bind(total_steps)
    .bind(rows_processed)
    .bind(current_step)
    .bind(id)
    .bind(job_status::RUNNING)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Ends a running job with a final status, message and result.
pub async fn finish_job(tx: &mut Tx, id: i64, status: &str, message: &str, result_json: &str) -> StoreResult<()> {
    sqlx::query(
        "UPDATE ds_job SET status = $1, message = $2, result_json = $3, finished_at = $4, current_step = '' WHERE id = $5",
    )
    .bind(status)
    .bind(message)
    .bind(result_json)
    .bind(crate::time::now())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Asks a job to stop: a queued job is cancelled at once, a running one at its next check.
pub async fn request_cancel(tx: &mut Tx, scope: &Scope, id: i64) -> StoreResult<()> {
    let mut q = Query::new("SELECT j.status FROM ds_job j JOIN org o ON o.id = j.org_id WHERE j.id = ");
    q.bind_int(id);
    scope.push_filter(&mut q, "o.path");
    let status: String = q
        .build()
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("任务"))?
        .try_get(0)?;
    match status.as_str() {
        job_status::QUEUED => {
            sqlx::query(
                "UPDATE ds_job SET status = $1, cancel_requested = 1, message = $2, finished_at = $3 WHERE id = $4",
            )
            .bind(job_status::CANCELLED)
            .bind("任务在开始前已取消")
            .bind(crate::time::now())
            .bind(id)
            .execute(&mut **tx)
            .await?;
        }
        job_status::RUNNING => {
            sqlx::query("UPDATE ds_job SET cancel_requested = 1 WHERE id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
        _ => return Err(StoreError::conflict("status", "任务已结束，无需取消")),
    }
    Ok(())
}

/// True if a user asked to cancel the job.
pub async fn cancel_requested(db: &Db, id: i64) -> StoreResult<bool> {
    let v: Option<i64> = sqlx::query("SELECT cancel_requested FROM ds_job WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
    Ok(v.is_some_and(crate::flag))
}

/// At start: jobs left `running` by a stopped server go back to the queue (they run again from
/// the start; their results are written in one transaction at the end, so nothing is half done).
pub async fn requeue_interrupted(db: &Db) -> StoreResult<u64> {
    Ok(
        sqlx::query("UPDATE ds_job SET status = $1, current_step = $2 WHERE status = $3")
            .bind(job_status::QUEUED)
            .bind("服务重启，等待重新运行")
            .bind(job_status::RUNNING)
            .execute(db.pool())
            .await?
            .rows_affected(),
    )
}

// ---------------------------------------------------------------------------------------------
// Findings
// ---------------------------------------------------------------------------------------------

/// Finding states.
pub mod finding_status {
    /// Found, not yet sent for checking.
    pub const NEW: &str = "new";
    /// Sent to a unit, waiting for its answer.
    pub const CHECKING: &str = "checking";
    /// The unit answered; the commission reviews.
    pub const ANSWERED: &str = "answered";
    /// Reviewed: true (属实).
    pub const CONFIRMED: &str = "confirmed";
    /// Reviewed: partly true (部分属实).
    pub const PARTLY_CONFIRMED: &str = "partly_confirmed";
    /// Reviewed or excluded: not true (不属实).
    pub const DISMISSED: &str = "dismissed";

    /// Every status in workflow order.
    pub const ALL: &[&str] = &[NEW, CHECKING, ANSWERED, CONFIRMED, PARTLY_CONFIRMED, DISMISSED];

    /// Chinese label (the workflow table's state label).
    pub fn label(s: &str) -> &'static str {
        use qinglian_domain::workflow::State;
        super::FindingState::parse(s).map_or("未知", |st| st.label())
    }
}

/// A unit's answer to a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// 属实.
    True,
    /// 部分属实.
    Partly,
    /// 不属实.
    False,
}

impl Answer {
    /// Stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::True => "true",
            Answer::Partly => "partly",
            Answer::False => "false",
        }
    }
    /// Parse the stored code.
    pub fn parse(s: &str) -> Option<Answer> {
        match s {
            "true" => Some(Answer::True),
            "partly" => Some(Answer::Partly),
            "false" => Some(Answer::False),
            _ => None,
        }
    }
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Answer::True => "属实",
            Answer::Partly => "部分属实",
            Answer::False => "不属实",
        }
    }
    /// The review action that accepts this answer.
    pub fn accept_action(self) -> FindingAction {
        match self {
            Answer::True => FindingAction::AcceptTrue,
            Answer::Partly => FindingAction::AcceptPartly,
            Answer::False => FindingAction::AcceptFalse,
        }
    }
    /// The finding status once the commission accepts this answer.
    pub fn confirmed_status(self) -> &'static str {
        match self {
            Answer::True => finding_status::CONFIRMED,
            Answer::Partly => finding_status::PARTLY_CONFIRMED,
            Answer::False => finding_status::DISMISSED,
        }
    }
}

/// A finding as produced by a model run, ready to be stored.
#[derive(Debug, Clone)]
pub struct FindingInput {
    /// Model id.
    pub model: String,
    /// Model version.
    pub model_version: i64,
    /// Model title at the time.
    pub model_title: String,
    /// Subject kind code.
    pub subject_kind: String,
    /// Subject key.
    pub subject: String,
    /// Period 'YYYY-MM' or ''.
    pub period: String,
    /// Severity code.
    pub severity: String,
    /// Chinese explanation.
    pub explanation: String,
    /// Evidence rows as a JSON array.
    pub evidence_json: String,
}

/// How many findings of a run were new and how many were already known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UpsertOutcome {
    /// Stored for the first time.
    pub inserted: u64,
    /// Already known (not duplicated; the evidence of unsent ones is refreshed).
    pub known: u64,
}

/// Stores a run's findings in one transaction. A known (model, subject, period) is not
/// duplicated: it records the run; while it has not been sent for checking its evidence and
/// dataset versions are refreshed, afterwards the evidence the unit checked stays as it was.
pub async fn upsert_findings(
    tx: &mut Tx,
    job_id: Option<i64>,
    org_id: OrgId,
    dataset_versions: &str,
    items: &[FindingInput],
) -> StoreResult<UpsertOutcome> {
    let mut out = UpsertOutcome::default();
    let now = crate::time::now();
    let mut models: Vec<&str> = items.iter().map(|f| f.model.as_str()).collect();
    models.sort_unstable();
    models.dedup();
    // Known findings of these models: key → (id, status).
    let mut known: HashMap<(String, String, String), (i64, String)> = HashMap::new();
    for model in &models {
        let rows = sqlx::query("SELECT id, subject, period, status FROM ds_finding WHERE model = $1")
            .bind(*model)
            .fetch_all(&mut **tx)
            .await?;
        for r in rows {
            known.insert(
                (model.to_string(), r.try_get(1)?, r.try_get(2)?),
                (r.try_get(0)?, r.try_get(3)?),
            );
        }
    }
    let mut fresh: Vec<&FindingInput> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for f in items {
        let key = (f.model.clone(), f.subject.clone(), f.period.clone());
        if !seen.insert(key.clone()) {
            continue;
        }
        match known.get(&key) {
            Some((id, status)) => {
                out.known += 1;
                if status == finding_status::NEW {
                    sqlx::query(
                        "UPDATE ds_finding SET last_job_id = $1, evidence_json = $2, explanation = $3, dataset_versions = $4, \
                         model_version = $5, updated_at = $6 WHERE id = $7",
                    )
                    .bind(job_id)
                    .bind(f.evidence_json.as_str())
                    .bind(f.explanation.as_str())
                    .bind(dataset_versions)
                    .bind(f.model_version)
                    .bind(&now)
                    .bind(*id)
                    .execute(&mut **tx)
                    .await?;
                } else {
                    sqlx::query("UPDATE ds_finding SET last_job_id = $1 WHERE id = $2")
                        .bind(job_id)
                        .bind(*id)
                        .execute(&mut **tx)
                        .await?;
                }
            }
            None => fresh.push(f),
        }
    }
    // New findings in multi-row INSERTs (fast on both databases).
    for chunk in fresh.chunks(50) {
        let mut q = Query::new(
            "INSERT INTO ds_finding (model, model_version, model_title, subject_kind, subject, period, severity, explanation, \
             evidence_json, dataset_versions, org_id, status, first_job_id, last_job_id, created_at, updated_at) VALUES ",
        );
        for (i, f) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push("(");
            q.bind_text(f.model.as_str());
            q.push(", ");
            q.bind_int(f.model_version);
            for v in [
                &f.model_title,
                &f.subject_kind,
                &f.subject,
                &f.period,
                &f.severity,
                &f.explanation,
                &f.evidence_json,
            ] {
                q.push(", ");
                q.bind_text(v.as_str());
            }
            q.push(", ");
            q.bind_text(dataset_versions);
            q.push(", ");
            q.bind_int(org_id);
            q.push(", ");
            q.bind_text(finding_status::NEW);
            for _ in 0..2 {
                q.push(", ");
                match job_id {
                    Some(j) => q.bind_int(j),
                    None => q.push("NULL"),
                };
            }
            q.push(", ");
            q.bind_text(now.as_str());
            q.push(", ");
            q.bind_text(now.as_str());
            q.push(")");
        }
        // Another server process may have stored the same finding meanwhile: keep theirs.
        q.push(" ON CONFLICT (model, subject, period) DO NOTHING");
        let n = q.build().execute(&mut **tx).await?.rows_affected();
        out.inserted += n;
        out.known += chunk.len() as u64 - n;
    }
    Ok(out)
}

/// A stored finding.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Id.
    pub id: i64,
    /// Model id.
    pub model: String,
    /// Model version it came from.
    pub model_version: i64,
    /// Model title.
    pub model_title: String,
    /// Subject kind code.
    pub subject_kind: String,
    /// Subject key.
    pub subject: String,
    /// Period.
    pub period: String,
    /// Severity code.
    pub severity: String,
    /// Chinese explanation.
    pub explanation: String,
    /// Evidence rows (JSON array).
    pub evidence_json: String,
    /// Dataset versions it came from (JSON object dataset → version).
    pub dataset_versions: String,
    /// Owning org.
    pub org_id: OrgId,
    /// Its name.
    pub org_name: String,
    /// Unit sent to for checking.
    pub check_org_id: Option<OrgId>,
    /// Its name.
    pub check_org_name: Option<String>,
    /// Status code (see [`finding_status`]).
    pub status: String,
    /// Note of a direct exclusion or of the final review.
    pub close_note: String,
    /// Run that first found it.
    pub first_job_id: Option<i64>,
    /// Run that last found it.
    pub last_job_id: Option<i64>,
    /// The clue it became (clue module), if any.
    pub clue_id: Option<i64>,
    /// Due date of the open check, if any (empty while pending, 待定).
    pub due_date: Option<String>,
    /// Created.
    pub created_at: String,
    /// Updated.
    pub updated_at: String,
}

impl Finding {
    /// The finding as a caller without `person.sensitive` may see it: every ID number in its
    /// subject, explanation and evidence masked (the one rule of `Person::shown`; the names in
    /// the evidence still identify the person for the unit that checks).
    pub fn masked(mut self) -> Finding {
        use crate::person::mask_ids_in_text;
        self.subject = mask_ids_in_text(&self.subject);
        self.explanation = mask_ids_in_text(&self.explanation);
        self.evidence_json = mask_ids_in_text(&self.evidence_json);
        self
    }

    /// The finding as `sensitive` (holds `person.sensitive`) may see it.
    pub fn shown(self, sensitive: bool) -> Finding {
        if sensitive { self } else { self.masked() }
    }

    /// The open check's due date as shown: the date, 「待定」 while pending, empty when none.
    pub fn due_display(&self) -> &str {
        match self.due_date.as_deref() {
            Some("") => crate::deadline::PENDING_LABEL,
            Some(d) => d,
            None => "",
        }
    }
    /// Chinese status label.
    pub fn status_label(&self) -> &'static str {
        finding_status::label(&self.status)
    }
    /// Confirmed (fully or partly) and not yet a clue: ready to become a clue.
    pub fn clue_ready(&self) -> bool {
        self.clue_id.is_none()
            && matches!(
                self.status.as_str(),
                finding_status::CONFIRMED | finding_status::PARTLY_CONFIRMED
            )
    }
}

const FINDING_COLS: &str = concat!(
    "f.id, f.model, f.model_version, f.model_title, f.subject_kind, f.subject, f.period, f.severity, f.explanation, \
    f.evidence_json, f.dataset_versions, f.org_id, ",
    org_display!("o"),
    " AS org_name, f.check_org_id, CASE WHEN c.id IS NULL THEN NULL ELSE ",
    org_display!("c"),
    " END AS check_org_name, f.status, f.close_note, \
    f.first_job_id, f.last_job_id, f.clue_id, f.created_at, f.updated_at, \
    (SELECT MAX(dl.due_date) FROM ds_check k JOIN deadline dl ON dl.id = k.deadline_id WHERE k.finding_id = f.id AND k.answer IS NULL) AS due_date"
);

const FINDING_FROM: &str =
    " FROM ds_finding f JOIN org o ON o.id = f.org_id LEFT JOIN org c ON c.id = f.check_org_id WHERE 1 = 1";

fn finding_from_row(r: &sqlx::any::AnyRow) -> StoreResult<Finding> {
    Ok(Finding {
        id: r.try_get("id")?,
        model: r.try_get("model")?,
        model_version: r.try_get("model_version")?,
        model_title: r.try_get("model_title")?,
        subject_kind: r.try_get("subject_kind")?,
        subject: r.try_get("subject")?,
        period: r.try_get("period")?,
        severity: r.try_get("severity")?,
        explanation: r.try_get("explanation")?,
        evidence_json: r.try_get("evidence_json")?,
        dataset_versions: r.try_get("dataset_versions")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        check_org_id: r.try_get("check_org_id")?,
        check_org_name: r.try_get("check_org_name")?,
        status: r.try_get("status")?,
        close_note: r.try_get("close_note")?,
        first_job_id: r.try_get("first_job_id")?,
        last_job_id: r.try_get("last_job_id")?,
        clue_id: r.try_get("clue_id")?,
        due_date: r.try_get("due_date")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Restricts findings to those whose owning org or checking unit is in the scope.
fn push_finding_scope(scope: &Scope, q: &mut Query) {
    if scope.is_empty() {
        q.push(" AND 1 = 0");
        return;
    }
    q.push(" AND (1 = 0");
    for p in scope.paths() {
        for col in ["o.path", "c.path"] {
            q.push(" OR ");
            q.push(col);
            q.push(" LIKE ");
            q.bind_text(format!("{p}%"));
        }
    }
    q.push(")");
}

/// One to-do card: the findings waiting in one state for an action the user may take.
#[derive(Debug, Clone, Serialize)]
pub struct Todo {
    /// State code (the card opens the list filtered by it).
    pub state: String,
    /// Card label: 待派发疑点, 待核查疑点, 待复核疑点.
    pub label: &'static str,
    /// How many.
    pub count: i64,
    /// The nearest due date among them ('YYYY-MM-DD'), if any is tracked.
    pub nearest_due: Option<String>,
    /// How many are past their due date on `today`.
    pub overdue: i64,
    /// How many wait for a calendar year (待定).
    pub pending: i64,
}

/// The user's to-do cards from the finding workflow table: for every state out of which the
/// user may act (`can`), the findings in that state in their scope — the unit's own checks
/// (through the checking unit) for answering, the commission's findings (through the owning
/// org) for everything else.
pub async fn todo(
    db: &Db,
    scope: &Scope,
    can: &(dyn Fn(&str) -> bool + Sync),
    today: NaiveDate,
) -> StoreResult<Vec<Todo>> {
    use qinglian_domain::workflow::State as _;
    let mut out = Vec::new();
    for &state in <FindingState as qinglian_domain::workflow::State>::ALL {
        let actions: Vec<FindingAction> = FINDING_WORKFLOW.allowed_from(state, can).map(|t| t.action).collect();
        if actions.is_empty() || scope.is_empty() {
            continue;
        }
        let by_unit = actions.contains(&FindingAction::Answer);
        let col = if by_unit { "c.path" } else { "o.path" };
        let mut q = Query::new(
            "SELECT COUNT(*), MIN(NULLIF(dl.due_date, '')), \
             COALESCE(SUM(CASE WHEN dl.due_date <> '' AND dl.due_date < ",
        );
        q.bind_text(today.format("%Y-%m-%d").to_string());
        q.push(
            " THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN dl.pending_period <> '' THEN 1 ELSE 0 END), 0) \
             FROM ds_finding f JOIN org o ON o.id = f.org_id LEFT JOIN org c ON c.id = f.check_org_id \
             LEFT JOIN ds_check k ON k.finding_id = f.id AND k.answer IS NULL LEFT JOIN deadline dl ON dl.id = k.deadline_id \
             WHERE f.status = ",
        );
        q.bind_text(state.code().to_string());
        q.push(" AND (1 = 0");
        for p in scope.paths() {
            q.push(" OR ");
            q.push(col);
            q.push(" LIKE ");
            q.bind_text(format!("{p}%"));
        }
        q.push(")");
        let r = q.build().fetch_one(db.pool()).await?;
        let count: i64 = r.try_get(0)?;
        if count == 0 {
            continue;
        }
        out.push(Todo {
            state: state.code().to_string(),
            label: match state {
                FindingState::New => "待派发疑点",
                FindingState::Checking => "待核查疑点",
                FindingState::Answered => "待复核疑点",
                _ => state.label(),
            },
            count,
            nearest_due: r.try_get(1)?,
            overdue: r.try_get(2)?,
            pending: r.try_get(3)?,
        });
    }
    Ok(out)
}

/// Filters of the findings list.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct FindingFilter {
    /// Model id.
    pub model: Option<String>,
    /// Status code.
    pub status: Option<String>,
    /// Severity code.
    pub severity: Option<String>,
    /// Text in the subject, period or explanation.
    pub q: Option<String>,
    /// Unit sent to.
    pub check_org_id: Option<OrgId>,
    /// Only confirmed findings not yet turned into clues.
    #[serde(default)]
    pub clue_ready: Option<bool>,
}

fn filtered_findings(scope: &Scope, f: &FindingFilter, cols: &str) -> Query {
    let mut q = Query::new(&format!("SELECT {cols}{FINDING_FROM}"));
    push_finding_scope(scope, &mut q);
    if let Some(m) = f.model.as_deref().filter(|s| !s.is_empty()) {
        q.push(" AND f.model = ");
        q.bind_text(m);
    }
    if let Some(s) = f.status.as_deref().filter(|s| !s.is_empty()) {
        q.push(" AND f.status = ");
        q.bind_text(s);
    }
    if let Some(s) = f.severity.as_deref().filter(|s| !s.is_empty()) {
        q.push(" AND f.severity = ");
        q.bind_text(s);
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        // Case-insensitive for Latin letters on both databases (an ID's X, a credit code):
        // SQLite's LIKE ignores ASCII case and PostgreSQL's does not, so compare lower case.
        let pattern = format!("%{}%", like_escape(&text.to_lowercase()));
        q.push(" AND (LOWER(f.subject) LIKE ");
        q.bind_text(pattern.clone());
        q.push(" ESCAPE '\\' OR LOWER(f.explanation) LIKE ");
        q.bind_text(pattern.clone());
        q.push(" ESCAPE '\\' OR f.period LIKE ");
        q.bind_text(pattern);
        q.push(" ESCAPE '\\')");
    }
    if let Some(org) = f.check_org_id {
        q.push(" AND f.check_org_id = ");
        q.bind_int(org);
    }
    if f.clue_ready == Some(true) {
        q.push(" AND f.clue_id IS NULL AND f.status IN ('confirmed', 'partly_confirmed')");
    }
    q
}

/// One page of findings in the scope, newest first.
pub async fn list_findings(
    db: &Db,
    scope: &Scope,
    f: &FindingFilter,
    page: i64,
    per_page: i64,
) -> StoreResult<Page<Finding>> {
    let total: i64 = filtered_findings(scope, f, "COUNT(*)")
        .build()
        .fetch_one(db.pool())
        .await?
        .try_get(0)?;
    let mut q = filtered_findings(scope, f, FINDING_COLS);
    q.push(" ORDER BY f.id DESC LIMIT ");
    q.bind_int(per_page);
    q.push(" OFFSET ");
    q.bind_int((page - 1) * per_page);
    let rows = q.build().fetch_all(db.pool()).await?;
    Ok(Page {
        items: rows.iter().map(finding_from_row).collect::<StoreResult<_>>()?,
        total,
        page,
        per_page,
    })
}

/// Every finding matching the filter (for export), capped at `limit`.
pub async fn list_findings_all(db: &Db, scope: &Scope, f: &FindingFilter, limit: i64) -> StoreResult<Vec<Finding>> {
    let mut q = filtered_findings(scope, f, FINDING_COLS);
    q.push(" ORDER BY f.id DESC LIMIT ");
    q.bind_int(limit);
    let rows = q.build().fetch_all(db.pool()).await?;
    rows.iter().map(finding_from_row).collect()
}

/// One finding in the scope.
pub async fn get_finding(db: &Db, scope: &Scope, id: i64) -> StoreResult<Finding> {
    let mut q = Query::new(&format!("SELECT {FINDING_COLS}{FINDING_FROM} AND f.id = "));
    q.bind_int(id);
    push_finding_scope(scope, &mut q);
    let row = q
        .build()
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("疑点"))?;
    finding_from_row(&row)
}

/// Hit and confirmation figures of one model.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ModelStat {
    /// Model id.
    pub model: String,
    /// The model's title as its findings recorded it.
    pub title: String,
    /// Findings in all (hits).
    pub findings: i64,
    /// Not yet sent.
    pub new: i64,
    /// Being checked or reviewed.
    pub in_progress: i64,
    /// Confirmed true.
    pub confirmed: i64,
    /// Partly true.
    pub partly: i64,
    /// Not true.
    pub dismissed: i64,
}

impl ModelStat {
    /// Findings whose checking is concluded.
    pub fn concluded(&self) -> i64 {
        self.confirmed + self.partly + self.dismissed
    }
    /// (confirmed + partly) / concluded, when anything is concluded.
    pub fn confirmation_rate(&self) -> Option<f64> {
        let c = self.concluded();
        (c > 0).then(|| (self.confirmed + self.partly) as f64 / c as f64)
    }
}

/// Per-model figures over the findings in the scope.
pub async fn model_stats(db: &Db, scope: &Scope) -> StoreResult<Vec<ModelStat>> {
    let mut q = Query::new("SELECT f.model, f.status, COUNT(*), MAX(f.model_title)");
    q.push(FINDING_FROM);
    push_finding_scope(scope, &mut q);
    q.push(" GROUP BY f.model, f.status ORDER BY f.model");
    let rows = q.build().fetch_all(db.pool()).await?;
    let mut out: Vec<ModelStat> = Vec::new();
    for r in rows {
        let model: String = r.try_get(0)?;
        let status: String = r.try_get(1)?;
        let n: i64 = r.try_get(2)?;
        if out.last().is_none_or(|s| s.model != model) {
            out.push(ModelStat {
                model: model.clone(),
                title: r.try_get(3)?,
                ..Default::default()
            });
        }
        let s = out.last_mut().expect("pushed above");
        s.findings += n;
        match status.as_str() {
            finding_status::NEW => s.new += n,
            finding_status::CONFIRMED => s.confirmed += n,
            finding_status::PARTLY_CONFIRMED => s.partly += n,
            finding_status::DISMISSED => s.dismissed += n,
            _ => s.in_progress += n,
        }
    }
    Ok(out)
}

/// Findings in the scope by status: (status code, count), in workflow order.
pub async fn status_counts(db: &Db, scope: &Scope) -> StoreResult<Vec<(String, i64)>> {
    let mut q = Query::new("SELECT f.status, COUNT(*)");
    q.push(FINDING_FROM);
    push_finding_scope(scope, &mut q);
    q.push(" GROUP BY f.status");
    let rows = q.build().fetch_all(db.pool()).await?;
    let mut out: Vec<(String, i64)> = Vec::new();
    for code in finding_status::ALL {
        for r in &rows {
            let s: String = r.try_get(0)?;
            if s == *code {
                out.push((s, r.try_get(1)?));
            }
        }
    }
    Ok(out)
}

/// Findings sent for checking in the scope by checking unit, most first: (unit id, the unit's
/// display name, findings, of which concluded, of which overdue on `today`).
pub async fn unit_counts(
    db: &Db,
    scope: &Scope,
    today: NaiveDate,
    limit: i64,
) -> StoreResult<Vec<(OrgId, String, i64, i64, i64)>> {
    let mut q = Query::new(concat!(
        "SELECT f.check_org_id, ",
        org_display!("c"),
        ", COUNT(*), SUM(CASE WHEN f.status IN ('confirmed', 'partly_confirmed', 'dismissed') THEN 1 ELSE 0 END), \
         SUM(CASE WHEN EXISTS (SELECT 1 FROM ds_check k JOIN deadline dl ON dl.id = k.deadline_id \
         WHERE k.finding_id = f.id AND k.answer IS NULL AND dl.due_date <> '' AND dl.due_date < "
    ));
    q.bind_text(today.format("%Y-%m-%d").to_string());
    q.push(") THEN 1 ELSE 0 END)");
    q.push(FINDING_FROM);
    q.push(" AND f.check_org_id IS NOT NULL");
    push_finding_scope(scope, &mut q);
    q.push(" GROUP BY f.check_org_id, c.id, c.name, c.parent_id ORDER BY COUNT(*) DESC, f.check_org_id LIMIT ");
    q.bind_int(limit);
    let rows = q.build().fetch_all(db.pool()).await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
                r.try_get(4)?,
            ))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Checking
// ---------------------------------------------------------------------------------------------

/// One round of checking a finding.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Id.
    pub id: i64,
    /// Finding.
    pub finding_id: i64,
    /// Unit asked to check.
    pub org_id: OrgId,
    /// Its name.
    pub org_name: String,
    /// Round (1, 2 after a return, …).
    pub round: i64,
    /// What the commission asked.
    pub request_note: String,
    /// Who sent it.
    pub sent_by_name: String,
    /// When.
    pub sent_at: String,
    /// Due date 'YYYY-MM-DD' (empty while pending, 待定).
    pub due_date: String,
    /// Answer code, once answered.
    pub answer: Option<String>,
    /// The unit's explanation.
    pub answer_note: String,
    /// Who answered.
    pub answered_by_name: String,
    /// When.
    pub answered_at: Option<String>,
    /// Review: "accepted" or "returned".
    pub review: Option<String>,
    /// Review note.
    pub review_note: String,
    /// Reviewer.
    pub reviewed_by_name: String,
    /// When.
    pub reviewed_at: Option<String>,
}

impl Check {
    /// The due date as shown: the date or 「待定」.
    pub fn due_display(&self) -> &str {
        if self.due_date.is_empty() {
            crate::deadline::PENDING_LABEL
        } else {
            &self.due_date
        }
    }
    /// Chinese label of the answer.
    pub fn answer_label(&self) -> &'static str {
        self.answer
            .as_deref()
            .and_then(Answer::parse)
            .map_or("待反馈", Answer::label)
    }
    /// Chinese label of the review.
    pub fn review_label(&self) -> &'static str {
        match self.review.as_deref() {
            Some("accepted") => "认定",
            Some("returned") => "退回重新核查",
            _ => "",
        }
    }
}

const CHECK_COLS: &str = concat!(
    "k.id, k.finding_id, k.org_id, ",
    org_display!("o"),
    " AS org_name, k.round, k.request_note, COALESCE(s.display_name, '') AS sent_by_name, \
    k.sent_at, COALESCE(dl.due_date, k.due_date) AS due_date, k.answer, k.answer_note, COALESCE(a.display_name, '') AS answered_by_name, k.answered_at, k.review, k.review_note, \
    COALESCE(r.display_name, '') AS reviewed_by_name, k.reviewed_at"
);

const CHECK_FROM: &str = " FROM ds_check k JOIN org o ON o.id = k.org_id LEFT JOIN deadline dl ON dl.id = k.deadline_id LEFT JOIN app_user s ON s.id = k.sent_by \
    LEFT JOIN app_user a ON a.id = k.answered_by LEFT JOIN app_user r ON r.id = k.reviewed_by";

fn check_from_row(r: &sqlx::any::AnyRow) -> StoreResult<Check> {
    Ok(Check {
        id: r.try_get("id")?,
        finding_id: r.try_get("finding_id")?,
        org_id: r.try_get("org_id")?,
        org_name: r.try_get("org_name")?,
        round: r.try_get("round")?,
        request_note: r.try_get("request_note")?,
        sent_by_name: r.try_get("sent_by_name")?,
        sent_at: r.try_get("sent_at")?,
        due_date: r.try_get("due_date")?,
        answer: r.try_get("answer")?,
        answer_note: r.try_get("answer_note")?,
        answered_by_name: r.try_get("answered_by_name")?,
        answered_at: r.try_get("answered_at")?,
        review: r.try_get("review")?,
        review_note: r.try_get("review_note")?,
        reviewed_by_name: r.try_get("reviewed_by_name")?,
        reviewed_at: r.try_get("reviewed_at")?,
    })
}

/// The checking rounds of a finding, oldest first (the caller has checked the finding's scope).
pub async fn checks_of(db: &Db, finding_id: i64) -> StoreResult<Vec<Check>> {
    let sql = format!("SELECT {CHECK_COLS}{CHECK_FROM} WHERE k.finding_id = $1 ORDER BY k.round, k.id");
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(finding_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(check_from_row).collect()
}

/// Sending a finding to a unit for checking.
#[derive(Debug, Clone)]
pub struct Dispatch {
    /// Finding.
    pub finding_id: i64,
    /// Unit that must check.
    pub org_id: OrgId,
    /// What to check (shown to the unit).
    pub note: String,
    /// Day 0 of the period.
    pub start: NaiveDate,
    /// Due date (computed with the calendar and the `finding_check` rule, or chosen), or
    /// pending (待定) while the calendar lacks the year it runs into.
    pub due: Due,
}

/// The finding's row locked and read inside the caller's scope (see [`workflow::lock_state`]):
/// its state and the unit it was sent to. Out of scope looks exactly like missing.
async fn lock_finding(tx: &mut Tx, scope: &Scope, id: i64) -> StoreResult<(FindingState, Option<OrgId>)> {
    let state: FindingState = workflow::lock_state(tx, "ds_finding", id)
        .await?
        .ok_or(StoreError::NotFound("疑点"))?;
    let mut q = Query::new(&format!("SELECT f.check_org_id{FINDING_FROM} AND f.id = "));
    q.bind_int(id);
    push_finding_scope(scope, &mut q);
    let row = q
        .build()
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("疑点"))?;
    Ok((state, row.try_get(0)?))
}

/// The notification that tells whoever acts next which item waits: 「疑点 #440 …」.
fn notice(finding_id: i64, title: &str, body: String) -> Option<(String, String, String)> {
    Some((
        format!("{title}：疑点 #{finding_id}"),
        body,
        format!("/ds/findings/{finding_id}"),
    ))
}

/// Opens a checking round (first dispatch or a return) through the workflow table.
async fn open_check(
    tx: &mut Tx,
    d: &Dispatch,
    current: FindingState,
    action: FindingAction,
    round: i64,
    by: &Performer<'_>,
) -> StoreResult<i64> {
    workflow::check(&FINDING_WORKFLOW, current, action, by)?;
    if d.due.date().is_some_and(|due| due < d.start) {
        return Err(StoreError::invalid(
            "due_date",
            if round == 1 {
                "核查期限不能早于派发日期"
            } else {
                "核查期限不能早于退回日期"
            },
        ));
    }
    let title = finding_title(tx, d.finding_id).await?;
    let check_id: i64 = sqlx::query(
        "INSERT INTO ds_check (finding_id, org_id, round, request_note, sent_by, sent_at, due_date) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(d.finding_id)
    .bind(d.org_id)
    .bind(round)
    .bind(d.note.trim())
    .bind(by.user_id)
    .bind(crate::time::now())
    .bind(d.due.date().map(|x| x.format("%Y-%m-%d").to_string()).unwrap_or_default())
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    let link = format!("/ds/findings/{}", d.finding_id);
    let body = match d.due {
        Due::On(due) => format!("{title}，请于{}前反馈核查结果。", due.format("%Y年%m月%d日")),
        Due::Pending { year, .. } => {
            format!("{title}。核查期限跨入{year}年，该年节假日安排录入后系统将计算期限并另行通知，请先行核查。")
        }
    };
    let applied = workflow::apply(
        tx,
        &FINDING_WORKFLOW,
        "ds_finding",
        d.finding_id,
        current,
        Step {
            action,
            note: &d.note,
            detail: format!("核查#{check_id}，{}，期限{}", round_label(round), due_text(d.due)),
            open: Some(NewDeadline {
                module: DEADLINE_MODULE.into(),
                object_type: "finding_check".into(),
                object_id: check_id.to_string(),
                org_id: d.org_id,
                owner_user_id: None,
                title: title.clone(),
                rule_id: CHECK_RULE.into(),
                start_date: d.start,
                due: d.due,
                link: link.clone(),
                notify_permission: String::new(),
            }),
            close: None,
            next_org: Some(d.org_id),
            next_users: Vec::new(),
            notice: notice(
                d.finding_id,
                if round == 1 {
                    "收到疑点核查任务"
                } else {
                    "疑点被退回重新核查"
                },
                if round == 1 {
                    body
                } else {
                    format!("{body}退回说明：{}", d.note.trim())
                },
            ),
        },
        by,
    )
    .await?;
    sqlx::query("UPDATE ds_check SET deadline_id = $1 WHERE id = $2")
        .bind(applied.deadline_id)
        .bind(check_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE ds_finding SET check_org_id = $1 WHERE id = $2")
        .bind(d.org_id)
        .bind(d.finding_id)
        .execute(&mut **tx)
        .await?;
    Ok(check_id)
}

fn round_label(round: i64) -> String {
    if round == 1 {
        "首次派发".into()
    } else {
        format!("第{round}轮核查")
    }
}

/// A due date for audit details and messages: the date, or 待定 with the missing year.
pub fn due_text(due: Due) -> String {
    match due {
        Due::On(d) => d.to_string(),
        Due::Pending { year, .. } => format!("待定（待录入{year}年日历）"),
    }
}

/// Sends a new finding to a unit for checking, with a tracked deadline; notifies the unit.
pub async fn dispatch(tx: &mut Tx, scope: &Scope, d: &Dispatch, by: &Performer<'_>) -> StoreResult<i64> {
    let (state, _) = lock_finding(tx, scope, d.finding_id).await?;
    workflow::check(&FINDING_WORKFLOW, state, FindingAction::Dispatch, by)?;
    let org_exists: i64 = sqlx::query("SELECT COUNT(*) FROM org WHERE id = $1 AND active = 1")
        .bind(d.org_id)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    if org_exists == 0 {
        return Err(StoreError::invalid("org_id", "核查单位不存在或已停用"));
    }
    open_check(tx, d, state, FindingAction::Dispatch, 1, by).await
}

async fn finding_title(tx: &mut Tx, id: i64) -> StoreResult<String> {
    let r = sqlx::query("SELECT model_title, subject, period FROM ds_finding WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    let (title, subject, period): (String, String, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
    let masked = mask_subject(&subject);
    Ok(if period.is_empty() {
        format!("疑点核查：{title}（{masked}）")
    } else {
        format!("疑点核查：{title}（{masked}，{period}）")
    })
}

/// A subject key as shown in titles and notifications: an 18-character ID number keeps its
/// first 6 and last 4 characters, anything else is shown as is.
pub fn mask_subject(subject: &str) -> String {
    let chars: Vec<char> = subject.chars().collect();
    if chars.len() == 18 && chars[..17].iter().all(char::is_ascii_digit) && !subject.starts_with('9') {
        format!(
            "{}********{}",
            chars[..6].iter().collect::<String>(),
            chars[14..].iter().collect::<String>()
        )
    } else {
        subject.to_string()
    }
}

/// The open check of a finding (not yet answered), if any.
async fn open_check_of(tx: &mut Tx, finding_id: i64) -> StoreResult<Option<(i64, OrgId, i64, Option<i64>)>> {
    let row = sqlx::query(
        "SELECT id, org_id, round, deadline_id FROM ds_check WHERE finding_id = $1 AND answer IS NULL ORDER BY id DESC",
    )
    .bind(finding_id)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .transpose()
}

/// The unit's answer to the open check of a finding. The caller's scope must contain the
/// unit the finding was sent to. Closes the deadline and tells the dispatching office.
pub async fn answer(
    tx: &mut Tx,
    scope: &Scope,
    finding_id: i64,
    answer: Answer,
    note: &str,
    by: &Performer<'_>,
) -> StoreResult<i64> {
    let (state, _) = lock_finding(tx, scope, finding_id).await?;
    workflow::check(&FINDING_WORKFLOW, state, FindingAction::Answer, by)?;
    let (check_id, org_id, _, deadline_id) = open_check_of(tx, finding_id)
        .await?
        .ok_or_else(|| StoreError::conflict("status", "该疑点没有待反馈的核查"))?;
    // The clerk who sent the check is told first, wherever in the commission they sit.
    let sent_by: Option<i64> = sqlx::query("SELECT sent_by FROM ds_check WHERE id = $1")
        .bind(check_id)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    let org_path: String = sqlx::query("SELECT path FROM org WHERE id = $1")
        .bind(org_id)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    if !scope.contains_path(&org_path) {
        return Err(StoreError::NotFound("疑点"));
    }
    if note.trim().is_empty() {
        return Err(StoreError::invalid("answer_note", "请填写核查情况说明"));
    }
    sqlx::query("UPDATE ds_check SET answer = $1, answer_note = $2, answered_by = $3, answered_at = $4 WHERE id = $5")
        .bind(answer.as_str())
        .bind(note.trim())
        .bind(by.user_id)
        .bind(crate::time::now())
        .bind(check_id)
        .execute(&mut **tx)
        .await?;
    let (owner_org, unit_name): (OrgId, String) = {
        let r = sqlx::query("SELECT f.org_id, o.name FROM ds_finding f JOIN org o ON o.id = $2 WHERE f.id = $1")
            .bind(finding_id)
            .bind(org_id)
            .fetch_one(&mut **tx)
            .await?;
        (r.try_get(0)?, r.try_get(1)?)
    };
    let title = finding_title(tx, finding_id).await?;
    workflow::apply(
        tx,
        &FINDING_WORKFLOW,
        "ds_finding",
        finding_id,
        state,
        Step {
            action: FindingAction::Answer,
            note,
            detail: format!("核查#{check_id}：{}", answer.label()),
            open: None,
            close: deadline_id,
            next_org: Some(owner_org),
            next_users: sent_by.into_iter().collect(),
            notice: notice(
                finding_id,
                "疑点核查结果待复核",
                format!("{unit_name}已反馈{title}的核查结果：{}，请复核。", answer.label()),
            ),
        },
        by,
    )
    .await?;
    Ok(check_id)
}

/// The commission's review of an answered finding.
#[derive(Debug, Clone)]
pub enum Review {
    /// Accept the unit's answer: the finding becomes 属实 / 部分属实 / 不属实.
    Accept,
    /// Send it back for another round of checking with a new period.
    Return {
        /// Day 0 of the new period.
        start: NaiveDate,
        /// New due date (or pending, 待定).
        due: Due,
    },
}

/// Reviews the latest answer of a finding.
pub async fn review(
    tx: &mut Tx,
    scope: &Scope,
    finding_id: i64,
    review: &Review,
    note: &str,
    by: &Performer<'_>,
) -> StoreResult<()> {
    let (state, check_org) = lock_finding(tx, scope, finding_id).await?;
    // The permission and state are the same for every review action; checked before reading.
    workflow::check(&FINDING_WORKFLOW, state, FindingAction::Return, by)?;
    let r = sqlx::query(
        "SELECT id, answer, round, request_note FROM ds_check WHERE finding_id = $1 AND answer IS NOT NULL AND review IS NULL ORDER BY id DESC",
    )
    .bind(finding_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| StoreError::conflict("status", "没有待复核的核查反馈"))?;
    let check_id: i64 = r.try_get(0)?;
    let answer_code: String = r.try_get(1)?;
    let round: i64 = r.try_get(2)?;
    let request_note: String = r.try_get(3)?;
    let answer = Answer::parse(&answer_code).ok_or_else(|| StoreError::Internal("bad answer code".into()))?;
    let code = match review {
        Review::Accept => "accepted",
        Review::Return { .. } => "returned",
    };
    if let Review::Return { start, due } = review {
        if note.trim().is_empty() {
            return Err(StoreError::invalid(
                "review_note",
                "退回重新核查时请写明需要补充核查的内容",
            ));
        }
        // Checked before anything is written: a refused review leaves the answer unreviewed.
        if due.date().is_some_and(|due| due < *start) {
            return Err(StoreError::invalid("due_date", "核查期限不能早于退回日期"));
        }
    }
    sqlx::query("UPDATE ds_check SET review = $1, review_note = $2, reviewed_by = $3, reviewed_at = $4 WHERE id = $5")
        .bind(code)
        .bind(note.trim())
        .bind(by.user_id)
        .bind(crate::time::now())
        .bind(check_id)
        .execute(&mut **tx)
        .await?;
    match review {
        Review::Accept => {
            close(
                tx,
                finding_id,
                state,
                answer.accept_action(),
                note,
                format!("核查#{check_id}"),
                by,
            )
            .await?;
        }
        Review::Return { start, due } => {
            let org_id = check_org.ok_or_else(|| StoreError::Internal("answered finding without unit".into()))?;
            let note = if note.trim().is_empty() {
                request_note
            } else {
                note.trim().to_string()
            };
            open_check(
                tx,
                &Dispatch {
                    finding_id,
                    org_id,
                    note,
                    start: *start,
                    due: *due,
                },
                state,
                FindingAction::Return,
                round + 1,
                by,
            )
            .await?;
        }
    }
    Ok(())
}

/// Excludes a finding that has not been sent (e.g. an obvious data error), with a reason.
pub async fn dismiss(tx: &mut Tx, scope: &Scope, finding_id: i64, note: &str, by: &Performer<'_>) -> StoreResult<()> {
    let (state, _) = lock_finding(tx, scope, finding_id).await?;
    workflow::check(&FINDING_WORKFLOW, state, FindingAction::Exclude, by)?;
    if note.trim().is_empty() {
        return Err(StoreError::invalid("close_note", "请填写排除理由"));
    }
    close(tx, finding_id, state, FindingAction::Exclude, note, String::new(), by).await
}

/// A final decision (accepting an answer, excluding): the transition and its note.
async fn close(
    tx: &mut Tx,
    finding_id: i64,
    state: FindingState,
    action: FindingAction,
    note: &str,
    detail: String,
    by: &Performer<'_>,
) -> StoreResult<()> {
    workflow::apply(
        tx,
        &FINDING_WORKFLOW,
        "ds_finding",
        finding_id,
        state,
        Step {
            action,
            note,
            detail,
            open: None,
            close: None,
            next_org: None,
            next_users: Vec::new(),
            notice: None,
        },
        by,
    )
    .await?;
    sqlx::query("UPDATE ds_finding SET close_note = $1 WHERE id = $2")
        .bind(note.trim())
        .bind(finding_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records that a confirmed finding became a clue (called by the clue module).
pub async fn link_clue(tx: &mut Tx, scope: &Scope, finding_id: i64, clue_id: i64) -> StoreResult<()> {
    let (state, _) = lock_finding(tx, scope, finding_id).await?;
    if !matches!(state, FindingState::Confirmed | FindingState::PartlyConfirmed) {
        return Err(StoreError::conflict(
            "status",
            "只有核查属实或部分属实的疑点可以转为问题线索",
        ));
    }
    let n = sqlx::query("UPDATE ds_finding SET clue_id = $1, updated_at = $2 WHERE id = $3 AND clue_id IS NULL")
        .bind(clue_id)
        .bind(crate::time::now())
        .bind(finding_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::conflict("clue_id", "该疑点已转为问题线索"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_are_masked_in_titles_but_credit_codes_are_not() {
        assert_eq!(mask_subject("11010519491231002X"), "110105********002X");
        assert_eq!(mask_subject("91512081MA62K0260E"), "91512081MA62K0260E");
        assert_eq!(mask_subject("户0001"), "户0001");
    }

    #[test]
    fn answers_map_to_final_statuses() {
        assert_eq!(Answer::True.confirmed_status(), finding_status::CONFIRMED);
        assert_eq!(Answer::Partly.confirmed_status(), finding_status::PARTLY_CONFIRMED);
        assert_eq!(Answer::False.confirmed_status(), finding_status::DISMISSED);
        for a in [Answer::True, Answer::Partly, Answer::False] {
            assert_eq!(Answer::parse(a.as_str()), Some(a));
        }
        assert_eq!(Answer::parse("yes"), None);
    }

    /// The stored status codes are the workflow table's states.
    #[test]
    fn status_codes_are_the_workflow_states() {
        use qinglian_domain::workflow::State;
        let codes: Vec<&str> = FindingState::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(codes, finding_status::ALL);
        for s in FindingState::ALL {
            assert_eq!(finding_status::label(s.code()), s.label());
        }
        for a in [Answer::True, Answer::Partly, Answer::False] {
            let t = FINDING_WORKFLOW
                .find(FindingState::Answered, a.accept_action())
                .unwrap();
            assert_eq!(t.to.code(), a.confirmed_status());
        }
    }
}
