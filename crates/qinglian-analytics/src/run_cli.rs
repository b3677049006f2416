//! `qinglian model run`: run built-in models over a directory of dataset files (or on a Ballista
//! cluster) with a progress bar, then print a table or the findings as JSON; and `qinglian model
//! prepare`: write a dataset directory as normalised canonical Parquet (the cluster's input).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use tokio_util::sync::CancellationToken;
use unicode_width::UnicodeWidthStr;

use crate::dataset::{Datasets, HeaderMapping, LoadError};
use crate::model::{
    BUILTIN_IDS, Engine, Finding, Model, ModelError, ModelRun, ParamOverrides, ParamValue, RunOptions, builtin,
};

/// Arguments of `qinglian model run` (help text is user-facing, hence Chinese).
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// 数据集目录：每个数据集一个文件，NAME.csv（UTF-8或GBK）或NAME.parquet；使用 --cluster 时为各节点以同一路径可见的规范Parquet目录
    #[arg(long, value_name = "DIR")]
    pub datasets: PathBuf,
    /// 数据集目录为 model prepare 写出的规范Parquet：直接扫描，不载入内存、不再规范化
    #[arg(long, conflicts_with = "cluster")]
    pub prepared: bool,
    /// 要运行的模型编号，逗号分隔（默认全部内置模型）；redflags 为采购红旗指标
    #[arg(long, value_name = "ID,ID", value_delimiter = ',')]
    pub models: Vec<String>,
    /// 模型参数，如 split_purchase.single_limit=500000（可重复；列表参数以逗号分隔）
    #[arg(long = "param", value_name = "MODEL.NAME=VALUE")]
    pub params: Vec<String>,
    /// 自定义查询文件（单条只读SELECT，须返回subject列，可选period列），以文件名为模型编号（可重复；未指定 --models 时只运行这些查询）
    #[arg(long = "sql", value_name = "FILE.sql")]
    pub sql: Vec<PathBuf>,
    /// 以JSON输出全部疑点（代替汇总表）
    #[arg(long)]
    pub json: bool,
    /// 把全部疑点以JSON写入此文件
    #[arg(long, value_name = "FILE.json")]
    pub out: Option<PathBuf>,
    /// 查询内存上限，如 4GiB、512MiB（默认不限）
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub memory_limit: Option<usize>,
    /// 每个模型的运行时限（秒，默认不限）
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// 在Ballista集群上运行，调度器地址如 df://10.0.0.5:50050
    #[arg(long, value_name = "df://HOST:PORT")]
    pub cluster: Option<String>,
}

/// A usage error of `model run` (unknown model or parameter, bad value, unsupported option);
/// the binary exits with code 2 for it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidArgs(pub String);

fn invalid(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(InvalidArgs(message.into()))
}

/// Parses a size such as `4GiB`, `512MiB`, `2GB`, `100KB` or plain bytes.
pub fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("无法识别的大小“{text}”，应如 4GiB、512MiB"))?;
    let factor: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "ki" | "kib" => 1024.0,
        "mi" | "mib" => 1024.0 * 1024.0,
        "gi" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "ti" | "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return Err(format!("无法识别的大小单位“{unit}”，可用 KiB、MiB、GiB、KB、MB、GB")),
    };
    let bytes = number * factor;
    if !(1.0..=(usize::MAX as f64)).contains(&bytes) {
        return Err(format!("大小“{text}”超出范围"));
    }
    Ok(bytes as usize)
}

