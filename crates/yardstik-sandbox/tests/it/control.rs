//! Control endpoints: every report status reachable, with the right webhooks.

use crate::common::*;
use axum::http::StatusCode;
use serde_json::json;
use std::time::Duration;
use yardstik_sandbox::SandboxConfig;

async fn consider_report(sb: &Sb) -> String {
    let c = sb
        .candidate(
            KEY_A,
            "Hank",
            "Consider",
            &format!("h{}@example.com", uuid::Uuid::new_v4()),
        )
        .await;
    let i = sb
        .invitation(KEY_A, c["id"].as_str().unwrap(), PKG_BASIC)
        .await;
    sb.post(
        &format!(
            "/sandbox/invitations/{}/complete",
            i["id"].as_str().unwrap()
        ),
        KEY_A,
        json!({}),
    )
    .await;
    let rid = i["report"]["id"].as_str().unwrap().to_string();
    sb.wait_report(KEY_A, &rid, |b| b["status"] == "consider")
        .await;
    rid
}

#[tokio::test]
async fn adverse_action_path_and_webhooks() {
    let sb = start().await;
    let rid = consider_report(&sb).await;
    let rx = receiver(0).await;
    register(
        &sb,
        KEY_A,
        ACCOUNT_A,
        "report.updated",
        &format!("{}/u", rx.url),
    )
    .await;
    register(
        &sb,
        KEY_A,
        ACCOUNT_A,
        "report.completed",
        &format!("{}/c", rx.url),
    )
    .await;
    for s in ["pre_adverse", "final_adverse"] {
        let r = sb
            .post(
                &format!("/sandbox/reports/{rid}/status"),
                KEY_A,
                json!({"status": s}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["status"], s);
    }
    // Two queues (/u and /c): wait until every delivery queued so far was answered.
    sb.settled(KEY_A, 2).await;
    let b = rx.bodies();
    assert_eq!(events_for(&b, "report", "updated"), 2, "{b:?}");
    assert_eq!(
        events_for(&b, "report", "completed"),
        0,
        "already completed at consider: {b:?}"
    );
    let rid2 = consider_report(&sb).await;
    let r = sb
        .post(
            &format!("/sandbox/reports/{rid2}/status"),
            KEY_A,
            json!({"status": "proceed"}),
        )
        .await;
    assert_eq!(r.body["status"], "proceed");
    assert_eq!(r.body["decision"], "Proceed");
}

#[tokio::test]
async fn every_status_can_be_set_and_rules_hold() {
    let sb = start().await;
    let c = sb.candidate(KEY_A, "A", "Smith", "a@example.com").await;
    let rx = receiver(0).await;
    register(
        &sb,
        KEY_A,
        ACCOUNT_A,
        "report.updated",
        &format!("{}/u", rx.url),
    )
    .await;
    register(
        &sb,
        KEY_A,
        ACCOUNT_A,
        "report.completed",
        &format!("{}/c", rx.url),
    )
    .await;
    let statuses = [
        "created",
        "pending_approval",
        "approved_to_process",
        "processing",
        "pending",
        "queued",
        "clear",
        "consider",
        "ys_qa_review",
        "pre_adverse",
        "final_adverse",
        "proceed",
        "exception",
        "canceled",
        "dispute",
        "info_requested",
        "expired",
        "archived",
    ];
    let mut completed = 0;
    for s in statuses {
        let r = sb
            .post(
                "/reports",
                KEY_A,
                json!({"candidate_id": c["id"], "account_package_id": PKG_BASIC}),
            )
            .await;
        let rid = r.body["id"].as_str().unwrap();
        let r = sb
            .post(
                &format!("/sandbox/reports/{rid}/status"),
                KEY_A,
                json!({"status": s, "force": true}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{s}: {}", r.text);
        assert_eq!(r.body["status"], s);
        if [
            "clear",
            "consider",
            "pre_adverse",
            "final_adverse",
            "proceed",
        ]
        .contains(&s)
        {
            completed += 1;
            assert!(r.body["completed_at"].is_string(), "{s}");
        }
        if s == "consider" {
            assert!(!r.body["report_screenings"][0]["records"][0]["violations"]
                .as_array()
                .unwrap()
                .is_empty());
        }
    }
    // "created" on a created report changes nothing: one updated less
    sb.settled(KEY_A, statuses.len() - 1 + completed).await;
    let b = rx.bodies();
    assert_eq!(
        events_for(&b, "report", "updated"),
        statuses.len() - 1,
        "{b:?}"
    );
    assert_eq!(events_for(&b, "report", "completed"), completed, "{b:?}");

    // unknown status, missing status, pre_adverse from clear without force
    let r = sb
        .post(
            "/reports",
            KEY_A,
            json!({"candidate_id": c["id"], "account_package_id": PKG_BASIC}),
        )
        .await;
    let rid = r.body["id"].as_str().unwrap();
    assert_error_shape(
        &sb.post(
            &format!("/sandbox/reports/{rid}/status"),
            KEY_A,
            json!({"status": "bogus"}),
        )
        .await,
        422,
    );
    assert_error_shape(
        &sb.post(&format!("/sandbox/reports/{rid}/status"), KEY_A, json!({}))
            .await,
        422,
    );
    sb.post(
        &format!("/sandbox/reports/{rid}/status"),
        KEY_A,
        json!({"status": "clear"}),
    )
    .await;
    assert_error_shape(
        &sb.post(
            &format!("/sandbox/reports/{rid}/status"),
            KEY_A,
            json!({"status": "pre_adverse"}),
        )
        .await,
        422,
    );
    assert_error_shape(
        &sb.post(
            &format!("/sandbox/reports/{rid}/status"),
            KEY_A,
            json!({"status": "final_adverse"}),
        )
        .await,
        422,
    );
    assert_error_shape(
        &sb.post(
            "/sandbox/reports/nope/status",
            KEY_A,
            json!({"status": "clear"}),
        )
        .await,
        404,
    );
}

#[tokio::test]
async fn expire_control_fires_invitation_and_report_updates() {
    let sb = start().await;
    let rx = receiver(0).await;
    register(
        &sb,
        KEY_A,
        ACCOUNT_A,
        "invitation.updated",
        &format!("{}/i", rx.url),
    )
    .await;
    register(
        &sb,
        KEY_A,
        ACCOUNT_A,
        "report.updated",
        &format!("{}/r", rx.url),
    )
    .await;
    let c = sb.candidate(KEY_A, "A", "B", "ab@example.com").await;
    let i = sb
        .invitation(KEY_A, c["id"].as_str().unwrap(), PKG_BASIC)
        .await;
    let r = sb
        .post(
            &format!("/sandbox/invitations/{}/expire", i["id"].as_str().unwrap()),
            KEY_A,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["status"], "expired");
    assert_eq!(r.body["report"]["status"], "expired");
    sb.settled(KEY_A, 2).await;
    let b = rx.bodies();
    assert_eq!(b.len(), 2, "{b:?}");
    assert_eq!(events_for(&b, "invitation", "updated"), 1);
    assert_eq!(events_for(&b, "report", "updated"), 1);
    // control endpoints need auth and respect accounts
    assert_error_shape(
        &sb.call(
            "POST",
            &format!("/sandbox/invitations/{}/expire", i["id"].as_str().unwrap()),
            None,
            None,
        )
        .await,
        401,
    );
    assert_error_shape(
        &sb.post(
            &format!(
                "/sandbox/invitations/{}/complete",
                i["id"].as_str().unwrap()
            ),
            KEY_B,
            json!({}),
        )
        .await,
        404,
    );
}

#[tokio::test]
async fn invitation_status_control_walks_every_invitation_status() {
    let sb = start().await;
    let rx = receiver(0).await;
    register(
        &sb,
        KEY_A,
        ACCOUNT_A,
        "invitation.updated",
        &format!("{}/i", rx.url),
    )
    .await;
    let c = sb.candidate(KEY_A, "A", "Smith", "a@example.com").await;
    let i = sb
        .invitation(KEY_A, c["id"].as_str().unwrap(), PKG_BASIC)
        .await;
    let path = format!("/sandbox/invitations/{}/status", i["id"].as_str().unwrap());
    for s in ["viewed", "clicked", "completed"] {
        let r = sb.post(&path, KEY_A, json!({"status": s})).await;
        assert_eq!(r.status, StatusCode::OK, "{s}: {}", r.text);
        assert_eq!(r.body["status"], s);
    }
    sb.settled(KEY_A, 3).await;
    let b = rx.bodies();
    assert_eq!(events_for(&b, "invitation", "updated"), 3, "{b:?}");
    assert_eq!(b.len(), 3, "{b:?}");
    assert_error_shape(
        &sb.post(&path, KEY_A, json!({"status": "viewed"})).await,
        422,
    );
    assert_error_shape(
        &sb.post(&path, KEY_A, json!({"status": "invite_sent"}))
            .await,
        422,
    );
    let i2 = sb
        .invitation(KEY_A, c["id"].as_str().unwrap(), PKG_BASIC)
        .await;
    let p2 = format!("/sandbox/invitations/{}/status", i2["id"].as_str().unwrap());
    assert_eq!(
        sb.post(&p2, KEY_A, json!({"status": "canceled"}))
            .await
            .body["status"],
        "canceled"
    );
    let i3 = sb
        .invitation(KEY_A, c["id"].as_str().unwrap(), PKG_BASIC)
        .await;
    let p3 = format!("/sandbox/invitations/{}/status", i3["id"].as_str().unwrap());
    assert_eq!(
        sb.post(&p3, KEY_A, json!({"status": "expired"})).await.body["status"],
        "expired"
    );
    assert_error_shape(
        &sb.post(
            "/sandbox/invitations/nope/status",
            KEY_A,
            json!({"status": "viewed"}),
        )
        .await,
        404,
    );
}

#[tokio::test]
async fn webhook_queue_counts_deliveries_until_sent_and_retried() {
    let sb = start_with(SandboxConfig {
        webhook_retry_base: Duration::from_millis(300),
        ..Default::default()
    })
    .await;
    let queue = || async {
        let r = reqwest::get(sb.url("/sandbox/webhook_queue"))
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.json::<serde_json::Value>().await.unwrap()["pending"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(queue().await, 0);
    // The first two attempts fail: the delivery stays queued through its retries.
    let rx = receiver(2).await;
    register(
        &sb,
        KEY_A,
        ACCOUNT_A,
        "candidate.created",
        &format!("{}/c", rx.url),
    )
    .await;
    sb.candidate(
        KEY_A,
        "Quinn",
        "Queue",
        &format!("q{}@example.com", uuid::Uuid::new_v4()),
    )
    .await;
    assert_eq!(queue().await, 1, "queued while its retries wait");
    rx.wait_for(|b| events_for(b, "candidate", "created") == 1)
        .await;
    let mut left = 1;
    for _ in 0..100 {
        left = queue().await;
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(left, 0, "sent: nothing left in the queue");
}
