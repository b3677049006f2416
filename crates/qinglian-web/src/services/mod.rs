//! Policy shared by pages, the API, jobs and the demo (issue #11 §4): one function for each
//! rule, so that no rule is written twice.

pub mod attachment;
pub mod audit;
pub mod commission;
pub mod period;
pub mod person;
pub mod public;
