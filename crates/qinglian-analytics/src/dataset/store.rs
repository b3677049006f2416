//! The versioned dataset store: normalised imports as Parquet files on an object store.
//!
//! Layout under the store's root (a local directory, `memory://` or an S3 prefix):
//!
//! ```text
//! <dataset>/v000001/part-<token>-00000.parquet   data, canonical schema
//! <dataset>/v000001/_manifest.json               written last; the version exists iff it exists
//! ```
//!
//! An import normalises its sources, writes part files (named with a token unique to the
//! import) into the directory of the next version number, and then publishes by creating the
//! manifest with a conditional put (`PutMode::Create`). When a concurrent import has taken that
//! number in the meantime, the put fails, the parts move to the next number and the put is
//! retried. A failed or cancelled import deletes its parts; parts left by a crash are never
//! read (tables are built from the manifest's file list, not from directory listings) and are
//! removed by [`DatasetStore::gc`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::error::ArrowError;
use datafusion::catalog::TableProvider;
use datafusion::datasource::MemTable;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl};
use datafusion::error::DataFusionError;
use datafusion::prelude::SessionContext;
use futures::TryStreamExt;
use object_store::path::Path as ObjPath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;
use url::Url;

use super::mapping::{missing_required, suggest_mapping};
use super::normalize::{RawTable, normalize};
use super::{DATASETS, DatasetSpec, HeaderMapping, ImportIssue, spec};

/// Name of a version's manifest file.
const MANIFEST: &str = "_manifest.json";
/// Version of the manifest format.
const MANIFEST_FORMAT: u32 = 1;
/// Rows per Parquet part file (a part may exceed it by less than one batch).
const PART_ROWS: usize = 1_048_576;
/// Rows per Parquet row group: small enough that a part is scanned by several threads.
const ROW_GROUP_ROWS: usize = 131_072;
/// Raw record batches normalised per step (between two progress reports / cancellation checks).
const BATCHES_PER_STEP: usize = 4;
/// How many version numbers a publish tries before giving up on concurrent imports.
const MAX_ATTEMPTS: usize = 20;
/// Unpublished part files younger than this may belong to an import still running.
const GC_AGE: Duration = Duration::from_secs(3600);

