//! The public portal (信访举报平台): no login, Chinese, made for a phone. What can be reported
//! and how the reporter is protected; the four forms; the receipt code shown once; following a
//! report by its code — replies, adding information, rating the reply, asking for a review.
//!
//! Everything here is hostile input and nothing here reads internal data beyond what the
//! receipt code opens. The portal keeps no session: after a valid code, a random ticket in an
//! HttpOnly, SameSite=Strict cookie scoped to `/portal` stands for it for 30 minutes (in memory
//! only), so writes can redirect (POST → redirect → GET) without the code ever being in a URL.
//! Nothing the portal does records the reporter's address: rate limits count addresses in
//! memory only, and the audit entries of portal actions carry no IP.

use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use qinglian_domain::report::{self as rd, Channel, Kind, ReportAction, ReportState};
use qinglian_domain::text::Limit;
use qinglian_store::audit::Actor;
use qinglian_store::report::{self, NewReport, PublicView};
use qinglian_store::workflow::{Performer, Permissions};
use serde::Deserialize;

use super::intake::{self, CATEGORIES, Intake, IntakeFields, LEVELS};
use super::{due, grouped, new_receipt_code, receipt_hash};
use crate::App;
use crate::app::FollowTicket;
use crate::error::{AppError, PageError, PageResult};
use crate::services::attachment::{self as attachments, Upload};
use crate::services::public::{self, Challenge, Purpose};
use crate::templates::{FormErrors, Typed};
use crate::ui::{page, page_with, redirect, with_cookie};

const TICKET_COOKIE: &str = "qinglian_follow";
const TICKET_TTL: std::time::Duration = std::time::Duration::from_secs(30 * 60);

/// The reporter acting through the portal: only the reporter's own workflow steps.
pub(crate) struct Reporter;

impl Permissions for Reporter {
    fn can(&self, permission: &str) -> bool {
        permission == rd::PERM_REPORTER
    }
}

/// The performer of a reporter's step: no user, no address (reporter protection).
pub(crate) fn reporter_performer(app: &App) -> Performer<'static> {
    Performer {
        user_id: None,
        actor: Actor {
            user_id: None,
            username: "举报人（查询码）".into(),
            role: String::new(),
            ip: String::new(),
        },
        mode: app.mode(),
        perms: &Reporter,
    }
}

/// The portal's four entries.
pub struct Entry {
    /// Kind code (the form's path).
    pub code: &'static str,
    /// Title.
    pub title: &'static str,
    /// What belongs here.
    pub what: &'static str,
}

/// The entries, in the portal's order.
pub const ENTRIES: &[Entry] = &[
    Entry {
        code: "accusation",
        title: "检举控告",
        what: "党员、监察对象违反党纪、涉嫌职务违法犯罪的问题，如贪污贿赂、滥用职权、违反中央八项规定精神等",
    },
    Entry {
        code: "suggestion",
        title: "批评建议",
        what: "对纪检监察工作和党风廉政建设的批评、意见和建议",
    },
    Entry {
        code: "rewarded_report",
        title: "损害发展环境问题有奖举报",
        what: "吃拿卡要、推诿扯皮、违规收费、插手干预市场经济活动等损害营商环境的问题；经查属实的给予奖励",
    },
    Entry {
        code: "service_request",
        title: "我为群众办实事",
        what: "身边需要解决的具体困难和诉求，交由责任单位限时办理并答复",
    },
];

fn kind_of(code: &str) -> Result<Kind, AppError> {
    Kind::parse(code).ok_or(AppError::NotFound("页面"))
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    entries: &'static [Entry],
}

/// `/portal`: what can be reported, how identity is protected, the legal basis, the entries.
pub async fn home() -> Response {
    page(&HomePage { entries: ENTRIES })
}

