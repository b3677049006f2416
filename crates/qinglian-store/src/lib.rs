//! The store of qinglian: one schema on SQLite (embedded default) and PostgreSQL.
//!
//! Error policy: store functions return [`StoreError`], a narrow type whose user-facing
//! variants (`NotFound`, `Conflict`, `Invalid`) carry a Chinese message and the field they are
//! about; `Db` wraps everything unexpected. HTTP mapping lives in the web crate, never here.
//!
//! All SQL uses `$N` placeholders, which both SQLite and PostgreSQL understand, and goes
//! through sqlx's `Any` driver so there is one code path. The few dialect differences live in
//! [`dialect`].

/// The name a unit is shown by (issue #16 §2): its own name when that is unique, else
/// 「上级单位 / 名称」 (示例市财政局 / 财务科) — one SQL expression over the org alias `$a`, used by
/// every list that names a unit, so a bare ambiguous leaf name is never shown.
macro_rules! org_display {
    ($a:literal) => {
        concat!(
            "CASE WHEN (SELECT COUNT(*) FROM org dn WHERE dn.name = ",
            $a,
            ".name) > 1 THEN COALESCE((SELECT dp.name FROM org dp WHERE dp.id = ",
            $a,
            ".parent_id) || ' / ', '') || ",
            $a,
            ".name ELSE ",
            $a,
            ".name END"
        )
    };
}

pub mod api_key;
pub mod attachment;
pub mod audit;
pub mod backup;
pub mod calendar;
pub mod case;
pub mod clue;
pub mod data_supervision;
pub mod db;
pub mod deadline;
pub mod dialect;
pub mod document;
pub mod error;
pub mod id;
pub mod migrate;
pub mod notification;
pub mod org;
pub mod outcome;
pub mod permission;
pub mod person;
pub mod report;
pub mod scope;
pub mod session;
pub mod setting;
pub mod sql;
#[cfg(feature = "testing")]
pub mod testing;
pub mod time;
pub mod user;
pub mod workflow;

pub use db::{Db, Tx};
pub use dialect::Dialect;
pub use error::{StoreError, StoreResult};
pub use scope::Scope;

/// Read a 0/1 flag column (flags are BIGINT on every database; see the migration header).
pub(crate) fn flag(v: i64) -> bool {
    v != 0
}
