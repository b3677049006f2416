//! Clue pages: the registry on the shared list component (Excel export), the entry form for
//! clues entered by hand, the one-step conversions from a report and from a finding, and one
//! clue with its limit, history and the steps its workflow table allows the user.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::NaiveDate;
use qinglian_domain::clue::{CLUE_WORKFLOW, ClueAction, ClueState, Conclusion, Disposition, RULE_PROPOSE, Source};
use qinglian_domain::text::Limit;
use qinglian_domain::workflow::{Action, State as _};
use qinglian_office::Cell;
use qinglian_store::audit::Event;
use qinglian_store::clue::{self, Clue, ClueFilter, ClueId, NewClue, Subject};
use qinglian_store::data_supervision::FindingId;
use qinglian_store::deadline::DeadlineWithStatus;
use qinglian_store::report::ReportId;
use serde::Deserialize;

use super::*;
use crate::App;
use crate::auth::Ctx;
use crate::error::{AppError, PageResult};
use crate::list::{self, Export, ListParams, ListSpec, ListView, html};
use crate::templates::{Chrome, FormErrors, Typed};
use crate::ui::{page, page_with, redirect};

/// The registry's filters.
#[derive(Debug, Default, Deserialize)]
pub struct ClueQuery {
    q: Option<String>,
    status: Option<String>,
    source: Option<String>,
    overdue: Option<String>,
    ok: Option<String>,
}

impl ClueQuery {
    fn filter(&self, app: &App) -> ClueFilter {
        ClueFilter {
            status: self.status.clone(),
            source: self.source.clone(),
            q: self.q.clone(),
            from: None,
            to: None,
            overdue_on: (self.overdue.as_deref() == Some("1")).then(|| app.today().format("%Y-%m-%d").to_string()),
        }
    }
    fn pairs(&self) -> Vec<(String, String)> {
        [
            ("q", &self.q),
            ("status", &self.status),
            ("source", &self.source),
            ("overdue", &self.overdue),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.clone().filter(|v| !v.is_empty()).map(|v| (k.to_string(), v)))
        .collect()
    }
}

