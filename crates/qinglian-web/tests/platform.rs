//! Audit chain, calendar API, deadlines and notifications, the auditor's and the admins'
//! pages, OpenAPI (issue #2 §6–8).

mod common;

use axum::http::StatusCode;
use chrono::NaiveDate;
use common::TestApp;
use qinglian_domain::deadline::Due;
use qinglian_store::deadline::{self, NewDeadline};

on_both!(
    audit_chain_verifies_and_detects_tampering,
    calendar_api_computes_due_dates_and_describes_days,
    calendar_admin_adds_a_year_without_a_release,
    deadlines_show_yellow_and_red_in_scope_and_notify_once,
    openapi_and_unknown_api_paths,
    sysadmin_creates_users_with_a_one_time_password,
    auditor_filters_and_exports_the_log,
    malformed_requests_get_chinese_4xx_not_english_or_500,
    moving_an_org_moves_its_subtree,
    cutting_off_the_start_of_the_audit_log_is_detected,
    party_orgs_are_attached_to_orgs,
    the_system_admin_cannot_take_over_the_other_admins,
);

/// Issue #16 §1: 三员分立 holds for account recovery.
async fn the_system_admin_cannot_take_over_the_other_admins(t: TestApp) {
    t.user("sys", &["sysadmin"], &[]).await;
    let aud = t.user("aud", &["auditor"], &[]).await;
    let sec = t.user("sec", &["secadmin"], &[]).await;
    let staff = t.user("xuser", &["leader"], &[t.orgs.city]).await;
    let c = t.login("sys").await;
    let page = c.get("/admin/users").await.text();
    assert!(
        !page.contains(&format!("/admin/users/{aud}/reset-password")),
        "no reset button for the auditor"
    );
    assert!(page.contains(&format!("/admin/users/{staff}/reset-password")));
    assert!(page.contains("三员分立"));
    for (id, action) in [(aud, "reset-password"), (sec, "reset-password"), (aud, "disable")] {
        let r = c.post_form(&format!("/admin/users/{id}/{action}"), &[]).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{action} {id}");
        assert!(r.text().contains("qinglian user passwd"), "{}", r.text());
    }
    let hash_changed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM app_user WHERE must_change_password = 1")
        .fetch_one(t.app.db.pool())
        .await
        .unwrap();
    assert_eq!(hash_changed, 0, "nothing was reset");
    let r = c.post_form(&format!("/admin/users/{staff}/reset-password"), &[]).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "an ordinary account is reset as before"
    );
    assert!(c.get(&r.location()).await.text().contains("id=\"new-password\""));
}

async fn audit_chain_verifies_and_detects_tampering(t: TestApp) {
    t.user("aud", &["auditor"], &[]).await;
    t.user("xuser", &["leader"], &[t.orgs.city]).await;
    for _ in 0..3 {
        t.login("xuser").await;
    }
    let c = t.login("aud").await;
    let r = c.post_form("/audit/verify", &[]).await;
    assert!(r.text().contains("完整性校验通过"), "{}", r.text());
    let report = qinglian_store::audit::verify(&t.app.db).await.unwrap();
    assert!(report.failure.is_none() && report.checked >= 5);
    let alg: String = sqlx::query_scalar("SELECT hash_alg FROM audit_log WHERE seq = 1")
        .fetch_one(t.app.db.pool())
        .await
        .unwrap();
    assert_eq!(alg, "sm3", "国密 mode by default");
    t.sql("UPDATE audit_log SET detail = 'edited' WHERE seq = 3").await;
    let report = qinglian_store::audit::verify(&t.app.db).await.unwrap();
    assert_eq!(
        report.failure.as_ref().unwrap().seq,
        qinglian_store::audit::AuditSeq(3),
        "{report:?}"
    );
    let r = c.post_form("/audit/verify", &[]).await;
    assert!(r.text().contains("完整性校验失败"));
}

async fn calendar_api_computes_due_dates_and_describes_days(t: TestApp) {
    let c = t.anon();
    // 2025-09-30 + 5 working days crosses 国庆+中秋 (10/1–10/8), 10/11 is a make-up Saturday: 10/9, 10/10, 10/11, 10/13, 10/14.
    let r = c.get("/api/v1/calendar/due?start=2025-09-30&workdays=5").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["due"], "2025-10-14");
    // 30 days from 2026-01-05 ends on 2026-02-04 (a Wednesday, a working day).
    assert_eq!(
        c.get("/api/v1/calendar/due?start=2026-01-05&days=30").await.json()["due"],
        "2026-02-04"
    );
    // Ending on a holiday rolls to the next working day: 2026-02-10 + 5 days = 2/15 (春节) → 2/24.
    assert_eq!(
        c.get("/api/v1/calendar/due?start=2026-02-10&days=5").await.json()["due"],
        "2026-02-24"
    );
    let d = c.get("/api/v1/calendar/day/2026-02-14").await.json();
    assert_eq!(d["workday"], true);
    assert_eq!(d["kind"], "makeup_workday");
    let d = c.get("/api/v1/calendar/day/2026-10-01").await.json();
    assert_eq!(d["kind"], "holiday");
    assert!(d["name"].as_str().unwrap().contains("国庆"));
    let r = c.get("/api/v1/calendar/due?start=2026-12-20&workdays=30").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["message"].as_str().unwrap().contains("2027"));
    let r = c.get("/api/v1/calendar/due?start=2026-13-01&workdays=3").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "start");
}

