//! The report store (`qinglian_store::report`) called directly, on SQLite and PostgreSQL: the
//! whole flow of a named accusation and of a petition, idempotent hotline posting, transfer to
//! a unit and its report-back, scope isolation, the principal rule, refusals that write
//! nothing, the reporter's receipt view and rating, and the identity absent in plain text.

use chrono::NaiveDate;
use qinglian_crypto::{CryptoMode, KeyRing};
use qinglian_domain::calendar::Calendar;
use qinglian_domain::report::{self as rd, Channel, Kind, ReportAction, ReportState};
use qinglian_store::audit::Actor;
use qinglian_store::on_both;
use qinglian_store::org::OrgId;
use qinglian_store::report::{self, NewReport, ReportFilter, ReportId, Reporter, StepInput, Subject};
use qinglian_store::testing::{Backend, TestDb, create_user};
use qinglian_store::user::{self, UserId};
use qinglian_store::workflow::{Performer, Permissions, System};
use qinglian_store::{Scope, StoreError, StoreResult, org};
use sqlx::Row;

on_both!(
    a_duplicate_mark_can_be_undone,
    full_text_is_searched_after_decryption_within_scope,
    five_working_day_limits_for_reports_from_above_and_belonging_above_and_objections,
    named_accusation_runs_from_receipt_to_rating,
    petition_limits_follow_the_regulation_and_extend_once,
    hotline_posting_twice_with_one_external_id_is_one_report,
    an_assigned_report_is_in_the_units_queue_and_nowhere_else,
    a_report_about_the_principal_is_forwarded_and_hidden,
    refused_steps_write_nothing,
    the_identity_and_texts_are_never_stored_in_plain_text,
    duplicates_are_offered_by_subject_within_the_window,
    identity_disclosure_needs_the_leaders_approval_and_is_audited,
    a_rewarded_report_is_reviewed_approved_and_paid,
);

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn keys() -> KeyRing {
    KeyRing::from_keys(vec![(1, [7u8; 32])], CryptoMode::Guomi).unwrap()
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

const REPORTER_NAME: &str = "欧阳明远";
const REPORTER_ID: &str = "11010519491231002X";
const CONTENT: &str = "该局某科长在低保审批中收受好处费三千元";

fn new_report(t: &TestDb, kind: Kind, channel: Channel, received: &str) -> NewReport {
    NewReport {
        org_id: t.orgs.commission,
        kind,
        channel,
        external_id: None,
        reporter: Some(Reporter {
            name: REPORTER_NAME.into(),
            id_number: REPORTER_ID.into(),
            phone: "13912345678".into(),
            address: "测试市解放路1号".into(),
        }),
        receipt_hash: Some(format!("hash-{received}-{}", rand::random::<u32>())),
        subject: Subject {
            name: "张三".into(),
            org: "测试市民政局".into(),
            post: "科长".into(),
            level: "科级".into(),
        },
        category: "违反廉洁纪律".into(),
        title: "反映张三收受好处费".into(),
        content: CONTENT.into(),
        happened_on: "2026年5月".into(),
        place: "民政局".into(),
        visitors: 0,
        received_on: day(received),
        about_principal: false,
        belongs_higher: false,
        duplicate_of: None,
    }
}

async fn create(t: &TestDb, r: &NewReport) -> report::Created {
    let k = keys();
    let cal = Calendar::builtin();
    let due = rd::due(&cal, r.first_rule(), r.received_on);
    t.write(async |tx| report::create(tx, &k, r, due, None).await)
        .await
        .unwrap()
}

fn by<'a>(user: Option<UserId>, perms: &'a dyn Permissions) -> Performer<'a> {
    Performer {
        user_id: user,
        actor: Actor::system("test"),
        mode: CryptoMode::Guomi,
        perms,
    }
}

/// The reporter through the portal: only the reporter's permission.
struct Portal;
impl Permissions for Portal {
    fn can(&self, p: &str) -> bool {
        p == rd::PERM_REPORTER
    }
}

async fn act(
    t: &TestDb,
    s: &Scope,
    id: ReportId,
    action: ReportAction,
    input: StepInput,
    on: &str,
    performer: &Performer<'_>,
) -> StoreResult<ReportState> {
    let k = keys();
    let cal = Calendar::builtin();
    let due = |rule: &str, start: NaiveDate| rd::due(&cal, rule, start);
    t.write(async |tx| report::act(tx, &k, s, id, action, &input, day(on), &due, performer).await)
        .await
}

fn text(s: &str) -> StepInput {
    StepInput {
        text: s.into(),
        ..StepInput::default()
    }
}

/// The report's deadlines: (rule, org, due date, open).
async fn deadlines(t: &TestDb, id: ReportId) -> Vec<(String, OrgId, String, bool)> {
    sqlx::query(
        "SELECT rule_id, org_id, due_date, CASE WHEN done_at IS NULL THEN 1 ELSE 0 END FROM deadline \
         WHERE object_type = 'report' AND object_id = $1 ORDER BY id",
    )
    .bind(id.to_string())
    .fetch_all(t.db.pool())
    .await
    .unwrap()
    .into_iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get::<i64, _>(3) == 1))
    .collect()
}

async fn handler(t: &TestDb) -> UserId {
    create_user(&t.db, "xfs", t.orgs.commission, &["reports"], &[t.orgs.city], "x").await
}

