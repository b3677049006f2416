//! The module shape (docs/ARCHITECTURE.md, "The module shape"): every business module is a
//! folder that exports one [`Feature`] — its routes, its menu entries, its part of the OpenAPI
//! document, the owners of its attachments and its demo seeding. The router, the menu, the API
//! document, `/attachments/{id}` and the demo only merge what [`FEATURES`] holds; a new module
//! is a new folder plus one line here (and one in `qinglian_store::permission::MODULES` for its
//! permissions).

use std::future::Future;
use std::pin::Pin;

use axum::Router;

use crate::App;
use crate::auth::Ctx;
use crate::error::AppError;

/// A boxed future, for the async functions a feature exports through plain `fn` pointers.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A feature's demo seeding over the demo city.
pub type DemoSeed = for<'a> fn(&'a App, &'a crate::demo::DemoCity) -> BoxFuture<'a, anyhow::Result<()>>;

/// One business module.
pub struct Feature {
    /// The glossary name, the same in every layer (`data_supervision`).
    pub name: &'static str,
    /// Its pages and API routes (URLs may be short: `/ds`, `/api/v1/ds`).
    pub routes: fn(&App) -> Router<App>,
    /// Its entries in the left menu, in order.
    pub menu: &'static [MenuEntry],
    /// Its paths and schemas of the OpenAPI document.
    pub openapi: fn() -> utoipa::openapi::OpenApi,
    /// The attachment owner types it stores, each with its access check.
    pub attachments: &'static [AttachmentOwner],
    /// Its demo data, seeded after the demo city (orgs, people, users) exists.
    pub demo: Option<DemoSeed>,
    /// Its to-do cards on the home page (from its workflow tables), for users who may act.
    pub todo: Option<TodoSource>,
}

/// A feature's to-do cards for the user of `ctx`.
pub type TodoSource = for<'a> fn(&'a App, &'a Ctx) -> BoxFuture<'a, Result<Vec<TodoCard>, AppError>>;

/// One card of 我的待办: how many items wait for the user in one state, the nearest due date,
/// how many are overdue or 待定; the card opens the filtered list.
#[derive(Debug, Clone)]
pub struct TodoCard {
    /// Element id (`todo-<state>`).
    pub id: String,
    /// The filtered list.
    pub href: String,
    /// 待受理信访件, 待核查疑点….
    pub label: String,
    /// How many.
    pub count: i64,
    /// The nearest due date ('YYYY-MM-DD'), if any.
    pub nearest_due: Option<String>,
    /// How many are overdue.
    pub overdue: i64,
    /// How many wait for a calendar year.
    pub pending: i64,
}

/// Every feature's to-do cards for this user, in menu order.
pub async fn todos(app: &App, ctx: &Ctx) -> Result<Vec<TodoCard>, AppError> {
    let mut out = Vec::new();
    for f in FEATURES {
        if let Some(source) = f.todo {
            out.extend(source(app, ctx).await?);
        }
    }
    Ok(out)
}

/// One link of the left menu.
#[derive(Debug, Clone, Copy)]
pub struct MenuEntry {
    /// Group title (a group shared by several features shows once).
    pub group: &'static str,
    /// Label.
    pub label: &'static str,
    /// Target.
    pub href: &'static str,
    /// Permission needed, or "" for every logged-in user.
    pub permission: &'static str,
}

impl MenuEntry {
    /// An entry.
    pub const fn new(group: &'static str, label: &'static str, href: &'static str, permission: &'static str) -> Self {
        MenuEntry {
            group,
            label,
            href,
            permission,
        }
    }
}

/// A type of record that owns attachments, and who may read them.
pub struct AttachmentOwner {
    /// Stored `attachment.owner_type`.
    pub owner_type: &'static str,
    /// Succeeds when `ctx` may read the record `owner_id` (and so its attachments).
    pub check: for<'a> fn(&'a App, &'a Ctx, i64) -> BoxFuture<'a, Result<(), AppError>>,
    /// Its files are stored encrypted with the key ring (a reporter's evidence).
    pub encrypted: bool,
}

/// Every business module, in menu order. A new module adds one line.
pub const FEATURES: &[Feature] = &[
    crate::reports::FEATURE,
    crate::clues::FEATURE,
    crate::cases::FEATURE,
    crate::data_supervision::FEATURE,
];

/// Every feature's routes.
pub fn routes(app: &App) -> Router<App> {
    FEATURES.iter().fold(Router::new(), |r, f| r.merge((f.routes)(app)))
}

/// Every feature's menu entries, in order.
pub fn menu() -> impl Iterator<Item = &'static MenuEntry> {
    FEATURES.iter().flat_map(|f| f.menu)
}
