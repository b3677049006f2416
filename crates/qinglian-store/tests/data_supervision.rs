//! The data-supervision store (`qinglian_store::data_supervision` and `attachment`) called directly,
//! on SQLite and PostgreSQL: findings with upsert and dedup, their visibility by scope, the
//! list filters, the checking workflow (dispatch → answer → review), background jobs, custom
//! models, header mappings, attachments and the permission grants of migration 3.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::NaiveDate;
use qinglian_domain::deadline::Due;
use qinglian_store::attachment::{self, NewAttachment};
use qinglian_store::audit::Actor;
use qinglian_store::data_supervision::{
    self as sv, Answer, CheckId, Dispatch, FindingFilter, FindingId, FindingInput, JobId, JobKind, NewCustomModel,
    NewJob, Review, finding_status, job_status,
};
use qinglian_store::on_both;
use qinglian_store::org::OrgId;
use qinglian_store::testing::{TestDb, create_user};
use qinglian_store::user::UserId;
use qinglian_store::workflow::{Performer, System};
use qinglian_store::{Scope, StoreError, StoreResult, notification, org, user};
use sqlx::Row;

on_both!(
    upsert_inserts_then_counts_known_findings_and_dedups_a_batch,
    upsert_refreshes_evidence_only_while_a_finding_is_new,
    upsert_stores_many_findings_in_chunks_with_and_without_a_job,
    findings_are_visible_through_the_owner_or_the_checking_unit,
    list_findings_filters_and_pages,
    dispatch_opens_a_tracked_check_and_notifies_the_unit,
    dispatch_refuses_bad_requests_and_writes_nothing,
    answer_and_review_run_the_checking_rounds,
    concurrent_workflow_steps_on_one_finding_run_one_after_the_other,
    dismiss_and_link_clue_follow_the_status,
    model_stats_count_by_status_within_the_scope,
    jobs_are_claimed_oldest_first_and_cancelled,
    concurrent_claims_never_share_a_job,
    one_job_is_claimed_by_id_only_while_queued,
    list_jobs_filters_by_scope_and_kind,
    custom_models_are_versioned_and_retired,
    header_mappings_are_remembered_and_replaced,
    attachments_are_recorded_listed_and_fetched,
    migration_3_grants_ds_permissions_to_roles_created_before_it,
);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn everything() -> Scope {
    Scope::new(vec!["/".into()])
}

async fn scope(t: &TestDb, orgs: &[OrgId]) -> Scope {
    let mut paths = Vec::new();
    for o in orgs {
        paths.push(org::get_unscoped(t.db.pool(), *o).await.unwrap().path);
    }
    Scope::new(paths)
}

/// A user whose home org is `org` (no login, no data scope).
async fn member(t: &TestDb, username: &str, org: OrgId, roles: &[&str]) -> UserId {
    create_user(&t.db, username, org, roles, &[], "not-a-login").await
}

fn fi(model: &str, subject: &str, period: &str, evidence: &str) -> FindingInput {
    FindingInput {
        model: model.into(),
        model_version: 1,
        model_title: format!("模型{model}"),
        subject_kind: "person".into(),
        subject: subject.into(),
        period: period.into(),
        severity: "high".into(),
        explanation: "疑似重复领取补贴".into(),
        evidence_json: evidence.into(),
    }
}

async fn upsert(t: &TestDb, job: Option<JobId>, versions: &str, items: &[FindingInput]) -> sv::UpsertOutcome {
    let org = t.orgs.commission;
    t.write(async |tx| sv::upsert_findings(tx, job, org, versions, items).await)
        .await
        .unwrap()
}

async fn new_job(t: &TestDb, kind: JobKind, title: &str, org: OrgId) -> JobId {
    let j = NewJob {
        kind,
        title: title.into(),
        params_json: "{}".into(),
        org_id: org,
        created_by: None,
    };
    t.write(async |tx| sv::create_job(tx, &j).await).await.unwrap()
}

/// Every finding (any scope), newest first.
async fn all_findings(t: &TestDb) -> Vec<sv::Finding> {
    sv::list_findings_all(&t.db, &everything(), &FindingFilter::default(), 100_000)
        .await
        .unwrap()
}

async fn finding(t: &TestDb, model: &str, subject: &str) -> sv::Finding {
    all_findings(t)
        .await
        .into_iter()
        .find(|f| f.model == model && f.subject == subject)
        .unwrap_or_else(|| panic!("finding {model}/{subject}"))
}

async fn refetch(t: &TestDb, id: FindingId) -> sv::Finding {
    sv::get_finding(&t.db, &everything(), id).await.unwrap()
}

fn ids(fs: &[sv::Finding]) -> BTreeSet<FindingId> {
    fs.iter().map(|f| f.id).collect()
}

async fn visible(t: &TestDb, s: &Scope) -> BTreeSet<FindingId> {
    let page = sv::list_findings(&t.db, s, &FindingFilter::default(), 1, 200)
        .await
        .unwrap();
    assert_eq!(page.total as usize, page.items.len(), "one page holds them all");
    ids(&page.items)
}

/// A user as the performer of a transition, trusted with every permission (the tests of
/// refusals by permission build a performer from the user's real principal).
fn by(user: UserId) -> Performer<'static> {
    Performer {
        user_id: Some(user),
        actor: Actor::system("test"),
        mode: qinglian_crypto::CryptoMode::Guomi,
        perms: &System,
    }
}

/// A dispatch and the user who sends it.
fn dispatch_of(finding_id: FindingId, org_id: OrgId, start: &str, due: &str, user_id: UserId) -> (Dispatch, UserId) {
    (
        Dispatch {
            finding_id,
            org_id,
            note: "请核实该人员是否重复领取".into(),
            start: day(start),
            due: Due::On(day(due)),
        },
        user_id,
    )
}

async fn dispatch(t: &TestDb, s: &Scope, d: &(Dispatch, UserId)) -> StoreResult<CheckId> {
    t.write(async |tx| sv::dispatch(tx, s, &d.0, &by(d.1)).await).await
}

async fn answer(t: &TestDb, s: &Scope, id: FindingId, a: Answer, note: &str, user: UserId) -> StoreResult<CheckId> {
    t.write(async |tx| sv::answer(tx, s, id, a, note, &by(user)).await)
        .await
}

async fn review(t: &TestDb, s: &Scope, id: FindingId, r: &Review, note: &str, user: UserId) -> StoreResult<()> {
    t.write(async |tx| sv::review(tx, s, id, r, note, &by(user)).await)
        .await
}

/// Sets a finding's status (and checking unit) directly, for tests about reading.
async fn force_status(t: &TestDb, id: FindingId, status: &str, check_org: Option<OrgId>) {
    let check = check_org.map_or("NULL".to_string(), |o| o.to_string());
    t.sql(&format!(
        "UPDATE data_supervision_finding SET status = '{status}', check_org_id = {check} WHERE id = {id}"
    ))
    .await;
}

#[derive(Debug)]
struct DeadlineRow {
    module: String,
    object_type: String,
    object_id: String,
    org_id: i64,
    rule_id: String,
    start_date: String,
    due_date: String,
    done_at: Option<String>,
}

/// The deadlines linked to a finding, oldest first.
async fn deadlines_of(t: &TestDb, finding_id: FindingId) -> Vec<DeadlineRow> {
    sqlx::query(
        "SELECT module, object_type, object_id, org_id, rule_id, start_date, due_date, done_at FROM deadline \
         WHERE link = $1 ORDER BY id",
    )
    .bind(format!("/ds/findings/{finding_id}"))
    .fetch_all(t.db.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| DeadlineRow {
        module: r.try_get(0).unwrap(),
        object_type: r.try_get(1).unwrap(),
        object_id: r.try_get(2).unwrap(),
        org_id: r.try_get(3).unwrap(),
        rule_id: r.try_get(4).unwrap(),
        start_date: r.try_get(5).unwrap(),
        due_date: r.try_get(6).unwrap(),
        done_at: r.try_get(7).unwrap(),
    })
    .collect()
}

