//! The embeddable background-check widget: a package picker and order form, and Yardstik's
//! report, disclosures and candidate-apply views in iframes. Talks only to the companion
//! server's widget API (`screening_wire::widget`). See WIDGET.md for the host-facing API.
//!
//! The cargo features `order`, `review`, `frames` and `apply` (all by default) choose the
//! modes a build has; `pkg-scripts/build-widget` makes one wasm per feature, and the JS
//! loader (`js/screening_widget.js`) fetches the one a widget's mode needs.

pub mod api;
#[cfg(feature = "order")]
pub mod applicant;
pub mod components;
pub mod config;
pub mod ctx;
pub mod events;
pub mod js;
pub mod json;
pub mod messages;
pub mod mode;
#[cfg(feature = "order")]
pub mod money;
pub mod mount;
pub mod style;

pub use mount::{mount, WidgetHandle};

/// The allocator: talc's single-threaded WebAssembly allocator, which grows the linear
/// memory as it needs (smaller code than the standard library's dlmalloc).
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
