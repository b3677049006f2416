//! Statistics of reports (信访举报统计): a period (a year, or one quarter of it — the quarterly
//! feedback to the reports office, RULES.md §2), counts by kind, channel, category, subject
//! level, state and assigned unit, overdue, the satisfaction rate; charts whose every figure
//! opens the reports behind it, and the same tables as Excel.

use askama::Template;
use axum::extract::{Query, State};
use chrono::Datelike;
use qinglian_domain::report::{Channel, Kind, ReportState, SATISFACTION};
use qinglian_domain::workflow::State as _;
use qinglian_office::Cell;
use qinglian_store::report::{self, Count, Stats};

use super::*;
use crate::App;
use crate::auth::Ctx;
use crate::charts::{Chart, Item, bars, ring};
use crate::error::{AppError, PageResult};
use crate::services::period::{Period, PeriodQuery};
use crate::templates::Chrome;
use crate::ui::page;

/// One table of the page: a dimension's title and its rows (label, count, list URL).
pub struct Table {
    /// Title.
    pub title: &'static str,
    /// Sheet name.
    pub sheet: &'static str,
    /// Column header of the dimension.
    pub header: &'static str,
    /// Rows.
    pub rows: Vec<Item>,
}

fn list_url(p: &Period, filter: &str) -> String {
    format!("/reports?from={}&to={}&no_duplicates=1&{filter}", p.from, p.to)
}

fn items(counts: &[Count], p: &Period, param: &str, label: impl Fn(&Count) -> String) -> Vec<Item> {
    counts
        .iter()
        .map(|c| Item {
            label: label(c),
            value: c.count,
            url: list_url(
                p,
                &format!(
                    "{param}={}",
                    crate::ui::enc(if c.key.is_empty() { "-" } else { &c.key })
                ),
            ),
        })
        .collect()
}

fn tables(s: &Stats, p: &Period) -> Vec<Table> {
    let or_none = |l: &str, none: &str| if l.is_empty() { none.to_string() } else { l.to_string() };
    vec![
        Table {
            title: "按来源渠道",
            sheet: "按渠道",
            header: "渠道",
            rows: items(&s.by_channel, p, "channel", |c| {
                Channel::parse(&c.key).map_or(c.key.clone(), |x| x.label().to_string())
            }),
        },
        Table {
            title: "按类别",
            sheet: "按类别",
            header: "类别",
            rows: items(&s.by_kind, p, "kind", |c| {
                Kind::parse(&c.key).map_or(c.key.clone(), |x| x.label().to_string())
            }),
        },
        Table {
            title: "按问题类别",
            sheet: "按问题类别",
            header: "问题类别",
            rows: items(&s.by_category, p, "category", |c| or_none(&c.label, "未填写")),
        },
        Table {
            title: "按被反映人级别",
            sheet: "按级别",
            header: "级别",
            rows: items(&s.by_level, p, "level", |c| or_none(&c.label, "未知")),
        },
        Table {
            title: "按办理状态",
            sheet: "按状态",
            header: "状态",
            rows: items(&s.by_status, p, "status", |c| {
                ReportState::parse(&c.key).map_or(c.key.clone(), |x| x.label().to_string())
            }),
        },
        Table {
            title: "按承办单位（交办）",
            sheet: "按承办单位",
            header: "承办单位",
            rows: s
                .by_unit
                .iter()
                .map(|c| Item {
                    label: c.label.clone(),
                    value: c.count,
                    url: format!("/reports?from={}&to={}&no_duplicates=1", p.from, p.to),
                })
                .collect(),
        },
    ]
}

#[derive(Template)]
#[template(path = "reports/stats.html")]
struct StatsPage {
    chrome: Chrome,
    period: Period,
    years: Vec<i32>,
    stats: Stats,
    rate: String,
    satisfaction: Vec<(String, i64)>,
    tables: Vec<Table>,
    charts: Vec<Chart>,
    export_href: String,
}