#[derive(Template)]
#[template(path = "portal/form.html")]
struct FormPage {
    kind: Kind,
    entry: &'static Entry,
    challenge: Option<Challenge>,
    levels: &'static [&'static str],
    categories: &'static [&'static str],
    max_mb: usize,
    errors: FormErrors,
    typed: Typed,
}

impl FormPage {
    fn new(app: &App, kind: Kind, errors: FormErrors, typed: Typed) -> FormPage {
        FormPage {
            kind,
            entry: ENTRIES.iter().find(|e| e.code == kind.code()).unwrap_or(&ENTRIES[0]),
            challenge: app.config.portal_human_check.then(|| public::challenge(app)),
            levels: LEVELS,
            categories: CATEGORIES,
            max_mb: app.config.upload.max_mb,
            errors,
            typed,
        }
    }
    fn needs_subject(&self) -> bool {
        matches!(self.kind, Kind::Accusation | Kind::RewardedReport)
    }
    fn rewarded(&self) -> bool {
        self.kind == Kind::RewardedReport
    }
}

/// `/portal/report/{kind}`: the form of one entry.
pub async fn form(State(app): State<App>, Path(kind): Path<String>) -> PageResult {
    let kind = kind_of(&kind)?;
    Ok(page(&FormPage::new(
        &app,
        kind,
        FormErrors::default(),
        Typed::default(),
    )))
}

/// The portal form's fields.
#[derive(Debug, Default, Deserialize)]
pub struct PortalForm {
    #[serde(flatten)]
    fields: IntakeFields,
    #[serde(default)]
    hc_token: String,
    #[serde(default)]
    hc_nonce: String,
    #[serde(skip)]
    had_files: bool,
}

/// The most files one report may carry.
pub const MAX_FILES: usize = 10;

/// The portal's attachments: what they are stored under, always encrypted.
pub const ATTACHMENT_OWNER: &str = "report";

/// The form as sent, urlencoded or (with files) multipart; the files checked (type, size,
/// count), stripped of identifying metadata and renamed 「附件1.jpg」…, or the field's error.
async fn read_form(
    app: &App,
    req: axum::extract::Request,
) -> Result<(PortalForm, Result<Vec<Upload>, AppError>), AppError> {
    use axum::extract::FromRequest;
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let Form(f) = Form::<PortalForm>::from_request(req, app)
            .await
            .map_err(|_| AppError::BadRequest("表单内容无法读取，请重新提交".into()))?;
        return Ok((f, Ok(Vec::new())));
    }
    let mut mp = axum::extract::Multipart::from_request(req, app)
        .await
        .map_err(|_| AppError::BadRequest("表单内容无法读取，请重新提交".into()))?;
    let mut fields = serde_json::Map::new();
    let mut files: Vec<Upload> = Vec::new();
    let mut problem: Option<AppError> = None;
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("上传内容无法读取，请重新提交".into()))?
    {
        match field.name().map(str::to_string) {
            Some(name) if name == "files" => match attachments::read(app, "files", field).await {
                Ok(Some(u)) => files.push(u),
                Ok(None) => {}
                Err(AppError::BadRequest(m)) => return Err(AppError::BadRequest(m)),
                Err(e) => problem = problem.or(Some(e)),
            },
            Some(name) => {
                let value = field.text().await.unwrap_or_default();
                fields.insert(name, serde_json::Value::String(value));
            }
            None => {}
        }
    }
    let mut f: PortalForm = serde_json::from_value(serde_json::Value::Object(fields)).unwrap_or_default();
    f.had_files = !files.is_empty() || problem.is_some();
    if let Some(p) = problem {
        return Ok((f, Err(p)));
    }
    if files.len() > MAX_FILES {
        return Ok((f, Err(AppError::invalid("files", format!("最多上传{MAX_FILES}个附件")))));
    }
    let mut clean = Vec::new();
    for (i, u) in files.into_iter().enumerate() {
        let ext = u.name.rsplit('.').next().unwrap_or("").to_lowercase();
        match qinglian_office::metadata::strip(&ext, &u.bytes) {
            Ok(s) => clean.push(Upload {
                name: format!("附件{}.{ext}", i + 1),
                content_type: u.content_type,
                bytes: s.bytes,
            }),
            Err(e) => {
                return Ok((f, Err(AppError::invalid("files", format!("附件{}：{e}", u.name)))));
            }
        }
    }
    Ok((f, Ok(clean)))
}

