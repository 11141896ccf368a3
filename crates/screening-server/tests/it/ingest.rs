//! Webhook ingest by group commit: many verified events per transaction, each request
//! answered only once its row is committed; duplicates within one batch; a failed batch
//! answers every request in it with an error and stores none of it. Also the inbox's
//! claiming order (a report's progress before a backlog of creation notices).

use std::sync::Arc;
use std::time::Duration;

use screening_metrics::Metrics;
use screening_model::crypto::{hmac_hex, MasterKey};
use screening_model::tenant::Tenant;
use screening_server::orders::inbox_pace::MIN_REREAD;
use screening_server::orders::retention as inbox_retention;
use screening_store::inbox::{InboxState, NewEvent};
use screening_store::ingest::{Ingest, IngestEvent};
use screening_store::orders::ItemRow;
use screening_store::Db;
use serde_json::{json, Value};
use sqlx::Executor;
use tokio_util::sync::CancellationToken;

use crate::support::*;

fn body(event_id: &str, resource_id: &str) -> Vec<u8> {
    serde_json::to_vec(
        &json!({"id": event_id, "event": "updated", "resource_id": resource_id,
        "account_id": ACCOUNT_A, "account_name": "Demo Staffing Co", "resource_type": "candidate",
        "resource_url": "https://api.yardstik.com/candidates/x"}),
    )
    .unwrap()
}

async fn post(http: &reqwest::Client, url: &str, body: Vec<u8>) -> (u16, Value) {
    let sig = hmac_hex(SIG_A.as_bytes(), &body);
    let res = http
        .post(url)
        .header("content-type", "application/json")
        .header("x-yardstik-webhook-signature", sig)
        .body(body)
        .send()
        .await
        .unwrap();
    (
        res.status().as_u16(),
        res.json().await.unwrap_or(Value::Null),
    )
}

/// Fire `bodies` at once; the answers in order.
async fn burst(env: &Env, bodies: Vec<Vec<u8>>) -> Vec<(u16, Value)> {
    let url = env.url("/webhooks/yardstik");
    let mut set = tokio::task::JoinSet::new();
    for (i, b) in bodies.into_iter().enumerate() {
        let (http, url) = (env.http.clone(), url.clone());
        set.spawn(async move { (i, post(&http, &url, b).await) });
    }
    let mut out = vec![(0, Value::Null); set.len()];
    while let Some(r) = set.join_next().await {
        let (i, r) = r.unwrap();
        out[i] = r;
    }
    out
}

fn no_registration(opts: &mut Opts) {
    opts.tweak = |c| c.register_webhooks = false;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_webhooks_each_answered_after_their_commit() {
    let mut opts = Opts::default();
    no_registration(&mut opts);
    let env = Env::start(opts).await;
    let tenant = env
        .db()
        .tenant_by_ats_account(ATS_USER)
        .await
        .unwrap()
        .unwrap();
    let n = 300;
    // Distinct events, plus every tenth one sent twice in the same burst.
    let mut bodies: Vec<Vec<u8>> = (0..n)
        .map(|i| body(&format!("evt-{i}"), &format!("cand-{i}")))
        .collect();
    bodies.extend(
        (0..n)
            .step_by(10)
            .map(|i| body(&format!("evt-{i}"), &format!("cand-{i}"))),
    );
    let answers = burst(&env, bodies).await;
    assert!(answers.iter().all(|(s, _)| *s == 200), "{answers:?}");
    let accepted = answers
        .iter()
        .filter(|(_, v)| v["status"] == "accepted")
        .count();
    let duplicate = answers
        .iter()
        .filter(|(_, v)| v["status"] == "duplicate")
        .count();
    assert_eq!(
        (accepted, duplicate),
        (n, n / 10),
        "one of each pair stored"
    );
    // Every 200 was answered after its row was committed: all rows are there now.
    assert_eq!(env.db().count_events(&tenant.id).await.unwrap(), n as i64);
    for i in [0, 137, n - 1] {
        assert!(env
            .db()
            .event_state(&tenant.id, &format!("evt-{i}"))
            .await
            .unwrap()
            .is_some());
    }
    let (batches, events) = env.server().ctx.metrics.ingest_batch_size.batches();
    assert_eq!(
        events,
        (n + n / 10) as u64,
        "every event went through a batch"
    );
    assert!(batches >= 1 && batches <= events);
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
        metrics.contains(&format!("screening_ingest_batch_size_sum {events}")),
        "{metrics}"
    );
    assert!(metrics.contains("screening_ingest_queued 0"), "{metrics}");
}

