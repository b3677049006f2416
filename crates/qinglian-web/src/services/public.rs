//! Guards of the public (no-login) endpoints, for every module that has them (the reports
//! portal today; surveys and disclosure pages later): a rate limit per client address and
//! purpose, and a human check (人机校验) that needs no outside service.
//!
//! The human check is a proof of work, as GlobaLeaks does it: the server hands out a signed,
//! short-lived challenge `(salt, bits)`; the client finds a decimal `nonce` such that
//! SHA-256(salt ‖ nonce) begins with `bits` zero bits (about 65,000 tries at 16 bits) and
//! sends it back with the token. The server checks the signature (HMAC under a secret derived
//! from the key ring), the expiry, the work, and that the token was not used before. SHA-256
//! rather than SM3: the work protects nothing secret, and every browser can compute it with
//! the embedded js-sha256 (WebCrypto is missing on plain-http intranet pages).
//!
//! The rate limits are keyed GCRA limiters from the `governor` crate: `n` per hour allows a
//! burst of `n`, then one every hour/`n`.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sha2::{Digest, Sha256};

use crate::App;
use crate::error::AppError;

/// How long a challenge may be answered.
pub const CHALLENGE_TTL: Duration = Duration::from_secs(30 * 60);

/// Zero bits the work must reach.
pub const CHALLENGE_BITS: u32 = 16;

/// A purpose with its own limit per client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Filing a report (`report.submissions_per_hour`).
    Submit,
    /// Entering a receipt code (`report.lookups_per_hour`).
    Lookup,
    /// Adding to, rating or objecting to a followed report (the lookup limit, twice over).
    Follow,
}

/// The guards' state, one per server.
pub struct PublicGuard {
    limits: HashMap<Purpose, DefaultKeyedRateLimiter<String>>,
    used: Mutex<HashMap<String, Instant>>,
}

fn per_hour(n: u32) -> Quota {
    Quota::per_hour(NonZeroU32::new(n.max(1)).expect("at least one"))
}

