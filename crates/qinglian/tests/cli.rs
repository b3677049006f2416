//! End-to-end tests of the `qinglian` binary: demo seeding, users, audit verification against
//! direct database tampering, online backup while a server runs, and restore refusals.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use qinglian_domain::id_number::IdNumber;
use qinglian_store::Db;
use sqlx::Row;

const BIN: &str = env!("CARGO_BIN_EXE_qinglian");

/// A command on `data` with a clean environment (no QINGLIAN_* from the caller).
fn qinglian(data: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    for (k, _) in std::env::vars() {
        if k.starts_with("QINGLIAN_") {
            cmd.env_remove(k);
        }
    }
    cmd.arg("--data").arg(data);
    cmd
}

fn run(data: &Path, args: &[&str]) -> Output {
    qinglian(data).args(args).output().expect("run qinglian")
}

fn run_stdin(data: &Path, args: &[&str], input: &str) -> Output {
    let mut child = qinglian(data)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[track_caller]
fn assert_code(o: &Output, code: i32) {
    assert_eq!(o.status.code(), Some(code), "stdout:\n{}\nstderr:\n{}", out(o), err(o));
}

async fn open(data: &Path) -> Db {
    Db::connect(&Db::sqlite_url(data)).await.unwrap()
}

async fn count(db: &Db, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_one(db.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

/// Row counts of the main tables.
async fn counts(data: &Path) -> Vec<i64> {
    let db = open(data).await;
    let mut v = Vec::new();
    for t in [
        "org",
        "party_org",
        "person",
        "app_user",
        "user_role",
        "user_scope",
        "audit_log",
    ] {
        v.push(count(&db, t).await);
    }
    db.close().await;
    v
}

/// Seed the demo city into `data`.
fn seed(data: &Path) -> Output {
    let o = run(data, &["demo"]);
    assert_code(&o, 0);
    o
}

const DEMO_USERS: &[&str] = &[
    "sysadmin",
    "secadmin",
    "auditor",
    "leader",
    "reports",
    "casemgmt",
    "supervision",
    "investigation",
    "adjudication",
    "conduct",
    "stationed",
    "unit1",
    "unit2",
];

#[tokio::test]
async fn demo_seeds_a_city_of_about_500_valid_people_idempotently() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let first = seed(data);
    for u in DEMO_USERS {
        assert!(
            out(&first).lines().any(|l| l.starts_with(u)),
            "{u} missing from\n{}",
            out(&first)
        );
    }
    assert!(!out(&first).contains("已存在"), "{}", out(&first));

    let db = open(data).await;
    let people = count(&db, "person").await;
    assert!((450..=600).contains(&people), "{people} people");
    let ids: Vec<String> = sqlx::query("SELECT id_number FROM person")
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get(0).unwrap())
        .collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate ID numbers");
    for id in &ids {
        IdNumber::parse(id).unwrap_or_else(|e| panic!("{id}: {e}"));
    }
    let kinds: Vec<(String, i64)> = sqlx::query("SELECT kind, COUNT(*) FROM org GROUP BY kind ORDER BY kind")
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.try_get(0).unwrap(), r.try_get(1).unwrap()))
        .collect();
    let kind = |k: &str| kinds.iter().find(|(n, _)| n == k).map(|(_, c)| *c).unwrap_or(0);
    assert_eq!(kind("city"), 1);
    assert_eq!(kind("stationed_group"), 6);
    assert_eq!(kind("unit"), 20);
    assert_eq!(kind("town"), 6);
    assert!(kind("village") >= 18, "{kinds:?}");
    let supervised: i64 = sqlx::query("SELECT COUNT(*) FROM org WHERE kind = 'unit' AND supervised_by IS NOT NULL")
        .fetch_one(db.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(supervised, 20);
    let unit1_scope: Vec<String> = sqlx::query("SELECT o.name FROM user_scope s JOIN app_user u ON u.id = s.user_id JOIN org o ON o.id = s.org_id WHERE u.username = 'unit1'")
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get(0).unwrap())
        .collect();
    assert_eq!(unit1_scope, ["示例市财政局"]);
    let admin_scopes: i64 = sqlx::query("SELECT COUNT(*) FROM user_scope s JOIN app_user u ON u.id = s.user_id WHERE u.username IN ('sysadmin', 'secadmin', 'auditor')")
        .fetch_one(db.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert_eq!(admin_scopes, 0, "the three admins see no business data");
    db.close().await;

    let before = counts(data).await;
    let second = seed(data);
    assert_eq!(
        out(&second).matches("（已存在，密码未变）").count(),
        DEMO_USERS.len(),
        "{}",
        out(&second)
    );
    assert_eq!(counts(data).await, before, "a second run must change nothing");

    // With a fixed demo password the logins show it; rows stay the same.
    let o = qinglian(data)
        .arg("demo")
        .env("QINGLIAN_DEMO_PASSWORD", "Demo#Pass2026")
        .output()
        .unwrap();
    assert_code(&o, 0);
    assert_eq!(
        out(&o).matches("Demo#Pass2026").count(),
        DEMO_USERS.len(),
        "{}",
        out(&o)
    );
    let after = counts(data).await;
    assert_eq!(after[..6], before[..6]);
}

