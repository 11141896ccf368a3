//! The candidate's own report (a `candidate` session, one order).
//!
//! | method | path | answer |
//! |---|---|---|
//! | GET | /widget/orders/{background_check_id}/progress | [`CandidateStatus`] |
//! | GET | /widget/orders/{background_check_id}/report | [`CandidateReport`] |
//!
//! The progress: where each ordered package is, in the terms of what the candidate has to
//! do or wait for, read from the server's own records (cheap enough to poll).
//!
//! The report: the facts about the candidate that the FCRA entitles them to see — per ordered package,
//! the report status and each screening with its status and, once complete, its records and
//! violations — and who to contact to dispute them. Nothing the employer wrote, nothing about
//! anyone else, no Yardstik ids.

use serde::{Deserialize, Serialize};

/// `GET /widget/orders/{id}/progress`: the candidate's order, one line per ordered package
/// (the package first, then the add-ons in order). Nothing else: no result, no history, no
/// Yardstik ids or links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateStatus {
    pub background_check_id: String,
    pub packages: Vec<CandidateProgress>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateProgress {
    /// The ATS package id, as in [`CandidatePackage::package_id`].
    pub package_id: String,
    /// The package's name in the employer's catalog (the id when the catalog lost it).
    pub name: String,
    pub add_on: bool,
    pub stage: CandidateStage,
}

/// Where one package stands, from the candidate's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateStage {
    /// The order is accepted; the invitation is being created.
    Preparing,
    /// The invitation is open: the candidate's intake form is waiting.
    Invited,
    /// The candidate submitted the form; the research has not started.
    FormSubmitted,
    /// Yardstik is researching.
    InProgress,
    /// Yardstik needs more information from the candidate (its report's `info_requested`).
    InfoRequested,
    /// Waiting for a guardian's consent (`pending_approval`).
    GuardianConsent,
    /// Held by an issue Yardstik's support resolves (`exception`).
    OnHold,
    /// The candidate disputed the report before it was finished.
    Disputed,
    /// Finished: the report can be read (`GET …/report`).
    Done,
    /// The invitation expired before the form was submitted.
    Expired,
    Canceled,
}

impl CandidateStage {
    pub const ALL: [CandidateStage; 11] = [
        Self::Preparing,
        Self::Invited,
        Self::FormSubmitted,
        Self::InProgress,
        Self::InfoRequested,
        Self::GuardianConsent,
        Self::OnHold,
        Self::Disputed,
        Self::Done,
        Self::Expired,
        Self::Canceled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Preparing => "preparing",
            Self::Invited => "invited",
            Self::FormSubmitted => "form_submitted",
            Self::InProgress => "in_progress",
            Self::InfoRequested => "info_requested",
            Self::GuardianConsent => "guardian_consent",
            Self::OnHold => "on_hold",
            Self::Disputed => "disputed",
            Self::Done => "done",
            Self::Expired => "expired",
            Self::Canceled => "canceled",
        }
    }

    /// Nothing will change any more (polling can stop).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Done | Self::Expired | Self::Canceled)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateReport {
    pub background_check_id: String,
    pub packages: Vec<CandidatePackage>,
    /// Whom to contact about the report (the screening account's support).
    pub contact: Contact,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidatePackage {
    pub package_id: String,
    pub add_on: bool,
    /// Yardstik's report status (`processing`, `clear`, `consider`, …); `None` before a
    /// report exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_status: Option<String>,
    /// The report is finished (its records are final).
    pub complete: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
    pub screenings: Vec<CandidateScreening>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateScreening {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Only once the package's report is complete.
    pub records: Vec<CandidateRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateRecord {
    /// Where the record comes from (a state, a county, a database).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub violations: Vec<CandidateViolation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateViolation {
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offense: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_serialise_as_their_names() {
        for s in CandidateStage::ALL {
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        let finals: Vec<_> = CandidateStage::ALL
            .into_iter()
            .filter(|s| s.is_final())
            .collect();
        assert_eq!(
            finals,
            [
                CandidateStage::Done,
                CandidateStage::Expired,
                CandidateStage::Canceled
            ]
        );
    }
}
