//! The embeddable background-check widget: a package picker and order form, and Yardstik's
//! report, disclosures and candidate-apply views in iframes. Talks only to the companion
//! server's widget API (`screening_wire::widget`). See WIDGET.md for the host-facing API.

pub mod api;
pub mod components;
pub mod config;
pub mod events;
pub mod json;
pub mod messages;
pub mod money;
pub mod mount;
pub mod style;

pub use mount::{mount, WidgetHandle};
