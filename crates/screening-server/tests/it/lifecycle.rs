//! The order lifecycle's promises: results are never lost, stale or stuck. Ordered and
//! superseding delivery, reconciliation without webhooks, the inbox's long retry budget and
//! its operator replay, placement that finishes without its caller, the resumer, fencing,
//! snapshot ordering, and the mapping rules that keep a result.

use std::time::Duration;

use reqwest::Method;
use screening_model::claim::Claim;
use screening_model::yardstik_status::ReportStatus;
use screening_server::config::EventsCmd;
use screening_server::orders::sync::{apply, ItemUpdate, Writer};
use screening_store::inbox::InboxState;
use screening_store::outbox::OutboxState;
use serde_json::{json, Value};

use crate::support::*;

/// Place an order and return (invitation id, report id) of its package item.
async fn place(env: &Env, order: &Value) -> (String, String) {
    let (s, v) = env.order(order).await;
    assert_eq!(s, 201, "{v}");
    let t = tenant(env).await;
    let bcid = order["background_check_id"].as_str().unwrap();
    let items = env.db().order_items(&t.id, bcid).await.unwrap();
    (
        items[0].invitation_id.clone().unwrap(),
        items[0].report_id.clone().unwrap(),
    )
}

async fn fault(env: &Env, rule: Value) {
    let (s, v) = env.yardstik_post("/sandbox/faults", rule).await;
    assert!(s < 300, "{v}");
}

