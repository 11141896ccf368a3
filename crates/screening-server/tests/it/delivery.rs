//! Outbox delivery: retries, dead letters, redelivery, SSRF at delivery time, restarts.

use screening_model::StoredEnum;
use screening_store::outbox::OutboxState;
use serde_json::json;

use crate::support::*;

/// Place an order and make its report clear at Yardstik.
async fn complete(env: &Env, bcid: &str) {
    let (s, v) = env
        .order(&simple_order(
            bcid,
            &env.receiver.url(),
            &format!("{bcid}@example.com"),
            "Doe",
        ))
        .await;
    assert_eq!(s, 201, "{v}");
    let report = v["items"][0]["report_id"].as_str().unwrap().to_string();
    let (s, v) = env
        .yardstik_post(
            &format!("/sandbox/reports/{report}/status"),
            json!({"status": "clear", "force": true}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
}

async fn tenant_id(env: &Env) -> String {
    env.db()
        .tenant_by_ats_account(ATS_USER)
        .await
        .unwrap()
        .unwrap()
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retried_after_receiver_failures_then_delivered() {
    let env = Env::start(Opts::default()).await;
    env.receiver.plan.lock().unwrap().extend([500, 503, 302]);
    complete(&env, "retry-1").await;
    for _ in 0..1200 {
        if env.receiver.attempts() >= 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let bodies = env.receiver.bodies();
    assert_eq!(
        bodies.len(),
        4,
        "three failures (500, 503, a redirect) then success: {bodies:?}"
    );
    assert!(bodies
        .iter()
        .all(|b| b == &bodies[0] && b["status"] == "complete"));
    let headers = env.receiver.got.lock().unwrap()[0].0.clone();
    assert!(headers.contains_key("webhook-id"));
    let tid = tenant_id(&env).await;
    let mut rows = Vec::new();
    for _ in 0..1200 {
        rows = env
            .db()
            .deliveries_for_order(&tid, "retry-1")
            .await
            .unwrap();
        if rows
            .first()
            .is_some_and(|r| r.state == OutboxState::Delivered)
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].state.as_str(), rows[0].attempts), ("delivered", 4));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_lettered_when_it_keeps_failing_and_redelivered_by_cli() {
    let env = Env::start(Opts::default()).await;
    *env.receiver.default.lock().unwrap() = 500;
    complete(&env, "dead-1").await;
    let tid = tenant_id(&env).await;
    let mut dead = Vec::new();
    for _ in 0..1200 {
        dead = env
            .db()
            .deliveries_in_state(OutboxState::Dead)
            .await
            .unwrap();
        if !dead.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(dead.len(), 1, "dead-lettered");
    assert_eq!(
        dead[0].attempts, 4,
        "first attempt + the 3 scheduled retries"
    );
    assert_eq!(dead[0].last_status, Some(500));
    assert_eq!(env.receiver.attempts(), 4);

    // The CLI lists it and queues it again; the receiver has recovered.
    let store = store(&env.data_dir(), &env.master);
    let mut out = Vec::new();
    screening_server::cli::deliveries(
        &store,
        screening_server::config::DeliveriesCmd::Dead,
        &mut out,
    )
    .await
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains(&dead[0].id) && text.contains("dead-1") && text.contains("last_status=500"),
        "{text}"
    );
    *env.receiver.default.lock().unwrap() = 200;
    let mut out = Vec::new();
    let cmd = screening_server::config::DeliveriesCmd::Redeliver {
        ids: vec![dead[0].id.clone()],
        all: false,
    };
    screening_server::cli::deliveries(&store, cmd, &mut out)
        .await
        .unwrap();
    assert!(String::from_utf8(out)
        .unwrap()
        .contains("1 deliveries queued again"));
    for _ in 0..1200 {
        let rows = env.db().deliveries_for_order(&tid, "dead-1").await.unwrap();
        if rows[0].state == OutboxState::Delivered {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("redelivery did not happen");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn target_refused_at_delivery_time_when_no_longer_allowed() {
    let env = Env::start(Opts::default()).await;
    let (s, v) = env
        .order(&simple_order(
            "late-ssrf",
            &env.receiver.url(),
            "late@example.com",
            "Doe",
        ))
        .await;
    assert_eq!(s, 201, "{v}");
    // The tenant stops allowing loopback targets (e.g. the host now resolves privately).
    let mut spec = tenant_spec();
    spec.settings.allow_loopback = false;
    env.db()
        .upsert_tenant(&spec, ATS_SECRET, true)
        .await
        .unwrap();
    let report = v["items"][0]["report_id"].as_str().unwrap();
    env.yardstik_post(
        &format!("/sandbox/reports/{report}/status"),
        json!({"status": "clear", "force": true}),
    )
    .await;
    for _ in 0..1200 {
        let dead = env
            .db()
            .deliveries_in_state(OutboxState::Dead)
            .await
            .unwrap();
        if let Some(d) = dead.first() {
            assert!(
                d.last_error
                    .as_deref()
                    .unwrap()
                    .contains("private, loopback"),
                "{:?}",
                d.last_error
            );
            assert_eq!(env.receiver.attempts(), 0, "nothing was sent");
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("delivery was not refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_between_commit_and_delivery_loses_nothing() {
    // First instance: delivery worker off, so the outbox row is committed but never sent.
    let mut env = Env::start(Opts {
        delivery_workers: 0,
        ..Opts::default()
    })
    .await;
    complete(&env, "restart-1").await;
    let tid = tenant_id(&env).await;
    for _ in 0..1200 {
        if !env
            .db()
            .deliveries_for_order(&tid, "restart-1")
            .await
            .unwrap()
            .is_empty()
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let rows = env
        .db()
        .deliveries_for_order(&tid, "restart-1")
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "outbox row committed");
    assert_eq!(rows[0].state, OutboxState::Pending);
    assert_eq!(env.receiver.attempts(), 0);
    // Stop it; a new instance on the same database delivers.
    env.restart(&Opts::default()).await;
    let got = env
        .receiver
        .wait_for("delivery after restart", |b| !b.is_empty())
        .await;
    assert_eq!(got[0]["background_check_id"], "restart-1");
    assert_eq!(got[0]["status"], "complete");
    assert_eq!(got[0]["result"], "Pass");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_429_is_retried() {
    let env = Env::start(Opts::default()).await;
    env.receiver.plan.lock().unwrap().extend([429]);
    complete(&env, "ra-1").await;
    env.receiver
        .wait_for("second attempt", |b| b.len() >= 2)
        .await;
    let rows = env
        .db()
        .deliveries_for_order(&tenant_id(&env).await, "ra-1")
        .await
        .unwrap();
    for _ in 0..1200 {
        let rows = env
            .db()
            .deliveries_for_order(&tenant_id(&env).await, "ra-1")
            .await
            .unwrap();
        if rows[0].state == OutboxState::Delivered {
            assert_eq!(rows[0].attempts, 2);
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("not delivered: {:?}", rows[0].state);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_finishes_in_flight_deliveries() {
    let mut env = Env::start(Opts::default()).await;
    *env.receiver.delay_ms.lock().unwrap() = 700;
    complete(&env, "inflight-1").await;
    let tid = tenant_id(&env).await;
    // Wait until the attempt is in flight (claimed, not yet answered), then shut down.
    let mut claimed = false;
    for _ in 0..1200 {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE lease_owner IS NOT NULL")
                .fetch_one(&env.db().pool)
                .await
                .unwrap();
        if n == 1 {
            claimed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(claimed, "delivery never started");
    let store = store(&env.data_dir(), &env.master);
    env.server.take().unwrap().shutdown().await;
    assert_eq!(
        env.receiver.attempts(),
        1,
        "the in-flight POST completed before shutdown returned"
    );
    let db = screening_store::Db::connect(&store).await.unwrap();
    let rows = db.deliveries_for_order(&tid, "inflight-1").await.unwrap();
    assert_eq!(
        rows[0].state,
        OutboxState::Delivered,
        "its outcome was recorded"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_sets_the_next_attempt_within_the_cap() {
    // Test config: schedule 50ms/100ms/150ms (±20%), Retry-After capped at 200ms.
    let env = Env::start(Opts::default()).await;
    *env.receiver.default.lock().unwrap() = 503;
    *env.receiver.retry_after.lock().unwrap() = Some("3600".into());
    complete(&env, "ra-cap").await;
    let tid = tenant_id(&env).await;
    for _ in 0..1200 {
        let row: Option<(i64, i64, String)> = sqlx::query_as(
            "SELECT next_attempt_at, updated_at, state FROM outbox WHERE tenant_id = $1 AND background_check_id = 'ra-cap' AND last_status = 503",
        )
        .bind(&tid)
        .fetch_optional(&env.db().pool)
        .await
        .unwrap();
        if let Some((next, updated, state)) = row {
            if state == "pending" {
                let gap = next - updated;
                assert!(
                    gap >= 150,
                    "Retry-After (capped to 200ms) outweighs the 50ms step: {gap}ms"
                );
                assert!(gap <= 210, "Retry-After of an hour is capped: {gap}ms");
                return;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("no retried attempt observed");
}
