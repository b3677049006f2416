//! Authentication: sessions (cookie or bearer token), the login procedure shared by the UI
//! and the API, two-factor (TOTP) and the request context handlers receive.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;
use qinglian_store::audit::{self, Actor, Event, Outcome};
use qinglian_store::setting::{self, SecurityPolicy};
use qinglian_store::user::{self, Principal};
use qinglian_store::{session, time};

use crate::App;
use crate::error::AppError;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "qinglian_session";

/// The authenticated caller, available to every handler behind login.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// Who.
    pub principal: Principal,
    /// Digest of the session id.
    pub session_hash: String,
    /// CSRF token of the session.
    pub csrf: String,
    /// Client IP.
    pub ip: String,
    /// Whether this came with a bearer token (API client).
    pub bearer: bool,
}

impl Ctx {
    /// Require a permission.
    pub fn require(&self, perm: &str) -> Result<(), AppError> {
        if self.principal.can(perm) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
    /// The audit actor for this caller.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.principal.user.id),
            username: self.principal.user.username.clone(),
            role: self.principal.role_names(),
            ip: self.ip.clone(),
        }
    }
    /// The data scope.
    pub fn scope(&self) -> &qinglian_store::Scope {
        &self.principal.scope
    }
    /// This user as the performer of workflow transitions (permissions, audit identity).
    pub fn performer(&self, mode: qinglian_crypto::CryptoMode) -> qinglian_store::workflow::Performer<'_> {
        qinglian_store::workflow::Performer {
            user_id: Some(self.principal.user.id),
            actor: self.actor(),
            mode,
            perms: &self.principal,
        }
    }
}

/// What the auth middleware found for a request.
#[derive(Clone, Debug)]
pub enum AuthState {
    /// No (valid) session.
    Anonymous,
    /// A session exists but a step is missing: the path to go to.
    Gated {
        /// Where the user must go.
        to: &'static str,
        /// The context (for the pages that complete the step).
        ctx: Box<Ctx>,
    },
    /// Fully logged in.
    Full(Box<Ctx>),
}

/// The client IP: the socket peer, or, behind a trusted proxy, the right-most X-Forwarded-For
/// hop (the one that proxy appended; hops to its left are whatever the client claimed).
pub fn client_ip(app: &App, headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    if app.config.trust_proxy
        && let Some(first) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|x| x.rsplit(',').next())
    {
        return first.trim().to_string();
    }
    peer.map(|p| p.ip().to_string()).unwrap_or_default()
}

/// Digest of a session id as stored.
pub fn session_hash(app: &App, id: &str) -> String {
    hex::encode(qinglian_crypto::digest(app.mode(), id.as_bytes()))
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
}

/// Middleware: resolve the session and put an [`AuthState`] into the request extensions.
pub async fn resolve(State(app): State<App>, mut req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let ip = client_ip(&app, req.headers(), peer);
    let (token, bearer) = match req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        Some(h) if h.starts_with("Bearer ") => (Some(h[7..].trim().to_string()), true),
        _ => (cookie_value(req.headers(), SESSION_COOKIE), false),
    };
    let state = match token {
        Some(t) if !t.is_empty() && t.len() <= 128 => match load(&app, &t, ip, bearer).await {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                AuthState::Anonymous
            }
        },
        _ => AuthState::Anonymous,
    };
    req.extensions_mut().insert(state);
    next.run(req).await
}