fn subject_text(c: &Clue) -> String {
    [c.subject.name.as_str(), c.subject.org.as_str(), c.subject.post.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("，")
}

/// The registry and its export.
pub(super) static CLUE_LIST: ListSpec<Clue> = ListSpec {
    id: "clues",
    empty_id: "clues-empty",
    path: "/clues",
    empty: "没有符合条件的问题线索",
    unit: "件",
    default_sort: "received",
    per_page: 20,
    columns: &[
        list::Column {
            label: "编号",
            sort: None,
            class: "num",
            html: Some(|c| html::link(&clue::link(c.id), &c.id.to_string())),
            excel: Some(|c| Cell::Int(c.id.0)),
        },
        list::Column {
            label: "收到日期",
            sort: Some("received"),
            class: "nowrap",
            html: Some(|c| html::text(&c.received_on)),
            excel: Some(|c| Cell::Code(c.received_on.clone())),
        },
        list::Column {
            label: "来源",
            sort: None,
            class: "nowrap",
            html: Some(|c| html::text(c.source_label())),
            excel: Some(|c| Cell::Text(c.source_label().into())),
        },
        list::Column {
            label: "被反映人",
            sort: Some("subject"),
            class: "",
            html: Some(|c| html::text(&subject_text(c))),
            excel: Some(|c| Cell::Text(subject_text(c))),
        },
        list::Column {
            label: "级别",
            sort: None,
            class: "nowrap",
            html: None,
            excel: Some(|c| Cell::Text(c.subject.level.clone())),
        },
        list::Column {
            label: "标题",
            sort: None,
            class: "",
            html: Some(|c| html::link(&clue::link(c.id), &c.title)),
            excel: Some(|c| Cell::Text(c.title.clone())),
        },
        list::Column {
            label: "状态",
            sort: Some("status"),
            class: "nowrap",
            html: Some(|c| html::tag(c.status_label())),
            excel: Some(|c| Cell::Text(c.status_label().into())),
        },
        list::Column {
            label: "期限",
            sort: Some("due"),
            class: "nowrap",
            html: Some(|c| html::text(c.due_display())),
            excel: Some(|c| Cell::Code(c.due_display().into())),
        },
    ],
    export: Some(Export {
        permission: PERM_READ,
        file: "问题线索登记表.xlsx",
        sheet: "问题线索",
        audit_action: "clue.export",
        object_type: clue::OBJECT_TYPE,
        limit: 50_000,
        extra: None,
    }),
    actions: None,
    select: None,
    paged: true,
};

/// A code and its label, for selects.
pub struct Choice {
    /// Code.
    pub code: &'static str,
    /// Label.
    pub label: &'static str,
}

fn state_choices(restricted: bool) -> Vec<Choice> {
    ClueState::ALL
        .iter()
        .filter(|s| restricted || !s.restricted())
        .map(|s| Choice {
            code: s.code(),
            label: s.label(),
        })
        .collect()
}

fn source_choices(by_hand: bool) -> Vec<Choice> {
    Source::ALL
        .iter()
        .filter(|s| !by_hand || s.by_hand())
        .map(|s| Choice {
            code: s.code(),
            label: s.label(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "clues/list.html")]
struct ListPage {
    chrome: Chrome,
    list: ListView,
    q: ClueQuery,
    states: Vec<Choice>,
    sources: Vec<Choice>,
    can_register: bool,
    restricted: bool,
}

/// `/clues`.
pub async fn list(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<ClueQuery>,
    Query(lp): Query<ListParams>,
) -> PageResult {
    ctx.require(PERM_READ)?;
    let (pg, per) = lp.paging(CLUE_LIST.per_page);
    let sort = lp.sort.as_deref().unwrap_or(CLUE_LIST.default_sort);
    let r = restricted(&ctx);
    let data = clue::list(
        &app.db,
        &app.keys,
        ctx.scope(),
        r,
        &q.filter(&app),
        sort,
        lp.desc(),
        pg,
        per,
    )
    .await?;
    Ok(page(&ListPage {
        chrome: chrome(&app, &ctx, "问题线索", "/clues", &[("线索登记表", "")])
            .await
            .flash_code(q.ok.as_deref()),
        list: CLUE_LIST.view(&data, &q.pairs(), &lp, true),
        states: state_choices(r),
        sources: source_choices(false),
        can_register: ctx.principal.can(PERM_REGISTER),
        restricted: r,
        q,
    }))
}

/// The registry as Excel (audited).
pub async fn export(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<ClueQuery>,
    Query(lp): Query<ListParams>,
) -> PageResult {
    ctx.require(PERM_READ)?;
    let sort = lp.sort.as_deref().unwrap_or(CLUE_LIST.default_sort);
    let items = clue::list_all(
        &app.db,
        &app.keys,
        ctx.scope(),
        restricted(&ctx),
        &q.filter(&app),
        sort,
        lp.desc(),
        50_000,
    )
    .await?;
    Ok(CLUE_LIST.export(&app, &ctx, &items, String::new()).await?)
}

// ---------------------------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "clues/new.html")]
struct NewPage {
    chrome: Chrome,
    sources: Vec<Choice>,
    levels: &'static [&'static str],
    categories: &'static [&'static str],
    today: String,
    errors: FormErrors,
    typed: Typed,
}

async fn new_page(app: &App, ctx: &Ctx, errors: FormErrors, typed: Typed) -> NewPage {
    NewPage {
        chrome: chrome(app, ctx, "登记问题线索", "/clues/new", &[("登记问题线索", "")]).await,
        sources: source_choices(true),
        levels: crate::reports::intake::LEVELS,
        categories: crate::reports::intake::CATEGORIES,
        today: app.today().format("%Y-%m-%d").to_string(),
        errors,
        typed,
    }
}

/// The entry form.
pub async fn new_form(State(app): State<App>, ctx: Ctx) -> PageResult {
    ctx.require(PERM_REGISTER)?;
    Ok(page(
        &new_page(&app, &ctx, FormErrors::default(), Typed::default()).await,
    ))
}

/// A clue entered by hand (page or API).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ClueFields {
    /// inspection | audit | higher_assigned | routine_supervision | referral | other.
    #[serde(default)]
    pub source: String,
    /// The source's reference (巡察组、审计报告文号…).
    #[serde(default)]
    pub source_ref: String,
    /// The subject's resident ID number, when the subject is in the roster (links the person).
    #[serde(default)]
    pub subject_id_number: String,
    /// Name.
    #[serde(default)]
    pub subject_name: String,
    /// Unit.
    #[serde(default)]
    pub subject_org: String,
    /// Post.
    #[serde(default)]
    pub subject_post: String,
    /// Level.
    #[serde(default)]
    pub subject_level: String,
    /// 问题类别.
    #[serde(default)]
    pub category: String,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// The matter.
    #[serde(default)]
    pub matter: String,
    /// Received on (YYYY-MM-DD; today when empty).
    #[serde(default)]
    pub received_on: String,
}

