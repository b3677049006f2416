//! The official working-day calendar as its administrator meets it (RULES.md §1).
//!
//! A year comes in one way that can be checked by eye: the system admin pastes the State
//! Council General Office's yearly notice, sees it as a month grid, and saves it. The parser
//! (`qinglian_domain::calendar::notice`) reads the notice or names the line it cannot read;
//! nothing is guessed. A year is saved whole or not at all (its seven festivals must be
//! there), the save is audited, and every deadline that waited for the year (待定) gets its due
//! date in the same transaction, its owner told.
//!
//! This module owns the calendar's admin routes, its API operation and its services; the home
//! page asks it for the "next year is missing" warning.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Form, Json, Router};
use chrono::{Datelike, NaiveDate};
use qinglian_domain::calendar::notice::parse_notice;
use qinglian_domain::calendar::{Calendar, DayKind, YearCalendar};
use qinglian_store::audit::{self, Actor, Event, Outcome};
use qinglian_store::permission as perm;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::App;
use crate::auth::Ctx;
use crate::error::{ApiResult, AppError, ErrorBody, PageResult};
use crate::templates::Chrome;
use crate::ui::{page, page_with, redirect};

/// Routes of the calendar administration (the read-only calendar page stays on the home
/// module; the line-entry form is `ui::admin`).
pub fn routes() -> Router<App> {
    Router::new()
        .route("/admin/calendar/notice", post(notice_form))
        .route("/api/v1/calendar/notice", post(notice_api))
}

/// What saving a year did.
#[derive(Debug, Clone)]
pub struct Saved {
    /// The year saved.
    pub year: i32,
    /// Whether data for the year existed before (built in or stored) and was replaced.
    pub replaced: bool,
    /// Deadlines whose pending due date was computed.
    pub resolved: usize,
}

/// Saves one whole year (any way in: notice, line entry), audited, and computes every pending
/// due date the year makes computable — one transaction; then reloads the shared calendar.
pub async fn save_year(app: &App, actor: &Actor, year: &YearCalendar, source: &str) -> Result<Saved, AppError> {
    if let Err(e) = year.validate() {
        let msg = e.first().map(ToString::to_string).unwrap_or_default();
        return Err(AppError::invalid("text", msg));
    }
    year.check_complete()
        .map_err(|e| AppError::invalid("text", e.to_string()))?;
    let before = app.calendar();
    let replaced = before.covers(year.year);
    let mut after = before;
    after.insert_year(year.clone());
    let mut tx = app.db.begin().await?;
    qinglian_store::calendar::save_year(&mut tx, year, &actor.username).await?;
    audit::append(
        &mut tx,
        app.mode(),
        actor,
        &Event {
            action: "calendar.save",
            object_type: "calendar_year",
            object_id: year.year.to_string(),
            outcome: Outcome::Success,
            detail: format!(
                "{}年，{}个特殊日期，来源：{source}{}",
                year.year,
                year.days.len(),
                if replaced { "（替换原有数据）" } else { "" }
            ),
        },
    )
    .await?;
    let resolved = qinglian_store::deadline::resolve_pending(&mut tx, &after).await?;
    qinglian_store::deadline::close_missing_year_requests(&mut tx, year.year).await?;
    if !resolved.is_empty() {
        audit::append(
            &mut tx,
            app.mode(),
            actor,
            &Event {
                action: "calendar.pending_resolved",
                object_type: "calendar_year",
                object_id: year.year.to_string(),
                outcome: Outcome::Success,
                detail: format!(
                    "{}项待定期限已计算：{}",
                    resolved.len(),
                    resolved
                        .iter()
                        .take(20)
                        .map(|r| format!("#{} {}", r.id, r.due_date))
                        .collect::<Vec<_>>()
                        .join("，")
                ),
            },
        )
        .await?;
    }
    tx.commit().await?;
    app.reload_calendar().await?;
    Ok(Saved {
        year: year.year,
        replaced,
        resolved: resolved.len(),
    })
}

