//! Methods the reference does not give answer 405, the `User` key scheme works, and
//! reference-only mode serves nothing the sandbox inferred: no adverse-action list, get or
//! cancel, no subscription list, predicates only on the fields the reference filters by, and
//! the apply pages on a second origin.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;
use yardstik_sandbox::{Fixture, SandboxConfig};

use crate::common::*;

async fn reference_only() -> Sb {
    let mut fixture = Fixture::default_fixture();
    fixture.reference_only = true;
    start_with(SandboxConfig {
        report_delay: Duration::from_millis(50),
        fixture,
        ..SandboxConfig::default()
    })
    .await
}

#[tokio::test]
async fn methods_the_reference_does_not_give_are_405() {
    let sb = start().await;
    let c = sb.candidate(KEY_A, "Ann", "Clean", "ann@example.com").await;
    let cid = c["id"].as_str().unwrap();
    let inv = sb.invitation(KEY_A, cid, PKG_BASIC).await;
    let iid = inv["id"].as_str().unwrap();
    for (method, path) in [
        ("PUT", format!("/invitations/{iid}/cancel")),
        ("PATCH", format!("/invitations/{iid}/cancel")),
        ("PUT", format!("/invitations/{iid}/refresh")),
        ("PATCH", format!("/invitations/{iid}/refresh")),
        ("PUT", format!("/candidates/{cid}")),
        ("POST", format!("/candidates/{cid}")),
        ("GET", format!("/invitations/{iid}/cancel")),
    ] {
        let r = sb.call(method, &path, Some(KEY_A), Some(json!({}))).await;
        assert_error_shape(&r, 405);
    }
    // The invitation is untouched, and the chosen methods work.
    let r = sb.get(&format!("/invitations/{iid}"), KEY_A).await;
    assert_eq!(r.body["status"], "invite_sent");
    let r = sb
        .call(
            "PATCH",
            &format!("/candidates/{cid}"),
            Some(KEY_A),
            Some(json!({"first_name": "Anne"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["first_name"], "Anne");
    let r = sb
        .post(&format!("/invitations/{iid}/cancel"), KEY_A, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "canceled");
}

#[tokio::test]
async fn the_user_key_scheme_is_accepted_and_others_are_not() {
    let sb = start().await;
    let send = |scheme: &'static str| {
        sb.http
            .get(sb.url("/accounts"))
            .header("authorization", format!("{scheme} {KEY_A}"))
            .send()
    };
    let r = send("User").await.unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body[0]["id"], ACCOUNT_A);
    assert_eq!(send("Account").await.unwrap().status(), 200);
    assert_eq!(send("Bearer").await.unwrap().status(), 401);
    assert_eq!(send("Basic").await.unwrap().status(), 401);
}

#[tokio::test]
async fn reference_only_serves_no_inferred_route() {
    let sb = reference_only().await;
    let health = sb.get("/sandbox/health", KEY_A).await;
    assert_eq!(health.body["reference_only"], true);
    // No subscription list; registering still works.
    let r = sb
        .get(&format!("/accounts/{ACCOUNT_A}/webhooks"), KEY_A)
        .await;
    assert_error_shape(&r, 405);
    let r = sb
        .post(
            &format!("/accounts/{ACCOUNT_A}/webhooks"),
            KEY_A,
            json!({"webhook_type": "report.completed", "url": "http://127.0.0.1:9/hook"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    // A consider report: proceed and adverse-action creation are the reference's; listing,
    // getting and canceling an action are not served.
    let c = sb
        .candidate(KEY_A, "Hank", "Consider", "hank@example.com")
        .await;
    let cid = c["id"].as_str().unwrap();
    let inv = sb.invitation(KEY_A, cid, PKG_BASIC).await;
    let iid = inv["id"].as_str().unwrap();
    let rid = inv["report"]["id"].as_str().unwrap();
    sb.post(
        &format!("/sandbox/invitations/{iid}/complete"),
        KEY_A,
        json!({}),
    )
    .await;
    let rep = sb
        .wait_report(KEY_A, rid, |b| b["status"] == "consider")
        .await;
    let description = rep["report_screenings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["records"].as_array().cloned().unwrap_or_default())
        .flat_map(|r| r["violations"].as_array().cloned().unwrap_or_default())
        .find_map(|v| v["description"].as_str().map(str::to_string))
        .expect("a consider report has a violation");
    let r = sb
        .post(
            &format!("/reports/{rid}/adverse_actions"),
            KEY_A,
            json!({"violations": [{"description": description}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let aa = r.body["id"].as_str().unwrap().to_string();
    let rep = sb.get(&format!("/reports/{rid}"), KEY_A).await;
    assert_eq!(rep.body["status"], "pre_adverse");
    assert_eq!(rep.body["adverse_action_id"], aa.as_str());
    let r = sb
        .get(&format!("/reports/{rid}/adverse_actions"), KEY_A)
        .await;
    assert_error_shape(&r, 405);
    let r = sb
        .get(&format!("/reports/{rid}/adverse_actions/{aa}"), KEY_A)
        .await;
    assert_error_shape(&r, 404);
    let r = sb
        .post(
            &format!("/reports/{rid}/adverse_actions/{aa}/cancel"),
            KEY_A,
            json!({}),
        )
        .await;
    assert_error_shape(&r, 404);
    let rep = sb.get(&format!("/reports/{rid}"), KEY_A).await;
    assert_eq!(rep.body["status"], "pre_adverse", "nothing was canceled");
}

#[tokio::test]
async fn reference_only_ignores_predicates_on_other_fields() {
    let sb = reference_only().await;
    let a = sb.candidate(KEY_A, "Ann", "Clean", "ann@example.com").await;
    let b = sb.candidate(KEY_A, "Bob", "Clean", "bob@example.com").await;
    let (a, b) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
    let ia = sb.invitation(KEY_A, a, PKG_BASIC).await;
    sb.invitation(KEY_A, b, PKG_STANDARD).await;
    assert!(ia.get("candidate_id").is_none(), "{ia}");
    assert!(ia.get("account_package_id").is_none(), "{ia}");
    assert_eq!(ia["candidate"]["id"], a);
    let r = sb
        .get(
            &format!(
                "/invitations?query[candidate_id_eq]={a}&query[account_package_id_eq]={PKG_BASIC}"
            ),
            KEY_A,
        )
        .await;
    assert_eq!(r.body["meta"]["total_count"], 2, "{}", r.text);
    let r = sb
        .get("/invitations?query[created_at_gteq]=2999-01-01", KEY_A)
        .await;
    assert_eq!(r.body["meta"]["total_count"], 0, "{}", r.text);

    // The full sandbox honours them.
    let full = start().await;
    let a = full
        .candidate(KEY_A, "Ann", "Clean", "ann@example.com")
        .await;
    let b = full
        .candidate(KEY_A, "Bob", "Clean", "bob@example.com")
        .await;
    let a = a["id"].as_str().unwrap();
    full.invitation(KEY_A, a, PKG_BASIC).await;
    full.invitation(KEY_A, b["id"].as_str().unwrap(), PKG_BASIC)
        .await;
    let r = full
        .get(&format!("/invitations?query[candidate_id_eq]={a}"), KEY_A)
        .await;
    assert_eq!(r.body["meta"]["total_count"], 1, "{}", r.text);
}

#[tokio::test]
async fn reference_only_serves_the_apply_pages_on_a_second_origin() {
    let sb = reference_only().await;
    let profile = sb.handle.profile_origin().to_string();
    assert_ne!(profile, sb.handle.app_origin());
    assert!(profile.starts_with("http://127.0.0.1:"), "{profile}");
    let c = sb.candidate(KEY_A, "Ann", "Clean", "ann@example.com").await;
    let inv = sb
        .invitation(KEY_A, c["id"].as_str().unwrap(), PKG_BASIC)
        .await;
    let apply = inv["meta"]["apply"].as_str().unwrap();
    assert!(
        apply.starts_with(&format!("{profile}/candidates/")),
        "{apply}"
    );
    assert!(inv["meta"]["entity"]
        .as_str()
        .unwrap()
        .starts_with(sb.handle.app_origin()));
    let page = sb.http.get(apply).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("<form"));

    // Without reference-only mode there is no second listener.
    let full = start().await;
    assert_eq!(full.handle.profile_origin(), full.handle.app_origin());
}

#[tokio::test]
async fn the_apply_link_can_be_replaced_as_a_spoofed_upstream_would() {
    let sb = start().await;
    let c = sb.candidate(KEY_A, "Ann", "Clean", "ann@example.com").await;
    let inv = sb
        .invitation(KEY_A, c["id"].as_str().unwrap(), PKG_BASIC)
        .await;
    let iid = inv["id"].as_str().unwrap();
    let own = inv["meta"]["apply"].as_str().unwrap().to_string();
    let r = sb
        .post(
            &format!("/sandbox/invitations/{iid}/apply_url"),
            KEY_A,
            json!({"url": "javascript:alert(1)"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = sb.get(&format!("/invitations/{iid}"), KEY_A).await;
    assert_eq!(r.body["meta"]["apply"], "javascript:alert(1)");
    assert_eq!(r.body["meta"]["apply_url"], "javascript:alert(1)");
    let r = sb
        .post(
            &format!("/sandbox/invitations/{iid}/apply_url"),
            KEY_A,
            json!({"url": 5}),
        )
        .await;
    assert_error_shape(&r, 422);
    let r = sb
        .post(
            &format!("/sandbox/invitations/{iid}/apply_url"),
            KEY_B,
            json!({"url": null}),
        )
        .await;
    assert_error_shape(&r, 404);
    sb.post(
        &format!("/sandbox/invitations/{iid}/apply_url"),
        KEY_A,
        json!({"url": null}),
    )
    .await;
    let r = sb.get(&format!("/invitations/{iid}"), KEY_A).await;
    assert_eq!(r.body["meta"]["apply"], own.as_str());
}
