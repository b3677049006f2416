//! Clues and outcomes in the store (`qinglian_store::{clue, outcome}`), on SQLite and
//! PostgreSQL: a report carried into a clue with every field and the link, the disposition
//! workflow with its limit, shelved clues hidden without the right, the clue's text never in
//! plain text; outcomes with their forms and effect periods (RULES.md §4–6), stacking, the
//! village rule refusing without writing, scope, and the four-forms figures per period and unit.

use chrono::NaiveDate;
use qinglian_crypto::{CryptoMode, KeyRing};
use qinglian_domain::calendar::Calendar;
use qinglian_domain::clue::{ClueAction, ClueState, Conclusion, PERM_APPROVE, PERM_HANDLE, Source};
use qinglian_domain::outcome::OutcomeKind;
use qinglian_domain::report::{Channel, Kind};
use qinglian_store::audit::Actor;
use qinglian_store::clue::{self, ClueFilter, ClueId, NewClue, StepInput};
use qinglian_store::on_both;
use qinglian_store::org::{self, OrgId, OrgInput, OrgKind};
use qinglian_store::outcome::{self, NewOutcome, OutcomeFilter};
use qinglian_store::person::{self, PersonInput};
use qinglian_store::report::{self, NewReport, Reporter, Subject};
use qinglian_store::testing::TestDb;
use qinglian_store::workflow::{Performer, Permissions};
use qinglian_store::{Scope, StoreError};

on_both!(
    a_report_becomes_a_clue_with_every_field_and_the_link,
    the_disposition_runs_through_the_table_with_its_limit,
    outcomes_get_their_form_and_effect_period,
    a_refused_outcome_writes_nothing,
    four_forms_count_each_person_and_case_once_per_period_and_unit,
    an_inquiry_letter_is_answered_and_ends_in_a_reminder_talk,
    a_principal_needs_the_commission_principals_approval,
    a_verification_runs_on_its_plans_deadline_and_proposes_a_case,
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

async fn scope_of(t: &TestDb, o: OrgId) -> Scope {
    Scope::new(vec![org::get_unscoped(t.db.pool(), o).await.unwrap().path])
}

struct Perms(&'static [&'static str]);
impl Permissions for Perms {
    fn can(&self, p: &str) -> bool {
        self.0.contains(&p)
    }
}

fn by(perms: &dyn Permissions) -> Performer<'_> {
    Performer {
        user_id: None,
        actor: Actor::system("test"),
        mode: CryptoMode::Guomi,
        perms,
    }
}

async fn add_person(t: &TestDb, org: OrgId, name: &str, id_number: &str) -> person::PersonId {
    let p = person::validate(PersonInput {
        org_id: org,
        name: name.into(),
        id_number: id_number.into(),
        post: "科长".into(),
        rank: "正科级".into(),
        party_member: true,
        supervised: true,
        principal: false,
        leadership_member: false,
        phone: String::new(),
    })
    .unwrap();
    t.write(async |tx| person::create(tx, &everything(), &p).await)
        .await
        .unwrap()
}

const ZHANG: &str = "11010519491231002X";
const LI: &str = "440524188001010014";
const WANG: &str = "110105197001010011";