impl PortalForm {
    fn intake(&self, kind: Kind) -> Intake {
        self.fields.intake(kind)
    }
    fn typed(&self) -> Typed {
        Typed::of(self.fields.typed())
    }
}

/// Files a report from the portal or the public API: checks, the human check, the rate limit,
/// then one transaction. Returns the receipt code (shown once) and its hash (all that is stored).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn file_public(
    app: &App,
    client: &str,
    kind: Kind,
    input: &Intake,
    hc_token: &str,
    hc_nonce: &str,
    uploads: &[Upload],
) -> Result<(String, String), AppError> {
    let checked = intake::check(input)?;
    public::verify(app, &app.public, hc_token, hc_nonce)?;
    app.public.check_rate(Purpose::Submit, client)?;
    let org_id = qinglian_store::org::receiving_commission(&app.db)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no commission is set up to receive reports")))?;
    let code = new_receipt_code();
    let hash = receipt_hash(app, &code).await?;
    let received_on = app.today();
    let r = NewReport {
        org_id,
        kind,
        channel: Channel::Online,
        external_id: None,
        reporter: checked.reporter,
        receipt_hash: Some(hash.clone()),
        subject: checked.subject,
        category: checked.category,
        title: checked.title,
        content: checked.content,
        happened_on: checked.happened_on,
        place: checked.place,
        visitors: 0,
        received_on,
        about_principal: false,
        belongs_higher: false,
        duplicate_of: None,
    };
    let first = due(app)(kind.first_rule(), received_on);
    let staged = attachments::stage(app, None, ATTACHMENT_OWNER, uploads)?;
    let saved = async {
        let mut tx = app.db.begin().await?;
        let created = report::create(&mut tx, &app.keys, &r, first, None).await?;
        staged.record(&mut tx, created.id.0).await?;
        let by = reporter_performer(app);
        let ev = qinglian_store::audit::Event::success(
            "report.submit",
            report::OBJECT_TYPE,
            created.id,
            format!("网上举报平台收到{}", kind.label()),
        );
        qinglian_store::audit::append(&mut tx, app.mode(), &by.actor, &ev).await?;
        report::tell_office(&mut tx, created.id, "网上举报待受理").await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    if saved.is_err() {
        staged.discard();
    }
    saved.map(|()| (code, hash))
}

/// The portal form, sent.
pub async fn submit(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Path(kind): Path<String>,
    req: axum::extract::Request,
) -> Response {
    let kind = match kind_of(&kind) {
        Ok(k) => k,
        Err(e) => return PageError(e).into_response(),
    };
    let (f, uploads) = match read_form(&app, req).await {
        Ok(x) => x,
        Err(e) => return PageError(e).into_response(),
    };
    let client = crate::auth::client_ip(&app, &headers, Some(peer));
    let result = match uploads {
        Ok(files) => file_public(&app, &client, kind, &f.intake(kind), &f.hc_token, &f.hc_nonce, &files).await,
        Err(e) => Err(e),
    };
    match result {
        Ok((code, hash)) => {
            // Shown once, on the next page: held with the follow ticket, never in a URL.
            let token = put_ticket(&app, hash, Some(code));
            with_ticket(redirect(&headers, "/portal/follow"), &app, &headers, &token)
        }
        Err(e @ (AppError::Invalid(_) | AppError::TooMany(_) | AppError::Conflict(..))) => {
            let status = match e {
                AppError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
                AppError::Conflict(..) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let errors = match e {
                AppError::Invalid(pairs) => FormErrors::from_pairs(pairs),
                other => FormErrors::from_pairs(vec![("human_check", other.to_string())]),
            };
            let mut typed = f.typed();
            // A file input cannot be refilled: the form says to choose them again.
            if f.had_files {
                typed.0.insert("files".into(), "true".into());
            }
            page_with(status, &FormPage::new(&app, kind, errors, typed))
        }
        Err(e) => PageError(e).into_response(),
    }
}

fn put_ticket(app: &App, receipt_hash: String, code_once: Option<String>) -> String {
    let token = qinglian_crypto::random_token(24);
    let mut map = app.follow_tickets.lock().unwrap_or_else(|p| p.into_inner());
    map.retain(|_, t| t.created.elapsed() < TICKET_TTL);
    map.insert(
        token.clone(),
        FollowTicket {
            receipt_hash,
            code_once,
            created: std::time::Instant::now(),
        },
    );
    token
}

fn with_ticket(r: Response, app: &App, headers: &HeaderMap, token: &str) -> Response {
    let secure = if crate::auth::is_https(app, headers) {
        "; Secure"
    } else {
        ""
    };
    with_cookie(
        r,
        &format!(
            "{TICKET_COOKIE}={token}; Path=/portal; Max-Age={}; HttpOnly; SameSite=Strict{secure}",
            TICKET_TTL.as_secs()
        ),
    )
}

fn ticket_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| kv.trim().strip_prefix(&format!("{TICKET_COOKIE}=")).map(str::to_string))
        .filter(|t| !t.is_empty() && t.len() <= 64)
}

