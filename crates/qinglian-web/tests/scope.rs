//! Data scope and the separation of the three admins (issue #2 §4): a user of one unit
//! cannot read, list, export or guess the ids of another unit's records; none of the three
//! admins can read business data; nobody holds two admin roles.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use qinglian_store::person::{self, PersonInput};
use qinglian_store::{Scope, user};

on_both!(
    unit_users_see_only_their_own_unit,
    the_three_admins_cannot_read_business_data,
    admin_roles_cannot_be_combined_or_given_business_permissions,
    changing_a_role_ends_the_sessions_of_its_users_only,
    a_person_cannot_be_created_outside_the_scope,
    masked_id_numbers_cannot_be_completed_from_the_birth_date,
    hostile_input_is_a_4xx,
);

async fn add_person(t: &TestApp, org: qinglian_store::org::OrgId, name: &str, id_number: &str) -> person::PersonId {
    let v = person::validate(PersonInput {
        org_id: org,
        name: name.into(),
        id_number: id_number.into(),
        ..Default::default()
    })
    .unwrap();
    let mut tx = t.app.db.begin().await.unwrap();
    let id = person::create(&mut tx, &Scope::new(vec!["/".into()]), &v)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn unit_users_see_only_their_own_unit(t: TestApp) {
    let mine = add_person(&t, t.orgs.finance_office, "张三", "11010519491231002X").await;
    let theirs = add_person(&t, t.orgs.civil, "李四", "440524188001010014").await;
    t.user("unit1", &["unit_admin"], &[t.orgs.finance]).await;
    let c = t.login("unit1").await;
    let list = c.get("/persons").await.text();
    assert!(list.contains("张三") && !list.contains("李四"));
    let search = c.get("/persons?q=ls").await.text();
    assert!(!search.contains("李四"), "search cannot reach outside the scope");
    assert_eq!(c.get(&format!("/persons/{mine}")).await.status, StatusCode::OK);
    let guess = c.get(&format!("/persons/{theirs}")).await;
    assert_eq!(
        guess.status,
        StatusCode::NOT_FOUND,
        "another unit's id looks like a missing one"
    );
    let missing = c.get("/persons/999999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        guess.text().replace(&theirs.to_string(), ""),
        missing.text().replace("999999", ""),
        "no difference to probe"
    );
    assert_eq!(
        c.get(&format!("/persons/{theirs}/edit")).await.status,
        StatusCode::NOT_FOUND
    );
    let edit = c
        .post_form(
            &format!("/persons/{theirs}"),
            &[
                ("org_id", &t.orgs.finance.to_string()),
                ("name", "李四"),
                ("id_number", "440524188001010014"),
            ],
        )
        .await;
    assert_eq!(
        edit.status,
        StatusCode::NOT_FOUND,
        "cannot pull another unit's person into one's own"
    );
    let export = c.get("/persons/export.xlsx").await;
    assert_eq!(export.status, StatusCode::OK);
    let cells = read_xlsx_text(&export.bytes);
    assert!(
        cells.contains("张三") && !cells.contains("李四"),
        "export is scoped too"
    );
    let orgs = c.get("/orgs").await.text();
    assert!(orgs.contains("测试市财政局办公室") && !orgs.contains("测试市民政局"));
    // The API enforces the same scope.
    let api = t.api_login("unit1").await;
    let j = api.get("/api/v1/persons").await.json();
    assert_eq!(j["total"], 1);
    assert_eq!(
        api.get(&format!("/api/v1/persons/{theirs}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.get(&format!("/api/v1/persons?org_id={}", t.orgs.civil))
            .await
            .json()["total"],
        0
    );
    let orgs = api.get("/api/v1/orgs").await.json();
    assert!(orgs.as_array().unwrap().iter().all(|o| o["name"] != "测试市民政局"));
}

fn read_xlsx_text(bytes: &[u8]) -> String {
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("valid xlsx");
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).expect("sheet");
    range
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect::<Vec<_>>()
        .join("|")
}

async fn the_three_admins_cannot_read_business_data(t: TestApp) {
    add_person(&t, t.orgs.finance, "张三", "11010519491231002X").await;
    for (name, role) in [("sys", "sysadmin"), ("sec", "secadmin"), ("aud", "auditor")] {
        let id = t.user(name, &[role], &[]).await;
        // Even a scope granted directly in the database gives an admin nothing.
        t.sql(&format!(
            "INSERT INTO user_scope (user_id, org_id) VALUES ({id}, {})",
            t.orgs.city
        ))
        .await;
        let c = t.login(name).await;
        for path in ["/persons", "/persons/export.xlsx", "/deadlines"] {
            assert_eq!(c.get(path).await.status, StatusCode::FORBIDDEN, "{role} {path}");
        }
        let api = t.api_login(name).await;
        assert_eq!(api.get("/api/v1/persons").await.status, StatusCode::FORBIDDEN, "{role}");
        let home = c.get("/").await.text();
        assert!(!home.contains("张三"));
    }
    let c = t.login("aud").await;
    assert_eq!(c.get("/audit").await.status, StatusCode::OK);
    assert_eq!(
        c.get("/admin/users").await.status,
        StatusCode::FORBIDDEN,
        "auditor changes nothing"
    );
    assert_eq!(c.get("/security/roles").await.status, StatusCode::FORBIDDEN);
    let c = t.login("sys").await;
    assert_eq!(
        c.get("/audit").await.status,
        StatusCode::FORBIDDEN,
        "sysadmin cannot read the audit log"
    );
    assert_eq!(c.get("/security/roles").await.status, StatusCode::FORBIDDEN);
}

/// A change of a role's rights takes effect at once for every user holding the role, and for
/// nobody else (the sessions were once ended for the user whose id happened to equal the role's).
async fn changing_a_role_ends_the_sessions_of_its_users_only(t: TestApp) {
    // Enough users that one of them has the role's id.
    let leader_role = user::role_id(t.app.db.pool(), "leader").await.unwrap();
    let mut others = Vec::new();
    for i in 0..=leader_role.0 {
        others.push(t.user(&format!("staff{i}"), &["staff"], &[t.orgs.finance]).await);
    }
    assert!(
        others.iter().any(|u| u.0 == leader_role.0),
        "{others:?} holds the role's id {leader_role}"
    );
    let same_id = others.iter().position(|u| u.0 == leader_role.0).unwrap();
    t.user("lead", &["leader"], &[t.orgs.city]).await;
    let lead = t.login("lead").await;
    let bystander = t.login(&format!("staff{same_id}")).await;
    assert_eq!(lead.get("/persons").await.status, StatusCode::OK);
    assert_eq!(bystander.get("/").await.status, StatusCode::OK);

    t.user("sec", &["secadmin"], &[]).await;
    let c = t.login("sec").await;
    let r = c
        .post_form(
            &format!("/security/roles/{leader_role}"),
            &[("perm", "org.read"), ("perm", "person.read")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let after = lead.get("/persons").await;
    assert!(
        after.status.is_redirection(),
        "the leader logs in again: {}",
        after.status
    );
    assert!(after.location().starts_with("/login"), "{}", after.location());
    assert_eq!(
        bystander.get("/").await.status,
        StatusCode::OK,
        "a user of another role stays logged in"
    );
}

async fn admin_roles_cannot_be_combined_or_given_business_permissions(t: TestApp) {
    let uid = t.user("mix", &[], &[]).await;
    let sys = user::role_id(t.app.db.pool(), "sysadmin").await.unwrap();
    let aud = user::role_id(t.app.db.pool(), "auditor").await.unwrap();
    let leader = user::role_id(t.app.db.pool(), "leader").await.unwrap();
    let mut tx = t.app.db.begin().await.unwrap();
    let e = user::set_roles(&mut tx, uid, &[sys, aud]).await.unwrap_err();
    assert!(e.to_string().contains("三员分立"), "{e}");
    let e = user::set_roles(&mut tx, uid, &[sys, leader]).await.unwrap_err();
    assert!(e.to_string().contains("不能同时拥有业务角色"), "{e}");
    let e = user::set_role_permissions(&mut tx, aud, &["person.read".into()], true)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("不能授予"), "{e}");
    drop(tx);
    // Through the security admin's page too, with the message shown.
    t.user("sec", &["secadmin"], &[]).await;
    let c = t.login("sec").await;
    let r = c
        .post_form(
            &format!("/security/users/{uid}"),
            &[("role", &sys.to_string()), ("role", &aud.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("三员分立"));
    let r = c
        .post_form(
            &format!("/security/roles/{aud}"),
            &[
                ("perm", "audit.read"),
                ("perm", "person.read"),
                ("require_totp", "true"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A valid grant works and is audited.
    let r = c
        .post_form(
            &format!("/security/users/{uid}"),
            &[("role", &leader.to_string()), ("scope", &t.orgs.finance.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(user::scope_org_ids(&t.app.db, uid).await.unwrap(), vec![t.orgs.finance]);
}

async fn a_person_cannot_be_created_outside_the_scope(t: TestApp) {
    t.user("unit1", &["unit_admin"], &[t.orgs.finance]).await;
    let c = t.login("unit1").await;
    let r = c
        .post_form(
            "/persons",
            &[
                ("org_id", &t.orgs.civil.to_string()),
                ("name", "王五"),
                ("id_number", "11010519491231002X"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("不在您的数据权限范围内"));
    assert_eq!(person::count(&t.app.db).await.unwrap(), 0, "nothing half-written");
}

async fn masked_id_numbers_cannot_be_completed_from_the_birth_date(t: TestApp) {
    let id = add_person(&t, t.orgs.finance, "张三", "11010519491231002X").await;
    // A role without person.sensitive (the supervision office holds it since issue #16).
    t.user("lead", &["stationed"], &[t.orgs.city]).await;
    let c = t.login("lead").await;
    for path in ["/persons".to_string(), format!("/persons/{id}")] {
        let text = c.get(&path).await.text();
        assert!(text.contains("110105********002X"), "{path}");
        assert!(
            !text.contains("1949-12-31") && !text.contains("19491231"),
            "{path} must not show the hidden digits"
        );
    }
    let api = t.api_login("lead").await;
    let j = api.get(&format!("/api/v1/persons/{id}")).await.json();
    assert_eq!(j["birth_date"], "1949年");
}

async fn hostile_input_is_a_4xx(t: TestApp) {
    let r = t
        .anon()
        .post_json(
            "/api/v1/auth/login",
            &serde_json::json!({"username": "a\u{0}b", "password": "x"}),
        )
        .await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.text());
    t.user("casem", &["casemgmt"], &[t.orgs.city]).await;
    let c = t.login("casem").await;
    let r = c.get("/persons?page=9223372036854775807").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = c
        .post_form(
            "/persons",
            &[
                ("org_id", &t.orgs.finance.to_string()),
                ("name", "张\u{0}三"),
                ("id_number", "11010519491231002X"),
                ("post", "科\u{0}长"),
            ],
        )
        .await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.text());
}
