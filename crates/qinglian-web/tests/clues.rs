//! Clues and outcomes (issue #13) through the real router, on SQLite and PostgreSQL: the
//! outcomes API's exact contract and the four-forms figures; the outcome pages (entry form that
//! keeps input, list, Excel export, the import of past records with per-row problems); a report
//! and a confirmed finding each turned into a clue in one step; the disposition through the
//! table; shelved clues hidden from roles without the right; units see no clues at all.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use qinglian_store::person::{self, PersonInput};
use qinglian_store::{Scope, org::OrgId};
use serde_json::json;

const ZHANG: &str = "11010519491231002X";
const LI: &str = "440524188001010014";

async fn add_person(t: &TestApp, org: OrgId, name: &str, id_number: &str) {
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
    let mut tx = t.app.db.begin().await.unwrap();
    person::create(&mut tx, &Scope::new(vec!["/".into()]), &p)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

fn sheet(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let name = wb.sheet_names()[0].clone();
    wb.worksheet_range(&name)
        .unwrap()
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

async fn outcomes_api_keeps_its_contract(t: TestApp) {
    add_person(&t, t.orgs.civil, "张三", ZHANG).await;
    add_person(&t, t.orgs.finance, "李四", LI).await;
    t.user_in("casemgr", &["casemgmt"], &[t.orgs.city], t.orgs.commission)
        .await;
    t.user_in("xfs1", &["reports"], &[t.orgs.city], t.orgs.commission).await;
    let c = t.api_login("casemgr").await;
    // RULES.md §5: 警告 from 2024-03-01 → the last day of February 2025.
    let r = c
        .post_json(
            "/api/v1/outcomes",
            &json!({"id_number": ZHANG, "kind": "party.warning", "decided_on": "2024-02-20", "effective_on": "2024-03-01", "case_ref": "A-1"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v = r.json();
    assert!(v["id"].as_i64().unwrap() > 0);
    assert_eq!(v["form"], 2);
    assert_eq!(v["effect_until"], "2025-02-28");
    // 留党察看 two years: form 3, term + two years.
    let r = c
        .post_json(
            "/api/v1/outcomes",
            &json!({"id_number": LI, "kind": "party.probation", "decided_on": "2026-01-05", "effective_on": "2026-01-05", "case_ref": "B-1", "term_months": 24}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["form"], 3);
    assert_eq!(r.json()["effect_until"], "2030-01-04");
    // Same person, same case: a referral makes it form 4, counted once.
    let r = c
        .post_json(
            "/api/v1/outcomes",
            &json!({"id_number": LI, "kind": "prosecution_referral", "decided_on": "2026-01-05", "effective_on": "2026-01-05", "case_ref": "B-1"}),
        )
        .await;
    assert_eq!(r.json()["form"], 4);
    assert_eq!(r.json()["effect_until"], serde_json::Value::Null);
    // 开除公职: no end date.
    let r = c
        .post_json(
            "/api/v1/outcomes",
            &json!({"id_number": ZHANG, "kind": "public.expulsion", "decided_on": "2026-02-01", "effective_on": "2026-02-01", "case_ref": "C-1"}),
        )
        .await;
    assert_eq!(
        (r.json()["form"].as_i64(), r.json()["effect_until"].is_null()),
        (Some(3), true)
    );
    // Refusals name the field, write nothing.
    for (body, field) in [
        (
            json!({"id_number": "110105197001010011", "kind": "criticism", "decided_on": "2026-01-01", "effective_on": "2026-01-01", "case_ref": "x"}),
            "id_number",
        ),
        (
            json!({"id_number": ZHANG, "kind": "party.nothing", "decided_on": "2026-01-01", "effective_on": "2026-01-01", "case_ref": "x"}),
            "kind",
        ),
        (
            json!({"id_number": ZHANG, "kind": "party.probation", "decided_on": "2026-01-01", "effective_on": "2026-01-01", "case_ref": "x"}),
            "term_months",
        ),
        (
            json!({"id_number": ZHANG, "kind": "criticism", "decided_on": "2026-13-01", "effective_on": "2026-01-01", "case_ref": "x"}),
            "decided_on",
        ),
    ] {
        let r = c.post_json("/api/v1/outcomes", &body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.text());
        assert_eq!(r.json()["field"], field, "{}", r.text());
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outcome")
        .fetch_one(t.app.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 4);
    // Without the permission: 403; without a login: 401.
    let xf = t.api_login("xfs1").await;
    let body = json!({"id_number": ZHANG, "kind": "criticism", "decided_on": "2026-01-01", "effective_on": "2026-01-01", "case_ref": "x"});
    assert_eq!(
        xf.post_json("/api/v1/outcomes", &body).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.anon().post_json("/api/v1/outcomes", &body).await.status,
        StatusCode::UNAUTHORIZED
    );
    // The four forms of 2026: 李四 once in form 4, 张三's 开除 in form 3; 2024: the warning.
    let r = c.get("/api/v1/stats/four-forms?from=2026-01-01&to=2026-12-31").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json(),
        json!({"person_times": 2, "forms": {"1": 0, "2": 0, "3": 1, "4": 1}})
    );
    let r = c.get("/api/v1/stats/four-forms?from=2024-01-01&to=2024-12-31").await;
    assert_eq!(r.json()["forms"]["2"], 1);
    assert_eq!(
        c.get("/api/v1/stats/four-forms?from=2026-01-01").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // The list masks the ID number without the sensitive permission.
    let list = c.get("/api/v1/outcomes?form=3").await.json();
    assert_eq!(list["total"], 2);
}

async fn outcome_pages_form_list_export_and_import(t: TestApp) {
    add_person(&t, t.orgs.civil, "张三", ZHANG).await;
    add_person(&t, t.orgs.finance, "李四", LI).await;
    t.user_in("casemgr", &["casemgmt"], &[t.orgs.city], t.orgs.commission)
        .await;
    let c = t.login("casemgr").await;
    assert_eq!(c.get("/outcomes/new").await.status, StatusCode::OK);
    // A 留党察看 without its term: the form comes back with what was typed.
    let bad = [
        ("id_number", ZHANG),
        ("kind", "party.probation"),
        ("decided_on", "2026-03-02"),
        ("case_ref", "示纪案〔2026〕3号"),
        ("note", "录入时的备注文字"),
    ];
    let r = c.post_form("/outcomes", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = r.text();
    assert!(text.contains("留党察看须填写察看期限"), "{text}");
    assert!(text.contains("录入时的备注文字") && text.contains("示纪案〔2026〕3号"));
    let mut good = bad.to_vec();
    good.push(("term_months", "12"));
    let r = c.post_form("/outcomes", &good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let list = c.get(&r.location()).await.text();
    assert!(
        list.contains("留党察看（12个月）") && list.contains("2026-03-02 至 2029-03-01"),
        "{list}"
    );
    // Import: a bad row (unknown kind) and a good one; all or nothing first.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (i, h) in ["身份证号", "姓名", "处理处分种类", "决定日期", "案件编号"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, i as u16, *h).unwrap();
    }
    for (r, row) in [
        [LI, "李四", "政务记过", "2025-06-01", "历史-1"],
        [LI, "李四", "警告", "2025-07-01", "历史-2"],
        [ZHANG, "王五", "诫勉", "2025-07-01", "历史-3"],
    ]
    .iter()
    .enumerate()
    {
        for (i, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, i as u16, *v).unwrap();
        }
    }
    let file = wb.save_to_buffer().unwrap();
    let r = c
        .post_multipart("/outcomes/import", &file, &[("mode", "all_or_nothing")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let text = r.text();
    assert!(text.contains("党内警告或政务警告"), "{text}");
    assert!(text.contains("与姓名“王五”不符"), "{text}");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outcome")
        .fetch_one(t.app.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 1, "nothing imported");
    let r = c
        .post_multipart("/outcomes/import", &file, &[("mode", "valid_only")])
        .await;
    assert!(r.text().contains("成功导入 1 行"), "{}", r.text());
    // The export: the list's columns, the ID masked.
    let x = c.get("/outcomes/export.xlsx").await;
    assert_eq!(x.status, StatusCode::OK);
    let rows = sheet(&x.bytes);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows[0].contains(&"处理处分".to_string()) && rows[0].contains(&"影响期".to_string()));
    assert!(
        rows.iter()
            .any(|r| r.contains(&"政务记过".to_string()) && r.iter().any(|c| c.contains("2025-06-01 至 2026-05-31")))
    );
    assert!(!rows.iter().flatten().any(|c| c == LI), "masked");
    let tpl = c.get("/outcomes/import/template.xlsx").await;
    assert_eq!(sheet(&tpl.bytes)[0][0], "身份证号");
}

async fn four_forms_page_opens_the_records_behind_each_figure(t: TestApp) {
    add_person(&t, t.orgs.civil, "张三", ZHANG).await;
    add_person(&t, t.orgs.finance, "李四", LI).await;
    t.user_in("casemgr", &["casemgmt"], &[t.orgs.city], t.orgs.commission)
        .await;
    t.user_in("leader1", &["leader"], &[t.orgs.city], t.orgs.commission)
        .await;
    let c = t.api_login("casemgr").await;
    for (id, kind, case) in [
        (ZHANG, "admonition", "A"),
        (ZHANG, "public.demerit", "A"),
        (ZHANG, "reminder_talk", "B"),
        (LI, "org.demotion", "C"),
    ] {
        let r = c
            .post_json("/api/v1/outcomes", &json!({"id_number": id, "kind": kind, "decided_on": "2026-05-10", "effective_on": "2026-05-10", "case_ref": case}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let ld = t.login("leader1").await;
    let p = ld.get("/cases/four-forms?year=2026").await;
    assert_eq!(p.status, StatusCode::OK);
    let text = p.text();
    assert!(text.contains("合计人次"), "{text}");
    assert!(text.contains("id=\"four-forms-1\""));
    // Form 1: the talk of case B only (case A counts in form 2).
    let href = "/outcomes?from=2026-01-01&to=2026-12-31&counted_form=1";
    assert!(text.contains(&href.replace('&', "&#38;")), "{text}");
    let behind = ld.get(href).await.text();
    assert!(behind.contains("谈话提醒") && !behind.contains("诫勉</td>"), "{behind}");
    assert!(text.contains("测试市民政局") && text.contains("测试市财政局"));
    let x = ld.get("/cases/four-forms.xlsx?year=2026&quarter=0").await;
    assert_eq!(x.status, StatusCode::OK);
    let rows = sheet(&x.bytes);
    assert_eq!(rows[1][1], "3", "{rows:?}");
    assert_eq!(rows[1][2], "1");
}

async fn a_report_and_a_finding_become_clues_in_one_step(t: TestApp) {
    add_person(&t, t.orgs.civil, "张三", ZHANG).await;
    t.user_in("xfs1", &["reports"], &[t.orgs.city], t.orgs.commission).await;
    t.user_in("casemgr", &["casemgmt"], &[t.orgs.city], t.orgs.commission)
        .await;
    t.user_in("leader1", &["leader"], &[t.orgs.city], t.orgs.commission)
        .await;
    t.user_in("jds1", &["supervision"], &[t.orgs.city], t.orgs.commission)
        .await;
    t.user("unit1", &["unit_admin"], &[t.orgs.civil]).await;
    // The reports office registers a named letter about 张三.
    let xf = t.api_login("xfs1").await;
    let r = xf
        .post_json(
            "/api/v1/reports",
            &json!({"kind": "accusation", "channel": "letter", "named": true,
                    "reporter": {"name": "欧阳明远", "id_number": LI, "phone": "13912345678", "address": "解放路1号"},
                    "subject": {"name": "张三", "org": "测试市民政局", "post": "科长"},
                    "title": "反映张三收受好处费", "content": "张三在低保审批中收受好处费三千元。"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let report: i64 = r.json()["id"].as_i64().unwrap();
    // Case management turns it into a clue from the report's page.
    let ag = t.login("casemgr").await;
    let page = ag.get(&format!("/reports/{report}")).await.text();
    assert!(page.contains("id=\"report-to-clue\""), "{page}");
    let r = ag.post_form(&format!("/clues/from-report/{report}"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let clue_url = r.location();
    let clue_page = ag.get(&clue_url).await.text();
    assert!(clue_page.contains("张三在低保审批中收受好处费三千元") && clue_page.contains("反映张三收受好处费"));
    assert!(
        clue_page.contains("href=\"/persons/"),
        "linked to the roster: {clue_page}"
    );
    assert!(
        !clue_page.contains("欧阳明远") && !clue_page.contains(LI),
        "no reporter"
    );
    assert!(
        ag.get(&format!("/reports/{report}"))
            .await
            .text()
            .contains("已转问题线索")
    );
    // Twice: a conflict, nothing new.
    assert_eq!(
        ag.post_form(&format!("/clues/from-report/{report}"), &[]).await.status,
        StatusCode::CONFLICT
    );
    let clue_id: i64 = clue_url
        .trim_start_matches("/clues/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // Triage proposes 暂存待查; the leader approves; then only restricted roles see it.
    let r = ag
        .post_form(
            &format!("/clues/{clue_id}/act/propose"),
            &[("disposition", ""), ("note", "集体排查意见甲")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text().contains("请选择处置方式") && r.text().contains("集体排查意见甲"),
        "typed text kept"
    );
    let r = ag
        .post_form(
            &format!("/clues/{clue_id}/act/propose"),
            &[("disposition", "shelve"), ("note", "线索笼统，暂存待查")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    // The leader has a to-do card and approves.
    let ld = t.login("leader1").await;
    let home = ld.get("/").await.text();
    assert!(home.contains("todo-clue-proposed_shelve"), "{home}");
    let r = ld
        .post_form(&format!("/clues/{clue_id}/act/approve"), &[("note", "")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let jd = t.login("jds1").await;
    assert_eq!(
        jd.get(&clue_url).await.status,
        StatusCode::NOT_FOUND,
        "shelved: restricted"
    );
    assert!(ag.get(&clue_url).await.text().contains("暂存待查"));
    // A unit never sees clues.
    assert_eq!(t.login("unit1").await.get("/clues").await.status, StatusCode::FORBIDDEN);
    // A finding confirmed by checking → a clue with its explanation.
    let fid = t.seed_finding(ZHANG, "张三死亡后仍领取养老金", "[]").await;
    t.sql(&format!(
        "UPDATE data_supervision_finding SET status = 'confirmed', close_note = '核查属实' WHERE id = {fid}"
    ))
    .await;
    let api = t.api_login("casemgr").await;
    let r = api.post_json("/api/v1/clues", &json!({"finding_id": fid})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let v = api.get(&format!("/api/v1/clues/{id}")).await.json();
    assert_eq!(v["source"], "data_supervision");
    assert_eq!(v["finding_id"], fid);
    assert_eq!(v["subject"]["name"], "张三");
    assert!(v["subject"]["person_id"].is_i64());
    assert!(v["matter"].as_str().unwrap().contains("核查属实"));
    assert!(v["due"].is_string());
    let linked: Option<i64> = sqlx::query_scalar("SELECT clue_id FROM data_supervision_finding WHERE id = $1")
        .bind(fid)
        .fetch_one(t.app.db.pool())
        .await
        .unwrap();
    assert_eq!(linked, Some(id));
    // By hand through the API, then the steps.
    let r = api
        .post_json("/api/v1/clues", &json!({"source": "inspection", "source_ref": "市委第二巡察组", "subject_name": "王五", "title": "王五公款吃喝", "matter": "巡察发现多次公款宴请"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let hand = r.json()["id"].as_i64().unwrap();
    let r = api
        .post_json(
            &format!("/api/v1/clues/{hand}/propose"),
            &json!({"disposition": "inquiry", "note": "拟函询"}),
        )
        .await;
    assert_eq!(r.json()["status"], "proposed_inquiry");
    let r = api
        .post_json(&format!("/api/v1/clues/{hand}/approve"), &json!({}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "case management cannot approve");
    let r = api
        .post_json(
            "/api/v1/clues",
            &json!({"source": "report", "subject_name": "x", "title": "x", "matter": "x"}),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("source"))
    );
    let listed = api.get("/api/v1/clues").await.json();
    assert_eq!(listed["total"], 3, "{listed}");
}

on_both!(
    a_verified_clue_is_filed_and_the_case_is_need_to_know,
    a_clue_without_a_roster_person_is_linked_before_a_measure,
    a_triage_meeting_proposes_dispositions_and_writes_its_minutes,
    inquiry_letter_explanation_and_reminder_talk_through_the_pages,
    outcomes_api_keeps_its_contract,
    outcome_pages_form_list_export_and_import,
    four_forms_page_opens_the_records_behind_each_figure,
    a_report_and_a_finding_become_clues_in_one_step,
);

/// Issue #13 §4: a clue → triage → inquiry letter → explanation → reminder talk, through the
/// pages as the clerks use them.
async fn inquiry_letter_explanation_and_reminder_talk_through_the_pages(t: TestApp) {
    add_person(&t, t.orgs.civil, "张三", ZHANG).await;
    t.user_in("casemgr", &["casemgmt"], &[t.orgs.city], t.orgs.commission)
        .await;
    t.user_in("leader1", &["leader"], &[t.orgs.city], t.orgs.commission)
        .await;
    let ag = t.login("casemgr").await;
    let r = ag
        .post_form(
            "/clues",
            &[
                ("source", "inspection"),
                ("source_ref", "市委第二巡察组移交"),
                ("subject_id_number", ZHANG),
                ("title", "张三违规收受礼金"),
                ("matter", "巡察发现张三春节期间收受管理服务对象礼金。"),
                ("received_on", "2026-06-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let url = r.location();
    let id = url.trim_start_matches("/clues/").split('?').next().unwrap().to_string();
    let page = ag.get(&url).await.text();
    assert!(
        page.contains("测试市民政局") && page.contains("张三"),
        "subject filled from the roster"
    );
    ag.post_form(
        &format!("/clues/{id}/act/propose"),
        &[("disposition", "inquiry"), ("note", "集体排查：拟函询")],
    )
    .await;
    let ld = t.login("leader1").await;
    assert_eq!(
        ld.post_form(&format!("/clues/{id}/act/approve"), &[("note", "")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    // The letter: numbered, its reply limit on the official calendar, the .docx read back.
    let r = ag
        .post_form(&format!("/clues/{id}/act/send_letter"), &[("note", "")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = ag.get(&url).await.text();
    assert!(page.contains("测纪函〔2026〕1号"), "{page}");
    assert!(page.contains("被函询人收到函询后书面说明情况"), "the limit is listed");
    let doc = ag.get(&format!("/clues/{id}/inquiry-letter.docx")).await;
    assert_eq!(doc.status, StatusCode::OK);
    let paras = qinglian_office::docx::read_paragraphs(&doc.bytes).unwrap().join("\n");
    assert!(
        paras.contains("函询通知书") && paras.contains("测纪函〔2026〕1号") && paras.contains("张三同志："),
        "{paras}"
    );
    assert!(
        paras.contains("15个工作日内") && paras.contains("经所在党组织主要负责人签署意见"),
        "{paras}"
    );
    // The explanation without the sign-off: refused, the text kept.
    let r = ag
        .post_form(
            &format!("/clues/{id}/act/record_explanation"),
            &[("text", "本人说明：未收受礼金。"), ("sign_off", ""), ("note", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("签署意见") && r.text().contains("本人说明：未收受礼金。"));
    let r = ag
        .post_form(
            &format!("/clues/{id}/act/record_explanation"),
            &[
                ("text", "本人说明：未收受礼金。"),
                ("sign_off", "同意其说明。局党组书记"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = ag
        .post_form(
            &format!("/clues/{id}/act/propose_conclusion"),
            &[("conclusion", "reminder_talk"), ("note", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(
        ld.post_form(&format!("/clues/{id}/act/approve"), &[("note", "同意")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let page = ag.get(&url).await.text();
    assert!(page.contains("谈话函询办结") && page.contains("已记入"), "{page}");
    let outcomes = ag.get("/outcomes").await.text();
    assert!(
        outcomes.contains("谈话提醒")
            && outcomes.contains("第一种形态")
            && outcomes.contains(&format!("问题线索 #{id}"))
    );
}

async fn a_triage_meeting_proposes_dispositions_and_writes_its_minutes(t: TestApp) {
    t.user_in("casemgr", &["casemgmt"], &[t.orgs.city], t.orgs.commission)
        .await;
    t.user_in("leader1", &["leader"], &[t.orgs.city], t.orgs.commission)
        .await;
    let api = t.api_login("casemgr").await;
    let mut ids = Vec::new();
    for (name, title) in [
        ("王五", "王五公款吃喝"),
        ("赵六", "赵六违规发放补贴"),
        ("孙七", "孙七插手工程"),
    ] {
        let r = api
            .post_json(
                "/api/v1/clues",
                &json!({"source": "audit", "subject_name": name, "title": title, "matter": "审计发现的问题"}),
            )
            .await;
        ids.push(r.json()["id"].as_i64().unwrap());
    }
    let ag = t.login("casemgr").await;
    let page = ag.get("/clues/triage").await.text();
    assert!(page.contains("待处置线索（3件）"), "{page}");
    // An item without its opinion: refused, nothing proposed, everything typed kept.
    let (a, b) = (ids[0].to_string(), ids[1].to_string());
    let mut fields = [
        ("held_on".to_string(), "2026-06-10".to_string()),
        ("place".to_string(), "第三会议室".to_string()),
        ("host".to_string(), "李建华".to_string()),
        ("attendees".to_string(), "吴海涛、郑文斌、周晓燕".to_string()),
        (format!("d_{a}"), "inquiry".to_string()),
        (format!("o_{a}"), "".to_string()),
        (format!("d_{b}"), "close".to_string()),
        (format!("o_{b}"), "反映问题已查清，不再处置".to_string()),
    ];
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = ag.post_form("/clues/triage", &refs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text().contains(&format!("线索 #{a}：请填写排查意见")) && r.text().contains("反映问题已查清"),
        "{}",
        r.text()
    );
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM clue_triage_meeting")
        .fetch_one(t.app.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
    fields[5].1 = "问题具体，拟函询".into();
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = ag.post_form("/clues/triage", &refs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let meeting = ag.get(&r.location()).await.text();
    assert!(
        meeting.contains("拟谈话函询（待审批）") && meeting.contains("拟予以了结（待审批）"),
        "{meeting}"
    );
    // The third clue was not on the agenda.
    assert!(ag.get("/clues/triage").await.text().contains("待处置线索（1件）"));
    let mid = r
        .location()
        .trim_start_matches("/clues/triage/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let doc = ag.get(&format!("/clues/triage/{mid}/minutes.docx")).await;
    assert_eq!(doc.status, StatusCode::OK);
    let text = qinglian_office::docx::read_paragraphs(&doc.bytes).unwrap().join("\n");
    assert!(
        text.contains("问题线索集体排查会议纪要") && text.contains("李建华主持"),
        "{text}"
    );
    assert!(
        text.contains("一、关于反映王五“王五公款吃喝”的问题线索") && text.contains("拟谈话函询"),
        "{text}"
    );
    assert!(
        text.contains("二、关于反映赵六") && text.contains("拟予以了结"),
        "{text}"
    );
    // The clue's history names the meeting.
    let clue = ag.get(&format!("/clues/{a}")).await.text();
    assert!(clue.contains("集体排查（2026-06-10）：问题具体，拟函询"), "{clue}");
    // The leader is told and approves.
    let ld = t.login("leader1").await;
    assert!(
        ld.get("/notifications")
            .await
            .text()
            .contains(&format!("问题线索 #{a}"))
    );
}

async fn a_clue_without_a_roster_person_is_linked_before_a_measure(t: TestApp) {
    t.user_in("casemgr", &["casemgmt"], &[t.orgs.city], t.orgs.commission)
        .await;
    let api = t.api_login("casemgr").await;
    let r = api
        .post_json("/api/v1/clues", &json!({"source": "referral", "subject_name": "张三", "subject_org": "测试市民政局", "title": "反映张三违规兼职", "matter": "其他机关移送"}))
        .await;
    let id = r.json()["id"].as_i64().unwrap();
    let c = t.login("casemgr").await;
    let page = c.get(&format!("/clues/{id}")).await.text();
    assert!(
        page.contains("未关联人员名册") && page.contains("id=\"clue-link-form\""),
        "{page}"
    );
    // Not in the roster yet: refused, the number typed kept.
    let r = c.post_form(&format!("/clues/{id}/link"), &[("id_number", ZHANG)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("人员名册中没有该身份证号") && r.text().contains(ZHANG));
    add_person(&t, t.orgs.civil, "李四", LI).await;
    let r = c.post_form(&format!("/clues/{id}/link"), &[("id_number", LI)]).await;
    assert!(r.text().contains("与被反映人“张三”不符"), "{}", r.text());
    add_person(&t, t.orgs.civil, "张三", ZHANG).await;
    let r = c.post_form(&format!("/clues/{id}/link"), &[("id_number", ZHANG)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = c.get(&r.location()).await.text();
    assert!(
        page.contains("已关联人员名册") && page.contains("href=\"/persons/"),
        "{page}"
    );
    assert_eq!(
        c.post_form(&format!("/clues/{id}/link"), &[("id_number", ZHANG)])
            .await
            .status,
        StatusCode::CONFLICT
    );
    let v = api.get(&format!("/api/v1/clues/{id}")).await.json();
    assert!(v["subject"]["person_id"].is_i64());
    // Through the API: a second link is a conflict; another clue links by its ID number.
    let r = api
        .post_json(&format!("/api/v1/clues/{id}/link"), &json!({"id_number": ZHANG}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let r = api
        .post_json(
            "/api/v1/clues",
            &json!({"source": "audit", "subject_name": "李四", "title": "李四违规", "matter": "审计发现"}),
        )
        .await;
    let other = r.json()["id"].as_i64().unwrap();
    let r = api
        .post_json(&format!("/api/v1/clues/{other}/link"), &json!({"id_number": LI}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.json()["person_id"].as_i64().unwrap() > 0);
    // Same name, another unit: refused (a common name is no match on its own).
    let r = api
        .post_json(
            "/api/v1/clues",
            &json!({"source": "audit", "subject_name": "张三", "subject_org": "测试市财政局", "title": "张三违规", "matter": "审计发现"}),
        )
        .await;
    let third = r.json()["id"].as_i64().unwrap();
    let r = api
        .post_json(&format!("/api/v1/clues/{third}/link"), &json!({"id_number": ZHANG}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("与线索所反映的单位“测试市财政局”不符"),
        "{}",
        r.text()
    );
}

async fn a_verified_clue_is_filed_and_the_case_is_need_to_know(t: TestApp) {
    add_person(&t, t.orgs.civil, "张三", ZHANG).await;
    t.user_in("casemgr", &["casemgmt"], &[t.orgs.city], t.orgs.commission)
        .await;
    t.user_in("leader1", &["leader"], &[t.orgs.city], t.orgs.commission)
        .await;
    let inv = t
        .user_in("invest1", &["investigation"], &[t.orgs.city], t.orgs.commission)
        .await;
    let api = t.api_login("casemgr").await;
    let boss = t.api_login("leader1").await;
    let r = api
        .post_json(
            "/api/v1/clues",
            &json!({"source": "audit", "subject_id_number": ZHANG, "title": "张三虚报冒领", "matter": "审计发现"}),
        )
        .await;
    let id = r.json()["id"].as_i64().unwrap();
    let step = |who: &'static str, action: &'static str, body: serde_json::Value| {
        let c = if who == "boss" { &boss } else { &api };
        async move {
            let r = c.post_json(&format!("/api/v1/clues/{id}/{action}"), &body).await;
            assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.text());
            r.json()["status"].as_str().unwrap().to_string()
        }
    };
    step(
        "api",
        "propose",
        json!({"disposition": "verification", "note": "拟初核"}),
    )
    .await;
    step("boss", "approve", json!({})).await;
    step(
        "api",
        "plan_verification",
        json!({"text": "核实虚报冒领", "team": "吴海涛、郑文斌", "due_on": "2026-09-30"}),
    )
    .await;
    step("api", "propose_filing", json!({"text": "初核属实，建议立案"})).await;
    assert_eq!(step("boss", "approve", json!({})).await, "filed");
    // Case management sees the case; the clue links to it.
    let c = t.login("casemgr").await;
    let list = c.get("/cases").await.text();
    assert!(list.contains("测纪立〔2026〕1号") && list.contains("张三"), "{list}");
    let case_id: i64 = sqlx::query_scalar("SELECT id FROM case_record")
        .fetch_one(t.app.db.pool())
        .await
        .unwrap();
    assert!(
        c.get(&format!("/clues/{id}"))
            .await
            .text()
            .contains(&format!("/cases/{case_id}"))
    );
    assert_eq!(c.get(&format!("/cases/{case_id}")).await.status, StatusCode::OK);
    // An investigator outside the team sees nothing, not even that it exists.
    let i = t.login("invest1").await;
    assert!(i.get("/cases").await.text().contains("没有您可以查看的案件"));
    assert_eq!(i.get(&format!("/cases/{case_id}")).await.status, StatusCode::NOT_FOUND);
    let mut tx = t.app.db.begin().await.unwrap();
    qinglian_store::case::add_member(
        &mut tx,
        &Scope::new(vec!["/".into()]),
        qinglian_store::case::CaseId(case_id),
        inv,
        qinglian_store::case::Role::Investigation,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(i.get(&format!("/cases/{case_id}")).await.status, StatusCode::OK);
    let reads: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'case.read'")
        .fetch_one(t.app.db.pool())
        .await
        .unwrap();
    assert_eq!(reads, 2, "every read of a case is audited");
}
