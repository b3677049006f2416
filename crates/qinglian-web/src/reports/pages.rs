//! Staff pages of reports: the register (信访件) on the shared list component, the units'
//! queue (交办件), the entry form for every staff channel with duplicate detection, and one
//! report with its time limits, messages, history and the steps its workflow table allows.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::NaiveDate;
use qinglian_domain::report::{Channel, Kind, ReportAction, ReportState};
use qinglian_domain::text::Limit;
use qinglian_domain::workflow::{Action, State as _};
use qinglian_office::Cell;
use qinglian_store::deadline::DeadlineWithStatus;
use qinglian_store::org::OrgId;
use qinglian_store::report::{self, NewReport, Report, ReportFilter, ReportId, StepInput};
use serde::Deserialize;

use super::intake::{self, CATEGORIES, Intake, IntakeFields, LEVELS};
use super::*;
use crate::App;
use crate::auth::Ctx;
use crate::error::{AppError, PageResult};
use crate::list::{self, Export, ListParams, ListSpec, ListView, html};
use crate::templates::{Chrome, FormErrors, Typed};
use crate::ui::org::{OrgRow, choices};
use crate::ui::{page, page_with, redirect};

// ---------------------------------------------------------------------------------------------
// The register
// ---------------------------------------------------------------------------------------------

/// Report list query.
#[derive(Debug, Default, Deserialize)]
pub struct ReportQuery {
    q: Option<String>,
    status: Option<String>,
    kind: Option<String>,
    channel: Option<String>,
    overdue: Option<String>,
    category: Option<String>,
    level: Option<String>,
    from: Option<String>,
    to: Option<String>,
    no_duplicates: Option<String>,
    ok: Option<String>,
}

impl ReportQuery {
    fn filter(&self, app: &App) -> ReportFilter {
        ReportFilter {
            status: self.status.clone(),
            kind: self.kind.clone(),
            channel: self.channel.clone(),
            q: self.q.clone(),
            handler_org_id: None,
            overdue_on: (self.overdue.as_deref() == Some("1")).then(|| app.today().format("%Y-%m-%d").to_string()),
            category: self.category.clone(),
            level: self.level.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            no_duplicates: self.no_duplicates.as_deref() == Some("1"),
            text_ids: Vec::new(),
        }
    }
    fn pairs(&self) -> Vec<(String, String)> {
        list::filters(&[
            ("q", self.q.as_deref()),
            ("status", self.status.as_deref()),
            ("kind", self.kind.as_deref()),
            ("channel", self.channel.as_deref()),
            ("overdue", self.overdue.as_deref()),
            ("category", self.category.as_deref()),
            ("level", self.level.as_deref()),
            ("from", self.from.as_deref()),
            ("to", self.to.as_deref()),
            ("no_duplicates", self.no_duplicates.as_deref()),
        ])
    }
}

fn due_text(r: &Report) -> String {
    match &r.due {
        None => String::new(),
        Some(d) => d.due_date.clone().unwrap_or_else(|| "待定".into()),
    }
}

fn subject_text(r: &Report) -> String {
    if r.subject.org.is_empty() {
        r.subject.name.clone()
    } else {
        format!("{}（{}）", r.subject.name, r.subject.org)
    }
}

/// The register and its export. No column carries who reported: the list is wider than the
/// identity's need-to-know.
pub(super) static REPORT_LIST: ListSpec<Report> = ListSpec {
    id: "reports",
    empty_id: "reports-empty",
    path: "/reports",
    empty: "没有符合条件的信访件",
    unit: "件",
    default_sort: "received",
    per_page: 20,
    columns: &[
        list::Column {
            label: "编号",
            sort: None,
            class: "num",
            html: Some(|r| html::link(&report::link(r.id), &r.id.to_string())),
            excel: Some(|r| Cell::Int(r.id.0)),
        },
        list::Column {
            label: "收到日期",
            sort: Some("received"),
            class: "nowrap",
            html: Some(|r| html::text(&r.received_on)),
            excel: Some(|r| Cell::Code(r.received_on.clone())),
        },
        list::Column {
            label: "类别",
            sort: None,
            class: "nowrap",
            html: Some(|r| html::text(r.kind_label())),
            excel: Some(|r| Cell::Text(r.kind_label().into())),
        },
        list::Column {
            label: "渠道",
            sort: None,
            class: "nowrap",
            html: Some(|r| html::text(r.channel_label())),
            excel: Some(|r| Cell::Text(r.channel_label().into())),
        },
        list::Column {
            label: "实名",
            sort: None,
            class: "nowrap",
            html: Some(|r| html::text(if r.named { "实名" } else { "匿名" })),
            excel: Some(|r| Cell::Text(if r.named { "实名" } else { "匿名" }.into())),
        },
        list::Column {
            label: "被反映人",
            sort: Some("subject"),
            class: "",
            html: Some(|r| html::text(&subject_text(r))),
            excel: Some(|r| Cell::Text(subject_text(r))),
        },
        list::Column {
            label: "级别",
            sort: None,
            class: "nowrap",
            html: None,
            excel: Some(|r| Cell::Text(r.subject.level.clone())),
        },
        list::Column {
            label: "问题类别",
            sort: None,
            class: "",
            html: None,
            excel: Some(|r| Cell::Text(r.category.clone())),
        },
        list::Column {
            label: "标题",
            sort: None,
            class: "",
            html: Some(|r| html::link(&report::link(r.id), &r.title)),
            excel: Some(|r| Cell::Text(r.title.clone())),
        },
        list::Column {
            label: "状态",
            sort: Some("status"),
            class: "nowrap",
            html: Some(|r| html::tag(r.status_label())),
            excel: Some(|r| Cell::Text(r.status_label().into())),
        },
        list::Column {
            label: "承办单位",
            sort: None,
            class: "",
            html: Some(|r| html::text(r.handler_org_name.as_deref().unwrap_or(""))),
            excel: Some(|r| Cell::Text(r.handler_org_name.clone().unwrap_or_default())),
        },
        list::Column {
            label: "期限",
            sort: Some("due"),
            class: "nowrap",
            html: Some(|r| html::text(&due_text(r))),
            excel: Some(|r| Cell::Code(due_text(r))),
        },
        list::Column {
            label: "评价",
            sort: None,
            class: "nowrap",
            html: None,
            excel: Some(|r| Cell::Text(satisfaction_label(&r.satisfaction).into())),
        },
    ],
    export: Some(Export {
        permission: PERM_EXPORT,
        file: "信访件登记簿.xlsx",
        sheet: "信访件",
        audit_action: "report.export",
        object_type: report::OBJECT_TYPE,
        limit: 50_000,
        extra: None,
    }),
    actions: None,
    select: None,
    paged: true,
};