/// The warning on a calendar administrator's home page: from 1 November when next year has no
/// calendar, and whenever deadlines wait for a year.
pub async fn missing_year_warning(app: &App, cal: &Calendar, today: NaiveDate) -> Result<Option<String>, AppError> {
    let pending = qinglian_store::deadline::pending_count(&app.db).await?;
    let next = today.year() + 1;
    let missing: Vec<i32> = [today.year(), next]
        .into_iter()
        .filter(|y| !cal.covers(*y) && (*y == today.year() || today.month() >= 11))
        .collect();
    Ok(match (missing.is_empty(), pending) {
        (true, 0) => None,
        (true, n) => Some(format!("有{n}项办理期限待定：所需年份的节假日安排尚未录入。")),
        (false, 0) => Some(format!(
            "尚未录入{}年的节假日安排：跨入该年的工作日期限将记为“待定”。国务院办公厅通知发布后请及时录入。",
            years_text(&missing)
        )),
        (false, n) => Some(format!(
            "尚未录入{}年的节假日安排，已有{n}项办理期限待定；录入后立即自动计算并通知经办人。",
            years_text(&missing)
        )),
    })
}

fn years_text(years: &[i32]) -> String {
    years.iter().map(i32::to_string).collect::<Vec<_>>().join("、")
}

/// `POST /api/v1/calendar/notice` request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NoticeRequest {
    /// The text of 「国务院办公厅关于YYYY年部分节假日安排的通知」, title included.
    pub text: String,
    /// `false` (default): preview, nothing changes; `true`: store the year (replacing it, audited).
    #[serde(default)]
    pub save: bool,
}

/// One special day of the parsed notice.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeDay {
    /// YYYY-MM-DD.
    pub date: String,
    /// `holiday` | `makeup_workday`.
    pub kind: String,
    /// The festival, e.g. 春节 (the same for its make-up working days).
    pub name: String,
}

/// `POST /api/v1/calendar/notice` response.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeResponse {
    /// The year of the notice.
    pub year: i32,
    /// Its holidays and make-up working days, by date.
    pub days: Vec<NoticeDay>,
}

/// The festival a special day belongs to: make-up days are named 「春节调休上班」 inside.
fn festival_name(name: &str) -> &str {
    name.strip_suffix("调休上班").unwrap_or(name)
}

fn notice_response(y: &YearCalendar) -> NoticeResponse {
    NoticeResponse {
        year: y.year,
        days: y
            .days
            .iter()
            .map(|d| NoticeDay {
                date: d.date.format("%Y-%m-%d").to_string(),
                kind: d.kind.as_str().to_string(),
                name: festival_name(&d.name).to_string(),
            })
            .collect(),
    }
}

/// Parse the State Council's yearly holiday notice; preview it, or save it (`save: true`).
#[utoipa::path(post, path = "/api/v1/calendar/notice", request_body = NoticeRequest,
    responses((status = 200, body = NoticeResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    tag = "calendar", security(("bearer" = [])))]
