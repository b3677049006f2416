//! Test harness: the real router over a fresh database (a temp SQLite file, or a fresh
//! PostgreSQL schema), fixtures for a small org tree and users, and clients that log in
//! through the real pages or the API.
#![allow(dead_code)]

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use qinglian_store::org::OrgId;
use qinglian_store::user;
use qinglian_web::App;
use qinglian_web::config::Config;
use tower::ServiceExt;

/// The date the test apps take as today (`Config::today`), unless a test sets another.
pub const TODAY: &str = "2026-06-15";

/// A fictional State Council notice for 2027, for tests that need next year's calendar (not
/// official data; see crates/qinglian-domain/src/calendar/notices/README.md).
pub const NOTICE_2027_FIXTURE: &str = include_str!("../../../qinglian-domain/src/calendar/notices/fixture-2027.txt");

/// The real 2026 notice (RULES.md §1).
pub const NOTICE_2026: &str = include_str!("../../../qinglian-domain/src/calendar/notices/2026.txt");

/// Password of every fixture user.
pub const PASSWORD: &str = "Test#Pass2026";

pub use qinglian_store::testing::{Backend, Orgs, Place, fixture_orgs};

/// The app under test.
pub struct TestApp {
    /// The application.
    pub app: App,
    /// Its router.
    pub router: Router,
    /// Fixture orgs.
    pub orgs: Orgs,
    /// Which database.
    pub backend: Backend,
    _place: Place,
}

impl TestApp {
    /// A fresh app on the given backend, with the fixture org tree.
    pub async fn new(backend: Backend) -> TestApp {
        Self::with_config(backend, |_| {}).await
    }

    /// A fresh app with a configuration tweak.
    pub async fn with_config(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
        Self::build(backend, tweak, true).await
    }

    /// A fresh app with a configuration tweak and an empty org tree (`orgs` are all 0), e.g.
    /// for seeding the demo city.
    pub async fn empty(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
        Self::build(backend, tweak, false).await
    }

    async fn build(backend: Backend, tweak: impl FnOnce(&mut Config), fixtures: bool) -> TestApp {
        let place = Place::new(backend).await;
        let mut config = Config {
            data_dir: place.dir.path().to_path_buf(),
            // SQLite: the app's own default file in its data directory.
            database_url: if backend == Backend::Postgres {
                place.url.clone()
            } else {
                String::new()
            },
            // Tests never depend on the wall clock's date (deadlines, default due dates): a
            // fixed Monday inside the built-in calendar. Tests that need another day set it.
            today: TODAY.into(),
            ..Config::default()
        };
        tweak(&mut config);
        let app = App::open(config).await.expect("open app");
        let orgs = if fixtures {
            fixture_orgs(&app.db).await
        } else {
            Orgs::NONE
        };
        let router = qinglian_web::router::build(app.clone());
        TestApp {
            app,
            router,
            orgs,
            backend,
            _place: place,
        }
    }

    /// One new finding of the model `paid_after_death`, owned by the commission, stored as a
    /// model run would store it; returns its id.
    pub async fn seed_finding(&self, subject: &str, explanation: &str, evidence_json: &str) -> i64 {
        let mut tx = self.app.db.begin().await.unwrap();
        qinglian_store::data_supervision::upsert_findings(
            &mut tx,
            None,
            self.orgs.commission,
            "{}",
            &[qinglian_store::data_supervision::FindingInput {
                model: "paid_after_death".into(),
                model_version: 1,
                model_title: "死亡后仍领取待遇".into(),
                subject_kind: "person".into(),
                subject: subject.into(),
                period: "2026-05".into(),
                severity: "high".into(),
                explanation: explanation.into(),
                evidence_json: evidence_json.into(),
            }],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        sqlx::query_scalar("SELECT id FROM data_supervision_finding WHERE subject = $1")
            .bind(subject)
            .fetch_one(self.app.db.pool())
            .await
            .unwrap()
    }

    /// Create a user with roles (by code) and a scope; two-factor is enrolled for roles that
    /// require it. Returns the user id.
    pub async fn user(&self, username: &str, roles: &[&str], scope: &[OrgId]) -> user::UserId {
        self.user_in(username, roles, scope, self.orgs.city).await
    }

    /// Like [`TestApp::user`], for a user who belongs to the org `org`.
    pub async fn user_in(&self, username: &str, roles: &[&str], scope: &[OrgId], org: OrgId) -> user::UserId {
        let db = &self.app.db;
        let hash = qinglian_web::password::hash(PASSWORD);
        let id = qinglian_store::testing::create_user(db, username, org, roles, scope, &hash).await;
        let p = user::load_principal(db, id).await.unwrap();
        if p.requires_totp() {
            let enc = self
                .app
                .keys
                .encrypt(TOTP_SECRET.as_bytes(), qinglian_web::auth::totp_aad(id).as_bytes());
            let mut tx = db.begin().await.unwrap();
            user::set_totp(&mut tx, id, Some(&enc), true).await.unwrap();
            tx.commit().await.unwrap();
        }
        id
    }

    /// Send a request through the router (as if from 127.0.0.1).
    pub async fn send(&self, mut req: Request<Body>) -> Resp {
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
        let res = self.router.clone().oneshot(req).await.expect("router");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 64 * 1024 * 1024)
            .await
            .expect("body");
        Resp {
            status,
            headers,
            bytes: bytes.to_vec(),
        }
    }

