//! Exit codes and error messages: 0 ok, 1 failure, 2 usage error or refusal.

use std::fmt;

/// Something failed (database error, broken audit chain…).
pub const FAILURE: u8 = 1;
/// Usage error or a refusal (bad input, locked data directory, invalid backup…).
pub const REFUSED: u8 = 2;

/// An error that makes the process exit with [`REFUSED`].
#[derive(Debug)]
pub struct Refused(pub String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// Build a refusal error.
pub fn refused(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Refused(message.into()))
}

/// The exit code for an error.
pub fn code(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if cause.downcast_ref::<Refused>().is_some() {
            return REFUSED;
        }
        if let Some(store) = cause.downcast_ref::<qinglian_store::StoreError>() {
            use qinglian_store::StoreError::*;
            if matches!(store, NotFound(_) | Conflict { .. } | Invalid { .. }) {
                return REFUSED;
            }
        }
        if let Some(b) = cause.downcast_ref::<qinglian_store::backup::BackupError>() {
            use qinglian_store::backup::BackupError::*;
            if !matches!(b, Io { .. } | Db(_)) {
                return REFUSED;
            }
        }
        if cause
            .downcast_ref::<qinglian_analytics::run_cli::InvalidArgs>()
            .is_some()
        {
            return REFUSED;
        }
        if cause.downcast_ref::<qinglian_web::config::ConfigError>().is_some() {
            return REFUSED;
        }
    }
    FAILURE
}

/// The whole error chain as one Chinese line.
pub fn message(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let s = cause.to_string();
        // Wrapping errors often repeat their source's text; show each piece once.
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
    }
    parts.join("：")
}
