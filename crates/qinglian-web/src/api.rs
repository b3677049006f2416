//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/openapi.json`.
//! Clients log in with `POST /api/v1/auth/login` and send `Authorization: Bearer <token>`.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use qinglian_domain::deadline::{Period, due_date};
use qinglian_store::audit::Event;
use qinglian_store::org::OrgId;
use qinglian_store::permission as perm;
use qinglian_store::person::{self, PersonFilter, PersonInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::App;
use crate::auth::{self, Ctx};
use crate::error::{ApiResult, AppError, ErrorBody};

/// Login request.
#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    /// Username.
    pub username: String,
    /// Password.
    pub password: String,
    /// TOTP code, required when the account has two-factor enabled.
    pub totp: Option<String>,
}

/// Login response.
#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Bearer token.
    pub token: String,
    /// Idle timeout in seconds.
    pub idle_timeout_secs: i64,
}

/// Log in and get a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/login", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)), tag = "auth")]
pub async fn login(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Response {
    let Ok(Json(req)) = body else {
        return crate::error::ApiError(AppError::BadRequest(
            "请求体应为JSON：{\"username\":…,\"password\":…}".into(),
        ))
        .into_response();
    };
    let ip = auth::client_ip(&app, &headers, Some(peer));
    match auth::login(&app, &req.username, &req.password, req.totp.as_deref(), "api", &ip).await {
        Ok(ok) => Json(LoginResponse {
            token: ok.token,
            idle_timeout_secs: app.config.session.idle_minutes * 60,
        })
        .into_response(),
        Err(AppError::Invalid(v)) => {
            let (field, message) = v.into_iter().next().unwrap_or(("password", "用户名或密码错误".into()));
            let body = ErrorBody {
                code: "unauthenticated",
                message,
                field: Some(field),
                errors: vec![],
            };
            (StatusCode::UNAUTHORIZED, Json(body)).into_response()
        }
        Err(e) => crate::error::ApiError(e).into_response(),
    }
}

/// End the bearer session.
#[utoipa::path(post, path = "/api/v1/auth/logout", responses((status = 204)), tag = "auth", security(("bearer" = [])))]
pub async fn logout(State(app): State<App>, ctx: Ctx) -> ApiResult<StatusCode> {
    auth::logout(&app, &ctx).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller.
#[derive(Serialize, ToSchema)]
pub struct Me {
    /// Id.
    pub id: i64,
    /// Username.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Role codes.
    pub roles: Vec<String>,
    /// Permission codes.
    pub permissions: Vec<String>,
}

/// Who am I.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401, body = ErrorBody)), tag = "auth", security(("bearer" = [])))]
pub async fn me(ctx: Ctx) -> Json<Me> {
    let p = ctx.principal;
    Json(Me {
        id: p.user.id.0,
        username: p.user.username,
        display_name: p.user.display_name,
        roles: p.roles.iter().map(|r| r.code.clone()).collect(),
        permissions: p.permissions.into_iter().collect(),
    })
}

/// Due-date query.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueQuery {
    /// Start date (day 0), YYYY-MM-DD.
    pub start: String,
    /// N working days.
    pub workdays: Option<u32>,
    /// N calendar days (a last day on a rest day moves to the next working day).
    pub days: Option<u32>,
}

/// Due date.
#[derive(Serialize, ToSchema)]
pub struct DueResponse {
    /// YYYY-MM-DD.
    pub due: String,
}

fn parse_date(s: &str, field: &'static str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::invalid(field, format!("日期“{s}”格式应为YYYY-MM-DD")))
}

/// Compute a due date on the official working-day calendar.
#[utoipa::path(get, path = "/api/v1/calendar/due", params(DueQuery), responses((status = 200, body = DueResponse), (status = 422, body = ErrorBody)), tag = "calendar")]
pub async fn calendar_due(State(app): State<App>, Query(q): Query<DueQuery>) -> ApiResult<Json<DueResponse>> {
    let start = parse_date(&q.start, "start")?;
    let period = match (q.workdays, q.days) {
        (Some(n), None) => Period::Workdays(n),
        (None, Some(n)) => Period::Days(n),
        _ => {
            return Err(AppError::invalid("workdays", "请提供 workdays（工作日数）或 days（自然日数）中的一个").into());
        }
    };
    if matches!(period, Period::Workdays(n) | Period::Days(n) if n > 3650) {
        return Err(AppError::invalid("days", "期限不能超过3650").into());
    }
    let due = due_date(&app.calendar(), start, period).map_err(|e| AppError::invalid("start", e.to_string()))?;
    Ok(Json(DueResponse {
        due: due.format("%Y-%m-%d").to_string(),
    }))
}

/// One day of the calendar.
#[derive(Serialize, ToSchema)]
pub struct DayResponse {
    /// YYYY-MM-DD.
    pub date: String,
    /// Working day.
    pub workday: bool,
    /// weekday | weekend | holiday | makeup_workday
    pub kind: String,
    /// Holiday name, if any.
    pub name: Option<String>,
}

/// Describe one day.
#[utoipa::path(get, path = "/api/v1/calendar/day/{date}", params(("date" = String, Path, description = "YYYY-MM-DD")), responses((status = 200, body = DayResponse), (status = 422, body = ErrorBody)), tag = "calendar")]
pub async fn calendar_day(State(app): State<App>, Path(date): Path<String>) -> ApiResult<Json<DayResponse>> {
    let d = parse_date(&date, "date")?;
    let info = app
        .calendar()
        .day(d)
        .map_err(|e| AppError::invalid("date", e.to_string()))?;
    Ok(Json(DayResponse {
        date: d.format("%Y-%m-%d").to_string(),
        workday: info.workday,
        kind: info.kind.as_str().to_string(),
        name: info.name,
    }))
}

/// A person as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct PersonDto {
    /// Id.
    pub id: i64,
    /// Org id.
    pub org_id: i64,
    /// Org name.
    pub org_name: String,
    /// Name.
    pub name: String,
    /// ID number (masked without the sensitive permission).
    pub id_number: String,
    /// male | female.
    pub sex: String,
    /// YYYY-MM-DD, or the year only ("1949年") without the sensitive permission.
    pub birth_date: String,
    /// Post.
    pub post: String,
    /// Rank.
    pub rank: String,
    /// Party member.
    pub party_member: bool,
    /// Supervised object.
    pub supervised: bool,
    /// Principal.
    pub principal: bool,
    /// Leadership member.
    pub leadership_member: bool,
}

