//! Pure domain rules of qinglian (no I/O): the official working-day calendar, deadlines,
//! resident ID numbers, unified social credit codes, name matching and the table of time
//! limits. See RULES.md in the shared docs for the facts encoded here.

pub mod calendar;
pub mod case;
pub mod clue;
pub mod credit_code;
pub mod data_supervision;
pub mod deadline;
pub mod id_number;
pub mod names;
pub mod outcome;
pub mod permission;
pub mod rank;
pub mod report;
pub mod rules;
pub mod text;
pub mod workflow;
