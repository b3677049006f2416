//! Connection pool and transactions.

use std::path::Path;
use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor};

use crate::dialect::Dialect;
use crate::error::StoreResult;

/// A write transaction. Every write goes through one; dropping it without `commit` rolls back,
/// so a failed request leaves nothing behind.
pub type Tx = sqlx::Transaction<'static, Any>;

/// The database handle shared by the whole application.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    dialect: Dialect,
}

impl Db {
    /// Connect to `url` (`sqlite://…` or `postgres://…`).
    pub async fn connect(url: &str) -> StoreResult<Db> {
        sqlx::any::install_default_drivers();
        let dialect = Dialect::from_url(url).ok_or_else(|| {
            crate::StoreError::invalid("database_url", "数据库地址应以 sqlite:// 或 postgres:// 开头")
        })?;
        let options = AnyConnectOptions::from_str(url)?;
        let pool_options = match dialect {
            Dialect::Sqlite => AnyPoolOptions::new().max_connections(8).after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL lets readers go on during a write; busy_timeout makes writers
                    // queue instead of failing; foreign keys are off by default in SQLite.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    Ok(())
                })
            }),
            Dialect::Postgres => AnyPoolOptions::new().max_connections(16),
        };
        let pool = pool_options.connect_with(options).await?;
        Ok(Db { pool, dialect })
    }

    /// The embedded database URL for a data directory.
    pub fn sqlite_url(data_dir: &Path) -> String {
        format!("sqlite://{}?mode=rwc", data_dir.join("qinglian.db").display())
    }

    /// Which database this is.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The pool, for reads.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Open a write transaction.
    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(self.pool.begin_with(self.dialect.begin_write()).await?)
    }

    /// Mark a savepoint in `tx` (an import row that may fail without failing the others).
    pub async fn savepoint(tx: &mut Tx, name: &str) -> StoreResult<()> {
        savepoint_sql(tx, "SAVEPOINT", name).await
    }

    /// Keep what was done since the savepoint.
    pub async fn release(tx: &mut Tx, name: &str) -> StoreResult<()> {
        savepoint_sql(tx, "RELEASE SAVEPOINT", name).await
    }

    /// Undo what was done since the savepoint; the transaction goes on.
    pub async fn rollback_to(tx: &mut Tx, name: &str) -> StoreResult<()> {
        savepoint_sql(tx, "ROLLBACK TO SAVEPOINT", name).await
    }

    /// Whether the database answers (the health check).
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await?;
        Ok(())
    }

    /// Close the pool (waits for connections to be returned).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A savepoint statement; names are identifiers chosen in code, never user input.
async fn savepoint_sql(tx: &mut Tx, verb: &str, name: &str) -> StoreResult<()> {
    debug_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    sqlx::query(sqlx::AssertSqlSafe(format!("{verb} {name}")))
        .execute(&mut **tx)
        .await?;
    Ok(())
}
