//! The demo city's data supervision, on SQLite and PostgreSQL: seeding publishes synthetic
//! datasets, runs the 14 models and the red flags, sends two findings to 财政局 (so `unit1` has
//! something to answer), stays fast, and a second seed changes nothing.

mod common;

use std::time::Instant;

use axum::http::StatusCode;
use common::{PASSWORD, TestApp};
use qinglian_store::Scope;
use qinglian_store::data_supervision::{self as sv, FindingFilter, finding_status};
use sqlx::Row;

async fn count(t: &TestApp, table: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(t.app.db.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

/// Everything a seed could add to, as counts and dataset versions.
async fn state(t: &TestApp) -> (Vec<i64>, std::collections::BTreeMap<String, u32>) {
    let mut counts = Vec::new();
    for table in [
        "org",
        "person",
        "app_user",
        "data_supervision_job",
        "data_supervision_finding",
        "data_supervision_check",
        "deadline",
        "notification",
        "audit_log",
        "clue",
        "outcome",
        "document_number",
    ] {
        counts.push(count(t, table).await);
    }
    (counts, t.app.datasets.latest().await.unwrap())
}

async fn demo_data_supervision(t: TestApp) {
    let started = Instant::now();
    qinglian_web::demo::seed(&t.app, Some(PASSWORD.into())).await.unwrap();
    let took = started.elapsed();
    eprintln!("demo seed with data supervision took {:.1}s", took.as_secs_f64());

    // Every dataset of the synthetic region is published once, by the demo.
    let latest = t.app.datasets.latest().await.unwrap();
    for name in [
        "persons",
        "benefit_payments",
        "tenders",
        "bids",
        "awards",
        "enterprises",
    ] {
        assert_eq!(latest.get(name), Some(&1), "{name}: {latest:?}");
        let v = &t.app.datasets.versions(name).await.unwrap()[0];
        assert_eq!(v.imported_by, qinglian_web::data_supervision::demo::DEMO_IMPORTER);
        assert!(v.rows > 0, "{name} is empty");
    }

    // One run of the 14 models and the red flags, all fine, with findings of the red flags.
    let everything = Scope::new(vec!["/".into()]);
    let jobs = sv::list_jobs(&t.app.db, &everything, None, 1, 10).await.unwrap();
    assert_eq!(jobs.total, 1);
    let job = &jobs.items[0];
    assert_eq!(job.status, "done", "{}", job.message);
    let result: qinglian_web::data_supervision::jobs::RunResult = serde_json::from_str(&job.result_json).unwrap();
    assert_eq!(result.models.len(), 15);
    for m in &result.models {
        assert!(m.error.is_none(), "{} failed: {:?}", m.model, m.error);
    }
    let with_findings = result.models.iter().filter(|m| m.findings > 0).count();
    assert!(with_findings >= 10, "most models find something: {:?}", result.models);
    let redflags = result.models.iter().find(|m| m.model == "redflags").unwrap();
    assert!(redflags.findings > 0, "{redflags:?}");

    // The supervision office sees findings and hit rates on /ds, the red flags among them.
    let c = t.login("supervision").await;
    let home = c.get("/ds").await.text();
    let row = home
        .split("<tr>")
        .find(|r| r.contains("/ds/models/redflags"))
        .unwrap_or_else(|| panic!("no red-flag row on /ds: {home}"));
    assert!(
        row.contains(&format!(">{}</a>", redflags.findings)),
        "red-flag hits on /ds: {row}"
    );
    assert!(home.contains("合成演示数据"), "{home}");

    // Two findings were sent to 财政局; unit1 (财政局) is told, sees them and can answer.
    let finance: qinglian_store::org::OrgId = sqlx::query("SELECT id FROM org WHERE name = '示例市财政局'")
        .fetch_one(t.app.db.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    let sent = FindingFilter {
        check_org_id: Some(finance),
        ..Default::default()
    };
    let sent = sv::list_findings_all(&t.app.db, &everything, &sent, 100).await.unwrap();
    assert_eq!(sent.len(), qinglian_web::data_supervision::demo::DEMO_DISPATCHED);
    assert!(sent.iter().all(|f| f.status == finding_status::CHECKING));
    assert!(sent.iter().any(|f| f.model == "redflags"), "{sent:?}");
    let unit = t.login("unit1").await;
    let inbox = unit.get("/notifications").await.text();
    assert!(inbox.contains("收到疑点核查任务"), "{inbox}");
    let list = unit.get("/ds/findings").await.text();
    for f in &sent {
        assert!(list.contains(&format!("/ds/findings/{}\"", f.id)), "{list}");
        let page = unit.get(&format!("/ds/findings/{}", f.id)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("反馈核查结果"), "{}", page.text());
        // 数据来源 names only what the model read (issue #16 §2), never every dataset.
        let text = page.text();
        let sources = text
            .split("数据来源</dt><dd>")
            .nth(1)
            .unwrap()
            .split("</dd>")
            .next()
            .unwrap();
        assert!(!sources.contains("死亡人员"), "{} cites {sources}", f.model);
        assert!(sources.contains("第"), "{} cites its own datasets: {sources}", f.model);
    }

    // The leader's home shows the checking as charts whose figures open the findings behind
    // them (issue #16 §3); the unit's home has its to-do card instead.
    let leader = t.login("leader").await;
    let home = leader.get("/").await.text();
    for id in ["chart-by-model", "chart-by-status", "chart-by-unit"] {
        assert!(home.contains(&format!("id=\"{id}\"")), "{id}: {home}");
    }
    assert!(
        home.contains("/ds/findings?check_org_id="),
        "unit bars link to the unit's findings"
    );
    assert!(
        home.contains("/ds/findings?status=checking"),
        "status slices link to their findings"
    );
    let unit_home = unit.get("/").await.text();
    assert!(unit_home.contains("id=\"todo-checking\"") && !unit_home.contains("chart-by-model"));

    // Clues in every early stage and past outcomes (issue #13): the leader has clues to
    // approve, the four-forms page has figures in every form.
    assert_eq!(count(&t, "clue").await, 5);
    assert!(home.contains("todo-clue-proposed_inquiry"), "{home}");
    let year_ago = t.app.today() - chrono::Duration::days(900);
    let forms = leader
        .get(&format!(
            "/api/v1/stats/four-forms?from={year_ago}&to={}",
            t.app.today()
        ))
        .await
        .json();
    for f in ["1", "2", "3", "4"] {
        assert!(forms["forms"][f].as_i64().unwrap() > 0, "form {f}: {forms}");
    }
    let casemgmt = t.login("casemgmt").await;
    let clues = casemgmt.get("/clues").await.text();
    assert!(clues.contains("陈志刚") && clues.contains("待书面说明"), "{clues}");

    // A second seed changes nothing: no new versions, jobs, findings, checks or audit entries.
    let before = state(&t).await;
    qinglian_web::demo::seed(&t.app, None).await.unwrap();
    assert_eq!(state(&t).await, before, "a second seed must change nothing");
}

async fn demo_seed_leaves_foreign_datasets_alone(t: TestApp) {
    // A store holding someone's real data gets no synthetic data and no demo run.
    let path = t.app.config.data_dir.join("deaths.csv");
    std::fs::write(&path, "身份证号,死亡日期\n110105194001010021,2026-03-10\n").unwrap();
    let raw = qinglian_analytics::dataset::read_source(&path).unwrap().0;
    t.app
        .datasets
        .publish(
            "deaths",
            vec![raw],
            &Default::default(),
            qinglian_analytics::dataset::PublishMeta {
                imported_by: "某用户".into(),
                ..Default::default()
            },
            None,
            &Default::default(),
        )
        .await
        .unwrap();
    qinglian_web::demo::seed(&t.app, Some(PASSWORD.into())).await.unwrap();
    let latest = t.app.datasets.latest().await.unwrap();
    assert_eq!(latest.len(), 1, "{latest:?}");
    assert_eq!(count(&t, "data_supervision_finding").await, 0);
    assert_eq!(count(&t, "data_supervision_job").await, 0);
}

async fn demo_app(backend: common::Backend) -> TestApp {
    TestApp::empty(backend, |c| c.demo = true).await
}

async fn demo_data_supervision_on(backend: common::Backend) {
    demo_data_supervision(demo_app(backend).await).await
}

async fn foreign_on(backend: common::Backend) {
    demo_seed_leaves_foreign_datasets_alone(demo_app(backend).await).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_data_supervision_sqlite() {
    demo_data_supervision_on(common::Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_data_supervision_postgres() {
    demo_data_supervision_on(common::Backend::Postgres).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_seed_leaves_foreign_datasets_alone_sqlite() {
    foreign_on(common::Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_seed_leaves_foreign_datasets_alone_postgres() {
    foreign_on(common::Backend::Postgres).await
}
