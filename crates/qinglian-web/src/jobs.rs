//! Background jobs: the daily deadline notifications and the session purge.

use chrono::Timelike;

use crate::App;

/// Spawn the job loop; abort the handle to stop it.
pub fn spawn(app: App) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last_scan: Option<chrono::NaiveDate> = None;
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) = purge_sessions(&app).await {
                tracing::warn!(error = %e, "session purge failed");
            }
            let now_cst = chrono::Utc::now() + chrono::Duration::hours(8);
            let today = now_cst.date_naive();
            if now_cst.hour() >= app.config.deadline.scan_hour && last_scan != Some(today) {
                match run_deadline_scan(&app, today).await {
                    Ok(n) => {
                        tracing::info!(notifications = n, "deadline scan done");
                        last_scan = Some(today);
                    }
                    Err(e) => tracing::warn!(error = %e, "deadline scan failed"),
                }
            }
        }
    })
}

/// Delete sessions past their idle or absolute timeout.
pub async fn purge_sessions(app: &App) -> anyhow::Result<u64> {
    let now = chrono::Utc::now();
    let idle = qinglian_store::time::format(now - chrono::Duration::minutes(app.config.session.idle_minutes));
    let absolute = qinglian_store::time::format(now - chrono::Duration::hours(app.config.session.absolute_hours));
    Ok(qinglian_store::session::purge_expired(&app.db, &idle, &absolute).await?)
}

/// Notify owners of deadlines that turned yellow or red (idempotent per status).
pub async fn run_deadline_scan(app: &App, today: chrono::NaiveDate) -> anyhow::Result<usize> {
    let cal = app.calendar();
    Ok(qinglian_store::deadline::notify_owners(&app.db, &cal, today, app.config.deadline.yellow_workdays).await?)
}
