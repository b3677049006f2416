//! Procurement red flags (招投标红旗指标) over the canonical `tenders`, `bids` and `awards`
//! datasets: the OCP Cardinal indicators of `qinglian-redflags` run inside the platform.
//!
//! [`compiled_releases`] turns the three datasets into one OCDS compiled release per tender;
//! [`redflags`] runs the indicators over them; [`redflag_findings`] turns the result into
//! platform [`Finding`]s. The releases are exactly what `qinglian redflags indicators` would read
//! from their JSON lines ([`CompiledRelease::to_json`]), so the two paths give the same result.
//!
//! # Mapping
//!
//! | OCDS | canonical column |
//! |---|---|
//! | `ocid`, `tender/id` | `tenders.tender_id` (releases also exist for tender ids that only occur in `bids`/`awards`) |
//! | `buyer/id`, `buyer/name` | `tenders.buyer` (the normalised buyer name; there is no buyer code) |
//! | `tender/title` | `tenders.title` |
//! | `tender/procurementMethod` | `tenders.method` mapped by [`procurement_method`] |
//! | `tender/procurementMethodDetails` | `tenders.method` as written (so INI settings can name Chinese methods) |
//! | `tender/tenderPeriod/startDate` | `tenders.notice_on` (the notice opens the tender period) |
//! | `tender/tenderPeriod/endDate` | `tenders.deadline` |
//! | `tender/value` | `tenders.budget` |
//! | `tender/items[]`, `awards[]/items[]` `/classification/id` | `tenders.category` |
//! | `tender/numberOfTenderers` | distinct tenderers of the tender's submitted bids (status neither `invited` nor `withdrawn`); absent when the tender has no bid rows |
//! | `bids/details[]/status` | `bids.status` mapped by [`bid_status`] |
//! | `bids/details[]/date` | `bids.submitted_at` |
//! | `bids/details[]/value` | `bids.price` |
//! | `bids/details[]/tenderers[]` | `bids.bidder_credit_code` (id; the bidder name when the code is missing) and `bids.bidder_name` |
//! | `awards[]` (status `active`) | `awards` rows: `supplier_credit_code` (supplier id, name from `enterprises`), `amount`, `awarded_on` |
//!
//! Dates and times are China time: they are written with the `+08:00` offset, so they compare
//! as instants with dates from other sources. Amounts are in yuan (`CNY`). `procuringEntity` is
//! left out: the datasets do not record the procurement agency, and repeating the buyer would
//! only duplicate the `Buyer` group.

use std::collections::BTreeMap;

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type, TimeUnit, TimestampMillisecondType};
use datafusion::prelude::SessionContext;
use qinglian_redflags::{
    Amount, Award, Bid, Bids, Classification, Group, Indicator, IndicatorsResult, Item, Options, Party, Period,
    Release, Settings, Tender,
};
use serde::Serialize;
use serde_json::{Value, json};

use crate::model::{Finding, ModelError, Severity, SubjectKind};

/// Currency of every amount in the canonical datasets.
pub const CURRENCY: &str = "CNY";

/// Model id of red-flag findings.
pub const MODEL_ID: &str = "redflags";

/// Version of the red-flag "model" recorded in its findings.
pub const MODEL_VERSION: u32 = 1;

/// The OCDS `procurementMethod` code of a Chinese procurement method (采购方式), or `None`.
///
/// | 采购方式 | OCDS | why |
/// |---|---|---|
/// | 公开招标, 招标, 网上竞价/电子竞价/竞价 | `open` | every interested supplier may bid |
/// | 邀请招标 | `selective` | only qualified suppliers invited by the buyer may bid (≥ 3 by law) |
/// | 竞争性谈判, 竞争性磋商, 询价 | `limited` | the buyer contacts suppliers it chooses (from a notice, a pool or recommendations) |
/// | 单一来源, 直接采购/直接发包/直接委托 | `direct` | one supplier, no competition |
///
/// The OCDS codes themselves (`open`, `selective`, `limited`, `direct`) are accepted as they
/// are; any other method (其他, 框架协议…) has no `procurementMethod`. Matching looks for the
/// keywords in the normalised text, so "公开招标（资格后审）" is `open`. Cardinal's R018 looks at
/// `open|selective` by default: add `limited` in `[R018] procurement_methods` to include
/// negotiations, or name Chinese methods through `procurementMethodDetails` in other settings.
pub fn procurement_method(method: &str) -> Option<&'static str> {
    let m = method.trim();
    let lower = m.to_ascii_lowercase();
    for code in ["open", "selective", "limited", "direct"] {
        if lower == code {
            return Some(code);
        }
    }
    let has = |words: &[&str]| words.iter().any(|w| m.contains(w));
    if has(&["单一来源", "直接采购", "直接发包", "直接委托", "直接订购"]) {
        Some("direct")
    } else if has(&["邀请招标", "邀请"]) {
        Some("selective")
    } else if has(&["竞争性谈判", "竞争性磋商", "询价", "谈判", "磋商"]) {
        Some("limited")
    } else if has(&["公开招标", "招标", "竞价"]) {
        Some("open")
    } else {
        None
    }
}

