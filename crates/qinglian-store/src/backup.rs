//! Online backup and backup inspection of the embedded SQLite database.
//!
//! A backup is taken with `VACUUM INTO`, which reads one consistent snapshot while the server
//! goes on writing (WAL mode), into a temporary file next to the target; the copy is checked
//! with [`inspect`] and only then renamed to its final name, so a failed backup never leaves a
//! file that looks complete. PostgreSQL deployments use `pg_dump`/`pg_restore` instead.

use std::io::Read;
use std::path::{Path, PathBuf};

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection, Row};

use crate::Db;
use crate::dialect::Dialect;

/// Tables every qinglian database has; a file without them is not a qinglian backup.
pub const REQUIRED_TABLES: &[&str] = &["schema_migrations", "app_user", "audit_head", "org", "person"];

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Why a backup could not be taken or a file is not a usable backup.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The database is not the embedded SQLite one.
    #[error("在线备份只支持内置的SQLite数据库；PostgreSQL请使用 pg_dump / pg_restore")]
    NotSqlite,
    /// The target file exists already.
    #[error("目标文件{0}已存在，不会覆盖，请换一个文件名")]
    Exists(PathBuf),
    /// The file is not a qinglian backup (not SQLite, or a foreign SQLite database).
    #[error("不是有效的qinglian备份文件：{0}")]
    NotBackup(String),
    /// The file is a SQLite database but damaged (truncated, failed integrity check).
    #[error("备份文件已损坏：{0}")]
    Corrupt(String),
    /// The backup comes from a newer qinglian than this one.
    #[error("备份文件的数据库版本（{0}）高于本程序支持的版本，请使用新版qinglian恢复")]
    TooNew(i64),
    /// Reading or writing a file failed.
    #[error("读写文件{path}失败：{source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The database reported an error.
    #[error("数据库错误：{0}")]
    Db(#[from] sqlx::Error),
}

/// What [`inspect`] found in a valid backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    /// File size in bytes.
    pub size: u64,
    /// Highest migration version applied.
    pub schema_version: i64,
    /// Number of orgs.
    pub orgs: i64,
    /// Number of people.
    pub people: i64,
    /// Number of users.
    pub users: i64,
    /// Number of audit-log entries.
    pub audit_entries: i64,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Write a consistent copy of the embedded database to `out` (which must not exist), check
/// the copy and return what it holds. Safe while the server runs.
pub async fn backup_sqlite(db: &Db, out: &Path) -> Result<BackupInfo, BackupError> {
    if db.dialect() != Dialect::Sqlite {
        return Err(BackupError::NotSqlite);
    }
    if out.exists() {
        return Err(BackupError::Exists(out.to_path_buf()));
    }
    let mut tmp_name = out.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    tmp_name.push(format!(".partial-{}", std::process::id()));
    let tmp = out.with_file_name(tmp_name);
    let _ = std::fs::remove_file(&tmp);
    let result = async {
        let tmp_str = tmp
            .to_str()
            .ok_or_else(|| BackupError::NotBackup(format!("文件名{}含有无法处理的字符", tmp.display())))?;
        // VACUUM cannot run inside a transaction; on the pool it runs on its own snapshot.
        sqlx::query("VACUUM INTO $1").bind(tmp_str).execute(db.pool()).await?;
        restrict_permissions(&tmp)?;
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(io_err(&tmp))?;
        let info = inspect(&tmp).await?;
        if out.exists() {
            return Err(BackupError::Exists(out.to_path_buf()));
        }
        std::fs::rename(&tmp, out).map_err(io_err(out))?;
        Ok(info)
    }
    .await;
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Backups hold personal data: owner-only permissions.
fn restrict_permissions(path: &Path) -> Result<(), BackupError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io_err(path))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Check the SQLite header: magic string and, when the header's page count is valid, that the
/// file is long enough to hold every page (a truncated copy is refused before SQLite reads it).
fn check_header(path: &Path) -> Result<u64, BackupError> {
    let mut f = std::fs::File::open(path).map_err(io_err(path))?;
    let size = f.metadata().map_err(io_err(path))?.len();
    let mut header = [0u8; 100];
    let mut read = 0;
    while read < header.len() {
        match f.read(&mut header[read..]).map_err(io_err(path))? {
            0 => break,
            n => read += n,
        }
    }
    if read < 16 || &header[..16] != SQLITE_MAGIC {
        return Err(BackupError::NotBackup("文件不是SQLite数据库".into()));
    }
    if read < 100 {
        return Err(BackupError::Corrupt("文件头不完整".into()));
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65536u64,
        n if n >= 512 && n.is_power_of_two() => u64::from(n),
        _ => return Err(BackupError::Corrupt("文件头中的页大小无效".into())),
    };
    let be32 = |i: usize| u32::from_be_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    let pages = u64::from(be32(28));
    // The page count is only trustworthy when the "version valid for" field matches the
    // change counter (SQLite file format §1.3.7).
    if pages > 0 && be32(92) == be32(24) && size < pages * page_size {
        return Err(BackupError::Corrupt(format!(
            "文件长度{size}字节，应为{}字节，文件可能被截断",
            pages * page_size
        )));
    }
    if size % page_size != 0 {
        return Err(BackupError::Corrupt(format!(
            "文件长度{size}字节不是页大小{page_size}的整数倍，文件可能被截断"
        )));
    }
    Ok(size)
}

