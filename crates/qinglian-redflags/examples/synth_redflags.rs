//! Writes synthetic OCDS compiled releases: `cargo run --example synth_redflags -- N SEED > file.jsonl`.

use std::io::Write;

use qinglian_redflags::synth::{SynthConfig, json_lines};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let n = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let seed = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    std::io::stdout().write_all(json_lines(&SynthConfig::new(n, seed)).as_bytes())
}
