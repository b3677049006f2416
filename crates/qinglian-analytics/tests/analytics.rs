//! Correctness spec of the data-supervision engine: every built-in model on a hand-built
//! dataset with planted positives and hard negatives for each trap; dataset loading; custom
//! SQL validation; evaluation.

mod common;

use common::{cc, expect, pid, pid15, run, run_with, write};
use qinglian_analytics::model::{ParamOverrides, ParamValue};
use tempfile::TempDir;

const PERSONS_HEADER: &str = "id_number,name,sex,birth_date,region_code,household_id,relation\n";
const BENEFIT_HEADER: &str = "id_number,name,program,period,amount,region_code,household_id,paid_on\n";
const PAYROLL_HEADER: &str = "id_number,name,org,period,amount,staff_type\n";

fn person(id: &str, name: &str, hh: &str) -> String {
    format!("{id},{name},男,1980-01-01,110105,{hh},成员\n")
}

fn benefit(id: &str, program: &str, period: &str, amount: &str, hh: &str) -> String {
    format!("{id},某人,{program},{period},{amount},110105,{hh},{period}-20\n")
}

fn salary(id: &str, org: &str, period: &str, staff_type: &str) -> String {
    format!("{id},某人,{org},{period},6000,{staff_type}\n")
}

/// Households used by the four subsistence models:
/// H1 (A recipient, B member), H2 (C, D), H3 (E, F), H4 (G, K), H5 (低保边缘: M, N),
/// H6 (P, Q; receives only 养老金), H7 (R, S; paid then reversed).
fn subsistence_households(dir: &std::path::Path) {
    let mut persons = PERSONS_HEADER.to_string();
    for (n, name, hh) in [
        (1, "甲", "H1"),
        (2, "乙", "H1"),
        (3, "丙", "H2"),
        (4, "丁", "H2"),
        (5, "戊", "H3"),
        (6, "己", "H3"),
        (7, "庚", "H4"),
        (8, "辛", "H4"),
        (9, "壬", "H5"),
        (10, "癸", "H5"),
        (11, "子", "H6"),
        (12, "丑", "H6"),
        (13, "寅", "H7"),
        (14, "卯", "H7"),
    ] {
        persons.push_str(&person(&pid(n), name, hh));
    }
    write(dir, "persons.csv", &persons);
    let mut b = BENEFIT_HEADER.to_string();
    for m in ["2024-01", "2024-02", "2024-03"] {
        b.push_str(&benefit(&pid(1), "城乡低保", m, "500", "H1"));
        b.push_str(&benefit(&pid(3), "城乡低保", m, "500", "H2"));
        b.push_str(&benefit(&pid(5), "城乡低保", m, "500", "H3"));
        // No household_id on the payment row: the household comes from `persons`.
        b.push_str(&benefit(&pid(7), "特困人员救助供养", m, "800", ""));
        b.push_str(&benefit(&pid(9), "低保边缘家庭救助", m, "200", "H5"));
        b.push_str(&benefit(&pid(11), "城乡居民养老金", m, "150", "H6"));
    }
    // A payment of later months so that the data visibly continues after H3's exit.
    b.push_str(&benefit(&pid(1), "城乡低保", "2024-04", "500", "H1"));
    b.push_str(&benefit(&pid(13), "城乡低保", "2024-02", "500", "H7"));
    b.push_str(&benefit(&pid(13), "城乡低保", "2024-02", "-500", "H7"));
    write(dir, "benefit_payments.csv", &b);
}

#[tokio::test]
async fn payroll_subsistence() {
    let dir = TempDir::new().unwrap();
    subsistence_households(dir.path());
    let mut p = PAYROLL_HEADER.to_string();
    // H1: member B on payroll as 编制内 in 02–04 (15-digit ID in one row) → hits 02 and 03
    // (H1 is paid 01–04, so 04 too).
    p.push_str(&salary(&pid15(2), "某县财政局", "2024-02", "编制内"));
    p.push_str(&salary(&pid(2), "某县财政局", "2024-03", "编制内"));
    p.push_str(&salary(&pid(2), "某县财政局", "2024-04", "编制内"));
    // H2: D is temporary staff → no hit.
    for m in ["2024-01", "2024-02", "2024-03"] {
        p.push_str(&salary(&pid(4), "某县财政局", m, "临时聘用"));
    }
    // H3: F joins payroll in 03, the month H3 exits 低保 (last paid month) → no hit.
    for m in ["2024-03", "2024-04", "2024-05"] {
        p.push_str(&salary(&pid(6), "某县水利局", m, "编制内"));
    }
    // H4 (household only known from persons): K on payroll in 02 only → hit.
    p.push_str(&salary(&pid(8), "某县水利局", "2024-02", "编制内"));
    // H5 (低保边缘 is not 低保), H6 (养老金 only), H7 (payment reversed) → no hits.
    p.push_str(&salary(&pid(10), "某县水利局", "2024-02", "编制内"));
    p.push_str(&salary(&pid(12), "某县水利局", "2024-02", "编制内"));
    p.push_str(&salary(&pid(14), "某县水利局", "2024-02", "编制内"));
    write(dir.path(), "payroll.csv", &p);
    let got = run(dir.path(), "payroll_subsistence").await;
    assert_eq!(
        got,
        expect(&[
            ("H1", "2024-02"),
            ("H1", "2024-03"),
            ("H1", "2024-04"),
            ("H4", "2024-02")
        ])
    );
    // With the same-month-exit rule off, H3's handover month counts too.
    let mut o = ParamOverrides::new();
    o.insert("same_month_exit".into(), ParamValue::Bool(false));
    let got = run_with(dir.path(), "payroll_subsistence", &o).await;
    assert!(got.contains(&("H3".to_string(), "2024-03".to_string())));
}

#[tokio::test]
async fn subsistence_vehicle() {
    let dir = TempDir::new().unwrap();
    subsistence_households(dir.path());
    let v = format!(
        "owner_id_number,plate,vehicle_type,registered_on,exempt\n\
         {},京A12345,小型轿车,2020-01-01,否\n\
         {},京A22222,残疾人专用车,2020-01-01,是\n\
         {},京A33333,小型轿车,2020-01-01,\n\
         {},京A44444,小型轿车,2020-01-01,否\n\
         {},京A55555,小型轿车,2020-01-01,否\n",
        pid(2),  // H1 member, non-exempt → hit
        pid(4),  // H2 member, exempt → no
        pid(12), // H6: 养老金 only, not 低保 → no
        pid(10), // H5: 低保边缘 → no
        pid(99), // not in any household → no
    );
    write(dir.path(), "vehicles.csv", &v);
    assert_eq!(run(dir.path(), "subsistence_vehicle").await, expect(&[("H1", "")]));
}

#[tokio::test]
async fn subsistence_vehicle_counts_tekun_only_when_asked() {
    // 特困供养 is not 低保 by default: H4 (特困) with a car is no hit unless configured.
    let dir = TempDir::new().unwrap();
    subsistence_households(dir.path());
    write(
        dir.path(),
        "vehicles.csv",
        &format!(
            "owner_id_number,plate,vehicle_type,registered_on,exempt\n{},京B1,小型轿车,2020-01-01,否\n",
            pid(8)
        ),
    );
    assert_eq!(run(dir.path(), "subsistence_vehicle").await, expect(&[]));
    let mut o = ParamOverrides::new();
    o.insert(
        "subsistence_programs".into(),
        ParamValue::List(vec!["低保".into(), "特困".into()]),
    );
    assert_eq!(
        run_with(dir.path(), "subsistence_vehicle", &o).await,
        expect(&[("H4", "")])
    );
}

