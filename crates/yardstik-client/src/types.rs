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
/// One address of a new candidate: each part the ATS sent (the reference marks none
/// required; the intake form asks the candidate for what is missing).
pub struct NewAddress {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
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
    /// The account's candidate custom fields (key-value), set up at Yardstik.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub custom_fields: std::collections::BTreeMap<String, String>,
}

impl std::fmt::Debug for NewCandidate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewCandidate(<pii redacted>)")
    }
}

/// A candidate as Yardstik answers it: its id, and what the server compares with the ATS's
/// data when Yardstik answers with an existing candidate. PII: never logged.
#[derive(Clone, Default, Deserialize)]
pub struct Candidate {
    pub id: String,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
    /// An array of addresses, or the reference's `{data: [...]}` list.
    #[serde(default)]
    pub addresses: serde_json::Value,
}

impl std::fmt::Debug for Candidate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Candidate({}, <pii redacted>)", self.id)
    }
}

impl Candidate {
    /// Whether Yardstik's record lacks something of `new` (a name, phone or external id
    /// that differs, or an address it does not have): then the candidate is updated.
    pub fn differs_from(&self, new: &NewCandidate) -> bool {
        let same = |have: &Option<String>, want: &str| {
            have.as_deref().map(str::trim).unwrap_or("") == want.trim()
        };
        let given = |want: &Option<String>, have: &Option<String>| {
            want.as_deref()
                .is_some_and(|w| !w.trim().is_empty() && !same(have, w))
        };
        if !same(&self.first_name, &new.first_name) || !same(&self.last_name, &new.last_name) {
            return true;
        }
        if given(&new.phone, &self.phone) || given(&new.external_id, &self.external_id) {
            return true;
        }
        let list = match &self.addresses {
            serde_json::Value::Array(a) => a.clone(),
            v => v
                .get("data")
                .and_then(|d| d.as_array())
                .cloned()
                .unwrap_or_default(),
        };
        let text = |v: &serde_json::Value, k: &str| {
            v.get(k)
                .and_then(|x| x.as_str())
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        };
        // A part the ATS did not send says nothing about the stored address.
        let part = |have: &serde_json::Value, k: &str, want: &Option<String>| {
            want.as_deref()
                .is_none_or(|w| text(have, k) == w.trim().to_ascii_lowercase())
        };
        new.addresses.iter().any(|a| {
            !list.iter().any(|have| {
                part(have, "line1", &a.line1)
                    && part(have, "city", &a.city)
                    && part(have, "state", &a.state)
                    && part(have, "zip_code", &a.zip_code)
            })
        })
    }
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

/// The candidate an invitation names (the reference's invitation has it as an object).
#[derive(Debug, Clone, Deserialize)]
pub struct CandidateRef {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Invitation {
    pub id: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub candidate: Option<CandidateRef>,
    /// Not in the reference (the sandbox adds it); read when present.
    #[serde(default)]
    pub candidate_id: Option<String>,
    /// Not in the reference (the sandbox adds it); read when present.
    #[serde(default)]
    pub account_package_id: Option<String>,
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
    /// The candidate invited: `candidate.id` (the reference's), else `candidate_id`.
    pub fn candidate(&self) -> Option<&str> {
        self.candidate
            .as_ref()
            .map(|c| c.id.as_str())
            .or(self.candidate_id.as_deref())
            .filter(|s| !s.is_empty())
    }

    /// The account package: `account_package_id` when given, else the one the apply link
    /// names (`…/apply?report_id=…&account_package_id=…`, as the reference shows it).
    pub fn account_package(&self) -> Option<String> {
        if let Some(p) = self.account_package_id.as_deref().filter(|s| !s.is_empty()) {
            return Some(p.to_string());
        }
        let link = self.apply_url()?;
        let query = link.split_once('?')?.1;
        let query = query.split('#').next().unwrap_or("");
        query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (k == "account_package_id" && !v.is_empty()).then(|| v.to_string())
        })
    }

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

#[cfg(test)]
mod candidate_tests {
    use super::*;

    fn new() -> NewCandidate {
        NewCandidate {
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            email: "ann@example.com".into(),
            phone: Some("+14155550100".into()),
            external_id: Some("A1".into()),
            addresses: vec![NewAddress {
                line1: Some("1 Main St".into()),
                line2: None,
                city: Some("Springfield".into()),
                state: Some("IL".into()),
                zip_code: Some("62701".into()),
                country: Some("US".into()),
            }],
            custom_fields: Default::default(),
        }
    }

    fn known(v: serde_json::Value) -> Candidate {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_candidate_differs_when_a_name_phone_or_address_is_not_yardstiks() {
        let same = serde_json::json!({
            "id": "c1", "first_name": "Ann", "last_name": "Lee", "phone": "+14155550100",
            "external_id": "A1",
            "addresses": {"data": [{"line1": "1 main st", "city": "Springfield", "state": "IL", "zip_code": "62701"}]}
        });
        assert!(!known(same.clone()).differs_from(&new()));
        let mut v = same.clone();
        v["last_name"] = "Old".into();
        assert!(known(v).differs_from(&new()));
        let mut v = same.clone();
        v["phone"] = serde_json::Value::Null;
        assert!(known(v).differs_from(&new()));
        let mut v = same.clone();
        v["addresses"] =
            serde_json::json!([{"line1": "9 Elm", "city": "X", "state": "IL", "zip_code": "1"}]);
        assert!(known(v).differs_from(&new()));
        // Nothing given by the ATS is nothing to update.
        let mut bare = new();
        bare.phone = None;
        bare.external_id = None;
        bare.addresses.clear();
        assert!(!known(
            serde_json::json!({"id": "c1", "first_name": "Ann", "last_name": "Lee", "phone": "+1"})
        )
        .differs_from(&bare));
    }

    #[test]
    fn an_invitation_names_its_candidate_and_package_as_the_reference_shows() {
        let inv: Invitation = serde_json::from_value(serde_json::json!({
            "id": "i1",
            "candidate": {"id": "c1"},
            "meta": {"apply": "https://profile.yardstik.com/candidates/c1/apply?report_id=r1&account_package_id=p1&auth_type=email"}
        }))
        .unwrap();
        assert_eq!(inv.candidate(), Some("c1"));
        assert_eq!(inv.account_package().as_deref(), Some("p1"));
        let inv: Invitation = serde_json::from_value(serde_json::json!({
            "id": "i1", "candidate_id": "c2", "account_package_id": "p2"
        }))
        .unwrap();
        assert_eq!(inv.candidate(), Some("c2"));
        assert_eq!(inv.account_package().as_deref(), Some("p2"));
        let inv: Invitation = serde_json::from_value(serde_json::json!({"id": "i1"})).unwrap();
        assert_eq!(inv.candidate(), None);
        assert_eq!(inv.account_package(), None);
    }
}
