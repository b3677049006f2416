//! Data-supervision engine (大数据监督): canonical datasets, comparison models, evaluation.
//!
//! Built on Apache DataFusion: datasets are loaded, normalised and registered as tables in one
//! `SessionContext`; a model is SQL over those tables plus parameters; its result rows are the
//! evidence of findings grouped by (model, subject, period).

#[cfg(feature = "ballista")]
pub mod cluster;
pub mod dataset;
pub mod eval;
pub mod model;
pub mod procurement;
pub mod redflags;
pub mod run_cli;
pub mod synth;

pub use datafusion;
pub use eval::{EvalArgs, ModelScore, eval_dir, run_eval};
pub use run_cli::{PrepareArgs, RunArgs, SqlArgs, run_list, run_models, run_prepare, run_sql};
pub use synth::{SynthArgs, SynthSummary, run_synth};
