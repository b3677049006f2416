//! A small migrator over one portable migration set.
//!
//! Written by hand rather than `sqlx::migrate!` because the same files must run on SQLite
//! and PostgreSQL with the dialect tokens expanded first (see `dialect.rs`), and a migration
//! file that changes after it was applied must be refused, not silently skipped.

use sqlx::{AssertSqlSafe, Row};

use crate::db::Db;
use crate::error::{StoreError, StoreResult};

/// One migration: version, name and portable SQL.
pub struct Migration {
    /// Increasing version number.
    pub version: i64,
    /// Short name.
    pub name: &'static str,
    /// Portable SQL with `{{…}}` dialect tokens.
    pub sql: &'static str,
}

/// All migrations, in order.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "base",
        sql: include_str!("../migrations/0001_base.sql"),
    },
    Migration {
        version: 2,
        name: "totp_step",
        sql: include_str!("../migrations/0002_totp_step.sql"),
    },
    Migration {
        version: 3,
        name: "data_supervision",
        sql: include_str!("../migrations/0003_data_supervision.sql"),
    },
    Migration {
        version: 4,
        name: "pending_deadline",
        sql: include_str!("../migrations/0004_pending_deadline.sql"),
    },
    Migration {
        version: 5,
        name: "person_name_sort",
        sql: include_str!("../migrations/0005_person_name_sort.sql"),
    },
    Migration {
        version: 6,
        name: "workflow_event",
        sql: include_str!("../migrations/0006_workflow_event.sql"),
    },
    Migration {
        version: 7,
        name: "ds_rules",
        sql: include_str!("../migrations/0007_ds_rules.sql"),
    },
    Migration {
        version: 8,
        name: "org_name_index",
        sql: include_str!("../migrations/0008_org_name_index.sql"),
    },
    Migration {
        version: 9,
        name: "data_supervision_names",
        sql: include_str!("../migrations/0009_data_supervision_names.sql"),
    },
    Migration {
        version: 10,
        name: "org_tree_rank",
        sql: include_str!("../migrations/0010_org_tree_rank.sql"),
    },
    Migration {
        version: 11,
        name: "report",
        sql: include_str!("../migrations/0011_report.sql"),
    },
    Migration {
        version: 12,
        name: "api_key",
        sql: include_str!("../migrations/0012_api_key.sql"),
    },
    Migration {
        version: 13,
        name: "clue_outcome",
        sql: include_str!("../migrations/0013_clue_outcome.sql"),
    },
];

fn checksum(sql: &str) -> String {
    hex::encode(qinglian_crypto::digest(
        qinglian_crypto::CryptoMode::International,
        sql.as_bytes(),
    ))
}

/// Apply every pending migration, each in its own transaction. Returns the versions applied.
pub async fn run(db: &Db) -> StoreResult<Vec<i64>> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .execute(db.pool())
    .await?;
    let mut applied = Vec::new();
    for m in MIGRATIONS {
        let mut tx = db.begin().await?;
        let existing = sqlx::query("SELECT checksum FROM schema_migrations WHERE version = $1")
            .bind(m.version)
            .fetch_optional(&mut *tx)
            .await?;
        let sum = checksum(m.sql);
        if let Some(row) = existing {
            let stored: String = row.try_get(0)?;
            if stored != sum {
                return Err(StoreError::Internal(format!(
                    "migration {} ({}) was changed after it was applied",
                    m.version, m.name
                )));
            }
            continue;
        }
        sqlx::raw_sql(AssertSqlSafe(db.dialect().expand(m.sql)))
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)")
            .bind(m.version)
            .bind(m.name)
            .bind(sum)
            .bind(crate::time::now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(
            migration.version = m.version,
            migration.name = m.name,
            "migration applied"
        );
        applied.push(m.version);
    }
    Ok(applied)
}
