//! The notification inbox.

use serde::Serialize;
use sqlx::Row;

use crate::error::StoreResult;
use crate::user::UserId;
use crate::{Db, Tx};

crate::id_type!(
    /// Id of a notification.
    NotificationId
);

/// One notification.
#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    /// Id.
    pub id: NotificationId,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Link to the object.
    pub link: String,
    /// Created.
    pub created_at: String,
    /// Read at.
    pub read_at: Option<String>,
}

/// True for a link inside this site: empty, or an absolute path that is not protocol-relative
/// ("//host") or a backslash trick ("/\\host") — anything else would be an open redirect.
pub fn is_internal_link(link: &str) -> bool {
    link.is_empty()
        || (link.starts_with('/')
            && !link.starts_with("//")
            && !link.starts_with("/\\")
            && !link.contains(['\r', '\n']))
}

/// Send a notification to a user.
pub async fn send(tx: &mut Tx, user_id: UserId, title: &str, body: &str, link: &str) -> StoreResult<NotificationId> {
    if !is_internal_link(link) {
        return Err(crate::StoreError::invalid("link", "链接只能是本系统内的地址"));
    }
    let row = sqlx::query(
        "INSERT INTO notification (user_id, title, body, link, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user_id)
    .bind(title)
    .bind(body)
    .bind(link)
    .bind(crate::time::now())
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get(0)?)
}

/// A user's notifications, newest first.
pub async fn list(db: &Db, user_id: UserId, limit: i64) -> StoreResult<Vec<Notification>> {
    let rows = sqlx::query("SELECT id, title, body, link, created_at, read_at FROM notification WHERE user_id = $1 ORDER BY id DESC LIMIT $2")
        .bind(user_id)
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Notification {
                id: r.try_get(0)?,
                title: r.try_get(1)?,
                body: r.try_get(2)?,
                link: r.try_get(3)?,
                created_at: r.try_get(4)?,
                read_at: r.try_get(5)?,
            })
        })
        .collect()
}

/// Number of unread notifications.
pub async fn unread_count(db: &Db, user_id: UserId) -> StoreResult<i64> {
    Ok(
        sqlx::query("SELECT COUNT(*) FROM notification WHERE user_id = $1 AND read_at IS NULL")
            .bind(user_id)
            .fetch_one(db.pool())
            .await?
            .try_get(0)?,
    )
}

/// Mark one (owned) notification read; returns false if it is not the user's.
pub async fn mark_read(tx: &mut Tx, user_id: UserId, id: NotificationId) -> StoreResult<bool> {
    let n = sqlx::query("UPDATE notification SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL")
        .bind(crate::time::now())
        .bind(id)
        .bind(user_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(n > 0)
}

/// Mark all of a user's notifications read.
pub async fn mark_all_read(tx: &mut Tx, user_id: UserId) -> StoreResult<u64> {
    Ok(
        sqlx::query("UPDATE notification SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
            .bind(crate::time::now())
            .bind(user_id)
            .execute(&mut **tx)
            .await?
            .rows_affected(),
    )
}

#[cfg(test)]
mod tests {
    use super::is_internal_link;

    #[test]
    fn only_site_paths_are_internal_links() {
        assert!(is_internal_link("/persons/3"));
        assert!(is_internal_link(""));
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "/x\r\nSet-Cookie: a=b",
        ] {
            assert!(!is_internal_link(bad), "{bad}");
        }
    }
}
