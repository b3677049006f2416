//! Comparison models (比对模型): SQL over the canonical datasets plus parameters, producing
//! findings (疑点) with evidence rows.
//!
//! A model's SQL returns one row per piece of evidence with two special columns, `subject`
//! and `period` (NULL or '' when the model has no period); every other column is evidence.
//! Rows are grouped into one [`Finding`] per (model, subject, period).

mod custom;
mod engine;
mod library;
mod materialize;
mod template;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use custom::validate_select;
pub use engine::{Engine, ModelRun, RunOptions, findings_from_batches};
pub use library::{BUILTIN_IDS, builtin, builtin_models};

/// How serious a finding of a model is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// 高.
    High,
    /// 中.
    Medium,
    /// 低.
    Low,
}

impl Severity {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Severity::High => "高",
            Severity::Medium => "中",
            Severity::Low => "低",
        }
    }
}

/// What a finding's subject key identifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// A person, keyed by ID number.
    Person,
    /// A household, keyed by household id.
    Household,
    /// An enterprise, keyed by credit code.
    Enterprise,
    /// A tender, keyed by tender id.
    Tender,
    /// A buyer's budget item, keyed by `buyer|budget_item`.
    BudgetItem,
    /// A buyer (采购人, a public body), keyed by its normalised name.
    Buyer,
}

impl SubjectKind {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            SubjectKind::Person => "人员",
            SubjectKind::Household => "家庭",
            SubjectKind::Enterprise => "企业",
            SubjectKind::Tender => "招标项目",
            SubjectKind::BudgetItem => "预算项目",
            SubjectKind::Buyer => "采购人",
        }
    }
}

/// A parameter value: flag, whole number, number, text or list of texts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// Yes/no.
    Bool(bool),
    /// Whole number.
    Int(i64),
    /// Decimal number.
    Number(f64),
    /// One text.
    Text(String),
    /// Several texts (keywords, program names…).
    List(Vec<String>),
}

impl ParamValue {
    fn type_label(&self) -> &'static str {
        match self {
            ParamValue::Bool(_) => "是/否",
            ParamValue::Int(_) => "整数",
            ParamValue::Number(_) => "数值",
            ParamValue::Text(_) => "文本",
            ParamValue::List(_) => "文本列表",
        }
    }

    /// This value coerced to the type of `like` (an integer is accepted for a number, a single
    /// text for a list); `None` when incompatible.
    fn coerce_to(&self, like: &ParamValue) -> Option<ParamValue> {
        match (self, like) {
            (ParamValue::Bool(b), ParamValue::Bool(_)) => Some(ParamValue::Bool(*b)),
            (ParamValue::Int(i), ParamValue::Int(_)) => Some(ParamValue::Int(*i)),
            (ParamValue::Number(f), ParamValue::Int(_)) if f.fract() == 0.0 => Some(ParamValue::Int(*f as i64)),
            (ParamValue::Int(i), ParamValue::Number(_)) => Some(ParamValue::Number(*i as f64)),
            (ParamValue::Number(f), ParamValue::Number(_)) => Some(ParamValue::Number(*f)),
            (ParamValue::Text(s), ParamValue::Text(_)) => Some(ParamValue::Text(s.clone())),
            (ParamValue::Text(s), ParamValue::List(_)) => Some(ParamValue::List(vec![s.clone()])),
            (ParamValue::List(l), ParamValue::List(_)) => Some(ParamValue::List(l.clone())),
            _ => None,
        }
    }
}

/// One named parameter of a model with its current value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    /// Identifier used in the SQL template (`{{name}}`) and in overrides.
    pub name: String,
    /// Chinese label.
    pub label: String,
    /// Current value (the default unless overridden).
    pub value: ParamValue,
}

/// Parameter overrides for one run: name → value.
pub type ParamOverrides = BTreeMap<String, ParamValue>;

/// A comparison model: SQL template, parameters, explanation template, severity, subject kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Stable id (used in findings, the CLI and truth files).
    pub id: String,
    /// Version of the model definition; a finding records it.
    pub version: u32,
    /// Chinese title.
    pub title: String,
    /// What the subject key identifies.
    pub subject_kind: SubjectKind,
    /// Severity of its findings.
    pub severity: Severity,
    /// SQL template over the canonical tables; `{{param}}` and `{{list ~ expr}}` are substituted.
    pub sql: String,
    /// Chinese explanation template; `{subject}`, `{period}`, `{count}`, parameters and evidence
    /// columns of the first evidence row are substituted.
    pub explanation: String,
    /// Parameters with their current values.
    pub params: Vec<Param>,
    /// Whether this is a built-in model (custom ones are validated as read-only SELECTs).
    pub builtin: bool,
}

