//! Reading and writing .xlsx files with calamine and rust_xlsxwriter.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, ExcelDateTime, ExcelDateTimeType, Reader, Xlsx, XlsxError};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, ExcelDateTime as WriteDateTime, Format, FormatAlign, FormatBorder,
    Note, Workbook, Worksheet, XlsxError as WriteError,
};

use crate::{
    Cell, Column, ColumnKind, HELP_SHEET, MAX_BYTES, MAX_ROWS, OfficeError, RawRow, ReadResult, RowError, SheetSpec,
    TEMPLATE_ROWS,
};

/// Fill colour of required headers in the template.
const REQUIRED_FILL: u32 = 0xF8CBAD;
/// Fill colour of optional headers in the template.
const OPTIONAL_FILL: u32 = 0xD9E1F2;
/// Excel number format for dates.
const DATE_FORMAT: &str = "yyyy-mm-dd";
/// Numbers at or above this cannot be exact integers typed by a user (Excel keeps 15 digits).
const CODE_NUMBER_LIMIT: f64 = 1e15;
/// How many leading non-empty rows are searched for the header row.
const HEADER_SCAN_ROWS: usize = 10;
/// Largest integral float converted to an integer without precision loss.
const SAFE_INTEGER: f64 = 9_007_199_254_740_992.0;

// ---------------------------------------------------------------------------
// Template
// ---------------------------------------------------------------------------

/// Template .xlsx: exact headers (required ones filled and noted), a grey example row, text/date formats, 是/否 lists and a "填写说明" sheet.
pub fn template_xlsx(spec: &SheetSpec) -> Result<Vec<u8>, OfficeError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sanitize_sheet_name(spec.sheet)).map_err(write_error)?;
    write_template_sheet(sheet, spec).map_err(write_error)?;

    let help = workbook.add_worksheet();
    help.set_name(HELP_SHEET).map_err(write_error)?;
    write_help_sheet(help, spec).map_err(write_error)?;

    workbook.save_to_buffer().map_err(write_error)
}

