//! Canonical datasets (数据集): their columns, Arrow schemas, header mapping and loading.
//!
//! Every source (CSV, Parquet, later Excel and the versioned dataset store) is first read into
//! raw record batches whose field names are the source headers ([`RawTable`]); [`normalize`]
//! then maps headers to canonical columns, converts types and normalises identifiers and names,
//! reporting every problem per row ([`ImportIssue`]). The result always has the canonical schema.
//!
//! Excel workbooks are read by [`read_xlsx`] (streaming, into the same [`RawTable`]);
//! [`read_source`] picks the reader by extension. The versioned [`DatasetStore`] normalises
//! imports into Parquet part files on an object store (local directory, memory or S3) and
//! publishes each version atomically by its manifest; models read a store's versions as
//! Parquet listing tables without loading them into memory.

mod load;
mod mapping;
mod normalize;
pub(crate) mod parse;
mod prepared;
mod store;
mod xlsx;

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use serde::{Deserialize, Serialize};

pub use load::{Datasets, LoadError, LoadedDataset, decode_text, read_csv, read_parquet, read_source};
pub use mapping::{missing_columns, required_columns, suggest_mapping};
pub use normalize::{RawTable, normalize};
pub use prepared::register_parquet_dir;
pub use store::{DatasetStore, PublishMeta, Published, StoreError, VersionInfo};
pub use xlsx::{read_xlsx, read_xlsx_sheet, xlsx_sheet_names};

/// How a canonical column is typed and normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Resident ID number: 15 → 18 digits, check character verified; invalid ones kept, reported.
    IdNumber,
    /// Unified social credit code: check character verified; invalid ones kept, reported.
    CreditCode,
    /// Person name, normalised per RULES.md §11.
    PersonName,
    /// Company or organisation name, normalised per RULES.md §11 (suffix and bracket variants).
    CompanyName,
    /// Free text: NFKC (full-width → half-width) and trimmed.
    Text,
    /// Code-like text (plate, phone, account): NFKC, uppercase, spaces and hyphens removed.
    Compact,
    /// Calendar date (Date32).
    Date,
    /// Local date and time (Timestamp, milliseconds, China time).
    Timestamp,
    /// Month as 'YYYY-MM' text.
    Period,
    /// Money amount in yuan (Float64); a "万元" header or value is scaled to yuan.
    Amount,
    /// Other decimal quantity (Float64), e.g. an area.
    Number,
    /// Ratio in 0..=1 (Float64); "35%" becomes 0.35.
    Ratio,
    /// Whole count (Int64).
    Count,
    /// Yes/no flag (Boolean): 是/否, true/false, 1/0, Y/N.
    Flag,
}

impl ColumnKind {
    /// Arrow type of a column of this kind.
    pub fn data_type(self) -> DataType {
        match self {
            ColumnKind::IdNumber
            | ColumnKind::CreditCode
            | ColumnKind::PersonName
            | ColumnKind::CompanyName
            | ColumnKind::Text
            | ColumnKind::Compact
            | ColumnKind::Period => DataType::Utf8,
            ColumnKind::Date => DataType::Date32,
            ColumnKind::Timestamp => DataType::Timestamp(TimeUnit::Millisecond, None),
            ColumnKind::Amount | ColumnKind::Number | ColumnKind::Ratio => DataType::Float64,
            ColumnKind::Count => DataType::Int64,
            ColumnKind::Flag => DataType::Boolean,
        }
    }
}

/// One canonical column: its name, kind, Chinese label and the source headers that map to it.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// Canonical (English) column name.
    pub name: &'static str,
    /// Type and normalisation.
    pub kind: ColumnKind,
    /// Chinese label shown in the UI and error reports.
    pub label: &'static str,
    /// Other headers (mostly Chinese) that map to this column automatically.
    pub aliases: &'static [&'static str],
}

/// One canonical dataset: its name, Chinese title and columns.
#[derive(Debug, Clone, Copy)]
pub struct DatasetSpec {
    /// Canonical name, also the table name in SQL and the file stem (`NAME.csv`).
    pub name: &'static str,
    /// Chinese title.
    pub title: &'static str,
    /// Canonical columns in order.
    pub columns: &'static [ColumnSpec],
}