/// Why the dataset store refused or failed an operation. Messages are Chinese and name the
/// dataset, never a storage path (the underlying error is kept as the `source` for logs).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store URL is malformed.
    #[error("数据集存储地址无效：{0}")]
    InvalidUrl(String),
    /// The URL scheme is not supported.
    #[error("不支持的数据集存储类型“{0}”，可用：本地目录、file://、memory://、s3://")]
    UnsupportedScheme(String),
    /// S3 support is not compiled in.
    #[error("本程序未启用S3对象存储支持（需以s3功能编译），请改用本地目录")]
    S3NotEnabled,
    /// The local store directory cannot be created or resolved.
    #[error("无法创建数据集存储目录：{0}")]
    Directory(#[source] std::io::Error),
    /// The dataset name is not a canonical dataset.
    #[error("未知的数据集“{0}”")]
    UnknownDataset(String),
    /// Nothing to import.
    #[error("没有要导入的文件")]
    NoSources,
    /// A source lacks the dataset's key column(s).
    #[error(
        "文件“{file}”没有可对应到数据集“{dataset}”关键列{columns}的列，未导入：请在列对应关系中指定哪一列是{columns}"
    )]
    MissingKeyColumns {
        /// Chinese title of the dataset.
        dataset: &'static str,
        /// Source file name.
        file: String,
        /// Chinese labels of the missing key columns, quoted and joined.
        columns: String,
    },
    /// The import was cancelled; nothing was published.
    #[error("导入已取消，未发布新版本")]
    Cancelled,
    /// The version does not exist.
    #[error("数据集“{dataset}”没有第{version}版")]
    VersionNotFound {
        /// Dataset name.
        dataset: String,
        /// Version number.
        version: u32,
    },
    /// A manifest cannot be parsed.
    #[error("数据集“{dataset}”第{version}版的清单文件已损坏")]
    Manifest {
        /// Dataset name.
        dataset: String,
        /// Version number.
        version: u32,
    },
    /// Too many concurrent imports took the version numbers this one tried.
    #[error("数据集“{0}”有多个导入同时进行，版本号分配冲突，请稍后重试")]
    Conflict(String),
    /// Normalised data could not be built.
    #[error("数据转换失败：{0}")]
    Convert(#[from] ArrowError),
    /// Writing Parquet failed.
    #[error("写入Parquet文件失败：{0}")]
    Parquet(#[from] ParquetError),
    /// Reading or writing the object store failed.
    #[error("{context}失败：{}", storage_kind(.source))]
    Storage {
        /// What was being done, in Chinese, naming the dataset.
        context: String,
        /// Underlying error (may contain paths; for logs only).
        #[source]
        source: object_store::Error,
    },
    /// DataFusion refused a table.
    #[error("数据集“{dataset}”注册失败")]
    Register {
        /// Dataset name.
        dataset: String,
        /// Underlying error.
        #[source]
        source: DataFusionError,
    },
    /// A background task of the import failed.
    #[error("导入任务异常终止")]
    Task(#[source] tokio::task::JoinError),
}

/// A short Chinese description of an object-store error.
fn storage_kind(e: &object_store::Error) -> &'static str {
    match e {
        object_store::Error::NotFound { .. } => "对象不存在",
        object_store::Error::AlreadyExists { .. } => "对象已存在",
        object_store::Error::PermissionDenied { .. } | object_store::Error::Unauthenticated { .. } => "没有访问权限",
        object_store::Error::NotSupported { .. } | object_store::Error::NotImplemented { .. } => "存储不支持该操作",
        _ => "存储读写错误",
    }
}

fn storage(context: impl Into<String>) -> impl FnOnce(object_store::Error) -> StoreError {
    let context = context.into();
    move |source| StoreError::Storage { context, source }
}

/// Who imported what, recorded in the manifest.
#[derive(Debug, Clone, Default)]
pub struct PublishMeta {
    /// Free note shown with the version.
    pub note: String,
    /// Display name of the importing user.
    pub imported_by: String,
    /// Original names of the imported files.
    pub source_names: Vec<String>,
}

/// The outcome of a successful [`DatasetStore::publish`].
#[derive(Debug, Clone)]
pub struct Published {
    /// The new version number.
    pub version: u32,
    /// Rows in the version.
    pub rows: u64,
    /// Every problem found while importing (rows were still imported, see each issue).
    pub issues: Vec<ImportIssue>,
    /// Total size of the Parquet files.
    pub bytes: u64,
}

/// One published version of a dataset, as listed by [`DatasetStore::versions`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionInfo {
    /// Dataset name.
    pub dataset: String,
    /// Version number (1, 2, …).
    pub version: u32,
    /// Rows in the version.
    pub rows: u64,
    /// When it was published (UTC, RFC 3339 with microseconds, e.g. `2026-01-05T08:00:00.000000Z`).
    pub created_at: String,
    /// Note given at import.
    pub note: String,
    /// Who imported it.
    pub imported_by: String,
    /// Original names of the imported files.
    pub source_names: Vec<String>,
    /// Number of import issues found.
    pub issue_count: u64,
}