/// Parses a parameter value as the type of the model's current value.
fn parse_value(text: &str, like: &ParamValue) -> Option<ParamValue> {
    let t = text.trim();
    match like {
        ParamValue::Bool(_) => match t.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "y" | "是" => Some(ParamValue::Bool(true)),
            "false" | "0" | "no" | "n" | "否" => Some(ParamValue::Bool(false)),
            _ => None,
        },
        ParamValue::Int(_) => t.replace('_', "").parse().ok().map(ParamValue::Int),
        ParamValue::Number(_) => t
            .replace('_', "")
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(ParamValue::Number),
        ParamValue::Text(_) => Some(ParamValue::Text(t.to_string())),
        ParamValue::List(_) => Some(ParamValue::List(
            t.split([',', '，'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        )),
    }
}

/// The models to run: `ids` (all built-in models when empty, in library order otherwise in the
/// order given) with the `MODEL.NAME=VALUE` overrides applied.
pub fn select_models(ids: &[String], params: &[String]) -> anyhow::Result<Vec<Model>> {
    let ids: Vec<&str> = if ids.iter().all(|s| s.trim().is_empty()) {
        BUILTIN_IDS.to_vec()
    } else {
        let mut out: Vec<&str> = Vec::new();
        for id in ids.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            if !out.contains(&id) {
                out.push(id);
            }
        }
        out
    };
    let mut models = Vec::with_capacity(ids.len());
    for id in &ids {
        let model = builtin(id)
            .ok_or_else(|| invalid(format!("没有编号为“{id}”的内置模型；可用：{}", BUILTIN_IDS.join(","))))?;
        models.push(model);
    }
    let mut overrides: Vec<ParamOverrides> = vec![ParamOverrides::new(); models.len()];
    for param in params {
        let (key, value) = param
            .split_once('=')
            .ok_or_else(|| invalid(format!("参数“{param}”的格式应为 模型编号.参数名=值")))?;
        let (model_id, name) = key
            .trim()
            .split_once('.')
            .ok_or_else(|| invalid(format!("参数“{param}”的格式应为 模型编号.参数名=值")))?;
        let at = models
            .iter()
            .position(|m| m.id == model_id)
            .ok_or_else(|| invalid(format!("参数“{param}”所属的模型“{model_id}”不在本次运行的模型中")))?;
        let current = models[at].param(name).ok_or_else(|| {
            let names: Vec<&str> = models[at].params.iter().map(|p| p.name.as_str()).collect();
            invalid(format!("模型{model_id}没有参数“{name}”；可用：{}", names.join(",")))
        })?;
        let parsed = parse_value(value, current)
            .ok_or_else(|| invalid(format!("参数“{key}”的值“{value}”无效，应为{}", type_label(current))))?;
        overrides[at].insert(name.to_string(), parsed);
    }
    models
        .iter()
        .zip(&overrides)
        .map(|(m, o)| m.with_params(o).map_err(|e| invalid(e.to_string())))
        .collect()
}

fn type_label(value: &ParamValue) -> &'static str {
    match value {
        ParamValue::Bool(_) => "是/否（true/false）",
        ParamValue::Int(_) => "整数",
        ParamValue::Number(_) => "数值",
        ParamValue::Text(_) => "文本",
        ParamValue::List(_) => "逗号分隔的文本列表",
    }
}