/// The OCDS bid status (`bidStatus` codelist) of a Chinese bid status (投标状态).
///
/// | 投标状态 | OCDS |
/// |---|---|
/// | empty / missing | `valid` (the bid record lists a submitted bid; only rejected ones are marked) |
/// | 无效, 废标, 否决, 不合格, 未通过, 淘汰, 取消资格 | `disqualified` |
/// | 撤回, 撤销, 撤标, 放弃, 弃标 | `withdrawn` |
/// | 未递交, 未投标, 未响应, 已邀请, 邀请 | `invited` |
/// | 待评审, 评审中, 已递交, 已提交, 已投标 (…待, 递交, 提交) | `pending` |
/// | 有效, 合格, 通过, 中标, 未中标, 入围, 成交, 候选 | `valid` |
/// | anything else | `pending` (submitted, but neither valid nor disqualified) |
///
/// The OCDS codes themselves are accepted as they are. Rules are tried in the order of the
/// table, so 不合格 is `disqualified` although it contains 合格.
pub fn bid_status(status: Option<&str>) -> &'static str {
    let s = status.map(str::trim).unwrap_or_default();
    if s.is_empty() {
        return "valid";
    }
    let lower = s.to_ascii_lowercase();
    for code in ["invited", "pending", "valid", "disqualified", "withdrawn"] {
        if lower == code {
            return code;
        }
    }
    let has = |words: &[&str]| words.iter().any(|w| s.contains(w));
    if has(&["无效", "废标", "否决", "不合格", "未通过", "淘汰", "取消资格", "拒绝"]) {
        "disqualified"
    } else if has(&["撤回", "撤销", "撤标", "放弃", "弃标"]) {
        "withdrawn"
    } else if has(&["未递交", "未投标", "未响应", "邀请"]) {
        "invited"
    } else if has(&["待", "评审中", "递交", "提交", "已投标"]) {
        "pending"
    } else if has(&["有效", "合格", "通过", "中标", "入围", "成交", "候选"]) {
        "valid"
    } else {
        "pending"
    }
}

/// An organisation reference (`buyer`, `tenderers[]`, `suppliers[]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OcdsParty {
    /// Identifier: credit code, or the name when there is none.
    pub id: String,
    /// Name, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A money amount in yuan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OcdsValue {
    /// Amount.
    pub amount: f64,
    /// Always [`CURRENCY`].
    pub currency: String,
}

impl OcdsValue {
    fn yuan(amount: f64) -> OcdsValue {
        OcdsValue {
            amount,
            currency: CURRENCY.to_string(),
        }
    }
}

/// `classification` of an item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OcdsClassification {
    /// The category (品目) as recorded.
    pub id: String,
}

/// An item of a tender or award.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OcdsItem {
    /// Item id (`1`).
    pub id: String,
    /// Its classification.
    pub classification: OcdsClassification,
}

/// `tender/tenderPeriod`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OcdsPeriod {
    /// Notice date, `YYYY-MM-DDT00:00:00+08:00`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// Bid deadline, `YYYY-MM-DDTHH:MM:SS+08:00`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
}

/// `tender`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OcdsTender {
    /// Tender id.
    pub id: String,
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// OCDS method code ([`procurement_method`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub procurement_method: Option<String>,
    /// The method as recorded (采购方式).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub procurement_method_details: Option<String>,
    /// Distinct tenderers of the submitted bids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_of_tenderers: Option<u64>,
    /// Notice date to deadline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tender_period: Option<OcdsPeriod>,
    /// Budget (预算金额/控制价).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<OcdsValue>,
    /// One item classified by the category, when there is one.
    pub items: Vec<OcdsItem>,
}

/// `bids/details[]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OcdsBid {
    /// `{tender_id}-B{n}`.
    pub id: String,
    /// OCDS bid status ([`bid_status`]).
    pub status: String,
    /// Submission time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Price.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<OcdsValue>,
    /// The bidder.
    pub tenderers: Vec<OcdsParty>,
}