    /// An anonymous client.
    pub fn anon(&self) -> Client<'_> {
        Client {
            t: self,
            cookie: String::new(),
            csrf: String::new(),
            bearer: None,
        }
    }

    /// Log in through the login page (and the 2FA page if needed).
    pub async fn login(&self, username: &str) -> Client<'_> {
        self.login_with(username, PASSWORD).await.expect("login succeeds")
    }

    /// Let a fixture user's TOTP code be used again, as if the next 30-second step had come
    /// (tests log the same admin in several times within one step).
    pub async fn next_totp_step(&self, username: &str) {
        sqlx::query("UPDATE app_user SET totp_last_step = 0 WHERE username = $1")
            .bind(username.to_string())
            .execute(self.app.db.pool())
            .await
            .expect("reset totp step");
    }

    /// The password step alone, as a browser does it: fetch the login page (double-submit
    /// token and cookie), post the form, return the response.
    pub async fn post_login(&self, username: &str, password: &str) -> Resp {
        let page = self.send(Request::get("/login").body(Body::empty()).unwrap()).await;
        let pre_cookie = page.cookie("qinglian_pre").expect("pre cookie");
        let pre = page.hidden("_pre").expect("pre field");
        let body = format!(
            "username={}&password={}&_pre={}",
            enc(username),
            enc(password),
            enc(&pre)
        );
        self.send(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, format!("qinglian_pre={pre_cookie}"))
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// Log in through the pages; Err(response) if refused.
    pub async fn login_with(&self, username: &str, password: &str) -> Result<Client<'_>, Resp> {
        self.next_totp_step(username).await;
        let res = self.post_login(username, password).await;
        if res.status != StatusCode::SEE_OTHER {
            return Err(res);
        }
        let session = res.cookie("qinglian_session").expect("session cookie");
        let mut c = Client {
            t: self,
            cookie: format!("qinglian_session={session}"),
            csrf: String::new(),
            bearer: None,
        };
        if res.location() == "/login/totp" {
            let p = c.get("/login/totp").await;
            c.csrf = p.hidden("_csrf").expect("csrf on totp page");
            let r = c.post_form("/login/totp", &[("code", &totp_now())]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "totp step: {}", r.text());
        }
        let home = c.get("/").await;
        c.csrf = match home.hidden("_csrf") {
            Some(t) => t,
            // Gated sessions (forced password change, 2FA enrolment) land on a plain page.
            None => c.get("/account/password").await.hidden("_csrf").unwrap_or_default(),
        };
        Ok(c)
    }

    /// Log in through the API; returns a bearer client.
    pub async fn api_login(&self, username: &str) -> Client<'_> {
        let mut body = serde_json::json!({"username": username, "password": PASSWORD});
        let p = user::find_auth(self.app.db.pool(), username).await.unwrap().unwrap();
        if p.user.totp_enabled {
            self.next_totp_step(username).await;
            body["totp"] = serde_json::Value::String(totp_now());
        }
        let res = self
            .send(
                Request::post("/api/v1/auth/login")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(body.to_string()))
                    .unwrap(),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "api login: {}", res.text());
        let token = res.json()["token"].as_str().unwrap().to_string();
        Client {
            t: self,
            cookie: String::new(),
            csrf: String::new(),
            bearer: Some(token),
        }
    }

    /// Run raw SQL against the test database (to tamper with data the way an attacker would).
    pub async fn sql(&self, sql: &str) {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(self.app.db.pool())
            .await
            .expect("raw sql");
    }
}

