//! The server against a Yardstik that serves only what its reference shows (the sandbox's
//! reference-only mode): no adverse-action list or cancel, no subscription list, query
//! predicates only on `created_at`/`updated_at`, apply pages on a second origin. Each test
//! here runs in that mode whatever the run's `SCREENING_TEST_SANDBOX`.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::*;

const PKG_BASIC: &str = "11111111-aaaa-4aaa-8aaa-000000000001";
const PKG_STANDARD: &str = "11111111-aaaa-4aaa-8aaa-000000000002";

fn reference_opts() -> Opts {
    let mut opts = Opts::default();
    opts.sandbox.fixture.reference_only = true;
    opts
}

async fn rules(env: &Env) -> Value {
    env.http
        .get(format!("{}/sandbox/faults", env.sandbox.base_url()))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_mode_works_from_the_report_alone_and_proceeds() {
    let env = Env::start(reference_opts()).await;
    let mut o = simple_order(
        "ref-1",
        &env.receiver.url(),
        "ref1@example.com",
        "Considerman",
    );
    o["applicant"]["state"] = json!("IL");
    let (s, v) = env.order(&o).await;
    assert_eq!(s, 201, "{v}");
    let t = tenant(&env).await;
    let inv = env.db().order_items(&t.id, "ref-1").await.unwrap()[0]
        .invitation_id
        .clone()
        .unwrap();
    env.yardstik_post(&format!("/sandbox/invitations/{inv}/complete"), json!({}))
        .await;
    env.wait_order("ref-1", "Consider", |v| v["result"] == "Consider")
        .await;
    let review = session(
        &env,
        json!({"capabilities": ["review"], "reviewer_id": "r-9"}),
    )
    .await;
    let path = "/widget/orders/ref-1/decision";
    let (s, d) = call(&env, Method::GET, path, &review, None).await;
    assert_eq!(
        s, 200,
        "the list Yardstik does not serve is not needed: {d}"
    );
    assert_eq!(d["report_status"], "consider");
    assert_eq!(d["can_proceed"], true);
    assert_eq!(d["can_cancel_adverse_action"], false);
    assert!(d.get("adverse_action").is_none(), "{d}");
    let (s, d) = call(
        &env,
        Method::POST,
        &format!("{path}/proceed"),
        &review,
        None,
    )
    .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["report_status"], "proceed");
    let v = env
        .wait_order("ref-1", "Pass", |v| v["result"] == "Pass")
        .await;
    assert!(
        history(&v).contains(&"Decision: proceed with the candidate, by reviewer r-9".to_string()),
        "{v}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_are_created_without_the_list_and_checked_again() {
    let clock = screening_model::Clock::manual(screening_store::now_ms());
    let mut opts = reference_opts();
    opts.clock = clock.clone();
    opts.tweak = |c| c.subscription_check_interval = Duration::from_secs(3600);
    // Env::start waits for the five subscriptions: created although the list answers 405.
    let env = Env::start(opts).await;
    let url = format!("{}/webhooks/yardstik", env.server().base_url());
    assert_eq!(env.subscriptions(&url), 5);
    let r = env
        .http
        .get(format!(
            "{}/accounts/{ACCOUNT_A}/webhooks",
            env.sandbox.base_url()
        ))
        .header("authorization", "Account demo-yardstik-key")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405, "the sandbox serves no list here");

    // Registering again creates nothing: Yardstik answers each as existing.
    let t = tenant(&env).await;
    let created = screening_server::orders::subscriptions::register(&env.server().ctx.orders, &t)
        .await
        .unwrap();
    assert_eq!(created, 0);

    // A subscription deleted at Yardstik comes back once the check interval passes.
    let gone = {
        let st = env.sandbox.state().store();
        st.webhooks
            .iter()
            .find(|w| w.url == url && w.webhook_type == "report.updated")
            .unwrap()
            .id
            .clone()
    };
    let r = env
        .http
        .delete(format!(
            "{}/accounts/{ACCOUNT_A}/webhooks/{gone}",
            env.sandbox.base_url()
        ))
        .header("authorization", "Account demo-yardstik-key")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(env.subscriptions(&url), 4);
    // Not before the interval (the job runs every couple of seconds).
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(env.subscriptions(&url), 4, "checked again only when due");
    clock.advance(Duration::from_secs(3601));
    for _ in 0..400 {
        if env.subscriptions(&url) == 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(
        env.subscriptions(&url),
        5,
        "the deleted subscription is back"
    );
    let st = env.sandbox.state().store();
    assert!(st
        .webhooks
        .iter()
        .any(|w| w.url == url && w.webhook_type == "report.updated"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adoption_takes_only_this_candidates_invitation_of_this_package() {
    let env = Env::start(reference_opts()).await;
    env.yardstik_post(
        "/sandbox/faults",
        json!({"method": "POST", "path": "/invitations", "kind": "error", "rate": 1.0, "times": 1}),
    )
    .await;
    let order = simple_order("adopt-1", &env.receiver.url(), "adopt@example.com", "Doe");
    let (s, _) = env.order(&order).await;
    assert_ne!(s, 200);
    let ours = list(&env.yardstik_get("/candidates").await)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Since the order was received: another applicant's invitation of the same package and
    // this candidate's invitation of another package, both open and linked to no order;
    // then the invitation whose answer was lost.
    let (s, other) = env
        .yardstik_post(
            "/candidates",
            json!({"first_name": "Eve", "last_name": "Other", "email": "eve@example.com"}),
        )
        .await;
    assert_eq!(s, 201, "{other}");
    let (_, foreign) = env
        .yardstik_post(
            "/invitations",
            json!({"candidate_id": other["id"], "account_package_id": PKG_BASIC}),
        )
        .await;
    let (_, other_package) = env
        .yardstik_post(
            "/invitations",
            json!({"candidate_id": ours, "account_package_id": PKG_STANDARD}),
        )
        .await;
    let (s, lost) = env
        .yardstik_post(
            "/invitations",
            json!({"candidate_id": ours, "account_package_id": PKG_BASIC}),
        )
        .await;
    assert_eq!(s, 201, "{lost}");
    // The sandbox ignores the candidate and package predicates here: the search finds all three.
    let (s, v) = env.order(&order).await;
    assert_eq!(s, 201, "{v}");
    let t = tenant(&env).await;
    let items = env.db().order_items(&t.id, "adopt-1").await.unwrap();
    assert_eq!(
        items[0].invitation_id.as_deref(),
        lost["id"].as_str(),
        "not {} nor {}",
        foreign["id"],
        other_package["id"]
    );
    assert_eq!(
        list(&env.yardstik_get("/invitations").await).len(),
        3,
        "nothing created twice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returning_applicants_candidate_is_updated_when_the_ats_data_differs() {
    let env = Env::start(reference_opts()).await;
    env.yardstik_post(
        "/sandbox/faults",
        json!({"method": "PATCH", "path": "/candidates/*", "kind": "latency", "latency_ms": 1}),
    )
    .await;
    let patches = |r: &Value| r["rules"][0]["hits"].as_u64().unwrap_or(0);
    let first = simple_order("ret-1", &env.receiver.url(), "back@example.com", "Before");
    let (s, v) = env.order(&first).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(
        patches(&rules(&env).await),
        0,
        "a new candidate is not updated"
    );
    let cid = list(&env.yardstik_get("/candidates").await)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    // The same email again, with a new name and address: Yardstik's record follows.
    let mut second = simple_order("ret-2", &env.receiver.url(), "back@example.com", "After");
    second["applicant"]["address"] = json!("9 New Road");
    second["applicant"]["city"] = json!("Peoria");
    let (s, v) = env.order(&second).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(patches(&rules(&env).await), 1);
    let c = env.yardstik_get(&format!("/candidates/{cid}")).await;
    assert_eq!(c["last_name"], "After", "{c}");
    let addresses = c["addresses"]["data"]
        .as_array()
        .or(c["addresses"].as_array())
        .cloned()
        .unwrap_or_default();
    assert!(
        addresses
            .iter()
            .any(|a| a["line1"] == "9 New Road" && a["city"] == "Peoria"),
        "{c}"
    );
    assert_eq!(list(&env.yardstik_get("/candidates").await).len(), 1);

    // The same data once more: nothing to update.
    let mut third = second.clone();
    third["background_check_id"] = json!("ret-3");
    let (s, v) = env.order(&third).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(
        patches(&rules(&env).await),
        1,
        "no update without a difference"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_is_removed_although_yardstik_does_not_list_its_subscriptions() {
    let env = Env::start(reference_opts()).await;
    let url = format!("{}/webhooks/yardstik", env.server().base_url());
    let store = store(&env.data_dir(), &env.master);
    let mut out = Vec::new();
    screening_server::cli::tenant(
        &store,
        screening_server::config::TenantCmd::Remove {
            ats_account_id: ATS_USER.into(),
            yardstik_api_base: Some(env.sandbox.base_url().to_string()),
            public_url: Some(env.server().base_url().to_string()),
        },
        &mut out,
    )
    .await
    .unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("Yardstik does not list webhook subscriptions")
            && out.contains("delete them in Yardstik's dashboard")
            && out.contains(&format!("tenant {ATS_USER} removed")),
        "{out}"
    );
    assert!(env
        .db()
        .tenant_by_ats_account(ATS_USER)
        .await
        .unwrap()
        .is_none());
    assert_eq!(env.subscriptions(&url), 5, "nothing was deleted blindly");
}
