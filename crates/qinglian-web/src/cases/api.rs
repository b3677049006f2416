//! Outcomes in the JSON API (issue #13 §3, contract exact): record one
//! (`POST /api/v1/outcomes` → `{id, form, effect_until}`), read them, and the four-forms
//! figures of a period (`GET /api/v1/stats/four-forms`).

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use qinglian_domain::outcome::OutcomeKind;
use qinglian_store::audit::Event;
use qinglian_store::outcome::{self, NewOutcome, Outcome, OutcomeFilter, OutcomeId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::*;
use crate::App;
use crate::auth::Ctx;
use crate::error::{ApiResult, AppError, ErrorBody};

/// An outcome to record.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OutcomeRequest {
    /// The person's resident ID number; the person must be in the roster (within the caller's
    /// data scope).
    #[serde(default)]
    pub id_number: String,
    /// reminder_talk | criticism | ordered_review | admonition | party.warning |
    /// party.serious_warning | party.party_post_removal | party.probation | party.expulsion |
    /// public.warning | public.demerit | public.major_demerit | public.demotion |
    /// public.dismissal | public.expulsion | org.suspension | org.post_adjustment |
    /// org.ordered_resignation | org.removal | org.demotion | prosecution_referral.
    #[serde(default)]
    #[schema(example = "party.warning")]
    pub kind: String,
    /// The day of the decision (YYYY-MM-DD).
    #[serde(default)]
    #[schema(example = "2026-03-01")]
    pub decided_on: String,
    /// The day it takes effect (YYYY-MM-DD); the effect period starts here.
    #[serde(default)]
    #[schema(example = "2026-03-01")]
    pub effective_on: String,
    /// The case it was given in (its number or reference): one person in one case counts once
    /// in the four-forms statistics.
    #[serde(default)]
    #[schema(example = "示纪案〔2026〕3号")]
    pub case_ref: String,
    /// 留党察看's term: 12 or 24 (only for party.probation).
    #[serde(default, deserialize_with = "crate::api::opt_whole_number")]
    #[schema(value_type = Option<i64>, example = json!(null))]
    pub term_months: Option<i64>,
    /// A note.
    #[serde(default)]
    pub note: Option<String>,
}

/// What recording derived.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeRecorded {
    /// Its id.
    pub id: i64,
    /// The form (四种形态) it falls in: 1–4 (RULES.md §4).
    pub form: u8,
    /// The last day of its effect period (RULES.md §5–6); null when it has none (开除公职 bars
    /// without end and also gives null).
    #[schema(value_type = Option<String>, example = "2027-02-28")]
    pub effect_until: Option<String>,
}

fn date(field: &'static str, label: &str, s: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::invalid(field, format!("{label}应为YYYY-MM-DD格式的日期")))
}

impl OutcomeRequest {
    /// The checked input (each problem names its field).
    pub(crate) fn input(&self, source: &'static str) -> Result<NewOutcome, AppError> {
        if self.id_number.trim().is_empty() {
            return Err(AppError::invalid("id_number", "请填写身份证号"));
        }
        AppError::check_text(
            "id_number",
            "身份证号",
            &self.id_number,
            qinglian_domain::text::Limit::Code,
        )?;
        let kind = OutcomeKind::parse(self.kind.trim())
            .ok_or_else(|| AppError::invalid("kind", "处理处分种类无效，请对照接口文档"))?;
        let decided_on = date("decided_on", "决定日期", &self.decided_on)?;
        let effective_on = date("effective_on", "生效日期", &self.effective_on)?;
        AppError::check_text(
            "case_ref",
            "案件编号",
            &self.case_ref,
            qinglian_domain::text::Limit::Title,
        )?;
        let note = self.note.clone().unwrap_or_default();
        AppError::check_text("note", "备注", &note, qinglian_domain::text::Limit::Note)?;
        let term_months = match self.term_months {
            None => None,
            Some(n) => {
                Some(u32::try_from(n).map_err(|_| AppError::invalid("term_months", "留党察看期限只能是12或24个月"))?)
            }
        };
        Ok(NewOutcome {
            id_number: self.id_number.trim().to_uppercase(),
            kind,
            decided_on,
            effective_on,
            term_months,
            case_ref: self.case_ref.trim().to_string(),
            clue_id: None,
            source,
            note,
        })
    }
}

