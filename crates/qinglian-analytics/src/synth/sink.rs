//! Row builders with the canonical Arrow schema of each dataset, and the file writers
//! (Parquet via `ArrowWriter`, or UTF-8 CSV with canonical headers).

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use chrono::{NaiveDate, NaiveDateTime};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, RecordBatch, StringBuilder,
    TimestampMillisecondBuilder,
};
use datafusion::arrow::datatypes::{
    DataType, Date32Type, Float64Type, Int64Type, SchemaRef, TimeUnit, TimestampMillisecondType,
};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::dataset::{DATASETS, DatasetSpec};

/// Output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Parquet文件NAME.parquet（列带类型）
    Parquet,
    /// CSV文件NAME.csv（UTF-8，规范列名）
    Csv,
}

impl Format {
    /// File extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Parquet => "parquet",
            Format::Csv => "csv",
        }
    }
}

/// Dataset positions in [`DATASETS`] (checked by [`check_order`]).
pub mod ds {
    pub const PERSONS: usize = 0;
    pub const DEATHS: usize = 1;
    pub const PAYROLL: usize = 2;
    pub const BENEFIT_PAYMENTS: usize = 3;
    pub const BENEFIT_FILINGS: usize = 4;
    pub const RELATIVES: usize = 5;
    pub const VEHICLES: usize = 6;
    pub const PROPERTIES: usize = 7;
    pub const ENTERPRISES: usize = 8;
    pub const SHAREHOLDERS: usize = 9;
    pub const TENDERS: usize = 10;
    pub const BIDS: usize = 11;
    pub const AWARDS: usize = 12;
    pub const PURCHASES: usize = 13;
    pub const SHARED_IPS: usize = 14;
    pub const ROSTER: usize = 15;
    pub const DECLARED_RELATIVES: usize = 16;
    pub const COUNT: usize = 17;
}

/// Panics unless the dataset positions above match [`DATASETS`].
pub fn check_order() {
    let names = [
        "persons",
        "deaths",
        "payroll",
        "benefit_payments",
        "benefit_filings",
        "relatives",
        "vehicles",
        "properties",
        "enterprises",
        "shareholders",
        "tenders",
        "bids",
        "awards",
        "purchases",
        "shared_ips",
        "roster",
        "declared_relatives",
    ];
    assert_eq!(DATASETS.len(), ds::COUNT);
    for (spec, name) in DATASETS.iter().zip(names) {
        assert_eq!(spec.name, name, "dataset order changed");
    }
}

/// One cell value.
#[derive(Debug, Clone, Copy)]
pub enum Val<'a> {
    /// Empty.
    Null,
    /// Text.
    S(&'a str),
    /// Date.
    D(NaiveDate),
    /// Local date and time.
    T(NaiveDateTime),
    /// Decimal number.
    F(f64),
    /// Whole number.
    I(i64),
    /// Flag.
    B(bool),
}

impl<'a> From<&'a str> for Val<'a> {
    fn from(s: &'a str) -> Self {
        Val::S(s)
    }
}

impl<'a> From<&'a String> for Val<'a> {
    fn from(s: &'a String) -> Self {
        Val::S(s.as_str())
    }
}

impl<'a> From<Option<&'a str>> for Val<'a> {
    fn from(s: Option<&'a str>) -> Self {
        s.map_or(Val::Null, Val::S)
    }
}

enum Col {
    Str(StringBuilder),
    Date(Date32Builder),
    Ts(TimestampMillisecondBuilder),
    F64(Float64Builder),
    I64(Int64Builder),
    Bool(BooleanBuilder),
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")
}

/// Rows of one dataset being built.
pub struct Rows {
    schema: SchemaRef,
    cols: Vec<Col>,
    len: usize,
}