impl PersonDto {
    fn from(p: person::Person, shown: person::Shown) -> PersonDto {
        PersonDto {
            id: p.id.0,
            org_id: p.org_id.0,
            id_number: shown.id_number,
            birth_date: shown.birth_date,
            org_name: p.org_name,
            name: p.name,
            sex: p.sex,
            post: p.post,
            rank: p.rank,
            party_member: p.party_member,
            supervised: p.supervised,
            principal: p.principal,
            leadership_member: p.leadership_member,
        }
    }
}

/// A page of people.
#[derive(Serialize, ToSchema)]
pub struct PersonPage {
    /// Rows.
    pub items: Vec<PersonDto>,
    /// Total matching.
    pub total: i64,
    /// Page (1-based).
    pub page: i64,
    /// Per page.
    pub per_page: i64,
}

/// Roster query.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonListQuery {
    /// Name, pinyin initials or ID number.
    pub q: Option<String>,
    /// Org subtree.
    pub org_id: Option<i64>,
    /// Page (from 1).
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<i64>,
    /// Rows per page (1–200, default 20).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// The page and page size an API list asks for: within the documented bounds or a 422
/// naming the parameter (never silently another page than asked).
pub fn paging(page: Option<i64>, per_page: Option<i64>) -> Result<(i64, i64), AppError> {
    let page = page.unwrap_or(1);
    if !(1..=1_000_000).contains(&page) {
        return Err(AppError::invalid("page", "页码应为1至1000000的整数"));
    }
    let per_page = per_page.unwrap_or(20);
    if !(1..=200).contains(&per_page) {
        return Err(AppError::invalid("per_page", "每页条数应为1至200的整数"));
    }
    Ok((page, per_page))
}

