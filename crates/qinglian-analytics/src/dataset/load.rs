//! Reading dataset files (CSV in UTF-8 or GBK/GB18030, Parquet) and registering them.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, RecordBatch, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::error::ArrowError;
use datafusion::datasource::MemTable;
use datafusion::error::DataFusionError;
use datafusion::prelude::SessionContext;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::normalize::{RawTable, normalize};
use super::{DATASETS, DatasetSpec, HeaderMapping, ImportIssue};

/// Rows per record batch when reading CSV.
const BATCH_ROWS: usize = 65_536;

/// Why a dataset file or directory could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file or directory could not be read.
    #[error("无法读取{path}：{source}")]
    Io {
        /// Path concerned.
        path: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The CSV text is malformed.
    #[error("CSV文件{path}格式错误：{message}")]
    Csv {
        /// Path concerned.
        path: String,
        /// What the CSV reader reported.
        message: String,
    },
    /// The Parquet file is unreadable.
    #[error("Parquet文件{path}无法读取：{message}")]
    Parquet {
        /// Path concerned.
        path: String,
        /// What the Parquet reader reported.
        message: String,
    },
    /// The Excel workbook is unreadable (not an .xlsx file, damaged, or no such sheet).
    #[error("Excel文件{path}无法读取：{message}")]
    Xlsx {
        /// Path concerned.
        path: String,
        /// What went wrong, in Chinese.
        message: String,
    },
    /// The file type is not one that can be imported.
    #[error("不支持的文件类型“{extension}”（{file}），请上传.xlsx、.csv或.parquet文件{hint}")]
    UnsupportedType {
        /// File name.
        file: String,
        /// Its extension as found (may be empty).
        extension: String,
        /// Extra advice for a known type (e.g. .xls), starting with a Chinese punctuation mark.
        hint: &'static str,
    },
    /// The data could not be converted to the canonical schema.
    #[error("数据转换失败：{0}")]
    Arrow(#[from] ArrowError),
    /// DataFusion refused the table.
    #[error("数据集注册失败：{0}")]
    DataFusion(#[from] DataFusionError),
}

/// Decodes CSV bytes: UTF-8 (with or without BOM), else GB18030 (a superset of GBK).
/// Returns the text and the encoding's name.
pub fn decode_text(bytes: &[u8]) -> (String, &'static str) {
    let without_bom = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(without_bom) {
        Ok(s) => (s.to_string(), "UTF-8"),
        Err(_) => {
            let (text, _) = encoding_rs::GB18030.decode_without_bom_handling(without_bom);
            (text.into_owned(), "GB18030")
        }
    }
}

/// Reads a CSV file (header row first) into a raw table of text columns, detecting the encoding.
pub fn read_csv(path: &Path) -> Result<(RawTable, &'static str), LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let (text, encoding) = decode_text(&bytes);
    let csv_err = |e: csv::Error| LoadError::Csv {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().map_err(csv_err)?.iter().map(str::to_string).collect();
    // Duplicate or empty headers would make an invalid schema: keep them distinct.
    let mut names: Vec<String> = Vec::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        let mut name = h.clone();
        if name.trim().is_empty() || names.contains(&name) {
            name = format!("{h}#{}", i + 1);
        }
        names.push(name);
    }
    let schema = Arc::new(Schema::new(
        names
            .iter()
            .map(|n| Field::new(n, DataType::Utf8, true))
            .collect::<Vec<_>>(),
    ));
    let new_builders = || -> Vec<StringBuilder> { (0..names.len()).map(|_| StringBuilder::new()).collect() };
    let finish = |builders: &mut Vec<StringBuilder>| -> Result<RecordBatch, ArrowError> {
        let arrays: Vec<ArrayRef> = builders.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef).collect();
        RecordBatch::try_new(schema.clone(), arrays)
    };
    let mut batches = Vec::new();
    let mut builders = new_builders();
    let mut rows = 0usize;
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(csv_err)? {
        for (i, b) in builders.iter_mut().enumerate() {
            match record.get(i) {
                Some(v) if !v.trim().is_empty() => b.append_value(v),
                _ => b.append_null(),
            }
        }
        rows += 1;
        if rows == BATCH_ROWS {
            batches.push(finish(&mut builders)?);
            rows = 0;
        }
    }
    if rows > 0 {
        batches.push(finish(&mut builders)?);
    }
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((
        RawTable {
            file,
            schema,
            batches,
            first_row: 2,
            issues: Vec::new(),
        },
        encoding,
    ))
}

/// Reads a Parquet file into a raw table (types as stored).
pub fn read_parquet(path: &Path) -> Result<RawTable, LoadError> {
    let err = |e: &dyn std::fmt::Display| LoadError::Parquet {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let file = File::open(path).map_err(|source| LoadError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| err(&e))?;
    let schema = builder.schema().clone();
    let reader = builder.with_batch_size(BATCH_ROWS).build().map_err(|e| err(&e))?;
    let batches = reader.collect::<Result<Vec<_>, _>>()?;
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(RawTable {
        file,
        schema,
        batches,
        first_row: 2,
        issues: Vec::new(),
    })
}

/// Reads any importable file by its extension: `.csv` (UTF-8 or GBK/GB18030, the detected
/// encoding is returned), `.xlsx` (first worksheet) or `.parquet`; anything else is refused with
/// a message naming the accepted types.
pub fn read_source(path: &Path) -> Result<(RawTable, Option<&'static str>), LoadError> {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "csv" => read_csv(path).map(|(raw, encoding)| (raw, Some(encoding))),
        // .xlsm is the same format with macros (which are never run).
        "xlsx" | "xlsm" => super::xlsx::read_xlsx(path).map(|raw| (raw, None)),
        "parquet" => read_parquet(path).map(|raw| (raw, None)),
        _ => Err(LoadError::UnsupportedType {
            file: path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
            hint: match extension.as_str() {
                "xls" | "et" => "；旧版Excel（.xls）文件请先在Excel或WPS中另存为.xlsx",
                "txt" | "tsv" => "；文本文件请另存为逗号分隔的.csv",
                _ => "",
            },
            extension: if extension.is_empty() {
                "无扩展名".to_string()
            } else {
                format!(".{extension}")
            },
        }),
    }
}

/// One canonical dataset after loading.
#[derive(Debug, Clone)]
pub struct LoadedDataset {
    /// The canonical dataset.
    pub spec: &'static DatasetSpec,
    /// Normalised rows with the canonical schema.
    pub batches: Vec<RecordBatch>,
    /// Number of rows.
    pub rows: usize,
    /// File it came from; `None` when the dataset was absent (an empty table).
    pub source: Option<PathBuf>,
    /// Detected text encoding of a CSV source.
    pub encoding: Option<&'static str>,
}

/// All 17 canonical datasets, loaded and normalised, with the import issues found.
#[derive(Debug, Clone)]
pub struct Datasets {
    /// Dataset name → loaded dataset (every canonical dataset is present, maybe empty).
    pub tables: BTreeMap<&'static str, LoadedDataset>,
    /// Every problem found while importing, in file and row order.
    pub issues: Vec<ImportIssue>,
}

impl Datasets {
    /// All datasets empty.
    pub fn empty() -> Datasets {
        let tables = DATASETS
            .iter()
            .map(|spec| {
                (
                    spec.name,
                    LoadedDataset {
                        spec,
                        batches: Vec::new(),
                        rows: 0,
                        source: None,
                        encoding: None,
                    },
                )
            })
            .collect();
        Datasets {
            tables,
            issues: Vec::new(),
        }
    }

    /// Loads `NAME.parquet`, `NAME.csv` or `NAME.xlsx` for every canonical dataset found in `dir`
    /// (in that order of precedence when several exist); absent datasets are empty; other files
    /// are ignored.
    pub fn load_dir(dir: &Path, mapping: &HeaderMapping) -> Result<Datasets, LoadError> {
        if !dir.is_dir() {
            return Err(LoadError::Io {
                path: dir.display().to_string(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "目录不存在"),
            });
        }
        let mut out = Datasets::empty();
        for spec in DATASETS {
            let parquet = find_file(dir, spec.name, "parquet");
            let csv = find_file(dir, spec.name, "csv");
            if let Some(path) = parquet {
                let raw = read_parquet(&path)?;
                out.set(spec, &raw, mapping, Some(path), None)?;
            } else if let Some(path) = csv {
                let (raw, encoding) = read_csv(&path)?;
                out.set(spec, &raw, mapping, Some(path), Some(encoding))?;
            } else if let Some(path) = find_file(dir, spec.name, "xlsx") {
                let raw = super::xlsx::read_xlsx(&path)?;
                out.set(spec, &raw, mapping, Some(path), None)?;
            }
        }
        Ok(out)
    }

    /// Normalises a raw table into the canonical dataset `spec`, replacing what was there.
    pub fn set(
        &mut self,
        spec: &'static DatasetSpec,
        raw: &RawTable,
        mapping: &HeaderMapping,
        source: Option<PathBuf>,
        encoding: Option<&'static str>,
    ) -> Result<(), LoadError> {
        let batches = normalize(spec, raw, mapping, &mut self.issues)?;
        let rows = batches.iter().map(RecordBatch::num_rows).sum();
        self.tables.insert(
            spec.name,
            LoadedDataset {
                spec,
                batches,
                rows,
                source,
                encoding,
            },
        );
        Ok(())
    }

    /// Registers every dataset as a table named after it (replacing any earlier registration).
    pub fn register(&self, ctx: &SessionContext) -> Result<(), LoadError> {
        let partitions = ctx.copied_config().target_partitions().max(1);
        for (name, table) in &self.tables {
            // Spread batches over partitions so that scans run in parallel.
            let mut parts: Vec<Vec<RecordBatch>> = vec![Vec::new(); partitions.min(table.batches.len()).max(1)];
            let n = parts.len();
            for (i, b) in table.batches.iter().enumerate() {
                parts[i % n].push(b.clone());
            }
            let provider = MemTable::try_new(table.spec.schema(), parts)?;
            ctx.deregister_table(*name)?;
            ctx.register_table(*name, Arc::new(provider))?;
        }
        Ok(())
    }
}

/// `dir/NAME.EXT`, with the extension matched case-insensitively.
fn find_file(dir: &Path, stem: &str, ext: &str) -> Option<PathBuf> {
    let exact = dir.join(format!("{stem}.{ext}"));
    if exact.is_file() {
        return Some(exact);
    }
    let entries = std::fs::read_dir(dir).ok()?;
    entries.flatten().map(|e| e.path()).find(|p| {
        p.is_file()
            && p.file_stem().and_then(|s| s.to_str()) == Some(stem)
            && p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case(ext))
    })
}
