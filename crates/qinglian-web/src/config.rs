//! Typed configuration, loaded once at start: defaults → `qinglian.toml` in the data
//! directory → `QINGLIAN_*` environment variables → command-line flags. Unknown keys are
//! warned about, never silently ignored. Every option is documented on its field and in
//! `docs/CONFIGURATION.md`.

use std::path::{Path, PathBuf};

use qinglian_crypto::CryptoMode;
use serde::{Deserialize, Serialize};

/// The whole configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on (`addr`, env `QINGLIAN_ADDR`).
    pub addr: String,
    /// Database URL; empty means the embedded SQLite file `qinglian.db` in the data directory
    /// (`database_url`, env `QINGLIAN_DATABASE_URL`).
    pub database_url: String,
    /// 国密 (`guomi`, SM3/SM4, default) or `international` (SHA-256/AES-256-GCM) for the audit
    /// hash chain and field encryption (`crypto_mode`).
    pub crypto_mode: CryptoMode,
    /// Master keys supplied by configuration instead of the key file, as `v1:<64 hex>,v2:<64 hex>`
    /// or one 64-hex key (`master_key`, env `QINGLIAN_MASTER_KEY`).
    pub master_key: String,
    /// Public URL of the site, e.g. `https://lian.example.gov.cn`; an https URL makes session
    /// cookies `Secure` (`public_url`).
    pub public_url: String,
    /// Trust `X-Forwarded-For`/`X-Forwarded-Proto` from a reverse proxy (`trust_proxy`).
    pub trust_proxy: bool,
    /// Log filter, e.g. `info` or `qinglian=debug` (`log`).
    pub log: String,
    /// The date the server takes as today, `YYYY-MM-DD`; empty (the default) = the wall clock
    /// in China Standard Time. For tests, training and demos on a fixed date (`today`, env
    /// `QINGLIAN_TODAY`); never set it in production.
    pub today: String,
    /// Demo mode, set only by `serve --demo` (never by the file or the environment, because it
    /// turns off required two-factor login): seeds the fictional 示例市 and does not force
    /// two-factor login or a password change at first login. Never use in production.
    #[serde(skip)]
    pub demo: bool,
    /// Sessions.
    pub session: SessionConfig,
    /// Deadlines.
    pub deadline: DeadlineConfig,
    /// Audit log.
    pub audit: AuditConfig,
    /// Uploads.
    pub upload: UploadConfig,
    /// Data supervision (大数据监督).
    pub data_supervision: DataSupervisionConfig,
    /// The public portal asks for the human check (人机校验) on every submission
    /// (`portal_human_check`, env `QINGLIAN_PORTAL_HUMAN_CHECK`, default true). Turn it off only
    /// for integrations and tests; the rate limits stay on either way.
    pub portal_human_check: bool,
    /// Reports (信访举报).
    pub report: ReportConfig,
    /// Problem clues (问题线索).
    pub clue: ClueConfig,
    /// Data directory (set from the command line; not read from the file).
    #[serde(skip)]
    pub data_dir: PathBuf,
}

/// Session lifetimes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionConfig {
    /// Idle timeout in minutes (`session.idle_minutes`, default 30).
    pub idle_minutes: i64,
    /// Absolute lifetime in hours (`session.absolute_hours`, default 12).
    pub absolute_hours: i64,
}

/// Deadline service.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeadlineConfig {
    /// Yellow when at most this many working days are left (`deadline.yellow_workdays`, default 3).
    pub yellow_workdays: u32,
    /// Hour of day (China time, 0–23) when the daily notification job runs (`deadline.scan_hour`, default 8).
    pub scan_hour: u32,
}

/// Audit log.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    /// Days during which entries cannot be deleted by anyone (`audit.retention_days`, default
    /// and minimum 180).
    pub retention_days: i64,
}

/// Uploads.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UploadConfig {
    /// Largest accepted upload in MiB (`upload.max_mb`, default 20).
    pub max_mb: usize,
}