// RULES.md §2: a named accusation gets the acceptance notice within 15 working days of
// receipt and the result within 15 working days of the conclusion; the reporter follows it by
// the receipt code, sees the replies (never internal notes) and rates the reply once.
async fn named_accusation_runs_from_receipt_to_rating(t: TestDb) {
    let k = keys();
    let officer = handler(&t).await;
    let all = everything();
    let mut r = new_report(&t, Kind::Accusation, Channel::Online, "2026-09-21");
    r.receipt_hash = Some("receipt-1".into());
    let c = create(&t, &r).await;
    assert!(!c.existing);
    assert_eq!(c.state, ReportState::Registered);
    // 2026-09-21 + 15 working days over 中秋 (09-25) and 国庆 (10-01..10-07, 10-10 a make-up
    // Saturday): 10-19 (RULES.md §1).
    assert_eq!(
        deadlines(&t, c.id).await,
        vec![(
            rd::RULE_ACCEPT_NOTICE.into(),
            t.orgs.commission,
            "2026-10-19".into(),
            true
        )]
    );
    let me = by(Some(officer), &System);
    assert_eq!(
        act(&t, &all, c.id, ReportAction::Accept, text(""), "2026-09-25", &me)
            .await
            .unwrap(),
        ReportState::Accepted
    );
    act(
        &t,
        &all,
        c.id,
        ReportAction::Conclude,
        text("查实，已立案"),
        "2026-11-02",
        &me,
    )
    .await
    .unwrap();
    let d = deadlines(&t, c.id).await;
    assert_eq!(d.len(), 2);
    assert!(!d[0].3, "the acceptance limit is done");
    assert_eq!(d[1].0, rd::RULE_RESULT_NOTICE);
    assert_eq!(d[1].2, "2026-11-23", "15 working days from 11-02");
    assert!(d[1].3);
    act(
        &t,
        &all,
        c.id,
        ReportAction::Reply,
        text("经核查，反映问题属实，已依规依纪处理。"),
        "2026-11-05",
        &me,
    )
    .await
    .unwrap();
    assert!(
        deadlines(&t, c.id).await.iter().all(|d| !d.3),
        "nothing open after the reply"
    );

    let view = report::by_receipt(&t.db, &k, "receipt-1").await.unwrap().unwrap();
    assert_eq!(view.state, ReportState::Replied);
    let steps: Vec<&str> = view.progress.iter().map(|(s, _)| *s).collect();
    assert_eq!(steps, vec!["已受理", "已办结", "已答复"], "the reporter's timeline");
    let texts: Vec<&str> = view.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        texts,
        vec!["经核查，反映问题属实，已依规依纪处理。"],
        "the internal note stays inside"
    );
    assert!(
        view.messages.iter().all(|m| m.by_name.is_empty()),
        "no staff names on the portal"
    );
    assert!(report::by_receipt(&t.db, &k, "receipt-x").await.unwrap().is_none());

    t.write(async |tx| report::rate(tx, c.id, "bad").await)
        .await
        .unwrap_err();
    t.write(async |tx| report::rate(tx, c.id, "satisfied").await)
        .await
        .unwrap();
    let again = t.write(async |tx| report::rate(tx, c.id, "unsatisfied").await).await;
    assert!(matches!(again, Err(StoreError::Conflict { .. })), "{again:?}");
    let got = report::get(&t.db, &k, &all, c.id).await.unwrap();
    assert_eq!(got.satisfaction, "satisfied");
    assert_eq!(got.content, CONTENT);

    // The reporter asks for a review: only the portal's performer may; the handler answers.
    let portal = by(None, &Portal);
    let refused = act(&t, &all, c.id, ReportAction::Accept, text(""), "2026-11-06", &portal).await;
    assert!(refused.is_err());
    assert_eq!(
        act(
            &t,
            &all,
            c.id,
            ReportAction::RequestReview,
            text("处理过轻"),
            "2026-11-06",
            &portal
        )
        .await
        .unwrap(),
        ReportState::Reviewing
    );
    let d = deadlines(&t, c.id).await;
    assert_eq!(d.last().unwrap().0, rd::RULE_REVIEW_ANSWER);
    act(
        &t,
        &all,
        c.id,
        ReportAction::AnswerReview,
        text("维持原处理意见"),
        "2026-11-20",
        &me,
    )
    .await
    .unwrap();
    let view = report::by_receipt(&t.db, &k, "receipt-1").await.unwrap().unwrap();
    assert_eq!(view.messages.len(), 3, "reply, review request, review answer");
    assert_eq!(view.state, ReportState::ReviewAnswered);
    // 复核: once more, then final (信访工作条例: the same facts are not accepted again).
    let again = act(
        &t,
        &all,
        c.id,
        ReportAction::RequestReview,
        text("仍不服"),
        "2026-11-21",
        &portal,
    )
    .await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "no second 复查: {again:?}"
    );
    act(
        &t,
        &all,
        c.id,
        ReportAction::RequestReReview,
        text("仍不服"),
        "2026-11-21",
        &portal,
    )
    .await
    .unwrap();
    assert_eq!(deadlines(&t, c.id).await.last().unwrap().0, rd::RULE_RE_REVIEW_ANSWER);
    assert_eq!(
        act(
            &t,
            &all,
            c.id,
            ReportAction::AnswerReReview,
            text("复核维持原意见"),
            "2026-12-01",
            &me
        )
        .await
        .unwrap(),
        ReportState::Closed
    );
    for a in [ReportAction::RequestReview, ReportAction::RequestReReview] {
        assert!(
            act(&t, &all, c.id, a, text("再申请"), "2026-12-02", &portal)
                .await
                .is_err(),
            "{a:?}"
        );
    }
}

