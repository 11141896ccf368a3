//! The same flows on PostgreSQL, including two server instances sharing one database.
//! Runs only when `SCREENING_TEST_POSTGRES_URL` (e.g. `postgres://postgres@127.0.0.1:5432/postgres`)
//! is set; each test creates and uses a fresh database.

use std::time::Duration;

use serde_json::json;
use sqlx::Executor;

use crate::support::*;

async fn fresh_database() -> Option<String> {
    let base = std::env::var("SCREENING_TEST_POSTGRES_URL").ok()?;
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
    let opts = || Opts {
        database_url: Some(url.clone()),
        ..Opts::default()
    };
    let env = std::sync::Arc::new(Env::start(opts()).await);

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
        screening_server::start(config(&env.data_dir(), &env.master, &env.sandbox, &opts()))
            .await
            .unwrap();
    for i in 0..6 {
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
    let got = env
        .receiver
        .wait_for("six complete webhooks", |b| {
            b.iter().filter(|w| w["status"] == "complete").count() >= 6
        })
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got_after = env.receiver.bodies();
    assert_eq!(got_after.len(), got.len(), "no duplicate deliveries");
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