fn satisfaction_label(code: &str) -> &'static str {
    qinglian_domain::report::SATISFACTION
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, l)| l)
}

/// A (code, label) choice.
pub struct Choice {
    /// Code.
    pub code: &'static str,
    /// Label.
    pub label: &'static str,
}

fn state_choices() -> Vec<Choice> {
    ReportState::ALL
        .iter()
        .map(|s| Choice {
            code: s.code(),
            label: s.label(),
        })
        .collect()
}

fn kind_choices() -> Vec<Choice> {
    Kind::ALL
        .iter()
        .map(|k| Choice {
            code: k.code(),
            label: k.label(),
        })
        .collect()
}

fn channel_choices(staff_only: bool) -> Vec<Choice> {
    Channel::ALL
        .iter()
        .filter(|c| !staff_only || c.staff_entered())
        .map(|c| Choice {
            code: c.code(),
            label: c.label(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "reports/list.html")]
struct ListPage {
    chrome: Chrome,
    list: ListView,
    q: ReportQuery,
    heading: &'static str,
    path: &'static str,
    states: Vec<Choice>,
    kinds: Vec<Choice>,
    channels: Vec<Choice>,
    can_register: bool,
    /// Filters set by a link (statistics) that the filter bar does not show, in words.
    filter_note: String,
    /// The unit's queue.
    assigned: bool,
    /// Those filters again, kept when the filter bar is sent.
    hidden_filters: Vec<(&'static str, String)>,
}

/// The filters a statistics link sets that the filter bar has no field for, in words.
fn filter_note(q: &ReportQuery) -> String {
    let mut parts = Vec::new();
    match (q.from.as_deref(), q.to.as_deref()) {
        (Some(f), Some(t)) => parts.push(format!("收到日期 {f} 至 {t}")),
        (Some(f), None) => parts.push(format!("收到日期 {f} 起")),
        (None, Some(t)) => parts.push(format!("收到日期 {t} 止")),
        _ => {}
    }
    if let Some(c) = q.category.as_deref().filter(|c| !c.is_empty()) {
        parts.push(format!("问题类别：{}", if c == "-" { "未填写" } else { c }));
    }
    if let Some(l) = q.level.as_deref().filter(|l| !l.is_empty()) {
        parts.push(format!("级别：{}", if l == "-" { "未知" } else { l }));
    }
    if q.no_duplicates.as_deref() == Some("1") {
        parts.push("不含重复件".into());
    }
    parts.join("；")
}

async fn list_page(app: &App, ctx: &Ctx, q: ReportQuery, lp: &ListParams, assigned: bool) -> PageResult {
    let mut q = q;
    if assigned && q.status.as_deref().is_none_or(str::is_empty) {
        // The queue opens on what waits for the unit, and the filter says so.
        q.status = Some(ReportState::Assigned.code().into());
    }
    let f = q.filter(app);
    let (pg, per) = lp.paging(REPORT_LIST.per_page);
    let sort = lp.sort.as_deref().unwrap_or(REPORT_LIST.default_sort);
    let data = report::list(&app.db, &app.keys, ctx.scope(), &f, sort, lp.desc(), pg, per).await?;
    // The menu's filtered entries (转办件, 逾期件, 办实事诉求) are this one list; the page is named
    // and the menu marked after the entry it was opened from.
    let (heading, path, active) = if assigned {
        ("交办件办理", "/reports/assigned", "/reports/assigned")
    } else {
        match (q.status.as_deref(), q.overdue.as_deref(), q.kind.as_deref()) {
            (Some("transferred"), _, _) => ("转办件", "/reports", "/reports?status=transferred"),
            (_, Some("1"), _) => ("逾期件", "/reports", "/reports?overdue=1"),
            (_, _, Some("service_request")) => ("办实事诉求", "/reports", "/reports?kind=service_request"),
            _ => ("信访件", "/reports", "/reports"),
        }
    };
    Ok(page(&ListPage {
        chrome: chrome(app, ctx, heading, active, &[(heading, "")])
            .await
            .flash_code(q.ok.as_deref()),
        list: REPORT_LIST.view(&data, &q.pairs(), lp, ctx.principal.can(PERM_EXPORT) && !assigned),
        heading,
        path,
        states: if assigned {
            [
                ReportState::Assigned,
                ReportState::ReportedBack,
                ReportState::Concluded,
                ReportState::Replied,
            ]
            .iter()
            .map(|s| Choice {
                code: s.code(),
                label: s.label(),
            })
            .collect()
        } else {
            state_choices()
        },
        filter_note: filter_note(&q),
        hidden_filters: [
            ("from", &q.from),
            ("to", &q.to),
            ("category", &q.category),
            ("level", &q.level),
            ("no_duplicates", &q.no_duplicates),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.clone().filter(|v| !v.is_empty()).map(|v| (k, v)))
        .collect(),
        assigned,
        kinds: kind_choices(),
        channels: channel_choices(false),
        can_register: ctx.principal.can(PERM_REGISTER),
        q,
    }))
}

/// `/reports`: every report in the caller's scope.
pub async fn list(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
    Query(lp): Query<ListParams>,
) -> PageResult {
    ctx.require(PERM_READ)?;
    list_page(&app, &ctx, q, &lp, false).await
}

/// `/reports/assigned`: the unit's queue — reports assigned to a unit in the caller's scope.
pub async fn assigned(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
    Query(lp): Query<ListParams>,
) -> PageResult {
    if !ctx.principal.can(PERM_UNIT) && !ctx.principal.can(PERM_READ) {
        return Err(AppError::Forbidden.into());
    }
    list_page(&app, &ctx, q, &lp, true).await
}

/// The register as Excel (audited; no identity).
pub async fn export(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<ReportQuery>,
    Query(lp): Query<ListParams>,
) -> PageResult {
    ctx.require(PERM_EXPORT)?;
    let sort = lp.sort.as_deref().unwrap_or(REPORT_LIST.default_sort);
    let items = report::list_all(
        &app.db,
        &app.keys,
        ctx.scope(),
        &q.filter(&app),
        sort,
        lp.desc(),
        50_000,
    )
    .await?;
    Ok(REPORT_LIST.export(&app, &ctx, &items, String::new()).await?)
}

// ---------------------------------------------------------------------------------------------
// Entry by staff (来信、来访、来电、信箱、热线、上级转交、下级报送)
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "reports/new.html")]
struct NewPage {
    chrome: Chrome,
    kinds: Vec<Choice>,
    channels: Vec<Choice>,
    levels: &'static [&'static str],
    categories: &'static [&'static str],
    today: String,
    duplicates: Vec<Report>,
    errors: FormErrors,
    typed: Typed,
}

