//! Data supervision in the JSON API: findings, their evidence and checks, model runs, jobs.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use qinglian_store::data_supervision::{self as sv, FindingFilter};
use qinglian_store::permission as perm;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::*;
use crate::App;
use crate::auth::Ctx;
use crate::data_supervision::jobs::{Requester, RunParams};
use crate::error::{ApiResult, AppError};

/// A finding as the API returns it.
#[derive(Serialize, ToSchema)]
pub struct FindingDto {
    /// Id.
    pub id: i64,
    /// Model id.
    pub model: String,
    /// Model version it came from.
    pub model_version: i64,
    /// Model title.
    pub model_title: String,
    /// person | household | enterprise | tender | budget_item.
    pub subject_kind: String,
    /// Subject key.
    pub subject: String,
    /// 'YYYY-MM' or ''.
    pub period: String,
    /// high | medium | low.
    pub severity: String,
    /// Chinese explanation.
    pub explanation: String,
    /// new | checking | answered | confirmed | partly_confirmed | dismissed.
    pub status: String,
    /// Unit sent to for checking.
    pub check_org_id: Option<i64>,
    /// Due date of the open check.
    pub due_date: Option<String>,
    /// Dataset versions it came from.
    #[schema(value_type = Object)]
    pub dataset_versions: serde_json::Value,
    /// Evidence rows (only in the single-finding response).
    #[schema(value_type = Option<Vec<Object>>)]
    pub evidence: Option<serde_json::Value>,
}

impl FindingDto {
    fn from(f: sv::Finding, with_evidence: bool) -> FindingDto {
        FindingDto {
            evidence: with_evidence.then(|| serde_json::from_str(&f.evidence_json).unwrap_or_default()),
            dataset_versions: serde_json::from_str(&f.dataset_versions).unwrap_or_default(),
            id: f.id.0,
            model: f.model,
            model_version: f.model_version,
            model_title: f.model_title,
            subject_kind: f.subject_kind,
            subject: f.subject,
            period: f.period,
            severity: f.severity,
            explanation: f.explanation,
            status: f.status,
            check_org_id: f.check_org_id.map(|o| o.0),
            due_date: f.due_date,
        }
    }
}

/// A page of findings.
#[derive(Serialize, ToSchema)]
pub struct FindingPage {
    /// Rows.
    pub items: Vec<FindingDto>,
    /// Total matching.
    pub total: i64,
    /// Page.
    pub page: i64,
    /// Per page.
    pub per_page: i64,
}

/// Findings query.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FindingListQuery {
    /// Model id.
    pub model: Option<String>,
    /// Status code.
    pub status: Option<String>,
    /// Severity code.
    pub severity: Option<String>,
    /// Text in subject, period or explanation.
    pub q: Option<String>,
    /// Page (from 1).
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<i64>,
    /// Rows per page (1–200, default 20).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// Findings in the caller's scope.
#[utoipa::path(get, path = "/api/v1/ds/findings", params(FindingListQuery), responses((status = 200, body = FindingPage), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)), tag = "data_supervision", security(("bearer" = [])))]
pub async fn findings(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<FindingListQuery>,
) -> ApiResult<Json<FindingPage>> {
    ctx.require(PERM_READ)?;
    let (page, per) = crate::api::paging(q.page, q.per_page)?;
    let f = FindingFilter {
        model: q.model,
        status: q.status,
        severity: q.severity,
        q: q.q,
        ..Default::default()
    };
    let p = sv::list_findings(&app.db, ctx.scope(), &f, page, per).await?;
    Ok(Json(FindingPage {
        items: p
            .items
            .into_iter()
            .map(|f| FindingDto::from(f.shown(ctx.principal.can(perm::PERSON_SENSITIVE)), false))
            .collect(),
        total: p.total,
        page: p.page,
        per_page: p.per_page,
    }))
}