/// The manifest of a version (`_manifest.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    dataset: String,
    version: u32,
    rows: u64,
    bytes: u64,
    files: Vec<ManifestFile>,
    created_at: String,
    note: String,
    imported_by: String,
    source_names: Vec<String>,
    /// Per source: each header and the canonical column it was imported into.
    mapping: Vec<SourceMapping>,
    issue_count: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ManifestFile {
    /// File name inside the version directory.
    name: String,
    rows: u64,
    bytes: u64,
    sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SourceMapping {
    source: String,
    columns: Vec<MappedHeader>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct MappedHeader {
    header: String,
    column: Option<String>,
}

impl Manifest {
    fn info(&self) -> VersionInfo {
        VersionInfo {
            dataset: self.dataset.clone(),
            version: self.version,
            rows: self.rows,
            created_at: self.created_at.clone(),
            note: self.note.clone(),
            imported_by: self.imported_by.clone(),
            source_names: self.source_names.clone(),
            issue_count: self.issue_count,
        }
    }
}

/// A versioned store of canonical datasets as Parquet on an object store.
#[derive(Debug, Clone)]
pub struct DatasetStore {
    /// The URL as shown to people (a local store as `file:///abs/dir`).
    url: String,
    store: Arc<dyn ObjectStore>,
    /// Prefix of the store's objects inside `store`.
    root: ObjPath,
    /// `scheme://host/` under which `store` is registered in a DataFusion session.
    base: Url,
}

impl DatasetStore {
    /// Opens a store: `file:///abs/dir`, a plain directory (relative ones resolve under
    /// `base_dir`; created if missing), `memory://` (in this process only, empty at start) or
    /// `s3://bucket/prefix` (with the `s3` cargo feature; credentials, region and endpoint of
    /// S3-compatible storage come from the usual `AWS_*` environment variables).
    pub fn open(url: &str, base_dir: &FsPath) -> Result<DatasetStore, StoreError> {
        let spec = url.trim();
        if spec.is_empty() {
            return Err(StoreError::InvalidUrl("地址为空".to_string()));
        }
        if let Some(rest) = spec.strip_prefix("memory:") {
            let prefix = rest.trim_start_matches('/').trim_end_matches('/');
            let base = Url::parse(&format!("memory://qinglian-{:016x}/", rand::random::<u64>()))
                .map_err(|e| StoreError::InvalidUrl(e.to_string()))?;
            return Ok(DatasetStore {
                url: format!("memory://{prefix}"),
                store: Arc::new(object_store::memory::InMemory::new()),
                root: ObjPath::from(prefix),
                base,
            });
        }
        if !spec.contains("://") {
            let path = PathBuf::from(spec);
            return DatasetStore::local(if path.is_absolute() { path } else { base_dir.join(path) });
        }
        let parsed = Url::parse(spec).map_err(|e| StoreError::InvalidUrl(e.to_string()))?;
        match parsed.scheme() {
            "file" => {
                let path = parsed
                    .to_file_path()
                    .map_err(|_| StoreError::InvalidUrl("file://地址须为绝对路径".to_string()))?;
                DatasetStore::local(path)
            }
            "s3" | "s3a" => DatasetStore::s3(spec, &parsed),
            other => Err(StoreError::UnsupportedScheme(other.to_string())),
        }
    }

    fn local(dir: PathBuf) -> Result<DatasetStore, StoreError> {
        std::fs::create_dir_all(&dir).map_err(StoreError::Directory)?;
        let dir = dir.canonicalize().map_err(StoreError::Directory)?;
        let url = Url::from_directory_path(&dir).map_err(|_| StoreError::InvalidUrl("目录须为绝对路径".to_string()))?;
        let root = ObjPath::from_url_path(url.path()).map_err(|e| StoreError::InvalidUrl(e.to_string()))?;
        Ok(DatasetStore {
            url: url.as_str().trim_end_matches('/').to_string(),
            store: Arc::new(object_store::local::LocalFileSystem::new()),
            root,
            base: Url::parse("file:///").expect("file URL"),
        })
    }

    #[cfg(feature = "s3")]
    fn s3(spec: &str, parsed: &Url) -> Result<DatasetStore, StoreError> {
        let bucket = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| StoreError::InvalidUrl("s3地址须包含存储桶名称".to_string()))?;
        let store = object_store::aws::AmazonS3Builder::from_env()
            .with_url(spec)
            .build()
            .map_err(storage("连接S3对象存储"))?;
        let root = ObjPath::from_url_path(parsed.path()).map_err(|e| StoreError::InvalidUrl(e.to_string()))?;
        let base = Url::parse(&format!("{}://{bucket}/", parsed.scheme()))
            .map_err(|e| StoreError::InvalidUrl(e.to_string()))?;
        Ok(DatasetStore {
            url: spec.trim_end_matches('/').to_string(),
            store: Arc::new(store),
            root,
            base,
        })
    }

    #[cfg(not(feature = "s3"))]
    fn s3(_spec: &str, _parsed: &Url) -> Result<DatasetStore, StoreError> {
        Err(StoreError::S3NotEnabled)
    }

    /// The store's URL (`file:///abs/dir`, `memory://…` or `s3://bucket/prefix`).
    pub fn url(&self) -> &str {
        &self.url
    }

    fn path(&self, parts: &[&str]) -> ObjPath {
        parts.iter().fold(self.root.clone(), |p, part| p.join(*part))
    }

    fn version_dir(version: u32) -> String {
        format!("v{version:06}")
    }

    fn parse_version_dir(name: &str) -> Option<u32> {
        let digits = name.strip_prefix('v')?;
        (digits.len() >= 6 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse().ok())
            .flatten()
    }

    /// The path of an object relative to the root, as parts.
    fn relative(&self, location: &ObjPath) -> Option<Vec<String>> {
        location
            .prefix_match(&self.root)
            .map(|parts| parts.map(|p| p.as_ref().to_string()).collect())
    }

    /// Every object under `prefix` (relative parts), with its metadata.
    async fn list(&self, parts: &[&str], context: &str) -> Result<Vec<object_store::ObjectMeta>, StoreError> {
        let prefix = self.path(parts);
        let listed: Result<Vec<_>, _> = self.store.list(Some(&prefix)).try_collect().await;
        match listed {
            Ok(objects) => Ok(objects),
            Err(object_store::Error::NotFound { .. }) => Ok(Vec::new()),
            Err(e) => Err(storage(context)(e)),
        }
    }

    async fn read_manifest(&self, dataset: &str, version: u32) -> Result<Manifest, StoreError> {
        let path = self.path(&[dataset, &Self::version_dir(version), MANIFEST]);
        let bytes = match self.store.get(&path).await {
            Ok(r) => r.bytes().await,
            Err(e) => Err(e),
        };
        let bytes = match bytes {
            Ok(b) => b,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(StoreError::VersionNotFound {
                    dataset: dataset.to_string(),
                    version,
                });
            }
            Err(e) => return Err(storage(format!("读取数据集“{dataset}”第{version}版"))(e)),
        };
        let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|_| StoreError::Manifest {
            dataset: dataset.to_string(),
            version,
        })?;
        if manifest.dataset != dataset || manifest.version != version {
            return Err(StoreError::Manifest {
                dataset: dataset.to_string(),
                version,
            });
        }
        Ok(manifest)
    }

    /// The published version numbers of a dataset, ascending.
    async fn version_numbers(&self, dataset: &str) -> Result<Vec<u32>, StoreError> {
        let objects = self.list(&[dataset], &format!("列出数据集“{dataset}”的版本")).await?;
        let mut versions: Vec<u32> = objects
            .iter()
            .filter_map(|o| {
                let parts = self.relative(&o.location)?;
                match parts.as_slice() {
                    [_, dir, file] if file == MANIFEST => Self::parse_version_dir(dir),
                    _ => None,
                }
            })
            .collect();
        versions.sort_unstable();
        Ok(versions)
    }

    /// The published versions of a dataset, newest first.
    pub async fn versions(&self, dataset: &str) -> Result<Vec<VersionInfo>, StoreError> {
        let spec = spec(dataset).ok_or_else(|| StoreError::UnknownDataset(dataset.to_string()))?;
        let mut out = Vec::new();
        for version in self.version_numbers(spec.name).await?.into_iter().rev() {
            out.push(self.read_manifest(spec.name, version).await?.info());
        }
        Ok(out)
    }

    /// The newest published version of every dataset that has one.
    pub async fn latest(&self) -> Result<BTreeMap<String, u32>, StoreError> {
        let objects = self.list(&[], "列出数据集版本").await?;
        let mut latest: BTreeMap<String, u32> = BTreeMap::new();
        for o in &objects {
            let Some(parts) = self.relative(&o.location) else {
                continue;
            };
            if let [dataset, dir, file] = parts.as_slice()
                && file == MANIFEST
                && spec(dataset).is_some()
                && let Some(version) = Self::parse_version_dir(dir)
            {
                let entry = latest.entry(dataset.clone()).or_insert(version);
                *entry = (*entry).max(version);
            }
        }
        Ok(latest)
    }

    /// Normalises `sources` (appended in order) into canonical dataset `dataset` and publishes
    /// them as its next version. Nothing is published when the dataset is unknown, a source has
    /// no column for a key column (see [`super::required_columns`]), `cancel` fires, or anything
    /// fails. `progress` receives the number of rows written so far.
    pub async fn publish(
        &self,
        dataset: &str,
        sources: Vec<RawTable>,
        mapping: &HeaderMapping,
        meta: PublishMeta,
        progress: Option<&(dyn Fn(u64) + Send + Sync)>,
        cancel: &CancellationToken,
    ) -> Result<Published, StoreError> {
        let spec: &'static DatasetSpec =
            spec(dataset).ok_or_else(|| StoreError::UnknownDataset(dataset.to_string()))?;
        if sources.is_empty() {
            return Err(StoreError::NoSources);
        }
        let mut mappings = Vec::with_capacity(sources.len());
        for raw in &sources {
            let headers: Vec<String> = raw.schema.fields().iter().map(|f| f.name().clone()).collect();
            let missing = missing_required(spec, &headers, mapping);
            if !missing.is_empty() {
                return Err(StoreError::MissingKeyColumns {
                    dataset: spec.title,
                    file: raw.file.clone(),
                    columns: missing
                        .iter()
                        .map(|c| format!("“{}”", c.label))
                        .collect::<Vec<_>>()
                        .join("、"),
                });
            }
            mappings.push(SourceMapping {
                source: raw.file.clone(),
                columns: suggest_mapping(spec, &headers, mapping)
                    .into_iter()
                    .map(|(header, column)| MappedHeader {
                        header,
                        column: column.map(str::to_string),
                    })
                    .collect(),
            });
        }
        if cancel.is_cancelled() {
            return Err(StoreError::Cancelled);
        }
        let mut import = Import {
            store: self,
            spec,
            token: format!("{:016x}", rand::random::<u64>()),
            version: self.version_numbers(spec.name).await?.last().map_or(1, |v| v + 1),
            files: Vec::new(),
        };
        let result = import
            .run(sources, Arc::new(mapping.clone()), meta, mappings, progress, cancel)
            .await;
        if result.is_err() {
            import.discard().await;
        }
        result
    }

    /// Registers, in `ctx`, every canonical dataset as a table named after it: the versions
    /// named in `versions` as Parquet listing tables over exactly the version's files (read
    /// lazily, never loaded whole), every other dataset as an empty table. Table schemas are
    /// the canonical ones, so models see the same types as over in-memory [`super::Datasets`].
    pub async fn register(&self, ctx: &SessionContext, versions: &BTreeMap<String, u32>) -> Result<(), StoreError> {
        if let Some(unknown) = versions.keys().find(|d| spec(d).is_none()) {
            return Err(StoreError::UnknownDataset(unknown.clone()));
        }
        ctx.register_object_store(&self.base, self.store.clone());
        let parquet_options = ctx.state().table_options().parquet.clone();
        for spec in DATASETS {
            let schema = spec.schema();
            let register_err = |source| StoreError::Register {
                dataset: spec.name.to_string(),
                source,
            };
            let provider: Arc<dyn TableProvider> = match versions.get(spec.name) {
                None => Arc::new(MemTable::try_new(schema, vec![Vec::new()]).map_err(register_err)?),
                Some(&version) => {
                    let manifest = self.read_manifest(spec.name, version).await?;
                    let dir = Self::version_dir(version);
                    let urls = manifest
                        .files
                        .iter()
                        .map(|f| {
                            let path = self.path(&[spec.name, &dir, &f.name]);
                            ListingTableUrl::parse(format!("{}{}", self.base, path))
                        })
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(register_err)?;
                    // Text is read as Utf8 (the canonical type) rather than as views cast back.
                    let format = ParquetFormat::default()
                        .with_options(parquet_options.clone())
                        .with_force_view_types(false);
                    let options = ListingOptions::new(Arc::new(format)).with_file_extension(".parquet");
                    let config = ListingTableConfig::new_with_multi_paths(urls)
                        .with_listing_options(options)
                        .with_schema(schema);
                    Arc::new(ListingTable::try_new(config).map_err(register_err)?)
                }
            };
            ctx.deregister_table(spec.name).map_err(register_err)?;
            ctx.register_table(spec.name, provider).map_err(register_err)?;
        }
        Ok(())
    }

    /// Removes unpublished files older than one hour (parts of crashed imports, parts not in
    /// their version's manifest); returns how many were removed.
    pub async fn gc(&self) -> Result<usize, StoreError> {
        self.gc_older_than(GC_AGE).await
    }

    /// As [`DatasetStore::gc`] with another age limit (a file younger than `age` may belong to
    /// an import still running, so keep it generous).
    pub async fn gc_older_than(&self, age: Duration) -> Result<usize, StoreError> {
        let objects = self.list(&[], "清理数据集存储").await?;
        let Some(cutoff) = chrono::Duration::from_std(age)
            .ok()
            .and_then(|age| chrono::Utc::now().checked_sub_signed(age))
        else {
            return Ok(0);
        };
        // (dataset, version) → files its manifest lists; `None` when the manifest is unreadable
        // (then nothing of that version is touched).
        let mut published: HashMap<(String, u32), Option<HashSet<String>>> = HashMap::new();
        for o in &objects {
            if let Some(parts) = self.relative(&o.location)
                && let [dataset, dir, file] = parts.as_slice()
                && file == MANIFEST
                && spec(dataset).is_some()
                && let Some(version) = Self::parse_version_dir(dir)
            {
                let files = self
                    .read_manifest(dataset, version)
                    .await
                    .ok()
                    .map(|m| m.files.into_iter().map(|f| f.name).collect());
                published.insert((dataset.clone(), version), files);
            }
        }
        let mut removed = 0;
        for o in &objects {
            let Some(parts) = self.relative(&o.location) else {
                continue;
            };
            let [dataset, dir, file] = parts.as_slice() else {
                continue;
            };
            let Some(version) = Self::parse_version_dir(dir) else {
                continue;
            };
            if spec(dataset).is_none() || file == MANIFEST || o.last_modified > cutoff {
                continue;
            }
            let garbage = match published.get(&(dataset.clone(), version)) {
                None => true,
                Some(Some(files)) => !files.contains(file),
                Some(None) => false,
            };
            if garbage {
                match self.store.delete(&o.location).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => removed += 1,
                    Err(e) => return Err(storage(format!("清理数据集“{dataset}”"))(e)),
                }
            }
        }
        Ok(removed)
    }

    /// Deletes a published version: its manifest first (so it disappears at once), then its files.
    pub async fn delete_version(&self, dataset: &str, version: u32) -> Result<(), StoreError> {
        let spec = spec(dataset).ok_or_else(|| StoreError::UnknownDataset(dataset.to_string()))?;
        let manifest = self.read_manifest(spec.name, version).await?;
        let dir = Self::version_dir(version);
        let context = format!("删除数据集“{}”第{version}版", spec.name);
        self.store
            .delete(&self.path(&[spec.name, &dir, MANIFEST]))
            .await
            .map_err(storage(context.clone()))?;
        for f in &manifest.files {
            match self.store.delete(&self.path(&[spec.name, &dir, &f.name])).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(storage(context)(e)),
            }
        }
        Ok(())
    }
}