/// Records one outcome in one transaction with its audit entry.
pub(crate) async fn record(app: &App, ctx: &Ctx, o: &NewOutcome) -> Result<outcome::Recorded, AppError> {
    let mut tx = app.db.begin().await?;
    let r = outcome::record(&mut tx, ctx.scope(), o, Some(ctx.principal.user.id)).await?;
    crate::services::audit::write(
        app,
        ctx,
        &mut tx,
        Event::success(
            "case.outcome.record",
            outcome::OBJECT_TYPE,
            r.id,
            format!("{}（{}）", o.kind.full_label(), o.case_ref),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(r)
}

/// Record an outcome against a roster person (past records at go-live, or another system's).
/// The form and the effect period are derived (RULES.md §4–6); an unknown ID number → 422
/// naming `id_number`.
#[utoipa::path(post, path = "/api/v1/outcomes", request_body = OutcomeRequest,
    responses((status = 201, body = OutcomeRecorded), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    tag = "case", security(("bearer" = [])))]
pub async fn create(
    State(app): State<App>,
    ctx: Ctx,
    body: Result<Json<OutcomeRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<OutcomeRecorded>)> {
    ctx.require(PERM_OUTCOME)?;
    let Json(r) = body.map_err(|e| crate::api::json_error(&e))?;
    let input = r.input("api")?;
    let rec = record(&app, &ctx, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(OutcomeRecorded {
            id: rec.id.0,
            form: rec.form,
            effect_until: rec.effect_until.map(|d| d.format("%Y-%m-%d").to_string()),
        }),
    ))
}

/// An outcome as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeDto {
    /// Id.
    pub id: i64,
    /// The person's roster id.
    pub person_id: i64,
    /// Name.
    pub name: String,
    /// ID number (masked without the sensitive-data permission).
    pub id_number: String,
    /// Unit.
    pub org_name: String,
    /// Kind code.
    pub kind: String,
    /// Kind in Chinese.
    pub kind_label: String,
    /// Form 1–4.
    pub form: i64,
    /// Decision day.
    pub decided_on: String,
    /// Effective day.
    pub effective_on: String,
    /// 留党察看's term.
    pub term_months: Option<i64>,
    /// Last day of the effect period, null when none.
    pub effect_until: Option<String>,
    /// A bar without end (开除公职).
    pub permanent: bool,
    /// Case reference.
    pub case_ref: String,
}

fn dto(o: Outcome, sensitive: bool) -> OutcomeDto {
    OutcomeDto {
        id: o.id.0,
        person_id: o.person_id.0,
        kind_label: o.kind_label().into(),
        id_number: if sensitive {
            o.id_number.clone()
        } else {
            qinglian_store::person::mask_id_number(&o.id_number)
        },
        name: o.person_name,
        org_name: o.org_name,
        kind: o.kind,
        form: o.form,
        decided_on: o.decided_on,
        effective_on: o.effective_on,
        term_months: o.term_months,
        effect_until: Some(o.effect_until).filter(|s| !s.is_empty()),
        permanent: o.permanent,
        case_ref: o.case_ref,
    }
}

/// Outcome list query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutcomeListQuery {
    /// Name, pinyin initials, ID number or case reference.
    pub q: Option<String>,
    /// Kind code(s), comma-separated.
    pub kind: Option<String>,
    /// Form 1–4.
    #[param(minimum = 1, maximum = 4)]
    pub form: Option<i64>,
    /// Decided on or after (YYYY-MM-DD).
    pub from: Option<String>,
    /// Decided on or before (YYYY-MM-DD).
    pub to: Option<String>,
    /// Only outcomes whose effect period covers this day (YYYY-MM-DD).
    pub in_effect_on: Option<String>,
    /// Page (from 1).
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<i64>,
    /// Rows per page (1–200).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// A page of outcomes.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomePage {
    /// Rows.
    pub items: Vec<OutcomeDto>,
    /// Total.
    pub total: i64,
    /// Page.
    pub page: i64,
    /// Page size.
    pub per_page: i64,
}