fn write_template_sheet(sheet: &mut Worksheet, spec: &SheetSpec) -> Result<(), WriteError> {
    let header_base = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let required_header = header_base.clone().set_background_color(Color::RGB(REQUIRED_FILL));
    let optional_header = header_base.set_background_color(Color::RGB(OPTIONAL_FILL));
    let example = Format::new().set_italic().set_font_color(Color::Gray);
    let example_text = example.clone().set_num_format("@");
    let text = Format::new().set_num_format("@");
    let date = Format::new().set_num_format(DATE_FORMAT);
    let last_row = TEMPLATE_ROWS + 1;

    sheet.set_row_height(0, 24)?;
    for (i, column) in spec.columns.iter().enumerate() {
        let col = col_num(i)?;
        let header_format = if column.required {
            &required_header
        } else {
            &optional_header
        };
        sheet.write_string_with_format(0, col, column.header, header_format)?;
        sheet.insert_note(
            0,
            col,
            &Note::new(column_note(column)).add_author_prefix(false).set_width(240),
        )?;

        let example_format = match column.kind {
            ColumnKind::Code => &example_text,
            _ => &example,
        };
        if !column.example.is_empty() {
            sheet.write_string_with_format(1, col, column.example, example_format)?;
        }

        match column.kind {
            ColumnKind::Code | ColumnKind::Date => {
                let format = if column.kind == ColumnKind::Code { &text } else { &date };
                sheet.set_column_format(col, format)?;
                for row in 2..=last_row {
                    sheet.write_blank(row, col, format)?;
                }
            }
            ColumnKind::Bool => {
                let validation = DataValidation::new()
                    .allow_list_strings(&["是", "否"])?
                    .set_error_style(DataValidationErrorStyle::Stop)
                    .set_error_title("输入有误")?
                    .set_error_message(format!("“{}”只能填写“是”或“否”，请从下拉列表中选择", column.header))?;
                sheet.add_data_validation(1, col, last_row, col, &validation)?;
            }
            ColumnKind::Text | ColumnKind::Integer => {}
        }

        let min = if column.kind == ColumnKind::Code { 22 } else { 10 };
        let width = display_width(column.header)
            .max(display_width(column.example))
            .saturating_add(4)
            .clamp(min, 50);
        sheet.set_column_width(col, width as f64)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

fn column_note(column: &Column) -> String {
    let mut text = String::from(if column.required { "必填" } else { "选填" });
    text.push_str("。格式：");
    text.push_str(column.kind.describe());
    if !column.note.is_empty() {
        text.push('。');
        text.push_str(column.note);
    }
    text
}

fn write_help_sheet(sheet: &mut Worksheet, spec: &SheetSpec) -> Result<(), WriteError> {
    let bold = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(OPTIONAL_FILL));
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    let required = cell.clone().set_background_color(Color::RGB(REQUIRED_FILL));

    let headers = ["列名", "是否必填", "格式", "说明", "示例"];
    for (i, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col_num(i)?, *h, &bold)?;
    }
    let mut row: u32 = 1;
    for column in &spec.columns {
        let mut note = column.note.to_owned();
        if !column.aliases.is_empty() {
            if !note.is_empty() {
                note.push('；');
            }
            note.push_str("表头也可写作：");
            note.push_str(&column.aliases.join("、"));
        }
        let (flag, flag_format) = if column.required {
            ("必填", &required)
        } else {
            ("选填", &cell)
        };
        sheet.write_string_with_format(row, 0, column.header, &cell)?;
        sheet.write_string_with_format(row, 1, flag, flag_format)?;
        sheet.write_string_with_format(row, 2, column.kind.describe(), &cell)?;
        sheet.write_string_with_format(row, 3, note, &cell)?;
        sheet.write_string_with_format(row, 4, column.example, &cell)?;
        row += 1;
    }

    row += 1;
    let tips = [
        "填写提示：".to_owned(),
        format!("1. 请在“{}”工作表中填写，第1行为表头，请勿修改表头文字。", spec.sheet),
        "2. 表头为橙色底色的列为必填项；鼠标移到表头上可查看该列说明。".to_owned(),
        "3. 第2行灰色斜体为示例，导入时如未修改会自动跳过，可直接覆盖或删除。".to_owned(),
        "4. 身份证号、电话等代码类列已设为文本格式，请勿改为数字格式，否则18位号码末几位会丢失。".to_owned(),
        "5. 日期请按 2024-01-05 的格式填写；是/否列请从下拉列表中选择。".to_owned(),
        format!("6. 单个文件最多{MAX_ROWS}行数据，文件大小不超过20MB。"),
    ];
    for tip in tips {
        sheet.write_string(row, 0, tip)?;
        row += 1;
    }

    for (i, width) in [16.0, 10.0, 30.0, 50.0, 24.0].into_iter().enumerate() {
        sheet.set_column_width(col_num(i)?, width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------

/// Read an import file against a spec, returning all rows plus all cell-level errors.
///
/// Uses the sheet named `spec.sheet` if present, else the first sheet that is not "填写说明".
/// The header is the first non-empty row (or, if that names no known column, the first of
/// the next few that does, so a title row above the header is tolerated). Rows whose spec
/// columns are all empty are skipped, and so is an untouched template example row. Cells that
/// fail conversion are left out of [`RawRow::values`] and reported in [`ReadResult::errors`].
pub fn read_xlsx(spec: &SheetSpec, bytes: &[u8]) -> Result<ReadResult, OfficeError> {
    if bytes.len() > MAX_BYTES {
        return Err(OfficeError::TooLarge);
    }
    let sheet = load_sheet(spec, bytes)?;

    // The header is the first non-empty row, unless that row (a title such as
    // "某某单位人员名单") names no known column and a later one among the first few does.
    let candidates = &sheet.rows[..sheet.rows.len().min(HEADER_SCAN_ROWS)];
    let Some(first) = candidates.first() else {
        return Err(OfficeError::Empty);
    };
    let header_pos = candidates
        .iter()
        .position(|(_, cells)| {
            cells
                .iter()
                .any(|(_, c)| find_column(spec, &normalize_header(&display_text(c))).is_some())
        })
        .unwrap_or(0);
    let (header_row, header_cells) = candidates.get(header_pos).unwrap_or(first);
    let mut errors = Vec::new();
    let mapping = map_headers(spec, header_cells, excel_row(*header_row), &mut errors)?;

    let data = &sheet.rows[header_pos + 1..];
    if sheet.truncated {
        // Every stored row but the header counts; beyond the cap only non-empty rows were counted.
        return Err(OfficeError::TooManyRows(sheet.non_empty_rows - header_pos - 1));
    }
    // Count first so an oversized file is rejected before any conversion work.
    let data_count = data.iter().filter(|(_, cells)| !row_is_blank(cells, &mapping)).count();
    if data_count > MAX_ROWS + 1 {
        return Err(OfficeError::TooManyRows(data_count));
    }

    let mut rows = Vec::new();
    let mut first_data_row = true;
    for (row, cells) in data {
        if row_is_blank(cells, &mapping) {
            continue;
        }
        if std::mem::take(&mut first_data_row) && is_example_row(spec, cells, &mapping) {
            continue;
        }
        let excel_row = excel_row(*row);
        let mut values = BTreeMap::new();
        for &(col, column) in &mapping {
            match convert(column, cell_at(cells, col)) {
                Ok(Some(value)) => {
                    values.insert(column.key, value);
                }
                Ok(None) if column.required => errors.push(RowError {
                    row: excel_row,
                    column: column.header.to_owned(),
                    message: format!("必填项“{}”为空", column.header),
                }),
                Ok(None) => {}
                Err(message) => errors.push(RowError {
                    row: excel_row,
                    column: column.header.to_owned(),
                    message,
                }),
            }
        }
        rows.push(RawRow { row: excel_row, values });
    }

    if rows.len() > MAX_ROWS {
        return Err(OfficeError::TooManyRows(rows.len()));
    }
    if rows.is_empty() {
        return Err(OfficeError::Empty);
    }
    errors.sort_by_key(|e| e.row);
    Ok(ReadResult { rows, errors })
}

/// Non-blank cells of one row as (0-based column, value), sorted by column.
type SparseRow = Vec<(u32, Data)>;

/// The non-blank cells of a worksheet, kept sparse so a stray cell at XFD1048576 costs nothing.
struct SheetCells {
    /// (0-based row, cells) for rows with at least one non-blank cell, sorted by row.
    rows: Vec<(u32, SparseRow)>,
    /// Number of rows with a non-blank cell, including those not stored.
    non_empty_rows: usize,
    /// Whether rows beyond the storage cap were dropped.
    truncated: bool,
}

fn excel_row(row: u32) -> usize {
    row as usize + 1
}

fn cell_at(cells: &[(u32, Data)], col: u32) -> &Data {
    cells
        .binary_search_by_key(&col, |(c, _)| *c)
        .map_or(&Data::Empty, |i| &cells[i].1)
}

fn load_sheet(spec: &SheetSpec, bytes: &[u8]) -> Result<SheetCells, OfficeError> {
    const BROKEN: &str = "无法读取文件内容，文件可能已损坏或不是Excel表格；请用Excel打开后“另存为”.xlsx格式再导入";
    const OLD_XLS: &str = "这是旧版.xls格式的文件，请用Excel打开后“另存为”.xlsx格式（Excel工作簿）再导入";
    let not_xlsx = |detail: &str| OfficeError::NotXlsx(detail.to_owned());

    let mut workbook = match calamine::open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes)) {
        Ok(workbook) => workbook,
        Err(XlsxError::Password) => {
            return Err(not_xlsx("文件设置了打开密码，请取消密码保护后再导入"));
        }
        // OLE compound file signature: a legacy .xls workbook.
        Err(_) if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) => return Err(not_xlsx(OLD_XLS)),
        Err(_) => return Err(not_xlsx(BROKEN)),
    };
    let name = pick_sheet(spec, &workbook.sheet_names()).ok_or(OfficeError::Empty)?;
    let mut reader = workbook.worksheet_cells_reader(&name).map_err(|_| not_xlsx(BROKEN))?;

    // Stream cells instead of building calamine's dense Range, and stop storing once there
    // are clearly too many rows (still counting them for the error message).
    let cap = MAX_ROWS + HEADER_SCAN_ROWS + 2;
    let mut rows: BTreeMap<u32, SparseRow> = BTreeMap::new();
    let mut overflow: std::collections::BTreeSet<u32> = std::collections::BTreeSet::new();
    while let Some(cell) = reader.next_cell().map_err(|_| not_xlsx(BROKEN))? {
        let (row, col) = cell.get_position();
        let data: Data = cell.get_value().clone().into();
        if is_blank(&data) {
            continue;
        }
        if rows.len() < cap || rows.contains_key(&row) {
            rows.entry(row).or_default().push((col, data));
        } else {
            overflow.insert(row);
        }
    }
    let truncated = !overflow.is_empty();
    let non_empty_rows = rows.len() + overflow.len();
    let rows = rows
        .into_iter()
        .map(|(row, mut cells)| {
            cells.sort_by_key(|(c, _)| *c);
            cells.dedup_by_key(|(c, _)| *c);
            (row, cells)
        })
        .collect();
    Ok(SheetCells {
        rows,
        non_empty_rows,
        truncated,
    })
}

