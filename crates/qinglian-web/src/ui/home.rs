//! Home (workbench), notification inbox, deadline warnings and the calendar page.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use chrono::{Datelike, NaiveDate};
use qinglian_domain::calendar::DayKind;
use qinglian_domain::deadline::{DeadlineStatus, Period, due_date};
use qinglian_store::deadline::{self, DeadlineWithStatus};
use qinglian_store::notification::{self, Notification};
use qinglian_store::permission as perm;
use serde::Deserialize;

use super::{ListQuery, page, redirect};
use crate::App;
use crate::auth::Ctx;
use crate::error::{AppError, PageResult};
use crate::list::{self, Export, ListParams, ListSpec, ListView, html};
use crate::templates::Chrome;
use qinglian_office::Cell;
use qinglian_store::sql::Page;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    admin_label: Option<&'static str>,
    warnings: Vec<DeadlineWithStatus>,
    red: usize,
    yellow: usize,
    pending: usize,
    todos: Vec<crate::feature::TodoCard>,
    charts: Vec<crate::charts::Chart>,
    calendar_warning: Option<String>,
    notifications: Vec<Notification>,
    persons: i64,
    orgs: i64,
    today: String,
    today_kind: String,
}

/// The workbench: pending items, red and yellow deadlines, recent notifications.
pub async fn home(State(app): State<App>, ctx: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    let mut chrome = Chrome::new(&app, &ctx, "工作台", "/", &[])
        .await
        .flash_code(q.ok.as_deref());
    chrome.crumbs.truncate(1);
    let today = app.today();
    let cal = app.calendar();
    let calendar_warning = if ctx.principal.can(perm::CONFIG_MANAGE) {
        crate::calendar::missing_year_warning(&app, &cal, today).await?
    } else {
        None
    };
    let warnings = if ctx.principal.can(perm::DEADLINE_READ) && ctx.principal.admin_kind().is_none() {
        deadline::warnings_in_scope(&app.db, ctx.scope(), &cal, today, app.config.deadline.yellow_workdays).await?
    } else {
        Vec::new()
    };
    let todos = if ctx.principal.admin_kind().is_none() {
        crate::feature::todos(&app, &ctx).await?
    } else {
        Vec::new()
    };
    // The leader's view (and anyone's who may read detection rules): charts of the checking.
    let charts =
        if ctx.principal.can(qinglian_domain::data_supervision::PERM_RULES) && ctx.principal.admin_kind().is_none() {
            crate::charts::data_supervision(&app, ctx.scope()).await?
        } else {
            Vec::new()
        };
    let count = |s: DeadlineStatus| warnings.iter().filter(|w| w.status == s).count();
    let (red, yellow, pending) = (
        count(DeadlineStatus::Red),
        count(DeadlineStatus::Yellow),
        count(DeadlineStatus::Pending),
    );
    let (persons, orgs) = if ctx.principal.can(perm::PERSON_READ) {
        let p = qinglian_store::person::list(&app.db, ctx.scope(), &Default::default(), 1, 1)
            .await?
            .total;
        let o = qinglian_store::org::list_in_scope(&app.db, ctx.scope()).await?.len() as i64;
        (p, o)
    } else {
        (0, 0)
    };
    let today_kind = match cal.day(today) {
        Ok(d) => format!(
            "{}{}",
            d.kind.label(),
            d.name.map(|n| format!("（{n}）")).unwrap_or_default()
        ),
        Err(e) => e.to_string(),
    };
    Ok(page(&HomePage {
        admin_label: ctx.principal.admin_kind().map(|k| k.label()),
        notifications: notification::list(&app.db, ctx.principal.user.id, 5).await?,
        chrome,
        red,
        yellow,
        pending,
        todos,
        charts,
        calendar_warning,
        warnings,
        persons,
        orgs,
        today: today.format("%Y年%m月%d日").to_string(),
        today_kind,
    }))
}