/// One running import: where its parts go and which are written.
struct Import<'a> {
    store: &'a DatasetStore,
    spec: &'static DatasetSpec,
    /// Unique to this import: part names never collide with a concurrent import's.
    token: String,
    /// The version number the parts are written under (may move on a conflict).
    version: u32,
    files: Vec<ManifestFile>,
}

/// A Parquet part file being encoded in memory.
struct PartWriter {
    writer: ArrowWriter<Vec<u8>>,
    rows: usize,
}

impl PartWriter {
    fn new(schema: SchemaRef) -> Result<PartWriter, ParquetError> {
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build();
        Ok(PartWriter {
            writer: ArrowWriter::try_new(Vec::new(), schema, Some(props))?,
            rows: 0,
        })
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<(), ParquetError> {
        self.writer.write(batch)?;
        self.rows += batch.num_rows();
        Ok(())
    }

    fn finish(self) -> Result<(Vec<u8>, usize), ParquetError> {
        let rows = self.rows;
        Ok((self.writer.into_inner()?, rows))
    }
}

/// What one normalisation step hands back from the blocking pool.
struct Step {
    part: Option<PartWriter>,
    finished: Vec<(Vec<u8>, usize)>,
    issues: Vec<ImportIssue>,
    rows: usize,
}

impl Import<'_> {
    fn dir(&self) -> String {
        DatasetStore::version_dir(self.version)
    }