/// `bids`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OcdsBids {
    /// The bid rows of the tender.
    pub details: Vec<OcdsBid>,
}

/// `awards[]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OcdsAward {
    /// `{tender_id}-A{n}`.
    pub id: String,
    /// Always `active`: an award row is a decided award.
    pub status: String,
    /// Award date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Award amount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<OcdsValue>,
    /// The supplier (none when the row has no credit code).
    pub suppliers: Vec<OcdsParty>,
    /// The tender's category.
    pub items: Vec<OcdsItem>,
}

/// One OCDS compiled release built from the canonical datasets (owned; borrow it as a
/// [`Release`] with [`CompiledRelease::as_release`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompiledRelease {
    /// The tender id.
    pub ocid: String,
    /// The buyer, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buyer: Option<OcdsParty>,
    /// The tender.
    pub tender: OcdsTender,
    /// The bids.
    pub bids: OcdsBids,
    /// The awards.
    pub awards: Vec<OcdsAward>,
}

fn party(p: &OcdsParty) -> Option<Party<'_>> {
    Some(Party {
        id: Some(p.id.as_str().into()),
    })
}

fn amount(v: &Option<OcdsValue>) -> Option<Amount<'_>> {
    v.as_ref().map(|v| Amount {
        amount: Some(v.amount),
        currency: Some(v.currency.as_str().into()),
    })
}

fn items(items: &[OcdsItem]) -> Option<Vec<Option<Item<'_>>>> {
    Some(
        items
            .iter()
            .map(|i| {
                Some(Item {
                    classification: Some(Classification {
                        id: Some(i.classification.id.as_str().into()),
                    }),
                })
            })
            .collect(),
    )
}

impl CompiledRelease {
    /// The release as the red-flag engine reads it (equal to parsing [`CompiledRelease::to_json`]).
    pub fn as_release(&self) -> Release<'_> {
        let t = &self.tender;
        Release {
            ocid: Some(self.ocid.as_str().into()),
            buyer: self.buyer.as_ref().and_then(party),
            tender: Some(Tender {
                status: None,
                procurement_method: t.procurement_method.as_deref().map(Into::into),
                procurement_method_details: t.procurement_method_details.as_deref().map(Into::into),
                number_of_tenderers: t.number_of_tenderers.map(Some),
                tender_period: t.tender_period.as_ref().map(|p| Period {
                    start_date: p.start_date.as_deref().map(Into::into),
                    end_date: p.end_date.as_deref().map(Into::into),
                }),
                procuring_entity: None,
            }),
            bids: Some(Bids {
                details: Some(
                    self.bids
                        .details
                        .iter()
                        .map(|b| {
                            Some(Bid {
                                status: Some(b.status.as_str().into()),
                                date: b.date.as_deref().map(Into::into),
                                value: amount(&b.value),
                                tenderers: Some(b.tenderers.iter().map(party).collect()),
                            })
                        })
                        .collect(),
                ),
            }),
            awards: Some(
                self.awards
                    .iter()
                    .map(|a| {
                        Some(Award {
                            status: Some(a.status.as_str().into()),
                            suppliers: Some(a.suppliers.iter().map(party).collect()),
                            items: items(&a.items),
                        })
                    })
                    .collect(),
            ),
        }
    }

    /// The release as OCDS JSON (one line of `qinglian redflags indicators` input).
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

fn arrow_error(e: datafusion::arrow::error::ArrowError) -> ModelError {
    ModelError::Query(e.to_string())
}

/// A column of a result batch as text (any string or other type, cast).
fn texts(batch: &RecordBatch, i: usize) -> Result<Vec<Option<String>>, ModelError> {
    let array = cast(batch.column(i), &DataType::Utf8).map_err(arrow_error)?;
    let array = array.as_string::<i32>();
    Ok((0..array.len())
        .map(|r| {
            (!array.is_null(r))
                .then(|| array.value(r).trim().to_string())
                .filter(|s| !s.is_empty())
        })
        .collect())
}

/// A column as numbers.
fn numbers(batch: &RecordBatch, i: usize) -> Result<Vec<Option<f64>>, ModelError> {
    let array = cast(batch.column(i), &DataType::Float64).map_err(arrow_error)?;
    let array = array.as_primitive::<Float64Type>();
    Ok((0..array.len())
        .map(|r| (!array.is_null(r)).then(|| array.value(r)).filter(|v| v.is_finite()))
        .collect())
}

