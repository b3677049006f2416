//! Running models over registered datasets with a memory limit, a time limit and cancellation.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Date32Type, Float64Type, Int32Type, Int64Type, TimeUnit};
use datafusion::arrow::util::display::array_value_to_string;
use datafusion::config::ConfigOptions;
use datafusion::execution::context::SQLOptions;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};
use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;

use super::template::{display, render_explanation};
use super::{Finding, Model, ModelError, validate_select};
use crate::dataset::{DatasetStore, Datasets};

/// Limits of a run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Memory pool size for query execution in bytes (unbounded when `None`).
    pub memory_limit: Option<usize>,
    /// Time limit of one model run (unbounded when `None`).
    pub timeout: Option<Duration>,
    /// Cancels every run of the engine when triggered.
    pub cancel: CancellationToken,
}

/// The outcome of one model in [`Engine::run_all`].
#[derive(Debug)]
pub struct ModelRun {
    /// Model id.
    pub model: String,
    /// Findings, or why the model failed.
    pub result: Result<Vec<Finding>, ModelError>,
    /// Wall time of the run.
    pub elapsed: Duration,
}

/// One DataFusion session with every dataset registered once, running any number of models.
pub struct Engine {
    ctx: SessionContext,
    options: RunOptions,
    /// Whether CTEs used more than once are computed once into memory (see `materialize`);
    /// not for a cluster session, whose executors cannot read the client's memory tables.
    materialize: bool,
}

impl Engine {
    /// Creates a session with the run limits and registers every dataset of `datasets`.
    pub fn new(datasets: &Datasets, options: RunOptions) -> Result<Engine, ModelError> {
        let ctx = session(&options)?;
        datasets.register(&ctx)?;
        Ok(Engine {
            ctx,
            options,
            materialize: true,
        })
    }

    /// Creates a session with the run limits whose tables are the given versions of a dataset
    /// store (Parquet listing tables, scanned as queries need them rather than loaded into
    /// memory); datasets not named in `versions` are empty tables.
    pub async fn from_store(
        store: &DatasetStore,
        versions: &BTreeMap<String, u32>,
        options: RunOptions,
    ) -> Result<Engine, ModelError> {
        let ctx = session(&options)?;
        store.register(&ctx, versions).await?;
        Ok(Engine {
            ctx,
            options,
            materialize: true,
        })
    }

    /// Creates a session with the run limits over a directory of prepared canonical Parquet
    /// files (`qinglian model prepare` output), scanned in place rather than loaded and
    /// normalised again; absent datasets are empty tables.
    pub async fn from_parquet_dir(dir: &std::path::Path, options: RunOptions) -> Result<Engine, ModelError> {
        let ctx = session(&options)?;
        crate::dataset::register_parquet_dir(&ctx, dir).await?;
        Ok(Engine {
            ctx,
            options,
            materialize: true,
        })
    }

    /// An engine over a session whose tables are already registered (e.g. a Ballista cluster
    /// session, see `crate::cluster`). `options.memory_limit` is not applied: the session's
    /// runtime has its own limits. The timeout and cancellation apply as in [`Engine::new`].
    pub fn from_context(ctx: SessionContext, options: RunOptions) -> Engine {
        Engine {
            ctx,
            options,
            materialize: false,
        }
    }

    /// The underlying DataFusion session (datasets are registered as tables).
    pub fn context(&self) -> &SessionContext {
        &self.ctx
    }

