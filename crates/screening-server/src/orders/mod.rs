//! Orders: placing them with Yardstik (idempotently), mapping Yardstik's progress back, and
//! the views the ATS and the widget read.

pub mod place;
pub mod status;
pub mod sync;
pub mod view;
