//! System administrator pages: user accounts and the working-day calendar.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use qinglian_domain::calendar::YearCalendar;
use qinglian_store::audit::Event;
use qinglian_store::permission as perm;
use qinglian_store::setting::{self, SecurityPolicy};
use qinglian_store::user::{self, User};
use serde::Deserialize;

use super::org::OrgRow;
use super::{ListQuery, page, page_with, redirect};
use crate::App;
use crate::auth::Ctx;
use crate::error::{AppError, PageResult};
use crate::list::{self, Export, ListParams, ListSpec, ListView, html};
use crate::templates::{Chrome, FormErrors};
use qinglian_office::Cell;
use qinglian_store::sql::Page;

/// Whose account a row is, for its actions.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Whose {
    /// An ordinary account.
    Other,
    /// Another 三员 account: the system admin may not reset or disable it.
    OtherAdmin,
    /// The admin's own account.
    Own,
}

/// An account with its role names and whose it is, as one row of the accounts list.
type UserRow = (User, Vec<String>, Whose);

fn user_state(u: &User) -> (&'static str, &'static str) {
    if u.disabled {
        ("red", "已停用")
    } else if u.locked_until.is_some() && u.failed_logins > 0 {
        ("yellow", "已锁定")
    } else {
        ("green", "正常")
    }
}

/// The accounts list, its export and its row actions (each confirmation names the account).
static USER_LIST: ListSpec<UserRow> = ListSpec {
    id: "user-list",
    empty_id: "user-empty",
    path: "/admin/users",
    empty: "还没有账号",
    unit: "个",
    default_sort: "username",
    per_page: 50,
    columns: &[
        list::Column {
            label: "用户名",
            sort: None,
            class: "mono",
            html: Some(|(u, _, _)| html::text(&u.username)),
            excel: Some(|(u, _, _)| Cell::Text(u.username.clone())),
        },
        list::Column {
            label: "姓名",
            sort: None,
            class: "",
            html: Some(|(u, _, _)| html::text(&u.display_name)),
            excel: Some(|(u, _, _)| Cell::Text(u.display_name.clone())),
        },
        list::Column {
            label: "角色",
            sort: None,
            class: "",
            html: Some(|(_, roles, _)| {
                if roles.is_empty() {
                    html::Html("<span class=\"muted\">未授权</span>".into())
                } else {
                    html::tags(roles.iter().map(String::as_str))
                }
            }),
            excel: Some(|(_, roles, _)| Cell::Text(roles.join("、"))),
        },
        list::Column {
            label: "双因素",
            sort: None,
            class: "nowrap",
            html: Some(|(u, _, _)| html::text(if u.totp_enabled { "已启用" } else { "未启用" })),
            excel: Some(|(u, _, _)| Cell::Text(if u.totp_enabled { "已启用" } else { "未启用" }.into())),
        },
        list::Column {
            label: "状态",
            sort: None,
            class: "nowrap",
            html: Some(|(u, _, _)| {
                let (code, label) = user_state(u);
                html::status(code, label)
            }),
            excel: Some(|(u, _, _)| Cell::Text(user_state(u).1.into())),
        },
        list::Column {
            label: "最近登录",
            sort: None,
            class: "nowrap",
            html: Some(|(u, _, _)| {
                html::text(
                    &u.last_login_at
                        .as_deref()
                        .map(qinglian_store::time::display_cst)
                        .unwrap_or_default(),
                )
            }),
            excel: Some(|(u, _, _)| {
                Cell::Text(
                    u.last_login_at
                        .as_deref()
                        .map(qinglian_store::time::display_cst)
                        .unwrap_or_default(),
                )
            }),
        },
    ],
    export: Some(Export {
        permission: perm::USER_MANAGE,
        file: "用户.xlsx",
        sheet: "用户",
        audit_action: "user.export",
        object_type: "user",
        limit: 100_000,
        extra: None,
    }),
    actions: Some(|(u, _, whose), csrf| {
        let path = |a: &str| format!("/admin/users/{}/{a}", u.id);
        let who = format!("“{}”（{}）", u.display_name, u.username);
        // 解锁 only where there is something to unlock.
        let unlock = if u.locked_until.is_some() && u.failed_logins > 0 {
            html::post_button(&path("unlock"), csrf, "解锁", false, None)
        } else {
            html::Html::default()
        };
        match whose {
            Whose::Own => return html::join([unlock, html::titled("本人账号", "不能停用或重置自己的账号")]),
            Whose::OtherAdmin => {
                return html::join([
                    unlock,
                    html::titled(
                        "三员账号",
                        "按照三员分立，系统管理员不能重置或停用安全管理员、审计员的账号",
                    ),
                ]);
            }
            Whose::Other => {}
        }
        html::join([
            if u.disabled {
                html::post_button(&path("enable"), csrf, "启用", false, None)
            } else {
                html::post_button(
                    &path("disable"),
                    csrf,
                    "停用",
                    true,
                    Some(&format!("停用后用户{who}将立即退出并无法登录，确定停用？")),
                )
            },
            unlock,
            html::post_button(
                &path("reset-password"),
                csrf,
                "重置密码",
                false,
                Some(&format!("确定重置用户{who}的密码？")),
            ),
        ])
    }),
    select: None,
    paged: true,
};

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    chrome: Chrome,
    list: ListView,
    new_password: Option<(String, String)>,
}