#[tokio::test]
async fn user_add_list_and_account_commands() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let o = run_stdin(
        data,
        &[
            "user",
            "add",
            "zhangsan",
            "--name",
            "张三",
            "--role",
            "leader",
            "--password-stdin",
        ],
        "Qinglian#2026x\n",
    );
    assert_code(&o, 0);
    assert!(!out(&o).contains("Qinglian#2026x"), "a typed password is never echoed");

    let o = run(data, &["user", "add", "lisi", "--name", "李四", "--role", "sysadmin"]);
    assert_code(&o, 0);
    let generated = out(&o)
        .lines()
        .find_map(|l| l.strip_prefix("初始密码：").map(str::to_string))
        .expect("generated password shown");
    assert!(generated.len() >= 10);

    // Refusals: weak password, unknown role, two admin roles, admin with business role, taken name.
    assert_code(
        &run_stdin(
            data,
            &[
                "user",
                "add",
                "wangwu",
                "--name",
                "王五",
                "--role",
                "staff",
                "--password-stdin",
            ],
            "weak\n",
        ),
        2,
    );
    let o = run(
        data,
        &["user", "add", "wangwu", "--name", "王五", "--role", "nosuchrole"],
    );
    assert_code(&o, 2);
    assert!(err(&o).contains("nosuchrole"), "{}", err(&o));
    assert_code(
        &run(
            data,
            &[
                "user", "add", "wangwu", "--name", "王五", "--role", "sysadmin", "--role", "auditor",
            ],
        ),
        2,
    );
    assert_code(
        &run(
            data,
            &[
                "user", "add", "wangwu", "--name", "王五", "--role", "secadmin", "--role", "leader",
            ],
        ),
        2,
    );
    assert_code(
        &run(data, &["user", "add", "zhangsan", "--name", "张三", "--role", "staff"]),
        2,
    );
    assert_code(&run(data, &["user", "disable", "nobody"]), 2);

    assert_code(&run(data, &["user", "disable", "zhangsan"]), 0);
    let o = run(data, &["user", "list"]);
    assert_code(&o, 0);
    let list = out(&o);
    let zhang = list
        .lines()
        .find(|l| l.starts_with("zhangsan"))
        .unwrap_or_else(|| panic!("{list}"));
    assert!(
        zhang.contains("张三") && zhang.contains("委领导") && zhang.contains("已停用"),
        "{zhang}"
    );
    let li = list.lines().find(|l| l.starts_with("lisi")).unwrap();
    assert!(
        li.contains("系统管理员") && li.contains("正常") && li.contains("须改密"),
        "{li}"
    );
    assert!(!list.contains("wangwu"), "refused users are not created:\n{list}");

    assert_code(&run(data, &["user", "enable", "zhangsan"]), 0);
    assert_code(&run(data, &["user", "unlock", "zhangsan"]), 0);
    let o = run(data, &["user", "passwd", "zhangsan"]);
    assert_code(&o, 0);
    assert!(out(&o).contains("新密码："), "{}", out(&o));
    let list = out(&run(data, &["user", "list"]));
    assert!(
        list.lines()
            .find(|l| l.starts_with("zhangsan"))
            .unwrap()
            .contains("正常"),
        "{list}"
    );

    // Every change was audited, and the chain is intact: 2 creates, disable, enable, unlock, passwd.
    let o = run(data, &["audit", "verify"]);
    assert_code(&o, 0);
    assert!(out(&o).contains("审计日志完整：共6条"), "{}", out(&o));
}

