//! Data-supervision pages: one finding with its checking (核查) — dispatch, answer, review,
//! dismiss — driven by the workflow table.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::NaiveDate;
use qinglian_analytics::dataset::{self as dsets};
use qinglian_domain::data_supervision::{FINDING_WORKFLOW, FindingAction, FindingState};
use qinglian_domain::deadline::Due;
use qinglian_domain::text::Limit;
use qinglian_domain::workflow::{Action, State as _};
use qinglian_store::attachment::{self};
use qinglian_store::data_supervision::{
    self as sv, Answer, Check, Dispatch, Finding, FindingId, Review, finding_status,
};
use qinglian_store::permission as perm;
use serde::Deserialize;

use super::findings::{EvidenceTable, evidence_table};
use super::models::load_model;
use super::*;
use crate::App;
use crate::auth::Ctx;
use crate::error::{AppError, PageResult};
use crate::services::attachment::{self as attachments, Upload};
use crate::templates::{Chrome, FormErrors, Typed};
use crate::ui::org::{OrgRow, choices};
use crate::ui::{page, page_with, redirect};

/// A check with its attachments.
pub struct CheckView {
    /// The check.
    pub check: Check,
    /// Its attachments.
    pub files: Vec<attachment::Attachment>,
}

#[derive(Template)]
#[template(path = "data_supervision/finding.html")]
pub(super) struct FindingPage {
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
    /// The user may turn the confirmed finding into a clue (clue module).
    can_make_clue: bool,
    errors: FormErrors,
    typed: Typed,
}

