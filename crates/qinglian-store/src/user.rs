//! Users, roles, role permissions and data scopes.

use std::collections::BTreeSet;

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::error::{StoreError, StoreResult};
use crate::org::OrgId;
use crate::permission::{self, AdminKind, Category};
use crate::{Db, Scope, Tx};

crate::id_type!(
    /// Id of a user account.
    UserId
);
crate::id_type!(
    /// Id of a role.
    RoleId
);

/// A user account (no secrets).
#[derive(Debug, Clone, Serialize)]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Home org.
    pub org_id: Option<OrgId>,
    /// Must change password at next login.
    pub must_change_password: bool,
    /// Two-factor enabled.
    pub totp_enabled: bool,
    /// Consecutive failed logins.
    pub failed_logins: i64,
    /// Locked until (stored timestamp).
    pub locked_until: Option<String>,
    /// Disabled.
    pub disabled: bool,
    /// Last successful login.
    pub last_login_at: Option<String>,
    /// Created.
    pub created_at: String,
}

/// A user with the secrets needed to authenticate.
#[derive(Debug, Clone)]
pub struct UserAuth {
    /// The user.
    pub user: User,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Encrypted TOTP secret (field-encryption token), if enrolled.
    pub totp_secret: Option<String>,
}

const COLS: &str = "id, username, display_name, org_id, must_change_password, totp_enabled, failed_logins, locked_until, disabled, last_login_at, created_at, password_hash, totp_secret";

fn from_row(r: &AnyRow) -> StoreResult<UserAuth> {
    Ok(UserAuth {
        user: User {
            id: r.try_get("id")?,
            username: r.try_get("username")?,
            display_name: r.try_get("display_name")?,
            org_id: r.try_get("org_id")?,
            must_change_password: crate::flag(r.try_get("must_change_password")?),
            totp_enabled: crate::flag(r.try_get("totp_enabled")?),
            failed_logins: r.try_get("failed_logins")?,
            locked_until: r.try_get("locked_until")?,
            disabled: crate::flag(r.try_get("disabled")?),
            last_login_at: r.try_get("last_login_at")?,
            created_at: r.try_get("created_at")?,
        },
        password_hash: r.try_get("password_hash")?,
        totp_secret: r.try_get("totp_secret")?,
    })
}

/// Check a username's form: 3–32 of a-z, 0-9, '_', '.', '-', starting with a letter.
pub fn check_username(username: &str) -> Result<(), String> {
    let ok_chars = username
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'));
    let first_ok = username.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    let len = username.chars().count();
    if !(3..=32).contains(&len) || !ok_chars || !first_ok {
        return Err("用户名应为3–32位小写字母、数字、下划线、点或连字符，并以字母开头".into());
    }
    Ok(())
}

/// Input for a new user.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Home org.
    pub org_id: Option<OrgId>,
    /// argon2id hash of the initial password.
    pub password_hash: String,
    /// Force a password change at first login.
    pub must_change_password: bool,
}

/// Create a user.
pub async fn create(tx: &mut Tx, u: &NewUser) -> StoreResult<UserId> {
    check_username(&u.username).map_err(|m| StoreError::invalid("username", m))?;
    if u.display_name.trim().is_empty() {
        return Err(StoreError::invalid("display_name", "姓名不能为空"));
    }
    qinglian_domain::text::check(
        "display_name",
        "姓名",
        &u.display_name,
        qinglian_domain::text::Limit::UserName,
    )
    .map_err(|(f, m)| StoreError::invalid(f, m))?;
    let exists: i64 = sqlx::query("SELECT COUNT(*) FROM app_user WHERE username = $1")
        .bind(&u.username)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    if exists > 0 {
        return Err(StoreError::conflict(
            "username",
            format!("用户名“{}”已被使用", u.username),
        ));
    }
    if let Some(org) = u.org_id {
        crate::org::get_unscoped(&mut **tx, org)
            .await
            .map_err(|e| e.not_found_as("org_id", "所属单位不存在"))?;
    }
    let now = crate::time::now();
    let row = sqlx::query(
        "INSERT INTO app_user (username, display_name, org_id, password_hash, must_change_password, password_changed_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $6) RETURNING id",
    )
    .bind(&u.username)
    .bind(u.display_name.trim())
    .bind(u.org_id)
    .bind(&u.password_hash)
    .bind(u.must_change_password as i64)
    .bind(&now)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| {
        let e = StoreError::from(e);
        if e.is_unique_violation("app_user_username_key", "app_user.username") {
            StoreError::conflict("username", format!("用户名“{}”已被使用", u.username))
        } else {
            e
        }
    })?;
    Ok(row.try_get(0)?)
}