/// The entry count of `audit verify`'s success line (审计日志完整：共N条).
fn audit_count(text: &str) -> usize {
    let rest = text
        .split("审计日志完整：共")
        .nth(1)
        .unwrap_or_else(|| panic!("no success line: {text}"));
    rest.split('条').next().unwrap().parse().unwrap()
}

/// A seeded data directory with a few audit entries, copied to a fresh dir per tampering.
fn audited_copy(template: &Path, name: &str, parent: &Path) -> PathBuf {
    let dest = parent.join(name);
    std::fs::create_dir_all(&dest).unwrap();
    for entry in std::fs::read_dir(template).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), dest.join(entry.file_name())).unwrap();
        }
    }
    dest
}

async fn exec(data: &Path, statements: &[&str]) {
    let db = open(data).await;
    for s in statements {
        sqlx::query(sqlx::AssertSqlSafe(s.to_string()))
            .execute(db.pool())
            .await
            .unwrap();
    }
    db.close().await;
}

#[tokio::test]
async fn audit_verify_detects_altered_deleted_and_swapped_rows() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template");
    seed(&template);
    // The demo's own entries (its seeding, data-supervision run and dispatches), then four more.
    let o = run(&template, &["audit", "verify"]);
    assert_code(&o, 0);
    let seeded = audit_count(&out(&o));
    for args in [
        ["disable", "unit1"],
        ["enable", "unit1"],
        ["disable", "unit2"],
        ["enable", "unit2"],
    ] {
        assert_code(&run(&template, &["user", args[0], args[1]]), 0);
    }
    let o = run(&template, &["audit", "verify"]);
    assert_code(&o, 0);
    assert_eq!(audit_count(&out(&o)), seeded + 4, "{}", out(&o));

    // (a) one row's detail altered
    let altered = audited_copy(&template, "altered", dir.path());
    exec(
        &altered,
        &["UPDATE audit_log SET detail = '命令行启用用户unit9' WHERE seq = 3"],
    )
    .await;
    let o = run(&altered, &["audit", "verify"]);
    assert_code(&o, 1);
    assert!(err(&o).contains("第3条"), "{}", err(&o));
    assert!(err(&o).contains("篡改"), "{}", err(&o));

    // (b) a middle row deleted
    let deleted = audited_copy(&template, "deleted", dir.path());
    exec(&deleted, &["DELETE FROM audit_log WHERE seq = 3"]).await;
    let o = run(&deleted, &["audit", "verify"]);
    assert_code(&o, 1);
    assert!(err(&o).contains("第3条"), "{}", err(&o));

    // (c) two rows' contents swapped (each keeps its position)
    let swapped = audited_copy(&template, "swapped", dir.path());
    exec(
        &swapped,
        &[
            "UPDATE audit_log SET seq = -2 WHERE seq = 2",
            "UPDATE audit_log SET seq = 2 WHERE seq = 4",
            "UPDATE audit_log SET seq = 4 WHERE seq = -2",
        ],
    )
    .await;
    let o = run(&swapped, &["audit", "verify"]);
    assert_code(&o, 1);
    assert!(err(&o).contains("第2条"), "{}", err(&o));

    // (d) the last row deleted (the head still remembers it)
    let tail = audited_copy(&template, "tail", dir.path());
    let last = format!("DELETE FROM audit_log WHERE seq = {}", seeded + 4);
    exec(&tail, &[last.as_str()]).await;
    assert_code(&run(&tail, &["audit", "verify"]), 1);

    // The untouched template still verifies.
    assert_code(&run(&template, &["audit", "verify"]), 0);
}

