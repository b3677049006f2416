//! Remembered header mappings of dataset imports.

use sqlx::Row;

use crate::error::StoreResult;
use crate::user::UserId;
use crate::{Db, Tx};

/// Every remembered header mapping: (dataset, source header, canonical column).
pub async fn header_mappings(db: &Db) -> StoreResult<Vec<(String, String, String)>> {
    let rows = sqlx::query(
        "SELECT dataset, header, column_name FROM data_supervision_header_mapping ORDER BY dataset, header",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// Remember how source headers map to canonical columns of a dataset (replacing older choices).
pub async fn remember_mapping(
    tx: &mut Tx,
    dataset: &str,
    pairs: &[(String, String)],
    user: Option<UserId>,
) -> StoreResult<()> {
    let now = crate::time::now();
    for (header, column) in pairs {
        sqlx::query("DELETE FROM data_supervision_header_mapping WHERE dataset = $1 AND header = $2")
            .bind(dataset)
            .bind(header.as_str())
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "INSERT INTO data_supervision_header_mapping (dataset, header, column_name, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(dataset)
        .bind(header.as_str())
        .bind(column.as_str())
        .bind(user)
        .bind(&now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