/// Find a user (with secrets) by username.
pub async fn find_auth<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
    username: &str,
) -> StoreResult<Option<UserAuth>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLS} FROM app_user WHERE username = $1"
    )))
    .bind(username)
    .fetch_optional(ex)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Get a user (with secrets) by id.
pub async fn get_auth<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(ex: E, id: UserId) -> StoreResult<UserAuth> {
    let row = sqlx::query(AssertSqlSafe(format!("SELECT {COLS} FROM app_user WHERE id = $1")))
        .bind(id)
        .fetch_optional(ex)
        .await?
        .ok_or(StoreError::NotFound("用户"))?;
    from_row(&row)
}

/// All users with their role names.
pub async fn list(db: &Db) -> StoreResult<Vec<(User, Vec<String>)>> {
    let rows = sqlx::query(AssertSqlSafe(format!("SELECT {COLS} FROM app_user ORDER BY username")))
        .fetch_all(db.pool())
        .await?;
    let role_rows =
        sqlx::query("SELECT ur.user_id, r.name FROM user_role ur JOIN role r ON r.id = ur.role_id ORDER BY r.id")
            .fetch_all(db.pool())
            .await?;
    let mut out = Vec::new();
    for r in &rows {
        let u = from_row(r)?.user;
        let mut names = Vec::new();
        for rr in &role_rows {
            if rr.try_get::<UserId, _>(0)? == u.id {
                names.push(rr.try_get::<String, _>(1)?);
            }
        }
        out.push((u, names));
    }
    Ok(out)
}

/// Active users holding `permission` through a role (the one query behind every "tell whoever
/// may act" notification).
const HOLDERS: &str = "SELECT DISTINCT u.id FROM app_user u JOIN user_role ur ON ur.user_id = u.id \
     JOIN role_permission rp ON rp.role_id = ur.role_id WHERE u.disabled = 0 AND rp.permission = $1";

/// The active users holding `permission`, those of `org` only when given, by id.
pub async fn holders(tx: &mut Tx, permission: &str, org: Option<OrgId>) -> StoreResult<Vec<UserId>> {
    let rows = match org {
        Some(org) => {
            sqlx::query(AssertSqlSafe(format!("{HOLDERS} AND u.org_id = $2 ORDER BY u.id")))
                .bind(permission)
                .bind(org)
                .fetch_all(&mut **tx)
                .await?
        }
        None => {
            sqlx::query(AssertSqlSafe(format!("{HOLDERS} ORDER BY u.id")))
                .bind(permission)
                .fetch_all(&mut **tx)
                .await?
        }
    };
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// The active users holding `permission` whose home is `org` or an org under it (a
/// commission's offices: the reports office sits in 信访室, a section of the commission).
pub async fn holders_within(tx: &mut Tx, permission: &str, org: OrgId) -> StoreResult<Vec<UserId>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "{HOLDERS} AND u.org_id IN (SELECT c.id FROM org c JOIN org p ON c.path LIKE p.path || '%' WHERE p.id = $2) \
         ORDER BY u.id"
    )))
    .bind(permission)
    .bind(org)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// Whether `user` is active and holds `permission`.
pub async fn holds(tx: &mut Tx, user: UserId, permission: &str) -> StoreResult<bool> {
    Ok(sqlx::query(AssertSqlSafe(format!("{HOLDERS} AND u.id = $2")))
        .bind(permission)
        .bind(user)
        .fetch_optional(&mut **tx)
        .await?
        .is_some())
}

