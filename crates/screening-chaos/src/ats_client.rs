//! The ATS's client side: places orders over HTTP Basic and retries them like a real ATS
//! would (same body, same `background_check_id`) on 5xx, 429 and transport errors, until a
//! deadline; reads orders back.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const ATS_USER: &str = "chaos-ats";
pub const ATS_SECRET: &str = "chaos-ats-secret";

#[derive(Debug, Clone)]
pub enum Placed {
    /// 201 (or a replayed 200) with the order state.
    Ok { attempts: u32, state: Value },
    /// A 4xx other than 429, or still failing at the deadline.
    Failed { attempts: u32, last: String },
}

#[derive(Clone)]
pub struct AtsClient {
    pub http: reqwest::Client,
}

impl AtsClient {
    pub fn new() -> Self {
        AtsClient {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(40))
                .build()
                .expect("reqwest client"),
        }
    }

    /// POST the same body until it is accepted or `deadline` passes. `servers` are tried in
    /// turn (several instances behind the ATS's configuration).
    pub async fn place(&self, servers: &[String], body: &Value, deadline: Instant) -> Placed {
        let mut attempts = 0u32;
        let mut wait = Duration::from_millis(200);
        let mut last;
        loop {
            let base = &servers[attempts as usize % servers.len()];
            attempts += 1;
            let res = self
                .http
                .post(format!("{base}/ats/orders"))
                .basic_auth(ATS_USER, Some(ATS_SECRET))
                .json(body)
                .send()
                .await;
            match res {
                Ok(r) => {
                    let status = r.status().as_u16();
                    let text = r.text().await.unwrap_or_default();
                    if status == 200 || status == 201 {
                        let state = serde_json::from_str(&text).unwrap_or(Value::Null);
                        return Placed::Ok { attempts, state };
                    }
                    last = format!("{status} {}", text.chars().take(160).collect::<String>());
                    if !(status >= 500 || status == 429) {
                        return Placed::Failed { attempts, last };
                    }
                }
                Err(e) => last = format!("transport: {e}"),
            }
            if Instant::now() + wait >= deadline {
                return Placed::Failed { attempts, last };
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(3));
        }
    }

    /// `GET /ats/orders/{id}` → (status code, body); transport errors are `None`.
    pub async fn order(&self, base: &str, bcid: &str) -> Option<(u16, Value)> {
        let r = self
            .http
            .get(format!("{base}/ats/orders/{bcid}"))
            .basic_auth(ATS_USER, Some(ATS_SECRET))
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .ok()?;
        let s = r.status().as_u16();
        Some((s, r.json().await.unwrap_or(Value::Null)))
    }
}

/// The order the ATS sends for one planned check.
pub fn order_body(
    bcid: &str,
    webhook_url: &str,
    email: &str,
    last_name: &str,
    add_ons: &[&str],
) -> Value {
    json!({
        "account_id": ATS_USER,
        "hiring_manager_user_id": "hm-1",
        "background_check_id": bcid,
        "package_id": "PKG001",
        "add_on_package_ids": add_ons,
        "webhook_url": webhook_url,
        "hiring_manager": {"id": "hm-1", "first_name": "Jill", "last_name": "Smith", "email": "jill.smith@example.com"},
        "applicant": {
            "id": format!("app-{bcid}"), "first_name": "Chaos", "last_name": last_name,
            "phone": "888-555-1234", "email": email, "address": "123 Main St.",
            "city": "Springfield", "state": "IL", "zip": "12345"
        },
        "job": {"id": "job-1"}
    })
}

/// The tenant file given to `screening-server tenant add`.
pub fn tenant_file(account_id: &str, api_key: &str, signature: &str) -> Value {
    json!({
        "ats_account_id": ATS_USER,
        "name": "Chaos Staffing",
        "api_secret": ATS_SECRET,
        "yardstik_account_id": account_id,
        "yardstik_api_key": api_key,
        "webhook_signature": signature,
        "web_token_user_email": "demo-user@example.com",
        "allowed_webhook_hosts": ["127.0.0.1"],
        "allow_loopback": true,
        "widget_origins": [],
        "progress_updates": false,
        "catalog": [
            {"id": "PKG001", "yardstik_account_package_id": crate::sandbox_client::PKG_BASIC, "name": "Basic Package", "price": "29.99", "description": "Basic"},
            {"id": "DRG01", "yardstik_account_package_id": crate::sandbox_client::PKG_DRUG, "name": "Basic Drug Screening", "price": "29.99", "description": "7 panel", "add_on": true}
        ]
    })
}
