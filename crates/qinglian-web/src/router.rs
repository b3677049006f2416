//! The router: the middleware stack over what the platform's pages (`ui::routes`), its API
//! (`api::routes`), the calendar and every feature (`feature::routes`) export.

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::App;

/// Build the full router over an app.
pub fn build(app: App) -> Router {
    let max_body = app.config.upload.max_mb * 1024 * 1024 + 64 * 1024;
    Router::new()
        .merge(crate::ui::routes())
        .merge(crate::api::routes())
        .merge(crate::feature::routes(&app))
        .merge(crate::calendar::routes())
        .route("/healthz", get(healthz))
        .merge(crate::assets::router())
        .fallback(not_found)
        .layer(from_fn(crate::middleware::csrf))
        .layer(from_fn_with_state(app.clone(), crate::middleware::audit_denied))
        .layer(from_fn(crate::middleware::friendly_rejections))
        .layer(from_fn_with_state(app.clone(), crate::auth::resolve))
        .layer(from_fn_with_state(app.clone(), crate::middleware::security_headers))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            crate::middleware::panic_response,
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(app)
}

/// Liveness and database check.
async fn healthz(State(app): State<App>) -> axum::response::Response {
    match app.db.ping().await {
        Ok(_) => axum::Json(serde_json::json!({"status": "ok"})).into_response(),
        Err(_) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"status": "database unavailable"})),
        )
            .into_response(),
    }
}

/// Unknown page.
async fn not_found() -> crate::error::PageError {
    crate::error::PageError(crate::error::AppError::NotFound("页面"))
}