    /// Runs one model and returns its findings, one per (subject, period).
    pub async fn run(&self, model: &Model) -> Result<Vec<Finding>, ModelError> {
        let sql = model.render_sql()?;
        if !model.builtin {
            validate_select(&sql)?;
        }
        let work = async {
            let options = SQLOptions::new()
                .with_allow_ddl(false)
                .with_allow_dml(false)
                .with_allow_statements(false);
            let (plan, _materialized) = super::materialize::plan(&self.ctx, &sql, &options, self.materialize).await?;
            let batches = self.ctx.execute_logical_plan(plan).await?.collect().await?;
            Ok::<_, ModelError>(batches)
        };
        let limited = async {
            match self.options.timeout {
                Some(limit) => tokio::time::timeout(limit, work)
                    .await
                    .map_err(|_| ModelError::Timeout(limit.as_secs()))?,
                None => work.await,
            }
        };
        // Dropping the query future stops DataFusion's tasks.
        let batches = tokio::select! {
            biased;
            _ = self.options.cancel.cancelled() => return Err(ModelError::Cancelled),
            r = limited => r?,
        };
        findings_from_batches(model, &batches)
    }

    /// Runs models one after another (each already uses every core), collecting each outcome.
    pub async fn run_all(&self, models: &[Model]) -> Vec<ModelRun> {
        let mut out = Vec::with_capacity(models.len());
        for model in models {
            let started = std::time::Instant::now();
            let result = self.run(model).await;
            out.push(ModelRun {
                model: model.id.clone(),
                result,
                elapsed: started.elapsed(),
            });
        }
        out
    }
}

/// A session with the memory limit of `options` (spilling to temporary files beyond it).
fn session(options: &RunOptions) -> Result<SessionContext, ModelError> {
    let mut runtime = RuntimeEnvBuilder::new();
    if let Some(limit) = options.memory_limit {
        runtime = runtime.with_memory_limit(limit, 1.0);
    }
    let runtime = runtime.build_arc()?;
    // DataFusion settings can be tuned with DATAFUSION_* environment variables (e.g.
    // DATAFUSION_EXECUTION_TARGET_PARTITIONS=8). Parquet filter pushdown (late materialisation)
    // stays off as DataFusion ships it: measured at city scale it made the models slower
    // (duplicate_payment 3.7 s → 2.6 s without it, see docs/PERFORMANCE.md).
    let options = ConfigOptions::from_env()?;
    let config = SessionConfig::from(options).with_information_schema(false);
    Ok(SessionContext::new_with_config_rt(config, runtime))
}

/// Groups a model's result rows into findings by (subject, period), deduplicating evidence
/// rows; findings are sorted by (subject, period) and their explanations rendered. Every engine
/// (embedded or cluster) turns query results into findings through this one function.
pub fn findings_from_batches(model: &Model, batches: &[RecordBatch]) -> Result<Vec<Finding>, ModelError> {
    let mut findings: Vec<Finding> = Vec::new();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    let mut seen: Vec<std::collections::HashSet<String>> = Vec::new();
    for batch in batches {
        let schema = batch.schema();
        let subject_idx = schema
            .index_of("subject")
            .map_err(|_| ModelError::MissingColumn("subject"))?;
        let period_idx = schema.index_of("period").ok();
        for row in 0..batch.num_rows() {
            let subject = match json_value(batch.column(subject_idx).as_ref(), row) {
                Value::Null => continue,
                v => display(&v).trim().to_string(),
            };
            if subject.is_empty() {
                continue;
            }
            let period = period_idx
                .map(|i| display(&json_value(batch.column(i).as_ref(), row)).trim().to_string())
                .unwrap_or_default();
            let mut evidence = Map::new();
            for (i, field) in schema.fields().iter().enumerate() {
                if i == subject_idx || Some(i) == period_idx {
                    continue;
                }
                evidence.insert(field.name().clone(), json_value(batch.column(i).as_ref(), row));
            }
            let key = (subject, period);
            let at = match index.get(&key) {
                Some(&at) => at,
                None => {
                    findings.push(Finding {
                        model: model.id.clone(),
                        model_version: model.version,
                        subject_kind: model.subject_kind,
                        subject: key.0.clone(),
                        period: key.1.clone(),
                        severity: model.severity,
                        explanation: String::new(),
                        evidence: Vec::new(),
                    });
                    seen.push(Default::default());
                    index.insert(key, findings.len() - 1);
                    findings.len() - 1
                }
            };
            let value = Value::Object(evidence);
            if seen[at].insert(value.to_string()) {
                findings[at].evidence.push(value);
            }
        }
    }
    for f in &mut findings {
        // Row order of a parallel query is not deterministic (nor equal between the embedded
        // engine and a cluster): put evidence in a canonical order before the explanation is
        // rendered from its first row.
        f.evidence.sort_by(compare_rows);
        let fixed = [
            ("subject", f.subject.clone()),
            ("period", f.period.clone()),
            ("count", f.evidence.len().to_string()),
        ];
        let first = f.evidence.first().and_then(Value::as_object);
        f.explanation = render_explanation(&model.explanation, &fixed, &model.params, first);
    }
    findings.sort_by(|a, b| (&a.subject, &a.period).cmp(&(&b.subject, &b.period)));
    Ok(findings)
}