    async fn run(
        &mut self,
        sources: Vec<RawTable>,
        mapping: Arc<HeaderMapping>,
        meta: PublishMeta,
        mappings: Vec<SourceMapping>,
        progress: Option<&(dyn Fn(u64) + Send + Sync)>,
        cancel: &CancellationToken,
    ) -> Result<Published, StoreError> {
        let spec = self.spec;
        let schema = spec.schema();
        let mut issues: Vec<ImportIssue> = Vec::new();
        let mut rows: u64 = 0;
        let mut part: Option<PartWriter> = None;
        for raw in sources {
            let RawTable {
                file,
                schema: raw_schema,
                batches,
                first_row,
                issues: read_issues,
            } = raw;
            // Normalise a few batches at a time: progress and cancellation between steps; the
            // whole-file issues (unknown or missing columns) are kept from the first step only.
            let mut steps: Vec<Vec<RecordBatch>> = Vec::new();
            let mut batches = batches.into_iter().peekable();
            while batches.peek().is_some() {
                steps.push(batches.by_ref().take(BATCHES_PER_STEP).collect());
            }
            if steps.is_empty() {
                steps.push(Vec::new());
            }
            let mut row_base = first_row;
            let mut read_issues = Some(read_issues);
            for (i, step_batches) in steps.into_iter().enumerate() {
                if cancel.is_cancelled() {
                    return Err(StoreError::Cancelled);
                }
                let step_rows: u64 = step_batches.iter().map(|b| b.num_rows() as u64).sum();
                let sub = RawTable {
                    file: file.clone(),
                    schema: raw_schema.clone(),
                    batches: step_batches,
                    first_row: row_base,
                    issues: read_issues.take().unwrap_or_default(),
                };
                row_base += step_rows;
                let (mapping, schema, carried) = (mapping.clone(), schema.clone(), part.take());
                let step = tokio::task::spawn_blocking(move || -> Result<Step, StoreError> {
                    let mut issues = Vec::new();
                    let normalized = normalize(spec, &sub, &mapping, &mut issues)?;
                    if i > 0 {
                        issues.retain(|issue| issue.row.is_some());
                    }
                    let mut part = carried;
                    let mut finished = Vec::new();
                    let mut rows = 0;
                    for batch in &normalized {
                        rows += batch.num_rows();
                        let writer = match part.as_mut() {
                            Some(w) => w,
                            None => part.insert(PartWriter::new(schema.clone())?),
                        };
                        writer.write(batch)?;
                        if writer.rows >= PART_ROWS
                            && let Some(full) = part.take()
                        {
                            finished.push(full.finish()?);
                        }
                    }
                    Ok(Step {
                        part,
                        finished,
                        issues,
                        rows,
                    })
                })
                .await
                .map_err(StoreError::Task)??;
                part = step.part;
                issues.extend(step.issues);
                for (bytes, part_rows) in step.finished {
                    self.upload(bytes, part_rows).await?;
                }
                rows += step.rows as u64;
                if let Some(report) = progress {
                    report(rows);
                }
            }
        }
        if cancel.is_cancelled() {
            return Err(StoreError::Cancelled);
        }
        // The last part; an empty version still gets one (empty) file so that it reads back
        // with its schema like any other.
        if part.is_some() || self.files.is_empty() {
            let schema = schema.clone();
            let (bytes, part_rows) = tokio::task::spawn_blocking(move || -> Result<_, StoreError> {
                let writer = match part {
                    Some(w) => w,
                    None => PartWriter::new(schema)?,
                };
                Ok(writer.finish()?)
            })
            .await
            .map_err(StoreError::Task)??;
            self.upload(bytes, part_rows).await?;
        }
        if cancel.is_cancelled() {
            return Err(StoreError::Cancelled);
        }
        let bytes: u64 = self.files.iter().map(|f| f.bytes).sum();
        let mut manifest = Manifest {
            format: MANIFEST_FORMAT,
            dataset: spec.name.to_string(),
            version: self.version,
            rows,
            bytes,
            files: self.files.clone(),
            created_at: String::new(),
            note: meta.note,
            imported_by: meta.imported_by,
            source_names: meta.source_names,
            mapping: mappings,
            issue_count: issues.len() as u64,
        };
        for _ in 0..MAX_ATTEMPTS {
            manifest.version = self.version;
            manifest.created_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
            let json = serde_json::to_vec_pretty(&manifest).expect("manifest serialises");
            let path = self.store.path(&[spec.name, &self.dir(), MANIFEST]);
            let put = self
                .store
                .store
                .put_opts(&path, PutPayload::from(json), PutOptions::from(PutMode::Create))
                .await;
            match put {
                Ok(_) => {
                    return Ok(Published {
                        version: self.version,
                        rows,
                        issues,
                        bytes,
                    });
                }
                Err(object_store::Error::AlreadyExists { .. } | object_store::Error::Precondition { .. }) => {
                    let next = self
                        .store
                        .version_numbers(spec.name)
                        .await?
                        .last()
                        .map_or(1, |v| v + 1)
                        .max(self.version + 1);
                    self.relocate(next).await?;
                }
                Err(e) => return Err(storage(format!("发布数据集“{}”", spec.name))(e)),
            }
        }
        Err(StoreError::Conflict(spec.name.to_string()))
    }

