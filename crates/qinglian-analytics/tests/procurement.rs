//! Procurement red flags over the canonical datasets: the releases built from `tenders`/`bids`/
//! `awards` give the same result as their JSON lines through `qinglian redflags indicators`,
//! known hits on a hand-built dataset, and findings made from a result.

mod common;

use std::path::Path;

use common::{cc, write};
use qinglian_analytics::dataset::{Datasets, HeaderMapping};
use qinglian_analytics::model::{Engine, RunOptions, Severity, SubjectKind};
use qinglian_analytics::procurement::{compiled_releases, redflag_findings, redflags};
use qinglian_redflags::{Group, Indicator, IndicatorsResult, Options, Release, Settings, Values, indicators};
use serde_json::json;
use tempfile::TempDir;

const TENDERS: &str = "tender_id,buyer,title,category,method,budget,notice_on,deadline,region\n";
const BIDS: &str = "tender_id,bidder_credit_code,bidder_name,price,submitted_at,status\n";
const AWARDS: &str = "tender_id,supplier_credit_code,amount,awarded_on\n";

/// Every indicator, small minimums so that a small sample reaches them.
const ALL_INDICATORS: &str = "currency = CNY
[R003]
[R018]
[R024]
[R025]
[R028]
[R030]
[R035]
[R036]
[R038]
minimum_contracting_processes = 2
[R048]
minimum_contracting_processes = 2
[R058]
";

fn engine(dir: &Path) -> Engine {
    let datasets = Datasets::load_dir(dir, &HeaderMapping::default()).unwrap();
    Engine::new(&datasets, RunOptions::default()).unwrap()
}

/// A deterministic pseudo-random generator (64-bit LCG), so the data is the same on every run.
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

/// About 80 tenders by 6 buyers with 1–6 bids each from 25 enterprises: every status, late bids,
/// equal prices, short and long tender periods, several categories and methods; some tenders
/// have no award, some bids no credit code, and a few tender ids occur only in bids or awards.
fn random_datasets(dir: &Path) {
    let mut rng = Lcg(20240601);
    let buyers = [
        "某县教育局",
        "某县卫生健康局",
        "某县交通运输局",
        "某县水利局",
        "某镇人民政府",
        "某县财政局",
    ];
    let methods = [
        "公开招标",
        "公开招标",
        "公开招标",
        "邀请招标",
        "竞争性谈判",
        "竞争性磋商",
        "询价",
        "单一来源",
    ];
    let categories = [
        "A02010104",
        "A02021000",
        "B01010000",
        "C16070000",
        "A05010100",
        "C23090000",
    ];
    let statuses = [
        "有效",
        "有效",
        "有效",
        "",
        "无效",
        "否决",
        "撤回",
        "待评审",
        "未递交",
        "合格",
    ];
    let (mut tenders, mut bids, mut awards) = (TENDERS.to_string(), BIDS.to_string(), AWARDS.to_string());
    let mut enterprises = "credit_code,name\n".to_string();
    for e in 1..=25 {
        enterprises.push_str(&format!("{},企业{e}有限公司\n", cc(e)));
    }
    for t in 1..=80u64 {
        let id = format!("ZB{t:03}");
        let budget = 100_000 * (1 + rng.next(50));
        let day = 1 + rng.next(20);
        let period = [5, 10, 14, 20, 25, 30][rng.next(6) as usize];
        let deadline = chrono::NaiveDate::from_ymd_opt(2024, 3, day as u32).unwrap() + chrono::Days::new(period);
        tenders.push_str(&format!(
            "{id},{},项目{t},{},{},{budget},2024-03-{day:02},{} 09:30:00,某县\n",
            buyers[rng.next(buyers.len() as u64) as usize],
            categories[rng.next(categories.len() as u64) as usize],
            methods[rng.next(methods.len() as u64) as usize],
            deadline.format("%Y-%m-%d"),
        ));
        let n = 1 + rng.next(6);
        let mut bidders: Vec<u64> = Vec::new();
        for _ in 0..n {
            let e = 1 + rng.next(25);
            if !bidders.contains(&e) {
                bidders.push(e);
            }
        }
        let mut prices = Vec::new();
        for &e in &bidders {
            // Some equal prices (R028) and some prices very close to each other (R024).
            let price = match rng.next(5) {
                0 => budget * 9 / 10,
                1 => budget * 95 / 100 + rng.next(3) * 100,
                _ => budget * (70 + rng.next(30)) / 100,
            };
            let late = if rng.next(10) == 0 { "10:15:00" } else { "09:00:00" };
            let status = statuses[rng.next(statuses.len() as u64) as usize];
            let code = if rng.next(20) == 0 { String::new() } else { cc(e as u32) };
            bids.push_str(&format!(
                "{id},{code},企业{e}有限公司,{price},{} {late},{status}\n",
                deadline.format("%Y-%m-%d")
            ));
            prices.push((price, e));
        }
        if rng.next(8) != 0 {
            let (price, winner) = prices[rng.next(prices.len() as u64) as usize];
            awards.push_str(&format!(
                "{id},{},{price},{}\n",
                cc(winner as u32),
                (deadline + chrono::Days::new(3)).format("%Y-%m-%d")
            ));
        }
    }
    bids.push_str(&format!(
        "ZB900,{},企业1有限公司,5000,2024-04-01 09:00:00,有效\n",
        cc(1)
    ));
    awards.push_str(&format!("ZB901,{},7000,2024-04-02\n", cc(2)));
    write(dir, "tenders.csv", &tenders);
    write(dir, "bids.csv", &bids);
    write(dir, "awards.csv", &awards);
    write(dir, "enterprises.csv", &enterprises);
}