async fn a_report_becomes_a_clue_with_every_field_and_the_link(t: TestDb) {
    let k = keys();
    let zhang = add_person(&t, t.orgs.civil, "张三", ZHANG).await;
    let r = NewReport {
        org_id: t.orgs.commission,
        kind: Kind::Accusation,
        channel: Channel::Letter,
        external_id: None,
        reporter: Some(Reporter {
            name: "欧阳明远".into(),
            id_number: LI.into(),
            phone: "13912345678".into(),
            address: "测试市解放路1号".into(),
        }),
        receipt_hash: None,
        subject: Subject {
            name: "张三".into(),
            org: "测试市民政局".into(),
            post: "科长".into(),
            level: "科级".into(),
        },
        category: "违反廉洁纪律".into(),
        title: "反映张三收受好处费".into(),
        content: "张三在低保审批中收受好处费三千元".into(),
        happened_on: "2026年5月".into(),
        place: "民政局".into(),
        visitors: 0,
        received_on: day("2026-06-01"),
        about_principal: false,
        belongs_higher: false,
        duplicate_of: None,
    };
    let cal = Calendar::builtin();
    let created = t
        .write(async |tx| {
            report::create(
                tx,
                &k,
                &r,
                qinglian_domain::report::due(&cal, "report_accept_notice", r.received_on),
                None,
            )
            .await
        })
        .await
        .unwrap();
    let nc = clue::from_report(&t.db, &k, &everything(), created.id).await.unwrap();
    assert_eq!(nc.source, Source::Report);
    assert_eq!(nc.report_id, Some(created.id));
    assert_eq!(nc.person_id, Some(zhang), "name + unit match the roster");
    assert_eq!(nc.subject.level, "科级");
    assert_eq!(nc.category, "违反廉洁纪律");
    assert_eq!(nc.title, "反映张三收受好处费");
    assert!(nc.matter.contains("三千元") && nc.matter.contains("2026年5月") && nc.matter.contains("民政局"));
    assert!(
        !nc.matter.contains("欧阳明远") && !nc.matter.contains(LI),
        "the reporter stays behind"
    );
    let due = qinglian_domain::rules::due(&cal, qinglian_domain::clue::RULE_PROPOSE, nc.received_on);
    let id = t
        .write(async |tx| clue::create(tx, &k, &everything(), &nc, due, None).await)
        .await
        .unwrap();
    // One report, one clue.
    let again = t
        .write(async |tx| clue::create(tx, &k, &everything(), &nc, due, None).await)
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict { field: "report_id", .. })),
        "{again:?}"
    );
    assert_eq!(clue::of_report(&t.db, created.id).await.unwrap(), Some(id));
    let c = clue::get(&t.db, &k, &everything(), false, id).await.unwrap();
    assert_eq!(c.org_id, t.orgs.civil, "scoped by the subject's unit");
    assert_eq!(c.matter, nc.matter);
    assert_eq!(c.due_date.as_deref(), Some("2026-07-01"), "RULES.md §3: one month");
    // The finance bureau's scope does not see it; the civil affairs bureau's does.
    assert!(
        clue::get(&t.db, &k, &scope_of(&t, t.orgs.finance).await, false, id)
            .await
            .is_err()
    );
    assert!(
        clue::get(&t.db, &k, &scope_of(&t, t.orgs.civil).await, false, id)
            .await
            .is_ok()
    );
    // The clue's text is not in the database in plain text.
    let row = sqlx::query("SELECT title_enc, matter_enc FROM clue WHERE id = $1")
        .bind(id)
        .fetch_one(t.db.pool())
        .await
        .unwrap();
    for i in 0..2 {
        let s: String = sqlx::Row::get(&row, i);
        assert!(!s.contains("三千元") && !s.contains("收受好处费") && !s.is_empty());
    }
}

fn clue_input(t: &TestDb, received: &str) -> NewClue {
    NewClue {
        commission_id: t.orgs.commission,
        manager_org_id: None,
        source: Source::Inspection,
        source_ref: "市委第二巡察组".into(),
        report_id: None,
        finding_id: None,
        person_id: None,
        subject: clue::Subject {
            name: "王五".into(),
            org: "某镇政府".into(),
            post: "副镇长".into(),
            level: "副科级".into(),
        },
        category: "违反中央八项规定精神".into(),
        title: "王五公款吃喝".into(),
        matter: "巡察发现王五多次公款宴请".into(),
        received_on: day(received),
    }
}

async fn new_clue(t: &TestDb, k: &KeyRing, received: &str) -> ClueId {
    let nc = clue_input(t, received);
    let cal = Calendar::builtin();
    let due = qinglian_domain::rules::due(&cal, qinglian_domain::clue::RULE_PROPOSE, nc.received_on);
    t.write(async |tx| clue::create(tx, k, &everything(), &nc, due, None).await)
        .await
        .unwrap()
}

fn policy() -> clue::Policy {
    clue::Policy {
        letter_prefix: "测纪函".into(),
        filing_prefix: "测纪立".into(),
        principal_approval: true,
    }
}

async fn step(
    t: &TestDb,
    id: ClueId,
    a: ClueAction,
    note: &str,
    perms: &'static [&'static str],
) -> Result<ClueState, StoreError> {
    let input = StepInput {
        note: note.into(),
        ..Default::default()
    };
    step_with(t, id, a, &input, "2026-06-10", perms).await
}