// 信访工作条例: 15 days to register and route, 60 days to handle from acceptance, one extension
// of at most 30 days with the reason told (RULES.md §2).
async fn petition_limits_follow_the_regulation_and_extend_once(t: TestDb) {
    let officer = handler(&t).await;
    let all = everything();
    let me = by(Some(officer), &System);
    let c = create(&t, &new_report(&t, Kind::Suggestion, Channel::Letter, "2026-03-02")).await;
    assert_eq!(
        deadlines(&t, c.id).await,
        vec![(
            rd::RULE_PETITION_REGISTER.into(),
            t.orgs.commission,
            "2026-03-17".into(),
            true
        )]
    );
    act(&t, &all, c.id, ReportAction::Accept, text(""), "2026-03-05", &me)
        .await
        .unwrap();
    let d = deadlines(&t, c.id).await;
    assert!(!d[0].3);
    assert_eq!(
        (d[1].0.as_str(), d[1].2.as_str(), d[1].3),
        (rd::RULE_PETITION_HANDLE, "2026-05-06", true),
        "60 days end on 05-04, inside 劳动节: the next working day"
    );
    let no_reason = act(&t, &all, c.id, ReportAction::Extend, text("  "), "2026-04-20", &me).await;
    assert!(
        matches!(no_reason, Err(StoreError::Invalid { field, .. }) if field == "text"),
        "{no_reason:?}"
    );
    act(
        &t,
        &all,
        c.id,
        ReportAction::Extend,
        text("需调取外地材料"),
        "2026-04-20",
        &me,
    )
    .await
    .unwrap();
    let d = deadlines(&t, c.id).await;
    assert_eq!(d.len(), 3);
    assert!(!d[1].3, "the handling limit is replaced");
    assert_eq!(d[2].0, rd::RULE_PETITION_EXTENSION);
    assert!(d[2].3);
    let twice = act(
        &t,
        &all,
        c.id,
        ReportAction::Extend,
        text("再延一次"),
        "2026-04-21",
        &me,
    )
    .await;
    assert!(matches!(twice, Err(StoreError::Conflict { .. })), "{twice:?}");
    act(&t, &all, c.id, ReportAction::Conclude, text(""), "2026-05-10", &me)
        .await
        .unwrap();
    act(
        &t,
        &all,
        c.id,
        ReportAction::Reply,
        text("您的建议已转相关部门采纳"),
        "2026-05-11",
        &me,
    )
    .await
    .unwrap();
    assert!(deadlines(&t, c.id).await.iter().all(|d| !d.3));
}

