//! Cases and outcomes (案件与处理处分, issue #13 §2–3). This part holds the outcomes recorded
//! against roster people — by hand, from the Excel import of past records and through the API
//! — and the four-forms figures derived from them (RULES.md §4). Kinds, forms and effect
//! periods are the domain's (`qinglian_domain::outcome`); records are `qinglian_store::outcome`.

use axum::Router;
use axum::routing::get;
pub(crate) use qinglian_domain::case::{PERM_OUTCOME, PERM_READ, PERM_STATS};

use crate::App;
use crate::auth::Ctx;
use crate::feature::{Feature, MenuEntry};
use crate::templates::Chrome;

pub mod api;
pub mod demo;
pub mod four_forms;
pub mod outcomes;
pub mod records;

/// The module as the router, the menu and the API document see it.
pub const FEATURE: Feature = Feature {
    name: "case",
    routes,
    menu: &[
        MenuEntry::new("案件管理", "案件", "/cases", PERM_READ),
        MenuEntry::new("案件管理", "处理处分结果", "/outcomes", PERM_READ),
        MenuEntry::new("案件管理", "录入处理处分", "/outcomes/new", PERM_OUTCOME),
        MenuEntry::new("案件管理", "四种形态统计", "/cases/four-forms", PERM_STATS),
    ],
    openapi: api::openapi,
    attachments: &[],
    demo: Some(demo::seed),
    todo: None,
};

fn routes(_: &App) -> Router<App> {
    Router::new()
        .route("/outcomes", get(outcomes::list).post(outcomes::create))
        .route("/outcomes/export.xlsx", get(outcomes::export))
        .route("/outcomes/new", get(outcomes::new_form))
        .route("/outcomes/import", get(outcomes::import_form).post(outcomes::import))
        .route("/outcomes/import/template.xlsx", get(outcomes::import_template))
        .route("/cases", get(records::list))
        .route("/cases/{id}", get(records::detail))
        .route("/cases/four-forms", get(four_forms::page_handler))
        .route("/cases/four-forms.xlsx", get(four_forms::export))
        .route("/api/v1/outcomes", get(api::list).post(api::create))
        .route("/api/v1/stats/four-forms", get(api::four_forms))
        .route("/api/v1/outcomes/{id}", get(api::get))
}

pub(crate) async fn chrome(app: &App, ctx: &Ctx, title: &str, active: &str, crumbs: &[(&str, &str)]) -> Chrome {
    let mut all = vec![("案件管理", "")];
    all.extend_from_slice(crumbs);
    Chrome::new(app, ctx, title, active, &all).await
}
