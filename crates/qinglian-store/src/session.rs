//! Server-side sessions (web cookies and API bearer tokens share one table).
//!
//! Written here instead of tower-sessions because its SQL stores pin sqlx 0.8; a session is
//! one row keyed by the digest of its id, so a leaked database does not leak live sessions.

use sqlx::Row;

use crate::error::StoreResult;
use crate::user::{RoleId, UserId};
use crate::{Db, Tx};

/// A live session.
#[derive(Debug, Clone)]
pub struct Session {
    /// Digest of the session id (the id itself is never stored).
    pub id_hash: String,
    /// Owner.
    pub user_id: UserId,
    /// "web" or "api".
    pub kind: String,
    /// CSRF token bound to the session.
    pub csrf_token: String,
    /// Password accepted but the second factor not yet given.
    pub totp_pending: bool,
    /// Created (stored timestamp).
    pub created_at: String,
    /// Last request (stored timestamp).
    pub last_seen_at: String,
}

/// Create a session row.
pub async fn create(
    tx: &mut Tx,
    id_hash: &str,
    user_id: UserId,
    kind: &str,
    csrf: &str,
    totp_pending: bool,
    ip: &str,
) -> StoreResult<()> {
    let now = crate::time::now();
    sqlx::query("INSERT INTO app_session (id_hash, user_id, kind, csrf_token, totp_pending, ip, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)")
        .bind(id_hash)
        .bind(user_id)
        .bind(kind)
        .bind(csrf)
        .bind(totp_pending as i64)
        .bind(ip)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Look up a session by the digest of its id.
pub async fn get(db: &Db, id_hash: &str) -> StoreResult<Option<Session>> {
    let row = sqlx::query("SELECT id_hash, user_id, kind, csrf_token, totp_pending, created_at, last_seen_at FROM app_session WHERE id_hash = $1")
        .bind(id_hash)
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| {
        Ok(Session {
            id_hash: r.try_get(0)?,
            user_id: r.try_get(1)?,
            kind: r.try_get(2)?,
            csrf_token: r.try_get(3)?,
            totp_pending: crate::flag(r.try_get(4)?),
            created_at: r.try_get(5)?,
            last_seen_at: r.try_get(6)?,
        })
    })
    .transpose()
}

/// Record activity (sliding idle timeout). Not in a transaction of its own: a lost touch
/// only shortens a session.
pub async fn touch(db: &Db, id_hash: &str) -> StoreResult<()> {
    sqlx::query("UPDATE app_session SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(crate::time::now())
        .bind(id_hash)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Mark the second factor as given.
pub async fn complete_totp(tx: &mut Tx, id_hash: &str) -> StoreResult<()> {
    sqlx::query("UPDATE app_session SET totp_pending = 0 WHERE id_hash = $1")
        .bind(id_hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// End one session.
pub async fn delete(tx: &mut Tx, id_hash: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM app_session WHERE id_hash = $1")
        .bind(id_hash)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// End every session of a user (password change, disable).
pub async fn delete_for_user(tx: &mut Tx, user_id: UserId) -> StoreResult<()> {
    sqlx::query("DELETE FROM app_session WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Delete the sessions of every user holding the role `role_id` (its rights changed).
pub async fn delete_for_role(tx: &mut Tx, role_id: RoleId) -> StoreResult<()> {
    sqlx::query("DELETE FROM app_session WHERE user_id IN (SELECT user_id FROM user_role WHERE role_id = $1)")
        .bind(role_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Delete sessions idle since before `idle_cutoff` or created before `absolute_cutoff`.
pub async fn purge_expired(db: &Db, idle_cutoff: &str, absolute_cutoff: &str) -> StoreResult<u64> {
    let mut tx = db.begin().await?;
    let n = sqlx::query("DELETE FROM app_session WHERE last_seen_at < $1 OR created_at < $2")
        .bind(idle_cutoff)
        .bind(absolute_cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    Ok(n)
}