#[tokio::test]
async fn releases_from_datasets_equal_their_json_lines_through_the_command() {
    let dir = TempDir::new().unwrap();
    random_datasets(dir.path());
    let engine = engine(dir.path());
    let releases = compiled_releases(engine.context()).await.unwrap();
    assert_eq!(releases.len(), 82);
    let lines: String = releases.iter().map(|r| format!("{}\n", r.to_json())).collect();
    for (release, line) in releases.iter().zip(lines.lines()) {
        assert_eq!(
            Release::from_json(line).unwrap().unwrap(),
            release.as_release(),
            "{line}"
        );
    }
    for (ini, no_meta) in [
        (ALL_INDICATORS, false),
        (ALL_INDICATORS, true),
        ("[R024]\nthreshold = 0.02\n", false),
    ] {
        let settings = Settings::from_ini(ini).unwrap();
        let opts = Options { no_meta, count: false };
        let inside = redflags(engine.context(), &settings, &opts).await.unwrap();
        let outside = indicators(lines.as_bytes(), &settings, &opts).unwrap();
        assert!(outside.warnings.is_empty(), "{:?}", outside.warnings);
        // Same groups, subjects, values and meta, in the same order.
        assert_eq!(
            serde_json::to_string(&inside).unwrap(),
            serde_json::to_string(&outside).unwrap()
        );
        assert_eq!(inside.results, outside.results);
        if ini == ALL_INDICATORS {
            let flagged: Vec<Indicator> = inside
                .results
                .values()
                .flat_map(|subjects| subjects.values().flat_map(|v| v.iter().map(|(i, _)| i)))
                .collect();
            // The random data reaches most indicators (the comparison is not vacuous).
            let distinct = Indicator::ALL.iter().filter(|i| flagged.contains(i)).count();
            assert!(
                distinct >= 6,
                "only {distinct} indicators flagged: {}",
                inside.to_value()
            );
        }
    }
}

/// T1: winner and the next valid bid 1% apart (R024). T2: 20% apart. T3: invitation tender with
/// one bid (R018). T4: competitive negotiation with one bid (`limited`, not in R018's default
/// methods). T5: open tender whose second bid was withdrawn (one tenderer: R018). T6: the
/// lowest bid is disqualified, the two valid ones are 0.3% apart (R024 on the valid bids only).
fn known_datasets(dir: &Path) {
    let mut tenders = TENDERS.to_string();
    for (id, method) in [
        ("T1", "公开招标"),
        ("T2", "公开招标"),
        ("T3", "邀请招标"),
        ("T4", "竞争性谈判"),
        ("T5", "公开招标"),
        ("T6", "公开招标（资格后审）"),
    ] {
        tenders.push_str(&format!(
            "{id},某县教育局,项目{id},A02010104,{method},2000000,2024-03-01,2024-03-21 09:30,某县\n"
        ));
    }
    write(dir, "tenders.csv", &tenders);
    let bid = |t: &str, e: u32, price: u32, status: &str| {
        format!("{t},{},企业{e},{price},2024-03-20 10:00,{status}\n", cc(e))
    };
    let mut bids = BIDS.to_string();
    for b in [
        bid("T1", 1, 1_000_000, "有效"),
        bid("T1", 2, 1_010_000, "有效"),
        bid("T2", 3, 1_000_000, "有效"),
        bid("T2", 4, 1_200_000, ""),
        bid("T3", 5, 1_500_000, "有效"),
        bid("T4", 6, 1_500_000, "有效"),
        bid("T5", 7, 1_500_000, "有效"),
        bid("T5", 8, 1_400_000, "撤回"),
        bid("T6", 9, 900_000, "无效"),
        bid("T6", 10, 1_000_000, "有效"),
        bid("T6", 11, 1_003_000, "有效"),
    ] {
        bids.push_str(&b);
    }
    write(dir, "bids.csv", &bids);
    let mut awards = AWARDS.to_string();
    for (t, e, amount) in [
        ("T1", 1, 1_000_000),
        ("T2", 3, 1_000_000),
        ("T3", 5, 1_500_000),
        ("T4", 6, 1_500_000),
        ("T5", 7, 1_500_000),
        ("T6", 10, 1_000_000),
    ] {
        awards.push_str(&format!("{t},{},{amount},2024-03-25\n", cc(e)));
    }
    write(dir, "awards.csv", &awards);
}