impl Rows {
    /// Empty rows of `spec`.
    pub fn new(spec: &DatasetSpec) -> Rows {
        let schema = spec.schema();
        let cols = schema
            .fields()
            .iter()
            .map(|f| match f.data_type() {
                DataType::Utf8 => Col::Str(StringBuilder::new()),
                DataType::Date32 => Col::Date(Date32Builder::new()),
                DataType::Timestamp(TimeUnit::Millisecond, None) => Col::Ts(TimestampMillisecondBuilder::new()),
                DataType::Float64 => Col::F64(Float64Builder::new()),
                DataType::Int64 => Col::I64(Int64Builder::new()),
                DataType::Boolean => Col::Bool(BooleanBuilder::new()),
                other => unreachable!("canonical type {other}"),
            })
            .collect();
        Rows { schema, cols, len: 0 }
    }

    /// Appends one row; the values must match the canonical column types.
    pub fn push(&mut self, vals: &[Val<'_>]) {
        assert_eq!(
            vals.len(),
            self.cols.len(),
            "row width of {}",
            self.schema.fields().len()
        );
        for (col, val) in self.cols.iter_mut().zip(vals) {
            match (col, *val) {
                (Col::Str(b), Val::S(s)) => b.append_value(s),
                (Col::Str(b), Val::Null) => b.append_null(),
                (Col::Date(b), Val::D(d)) => b.append_value((d - epoch()).num_days() as i32),
                (Col::Date(b), Val::Null) => b.append_null(),
                (Col::Ts(b), Val::T(t)) => b.append_value(t.and_utc().timestamp_millis()),
                (Col::Ts(b), Val::Null) => b.append_null(),
                (Col::F64(b), Val::F(x)) => b.append_value(x),
                (Col::F64(b), Val::Null) => b.append_null(),
                (Col::I64(b), Val::I(x)) => b.append_value(x),
                (Col::I64(b), Val::Null) => b.append_null(),
                (Col::Bool(b), Val::B(x)) => b.append_value(x),
                (Col::Bool(b), Val::Null) => b.append_null(),
                (_, v) => panic!("value {v:?} does not fit its column"),
            }
        }
        self.len += 1;
    }

    /// The rows as one record batch (`None` when empty).
    pub fn finish(mut self) -> Option<RecordBatch> {
        if self.len == 0 {
            return None;
        }
        let arrays: Vec<ArrayRef> = self
            .cols
            .iter_mut()
            .map(|c| -> ArrayRef {
                match c {
                    Col::Str(b) => Arc::new(b.finish()),
                    Col::Date(b) => Arc::new(b.finish()),
                    Col::Ts(b) => Arc::new(b.finish()),
                    Col::F64(b) => Arc::new(b.finish()),
                    Col::I64(b) => Arc::new(b.finish()),
                    Col::Bool(b) => Arc::new(b.finish()),
                }
            })
            .collect();
        Some(RecordBatch::try_new(self.schema.clone(), arrays).expect("canonical schema"))
    }
}

/// Rows of every dataset.
pub struct Tables(pub Vec<Rows>);

impl Tables {
    /// Empty rows of every canonical dataset.
    pub fn new() -> Tables {
        Tables(DATASETS.iter().map(Rows::new).collect())
    }