/// A date or timestamp column (China time) as OCDS date-times with the `+08:00` offset.
fn times(batch: &RecordBatch, i: usize) -> Result<Vec<Option<String>>, ModelError> {
    let array = cast(batch.column(i), &DataType::Timestamp(TimeUnit::Millisecond, None)).map_err(arrow_error)?;
    let array = array.as_primitive::<TimestampMillisecondType>();
    Ok((0..array.len())
        .map(|r| {
            if array.is_null(r) {
                return None;
            }
            chrono::DateTime::from_timestamp_millis(array.value(r))
                .map(|t| t.naive_utc().format("%Y-%m-%dT%H:%M:%S+08:00").to_string())
        })
        .collect())
}

async fn query(ctx: &SessionContext, sql: &str) -> Result<Vec<RecordBatch>, ModelError> {
    Ok(ctx.sql(sql).await?.collect().await?)
}

const TENDERS_SQL: &str = "SELECT tender_id, buyer, title, category, method, budget, notice_on, deadline
FROM tenders WHERE tender_id IS NOT NULL
ORDER BY tender_id, notice_on, deadline, buyer, title, method, category, budget";

const BIDS_SQL: &str = "SELECT tender_id, bidder_credit_code, bidder_name, price, submitted_at, status
FROM bids WHERE tender_id IS NOT NULL
ORDER BY tender_id, submitted_at, bidder_credit_code, bidder_name, price, status";

const AWARDS_SQL: &str = "SELECT a.tender_id, a.supplier_credit_code, e.name, a.amount, a.awarded_on
FROM awards a
LEFT JOIN (SELECT credit_code, MIN(name) AS name FROM enterprises WHERE credit_code IS NOT NULL GROUP BY credit_code) e
  ON e.credit_code = a.supplier_credit_code
WHERE a.tender_id IS NOT NULL
ORDER BY a.tender_id, a.awarded_on, a.supplier_credit_code, a.amount";

fn empty_release(tender_id: &str) -> CompiledRelease {
    CompiledRelease {
        ocid: tender_id.to_string(),
        buyer: None,
        tender: OcdsTender {
            id: tender_id.to_string(),
            title: None,
            procurement_method: None,
            procurement_method_details: None,
            number_of_tenderers: None,
            tender_period: None,
            value: None,
            items: Vec::new(),
        },
        bids: OcdsBids { details: Vec::new() },
        awards: Vec::new(),
    }
}

fn category_items(category: &Option<String>) -> Vec<OcdsItem> {
    category
        .iter()
        .map(|c| OcdsItem {
            id: "1".to_string(),
            classification: OcdsClassification { id: c.clone() },
        })
        .collect()
}

