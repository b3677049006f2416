//! Data supervision end to end through the real pages, on SQLite and PostgreSQL: import a month
//! of payments from Excel with a header mapping, run a model as a background job, open the
//! finding and its evidence, send it to a unit, answer with an attachment, review, export.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use qinglian_store::data_supervision::{self as sv, finding_status};

/// A valid ID number from 17 digits.
fn id(first17: &str) -> String {
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .zip(weights)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    format!(
        "{first17}{}",
        ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize]
    )
}

/// An .xlsx with a header row and text cells.
fn xlsx(rows: &[Vec<String>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Uploads files, takes the suggested mapping (plus `extra` choices), queues the import and
/// runs it. Returns the job id.
async fn import(
    t: &TestApp,
    c: &common::Client<'_>,
    dataset: &str,
    files: &[(&str, &[u8])],
    extra: &[(&str, &str)],
) -> sv::JobId {
    let parts: Vec<(&str, &str, &[u8])> = files.iter().map(|(n, b)| ("file", *n, *b)).collect();
    let r = c
        .post_files("/ds/import", &parts, &[("dataset", dataset), ("note", "测试数据")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let text = r.text();
    assert!(text.contains("核对列对应关系"), "{text}");
    let token = r.hidden("token").expect("token");
    // Keep every suggested mapping; add the extra ones by header.
    let mut form: Vec<(String, String)> = vec![("token".into(), token)];
    for (i, chunk) in text.split("name=\"map_").skip(1).enumerate() {
        let selected = chunk
            .split("</select>")
            .next()
            .unwrap()
            .split("value=\"")
            .filter(|o| o.contains("\" selected"))
            .map(|o| o.split('"').next().unwrap().to_string())
            .next()
            .unwrap_or_default();
        form.push((format!("map_{i}"), selected));
    }
    for (header, column) in extra {
        let row = text
            .split("<tr><td>")
            .skip(1)
            .position(|r| r.starts_with(&format!("{header}</td>")))
            .unwrap_or_else(|| panic!("header {header} not on the mapping page"));
        form.retain(|(k, _)| k != &format!("map_{row}"));
        form.push((format!("map_{row}"), column.to_string()));
    }
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = c.post_form("/ds/import/confirm", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let job: sv::JobId = r.location().trim_start_matches("/ds/jobs/").parse().unwrap();
    assert_eq!(
        qinglian_web::data_supervision::jobs::run_pending(&t.app).await.unwrap(),
        1
    );
    job
}

async fn full_journey(t: TestApp) {
    t.user("jiandu", &["supervision"], &[t.orgs.city]).await;
    t.user_in("minzheng", &["unit_admin"], &[t.orgs.civil], t.orgs.civil)
        .await;
    t.user_in("caizheng", &["unit_admin"], &[t.orgs.finance], t.orgs.finance)
        .await;
    let c = t.login("jiandu").await;

    // Deaths, as CSV in GBK with Chinese headers.
    let dead = id("11010519400101002");
    let alive = id("11010519450101003");
    let deaths_csv = format!("身份证号,姓名,死亡日期,数据来源\n{dead},王老汉,2026-03-10,公安户籍\n");
    let (gbk, _, _) = encoding_rs::GBK.encode(&deaths_csv);
    let job = import(&t, &c, "deaths", &[("deaths.csv", &gbk)], &[]).await;
    let page = c.get(&format!("/ds/jobs/{job}")).await.text();
    assert!(page.contains("已完成") && page.contains("第1版"), "{page}");

    // A month of payments from Excel, with an ID column under a header nobody maps by itself.
    let payments = xlsx(&[
        strs(&["IDCARD", "姓名", "项目", "发放年月", "金额", "发放日期"]),
        vec![
            dead.clone(),
            "王老汉".into(),
            "城乡居民养老金".into(),
            "2026-06".into(),
            "180".into(),
            "2026-06-15".into(),
        ],
        vec![
            dead.clone(),
            "王老汉".into(),
            "丧葬补助".into(),
            "2026-06".into(),
            "3000".into(),
            "2026-06-15".into(),
        ],
        vec![
            alive.clone(),
            "李大娘".into(),
            "城乡居民养老金".into(),
            "2026-06".into(),
            "180".into(),
            "2026-06-15".into(),
        ],
        vec![
            "11010519450101".into(),
            "张某".into(),
            "城乡居民养老金".into(),
            "2026-06".into(),
            "180".into(),
            "2026-06-15".into(),
        ],
    ]);
    // Without mapping IDCARD the import is refused with a clear message and nothing is queued.
    let r = c
        .post_files(
            "/ds/import",
            &[("file", "六月发放.xlsx", &payments)],
            &[("dataset", "benefit_payments")],
        )
        .await;
    let token = r.hidden("token").unwrap();
    let r = c.post_form("/ds/import/confirm", &[("token", &token)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("缺少必需的“身份证号”列"), "{}", r.text());
    let job = import(
        &t,
        &c,
        "benefit_payments",
        &[("六月发放.xlsx", &payments)],
        &[("IDCARD", "id_number")],
    )
    .await;
    let page = c.get(&format!("/ds/jobs/{job}")).await.text();
    assert!(page.contains("已完成"), "{page}");
    // The malformed ID is reported in a downloadable problem list.
    let report = c.get(&format!("/ds/jobs/{job}/report.xlsx")).await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.bytes.starts_with(b"PK"));
    // The mapping is remembered: next time IDCARD maps by itself.
    let r = c
        .post_files(
            "/ds/import",
            &[("file", "七月发放.xlsx", &payments)],
            &[("dataset", "benefit_payments")],
        )
        .await;
    assert!(r.text().contains("value=\"id_number\" selected"), "mapping remembered");

    // Run the model as a background job.
    let r = c.post_form("/ds/runs", &[("model", "paid_after_death")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let job: sv::JobId = r.location().trim_start_matches("/ds/jobs/").parse().unwrap();
    let queued = c.get(&format!("/ds/jobs/{job}/progress")).await.text();
    assert!(
        queued.contains("排队中") && queued.contains("hx-trigger=\"every 1s\""),
        "{queued}"
    );
    qinglian_web::data_supervision::jobs::run_pending(&t.app).await.unwrap();
    let done = c.get(&format!("/ds/jobs/{job}/progress")).await.text();
    assert!(
        done.contains("已完成") && !done.contains("hx-trigger"),
        "polling stops: {done}"
    );
    assert!(done.contains("新增1条"), "{done}");

    // One finding: the pension paid after death; the funeral grant is not a finding.
    let all = sv::list_findings(
        &t.app.db,
        &qinglian_store::Scope::new(vec!["/".into()]),
        &Default::default(),
        1,
        50,
    )
    .await
    .unwrap();
    assert_eq!(all.total, 1);
    let f = &all.items[0];
    assert_eq!((f.subject.as_str(), f.period.as_str()), (dead.as_str(), "2026-06"));
    let detail = c.get(&format!("/ds/findings/{}", f.id)).await.text();
    assert!(
        detail.contains("城乡居民养老金") && detail.contains("2026-03-10"),
        "evidence: {detail}"
    );
    assert!(!detail.contains("丧葬补助"), "excluded programs are not evidence");

    // Re-running does not duplicate the known finding.
    c.post_form("/ds/runs", &[("model", "paid_after_death")]).await;
    qinglian_web::data_supervision::jobs::run_pending(&t.app).await.unwrap();
    assert_eq!(
        sv::list_findings(
            &t.app.db,
            &qinglian_store::Scope::new(vec!["/".into()]),
            &Default::default(),
            1,
            50
        )
        .await
        .unwrap()
        .total,
        1
    );

    // The unit cannot see it before it is sent.
    let unit = t.login("minzheng").await;
    assert_eq!(
        unit.get(&format!("/ds/findings/{}", f.id)).await.status,
        StatusCode::NOT_FOUND
    );

    // Send it to 民政局 for checking: bad date first, then properly.
    let path = format!("/ds/findings/{}/dispatch", f.id);
    let civil = t.orgs.civil.to_string();
    let r = c
        .post_form(&path, &[("org_id", &civil), ("due_date", "明天"), ("note", "")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("核查期限应为"));
    let r = c
        .post_form(
            &path,
            &[
                ("org_id", &civil),
                ("due_date", "2099-12-31"),
                ("note", "请核实死亡后领取情况"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    // The unit user is notified and sees it; a sibling unit does not.
    let inbox = unit.get("/notifications").await.text();
    assert!(inbox.contains("收到疑点核查任务"), "{inbox}");
    let seen = unit.get(&format!("/ds/findings/{}", f.id)).await.text();
    assert!(seen.contains("反馈核查结果"), "{seen}");
    let other = t.login("caizheng").await;
    assert_eq!(
        other.get(&format!("/ds/findings/{}", f.id)).await.status,
        StatusCode::NOT_FOUND
    );
    // The deadline is on the deadline list.
    let dl = qinglian_store::deadline::warnings_in_scope(
        &t.app.db,
        &qinglian_store::Scope::new(vec!["/".into()]),
        &t.app.calendar(),
        chrono::NaiveDate::from_ymd_opt(2099, 12, 30).unwrap(),
        3,
    )
    .await
    .unwrap();
    assert!(
        dl.iter().any(|d| d.deadline.rule_id == "finding_check"),
        "tracked deadline"
    );

    // The unit answers with an attachment; a wrong file type is refused.
    let apath = format!("/ds/findings/{}/answer", f.id);
    let r = unit
        .post_files(
            &apath,
            &[("files", "a.exe", b"MZ")],
            &[("answer", "true"), ("note", "经核实属实")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("类型不允许"));
    let r = unit.post_files(&apath, &[], &[("note", "经核实")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("请选择核查结论"));
    let r = unit
        .post_files(
            &apath,
            &[("files", "核查报告.pdf", b"%PDF-1.4 test")],
            &[
                ("answer", "true"),
                ("note", "经核实，王老汉已于3月死亡，养老金系系统未及时停发，已追回。"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let seen = c.get(&format!("/ds/findings/{}", f.id)).await.text();
    assert!(seen.contains("待复核") && seen.contains("核查报告.pdf"), "{seen}");
    let att: i64 = seen
        .split("/attachments/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let file = c.get(&format!("/attachments/{att}")).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.bytes, b"%PDF-1.4 test");
    assert_eq!(
        other.get(&format!("/attachments/{att}")).await.status,
        StatusCode::NOT_FOUND
    );
    // Only the commission reviews.
    let rpath = format!("/ds/findings/{}/review", f.id);
    assert_eq!(
        unit.post_form(&rpath, &[("decision", "accept")]).await.status,
        StatusCode::FORBIDDEN
    );
    let r = c
        .post_form(&rpath, &[("decision", "accept"), ("note", "认定属实")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let f2 = sv::get_finding(&t.app.db, &qinglian_store::Scope::new(vec!["/".into()]), f.id)
        .await
        .unwrap();
    assert_eq!(f2.status, finding_status::CONFIRMED);
    assert!(f2.clue_ready());
    let ready = c.get("/ds/findings?clue_ready=1").await.text();
    assert!(ready.contains(&format!("/ds/findings/{}\"", f.id)));
    // Hit and confirmation rate on the overview.
    let home = c.get("/ds").await.text();
    assert!(home.contains("100.0%"), "{home}");

    // Export with evidence, opened back.
    let x = c.get("/ds/findings/export.xlsx").await;
    assert_eq!(x.status, StatusCode::OK);
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(x.bytes.clone())).unwrap();
    assert_eq!(wb.sheet_names(), vec!["疑点".to_string(), "证据明细".to_string()]);
    let ev = wb.worksheet_range("证据明细").unwrap();
    let text: Vec<String> = ev.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    assert!(text.iter().any(|s| s.contains("城乡居民养老金")), "{text:?}");
    // The API shows the same finding with its evidence.
    let api = t.api_login("jiandu").await;
    let j = api.get(&format!("/api/v1/ds/findings/{}", f.id)).await.json();
    assert_eq!(j["status"], "confirmed");
    assert_eq!(j["evidence"].as_array().unwrap().len(), 1);
}

async fn bad_input_and_permissions(t: TestApp) {
    t.user("jiandu", &["supervision"], &[t.orgs.city]).await;
    t.user_in("minzheng", &["unit_admin"], &[t.orgs.civil], t.orgs.civil)
        .await;
    let c = t.login("jiandu").await;
    // A file type that is not a dataset.
    let r = c
        .post_files(
            "/ds/import",
            &[("file", "notes.txt", b"hello")],
            &[("dataset", "deaths")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("不支持的文件类型"));
    // No dataset chosen.
    let r = c
        .post_files(
            "/ds/import",
            &[("file", "d.csv", "身份证号\n1\n".as_bytes())],
            &[("dataset", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("请选择要导入的数据集"));
    // A broken spreadsheet.
    let r = c
        .post_files(
            "/ds/import",
            &[("file", "d.xlsx", b"PK\x03\x04broken")],
            &[("dataset", "deaths")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    // Someone else's upload token is not usable.
    let r = c
        .post_files(
            "/ds/import",
            &[("file", "d.csv", "身份证号,死亡日期\n\n".as_bytes())],
            &[("dataset", "deaths")],
        )
        .await;
    let token = r.hidden("token").unwrap();
    t.user("jiandu2", &["supervision"], &[t.orgs.city]).await;
    let c2 = t.login("jiandu2").await;
    assert_eq!(
        c2.post_form("/ds/import/confirm", &[("token", &token), ("map_0", "id_number")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Unknown model and bad parameter values are refused before anything is queued.
    let r = c.post_form("/ds/runs", &[("model", "no_such_model")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = c
        .post_form(
            "/ds/runs",
            &[("model", "paid_after_death"), ("p.grace_months", "两个月")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("应为整数"), "{}", r.text());
    assert_eq!(
        sv::list_jobs(&t.app.db, &qinglian_store::Scope::new(vec!["/".into()]), None, 1, 10)
            .await
            .unwrap()
            .total,
        0
    );
    // Units cannot run models, import or write models.
    let unit = t.login("minzheng").await;
    assert_eq!(
        unit.post_form("/ds/runs", &[("model", "paid_after_death")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(unit.get("/ds/import").await.status, StatusCode::FORBIDDEN);
    assert_eq!(unit.get("/ds/models/custom/new").await.status, StatusCode::FORBIDDEN);
    // Custom models: anything but a read-only query is refused with a clear message.
    let custom = |sql: &'static str| {
        [
            ("code", "my_model"),
            ("title", "我的模型"),
            ("subject_kind", "person"),
            ("severity", "medium"),
            ("sql_text", sql),
            ("explanation", "{subject}疑点"),
            ("params_text", "min_amount|最低金额|100"),
        ]
    };
    let r = c.post_form("/ds/models/custom", &custom("DELETE FROM deaths")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("只允许单条只读查询"), "{}", r.text());
    let r = c
        .post_form("/ds/models/custom", &custom("SELECT nope FROM deaths"))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown column found at save time"
    );
    let r = c
        .post_form(
            "/ds/models/custom",
            &custom("SELECT id_number AS subject, period, amount FROM benefit_payments WHERE amount >= {{min_amount}}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = c.get("/ds/models/custom:my_model").await.text();
    assert!(page.contains("我的模型") && page.contains("最低金额"), "{page}");
    // Saving again makes version 2.
    c.post_form(
        "/ds/models/custom",
        &custom("SELECT id_number AS subject, period, amount FROM benefit_payments WHERE amount > {{min_amount}}"),
    )
    .await;
    assert_eq!(sv::custom_model(&t.app.db, "my_model", None).await.unwrap().version, 2);
    // Running it over empty datasets works and finds nothing.
    let r = c.post_form("/ds/runs", &[("model", "custom:my_model")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    qinglian_web::data_supervision::jobs::run_pending(&t.app).await.unwrap();
    let job: sv::JobId = r.location().trim_start_matches("/ds/jobs/").parse().unwrap();
    let j = sv::job_unscoped(&t.app.db, job).await.unwrap();
    assert_eq!(j.status, "done", "{}", j.message);
}

async fn jobs_cancel_and_survive_restart(t: TestApp) {
    t.user("jiandu", &["supervision"], &[t.orgs.city]).await;
    let c = t.login("jiandu").await;
    // Cancelling a queued job ends it at once.
    let r = c.post_form("/ds/runs", &[("model", "split_purchase")]).await;
    let job: sv::JobId = r.location().trim_start_matches("/ds/jobs/").parse().unwrap();
    let r = c.post_form(&format!("/ds/jobs/{job}/cancel"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(sv::job_unscoped(&t.app.db, job).await.unwrap().status, "cancelled");
    assert_eq!(
        qinglian_web::data_supervision::jobs::run_pending(&t.app).await.unwrap(),
        0
    );
    // A job left running by a stopped server runs again after the restart.
    let r = c.post_form("/ds/runs", &[("model", "split_purchase")]).await;
    let job: sv::JobId = r.location().trim_start_matches("/ds/jobs/").parse().unwrap();
    let claimed = sv::claim_next_job(&t.app.db).await.unwrap().unwrap();
    assert_eq!(claimed.id, job);
    assert_eq!(sv::requeue_interrupted(&t.app.db).await.unwrap(), 1);
    assert_eq!(
        qinglian_web::data_supervision::jobs::run_pending(&t.app).await.unwrap(),
        1
    );
    let j = sv::job_unscoped(&t.app.db, job).await.unwrap();
    assert_eq!((j.status.as_str(), j.attempts), ("done", 2), "{}", j.message);
    // The API queues runs and reports progress.
    let api = t.api_login("jiandu").await;
    let r = api
        .post_json("/api/v1/ds/runs", &serde_json::json!({"models": ["price_near_budget"]}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    qinglian_web::data_supervision::jobs::run_pending(&t.app).await.unwrap();
    let j = api.get(&format!("/api/v1/ds/jobs/{id}")).await.json();
    assert_eq!(j["status"], "done");
    assert_eq!(j["percent"], 100);
    let r = api
        .post_json("/api/v1/ds/runs", &serde_json::json!({"models": []}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// A valid unified social credit code from 17 characters.
fn credit(first17: &str) -> String {
    qinglian_domain::credit_code::generate(first17)
        .unwrap()
        .as_str()
        .to_string()
}

fn csv(rows: &[&str]) -> Vec<u8> {
    let mut s = rows.join("\n");
    s.push('\n');
    s.into_bytes()
}

/// The hidden `model` values of the run form on a page.
fn run_form_models(page: &str, form_id: &str) -> Vec<String> {
    let form = page
        .split(&format!("id=\"{form_id}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no form {form_id} in {page}"))
        .split("</form>")
        .next()
        .unwrap();
    form.split("name=\"model\" value=\"")
        .skip(1)
        .map(|v| v.split('"').next().unwrap().to_string())
        .collect()
}

fn redflag_findings(all: &[sv::Finding]) -> Vec<&sv::Finding> {
    all.iter().filter(|f| f.model == "redflags").collect()
}

async fn all_findings(t: &TestApp) -> Vec<sv::Finding> {
    sv::list_findings_all(
        &t.app.db,
        &qinglian_store::Scope::new(vec!["/".into()]),
        &Default::default(),
        10_000,
    )
    .await
    .unwrap()
}

/// Procurement red flags as a model of the library: listed beside the 14 models, parameters
/// (Cardinal's INI settings) on its page, runs from the model page, the model library, the
/// overview and the API over chosen dataset versions, findings per tender / enterprise with
/// the indicator values and the tender's records as evidence, no duplicates on re-runs, and
/// checking by a unit counted in the hit and confirmation rates.
async fn redflags_journey(t: TestApp) {
    t.user("jiandu", &["supervision"], &[t.orgs.city]).await;
    t.user_in("caizheng", &["unit_admin"], &[t.orgs.finance], t.orgs.finance)
        .await;
    let c = t.login("jiandu").await;
    let (a, b, cc, d) = (
        credit("91430500MA4L00001"),
        credit("91430500MA4L00002"),
        credit("91430500MA4L00003"),
        credit("91430500MA4L00004"),
    );
    // T-001 has a 5-day tender period and one bid (in the first bids version); T-002 has two
    // bidders with the same price; T-003 is clean.
    let tenders = csv(&[
        "项目编号,采购人,项目名称,品目,采购方式,预算金额,公告日期,投标截止时间",
        "T-001,测试市教育局,教学设备采购,A02,公开招标,1000000,2026-03-01,2026-03-06 09:30:00",
        "T-002,测试市卫健委,医疗设备采购,A03,公开招标,500000,2026-03-01,2026-03-25 09:30:00",
        "T-003,测试市卫健委,办公家具采购,A05,公开招标,200000,2026-03-01,2026-03-25 09:30:00",
    ]);
    let bid_rows = |t001_bidders: usize| {
        let mut rows = vec!["项目编号,投标人统一社会信用代码,投标人,投标报价,递交时间,状态".to_string()];
        rows.push(format!("T-001,{a},甲建设有限公司,980000,2026-03-05 10:00:00,有效"));
        if t001_bidders > 1 {
            rows.push(format!("T-001,{d},丁科技有限公司,990000,2026-03-05 11:00:00,有效"));
        }
        rows.push(format!("T-002,{a},甲建设有限公司,480000,2026-03-20 10:00:00,有效"));
        rows.push(format!("T-002,{b},乙贸易有限公司,480000,2026-03-20 10:05:00,有效"));
        rows.push(format!("T-002,{cc},丙实业有限公司,490000,2026-03-20 10:10:00,有效"));
        rows.push(format!("T-003,{b},乙贸易有限公司,190000,2026-03-20 10:00:00,有效"));
        rows.push(format!("T-003,{cc},丙实业有限公司,195000,2026-03-20 10:00:00,有效"));
        rows.push(format!("T-003,{d},丁科技有限公司,199000,2026-03-20 10:00:00,有效"));
        rows.join("\n").into_bytes()
    };
    let awards = csv(&[
        "项目编号,中标人统一社会信用代码,中标金额,中标日期",
        &format!("T-001,{a},980000,2026-03-10"),
        &format!("T-002,{a},480000,2026-03-28"),
        &format!("T-003,{b},190000,2026-03-28"),
    ]);
    import(&t, &c, "tenders", &[("招标项目.csv", &tenders)], &[]).await;
    import(&t, &c, "bids", &[("投标记录.csv", &bid_rows(1))], &[]).await;
    import(&t, &c, "bids", &[("投标记录（更正）.csv", &bid_rows(2))], &[]).await;
    import(&t, &c, "awards", &[("中标结果.csv", &awards)], &[]).await;

    // Dataset versions show their import time in Beijing time, not as raw UTC text.
    let newest = t.app.datasets.versions("awards").await.unwrap()[0].created_at.clone();
    let home = c.get("/ds").await.text();
    assert!(!home.contains(&newest), "raw UTC time on /ds: {home}");
    assert!(home.contains(&qinglian_store::time::display_cst(&newest)), "{home}");
    let versions = c.get("/ds/datasets/bids").await.text();
    let shown = versions
        .split("<td class=\"nowrap\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    let manifest = &t.app.datasets.versions("bids").await.unwrap()[0].created_at;
    assert_eq!(shown, qinglian_store::time::display_cst(manifest), "{versions}");
    assert_ne!(shown, manifest);

    // The library lists the red flags beside the 14 models, with a checkbox to run it.
    let lib = c.get("/ds/models").await.text();
    assert!(
        lib.contains("采购红旗指标") && lib.contains("招标项目、企业、采购人"),
        "{lib}"
    );
    assert_eq!(lib.matches("type=\"checkbox\" name=\"model\"").count(), 15, "{lib}");
    let redflags_box = lib
        .split('<')
        .find(|tag| tag.starts_with("input") && tag.contains("value=\"redflags\""))
        .expect("a checkbox for the red flags");
    assert!(redflags_box.contains(" checked"), "{redflags_box}");
    assert!(lib.contains("name=\"v.bids\""), "dataset versions can be chosen: {lib}");
    // Its page: the Cardinal settings as parameters, and the INI text they make.
    let page = c.get("/ds/models/redflags").await.text();
    for needle in [
        "R003 投标期限下限（天）",
        "name=\"p.r003_threshold\" value=\"15\"",
        "[R003]",
        "threshold = 15",
    ] {
        assert!(page.contains(needle), "{needle} missing from {page}");
    }

    // Bad parameters and versions are refused before anything is queued.
    let r = c
        .post_form("/ds/runs", &[("model", "redflags"), ("p.r024_threshold", "很小")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("应为数值或留空"), "{}", r.text());
    let r = c
        .post_form("/ds/runs", &[("model", "redflags"), ("p.indicators", "R003、R999")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("未知的指标“R999”"), "{}", r.text());
    let api = t.api_login("jiandu").await;
    let r = api
        .post_json(
            "/api/v1/ds/runs",
            &serde_json::json!({"models": ["redflags"], "versions": {"bids": 9}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "versions", "{}", r.text());
    assert!(r.text().contains("没有第9版"), "{}", r.text());
    let r = api
        .post_json(
            "/api/v1/ds/runs",
            &serde_json::json!({"models": ["redflags"], "params": {"redflags": {"r035_threshold": -1}}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "params", "{}", r.text());
    let jobs = || async {
        sv::list_jobs(&t.app.db, &qinglian_store::Scope::new(vec!["/".into()]), None, 1, 100)
            .await
            .unwrap()
            .total
    };
    assert_eq!(jobs().await, 4, "only the four imports");

    // From its page, only R018 (single bid) over the newest bids: T-001 has two bids there.
    let r = c
        .post_form("/ds/runs", &[("model", "redflags"), ("p.indicators", "R018")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    qinglian_web::data_supervision::jobs::run_pending(&t.app).await.unwrap();
    let job: sv::JobId = r.location().trim_start_matches("/ds/jobs/").parse().unwrap();
    let j = sv::job_unscoped(&t.app.db, job).await.unwrap();
    assert_eq!(j.status, "done", "{}", j.message);
    assert!(j.message.contains("疑点0条"), "{}", j.message);
    // The same over the first bids version, chosen on the form: T-001 had one bid.
    let r = c
        .post_form(
            "/ds/runs",
            &[("model", "redflags"), ("p.indicators", "R018"), ("v.bids", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    qinglian_web::data_supervision::jobs::run_pending(&t.app).await.unwrap();
    let job: sv::JobId = r.location().trim_start_matches("/ds/jobs/").parse().unwrap();
    let j = sv::job_unscoped(&t.app.db, job).await.unwrap();
    assert!(j.message.contains("新增1条"), "{}", j.message);
    let result: serde_json::Value = serde_json::from_str(&j.result_json).unwrap();
    assert_eq!(result["versions"]["bids"], 1, "{result}");
    let all = all_findings(&t).await;
    let rf = redflag_findings(&all);
    assert_eq!(rf.len(), 1, "{rf:?}");
    assert_eq!(
        (rf[0].subject.as_str(), rf[0].subject_kind.as_str()),
        ("T-001", "tender")
    );
    assert!(
        rf[0].explanation.contains("R018 仅收到一份投标"),
        "{}",
        rf[0].explanation
    );
    assert_eq!(rf[0].model_title, "采购红旗指标");

    // Every indicator at Cardinal's defaults, through the API over the newest versions.
    let r = api
        .post_json("/api/v1/ds/runs", &serde_json::json!({"models": ["redflags"]}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    qinglian_web::data_supervision::jobs::run_pending(&t.app).await.unwrap();
    let id = r.json()["id"].as_i64().unwrap();
    let j = api.get(&format!("/api/v1/ds/jobs/{id}")).await.json();
    assert_eq!(j["status"], "done", "{j}");
    let all = all_findings(&t).await;
    let rf = redflag_findings(&all);
    let subject = |s: &str| {
        rf.iter()
            .find(|f| f.subject == s)
            .unwrap_or_else(|| panic!("no red-flag finding for {s}: {rf:?}"))
    };
    // T-001: the short tender period (a known finding, its explanation brought up to date).
    assert!(subject("T-001").explanation.contains("R003 投标期限过短"), "{rf:?}");
    assert!(!subject("T-001").explanation.contains("R018"), "{rf:?}");
    // T-002 and its two bidders with the same price.
    assert!(
        subject("T-002").explanation.contains("R028 不同投标人报价完全相同"),
        "{rf:?}"
    );
    for code in [&a, &b] {
        let f = subject(code);
        assert_eq!(f.subject_kind, "enterprise");
        assert!(f.explanation.contains("R028"), "{}", f.explanation);
    }
    let total = all.len();

    // Re-running from the overview's form (all 15 models) duplicates nothing.
    let home = c.get("/ds").await.text();
    let ids = run_form_models(&home, "ds-run-all");
    assert_eq!(ids.len(), 15, "{ids:?}");
    assert!(ids.iter().any(|m| m == "redflags"));
    let fields: Vec<(&str, &str)> = ids.iter().map(|m| ("model", m.as_str())).collect();
    let r = c.post_form("/ds/runs", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    qinglian_web::data_supervision::jobs::run_pending(&t.app).await.unwrap();
    let job: sv::JobId = r.location().trim_start_matches("/ds/jobs/").parse().unwrap();
    let j = sv::job_unscoped(&t.app.db, job).await.unwrap();
    assert_eq!(j.status, "done", "{}", j.message);
    let result: qinglian_web::data_supervision::jobs::RunResult = serde_json::from_str(&j.result_json).unwrap();
    assert_eq!(result.models.len(), 15);
    let rf_outcome = result.models.iter().find(|m| m.model == "redflags").unwrap();
    assert!(rf_outcome.error.is_none(), "{rf_outcome:?}");
    assert_eq!((rf_outcome.inserted, rf_outcome.known), (0, rf.len() as u64));
    let after = all_findings(&t).await;
    assert_eq!(redflag_findings(&after).len(), rf.len(), "no duplicates on re-run");
    assert!(after.len() >= total);

    // The finding page: the indicator values and the tender's own records.
    let t002 = subject("T-002").id;
    let detail = c.get(&format!("/ds/findings/{t002}")).await.text();
    for needle in [
        "不同投标人报价完全相同",
        "R028",
        "测试市卫健委",
        "医疗设备采购",
        "甲建设有限公司",
        "乙贸易有限公司",
        "480000",
        "2026-03-20 10:05",
        "中标",
        "招标项目：T-002",
    ] {
        assert!(detail.contains(needle), "{needle} missing from the evidence: {detail}");
    }
    let enterprise = c.get(&format!("/ds/findings/{}", subject(&a).id)).await.text();
    assert!(enterprise.contains("企业："), "{enterprise}");

    // Send T-002 to 财政局; the unit answers; the commission confirms it.
    let finance = t.orgs.finance.to_string();
    let r = c
        .post_form(
            &format!("/ds/findings/{t002}/dispatch"),
            &[
                ("org_id", &finance),
                ("due_date", "2099-12-31"),
                ("note", "请核实报价雷同情况"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let unit = t.login("caizheng").await;
    let seen = unit.get(&format!("/ds/findings/{t002}")).await.text();
    assert!(
        seen.contains("反馈核查结果") && seen.contains("乙贸易有限公司"),
        "{seen}"
    );
    let r = unit
        .post_files(
            &format!("/ds/findings/{t002}/answer"),
            &[],
            &[("answer", "true"), ("note", "经核实，两家投标人报价系串通所致。")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = c
        .post_form(
            &format!("/ds/findings/{t002}/review"),
            &[("decision", "accept"), ("note", "认定属实")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    // Hit and confirmation rates of the red flags on the overview and the library.
    let home = c.get("/ds").await.text();
    let row = home
        .split("<tr>")
        .find(|r| r.contains("/ds/models/redflags"))
        .unwrap_or_else(|| panic!("no red-flag row on /ds: {home}"));
    assert!(row.contains(&format!(">{}</a>", rf.len())), "hits: {row}");
    assert!(row.contains("100.0%"), "confirmation rate: {row}");
    let listed = c.get("/ds/findings?model=redflags").await.text();
    assert!(
        listed.contains("T-002") && !listed.contains("城乡居民养老金"),
        "{listed}"
    );
}

/// The platform's people roster becomes a version of the `roster` dataset: only the people in
/// the user's scope, only for users who may see full ID numbers, audited.
async fn roster_from_platform(t: TestApp) {
    use qinglian_store::person::{self, PersonInput};
    for (org, name, id_number) in [
        (t.orgs.finance_office, "张三", id("11010519700101001")),
        (t.orgs.finance, "王五", id("11010519800101002")),
        (t.orgs.civil, "李四", id("11010519750101003")),
    ] {
        let v = person::validate(PersonInput {
            org_id: org,
            name: name.into(),
            id_number,
            post: "科员".into(),
            ..Default::default()
        })
        .unwrap();
        let mut tx = t.app.db.begin().await.unwrap();
        person::create(&mut tx, &qinglian_store::Scope::new(vec!["/".into()]), &v)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    // Without the sensitive-data permission: no button, and the POST is refused. (The built-in
    // supervision office holds it; a security admin may take it away.)
    t.sql(
        "DELETE FROM role_permission WHERE permission = 'person.sensitive' \
         AND role_id = (SELECT id FROM role WHERE code = 'supervision')",
    )
    .await;
    t.user("jiandu", &["supervision"], &[t.orgs.city]).await;
    let c = t.login("jiandu").await;
    let page = c.get("/ds/datasets/roster").await.text();
    assert!(!page.contains("roster-from-platform"), "{page}");
    let r = c.post_form("/ds/datasets/roster/from-platform", &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert!(t.app.datasets.versions("roster").await.unwrap().is_empty());

    // With it, scoped to the finance bureau: its two people, not the civil-affairs one.
    t.user("caiwu", &["supervision", "investigation"], &[t.orgs.finance])
        .await;
    let c = t.login("caiwu").await;
    let page = c.get("/ds/datasets/roster").await.text();
    assert!(page.contains("roster-from-platform"), "{page}");
    let r = c.post_form("/ds/datasets/roster/from-platform", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.location(), "/ds/datasets/roster?ok=roster");
    let page = c.get(&r.location()).await.text();
    assert!(
        page.contains("已由平台人员名册生成") && page.contains("第1版"),
        "{page}"
    );
    let versions = t.app.datasets.versions("roster").await.unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0].rows, 2);
    assert_eq!(versions[0].imported_by, "测试caiwu");

    // The version holds exactly those people, with their orgs and posts, as the models see it.
    let engine = qinglian_analytics::model::Engine::from_store(
        &t.app.datasets,
        &t.app.datasets.latest().await.unwrap(),
        qinglian_analytics::model::RunOptions::default(),
    )
    .await
    .unwrap();
    let batches = engine
        .context()
        .sql("SELECT id_number, name, org, position FROM roster ORDER BY name")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let text = qinglian_analytics::datafusion::arrow::util::pretty::pretty_format_batches(&batches)
        .unwrap()
        .to_string();
    assert!(
        text.contains(&id("11010519700101001")) && text.contains("测试市财政局办公室") && text.contains("科员"),
        "{text}"
    );
    assert!(text.contains("王五") && !text.contains("李四"), "{text}");

    // Audited.
    let entries = qinglian_store::audit::list(
        &t.app.db,
        &qinglian_store::audit::AuditFilter {
            action: Some("data_supervision.roster_publish".into()),
            ..Default::default()
        },
        1,
        10,
    )
    .await
    .unwrap();
    assert_eq!(entries.total, 1);
}

on_both!(
    full_journey,
    bad_input_and_permissions,
    jobs_cancel_and_survive_restart,
    redflags_journey,
    roster_from_platform,
    detection_rules_are_need_to_know,
    refused_steps_give_back_everything_typed,
    findings_are_dispatched_and_excluded_in_batches,
    units_see_findings_with_masked_id_numbers
);

/// Issue #16 §1: a role without person.sensitive sees a full ID number nowhere — findings'
/// subjects, explanations and evidence included (the names still identify the person).
async fn units_see_findings_with_masked_id_numbers(t: TestApp) {
    t.user("jiandu", &["supervision"], &[t.orgs.city]).await;
    t.user_in("caizheng", &["unit_admin"], &[t.orgs.finance], t.orgs.finance)
        .await;
    let full = id("11010519400101002");
    let fid = t
        .seed_finding(
            &full,
            &format!("王老汉（{full}）死亡后仍领取"),
            &format!("[{{\"id_number\":\"{full}\",\"name\":\"王老汉\",\"amount\":180}}]"),
        )
        .await;
    let office = t.login("jiandu").await;
    assert!(
        office.get(&format!("/ds/findings/{fid}")).await.text().contains(&full),
        "the office sees it whole"
    );
    let finance = t.orgs.finance.to_string();
    let r = office
        .post_form(
            &format!("/ds/findings/{fid}/dispatch"),
            &[("org_id", &finance), ("due_date", ""), ("note", "请核实")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let unit = t.login("caizheng").await;
    let masked = qinglian_store::person::mask_id_number(&full);
    for page in ["/ds/findings".to_string(), format!("/ds/findings/{fid}")] {
        let text = unit.get(&page).await.text();
        assert!(!text.contains(&full) && text.contains(&masked), "{page}: {text}");
    }
    assert!(unit.get(&format!("/ds/findings/{fid}")).await.text().contains("王老汉"));
    let api = t.api_login("caizheng").await;
    let one = api.get(&format!("/api/v1/ds/findings/{fid}")).await.text();
    assert!(!one.contains(&full), "{one}");
}

/// Issue #16 §3: clerks handle many findings at once; a batch is one transaction, and a
/// finding that cannot be handled refuses the whole batch, naming it.
async fn findings_are_dispatched_and_excluded_in_batches(t: TestApp) {
    t.user("jiandu", &["supervision"], &[t.orgs.city]).await;
    let mut ids = Vec::new();
    for i in 1..=4 {
        ids.push(
            t.seed_finding(&format!("户000{i}"), "死亡后仍发放", "[]")
                .await
                .to_string(),
        );
    }
    let c = t.login("jiandu").await;
    let list = c.get("/ds/findings").await.text();
    assert!(
        list.contains("id=\"batch-form\"") && list.contains("name=\"ids\""),
        "{list}"
    );
    let civil = t.orgs.civil.to_string();
    let r = c
        .post_form(
            "/ds/findings/batch",
            &[
                ("ids", &ids[0]),
                ("ids", &ids[1]),
                ("batch_action", "dispatch"),
                ("org_id", &civil),
                ("note", "请核实"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let status = |t: &TestApp| {
        let pool = t.app.db.pool().clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT status FROM data_supervision_finding ORDER BY id")
                .fetch_all(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(status(&t).await, ["checking", "checking", "new", "new"]);
    // A batch with an already sent finding changes nothing and names it.
    let r = c
        .post_form(
            "/ds/findings/batch",
            &[
                ("ids", &ids[2]),
                ("ids", &ids[0]),
                ("batch_action", "exclude"),
                ("note", "数据错误"),
            ],
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert!(r.text().contains(&format!("疑点 #{}", ids[0])), "{}", r.text());
    assert_eq!(
        status(&t).await,
        ["checking", "checking", "new", "new"],
        "one transaction"
    );
    // Nothing chosen, or no reason: refused.
    let r = c
        .post_form("/ds/findings/batch", &[("batch_action", "exclude"), ("note", "x")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = c
        .post_form(
            "/ds/findings/batch",
            &[("ids", &ids[2]), ("batch_action", "exclude"), ("note", " ")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = c
        .post_form(
            "/ds/findings/batch",
            &[
                ("ids", &ids[2]),
                ("ids", &ids[3]),
                ("batch_action", "exclude"),
                ("note", "数据错误"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(status(&t).await, ["checking", "checking", "dismissed", "dismissed"]);
}

/// Issue #16 §4: a form that comes back with an error keeps what was typed and chosen; a file
/// input says to choose the files again.
async fn refused_steps_give_back_everything_typed(t: TestApp) {
    t.user("jiandu", &["supervision"], &[t.orgs.city]).await;
    t.user_in("caizheng", &["unit_admin"], &[t.orgs.finance], t.orgs.finance)
        .await;
    let id = t.seed_finding("户0001", "死亡后仍发放", "[]").await;
    let office = t.login("jiandu").await;
    let finance = t.orgs.finance.to_string();
    // Dispatch with a bad date: the unit chosen and the instruction typed come back.
    let r = office
        .post_form(
            &format!("/ds/findings/{id}/dispatch"),
            &[("org_id", &finance), ("due_date", "明天"), ("note", "请核实死亡登记")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text();
    assert!(
        page.contains("请核实死亡登记") && page.contains("value=\"明天\""),
        "{page}"
    );
    assert!(page.contains(&format!("value=\"{finance}\" selected")), "{page}");
    let r = office
        .post_form(
            &format!("/ds/findings/{id}/dispatch"),
            &[("org_id", &finance), ("due_date", ""), ("note", "请核实死亡登记")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    // The unit's answer without a conclusion keeps the explanation and asks for the files again.
    let unit = t.login("caizheng").await;
    let r = unit
        .post_files(
            &format!("/ds/findings/{id}/answer"),
            &[("files", "核查说明.pdf", b"%PDF-1.4 test")],
            &[("note", "经核实，该人员已于三月死亡")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text();
    assert!(page.contains("经核实，该人员已于三月死亡"), "{page}");
    assert!(page.contains("id=\"files-again\""), "{page}");
    // A chosen conclusion comes back checked when the text is missing.
    let r = unit
        .post_files(
            &format!("/ds/findings/{id}/answer"),
            &[],
            &[("answer", "partly"), ("note", " ")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text().contains("value=\"partly\" id=\"answer-partly\" checked"),
        "{}",
        r.text()
    );
    // The answer reaches the clerk who sent the check, though they sit outside the owning org.
    let r = unit
        .post_files(
            &format!("/ds/findings/{id}/answer"),
            &[],
            &[("answer", "true"), ("note", "经核实属实")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let inbox = office.get("/notifications").await.text();
    assert!(inbox.contains(&format!("疑点核查结果待复核：疑点 #{id}")), "{inbox}");
}

/// Issue #16 §1: a unit under supervision sees the findings sent to it and nothing of the
/// models, their thresholds and SQL, the datasets or the runs.
async fn detection_rules_are_need_to_know(t: TestApp) {
    t.user("jiandu", &["supervision"], &[t.orgs.city]).await;
    t.user_in("caizheng", &["unit_admin"], &[t.orgs.finance], t.orgs.finance)
        .await;
    let office = t.login("jiandu").await;
    let unit = t.login("caizheng").await;
    for page in [
        "/ds",
        "/ds/models",
        "/ds/models/paid_after_death",
        "/ds/jobs",
        "/ds/datasets/deaths",
    ] {
        assert_eq!(office.get(page).await.status, StatusCode::OK, "{page}");
        assert_eq!(unit.get(page).await.status, StatusCode::FORBIDDEN, "{page}");
    }
    let home = unit.get("/ds/findings").await.text();
    assert!(
        !home.contains("href=\"/ds/models\"") && !home.contains("监督概览"),
        "menu: {home}"
    );
    assert_eq!(
        t.api_login("caizheng").await.get("/api/v1/ds/jobs/1").await.status,
        StatusCode::FORBIDDEN
    );
}
