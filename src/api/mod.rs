//! The HTTP client for the companion server's widget API (`screening_wire::widget`), in
//! four layers, each importing only the ones below it:
//!
//! - [`endpoints`]: [`Api`], one method per route, and what the widget reads of the answers;
//! - [`session`]: the session token, fetched from the host's `sessionUrl` when needed and
//!   again, once per call, when the server answers `401 session_expired`; one call with it;
//! - [`transport`]: one HTTP exchange (timeout, CORS diagnosis, the loader's early answers);
//! - [`error`]: what a call ends in when it fails.
//!
//! The client knows nothing of the widget's config: the mount hands it [`Options`].

pub mod endpoints;
pub mod error;
pub mod session;
pub mod transport;

pub use endpoints::{encode, new_idempotency_key, Api, Created, Options, Status};
pub use error::{code_of, code_str, ApiError, Code, ServerError};
