//! Errors of the web layer.
//!
//! Policy: `AppError` is the one error type handlers use. It becomes a JSON body
//! `{"code","message","field"?}` under `/api` ([`ApiError`]) and a Chinese page in the UI
//! ([`PageError`]). Store and validation errors map to 4xx with the field; anything else is
//! logged with an error id, and the id is all the client sees.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use qinglian_store::StoreError;
use serde::Serialize;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not logged in (or the session expired).
    #[error("请先登录")]
    Unauthenticated,
    /// Logged in but must finish a step first (2FA, password change); carries where to go.
    #[error("请先完成登录验证")]
    Gate(&'static str),
    /// Lacks the permission.
    #[error("您没有权限执行此操作")]
    Forbidden,
    /// Missing or outside the scope (indistinguishable on purpose).
    #[error("{0}不存在或无权访问")]
    NotFound(&'static str),
    /// Invalid input: (field, message) pairs.
    #[error("{}", .0.first().map(|(_, m)| m.as_str()).unwrap_or("输入有误"))]
    Invalid(Vec<(&'static str, String)>),
    /// A conflict on a field.
    #[error("{1}")]
    Conflict(&'static str, String),
    /// A malformed request.
    #[error("{0}")]
    BadRequest(String),
    /// CSRF token missing or wrong.
    #[error("页面已过期或请求来源无效，请刷新页面后重试")]
    Csrf,
    /// Too many attempts.
    #[error("{0}")]
    TooMany(String),
    /// Anything unexpected.
    #[error("internal: {0}")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// One invalid field.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
        AppError::Invalid(vec![(field, message.into())])
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Gate(_) => StatusCode::FORBIDDEN,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(..) => StatusCode::CONFLICT,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated => "unauthenticated",
            AppError::Gate(_) => "verification_required",
            AppError::Forbidden => "forbidden",
            AppError::Csrf => "csrf",
            AppError::NotFound(_) => "not_found",
            AppError::Invalid(_) => "invalid",
            AppError::Conflict(..) => "conflict",
            AppError::BadRequest(_) => "bad_request",
            AppError::TooMany(_) => "too_many_requests",
            AppError::Internal(_) => "internal",
        }
    }

    fn field(&self) -> Option<&'static str> {
        match self {
            AppError::Invalid(v) => v.first().map(|(f, _)| *f),
            AppError::Conflict(f, _) => Some(f),
            _ => None,
        }
    }

    /// The message a client may see; internal errors are logged here and shown as an id.
    fn public_message(&self) -> String {
        match self {
            AppError::Internal(e) => {
                let id = qinglian_crypto::random_token(6);
                tracing::error!(error.id = %id, error = %format!("{e:#}"), "internal error");
                format!("系统内部错误，请联系管理员（错误编号：{id}）")
            }
            other => other.to_string(),
        }
    }
}

impl AppError {
    /// The field's error when `text` is longer than its limit (one message for every form).
    pub fn check_text(
        field: &'static str,
        label: &str,
        text: &str,
        limit: qinglian_domain::text::Limit,
    ) -> Result<(), AppError> {
        qinglian_domain::text::check(field, label, text, limit).map_err(|(f, m)| AppError::invalid(f, m))
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        // PostgreSQL refuses text with a NUL byte or an invalid encoding (SQLSTATE 22021,
        // 22P05); that is bad input, not a server fault.
        if let StoreError::Db(sqlx::Error::Database(db)) = &e
            && matches!(db.code().as_deref(), Some("22021") | Some("22P05"))
        {
            return AppError::BadRequest("输入中含有不允许的控制字符（如空字符），请删除后重试".into());
        }
        match e {
            StoreError::NotFound(what) => AppError::NotFound(what),
            StoreError::Conflict { field, message } => AppError::Conflict(field, message),
            StoreError::Invalid { field, message } => AppError::Invalid(vec![(field, message)]),
            StoreError::Forbidden(_) => AppError::Forbidden,
            other => AppError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl AppError {
    /// A file the server itself wrote, read back: missing is `NotFound(what)` (it expired or
    /// was removed), any other I/O failure is a server fault with an error id, never the user's.
    pub fn from_file(what: &'static str, e: std::io::Error) -> AppError {
        if e.kind() == std::io::ErrorKind::NotFound {
            AppError::NotFound(what)
        } else {
            AppError::Internal(anyhow::Error::new(e).context(what))
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::from(StoreError::from(e))
    }
}

/// JSON error body of the API.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine code.
    pub code: &'static str,
    /// Chinese message.
    pub message: String,
    /// The field concerned, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
    /// Every invalid field, for forms with several problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// One invalid field.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Field name.
    pub field: &'static str,
    /// Chinese message.
    pub message: String,
}

/// An error rendered as JSON (API handlers).
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let errors = match &e {
            AppError::Invalid(v) => v
                .iter()
                .map(|(f, m)| FieldError {
                    field: f,
                    message: m.clone(),
                })
                .collect(),
            _ => Vec::new(),
        };
        let body = ErrorBody {
            code: e.code(),
            field: e.field(),
            message: e.public_message(),
            errors,
        };
        (e.status(), axum::Json(body)).into_response()
    }
}

/// An error rendered as a page (UI handlers).
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        match e {
            AppError::Unauthenticated => return Redirect::to("/login").into_response(),
            AppError::Gate(to) => return Redirect::to(to).into_response(),
            _ => {}
        }
        let status = e.status();
        let page = crate::templates::ErrorPage {
            status: status.as_u16(),
            message: e.public_message(),
        };
        (status, Html(crate::templates::render(&page))).into_response()
    }
}

/// Result of an API handler.
pub type ApiResult<T> = Result<T, ApiError>;
/// Result of a UI handler.
pub type PageResult<T = Response> = Result<T, PageError>;
