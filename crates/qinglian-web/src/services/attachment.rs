//! Storing and serving attachments (附件), for every module: the type and size limits, the
//! file name as people see it, the bytes under the data directory, the metadata row in the
//! caller's transaction, and access through the owning record.
//!
//! A module that owns attachments names its owner type and an access check in its
//! [`Feature`](crate::feature::Feature); `/attachments/{id}` asks that check before serving.

use axum::extract::multipart::Field;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use qinglian_store::Tx;
use qinglian_store::attachment::{self, NewAttachment};
use qinglian_store::error::StoreResult;
use qinglian_store::user::UserId;

use crate::App;
use crate::auth::Ctx;
use crate::error::{AppError, PageResult};
use crate::ui::xlsx::{XLSX, download};

/// The file types an attachment may have: extension → MIME type.
pub const TYPES: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("png", "image/png"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ("xlsx", XLSX),
    ("doc", "application/msword"),
    ("xls", "application/vnd.ms-excel"),
    ("txt", "text/plain"),
    ("ofd", "application/ofd"),
];

/// One uploaded file, checked.
#[derive(Debug, Clone)]
pub struct Upload {
    /// File name as people see it (no path, no control or reserved characters).
    pub name: String,
    /// MIME type from the allowed extension.
    pub content_type: &'static str,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// A file name as uploaded, made safe to store and to send back: no directories, no control
/// or reserved characters, at most 120 characters, never a hidden file.
pub fn safe_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|'))
        .take(120)
        .collect();
    if cleaned.trim().is_empty() || cleaned.starts_with('.') {
        format!("file{}", cleaned.trim())
    } else {
        cleaned
    }
}

/// Read one multipart file field of form field `form_field`. `Ok(None)` when no file was
/// chosen; a wrong type or a file over the configured limit is a 422 naming the file; an
/// interrupted upload is a 400.
pub async fn read(app: &App, form_field: &'static str, field: Field<'_>) -> Result<Option<Upload>, AppError> {
    let given = field.file_name().unwrap_or("").to_string();
    if given.is_empty() {
        return Ok(None);
    }
    let name = safe_file_name(&given);
    let ext = name.rsplit('.').next().unwrap_or("").to_lowercase();
    let Some((_, mime)) = TYPES.iter().find(|(e, _)| *e == ext) else {
        return Err(AppError::invalid(
            form_field,
            format!("附件{name}的类型不允许，请上传PDF、OFD、图片、Word、Excel或文本文件"),
        ));
    };
    let max_mb = app.config.upload.max_mb;
    let bytes = field
        .bytes()
        .await
        .map_err(|_| AppError::BadRequest(format!("附件过大或上传中断（上限{max_mb}MB）")))?;
    if bytes.len() > max_mb * 1024 * 1024 {
        return Err(AppError::invalid(form_field, format!("附件{name}超过{max_mb}MB上限")));
    }
    Ok(Some(Upload {
        name,
        content_type: mime,
        bytes: bytes.to_vec(),
    }))
}

/// Files written to disk before the transaction that records them: [`Staged::record`] adds
/// their rows in the caller's transaction; if that transaction fails, [`Staged::discard`]
/// removes the files again, so nothing is half-written.
#[must_use = "record the files in the transaction or discard them"]
pub struct Staged {
    dir: std::path::PathBuf,
    files: Vec<NewAttachment>,
}

fn owner(owner_type: &str) -> Option<&'static crate::feature::AttachmentOwner> {
    crate::feature::FEATURES
        .iter()
        .flat_map(|f| f.attachments)
        .find(|o| o.owner_type == owner_type)
}

fn aad(storage_key: &str) -> Vec<u8> {
    format!("attachment:{storage_key}").into_bytes()
}