async fn new_page(
    app: &App,
    ctx: &Ctx,
    errors: FormErrors,
    typed: Typed,
    duplicates: Vec<Report>,
) -> Result<NewPage, AppError> {
    Ok(NewPage {
        chrome: chrome(app, ctx, "登记信访件", "/reports/new", &[("登记信访件", "")]).await,
        kinds: kind_choices(),
        channels: channel_choices(true),
        levels: LEVELS,
        categories: CATEGORIES,
        today: app.today().format("%Y-%m-%d").to_string(),
        duplicates,
        errors,
        typed,
    })
}

/// The entry form.
pub async fn new_form(State(app): State<App>, ctx: Ctx) -> PageResult {
    ctx.require(PERM_REGISTER)?;
    Ok(page(
        &new_page(&app, &ctx, FormErrors::default(), Typed::default(), Vec::new()).await?,
    ))
}

/// The entry form's fields.
#[derive(Debug, Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    received_on: String,
    #[serde(default)]
    external_id: String,
    #[serde(default)]
    visitors: String,
    #[serde(default)]
    about_principal: String,
    #[serde(default)]
    belongs_higher: String,
    /// After duplicates were offered: "new" (not a duplicate) or the earlier report's id.
    #[serde(default)]
    duplicate: String,
    #[serde(flatten)]
    fields: IntakeFields,
}

impl RegisterForm {
    fn typed(&self) -> Typed {
        let mut pairs = self.fields.typed();
        pairs.extend([
            ("kind", self.kind.clone()),
            ("channel", self.channel.clone()),
            ("received_on", self.received_on.clone()),
            ("external_id", self.external_id.clone()),
            ("visitors", self.visitors.clone()),
            ("about_principal", self.about_principal.clone()),
            ("belongs_higher", self.belongs_higher.clone()),
            ("duplicate", self.duplicate.clone()),
        ]);
        Typed::of(pairs)
    }
}

/// What the staff's register adds to the common intake.
pub(crate) struct StaffEntry {
    pub kind: Kind,
    pub channel: Channel,
    pub received_on: NaiveDate,
    pub external_id: Option<String>,
    pub visitors: i64,
    pub about_principal: bool,
    pub belongs_higher: bool,
    pub duplicate_of: Option<ReportId>,
}

