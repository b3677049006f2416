//! Mapping raw record batches onto a canonical dataset: headers, types and normalisation.

use std::sync::Arc;

use chrono::NaiveDate;
use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, BooleanBuilder, Date32Builder, Float64Array, Float64Builder, Int64Builder,
    RecordBatch, StringArray, StringBuilder, TimestampMillisecondBuilder, new_null_array,
};
use datafusion::arrow::buffer::BooleanBuffer;
use datafusion::arrow::compute::{can_cast_types, cast, filter_record_batch};
use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::arrow::error::ArrowError;
use qinglian_domain::names::{normalize_company_name, normalize_person_name};

use super::parse;
use super::{ColumnKind, ColumnSpec, DatasetSpec, HeaderMapping, ImportIssue};

/// A source table before normalisation: field names are the source headers, types are anything.
#[derive(Debug, Clone)]
pub struct RawTable {
    /// Source file (or sheet) name used in the error report.
    pub file: String,
    /// Schema of the batches (kept separately so that an empty file still has its headers).
    pub schema: SchemaRef,
    /// The rows, in file order.
    pub batches: Vec<RecordBatch>,
    /// Spreadsheet row number of the first data row (2 when the header is row 1).
    pub first_row: u64,
    /// Problems the reader found (e.g. a long number stored as a numeric Excel cell); [`normalize`]
    /// reports them first, with `file` taken from [`RawTable::file`].
    pub issues: Vec<ImportIssue>,
}

/// Maps `raw` onto the canonical dataset `spec`, converting and normalising every column, and
/// appends every problem to `issues`. The returned batches have exactly `spec.schema()`.
/// Rows that are entirely empty (an empty spreadsheet row) are dropped; row numbers in issues
/// stay those of the source.
pub fn normalize(
    spec: &DatasetSpec,
    raw: &RawTable,
    mapping: &HeaderMapping,
    issues: &mut Vec<ImportIssue>,
) -> Result<Vec<RecordBatch>, ArrowError> {
    issues.extend(raw.issues.iter().map(|i| ImportIssue {
        file: raw.file.clone(),
        ..i.clone()
    }));
    // Canonical column index → (source field index, scale for amounts).
    let mut sources: Vec<Option<(usize, f64)>> = vec![None; spec.columns.len()];
    for (i, field) in raw.schema.fields().iter().enumerate() {
        let header = field.name();
        match mapping.resolve(spec, header) {
            Some(column) => {
                let ci = spec
                    .columns
                    .iter()
                    .position(|c| c.name == column.name)
                    .expect("column of spec");
                if sources[ci].is_some() {
                    issues.push(file_issue(
                        raw,
                        header,
                        format!("与其他列重复对应“{}”，已忽略", column.label),
                    ));
                } else {
                    let scale = if column.kind == ColumnKind::Amount && header.contains('万') {
                        1e4
                    } else {
                        1.0
                    };
                    sources[ci] = Some((i, scale));
                }
            }
            None if header.trim().is_empty() => {}
            None => issues.push(file_issue(raw, header, "未识别的列，已忽略".to_string())),
        }
    }
    for (column, source) in spec.columns.iter().zip(&sources) {
        if source.is_none() {
            issues.push(file_issue(
                raw,
                column.name,
                format!("缺少“{}”列，按空值处理", column.label),
            ));
        }
    }

    let schema = spec.schema();
    let mut out = Vec::with_capacity(raw.batches.len());
    let mut row_base = raw.first_row;
    for batch in &raw.batches {
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(spec.columns.len());
        for (column, source) in spec.columns.iter().zip(&sources) {
            let array = match source {
                Some((i, scale)) => {
                    let mut ctx = IssueCtx {
                        file: &raw.file,
                        column: column.name,
                        row_base,
                        issues,
                    };
                    convert(column, batch.column(*i), *scale, &mut ctx)?
                }
                None => new_null_array(&column.kind.data_type(), batch.num_rows()),
            };
            arrays.push(array);
        }
        let normalized = RecordBatch::try_new(schema.clone(), arrays)?;
        match non_empty_rows(batch) {
            None => out.push(normalized),
            Some(mask) => {
                let kept = filter_record_batch(&normalized, &mask)?;
                if kept.num_rows() > 0 {
                    out.push(kept);
                }
            }
        }
        row_base += batch.num_rows() as u64;
    }
    Ok(out)
}

