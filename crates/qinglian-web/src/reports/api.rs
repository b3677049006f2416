//! Reports in the JSON API: the public endpoints (no login: file a report, follow it by its
//! receipt code, fetch a human-check challenge) and the staff's (scoped list, one report,
//! registration — the 12345 hotline posts here with its own external id — and every handling
//! step of the workflow table).

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::NaiveDate;
use qinglian_domain::deadline::DeadlineStatus;
use qinglian_domain::report::{Channel, Kind, ReportAction};
use qinglian_domain::workflow::Action;
use qinglian_store::org::OrgId;
use qinglian_store::report::{self, Report, ReportFilter, ReportId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::intake::ReportBody;
use super::pages::{StaffEntry, register_staff, step_input, take_step};
use super::*;
use crate::App;
use crate::auth::Ctx;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::services::public::{self, Challenge, Purpose};

// ---------------------------------------------------------------------------------------------
// Public
// ---------------------------------------------------------------------------------------------

/// An answered human-check challenge.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct HumanCheck {
    /// The `token` of `GET /api/public/challenge`, unchanged.
    #[serde(default)]
    pub token: String,
    /// A decimal number such that SHA-256(salt + nonce) begins with `bits` zero bits.
    #[serde(default)]
    pub nonce: String,
}

/// A report from the public.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PublicReport {
    /// accusation (检举控告) | suggestion (批评建议) | rewarded_report (损害发展环境问题有奖举报) |
    /// service_request (我为群众办实事).
    #[schema(value_type = String, example = "accusation")]
    pub kind: Kind,
    /// The report.
    #[serde(flatten)]
    pub body: ReportBody,
    /// The answered challenge; required unless the installation turned the human check off
    /// (`portal_human_check = false`).
    #[serde(default)]
    pub human_check: Option<HumanCheck>,
}

/// What the reporter keeps.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptCode {
    /// 16 digits; shown once, stored only as a hash.
    pub receipt_code: String,
}

/// A fresh human-check challenge for `POST /api/public/reports`: find a decimal `nonce` such
/// that SHA-256(`salt` + `nonce`) begins with `bits` zero bits, then send
/// `"human_check": {"token": token, "nonce": nonce}`. A challenge is valid for 30 minutes
/// and once.
#[utoipa::path(get, path = "/api/public/challenge", responses((status = 200, body = Challenge)), tag = "report_public")]
pub async fn public_challenge(State(app): State<App>) -> Json<Challenge> {
    Json(public::challenge(&app))
}

/// File a report (no login). Requires the human check unless it is turned off; over the
/// rate limit per client address (`report.submissions_per_hour`) → 429.
#[utoipa::path(post, path = "/api/public/reports", request_body = PublicReport,
    responses((status = 201, body = ReceiptCode), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)),
    tag = "report_public")]
pub async fn public_submit(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<PublicReport>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<ReceiptCode>)> {
    let Json(r) = body.map_err(|e| crate::api::json_error(&e))?;
    let kind = r.kind;
    let input = r.body.intake(kind);
    let hc = r.human_check.unwrap_or_default();
    let client = crate::auth::client_ip(&app, &headers, Some(peer));
    let (code, _) = super::portal::file_public(&app, &client, kind, &input, &hc.token, &hc.nonce, &[]).await?;
    Ok((StatusCode::CREATED, Json(ReceiptCode { receipt_code: code })))
}

/// A reply as the reporter sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicReply {
    /// The text.
    pub text: String,
    /// Day (YYYY-MM-DD, China time).
    pub date: String,
}

/// A report as its receipt code shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicStatus {
    /// State code: registered | accepted | assigned | reported_back | concluded | replied |
    /// reviewing | declined | transferred | forwarded | duplicate.
    pub status: String,
    /// The state in the reporter's words.
    pub status_label: String,
    /// Day received (YYYY-MM-DD).
    pub received_on: String,
    /// The replies addressed to the reporter, oldest first.
    pub replies: Vec<PublicReply>,
    /// The reporter's rating (satisfied | basically | unsatisfied), empty if none.
    pub satisfaction: String,
}

/// Follow a report by its receipt code (no login). Rate-limited per client address, right or
/// wrong (`report.lookups_per_hour`); an unknown code → 404 and nothing else.
#[utoipa::path(get, path = "/api/public/reports/{receipt_code}", params(("receipt_code" = String, Path, description = "16 digits")),
    responses((status = 200, body = PublicStatus), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)),
    tag = "report_public")]