/// A writer on its own SQLite file, and the pool's only connection held by the test, so
/// the events submitted meanwhile are waiting together for the next batch.
struct Held {
    _dir: tempfile::TempDir,
    db: Db,
    ingest: Ingest,
    metrics: Metrics,
    stop: CancellationToken,
}

async fn held_writer() -> Held {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&store(dir.path(), &MasterKey::generate()))
        .await
        .unwrap();
    let metrics = Metrics::default();
    let stop = CancellationToken::new();
    let (ingest, _tasks) = Ingest::start(db.clone(), metrics.clone(), 256, stop.clone());
    Held {
        _dir: dir,
        db,
        ingest,
        metrics,
        stop,
    }
}

fn event(id: &str) -> IngestEvent {
    IngestEvent {
        tenant_id: "t1".into(),
        event_id: id.into(),
        resource_type: "report".into(),
        resource_id: format!("r-{id}"),
        event: "updated".into(),
    }
}

/// Submit `ids` while the connection is held (waits are bounded at 10 s: generous on a
/// loaded machine); release it once all but the first (which
/// the writer took and is waiting with) are queued. Answers in order.
async fn submit_together(h: &Held, ids: &[&str]) -> Vec<Result<bool, String>> {
    let conn = h.db.pool.acquire().await.unwrap();
    // Read before the warm-up is spawned: on a multi-threaded runtime the writer may take it
    // at once.
    let before = h.metrics.ingest_batch_size.batches().0;
    let first = {
        let ingest = h.ingest.clone();
        tokio::spawn(async move { ingest.submit(event("warm-up")).await })
    };
    for _ in 0..2000 {
        if h.metrics.ingest_batch_size.batches().0 > before {
            break; // the writer took the warm-up and waits for the connection
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(h.metrics.ingest_batch_size.batches().0, before + 1);
    let mut tasks = Vec::new();
    for id in ids {
        let (ingest, id) = (h.ingest.clone(), id.to_string());
        tasks.push(tokio::spawn(async move {
            ingest.submit(event(&id)).await.map_err(|e| e.to_string())
        }));
    }
    for _ in 0..2000 {
        if h.ingest.queued() == ids.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(
        h.ingest.queued(),
        ids.len(),
        "all queued behind the held batch"
    );
    drop(conn);
    first.await.unwrap().unwrap();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

async fn stored(db: &Db, id: &str) -> bool {
    db.event_state("t1", id).await.unwrap().is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_batch_stores_many_and_a_duplicate_within_it_once() {
    let h = held_writer().await;
    let answers = submit_together(&h, &["a", "b", "c", "b", "d"]).await;
    // The two b's are queued by separate tasks in either order: one is new, one a replay.
    let mut bs = [answers[1].clone(), answers[3].clone()];
    bs.sort();
    assert_eq!(
        (
            answers[0].clone(),
            answers[2].clone(),
            answers[4].clone(),
            bs
        ),
        (Ok(true), Ok(true), Ok(true), [Ok(false), Ok(true)]),
        "one b is a replay of the other, in the same batch: {answers:?}"
    );
    let (batches, events) = h.metrics.ingest_batch_size.batches();
    assert_eq!(
        (batches, events),
        (2, 6),
        "warm-up alone, then the five together"
    );
    assert_eq!(h.db.count_events("t1").await.unwrap(), 5);
    h.stop.cancel();
}

/// Requests that are ready at the same moment share one commit. On one worker thread,
/// tokio runs a task woken by another task next: the writer, woken by the first event,
/// would close its batch on that event alone unless it lets the other ready tasks run
/// first.
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn events_handed_in_together_share_one_commit() {
    let h = held_writer().await;
    h.ingest.submit(event("warm-up")).await.unwrap();
    let before = h.metrics.ingest_batch_size.batches();
    let ingest = h.ingest.clone();
    // Spawned by a task on the worker thread: all twenty are queued there before the first
    // of them runs and wakes the writer.
    let answers = tokio::spawn(async move {
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                let ingest = ingest.clone();
                tokio::spawn(async move {
                    ingest
                        .submit(event(&format!("e{i}")))
                        .await
                        .map_err(|e| e.to_string())
                })
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    })
    .await
    .unwrap();
    assert_eq!(answers, vec![Ok(true); 20]);
    let after = h.metrics.ingest_batch_size.batches();
    assert_eq!(
        (after.0 - before.0, after.1 - before.1),
        (1, 20),
        "one batch of twenty events"
    );
    assert_eq!(h.db.count_events("t1").await.unwrap(), 21);
    h.stop.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_batch_is_answered_with_errors_and_stores_nothing() {
    let h = held_writer().await;
    // The database refuses one event: its whole batch must fail.
    h.db.pool
        .execute(
            "CREATE TRIGGER refuse_poison BEFORE INSERT ON inbox WHEN NEW.event_id = 'poison'
             BEGIN SELECT RAISE(ABORT, 'refused'); END",
        )
        .await
        .unwrap();
    let answers = submit_together(&h, &["p1", "p2", "poison", "p3"]).await;
    assert!(answers.iter().all(|a| a.is_err()), "{answers:?}");
    for id in ["p1", "p2", "poison", "p3"] {
        assert!(!stored(&h.db, id).await, "{id} not half-persisted");
    }
    // The writer carries on with the next batch.
    assert_eq!(h.ingest.submit(event("p1")).await.unwrap(), true);
    assert!(stored(&h.db, "p1").await);
    h.stop.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_answers_5xx_exactly_for_events_not_stored() {
    let mut opts = Opts::default();
    no_registration(&mut opts);
    let env = Arc::new(Env::start(opts).await);
    let tenant = env
        .db()
        .tenant_by_ats_account(ATS_USER)
        .await
        .unwrap()
        .unwrap();
    env.db()
        .pool
        .execute(
            "CREATE TRIGGER refuse_poison BEFORE INSERT ON inbox WHEN NEW.event_id = 'poison'
             BEGIN SELECT RAISE(ABORT, 'refused'); END",
        )
        .await
        .unwrap();
    let mut bodies: Vec<Vec<u8>> = (0..60)
        .map(|i| body(&format!("h-{i}"), &format!("cand-{i}")))
        .collect();
    bodies.insert(30, body("poison", "cand-p"));
    let ids: Vec<String> = (0..60)
        .map(|i| format!("h-{i}"))
        .collect::<Vec<_>>()
        .into_iter()
        .take(30)
        .chain(std::iter::once("poison".to_string()))
        .chain((30..60).map(|i| format!("h-{i}")))
        .collect();
    let answers = burst(&env, bodies).await;
    let mut failed = 0;
    for (id, (status, v)) in ids.iter().zip(&answers) {
        let is_stored = env
            .db()
            .event_state(&tenant.id, id)
            .await
            .unwrap()
            .is_some();
        match status {
            200 => assert!(is_stored, "{id}: 200 means persisted"),
            s if *s >= 500 => {
                failed += 1;
                assert!(!is_stored, "{id}: a 5xx stored nothing");
                assert!(v["error_message"].is_string(), "{v}");
            }
            s => panic!("{id}: unexpected {s} {v}"),
        }
    }
    assert!(failed >= 1, "the refused event is answered 5xx");
    assert!(!env
        .db()
        .event_state(&tenant.id, "poison")
        .await
        .unwrap()
        .is_some());
}

/// One fetch settles its own events and those stored before it started, not one stored
/// in the millisecond it started (that event may announce a change the fetch missed).
async fn settling_after_a_fetch(db: &Db, tenant: &str) {
    let e = |id: &'static str| NewEvent {
        tenant_id: tenant,
        event_id: id,
        resource_type: "report",
        resource_id: "r-settle",
        event: "updated",
    };
    db.insert_events(&[e("claimed")]).await.unwrap();
    let far = screening_store::now_ms() + 60_000;
    let claimed = db.claim_events("w", far, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    db.insert_events(&[e("before"), e("same-ms")])
        .await
        .unwrap();
    // The fetch started at `fetched`: the claimed event and "same-ms" were stored in that
    // millisecond, "before" one earlier.
    let fetched = screening_store::now_ms() + 1_000;
    for (id, at) in [
        ("claimed", fetched),
        ("before", fetched - 1),
        ("same-ms", fetched),
    ] {
        sqlx::query("UPDATE inbox SET received_at = $1 WHERE tenant_id = $2 AND event_id = $3")
            .bind(at)
            .bind(tenant)
            .bind(id)
            .execute(&db.pool)
            .await
            .unwrap();
    }
    let settled = db
        .settle_resource_events(tenant, "report", "r-settle", fetched, "w")
        .await
        .unwrap();
    assert_eq!(settled, 2);
    for (id, state) in [
        ("claimed", InboxState::Done),
        ("before", InboxState::Done),
        ("same-ms", InboxState::Pending),
    ] {
        assert_eq!(
            db.event_state(tenant, id).await.unwrap(),
            Some(state),
            "{id}"
        );
    }
}

#[tokio::test]
async fn a_fetch_settles_what_came_before_it_and_leaves_what_came_with_it() {
    let dir = tempfile::tempdir().unwrap();
    for (db, tenant) in sqlite_and_postgres(dir.path()).await {
        settling_after_a_fetch(&db, tenant).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reports_progress_is_claimed_before_a_backlog_of_creation_notices() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&store(dir.path(), &MasterKey::generate()))
        .await
        .unwrap();
    let ids: Vec<String> = (0..200).map(|i| format!("created-{i}")).collect();
    let mut backlog: Vec<NewEvent> = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        backlog.push(NewEvent {
            tenant_id: "t1",
            event_id: id,
            resource_type: if i % 2 == 0 { "invitation" } else { "report" },
            resource_id: id,
            event: "created",
        });
    }
    db.insert_events(&backlog).await.unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    db.insert_events(&[NewEvent {
        tenant_id: "t1",
        event_id: "invitation-progress",
        resource_type: "invitation",
        resource_id: "inv-9",
        event: "updated",
    }])
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    db.insert_events(&[NewEvent {
        tenant_id: "t1",
        event_id: "report-done",
        resource_type: "report",
        resource_id: "rep-9",
        event: "completed",
    }])
    .await
    .unwrap();
    let far = screening_store::now_ms() + 60_000;
    let first = db.claim_events("w", far, 1).await.unwrap();
    assert_eq!(
        first[0].event_id, "report-done",
        "the newest, but a report's progress"
    );
    let second = db.claim_events("w", far, 1).await.unwrap();
    assert_eq!(
        second[0].event_id, "invitation-progress",
        "then an invitation's"
    );
    let third = db.claim_events("w", far, 1).await.unwrap();
    assert_eq!(third[0].event_id, "created-0", "then the oldest notice");
    assert_eq!(
        db.event_state("t1", "created-199").await.unwrap(),
        Some(InboxState::Pending)
    );
}

/// A fresh SQLite database under `dir` and, when `SCREENING_TEST_POSTGRES_URL` is set, a
/// fresh PostgreSQL one, each with the tenant id the check should use there.
async fn sqlite_and_postgres(dir: &std::path::Path) -> Vec<(Db, &'static str)> {
    let sqlite = Db::connect(&store(dir, &MasterKey::generate()))
        .await
        .unwrap();
    let mut dbs = vec![(sqlite, "t-sqlite")];
    match fresh_postgres().await {
        Some(url) => {
            let mut st = store(dir, &MasterKey::generate());
            st.database_url = url;
            dbs.push((Db::connect(&st).await.unwrap(), "t-pg"));
        }
        None => eprintln!("SCREENING_TEST_POSTGRES_URL not set: PostgreSQL half skipped"),
    }
    dbs
}

/// A fresh database on `SCREENING_TEST_POSTGRES_URL`; `None` (skip) without it, unless
/// `SCREENING_TEST_REQUIRE_POSTGRES=1`.
async fn fresh_postgres() -> Option<String> {
    let Ok(base) = std::env::var("SCREENING_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("SCREENING_TEST_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "SCREENING_TEST_REQUIRE_POSTGRES=1 but SCREENING_TEST_POSTGRES_URL is not set"
        );
        return None;
    };
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&base).await.unwrap();
    let name = format!("screening_ingest_{}", uuid::Uuid::new_v4().simple());
    pool.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    pool.close().await;
    let (prefix, _) = base.rsplit_once('/').unwrap();
    Some(format!("{prefix}/{name}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_group_commit_duplicates_and_priority() {
    let Some(url) = fresh_postgres().await else {
        eprintln!("SCREENING_TEST_POSTGRES_URL not set: PostgreSQL ingest test skipped");
        return;
    };
    let mut opts = Opts {
        database_url: Some(url.clone()),
        ..Opts::default()
    };
    no_registration(&mut opts);
    let env = Env::start(opts).await;
    let tenant = env
        .db()
        .tenant_by_ats_account(ATS_USER)
        .await
        .unwrap()
        .unwrap();
    let n = 150;
    let mut bodies: Vec<Vec<u8>> = (0..n)
        .map(|i| body(&format!("pg-{i}"), &format!("cand-{i}")))
        .collect();
    bodies.extend(
        (0..n)
            .step_by(5)
            .map(|i| body(&format!("pg-{i}"), &format!("cand-{i}"))),
    );
    let answers = burst(&env, bodies).await;
    assert!(answers.iter().all(|(s, _)| *s == 200), "{answers:?}");
    let accepted = answers
        .iter()
        .filter(|(_, v)| v["status"] == "accepted")
        .count();
    assert_eq!(accepted, n);
    assert_eq!(env.db().count_events(&tenant.id).await.unwrap(), n as i64);

    // One batch with a duplicate inside, and the claim order, on this backend (a database
    // of its own: no server's inbox worker claims these).
    let other = fresh_postgres().await.unwrap();
    let mut st = store(&env.data_dir(), &env.master);
    st.database_url = other;
    let db = &Db::connect(&st).await.unwrap();
    let e = |id: &'static str, kind: &'static str, ev: &'static str| NewEvent {
        tenant_id: "t-pg",
        event_id: id,
        resource_type: kind,
        resource_id: id,
        event: ev,
    };
    let new = db
        .insert_events(&[
            e("c1", "invitation", "created"),
            e("c1", "invitation", "created"),
            e("u1", "invitation", "updated"),
        ])
        .await
        .unwrap();
    assert_eq!(new, vec![true, false, true]);
    db.insert_events(&[e("r1", "report", "completed")])
        .await
        .unwrap();
    let far = screening_store::now_ms() + 60_000;
    let order: Vec<String> = [
        db.claim_events("pg-w", far, 1).await.unwrap(),
        db.claim_events("pg-w", far, 1).await.unwrap(),
        db.claim_events("pg-w", far, 1).await.unwrap(),
    ]
    .into_iter()
    .flatten()
    .filter(|r| r.tenant_id == "t-pg")
    .map(|r| r.event_id)
    .collect();
    assert_eq!(order, vec!["r1", "u1", "c1"]);
}

/// Yardstik reads the server made of one kind (`get_invitation`, `get_report`), any outcome.
fn reads(env: &Env, op: &str) -> u64 {
    let prefix = format!("screening_yardstik_requests_total{{op=\"{op}\"");
    env.server()
        .ctx
        .metrics
        .render(None)
        .lines()
        .filter(|l| l.starts_with(&prefix))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

async fn processed(env: &Env, tenant_id: &str, event_id: &str) {
    for _ in 0..1200 {
        if env.db().event_state(tenant_id, event_id).await.unwrap() == Some(InboxState::Done) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("event {event_id} never processed");
}

/// A server without webhook registration, with one order placed: its tenant and item.
async fn env_with_order(order_id: &str, email: &str) -> (Env, Tenant, ItemRow) {
    let mut opts = Opts::default();
    no_registration(&mut opts);
    let env = Env::start(opts).await;
    let (s, _) = env
        .order(&simple_order(order_id, &env.receiver.url(), email, "Doe"))
        .await;
    assert_eq!(s, 201);
    let tenant = env
        .db()
        .tenant_by_ats_account(ATS_USER)
        .await
        .unwrap()
        .unwrap();
    let item = env.db().order_items(&tenant.id, order_id).await.unwrap()[0].clone();
    (env, tenant, item)
}

/// A webhook body of account A (to be signed by `post`).
fn signed(id: &str, kind: &str, event: &str, resource: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"id": id, "event": event, "resource_id": resource,
        "account_id": ACCOUNT_A, "account_name": "Demo Staffing Co", "resource_type": kind,
        "resource_url": "https://api.yardstik.com/x"}))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creation_notices_of_recorded_resources_need_no_read() {
    let (env, tenant, item) = env_with_order("cov-1", "cov@example.com").await;
    let (inv, rep) = (item.invitation_id.unwrap(), item.report_id.unwrap());
    let url = env.url("/webhooks/yardstik");
    let before = (reads(&env, "get_invitation"), reads(&env, "get_report"));
    for (id, kind, resource) in [("cov-inv", "invitation", &inv), ("cov-rep", "report", &rep)] {
        let (s, _) = post(&env.http, &url, signed(id, kind, "created", resource)).await;
        assert_eq!(s, 200);
        processed(&env, &tenant.id, id).await;
    }
    assert_eq!(
        (reads(&env, "get_invitation"), reads(&env, "get_report")),
        before,
        "the placement already recorded what a creation notice says"
    );
    // A change is read.
    let (s, _) = post(
        &env.http,
        &url,
        signed("cov-upd", "report", "updated", &rep),
    )
    .await;
    assert_eq!(s, 200);
    processed(&env, &tenant.id, "cov-upd").await;
    assert_eq!(reads(&env, "get_report"), before.1 + 1);
    // A creation notice of a resource no order knows yet is not settled by a guess.
    let (s, _) = post(
        &env.http,
        &url,
        signed(
            "cov-unknown",
            "invitation",
            "created",
            "00000000-0000-4000-8000-00000000beef",
        ),
    )
    .await;
    assert_eq!(s, 200);
    // It is handled as before (no order knows it yet: retried later), not taken as covered.
    let mut retried = false;
    for _ in 0..400 {
        let pending = env.db().events_in_state(InboxState::Pending).await.unwrap();
        if pending
            .iter()
            .any(|r| r.event_id == "cov-unknown" && r.attempts >= 1)
        {
            retried = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(
        retried,
        "an unknown resource's creation notice waits for its order"
    );
}

/// A report updated many times in a row is read once per `MIN_REREAD`, not once per
/// event, and every one of its events is settled by those reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_updates_to_one_report_is_read_once_per_interval() {
    let (env, tenant, item) = env_with_order("burst-1", "burst@example.com").await;
    let rep = item.report_id.unwrap();
    let url = env.url("/webhooks/yardstik");
    let before = reads(&env, "get_report");
    let started = std::time::Instant::now();
    let mut ids = Vec::new();
    while started.elapsed() < Duration::from_millis(300) {
        let id = format!("burst-{}", ids.len());
        let (s, _) = post(&env.http, &url, signed(&id, "report", "updated", &rep)).await;
        assert_eq!(s, 200);
        ids.push(id);
    }
    for id in &ids {
        processed(&env, &tenant.id, id).await;
    }
    let elapsed = started.elapsed();
    let n = reads(&env, "get_report") - before;
    let most = (elapsed.as_millis() / MIN_REREAD.as_millis()) as u64 + 2;
    assert!(
        n >= 1 && n <= most,
        "{} events over {elapsed:?}: {n} reads, at most {most} expected",
        ids.len()
    );
    assert!(
        ids.len() as u64 > 2 * most,
        "the burst outnumbers the reads"
    );
}

/// A batch mixing events stored by an earlier batch, new ones, and a repeat within itself:
/// only the first copy of each new event is new, on both backends; ids with quotes and
/// backslashes survive the batch's JSON form unchanged.
async fn replays_across_batches(db: &Db, tenant: &str) {
    let e = |id: &'static str| NewEvent {
        tenant_id: tenant,
        event_id: id,
        resource_type: "report",
        resource_id: "r-1",
        event: "updated",
    };
    let odd = r#"e"3\n"#;
    assert_eq!(
        db.insert_events(&[e("e1"), e("e2")]).await.unwrap(),
        vec![true, true]
    );
    assert_eq!(
        db.insert_events(&[e("e2"), e(odd), e(odd), e("e1"), e("e4")])
            .await
            .unwrap(),
        vec![false, true, false, false, true]
    );
    // Nothing new at all: no row stored, none read back.
    assert_eq!(
        db.insert_events(&[e("e4"), e("e1"), e("e4")])
            .await
            .unwrap(),
        vec![false, false, false]
    );
    assert_eq!(db.count_events(tenant).await.unwrap(), 4);
    let ids: Vec<String> = sqlx::query_scalar("SELECT event_id FROM inbox WHERE tenant_id = $1")
        .bind(tenant)
        .fetch_all(&db.pool)
        .await
        .unwrap();
    assert!(ids.iter().any(|i| i == odd), "{ids:?}");
    // The same event ids under another tenant are new events.
    let other = NewEvent {
        tenant_id: "another-tenant",
        ..e("e1")
    };
    assert_eq!(db.insert_events(&[other]).await.unwrap(), vec![true]);
}

#[tokio::test]
async fn a_batch_tells_replays_of_earlier_batches_from_new_events() {
    let dir = tempfile::tempdir().unwrap();
    for (db, tenant) in sqlite_and_postgres(dir.path()).await {
        replays_across_batches(&db, tenant).await;
    }
}

/// Done events received before the keep time are deleted, over several windows; pending
/// and failed ones of any age stay, and so do recent done ones; an event replayed after it
/// failed (its `received_at` renewed, its row where it was) does not stop the deletion
/// behind it; a deleted event delivered again is stored as new.
async fn old_done_events_deleted(db: &Db, tenant: &str) {
    fn event<'a>(tenant: &'a str, id: &'a str) -> NewEvent<'a> {
        NewEvent {
            tenant_id: tenant,
            event_id: id,
            resource_type: "report",
            resource_id: "r-keep",
            event: "updated",
        }
    }
    let ids: Vec<String> = std::iter::once("replayed".to_string())
        .chain((0..2500).map(|i| format!("old-{i}")))
        .chain(["old-pending", "old-failed", "recent-done", "recent-pending"].map(String::from))
        .collect();
    for chunk in ids.chunks(500) {
        let events: Vec<NewEvent> = chunk.iter().map(|id| event(tenant, id)).collect();
        db.insert_events(&events).await.unwrap();
    }
    let day = 86_400_000i64;
    let now = screening_store::now_ms();
    let set = |state: &'static str, at: i64, pattern: &'static str| {
        sqlx::query("UPDATE inbox SET state = $1, received_at = $2 WHERE tenant_id = $3 AND event_id LIKE $4")
            .bind(state)
            .bind(at)
            .bind(tenant)
            .bind(pattern)
    };
    for (state, at, pattern) in [
        ("done", now - 40 * day, "old-%"),
        ("pending", now - 40 * day, "old-pending"),
        ("failed", now - 40 * day, "old-failed"),
        ("done", now - day, "recent-done"),
        ("pending", now, "recent-pending"),
        ("pending", now, "replayed"),
    ] {
        set(state, at, pattern).execute(&db.pool).await.unwrap();
    }
    let keep = Duration::from_secs(30 * 86_400);
    let metrics = Metrics::default();
    let deleted = inbox_retention::prune(db, &metrics, keep, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(deleted, 2500);
    assert_eq!(metrics.inbox_events_deleted.get(), 2500);
    let mut left: Vec<String> =
        sqlx::query_scalar("SELECT event_id FROM inbox WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_all(&db.pool)
            .await
            .unwrap();
    left.sort();
    assert_eq!(
        left,
        [
            "old-failed",
            "old-pending",
            "recent-done",
            "recent-pending",
            "replayed"
        ]
    );
    // Nothing left to delete: a second run deletes nothing.
    let again = inbox_retention::prune(db, &metrics, keep, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(again, 0);
    assert_eq!(metrics.inbox_events_deleted.get(), 2500);
    // Delivered again after its deletion: a new event (processing it again is harmless).
    assert_eq!(
        db.insert_events(&[event(tenant, "old-7")]).await.unwrap(),
        vec![true]
    );
    assert_eq!(
        db.event_state(tenant, "old-7").await.unwrap(),
        Some(InboxState::Pending)
    );
}

#[tokio::test]
async fn done_events_past_the_keep_time_are_deleted() {
    let dir = tempfile::tempdir().unwrap();
    for (db, tenant) in sqlite_and_postgres(dir.path()).await {
        old_done_events_deleted(&db, tenant).await;
    }
}
