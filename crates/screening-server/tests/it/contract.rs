//! The ATS partner contract as its document allows it: every variation of the order
//! payload the document permits is taken (201, an invitation), what the ATS said about the
//! hiring manager and the job is kept and shown, and ids written as numbers are written
//! back as numbers.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::*;

/// The candidate Yardstik holds for an order.
async fn yardstik_candidate(env: &Env, bcid: &str) -> Value {
    let t = tenant(env).await;
    let row = order_row(env.db(), &t.id, bcid).await.unwrap().unwrap();
    env.yardstik_get(&format!("/candidates/{}", row.candidate_id.unwrap()))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_order_the_document_allows_is_placed_and_its_context_kept() {
    let env = Env::start(Opts::default()).await;
    let hook = env.receiver.url();
    let applicant = |email: &str| json!({"first_name": "John", "last_name": "Doe", "email": email});
    let variations: Vec<(&str, Value)> = vec![
        (
            "null add-ons",
            json!({"account_id": ATS_USER, "background_check_id": "v-null", "package_id": "PKG001",
                   "add_on_package_ids": null, "webhook_url": hook, "hiring_manager": null,
                   "hiring_manager_user_id": null, "job": null,
                   "applicant": {"id": null, "first_name": "John", "last_name": "Doe", "email": "v-null@example.com",
                                 "phone": null, "address": null, "address_2": null, "city": null, "state": null, "zip": null}}),
        ),
        (
            "numeric ids",
            json!({"account_id": ATS_USER, "background_check_id": 224466, "hiring_manager_user_id": 67890,
                   "package_id": "PKG001", "add_on_package_ids": ["DRG02"], "webhook_url": hook,
                   "hiring_manager": {"id": 67890, "first_name": "Jill", "last_name": "Smith", "email": "jill@example.com"},
                   "applicant": {"id": 12345, "first_name": "John", "last_name": "Doe", "email": "v-num@example.com"},
                   "job": {"id": 777}}),
        ),
        (
            "no phone or address",
            json!({"account_id": ATS_USER, "background_check_id": "v-bare", "package_id": "PKG001",
                   "webhook_url": hook, "applicant": applicant("v-bare@example.com")}),
        ),
        (
            "a UK applicant",
            json!({"account_id": ATS_USER, "background_check_id": "v-uk", "package_id": "PKG001", "webhook_url": hook,
                   "applicant": {"id": "uk-9", "first_name": "Amelia", "last_name": "Hughes", "email": "v-uk@example.co.uk",
                                 "phone": "+44 20 7946 0958", "address": "10 Downing Street", "city": "London",
                                 "state": "Greater London", "zip": "SW1A 2AA"}}),
        ),
        (
            "hiring manager without id",
            json!({"account_id": ATS_USER, "background_check_id": "v-hm", "package_id": "PKG001", "webhook_url": hook,
                   "hiring_manager": {"first_name": "Jill", "last_name": null, "email": "jill@example.com"},
                   "applicant": applicant("v-hm@example.com")}),
        ),
        (
            "job {}",
            json!({"account_id": ATS_USER, "background_check_id": "v-job", "package_id": "PKG001", "webhook_url": hook,
                   "job": {}, "applicant": applicant("v-job@example.com")}),
        ),
    ];
    for (what, order) in &variations {
        let (s, v) = env.order(order).await;
        assert_eq!(s, 201, "{what}: {v}");
        assert_eq!(v["status"], "invited", "{what}: {v}");
        assert!(
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["invitation_status"].is_string()),
            "{what}: every item has its invitation: {v}"
        );
    }
    let show = |id: &'static str| {
        let env = &env;
        async move {
            let (s, v) = env
                .ats(Method::GET, &format!("/ats/orders/{id}"), None)
                .await;
            assert_eq!(s, 200, "{v}");
            v
        }
    };
    // Kept as sent: numbers stay numbers, absent stays absent.
    let v = show("224466").await;
    assert_eq!(v["background_check_id"], "224466");
    assert_eq!(v["hiring_manager_user_id"], json!(67890));
    assert_eq!(
        v["hiring_manager"],
        json!({"id": 67890, "first_name": "Jill", "last_name": "Smith", "email": "jill@example.com"})
    );
    assert_eq!(v["job"], json!({"id": 777}));
    assert_eq!(v["add_on_package_ids"], json!(["DRG02"]));
    let v = show("v-hm").await;
    assert_eq!(
        v["hiring_manager"],
        json!({"first_name": "Jill", "email": "jill@example.com"})
    );
    assert!(v.get("job").is_none(), "{v}");
    let v = show("v-job").await;
    assert_eq!(v["job"], json!({}));
    let v = show("v-null").await;
    assert!(
        v.get("hiring_manager").is_none() && v.get("job").is_none(),
        "{v}"
    );
    assert_eq!(v["add_on_package_ids"], json!([]));

    // What reached Yardstik: what was sent, in Yardstik's forms.
    let c = yardstik_candidate(&env, "224466").await;
    assert_eq!(c["external_id"], "12345", "{c}");
    let c = yardstik_candidate(&env, "v-uk").await;
    assert_eq!(c["phone"], "+442079460958", "{c}");
    let a = &c["addresses"]["data"][0];
    assert_eq!(
        (&a["line1"], &a["city"], &a["state"], &a["zip_code"]),
        (
            &json!("10 Downing Street"),
            &json!("London"),
            &json!("Greater London"),
            &json!("SW1A 2AA")
        ),
        "{c}"
    );
    let c = yardstik_candidate(&env, "v-bare").await;
    assert!(c["phone"].is_null(), "{c}");
    assert_eq!(c["addresses"]["data"], json!([]), "{c}");
    let t = tenant(&env).await;
    let row = order_row(env.db(), &t.id, "v-bare").await.unwrap().unwrap();
    assert!(row.applicant_sealed.is_none(), "dropped once placed");

    // The result webhook writes the id back as the ATS sent it: a number.
    let v = show("224466").await;
    for item in v["items"].as_array().unwrap() {
        let report = item["report_id"].as_str().unwrap();
        let (s, r) = env
            .yardstik_post(
                &format!("/sandbox/reports/{report}/status"),
                json!({"status": "clear", "force": true}),
            )
            .await;
        assert_eq!(s, 200, "{r}");
    }
    let hooks = env
        .receiver
        .wait_for("the numeric order's result", |b| {
            b.iter().any(|h| h["background_check_id"] == json!(224466))
        })
        .await;
    let h = hooks
        .iter()
        .find(|h| h["background_check_id"] == json!(224466))
        .unwrap();
    assert_eq!(h["status"], "complete");
    assert_eq!(h["result"], "Pass");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_name_the_field() {
    let env = Env::start(Opts::default()).await;
    let hook = env.receiver.url();
    for (order, field) in [
        (
            json!({"account_id": ATS_USER, "background_check_id": "r-1", "package_id": "PKG001", "webhook_url": hook,
                   "applicant": {"first_name": "John", "last_name": "Doe"}}),
            "applicant.email",
        ),
        (
            json!({"account_id": ATS_USER, "background_check_id": "r-2", "package_id": "PKG001", "webhook_url": hook,
                   "applicant": {"first_name": "John", "last_name": "Doe", "email": "r2@example.com"},
                   "hiring_manager": {"id": "x".repeat(200)}}),
            "hiring_manager.id",
        ),
        (
            json!({"account_id": ATS_USER, "background_check_id": "", "package_id": "PKG001", "webhook_url": hook,
                   "applicant": {"first_name": "John", "last_name": "Doe", "email": "r3@example.com"}}),
            "background_check_id",
        ),
    ] {
        let (s, v) = env.order(&order).await;
        assert_eq!(s, 422, "{v}");
        assert_eq!(v["field_errors"][0]["field"], field, "{v}");
        assert!(v["error_message"].as_str().unwrap().contains(field), "{v}");
    }
    // An id that is neither a string nor a whole number says which field and why.
    let (s, v) = env
        .order(&json!({"account_id": ATS_USER, "background_check_id": {"x": 1}, "package_id": "PKG001",
                        "webhook_url": hook, "applicant": {"first_name": "J", "last_name": "D", "email": "j@example.com"}}))
        .await;
    assert_eq!(s, 422, "{v}");
    let m = v["error_message"].as_str().unwrap();
    assert!(
        m.contains("background_check_id") && m.contains("whole number"),
        "{v}"
    );
    assert_eq!(list(&env.yardstik_get("/candidates").await).len(), 0);
}