async fn users_view(app: &App, ctx: &Ctx, lp: &ListParams) -> Result<ListView, AppError> {
    let (pg, per) = lp.paging(USER_LIST.per_page);
    let all = user_rows(app, ctx).await?;
    Ok(USER_LIST.view_with_actions(&Page::of_all(all, pg, per), &[], lp, true, &ctx.csrf))
}

async fn user_rows(app: &App, ctx: &Ctx) -> Result<Vec<UserRow>, AppError> {
    let kinds = user::admin_kinds(&app.db).await?;
    let mut rows = Vec::new();
    for (u, roles) in user::list(&app.db).await? {
        let kind = kinds.get(&u.id).copied();
        let whose = if u.id == ctx.principal.user.id {
            Whose::Own
        } else if kind.is_some() && kind != ctx.principal.admin_kind() {
            Whose::OtherAdmin
        } else {
            Whose::Other
        };
        rows.push((u, roles, whose));
    }
    Ok(rows)
}

/// The one-time password waiting to be shown after a create or reset.
#[derive(Debug, Default, Deserialize)]
pub struct ShownPassword {
    pw: Option<String>,
}

/// Accounts list (and, once, the one-time password just set).
pub async fn users(
    State(app): State<App>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
    Query(lp): Query<ListParams>,
    Query(shown): Query<ShownPassword>,
) -> PageResult {
    ctx.require(perm::USER_MANAGE)?;
    let chrome = Chrome::new(&app, &ctx, "用户管理", "/admin/users", &[("用户管理", "/admin/users")])
        .await
        .flash_code(q.ok.as_deref());
    let new_password = shown
        .pw
        .and_then(|t| app.take_download(ctx.principal.user.id, &t))
        .map(|d| (d.filename, String::from_utf8_lossy(&d.bytes).into_owned()));
    Ok(page(&UsersPage {
        chrome,
        list: users_view(&app, &ctx, &lp).await?,
        new_password,
    }))
}

/// Export the account list to Excel (audited).
pub async fn users_export(State(app): State<App>, ctx: Ctx) -> PageResult {
    ctx.require(perm::USER_MANAGE)?;
    let users = user_rows(&app, &ctx).await?;
    Ok(USER_LIST.export(&app, &ctx, &users, String::new()).await?)
}

#[derive(Template)]
#[template(path = "admin_user_form.html")]
struct UserFormPage {
    chrome: Chrome,
    form: NewUserForm,
    errors: FormErrors,
    orgs: Vec<OrgRow>,
}

/// New-account form fields.
#[derive(Deserialize, Default, Clone)]
pub struct NewUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    org_id: String,
}

async fn all_org_rows(app: &App) -> Result<Vec<OrgRow>, AppError> {
    Ok(super::org::tree_rows(qinglian_store::org::list_all(&app.db).await?))
}

