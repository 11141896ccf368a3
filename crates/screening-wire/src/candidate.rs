//! The candidate's own report (a `candidate` session, one order).
//!
//! | method | path | answer |
//! |---|---|---|
//! | GET | /widget/orders/{background_check_id}/report | [`CandidateReport`] |
//!
//! The facts about the candidate that the FCRA entitles them to see — per ordered package,
//! the report status and each screening with its status and, once complete, its records and
//! violations — and who to contact to dispute them. Nothing the employer wrote, nothing about
//! anyone else, no Yardstik ids.

use serde::{Deserialize, Serialize};

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