/// List people in the caller's scope.
#[utoipa::path(get, path = "/api/v1/persons", params(PersonListQuery), responses((status = 200, body = PersonPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), tag = "persons", security(("bearer" = [])))]
pub async fn persons(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<PersonListQuery>,
) -> ApiResult<Json<PersonPage>> {
    ctx.require(perm::PERSON_READ)?;
    let (page, per) = paging(q.page, q.per_page)?;
    let f = PersonFilter {
        q: q.q,
        org_id: q.org_id.map(OrgId),
        id_suffix: ctx.principal.can(perm::PERSON_SENSITIVE),
        ..Default::default()
    };
    let p = person::list(&app.db, ctx.scope(), &f, page, per).await?;
    Ok(Json(PersonPage {
        items: p
            .items
            .into_iter()
            .map(|x| {
                let shown = x.shown(false, person::View::List);
                PersonDto::from(x, shown)
            })
            .collect(),
        total: p.total,
        page: p.page,
        per_page: p.per_page,
    }))
}

/// One person (full ID number with the sensitive permission; that read is audited).
#[utoipa::path(get, path = "/api/v1/persons/{id}", params(("id" = i64, Path)), responses((status = 200, body = PersonDto), (status = 404, body = ErrorBody)), tag = "persons", security(("bearer" = [])))]
pub async fn person_get(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<person::PersonId>,
) -> ApiResult<Json<PersonDto>> {
    ctx.require(perm::PERSON_READ)?;
    let p = person::get(&app.db, ctx.scope(), id).await?;
    let shown = crate::services::person::show(&app, &ctx, &p, person::View::One, "API").await?;
    Ok(Json(PersonDto::from(p, shown)))
}

/// A JSON body that could not be read, as a 400 naming the field in Chinese (serde's own text
/// is not for the client).
pub(crate) fn json_error(e: &JsonRejection) -> AppError {
    match e {
        JsonRejection::JsonDataError(d) => {
            // serde names the field in backticks; the rest of its text is not for the client.
            let text = d.body_text();
            let named = text.split('`').nth(1).filter(|f| f.len() <= 40 && f.is_ascii());
            AppError::BadRequest(match (text.contains("missing field"), named) {
                (true, Some(f)) => format!("缺少字段 {f}"),
                (false, Some(f)) if text.contains("unknown variant") => format!("取值 {f} 无效，请对照接口文档"),
                _ => "字段缺失或类型不符，请对照接口文档".into(),
            })
        }
        JsonRejection::MissingJsonContentType(_) => AppError::BadRequest("缺少 Content-Type: application/json".into()),
        _ => AppError::BadRequest("请求体应为JSON".into()),
    }
}

/// A JSON integer as JSON Schema defines one: `21` and also `21.0` (a number whose fraction is
/// zero), which the schema's `integer` admits and serde's `i64` would refuse.
pub(crate) fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    if let Some(i) = n.as_i64() {
        return Ok(i);
    }
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 => Ok(f as i64),
        _ => Err(serde::de::Error::custom(format!("应为整数：{n}"))),
    }
}

/// [`whole_number`] for an optional field (`null` or absent is `None`).
pub(crate) fn opt_whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    struct W(#[serde(deserialize_with = "whole_number")] i64);
    Ok(Option::<W>::deserialize(d)?.map(|w| w.0))
}

/// New person.
#[derive(Deserialize, ToSchema)]
pub struct PersonCreate {
    /// Org id (in scope).
    #[serde(deserialize_with = "whole_number")]
    pub org_id: i64,
    /// Name.
    pub name: String,
    /// ID number (15 or 18 digits).
    pub id_number: String,
    /// Post.
    #[serde(default)]
    pub post: String,
    /// Rank.
    #[serde(default)]
    pub rank: String,
    /// Party member.
    #[serde(default)]
    pub party_member: bool,
    /// Supervised object.
    #[serde(default)]
    pub supervised: bool,
    /// Principal.
    #[serde(default)]
    pub principal: bool,
    /// Leadership member.
    #[serde(default)]
    pub leadership_member: bool,
    /// Phone.
    #[serde(default)]
    pub phone: String,
}