#[tokio::test]
async fn subsistence_property() {
    let dir = TempDir::new().unwrap();
    subsistence_households(dir.path());
    let rows = [
        // H1: A owns two, B one → 3 → hit.
        (pid(1), "幸福路1号"),
        (pid(1), "幸福路2号"),
        (pid(2), "幸福路3号"),
        // H2: C and D co-own one flat, C owns one more → 2 distinct → no.
        (pid(3), "和平路1号"),
        (pid(4), "和平路1号"),
        (pid(3), "和平路2号"),
        // H6 (not 低保) owns 4 → no.
        (pid(11), "人民路1号"),
        (pid(11), "人民路2号"),
        (pid(12), "人民路3号"),
        (pid(12), "人民路4号"),
    ];
    let mut s = "owner_id_number,address,area,registered_on\n".to_string();
    for (id, addr) in rows {
        s.push_str(&format!("{id},{addr},90,2015-05-01\n"));
    }
    write(dir.path(), "properties.csv", &s);
    assert_eq!(run(dir.path(), "subsistence_property").await, expect(&[("H1", "")]));
}

#[tokio::test]
async fn subsistence_business() {
    let dir = TempDir::new().unwrap();
    subsistence_households(dir.path());
    let e = format!(
        "credit_code,name,established_on,registered_capital,legal_rep_id_number,address,phone,insured_staff\n\
         {},甲公司,2020-01-01,1000000,{},地址,010-1,5\n\
         {},乙公司,2020-01-01,300000,,地址,010-2,5\n\
         {},丙公司,2020-01-01,2000000,,地址,010-3,5\n\
         {},丁公司,2020-01-01,60万,,地址,010-4,5\n\
         {},戊公司,2020-01-01,9000000,{},地址,010-5,5\n",
        cc(1),
        pid(1), // H1's A is 法定代表人 of a 1,000,000 company → hit
        cc(2),
        cc(3),
        cc(4),
        cc(5),
        pid(12), // H6 (not 低保) → no
    );
    write(dir.path(), "enterprises.csv", &e);
    let s = format!(
        "credit_code,person_id_number,person_name,role,share_ratio\n\
         {},{},丙,股东,50%\n\
         {},{},己,监事,\n\
         {},{},辛,股东,30%\n",
        cc(2),
        pid(3), // H2: 股东 but capital 300,000 < 500,000 → no
        cc(3),
        pid(6), // H3: 监事 without shares → no
        cc(4),
        pid(8), // H4 is 特困 not 低保 → no by default
    );
    write(dir.path(), "shareholders.csv", &s);
    assert_eq!(run(dir.path(), "subsistence_business").await, expect(&[("H1", "")]));
    // H4's 60万 company counts once 特困 is included: the "万" is scaled to yuan.
    let mut o = ParamOverrides::new();
    o.insert(
        "subsistence_programs".into(),
        ParamValue::List(vec!["低保".into(), "特困".into()]),
    );
    assert_eq!(
        run_with(dir.path(), "subsistence_business", &o).await,
        expect(&[("H1", ""), ("H4", "")])
    );
}

#[tokio::test]
async fn paid_after_death() {
    let dir = TempDir::new().unwrap();
    let p1 = pid(21);
    let p2 = pid(22);
    let p3 = pid(23);
    let p4 = pid(24);
    write(
        dir.path(),
        "deaths.csv",
        &format!(
            "id_number,name,death_date,source\n{p1},张三,2024-03-15,民政\n{p2},李四,2024-01-10,公安\n{},王五,2024/1/20,卫健\n",
            pid15(24)
        ),
    );
    let mut b = BENEFIT_HEADER.to_string();
    let row = |id: &str, program: &str, period: &str, paid_on: &str| {
        format!("{id},某人,{program},{period},100,110105,,{paid_on}\n")
    };
    // P1 died 2024-03: 02 back-paid after death (no), 03 death month (no), 04 grace (no),
    // 05 and 06 → hits.
    b.push_str(&row(&p1, "城乡居民养老金", "2024-02", "2024-04-10"));
    b.push_str(&row(&p1, "城乡居民养老金", "2024-03", "2024-03-20"));
    b.push_str(&row(&p1, "城乡居民养老金", "2024-04", "2024-04-20"));
    b.push_str(&row(&p1, "城乡居民养老金", "2024-05", "2024-05-20"));
    b.push_str(&row(&p1, "高龄津贴", "2024-06", "2024-06-20"));
    // P2 died 2024-01: funeral grant and survivor pension are not hits.
    b.push_str(&row(&p2, "丧葬补助费", "2024-04", "2024-04-20"));
    b.push_str(&row(&p2, "遗属抚恤金", "2024-05", "2024-05-20"));
    // P3 is alive.
    b.push_str(&row(&p3, "城乡居民养老金", "2024-06", "2024-06-20"));
    // P4's death record has a 15-digit ID.
    b.push_str(&row(&p4, "城乡低保", "2024-06", "2024-06-20"));
    write(dir.path(), "benefit_payments.csv", &b);
    assert_eq!(
        run(dir.path(), "paid_after_death").await,
        expect(&[(&p1, "2024-05"), (&p1, "2024-06"), (&p4, "2024-06")])
    );
}

#[tokio::test]
async fn duplicate_payment() {
    let dir = TempDir::new().unwrap();
    let (p1, p2, p3, p4) = (pid(31), pid(32), pid(33), pid(34));
    let mut b = BENEFIT_HEADER.to_string();
    // P1: 低保 2024-01 paid twice → hit; 2024-02 once → no.
    b.push_str(&benefit(&p1, "城乡低保", "2024-01", "500", "H1"));
    b.push_str(&benefit(&p1, "城乡低保", "2024-01", "500", "H1"));
    b.push_str(&benefit(&p1, "城乡低保", "2024-02", "500", "H1"));
    // P2: two different programs in one month → no.
    b.push_str(&benefit(&p2, "城乡低保", "2024-01", "500", "H2"));
    b.push_str(&benefit(&p2, "城乡居民养老金", "2024-01", "150", "H2"));
    // P3: paid, reversed, paid again → one net payment → no.
    b.push_str(&benefit(&p3, "城乡低保", "2024-03", "500", "H3"));
    b.push_str(&benefit(&p3, "城乡低保", "2024-03", "-500", "H3"));
    b.push_str(&benefit(&p3, "城乡低保", "2024-03", "500", "H3"));
    // P4: same program in two months → no.
    b.push_str(&benefit(&p4, "城乡低保", "2024-01", "500", "H4"));
    b.push_str(&benefit(&p4, "城乡低保", "2024-02", "500", "H4"));
    write(dir.path(), "benefit_payments.csv", &b);
    assert_eq!(run(dir.path(), "duplicate_payment").await, expect(&[(&p1, "2024-01")]));
}

#[tokio::test]
async fn duplicate_payment_mutually_exclusive_groups() {
    let dir = TempDir::new().unwrap();
    let (p1, p2, p3, p4, p5) = (pid(35), pid(36), pid(37), pid(38), pid(39));
    let mut b = BENEFIT_HEADER.to_string();
    // P1: 低保 and 特困 in the same month → a finding only when the group is configured.
    b.push_str(&benefit(&p1, "城乡低保", "2024-01", "500", "H1"));
    b.push_str(&benefit(&p1, "特困人员救助供养", "2024-01", "900", "H1"));
    // P2: 低保 and a pension in the same month → never.
    b.push_str(&benefit(&p2, "城乡低保", "2024-01", "500", "H2"));
    b.push_str(&benefit(&p2, "城乡居民养老金", "2024-01", "150", "H2"));
    // P3: 低保 in January, 特困 in February → never.
    b.push_str(&benefit(&p3, "城乡低保", "2024-01", "500", "H3"));
    b.push_str(&benefit(&p3, "特困人员救助供养", "2024-02", "900", "H3"));
    // P4: 特困 paid and reversed in the month of 低保 → never.
    b.push_str(&benefit(&p4, "城乡低保", "2024-03", "500", "H4"));
    b.push_str(&benefit(&p4, "特困人员救助供养", "2024-03", "900", "H4"));
    b.push_str(&benefit(&p4, "特困人员救助供养", "2024-03", "-900", "H4"));
    // P5: the same program twice → always.
    b.push_str(&benefit(&p5, "城乡低保", "2024-05", "500", "H5"));
    b.push_str(&benefit(&p5, "城乡低保", "2024-05", "500", "H5"));
    write(dir.path(), "benefit_payments.csv", &b);
    assert_eq!(run(dir.path(), "duplicate_payment").await, expect(&[(&p5, "2024-05")]));
    let mut o = ParamOverrides::new();
    o.insert(
        "exclusive_groups".into(),
        ParamValue::List(vec!["低保|特困".into(), "丧葬|遗属".into()]),
    );
    assert_eq!(
        run_with(dir.path(), "duplicate_payment", &o).await,
        expect(&[(&p1, "2024-01"), (&p5, "2024-05")])
    );
    // A single text is accepted as a one-group list.
    let mut o = ParamOverrides::new();
    o.insert("exclusive_groups".into(), ParamValue::Text(" 特困 | 低保 ".into()));
    assert_eq!(
        run_with(dir.path(), "duplicate_payment", &o).await,
        expect(&[(&p1, "2024-01"), (&p5, "2024-05")])
    );
}

