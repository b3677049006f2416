//! Cross-cutting middleware: strict security headers and CSRF protection.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::App;
use crate::auth::AuthState;
use crate::error::PageError;

/// The Content-Security-Policy: nothing inline, nothing from elsewhere.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Add the security headers to every response; `no-store` on everything but static assets.
pub async fn security_headers(State(app): State<App>, req: Request, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/assets/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert("content-security-policy", HeaderValue::from_static(CSP));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    if app.config.https() {
        h.insert(
            "strict-transport-security",
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if !is_asset {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// axum's own extractor rejections (a malformed id in the path, a bad query string, an
/// unreadable form) answer in English plain text; turn every such 4xx into our Chinese page
/// or JSON error, keeping the status.
pub async fn friendly_rejections(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    let plain = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !(status.is_client_error() && plain) {
        return res;
    }
    let message = match status.as_u16() {
        413 => "提交的内容过大".to_string(),
        415 => "请求的内容类型不受支持".to_string(),
        _ => "请求参数有误，请检查地址或表单后重试".to_string(),
    };
    let err = crate::error::AppError::BadRequest(message);
    let mut out = if api {
        crate::error::ApiError(err).into_response()
    } else {
        PageError(err).into_response()
    };
    *out.status_mut() = status;
    out
}

/// Record refused requests (403) of logged-in users in the audit log with outcome "denied",
/// so the auditor sees attempts to reach what a role may not.
pub async fn audit_denied(State(app): State<App>, req: Request, next: Next) -> Response {
    let actor = match req.extensions().get::<AuthState>() {
        Some(AuthState::Full(ctx)) | Some(AuthState::Gated { ctx, .. }) => Some(ctx.actor()),
        _ => None,
    };
    let target = format!("{} {}", req.method(), req.uri().path());
    let res = next.run(req).await;
    if res.status() == axum::http::StatusCode::FORBIDDEN
        && let Some(actor) = actor
    {
        let ev = qinglian_store::audit::Event {
            action: "access.denied",
            object_type: "path",
            object_id: target.chars().take(200).collect(),
            outcome: qinglian_store::audit::Outcome::Denied,
            detail: String::new(),
        };
        if let Err(e) = qinglian_store::audit::record(&app.db, app.mode(), &actor, &ev).await {
            tracing::error!(error = %e, "could not audit a refused request");
        }
    }
    res
}

/// A panic in a handler becomes the generic error page (with an error id in the log), never a
/// dropped connection or internal text.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    PageError(crate::error::AppError::Internal(anyhow::anyhow!(
        "handler panicked: {what}"
    )))
    .into_response()
}

/// Constant-time comparison of two tokens.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// CSRF: every state-changing request of a cookie session must carry the session's token,
/// in the `X-CSRF-Token` header (htmx sends it on every request) or the `_csrf` form field.
/// Bearer-token API calls carry no ambient credentials and are exempt.
pub async fn csrf(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let expected = match req.extensions().get::<AuthState>() {
        Some(AuthState::Full(ctx)) | Some(AuthState::Gated { ctx, .. }) if !ctx.bearer => ctx.csrf.clone(),
        // Anonymous requests (the login form) are checked by their handler.
        _ => return next.run(req).await,
    };
    if let Some(h) = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        if same_token(h, &expected) {
            return next.run(req).await;
        }
        return PageError(crate::error::AppError::Csrf).into_response();
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return PageError(crate::error::AppError::Csrf).into_response();
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 4 * 1024 * 1024).await else {
        return PageError(crate::error::AppError::BadRequest("请求内容过大".into())).into_response();
    };
    let token = form_urlencoded_value(&bytes, "_csrf");
    if token.as_deref().is_some_and(|t| same_token(t, &expected)) {
        next.run(Request::from_parts(parts, Body::from(bytes))).await
    } else {
        PageError(crate::error::AppError::Csrf).into_response()
    }
}

/// Find one field in an urlencoded body.
fn form_urlencoded_value(body: &[u8], key: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded_pairs(body);
    pairs.into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn serde_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    // axum's Form extractor uses serde_urlencoded; decode the same way for one field.
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(
        &format!("/?{}", String::from_utf8_lossy(body))
            .parse()
            .unwrap_or_else(|_| "/".parse().expect("static uri")),
    )
    .map(|q| q.0)
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_csrf_field_in_a_form_body() {
        assert_eq!(
            form_urlencoded_value(b"a=1&_csrf=abc%2Bd&b=2", "_csrf").as_deref(),
            Some("abc+d")
        );
        assert_eq!(form_urlencoded_value(b"a=1", "_csrf"), None);
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("abc", "abcd"));
    }
}
