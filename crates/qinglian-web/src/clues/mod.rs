//! Problem clues (问题线索, issue #13 §1): the registry — by hand for 巡视巡察, 审计, 上级交办,
//! 日常监督 and 其他机关移送, and in one step from a report or a confirmed data-supervision
//! finding (every field carried over, the link kept) — and the disposition workflow: a proposal
//! from the collective triage (集体排查), the approval, and the clue on to 谈话函询, 初步核实,
//! 暂存待查 or 予以了结. Shelved and closed clues are shown only with `clue.restricted`.
//!
//! The module shape (docs/ARCHITECTURE.md): permissions, sources and the workflow table in
//! `qinglian_domain::clue`; records in `qinglian_store::clue`; templates in `templates/clues/`.

use axum::Router;
use axum::routing::{get, post};
use chrono::NaiveDate;
pub(crate) use qinglian_domain::clue::{PERM_HANDLE, PERM_READ, PERM_REGISTER, PERM_RESTRICTED};
use qinglian_domain::deadline::Due;

use crate::App;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::feature::{Feature, MenuEntry, TodoCard};
use crate::templates::Chrome;

pub mod api;
pub mod demo;
pub mod documents;
pub mod pages;
pub mod triage;

/// The module as the router, the menu and the API document see it.
pub const FEATURE: Feature = Feature {
    name: "clue",
    routes,
    menu: &[
        MenuEntry::new("问题线索", "问题线索", "/clues", PERM_READ),
        MenuEntry::new("问题线索", "登记问题线索", "/clues/new", PERM_REGISTER),
        MenuEntry::new("问题线索", "集体排查", "/clues/triage", PERM_HANDLE),
    ],
    openapi: api::openapi,
    attachments: &[],
    demo: Some(demo::seed),
    todo: Some(todo),
};

fn routes(_: &App) -> Router<App> {
    Router::new()
        .route("/clues", get(pages::list).post(pages::create))
        .route("/clues/export.xlsx", get(pages::export))
        .route("/clues/new", get(pages::new_form))
        .route("/clues/triage", get(triage::form).post(triage::record))
        .route("/clues/triage/{id}", get(triage::meeting))
        .route("/clues/triage/{id}/minutes.docx", get(triage::minutes_docx))
        .route("/clues/{id}", get(pages::detail))
        .route("/clues/{id}/act/{action}", post(pages::act))
        .route("/clues/{id}/link", post(pages::link_person))
        .route("/clues/{id}/inquiry-letter.docx", get(documents::download))
        .route("/clues/from-report/{id}", post(pages::from_report))
        .route("/clues/from-finding/{id}", post(pages::from_finding))
        .route("/api/v1/clues", get(api::list).post(api::create))
        .route("/api/v1/clues/{id}", get(api::get))
        .route("/api/v1/clues/{id}/link", post(api::link))
        .route("/api/v1/clues/{id}/{action}", post(api::act))
}

/// The clues waiting for this user: one card per state out of which the user may act.
fn todo<'a>(app: &'a App, ctx: &'a Ctx) -> crate::feature::BoxFuture<'a, Result<Vec<TodoCard>, AppError>> {
    Box::pin(async move {
        if !ctx.principal.can(PERM_READ) {
            return Ok(Vec::new());
        }
        let can = |p: &str| ctx.principal.can(p);
        let cards = qinglian_store::clue::todo(&app.db, ctx.scope(), &can, app.today()).await?;
        Ok(cards
            .into_iter()
            .map(|t| {
                use qinglian_domain::clue::ClueState;
                use qinglian_domain::workflow::State as _;
                TodoCard {
                    id: format!("todo-clue-{}", t.state.code()),
                    href: format!("/clues?status={}", t.state.code()),
                    label: match t.state {
                        ClueState::Registered => "待提出处置意见的线索".to_string(),
                        s if s.proposed().is_some() => {
                            format!("待审批线索（{}）", s.proposed().map_or("", |d| d.label()))
                        }
                        s => format!("{}线索", s.label()),
                    },
                    count: t.counts.count,
                    nearest_due: t.counts.nearest_due,
                    overdue: t.counts.overdue,
                    pending: t.counts.pending,
                }
            })
            .collect())
    })
}

pub(crate) async fn chrome(app: &App, ctx: &Ctx, title: &str, active: &str, crumbs: &[(&str, &str)]) -> Chrome {
    let mut all = vec![("问题线索", if ctx.principal.can(PERM_READ) { "/clues" } else { "" })];
    all.extend_from_slice(crumbs);
    Chrome::new(app, ctx, title, active, &all).await
}

/// The due date of a clue's limit `rule` triggered on `start`, on the official calendar.
pub(crate) fn due(app: &App) -> impl Fn(&str, NaiveDate) -> Due + Send + Sync + use<> {
    let cal = app.calendar();
    move |rule, start| qinglian_domain::rules::due(&cal, rule, start)
}

/// Whether the user may see shelved and closed clues.
pub(crate) fn restricted(ctx: &Ctx) -> bool {
    ctx.principal.can(PERM_RESTRICTED)
}