#[tokio::test]
async fn payroll_subsistence_staff_types_by_keyword() {
    let dir = TempDir::new().unwrap();
    subsistence_households(dir.path());
    let mut p = PAYROLL_HEADER.to_string();
    p.push_str(&salary(&pid(2), "某县财政局", "2024-02", "行政编制")); // H1 → hit
    p.push_str(&salary(&pid(4), "某县财政局", "2024-02", "非在编")); // H2 → no
    p.push_str(&salary(&pid(6), "某县财政局", "2024-02", "编外聘用")); // H3 → no
    p.push_str(&salary(&pid(8), "某县财政局", "2024-02", "")); // H4, unknown type → no
    write(dir.path(), "payroll.csv", &p);
    assert_eq!(
        run(dir.path(), "payroll_subsistence").await,
        expect(&[("H1", "2024-02")])
    );
    // A payroll without any staff type at all is taken as 编制内.
    let mut p = "id_number,name,org,period,amount\n".to_string();
    p.push_str(&format!("{},某人,某县财政局,2024-02,6000\n", pid(8)));
    write(dir.path(), "payroll.csv", &p);
    assert_eq!(
        run(dir.path(), "payroll_subsistence").await,
        expect(&[("H4", "2024-02")])
    );
    let mut o = ParamOverrides::new();
    o.insert("unlabelled_counted".into(), ParamValue::Bool(false));
    assert_eq!(run_with(dir.path(), "payroll_subsistence", &o).await, expect(&[]));
}

#[tokio::test]
async fn subsistence_vehicle_exempt_flag_wins_over_type() {
    let dir = TempDir::new().unwrap();
    subsistence_households(dir.path());
    let v = format!(
        "owner_id_number,plate,vehicle_type,registered_on,exempt\n\
         {},京A1,残疾人代步车,2020-01-01,\n\
         {},京A2,残疾人代步车,2020-01-01,否\n\
         {},京A3,小型轿车,2020-01-01,\n",
        pid(1), // H1: no flag, an exempt type → no
        pid(3), // H2: flagged not exempt → hit
        pid(5), // H3: no flag, an ordinary car → hit
    );
    write(dir.path(), "vehicles.csv", &v);
    assert_eq!(
        run(dir.path(), "subsistence_vehicle").await,
        expect(&[("H2", ""), ("H3", "")])
    );
}

#[tokio::test]
async fn relative_benefit_filing_matches_the_kind_of_program() {
    let dir = TempDir::new().unwrap();
    let o1 = pid(44);
    let (r1, r2, r3) = (pid(56), pid(57), pid(58));
    let mut p = PAYROLL_HEADER.to_string();
    p.push_str(&salary(&o1, "某镇某村村委", "2024-01", "村干部"));
    write(dir.path(), "payroll.csv", &p);
    write(
        dir.path(),
        "relatives.csv",
        &format!(
            "official_id_number,relative_id_number,relative_name,relation\n\
             {o1},{r1},李一,父亲\n{o1},{r2},李二,母亲\n{o1},{r3},李三,兄弟姐妹\n"
        ),
    );
    let mut b = BENEFIT_HEADER.to_string();
    b.push_str(&benefit(&r1, "农村低保", "2024-01", "500", "")); // filed as 最低生活保障 → no
    b.push_str(&benefit(&r2, "特困人员救助供养", "2024-01", "900", "")); // filed as 五保 → no
    b.push_str(&benefit(&r3, "五保供养", "2024-01", "900", "")); // filed for 低保 only → hit
    write(dir.path(), "benefit_payments.csv", &b);
    write(
        dir.path(),
        "benefit_filings.csv",
        &format!(
            "id_number,program,filed_on\n{r1},城乡最低生活保障,2023-12-01\n{r2},五保户,2023-12-01\n\
             {r3},低保,2023-12-01\n"
        ),
    );
    assert_eq!(run(dir.path(), "relative_benefit_unfiled").await, expect(&[(&r3, "")]));
}

#[tokio::test]
async fn bid_rigging_same_company_without_credit_code_is_one_bidder() {
    let dir = TempDir::new().unwrap();
    let header = "tender_id,bidder_credit_code,bidder_name,price,submitted_at,status,project_manager_id_number,\
                  contact_phone,deposit_account,ip_address,file_author\n";
    let mut s = header.to_string();
    // T1: the company's second row lacks its credit code (named with a suffix variant) → one bidder.
    s.push_str(&format!(
        "T1,{},甲建设有限责任公司,100,,有效,,13900000001,,,\n",
        cc(501)
    ));
    s.push_str("T1,,甲建设有限公司,99,,有效,,13900000001,,,\n");
    // T2: another company without a credit code shares the phone → hit.
    s.push_str(&format!("T2,{},甲建设有限公司,100,,有效,,13900000001,,,\n", cc(501)));
    s.push_str("T2,,乙建设有限公司,99,,有效,,13900000001,,,\n");
    write(dir.path(), "bids.csv", &s);
    assert_eq!(run(dir.path(), "bid_rigging_links").await, expect(&[("T2", "")]));
}

#[tokio::test]
async fn relative_benefit_unfiled() {
    let dir = TempDir::new().unwrap();
    let (o1, o2, o3, o4, o5) = (pid(41), pid(42), pid(43), pid(45), pid(46));
    let (r1, r2, r3, r4, r5, r6, r7) = (pid(51), pid(52), pid(53), pid(54), pid(55), pid(59), pid(60));
    let mut p = PAYROLL_HEADER.to_string();
    p.push_str(&salary(&o1, "某县民政局", "2024-01", "编制内"));
    p.push_str(&salary(&o2, "某县交通运输局", "2024-01", "编制内"));
    p.push_str(&salary(&o3, "某镇某村村委会", "2024-01", "编制内"));
    // "人民政府" contains the letters of 民政 but is not a 民政 office; its 民政办 is.
    p.push_str(&salary(&o4, "某县某镇人民政府", "2024-01", "编制内"));
    p.push_str(&salary(&o5, "某县某镇人民政府民政办", "2024-01", "编制内"));
    write(dir.path(), "payroll.csv", &p);
    write(
        dir.path(),
        "relatives.csv",
        &format!(
            "official_id_number,relative_id_number,relative_name,relation\n\
             {o1},{r1},赵一,父亲\n{o1},{r2},赵二,母亲\n{o2},{r3},钱三,配偶\n{o3},{r4},孙四,兄弟\n{o1},{r5},赵五,子女\n\
             {o4},{r6},李六,父亲\n{o5},{r7},李七,母亲\n"
        ),
    );
    let mut b = BENEFIT_HEADER.to_string();
    b.push_str(&benefit(&r1, "城乡低保", "2024-01", "500", "")); // unfiled → hit
    b.push_str(&benefit(&r2, "城乡低保", "2024-01", "500", "")); // filed → no
    b.push_str(&benefit(&r3, "城乡低保", "2024-01", "500", "")); // official not a handler → no
    b.push_str(&benefit(&r4, "特困人员救助供养", "2024-01", "800", "")); // filed for 低保 only → hit
    b.push_str(&benefit(&r5, "城乡居民养老金", "2024-01", "150", "")); // not 低保/特困 → no
    b.push_str(&benefit(&r6, "农村低保", "2024-01", "500", "")); // official of a 人民政府 → no
    b.push_str(&benefit(&r7, "农村低保", "2024-01", "500", "")); // official of its 民政办 → hit
    write(dir.path(), "benefit_payments.csv", &b);
    write(
        dir.path(),
        "benefit_filings.csv",
        &format!("id_number,program,filed_on\n{r2},低保,2023-12-01\n{r4},低保,2023-12-01\n"),
    );
    assert_eq!(
        run(dir.path(), "relative_benefit_unfiled").await,
        expect(&[(&r1, ""), (&r4, ""), (&r7, "")])
    );
}

