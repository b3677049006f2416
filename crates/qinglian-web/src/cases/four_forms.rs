//! Four-forms statistics (四种形态统计, RULES.md §4): 人次 per form and its share for a period,
//! in all and per unit, one person in one case counted once in the heaviest form. Every figure
//! opens the outcomes it counts; the chart does the same; the tables export to Excel.

use askama::Template;
use axum::extract::{Query, State};
use qinglian_domain::outcome::{FourForms, form_label};
use qinglian_office::Cell;
use qinglian_store::outcome::{self, UnitForms};

use super::*;
use crate::App;
use crate::auth::Ctx;
use crate::charts::{Chart, Item, ring};
use crate::error::{AppError, PageResult};
use crate::services::period::{Period, PeriodQuery, years};
use crate::templates::Chrome;
use crate::ui::page;

/// One form's figure.
pub struct FormFigure {
    /// 1–4.
    pub form: u8,
    /// 第一种形态….
    pub label: &'static str,
    /// 人次.
    pub count: i64,
    /// Share, e.g. "62.5%".
    pub share: String,
    /// The outcomes it counts.
    pub url: String,
}

/// One unit's row.
pub struct UnitRow {
    /// Unit name.
    pub name: String,
    /// 人次 in all.
    pub total: i64,
    /// Per form: count and the URL of its records.
    pub forms: Vec<(i64, String)>,
}

fn list_url(p: &Period, extra: &str) -> String {
    format!("/outcomes?from={}&to={}{extra}", p.from, p.to)
}

fn figures(f: &FourForms, p: &Period, org: Option<i64>) -> Vec<FormFigure> {
    let org = org.map(|o| format!("&org_id={o}")).unwrap_or_default();
    (1..=4u8)
        .map(|i| FormFigure {
            form: i,
            label: form_label(i),
            count: f.forms[usize::from(i - 1)],
            share: format!("{:.1}%", f.share(i)),
            url: list_url(p, &format!("&counted_form={i}{org}")),
        })
        .collect()
}

fn unit_rows(units: &[UnitForms], p: &Period) -> Vec<UnitRow> {
    units
        .iter()
        .map(|u| UnitRow {
            name: u.org_name.clone(),
            total: u.forms.person_times(),
            forms: figures(&u.forms, p, u.org_id.map(|o| o.0))
                .into_iter()
                .map(|f| (f.count, f.url))
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "cases/four_forms.html")]
struct StatsPage {
    chrome: Chrome,
    period: Period,
    years: Vec<i32>,
    total: i64,
    figures: Vec<FormFigure>,
    units: Vec<UnitRow>,
    chart: Option<Chart>,
    export_href: String,
}

async fn compute(app: &App, ctx: &Ctx, p: &Period) -> Result<(FourForms, Vec<UnitForms>), AppError> {
    let (from, to) = (p.from.to_string(), p.to.to_string());
    let total = outcome::four_forms(&app.db, ctx.scope(), &from, &to, None).await?;
    let units = outcome::four_forms_by_unit(&app.db, ctx.scope(), &from, &to, None, true).await?;
    Ok((total, units))
}

/// `/cases/four-forms`.
pub async fn page_handler(State(app): State<App>, ctx: Ctx, Query(q): Query<PeriodQuery>) -> PageResult {
    if !ctx.principal.can(PERM_STATS) && !ctx.principal.can(PERM_READ) {
        return Err(AppError::Forbidden.into());
    }
    let today = app.today();
    let p = q.period(today)?;
    let (total, units) = compute(&app, &ctx, &p).await?;
    let figs = figures(&total, &p, None);
    let chart = (total.person_times() > 0).then(|| Chart {
        id: "chart-four-forms",
        title: "四种形态占比",
        option: ring(
            "人次",
            &figs
                .iter()
                .map(|f| Item {
                    label: f.label.into(),
                    value: f.count,
                    url: f.url.clone(),
                })
                .collect::<Vec<_>>(),
        )
        .to_string(),
    });
    Ok(page(&StatsPage {
        chrome: chrome(&app, &ctx, "四种形态统计", "/cases/four-forms", &[("四种形态统计", "")]).await,
        export_href: format!("/cases/four-forms.xlsx?year={}&quarter={}", p.year, p.quarter),
        years: years(today),
        total: total.person_times(),
        figures: figs,
        units: unit_rows(&units, &p),
        chart,
        period: p,
    }))
}

/// The figures as Excel: the total and every unit (audited).
pub async fn export(State(app): State<App>, ctx: Ctx, Query(q): Query<PeriodQuery>) -> PageResult {
    if !ctx.principal.can(PERM_STATS) && !ctx.principal.can(PERM_READ) {
        return Err(AppError::Forbidden.into());
    }
    let p = q.period(app.today())?;
    let (total, units) = compute(&app, &ctx, &p).await?;
    let row = |name: String, f: &FourForms| {
        let mut r = vec![Cell::Text(name), Cell::Int(f.person_times())];
        for i in 1..=4u8 {
            r.push(Cell::Int(f.forms[usize::from(i - 1)]));
            r.push(Cell::Text(format!("{:.1}%", f.share(i))));
        }
        r
    };
    let mut rows = vec![row(format!("合计（{}）", p.name), &total)];
    rows.extend(units.iter().map(|u| row(u.org_name.clone(), &u.forms)));
    let headers = [
        "单位",
        "合计人次",
        "第一种形态",
        "占比",
        "第二种形态",
        "占比",
        "第三种形态",
        "占比",
        "第四种形态",
        "占比",
    ];
    let bytes = qinglian_office::export_xlsx_sheets(&[("四种形态", &headers, &rows)])
        .map_err(|e| AppError::Internal(e.into()))?;
    crate::services::audit::read(
        &app,
        &ctx,
        qinglian_store::audit::Event::success(
            "case.four_forms_export",
            outcome::OBJECT_TYPE,
            "",
            format!("导出{}四种形态统计", p.name),
        ),
    )
    .await?;
    Ok(crate::ui::xlsx::download(
        &format!("四种形态统计（{}）.xlsx", p.name),
        crate::ui::xlsx::XLSX,
        bytes,
    ))
}
