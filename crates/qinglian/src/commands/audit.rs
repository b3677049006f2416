//! `audit verify`.

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