pub async fn notice_api(
    State(app): State<App>,
    ctx: Ctx,
    body: Result<Json<NoticeRequest>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<Json<NoticeResponse>> {
    ctx.require(perm::CONFIG_MANAGE)?;
    let Ok(Json(req)) = body else {
        return Err(AppError::BadRequest("请求体应为JSON：{\"text\": \"通知全文\", \"save\": false}".into()).into());
    };
    let year = parse_notice(&req.text).map_err(|e| AppError::invalid("text", e.to_string()))?;
    if req.save {
        save_year(&app, &ctx.actor(), &year, "国务院办公厅通知（接口）").await?;
    }
    Ok(Json(notice_response(&year)))
}

/// One cell of the month grid.
pub struct GridDay {
    /// Day of month; 0 = an empty cell before the 1st or after the last day.
    pub day: u32,
    /// CSS class: `cal-holiday`, `cal-makeup`, `cal-weekend`, `cal-workday`.
    pub class: &'static str,
    /// Tooltip: the date and the holiday name.
    pub title: String,
    /// 休 / 班 / empty.
    pub mark: &'static str,
}

/// One month of the grid, Monday first.
pub struct GridMonth {
    /// 1–12.
    pub month: u32,
    /// Weeks of seven cells.
    pub weeks: Vec<Vec<GridDay>>,
}

/// The year as a month grid (Monday first), holidays and make-up days marked.
pub fn month_grid(y: &YearCalendar) -> Vec<GridMonth> {
    let mut cal = Calendar::default();
    cal.insert_year(y.clone());
    (1..=12)
        .filter_map(|m| {
            let first = NaiveDate::from_ymd_opt(y.year, m, 1)?;
            let mut cells: Vec<GridDay> = (0..first.weekday().num_days_from_monday())
                .map(|_| GridDay {
                    day: 0,
                    class: "",
                    title: String::new(),
                    mark: "",
                })
                .collect();
            let mut d = first;
            while d.month() == m {
                let info = cal.day(d).ok()?;
                let (class, mark) = match info.kind {
                    DayKind::Holiday => ("cal-holiday", "休"),
                    DayKind::MakeupWorkday => ("cal-makeup", "班"),
                    DayKind::Weekend => ("cal-weekend", ""),
                    DayKind::Weekday => ("cal-workday", ""),
                };
                cells.push(GridDay {
                    day: d.day(),
                    class,
                    title: format!(
                        "{}{}",
                        d.format("%Y-%m-%d"),
                        info.name.map(|n| format!(" {n}")).unwrap_or_default()
                    ),
                    mark,
                });
                d = d.succ_opt()?;
            }
            while !cells.len().is_multiple_of(7) {
                cells.push(GridDay {
                    day: 0,
                    class: "",
                    title: String::new(),
                    mark: "",
                });
            }
            let mut weeks = Vec::new();
            let mut it = cells.into_iter().peekable();
            while it.peek().is_some() {
                weeks.push(it.by_ref().take(7).collect());
            }
            Some(GridMonth { month: m, weeks })
        })
        .collect()
}

/// A festival and its days, for the preview's summary table.
pub struct FestivalRow {
    /// Festival name.
    pub name: String,
    /// Days off, as ranges.
    pub holidays: String,
    /// Number of days off.
    pub count: usize,
    /// Make-up working days.
    pub makeup: String,
}

fn weekday_cn(d: NaiveDate) -> &'static str {
    ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][d.weekday().num_days_from_monday() as usize]
}

/// 「2月5日（周五）」, as the notice writes dates.
fn day_text(d: NaiveDate) -> String {
    format!("{}月{}日（{}）", d.month(), d.day(), weekday_cn(d))
}

/// Festivals in notice order, their days off folded into ranges as the notice writes them
/// (「2月5日（周五）至2月13日（周六）」) so the admin can compare line by line.
fn festival_rows(y: &YearCalendar) -> Vec<FestivalRow> {
    let mut rows: Vec<(FestivalRow, Vec<NaiveDate>, Vec<NaiveDate>)> = Vec::new();
    for d in &y.days {
        let name = festival_name(&d.name).to_string();
        let i = match rows.iter().position(|r| r.0.name == name) {
            Some(i) => i,
            None => {
                rows.push((
                    FestivalRow {
                        name,
                        holidays: String::new(),
                        count: 0,
                        makeup: String::new(),
                    },
                    Vec::new(),
                    Vec::new(),
                ));
                rows.len() - 1
            }
        };
        match d.kind {
            DayKind::Holiday => rows[i].1.push(d.date),
            _ => rows[i].2.push(d.date),
        }
    }
    rows.into_iter()
        .map(|(mut r, mut off, mut work)| {
            off.sort();
            work.sort();
            r.count = off.len();
            let mut ranges: Vec<(NaiveDate, NaiveDate)> = Vec::new();
            for d in off {
                match ranges.last_mut() {
                    Some((_, end)) if end.succ_opt() == Some(d) => *end = d,
                    _ => ranges.push((d, d)),
                }
            }
            r.holidays = ranges
                .iter()
                .map(|(a, b)| {
                    if a == b {
                        day_text(*a)
                    } else {
                        format!("{}至{}", day_text(*a), day_text(*b))
                    }
                })
                .collect::<Vec<_>>()
                .join("、");
            r.makeup = work.into_iter().map(day_text).collect::<Vec<_>>().join("、");
            r
        })
        .collect()
}

