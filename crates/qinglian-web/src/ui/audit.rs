//! The auditor's pages: filter, view, verify and export the audit log.

use askama::Template;
use axum::extract::{Query, State};
use qinglian_office::Cell;
use qinglian_store::audit::{self, AuditFilter, Entry, Event, Outcome, VerifyReport};
use qinglian_store::permission as perm;
use qinglian_store::sql::Page;
use serde::Deserialize;

use super::page;
use crate::App;
use crate::auth::Ctx;
use crate::error::PageResult;
use crate::list::{self, Column, Export, ListParams, ListSpec, ListView, html};
use crate::templates::Chrome;

/// Audit list query (the list's own filters; paging and sorting are [`ListParams`]).
#[derive(Debug, Default, Deserialize, Clone)]
pub struct AuditQuery {
    username: Option<String>,
    action: Option<String>,
    outcome: Option<String>,
    from: Option<String>,
    to: Option<String>,
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
    fn pairs(&self) -> Vec<(String, String)> {
        list::filters(&[
            ("username", self.username.as_deref()),
            ("action", self.action.as_deref()),
            ("outcome", self.outcome.as_deref()),
            ("from", self.from.as_deref()),
            ("to", self.to.as_deref()),
        ])
    }
}

/// The audit log as a list: Chinese action and object labels with the codes in tooltips, one
/// line a row (the detail shortened, whole in its tooltip).
static AUDIT_LIST: ListSpec<Entry> = ListSpec {
    id: "audit-list",
    empty_id: "audit-empty",
    path: "/audit",
    empty: "没有符合条件的审计记录",
    unit: "条",
    default_sort: "seq",
    per_page: 50,
    columns: &[
        Column {
            label: "序号",
            sort: None,
            class: "num",
            html: Some(|e| html::titled(&e.seq.to_string(), &format!("{}:{}", e.hash_alg, e.hash))),
            excel: Some(|e| Cell::Int(e.seq.0)),
        },
        Column {
            label: "时间",
            sort: None,
            class: "nowrap",
            html: Some(|e| html::text(&qinglian_store::time::display_cst(&e.at))),
            excel: Some(|e| Cell::Text(qinglian_store::time::display_cst(&e.at))),
        },
        Column {
            label: "用户",
            sort: None,
            class: "nowrap",
            html: Some(|e| html::titled(&e.username, &e.role)),
            excel: Some(|e| Cell::Text(e.username.clone())),
        },
        Column {
            label: "角色",
            sort: None,
            class: "ellipsis",
            html: None,
            excel: Some(|e| Cell::Text(e.role.clone())),
        },
        Column {
            label: "IP",
            sort: None,
            class: "mono nowrap",
            html: Some(|e| html::text(&e.ip)),
            excel: Some(|e| Cell::Code(e.ip.clone())),
        },
        Column {
            label: "操作",
            sort: None,
            class: "nowrap",
            html: Some(|e| html::titled(audit::action_label(&e.action), &e.action)),
            excel: Some(|e| Cell::Text(format!("{}（{}）", audit::action_label(&e.action), e.action))),
        },
        Column {
            label: "对象",
            sort: None,
            class: "nowrap",
            html: Some(|e| html::titled(&object_text(e), &format!("{} {}", e.object_type, e.object_id))),
            excel: Some(|e| Cell::Text(object_text(e))),
        },
        Column {
            label: "结果",
            sort: None,
            class: "nowrap",
            html: Some(|e| html::text(audit::outcome_label(&e.outcome))),
            excel: Some(|e| Cell::Text(audit::outcome_label(&e.outcome).into())),
        },
        Column {
            label: "详情",
            sort: None,
            class: "ellipsis",
            html: Some(|e| html::titled(&e.detail, &e.detail)),
            excel: Some(|e| Cell::Text(e.detail.clone())),
        },
        Column {
            label: "哈希",
            sort: None,
            class: "mono small nowrap",
            // On the page the hash is the 序号's tooltip (a row fits a 1366 px screen).
            html: None,
            excel: Some(|e| Cell::Code(format!("{}:{}", e.hash_alg, e.hash))),
        },
    ],
    export: Some(Export {
        permission: perm::AUDIT_EXPORT,
        file: "审计日志.xlsx",
        sheet: "审计日志",
        audit_action: "audit.export",
        object_type: "audit_log",
        limit: 100_000,
        extra: None,
    }),
    actions: None,
    select: None,
    paged: true,
};

fn object_text(e: &Entry) -> String {
    let label = audit::object_label(&e.object_type);
    if e.object_id.is_empty() {
        label.to_string()
    } else {
        format!("{label} {}", e.object_id)
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    list: ListView,
    q: AuditQuery,
    actions: &'static [(&'static str, &'static str)],
    verify: Option<VerifyReport>,
    retention_days: i64,
    error: Option<String>,
}

async fn render(app: &App, ctx: &Ctx, q: AuditQuery, lp: ListParams, verify: Option<VerifyReport>) -> PageResult {
    ctx.require(perm::AUDIT_READ)?;
    let chrome = Chrome::new(app, ctx, "审计日志", "/audit", &[("审计日志", "/audit")]).await;
    let (pg, per) = lp.paging(AUDIT_LIST.per_page);
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
        list: AUDIT_LIST.view(&page_data, &q.pairs(), &lp, ctx.principal.can(perm::AUDIT_EXPORT)),
        q,
        actions: audit::ACTION_LABELS,
        verify,
        retention_days: app.config.audit.retention_days,
        error,
    }))
}

/// The audit log.
pub async fn list(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
    Query(lp): Query<ListParams>,
) -> PageResult {
    render(&app, &ctx, q, lp, None).await
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
    render(&app, &ctx, AuditQuery::default(), ListParams::default(), Some(report)).await
}

/// Export the filtered log to Excel (with hashes, so it can be checked outside).
pub async fn export(State(app): State<App>, ctx: Ctx, Query(q): Query<AuditQuery>) -> PageResult {
    ctx.require(perm::AUDIT_EXPORT)?;
    let entries = audit::list_all(&app.db, &q.filter(), 100_000).await?;
    Ok(AUDIT_LIST.export(&app, &ctx, &entries, String::new()).await?)
}
