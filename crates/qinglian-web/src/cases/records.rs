//! Case pages: the cases the user may read (need-to-know: their teams' cases, or every case in
//! scope with `case.read_all`) and one case with its team; every read of a case is audited.

use askama::Template;
use axum::extract::{Path, State};
use qinglian_office::Cell;
use qinglian_store::audit::Event;
use qinglian_store::case::{self, Case, CaseId, Viewer};
use qinglian_store::sql::Page;

use super::*;
use crate::App;
use crate::auth::Ctx;
use crate::error::PageResult;
use crate::list::{self, ListParams, ListSpec, ListView, html};
use crate::ui::page;

fn viewer(ctx: &Ctx) -> Viewer {
    Viewer {
        user: ctx.principal.user.id,
        read_all: ctx.principal.can(qinglian_domain::case::PERM_READ_ALL),
    }
}

/// The cases list (not paged: a commission files tens of cases a year).
pub(super) static CASE_LIST: ListSpec<Case> = ListSpec {
    id: "cases",
    empty_id: "cases-empty",
    path: "/cases",
    empty: "没有您可以查看的案件",
    unit: "件",
    default_sort: "filed",
    per_page: 1000,
    columns: &[
        list::Column {
            label: "案件编号",
            sort: None,
            class: "nowrap",
            html: Some(|c| html::link(&format!("/cases/{}", c.id.0), &c.number)),
            excel: Some(|c| Cell::Text(c.number.clone())),
        },
        list::Column {
            label: "被调查人",
            sort: None,
            class: "",
            html: Some(|c| html::text(&c.subject_name)),
            excel: Some(|c| Cell::Text(c.subject_name.clone())),
        },
        list::Column {
            label: "单位",
            sort: None,
            class: "",
            html: Some(|c| html::text(&c.org_name)),
            excel: Some(|c| Cell::Text(c.org_name.clone())),
        },
        list::Column {
            label: "立案日期",
            sort: None,
            class: "nowrap",
            html: Some(|c| html::text(&c.filed_on)),
            excel: Some(|c| Cell::Code(c.filed_on.clone())),
        },
        list::Column {
            label: "状态",
            sort: None,
            class: "nowrap",
            html: Some(|c| html::tag(c.status_label())),
            excel: Some(|c| Cell::Text(c.status_label().into())),
        },
    ],
    export: None,
    actions: None,
    select: None,
    paged: false,
};

#[derive(Template)]
#[template(path = "cases/cases.html")]
struct ListPage {
    chrome: crate::templates::Chrome,
    list: ListView,
    read_all: bool,
}

/// `/cases`.
pub async fn list(State(app): State<App>, c: Ctx) -> PageResult {
    c.require(PERM_READ)?;
    let v = viewer(&c);
    let all = case::list(&app.db, c.scope(), v).await?;
    let n = all.len() as i64;
    let data = Page::of_all(all, 1, n.max(1));
    Ok(page(&ListPage {
        chrome: chrome(&app, &c, "案件", "/cases", &[("案件", "")]).await,
        list: CASE_LIST.view(&data, &[], &ListParams::default(), false),
        read_all: v.read_all,
    }))
}

#[derive(Template)]
#[template(path = "cases/case.html")]
struct DetailPage {
    chrome: crate::templates::Chrome,
    c: Case,
}

/// `/cases/{id}` (need-to-know; audited).
pub async fn detail(State(app): State<App>, ctx: Ctx, Path(id): Path<CaseId>) -> PageResult {
    ctx.require(PERM_READ)?;
    let c = case::get(&app.db, ctx.scope(), viewer(&ctx), id).await?;
    crate::services::audit::read(
        &app,
        &ctx,
        Event::success("case.read", case::OBJECT_TYPE, id, format!("查看案件{}", c.number)),
    )
    .await?;
    let title = c.number.clone();
    Ok(page(&DetailPage {
        chrome: chrome(&app, &ctx, &title, "/cases", &[("案件", "/cases"), (&title, "")]).await,
        c,
    }))
}
