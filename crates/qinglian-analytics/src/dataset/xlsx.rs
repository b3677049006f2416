//! Reading Excel workbooks (.xlsx) into raw tables of text columns.
//!
//! The worksheet is streamed cell by cell with calamine's `XlsxCellReader` (no `Range` of every
//! cell is built): each cell is rendered as text straight into one Arrow `StringBuilder` per
//! column, and a record batch is cut every [`BATCH_ROWS`] rows. Row 1 is the header.
//!
//! Cell rendering: text as is; whole numbers without a spurious ".0"; other numbers in their
//! shortest form (at most 15 significant digits, as Excel shows them); dates as `YYYY-MM-DD`
//! (`YYYY-MM-DD HH:MM:SS` with a time of day); booleans as `TRUE`/`FALSE`. A numeric cell of
//! 10^15 or more is kept with all its digits but reported: Excel keeps only 15 significant
//! digits of a number, so an 18-digit ID number typed into a numeric cell has already lost its
//! last digits and must be re-exported as text. Error cells (`#N/A`…) are reported and left
//! empty. Interior empty rows are kept as empty rows (so that row numbers in the error report
//! are Excel's own; normalisation drops them), trailing ones are dropped.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;

use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx, XlsxError, open_workbook};
use datafusion::arrow::array::{Array, ArrayRef, RecordBatch, StringBuilder, new_null_array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};

use super::ImportIssue;
use super::load::LoadError;
use super::normalize::RawTable;

/// Rows per record batch.
const BATCH_ROWS: usize = 65_536;

/// Numbers from this magnitude on may have lost digits in Excel (15 significant digits).
const LOST_DIGITS_FROM: f64 = 1e15;

/// At most this many cells per column are reported individually for the same problem; the
/// rest are summed up in one more issue (a whole ID column typed as numbers would otherwise
/// give a million identical lines).
const ISSUES_PER_COLUMN: usize = 1_000;

type Workbook = Xlsx<BufReader<File>>;

/// Reads the first visible worksheet of an .xlsx file (header in row 1) into a raw table.
pub fn read_xlsx(path: &Path) -> Result<RawTable, LoadError> {
    let mut workbook = open(path)?;
    let sheets = workbook.sheets_metadata();
    let worksheets = || sheets.iter().filter(|s| s.typ == SheetType::WorkSheet);
    let name = worksheets()
        .find(|s| s.visible == SheetVisible::Visible)
        .or_else(|| worksheets().next())
        .map(|s| s.name.clone())
        .ok_or_else(|| xlsx_error(path, "工作簿中没有工作表".to_string()))?;
    read_sheet(path, &mut workbook, &name)
}

/// Reads the worksheet named `sheet` of an .xlsx file (header in row 1) into a raw table.
pub fn read_xlsx_sheet(path: &Path, sheet: &str) -> Result<RawTable, LoadError> {
    let mut workbook = open(path)?;
    if !workbook.sheet_names().iter().any(|n| n == sheet) {
        return Err(xlsx_error(path, format!("工作簿中没有名为“{sheet}”的工作表")));
    }
    read_sheet(path, &mut workbook, sheet)
}

/// The names of the worksheets of an .xlsx file, in workbook order (chart sheets excluded).
pub fn xlsx_sheet_names(path: &Path) -> Result<Vec<String>, LoadError> {
    let workbook = open(path)?;
    Ok(workbook
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect())
}

fn xlsx_error(path: &Path, message: String) -> LoadError {
    LoadError::Xlsx {
        path: path.display().to_string(),
        message,
    }
}

fn open(path: &Path) -> Result<Workbook, LoadError> {
    open_workbook::<Workbook, _>(path).map_err(|e| match e {
        XlsxError::Io(source) => LoadError::Io {
            path: path.display().to_string(),
            source,
        },
        e => xlsx_error(path, describe(&e)),
    })
}

/// A Chinese description of a calamine error.
fn describe(e: &XlsxError) -> String {
    match e {
        XlsxError::Zip(_) => "不是有效的.xlsx文件（可能是旧版.xls、加密或已损坏的文件）".to_string(),
        XlsxError::Xml(_) | XlsxError::XmlAttr(_) | XlsxError::XmlEof(_) => {
            format!("文件内容已损坏（{e}）")
        }
        _ => format!("{e}"),
    }
}

