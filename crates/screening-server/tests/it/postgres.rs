//! The same flows on PostgreSQL, including two server instances sharing one database.
//! Needs `SCREENING_TEST_POSTGRES_URL` (e.g. `postgres://postgres@127.0.0.1:5432/postgres`);
//! each test creates and uses a fresh database. Without it the test is skipped, unless
//! `SCREENING_TEST_REQUIRE_POSTGRES=1` (set by `pkg-scripts/test`, which always starts a
//! cluster): then a missing database is a failure, not a silent pass.

use std::time::Duration;

use serde_json::json;
use sqlx::Executor;

use crate::support::*;

async fn fresh_database() -> Option<String> {
    let Ok(base) = std::env::var("SCREENING_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("SCREENING_TEST_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "SCREENING_TEST_REQUIRE_POSTGRES=1 but SCREENING_TEST_POSTGRES_URL is not set"
        );
        return None;
    };
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&base)
        .await
        .expect("connect to SCREENING_TEST_POSTGRES_URL");
    let name = format!("screening_test_{}", uuid::Uuid::new_v4().simple());
    pool.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    pool.close().await;
    let (prefix, _) = base.rsplit_once('/').unwrap();
    Some(format!("{prefix}/{name}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_end_to_end_concurrency_and_two_instances() {
    let Some(url) = fresh_database().await else {
        eprintln!("SCREENING_TEST_POSTGRES_URL not set: PostgreSQL test skipped");
        return;
    };
    let opts = |delivery_workers| Opts {
        database_url: Some(url.clone()),
        delivery_workers,
        ..Opts::default()
    };
    // The first instance delivers one webhook at a time, so the second must take a share.
    let env = std::sync::Arc::new(Env::start(opts(1)).await);

    // 20 concurrent submissions: one candidate, one invitation.
    let order = simple_order("pg-1", &env.receiver.url(), "pg@example.com", "Doe");
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (env, order) = (env.clone(), order.clone());
        set.spawn(async move { env.order(&order).await });
    }
    while let Some(r) = set.join_next().await {
        assert_eq!(r.unwrap().0, 201);
    }
    assert_eq!(list(&env.yardstik_get("/candidates").await).len(), 1);
    assert_eq!(list(&env.yardstik_get("/invitations").await).len(), 1);

    // A second instance on the same database: both deliver, each webhook exactly once.
    let second =
        screening_server::start(config(&env.data_dir(), &env.master, &env.sandbox, &opts(4)))
            .await
            .unwrap();
    *env.receiver.delay_ms.lock().unwrap() = 200;
    const N: usize = 8;
    for i in 0..N {
        let bcid = format!("pg-multi-{i}");
        let (s, v) = env
            .order(&simple_order(
                &bcid,
                &env.receiver.url(),
                &format!("{bcid}@example.com"),
                "Doe",
            ))
            .await;
        assert_eq!(s, 201, "{v}");
        let report = v["items"][0]["report_id"].as_str().unwrap();
        env.yardstik_post(
            &format!("/sandbox/reports/{report}/status"),
            json!({"status": "clear", "force": true}),
        )
        .await;
    }
    let tenant = env
        .db()
        .tenant_by_ats_account(ATS_USER)
        .await
        .unwrap()
        .unwrap();
    let mut delivered = 0;
    for _ in 0..1200 {
        delivered = 0;
        for i in 0..N {
            let rows = env
                .db()
                .deliveries_for_order(&tenant.id, &format!("pg-multi-{i}"))
                .await
                .unwrap();
            delivered += rows
                .iter()
                .filter(|r| r.state == screening_store::outbox::OutboxState::Delivered)
                .count();
        }
        if delivered >= N {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(
        delivered, N,
        "every order's result recorded as delivered once"
    );
    let got_after: Vec<_> = env
        .receiver
        .bodies()
        .into_iter()
        .filter(|w| {
            w["background_check_id"]
                .as_str()
                .unwrap()
                .starts_with("pg-multi-")
        })
        .collect();
    assert_eq!(got_after.len(), N, "no duplicate deliveries: {got_after:?}");
    let by = |h: &screening_server::AppHandle| {
        h.ctx
            .metrics
            .deliveries
            .get(screening_metrics::DeliveryOutcome::Delivered)
    };
    let (first_n, second_n) = (by(env.server()), by(&second));
    assert!(
        first_n >= 1 && second_n >= 1,
        "both instances delivered: first {first_n}, second {second_n}"
    );
    let mut ids: Vec<&str> = got_after
        .iter()
        .map(|w| w["background_check_id"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        ids.len(),
        got_after.len(),
        "each order delivered once: {got_after:?}"
    );
    second.shutdown().await;
}

/// The master key is held against the database's check value on PostgreSQL too: a second
/// instance started with another key stops before it writes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_refuses_another_master_key() {
    let Some(url) = fresh_database().await else {
        eprintln!("SCREENING_TEST_POSTGRES_URL not set: PostgreSQL test skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let store = |key: &screening_model::crypto::MasterKey| screening_store::StoreConfig {
        data_dir: dir.path().to_path_buf(),
        database_url: url.clone(),
        master_key: key.clone(),
    };
    let key = screening_model::crypto::MasterKey::generate();
    let db = screening_store::Db::connect(&store(&key)).await.unwrap();
    db.pool.close().await;
    let other = screening_model::crypto::MasterKey::generate();
    let e = match screening_store::Db::connect(&store(&other)).await {
        Ok(_) => panic!("another key opened the database"),
        Err(e) => e,
    };
    assert!(
        matches!(
            e.downcast_ref::<screening_store::KeyCheckError>(),
            Some(screening_store::KeyCheckError::Mismatch { .. })
        ),
        "{e:#}"
    );
    let db = screening_store::Db::connect(&store(&key)).await.unwrap();
    let v: String = sqlx::query_scalar("SELECT check_value FROM key_check WHERE id = 1")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(v, key.check_value());
}

/// A TCP relay to PostgreSQL that can be stopped: its listener closes and every relayed
/// connection is dropped, which is what the server sees when PostgreSQL stops.
struct Relay {
    addr: std::net::SocketAddr,
    stop: tokio_util::sync::CancellationToken,
}

impl Relay {
    async fn start(target: std::net::SocketAddr) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = tokio_util::sync::CancellationToken::new();
        let token = stop.clone();
        tokio::spawn(async move {
            loop {
                let (mut inbound, _) = tokio::select! {
                    _ = token.cancelled() => return,
                    a = listener.accept() => match a { Ok(a) => a, Err(_) => return },
                };
                let token = token.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = token.cancelled() => {}
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                    }
                });
            }
        });
        Relay { addr, stop }
    }
}

/// With PostgreSQL stopped, `/readyz` answers 503 within two seconds (the request
/// timeout is 10 s here: waiting for the pool would answer 408).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_readyz_answers_503() {
    let Some(url) = fresh_database().await else {
        eprintln!("SCREENING_TEST_POSTGRES_URL not set: PostgreSQL test skipped");
        return;
    };
    let (prefix, rest) = url.split_once('@').unwrap();
    let (host_port, db) = rest.split_once('/').unwrap();
    let target: std::net::SocketAddr = host_port.parse().unwrap();
    let relay = Relay::start(target).await;
    let relayed = format!("{prefix}@{}/{db}", relay.addr);
    let env = Env::start(Opts {
        database_url: Some(relayed),
        tweak: |c| c.request_timeout = Duration::from_secs(10),
        ..Opts::default()
    })
    .await;
    let get = || env.http.get(env.url("/readyz")).send();
    assert_eq!(get().await.unwrap().status(), 200);
    relay.stop.cancel();
    let started = std::time::Instant::now();
    let r = get().await.unwrap();
    let took = started.elapsed();
    assert_eq!(r.status(), 503, "after {took:?}");
    eprintln!("/readyz with PostgreSQL stopped: 503 after {took:?}");
}
