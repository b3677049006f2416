//! `backup` and `restore` of the embedded SQLite database.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;
use qinglian_store::backup::{self, BackupInfo};
use qinglian_store::{Db, Dialect};
use qinglian_web::config::Config;
use sha2::{Digest, Sha256};

use crate::exit::refused;

/// SHA-256 of a file, streamed.
fn sha256_file(path: &Path) -> anyhow::Result<String> {
    let mut f = std::fs::File::open(path).with_context(|| format!("无法读取{}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f
            .read(&mut buf)
            .with_context(|| format!("无法读取{}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / (1u64 << 20) as f64)
    } else {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    }
}

fn contents(info: &BackupInfo) -> String {
    format!(
        "单位{}个、人员{}人、用户{}个、审计日志{}条（数据库版本{}）",
        info.orgs, info.people, info.users, info.audit_entries, info.schema_version
    )
}

/// `backup --out FILE`: consistent online copy, verified, with size and SHA-256.
pub async fn backup(config: Config, out: &Path) -> anyhow::Result<()> {
    if super::dialect(&config) == Dialect::Postgres {
        return Err(refused(
            "当前使用PostgreSQL数据库，请用 pg_dump 备份（qinglian backup 只备份内置的SQLite数据库）",
        ));
    }
    let db = super::open_existing(&config).await?;
    let result = backup::backup_sqlite(&db, out).await;
    db.close().await;
    let info = result?;
    let sha = sha256_file(out)?;
    println!("备份完成：{}", out.display());
    println!("大小：{}字节（{}）", info.size, human_size(info.size));
    println!("SHA-256：{sha}");
    println!("内容：{}", contents(&info));
    println!("完整性检查：通过");
    Ok(())
}

/// Make a file owner-only (backups and databases hold personal data).
fn owner_only(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("无法设置{}的权限", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

/// Copy `from` to `to` and flush it to disk.
fn copy_synced(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::copy(from, to).with_context(|| format!("无法把{}复制到{}", from.display(), to.display()))?;
    std::fs::File::open(to)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("无法写入{}", to.display()))?;
    owner_only(to)
}

/// `restore FILE`: validate, keep the current database, swap the backup in atomically,
/// then verify the audit log of the restored database.
pub async fn restore(config: Config, file: &Path) -> anyhow::Result<()> {
    if super::dialect(&config) == Dialect::Postgres {
        return Err(refused(
            "当前使用PostgreSQL数据库，请用 pg_restore 恢复（qinglian restore 只恢复内置的SQLite数据库）",
        ));
    }
    if !config.database_url.is_empty() {
        return Err(refused(
            "qinglian restore 只恢复数据目录中的内置数据库（qinglian.db）；使用自定义SQLite地址时请手工恢复",
        ));
    }
    if !file.is_file() {
        return Err(refused(format!("备份文件{}不存在", file.display())));
    }
    let info = backup::inspect(file).await?;
    let _lock = crate::lock::acquire(&config.data_dir, "恢复数据库")?;
    let data = &config.data_dir;
    let db_path = data.join("qinglian.db");
    let wal = with_suffix(&db_path, "-wal");
    let shm = with_suffix(&db_path, "-shm");

    // Keep the current database (with anything still in its WAL folded in first).
    let mut kept = None;
    if db_path.exists() {
        if let Ok(db) = Db::connect(&config.effective_database_url()).await {
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(db.pool()).await {
                eprintln!("警告：当前数据库的WAL检查点失败（{e}），将连同WAL文件一起保留");
            }
            db.close().await;
        }
        let stamp = (chrono::Utc::now() + chrono::Duration::hours(8)).format("%Y%m%d-%H%M%S");
        let before = data.join(format!("qinglian.db.before-restore-{stamp}"));
        copy_synced(&db_path, &before)?;
        if wal.metadata().map(|m| m.len() > 0).unwrap_or(false) {
            copy_synced(&wal, &with_suffix(&before, "-wal"))?;
        }
        kept = Some(before);
    }

    // Copy into the data directory, check the copy, then rename it over the database.
    let tmp = data.join(format!(".qinglian.db.restore-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    copy_synced(file, &tmp)?;
    if let Err(e) = backup::inspect(&tmp).await {
        let _ = std::fs::remove_file(&tmp);
        return Err(e.into());
    }
    // Verify the audit chain of the copy before it replaces anything: a backup whose log was
    // tampered with is refused, and the current database stays as it was.
    let report = verify_file(&tmp).await;
    let remove_tmp = || {
        for f in [tmp.clone(), with_suffix(&tmp, "-wal"), with_suffix(&tmp, "-shm")] {
            let _ = std::fs::remove_file(f);
        }
    };
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            remove_tmp();
            return Err(e);
        }
    };
    if let Some(f) = &report.failure {
        remove_tmp();
        return Err(crate::exit::refused(format!(
            "备份文件的审计日志校验失败（第{}条：{}），未恢复，现有数据库保持不变",
            f.seq, f.reason
        )));
    }
    for f in [with_suffix(&tmp, "-wal"), with_suffix(&tmp, "-shm")] {
        let _ = std::fs::remove_file(f);
    }
    for stale in [&wal, &shm] {
        match std::fs::remove_file(stale) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e).with_context(|| format!("无法删除{}", stale.display()));
            }
        }
    }
    std::fs::rename(&tmp, &db_path).with_context(|| format!("无法把恢复的数据库移动到{}", db_path.display()))?;
    if let Ok(dir) = std::fs::File::open(data) {
        let _ = dir.sync_all();
    }

    println!("已从{}恢复数据库", file.display());
    println!("内容：{}", contents(&info));
    match &kept {
        Some(before) => println!("原数据库已保留为：{}", before.display()),
        None => println!("数据目录中原先没有数据库"),
    }
    println!("审计日志完整：共{}条", report.checked);
    Ok(())
}

/// Verify the audit chain of a database file.
async fn verify_file(path: &Path) -> anyhow::Result<qinglian_store::audit::VerifyReport> {
    let db = Db::connect(&format!("sqlite://{}?mode=rw", path.display()))
        .await
        .context("无法打开备份文件以校验审计日志")?;
    let report = qinglian_store::audit::verify(&db).await;
    db.close().await;
    report.context("校验备份文件的审计日志失败")
}
