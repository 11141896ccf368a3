//! Wire types shared by the widget (compiled to wasm32) and the companion server (native).
//!
//! Two contracts live here, each defined exactly once:
//! - [`ats`]: the ATS partner contract (package list, order, result webhook, error body),
//!   from the ATS's guide for background-check partners.
//! - [`widget`]: the API between the embeddable widget and the companion server.
//!
//! [`validate`] holds the applicant/order validation rules, so that the widget's inline
//! messages and the server's 422 answers come from the same code.
//!
//! This crate depends on `serde` only (no `serde_json`) so that it costs the browser build
//! almost nothing.

pub mod ats;
pub mod candidate;
pub mod review;
pub mod status;
#[cfg(test)]
mod typescript;
pub mod validate;
pub mod widget;

pub use ats::*;
pub use candidate::*;
pub use review::*;
pub use status::*;
pub use widget::*;
