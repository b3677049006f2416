//! The register of issued documents (发文登记): every kind of document of a commission is
//! numbered per year without gaps, and a document keeps the number it was given. Modules ask
//! for a number when the document is issued (the step that sends it), in that step's
//! transaction; a rolled-back step leaves no gap.

use chrono::{Datelike, NaiveDate};
use sqlx::Row;

use crate::org::OrgId;
use crate::user::UserId;
use crate::{StoreResult, Tx};

/// A number given to a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Number {
    /// The year.
    pub year: i32,
    /// The sequence within the year (from 1).
    pub seq: i64,
}

impl Number {
    /// 「示纪函〔2026〕3号」 from the prefix 「示纪函」.
    pub fn display(&self, prefix: &str) -> String {
        format!("{prefix}〔{}〕{}号", self.year, self.seq)
    }
}

/// The number of the document `kind` about `object` issued by `org` on `on`: the one it was
/// given before, or the next of that year.
#[allow(clippy::too_many_arguments)]
pub async fn number(
    tx: &mut Tx,
    org: OrgId,
    kind: &str,
    object_type: &str,
    object_id: &str,
    on: NaiveDate,
    by: Option<UserId>,
) -> StoreResult<Number> {
    if let Some(r) =
        sqlx::query("SELECT year, seq FROM document_number WHERE kind = $1 AND object_type = $2 AND object_id = $3")
            .bind(kind)
            .bind(object_type)
            .bind(object_id)
            .fetch_optional(&mut **tx)
            .await?
    {
        let year: i64 = r.try_get(0)?;
        return Ok(Number {
            year: year as i32,
            seq: r.try_get(1)?,
        });
    }
    let year = i64::from(on.year());
    // Write transactions are serialised (SQLite's is exclusive; on PostgreSQL the unique key
    // turns a race into a failed transaction rather than a duplicate number).
    let seq: i64 = sqlx::query(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM document_number WHERE org_id = $1 AND kind = $2 AND year = $3",
    )
    .bind(org)
    .bind(kind)
    .bind(year)
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    sqlx::query(
        "INSERT INTO document_number (org_id, kind, year, seq, object_type, object_id, issued_on, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(org)
    .bind(kind)
    .bind(year)
    .bind(seq)
    .bind(object_type)
    .bind(object_id)
    .bind(on.format("%Y-%m-%d").to_string())
    .bind(by)
    .bind(crate::time::now())
    .execute(&mut **tx)
    .await?;
    Ok(Number { year: on.year(), seq })
}

/// The number a document was given, if it was.
pub async fn find(db: &crate::Db, kind: &str, object_type: &str, object_id: &str) -> StoreResult<Option<Number>> {
    let r =
        sqlx::query("SELECT year, seq FROM document_number WHERE kind = $1 AND object_type = $2 AND object_id = $3")
            .bind(kind)
            .bind(object_type)
            .bind(object_id)
            .fetch_optional(db.pool())
            .await?;
    r.map(|r| {
        Ok(Number {
            year: r.try_get::<i64, _>(0)? as i32,
            seq: r.try_get(1)?,
        })
    })
    .transpose()
}
