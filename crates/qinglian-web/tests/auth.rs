//! Login, lockout, sessions, CSRF, two-factor and security headers, through the real router
//! on both databases (issue #2 §5).

mod common;

use axum::http::StatusCode;
use common::{PASSWORD, TestApp};

on_both!(
    login_sets_a_strict_httponly_session_and_audits,
    wrong_password_is_refused_and_repeated_failures_lock_the_account,
    state_changes_need_the_csrf_token,
    logout_and_password_change_end_sessions,
    disabling_an_account_ends_its_sessions,
    idle_sessions_expire,
    admins_must_give_a_totp_code,
    api_login_returns_a_bearer_token_and_json_errors,
    pages_carry_strict_security_headers,
    forced_password_change_gates_every_page,
    a_totp_code_is_accepted_once_and_a_half_login_changes_nothing,
    totp_failures_lock_the_account_across_password_logins,
    one_address_guessing_over_many_user_names_is_throttled,
    turning_two_factor_off_needs_the_password_and_is_audited,
);

/// Issue #16 §1: whoever sits at an unlocked screen cannot switch the second factor off.
async fn turning_two_factor_off_needs_the_password_and_is_audited(t: TestApp) {
    let id = t.user("alice", &["leader"], &[t.orgs.city]).await;
    let enc = t.app.keys.encrypt(
        common::TOTP_SECRET.as_bytes(),
        qinglian_web::auth::totp_aad(id).as_bytes(),
    );
    let mut tx = t.app.db.begin().await.unwrap();
    qinglian_store::user::set_totp(&mut tx, id, Some(&enc), true)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let c = t.login("alice").await;
    let enabled = |t: &TestApp| {
        let pool = t.app.db.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT totp_enabled FROM app_user WHERE username = 'alice'")
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let page = c.get("/account/totp").await.text();
    assert!(page.contains("关闭前请输入登录密码或当前动态验证码"), "{page}");
    for proof in ["", "not-my-password"] {
        let r = c
            .post_form("/account/totp", &[("action", "disable"), ("password", proof)])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains("双因素认证未关闭"));
        assert_eq!(enabled(&t).await, 1);
    }
    let failures: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'user.totp_disable' AND outcome = 'failure'")
            .fetch_one(t.app.db.pool())
            .await
            .unwrap();
    assert_eq!(failures, 2);
    let r = c
        .post_form("/account/totp", &[("action", "disable"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(enabled(&t).await, 0);
    let ok: String =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'user.totp_disable' AND outcome = 'success'")
            .fetch_one(t.app.db.pool())
            .await
            .unwrap();
    assert_eq!(ok, "以密码确认");
}

/// Issue #16 §1: wrong passwords over many user names from one address get 429 after the
/// security policy's per-address count (audited); another address is not affected.
async fn one_address_guessing_over_many_user_names_is_throttled(t: TestApp) {
    t.user("alice", &["leader"], &[t.orgs.city]).await;
    let policy = qinglian_store::setting::SecurityPolicy {
        max_failed_logins_per_ip: 5,
        ..Default::default()
    };
    let mut tx = t.app.db.begin().await.unwrap();
    qinglian_store::setting::set(&mut tx, qinglian_store::setting::SECURITY_POLICY, &policy, "test")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let login = |name: String, pw: &'static str| {
        let t = &t;
        async move {
            t.anon()
                .post_json(
                    "/api/v1/auth/login",
                    &serde_json::json!({"username": name, "password": pw}),
                )
                .await
        }
    };
    for i in 0..5 {
        let r = login(format!("guess{i}"), "wrong-password").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}: {}", r.text());
    }
    for i in 5..8 {
        let r = login(format!("guess{i}"), "wrong-password").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "attempt {i}");
        assert!(r.json()["message"].as_str().unwrap().contains("该地址"));
    }
    // Even the right password waits out the window from this address.
    assert_eq!(
        login("alice".into(), PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let refused: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'login' AND detail LIKE '同一地址登录失败次数过多%'",
    )
    .fetch_one(t.app.db.pool())
    .await
    .unwrap();
    assert_eq!(refused, 4, "every refusal is audited");
    // Another address is not affected.
    t.sql("UPDATE audit_log SET ip = '10.0.0.9' WHERE action = 'login'")
        .await;
    assert_eq!(login("alice".into(), PASSWORD).await.status, StatusCode::OK);
}

async fn login_sets_a_strict_httponly_session_and_audits(t: TestApp) {
    t.user("alice", &["leader"], &[t.orgs.city]).await;
    let res = t.post_login("alice", PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let set = res.set_cookie_header("qinglian_session").unwrap();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
    let token = res.cookie("qinglian_session").unwrap();
    assert!(token.len() >= 22, "at least 128 bits of randomness: {token}");
    let c = t.login("alice").await;
    let home = c.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.text().contains("测试alice"));
    let entries = qinglian_store::audit::list(&t.app.db, &Default::default(), 1, 50)
        .await
        .unwrap();
    assert!(
        entries
            .items
            .iter()
            .any(|e| e.action == "login" && e.outcome == "success" && e.username == "alice" && e.ip == "127.0.0.1")
    );
}

async fn wrong_password_is_refused_and_repeated_failures_lock_the_account(t: TestApp) {
    t.user("bob", &["leader"], &[t.orgs.city]).await;
    for i in 1..=4 {
        let r = t.login_with("bob", "wrong-password").await.err().expect("refused");
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "attempt {i}");
        assert!(r.text().contains("用户名或密码错误"));
    }
    let r = t.login_with("bob", "wrong-password").await.err().expect("refused");
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().contains("锁定"));
    // Even the right password is refused while locked.
    let r = t.login_with("bob", PASSWORD).await.err().expect("locked");
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // An unknown user gets the same message as a wrong password.
    let r = t.login_with("nobody", "x").await.err().expect("refused");
    assert!(r.text().contains("用户名或密码错误"));
    let fails = qinglian_store::audit::list(
        &t.app.db,
        &qinglian_store::audit::AuditFilter {
            outcome: Some("failure".into()),
            ..Default::default()
        },
        1,
        50,
    )
    .await
    .unwrap();
    assert!(fails.total >= 7, "every failure is audited: {}", fails.total);
    assert!(
        fails.items.iter().all(|e| !e.detail.contains("wrong-password")),
        "passwords never reach the audit log"
    );
}