/// A progress bar on stderr, hidden when stderr is not a terminal.
fn progress_bar(total: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len}个模型  {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// A spinner on stderr while datasets load, hidden when stderr is not a terminal.
fn spinner(message: String) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}") {
        bar.set_style(style);
    }
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Runs `models` one after another on `engine`, advancing `bar` (models done / total, the
/// current model and the findings so far). Stops at the first cancelled run.
pub async fn run_with_progress(engine: &Engine, models: &[Model], bar: &ProgressBar) -> Vec<ModelRun> {
    let mut runs = Vec::with_capacity(models.len());
    let mut found = 0usize;
    for model in models {
        bar.set_message(format!("正在运行 {}（{}）  已发现疑点{found}条", model.id, model.title));
        let started = Instant::now();
        let result = engine.run(model).await;
        if let Ok(findings) = &result {
            found += findings.len();
        }
        let cancelled = matches!(result, Err(ModelError::Cancelled));
        runs.push(ModelRun {
            model: model.id.clone(),
            result,
            elapsed: started.elapsed(),
        });
        if cancelled {
            break;
        }
        bar.inc(1);
    }
    bar.set_message(format!("完成，共发现疑点{found}条"));
    runs
}

/// A custom model from a SQL file (id and title: the file name without extension).
fn custom_from_file(path: &Path) -> anyhow::Result<Model> {
    let sql = std::fs::read_to_string(path).with_context(|| format!("无法读取查询文件{}", path.display()))?;
    let id = path.file_stem().and_then(|s| s.to_str()).unwrap_or("custom");
    Model::custom(
        id,
        id,
        crate::model::SubjectKind::Person,
        crate::model::Severity::Medium,
        &sql,
        "",
        Vec::new(),
    )
    .map_err(|e| invalid(format!("查询文件{}：{e}", path.display())))
}

/// Title of the red-flag indicators when run beside the models.
pub const REDFLAGS_TITLE: &str = "采购红旗指标";

/// Runs the red-flag indicators (all of them, Cardinal's default thresholds) over the engine's
/// tenders, bids and awards, as one more [`ModelRun`].
async fn run_redflags(engine: &Engine, cancel: &CancellationToken) -> ModelRun {
    let started = Instant::now();
    let settings = qinglian_redflags::Settings::all_indicators();
    let result = crate::redflags::run(engine, settings, None, cancel).await;
    ModelRun {
        model: crate::procurement::MODEL_ID.to_string(),
        result,
        elapsed: started.elapsed(),
    }
}

/// The engine for a run: datasets loaded from `args.datasets`, or a Ballista cluster session.
async fn engine_for(args: &RunArgs, options: RunOptions) -> anyhow::Result<Engine> {
    if let Some(url) = &args.cluster {
        if options.memory_limit.is_some() {
            eprintln!("提示：--memory-limit 不适用于集群运行，内存上限由各执行节点的配置决定");
        }
        return cluster_engine(url, &args.datasets, options).await;
    }
    if args.prepared {
        return Ok(Engine::from_parquet_dir(&args.datasets, options).await?);
    }
    let dir = args.datasets.clone();
    let bar = spinner(format!("正在加载数据集 {}", dir.display()));
    let loaded = tokio::task::spawn_blocking(move || Datasets::load_dir(&dir, &HeaderMapping::default()));
    let datasets = tokio::select! {
        biased;
        _ = options.cancel.cancelled() => {
            bar.finish_and_clear();
            return Err(ModelError::Cancelled.into());
        }
        loaded = loaded => loaded.context("数据集加载任务失败")??,
    };
    bar.finish_and_clear();
    Ok(Engine::new(&datasets, options)?)
}

#[cfg(feature = "ballista")]
async fn cluster_engine(url: &str, dir: &Path, options: RunOptions) -> anyhow::Result<Engine> {
    if let Err(e) = crate::cluster::check_url(url) {
        return Err(invalid(match e {
            ModelError::Query(message) => message,
            other => other.to_string(),
        }));
    }
    let bar = spinner(format!("正在连接Ballista集群 {url}"));
    let engine = crate::cluster::connect(url, dir, options).await;
    bar.finish_and_clear();
    Ok(engine?)
}

#[cfg(not(feature = "ballista"))]
async fn cluster_engine(_url: &str, _dir: &Path, _options: RunOptions) -> anyhow::Result<Engine> {
    Err(invalid("此版本未启用Ballista集群支持，请以 --features ballista 构建"))
}

/// Display width of text in a terminal (CJK characters are two columns).
fn pad(text: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(w)))
}