/// New-account form.
pub async fn user_new_form(State(app): State<App>, ctx: Ctx) -> PageResult {
    ctx.require(perm::USER_MANAGE)?;
    let chrome = Chrome::new(
        &app,
        &ctx,
        "新增用户",
        "/admin/users",
        &[("用户管理", "/admin/users"), ("新增用户", "")],
    )
    .await;
    Ok(page(&UserFormPage {
        chrome,
        form: NewUserForm::default(),
        errors: FormErrors::default(),
        orgs: all_org_rows(&app).await?,
    }))
}

/// Create an account with a generated initial password (shown once; changed at first login).
/// Roles and scope are then granted by the security admin.
pub async fn user_create(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(f): Form<NewUserForm>,
) -> PageResult {
    ctx.require(perm::USER_MANAGE)?;
    let password = crate::password::generate();
    let new = user::NewUser {
        username: f.username.trim().to_lowercase(),
        display_name: f.display_name.clone(),
        org_id: f.org_id.trim().parse().ok(),
        password_hash: crate::password::hash_async(password.clone()).await,
        must_change_password: true,
    };
    let mut tx = app.db.begin().await?;
    match user::create(&mut tx, &new).await {
        Ok(id) => {
            crate::services::audit::write(
                &app,
                &ctx,
                &mut tx,
                Event::success("user.create", "user", id, new.username.clone()),
            )
            .await?;
            tx.commit().await?;
            // POST → redirect → GET: the one-time password waits server-side for this admin and
            // is shown once, so F5 neither re-submits nor shows it again.
            let token = app.put_download(ctx.principal.user.id, &new.username, password.into_bytes());
            Ok(redirect(&headers, &format!("/admin/users?ok=user_created&pw={token}")))
        }
        Err(qinglian_store::StoreError::Invalid { field, message })
        | Err(qinglian_store::StoreError::Conflict { field, message }) => {
            drop(tx);
            let chrome = Chrome::new(
                &app,
                &ctx,
                "新增用户",
                "/admin/users",
                &[("用户管理", "/admin/users"), ("新增用户", "")],
            )
            .await;
            Ok(page_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &UserFormPage {
                    chrome,
                    form: f,
                    errors: FormErrors::from_pairs(vec![(field, message)]),
                    orgs: all_org_rows(&app).await?,
                },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// Account actions: disable, enable, unlock, reset password.
pub async fn user_action(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((id, action)): Path<(qinglian_store::user::UserId, String)>,
) -> PageResult {
    ctx.require(perm::USER_MANAGE)?;
    if id == ctx.principal.user.id && action != "unlock" {
        return Err(AppError::BadRequest("不能对自己的账号执行此操作".into()).into());
    }
    let target = user::get_auth(app.db.pool(), id).await?.user;
    // 三员分立 holds for account recovery: the system admin may not take over the security
    // admin's or the auditor's account — no password reset (whose one-time password the system
    // admin would see) and no disabling. Their recovery is the break-glass path on the server
    // (`qinglian user passwd NAME`, audited as the system itself), see docs/ARCHITECTURE.md.
    let target_kind = user::load_principal(&app.db, id).await?.admin_kind();
    if let Some(kind) = target_kind
        && Some(kind) != ctx.principal.admin_kind()
        && matches!(action.as_str(), "reset-password" | "disable")
    {
        return Err(AppError::Conflict(
            "action",
            format!(
                "按照“三员分立”，系统管理员不能重置或停用{}的账号；如确需找回，请由运维人员在服务器上执行“qinglian user passwd {}”（记入审计日志）",
                kind.label(),
                target.username
            ),
        )
        .into());
    }
    let mut tx = app.db.begin().await?;
    let (code, detail, password) = match action.as_str() {
        "disable" => {
            user::set_disabled(&mut tx, id, true).await?;
            ("disabled", "停用账号", None)
        }
        "enable" => {
            user::set_disabled(&mut tx, id, false).await?;
            ("enabled", "启用账号", None)
        }
        "unlock" => {
            user::unlock(&mut tx, id).await?;
            ("unlocked", "解锁账号", None)
        }
        "reset-password" => {
            let pw = crate::password::generate();
            let hash = crate::password::hash_async(pw.clone()).await;
            user::set_password(&mut tx, id, &hash, true).await?;
            ("reset", "重置密码", Some(pw))
        }
        _ => return Err(AppError::NotFound("操作").into()),
    };
    crate::services::audit::write(
        &app,
        &ctx,
        &mut tx,
        Event::success("user.admin", "user", id, format!("{detail}：{}", target.username)),
    )
    .await?;
    tx.commit().await?;
    if let Some(pw) = password {
        let token = app.put_download(ctx.principal.user.id, &target.username, pw.into_bytes());
        return Ok(redirect(&headers, &format!("/admin/users?ok=reset&pw={token}")));
    }
    Ok(redirect(&headers, &format!("/admin/users?ok={code}")))
}

#[derive(Template)]
#[template(path = "admin_calendar.html")]
pub struct CalendarAdminPage {
    chrome: Chrome,
    years: Vec<i32>,
    stored: Vec<(i64, String, String, String)>,
    warning: Option<String>,
    notice: String,
    notice_errors: Vec<String>,
    text: String,
    errors: Vec<String>,
    example: String,
}

async fn calendar_page(
    app: &App,
    ctx: &Ctx,
    text: String,
    errors: Vec<String>,
    flash: Option<&str>,
) -> Result<CalendarAdminPage, AppError> {
    let mut chrome = Chrome::new(
        app,
        ctx,
        "工作日历维护",
        "/admin/calendar",
        &[("工作日历维护", "/admin/calendar")],
    )
    .await;
    if let Some(f) = flash {
        chrome = chrome.flash(f);
    }
    // The example in the words the form's label uses (放假/上班; the English codes work too).
    let example = YearCalendar::builtin(2026)
        .map(|y| {
            y.to_csv()
                .replace(",makeup_workday", ",上班")
                .replace(",holiday", ",放假")
        })
        .unwrap_or_default();
    let cal = app.calendar();
    Ok(CalendarAdminPage {
        chrome,
        warning: crate::calendar::missing_year_warning(app, &cal, app.today()).await?,
        years: cal.years(),
        stored: qinglian_store::calendar::stored_years(&app.db).await?,
        notice: String::new(),
        notice_errors: Vec::new(),
        text,
        errors,
        example,
    })
}

/// The calendar page with the pasted notice kept and its errors shown.
pub async fn calendar_page_with_notice(
    app: &App,
    ctx: &Ctx,
    notice: String,
    errors: Vec<String>,
) -> Result<CalendarAdminPage, AppError> {
    let mut p = calendar_page(app, ctx, String::new(), Vec::new(), None).await?;
    p.notice = notice;
    p.notice_errors = errors;
    Ok(p)
}

/// The calendar maintenance page.
pub async fn calendar(State(app): State<App>, ctx: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    ctx.require(perm::CONFIG_MANAGE)?;
    Ok(page(
        &calendar_page(
            &app,
            &ctx,
            String::new(),
            Vec::new(),
            super::flash_message(q.ok.as_deref()),
        )
        .await?,
    ))
}

/// Calendar line-entry form.
#[derive(Deserialize)]
pub struct CalendarForm {
    text: String,
}

/// Enter one year line by line (the advanced way in): the same whole-year check as the notice.
pub async fn calendar_save(
    State(app): State<App>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(f): Form<CalendarForm>,
) -> PageResult {
    ctx.require(perm::CONFIG_MANAGE)?;
    let refused = |msgs: Vec<String>, text: String| async {
        Ok::<_, AppError>(page_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &calendar_page(&app, &ctx, text, msgs, None).await?,
        ))
    };
    let year = match YearCalendar::parse_csv(&f.text) {
        Ok(y) => y,
        Err(errs) => return Ok(refused(errs.iter().map(|e| e.to_string()).collect(), f.text).await?),
    };
    match crate::calendar::save_year(&app, &ctx.actor(), &year, "逐行录入").await {
        Ok(saved) => {
            let code = if saved.resolved > 0 {
                "calendar_resolved"
            } else {
                "saved"
            };
            Ok(redirect(&headers, &format!("/admin/calendar?ok={code}")))
        }
        Err(AppError::Invalid(errs)) => Ok(refused(errs.into_iter().map(|(_, m)| m).collect(), f.text).await?),
        Err(e) => Err(e.into()),
    }
}

/// Password policy check used when a password is set by an admin tool.
pub async fn policy(app: &App) -> Result<SecurityPolicy, AppError> {
    Ok(setting::get(&app.db, setting::SECURITY_POLICY).await?)
}