impl DatasetSpec {
    /// The Arrow schema of this dataset (all columns nullable).
    pub fn schema(&self) -> SchemaRef {
        let fields: Vec<Field> = self
            .columns
            .iter()
            .map(|c| Field::new(c.name, c.kind.data_type(), true))
            .collect();
        Arc::new(Schema::new(fields))
    }

    /// The column with this canonical name.
    pub fn column(&self, name: &str) -> Option<&'static ColumnSpec> {
        self.columns.iter().find(|c| c.name == name)
    }
}

const fn col(
    name: &'static str,
    kind: ColumnKind,
    label: &'static str,
    aliases: &'static [&'static str],
) -> ColumnSpec {
    ColumnSpec {
        name,
        kind,
        label,
        aliases,
    }
}

use ColumnKind as K;

const ID_ALIASES: &[&str] = &["身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证", "证件号"];
const NAME_ALIASES: &[&str] = &["姓名"];
const PERIOD_ALIASES: &[&str] = &["发放年月", "所属年月", "所属期", "年月", "期间", "发放月份"];
const AMOUNT_ALIASES: &[&str] = &["金额", "发放金额", "实发金额"];
const REGION_ALIASES: &[&str] = &["行政区划代码", "区划代码", "地区代码", "行政区划"];
const HOUSEHOLD_ALIASES: &[&str] = &["户编号", "户号", "家庭编号", "户主编号", "家庭户号"];
const PROGRAM_ALIASES: &[&str] = &[
    "项目",
    "项目名称",
    "补贴项目",
    "资金项目",
    "救助类型",
    "补贴类型",
    "资金类别",
];
const CREDIT_ALIASES: &[&str] = &["统一社会信用代码", "信用代码", "社会信用代码"];
const TENDER_ALIASES: &[&str] = &["项目编号", "招标编号", "招标项目编号", "标段编号", "采购项目编号"];

