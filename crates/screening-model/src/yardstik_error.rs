//! What a Yardstik call can end in, as the domain and storage see it (a placement failure
//! stores it; the HTTP layer maps it to an answer).

#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", content = "detail", rename_all = "snake_case")]
pub enum YardstikError {
    /// Yardstik answered 4xx: the request or the account configuration is wrong.
    #[error("Yardstik answered {status}: {title}: {detail}")]
    Rejected {
        status: u16,
        title: String,
        detail: String,
    },
    /// Transport error, timeout, 429 or 5xx: worth retrying later.
    #[error("Yardstik is unavailable: {0}")]
    Unavailable(String),
    /// 2xx with a body we could not read.
    #[error("unexpected answer from Yardstik: {0}")]
    Decode(String),
}

impl YardstikError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, YardstikError::Rejected { status: 404, .. })
    }

    /// What may be logged or stored about it: no Yardstik title or detail text (a 422's
    /// detail may echo applicant data).
    pub fn summary(&self) -> String {
        match self {
            YardstikError::Rejected { status, .. } => format!("Yardstik answered {status}"),
            YardstikError::Unavailable(s) => s.clone(),
            YardstikError::Decode(_) => "unexpected answer from Yardstik".into(),
        }
    }

    /// Another attempt may succeed with nothing changed on our side, or once an operator
    /// fixes the account's credentials (401/403); a refused request (422…) will not.
    pub fn is_transient(&self) -> bool {
        match self {
            YardstikError::Unavailable(_) => true,
            YardstikError::Rejected { status, .. } => {
                matches!(status, 401 | 403 | 404 | 408 | 409 | 423)
            }
            YardstikError::Decode(_) => false,
        }
    }
}
