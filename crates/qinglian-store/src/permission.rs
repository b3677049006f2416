//! The permission catalogue and the built-in roles.
//!
//! Permissions are fixed in code (a handler checks a code); which role holds which permission
//! is data the security admin edits. The three admin roles (三员) may only hold permissions
//! of their own category, so none of them can be given business data.

use std::sync::LazyLock;

pub use qinglian_domain::permission::{Category, ModulePermissions, PermissionDef};
use serde::Serialize;

qinglian_domain::permissions! {
    ORG_MANAGE = "org.manage", "维护组织机构", System;
    USER_MANAGE = "user.manage", "管理用户账号", System;
    CONFIG_MANAGE = "config.manage", "系统配置与工作日历", System;
    ROLE_MANAGE = "role.manage", "角色与权限配置", Security;
    SCOPE_MANAGE = "scope.manage", "数据权限配置", Security;
    POLICY_MANAGE = "policy.manage", "安全策略", Security;
    AUDIT_READ = "audit.read", "查看审计日志", Audit;
    AUDIT_EXPORT = "audit.export", "导出审计日志", Audit;
    ORG_READ = "org.read", "查看组织机构", Business;
    PERSON_READ = "person.read", "查看人员名册", Business;
    PERSON_MANAGE = "person.manage", "维护人员名册（新增、修改、导入）", Business;
    PERSON_EXPORT = "person.export", "导出人员名册", Business;
    PERSON_SENSITIVE = "person.sensitive", "查看完整身份证号等敏感信息", Business;
    DEADLINE_READ = "deadline.read", "查看期限预警", Business;
}

/// The business modules' parts of the catalogue: a new module adds one line here.
pub const MODULES: &[ModulePermissions] = &[
    qinglian_domain::data_supervision::MODULE_PERMISSIONS,
    qinglian_domain::report::MODULE_PERMISSIONS,
    qinglian_domain::clue::MODULE_PERMISSIONS,
    qinglian_domain::case::MODULE_PERMISSIONS,
];

/// Every permission, in display order: the platform's, then each module's.
pub static CATALOGUE: LazyLock<Vec<PermissionDef>> = LazyLock::new(|| {
    PERMISSIONS
        .iter()
        .chain(MODULES.iter().flat_map(|m| m.permissions))
        .copied()
        .collect()
});

/// Look up a permission by code.
pub fn find(code: &str) -> Option<&'static PermissionDef> {
    CATALOGUE.iter().find(|p| p.code == code)
}

/// The three separated admin kinds (三员).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminKind {
    /// 系统管理员
    Sysadmin,
    /// 安全管理员
    Secadmin,
    /// 安全审计员
    Auditor,
}

impl AdminKind {
    /// Stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            AdminKind::Sysadmin => "sysadmin",
            AdminKind::Secadmin => "secadmin",
            AdminKind::Auditor => "auditor",
        }
    }
    /// Parse the stored code.
    pub fn parse(s: &str) -> Option<AdminKind> {
        match s {
            "sysadmin" => Some(AdminKind::Sysadmin),
            "secadmin" => Some(AdminKind::Secadmin),
            "auditor" => Some(AdminKind::Auditor),
            _ => None,
        }
    }
    /// The only permission category this admin kind may hold.
    pub fn category(self) -> Category {
        match self {
            AdminKind::Sysadmin => Category::System,
            AdminKind::Secadmin => Category::Security,
            AdminKind::Auditor => Category::Audit,
        }
    }
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            AdminKind::Sysadmin => "系统管理员",
            AdminKind::Secadmin => "安全管理员",
            AdminKind::Auditor => "安全审计员",
        }
    }
}

/// A built-in role, created on first start; its permissions can be changed afterwards.
pub struct BuiltinRole {
    /// Stable code.
    pub code: &'static str,
    /// Chinese name.
    pub name: &'static str,
    /// Admin kind, for the three admins.
    pub admin_kind: Option<AdminKind>,
    /// Whether two-factor login is required.
    pub require_totp: bool,
    /// Default permissions of the platform (the modules add theirs: [`BuiltinRole::grants`]).
    pub permissions: &'static [&'static str],
}

impl BuiltinRole {
    /// Every permission this role holds on a new installation: the platform's and each
    /// module's grants.
    pub fn grants(&self) -> Vec<&'static str> {
        let modules = MODULES
            .iter()
            .flat_map(|m| m.grants)
            .filter(|(role, _)| *role == self.code)
            .flat_map(|(_, perms)| perms.iter().copied());
        self.permissions.iter().copied().chain(modules).collect()
    }
}

const BUSINESS_READ: &[&str] = &[ORG_READ, PERSON_READ, DEADLINE_READ];