async fn calendar_admin_adds_a_year_without_a_release(t: TestApp) {
    t.user("sys", &["sysadmin"], &[]).await;
    let c = t.login("sys").await;
    let bad = c
        .post_form("/admin/calendar", &[("text", "2027-02-30,春节,holiday")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("第1行"));
    // RULES.md §1: a year is saved whole or not at all — two festivals are not a year.
    let text = "2027-01-01,元旦,holiday\n2027-02-06~2027-02-12,春节,holiday\n2027-02-14,春节调休上班,makeup_workday\n";
    let r = c.post_form("/admin/calendar", &[("text", text)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let page = r.text();
    assert!(
        page.contains("不完整") && page.contains("清明节") && page.contains("国庆节"),
        "{page}"
    );
    assert!(
        page.contains("2027-02-06~2027-02-12"),
        "the typed lines are kept: {page}"
    );
    assert_eq!(
        t.anon().get("/api/v1/calendar/day/2027-02-08").await.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing of 2027 was saved"
    );
    // The whole year, pasted as the State Council's notice: preview, then save.
    let r = c
        .post_form(
            "/admin/calendar/notice",
            &[("notice", common::NOTICE_2027_FIXTURE), ("action", "preview")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("确认2027年节假日安排"));
    assert_eq!(
        t.anon().get("/api/v1/calendar/day/2027-01-01").await.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a preview saves nothing"
    );
    let r = c
        .post_form(
            "/admin/calendar/notice",
            &[("notice", common::NOTICE_2027_FIXTURE), ("action", "save")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let d = t.anon().get("/api/v1/calendar/day/2027-01-01").await.json();
    assert_eq!(d["kind"], "holiday");
    assert_eq!(
        t.anon()
            .get("/api/v1/calendar/due?start=2026-12-20&workdays=30")
            .await
            .status,
        StatusCode::OK
    );
}

async fn deadlines_show_yellow_and_red_in_scope_and_notify_once(t: TestApp) {
    let owner = t.user("unit1", &["unit_admin"], &[t.orgs.finance]).await;
    t.user("unit2", &["unit_admin"], &[t.orgs.civil]).await;
    let today = t.app.today();
    let cal = t.app.calendar();
    let mk = |org, title: &str, start: NaiveDate, due: NaiveDate| NewDeadline {
        module: "report".into(),
        object_type: "report".into(),
        object_id: "1".into(),
        org_id: org,
        owner_user_id: Some(owner),
        title: title.into(),
        rule_id: "report_accept_notice".into(),
        start_date: start,
        due: Due::On(due),
        link: "/".into(),
        notify_permission: String::new(),
    };
    let overdue_due = today - chrono::Duration::days(3);
    let soon = cal.add_workdays(today, 1).unwrap();
    let later = cal.add_workdays(today, 20).unwrap();
    let mut tx = t.app.db.begin().await.unwrap();
    deadline::create(
        &mut tx,
        &mk(
            t.orgs.finance,
            "逾期的受理告知",
            overdue_due - chrono::Duration::days(20),
            overdue_due,
        ),
    )
    .await
    .unwrap();
    deadline::create(&mut tx, &mk(t.orgs.finance_office, "临期的答复", today, soon))
        .await
        .unwrap();
    deadline::create(&mut tx, &mk(t.orgs.finance, "尚早的办结", today, later))
        .await
        .unwrap();
    deadline::create(
        &mut tx,
        &mk(
            t.orgs.civil,
            "民政局的逾期事项",
            overdue_due - chrono::Duration::days(20),
            overdue_due,
        ),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let c = t.login("unit1").await;
    let page = c.get("/deadlines").await.text();
    assert!(page.contains("逾期的受理告知") && page.contains("临期的答复"));
    assert!(!page.contains("尚早的办结"), "green items are not warnings");
    assert!(!page.contains("民政局的逾期事项"), "scope applies to deadlines");
    let api = t.api_login("unit1").await.get("/api/v1/deadlines").await.json();
    let statuses: Vec<&str> = api
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["red", "yellow"], "most urgent first");
    let home = c.get("/").await.text();
    assert!(
        home.contains("id=\"red-count\">1<") && home.contains("id=\"yellow-count\">1<"),
        "home shows the counts"
    );
    let sent = qinglian_web::jobs::run_deadline_scan(&t.app, today).await.unwrap();
    assert_eq!(
        sent, 3,
        "the owner is told of each yellow/red item once (two of unit1's, one of civil's assigned to the same owner)"
    );
    assert_eq!(
        qinglian_web::jobs::run_deadline_scan(&t.app, today).await.unwrap(),
        0,
        "not twice for the same status"
    );
    let inbox = c.get("/notifications").await.text();
    assert!(inbox.contains("【逾期】逾期的受理告知") && inbox.contains("【临期】临期的答复"));
}

async fn openapi_and_unknown_api_paths(t: TestApp) {
    let r = t.anon().get("/api/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let j = r.json();
    assert!(j["paths"]["/api/v1/calendar/due"].is_object());
    assert!(j["paths"]["/api/v1/persons"]["get"].is_object());
    // Issue #16 §6: the document says what each operation does. Query parameters are in the
    // query; every secured operation lists 401 and 403, every one with a path parameter 400
    // and 404, every one with a query or a body 400; the data-supervision feature's paths are
    // merged in.
    assert!(j["paths"]["/api/v1/ds/findings"]["get"].is_object());
    let mut checked = 0;
    for (path, item) in j["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let codes: Vec<&str> = op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            for p in &params {
                let name = p["name"].as_str().unwrap();
                let place = p["in"].as_str().unwrap();
                assert_eq!(
                    place == "path",
                    path.contains(&format!("{{{name}}}")),
                    "{method} {path}: parameter {name} is in {place}"
                );
            }
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            let mut want = Vec::new();
            if secured {
                want.extend(["401", "403"]);
            }
            if params.iter().any(|p| p["in"] == "path") {
                want.extend(["400", "404"]);
            }
            if params.iter().any(|p| p["in"] == "query") || op["requestBody"].is_object() {
                want.push("400");
            }
            for w in want {
                assert!(codes.contains(&w), "{method} {path} lists {w}: {codes:?}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 15, "{checked} operations");
    // Paging outside the documented bounds is refused, naming the parameter.
    t.user("casem", &["casemgmt"], &[t.orgs.city]).await;
    let api = t.api_login("casem").await;
    for q in ["per_page=201", "per_page=0", "page=0"] {
        let r = api.get(&format!("/api/v1/persons?{q}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        assert_eq!(r.json()["field"], q.split('=').next().unwrap(), "{q}");
    }
    assert_eq!(api.get("/api/v1/persons?per_page=200").await.status, StatusCode::OK);
    let r = t.anon().get("/api/v1/nope").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["code"], "not_found");
    let r = t.anon().get("/no-such-page").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("页面不存在"));
}

async fn sysadmin_creates_users_with_a_one_time_password(t: TestApp) {
    t.user("sys", &["sysadmin"], &[]).await;
    let c = t.login("sys").await;
    let bad = c
        .post_form("/admin/users", &[("username", "A"), ("display_name", "")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("用户名应为"));
    // Issue #16 §1: a 100-character name is refused with the limit, not saved.
    let long = "长".repeat(100);
    let bad = c
        .post_form("/admin/users", &[("username", "longname"), ("display_name", &long)])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text().contains("姓名不能超过30个字（现有100个字）"),
        "{}",
        bad.text()
    );
    let r = c
        .post_form(
            "/admin/users",
            &[
                ("username", "newbie"),
                ("display_name", "新同事"),
                ("org_id", &t.orgs.finance.to_string()),
            ],
        )
        .await;
    // POST → redirect → GET: the one-time password is shown once; a reload does not show it
    // again and re-submits nothing.
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let shown = r.location();
    let text = c.get(&shown).await.text();
    let start = text.find("<code class=\"mono\">").unwrap() + "<code class=\"mono\">".len();
    let pw = &text[start..start + text[start..].find('<').unwrap()];
    assert!(!c.get(&shown).await.text().contains(pw), "shown once");
    let newbie = t.login_with("newbie", pw).await.unwrap();
    assert_eq!(
        newbie.get("/").await.location(),
        "/account/password",
        "first login forces a new password"
    );
    let dup = c
        .post_form("/admin/users", &[("username", "newbie"), ("display_name", "又一个")])
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(dup.text().contains("已被使用"));
}

async fn auditor_filters_and_exports_the_log(t: TestApp) {
    t.user("aud", &["auditor"], &[]).await;
    t.user("xuser", &["leader"], &[t.orgs.city]).await;
    let _ = t.login_with("xuser", "bad-password").await;
    let c = t.login("aud").await;
    let r = c.get("/audit?username=xuser&outcome=failure").await.text();
    assert!(r.contains("密码错误"));
    let r = c.get("/audit?from=2020-13-01").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("起始日期格式"));
    let x = c.get("/audit/export.xlsx?username=xuser").await;
    assert_eq!(x.status, StatusCode::OK);
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(x.bytes)).unwrap();
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    assert!(range.rows().count() >= 2);
    assert!(range.rows().skip(1).all(|r| r[2] == "xuser"));
}

async fn malformed_requests_get_chinese_4xx_not_english_or_500(t: TestApp) {
    t.user("casem", &["casemgmt"], &[t.orgs.city]).await;
    let c = t.login("casem").await;
    let r = c.get("/persons/not-a-number").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.text().contains("请求参数有误") && r.header("content-type").starts_with("text/html"),
        "{}",
        r.text()
    );
    let r = c.get("/persons?page=abc").await;
    assert!(r.status.is_client_error() && r.text().contains("请求参数有误"));
    let api = t.api_login("casem").await;
    let r = api.get("/api/v1/persons/xyz").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["code"], "bad_request");
    let r = api.get("/api/v1/calendar/due?start=2026-01-05&workdays=-3").await;
    assert!(r.status.is_client_error());
    assert!(r.json()["message"].as_str().unwrap().contains("请求参数有误"));
    // Exports of the remaining lists are real workbooks.
    let x = c.get("/deadlines/export.xlsx").await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.bytes.starts_with(b"PK"), "xlsx is a zip");
}

async fn moving_an_org_moves_its_subtree(t: TestApp) {
    t.user("sysa", &["sysadmin"], &[]).await;
    let c = t.login("sysa").await;
    let r = c
        .post_form(
            &format!("/orgs/{}", t.orgs.finance),
            &[
                ("parent_id", &t.orgs.civil.to_string()),
                ("name", "测试市财政局"),
                ("kind", "unit"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let office = qinglian_store::org::get_unscoped(t.app.db.pool(), t.orgs.finance_office)
        .await
        .unwrap();
    assert_eq!(
        office.path,
        format!(
            "/{}/{}/{}/{}/",
            t.orgs.city, t.orgs.civil, t.orgs.finance, t.orgs.finance_office
        )
    );
    assert_eq!(office.depth, 3);
    let r = c
        .post_form(
            &format!("/orgs/{}", t.orgs.civil),
            &[
                ("parent_id", &t.orgs.finance_office.to_string()),
                ("name", "测试市民政局"),
                ("kind", "unit"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "no cycles");
    let r = c
        .post_form(
            &format!("/orgs/{}", t.orgs.civil),
            &[("parent_id", ""), ("name", "测试市民政局"), ("kind", "unit")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "no second root");
}

async fn cutting_off_the_start_of_the_audit_log_is_detected(t: TestApp) {
    t.user("xuser", &["leader"], &[t.orgs.city]).await;
    for _ in 0..3 {
        t.login("xuser").await;
    }
    assert!(
        qinglian_store::audit::verify(&t.app.db)
            .await
            .unwrap()
            .failure
            .is_none()
    );
    // An attacker deletes the first entries and moves the anchor without a purge record.
    t.sql("UPDATE audit_head SET anchor_seq = 3, anchor_hash = (SELECT prev_hash FROM audit_log WHERE seq = 3)")
        .await;
    t.sql("DELETE FROM audit_log WHERE seq < 3").await;
    let report = qinglian_store::audit::verify(&t.app.db).await.unwrap();
    assert_eq!(
        report.failure.expect("detected").seq,
        qinglian_store::audit::AuditSeq(3)
    );
}

async fn party_orgs_are_attached_to_orgs(t: TestApp) {
    t.user("sysa", &["sysadmin"], &[]).await;
    let c = t.login("sysa").await;
    let path = format!("/orgs/{}/party-orgs", t.orgs.finance);
    let r = c
        .post_form(&path, &[("name", "测试市财政局党组"), ("kind", "party_group")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = c
        .post_form(&path, &[("name", "测试市财政局党组"), ("kind", "party_group")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("已有名为"));
    let r = c
        .post_form(&path, &[("name", "机关党支部"), ("kind", "nonsense")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("党组织类型无效"));
    let edit = c.get(&format!("/orgs/{}/edit", t.orgs.finance)).await.text();
    assert!(edit.contains("测试市财政局党组"));
    let list = c.get("/orgs").await.text();
    assert!(list.contains("测试市财政局党组"), "the tree shows attached party orgs");
    t.user("unit1", &["unit_admin"], &[t.orgs.finance]).await;
    let u = t.login("unit1").await;
    assert_eq!(
        u.post_form(&path, &[("name", "x党支部"), ("kind", "branch")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
