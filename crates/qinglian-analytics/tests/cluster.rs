//! Scale-out (feature `ballista`): an in-process Ballista scheduler and executor run the built-in
//! models over a directory of canonical Parquet files and give exactly the findings of the
//! embedded engine.

#![cfg(feature = "ballista")]

mod common;

use std::path::Path;

use common::{cc, pid, write};
use qinglian_analytics::cluster::{connect, register_parquet_dir, start_local};
use qinglian_analytics::dataset::{Datasets, HeaderMapping};
use qinglian_analytics::model::{Engine, Model, ParamOverrides, ParamValue, RunOptions, builtin_models};
use qinglian_analytics::run_cli::write_parquet_dir;
use tempfile::TempDir;

/// A deterministic pseudo-random generator (64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Small datasets with hits for most models: subsistence households with a salaried member, a
/// car, three properties and a company; payments after a death and paid twice; relatives of
/// officials; split purchases; and 60 random tenders with shared bid details.
fn datasets(dir: &Path) {
    let mut persons = "id_number,name,sex,birth_date,region_code,household_id,relation\n".to_string();
    for n in 1..=60u16 {
        persons.push_str(&format!(
            "{},人{n},男,1980-01-01,110105,H{},成员\n",
            pid(n),
            (n - 1) / 3 + 1
        ));
    }
    write(dir, "persons.csv", &persons);

    let mut payments = "id_number,name,program,period,amount,region_code,household_id,paid_on\n".to_string();
    for m in 1..=6 {
        for h in 1..=8u16 {
            let first = (h - 1) * 3 + 1;
            payments.push_str(&format!(
                "{},人{first},城乡低保,2024-{m:02},500,110105,H{h},2024-{m:02}-20\n",
                pid(first)
            ));
        }
        for n in 30..=35u16 {
            payments.push_str(&format!(
                "{},人{n},城乡居民养老金,2024-{m:02},150,110105,,2024-{m:02}-15\n",
                pid(n)
            ));
        }
    }
    payments.push_str(&format!(
        "{},人40,城乡居民养老金,2024-02,150,110105,,2024-02-15\n",
        pid(40)
    ));
    payments.push_str(&format!(
        "{},人40,城乡居民养老金,2024-02,150,110105,,2024-02-16\n",
        pid(40)
    ));
    write(dir, "benefit_payments.csv", &payments);

    let mut payroll = "id_number,name,org,period,amount,staff_type\n".to_string();
    for m in 1..=6 {
        payroll.push_str(&format!("{},人2,某县财政局,2024-{m:02},6000,编制内\n", pid(2)));
        payroll.push_str(&format!("{},人5,某县财政局,2024-{m:02},3000,临时聘用\n", pid(5)));
        payroll.push_str(&format!("{},人50,某县民政局,2024-{m:02},7000,编制内\n", pid(50)));
        payroll.push_str(&format!("{},人51,某县教育局,2024-{m:02},7000,编制内\n", pid(51)));
    }
    write(dir, "payroll.csv", &payroll);
    write(
        dir,
        "deaths.csv",
        &format!("id_number,name,death_date,source\n{},人31,2024-02-10,公安\n", pid(31)),
    );
    write(
        dir,
        "vehicles.csv",
        &format!(
            "owner_id_number,plate,vehicle_type,registered_on,exempt\n{},京A12345,小型轿车,2020-01-01,否\n\
             {},京A54321,残疾人专用车,2020-01-01,是\n",
            pid(3),
            pid(6)
        ),
    );
    let mut properties = "owner_id_number,address,area,registered_on\n".to_string();
    for i in 1..=3 {
        properties.push_str(&format!("{},某路{i}号,90,2019-01-01\n", pid(4)));
    }
    write(dir, "properties.csv", &properties);
    write(
        dir,
        "relatives.csv",
        &format!(
            "official_id_number,relative_id_number,relative_name,relation\n{},{},人10,兄弟\n{},{},人52,配偶\n",
            pid(50),
            pid(10),
            pid(51),
            pid(52)
        ),
    );

    let mut enterprises =
        "credit_code,name,established_on,registered_capital,legal_rep_id_number,address,phone,insured_staff\n"
            .to_string();
    for e in 1..=30u32 {
        let (established, staff) = if e == 20 { ("2024-01-01", 2) } else { ("2015-06-01", 30) };
        let rep = if e == 7 { pid(7) } else { pid(100 + e as u16) };
        enterprises.push_str(&format!(
            "{},企业{e}有限公司,{established},1000000,{rep},某路,0100000{e:04},{staff}\n",
            cc(e)
        ));
    }
    write(dir, "enterprises.csv", &enterprises);
    write(
        dir,
        "shareholders.csv",
        &format!(
            "credit_code,person_id_number,person_name,role,share_ratio\n{},{},人52,股东,0.6\n",
            cc(5),
            pid(52)
        ),
    );

    let mut purchases = "buyer,budget_item,item_category,purchased_on,amount,method,supplier_credit_code\n".to_string();
    for d in [3, 12, 25] {
        purchases.push_str(&format!(
            "某县教育局,办公设备购置,台式计算机,2024-05-{d:02},800000,询价,{}\n",
            cc(3)
        ));
    }
    purchases.push_str(&format!(
        "某县教育局,办公设备购置,台式计算机,2024-06-03,800000,公开招标,{}\n",
        cc(3)
    ));
    write(dir, "purchases.csv", &purchases);
    write(dir, "shared_ips.csv", "ip_address\n10.0.0.5\n");

    let mut rng = Lcg(7);
    let buyers = ["某县教育局", "某县卫生健康局", "某县水利局"];
    let mut tenders = "tender_id,buyer,title,category,method,budget,notice_on,deadline,region\n".to_string();
    let mut bids = "tender_id,bidder_credit_code,bidder_name,price,submitted_at,status,project_manager_id_number,\
                    contact_phone,deposit_account,ip_address,file_author\n"
        .to_string();
    let mut awards = "tender_id,supplier_credit_code,amount,awarded_on\n".to_string();
    for t in 1..=60u32 {
        let id = format!("ZB{t:03}");
        let budget = 100_000 * (1 + rng.next(40));
        let buyer = buyers[rng.next(3) as usize];
        tenders.push_str(&format!(
            "{id},{buyer},项目{t},货物,公开招标,{budget},2024-03-01,2024-03-21 09:30,某县\n"
        ));
        let mut bidders: Vec<u32> = Vec::new();
        for _ in 0..(2 + rng.next(4)) {
            let e = 1 + rng.next(19) as u32;
            if !bidders.contains(&e) {
                bidders.push(e);
            }
        }
        for &e in &bidders {
            let price = budget * (80 + rng.next(20)) / 100;
            // Now and then two bidders share a project manager, phone or IP (some shared terminals).
            let manager = pid(200 + if rng.next(8) == 0 { 0 } else { e as u16 });
            let ip = if rng.next(6) == 0 {
                "10.0.0.5".to_string()
            } else {
                format!("10.1.{t}.{e}")
            };
            bids.push_str(&format!(
                "{id},{},企业{e}有限公司,{price},2024-03-20 10:00,有效,{manager},139{e:08},6222{e:012},{ip},作者{e}\n",
                cc(e)
            ));
        }
        let winner = bidders[rng.next(bidders.len() as u64) as usize];
        awards.push_str(&format!("{id},{},{},2024-03-25\n", cc(winner), budget * 9 / 10));
    }
    // A new small company wins a large contract; a price at 99.8% of the budget; the
    // relative's company wins at the official's unit.
    tenders.push_str("ZB901,某县交通运输局,道路工程,工程,公开招标,8000000,2024-04-01,2024-04-21 09:30,某县\n");
    awards.push_str(&format!("ZB901,{},6000000,2024-04-25\n", cc(20)));
    tenders.push_str("ZB902,某县水利局,水渠,工程,公开招标,1000000,2024-04-01,2024-04-21 09:30,某县\n");
    awards.push_str(&format!("ZB902,{},998000,2024-04-25\n", cc(21)));
    tenders.push_str("ZB903,某县教育局,课桌,家具,公开招标,500000,2024-04-01,2024-04-21 09:30,某县\n");
    awards.push_str(&format!("ZB903,{},450000,2024-04-25\n", cc(5)));
    write(dir, "tenders.csv", &tenders);
    write(dir, "bids.csv", &bids);
    write(dir, "awards.csv", &awards);
}