async fn step_with(
    t: &TestDb,
    id: ClueId,
    a: ClueAction,
    input: &StepInput,
    on: &str,
    perms: &'static [&'static str],
) -> Result<ClueState, StoreError> {
    let cal = Calendar::builtin();
    let due = |r: &str, d: NaiveDate| qinglian_domain::rules::due(&cal, r, d);
    let p = Perms(perms);
    let k = keys();
    t.write(async |tx| {
        clue::act(
            tx,
            &k,
            &everything(),
            true,
            id,
            a,
            input,
            &policy(),
            day(on),
            &due,
            &by(&p),
        )
        .await
    })
    .await
}

async fn the_disposition_runs_through_the_table_with_its_limit(t: TestDb) {
    let k = keys();
    let id = new_clue(&t, &k, "2026-06-01").await;
    let c = clue::get(&t.db, &k, &everything(), false, id).await.unwrap();
    assert_eq!(c.org_id, t.orgs.commission, "not in the roster: the commission's");
    assert_eq!(c.state(), ClueState::Registered);
    // The approver cannot propose; a proposal needs its reasoning.
    let r = step(&t, id, ClueAction::ProposeShelve, "证据不足", &[PERM_APPROVE]).await;
    assert!(matches!(r, Err(StoreError::Forbidden(_))), "{r:?}");
    let r = step(&t, id, ClueAction::ProposeShelve, " ", &[PERM_HANDLE]).await;
    assert!(matches!(r, Err(StoreError::Invalid { field: "note", .. })), "{r:?}");
    assert_eq!(
        step(
            &t,
            id,
            ClueAction::ProposeShelve,
            "集体排查：线索笼统，暂存",
            &[PERM_HANDLE]
        )
        .await
        .unwrap(),
        ClueState::ProposedShelve
    );
    let c = clue::get(&t.db, &k, &everything(), false, id).await.unwrap();
    assert_eq!(c.due_date, None, "the proposal closes the one-month limit");
    // Returned: back before the triage with a new limit from the day of return.
    assert_eq!(
        step(&t, id, ClueAction::Return, "请补充巡察底稿后再议", &[PERM_APPROVE])
            .await
            .unwrap(),
        ClueState::Registered
    );
    let c = clue::get(&t.db, &k, &everything(), false, id).await.unwrap();
    assert_eq!(c.due_date.as_deref(), Some("2026-07-10"));
    step(&t, id, ClueAction::ProposeShelve, "集体排查：暂存", &[PERM_HANDLE])
        .await
        .unwrap();
    assert_eq!(
        step(&t, id, ClueAction::Approve, "", &[PERM_APPROVE]).await.unwrap(),
        ClueState::Shelved
    );
    // Shelved: invisible without clue.restricted, in lists and one by one.
    assert!(matches!(
        clue::get(&t.db, &k, &everything(), false, id).await,
        Err(StoreError::NotFound(_))
    ));
    let f = ClueFilter::default();
    let open = clue::list(&t.db, &k, &everything(), false, &f, "received", true, 1, 20)
        .await
        .unwrap();
    assert_eq!(open.total, 0);
    let all = clue::list(&t.db, &k, &everything(), true, &f, "received", true, 1, 20)
        .await
        .unwrap();
    assert_eq!(all.total, 1);
    assert_eq!(all.items[0].title, "王五公款吃喝");
    let h = qinglian_store::workflow::history(&t.db, "clue", id).await.unwrap();
    assert_eq!(h.len(), 4);
    assert_eq!(h[0].note, "集体排查：线索笼统，暂存");
}

async fn record(
    t: &TestDb,
    s: &Scope,
    id_number: &str,
    kind: OutcomeKind,
    on: &str,
    case: &str,
    term: Option<u32>,
) -> Result<outcome::Recorded, StoreError> {
    let o = NewOutcome {
        id_number: id_number.into(),
        kind,
        decided_on: day(on),
        effective_on: day(on),
        term_months: term,
        case_ref: case.into(),
        clue_id: None,
        source: "api",
        note: String::new(),
    };
    t.write(async |tx| outcome::record(tx, s, &o, None).await).await
}

