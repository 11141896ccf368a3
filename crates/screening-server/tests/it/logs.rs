//! Logs never carry applicant PII or secrets. Every test's logs go to one captured buffer
//! (installed by `support::Env::start`); this test looks for its own applicant's data.

use serde_json::json;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_redact_applicant_pii_and_secrets() {
    let env = Env::start(Opts {
        progress_updates: true,
        ..Opts::default()
    })
    .await;
    let mut order = seed_order("pii-1", &env.receiver.url());
    order["applicant"] = json!({
        "id": "app-77", "first_name": "Zebulon", "last_name": "Quixotic", "phone": "(312) 555-0199",
        "email": "zebulon.quixotic@example.com", "address": "742 Evergreen Terrace", "address_2": "Unit 9",
        "city": "Shelbyville", "state": "IL", "zip": "62565"
    });
    let (s, v) = env.order(&order).await;
    assert_eq!(s, 201, "{v}");
    // A validation failure echoing bad values must not log them either.
    let mut bad = order.clone();
    bad["background_check_id"] = json!("pii-2");
    bad["applicant"]["email"] = json!("zebulon.bad@@example");
    assert_eq!(env.order(&bad).await.0, 422);
    for inv in list(&env.yardstik_get("/invitations").await) {
        env.yardstik_post(
            &format!(
                "/sandbox/invitations/{}/complete",
                inv["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    }
    env.receiver
        .wait_for("complete", |b| {
            b.iter()
                .any(|w| w["status"] == "complete" && w["background_check_id"] == "pii-1")
        })
        .await;

    let logs = captured_logs();
    assert!(logs.contains("pii-1"), "the order was logged by id");
    assert!(logs.contains("order placed"));
    for secret in [
        "Zebulon",
        "Quixotic",
        "zebulon",
        "555-0199",
        "3125550199",
        "+13125550199",
        "Evergreen",
        "Shelbyville",
        "62565",
        KEY_A,
        SIG_A,
        ATS_SECRET,
        "demo-yardstik-key",
        "Account demo",
    ] {
        assert!(!leaks(&logs, secret), "logs contain {secret:?}");
    }
}

/// `secret` appears in `logs`. A number counts only as a whole token: other tests' ids, ports
/// and timestamps (hex and decimal digits) may contain the same digits by chance.
fn leaks(logs: &str, secret: &str) -> bool {
    if !secret.bytes().all(|b| b.is_ascii_digit()) {
        return logs.contains(secret);
    }
    logs.match_indices(secret).any(|(i, _)| {
        let before = logs[..i].chars().next_back();
        let after = logs[i + secret.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}