fn pick_sheet(spec: &SheetSpec, names: &[String]) -> Option<String> {
    let wanted = normalize_header(spec.sheet);
    names
        .iter()
        .find(|n| normalize_header(n) == wanted)
        .or_else(|| names.iter().find(|n| n.trim() != HELP_SHEET))
        .or_else(|| names.first())
        .cloned()
}

/// Maps spec columns to 0-based worksheet columns.
fn map_headers<'a>(
    spec: &'a SheetSpec,
    header: &[(u32, Data)],
    header_row: usize,
    errors: &mut Vec<RowError>,
) -> Result<Vec<(u32, &'a Column)>, OfficeError> {
    let mut mapping: Vec<(u32, &Column)> = Vec::new();
    for (col, cell) in header {
        let Some(column) = find_column(spec, &normalize_header(&display_text(cell))) else {
            continue;
        };
        if let Some(&(first, _)) = mapping.iter().find(|(_, c)| c.key == column.key) {
            errors.push(RowError {
                row: header_row,
                column: column.header.to_owned(),
                message: format!(
                    "表头“{}”在第{}列和第{}列重复出现，已按第{}列读取；请删除重复的列",
                    column.header,
                    column_letters(first as usize),
                    column_letters(*col as usize),
                    column_letters(first as usize),
                ),
            });
            continue;
        }
        mapping.push((*col, column));
    }

    let missing: Vec<&str> = spec
        .columns
        .iter()
        .filter(|c| c.required && !mapping.iter().any(|(_, m)| m.key == c.key))
        .map(|c| c.header)
        .collect();
    if !missing.is_empty() {
        return Err(OfficeError::MissingColumn(missing.join("”、“")));
    }
    Ok(mapping)
}