/// Builds one compiled release per tender id from the `tenders`, `bids`, `awards` and
/// `enterprises` tables registered in `ctx`, in tender-id order (see the module docs).
pub async fn compiled_releases(ctx: &SessionContext) -> Result<Vec<CompiledRelease>, ModelError> {
    let mut releases: BTreeMap<String, CompiledRelease> = BTreeMap::new();
    // Category per tender, for the award items.
    let mut categories: BTreeMap<String, Option<String>> = BTreeMap::new();

    for batch in query(ctx, TENDERS_SQL).await? {
        let (ids, buyers, titles, cats, methods) = (
            texts(&batch, 0)?,
            texts(&batch, 1)?,
            texts(&batch, 2)?,
            texts(&batch, 3)?,
            texts(&batch, 4)?,
        );
        let (budgets, notices, deadlines) = (numbers(&batch, 5)?, times(&batch, 6)?, times(&batch, 7)?);
        for r in 0..batch.num_rows() {
            let Some(id) = &ids[r] else { continue };
            if releases.contains_key(id) {
                continue; // a repeated tender row: the first one (in sort order) counts
            }
            let mut release = empty_release(id);
            release.buyer = buyers[r].as_ref().map(|b| OcdsParty {
                id: b.clone(),
                name: Some(b.clone()),
            });
            let t = &mut release.tender;
            t.title = titles[r].clone();
            t.procurement_method = methods[r].as_deref().and_then(procurement_method).map(str::to_string);
            t.procurement_method_details = methods[r].clone();
            if notices[r].is_some() || deadlines[r].is_some() {
                t.tender_period = Some(OcdsPeriod {
                    start_date: notices[r].clone(),
                    end_date: deadlines[r].clone(),
                });
            }
            t.value = budgets[r].map(OcdsValue::yuan);
            t.items = category_items(&cats[r]);
            categories.insert(id.clone(), cats[r].clone());
            releases.insert(id.clone(), release);
        }
    }

    for batch in query(ctx, BIDS_SQL).await? {
        let (ids, codes, names, prices, dates, statuses) = (
            texts(&batch, 0)?,
            texts(&batch, 1)?,
            texts(&batch, 2)?,
            numbers(&batch, 3)?,
            times(&batch, 4)?,
            texts(&batch, 5)?,
        );
        for r in 0..batch.num_rows() {
            let Some(id) = &ids[r] else { continue };
            let release = releases.entry(id.clone()).or_insert_with(|| empty_release(id));
            let tenderers = match (&codes[r], &names[r]) {
                (Some(code), name) => vec![OcdsParty {
                    id: code.clone(),
                    name: name.clone(),
                }],
                (None, Some(name)) => vec![OcdsParty {
                    id: name.clone(),
                    name: Some(name.clone()),
                }],
                (None, None) => Vec::new(),
            };
            let n = release.bids.details.len() + 1;
            release.bids.details.push(OcdsBid {
                id: format!("{id}-B{n}"),
                status: bid_status(statuses[r].as_deref()).to_string(),
                date: dates[r].clone(),
                value: prices[r].map(OcdsValue::yuan),
                tenderers,
            });
        }
    }

    for batch in query(ctx, AWARDS_SQL).await? {
        let (ids, codes, names, amounts, dates) = (
            texts(&batch, 0)?,
            texts(&batch, 1)?,
            texts(&batch, 2)?,
            numbers(&batch, 3)?,
            times(&batch, 4)?,
        );
        for r in 0..batch.num_rows() {
            let Some(id) = &ids[r] else { continue };
            let release = releases.entry(id.clone()).or_insert_with(|| empty_release(id));
            let n = release.awards.len() + 1;
            release.awards.push(OcdsAward {
                id: format!("{id}-A{n}"),
                status: "active".to_string(),
                date: dates[r].clone(),
                value: amounts[r].map(OcdsValue::yuan),
                suppliers: codes[r]
                    .iter()
                    .map(|c| OcdsParty {
                        id: c.clone(),
                        name: names[r].clone(),
                    })
                    .collect(),
                items: category_items(categories.get(id).unwrap_or(&None)),
            });
        }
    }

    let mut out: Vec<CompiledRelease> = releases.into_values().collect();
    for release in &mut out {
        if !release.bids.details.is_empty() {
            let mut tenderers: Vec<&str> = release
                .bids
                .details
                .iter()
                .filter(|b| b.status != "invited" && b.status != "withdrawn")
                .flat_map(|b| b.tenderers.iter().map(|t| t.id.as_str()))
                .collect();
            tenderers.sort_unstable();
            tenderers.dedup();
            release.tender.number_of_tenderers = Some(tenderers.len() as u64);
        }
    }
    Ok(out)
}

/// Runs the red-flag indicators enabled in `settings` over the tenders, bids and awards
/// registered in `ctx` (e.g. [`crate::model::Engine::context`]).
pub async fn redflags(
    ctx: &SessionContext,
    settings: &Settings,
    opts: &Options,
) -> Result<IndicatorsResult, ModelError> {
    let releases = compiled_releases(ctx).await?;
    Ok(qinglian_redflags::indicators_from_releases(
        releases.iter().map(CompiledRelease::as_release),
        settings,
        opts,
    ))
}

/// The Chinese name of an indicator, worded for the subject it flags.
pub fn indicator_name(indicator: Indicator) -> &'static str {
    match indicator {
        Indicator::R003 => "投标期限过短",
        Indicator::R018 => "仅收到一份投标",
        Indicator::R024 => "中标价与次低价差距异常小",
        Indicator::R025 => "多次投标、中标率异常低",
        Indicator::R028 => "不同投标人报价完全相同",
        Indicator::R030 => "逾期递交的投标中标",
        Indicator::R035 => "除中标人外其余投标均被否决",
        Indicator::R036 => "最低价投标被否决",
        Indicator::R038 => "投标被否决比例异常高",
        Indicator::R048 => "中标品目异常分散",
        Indicator::R058 => "中标价远低于次低价",
    }
}

fn subject_kind(group: Group) -> SubjectKind {
    match group {
        Group::OCID => SubjectKind::Tender,
        Group::Tenderer => SubjectKind::Enterprise,
        Group::Buyer | Group::ProcuringEntity => SubjectKind::Buyer,
    }
}

