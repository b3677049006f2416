//! Data-supervision engine (大数据监督): canonical datasets, comparison models, evaluation.
//!
//! Built on Apache DataFusion: datasets are loaded, normalised and registered as tables in one
//! `SessionContext`; a model is SQL over those tables plus parameters; its result rows are the
//! evidence of findings grouped by (model, subject, period).

pub mod dataset;
pub mod eval;
pub mod model;

pub use datafusion;
pub use eval::{EvalArgs, ModelScore, eval_dir, run_eval};
