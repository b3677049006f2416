//! Synthetic data with planted truth (`qinglian synth`, issue #3 §5).
//!
//! Writes every canonical dataset of one city (or province) for one year — households with
//! valid ID numbers and surname frequencies, payroll, monthly benefit payments, deaths,
//! vehicles, properties, officials' declared relatives and filings, enterprises with valid
//! credit codes and their shareholders, tenders, bids, awards and purchases — with planted
//! anomalies for every built-in model, hard negatives for every trap, and source-data noise,
//! plus `truth.csv` (`model,subject,period`).
//!
//! Determinism: one ChaCha8 stream per chunk (seeded from `--seed` and the chunk's index), so
//! the same seed gives byte-identical files whatever the number of threads. Memory is bounded:
//! the population is generated in chunks of about 30,000 people on every core and written in
//! chunk order as they finish, with at most a few chunks in flight.

mod business;
mod catalog;
mod noise;
mod population;
mod sink;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, mpsc};
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::NaiveDate;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::dataset::DATASETS;
use crate::model::BUILTIN_IDS;

pub use sink::Format;

/// Size of the generated region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// 约3万人（3个县区），数秒生成，供测试使用
    Small,
    /// 一个地级市：约300万人，全年约1000万条惠民资金发放记录
    City,
    /// 一个省（10个市）：约3000万人
    Province,
}

/// Arguments of `qinglian synth` (help text is user-facing, hence Chinese).
#[derive(Debug, Clone, clap::Args)]
pub struct SynthArgs {
    /// 规模：small（约3万人）、city（约300万人、全年约1000万条发放记录）、province（约3000万人）
    #[arg(long, value_enum, default_value = "small")]
    pub scale: Scale,
    /// 随机种子：相同种子生成逐字节相同的文件
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// 输出目录（不存在则创建）：每个数据集一个文件NAME.parquet或NAME.csv，另有真值文件truth.csv；目录中同名的其他格式数据集文件会被删除
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// 文件格式：parquet（默认）或csv（UTF-8，规范列名）
    #[arg(long, value_enum, default_value = "parquet")]
    pub format: Format,
}

/// One written dataset file.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetSummary {
    /// Dataset name.
    pub name: String,
    /// Rows written.
    pub rows: usize,
    /// File size in bytes.
    pub bytes: u64,
}

/// What `generate` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct SynthSummary {
    /// Output directory.
    pub out: PathBuf,
    /// Scale.
    pub scale: Scale,
    /// Seed.
    pub seed: u64,
    /// Every dataset in canonical order.
    pub datasets: Vec<DatasetSummary>,
    /// Planted truth rows per built-in model, in library order.
    pub truth: Vec<(String, usize)>,
    /// Wall time.
    pub elapsed: Duration,
}

impl SynthSummary {
    /// Rows written for a dataset.
    pub fn rows(&self, dataset: &str) -> usize {
        self.datasets.iter().find(|d| d.name == dataset).map_or(0, |d| d.rows)
    }

    /// Planted truth rows of a model.
    pub fn planted(&self, model: &str) -> usize {
        self.truth.iter().find(|(m, _)| m == model).map_or(0, |(_, n)| *n)
    }
}

/// One planted truth row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Truth {
    model: &'static str,
    subject: String,
    period: String,
}

/// A county with its towns.
#[derive(Debug, Clone)]
pub(crate) struct County {
    code: String,
    name: String,
    plate: &'static str,
    towns: Vec<Town>,
}

#[derive(Debug, Clone)]
struct Town {
    name: String,
    urban: bool,
    villages: Vec<Village>,
}

#[derive(Debug, Clone)]
struct Village {
    name: String,
    code: String,
}

/// Sizes of a scale.
struct ScaleConfig {
    counties: usize,
    towns: (usize, usize),
    persons_per_county: usize,
    blocks: usize,
    positives: usize,
    negatives: usize,
    pool_rate: f64,
    pair_rate: f64,
    enterprises: usize,
    bidders: usize,
    tenders: usize,
    purchases: usize,
    procurement_positives: usize,
    procurement_negatives: usize,
}

