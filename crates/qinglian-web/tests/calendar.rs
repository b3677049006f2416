//! The official calendar as its administrator keeps it (issue #11 §6, issue #16 §5): the State
//! Council notice pasted and parsed, previewed, saved whole; deadlines that run into a year
//! without a calendar wait (待定) and are computed the moment the year is saved.

mod common;

use axum::http::StatusCode;
use chrono::NaiveDate;
use common::TestApp;
use qinglian_domain::calendar::YearCalendar;
use qinglian_domain::calendar::notice::parse_notice;
use serde_json::json;

on_both!(notice_api_previews_saves_and_names_the_line_it_cannot_read);
on_both_at!(
    "2026-12-20",
    deadlines_into_a_missing_year_wait_and_resolve_when_it_is_saved
);

fn count_days(v: &serde_json::Value) -> usize {
    v["days"].as_array().map_or(0, Vec::len)
}

async fn audit_count(t: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(t.app.db.pool())
        .await
        .unwrap()
}

async fn notice_api_previews_saves_and_names_the_line_it_cannot_read(t: TestApp) {
    t.user("sys", &["sysadmin"], &[]).await;
    t.user("boss", &["leader"], &[t.orgs.city]).await;
    let api = t.api_login("sys").await;

    // RULES.md §1: the real 2026 notice gives exactly the built-in 2026 calendar.
    let r = api
        .post_json("/api/v1/calendar/notice", &json!({"text": common::NOTICE_2026}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["year"], 2026);
    let builtin = YearCalendar::builtin(2026).unwrap();
    assert_eq!(count_days(&v), builtin.days.len());
    for (got, want) in v["days"].as_array().unwrap().iter().zip(&builtin.days) {
        assert_eq!(got["date"], want.date.format("%Y-%m-%d").to_string());
        assert_eq!(got["kind"], want.kind.as_str());
        assert_eq!(
            got["name"].as_str().unwrap(),
            want.name.trim_end_matches("调休上班"),
            "make-up days carry their festival's name"
        );
    }
    let spring: Vec<&serde_json::Value> = v["days"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["name"] == "春节" && d["kind"] == "holiday")
        .collect();
    assert_eq!(spring.len(), 9, "春节 2月15日至23日，共9天");

    // Unreadable text: 422 naming the line, nothing saved.
    let bad = "国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日放假。\n二、春节：2月5日起休息若干天。\n";
    let r = api
        .post_json("/api/v1/calendar/notice", &json!({"text": bad, "save": true}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let e = r.json();
    assert!(e["code"].is_string());
    assert!(e["message"].as_str().unwrap().contains("第3行"), "{e}");
    let r = api.post_json("/api/v1/calendar/notice", &json!({"txt": 1})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());

    // Only the calendar's administrator may use it.
    let leader = t.api_login("boss").await;
    let r = leader
        .post_json("/api/v1/calendar/notice", &json!({"text": common::NOTICE_2026}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .anon()
        .post_json("/api/v1/calendar/notice", &json!({"text": common::NOTICE_2026}))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // Next year: a preview changes nothing; a save makes deadlines into 2027 work at once.
    let fixture = parse_notice(common::NOTICE_2027_FIXTURE).unwrap();
    let r = api
        .post_json(
            "/api/v1/calendar/notice",
            &json!({"text": common::NOTICE_2027_FIXTURE, "save": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["year"], 2027);
    assert_eq!(count_days(&r.json()), fixture.days.len());
    let due = "/api/v1/calendar/due?start=2026-12-20&workdays=15";
    assert_eq!(t.anon().get(due).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(audit_count(&t, "calendar.save").await, 0);
    let r = api
        .post_json(
            "/api/v1/calendar/notice",
            &json!({"text": common::NOTICE_2027_FIXTURE, "save": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = t.anon().get(due).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let mut cal = qinglian_domain::calendar::Calendar::builtin();
    cal.insert_year(fixture.clone());
    let expected = cal
        .add_workdays(NaiveDate::from_ymd_opt(2026, 12, 20).unwrap(), 15)
        .unwrap();
    assert_eq!(r.json()["due"], expected.format("%Y-%m-%d").to_string());
    let first = fixture.days.first().unwrap();
    let d = t
        .anon()
        .get(&format!("/api/v1/calendar/day/{}", first.date))
        .await
        .json();
    assert_eq!(d["kind"], first.kind.as_str());
    assert_eq!(audit_count(&t, "calendar.save").await, 1);
    // Saving the year again replaces it (audited again).
    let r = api
        .post_json(
            "/api/v1/calendar/notice",
            &json!({"text": common::NOTICE_2027_FIXTURE, "save": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(audit_count(&t, "calendar.save").await, 2);
    let detail: String =
        sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'calendar.save' ORDER BY seq DESC")
            .fetch_one(t.app.db.pool())
            .await
            .unwrap();
    assert!(detail.contains("替换"), "{detail}");
}

async fn deadlines_into_a_missing_year_wait_and_resolve_when_it_is_saved(t: TestApp) {
    assert_eq!(t.app.today(), NaiveDate::from_ymd_opt(2026, 12, 20).unwrap());
    let sys = t.user("sys", &["sysadmin"], &[]).await;
    t.user("jiandu", &["supervision"], &[t.orgs.city]).await;
    t.user_in("minzheng", &["unit_admin"], &[t.orgs.civil], t.orgs.civil)
        .await;
    let id = t.seed_finding("110105194001010029", "死亡后仍发放养老金", "[]").await;

    // The dispatch form says why its due date is blank; dispatching still works.
    let c = t.login("jiandu").await;
    let form = c.get(&format!("/ds/findings/{id}")).await.text();
    assert!(form.contains("跨入2027年") && form.contains("待定"), "{form}");
    let civil = t.orgs.civil.to_string();
    let r = c
        .post_form(
            &format!("/ds/findings/{id}/dispatch"),
            &[("org_id", &civil), ("due_date", ""), ("note", "请核实")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = c.get(&format!("/ds/findings/{id}")).await.text();
    assert!(page.contains("期限 待定"), "{page}");
    let home = c.get("/").await.text();
    assert!(home.contains("id=\"pending-count\">1<"), "{home}");
    let api = t.api_login("jiandu").await.get("/api/v1/deadlines").await.json();
    let pending: Vec<&serde_json::Value> = api
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["status"] == "pending")
        .collect();
    assert_eq!(pending.len(), 1, "{api}");
    assert!(pending[0]["due_date"].is_null());

    // The unit's home page has a to-do card for the check, opening the filtered list.
    let unit_home = t.login("minzheng").await.get("/").await.text();
    assert!(
        unit_home.contains("id=\"todo-checking\"") && unit_home.contains("待核查疑点"),
        "{unit_home}"
    );
    assert!(unit_home.contains("href=\"/ds/findings?status=checking\""));

    // The calendar administrator is told at once, and on login, without piling up copies.
    let title = qinglian_store::deadline::missing_year_title(2027);
    let unread = |t: &TestApp| {
        let title = title.clone();
        let pool = t.app.db.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM notification WHERE user_id = $1 AND title = $2 AND read_at IS NULL",
            )
            .bind(sys)
            .bind(title)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(unread(&t).await, 1);
    let admin = t.login("sys").await;
    assert_eq!(unread(&t).await, 1, "not again while one is unread");
    let home = admin.get("/").await.text();
    assert!(
        home.contains("id=\"calendar-warning\"") && home.contains("2027"),
        "{home}"
    );
    admin.post_form("/notifications/read-all", &[]).await;
    t.login("sys").await;
    assert_eq!(unread(&t).await, 1, "every login asks again until the year is saved");

    // 返回修改 from the preview keeps the pasted text.
    let r = admin
        .post_form(
            "/admin/calendar/notice",
            &[("notice", common::NOTICE_2027_FIXTURE), ("action", "edit")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("国务院办公厅关于2027年部分节假日安排的通知"));

    // Saving 2027 computes the due date at once, tells the unit, and is audited.
    let r = admin
        .post_form(
            "/admin/calendar/notice",
            &[("notice", common::NOTICE_2027_FIXTURE), ("action", "save")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let mut cal = qinglian_domain::calendar::Calendar::builtin();
    cal.insert_year(parse_notice(common::NOTICE_2027_FIXTURE).unwrap());
    let expected = cal
        .add_workdays(t.app.today(), 15)
        .unwrap()
        .format("%Y-%m-%d")
        .to_string();
    let page = c.get(&format!("/ds/findings/{id}")).await.text();
    assert!(page.contains(&format!("期限 {expected}")), "{page}");
    let unit = t.login("minzheng").await;
    assert!(unit.get(&format!("/ds/findings/{id}")).await.text().contains(&expected));
    // The unit that must check is told the date (the dispatch promised to tell it).
    let inbox = unit.get("/notifications").await.text();
    assert!(inbox.contains("【期限已确定】"), "{inbox}");
    assert_eq!(audit_count(&t, "calendar.pending_resolved").await, 1);
    assert_eq!(qinglian_store::deadline::pending_count(&t.app.db).await.unwrap(), 0);
    let home = admin.get("/").await.text();
    assert!(!home.contains("id=\"calendar-warning\""), "{home}");
}