#[tokio::test]
async fn relative_supplier() {
    let dir = TempDir::new().unwrap();
    let (o1, r1, r2, r3, x) = (pid(61), pid(62), pid(63), pid(64), pid(65));
    let mut p = PAYROLL_HEADER.to_string();
    p.push_str(&salary(&o1, "某县教育局", "2024-01", "编制内"));
    write(dir.path(), "payroll.csv", &p);
    write(
        dir.path(),
        "relatives.csv",
        &format!(
            "official_id_number,relative_id_number,relative_name,relation\n\
             {o1},{r1},周一,配偶\n{o1},{r2},周二,子女\n{o1},{r3},周三,兄弟\n"
        ),
    );
    write(
        dir.path(),
        "enterprises.csv",
        &format!(
            "credit_code,name,established_on,registered_capital,legal_rep_id_number,address,phone,insured_staff\n\
             {},甲有限责任公司,2020-01-01,1000000,,a,1,5\n\
             {},乙有限公司,2020-01-01,1000000,{r2},a,1,5\n\
             {},丙有限公司,2020-01-01,1000000,{x},a,1,5\n\
             {},丁有限公司,2020-01-01,1000000,{x},a,1,5\n",
            cc(11),
            cc(12),
            cc(13),
            cc(14)
        ),
    );
    write(
        dir.path(),
        "shareholders.csv",
        &format!(
            "credit_code,person_id_number,person_name,role,share_ratio\n\
             {},{r1},周一,股东,0.4\n{},{x},外人,股东,1\n{},{r3},周三,监事,\n",
            cc(11),
            cc(13),
            cc(14)
        ),
    );
    write(
        dir.path(),
        "tenders.csv",
        "tender_id,buyer,title,category,method,budget,notice_on,deadline,region\n\
         T1,某县教育局,课桌采购,家具,公开招标,100000,2024-01-01,2024-01-20 09:30,某县\n\
         T2,某县卫生健康局,设备采购,设备,公开招标,100000,2024-01-01,2024-01-20 09:30,某县\n\
         T3,某县教育局,电脑采购,设备,公开招标,100000,2024-01-01,2024-01-20 09:30,某县\n\
         T4,某县教育局,食堂外包,服务,公开招标,100000,2024-01-01,2024-01-20 09:30,某县\n",
    );
    write(
        dir.path(),
        "awards.csv",
        &format!(
            "tender_id,supplier_credit_code,amount,awarded_on\n\
             T1,{},90000,2024-02-01\nT2,{},90000,2024-02-01\nT3,{},90000,2024-02-01\nT4,{},90000,2024-02-01\n",
            cc(11), // relative r1 is 股东, buyer = official's org → hit
            cc(12), // relative r2 is 法定代表人 but the buyer is another org → no
            cc(13), // no relative → no
            cc(14), // relative r3 is only 监事 → no
        ),
    );
    assert_eq!(run(dir.path(), "relative_supplier").await, expect(&[(&cc(11), "")]));
}

#[tokio::test]
async fn split_purchase() {
    let dir = TempDir::new().unwrap();
    let mut s = "buyer,budget_item,item_category,purchased_on,amount,method,supplier_credit_code\n".to_string();
    let mut add = |buyer: &str, category: &str, date: &str, amount: u32, method: &str| {
        s.push_str(&format!(
            "{buyer},办公设备购置,{category},{date},{amount},{method},{}\n",
            cc(21)
        ));
    };
    // B1: 3 × non-tendered in March, each < 1,000,000, total 2,100,000 → hit.
    add("甲局", "计算机", "2024-03-01", 800_000, "询价");
    add("甲局", "计算机", "2024-03-10", 700_000, "竞争性磋商");
    add("甲局", "计算机", "2024-03-28", 600_000, "");
    // B2: spread over March and April → no.
    add("乙局", "计算机", "2024-03-01", 800_000, "询价");
    add("乙局", "计算机", "2024-03-31", 700_000, "询价");
    add("乙局", "计算机", "2024-04-01", 600_000, "询价");
    // B3: one of the three was tendered → no.
    add("丙局", "计算机", "2024-03-01", 800_000, "询价");
    add("丙局", "计算机", "2024-03-02", 700_000, "公开招标");
    add("丙局", "计算机", "2024-03-03", 600_000, "询价");
    // B4: total exactly 2,000,000 (not over) → no.
    add("丁局", "计算机", "2024-03-01", 800_000, "询价");
    add("丁局", "计算机", "2024-03-02", 700_000, "询价");
    add("丁局", "计算机", "2024-03-03", 500_000, "询价");
    // B5: one purchase is not under 1,000,000 → only two qualify → no.
    add("戊局", "计算机", "2024-03-01", 1_000_000, "询价");
    add("戊局", "计算机", "2024-03-02", 900_000, "询价");
    add("戊局", "计算机", "2024-03-03", 900_000, "询价");
    // B7: "非招标" methods are not tendered → hit.
    add("庚局", "计算机", "2024-05-01", 800_000, "非招标采购（询价）");
    add("庚局", "计算机", "2024-05-02", 800_000, "非招标采购（询价）");
    add("庚局", "计算机", "2024-05-03", 800_000, "非招标");
    // B6: different item categories → no.
    add("己局", "计算机", "2024-03-01", 800_000, "询价");
    add("己局", "计算机", "2024-03-02", 800_000, "询价");
    add("己局", "家具", "2024-03-03", 800_000, "询价");
    write(dir.path(), "purchases.csv", &s);
    assert_eq!(
        run(dir.path(), "split_purchase").await,
        expect(&[("甲局|办公设备购置", "2024-03"), ("庚局|办公设备购置", "2024-05")])
    );
}

