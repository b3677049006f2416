//! Data supervision (大数据监督): datasets and their import, the model library and runs, findings
//! with their evidence, and their checking by units — the worked example of the module shape
//! (docs/ARCHITECTURE.md, "The module shape").
//!
//! A module is this folder: [`FEATURE`] exports its routes, menu entries, OpenAPI paths and demo
//! seeding; its permissions and workflow table live in `qinglian_domain::data_supervision`, its
//! records in `qinglian_store::data_supervision`; its templates in `templates/data_supervision/`.
//! Pages: [`datasets`], [`runs`], [`models`], [`findings`], [`checking`]; the JSON API: [`api`];
//! background work: [`jobs`]; demo data: [`demo`]. The procurement red flags are a model of the
//! analytics crate (`qinglian_analytics::redflags`).

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
pub(crate) use qinglian_domain::data_supervision::{
    PERM_ANSWER, PERM_DATASET, PERM_DISPATCH, PERM_EXPORT, PERM_MODEL, PERM_READ, PERM_RULES, PERM_RUN,
};

use crate::App;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::feature::{AttachmentOwner, Feature, MenuEntry};
use crate::templates::Chrome;

pub mod api;
pub mod checking;
pub mod datasets;
pub mod demo;
pub mod findings;
pub mod jobs;
pub mod models;
pub mod runs;

/// The module as the router, the menu, the API document and the demo see it.
pub const FEATURE: Feature = Feature {
    name: "data_supervision",
    routes,
    menu: &[
        MenuEntry::new("大数据监督", "监督概览", "/ds", PERM_RULES),
        MenuEntry::new("大数据监督", "疑点清单", "/ds/findings", PERM_READ),
        MenuEntry::new("大数据监督", "比对模型", "/ds/models", PERM_RULES),
    ],
    openapi: api::openapi,
    attachments: &[AttachmentOwner {
        owner_type: checking::ATTACHMENT_OWNER,
        check: checking::attachment_access,
        encrypted: false,
    }],
    demo: Some(demo::seed),
    todo: Some(todo),
};

/// The findings waiting for this user, one card per state out of which the user may act.
fn todo<'a>(
    app: &'a App,
    ctx: &'a Ctx,
) -> crate::feature::BoxFuture<'a, Result<Vec<crate::feature::TodoCard>, AppError>> {
    Box::pin(async move {
        if !ctx.principal.can(PERM_READ) {
            return Ok(Vec::new());
        }
        let can = |p: &str| ctx.principal.can(p);
        let cards = qinglian_store::data_supervision::todo(&app.db, ctx.scope(), &can, app.today()).await?;
        Ok(cards
            .into_iter()
            .map(|t| crate::feature::TodoCard {
                id: format!("todo-{}", t.state),
                href: format!("/ds/findings?status={}", t.state),
                label: t.label.to_string(),
                count: t.count,
                nearest_due: t.nearest_due,
                overdue: t.overdue,
                pending: t.pending,
            })
            .collect())
    })
}

/// Every page and API route of the module.
fn routes(app: &App) -> Router<App> {
    let upload_limit = app.config.data_supervision.upload_max_mb * 1024 * 1024 + 64 * 1024;
    Router::new()
        .route("/ds", get(datasets::home))
        .route("/ds/datasets/{name}", get(datasets::dataset))
        .route("/ds/datasets/roster/from-platform", post(datasets::roster_publish))
        .route(
            "/ds/import",
            get(datasets::import_form)
                .post(datasets::import_upload)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/ds/import/confirm", post(datasets::import_confirm))
        .route("/ds/jobs", get(runs::jobs))
        .route("/ds/jobs/{id}", get(runs::job))
        .route("/ds/jobs/{id}/progress", get(runs::job_progress))
        .route("/ds/jobs/{id}/cancel", post(runs::job_cancel))
        .route("/ds/jobs/{id}/report.xlsx", get(runs::job_report))
        .route("/ds/models", get(models::models))
        .route("/ds/models/custom", post(models::custom_save))
        .route("/ds/models/custom/new", get(models::custom_new))
        .route("/ds/models/custom/{code}/edit", get(models::custom_edit))
        .route("/ds/models/{id}", get(models::model_detail))
        .route("/ds/runs", post(models::run))
        .route("/ds/findings", get(findings::findings))
        .route("/ds/findings/export.xlsx", get(findings::findings_export))
        .route("/ds/findings/batch", post(findings::findings_batch))
        .route("/ds/findings/{id}", get(checking::finding))
        .route("/ds/findings/{id}/dispatch", post(checking::dispatch))
        .route("/ds/findings/{id}/answer", post(checking::answer))
        .route("/ds/findings/{id}/review", post(checking::review))
        .route("/ds/findings/{id}/dismiss", post(checking::dismiss))
        .route("/api/v1/ds/findings", get(api::findings))
        .route("/api/v1/ds/findings/{id}", get(api::finding))
        .route("/api/v1/ds/runs", post(api::run))
        .route("/api/v1/ds/jobs/{id}", get(api::job))
}

pub(crate) const SECTION: &str = "/ds";

pub(crate) async fn chrome(app: &App, ctx: &Ctx, title: &str, active: &str, crumbs: &[(&str, &str)]) -> Chrome {
    // The overview is need-to-know (ds.rules): for a unit the section crumb is not a link.
    let section = if ctx.principal.can(PERM_RULES) { SECTION } else { "" };
    let mut all = vec![("大数据监督", section)];
    all.extend_from_slice(crumbs);
    Chrome::new(app, ctx, title, active, &all).await
}

/// Chinese label of a severity code.
pub fn severity_label(code: &str) -> &'static str {
    match code {
        "high" => "高",
        "medium" => "中",
        "low" => "低",
        _ => "—",
    }
}

/// Chinese label of a subject kind code.
pub fn subject_kind_label(code: &str) -> &'static str {
    match code {
        "person" => "人员",
        "household" => "家庭",
        "enterprise" => "企业",
        "tender" => "招标项目",
        "budget_item" => "预算项目",
        "buyer" => "采购人",
        _ => "对象",
    }
}

/// A failure of the dataset store (disk, object storage) is the server's, never the user's:
/// a 500 with an error id.
pub(crate) fn store_err<E: std::error::Error + Send + Sync + 'static>(e: E) -> AppError {
    AppError::Internal(e.into())
}
