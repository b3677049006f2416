//! The permission catalogue and the built-in roles.
//!
//! Permissions are fixed in code (a handler checks a code); which role holds which permission
//! is data the security admin edits. The three admin roles (三员) may only hold permissions
//! of their own category, so none of them can be given business data.

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
    /// Business data (people, later reports, clues, cases…).
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
    /// Stable code checked by handlers.
    pub code: &'static str,
    /// Chinese name shown to the security admin.
    pub name: &'static str,
    /// Duty category.
    pub category: Category,
}

macro_rules! perms {
    ($($konst:ident = $code:literal, $name:literal, $cat:ident;)*) => {
        $(#[doc = $name] pub const $konst: &str = $code;)*
        /// Every permission, in display order.
        pub const PERMISSIONS: &[PermissionDef] = &[
            $(PermissionDef { code: $code, name: $name, category: Category::$cat },)*
        ];
    };
}

perms! {
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
    DS_READ = "ds.read", "查看大数据监督疑点（含证据明细）", Business;
    DS_RULES = "ds.rules", "查看比对模型、参数阈值、数据集和运行任务（被监督单位不应具有）", Business;
    DS_EXPORT = "ds.export", "导出大数据监督疑点", Business;
    DS_DATASET = "ds.dataset", "导入和管理监督数据集", Business;
    DS_RUN = "ds.run", "运行比对模型", Business;
    DS_MODEL = "ds.model", "编写和修改自定义比对模型", Business;
    DS_DISPATCH = "ds.dispatch", "派发疑点核查、复核核查结果", Business;
    DS_ANSWER = "ds.answer", "反馈疑点核查结果", Business;
}

/// Look up a permission by code.
pub fn find(code: &str) -> Option<&'static PermissionDef> {
    PERMISSIONS.iter().find(|p| p.code == code)
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
    /// Default permissions.
    pub permissions: &'static [&'static str],
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
        permissions: &[
            ORG_READ,
            PERSON_READ,
            PERSON_EXPORT,
            PERSON_SENSITIVE,
            DEADLINE_READ,
            DS_READ,
            DS_RULES,
            DS_EXPORT,
        ],
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
            DS_READ,
            DS_RULES,
            DS_EXPORT,
        ],
    },
    BuiltinRole {
        code: "supervision",
        name: "监督检查室",
        admin_kind: None,
        require_totp: false,
        // The office that imports the datasets and checks findings works with ID numbers.
        permissions: &[
            ORG_READ,
            PERSON_READ,
            PERSON_EXPORT,
            PERSON_SENSITIVE,
            DEADLINE_READ,
            DS_READ,
            DS_RULES,
            DS_EXPORT,
            DS_DATASET,
            DS_RUN,
            DS_MODEL,
            DS_DISPATCH,
        ],
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
        permissions: &[ORG_READ, PERSON_READ, PERSON_EXPORT, DEADLINE_READ, DS_READ, DS_RULES],
    },
    BuiltinRole {
        code: "unit_admin",
        name: "单位党务管理员",
        admin_kind: None,
        require_totp: false,
        permissions: &[
            ORG_READ,
            PERSON_READ,
            PERSON_MANAGE,
            PERSON_EXPORT,
            DEADLINE_READ,
            DS_READ,
            DS_ANSWER,
        ],
    },
    BuiltinRole {
        code: "staff",
        name: "一般工作人员",
        admin_kind: None,
        require_totp: false,
        permissions: &[ORG_READ, DEADLINE_READ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_codes_are_unique() {
        let mut codes: Vec<_> = PERMISSIONS.iter().map(|p| p.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), PERMISSIONS.len());
    }

    /// Issue #2 §4: none of the three admins can read business data.
    #[test]
    fn builtin_admin_roles_hold_only_their_own_category() {
        for role in BUILTIN_ROLES {
            for code in role.permissions {
                let p = find(code).expect("known permission");
                match role.admin_kind {
                    Some(kind) => assert_eq!(p.category, kind.category(), "{} holds {}", role.code, code),
                    None => assert_eq!(p.category, Category::Business, "{} holds {}", role.code, code),
                }
            }
        }
    }
}
