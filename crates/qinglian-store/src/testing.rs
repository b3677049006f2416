//! The test harness of every store test, and the base of the web crate's (feature `testing`;
//! never in a release build): a fresh database — a temp SQLite file, or a fresh schema in the
//! local PostgreSQL — migrated, with the built-in roles and a small fixture org tree, and the
//! [`on_both!`](crate::on_both) macro that runs one test on each.

use crate::org::{OrgId, OrgInput, OrgKind};
use crate::user::UserId;
use crate::{Db, StoreResult, Tx};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Temp-file SQLite.
    Sqlite,
    /// A fresh schema in the local PostgreSQL.
    Postgres,
}

/// PostgreSQL URL for tests (the machine's trust-auth server by default).
pub fn pg_base_url() -> String {
    std::env::var("QINGLIAN_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A fresh PostgreSQL schema; dropped when the test ends.
pub struct PgSchema {
    name: String,
}

impl PgSchema {
    /// Create a schema and return it with a URL whose search_path points at it.
    pub async fn create() -> (PgSchema, String) {
        let name = format!("qt_{}", hex::encode(rand::random::<[u8; 6]>()));
        let base = pg_base_url();
        let db = Db::connect(&base).await.unwrap_or_else(|e| {
            panic!("PostgreSQL tests need a server at {base} (set QINGLIAN_TEST_DATABASE_URL); .ci/run starts one: {e}")
        });
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {name}")))
            .execute(db.pool())
            .await
            .expect("create schema");
        db.close().await;
        let sep = if base.contains('?') { '&' } else { '?' };
        (
            PgSchema { name: name.clone() },
            format!("{base}{sep}options=-c%20search_path%3D{name}"),
        )
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop on a separate runtime: Drop cannot await, and the test runtime may be gone.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                if let Ok(db) = Db::connect(&pg_base_url()).await {
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {name} CASCADE")))
                        .execute(db.pool())
                        .await;
                    db.close().await;
                }
            })
        })
        .join();
    }
}

/// A place for a fresh database: its URL, and what must live as long as the test.
pub struct Place {
    /// `sqlite://…` or `postgres://…`.
    pub url: String,
    /// The temp directory (SQLite's file, a data directory for the app).
    pub dir: tempfile::TempDir,
    /// The PostgreSQL schema, dropped at the end.
    pub pg: Option<PgSchema>,
}

impl Place {
    /// A fresh place on `backend`.
    pub async fn new(backend: Backend) -> Place {
        let dir = tempfile::tempdir().expect("tempdir");
        let (pg, url) = match backend {
            Backend::Sqlite => (None, Db::sqlite_url(dir.path())),
            Backend::Postgres => {
                let (s, u) = PgSchema::create().await;
                (Some(s), u)
            }
        };
        Place { url, dir, pg }
    }
}

/// Ids of the fixture orgs.
#[derive(Debug, Clone, Copy)]
pub struct Orgs {
    /// 测试市 (root).
    pub city: OrgId,
    /// 测试市纪委监委.
    pub commission: OrgId,
    /// 测试市财政局.
    pub finance: OrgId,
    /// 测试市财政局办公室 (section of finance).
    pub finance_office: OrgId,
    /// 测试市民政局.
    pub civil: OrgId,
}

impl Orgs {
    /// No fixture orgs (all 0), for tests that seed their own tree.
    pub const NONE: Orgs = Orgs {
        city: OrgId(0),
        commission: OrgId(0),
        finance: OrgId(0),
        finance_office: OrgId(0),
        civil: OrgId(0),
    };
}

/// The fixture org tree: 测试市 with its commission, 财政局 (with 办公室) and 民政局.
pub async fn fixture_orgs(db: &Db) -> Orgs {
    let mut tx = db.begin().await.unwrap();
    let mk = |parent: Option<OrgId>, name: &str, kind: OrgKind| OrgInput {
        parent_id: parent,
        name: name.into(),
        kind,
        code: None,
        sort_order: 0,
        supervised_by: None,
    };
    let city = crate::org::create(&mut tx, &mk(None, "测试市", OrgKind::City))
        .await
        .unwrap();
    let commission = crate::org::create(&mut tx, &mk(Some(city), "测试市纪委监委", OrgKind::Commission))
        .await
        .unwrap();
    let finance = crate::org::create(&mut tx, &mk(Some(city), "测试市财政局", OrgKind::Unit))
        .await
        .unwrap();
    let finance_office = crate::org::create(&mut tx, &mk(Some(finance), "测试市财政局办公室", OrgKind::Section))
        .await
        .unwrap();
    let civil = crate::org::create(&mut tx, &mk(Some(city), "测试市民政局", OrgKind::Unit))
        .await
        .unwrap();
    crate::org::refresh_tree_rank(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    Orgs {
        city,
        commission,
        finance,
        finance_office,
        civil,
    }
}

/// A user of `org` with roles (by code), a data scope and a password hash, for test setup.
pub async fn create_user(
    db: &Db,
    username: &str,
    org: OrgId,
    roles: &[&str],
    scope: &[OrgId],
    password_hash: &str,
) -> UserId {
    let mut tx = db.begin().await.unwrap();
    let id = crate::user::create(
        &mut tx,
        &crate::user::NewUser {
            username: username.into(),
            display_name: format!("测试{username}"),
            org_id: Some(org),
            password_hash: password_hash.into(),
            must_change_password: false,
        },
    )
    .await
    .unwrap();
    let mut role_ids = Vec::new();
    for r in roles {
        role_ids.push(crate::user::role_id(db.pool(), r).await.unwrap());
    }
    crate::user::set_roles(&mut tx, id, &role_ids).await.unwrap();
    crate::user::set_scope(&mut tx, id, scope).await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// A fresh store: migrated, with the built-in roles and the fixture org tree.
pub struct TestDb {
    /// The database.
    pub db: Db,
    /// Fixture orgs.
    pub orgs: Orgs,
    /// Which database.
    pub backend: Backend,
    _place: Place,
}

impl TestDb {
    /// A fresh store on `backend`.
    pub async fn new(backend: Backend) -> TestDb {
        let place = Place::new(backend).await;
        let db = Db::connect(&place.url).await.expect("connect");
        crate::migrate::run(&db).await.expect("migrate");
        let mut tx = db.begin().await.unwrap();
        crate::user::ensure_builtin_roles(&mut tx).await.unwrap();
        tx.commit().await.unwrap();
        let orgs = fixture_orgs(&db).await;
        TestDb {
            db,
            orgs,
            backend,
            _place: place,
        }
    }

    /// Run raw SQL (test setup that no store function offers).
    pub async fn sql(&self, sql: &str) {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(self.db.pool())
            .await
            .expect("raw sql");
    }

    /// Run a store write in its own transaction, committed only if it succeeds.
    pub async fn write<T>(&self, f: impl AsyncFnOnce(&mut Tx) -> StoreResult<T>) -> StoreResult<T> {
        let mut tx = self.db.begin().await.unwrap();
        let r = f(&mut tx).await;
        if r.is_ok() {
            tx.commit().await.unwrap();
        }
        r
    }
}

/// Run each named `async fn(TestDb)` twice, as `<name>::sqlite` and `<name>::postgres`.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::testing::TestDb::new($crate::testing::Backend::Sqlite).await).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::testing::TestDb::new($crate::testing::Backend::Postgres).await).await
                }
            }
        )*
    };
}