/// The admin kind of every account that holds an admin role (one query, for lists).
pub async fn admin_kinds(db: &Db) -> StoreResult<std::collections::HashMap<UserId, AdminKind>> {
    let rows = sqlx::query(
        "SELECT ur.user_id, r.admin_kind FROM user_role ur JOIN role r ON r.id = ur.role_id WHERE r.admin_kind IS NOT NULL",
    )
    .fetch_all(db.pool())
    .await?;
    let mut out = std::collections::HashMap::new();
    for r in &rows {
        let kind: String = r.try_get(1)?;
        if let Some(k) = AdminKind::parse(&kind) {
            out.insert(r.try_get(0)?, k);
        }
    }
    Ok(out)
}

/// Record a failed login; lock the account when `max_failures` is reached.
pub async fn record_failure(tx: &mut Tx, id: UserId, max_failures: i64, lock_minutes: i64) -> StoreResult<i64> {
    let row =
        sqlx::query("UPDATE app_user SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
    let n: i64 = row.try_get(0)?;
    if n >= max_failures {
        let until = crate::time::format(chrono::Utc::now() + chrono::Duration::minutes(lock_minutes));
        sqlx::query("UPDATE app_user SET locked_until = $1 WHERE id = $2")
            .bind(until)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(n)
}

/// Record a successful login: reset the failure count.
pub async fn record_success(tx: &mut Tx, id: UserId) -> StoreResult<()> {
    sqlx::query("UPDATE app_user SET failed_logins = 0, locked_until = NULL, last_login_at = $1 WHERE id = $2")
        .bind(crate::time::now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Set a new password hash. Also ends every session of the user.
pub async fn set_password(tx: &mut Tx, id: UserId, hash: &str, must_change: bool) -> StoreResult<()> {
    let now = crate::time::now();
    let done = sqlx::query("UPDATE app_user SET password_hash = $1, must_change_password = $2, password_changed_at = $3, failed_logins = 0, locked_until = NULL, updated_at = $3 WHERE id = $4")
        .bind(hash)
        .bind(must_change as i64)
        .bind(&now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound("用户"));
    }
    crate::session::delete_for_user(tx, id).await
}

/// Enable or disable an account. Disabling ends every session of the user.
pub async fn set_disabled(tx: &mut Tx, id: UserId, disabled: bool) -> StoreResult<()> {
    let done = sqlx::query("UPDATE app_user SET disabled = $1, updated_at = $2 WHERE id = $3")
        .bind(disabled as i64)
        .bind(crate::time::now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound("用户"));
    }
    if disabled {
        crate::session::delete_for_user(tx, id).await?;
    }
    Ok(())
}

/// Unlock an account locked by failed logins.
pub async fn unlock(tx: &mut Tx, id: UserId) -> StoreResult<()> {
    sqlx::query("UPDATE app_user SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Store (or clear) the encrypted TOTP secret and whether two-factor is enabled.
pub async fn set_totp(tx: &mut Tx, id: UserId, secret: Option<&str>, enabled: bool) -> StoreResult<()> {
    sqlx::query("UPDATE app_user SET totp_secret = $1, totp_enabled = $2, updated_at = $3 WHERE id = $4")
        .bind(secret)
        .bind(enabled as i64)
        .bind(crate::time::now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Consume a TOTP time step: true if it is newer than the last one accepted for the user
/// (atomically, so two requests cannot both use one code), false if it was used already.
pub async fn use_totp_step(tx: &mut Tx, id: UserId, step: u64) -> StoreResult<bool> {
    let step = i64::try_from(step).map_err(|_| StoreError::Internal("totp step out of range".into()))?;
    let n = sqlx::query("UPDATE app_user SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1")
        .bind(step)
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// A role with its permissions.
#[derive(Debug, Clone, Serialize)]
pub struct Role {
    /// Id.
    pub id: RoleId,
    /// Stable code.
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// For the three admins.
    pub admin_kind: Option<AdminKind>,
    /// Two-factor required for holders.
    pub require_totp: bool,
    /// Built-in (cannot be deleted).
    pub builtin: bool,
    /// Permission codes.
    pub permissions: BTreeSet<String>,
}

async fn roles_where<'e, E>(ex: E, cond: &str, bind: Option<i64>) -> StoreResult<Vec<Role>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any> + Copy,
{
    let sql = format!("SELECT id, code, name, admin_kind, require_totp, builtin FROM role {cond} ORDER BY id");
    let mut q = sqlx::query(AssertSqlSafe(sql));
    if let Some(b) = bind {
        q = q.bind(b);
    }
    let rows = q.fetch_all(ex).await?;
    let perm_rows = sqlx::query("SELECT role_id, permission FROM role_permission")
        .fetch_all(ex)
        .await?;
    let mut roles = Vec::new();
    for r in rows {
        let id: RoleId = r.try_get("id")?;
        let admin_kind: Option<String> = r.try_get("admin_kind")?;
        let mut permissions = BTreeSet::new();
        for p in &perm_rows {
            if p.try_get::<RoleId, _>(0)? == id {
                permissions.insert(p.try_get::<String, _>(1)?);
            }
        }
        roles.push(Role {
            id,
            code: r.try_get("code")?,
            name: r.try_get("name")?,
            admin_kind: admin_kind.as_deref().and_then(AdminKind::parse),
            require_totp: crate::flag(r.try_get("require_totp")?),
            builtin: crate::flag(r.try_get("builtin")?),
            permissions,
        });
    }
    Ok(roles)
}

/// All roles.
pub async fn list_roles(db: &Db) -> StoreResult<Vec<Role>> {
    roles_where(db.pool(), "", None).await
}

/// The roles a user holds.
pub async fn roles_of(db: &Db, user_id: UserId) -> StoreResult<Vec<Role>> {
    roles_where(
        db.pool(),
        "WHERE id IN (SELECT role_id FROM user_role WHERE user_id = $1)",
        Some(user_id.0),
    )
    .await
}

/// Create the built-in roles that do not exist yet (idempotent; keeps edited permissions).
pub async fn ensure_builtin_roles(tx: &mut Tx) -> StoreResult<()> {
    for b in permission::BUILTIN_ROLES {
        let exists: i64 = sqlx::query("SELECT COUNT(*) FROM role WHERE code = $1")
            .bind(b.code)
            .fetch_one(&mut **tx)
            .await?
            .try_get(0)?;
        if exists > 0 {
            continue;
        }
        let id: RoleId = sqlx::query("INSERT INTO role (code, name, admin_kind, require_totp, builtin, created_at) VALUES ($1, $2, $3, $4, 1, $5) RETURNING id")
            .bind(b.code)
            .bind(b.name)
            .bind(b.admin_kind.map(|k| k.as_str()))
            .bind(b.require_totp as i64)
            .bind(crate::time::now())
            .fetch_one(&mut **tx)
            .await?
            .try_get(0)?;
        for p in b.grants() {
            sqlx::query("INSERT INTO role_permission (role_id, permission) VALUES ($1, $2)")
                .bind(id)
                .bind(p)
                .execute(&mut **tx)
                .await?;
        }
    }
    permission::apply_module_grants(tx).await?;
    Ok(())
}

/// Find a role id by code.
pub async fn role_id<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(ex: E, code: &str) -> StoreResult<RoleId> {
    let row = sqlx::query("SELECT id FROM role WHERE code = $1")
        .bind(code)
        .fetch_optional(ex)
        .await?;
    Ok(row.ok_or(StoreError::NotFound("角色"))?.try_get(0)?)
}

/// Create a custom business role.
pub async fn create_role(tx: &mut Tx, code: &str, name: &str) -> StoreResult<RoleId> {
    check_username(code)
        .map_err(|_| StoreError::invalid("code", "角色代码应为3–32位小写字母、数字或下划线，并以字母开头"))?;
    if name.trim().is_empty() {
        return Err(StoreError::invalid("name", "角色名称不能为空"));
    }
    let exists: i64 = sqlx::query("SELECT COUNT(*) FROM role WHERE code = $1 OR name = $2")
        .bind(code)
        .bind(name.trim())
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    if exists > 0 {
        return Err(StoreError::conflict("code", "角色代码或名称已存在"));
    }
    let id: RoleId = sqlx::query("INSERT INTO role (code, name, admin_kind, require_totp, builtin, created_at) VALUES ($1, $2, NULL, 0, 0, $3) RETURNING id")
        .bind(code)
        .bind(name.trim())
        .bind(crate::time::now())
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    Ok(id)
}

/// Set a role's permissions and two-factor requirement. Admin roles may only hold their own
/// category; business roles only business permissions (separation of the three admins).
pub async fn set_role_permissions(
    tx: &mut Tx,
    role_id: RoleId,
    perms: &[String],
    require_totp: bool,
) -> StoreResult<()> {
    let perms: Vec<String> = perms.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect();
    let perms = perms.as_slice();
    let row = sqlx::query("SELECT admin_kind FROM role WHERE id = $1")
        .bind(role_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("角色"))?;
    let admin_kind: Option<String> = row.try_get(0)?;
    let allowed = admin_kind
        .as_deref()
        .and_then(AdminKind::parse)
        .map(|k| k.category())
        .unwrap_or(Category::Business);
    for p in perms {
        let def = permission::find(p).ok_or_else(|| StoreError::invalid("permissions", format!("未知权限“{p}”")))?;
        if def.category != allowed {
            return Err(StoreError::invalid(
                "permissions",
                format!(
                    "“{}”属于{}权限，不能授予该角色（三员分立：管理角色与业务权限互斥）",
                    def.name,
                    def.category.label()
                ),
            ));
        }
    }
    if admin_kind.is_some() && !require_totp {
        return Err(StoreError::invalid("require_totp", "三员角色必须启用双因素登录"));
    }
    sqlx::query("DELETE FROM role_permission WHERE role_id = $1")
        .bind(role_id)
        .execute(&mut **tx)
        .await?;
    for p in perms {
        sqlx::query("INSERT INTO role_permission (role_id, permission) VALUES ($1, $2)")
            .bind(role_id)
            .bind(p)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("UPDATE role SET require_totp = $1 WHERE id = $2")
        .bind(require_totp as i64)
        .bind(role_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Set the roles a user holds. Nobody may hold two of the three admin roles, nor an admin
/// role together with a business role.
pub async fn set_roles(tx: &mut Tx, user_id: UserId, role_ids: &[RoleId]) -> StoreResult<()> {
    let role_ids: Vec<RoleId> = role_ids.iter().copied().collect::<BTreeSet<_>>().into_iter().collect();
    let role_ids = role_ids.as_slice();
    let mut admin_kinds = Vec::new();
    let mut business = 0;
    for rid in role_ids {
        let row = sqlx::query("SELECT admin_kind FROM role WHERE id = $1")
            .bind(*rid)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(StoreError::invalid("roles", "角色不存在"))?;
        match row.try_get::<Option<String>, _>(0)? {
            Some(k) => admin_kinds.push(k),
            None => business += 1,
        }
    }
    if admin_kinds.len() > 1 {
        return Err(StoreError::invalid(
            "roles",
            "三员分立：同一用户不能同时担任系统管理员、安全管理员、安全审计员中的两个角色",
        ));
    }
    if !admin_kinds.is_empty() && business > 0 {
        return Err(StoreError::invalid("roles", "三员分立：管理员账号不能同时拥有业务角色"));
    }
    get_auth(&mut **tx, user_id).await?;
    sqlx::query("DELETE FROM user_role WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    for rid in role_ids {
        sqlx::query("INSERT INTO user_role (user_id, role_id) VALUES ($1, $2)")
            .bind(user_id)
            .bind(*rid)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Set the org subtrees a user may see.
pub async fn set_scope(tx: &mut Tx, user_id: UserId, org_ids: &[OrgId]) -> StoreResult<()> {
    let org_ids: Vec<OrgId> = org_ids.iter().copied().collect::<BTreeSet<_>>().into_iter().collect();
    let org_ids = org_ids.as_slice();
    get_auth(&mut **tx, user_id).await?;
    sqlx::query("DELETE FROM user_scope WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    for o in org_ids {
        crate::org::get_unscoped(&mut **tx, *o)
            .await
            .map_err(|e| e.not_found_as("scope", "数据权限中的单位不存在"))?;
        sqlx::query("INSERT INTO user_scope (user_id, org_id) VALUES ($1, $2)")
            .bind(user_id)
            .bind(*o)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The org ids a user's scope grants.
pub async fn scope_org_ids(db: &Db, user_id: UserId) -> StoreResult<Vec<OrgId>> {
    let rows = sqlx::query("SELECT org_id FROM user_scope WHERE user_id = $1 ORDER BY org_id")
        .bind(user_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// Who is acting: the user, their roles, the union of permissions and their data scope.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The user.
    pub user: User,
    /// Roles held.
    pub roles: Vec<Role>,
    /// Union of the roles' permissions.
    pub permissions: BTreeSet<String>,
    /// Data scope.
    pub scope: Scope,
}

impl Principal {
    /// True if any role grants `perm`.
    pub fn can(&self, perm: &str) -> bool {
        self.permissions.contains(perm)
    }
    /// The admin kind, if this is one of the three admins.
    pub fn admin_kind(&self) -> Option<AdminKind> {
        self.roles.iter().find_map(|r| r.admin_kind)
    }
    /// True if any held role requires two-factor login.
    pub fn requires_totp(&self) -> bool {
        self.roles.iter().any(|r| r.require_totp)
    }
    /// Role names joined for display and the audit log.
    pub fn role_names(&self) -> String {
        self.roles
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// Load the principal for a user id. Business permissions are dropped if the user (wrongly)
/// holds an admin role too — the separation holds even against bad data.
pub async fn load_principal(db: &Db, user_id: UserId) -> StoreResult<Principal> {
    let user = get_auth(db.pool(), user_id).await?.user;
    let roles = roles_of(db, user_id).await?;
    let admin = roles.iter().find_map(|r| r.admin_kind);
    let permissions: BTreeSet<String> = roles
        .iter()
        .flat_map(|r| r.permissions.iter().cloned())
        .filter(|p| match (admin, permission::find(p)) {
            (Some(k), Some(def)) => def.category == k.category(),
            (None, Some(def)) => def.category == Category::Business,
            (_, None) => false,
        })
        .collect();
    let scope = if admin.is_some() {
        Scope::none()
    } else {
        let paths = sqlx::query("SELECT o.path FROM user_scope s JOIN org o ON o.id = s.org_id WHERE s.user_id = $1")
            .bind(user_id)
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<Result<Vec<_>, _>>()?;
        Scope::new(paths)
    };
    Ok(Principal {
        user,
        roles,
        permissions,
        scope,
    })
}

/// Number of users.
pub async fn count(db: &Db) -> StoreResult<i64> {
    Ok(sqlx::query("SELECT COUNT(*) FROM app_user")
        .fetch_one(db.pool())
        .await?
        .try_get(0)?)
}

/// Re-encrypt every stored TOTP secret that is not under the key ring's current key (after a
/// rotation or a crypto-mode change), in one transaction. Returns how many were rewritten.
pub async fn reencrypt_totp_secrets(
    db: &Db,
    keys: &qinglian_crypto::KeyRing,
    aad: impl Fn(UserId) -> String,
) -> StoreResult<usize> {
    let mut tx = db.begin().await?;
    let rows = sqlx::query("SELECT id, totp_secret FROM app_user WHERE totp_secret IS NOT NULL")
        .fetch_all(&mut *tx)
        .await?;
    let mut n = 0;
    for r in rows {
        let id: UserId = r.try_get(0)?;
        let token: String = r.try_get(1)?;
        if !keys.is_stale(&token) {
            continue;
        }
        let plain = keys
            .decrypt(&token, aad(id).as_bytes())
            .map_err(|e| StoreError::Internal(format!("user {id} totp secret: {e}")))?;
        let fresh = keys.encrypt(&plain, aad(id).as_bytes());
        sqlx::query("UPDATE app_user SET totp_secret = $1 WHERE id = $2")
            .bind(fresh)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        n += 1;
    }
    tx.commit().await?;
    Ok(n)
}
