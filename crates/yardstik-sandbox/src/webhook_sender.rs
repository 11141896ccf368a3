//! Signed webhook delivery. Each event becomes the reference's body
//! `{id, event, resource_id, account_id, account_name, resource_type, resource_url}` (compact
//! JSON, keys in that order), signed with `x-yardstik-webhook-signature` = hex HMAC-SHA256 of
//! exactly those bytes under the account's WEBHOOK_SIGNATURE key. One worker per target URL
//! takes its deliveries in the order they were queued and keeps up to `webhook_concurrency` of
//! them in flight at once, so — as from Yardstik, whose API reference promises no order — a
//! receiver may see a later event before an earlier one (with a concurrency of 1 they arrive in
//! order). A non-2xx answer or a network error is retried, without holding up the URL's other
//! deliveries, up to `webhook_max_attempts` in total with exponential backoff from
//! `webhook_retry_base`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{mpsc, Semaphore};

use crate::store::{DeliveryRecord, Event, Store};

/// The delivery log keeps at most this many entries (oldest dropped first).
const MAX_LOG: usize = 10_000;

/// The webhook body, fields in the reference's order.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookBody {
    pub id: String,
    pub event: String,
    pub resource_id: String,
    pub account_id: String,
    pub account_name: String,
    pub resource_type: String,
    pub resource_url: String,
}

#[derive(Debug, Clone)]
struct Job {
    delivery_id: String,
    url: String,
    body: String,
    signature: String,
}

#[derive(Clone)]
pub struct WebhookSender {
    store: Arc<Mutex<Store>>,
    client: reqwest::Client,
    workers: Arc<Mutex<HashMap<String, mpsc::UnboundedSender<Job>>>>,
    max_attempts: u32,
    retry_base: Duration,
    /// Deliveries in flight at once per target URL (at least 1).
    concurrency: usize,
    /// Deliveries queued or in flight (retries waiting included): what is still to be sent.
    queued: Arc<AtomicUsize>,
}

pub fn sign(key: &str, body: &[u8]) -> String {
    hex::encode(crate::jwt::hmac_sha256(key.as_bytes(), body))
}

fn resource_path(resource_type: &str) -> &'static str {
    match resource_type {
        "candidate" => "candidates",
        "invitation" => "invitations",
        "report" => "reports",
        "monitor" => "monitors",
        "account" | "sub_account" => "accounts",
        _ => "resources",
    }
}

impl WebhookSender {
    pub fn new(
        store: Arc<Mutex<Store>>,
        max_attempts: u32,
        retry_base: Duration,
        timeout: Duration,
        concurrency: usize,
    ) -> Self {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        WebhookSender {
            store,
            client,
            workers: Arc::default(),
            max_attempts: max_attempts.max(1),
            retry_base,
            concurrency: concurrency.max(1),
            queued: Arc::default(),
        }
    }

