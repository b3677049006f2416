//! The router: every route of the UI and the API, with the middleware stack.

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use axum::routing::{get, post};

use crate::ui::{account, admin, audit, home, org, person, security};
use crate::{App, api};

/// Build the full router over an app.
pub fn build(app: App) -> Router {
    let ui = Router::new()
        .route("/", get(home::home))
        .route("/login", get(account::login_form).post(account::login_submit))
        .route("/login/totp", get(account::totp_form).post(account::totp_submit))
        .route("/logout", post(account::logout))
        .route(
            "/account/password",
            get(account::password_form).post(account::password_submit),
        )
        .route(
            "/account/totp",
            get(account::totp_setup_form).post(account::totp_setup_submit),
        )
        .route("/notifications", get(home::notifications))
        .route("/notifications/read-all", post(home::notifications_read_all))
        .route("/notifications/{id}", get(home::notification_open))
        .route("/deadlines", get(home::deadlines))
        .route("/deadlines/export.xlsx", get(home::deadlines_export))
        .route("/calendar", get(home::calendar))
        .route("/orgs", get(org::list).post(org::create))
        .route("/orgs/new", get(org::new_form))
        .route("/orgs/export.xlsx", get(org::export))
        .route("/orgs/import", get(org::import_form).post(org::import))
        .route("/orgs/import/template.xlsx", get(org::import_template))
        .route("/orgs/{id}", post(org::update))
        .route("/orgs/{id}/edit", get(org::edit_form))
        .route("/orgs/{id}/party-orgs", post(org::party_org_create))
        .route("/downloads/{token}", get(org::download_generated))
        .route("/persons", get(person::list).post(person::create))
        .route("/persons/new", get(person::new_form))
        .route("/persons/export.xlsx", get(person::export))
        .route("/persons/import", get(person::import_form).post(person::import))
        .route("/persons/import/template.xlsx", get(person::import_template))
        .route("/persons/{id}", get(person::detail).post(person::update))
        .route("/persons/{id}/edit", get(person::edit_form))
        .route("/admin/users", get(admin::users).post(admin::user_create))
        .route("/admin/users/new", get(admin::user_new_form))
        .route("/admin/users/export.xlsx", get(admin::users_export))
        .route("/admin/users/{id}/{action}", post(admin::user_action))
        .route("/admin/calendar", get(admin::calendar).post(admin::calendar_save))
        .route("/security/roles", get(security::roles).post(security::role_create))
        .route("/security/roles/{id}", post(security::role_save))
        .route("/security/users", get(security::users))
        .route(
            "/security/users/{id}",
            get(security::user_grant).post(security::user_grant_save),
        )
        .route("/security/policy", get(security::policy).post(security::policy_save))
        .route("/audit", get(audit::list))
        .route("/audit/verify", post(audit::verify))
        .route("/audit/export.xlsx", get(audit::export))
        .route("/attachments/{id}", get(crate::services::attachment::download_handler));
    let api = Router::new()
        .route("/api/v1/auth/login", post(api::login))
        .route("/api/v1/auth/logout", post(api::logout))
        .route("/api/v1/me", get(api::me))
        .route("/api/v1/calendar/due", get(api::calendar_due))
        .route("/api/v1/calendar/day/{date}", get(api::calendar_day))
        .route("/api/v1/persons", get(api::persons).post(api::person_create))
        .route("/api/v1/persons/{id}", get(api::person_get))
        .route("/api/v1/orgs", get(api::orgs))
        .route("/api/v1/deadlines", get(api::deadlines))
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/{*rest}", get(api::not_found).post(api::not_found));
    let max_body = app.config.upload.max_mb * 1024 * 1024 + 64 * 1024;
    Router::new()
        .merge(ui)
        .merge(api)
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
