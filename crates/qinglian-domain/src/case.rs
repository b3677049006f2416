//! Cases (案件, issue #13 §2) and the outcomes recorded in them. The outcome rules (kinds, the
//! four forms, effect periods) are in [`crate::outcome`]; this module holds the case module's
//! permissions.

crate::permissions! {
    PERM_READ = "case.read", "查看案件及处理处分结果", Business;
    PERM_OUTCOME = "case.outcome", "录入处理处分结果（含历史数据导入）", Business;
    PERM_STATS = "case.stats", "查看四种形态等统计", Business;
}

/// The module's part of the catalogue: case management (案管室) records outcomes and keeps the
/// figures; investigation and adjudication read; leaders read the figures.
pub const MODULE_PERMISSIONS: crate::permission::ModulePermissions = crate::permission::ModulePermissions {
    module: "case",
    permissions: PERMISSIONS,
    grants: &[
        ("casemgmt", &[PERM_READ, PERM_OUTCOME, PERM_STATS]),
        ("leader", &[PERM_READ, PERM_STATS]),
        ("investigation", &[PERM_READ]),
        ("adjudication", &[PERM_READ, PERM_OUTCOME]),
        ("conduct", &[PERM_STATS]),
    ],
};