    /// Queue deliveries for every enabled registration matching each event.
    pub fn emit(&self, events: Vec<Event>) {
        if events.is_empty() {
            return;
        }
        let mut jobs = vec![];
        {
            let mut st = lock(&self.store);
            for ev in events {
                let system_name = ev.system_name();
                let Some(acct) = st.account(&ev.account_id).cloned() else {
                    continue;
                };
                let hooks: Vec<_> = st
                    .webhooks
                    .iter()
                    .filter(|w| {
                        w.account_id == ev.account_id && w.enabled && w.webhook_type == system_name
                    })
                    .cloned()
                    .collect();
                for w in hooks {
                    let body = WebhookBody {
                        id: crate::store::new_id(),
                        event: ev.event.to_string(),
                        resource_id: ev.resource_id.clone(),
                        account_id: acct.id.clone(),
                        account_name: acct.account_name.clone(),
                        resource_type: ev.resource_type.to_string(),
                        resource_url: format!(
                            "{}/{}/{}",
                            st.base_url,
                            resource_path(ev.resource_type),
                            ev.resource_id
                        ),
                    };
                    let body = serde_json::to_string(&body).unwrap_or_default();
                    let signature = sign(&acct.webhook_signature, body.as_bytes());
                    let delivery_id = crate::store::new_id();
                    st.deliveries.push(DeliveryRecord {
                        delivery_id: delivery_id.clone(),
                        webhook_id: w.id.clone(),
                        account_id: acct.id.clone(),
                        url: w.url.clone(),
                        webhook_type: system_name.clone(),
                        body: body.clone(),
                        signature: signature.clone(),
                        attempts: 0,
                        last_status: None,
                        last_error: None,
                        state: "pending".into(),
                    });
                    jobs.push(Job {
                        delivery_id,
                        url: w.url.clone(),
                        body,
                        signature,
                    });
                    if st.deliveries.len() > MAX_LOG {
                        st.deliveries.drain(..MAX_LOG / 10);
                    }
                }
            }
        }
        for job in jobs {
            self.enqueue(job);
        }
    }

    /// How many deliveries are queued or in flight (their retries included), all accounts.
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::SeqCst)
    }

    fn enqueue(&self, job: Job) {
        self.queued.fetch_add(1, Ordering::SeqCst);
        self.send_to_worker(job);
    }

    fn send_to_worker(&self, job: Job) {
        let mut workers = lock(&self.workers);
        if let Some(tx) = workers.get(&job.url) {
            match tx.send(job) {
                Ok(()) => return,
                Err(mpsc::error::SendError(j)) => {
                    workers.remove(&j.url);
                    drop(workers);
                    return self.send_to_worker(j);
                }
            }
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let url = job.url.clone();
        let _ = tx.send(job);
        workers.insert(url, tx);
        let this = self.clone();
        tokio::spawn(async move { this.worker(rx).await });
    }

    /// Starts the URL's deliveries in queue order, at most `concurrency` in flight.
    async fn worker(self, mut rx: mpsc::UnboundedReceiver<Job>) {
        let slots = Arc::new(Semaphore::new(self.concurrency));
        while let Some(job) = rx.recv().await {
            let Ok(slot) = slots.clone().acquire_owned().await else {
                return;
            };
            let this = self.clone();
            tokio::spawn(async move {
                this.deliver(job).await;
                this.queued.fetch_sub(1, Ordering::SeqCst);
                drop(slot);
            });
        }
    }

    async fn deliver(&self, job: Job) {
        for attempt in 1..=self.max_attempts {
            let res = self
                .client
                .post(&job.url)
                .header("content-type", "application/json")
                .header("user-agent", "yardstik-sandbox-webhooks")
                .header("x-yardstik-webhook-signature", &job.signature)
                .body(job.body.clone())
                .send()
                .await;
            let (ok, status, err) = match res {
                Ok(r) => (r.status().is_success(), Some(r.status().as_u16()), None),
                Err(e) => (false, None, Some(e.to_string())),
            };
            {
                let mut st = lock(&self.store);
                if let Some(d) = st
                    .deliveries
                    .iter_mut()
                    .find(|d| d.delivery_id == job.delivery_id)
                {
                    d.attempts = attempt;
                    d.last_status = status;
                    d.last_error = err.clone();
                    d.state = if ok {
                        "delivered".into()
                    } else if attempt == self.max_attempts {
                        "failed".into()
                    } else {
                        "pending".into()
                    };
                }
            }
            if ok {
                return;
            }
            tracing::debug!(url = %job.url, attempt, ?status, ?err, "webhook delivery failed");
            if attempt < self.max_attempts {
                let factor = 1u32 << (attempt - 1).min(16);
                tokio::time::sleep(self.retry_base.saturating_mul(factor)).await;
            }
        }
    }
}

/// Lock a mutex, recovering from poisoning (a panicked holder never wedges the sandbox).
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
