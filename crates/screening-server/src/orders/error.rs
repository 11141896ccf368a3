//! What can go wrong with an order, in the domain's words. `http::error` maps each variant
//! to a status and an error body; nothing here knows about HTTP.

use screening_wire::{CheckStatus, FieldError};

use screening_model::{StoredFailure, YardstikError};

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
    /// Yardstik gave a link the widget must not frame (not http(s), or not on a configured
    /// Yardstik origin).
    #[error("{0}")]
    RefusedLink(String),
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

impl From<screening_store::tenants::TenantError> for OrderError {
    fn from(e: screening_store::tenants::TenantError) -> Self {
        OrderError::Internal(e.into())
    }
}

impl OrderError {
    /// What is stored on the order about this failure.
    pub fn stored(&self) -> StoredFailure {
        match self {
            OrderError::Yardstik(y) => StoredFailure::Yardstik { error: y.clone() },
            OrderError::EarlierAttemptFailed(f) => f.clone(),
            _ => StoredFailure::Internal,
        }
    }
}

impl OrderError {
    /// A failure that several callers waited on (a cache's single flight): the last
    /// holder gets it whole; the others a copy of what a caller can act on (not found, a
    /// Yardstik answer), or an internal error with its text.
    pub fn shared(e: std::sync::Arc<OrderError>) -> OrderError {
        match std::sync::Arc::try_unwrap(e) {
            Ok(e) => e,
            Err(e) => match &*e {
                OrderError::NotFound(id) => OrderError::NotFound(id.clone()),
                OrderError::Yardstik(y) => OrderError::Yardstik(y.clone()),
                other => OrderError::Internal(anyhow::anyhow!("{other}")),
            },
        }
    }
}
