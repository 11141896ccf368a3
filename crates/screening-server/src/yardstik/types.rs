//! Typed Yardstik requests and responses, from Yardstik's API reference.
//!
//! Only the fields the server uses are declared; everything else is ignored, so richer
//! real responses parse too. Where the reference's example and schema disagree (`meta.apply`
//! vs `meta.apply_url`), both are accepted.

use serde::{Deserialize, Serialize};

/// Yardstik's error body: `{title, detail, meta, src, status}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub detail: Option<serde_json::Value>,
    #[serde(default)]
    pub errors: Option<serde_json::Value>,
}

/// A list answer: the paginated `{object: "list", meta, data}` shape or a bare array (the
/// reference shows both, e.g. account packages as a bare array).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ListOf<T> {
    Page {
        data: Vec<T>,
        #[serde(default)]
        meta: Option<PageMeta>,
    },
    Bare(Vec<T>),
}

impl<T> ListOf<T> {
    pub fn into_parts(self) -> (Vec<T>, Option<PageMeta>) {
        match self {
            ListOf::Page { data, meta } => (data, meta),
            ListOf::Bare(v) => (v, None),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct PageMeta {
    #[serde(default)]
    pub page: Option<u64>,
    #[serde(default)]
    pub total_pages: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Screening {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
}

impl Screening {
    /// What the ATS shows: the label when there is one, else the name.
    pub fn display(&self) -> Option<String> {
        self.label
            .clone()
            .filter(|s| !s.is_empty())
            .or_else(|| self.name.clone())
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct AccountPackage {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub action_type: Option<String>,
    #[serde(default)]
    pub screenings: Vec<Screening>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NewAddress {
    pub line1: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub city: String,
    pub state: String,
    pub zip_code: String,
    pub country: String,
}

/// `POST /candidates`. PII: never logged.
#[derive(Clone, Serialize)]
pub struct NewCandidate {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<NewAddress>,
}

impl std::fmt::Debug for NewCandidate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewCandidate(<pii redacted>)")
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Candidate {
    pub id: String,
}

/// `POST /invitations`.
#[derive(Debug, Clone, Serialize)]
pub struct NewInvitation {
    pub account_package_id: String,
    pub candidate_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct InvitationMeta {
    #[serde(default)]
    pub apply: Option<String>,
    #[serde(default)]
    pub apply_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReportRef {
    pub id: String,
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Invitation {
    pub id: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub meta: InvitationMeta,
    #[serde(default)]
    pub report: Option<ReportRef>,
}

impl Invitation {
    pub fn apply_url(&self) -> Option<String> {
        self.meta
            .apply
            .clone()
            .or_else(|| self.meta.apply_url.clone())
            .filter(|s| !s.is_empty())
    }
}

/// A report: its status for the order lifecycle, and what a decision and the candidate's own
/// view read (screenings, records, violations, the account's adverse-action settings).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Report {
    pub id: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(default)]
    pub candidate_id: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub completed_at: Option<String>,
    #[serde(default)]
    pub candidate: Option<ReportCandidate>,
    #[serde(default)]
    pub report_screenings: Vec<ReportScreening>,
    #[serde(default)]
    pub adverse_action_settings: Option<AdverseActionSettings>,
    #[serde(default)]
    pub adverse_action_id: Option<String>,
}

impl Report {
    /// The candidate's state (two letters, upper case) from the report's address.
    pub fn candidate_state(&self) -> Option<String> {
        self.candidate
            .as_ref()
            .and_then(|c| c.full_address.as_ref())
            .and_then(|a| a.state.as_deref())
            .map(|s| s.trim().to_ascii_uppercase())
            .filter(|s| !s.is_empty())
    }

    pub fn violations_mandatory(&self) -> bool {
        self.adverse_action_settings
            .as_ref()
            .is_some_and(|s| s.mandatory_selection_of_violations)
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportCandidate {
    #[serde(default)]
    pub full_address: Option<Address>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Address {
    #[serde(default)]
    pub state: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportScreening {
    #[serde(flatten)]
    pub screening: Screening,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub records: Vec<Record>,
}

impl ReportScreening {
    pub fn display(&self) -> String {
        self.screening
            .display()
            .unwrap_or_else(|| "Screening".into())
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Record {
    #[serde(default)]
    pub category: Option<Category>,
    #[serde(default)]
    pub violations: Vec<ReportViolation>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Category {
    #[serde(default)]
    pub value: Option<String>,
}

/// A violation on a report (the reference's record shape; only the fields used here).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportViolation {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_number: Option<String>,
    #[serde(default, skip_serializing)]
    pub disposition: Option<String>,
    #[serde(default, skip_serializing)]
    pub disposition_date: Option<String>,
    #[serde(default, skip_serializing)]
    pub file_date: Option<String>,
    #[serde(default, skip_serializing)]
    pub jurisdiction: Option<String>,
    #[serde(default, skip_serializing)]
    pub count_offense: Option<String>,
}

impl ReportViolation {
    pub fn description(&self) -> String {
        nonempty(&self.description).unwrap_or_else(|| "Violation".into())
    }

    /// The disposition date, else the file date.
    pub fn date(&self) -> Option<String> {
        nonempty(&self.disposition_date).or_else(|| nonempty(&self.file_date))
    }
}

/// `Some` only for a non-blank value.
pub fn nonempty(v: &Option<String>) -> Option<String> {
    v.clone().filter(|s| !s.trim().is_empty())
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AdverseActionSettings {
    #[serde(default)]
    pub mandatory_selection_of_violations: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct NewWebToken<'a> {
    pub user_email: &'a str,
}

#[derive(Clone, Deserialize)]
pub struct WebToken {
    pub token: String,
}

impl std::fmt::Debug for WebToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebToken(<redacted>)")
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct WebhookType {
    pub id: String,
    pub system_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NewWebhook<'a> {
    pub webhook_type_id: &'a str,
    pub url: &'a str,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    #[serde(default)]
    pub webhook_type: Option<serde_json::Value>,
}

impl Webhook {
    /// `webhook_type` is a system name string in the reference's examples; accept an object
    /// with `system_name` too.
    pub fn type_name(&self) -> Option<String> {
        match &self.webhook_type {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Object(o)) => o
                .get("system_name")
                .and_then(|v| v.as_str())
                .map(str::to_string),
            _ => None,
        }
    }
}

/// The webhook POST body Yardstik sends (the reference: "Using Webhooks").
#[derive(Debug, Clone, Deserialize)]
pub struct WebhookEvent {
    pub id: String,
    #[serde(default)]
    pub event: String,
    pub resource_id: String,
    pub account_id: String,
    pub resource_type: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_shapes_parse() {
        let inv: Invitation = serde_json::from_str(
            r#"{"id":"22269e7d-ea25-4166-b069-e50908c3678e","status":"invite_sent","invitation_code":null,
            "meta":{"entity":"https://app.yardstik.com/invitations/ID","apply":"https://profile.yardstik.com/candidates/ID/apply?report_id=ID"},
            "report":{"id":"ID","status":"created"}}"#,
        )
        .unwrap();
        assert_eq!(inv.report.unwrap().status.as_deref(), Some("created"));
        assert!(inv.meta.apply.unwrap().contains("/apply"));
        let pk: ListOf<AccountPackage> = serde_json::from_str(
            r#"[{"id":"6b9f","package_id":"0468","package":"Gold","name":"test","action_type":"monitor","screenings":[{"id":"x","name":"MVR","label":"MVR","screening_type":"Criminal"}]}]"#,
        )
        .unwrap();
        assert_eq!(
            pk.into_parts().0[0].screenings[0].display().as_deref(),
            Some("MVR")
        );
        let page: ListOf<Invitation> =
            serde_json::from_str(r#"{"object":"list","meta":{"page":2,"per_page":25,"total_count":137,"total_pages":6},"data":[{"id":"a"}]}"#)
                .unwrap();
        let (data, meta) = page.into_parts();
        assert_eq!((data.len(), meta.unwrap().total_pages), (1, Some(6)));
        let w: Webhook = serde_json::from_str(
            r#"{"id":"1","url":"u","enabled":true,"webhook_type":"report.created"}"#,
        )
        .unwrap();
        assert_eq!(w.type_name().as_deref(), Some("report.created"));
    }
}