async fn outcomes_get_their_form_and_effect_period(t: TestDb) {
    add_person(&t, t.orgs.civil, "张三", ZHANG).await;
    let all = everything();
    // RULES.md §5: 警告 one year from the effective day.
    let w = record(
        &t,
        &all,
        ZHANG,
        OutcomeKind::PartyWarning,
        "2025-01-01",
        "2025-001",
        None,
    )
    .await
    .unwrap();
    assert_eq!((w.form, w.effect_until), (2, Some(day("2025-12-31"))));
    // Inside it, a 严重警告 runs for the rest plus 18 months.
    let s = record(
        &t,
        &all,
        ZHANG,
        OutcomeKind::PartySeriousWarning,
        "2025-07-01",
        "2025-002",
        None,
    )
    .await
    .unwrap();
    assert_eq!((s.form, s.effect_until), (2, Some(day("2027-06-30"))));
    // RULES.md §6: public sanctions do not stack; 记过 12 months.
    let d = record(
        &t,
        &all,
        ZHANG,
        OutcomeKind::PublicDemerit,
        "2025-07-01",
        "2025-002",
        None,
    )
    .await
    .unwrap();
    assert_eq!(d.effect_until, Some(day("2026-06-30")));
    // 留党察看: term + two years; needs the term.
    let p = record(
        &t,
        &all,
        ZHANG,
        OutcomeKind::PartyProbation,
        "2028-01-01",
        "2028-001",
        Some(12),
    )
    .await
    .unwrap();
    assert_eq!((p.form, p.effect_until), (3, Some(day("2030-12-31"))));
    let missing = record(
        &t,
        &all,
        ZHANG,
        OutcomeKind::PartyProbation,
        "2028-01-01",
        "2028-001",
        None,
    )
    .await;
    assert!(
        matches!(
            missing,
            Err(StoreError::Invalid {
                field: "term_months",
                ..
            })
        ),
        "{missing:?}"
    );
    // 开除公职: no end date, but a permanent bar.
    let e = record(
        &t,
        &all,
        ZHANG,
        OutcomeKind::PublicExpulsion,
        "2029-01-01",
        "2029-001",
        None,
    )
    .await
    .unwrap();
    assert_eq!((e.form, e.effect_until), (3, None));
    let on = OutcomeFilter {
        in_effect_on: Some("2040-01-01".into()),
        ..Default::default()
    };
    let in_effect = outcome::list(&t.db, &all, &on, "decided", true, 1, 20).await.unwrap();
    assert_eq!(in_effect.items.len(), 1);
    assert!(in_effect.items[0].permanent);
    // Unknown ID, and a person outside the caller's scope, read alike.
    let unknown = record(&t, &all, WANG, OutcomeKind::Criticism, "2025-01-01", "x", None).await;
    assert!(
        matches!(unknown, Err(StoreError::Invalid { field: "id_number", .. })),
        "{unknown:?}"
    );
    let finance = scope_of(&t, t.orgs.finance).await;
    let outside = record(&t, &finance, ZHANG, OutcomeKind::Criticism, "2025-01-01", "x", None).await;
    assert!(
        matches!(outside, Err(StoreError::Invalid { field: "id_number", .. })),
        "{outside:?}"
    );
    assert_eq!(
        outcome::list(&t.db, &finance, &OutcomeFilter::default(), "decided", true, 1, 20)
            .await
            .unwrap()
            .total,
        0
    );
}