/// Data supervision: where dataset versions are kept and the limits of model runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataSupervisionConfig {
    /// Location of the versioned Parquet dataset store: a directory (relative ones are under the
    /// data directory), `file:///abs/dir`, or an S3-compatible `s3://bucket/prefix`
    /// (`data_supervision.store`, default `datasets`).
    pub store: String,
    /// Memory limit of one model run in MiB (`data_supervision.memory_limit_mb`, default 4096).
    pub memory_limit_mb: usize,
    /// Time limit of one model in seconds (`data_supervision.timeout_secs`, default 1800).
    pub timeout_secs: u64,
    /// Largest dataset file accepted by the import page in MiB
    /// (`data_supervision.upload_max_mb`, default 512).
    pub upload_max_mb: usize,
}

/// Problem clues (问题线索): the approval rule of RULES.md §3.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClueConfig {
    /// An inquiry or a verification about a lower-level party organisation's principal needs
    /// the commission principal's approval, a verification also the same-level party committee
    /// principal's (`clue.principal_approval`, default true; RULES.md §3 marks it configurable).
    pub principal_approval: bool,
}

impl Default for ClueConfig {
    fn default() -> Self {
        ClueConfig {
            principal_approval: true,
        }
    }
}

/// Reports (信访举报): the public portal's limits and duplicate detection.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportConfig {
    /// Reports one client address may file on the portal per hour
    /// (`report.submissions_per_hour`, default 5).
    pub submissions_per_hour: u32,
    /// Receipt-code lookups one client address may make per hour, wrong or right
    /// (`report.lookups_per_hour`, default 20).
    pub lookups_per_hour: u32,
    /// Earlier reports about the same subject within this many days are offered as possible
    /// duplicates at entry (`report.duplicate_window_days`, default 180).
    pub duplicate_window_days: i64,
    /// How long an approved identity disclosure lets the requester see the reporter, in hours
    /// (`report.disclosure_hours`, default 24).
    pub disclosure_hours: i64,
    /// The reward bands of 有奖举报 as `档次:元` separated by commas
    /// (`report.reward_bands`, default `一档:500,二档:2000,三档:5000`).
    pub reward_bands: String,
}

impl ReportConfig {
    /// The reward bands, (档次, yuan) in order; `Err` names what is wrong.
    pub fn bands(&self) -> Result<Vec<(String, i64)>, String> {
        let mut out: Vec<(String, i64)> = Vec::new();
        for part in self
            .reward_bands
            .split([',', '，'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (name, amount) = part
                .split_once([':', '：'])
                .ok_or_else(|| format!("“{part}”应为“档次:金额”，例如 一档:500"))?;
            let amount: i64 = amount
                .trim()
                .parse()
                .ok()
                .filter(|a| (1..=10_000_000).contains(a))
                .ok_or_else(|| format!("“{part}”的金额应为1–10000000元的整数"))?;
            if name.trim().is_empty() || out.iter().any(|(n, _)| n == name.trim()) {
                return Err(format!("“{part}”的档次名称为空或重复"));
            }
            out.push((name.trim().to_string(), amount));
        }
        if out.is_empty() {
            return Err("至少设置一个奖励档次".into());
        }
        Ok(out)
    }
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            submissions_per_hour: 5,
            lookups_per_hour: 20,
            duplicate_window_days: 180,
            disclosure_hours: 24,
            reward_bands: qinglian_domain::report::DEFAULT_REWARD_BANDS
                .iter()
                .map(|(b, a)| format!("{b}:{a}"))
                .collect::<Vec<_>>()
                .join(","),
        }
    }
}