async fn load(app: &App, token: &str, ip: String, bearer: bool) -> anyhow::Result<AuthState> {
    // Another system's API key: the service account it acts as, with no session or gate
    // (a key is made by the security admin for an account that needs no second factor).
    if bearer && token.starts_with(qinglian_store::api_key::PREFIX) {
        let Some((key_id, user_id)) = qinglian_store::api_key::find(&app.db, token).await? else {
            return Ok(AuthState::Anonymous);
        };
        let principal = user::load_principal(&app.db, user_id).await?;
        if principal.user.disabled {
            return Ok(AuthState::Anonymous);
        }
        return Ok(AuthState::Full(Box::new(Ctx {
            principal,
            session_hash: format!("api_key:{}", key_id.0),
            csrf: String::new(),
            ip,
            bearer: true,
        })));
    }
    let hash = session_hash(app, token);
    let Some(s) = session::get(&app.db, &hash).await? else {
        return Ok(AuthState::Anonymous);
    };
    let now = chrono::Utc::now();
    let idle_ok = time::parse(&s.last_seen_at)
        .is_some_and(|t| now - t < chrono::Duration::minutes(app.config.session.idle_minutes));
    let abs_ok = time::parse(&s.created_at)
        .is_some_and(|t| now - t < chrono::Duration::hours(app.config.session.absolute_hours));
    if !idle_ok || !abs_ok || (s.kind == "api") != bearer {
        if !idle_ok || !abs_ok {
            let mut tx = app.db.begin().await?;
            session::delete(&mut tx, &hash).await?;
            tx.commit().await?;
        }
        return Ok(AuthState::Anonymous);
    }
    let principal = user::load_principal(&app.db, s.user_id).await?;
    if principal.user.disabled {
        return Ok(AuthState::Anonymous);
    }
    // Touch at most once a minute: enough for a 30-minute idle timeout, far fewer writes.
    if time::parse(&s.last_seen_at).is_some_and(|t| now - t > chrono::Duration::seconds(60)) {
        session::touch(&app.db, &hash).await?;
    }
    let ctx = Box::new(Ctx {
        principal,
        session_hash: hash,
        csrf: s.csrf_token.clone(),
        ip,
        bearer,
    });
    Ok(match gate(app, &ctx, s.totp_pending) {
        Some(to) => AuthState::Gated { to, ctx },
        None => AuthState::Full(ctx),
    })
}

/// The step a logged-in user must still complete, if any.
fn gate(app: &App, ctx: &Ctx, totp_pending: bool) -> Option<&'static str> {
    let u = &ctx.principal.user;
    if totp_pending {
        Some("/login/totp")
    } else if !app.config.demo && ctx.principal.requires_totp() && !u.totp_enabled {
        Some("/account/totp")
    } else if !app.config.demo && u.must_change_password {
        Some("/account/password")
    } else {
        None
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = Rejection;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<AuthState>() {
            Some(AuthState::Full(ctx)) => Ok((**ctx).clone()),
            Some(AuthState::Gated { to, .. }) => Err(Rejection::new(parts, AppError::Gate(to))),
            _ => Err(Rejection::new(parts, AppError::Unauthenticated)),
        }
    }
}

/// Rejection of the auth extractors: JSON under `/api`, a redirect or page in the UI.
pub struct Rejection {
    api: bool,
    error: AppError,
}

impl Rejection {
    fn new(parts: &Parts, error: AppError) -> Rejection {
        Rejection {
            api: parts.uri.path().starts_with("/api/"),
            error,
        }
    }
}

impl axum::response::IntoResponse for Rejection {
    fn into_response(self) -> Response {
        if self.api {
            crate::error::ApiError(self.error).into_response()
        } else {
            crate::error::PageError(self.error).into_response()
        }
    }
}

/// A context that may still be gated (for the pages that complete a login step).
pub struct AnyCtx(pub Ctx);

impl<S: Send + Sync> FromRequestParts<S> for AnyCtx {
    type Rejection = Rejection;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<AuthState>() {
            Some(AuthState::Full(ctx)) => Ok(AnyCtx((**ctx).clone())),
            // A gated session reaches only the page that completes its step, and logout: a
            // password without the second factor must not change anything else.
            Some(AuthState::Gated { to, ctx }) if parts.uri.path() == *to || parts.uri.path() == "/logout" => {
                Ok(AnyCtx((**ctx).clone()))
            }
            Some(AuthState::Gated { to, .. }) => Err(Rejection::new(parts, AppError::Gate(to))),
            _ => Err(Rejection::new(parts, AppError::Unauthenticated)),
        }
    }
}

/// A successful password check: the new session token and whether 2FA is still needed.
pub struct LoginOk {
    /// The session token to hand to the client (cookie value or bearer token).
    pub token: String,
    /// The second factor is still required.
    pub totp_pending: bool,
}