/// The inbox, newest first.
static NOTIFICATION_LIST: ListSpec<Notification> = ListSpec {
    id: "notification-list",
    empty_id: "notification-empty",
    path: "/notifications",
    empty: "暂无消息",
    unit: "条",
    default_sort: "id",
    per_page: 20,
    columns: &[
        list::Column {
            label: "标题",
            sort: None,
            class: "",
            html: Some(|n| html::link(&format!("/notifications/{}", n.id), &n.title)),
            excel: None,
        },
        list::Column {
            label: "内容",
            sort: None,
            class: "",
            html: Some(|n| html::text(&n.body)),
            excel: None,
        },
        list::Column {
            label: "时间",
            sort: None,
            class: "nowrap",
            html: Some(|n| html::text(&qinglian_store::time::display_cst(&n.created_at))),
            excel: None,
        },
        list::Column {
            label: "状态",
            sort: None,
            class: "nowrap",
            html: Some(|n| {
                if n.read_at.is_none() {
                    html::tag("未读")
                } else {
                    html::text("已读")
                }
            }),
            excel: None,
        },
    ],
    export: None,
    actions: None,
    select: None,
    paged: true,
};

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    chrome: Chrome,
    list: ListView,
}

/// The inbox.
pub async fn notifications(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
    Query(lp): Query<ListParams>,
) -> PageResult {
    let chrome = Chrome::new(
        &app,
        &ctx,
        "消息通知",
        "/notifications",
        &[("消息通知", "/notifications")],
    )
    .await
    .flash_code(q.ok.as_deref());
    let (pg, per) = lp.paging(NOTIFICATION_LIST.per_page);
    let items = notification::list(&app.db, ctx.principal.user.id, 1000).await?;
    Ok(page(&NotificationsPage {
        chrome,
        list: NOTIFICATION_LIST.view(&Page::of_all(items, pg, per), &[], &lp, false),
    }))
}

/// Open a notification: mark it read and go to its link.
pub async fn notification_open(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<notification::NotificationId>,
) -> PageResult {
    let items = notification::list(&app.db, ctx.principal.user.id, 1000).await?;
    let n = items
        .into_iter()
        .find(|n| n.id == id)
        .ok_or(AppError::NotFound("消息"))?;
    let mut tx = app.db.begin().await?;
    notification::mark_read(&mut tx, ctx.principal.user.id, id).await?;
    tx.commit().await?;
    let to = if n.link.starts_with('/') {
        n.link
    } else {
        "/notifications".to_string()
    };
    Ok(redirect(&headers, &to))
}

/// Mark every notification read.
pub async fn notifications_read_all(State(app): State<App>, ctx: Ctx, headers: HeaderMap) -> PageResult {
    let mut tx = app.db.begin().await?;
    notification::mark_all_read(&mut tx, ctx.principal.user.id).await?;
    tx.commit().await?;
    Ok(redirect(&headers, "/notifications?ok=read"))
}

