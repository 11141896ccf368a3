//! Yardstik API client, written against Yardstik's API reference: `Authorization: Account
//! <key>`, `Accept: application/json`, errors `{title, detail, meta, src, status}`.
//!
//! Every endpoint is one chain of a `Call`: `self.call("get_invitation", Method::GET,
//! "/invitations").id(id).idempotent().send(creds)`. The rules are the builder's:
//!
//! - URLs: the configured API base, then the path's literal segments (`&'static str`, so
//!   never text from a request or a webhook) and ids that passed [`safe_id`]; a bad id is
//!   refused before anything is sent. Nothing is ever fetched from a URL found in a webhook
//!   body (a webhook could name any host).
//! - Retries: only a call marked `idempotent()` is retried (quick retries on transport
//!   errors, 429 and 5xx, honouring `Retry-After` up to a cap): GETs, web tokens, webhook
//!   deletion, candidate creation (Yardstik answers 200 "Candidate already exists" for the
//!   same email). Invitation creation and cancellation are not: sent twice, they would act
//!   twice.
//! - Each call is counted under its operation name (`screening_yardstik_requests_total`'s
//!   `op`), with its outcome; errors map to [`YardstikError`] (`Unavailable` when retrying
//!   could help, `Rejected` with Yardstik's title and detail otherwise, `Decode`).

pub mod adverse;
pub mod types;

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

use screening_metrics::{Metrics, YardstikLabels, YardstikOutcome};
use screening_model::retry::{parse_retry_after, Budget, RetryPolicy};
use screening_model::Credentials;
pub use screening_model::YardstikError;
use types::*;

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

/// `id` if it passed [`safe_id`], else the refusal a bad id gets (before any call).
fn checked_id(id: &str) -> Result<&str, YardstikError> {
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

/// One Yardstik call being built (see the module's rules), started by `Yardstik::call` and
/// sent by [`Call::send`]. Not retried unless marked [`Call::idempotent`]; `B` is the
/// body's type (none by default).
#[must_use = "a call does nothing until it is sent"]
struct Call<'a, B: ?Sized = ()> {
    yardstik: &'a Yardstik,
    op: &'static str,
    method: Method,
    /// The path so far, or the refusal of the first bad id.
    path: Result<String, YardstikError>,
    query: &'a [(&'a str, &'a str)],
    body: Option<&'a B>,
    retry: bool,
}

impl<'a, B: Serialize + ?Sized> Call<'a, B> {
    /// An id as the next path segment (`/{id}`), if it passed [`safe_id`].
    fn id(mut self, id: &str) -> Self {
        self.path = self
            .path
            .and_then(|p| checked_id(id).map(|id| format!("{p}/{id}")));
        self
    }

    /// More literal path, such as `"/cancel"`.
    fn path(mut self, literal: &'static str) -> Self {
        if let Ok(p) = &mut self.path {
            p.push_str(literal);
        }
        self
    }

    /// Query parameters (encoded by the HTTP client).
    fn query(mut self, pairs: &'a [(&'a str, &'a str)]) -> Self {
        self.query = pairs;
        self
    }

