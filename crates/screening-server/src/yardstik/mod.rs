//! Yardstik API client, written against Yardstik's API reference: `Authorization: Account
//! <key>`, `Accept: application/json`, errors `{title, detail, meta, src, status}`.
//!
//! Every URL is built from the configured API base and an id that passed
//! [`safe_id`]; nothing is ever fetched from a URL found in a webhook body. Calls that are
//! idempotent (GETs, web tokens, candidate creation — Yardstik answers 200 "Candidate
//! already exists" for the same email) are retried on transport errors, 429 and 5xx;
//! invitation creation and cancellation are not.

pub mod adverse;
pub mod status;
pub mod types;

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::metrics::Metrics;
use crate::retry::{Budget, RetryPolicy};
use crate::tenant::Credentials;
use types::*;

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

#[derive(Clone)]
pub struct Yardstik {
    http: reqwest::Client,
    base: String,
    metrics: Metrics,
}

/// Ids are path segments: letters, digits, `-` and `_` only (Yardstik uses UUIDs).
pub fn safe_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn detail_text(body: &str) -> (String, String) {
    match serde_json::from_str::<ErrorBody>(body) {
        Ok(e) => {
            let detail = match (e.detail, e.errors) {
                (Some(serde_json::Value::String(s)), _) => s,
                (Some(v), _) if !v.is_null() => v.to_string(),
                (_, Some(v)) => match v {
                    serde_json::Value::Array(a) => a
                        .iter()
                        .map(|x| {
                            x.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| x.to_string())
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                    other => other.to_string(),
                },
                _ => String::new(),
            };
            (e.title.unwrap_or_default(), detail)
        }
        Err(_) => (String::new(), body.chars().take(300).collect()),
    }
}

enum Retry {
    Yes,
    No,
}

/// Quick retries inside one call (the caller's own retry covers longer outages).
fn call_policy() -> RetryPolicy {
    RetryPolicy::exponential(
        Duration::from_millis(200),
        Duration::from_secs(2),
        Budget::Attempts(3),
    )
    .with_jitter(0.2)
}

/// The longest `Retry-After` a single call waits for before giving the failure to its caller.
const CALL_RETRY_AFTER_MAX: Duration = Duration::from_secs(5);

impl Yardstik {
    pub fn new(base: &str, timeout: Duration, metrics: Metrics) -> Self {
        // Keep-alive connections are reused across calls (placements and the inbox workers
        // run many calls at once); idle ones are closed after a while so a restarted or
        // rebalanced Yardstik endpoint is picked up.
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .pool_max_idle_per_host(128)
            .pool_idle_timeout(Duration::from_secs(60))
            .tcp_nodelay(true)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("screening-server/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("reqwest client");
        Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            metrics,
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    #[allow(clippy::too_many_arguments)]
    async fn call<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        op: &'static str,
        creds: &Credentials,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&B>,
        retry: Retry,
    ) -> Result<(StatusCode, T), YardstikError> {
        let policy = match retry {
            Retry::Yes => call_policy(),
            Retry::No => {
                RetryPolicy::exponential(Duration::ZERO, Duration::ZERO, Budget::Attempts(1))
            }
        };
        let started = std::time::Instant::now();
        let mut last = YardstikError::Unavailable("no attempt".into());
        let mut failed = 0u32;
        let mut retry_after: Option<Duration> = None;
        loop {
            if failed > 0 {
                let Some(delay) = policy.next_delay(failed, started.elapsed()) else {
                    break;
                };
                // A 429's Retry-After is honoured up to the policy's cap.
                let delay = delay.max(
                    retry_after
                        .take()
                        .unwrap_or_default()
                        .min(CALL_RETRY_AFTER_MAX),
                );
                tokio::time::sleep(delay).await;
            }
            let attempt = failed;
            failed += 1;
            let mut req = self
                .http
                .request(method.clone(), format!("{}{}", self.base, path))
                .header(
                    "Authorization",
                    format!("Account {}", creds.yardstik_api_key.expose()),
                )
                .header("Accept", "application/json");
            if !query.is_empty() {
                req = req.query(query);
            }
            if let Some(b) = body {
                req = req.json(b);
            }
            let res = match req.send().await {
                Ok(r) => r,
                Err(e) => {
                    let kind = if e.is_timeout() {
                        "timeout"
                    } else {
                        "transport"
                    };
                    self.metrics.yardstik(op, kind);
                    tracing::warn!(op, attempt, error = kind, "yardstik call failed");
                    last = YardstikError::Unavailable(format!("{kind} error calling Yardstik"));
                    continue;
                }
            };
            let status = res.status();
            if status == StatusCode::TOO_MANY_REQUESTS {
                retry_after = crate::worker::delivery::parse_retry_after(res.headers());
            }
            let text = res.text().await.unwrap_or_default();
            if status.is_success() {
                self.metrics.yardstik(op, "ok");
                let value = if text.trim().is_empty() {
                    "null"
                } else {
                    &text
                };
                return serde_json::from_str(value)
                    .map(|v| (status, v))
                    .map_err(|e| YardstikError::Decode(format!("{op}: {e}")));
            }
            self.metrics.yardstik(op, &status.as_u16().to_string());
            let (title, detail) = detail_text(&text);
            // Titles and details are not logged: a 422 detail may echo applicant data.
            tracing::warn!(
                op,
                status = status.as_u16(),
                attempt,
                "yardstik call answered an error"
            );
            if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
                last = YardstikError::Unavailable(format!("Yardstik answered {}", status.as_u16()));
                continue;
            }
            return Err(YardstikError::Rejected {
                status: status.as_u16(),
                title,
                detail,
            });
        }
        Err(last)
    }

    fn id<'a>(&self, id: &'a str) -> Result<&'a str, YardstikError> {
        if safe_id(id) {
            Ok(id)
        } else {
            Err(YardstikError::Rejected {
                status: 400,
                title: "Bad id".into(),
                detail: "not a Yardstik id".into(),
            })
        }
    }

    /// `GET /accounts/{id}/account_packages` (every page).
    pub async fn account_packages(
        &self,
        creds: &Credentials,
    ) -> Result<Vec<AccountPackage>, YardstikError> {
        let path = format!(
            "/accounts/{}/account_packages",
            self.id(&creds.yardstik_account_id)?
        );
        let mut out = Vec::new();
        for page in 1..=20u32 {
            let p = page.to_string();
            let (_, list): (_, ListOf<AccountPackage>) = self
                .call(
                    "account_packages",
                    creds,
                    Method::GET,
                    &path,
                    &[("page", &p), ("per_page", "200")],
                    None::<&()>,
                    Retry::Yes,
                )
                .await?;
            let (data, meta) = list.into_parts();
            let n = data.len();
            out.extend(data);
            let more = meta
                .and_then(|m| Some(m.page? < m.total_pages?))
                .unwrap_or(false);
            if !more || n == 0 {
                break;
            }
        }
        Ok(out)
    }

    /// `POST /candidates`: 201 created, or 200 with the existing candidate of that email.
    pub async fn create_candidate(
        &self,
        creds: &Credentials,
        c: &NewCandidate,
    ) -> Result<(Candidate, bool), YardstikError> {
        let (status, cand): (_, Candidate) = self
            .call(
                "create_candidate",
                creds,
                Method::POST,
                "/candidates",
                &[],
                Some(c),
                Retry::Yes,
            )
            .await?;
        Ok((cand, status == StatusCode::OK))
    }

    /// `POST /invitations` (not retried: it is not idempotent).
    pub async fn create_invitation(
        &self,
        creds: &Credentials,
        i: &NewInvitation,
    ) -> Result<Invitation, YardstikError> {
        Ok(self
            .call(
                "create_invitation",
                creds,
                Method::POST,
                "/invitations",
                &[],
                Some(i),
                Retry::No,
            )
            .await?
            .1)
    }

    /// Invitations of one candidate for one account package created since `since`
    /// (`GET /invitations` with `query[…_eq]`/`query[created_at_gteq]` predicates, oldest first).
    pub async fn find_invitations(
        &self,
        creds: &Credentials,
        candidate_id: &str,
        account_package_id: &str,
        since: &str,
    ) -> Result<Vec<Invitation>, YardstikError> {
        let q = [
            ("query[candidate_id_eq]", candidate_id),
            ("query[account_package_id_eq]", account_package_id),
            ("query[created_at_gteq]", since),
            ("order_by", "created_at"),
            ("per_page", "200"),
        ];
        let (_, list): (_, ListOf<Invitation>) = self
            .call(
                "find_invitations",
                creds,
                Method::GET,
                "/invitations",
                &q,
                None::<&()>,
                Retry::Yes,
            )
            .await?;
        Ok(list.into_parts().0)
    }

    pub async fn invitation(
        &self,
        creds: &Credentials,
        id: &str,
    ) -> Result<Invitation, YardstikError> {
        let path = format!("/invitations/{}", self.id(id)?);
        Ok(self
            .call(
                "get_invitation",
                creds,
                Method::GET,
                &path,
                &[],
                None::<&()>,
                Retry::Yes,
            )
            .await?
            .1)
    }

    /// Cancel an invitation.
    pub async fn cancel_invitation(
        &self,
        creds: &Credentials,
        id: &str,
    ) -> Result<Invitation, YardstikError> {
        let path = format!("/invitations/{}/cancel", self.id(id)?);
        Ok(self
            .call(
                "cancel_invitation",
                creds,
                Method::POST,
                &path,
                &[],
                None::<&()>,
                Retry::No,
            )
            .await?
            .1)
    }

    pub async fn report(&self, creds: &Credentials, id: &str) -> Result<Report, YardstikError> {
        let path = format!("/reports/{}", self.id(id)?);
        Ok(self
            .call(
                "get_report",
                creds,
                Method::GET,
                &path,
                &[],
                None::<&()>,
                Retry::Yes,
            )
            .await?
            .1)
    }

    /// `POST /web_tokens` with the tenant's Yardstik user email.
    pub async fn web_token(
        &self,
        creds: &Credentials,
        user_email: &str,
    ) -> Result<WebToken, YardstikError> {
        let body = NewWebToken { user_email };
        Ok(self
            .call(
                "web_token",
                creds,
                Method::POST,
                "/web_tokens",
                &[],
                Some(&body),
                Retry::Yes,
            )
            .await?
            .1)
    }

    pub async fn webhook_types(
        &self,
        creds: &Credentials,
    ) -> Result<Vec<WebhookType>, YardstikError> {
        let (_, list): (_, ListOf<WebhookType>) = self
            .call(
                "webhook_types",
                creds,
                Method::GET,
                "/webhook_types",
                &[("per_page", "200")],
                None::<&()>,
                Retry::Yes,
            )
            .await?;
        Ok(list.into_parts().0)
    }

    pub async fn webhooks(&self, creds: &Credentials) -> Result<Vec<Webhook>, YardstikError> {
        let path = format!(
            "/accounts/{}/webhooks",
            self.id(&creds.yardstik_account_id)?
        );
        let (_, list): (_, ListOf<Webhook>) = self
            .call(
                "list_webhooks",
                creds,
                Method::GET,
                &path,
                &[("per_page", "200")],
                None::<&()>,
                Retry::Yes,
            )
            .await?;
        Ok(list.into_parts().0)
    }

    /// `DELETE /accounts/{id}/webhooks/{webhook_id}` (204; a 404 counts as done).
    pub async fn delete_webhook(
        &self,
        creds: &Credentials,
        webhook_id: &str,
    ) -> Result<(), YardstikError> {
        let path = format!(
            "/accounts/{}/webhooks/{}",
            self.id(&creds.yardstik_account_id)?,
            self.id(webhook_id)?
        );
        match self
            .call::<serde_json::Value, ()>(
                "delete_webhook",
                creds,
                Method::DELETE,
                &path,
                &[],
                None,
                Retry::Yes,
            )
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
        }
    }

    pub async fn create_webhook(
        &self,
        creds: &Credentials,
        type_id: &str,
        url: &str,
    ) -> Result<Webhook, YardstikError> {
        let path = format!(
            "/accounts/{}/webhooks",
            self.id(&creds.yardstik_account_id)?
        );
        let body = NewWebhook {
            webhook_type_id: type_id,
            url,
        };
        Ok(self
            .call(
                "create_webhook",
                creds,
                Method::POST,
                &path,
                &[],
                Some(&body),
                Retry::No,
            )
            .await?
            .1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_error_details() {
        assert!(safe_id("22269e7d-ea25-4166-b069-e50908c3678e"));
        for bad in ["", "../accounts", "a/b", "a?b", "a b", "%2e%2e"] {
            assert!(!safe_id(bad), "{bad}");
        }
        assert_eq!(
            detail_text(
                r#"{"title":"Resource not updated","detail":"There was a problem updating this resource.","meta":{},"src":{},"status":422}"#
            ),
            (
                "Resource not updated".into(),
                "There was a problem updating this resource.".into()
            )
        );
        assert_eq!(
            detail_text(r#"{"errors":["Not Authenticated"]}"#).1,
            "Not Authenticated"
        );
        assert_eq!(detail_text("<html>").1, "<html>");
    }
}