/// Red, yellow and pending deadlines in the caller's scope, most urgent first.
static DEADLINE_LIST: ListSpec<DeadlineWithStatus> = ListSpec {
    id: "deadline-list",
    empty_id: "deadline-empty",
    path: "/deadlines",
    empty: "您的数据权限范围内暂无临期、逾期或待定的事项",
    unit: "项",
    default_sort: "urgency",
    per_page: 50,
    columns: &[
        list::Column {
            label: "状态",
            sort: None,
            class: "nowrap",
            html: Some(|w| html::status(w.status.as_str(), w.status.label())),
            excel: Some(|w| Cell::Text(w.status.label().into())),
        },
        list::Column {
            label: "事项",
            sort: None,
            class: "",
            html: Some(|w| {
                if w.deadline.link.is_empty() {
                    html::text(&w.deadline.title)
                } else {
                    html::link(&w.deadline.link, &w.deadline.title)
                }
            }),
            excel: Some(|w| Cell::Text(w.deadline.title.clone())),
        },
        list::Column {
            label: "模块",
            sort: None,
            class: "nowrap",
            html: Some(|w| html::text(deadline::module_label(&w.deadline.module))),
            excel: Some(|w| Cell::Text(deadline::module_label(&w.deadline.module).to_string())),
        },
        list::Column {
            label: "责任单位",
            sort: None,
            class: "",
            html: Some(|w| html::text(&w.deadline.org_name)),
            excel: Some(|w| Cell::Text(w.deadline.org_name.clone())),
        },
        list::Column {
            label: "起算日",
            sort: None,
            class: "nowrap",
            html: Some(|w| html::text(&w.deadline.start_date)),
            excel: Some(|w| Cell::Text(w.deadline.start_date.clone())),
        },
        list::Column {
            label: "期限",
            sort: None,
            class: "nowrap",
            html: Some(|w| html::text(w.deadline.due_display())),
            excel: Some(|w| Cell::Text(w.deadline.due_display().to_string())),
        },
        list::Column {
            label: "剩余工作日",
            sort: None,
            class: "num",
            html: Some(|w| match &w.note {
                Some(n) if w.deadline.is_pending() => html::titled("待定（日历未录入）", n),
                Some(n) => html::titled("日历缺失", n),
                None => html::text(&w.workdays_left.to_string()),
            }),
            excel: Some(|w| match &w.note {
                Some(n) => Cell::Text(n.clone()),
                None => Cell::Int(w.workdays_left),
            }),
        },
    ],
    export: Some(Export {
        permission: perm::DEADLINE_READ,
        file: "期限预警.xlsx",
        sheet: "期限预警",
        audit_action: "deadline.export",
        object_type: "deadline",
        limit: 100_000,
        extra: None,
    }),
    actions: None,
    select: None,
    paged: true,
};

#[derive(Template)]
#[template(path = "deadlines.html")]
struct DeadlinesPage {
    chrome: Chrome,
    list: ListView,
    yellow_workdays: u32,
}

async fn scoped_warnings(app: &App, ctx: &Ctx) -> Result<Vec<DeadlineWithStatus>, AppError> {
    ctx.require(perm::DEADLINE_READ)?;
    if ctx.principal.admin_kind().is_some() {
        return Err(AppError::Forbidden);
    }
    Ok(deadline::warnings_in_scope(
        &app.db,
        ctx.scope(),
        &app.calendar(),
        app.today(),
        app.config.deadline.yellow_workdays,
    )
    .await?)
}

/// Everything red, yellow and pending in the user's scope.
pub async fn deadlines(State(app): State<App>, ctx: Ctx, Query(lp): Query<ListParams>) -> PageResult {
    let items = scoped_warnings(&app, &ctx).await?;
    let chrome = Chrome::new(&app, &ctx, "期限预警", "/deadlines", &[("期限预警", "/deadlines")]).await;
    let (pg, per) = lp.paging(DEADLINE_LIST.per_page);
    Ok(page(&DeadlinesPage {
        chrome,
        list: DEADLINE_LIST.view(&Page::of_all(items, pg, per), &[], &lp, true),
        yellow_workdays: app.config.deadline.yellow_workdays,
    }))
}

/// Export the red, yellow and pending list to Excel (audited).
pub async fn deadlines_export(State(app): State<App>, ctx: Ctx) -> PageResult {
    let items = scoped_warnings(&app, &ctx).await?;
    Ok(DEADLINE_LIST.export(&app, &ctx, &items, String::new()).await?)
}

/// One cell of the month grid.
pub struct CalCell {
    /// Day of month (0 = padding).
    pub day: u32,
    /// CSS class.
    pub class: &'static str,
    /// Holiday or make-up name.
    pub name: String,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    year: i32,
    month: u32,
    weeks: Vec<Vec<CalCell>>,
    error: Option<String>,
    prev: String,
    next: String,
    calc_start: String,
    calc_n: String,
    calc_kind: String,
    calc_result: Option<String>,
    years: Vec<i32>,
}