fn config(scale: Scale) -> ScaleConfig {
    match scale {
        Scale::Small => ScaleConfig {
            counties: 3,
            towns: (5, 7),
            persons_per_county: 10_000,
            blocks: 1,
            positives: 9,
            negatives: 3,
            pool_rate: 0.12,
            pair_rate: 0.3,
            enterprises: 900,
            bidders: 300,
            tenders: 700,
            purchases: 2_500,
            procurement_positives: 24,
            procurement_negatives: 6,
        },
        Scale::City => ScaleConfig {
            counties: 12,
            towns: (12, 19),
            persons_per_county: 250_000,
            blocks: 8,
            positives: 4,
            negatives: 1,
            pool_rate: 0.04,
            pair_rate: 0.02,
            enterprises: 60_000,
            bidders: 3_000,
            tenders: 8_000,
            purchases: 60_000,
            procurement_positives: 300,
            procurement_negatives: 60,
        },
        Scale::Province => ScaleConfig {
            counties: 120,
            towns: (12, 19),
            persons_per_county: 250_000,
            blocks: 8,
            positives: 4,
            negatives: 1,
            pool_rate: 0.01,
            pair_rate: 0.005,
            enterprises: 600_000,
            bidders: 30_000,
            tenders: 80_000,
            purchases: 600_000,
            procurement_positives: 3_000,
            procurement_negatives: 600,
        },
    }
}

/// A date.
pub(crate) fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// A uniformly random date from `from_year`-01-01 to `to_year`-12-31.
pub(crate) fn date(rng: &mut ChaCha8Rng, from_year: i32, to_year: i32) -> NaiveDate {
    let start = ymd(from_year, 1, 1);
    let days = (ymd(to_year, 12, 31) - start).num_days();
    start + chrono::Duration::days(rng.random_range(0..=days))
}

/// 'YYYY-MM' of a month index (1 = January of the generated year, 0 = the December before).
pub(crate) fn month_period(month: i32) -> String {
    if month <= 0 {
        format!("{}-12", population::YEAR - 1)
    } else {
        format!("{}-{month:02}", population::YEAR)
    }
}

fn place_name(rng: &mut ChaCha8Rng, taken: &mut BTreeSet<String>) -> String {
    loop {
        let a = catalog::PLACE_SYLLABLES[rng.random_range(0..catalog::PLACE_SYLLABLES.len())];
        let b = catalog::PLACE_SYLLABLES[rng.random_range(0..catalog::PLACE_SYLLABLES.len())];
        let name = format!("{a}{b}");
        if a != b && taken.insert(name.clone()) {
            return name;
        }
    }
}

