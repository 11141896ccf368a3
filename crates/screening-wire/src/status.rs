//! The status and result vocabulary the ATS sees.
//!
//! The ATS document names only `complete` and `Pass`; the rest follows what other ATS
//! background-check contracts carry (progress updates, cancellation, expiry). The mapping
//! from Yardstik's invitation/report statuses lives in the server (README, "Status mapping").

use serde::{Deserialize, Serialize};

/// Where a background check is. Serialised in snake_case (`"complete"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum CheckStatus {
    /// Accepted; the Yardstik invitation is being created.
    Pending,
    /// The candidate has been invited (Yardstik invite_sent, viewed, clicked).
    Invited,
    /// The candidate completed the intake form and consented.
    FormCompleted,
    /// Yardstik is researching the report.
    Processing,
    /// Yardstik needs something (exception, info_requested, dispute, guardian consent).
    ActionRequired,
    /// Final: see the result.
    Complete,
    Canceled,
    Expired,
    /// Final: the order was accepted (201) but could not be placed at Yardstik (Yardstik
    /// refused it, or it stayed unreachable past the retries); the order's history says
    /// why. Nothing was left open at Yardstik.
    Failed,
}

impl CheckStatus {
    pub const ALL: [CheckStatus; 9] = [
        Self::Pending,
        Self::Invited,
        Self::FormCompleted,
        Self::Processing,
        Self::ActionRequired,
        Self::Complete,
        Self::Canceled,
        Self::Expired,
        Self::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Invited => "invited",
            Self::FormCompleted => "form_completed",
            Self::Processing => "processing",
            Self::ActionRequired => "action_required",
            Self::Complete => "complete",
            Self::Canceled => "canceled",
            Self::Expired => "expired",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The check has reached an end state. Progress updates stop here; the result of a
    /// `complete` check may still change afterwards (Yardstik consider → proceed or
    /// final_adverse), and such a change is sent to the ATS again.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Complete | Self::Canceled | Self::Expired | Self::Failed
        )
    }

    /// A person-readable label for UIs.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Invited => "Candidate invited",
            Self::FormCompleted => "Candidate submitted their information",
            Self::Processing => "In progress",
            Self::ActionRequired => "Action required",
            Self::Complete => "Complete",
            Self::Canceled => "Canceled",
            Self::Expired => "Expired",
            Self::Failed => "Could not be placed",
        }
    }
}

/// The outcome of a complete check, capitalised as in the partner guide (`"Pass"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub enum CheckResult {
    Pass,
    Consider,
    Fail,
}

impl CheckResult {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "Pass",
            Self::Consider => "Consider",
            Self::Fail => "Fail",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pass, Self::Consider, Self::Fail]
            .into_iter()
            .find(|v| v.as_str() == s)
    }

    /// Combining a package with its add-ons: the most severe result wins
    /// (Fail > Consider > Pass).
    pub fn combine(results: impl IntoIterator<Item = CheckResult>) -> Option<CheckResult> {
        results.into_iter().max()
    }
}