/// The ticket's receipt hash (and, the first time only, the code to show).
fn ticket(app: &App, headers: &HeaderMap) -> Option<(String, Option<String>)> {
    let token = ticket_token(headers)?;
    let mut map = app.follow_tickets.lock().unwrap_or_else(|p| p.into_inner());
    let t = map.get_mut(&token).filter(|t| t.created.elapsed() < TICKET_TTL)?;
    Some((t.receipt_hash.clone(), t.code_once.take()))
}

#[derive(Template)]
#[template(path = "portal/follow_enter.html")]
struct EnterPage {
    error: Option<String>,
    code: String,
}

/// One message as the reporter sees it.
pub struct PublicMessage {
    /// 答复 / 我的补充 / 我的复查申请.
    pub label: &'static str,
    /// The text.
    pub text: String,
    /// Day (China time).
    pub on: String,
    /// Written by the reporter.
    pub mine: bool,
}

#[derive(Template)]
#[template(path = "portal/follow.html")]
struct FollowPage {
    code_once: Option<String>,
    v: PublicView,
    status: &'static str,
    messages: Vec<PublicMessage>,
    can_supplement: bool,
    can_rate: bool,
    rated: &'static str,
    review_until: Option<String>,
    /// The window is for 复核 (after the review's answer), not 复查.
    second_review: bool,
    /// The reward as the reporter may know it (state, amount), for a rewarded report.
    reward: Option<String>,
    ok: Option<&'static str>,
    errors: FormErrors,
    typed: Typed,
}

/// The day a reporter may still ask for a review (复查): 30 days from the reply
/// (RULES.md §2, `petition_review_apply`), `None` after it or before a reply.
fn review_until(app: &App, v: &PublicView) -> Option<String> {
    if !matches!(v.state, ReportState::Replied | ReportState::ReviewAnswered) {
        return None;
    }
    let replied = chrono::NaiveDate::parse_from_str(v.replied_on.as_deref()?, "%Y-%m-%d").ok()?;
    match due(app)(rd::RULE_REVIEW_APPLY, replied).date() {
        Some(until) => (app.today() <= until).then(|| until.format("%Y-%m-%d前").to_string()),
        // The window runs into a year whose calendar is not saved yet: the reporter's right is
        // not cut short by a missing calendar — open while the 30 days plainly last.
        None => (app.today() <= replied + chrono::Duration::days(30)).then(|| "答复之日起30日内".to_string()),
    }
}

