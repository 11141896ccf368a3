use crate::common::*;
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn create_candidate_with_the_seed_example() {
    let sb = start().await;
    // The reference's example body (its `"phone": "" optional` annotation dropped).
    let r = sb.post("/candidates", KEY_A, json!({"first_name": "Kirk", "last_name": "Boehm", "email": "kirk.b@example.com", "phone": ""})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let c = &r.body;
    assert_eq!(c["object"], "candidate");
    assert_eq!(c["full_name"], "Kirk Boehm");
    assert_eq!(c["first_name"], "Kirk");
    assert_eq!(c["middle_name"], json!(null));
    assert_eq!(c["no_middle_name"], json!(false));
    assert_eq!(c["email"], "kirk.b@example.com");
    assert_eq!(c["ssn_masked"], json!(null));
    assert_eq!(c["additional_data"], json!({}));
    assert_eq!(c["person_type"], "candidate");
    assert_eq!(c["active"], json!(true));
    assert_eq!(c["external_reference"], json!([]));
    assert_eq!(
        c["account"],
        json!({"id": ACCOUNT_A, "account_name": "Demo Staffing Co"})
    );
    assert_eq!(c["addresses"]["object"], "list");
    assert!(c["meta"]["entity"].is_string() && c["meta"]["create_report"].is_string());
    assert!(c["created_at"].as_str().unwrap().ends_with('Z'));

    // same email again → 200 "already exists", same id
    let r2 = sb
        .post(
            "/candidates",
            KEY_A,
            json!({"first_name": "K", "last_name": "B", "email": "KIRK.B@example.com"}),
        )
        .await;
    assert_eq!(r2.status, StatusCode::OK);
    assert_eq!(r2.body["id"], c["id"]);
    assert_eq!(
        r2.body["first_name"], "Kirk",
        "existing candidate unchanged"
    );

    // the same email in another account is another candidate
    let r3 = sb
        .post(
            "/candidates",
            KEY_B,
            json!({"first_name": "K", "last_name": "B", "email": "kirk.b@example.com"}),
        )
        .await;
    assert_eq!(r3.status, StatusCode::CREATED);
    assert_ne!(r3.body["id"], c["id"]);
}

#[tokio::test]
async fn create_candidate_validation_errors_are_422_with_fields() {
    let sb = start().await;
    let r = sb.post("/candidates", KEY_A, json!({})).await;
    assert_error_shape(&r, 422);
    for f in ["first_name", "last_name", "email"] {
        assert!(
            r.body["meta"]["errors"][f].is_array(),
            "{f} error in {}",
            r.text
        );
    }
    let r = sb
        .post(
            "/candidates",
            KEY_A,
            json!({"first_name": "A", "last_name": "B", "email": "not-an-email"}),
        )
        .await;
    assert_error_shape(&r, 422);
    assert!(r.body["meta"]["errors"]["email"].is_array());
    let r = sb
        .post(
            "/candidates",
            KEY_A,
            json!({"first_name": 5, "last_name": ["x"], "email": "a@b.co"}),
        )
        .await;
    assert_error_shape(&r, 422);
    let r = sb
        .post(
            "/candidates",
            KEY_A,
            json!({"first_name": "A", "last_name": "B", "email": "a@b.co", "ssn": "12"}),
        )
        .await;
    assert_error_shape(&r, 422);
    assert!(r.body["meta"]["errors"]["ssn"].is_array());
}

#[tokio::test]
async fn get_update_list_candidates() {
    let sb = start().await;
    let c = sb
        .candidate(KEY_A, "Joe", "Clean", "joe.clean@example.com")
        .await;
    let id = c["id"].as_str().unwrap();
    let r = sb.get(&format!("/candidates/{id}"), KEY_A).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, c);

    let r = sb
        .call(
            "PATCH",
            &format!("/candidates/{id}"),
            Some(KEY_A),
            Some(json!({
                "middle_name": "Q", "ssn": "123-45-6789", "date_of_birth": "1990-04-01",
                "phone": "+14155552671",
                "addresses": [{"line1": "1 Main St", "city": "Springfield", "state": "IL", "zip_code": "62701"}],
                "custom_fields": {"badge": "A1"}
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["full_name"], "Joe Q Clean");
    assert_eq!(r.body["ssn_masked"], "###-##-6789");
    assert!(
        r.body.get("ssn").is_none(),
        "the SSN itself is never rendered"
    );
    assert_eq!(r.body["addresses"]["data"][0]["city"], "Springfield");
    assert_eq!(r.body["addresses"]["data"][0]["object"], "address");
    assert_eq!(r.body["custom_fields"][0]["name"], "badge");

    let r = sb
        .call(
            "PATCH",
            &format!("/candidates/{id}"),
            Some(KEY_A),
            Some(json!({"email": "bad"})),
        )
        .await;
    assert_error_shape(&r, 422);
    sb.candidate(KEY_A, "Ann", "Other", "ann@example.com").await;
    let r = sb
        .call(
            "PATCH",
            &format!("/candidates/{id}"),
            Some(KEY_A),
            Some(json!({"email": "ann@example.com"})),
        )
        .await;
    assert_error_shape(&r, 422);

    let r = sb.get("/candidates", KEY_A).await;
    assert_eq!(r.body["object"], "list");
    assert_eq!(r.body["meta"]["total_count"], 2);
    assert_eq!(r.body["data"][0]["object"], "candidate");

    let r = sb
        .get("/candidates/00000000-0000-0000-0000-000000000000", KEY_A)
        .await;
    assert_error_shape(&r, 404);
    assert_eq!(r.body["title"], "Candidate Not Found");
    assert_eq!(
        r.body["meta"]["candidate_id"],
        "00000000-0000-0000-0000-000000000000"
    );
}