impl ClueFields {
    fn typed(&self) -> Typed {
        Typed::of(vec![
            ("source", self.source.clone()),
            ("source_ref", self.source_ref.clone()),
            ("subject_id_number", self.subject_id_number.clone()),
            ("subject_name", self.subject_name.clone()),
            ("subject_org", self.subject_org.clone()),
            ("subject_post", self.subject_post.clone()),
            ("subject_level", self.subject_level.clone()),
            ("category", self.category.clone()),
            ("title", self.title.clone()),
            ("matter", self.matter.clone()),
            ("received_on", self.received_on.clone()),
        ])
    }

    /// The checked clue; a roster person by ID number fills the subject's name and unit.
    pub(crate) async fn checked(&self, app: &App, ctx: &Ctx) -> Result<NewClue, AppError> {
        let source = Source::parse(self.source.trim())
            .filter(|s| s.by_hand())
            .ok_or_else(|| AppError::invalid("source", "请选择线索来源（信访件、疑点请在其页面上转为线索）"))?;
        for (field, label, v, limit) in [
            ("source_ref", "来源文号", &self.source_ref, Limit::Title),
            ("subject_name", "被反映人姓名", &self.subject_name, Limit::OrgName),
            ("subject_org", "所在单位", &self.subject_org, Limit::OrgName),
            ("subject_post", "职务", &self.subject_post, Limit::Post),
            ("subject_level", "级别", &self.subject_level, Limit::Rank),
            ("category", "问题类别", &self.category, Limit::Title),
            ("title", "标题", &self.title, Limit::Title),
            ("matter", "主要问题", &self.matter, Limit::Explanation),
        ] {
            AppError::check_text(field, label, v, limit)?;
        }
        let received_on = match self.received_on.trim() {
            "" => app.today(),
            s => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| AppError::invalid("received_on", "收到日期应为“年-月-日”格式，例如2026-12-07"))?,
        };
        if received_on > app.today() {
            return Err(AppError::invalid("received_on", "收到日期不能晚于今天"));
        }
        let mut subject = Subject {
            name: self.subject_name.trim().into(),
            org: self.subject_org.trim().into(),
            post: self.subject_post.trim().into(),
            level: self.subject_level.trim().into(),
        };
        let person = match self.subject_id_number.trim() {
            "" => None,
            id => {
                let p = qinglian_store::person::by_id_number(&app.db, ctx.scope(), id)
                    .await?
                    .ok_or_else(|| {
                        AppError::invalid(
                            "subject_id_number",
                            "人员名册中没有该身份证号的人员（或不在您的数据范围内）",
                        )
                    })?;
                if subject.name.is_empty() {
                    subject.name = p.name.clone();
                } else if subject.name != p.name {
                    return Err(AppError::invalid(
                        "subject_name",
                        format!("身份证号对应的人员是“{}”，与所填姓名不符", p.name),
                    ));
                }
                if subject.org.is_empty() {
                    subject.org = p.org_name.clone();
                }
                if subject.post.is_empty() {
                    subject.post = p.post.clone();
                }
                Some(p.id)
            }
        };
        if subject.name.is_empty() {
            return Err(AppError::invalid("subject_name", "请填写被反映人姓名"));
        }
        if self.title.trim().is_empty() {
            return Err(AppError::invalid("title", "请填写线索标题"));
        }
        if self.matter.trim().is_empty() {
            return Err(AppError::invalid("matter", "请填写反映的主要问题"));
        }
        Ok(NewClue {
            commission_id: crate::services::commission::of_user(app, ctx, "source").await?,
            manager_org_id: None,
            source,
            source_ref: self.source_ref.trim().into(),
            report_id: None,
            finding_id: None,
            person_id: person,
            subject,
            category: self.category.trim().into(),
            title: self.title.trim().into(),
            matter: self.matter.trim().into(),
            received_on,
        })
    }
}

