//! The application: opened once at start, cloned into every request.

use std::sync::{Arc, RwLock};

use anyhow::Context;
use qinglian_crypto::{CryptoMode, KeyRing};
use qinglian_domain::calendar::Calendar;
use qinglian_store::Db;

use qinglian_store::user::UserId;

use crate::config::Config;

/// Shared application state.
#[derive(Clone)]
pub struct App {
    /// The database.
    pub db: Db,
    /// Configuration (read-only after start).
    pub config: Arc<Config>,
    /// Field-encryption keys.
    pub keys: Arc<KeyRing>,
    /// The working-day calendar (reloaded when an admin edits a year).
    pub calendar: Arc<RwLock<Calendar>>,
    /// Short-lived generated files (import error reports), by random token.
    pub downloads: Arc<std::sync::Mutex<std::collections::HashMap<String, Download>>>,
    /// The versioned Parquet dataset store of data supervision.
    pub datasets: Arc<qinglian_analytics::dataset::DatasetStore>,
    /// Wakes the data-supervision worker when a job is queued.
    pub job_wakeup: Arc<tokio::sync::Notify>,
    /// Rate limits and used human-check challenges of the public endpoints.
    pub public: Arc<crate::services::public::PublicGuard>,
    /// The portal's follow tickets (a reporter who entered a valid receipt code), by token.
    pub follow_tickets: Arc<std::sync::Mutex<std::collections::HashMap<String, FollowTicket>>>,
}

/// A reporter's short visit after entering a valid receipt code: the code's hash, kept in
/// memory only, so that the follow page can redirect after a write without the code in a URL.
#[derive(Clone)]
pub struct FollowTicket {
    /// The receipt code's hash.
    pub receipt_hash: String,
    /// The code itself, right after filing only: shown once on the next page, then dropped.
    pub code_once: Option<String>,
    /// When the code was entered.
    pub created: std::time::Instant,
}

/// A generated file a user may download once within a short time.
#[derive(Clone)]
pub struct Download {
    /// Only this user may fetch it.
    pub user_id: UserId,
    /// File name.
    pub filename: String,
    /// Content.
    pub bytes: Vec<u8>,
    /// When it was made.
    pub created: std::time::Instant,
}

impl App {
    /// Keep a generated file for 30 minutes; returns its token.
    pub fn put_download(&self, user_id: UserId, filename: &str, bytes: Vec<u8>) -> String {
        let token = qinglian_crypto::random_token(16);
        let mut map = self.downloads.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, d| d.created.elapsed() < std::time::Duration::from_secs(1800));
        map.insert(
            token.clone(),
            Download {
                user_id,
                filename: filename.to_string(),
                bytes,
                created: std::time::Instant::now(),
            },
        );
        token
    }

    /// Take (fetch and forget) a kept item: a secret shown once, such as a one-time password.
    pub fn take_download(&self, user_id: UserId, token: &str) -> Option<Download> {
        let mut map = self.downloads.lock().unwrap_or_else(|p| p.into_inner());
        let ok = map
            .get(token)
            .is_some_and(|d| d.user_id == user_id && d.created.elapsed() < std::time::Duration::from_secs(1800));
        if ok { map.remove(token) } else { None }
    }

    /// Fetch a generated file if it belongs to the user and has not expired.
    pub fn get_download(&self, user_id: UserId, token: &str) -> Option<Download> {
        let map = self.downloads.lock().unwrap_or_else(|p| p.into_inner());
        map.get(token)
            .filter(|d| d.user_id == user_id && d.created.elapsed() < std::time::Duration::from_secs(1800))
            .cloned()
    }
}

impl App {
    /// Open the data directory and database: create what is missing, migrate, create the
    /// built-in roles, load keys and the calendar.
    pub async fn open(config: Config) -> anyhow::Result<App> {
        create_private_dir(&config.data_dir)?;
        let db = Db::connect(&config.effective_database_url())
            .await
            .with_context(|| format!("无法连接数据库（{}）", redact_url(&config.effective_database_url())))?;
        qinglian_store::migrate::run(&db).await.context("数据库迁移失败")?;
        qinglian_store::person::refresh_name_keys(&db).await?;
        let mut tx = db.begin().await?;
        qinglian_store::user::ensure_builtin_roles(&mut tx).await?;
        qinglian_store::org::refresh_tree_rank(&mut tx).await?;
        tx.commit().await?;
        let keys = if config.master_key.is_empty() {
            KeyRing::load_or_create(&config.data_dir, config.crypto_mode)?
        } else {
            KeyRing::from_keys(qinglian_crypto::parse_key_list(&config.master_key)?, config.crypto_mode)?
        };
        let calendar = qinglian_store::calendar::load(&db).await?;
        let datasets = crate::data_supervision::jobs::open_store(&config)?;
        Ok(App {
            db,
            keys: Arc::new(keys),
            calendar: Arc::new(RwLock::new(calendar)),
            downloads: Default::default(),
            datasets: Arc::new(datasets),
            job_wakeup: Default::default(),
            public: Arc::new(crate::services::public::PublicGuard::new(
                config.report.submissions_per_hour,
                config.report.lookups_per_hour,
            )),
            follow_tickets: Default::default(),
            config: Arc::new(config),
        })
    }

    /// The crypto mode in force.
    pub fn mode(&self) -> CryptoMode {
        self.config.crypto_mode
    }

    /// Today in China Standard Time, or the configured fixed date (`today`): the one clock every
    /// deadline, default due date and home page uses.
    pub fn today(&self) -> chrono::NaiveDate {
        self.config
            .fixed_today()
            .unwrap_or_else(qinglian_store::time::today_cst)
    }

    /// A snapshot of the calendar.
    pub fn calendar(&self) -> Calendar {
        self.calendar
            .read()
            .map(|c| c.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// Reload the calendar from the database (after an admin edit).
    pub async fn reload_calendar(&self) -> anyhow::Result<()> {
        let cal = qinglian_store::calendar::load(&self.db).await?;
        match self.calendar.write() {
            Ok(mut c) => *c = cal,
            Err(p) => *p.into_inner() = cal,
        }
        Ok(())
    }
}

/// Create a directory readable by the owner only.
pub fn create_private_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("无法创建数据目录{}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Hide the password in a database URL for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(super::redact_url("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(super::redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact_url("postgres://u:p@ss@h/db"), "postgres://u:***@h/db");
    }
}