async fn follow_page(
    app: &App,
    hash: &str,
    code_once: Option<String>,
    ok: Option<&'static str>,
    errors: FormErrors,
    typed: Typed,
) -> Result<Option<FollowPage>, AppError> {
    let Some(v) = report::by_receipt(&app.db, &app.keys, hash).await? else {
        return Ok(None);
    };
    let messages = v
        .messages
        .iter()
        .map(|m| PublicMessage {
            label: match m.kind.as_str() {
                report::message::SUPPLEMENT => "我的补充",
                report::message::REVIEW => "我的复查申请",
                _ => "答复",
            },
            text: m.text.clone(),
            on: qinglian_store::time::display_cst(&m.at).chars().take(10).collect(),
            mine: m.kind == report::message::SUPPLEMENT || m.kind == report::message::REVIEW,
        })
        .collect();
    let open = !matches!(
        v.state,
        ReportState::Declined | ReportState::Transferred | ReportState::Forwarded | ReportState::Duplicate
    );
    Ok(Some(FollowPage {
        code_once: code_once.map(|c| grouped(&c)),
        status: v.state.public_label(),
        messages,
        can_supplement: open,
        can_rate: v.state == ReportState::Replied && v.satisfaction.is_empty(),
        rated: rd::SATISFACTION
            .iter()
            .find(|(c, _)| *c == v.satisfaction)
            .map_or("", |(_, l)| l),
        review_until: review_until(app, &v),
        second_review: v.state == ReportState::ReviewAnswered,
        reward: report::reward_of(&app.db, v.id).await?.map(|w| match w.state() {
            qinglian_domain::report::RewardState::Proposed => "经审查符合奖励条件，正在审批".to_string(),
            qinglian_domain::report::RewardState::Approved => {
                format!(
                    "已批准奖励{}元，请携带本人有效身份证件和查询码到信访接待场所领取",
                    w.amount
                )
            }
            qinglian_domain::report::RewardState::Rejected => "经审查不予奖励".to_string(),
            qinglian_domain::report::RewardState::Paid => format!("奖励{}元已于{}发放", w.amount, w.paid_on),
        }),
        ok,
        errors,
        typed,
        v,
    }))
}

/// `/portal/follow`: the followed report, or the form for the receipt code.
pub async fn follow(
    State(app): State<App>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<crate::ui::ListQuery>,
) -> PageResult {
    let ok = q.ok.as_deref().and_then(ok_message);
    follow_with(
        &app,
        &headers,
        ok,
        FormErrors::default(),
        Typed::default(),
        StatusCode::OK,
    )
    .await
}

async fn follow_with(
    app: &App,
    headers: &HeaderMap,
    ok: Option<&'static str>,
    errors: FormErrors,
    typed: Typed,
    status: StatusCode,
) -> PageResult {
    if let Some((hash, code_once)) = ticket(app, headers)
        && let Some(p) = follow_page(app, &hash, code_once, ok, errors, typed).await?
    {
        return Ok(page_with(status, &p));
    }
    Ok(page(&EnterPage {
        error: None,
        code: String::new(),
    }))
}

