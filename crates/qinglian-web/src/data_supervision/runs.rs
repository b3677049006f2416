//! Data-supervision pages: import and run jobs with live progress.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use qinglian_store::audit::Event;
use qinglian_store::data_supervision::{self as sv, Job, JobKind};

use super::jobs::{ImportResult, RunResult};
use super::*;
use crate::App;
use crate::auth::Ctx;
use crate::error::{AppError, PageResult};
use crate::list::{self, ListParams, ListSpec, ListView, html};
use crate::templates::Chrome;
use crate::ui::xlsx::{XLSX, download};
use crate::ui::{page, redirect};

// ---------------------------------------------------------------------------------------------
// Jobs
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "data_supervision/jobs.html")]
pub(super) struct JobsPage {
    chrome: Chrome,
    list: ListView,
}

/// Job list.
pub async fn jobs(State(app): State<App>, ctx: Ctx, Query(lp): Query<ListParams>) -> PageResult {
    ctx.require(PERM_RULES)?;
    let (pg, per) = lp.paging(JOB_LIST.per_page);
    let data = sv::list_jobs(&app.db, ctx.scope(), None, pg, per).await?;
    Ok(page(&JobsPage {
        chrome: chrome(&app, &ctx, "运行记录", SECTION, &[("运行记录", "")]).await,
        list: JOB_LIST.view(&data, &[], &lp, false),
    }))
}

/// The imports and model runs in the scope, newest first.
pub(super) static JOB_LIST: ListSpec<Job> = ListSpec {
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
    paged: true,
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
#[template(path = "data_supervision/job.html")]
pub(super) struct JobPage {
    chrome: Chrome,
    v: JobView,
    can_cancel: bool,
}

#[derive(Template)]
#[template(path = "data_supervision/job_progress.html")]
pub(super) struct JobProgress {
    v: JobView,
}

/// One job with live progress.
pub async fn job(State(app): State<App>, ctx: Ctx, Path(id): Path<sv::JobId>) -> PageResult {
    ctx.require(PERM_RULES)?;
    let job = sv::get_job(&app.db, ctx.scope(), id).await?;
    let can_cancel =
        !job.finished() && (ctx.principal.can(PERM_RUN) || ctx.principal.can(PERM_DATASET)) && !job.cancel_requested;
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
pub async fn job_progress(State(app): State<App>, ctx: Ctx, Path(id): Path<sv::JobId>) -> PageResult {
    ctx.require(PERM_RULES)?;
    let job = sv::get_job(&app.db, ctx.scope(), id).await?;
    Ok(page(&JobProgress { v: JobView::new(job) }))
}

/// Asks a job to stop.
pub async fn job_cancel(State(app): State<App>, ctx: Ctx, headers: HeaderMap, Path(id): Path<sv::JobId>) -> PageResult {
    if !(ctx.principal.can(PERM_RUN) || ctx.principal.can(PERM_DATASET)) {
        return Err(AppError::Forbidden.into());
    }
    let mut tx = app.db.begin().await?;
    sv::request_cancel(&mut tx, ctx.scope(), id).await?;
    crate::services::audit::write(
        &app,
        &ctx,
        &mut tx,
        Event::success("data_supervision.job_cancel", "data_supervision_job", id, String::new()),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect(&headers, &format!("/ds/jobs/{id}")))
}

/// The problem report of an import job.
pub async fn job_report(State(app): State<App>, ctx: Ctx, Path(id): Path<sv::JobId>) -> PageResult {
    ctx.require(PERM_RULES)?;
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