/// The rows of `batch` that have at least one non-null value, or `None` when that is every row
/// (the common case, which then needs no filtering).
fn non_empty_rows(batch: &RecordBatch) -> Option<BooleanArray> {
    let mut any: Option<BooleanBuffer> = None;
    for column in batch.columns() {
        let nulls = column.logical_nulls()?;
        any = Some(match any {
            None => nulls.inner().clone(),
            Some(a) => &a | nulls.inner(),
        });
    }
    let any = any.unwrap_or_else(|| BooleanBuffer::new_unset(batch.num_rows()));
    (any.count_set_bits() < batch.num_rows()).then(|| BooleanArray::new(any, None))
}

fn file_issue(raw: &RawTable, column: &str, reason: String) -> ImportIssue {
    ImportIssue {
        file: raw.file.clone(),
        row: None,
        column: column.to_string(),
        value: None,
        reason,
        kept: false,
    }
}

struct IssueCtx<'a> {
    file: &'a str,
    column: &'static str,
    row_base: u64,
    issues: &'a mut Vec<ImportIssue>,
}

impl IssueCtx<'_> {
    fn push(&mut self, row: usize, value: &str, reason: String, kept: bool) {
        self.issues.push(ImportIssue {
            file: self.file.to_string(),
            row: Some(self.row_base + row as u64),
            column: self.column.to_string(),
            value: Some(value.to_string()),
            reason,
            kept,
        });
    }
}