#[tokio::test]
async fn known_r024_and_r018_hits() {
    let dir = TempDir::new().unwrap();
    known_datasets(dir.path());
    let engine = engine(dir.path());
    let releases = compiled_releases(engine.context()).await.unwrap();
    let t5 = releases.iter().find(|r| r.ocid == "T5").unwrap().to_json();
    assert_eq!(t5["tender"]["procurementMethod"], "open");
    assert_eq!(t5["tender"]["procurementMethodDetails"], "公开招标");
    assert_eq!(t5["tender"]["numberOfTenderers"], 1);
    assert_eq!(t5["tender"]["tenderPeriod"]["startDate"], "2024-03-01T00:00:00+08:00");
    assert_eq!(t5["tender"]["tenderPeriod"]["endDate"], "2024-03-21T09:30:00+08:00");
    assert_eq!(t5["bids"]["details"][1]["status"], "withdrawn");
    assert_eq!(t5["bids"]["details"][0]["date"], "2024-03-20T10:00:00+08:00");
    assert_eq!(t5["buyer"], json!({"id": "某县教育局", "name": "某县教育局"}));
    assert_eq!(
        t5["awards"][0]["suppliers"][0]["id"],
        json!(cc(7)),
        "suppliers are identified by credit code"
    );

    let settings = Settings::from_ini("currency = CNY\n[R018]\n[R024]\nthreshold = 0.05\n").unwrap();
    let opts = Options {
        no_meta: true,
        count: false,
    };
    let result = redflags(engine.context(), &settings, &opts).await.unwrap();
    let mut tenderers = serde_json::Map::new();
    for e in [1, 2, 10, 11] {
        tenderers.insert(cc(e), json!({"R024": 0.0}));
    }
    assert_eq!(
        result.to_value(),
        json!({
            "OCID": {"T1": {"R024": 0.01}, "T3": {"R018": 1.0}, "T5": {"R018": 1.0}, "T6": {"R024": 0.003}},
            "Tenderer": tenderers,
        })
    );

    let findings = redflag_findings(&result);
    let keys: Vec<(SubjectKind, String)> = findings.iter().map(|f| (f.subject_kind, f.subject.clone())).collect();
    let mut expected: Vec<(SubjectKind, String)> = ["T3", "T5", "T1", "T6"]
        .iter()
        .map(|t| (SubjectKind::Tender, t.to_string()))
        .collect();
    expected.extend([1, 2, 10, 11].map(|e| (SubjectKind::Enterprise, cc(e))));
    assert_eq!(keys, expected);
    let t1 = &findings[2];
    assert_eq!(t1.model, "redflags");
    assert_eq!(t1.severity, Severity::Medium);
    assert_eq!(t1.period, "");
    assert_eq!(
        t1.explanation,
        "招标项目T1触发1项招投标红旗指标：R024 中标价与次低价差距异常小（0.01）。"
    );
    assert_eq!(
        t1.evidence,
        vec![json!({"指标": "R024", "名称": "中标价与次低价差距异常小", "值": 0.01})]
    );
    let winner = &findings[4];
    assert_eq!(
        winner.explanation,
        format!("企业{}触发1项招投标红旗指标：R024 中标价与次低价差距异常小。", cc(1))
    );
}

#[test]
fn findings_for_every_group_list_each_indicator() {
    let mut result = IndicatorsResult::default();
    let mut values = Values::default();
    values.set(Indicator::R038, 0.75);
    values.set(Indicator::R003, 1.0);
    result
        .results
        .insert(Group::Buyer, [("某县水利局".to_string(), values)].into_iter().collect());
    let mut tender = Values::default();
    tender.set(Indicator::R035, 2.0);
    tender.set(Indicator::R036, 1.0);
    result
        .results
        .insert(Group::OCID, [("ZB7".to_string(), tender)].into_iter().collect());
    let findings = redflag_findings(&result);
    assert_eq!(findings.len(), 2);
    // Tenders come first, then enterprises, then buyers.
    assert_eq!(findings[0].subject_kind, SubjectKind::Tender);
    assert_eq!(
        findings[0].explanation,
        "招标项目ZB7触发2项招投标红旗指标：R035 除中标人外其余投标均被否决（2）；R036 最低价投标被否决。"
    );
    let buyer = &findings[1];
    assert_eq!(
        (buyer.subject_kind, buyer.subject.as_str()),
        (SubjectKind::Buyer, "某县水利局")
    );
    assert_eq!(
        buyer.explanation,
        "采购人某县水利局触发2项招投标红旗指标：R003 投标期限过短；R038 投标被否决比例异常高（0.75）。"
    );
    assert_eq!(
        buyer.evidence,
        vec![
            json!({"指标": "R003", "名称": "投标期限过短", "值": 1.0}),
            json!({"指标": "R038", "名称": "投标被否决比例异常高", "值": 0.75}),
        ]
    );
}