/// The spec column whose header, key or alias normalizes to `text`.
fn find_column<'a>(spec: &'a SheetSpec, text: &str) -> Option<&'a Column> {
    if text.is_empty() {
        return None;
    }
    spec.columns.iter().find(|c| {
        normalize_header(c.header) == text
            || normalize_header(c.key) == text
            || c.aliases.iter().any(|a| normalize_header(a) == text)
    })
}

fn row_is_blank(cells: &[(u32, Data)], mapping: &[(u32, &Column)]) -> bool {
    mapping.iter().all(|&(col, _)| is_blank(cell_at(cells, col)))
}

fn is_example_row(spec: &SheetSpec, cells: &[(u32, Data)], mapping: &[(u32, &Column)]) -> bool {
    if spec.columns.iter().all(|c| c.example.trim().is_empty()) {
        return false;
    }
    mapping
        .iter()
        .all(|&(col, column)| display_text(cell_at(cells, col)).trim() == column.example.trim())
}

fn is_blank(data: &Data) -> bool {
    match data {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// Converts one cell; `Ok(None)` means empty, `Err` carries a Chinese message.
fn convert(column: &Column, data: &Data) -> Result<Option<String>, String> {
    if is_blank(data) {
        return Ok(None);
    }
    if let Data::Error(e) = data {
        return Err(format!(
            "“{}”单元格为错误值“{}”，请修正公式或直接填写内容",
            column.header, e
        ));
    }
    let value = match column.kind {
        ColumnKind::Text => display_text(data).trim().to_owned(),
        ColumnKind::Code => convert_code(column, data)?,
        ColumnKind::Date => convert_date(column, data)?,
        ColumnKind::Bool => convert_bool(column, data)?,
        ColumnKind::Integer => convert_integer(column, data)?,
    };
    Ok(Some(value))
}

fn convert_code(column: &Column, data: &Data) -> Result<String, String> {
    match data {
        Data::Float(f) if f.abs() >= CODE_NUMBER_LIMIT => Err(format!(
            "{}列被Excel存为数字，末几位已丢失；请把该列设为文本格式后重新填写",
            column.header
        )),
        Data::Int(i) if i.unsigned_abs() >= 1_000_000_000_000_000 => Err(format!(
            "{}列被Excel存为数字，末几位已丢失；请把该列设为文本格式后重新填写",
            column.header
        )),
        Data::String(s) => Ok(to_half_width(s.trim()).trim().to_owned()),
        other => Ok(display_text(other)),
    }
}

fn convert_date(column: &Column, data: &Data) -> Result<String, String> {
    let date = match data {
        Data::DateTime(dt) if dt.is_duration() => None,
        Data::DateTime(dt) => excel_date(dt),
        Data::Float(f) => number_date(*f),
        Data::Int(i) => number_date(*i as f64),
        Data::String(s) | Data::DateTimeIso(s) => parse_date_text(s),
        _ => None,
    };
    date.map(|d| d.format("%Y-%m-%d").to_string()).ok_or_else(|| {
        format!(
            "“{}”无法识别为日期（当前为“{}”），请按 2024-01-05 的格式填写",
            column.header,
            display_text(data).trim()
        )
    })
}

fn excel_date(dt: &ExcelDateTime) -> Option<NaiveDate> {
    let (y, m, d, ..) = dt.to_ymd_hms_milli();
    NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d))
}

