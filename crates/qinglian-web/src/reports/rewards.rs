//! 有奖举报的奖励: after a rewarded report is concluded, the office reviews eligibility and
//! proposes a band (amounts by `report.reward_bands`); the commission's leader approves or
//! rejects; the office records the payment. The reporter learns of it through the receipt code
//! (the portal's follow page). The list of rewards is on the shared list component.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use chrono::NaiveDate;
use qinglian_domain::report::{PERM_REWARD, RewardAction};
use qinglian_domain::text::Limit;
use qinglian_domain::workflow::Action;
use qinglian_office::Cell;
use qinglian_store::report::{self, ReportId, Reward};
use qinglian_store::sql::Page;
use serde::Deserialize;

use super::*;
use crate::App;
use crate::auth::Ctx;
use crate::error::{AppError, PageResult};
use crate::list::{self, Export, ListParams, ListSpec, ListView, html};
use crate::templates::Chrome;
use crate::ui::{page, redirect};

fn yuan(r: &Reward) -> String {
    format!("{}元", r.amount)
}

/// The rewards list and its export.
pub(super) static REWARD_LIST: ListSpec<Reward> = ListSpec {
    id: "rewards",
    empty_id: "rewards-empty",
    path: "/reports/rewards",
    empty: "没有符合条件的奖励",
    unit: "件",
    default_sort: "",
    per_page: 500,
    columns: &[
        list::Column {
            label: "信访件",
            sort: None,
            class: "nowrap",
            html: Some(|r| html::link(&report::link(r.report_id), &report::item_title(r.report_id))),
            excel: Some(|r| Cell::Int(r.report_id.0)),
        },
        list::Column {
            label: "被反映人",
            sort: None,
            class: "",
            html: Some(|r| html::text(&r.subject_name)),
            excel: Some(|r| Cell::Text(r.subject_name.clone())),
        },
        list::Column {
            label: "档次",
            sort: None,
            class: "nowrap",
            html: Some(|r| html::text(&r.band)),
            excel: Some(|r| Cell::Text(r.band.clone())),
        },
        list::Column {
            label: "金额",
            sort: None,
            class: "num nowrap",
            html: Some(|r| html::text(&yuan(r))),
            excel: Some(|r| Cell::Int(r.amount)),
        },
        list::Column {
            label: "状态",
            sort: None,
            class: "nowrap",
            html: Some(|r| html::tag(r.status_label())),
            excel: Some(|r| Cell::Text(r.status_label().into())),
        },
        list::Column {
            label: "资格审查意见",
            sort: None,
            class: "",
            html: Some(|r| html::text(&r.reason)),
            excel: Some(|r| Cell::Text(r.reason.clone())),
        },
        list::Column {
            label: "审批",
            sort: None,
            class: "",
            html: Some(|r| html::text(&r.decided_by_name)),
            excel: Some(|r| Cell::Text(format!("{} {}", r.decided_by_name, r.decision_note).trim().to_string())),
        },
        list::Column {
            label: "发放日期",
            sort: None,
            class: "nowrap",
            html: Some(|r| html::text(&r.paid_on)),
            excel: Some(|r| Cell::Code(r.paid_on.clone())),
        },
    ],
    export: Some(Export {
        permission: PERM_EXPORT,
        file: "有奖举报奖励.xlsx",
        sheet: "奖励",
        audit_action: "report.reward_export",
        object_type: report::OBJECT_TYPE,
        limit: 50_000,
        extra: None,
    }),
    actions: None,
    select: None,
    paged: false,
};

/// The list's filter.
#[derive(Debug, Default, Deserialize)]
pub struct RewardQuery {
    status: Option<String>,
    ok: Option<String>,
}

#[derive(Template)]
#[template(path = "reports/rewards.html")]
struct RewardsPage {
    chrome: Chrome,
    list: ListView,
    status: String,
}

