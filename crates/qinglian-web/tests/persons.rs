//! The people roster through the real router: ID validation, duplicates, search by pinyin
//! initials, Excel import with a bad row (both modes) and export (issue #2 §3).

mod common;

use axum::http::StatusCode;
use common::TestApp;
use qinglian_store::person;

on_both!(
    a_bad_id_number_is_refused_with_the_reason_then_a_good_one_is_saved,
    duplicate_id_numbers_are_refused,
    search_finds_names_by_pinyin_initials,
    surnames_read_as_surnames_and_names_sort_by_surname_then_given_name,
    sorting_by_unit_follows_the_org_tree_and_by_rank_the_official_order,
    an_editor_without_the_sensitive_permission_never_sees_a_full_id_number,
    the_roster_pages_sorts_and_exports_from_one_list_spec,
    units_with_the_same_name_are_shown_and_accepted_by_their_path,
    import_with_one_bad_row_all_or_nothing_then_valid_only,
    import_template_downloads_with_chinese_headers,
    api_creates_people_with_field_errors,
);

async fn a_bad_id_number_is_refused_with_the_reason_then_a_good_one_is_saved(t: TestApp) {
    t.user("casem", &["casemgmt"], &[t.orgs.city]).await;
    let c = t.login("casem").await;
    let org = t.orgs.finance.to_string();
    let r = c
        .post_form(
            "/persons",
            &[
                ("org_id", &org),
                ("name", "张三"),
                ("id_number", "110105194912310021"),
                ("party_member", "true"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = r.text();
    assert!(text.contains("第18位校验码应为X"), "names the check digit: {text}");
    assert!(text.contains("value=\"张三\""), "keeps what the user typed");
    assert_eq!(person::count(&t.app.db).await.unwrap(), 0);
    let r = c
        .post_form(
            "/persons",
            &[
                ("org_id", &org),
                ("name", "张三"),
                ("id_number", "11010519491231002x"),
                ("party_member", "true"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let detail = c.get(&r.location()).await.text();
    assert!(
        detail.contains("11010519491231002X"),
        "normalised to upper-case X, shown in full to case management"
    );
    assert!(
        detail.contains("1949-12-31") && detail.contains("女"),
        "birth date and sex derived from the ID"
    );
    let audit = qinglian_store::audit::list(
        &t.app.db,
        &qinglian_store::audit::AuditFilter {
            action: Some("person.read_sensitive".into()),
            ..Default::default()
        },
        1,
        10,
    )
    .await
    .unwrap();
    assert_eq!(audit.total, 1, "the full-ID read is audited");
    // 15-digit legacy IDs are converted.
    let r = c
        .post_form(
            "/persons",
            &[("org_id", &org), ("name", "李四"), ("id_number", "440524800101001")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
}

async fn duplicate_id_numbers_are_refused(t: TestApp) {
    t.user("casem", &["casemgmt"], &[t.orgs.city]).await;
    let c = t.login("casem").await;
    let org = t.orgs.finance.to_string();
    assert_eq!(
        c.post_form(
            "/persons",
            &[("org_id", &org), ("name", "张三"), ("id_number", "11010519491231002X")]
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let r = c
        .post_form(
            "/persons",
            &[
                ("org_id", &t.orgs.civil.to_string()),
                ("name", "张叁"),
                ("id_number", "11010519491231002X"),
            ],
        )
        .await;
    assert!(r.status.is_client_error());
    assert!(r.text().contains("已在人员名册中登记"));
    assert_eq!(person::count(&t.app.db).await.unwrap(), 1);
}

async fn search_finds_names_by_pinyin_initials(t: TestApp) {
    t.user("casem", &["casemgmt"], &[t.orgs.city]).await;
    let c = t.login("casem").await;
    let org = t.orgs.finance.to_string();
    for (n, id) in [
        ("张三", "11010519491231002X"),
        ("李四", "440524188001010014"),
        ("张三丰", "110105194912310101"),
    ] {
        let id = if id == "110105194912310101" {
            fix_check(id)
        } else {
            id.to_string()
        };
        let r = c
            .post_form("/persons", &[("org_id", &org), ("name", n), ("id_number", &id)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    }
    let r = c.get("/persons?q=zs").await.text();
    assert!(r.contains("张三") && r.contains("张三丰") && !r.contains("李四"));
    let r = c.get("/persons?q=%E6%9D%8E").await.text();
    assert!(r.contains("李四") && !r.contains("张三"));
    let r = c.get("/persons?q=zhangsanf").await.text();
    assert!(r.contains("张三丰") && !r.contains(">张三<"));
    let api = t.api_login("casem").await;
    assert_eq!(api.get("/api/v1/persons?q=ls").await.json()["total"], 1);
}

/// Issue #16 §2: 曾 is zeng (zj finds 曾健), names sort by the surname's pinyin then the given
/// name's (陈 and 程 not interleaved), and an ID number's last digits find a person for roles
/// that may see ID numbers, a typed ID with spaces too.
async fn surnames_read_as_surnames_and_names_sort_by_surname_then_given_name(t: TestApp) {
    t.user("casem", &["casemgmt"], &[t.orgs.city]).await;
    t.user("unit", &["unit_admin"], &[t.orgs.city]).await;
    let c = t.login("casem").await;
    let org = t.orgs.finance.to_string();
    let people = [
        ("曾健", fix_check("11010519800101011")),
        ("陈志", fix_check("11010519800101021")),
        ("程刚", fix_check("11010519800101031")),
        ("陈安", fix_check("11010519800101041")),
        ("单雄", fix_check("11010519800101051")),
    ];
    for (n, id) in &people {
        let r = c
            .post_form("/persons", &[("org_id", &org), ("name", n), ("id_number", id)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    }
    let api = t.api_login("casem").await;
    let names = |v: serde_json::Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(api.get("/api/v1/persons?q=zj").await.json()), vec!["曾健"]);
    assert_eq!(names(api.get("/api/v1/persons?q=sx").await.json()), vec!["单雄"]);
    assert_eq!(
        names(api.get("/api/v1/persons?q=cj").await.json()),
        Vec::<String>::new()
    );
    assert_eq!(
        names(api.get("/api/v1/persons").await.json()),
        vec!["陈安", "陈志", "程刚", "单雄", "曾健"],
        "by surname pinyin (chen < cheng < shan < zeng), then given name"
    );
    let page = c.get("/persons").await.text();
    let pos = |n: &str| page.find(n).unwrap_or_else(|| panic!("{n} on the page"));
    assert!(pos("陈志") < pos("程刚") && pos("单雄") < pos("曾健"));
    // The last digits of an ID number, or the whole number typed with spaces.
    let id = &people[0].1;
    let tail = &id[14..];
    assert_eq!(
        names(api.get(&format!("/api/v1/persons?q={tail}")).await.json()),
        vec!["曾健"]
    );
    let spaced = format!("{} {} {}", &id[..6], &id[6..14], &id[14..]);
    let r = c.get(&format!("/persons?q={}", common::enc(&spaced))).await.text();
    assert!(r.contains("曾健") && !r.contains("陈志"), "{r}");
    // A role that may not see ID numbers cannot probe them by their last digits.
    let unit = t.api_login("unit").await;
    assert_eq!(unit.get(&format!("/api/v1/persons?q={tail}")).await.json()["total"], 0);
}

/// Issue #16 §2: 按单位 sorts as the org tree lists the units (siblings by their sort order,
/// then name), not by the text of id paths, where 10 comes before 2; 按职级 sorts 厅级正职
/// before 处级正职 before 一级科员, not as text.
async fn sorting_by_unit_follows_the_org_tree_and_by_rank_the_official_order(t: TestApp) {
    use qinglian_store::org::{self, OrgInput, OrgKind};
    use qinglian_store::person::{PersonFilter, PersonInput};
    let db = &t.app.db;
    let mut tx = db.begin().await.unwrap();
    // Eight more units so that ids reach two digits; the last one sorts first.
    let mut units = Vec::new();
    for i in 0..8 {
        let input = OrgInput {
            parent_id: Some(t.orgs.city),
            name: format!("测试市第{i}局"),
            kind: OrgKind::Unit,
            code: None,
            sort_order: 10 - i,
            supervised_by: None,
        };
        units.push(org::create(&mut tx, &input).await.unwrap());
    }
    org::refresh_tree_rank(&mut tx).await.unwrap();
    let all = qinglian_store::Scope::new(vec!["/".into()]);
    let ranks = ["一级科员", "厅级正职", "处级副职", "处级正职"];
    for (i, unit) in units.iter().enumerate() {
        let v = person::validate(PersonInput {
            org_id: *unit,
            name: format!("王{}", ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛"][i]),
            id_number: fix_check(&format!("1101051980010110{i}")),
            rank: ranks[i % 4].into(),
            ..Default::default()
        })
        .unwrap();
        person::create(&mut tx, &all, &v).await.unwrap();
    }
    tx.commit().await.unwrap();
    assert!(units.last().unwrap().0 >= 10, "ids reach two digits: {units:?}");

    let list = async |sort: &str, desc: bool| -> Vec<(String, String, String)> {
        let f = PersonFilter {
            sort: Some(sort.into()),
            desc,
            ..Default::default()
        };
        person::list(db, &all, &f, 1, 50)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|p| (p.org_name, p.name, p.rank))
            .collect()
    };
    let by_unit: Vec<String> = list("org", false).await.into_iter().map(|(o, _, _)| o).collect();
    let tree: Vec<String> = org::list_all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.name)
        .filter(|n| by_unit.contains(n))
        .collect();
    assert_eq!(by_unit, tree, "people by unit in the tree's order");
    assert_eq!(
        by_unit.first().map(String::as_str),
        Some("测试市第7局"),
        "sort order 3 first"
    );
    let by_rank: Vec<String> = list("rank", false).await.into_iter().map(|(_, _, r)| r).collect();
    let order = ["厅级正职", "处级正职", "处级副职", "一级科员"];
    let places: Vec<usize> = by_rank
        .iter()
        .map(|r| order.iter().position(|o| o == r).unwrap())
        .collect();
    assert!(places.windows(2).all(|w| w[0] <= w[1]), "official order: {by_rank:?}");
    let desc: Vec<String> = list("rank", true).await.into_iter().map(|(_, _, r)| r).collect();
    assert_eq!(desc.first().map(String::as_str), Some("一级科员"), "{desc:?}");
}

/// Issue #16 §1: the edit form is a read like any other — a unit admin without
/// person.sensitive sees the masked number as a placeholder, an empty field keeps the stored
/// number, and a typed one replaces it. Lists never show a full birth date beside a masked ID.
async fn an_editor_without_the_sensitive_permission_never_sees_a_full_id_number(t: TestApp) {
    t.user("casem", &["casemgmt"], &[t.orgs.city]).await;
    t.user("unit", &["unit_admin"], &[t.orgs.finance]).await;
    let id = fix_check("11010519800101011");
    let c = t.login("casem").await;
    let org = t.orgs.finance.to_string();
    let r = c
        .post_form("/persons", &[("org_id", &org), ("name", "王五"), ("id_number", &id)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let pid = r
        .location()
        .trim_start_matches("/persons/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let audits = |t: &TestApp| {
        let pool = t.app.db.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log WHERE action = 'person.read_sensitive'")
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    // With the permission the form shows the number, and that read is audited.
    let before = audits(&t).await;
    assert!(c.get(&format!("/persons/{pid}/edit")).await.text().contains(&id));
    assert_eq!(audits(&t).await, before + 1);

    let unit = t.login("unit").await;
    let form = unit.get(&format!("/persons/{pid}/edit")).await.text();
    assert!(!form.contains(&id), "no full number in the form");
    assert!(form.contains("110105********011"), "the masked number is shown: {form}");
    for page in [format!("/persons/{pid}"), "/persons".to_string()] {
        let text = unit.get(&page).await.text();
        assert!(!text.contains(&id) && !text.contains("1980-01-01"), "{page}");
    }
    assert!(
        !c.get("/persons").await.text().contains("1980-01-01"),
        "lists show the year only"
    );
    // Saving with the field left empty keeps the stored number.
    let r = unit
        .post_form(
            &format!("/persons/{pid}"),
            &[("org_id", &org), ("name", "王五"), ("id_number", ""), ("post", "科长")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let p = person::get(
        &t.app.db,
        &qinglian_store::Scope::new(vec!["/".into()]),
        pid.parse().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!((p.id_number.as_str(), p.post.as_str()), (id.as_str(), "科长"));
    // A typed number replaces it.
    let new_id = fix_check("11010519810202021");
    let r = unit
        .post_form(
            &format!("/persons/{pid}"),
            &[("org_id", &org), ("name", "王五"), ("id_number", &new_id)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let p = person::get(
        &t.app.db,
        &qinglian_store::Scope::new(vec!["/".into()]),
        pid.parse().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(p.id_number, new_id);
}

/// Issue #11 §3 / #16 §4: the list component — total, page sizes, page numbers, jump — and
/// an export with the same rows in the same order, audited.
async fn the_roster_pages_sorts_and_exports_from_one_list_spec(t: TestApp) {
    t.user("casem", &["casemgmt"], &[t.orgs.city]).await;
    let api = t.api_login("casem").await;
    for i in 0..12 {
        let id = fix_check(&format!("110105198001{:02}021", i + 1));
        let r = api
            .post_json(
                "/api/v1/persons",
                &serde_json::json!({"org_id": t.orgs.finance, "name": format!("测试{}", ["甲","乙","丙","丁","戊","己","庚","辛","壬","癸","子","丑"][i]), "id_number": id}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let c = t.login("casem").await;
    let p1 = c.get("/persons?per_page=10&sort=birth_date&dir=desc").await.text();
    assert!(p1.contains("共 12 人"), "{p1}");
    assert_eq!(p1.matches("<tr>").count(), 11, "header and ten rows");
    assert!(p1.contains("name=\"page\" type=\"number\""), "a jump box");
    assert!(
        p1.contains("per_page=50") && p1.contains("rel=\"next\""),
        "sizes and next"
    );
    // Sorted by birth date, newest first: 1980-01-12 first, 1980-01-01 on page 2.
    assert!(p1.contains("测试丑") && !p1.contains("测试甲"));
    // A page beyond the last says so and leads back.
    let beyond = c.get("/persons?per_page=10&page=99").await.text();
    assert!(
        beyond.contains("这一页没有记录（共 12 人）") && beyond.contains("回到第1页"),
        "{beyond}"
    );
    let p2 = c
        .get("/persons?per_page=10&page=2&sort=birth_date&dir=desc")
        .await
        .text();
    assert_eq!(p2.matches("<tr>").count(), 3, "header and two rows");
    assert!(p2.contains("测试甲") && p2.contains("测试乙"));
    // The export link keeps the filter and sort; the workbook has the same order, audited.
    let x = c.get("/persons/export.xlsx?sort=birth_date&dir=desc").await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.header("content-disposition").contains("filename*=UTF-8''"));
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(x.bytes)).unwrap();
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    let names: Vec<String> = range.rows().skip(1).map(|r| r[0].to_string()).collect();
    assert_eq!(names.len(), 12);
    assert_eq!((names[0].as_str(), names[11].as_str()), ("测试丑", "测试甲"));
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'person.export'")
        .fetch_one(t.app.db.pool())
        .await
        .unwrap();
    assert_eq!(audited, 1);
}

/// Issue #16 §2: two 财务科 are never ambiguous — lists show 「上级单位 / 财务科」, imports
/// accept 「上级单位/财务科」 and say how to write it when the bare name is ambiguous.
async fn units_with_the_same_name_are_shown_and_accepted_by_their_path(t: TestApp) {
    t.user("casem", &["casemgmt"], &[t.orgs.city]).await;
    let mut tx = t.app.db.begin().await.unwrap();
    for parent in [t.orgs.finance, t.orgs.civil] {
        qinglian_store::org::create(
            &mut tx,
            &qinglian_store::org::OrgInput {
                parent_id: Some(parent),
                name: "财务科".into(),
                kind: qinglian_store::org::OrgKind::Section,
                code: None,
                sort_order: 0,
                supervised_by: None,
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let c = t.login("casem").await;
    let bare = people_xlsx(&[["钱七", &fix_check("11010519800101003"), "财务科", "是"]]);
    let r = c
        .post_multipart("/persons/import", &bare, &[("mode", "all_or_nothing")])
        .await;
    assert!(r.text().contains("例如“上级单位/财务科”"), "{}", r.text());
    let by_path = people_xlsx(&[["钱七", &fix_check("11010519800101003"), "测试市民政局/财务科", "是"]]);
    let r = c
        .post_multipart("/persons/import", &by_path, &[("mode", "all_or_nothing")])
        .await;
    assert!(r.status.is_success() || r.status.is_redirection(), "{}", r.text());
    let list = c.get("/persons?q=钱七").await.text();
    assert!(list.contains("测试市民政局 / 财务科"), "{list}");
    let api = t.api_login("casem").await.get("/api/v1/persons?q=qq").await.json();
    assert_eq!(api["items"][0]["org_name"], "测试市民政局 / 财务科");
}

fn fix_check(first17_plus: &str) -> String {
    let first17 = &first17_plus[..17];
    format!("{first17}{}", qinglian_domain::id_number::check_char(first17).unwrap())
}

fn people_xlsx(rows: &[[&str; 4]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["姓名", "身份证号", "单位", "是否党员"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn import_with_one_bad_row_all_or_nothing_then_valid_only(t: TestApp) {
    t.user("unit1", &["unit_admin"], &[t.orgs.finance]).await;
    let c = t.login("unit1").await;
    let file = people_xlsx(&[
        ["张三", "11010519491231002X", "测试市财政局", "是"],
        ["李四", "440524188001010015", "测试市财政局办公室", "否"],
        ["王五", &fix_check("11010519800101001"), "测试市财政局", "是"],
    ]);
    let r = c
        .post_multipart("/persons/import", &file, &[("mode", "all_or_nothing")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let text = r.text();
    assert!(text.contains("本次未导入任何数据"));
    assert!(text.contains("第18位校验码应为4"), "{text}");
    assert_eq!(
        person::count(&t.app.db).await.unwrap(),
        0,
        "all-or-nothing writes nothing"
    );
    // The error report downloads as a real .xlsx naming row 3 and the column.
    let token = text.split("/downloads/").nth(1).unwrap().split('"').next().unwrap();
    let report = c.get(&format!("/downloads/{token}")).await;
    assert_eq!(report.status, StatusCode::OK);
    let cells = {
        use calamine::{Reader, Xlsx};
        let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(report.bytes.clone())).unwrap();
        let name = wb.sheet_names()[0].clone();
        wb.worksheet_range(&name)
            .unwrap()
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    };
    assert!(
        cells.iter().any(|r| r.first().map(|s| s == "3").unwrap_or(false)
            && r.iter().any(|c| c == "身份证号")
            && r.iter().any(|c| c.contains("校验码"))),
        "{cells:?}"
    );
    // Someone else cannot fetch that report.
    t.user("other", &["unit_admin"], &[t.orgs.civil]).await;
    assert_eq!(
        t.login("other").await.get(&format!("/downloads/{token}")).await.status,
        StatusCode::NOT_FOUND
    );
    // Valid rows only: two imported, the bad row listed.
    let r = c
        .post_multipart("/persons/import", &file, &[("mode", "valid_only")])
        .await;
    assert!(r.text().contains("成功导入 2 行"), "{}", r.text());
    assert_eq!(person::count(&t.app.db).await.unwrap(), 2);
    // Re-importing the same file: the two are now duplicates, nothing new.
    let r = c
        .post_multipart("/persons/import", &file, &[("mode", "valid_only")])
        .await;
    assert!(r.text().contains("已在人员名册中登记"));
    assert_eq!(person::count(&t.app.db).await.unwrap(), 2);
    // A unit outside the scope is a row error, not a leak.
    let file = people_xlsx(&[["赵六", &fix_check("11010519800101002"), "测试市民政局", "是"]]);
    let r = c
        .post_multipart("/persons/import", &file, &[("mode", "valid_only")])
        .await;
    assert!(r.text().contains("不在您的数据权限范围内"));
    // A file that is not Excel gets a clear message, not a 500.
    let r = c
        .post_multipart("/persons/import", b"not a spreadsheet", &[("mode", "valid_only")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Excel"));
}

async fn import_template_downloads_with_chinese_headers(t: TestApp) {
    t.user("unit1", &["unit_admin"], &[t.orgs.finance]).await;
    let c = t.login("unit1").await;
    let r = c.get("/persons/import/template.xlsx").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").contains("spreadsheetml"));
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(r.bytes)).unwrap();
    let range = wb.worksheet_range("人员").unwrap();
    let header: Vec<String> = range.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(&header[..3], &["姓名", "身份证号", "单位"]);
}

async fn api_creates_people_with_field_errors(t: TestApp) {
    t.user("casem", &["casemgmt"], &[t.orgs.city]).await;
    let api = t.api_login("casem").await;
    let r = api
        .post_json(
            "/api/v1/persons",
            &serde_json::json!({"org_id": t.orgs.finance, "name": "", "id_number": "123"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let j = r.json();
    assert_eq!(j["code"], "invalid");
    let fields: Vec<&str> = j["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"name") && fields.contains(&"id_number"), "{j}");
    let r = api
        .post_json(
            "/api/v1/persons",
            &serde_json::json!({"org_id": t.orgs.finance, "name": "张三", "id_number": "11010519491231002X"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["id_number"], "11010519491231002X");
    let r = api
        .post_json(
            "/api/v1/persons",
            &serde_json::json!({"org_id": t.orgs.finance, "name": "张三", "id_number": "11010519491231002X"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["field"], "id_number");
    let r = api
        .post_json("/api/v1/persons", &serde_json::json!({"nonsense": true}))
        .await;
    assert!(r.status.is_client_error(), "bad JSON is a 4xx: {}", r.status);
    // Issue #16 §6: 21.0 is an integer as the schema defines one; 21.5 is not.
    let whole = format!("{}.0", t.orgs.finance);
    let body = format!(r#"{{"org_id": {whole}, "name": "李四", "id_number": "110105194912310021"}}"#);
    let body: serde_json::Value =
        serde_json::from_str(&body.replace("110105194912310021", &fix_check("11010519491231003"))).unwrap();
    assert!(body["org_id"].is_f64());
    let r = api.post_json("/api/v1/persons", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["org_id"], t.orgs.finance.0);
    let r = api
        .post_json(
            "/api/v1/persons",
            &serde_json::json!({"org_id": 2.5, "name": "王五", "id_number": fix_check("11010519491231004")}),
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
}