/// One finding with its evidence rows.
#[utoipa::path(get, path = "/api/v1/ds/findings/{id}", params(("id" = i64, Path)), responses((status = 200, body = FindingDto), (status = 404, body = crate::error::ErrorBody)), tag = "data_supervision", security(("bearer" = [])))]
pub async fn finding(State(app): State<App>, ctx: Ctx, Path(id): Path<sv::FindingId>) -> ApiResult<Json<FindingDto>> {
    ctx.require(PERM_READ)?;
    Ok(Json(FindingDto::from(
        sv::get_finding(&app.db, ctx.scope(), id)
            .await?
            .shown(ctx.principal.can(perm::PERSON_SENSITIVE)),
        true,
    )))
}

/// A run request.
#[derive(Deserialize, ToSchema)]
pub struct RunRequest {
    /// Model ids: built-in ids (the 14 comparison models and `redflags`, the procurement red
    /// flags) or `custom:CODE`.
    pub models: Vec<String>,
    /// Parameter overrides: model id → {name: value}.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub params: std::collections::BTreeMap<String, qinglian_analytics::model::ParamOverrides>,
    /// Dataset versions to use (others: newest).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub versions: std::collections::BTreeMap<String, u32>,
}

/// A queued or finished job.
#[derive(Serialize, ToSchema)]
pub struct JobDto {
    /// Id.
    pub id: i64,
    /// import | run.
    pub kind: String,
    /// queued | running | done | failed | cancelled.
    pub status: String,
    /// Title.
    pub title: String,
    /// Percent done.
    pub percent: i64,
    /// Rows processed.
    pub rows_processed: i64,
    /// Current step.
    pub current_step: String,
    /// Message.
    pub message: String,
    /// Result (kind-specific).
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
}

impl From<sv::Job> for JobDto {
    fn from(j: sv::Job) -> Self {
        JobDto {
            percent: j.percent(),
            result: serde_json::from_str(&j.result_json).ok(),
            id: j.id.0,
            kind: j.kind,
            status: j.status,
            title: j.title,
            rows_processed: j.rows_processed,
            current_step: j.current_step,
            message: j.message,
        }
    }
}

/// Queue a model run; poll the job for progress.
#[utoipa::path(post, path = "/api/v1/ds/runs", request_body = RunRequest, responses((status = 202, body = JobDto), (status = 422, body = crate::error::ErrorBody)), tag = "data_supervision", security(("bearer" = [])))]
pub async fn run(
    State(app): State<App>,
    ctx: Ctx,
    body: Result<Json<RunRequest>, JsonRejection>,
) -> ApiResult<(axum::http::StatusCode, Json<JobDto>)> {
    ctx.require(PERM_RUN)?;
    let Ok(Json(req)) = body else {
        return Err(AppError::BadRequest("请求体应为JSON：{\"models\":[…]}".into()).into());
    };
    let params = RunParams {
        models: req.models,
        params: req.params,
        versions: req.versions,
    };
    let id = crate::data_supervision::jobs::queue_run(&app, &Requester::of(&ctx)?, params).await?;
    let job = sv::get_job(&app.db, ctx.scope(), id).await?;
    Ok((axum::http::StatusCode::ACCEPTED, Json(job.into())))
}

/// One job with its progress.
#[utoipa::path(get, path = "/api/v1/ds/jobs/{id}", params(("id" = i64, Path)), responses((status = 200, body = JobDto), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)), tag = "data_supervision", security(("bearer" = [])))]
pub async fn job(State(app): State<App>, ctx: Ctx, Path(id): Path<sv::JobId>) -> ApiResult<Json<JobDto>> {
    ctx.require(PERM_RULES)?;
    Ok(Json(sv::get_job(&app.db, ctx.scope(), id).await?.into()))
}

/// The module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(findings, finding, run, job),
    tags((name = "data_supervision", description = "大数据监督"))
)]
struct Doc;

/// The module's paths and schemas, merged into `/api/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    <Doc as utoipa::OpenApi>::openapi()
}