/// The 17 canonical datasets: the 15 of issue #3 §1 in its order, then the platform's own
/// roster and declared relatives.
pub const DATASETS: &[DatasetSpec] = &[
    DatasetSpec {
        name: "persons",
        title: "人口信息",
        columns: &[
            col("id_number", K::IdNumber, "身份证号", ID_ALIASES),
            col("name", K::PersonName, "姓名", NAME_ALIASES),
            col("sex", K::Text, "性别", &["性别"]),
            col("birth_date", K::Date, "出生日期", &["出生日期", "出生年月日"]),
            col("region_code", K::Text, "行政区划代码", REGION_ALIASES),
            col("household_id", K::Text, "户编号", HOUSEHOLD_ALIASES),
            col("relation", K::Text, "与户主关系", &["与户主关系", "家庭关系", "关系"]),
        ],
    },
    DatasetSpec {
        name: "deaths",
        title: "死亡人员信息",
        columns: &[
            col("id_number", K::IdNumber, "身份证号", ID_ALIASES),
            col("name", K::PersonName, "姓名", NAME_ALIASES),
            col("death_date", K::Date, "死亡日期", &["死亡日期", "死亡时间"]),
            col("source", K::Text, "数据来源", &["来源", "数据来源", "信息来源"]),
        ],
    },
    DatasetSpec {
        name: "payroll",
        title: "财政供养人员工资",
        columns: &[
            col("id_number", K::IdNumber, "身份证号", ID_ALIASES),
            col("name", K::PersonName, "姓名", NAME_ALIASES),
            col(
                "org",
                K::CompanyName,
                "单位",
                &["单位", "工作单位", "单位名称", "发放单位", "所在单位"],
            ),
            col(
                "period",
                K::Period,
                "发放年月",
                &["发放年月", "工资年月", "所属年月", "所属期", "年月", "期间"],
            ),
            col(
                "amount",
                K::Amount,
                "金额",
                &["金额", "发放金额", "应发工资", "实发工资", "实发金额", "工资总额"],
            ),
            col(
                "staff_type",
                K::Text,
                "人员类别",
                &["人员类别", "人员类型", "编制类型", "编制性质", "用工性质", "人员身份"],
            ),
        ],
    },
    DatasetSpec {
        name: "benefit_payments",
        title: "惠民资金发放",
        columns: &[
            col("id_number", K::IdNumber, "身份证号", ID_ALIASES),
            col("name", K::PersonName, "姓名", NAME_ALIASES),
            col("program", K::Text, "项目", PROGRAM_ALIASES),
            col("period", K::Period, "发放年月", PERIOD_ALIASES),
            col("amount", K::Amount, "金额", AMOUNT_ALIASES),
            col("region_code", K::Text, "行政区划代码", REGION_ALIASES),
            col("household_id", K::Text, "户编号", HOUSEHOLD_ALIASES),
            col(
                "paid_on",
                K::Date,
                "发放日期",
                &["发放日期", "支付日期", "到账日期", "拨付日期"],
            ),
        ],
    },
    DatasetSpec {
        name: "benefit_filings",
        title: "近亲属享受惠民资金备案",
        columns: &[
            col("id_number", K::IdNumber, "身份证号", ID_ALIASES),
            col("program", K::Text, "项目", PROGRAM_ALIASES),
            col("filed_on", K::Date, "备案日期", &["备案日期", "报备日期", "备案时间"]),
        ],
    },
    DatasetSpec {
        name: "relatives",
        title: "领导干部亲属（个人有关事项报告）",
        columns: &[
            col(
                "official_id_number",
                K::IdNumber,
                "干部身份证号",
                &["干部身份证号", "公职人员身份证号", "报告人身份证号", "本人身份证号"],
            ),
            col(
                "relative_id_number",
                K::IdNumber,
                "亲属身份证号",
                &["亲属身份证号", "家属身份证号"],
            ),
            col("relative_name", K::PersonName, "亲属姓名", &["亲属姓名", "家属姓名"]),
            col("relation", K::Text, "关系", &["关系", "称谓", "与本人关系"]),
        ],
    },
    DatasetSpec {
        name: "vehicles",
        title: "车辆登记",
        columns: &[
            col(
                "owner_id_number",
                K::IdNumber,
                "车主身份证号",
                &["车主身份证号", "所有人身份证号", "身份证号", "身份证号码", "证件号码"],
            ),
            col(
                "plate",
                K::Compact,
                "号牌号码",
                &["号牌号码", "车牌号", "车牌号码", "号牌"],
            ),
            col("vehicle_type", K::Text, "车辆类型", &["车辆类型", "车型"]),
            col(
                "registered_on",
                K::Date,
                "登记日期",
                &["登记日期", "注册日期", "初次登记日期"],
            ),
            col("exempt", K::Flag, "是否豁免", &["是否豁免", "豁免", "免于认定"]),
        ],
    },
    DatasetSpec {
        name: "properties",
        title: "不动产登记",
        columns: &[
            col(
                "owner_id_number",
                K::IdNumber,
                "权利人身份证号",
                &["权利人身份证号", "产权人身份证号", "身份证号", "身份证号码", "证件号码"],
            ),
            col("address", K::Text, "坐落", &["坐落", "房屋坐落", "地址", "不动产坐落"]),
            col("area", K::Number, "面积", &["面积", "建筑面积"]),
            col("registered_on", K::Date, "登记日期", &["登记日期", "登簿日期"]),
        ],
    },
    DatasetSpec {
        name: "enterprises",
        title: "企业登记",
        columns: &[
            col("credit_code", K::CreditCode, "统一社会信用代码", CREDIT_ALIASES),
            col("name", K::CompanyName, "企业名称", &["企业名称", "名称", "单位名称"]),
            col("established_on", K::Date, "成立日期", &["成立日期", "注册日期"]),
            col("registered_capital", K::Amount, "注册资本", &["注册资本"]),
            col(
                "legal_rep_id_number",
                K::IdNumber,
                "法定代表人身份证号",
                &["法定代表人身份证号", "法人身份证号", "法定代表人证件号码"],
            ),
            col("address", K::Text, "住所", &["住所", "地址", "注册地址"]),
            col("phone", K::Compact, "联系电话", &["联系电话", "电话"]),
            col(
                "insured_staff",
                K::Count,
                "参保人数",
                &["参保人数", "社保人数", "缴纳社保人数"],
            ),
        ],
    },
    DatasetSpec {
        name: "shareholders",
        title: "企业股东及主要人员",
        columns: &[
            col("credit_code", K::CreditCode, "统一社会信用代码", CREDIT_ALIASES),
            col(
                "person_id_number",
                K::IdNumber,
                "身份证号",
                &["股东身份证号", "人员身份证号", "身份证号", "身份证号码", "证件号码"],
            ),
            col(
                "person_name",
                K::PersonName,
                "姓名",
                &["股东姓名", "人员姓名", "姓名", "股东名称"],
            ),
            col("role", K::Text, "职务", &["职务", "角色", "身份", "人员类型"]),
            col("share_ratio", K::Ratio, "持股比例", &["持股比例", "出资比例"]),
        ],
    },
    DatasetSpec {
        name: "tenders",
        title: "招标项目",
        columns: &[
            col("tender_id", K::Text, "项目编号", TENDER_ALIASES),
            col(
                "buyer",
                K::CompanyName,
                "采购人",
                &["采购人", "招标人", "采购单位", "招标单位"],
            ),
            col("title", K::Text, "项目名称", &["项目名称", "标题"]),
            col("category", K::Text, "品目", &["品目", "类别", "采购品目", "项目类别"]),
            col("method", K::Text, "采购方式", &["采购方式", "招标方式"]),
            col(
                "budget",
                K::Amount,
                "预算金额",
                &["预算金额", "控制价", "最高限价", "预算"],
            ),
            col("notice_on", K::Date, "公告日期", &["公告日期", "发布日期"]),
            col(
                "deadline",
                K::Timestamp,
                "投标截止时间",
                &["投标截止时间", "截止时间", "开标时间"],
            ),
            col("region", K::Text, "地区", &["地区", "区域"]),
        ],
    },
    DatasetSpec {
        name: "bids",
        title: "投标记录",
        columns: &[
            col("tender_id", K::Text, "项目编号", TENDER_ALIASES),
            col(
                "bidder_credit_code",
                K::CreditCode,
                "投标人统一社会信用代码",
                &["投标人统一社会信用代码", "统一社会信用代码", "信用代码"],
            ),
            col(
                "bidder_name",
                K::CompanyName,
                "投标人",
                &["投标人", "投标人名称", "投标单位"],
            ),
            col("price", K::Amount, "投标报价", &["投标报价", "报价"]),
            col(
                "submitted_at",
                K::Timestamp,
                "递交时间",
                &["递交时间", "投标时间", "提交时间"],
            ),
            col("status", K::Text, "状态", &["状态", "投标状态"]),
            col(
                "project_manager_id_number",
                K::IdNumber,
                "项目经理身份证号",
                &["项目经理身份证号"],
            ),
            col("contact_phone", K::Compact, "联系电话", &["联系电话", "联系人电话"]),
            col(
                "deposit_account",
                K::Compact,
                "保证金账户",
                &["保证金账户", "保证金账号", "保证金缴纳账户"],
            ),
            col("ip_address", K::Text, "IP地址", &["IP地址", "ip", "投标IP"]),
            col(
                "file_author",
                K::Text,
                "文件作者",
                &["文件作者", "文件创建者", "编制人"],
            ),
        ],
    },
    DatasetSpec {
        name: "awards",
        title: "中标结果",
        columns: &[
            col("tender_id", K::Text, "项目编号", TENDER_ALIASES),
            col(
                "supplier_credit_code",
                K::CreditCode,
                "中标人统一社会信用代码",
                &["中标人统一社会信用代码", "供应商统一社会信用代码", "统一社会信用代码"],
            ),
            col(
                "amount",
                K::Amount,
                "中标金额",
                &["中标金额", "成交金额", "合同金额", "金额"],
            ),
            col("awarded_on", K::Date, "中标日期", &["中标日期", "成交日期"]),
        ],
    },
    DatasetSpec {
        name: "purchases",
        title: "政府采购（非招标）",
        columns: &[
            col("buyer", K::CompanyName, "采购人", &["采购人", "采购单位", "单位"]),
            col("budget_item", K::Text, "预算项目", &["预算项目", "预算科目"]),
            col("item_category", K::Text, "品目", &["品目", "采购品目", "类别"]),
            col("purchased_on", K::Date, "采购日期", &["采购日期", "合同日期", "日期"]),
            col("amount", K::Amount, "金额", &["金额", "合同金额", "采购金额"]),
            col("method", K::Text, "采购方式", &["采购方式"]),
            col(
                "supplier_credit_code",
                K::CreditCode,
                "供应商统一社会信用代码",
                &["供应商统一社会信用代码", "统一社会信用代码"],
            ),
        ],
    },
    DatasetSpec {
        name: "shared_ips",
        title: "公共终端IP",
        columns: &[col("ip_address", K::Text, "IP地址", &["IP地址", "ip"])],
    },
    DatasetSpec {
        name: "roster",
        title: "干部名册（平台）",
        columns: &[
            col("id_number", K::IdNumber, "身份证号", ID_ALIASES),
            col("name", K::PersonName, "姓名", NAME_ALIASES),
            col("org", K::CompanyName, "单位", &["单位", "工作单位", "所在单位"]),
            col("position", K::Text, "职务", &["职务", "现任职务"]),
            col("rank", K::Text, "职级", &["职级"]),
        ],
    },
    DatasetSpec {
        name: "declared_relatives",
        title: "申报亲属（平台）",
        columns: &[
            col(
                "official_id_number",
                K::IdNumber,
                "干部身份证号",
                &["干部身份证号", "报告人身份证号", "本人身份证号"],
            ),
            col(
                "relative_id_number",
                K::IdNumber,
                "亲属身份证号",
                &["亲属身份证号", "家属身份证号"],
            ),
            col("relative_name", K::PersonName, "亲属姓名", &["亲属姓名", "家属姓名"]),
            col("relation", K::Text, "关系", &["关系", "称谓", "与本人关系"]),
        ],
    },
];

