//! A key of account A never sees account B's data.

use crate::common::*;
use serde_json::json;

#[tokio::test]
async fn account_b_cannot_see_or_touch_account_a_resources() {
    let sb = start().await;
    let c = sb.candidate(KEY_A, "A", "B", "ab@example.com").await;
    let cid = c["id"].as_str().unwrap();
    let i = sb.invitation(KEY_A, cid, PKG_BASIC).await;
    let iid = i["id"].as_str().unwrap();
    let rid = i["report"]["id"].as_str().unwrap();
    let r = sb
        .post(
            "/reports",
            KEY_A,
            json!({"candidate_id": cid, "account_package_id": PKG_BASIC}),
        )
        .await;
    let rid2 = r.body["id"].as_str().unwrap();

    for path in [
        format!("/candidates/{cid}"),
        format!("/invitations/{iid}"),
        format!("/reports/{rid}"),
        format!("/reports/{rid2}"),
        format!("/accounts/{ACCOUNT_A}"),
        format!("/accounts/{ACCOUNT_A}/account_packages"),
        format!("/accounts/{ACCOUNT_A}/webhooks"),
    ] {
        assert_error_shape(&sb.get(&path, KEY_B).await, 404);
    }
    assert_error_shape(
        &sb.call(
            "PATCH",
            &format!("/candidates/{cid}"),
            Some(KEY_B),
            Some(json!({"first_name": "X"})),
        )
        .await,
        404,
    );
    assert_error_shape(
        &sb.post(&format!("/invitations/{iid}/cancel"), KEY_B, json!({}))
            .await,
        404,
    );
    assert_error_shape(
        &sb.post(&format!("/invitations/{iid}/refresh"), KEY_B, json!({}))
            .await,
        404,
    );
    assert_error_shape(
        &sb.call("DELETE", &format!("/invitations/{iid}"), Some(KEY_B), None)
            .await,
        404,
    );
    assert_error_shape(
        &sb.post(
            "/invitations",
            KEY_B,
            json!({"candidate_id": cid, "account_package_id": PKG_B_BASIC}),
        )
        .await,
        404,
    );
    assert_error_shape(
        &sb.post(
            "/reports",
            KEY_B,
            json!({"candidate_id": cid, "account_package_id": PKG_B_BASIC}),
        )
        .await,
        404,
    );
    assert_error_shape(
        &sb.post(
            &format!("/sandbox/reports/{rid}/status"),
            KEY_B,
            json!({"status": "clear"}),
        )
        .await,
        404,
    );
    assert_error_shape(
        &sb.post(
            &format!("/sandbox/reports/{rid2}/complete"),
            KEY_B,
            json!({}),
        )
        .await,
        404,
    );
    for path in ["/candidates", "/invitations", "/reports"] {
        let r = sb.get(path, KEY_B).await;
        assert_eq!(r.body["meta"]["total_count"], 0, "{path}");
        assert_eq!(r.body["data"], json!([]));
    }
    assert_eq!(
        sb.get("/sandbox/webhook_deliveries", KEY_B).await.body["data"],
        json!([])
    );
    // and A still sees everything
    assert_eq!(
        sb.get("/reports", KEY_A).await.body["meta"]["total_count"],
        2
    );
}
