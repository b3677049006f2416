//! Custom models (自定义模型), versioned: saving a code again adds a version.

use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

use crate::error::{StoreError, StoreResult};
use crate::user::UserId;
use crate::{Db, Tx};

crate::id_type!(
    /// Row id of one version of a custom model (runs name a model by code and version).
    CustomModelId
);

/// One version of a custom model written by authorised staff.
#[derive(Debug, Clone, Serialize)]
pub struct CustomModel {
    /// Row id.
    pub id: CustomModelId,
    /// Stable model id (never one of the built-in ids).
    pub code: String,
    /// Version (1, 2, …); every edit makes a new version.
    pub version: i64,
    /// Chinese title.
    pub title: String,
    /// Subject kind code (person, household, enterprise, tender, budget_item).
    pub subject_kind: String,
    /// Severity code (high, medium, low).
    pub severity: String,
    /// The SELECT.
    pub sql_text: String,
    /// Explanation template.
    pub explanation: String,
    /// Parameters as JSON (list of {name, label, value}).
    pub params_json: String,
    /// Who saved this version.
    pub created_by_name: String,
    /// When.
    pub created_at: String,
}

/// Input of a new custom model version.
#[derive(Debug, Clone)]
pub struct NewCustomModel {
    /// Model id.
    pub code: String,
    /// Title.
    pub title: String,
    /// Subject kind code.
    pub subject_kind: String,
    /// Severity code.
    pub severity: String,
    /// SELECT (already validated as read-only by the caller).
    pub sql_text: String,
    /// Explanation template.
    pub explanation: String,
    /// Parameters JSON.
    pub params_json: String,
    /// Author.
    pub created_by: UserId,
}

pub(super) const MODEL_COLS: &str = "m.id, m.code, m.version, m.title, m.subject_kind, m.severity, m.sql_text, m.explanation, m.params_json, COALESCE(u.display_name, '') AS created_by_name, m.created_at";

pub(super) fn model_from_row(r: &sqlx::any::AnyRow) -> StoreResult<CustomModel> {
    Ok(CustomModel {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        version: r.try_get("version")?,
        title: r.try_get("title")?,
        subject_kind: r.try_get("subject_kind")?,
        severity: r.try_get("severity")?,
        sql_text: r.try_get("sql_text")?,
        explanation: r.try_get("explanation")?,
        params_json: r.try_get("params_json")?,
        created_by_name: r.try_get("created_by_name")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Saves a new version of a custom model (version 1 for a new code); returns the version.
pub async fn save_custom_model(tx: &mut Tx, m: &NewCustomModel) -> StoreResult<i64> {
    let code_ok = !m.code.is_empty()
        && m.code.len() <= 48
        && m.code.starts_with(|c: char| c.is_ascii_lowercase())
        && m.code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !code_ok {
        return Err(StoreError::invalid(
            "code",
            "模型编号须以小写字母开头，只含小写字母、数字和下划线，不超过48位",
        ));
    }
    if m.title.trim().is_empty() {
        return Err(StoreError::invalid("title", "请填写模型名称"));
    }
    let current: Option<i64> = sqlx::query("SELECT MAX(version) FROM data_supervision_custom_model WHERE code = $1")
        .bind(m.code.as_str())
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    let version = current.unwrap_or(0) + 1;
    sqlx::query(
        "INSERT INTO data_supervision_custom_model (code, version, title, subject_kind, severity, sql_text, explanation, params_json, active, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10)",
    )
    .bind(m.code.as_str())
    .bind(version)
    .bind(m.title.trim())
    .bind(m.subject_kind.as_str())
    .bind(m.severity.as_str())
    .bind(m.sql_text.as_str())
    .bind(m.explanation.as_str())
    .bind(m.params_json.as_str())
    .bind(m.created_by)
    .bind(crate::time::now())
    .execute(&mut **tx)
    .await?;
    if version > 1 {
        sqlx::query("UPDATE data_supervision_custom_model SET active = 1 WHERE code = $1")
            .bind(m.code.as_str())
            .execute(&mut **tx)
            .await?;
    }
    Ok(version)
}

/// The newest version of every active custom model, by code.
pub async fn custom_models(db: &Db) -> StoreResult<Vec<CustomModel>> {
    let sql = format!(
        "SELECT {MODEL_COLS} FROM data_supervision_custom_model m LEFT JOIN app_user u ON u.id = m.created_by \
         WHERE m.active = 1 AND m.version = (SELECT MAX(x.version) FROM data_supervision_custom_model x WHERE x.code = m.code) \
         ORDER BY m.code"
    );
    let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(db.pool()).await?;
    rows.iter().map(model_from_row).collect()
}

/// One custom model: the given version, or the newest.
pub async fn custom_model(db: &Db, code: &str, version: Option<i64>) -> StoreResult<CustomModel> {
    let sql = format!(
        "SELECT {MODEL_COLS} FROM data_supervision_custom_model m LEFT JOIN app_user u ON u.id = m.created_by \
         WHERE m.code = $1 ORDER BY m.version DESC"
    );
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(code).fetch_all(db.pool()).await?;
    let models = rows.iter().map(model_from_row).collect::<StoreResult<Vec<_>>>()?;
    match version {
        Some(v) => models.into_iter().find(|m| m.version == v),
        None => models.into_iter().next(),
    }
    .ok_or(StoreError::NotFound("模型"))
}

/// Retires a custom model (all versions stay for the findings that cite them).
pub async fn retire_custom_model(tx: &mut Tx, code: &str) -> StoreResult<()> {
    let n = sqlx::query("UPDATE data_supervision_custom_model SET active = 0 WHERE code = $1")
        .bind(code)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound("模型"));
    }
    Ok(())
}
