//! Unit tests per indicator on hand-built releases, settings parsing and input handling.

use qinglian_redflags::{Options, Settings, indicators};
use serde_json::{Value, json};

fn run(settings: &str, releases: &[Value]) -> Value {
    let settings = Settings::from_ini(settings).unwrap();
    let input: String = releases.iter().map(|r| format!("{r}\n")).collect();
    let result = indicators(
        input.as_bytes(),
        &settings,
        &Options {
            no_meta: true,
            count: false,
        },
    )
    .unwrap();
    serde_json::to_value(&result).unwrap()
}

fn bid(tenderer: &str, status: &str, amount: f64) -> Value {
    json!({"status": status, "tenderers": [{"id": tenderer}], "value": {"amount": amount, "currency": "CNY"}})
}

fn awarded(ocid: &str, winner: &str, bids: Vec<Value>) -> Value {
    json!({"ocid": ocid, "buyer": {"id": "B"}, "tender": {"procuringEntity": {"id": "P"}},
           "bids": {"details": bids}, "awards": [{"status": "active", "suppliers": [{"id": winner}]}]})
}

#[test]
fn r003_short_submission_period() {
    let release = |ocid: &str, days: u32, details: &str| {
        json!({"ocid": ocid, "tender": {"procurementMethod": "open", "procurementMethodDetails": details,
               "tenderPeriod": {"startDate": "2024-01-01T00:00:00+08:00",
                                "endDate": format!("2024-01-{:02}T00:00:00+08:00", 1 + days)}}})
    };
    let out = run(
        "[R003]\n[R003.procurement_method_details]\nurgent = 5\n",
        &[
            release("short", 14, "x"),
            release("ok", 15, "x"),
            release("urgent", 6, "urgent"),
        ],
    );
    assert_eq!(out, json!({"OCID": {"short": {"R003": 1.0}}}));
}

#[test]
fn r018_single_bid() {
    let release = |ocid: &str, method: &str, n: Value| json!({"ocid": ocid, "tender": {"procurementMethod": method, "numberOfTenderers": n}});
    let out = run(
        "[R018]\n",
        &[
            release("one", "open", json!(1)),
            release("direct", "direct", json!(1)),
            release("float", "open", json!(1.0)),
        ],
    );
    assert_eq!(out, json!({"OCID": {"one": {"R018": 1.0}}}));
}

#[test]
fn r024_and_r058_second_lowest_bid_ratio() {
    let releases = [
        awarded("close", "W", vec![bid("W", "valid", 100.0), bid("L", "valid", 101.0)]),
        awarded("far", "W", vec![bid("W", "valid", 100.0), bid("M", "valid", 200.0)]),
    ];
    let out = run("[R024]\nthreshold = 0.05\n[R058]\nthreshold = 0.5\n", &releases);
    assert_eq!(
        out,
        json!({"OCID": {"close": {"R024": 0.01}, "far": {"R058": 1.0}},
               "Tenderer": {"W": {"R024": 0.0, "R058": 0.0}, "L": {"R024": 0.0}}})
    );
}

#[test]
fn r025_excessive_unsuccessful_bids() {
    let mut releases = Vec::new();
    for i in 0..4 {
        releases.push(awarded(
            &format!("o{i}"),
            "W",
            vec![bid("W", "valid", 1.0), bid("LOSER", "valid", 2.0)],
        ));
    }
    let out = run("[R025]\nthreshold = 0.1\npercentile = 50\n", &releases);
    assert_eq!(out, json!({"Tenderer": {"LOSER": {"R025": 0.0}}}));
}

#[test]
fn r028_identical_bid_prices() {
    let releases = [awarded(
        "same",
        "A",
        vec![bid("A", "valid", 5.0), bid("A", "valid", 5.0), bid("B", "valid", 5.0)],
    )];
    let out = run("[R028]\n", &releases);
    assert_eq!(
        out,
        json!({"OCID": {"same": {"R028": 1.0}}, "Tenderer": {"A": {"R028": 1.0}, "B": {"R028": 1.0}}})
    );
}