/// `/reports/stats`.
pub async fn page_handler(State(app): State<App>, ctx: Ctx, Query(q): Query<PeriodQuery>) -> PageResult {
    ctx.require(PERM_READ)?;
    let today = app.today();
    let p = q.period(today)?;
    let s = report::stats(&app.db, ctx.scope(), &p.from.to_string(), &p.to.to_string(), today).await?;
    let tables = tables(&s, &p);
    let charts = vec![
        Chart {
            id: "chart-report-channel",
            title: "来源渠道",
            option: ring("件", &tables[0].rows).to_string(),
        },
        Chart {
            id: "chart-report-category",
            title: "问题类别",
            option: bars("信访件", &tables[2].rows).to_string(),
        },
        Chart {
            id: "chart-report-status",
            title: "办理状态",
            option: ring("件", &tables[4].rows).to_string(),
        },
        Chart {
            id: "chart-report-level",
            title: "被反映人级别",
            option: bars("信访件", &tables[3].rows).to_string(),
        },
    ];
    let rate = s
        .satisfaction_rate()
        .map_or_else(|| "—".to_string(), |r| format!("{r:.1}%"));
    let satisfaction = SATISFACTION
        .iter()
        .map(|(c, l)| {
            (
                l.to_string(),
                s.satisfaction.iter().find(|x| x.key == *c).map_or(0, |x| x.count),
            )
        })
        .collect();
    let export_href = format!("/reports/stats.xlsx?year={}&quarter={}", p.year, p.quarter);
    Ok(page(&StatsPage {
        chrome: chrome(&app, &ctx, "信访举报统计", "/reports/stats", &[("统计分析", "")]).await,
        years: (today.year() - 4..=today.year()).rev().collect(),
        period: p,
        rate,
        satisfaction,
        tables,
        charts,
        export_href,
        stats: s,
    }))
}

/// `/reports/stats.xlsx`: the same tables, one sheet each, with a summary sheet.
pub async fn export(State(app): State<App>, ctx: Ctx, Query(q): Query<PeriodQuery>) -> PageResult {
    ctx.require(PERM_EXPORT)?;
    let today = app.today();
    let p = q.period(today)?;
    let s = report::stats(&app.db, ctx.scope(), &p.from.to_string(), &p.to.to_string(), today).await?;
    let tables = tables(&s, &p);
    let summary = vec![
        vec![
            Cell::Text("统计期间".into()),
            Cell::Text(format!("{}（{} 至 {}）", p.name, p.from, p.to)),
        ],
        vec![Cell::Text("收到信访件".into()), Cell::Int(s.total)],
        vec![Cell::Text("逾期未办结".into()), Cell::Int(s.overdue)],
        vec![
            Cell::Text("满意率".into()),
            Cell::Text(s.satisfaction_rate().map_or("—".into(), |r| format!("{r:.1}%"))),
        ],
    ];
    let rows: Vec<Vec<Vec<Cell>>> = tables
        .iter()
        .map(|t| {
            t.rows
                .iter()
                .map(|i| vec![Cell::Text(i.label.clone()), Cell::Int(i.value)])
                .collect()
        })
        .collect();
    let headers: Vec<[&str; 2]> = tables.iter().map(|t| [t.header, "件数"]).collect();
    let mut sheets: Vec<qinglian_office::ExportSheet<'_>> = vec![("总体情况", &["项目", "数值"], &summary)];
    for (i, t) in tables.iter().enumerate() {
        sheets.push((t.sheet, &headers[i], &rows[i]));
    }
    let bytes = qinglian_office::export_xlsx_sheets(&sheets).map_err(|e| AppError::Internal(e.into()))?;
    crate::services::audit::read(
        &app,
        &ctx,
        qinglian_store::audit::Event::success(
            "report.stats_export",
            report::OBJECT_TYPE,
            "",
            format!("导出{}信访举报统计", p.name),
        ),
    )
    .await?;
    Ok(crate::ui::xlsx::download(
        &format!("信访举报统计-{}.xlsx", p.name),
        crate::ui::xlsx::XLSX,
        bytes,
    ))
}
