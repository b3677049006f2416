//! Reports (issue #12) end to end through the real router, on SQLite and PostgreSQL: a citizen
//! files on the portal with the human check and follows the report by its receipt code; the
//! reports office accepts and replies; the citizen rates. The public API's exact contract, its
//! rate limits, the hotline posting twice, a transfer to a unit and its report-back, scope
//! isolation, and the reporter's identity absent from every staff page, export and the API.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::json;

const NAME: &str = "欧阳明远";
const ID_NUMBER: &str = "11010519491231002X";

/// The portal form of `kind` answered as a browser would: the challenge solved.
async fn portal_form(t: &TestApp, kind: &str) -> Vec<(String, String)> {
    let page = t.anon().get(&format!("/portal/report/{kind}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    let salt = text
        .split("data-hc-salt=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the form carries a challenge")
        .to_string();
    let token = page.hidden("hc_token").expect("token");
    let nonce = qinglian_web::services::public::solve(&salt, qinglian_web::services::public::CHALLENGE_BITS);
    vec![("hc_token".into(), token), ("hc_nonce".into(), nonce)]
}

fn named_accusation() -> Vec<(&'static str, &'static str)> {
    vec![
        ("named", "1"),
        ("reporter_name", NAME),
        ("reporter_id_number", ID_NUMBER),
        ("reporter_phone", "13912345678"),
        ("reporter_address", "测试市解放路1号"),
        ("subject_name", "张三"),
        ("subject_org", "测试市民政局"),
        ("subject_post", "科长"),
        ("subject_level", "乡科级"),
        ("category", "违反廉洁纪律"),
        ("title", "反映张三收受好处费"),
        ("content", "张三在2026年5月低保审批中收受好处费三千元。"),
    ]
}

fn with(hc: &[(String, String)], fields: &[(&'static str, &'static str)]) -> Vec<(String, String)> {
    hc.iter()
        .cloned()
        .chain(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        .collect()
}

async fn post_pairs(c: &common::Client<'_>, path: &str, pairs: &[(String, String)]) -> common::Resp {
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    c.post_form_no_csrf(path, &refs).await
}

fn ticket_client<'a>(t: &'a TestApp, r: &common::Resp) -> common::Client<'a> {
    let v = r.cookie("qinglian_follow").expect("a follow ticket");
    let mut c = t.anon();
    c.cookie = format!("qinglian_follow={v}");
    c
}

fn receipt_code(text: &str) -> String {
    let start = text.find("id=\"receipt-code\">").expect("code shown") + "id=\"receipt-code\">".len();
    text[start..start + 19].replace(' ', "")
}

/// The newest report's id.
async fn newest(t: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT MAX(id) FROM report")
        .fetch_one(t.app.db.pool())
        .await
        .unwrap()
}

async fn citizen_files_follows_and_rates_on_the_portal(t: TestApp) {
    // The reports office sits in the commission (its 信访室).
    t.user_in("xfs", &["reports"], &[t.orgs.city], t.orgs.commission).await;
    let home = t.anon().get("/portal").await;
    assert_eq!(home.status, StatusCode::OK);
    for entry in [
        "检举控告",
        "批评建议",
        "损害发展环境问题有奖举报",
        "我为群众办实事",
        "查询",
    ] {
        assert!(home.text().contains(entry), "{entry}");
    }
    // A wrong ID number: the form comes back with everything typed and the field named.
    let hc = portal_form(&t, "accusation").await;
    let mut bad = named_accusation();
    bad[2] = ("reporter_id_number", "110105194912310021");
    let r = post_pairs(&t.anon(), "/portal/report/accusation", &with(&hc, &bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = r.text();
    assert!(text.contains("校验码"), "{text}");
    assert!(
        text.contains("张三在2026年5月低保审批中收受好处费三千元。"),
        "the matter is kept"
    );
    // No human check: refused.
    let no_hc = with(&[], &named_accusation());
    let r = post_pairs(&t.anon(), "/portal/report/accusation", &no_hc).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("人机校验"));

    let hc = portal_form(&t, "accusation").await;
    let r = post_pairs(&t.anon(), "/portal/report/accusation", &with(&hc, &named_accusation())).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.location(), "/portal/follow");
    let set = r.set_cookie_header("qinglian_follow").unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Path=/portal"),
        "{set}"
    );
    // The same answered challenge cannot file a second report.
    let again = post_pairs(&t.anon(), "/portal/report/accusation", &with(&hc, &named_accusation())).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    let citizen = ticket_client(&t, &r);
    let first = citizen.get("/portal/follow").await;
    let code = receipt_code(&first.text());
    assert_eq!(code.len(), 16);
    assert!(first.text().contains("已收到，正在审核"));
    assert!(
        !citizen.get("/portal/follow").await.text().contains("receipt-code"),
        "the code is shown once"
    );
    // Stored only as a hash.
    let stored: String = sqlx::query_scalar("SELECT receipt_hash FROM report")
        .fetch_one(t.app.db.pool())
        .await
        .unwrap();
    assert!(!stored.contains(&code) && stored.len() == 64);

    // The office is told, without the report's text.
    let told: Vec<String> = sqlx::query_scalar(
        "SELECT n.title FROM notification n JOIN app_user u ON u.id = n.user_id WHERE u.username = 'xfs'",
    )
    .fetch_all(t.app.db.pool())
    .await
    .unwrap();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].contains("网上举报待受理") && !told[0].contains("张三"),
        "{told:?}"
    );
    // The office: the register and the page show the matter, never who reported it.
    let office = t.login("xfs").await;
    let id = newest(&t).await;
    let list = office.get("/reports").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text().contains("反映张三收受好处费"));
    let page = office.get(&format!("/reports/{id}")).await;
    let text = page.text();
    assert!(text.contains("张三在2026年5月低保审批中收受好处费三千元"), "{text}");
    assert!(text.contains("实名（身份信息已加密"));
    for secret in [NAME, ID_NUMBER, "13912345678", "解放路"] {
        assert!(!text.contains(secret), "{secret} on the staff page");
        assert!(!list.text().contains(secret), "{secret} in the list");
    }
    // The acceptance limit: 15 working days from 2026-06-15 (端午 06-19) = 07-07.
    assert!(text.contains("2026-07-07"), "{text}");
    let r = office
        .post_form(&format!("/reports/{id}/act/accept"), &[("text", "")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    // A reply before the conclusion is refused, the text kept.
    let r = office
        .post_form(&format!("/reports/{id}/act/reply"), &[("text", "草拟的答复")])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("草拟的答复"));
    office
        .post_form(&format!("/reports/{id}/act/conclude"), &[("text", "经核查属实")])
        .await;
    let r = office
        .post_form(
            &format!("/reports/{id}/act/reply"),
            &[("text", "经核查，您反映的问题属实，已依规依纪处理。")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

    // The notices of the steps taken, as Word documents in the official layout, addressed
    // without the reporter's name.
    let page = office.get(&format!("/reports/{id}")).await.text();
    for doc in ["accept", "result"] {
        assert!(page.contains(&format!("/reports/{id}/documents/{doc}.docx")), "{doc}");
    }
    assert!(!page.contains("documents/assign.docx"), "no 交办函 without a 交办");
    assert!(
        !page.contains("documents/reply.docx"),
        "an accusation's reply is its 办理结果告知书"
    );
    let d = office.get(&format!("/reports/{id}/documents/result.docx")).await;
    assert_eq!(d.status, StatusCode::OK);
    assert!(d.header("content-disposition").contains(".docx"));
    let paras = qinglian_office::docx::read_paragraphs(&d.bytes).unwrap();
    let text = paras.join("\n");
    assert!(paras.iter().any(|p| p == "办理结果告知书"), "{text}");
    assert!(paras.iter().any(|p| p == "反映人："), "{text}");
    assert!(text.contains("经核查，您反映的问题属实，已依规依纪处理。"), "{text}");
    // Numbered per year and kind in the document register (the first of the year).
    assert!(text.contains("测纪信结〔2026〕1号"), "{text}");
    let accept = office.get(&format!("/reports/{id}/documents/accept.docx")).await;
    let accept = qinglian_office::docx::read_paragraphs(&accept.bytes)
        .unwrap()
        .join("\n");
    assert!(accept.contains("测纪信受〔2026〕1号"), "{accept}");
    assert!(text.contains("2026年6月15日"), "{text}");
    assert!(!text.contains(NAME));
    assert_eq!(
        office.get(&format!("/reports/{id}/documents/assign.docx")).await.status,
        StatusCode::NOT_FOUND
    );

    // The citizen, another day, with the code.
    let r = t.anon().post_form_no_csrf("/portal/follow", &[("code", &code)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let citizen = ticket_client(&t, &r);
    let page = citizen.get("/portal/follow").await.text();
    assert!(page.contains("经核查，您反映的问题属实，已依规依纪处理。"));
    assert!(!page.contains("经核查属实"), "internal notes stay inside");
    assert!(!page.contains("测试xfs"), "no staff names");
    let r = citizen
        .post_form_no_csrf("/portal/follow/rate", &[("satisfaction", "basically")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        citizen
            .get("/portal/follow?ok=rated")
            .await
            .text()
            .contains("感谢您的评价")
    );
    let twice = citizen
        .post_form_no_csrf("/portal/follow/rate", &[("satisfaction", "satisfied")])
        .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(office.get(&format!("/reports/{id}")).await.text().contains("基本满意"));
    // Without the ticket the writes go nowhere.
    let r = t
        .anon()
        .post_form_no_csrf("/portal/follow/supplement", &[("text", "补充")])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // A wrong code with a valid check digit: 404 and nothing else.
    let wrong = if code.starts_with('0') { "1" } else { "0" }.to_string() + &code[1..];
    let wrong = fix_check_digit(&wrong);
    let r = t.anon().post_form_no_csrf("/portal/follow", &[("code", &wrong)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("查询码不存在"));
}

/// The same first 15 digits with the right check digit (ISO 7064 MOD 11-10).
fn fix_check_digit(code: &str) -> String {
    let mut p = 10;
    for c in code[..15].chars() {
        let d = c.to_digit(10).unwrap();
        let s = (p + d) % 10;
        let s = if s == 0 { 10 } else { s };
        p = (s * 2) % 11;
    }
    format!("{}{}", &code[..15], (11 - p) % 10)
}

async fn public_api_keeps_its_contract(t: TestApp) {
    let anon = t.anon();
    let body = json!({
        "kind": "accusation",
        "named": false,
        "subject": {"name": "李四", "org": "测试市财政局", "post": "科员"},
        "title": "反映李四违规收费",
        "content": "李四在办理业务时违规收取材料费五百元。",
    });
    // The human check is on by default.
    let r = anon.post_json("/api/public/reports", &body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "human_check");
    let ch = anon.get("/api/public/challenge").await.json();
    let nonce =
        qinglian_web::services::public::solve(ch["salt"].as_str().unwrap(), ch["bits"].as_u64().unwrap() as u32);
    let mut with_check = body.clone();
    with_check["human_check"] = json!({"token": ch["token"], "nonce": nonce});
    let r = anon.post_json("/api/public/reports", &with_check).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let code = r.json()["receipt_code"].as_str().unwrap().to_string();
    assert!(code.len() == 16 && code.chars().all(|c| c.is_ascii_digit()));
    assert_eq!(r.json().as_object().unwrap().len(), 1, "exactly {{receipt_code}}");

    let s = anon.get(&format!("/api/public/reports/{code}")).await;
    assert_eq!(s.status, StatusCode::OK);
    let v = s.json();
    assert_eq!(v["status"], "registered");
    assert_eq!(v["received_on"], common::TODAY);
    assert_eq!(v["replies"], json!([]));
    let unknown = fix_check_digit(&format!("9{}", &code[1..]));
    if unknown != code {
        assert_eq!(
            anon.get(&format!("/api/public/reports/{unknown}")).await.status,
            StatusCode::NOT_FOUND
        );
    }
    let malformed = anon.get("/api/public/reports/12345").await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(malformed.json()["field"], "receipt_code");

    // Invalid input: {code, message, field}, nothing written.
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM report")
        .fetch_one(t.app.db.pool())
        .await
        .unwrap();
    let ch = anon.get("/api/public/challenge").await.json();
    let nonce =
        qinglian_web::services::public::solve(ch["salt"].as_str().unwrap(), ch["bits"].as_u64().unwrap() as u32);
    let bad = json!({"kind": "accusation", "named": true, "reporter": {"name": "王五", "id_number": "123", "phone": "13900000000"},
        "subject": {"name": "李四"}, "title": "x", "content": "内容足够长的一段反映内容。",
        "human_check": {"token": ch["token"], "nonce": nonce}});
    let r = anon.post_json("/api/public/reports", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = r.json();
    assert_eq!(e["code"], "invalid");
    assert_eq!(e["field"], "reporter.id_number");
    assert!(e["message"].as_str().unwrap().contains("身份证号"));
    let r = anon
        .post_json("/api/public/reports", &json!({"kind": "nonsense"}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json()["message"],
        "取值 nonsense 无效，请对照接口文档",
        "no serde text for the client"
    );
    let r = anon
        .post_json("/api/public/reports", &json!({"kind": "accusation"}))
        .await;
    assert_eq!(r.json()["message"], "缺少字段 title");
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM report")
        .fetch_one(t.app.db.pool())
        .await
        .unwrap();
    assert_eq!(before, after);
}

async fn public_endpoints_are_rate_limited_per_address(t: TestApp) {
    let anon = t.anon();
    let body = json!({"kind": "suggestion", "named": false, "title": "建议", "content": "建议公开补贴发放明细，方便群众监督。"});
    for i in 0..2 {
        let r = anon.post_json("/api/public/reports", &body).await;
        assert_eq!(r.status, StatusCode::CREATED, "#{i}: {}", r.text());
    }
    let r = anon.post_json("/api/public/reports", &body).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.json()["code"], "too_many_requests");
    // Lookups, right or wrong, have their own budget.
    for _ in 0..3 {
        anon.get("/api/public/reports/0000000000000000").await;
    }
    assert_eq!(
        anon.get("/api/public/reports/0000000000000000").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let r = anon
        .post_form_no_csrf("/portal/follow", &[("code", "0000000000000000")])
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn hotline_transfer_to_a_unit_and_report_back(t: TestApp) {
    t.user("xfs", &["reports"], &[t.orgs.city]).await;
    t.user_in("caizheng", &["unit_admin"], &[t.orgs.finance], t.orgs.finance)
        .await;
    t.user_in("minzheng", &["unit_admin"], &[t.orgs.civil], t.orgs.civil)
        .await;
    let office = t.api_login("xfs").await;
    let hotline = json!({"kind": "service_request", "channel": "hotline", "external_id": "12345-2026-000187",
        "subject": {"name": "测试市财政局"}, "title": "补贴迟迟未发放", "content": "市民来电反映2026年农机补贴迟迟未发放。"});
    let first = office.post_json("/api/v1/reports", &hotline).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    let second = office.post_json("/api/v1/reports", &hotline).await;
    assert_eq!(second.status, StatusCode::OK);
    let id = first.json()["id"].as_i64().unwrap();
    assert_eq!(second.json()["id"].as_i64(), Some(id));
    assert_eq!(second.json()["existing"], true);
    assert!(second.json()["receipt_code"].is_null());
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM report")
        .fetch_one(t.app.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 1);

    let got = office.get(&format!("/api/v1/reports/{id}")).await.json();
    assert_eq!(got["channel"], "hotline");
    assert_eq!(got["deadlines"][0]["rule"], "petition_register");
    assert_eq!(got["deadlines"][0]["due"], "2026-06-30");
    assert_eq!(got["deadlines"][0]["status"], "green");
    let r = office
        .post_json(&format!("/api/v1/reports/{id}/accept"), &json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["deadlines"][0]["rule"], "petition_handle");
    let r = office
        .post_json(
            &format!("/api/v1/reports/{id}/assign"),
            &json!({"org_id": t.orgs.finance.0, "text": "请核实办理"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a service request needs the promised day"
    );
    assert_eq!(r.json()["field"], "promised_on");
    let r = office
        .post_json(
            &format!("/api/v1/reports/{id}/assign"),
            &json!({"org_id": t.orgs.finance.0, "text": "请核实办理", "promised_on": "2026-06-26"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["status"], "assigned");

    let finance = t.api_login("caizheng").await;
    let civil = t.api_login("minzheng").await;
    let mine = finance.get("/api/v1/reports").await.json();
    assert_eq!(mine["total"], 1);
    assert_eq!(civil.get("/api/v1/reports").await.json()["total"], 0);
    assert_eq!(
        civil.get(&format!("/api/v1/reports/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let r = civil
        .post_json(&format!("/api/v1/reports/{id}/report_back"), &json!({"text": "已办理"}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = finance
        .post_json(&format!("/api/v1/reports/{id}/accept"), &json!({}))
        .await;
    assert!(
        r.status == StatusCode::CONFLICT || r.status == StatusCode::FORBIDDEN,
        "{}",
        r.text()
    );
    let r = finance
        .post_json(
            &format!("/api/v1/reports/{id}/report_back"),
            &json!({"text": "补贴已于6月20日发放到位"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["status"], "reported_back");
    // The unit's page: the queue shows it with the step it may take.
    let unit_page = t.login("caizheng").await;
    let q = unit_page.get("/reports/assigned?status=reported_back").await;
    assert_eq!(q.status, StatusCode::OK);
    assert!(q.text().contains("补贴迟迟未发放"));
    // The unit's page: reached through its queue, the matter without even the 实名 flag.
    let page = unit_page.get(&format!("/reports/{id}")).await.text();
    assert!(
        page.contains("href=\"/reports/assigned\""),
        "the crumb leads to the queue"
    );
    assert!(!page.contains("reporter-cell"));
    let queue = unit_page.get("/reports/assigned").await.text();
    assert!(
        queue.contains("value=\"assigned\" selected"),
        "the filter says what the queue shows"
    );
    let r = office
        .post_json(&format!("/api/v1/reports/{id}/conclude"), &json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = office
        .post_json(&format!("/api/v1/reports/{id}/reply"), &json!({"text": ""}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "text");
    let r = office
        .post_json(
            &format!("/api/v1/reports/{id}/reply"),
            &json!({"text": "补贴已发放到位", "public_summary": "群众反映农机补贴未发放，财政局已于6月20日全部发放到位。"}),
        )
        .await;
    assert_eq!(r.json()["status"], "replied");
    assert_eq!(r.json()["deadlines"], json!([]));
    // The portal's 办实事 list shows the published summary and the unit, nothing else.
    let done = t.anon().get("/portal/done").await;
    assert_eq!(done.status, StatusCode::OK);
    let text = done.text();
    assert!(
        text.contains("财政局已于6月20日全部发放到位") && text.contains("测试市财政局"),
        "{text}"
    );
    assert!(!text.contains("市民来电反映"), "the request's own text stays inside");
}

async fn staff_register_offers_duplicates_and_exports_without_identity(t: TestApp) {
    t.user("xfs", &["reports"], &[t.orgs.city]).await;
    let office = t.login("xfs").await;
    let form = |title: &'static str| {
        vec![
            ("kind", "accusation"),
            ("channel", "letter"),
            ("received_on", "2026-06-12"),
            ("named", "1"),
            ("reporter_name", NAME),
            ("reporter_id_number", ID_NUMBER),
            ("reporter_phone", "13912345678"),
            ("subject_name", "张三"),
            ("title", title),
            ("content", "来信反映张三在低保审批中收受好处费。"),
        ]
    };
    let r = office.post_form("/reports", &form("来信反映张三")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = office.get(&r.location()).await.text();
    assert!(page.contains("反映人的查询码"), "shown once to the clerk");
    assert!(!office.get(&r.location()).await.text().contains("staff-receipt-code"));
    // The same subject again: offered as a duplicate, nothing registered yet, everything kept.
    let r = office.post_form("/reports", &form("再次来信反映张三")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("发现1件反映同一被反映人的信访件"));
    assert!(r.text().contains("再次来信反映张三"));
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM report")
        .fetch_one(t.app.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 1);
    let first = newest(&t).await;
    let mut dup = form("再次来信反映张三");
    let first_s = first.to_string();
    dup.push(("duplicate", &first_s));
    let r = office.post_form("/reports", &dup).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let status: String = sqlx::query_scalar("SELECT status FROM report WHERE id = $1")
        .bind(newest(&t).await)
        .fetch_one(t.app.db.pool())
        .await
        .unwrap();
    assert_eq!(status, "duplicate");
    let dup_page = office.get(&format!("/reports/{}", newest(&t).await)).await.text();
    assert!(
        dup_page.contains("作为重复件"),
        "the history says it was entered as a duplicate"
    );
    // A missing title: 422, the rest kept.
    let mut bad = form("");
    bad.push(("duplicate", "new"));
    let r = office.post_form("/reports", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("来信反映张三在低保审批中收受好处费。"));
    // The export: the register, no identity.
    let x = office.get("/reports/export.xlsx").await;
    assert_eq!(x.status, StatusCode::OK);
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(x.bytes.clone())).unwrap();
    use calamine::Reader;
    let sheet = wb.worksheet_range("信访件").unwrap();
    let cells: Vec<String> = sheet.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    assert!(cells.iter().any(|c| c == "来信反映张三"));
    assert!(cells.iter().any(|c| c == "重复件"));
    assert!(!cells.iter().any(|c| c.contains(NAME) || c.contains(ID_NUMBER)));
    // A unit admin cannot register or read the register.
    t.user_in("caizheng", &["unit_admin"], &[t.orgs.finance], t.orgs.finance)
        .await;
    let unit = t.login("caizheng").await;
    assert_eq!(unit.get("/reports").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        unit.post_form("/reports", &form("x")).await.status,
        StatusCode::FORBIDDEN
    );
}

on_both!(
    citizen_files_follows_and_rates_on_the_portal,
    public_api_keeps_its_contract,
    hotline_transfer_to_a_unit_and_report_back,
    staff_register_offers_duplicates_and_exports_without_identity,
    identity_disclosure_through_the_pages,
    statistics_count_by_every_dimension_and_open_the_reports,
    a_rewarded_report_earns_a_reward_the_reporter_can_see,
    the_reporters_files_are_stored_encrypted_and_renamed,
    the_hotline_posts_with_an_api_key,
);

mod rate_limits {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let t = crate::common::TestApp::with_config(crate::common::Backend::Sqlite, |c| {
            c.portal_human_check = false;
            c.report.submissions_per_hour = 2;
            c.report.lookups_per_hour = 3;
        })
        .await;
        super::public_endpoints_are_rate_limited_per_address(t).await
    }
}

async fn identity_disclosure_through_the_pages(t: TestApp) {
    t.user("xfs", &["reports"], &[t.orgs.city]).await;
    t.user("boss", &["leader"], &[t.orgs.city]).await;
    let hc = portal_form(&t, "accusation").await;
    let r = post_pairs(&t.anon(), "/portal/report/accusation", &with(&hc, &named_accusation())).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let id = newest(&t).await;
    let office = t.login("xfs").await;
    let page = office.get(&format!("/reports/{id}")).await.text();
    assert!(page.contains("申请查看举报人身份") && !page.contains(NAME));
    let r = office
        .post_form(&format!("/reports/{id}/disclosure"), &[("reason", "")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = office
        .post_form(
            &format!("/reports/{id}/disclosure"),
            &[("reason", "需当面核实反映内容")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(
        !office.get(&format!("/reports/{id}")).await.text().contains(NAME),
        "not before the approval"
    );

    let boss = t.login("boss").await;
    let home = boss.get("/").await.text();
    assert!(home.contains("todo-report-disclosure"), "the leader's to-do card");
    let list = boss.get("/reports/disclosures").await;
    assert!(list.text().contains("需当面核实反映内容"));
    let did: i64 = sqlx::query_scalar("SELECT MAX(id) FROM report_disclosure")
        .fetch_one(t.app.db.pool())
        .await
        .unwrap();
    let r = boss
        .post_form(&format!("/reports/disclosures/{did}/reject"), &[("note", "")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a reason to reject");
    let r = boss
        .post_form(&format!("/reports/disclosures/{did}/approve"), &[("note", "同意")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(
        !boss.get(&format!("/reports/{id}")).await.text().contains(ID_NUMBER),
        "the approver does not see it"
    );

    let page = office.get(&format!("/reports/{id}")).await.text();
    assert!(page.contains(NAME) && page.contains(ID_NUMBER), "the requester sees it");
    let reads: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'report.identity_read'")
        .fetch_one(t.app.db.pool())
        .await
        .unwrap();
    assert_eq!(reads, 1, "every view is audited");
    // Nothing identifying in the audit log's text.
    let details: Vec<String> = sqlx::query_scalar("SELECT detail FROM audit_log")
        .fetch_all(t.app.db.pool())
        .await
        .unwrap();
    assert!(details.iter().all(|d| !d.contains(NAME) && !d.contains(ID_NUMBER)));
}

async fn statistics_count_by_every_dimension_and_open_the_reports(t: TestApp) {
    t.user("xfs", &["reports"], &[t.orgs.city]).await;
    // The menu's filtered entries are the one list, named after the entry.
    let c = t.login("xfs").await;
    for (href, name) in [
        ("/reports?status=transferred", "转办件"),
        ("/reports?overdue=1", "逾期件"),
        ("/reports?kind=service_request", "办实事诉求"),
    ] {
        let page = c.get(href).await.text();
        assert!(page.contains(&format!("<h1>{name}</h1>")), "{href}: {page}");
    }
    let api = t.api_login("xfs").await;
    for (channel, category, level, day) in [
        ("letter", "违反廉洁纪律", "乡科级", "2026-05-06"),
        ("phone", "违反廉洁纪律", "县处级", "2026-06-01"),
        ("visit", "违反工作纪律", "", "2026-06-02"),
        ("letter", "", "", "2026-03-31"),
    ] {
        let r = api
            .post_json(
                "/api/v1/reports",
                &json!({"kind": "accusation", "channel": channel, "received_on": day, "subject": {"name": "张三", "level": level},
                    "category": category, "title": "反映问题", "content": "反映张三的问题，请依规处理。"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let office = t.login("xfs").await;
    // The second quarter: three reports (03-31 is the first quarter's).
    let page = office.get("/reports/stats?year=2026&quarter=2").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("2026年第二季度"), "{text}");
    assert!(text.contains(r#"id="stats-total"><div class="card-num">3<"#), "{text}");
    let link = "/reports?from=2026-04-01&#38;to=2026-06-30&#38;no_duplicates=1&#38;category=%E8%BF%9D%E5%8F%8D%E5%BB%89%E6%B4%81%E7%BA%AA%E5%BE%8B";
    assert!(text.contains(link), "the figure opens its reports: {text}");
    let listed = office
        .get("/reports?from=2026-04-01&to=2026-06-30&category=%E8%BF%9D%E5%8F%8D%E5%BB%89%E6%B4%81%E7%BA%AA%E5%BE%8B")
        .await
        .text();
    assert!(listed.contains("共 2 件"), "{listed}");
    let unknown_level = office
        .get("/reports?from=2026-04-01&to=2026-06-30&level=-")
        .await
        .text();
    assert!(unknown_level.contains("共 1 件"), "{unknown_level}");
    let whole_year = office.get("/reports/stats?year=2026").await.text();
    assert!(whole_year.contains(r#"id="stats-total"><div class="card-num">4<"#));
    let bad = office.get("/reports/stats?year=abc").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Excel: a summary and one sheet per dimension.
    let x = office.get("/reports/stats.xlsx?year=2026&quarter=2").await;
    assert_eq!(x.status, StatusCode::OK);
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(x.bytes.clone())).unwrap();
    use calamine::Reader;
    assert_eq!(wb.sheet_names()[0], "总体情况");
    let channel = wb.worksheet_range("按渠道").unwrap();
    let rows: Vec<Vec<String>> = channel
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert!(rows.contains(&vec!["来信".to_string(), "1".to_string()]), "{rows:?}");
    assert!(rows.contains(&vec!["电话".to_string(), "1".to_string()]), "{rows:?}");
}

async fn a_rewarded_report_earns_a_reward_the_reporter_can_see(t: TestApp) {
    t.user("xfs", &["reports"], &[t.orgs.city]).await;
    t.user("boss", &["leader"], &[t.orgs.city]).await;
    let portal = portal_form(&t, "rewarded_report").await;
    let page = t.anon().get("/portal/report/rewarded_report").await.text();
    assert!(page.contains("奖励规则"), "the rules of the reward are shown");
    let r = post_pairs(
        &t.anon(),
        "/portal/report/rewarded_report",
        &with(&portal, &named_accusation()),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let code = receipt_code(&ticket_client(&t, &r).get("/portal/follow").await.text());
    let id = newest(&t).await;
    let office = t.login("xfs").await;
    for step in ["accept", "conclude"] {
        let r = office
            .post_form(&format!("/reports/{id}/act/{step}"), &[("text", "查实")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    }
    let page = office.get(&format!("/reports/{id}")).await.text();
    assert!(page.contains("二档（2000元）"), "the configured bands: {page}");
    let r = office
        .post_form(
            &format!("/reports/{id}/reward"),
            &[("band", ""), ("reason", "经查属实")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("经查属实"), "the review's text is kept");
    let r = office
        .post_form(
            &format!("/reports/{id}/reward"),
            &[("band", "二档"), ("reason", "经查属实，对查处起重要作用")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(
        office
            .post_form(&format!("/reports/{id}/reward/approve"), &[("note", "")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let boss = t.login("boss").await;
    let r = boss
        .post_form(&format!("/reports/{id}/reward/approve"), &[("note", "同意")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let follow = t.anon().post_form_no_csrf("/portal/follow", &[("code", &code)]).await;
    let citizen = ticket_client(&t, &follow);
    assert!(citizen.get("/portal/follow").await.text().contains("已批准奖励2000元"));
    let r = office
        .post_form(
            &format!("/reports/{id}/reward/pay"),
            &[("paid_on", "2026-06-15"), ("note", "现金，收据2026-018")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(
        citizen
            .get("/portal/follow")
            .await
            .text()
            .contains("奖励2000元已于2026-06-15发放")
    );
    let list = office.get("/reports/rewards").await.text();
    assert!(list.contains("已发放") && list.contains("2000元"), "{list}");
    let x = office.get("/reports/rewards/export.xlsx").await;
    assert_eq!(x.status, StatusCode::OK);
}

async fn the_reporters_files_are_stored_encrypted_and_renamed(t: TestApp) {
    t.user("xfs", &["reports"], &[t.orgs.city]).await;
    t.user_in("minzheng", &["unit_admin"], &[t.orgs.civil], t.orgs.civil)
        .await;
    let hc = portal_form(&t, "accusation").await;
    let fields: Vec<(String, String)> = with(&hc, &named_accusation());
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let evidence = format!("{NAME}亲笔：收款记录三千元").into_bytes();
    let r = t
        .anon()
        .post_files(
            "/portal/report/accusation",
            &[
                ("files", "欧阳明远的举报材料.txt", &evidence),
                ("files", "x.exe", b"MZ"),
            ],
            &refs,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "an .exe is refused");
    assert!(
        r.text().contains("files-again"),
        "the form says to choose the files again"
    );
    let hc = portal_form(&t, "accusation").await;
    let fields: Vec<(String, String)> = with(&hc, &named_accusation());
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = t
        .anon()
        .post_files(
            "/portal/report/accusation",
            &[("files", "欧阳明远的举报材料.txt", &evidence)],
            &refs,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let id = newest(&t).await;
    let (aid, name, key): (i64, String, String) = sqlx::query_as(
        "SELECT id, file_name, storage_key FROM attachment WHERE owner_type = 'report' AND owner_id = $1",
    )
    .bind(id)
    .fetch_one(t.app.db.pool())
    .await
    .unwrap();
    assert_eq!(name, "附件1.txt", "the name the reporter gave it may identify them");
    let on_disk = std::fs::read(t.app.config.data_dir.join("attachments").join(key)).unwrap();
    assert!(
        !on_disk.windows(NAME.len()).any(|w| w == NAME.as_bytes()),
        "stored encrypted"
    );
    let office = t.login("xfs").await;
    assert!(office.get(&format!("/reports/{id}")).await.text().contains("附件1.txt"));
    let d = office.get(&format!("/attachments/{aid}")).await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(d.bytes, evidence);
    // Another unit cannot fetch it.
    let other = t.login("minzheng").await;
    assert_eq!(
        other.get(&format!("/attachments/{aid}")).await.status,
        StatusCode::NOT_FOUND
    );
}

/// §2: the 12345 system posts with an API key of its own service account (no login, no session
/// expiry); a revoked key opens nothing.
async fn the_hotline_posts_with_an_api_key(t: TestApp) {
    let account = t
        .user_in("hotline12345", &["reports"], &[t.orgs.city], t.orgs.commission)
        .await;
    let mut tx = t.app.db.begin().await.unwrap();
    let (key_id, key) = qinglian_store::api_key::create(&mut tx, account, "12345热线系统", None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut system = t.anon();
    system.bearer = Some(key.clone());
    let body = json!({"kind": "service_request", "channel": "hotline", "external_id": "12345-2026-009001",
        "title": "路灯不亮", "content": "市民来电反映东城街道路灯连续一周不亮。"});
    let r = system.post_json("/api/v1/reports", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(
        system.post_json("/api/v1/reports", &body).await.status,
        StatusCode::OK,
        "idempotent"
    );
    assert_eq!(system.get("/api/v1/reports").await.json()["total"], 1);
    let stored: String = sqlx::query_scalar("SELECT key_hash FROM api_key")
        .fetch_one(t.app.db.pool())
        .await
        .unwrap();
    assert!(!stored.contains(&key[3..]), "only the hash is stored");
    let mut tx = t.app.db.begin().await.unwrap();
    qinglian_store::api_key::revoke(&mut tx, key_id).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        system.post_json("/api/v1/reports", &body).await.status,
        StatusCode::UNAUTHORIZED
    );
    let mut forged = t.anon();
    let last = if key.ends_with('x') { 'y' } else { 'x' };
    forged.bearer = Some(format!("{}{last}", &key[..key.len() - 1]));
    assert_eq!(forged.get("/api/v1/reports").await.status, StatusCode::UNAUTHORIZED);
}