fn is_string(dt: &DataType) -> bool {
    matches!(dt, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

fn is_text_kind(kind: ColumnKind) -> bool {
    kind.data_type() == DataType::Utf8
}

/// Converts one source column to the canonical type of `column`.
fn convert(column: &ColumnSpec, array: &ArrayRef, scale: f64, ctx: &mut IssueCtx<'_>) -> Result<ArrayRef, ArrowError> {
    let target = column.kind.data_type();
    let source_type = array.data_type();
    if !is_string(source_type) && !is_text_kind(column.kind) && can_cast_types(source_type, &target) {
        // Typed source (e.g. Parquet): a direct cast keeps it fast; scale amounts given in 万元.
        let cast_array = if source_type == &target {
            array.clone()
        } else {
            cast(array, &target)?
        };
        if scale != 1.0
            && let Some(f) = cast_array.as_any().downcast_ref::<Float64Array>()
        {
            let scaled: Float64Array = f.iter().map(|v| v.map(|x| x * scale)).collect();
            return Ok(Arc::new(scaled));
        }
        return Ok(cast_array);
    }
    let strings = cast(array, &DataType::Utf8)?;
    let strings = strings
        .as_any()
        .downcast_ref::<StringArray>()
        .ok_or_else(|| ArrowError::CastError("expected a Utf8 column".to_string()))?;
    let len = strings.len();
    let values = (0..len).map(|i| {
        if strings.is_null(i) {
            None
        } else {
            Some(strings.value(i))
        }
    });
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
    let array: ArrayRef = match column.kind {
        ColumnKind::IdNumber | ColumnKind::CreditCode => {
            let mut b = StringBuilder::with_capacity(len, len * 18);
            for (i, v) in values.enumerate() {
                match v.map(str::trim).filter(|s| !s.is_empty()) {
                    None => b.append_null(),
                    // Fast path: an already canonical value is appended as it is.
                    Some(s)
                        if (column.kind == ColumnKind::IdNumber && parse::is_canonical_id_number(s))
                            || (column.kind == ColumnKind::CreditCode && parse::is_canonical_credit_code(s)) =>
                    {
                        b.append_value(s)
                    }
                    Some(s) => {
                        let parsed = if column.kind == ColumnKind::IdNumber {
                            parse::id_number(s)
                        } else {
                            parse::credit_code(s)
                        };
                        match parsed {
                            Ok(n) => b.append_value(n),
                            Err((kept, reason)) => {
                                ctx.push(i, s, format!("{reason}（原值已保留）"), true);
                                b.append_value(kept);
                            }
                        }
                    }
                }
            }
            Arc::new(b.finish())
        }
        ColumnKind::PersonName | ColumnKind::CompanyName | ColumnKind::Text | ColumnKind::Compact => {
            let mut b = StringBuilder::with_capacity(len, len * 8);
            for v in values {
                let n = v.map(|s| match column.kind {
                    ColumnKind::PersonName => normalize_person_name(s),
                    ColumnKind::CompanyName => normalize_company_name(s),
                    ColumnKind::Compact if column.name.contains("phone") => parse::phone(s),
                    ColumnKind::Compact => parse::compact(s),
                    _ => parse::clean(s),
                });
                match n.filter(|s| !s.is_empty()) {
                    Some(s) => b.append_value(s),
                    None => b.append_null(),
                }
            }
            Arc::new(b.finish())
        }
        ColumnKind::Period => {
            let mut b = StringBuilder::with_capacity(len, len * 7);
            for (i, v) in values.enumerate() {
                match v.filter(|s| !s.trim().is_empty()) {
                    None => b.append_null(),
                    Some(s) => match parse::period(s) {
                        Some(p) => b.append_value(p),
                        None => {
                            ctx.push(i, s, "无法识别的年月，应为YYYY-MM".to_string(), false);
                            b.append_null();
                        }
                    },
                }
            }
            Arc::new(b.finish())
        }
        ColumnKind::Date => {
            let mut b = Date32Builder::with_capacity(len);
            for (i, v) in values.enumerate() {
                match v.filter(|s| !s.trim().is_empty()) {
                    None => b.append_null(),
                    Some(s) => match parse::date(s) {
                        Some(d) => b.append_value((d - epoch).num_days() as i32),
                        None => {
                            ctx.push(i, s, "无法识别的日期".to_string(), false);
                            b.append_null();
                        }
                    },
                }
            }
            Arc::new(b.finish())
        }
        ColumnKind::Timestamp => {
            let mut b = TimestampMillisecondBuilder::with_capacity(len);
            for (i, v) in values.enumerate() {
                match v.filter(|s| !s.trim().is_empty()) {
                    None => b.append_null(),
                    Some(s) => match parse::timestamp(s) {
                        Some(t) => b.append_value(t.and_utc().timestamp_millis()),
                        None => {
                            ctx.push(i, s, "无法识别的时间".to_string(), false);
                            b.append_null();
                        }
                    },
                }
            }
            Arc::new(b.finish())
        }
        ColumnKind::Amount | ColumnKind::Number | ColumnKind::Ratio => {
            let mut b = Float64Builder::with_capacity(len);
            for (i, v) in values.enumerate() {
                match v.filter(|s| !s.trim().is_empty()) {
                    None => b.append_null(),
                    Some(s) => {
                        let parsed = if column.kind == ColumnKind::Ratio {
                            parse::ratio(s)
                        } else {
                            parse::number(s).map(|x| x * scale)
                        };
                        match parsed {
                            Some(x) => b.append_value(x),
                            None => {
                                ctx.push(i, s, "无法识别的数值".to_string(), false);
                                b.append_null();
                            }
                        }
                    }
                }
            }
            Arc::new(b.finish())
        }
        ColumnKind::Count => {
            let mut b = Int64Builder::with_capacity(len);
            for (i, v) in values.enumerate() {
                match v.filter(|s| !s.trim().is_empty()) {
                    None => b.append_null(),
                    Some(s) => match parse::count(s) {
                        Some(x) => b.append_value(x),
                        None => {
                            ctx.push(i, s, "无法识别的整数".to_string(), false);
                            b.append_null();
                        }
                    },
                }
            }
            Arc::new(b.finish())
        }
        ColumnKind::Flag => {
            let mut b = BooleanBuilder::with_capacity(len);
            for (i, v) in values.enumerate() {
                match v.filter(|s| !s.trim().is_empty()) {
                    None => b.append_null(),
                    Some(s) => match parse::flag(s) {
                        Some(x) => b.append_value(x),
                        None => {
                            ctx.push(i, s, "无法识别的是/否".to_string(), false);
                            b.append_null();
                        }
                    },
                }
            }
            Arc::new(b.finish())
        }
    };
    Ok(array)
}