#[test]
fn r030_late_bid_won() {
    let mut release = awarded("late", "W", vec![bid("W", "valid", 1.0)]);
    release["bids"]["details"][0]["date"] = json!("2024-03-01T10:00:01Z");
    release["tender"]["tenderPeriod"] = json!({"endDate": "2024-03-01T18:00:00+08:00"});
    let out = run("[R030]\n", &[release]);
    assert_eq!(
        out,
        json!({"OCID": {"late": {"R030": 1.0}}, "Tenderer": {"W": {"R030": 1.0}}})
    );
}

#[test]
fn r035_all_except_winning_bid_disqualified() {
    let release = awarded(
        "p",
        "W",
        vec![
            bid("W", "valid", 3.0),
            bid("X", "disqualified", 1.0),
            bid("Y", "disqualified", 2.0),
        ],
    );
    let out = run("[R035]\n", std::slice::from_ref(&release));
    assert_eq!(
        out,
        json!({"OCID": {"p": {"R035": 2.0}}, "Tenderer": {"W": {"R035": 0.0}}})
    );
    assert_eq!(run("[R035]\nthreshold = 3\n", &[release]), json!({}));
}

#[test]
fn r036_lowest_bid_disqualified() {
    let releases = [
        awarded("p", "W", vec![bid("W", "valid", 3.0), bid("X", "disqualified", 1.0)]),
        awarded("q", "W", vec![bid("W", "valid", 1.0), bid("X", "disqualified", 3.0)]),
    ];
    assert_eq!(run("[R036]\n", &releases), json!({"OCID": {"p": {"R036": 1.0}}}));
}

#[test]
fn r038_excessive_disqualified_bids() {
    let releases = [
        awarded("a", "W", vec![bid("W", "valid", 1.0), bid("X", "disqualified", 2.0)]),
        awarded(
            "b",
            "W",
            vec![
                bid("W", "valid", 1.0),
                bid("X", "disqualified", 2.0),
                bid("Y", "invited", 2.0),
            ],
        ),
    ];
    let out = run("[R038]\nthreshold = 0.5\n", &releases);
    assert_eq!(
        out,
        json!({"Tenderer": {"X": {"R038": 1.0}}, "Buyer": {"B": {"R038": 0.5}}, "ProcuringEntity": {"P": {"R038": 0.5}}})
    );
}

#[test]
fn r048_heterogeneous_supplier() {
    let release = |ocid: &str, supplier: &str, codes: &[&str]| {
        let items: Vec<Value> = codes.iter().map(|c| json!({"classification": {"id": c}})).collect();
        json!({"ocid": ocid, "awards": [{"status": "active", "suppliers": [{"id": supplier}], "items": items}]})
    };
    let releases = [
        release("a", "S", &["45000000", "45100000", "30000000"]),
        release("b", "S", &["09000000"]),
        release("c", "T", &["45000000"]),
    ];
    let out = run("[R048]\nthreshold = 3\nminimum_contracting_processes = 1\n", &releases);
    assert_eq!(out, json!({"Tenderer": {"S": {"R048": 3.0}}}));
}

#[test]
fn meta_and_group_order_follow_cardinal() {
    // Byte-for-byte what `ocdscardinal indicators` prints for this input (its empty-OCID `swap_remove`).
    let settings = Settings::from_ini("[R038]\nthreshold = 0.3\n").unwrap();
    let release = awarded("a", "W", vec![bid("W", "valid", 1.0), bid("X", "disqualified", 2.0)]);
    let input = format!("{release}\n{release}\n");
    let result = indicators(input.as_bytes(), &settings, &Options::default()).unwrap();
    assert_eq!(
        serde_json::to_string(&result).unwrap(),
        r#"{"ProcuringEntity":{"P":{"R038":0.5}},"Tenderer":{"X":{"R038":1.0}},"Buyer":{"B":{"R038":0.5}},"Meta":{"R038":{"Buyer_upper_fence":0.3,"ProcuringEntity_upper_fence":0.3,"Tenderer_upper_fence":0.3}}}"#
    );
    assert_eq!(
        result.count_lines(),
        vec!["ProcuringEntity: 1", "Tenderer: 1", "Buyer: 1"]
    );
}