/// The receipt-code form.
#[derive(Debug, Default, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// A receipt code entered: rate-limited per address (right or wrong); a wrong code says
/// nothing but that it is wrong.
pub async fn follow_enter(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> Response {
    let client = crate::auth::client_ip(&app, &headers, Some(peer));
    let again = |status: StatusCode, msg: String| {
        page_with(
            status,
            &EnterPage {
                error: Some(msg),
                code: f.code.chars().take(40).collect(),
            },
        )
    };
    if let Err(e) = app.public.check_rate(Purpose::Lookup, &client) {
        return again(StatusCode::TOO_MANY_REQUESTS, e.to_string());
    }
    let code = match rd::normalize_receipt_code(&f.code) {
        Ok(c) => c,
        Err(m) => return again(StatusCode::UNPROCESSABLE_ENTITY, m.to_string()),
    };
    let found = async {
        let hash = receipt_hash(&app, &code).await?;
        let exists = report::by_receipt(&app.db, &app.keys, &hash).await?.is_some();
        Ok::<_, AppError>(exists.then_some(hash))
    }
    .await;
    match found {
        Ok(Some(hash)) => {
            let token = put_ticket(&app, hash, None);
            with_ticket(redirect(&headers, "/portal/follow"), &app, &headers, &token)
        }
        Ok(None) => again(StatusCode::NOT_FOUND, "查询码不存在，请核对后重新输入".into()),
        Err(e) => PageError(e).into_response(),
    }
}

/// What the reporter adds.
#[derive(Debug, Default, Deserialize)]
pub struct TextForm {
    #[serde(default)]
    text: String,
}

/// The followed report's id and state, or the code form again when the ticket is gone.
async fn followed(app: &App, headers: &HeaderMap) -> Result<Option<PublicView>, AppError> {
    let Some((hash, _)) = ticket(app, headers) else {
        return Ok(None);
    };
    Ok(report::by_receipt(&app.db, &app.keys, &hash).await?)
}

fn expired() -> Response {
    page_with(
        StatusCode::UNAUTHORIZED,
        &EnterPage {
            error: Some("查询已超时，请重新输入查询码".into()),
            code: String::new(),
        },
    )
}

/// The end of every write on the follow page: redirect with the done message, or the page
/// again with the error and the text typed.
async fn after_write(
    app: &App,
    headers: &HeaderMap,
    result: Result<(), AppError>,
    ok: &'static str,
    typed: Typed,
) -> Response {
    match result {
        Ok(()) => redirect(headers, &format!("/portal/follow?ok={ok}")),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(..) | AppError::TooMany(_) | AppError::Forbidden)) => {
            let status = match e {
                AppError::Conflict(..) => StatusCode::CONFLICT,
                AppError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
                AppError::Forbidden => StatusCode::FORBIDDEN,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let errors = match e {
                AppError::Invalid(pairs) => FormErrors::from_pairs(pairs),
                AppError::Conflict(f, m) => FormErrors::from_pairs(vec![(f, m)]),
                other => FormErrors::from_pairs(vec![("text", other.to_string())]),
            };
            follow_with(app, headers, None, errors, typed, status)
                .await
                .unwrap_or_else(|e| e.into_response())
        }
        Err(e) => PageError(e).into_response(),
    }
}

fn client(app: &App, headers: &HeaderMap, peer: std::net::SocketAddr) -> String {
    crate::auth::client_ip(app, headers, Some(peer))
}