/// The summary table: model, title, findings, time (failed models say why).
pub fn summary_table(models: &[Model], runs: &[ModelRun]) -> String {
    let headers = ["模型", "名称", "疑点数", "耗时"];
    let mut rows: Vec<[String; 4]> = Vec::new();
    let mut total = 0usize;
    let mut time = Duration::ZERO;
    for run in runs {
        let title = models
            .iter()
            .find(|m| m.id == run.model)
            .map(|m| m.title.clone())
            .unwrap_or_else(|| {
                if run.model == crate::procurement::MODEL_ID {
                    REDFLAGS_TITLE.to_string()
                } else {
                    String::new()
                }
            });
        let count = match &run.result {
            Ok(f) => {
                total += f.len();
                f.len().to_string()
            }
            Err(e) => format!("失败：{e}"),
        };
        time += run.elapsed;
        rows.push([
            run.model.clone(),
            title,
            count,
            format!("{:.2}秒", run.elapsed.as_secs_f64()),
        ]);
    }
    rows.push([
        "合计".to_string(),
        format!("{}个模型", runs.len()),
        total.to_string(),
        format!("{:.2}秒", time.as_secs_f64()),
    ]);
    let mut widths: Vec<usize> = headers.iter().map(|h| UnicodeWidthStr::width(*h)).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(UnicodeWidthStr::width(cell.as_str()));
        }
    }
    let line = |cells: &[&str]| -> String {
        let mut out: Vec<String> = cells.iter().enumerate().map(|(i, c)| pad(c, widths[i])).collect();
        if let Some(last) = out.last_mut() {
            *last = last.trim_end().to_string();
        }
        format!("{}\n", out.join("  ").trim_end())
    };
    let mut out = line(&headers);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    out.push_str(&line(&rule.iter().map(String::as_str).collect::<Vec<_>>()));
    for row in &rows {
        out.push_str(&line(&row.iter().map(String::as_str).collect::<Vec<_>>()));
    }
    out
}

/// Runs `qinglian model run`: Ctrl-C cancels the running model cleanly (exit with an error,
/// nothing printed as if it were a result).
pub async fn run_models(args: &RunArgs) -> anyhow::Result<()> {
    let with_redflags = args.models.iter().any(|m| m.trim() == crate::procurement::MODEL_ID);
    let ids: Vec<String> = args
        .models
        .iter()
        .filter(|m| m.trim() != crate::procurement::MODEL_ID)
        .cloned()
        .collect();
    // Only red flags or custom queries asked for: no built-in model runs.
    let only_extra = (with_redflags || !args.sql.is_empty()) && ids.iter().all(|s| s.trim().is_empty());
    let mut models = if only_extra {
        if let Some(param) = args.params.first() {
            return Err(invalid(format!("参数“{param}”所属的模型不在本次运行的模型中")));
        }
        Vec::new()
    } else {
        select_models(&ids, &args.params)?
    };
    for path in &args.sql {
        models.push(custom_from_file(path)?);
    }
    let cancel = CancellationToken::new();
    let on_signal = cancel.clone();
    // The first Ctrl-C cancels the running model cleanly; a second one ends the process at once.
    let signal = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_signal.cancel();
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\n已强制退出");
                std::process::exit(130);
            }
        }
    });
    let options = RunOptions {
        memory_limit: args.memory_limit,
        timeout: args.timeout.map(Duration::from_secs),
        cancel: cancel.clone(),
    };
    let result = run_and_report(args, &models, with_redflags, options).await;
    signal.abort();
    result
}

async fn run_and_report(
    args: &RunArgs,
    models: &[Model],
    with_redflags: bool,
    options: RunOptions,
) -> anyhow::Result<()> {
    let cancel = options.cancel.clone();
    let engine = engine_for(args, options).await?;
    let bar = progress_bar(models.len() as u64 + u64::from(with_redflags));
    let mut runs = run_with_progress(&engine, models, &bar).await;
    if with_redflags && !cancel.is_cancelled() {
        bar.set_message(format!(
            "正在运行 {}（{}）",
            crate::procurement::MODEL_ID,
            REDFLAGS_TITLE
        ));
        runs.push(run_redflags(&engine, &cancel).await);
        bar.inc(1);
    }
    if cancel.is_cancelled() || runs.iter().any(|r| matches!(r.result, Err(ModelError::Cancelled))) {
        bar.abandon_with_message("已取消");
        return Err(ModelError::Cancelled.into());
    }
    bar.finish_and_clear();

    let findings: Vec<&Finding> = runs.iter().filter_map(|r| r.result.as_ref().ok()).flatten().collect();
    if let Some(path) = &args.out {
        write_json(path, &findings)?;
    }
    if args.json {
        print_stdout(&format!("{}\n", serde_json::to_string_pretty(&findings)?))?;
    } else {
        let mut text = summary_table(models, &runs);
        if let Some(path) = &args.out {
            text.push_str(&format!("疑点已写入{}\n", path.display()));
        }
        print_stdout(&text)?;
    }
    let failed: Vec<String> = runs
        .iter()
        .filter_map(|r| r.result.as_ref().err().map(|e| format!("{}（{e}）", r.model)))
        .collect();
    if !failed.is_empty() {
        anyhow::bail!("{}个模型运行失败：{}", failed.len(), failed.join("；"));
    }
    Ok(())
}