#[test]
fn cancelled_excluded_and_invalid_lines_are_skipped() {
    let settings =
        Settings::from_ini("[exclusions]\nprocurement_method_details = 抽签\n[R018]\nprocurement_methods = open\n")
            .unwrap();
    let input = concat!(
        "{\"ocid\":\"ok\",\"tender\":{\"procurementMethod\":\"open\",\"numberOfTenderers\":1}}\n",
        "{\"ocid\":\"cancelled\",\"tender\":{\"status\":\"cancelled\",\"procurementMethod\":\"open\",\"numberOfTenderers\":1}}\n",
        "{\"ocid\":\"lottery\",\"tender\":{\"procurementMethodDetails\":\"抽签\",\"procurementMethod\":\"open\",\"numberOfTenderers\":1}}\n",
        "not json\n",
        "   \n",
        "[1,2]\n",
        "{\"tender\":{\"procurementMethod\":\"open\",\"numberOfTenderers\":1}}\r\n",
    );
    let result = indicators(
        input.as_bytes(),
        &settings,
        &Options {
            no_meta: true,
            count: false,
        },
    )
    .unwrap();
    assert_eq!(
        serde_json::to_value(&result).unwrap(),
        json!({"OCID": {"ok": {"R018": 1.0}}})
    );
    assert_eq!(result.warnings.len(), 1);
    assert!(
        result.warnings[0].starts_with("第 4 行不是有效的 JSON"),
        "{}",
        result.warnings[0]
    );
}

#[test]
fn empty_input_prints_empty_meta() {
    let result = indicators(&b""[..], &Settings::default(), &Options::default()).unwrap();
    assert_eq!(serde_json::to_string(&result).unwrap(), r#"{"Meta":{}}"#);
}

#[test]
fn settings_errors_name_section_and_key() {
    let error = |text: &str| Settings::from_ini(text).unwrap_err().to_string();
    assert!(error("[R099]\n").contains("[R099]"));
    assert!(error("[R024]\nthreshhold = 1\n").contains("[R024] 中有未知的设置项 threshhold"));
    assert!(error("[R038]\nminimum_submitted_bids = -1\n").contains("[R038] minimum_submitted_bids"));
    assert!(error("[R024]\nthreshold = 0.05 ; inline comments are not supported\n").contains("[R024] threshold"));
    assert!(error("currencyy = CNY\n").contains("未知的全局设置项 currencyy"));
    assert!(error("[R024\n").contains("第 1 行"));
    assert!(error("[R003.procurement_method_details]\nurgent = soon\n").contains("urgent"));
}

#[test]
fn settings_parse_cardinal_init_file() {
    let text = "; comment\ncurrency = USD\n\n[defaults]\n; currency = USD\nbid_status = valid\n[codelists.bid_status]\nqualified = valid\n\
                [exclusions]\nprocurement_method_details = Random Selection\n[R003]\nthreshold = 15\n\
                [R003.procurement_method_details]\nemergency = 10\n[R028]\n[R035]\n# hash comment\nthreshold = 1\n";
    let settings = Settings::from_ini(text).unwrap();
    assert_eq!(settings.currency.as_deref(), Some("USD"));
    assert_eq!(
        settings.exclusions_procurement_method_details.as_deref(),
        Some("Random Selection")
    );
    let r003 = settings.R003.unwrap();
    assert_eq!(r003.threshold, Some(15));
    assert_eq!(r003.procurement_method_details.unwrap()["emergency"], 10);
    assert!(settings.R028.is_some() && settings.R035.is_some() && settings.R024.is_none());
}
