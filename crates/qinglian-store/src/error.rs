//! Store errors: narrow, with Chinese messages for the user-facing cases.

use thiserror::Error;

/// Result alias for store functions.
pub type StoreResult<T> = Result<T, StoreError>;

/// What can go wrong in the store.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The record does not exist or is outside the caller's scope (deliberately the same,
    /// so ids of other units' records cannot be probed).
    #[error("{0}不存在或无权访问")]
    NotFound(&'static str),
    /// A uniqueness or state conflict the user can fix.
    #[error("{message}")]
    Conflict {
        /// The form field concerned.
        field: &'static str,
        /// Chinese explanation.
        message: String,
    },
    /// Invalid input detected by the store (referential checks and the like).
    #[error("{message}")]
    Invalid {
        /// The form field concerned.
        field: &'static str,
        /// Chinese explanation.
        message: String,
    },
    /// The actor lacks a permission a workflow table requires (Chinese message).
    #[error("{0}")]
    Forbidden(String),
    /// Anything unexpected from the database.
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// Anything else unexpected (corrupt data and the like).
    #[error("internal error: {0}")]
    Internal(String),
}

impl StoreError {
    /// A conflict on `field` with a Chinese message.
    pub fn conflict(field: &'static str, message: impl Into<String>) -> Self {
        StoreError::Conflict {
            field,
            message: message.into(),
        }
    }
    /// An invalid value on `field` with a Chinese message.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        StoreError::Invalid {
            field,
            message: message.into(),
        }
    }
    /// A missing record referred to by an input field becomes that field's error; every other
    /// error (a dropped connection…) stays what it is, so it is never blamed on the user.
    pub fn not_found_as(self, field: &'static str, message: &str) -> StoreError {
        match self {
            StoreError::NotFound(_) => StoreError::invalid(field, message),
            other => other,
        }
    }
    /// True if this is a unique-constraint violation naming `constraint` (SQLite names the
    /// columns, PostgreSQL the index; both are checked).
    pub fn is_unique_violation(&self, constraint: &str, columns: &str) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(e)) => {
                let msg = e.message();
                e.is_unique_violation() && (msg.contains(constraint) || msg.contains(columns))
            }
            _ => false,
        }
    }
}