pub async fn public_status(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> ApiResult<Json<PublicStatus>> {
    let client = crate::auth::client_ip(&app, &headers, Some(peer));
    app.public.check_rate(Purpose::Lookup, &client)?;
    let code =
        qinglian_domain::report::normalize_receipt_code(&code).map_err(|m| AppError::invalid("receipt_code", m))?;
    let hash = receipt_hash(&app, &code).await?;
    let v = report::by_receipt(&app.db, &app.keys, &hash)
        .await?
        .ok_or(AppError::NotFound("查询码"))?;
    Ok(Json(PublicStatus {
        status: qinglian_domain::workflow::State::code(v.state).into(),
        status_label: v.state.public_label().into(),
        received_on: v.received_on.clone(),
        replies: v
            .messages
            .iter()
            .filter(|m| m.kind == report::message::REPLY)
            .map(|m| PublicReply {
                text: m.text.clone(),
                date: qinglian_store::time::display_cst(&m.at).chars().take(10).collect(),
            })
            .collect(),
        satisfaction: v.satisfaction.clone(),
    }))
}

// ---------------------------------------------------------------------------------------------
// Staff
// ---------------------------------------------------------------------------------------------

/// One time limit of a report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDeadline {
    /// The rule of `rules::RULES` that set it.
    pub rule: String,
    /// Due date (YYYY-MM-DD); null while it waits for next year's calendar (待定).
    pub due: Option<String>,
    /// green | yellow | red (a pending due date is yellow).
    pub status: String,
    /// The due date waits for a calendar year (待定).
    pub pending: bool,
}

/// A report as staff see it: never who reported.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDto {
    /// Id.
    pub id: i64,
    /// accusation | suggestion | rewarded_report | service_request.
    pub kind: String,
    /// online | letter | visit | phone | secretary_mailbox | mayor_mailbox | hotline |
    /// from_higher | from_lower.
    pub channel: String,
    /// The sending system's id (hotline).
    pub external_id: Option<String>,
    /// 实名.
    pub named: bool,
    /// 被反映人.
    pub subject_name: String,
    /// 单位.
    pub subject_org: String,
    /// 职务.
    pub subject_post: String,
    /// 级别.
    pub subject_level: String,
    /// 问题类别.
    pub category: String,
    /// Title.
    pub title: String,
    /// The matter (only in the single-report response).
    pub content: Option<String>,
    /// Received (YYYY-MM-DD).
    pub received_on: String,
    /// State code.
    pub status: String,
    /// The handling commission.
    pub org_id: i64,
    /// The unit it is assigned to.
    pub handler_org_id: Option<i64>,
    /// The earlier report it repeats.
    pub duplicate_of: Option<i64>,
    /// The reporter's rating, empty if none.
    pub satisfaction: String,
    /// Open time limits.
    pub deadlines: Vec<ReportDeadline>,
}

fn status_code(s: DeadlineStatus) -> &'static str {
    match s {
        DeadlineStatus::Red => "red",
        DeadlineStatus::Green => "green",
        _ => "yellow",
    }
}

fn dto(app: &App, r: Report, deadlines: Option<Vec<ReportDeadline>>) -> ReportDto {
    let deadlines = deadlines.unwrap_or_else(|| {
        r.due
            .iter()
            .map(|d| {
                let status = match d
                    .due_date
                    .as_deref()
                    .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                {
                    Some(due) => qinglian_domain::deadline::status(
                        &app.calendar(),
                        app.today(),
                        due,
                        app.config.deadline.yellow_workdays,
                    )
                    .map_or(if due < app.today() { "red" } else { "yellow" }, status_code),
                    None => "yellow",
                };
                ReportDeadline {
                    rule: d.rule.clone(),
                    due: d.due_date.clone(),
                    status: status.into(),
                    pending: d.due_date.is_none(),
                }
            })
            .collect()
    });
    ReportDto {
        id: r.id.0,
        kind: r.kind,
        channel: r.channel,
        external_id: r.external_id,
        named: r.named,
        subject_name: r.subject.name,
        subject_org: r.subject.org,
        subject_post: r.subject.post,
        subject_level: r.subject.level,
        category: r.category,
        title: r.title,
        content: (!r.content.is_empty()).then_some(r.content),
        received_on: r.received_on,
        status: r.status,
        org_id: r.org_id.0,
        handler_org_id: r.handler_org_id.map(|o| o.0),
        duplicate_of: r.duplicate_of.map(|d| d.0),
        satisfaction: r.satisfaction,
        deadlines,
    }
}

/// A page of reports.
#[derive(Serialize, ToSchema)]
pub struct ReportPage {
    /// Rows.
    pub items: Vec<ReportDto>,
    /// Total matching.
    pub total: i64,
    /// Page.
    pub page: i64,
    /// Per page.
    pub per_page: i64,
}

