//! Throughput of the red-flag indicators, beside Cardinal when it is installed.
//!
//! `cargo run --release -p qinglian-redflags --example bench_redflags -- [N] [FILE]` generates N
//! synthetic compiled releases (default 500,000) into FILE (default in the temp dir, reused if it
//! exists), runs every indicator over it, and prints releases per second for qinglian and for
//! `/root/.cache/ocdscardinal/bin/ocdscardinal` (same settings), and whether the OCID groups agree.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use qinglian_redflags::synth::{Rng, SynthConfig, release};
use qinglian_redflags::{Options, Settings, indicators};

const CARDINAL: &str = "/root/.cache/ocdscardinal/bin/ocdscardinal";
const SETTINGS: &str =
    "currency = CNY\n[R003]\n[R018]\n[R024]\n[R025]\n[R028]\n[R030]\n[R035]\n[R036]\n[R038]\n[R048]\n[R058]\n";

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(500_000);
    let input = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join(format!("redflags-{n}.jsonl")));
    if !input.exists() {
        let started = Instant::now();
        let config = SynthConfig::new(n, 42);
        let mut rng = Rng::new(config.seed);
        let mut out = BufWriter::new(File::create(&input)?);
        for index in 0..n {
            serde_json::to_writer(&mut out, &release(&mut rng, &config, index))?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
        eprintln!(
            "generated {n} releases into {} in {:.1} s",
            input.display(),
            started.elapsed().as_secs_f64()
        );
    }
    let bytes = std::fs::metadata(&input)?.len();
    let settings_path = std::env::temp_dir().join("redflags-bench.ini");
    std::fs::write(&settings_path, SETTINGS)?;
    let settings = Settings::from_ini(SETTINGS)?;

    let started = Instant::now();
    let result = indicators(
        BufReader::with_capacity(1 << 20, File::open(&input)?),
        &settings,
        &Options::default(),
    )?;
    let ours_text = serde_json::to_string(&result)?;
    let ours_seconds = started.elapsed().as_secs_f64();
    println!(
        "qinglian-redflags: {n} releases ({:.0} MB) in {ours_seconds:.2} s = {:.0} releases/s",
        bytes as f64 / 1e6,
        n as f64 / ours_seconds
    );

    if std::path::Path::new(CARDINAL).exists() {
        let started = Instant::now();
        let output = Command::new(CARDINAL)
            .arg("indicators")
            .arg("--settings")
            .arg(&settings_path)
            .arg(&input)
            .output()?;
        let cardinal_seconds = started.elapsed().as_secs_f64();
        anyhow::ensure!(output.status.success(), "ocdscardinal failed");
        println!(
            "ocdscardinal:      {n} releases in {cardinal_seconds:.2} s = {:.0} releases/s (ratio ours/cardinal time {:.2})",
            n as f64 / cardinal_seconds,
            ours_seconds / cardinal_seconds
        );
        let cardinal: serde_json::Value = serde_json::from_slice(&output.stdout)?;
        let ours: serde_json::Value = serde_json::from_str(&ours_text)?;
        for group in ["OCID", "Tenderer", "Buyer", "ProcuringEntity"] {
            let equal = cardinal.get(group) == ours.get(group);
            println!(
                "  {group}: {}",
                if equal { "equal" } else { "differs (see DIFFERENCES.md)" }
            );
        }
    } else {
        println!("ocdscardinal not installed at {CARDINAL}; skipped");
    }
    Ok(())
}