impl Default for DataSupervisionConfig {
    fn default() -> Self {
        DataSupervisionConfig {
            store: "datasets".into(),
            memory_limit_mb: 4096,
            timeout_secs: 1800,
            upload_max_mb: 512,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: "127.0.0.1:8080".into(),
            database_url: String::new(),
            crypto_mode: CryptoMode::Guomi,
            master_key: String::new(),
            public_url: String::new(),
            trust_proxy: false,
            log: "info".into(),
            today: String::new(),
            demo: false,
            session: SessionConfig::default(),
            deadline: DeadlineConfig::default(),
            audit: AuditConfig::default(),
            upload: UploadConfig::default(),
            data_supervision: DataSupervisionConfig::default(),
            portal_human_check: true,
            report: ReportConfig::default(),
            clue: ClueConfig::default(),
            data_dir: PathBuf::from("./qinglian-data"),
        }
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            idle_minutes: 30,
            absolute_hours: 12,
        }
    }
}
impl Default for DeadlineConfig {
    fn default() -> Self {
        DeadlineConfig {
            yellow_workdays: qinglian_domain::rules::DEFAULT_YELLOW_WORKDAYS,
            scan_hour: 8,
        }
    }
}
impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig { retention_days: 180 }
    }
}
impl Default for UploadConfig {
    fn default() -> Self {
        UploadConfig { max_mb: 20 }
    }
}

/// Every key the file and the environment may set (dotted form).
pub const KEYS: &[&str] = &[
    "addr",
    "database_url",
    "crypto_mode",
    "master_key",
    "public_url",
    "trust_proxy",
    "log",
    "today",
    "session.idle_minutes",
    "session.absolute_hours",
    "deadline.yellow_workdays",
    "deadline.scan_hour",
    "audit.retention_days",
    "upload.max_mb",
    "data_supervision.store",
    "data_supervision.memory_limit_mb",
    "data_supervision.timeout_secs",
    "data_supervision.upload_max_mb",
    "portal_human_check",
    "report.submissions_per_hour",
    "report.lookups_per_hour",
    "report.duplicate_window_days",
    "report.disclosure_hours",
    "report.reward_bands",
    "clue.principal_approval",
];

/// Environment variable for a dotted key: `session.idle_minutes` → `QINGLIAN_SESSION_IDLE_MINUTES`.
pub fn env_name(key: &str) -> String {
    format!("QINGLIAN_{}", key.replace('.', "_").to_uppercase())
}

