use crate::common::*;
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn accounts_list_and_get_match_the_seed_shape() {
    let sb = start().await;
    let r = sb.get("/accounts", KEY_A).await;
    assert_eq!(r.status, StatusCode::OK);
    let arr = r
        .body
        .as_array()
        .expect("GET /accounts is a plain array as in the reference");
    assert_eq!(arr.len(), 1, "a key sees only its own account");
    let a = &arr[0];
    for f in [
        "id",
        "account_name",
        "first_name",
        "last_name",
        "email_address",
        "url",
        "tech_email_address",
        "support_email_address",
        "support_phone",
        "compliance_email_address",
        "actions_email_address",
        "configurations",
        "features",
        "logo",
        "meta",
        "permissible_purposes",
    ] {
        assert!(a.get(f).is_some(), "account field {f}");
    }
    assert_eq!(a["account_name"], "Demo Staffing Co");
    assert_eq!(a["permissible_purposes"][0]["name"], "Employment");
    assert!(
        a.get("api_keys").is_none() && a.get("webhook_signature").is_none(),
        "secrets never rendered"
    );

    let r = sb.get(&format!("/accounts/{ACCOUNT_A}"), KEY_A).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["id"], ACCOUNT_A);
    let r = sb.get(&format!("/accounts/{ACCOUNT_B}"), KEY_A).await;
    assert_error_shape(&r, 404);
    let r = sb.get(&format!("/accounts/{ACCOUNT_B}"), KEY_B).await;
    assert_eq!(r.body["account_name"], "Other Tenant Inc");
}

#[tokio::test]
async fn account_packages_have_the_contract_ids_and_monitor_filter() {
    let sb = start().await;
    let r = sb
        .get(&format!("/accounts/{ACCOUNT_A}/account_packages"), KEY_A)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let pk = r.body.as_array().unwrap();
    let ids: Vec<&str> = pk.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        vec![PKG_BASIC, PKG_STANDARD, PKG_DELUXE, PKG_DRUG7, PKG_DRUG10],
        "report packages by default"
    );
    let names: Vec<&str> = pk.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        vec![
            "Basic",
            "Standard",
            "Deluxe",
            "Basic Drug Screening",
            "Comprehensive Drug Screening"
        ]
    );
    let deluxe = &pk[2];
    let labels: Vec<&str> = deluxe["screenings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        vec![
            "Address to Federal Criminal History (7 year)",
            "Social Security Address/Alias Trace",
            "OFAC Specially Designated Nationals",
            "USA CriminalSearch and USA Offender"
        ]
    );
    for f in [
        "id",
        "package_id",
        "package",
        "name",
        "package_system_name",
        "action_type",
        "screenings",
    ] {
        assert!(deluxe.get(f).is_some(), "package field {f}");
    }
    for s in deluxe["screenings"].as_array().unwrap() {
        for f in ["id", "name", "label", "screening_type"] {
            assert!(s.get(f).is_some());
        }
    }
    let r = sb
        .get(
            &format!("/accounts/{ACCOUNT_A}/account_packages?query[action_type_eq]=monitor"),
            KEY_A,
        )
        .await;
    let pk = r.body.as_array().unwrap();
    assert_eq!(pk.len(), 1);
    assert_eq!(pk[0]["id"], PKG_MONITOR);
    assert_eq!(pk[0]["action_type"], "monitor");

    let r = sb
        .get(&format!("/accounts/{ACCOUNT_B}/account_packages"), KEY_A)
        .await;
    assert_error_shape(&r, 404);
    let r = sb
        .get(&format!("/accounts/{ACCOUNT_B}/account_packages"), KEY_B)
        .await;
    assert_eq!(r.body, json!([r.body[0].clone()]));
    assert_eq!(r.body[0]["id"], PKG_B_BASIC);
}

#[tokio::test]
async fn authentication_is_account_scheme_only() {
    let sb = start().await;
    let r = sb.call("GET", "/accounts", None, None).await;
    assert_error_shape(&r, 401);
    let r = sb.call("GET", "/accounts", Some("wrong-key"), None).await;
    assert_error_shape(&r, 401);
    let r = sb
        .http
        .get(sb.url("/accounts"))
        .header("authorization", format!("Bearer {KEY_A}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let r = sb
        .http
        .get(sb.url("/accounts"))
        .header("authorization", format!("Account {KEY_A}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "Accept header is optional");
}

#[tokio::test]
async fn disabled_features_answer_403() {
    let mut fixture = yardstik_sandbox::Fixture::default_fixture();
    fixture.accounts[0]
        .features
        .insert("create:web_tokens".into(), json!(false));
    fixture.accounts[0]
        .features
        .insert("view:reports".into(), json!(false));
    let sb = start_with(yardstik_sandbox::SandboxConfig {
        fixture,
        ..Default::default()
    })
    .await;
    let r = sb
        .post("/web_tokens", KEY_A, json!({"user_email": USER_A}))
        .await;
    assert_error_shape(&r, 403);
    assert_eq!(r.body["meta"]["feature"], "create:web_tokens");
    assert_error_shape(&sb.get("/reports", KEY_A).await, 403);
    let a = sb.get(&format!("/accounts/{ACCOUNT_A}"), KEY_A).await;
    assert_eq!(a.body["features"]["create:web_tokens"], false);
    assert_eq!(a.body["features"]["create:candidates"], true);
    // other accounts unaffected
    assert_eq!(sb.get("/reports", KEY_B).await.status, StatusCode::OK);
}