/// A number in a date column: 20240105 or an Excel serial date that lost its format.
fn number_date(f: f64) -> Option<NaiveDate> {
    if f.fract() != 0.0 || f < 1.0 {
        return None;
    }
    if (10_000_101.0..=99_991_231.0).contains(&f) {
        return parse_date_text(&format!("{}", f as i64));
    }
    if f < 2_958_466.0 {
        return excel_date(&ExcelDateTime::new(f, ExcelDateTimeType::DateTime, false));
    }
    None
}

/// Parses 2024-1-5, 2024/01/05, 2024.1.5, 2024年1月5日, 20240105 (an optional time part is ignored).
pub(crate) fn parse_date_text(s: &str) -> Option<NaiveDate> {
    let s = to_half_width(s);
    let s = s.trim();
    let date_part = s.split([' ', 'T']).next().unwrap_or("");
    let (y, m, d) = if date_part.len() == 8 && date_part.bytes().all(|b| b.is_ascii_digit()) {
        (&date_part[0..4], &date_part[4..6], &date_part[6..8])
    } else {
        let parts: Vec<&str> = date_part
            .split(['-', '/', '.', '年', '月', '日'])
            .filter(|p| !p.is_empty())
            .collect();
        if date_part.ends_with(['-', '/', '.', '年', '月']) {
            return None;
        }
        match parts.as_slice() {
            [y, m, d] => (*y, *m, *d),
            _ => return None,
        }
    };
    let digits =
        |p: &str, min: usize, max: usize| (min..=max).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y, 4, 4) && digits(m, 1, 2) && digits(d, 1, 2)) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
    (1900..=9999).contains(&date.year()).then_some(date)
}

