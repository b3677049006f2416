//! Procurement red flags (采购红旗指标) as a model of the library, id `redflags`: the one
//! adapter between the datasets and the indicators, used by the platform's runs and by
//! `qinglian model run --models redflags`.
//!
//! The indicators are OCP Cardinal's (`qinglian-redflags`, R003 … R058) over the `tenders`,
//! `bids`, `awards` and `enterprises` dataset versions of a run (OCDS compiled releases built
//! by [`crate::procurement`]). The model's parameters are the Cardinal INI settings
//! that matter most (which indicators run, thresholds, minimum counts, fixed fences); they are
//! turned into the INI text Cardinal reads ([`settings_ini`]), so a run on the platform and
//! `qinglian redflags indicators --settings` with that text give the same flags.
//!
//! Findings are those of [`procurement::redflag_findings`] (one per flagged tender, enterprise
//! or buyer, with one evidence row per indicator); a tender's finding also carries the tender's
//! own records (the tender, its bids and its awards) as evidence rows.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::model::{Engine, Finding, Model, ModelError, Param, ParamValue, Severity, SubjectKind};
use crate::procurement::{self, CompiledRelease, OcdsParty, OcdsValue};
use qinglian_redflags::{IndicatorsResult, Options, Settings};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

/// Model id of the red flags (the findings' `model`).
pub const ID: &str = procurement::MODEL_ID;

/// Title in the model library.
pub const TITLE: &str = "采购红旗指标";

/// What its findings are about (it flags three kinds of subject).
pub const SUBJECTS: &str = "招标项目、企业、采购人";

/// The datasets the indicators read.
pub const DATASETS: &[&str] = &["tenders", "bids", "awards", "enterprises"];

/// Every indicator, in Cardinal's order.
pub const INDICATORS: [&str; 11] = [
    "R003", "R018", "R024", "R025", "R028", "R030", "R035", "R036", "R038", "R048", "R058",
];

const EXPLANATION: &str = "按OCP Cardinal红旗指标（R003投标期限过短、R018仅收到一份投标、R024中标价与次低价差距异常小、\
R025多次投标中标率异常低、R028不同投标人报价完全相同、R030逾期递交的投标中标、R035除中标人外其余投标均被否决、\
R036最低价投标被否决、R038投标被否决比例异常高、R048中标品目异常分散、R058中标价远低于次低价）检查招标项目、\
投标企业和采购人；每个触发指标的对象生成一条疑点，逐项列出指标及其数值，招标项目的疑点附该项目的招标、投标和中标记录。";

fn param(name: &str, label: &str, value: ParamValue) -> Param {
    Param {
        name: name.to_string(),
        label: label.to_string(),
        value,
    }
}

fn text(s: &str) -> ParamValue {
    ParamValue::Text(s.to_string())
}

/// The red flags as a model of the library (default parameters).
pub fn model() -> Model {
    Model {
        id: ID.to_string(),
        version: procurement::MODEL_VERSION,
        title: TITLE.to_string(),
        subject_kind: SubjectKind::Tender,
        severity: Severity::Medium,
        sql: String::new(),
        explanation: EXPLANATION.to_string(),
        params: vec![
            param(
                "indicators",
                "启用的指标",
                ParamValue::List(INDICATORS.iter().map(|s| s.to_string()).collect()),
            ),
            param("r003_threshold", "R003 投标期限下限（天）", ParamValue::Int(15)),
            param(
                "r018_methods",
                "R018 适用的采购方式（可选：公开招标、邀请招标、有限竞争、单一来源）",
                ParamValue::List(vec!["公开招标".into(), "邀请招标".into()]),
            ),
            param("r024_threshold", "R024 价差比例下限（留空按四分位数计算）", text("")),
            param(
                "r025_percentile",
                "R025 投标次数百分位（达到者才参与计算）",
                ParamValue::Int(75),
            ),
            param("r025_threshold", "R025 中标率下限（留空按四分位数计算）", text("")),
            param("r035_threshold", "R035 被否决投标人数下限", ParamValue::Int(1)),
            param("r038_threshold", "R038 否决比例上限（留空按四分位数计算）", text("")),
            param(
                "r038_minimum_submitted_bids",
                "R038 投标人最少投标次数",
                ParamValue::Int(2),
            ),
            param(
                "r038_minimum_contracting_processes",
                "R038 采购人最少采购项目数",
                ParamValue::Int(2),
            ),
            param("r048_digits", "R048 比较品目的前几位", ParamValue::Int(2)),
            param("r048_threshold", "R048 中标品目数上限（留空按四分位数计算）", text("")),
            param(
                "r048_minimum_contracting_processes",
                "R048 供应商最少中标项目数",
                ParamValue::Int(20),
            ),
            param("r058_threshold", "R058 价差比例上限（留空按四分位数计算）", text("")),
            param(
                "exclusions",
                "不参与计算的采购方式（按招标数据中的原文，多个用顿号分隔）",
                ParamValue::List(Vec::new()),
            ),
        ],
        builtin: true,
    }
}