fn number(value: f64) -> Value {
    serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
}

/// A value for the explanation: whole numbers without decimals, others to 4 places.
fn show(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        let s = format!("{value:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Whether an indicator's value says more than "flagged": R003, R018, R028, R030 and R036 are
/// flags (1), and R024, R035 and R058 mark the parties of a flagged process with 0; the other
/// values are ratios or counts.
fn meaningful(group: Group, indicator: Indicator) -> bool {
    match indicator {
        Indicator::R003 | Indicator::R018 | Indicator::R028 | Indicator::R030 | Indicator::R036 => false,
        Indicator::R024 | Indicator::R035 | Indicator::R058 => group == Group::OCID,
        Indicator::R025 | Indicator::R038 | Indicator::R048 => true,
    }
}

/// One finding per flagged subject of a red-flag result: tenders (OCID) by tender id, tenderers
/// and suppliers as enterprises by credit code, buyers (and procuring entities) by name. Model
/// id [`MODEL_ID`], severity medium, a Chinese explanation naming every indicator, and one
/// evidence row per indicator: `{"指标": "R024", "名称": "…", "值": 0.01}`. Ordered by group
/// (tenders, enterprises, buyers), then as in the result.
pub fn redflag_findings(result: &IndicatorsResult) -> Vec<Finding> {
    let mut out = Vec::new();
    for group in [Group::OCID, Group::Tenderer, Group::Buyer, Group::ProcuringEntity] {
        let Some(subjects) = result.results.get(&group) else {
            continue;
        };
        let kind = subject_kind(group);
        for (subject, values) in subjects {
            let flags: Vec<(Indicator, f64)> = values.iter().collect();
            if flags.is_empty() {
                continue;
            }
            let listed: Vec<String> = flags
                .iter()
                .map(|(indicator, value)| {
                    let name = indicator_name(*indicator);
                    if meaningful(group, *indicator) {
                        format!("{} {name}（{}）", indicator.as_str(), show(*value))
                    } else {
                        format!("{} {name}", indicator.as_str())
                    }
                })
                .collect();
            let explanation = format!(
                "{}{}触发{}项招投标红旗指标：{}。",
                kind.label(),
                subject,
                flags.len(),
                listed.join("；")
            );
            let evidence = flags
                .iter()
                .map(|(indicator, value)| {
                    json!({"指标": indicator.as_str(), "名称": indicator_name(*indicator), "值": number(*value)})
                })
                .collect();
            out.push(Finding {
                model: MODEL_ID.to_string(),
                model_version: MODEL_VERSION,
                subject_kind: kind,
                subject: subject.clone(),
                period: String::new(),
                severity: Severity::Medium,
                explanation,
                evidence,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_map_to_the_ocds_codelist() {
        assert_eq!(procurement_method("公开招标"), Some("open"));
        assert_eq!(procurement_method("公开招标（资格后审）"), Some("open"));
        assert_eq!(procurement_method("邀请招标"), Some("selective"));
        assert_eq!(procurement_method("竞争性谈判"), Some("limited"));
        assert_eq!(procurement_method("竞争性磋商"), Some("limited"));
        assert_eq!(procurement_method("询价"), Some("limited"));
        assert_eq!(procurement_method("单一来源"), Some("direct"));
        assert_eq!(procurement_method("Open"), Some("open"));
        assert_eq!(procurement_method("其他"), None);
    }

    #[test]
    fn bid_statuses_map_to_the_ocds_codelist() {
        assert_eq!(bid_status(None), "valid");
        assert_eq!(bid_status(Some(" ")), "valid");
        assert_eq!(bid_status(Some("有效")), "valid");
        assert_eq!(bid_status(Some("未中标")), "valid");
        assert_eq!(bid_status(Some("无效")), "disqualified");
        assert_eq!(bid_status(Some("不合格")), "disqualified");
        assert_eq!(bid_status(Some("资格审查未通过")), "disqualified");
        assert_eq!(bid_status(Some("撤回")), "withdrawn");
        assert_eq!(bid_status(Some("未递交")), "invited");
        assert_eq!(bid_status(Some("待评审")), "pending");
        assert_eq!(bid_status(Some("disqualified")), "disqualified");
        assert_eq!(bid_status(Some("其他")), "pending");
    }

    #[test]
    fn values_are_shown_briefly() {
        assert_eq!(show(2.0), "2");
        assert_eq!(show(0.012345), "0.0123");
        assert_eq!(show(0.5), "0.5");
    }
}