/// Check username and password (and, for API clients, the TOTP code), with lockout and
/// slowdown; create a session. Every attempt is audited.
pub async fn login(
    app: &App,
    username: &str,
    password: &str,
    totp: Option<&str>,
    kind: &str,
    ip: &str,
) -> Result<LoginOk, AppError> {
    let policy: SecurityPolicy = setting::get(&app.db, setting::SECURITY_POLICY).await?;
    let username = username.trim();
    let actor = Actor {
        user_id: None,
        username: username.chars().take(64).collect(),
        role: String::new(),
        ip: ip.to_string(),
    };
    let fail = |detail: &str| Event {
        action: "login",
        object_type: "user",
        object_id: username.chars().take(64).collect(),
        outcome: Outcome::Failure,
        detail: detail.to_string(),
    };
    // Per client address, over every user name: guessing across many accounts from one
    // address is stopped as guessing one account is (the account lockout below).
    let since = time::format(chrono::Utc::now() - chrono::Duration::minutes(policy.lockout_minutes));
    if audit::failed_logins_from(&app.db, ip, &since).await? >= policy.max_failed_logins_per_ip {
        audit::record(&app.db, app.mode(), &actor, &fail("同一地址登录失败次数过多，已拒绝")).await?;
        return Err(AppError::TooMany(format!(
            "该地址登录失败次数过多，请{}分钟后再试",
            policy.lockout_minutes
        )));
    }
    let found = user::find_auth(app.db.pool(), username).await?;
    let Some(found) = found else {
        // Same work and the same answer as a wrong password: usernames cannot be probed.
        let _ = crate::password::verify_async(password.to_string(), crate::password::dummy_hash().to_string()).await;
        audit::record(&app.db, app.mode(), &actor, &fail("用户不存在")).await?;
        tokio::time::sleep(failure_delay(1)).await;
        return Err(AppError::invalid("password", "用户名或密码错误"));
    };
    let u = &found.user;
    let actor = Actor {
        user_id: Some(u.id),
        ..actor
    };
    if let Some(until) = u.locked_until.as_deref().and_then(time::parse)
        && until > chrono::Utc::now()
    {
        audit::record(&app.db, app.mode(), &actor, &fail("账号已锁定")).await?;
        return Err(AppError::TooMany(format!(
            "连续登录失败次数过多，账号已锁定，请于{}后再试或联系系统管理员解锁",
            time::display_cst(&time::format(until))
        )));
    }
    let ok = crate::password::verify_async(password.to_string(), found.password_hash.clone()).await;
    if !ok {
        let mut tx = app.db.begin().await?;
        let n = user::record_failure(&mut tx, u.id, policy.max_failed_logins, policy.lockout_minutes).await?;
        audit::append(&mut tx, app.mode(), &actor, &fail(&format!("密码错误（连续第{n}次）"))).await?;
        tx.commit().await?;
        // Slow down repeated guessing: 0.25 s per consecutive failure, up to 2 s.
        tokio::time::sleep(failure_delay(n)).await;
        if n >= policy.max_failed_logins {
            return Err(AppError::TooMany(format!(
                "连续{n}次密码错误，账号已锁定{}分钟",
                policy.lockout_minutes
            )));
        }
        return Err(AppError::invalid("password", "用户名或密码错误"));
    }
    if u.disabled {
        audit::record(&app.db, app.mode(), &actor, &fail("账号已停用")).await?;
        return Err(AppError::invalid("username", "账号已停用，请联系系统管理员"));
    }
    let mut totp_pending = u.totp_enabled;
    let mut totp_step = None;
    if totp_pending {
        if let Some(code) = totp {
            totp_step = check_totp(app, &found, code)?;
            if totp_step.is_none() {
                let mut tx = app.db.begin().await?;
                user::record_failure(&mut tx, u.id, policy.max_failed_logins, policy.lockout_minutes).await?;
                audit::append(&mut tx, app.mode(), &actor, &fail("动态验证码错误")).await?;
                tx.commit().await?;
                return Err(AppError::invalid("totp", "动态验证码错误"));
            }
            totp_pending = false;
        } else if kind == "api" {
            return Err(AppError::invalid(
                "totp",
                "该账号已启用双因素认证，请提供动态验证码（totp）",
            ));
        }
    }
    let token = qinglian_crypto::random_token(32);
    let csrf = qinglian_crypto::random_token(32);
    let principal = user::load_principal(&app.db, u.id).await?;
    // Until next year's calendar is saved (from November, or as soon as a deadline waits for
    // it), every calendar administrator's login repeats the request — not while one is unread.
    let ask_for_year = if principal.can(qinglian_store::permission::CONFIG_MANAGE) {
        let today = app.today();
        let next = chrono::Datelike::year(&today) + 1;
        let pending = qinglian_store::deadline::pending_count(&app.db).await?;
        (!app.calendar().covers(next) && (chrono::Datelike::month(&today) >= 11 || pending > 0)).then_some(next)
    } else {
        None
    };
    let mut tx = app.db.begin().await?;
    if let Some(step) = totp_step
        && !user::use_totp_step(&mut tx, u.id, step).await?
    {
        drop(tx);
        audit::record(&app.db, app.mode(), &actor, &fail("动态验证码重复使用")).await?;
        return Err(AppError::invalid("totp", REPLAYED));
    }
    // The failure counter is reset only when the whole login succeeds: a right password with
    // the second factor still to come must not wipe out failed code attempts.
    if !totp_pending {
        user::record_success(&mut tx, u.id).await?;
    }
    session::create(&mut tx, &session_hash(app, &token), u.id, kind, &csrf, totp_pending, ip).await?;
    if let Some(year) = ask_for_year {
        qinglian_store::deadline::tell_calendar_admins(&mut tx, year).await?;
    }
    let actor = Actor {
        role: principal.role_names(),
        ..actor
    };
    let detail = if totp_pending {
        "密码验证通过，等待动态验证码"
    } else {
        "登录成功"
    };
    audit::append(
        &mut tx,
        app.mode(),
        &actor,
        &Event {
            action: "login",
            object_type: "user",
            object_id: username.to_string(),
            outcome: Outcome::Success,
            detail: format!("{detail}（{kind}）"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(LoginOk { token, totp_pending })
}

/// Slow down repeated guessing: 0.25 s per consecutive failure, up to 2 s.
pub fn failure_delay(consecutive: i64) -> std::time::Duration {
    std::time::Duration::from_millis(250 * consecutive.clamp(1, 8) as u64)
}

/// Build the TOTP object for a base32 secret (SHA-1, 6 digits, 30 s: what authenticator
/// apps expect).
pub fn totp_for(secret_b32: &str, account: &str) -> Result<totp_rs::Totp, AppError> {
    let secret = totp_rs::Secret::try_from_base32(secret_b32)
        .map_err(|_| AppError::Internal(anyhow::anyhow!("bad totp secret")))?;
    totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret)
        .with_account_name(account)
        .with_issuer(Some("清廉"))
        .build()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("totp: {e}")))
}