// 12345 posts through the API with its own id: the same id twice is one report.
async fn hotline_posting_twice_with_one_external_id_is_one_report(t: TestDb) {
    let mut r = new_report(&t, Kind::ServiceRequest, Channel::Hotline, "2026-06-01");
    r.external_id = Some("12345-2026-000187".into());
    r.reporter = None;
    let first = create(&t, &r).await;
    r.receipt_hash = Some("another".into());
    let second = create(&t, &r).await;
    assert!(!first.existing);
    assert!(second.existing);
    assert_eq!(first.id, second.id);
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM report")
        .fetch_one(t.db.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    assert_eq!(deadlines(&t, first.id).await.len(), 1, "one limit, not two");
    // Another channel may reuse the number.
    r.channel = Channel::MayorMailbox;
    assert!(!create(&t, &r).await.existing);
}

// 交办: the report enters the unit's queue with a report-back limit owned by the unit; the unit
// sees it, a sibling unit does not; the report-back tells the office; a return reopens it.
async fn an_assigned_report_is_in_the_units_queue_and_nowhere_else(t: TestDb) {
    let k = keys();
    let officer = handler(&t).await;
    let unit_user = create_user(&t.db, "fin", t.orgs.finance, &["unit_admin"], &[t.orgs.finance], "x").await;
    let office = scope(&t, &[t.orgs.commission]).await;
    let finance = scope(&t, &[t.orgs.finance]).await;
    let civil = scope(&t, &[t.orgs.civil]).await;
    let me = by(Some(officer), &System);
    let c = create(&t, &new_report(&t, Kind::Accusation, Channel::Visit, "2026-06-01")).await;
    let other = create(&t, &new_report(&t, Kind::Accusation, Channel::Phone, "2026-06-02")).await;
    act(&t, &office, c.id, ReportAction::Accept, text(""), "2026-06-02", &me)
        .await
        .unwrap();
    let ids = |p: &qinglian_store::sql::Page<report::Report>| p.items.iter().map(|r| r.id).collect::<Vec<_>>();
    let list = async |s: &Scope| {
        report::list(&t.db, &k, s, &ReportFilter::default(), "received", true, 1, 50)
            .await
            .unwrap()
    };
    assert!(ids(&list(&finance).await).is_empty(), "nothing assigned yet");

    let assign = StepInput {
        text: "请核实并于15个工作日内报告".into(),
        org_id: Some(t.orgs.finance),
        ..StepInput::default()
    };
    act(&t, &office, c.id, ReportAction::Assign, assign, "2026-06-03", &me)
        .await
        .unwrap();
    assert_eq!(ids(&list(&finance).await), vec![c.id]);
    assert!(ids(&list(&civil).await).is_empty());
    assert_eq!(ids(&list(&office).await), vec![other.id, c.id]);
    let d = deadlines(&t, c.id).await;
    let last = d.last().unwrap();
    assert_eq!(
        (last.0.as_str(), last.1, last.3),
        (rd::RULE_ASSIGN_BACK, t.orgs.finance, true)
    );
    // The unit is told.
    let told: i64 = sqlx::query("SELECT COUNT(*) FROM notification WHERE user_id = $1")
        .bind(unit_user)
        .fetch_one(t.db.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(told, 1);
    // The unit's filter by handler.
    let f = ReportFilter {
        handler_org_id: Some(t.orgs.finance),
        ..ReportFilter::default()
    };
    let page = report::list(&t.db, &k, &office, &f, "received", true, 1, 50)
        .await
        .unwrap();
    assert_eq!(ids(&page), vec![c.id]);

    // A sibling unit cannot act on it; the unit reports back with its real permissions.
    let civil_user = create_user(&t.db, "civ", t.orgs.civil, &["unit_admin"], &[t.orgs.civil], "x").await;
    let civ_p = user::load_principal(&t.db, civil_user).await.unwrap();
    let no = act(
        &t,
        &civil,
        c.id,
        ReportAction::ReportBack,
        text("已核实"),
        "2026-06-10",
        &by(Some(civil_user), &civ_p),
    )
    .await;
    assert!(matches!(no, Err(StoreError::NotFound(_))), "{no:?}");
    let fin_p = user::load_principal(&t.db, unit_user).await.unwrap();
    let fin = by(Some(unit_user), &fin_p);
    let no_accept = act(
        &t,
        &finance,
        other.id,
        ReportAction::Accept,
        text(""),
        "2026-06-10",
        &fin,
    )
    .await;
    assert!(
        matches!(no_accept, Err(StoreError::NotFound(_))),
        "not the unit's report: {no_accept:?}"
    );
    let empty = act(
        &t,
        &finance,
        c.id,
        ReportAction::ReportBack,
        text(""),
        "2026-06-10",
        &fin,
    )
    .await;
    assert!(matches!(empty, Err(StoreError::Invalid { .. })));
    assert_eq!(
        act(
            &t,
            &finance,
            c.id,
            ReportAction::ReportBack,
            text("经核实，情况基本属实"),
            "2026-06-10",
            &fin
        )
        .await
        .unwrap(),
        ReportState::ReportedBack
    );
    let msgs = report::messages(&t.db, &k, c.id, false).await.unwrap();
    let back = msgs.iter().find(|m| m.kind == report::message::BACK).unwrap();
    assert_eq!(back.org_name, "测试市财政局");
    assert!(!back.public);
    let office_told: i64 = sqlx::query("SELECT COUNT(*) FROM notification WHERE user_id = $1")
        .bind(officer)
        .fetch_one(t.db.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(office_told, 1, "the office is told of the report-back");
    // Returned: the unit's limit opens again.
    act(
        &t,
        &office,
        c.id,
        ReportAction::ReturnBack,
        text("请补充谈话记录"),
        "2026-06-11",
        &me,
    )
    .await
    .unwrap();
    let d = deadlines(&t, c.id).await;
    assert_eq!(d.iter().filter(|d| d.3).count(), 1);
    assert_eq!(d.last().unwrap().1, t.orgs.finance);
}

// RULES.md §2: a report about the commission's own principal goes to the next level up; this
// level's lists and pages never show it.
async fn a_report_about_the_principal_is_forwarded_and_hidden(t: TestDb) {
    let k = keys();
    let mut r = new_report(&t, Kind::Accusation, Channel::Letter, "2026-06-01");
    r.about_principal = true;
    let c = create(&t, &r).await;
    assert_eq!(c.state, ReportState::Forwarded);
    let page = report::list(
        &t.db,
        &k,
        &everything(),
        &ReportFilter::default(),
        "received",
        true,
        1,
        50,
    )
    .await
    .unwrap();
    assert_eq!(page.total, 0);
    assert!(matches!(
        report::get(&t.db, &k, &everything(), c.id).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn refused_steps_write_nothing(t: TestDb) {
    let k = keys();
    let officer = handler(&t).await;
    let all = everything();
    let p = user::load_principal(&t.db, officer).await.unwrap();
    let me = by(Some(officer), &p);
    let c = create(&t, &new_report(&t, Kind::Accusation, Channel::Letter, "2026-06-01")).await;
    let before = deadlines(&t, c.id).await;
    // Not allowed in this state.
    let r = act(&t, &all, c.id, ReportAction::Reply, text("答复"), "2026-06-02", &me).await;
    assert!(matches!(r, Err(StoreError::Conflict { .. })), "{r:?}");
    // A reason is required to decline.
    let r = act(&t, &all, c.id, ReportAction::Decline, text(""), "2026-06-02", &me).await;
    assert!(matches!(r, Err(StoreError::Invalid { .. })), "{r:?}");
    // Assign needs a unit; an inactive one is refused.
    act(&t, &all, c.id, ReportAction::Accept, text(""), "2026-06-02", &me)
        .await
        .unwrap();
    let r = act(&t, &all, c.id, ReportAction::Assign, text("请办理"), "2026-06-03", &me).await;
    assert!(
        matches!(r, Err(StoreError::Invalid { field, .. }) if field == "org_id"),
        "{r:?}"
    );
    // Marking a duplicate of itself.
    let dup = StepInput {
        duplicate_of: Some(c.id),
        ..text("")
    };
    let fresh = create(&t, &new_report(&t, Kind::Accusation, Channel::Letter, "2026-06-01")).await;
    let r = act(
        &t,
        &all,
        fresh.id,
        ReportAction::MarkDuplicate,
        dup.clone(),
        "2026-06-02",
        &me,
    )
    .await;
    assert!(r.is_ok(), "{r:?}");
    let self_dup = StepInput {
        duplicate_of: Some(c.id),
        ..text("")
    };
    let r = act(&t, &all, c.id, ReportAction::MarkDuplicate, self_dup, "2026-06-02", &me).await;
    assert!(r.is_err());
    let got = report::get(&t.db, &k, &all, c.id).await.unwrap();
    assert_eq!(got.state(), ReportState::Accepted);
    assert_eq!(
        deadlines(&t, c.id).await.len(),
        before.len(),
        "no limit opened by a refusal"
    );
    let msgs = report::messages(&t.db, &k, c.id, false).await.unwrap();
    assert!(msgs.is_empty(), "no message from a refused step: {msgs:?}");
    let dupd = report::get(&t.db, &k, &all, fresh.id).await.unwrap();
    assert_eq!((dupd.state(), dupd.duplicate_of), (ReportState::Duplicate, Some(c.id)));
    // A unit admin cannot handle.
    let unit_user = create_user(&t.db, "fin", t.orgs.finance, &["unit_admin"], &[t.orgs.city], "x").await;
    let up = user::load_principal(&t.db, unit_user).await.unwrap();
    let other = create(&t, &new_report(&t, Kind::Accusation, Channel::Letter, "2026-06-01")).await;
    let r = act(
        &t,
        &all,
        other.id,
        ReportAction::Accept,
        text(""),
        "2026-06-02",
        &by(Some(unit_user), &up),
    )
    .await;
    assert!(matches!(r, Err(StoreError::Forbidden(_))), "{r:?}");
}

// Reporter protection: name, ID number, title, content and messages never reach the database
// in plain text; only the key ring opens them, and only on their own row.
async fn the_identity_and_texts_are_never_stored_in_plain_text(t: TestDb) {
    let k = keys();
    let officer = handler(&t).await;
    let c = create(&t, &new_report(&t, Kind::Accusation, Channel::Online, "2026-06-01")).await;
    act(
        &t,
        &everything(),
        c.id,
        ReportAction::Decline,
        text("不属于本机关受理范围，秘密回复词"),
        "2026-06-02",
        &by(Some(officer), &System),
    )
    .await
    .unwrap();
    let row = sqlx::query("SELECT reporter_enc, title_enc, content_enc FROM report WHERE id = $1")
        .bind(c.id)
        .fetch_one(t.db.pool())
        .await
        .unwrap();
    let stored: Vec<String> = (0..3).map(|i| row.get::<String, _>(i)).collect();
    let msg: String = sqlx::query("SELECT text_enc FROM report_message WHERE report_id = $1")
        .bind(c.id)
        .fetch_one(t.db.pool())
        .await
        .unwrap()
        .get(0);
    for (secret, what) in [
        (REPORTER_NAME, "name"),
        (REPORTER_ID, "ID"),
        ("13912345678", "phone"),
        ("收受好处费", "text"),
        ("秘密回复词", "reply"),
    ] {
        for s in stored.iter().chain([&msg]) {
            assert!(!s.contains(secret), "{what} in plain text");
        }
    }
    if t.backend == Backend::Sqlite {
        // The whole database file (and its WAL) holds none of them.
        let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(t.db.pool())
            .await;
        let path: String = sqlx::query("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .fetch_one(t.db.pool())
            .await
            .unwrap()
            .get(0);
        let dir = std::path::Path::new(&path).parent().unwrap();
        for entry in std::fs::read_dir(dir).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap_or_default();
            for secret in [REPORTER_NAME, REPORTER_ID, "收受好处费", "秘密回复词"] {
                let needle = secret.as_bytes();
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle),
                    "{secret} in the database file"
                );
            }
        }
    }
    let who = report::reporter(&t.db, &k, c.id).await.unwrap().unwrap();
    assert_eq!(who.id_number, REPORTER_ID);
    // A ciphertext copied onto another row does not open there.
    let other = create(&t, &new_report(&t, Kind::Accusation, Channel::Online, "2026-06-01")).await;
    sqlx::query("UPDATE report SET reporter_enc = $1 WHERE id = $2")
        .bind(&stored[0])
        .bind(other.id)
        .execute(t.db.pool())
        .await
        .unwrap();
    assert!(report::reporter(&t.db, &k, other.id).await.is_err());
}

async fn duplicates_are_offered_by_subject_within_the_window(t: TestDb) {
    let k = keys();
    let a = create(&t, &new_report(&t, Kind::Accusation, Channel::Letter, "2026-03-01")).await;
    let b = create(&t, &new_report(&t, Kind::Accusation, Channel::Phone, "2026-05-20")).await;
    let mut other = new_report(&t, Kind::Accusation, Channel::Phone, "2026-05-21");
    other.subject.name = "李四".into();
    create(&t, &other).await;
    let found = report::same_subject(&t.db, &k, &everything(), " 张三 ", day("2026-06-01"), 60)
        .await
        .unwrap();
    assert_eq!(found.iter().map(|r| r.id).collect::<Vec<_>>(), vec![b.id]);
    let longer = report::same_subject(&t.db, &k, &everything(), "张三", day("2026-06-01"), 365)
        .await
        .unwrap();
    assert_eq!(longer.iter().map(|r| r.id).collect::<Vec<_>>(), vec![b.id, a.id]);
    let finance = scope(&t, &[t.orgs.finance]).await;
    assert!(
        report::same_subject(&t.db, &k, &finance, "张三", day("2026-06-01"), 365)
            .await
            .unwrap()
            .is_empty()
    );
}

// Issue #12 §4: seeing who reported needs a request with a reason, approved by the
// commission's leader; only the requester sees it, only until the approval expires; every
// step is audited and the people concerned are told.
async fn identity_disclosure_needs_the_leaders_approval_and_is_audited(t: TestDb) {
    use qinglian_domain::report::DisclosureAction;
    let officer = handler(&t).await;
    let other = create_user(&t.db, "xfs2", t.orgs.commission, &["reports"], &[t.orgs.city], "x").await;
    let leader = create_user(&t.db, "boss", t.orgs.commission, &["leader"], &[t.orgs.city], "x").await;
    let all = everything();
    let named = create(&t, &new_report(&t, Kind::Accusation, Channel::Online, "2026-06-01")).await;
    let mut anon = new_report(&t, Kind::Accusation, Channel::Online, "2026-06-01");
    anon.reporter = None;
    let anon = create(&t, &anon).await;
    let op = user::load_principal(&t.db, officer).await.unwrap();
    let me = by(Some(officer), &op);
    let req = async |id: ReportId, reason: &str, who: &Performer<'_>| {
        t.write(async |tx| report::request_disclosure(tx, &all, id, reason, who).await)
            .await
    };
    let r = req(anon.id, "需要联系举报人", &me).await;
    assert!(matches!(r, Err(StoreError::Conflict { .. })), "anonymous: {r:?}");
    let r = req(named.id, " ", &me).await;
    assert!(matches!(r, Err(StoreError::Invalid { .. })), "a reason: {r:?}");
    let first = req(named.id, "需当面核实反映内容", &me).await.unwrap();
    let again = req(named.id, "再次申请", &me).await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "one open request: {again:?}"
    );
    let told: i64 = sqlx::query("SELECT COUNT(*) FROM notification WHERE user_id = $1")
        .bind(leader)
        .fetch_one(t.db.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(told, 1, "the leader is told");
    assert!(
        report::active_disclosure(&t.db, named.id, officer)
            .await
            .unwrap()
            .is_none()
    );

    // The handler cannot approve their own request.
    let self_approve = t
        .write(async |tx| report::decide_disclosure(tx, &all, first, DisclosureAction::Approve, "", 24, &me).await)
        .await;
    assert!(
        matches!(self_approve, Err(StoreError::Forbidden(_))),
        "{self_approve:?}"
    );
    let lp = user::load_principal(&t.db, leader).await.unwrap();
    let boss = by(Some(leader), &lp);
    t.write(async |tx| report::decide_disclosure(tx, &all, first, DisclosureAction::Approve, "同意", 24, &boss).await)
        .await
        .unwrap();
    let granted = report::active_disclosure(&t.db, named.id, officer)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(granted.status, "approved");
    assert!(
        report::active_disclosure(&t.db, named.id, other)
            .await
            .unwrap()
            .is_none(),
        "the requester only"
    );
    let twice = t
        .write(async |tx| report::decide_disclosure(tx, &all, first, DisclosureAction::Reject, "x", 24, &boss).await)
        .await;
    assert!(matches!(twice, Err(StoreError::Conflict { .. })), "{twice:?}");
    let requester_told: i64 = sqlx::query("SELECT COUNT(*) FROM notification WHERE user_id = $1")
        .bind(officer)
        .fetch_one(t.db.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(requester_told, 1);
    // Expired: no longer in force.
    sqlx::query("UPDATE report_disclosure SET expires_at = '2000-01-01T00:00:00Z' WHERE id = $1")
        .bind(first)
        .execute(t.db.pool())
        .await
        .unwrap();
    assert!(
        report::active_disclosure(&t.db, named.id, officer)
            .await
            .unwrap()
            .is_none()
    );
    // Rejected: never in force.
    let op2 = user::load_principal(&t.db, other).await.unwrap();
    let second = req(named.id, "核实身份", &by(Some(other), &op2)).await.unwrap();
    t.write(async |tx| {
        report::decide_disclosure(tx, &all, second, DisclosureAction::Reject, "理由不充分", 24, &boss).await
    })
    .await
    .unwrap();
    assert!(
        report::active_disclosure(&t.db, named.id, other)
            .await
            .unwrap()
            .is_none()
    );
    let listed = report::disclosures(&t.db, &all, None, Some(named.id)).await.unwrap();
    assert_eq!(
        listed.iter().map(|d| d.status.as_str()).collect::<Vec<_>>(),
        vec!["rejected", "approved"]
    );
    // The audit trail: two requests and two decisions.
    let actions: Vec<String> =
        sqlx::query("SELECT action FROM audit_log WHERE action LIKE 'report.disclosure%' ORDER BY seq")
            .fetch_all(t.db.pool())
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.get(0))
            .collect();
    assert_eq!(
        actions,
        vec![
            "report.disclosure.request",
            "report.disclosure.approve",
            "report.disclosure.request",
            "report.disclosure.reject"
        ]
    );
}

// Issue #12 §3: 有奖举报 — after the conclusion an eligibility review proposes a band, the
// commission's leader approves, the payment is recorded; the reporter's view shows it.
async fn a_rewarded_report_is_reviewed_approved_and_paid(t: TestDb) {
    use qinglian_domain::report::{RewardAction, RewardState};
    let officer = handler(&t).await;
    let leader = create_user(&t.db, "boss", t.orgs.commission, &["leader"], &[t.orgs.city], "x").await;
    let all = everything();
    let op = user::load_principal(&t.db, officer).await.unwrap();
    let lp = user::load_principal(&t.db, leader).await.unwrap();
    let me = by(Some(officer), &op);
    let boss = by(Some(leader), &lp);
    let bands = vec![("一档".to_string(), 500), ("二档".to_string(), 2000)];
    let mut r = new_report(&t, Kind::RewardedReport, Channel::Online, "2026-06-01");
    r.receipt_hash = Some("reward-receipt".into());
    let c = create(&t, &r).await;
    let plain = create(&t, &new_report(&t, Kind::Accusation, Channel::Online, "2026-06-01")).await;
    let propose = async |id: ReportId, band: &str| {
        t.write(async |tx| report::propose_reward(tx, &all, id, band, &bands, "经查属实，对查处起重要作用", &me).await)
            .await
    };
    let early = propose(c.id, "一档").await;
    assert!(
        matches!(early, Err(StoreError::Conflict { .. })),
        "not before the conclusion: {early:?}"
    );
    for (a, note) in [(ReportAction::Accept, ""), (ReportAction::Conclude, "查实")] {
        act(&t, &all, c.id, a, text(note), "2026-06-10", &me).await.unwrap();
    }
    act(&t, &all, plain.id, ReportAction::Accept, text(""), "2026-06-10", &me)
        .await
        .unwrap();
    act(&t, &all, plain.id, ReportAction::Conclude, text(""), "2026-06-10", &me)
        .await
        .unwrap();
    assert!(
        matches!(propose(plain.id, "一档").await, Err(StoreError::Conflict { .. })),
        "only rewarded reports"
    );
    assert!(
        matches!(propose(c.id, "九档").await, Err(StoreError::Invalid { .. })),
        "a configured band"
    );
    propose(c.id, "二档").await.unwrap();
    assert!(
        matches!(propose(c.id, "一档").await, Err(StoreError::Conflict { .. })),
        "one per report"
    );
    let w = report::reward_of(&t.db, c.id).await.unwrap().unwrap();
    assert_eq!(
        (w.state(), w.amount, w.band.as_str()),
        (RewardState::Proposed, 2000, "二档")
    );
    let told: i64 = sqlx::query("SELECT COUNT(*) FROM notification WHERE user_id = $1")
        .bind(leader)
        .fetch_one(t.db.pool())
        .await
        .unwrap()
        .get(0);
    assert_eq!(told, 1, "the leader is asked");
    let step = async |a: RewardAction, note: &str, who: &Performer<'_>| {
        t.write(async |tx| report::reward_step(tx, &all, c.id, a, note, day("2026-06-20"), who).await)
            .await
    };
    assert!(
        matches!(
            step(RewardAction::Approve, "", &me).await,
            Err(StoreError::Forbidden(_))
        ),
        "the office cannot approve"
    );
    assert!(
        matches!(
            step(RewardAction::Pay, "现金", &me).await,
            Err(StoreError::Conflict { .. })
        ),
        "not before approval"
    );
    step(RewardAction::Approve, "同意", &boss).await.unwrap();
    assert!(
        matches!(step(RewardAction::Pay, "", &me).await, Err(StoreError::Invalid { .. })),
        "how it was paid"
    );
    step(RewardAction::Pay, "银行转账，凭证号2026-0618", &me).await.unwrap();
    let w = report::reward_of(&t.db, c.id).await.unwrap().unwrap();
    assert_eq!((w.state(), w.paid_on.as_str()), (RewardState::Paid, "2026-06-20"));
    assert_eq!(report::rewards(&t.db, &all, Some("paid")).await.unwrap().len(), 1);
    let finance = scope(&t, &[t.orgs.finance]).await;
    assert!(
        report::rewards(&t.db, &finance, None).await.unwrap().is_empty(),
        "scoped"
    );
}

/// Issue #12 §4: the text is stored only encrypted, and staff still find a report by words of
/// its content — within their scope only.
async fn full_text_is_searched_after_decryption_within_scope(t: TestDb) {
    let k = keys();
    let c = create(&t, &new_report(&t, Kind::Accusation, Channel::Letter, "2026-06-01")).await;
    let find = |s: Scope, q: &str| {
        let f = ReportFilter {
            q: Some(q.into()),
            ..Default::default()
        };
        let db = t.db.clone();
        let k = k.clone();
        async move { report::list(&db, &k, &s, &f, "received", true, 1, 20).await.unwrap() }
    };
    let hit = find(everything(), "低保审批").await;
    assert_eq!(hit.items.iter().map(|r| r.id).collect::<Vec<_>>(), vec![c.id]);
    assert_eq!(find(everything(), "与此无关的词").await.total, 0);
    // A single character is not searched in the text (it would match almost everything).
    assert_eq!(find(everything(), "费").await.total, 0);
    // Outside the scope the text is not searched at all.
    let finance = scope(&t, &[t.orgs.finance]).await;
    assert_eq!(find(finance, "低保审批").await.total, 0);
}

/// RULES.md §2: a report sent down by a higher commission is accepted or transferred within 5
/// working days; one that belongs to a higher commission is forwarded up within 5 working days;
/// a unit objects to an assigned petition outside its remit within 5 working days.
async fn five_working_day_limits_for_reports_from_above_and_belonging_above_and_objections(t: TestDb) {
    let mut r = new_report(&t, Kind::Accusation, Channel::FromHigher, "2026-06-01");
    r.receipt_hash = None;
    let c = create(&t, &r).await;
    let d = deadlines(&t, c.id).await;
    assert_eq!(
        (d[0].0.as_str(), d[0].2.as_str()),
        ("report_lower_accept_or_transfer", "2026-06-08")
    );
    let mut r = new_report(&t, Kind::Accusation, Channel::Letter, "2026-06-01");
    r.belongs_higher = true;
    let c = create(&t, &r).await;
    assert_eq!(deadlines(&t, c.id).await[0].0, "report_forward_higher");
    // A petition assigned to 财政局 on 2026-06-10: the unit may object until 2026-06-17.
    let p = create(&t, &new_report(&t, Kind::ServiceRequest, Channel::Phone, "2026-06-01")).await;
    act(
        &t,
        &everything(),
        p.id,
        ReportAction::Accept,
        text(""),
        "2026-06-02",
        &by(None, &System),
    )
    .await
    .unwrap();
    let assign = StepInput {
        org_id: Some(t.orgs.finance),
        promised_on: Some(day("2026-07-01")),
        ..StepInput::default()
    };
    act(
        &t,
        &everything(),
        p.id,
        ReportAction::Assign,
        assign,
        "2026-06-10",
        &by(None, &System),
    )
    .await
    .unwrap();
    let unit = scope(&t, &[t.orgs.finance]).await;
    // The unit's to-do card counts it (its own steps: report back or object).
    let can = |p: &str| p == rd::PERM_UNIT;
    let cards = report::todo(&t.db, &unit, &can, day("2026-06-11")).await.unwrap();
    assert_eq!(cards.iter().map(|c| c.counts.count).sum::<i64>(), 1, "{cards:?}");
    let late = act(
        &t,
        &unit,
        p.id,
        ReportAction::Object,
        text("不属本单位职责"),
        "2026-06-18",
        &by(None, &System),
    )
    .await;
    assert!(
        matches!(&late, Err(StoreError::Conflict { message, .. }) if message.contains("2026-06-17")),
        "{late:?}"
    );
    let empty = act(
        &t,
        &unit,
        p.id,
        ReportAction::Object,
        text(""),
        "2026-06-17",
        &by(None, &System),
    )
    .await;
    assert!(matches!(empty, Err(StoreError::Invalid { field: "text", .. })));
    let back = act(
        &t,
        &unit,
        p.id,
        ReportAction::Object,
        text("该事项属市场监管部门职责"),
        "2026-06-17",
        &by(None, &System),
    )
    .await;
    assert_eq!(back.unwrap(), ReportState::Accepted);
    // Back with the office: out of the unit's queue, the objection kept as its own message.
    assert!(
        report::todo(&t.db, &unit, &can, day("2026-06-17"))
            .await
            .unwrap()
            .is_empty()
    );
    let kind: String = sqlx::query_scalar("SELECT kind FROM report_message WHERE report_id = $1 ORDER BY id DESC")
        .bind(p.id)
        .fetch_one(t.db.pool())
        .await
        .unwrap();
    assert_eq!(kind, "objection");
}

/// A report marked as a duplicate by mistake goes back to 待受理, its acceptance limit counted
/// from the day it was received.
async fn a_duplicate_mark_can_be_undone(t: TestDb) {
    let first = create(&t, &new_report(&t, Kind::Accusation, Channel::Letter, "2026-06-01")).await;
    let second = create(&t, &new_report(&t, Kind::Accusation, Channel::Letter, "2026-06-03")).await;
    let mark = StepInput {
        duplicate_of: Some(first.id),
        ..StepInput::default()
    };
    act(
        &t,
        &everything(),
        second.id,
        ReportAction::MarkDuplicate,
        mark,
        "2026-06-04",
        &by(None, &System),
    )
    .await
    .unwrap();
    let r = act(
        &t,
        &everything(),
        second.id,
        ReportAction::Unduplicate,
        text(""),
        "2026-06-05",
        &by(None, &System),
    )
    .await;
    assert!(
        matches!(r, Err(StoreError::Invalid { field: "text", .. })),
        "a reason is asked"
    );
    let back = act(
        &t,
        &everything(),
        second.id,
        ReportAction::Unduplicate,
        text("反映的是另一起事项"),
        "2026-06-05",
        &by(None, &System),
    )
    .await;
    assert_eq!(back.unwrap(), ReportState::Registered);
    let open: Vec<_> = deadlines(&t, second.id).await.into_iter().filter(|d| d.3).collect();
    assert_eq!(open.len(), 1);
    // 2026-06-03 + 15 working days (端午 6/19 off): 2026-06-25.
    assert_eq!(
        (open[0].0.as_str(), open[0].2.as_str()),
        ("report_accept_notice", "2026-06-25")
    );
    let dup: Option<i64> = sqlx::query_scalar("SELECT duplicate_of FROM report WHERE id = $1")
        .bind(second.id)
        .fetch_one(t.db.pool())
        .await
        .unwrap();
    assert_eq!(dup, None);
}
