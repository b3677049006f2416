//! Office documents for qinglian: Excel import templates, import with per-row
//! errors, error reports and list exports; official documents (公文) as .docx in the GB/T 9704
//! layout ([`docx`]).

pub mod docx;
pub mod metadata;
mod xlsx;

pub use xlsx::{ExportSheet, error_report_xlsx, export_xlsx, export_xlsx_sheets, read_xlsx, template_xlsx};

use std::collections::BTreeMap;
use std::fmt;

/// Largest number of data rows one import file may hold.
pub const MAX_ROWS: usize = 50_000;

/// Largest import file accepted, in bytes (20 MB).
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// Number of data rows the template pre-formats (text/date formats).
pub const TEMPLATE_ROWS: u32 = 2000;

/// Name of the instructions sheet in generated templates.
pub const HELP_SHEET: &str = "填写说明";

/// One column of an import sheet.
#[derive(Debug, Clone)]
pub struct Column {
    /// Stable machine key used in [`RawRow::values`].
    pub key: &'static str,
    /// Chinese header text, e.g. "身份证号".
    pub header: &'static str,
    /// Whether an empty cell is an error.
    pub required: bool,
    /// How cells are converted.
    pub kind: ColumnKind,
    /// Example value written on row 2 of the template.
    pub example: &'static str,
    /// Help text, e.g. "18位，末位可为X".
    pub note: &'static str,
    /// Other accepted header texts.
    pub aliases: &'static [&'static str],
}

/// How the cells of a column are converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Free text.
    Text,
    /// ID numbers, codes, phones: must stay text.
    Code,
    /// A calendar date, read as "YYYY-MM-DD".
    Date,
    /// 是/否, read as "true"/"false".
    Bool,
    /// A whole number.
    Integer,
}

impl ColumnKind {
    /// Chinese description of the expected format, for help texts.
    pub fn describe(self) -> &'static str {
        match self {
            ColumnKind::Text => "文本",
            ColumnKind::Code => "文本（按原样保留，请勿改为数字格式）",
            ColumnKind::Date => "日期，如 2024-01-05",
            ColumnKind::Bool => "是/否（下拉选择）",
            ColumnKind::Integer => "整数",
        }
    }
}

/// Layout of one import sheet.
#[derive(Debug, Clone)]
pub struct SheetSpec {
    /// Sheet name, e.g. "人员".
    pub sheet: &'static str,
    /// Columns in template order.
    pub columns: Vec<Column>,
}

/// One data row read from an import file; `row` is the 1-based Excel row number the user sees.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRow {
    /// 1-based Excel row number.
    pub row: usize,
    /// Column key → converted text; empty cells and cells that failed conversion are absent.
    pub values: BTreeMap<&'static str, String>,
}

impl RawRow {
    /// The converted value of a column, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }
}

/// A problem found in one cell (or a whole row) of an import file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based Excel row number.
    pub row: usize,
    /// Chinese header of the column, or "" for the whole row.
    pub column: String,
    /// Chinese description of the problem and how to fix it.
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column.is_empty() {
            write!(f, "第{}行：{}", self.row, self.message)
        } else {
            write!(f, "第{}行“{}”列：{}", self.row, self.column, self.message)
        }
    }
}

/// Everything read from an import file: all rows plus all cell-level errors.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadResult {
    /// Data rows in file order (rows with errors included).
    pub rows: Vec<RawRow>,
    /// Cell-level errors, in row order.
    pub errors: Vec<RowError>,
}

impl ReadResult {
    /// Whether the given Excel row has at least one error.
    pub fn row_has_error(&self, row: usize) -> bool {
        self.errors.iter().any(|e| e.row == row)
    }
}

/// One cell of an exported list.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Plain text.
    Text(String),
    /// Code-like text (IDs, phones) written with text format so it stays text.
    Code(String),
    /// Whole number.
    Int(i64),
    /// Decimal number.
    Number(f64),
    /// Date shown as yyyy-mm-dd.
    Date(chrono::NaiveDate),
    /// Nothing.
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Cell::Int(v)
    }
}

impl From<f64> for Cell {
    fn from(v: f64) -> Self {
        Cell::Number(v)
    }
}

impl From<chrono::NaiveDate> for Cell {
    fn from(d: chrono::NaiveDate) -> Self {
        Cell::Date(d)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Empty, Into::into)
    }
}

/// Errors of reading or writing Excel files; messages are shown to users.
#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    /// The bytes are not a readable spreadsheet.
    #[error("文件不是有效的Excel（.xlsx）文件：{0}")]
    NotXlsx(String),
    /// A required column is missing from the header row.
    #[error("缺少必填列“{0}”，请使用系统提供的导入模板")]
    MissingColumn(String),
    /// The sheet has no data rows.
    #[error("表格中没有数据行")]
    Empty,
    /// Writing the workbook failed.
    #[error("生成Excel文件失败：{0}")]
    Write(String),
    /// More data rows than [`MAX_ROWS`].
    #[error("数据行数超过上限：文件共有{0}行数据，单次最多导入50000行，请拆分成多个文件分批导入")]
    TooManyRows(usize),
    /// File larger than [`MAX_BYTES`].
    #[error("文件超过20MB上限，请删除无关的工作表、图片或拆分成多个文件后再导入")]
    TooLarge,
}
