//! The web layer of qinglian: axum router, authentication, UI pages and the JSON API.
//!
//! Error policy: handlers return [`error::AppError`] (wrapped as [`error::PageError`] in the
//! UI and [`error::ApiError`] in the API), which maps store and validation errors to 4xx with
//! a Chinese message and the field, and logs anything unexpected with an error id that is
//! the only thing the client sees.

pub mod api;
pub mod app;
pub mod auth;
pub mod calendar;
pub mod cases;
pub mod charts;
pub mod clues;
pub mod config;
pub mod data_supervision;
pub mod error;
pub mod feature;
pub mod jobs;
pub mod list;
pub mod middleware;
pub mod password;
pub mod reports;
pub mod router;
pub mod server;
pub mod services;
pub mod templates;
pub mod ui;

pub use app::App;
pub use server::serve;
pub mod assets;
pub mod demo;
