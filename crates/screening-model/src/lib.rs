//! The companion server's types and rules, below storage, the Yardstik client and the
//! domain: claims and the order lifecycle, enums stored as text, Yardstik's statuses and
//! errors, tenants, the retry policy, secrets and the clock.
//!
//! Architecture invariant: nothing here does I/O beyond the master key file, and the crate
//! depends on no database, HTTP or async runtime crate, so every rule here is a pure
//! function with its tests beside it.

pub mod claim;
pub mod clock;
pub mod crypto;
pub mod failure;
pub mod lifecycle;
pub mod order;
pub mod rate;
pub mod result_signature;
pub mod retry;
pub mod stored;
pub mod tenant;
pub mod yardstik_error;
pub mod yardstik_status;

pub use claim::{Claim, ClaimToken};
pub use clock::Clock;
pub use failure::StoredFailure;
pub use lifecycle::CheckState;
pub use order::{ItemIntake, NewItem, OrderKey, YardstikRef};
pub use retry::{Budget, RetryPolicy};
pub use stored::StoredEnum;
pub use tenant::{Credentials, Secret, Settings, Tenant, TenantSpec};
pub use yardstik_error::YardstikError;
pub use yardstik_status::{InvitationStatus, ReportStatus};
