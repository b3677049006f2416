//! The auditor's pages: filter, view, verify and export the audit log.

use askama::Template;
use axum::extract::{Query, State};
use qinglian_office::Cell;
use qinglian_store::audit::{self, AuditFilter, Entry, Event, Outcome, VerifyReport};
use qinglian_store::permission as perm;
use qinglian_store::sql::Page;
use serde::Deserialize;

use super::xlsx::{XLSX, download};
use super::{enc, page};
use crate::App;
use crate::auth::Ctx;
use crate::error::{AppError, PageResult};
use crate::templates::Chrome;

/// Audit list query.
#[derive(Debug, Default, Deserialize, Clone)]
pub struct AuditQuery {
    username: Option<String>,
    action: Option<String>,
    outcome: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<i64>,
}

impl AuditQuery {
    fn filter(&self) -> AuditFilter {
        AuditFilter {
            username: self.username.clone(),
            action: self.action.clone(),
            outcome: self.outcome.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
        }
    }
    fn base(&self) -> String {
        let mut s = String::new();
        for (k, v) in [
            ("username", &self.username),
            ("action", &self.action),
            ("outcome", &self.outcome),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                s.push_str(&format!("{k}={}&", enc(v)));
            }
        }
        s
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    page: Page<Entry>,
    q: AuditQuery,
    base: String,
    verify: Option<VerifyReport>,
    retention_days: i64,
    error: Option<String>,
}

async fn render(app: &App, ctx: &Ctx, q: AuditQuery, verify: Option<VerifyReport>) -> PageResult {
    ctx.require(perm::AUDIT_READ)?;
    let chrome = Chrome::new(app, ctx, "审计日志", "/audit", &[("审计日志", "/audit")]).await;
    let (pg, per) = qinglian_store::sql::paging(q.page, Some(50));
    let (page_data, error) = match audit::list(&app.db, &q.filter(), pg, per).await {
        Ok(p) => (p, None),
        Err(qinglian_store::StoreError::Invalid { message, .. }) => (
            Page {
                items: vec![],
                total: 0,
                page: 1,
                per_page: per,
            },
            Some(message),
        ),
        Err(e) => return Err(e.into()),
    };
    Ok(page(&AuditPage {
        chrome,
        page: page_data,
        base: format!("/audit?{}", q.base()),
        q,
        verify,
        retention_days: app.config.audit.retention_days,
        error,
    }))
}

/// The audit log.
pub async fn list(State(app): State<App>, ctx: Ctx, Query(q): Query<AuditQuery>) -> PageResult {
    render(&app, &ctx, q, None).await
}

/// Verify the hash chain now and show the result (the verification is itself audited).
pub async fn verify(State(app): State<App>, ctx: Ctx) -> PageResult {
    ctx.require(perm::AUDIT_READ)?;
    let report = audit::verify(&app.db).await?;
    let detail = match &report.failure {
        None => format!("校验通过，共{}条", report.checked),
        Some(f) => format!("校验失败：第{}条，{}", f.seq, f.reason),
    };
    audit::record(
        &app.db,
        app.mode(),
        &ctx.actor(),
        &Event {
            action: "audit.verify",
            object_type: "audit_log",
            object_id: String::new(),
            outcome: if report.failure.is_none() {
                Outcome::Success
            } else {
                Outcome::Failure
            },
            detail,
        },
    )
    .await?;
    render(&app, &ctx, AuditQuery::default(), Some(report)).await
}

/// Export the filtered log to Excel (with hashes, so it can be checked outside).
pub async fn export(State(app): State<App>, ctx: Ctx, Query(q): Query<AuditQuery>) -> PageResult {
    ctx.require(perm::AUDIT_EXPORT)?;
    let entries = audit::list_all(&app.db, &q.filter(), 100_000).await?;
    let rows: Vec<Vec<Cell>> = entries
        .iter()
        .map(|e| {
            vec![
                Cell::Int(e.seq),
                Cell::Text(qinglian_store::time::display_cst(&e.at)),
                Cell::Text(e.username.clone()),
                Cell::Text(e.role.clone()),
                Cell::Code(e.ip.clone()),
                Cell::Text(e.action.clone()),
                Cell::Text(format!("{} {}", e.object_type, e.object_id)),
                Cell::Text(audit::outcome_label(&e.outcome).into()),
                Cell::Text(e.detail.clone()),
                Cell::Code(format!("{}:{}", e.hash_alg, e.hash)),
            ]
        })
        .collect();
    let bytes = qinglian_office::export_xlsx(
        "审计日志",
        &[
            "序号", "时间", "用户", "角色", "IP", "操作", "对象", "结果", "详情", "哈希",
        ],
        &rows,
    )
    .map_err(|e| AppError::Internal(e.into()))?;
    audit::record(
        &app.db,
        app.mode(),
        &ctx.actor(),
        &Event {
            action: "audit.export",
            object_type: "audit_log",
            object_id: String::new(),
            outcome: Outcome::Success,
            detail: format!("导出{}条", entries.len()),
        },
    )
    .await?;
    Ok(download("审计日志.xlsx", XLSX, bytes))
}