/// A configuration problem.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read or parsed.
    #[error("配置文件{path}有误：{message}")]
    File {
        /// File path.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A value is invalid.
    #[error("配置项{key}有误：{message}")]
    Value {
        /// Dotted key.
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// Parse an environment/flag string as a TOML value (number, bool) or else a string.
fn scalar(s: &str) -> toml::Value {
    match toml::from_str::<toml::Table>(&format!("v = {s}")) {
        Ok(mut t) => t.remove("v").unwrap_or_else(|| toml::Value::String(s.into())),
        Err(_) => toml::Value::String(s.into()),
    }
}

/// A string from the environment or a flag as the TOML value its key expects: text keys stay
/// text (a URL or key is never mistaken for a number), the rest parse as TOML scalars.
fn typed(key: &str, value: &str) -> toml::Value {
    if matches!(
        key,
        "addr"
            | "database_url"
            | "master_key"
            | "public_url"
            | "log"
            | "today"
            | "crypto_mode"
            | "data_supervision.store"
            | "report.reward_bands"
    ) {
        toml::Value::String(value.to_string())
    } else {
        scalar(value)
    }
}

fn set_dotted(table: &mut toml::Table, key: &str, value: toml::Value) {
    match key.split_once('.') {
        Some((head, rest)) => {
            let sub = table
                .entry(head.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if let toml::Value::Table(t) = sub {
                set_dotted(t, rest, value);
            }
        }
        None => {
            table.insert(key.to_string(), value);
        }
    }
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut Vec<String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            _ => out.push(key),
        }
    }
}

impl Config {
    /// Load the configuration for `data_dir`. `env` is the process environment (passed in so
    /// tests control it); `overrides` are dotted keys set by flags. Returns the config and
    /// warnings (unknown keys) to log.
    pub fn load(
        data_dir: &Path,
        env: impl IntoIterator<Item = (String, String)>,
        overrides: &[(&str, String)],
    ) -> Result<(Config, Vec<String>), ConfigError> {
        let mut warnings = Vec::new();
        let mut table = toml::Table::new();
        let file = data_dir.join("qinglian.toml");
        if file.exists() {
            let text = std::fs::read_to_string(&file).map_err(|e| ConfigError::File {
                path: file.display().to_string(),
                message: e.to_string(),
            })?;
            let parsed: toml::Table = toml::from_str(&text).map_err(|e| ConfigError::File {
                path: file.display().to_string(),
                message: e.to_string(),
            })?;
            let mut keys = Vec::new();
            flatten("", &parsed, &mut keys);
            for k in keys {
                if KEYS.contains(&k.as_str()) {
                    // Re-set known keys only, so unknown ones warn instead of failing.
                    let mut v = &parsed;
                    let parts: Vec<&str> = k.split('.').collect();
                    for p in &parts[..parts.len() - 1] {
                        v = v.get(*p).and_then(|x| x.as_table()).expect("flattened path exists");
                    }
                    set_dotted(&mut table, &k, v[parts[parts.len() - 1]].clone());
                } else {
                    warnings.push(format!("配置文件{}中的未知配置项“{k}”已忽略", file.display()));
                }
            }
        }
        let env: Vec<(String, String)> = env.into_iter().collect();
        for (name, value) in &env {
            if !name.starts_with("QINGLIAN_") {
                continue;
            }
            match KEYS.iter().find(|k| env_name(k) == *name) {
                Some(k) => set_dotted(&mut table, k, typed(k, value)),
                None if [
                    "QINGLIAN_DEMO_PASSWORD",
                    "QINGLIAN_DATA",
                    "QINGLIAN_TEST_DATABASE_URL",
                    "QINGLIAN_CHROMEDRIVER",
                    "QINGLIAN_CHROMIUM",
                ]
                .contains(&name.as_str()) => {}
                None => warnings.push(format!("未知环境变量{name}已忽略")),
            }
        }
        for (k, v) in overrides {
            set_dotted(&mut table, k, typed(k, v));
        }
        let mut cfg: Config =
            toml::Value::Table(table)
                .try_into()
                .map_err(|e: toml::de::Error| ConfigError::Value {
                    key: "(配置)".into(),
                    message: e.message().to_string(),
                })?;
        cfg.data_dir = data_dir.to_path_buf();
        cfg.validate()?;
        Ok((cfg, warnings))
    }

    /// Check value ranges.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key: &str, message: &str| {
            Err(ConfigError::Value {
                key: key.into(),
                message: message.into(),
            })
        };
        if self.addr.parse::<std::net::SocketAddr>().is_err() {
            return bad("addr", "应为“IP:端口”，例如 127.0.0.1:8080");
        }
        if !self.today.is_empty() && chrono::NaiveDate::parse_from_str(&self.today, "%Y-%m-%d").is_err() {
            return bad(
                "today",
                "应为YYYY-MM-DD格式的日期，例如 2026-12-20；留空表示使用系统时钟",
            );
        }
        if !(5..=480).contains(&self.session.idle_minutes) {
            return bad("session.idle_minutes", "应在5–480分钟之间");
        }
        if !(1..=72).contains(&self.session.absolute_hours) {
            return bad("session.absolute_hours", "应在1–72小时之间");
        }
        if self.deadline.yellow_workdays > 30 {
            return bad("deadline.yellow_workdays", "应在0–30个工作日之间");
        }
        if self.deadline.scan_hour > 23 {
            return bad("deadline.scan_hour", "应在0–23之间");
        }
        if self.audit.retention_days < 180 {
            return bad("audit.retention_days", "审计日志保存期不得少于180天");
        }
        if !(1..=512).contains(&self.upload.max_mb) {
            return bad("upload.max_mb", "应在1–512之间");
        }
        if let Err(m) = self.report.bands() {
            return bad("report.reward_bands", &m);
        }
        if !(1..=720).contains(&self.report.disclosure_hours) {
            return bad("report.disclosure_hours", "应在1–720小时之间");
        }
        if self.data_supervision.store.trim().is_empty() {
            return bad("data_supervision.store", "不能为空");
        }
        if !(256..=1_048_576).contains(&self.data_supervision.memory_limit_mb) {
            return bad("data_supervision.memory_limit_mb", "应在256–1048576之间");
        }
        if !(10..=86_400).contains(&self.data_supervision.timeout_secs) {
            return bad("data_supervision.timeout_secs", "应在10–86400秒之间");
        }
        if !(1..=16_384).contains(&self.data_supervision.upload_max_mb) {
            return bad("data_supervision.upload_max_mb", "应在1–16384之间");
        }
        if !self.database_url.is_empty() && qinglian_store::Dialect::from_url(&self.database_url).is_none() {
            return bad("database_url", "应以 sqlite:// 或 postgres:// 开头");
        }
        Ok(())
    }

    /// The effective database URL.
    pub fn effective_database_url(&self) -> String {
        if self.database_url.is_empty() {
            qinglian_store::Db::sqlite_url(&self.data_dir)
        } else {
            self.database_url.clone()
        }
    }

    /// The fixed date of `today`, if set (validated at load).
    pub fn fixed_today(&self) -> Option<chrono::NaiveDate> {
        chrono::NaiveDate::parse_from_str(&self.today, "%Y-%m-%d").ok()
    }

    /// Whether session cookies carry `Secure` regardless of the request.
    pub fn https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_apply_in_order_and_unknown_keys_warn() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("qinglian.toml"),
            "addr = \"0.0.0.0:9000\"\nbogus = 1\n[session]\nidle_minutes = 20\nabsolute_hours = 8\n",
        )
        .unwrap();
        let env = vec![
            ("QINGLIAN_SESSION_IDLE_MINUTES".to_string(), "25".to_string()),
            ("QINGLIAN_NOPE".to_string(), "x".to_string()),
            ("PATH".to_string(), "/bin".to_string()),
        ];
        let (cfg, warnings) = Config::load(dir.path(), env, &[("addr", "127.0.0.1:9100".into())]).unwrap();
        assert_eq!(cfg.addr, "127.0.0.1:9100", "flag beats file");
        assert_eq!(cfg.session.idle_minutes, 25, "env beats file");
        assert_eq!(cfg.session.absolute_hours, 8, "file beats default");
        assert_eq!(cfg.deadline.yellow_workdays, 3, "default");
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings.iter().any(|w| w.contains("bogus")));
        assert!(warnings.iter().any(|w| w.contains("QINGLIAN_NOPE")));
    }

    #[test]
    fn bad_values_are_refused_with_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let env = vec![("QINGLIAN_AUDIT_RETENTION_DAYS".to_string(), "30".to_string())];
        let err = Config::load(dir.path(), env, &[]).unwrap_err();
        assert!(err.to_string().contains("audit.retention_days"), "{err}");
    }

    #[test]
    fn every_key_has_an_env_name() {
        assert_eq!(env_name("session.idle_minutes"), "QINGLIAN_SESSION_IDLE_MINUTES");
        assert_eq!(KEYS.len(), 25);
        let doc = include_str!("../../../docs/CONFIGURATION.md");
        for k in KEYS {
            assert!(
                doc.contains(&format!("`{k}`")),
                "{k} is not documented in docs/CONFIGURATION.md"
            );
        }
        assert!(
            !KEYS.contains(&"demo"),
            "demo mode turns off required 2FA: only `serve --demo` may set it"
        );
    }
}