fn opt_date(field: &'static str, v: &Option<String>) -> Result<Option<String>, AppError> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Ok(Some(date(field, "日期", s)?.format("%Y-%m-%d").to_string())),
    }
}

/// Outcomes in the caller's scope.
#[utoipa::path(get, path = "/api/v1/outcomes", params(OutcomeListQuery),
    responses((status = 200, body = OutcomePage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    tag = "case", security(("bearer" = [])))]
pub async fn list(State(app): State<App>, ctx: Ctx, Query(q): Query<OutcomeListQuery>) -> ApiResult<Json<OutcomePage>> {
    ctx.require(PERM_READ)?;
    let (page, per) = crate::api::paging(q.page, q.per_page)?;
    if q.form.is_some_and(|f| !(1..=4).contains(&f)) {
        return Err(AppError::invalid("form", "形态应为1到4").into());
    }
    let f = OutcomeFilter {
        q: q.q,
        kind: q.kind,
        form: q.form,
        from: opt_date("from", &q.from)?,
        to: opt_date("to", &q.to)?,
        in_effect_on: opt_date("in_effect_on", &q.in_effect_on)?,
        ..Default::default()
    };
    let p = outcome::list(&app.db, ctx.scope(), &f, "decided", true, page, per).await?;
    let sensitive = ctx.principal.can(qinglian_store::permission::PERSON_SENSITIVE);
    Ok(Json(OutcomePage {
        items: p.items.into_iter().map(|o| dto(o, sensitive)).collect(),
        total: p.total,
        page: p.page,
        per_page: p.per_page,
    }))
}

/// One outcome.
#[utoipa::path(get, path = "/api/v1/outcomes/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = OutcomeDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    tag = "case", security(("bearer" = [])))]
pub async fn get(State(app): State<App>, ctx: Ctx, Path(id): Path<OutcomeId>) -> ApiResult<Json<OutcomeDto>> {
    ctx.require(PERM_READ)?;
    let o = outcome::get(&app.db, ctx.scope(), id).await?;
    Ok(Json(dto(
        o,
        ctx.principal.can(qinglian_store::permission::PERSON_SENSITIVE),
    )))
}

/// Period of the four-forms figures.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FourFormsQuery {
    /// First decision day counted (YYYY-MM-DD).
    pub from: Option<String>,
    /// Last decision day counted (YYYY-MM-DD).
    pub to: Option<String>,
}

/// Four-forms figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct FourFormsDto {
    /// 人次 in all: one person in one case counts once, in the heaviest form.
    pub person_times: i64,
    /// 人次 per form: keys "1" to "4".
    #[schema(value_type = Object, example = json!({"1": 3, "2": 1, "3": 1, "4": 0}))]
    pub forms: std::collections::BTreeMap<String, i64>,
}

/// The four-forms figures of outcomes decided in a period, in the caller's scope (RULES.md §4).
#[utoipa::path(get, path = "/api/v1/stats/four-forms", params(FourFormsQuery),
    responses((status = 200, body = FourFormsDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    tag = "case", security(("bearer" = [])))]
pub async fn four_forms(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<FourFormsQuery>,
) -> ApiResult<Json<FourFormsDto>> {
    if !ctx.principal.can(PERM_STATS) && !ctx.principal.can(PERM_READ) {
        return Err(AppError::Forbidden.into());
    }
    let from = opt_date("from", &q.from)?.ok_or_else(|| AppError::invalid("from", "请提供统计起始日期 from"))?;
    let to = opt_date("to", &q.to)?.ok_or_else(|| AppError::invalid("to", "请提供统计截止日期 to"))?;
    if from > to {
        return Err(AppError::invalid("to", "截止日期不能早于起始日期").into());
    }
    let f = outcome::four_forms(&app.db, ctx.scope(), &from, &to, None).await?;
    Ok(Json(FourFormsDto {
        person_times: f.person_times(),
        forms: (1..=4).map(|i| (i.to_string(), f.forms[i - 1])).collect(),
    }))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(create, list, get, four_forms),
    tags((name = "case", description = "案件与处理处分、四种形态"))
)]
struct Doc;

/// The module's paths and schemas, merged into `/api/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    <Doc as utoipa::OpenApi>::openapi()
}