async fn clear_faults(env: &Env) {
    let res = env
        .http
        .delete(format!("{}/sandbox/faults", env.sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
}

/// Poll a condition on the database (bounded).
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..1200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_state_supersedes_an_undelivered_older_one_and_carries_a_sequence() {
    let env = Env::start(Opts {
        schedule: vec![Duration::from_millis(100); 40],
        ..Opts::default()
    })
    .await;
    *env.receiver.default.lock().unwrap() = 503;
    let order = simple_order("seq-1", &env.receiver.url(), "seq@example.com", "Consider");
    let (inv, report) = place(&env, &order).await;
    env.yardstik_post(&format!("/sandbox/invitations/{inv}/complete"), json!({}))
        .await;
    env.receiver
        .wait_for("a Consider attempt", |b| {
            b.iter().any(|w| w["result"] == "Consider")
        })
        .await;
    // While the Consider delivery keeps failing, the employer's adverse action completes.
    for s in ["pre_adverse", "final_adverse"] {
        let (code, v) = env
            .yardstik_post(
                &format!("/sandbox/reports/{report}/status"),
                json!({"status": s}),
            )
            .await;
        assert_eq!(code, 200, "{v}");
    }
    env.wait_order("seq-1", "Fail", |v| v["result"] == "Fail")
        .await;
    *env.receiver.default.lock().unwrap() = 200;
    let t = tenant(&env).await;
    let db = env.db().clone();
    let tid = t.id.clone();
    eventually("the Fail delivery", || {
        let (db, tid) = (db.clone(), tid.clone());
        async move {
            db.deliveries_for_order(&tid, "seq-1")
                .await
                .unwrap()
                .iter()
                .any(|r| r.state == OutboxState::Delivered)
        }
    })
    .await;
    let rows = env.db().deliveries_for_order(&t.id, "seq-1").await.unwrap();
    let states: Vec<_> = rows.iter().map(|r| (r.seq, r.state)).collect();
    assert_eq!(
        states,
        vec![(1, OutboxState::Superseded), (2, OutboxState::Delivered)],
        "the older state is never delivered after the newer one exists"
    );
    // Give a wrongly retried Consider row time to show up, then check the ATS's view.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = env.receiver.got.lock().unwrap().clone();
    let first_fail = got.iter().position(|(_, b)| b["result"] == "Fail").unwrap();
    assert!(
        got[first_fail..].iter().all(|(_, b)| b["result"] == "Fail"),
        "no Consider after the Fail"
    );
    let (headers, last) = got.last().unwrap();
    assert_eq!(last["status"], "complete");
    assert_eq!(last["result"], "Fail");
    assert_eq!(headers["screening-sequence"], "2");
    assert!(headers.contains_key("screening-state-at"));
    assert_eq!(headers["webhook-id"], rows[1].id.as_str());
    let consider_seqs: Vec<_> = got
        .iter()
        .filter(|(_, b)| b["result"] == "Consider")
        .map(|(h, _)| h["screening-sequence"].to_str().unwrap().to_string())
        .collect();
    assert!(
        !consider_seqs.is_empty() && consider_seqs.iter().all(|s| s == "1"),
        "{consider_seqs:?}"
    );
    let keys: Vec<&String> = last.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["background_check_id", "status", "result", "result_link_url"],
        "the body keeps the ATS contract's four keys"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconciliation_recovers_a_result_whose_webhooks_never_came() {
    let env = Env::start(Opts {
        tweak: |c| {
            c.register_webhooks = false; // Yardstik never tells this server anything
            c.lifecycle.reconcile_interval = Duration::from_millis(200);
            c.lifecycle.reconcile_after = Duration::from_millis(300);
        },
        ..Opts::default()
    })
    .await;
    let order = simple_order("recon-1", &env.receiver.url(), "recon@example.com", "Doe");
    let (inv, _) = place(&env, &order).await;
    env.yardstik_post(&format!("/sandbox/invitations/{inv}/complete"), json!({}))
        .await;
    let hooks = env
        .receiver
        .wait_for("the Pass delivery", |b| {
            b.iter().any(|w| w["background_check_id"] == "recon-1")
        })
        .await;
    assert_eq!(hooks[0]["status"], "complete");
    assert_eq!(hooks[0]["result"], "Pass");
    let t = tenant(&env).await;
    assert_eq!(
        env.db().count_events(&t.id).await.unwrap(),
        0,
        "no webhook was received: reconciliation found it"
    );
    let (_, v) = env.ats(Method::GET, "/ats/orders/recon-1", None).await;
    assert!(
        history(&v)
            .iter()
            .any(|d| d == "Yardstik report status: clear"),
        "{v}"
    );
    assert!(
        env.server()
            .ctx
            .metrics
            .reconciled_orders
            .get(screening_metrics::ReconcileOutcome::Changed)
            >= 1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_retries_past_the_old_budget_and_failed_events_can_be_replayed() {
    let env = Env::start(Opts {
        tweak: |c| {
            c.lifecycle.inbox_backoff_max = Duration::from_millis(50);
            c.lifecycle.inbox_retry_for = Duration::from_secs(4);
            c.lifecycle.reconcile_interval = Duration::ZERO; // only the inbox at work
        },
        ..Opts::default()
    })
    .await;
    let order = simple_order("inbox-1", &env.receiver.url(), "inbox@example.com", "Doe");
    let (inv, report) = place(&env, &order).await;
    // Reports cannot be read (as with a rotated key: every read of a report is refused).
    fault(
        &env,
        json!({"method": "GET", "path": "/reports/*", "kind": "error", "rate": 1.0}),
    )
    .await;
    let started = std::time::Instant::now();
    env.yardstik_post(&format!("/sandbox/invitations/{inv}/complete"), json!({}))
        .await;
    let db = env.db().clone();
    eventually("the report's events to fail after their budget", || {
        let db = db.clone();
        async move {
            let failed = db.events_in_state(InboxState::Failed).await.unwrap();
            let pending = db.events_in_state(InboxState::Pending).await.unwrap();
            !failed.is_empty() && pending.is_empty()
        }
    })
    .await;
    let failed = db.events_in_state(InboxState::Failed).await.unwrap();
    assert!(failed.iter().all(|e| e.resource_id == report), "{failed:?}");
    // Retried for the whole budget (each attempt is a read with its own quick retries),
    // not dropped at the first refusal.
    assert!(
        failed.iter().all(|e| e.attempts >= 3),
        "retried until the budget ran out: {failed:?}"
    );
    assert!(
        started.elapsed() >= Duration::from_millis(3900),
        "gave up only once the 4 s budget was spent: {:?}",
        started.elapsed()
    );
    assert_eq!(
        failed[0].last_error.as_deref(),
        Some("Yardstik answered 500")
    );
    let (_, v) = env.ats(Method::GET, "/ats/orders/inbox-1", None).await;
    assert_eq!(
        v["status"], "processing",
        "the report's result is not applied yet: {v}"
    );

    let store = support_store(&env);
    let mut out = Vec::new();
    screening_server::cli::events(&store, EventsCmd::Failed, &mut out)
        .await
        .unwrap();
    let listing = String::from_utf8(out).unwrap();
    assert!(listing.contains(&failed[0].event_id), "{listing}");
    assert!(
        listing.contains(&format!("resource=report {report}")),
        "{listing}"
    );

    clear_faults(&env).await;
    let mut out = Vec::new();
    screening_server::cli::events(
        &store,
        EventsCmd::Replay {
            ids: vec![],
            all: true,
        },
        &mut out,
    )
    .await
    .unwrap();
    let said = String::from_utf8(out).unwrap();
    assert!(
        said.contains(&format!("{} events queued again", failed.len())),
        "{said}"
    );
    env.inbox_wake();
    let v = env
        .wait_order("inbox-1", "Pass after the replay", |v| {
            v["result"] == "Pass"
        })
        .await;
    assert_eq!(v["status"], "complete");
    assert!(db
        .events_in_state(InboxState::Failed)
        .await
        .unwrap()
        .is_empty());
}

fn support_store(env: &Env) -> screening_store::StoreConfig {
    store(&env.data_dir(), &env.master)
}

impl Env {
    fn inbox_wake(&self) {
        self.server().ctx.inbox_pace.wake();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn placement_finishes_when_the_request_is_cut_off() {
    let env = Env::start(Opts {
        tweak: |c| c.request_timeout = Duration::from_secs(5),
        ..Opts::default()
    })
    .await;
    // Authenticate once, so the cut falls inside placement, not the password check (which
    // may take seconds on a busy machine; bounded retries).
    let mut s = 0;
    for _ in 0..10 {
        s = env.ats(Method::GET, "/ats/orders/none-yet", None).await.0;
        if s == 404 {
            break;
        }
    }
    assert_eq!(s, 404, "authenticated once");
    // The invitation call takes longer than the request may live.
    fault(
        &env,
        json!({"method": "POST", "path": "/invitations", "kind": "latency", "latency_ms": 8000, "times": 1}),
    )
    .await;
    let order = simple_order("cut-1", &env.receiver.url(), "cut@example.com", "Doe");
    let (s, v) = env.order(&order).await;
    assert!(
        s == 408 || s == 503 || s == 504,
        "the request was cut off: {s} {v}"
    );
    let t = tenant(&env).await;
    let db = env.db().clone();
    let tid = t.id.clone();
    eventually("the placement to finish on its own", || {
        let (db, tid) = (db.clone(), tid.clone());
        async move {
            order_row(&db, &tid, "cut-1")
                .await
                .unwrap()
                .is_some_and(|o| o.claim == Claim::Created)
        }
    })
    .await;
    let items = db.order_items(&t.id, "cut-1").await.unwrap();
    assert!(items[0].invitation_id.is_some());
    // The ATS's retry gets the placed order, and Yardstik has exactly one invitation.
    let (s, v) = env.order(&order).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["status"], "invited");
    let cand = order_row(env.db(), &t.id, "cut-1")
        .await
        .unwrap()
        .unwrap()
        .candidate_id
        .unwrap();
    let invs = env
        .yardstik_get(&format!("/invitations?query[candidate_id_eq]={cand}"))
        .await;
    assert_eq!(list(&invs).len(), 1, "{invs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_resumer_finishes_a_placement_the_ats_never_retries() {
    let env = Env::start(Opts {
        tweak: |c| c.lifecycle.resume_interval = Duration::from_millis(200),
        ..Opts::default()
    })
    .await;
    fault(
        &env,
        json!({"method": "POST", "path": "/invitations", "kind": "error", "rate": 1.0, "times": 1}),
    )
    .await;
    let order = simple_order("resume-1", &env.receiver.url(), "resume@example.com", "Doe");
    let (s, v) = env.order(&order).await;
    // Recorded, so accepted: the order is the server's to finish, with no retry by the ATS.
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["status"], "pending", "{v}");
    let v = env
        .wait_order("resume-1", "the resumed placement", |v| {
            v["status"] == "invited"
        })
        .await;
    assert!(v["items"][0]["report_id"].is_string(), "{v}");
    let t = tenant(&env).await;
    let o = order_row(env.db(), &t.id, "resume-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(o.claim, Claim::Created);
    let invs = env
        .yardstik_get(&format!(
            "/invitations?query[candidate_id_eq]={}",
            o.candidate_id.unwrap()
        ))
        .await;
    assert_eq!(list(&invs).len(), 1, "{invs}");
    assert!(
        env.server()
            .ctx
            .metrics
            .placements_resumed
            .get(screening_metrics::ResumeOutcome::Placed)
            >= 1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrected_order_replaces_a_failed_one_that_created_nothing() {
    let env = Env::start(Opts::default()).await;
    // Yardstik refuses the candidate: nothing is created there, the order ends `failed`.
    fault(
        &env,
        json!({"method": "POST", "path": "/candidates", "kind": "reject", "rate": 1.0, "times": 1}),
    )
    .await;
    let mut order = simple_order("fix-1", &env.receiver.url(), "fix@example.com", "Doe");
    let (s, v) = env.order(&order).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["status"], "failed", "{v}");
    assert_eq!(list(&env.yardstik_get("/candidates").await).len(), 0);
    // The failure is stored sealed at rest, and the applicant's details are dropped.
    let raw: Option<String> =
        sqlx::query_scalar("SELECT error_body FROM orders WHERE background_check_id = 'fix-1'")
            .fetch_one(&env.db().pool)
            .await
            .unwrap();
    let raw = raw.expect("a failure is stored");
    assert!(raw.starts_with("v2:") && !raw.contains("Yardstik"), "{raw}");
    let t = tenant(&env).await;
    let row = order_row(env.db(), &t.id, "fix-1").await.unwrap().unwrap();
    assert!(matches!(
        env.db().placement_failure(&row),
        Some(screening_model::StoredFailure::Yardstik { .. })
    ));
    assert!(row.applicant_sealed.is_none());
    // A failed order cannot be canceled: nothing is open.
    let (s, v) = env.ats(Method::DELETE, "/ats/orders/fix-1", None).await;
    assert_eq!(s, 409, "{v}");
    // The same order again: its state, not a second attempt.
    let (s, v) = env.order(&order).await;
    assert_eq!((s, v["status"].as_str()), (201, Some("failed")), "{v}");
    // The ATS was told `failed`.
    env.receiver
        .wait_for("the failed webhook", |b| {
            b.iter().any(|h| h["status"] == "failed")
        })
        .await;
    // The ATS corrects the applicant's ZIP and sends the same id again.
    order["applicant"]["zip"] = json!("62704");
    let (s, v) = env.order(&order).await;
    assert_eq!(s, 201, "the corrected order takes the id: {v}");
    assert_eq!(v["status"], "invited");
    // Its deliveries go on with the sequence of the ones already sent under the id.
    let row = order_row(env.db(), &t.id, "fix-1").await.unwrap().unwrap();
    let seq: i64 =
        sqlx::query_scalar("SELECT delivery_seq FROM orders WHERE background_check_id = 'fix-1'")
            .fetch_one(&env.db().pool)
            .await
            .unwrap();
    assert!(row.claim == Claim::Created && seq >= 1, "{seq}");
    // Once something exists at Yardstik, a different payload is a conflict again.
    order["applicant"]["zip"] = json!("62705");
    let (s, v) = env.order(&order).await;
    assert_eq!(s, 409, "{v}");
    assert_eq!(v["code"], "conflict");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_over_claim_fences_out_its_old_holder() {
    let env = Env::start(Opts::default()).await;
    let t = tenant(&env).await;
    let db = env.db();
    let items = vec![screening_model::NewItem {
        package_id: "PKG001".into(),
        yardstik_package_id: "11111111-aaaa-4aaa-8aaa-000000000001".into(),
        add_on: false,
    }];
    let new = screening_store::orders::NewOrder {
        tenant_id: &t.id,
        background_check_id: "fence-1",
        request_hash: "h",
        source: "ats",
        package_id: "PKG001",
        add_on_package_ids: &[],
        webhook_url: "",
        applicant_id: None,
        ats_context: None,
        applicant: b"{}",
        items,
        lease_until: 0, // already expired: anyone may take it over
    };
    let old = db.claim_order(&new).await.unwrap().expect("claimed");
    assert!(
        db.claim_order(&new).await.unwrap().is_none(),
        "claimed once"
    );
    let key = screening_model::OrderKey::new(&t.id, "fence-1");
    let new_holder = db
        .reclaim_order(&key, i64::MAX)
        .await
        .unwrap()
        .expect("taken over");
    assert!(
        db.reclaim_order(&key, i64::MAX).await.unwrap().is_none(),
        "a live lease cannot be taken"
    );
    assert!(!db.set_candidate(&key, &old, "c-old").await.unwrap());
    assert!(!db.finish_order(&key, &old, "{}").await.unwrap());
    assert!(db.set_candidate(&key, &new_holder, "c-new").await.unwrap());
    let upd = ItemUpdate {
        invitation_id: Some("inv-old".into()),
        ..Default::default()
    };
    let err = apply(
        &env.server().ctx.orders,
        &t,
        "fence-1",
        "PKG001",
        upd,
        Writer::Placement(&old),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, screening_server::orders::OrderError::StillPlacing),
        "{err:?}"
    );
    let row = order_row(db, &t.id, "fence-1").await.unwrap().unwrap();
    assert_eq!(row.candidate_id.as_deref(), Some("c-new"));
    assert_eq!(row.claim, Claim::Creating);
    assert!(db.order_items(&t.id, "fence-1").await.unwrap()[0]
        .invitation_id
        .is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_snapshot_never_overwrites_a_newer_one() {
    let env = Env::start(Opts::default()).await;
    let order = simple_order("snap-1", &env.receiver.url(), "snap@example.com", "Doe");
    let (inv, _) = place(&env, &order).await;
    env.yardstik_post(&format!("/sandbox/invitations/{inv}/complete"), json!({}))
        .await;
    env.wait_order("snap-1", "Pass", |v| v["result"] == "Pass")
        .await;
    let t = tenant(&env).await;
    let seen = env.db().order_items(&t.id, "snap-1").await.unwrap()[0].report_seen_at;
    assert!(seen.is_some(), "the report's updated_at is recorded");
    // A slow fetch from before the report completed arrives last.
    let stale = ItemUpdate {
        report_status: Some(ReportStatus::Processing),
        report_updated_at: Some(seen.unwrap() - 1_000),
        ..Default::default()
    };
    let changed = apply(
        &env.server().ctx.orders,
        &t,
        "snap-1",
        "PKG001",
        stale,
        Writer::Yardstik,
    )
    .await
    .unwrap();
    assert_eq!(changed, None);
    let (_, v) = env.ats(Method::GET, "/ats/orders/snap-1", None).await;
    assert_eq!(
        (v["status"].clone(), v["result"].clone()),
        (json!("complete"), json!("Pass"))
    );
    assert_eq!(v["items"][0]["report_status"], "clear");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_result_survives_archive_and_dispute_and_a_missing_add_on_is_not_a_clean_pass() {
    let env = Env::start(Opts::default()).await;
    let order = simple_order("keep-1", &env.receiver.url(), "keep@example.com", "Doe");
    let (inv, report) = place(&env, &order).await;
    env.yardstik_post(&format!("/sandbox/invitations/{inv}/complete"), json!({}))
        .await;
    env.wait_order("keep-1", "Pass", |v| v["result"] == "Pass")
        .await;
    for (status, note) in [
        ("archived", "Yardstik archived the report; the result is kept"),
        ("dispute", "The candidate disputes the report; the result stands until Yardstik settles the dispute"),
        ("brand_new_status", ""),
    ] {
        let (code, _) = env
            .yardstik_post(
                &format!("/sandbox/reports/{report}/status"),
                json!({"status": status, "force": true}),
            )
            .await;
        if code != 200 {
            continue; // the sandbox only sets statuses of Yardstik's table
        }
        let v = env
            .wait_order("keep-1", status, |v| v["items"][0]["report_status"] == status)
            .await;
        assert_eq!(v["status"], "complete", "{status}: {v}");
        assert_eq!(v["result"], "Pass", "{status}: {v}");
        assert!(history(&v).iter().any(|d| d == note), "{status}: {v}");
    }
    let t = tenant(&env).await;
    assert_eq!(
        env.db()
            .deliveries_for_order(&t.id, "keep-1")
            .await
            .unwrap()
            .len(),
        1,
        "archive and dispute send nothing new to the ATS"
    );

    // Package and drug-test add-on; the package clears, the add-on's invitation expires.
    let order = {
        let mut o = seed_order("addon-1", &env.receiver.url());
        o["applicant"]["email"] = json!("addon@example.com");
        o
    };
    let (s, v) = env.order(&order).await;
    assert_eq!(s, 201, "{v}");
    let items = env.db().order_items(&t.id, "addon-1").await.unwrap();
    let pkg_inv = items[0].invitation_id.clone().unwrap();
    let addon_inv = items[1].invitation_id.clone().unwrap();
    env.yardstik_post(
        &format!("/sandbox/invitations/{pkg_inv}/complete"),
        json!({}),
    )
    .await;
    env.wait_order("addon-1", "package clear", |v| {
        v["items"][0]["result"] == "Pass"
    })
    .await;
    env.yardstik_post(
        &format!("/sandbox/invitations/{addon_inv}/expire"),
        json!({}),
    )
    .await;
    let v = env
        .wait_order("addon-1", "complete", |v| v["status"] == "complete")
        .await;
    assert_eq!(v["result"], "Consider", "{v}");
    assert!(
        history(&v)
            .iter()
            .any(|d| d == "Add-on DRG02 was expired: it was not screened"),
        "{v}"
    );
    let hook = env
        .receiver
        .wait_for("the add-on order's result", |b| {
            b.iter().any(|w| w["background_check_id"] == "addon-1")
        })
        .await;
    let hook = hook
        .iter()
        .find(|w| w["background_check_id"] == "addon-1")
        .unwrap();
    assert_eq!(hook["result"], "Consider");
}

/// A 201 `pending` whose placement Yardstik refuses later: the resumer's attempt is refused,
/// the order ends `failed`, and the ATS receives a result webhook saying so, with the
/// reason in the order's history.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_placement_refused_after_the_201_ends_failed_with_a_result_webhook() {
    let env = Env::start(Opts {
        tweak: |c| c.lifecycle.resume_interval = Duration::from_millis(200),
        ..Opts::default()
    })
    .await;
    fault(
        &env,
        json!([
            {"method": "POST", "path": "/invitations", "kind": "error", "rate": 1.0, "times": 1},
            {"method": "POST", "path": "/invitations", "kind": "reject", "rate": 1.0}
        ]),
    )
    .await;
    let order = simple_order("later-1", &env.receiver.url(), "later@example.com", "Doe");
    let (s, v) = env.order(&order).await;
    assert_eq!((s, v["status"].as_str()), (201, Some("pending")), "{v}");
    let hooks = env
        .receiver
        .wait_for("the failed webhook", |b| {
            b.iter().any(|h| h["background_check_id"] == "later-1")
        })
        .await;
    assert_eq!(
        hooks[0],
        json!({"background_check_id": "later-1", "status": "failed", "result": null, "result_link_url": null})
    );
    let v = env
        .wait_order("later-1", "failed", |v| v["status"] == "failed")
        .await;
    let last = v["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        last["detail"],
        "The order could not be placed at Yardstik: Yardstik answered 422"
    );
    let t = tenant(&env).await;
    let row = order_row(env.db(), &t.id, "later-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.claim, Claim::Failed);
    assert!(
        row.applicant_sealed.is_none(),
        "the applicant's details are dropped"
    );
    // Nothing more happens to it: no invitation, no second webhook.
    clear_faults(&env).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(list(&env.yardstik_get("/invitations").await).len(), 0);
    assert_eq!(env.receiver.bodies().len(), 1);
}

/// A crash between recording the order and creating the candidate loses nothing: the
/// applicant's details were kept (sealed) with the claim, and the resumer places it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_recorded_before_a_crash_is_placed_from_its_kept_details() {
    let env = Env::start(Opts {
        tweak: |c| c.lifecycle.resume_interval = Duration::from_millis(200),
        ..Opts::default()
    })
    .await;
    let t = tenant(&env).await;
    let applicant = json!({"id": "a-9", "first_name": "Ada", "last_name": "Crash", "email": "crash@example.com"});
    let items = vec![screening_model::NewItem {
        package_id: "PKG001".into(),
        yardstik_package_id: "11111111-aaaa-4aaa-8aaa-000000000001".into(),
        add_on: false,
    }];
    let url = env.receiver.url();
    let applicant = applicant.to_string();
    let new = screening_store::orders::NewOrder {
        tenant_id: &t.id,
        background_check_id: "crash-1",
        request_hash: "h",
        source: "ats",
        package_id: "PKG001",
        add_on_package_ids: &[],
        webhook_url: &url,
        applicant_id: Some("a-9"),
        ats_context: None,
        applicant: applicant.as_bytes(),
        items,
        lease_until: 0, // the holder died at once
    };
    env.db().claim_order(&new).await.unwrap().expect("claimed");
    let raw: Option<String> = sqlx::query_scalar(
        "SELECT applicant_sealed FROM orders WHERE background_check_id = 'crash-1'",
    )
    .fetch_one(&env.db().pool)
    .await
    .unwrap();
    assert!(
        !raw.unwrap().contains("crash@example.com"),
        "sealed at rest"
    );
    env.wait_order("crash-1", "placed by the resumer", |v| {
        v["status"] == "invited"
    })
    .await;
    let cands = list(&env.yardstik_get("/candidates").await);
    assert_eq!(cands.len(), 1);
    assert_eq!(cands[0]["email"], "crash@example.com");
    assert_eq!(cands[0]["external_id"], "a-9");
}
