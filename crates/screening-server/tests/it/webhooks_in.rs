//! `POST /webhooks/yardstik`: forged, replayed and unknown-account events.

use screening_model::crypto::hmac_hex;
use screening_store::inbox::InboxState;
use serde_json::{json, Value};

use crate::support::*;

async fn post(env: &Env, body: &[u8], sig: Option<&str>) -> (u16, Value) {
    let mut req = env
        .http
        .post(env.url("/webhooks/yardstik"))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(s) = sig {
        req = req.header("x-yardstik-webhook-signature", s);
    }
    let res = req.send().await.unwrap();
    (
        res.status().as_u16(),
        res.json().await.unwrap_or(Value::Null),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_replayed_and_unknown_account_webhooks() {
    let env = Env::start(Opts::default()).await;
    let (s, _) = env
        .order(&simple_order(
            "wh-1",
            &env.receiver.url(),
            "wh@example.com",
            "Doe",
        ))
        .await;
    assert_eq!(s, 201);
    let tenant = env
        .db()
        .tenant_by_ats_account(ATS_USER)
        .await
        .unwrap()
        .unwrap();
    let items = env.db().order_items(&tenant.id, "wh-1").await.unwrap();
    let report_id = items[0].report_id.clone().unwrap();

    // Make the report clear at Yardstik without telling anyone (no webhooks registered
    // for this check: we post the event ourselves).
    let ev = |id: &str, resource_url: &str| {
        json!({"id": id, "event": "updated", "resource_id": report_id, "account_id": ACCOUNT_A,
               "account_name": "Demo Staffing Co", "resource_type": "report", "resource_url": resource_url})
    };

    // Forged: wrong key, missing signature, signature of another body.
    let body = serde_json::to_vec(&ev("evt-forged", "https://evil.example/reports/x")).unwrap();
    let (s, wrong_sig) = post(&env, &body, Some(&hmac_hex(b"not-the-key", &body))).await;
    assert_eq!(s, 401, "{wrong_sig}");
    let (s, _) = post(&env, &body, None).await;
    assert_eq!(s, 401);
    let (s, _) = post(&env, &body, Some(&hmac_hex(SIG_A.as_bytes(), b"{}"))).await;
    assert_eq!(s, 401);
    assert!(
        env.db()
            .event_state(&tenant.id, "evt-forged")
            .await
            .unwrap()
            .is_none(),
        "forged event not stored"
    );

    // Unknown account: the same answer as a wrong signature (no account probing), nothing
    // stored.
    let stored_before = env.db().count_events(&tenant.id).await.unwrap();
    let mut other = ev("evt-other", "x");
    other["account_id"] = json!("00000000-0000-4000-8000-000000000000");
    let b = serde_json::to_vec(&other).unwrap();
    let (s, v) = post(&env, &b, Some(&hmac_hex(SIG_A.as_bytes(), &b))).await;
    assert_eq!((s, &v), (401, &wrong_sig));
    assert_eq!(
        env.db().count_events(&tenant.id).await.unwrap(),
        stored_before,
        "nothing stored for an unknown account"
    );
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inbox WHERE event_id = 'evt-other'")
        .fetch_one(&env.db().pool)
        .await
        .unwrap();
    assert_eq!(total, 0);

    // Malformed.
    let (s, _) = post(&env, b"not json", Some("00")).await;
    assert_eq!(s, 400);

    // Genuine, pretty-printed (signed over the raw bytes) and compact-signed variants.
    env.yardstik_post(
        &format!("/sandbox/reports/{report_id}/status"),
        json!({"status": "clear", "force": true}),
    )
    .await;
    let pretty = serde_json::to_vec_pretty(&ev("evt-1", "https://evil.example/steal")).unwrap();
    let compact_sig = hmac_hex(
        SIG_A.as_bytes(),
        &serde_json::to_vec(&ev("evt-1", "https://evil.example/steal")).unwrap(),
    );
    let (s, v) = post(&env, &pretty, Some(&compact_sig)).await;
    assert_eq!(
        (s, v["status"].as_str()),
        (200, Some("accepted")),
        "compact re-serialisation signature accepted"
    );
    // Replay: same event id again → duplicate, not reprocessed.
    let (s, v) = post(&env, &pretty, Some(&hmac_hex(SIG_A.as_bytes(), &pretty))).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("duplicate")));

    let got = env
        .receiver
        .wait_for("complete webhook", |b| {
            b.iter().any(|w| w["status"] == "complete")
        })
        .await;
    assert_eq!(got.iter().filter(|w| w["status"] == "complete").count(), 1);
    // The resource was fetched from the configured base, not from resource_url.
    let state = env
        .wait_order("wh-1", "complete", |v| v["status"] == "complete")
        .await;
    assert_eq!(state["result"], "Pass");
    // Our event is processed too (the sandbox's own signed events may have won the race).
    let mut state = None;
    for _ in 0..1200 {
        state = env.db().event_state(&tenant.id, "evt-1").await.unwrap();
        if state == Some(InboxState::Done) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(state, Some(InboxState::Done));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_are_isolated() {
    let env = Env::start(Opts::default()).await;
    let (s, _) = env
        .order(&simple_order(
            "iso-1",
            &env.receiver.url(),
            "iso@example.com",
            "Doe",
        ))
        .await;
    assert_eq!(s, 201);
    // A second tenant on Yardstik account B.
    let mut spec = tenant_spec();
    spec.ats_account_id = "OTHER".into();
    spec.name = "Other Tenant Inc".into();
    spec.yardstik_account_id = "8e4a6b5f-2d3c-4f9a-8b7e-1c2d3e4f5a60".into();
    spec.yardstik_api_key = screening_model::tenant::Secret("demo-yardstik-key-2".into());
    spec.webhook_signature = screening_model::tenant::Secret("demo-webhook-signature-2".into());
    spec.settings.web_token_user_email = "other-user@example.com".into();
    env.db()
        .upsert_tenant(&spec, "other-secret-1", false)
        .await
        .unwrap();
    let res = env
        .http
        .get(env.url("/ats/orders/iso-1"))
        .basic_auth("OTHER", Some("other-secret-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404, "another tenant cannot see the order");
    let res = env
        .http
        .get(env.url("/ats/orders/iso-1"))
        .basic_auth("OTHER", Some(ATS_SECRET))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        401,
        "another tenant's secret does not open this one"
    );
    // An event for account A signed with account B's key is rejected.
    let body = serde_json::to_vec(
        &json!({"id": "evt-x", "event": "updated", "resource_id": "abc", "account_id": ACCOUNT_A,
        "account_name": "x", "resource_type": "report", "resource_url": "x"}),
    )
    .unwrap();
    let (s, _) = post(
        &env,
        &body,
        Some(&hmac_hex(b"demo-webhook-signature-2", &body)),
    )
    .await;
    assert_eq!(s, 401);
}

/// A webhook's account id longer than any tenant's is unknown without a query, while a
/// short unknown one is looked up (the database here is closed: a query fails); known
/// and unknown ids are remembered alike.
#[tokio::test]
async fn over_long_account_ids_are_unknown_without_a_lookup() {
    use screening_server::orders::tenants::TenantDirectory;
    let dir = tempfile::tempdir().unwrap();
    let db = screening_store::Db::connect(&store(
        dir.path(),
        &screening_model::crypto::MasterKey::generate(),
    ))
    .await
    .unwrap();
    let mut spec = tenant_spec();
    spec.settings.allow_loopback = true;
    db.upsert_tenant(&spec, ATS_SECRET, false).await.unwrap();
    let metrics = screening_metrics::Metrics::default();
    let tenants = TenantDirectory::new(db.clone(), &metrics);
    let known = tenants.by_yardstik_account(ACCOUNT_A).await.unwrap();
    assert!(known.is_some());
    assert!(tenants
        .by_yardstik_account("made-up-account")
        .await
        .unwrap()
        .is_none());
    db.pool.close().await;
    // Both remembered: answered without the (now closed) database.
    assert!(tenants
        .by_yardstik_account(ACCOUNT_A)
        .await
        .unwrap()
        .is_some());
    assert!(tenants
        .by_yardstik_account("made-up-account")
        .await
        .unwrap()
        .is_none());
    // An id no tenant may have is not looked up at all; a new short one is.
    let long = "a".repeat(129);
    assert!(tenants.by_yardstik_account(&long).await.unwrap().is_none());
    assert!(tenants.by_yardstik_account("").await.unwrap().is_none());
    assert!(
        tenants
            .by_yardstik_account("another-made-up")
            .await
            .is_err(),
        "a short unknown id is looked up (and the closed database fails)"
    );
}