/// Create a person.
#[utoipa::path(post, path = "/api/v1/persons", request_body = PersonCreate, responses((status = 201, body = PersonDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), tag = "persons", security(("bearer" = [])))]
pub async fn person_create(
    State(app): State<App>,
    ctx: Ctx,
    body: Result<Json<PersonCreate>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<PersonDto>)> {
    ctx.require(perm::PERSON_MANAGE)?;
    let b = match body {
        Ok(Json(b)) => b,
        Err(e) => {
            return Err(AppError::BadRequest(format!(
                "请求体不是有效的人员JSON（需要 org_id、name、id_number 等字段）：{}",
                json_problem(&e)
            ))
            .into());
        }
    };
    let valid = person::validate(PersonInput {
        org_id: OrgId(b.org_id),
        name: b.name,
        id_number: b.id_number,
        post: b.post,
        rank: b.rank,
        party_member: b.party_member,
        supervised: b.supervised,
        principal: b.principal,
        leadership_member: b.leadership_member,
        phone: b.phone,
    })
    .map_err(AppError::Invalid)?;
    let mut tx = app.db.begin().await?;
    let id = person::create(&mut tx, ctx.scope(), &valid).await?;
    crate::services::audit::write(
        &app,
        &ctx,
        &mut tx,
        Event::success("person.create", "person", id, "API"),
    )
    .await?;
    tx.commit().await?;
    let p = person::get(&app.db, ctx.scope(), id).await?;
    // The caller has just typed the number: echoing it back is not a new sensitive read.
    let shown = p.shown(ctx.principal.can(perm::PERSON_SENSITIVE), person::View::Export);
    Ok((StatusCode::CREATED, Json(PersonDto::from(p, shown))))
}

/// A short Chinese description of a JSON body problem (no internal detail).
fn json_problem(e: &JsonRejection) -> &'static str {
    match e {
        JsonRejection::MissingJsonContentType(_) => "缺少 Content-Type: application/json",
        JsonRejection::JsonSyntaxError(_) => "JSON语法错误",
        JsonRejection::JsonDataError(_) => "字段缺失或类型不符",
        _ => "无法读取请求体",
    }
}

/// An org.
#[derive(Serialize, ToSchema)]
pub struct OrgDto {
    /// Id.
    pub id: i64,
    /// Parent.
    pub parent_id: Option<i64>,
    /// Name.
    pub name: String,
    /// Kind code.
    pub kind: String,
}

/// Orgs in the caller's scope.
#[utoipa::path(get, path = "/api/v1/orgs", responses((status = 200, body = [OrgDto])), tag = "orgs", security(("bearer" = [])))]
pub async fn orgs(State(app): State<App>, ctx: Ctx) -> ApiResult<Json<Vec<OrgDto>>> {
    let list = if ctx.principal.can(perm::ORG_MANAGE) {
        qinglian_store::org::list_all(&app.db).await?
    } else {
        ctx.require(perm::ORG_READ)?;
        qinglian_store::org::list_in_scope(&app.db, ctx.scope()).await?
    };
    Ok(Json(
        list.into_iter()
            .map(|o| OrgDto {
                id: o.id.0,
                parent_id: o.parent_id.map(|p| p.0),
                name: o.name,
                kind: o.kind.as_str().into(),
            })
            .collect(),
    ))
}

/// A warned deadline.
#[derive(Serialize, ToSchema)]
pub struct DeadlineDto {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Module.
    pub module: String,
    /// Responsible org.
    pub org_name: String,
    /// Due date 'YYYY-MM-DD'; null while pending (the calendar lacks the year it runs into).
    pub due_date: Option<String>,
    /// red | yellow | pending (待定: due date waits for a calendar year).
    pub status: String,
    /// Working days left.
    pub workdays_left: i64,
}

