//! Runtime settings edited in the UI (security policy and the like), stored as JSON.

use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::{Db, Tx};

/// Read a setting, or its default if never set.
pub async fn get<T: DeserializeOwned + Default>(db: &Db, key: &str) -> StoreResult<T> {
    let row = sqlx::query("SELECT value FROM setting WHERE key = $1")
        .bind(key)
        .fetch_optional(db.pool())
        .await?;
    match row {
        Some(r) => {
            let v: String = r.try_get(0)?;
            serde_json::from_str(&v).map_err(|e| StoreError::Internal(format!("setting {key}: {e}")))
        }
        None => Ok(T::default()),
    }
}

/// Write a setting.
pub async fn set<T: Serialize>(tx: &mut Tx, key: &str, value: &T, by: &str) -> StoreResult<()> {
    let v = serde_json::to_string(value).map_err(|e| StoreError::Internal(e.to_string()))?;
    sqlx::query("DELETE FROM setting WHERE key = $1")
        .bind(key)
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO setting (key, value, updated_at, updated_by) VALUES ($1, $2, $3, $4)")
        .bind(key)
        .bind(v)
        .bind(crate::time::now())
        .bind(by)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The security policy the security admin edits.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct SecurityPolicy {
    /// Minimum password length.
    pub password_min_length: usize,
    /// Minimum number of character classes (lower, upper, digit, symbol).
    pub password_min_classes: usize,
    /// Failed logins before the account locks.
    pub max_failed_logins: i64,
    /// Lock duration in minutes.
    pub lockout_minutes: i64,
    /// Failed logins from one client address (over any user names) within
    /// `lockout_minutes` after which that address gets 429 until the window passes.
    pub max_failed_logins_per_ip: i64,
}

impl Default for SecurityPolicy {
    fn default() -> Self {
        // 等保2.0 level 3 practice: ≥ 8 chars with 3 classes; we ask 10. Lock after 5 failures.
        SecurityPolicy {
            password_min_length: 10,
            password_min_classes: 3,
            max_failed_logins: 5,
            lockout_minutes: 15,
            // An office behind one NAT address shares it: room for a few colleagues' typos.
            max_failed_logins_per_ip: 20,
        }
    }
}

/// Setting key of the security policy.
pub const SECURITY_POLICY: &str = "security_policy";

impl SecurityPolicy {
    /// Check a new password against the policy; Chinese message on failure.
    pub fn check_password(&self, pw: &str, username: &str) -> Result<(), String> {
        if pw.chars().count() < self.password_min_length {
            return Err(format!("密码长度至少{}位", self.password_min_length));
        }
        let classes = [
            pw.chars().any(|c| c.is_ascii_lowercase()),
            pw.chars().any(|c| c.is_ascii_uppercase()),
            pw.chars().any(|c| c.is_ascii_digit()),
            pw.chars().any(|c| !c.is_ascii_alphanumeric()),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if classes < self.password_min_classes {
            return Err(format!(
                "密码须包含小写字母、大写字母、数字、符号中的至少{}类",
                self.password_min_classes
            ));
        }
        if !username.is_empty() && pw.to_lowercase().contains(&username.to_lowercase()) {
            return Err("密码不能包含用户名".into());
        }
        Ok(())
    }

    /// Validate the policy itself.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if !(8..=64).contains(&self.password_min_length) {
            return Err(("password_min_length", "密码最小长度应在8–64之间".into()));
        }
        if !(1..=4).contains(&self.password_min_classes) {
            return Err(("password_min_classes", "字符类别数应在1–4之间".into()));
        }
        if !(3..=10).contains(&self.max_failed_logins) {
            return Err(("max_failed_logins", "连续失败次数应在3–10之间".into()));
        }
        if !(1..=1440).contains(&self.lockout_minutes) {
            return Err(("lockout_minutes", "锁定时长应在1–1440分钟之间".into()));
        }
        if !(5..=1000).contains(&self.max_failed_logins_per_ip) {
            return Err((
                "max_failed_logins_per_ip",
                "同一地址登录失败次数上限应在5–1000之间".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_policy_rejects_weak_passwords() {
        let p = SecurityPolicy::default();
        assert!(p.check_password("short1A!", "u").is_err());
        assert!(p.check_password("alllowercaseletters", "u").is_err());
        assert!(p.check_password("Zhangsan2026!", "zhangsan").is_err());
        assert!(p.check_password("Qinglian#2026", "zhangsan").is_ok());
    }
}
