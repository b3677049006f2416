//! Security administrator pages: roles and permissions, user grants (roles and data scope),
//! security policy.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use qinglian_store::audit::Event;
use qinglian_store::permission::{self as perm, CATALOGUE, PermissionDef};
use qinglian_store::setting::{self, SecurityPolicy};
use qinglian_store::user::{self, Role, RoleId, User};
use serde::Deserialize;

use super::org::OrgRow;
use super::{ListQuery, page, page_with, redirect};
use crate::App;
use crate::auth::Ctx;
use crate::error::{AppError, PageResult};
use crate::templates::{Chrome, FormErrors};

/// Repeated form fields (checkbox lists) arrive as pairs.
type Pairs = Vec<(String, String)>;

fn values<'a>(pairs: &'a Pairs, key: &str) -> impl Iterator<Item = &'a str> {
    pairs.iter().filter(move |(k, _)| k == key).map(|(_, v)| v.as_str())
}

#[derive(Template)]
#[template(path = "security_roles.html")]
struct RolesPage {
    chrome: Chrome,
    roles: Vec<Role>,
    perms: &'static [PermissionDef],
    error: Option<String>,
}

/// Roles and their permissions.
pub async fn roles(State(app): State<App>, ctx: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    ctx.require(perm::ROLE_MANAGE)?;
    let chrome = Chrome::new(
        &app,
        &ctx,
        "角色权限",
        "/security/roles",
        &[("角色权限", "/security/roles")],
    )
    .await
    .flash_code(q.ok.as_deref());
    Ok(page(&RolesPage {
        chrome,
        roles: user::list_roles(&app.db).await?,
        perms: &CATALOGUE,
        error: None,
    }))
}