/// Registers a clue in one transaction with its audit entry (what it came from named).
pub(crate) async fn register(app: &App, ctx: &Ctx, c: &NewClue) -> Result<ClueId, AppError> {
    let due = due(app)(RULE_PROPOSE, c.received_on);
    let mut tx = app.db.begin().await?;
    let id = clue::create(&mut tx, &app.keys, ctx.scope(), c, due, Some(ctx.principal.user.id)).await?;
    let from = match (c.report_id, c.finding_id) {
        (Some(r), _) => format!("由信访件 #{} 转入", r.0),
        (_, Some(f)) => format!("由疑点 #{} 转入", f.0),
        _ => format!("来源：{}", c.source.label()),
    };
    crate::services::audit::write(
        app,
        ctx,
        &mut tx,
        Event::success(
            "clue.register",
            clue::OBJECT_TYPE,
            id,
            format!("登记问题线索（{from}）"),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The entry form, sent.
pub async fn create(State(app): State<App>, ctx: Ctx, headers: HeaderMap, Form(f): Form<ClueFields>) -> PageResult {
    ctx.require(PERM_REGISTER)?;
    let result = match f.checked(&app, &ctx).await {
        Ok(c) => register(&app, &ctx, &c).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(redirect(&headers, &format!("{}?ok=clue_registered", clue::link(id)))),
        Err(AppError::Invalid(pairs)) => Ok(page_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &new_page(&app, &ctx, FormErrors::from_pairs(pairs), f.typed()).await,
        )),
        Err(e) => Err(e.into()),
    }
}

/// A report → a clue in one step: every field carried over, the link kept; the reporter stays
/// with the report.
pub(crate) async fn report_to_clue(app: &App, ctx: &Ctx, id: ReportId) -> Result<ClueId, AppError> {
    ctx.require(PERM_REGISTER)?;
    ctx.require(crate::reports::PERM_READ)?;
    let c = clue::from_report(&app.db, &app.keys, ctx.scope(), id).await?;
    register(app, ctx, &c).await
}

/// A confirmed finding → a clue in one step.
pub(crate) async fn finding_to_clue(app: &App, ctx: &Ctx, id: FindingId) -> Result<ClueId, AppError> {
    ctx.require(PERM_REGISTER)?;
    let commission = crate::services::commission::of_user(app, ctx, "finding_id").await?;
    let c = clue::from_finding(&app.db, ctx.scope(), commission, id, app.today()).await?;
    register(app, ctx, &c).await
}

/// `POST /clues/from-report/{id}` (the report page's button).
pub async fn from_report(State(app): State<App>, ctx: Ctx, headers: HeaderMap, Path(id): Path<ReportId>) -> PageResult {
    let cid = report_to_clue(&app, &ctx, id).await?;
    Ok(redirect(&headers, &format!("{}?ok=clue_registered", clue::link(cid))))
}

/// `POST /clues/from-finding/{id}` (the finding page's button).
pub async fn from_finding(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<FindingId>,
) -> PageResult {
    let cid = finding_to_clue(&app, &ctx, id).await?;
    Ok(redirect(&headers, &format!("{}?ok=clue_registered", clue::link(cid))))
}

// ---------------------------------------------------------------------------------------------
// One clue
// ---------------------------------------------------------------------------------------------

/// One row of the history.
pub struct HistoryRow {
    /// When (China time).
    pub at: String,
    /// Action label.
    pub action: &'static str,
    /// From → to.
    pub change: String,
    /// Who.
    pub by: String,
    /// Note.
    pub note: String,
}

/// A step the user may take.
pub struct StepForm {
    /// Action code (`propose` for the four proposals of the triage).
    pub code: &'static str,
    /// Label.
    pub label: &'static str,
    /// The note's label, or "" when none is asked.
    pub note_label: &'static str,
    /// Danger style (return).
    pub danger: bool,
    /// The dispositions the form offers (the triage's proposal): code, label, hint.
    pub dispositions: Vec<(&'static str, &'static str, &'static str)>,
    /// The label of the long text it records (书面说明, 谈话情况), or "".
    pub text_label: &'static str,
    /// It asks for the principal's sign-off.
    pub asks_sign_off: bool,
    /// What the sign-off is called.
    pub sign_off_label: &'static str,
    /// It asks for the day it happened.
    pub day_label: &'static str,
    /// It offers the conclusions of an inquiry.
    pub conclusions: bool,
    /// It asks for the verification team and the plan's due date.
    pub asks_plan: bool,
}

fn step_form(a: ClueAction, principal: bool) -> StepForm {
    StepForm {
        code: a.code(),
        label: a.label(),
        note_label: match a {
            ClueAction::Approve => "审批意见（可不填）",
            ClueAction::Return => "退回理由",
            ClueAction::Reopen => "重新启用的理由",
            ClueAction::ProposeVerification => "转初核的理由",
            ClueAction::SendLetter => "",
            ClueAction::PlanVerification | ClueAction::ProposeFiling => "备注（可不填）",
            ClueAction::RecordTalk | ClueAction::RecordExplanation | ClueAction::ProposeConclusion => "备注（可不填）",
            _ => "集体排查意见",
        },
        danger: a == ClueAction::Return,
        dispositions: Vec::new(),
        text_label: match a {
            ClueAction::RecordExplanation => "书面说明的主要内容",
            ClueAction::RecordTalk => "谈话情况（谈话记录要点）",
            ClueAction::PlanVerification => "初核方案（核实的问题、方法和步骤）",
            ClueAction::ProposeFiling => "初核情况报告",
            _ => "",
        },
        asks_plan: a == ClueAction::PlanVerification,
        asks_sign_off: a == ClueAction::RecordExplanation && !principal,
        sign_off_label: "所在党组织主要负责人签署意见",
        day_label: match a {
            ClueAction::RecordExplanation => "收到说明日期",
            ClueAction::RecordTalk => "谈话日期",
            _ => "",
        },
        conclusions: a == ClueAction::ProposeConclusion,
    }
}

fn disposition_hint(d: Disposition) -> &'static str {
    match d {
        Disposition::Inquiry => "被函询人应在收到函询通知书后15个工作日内书面说明",
        Disposition::Verification => "初核方案确定核实期限",
        Disposition::Shelve => "定期复查",
        Disposition::Close => "不再处置",
    }
}

#[derive(Template)]
#[template(path = "clues/clue.html")]
struct DetailPage {
    chrome: Chrome,
    c: Clue,
    deadlines: Vec<DeadlineWithStatus>,
    history: Vec<HistoryRow>,
    steps: Vec<StepForm>,
    errors: FormErrors,
    typed: Typed,
    can_report: bool,
    can_finding: bool,
    /// The user may link the subject to the roster.
    can_link: bool,
    inquiry: Option<clue::Inquiry>,
    /// The case it became (id, number).
    case: Option<(qinglian_store::case::CaseId, String)>,
    verification: Option<clue::Verification>,
    /// The due date the plan form suggests (`verification_plan`'s default).
    plan_due: String,
    /// The subject is a principal: the explanation goes straight to the commission.
    principal: bool,
    conclusions: Vec<(&'static str, &'static str)>,
}

async fn detail_page(
    app: &App,
    ctx: &Ctx,
    id: ClueId,
    ok: Option<&str>,
    errors: FormErrors,
    typed: Typed,
) -> Result<DetailPage, AppError> {
    let c = clue::get(&app.db, &app.keys, ctx.scope(), restricted(ctx), id).await?;
    crate::services::audit::read(
        app,
        ctx,
        Event::success("clue.read", clue::OBJECT_TYPE, id, "查看问题线索"),
    )
    .await?;
    let deadlines = qinglian_store::deadline::open_of(
        &app.db,
        clue::OBJECT_TYPE,
        &id.to_string(),
        &app.calendar(),
        app.today(),
        app.config.deadline.yellow_workdays,
    )
    .await?;
    let history = qinglian_store::workflow::history(&app.db, CLUE_WORKFLOW.name, id)
        .await?
        .iter()
        .map(|e| HistoryRow {
            at: qinglian_store::time::display_cst(&e.at),
            action: ClueAction::parse(&e.action).map_or("未知操作", |a| a.label()),
            change: format!(
                "{} → {}",
                ClueState::parse(&e.from_state).map_or("未知", |s| s.label()),
                ClueState::parse(&e.to_state).map_or("未知", |s| s.label())
            ),
            by: e.by_name.clone(),
            note: e.note.clone(),
        })
        .collect();
    let can = |p: &str| ctx.principal.can(p);
    let principal = match c.person_id {
        Some(p) => qinglian_store::person::get(&app.db, ctx.scope(), p)
            .await
            .map(|p| p.principal)
            .unwrap_or(false),
        None => false,
    };
    // The four proposals of the triage are one form choosing the disposition (from 待处置 all
    // four; after an inquiry only 转初核 is a proposal of its own).
    let mut steps: Vec<StepForm> = Vec::new();
    for t in CLUE_WORKFLOW.allowed_from(c.state(), &can) {
        match Disposition::ALL.iter().find(|d| d.propose() == t.action) {
            Some(d) if c.state() == ClueState::Registered => {
                if let Some(s) = steps.iter_mut().find(|s| s.code == "propose") {
                    s.dispositions.push((d.code(), d.label(), disposition_hint(*d)));
                } else {
                    let mut s = step_form(t.action, principal);
                    s.code = "propose";
                    s.label = "提出处置意见";
                    s.note_label = "集体排查意见";
                    s.dispositions.push((d.code(), d.label(), disposition_hint(*d)));
                    steps.push(s);
                }
            }
            Some(_) => {
                let mut s = step_form(t.action, principal);
                if c.state() == ClueState::Verifying {
                    s.label = "建议予以了结";
                    s.text_label = "初核情况报告";
                    s.note_label = "备注（可不填）";
                } else {
                    s.label = "转初步核实";
                }
                steps.push(s);
            }
            None => {
                let mut s = step_form(t.action, principal);
                // One action, three things approved: name the one on the page.
                if t.action == ClueAction::Approve {
                    s.label = match c.state() {
                        ClueState::ConclusionProposed => "批准处理意见",
                        ClueState::ProposedFiling => "批准立案",
                        _ => "批准处置意见",
                    };
                }
                if t.action == ClueAction::Approve
                    && c.state() == ClueState::ProposedVerification
                    && principal
                    && app.config.clue.principal_approval
                {
                    s.asks_sign_off = true;
                    s.sign_off_label = "同级党委主要负责人批准意见";
                }
                steps.push(s);
            }
        }
    }
    let title = format!("问题线索 #{}", id.0);
    Ok(DetailPage {
        chrome: chrome(app, ctx, &title, "/clues", &[("线索登记表", "/clues"), (&title, "")])
            .await
            .flash_code(ok),
        can_report: ctx.principal.can(crate::reports::PERM_READ),
        can_link: ctx.principal.can(PERM_REGISTER) || ctx.principal.can(qinglian_domain::clue::PERM_HANDLE),
        can_finding: ctx.principal.can(qinglian_domain::data_supervision::PERM_READ),
        inquiry: clue::inquiry(&app.db, &app.keys, id).await?,
        case: qinglian_store::case::of_clue(&app.db, id).await?,
        verification: clue::verification(&app.db, &app.keys, id).await?,
        plan_due: app
            .today()
            .checked_add_months(chrono::Months::new(3))
            .unwrap_or(app.today())
            .format("%Y-%m-%d")
            .to_string(),
        principal,
        conclusions: Conclusion::ALL.iter().map(|c| (c.code(), c.label())).collect(),
        c,
        deadlines,
        history,
        steps,
        errors,
        typed,
    })
}

/// Query of the clue page.
#[derive(Debug, Default, Deserialize)]
pub struct DetailQuery {
    ok: Option<String>,
}

/// `/clues/{id}`.
pub async fn detail(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<ClueId>,
    Query(q): Query<DetailQuery>,
) -> PageResult {
    ctx.require(PERM_READ)?;
    Ok(page(
        &detail_page(&app, &ctx, id, q.ok.as_deref(), FormErrors::default(), Typed::default()).await?,
    ))
}

/// A step's form (and the API's body of a step).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = ClueStep)]
pub struct StepFields {
    /// The note.
    #[serde(default)]
    pub note: String,
    /// For 提出处置意见: the disposition proposed.
    #[serde(default)]
    pub disposition: String,
    /// The explanation or the talk record.
    #[serde(default)]
    pub text: String,
    /// The principal's sign-off on the explanation.
    #[serde(default)]
    pub sign_off: String,
    /// The day (YYYY-MM-DD) the explanation was received or the talk held.
    #[serde(default)]
    pub day: String,
    /// For 提出处理意见: clear | reminder_talk | criticism | ordered_review | admonition.
    #[serde(default)]
    pub conclusion: String,
    /// For 制定初核方案: the team.
    #[serde(default)]
    pub team: String,
    /// For 制定初核方案: the plan's due date (YYYY-MM-DD).
    #[serde(default)]
    pub due_on: String,
}

impl StepFields {
    /// The store's input (each problem names its field).
    pub(crate) fn input(&self) -> Result<clue::StepInput, AppError> {
        AppError::check_text("note", "意见", &self.note, Limit::Note)?;
        AppError::check_text("text", "说明内容", &self.text, Limit::Explanation)?;
        AppError::check_text("sign_off", "签署意见", &self.sign_off, Limit::Note)?;
        let day = match self.day.trim() {
            "" => None,
            d => Some(
                NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| AppError::invalid("day", "日期应为“年-月-日”格式，例如2026-12-07"))?,
            ),
        };
        let conclusion = match self.conclusion.trim() {
            "" => None,
            c => Some(Conclusion::parse(c).ok_or_else(|| AppError::invalid("conclusion", "请选择处理意见"))?),
        };
        AppError::check_text("team", "初核组成员", &self.team, Limit::Note)?;
        let due_on = match self.due_on.trim() {
            "" => None,
            d => Some(
                NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| AppError::invalid("due_on", "完成期限应为“年-月-日”格式"))?,
            ),
        };
        Ok(clue::StepInput {
            note: self.note.clone(),
            text: self.text.clone(),
            sign_off: self.sign_off.clone(),
            day,
            conclusion,
            team: self.team.clone(),
            due_on,
        })
    }
    fn typed(&self, code: &str) -> Typed {
        Typed::of(vec![
            (format!("{code}.note"), self.note.clone()),
            ("disposition".to_string(), self.disposition.clone()),
            ("text".to_string(), self.text.clone()),
            ("sign_off".to_string(), self.sign_off.clone()),
            ("day".to_string(), self.day.clone()),
            ("conclusion".to_string(), self.conclusion.clone()),
            ("team".to_string(), self.team.clone()),
            ("due_on".to_string(), self.due_on.clone()),
        ])
    }
}

