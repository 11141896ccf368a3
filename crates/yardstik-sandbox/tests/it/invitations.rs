use crate::common::*;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde_json::json;

#[tokio::test]
async fn create_invitation_has_the_seed_shape() {
    let sb = start().await;
    let c = sb
        .candidate(KEY_A, "Kirk", "Boehm", "kirk.b@example.com")
        .await;
    // the reference's example body (with real ids and an empty invitation_code)
    let r = sb
        .post("/invitations", KEY_A, json!({"account_package_id": PKG_BASIC, "candidate_id": c["id"], "invitation_code": ""}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let i = &r.body;
    assert_eq!(i["status"], "invite_sent");
    assert_eq!(i["invitation_code"], json!(null));
    assert_eq!(i["canceled_at"], json!(null));
    let code = i["confirmation_code"].as_str().unwrap();
    assert_eq!(code.len(), 9);
    assert_eq!(&code[3..4], "-");
    assert_eq!(i["account_id"], ACCOUNT_A);
    assert_eq!(i["account_name"], "Demo Staffing Co");
    assert_eq!(i["report_urls"], json!([]));
    assert!(i["styles"]["primary_color"].is_string());
    assert_eq!(i["candidate"]["id"], c["id"]);
    assert_eq!(i["account"]["account_name"], "Demo Staffing Co");
    assert!(
        i["account"].get("support_email_address").is_some()
            && i["account"].get("support_phone").is_some()
    );
    let apply = i["meta"]["apply"].as_str().unwrap();
    let rid = i["report"]["id"].as_str().unwrap();
    assert!(
        apply.starts_with(&format!(
            "{}/candidates/{}/apply?report_id={rid}",
            sb.handle.app_origin(),
            c["id"].as_str().unwrap()
        )),
        "{apply}"
    );
    assert!(
        apply.contains(&format!("account_package_id={PKG_BASIC}"))
            && apply.ends_with("auth_type=email")
    );
    assert_eq!(i["meta"]["apply_url"], i["meta"]["apply"]);
    assert!(i["meta"]["entity"].is_string());
    assert_eq!(i["report"]["status"], "created");
    // default expiry: 7 days
    let exp = chrono::DateTime::parse_from_rfc3339(i["expires_at"].as_str().unwrap()).unwrap();
    let days = (exp.with_timezone(&Utc) - Utc::now()).num_hours();
    assert!((167..=168).contains(&days), "{days}");

    let g = sb
        .get(
            &format!("/invitations/{}", i["id"].as_str().unwrap()),
            KEY_A,
        )
        .await;
    assert_eq!(g.status, StatusCode::OK);
    assert_eq!(g.body["id"], i["id"]);
    let l = sb.get("/invitations", KEY_A).await;
    assert_eq!(l.body["meta"]["total_count"], 1);
    assert_eq!(l.body["data"][0]["object"], "invitation");
    let rep = sb.get(&format!("/reports/{rid}"), KEY_A).await;
    assert_eq!(rep.body["status"], "created");
    assert_eq!(rep.body["invitation_id"], i["id"]);
}

#[tokio::test]
async fn create_invitation_errors() {
    let sb = start().await;
    let c = sb.candidate(KEY_A, "A", "B", "ab@example.com").await;
    let r = sb.post("/invitations", KEY_A, json!({})).await;
    assert_error_shape(&r, 422);
    assert!(r.body["meta"]["errors"]["candidate_id"].is_array());
    assert!(r.body["meta"]["errors"]["account_package_id"].is_array());
    let r = sb
        .post(
            "/invitations",
            KEY_A,
            json!({"candidate_id": "nope", "account_package_id": PKG_BASIC}),
        )
        .await;
    assert_error_shape(&r, 404);
    let r = sb
        .post(
            "/invitations",
            KEY_A,
            json!({"candidate_id": c["id"], "account_package_id": PKG_B_BASIC}),
        )
        .await;
    assert_error_shape(&r, 404);
    let past = (Utc::now() - Duration::hours(1)).to_rfc3339();
    let r = sb
        .post(
            "/invitations",
            KEY_A,
            json!({"candidate_id": c["id"], "account_package_id": PKG_BASIC, "expires_at": past}),
        )
        .await;
    assert_error_shape(&r, 422);
    let r = sb
        .post(
            "/invitations",
            KEY_A,
            json!({"candidate_id": c["id"], "account_package_id": PKG_BASIC, "expires_at": "soon"}),
        )
        .await;
    assert_error_shape(&r, 422);
    let when =
        (Utc::now() + Duration::days(2)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let r = sb
        .post(
            "/invitations",
            KEY_A,
            json!({"candidate_id": c["id"], "account_package_id": PKG_BASIC, "expires_at": when}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.body["expires_at"], json!(when));
}

#[tokio::test]
async fn cancel_refresh_delete() {
    let sb = start().await;
    let c = sb.candidate(KEY_A, "A", "B", "ab@example.com").await;
    let i = sb
        .invitation(KEY_A, c["id"].as_str().unwrap(), PKG_BASIC)
        .await;
    let id = i["id"].as_str().unwrap();
    let rid = i["report"]["id"].as_str().unwrap();

    // refresh an open invitation → 422
    let r = sb
        .post(&format!("/invitations/{id}/refresh"), KEY_A, json!({}))
        .await;
    assert_error_shape(&r, 422);

    let r = sb
        .post(&format!("/invitations/{id}/cancel"), KEY_A, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "canceled");
    assert!(r.body["canceled_at"].is_string());
    assert_eq!(r.body["report"]["status"], "canceled");
    // cancel twice → 422
    let r = sb
        .call(
            "POST",
            &format!("/invitations/{id}/cancel"),
            Some(KEY_A),
            None,
        )
        .await;
    assert_error_shape(&r, 422);

    // refresh with expires_at < 24 h → 422
    let soon = (Utc::now() + Duration::hours(23)).to_rfc3339();
    let r = sb
        .post(
            &format!("/invitations/{id}/refresh"),
            KEY_A,
            json!({"expires_at": soon}),
        )
        .await;
    assert_error_shape(&r, 422);
    assert!(r.body["meta"]["errors"]["expires_at"].is_array());
    let later = (Utc::now() + Duration::hours(25)).to_rfc3339();
    let r = sb
        .post(
            &format!("/invitations/{id}/refresh"),
            KEY_A,
            json!({"expires_at": later}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "invite_sent");
    assert_eq!(r.body["canceled_at"], json!(null));
    assert_eq!(r.body["report"]["status"], "created");

    // expire (control) then refresh without a body → default expiry
    let r = sb
        .post(
            &format!("/sandbox/invitations/{id}/expire"),
            KEY_A,
            json!({}),
        )
        .await;
    assert_eq!(r.body["status"], "expired");
    let rep = sb.get(&format!("/reports/{rid}"), KEY_A).await;
    assert_eq!(rep.body["status"], "expired");
    let r = sb
        .call(
            "POST",
            &format!("/invitations/{id}/refresh"),
            Some(KEY_A),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "invite_sent");

    // delete → 204, then 404
    let r = sb
        .call("DELETE", &format!("/invitations/{id}"), Some(KEY_A), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = sb.get(&format!("/invitations/{id}"), KEY_A).await;
    assert_error_shape(&r, 404);
    let r = sb
        .call("DELETE", &format!("/invitations/{id}"), Some(KEY_A), None)
        .await;
    assert_error_shape(&r, 404);
}

#[tokio::test]
async fn completed_invitations_cannot_be_canceled_or_deleted() {
    let sb = start().await;
    let c = sb.candidate(KEY_A, "A", "B", "ab@example.com").await;
    let i = sb
        .invitation(KEY_A, c["id"].as_str().unwrap(), PKG_BASIC)
        .await;
    let id = i["id"].as_str().unwrap();
    let r = sb
        .post(
            &format!("/sandbox/invitations/{id}/complete"),
            KEY_A,
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "completed");
    assert_error_shape(
        &sb.post(&format!("/invitations/{id}/cancel"), KEY_A, json!({}))
            .await,
        422,
    );
    assert_error_shape(
        &sb.call("DELETE", &format!("/invitations/{id}"), Some(KEY_A), None)
            .await,
        422,
    );
    assert_error_shape(
        &sb.post(
            &format!("/sandbox/invitations/{id}/complete"),
            KEY_A,
            json!({}),
        )
        .await,
        422,
    );
    assert_error_shape(
        &sb.post(
            &format!("/sandbox/invitations/{id}/expire"),
            KEY_A,
            json!({}),
        )
        .await,
        422,
    );
}

#[tokio::test]
async fn invitations_expire_on_their_own() {
    let sb = start_with(yardstik_sandbox::SandboxConfig {
        expiry_sweep_interval: std::time::Duration::from_millis(20),
        ..Default::default()
    })
    .await;
    let c = sb.candidate(KEY_A, "A", "B", "ab@example.com").await;
    let when = (Utc::now() + Duration::milliseconds(300)).to_rfc3339();
    let r = sb
        .post(
            "/invitations",
            KEY_A,
            json!({"candidate_id": c["id"], "account_package_id": PKG_BASIC, "expires_at": when}),
        )
        .await;
    let id = r.body["id"].as_str().unwrap().to_string();
    for _ in 0..250 {
        let g = sb.get(&format!("/invitations/{id}"), KEY_A).await;
        if g.body["status"] == "expired" {
            assert_eq!(g.body["report"]["status"], "expired");
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("invitation never expired");
}