/// A running `qinglian serve`, killed on drop.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(data: &Path) -> Server {
        let mut child = qinglian(data)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(a) = line.strip_prefix("qinglian 已启动：http://") {
                        break a.to_string();
                    }
                }
                _ => {
                    let mut e = String::new();
                    let _ = child.stderr.take().unwrap().read_to_string(&mut e);
                    panic!("server did not start: {e}");
                }
            }
        };
        Server { child, addr }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn http_get(addr: &str, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    resp
}

fn sha256_hex(path: &Path) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(std::fs::read(path).unwrap()))
}

#[tokio::test]
async fn online_backup_while_serving_restores_into_a_fresh_directory() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live");
    seed(&live);
    let server = Server::start(&live);
    assert!(
        http_get(&server.addr, "/healthz").starts_with("HTTP/1.1 200"),
        "server answers"
    );

    // A second server and a restore both refuse while the first holds the lock.
    let o = run(&live, &["serve", "--addr", "127.0.0.1:0"]);
    assert_code(&o, 2);
    assert!(err(&o).contains("正被运行中的qinglian服务使用"), "{}", err(&o));

    // Backup while serving, after a write made while the server runs.
    assert_code(&run(&live, &["user", "disable", "unit2"]), 0);
    let backup = dir.path().join("backup.db");
    let o = run(&live, &["backup", "--out", backup.to_str().unwrap()]);
    assert_code(&o, 0);
    let sha = out(&o)
        .lines()
        .find_map(|l| l.strip_prefix("SHA-256：").map(str::to_string))
        .expect("sha printed");
    assert_eq!(sha, sha256_hex(&backup));
    let size = std::fs::metadata(&backup).unwrap().len();
    assert!(out(&o).contains(&format!("大小：{size}字节")), "{}", out(&o));
    assert_code(&run(&live, &["backup", "--out", backup.to_str().unwrap()]), 2);

    let o = run(&live, &["restore", backup.to_str().unwrap()]);
    assert_code(&o, 2);
    assert!(err(&o).contains("正被运行中的qinglian服务使用"), "{}", err(&o));
    drop(server);

    let fresh = dir.path().join("fresh");
    let entries = backup_audit_count(&backup).await;
    let o = run(&fresh, &["restore", backup.to_str().unwrap()]);
    assert_code(&o, 0);
    assert!(out(&o).contains(&format!("审计日志完整：共{entries}条")), "{}", out(&o));
    assert_eq!(counts(&fresh).await, counts(&live).await);
    assert_code(&run(&fresh, &["audit", "verify"]), 0);
    let list = out(&run(&fresh, &["user", "list"]));
    assert!(
        list.lines()
            .find(|l| l.starts_with("unit2"))
            .unwrap()
            .contains("已停用"),
        "{list}"
    );

    // Restoring over an existing database keeps the old one aside.
    assert_code(&run(&live, &["user", "enable", "unit2"]), 0);
    let o = run(&live, &["restore", backup.to_str().unwrap()]);
    assert_code(&o, 0);
    let kept: Vec<String> = std::fs::read_dir(&live)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("qinglian.db.before-restore-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(counts(&live).await[6], entries, "the backup's log is back");
    let before = live.join(&kept[0]);
    assert_eq!(
        backup_audit_count(&before).await,
        entries + 1,
        "the kept database has the later entry"
    );
    assert_code(&run(&live, &["audit", "verify"]), 0);
}

async fn backup_audit_count(path: &Path) -> i64 {
    qinglian_store::backup::inspect(path).await.unwrap().audit_entries
}