fn label<'a>(m: &'a Model, name: &'a str) -> &'a str {
    m.params
        .iter()
        .find(|p| p.name == name)
        .map_or(name, |p| p.label.as_str())
}

/// A text parameter, on one line (it becomes one INI value).
fn one_line(m: &Model, name: &str) -> Result<String, String> {
    let value = match m.param(name) {
        Some(ParamValue::Text(s)) => s.trim().to_string(),
        Some(ParamValue::List(l)) => l.join("|"),
        Some(ParamValue::Int(i)) => i.to_string(),
        Some(ParamValue::Number(f)) => f.to_string(),
        Some(ParamValue::Bool(_)) | None => String::new(),
    };
    if value.contains(['\n', '\r']) {
        return Err(format!("参数“{}”不能包含换行", label(m, name)));
    }
    Ok(value)
}

/// OCDS procurement methods by their Chinese names (the codes are accepted too).
const METHODS: &[(&str, &str)] = &[
    ("公开招标", "open"),
    ("邀请招标", "selective"),
    ("有限竞争", "limited"),
    ("单一来源", "direct"),
];

/// A list of procurement methods (Chinese names or OCDS codes) as Cardinal's `a|b` codes.
fn methods(m: &Model, name: &str) -> Result<String, String> {
    let listed: Vec<String> = match m.param(name) {
        Some(ParamValue::List(l)) => l.clone(),
        Some(ParamValue::Text(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    let mut codes = Vec::new();
    for one in listed
        .iter()
        .flat_map(|s| s.split(['、', ',', '，', '|', ' ']))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let code = METHODS
            .iter()
            .find(|(zh, code)| *zh == one || code.eq_ignore_ascii_case(one))
            .map(|(_, code)| *code)
            .ok_or_else(|| {
                format!(
                    "参数“{}”中有未知的采购方式“{one}”（可选：{}）",
                    label(m, name),
                    METHODS.iter().map(|(zh, _)| *zh).collect::<Vec<_>>().join("、")
                )
            })?;
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    Ok(codes.join("|"))
}

/// A whole-number parameter; `unsigned` refuses negative values.
fn whole(m: &Model, name: &str, unsigned: bool) -> Result<i64, String> {
    let value = match m.param(name) {
        Some(ParamValue::Int(i)) => *i,
        _ => return Err(format!("参数“{}”应为整数", label(m, name))),
    };
    if unsigned && value < 0 {
        return Err(format!("参数“{}”不能为负数，收到{value}", label(m, name)));
    }
    Ok(value)
}

/// An optional fence typed as text: empty (computed from quartiles) or a number.
fn fence(m: &Model, name: &str, integer: bool) -> Result<Option<String>, String> {
    let t = one_line(m, name)?;
    if t.is_empty() {
        return Ok(None);
    }
    let ok = if integer {
        t.parse::<u64>().is_ok()
    } else {
        t.parse::<f64>().is_ok_and(f64::is_finite)
    };
    if !ok {
        let expected = if integer { "非负整数" } else { "数值" };
        return Err(format!("参数“{}”应为{expected}或留空，收到“{t}”", label(m, name)));
    }
    Ok(Some(t))
}

/// The indicators a model's parameters enable, in Cardinal's order.
fn enabled(m: &Model) -> Result<Vec<&'static str>, String> {
    let listed: Vec<String> = match m.param("indicators") {
        Some(ParamValue::List(l)) => l.iter().map(|s| s.trim().to_uppercase()).collect(),
        Some(ParamValue::Text(s)) => s
            .split(['、', ',', '，', '|', ' '])
            .map(|s| s.trim().to_uppercase())
            .collect(),
        _ => Vec::new(),
    };
    let listed: Vec<String> = listed.into_iter().filter(|s| !s.is_empty()).collect();
    if let Some(unknown) = listed.iter().find(|s| !INDICATORS.contains(&s.as_str())) {
        return Err(format!(
            "参数“{}”中有未知的指标“{unknown}”（可选：{}）",
            label(m, "indicators"),
            INDICATORS.join("、")
        ));
    }
    let on: Vec<&'static str> = INDICATORS
        .iter()
        .copied()
        .filter(|i| listed.iter().any(|s| s == i))
        .collect();
    if on.is_empty() {
        return Err("请至少启用一项红旗指标".into());
    }
    Ok(on)
}

/// The Cardinal settings file (INI) equivalent to a red-flag model's parameters; errors name
/// the parameter (Chinese).
pub fn settings_ini(m: &Model) -> Result<String, String> {
    let mut ini = String::from("; 由“采购红旗指标”的参数生成，可用于 qinglian redflags indicators --settings\n");
    let exclusions = one_line(m, "exclusions")?;
    if !exclusions.is_empty() {
        ini.push_str(&format!("\n[exclusions]\nprocurement_method_details = {exclusions}\n"));
    }
    for indicator in enabled(m)? {
        ini.push_str(&format!("\n[{indicator}]\n"));
        let mut set = |key: &str, value: String| ini.push_str(&format!("{key} = {value}\n"));
        match indicator {
            "R003" => set("threshold", whole(m, "r003_threshold", false)?.to_string()),
            "R018" => {
                let methods = methods(m, "r018_methods")?;
                if !methods.is_empty() {
                    set("procurement_methods", methods);
                }
            }
            "R024" => {
                if let Some(t) = fence(m, "r024_threshold", false)? {
                    set("threshold", t);
                }
            }
            "R025" => {
                let percentile = whole(m, "r025_percentile", true)?;
                if percentile > 100 {
                    return Err(format!(
                        "参数“{}”应在0到100之间，收到{percentile}",
                        label(m, "r025_percentile")
                    ));
                }
                set("percentile", percentile.to_string());
                if let Some(t) = fence(m, "r025_threshold", false)? {
                    set("threshold", t);
                }
            }
            "R035" => set("threshold", whole(m, "r035_threshold", true)?.to_string()),
            "R038" => {
                if let Some(t) = fence(m, "r038_threshold", false)? {
                    set("threshold", t);
                }
                set(
                    "minimum_submitted_bids",
                    whole(m, "r038_minimum_submitted_bids", true)?.to_string(),
                );
                set(
                    "minimum_contracting_processes",
                    whole(m, "r038_minimum_contracting_processes", true)?.to_string(),
                );
            }
            "R048" => {
                set("digits", whole(m, "r048_digits", true)?.to_string());
                if let Some(t) = fence(m, "r048_threshold", true)? {
                    set("threshold", t);
                }
                set(
                    "minimum_contracting_processes",
                    whole(m, "r048_minimum_contracting_processes", true)?.to_string(),
                );
            }
            "R058" => {
                if let Some(t) = fence(m, "r058_threshold", false)? {
                    set("threshold", t);
                }
            }
            _ => {} // R028, R030, R036: an empty section enables them
        }
    }
    Ok(ini)
}

/// The parsed settings of a red-flag model's parameters.
pub fn settings(m: &Model) -> Result<Settings, String> {
    Settings::from_ini(&settings_ini(m)?).map_err(|e| e.to_string())
}

/// Runs the indicators over the engine's `tenders`/`bids`/`awards`/`enterprises` tables and
/// returns the findings, with the run's time limit and cancellation.
pub async fn run(
    engine: &Engine,
    settings: Settings,
    timeout: Option<Duration>,
    cancel: &CancellationToken,
) -> Result<Vec<Finding>, ModelError> {
    let work = async {
        let releases = procurement::compiled_releases(engine.context()).await?;
        // The indicators are plain computation: keep them off the async workers.
        let (releases, result) = tokio::task::spawn_blocking(move || {
            let opts = Options {
                no_meta: true,
                count: false,
            };
            let result = qinglian_redflags::indicators_from_releases(
                releases.iter().map(CompiledRelease::as_release),
                &settings,
                &opts,
            );
            (releases, result)
        })
        .await
        .map_err(|e| ModelError::Query(format!("红旗指标计算中断：{e}")))?;
        Ok::<_, ModelError>(findings(&result, &releases))
    };
    let limited = async {
        match timeout {
            Some(limit) => tokio::time::timeout(limit, work)
                .await
                .map_err(|_| ModelError::Timeout(limit.as_secs()))?,
            None => work.await,
        }
    };
    tokio::select! {
        biased;
        _ = cancel.cancelled() => Err(ModelError::Cancelled),
        r = limited => r,
    }
}

/// The findings of a result; a tender's finding gets the tender's records as evidence too.
pub fn findings(result: &IndicatorsResult, releases: &[CompiledRelease]) -> Vec<Finding> {
    let by_id: BTreeMap<&str, &CompiledRelease> = releases.iter().map(|r| (r.ocid.as_str(), r)).collect();
    let mut out = procurement::redflag_findings(result);
    for f in &mut out {
        if f.subject_kind == SubjectKind::Tender
            && let Some(release) = by_id.get(f.subject.as_str())
        {
            f.evidence.extend(records(release));
        }
    }
    out
}

fn amount(v: &Option<OcdsValue>) -> Value {
    match v {
        Some(v) if v.amount.fract() == 0.0 && v.amount.abs() < 1e15 => json!(v.amount as i64),
        Some(v) => serde_json::Number::from_f64(v.amount).map_or(Value::Null, Value::Number),
        None => Value::Null,
    }
}

/// An OCDS date-time (`…T00:00:00+08:00`) as people read it: the date, and the time if any.
fn when(t: &Option<String>) -> String {
    let Some(t) = t else { return String::new() };
    match (t.get(..10), t.get(11..16), t.get(11..19)) {
        (Some(day), _, Some("00:00:00")) => day.to_string(),
        (Some(day), Some(hm), _) => format!("{day} {hm}"),
        _ => t.clone(),
    }
}

fn party(p: &OcdsParty) -> String {
    match &p.name {
        Some(name) if name != &p.id => format!("{name}（{}）", p.id),
        _ => p.id.clone(),
    }
}

fn bid_status_label(status: &str) -> &'static str {
    match status {
        "valid" => "有效",
        "disqualified" => "被否决",
        "withdrawn" => "已撤回",
        "invited" => "未递交",
        _ => "待评审",
    }
}

/// The tender, its bids and its awards as evidence rows with the same five columns.
fn records(r: &CompiledRelease) -> Vec<Value> {
    let t = &r.tender;
    let mut out = Vec::new();
    let period = t.tender_period.as_ref();
    let mut timeline = Vec::new();
    if let Some(start) = period.map(|p| when(&p.start_date)).filter(|s| !s.is_empty()) {
        timeline.push(format!("公告{start}"));
    }
    if let Some(end) = period.map(|p| when(&p.end_date)).filter(|s| !s.is_empty()) {
        timeline.push(format!("截止{end}"));
    }
    let mut about = Vec::new();
    if let Some(title) = &t.title {
        about.push(title.clone());
    }
    if let Some(method) = &t.procurement_method_details {
        about.push(method.clone());
    }
    out.push(json!({
        "记录": "招标",
        "单位": r.buyer.as_ref().map(party).unwrap_or_default(),
        "金额": amount(&t.value),
        "时间": timeline.join("，"),
        "说明": about.join("，"),
    }));
    for b in &r.bids.details {
        out.push(json!({
            "记录": "投标",
            "单位": b.tenderers.iter().map(party).collect::<Vec<_>>().join("、"),
            "金额": amount(&b.value),
            "时间": when(&b.date),
            "说明": bid_status_label(&b.status),
        }));
    }
    for a in &r.awards {
        out.push(json!({
            "记录": "中标",
            "单位": a.suppliers.iter().map(party).collect::<Vec<_>>().join("、"),
            "金额": amount(&a.value),
            "时间": when(&a.date),
            "说明": "中标",
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_parameters_enable_every_indicator_at_cardinal_defaults() {
        let s = settings(&model()).unwrap();
        let mut all = Settings::all_indicators();
        all.R003.as_mut().unwrap().threshold = Some(15);
        all.R018.as_mut().unwrap().procurement_methods = Some("open|selective".into());
        all.R025.as_mut().unwrap().percentile = Some(75);
        all.R035.as_mut().unwrap().threshold = Some(1);
        let r038 = all.R038.as_mut().unwrap();
        r038.minimum_submitted_bids = Some(2);
        r038.minimum_contracting_processes = Some(2);
        let r048 = all.R048.as_mut().unwrap();
        r048.digits = Some(2);
        r048.minimum_contracting_processes = Some(20);
        assert_eq!(s, all);
    }

    #[test]
    fn parameters_become_ini_settings() {
        let mut o = crate::model::ParamOverrides::new();
        o.insert(
            "indicators".into(),
            ParamValue::List(vec!["r003".into(), "R058".into()]),
        );
        o.insert("r003_threshold".into(), ParamValue::Int(20));
        o.insert("r058_threshold".into(), text("0.5"));
        o.insert("exclusions".into(), text("单一来源"));
        let m = model().with_params(&o).unwrap();
        let s = settings(&m).unwrap();
        assert_eq!(s.R003.unwrap().threshold, Some(20));
        assert_eq!(s.R058.unwrap().threshold, Some(0.5));
        assert!(s.R018.is_none() && s.R024.is_none());
        assert_eq!(s.exclusions_procurement_method_details.as_deref(), Some("单一来源"));
    }

    #[test]
    fn bad_parameters_are_refused_in_chinese() {
        let with = |name: &str, v: ParamValue| {
            let mut o = crate::model::ParamOverrides::new();
            o.insert(name.into(), v);
            settings(&model().with_params(&o).unwrap()).unwrap_err()
        };
        assert!(with("indicators", ParamValue::List(vec!["R999".into()])).contains("未知的指标“R999”"));
        assert!(with("indicators", ParamValue::List(vec![])).contains("至少启用一项"));
        assert!(with("r024_threshold", text("很小")).contains("应为数值或留空"));
        assert!(with("r048_threshold", text("1.5")).contains("应为非负整数或留空"));
        assert!(with("r035_threshold", ParamValue::Int(-1)).contains("不能为负数"));
        assert!(with("r025_percentile", ParamValue::Int(101)).contains("0到100"));
        assert!(with("exclusions", text("a\n[R999]")).contains("换行"));
        assert!(
            with("r018_methods", text("拍卖"))
                .contains("未知的采购方式“拍卖”（可选：公开招标、邀请招标、有限竞争、单一来源）")
        );
    }

    #[test]
    fn procurement_methods_are_named_in_chinese_and_codes_still_read() {
        let r018 = |v: ParamValue| {
            let mut o = crate::model::ParamOverrides::new();
            o.insert("r018_methods".into(), v);
            settings(&model().with_params(&o).unwrap())
                .unwrap()
                .R018
                .unwrap()
                .procurement_methods
        };
        assert_eq!(
            r018(ParamValue::List(vec!["公开招标".into(), "单一来源".into()])).as_deref(),
            Some("open|direct")
        );
        // A run's parameters saved before the names were Chinese.
        assert_eq!(r018(text("open|selective")).as_deref(), Some("open|selective"));
        assert_eq!(r018(text("有限竞争、公开招标、open")).as_deref(), Some("limited|open"));
    }

    #[test]
    fn times_read_as_dates_or_minutes() {
        assert_eq!(when(&Some("2026-03-01T00:00:00+08:00".into())), "2026-03-01");
        assert_eq!(when(&Some("2026-03-01T09:30:00+08:00".into())), "2026-03-01 09:30");
        assert_eq!(when(&None), "");
    }
}