async fn count(t: &TestDb, sql: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(t.db.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

fn assert_not_found<T: std::fmt::Debug>(r: StoreResult<T>) {
    assert!(
        matches!(r, Err(StoreError::NotFound(_))),
        "expected NotFound, got {r:?}"
    );
}

fn assert_conflict<T: std::fmt::Debug>(r: StoreResult<T>) {
    assert!(
        matches!(r, Err(StoreError::Conflict { .. })),
        "expected Conflict, got {r:?}"
    );
}

fn assert_invalid<T: std::fmt::Debug>(r: StoreResult<T>, field: &str) {
    match r {
        Err(StoreError::Invalid { field: f, .. }) if f == field => {}
        other => panic!("expected Invalid on {field}, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Upsert
// ---------------------------------------------------------------------------------------------

async fn upsert_inserts_then_counts_known_findings_and_dedups_a_batch(t: TestDb) {
    let j1 = new_job(&t, JobKind::Run, "第一次运行", t.orgs.commission).await;
    let out = upsert(
        &t,
        Some(j1),
        r#"{"subsidy":1}"#,
        &[
            fi("dup_subsidy", "11010519491231002X", "2026-01", "[1]"),
            fi("dup_subsidy", "440524188001010014", "2026-01", "[2]"),
            // The same subject in another period and under another model are other findings.
            fi("dup_subsidy", "11010519491231002X", "2026-02", "[3]"),
            fi("dead_pension", "11010519491231002X", "", "[4]"),
            // A duplicate inside the batch is stored once.
            fi("dup_subsidy", "440524188001010014", "2026-01", "[2 again]"),
        ],
    )
    .await;
    assert_eq!(out, sv::UpsertOutcome { inserted: 4, known: 0 });
    let all = all_findings(&t).await;
    assert_eq!(all.len(), 4);
    let f = finding(&t, "dup_subsidy", "440524188001010014").await;
    assert_eq!(f.evidence_json, "[2]", "the first of the duplicates is kept");
    assert_eq!(f.status, finding_status::NEW);
    assert_eq!(f.org_id, t.orgs.commission);
    assert_eq!(f.org_name, "测试市纪委监委");
    assert_eq!((f.first_job_id, f.last_job_id), (Some(j1), Some(j1)));
    assert_eq!(f.check_org_id, None);
    assert_eq!(f.due_date, None);
    assert_eq!(f.dataset_versions, r#"{"subsidy":1}"#);
    assert_eq!(f.model_title, "模型dup_subsidy");

    // A second run overlapping the first: only the new one is inserted.
    let j2 = new_job(&t, JobKind::Run, "第二次运行", t.orgs.commission).await;
    let out = upsert(
        &t,
        Some(j2),
        r#"{"subsidy":2}"#,
        &[
            fi("dup_subsidy", "11010519491231002X", "2026-01", "[1]"),
            fi("dup_subsidy", "440524188001010014", "2026-01", "[2]"),
            fi("dup_subsidy", "440524188001010014", "2026-01", "[2]"),
            fi("dup_subsidy", "110105194912310101", "2026-01", "[5]"),
        ],
    )
    .await;
    assert_eq!(out, sv::UpsertOutcome { inserted: 1, known: 2 });
    let all = all_findings(&t).await;
    assert_eq!(all.len(), 5, "nothing duplicated");
    let distinct: BTreeSet<_> = all.iter().map(|f| (&f.model, &f.subject, &f.period)).collect();
    assert_eq!(distinct.len(), 5);
    let new_one = finding(&t, "dup_subsidy", "110105194912310101").await;
    assert_eq!((new_one.first_job_id, new_one.last_job_id), (Some(j2), Some(j2)));
    let known = all_findings(&t)
        .await
        .into_iter()
        .find(|f| f.model == "dup_subsidy" && f.subject == "11010519491231002X" && f.period == "2026-01")
        .unwrap();
    assert_eq!(
        (known.first_job_id, known.last_job_id),
        (Some(j1), Some(j2)),
        "a known finding records the run that found it again"
    );
    let untouched = finding(&t, "dead_pension", "11010519491231002X").await;
    assert_eq!(
        untouched.last_job_id,
        Some(j1),
        "a finding not found again keeps its last run"
    );
    let other_period = all_findings(&t)
        .await
        .into_iter()
        .find(|f| f.model == "dup_subsidy" && f.subject == "11010519491231002X" && f.period == "2026-02")
        .unwrap();
    assert_eq!(other_period.last_job_id, Some(j1), "another period is another finding");

    // An empty run changes nothing.
    assert_eq!(upsert(&t, Some(j2), "{}", &[]).await, sv::UpsertOutcome::default());
    assert_eq!(all_findings(&t).await.len(), 5);
}

async fn upsert_refreshes_evidence_only_while_a_finding_is_new(t: TestDb) {
    let sup = member(&t, "sup", t.orgs.commission, &["supervision"]).await;
    let j1 = new_job(&t, JobKind::Run, "第一次", t.orgs.commission).await;
    upsert(
        &t,
        Some(j1),
        r#"{"v":1}"#,
        &[
            fi("m", "A", "2026-01", "[\"old A\"]"),
            fi("m", "B", "2026-01", "[\"old B\"]"),
        ],
    )
    .await;
    let b = finding(&t, "m", "B").await;
    dispatch(
        &t,
        &everything(),
        &dispatch_of(b.id, t.orgs.finance, "2026-03-02", "2026-03-20", sup),
    )
    .await
    .unwrap();

    let j2 = new_job(&t, JobKind::Run, "第二次", t.orgs.commission).await;
    let mut again_a = fi("m", "A", "2026-01", "[\"new A\"]");
    again_a.explanation = "新的说明".into();
    again_a.model_version = 2;
    let mut again_b = fi("m", "B", "2026-01", "[\"new B\"]");
    again_b.explanation = "新的说明".into();
    again_b.model_version = 2;
    let out = upsert(&t, Some(j2), r#"{"v":2}"#, &[again_a, again_b]).await;
    assert_eq!(out, sv::UpsertOutcome { inserted: 0, known: 2 });

    let a = finding(&t, "m", "A").await;
    assert_eq!(a.evidence_json, "[\"new A\"]", "unsent: evidence refreshed");
    assert_eq!(a.explanation, "新的说明");
    assert_eq!(a.dataset_versions, r#"{"v":2}"#);
    assert_eq!(a.model_version, 2);
    assert_eq!((a.first_job_id, a.last_job_id), (Some(j1), Some(j2)));
    assert_eq!(a.status, finding_status::NEW);

    let b2 = refetch(&t, b.id).await;
    assert_eq!(
        b2.evidence_json, "[\"old B\"]",
        "the evidence the unit checks stays as sent"
    );
    assert_eq!(b2.explanation, b.explanation);
    assert_eq!(b2.dataset_versions, r#"{"v":1}"#);
    assert_eq!(b2.model_version, 1);
    assert_eq!(
        b2.status,
        finding_status::CHECKING,
        "a re-run does not reset the workflow"
    );
    assert_eq!(b2.check_org_id, Some(t.orgs.finance));
    assert_eq!(b2.last_job_id, Some(j2), "but the run is recorded");
}

async fn upsert_stores_many_findings_in_chunks_with_and_without_a_job(t: TestDb) {
    // 137 findings: two full chunks of 50 and a partial one; quotes and Chinese in the values.
    let items: Vec<FindingInput> = (0..137)
        .map(|i| {
            let mut f = fi(
                "bulk",
                &format!("户{i:04}"),
                "2026-05",
                &format!(r#"[{{"行":{i},"备注":"O'Neil"}}]"#),
            );
            f.explanation = format!("第{i}户：'引号'与\"双引号\"");
            f
        })
        .collect();
    let out = upsert(&t, None, "{}", &items).await;
    assert_eq!(
        out,
        sv::UpsertOutcome {
            inserted: 137,
            known: 0
        }
    );
    let all = all_findings(&t).await;
    assert_eq!(all.len(), 137);
    assert!(all.iter().all(|f| f.first_job_id.is_none() && f.last_job_id.is_none()));
    let f = finding(&t, "bulk", "户0099").await;
    assert_eq!(f.evidence_json, r#"[{"行":99,"备注":"O'Neil"}]"#);
    assert_eq!(f.explanation, "第99户：'引号'与\"双引号\"");
    assert_eq!(f.period, "2026-05");

    // Again with a job and 63 more: the known ones are counted, the new ones inserted.
    let job = new_job(&t, JobKind::Run, "再次运行", t.orgs.commission).await;
    let items: Vec<FindingInput> = (0..200)
        .map(|i| fi("bulk", &format!("户{i:04}"), "2026-05", "[]"))
        .collect();
    let out = upsert(&t, Some(job), "{}", &items).await;
    assert_eq!(
        out,
        sv::UpsertOutcome {
            inserted: 63,
            known: 137
        }
    );
    let all = all_findings(&t).await;
    assert_eq!(all.len(), 200);
    assert!(all.iter().all(|f| f.last_job_id == Some(job)));
    assert_eq!(all.iter().filter(|f| f.first_job_id == Some(job)).count(), 63);
    assert_eq!(all.iter().filter(|f| f.first_job_id.is_none()).count(), 137);
}

// ---------------------------------------------------------------------------------------------
// Scope
// ---------------------------------------------------------------------------------------------

async fn findings_are_visible_through_the_owner_or_the_checking_unit(t: TestDb) {
    let sup = member(&t, "sup", t.orgs.commission, &["supervision"]).await;
    upsert(
        &t,
        None,
        "{}",
        &[
            fi("m1", "S1", "", "[]"),
            fi("m1", "S2", "", "[]"),
            fi("m1", "S3", "", "[]"),
            fi("m2", "S4", "", "[]"),
        ],
    )
    .await;
    let s1 = finding(&t, "m1", "S1").await.id;
    let s2 = finding(&t, "m1", "S2").await.id;
    let s3 = finding(&t, "m1", "S3").await.id;
    let s4 = finding(&t, "m2", "S4").await.id;

    let unit_a = scope(&t, &[t.orgs.finance]).await;
    let unit_a_section = scope(&t, &[t.orgs.finance_office]).await;
    let unit_b = scope(&t, &[t.orgs.civil]).await;
    let unit_a_and_commission = scope(&t, &[t.orgs.finance, t.orgs.commission]).await;
    let commission = scope(&t, &[t.orgs.commission]).await;

    // Before any dispatch only a scope holding the commission sees its findings.
    assert!(visible(&t, &unit_a).await.is_empty());
    assert!(visible(&t, &unit_b).await.is_empty());
    assert_eq!(
        visible(&t, &unit_a_and_commission).await,
        BTreeSet::from([s1, s2, s3, s4])
    );
    assert_eq!(visible(&t, &commission).await.len(), 4);
    assert!(
        visible(&t, &Scope::none()).await.is_empty(),
        "the empty scope sees nothing"
    );

    dispatch(
        &t,
        &commission,
        &dispatch_of(s1, t.orgs.finance, "2026-03-02", "2026-03-20", sup),
    )
    .await
    .unwrap();
    dispatch(
        &t,
        &commission,
        &dispatch_of(s2, t.orgs.civil, "2026-03-02", "2026-03-20", sup),
    )
    .await
    .unwrap();
    dispatch(
        &t,
        &commission,
        &dispatch_of(s4, t.orgs.finance, "2026-03-02", "2026-03-20", sup),
    )
    .await
    .unwrap();

    assert_eq!(visible(&t, &unit_a).await, BTreeSet::from([s1, s4]));
    assert_eq!(visible(&t, &unit_b).await, BTreeSet::from([s2]));
    assert!(
        visible(&t, &unit_a_section).await.is_empty(),
        "a section below the unit does not see what the unit was sent"
    );
    assert_eq!(
        visible(&t, &commission).await.len(),
        4,
        "the owner still sees everything"
    );
    assert!(visible(&t, &Scope::none()).await.is_empty());

    // get_finding: the same rule, and outside the scope looks like a missing id.
    let f = sv::get_finding(&t.db, &unit_a, s1).await.unwrap();
    assert_eq!(f.check_org_id, Some(t.orgs.finance));
    assert_eq!(f.check_org_name.as_deref(), Some("测试市财政局"));
    assert_not_found(sv::get_finding(&t.db, &unit_b, s1).await);
    assert_not_found(sv::get_finding(&t.db, &unit_a, s2).await);
    assert_not_found(sv::get_finding(&t.db, &unit_a, s3).await);
    assert_not_found(sv::get_finding(&t.db, &Scope::none(), s1).await);
    assert_not_found(sv::get_finding(&t.db, &everything(), FindingId(999_999)).await);
    assert!(sv::get_finding(&t.db, &unit_a_and_commission, s3).await.is_ok());

    // list_findings_all (export) follows it too.
    let export = sv::list_findings_all(&t.db, &unit_b, &FindingFilter::default(), 1000)
        .await
        .unwrap();
    assert_eq!(ids(&export), BTreeSet::from([s2]));

    // model_stats counts only what the scope sees.
    let stats = sv::model_stats(&t.db, &unit_a).await.unwrap();
    let by_model: BTreeMap<_, _> = stats.iter().map(|s| (s.model.as_str(), s.findings)).collect();
    assert_eq!(by_model, BTreeMap::from([("m1", 1), ("m2", 1)]));
    let stats = sv::model_stats(&t.db, &unit_b).await.unwrap();
    assert_eq!(stats.len(), 1);
    assert_eq!(
        (stats[0].model.as_str(), stats[0].findings, stats[0].in_progress),
        ("m1", 1, 1)
    );
    assert!(sv::model_stats(&t.db, &Scope::none()).await.unwrap().is_empty());

    // Workflow calls are scoped as well: unit B cannot act on unit A's finding.
    assert_not_found(answer(&t, &unit_b, s1, Answer::True, "核实属实", sup).await);
    assert_not_found(
        t.write(async |tx| sv::dismiss(tx, &unit_b, s3, "数据错误", &by(sup)).await)
            .await,
    );
    assert_not_found(
        dispatch(
            &t,
            &unit_a,
            &dispatch_of(s3, t.orgs.finance, "2026-03-02", "2026-03-20", sup),
        )
        .await,
    );
}

// ---------------------------------------------------------------------------------------------
// Filters and paging
// ---------------------------------------------------------------------------------------------

async fn list_findings_filters_and_pages(t: TestDb) {
    let mk = |model: &str, subject: &str, period: &str, severity: &str, explanation: &str| {
        let mut f = fi(model, subject, period, "[]");
        f.severity = severity.into();
        f.explanation = explanation.into();
        f
    };
    upsert(
        &t,
        None,
        "{}",
        &[
            mk("price", "A_1", "2026-01", "high", "单价上涨50%以上"),
            mk("price", "AB1", "2026-01", "low", "单价上涨500元"),
            mk("price", "A%1", "2026-02", "medium", "单价正常"),
            mk("split", "C\\1", "2026-02", "high", "拆分采购"),
            mk("split", "D1", "2026-03", "high", "拆分采购两次"),
        ],
    )
    .await;
    let id = |s: &'static str| {
        let t = &t;
        async move { all_findings(t).await.into_iter().find(|f| f.subject == s).unwrap().id }
    };
    let (a_1, ab1, a_pct, c_bs, d1) = (
        id("A_1").await,
        id("AB1").await,
        id("A%1").await,
        id("C\\1").await,
        id("D1").await,
    );
    let all = everything();
    let list = |f: FindingFilter| {
        let t = &t;
        let all = &all;
        async move { ids(&sv::list_findings(&t.db, all, &f, 1, 100).await.unwrap().items) }
    };
    let q = |s: &str| FindingFilter {
        q: Some(s.into()),
        ..Default::default()
    };

    assert_eq!(list(FindingFilter::default()).await.len(), 5);
    assert_eq!(
        list(FindingFilter {
            model: Some("split".into()),
            ..Default::default()
        })
        .await,
        BTreeSet::from([c_bs, d1])
    );
    assert_eq!(
        list(FindingFilter {
            severity: Some("high".into()),
            ..Default::default()
        })
        .await,
        BTreeSet::from([a_1, c_bs, d1])
    );
    assert_eq!(
        list(FindingFilter {
            model: Some("price".into()),
            severity: Some("high".into()),
            ..Default::default()
        })
        .await,
        BTreeSet::from([a_1])
    );
    // Empty strings are no filter.
    assert_eq!(
        list(FindingFilter {
            model: Some(String::new()),
            status: Some(String::new()),
            severity: Some(String::new()),
            q: Some("  ".into()),
            ..Default::default()
        })
        .await
        .len(),
        5
    );
    assert!(
        list(FindingFilter {
            model: Some("nope".into()),
            ..Default::default()
        })
        .await
        .is_empty()
    );

    // Text search over subject, explanation and period; LIKE wildcards are literal.
    assert_eq!(list(q("A_1")).await, BTreeSet::from([a_1]), "_ is not a wildcard");
    assert_eq!(list(q("A%1")).await, BTreeSet::from([a_pct]), "% is not a wildcard");
    assert_eq!(list(q("50%")).await, BTreeSet::from([a_1]), "50% does not match 500");
    assert_eq!(list(q("500")).await, BTreeSet::from([ab1]));
    assert_eq!(list(q("C\\1")).await, BTreeSet::from([c_bs]), "a backslash is literal");
    assert_eq!(list(q("\\")).await, BTreeSet::from([c_bs]));
    assert_eq!(list(q("拆分")).await, BTreeSet::from([c_bs, d1]));
    // Latin letters match in either case, on both databases.
    assert_eq!(list(q("a_1")).await, BTreeSet::from([a_1]), "case-insensitive");
    assert_eq!(list(q("ab1")).await, BTreeSet::from([ab1]), "case-insensitive");
    assert_eq!(list(q("2026-03")).await, BTreeSet::from([d1]), "period");
    assert_eq!(list(q(" 2026-02 ")).await, BTreeSet::from([a_pct, c_bs]), "trimmed");
    assert!(list(q("'; DROP TABLE data_supervision_finding; --")).await.is_empty());
    assert_eq!(
        list(q("%")).await,
        BTreeSet::from([a_1, a_pct]),
        "a lone % matches a literal percent sign"
    );
    assert_eq!(
        list(q("_")).await,
        BTreeSet::from([a_1]),
        "a lone _ matches a literal underscore"
    );

    // Status, checking unit, clue-ready.
    force_status(&t, a_1, finding_status::CONFIRMED, Some(t.orgs.finance)).await;
    force_status(&t, ab1, finding_status::PARTLY_CONFIRMED, Some(t.orgs.civil)).await;
    force_status(&t, a_pct, finding_status::CONFIRMED, Some(t.orgs.finance)).await;
    force_status(&t, c_bs, finding_status::CHECKING, Some(t.orgs.finance)).await;
    t.sql(&format!(
        "UPDATE data_supervision_finding SET clue_id = 9 WHERE id = {a_pct}"
    ))
    .await;
    assert_eq!(
        list(FindingFilter {
            status: Some(finding_status::CONFIRMED.into()),
            ..Default::default()
        })
        .await,
        BTreeSet::from([a_1, a_pct])
    );
    assert_eq!(
        list(FindingFilter {
            status: Some(finding_status::NEW.into()),
            ..Default::default()
        })
        .await,
        BTreeSet::from([d1])
    );
    assert_eq!(
        list(FindingFilter {
            check_org_id: Some(t.orgs.finance),
            ..Default::default()
        })
        .await,
        BTreeSet::from([a_1, a_pct, c_bs])
    );
    assert_eq!(
        list(FindingFilter {
            check_org_id: Some(t.orgs.civil),
            ..Default::default()
        })
        .await,
        BTreeSet::from([ab1])
    );
    assert_eq!(
        list(FindingFilter {
            clue_ready: Some(true),
            ..Default::default()
        })
        .await,
        BTreeSet::from([a_1, ab1]),
        "confirmed or partly, not yet a clue"
    );
    assert_eq!(
        list(FindingFilter {
            clue_ready: Some(false),
            ..Default::default()
        })
        .await
        .len(),
        5,
        "clue_ready=false is no filter"
    );
    let ready = all_findings(&t).await;
    for f in &ready {
        assert_eq!(
            f.clue_ready(),
            [a_1, ab1].contains(&f.id),
            "Finding::clue_ready of {}",
            f.subject
        );
    }
    assert_eq!(
        list(FindingFilter {
            clue_ready: Some(true),
            check_org_id: Some(t.orgs.finance),
            q: Some("A".into()),
            ..Default::default()
        })
        .await,
        BTreeSet::from([a_1])
    );

    // Paging: totals count the whole filter, pages are newest first.
    let items: Vec<FindingInput> = (0..22).map(|i| fi("page", &format!("P{i:02}"), "", "[]")).collect();
    upsert(&t, None, "{}", &items).await;
    let f = FindingFilter {
        model: Some("page".into()),
        ..Default::default()
    };
    let mut seen = Vec::new();
    for page in 1..=3 {
        let p = sv::list_findings(&t.db, &all, &f, page, 10).await.unwrap();
        assert_eq!(p.total, 22);
        assert_eq!(p.pages(), 3);
        assert_eq!((p.page, p.per_page), (page, 10));
        assert_eq!(p.items.len(), if page < 3 { 10 } else { 2 });
        seen.extend(p.items.iter().map(|f| f.id));
    }
    let mut sorted = seen.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "newest first across pages");
    assert_eq!(
        seen.iter().collect::<BTreeSet<_>>().len(),
        22,
        "no overlap between pages"
    );
    let past = sv::list_findings(&t.db, &all, &f, 4, 10).await.unwrap();
    assert!(past.items.is_empty());
    assert_eq!(past.total, 22);
    let capped = sv::list_findings_all(&t.db, &all, &f, 7).await.unwrap();
    assert_eq!(capped.len(), 7, "export cap");
    assert_eq!(capped[0].id, seen[0]);
}

// ---------------------------------------------------------------------------------------------
// Workflow
// ---------------------------------------------------------------------------------------------

async fn dispatch_opens_a_tracked_check_and_notifies_the_unit(t: TestDb) {
    let sup = member(&t, "sup", t.orgs.commission, &["supervision"]).await;
    let fin_admin = member(&t, "fin_admin", t.orgs.finance, &["unit_admin"]).await;
    let fin_admin2 = member(&t, "fin_admin2", t.orgs.finance, &["unit_admin", "staff"]).await;
    let fin_staff = member(&t, "fin_staff", t.orgs.finance, &["staff"]).await;
    let fin_off = member(&t, "fin_off", t.orgs.finance_office, &["unit_admin"]).await;
    let civ_admin = member(&t, "civ_admin", t.orgs.civil, &["unit_admin"]).await;
    let fin_gone = member(&t, "fin_gone", t.orgs.finance, &["unit_admin"]).await;
    t.write(async |tx| user::set_disabled(tx, fin_gone, true).await)
        .await
        .unwrap();

    upsert(
        &t,
        None,
        "{}",
        &[fi("dup_subsidy", "11010519491231002X", "2026-01", "[]")],
    )
    .await;
    let f = finding(&t, "dup_subsidy", "11010519491231002X").await;
    let check_id = dispatch(
        &t,
        &everything(),
        &dispatch_of(f.id, t.orgs.finance, "2026-03-02", "2026-03-20", sup),
    )
    .await
    .unwrap();

    let after = refetch(&t, f.id).await;
    assert_eq!(after.status, finding_status::CHECKING);
    assert_eq!(after.status_label(), "核查中");
    assert_eq!(after.check_org_id, Some(t.orgs.finance));
    assert_eq!(after.due_date.as_deref(), Some("2026-03-20"));

    let checks = sv::checks_of(&t.db, f.id).await.unwrap();
    assert_eq!(checks.len(), 1);
    let c = &checks[0];
    assert_eq!(c.id, check_id);
    assert_eq!(
        (c.round, c.org_id, c.org_name.as_str()),
        (1, t.orgs.finance, "测试市财政局")
    );
    assert_eq!(c.request_note, "请核实该人员是否重复领取");
    assert_eq!(c.sent_by_name, "测试sup");
    assert_eq!(c.due_date, "2026-03-20");
    assert_eq!((c.answer.as_deref(), c.answer_label()), (None, "待反馈"));
    assert_eq!(c.review, None);

    let dl = deadlines_of(&t, f.id).await;
    assert_eq!(dl.len(), 1, "one deadline linked to /ds/findings/{}", f.id);
    let d = &dl[0];
    assert_eq!(d.rule_id, "finding_check");
    assert_eq!(d.rule_id, sv::CHECK_RULE);
    assert!(qinglian_domain::rules::rule(&d.rule_id).is_some(), "the rule exists");
    assert_eq!(d.module, sv::DEADLINE_MODULE);
    assert_eq!(
        (d.object_type.as_str(), d.object_id.clone()),
        ("finding_check", check_id.to_string())
    );
    assert_eq!(d.org_id, t.orgs.finance.0);
    assert_eq!(
        (d.start_date.as_str(), d.due_date.as_str()),
        ("2026-03-02", "2026-03-20")
    );
    assert_eq!(d.done_at, None);
    let deadline_id: Option<i64> = sqlx::query("SELECT deadline_id FROM data_supervision_check WHERE id = $1")
        .bind(check_id)
        .fetch_one(t.db.pool())
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    assert!(deadline_id.is_some(), "the check remembers its deadline");

    // The unit's users holding ds.answer are told; nobody else.
    for uid in [fin_admin, fin_admin2] {
        let n = notification::list(&t.db, uid, 10).await.unwrap();
        assert_eq!(n.len(), 1, "user {uid}: one notification even with two roles");
        assert_eq!(n[0].link, format!("/ds/findings/{}", f.id));
        assert_eq!(
            n[0].title,
            format!("收到疑点核查任务：疑点 #{}", f.id),
            "the title names the item"
        );
        assert!(n[0].body.contains("2026年03月20日"), "{}", n[0].body);
        assert!(n[0].body.contains("110105********002X"), "masked: {}", n[0].body);
        assert!(
            !n[0].body.contains("11010519491231002X"),
            "never the full ID: {}",
            n[0].body
        );
        assert!(
            n[0].body.contains("模型dup_subsidy") && n[0].body.contains("2026-01"),
            "{}",
            n[0].body
        );
    }
    for (who, uid) in [
        ("staff without ds.answer", fin_staff),
        ("a section's admin", fin_off),
        ("another unit's admin", civ_admin),
        ("a disabled user", fin_gone),
        ("the sender", sup),
    ] {
        assert_eq!(notification::unread_count(&t.db, uid).await.unwrap(), 0, "{who}");
    }
    // A role whose ds.answer was taken away by the security admin is not told either.
    let unit_admin = user::role_id(t.db.pool(), "unit_admin").await.unwrap();
    t.sql(&format!(
        "DELETE FROM role_permission WHERE role_id = {unit_admin} AND permission = 'data_supervision.answer'"
    ))
    .await;
    upsert(&t, None, "{}", &[fi("dup_subsidy", "户0002", "", "[]")]).await;
    let g = finding(&t, "dup_subsidy", "户0002").await;
    dispatch(
        &t,
        &everything(),
        &dispatch_of(g.id, t.orgs.finance, "2026-03-02", "2026-03-20", sup),
    )
    .await
    .unwrap();
    assert_eq!(notification::unread_count(&t.db, fin_admin).await.unwrap(), 1);
}

async fn dispatch_refuses_bad_requests_and_writes_nothing(t: TestDb) {
    let sup = member(&t, "sup", t.orgs.commission, &["supervision"]).await;
    let fin_admin = member(&t, "fin_admin", t.orgs.finance, &["unit_admin"]).await;
    upsert(&t, None, "{}", &[fi("m", "S1", "", "[]"), fi("m", "S2", "", "[]")]).await;
    let s1 = finding(&t, "m", "S1").await.id;
    let s2 = finding(&t, "m", "S2").await.id;
    let all = everything();
    // Each refusal is committed anyway: a refused dispatch must not have written anything.
    let refused = |d: (Dispatch, UserId)| {
        let t = &t;
        let all = &all;
        async move {
            let mut tx = t.db.begin().await.unwrap();
            let r = sv::dispatch(&mut tx, all, &d.0, &by(d.1)).await;
            tx.commit().await.unwrap();
            r
        }
    };

    dispatch(
        &t,
        &all,
        &dispatch_of(s1, t.orgs.finance, "2026-03-02", "2026-03-20", sup),
    )
    .await
    .unwrap();
    // Twice: the finding is no longer new.
    assert_conflict(refused(dispatch_of(s1, t.orgs.civil, "2026-03-02", "2026-03-20", sup)).await);
    assert_eq!(refetch(&t, s1).await.check_org_id, Some(t.orgs.finance));
    assert_eq!(sv::checks_of(&t.db, s1).await.unwrap().len(), 1);

    // Due before start.
    assert_invalid(
        refused(dispatch_of(s2, t.orgs.finance, "2026-03-20", "2026-03-19", sup)).await,
        "due_date",
    );
    // Unknown and inactive orgs.
    assert_invalid(
        refused(dispatch_of(s2, OrgId(999_999), "2026-03-02", "2026-03-20", sup)).await,
        "org_id",
    );
    let closed = t
        .write(async |tx| {
            org::create(
                tx,
                &org::OrgInput {
                    parent_id: Some(t.orgs.city),
                    name: "测试市撤并局".into(),
                    kind: org::OrgKind::Unit,
                    code: None,
                    sort_order: 0,
                    supervised_by: None,
                },
            )
            .await
        })
        .await
        .unwrap();
    t.sql(&format!("UPDATE org SET active = 0 WHERE id = {closed}")).await;
    assert_invalid(
        refused(dispatch_of(s2, closed, "2026-03-02", "2026-03-20", sup)).await,
        "org_id",
    );
    // Unknown finding.
    assert_not_found(
        refused(dispatch_of(
            FindingId(999_999),
            t.orgs.finance,
            "2026-03-02",
            "2026-03-20",
            sup,
        ))
        .await,
    );

    // The workflow table decides who may: a unit's admin (ds.answer only) cannot dispatch,
    // even through the store.
    let principal = user::load_principal(&t.db, fin_admin).await.unwrap();
    let unit_by = Performer {
        user_id: Some(fin_admin),
        actor: Actor::system("test"),
        mode: qinglian_crypto::CryptoMode::Guomi,
        perms: &principal,
    };
    let mut tx = t.db.begin().await.unwrap();
    let d = dispatch_of(s2, t.orgs.finance, "2026-03-02", "2026-03-20", fin_admin).0;
    let r = sv::dispatch(&mut tx, &all, &d, &unit_by).await;
    assert!(matches!(r, Err(StoreError::Forbidden(_))), "{r:?}");
    tx.commit().await.unwrap();

    // Nothing was written by the refusals.
    let after = refetch(&t, s2).await;
    assert_eq!((after.status.as_str(), after.check_org_id), (finding_status::NEW, None));
    assert!(sv::checks_of(&t.db, s2).await.unwrap().is_empty());
    assert!(deadlines_of(&t, s2).await.is_empty());
    assert_eq!(count(&t, "SELECT COUNT(*) FROM data_supervision_check").await, 1);
    assert_eq!(count(&t, "SELECT COUNT(*) FROM deadline").await, 1);
    assert_eq!(notification::unread_count(&t.db, fin_admin).await.unwrap(), 1);

    // Due on the start day is fine.
    dispatch(
        &t,
        &all,
        &dispatch_of(s2, t.orgs.civil, "2026-03-02", "2026-03-02", sup),
    )
    .await
    .unwrap();
    assert_eq!(refetch(&t, s2).await.due_date.as_deref(), Some("2026-03-02"));
}

async fn answer_and_review_run_the_checking_rounds(t: TestDb) {
    let sup = member(&t, "sup", t.orgs.commission, &["supervision"]).await;
    let fin_admin = member(&t, "fin_admin", t.orgs.finance, &["unit_admin"]).await;
    let commission_only = scope(&t, &[t.orgs.commission]).await;
    let unit_a = scope(&t, &[t.orgs.finance]).await;
    let unit_b = scope(&t, &[t.orgs.civil]).await;
    let all = everything();
    upsert(
        &t,
        None,
        "{}",
        &[fi("m", "S1", "2026-01", "[]"), fi("m", "S2", "", "[]")],
    )
    .await;
    let f = finding(&t, "m", "S1").await.id;

    // Not sent yet: neither an answer nor a review.
    assert_conflict(answer(&t, &all, f, Answer::True, "属实", fin_admin).await);
    assert_conflict(review(&t, &all, f, &Review::Accept, "", sup).await);

    dispatch(
        &t,
        &commission_only,
        &dispatch_of(f, t.orgs.finance, "2026-03-02", "2026-03-20", sup),
    )
    .await
    .unwrap();
    assert_conflict(review(&t, &all, f, &Review::Accept, "", sup).await);

    // Answering needs the unit in one's scope: seeing the finding as its owner is not enough.
    assert_not_found(answer(&t, &commission_only, f, Answer::True, "属实", sup).await);
    assert_not_found(answer(&t, &unit_b, f, Answer::True, "属实", fin_admin).await);
    assert_not_found(answer(&t, &Scope::none(), f, Answer::True, "属实", fin_admin).await);
    assert_invalid(
        answer(&t, &unit_a, f, Answer::True, "  ", fin_admin).await,
        "answer_note",
    );
    assert_eq!(
        refetch(&t, f).await.status,
        finding_status::CHECKING,
        "refusals change nothing"
    );

    let c1 = answer(&t, &unit_a, f, Answer::True, " 经核实，该人员重复领取 ", fin_admin)
        .await
        .unwrap();
    let after = refetch(&t, f).await;
    assert_eq!(after.status, finding_status::ANSWERED);
    assert_eq!(after.due_date, None, "no open check any more");
    // The answer tells the dispatching office (the finding's owner) which finding waits.
    let inbox = notification::list(&t.db, sup, 10).await.unwrap();
    assert!(
        inbox
            .iter()
            .any(|n| n.title == format!("疑点核查结果待复核：疑点 #{f}")),
        "{inbox:?}"
    );
    assert_eq!(
        notification::unread_count(&t.db, fin_admin).await.unwrap(),
        1,
        "not the answerer"
    );
    // Every transition is on the item's history.
    let history = qinglian_store::workflow::history(&t.db, "data_supervision.finding", f)
        .await
        .unwrap();
    let steps: Vec<(&str, &str, &str)> = history
        .iter()
        .map(|e| (e.from_state.as_str(), e.action.as_str(), e.to_state.as_str()))
        .collect();
    assert_eq!(
        steps,
        [("new", "dispatch", "checking"), ("checking", "answer", "answered")]
    );
    assert_eq!(history[1].note, "经核实，该人员重复领取");
    let dl = deadlines_of(&t, f).await;
    assert_eq!(dl.len(), 1);
    assert!(dl[0].done_at.is_some(), "the answer closes the deadline");
    let checks = sv::checks_of(&t.db, f).await.unwrap();
    assert_eq!(checks[0].id, c1);
    assert_eq!(checks[0].answer.as_deref(), Some("true"));
    assert_eq!(checks[0].answer_label(), "属实");
    assert_eq!(checks[0].answer_note, "经核实，该人员重复领取");
    assert_eq!(checks[0].answered_by_name, "测试fin_admin");
    assert!(checks[0].answered_at.is_some());
    // Answering twice is refused.
    assert_conflict(answer(&t, &unit_a, f, Answer::False, "再次反馈", fin_admin).await);

    // Return without saying what to check again, or with a due date before the start: refused,
    // and nothing is written even if the caller commits anyway.
    let back = Review::Return {
        start: day("2026-03-23"),
        due: Due::On(day("2026-04-10")),
    };
    for (r, note, field) in [
        (back.clone(), " ", "review_note"),
        (
            Review::Return {
                start: day("2026-03-23"),
                due: Due::On(day("2026-03-22")),
            },
            "请补充银行流水",
            "due_date",
        ),
    ] {
        let mut tx = t.db.begin().await.unwrap();
        assert_invalid(sv::review(&mut tx, &all, f, &r, note, &by(sup)).await, field);
        tx.commit().await.unwrap();
        assert_eq!(refetch(&t, f).await.status, finding_status::ANSWERED);
        let checks = sv::checks_of(&t.db, f).await.unwrap();
        assert_eq!((checks.len(), checks[0].review.as_deref()), (1, None), "{field}");
    }

    review(&t, &all, f, &back, "请补充银行流水", sup).await.unwrap();
    let after = refetch(&t, f).await;
    assert_eq!(after.status, finding_status::CHECKING);
    assert_eq!(after.check_org_id, Some(t.orgs.finance));
    assert_eq!(after.due_date.as_deref(), Some("2026-04-10"));
    let checks = sv::checks_of(&t.db, f).await.unwrap();
    assert_eq!(checks.len(), 2);
    assert_eq!(
        (checks[0].review.as_deref(), checks[0].review_label()),
        (Some("returned"), "退回重新核查")
    );
    assert_eq!(checks[0].review_note, "请补充银行流水");
    assert_eq!(checks[0].reviewed_by_name, "测试sup");
    assert_eq!((checks[1].round, checks[1].org_id), (2, t.orgs.finance));
    assert_eq!(checks[1].request_note, "请补充银行流水");
    assert_eq!(checks[1].answer, None);
    let dl = deadlines_of(&t, f).await;
    assert_eq!(dl.len(), 2, "a new deadline for round 2");
    assert!(dl[0].done_at.is_some());
    assert_eq!(dl[1].done_at, None);
    assert_eq!(dl[1].object_id, checks[1].id.to_string());
    assert_eq!(
        (dl[1].start_date.as_str(), dl[1].due_date.as_str()),
        ("2026-03-23", "2026-04-10")
    );
    assert_eq!(dl[1].rule_id, "finding_check");
    assert_eq!(
        notification::unread_count(&t.db, fin_admin).await.unwrap(),
        2,
        "told again"
    );
    // While checking again there is nothing to review.
    assert_conflict(review(&t, &all, f, &Review::Accept, "", sup).await);

    answer(&t, &unit_a, f, Answer::Partly, "部分款项已退回", fin_admin)
        .await
        .unwrap();
    assert!(deadlines_of(&t, f).await.iter().all(|d| d.done_at.is_some()));
    review(&t, &all, f, &Review::Accept, " 认定部分属实 ", sup)
        .await
        .unwrap();
    let done = refetch(&t, f).await;
    assert_eq!(done.status, finding_status::PARTLY_CONFIRMED);
    assert_eq!(done.close_note, "认定部分属实");
    let checks = sv::checks_of(&t.db, f).await.unwrap();
    assert_eq!(
        (checks[1].review.as_deref(), checks[1].review_label()),
        (Some("accepted"), "认定")
    );
    assert_eq!(
        checks[0].review.as_deref(),
        Some("returned"),
        "round 1 keeps its review"
    );
    // Reviewed once; no second review, no more answers.
    assert_conflict(review(&t, &all, f, &Review::Accept, "", sup).await);
    assert_conflict(answer(&t, &unit_a, f, Answer::True, "属实", fin_admin).await);

    // Accepting a "not true" answer dismisses the finding.
    let g = finding(&t, "m", "S2").await.id;
    dispatch(
        &t,
        &all,
        &dispatch_of(g, t.orgs.finance, "2026-03-02", "2026-03-20", sup),
    )
    .await
    .unwrap();
    answer(&t, &unit_a, g, Answer::False, "数据错误，非本人", fin_admin)
        .await
        .unwrap();
    review(&t, &all, g, &Review::Accept, "", sup).await.unwrap();
    assert_eq!(refetch(&t, g).await.status, finding_status::DISMISSED);
}

/// Two requests on one finding at once (a double-clicked button, two reviewers): the second
/// waits for the first and then sees its outcome, on both databases.
async fn concurrent_workflow_steps_on_one_finding_run_one_after_the_other(t: TestDb) {
    let sup = member(&t, "sup", t.orgs.commission, &["supervision"]).await;
    let fin_admin = member(&t, "fin_admin", t.orgs.finance, &["unit_admin"]).await;
    upsert(&t, None, "{}", &[fi("m", "S", "", "[]")]).await;
    let f = finding(&t, "m", "S").await.id;

    // Dispatch twice: one check, one deadline, one notification.
    let mut first = t.db.begin().await.unwrap();
    sv::dispatch(
        &mut first,
        &everything(),
        &dispatch_of(f, t.orgs.finance, "2026-03-02", "2026-03-20", sup).0,
        &by(sup),
    )
    .await
    .unwrap();
    let db = t.db.clone();
    let civil = t.orgs.civil;
    let second = tokio::spawn(async move {
        let mut tx = db.begin().await.unwrap();
        let r = sv::dispatch(
            &mut tx,
            &everything(),
            &dispatch_of(f, civil, "2026-03-02", "2026-03-20", sup).0,
            &by(sup),
        )
        .await;
        if r.is_ok() {
            tx.commit().await.unwrap();
        }
        r
    });
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    first.commit().await.unwrap();
    assert_conflict(second.await.unwrap());
    assert_eq!(sv::checks_of(&t.db, f).await.unwrap().len(), 1);
    assert_eq!(deadlines_of(&t, f).await.len(), 1);
    assert_eq!(notification::unread_count(&t.db, fin_admin).await.unwrap(), 1);

    // Return twice: one second round.
    answer(&t, &everything(), f, Answer::True, "属实", fin_admin)
        .await
        .unwrap();
    let back = Review::Return {
        start: day("2026-03-23"),
        due: Due::On(day("2026-04-10")),
    };
    let mut first = t.db.begin().await.unwrap();
    sv::review(&mut first, &everything(), f, &back, "请补充材料", &by(sup))
        .await
        .unwrap();
    let db = t.db.clone();
    let again = back.clone();
    let second = tokio::spawn(async move {
        let mut tx = db.begin().await.unwrap();
        let r = sv::review(&mut tx, &everything(), f, &again, "请补充材料", &by(sup)).await;
        if r.is_ok() {
            tx.commit().await.unwrap();
        }
        r
    });
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    first.commit().await.unwrap();
    assert_conflict(second.await.unwrap());
    let checks = sv::checks_of(&t.db, f).await.unwrap();
    assert_eq!(checks.iter().map(|c| c.round).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(deadlines_of(&t, f).await.len(), 2);
}

async fn dismiss_and_link_clue_follow_the_status(t: TestDb) {
    let sup = member(&t, "sup", t.orgs.commission, &["supervision"]).await;
    let fin_admin = member(&t, "fin_admin", t.orgs.finance, &["unit_admin"]).await;
    let unit_a = scope(&t, &[t.orgs.finance]).await;
    let all = everything();
    upsert(
        &t,
        None,
        "{}",
        &[
            fi("m", "N", "", "[]"),
            fi("m", "C", "", "[]"),
            fi("m", "T", "", "[]"),
            fi("m", "P", "", "[]"),
        ],
    )
    .await;
    let n = finding(&t, "m", "N").await.id;
    let c = finding(&t, "m", "C").await.id;
    let tr = finding(&t, "m", "T").await.id;
    let p = finding(&t, "m", "P").await.id;
    let dismiss = |id: FindingId, note: &'static str| {
        let t = &t;
        let all = &all;
        async move { t.write(async |tx| sv::dismiss(tx, all, id, note, &by(sup)).await).await }
    };
    let link = |id: FindingId, clue: i64| {
        let t = &t;
        let all = &all;
        async move { t.write(async |tx| sv::link_clue(tx, all, id, clue).await).await }
    };

    // Dismiss: only new findings, with a reason.
    assert_invalid(dismiss(n, "  ").await, "close_note");
    assert_eq!(refetch(&t, n).await.status, finding_status::NEW);
    assert_not_found(
        t.write(async |tx| sv::dismiss(tx, &unit_a, n, "数据错误", &by(sup)).await)
            .await,
    );
    dismiss(n, " 身份证号录入错误 ").await.unwrap();
    let f = refetch(&t, n).await;
    assert_eq!(
        (f.status.as_str(), f.close_note.as_str()),
        (finding_status::DISMISSED, "身份证号录入错误")
    );
    assert_conflict(dismiss(n, "再次排除").await);
    assert_conflict(
        dispatch(
            &t,
            &all,
            &dispatch_of(n, t.orgs.finance, "2026-03-02", "2026-03-20", sup),
        )
        .await,
    );
    dispatch(
        &t,
        &all,
        &dispatch_of(c, t.orgs.finance, "2026-03-02", "2026-03-20", sup),
    )
    .await
    .unwrap();
    assert_conflict(dismiss(c, "已派发").await);

    // link_clue: only confirmed or partly confirmed, once.
    assert_conflict(link(n, 1).await);
    assert_conflict(link(c, 1).await);
    assert_conflict(link(p, 1).await);
    for (id, a) in [(tr, Answer::True), (p, Answer::Partly)] {
        dispatch(
            &t,
            &all,
            &dispatch_of(id, t.orgs.finance, "2026-03-02", "2026-03-20", sup),
        )
        .await
        .unwrap();
        answer(&t, &unit_a, id, a, "核查情况", fin_admin).await.unwrap();
        assert_conflict(link(id, 1).await);
        review(&t, &all, id, &Review::Accept, "", sup).await.unwrap();
    }
    assert_eq!(refetch(&t, tr).await.status, finding_status::CONFIRMED);
    assert!(refetch(&t, tr).await.clue_ready());
    assert_not_found(
        t.write(async |tx| sv::link_clue(tx, &Scope::none(), tr, 41).await)
            .await,
    );
    link(tr, 41).await.unwrap();
    link(p, 42).await.unwrap();
    let f = refetch(&t, tr).await;
    assert_eq!(f.clue_id, Some(41));
    assert!(!f.clue_ready());
    assert_eq!(refetch(&t, p).await.clue_id, Some(42));
    assert_conflict(link(tr, 43).await);
    assert_eq!(refetch(&t, tr).await.clue_id, Some(41), "the first clue stays");
    assert_not_found(link(FindingId(999_999), 1).await);
}

async fn model_stats_count_by_status_within_the_scope(t: TestDb) {
    let mut items = Vec::new();
    for i in 0..8 {
        items.push(fi("m1", &format!("a{i}"), "", "[]"));
    }
    items.push(fi("m0", "b0", "", "[]"));
    items.push(fi("m0", "b1", "", "[]"));
    upsert(&t, None, "{}", &items).await;
    let id = |s: &str| {
        let t = &t;
        let s = s.to_string();
        async move { all_findings(t).await.into_iter().find(|f| f.subject == s).unwrap().id }
    };
    let fin = Some(t.orgs.finance);
    let civ = Some(t.orgs.civil);
    for (s, status, org) in [
        ("a2", finding_status::CHECKING, fin),
        ("a3", finding_status::ANSWERED, civ),
        ("a4", finding_status::CONFIRMED, fin),
        ("a5", finding_status::PARTLY_CONFIRMED, civ),
        ("a6", finding_status::DISMISSED, fin),
        ("a7", finding_status::DISMISSED, None),
    ] {
        force_status(&t, id(s).await, status, org).await;
    }
    let stats = sv::model_stats(&t.db, &everything()).await.unwrap();
    assert_eq!(
        stats.iter().map(|s| s.model.as_str()).collect::<Vec<_>>(),
        ["m0", "m1"],
        "ordered by model"
    );
    let m0 = &stats[0];
    assert_eq!((m0.findings, m0.new, m0.in_progress, m0.concluded()), (2, 2, 0, 0));
    assert_eq!(m0.confirmation_rate(), None, "nothing concluded, no rate");
    let m1 = &stats[1];
    assert_eq!(
        (
            m1.findings,
            m1.new,
            m1.in_progress,
            m1.confirmed,
            m1.partly,
            m1.dismissed
        ),
        (8, 2, 2, 1, 1, 2)
    );
    assert_eq!(m1.concluded(), 4);
    assert_eq!(m1.confirmation_rate(), Some(0.5));

    // The finance unit sees only what was sent to it.
    let stats = sv::model_stats(&t.db, &scope(&t, &[t.orgs.finance]).await)
        .await
        .unwrap();
    assert_eq!(stats.len(), 1);
    let s = &stats[0];
    assert_eq!(
        (
            s.model.as_str(),
            s.findings,
            s.new,
            s.in_progress,
            s.confirmed,
            s.partly,
            s.dismissed
        ),
        ("m1", 3, 0, 1, 1, 0, 1)
    );
    let rate = s.confirmation_rate().unwrap();
    assert!((rate - 0.5).abs() < 1e-9, "{rate}");
    let stats = sv::model_stats(&t.db, &scope(&t, &[t.orgs.civil]).await).await.unwrap();
    assert_eq!((stats[0].findings, stats[0].in_progress, stats[0].partly), (2, 1, 1));
    assert_eq!(stats[0].confirmation_rate(), Some(1.0));
}

// ---------------------------------------------------------------------------------------------
// Jobs
// ---------------------------------------------------------------------------------------------

async fn jobs_are_claimed_oldest_first_and_cancelled(t: TestDb) {
    let db = &t.db;
    let sup = member(&t, "sup", t.orgs.commission, &["supervision"]).await;
    assert!(sv::claim_next_job(db).await.unwrap().is_none(), "nothing queued");
    let j1 = t
        .write(async |tx| {
            sv::create_job(
                tx,
                &NewJob {
                    kind: JobKind::Import,
                    title: "导入低保数据".into(),
                    params_json: r#"{"dataset":"subsidy"}"#.into(),
                    org_id: t.orgs.commission,
                    created_by: Some(sup),
                },
            )
            .await
        })
        .await
        .unwrap();
    let j2 = new_job(&t, JobKind::Run, "运行模型", t.orgs.commission).await;
    let j3 = new_job(&t, JobKind::Run, "再运行", t.orgs.commission).await;
    let commission = scope(&t, &[t.orgs.commission]).await;
    let unit_a = scope(&t, &[t.orgs.finance]).await;

    let job = sv::get_job(db, &commission, j1).await.unwrap();
    assert_eq!((job.status.as_str(), job.kind.as_str()), (job_status::QUEUED, "import"));
    assert_eq!(job.kind_label(), "数据集导入");
    assert_eq!(job.status_label(), "排队中");
    assert_eq!(job.params_json, r#"{"dataset":"subsidy"}"#);
    assert_eq!((job.org_id, job.created_by), (t.orgs.commission, Some(sup)));
    assert_eq!(job.created_by_name, "测试sup");
    assert_eq!(
        (job.attempts, job.cancel_requested, job.started_at.clone()),
        (0, false, None)
    );
    assert!(!job.finished());
    assert_not_found(sv::get_job(db, &unit_a, j1).await);
    assert_not_found(sv::get_job(db, &Scope::none(), j1).await);
    assert_not_found(sv::get_job(db, &commission, JobId(999_999)).await);

    // Oldest first.
    let claimed = sv::claim_next_job(db).await.unwrap().unwrap();
    assert_eq!(claimed.id, j1);
    assert_eq!(claimed.status, job_status::RUNNING);
    assert_eq!(claimed.attempts, 1);
    assert!(claimed.started_at.is_some());

    // Progress only for running jobs.
    sv::job_progress(db, j1, 3, 10, 5000, "读取文件").await.unwrap();
    sv::job_progress(db, j2, 7, 10, 1, "不该写入").await.unwrap();
    let job = sv::job_unscoped(db, j1).await.unwrap();
    assert_eq!(
        (
            job.done_steps,
            job.total_steps,
            job.rows_processed,
            job.current_step.as_str()
        ),
        (3, 10, 5000, "读取文件")
    );
    assert_eq!(job.percent(), 30);
    let queued = sv::job_unscoped(db, j2).await.unwrap();
    assert_eq!(
        (
            queued.done_steps,
            queued.total_steps,
            queued.rows_processed,
            queued.current_step.as_str()
        ),
        (0, 0, 0, "")
    );
    assert_not_found(sv::job_unscoped(db, JobId(999_999)).await);

    // Cancel a queued job: at once.
    t.write(async |tx| sv::request_cancel(tx, &commission, j2).await)
        .await
        .unwrap();
    let job = sv::job_unscoped(db, j2).await.unwrap();
    assert_eq!(job.status, job_status::CANCELLED);
    assert!(job.cancel_requested && job.finished() && job.finished_at.is_some());
    assert!(!job.message.is_empty());
    // The cancelled job is skipped by the worker.
    let next = sv::claim_next_job(db).await.unwrap().unwrap();
    assert_eq!(next.id, j3);
    assert!(sv::claim_next_job(db).await.unwrap().is_none());

    // Cancel a running job: the flag is set, the worker stops it.
    assert!(!sv::cancel_requested(db, j1).await.unwrap());
    assert_not_found(t.write(async |tx| sv::request_cancel(tx, &unit_a, j1).await).await);
    assert!(
        !sv::cancel_requested(db, j1).await.unwrap(),
        "outside the scope changes nothing"
    );
    t.write(async |tx| sv::request_cancel(tx, &commission, j1).await)
        .await
        .unwrap();
    assert!(sv::cancel_requested(db, j1).await.unwrap());
    let job = sv::job_unscoped(db, j1).await.unwrap();
    assert_eq!(job.status, job_status::RUNNING);
    assert!(job.cancel_requested && !job.finished());
    assert!(!sv::cancel_requested(db, JobId(999_999)).await.unwrap());

    // Finished jobs cannot be cancelled.
    t.write(async |tx| sv::finish_job(tx, j1, job_status::CANCELLED, "已按要求取消", "{}").await)
        .await
        .unwrap();
    let job = sv::job_unscoped(db, j1).await.unwrap();
    assert_eq!(
        (job.status.as_str(), job.message.as_str()),
        (job_status::CANCELLED, "已按要求取消")
    );
    assert!(job.finished_at.is_some() && job.current_step.is_empty());
    assert_conflict(t.write(async |tx| sv::request_cancel(tx, &commission, j1).await).await);
    assert_conflict(t.write(async |tx| sv::request_cancel(tx, &commission, j2).await).await);
    assert_not_found(
        t.write(async |tx| sv::request_cancel(tx, &commission, JobId(999_999)).await)
            .await,
    );
    // Progress after the end is ignored.
    sv::job_progress(db, j1, 9, 10, 1, "迟到的进度").await.unwrap();
    assert_eq!(sv::job_unscoped(db, j1).await.unwrap().done_steps, 3);

    // A server restart puts running jobs back in the queue; they start again from zero.
    sv::job_progress(db, j3, 4, 8, 100, "运行模型").await.unwrap();
    assert_eq!(sv::requeue_interrupted(db).await.unwrap(), 1);
    let job = sv::job_unscoped(db, j3).await.unwrap();
    assert_eq!(job.status, job_status::QUEUED);
    assert!(!job.current_step.is_empty(), "says why it waits");
    assert_eq!(
        sv::job_unscoped(db, j1).await.unwrap().status,
        job_status::CANCELLED,
        "finished jobs stay"
    );
    assert_eq!(sv::requeue_interrupted(db).await.unwrap(), 0);
    let again = sv::claim_next_job(db).await.unwrap().unwrap();
    assert_eq!(again.id, j3);
    assert_eq!(again.attempts, 2);
    assert_eq!(
        (again.done_steps, again.rows_processed, again.current_step.as_str()),
        (0, 0, "")
    );
    t.write(async |tx| sv::finish_job(tx, j3, job_status::DONE, "完成", r#"{"findings":3}"#).await)
        .await
        .unwrap();
    let job = sv::job_unscoped(db, j3).await.unwrap();
    assert_eq!((job.percent(), job.result_json.as_str()), (100, r#"{"findings":3}"#));
}

async fn concurrent_claims_never_share_a_job(t: TestDb) {
    for round in 0..8 {
        let first = new_job(&t, JobKind::Run, &format!("第{round}轮甲"), t.orgs.commission).await;
        let second = new_job(&t, JobKind::Run, &format!("第{round}轮乙"), t.orgs.commission).await;
        let barrier = Arc::new(tokio::sync::Barrier::new(2));
        let tasks: Vec<_> = (0..2)
            .map(|_| {
                let db = t.db.clone();
                let barrier = barrier.clone();
                tokio::spawn(async move {
                    barrier.wait().await;
                    sv::claim_next_job(&db).await.unwrap().map(|j| j.id)
                })
            })
            .collect();
        let mut got = Vec::new();
        for task in tasks {
            got.extend(task.await.unwrap());
        }
        assert!(!got.is_empty(), "round {round}: somebody gets a job");
        let distinct: BTreeSet<_> = got.iter().collect();
        assert_eq!(distinct.len(), got.len(), "round {round}: the same job twice: {got:?}");
        // Whatever a racing loser left behind is taken now; each job ran exactly once.
        while let Some(j) = sv::claim_next_job(&t.db).await.unwrap() {
            got.push(j.id);
        }
        got.sort_unstable();
        assert_eq!(got, vec![first, second], "round {round}");
        for id in [first, second] {
            let job = sv::job_unscoped(&t.db, id).await.unwrap();
            assert_eq!(
                (job.status.as_str(), job.attempts),
                (job_status::RUNNING, 1),
                "round {round}"
            );
        }
    }
}

async fn one_job_is_claimed_by_id_only_while_queued(t: TestDb) {
    let db = &t.db;
    let older = new_job(&t, JobKind::Run, "较早的任务", t.orgs.commission).await;
    let mine = new_job(&t, JobKind::Run, "指定的任务", t.orgs.commission).await;
    // Claimed by id, not oldest first.
    let job = sv::claim_job(db, mine).await.unwrap().expect("queued job is claimed");
    assert_eq!(
        (job.id, job.status.as_str(), job.attempts),
        (mine, job_status::RUNNING, 1)
    );
    assert!(
        sv::claim_job(db, mine).await.unwrap().is_none(),
        "a running job is not claimed again"
    );
    assert!(
        sv::claim_job(db, JobId(999_999)).await.unwrap().is_none(),
        "no such job"
    );
    assert_eq!(
        sv::job_unscoped(db, older).await.unwrap().status,
        job_status::QUEUED,
        "the older job waits"
    );
    assert_eq!(sv::claim_next_job(db).await.unwrap().map(|j| j.id), Some(older));
    assert!(sv::claim_next_job(db).await.unwrap().is_none());
}

async fn list_jobs_filters_by_scope_and_kind(t: TestDb) {
    let db = &t.db;
    let i1 = new_job(&t, JobKind::Import, "导入一", t.orgs.commission).await;
    let r1 = new_job(&t, JobKind::Run, "运行一", t.orgs.commission).await;
    let r2 = new_job(&t, JobKind::Run, "运行二", t.orgs.commission).await;
    let f1 = new_job(&t, JobKind::Run, "财政局运行", t.orgs.finance_office).await;
    let commission = scope(&t, &[t.orgs.commission]).await;
    let list = |s: Scope, kind: Option<JobKind>, page: i64, per: i64| async move {
        sv::list_jobs(db, &s, kind, page, per).await.unwrap()
    };
    let p = list(commission.clone(), None, 1, 20).await;
    assert_eq!(p.total, 3);
    assert_eq!(
        p.items.iter().map(|j| j.id).collect::<Vec<_>>(),
        [r2, r1, i1],
        "newest first"
    );
    let p = list(commission.clone(), Some(JobKind::Run), 1, 20).await;
    assert_eq!(
        (p.total, p.items.iter().map(|j| j.id).collect::<Vec<_>>()),
        (2, vec![r2, r1])
    );
    let p = list(commission.clone(), Some(JobKind::Import), 1, 20).await;
    assert_eq!((p.total, p.items[0].id, p.items[0].kind.as_str()), (1, i1, "import"));
    let p = list(scope(&t, &[t.orgs.finance]).await, None, 1, 20).await;
    assert_eq!(
        (p.total, p.items[0].id),
        (1, f1),
        "a job of a section is in the unit's subtree"
    );
    assert_eq!(list(scope(&t, &[t.orgs.civil]).await, None, 1, 20).await.total, 0);
    assert_eq!(list(Scope::none(), None, 1, 20).await.total, 0);
    let p = list(everything(), Some(JobKind::Run), 2, 2).await;
    assert_eq!((p.total, p.pages()), (3, 2));
    assert_eq!(p.items.iter().map(|j| j.id).collect::<Vec<_>>(), [r1]);
}

#[test]
fn job_percent_and_labels() {
    let mut j = sv::Job {
        id: JobId(1),
        kind: "run".into(),
        status: job_status::RUNNING.into(),
        title: String::new(),
        params_json: String::new(),
        org_id: OrgId(1),
        created_by: None,
        created_by_name: String::new(),
        done_steps: 0,
        total_steps: 0,
        rows_processed: 0,
        current_step: String::new(),
        message: String::new(),
        result_json: String::new(),
        attempts: 1,
        cancel_requested: false,
        created_at: String::new(),
        started_at: None,
        finished_at: None,
    };
    assert_eq!(j.percent(), 0, "no steps known yet");
    j.total_steps = 3;
    j.done_steps = 1;
    assert_eq!(j.percent(), 33);
    j.done_steps = 5;
    assert_eq!(j.percent(), 100, "clamped");
    j.done_steps = -1;
    assert_eq!(j.percent(), 0, "clamped");
    j.status = job_status::DONE.into();
    j.done_steps = 0;
    j.total_steps = 0;
    assert_eq!(j.percent(), 100, "done is 100 whatever the steps");
    assert!(j.finished());
    for (s, finished) in [
        (job_status::QUEUED, false),
        (job_status::RUNNING, false),
        (job_status::FAILED, true),
        (job_status::CANCELLED, true),
    ] {
        j.status = s.into();
        assert_eq!(j.finished(), finished, "{s}");
        assert_ne!(j.status_label(), "未知");
    }
    assert_eq!(j.kind_label(), "模型运行");
    j.kind = "other".into();
    assert_eq!(j.kind_label(), "任务");
    assert_eq!(JobKind::parse("import"), Some(JobKind::Import));
    assert_eq!(JobKind::parse(JobKind::Run.as_str()), Some(JobKind::Run));
    assert_eq!(JobKind::parse("x"), None);
    for s in finding_status::ALL {
        assert_ne!(finding_status::label(s), "未知");
    }
}

// ---------------------------------------------------------------------------------------------
// Custom models, header mappings, attachments
// ---------------------------------------------------------------------------------------------

async fn custom_models_are_versioned_and_retired(t: TestDb) {
    let db = &t.db;
    let sup = member(&t, "sup", t.orgs.commission, &["supervision"]).await;
    let model = |code: &str, title: &str| NewCustomModel {
        code: code.into(),
        title: title.into(),
        subject_kind: "person".into(),
        severity: "medium".into(),
        sql_text: "SELECT id_number AS subject FROM subsidy WHERE amount > :limit".into(),
        explanation: "发放金额{amount}超过{limit}".into(),
        params_json: r#"[{"name":"limit","label":"上限","value":"1000"}]"#.into(),
        created_by: sup,
    };
    let save = |m: NewCustomModel| {
        let t = &t;
        async move { t.write(async |tx| sv::save_custom_model(tx, &m).await).await }
    };
    assert!(sv::custom_models(db).await.unwrap().is_empty());
    assert_eq!(save(model("big_payment", " 大额发放 ")).await.unwrap(), 1);
    assert_eq!(save(model("big_payment", "大额发放（修订）")).await.unwrap(), 2);
    assert_eq!(save(model("a_first", "甲模型")).await.unwrap(), 1);

    let list = sv::custom_models(db).await.unwrap();
    assert_eq!(
        list.iter().map(|m| (m.code.as_str(), m.version)).collect::<Vec<_>>(),
        [("a_first", 1), ("big_payment", 2)],
        "only the newest version, by code"
    );
    let newest = &list[1];
    assert_eq!(newest.title, "大额发放（修订）");
    assert_eq!(newest.created_by_name, "测试sup");
    assert_eq!(newest.severity, "medium");
    assert_eq!(
        newest.params_json,
        r#"[{"name":"limit","label":"上限","value":"1000"}]"#
    );
    let v1 = sv::custom_model(db, "big_payment", Some(1)).await.unwrap();
    assert_eq!((v1.version, v1.title.as_str()), (1, "大额发放"), "title trimmed");
    assert_eq!(sv::custom_model(db, "big_payment", None).await.unwrap().version, 2);
    assert_not_found(sv::custom_model(db, "big_payment", Some(3)).await);
    assert_not_found(sv::custom_model(db, "nope", None).await);

    let long_ok = format!("m{}", "x".repeat(47));
    assert_eq!(save(model(&long_ok, "长编号")).await.unwrap(), 1);
    let too_long = format!("m{}", "x".repeat(48));
    for bad in ["", "1abc", "Abc", "a-b", "a b", "模型", "_a", too_long.as_str()] {
        assert_invalid(save(model(bad, "标题")).await, "code");
    }
    assert_invalid(save(model("ok_code", "  ")).await, "title");
    assert_not_found(sv::custom_model(db, "ok_code", None).await);

    // Retire hides the model from the list; its versions stay readable for old findings.
    t.write(async |tx| sv::retire_custom_model(tx, "big_payment").await)
        .await
        .unwrap();
    let codes: Vec<_> = sv::custom_models(db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.code)
        .collect();
    assert_eq!(codes, vec!["a_first".to_string(), long_ok.clone()]);
    assert_eq!(
        sv::custom_model(db, "big_payment", Some(1)).await.unwrap().title,
        "大额发放"
    );
    assert_not_found(t.write(async |tx| sv::retire_custom_model(tx, "nope").await).await);
    // Saving it again brings it back as a new version.
    assert_eq!(save(model("big_payment", "大额发放（恢复）")).await.unwrap(), 3);
    let list = sv::custom_models(db).await.unwrap();
    let back = list.iter().find(|m| m.code == "big_payment").unwrap();
    assert_eq!((back.version, back.title.as_str()), (3, "大额发放（恢复）"));
}

async fn header_mappings_are_remembered_and_replaced(t: TestDb) {
    let db = &t.db;
    let sup = member(&t, "sup", t.orgs.commission, &["supervision"]).await;
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    };
    assert!(sv::header_mappings(db).await.unwrap().is_empty());
    let first = pairs(&[("身份证号码", "id_number"), ("姓名", "name")]);
    t.write(async |tx| sv::remember_mapping(tx, "subsidy", &first, Some(sup)).await)
        .await
        .unwrap();
    let other = pairs(&[("姓名", "full_name")]);
    t.write(async |tx| sv::remember_mapping(tx, "pension", &other, None).await)
        .await
        .unwrap();
    let triple = |d: &str, h: &str, c: &str| (d.to_string(), h.to_string(), c.to_string());
    let mut expected = vec![
        triple("pension", "姓名", "full_name"),
        triple("subsidy", "姓名", "name"),
        triple("subsidy", "身份证号码", "id_number"),
    ];
    expected.sort();
    let mut got = sv::header_mappings(db).await.unwrap();
    got.sort();
    assert_eq!(got, expected);

    // A later choice replaces the earlier one for that dataset only.
    let second = pairs(&[("身份证号码", "id_no"), ("发放金额", "amount")]);
    t.write(async |tx| sv::remember_mapping(tx, "subsidy", &second, Some(sup)).await)
        .await
        .unwrap();
    let mut got = sv::header_mappings(db).await.unwrap();
    got.sort();
    let mut expected = vec![
        triple("pension", "姓名", "full_name"),
        triple("subsidy", "发放金额", "amount"),
        triple("subsidy", "姓名", "name"),
        triple("subsidy", "身份证号码", "id_no"),
    ];
    expected.sort();
    assert_eq!(got, expected);
    assert_eq!(
        count(&t, "SELECT COUNT(*) FROM data_supervision_header_mapping").await,
        4,
        "replaced, not added"
    );
    // The same header twice in one call: the last one wins.
    let twice = pairs(&[("姓名", "a"), ("姓名", "b")]);
    t.write(async |tx| sv::remember_mapping(tx, "pension", &twice, None).await)
        .await
        .unwrap();
    let got = sv::header_mappings(db).await.unwrap();
    assert!(got.contains(&triple("pension", "姓名", "b")));
    assert_eq!(got.len(), 4);
}

async fn attachments_are_recorded_listed_and_fetched(t: TestDb) {
    let db = &t.db;
    let fin_admin = member(&t, "fin_admin", t.orgs.finance, &["unit_admin"]).await;
    let att = |owner_type: &str, owner_id: i64, name: &str, by: Option<UserId>| NewAttachment {
        owner_type: owner_type.into(),
        owner_id,
        file_name: name.into(),
        content_type: "application/pdf".into(),
        size_bytes: 5_000_000_000,
        sha256: "ab".repeat(32),
        storage_key: format!("2026/03/{name}.bin"),
        uploaded_by: by,
    };
    let create = |a: NewAttachment| {
        let t = &t;
        async move { t.write(async |tx| attachment::create(tx, &a).await).await }
    };
    let a1 = create(att("data_supervision_check", 10, "核查报告.pdf", Some(fin_admin)))
        .await
        .unwrap();
    let a2 = create(att("data_supervision_check", 11, "银行流水.pdf", None))
        .await
        .unwrap();
    let a3 = create(att("data_supervision_check", 10, "补充说明.pdf", Some(fin_admin)))
        .await
        .unwrap();
    let other = create(att("report", 10, "别的.pdf", None)).await.unwrap();
    assert_invalid(create(att("data_supervision_check", 10, "  ", None)).await, "file");

    let got = attachment::get(db, a1).await.unwrap();
    assert_eq!(
        (got.id, got.owner_type.as_str(), got.owner_id),
        (a1, "data_supervision_check", 10)
    );
    assert_eq!(got.file_name, "核查报告.pdf");
    assert_eq!(got.content_type, "application/pdf");
    assert_eq!(got.size_bytes, 5_000_000_000, "sizes beyond 4 GiB");
    assert_eq!(got.sha256, "ab".repeat(32));
    assert_eq!(got.storage_key, "2026/03/核查报告.pdf.bin");
    assert_eq!(got.uploaded_by_name, "测试fin_admin");
    assert!(!got.created_at.is_empty());
    assert_eq!(attachment::get(db, a2).await.unwrap().uploaded_by_name, "");
    assert_not_found(attachment::get(db, attachment::AttachmentId(999_999)).await);

    let ids_of = |v: Vec<attachment::Attachment>| v.into_iter().map(|a| a.id).collect::<Vec<_>>();
    assert_eq!(
        ids_of(attachment::list(db, "data_supervision_check", &[10]).await.unwrap()),
        [a1, a3]
    );
    assert_eq!(
        ids_of(attachment::list(db, "data_supervision_check", &[11, 10]).await.unwrap()),
        [a1, a2, a3],
        "oldest first"
    );
    assert_eq!(
        ids_of(attachment::list(db, "report", &[10, 11]).await.unwrap()),
        [other]
    );
    assert!(
        attachment::list(db, "data_supervision_check", &[])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        attachment::list(db, "data_supervision_check", &[12])
            .await
            .unwrap()
            .is_empty()
    );
}

// ---------------------------------------------------------------------------------------------
// Migration 3
// ---------------------------------------------------------------------------------------------

/// The data_supervision.* permissions of every role, by role code.
async fn ds_grants(t: &TestDb) -> BTreeMap<String, BTreeSet<String>> {
    let rows = sqlx::query(
        "SELECT r.code, rp.permission FROM role r LEFT JOIN role_permission rp ON rp.role_id = r.id AND rp.permission LIKE 'data_supervision.%'",
    )
    .fetch_all(t.db.pool())
    .await
    .unwrap();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in rows {
        let code: String = r.try_get(0).unwrap();
        let perm: Option<String> = r.try_get(1).unwrap();
        let e = out.entry(code).or_default();
        e.extend(perm);
    }
    out
}

async fn migration_3_grants_ds_permissions_to_roles_created_before_it(t: TestDb) {
    use qinglian_store::permission::{BUILTIN_ROLES, CATALOGUE};
    let db = &t.db;
    let expected: BTreeMap<String, BTreeSet<String>> = BUILTIN_ROLES
        .iter()
        .map(|b| {
            let ds = b
                .grants()
                .into_iter()
                .filter(|p| p.starts_with("data_supervision."))
                .map(|p| p.to_string())
                .collect();
            (b.code.to_string(), ds)
        })
        .collect();
    // Non-vacuous: every data_supervision.* permission of the catalogue is held by some
    // built-in role.
    let held: BTreeSet<&String> = expected.values().flatten().collect();
    let catalogue: BTreeSet<String> = CATALOGUE
        .iter()
        .filter(|p| p.code.starts_with("data_supervision."))
        .map(|p| p.code.to_string())
        .collect();
    assert_eq!(catalogue.len(), 8);
    assert_eq!(
        held,
        catalogue.iter().collect(),
        "each data_supervision.* permission has a default holder"
    );

    // A new database: the roles are created after migration 3, straight from BUILTIN_ROLES.
    assert_eq!(ds_grants(&t).await, expected);

    // Roll the database back to what an older version left: migrations 1–2 applied, built-in
    // roles (and a custom one) without any ds.* permission.
    t.write(async |tx| user::create_role(tx, "custom_role", "自定义角色").await)
        .await
        .unwrap();
    // Migration 13's tables refer to findings (a clue keeps its finding): an older database had
    // none of them either.
    for table in [
        "case_member",
        "case_record",
        "clue_triage_item",
        "clue_triage_meeting",
        "clue_verification",
        "clue_inquiry",
        "outcome",
        "document_number",
        "clue",
    ] {
        t.sql(&format!("DROP TABLE {table}")).await;
    }
    t.sql("ALTER TABLE report DROP COLUMN assigned_on").await;
    for table in [
        "attachment",
        "data_supervision_check",
        "data_supervision_finding",
        "data_supervision_job",
        "data_supervision_custom_model",
        "data_supervision_header_mapping",
    ] {
        t.sql(&format!("DROP TABLE {table}")).await;
    }
    t.sql("DELETE FROM schema_migrations WHERE version IN (3, 7, 9, 13)")
        .await;
    t.sql("DELETE FROM role_permission WHERE permission LIKE 'data_supervision.%'")
        .await;
    assert!(ds_grants(&t).await.values().all(BTreeSet::is_empty));

    // The upgrade applies migrations 3, 7 (ds.rules, issue #16) and 9 (the module's one name,
    // issue #11), which grant what the built-in roles hold by default, and 13 (clues).
    assert_eq!(qinglian_store::migrate::run(db).await.unwrap(), vec![3, 7, 9, 13]);
    let mut want = expected.clone();
    want.insert("custom_role".into(), BTreeSet::new());
    assert_eq!(ds_grants(&t).await, want, "custom roles get nothing");
    // Starting again changes nothing.
    assert!(qinglian_store::migrate::run(db).await.unwrap().is_empty());
    t.write(async |tx| user::ensure_builtin_roles(tx).await).await.unwrap();
    assert_eq!(ds_grants(&t).await, want);
    // And the tables are back.
    upsert(&t, None, "{}", &[fi("m", "S", "", "[]")]).await;
    assert_eq!(all_findings(&t).await.len(), 1);
}
