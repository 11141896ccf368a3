//! The references of the webhook-ingest benchmark: a ladder of handlers for the same request
//! (`POST /webhooks/yardstik`, the sandbox's signed body), each level adding one piece of the
//! server's work, on the same runtime (tokio multi-thread, axum 0.8):
//!
//! - `trivial`: read the body, answer 200 `{"status":"accepted"}`;
//! - `hmac`: + parse the JSON, find the account's signing key, verify the
//!   `x-yardstik-webhook-signature` HMAC-SHA256 over the raw body (401 when wrong);
//! - `insert`: + insert the event into an `inbox` table of a SQLite database opened the way
//!   the server opens it (sqlx `Any` pool of one connection, WAL, `synchronous = NORMAL`,
//!   `busy_timeout`, `foreign_keys`), `ON CONFLICT DO NOTHING` on (tenant, event id).
//!
//! The step from each level to the next, and from `insert` to the full server, shows where
//! the server's ingest time goes (`pkg-scripts/bench`).
//!
//!   bench-reference [--bind 127.0.0.1:0] [--level trivial|hmac|insert]
//!                   [--account ID --key SIGNING_KEY] [--db PATH]
//!
//! Prints `bench-reference listening on http://ADDR` once bound; `GET /count` answers how many
//! events were accepted (and, at `insert`, how many rows the table holds); stops on
//! SIGTERM / Ctrl-C.

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Trivial,
    Hmac,
    Insert,
}

impl FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "trivial" => Ok(Level::Trivial),
            "hmac" => Ok(Level::Hmac),
            "insert" => Ok(Level::Insert),
            other => Err(format!("unknown level {other} (trivial, hmac, insert)")),
        }
    }
}

#[derive(Clone)]
pub struct Ref {
    level: Level,
    account: String,
    key: Vec<u8>,
    db: Option<AnyPool>,
    accepted: Arc<AtomicU64>,
}

#[derive(Deserialize)]
struct Event<'a> {
    id: &'a str,
    event: &'a str,
    resource_id: &'a str,
    account_id: &'a str,
    resource_type: &'a str,
}

const ACCEPTED: &str = r#"{"status":"accepted"}"#;

fn answer(status: StatusCode, body: &'static str) -> Response {
    (status, [("content-type", "application/json")], body).into_response()
}

async fn ingest(State(r): State<Ref>, headers: HeaderMap, body: Bytes) -> Response {
    if r.level == Level::Trivial {
        let _ = body.len();
        r.accepted.fetch_add(1, Ordering::Relaxed);
        return answer(StatusCode::OK, ACCEPTED);
    }
    let Ok(ev) = serde_json::from_slice::<Event>(&body) else {
        return answer(StatusCode::BAD_REQUEST, r#"{"error":"malformed"}"#);
    };
    if ev.account_id != r.account {
        return answer(StatusCode::UNAUTHORIZED, r#"{"error":"unknown account"}"#);
    }
    let sig = headers
        .get("x-yardstik-webhook-signature")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| hex::decode(v.trim()).ok())
        .unwrap_or_default();
    let mut mac = Hmac::<Sha256>::new_from_slice(&r.key).expect("any key length");
    mac.update(&body);
    if mac.verify_slice(&sig).is_err() {
        return answer(StatusCode::UNAUTHORIZED, r#"{"error":"bad signature"}"#);
    }
    if let Some(db) = &r.db {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        let res = sqlx::query(
            "INSERT INTO inbox (tenant_id, event_id, resource_type, resource_id, event, state, attempts, next_attempt_at, lease_until, received_at)
             VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, 0, $6) ON CONFLICT DO NOTHING",
        )
        .bind(ev.account_id)
        .bind(ev.id)
        .bind(ev.resource_type)
        .bind(ev.resource_id)
        .bind(ev.event)
        .bind(now)
        .execute(db)
        .await;
        if res.is_err() {
            return answer(StatusCode::SERVICE_UNAVAILABLE, r#"{"error":"database"}"#);
        }
    }
    r.accepted.fetch_add(1, Ordering::Relaxed);
    answer(StatusCode::OK, ACCEPTED)
}

async fn count(State(r): State<Ref>) -> Response {
    let rows: i64 = match &r.db {
        Some(db) => sqlx::query_scalar("SELECT COUNT(*) FROM inbox")
            .fetch_one(db)
            .await
            .unwrap_or(-1),
        None => -1,
    };
    (
        [("content-type", "application/json")],
        format!(
            r#"{{"accepted":{},"rows":{rows}}}"#,
            r.accepted.load(Ordering::Relaxed)
        ),
    )
        .into_response()
}

pub fn app(r: Ref) -> Router {
    Router::new()
        .route("/webhooks/yardstik", post(ingest))
        .route("/count", get(count))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(r)
}

/// The server's way of opening SQLite, and its inbox table (the columns the insert uses).
pub async fn open_db(path: &str) -> Result<AnyPool, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let opts = AnyConnectOptions::from_str(&format!("sqlite://{path}?mode=rwc"))?
        .disable_statement_logging();
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute("PRAGMA busy_timeout = 10000").await?;
                conn.execute("PRAGMA foreign_keys = ON").await?;
                conn.execute("PRAGMA synchronous = NORMAL").await?;
                Ok(())
            })
        })
        .connect_with(opts)
        .await?;
    pool.execute("PRAGMA journal_mode = WAL").await?;
    pool.execute(
        "CREATE TABLE IF NOT EXISTS inbox (
            tenant_id TEXT NOT NULL, event_id TEXT NOT NULL, resource_type TEXT NOT NULL,
            resource_id TEXT NOT NULL, event TEXT NOT NULL, state TEXT NOT NULL,
            attempts BIGINT NOT NULL DEFAULT 0, next_attempt_at BIGINT NOT NULL,
            lease_until BIGINT NOT NULL DEFAULT 0, last_error TEXT, received_at BIGINT NOT NULL,
            lease_owner TEXT, priority BIGINT NOT NULL DEFAULT 1,
            PRIMARY KEY (tenant_id, event_id))",
    )
    .await?;
    // The server's indexes on the inbox (its migrations): claim order, and per resource.
    pool.execute(
        "CREATE INDEX IF NOT EXISTS inbox_claim ON inbox (priority, received_at) WHERE state = 'pending'",
    )
    .await?;
    pool.execute(
        "CREATE INDEX IF NOT EXISTS inbox_resource_lease ON inbox (tenant_id, resource_type, resource_id, lease_until) WHERE state = 'pending'",
    )
    .await?;
    Ok(pool)
}