/// The frame of every write on the follow page: the followed report (or the code form again
/// when the ticket is gone), the rate limit, the write in its transaction with its audit entry
/// (no IP), then [`after_write`].
async fn follow_write<F, Fut>(
    app: &App,
    headers: &HeaderMap,
    peer: std::net::SocketAddr,
    ok: &'static str,
    typed: Typed,
    write: F,
) -> Response
where
    F: FnOnce(PublicView, qinglian_store::Tx) -> Fut,
    Fut: std::future::Future<Output = Result<(qinglian_store::Tx, &'static str, String), AppError>>,
{
    let v = match followed(app, headers).await {
        Ok(Some(v)) => v,
        Ok(None) => return expired(),
        Err(e) => return PageError(e).into_response(),
    };
    let id = v.id;
    let result = async {
        app.public.check_rate(Purpose::Follow, &client(app, headers, peer))?;
        let tx = app.db.begin().await?;
        let (mut tx, action, detail) = write(v, tx).await?;
        if !action.is_empty() {
            let ev = qinglian_store::audit::Event::success(action, report::OBJECT_TYPE, id, detail);
            qinglian_store::audit::append(&mut tx, app.mode(), &reporter_performer(app).actor, &ev).await?;
        }
        tx.commit().await?;
        Ok(())
    }
    .await;
    after_write(app, headers, result, ok, typed).await
}

/// The reporter adds information.
pub async fn supplement(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<TextForm>,
) -> Response {
    let a = &app;
    let typed = Typed::of([("text", f.text.clone())]);
    follow_write(&app, &headers, peer, "supplemented", typed, |v, mut tx| async move {
        AppError::check_text("text", "补充内容", &f.text, Limit::Content)?;
        report::supplement(&mut tx, &a.keys, v.id, &f.text).await?;
        report::tell_office(&mut tx, v.id, "举报人补充了材料").await?;
        Ok((tx, "report.supplement", "举报人补充材料".to_string()))
    })
    .await
}

/// The reporter's rating form.
#[derive(Debug, Default, Deserialize)]
pub struct RateForm {
    #[serde(default)]
    satisfaction: String,
}

/// The reporter rates the reply.
pub async fn rate(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<RateForm>,
) -> Response {
    let typed = Typed::of([("satisfaction", f.satisfaction.clone())]);
    follow_write(&app, &headers, peer, "rated", typed, |v, mut tx| async move {
        let code = f.satisfaction.trim();
        report::rate(&mut tx, v.id, code).await?;
        let label = rd::SATISFACTION.iter().find(|(c, _)| *c == code).map_or("", |(_, l)| l);
        Ok((tx, "report.rate", format!("举报人评价：{label}")))
    })
    .await
}

/// The reporter objects to the answer and asks for a review (复查, then 复核), within the window.
pub async fn review(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<TextForm>,
) -> Response {
    let a = &app;
    let typed = Typed::of([("review", f.text.clone())]);
    follow_write(&app, &headers, peer, "review", typed, |v, mut tx| async move {
        if review_until(a, &v).is_none() {
            return Err(AppError::Conflict(
                "text",
                "答复之日起30日内可以申请复查（复查答复后30日内可以申请复核）；已超过期限、尚未答复或已办理终结".into(),
            ));
        }
        AppError::check_text("text", "复查理由", &f.text, Limit::Content)?;
        let input = report::StepInput {
            text: f.text.clone(),
            ..Default::default()
        };
        let action = if v.state == ReportState::ReviewAnswered {
            ReportAction::RequestReReview
        } else {
            ReportAction::RequestReview
        };
        let everything = qinglian_store::Scope::new(vec!["/".into()]);
        let due = due(a);
        let by = reporter_performer(a);
        report::act(
            &mut tx,
            &a.keys,
            &everything,
            v.id,
            action,
            &input,
            a.today(),
            &due,
            &by,
        )
        .await?;
        // The workflow step writes its own audit entry.
        Ok((tx, "", String::new()))
    })
    .await
}

/// Ends the follow visit (forgets the ticket).
pub async fn leave(State(app): State<App>, headers: HeaderMap) -> Response {
    if let Some(token) = ticket_token(&headers) {
        app.follow_tickets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&token);
    }
    with_cookie(
        redirect(&headers, "/portal"),
        &format!("{TICKET_COOKIE}=; Path=/portal; Max-Age=0; HttpOnly; SameSite=Strict"),
    )
}

/// The done message of a write on the follow page.
pub fn ok_message(code: &str) -> Option<&'static str> {
    match code {
        "supplemented" => Some("补充材料已提交"),
        "rated" => Some("感谢您的评价"),
        "review" => Some("申请已提交，我们将在30日内答复"),
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "portal/done.html")]
struct DonePage {
    items: Vec<report::PublicDone>,
}

/// `/portal/done`: 我为群众办实事 — what was done, as the office published it.
pub async fn done(State(app): State<App>) -> PageResult {
    Ok(page(&DonePage {
        items: report::public_done(&app.db, 100).await?,
    }))
}