    /// Writes one encoded part under the current version.
    async fn upload(&mut self, bytes: Vec<u8>, rows: usize) -> Result<(), StoreError> {
        let name = format!("part-{}-{:05}.parquet", self.token, self.files.len());
        let path = self.store.path(&[self.spec.name, &self.dir(), &name]);
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let size = bytes.len() as u64;
        // Recorded before the put so that a half-written part is cleaned up too.
        self.files.push(ManifestFile {
            name,
            rows: rows as u64,
            bytes: size,
            sha256,
        });
        self.store
            .store
            .put(&path, PutPayload::from(bytes))
            .await
            .map_err(storage(format!("写入数据集“{}”", self.spec.name)))?;
        Ok(())
    }

    /// Moves the written parts to version `next` (another import published the current one).
    async fn relocate(&mut self, next: u32) -> Result<(), StoreError> {
        let from_dir = self.dir();
        let to_dir = DatasetStore::version_dir(next);
        let context = format!("写入数据集“{}”", self.spec.name);
        for f in &self.files {
            let from = self.store.path(&[self.spec.name, &from_dir, &f.name]);
            let to = self.store.path(&[self.spec.name, &to_dir, &f.name]);
            self.store
                .store
                .copy(&from, &to)
                .await
                .map_err(storage(context.clone()))?;
        }
        let old = std::mem::replace(&mut self.version, next);
        for f in &self.files {
            let from = self
                .store
                .path(&[self.spec.name, &DatasetStore::version_dir(old), &f.name]);
            let _ = self.store.store.delete(&from).await;
        }
        Ok(())
    }