impl PublicGuard {
    /// Guards with the configured limits.
    pub fn new(submissions_per_hour: u32, lookups_per_hour: u32) -> PublicGuard {
        let mut limits = HashMap::new();
        limits.insert(Purpose::Submit, RateLimiter::keyed(per_hour(submissions_per_hour)));
        limits.insert(Purpose::Lookup, RateLimiter::keyed(per_hour(lookups_per_hour)));
        limits.insert(
            Purpose::Follow,
            RateLimiter::keyed(per_hour(lookups_per_hour.saturating_mul(2))),
        );
        PublicGuard {
            limits,
            used: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request of `purpose` from `client`; over the limit it is a 429 saying when
    /// to try again.
    pub fn check_rate(&self, purpose: Purpose, client: &str) -> Result<(), AppError> {
        let Some(limiter) = self.limits.get(&purpose) else {
            return Ok(());
        };
        if limiter.len() > 100_000 {
            limiter.retain_recent();
        }
        limiter.check_key(&client.to_string()).map_err(|not_until| {
            use governor::clock::Clock;
            let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
            let minutes = wait.as_secs().div_ceil(60).max(1);
            AppError::TooMany(match purpose {
                Purpose::Submit => {
                    format!("提交过于频繁，请{minutes}分钟后再试；情况紧急的，请拨打12388或前往信访接待场所")
                }
                Purpose::Lookup => format!("查询码输入错误次数过多，请{minutes}分钟后再试"),
                Purpose::Follow => format!("操作过于频繁，请{minutes}分钟后再试"),
            })
        })
    }

    /// Marks a challenge token used; `false` if it was used before.
    fn first_use(&self, token: &str) -> bool {
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        used.retain(|_, at| at.elapsed() < CHALLENGE_TTL);
        used.insert(token.to_string(), Instant::now()).is_none()
    }
}

/// A challenge as handed to a client.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Challenge {
    /// Send back unchanged as `human_check.token`.
    pub token: String,
    /// The salt: find `nonce` with SHA-256(salt + nonce) starting with `bits` zero bits.
    pub salt: String,
    /// Zero bits required.
    pub bits: u32,
}

fn signing_key(app: &App) -> [u8; 32] {
    app.keys.derive("public.challenge")
}

fn sign(app: &App, payload: &str) -> String {
    hex::encode(qinglian_crypto::mac(app.mode(), &signing_key(app), payload.as_bytes()))
}

/// A fresh challenge.
pub fn challenge(app: &App) -> Challenge {
    let salt = qinglian_crypto::random_token(12);
    let expires = chrono::Utc::now().timestamp() + CHALLENGE_TTL.as_secs() as i64;
    let payload = format!("{expires}.{salt}.{CHALLENGE_BITS}");
    Challenge {
        token: format!("{payload}.{}", sign(app, &payload)),
        salt,
        bits: CHALLENGE_BITS,
    }
}

/// Whether the hash of `salt ‖ nonce` starts with `bits` zero bits.
pub fn work_done(salt: &str, nonce: &str, bits: u32) -> bool {
    let hash = Sha256::digest(format!("{salt}{nonce}").as_bytes());
    let mut left = bits;
    for b in hash.iter() {
        if left == 0 {
            return true;
        }
        if left >= 8 {
            if *b != 0 {
                return false;
            }
            left -= 8;
        } else {
            return b >> (8 - left) == 0;
        }
    }
    left == 0
}

/// Checks an answered challenge (when the human check is on): a 422 on the field
/// `human_check` when it is missing, forged, expired, not done or used before.
pub fn verify(app: &App, guard: &PublicGuard, token: &str, nonce: &str) -> Result<(), AppError> {
    if !app.config.portal_human_check {
        return Ok(());
    }
    let refuse = |m: &str| Err(AppError::invalid("human_check", m));
    let token = token.trim();
    let nonce = nonce.trim();
    if token.is_empty() || nonce.is_empty() {
        return refuse("请完成人机校验（需要浏览器允许运行脚本）");
    }
    let Some((payload, sig)) = token.rsplit_once('.') else {
        return refuse("人机校验无效，请刷新页面后重新提交");
    };
    if !crate::middleware::same_token(sig, &sign(app, payload)) {
        return refuse("人机校验无效，请刷新页面后重新提交");
    }
    let mut parts = payload.splitn(3, '.');
    let (Some(expires), Some(salt), Some(bits)) = (parts.next(), parts.next(), parts.next()) else {
        return refuse("人机校验无效，请刷新页面后重新提交");
    };
    let expires: i64 = expires.parse().unwrap_or(0);
    let bits: u32 = bits.parse().unwrap_or(u32::MAX);
    if expires < chrono::Utc::now().timestamp() {
        return refuse("人机校验已过期，请重新提交");
    }
    if nonce.len() > 20 || !work_done(salt, nonce, bits) {
        return refuse("人机校验未通过，请重新提交");
    }
    if !guard.first_use(token) {
        return refuse("人机校验已使用过，请刷新页面后重新提交");
    }
    Ok(())
}

/// Solves a challenge (tests and the API documentation's example client).
pub fn solve(salt: &str, bits: u32) -> String {
    (0u64..)
        .map(|n| n.to_string())
        .find(|n| work_done(salt, n, bits))
        .expect("a solution exists")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_work_needs_the_leading_zero_bits() {
        let salt = "abc";
        let n = solve(salt, 12);
        assert!(work_done(salt, &n, 12));
        assert!(work_done(salt, &n, 0));
        // The first solution is the first number that works: every smaller one fails.
        let first: u64 = n.parse().unwrap();
        assert!((0..first).all(|m| !work_done(salt, &m.to_string(), 12)));
    }

    #[test]
    fn the_limit_allows_the_configured_burst_per_address() {
        let g = PublicGuard::new(5, 20);
        for _ in 0..5 {
            g.check_rate(Purpose::Submit, "10.0.0.1").unwrap();
        }
        let over = g.check_rate(Purpose::Submit, "10.0.0.1").unwrap_err();
        assert!(
            matches!(over, AppError::TooMany(ref m) if m.contains("分钟后再试")),
            "{over:?}"
        );
        // Another address, another purpose: their own budgets.
        g.check_rate(Purpose::Submit, "10.0.0.2").unwrap();
        g.check_rate(Purpose::Lookup, "10.0.0.1").unwrap();
    }
}
