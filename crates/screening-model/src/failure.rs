//! A placement failure as it is kept on the order.

use serde::{Deserialize, Serialize};

use crate::YardstikError;

/// A placement failure as stored on the order, so a submission that waited on the failed
/// attempt gets the same answer. Serialised as JSON in `orders.error_body`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StoredFailure {
    Yardstik {
        error: YardstikError,
    },
    /// The placement was interrupted (crash, lease expired) before Yardstik was reached.
    Interrupted,
    Internal,
}

impl StoredFailure {
    /// Worth another attempt without anyone changing anything (the resumer retries these).
    pub fn is_transient(&self) -> bool {
        match self {
            StoredFailure::Yardstik { error } => error.is_transient(),
            StoredFailure::Interrupted | StoredFailure::Internal => true,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("serialise")
    }

    /// Rows written before failures were typed hold an error body; they read as internal.
    pub fn from_json(s: &str) -> Self {
        serde_json::from_str(s).unwrap_or(StoredFailure::Internal)
    }
}