fn usage(msg: &str) -> ! {
    eprintln!("bench-reference: {msg}\nusage: bench-reference [--bind ADDR] [--level trivial|hmac|insert] [--account ID --key KEY] [--db PATH]");
    std::process::exit(2);
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut bind = "127.0.0.1:0".to_string();
    let (mut level, mut account, mut key, mut db) =
        (Level::Trivial, String::new(), String::new(), None);
    while let Some(a) = args.next() {
        let mut val = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{a} needs a value")))
        };
        match a.as_str() {
            "--bind" => bind = val(),
            "--level" => level = val().parse().unwrap_or_else(|e: String| usage(&e)),
            "--account" => account = val(),
            "--key" => key = val(),
            "--db" => db = Some(val()),
            other => usage(&format!("unknown argument {other}")),
        }
    }
    if level != Level::Trivial && (account.is_empty() || key.is_empty()) {
        usage("--level hmac/insert need --account and --key");
    }
    let db = match (level, db) {
        (Level::Insert, Some(p)) => Some(open_db(&p).await.map_err(std::io::Error::other)?),
        (Level::Insert, None) => usage("--level insert needs --db PATH"),
        _ => None,
    };
    let r = Ref {
        level,
        account,
        key: key.into_bytes(),
        db,
        accepted: Arc::default(),
    };
    let listener = tokio::net::TcpListener::bind(&bind).await?;
    println!(
        "bench-reference listening on http://{}",
        listener.local_addr()?
    );
    axum::serve(listener, app(r))
        .with_graceful_shutdown(async {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("SIGTERM handler");
            tokio::select! { _ = tokio::signal::ctrl_c() => {}, _ = term.recv() => {} }
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn serve(r: Ref) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app(r)).await.unwrap() });
        addr
    }

    async fn post(addr: std::net::SocketAddr, sig: &str, body: &str) -> String {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let req = format!(
            "POST /webhooks/yardstik HTTP/1.1\r\nhost: x\r\nx-yardstik-webhook-signature: {sig}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        s.write_all(req.as_bytes()).await.unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }

    fn reference(level: Level, db: Option<AnyPool>) -> Ref {
        Ref {
            level,
            account: "acct".into(),
            key: b"k".to_vec(),
            db,
            accepted: Arc::default(),
        }
    }

    const BODY: &str = r#"{"id":"e1","event":"updated","resource_id":"r1","account_id":"acct","account_name":"A","resource_type":"report","resource_url":"u"}"#;

    fn sign(body: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(b"k").unwrap();
        mac.update(body.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    #[tokio::test]
    async fn trivial_answers_200() {
        let addr = serve(reference(Level::Trivial, None)).await;
        let out = post(addr, "x", "{}").await;
        assert!(out.starts_with("HTTP/1.1 200"), "{out}");
        assert!(out.ends_with(ACCEPTED), "{out}");
    }

    #[tokio::test]
    async fn hmac_refuses_a_wrong_signature_and_accepts_the_right_one() {
        let addr = serve(reference(Level::Hmac, None)).await;
        assert!(post(addr, "00", BODY).await.starts_with("HTTP/1.1 401"));
        assert!(post(addr, &sign(BODY), BODY)
            .await
            .starts_with("HTTP/1.1 200"));
    }

    #[tokio::test]
    async fn insert_persists_each_event_once() {
        let dir = std::env::temp_dir().join(format!("bench-ref-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ref.db");
        let _ = std::fs::remove_file(&path);
        let db = open_db(path.to_str().unwrap()).await.unwrap();
        let addr = serve(reference(Level::Insert, Some(db.clone()))).await;
        for _ in 0..2 {
            assert!(post(addr, &sign(BODY), BODY)
                .await
                .starts_with("HTTP/1.1 200"));
        }
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inbox")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(n, 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