    /// Appends one row to dataset `ds`.
    pub fn push(&mut self, ds: usize, vals: &[Val<'_>]) {
        self.0[ds].push(vals);
    }

    /// One batch per dataset (`None` for a dataset without rows).
    pub fn finish(self) -> Vec<Option<RecordBatch>> {
        self.0.into_iter().map(Rows::finish).collect()
    }
}

enum Out {
    Parquet(ArrowWriter<BufWriter<File>>),
    Csv(csv::Writer<BufWriter<File>>),
}

/// The file writer of one dataset.
pub struct Writer {
    out: Out,
    path: PathBuf,
    rows: usize,
}

impl Writer {
    /// Creates `dir/NAME.EXT` and removes `NAME` files of the other importable formats (which
    /// would otherwise shadow or be shadowed by the new file when the directory is loaded).
    pub fn create(dir: &Path, spec: &DatasetSpec, format: Format) -> anyhow::Result<Writer> {
        for ext in ["parquet", "csv", "xlsx"] {
            if ext != format.extension() {
                let other = dir.join(format!("{}.{ext}", spec.name));
                if other.is_file() {
                    std::fs::remove_file(&other).with_context(|| format!("无法删除旧文件{}", other.display()))?;
                }
            }
        }
        let path = dir.join(format!("{}.{}", spec.name, format.extension()));
        let file = File::create(&path).with_context(|| format!("无法创建{}", path.display()))?;
        let file = BufWriter::with_capacity(1 << 20, file);
        let out = match format {
            Format::Parquet => {
                let props = WriterProperties::builder()
                    .set_compression(Compression::SNAPPY)
                    .set_created_by("qinglian synth".to_string())
                    .build();
                Out::Parquet(ArrowWriter::try_new(file, spec.schema(), Some(props))?)
            }
            Format::Csv => {
                let mut w = csv::Writer::from_writer(file);
                w.write_record(spec.columns.iter().map(|c| c.name))?;
                Out::Csv(w)
            }
        };
        Ok(Writer { out, path, rows: 0 })
    }

    /// Writes one batch.
    pub fn write(&mut self, batch: &RecordBatch) -> anyhow::Result<()> {
        self.rows += batch.num_rows();
        match &mut self.out {
            Out::Parquet(w) => w.write(batch)?,
            Out::Csv(w) => write_csv(w, batch)?,
        }
        Ok(())
    }

    /// Finishes the file; returns its path, rows and size in bytes.
    pub fn close(self) -> anyhow::Result<(PathBuf, usize, u64)> {
        match self.out {
            Out::Parquet(w) => {
                w.close()?;
            }
            Out::Csv(mut w) => w.flush()?,
        }
        let size = std::fs::metadata(&self.path)?.len();
        Ok((self.path, self.rows, size))
    }
}

/// Text of one cell in CSV: dates YYYY-MM-DD, times YYYY-MM-DD HH:MM:SS, flags 是/否.
fn cell(array: &dyn Array, row: usize, out: &mut String) {
    use std::fmt::Write;
    out.clear();
    if array.is_null(row) {
        return;
    }
    match array.data_type() {
        DataType::Utf8 => out.push_str(array.as_string::<i32>().value(row)),
        DataType::Date32 => {
            let days = array.as_primitive::<Date32Type>().value(row);
            let d = epoch() + chrono::Duration::days(i64::from(days));
            let _ = write!(out, "{}", d.format("%Y-%m-%d"));
        }
        DataType::Timestamp(TimeUnit::Millisecond, None) => {
            let ms = array.as_primitive::<TimestampMillisecondType>().value(row);
            if let Some(t) = chrono::DateTime::from_timestamp_millis(ms) {
                let _ = write!(out, "{}", t.naive_utc().format("%Y-%m-%d %H:%M:%S"));
            }
        }
        DataType::Float64 => {
            let _ = write!(out, "{}", array.as_primitive::<Float64Type>().value(row));
        }
        DataType::Int64 => {
            let _ = write!(out, "{}", array.as_primitive::<Int64Type>().value(row));
        }
        DataType::Boolean => out.push_str(if array.as_boolean().value(row) { "是" } else { "否" }),
        other => unreachable!("canonical type {other}"),
    }
}

fn write_csv(w: &mut csv::Writer<BufWriter<File>>, batch: &RecordBatch) -> anyhow::Result<()> {
    let mut cells: Vec<String> = vec![String::new(); batch.num_columns()];
    for row in 0..batch.num_rows() {
        for (i, c) in cells.iter_mut().enumerate() {
            cell(batch.column(i).as_ref(), row, c);
        }
        w.write_record(&cells)?;
    }
    Ok(())
}