/// Calendar page query.
#[derive(Deserialize, Default)]
pub struct CalendarQuery {
    ym: Option<String>,
    start: Option<String>,
    n: Option<String>,
    kind: Option<String>,
}

/// Month view of the working-day calendar plus a due-date calculator.
pub async fn calendar(State(app): State<App>, ctx: Ctx, Query(q): Query<CalendarQuery>) -> PageResult {
    let chrome = Chrome::new(&app, &ctx, "工作日历", "/calendar", &[("工作日历", "/calendar")]).await;
    let today = app.today();
    let first =
        q.ym.as_deref()
            .and_then(|s| NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").ok())
            .unwrap_or_else(|| today.with_day(1).unwrap_or(today));
    let cal = app.calendar();
    let mut weeks = Vec::new();
    let mut week: Vec<CalCell> = (0..first.weekday().num_days_from_monday())
        .map(|_| CalCell {
            day: 0,
            class: "",
            name: String::new(),
        })
        .collect();
    let mut error = None;
    let mut d = first;
    while d.month() == first.month() {
        let (class, name) = match cal.day(d) {
            Ok(info) => (
                match info.kind {
                    DayKind::Holiday => "cal-holiday",
                    DayKind::MakeupWorkday => "cal-makeup",
                    DayKind::Weekend => "cal-weekend",
                    DayKind::Weekday => "",
                },
                info.name.unwrap_or_default(),
            ),
            Err(e) => {
                error = Some(e.to_string());
                ("", String::new())
            }
        };
        let class = if d == today {
            if class.is_empty() { "cal-today" } else { class }
        } else {
            class
        };
        week.push(CalCell {
            day: d.day(),
            class,
            name,
        });
        if week.len() == 7 {
            weeks.push(std::mem::take(&mut week));
        }
        d = match d.succ_opt() {
            Some(n) => n,
            None => break,
        };
    }
    if !week.is_empty() {
        while week.len() < 7 {
            week.push(CalCell {
                day: 0,
                class: "",
                name: String::new(),
            });
        }
        weeks.push(week);
    }
    let prev = first
        .pred_opt()
        .map(|p| p.format("%Y-%m").to_string())
        .unwrap_or_default();
    let next = d.format("%Y-%m").to_string();
    let calc_result = match (&q.start, &q.n) {
        (Some(s), Some(n)) if !s.is_empty() && !n.is_empty() => Some(
            match (NaiveDate::parse_from_str(s, "%Y-%m-%d"), n.trim().parse::<u32>()) {
                (Ok(start), Ok(n)) if n <= 3650 => {
                    let period = if q.kind.as_deref() == Some("days") {
                        Period::Days(n)
                    } else {
                        Period::Workdays(n)
                    };
                    match due_date(&cal, start, period) {
                        Ok(due) => format!(
                            "自{}起{}，期限届满日为 {}",
                            start.format("%Y-%m-%d"),
                            period,
                            due.format("%Y-%m-%d")
                        ),
                        Err(e) => e.to_string(),
                    }
                }
                (Err(_), _) => "起始日期格式应为YYYY-MM-DD".to_string(),
                _ => "天数应为0–3650之间的整数".to_string(),
            },
        ),
        _ => None,
    };
    Ok(page(&CalendarPage {
        chrome,
        year: first.year(),
        month: first.month(),
        weeks,
        error,
        prev,
        next,
        calc_start: q.start.unwrap_or_else(|| today.format("%Y-%m-%d").to_string()),
        calc_n: q.n.unwrap_or_else(|| "15".into()),
        calc_kind: q.kind.unwrap_or_else(|| "workdays".into()),
        calc_result,
        years: cal.years(),
    }))
}

/// Status CSS class helper for templates.
pub fn status_class(s: &str) -> &'static str {
    match s {
        "red" => "status status-red",
        "yellow" => "status status-yellow",
        "pending" => "status status-pending",
        _ => "status status-green",
    }
}
