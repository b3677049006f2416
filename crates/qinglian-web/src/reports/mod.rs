//! Reports (信访举报, issue #12): the public portal, the one register of every channel, the
//! handling workflow with its legal time limits, and reporter protection.
//!
//! The module shape (docs/ARCHITECTURE.md): [`FEATURE`] exports routes, menu, OpenAPI paths and
//! demo seeding; permissions, kinds, channels and the two workflow tables live in
//! `qinglian_domain::report`; records in `qinglian_store::report`; templates in
//! `templates/reports/` (staff) and `templates/portal/` (public).
//! Pages: [`portal`] (public, no login), [`pages`] (the register, one report and its
//! handling); input checks shared by every way in: [`intake`]; the JSON API: [`api`]; demo
//! data: [`demo`].

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use chrono::NaiveDate;
use qinglian_domain::deadline::Due;
pub(crate) use qinglian_domain::report::{
    PERM_DISCLOSE, PERM_EXPORT, PERM_HANDLE, PERM_READ, PERM_REGISTER, PERM_UNIT,
};

use crate::App;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::feature::{AttachmentOwner, Feature, MenuEntry};
use crate::templates::Chrome;

pub mod api;
pub mod demo;
pub mod documents;
pub mod intake;
pub mod pages;
pub mod portal;
pub mod rewards;
pub mod stats;

/// The module as the router, the menu, the API document and the demo see it.
pub const FEATURE: Feature = Feature {
    name: "report",
    routes,
    menu: &[
        MenuEntry::new("信访举报", "信访件", "/reports", PERM_READ),
        MenuEntry::new("信访举报", "登记来信来访", "/reports/new", PERM_REGISTER),
        MenuEntry::new("信访举报", "转办件", "/reports?status=transferred", PERM_READ),
        MenuEntry::new("信访举报", "逾期件", "/reports?overdue=1", PERM_READ),
        MenuEntry::new("信访举报", "办实事诉求", "/reports?kind=service_request", PERM_READ),
        MenuEntry::new("信访举报", "交办件办理", "/reports/assigned", PERM_UNIT),
        MenuEntry::new("信访举报", "身份披露审批", "/reports/disclosures", PERM_DISCLOSE),
        MenuEntry::new("信访举报", "有奖举报奖励", "/reports/rewards", PERM_READ),
        MenuEntry::new("信访举报", "统计分析", "/reports/stats", PERM_READ),
    ],
    openapi: api::openapi,
    attachments: &[AttachmentOwner {
        owner_type: portal::ATTACHMENT_OWNER,
        check: attachment_access,
        encrypted: true,
    }],
    demo: Some(demo::seed),
    todo: Some(todo),
};

/// The reports waiting for this user, one card per state out of which the user may act (the
/// office: 待受理, 待审核…; a unit: 交办件).
fn todo<'a>(
    app: &'a App,
    ctx: &'a Ctx,
) -> crate::feature::BoxFuture<'a, Result<Vec<crate::feature::TodoCard>, AppError>> {
    Box::pin(async move {
        if !ctx.principal.can(PERM_READ) && !ctx.principal.can(PERM_UNIT) && !ctx.principal.can(PERM_DISCLOSE) {
            return Ok(Vec::new());
        }
        let can = |p: &str| ctx.principal.can(p);
        let cards = qinglian_store::report::todo(&app.db, ctx.scope(), &can, app.today()).await?;
        let waiting = if ctx.principal.can(PERM_DISCLOSE) {
            qinglian_store::report::disclosures(&app.db, ctx.scope(), Some("requested"), None)
                .await?
                .len() as i64
        } else {
            0
        };
        let disclosure_card = (waiting > 0).then(|| crate::feature::TodoCard {
            id: "todo-report-disclosure".into(),
            href: "/reports/disclosures".into(),
            label: "待审批身份披露".into(),
            count: waiting,
            nearest_due: None,
            overdue: 0,
            pending: 0,
        });
        Ok(cards
            .into_iter()
            .map(|t| {
                use qinglian_domain::report::ReportState;
                use qinglian_domain::workflow::State as _;
                let unit_queue = t.state == ReportState::Assigned && !ctx.principal.can(PERM_READ);
                crate::feature::TodoCard {
                    id: format!("todo-report-{}", t.state.code()),
                    href: if unit_queue {
                        "/reports/assigned".to_string()
                    } else {
                        format!("/reports?status={}", t.state.code())
                    },
                    label: match t.state {
                        _ if unit_queue => "待办理交办件",
                        ReportState::Registered => "待受理信访件",
                        ReportState::Accepted => "办理中信访件",
                        ReportState::Assigned => "已交办待报告",
                        ReportState::ReportedBack => "待审核交办报告",
                        ReportState::Concluded => "待答复信访件",
                        ReportState::Reviewing => "待答复复查申请",
                        ReportState::ReReviewing => "待答复复核申请",
                        _ => t.state.label(),
                    }
                    .to_string(),
                    count: t.counts.count,
                    nearest_due: t.counts.nearest_due,
                    overdue: t.counts.overdue,
                    pending: t.counts.pending,
                }
            })
            .chain(disclosure_card)
            .collect())
    })
}