/// The built-in roles: the three admins and the commission's business roles.
pub const BUILTIN_ROLES: &[BuiltinRole] = &[
    BuiltinRole {
        code: "sysadmin",
        name: "系统管理员",
        admin_kind: Some(AdminKind::Sysadmin),
        require_totp: true,
        permissions: &[ORG_MANAGE, USER_MANAGE, CONFIG_MANAGE],
    },
    BuiltinRole {
        code: "secadmin",
        name: "安全管理员",
        admin_kind: Some(AdminKind::Secadmin),
        require_totp: true,
        permissions: &[ROLE_MANAGE, SCOPE_MANAGE, POLICY_MANAGE],
    },
    BuiltinRole {
        code: "auditor",
        name: "安全审计员",
        admin_kind: Some(AdminKind::Auditor),
        require_totp: true,
        permissions: &[AUDIT_READ, AUDIT_EXPORT],
    },
    BuiltinRole {
        code: "leader",
        name: "委领导",
        admin_kind: None,
        require_totp: false,
        permissions: &[ORG_READ, PERSON_READ, PERSON_EXPORT, PERSON_SENSITIVE, DEADLINE_READ],
    },
    BuiltinRole {
        code: "reports",
        name: "信访室",
        admin_kind: None,
        require_totp: false,
        permissions: BUSINESS_READ,
    },
    BuiltinRole {
        code: "casemgmt",
        name: "案件监督管理室",
        admin_kind: None,
        require_totp: false,
        permissions: &[
            ORG_READ,
            PERSON_READ,
            PERSON_MANAGE,
            PERSON_EXPORT,
            PERSON_SENSITIVE,
            DEADLINE_READ,
        ],
    },
    BuiltinRole {
        code: "supervision",
        name: "监督检查室",
        admin_kind: None,
        require_totp: false,
        // The office that imports the datasets and checks findings works with ID numbers.
        permissions: &[ORG_READ, PERSON_READ, PERSON_EXPORT, PERSON_SENSITIVE, DEADLINE_READ],
    },
    BuiltinRole {
        code: "investigation",
        name: "审查调查室",
        admin_kind: None,
        require_totp: false,
        permissions: &[ORG_READ, PERSON_READ, PERSON_SENSITIVE, DEADLINE_READ],
    },
    BuiltinRole {
        code: "adjudication",
        name: "案件审理室",
        admin_kind: None,
        require_totp: false,
        permissions: &[ORG_READ, PERSON_READ, PERSON_SENSITIVE, DEADLINE_READ],
    },
    BuiltinRole {
        code: "conduct",
        name: "党风政风监督室",
        admin_kind: None,
        require_totp: false,
        permissions: BUSINESS_READ,
    },
    BuiltinRole {
        code: "stationed",
        name: "派驻纪检监察组",
        admin_kind: None,
        require_totp: false,
        permissions: &[ORG_READ, PERSON_READ, PERSON_EXPORT, DEADLINE_READ],
    },
    BuiltinRole {
        code: "unit_admin",
        name: "单位党务管理员",
        admin_kind: None,
        require_totp: false,
        permissions: &[ORG_READ, PERSON_READ, PERSON_MANAGE, PERSON_EXPORT, DEADLINE_READ],
    },
    BuiltinRole {
        code: "staff",
        name: "一般工作人员",
        admin_kind: None,
        require_totp: false,
        permissions: &[ORG_READ, DEADLINE_READ],
    },
];

/// Gives the built-in roles the grants of every module that arrived after the installation was
/// made (a new module's permissions would otherwise reach nobody on an existing system). Each
/// module's grants are applied once, recorded as the setting `module_grants.<module>`; what the
/// security admin changed afterwards is never touched again. Roles created on this run already
/// hold every grant, so a new installation records its modules as applied.
pub async fn apply_module_grants(tx: &mut crate::Tx) -> crate::StoreResult<()> {
    use sqlx::Row;
    for m in MODULES {
        let key = format!("module_grants.{}", m.module);
        let done: i64 = sqlx::query("SELECT COUNT(*) FROM setting WHERE key = $1")
            .bind(&key)
            .fetch_one(&mut **tx)
            .await?
            .try_get(0)?;
        if done > 0 {
            continue;
        }
        for (role, perms) in m.grants {
            let role_id: Option<crate::user::RoleId> =
                sqlx::query("SELECT id FROM role WHERE code = $1 AND builtin = 1")
                    .bind(*role)
                    .fetch_optional(&mut **tx)
                    .await?
                    .map(|r| r.try_get(0))
                    .transpose()?;
            let Some(role_id) = role_id else { continue };
            for p in *perms {
                let held: i64 =
                    sqlx::query("SELECT COUNT(*) FROM role_permission WHERE role_id = $1 AND permission = $2")
                        .bind(role_id)
                        .bind(*p)
                        .fetch_one(&mut **tx)
                        .await?
                        .try_get(0)?;
                if held == 0 {
                    sqlx::query("INSERT INTO role_permission (role_id, permission) VALUES ($1, $2)")
                        .bind(role_id)
                        .bind(*p)
                        .execute(&mut **tx)
                        .await?;
                }
            }
        }
        crate::setting::set(tx, &key, &true, "system").await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_codes_are_unique() {
        let mut codes: Vec<_> = CATALOGUE.iter().map(|p| p.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), CATALOGUE.len());
        // Each module's codes carry its name.
        for m in MODULES {
            for p in m.permissions {
                assert!(p.code.starts_with(&format!("{}.", m.module)), "{}", p.code);
            }
            for (role, _) in m.grants {
                assert!(BUILTIN_ROLES.iter().any(|r| r.code == *role), "{role}");
            }
        }
    }

    /// Issue #2 §4: none of the three admins can read business data.
    #[test]
    fn builtin_admin_roles_hold_only_their_own_category() {
        for role in BUILTIN_ROLES {
            for code in role.grants() {
                let p = find(code).expect("known permission");
                match role.admin_kind {
                    Some(kind) => assert_eq!(p.category, kind.category(), "{} holds {}", role.code, code),
                    None => assert_eq!(p.category, Category::Business, "{} holds {}", role.code, code),
                }
            }
        }
    }
}
