//! Talks to the Yardstik sandbox as account A of its default fixture: the control endpoints
//! (drive reports, fault rules, webhook log) and the API lists used as the source of truth.
//! API reads are retried, since fault rules may be active while they run.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

pub const ACCOUNT_A: &str = "7d3f5a4e-1c2b-4e8f-9a6d-0b1c2d3e4f50";
pub const KEY_A: &str = "demo-yardstik-key";
pub const SIGNATURE_A: &str = "demo-webhook-signature";
pub const PKG_BASIC: &str = "11111111-aaaa-4aaa-8aaa-000000000001";
pub const PKG_DRUG: &str = "11111111-aaaa-4aaa-8aaa-000000000004";

#[derive(Clone)]
pub struct SandboxClient {
    pub base: String,
    http: reqwest::Client,
}

pub fn sign(key: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

impl SandboxClient {
    pub fn new(base: &str) -> Self {
        SandboxClient {
            base: base.to_string(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(15))
                .build()
                .expect("reqwest client"),
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("Authorization", format!("Account {KEY_A}"))
            .header("Accept", "application/json");
        if let Some(b) = body {
            req = req.json(b);
        }
        let r = req.send().await?;
        let s = r.status().as_u16();
        let text = r.text().await?;
        Ok((s, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }

    /// GET with retries on 5xx/429/transport errors (faults may be on), bounded.
    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        let end = Instant::now() + Duration::from_secs(60);
        let mut last = String::new();
        while Instant::now() < end {
            match self.send(reqwest::Method::GET, path, None).await {
                Ok((200, v)) => return Ok(v),
                Ok((s, v)) if s < 500 && s != 429 => bail!("GET {path}: {s} {v}"),
                Ok((s, _)) => last = s.to_string(),
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("GET {path} kept failing: {last}")
    }

    /// Every page of a list endpoint (`path` may carry `query[…]` filters).
    pub async fn list_all(&self, path: &str) -> anyhow::Result<Vec<Value>> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut out = Vec::new();
        for page in 1..=1000 {
            let v = self
                .get(&format!("{path}{sep}per_page=200&page={page}"))
                .await?;
            let data = v["data"].as_array().cloned().unwrap_or_default();
            let done = data.len() < 200;
            out.extend(data);
            if done {
                break;
            }
        }
        Ok(out)
    }

    /// POST a control endpoint (never affected by faults); returns the status code.
    pub async fn control(&self, path: &str, body: Value) -> anyhow::Result<(u16, Value)> {
        self.send(reqwest::Method::POST, path, Some(&body)).await
    }

    /// Complete the intake behind a report (as the candidate would), with this last name.
    pub async fn complete_report(&self, report_id: &str, last_name: &str) -> anyhow::Result<()> {
        let (s, v) = self
            .control(
                &format!("/sandbox/reports/{report_id}/complete"),
                json!({"last_name": last_name}),
            )
            .await?;
        if s != 200 {
            bail!("complete report {report_id}: {s} {v}");
        }
        Ok(())
    }

    /// Move a report to `status`, waiting (bounded) while the sandbox still refuses because
    /// the report has not reached the needed state yet.
    pub async fn move_report(
        &self,
        report_id: &str,
        status: &str,
        deadline: Instant,
    ) -> anyhow::Result<()> {
        loop {
            let (s, v) = self
                .control(
                    &format!("/sandbox/reports/{report_id}/status"),
                    json!({"status": status}),
                )
                .await?;
            if s == 200 {
                return Ok(());
            }
            if s != 422 || Instant::now() > deadline {
                bail!("report {report_id} → {status}: {s} {v}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn set_faults(&self, rules: Value) -> anyhow::Result<()> {
        let r = self
            .http
            .post(format!("{}/sandbox/faults", self.base))
            .json(&rules)
            .send()
            .await?;
        if !r.status().is_success() {
            bail!("set faults: {}", r.status());
        }
        Ok(())
    }

    pub async fn clear_faults(&self) -> anyhow::Result<()> {
        self.http
            .delete(format!("{}/sandbox/faults", self.base))
            .send()
            .await?;
        Ok(())
    }

    /// `GET /sandbox/webhook_deliveries` (the account's whole log).
    pub async fn deliveries(&self) -> anyhow::Result<Vec<Value>> {
        let (s, v) = self
            .send(reqwest::Method::GET, "/sandbox/webhook_deliveries", None)
            .await?;
        if s != 200 {
            bail!("webhook deliveries: {s}");
        }
        Ok(v["data"].as_array().cloned().unwrap_or_default())
    }

    /// Webhook subscriptions of account A pointing at `url`.
    pub async fn subscriptions_to(&self, url: &str) -> anyhow::Result<usize> {
        let v = self.get(&format!("/accounts/{ACCOUNT_A}/webhooks")).await?;
        let list = v.as_array().cloned().unwrap_or_default();
        Ok(list.iter().filter(|w| w["url"] == url).count())
    }

    /// Subscribe `url` to the invitation and report events (what the server does itself).
    pub async fn subscribe(&self, url: &str) -> anyhow::Result<()> {
        for t in [
            "invitation.created",
            "invitation.updated",
            "report.created",
            "report.updated",
            "report.completed",
        ] {
            let (s, v) = self
                .send(
                    reqwest::Method::POST,
                    &format!("/accounts/{ACCOUNT_A}/webhooks"),
                    Some(&json!({"webhook_type": t, "url": url})),
                )
                .await
                .context("subscribe")?;
            if s != 200 && s != 201 {
                bail!("subscribe {t}: {s} {v}");
            }
        }
        Ok(())
    }
}