#[tokio::test]
async fn bid_rigging_links() {
    let dir = TempDir::new().unwrap();
    let mut s = "tender_id,bidder_credit_code,bidder_name,price,submitted_at,status,project_manager_id_number,\
                 contact_phone,deposit_account,ip_address,file_author\n"
        .to_string();
    let mut add = |t: &str, n: u32, pm: &str, phone: &str, account: &str, ip: &str, author: &str| {
        s.push_str(&format!(
            "{t},{},投标人{n},100,2024-01-10 10:00:00,有效,{pm},{phone},{account},{ip},{author}\n",
            cc(100 + n)
        ));
    };
    // T1: two bidders share a project manager → hit.
    add("T1", 1, &pid(71), "13800000001", "6222001", "10.1.0.1", "a");
    add("T1", 2, &pid(71), "13800000002", "6222002", "10.1.0.2", "b");
    // T2: shared IP of the trading centre's public terminal → no.
    add("T2", 3, "", "13800000003", "6222003", "10.0.0.5", "c");
    add("T2", 4, "", "13800000004", "6222004", "10.0.0.5", "d");
    // T3: a private IP shared by two bidders → hit.
    add("T3", 5, "", "13800000005", "6222005", "10.0.0.9", "e");
    add("T3", 6, "", "13800000006", "6222006", "10.0.0.9", "f");
    // T4: one bidder with two bid rows (same phone) → no.
    add("T4", 7, "", "13800000007", "6222007", "10.1.0.7", "g");
    add("T4", 7, "", "13800000007", "6222007", "10.1.0.7", "g");
    // T5: same file author only (off by default) → no.
    add("T5", 8, "", "13800000008", "6222008", "10.1.0.8", "Administrator");
    add("T5", 9, "", "13800000009", "6222009", "10.1.0.9", "Administrator");
    // T6: same deposit account; T7: same phone written differently → hits.
    add("T6", 1, "", "13800000010", "6222 0100", "10.1.0.10", "h");
    add("T6", 2, "", "13800000011", "6222-0100", "10.1.0.11", "i");
    add("T7", 3, "", "138-0000-0012", "6222013", "10.1.0.12", "j");
    add("T7", 4, "", "+86 13800000012", "6222014", "10.1.0.13", "k");
    write(dir.path(), "bids.csv", &s);
    write(dir.path(), "shared_ips.csv", "ip_address\n10.0.0.5\n");
    assert_eq!(
        run(dir.path(), "bid_rigging_links").await,
        expect(&[("T1", ""), ("T3", ""), ("T6", ""), ("T7", "")])
    );
    let mut o = ParamOverrides::new();
    o.insert("link_file_author".into(), ParamValue::Bool(true));
    assert!(
        run_with(dir.path(), "bid_rigging_links", &o)
            .await
            .contains(&("T5".to_string(), String::new()))
    );
}

#[tokio::test]
async fn perpetual_loser() {
    let dir = TempDir::new().unwrap();
    let mut bids = "tender_id,bidder_credit_code,bidder_name,price\n".to_string();
    let mut awards = "tender_id,supplier_credit_code,amount,awarded_on\n".to_string();
    for t in 1..=16 {
        let tid = format!("T{t:02}");
        if t <= 15 {
            bids.push_str(&format!("{tid},{},陪标甲,100\n", cc(201))); // 15 bids, never won → hit
        }
        if t <= 14 {
            bids.push_str(&format!("{tid},{},陪标乙,100\n", cc(202))); // 14 bids → no
        }
        bids.push_str(&format!("{tid},{},常客丙,100\n", cc(203))); // 16 bids, won T16 → no
        let winner = if t == 16 { cc(203) } else { cc(204) };
        bids.push_str(&format!("{tid},{winner},赢家,90\n"));
        awards.push_str(&format!("{tid},{winner},90,2024-02-01\n"));
    }
    // A duplicate bid row for the same tender does not count twice.
    bids.push_str(&format!("T01,{},陪标乙,100\n", cc(202)));
    write(dir.path(), "bids.csv", &bids);
    write(dir.path(), "awards.csv", &awards);
    assert_eq!(run(dir.path(), "perpetual_loser").await, expect(&[(&cc(201), "")]));
}

#[tokio::test]
async fn captive_supplier() {
    let dir = TempDir::new().unwrap();
    let mut tenders = "tender_id,buyer,title,category,method,budget,notice_on,deadline,region\n".to_string();
    let mut awards = "tender_id,supplier_credit_code,amount,awarded_on\n".to_string();
    let mut n = 0;
    let mut add = |supplier: &str, buyer: &str, amount: u32| {
        n += 1;
        tenders.push_str(&format!(
            "T{n},{buyer},项目{n},服务,公开招标,{amount},2024-01-01,,某县\n"
        ));
        awards.push_str(&format!("T{n},{supplier},{amount},2024-02-01\n"));
    };
    // S1: 5 awards, 400 of 440 (91%) from 甲局 → hit.
    for _ in 0..4 {
        add(&cc(301), "甲局", 100);
    }
    add(&cc(301), "乙局", 40);
    // S2: only 4 awards → no.
    for _ in 0..4 {
        add(&cc(302), "甲局", 100);
    }
    // S3: 5 awards, 60% from one buyer → no.
    for _ in 0..3 {
        add(&cc(303), "甲局", 100);
    }
    for _ in 0..2 {
        add(&cc(303), "乙局", 100);
    }
    write(dir.path(), "tenders.csv", &tenders);
    write(dir.path(), "awards.csv", &awards);
    assert_eq!(run(dir.path(), "captive_supplier").await, expect(&[(&cc(301), "")]));
}

#[tokio::test]
async fn new_small_winner() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "enterprises.csv",
        &format!(
            "credit_code,name,established_on,registered_capital,legal_rep_id_number,address,phone,insured_staff\n\
             {},新甲,2024-01-01,1000000,,a,1,2\n\
             {},老乙,2023-01-01,1000000,,a,1,2\n\
             {},大丙,2024-01-01,1000000,,a,1,10\n\
             {},小丁,2024-01-01,1000000,,a,1,1\n\
             {},未知戊,2024-01-01,1000000,,a,1,\n",
            cc(401),
            cc(402),
            cc(403),
            cc(404),
            cc(405)
        ),
    );
    write(
        dir.path(),
        "awards.csv",
        &format!(
            "tender_id,supplier_credit_code,amount,awarded_on\n\
             T1,{},6000000,2024-06-01\nT2,{},6000000,2024-06-01\nT3,{},6000000,2024-06-01\n\
             T4,{},4900000,2024-06-01\nT5,{},6000000,2024-06-01\n",
            cc(401), // 152 days old, 2 insured, 6,000,000 → hit
            cc(402), // 517 days old → no
            cc(403), // 10 insured staff → no
            cc(404), // award under 5,000,000 → no
            cc(405), // insured staff unknown → no
        ),
    );
    assert_eq!(run(dir.path(), "new_small_winner").await, expect(&[(&cc(401), "")]));
}

#[tokio::test]
async fn price_near_budget() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "tenders.csv",
        "tender_id,buyer,title,category,method,budget,notice_on,deadline,region\n\
         T1,甲局,a,c,公开招标,1000000,,,\nT2,甲局,b,c,公开招标,1000000,,,\nT3,甲局,c,c,公开招标,1000000,,,\n\
         T4,甲局,d,c,公开招标,1000000,,,\nT5,甲局,e,c,公开招标,,,,\n",
    );
    write(
        dir.path(),
        "awards.csv",
        &format!(
            "tender_id,supplier_credit_code,amount,awarded_on\n\
             T1,{c},996000,2024-02-01\nT2,{c},995000,2024-02-01\nT3,{c},994999,2024-02-01\n\
             T4,{c},1000001,2024-02-01\nT5,{c},1000000,2024-02-01\n",
            c = cc(501)
        ),
    );
    assert_eq!(
        run(dir.path(), "price_near_budget").await,
        expect(&[("T1", ""), ("T2", "")])
    );
}

// ---------------------------------------------------------------------------------------------
// Datasets

mod datasets {
    use super::*;
    use qinglian_analytics::datafusion::arrow::array::{Array, AsArray};
    use qinglian_analytics::datafusion::arrow::datatypes::{DataType, Date32Type, Float64Type};
    use qinglian_analytics::dataset::{DATASETS, Datasets, HeaderMapping, spec};

    fn load(dir: &std::path::Path) -> Datasets {
        Datasets::load_dir(dir, &HeaderMapping::default()).unwrap()
    }

