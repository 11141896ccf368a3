//! What can go wrong with an order, in the domain's words. `http::error` maps each variant
//! to a status and an error body; nothing here knows about HTTP.

use screening_wire::{CheckStatus, FieldError};
use serde::{Deserialize, Serialize};

use crate::yardstik::YardstikError;

#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    /// The order names unknown packages, a refused webhook URL, or bad fields.
    #[error("invalid order")]
    Invalid(Vec<FieldError>),
    /// The background check id is taken by a different order.
    #[error("background_check_id {0} was already used for a different order")]
    IdInUse(String),
    #[error("no background check {0}")]
    NotFound(String),
    /// The order's placement has not finished (or failed and waits for a retry).
    #[error("background check {0} is not placed yet")]
    NotPlacedYet(String),
    #[error("background check {0} is already {1:?}")]
    AlreadyFinal(String, CheckStatus),
    /// The order's report cannot be decided (or the decision undone) in its present state.
    #[error("background check {id} cannot be decided: {why}")]
    NotDecidable { id: String, why: String },
    /// Another request is placing this order and did not finish in time.
    #[error("the order is still being placed")]
    StillPlacing,
    #[error(transparent)]
    Yardstik(#[from] YardstikError),
    /// A stored failure of an earlier attempt, answered again to a request that waited on it.
    #[error("an earlier attempt failed: {0:?}")]
    EarlierAttemptFailed(StoredFailure),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl OrderError {
    /// What may be logged or stored: ids and kinds, never Yardstik's text or applicant data.
    pub fn summary(&self) -> String {
        match self {
            OrderError::Yardstik(y) => y.summary(),
            OrderError::EarlierAttemptFailed(StoredFailure::Yardstik { error }) => error.summary(),
            OrderError::Db(_) => "database error".into(),
            OrderError::Internal(_) => "internal error".into(),
            other => other.to_string(),
        }
    }
}

impl From<crate::db::tenants::TenantError> for OrderError {
    fn from(e: crate::db::tenants::TenantError) -> Self {
        OrderError::Internal(e.into())
    }
}

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
    pub fn of(e: &OrderError) -> Self {
        match e {
            OrderError::Yardstik(y) => StoredFailure::Yardstik { error: y.clone() },
            OrderError::EarlierAttemptFailed(f) => f.clone(),
            _ => StoredFailure::Internal,
        }
    }

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