/// Save one role's permissions and two-factor requirement.
pub async fn role_save(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<RoleId>,
    Form(f): Form<Pairs>,
) -> PageResult {
    ctx.require(perm::ROLE_MANAGE)?;
    let perms: Vec<String> = values(&f, "perm").map(str::to_string).collect();
    let totp = values(&f, "require_totp").any(|v| v == "true");
    let mut tx = app.db.begin().await?;
    match user::set_role_permissions(&mut tx, id, &perms, totp).await {
        Ok(()) => {
            // A change of rights takes effect at once: end the sessions of the role's users.
            qinglian_store::session::delete_for_role(&mut tx, id).await?;
            crate::services::audit::write(
                &app,
                &ctx,
                &mut tx,
                Event::success(
                    "role.update",
                    "role",
                    id,
                    format!("权限：{}；双因素：{}", perms.join(","), if totp { "是" } else { "否" }),
                ),
            )
            .await?;
            tx.commit().await?;
            Ok(redirect(&headers, "/security/roles?ok=saved"))
        }
        Err(qinglian_store::StoreError::Invalid { message, .. }) => {
            drop(tx);
            roles_refused(&app, &ctx, message).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The roles page again with the reason a change was refused (422).
async fn roles_refused(app: &App, ctx: &Ctx, message: String) -> PageResult {
    let chrome = Chrome::new(
        app,
        ctx,
        "角色权限",
        "/security/roles",
        &[("角色权限", "/security/roles")],
    )
    .await;
    let roles = user::list_roles(&app.db).await?;
    Ok(page_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &RolesPage {
            chrome,
            roles,
            perms: &CATALOGUE,
            error: Some(message),
        },
    ))
}

/// Create a custom business role.
pub async fn role_create(State(app): State<App>, ctx: Ctx, headers: HeaderMap, Form(f): Form<Pairs>) -> PageResult {
    ctx.require(perm::ROLE_MANAGE)?;
    let code = values(&f, "code").next().unwrap_or_default().trim().to_string();
    let name = values(&f, "name").next().unwrap_or_default().to_string();
    let mut tx = app.db.begin().await?;
    match user::create_role(&mut tx, &code, &name).await {
        Ok(id) => {
            crate::services::audit::write(&app, &ctx, &mut tx, Event::success("role.create", "role", id, name)).await?;
            tx.commit().await?;
            Ok(redirect(&headers, "/security/roles?ok=created"))
        }
        Err(qinglian_store::StoreError::Invalid { message, .. })
        | Err(qinglian_store::StoreError::Conflict { message, .. }) => {
            drop(tx);
            roles_refused(&app, &ctx, message).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "security_users.html")]
struct GrantsPage {
    chrome: Chrome,
    users: Vec<(User, Vec<String>)>,
}

/// Users with their roles (pick one to grant).
pub async fn users(State(app): State<App>, ctx: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    ctx.require(perm::SCOPE_MANAGE)?;
    let chrome = Chrome::new(
        &app,
        &ctx,
        "用户授权",
        "/security/users",
        &[("用户授权", "/security/users")],
    )
    .await
    .flash_code(q.ok.as_deref());
    Ok(page(&GrantsPage {
        chrome,
        users: user::list(&app.db).await?,
    }))
}

#[derive(Template)]
#[template(path = "security_user.html")]
struct GrantPage {
    chrome: Chrome,
    target: User,
    roles: Vec<Role>,
    held: Vec<RoleId>,
    orgs: Vec<OrgRow>,
    scope: Vec<qinglian_store::org::OrgId>,
    error: Option<String>,
    /// The account's API keys (for other systems acting as it).
    keys: Vec<qinglian_store::api_key::ApiKey>,
    /// A key just made, shown this once.
    new_key: Option<String>,
}

async fn grant_page(
    app: &App,
    ctx: &Ctx,
    id: qinglian_store::user::UserId,
    error: Option<String>,
) -> Result<GrantPage, AppError> {
    let target = user::get_auth(app.db.pool(), id).await?.user;
    let chrome = Chrome::new(
        app,
        ctx,
        &format!("授权：{}", target.display_name),
        "/security/users",
        &[("用户授权", "/security/users"), (&target.username, "")],
    )
    .await;
    let all = qinglian_store::org::list_all(&app.db).await?;
    Ok(GrantPage {
        chrome,
        held: user::roles_of(&app.db, id).await?.iter().map(|r| r.id).collect(),
        roles: user::list_roles(&app.db).await?,
        orgs: super::org::tree_rows(all),
        scope: user::scope_org_ids(&app.db, id).await?,
        keys: qinglian_store::api_key::of_user(&app.db, id).await?,
        new_key: None,
        target,
        error,
    })
}

/// The API-key form.
#[derive(Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    name: String,
}

/// Makes an API key for a (service) account; the key is shown once, on the next page.
pub async fn api_key_create(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<qinglian_store::user::UserId>,
    Form(f): Form<KeyForm>,
) -> PageResult {
    ctx.require(perm::SCOPE_MANAGE)?;
    if id == ctx.principal.user.id {
        return Err(AppError::BadRequest("不能给自己创建接口密钥".into()).into());
    }
    user::get_auth(app.db.pool(), id).await?;
    let mut tx = app.db.begin().await?;
    match qinglian_store::api_key::create(&mut tx, id, &f.name, Some(ctx.principal.user.id)).await {
        Ok((key_id, key)) => {
            crate::services::audit::write(
                &app,
                &ctx,
                &mut tx,
                Event::success(
                    "user.api_key_create",
                    "user",
                    id,
                    format!("创建接口密钥 #{}：{}", key_id.0, f.name.trim()),
                ),
            )
            .await?;
            tx.commit().await?;
            let token = app.put_download(ctx.principal.user.id, "api_key", key.into_bytes());
            Ok(redirect(&headers, &format!("/security/users/{id}?key={token}")))
        }
        Err(qinglian_store::StoreError::Invalid { message, .. }) => {
            drop(tx);
            Ok(page_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &grant_page(&app, &ctx, id, Some(message)).await?,
            ))
        }
        Err(e) => Err(AppError::from(e).into()),
    }
}

/// Revokes an API key.
pub async fn api_key_revoke(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(key_id): Path<qinglian_store::api_key::ApiKeyId>,
) -> PageResult {
    ctx.require(perm::SCOPE_MANAGE)?;
    let mut tx = app.db.begin().await?;
    let id = qinglian_store::api_key::revoke(&mut tx, key_id).await?;
    crate::services::audit::write(
        &app,
        &ctx,
        &mut tx,
        Event::success("user.api_key_revoke", "user", id, format!("吊销接口密钥 #{}", key_id.0)),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect(&headers, &format!("/security/users/{id}?ok=saved")))
}

/// The grant page of one user.
pub async fn user_grant(
    State(app): State<App>,
    ctx: Ctx,
    Path(id): Path<qinglian_store::user::UserId>,
    Query(q): Query<KeyQuery>,
) -> PageResult {
    ctx.require(perm::SCOPE_MANAGE)?;
    let mut p = grant_page(&app, &ctx, id, None).await?;
    p.new_key = q
        .key
        .as_deref()
        .and_then(|t| app.take_download(ctx.principal.user.id, t))
        .and_then(|d| String::from_utf8(d.bytes).ok());
    if let Some(m) = crate::ui::flash_message(q.ok.as_deref()) {
        p.chrome = p.chrome.flash(m);
    }
    Ok(page(&p))
}

/// Query of the grant page: a key just made (its one-time token) or a done message.
#[derive(Deserialize)]
pub struct KeyQuery {
    key: Option<String>,
    ok: Option<String>,
}

/// Save a user's roles and data scope.
pub async fn user_grant_save(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<qinglian_store::user::UserId>,
    Form(f): Form<Pairs>,
) -> PageResult {
    ctx.require(perm::SCOPE_MANAGE)?;
    if id == ctx.principal.user.id {
        return Err(AppError::BadRequest("不能给自己授权".into()).into());
    }
    let roles: Vec<RoleId> = values(&f, "role").filter_map(|v| v.parse().ok()).collect();
    let scope: Vec<qinglian_store::org::OrgId> = values(&f, "scope").filter_map(|v| v.parse().ok()).collect();
    let mut tx = app.db.begin().await?;
    let r = async {
        user::set_roles(&mut tx, id, &roles).await?;
        user::set_scope(&mut tx, id, &scope).await
    }
    .await;
    match r {
        Ok(()) => {
            crate::services::audit::write(
                &app,
                &ctx,
                &mut tx,
                Event::success("user.grant", "user", id, format!("角色{roles:?}；数据权限{scope:?}")),
            )
            .await?;
            tx.commit().await?;
            Ok(redirect(&headers, "/security/users?ok=saved"))
        }
        Err(qinglian_store::StoreError::Invalid { message, .. }) => {
            drop(tx);
            Ok(page_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &grant_page(&app, &ctx, id, Some(message)).await?,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "security_policy.html")]
struct PolicyPage {
    chrome: Chrome,
    p: SecurityPolicy,
    errors: FormErrors,
}

/// The security policy.
pub async fn policy(State(app): State<App>, ctx: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    ctx.require(perm::POLICY_MANAGE)?;
    let chrome = Chrome::new(
        &app,
        &ctx,
        "安全策略",
        "/security/policy",
        &[("安全策略", "/security/policy")],
    )
    .await
    .flash_code(q.ok.as_deref());
    Ok(page(&PolicyPage {
        chrome,
        p: setting::get(&app.db, setting::SECURITY_POLICY).await?,
        errors: FormErrors::default(),
    }))
}

/// Save the policy.
pub async fn policy_save(State(app): State<App>, ctx: Ctx, headers: HeaderMap, Form(f): Form<Pairs>) -> PageResult {
    ctx.require(perm::POLICY_MANAGE)?;
    let num = |k: &str| values(&f, k).next().and_then(|v| v.trim().parse::<i64>().ok());
    let mut errs = Vec::new();
    let mut get = |k: &'static str, label: &str| {
        num(k).unwrap_or_else(|| {
            errs.push((k, format!("{label}应为整数")));
            0
        })
    };
    let p = SecurityPolicy {
        password_min_length: get("password_min_length", "密码最小长度") as usize,
        password_min_classes: get("password_min_classes", "字符类别数") as usize,
        max_failed_logins: get("max_failed_logins", "连续失败次数"),
        lockout_minutes: get("lockout_minutes", "锁定时长"),
        max_failed_logins_per_ip: get("max_failed_logins_per_ip", "同一地址登录失败次数上限"),
    };
    if errs.is_empty()
        && let Err(e) = p.validate()
    {
        errs.push(e);
    }
    if !errs.is_empty() {
        let chrome = Chrome::new(
            &app,
            &ctx,
            "安全策略",
            "/security/policy",
            &[("安全策略", "/security/policy")],
        )
        .await;
        return Ok(page_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PolicyPage {
                chrome,
                p,
                errors: FormErrors::from_pairs(errs),
            },
        ));
    }
    let mut tx = app.db.begin().await?;
    setting::set(&mut tx, setting::SECURITY_POLICY, &p, &ctx.principal.user.username).await?;
    crate::services::audit::write(
        &app,
        &ctx,
        &mut tx,
        Event::success("policy.update", "setting", setting::SECURITY_POLICY, format!("{p:?}")),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect(&headers, "/security/policy?ok=saved"))
}
