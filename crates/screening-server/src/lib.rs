//! screening-server: the companion server between an ATS, the screening widget and
//! Yardstik. See README.md for configuration, routes and the status mapping.

pub mod app;
pub mod cache;
pub mod cli;
pub mod config;
pub mod embedded;
pub mod http;
pub mod jobs;
pub mod orders;
pub mod ssrf;
pub mod telemetry;
pub mod tokens;

pub use app::{start, start_with_clock, AppHandle};
pub use config::Config;