/// Writes findings as pretty JSON, replacing the file only when complete.
fn write_json(path: &Path, findings: &[&Finding]) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(findings)?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).with_context(|| format!("无法写入{}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("无法写入{}", path.display()))?;
    Ok(())
}

/// Writes every canonical dataset of `datasets` (empty ones too, so that the directory is a
/// complete snapshot) as `dir/NAME.parquet` with its canonical schema and normalised values, e.g.
/// to prepare a shared cluster directory. Each file is replaced only once completely written.
pub fn write_parquet_dir(datasets: &Datasets, dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let io = |path: &Path, source: std::io::Error| LoadError::Io {
        path: path.display().to_string(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let mut written = Vec::new();
    for (name, table) in &datasets.tables {
        let path = dir.join(format!("{name}.parquet"));
        let tmp = dir.join(format!(".{name}.parquet.tmp"));
        let file = std::fs::File::create(&tmp).map_err(|e| io(&tmp, e))?;
        let parquet_error = |e: parquet::errors::ParquetError| LoadError::Parquet {
            path: tmp.display().to_string(),
            message: e.to_string(),
        };
        let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
        let mut writer = ArrowWriter::try_new(file, table.spec.schema(), Some(props)).map_err(parquet_error)?;
        for batch in &table.batches {
            writer.write(batch).map_err(parquet_error)?;
        }
        writer.close().map_err(parquet_error)?;
        std::fs::rename(&tmp, &path).map_err(|e| io(&path, e))?;
        written.push(path);
    }
    Ok(written)
}

/// Runs `qinglian model list`: one line per built-in model, `id<TAB>title`, in library order,
/// then the red-flag indicators.
pub fn run_list() -> anyhow::Result<()> {
    let mut text = String::new();
    for id in BUILTIN_IDS {
        if let Some(model) = builtin(id) {
            text.push_str(&format!("{}\t{}\n", model.id, model.title));
        }
    }
    text.push_str(&format!("{}\t{REDFLAGS_TITLE}\n", crate::procurement::MODEL_ID));
    print_stdout(&text)
}

/// Writes to standard output; a reader that went away (`| head`) is not an error.
fn print_stdout(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Arguments of `qinglian model sql`.
#[derive(Debug, Clone, clap::Args)]
pub struct SqlArgs {
    /// 内置模型编号
    #[arg(value_name = "MODEL")]
    pub model: String,
    /// 模型参数，如 split_purchase.single_limit=500000（可重复）
    #[arg(long = "param", value_name = "MODEL.NAME=VALUE")]
    pub params: Vec<String>,
}

/// Runs `qinglian model sql`: prints a built-in model's SQL with its parameters substituted, as
/// the engine runs it (to read, audit, or run elsewhere, e.g. the DuckDB comparison in
/// `scripts/bench`).
pub fn run_sql(args: &SqlArgs) -> anyhow::Result<()> {
    let models = select_models(std::slice::from_ref(&args.model), &args.params)?;
    let mut text = String::new();
    for model in models {
        text.push_str(&model.render_sql().map_err(|e| invalid(e.to_string()))?);
        text.push('\n');
    }
    print_stdout(&text)
}

/// Arguments of `qinglian model prepare`.
#[derive(Debug, Clone, clap::Args)]
pub struct PrepareArgs {
    /// 数据集目录：每个数据集一个文件，NAME.csv（UTF-8或GBK）或NAME.parquet
    #[arg(long, value_name = "DIR")]
    pub datasets: PathBuf,
    /// 输出目录：写入规范化后的NAME.parquet（集群运行时放在各节点共享的存储上）
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Runs `qinglian model prepare`: loads and normalises a dataset directory and writes it as
/// canonical Parquet files (the input of `model run --cluster`).
pub async fn run_prepare(args: &PrepareArgs) -> anyhow::Result<()> {
    let (from, to) = (args.datasets.clone(), args.out.clone());
    let bar = spinner(format!("正在加载并规范化数据集 {}", from.display()));
    let written = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let datasets = Datasets::load_dir(&from, &HeaderMapping::default())?;
        let written = write_parquet_dir(&datasets, &to)?;
        let rows: Vec<(String, usize)> = datasets
            .tables
            .iter()
            .filter(|(_, t)| t.rows > 0)
            .map(|(name, t)| (name.to_string(), t.rows))
            .collect();
        Ok((written.len(), rows, datasets.issues.len()))
    })
    .await
    .context("数据集规范化任务失败")??;
    bar.finish_and_clear();
    let (files, rows, issues) = written;
    for (name, n) in &rows {
        println!("{name}.parquet  {n}行");
    }
    println!(
        "已写入{files}个数据集到{}；导入问题{issues}条（问题值已保留）",
        args.out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4GiB"), Ok(4 << 30));
        assert_eq!(parse_size("512MiB"), Ok(512 << 20));
        assert_eq!(parse_size("2GB"), Ok(2_000_000_000));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("4XB").is_err());
        assert!(parse_size("GiB").is_err());
    }

    #[test]
    fn models_and_params() {
        let all = select_models(&[], &[]).unwrap();
        assert_eq!(all.len(), BUILTIN_IDS.len());
        let chosen = select_models(
            &["split_purchase".into(), "price_near_budget".into()],
            &[
                "split_purchase.single_limit=500000".into(),
                "split_purchase.tendered_methods=招标,谈判".into(),
                "price_near_budget.min_ratio=0.99".into(),
            ],
        )
        .unwrap();
        assert_eq!(chosen[0].param("single_limit"), Some(&ParamValue::Number(500000.0)));
        assert_eq!(
            chosen[0].param("tendered_methods"),
            Some(&ParamValue::List(vec!["招标".into(), "谈判".into()]))
        );
        assert_eq!(chosen[1].param("min_ratio"), Some(&ParamValue::Number(0.99)));
        for bad in [
            (vec!["nope".to_string()], vec![]),
            (vec!["split_purchase".into()], vec!["split_purchase.nope=1".to_string()]),
            (
                vec!["split_purchase".into()],
                vec!["price_near_budget.min_ratio=1".to_string()],
            ),
            (
                vec!["split_purchase".into()],
                vec!["split_purchase.min_purchases=x".to_string()],
            ),
            (vec!["split_purchase".into()], vec!["split_purchase".to_string()]),
        ] {
            let e = select_models(&bad.0, &bad.1).unwrap_err();
            assert!(e.downcast_ref::<InvalidArgs>().is_some(), "{e}");
        }
    }

    #[test]
    fn table_aligns_chinese() {
        let models = select_models(&["split_purchase".into()], &[]).unwrap();
        let runs = vec![ModelRun {
            model: "split_purchase".into(),
            result: Ok(Vec::new()),
            elapsed: Duration::from_millis(1500),
        }];
        let t = summary_table(&models, &runs);
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[0].starts_with("模型"), "{t}");
        assert!(lines[2].starts_with("split_purchase  拆分采购规避招标"), "{t}");
        assert!(lines[2].ends_with("1.50秒"), "{t}");
        assert!(lines[3].starts_with("合计"), "{t}");
    }
}