/// Report list query.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportListQuery {
    /// State code(s), comma-separated.
    pub status: Option<String>,
    /// Kind code.
    pub kind: Option<String>,
    /// Channel code.
    pub channel: Option<String>,
    /// Subject name or unit (part of it), or the report's number.
    pub q: Option<String>,
    /// Only those assigned to this unit.
    pub handler_org_id: Option<i64>,
    /// `true`: only those whose open limit is past due.
    pub overdue: Option<bool>,
    /// 问题类别 (exact).
    pub category: Option<String>,
    /// The subject's level (exact).
    pub level: Option<String>,
    /// Received on or after (YYYY-MM-DD).
    pub received_from: Option<String>,
    /// Received on or before (YYYY-MM-DD).
    pub received_to: Option<String>,
    /// Page (from 1).
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<i64>,
    /// Rows per page (1–200, default 20).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// Reports in the caller's scope (a unit sees those assigned to it), newest first.
#[utoipa::path(get, path = "/api/v1/reports", params(ReportListQuery),
    responses((status = 200, body = ReportPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    tag = "report", security(("bearer" = [])))]
pub async fn list(State(app): State<App>, ctx: Ctx, Query(q): Query<ReportListQuery>) -> ApiResult<Json<ReportPage>> {
    if !ctx.principal.can(PERM_READ) && !ctx.principal.can(PERM_UNIT) {
        return Err(AppError::Forbidden.into());
    }
    let (page, per) = crate::api::paging(q.page, q.per_page)?;
    let f = ReportFilter {
        status: q.status,
        kind: q.kind,
        channel: q.channel,
        q: q.q,
        handler_org_id: q.handler_org_id.map(OrgId),
        overdue_on: (q.overdue == Some(true)).then(|| app.today().format("%Y-%m-%d").to_string()),
        category: q.category,
        level: q.level,
        from: q.received_from,
        to: q.received_to,
        no_duplicates: false,
        text_ids: Vec::new(),
    };
    let p = report::list(&app.db, &app.keys, ctx.scope(), &f, "received", true, page, per).await?;
    Ok(Json(ReportPage {
        items: p.items.into_iter().map(|r| dto(&app, r, None)).collect(),
        total: p.total,
        page: p.page,
        per_page: p.per_page,
    }))
}

async fn full(app: &App, ctx: &Ctx, id: ReportId) -> Result<ReportDto, AppError> {
    let r = report::get(&app.db, &app.keys, ctx.scope(), id).await?;
    let deadlines = qinglian_store::deadline::open_of(
        &app.db,
        report::OBJECT_TYPE,
        &id.to_string(),
        &app.calendar(),
        app.today(),
        app.config.deadline.yellow_workdays,
    )
    .await?
    .into_iter()
    .map(|d| ReportDeadline {
        pending: d.deadline.is_pending(),
        due: (!d.deadline.due_date.is_empty()).then(|| d.deadline.due_date.clone()),
        status: status_code(d.status).into(),
        rule: d.deadline.rule_id,
    })
    .collect();
    Ok(dto(app, r, Some(deadlines)))
}

/// One report with its content and open time limits (audited as a read).
#[utoipa::path(get, path = "/api/v1/reports/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = ReportDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    tag = "report", security(("bearer" = [])))]
pub async fn get(State(app): State<App>, ctx: Ctx, Path(id): Path<ReportId>) -> ApiResult<Json<ReportDto>> {
    if !ctx.principal.can(PERM_READ) && !ctx.principal.can(PERM_UNIT) {
        return Err(AppError::Forbidden.into());
    }
    let d = full(&app, &ctx, id).await?;
    crate::services::audit::read(
        &app,
        &ctx,
        qinglian_store::audit::Event::success("report.read", report::OBJECT_TYPE, id, "经接口查看信访件"),
    )
    .await?;
    Ok(Json(d))
}

/// A report registered by staff or posted by another system (the 12345 hotline).
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterRequest {
    /// Kind.
    #[schema(value_type = String, example = "service_request")]
    pub kind: Kind,
    /// letter | visit | phone | secretary_mailbox | mayor_mailbox | hotline | from_higher | from_lower.
    #[schema(value_type = String, example = "hotline")]
    pub channel: Channel,
    /// The sending system's own id: posting the same id on the same channel again returns the
    /// report registered the first time (200) and changes nothing.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Day received (YYYY-MM-DD), default today.
    #[serde(default)]
    pub received_on: Option<String>,
    /// The report.
    #[serde(flatten)]
    pub body: ReportBody,
    /// Visitors of a group visit.
    #[serde(default, deserialize_with = "crate::api::whole_number")]
    #[schema(minimum = 0, maximum = 10000)]
    pub visitors: i64,
    /// Belongs to a higher commission: forwarded up within 5 working days (RULES.md §2).
    #[serde(default)]
    pub belongs_higher: bool,
}

