//! Background jobs: dataset imports and model runs.

use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

use super::JobId;
use crate::error::{StoreError, StoreResult};
use crate::org::OrgId;
use crate::sql::{Page, Query, fetch_page};
use crate::user::UserId;
use crate::{Db, Scope, Tx};

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
    pub id: JobId,
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

pub(super) const JOB_COLS: &str = "j.id, j.kind, j.status, j.title, j.params_json, j.org_id, j.created_by, COALESCE(u.display_name, '') AS created_by_name, j.done_steps, j.total_steps, j.rows_processed, j.current_step, j.message, j.result_json, j.attempts, j.cancel_requested, j.created_at, j.started_at, j.finished_at";

pub(super) fn job_from_row(r: &sqlx::any::AnyRow) -> StoreResult<Job> {
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
pub async fn create_job(tx: &mut Tx, j: &NewJob) -> StoreResult<JobId> {
    let id: JobId = sqlx::query(
        "INSERT INTO data_supervision_job (kind, status, title, params_json, org_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
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
pub async fn job_unscoped(db: &Db, id: JobId) -> StoreResult<Job> {
    let sql = format!(
        "SELECT {JOB_COLS} FROM data_supervision_job j LEFT JOIN app_user u ON u.id = j.created_by WHERE j.id = $1"
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("任务"))?;
    job_from_row(&row)
}

/// One job, if its org is in the scope.
pub async fn get_job(db: &Db, scope: &Scope, id: JobId) -> StoreResult<Job> {
    let mut q = Query::new(&format!(
        "SELECT {JOB_COLS} FROM data_supervision_job j LEFT JOIN app_user u ON u.id = j.created_by JOIN org o ON o.id = j.org_id WHERE j.id = "
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
            "SELECT {cols} FROM data_supervision_job j LEFT JOIN app_user u ON u.id = j.created_by JOIN org o ON o.id = j.org_id WHERE 1 = 1"
        ));
        if let Some(k) = kind {
            q.push(" AND j.kind = ");
            q.bind_text(k.as_str());
        }
        scope.push_filter(&mut q, "o.path");
        q
    };
    fetch_page(
        db,
        build("COUNT(*)"),
        build(JOB_COLS),
        " ORDER BY j.id DESC",
        page,
        per_page,
        job_from_row,
    )
    .await
}

/// Takes the oldest queued job and marks it running (one worker wins when several race).
pub async fn claim_next_job(db: &Db) -> StoreResult<Option<Job>> {
    let mut tx = db.begin().await?;
    let id: Option<JobId> = sqlx::query("SELECT MIN(id) FROM data_supervision_job WHERE status = $1")
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
pub async fn claim_job(db: &Db, id: JobId) -> StoreResult<Option<Job>> {
    let tx = db.begin().await?;
    claim_in(db, tx, id).await
}

pub(super) async fn claim_in(db: &Db, mut tx: Tx, id: JobId) -> StoreResult<Option<Job>> {
    let claimed = sqlx::query(
        "UPDATE data_supervision_job SET status = $1, attempts = attempts + 1, started_at = $2, done_steps = 0, rows_processed = 0, current_step = '' \
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
    id: JobId,
    done_steps: i64,
    total_steps: i64,
    rows_processed: i64,
    current_step: &str,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE data_supervision_job SET done_steps = $1, total_steps = $2, rows_processed = $3, current_step = $4 WHERE id = $5 AND status = $6",
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
pub async fn finish_job(tx: &mut Tx, id: JobId, status: &str, message: &str, result_json: &str) -> StoreResult<()> {
    sqlx::query(
        "UPDATE data_supervision_job SET status = $1, message = $2, result_json = $3, finished_at = $4, current_step = '' WHERE id = $5",
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
pub async fn request_cancel(tx: &mut Tx, scope: &Scope, id: JobId) -> StoreResult<()> {
    let mut q = Query::new("SELECT j.status FROM data_supervision_job j JOIN org o ON o.id = j.org_id WHERE j.id = ");
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
                "UPDATE data_supervision_job SET status = $1, cancel_requested = 1, message = $2, finished_at = $3 WHERE id = $4",
            )
            .bind(job_status::CANCELLED)
            .bind("任务在开始前已取消")
            .bind(crate::time::now())
            .bind(id)
            .execute(&mut **tx)
            .await?;
        }
        job_status::RUNNING => {
            sqlx::query("UPDATE data_supervision_job SET cancel_requested = 1 WHERE id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
        _ => return Err(StoreError::conflict("status", "任务已结束，无需取消")),
    }
    Ok(())
}

/// True if a user asked to cancel the job.
pub async fn cancel_requested(db: &Db, id: JobId) -> StoreResult<bool> {
    let v: Option<i64> = sqlx::query("SELECT cancel_requested FROM data_supervision_job WHERE id = $1")
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
        sqlx::query("UPDATE data_supervision_job SET status = $1, current_step = $2 WHERE status = $3")
            .bind(job_status::QUEUED)
            .bind("服务重启，等待重新运行")
            .bind(job_status::RUNNING)
            .execute(db.pool())
            .await?
            .rows_affected(),
    )
}