/// Fixed TOTP secret of fixture users (base32).
pub const TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// The current TOTP code for the fixture secret.
pub fn totp_now() -> String {
    qinglian_web::auth::totp_for(TOTP_SECRET, "x")
        .unwrap()
        .generate_current()
        .to_string()
}

/// Percent-encode for forms.
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A response.
#[derive(Debug)]
pub struct Resp {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: axum::http::HeaderMap,
    /// Body.
    pub bytes: Vec<u8>,
}

impl Resp {
    /// Body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
    /// Body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    /// A cookie set by the response.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| {
                v.strip_prefix(&format!("{name}="))
                    .map(|rest| rest.split(';').next().unwrap_or("").to_string())
            })
    }
    /// The Set-Cookie header for a cookie.
    pub fn set_cookie_header(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }
    /// Location header.
    pub fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }
    /// Value of the first hidden input with this name.
    pub fn hidden(&self, name: &str) -> Option<String> {
        let text = self.text();
        let needle = format!("name=\"{name}\" value=\"");
        let start = text.find(&needle)? + needle.len();
        let end = text[start..].find('"')? + start;
        Some(text[start..end].to_string())
    }
    /// Header value.
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }
}

/// A client with a session cookie or a bearer token.
pub struct Client<'a> {
    t: &'a TestApp,
    /// Cookie header value.
    pub cookie: String,
    /// CSRF token.
    pub csrf: String,
    /// Bearer token.
    pub bearer: Option<String>,
}

impl Client<'_> {
    fn req(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let mut b = Request::builder().method(method).uri(path);
        if !self.cookie.is_empty() {
            b = b.header(header::COOKIE, &self.cookie);
        }
        if let Some(t) = &self.bearer {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        b
    }
    /// GET.
    pub async fn get(&self, path: &str) -> Resp {
        self.t.send(self.req("GET", path).body(Body::empty()).unwrap()).await
    }
    /// POST an urlencoded form with the CSRF field added.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut body = format!("_csrf={}", enc(&self.csrf));
        for (k, v) in fields {
            body.push_str(&format!("&{}={}", enc(k), enc(v)));
        }
        self.t
            .send(
                self.req("POST", path)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await
    }
    /// POST an urlencoded form without any CSRF token.
    pub async fn post_form_no_csrf(&self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.t
            .send(
                self.req("POST", path)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await
    }
    /// POST a multipart form (file upload) with the CSRF header, as htmx sends it.
    pub async fn post_multipart(&self, path: &str, file: &[u8], fields: &[(&str, &str)]) -> Resp {
        self.post_files(path, &[("file", "people.xlsx", file)], fields).await
    }
    /// POST a multipart form with several files: (field name, file name, bytes).
    pub async fn post_files(&self, path: &str, files: &[(&str, &str, &[u8])], fields: &[(&str, &str)]) -> Resp {
        let boundary = "qinglianboundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
            );
        }
        for (field, name, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        self.t
            .send(
                self.req("POST", path)
                    .header(
                        header::CONTENT_TYPE,
                        format!("multipart/form-data; boundary={boundary}"),
                    )
                    .header("x-csrf-token", &self.csrf)
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await
    }
    /// POST JSON.
    pub async fn post_json(&self, path: &str, v: &serde_json::Value) -> Resp {
        self.t
            .send(
                self.req("POST", path)
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(v.to_string()))
                    .unwrap(),
            )
            .await
    }
}

/// Generate one test per backend from an async fn taking a `TestApp`.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::TestApp::new($crate::common::Backend::Sqlite).await).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::common::TestApp::new($crate::common::Backend::Postgres).await).await
                }
            }
        )*
    };
}

/// Like [`on_both!`], with the apps' clock set to `today` ("YYYY-MM-DD").
#[macro_export]
macro_rules! on_both_at {
    ($today:literal, $($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name(
                        $crate::common::TestApp::with_config($crate::common::Backend::Sqlite, |c| c.today = $today.into()).await,
                    )
                    .await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name(
                        $crate::common::TestApp::with_config($crate::common::Backend::Postgres, |c| c.today = $today.into()).await,
                    )
                    .await
                }
            }
        )*
    };
}