/// Check a TOTP code against the user's stored (encrypted) secret: the matching time step,
/// which the caller must consume with `user::use_totp_step` in its transaction.
pub fn check_totp(app: &App, u: &user::UserAuth, code: &str) -> Result<Option<u64>, AppError> {
    let Some(enc) = &u.totp_secret else { return Ok(None) };
    let secret = app
        .keys
        .decrypt(enc, totp_aad(u.user.id).as_bytes())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let secret = String::from_utf8(secret).map_err(|e| AppError::Internal(e.into()))?;
    let totp = totp_for(&secret, &u.user.username)?;
    let code: String = code.chars().filter(|c| c.is_ascii_digit()).collect();
    Ok(if code.len() == 6 {
        totp.check_current(&code)
    } else {
        None
    })
}

/// Message for a code that was already used.
pub const REPLAYED: &str = "该动态验证码已使用过，请等待验证器显示新的验证码后再输入";

/// Associated data binding an encrypted TOTP secret to its user.
pub fn totp_aad(user_id: qinglian_store::user::UserId) -> String {
    format!("app_user.totp_secret:{user_id}")
}

/// End a session (logout), audited.
pub async fn logout(app: &App, ctx: &Ctx) -> Result<(), AppError> {
    let mut tx = app.db.begin().await?;
    session::delete(&mut tx, &ctx.session_hash).await?;
    crate::services::audit::write(
        app,
        ctx,
        &mut tx,
        Event::success("logout", "user", ctx.principal.user.username.clone(), String::new()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The Set-Cookie value for a new session.
pub fn session_cookie(app: &App, token: &str, https: bool) -> String {
    let secure = if https || app.config.https() { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}")
}

/// The Set-Cookie value that removes the session cookie.
pub fn clear_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// Whether the request arrived over HTTPS (directly or via a trusted proxy).
pub fn is_https(app: &App, headers: &HeaderMap) -> bool {
    app.config.https()
        || (app.config.trust_proxy && headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https"))
}