/// The built-in models, with minimums lowered so that the small data reaches them.
fn models() -> Vec<Model> {
    builtin_models()
        .into_iter()
        .map(|m| {
            let mut o = ParamOverrides::new();
            match m.id.as_str() {
                "perpetual_loser" => {
                    o.insert("min_bids".into(), ParamValue::Int(3));
                }
                "captive_supplier" => {
                    o.insert("min_awards".into(), ParamValue::Int(2));
                    o.insert("min_share".into(), ParamValue::Number(0.6));
                }
                "bid_rigging_links" => {
                    o.insert("link_file_author".into(), ParamValue::Bool(true));
                }
                _ => {}
            }
            m.with_params(&o).unwrap()
        })
        .collect()
}

/// Ballista's planning and plan (de)serialisation recurse deeply: unoptimised builds need more
/// than Tokio's default 2 MiB worker stacks (the `qinglian` binary sets 16 MiB).
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .thread_stack_size(32 << 20)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn cluster_findings_equal_the_embedded_engine() {
    runtime().block_on(cluster_findings_equal_the_embedded_engine_async());
}

async fn cluster_findings_equal_the_embedded_engine_async() {
    let raw = TempDir::new().unwrap();
    datasets(raw.path());
    let loaded = Datasets::load_dir(raw.path(), &HeaderMapping::default()).unwrap();
    let shared = TempDir::new().unwrap();
    let written = write_parquet_dir(&loaded, shared.path()).unwrap();
    assert_eq!(written.len(), 17, "{written:?}");

    let models = models();
    let embedded = Engine::new(&loaded, RunOptions::default()).unwrap();
    let mut expected = Vec::new();
    for run in embedded.run_all(&models).await {
        expected.push((run.model.clone(), run.result.unwrap()));
    }
    let with_findings = expected.iter().filter(|(_, f)| !f.is_empty()).count();
    assert!(
        with_findings >= 12,
        "only {with_findings} models have findings: {expected:?}"
    );

    let url = start_local(2).await.unwrap();
    let cluster = connect(&url, shared.path(), RunOptions::default()).await.unwrap();
    for ((id, expected), run) in expected.iter().zip(cluster.run_all(&models).await) {
        assert_eq!(&run.model, id);
        let got = run.result.unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(&got, expected, "{id}");
    }

    // An absent dataset is an empty table on the cluster too.
    std::fs::remove_file(shared.path().join("roster.parquet")).unwrap();
    let found = register_parquet_dir(cluster.context(), shared.path()).await.unwrap();
    assert!(!found.contains(&"roster"));
    let df = cluster.context().sql("SELECT * FROM roster").await.unwrap();
    let rows: usize = df.collect().await.unwrap().iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows, 0);
    assert!(connect("http://x", shared.path(), RunOptions::default()).await.is_err());
}