fn read_sheet(path: &Path, workbook: &mut Workbook, sheet: &str) -> Result<RawTable, LoadError> {
    let mut cells = workbook
        .worksheet_cells_reader(sheet)
        .map_err(|e| xlsx_error(path, format!("工作表“{sheet}”无法读取：{}", describe(&e))))?;
    let mut table = TableBuilder::new(sheet);
    let mut text = String::new();
    while let Some(cell) = cells
        .next_cell()
        .map_err(|e| xlsx_error(path, format!("工作表“{sheet}”无法读取：{}", describe(&e))))?
    {
        let (row, col) = cell.get_position();
        let (row, col) = (row as usize, col as usize);
        text.clear();
        let value: Option<&str> = match cell.get_value() {
            DataRef::Empty => None,
            DataRef::SharedString(s) => Some(*s),
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Some(s.as_str()),
            DataRef::Int(i) => {
                write_int(&mut text, *i);
                if (*i as f64).abs() >= LOST_DIGITS_FROM {
                    table.long_number(row, col, &text);
                }
                Some(&text)
            }
            DataRef::Float(f) => {
                write_number(&mut text, *f);
                if f.abs() >= LOST_DIGITS_FROM && f.is_finite() {
                    table.long_number(row, col, &text);
                }
                Some(&text)
            }
            DataRef::Bool(b) => Some(if *b { "TRUE" } else { "FALSE" }),
            DataRef::DateTime(d) => {
                write_datetime(&mut text, d);
                Some(&text)
            }
            DataRef::Error(e) => {
                table.error_cell(row, col, &e.to_string());
                None
            }
        };
        match value {
            Some(v) if !v.trim().is_empty() => table.push(row, col, v).map_err(LoadError::Arrow)?,
            _ => {}
        }
    }
    let mut raw = table.finish().map_err(LoadError::Arrow)?;
    raw.file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(raw)
}

fn write_int(out: &mut String, i: i64) {
    use std::fmt::Write;
    let _ = write!(out, "{i}");
}

/// A number as Excel shows it in a General cell: integers without ".0" and with every digit,
/// others in their shortest form limited to 15 significant digits.
fn write_number(out: &mut String, f: f64) {
    use std::fmt::Write;
    if !f.is_finite() {
        let _ = write!(out, "{f}");
    } else if f.fract() == 0.0 {
        if f.abs() < 9.0e18 {
            let _ = write!(out, "{}", f as i64);
        } else {
            let _ = write!(out, "{f:.0}");
        }
    } else {
        let start = out.len();
        let _ = write!(out, "{f}");
        let significant = out[start..].bytes().filter(u8::is_ascii_digit).count();
        let leading_zeros = out[start..]
            .bytes()
            .skip_while(|b| !b.is_ascii_digit())
            .take_while(|b| *b == b'0' || *b == b'.')
            .filter(|b| *b == b'0')
            .count();
        if significant - leading_zeros > 15 {
            // Excel's own precision: round to 15 significant digits, drop trailing zeros.
            out.truncate(start);
            let magnitude = f.abs().log10().floor() as i32;
            let decimals = (14 - magnitude).clamp(0, 20) as usize;
            let _ = write!(out, "{f:.decimals$}");
            if out[start..].contains('.') {
                let trimmed = out[start..].trim_end_matches('0').trim_end_matches('.').len();
                out.truncate(start + trimmed);
            }
        }
    }
}

/// A date cell as `YYYY-MM-DD`, with ` HH:MM:SS` when it has a time of day; a pure time (serial
/// below 1) as `HH:MM:SS`; a duration as `[h]:MM:SS`.
fn write_datetime(out: &mut String, d: &calamine::ExcelDateTime) {
    use std::fmt::Write;
    if d.is_duration() {
        let seconds = (d.as_f64() * 86_400.0).round() as i64;
        let _ = write!(
            out,
            "{}:{:02}:{:02}",
            seconds / 3600,
            (seconds % 3600).abs() / 60,
            seconds.abs() % 60
        );
        return;
    }
    let (y, mo, day, h, mi, s, ms) = d.to_ymd_hms_milli();
    let has_time = h != 0 || mi != 0 || s != 0 || ms != 0;
    if d.as_f64() < 1.0 && d.as_f64() >= 0.0 {
        let _ = write!(out, "{h:02}:{mi:02}:{s:02}");
    } else if has_time {
        let _ = write!(out, "{y:04}-{mo:02}-{day:02} {h:02}:{mi:02}:{s:02}");
    } else {
        let _ = write!(out, "{y:04}-{mo:02}-{day:02}");
    }
}