/// Registers a staff-entered report (page or API) in one transaction and returns it with its
/// receipt code (for the reporter: printed on the acceptance notice or told on the phone).
pub(crate) async fn register_staff(
    app: &App,
    ctx: &Ctx,
    input: &Intake,
    e: &StaffEntry,
) -> Result<(report::Created, Option<String>), AppError> {
    let checked = intake::check(input)?;
    if e.received_on > app.today() {
        return Err(AppError::invalid("received_on", "收到日期不能晚于今天"));
    }
    let org_id = crate::services::commission::of_user(app, ctx, "channel").await?;
    let code = new_receipt_code();
    let hash = receipt_hash(app, &code).await?;
    let r = NewReport {
        org_id,
        kind: e.kind,
        channel: e.channel,
        external_id: e.external_id.clone(),
        reporter: checked.reporter,
        receipt_hash: Some(hash),
        subject: checked.subject,
        category: checked.category,
        title: checked.title,
        content: checked.content,
        happened_on: checked.happened_on,
        place: checked.place,
        visitors: e.visitors,
        received_on: e.received_on,
        about_principal: e.about_principal,
        belongs_higher: e.belongs_higher,
        duplicate_of: e.duplicate_of,
    };
    let first = due(app)(r.first_rule(), e.received_on);
    let mut tx = app.db.begin().await?;
    let created = report::create(&mut tx, &app.keys, &r, first, Some(ctx.principal.user.id)).await?;
    if !created.existing {
        let ev = qinglian_store::audit::Event::success(
            "report.register",
            report::OBJECT_TYPE,
            created.id,
            format!("登记{}（{}）", e.kind.label(), e.channel.label()),
        );
        crate::services::audit::write(app, ctx, &mut tx, ev).await?;
    }
    tx.commit().await?;
    Ok((created, (!created.existing).then_some(code)))
}