/// Yardstik's reference has no invitation field for who ordered or for which job; an
/// account's candidate custom fields can hold them, when the tenant names them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hiring_manager_and_job_reach_the_custom_fields_the_tenant_named() {
    let env = Env::start(Opts::default()).await;
    let mut spec = tenant_spec();
    spec.settings.yardstik_custom_fields = screening_model::tenant::CustomFields {
        hiring_manager_id: Some("ats_hiring_manager_id".into()),
        hiring_manager_name: Some("ats_hiring_manager".into()),
        hiring_manager_email: None,
        job_id: Some("ats_job_id".into()),
    };
    env.db()
        .upsert_tenant(&spec, ATS_SECRET, true)
        .await
        .unwrap();
    let mut order = simple_order("cf-1", &env.receiver.url(), "cf@example.com", "Doe");
    order["hiring_manager_user_id"] = json!(67890);
    order["job"] = json!({"id": 4242});
    let (s, v) = env.order(&order).await;
    assert_eq!(s, 201, "{v}");
    let c = yardstik_candidate(&env, "cf-1").await;
    let fields: Vec<(String, String)> = c["custom_fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_string(),
                f["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut fields = fields;
    fields.sort();
    assert_eq!(
        fields,
        [
            ("ats_hiring_manager".to_string(), "Jill Smith".to_string()),
            ("ats_hiring_manager_id".into(), "67890".into()),
            ("ats_job_id".into(), "4242".into())
        ],
        "{c}"
    );
    // Without names, nothing is sent (a field the account lacks may be refused).
    let c = {
        env.db()
            .upsert_tenant(&tenant_spec(), ATS_SECRET, true)
            .await
            .unwrap();
        let (s, v) = env
            .order(&simple_order(
                "cf-3",
                &env.receiver.url(),
                "cf3@example.com",
                "Poe",
            ))
            .await;
        assert_eq!(s, 201, "{v}");
        yardstik_candidate(&env, "cf-3").await
    };
    assert_eq!(c["custom_fields"], json!([]), "{c}");
}
