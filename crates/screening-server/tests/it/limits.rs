//! Connection limits and spending limits against a running server: a slow request head and
//! an idle socket are closed, a client past its connection cap is refused while another
//! address is served, a session past its spending limit gets 429 with `Retry-After` and
//! its retry (same Idempotency-Key) places the order once, an over-long webhook account
//! id is refused without a lookup. Bounded loops; no timed assertions.

use std::net::SocketAddr;
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::support::*;

/// A connection from `source` (a loopback address) to the server.
async fn connect_from(source: &str, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
    socket.connect(to).await.unwrap()
}

/// Wait (bounded) until the server closes `s`: `true` if it did.
async fn closed_by_server(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 1024];
    for _ in 0..200 {
        match tokio::time::timeout(Duration::from_millis(100), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue, // an answer (408 or similar) before the close
            Err(_) => continue,
        }
    }
    false
}

fn short_timeouts(c: &mut screening_server::Config) {
    c.connections.header_read_timeout = Duration::from_millis(500);
    c.connections.idle_timeout = Duration::from_millis(400);
    c.connections.max_per_client = 8;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_heads_and_idle_sockets_are_closed_and_a_capped_client_does_not_shut_out_others() {
    let env = Env::start(Opts {
        tweak: short_timeouts,
        ..Opts::default()
    })
    .await;
    let addr = env.server().addr;

    // A request head sent a byte at a time, never finished: closed by the header timeout
    // even though bytes keep moving (the idle timeout alone would not fire).
    let mut slow = connect_from("127.0.0.2", addr).await;
    let head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    let mut closed = false;
    for b in head.iter().cycle().take(400) {
        if slow.write_all(&[*b]).await.is_err() {
            closed = true;
            break;
        }
        if closed_by_server_now(&mut slow).await {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(closed, "a head that never ends is cut off");

    // A socket that sends nothing, and one idle after its answer: both closed.
    let mut silent = connect_from("127.0.0.2", addr).await;
    assert!(closed_by_server(&mut silent).await, "a silent socket");
    let mut kept = connect_from("127.0.0.2", addr).await;
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    assert!(
        closed_by_server(&mut kept).await,
        "an idle keep-alive socket"
    );

    // One address holds its cap of connections; the next one is closed at once, and a
    // request from another address is answered.
    let mut held = Vec::new();
    for _ in 0..8 {
        let mut s = connect_from("127.0.0.3", addr).await;
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 512];
        let n = s.read(&mut buf).await.unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
        held.push(s);
    }
    let mut over = connect_from("127.0.0.3", addr).await;
    let _ = over
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let mut buf = [0u8; 512];
    let answered = matches!(
        tokio::time::timeout(Duration::from_secs(5), over.read(&mut buf)).await,
        Ok(Ok(n)) if n > 0
    );
    assert!(!answered, "the ninth connection of one address is refused");
    let res = env.http.get(env.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200, "another address is served");
    let metrics = env
        .http
        .get(env.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("screening_http_connections_refused_total{reason=\"per_client_cap\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("screening_http_connections_open "),
        "{metrics}"
    );
    drop(held);
}

/// Has the server closed `s`, or answered on it, already (a short look)?
async fn closed_by_server_now(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 256];
    tokio::time::timeout(Duration::from_millis(1), s.read(&mut buf))
        .await
        .is_ok()
}

fn widget_order() -> Value {
    let o = simple_order("unused", "http://unused", "spender@example.com", "Doe");
    json!({"package_id": "PKG001", "add_on_package_ids": [], "applicant": o["applicant"]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_past_its_spending_limit_gets_429_and_its_retry_places_the_order_once() {
    let clock = screening_model::Clock::manual(1_700_000_000_000);
    let env = Env::start(Opts {
        clock: clock.clone(),
        tweak: |c| {
            c.spend.session = screening_model::rate::RateLimit::new(6, 2);
        },
        ..Opts::default()
    })
    .await;
    let token = session(&env, json!({"capabilities": ["order", "review"]})).await;
    let mut statuses = Vec::new();
    let mut limited = None;
    for i in 0..4 {
        let key = format!("spend-key-{i}");
        let res = env
            .http
            .post(env.url("/widget/orders"))
            .bearer_auth(&token)
            .header("Idempotency-Key", &key)
            .json(&widget_order())
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        if status == 429 {
            let retry = res.headers()["retry-after"].to_str().unwrap().to_string();
            let body: Value = res.json().await.unwrap();
            limited.get_or_insert((key, retry, body));
        }
        statuses.push(status);
    }
    assert_eq!(
        statuses,
        [201, 201, 429, 429],
        "a burst of two, then refused"
    );
    let (key, retry, body) = limited.unwrap();
    assert_eq!(retry, "10", "six a minute: one every ten seconds");
    assert_eq!(body["code"], "rate_limited", "{body}");
    assert!(
        body["error_message"]
            .as_str()
            .unwrap()
            .contains("nothing was done"),
        "{body}"
    );
    let placed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders")
        .fetch_one(&env.db().pool)
        .await
        .unwrap();
    assert_eq!(placed, 2, "the refused orders were not placed");

    // Other routes that spend count too; the packages list does not.
    let (s, _) = call(
        &env,
        Method::POST,
        "/widget/tokens/report",
        &token,
        Some(json!({"report_id": "x"})),
    )
    .await;
    assert_eq!(s, 429);
    let (s, _) = call(&env, Method::GET, "/widget/packages", &token, None).await;
    assert_eq!(s, 200);

    // Once the wait has passed, the same request (same key) places the order.
    clock.advance(Duration::from_secs(10));
    let res = env
        .http
        .post(env.url("/widget/orders"))
        .bearer_auth(&token)
        .header("Idempotency-Key", &key)
        .json(&widget_order())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    // Another session of the tenant was never limited by this one.
    let other = session(&env, json!({"capabilities": ["order"]})).await;
    let (s, v) = call_with(
        &env,
        Method::POST,
        "/widget/orders",
        &other,
        Some(widget_order()),
        &[("Idempotency-Key", "other-session")],
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let metrics = env
        .http
        .get(env.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("screening_rate_limited_total{scope=\"session\"} 3"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenants_own_limit_replaces_the_default() {
    let env = Env::start(Opts::default()).await;
    let mut spec = tenant_spec();
    spec.settings.session_spend_limit = Some(screening_model::rate::RateLimit::new(60, 1));
    env.db()
        .upsert_tenant(&spec, ATS_SECRET, true)
        .await
        .unwrap();
    // The change is read within the tenant cache's time; under the default (bursts of 20)
    // a fresh session's second request always passes, under the tenant's (one) never.
    let mut refused = None;
    for attempt in 0..40 {
        let token = session(&env, json!({"capabilities": ["disclosures"]})).await;
        let (first, _) = call(
            &env,
            Method::POST,
            "/widget/tokens/disclosures",
            &token,
            None,
        )
        .await;
        let (second, _) = call(
            &env,
            Method::POST,
            "/widget/tokens/disclosures",
            &token,
            None,
        )
        .await;
        assert_eq!(first, 200);
        if second == 429 {
            refused = Some(attempt);
            break;
        }
        assert_eq!(second, 200);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(refused.is_some(), "the tenant's burst of one applies");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_long_ids_are_refused_before_any_lookup() {
    let env = Env::start(Opts::default()).await;
    let long = "a".repeat(20_000);
    let body = json!({"id": "e1", "event": "updated", "account_id": long, "resource_type": "Report", "resource_id": "r1"}).to_string();
    let res = env
        .http
        .post(env.url("/webhooks/yardstik"))
        .header("content-type", "application/json")
        .header("x-yardstik-webhook-signature", "00")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = env
        .http
        .get(env.url("/ats/packages"))
        .basic_auth(&long, Some("whatever"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // The real ATS still gets in.
    let (s, _) = env.ats(Method::GET, "/ats/packages", None).await;
    assert_eq!(s, 200);
}
