//! Stand-alone `indicators` command for comparisons: `cargo run --example redflags -- [--settings F] FILE|-`.

use clap::Parser;
use qinglian_redflags::{IndicatorsArgs, run_indicators};

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: IndicatorsArgs,
}

fn main() -> anyhow::Result<()> {
    run_indicators(&Cli::parse().args)
}