#[tokio::test]
async fn restore_refuses_random_truncated_and_foreign_files() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live");
    assert_code(&run(&live, &["migrate"]), 0);
    let backup = dir.path().join("good.db");
    assert_code(&run(&live, &["backup", "--out", backup.to_str().unwrap()]), 0);
    let target = dir.path().join("target");

    let random = dir.path().join("random.bin");
    std::fs::write(
        &random,
        (0..40_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let o = run(&target, &["restore", random.to_str().unwrap()]);
    assert_code(&o, 2);
    assert!(err(&o).contains("不是有效的qinglian备份文件"), "{}", err(&o));

    let bytes = std::fs::read(&backup).unwrap();
    let truncated = dir.path().join("truncated.db");
    std::fs::write(&truncated, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let o = run(&target, &["restore", truncated.to_str().unwrap()]);
    assert_code(&o, 2);
    assert!(err(&o).contains("备份文件已损坏"), "{}", err(&o));

    let foreign = dir.path().join("foreign.db");
    let db = Db::connect(&format!("sqlite://{}?mode=rwc", foreign.display()))
        .await
        .unwrap();
    sqlx::query("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::query("INSERT INTO recipes (name) VALUES ('红烧肉')")
        .execute(db.pool())
        .await
        .unwrap();
    db.close().await;
    let o = run(&target, &["restore", foreign.to_str().unwrap()]);
    assert_code(&o, 2);
    assert!(err(&o).contains("不是有效的qinglian备份文件"), "{}", err(&o));
    assert!(err(&o).contains("缺少数据表"), "{}", err(&o));

    assert_code(
        &run(&target, &["restore", dir.path().join("missing.db").to_str().unwrap()]),
        2,
    );
    assert!(!target.join("qinglian.db").exists(), "nothing was restored");

    // The good backup restores.
    assert_code(&run(&target, &["restore", backup.to_str().unwrap()]), 0);
}

#[test]
fn usage_errors_exit_2_and_audit_verify_needs_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["no-such-command"]);
    assert_code(&o, 2);
    let o = run(&dir.path().join("empty"), &["audit", "verify"]);
    assert_code(&o, 2);
    assert!(err(&o).contains("没有数据库"), "{}", err(&o));
    assert!(!err(&o).contains("panicked"), "{}", err(&o));
}

#[tokio::test]
async fn keys_rotate_reencrypts_secrets_and_keeps_old_versions() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    seed(data);
    let ring = qinglian_crypto::KeyRing::load_or_create(data, qinglian_crypto::CryptoMode::Guomi).unwrap();
    let db = open(data).await;
    let id: qinglian_store::user::UserId = sqlx::query("SELECT id FROM app_user WHERE username = 'auditor'")
        .fetch_one(db.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    let aad = qinglian_web::auth::totp_aad(id);
    let old = ring.encrypt(b"JBSWY3DPEHPK3PXP", aad.as_bytes());
    assert!(old.starts_with("qe1:1:sm4gcm:"), "{old}");
    sqlx::query("UPDATE app_user SET totp_secret = $1 WHERE id = $2")
        .bind(&old)
        .bind(id)
        .execute(db.pool())
        .await
        .unwrap();
    db.close().await;
    let o = run(data, &["keys", "rotate"]);
    assert_code(&o, 0);
    assert!(
        out(&o).contains("v2") && out(&o).contains("重新加密1个字段"),
        "{}",
        out(&o)
    );
    let ring = qinglian_crypto::KeyRing::load_or_create(data, qinglian_crypto::CryptoMode::Guomi).unwrap();
    assert_eq!(ring.versions(), vec![1, 2]);
    let db = open(data).await;
    let now: String = sqlx::query("SELECT totp_secret FROM app_user WHERE id = $1")
        .bind(id)
        .fetch_one(db.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    db.close().await;
    assert!(now.starts_with("qe1:2:"), "{now}");
    assert_eq!(ring.decrypt(&now, aad.as_bytes()).unwrap(), b"JBSWY3DPEHPK3PXP");
    assert_eq!(
        ring.decrypt(&old, aad.as_bytes()).unwrap(),
        b"JBSWY3DPEHPK3PXP",
        "old data stays readable"
    );
    assert_code(&run(data, &["audit", "verify"]), 0);
}

#[tokio::test]
async fn audit_purge_refuses_the_retention_period_and_keeps_the_chain_verifiable() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    seed(data);
    let before = counts(data).await[6];
    let o = run(data, &["audit", "purge", "--before", "2099-01-01"]);
    assert_code(&o, 2);
    assert!(err(&o).contains("保存期"), "{}", err(&o));
    let o = run(data, &["audit", "purge", "--before", "20x0-01-01"]);
    assert_code(&o, 2);
    let o = run(data, &["audit", "purge", "--before", "2020-01-01"]);
    assert_code(&o, 0);
    assert!(out(&o).contains("0条"), "{}", out(&o));
    assert_eq!(
        counts(data).await[6],
        before + 1,
        "nothing deleted; the purge itself is audited"
    );
    assert_code(&run(data, &["audit", "verify"]), 0);
}

#[tokio::test]
async fn restore_refuses_a_backup_whose_audit_log_was_tampered_with() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    seed(&a);
    seed(&b);
    let file = dir.path().join("a.backup");
    assert_code(&run(&a, &["backup", "--out", file.to_str().unwrap()]), 0);
    let db = Db::connect(&format!("sqlite://{}?mode=rw", file.display()))
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET detail = 'forged' WHERE seq = 1")
        .execute(db.pool())
        .await
        .unwrap();
    db.close().await;
    let before = counts(&b).await;
    let o = run(&b, &["restore", file.to_str().unwrap()]);
    assert_code(&o, 2);
    assert!(err(&o).contains("审计日志校验失败"), "{}", err(&o));
    assert_eq!(counts(&b).await, before, "the current database is untouched");
    assert_code(&run(&b, &["audit", "verify"]), 0);
}

