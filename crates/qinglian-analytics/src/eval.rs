//! `model eval`: run every built-in model over a directory of dataset files and score the
//! findings against a truth file (`model,subject,period`).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::Context;
use qinglian_domain::credit_code::CreditCode;
use qinglian_domain::id_number::IdNumber;
use qinglian_domain::names::normalize_company_name;
use serde::{Deserialize, Serialize};

use crate::dataset::{Datasets, HeaderMapping, decode_text, parse};
use crate::model::{BUILTIN_IDS, Finding, builtin_models};

/// Precision and recall of one model against the truth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelScore {
    /// Model id.
    pub model: String,
    /// Matched findings / findings (1.0 when there are neither findings nor truth rows).
    pub precision: f64,
    /// Matched truth rows / truth rows (1.0 when there are no truth rows).
    pub recall: f64,
    /// Number of findings.
    pub findings: usize,
}

/// Arguments of `qinglian model eval` (help text is user-facing, hence Chinese).
#[derive(Debug, Clone, clap::Args)]
pub struct EvalArgs {
    /// 数据集目录：每个数据集一个文件，NAME.csv（UTF-8或GBK，规范列名或中文表头）或NAME.parquet
    #[arg(long, value_name = "DIR")]
    pub datasets: PathBuf,
    /// 真值文件：CSV，表头为model,subject,period
    #[arg(long, value_name = "FILE")]
    pub truth: PathBuf,
    /// 以JSON输出（对象列表，字段为model、precision、recall、findings）
    #[arg(long)]
    pub json: bool,
}

/// Comparison key of a subject: ID numbers and credit codes in canonical form, `buyer|item`
/// with the buyer normalised as an organisation name, anything else NFKC-trimmed.
fn subject_key(subject: &str) -> String {
    let s = parse::clean(subject);
    if let Some((buyer, item)) = s.split_once('|') {
        return format!("{}|{}", normalize_company_name(buyer), parse::clean(item));
    }
    if let Ok(id) = IdNumber::parse(&s) {
        return id.as_str().to_string();
    }
    if let Ok(code) = CreditCode::parse(&s) {
        return code.as_str().to_string();
    }
    s
}

fn period_key(period: &str) -> String {
    let p = parse::clean(period);
    if p.is_empty() {
        p
    } else {
        parse::period(&p).unwrap_or(p)
    }
}

type Key = (String, String, String);

/// Reads `model,subject,period` rows (UTF-8 or GBK) into a set of normalised keys.
pub fn read_truth(path: &Path) -> anyhow::Result<HashSet<Key>> {
    let bytes = std::fs::read(path).with_context(|| format!("无法读取真值文件{}", path.display()))?;
    let (text, _) = decode_text(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader.headers().context("真值文件缺少表头")?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .with_context(|| format!("真值文件缺少“{name}”列（表头应为model,subject,period）"))
    };
    let (m, s, p) = (col("model")?, col("subject")?, col("period").ok());
    let mut out = HashSet::new();
    for record in reader.records() {
        let record = record.context("真值文件格式错误")?;
        let model = record.get(m).unwrap_or("").trim().to_string();
        let subject = subject_key(record.get(s).unwrap_or(""));
        if model.is_empty() || subject.is_empty() {
            continue;
        }
        let period = period_key(p.and_then(|p| record.get(p)).unwrap_or(""));
        out.insert((model, subject, period));
    }
    Ok(out)
}

/// Scores findings against truth keys, one score per built-in model (in library order).
pub fn score(findings: &[Finding], truth: &HashSet<Key>) -> Vec<ModelScore> {
    let mut by_model: BTreeMap<&str, HashSet<Key>> = BTreeMap::new();
    for f in findings {
        by_model.entry(f.model.as_str()).or_default().insert((
            f.model.clone(),
            subject_key(&f.subject),
            period_key(&f.period),
        ));
    }
    BUILTIN_IDS
        .iter()
        .map(|&id| {
            let found = by_model.remove(id).unwrap_or_default();
            let expected: HashSet<&Key> = truth.iter().filter(|k| k.0 == id).collect();
            let matched = found.iter().filter(|k| expected.contains(k)).count();
            let precision = if found.is_empty() {
                if expected.is_empty() { 1.0 } else { 0.0 }
            } else {
                matched as f64 / found.len() as f64
            };
            let recall = if expected.is_empty() {
                1.0
            } else {
                matched as f64 / expected.len() as f64
            };
            ModelScore {
                model: id.to_string(),
                precision,
                recall,
                findings: found.len(),
            }
        })
        .collect()
}

/// Loads the datasets in `datasets_dir`, runs every built-in model and scores it against `truth_csv`.
pub async fn eval_dir(datasets_dir: &Path, truth_csv: &Path) -> anyhow::Result<Vec<ModelScore>> {
    let truth = read_truth(truth_csv)?;
    let dir = datasets_dir.to_path_buf();
    let datasets = tokio::task::spawn_blocking(move || Datasets::load_dir(&dir, &HeaderMapping::default()))
        .await
        .context("数据集加载任务失败")??;
    let engine = crate::model::Engine::new(&datasets, Default::default())?;
    let mut findings = Vec::new();
    for run in engine.run_all(&builtin_models()).await {
        let mut f = run.result.with_context(|| format!("模型{}运行失败", run.model))?;
        findings.append(&mut f);
    }
    Ok(score(&findings, &truth))
}

/// Runs `qinglian model eval`: prints a table of precision and recall (or JSON with `--json`).
pub async fn run_eval(args: &EvalArgs) -> anyhow::Result<()> {
    let scores = eval_dir(&args.datasets, &args.truth).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&scores)?);
        return Ok(());
    }
    // Chinese headings are two columns wide per character: pad them by hand.
    println!("{:<24}   疑点数   精确率   召回率", "模型");
    for s in &scores {
        println!(
            "{:<26} {:>8} {:>8.3} {:>8.3}",
            s.model, s.findings, s.precision, s.recall
        );
    }
    Ok(())
}
