//! Permissions as code: each module declares its own with [`permissions!`](crate::permissions),
//! and the store's catalogue merges them (one line per module). Which role holds which
//! permission is data the security admin edits; a module only proposes the grants of the
//! built-in roles on a new installation.

use serde::Serialize;

/// Which of the separated duties a permission belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// System admin: users, orgs, configuration.
    System,
    /// Security admin: roles, permissions, scopes, security policy.
    Security,
    /// Auditor: the audit log.
    Audit,
    /// Business data (people, reports, clues, cases…).
    Business,
}

impl Category {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Category::System => "系统管理",
            Category::Security => "安全管理",
            Category::Audit => "安全审计",
            Category::Business => "业务",
        }
    }
}

/// One permission.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PermissionDef {
    /// Stable code checked by handlers: `<module>.<verb>`.
    pub code: &'static str,
    /// Chinese name shown to the security admin.
    pub name: &'static str,
    /// Duty category.
    pub category: Category,
}

/// What a module contributes to the permission catalogue.
#[derive(Debug, Clone, Copy)]
pub struct ModulePermissions {
    /// The module's glossary name (the prefix of its codes).
    pub module: &'static str,
    /// Its permissions, in display order.
    pub permissions: &'static [PermissionDef],
    /// Built-in role code → the module's permissions that role holds on a new installation.
    pub grants: &'static [(&'static str, &'static [&'static str])],
}

/// Declare permissions: one `pub const` per code and a `PERMISSIONS` slice in display order.
///
/// ```
/// qinglian_domain::permissions! {
///     PERM_READ = "example.read", "查看示例", Business;
/// }
/// assert_eq!(PERMISSIONS[0].code, PERM_READ);
/// ```
#[macro_export]
macro_rules! permissions {
    ($($konst:ident = $code:literal, $name:literal, $cat:ident;)*) => {
        $(#[doc = $name] pub const $konst: &str = $code;)*
        /// Every permission of this module, in display order.
        pub const PERMISSIONS: &[$crate::permission::PermissionDef] = &[
            $($crate::permission::PermissionDef {
                code: $code,
                name: $name,
                category: $crate::permission::Category::$cat,
            },)*
        ];
    };
}
