//! invite_sent → viewed → clicked → completed (apply page) and report created → processing →
//! final, with every webhook received by a test receiver.

use crate::common::*;
use axum::http::StatusCode;
use serde_json::{json, Value};

const ALL_TYPES: &[&str] = &[
    "candidate.created",
    "candidate.updated",
    "candidate.consented",
    "invitation.created",
    "invitation.updated",
    "invitation.deleted",
    "report.created",
    "report.updated",
    "report.completed",
];

async fn register_all(sb: &Sb, rx: &Receiver) {
    for t in ALL_TYPES {
        register(sb, KEY_A, ACCOUNT_A, t, &format!("{}/{}", rx.url, t)).await;
    }
}

fn apply_path(apply: &str, origin: &str) -> String {
    apply.strip_prefix(origin).unwrap().to_string()
}

#[tokio::test]
async fn apply_page_drives_the_whole_flow_with_webhooks() {
    let sb = start().await;
    let rx = receiver(0).await;
    register_all(&sb, &rx).await;
    let c = sb
        .candidate(KEY_A, "John", "Clean", "john.clean@example.com")
        .await;
    let cid = c["id"].as_str().unwrap().to_string();
    let inv = sb.invitation(KEY_A, &cid, PKG_DELUXE).await;
    let iid = inv["id"].as_str().unwrap().to_string();
    let rid = inv["report"]["id"].as_str().unwrap().to_string();
    let apply = apply_path(
        inv["meta"]["apply"].as_str().unwrap(),
        sb.handle.app_origin(),
    );

    // opening the page: viewed
    let page = sb.http.get(sb.url(&apply)).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let csp = page
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("frame-ancestors *"),
        "{csp}"
    );
    assert!(page.headers().get("x-frame-options").is_none());
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<form")
            && html.contains("name=\"consent\"")
            && html.contains("name=\"ssn\"")
    );
    assert!(html.contains("<script src=\"/assets/apply.js\""));
    assert!(!html.contains("<script>"), "no inline script");
    assert_eq!(
        sb.get(&format!("/invitations/{iid}"), KEY_A).await.body["status"],
        "viewed"
    );

    // first interaction: clicked
    let started = apply.replacen("/apply?", "/apply/started?", 1);
    let r = sb.http.post(sb.url(&started)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(
        sb.get(&format!("/invitations/{iid}"), KEY_A).await.body["status"],
        "clicked"
    );

    // an invalid submission re-renders the form with errors (422), nothing completes
    let bad = sb
        .http
        .post(sb.url(&apply))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("first_name=John")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 422);
    let bad_html = bad.text().await.unwrap();
    assert!(bad_html.contains("consent-error") && bad_html.contains("ssn-error"));
    assert_eq!(
        sb.get(&format!("/invitations/{iid}"), KEY_A).await.body["status"],
        "clicked"
    );

    // a valid submission completes
    let form = "first_name=John&last_name=Clean&date_of_birth=1990-04-01&ssn=123-45-6789&line1=1+Main+St&city=Minneapolis&state=mn&zip_code=55401&consent=yes";
    let ok = sb
        .http
        .post(sb.url(&apply))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    let ok_html = ok.text().await.unwrap();
    assert!(ok_html.contains("data-submitted=\"1\"") && ok_html.contains("/assets/apply.js"));
    assert!(ok_html.contains(inv["confirmation_code"].as_str().unwrap()));
    let i = sb.get(&format!("/invitations/{iid}"), KEY_A).await.body;
    assert_eq!(i["status"], "completed");
    let cand = sb.get(&format!("/candidates/{cid}"), KEY_A).await.body;
    assert_eq!(cand["ssn_masked"], "###-##-6789");
    assert_eq!(cand["addresses"]["data"][0]["state"], "MN");
    assert!(cand["consented_at"].is_string());

    // the page again: already submitted
    let again = sb
        .http
        .get(sb.url(&apply))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(again.contains("already been submitted"));

    let rep = sb
        .wait_report(KEY_A, &rid, |b| b["status"] == "clear")
        .await;
    assert!(rep["report_screenings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["status"] == "clear"));
    assert_eq!(rep["candidate"]["full_address"]["city"], "Minneapolis");

    // Eleven events in all, on nine target URLs (one queue each): wait until every queued
    // delivery was answered, then count exactly.
    let log = sb.settled(KEY_A, 11).await;
    assert!(log.iter().all(|d| d["state"] == "delivered"), "{log:?}");
    let bodies = rx.bodies();
    assert_eq!(bodies.len(), log.len(), "one received body per delivery");
    assert_eq!(events_for(&bodies, "candidate", "created"), 1);
    assert_eq!(events_for(&bodies, "invitation", "created"), 1);
    assert_eq!(events_for(&bodies, "report", "created"), 1);
    assert_eq!(
        events_for(&bodies, "invitation", "updated"),
        3,
        "viewed, clicked, completed"
    );
    assert_eq!(
        events_for(&bodies, "candidate", "updated"),
        1,
        "intake data"
    );
    assert_eq!(events_for(&bodies, "candidate", "consented"), 1);
    assert_eq!(
        events_for(&bodies, "report", "updated"),
        2,
        "processing, clear"
    );
    // every delivery verifies and points at the right resource
    for r in rx.got.lock().unwrap().iter() {
        assert_eq!(
            r.signature.as_deref(),
            Some(hmac_hex(SIG_A, &r.body).as_str())
        );
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            r.path,
            format!(
                "/{}.{}",
                v["resource_type"].as_str().unwrap(),
                v["event"].as_str().unwrap()
            )
        );
        let want = match v["resource_type"].as_str().unwrap() {
            "candidate" => cid.clone(),
            "invitation" => iid.clone(),
            _ => rid.clone(),
        };
        assert_eq!(v["resource_id"], json!(want));
    }
}

