//! Clues in the JSON API: the scoped registry, one clue, registration (by hand, or carried over
//! from a report or a confirmed finding by its id) and the disposition steps of the workflow
//! table.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use qinglian_domain::workflow::State as _;
use qinglian_store::audit::Event;
use qinglian_store::clue::{self, Clue, ClueFilter, ClueId};
use qinglian_store::data_supervision::FindingId;
use qinglian_store::report::ReportId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::pages::{ClueFields, action_of, finding_to_clue, register, report_to_clue, take_step};
use super::*;
use crate::App;
use crate::auth::Ctx;
use crate::error::{ApiResult, AppError, ErrorBody};

/// A clue's subject.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectDto {
    /// Name.
    pub name: String,
    /// Unit.
    pub org: String,
    /// Post.
    pub post: String,
    /// Level.
    pub level: String,
    /// The roster person, when linked.
    pub person_id: Option<i64>,
}

/// A clue.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClueDto {
    /// Id.
    pub id: i64,
    /// Source code (report, inspection, audit, data_supervision, higher_assigned,
    /// routine_supervision, referral, other).
    pub source: String,
    /// The source's reference.
    pub source_ref: String,
    /// The report it came from.
    pub report_id: Option<i64>,
    /// The finding it came from.
    pub finding_id: Option<i64>,
    /// Subject.
    pub subject: SubjectDto,
    /// 问题类别.
    pub category: String,
    /// Title.
    pub title: String,
    /// The matter (only on the one-clue read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matter: Option<String>,
    /// Received (YYYY-MM-DD).
    pub received_on: String,
    /// State code.
    pub status: String,
    /// State in Chinese.
    pub status_label: String,
    /// Due date of the open limit (YYYY-MM-DD; "" while 待定), null when none.
    pub due: Option<String>,
}

fn dto(c: Clue, with_matter: bool) -> ClueDto {
    ClueDto {
        id: c.id.0,
        status_label: c.status_label().into(),
        source: c.source.clone(),
        source_ref: c.source_ref.clone(),
        report_id: c.report_id.map(|r| r.0),
        finding_id: c.finding_id.map(|f| f.0),
        subject: SubjectDto {
            name: c.subject.name,
            org: c.subject.org,
            post: c.subject.post,
            level: c.subject.level,
            person_id: c.person_id.map(|p| p.0),
        },
        category: c.category,
        title: c.title,
        matter: with_matter.then_some(c.matter),
        received_on: c.received_on,
        status: c.status,
        due: c.due_date,
    }
}

/// Registry query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClueListQuery {
    /// State code(s), comma-separated.
    pub status: Option<String>,
    /// Source code(s), comma-separated.
    pub source: Option<String>,
    /// Subject name or unit, or the clue's number.
    pub q: Option<String>,
    /// Page (from 1).
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<i64>,
    /// Rows per page (1–200).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// A page of clues.
#[derive(Debug, Serialize, ToSchema)]
pub struct CluePage {
    /// Rows.
    pub items: Vec<ClueDto>,
    /// Total.
    pub total: i64,
    /// Page.
    pub page: i64,
    /// Page size.
    pub per_page: i64,
}

/// Clues in the caller's scope (shelved and closed ones only with `clue.restricted`).
#[utoipa::path(get, path = "/api/v1/clues", params(ClueListQuery),
    responses((status = 200, body = CluePage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    tag = "clue", security(("bearer" = [])))]
pub async fn list(State(app): State<App>, ctx: Ctx, Query(q): Query<ClueListQuery>) -> ApiResult<Json<CluePage>> {
    ctx.require(PERM_READ)?;
    let (page, per) = crate::api::paging(q.page, q.per_page)?;
    let f = ClueFilter {
        status: q.status,
        source: q.source,
        q: q.q,
        ..Default::default()
    };
    let p = clue::list(
        &app.db,
        &app.keys,
        ctx.scope(),
        restricted(&ctx),
        &f,
        "received",
        true,
        page,
        per,
    )
    .await?;
    Ok(Json(CluePage {
        items: p.items.into_iter().map(|c| dto(c, false)).collect(),
        total: p.total,
        page: p.page,
        per_page: p.per_page,
    }))
}

/// One clue with its matter (audited).
#[utoipa::path(get, path = "/api/v1/clues/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = ClueDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    tag = "clue", security(("bearer" = [])))]
pub async fn get(State(app): State<App>, ctx: Ctx, Path(id): Path<ClueId>) -> ApiResult<Json<ClueDto>> {
    ctx.require(PERM_READ)?;
    let c = clue::get(&app.db, &app.keys, ctx.scope(), restricted(&ctx), id).await?;
    crate::services::audit::read(
        &app,
        &ctx,
        Event::success("clue.read", clue::OBJECT_TYPE, id, "经接口查看问题线索"),
    )
    .await?;
    Ok(Json(dto(c, true)))
}