fn convert_bool(column: &Column, data: &Data) -> Result<String, String> {
    let value = match data {
        Data::Bool(b) => Some(*b),
        Data::Int(1) => Some(true),
        Data::Int(0) => Some(false),
        Data::Float(f) if *f == 1.0 => Some(true),
        Data::Float(f) if *f == 0.0 => Some(false),
        Data::String(s) => {
            let s = to_half_width(s).trim().to_ascii_lowercase();
            match s.as_str() {
                "是" | "y" | "yes" | "1" | "true" | "√" => Some(true),
                "否" | "n" | "no" | "0" | "false" | "×" => Some(false),
                _ => None,
            }
        }
        _ => None,
    };
    value.map(|b| b.to_string()).ok_or_else(|| {
        format!(
            "“{}”只能填写“是”或“否”（当前为“{}”），请从下拉列表中选择",
            column.header,
            display_text(data).trim()
        )
    })
}

fn convert_integer(column: &Column, data: &Data) -> Result<String, String> {
    let value = match data {
        Data::Int(i) => Some(*i),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < SAFE_INTEGER => Some(*f as i64),
        Data::String(s) => {
            let s: String = to_half_width(s)
                .chars()
                .filter(|c| !c.is_whitespace() && *c != ',')
                .collect();
            s.parse::<i64>().ok()
        }
        _ => None,
    };
    value.map(|i| i.to_string()).ok_or_else(|| {
        format!(
            "“{}”应填写整数（当前为“{}”），请改为不带小数的数字",
            column.header,
            display_text(data).trim()
        )
    })
}

/// Text as a user would read it in the cell (integral floats without ".0", dates as YYYY-MM-DD).
fn display_text(data: &Data) -> String {
    match data {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => format_float(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Data::DateTime(dt) => {
            let (y, m, d, h, min, s, _) = dt.to_ymd_hms_milli();
            if dt.is_duration() {
                format_float(dt.as_f64())
            } else if (h, min, s) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02}")
            }
        }
        Data::Error(e) => e.to_string(),
    }
}