/// Write `uploads` of a record of `owner_type` to the attachment directory — encrypted with
/// the key ring when the owner type says so (bound to its storage key) — uploaded by
/// `uploaded_by` (none: the public).
pub fn stage(app: &App, uploaded_by: Option<UserId>, owner_type: &str, uploads: &[Upload]) -> Result<Staged, AppError> {
    let encrypted = owner(owner_type).is_some_and(|o| o.encrypted);
    let dir = app.config.data_dir.join("attachments");
    let mut staged = Staged {
        dir: dir.clone(),
        files: Vec::new(),
    };
    if uploads.is_empty() {
        return Ok(staged);
    }
    std::fs::create_dir_all(&dir).map_err(|e| AppError::Internal(e.into()))?;
    for u in uploads {
        let key = qinglian_crypto::random_token(16);
        let stored = if encrypted {
            app.keys.encrypt(&u.bytes, &aad(&key)).into_bytes()
        } else {
            u.bytes.clone()
        };
        if let Err(e) = std::fs::write(dir.join(&key), &stored) {
            staged.discard();
            return Err(AppError::Internal(e.into()));
        }
        staged.files.push(NewAttachment {
            owner_type: owner_type.to_string(),
            owner_id: 0,
            file_name: u.name.clone(),
            content_type: u.content_type.to_string(),
            size_bytes: u.bytes.len() as i64,
            sha256: hex::encode(qinglian_crypto::digest(
                qinglian_crypto::CryptoMode::International,
                &u.bytes,
            )),
            storage_key: key,
            uploaded_by,
        });
    }
    Ok(staged)
}

impl Staged {
    /// Record every staged file as an attachment of `owner_id`, in `tx`.
    pub async fn record(&self, tx: &mut Tx, owner_id: i64) -> StoreResult<()> {
        for a in &self.files {
            attachment::create(tx, &NewAttachment { owner_id, ..a.clone() }).await?;
        }
        Ok(())
    }

    /// Remove the staged files (the transaction that would have recorded them failed).
    pub fn discard(&self) {
        for a in &self.files {
            let _ = std::fs::remove_file(self.dir.join(&a.storage_key));
        }
    }
}

/// True for a value made by `random_token` (URL-safe base64): safe as a file or directory name.
/// Storage keys and upload tokens are such tokens; anything else is refused rather than joined
/// to a path.
pub fn is_token(s: &str) -> bool {
    (16..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `GET /attachments/{id}`: the owning module's access check first, then the bytes, sent as
/// a download in a sandbox.
pub async fn download_handler(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<attachment::AttachmentId>,
) -> PageResult {
    let a = attachment::get(&app.db, id).await?;
    let owner = owner(&a.owner_type).ok_or(AppError::NotFound("附件"))?;
    (owner.check)(&app, &ctx, a.owner_id).await?;
    if !is_token(&a.storage_key) {
        return Err(AppError::NotFound("附件").into());
    }
    let stored = std::fs::read(app.config.data_dir.join("attachments").join(&a.storage_key))
        .map_err(|e| AppError::from_file("附件", e))?;
    let bytes = if owner.encrypted {
        let token = String::from_utf8(stored).map_err(|e| AppError::Internal(e.into()))?;
        app.keys
            .decrypt(&token, &aad(&a.storage_key))
            .map_err(|e| AppError::Internal(anyhow::anyhow!("attachment {} cannot be decrypted: {e}", a.id.0)))?
    } else {
        stored
    };
    crate::services::audit::read(
        &app,
        &ctx,
        qinglian_store::audit::Event::success(
            "attachment.download",
            &a.owner_type,
            a.owner_id,
            format!("下载附件 #{}", a.id.0),
        ),
    )
    .await?;
    Ok(sandboxed(download(&a.file_name, &a.content_type, bytes)))
}

/// A served file may not run anything in the app's origin.
fn sandboxed(mut r: Response) -> Response {
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    r.into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_file_name;

    #[test]
    fn file_names_lose_paths_and_reserved_characters() {
        assert_eq!(safe_file_name("C:\\Users\\a\\核查报告.pdf"), "核查报告.pdf");
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name(".htaccess"), "file.htaccess");
        assert_eq!(safe_file_name("a<b>|c?.txt"), "abc.txt");
        assert_eq!(safe_file_name(""), "file");
    }
}