    /// A JSON body.
    fn json<C: Serialize + ?Sized>(self, body: &'a C) -> Call<'a, C> {
        Call {
            yardstik: self.yardstik,
            op: self.op,
            method: self.method,
            path: self.path,
            query: self.query,
            body: Some(body),
            retry: self.retry,
        }
    }

    /// Yardstik may receive this call twice without harm, so it is retried.
    fn idempotent(mut self) -> Self {
        self.retry = true;
        self
    }

    /// Send it; the answer's body.
    async fn send<T: DeserializeOwned>(self, creds: &Credentials) -> Result<T, YardstikError> {
        self.send_with_status(creds).await.map(|(_, v)| v)
    }

    /// Send it; the answer's status and body.
    async fn send_with_status<T: DeserializeOwned>(
        self,
        creds: &Credentials,
    ) -> Result<(StatusCode, T), YardstikError> {
        self.yardstik.execute(self, creds).await
    }
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

    /// A call of operation `op` (its name in metrics and logs): `method` on the API base
    /// and `path`, a literal such as `"/invitations"`; see [`Call`] for the rest.
    fn call<'a>(&'a self, op: &'static str, method: Method, path: &'static str) -> Call<'a> {
        Call {
            yardstik: self,
            op,
            method,
            path: Ok(path.to_string()),
            query: &[],
            body: None,
            retry: false,
        }
    }

    /// Send `call`, with its retries; the answer's status and body.
    async fn execute<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        call: Call<'_, B>,
        creds: &Credentials,
    ) -> Result<(StatusCode, T), YardstikError> {
        let Call {
            op,
            method,
            path,
            query,
            body,
            retry,
            ..
        } = call;
        let path = path?;
        let policy = if retry {
            call_policy()
        } else {
            RetryPolicy::exponential(Duration::ZERO, Duration::ZERO, Budget::Attempts(1))
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
                    let outcome = if e.is_timeout() {
                        YardstikOutcome::Timeout
                    } else {
                        YardstikOutcome::Transport
                    };
                    self.metrics
                        .yardstik_requests
                        .inc(YardstikLabels { op, outcome });
                    tracing::warn!(op, attempt, error = kind, "yardstik call failed");
                    last = YardstikError::Unavailable(format!("{kind} error calling Yardstik"));
                    continue;
                }
            };
            let status = res.status();
            if status == StatusCode::TOO_MANY_REQUESTS {
                retry_after = res
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, chrono::Utc::now().timestamp()));
            }
            let text = res.text().await.unwrap_or_default();
            if status.is_success() {
                self.metrics.yardstik_requests.inc(YardstikLabels {
                    op,
                    outcome: YardstikOutcome::Ok,
                });
                let value = if text.trim().is_empty() {
                    "null"
                } else {
                    &text
                };
                return serde_json::from_str(value)
                    .map(|v| (status, v))
                    .map_err(|e| YardstikError::Decode(format!("{op}: {e}")));
            }
            self.metrics.yardstik_requests.inc(YardstikLabels {
                op,
                outcome: YardstikOutcome::Status(status.as_u16()),
            });
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

    /// `GET /accounts/{id}/account_packages` (every page).
    pub async fn account_packages(
        &self,
        creds: &Credentials,
    ) -> Result<Vec<AccountPackage>, YardstikError> {
        let mut out = Vec::new();
        for page in 1..=20u32 {
            let p = page.to_string();
            let list: ListOf<AccountPackage> = self
                .call("account_packages", Method::GET, "/accounts")
                .id(&creds.yardstik_account_id)
                .path("/account_packages")
                .query(&[("page", &p), ("per_page", "200")])
                .idempotent()
                .send(creds)
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
            .call("create_candidate", Method::POST, "/candidates")
            .json(c)
            .idempotent()
            .send_with_status(creds)
            .await?;
        Ok((cand, status == StatusCode::OK))
    }

    /// `PATCH /candidates/{id}` with the ATS's data (the reference's candidate update).
    pub async fn update_candidate(
        &self,
        creds: &Credentials,
        id: &str,
        c: &NewCandidate,
    ) -> Result<Candidate, YardstikError> {
        self.call("update_candidate", Method::PATCH, "/candidates")
            .id(id)
            .json(c)
            .idempotent()
            .send(creds)
            .await
    }

    /// `POST /invitations` (not retried: it is not idempotent).
    pub async fn create_invitation(
        &self,
        creds: &Credentials,
        i: &NewInvitation,
    ) -> Result<Invitation, YardstikError> {
        self.call("create_invitation", Method::POST, "/invitations")
            .json(i)
            .send(creds)
            .await
    }

    /// Invitations of one candidate for one account package created since `since`
    /// (`GET /invitations` with `query[…_eq]`/`query[created_at_gteq]` predicates, oldest
    /// first). The reference shows predicates on `created_at` only: a Yardstik that ignores
    /// the others answers every invitation since then, so callers check each one's candidate
    /// and package.
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
        let list: ListOf<Invitation> = self
            .call("find_invitations", Method::GET, "/invitations")
            .query(&q)
            .idempotent()
            .send(creds)
            .await?;
        Ok(list.into_parts().0)
    }

    pub async fn invitation(
        &self,
        creds: &Credentials,
        id: &str,
    ) -> Result<Invitation, YardstikError> {
        self.call("get_invitation", Method::GET, "/invitations")
            .id(id)
            .idempotent()
            .send(creds)
            .await
    }

    /// Cancel an invitation.
    pub async fn cancel_invitation(
        &self,
        creds: &Credentials,
        id: &str,
    ) -> Result<Invitation, YardstikError> {
        self.call("cancel_invitation", Method::POST, "/invitations")
            .id(id)
            .path("/cancel")
            .send(creds)
            .await
    }

    pub async fn report(&self, creds: &Credentials, id: &str) -> Result<Report, YardstikError> {
        self.call("get_report", Method::GET, "/reports")
            .id(id)
            .idempotent()
            .send(creds)
            .await
    }

    /// `POST /web_tokens` with the tenant's Yardstik user email.
    pub async fn web_token(
        &self,
        creds: &Credentials,
        user_email: &str,
    ) -> Result<WebToken, YardstikError> {
        self.call("web_token", Method::POST, "/web_tokens")
            .json(&NewWebToken { user_email })
            .idempotent()
            .send(creds)
            .await
    }

    pub async fn webhook_types(
        &self,
        creds: &Credentials,
    ) -> Result<Vec<WebhookType>, YardstikError> {
        let list: ListOf<WebhookType> = self
            .call("webhook_types", Method::GET, "/webhook_types")
            .query(&[("per_page", "200")])
            .idempotent()
            .send(creds)
            .await?;
        Ok(list.into_parts().0)
    }

    pub async fn webhooks(&self, creds: &Credentials) -> Result<Vec<Webhook>, YardstikError> {
        let list: ListOf<Webhook> = self
            .call("list_webhooks", Method::GET, "/accounts")
            .id(&creds.yardstik_account_id)
            .path("/webhooks")
            .query(&[("per_page", "200")])
            .idempotent()
            .send(creds)
            .await?;
        Ok(list.into_parts().0)
    }

    /// `DELETE /accounts/{id}/webhooks/{webhook_id}` (204; a 404 counts as done).
    pub async fn delete_webhook(
        &self,
        creds: &Credentials,
        webhook_id: &str,
    ) -> Result<(), YardstikError> {
        let deleted = self
            .call("delete_webhook", Method::DELETE, "/accounts")
            .id(&creds.yardstik_account_id)
            .path("/webhooks")
            .id(webhook_id)
            .idempotent()
            .send::<serde_json::Value>(creds)
            .await;
        match deleted {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// `POST /accounts/{id}/webhooks`: the subscription, and whether it was created (201)
    /// rather than answered as one that already existed (200).
    pub async fn create_webhook(
        &self,
        creds: &Credentials,
        type_id: &str,
        url: &str,
    ) -> Result<(Webhook, bool), YardstikError> {
        let body = NewWebhook {
            webhook_type_id: type_id,
            url,
        };
        let (status, hook) = self
            .call("create_webhook", Method::POST, "/accounts")
            .id(&creds.yardstik_account_id)
            .path("/webhooks")
            .json(&body)
            .send_with_status(creds)
            .await?;
        Ok((hook, status == StatusCode::CREATED))
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

    #[test]
    fn paths_are_literals_and_checked_ids() {
        let y = Yardstik::new(
            "http://127.0.0.1:9/",
            Duration::from_secs(1),
            Metrics::default(),
        );
        let call = y
            .call("cancel_adverse_action", Method::POST, "/reports")
            .id("r-1")
            .path("/adverse_actions")
            .id("aa_2")
            .path("/cancel");
        assert_eq!(
            call.path.unwrap(),
            "/reports/r-1/adverse_actions/aa_2/cancel"
        );
        assert_eq!(y.base(), "http://127.0.0.1:9");
        // The first bad id is the call's refusal, whatever follows.
        let call = y
            .call("get_report", Method::GET, "/reports")
            .id("../accounts")
            .path("/x")
            .id("ok");
        assert!(matches!(
            call.path,
            Err(YardstikError::Rejected { status: 400, .. })
        ));
    }

    #[tokio::test]
    async fn a_bad_id_is_refused_before_anything_is_sent() {
        let metrics = Metrics::default();
        // Nothing listens there; a call that went out would be a transport error.
        let y = Yardstik::new(
            "http://127.0.0.1:9",
            Duration::from_secs(1),
            metrics.clone(),
        );
        let creds = Credentials {
            yardstik_account_id: "acct".into(),
            yardstik_api_key: screening_model::Secret("key".into()),
            webhook_signature: screening_model::Secret("sig".into()),
        };
        let err = y.invitation(&creds, "a/b").await.unwrap_err();
        assert!(
            matches!(err, YardstikError::Rejected { status: 400, .. }),
            "{err:?}"
        );
        assert!(!metrics.render(None).contains("get_invitation"));
    }
}