/// A clue to register: carried over from a report (`report_id`) or a confirmed finding
/// (`finding_id`) with every field, or entered by hand with the fields.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ClueRequest {
    /// A report to carry over (the reporter is not carried).
    #[serde(default, deserialize_with = "crate::api::opt_whole_number")]
    pub report_id: Option<i64>,
    /// A confirmed (or partly confirmed) finding to carry over.
    #[serde(default, deserialize_with = "crate::api::opt_whole_number")]
    pub finding_id: Option<i64>,
    /// The fields of a clue entered by hand.
    #[serde(flatten)]
    pub fields: ClueFields,
}

/// The registered clue.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClueCreated {
    /// Its id.
    pub id: i64,
}

/// Register a clue.
#[utoipa::path(post, path = "/api/v1/clues", request_body = ClueRequest,
    responses((status = 201, body = ClueCreated), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    tag = "clue", security(("bearer" = [])))]
pub async fn create(
    State(app): State<App>,
    ctx: Ctx,
    body: Result<Json<ClueRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<ClueCreated>)> {
    ctx.require(PERM_REGISTER)?;
    let Json(r) = body.map_err(|e| crate::api::json_error(&e))?;
    let id = match (r.report_id, r.finding_id) {
        (Some(_), Some(_)) => {
            return Err(AppError::invalid("finding_id", "report_id 与 finding_id 只能提供一个").into());
        }
        (Some(rid), None) => report_to_clue(&app, &ctx, ReportId(rid)).await?,
        (None, Some(fid)) => finding_to_clue(&app, &ctx, FindingId(fid)).await?,
        (None, None) => {
            let c = r.fields.checked(&app, &ctx).await?;
            register(&app, &ctx, &c).await?
        }
    };
    Ok((StatusCode::CREATED, Json(ClueCreated { id: id.0 })))
}

/// The clue after a step.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClueStepDone {
    /// The state now.
    pub status: String,
}

/// Take a step: `propose` (with `disposition`), `approve`, `return`, `reopen`, and for an
/// inquiry `send_letter`, `record_talk`, `record_explanation`, `propose_conclusion`,
/// `propose_verification`.
#[utoipa::path(post, path = "/api/v1/clues/{id}/{action}", request_body = super::pages::StepFields,
    params(("id" = i64, Path), ("action" = String, Path, description = "propose | approve | return | reopen | send_letter | record_talk | record_explanation | propose_conclusion | propose_verification")),
    responses((status = 200, body = ClueStepDone), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    tag = "clue", security(("bearer" = [])))]
pub async fn act(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, code)): Path<(ClueId, String)>,
    body: Result<Json<super::pages::StepFields>, JsonRejection>,
) -> ApiResult<Json<ClueStepDone>> {
    ctx.require(PERM_READ)?;
    let Json(s) = body.map_err(|e| crate::api::json_error(&e))?;
    let a = action_of(&code, &s.disposition)?;
    let state = take_step(&app, &ctx, id, a, &s.input()?).await?;
    Ok(Json(ClueStepDone {
        status: state.code().into(),
    }))
}

/// The roster person to link a clue's subject to.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct LinkRequest {
    /// Their resident ID number (the name must agree with the clue's subject).
    #[serde(default)]
    pub id_number: String,
}

/// The linked person.
#[derive(Debug, Serialize, ToSchema)]
pub struct Linked {
    /// The roster person's id.
    pub person_id: i64,
}

/// Link a clue's subject to the roster person with this ID number (a clue carried over from a
/// report names its subject without one); the clue moves to the person's unit.
#[utoipa::path(post, path = "/api/v1/clues/{id}/link", request_body = LinkRequest, params(("id" = i64, Path)),
    responses((status = 200, body = Linked), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    tag = "clue", security(("bearer" = [])))]
pub async fn link(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<ClueId>,
    body: Result<Json<LinkRequest>, JsonRejection>,
) -> ApiResult<Json<Linked>> {
    ctx.require(PERM_READ)?;
    let Json(r) = body.map_err(|e| crate::api::json_error(&e))?;
    super::pages::link(&app, &ctx, id, &r.id_number).await?;
    let c = clue::get(&app.db, &app.keys, ctx.scope(), restricted(&ctx), id).await?;
    Ok(Json(Linked {
        person_id: c.person_id.map_or(0, |p| p.0),
    }))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list, get, create, act, link), tags((name = "clue", description = "问题线索")))]
struct Doc;

/// The module's paths and schemas, merged into `/api/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    <Doc as utoipa::OpenApi>::openapi()
}