fn routes(app: &App) -> Router<App> {
    // Up to ten files of the upload limit each, and the form around them.
    let portal_limit = portal::MAX_FILES * app.config.upload.max_mb * 1024 * 1024 + 1024 * 1024;
    Router::new()
        // The public portal: no login, separate from every staff route.
        .route("/portal", get(portal::home))
        .route(
            "/portal/report/{kind}",
            get(portal::form)
                .post(portal::submit)
                .layer(DefaultBodyLimit::max(portal_limit)),
        )
        .route("/portal/follow", get(portal::follow).post(portal::follow_enter))
        .route("/portal/done", get(portal::done))
        .route("/portal/follow/supplement", post(portal::supplement))
        .route("/portal/follow/rate", post(portal::rate))
        .route("/portal/follow/review", post(portal::review))
        .route("/portal/follow/leave", post(portal::leave))
        .route("/api/public/challenge", get(api::public_challenge))
        .route("/api/public/reports", post(api::public_submit))
        .route("/api/public/reports/{receipt_code}", get(api::public_status))
        // Staff.
        .route("/reports", get(pages::list).post(pages::register))
        .route("/reports/export.xlsx", get(pages::export))
        .route("/reports/assigned", get(pages::assigned))
        .route("/reports/stats", get(stats::page_handler))
        .route("/reports/rewards", get(rewards::list))
        .route("/reports/rewards/export.xlsx", get(rewards::export))
        .route("/reports/{id}/reward", post(rewards::propose))
        .route("/reports/{id}/reward/{action}", post(rewards::step))
        .route("/reports/stats.xlsx", get(stats::export))
        .route("/reports/new", get(pages::new_form))
        .route("/reports/{id}", get(pages::detail))
        .route("/reports/{id}/act/{action}", post(pages::act))
        .route("/reports/{id}/disclosure", post(pages::disclosure_request))
        .route("/reports/{id}/documents/{file}", get(documents::download))
        .route("/reports/disclosures", get(pages::disclosures))
        .route("/reports/disclosures/{id}/{action}", post(pages::disclosure_decide))
        .route("/api/v1/reports", get(api::list).post(api::register))
        .route("/api/v1/reports/{id}", get(api::get))
        .route("/api/v1/reports/{id}/{action}", post(api::act))
}

pub(crate) const SECTION: &str = "/reports";

/// A report's attachments: whoever may open the report (the office, or the unit it is
/// assigned to).
fn attachment_access<'a>(app: &'a App, ctx: &'a Ctx, id: i64) -> crate::feature::BoxFuture<'a, Result<(), AppError>> {
    Box::pin(async move {
        if !ctx.principal.can(PERM_READ) && !ctx.principal.can(PERM_UNIT) {
            return Err(AppError::Forbidden);
        }
        qinglian_store::report::get(&app.db, &app.keys, ctx.scope(), qinglian_store::report::ReportId(id)).await?;
        Ok(())
    })
}

pub(crate) async fn chrome(app: &App, ctx: &Ctx, title: &str, active: &str, crumbs: &[(&str, &str)]) -> Chrome {
    let section = if ctx.principal.can(PERM_READ) { SECTION } else { "" };
    let mut all = vec![("信访举报", section)];
    all.extend_from_slice(crumbs);
    Chrome::new(app, ctx, title, active, &all).await
}

/// The due date of a report's limit `rule` triggered on `start`, on the official calendar
/// (待定 while it runs into a year without one).
pub(crate) fn due(app: &App) -> impl Fn(&str, NaiveDate) -> Due + Send + Sync + use<> {
    let cal = app.calendar();
    move |rule, start| qinglian_domain::report::due(&cal, rule, start)
}

/// The stored form of a receipt code: Argon2id (deterministic, the installation's secret salt
/// from the key ring), hex. The code itself is never stored; a stolen database cannot be
/// searched for a code without the key ring, and each guess costs an Argon2id run.
pub(crate) async fn receipt_hash(app: &App, code: &str) -> Result<String, AppError> {
    let salt = app.keys.derive("report.receipt");
    let code = code.to_string();
    tokio::task::spawn_blocking(move || {
        use argon2::{Algorithm, Argon2, Params, Version};
        // OWASP's Argon2id minimum (19 MiB, 2 passes): one lookup costs a few ms on a server.
        let params = Params::new(19 * 1024, 2, 1, Some(32)).map_err(|e| anyhow::anyhow!("argon2 params: {e}"))?;
        let mut out = [0u8; 32];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(code.as_bytes(), &salt[..16], &mut out)
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
        Ok::<_, anyhow::Error>(hex::encode(out))
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?
    .map_err(AppError::Internal)
}

/// A fresh receipt code (16 digits, the last a check digit).
pub(crate) fn new_receipt_code() -> String {
    qinglian_domain::report::receipt_code(rand::random::<[u8; 15]>)
}

/// A receipt code shown in groups of four (1234 5678 9012 3456).
pub fn grouped(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
