//! API keys (接口密钥): long-lived bearer tokens with which another system (the 12345 hotline)
//! acts as one service account. Only the key's SHA-256 is stored (a key is 32 random bytes: no
//! salt or slow hash is needed to protect it); its first characters are kept to tell keys
//! apart. A revoked key, or the key of a disabled user, opens nothing.

use serde::Serialize;
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::user::UserId;
use crate::{Db, Tx};

crate::id_type!(
    /// Id of an API key.
    ApiKeyId
);

/// What every key begins with (so that a bearer token is known to be one).
pub const PREFIX: &str = "qk_";

/// An API key as the security admin sees it (never the key itself).
#[derive(Debug, Clone, Serialize)]
pub struct ApiKey {
    /// Id.
    pub id: ApiKeyId,
    /// The account it acts as.
    pub user_id: UserId,
    /// What it is for (e.g. 12345热线系统).
    pub name: String,
    /// Its first characters.
    pub prefix: String,
    /// Made (UTC timestamp).
    pub created_at: String,
    /// Last used ('' never).
    pub last_used_at: String,
    /// Revoked ('' = in force).
    pub revoked_at: String,
}

fn hash(key: &str) -> String {
    hex::encode(qinglian_crypto::digest(
        qinglian_crypto::CryptoMode::International,
        key.as_bytes(),
    ))
}

/// Makes a key for `user`; returns it (to be shown once).
pub async fn create(tx: &mut Tx, user: UserId, name: &str, by: Option<UserId>) -> StoreResult<(ApiKeyId, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(StoreError::invalid(
            "name",
            "请填写密钥用途（100字以内），例如：12345热线系统",
        ));
    }
    let key = format!("{PREFIX}{}", qinglian_crypto::random_token(32));
    let id: ApiKeyId = sqlx::query(
        "INSERT INTO api_key (user_id, name, key_hash, prefix, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(user)
    .bind(name)
    .bind(hash(&key))
    .bind(key.chars().take(10).collect::<String>())
    .bind(by)
    .bind(crate::time::now())
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?;
    Ok((id, key))
}

/// The account a key in force acts as (and notes its use, at most once a minute).
pub async fn find(db: &Db, key: &str) -> StoreResult<Option<(ApiKeyId, UserId)>> {
    let row = sqlx::query("SELECT id, user_id, last_used_at FROM api_key WHERE key_hash = $1 AND revoked_at = ''")
        .bind(hash(key))
        .fetch_optional(db.pool())
        .await?;
    let Some(row) = row else { return Ok(None) };
    let id: ApiKeyId = row.try_get(0)?;
    let last: String = row.try_get(2)?;
    let stale = crate::time::parse(&last).is_none_or(|t| chrono::Utc::now() - t > chrono::Duration::seconds(60));
    if stale {
        sqlx::query("UPDATE api_key SET last_used_at = $1 WHERE id = $2")
            .bind(crate::time::now())
            .bind(id)
            .execute(db.pool())
            .await?;
    }
    Ok(Some((id, row.try_get(1)?)))
}

/// The keys of a user, newest first.
pub async fn of_user(db: &Db, user: UserId) -> StoreResult<Vec<ApiKey>> {
    let rows = sqlx::query(
        "SELECT id, user_id, name, prefix, created_at, last_used_at, revoked_at FROM api_key WHERE user_id = $1 ORDER BY id DESC",
    )
    .bind(user)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ApiKey {
                id: r.try_get(0)?,
                user_id: r.try_get(1)?,
                name: r.try_get(2)?,
                prefix: r.try_get(3)?,
                created_at: r.try_get(4)?,
                last_used_at: r.try_get(5)?,
                revoked_at: r.try_get(6)?,
            })
        })
        .collect()
}

/// Revokes a key; returns its user (a revoked key stays listed).
pub async fn revoke(tx: &mut Tx, id: ApiKeyId) -> StoreResult<UserId> {
    let row = sqlx::query("SELECT user_id FROM api_key WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("接口密钥"))?;
    sqlx::query("UPDATE api_key SET revoked_at = $1 WHERE id = $2 AND revoked_at = ''")
        .bind(crate::time::now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(row.try_get(0)?)
}