impl Model {
    /// A custom model written by authorised staff; its SQL must be a single read-only SELECT.
    pub fn custom(
        id: &str,
        title: &str,
        subject_kind: SubjectKind,
        severity: Severity,
        sql: &str,
        explanation: &str,
        params: Vec<Param>,
    ) -> Result<Model, ModelError> {
        let model = Model {
            id: id.to_string(),
            version: 1,
            title: title.to_string(),
            subject_kind,
            severity,
            sql: sql.to_string(),
            explanation: explanation.to_string(),
            params,
            builtin: false,
        };
        validate_select(&model.render_sql()?)?;
        Ok(model)
    }

    /// The current value of a parameter.
    pub fn param(&self, name: &str) -> Option<&ParamValue> {
        self.params.iter().find(|p| p.name == name).map(|p| &p.value)
    }

    /// A copy of this model with some parameters changed for one run.
    pub fn with_params(&self, overrides: &ParamOverrides) -> Result<Model, ModelError> {
        let mut model = self.clone();
        for (name, value) in overrides {
            let param = model
                .params
                .iter_mut()
                .find(|p| &p.name == name)
                .ok_or_else(|| ModelError::UnknownParam {
                    model: self.id.clone(),
                    name: name.clone(),
                })?;
            param.value = value.coerce_to(&param.value).ok_or_else(|| ModelError::ParamType {
                name: name.clone(),
                expected: param.value.type_label(),
            })?;
        }
        Ok(model)
    }

    /// The SQL with parameters substituted.
    pub fn render_sql(&self) -> Result<String, ModelError> {
        template::render_sql(&self.sql, &self.params)
    }
}

/// One suspicious result of a model, with the source rows that produced it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Model id.
    pub model: String,
    /// Model version the finding came from.
    pub model_version: u32,
    /// What the subject key identifies.
    pub subject_kind: SubjectKind,
    /// Subject key: ID number, household id, credit code, tender id or `buyer|budget_item`.
    pub subject: String,
    /// Month 'YYYY-MM', or empty.
    pub period: String,
    /// Severity.
    pub severity: Severity,
    /// Chinese explanation sentence.
    pub explanation: String,
    /// Evidence rows (JSON objects), without duplicates, ordered by their values (so that runs
    /// on any engine give the same finding).
    pub evidence: Vec<serde_json::Value>,
}

/// Why a model could not be prepared or run.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// Override of a parameter the model does not have.
    #[error("模型{model}没有参数“{name}”")]
    UnknownParam {
        /// Model id.
        model: String,
        /// Parameter name.
        name: String,
    },
    /// Override of the wrong type.
    #[error("参数“{name}”的值应为{expected}")]
    ParamType {
        /// Parameter name.
        name: String,
        /// Expected type (Chinese).
        expected: &'static str,
    },
    /// The SQL template is malformed or names an unknown parameter.
    #[error("模型SQL模板错误：{0}")]
    Template(String),
    /// A custom query is not a single read-only SELECT.
    #[error("只允许单条只读查询（SELECT）：{0}")]
    NotReadOnly(String),
    /// The query result lacks a required column.
    #[error("查询结果缺少“{0}”列：模型查询须返回subject列（可选period列）")]
    MissingColumn(&'static str),
    /// Planning or execution failed.
    #[error("模型查询执行失败：{0}")]
    Query(String),
    /// The run used more memory than allowed.
    #[error("模型运行超出内存上限：{0}")]
    Memory(String),
    /// The run took longer than allowed.
    #[error("模型运行超时（超过{0}秒），已停止")]
    Timeout(u64),
    /// The run was cancelled.
    #[error("模型运行已取消")]
    Cancelled,
    /// The datasets could not be loaded or registered.
    #[error(transparent)]
    Load(#[from] crate::dataset::LoadError),
    /// The dataset store could not be read or registered.
    #[error(transparent)]
    Store(#[from] crate::dataset::StoreError),
}

impl From<datafusion::error::DataFusionError> for ModelError {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        match e.find_root() {
            datafusion::error::DataFusionError::ResourcesExhausted(m) => ModelError::Memory(m.clone()),
            _ => ModelError::Query(e.to_string()),
        }
    }
}