/// `/reports/rewards`.
pub async fn list(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<RewardQuery>,
    Query(lp): Query<ListParams>,
) -> PageResult {
    ctx.require(PERM_READ)?;
    let items = report::rewards(&app.db, ctx.scope(), q.status.as_deref()).await?;
    let n = items.len() as i64;
    let filters = list::filters(&[("status", q.status.as_deref())]);
    Ok(page(&RewardsPage {
        chrome: chrome(&app, &ctx, "有奖举报奖励", "/reports/rewards", &[("有奖举报奖励", "")])
            .await
            .flash_code(q.ok.as_deref()),
        list: REWARD_LIST.view(
            &Page::of_all(items, 1, n.max(1)),
            &filters,
            &lp,
            ctx.principal.can(PERM_EXPORT),
        ),
        status: q.status.unwrap_or_default(),
    }))
}

/// `/reports/rewards/export.xlsx`.
pub async fn export(State(app): State<App>, ctx: Ctx, Query(q): Query<RewardQuery>) -> PageResult {
    ctx.require(PERM_EXPORT)?;
    let items = report::rewards(&app.db, ctx.scope(), q.status.as_deref()).await?;
    Ok(REWARD_LIST.export(&app, &ctx, &items, String::new()).await?)
}

/// The proposal form.
#[derive(Debug, Default, Deserialize)]
pub struct ProposeForm {
    #[serde(default)]
    band: String,
    #[serde(default)]
    reason: String,
}

/// After a reward write: back to the report (POST → redirect → GET), or the page with the error.
async fn after(
    app: &App,
    ctx: &Ctx,
    headers: &HeaderMap,
    id: ReportId,
    result: Result<(), AppError>,
    typed: crate::templates::Typed,
) -> PageResult {
    match result {
        Ok(()) => Ok(redirect(headers, &format!("{}?ok=saved", report::link(id)))),
        Err(e) => super::pages::detail_error(app, ctx, id, e, typed).await,
    }
}

/// The office proposes a reward (after the eligibility review).
pub async fn propose(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<ReportId>,
    Form(f): Form<ProposeForm>,
) -> PageResult {
    ctx.require(PERM_HANDLE)?;
    let result = async {
        let bands = app
            .config
            .report
            .bands()
            .map_err(|m| AppError::Internal(anyhow::anyhow!(m)))?;
        AppError::check_text("reason", "资格审查意见", &f.reason, Limit::Note)?;
        let mut tx = app.db.begin().await?;
        report::propose_reward(
            &mut tx,
            ctx.scope(),
            id,
            &f.band,
            &bands,
            &f.reason,
            &ctx.performer(app.mode()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    let typed = crate::templates::Typed::of([
        ("step", "reward".to_string()),
        ("band", f.band.clone()),
        ("reason", f.reason.clone()),
    ]);
    after(&app, &ctx, &headers, id, result, typed).await
}

/// A decision or payment form.
#[derive(Debug, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    note: String,
    #[serde(default)]
    paid_on: String,
}

/// The leader decides; the office records the payment.
pub async fn step(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((id, action)): Path<(ReportId, String)>,
    Form(f): Form<StepForm>,
) -> PageResult {
    let action = RewardAction::parse(&action).ok_or(AppError::NotFound("操作"))?;
    ctx.require(if action == RewardAction::Pay {
        PERM_HANDLE
    } else {
        PERM_REWARD
    })?;
    let result = async {
        AppError::check_text("note", "说明", &f.note, Limit::Note)?;
        let paid_on = if action == RewardAction::Pay {
            let d = NaiveDate::parse_from_str(f.paid_on.trim(), "%Y-%m-%d")
                .map_err(|_| AppError::invalid("paid_on", "发放日期应为“年-月-日”格式"))?;
            if d > app.today() {
                return Err(AppError::invalid("paid_on", "发放日期不能晚于今天"));
            }
            d
        } else {
            app.today()
        };
        let mut tx = app.db.begin().await?;
        report::reward_step(
            &mut tx,
            ctx.scope(),
            id,
            action,
            &f.note,
            paid_on,
            &ctx.performer(app.mode()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    let typed = crate::templates::Typed::of([
        ("step", format!("reward_{}", action.code())),
        ("note", f.note.clone()),
        ("paid_on", f.paid_on.clone()),
    ]);
    after(&app, &ctx, &headers, id, result, typed).await
}