/// Orders two evidence rows (JSON objects with the same columns) by their values, column by
/// column: nulls first, numbers numerically, texts and flags as such.
fn compare_rows(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let cell = |x: &Value, y: &Value| -> Ordering {
        match (x, y) {
            (Value::Null, Value::Null) => Ordering::Equal,
            (Value::Null, _) => Ordering::Less,
            (_, Value::Null) => Ordering::Greater,
            (Value::Number(x), Value::Number(y)) => x
                .as_f64()
                .unwrap_or(f64::NAN)
                .total_cmp(&y.as_f64().unwrap_or(f64::NAN)),
            (Value::String(x), Value::String(y)) => x.cmp(y),
            (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
            _ => x.to_string().cmp(&y.to_string()),
        }
    };
    match (a.as_object(), b.as_object()) {
        (Some(x), Some(y)) => x
            .iter()
            .zip(y.iter())
            .map(|((kx, vx), (ky, vy))| kx.cmp(ky).then_with(|| cell(vx, vy)))
            .find(|o| o.is_ne())
            .unwrap_or_else(|| x.len().cmp(&y.len())),
        _ => a.to_string().cmp(&b.to_string()),
    }
}

/// One cell as JSON: numbers as numbers, dates as 'YYYY-MM-DD', times as 'YYYY-MM-DD HH:MM:SS'.
fn json_value(array: &dyn Array, row: usize) -> Value {
    if array.is_null(row) {
        return Value::Null;
    }
    match array.data_type() {
        DataType::Utf8 => Value::String(array.as_string::<i32>().value(row).to_string()),
        DataType::LargeUtf8 => Value::String(array.as_string::<i64>().value(row).to_string()),
        DataType::Utf8View => Value::String(array.as_string_view().value(row).to_string()),
        DataType::Boolean => Value::Bool(array.as_boolean().value(row)),
        DataType::Int64 => Value::from(array.as_primitive::<Int64Type>().value(row)),
        DataType::Int32 => Value::from(array.as_primitive::<Int32Type>().value(row)),
        DataType::Float64 => serde_json::Number::from_f64(array.as_primitive::<Float64Type>().value(row))
            .map(Value::Number)
            .unwrap_or(Value::Null),
        DataType::Date32 => {
            let days = array.as_primitive::<Date32Type>().value(row);
            let date = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
                .and_then(|e| e.checked_add_signed(chrono::Duration::days(i64::from(days))));
            date.map(|d| Value::String(d.format("%Y-%m-%d").to_string()))
                .unwrap_or(Value::Null)
        }
        DataType::Timestamp(TimeUnit::Millisecond, None) => {
            let ms = array
                .as_primitive::<datafusion::arrow::datatypes::TimestampMillisecondType>()
                .value(row);
            chrono::DateTime::from_timestamp_millis(ms)
                .map(|t| Value::String(t.naive_utc().format("%Y-%m-%d %H:%M:%S").to_string()))
                .unwrap_or(Value::Null)
        }
        _ => match array_value_to_string(array, row) {
            Ok(s) => s
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map_or(Value::String(s), Value::Number),
            Err(_) => Value::Null,
        },
    }
}