/// The entry form, sent: checked; when earlier reports about the same subject exist in the
/// window and the clerk has not decided, the form comes back offering them as 重复件.
pub async fn register(State(app): State<App>, ctx: Ctx, headers: HeaderMap, Form(f): Form<RegisterForm>) -> PageResult {
    ctx.require(PERM_REGISTER)?;
    let again = |errors: FormErrors, dups: Vec<Report>, status: StatusCode| {
        let typed = f.typed();
        let app = app.clone();
        let ctx = &ctx;
        async move { Ok::<_, crate::error::PageError>(page_with(status, &new_page(&app, ctx, errors, typed, dups).await?)) }
    };
    let parsed = (|| {
        let kind = Kind::parse(&f.kind).ok_or_else(|| AppError::invalid("kind", "请选择信访件类别"))?;
        let channel = Channel::parse(&f.channel)
            .filter(|c| c.staff_entered())
            .ok_or_else(|| AppError::invalid("channel", "请选择来源渠道"))?;
        let received_on = NaiveDate::parse_from_str(f.received_on.trim(), "%Y-%m-%d")
            .map_err(|_| AppError::invalid("received_on", "收到日期应为“年-月-日”格式，例如2026-12-07"))?;
        let visitors: i64 = if f.visitors.trim().is_empty() {
            0
        } else {
            f.visitors
                .trim()
                .parse()
                .ok()
                .filter(|n| (0..=10_000).contains(n))
                .ok_or_else(|| AppError::invalid("visitors", "来访人数应为0到10000之间的整数"))?
        };
        AppError::check_text("external_id", "来文编号", &f.external_id, Limit::Code)?;
        let duplicate_of = match f.duplicate.trim() {
            "" | "new" => None,
            id => Some(
                id.parse::<ReportId>()
                    .map_err(|_| AppError::invalid("duplicate", "请选择重复的原件"))?,
            ),
        };
        Ok::<_, AppError>(StaffEntry {
            kind,
            channel,
            received_on,
            external_id: Some(f.external_id.trim().to_string()).filter(|s| !s.is_empty()),
            visitors,
            about_principal: f.about_principal == "1",
            belongs_higher: f.belongs_higher == "1",
            duplicate_of,
        })
    })();
    let entry = match parsed {
        Ok(e) => e,
        Err(AppError::Invalid(pairs)) => {
            return again(
                FormErrors::from_pairs(pairs),
                Vec::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    let input = f.fields.intake(entry.kind);
    if let Err(AppError::Invalid(pairs)) = intake::check(&input) {
        return again(
            FormErrors::from_pairs(pairs),
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    if f.duplicate.trim().is_empty() && !entry.about_principal {
        let dups = report::same_subject(
            &app.db,
            &app.keys,
            ctx.scope(),
            f.fields.subject_name(),
            entry.received_on,
            app.config.report.duplicate_window_days,
        )
        .await?;
        if !dups.is_empty() {
            return again(FormErrors::default(), dups, StatusCode::OK).await;
        }
    }
    match register_staff(&app, &ctx, &input, &entry).await {
        Ok((created, code)) => {
            let mut to = format!("{}?ok=registered", report::link(created.id));
            if let Some(code) = code {
                let token = app.put_download(ctx.principal.user.id, "receipt", code.into_bytes());
                to.push_str(&format!("&receipt={token}"));
            }
            Ok(redirect(&headers, &to))
        }
        Err(AppError::Invalid(pairs)) => {
            again(
                FormErrors::from_pairs(pairs),
                Vec::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(AppError::Conflict(field, m)) => {
            again(
                FormErrors::from_pairs(vec![(field, m)]),
                Vec::new(),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// One report
// ---------------------------------------------------------------------------------------------

/// A step the user may take, with what its form asks for.
pub struct StepForm {
    /// Action code (the URL).
    pub code: &'static str,
    /// Button label.
    pub label: &'static str,
    /// The text field's label, or "" when the step takes no text.
    pub text_label: &'static str,
    /// The text is required.
    pub text_required: bool,
    /// The step chooses a unit (交办).
    pub needs_org: bool,
    /// The step names the earlier report (作为重复件).
    pub needs_duplicate: bool,
    /// 我为群众办实事 at 交办: the promised date is asked.
    pub needs_promise: bool,
    /// 我为群众办实事 at 答复: a summary for the portal may be written.
    pub offers_summary: bool,
    /// A step that ends the matter without handling it (red button).
    pub danger: bool,
}

fn step_form(a: ReportAction, kind: Kind) -> StepForm {
    let (text_label, text_required) = match a {
        ReportAction::Accept | ReportAction::Forward | ReportAction::MarkDuplicate => ("说明", false),
        ReportAction::Unduplicate => ("撤销理由", true),
        ReportAction::Conclude => ("办结情况", false),
        ReportAction::Decline | ReportAction::Transfer | ReportAction::Extend => ("理由（将告知举报人）", true),
        ReportAction::Assign => ("交办要求", false),
        ReportAction::ReportBack => ("办理结果", true),
        ReportAction::Object => ("异议理由（说明不属本单位职责的依据，交办之日起5个工作日内提出）", true),
        ReportAction::ReturnBack => ("退回理由", true),
        ReportAction::Reply | ReportAction::AnswerReview => ("答复内容（举报人凭查询码可见）", true),
        ReportAction::RequestReview => ("复查理由", true),
        ReportAction::RequestReReview => ("复核理由", true),
        ReportAction::AnswerReReview => ("复核意见（举报人凭查询码可见）", true),
    };
    StepForm {
        code: a.code(),
        label: a.label(),
        text_label,
        text_required,
        needs_org: a == ReportAction::Assign,
        needs_duplicate: a == ReportAction::MarkDuplicate,
        needs_promise: a == ReportAction::Assign && kind == Kind::ServiceRequest,
        offers_summary: a == ReportAction::Reply && kind == Kind::ServiceRequest,
        danger: matches!(
            a,
            ReportAction::Decline | ReportAction::MarkDuplicate | ReportAction::Object
        ),
    }
}

/// One line of the history.
pub struct HistoryRow {
    /// When (China time).
    pub at: String,
    /// Action label.
    pub action: &'static str,
    /// 「待受理 → 办理中」.
    pub change: String,
    /// Who.
    pub by: String,
    /// The note.
    pub note: String,
}

#[derive(Template)]
#[template(path = "reports/report.html")]
struct DetailPage {
    chrome: Chrome,
    r: Report,
    receipt_code: Option<String>,
    deadlines: Vec<DeadlineWithStatus>,
    messages: Vec<report::Message>,
    history: Vec<HistoryRow>,
    steps: Vec<StepForm>,
    orgs: Vec<OrgRow>,
    duplicates: Vec<Report>,
    errors: FormErrors,
    typed: Typed,
    /// Text typed into a step the report no longer allows (a stale page): shown, not lost.
    unsaved: Option<String>,
    /// The reporter, while the user's approved disclosure is in force (each view audited).
    identity: Option<report::Reporter>,
    /// Until when (China time).
    identity_until: String,
    /// The user may ask to see the reporter (a handler, a named report, nothing open).
    can_request_disclosure: bool,
    /// The disclosure requests of this report (handlers and leaders see them).
    disclosures: Vec<report::Disclosure>,
    /// The notices its steps produced (.docx).
    notices: Vec<super::documents::Notice>,
    /// The user reads the register (the commission); a unit sees the matter only.
    can_read: bool,
    /// The reporter's files (decrypted on download, metadata removed at upload).
    files: Vec<qinglian_store::attachment::Attachment>,
    /// The reward of a rewarded report, if proposed.
    reward: Option<report::Reward>,
    /// The bands a reward may be proposed in (when the user may propose one now).
    reward_bands: Vec<(String, i64)>,
    /// The reward steps the user may take now (code, label).
    reward_steps: Vec<(&'static str, &'static str)>,
    /// The clue the report became, if any.
    clue: Option<qinglian_store::clue::ClueId>,
    /// The user may turn the report into a clue now.
    can_make_clue: bool,
}

async fn detail_page(
    app: &App,
    ctx: &Ctx,
    id: ReportId,
    ok: Option<&str>,
    receipt_code: Option<String>,
    errors: FormErrors,
    typed: Typed,
) -> Result<DetailPage, AppError> {
    let r = report::get(&app.db, &app.keys, ctx.scope(), id).await?;
    let deadlines = qinglian_store::deadline::open_of(
        &app.db,
        report::OBJECT_TYPE,
        &id.to_string(),
        &app.calendar(),
        app.today(),
        app.config.deadline.yellow_workdays,
    )
    .await?;
    let messages = report::messages(&app.db, &app.keys, id, false).await?;
    let w = r.kind().workflow();
    let events = qinglian_store::workflow::history(&app.db, w.name, id).await?;
    let history = events
        .iter()
        .map(|e| HistoryRow {
            at: qinglian_store::time::display_cst(&e.at),
            action: ReportAction::parse(&e.action).map_or("未知操作", |a| a.label()),
            change: format!(
                "{} → {}",
                ReportState::parse(&e.from_state).map_or("未知", |s| s.label()),
                ReportState::parse(&e.to_state).map_or("未知", |s| s.label())
            ),
            by: if e.by_name.is_empty() {
                "举报人".into()
            } else {
                e.by_name.clone()
            },
            note: e.note.clone(),
        })
        .collect();
    let can = |p: &str| ctx.principal.can(p);
    let mut steps: Vec<StepForm> = w
        .allowed_from(r.state(), &can)
        .map(|t| step_form(t.action, r.kind()))
        .collect();
    // A unit reports back only on what is assigned to a unit in its own scope.
    if r.state() == ReportState::Assigned
        && let Some(h) = r.handler_org_id
        && qinglian_store::org::get(&app.db, ctx.scope(), h).await.is_err()
    {
        steps.retain(|s| s.code != ReportAction::ReportBack.code());
    }
    let duplicates = if r.state() == ReportState::Registered {
        let on = NaiveDate::parse_from_str(&r.received_on, "%Y-%m-%d").unwrap_or(app.today());
        report::same_subject(
            &app.db,
            &app.keys,
            ctx.scope(),
            &r.subject.name,
            on,
            app.config.report.duplicate_window_days,
        )
        .await?
        .into_iter()
        .filter(|d| d.id != r.id)
        .collect()
    } else {
        Vec::new()
    };
    let mut identity = None;
    let mut identity_until = String::new();
    let mut disclosures = Vec::new();
    let mut can_request_disclosure = false;
    if r.named && (ctx.principal.can(PERM_HANDLE) || ctx.principal.can(PERM_DISCLOSE)) {
        disclosures = report::disclosures(&app.db, ctx.scope(), None, Some(id)).await?;
        if let Some(d) = report::active_disclosure(&app.db, id, ctx.principal.user.id).await? {
            identity = report::reporter(&app.db, &app.keys, id).await?;
            identity_until = d
                .expires_at
                .as_deref()
                .map(qinglian_store::time::display_cst)
                .unwrap_or_default();
            // Every view of the identity is audited, naming the approval it rests on.
            crate::services::audit::read(
                app,
                ctx,
                qinglian_store::audit::Event::success(
                    "report.identity_read",
                    report::OBJECT_TYPE,
                    id,
                    format!("查看举报人身份（依据身份披露申请 #{}）", d.id.0),
                ),
            )
            .await?;
        }
        can_request_disclosure = identity.is_none()
            && ctx.principal.can(PERM_HANDLE)
            && !disclosures
                .iter()
                .any(|d| d.requested_by == ctx.principal.user.id && d.status == "requested");
    }
    // A unit gets the 交办函 addressed to it, not the office's letters to the reporter.
    let notices: Vec<_> = super::documents::available(app, &r)
        .await?
        .into_iter()
        .filter(|n| ctx.principal.can(PERM_READ) || *n == super::documents::Notice::Assign)
        .collect();
    let reward = report::reward_of(&app.db, id).await?;
    let reward_bands = if r.kind() == Kind::RewardedReport
        && reward.is_none()
        && matches!(r.state(), ReportState::Concluded | ReportState::Replied)
        && ctx.principal.can(PERM_HANDLE)
    {
        app.config.report.bands().unwrap_or_default()
    } else {
        Vec::new()
    };
    let reward_steps = match &reward {
        Some(w) => qinglian_domain::report::REWARD
            .allowed_from(w.state(), &can)
            .map(|t| (t.action.code(), t.action.label()))
            .collect(),
        None => Vec::new(),
    };
    let files = qinglian_store::attachment::list(&app.db, super::portal::ATTACHMENT_OWNER, &[id.0]).await?;
    let clue = qinglian_store::clue::of_report(&app.db, id).await?;
    let (can_read, state) = (ctx.principal.can(PERM_READ), r.state());
    Ok(DetailPage {
        files,
        can_read: ctx.principal.can(PERM_READ),
        notices,
        reward,
        reward_bands,
        reward_steps,
        can_make_clue: clue.is_none()
            && can_read
            && ctx.principal.can(qinglian_domain::clue::PERM_REGISTER)
            && !matches!(state, ReportState::Duplicate | ReportState::Forwarded),
        clue,
        identity,
        identity_until,
        can_request_disclosure,
        disclosures,
        chrome: if ctx.principal.can(PERM_READ) {
            chrome(
                app,
                ctx,
                &report::item_title(id),
                "/reports",
                &[("信访件", "/reports"), ("信访件详情", "")],
            )
            .await
        } else {
            // A unit reaches a report through its queue.
            chrome(
                app,
                ctx,
                &report::item_title(id),
                "/reports/assigned",
                &[("交办件办理", "/reports/assigned"), ("信访件详情", "")],
            )
            .await
        }
        .flash_code(ok),
        orgs: if steps.iter().any(|s| s.needs_org) {
            // 交办 goes to a unit under supervision, never to the commission's own offices.
            let own = qinglian_store::org::get_unscoped(app.db.pool(), r.org_id).await?.path;
            choices(app, ctx.scope())
                .await?
                .into_iter()
                .filter(|o| !o.org.path.starts_with(&own))
                // The city itself is no 承办单位.
                .filter(|o| o.org.kind != qinglian_store::org::OrgKind::City)
                .collect()
        } else {
            Vec::new()
        },
        receipt_code: receipt_code.map(|c| grouped(&c)),
        deadlines,
        messages,
        history,
        steps,
        duplicates,
        unsaved: None,
        errors,
        typed,
        r,
    })
}

/// Query of the report page.
#[derive(Debug, Default, Deserialize)]
pub struct DetailQuery {
    ok: Option<String>,
    receipt: Option<String>,
}

/// One report: what it says (not who said it), its limits, messages, history and steps.
pub async fn detail(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<ReportId>,
    Query(q): Query<DetailQuery>,
) -> PageResult {
    if !ctx.principal.can(PERM_READ) && !ctx.principal.can(PERM_UNIT) {
        return Err(AppError::Forbidden.into());
    }
    let code = q
        .receipt
        .as_deref()
        .and_then(|t| app.take_download(ctx.principal.user.id, t))
        .and_then(|d| String::from_utf8(d.bytes).ok());
    let p = detail_page(
        &app,
        &ctx,
        id,
        q.ok.as_deref(),
        code,
        FormErrors::default(),
        Typed::default(),
    )
    .await?;
    crate::services::audit::read(
        &app,
        &ctx,
        qinglian_store::audit::Event::success("report.read", report::OBJECT_TYPE, id, "查看信访件"),
    )
    .await?;
    Ok(page(&p))
}

/// A step's form (the API's step request is read into the same fields).
#[derive(Debug, Default, Deserialize)]
pub struct StepFormInput {
    #[serde(default)]
    pub(crate) text: String,
    #[serde(default)]
    pub(crate) org_id: String,
    #[serde(default)]
    pub(crate) duplicate_of: String,
    #[serde(default)]
    pub(crate) promised_on: String,
    #[serde(default)]
    pub(crate) public_summary: String,
}

/// Parses a step's form into the store's input (the unit must be one the user can see).
pub(crate) async fn step_input(
    app: &App,
    ctx: &Ctx,
    action: ReportAction,
    f: &StepFormInput,
) -> Result<StepInput, AppError> {
    AppError::check_text("text", "内容", &f.text, Limit::Explanation)?;
    let org_id = if action == ReportAction::Assign {
        let id: OrgId = f
            .org_id
            .trim()
            .parse()
            .map_err(|_| AppError::invalid("org_id", "请选择承办单位"))?;
        match qinglian_store::org::get(&app.db, ctx.scope(), id).await {
            Err(qinglian_store::StoreError::NotFound(_)) => {
                return Err(AppError::invalid("org_id", "请选择您管辖范围内的承办单位"));
            }
            other => Some(other.map(|_| id)?),
        }
    } else {
        None
    };
    let duplicate_of = if action == ReportAction::MarkDuplicate {
        Some(
            f.duplicate_of
                .trim()
                .trim_start_matches('#')
                .parse::<ReportId>()
                .map_err(|_| AppError::invalid("duplicate_of", "请填写原件编号"))?,
        )
    } else {
        None
    };
    let promised_on = match f.promised_on.trim() {
        "" => None,
        d => Some(
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| AppError::invalid("promised_on", "承诺办结日期应为“年-月-日”格式"))?,
        ),
    };
    Ok(StepInput {
        text: f.text.clone(),
        org_id,
        duplicate_of,
        promised_on: if action == ReportAction::Assign {
            promised_on
        } else {
            None
        },
        public_summary: f.public_summary.clone(),
    })
}

/// Takes one step (the workflow table decides whether it may), in one transaction.
pub(crate) async fn take_step(
    app: &App,
    ctx: &Ctx,
    id: ReportId,
    action: ReportAction,
    input: &StepInput,
) -> Result<ReportState, AppError> {
    let mut tx = app.db.begin().await?;
    let to = report::act(
        &mut tx,
        &app.keys,
        ctx.scope(),
        id,
        action,
        input,
        app.today(),
        &due(app),
        &ctx.performer(app.mode()),
    )
    .await?;
    tx.commit().await?;
    Ok(to)
}

/// `POST /reports/{id}/act/{action}`.
pub async fn act(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((id, action)): Path<(ReportId, String)>,
    Form(f): Form<StepFormInput>,
) -> PageResult {
    let action = ReportAction::parse(&action).ok_or(AppError::NotFound("操作"))?;
    let result = async {
        let input = step_input(&app, &ctx, action, &f).await?;
        take_step(&app, &ctx, id, action, &input).await
    }
    .await;
    match result {
        Ok(_) => Ok(redirect(
            &headers,
            &format!("{}?ok=report_{}", report::link(id), action.code()),
        )),
        Err(e) => {
            let typed = Typed::of([
                ("step", action.code().to_string()),
                ("text", f.text.clone()),
                ("org_id", f.org_id.clone()),
                ("duplicate_of", f.duplicate_of.clone()),
                ("promised_on", f.promised_on.clone()),
                ("public_summary", f.public_summary.clone()),
            ]);
            let stale = !f.text.trim().is_empty();
            detail_error_with(&app, &ctx, id, e, typed, |p| {
                if stale && !p.steps.iter().any(|s| s.code == action.code()) {
                    p.unsaved = Some(f.text.clone());
                }
            })
            .await
        }
    }
}

/// The report page again after a refused write, with the errors and everything typed.
pub(super) async fn detail_error(app: &App, ctx: &Ctx, id: ReportId, e: AppError, typed: Typed) -> PageResult {
    detail_error_with(app, ctx, id, e, typed, |_| {}).await
}

async fn detail_error_with(
    app: &App,
    ctx: &Ctx,
    id: ReportId,
    e: AppError,
    typed: Typed,
    adjust: impl FnOnce(&mut DetailPage),
) -> PageResult {
    let (status, errors) = match e {
        AppError::Invalid(pairs) => (StatusCode::UNPROCESSABLE_ENTITY, FormErrors::from_pairs(pairs)),
        AppError::Conflict(field, msg) => (StatusCode::CONFLICT, FormErrors::from_pairs(vec![(field, msg)])),
        other => return Err(other.into()),
    };
    let mut p = detail_page(app, ctx, id, None, None, errors, typed).await?;
    adjust(&mut p);
    Ok(page_with(status, &p))
}

// ---------------------------------------------------------------------------------------------
// Identity disclosure (身份披露)
// ---------------------------------------------------------------------------------------------

/// The disclosure request form.
#[derive(Debug, Default, Deserialize)]
pub struct DisclosureForm {
    #[serde(default)]
    reason: String,
}

/// A handler asks to see who reported, with a reason; the leaders are told.
pub async fn disclosure_request(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<ReportId>,
    Form(f): Form<DisclosureForm>,
) -> PageResult {
    ctx.require(PERM_HANDLE)?;
    let result = async {
        AppError::check_text("reason", "申请理由", &f.reason, Limit::Note)?;
        let mut tx = app.db.begin().await?;
        report::request_disclosure(&mut tx, ctx.scope(), id, &f.reason, &ctx.performer(app.mode())).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    let again = |status: StatusCode, errors: FormErrors| {
        let typed = Typed::of([("reason", f.reason.clone())]);
        let (app, ctx) = (&app, &ctx);
        async move {
            let p = detail_page(app, ctx, id, None, None, errors, typed).await?;
            Ok::<_, crate::error::PageError>(page_with(status, &p))
        }
    };
    match result {
        Ok(()) => Ok(redirect(
            &headers,
            &format!("{}?ok=disclosure_requested", report::link(id)),
        )),
        Err(AppError::Invalid(pairs)) => again(StatusCode::UNPROCESSABLE_ENTITY, FormErrors::from_pairs(pairs)).await,
        Err(AppError::Conflict(field, m)) => {
            again(StatusCode::CONFLICT, FormErrors::from_pairs(vec![(field, m)])).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "reports/disclosures.html")]
struct DisclosuresPage {
    chrome: Chrome,
    waiting: Vec<report::Disclosure>,
    decided: Vec<report::Disclosure>,
    hours: i64,
    errors: FormErrors,
}

async fn disclosures_page(
    app: &App,
    ctx: &Ctx,
    ok: Option<&str>,
    errors: FormErrors,
) -> Result<DisclosuresPage, AppError> {
    let all = report::disclosures(&app.db, ctx.scope(), None, None).await?;
    let (waiting, decided): (Vec<_>, Vec<_>) = all.into_iter().partition(|d| d.status == "requested");
    Ok(DisclosuresPage {
        chrome: chrome(
            app,
            ctx,
            "身份披露审批",
            "/reports/disclosures",
            &[("身份披露审批", "")],
        )
        .await
        .flash_code(ok),
        waiting,
        decided: decided.into_iter().take(100).collect(),
        hours: app.config.report.disclosure_hours,
        errors,
    })
}

/// `/reports/disclosures`: the requests waiting for the leader and the recent decisions.
pub async fn disclosures(State(app): State<App>, ctx: Ctx, Query(q): Query<crate::ui::ListQuery>) -> PageResult {
    ctx.require(PERM_DISCLOSE)?;
    Ok(page(
        &disclosures_page(&app, &ctx, q.ok.as_deref(), FormErrors::default()).await?,
    ))
}

/// The decision form.
#[derive(Debug, Default, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    note: String,
}

/// The leader approves or rejects a request.
pub async fn disclosure_decide(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((id, action)): Path<(report::DisclosureId, String)>,
    Form(f): Form<DecisionForm>,
) -> PageResult {
    use qinglian_domain::report::DisclosureAction;
    ctx.require(PERM_DISCLOSE)?;
    let action = DisclosureAction::parse(&action).ok_or(AppError::NotFound("操作"))?;
    let result = async {
        AppError::check_text("note", "审批意见", &f.note, Limit::Note)?;
        if action == DisclosureAction::Reject && f.note.trim().is_empty() {
            return Err(AppError::invalid("note", "不批准时请写明理由"));
        }
        let mut tx = app.db.begin().await?;
        report::decide_disclosure(
            &mut tx,
            ctx.scope(),
            id,
            action,
            &f.note,
            app.config.report.disclosure_hours,
            &ctx.performer(app.mode()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Ok(redirect(&headers, "/reports/disclosures?ok=saved")),
        Err(AppError::Invalid(pairs)) => Ok(page_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &disclosures_page(&app, &ctx, None, FormErrors::from_pairs(pairs)).await?,
        )),
        Err(AppError::Conflict(field, m)) => Ok(page_with(
            StatusCode::CONFLICT,
            &disclosures_page(&app, &ctx, None, FormErrors::from_pairs(vec![(field, m)])).await?,
        )),
        Err(e) => Err(e.into()),
    }
}