async fn state_changes_need_the_csrf_token(t: TestApp) {
    t.user("carol", &["leader"], &[t.orgs.city]).await;
    let c = t.login("carol").await;
    let r = c.post_form_no_csrf("/notifications/read-all", &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = c
        .post_form_no_csrf("/notifications/read-all", &[("_csrf", "forged")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = c.post_form("/notifications/read-all", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // The login form needs its double-submit token too.
    let r = t
        .anon()
        .post_form_no_csrf("/login", &[("username", "carol"), ("password", PASSWORD)])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.cookie("qinglian_session").is_none());
}

async fn logout_and_password_change_end_sessions(t: TestApp) {
    t.user("dave", &["leader"], &[t.orgs.city]).await;
    let c1 = t.login("dave").await;
    let c2 = t.login("dave").await;
    let r = c1.post_form("/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        c1.get("/").await.status,
        StatusCode::SEE_OTHER,
        "logged-out session is dead"
    );
    assert_eq!(c2.get("/").await.status, StatusCode::OK, "other session lives");
    let c3 = t.login("dave").await;
    let weak = c3
        .post_form(
            "/account/password",
            &[("current", PASSWORD), ("new", "short"), ("confirm", "short")],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.text().contains("密码长度至少"));
    let r = c3
        .post_form(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", "New#Secret2026"),
                ("confirm", "New#Secret2026"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        c2.get("/").await.status,
        StatusCode::SEE_OTHER,
        "password change ends every session"
    );
    assert!(t.login_with("dave", "New#Secret2026").await.is_ok());
}

async fn disabling_an_account_ends_its_sessions(t: TestApp) {
    t.user("sys", &["sysadmin"], &[]).await;
    let victim = t.user("erin", &["leader"], &[t.orgs.city]).await;
    let e = t.login("erin").await;
    let admin = t.login("sys").await;
    let r = admin.post_form(&format!("/admin/users/{victim}/disable"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(e.get("/").await.status, StatusCode::SEE_OTHER);
    assert!(t.login_with("erin", PASSWORD).await.is_err());
}

async fn idle_sessions_expire(t: TestApp) {
    t.user("fay", &["leader"], &[t.orgs.city]).await;
    let c = t.login("fay").await;
    assert_eq!(c.get("/").await.status, StatusCode::OK);
    t.sql("UPDATE app_session SET last_seen_at = '2020-01-01T00:00:00.000000Z'")
        .await;
    assert_eq!(c.get("/").await.status, StatusCode::SEE_OTHER);
    let c = t.login("fay").await;
    t.sql("UPDATE app_session SET created_at = '2020-01-01T00:00:00.000000Z'")
        .await;
    assert_eq!(c.get("/").await.status, StatusCode::SEE_OTHER, "absolute timeout");
}

async fn admins_must_give_a_totp_code(t: TestApp) {
    t.user("audit1", &["auditor"], &[]).await;
    // Password alone leaves the session gated on the 2FA page.
    let res = t.post_login("audit1", PASSWORD).await;
    assert_eq!(res.location(), "/login/totp");
    let cookie = format!("qinglian_session={}", res.cookie("qinglian_session").unwrap());
    let gated = t
        .send(
            axum::http::Request::get("/audit")
                .header("cookie", &cookie)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(gated.location(), "/login/totp", "no page before the second factor");
    let api = t
        .send(
            axum::http::Request::get("/api/v1/me")
                .header("cookie", &cookie)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    // Wrong code refused, right code lets in.
    let totp_page = t
        .send(
            axum::http::Request::get("/login/totp")
                .header("cookie", &cookie)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    let csrf = totp_page.hidden("_csrf").unwrap();
    let bad = t
        .send(
            axum::http::Request::post("/login/totp")
                .header("cookie", &cookie)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(axum::body::Body::from(format!("_csrf={csrf}&code=000000")))
                .unwrap(),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let c = t.login("audit1").await;
    assert_eq!(c.get("/audit").await.status, StatusCode::OK);
}

async fn api_login_returns_a_bearer_token_and_json_errors(t: TestApp) {
    t.user("gus", &["leader"], &[t.orgs.city]).await;
    let bad = t
        .anon()
        .post_json(
            "/api/v1/auth/login",
            &serde_json::json!({"username": "gus", "password": "nope"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    let j = bad.json();
    assert_eq!(j["code"], "unauthenticated");
    assert!(j["message"].as_str().unwrap().contains("用户名或密码错误"));
    let no_token = t.anon().get("/api/v1/me").await;
    assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);
    assert_eq!(no_token.json()["code"], "unauthenticated");
    let c = t.api_login("gus").await;
    let me = c.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["username"], "gus");
    // Bearer tokens are not cookies: a session token used as a cookie is refused, and vice versa.
    let as_cookie = t
        .send(
            axum::http::Request::get("/api/v1/me")
                .header("cookie", format!("qinglian_session={}", c.bearer.clone().unwrap()))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(as_cookie.status, StatusCode::UNAUTHORIZED);
    let out = c.post_json("/api/v1/auth/logout", &serde_json::json!({})).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(c.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    let admin = t.user("aud", &["auditor"], &[]).await;
    let _ = admin;
    let no_totp = t
        .anon()
        .post_json(
            "/api/v1/auth/login",
            &serde_json::json!({"username": "aud", "password": PASSWORD}),
        )
        .await;
    assert_eq!(no_totp.status, StatusCode::UNAUTHORIZED);
    assert_eq!(no_totp.json()["field"], "totp");
}

async fn pages_carry_strict_security_headers(t: TestApp) {
    t.user("hal", &["leader"], &[t.orgs.city]).await;
    let c = t.login("hal").await;
    let r = c.get("/persons").await;
    let csp = r.header("content-security-policy");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert_eq!(r.header("x-frame-options"), "DENY");
    assert_eq!(r.header("x-content-type-options"), "nosniff");
    assert_eq!(r.header("cache-control"), "no-store");
    assert!(!r.text().contains("<script>"), "no inline scripts");
    let health = t.anon().get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json()["status"], "ok");
}

async fn forced_password_change_gates_every_page(t: TestApp) {
    let id = t.user("ivy", &["leader"], &[t.orgs.city]).await;
    t.sql(&format!("UPDATE app_user SET must_change_password = 1 WHERE id = {id}"))
        .await;
    let c = t.login("ivy").await;
    let r = c.get("/persons").await;
    assert_eq!(r.location(), "/account/password");
    let r = c
        .post_form(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", "Fresh#Start2026"),
                ("confirm", "Fresh#Start2026"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let c = t.login_with("ivy", "Fresh#Start2026").await.unwrap();
    assert_eq!(c.get("/persons").await.status, StatusCode::OK);
}

async fn a_totp_code_is_accepted_once_and_a_half_login_changes_nothing(t: TestApp) {
    t.user("sec1", &["secadmin"], &[]).await;
    let code = common::totp_now();
    let ok = t
        .anon()
        .post_json(
            "/api/v1/auth/login",
            &serde_json::json!({"username": "sec1", "password": PASSWORD, "totp": code}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    let again = t
        .anon()
        .post_json(
            "/api/v1/auth/login",
            &serde_json::json!({"username": "sec1", "password": PASSWORD, "totp": code}),
        )
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert!(
        again.json()["message"].as_str().unwrap().contains("已使用过"),
        "{}",
        again.text()
    );
    // With only the password (second factor pending), nothing but the 2FA page and logout is reachable.
    let res = t.post_login("sec1", PASSWORD).await;
    let cookie = format!("qinglian_session={}", res.cookie("qinglian_session").unwrap());
    let csrf = t
        .send(
            axum::http::Request::get("/login/totp")
                .header("cookie", &cookie)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .hidden("_csrf")
        .unwrap();
    for (path, form) in [
        ("/account/totp", format!("_csrf={csrf}&action=disable")),
        ("/account/password", format!("_csrf={csrf}&current=x&new=y&confirm=y")),
    ] {
        let r = t
            .send(
                axum::http::Request::post(path)
                    .header("cookie", &cookie)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(axum::body::Body::from(form))
                    .unwrap(),
            )
            .await;
        assert_eq!(
            r.location(),
            "/login/totp",
            "{path} must not be reachable before the second factor"
        );
    }
    let u = qinglian_store::user::find_auth(t.app.db.pool(), "sec1")
        .await
        .unwrap()
        .unwrap();
    assert!(u.user.totp_enabled, "two-factor still on");
}

async fn totp_failures_lock_the_account_across_password_logins(t: TestApp) {
    t.user("aud2", &["auditor"], &[]).await;
    let mut locked = false;
    for attempt in 0..4 {
        // A fresh password login each time must not reset the count of wrong codes.
        let res = t.post_login("aud2", PASSWORD).await;
        if res.status == StatusCode::TOO_MANY_REQUESTS {
            locked = true;
            break;
        }
        let cookie = format!("qinglian_session={}", res.cookie("qinglian_session").unwrap());
        let csrf = t
            .send(
                axum::http::Request::get("/login/totp")
                    .header("cookie", &cookie)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .hidden("_csrf")
            .unwrap();
        for _ in 0..2 {
            let r = t
                .send(
                    axum::http::Request::post("/login/totp")
                        .header("cookie", &cookie)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(axum::body::Body::from(format!("_csrf={csrf}&code=000000")))
                        .unwrap(),
                )
                .await;
            if r.status == StatusCode::TOO_MANY_REQUESTS {
                locked = true;
            }
        }
        if locked {
            assert!(attempt >= 2, "locked after 5 wrong codes, not earlier");
            break;
        }
    }
    assert!(locked, "wrong codes across several password logins lock the account");
    assert!(
        t.login_with("aud2", PASSWORD).await.is_err(),
        "locked means locked, even with the right password"
    );
}
