//! Helpers shared by the integration tests: identifiers, CSV files in a tempdir, model runs.

#![allow(dead_code)]

use std::path::Path;

use chrono::NaiveDate;
use qinglian_analytics::dataset::{Datasets, HeaderMapping};
use qinglian_analytics::model::{Engine, ParamOverrides, RunOptions, builtin};
use qinglian_domain::{credit_code, id_number};

/// A valid 18-digit ID number (born 1980-01-01, sequence `n`).
pub fn pid(n: u16) -> String {
    let birth = NaiveDate::from_ymd_opt(1980, 1, 1).unwrap();
    id_number::generate("110105", birth, n).as_str().to_string()
}

/// The legacy 15-digit form of `pid(n)`.
pub fn pid15(n: u16) -> String {
    format!("110105800101{n:03}")
}

/// A valid credit code numbered `n`.
pub fn cc(n: u32) -> String {
    credit_code::generate(&format!("91110105MA{n:07}"))
        .unwrap()
        .as_str()
        .to_string()
}

/// Writes `content` to `dir/name`.
pub fn write(dir: &Path, name: &str, content: &str) {
    std::fs::write(dir.join(name), content).unwrap();
}

/// Loads `dir` and runs the built-in model `id` (with overrides), returning sorted
/// (subject, period) pairs.
pub async fn run_with(dir: &Path, id: &str, overrides: &ParamOverrides) -> Vec<(String, String)> {
    let datasets = Datasets::load_dir(dir, &HeaderMapping::default()).unwrap();
    let engine = Engine::new(&datasets, RunOptions::default()).unwrap();
    let model = builtin(id).unwrap().with_params(overrides).unwrap();
    let findings = engine.run(&model).await.unwrap_or_else(|e| panic!("{id}: {e}"));
    for f in &findings {
        assert_eq!(f.model, id);
        assert!(!f.evidence.is_empty(), "{id}: finding without evidence");
        assert!(
            !f.explanation.contains('{'),
            "{id}: unfilled explanation: {}",
            f.explanation
        );
    }
    let mut keys: Vec<(String, String)> = findings.into_iter().map(|f| (f.subject, f.period)).collect();
    keys.sort();
    keys
}

/// As [`run_with`] with default parameters.
pub async fn run(dir: &Path, id: &str) -> Vec<(String, String)> {
    run_with(dir, id, &ParamOverrides::new()).await
}

/// Sorted expected (subject, period) pairs.
pub fn expect(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = pairs.iter().map(|(s, p)| (s.to_string(), p.to_string())).collect();
    v.sort();
    v
}