/// The action a posted step names: a proposal names its disposition.
pub(crate) fn action_of(code: &str, disposition: &str) -> Result<ClueAction, AppError> {
    if code == "propose" {
        return Disposition::parse(disposition.trim())
            .map(Disposition::propose)
            .ok_or_else(|| AppError::invalid("disposition", "请选择处置方式"));
    }
    ClueAction::parse(code).ok_or(AppError::NotFound("操作"))
}

/// The prefix of the commission's inquiry letters: its short name + 函 (示纪函).
pub(crate) async fn letter_prefix(app: &App, ctx: &Ctx) -> Result<String, AppError> {
    let commission = crate::services::commission::of_user(app, ctx, "action").await?;
    let name = qinglian_store::org::get_unscoped(app.db.pool(), commission).await?.name;
    Ok(format!("{}函", crate::services::commission::short_name(&name)))
}

/// Takes one step in one transaction (the workflow table guards it).
pub(crate) async fn take_step(
    app: &App,
    ctx: &Ctx,
    id: ClueId,
    a: ClueAction,
    input: &clue::StepInput,
) -> Result<ClueState, AppError> {
    let letter_prefix = letter_prefix(app, ctx).await?;
    let policy = clue::Policy {
        filing_prefix: format!("{}立", letter_prefix.trim_end_matches('函')),
        letter_prefix,
        principal_approval: app.config.clue.principal_approval,
    };
    let mut tx = app.db.begin().await?;
    let state = clue::act(
        &mut tx,
        &app.keys,
        ctx.scope(),
        restricted(ctx),
        id,
        a,
        input,
        &policy,
        app.today(),
        &due(app),
        &ctx.performer(app.mode()),
    )
    .await?;
    tx.commit().await?;
    Ok(state)
}

