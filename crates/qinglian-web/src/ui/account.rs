//! Login, the second factor, logout, password change and two-factor enrolment.

use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use qinglian_store::audit::{self, Event, Outcome};
use qinglian_store::setting::{self, SecurityPolicy};
use qinglian_store::{session, user};
use serde::Deserialize;

use super::{page, page_with, redirect, with_cookie};
use crate::App;
use crate::auth::{self, AnyCtx, AuthState};
use crate::error::{AppError, PageResult};
use crate::middleware::same_token;
use crate::templates::FormErrors;

const PRE_COOKIE: &str = "qinglian_pre";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    error: Option<String>,
    username: String,
    pre: String,
    demo: bool,
}

fn login_page(status: StatusCode, error: Option<String>, username: String, demo: bool) -> Response {
    // Double-submit token for the login form (no session exists yet to bind a CSRF token to).
    let pre = qinglian_crypto::random_token(24);
    let r = page_with(
        status,
        &LoginPage {
            error,
            username,
            pre: pre.clone(),
            demo,
        },
    );
    with_cookie(
        r,
        &format!("{PRE_COOKIE}={pre}; Path=/login; HttpOnly; SameSite=Strict"),
    )
}

/// The login page.
pub async fn login_form(State(app): State<App>, req: axum::extract::Request) -> Response {
    if matches!(req.extensions().get::<AuthState>(), Some(AuthState::Full(_))) {
        return axum::response::Redirect::to("/").into_response();
    }
    login_page(StatusCode::OK, None, String::new(), app.config.demo)
}

/// Login form fields.
#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    _pre: String,
}

/// Check the password; start a session.
pub async fn login_submit(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let cookie_pre = headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| kv.trim().strip_prefix(&format!("{PRE_COOKIE}=")).map(str::to_string));
    if !cookie_pre
        .as_deref()
        .is_some_and(|c| !c.is_empty() && same_token(c, &f._pre))
    {
        return login_page(
            StatusCode::FORBIDDEN,
            Some("登录页面已过期，请重新输入".into()),
            f.username,
            app.config.demo,
        );
    }
    if f.username.trim().is_empty() || f.password.is_empty() {
        return login_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("请输入用户名和密码".into()),
            f.username,
            app.config.demo,
        );
    }
    let ip = auth::client_ip(&app, &headers, Some(peer));
    match auth::login(&app, &f.username, &f.password, None, "web", &ip).await {
        Ok(ok) => {
            let to = if ok.totp_pending { "/login/totp" } else { "/" };
            let r = redirect(&headers, to);
            with_cookie(
                r,
                &auth::session_cookie(&app, &ok.token, auth::is_https(&app, &headers)),
            )
        }
        Err(AppError::Internal(e)) => crate::error::PageError(AppError::Internal(e)).into_response(),
        Err(e) => {
            let status = match e {
                AppError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            login_page(status, Some(e.to_string()), f.username, app.config.demo)
        }
    }
}

#[derive(Template)]
#[template(path = "login_totp.html")]
struct TotpPage {
    error: Option<String>,
    csrf: String,
}

/// The second-factor page.
pub async fn totp_form(AnyCtx(ctx): AnyCtx) -> Response {
    page(&TotpPage {
        error: None,
        csrf: ctx.csrf,
    })
}

/// Second-factor form.
#[derive(Deserialize)]
pub struct TotpForm {
    code: String,
}

/// Check the TOTP code of a pending session. Failures count towards the account lockout
/// across logins; at the limit every session of the user ends.
pub async fn totp_submit(
    State(app): State<App>,
    AnyCtx(ctx): AnyCtx,
    headers: HeaderMap,
    Form(f): Form<TotpForm>,
) -> PageResult {
    let u = user::get_auth(app.db.pool(), ctx.principal.user.id).await?;
    let policy: SecurityPolicy = setting::get(&app.db, setting::SECURITY_POLICY).await?;
    let event = |outcome, detail: String| Event {
        action: "login.totp",
        object_type: "user",
        object_id: u.user.username.clone(),
        outcome,
        detail,
    };
    let locked = u
        .user
        .locked_until
        .as_deref()
        .and_then(qinglian_store::time::parse)
        .is_some_and(|t| t > chrono::Utc::now());
    let mut tx = app.db.begin().await?;
    if locked {
        session::delete_for_user(&mut tx, u.user.id).await?;
        audit::append(
            &mut tx,
            app.mode(),
            &ctx.actor(),
            &event(Outcome::Failure, "账号已锁定".into()),
        )
        .await?;
        tx.commit().await?;
        return Err(
            AppError::TooMany("连续验证失败次数过多，账号已锁定，请稍后重新登录或联系系统管理员解锁".into()).into(),
        );
    }
    let fresh = match auth::check_totp(&app, &u, &f.code)? {
        Some(step) => user::use_totp_step(&mut tx, u.user.id, step).await?,
        None => false,
    };
    if fresh {
        user::record_success(&mut tx, u.user.id).await?;
        session::complete_totp(&mut tx, &ctx.session_hash).await?;
        audit::append(
            &mut tx,
            app.mode(),
            &ctx.actor(),
            &event(Outcome::Success, "动态验证码正确，登录成功".into()),
        )
        .await?;
        tx.commit().await?;
        return Ok(redirect(&headers, "/"));
    }
    let n = user::record_failure(&mut tx, u.user.id, policy.max_failed_logins, policy.lockout_minutes).await?;
    if n >= policy.max_failed_logins {
        session::delete_for_user(&mut tx, u.user.id).await?;
    }
    audit::append(
        &mut tx,
        app.mode(),
        &ctx.actor(),
        &event(Outcome::Failure, format!("动态验证码错误（连续第{n}次）")),
    )
    .await?;
    tx.commit().await?;
    tokio::time::sleep(auth::failure_delay(n)).await;
    if n >= policy.max_failed_logins {
        return Err(AppError::TooMany(format!("连续{n}次验证失败，账号已锁定{}分钟", policy.lockout_minutes)).into());
    }
    Ok(page_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &TotpPage {
            error: Some("动态验证码错误，请查看验证器中的6位数字后重试".into()),
            csrf: ctx.csrf,
        },
    ))
}