    fn strings(d: &Datasets, table: &str, column: &str) -> Vec<Option<String>> {
        let t = &d.tables[table];
        let i = t.spec.columns.iter().position(|c| c.name == column).unwrap();
        t.batches
            .iter()
            .flat_map(|b| {
                let a = b.column(i).as_string::<i32>().clone();
                (0..a.len())
                    .map(move |r| {
                        if a.is_null(r) {
                            None
                        } else {
                            Some(a.value(r).to_string())
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn canonical_schemas() {
        let names: Vec<&str> = DATASETS.iter().map(|d| d.name).collect();
        assert_eq!(
            names,
            [
                "persons",
                "deaths",
                "payroll",
                "benefit_payments",
                "benefit_filings",
                "relatives",
                "vehicles",
                "properties",
                "enterprises",
                "shareholders",
                "tenders",
                "bids",
                "awards",
                "purchases",
                "shared_ips",
                "roster",
                "declared_relatives",
            ]
        );
        let cols = |n: &str| -> Vec<&str> { spec(n).unwrap().columns.iter().map(|c| c.name).collect() };
        assert_eq!(
            cols("payroll"),
            ["id_number", "name", "org", "period", "amount", "staff_type"]
        );
        assert_eq!(
            cols("bids"),
            [
                "tender_id",
                "bidder_credit_code",
                "bidder_name",
                "price",
                "submitted_at",
                "status",
                "project_manager_id_number",
                "contact_phone",
                "deposit_account",
                "ip_address",
                "file_author"
            ]
        );
        let s = spec("benefit_payments").unwrap().schema();
        assert_eq!(s.field_with_name("period").unwrap().data_type(), &DataType::Utf8);
        assert_eq!(s.field_with_name("amount").unwrap().data_type(), &DataType::Float64);
        assert_eq!(s.field_with_name("paid_on").unwrap().data_type(), &DataType::Date32);
        let v = spec("vehicles").unwrap().schema();
        assert_eq!(v.field_with_name("exempt").unwrap().data_type(), &DataType::Boolean);
        let e = spec("enterprises").unwrap().schema();
        assert_eq!(
            e.field_with_name("insured_staff").unwrap().data_type(),
            &DataType::Int64
        );
    }

    #[test]
    fn gbk_csv_with_chinese_headers_is_decoded_and_mapped() {
        let dir = TempDir::new().unwrap();
        let text = format!(
            "身份证号,姓名,项目名称,发放年月,金额（元）,行政区划代码,户编号,发放日期\n\
             {},张　三,城乡低保,2024年3月,\"1,234.50\",110105,Ｈ１,2024/3/20\n",
            pid(1)
        );
        let (gbk, _, bad) = encoding_rs::GBK.encode(&text);
        assert!(!bad);
        std::fs::write(dir.path().join("benefit_payments.csv"), &gbk).unwrap();
        let d = load(dir.path());
        let t = &d.tables["benefit_payments"];
        assert_eq!(t.encoding, Some("GB18030"));
        assert_eq!(t.rows, 1);
        assert_eq!(strings(&d, "benefit_payments", "name"), [Some("张三".to_string())]);
        assert_eq!(
            strings(&d, "benefit_payments", "program"),
            [Some("城乡低保".to_string())]
        );
        assert_eq!(strings(&d, "benefit_payments", "period"), [Some("2024-03".to_string())]);
        // Full-width → half-width.
        assert_eq!(
            strings(&d, "benefit_payments", "household_id"),
            [Some("H1".to_string())]
        );
        let b = &t.batches[0];
        assert_eq!(b.column(4).as_primitive::<Float64Type>().value(0), 1234.5);
        assert_eq!(b.column(7).as_primitive::<Date32Type>().value(0), 19_802); // 2024-03-20
        assert!(d.issues.is_empty(), "{:?}", d.issues);
        // Absent datasets are empty tables with the canonical schema.
        assert_eq!(d.tables.len(), DATASETS.len());
        assert_eq!(d.tables["persons"].rows, 0);
    }

    #[test]
    fn id_numbers_are_normalised_and_invalid_ones_kept_and_reported() {
        let dir = TempDir::new().unwrap();
        let bad = format!("{}0", &pid(2)[..17]); // wrong check digit unless it happens to be 0
        let bad = if bad == pid(2) {
            format!("{}1", &pid(2)[..17])
        } else {
            bad
        };
        write(
            dir.path(),
            "persons.csv",
            &format!(
                "id_number,name,sex,birth_date,region_code,household_id,relation\n\
                 {},王 五,男,1980-01-01,110105,H1,户主\n{bad},李四,女,1980-01-01,110105,H1,配偶\n,无名,男,,,,\n",
                pid15(1)
            ),
        );
        let d = load(dir.path());
        assert_eq!(
            strings(&d, "persons", "id_number"),
            [Some(pid(1)), Some(bad.clone()), None]
        );
        assert_eq!(strings(&d, "persons", "name")[0].as_deref(), Some("王五"));
        let issue = d
            .issues
            .iter()
            .find(|i| i.column == "id_number")
            .expect("issue reported");
        assert_eq!(issue.file, "persons.csv");
        assert_eq!(issue.row, Some(3));
        assert!(issue.kept);
        assert!(issue.reason.contains("校验码"), "{}", issue.reason);
    }

    #[test]
    fn header_mapping_override_and_bad_values_reported() {
        let dir = TempDir::new().unwrap();
        write(
            dir.path(),
            "payroll.csv",
            &format!(
                "证件,姓名,单位,年月,应发工资,人员类别\n{},赵六,某局,2024-13,abc,编制内\n",
                pid(3)
            ),
        );
        let mut mapping = HeaderMapping::default();
        mapping.insert("payroll", "证件", "id_number");
        let d = Datasets::load_dir(dir.path(), &mapping).unwrap();
        assert_eq!(strings(&d, "payroll", "id_number"), [Some(pid(3))]);
        let reasons: Vec<(&str, Option<u64>)> = d.issues.iter().map(|i| (i.column.as_str(), i.row)).collect();
        assert!(reasons.contains(&("period", Some(2))), "{reasons:?}");
        assert!(reasons.contains(&("amount", Some(2))), "{reasons:?}");
    }

    #[test]
    fn parquet_files_are_loaded_and_normalised() {
        use qinglian_analytics::datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray};
        use qinglian_analytics::datafusion::arrow::datatypes::{Field, Schema};
        use std::sync::Arc;
        let dir = TempDir::new().unwrap();
        let schema = Arc::new(Schema::new(vec![
            Field::new("credit_code", DataType::Utf8, true),
            Field::new("name", DataType::Utf8, true),
            Field::new("established_on", DataType::Utf8, true),
            Field::new("insured_staff", DataType::Int64, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(vec![cc(1).to_lowercase()])) as ArrayRef,
                Arc::new(StringArray::from(vec!["某某科技有限责任公司（分公司）"])),
                Arc::new(StringArray::from(vec!["2024-01-01"])),
                Arc::new(Int64Array::from(vec![2])),
            ],
        )
        .unwrap();
        let file = std::fs::File::create(dir.path().join("enterprises.parquet")).unwrap();
        let mut w = parquet::arrow::ArrowWriter::try_new(file, schema, None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        let d = load(dir.path());
        assert_eq!(strings(&d, "enterprises", "credit_code"), [Some(cc(1))]);
        assert_eq!(
            strings(&d, "enterprises", "name"),
            [Some("某某科技有限公司(分公司)".to_string())]
        );
        assert_eq!(d.tables["enterprises"].rows, 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Custom models

mod custom {
    use super::*;
    use qinglian_analytics::dataset::{Datasets, HeaderMapping};
    use qinglian_analytics::model::{
        Engine, Model, ModelError, Param, RunOptions, Severity, SubjectKind, validate_select,
    };

    #[test]
    fn only_a_single_read_only_select_is_accepted() {
        for ok in [
            "SELECT id_number AS subject FROM persons",
            "WITH x AS (SELECT * FROM payroll) SELECT id_number AS subject FROM x WHERE amount > 1",
            "SELECT 1 AS subject UNION ALL SELECT 2",
        ] {
            validate_select(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        for bad in [
            "INSERT INTO persons VALUES ('1')",
            "DROP TABLE persons",
            "COPY persons TO '/tmp/x.csv'",
            "SELECT 1; SELECT 2",
            "SELECT 1; DROP TABLE persons",
            "DELETE FROM persons",
            "UPDATE persons SET name = 'x'",
            "CREATE TABLE t AS SELECT 1",
            "CREATE EXTERNAL TABLE t STORED AS CSV LOCATION '/etc/passwd'",
            "SET datafusion.execution.batch_size = 1",
            "EXPLAIN SELECT 1",
            "",
        ] {
            let err = validate_select(bad).expect_err(bad);
            assert!(matches!(err, ModelError::NotReadOnly(_)), "{bad}: {err}");
            assert!(err.to_string().contains("只允许"), "{err}");
        }
        let err = validate_select("SELECT 1; DROP TABLE persons").unwrap_err().to_string();
        assert!(err.contains("一条语句"), "{err}");
    }

    #[tokio::test]
    async fn custom_model_runs_with_parameters() {
        let dir = TempDir::new().unwrap();
        let mut p = PAYROLL_HEADER.to_string();
        p.push_str(&salary(&pid(1), "甲局", "2024-01", "编制内"));
        p.push_str(&salary(&pid(1), "甲局", "2024-02", "编制内"));
        p.push_str(&format!("{},某人,乙局,2024-01,90000,编制内\n", pid(2)));
        write(dir.path(), "payroll.csv", &p);
        let model = Model::custom(
            "high_salary",
            "高额工资",
            SubjectKind::Person,
            Severity::Low,
            "SELECT id_number AS subject, period, org, amount FROM payroll WHERE amount > {{limit}}",
            "{subject}在{period}的工资{amount}元超过{limit}元。",
            vec![Param {
                name: "limit".into(),
                label: "工资上限".into(),
                value: ParamValue::Number(50_000.0),
            }],
        )
        .unwrap();
        let datasets = Datasets::load_dir(dir.path(), &HeaderMapping::default()).unwrap();
        let engine = Engine::new(&datasets, RunOptions::default()).unwrap();
        let findings = engine.run(&model).await.unwrap();
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].subject, pid(2));
        assert_eq!(findings[0].period, "2024-01");
        assert_eq!(
            findings[0].explanation,
            format!("{}在2024-01的工资90000元超过50000元。", pid(2))
        );
        assert_eq!(findings[0].evidence[0]["org"], "乙局");
        // A query missing the subject column is refused with a clear message.
        let bad = Model::custom(
            "x",
            "x",
            SubjectKind::Person,
            Severity::Low,
            "SELECT 1 AS a",
            "",
            vec![],
        )
        .unwrap();
        let err = engine.run(&bad).await.unwrap_err();
        assert!(matches!(err, ModelError::MissingColumn("subject")), "{err}");
        // A cancelled engine stops.
        let cancel = tokio_util::sync::CancellationToken::new();
        cancel.cancel();
        let engine = Engine::new(
            &datasets,
            RunOptions {
                cancel,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(matches!(engine.run(&model).await, Err(ModelError::Cancelled)));
        // Unknown parameters and DML in a custom model are rejected before running.
        assert!(
            model
                .with_params(&[("nope".to_string(), ParamValue::Int(1))].into())
                .is_err()
        );
        assert!(
            Model::custom(
                "x",
                "x",
                SubjectKind::Person,
                Severity::Low,
                "DROP TABLE payroll",
                "",
                vec![]
            )
            .is_err()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

#[tokio::test]
async fn eval_scores_precision_and_recall() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "tenders.csv",
        "tender_id,buyer,title,category,method,budget,notice_on,deadline,region\n\
         T1,甲局,a,c,公开招标,1000000,,,\nT2,甲局,b,c,公开招标,1000000,,,\nT3,甲局,c,c,公开招标,1000000,,,\n",
    );
    write(
        dir.path(),
        "awards.csv",
        &format!(
            "tender_id,supplier_credit_code,amount,awarded_on\n\
             T1,{c},996000,2024-02-01\nT2,{c},999000,2024-02-01\nT3,{c},500000,2024-02-01\n",
            c = cc(1)
        ),
    );
    // Truth: T1 (found), T3 (missed); T2 is found but not in the truth. Plus a truth row of a
    // model with no findings, and a duplicate-payment row with a 15-digit ID.
    let truth = dir.path().join("truth.csv");
    std::fs::write(
        &truth,
        "model,subject,period\nprice_near_budget,T1,\nprice_near_budget,T3,\nsplit_purchase,甲局|办公,2024-03\n",
    )
    .unwrap();
    let scores = qinglian_analytics::eval_dir(dir.path(), &truth).await.unwrap();
    assert_eq!(scores.len(), 14);
    let get = |m: &str| scores.iter().find(|s| s.model == m).unwrap().clone();
    let p = get("price_near_budget");
    assert_eq!(p.findings, 2);
    assert_eq!(p.precision, 0.5);
    assert_eq!(p.recall, 0.5);
    let s = get("split_purchase");
    assert_eq!((s.findings, s.precision, s.recall), (0, 0.0, 0.0));
    let d = get("duplicate_payment");
    assert_eq!((d.findings, d.precision, d.recall), (0, 1.0, 1.0));
    let args = qinglian_analytics::EvalArgs {
        datasets: dir.path().to_path_buf(),
        truth: truth.clone(),
        json: false,
    };
    qinglian_analytics::run_eval(&args).await.unwrap();
    let json = serde_json::to_value(&scores).unwrap();
    let keys: Vec<&String> = json[0].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 4);
    for k in ["model", "precision", "recall", "findings"] {
        assert!(json[0].get(k).is_some(), "{k}");
    }
}

#[tokio::test]
async fn relative_models_use_the_platform_roster_and_declared_relatives() {
    let dir = TempDir::new().unwrap();
    let (o1, r1) = (pid(81), pid(82));
    write(
        dir.path(),
        "roster.csv",
        &format!("id_number,name,org,position,rank\n{o1},吴一,某县民政局,股长,科员\n"),
    );
    write(
        dir.path(),
        "declared_relatives.csv",
        &format!("official_id_number,relative_id_number,relative_name,relation\n{o1},{r1},吴二,配偶\n"),
    );
    let mut b = BENEFIT_HEADER.to_string();
    b.push_str(&benefit(&r1, "城乡低保", "2024-01", "500", ""));
    write(dir.path(), "benefit_payments.csv", &b);
    assert_eq!(run(dir.path(), "relative_benefit_unfiled").await, expect(&[(&r1, "")]));
}

#[tokio::test]
async fn memory_limit_is_enforced() {
    use qinglian_analytics::dataset::{Datasets, HeaderMapping};
    use qinglian_analytics::model::{Engine, ModelError, RunOptions, builtin};
    let dir = TempDir::new().unwrap();
    let mut b = BENEFIT_HEADER.to_string();
    for n in 0..2000u16 {
        b.push_str(&benefit(&pid(n % 1000), "城乡低保", "2024-01", "500", ""));
    }
    write(dir.path(), "benefit_payments.csv", &b);
    let d = Datasets::load_dir(dir.path(), &HeaderMapping::default()).unwrap();
    let engine = Engine::new(
        &d,
        RunOptions {
            memory_limit: Some(1024),
            ..Default::default()
        },
    )
    .unwrap();
    let err = engine.run(&builtin("duplicate_payment").unwrap()).await.unwrap_err();
    assert!(matches!(err, ModelError::Memory(_)), "{err}");
    assert!(err.to_string().contains("内存"), "{err}");
}

// Cases found by an independent generator (one not written with the models): real-world shapes
// of the traps that the hand-built sets above did not have.

#[tokio::test]
async fn payroll_subsistence_same_month_exit_of_one_spell_among_two() {
    // H8 is paid 低保 in 01–03 and again in 11–12; its member joins payroll as 编制内 in 03 and
    // stays. March is the exit month of the first spell (excused); November and December are
    // hits: the household was admitted again while the member was on payroll.
    let dir = TempDir::new().unwrap();
    let (payee, member) = (pid(81), pid(82));
    write(
        dir.path(),
        "persons.csv",
        &format!(
            "{PERSONS_HEADER}{}{}",
            person(&payee, "甲", "H8"),
            person(&member, "乙", "H8")
        ),
    );
    let mut b = BENEFIT_HEADER.to_string();
    for m in ["2024-01", "2024-02", "2024-03", "2024-11", "2024-12"] {
        b.push_str(&benefit(&payee, "农村最低生活保障金", m, "500", "H8"));
    }
    write(dir.path(), "benefit_payments.csv", &b);
    let mut p = PAYROLL_HEADER.to_string();
    for month in 3..=12 {
        p.push_str(&salary(&member, "某县教育局", &format!("2024-{month:02}"), "编制内"));
    }
    write(dir.path(), "payroll.csv", &p);
    assert_eq!(
        run(dir.path(), "payroll_subsistence").await,
        expect(&[("H8", "2024-11"), ("H8", "2024-12")])
    );
}

#[tokio::test]
async fn paid_after_death_counts_survivor_programs_the_dead_received_themselves() {
    let dir = TempDir::new().unwrap();
    let (mother, widow, soldier) = (pid(91), pid(92), pid(93));
    write(
        dir.path(),
        "deaths.csv",
        &format!(
            "id_number,name,death_date,source\n{mother},烈属甲,2024-04-12,民政\n{widow},遗属乙,2024-02-20,公安\n\
             {soldier},军人丙,2024-01-05,退役军人事务局\n"
        ),
    );
    let mut b = BENEFIT_HEADER.to_string();
    let row = |id: &str, program: &str, period: &str| format!("{id},某人,{program},{period},900,110105,,{period}-20\n");
    // A martyr's mother drew 定期抚恤金 herself from January and died in April: payments for
    // June–August (after the grace month May) are hits.
    for month in 1..=8 {
        b.push_str(&row(&mother, "定期抚恤金", &format!("2024-{month:02}")));
    }
    // A widow drew 遗属生活困难补助 herself and died in February: April and May are hits.
    for month in 1..=5 {
        b.push_str(&row(&widow, "遗属生活困难补助", &format!("2024-{month:02}")));
    }
    // A soldier who died in January: the survivors' 定期抚恤金 and the one-off 一次性抚恤金
    // are paid under his number, but he never drew them himself → no hits.
    for month in 3..=6 {
        b.push_str(&row(&soldier, "定期抚恤金", &format!("2024-{month:02}")));
    }
    b.push_str(&row(&soldier, "一次性抚恤金", "2024-03"));
    write(dir.path(), "benefit_payments.csv", &b);
    assert_eq!(
        run(dir.path(), "paid_after_death").await,
        expect(&[
            (&mother, "2024-06"),
            (&mother, "2024-07"),
            (&mother, "2024-08"),
            (&widow, "2024-04"),
            (&widow, "2024-05"),
        ])
    );
}

#[tokio::test]
async fn duplicate_payment_sees_one_program_under_two_local_names() {
    // A person moved from one township to another: the old one kept paying "农村低保" while the
    // new one paid "农村最低生活保障金" → June–August are duplicates. 低保边缘 beside 低保 is a
    // different program (no hit), as is 特困 in a month without any other 特困 payment.
    let dir = TempDir::new().unwrap();
    let (mover, edge) = (pid(95), pid(96));
    let mut b = BENEFIT_HEADER.to_string();
    for month in 1..=8 {
        b.push_str(&benefit(&mover, "农村低保", &format!("2024-{month:02}"), "500", "H1"));
    }
    for month in 6..=12 {
        b.push_str(&benefit(
            &mover,
            "农村最低生活保障金",
            &format!("2024-{month:02}"),
            "520",
            "H2",
        ));
    }
    b.push_str(&benefit(&edge, "城乡低保", "2024-03", "500", "H3"));
    b.push_str(&benefit(&edge, "低保边缘家庭救助", "2024-03", "200", "H3"));
    b.push_str(&benefit(&edge, "特困人员救助供养", "2024-04", "800", "H3"));
    write(dir.path(), "benefit_payments.csv", &b);
    assert_eq!(
        run(dir.path(), "duplicate_payment").await,
        expect(&[(&mover, "2024-06"), (&mover, "2024-07"), (&mover, "2024-08")])
    );
}

#[tokio::test]
async fn relative_benefit_unfiled_household_members_and_cppcc() {
    let dir = TempDir::new().unwrap();
    let (civil, cppcc) = (pid(101), pid(102));
    let (sister, brother_in_law, uncle, wife, cousin, cousin_husband) =
        (pid(111), pid(112), pid(113), pid(114), pid(115), pid(116));
    let mut p = PAYROLL_HEADER.to_string();
    p.push_str(&salary(&civil, "某县民政局", "2024-01", "编制内"));
    // "人民政治协商会议" contains the letters of 民政 but is not a 民政 office.
    p.push_str(&salary(
        &cppcc,
        "中国人民政治协商会议某县委员会办公室",
        "2024-01",
        "编制内",
    ));
    write(dir.path(), "payroll.csv", &p);
    write(
        dir.path(),
        "relatives.csv",
        &format!(
            "official_id_number,relative_id_number,relative_name,relation\n\
             {civil},{sister},赵妹,姐妹\n{civil},{wife},赵妻,配偶\n{civil},{cousin},赵表,姐妹\n{cppcc},{uncle},钱叔,叔伯\n"
        ),
    );
    let mut persons = PERSONS_HEADER.to_string();
    for (id, hh) in [
        (&sister, "HS"),
        (&brother_in_law, "HS"),
        (&civil, "HC"),
        (&wife, "HC"),
        (&cousin, "HX"),
        (&cousin_husband, "HX"),
    ] {
        persons.push_str(&person(id, "某人", hh));
    }
    write(dir.path(), "persons.csv", &persons);
    let mut b = BENEFIT_HEADER.to_string();
    // The sister's household is paid 低保 under her husband's number (household only known from
    // persons) → the sister is a hit.
    b.push_str(&benefit(&brother_in_law, "城乡低保", "2024-01", "500", ""));
    // The official's own household paid under his own number: payroll_subsistence's business,
    // not an unfiled relative.
    b.push_str(&benefit(&civil, "城乡低保", "2024-01", "500", "HC"));
    // The cousin's household: filed under the payee's number → no.
    b.push_str(&benefit(&cousin_husband, "城乡低保", "2024-01", "500", "HX"));
    // The 政协 official's uncle → no (not a handler).
    b.push_str(&benefit(&uncle, "城乡低保", "2024-01", "500", ""));
    write(dir.path(), "benefit_payments.csv", &b);
    write(
        dir.path(),
        "benefit_filings.csv",
        &format!("id_number,program,filed_on\n{cousin_husband},低保,2023-12-01\n"),
    );
    assert_eq!(
        run(dir.path(), "relative_benefit_unfiled").await,
        expect(&[(&sister, "")])
    );
}

#[tokio::test]
async fn bid_rigging_links_ignores_placeholders() {
    let dir = TempDir::new().unwrap();
    let mut s = "tender_id,bidder_credit_code,bidder_name,price,submitted_at,status,project_manager_id_number,\
                 contact_phone,deposit_account,ip_address,file_author\n"
        .to_string();
    let mut add = |t: &str, n: u32, pm: &str, phone: &str, account: &str| {
        s.push_str(&format!(
            "{t},{},投标人{n},100,2024-01-10 10:00:00,有效,{pm},{phone},{account},10.2.0.{n},作者{n}\n",
            cc(200 + n)
        ));
    };
    // Bank guarantees instead of a cash deposit, and goods tenders without a project manager:
    // the same placeholder text is not a shared identifier.
    add("G1", 1, "", "13900000001", "投标保函");
    add("G1", 2, "", "13900000002", "投标保函");
    add("G1", 3, "", "13900000003", "投标保函");
    add("G2", 4, "无", "13900000004", "6222101");
    add("G2", 5, "无", "13900000005", "6222102");
    add("G2", 6, "/", "13900000006", "6222103");
    // A real shared deposit account beside them is still a hit.
    add("G3", 7, "", "13900000007", "6222 0300 1234");
    add("G3", 8, "", "13900000008", "6222-0300-1234");
    write(dir.path(), "bids.csv", &s);
    assert_eq!(run(dir.path(), "bid_rigging_links").await, expect(&[("G3", "")]));
}