/// `model run` on a small hand-made dataset directory: the summary table, JSON findings,
/// parameters, the output file, usage errors (exit 2) and no progress bar when stderr is not a
/// terminal.
#[test]
fn model_run_prints_a_table_or_json_findings() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let sets = dir.path().join("sets");
    std::fs::create_dir_all(&sets).unwrap();
    std::fs::write(
        sets.join("purchases.csv"),
        "采购人,预算项目,品目,采购日期,金额,采购方式\n\
         某县教育局,办公设备,台式计算机,2024-05-03,800000,询价\n\
         某县教育局,办公设备,台式计算机,2024-05-12,800000,询价\n\
         某县教育局,办公设备,台式计算机,2024-05-25,800000,询价\n",
    )
    .unwrap();
    std::fs::write(
        sets.join("tenders.csv"),
        "tender_id,buyer,title,category,method,budget\nT1,某县水利局,水渠,工程,公开招标,1000000\n\
         T2,某县水利局,泵站,工程,公开招标,1000000\n",
    )
    .unwrap();
    std::fs::write(
        sets.join("awards.csv"),
        "tender_id,supplier_credit_code,amount,awarded_on\nT1,,998000,2024-04-25\nT2,,900000,2024-04-25\n",
    )
    .unwrap();
    let sets_arg = sets.to_str().unwrap();

    // Every built-in model by default: one row each, then the total.
    let o = run(&data, &["model", "run", "--datasets", sets_arg]);
    assert_code(&o, 0);
    let table = out(&o);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2 + 14 + 1, "{table}");
    assert!(lines[0].starts_with("模型") && lines[0].contains("疑点数") && lines[0].ends_with("耗时"));
    let row = |id: &str| lines.iter().find(|l| l.starts_with(id)).copied().unwrap_or_default();
    assert!(row("split_purchase ").contains("拆分采购规避招标"), "{table}");
    assert!(row("split_purchase ").split_whitespace().nth(2) == Some("1"), "{table}");
    assert!(
        row("price_near_budget ").split_whitespace().nth(2) == Some("1"),
        "{table}"
    );
    assert!(row("合计").split_whitespace().nth(2) == Some("2"), "{table}");
    assert!(
        !err(&o).contains("个模型"),
        "no progress bar without a terminal: {}",
        err(&o)
    );

    // JSON findings of the chosen models, with a parameter and an output file.
    let file = dir.path().join("findings.json");
    let o = run(
        &data,
        &[
            "model",
            "run",
            "--datasets",
            sets_arg,
            "--models",
            "split_purchase,price_near_budget",
            "--json",
            "--out",
            file.to_str().unwrap(),
            "--memory-limit",
            "1GiB",
            "--timeout",
            "60",
        ],
    );
    assert_code(&o, 0);
    let findings: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let keys: Vec<(String, String, String)> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["model"].as_str().unwrap().to_string(),
                f["subject"].as_str().unwrap().to_string(),
                f["period"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        [
            (
                "split_purchase".to_string(),
                "某县教育局|办公设备".to_string(),
                "2024-05".to_string()
            ),
            ("price_near_budget".to_string(), "T1".to_string(), String::new()),
        ]
    );
    assert_eq!(findings[0]["evidence"].as_array().unwrap().len(), 3);
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(saved, findings);

    let o = run(
        &data,
        &[
            "model",
            "run",
            "--datasets",
            sets_arg,
            "--models",
            "split_purchase",
            "--param",
            "split_purchase.single_limit=500000",
            "--json",
        ],
    );
    assert_code(&o, 0);
    assert_eq!(out(&o).trim(), "[]");

    // `model prepare` writes normalised Parquet that gives the same findings.
    let prepared = dir.path().join("prepared");
    let o = run(
        &data,
        &[
            "model",
            "prepare",
            "--datasets",
            sets_arg,
            "--out",
            prepared.to_str().unwrap(),
        ],
    );
    assert_code(&o, 0);
    assert!(out(&o).contains("purchases.parquet  3行"), "{}", out(&o));
    assert!(prepared.join("roster.parquet").is_file());
    let o = run(
        &data,
        &[
            "model",
            "run",
            "--datasets",
            prepared.to_str().unwrap(),
            "--models",
            "split_purchase,price_near_budget",
            "--json",
        ],
    );
    assert_code(&o, 0);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out(&o)).unwrap(), findings);
    // `--prepared` scans that directory in place: the same findings.
    let o = run(
        &data,
        &[
            "model",
            "run",
            "--prepared",
            "--datasets",
            prepared.to_str().unwrap(),
            "--models",
            "split_purchase,price_near_budget",
            "--json",
        ],
    );
    assert_code(&o, 0);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&out(&o)).unwrap(), findings);

    // Red flags run beside the models: a tender with a single bid is R018.
    let bids = dir.path().join("bids");
    std::fs::create_dir_all(&bids).unwrap();
    std::fs::write(
        bids.join("tenders.csv"),
        "tender_id,buyer,title,category,method,budget,notice_on,deadline
         T1,某县水利局,水渠,工程,公开招标,1000000,2024-03-01,2024-03-25
",
    )
    .unwrap();
    std::fs::write(
        bids.join("bids.csv"),
        "tender_id,bidder_credit_code,bidder_name,price,submitted_at,status
         T1,91350100M000100Y43,某某建设有限公司,950000,2024-03-20 10:00:00,有效
",
    )
    .unwrap();
    std::fs::write(
        bids.join("awards.csv"),
        "tender_id,supplier_credit_code,amount,awarded_on
T1,91350100M000100Y43,950000,2024-04-01
",
    )
    .unwrap();
    let o = run(
        &data,
        &[
            "model",
            "run",
            "--datasets",
            bids.to_str().unwrap(),
            "--models",
            "redflags",
            "--json",
        ],
    );
    assert_code(&o, 0);
    let flagged: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let t1 = flagged
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["subject"] == "T1")
        .unwrap_or_else(|| panic!("{flagged}"));
    assert_eq!(t1["model"], "redflags");
    assert!(t1["explanation"].as_str().unwrap().contains("R018"), "{t1}");
    let o = run(
        &data,
        &[
            "model",
            "run",
            "--datasets",
            bids.to_str().unwrap(),
            "--models",
            "redflags",
        ],
    );
    assert_code(&o, 0);
    assert!(
        out(&o)
            .lines()
            .any(|l| l.starts_with("redflags") && l.contains("采购红旗指标")),
        "{}",
        out(&o)
    );

    // `model list` and `model sql`.
    let o = run(&data, &["model", "list"]);
    assert_code(&o, 0);
    let listing = out(&o);
    let listed: Vec<&str> = listing.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert_eq!(listed.len(), 15, "{}", out(&o));
    assert_eq!(listed[0], "payroll_subsistence");
    assert_eq!(listed[14], "redflags");
    let o = run(
        &data,
        &[
            "model",
            "sql",
            "split_purchase",
            "--param",
            "split_purchase.single_limit=500000",
        ],
    );
    assert_code(&o, 0);
    assert!(out(&o).contains("amount < 500000.0"), "{}", out(&o));
    assert!(!out(&o).contains("{{"), "{}", out(&o));
    let o = run(&data, &["model", "sql", "nope"]);
    assert_code(&o, 2);
    assert!(err(&o).contains("没有编号为“nope”的内置模型"), "{}", err(&o));

    // Usage errors exit 2 with a Chinese message.
    for (args, message) in [
        (vec!["--models", "nope"], "没有编号为“nope”的内置模型"),
        (vec!["--param", "split_purchase.nope=1"], "没有参数“nope”"),
        (vec!["--param", "split_purchase.min_purchases=x"], "应为整数"),
        (vec!["--memory-limit", "4XB"], "无法识别的大小单位"),
    ] {
        let mut full = vec!["model", "run", "--datasets", sets_arg];
        full.extend(args);
        let o = run(&data, &full);
        assert_code(&o, 2);
        assert!(err(&o).contains(message), "{}", err(&o));
    }
    #[cfg(not(feature = "ballista"))]
    {
        let o = run(
            &data,
            &[
                "model",
                "run",
                "--datasets",
                sets_arg,
                "--cluster",
                "df://127.0.0.1:50050",
            ],
        );
        assert_code(&o, 2);
        assert!(
            err(&o).contains("此版本未启用Ballista集群支持，请以 --features ballista 构建"),
            "{}",
            err(&o)
        );
    }
    let o = run(
        &data,
        &[
            "model",
            "run",
            "--datasets",
            dir.path().join("missing").to_str().unwrap(),
        ],
    );
    assert_code(&o, 1);
    assert!(err(&o).contains("目录不存在"), "{}", err(&o));
}