/// The link form.
#[derive(Debug, Default, Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    id_number: String,
}

/// Links the subject to the roster in one transaction (audited).
pub(crate) async fn link(app: &App, ctx: &Ctx, id: ClueId, id_number: &str) -> Result<(), AppError> {
    if !ctx.principal.can(PERM_REGISTER) && !ctx.principal.can(qinglian_domain::clue::PERM_HANDLE) {
        return Err(AppError::Forbidden);
    }
    if id_number.trim().is_empty() {
        return Err(AppError::invalid("id_number", "请填写被反映人的身份证号"));
    }
    AppError::check_text("id_number", "身份证号", id_number, Limit::Code)?;
    let mut tx = app.db.begin().await?;
    let person = clue::link_person(&mut tx, ctx.scope(), restricted(ctx), id, id_number).await?;
    crate::services::audit::write(
        app,
        ctx,
        &mut tx,
        Event::success(
            "clue.link_person",
            clue::OBJECT_TYPE,
            id,
            format!("关联人员名册（人员 #{}）", person.0),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// `POST /clues/{id}/link`: the subject linked to the roster by ID number.
pub async fn link_person(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<ClueId>,
    Form(f): Form<LinkForm>,
) -> PageResult {
    match link(&app, &ctx, id, &f.id_number).await {
        Ok(()) => Ok(redirect(&headers, &format!("{}?ok=clue_linked", clue::link(id)))),
        Err(AppError::Invalid(pairs)) => Ok(page_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &detail_page(
                &app,
                &ctx,
                id,
                None,
                FormErrors::from_pairs(pairs),
                Typed::of(vec![("link_id_number", f.id_number.clone())]),
            )
            .await?,
        )),
        Err(AppError::Conflict(field, m)) => Ok(page_with(
            StatusCode::CONFLICT,
            &detail_page(
                &app,
                &ctx,
                id,
                None,
                FormErrors::from_pairs(vec![(field, m)]),
                Typed::default(),
            )
            .await?,
        )),
        Err(e) => Err(e.into()),
    }
}

/// `POST /clues/{id}/act/{action}`.
pub async fn act(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((id, code)): Path<(ClueId, String)>,
    Form(f): Form<StepFields>,
) -> PageResult {
    ctx.require(PERM_READ)?;
    let r = match (action_of(&code, &f.disposition), f.input()) {
        (Ok(a), Ok(input)) => take_step(&app, &ctx, id, a, &input).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match r {
        Ok(_) => {
            let known = crate::ui::flash_message(Some(&format!("clue_{code}"))).is_some();
            let ok = if known {
                format!("clue_{code}")
            } else {
                "clue_act".into()
            };
            Ok(redirect(&headers, &format!("{}?ok={ok}", clue::link(id))))
        }
        Err(AppError::Conflict(field, m)) => Ok(page_with(
            StatusCode::CONFLICT,
            &detail_page(
                &app,
                &ctx,
                id,
                None,
                FormErrors::from_pairs(vec![(field, m)]),
                f.typed(&code),
            )
            .await?,
        )),
        Err(AppError::Invalid(pairs)) => {
            let typed = f.typed(&code);
            Ok(page_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &detail_page(&app, &ctx, id, None, FormErrors::from_pairs(pairs), typed).await?,
            ))
        }
        Err(e) => Err(e.into()),
    }
}
