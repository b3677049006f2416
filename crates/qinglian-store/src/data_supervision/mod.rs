//! Data supervision (大数据监督) records: remembered header mappings, custom models, background
//! jobs (dataset imports and model runs), findings (疑点) and their checking (核查).
//!
//! The dataset files live in the versioned Parquet dataset store (analytics crate); the
//! database keeps what people work on. A finding is unique per (model, subject, period), so a
//! re-run never duplicates a known finding. A finding is visible to a user when the org that
//! owns it (the commission that ran the model) or the unit it was sent to for checking is in
//! the user's scope.

/// Module name of data-supervision deadlines.
pub const DEADLINE_MODULE: &str = "data_supervision";
/// Rule id of the checking period (`qinglian_domain::rules`).
pub use qinglian_domain::data_supervision::CHECK_RULE;

crate::id_type!(
    /// Id of a finding (疑点).
    FindingId
);
crate::id_type!(
    /// Id of a checking round (核查) of a finding.
    CheckId
);
crate::id_type!(
    /// Id of a background job (an import or a run).
    JobId
);

mod check;
mod custom_model;
mod finding;
mod job;
mod mapping;

pub use check::*;
pub use custom_model::*;
pub use finding::*;
pub use job::*;
pub use mapping::*;

#[cfg(test)]
mod tests {
    use super::*;
    use qinglian_domain::data_supervision::{FINDING_WORKFLOW, FindingState};

    #[test]
    fn id_numbers_are_masked_in_titles_but_credit_codes_are_not() {
        assert_eq!(mask_subject("11010519491231002X"), "110105********002X");
        assert_eq!(mask_subject("91512081MA62K0260E"), "91512081MA62K0260E");
        assert_eq!(mask_subject("户0001"), "户0001");
    }

    #[test]
    fn answers_map_to_final_statuses() {
        assert_eq!(Answer::True.confirmed_status(), finding_status::CONFIRMED);
        assert_eq!(Answer::Partly.confirmed_status(), finding_status::PARTLY_CONFIRMED);
        assert_eq!(Answer::False.confirmed_status(), finding_status::DISMISSED);
        for a in [Answer::True, Answer::Partly, Answer::False] {
            assert_eq!(Answer::parse(a.as_str()), Some(a));
        }
        assert_eq!(Answer::parse("yes"), None);
    }

    /// The stored status codes are the workflow table's states.
    #[test]
    fn status_codes_are_the_workflow_states() {
        use qinglian_domain::workflow::State;
        let codes: Vec<&str> = FindingState::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(codes, finding_status::ALL);
        for s in FindingState::ALL {
            assert_eq!(finding_status::label(s.code()), s.label());
        }
        for a in [Answer::True, Answer::Partly, Answer::False] {
            let t = FINDING_WORKFLOW
                .find(FindingState::Answered, a.accept_action())
                .unwrap();
            assert_eq!(t.to.code(), a.confirmed_status());
        }
    }
}