fn format_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < CODE_NUMBER_LIMIT {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Full-width ASCII (and the ideographic space) to half-width.
fn to_half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Header comparison key: half-width, no surrounding "*", no whitespace, ASCII lower-case.
fn normalize_header(s: &str) -> String {
    to_half_width(s)
        .trim()
        .trim_matches('*')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Excel column letters for a 0-based index (0 → "A").
fn column_letters(mut idx: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (idx % 26) as u8);
        if idx < 26 {
            break;
        }
        idx = idx / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Error report and export
// ---------------------------------------------------------------------------

/// Error report .xlsx: columns 行号 / 列 / 问题, sorted by row; header bold; widths set.
pub fn error_report_xlsx(errors: &[RowError]) -> Result<Vec<u8>, OfficeError> {
    let mut sorted: Vec<&RowError> = errors.iter().collect();
    sorted.sort_by_key(|e| e.row);

    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("导入问题").map_err(write_error)?;
    let bold = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(OPTIONAL_FILL));
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::VerticalCenter);
    let mut widths = [display_width("行号"), display_width("列"), 40];
    (|| -> Result<(), WriteError> {
        for (i, h) in ["行号", "列", "问题"].into_iter().enumerate() {
            sheet.write_string_with_format(0, col_num(i)?, h, &bold)?;
        }
        for (i, e) in sorted.iter().enumerate() {
            let row = row_num(i + 1)?;
            let column = if e.column.is_empty() { "（整行）" } else { &e.column };
            sheet.write_number(row, 0, e.row as f64)?;
            sheet.write_string(row, 1, column)?;
            sheet.write_string_with_format(row, 2, &e.message, &wrap)?;
            widths[0] = widths[0].max(e.row.to_string().len());
            widths[1] = widths[1].max(display_width(column));
            widths[2] = widths[2].max(display_width(&e.message));
        }
        for (i, w) in widths.into_iter().enumerate() {
            sheet.set_column_width(col_num(i)?, (w + 2).clamp(6, 90) as f64)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        sheet.autofilter(0, 0, row_num(sorted.len())?, 2)?;
        Ok(())
    })()
    .map_err(write_error)?;
    workbook.save_to_buffer().map_err(write_error)
}

/// Export a list: header bold, frozen, autofilter, widths from content (CJK counts double), Code cells as text.
pub fn export_xlsx(sheet: &str, headers: &[&str], rows: &[Vec<Cell>]) -> Result<Vec<u8>, OfficeError> {
    let mut workbook = Workbook::new();
    let worksheet = workbook.add_worksheet();
    worksheet.set_name(sanitize_sheet_name(sheet)).map_err(write_error)?;
    write_export(worksheet, headers, rows).map_err(write_error)?;
    workbook.save_to_buffer().map_err(write_error)
}

/// One sheet of a multi-sheet export: name, headers, rows.
pub type ExportSheet<'a> = (&'a str, &'a [&'a str], &'a [Vec<Cell>]);

/// Export several lists into one workbook (e.g. findings and their evidence rows), each sheet
/// laid out as by [`export_xlsx`].
pub fn export_xlsx_sheets(sheets: &[ExportSheet<'_>]) -> Result<Vec<u8>, OfficeError> {
    let mut workbook = Workbook::new();
    for (name, headers, rows) in sheets {
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(sanitize_sheet_name(name)).map_err(write_error)?;
        write_export(worksheet, headers, rows).map_err(write_error)?;
    }
    workbook.save_to_buffer().map_err(write_error)
}

fn write_export(sheet: &mut Worksheet, headers: &[&str], rows: &[Vec<Cell>]) -> Result<(), WriteError> {
    let bold = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(OPTIONAL_FILL));
    let text = Format::new().set_num_format("@");
    let date = Format::new().set_num_format(DATE_FORMAT);
    let columns = rows.iter().map(Vec::len).chain([headers.len()]).max().unwrap_or(0);
    let mut widths: Vec<usize> = (0..columns)
        .map(|i| headers.get(i).map_or(0, |h| display_width(h)))
        .collect();

    for (i, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col_num(i)?, *h, &bold)?;
    }
    for (r, cells) in rows.iter().enumerate() {
        let row = row_num(r + 1)?;
        for (c, cell) in cells.iter().enumerate() {
            let col = col_num(c)?;
            let width = match cell {
                Cell::Text(s) => {
                    sheet.write_string(row, col, s)?;
                    display_width(s)
                }
                Cell::Code(s) => {
                    sheet.write_string_with_format(row, col, s, &text)?;
                    display_width(s)
                }
                Cell::Int(i) => {
                    if i.unsigned_abs() < 1 << 53 {
                        sheet.write_number(row, col, *i as f64)?;
                    } else {
                        // Excel numbers keep 15 significant digits; keep huge integers exact as text.
                        sheet.write_string_with_format(row, col, i.to_string(), &text)?;
                    }
                    i.to_string().len()
                }
                Cell::Number(f) => {
                    sheet.write_number(row, col, *f)?;
                    format_float(*f).len().min(15)
                }
                Cell::Date(d) => {
                    let dt = WriteDateTime::from_ymd(
                        u16::try_from(d.year()).unwrap_or(1900),
                        d.month() as u8,
                        d.day() as u8,
                    )?;
                    sheet.write_datetime_with_format(row, col, dt, &date)?;
                    10
                }
                Cell::Empty => 0,
            };
            widths[c] = widths[c].max(width);
        }
    }
    for (i, w) in widths.into_iter().enumerate() {
        sheet.set_column_width(col_num(i)?, (w + 2).clamp(6, 60) as f64)?;
    }
    if columns > 0 {
        sheet.set_freeze_panes(1, 0)?;
        sheet.autofilter(0, 0, row_num(rows.len())?, col_num(columns - 1)?)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Display width in Excel character units: East Asian wide characters count double.
pub(crate) fn display_width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

/// Makes a valid Excel sheet name: no []:*?/\ , no surrounding apostrophes, at most 31 chars.
fn sanitize_sheet_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            c => c,
        })
        .collect();
    let cleaned: String = cleaned.trim().trim_matches('\'').chars().take(31).collect();
    if cleaned.is_empty() {
        "Sheet1".to_owned()
    } else {
        cleaned
    }
}

