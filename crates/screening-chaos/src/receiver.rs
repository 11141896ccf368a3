//! The ATS side that receives result webhooks: an in-process axum server on loopback that
//! records every body with its delivery headers and arrival order, and can be told to answer
//! 503 for a while (the ATS being down). It also offers a sink that accepts Yardstik webhooks
//! (for the scenario where the runner itself forwards them to the server).

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use serde_json::Value;

/// One result webhook as the ATS saw it.
#[derive(Debug, Clone)]
pub struct Received {
    /// Arrival order (0, 1, 2, …) over all requests, accepted or not.
    pub arrival: usize,
    /// What the ATS answered.
    pub answered: u16,
    pub webhook_id: Option<String>,
    pub webhook_timestamp: Option<String>,
    /// `Screening-Sequence` when the server sends it (per-order, increasing).
    pub sequence: Option<i64>,
    pub body: Value,
}

impl Received {
    pub fn bcid(&self) -> Option<&str> {
        self.body.get("background_check_id").and_then(Value::as_str)
    }
    pub fn accepted(&self) -> bool {
        (200..300).contains(&self.answered)
    }
}

#[derive(Clone)]
pub struct Receiver {
    inner: Arc<Inner>,
    pub url: String,
    pub sink_url: String,
}

struct Inner {
    got: Mutex<Vec<Received>>,
    answer: AtomicU16,
}

impl Receiver {
    pub async fn start() -> anyhow::Result<Receiver> {
        let inner = Arc::new(Inner {
            got: Mutex::new(Vec::new()),
            answer: AtomicU16::new(200),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let app = Router::new()
            .route("/ats/results", post(receive))
            .route("/yardstik-sink", post(|| async { StatusCode::OK }))
            .with_state(inner.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        Ok(Receiver {
            inner,
            url: format!("http://{addr}/ats/results"),
            sink_url: format!("http://{addr}/yardstik-sink"),
        })
    }

    /// 200 (up) or e.g. 503 (down) from now on.
    pub fn answer_with(&self, status: u16) {
        self.inner.answer.store(status, Ordering::SeqCst);
    }

    pub fn all(&self) -> Vec<Received> {
        self.inner.got.lock().unwrap().clone()
    }
}

fn header(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

async fn receive(State(r): State<Arc<Inner>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let answered = r.answer.load(Ordering::SeqCst);
    let body: Value = serde_json::from_slice(&body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    let mut got = r.got.lock().unwrap();
    let arrival = got.len();
    got.push(Received {
        arrival,
        answered,
        webhook_id: header(&headers, "webhook-id"),
        webhook_timestamp: header(&headers, "webhook-timestamp"),
        sequence: header(&headers, "screening-sequence").and_then(|s| s.trim().parse().ok()),
        body,
    });
    StatusCode::from_u16(answered).unwrap_or(StatusCode::OK)
}
