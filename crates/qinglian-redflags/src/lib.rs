//! Procurement red flags over OCDS compiled releases, compatible with OCP Cardinal's `indicators` command.
//!
//! Input is one compiled release per line (JSON lines). The indicators R003, R018, R024, R025, R028,
//! R030, R035, R036, R038, R048 and R058 have Cardinal's meanings, parameters and INI settings, and the
//! output has Cardinal's JSON structure: groups `OCID`, `Buyer`, `ProcuringEntity` and `Tenderer`
//! mapping identifiers to `{"R0xx": value}`, plus `Meta` (quartiles and fences) unless `--no-meta`.
//! Results equal Cardinal's except for three documented corrections (see `DIFFERENCES.md`): dates are
//! compared as instants, a zero interquartile range never flags everyone, and
//! `minimum_contracting_processes` counts contracting processes.
//!
//! Entry points: [`indicators`] for a JSON-lines reader, [`indicators_from_releases`] for releases
//! built in the platform (e.g. from the `tenders`/`bids`/`awards` datasets), [`Engine`] for
//! incremental use, and [`run_indicators`] for the `qinglian redflags indicators` command.

mod cli;
mod engine;
mod output;
mod release;
mod settings;
mod stats;
pub mod synth;

use std::io::BufRead;

pub use cli::{IndicatorsArgs, run_indicators};
pub use engine::Engine;
pub use output::{FxIndexMap, Group, Indicator, IndicatorsResult, Values};
pub use release::{Amount, Award, Bid, Bids, Classification, Item, Party, Period, Release, Str, Tender};
pub use settings::{
    FloatThreshold, R003Settings, R018Settings, R025Settings, R035Settings, R038Settings, R048Settings, Settings,
};

/// Errors of the red-flag engine (messages in Chinese, for users).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The settings file is invalid.
    #[error("设置文件有误：{0}")]
    Settings(String),
    /// Reading the input failed.
    #[error("读取输入失败：{0}")]
    Io(#[from] std::io::Error),
}

/// Output options of the `indicators` command.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Omit the "Meta" key.
    pub no_meta: bool,
    /// Print the number of results per group to standard error (used by [`run_indicators`]).
    pub count: bool,
}

/// Runs the indicators over JSON lines of compiled releases; invalid lines are skipped with a warning.
///
/// As in Cardinal, a line that is not valid JSON (or not UTF-8) is skipped and reported in
/// [`IndicatorsResult::warnings`] with its line number; blank lines and JSON values that are not
/// objects are skipped silently. Only a failure to read the input is an error.
pub fn indicators(mut reader: impl BufRead, settings: &Settings, opts: &Options) -> Result<IndicatorsResult, Error> {
    let mut engine = Engine::new(settings);
    let mut warnings = Vec::new();
    let mut buffer = Vec::with_capacity(64 * 1024);
    let mut line_number = 0usize;
    loop {
        buffer.clear();
        if reader.read_until(b'\n', &mut buffer)? == 0 {
            break;
        }
        line_number += 1;
        let mut line = buffer.as_slice();
        if let Some(rest) = line.strip_suffix(b"\n") {
            line = rest.strip_suffix(b"\r").unwrap_or(rest);
        }
        let text = match std::str::from_utf8(line) {
            Ok(text) => text,
            Err(e) => {
                warnings.push(format!("第 {line_number} 行不是有效的 UTF-8 文本，已跳过。[{e}]"));
                continue;
            }
        };
        match Release::from_json(text) {
            Ok(Some(release)) => engine.add(&release),
            Ok(None) => {}
            Err(e) => {
                if !text.bytes().all(|b| b.is_ascii_whitespace()) {
                    warnings.push(format!("第 {line_number} 行不是有效的 JSON，已跳过。[{e}]"));
                }
            }
        }
    }
    let mut result = engine.finish(opts.no_meta);
    result.warnings = warnings;
    Ok(result)
}

/// Runs the indicators over releases built in memory (for the platform's data-supervision module).
///
/// Build each [`Release`] from the platform's datasets (a tender's `ocid`, buyer, tender period and
/// procurement method; its bids with status, date, amount and tenderer; its awards with status,
/// supplier and item classifications) and pass them in any order; the result is the same as
/// [`indicators`] over the equivalent JSON lines.
pub fn indicators_from_releases<'a>(
    releases: impl IntoIterator<Item = Release<'a>>,
    settings: &Settings,
    opts: &Options,
) -> IndicatorsResult {
    let mut engine = Engine::new(settings);
    for release in releases {
        engine.add(&release);
    }
    engine.finish(opts.no_meta)
}