async fn a_refused_outcome_writes_nothing(t: TestDb) {
    let village = t
        .write(async |tx| {
            org::create(
                tx,
                &OrgInput {
                    parent_id: Some(t.orgs.city),
                    name: "东风村".into(),
                    kind: OrgKind::Village,
                    code: None,
                    sort_order: 0,
                    supervised_by: None,
                },
            )
            .await
        })
        .await
        .unwrap();
    add_person(&t, village, "李四", LI).await;
    let all = everything();
    // RULES.md §6: a village committee manager gets only 警告, 记过, 记大过.
    let r = record(
        &t,
        &all,
        LI,
        OutcomeKind::PublicDemotion,
        "2026-03-01",
        "2026-009",
        None,
    )
    .await;
    match r {
        Err(StoreError::Invalid { field, message }) => {
            assert_eq!(field, "kind");
            assert!(message.contains("警告、记过、记大过"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        record(
            &t,
            &all,
            LI,
            OutcomeKind::PublicMajorDemerit,
            "2026-03-01",
            "2026-009",
            None
        )
        .await
        .is_ok()
    );
    let n = outcome::list(&t.db, &all, &OutcomeFilter::default(), "decided", true, 1, 20)
        .await
        .unwrap()
        .total;
    assert_eq!(n, 1, "the refused one left nothing");
}

async fn four_forms_count_each_person_and_case_once_per_period_and_unit(t: TestDb) {
    add_person(&t, t.orgs.civil, "张三", ZHANG).await;
    add_person(&t, t.orgs.finance, "李四", LI).await;
    add_person(&t, t.orgs.finance_office, "王五", WANG).await;
    let all = everything();
    // 张三, case A: 诫勉 in January, 记过 in March (same case: form 2 once); case B: talk.
    record(&t, &all, ZHANG, OutcomeKind::Admonition, "2026-01-10", "A", None)
        .await
        .unwrap();
    record(&t, &all, ZHANG, OutcomeKind::PublicDemerit, "2026-03-10", "A", None)
        .await
        .unwrap();
    record(&t, &all, ZHANG, OutcomeKind::ReminderTalk, "2026-04-10", "B", None)
        .await
        .unwrap();
    // 李四: 开除党籍 and referral in one case (form 4 once).
    record(&t, &all, LI, OutcomeKind::PartyExpulsion, "2026-05-10", "C", None)
        .await
        .unwrap();
    record(&t, &all, LI, OutcomeKind::ProsecutionReferral, "2026-05-10", "C", None)
        .await
        .unwrap();
    // 王五 (a section of finance): 降职.
    record(&t, &all, WANG, OutcomeKind::OrgDemotion, "2026-06-10", "D", None)
        .await
        .unwrap();
    let year = outcome::four_forms(&t.db, &all, "2026-01-01", "2026-12-31", None)
        .await
        .unwrap();
    assert_eq!(year.forms, [1, 1, 1, 1]);
    assert_eq!(year.person_times(), 4);
    // January alone: case A is still an 诫勉 (form 1).
    let jan = outcome::four_forms(&t.db, &all, "2026-01-01", "2026-01-31", None)
        .await
        .unwrap();
    assert_eq!(jan.forms, [1, 0, 0, 0]);
    // The finance bureau and its section.
    let fin = outcome::four_forms(&t.db, &all, "2026-01-01", "2026-12-31", Some(t.orgs.finance))
        .await
        .unwrap();
    assert_eq!(fin.forms, [0, 0, 1, 1]);
    let units = outcome::four_forms_by_unit(&t.db, &all, "2026-01-01", "2026-12-31", None, true)
        .await
        .unwrap();
    assert_eq!(units.len(), 2, "the office counts with its bureau: {units:?}");
    assert_eq!(units[0].org_name, "测试市民政局");
    assert_eq!(units[0].forms.forms, [1, 1, 0, 0]);
    assert_eq!(units[1].org_name, "测试市财政局");
    assert_eq!(units[1].forms.forms, [0, 0, 1, 1]);
    // The records behind a figure: counted in form 1 over the year = the talk of case B only.
    let behind = OutcomeFilter {
        counted_form: Some(1),
        from: Some("2026-01-01".into()),
        to: Some("2026-12-31".into()),
        ..Default::default()
    };
    let rows = outcome::list(&t.db, &all, &behind, "decided", false, 1, 20)
        .await
        .unwrap();
    assert_eq!(
        rows.items.iter().map(|o| o.case_ref.as_str()).collect::<Vec<_>>(),
        vec!["B"]
    );
    // Scope: the civil affairs bureau sees only its own.
    let civil = scope_of(&t, t.orgs.civil).await;
    let mine = outcome::four_forms(&t.db, &civil, "2026-01-01", "2026-12-31", None)
        .await
        .unwrap();
    assert_eq!(mine.forms, [1, 1, 0, 0]);
}

async fn an_inquiry_letter_is_answered_and_ends_in_a_reminder_talk(t: TestDb) {
    let k = keys();
    let zhang = add_person(&t, t.orgs.civil, "张三", ZHANG).await;
    let mut nc = NewClue {
        person_id: Some(zhang),
        ..clue_input(&t, "2026-06-01")
    };
    nc.subject.name = "张三".into();
    let cal = Calendar::builtin();
    let due = qinglian_domain::rules::due(&cal, qinglian_domain::clue::RULE_PROPOSE, nc.received_on);
    let id = t
        .write(async |tx| clue::create(tx, &k, &everything(), &nc, due, None).await)
        .await
        .unwrap();
    step(&t, id, ClueAction::ProposeInquiry, "集体排查：拟函询", &[PERM_HANDLE])
        .await
        .unwrap();
    step(&t, id, ClueAction::Approve, "", &[PERM_APPROVE]).await.unwrap();
    // The letter: numbered in the register, 15 working days to reply (RULES.md §3).
    let sent = step_with(
        &t,
        id,
        ClueAction::SendLetter,
        &StepInput::default(),
        "2026-06-10",
        &[PERM_HANDLE],
    )
    .await
    .unwrap();
    assert_eq!(sent, ClueState::LetterSent);
    let i = clue::inquiry(&t.db, &k, id).await.unwrap().unwrap();
    assert_eq!(i.letter_number, "测纪函〔2026〕1号");
    let c = clue::get(&t.db, &k, &everything(), false, id).await.unwrap();
    // 2026-06-10 + 15 working days, the 端午 holiday (6/19) skipped: 2026-07-02.
    assert_eq!(c.due_date.as_deref(), Some("2026-07-02"));
    // A second clue's letter takes the next number.
    let other = new_clue(&t, &k, "2026-06-01").await;
    step(&t, other, ClueAction::ProposeInquiry, "拟函询", &[PERM_HANDLE])
        .await
        .unwrap();
    step(&t, other, ClueAction::Approve, "", &[PERM_APPROVE]).await.unwrap();
    step_with(
        &t,
        other,
        ClueAction::SendLetter,
        &StepInput::default(),
        "2026-06-11",
        &[PERM_HANDLE],
    )
    .await
    .unwrap();
    assert_eq!(
        clue::inquiry(&t.db, &k, other).await.unwrap().unwrap().letter_number,
        "测纪函〔2026〕2号"
    );
    // The explanation needs the principal's sign-off (张三 is not a principal).
    let mut input = StepInput {
        text: "本人未收受任何好处费，情况说明如下".into(),
        day: Some(day("2026-06-20")),
        ..Default::default()
    };
    let r = step_with(
        &t,
        id,
        ClueAction::RecordExplanation,
        &input,
        "2026-06-22",
        &[PERM_HANDLE],
    )
    .await;
    assert!(matches!(r, Err(StoreError::Invalid { field: "sign_off", .. })), "{r:?}");
    input.sign_off = "情况属实，同意该同志的说明。（局党组书记 李某）".into();
    assert_eq!(
        step_with(
            &t,
            id,
            ClueAction::RecordExplanation,
            &input,
            "2026-06-22",
            &[PERM_HANDLE]
        )
        .await
        .unwrap(),
        ClueState::Explained
    );
    let c = clue::get(&t.db, &k, &everything(), false, id).await.unwrap();
    assert_eq!(
        c.due_date.as_deref(),
        Some("2026-07-20"),
        "30 days from the reply (RULES.md §3)"
    );
    // The explanation is stored encrypted.
    let raw: String = sqlx::query_scalar("SELECT explanation_enc FROM clue_inquiry WHERE clue_id = $1")
        .bind(id)
        .fetch_one(t.db.pool())
        .await
        .unwrap();
    assert!(!raw.contains("好处费"));
    // 谈话提醒 proposed, approved: recorded as a first-form outcome against 张三.
    let propose = StepInput {
        conclusion: Some(Conclusion::Measure(OutcomeKind::ReminderTalk)),
        ..Default::default()
    };
    step_with(
        &t,
        id,
        ClueAction::ProposeConclusion,
        &propose,
        "2026-06-25",
        &[PERM_HANDLE],
    )
    .await
    .unwrap();
    assert_eq!(
        step_with(
            &t,
            id,
            ClueAction::Approve,
            &StepInput::default(),
            "2026-06-26",
            &[PERM_APPROVE]
        )
        .await
        .unwrap(),
        ClueState::Concluded
    );
    let i = clue::inquiry(&t.db, &k, id).await.unwrap().unwrap();
    assert!(i.outcome_id.is_some());
    assert_eq!(i.explanation, "本人未收受任何好处费，情况说明如下");
    let outcomes = outcome::list(&t.db, &everything(), &OutcomeFilter::default(), "decided", true, 1, 10)
        .await
        .unwrap();
    assert_eq!(outcomes.total, 1);
    assert_eq!(
        (outcomes.items[0].kind.as_str(), outcomes.items[0].form),
        ("reminder_talk", 1)
    );
    assert_eq!(outcomes.items[0].clue_id, Some(id.0));
    // A measure cannot be proposed for a subject outside the roster.
    step_with(
        &t,
        other,
        ClueAction::RecordExplanation,
        &StepInput {
            text: "说明".into(),
            sign_off: "同意".into(),
            ..Default::default()
        },
        "2026-06-22",
        &[PERM_HANDLE],
    )
    .await
    .unwrap();
    let r = step_with(
        &t,
        other,
        ClueAction::ProposeConclusion,
        &propose,
        "2026-06-25",
        &[PERM_HANDLE],
    )
    .await;
    assert!(
        matches!(
            r,
            Err(StoreError::Invalid {
                field: "conclusion",
                ..
            })
        ),
        "{r:?}"
    );
}

/// RULES.md §3: an inquiry or a verification about a lower-level party organisation's principal
/// needs the commission principal's approval; a verification also the same-level party
/// committee principal's, recorded with the approval.
async fn a_principal_needs_the_commission_principals_approval(t: TestDb) {
    let k = keys();
    let p = person::validate(PersonInput {
        org_id: t.orgs.civil,
        name: "钱局长".into(),
        id_number: ZHANG.into(),
        post: "局长".into(),
        rank: "正处级".into(),
        party_member: true,
        supervised: true,
        principal: true,
        leadership_member: true,
        phone: String::new(),
    })
    .unwrap();
    let pid = t
        .write(async |tx| person::create(tx, &everything(), &p).await)
        .await
        .unwrap();
    let nc = NewClue {
        person_id: Some(pid),
        ..clue_input(&t, "2026-06-01")
    };
    let cal = Calendar::builtin();
    let due = qinglian_domain::rules::due(&cal, qinglian_domain::clue::RULE_PROPOSE, nc.received_on);
    let id = t
        .write(async |tx| clue::create(tx, &k, &everything(), &nc, due, None).await)
        .await
        .unwrap();
    step(&t, id, ClueAction::ProposeVerification, "拟初核", &[PERM_HANDLE])
        .await
        .unwrap();
    // An approver without the principal's right is refused.
    let r = step(&t, id, ClueAction::Approve, "", &[PERM_APPROVE]).await;
    assert!(
        matches!(&r, Err(StoreError::Forbidden(m)) if m.contains("主要负责人批准")),
        "{r:?}"
    );
    const PRINCIPAL: &[&str] = &[PERM_APPROVE, qinglian_domain::clue::PERM_APPROVE_PRINCIPAL];
    // The commission principal, without the party committee principal's approval: refused.
    let r = step(&t, id, ClueAction::Approve, "", PRINCIPAL).await;
    assert!(matches!(r, Err(StoreError::Invalid { field: "sign_off", .. })), "{r:?}");
    let input = StepInput {
        sign_off: "同意。市委书记 王某 2026年6月9日".into(),
        ..Default::default()
    };
    assert_eq!(
        step_with(&t, id, ClueAction::Approve, &input, "2026-06-10", PRINCIPAL)
            .await
            .unwrap(),
        ClueState::Verification
    );
    let h = qinglian_store::workflow::history(&t.db, "clue", id).await.unwrap();
    assert!(
        h.last()
            .unwrap()
            .note
            .contains("同级党委主要负责人批准意见：同意。市委书记"),
        "{h:?}"
    );
}

/// RULES.md §3: preliminary verification has no statutory limit — the plan sets one; its
/// report proposes filing a case, approved like every disposition.
async fn a_verification_runs_on_its_plans_deadline_and_proposes_a_case(t: TestDb) {
    let k = keys();
    let id = new_clue(&t, &k, "2026-06-01").await;
    step(
        &t,
        id,
        ClueAction::ProposeVerification,
        "集体排查：拟初核",
        &[PERM_HANDLE],
    )
    .await
    .unwrap();
    step(&t, id, ClueAction::Approve, "", &[PERM_APPROVE]).await.unwrap();
    let mut plan = StepInput {
        text: "核实王五公款宴请的次数、金额和报销凭证".into(),
        due_on: Some(day("2026-08-31")),
        ..Default::default()
    };
    let r = step_with(
        &t,
        id,
        ClueAction::PlanVerification,
        &plan,
        "2026-06-12",
        &[PERM_HANDLE],
    )
    .await;
    assert!(matches!(r, Err(StoreError::Invalid { field: "team", .. })), "{r:?}");
    plan.team = "郑文斌、周晓燕".into();
    assert_eq!(
        step_with(
            &t,
            id,
            ClueAction::PlanVerification,
            &plan,
            "2026-06-12",
            &[PERM_HANDLE]
        )
        .await
        .unwrap(),
        ClueState::Verifying
    );
    let c = clue::get(&t.db, &k, &everything(), false, id).await.unwrap();
    assert_eq!(c.due_date.as_deref(), Some("2026-08-31"), "the plan's own date");
    let report = StepInput {
        text: "经初核，王五违规公款宴请11次，金额2.3万元，基本属实".into(),
        ..Default::default()
    };
    assert_eq!(
        step_with(&t, id, ClueAction::ProposeFiling, &report, "2026-08-20", &[PERM_HANDLE])
            .await
            .unwrap(),
        ClueState::ProposedFiling
    );
    assert_eq!(
        step(&t, id, ClueAction::Approve, "", &[PERM_APPROVE]).await.unwrap(),
        ClueState::Filed
    );
    // The case is filed with its number; need-to-know: only members and case.read holders.
    let (case_id, number) = qinglian_store::case::of_clue(&t.db, id).await.unwrap().unwrap();
    assert_eq!(number, "测纪立〔2026〕1号");
    let user = |name: &'static str, org| {
        let db = t.db.clone();
        async move { qinglian_store::testing::create_user(&db, name, org, &["investigation"], &[], "x").await }
    };
    let investigator = user("investigator1", t.orgs.commission).await;
    let outsider = user("investigator2", t.orgs.commission).await;
    let member = |u| qinglian_store::case::Viewer {
        user: u,
        read_all: false,
    };
    let r = qinglian_store::case::get(&t.db, &everything(), member(investigator), case_id).await;
    assert!(matches!(r, Err(StoreError::NotFound(_))), "not yet on the team");
    let add = |u| {
        let t = &t;
        async move {
            t.write(async |tx| {
                qinglian_store::case::add_member(
                    tx,
                    &everything(),
                    case_id,
                    u,
                    qinglian_store::case::Role::Investigation,
                )
                .await
            })
            .await
        }
    };
    add(investigator).await.unwrap();
    let c = qinglian_store::case::get(&t.db, &everything(), member(investigator), case_id)
        .await
        .unwrap();
    assert_eq!((c.status.as_str(), c.subject_name.as_str()), ("investigating", "王五"));
    let r = qinglian_store::case::get(&t.db, &everything(), member(outsider), case_id).await;
    assert!(matches!(r, Err(StoreError::NotFound(_))), "another team's investigator");
    assert!(
        qinglian_store::case::list(&t.db, &everything(), member(outsider))
            .await
            .unwrap()
            .is_empty()
    );
    let managing = qinglian_store::case::Viewer {
        user: outsider,
        read_all: true,
    };
    assert_eq!(
        qinglian_store::case::list(&t.db, &everything(), managing)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(matches!(add(investigator).await, Err(StoreError::Conflict { .. })));
    // 回避: once the subject is a roster person of 民政局, a staff member of 民政局 cannot join.
    let wang = add_person(&t, t.orgs.civil, "王五", LI).await;
    sqlx::query("UPDATE case_record SET person_id = $1 WHERE id = $2")
        .bind(wang)
        .bind(case_id)
        .execute(t.db.pool())
        .await
        .unwrap();
    let civil_staff = user("civilstaff", t.orgs.civil).await;
    let r = add(civil_staff).await;
    assert!(
        matches!(&r, Err(StoreError::Invalid { message, .. }) if message.contains("应当回避")),
        "{r:?}"
    );
    add(outsider).await.unwrap();
    let v = clue::verification(&t.db, &k, id).await.unwrap().unwrap();
    assert_eq!(
        (v.team.as_str(), v.due_on.as_str(), v.reported_on.as_str()),
        ("郑文斌、周晓燕", "2026-08-31", "2026-08-20")
    );
    assert!(v.report.contains("基本属实") && v.plan.contains("报销凭证"));
    let raw: String = sqlx::query_scalar("SELECT report_enc FROM clue_verification WHERE clue_id = $1")
        .bind(id)
        .fetch_one(t.db.pool())
        .await
        .unwrap();
    assert!(!raw.contains("公款"));
}
