//! Page templates (askama) and the chrome every logged-in page shares.

use std::collections::BTreeMap;

use askama::Template;
use qinglian_store::permission as perm;

use crate::App;
use crate::auth::Ctx;
use crate::feature::MenuEntry;

/// Render a template; a rendering failure is logged and shown as a short error (it is a bug).
pub fn render<T: Template>(t: &T) -> String {
    t.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "template rendering failed");
        "<!DOCTYPE html><meta charset=utf-8><p>页面渲染失败，请联系管理员。</p>".to_string()
    })
}

/// One menu link.
#[derive(Debug, Clone)]
pub struct MenuItem {
    /// Label.
    pub label: &'static str,
    /// Target.
    pub href: &'static str,
    /// Whether it is the current section.
    pub active: bool,
}

/// A group of menu links.
#[derive(Debug, Clone)]
pub struct MenuGroup {
    /// Group title.
    pub title: &'static str,
    /// Links.
    pub items: Vec<MenuItem>,
}

/// Everything the layout needs.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// Page title.
    pub title: String,
    /// Display name of the user.
    pub user_name: String,
    /// Role names.
    pub roles: String,
    /// Left menu.
    pub menu: Vec<MenuGroup>,
    /// Breadcrumbs (label, href); the last is the current page.
    pub crumbs: Vec<(String, String)>,
    /// CSRF token for forms and htmx.
    pub csrf: String,
    /// Unread notifications.
    pub unread: i64,
    /// One-off message shown at the top.
    pub flash: Option<String>,
    /// Demo mode banner.
    pub demo: bool,
}

/// The platform's menu before the features' entries.
const MENU_TOP: &[MenuEntry] = &[
    MenuEntry::new("工作台", "首页", "/", ""),
    MenuEntry::new("工作台", "期限预警", "/deadlines", perm::DEADLINE_READ),
    MenuEntry::new("工作台", "消息通知", "/notifications", ""),
    MenuEntry::new("工作台", "工作日历", "/calendar", ""),
    MenuEntry::new("基础数据", "组织机构", "/orgs", perm::ORG_READ),
    MenuEntry::new("基础数据", "人员名册", "/persons", perm::PERSON_READ),
];

/// The platform's menu after the features' entries: the three admins' work.
const MENU_ADMIN: &[MenuEntry] = &[
    MenuEntry::new("系统管理", "用户管理", "/admin/users", perm::USER_MANAGE),
    MenuEntry::new("系统管理", "组织机构维护", "/orgs", perm::ORG_MANAGE),
    MenuEntry::new("系统管理", "工作日历维护", "/admin/calendar", perm::CONFIG_MANAGE),
    MenuEntry::new("安全管理", "角色权限", "/security/roles", perm::ROLE_MANAGE),
    MenuEntry::new("安全管理", "用户授权", "/security/users", perm::SCOPE_MANAGE),
    MenuEntry::new("安全管理", "安全策略", "/security/policy", perm::POLICY_MANAGE),
    MenuEntry::new("安全审计", "审计日志", "/audit", perm::AUDIT_READ),
];

/// Build the menu for a user; `active` is the href of the current section.
pub fn menu_for(ctx: &Ctx, active: &str) -> Vec<MenuGroup> {
    let mut groups: Vec<MenuGroup> = Vec::new();
    let entries = MENU_TOP.iter().chain(crate::feature::menu()).chain(MENU_ADMIN);
    for e in entries {
        if !e.permission.is_empty() && !ctx.principal.can(e.permission) {
            continue;
        }
        // Deadlines are business data; the three admins see only their own work.
        if e.href == "/deadlines" && ctx.principal.admin_kind().is_some() {
            continue;
        }
        let item = MenuItem {
            label: e.label,
            href: e.href,
            active: e.href == active,
        };
        match groups.iter_mut().find(|g| g.title == e.group) {
            Some(g) => {
                if !g.items.iter().any(|i| i.href == e.href) {
                    g.items.push(item)
                }
            }
            None => groups.push(MenuGroup {
                title: e.group,
                items: vec![item],
            }),
        }
    }
    groups
}

impl Chrome {
    /// The chrome for a page.
    pub async fn new(app: &App, ctx: &Ctx, title: &str, active: &str, crumbs: &[(&str, &str)]) -> Chrome {
        let unread = qinglian_store::notification::unread_count(&app.db, ctx.principal.user.id)
            .await
            .unwrap_or(0);
        let mut all = vec![("首页".to_string(), "/".to_string())];
        all.extend(crumbs.iter().map(|(l, h)| (l.to_string(), h.to_string())));
        Chrome {
            title: title.to_string(),
            user_name: ctx.principal.user.display_name.clone(),
            roles: ctx.principal.role_names(),
            menu: menu_for(ctx, active),
            crumbs: all,
            csrf: ctx.csrf.clone(),
            unread,
            flash: None,
            demo: app.config.demo,
        }
    }

    /// With a one-off message.
    pub fn flash(mut self, msg: impl Into<String>) -> Chrome {
        self.flash = Some(msg.into());
        self
    }

    /// With the message for a `?ok=` code after a redirect, if the code is known.
    pub fn flash_code(self, code: Option<&str>) -> Chrome {
        match crate::ui::flash_message(code) {
            Some(m) => self.flash(m),
            None => self,
        }
    }

    /// The htmx-headers attribute value carrying the CSRF token.
    pub fn hx_headers(&self) -> String {
        format!("{{\"X-CSRF-Token\":\"{}\"}}", self.csrf)
    }
}

/// Field errors of a form: field → Chinese message.
#[derive(Debug, Clone, Default)]
pub struct FormErrors(pub BTreeMap<&'static str, String>);

impl FormErrors {
    /// From (field, message) pairs.
    pub fn from_pairs(v: Vec<(&'static str, String)>) -> FormErrors {
        let mut m = BTreeMap::new();
        for (f, msg) in v {
            m.entry(f).or_insert(msg);
        }
        FormErrors(m)
    }
    /// The message for a field.
    pub fn get(&self, field: &str) -> Option<&String> {
        self.0.get(field)
    }
    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// All messages.
    pub fn messages(&self) -> Vec<&String> {
        self.0.values().collect()
    }
}

/// What a user typed and chose in a form, given back after an error so that no work is lost
/// (issue #16 §4): text, selects, radios and checkboxes. Keys are the page's own (a page with
/// several forms prefixes them: `answer.note`).
#[derive(Debug, Default, Clone)]
pub struct Typed(pub BTreeMap<String, String>);

impl Typed {
    /// From (key, value) pairs.
    pub fn of<K: Into<String>>(pairs: impl IntoIterator<Item = (K, String)>) -> Typed {
        Typed(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
    /// The typed value, or "".
    pub fn get(&self, key: &str) -> &str {
        self.0.get(key).map_or("", String::as_str)
    }
    /// Whether `key` was given the value `value` (a radio, a select option, a checkbox).
    pub fn is(&self, key: &str, value: &str) -> bool {
        self.0.get(key).is_some_and(|v| v == value)
    }
    /// The typed value, or `default` when the form was not posted yet.
    pub fn or<'a>(&'a self, key: &str, default: &'a str) -> &'a str {
        self.0.get(key).map_or(default, String::as_str)
    }
    /// Whether anything was typed (the form comes back after an error).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A standalone error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// HTTP status.
    pub status: u16,
    /// Chinese message.
    pub message: String,
}