fn col_num(i: usize) -> Result<u16, WriteError> {
    u16::try_from(i).map_err(|_| WriteError::RowColumnLimitError)
}

fn row_num(i: usize) -> Result<u32, WriteError> {
    u32::try_from(i).map_err(|_| WriteError::RowColumnLimitError)
}

fn write_error(e: WriteError) -> OfficeError {
    let message = match e {
        WriteError::RowColumnLimitError => "超出Excel的行数或列数上限（1048576行、16384列），请缩小导出范围".to_owned(),
        WriteError::MaxStringLengthExceeded => "有单元格文本超过Excel上限（32767个字符）".to_owned(),
        WriteError::SheetnameReused(name)
        | WriteError::SheetnameCannotBeBlank(name)
        | WriteError::SheetnameLengthExceeded(name)
        | WriteError::SheetnameContainsInvalidCharacter(name)
        | WriteError::SheetnameStartsOrEndsWithApostrophe(name) => {
            format!("工作表名称“{name}”无效")
        }
        other => other.to_string(),
    };
    OfficeError::Write(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn parses_date_text_variants() {
        assert_eq!(parse_date_text("2024-1-5"), d(2024, 1, 5));
        assert_eq!(parse_date_text("2024/01/05"), d(2024, 1, 5));
        assert_eq!(parse_date_text("2024年1月5日"), d(2024, 1, 5));
        assert_eq!(parse_date_text("20240105"), d(2024, 1, 5));
        assert_eq!(parse_date_text("2024.01.05"), d(2024, 1, 5));
        assert_eq!(parse_date_text("２０２４－０１－０５"), d(2024, 1, 5));
        assert_eq!(parse_date_text("2024-01-05 00:00:00"), d(2024, 1, 5));
        assert_eq!(parse_date_text("2024-02-30"), None);
        assert_eq!(parse_date_text("24-1-5"), None);
        assert_eq!(parse_date_text("2024-01"), None);
        assert_eq!(parse_date_text("明天"), None);
    }

    #[test]
    fn numbers_in_date_columns() {
        assert_eq!(number_date(20240105.0), d(2024, 1, 5));
        assert_eq!(number_date(45296.0), d(2024, 1, 5));
        assert_eq!(number_date(0.5), None);
    }

    #[test]
    fn normalizes_headers() {
        assert_eq!(normalize_header(" *身份证号 "), "身份证号");
        assert_eq!(normalize_header("＊姓　名"), "姓名");
        assert_eq!(normalize_header("ＩＤ_Number"), "id_number");
    }

    #[test]
    fn widths_count_cjk_double() {
        assert_eq!(display_width("ab"), 2);
        assert_eq!(display_width("姓名"), 4);
        assert_eq!(display_width("（整行）"), 8);
    }

    #[test]
    fn column_letters_work() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn sanitizes_sheet_names() {
        assert_eq!(sanitize_sheet_name("a/b"), "a_b");
        assert_eq!(sanitize_sheet_name(""), "Sheet1");
        assert_eq!(sanitize_sheet_name(&"长".repeat(40)).chars().count(), 31);
    }
}
