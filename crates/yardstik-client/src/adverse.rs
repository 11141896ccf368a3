//! Yardstik's adjudication calls: proceeding a candidate, adverse actions (create, list,
//! cancel), and the account's contact details. (The report itself is `Yardstik::report`.)
//!
//! Routes as the sandbox serves them: `PATCH /candidates/{id}/approve_by_report`
//! `{report_id}` and `POST /reports/{id}/adverse_actions`
//! `{violations: [{description, case_number?}], custom_reason?, explanation?}` (what public
//! Yardstik clients send); listing and canceling follow the same resource
//! (`GET /reports/{id}/adverse_actions`, `POST …/adverse_actions/{aa_id}/cancel`).
//! Creating and canceling are not retried (not idempotent).

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::types::{ListOf, ReportViolation};
use crate::{checked_id, Yardstik, YardstikError};
use screening_model::Credentials;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AccountContact {
    #[serde(default)]
    pub account_name: Option<String>,
    #[serde(default)]
    pub support_email_address: Option<String>,
    #[serde(default)]
    pub support_phone: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AdverseActionRes {
    pub id: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub violations: Vec<ReportViolation>,
    #[serde(default)]
    pub custom_reason: Option<String>,
    #[serde(default)]
    pub explanation: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub scheduled_final_at: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NewAdverseAction {
    /// Each as the report shows it (description, and `case_number` to tell apart violations
    /// with the same description).
    pub violations: Vec<ReportViolation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

#[derive(Serialize)]
struct ApproveByReport<'a> {
    report_id: &'a str,
}

impl Yardstik {
    /// `GET /accounts/{id}`: the account's name and support contacts.
    pub async fn account_contact(
        &self,
        creds: &Credentials,
    ) -> Result<AccountContact, YardstikError> {
        self.call("get_account", Method::GET, "/accounts")
            .id(&creds.yardstik_account_id)
            .idempotent()
            .send(creds)
            .await
    }

    pub async fn approve_by_report(
        &self,
        creds: &Credentials,
        candidate_id: &str,
        report_id: &str,
    ) -> Result<(), YardstikError> {
        let body = ApproveByReport {
            report_id: checked_id(report_id)?,
        };
        self.call("approve_by_report", Method::PATCH, "/candidates")
            .id(candidate_id)
            .path("/approve_by_report")
            .json(&body)
            .send::<Value>(creds)
            .await
            .map(|_| ())
    }

    pub async fn create_adverse_action(
        &self,
        creds: &Credentials,
        report_id: &str,
        body: &NewAdverseAction,
    ) -> Result<AdverseActionRes, YardstikError> {
        self.call("create_adverse_action", Method::POST, "/reports")
            .id(report_id)
            .path("/adverse_actions")
            .json(body)
            .send(creds)
            .await
    }

    pub async fn adverse_actions(
        &self,
        creds: &Credentials,
        report_id: &str,
    ) -> Result<Vec<AdverseActionRes>, YardstikError> {
        let list: ListOf<AdverseActionRes> = self
            .call("list_adverse_actions", Method::GET, "/reports")
            .id(report_id)
            .path("/adverse_actions")
            .idempotent()
            .send(creds)
            .await?;
        Ok(list.into_parts().0)
    }

    pub async fn cancel_adverse_action(
        &self,
        creds: &Credentials,
        report_id: &str,
        adverse_action_id: &str,
    ) -> Result<(), YardstikError> {
        self.call("cancel_adverse_action", Method::POST, "/reports")
            .id(report_id)
            .path("/adverse_actions")
            .id(adverse_action_id)
            .path("/cancel")
            .send::<Value>(creds)
            .await
            .map(|_| ())
    }
}
