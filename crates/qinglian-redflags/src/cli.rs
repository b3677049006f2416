//! The `redflags indicators` command line, printing exactly what `ocdscardinal indicators` prints.

use std::fs::File;
use std::io::{self, BufReader, Write};
use std::path::PathBuf;

use anyhow::Context;

use crate::{Options, Settings, indicators};

/// Arguments of `qinglian redflags indicators [--settings FILE.ini] [--no-meta] [--count] FILE|-`.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct IndicatorsArgs {
    /// The path to the settings file (Cardinal's INI format)
    #[arg(long, short)]
    pub settings: Option<PathBuf>,
    /// Exclude the "Meta" key from the results object
    #[arg(long, default_value_t = false)]
    pub no_meta: bool,
    /// Print the number of results per group to standard error
    #[arg(long, short, default_value_t = false)]
    pub count: bool,
    /// The path to the file (or "-" for standard input), in which each line is a contracting process as JSON text
    pub file: String,
}

/// Runs the command: reads settings and input, prints the JSON result on one line of standard output.
pub fn run_indicators(args: &IndicatorsArgs) -> anyhow::Result<()> {
    let settings = match &args.settings {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("无法读取设置文件 {}", path.display()))?;
            Settings::from_ini(&text).with_context(|| format!("设置文件 {} 无效", path.display()))?
        }
        None => Settings::default(),
    };
    let options = Options {
        no_meta: args.no_meta,
        count: args.count,
    };
    let result = if args.file == "-" {
        indicators(io::stdin().lock(), &settings, &options)?
    } else {
        let path = PathBuf::from(&args.file);
        anyhow::ensure!(!path.is_dir(), "{}：是目录，不是文件", path.display());
        let file = File::open(&path).with_context(|| format!("无法打开输入文件 {}", path.display()))?;
        indicators(BufReader::with_capacity(1 << 20, file), &settings, &options)?
    };

    let stderr = io::stderr();
    let mut stderr = stderr.lock();
    for warning in &result.warnings {
        writeln!(stderr, "警告：{warning}")?;
    }
    let stdout = io::stdout();
    let mut stdout = io::BufWriter::new(stdout.lock());
    serde_json::to_writer(&mut stdout, &result)?;
    writeln!(stdout)?;
    stdout.flush()?;
    if args.count {
        for line in result.count_lines() {
            writeln!(stderr, "{line}")?;
        }
    }
    Ok(())
}