#[derive(Template)]
#[template(path = "admin_calendar_notice.html")]
struct NoticePreviewPage {
    chrome: Chrome,
    year: i32,
    replaces: bool,
    text: String,
    festivals: Vec<FestivalRow>,
    months: Vec<GridMonth>,
}

/// The notice form: `action=preview` shows the month grid; `action=save` stores the year.
#[derive(Debug, Deserialize)]
pub struct NoticeForm {
    #[serde(default)]
    notice: String,
    #[serde(default)]
    action: String,
}

/// Paste the notice → preview as a month grid → confirm to save.
pub async fn notice_form(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(f): Form<NoticeForm>,
) -> PageResult {
    ctx.require(perm::CONFIG_MANAGE)?;
    let parsed = if f.action == "edit" {
        Ok(None)
    } else {
        parse_notice(&f.notice).map(Some)
    };
    let year = match parsed {
        Ok(y) => y,
        Err(e) => {
            let page_data =
                crate::ui::admin::calendar_page_with_notice(&app, &ctx, f.notice, vec![e.to_string()]).await?;
            return Ok(page_with(StatusCode::UNPROCESSABLE_ENTITY, &page_data));
        }
    };
    let Some(year) = year else {
        // 返回修改: back to the form with the pasted text kept.
        let page_data = crate::ui::admin::calendar_page_with_notice(&app, &ctx, f.notice, Vec::new()).await?;
        return Ok(page(&page_data));
    };
    if f.action == "save" {
        let saved = match save_year(&app, &ctx.actor(), &year, "国务院办公厅通知").await {
            Ok(s) => s,
            Err(AppError::Invalid(errs)) => {
                let msgs = errs.into_iter().map(|(_, m)| m).collect();
                let page_data = crate::ui::admin::calendar_page_with_notice(&app, &ctx, f.notice, msgs).await?;
                return Ok(page_with(StatusCode::UNPROCESSABLE_ENTITY, &page_data));
            }
            Err(e) => return Err(e.into()),
        };
        let code = if saved.resolved > 0 {
            "calendar_resolved"
        } else {
            "saved"
        };
        return Ok(redirect(&headers, &format!("/admin/calendar?ok={code}")));
    }
    let chrome = Chrome::new(
        &app,
        &ctx,
        "确认节假日安排",
        "/admin/calendar",
        &[("工作日历维护", "/admin/calendar"), ("确认节假日安排", "")],
    )
    .await;
    Ok(page(&NoticePreviewPage {
        chrome,
        replaces: app.calendar().covers(year.year),
        year: year.year,
        festivals: festival_rows(&year),
        months: month_grid(&year),
        text: f.notice,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RULES.md §1 (2026): the grid marks 2月14日 (Saturday) 班 and 2月15日–23日 休.
    #[test]
    fn month_grid_marks_the_2026_spring_festival() {
        let y = YearCalendar::builtin(2026).unwrap();
        let grid = month_grid(&y);
        assert_eq!(grid.len(), 12);
        let feb = &grid[1];
        let cells: Vec<&GridDay> = feb.weeks.iter().flatten().collect();
        assert!(cells.len().is_multiple_of(7));
        let day = |n: u32| cells.iter().find(|c| c.day == n).unwrap();
        assert_eq!(day(14).mark, "班");
        assert!((15..=23).all(|n| day(n).mark == "休"));
        assert_eq!(day(24).class, "cal-workday");
        // 2026-02-01 is a Sunday: six empty cells before it in a Monday-first week.
        assert_eq!(cells.iter().take_while(|c| c.day == 0).count(), 6);
        let rows = festival_rows(&y);
        let spring = rows.iter().find(|r| r.name == "春节").unwrap();
        assert_eq!(spring.count, 9);
        assert_eq!(spring.holidays, "2月15日（周日）至2月23日（周一）");
        assert_eq!(spring.makeup, "2月14日（周六）、2月28日（周六）");
    }
}