/// Excel's column letters: 0 → A, 25 → Z, 26 → AA.
fn column_letters(mut col: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

/// Accumulates streamed cells into record batches of text columns.
struct TableBuilder {
    sheet: String,
    /// Header text per column (row 1).
    header: Vec<Option<String>>,
    /// Builders of the current batch, one per column seen so far.
    builders: Vec<StringBuilder>,
    /// Values (or nulls) appended to each builder in the current batch.
    lens: Vec<usize>,
    /// Complete rows in the current batch.
    rows: usize,
    /// The sheet row (0-based) being filled, if any data row has started.
    current: Option<usize>,
    /// Finished batches: row count and one array per column known at the time.
    batches: Vec<(usize, Vec<ArrayRef>)>,
    issues: Vec<ImportIssue>,
    /// Per column: issues reported so far and cells left unreported.
    issue_counts: Vec<(usize, usize)>,
}

impl TableBuilder {
    fn new(sheet: &str) -> TableBuilder {
        TableBuilder {
            sheet: sheet.to_string(),
            header: Vec::new(),
            builders: Vec::new(),
            lens: Vec::new(),
            rows: 0,
            current: None,
            batches: Vec::new(),
            issues: Vec::new(),
            issue_counts: Vec::new(),
        }
    }

    /// Adds a non-empty cell.
    fn push(&mut self, row: usize, col: usize, value: &str) -> Result<(), datafusion::arrow::error::ArrowError> {
        if row == 0 {
            if self.header.len() <= col {
                self.header.resize(col + 1, None);
            }
            self.header[col] = Some(value.trim().to_string());
            return Ok(());
        }
        self.start_row(row)?;
        if self.builders.len() <= col {
            self.builders.resize_with(col + 1, StringBuilder::new);
            self.lens.resize(col + 1, 0);
        }
        let len = &mut self.lens[col];
        if *len > self.rows {
            // A second cell at the same position (malformed file): keep the first.
            return Ok(());
        }
        let builder = &mut self.builders[col];
        if *len < self.rows {
            builder.append_nulls(self.rows - *len);
        }
        builder.append_value(value);
        *len = self.rows + 1;
        Ok(())
    }

    /// Makes sheet row `row` (0-based, > 0) the current one, completing the rows before it;
    /// empty rows in between become empty rows.
    fn start_row(&mut self, row: usize) -> Result<(), datafusion::arrow::error::ArrowError> {
        let previous = match self.current {
            // Rows out of order do not occur in files written by Excel or WPS; in a malformed
            // file such a cell joins the current row rather than failing the import.
            Some(current) if row <= current => return Ok(()),
            Some(current) => {
                self.end_row()?;
                current
            }
            None => 0,
        };
        for _ in previous + 1..row {
            self.end_row()?;
        }
        self.current = Some(row);
        Ok(())
    }

    fn end_row(&mut self) -> Result<(), datafusion::arrow::error::ArrowError> {
        self.rows += 1;
        if self.rows == BATCH_ROWS {
            self.finish_batch();
        }
        Ok(())
    }

    fn finish_batch(&mut self) {
        let rows = self.rows;
        let arrays = self
            .builders
            .iter_mut()
            .zip(self.lens.iter_mut())
            .map(|(b, len)| {
                if *len < rows {
                    b.append_nulls(rows - *len);
                }
                *len = 0;
                let bytes = b.values_slice().len();
                let array = Arc::new(b.finish()) as ArrayRef;
                *b = StringBuilder::with_capacity(BATCH_ROWS, bytes + bytes / 8);
                array
            })
            .collect();
        self.batches.push((rows, arrays));
        self.rows = 0;
    }

    fn column_name(&self, col: usize) -> String {
        match self.header.get(col).and_then(Option::as_deref) {
            Some(h) if !h.is_empty() => h.to_string(),
            _ => format!("第{}列", column_letters(col)),
        }
    }

    fn cell_issue(&mut self, row: usize, col: usize, value: Option<&str>, reason: String, kept: bool) {
        if self.issue_counts.len() <= col {
            self.issue_counts.resize(col + 1, (0, 0));
        }
        let counts = &mut self.issue_counts[col];
        if counts.0 < ISSUES_PER_COLUMN {
            counts.0 += 1;
            let column = self.column_name(col);
            self.issues.push(ImportIssue {
                file: String::new(),
                row: Some(row as u64 + 1),
                column,
                value: value.map(str::to_string),
                reason,
                kept,
            });
        } else {
            counts.1 += 1;
        }
    }

    fn long_number(&mut self, row: usize, col: usize, digits: &str) {
        if row == 0 {
            return;
        }
        self.cell_issue(
            row,
            col,
            Some(digits),
            "数值型单元格超过15位有效数字，Excel已将末几位舍入（身份证号等长号码须设为文本格式后重新导出）".to_string(),
            true,
        );
    }

    fn error_cell(&mut self, row: usize, col: usize, code: &str) {
        if row == 0 {
            return;
        }
        // The row exists even if this is its only cell, so the error points at a real row.
        if self.start_row(row).is_err() {
            return;
        }
        self.cell_issue(
            row,
            col,
            Some(code),
            format!("单元格为错误值{code}（公式出错），按空值处理"),
            false,
        );
    }

    fn finish(mut self) -> Result<RawTable, datafusion::arrow::error::ArrowError> {
        if self.current.is_some() {
            self.end_row()?;
        }
        if self.rows > 0 {
            self.finish_batch();
        }
        let width = self
            .batches
            .iter()
            .map(|(_, a)| a.len())
            .max()
            .unwrap_or(0)
            .max(self.header.len());
        let has_header = self.header.iter().any(|h| h.as_deref().is_some_and(|h| !h.is_empty()));
        let data_rows: usize = self.batches.iter().map(|(n, _)| n).sum();
        let sheet_issue = |reason: String| ImportIssue {
            file: String::new(),
            row: None,
            column: String::new(),
            value: None,
            reason,
            kept: false,
        };
        if !has_header && data_rows == 0 {
            self.issues
                .push(sheet_issue(format!("工作表“{}”为空：没有表头和数据", self.sheet)));
        } else if !has_header {
            self.issues.push(sheet_issue(format!(
                "工作表“{}”第1行（表头）为空：表头应在第1行，各列暂以“第A列”等列号命名",
                self.sheet
            )));
        } else if data_rows == 0 {
            self.issues
                .push(sheet_issue(format!("工作表“{}”只有表头，没有数据行", self.sheet)));
        }
        for (col, (_, unreported)) in self.issue_counts.iter().enumerate() {
            if *unreported > 0 {
                let mut issue = sheet_issue(format!("另有{unreported}个单元格存在同样的问题，未逐一列出"));
                issue.column = self.column_name(col);
                self.issues.push(issue);
            }
        }
        // Keep a column if it has a header or any value; name it, keeping names distinct.
        let mut keep: Vec<usize> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for col in 0..width {
            let has_values = self
                .batches
                .iter()
                .any(|(_, arrays)| arrays.get(col).is_some_and(|a| a.null_count() < a.len()));
            let header = self.header.get(col).and_then(Option::as_deref).unwrap_or("");
            if header.is_empty() && !has_values {
                continue;
            }
            let mut name = self.column_name(col);
            if names.contains(&name) {
                name = format!("{name}（{}列）", column_letters(col));
            }
            keep.push(col);
            names.push(name);
        }
        let schema = Arc::new(Schema::new(
            names
                .iter()
                .map(|n| Field::new(n, DataType::Utf8, true))
                .collect::<Vec<_>>(),
        ));
        let mut batches = Vec::with_capacity(self.batches.len());
        for (rows, arrays) in self.batches {
            let columns: Vec<ArrayRef> = keep
                .iter()
                .map(|&c| {
                    arrays
                        .get(c)
                        .cloned()
                        .unwrap_or_else(|| new_null_array(&DataType::Utf8, rows))
                })
                .collect();
            batches.push(RecordBatch::try_new_with_options(
                schema.clone(),
                columns,
                &datafusion::arrow::array::RecordBatchOptions::new().with_row_count(Some(rows)),
            )?);
        }
        Ok(RawTable {
            file: String::new(),
            schema,
            batches,
            first_row: 2,
            issues: self.issues,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(f: f64) -> String {
        let mut s = String::new();
        write_number(&mut s, f);
        s
    }

    #[test]
    fn numbers_render_as_excel_shows_them() {
        assert_eq!(number(42.0), "42");
        assert_eq!(number(-3.0), "-3");
        assert_eq!(number(1234.56), "1234.56");
        assert_eq!(number(0.1 + 0.2), "0.3");
        assert_eq!(number(110105198001011234.0), "110105198001011232");
        assert_eq!(number(1.5e-7), "0.00000015");
        assert_eq!(number(2.0 / 3.0), "0.666666666666667");
    }

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }
}