/// What registration did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Registered {
    /// The report.
    pub id: i64,
    /// `true` when the external id was registered before (nothing new written).
    pub existing: bool,
    /// The receipt code for the reporter (new reports only; shown once).
    pub receipt_code: Option<String>,
    /// State code.
    pub status: String,
}

/// Register a report arriving by a staff channel; the hotline posts here with its own
/// `external_id` (idempotent).
#[utoipa::path(post, path = "/api/v1/reports", request_body = RegisterRequest,
    responses((status = 201, body = Registered), (status = 200, body = Registered, description = "the external id was registered before"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    tag = "report", security(("bearer" = [])))]
pub async fn register(
    State(app): State<App>,
    ctx: Ctx,
    body: Result<Json<RegisterRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Registered>)> {
    ctx.require(PERM_REGISTER)?;
    let Json(r) = body.map_err(|e| crate::api::json_error(&e))?;
    if !r.channel.staff_entered() {
        return Err(AppError::invalid("channel", "网络举报请通过公开接口提交").into());
    }
    let received_on = match r.received_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => app.today(),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| AppError::invalid("received_on", "收到日期应为YYYY-MM-DD"))?,
    };
    if !(0..=10_000).contains(&r.visitors) {
        return Err(AppError::invalid("visitors", "来访人数应为0到10000之间的整数").into());
    }
    let external_id = r
        .external_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    if let Some(x) = &external_id {
        AppError::check_text("external_id", "来文编号", x, qinglian_domain::text::Limit::Code)?;
    }
    let input = r.body.intake(r.kind);
    let entry = StaffEntry {
        kind: r.kind,
        channel: r.channel,
        received_on,
        external_id,
        visitors: r.visitors,
        about_principal: false,
        belongs_higher: r.belongs_higher,
        duplicate_of: None,
    };
    let (created, code) = register_staff(&app, &ctx, &input, &entry).await?;
    let status = if created.existing {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(Registered {
            id: created.id.0,
            existing: created.existing,
            receipt_code: code,
            status: qinglian_domain::workflow::State::code(created.state).into(),
        }),
    ))
}

/// A handling step.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct StepRequest {
    /// The reason, instruction, reply or report-back (required where the step needs one).
    #[serde(default)]
    pub text: String,
    /// The unit, for `assign` (交办).
    #[serde(default, deserialize_with = "crate::api::opt_whole_number")]
    pub org_id: Option<i64>,
    /// The earlier report, for `mark_duplicate`.
    #[serde(default, deserialize_with = "crate::api::opt_whole_number")]
    pub duplicate_of: Option<i64>,
    /// 我为群众办实事, for `assign`: the day the unit promises (YYYY-MM-DD; required there).
    #[serde(default)]
    pub promised_on: Option<String>,
    /// 我为群众办实事, for `reply`: what the portal may publish (no personal information).
    #[serde(default)]
    pub public_summary: String,
}

/// Take a handling step: accept | decline | transfer | forward | mark_duplicate | assign |
/// report_back | return_back | conclude | extend | reply | answer_review. The workflow table
/// decides whether it may be taken now and by whom (409 when the state does not allow it).
#[utoipa::path(post, path = "/api/v1/reports/{id}/{action}", params(("id" = i64, Path), ("action" = String, Path)), request_body = StepRequest,
    responses((status = 200, body = ReportDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    tag = "report", security(("bearer" = [])))]
pub async fn act(
    State(app): State<App>,
    ctx: Ctx,
    Path((id, action)): Path<(ReportId, String)>,
    body: Result<Json<StepRequest>, JsonRejection>,
) -> ApiResult<Json<ReportDto>> {
    let action = ReportAction::parse(&action)
        .filter(|a| !matches!(a, ReportAction::RequestReview | ReportAction::RequestReReview))
        .ok_or(AppError::NotFound("操作"))?;
    let Json(s) = body.map_err(|e| crate::api::json_error(&e))?;
    let form = super::pages::StepFormInput {
        text: s.text,
        org_id: s.org_id.map(|o| o.to_string()).unwrap_or_default(),
        duplicate_of: s.duplicate_of.map(|d| d.to_string()).unwrap_or_default(),
        promised_on: s.promised_on.unwrap_or_default(),
        public_summary: s.public_summary,
    };
    let input = step_input(&app, &ctx, action, &form).await?;
    take_step(&app, &ctx, id, action, &input).await?;
    Ok(Json(full(&app, &ctx, id).await?))
}

/// The module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(public_challenge, public_submit, public_status, list, get, register, act),
    tags((name = "report_public", description = "信访举报：公开接口（无需登录）"), (name = "report", description = "信访举报"))
)]
struct Doc;

/// The module's paths and schemas, merged into `/api/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    <Doc as utoipa::OpenApi>::openapi()
}