#[tokio::test]
async fn markers_in_the_last_name_decide_the_outcome() {
    let sb = start().await;
    for (n, (last, want)) in [
        ("Smith", "clear"),
        ("McCONSIDERson", "consider"),
        ("Exception", "exception"),
        ("Info-Requested", "info_requested"),
    ]
    .iter()
    .enumerate()
    {
        let c = sb
            .candidate(KEY_A, "T", last, &format!("t{n}@example.com"))
            .await;
        let i = sb
            .invitation(KEY_A, c["id"].as_str().unwrap(), PKG_STANDARD)
            .await;
        let r = sb
            .post(
                &format!(
                    "/sandbox/invitations/{}/complete",
                    i["id"].as_str().unwrap()
                ),
                KEY_A,
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["report"]["status"], "processing");
        let rep = sb
            .wait_report(KEY_A, i["report"]["id"].as_str().unwrap(), |b| {
                b["status"] != "processing"
            })
            .await;
        assert_eq!(rep["status"], *want, "{last}");
    }
}

#[tokio::test]
async fn complete_accepts_intake_overrides() {
    let sb = start().await;
    let c = sb.candidate(KEY_A, "Pat", "Smith", "pat@example.com").await;
    let i = sb
        .invitation(KEY_A, c["id"].as_str().unwrap(), PKG_BASIC)
        .await;
    let r = sb
        .post(
            &format!(
                "/sandbox/invitations/{}/complete",
                i["id"].as_str().unwrap()
            ),
            KEY_A,
            json!({"last_name": "Consider", "date_of_birth": "1985-02-03", "ssn": "6789"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let rep = sb
        .wait_report(KEY_A, i["report"]["id"].as_str().unwrap(), |b| {
            b["status"] != "processing"
        })
        .await;
    assert_eq!(rep["status"], "consider");
    assert_eq!(rep["candidate"]["full_name"], "Pat Consider");
    // bad overrides → 422, nothing changes
    let c2 = sb.candidate(KEY_A, "Q", "R", "q@example.com").await;
    let i2 = sb
        .invitation(KEY_A, c2["id"].as_str().unwrap(), PKG_BASIC)
        .await;
    let r = sb
        .post(
            &format!(
                "/sandbox/invitations/{}/complete",
                i2["id"].as_str().unwrap()
            ),
            KEY_A,
            json!({"ssn": "x"}),
        )
        .await;
    assert_error_shape(&r, 422);
    assert_eq!(
        sb.get(
            &format!("/invitations/{}", i2["id"].as_str().unwrap()),
            KEY_A
        )
        .await
        .body["status"],
        "invite_sent"
    );
}

#[tokio::test]
async fn canceled_or_expired_invitations_close_the_apply_page() {
    let sb = start().await;
    let c = sb.candidate(KEY_A, "A", "B", "ab@example.com").await;
    let i = sb
        .invitation(KEY_A, c["id"].as_str().unwrap(), PKG_BASIC)
        .await;
    sb.post(
        &format!("/invitations/{}/cancel", i["id"].as_str().unwrap()),
        KEY_A,
        json!({}),
    )
    .await;
    let apply = apply_path(i["meta"]["apply"].as_str().unwrap(), sb.handle.app_origin());
    let r = sb.http.get(sb.url(&apply)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 410);
    assert!(r.text().await.unwrap().contains("canceled"));
    let r = sb
        .http
        .post(sb.url(&apply))
        .body("consent=yes")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 410);
    // unknown report id → 404 page
    let r = sb
        .http
        .get(sb.url(&format!(
            "/candidates/{}/apply?report_id=nope",
            c["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
}
