//! Attachments (附件): file metadata in the database, bytes in the data directory.
//!
//! Access goes through the owner: a handler first checks that the user may see the owning
//! record (a finding, later a report or a case), then lists or serves its attachments.

use serde::Serialize;
use sqlx::Row;

use crate::error::{StoreError, StoreResult};
use crate::user::UserId;
use crate::{Db, Tx};

crate::id_type!(
    /// Id of an attachment.
    AttachmentId
);

/// Stored metadata of one attachment.
#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    /// Id.
    pub id: AttachmentId,
    /// Owning record type, e.g. "data_supervision_check".
    pub owner_type: String,
    /// Owning record id.
    pub owner_id: i64,
    /// Original file name (sanitised).
    pub file_name: String,
    /// MIME type as sniffed or declared.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// SHA-256 of the content (hex).
    pub sha256: String,
    /// Key of the bytes in the attachment directory.
    pub storage_key: String,
    /// Uploader.
    pub uploaded_by_name: String,
    /// When.
    pub created_at: String,
}

/// Metadata of a new attachment (its bytes are written by the caller under `storage_key`).
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// Owning record type.
    pub owner_type: String,
    /// Owning record id.
    pub owner_id: i64,
    /// File name.
    pub file_name: String,
    /// MIME type.
    pub content_type: String,
    /// Size.
    pub size_bytes: i64,
    /// SHA-256 hex.
    pub sha256: String,
    /// Storage key.
    pub storage_key: String,
    /// Uploader.
    pub uploaded_by: Option<UserId>,
}

const COLS: &str = "a.id, a.owner_type, a.owner_id, a.file_name, a.content_type, a.size_bytes, a.sha256, a.storage_key, \
    COALESCE(u.display_name, '') AS uploaded_by_name, a.created_at";

fn from_row(r: &sqlx::any::AnyRow) -> StoreResult<Attachment> {
    Ok(Attachment {
        id: r.try_get("id")?,
        owner_type: r.try_get("owner_type")?,
        owner_id: r.try_get("owner_id")?,
        file_name: r.try_get("file_name")?,
        content_type: r.try_get("content_type")?,
        size_bytes: r.try_get("size_bytes")?,
        sha256: r.try_get("sha256")?,
        storage_key: r.try_get("storage_key")?,
        uploaded_by_name: r.try_get("uploaded_by_name")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Records an attachment.
pub async fn create(tx: &mut Tx, a: &NewAttachment) -> StoreResult<AttachmentId> {
    if a.file_name.trim().is_empty() {
        return Err(StoreError::invalid("file", "附件文件名不能为空"));
    }
    Ok(sqlx::query(
        "INSERT INTO attachment (owner_type, owner_id, file_name, content_type, size_bytes, sha256, storage_key, uploaded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(a.owner_type.as_str())
    .bind(a.owner_id)
    .bind(a.file_name.as_str())
    .bind(a.content_type.as_str())
    .bind(a.size_bytes)
    .bind(a.sha256.as_str())
    .bind(a.storage_key.as_str())
    .bind(a.uploaded_by)
    .bind(crate::time::now())
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?)
}

/// Attachments of several owners of one type, oldest first.
pub async fn list(db: &Db, owner_type: &str, owner_ids: &[i64]) -> StoreResult<Vec<Attachment>> {
    if owner_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = crate::sql::Query::new(&format!(
        "SELECT {COLS} FROM attachment a LEFT JOIN app_user u ON u.id = a.uploaded_by WHERE a.owner_type = "
    ));
    q.bind_text(owner_type);
    q.push(" AND a.owner_id IN (");
    for (i, id) in owner_ids.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind_int(*id);
    }
    q.push(") ORDER BY a.id");
    let rows = q.build().fetch_all(db.pool()).await?;
    rows.iter().map(from_row).collect()
}

/// One attachment by id (the caller must then check access to its owner).
pub async fn get(db: &Db, id: AttachmentId) -> StoreResult<Attachment> {
    let sql = format!("SELECT {COLS} FROM attachment a LEFT JOIN app_user u ON u.id = a.uploaded_by WHERE a.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(StoreError::NotFound("附件"))?;
    from_row(&row)
}
