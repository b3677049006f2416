//! `audit verify`, `audit purge` and `keys rotate`.

use qinglian_web::config::Config;

/// Verify the audit hash chain: exit 0 if intact, 1 naming the first bad entry.
pub async fn verify(config: Config) -> anyhow::Result<()> {
    let db = super::open_existing(&config).await?;
    let report = qinglian_store::audit::verify(&db).await;
    db.close().await;
    let report = report?;
    match report.failure {
        None => {
            println!("审计日志完整：共{}条", report.checked);
            Ok(())
        }
        Some(f) => Err(anyhow::anyhow!(
            "审计日志校验失败，第一个问题在第{}条：{}（此前{}条完好）",
            f.seq,
            f.reason,
            report.checked
        )),
    }
}

/// Delete audit entries before a date, only outside the retention period; the chain stays
/// verifiable (its anchor moves) and the purge itself is audited.
pub async fn purge(config: Config, before: &str) -> anyhow::Result<()> {
    let date = chrono::NaiveDate::parse_from_str(before.trim(), "%Y-%m-%d")
        .map_err(|_| crate::exit::refused(format!("日期“{before}”格式应为YYYY-MM-DD")))?;
    let cutoff = date.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc() - chrono::Duration::hours(8);
    let db = super::open_existing(&config).await?;
    let result = qinglian_store::audit::purge(
        &db,
        config.crypto_mode,
        &qinglian_store::audit::Actor::system("cli"),
        &qinglian_store::time::format(cutoff),
        config.audit.retention_days,
    )
    .await;
    db.close().await;
    match result {
        Ok(n) => {
            println!("已删除{before}之前的审计日志{n}条；哈希链仍可校验");
            Ok(())
        }
        Err(qinglian_store::StoreError::Invalid { message, .. }) => Err(crate::exit::refused(message)),
        Err(e) => Err(e.into()),
    }
}

/// Rotate the field-encryption master key and re-encrypt every encrypted field under it,
/// in one transaction; old key versions stay in the key file so backups remain readable.
pub async fn rotate_keys(config: Config) -> anyhow::Result<()> {
    if !config.master_key.is_empty() {
        return Err(crate::exit::refused(
            "主密钥由配置项master_key提供：请在配置中追加新版本密钥（如 v1:…,v2:…），重启后再执行本命令以重新加密",
        ));
    }
    let _lock = crate::lock::acquire(&config.data_dir, "轮换密钥")?;
    let mut keys = qinglian_crypto::KeyRing::load_or_create(&config.data_dir, config.crypto_mode)?;
    let db = super::open_existing(&config).await?;
    let version = keys.rotate(&config.data_dir)?;
    let n = qinglian_store::user::reencrypt_totp_secrets(&db, &keys, qinglian_web::auth::totp_aad).await?;
    qinglian_store::audit::record(
        &db,
        config.crypto_mode,
        &qinglian_store::audit::Actor::system("cli"),
        &qinglian_store::audit::Event {
            action: "keys.rotate",
            object_type: "key_ring",
            object_id: format!("v{version}"),
            outcome: qinglian_store::audit::Outcome::Success,
            detail: format!("新主密钥v{version}，重新加密{n}个字段"),
        },
    )
    .await?;
    db.close().await;
    println!("已生成主密钥v{version}，重新加密{n}个字段");
    Ok(())
}
