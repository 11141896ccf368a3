//! The hiring manager's decision after a `Consider` (a `review` session).
//!
//! | method | path | request | answer |
//! |---|---|---|---|
//! | GET | /widget/orders/{background_check_id}/decision | | [`Decision`] |
//! | POST | /widget/orders/{background_check_id}/decision/proceed | | [`Decision`] |
//! | POST | /widget/orders/{background_check_id}/decision/adverse-action | [`StartAdverseAction`] | [`Decision`] |
//! | POST | /widget/orders/{background_check_id}/decision/adverse-action/cancel | | [`Decision`] |
//!
//! Proceeding turns the result into `Pass`; an adverse action keeps `Consider` while the
//! pre-adverse notice runs (its final date is `adverse_action.scheduled_final_at`) and turns
//! it into `Fail` when Yardstik sends the final notice. Every decision is recorded in the
//! order's history with the session's reviewer.

use serde::{Deserialize, Serialize};

/// What a decision needs to know about the order's report, and what can be done now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub background_check_id: String,
    pub report_id: String,
    /// Yardstik's report status (`consider`, `pre_adverse`, `final_adverse`, `proceed`, …).
    pub report_status: String,
    /// The candidate's state (two letters) from the report, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate_state: Option<String>,
    pub screenings: Vec<ReviewScreening>,
    /// At least one violation must be chosen to start an adverse action.
    pub violations_required: bool,
    /// Why an explanation is required to start an adverse action (`None`: optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation_required: Option<String>,
    /// The current (not canceled) adverse action, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adverse_action: Option<AdverseAction>,
    pub can_proceed: bool,
    pub can_start_adverse_action: bool,
    pub can_cancel_adverse_action: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewScreening {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    pub violations: Vec<Violation>,
}

/// One violation on the report. `id` names it in [`StartAdverseAction::violations`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub id: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposition: Option<String>,
    /// The disposition date, else the file date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdverseAction {
    pub id: String,
    /// `pending` (pre-adverse notice sent, final notice scheduled), `completed` (final
    /// notice sent) or `canceled`.
    pub status: String,
    pub violations: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    pub created_at: String,
    /// When the final notice goes out (RFC 3339), while pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_final_at: Option<String>,
}

/// `POST …/decision/adverse-action` body: violation ids from [`Decision::screenings`] and/or
/// a custom reason, and an explanation where the rules require one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct StartAdverseAction {
    #[serde(default)]
    pub violations: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}