/// Counties, towns and villages of the run.
fn geography(cfg: &ScaleConfig, rng: &mut ChaCha8Rng) -> Vec<County> {
    let mut defs: Vec<(String, String, &'static str)> = Vec::new();
    if cfg.counties <= catalog::COUNTIES.len() {
        for c in &catalog::COUNTIES[..cfg.counties] {
            defs.push((c.code.to_string(), c.name.to_string(), "湘E"));
        }
    } else {
        for (prefix, city, plate) in catalog::PROVINCE_CITIES {
            if *prefix == "4305" {
                for c in catalog::COUNTIES {
                    defs.push((c.code.to_string(), c.name.to_string(), plate));
                }
            } else {
                let short = city.trim_end_matches('市');
                for (suffix, name) in catalog::OTHER_COUNTIES {
                    defs.push((format!("{prefix}{suffix}"), format!("{short}{name}"), plate));
                }
            }
        }
        defs.truncate(cfg.counties);
    }
    defs.into_iter()
        .map(|(code, name, plate)| {
            let mut taken = BTreeSet::new();
            let n = rng.random_range(cfg.towns.0..=cfg.towns.1);
            let streets = if name.ends_with('区') { 3 } else { 1 };
            let towns = (0..n)
                .map(|t| {
                    let urban = t < streets;
                    let base = place_name(rng, &mut taken);
                    let (name, town_code) = if urban {
                        (format!("{base}街道"), t + 1)
                    } else if rng.random_bool(0.8) {
                        (format!("{base}镇"), 100 + t)
                    } else {
                        (format!("{base}乡"), 200 + t)
                    };
                    let mut village_names = BTreeSet::new();
                    let villages = (0..rng.random_range(8..=16))
                        .map(|v| {
                            let base = place_name(rng, &mut village_names);
                            let (vname, vcode) = if urban {
                                (format!("{base}社区"), v + 1)
                            } else {
                                (format!("{base}村"), 200 + v)
                            };
                            Village {
                                name: vname,
                                code: format!("{code}{town_code:03}{vcode:03}"),
                            }
                        })
                        .collect();
                    Town { name, urban, villages }
                })
                .collect();
            County {
                code,
                name,
                plate,
                towns,
            }
        })
        .collect()
}

/// What a worker hands back for one chunk.
struct Done {
    batches: Vec<Option<datafusion::arrow::array::RecordBatch>>,
    truth: Vec<Truth>,
    pool: Vec<population::PoolPerson>,
    pairs: Vec<population::OfficialPair>,
    ties: Vec<population::BusinessTie>,
}

fn stream(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// Generates every canonical dataset and `truth.csv` into `args.out`.
pub fn generate(args: &SynthArgs) -> anyhow::Result<SynthSummary> {
    sink::check_order();
    let started = Instant::now();
    std::fs::create_dir_all(&args.out).with_context(|| format!("无法创建输出目录{}", args.out.display()))?;
    let cfg = config(args.scale);
    let counties = geography(&cfg, &mut stream(args.seed, 0));
    let mut writers = DATASETS
        .iter()
        .map(|spec| sink::Writer::create(&args.out, spec, args.format))
        .collect::<anyhow::Result<Vec<_>>>()?;

    // Chunks: (county, block).
    let chunks: Vec<(usize, usize)> = (0..counties.len())
        .flat_map(|c| (0..cfg.blocks).map(move |b| (c, b)))
        .collect();
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, chunks.len().max(1));
    let window = threads * 2;
    let next = AtomicUsize::new(0);
    let abort = AtomicBool::new(false);
    let written = (Mutex::new(0usize), Condvar::new());
    let mut truth: Vec<Truth> = Vec::new();
    let mut pool = Vec::new();
    let mut pairs = Vec::new();
    let mut ties = Vec::new();
    let result: anyhow::Result<()> = std::thread::scope(|s| {
        let (tx, rx) = mpsc::channel::<(usize, Done)>();
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, abort, written, chunks, counties, cfg) = (&next, &abort, &written, &chunks, &counties, &cfg);
            let seed = args.seed;
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= chunks.len() {
                        break;
                    }
                    {
                        let (lock, cv) = written;
                        let mut done = lock.lock().expect("lock");
                        while i >= *done + window && !abort.load(Ordering::SeqCst) {
                            done = cv.wait(done).expect("lock");
                        }
                    }
                    if abort.load(Ordering::SeqCst) {
                        break;
                    }
                    let (county, block) = chunks[i];
                    let spec = population::ChunkSpec {
                        county: &counties[county],
                        county_index: county,
                        block,
                        blocks: cfg.blocks,
                        persons: cfg.persons_per_county / cfg.blocks,
                        positives: cfg.positives,
                        negatives: cfg.negatives,
                        pool_rate: cfg.pool_rate,
                        pair_rate: cfg.pair_rate,
                    };
                    let out = population::generate_chunk(&spec, stream(seed, i as u64 + 1));
                    let done = Done {
                        batches: out.tables.finish(),
                        truth: out.truth,
                        pool: out.pool,
                        pairs: out.pairs,
                        ties: out.ties,
                    };
                    if tx.send((i, done)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut pending: BTreeMap<usize, Done> = BTreeMap::new();
        let mut next_write = 0usize;
        let mut failure = None;
        for (i, done) in rx {
            if failure.is_some() {
                continue;
            }
            pending.insert(i, done);
            while let Some(done) = pending.remove(&next_write) {
                for (w, batch) in writers.iter_mut().zip(&done.batches) {
                    if let Some(b) = batch
                        && let Err(e) = w.write(b)
                    {
                        failure = Some(e);
                    }
                }
                truth.extend(done.truth);
                pool.extend(done.pool);
                pairs.extend(done.pairs);
                ties.extend(done.ties);
                next_write += 1;
                let (lock, cv) = &written;
                *lock.lock().expect("lock") = next_write;
                cv.notify_all();
            }
            if failure.is_some() {
                abort.store(true, Ordering::SeqCst);
                written.1.notify_all();
            }
        }
        failure.map_or(Ok(()), Err)
    });
    result?;

    // Enterprises and procurement.
    let mut brng = stream(args.seed, u64::from(u32::MAX));
    pool.shuffle(&mut brng);
    let bspec = business::BusinessSpec {
        counties: &counties,
        enterprises: cfg.enterprises,
        bidders: cfg.bidders,
        tenders: cfg.tenders,
        purchases: cfg.purchases,
        positives: cfg.procurement_positives,
        negatives: cfg.procurement_negatives,
    };
    let (tables, btruth) = business::generate_business(&bspec, &pool, &pairs, &ties, brng);
    truth.extend(btruth);
    for (w, batch) in writers.iter_mut().zip(tables.finish()) {
        if let Some(b) = batch {
            w.write(&b)?;
        }
    }
    let mut datasets = Vec::with_capacity(writers.len());
    for (w, spec) in writers.into_iter().zip(DATASETS) {
        let (_, rows, bytes) = w.close()?;
        datasets.push(DatasetSummary {
            name: spec.name.to_string(),
            rows,
            bytes,
        });
    }

    // Truth, in library order.
    let order = |m: &str| BUILTIN_IDS.iter().position(|id| *id == m).unwrap_or(usize::MAX);
    truth.sort_by(|a, b| (order(a.model), &a.subject, &a.period).cmp(&(order(b.model), &b.subject, &b.period)));
    truth.dedup();
    let truth_path = args.out.join("truth.csv");
    let mut w = csv::Writer::from_path(&truth_path).with_context(|| format!("无法创建{}", truth_path.display()))?;
    w.write_record(["model", "subject", "period"])?;
    for t in &truth {
        w.write_record([t.model, t.subject.as_str(), t.period.as_str()])?;
    }
    w.flush()?;
    let counts = BUILTIN_IDS
        .iter()
        .map(|id| (id.to_string(), truth.iter().filter(|t| t.model == *id).count()))
        .collect();
    Ok(SynthSummary {
        out: args.out.clone(),
        scale: args.scale,
        seed: args.seed,
        datasets,
        truth: counts,
        elapsed: started.elapsed(),
    })
}

/// Runs `qinglian synth`: generates and prints what was written.
pub fn run_synth(args: &SynthArgs) -> anyhow::Result<()> {
    let summary = generate(args)?;
    println!("已生成合成数据：{}（种子{}）", summary.out.display(), summary.seed);
    println!("{:<22} {:>12} {:>14}", "数据集", "行数", "字节");
    for d in &summary.datasets {
        println!("{:<25} {:>12} {:>14}", d.name, d.rows, d.bytes);
    }
    println!("{:<22} {:>12}", "真值（模型）", "植入数");
    for (model, n) in &summary.truth {
        println!("{model:<25} {n:>12}");
    }
    println!("用时{:.1}秒", summary.elapsed.as_secs_f64());
    Ok(())
}