/// End the session.
pub async fn logout(State(app): State<App>, AnyCtx(ctx): AnyCtx, headers: HeaderMap) -> PageResult {
    auth::logout(&app, &ctx).await?;
    Ok(with_cookie(redirect(&headers, "/login"), &auth::clear_cookie()))
}

#[derive(Template)]
#[template(path = "account_password.html")]
struct PasswordPage {
    csrf: String,
    forced: bool,
    errors: FormErrors,
    min_length: usize,
}

/// The password-change page.
pub async fn password_form(State(app): State<App>, AnyCtx(ctx): AnyCtx) -> PageResult {
    let policy: SecurityPolicy = setting::get(&app.db, setting::SECURITY_POLICY).await?;
    Ok(page(&PasswordPage {
        csrf: ctx.csrf.clone(),
        forced: ctx.principal.user.must_change_password && !app.config.demo,
        errors: FormErrors::default(),
        min_length: policy.password_min_length,
    }))
}

/// Password-change form.
#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

/// Change one's own password (ends all sessions, then a fresh one is not created: log in again).
pub async fn password_submit(
    State(app): State<App>,
    AnyCtx(ctx): AnyCtx,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> PageResult {
    let policy: SecurityPolicy = setting::get(&app.db, setting::SECURITY_POLICY).await?;
    let u = user::get_auth(app.db.pool(), ctx.principal.user.id).await?;
    let mut errors = Vec::new();
    if !crate::password::verify_async(f.current.clone(), u.password_hash.clone()).await {
        errors.push(("current", "当前密码不正确".to_string()));
    }
    if let Err(m) = policy.check_password(&f.new, &u.user.username) {
        errors.push(("new", m));
    } else if f.new == f.current {
        errors.push(("new", "新密码不能与当前密码相同".into()));
    }
    if f.new != f.confirm {
        errors.push(("confirm", "两次输入的新密码不一致".into()));
    }
    if !errors.is_empty() {
        return Ok(page_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordPage {
                csrf: ctx.csrf.clone(),
                forced: u.user.must_change_password && !app.config.demo,
                errors: FormErrors::from_pairs(errors),
                min_length: policy.password_min_length,
            },
        ));
    }
    let hash = crate::password::hash_async(f.new.clone()).await;
    let mut tx = app.db.begin().await?;
    user::set_password(&mut tx, u.user.id, &hash, false).await?;
    crate::services::audit::write(
        &app,
        &ctx,
        &mut tx,
        Event::success("user.password", "user", u.user.id, "本人修改密码，已结束其全部会话"),
    )
    .await?;
    tx.commit().await?;
    Ok(with_cookie(redirect(&headers, "/login"), &auth::clear_cookie()))
}

#[derive(Template)]
#[template(path = "account_totp.html")]
struct TotpSetupPage {
    csrf: String,
    enabled: bool,
    required: bool,
    secret: String,
    qr_data_uri: String,
    error: Option<String>,
    flash: Option<&'static str>,
}

fn qr_svg_data_uri(text: &str) -> String {
    use base64::Engine;
    let svg = qrcode::QrCode::new(text.as_bytes())
        .map(|c| {
            c.render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .build()
        })
        .unwrap_or_default();
    format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    )
}

/// Query of the enrolment page.
#[derive(Deserialize, Default)]
pub struct OkQuery {
    ok: Option<String>,
}