pub(super) async fn finding_page(
    app: &App,
    ctx: &Ctx,
    id: FindingId,
    ok: Option<&str>,
    errors: FormErrors,
) -> Result<FindingPage, AppError> {
    let f = sv::get_finding(&app.db, ctx.scope(), id)
        .await?
        .shown(ctx.principal.can(perm::PERSON_SENSITIVE));
    let checks = sv::checks_of(&app.db, id).await?;
    let history = history_rows(&qinglian_store::workflow::history(&app.db, FINDING_WORKFLOW.name, id).await?);
    let ids: Vec<i64> = checks.iter().map(|c| c.id.0).collect();
    let files = attachment::list(&app.db, "data_supervision_check", &ids).await?;
    let checks = checks
        .into_iter()
        .map(|c| CheckView {
            files: files.iter().filter(|a| a.owner_id == c.id.0).cloned().collect(),
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
        if m.id == qinglian_analytics::redflags::ID {
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
    let can_answer = ctx.principal.can(PERM_ANSWER) && f.status == finding_status::CHECKING && {
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
        can_dispatch: ctx.principal.can(PERM_DISPATCH),
        can_answer,
        can_rules: ctx.principal.can(PERM_RULES),
        can_make_clue: ctx.principal.can(qinglian_domain::clue::PERM_REGISTER),
        typed: Typed::default(),
        errors,
        f,
    })
}

/// One finding: explanation, evidence rows, checking history and the actions its state allows.
pub async fn finding(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<FindingId>,
    Query(q): Query<crate::ui::ListQuery>,
) -> PageResult {
    ctx.require(PERM_READ)?;
    Ok(page(
        &finding_page(&app, &ctx, id, q.ok.as_deref(), FormErrors::default()).await?,
    ))
}

/// The finding page again after a refused step, with the errors and everything typed.
pub(super) async fn finding_error(app: &App, ctx: &Ctx, id: FindingId, e: AppError, typed: Typed) -> PageResult {
    let (status, errors) = match e {
        AppError::Invalid(pairs) => (StatusCode::UNPROCESSABLE_ENTITY, FormErrors::from_pairs(pairs)),
        AppError::Conflict(field, msg) => (StatusCode::CONFLICT, FormErrors::from_pairs(vec![(field, msg)])),
        other => return Err(other.into()),
    };
    let mut p = finding_page(app, ctx, id, None, errors).await?;
    p.typed = typed;
    Ok(page_with(status, &p))
}

/// The end of every action form on a finding's page: after a write, back to the page with
/// `?ok=<code>` (POST → redirect → GET); after a refused one, the page again with the errors
/// and everything typed (`typed` is only built then).
async fn after(
    app: &App,
    ctx: &Ctx,
    headers: &HeaderMap,
    id: FindingId,
    result: Result<(), AppError>,
    ok: &str,
    typed: impl FnOnce() -> Typed,
) -> PageResult {
    match result {
        Ok(()) => Ok(redirect(headers, &format!("/ds/findings/{id}?ok={ok}"))),
        Err(e) => finding_error(app, ctx, id, e, typed()).await,
    }
}

pub(super) fn parse_date(field: &'static str, label: &str, s: &str) -> Result<NaiveDate, AppError> {
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

pub(super) fn history_rows(events: &[qinglian_store::workflow::WorkflowEvent]) -> Vec<HistoryRow> {
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
pub(super) async fn checking_unit(app: &App, ctx: &Ctx, chosen: &str) -> Result<qinglian_store::org::OrgId, AppError> {
    let org_id: qinglian_store::org::OrgId = chosen
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
pub(super) fn limited(field: &'static str, label: &str, text: &str, limit: Limit) -> Result<String, AppError> {
    AppError::check_text(field, label, text, limit)?;
    Ok(text.to_string())
}

/// The default due date of a check sent today: the `finding_check` rule on the official
/// calendar, or pending (待定) when it runs into a year without a calendar.
pub(super) fn check_due(app: &App, start: NaiveDate) -> Due {
    qinglian_domain::data_supervision::check_due(&app.calendar(), start)
}

/// The due date a clerk chose, or — left empty — the rule's (possibly pending) due date.
pub(super) fn due_from_form(
    app: &App,
    start: NaiveDate,
    field: &'static str,
    label: &str,
    text: &str,
) -> Result<Due, AppError> {
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
    Path(id): Path<FindingId>,
    Form(form): Form<DispatchForm>,
) -> PageResult {
    ctx.require(PERM_DISPATCH)?;
    let result = async {
        let org_id = checking_unit(&app, &ctx, &form.org_id).await?;
        let start = app.today();
        let d = Dispatch {
            finding_id: id,
            org_id,
            note: limited("note", "核查要求", &form.note, Limit::Note)?,
            start,
            due: due_from_form(&app, start, "due_date", "核查期限", &form.due_date)?,
        };
        let mut tx = app.db.begin().await?;
        sv::dispatch(&mut tx, ctx.scope(), &d, &ctx.performer(app.mode())).await?;
        Ok(tx.commit().await?)
    }
    .await;
    after(&app, &ctx, &headers, id, result, "dispatched", || {
        Typed::of([
            ("dispatch.org_id", form.org_id.clone()),
            ("dispatch.due_date", form.due_date.clone()),
            ("dispatch.note", form.note.clone()),
        ])
    })
    .await
}

/// The unit's answer with optional attachments (multipart).
pub async fn answer(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<FindingId>,
    mut mp: Multipart,
) -> PageResult {
    ctx.require(PERM_ANSWER)?;
    let mut answer_code = String::new();
    let mut note = String::new();
    let mut files: Vec<Upload> = Vec::new();
    let mut problem: Option<AppError> = None;
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("上传内容无法读取，请重新提交".into()))?
    {
        match field.name() {
            Some("answer") => answer_code = field.text().await.unwrap_or_default(),
            Some("note") => note = field.text().await.unwrap_or_default(),
            Some("files") => match attachments::read(&app, "files", field).await {
                Ok(Some(upload)) => files.push(upload),
                Ok(None) => {}
                Err(AppError::BadRequest(m)) => return Err(AppError::BadRequest(m).into()),
                Err(e) => problem = Some(e),
            },
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
        let staged = attachments::stage(&app, Some(ctx.principal.user.id), ATTACHMENT_OWNER, &files)?;
        let saved = async {
            let mut tx = app.db.begin().await?;
            let check = sv::answer(&mut tx, ctx.scope(), id, answer, &note, &ctx.performer(app.mode())).await?;
            staged.record(&mut tx, check.0).await?;
            tx.commit().await?;
            Ok::<_, AppError>(())
        }
        .await;
        if saved.is_err() {
            staged.discard();
        }
        saved
    }
    .await;
    after(&app, &ctx, &headers, id, result, "answered", || {
        Typed::of([
            ("answer.answer", answer_code.clone()),
            ("answer.note", note.clone()),
            ("answer.files", files_chosen.to_string()),
        ])
    })
    .await
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
    Path(id): Path<FindingId>,
    Form(form): Form<ReviewForm>,
) -> PageResult {
    ctx.require(PERM_DISPATCH)?;
    let result = async {
        let review = match form.decision.as_str() {
            "accept" => Review::Accept,
            "return" => Review::Return {
                start: app.today(),
                due: due_from_form(&app, app.today(), "due_date", "重新核查期限", &form.due_date)?,
            },
            _ => return Err(AppError::invalid("decision", "请选择复核意见")),
        };
        let note = limited("review_note", "复核说明", &form.note, Limit::Explanation)?;
        let mut tx = app.db.begin().await?;
        sv::review(&mut tx, ctx.scope(), id, &review, &note, &ctx.performer(app.mode())).await?;
        Ok(tx.commit().await?)
    }
    .await;
    after(&app, &ctx, &headers, id, result, "reviewed", || {
        Typed::of([
            ("review.decision", form.decision.clone()),
            ("review.due_date", form.due_date.clone()),
            ("review.note", form.note.clone()),
        ])
    })
    .await
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
    Path(id): Path<FindingId>,
    Form(form): Form<DismissForm>,
) -> PageResult {
    ctx.require(PERM_DISPATCH)?;
    let result = async {
        let note = limited("close_note", "排除理由", &form.note, Limit::Note)?;
        let mut tx = app.db.begin().await?;
        sv::dismiss(&mut tx, ctx.scope(), id, &note, &ctx.performer(app.mode())).await?;
        Ok(tx.commit().await?)
    }
    .await;
    after(&app, &ctx, &headers, id, result, "saved", || {
        Typed::of([("dismiss.note", form.note.clone())])
    })
    .await
}

/// Owner type of the answer's attachments (a check of a finding).
pub const ATTACHMENT_OWNER: &str = "data_supervision_check";

/// Access to a check's attachments: whoever may open its finding.
pub(super) fn attachment_access<'a>(
    app: &'a App,
    ctx: &'a Ctx,
    check_id: i64,
) -> crate::feature::BoxFuture<'a, Result<(), AppError>> {
    Box::pin(async move {
        ctx.require(PERM_READ)?;
        let finding_id = sv::finding_of_check(&app.db, sv::CheckId(check_id)).await?;
        sv::get_finding(&app.db, ctx.scope(), finding_id).await?;
        Ok(())
    })
}
