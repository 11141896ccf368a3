//! screening-server: the companion server between an ATS, the screening widget and
//! Yardstik. See README.md for configuration, routes and the status mapping.

pub mod app;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod db;
pub mod http;
pub mod metrics;
pub mod orders;
pub mod retry;
pub mod ssrf;
pub mod telemetry;
pub mod tenant;
pub mod tokens;
pub mod worker;
pub mod yardstik;

pub use app::{start, ApiContext, AppHandle};
pub use config::Config;
