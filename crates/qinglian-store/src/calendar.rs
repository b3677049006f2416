//! Working-day calendar years entered by administrators, on top of the built-in years.

use qinglian_domain::calendar::{Calendar, YearCalendar};
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::{Db, Tx};

/// The effective calendar: built-in years overlaid with every year stored in the database.
pub async fn load(db: &Db) -> StoreResult<Calendar> {
    let mut cal = Calendar::builtin();
    let rows = sqlx::query("SELECT year, data FROM calendar_year ORDER BY year")
        .fetch_all(db.pool())
        .await?;
    for r in rows {
        let year: i64 = r.try_get(0)?;
        let data: String = r.try_get(1)?;
        let y = YearCalendar::parse_csv(&data)
            .map_err(|_| StoreError::Internal(format!("stored calendar year {year} does not parse")))?;
        cal.insert_year(y);
    }
    Ok(cal)
}

/// Years stored in the database with their source and last editor.
pub async fn stored_years(db: &Db) -> StoreResult<Vec<(i64, String, String, String)>> {
    let rows = sqlx::query("SELECT year, source, updated_at, updated_by FROM calendar_year ORDER BY year")
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .collect()
}

/// Save (insert or replace) one year.
pub async fn save_year(tx: &mut Tx, y: &YearCalendar, by: &str) -> StoreResult<()> {
    let now = crate::time::now();
    sqlx::query("DELETE FROM calendar_year WHERE year = $1")
        .bind(y.year as i64)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO calendar_year (year, source, data, updated_at, updated_by) VALUES ($1, 'admin', $2, $3, $4)",
    )
    .bind(y.year as i64)
    .bind(y.to_csv())
    .bind(now)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