/// The canonical dataset with this name.
pub fn spec(name: &str) -> Option<&'static DatasetSpec> {
    DATASETS.iter().find(|d| d.name == name)
}

/// Header overrides per dataset: source header → canonical column (remembered from the UI).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HeaderMapping {
    /// dataset name → (source header → canonical column name).
    pub datasets: HashMap<String, HashMap<String, String>>,
}

impl HeaderMapping {
    /// Adds one override for a dataset.
    pub fn insert(&mut self, dataset: &str, header: &str, column: &str) {
        self.datasets
            .entry(dataset.to_string())
            .or_default()
            .insert(header.to_string(), column.to_string());
    }

    /// The canonical column a source header maps to: override, canonical name, then aliases.
    pub fn resolve(&self, dataset: &DatasetSpec, header: &str) -> Option<&'static ColumnSpec> {
        if let Some(target) = self
            .datasets
            .get(dataset.name)
            .and_then(|m| m.get(header).or_else(|| m.get(header.trim())))
        {
            return dataset.column(target);
        }
        let key = header_key(header);
        if key.is_empty() {
            return None;
        }
        dataset.columns.iter().find(|c| header_key(c.name) == key).or_else(|| {
            dataset
                .columns
                .iter()
                .find(|c| header_key(c.label) == key || c.aliases.iter().any(|a| header_key(a) == key))
        })
    }
}

/// Matching key of a header: NFKC, lowercase, whitespace and `_`/`-` removed, a trailing unit
/// in brackets ("金额（元）") dropped.
fn header_key(header: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut s: String = header.nfkc().collect::<String>().trim().to_lowercase();
    if s.ends_with(')')
        && let Some(open) = s.rfind('(')
        && open > 0
    {
        s.truncate(open);
    }
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .collect()
}

/// One problem found while importing: file, spreadsheet row (the header is row 1), column, reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportIssue {
    /// Source file (or sheet) name.
    pub file: String,
    /// Spreadsheet row number (header = 1, first data row = 2); `None` for a whole-file issue.
    pub row: Option<u64>,
    /// Canonical column (or source header) concerned.
    pub column: String,
    /// The offending value as found, if any.
    pub value: Option<String>,
    /// Why, in Chinese.
    pub reason: String,
    /// Whether the value was still kept (e.g. an ID number with a wrong check digit).
    pub kept: bool,
}