/// Two-factor enrolment: shows a fresh secret as a QR code until a code confirms it.
pub async fn totp_setup_form(State(app): State<App>, AnyCtx(ctx): AnyCtx, Query(q): Query<OkQuery>) -> PageResult {
    let u = &ctx.principal.user;
    let (secret, qr) = if u.totp_enabled {
        (String::new(), String::new())
    } else {
        let secret = totp_rs::Secret::generate().to_base32();
        // Keep the candidate secret server-side (encrypted) until confirmed.
        let enc = app.keys.encrypt(secret.as_bytes(), auth::totp_aad(u.id).as_bytes());
        let mut tx = app.db.begin().await?;
        user::set_totp(&mut tx, u.id, Some(&enc), false).await?;
        tx.commit().await?;
        let url = auth::totp_for(&secret, &u.username)?
            .to_url()
            .map_err(|e| AppError::Internal(anyhow::anyhow!("totp url: {e}")))?;
        (secret, qr_svg_data_uri(&url))
    };
    Ok(page(&TotpSetupPage {
        csrf: ctx.csrf.clone(),
        enabled: u.totp_enabled,
        required: ctx.principal.requires_totp(),
        secret,
        qr_data_uri: qr,
        error: None,
        flash: super::flash_message(q.ok.as_deref()),
    }))
}

/// Enrolment confirmation.
#[derive(Deserialize)]
pub struct TotpSetupForm {
    code: Option<String>,
    action: Option<String>,
    /// To switch two-factor off: the password or a current code.
    password: Option<String>,
}

/// Confirm enrolment with a code (or switch two-factor off where the role allows it).
pub async fn totp_setup_submit(
    State(app): State<App>,
    AnyCtx(ctx): AnyCtx,
    headers: HeaderMap,
    Form(f): Form<TotpSetupForm>,
) -> PageResult {
    let u = user::get_auth(app.db.pool(), ctx.principal.user.id).await?;
    if f.action.as_deref() == Some("disable") {
        if ctx.principal.requires_totp() {
            return Err(AppError::invalid("action", "您的角色要求必须启用双因素认证，不能关闭").into());
        }
        // Whoever sits at an unlocked screen must not switch the second factor off: it takes
        // the password or a current code (a wrong one is audited and counts as a failure).
        let proof = f.password.as_deref().unwrap_or("");
        let by_password =
            !proof.is_empty() && crate::password::verify_async(proof.to_string(), u.password_hash.clone()).await;
        let mut tx = app.db.begin().await?;
        let by_code = !by_password
            && match auth::check_totp(&app, &u, proof)? {
                Some(step) => user::use_totp_step(&mut tx, u.user.id, step).await?,
                None => false,
            };
        let (outcome, detail) = match (by_password, by_code) {
            (true, _) => (Outcome::Success, "以密码确认"),
            (false, true) => (Outcome::Success, "以动态验证码确认"),
            (false, false) => (Outcome::Failure, "密码或动态验证码错误"),
        };
        if outcome == Outcome::Success {
            user::set_totp(&mut tx, u.user.id, None, false).await?;
        } else {
            let policy = super::admin::policy(&app).await?;
            user::record_failure(&mut tx, u.user.id, policy.max_failed_logins, policy.lockout_minutes).await?;
        }
        audit::append(
            &mut tx,
            app.mode(),
            &ctx.actor(),
            &Event {
                action: "user.totp_disable",
                object_type: "user",
                object_id: u.user.id.to_string(),
                outcome,
                detail: detail.into(),
            },
        )
        .await?;
        tx.commit().await?;
        if outcome == Outcome::Success {
            return Ok(redirect(&headers, "/account/totp?ok=totp_off"));
        }
        return Ok(page_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &TotpSetupPage {
                csrf: ctx.csrf.clone(),
                enabled: true,
                required: false,
                secret: String::new(),
                qr_data_uri: String::new(),
                error: Some("密码或动态验证码不正确，双因素认证未关闭".into()),
                flash: None,
            },
        ));
    }
    let code = f.code.unwrap_or_default();
    let mut tx = app.db.begin().await?;
    let fresh = match auth::check_totp(&app, &u, &code)? {
        Some(step) => user::use_totp_step(&mut tx, u.user.id, step).await?,
        None => false,
    };
    if fresh {
        user::set_totp(&mut tx, u.user.id, u.totp_secret.as_deref(), true).await?;
        crate::services::audit::write(
            &app,
            &ctx,
            &mut tx,
            Event::success("user.totp_enable", "user", u.user.id, String::new()),
        )
        .await?;
        tx.commit().await?;
        return Ok(redirect(&headers, "/?ok=totp"));
    }
    drop(tx);
    // Show the same secret again so the user can retry with the app already set up.
    let secret = match &u.totp_secret {
        Some(enc) => String::from_utf8(
            app.keys
                .decrypt(enc, auth::totp_aad(u.user.id).as_bytes())
                .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?,
        )
        .map_err(|e| AppError::Internal(e.into()))?,
        None => return Err(AppError::BadRequest("请先打开双因素认证设置页面".into()).into()),
    };
    let url = auth::totp_for(&secret, &u.user.username)?
        .to_url()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("totp url: {e}")))?;
    Ok(page_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &TotpSetupPage {
            csrf: ctx.csrf.clone(),
            enabled: false,
            required: ctx.principal.requires_totp(),
            qr_data_uri: qr_svg_data_uri(&url),
            secret,
            error: Some("验证码不正确，请确认手机时间准确后重试".into()),
            flash: None,
        },
    ))
}