/// Red, yellow and pending (待定) deadlines in the caller's scope, most urgent first.
#[utoipa::path(get, path = "/api/v1/deadlines", responses((status = 200, body = [DeadlineDto])), tag = "deadlines", security(("bearer" = [])))]
pub async fn deadlines(State(app): State<App>, ctx: Ctx) -> ApiResult<Json<Vec<DeadlineDto>>> {
    ctx.require(perm::DEADLINE_READ)?;
    let list = qinglian_store::deadline::warnings_in_scope(
        &app.db,
        ctx.scope(),
        &app.calendar(),
        app.today(),
        app.config.deadline.yellow_workdays,
    )
    .await?;
    Ok(Json(
        list.into_iter()
            .map(|w| DeadlineDto {
                due_date: (!w.deadline.is_pending()).then(|| w.deadline.due_date.clone()),
                id: w.deadline.id.0,
                title: w.deadline.title,
                module: w.deadline.module,
                org_name: w.deadline.org_name,
                status: w.status.as_str().into(),
                workdays_left: w.workdays_left,
            })
            .collect(),
    ))
}

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "qinglian API", description = "清廉 监督执纪平台 JSON API"),
    paths(login, logout, me, calendar_due, calendar_day, crate::calendar::notice_api, persons, person_get, person_create, orgs, deadlines),
    modifiers(&BearerAuth),
    tags((name = "auth", description = "登录与会话"), (name = "calendar", description = "工作日历与期限"), (name = "persons", description = "人员名册"), (name = "orgs", description = "组织机构"), (name = "deadlines", description = "期限预警"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document: the platform's paths and every feature's, each operation listing
/// every status it can return ([`StandardResponses`]).
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = crate::feature::FEATURES.iter().fold(ApiDoc::openapi(), |mut doc, f| {
        doc.merge((f.openapi)());
        doc
    });
    utoipa::Modify::modify(&StandardResponses, &mut doc);
    doc
}

/// The statuses every operation of a kind can return, added where an operation's own list
/// leaves them out (issue #16 §6), so that the document never hides one: a secured operation
/// answers 401 without a valid session and 403 without the permission; an operation with a
/// path parameter answers 400 for one of the wrong type and 404 for an id that does not exist
/// or is out of scope; one with a query or a body answers 400 when it cannot be read.
struct StandardResponses;

impl utoipa::Modify for StandardResponses {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for item in doc.paths.paths.values_mut() {
            let ops = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in ops.into_iter().flatten() {
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let params = op.parameters.as_deref().unwrap_or(&[]);
                let in_path = params.iter().any(|p| p.parameter_in == ParameterIn::Path);
                let in_query = params.iter().any(|p| p.parameter_in == ParameterIn::Query);
                let body = op.request_body.is_some();
                let mut wanted: Vec<(&str, &str)> = Vec::new();
                if secured {
                    wanted.push(("401", "未登录或会话已失效"));
                    wanted.push(("403", "无权执行此操作"));
                }
                if in_path {
                    wanted.push(("400", "路径参数格式有误"));
                    wanted.push(("404", "不存在或不在数据权限范围内"));
                }
                if in_query || body {
                    wanted.push(("400", "请求参数无法读取"));
                }
                for (code, description) in wanted {
                    op.responses
                        .responses
                        .entry(code.to_string())
                        .or_insert_with(|| error(description).into());
                }
            }
        }
    }
}

/// Serve the OpenAPI document.
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

/// Unknown API path: JSON 404.
pub async fn not_found() -> crate::error::ApiError {
    crate::error::ApiError(AppError::NotFound("接口"))
}

/// The platform's API routes (the features add theirs: `feature::routes`).
pub fn routes() -> axum::Router<App> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/me", get(me))
        .route("/api/v1/calendar/due", get(calendar_due))
        .route("/api/v1/calendar/day/{date}", get(calendar_day))
        .route("/api/v1/persons", get(persons).post(person_create))
        .route("/api/v1/persons/{id}", get(person_get))
        .route("/api/v1/orgs", get(orgs))
        .route("/api/v1/deadlines", get(deadlines))
        .route("/api/openapi.json", get(openapi))
        .route("/api/{*rest}", get(not_found).post(not_found))
}

#[cfg(test)]
mod tests {
    use utoipa::OpenApi as _;

    /// Merging keeps one schema per name: two parts naming different shapes alike would make
    /// the document describe one of them wrongly (it happened: two `DeadlineDto`s).
    #[test]
    fn no_two_parts_of_the_document_name_a_schema_alike() {
        let mut seen: std::collections::BTreeMap<String, (&str, String)> = std::collections::BTreeMap::new();
        let parts = std::iter::once(("platform", super::ApiDoc::openapi()))
            .chain(crate::feature::FEATURES.iter().map(|f| (f.name, (f.openapi)())));
        for (part, doc) in parts {
            for (name, schema) in doc.components.map(|c| c.schemas).unwrap_or_default() {
                let json = serde_json::to_string(&schema).unwrap();
                if let Some((other, before)) = seen.insert(name.clone(), (part, json.clone())) {
                    // A shared schema (ErrorBody) may appear in several parts, always the same.
                    assert_eq!(before, json, "schema {name} differs between {other} and {part}");
                }
            }
        }
        assert!(seen.contains_key("ReportDeadline") && seen.contains_key("DeadlineDto"));
    }
}
