//! In-memory state: accounts (from the fixture), candidates, invitations, reports, adverse
//! actions, webhook registrations, consents and the webhook delivery log. Mutations return the [`Event`]s they
//! cause; the caller hands them to the webhook sender. Nothing here does I/O or awaits.

use chrono::{DateTime, SecondsFormat, Utc};
use rand::Rng;
use serde_json::{json, Map, Value};

use crate::fixture::{AccountFixture, AccountPackageFixture, Fixture};

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

pub fn ts(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn ts_opt(t: &Option<DateTime<Utc>>) -> Value {
    t.as_ref()
        .map(|t| Value::String(ts(t)))
        .unwrap_or(Value::Null)
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Something webhook subscribers hear about: `{resource_type}.{event}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub account_id: String,
    pub resource_type: &'static str,
    pub event: &'static str,
    pub resource_id: String,
}

impl Event {
    pub fn new(
        account_id: &str,
        resource_type: &'static str,
        event: &'static str,
        resource_id: &str,
    ) -> Event {
        Event {
            account_id: account_id.into(),
            resource_type,
            event,
            resource_id: resource_id.into(),
        }
    }
    pub fn system_name(&self) -> String {
        format!("{}.{}", self.resource_type, self.event)
    }
}

#[derive(Debug, Clone)]
pub struct Address {
    pub id: String,
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip_code: Option<String>,
    pub country: Option<String>,
}

impl Address {
    pub fn render(&self) -> Value {
        json!({
            "id": self.id, "object": "address", "line1": self.line1, "line2": self.line2,
            "city": self.city, "state": self.state, "zip_code": self.zip_code,
            "country": self.country.clone().unwrap_or_else(|| "US".into()),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: String,
    pub account_id: String,
    pub first_name: String,
    pub middle_name: Option<String>,
    pub no_middle_name: bool,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub ssn: Option<String>,
    pub date_of_birth: Option<String>,
    pub gender: Option<String>,
    pub driver_license_number: Option<String>,
    pub driver_license_state: Option<String>,
    pub previous_driver_license_number: Option<String>,
    pub previous_driver_license_state: Option<String>,
    pub external_id: Option<String>,
    pub addresses: Vec<Address>,
    pub custom_fields: Map<String, Value>,
    pub consented_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Candidate {
    pub fn full_name(&self) -> String {
        let mut parts = vec![self.first_name.as_str()];
        if let Some(m) = self.middle_name.as_deref().filter(|m| !m.is_empty()) {
            parts.push(m);
        }
        parts.push(self.last_name.as_str());
        parts.join(" ")
    }
    pub fn ssn_masked(&self) -> Value {
        match &self.ssn {
            Some(s) => {
                let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
                let last4 = &digits[digits.len().saturating_sub(4)..];
                json!(format!("###-##-{last4}"))
            }
            None => Value::Null,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Invitation {
    pub id: String,
    pub account_id: String,
    pub candidate_id: String,
    pub account_package_id: String,
    pub report_id: String,
    pub status: String,
    pub invitation_code: Option<String>,
    pub external_id: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub canceled_at: Option<DateTime<Utc>>,
    pub confirmation_code: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The apply link shown instead of the sandbox's own (control endpoint: what a
    /// compromised or spoofed upstream would send).
    pub apply_override: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ReportScreening {
    pub id: String,
    pub screening_type: String,
    pub label: String,
    pub name: String,
    pub status: String,
    pub decision: String,
    pub response_status: Option<String>,
    pub created_at: DateTime<Utc>,
    pub records: Vec<Value>,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub id: String,
    pub account_id: String,
    pub candidate_id: String,
    pub account_package_id: String,
    pub invitation_id: Option<String>,
    pub external_id: Option<String>,
    pub status: String,
    pub decision: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub screenings: Vec<ReportScreening>,
    pub created_by: Option<String>,
}

/// An adverse action on a report (see `crate::adverse`). `status`: `pending` (report in
/// `pre_adverse`, waiting for `scheduled_final_at`), `completed` (report moved to
/// `final_adverse`) or `canceled`.
#[derive(Debug, Clone)]
pub struct AdverseAction {
    pub id: String,
    pub account_id: String,
    pub report_id: String,
    pub candidate_id: String,
    pub status: String,
    /// The chosen violations, as the report shows them.
    pub violations: Vec<Value>,
    pub custom_reason: Option<String>,
    pub explanation: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub scheduled_final_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub canceled_at: Option<DateTime<Utc>>,
}

impl AdverseAction {
    pub fn render(&self) -> Value {
        json!({
            "id": self.id,
            "object": "adverse_action",
            "report_id": self.report_id,
            "candidate_id": self.candidate_id,
            "status": self.status,
            "violations": self.violations,
            "custom_reason": self.custom_reason,
            "explanation": self.explanation,
            "created_at": ts(&self.created_at),
            "updated_at": ts(&self.updated_at),
            "scheduled_final_at": ts_opt(&self.scheduled_final_at),
            "completed_at": ts_opt(&self.completed_at),
            "canceled_at": ts_opt(&self.canceled_at),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Webhook {
    pub id: String,
    pub account_id: String,
    pub webhook_type: String,
    pub url: String,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
}

impl Webhook {
    pub fn render(&self) -> Value {
        json!({
            "id": self.id,
            "url": self.url,
            "enabled": self.enabled,
            "webhook_type": self.webhook_type,
            "webhook_description": crate::http::webhooks::type_description(&self.webhook_type),
            "created_at": ts(&self.created_at),
        })
    }
}

/// A disclosure consent recorded by the embed `signDisclosures` page.
#[derive(Debug, Clone)]
pub struct Consent {
    pub id: String,
    pub account_id: String,
    pub user_email: String,
    pub created_at: DateTime<Utc>,
}

/// One webhook POST as attempted by the sender (for `GET /sandbox/webhook_deliveries`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeliveryRecord {
    pub delivery_id: String,
    pub webhook_id: String,
    pub account_id: String,
    pub url: String,
    pub webhook_type: String,
    pub body: String,
    pub signature: String,
    pub attempts: u32,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    /// `pending`, `delivered` or `failed` (gave up after the last attempt).
    pub state: String,
}

/// Every report status from the reference's table.
pub const REPORT_STATUSES: &[&str] = &[
    "created",
    "pending_approval",
    "approved_to_process",
    "processing",
    "pending",
    "queued",
    "clear",
    "consider",
    "ys_qa_review",
    "pre_adverse",
    "final_adverse",
    "proceed",
    "exception",
    "canceled",
    "dispute",
    "info_requested",
    "expired",
    "archived",
];

/// Statuses for which the report counts as completed (`completed_at` set, `report.completed` sent
/// when first reached from a non-completed status).
pub const REPORT_COMPLETED_STATUSES: &[&str] = &[
    "clear",
    "consider",
    "proceed",
    "pre_adverse",
    "final_adverse",
];

pub struct Store {
    pub accounts: Vec<AccountFixture>,
    pub candidates: Vec<Candidate>,
    pub invitations: Vec<Invitation>,
    pub reports: Vec<Report>,
    pub adverse_actions: Vec<AdverseAction>,
    pub webhooks: Vec<Webhook>,
    pub consents: Vec<Consent>,
    pub deliveries: Vec<DeliveryRecord>,
    /// API base URL (for `resource_url`, `meta.entity`).
    pub base_url: String,
    /// App origin (for `meta.entity` and the embed pages).
    pub app_origin: String,
    /// Origin of the apply pages (`meta.apply`).
    pub profile_origin: String,
    /// Only what the reference shows (see [`crate::Fixture::reference_only`]).
    pub reference_only: bool,
}

impl Store {
    pub fn new(
        fixture: &Fixture,
        base_url: String,
        app_origin: String,
        profile_origin: String,
    ) -> Store {
        Store {
            accounts: fixture.accounts.clone(),
            candidates: vec![],
            invitations: vec![],
            reports: vec![],
            adverse_actions: vec![],
            webhooks: vec![],
            consents: vec![],
            deliveries: vec![],
            base_url,
            app_origin,
            profile_origin,
            reference_only: fixture.reference_only,
        }
    }

    // ---------- lookups (always scoped by account) ----------

    pub fn account_by_key(&self, key: &str) -> Option<&AccountFixture> {
        self.accounts.iter().find(|a| {
            a.api_keys
                .iter()
                .any(|k| crate::jwt::ct_eq(k.as_bytes(), key.as_bytes()))
        })
    }
    pub fn account(&self, id: &str) -> Option<&AccountFixture> {
        self.accounts.iter().find(|a| a.id == id)
    }
    pub fn package(&self, account_id: &str, package_id: &str) -> Option<&AccountPackageFixture> {
        self.account(account_id)?
            .account_packages
            .iter()
            .find(|p| p.id == package_id)
    }
    pub fn candidate(&self, account_id: &str, id: &str) -> Option<&Candidate> {
        self.candidates
            .iter()
            .find(|c| c.id == id && c.account_id == account_id)
    }
    pub fn candidate_mut(&mut self, account_id: &str, id: &str) -> Option<&mut Candidate> {
        self.candidates
            .iter_mut()
            .find(|c| c.id == id && c.account_id == account_id)
    }
    pub fn invitation(&self, account_id: &str, id: &str) -> Option<&Invitation> {
        self.invitations
            .iter()
            .find(|c| c.id == id && c.account_id == account_id)
    }
    pub fn invitation_mut(&mut self, account_id: &str, id: &str) -> Option<&mut Invitation> {
        self.invitations
            .iter_mut()
            .find(|c| c.id == id && c.account_id == account_id)
    }
    pub fn invitation_for_report(&self, report_id: &str) -> Option<&Invitation> {
        self.invitations.iter().find(|i| i.report_id == report_id)
    }
    pub fn report(&self, account_id: &str, id: &str) -> Option<&Report> {
        self.reports
            .iter()
            .find(|c| c.id == id && c.account_id == account_id)
    }
    pub fn report_any(&self, id: &str) -> Option<&Report> {
        self.reports.iter().find(|c| c.id == id)
    }
    pub fn report_mut(&mut self, account_id: &str, id: &str) -> Option<&mut Report> {
        self.reports
            .iter_mut()
            .find(|c| c.id == id && c.account_id == account_id)
    }

    // ---------- rendering ----------

    pub fn render_account(&self, a: &AccountFixture) -> Value {
        json!({
            "id": a.id,
            "account_name": a.account_name,
            "first_name": a.first_name,
            "last_name": a.last_name,
            "email_address": a.email_address,
            "url": a.url,
            "tech_email_address": a.tech_email_address,
            "support_email_address": a.support_email_address,
            "support_phone": a.support_phone,
            "compliance_email_address": a.compliance_email_address,
            "actions_email_address": a.actions_email_address,
            "configurations": {
                "client_app": { "disable_invite_button": false },
                "sub_accounts": { "receive_webhooks": false },
                "managed_adverse_action": "false",
                "allow_candidate_consented": "true"
            },
            "features": a.features_json(),
            "legal_business_name": a.account_name,
            "logo": a.logo,
            "meta": { "entity": format!("{}/accounts/{}", self.app_origin, a.id) },
            "permissible_purposes": a.permissible_purposes,
            "created_at": "2024-01-01T00:00:00.000Z",
        })
    }

    pub fn render_package(&self, p: &AccountPackageFixture) -> Value {
        json!({
            "id": p.id,
            "package_id": p.package_id,
            "package": p.package.clone().unwrap_or_else(|| p.name.clone()),
            "name": p.name,
            "description": p.description,
            "package_system_name": p.package_system_name,
            "action_type": p.action_type,
            "paid_by": p.paid_by.clone().unwrap_or_else(|| "account".into()),
            "screenings": p.screenings.iter().map(|s| json!({
                "id": s.id, "name": s.name, "label": s.label, "screening_type": s.screening_type,
            })).collect::<Vec<_>>(),
        })
    }

    fn candidate_core(&self, c: &Candidate) -> Map<String, Value> {
        let account_name = self
            .account(&c.account_id)
            .map(|a| a.account_name.clone())
            .unwrap_or_default();
        let v = json!({
            "id": c.id,
            "object": "candidate",
            "full_name": c.full_name(),
            "first_name": c.first_name,
            "middle_name": c.middle_name,
            "no_middle_name": c.no_middle_name,
            "last_name": c.last_name,
            "email": c.email,
            "phone": c.phone,
            "ssn_masked": c.ssn_masked(),
            "date_of_birth": c.date_of_birth,
            "gender": c.gender,
            "driver_license_number": c.driver_license_number,
            "driver_license_state": c.driver_license_state,
            "previous_driver_license_number": c.previous_driver_license_number,
            "previous_driver_license_state": c.previous_driver_license_state,
            "evergreen": false,
            "external_id": c.external_id,
            "person_type": "candidate",
            "person_sub_type": null,
            "active": true,
            "additional_data": {},
            "guardian": {},
            "copy_requested": null,
            "external_reference": [],
            "consented_at": ts_opt(&c.consented_at),
            "account": { "id": c.account_id, "account_name": account_name },
            "created_at": ts(&c.created_at),
            "updated_at": ts(&c.updated_at),
            "meta": {
                "entity": format!("{}/candidates/{}", self.app_origin, c.id),
                "create_report": format!("{}/candidates/{}/reports/new", self.app_origin, c.id),
            },
        });
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    pub fn render_candidate(&self, c: &Candidate) -> Value {
        let mut m = self.candidate_core(c);
        m.insert(
            "addresses".into(),
            json!({ "object": "list", "data": c.addresses.iter().map(Address::render).collect::<Vec<_>>() }),
        );
        m.insert(
            "custom_fields".into(),
            Value::Array(
                c.custom_fields
                    .iter()
                    .map(|(k, v)| json!({ "id": null, "name": k, "label": k, "description": null, "value": v, "type": "string" }))
                    .collect(),
            ),
        );
        Value::Object(m)
    }

    pub fn apply_url(&self, candidate_id: &str, report_id: &str, package_id: &str) -> String {
        format!(
            "{}/candidates/{}/apply?report_id={}&account_package_id={}&auth_type=email",
            self.profile_origin, candidate_id, report_id, package_id
        )
    }

    pub fn render_invitation(&self, i: &Invitation) -> Value {
        let acct = self.account(&i.account_id);
        let candidate = self
            .candidates
            .iter()
            .find(|c| c.id == i.candidate_id)
            .map(|c| Value::Object(self.candidate_core(c)));
        let report_status = self
            .reports
            .iter()
            .find(|r| r.id == i.report_id)
            .map(|r| r.status.clone());
        let apply = i.apply_override.clone().unwrap_or_else(|| {
            self.apply_url(&i.candidate_id, &i.report_id, &i.account_package_id)
        });
        let mut v = json!({
            "id": i.id,
            "object": "invitation",
            "status": i.status,
            "invitation_code": i.invitation_code,
            "external_id": i.external_id,
            "platform_service_id": null,
            "expires_at": ts(&i.expires_at),
            "canceled_at": ts_opt(&i.canceled_at),
            "confirmation_code": i.confirmation_code,
            "created_at": ts(&i.created_at),
            "updated_at": ts(&i.updated_at),
            "account_id": i.account_id,
            "account_name": acct.map(|a| a.account_name.clone()),
            "logo": acct.and_then(|a| a.logo.clone()),
            "report_urls": [],
            "styles": acct.and_then(|a| a.styles.clone()).unwrap_or_else(|| json!({})),
            "candidate_id": i.candidate_id,
            "account_package_id": i.account_package_id,
            "candidate": candidate,
            "account": {
                "account_name": acct.map(|a| a.account_name.clone()),
                "support_email_address": acct.and_then(|a| a.support_email_address.clone()),
                "support_phone": acct.and_then(|a| a.support_phone.clone()),
            },
            // The guide shows `meta.apply`, the schema `meta.apply_url`: both are given.
            "meta": {
                "entity": format!("{}/invitations/{}", self.app_origin, i.id),
                "apply": apply,
                "apply_url": apply,
            },
            "report": { "id": i.report_id, "status": report_status },
        });
        if self.reference_only {
            // The reference's invitation names its candidate only inside `candidate` and its
            // package only in the apply link.
            if let Some(m) = v.as_object_mut() {
                m.remove("candidate_id");
                m.remove("account_package_id");
            }
        }
        v
    }

    pub fn render_report(&self, r: &Report) -> Value {
        let acct = self.account(&r.account_id);
        let pkg = self.package(&r.account_id, &r.account_package_id);
        let cand = self.candidates.iter().find(|c| c.id == r.candidate_id);
        let candidate = cand.map(|c| {
            let addr = c.addresses.first();
            json!({
                "id": c.id,
                "full_name": c.full_name(),
                "email": c.email,
                "phone_masked": c.phone.as_ref().map(|p| mask_tail(p, 4)),
                "date_of_birth_masked": c.date_of_birth.as_ref().map(|d| mask_tail(d, 2)),
                "ssn_masked": c.ssn_masked(),
                "driver_license_number_masked": c.driver_license_number.as_ref().map(|d| mask_tail(d, 4)),
                "full_address": addr.map(|a| json!({
                    "address": a.line1, "zip_code": a.zip_code, "city": a.city, "state": a.state,
                })),
            })
        });
        let completed = r
            .screenings
            .iter()
            .filter(|s| matches!(s.status.as_str(), "clear" | "consider" | "exception"))
            .count();
        let pp = acct
            .and_then(|a| a.default_purpose())
            .map(render_purpose)
            .unwrap_or(Value::Null);
        let adverse_action_id = self
            .adverse_actions
            .iter()
            .rev()
            .find(|a| a.report_id == r.id && a.status != "canceled")
            .map(|a| a.id.clone());
        let mandatory = acct
            .map(|a| a.adverse_action_settings.mandatory_selection_of_violations)
            .unwrap_or(false);
        let elapsed = match (r.submitted_at, r.completed_at) {
            (Some(s), Some(c)) => human_elapsed(c - s),
            _ => String::new(),
        };
        json!({
            "id": r.id,
            "object": "report",
            "reference_id": null,
            "external_id": r.external_id,
            // The reference's example renders `active` as the string "true".
            "active": "true",
            "candidate_id": r.candidate_id,
            "invitation_id": r.invitation_id,
            "account_package_id": r.account_package_id,
            "status": r.status,
            "response_status": null,
            "adjudication": null,
            "submitted_at": ts_opt(&r.submitted_at),
            "completed_at": ts_opt(&r.completed_at),
            "created_at": ts(&r.created_at),
            "updated_at": ts(&r.updated_at),
            "decision": r.decision,
            "usage_amount": null,
            "process_sequentially": true,
            "created_by": r.created_by,
            "permissible_purpose": pp,
            "candidate": candidate,
            "account_id": r.account_id,
            "account_name": acct.map(|a| a.account_name.clone()),
            "report_url": null,
            "adverse_action_id": adverse_action_id,
            "report_screenings": r.screenings.iter().enumerate().map(|(n, s)| json!({
                "id": s.id,
                "type": s.screening_type,
                "label": s.label,
                "name": s.name,
                "status": s.status,
                "order": n,
                "decision": s.decision,
                "response_status": s.response_status,
                "created_at": ts(&s.created_at),
                "report_url": "",
                "elapsed_timing": elapsed,
                "records": s.records,
                "comments": [],
            })).collect::<Vec<_>>(),
            "report_screenings_total": r.screenings.len(),
            "report_screenings_completed": completed,
            "elapsed_timing": elapsed,
            "package_name": pkg.map(|p| p.name.clone()),
            "comments": [],
            "course": { "has_courses": false, "courses_completed": false },
            "meta": {
                "entity": format!("{}/reports/{}", self.app_origin, r.id),
                "apply": self.apply_url(&r.candidate_id, &r.id, &r.account_package_id),
            },
            "adverse_action_settings": { "mandatory_selection_of_violations": mandatory },
        })
    }

    // ---------- mutations ----------

    pub fn new_report(
        &mut self,
        account_id: &str,
        candidate_id: &str,
        package_id: &str,
        invitation_id: Option<String>,
        external_id: Option<String>,
        created_by: Option<String>,
    ) -> Report {
        let t = now();
        let screenings = self
            .package(account_id, package_id)
            .map(|p| {
                p.screenings
                    .iter()
                    .map(|s| ReportScreening {
                        id: new_id(),
                        screening_type: s
                            .screening_type
                            .clone()
                            .unwrap_or_else(|| "Criminal".into()),
                        label: s.label.clone(),
                        name: s.name.clone(),
                        status: "created".into(),
                        decision: String::new(),
                        response_status: None,
                        created_at: t,
                        records: vec![],
                    })
                    .collect()
            })
            .unwrap_or_default();
        let r = Report {
            id: new_id(),
            account_id: account_id.into(),
            candidate_id: candidate_id.into(),
            account_package_id: package_id.into(),
            invitation_id,
            external_id,
            status: "created".into(),
            decision: String::new(),
            submitted_at: None,
            completed_at: None,
            created_at: t,
            updated_at: t,
            screenings,
            created_by,
        };
        self.reports.push(r.clone());
        r
    }

    /// Set a report's status (and its screenings' when they have none of their own yet),
    /// returning `report.updated` (+ `report.completed` on reaching a completed status).
    pub fn set_report_status(
        &mut self,
        account_id: &str,
        report_id: &str,
        status: &str,
    ) -> Vec<Event> {
        let Some(r) = self.report_mut(account_id, report_id) else {
            return vec![];
        };
        if r.status == status {
            return vec![];
        }
        let was_completed = REPORT_COMPLETED_STATUSES.contains(&r.status.as_str());
        let t = now();
        r.status = status.to_string();
        r.updated_at = t;
        let completing = REPORT_COMPLETED_STATUSES.contains(&status);
        if completing && r.completed_at.is_none() {
            r.completed_at = Some(t);
        }
        if matches!(status, "processing" | "canceled" | "expired" | "created") {
            for s in r.screenings.iter_mut() {
                s.status = status.into();
            }
        }
        if status == "proceed" {
            r.decision = "Proceed".into();
        } else if status == "pre_adverse" || status == "final_adverse" {
            r.decision = "Adverse Action".into();
        }
        let mut ev = vec![Event::new(account_id, "report", "updated", report_id)];
        if completing && !was_completed {
            ev.push(Event::new(account_id, "report", "completed", report_id));
        }
        ev
    }
}

/// A permissible purpose as the reference's report shows it: its `initial_status` under
/// `configurations` (`pre_adverse` when the fixture gives none).
fn render_purpose(p: &Value) -> Value {
    let mut v = p.clone();
    if let Value::Object(m) = &mut v {
        let initial = crate::fixture::purpose_initial_status(p)
            .unwrap_or("pre_adverse")
            .to_string();
        m.remove("initial_status");
        let conf = m
            .entry("configurations")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(c) = conf {
            c.insert("initial_status".into(), Value::String(initial));
        }
    }
    v
}

fn mask_tail(s: &str, keep: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i + keep >= n {
                *c
            } else if c.is_ascii_alphanumeric() {
                '#'
            } else {
                *c
            }
        })
        .collect()
}

fn human_elapsed(d: chrono::Duration) -> String {
    let s = d.num_seconds().max(0);
    if s < 60 {
        format!("{s} seconds")
    } else if s < 3600 {
        format!("{} minutes", s / 60)
    } else if s < 86400 {
        format!("{} hours", s / 3600)
    } else {
        format!("{} days", s / 86400)
    }
}

pub fn confirmation_code() -> String {
    let mut rng = rand::thread_rng();
    let letters: String = (0..3)
        .map(|_| (b'A' + rng.gen_range(0..26u8)) as char)
        .collect();
    format!("{letters}-{:05}", rng.gen_range(0..100000u32))
}