    /// Best-effort removal of everything this import wrote (after a failure or cancellation).
    async fn discard(&self) {
        for f in &self.files {
            let path = self.store.path(&[self.spec.name, &self.dir(), &f.name]);
            let _ = self.store.store.delete(&path).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(rows: usize) -> RawTable {
        use datafusion::arrow::array::{ArrayRef, StringArray};
        use datafusion::arrow::datatypes::{DataType, Field, Schema};
        let schema = Arc::new(Schema::new(vec![Field::new("身份证号", DataType::Utf8, true)]));
        let ids: ArrayRef = Arc::new(StringArray::from(vec!["110105198001010012"; rows]));
        RawTable {
            file: "t.csv".to_string(),
            schema: schema.clone(),
            batches: vec![RecordBatch::try_new(schema, vec![ids]).unwrap()],
            first_row: 2,
            issues: Vec::new(),
        }
    }

    /// An import that computed its version number before another one published it moves its
    /// parts to the next number instead of overwriting or failing.
    #[tokio::test]
    async fn a_taken_version_number_moves_the_import_to_the_next() {
        let store = DatasetStore::open("memory://", FsPath::new("/")).unwrap();
        let spec = spec("persons").unwrap();
        let none = CancellationToken::new();
        let mut stale = Import {
            store: &store,
            spec,
            token: "stale".to_string(),
            version: 1,
            files: Vec::new(),
        };
        let first = store
            .publish(
                "persons",
                vec![raw(2)],
                &HeaderMapping::default(),
                PublishMeta::default(),
                None,
                &none,
            )
            .await
            .unwrap();
        assert_eq!(first.version, 1);
        let published = stale
            .run(
                vec![raw(3)],
                Arc::new(HeaderMapping::default()),
                PublishMeta::default(),
                Vec::new(),
                None,
                &none,
            )
            .await
            .unwrap();
        assert_eq!((published.version, published.rows), (2, 3));
        let objects = store.list(&["persons"], "test").await.unwrap();
        let mut names: Vec<String> = objects
            .iter()
            .map(|o| store.relative(&o.location).unwrap().join("/"))
            .filter(|n| n.contains("stale"))
            .collect();
        names.sort();
        assert_eq!(names, ["persons/v000002/part-stale-00000.parquet"]);
        let v1 = store.read_manifest("persons", 1).await.unwrap();
        let v2 = store.read_manifest("persons", 2).await.unwrap();
        assert_eq!((v1.rows, v2.rows), (2, 3));
        assert_eq!(v2.files[0].name, "part-stale-00000.parquet");
    }
}