#[test]
fn synth_then_model_eval_meets_the_targets() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let sets = dir.path().join("sets");
    let sets_arg = sets.to_str().unwrap();
    let o = run(
        &data,
        &[
            "synth", "--scale", "small", "--seed", "7", "--out", sets_arg, "--format", "csv",
        ],
    );
    assert_code(&o, 0);
    assert!(out(&o).contains("truth") || out(&o).contains("真值"), "{}", out(&o));
    for name in ["persons.csv", "benefit_payments.csv", "bids.csv", "truth.csv"] {
        assert!(sets.join(name).is_file(), "{name} missing");
    }
    let truth = sets.join("truth.csv");
    let o = run(
        &data,
        &[
            "model",
            "eval",
            "--datasets",
            sets_arg,
            "--truth",
            truth.to_str().unwrap(),
            "--json",
        ],
    );
    assert_code(&o, 0);
    let scores: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let scores = scores.as_array().unwrap();
    assert_eq!(scores.len(), 14);
    for s in scores {
        let (precision, recall) = (s["precision"].as_f64().unwrap(), s["recall"].as_f64().unwrap());
        assert!(precision >= 0.95 && recall >= 0.98, "{s}");
        assert!(s["findings"].as_u64().unwrap() > 0, "{s}");
    }
    // The generator refuses an unknown scale with a usage error.
    let o = run(&data, &["synth", "--scale", "country", "--out", sets_arg]);
    assert_code(&o, 2);
}