/// Open a standalone database file read-only, ignoring any `-wal` beside it.
async fn open_read_only(path: &Path) -> Result<SqliteConnection, BackupError> {
    SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .immutable(true)
        .create_if_missing(false)
        .connect()
        .await
        .map_err(|e| BackupError::Corrupt(format!("无法打开：{e}")))
}

/// Check that `path` is an intact qinglian database this program can restore: SQLite magic
/// header, full length, `PRAGMA integrity_check`, qinglian's tables and a known migration.
pub async fn inspect(path: &Path) -> Result<BackupInfo, BackupError> {
    let size = check_header(path)?;
    let mut conn = open_read_only(path).await?;
    let result = inspect_open(&mut conn, size).await;
    let _ = conn.close().await;
    result
}

async fn inspect_open(conn: &mut SqliteConnection, size: u64) -> Result<BackupInfo, BackupError> {
    let corrupt = |e: sqlx::Error| BackupError::Corrupt(e.to_string());
    let rows = sqlx::query("PRAGMA integrity_check")
        .fetch_all(&mut *conn)
        .await
        .map_err(corrupt)?;
    let messages: Vec<String> = rows.iter().filter_map(|r| r.try_get::<String, _>(0).ok()).collect();
    if messages.len() != 1 || messages[0] != "ok" {
        let detail = messages.iter().take(3).cloned().collect::<Vec<_>>().join("；");
        return Err(BackupError::Corrupt(format!("完整性检查未通过（{detail}）")));
    }
    let tables: Vec<String> = sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table'")
        .fetch_all(&mut *conn)
        .await
        .map_err(corrupt)?
        .iter()
        .filter_map(|r| r.try_get::<String, _>(0).ok())
        .collect();
    let missing: Vec<&str> = REQUIRED_TABLES
        .iter()
        .copied()
        .filter(|t| !tables.iter().any(|x| x == t))
        .collect();
    if !missing.is_empty() {
        return Err(BackupError::NotBackup(format!("缺少数据表{}", missing.join("、"))));
    }
    let version: Option<i64> = sqlx::query("SELECT MAX(version) FROM schema_migrations")
        .fetch_one(&mut *conn)
        .await
        .map_err(corrupt)?
        .try_get(0)
        .map_err(corrupt)?;
    let Some(version) = version else {
        return Err(BackupError::NotBackup("数据库尚未完成初始化（没有迁移记录）".into()));
    };
    let max_known = crate::migrate::MIGRATIONS.iter().map(|m| m.version).max().unwrap_or(0);
    if version > max_known {
        return Err(BackupError::TooNew(version));
    }
    if !crate::migrate::MIGRATIONS.iter().any(|m| m.version == version) {
        return Err(BackupError::NotBackup(format!("未知的数据库版本{version}")));
    }
    let mut counts = [0i64; 4];
    let queries = [
        "SELECT COUNT(*) FROM org",
        "SELECT COUNT(*) FROM person",
        "SELECT COUNT(*) FROM app_user",
        "SELECT COUNT(*) FROM audit_log",
    ];
    for (n, sql) in counts.iter_mut().zip(queries) {
        *n = sqlx::query(sql)
            .fetch_one(&mut *conn)
            .await
            .map_err(corrupt)?
            .try_get(0)
            .map_err(corrupt)?;
    }
    let [orgs, people, users, audit_entries] = counts;
    Ok(BackupInfo {
        size,
        schema_version: version,
        orgs,
        people,
        users,
        audit_entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn fresh(dir: &Path) -> Db {
        let db = Db::connect(&Db::sqlite_url(dir)).await.unwrap();
        crate::migrate::run(&db).await.unwrap();
        db
    }

    #[tokio::test]
    async fn backup_round_trips_and_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let db = fresh(dir.path()).await;
        let out = dir.path().join("b.db");
        let info = backup_sqlite(&db, &out).await.unwrap();
        assert_eq!(info.schema_version, crate::migrate::MIGRATIONS.last().unwrap().version);
        assert_eq!(info, inspect(&out).await.unwrap());
        assert!(matches!(backup_sqlite(&db, &out).await, Err(BackupError::Exists(_))));
    }

    #[tokio::test]
    async fn inspect_refuses_random_truncated_and_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        let db = fresh(dir.path()).await;
        let out = dir.path().join("b.db");
        backup_sqlite(&db, &out).await.unwrap();

        let random = dir.path().join("random.bin");
        std::fs::write(
            &random,
            (0..5000u32).map(|i| (i * 7919 % 251) as u8).collect::<Vec<_>>(),
        )
        .unwrap();
        assert!(matches!(inspect(&random).await, Err(BackupError::NotBackup(_))));

        let bytes = std::fs::read(&out).unwrap();
        let truncated = dir.path().join("truncated.db");
        std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
        let e = inspect(&truncated).await.unwrap_err();
        assert!(matches!(e, BackupError::Corrupt(_)), "{e}");

        let foreign = dir.path().join("foreign.db");
        let url = format!("sqlite://{}?mode=rwc", foreign.display());
        let other = Db::connect(&url).await.unwrap();
        sqlx::query("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
            .execute(other.pool())
            .await
            .unwrap();
        other.close().await;
        let e = inspect(&foreign).await.unwrap_err();
        assert!(matches!(e, BackupError::NotBackup(_)), "{e}");
        assert!(e.to_string().contains("不是有效的qinglian备份文件"), "{e}");
    }
}
