//! Health, readiness, metrics, OpenAPI, static files, demo routes.

use serde_json::Value;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operational_endpoints_and_static_files() {
    let env = Env::start(Opts::default()).await;
    let get = |p: &str| env.http.get(env.url(p)).send();
    assert_eq!(get("/healthz").await.unwrap().status(), 200);
    assert_eq!(get("/readyz").await.unwrap().status(), 200);
    let (s, _) = env
        .order(&simple_order(
            "ops-1",
            &env.receiver.url(),
            "ops@example.com",
            "Doe",
        ))
        .await;
    assert_eq!(s, 201);
    let m = get("/metrics").await.unwrap();
    assert!(m.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = m.text().await.unwrap();
    assert!(
        text.contains("screening_orders_created_total{source=\"ats\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("screening_http_requests_total{route=\"/ats/orders\",status=\"201\"} 1"),
        "{text}"
    );
    assert!(text.contains("# TYPE screening_outbox_pending gauge"));
    let api: Value = get("/openapi.json").await.unwrap().json().await.unwrap();
    assert!(api["openapi"].as_str().unwrap().starts_with("3."));
    for p in [
        "/ats/packages",
        "/ats/orders",
        "/ats/orders/{background_check_id}",
        "/widget/sessions",
        "/widget/packages",
        "/widget/orders",
        "/widget/orders/{background_check_id}",
        "/widget/orders/{background_check_id}/apply",
        "/widget/tokens/report",
        "/widget/tokens/disclosures",
    ] {
        assert!(api["paths"].get(p).is_some(), "openapi lacks {p}");
    }
    // Framework errors on API routes are ErrorBody too.
    let res = env
        .http
        .get(env.url("/ats/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.json::<Value>().await.unwrap()["error_message"].is_string());
    let res = env
        .http
        .put(env.url("/ats/orders"))
        .basic_auth(ATS_USER, Some(ATS_SECRET))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "bad_request");
    let res = env
        .http
        .post(env.url("/webhooks/yardstik"))
        .body(vec![b' '; 100 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert!(res.json::<Value>().await.unwrap()["error_message"].is_string());
    // www/ and pkg/ do not exist here: 404 for those, the rest works.
    assert_eq!(get("/").await.unwrap().status(), 404);
    assert_eq!(
        get("/static/widget/screening_widget_bg.wasm")
            .await
            .unwrap()
            .status(),
        404
    );
    // Demo routes are off unless SCREENING_DEMO=1.
    let demo = env
        .http
        .post(env.url("/demo/session"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap()
        .status();
    assert!(demo == 404 || demo == 405, "{demo}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_page_is_served_in_demo_mode_only() {
    let sandbox = yardstik_sandbox::spawn(yardstik_sandbox::SandboxConfig::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let www = dir.path().join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("index.html"), "<!doctype html><title>demo</title>").unwrap();
    let master = screening_model::crypto::MasterKey::generate();
    let mut cfg = config(dir.path(), &master, &sandbox, &Opts::default());
    cfg.www_dir = www;
    cfg.register_webhooks = false;
    assert!(!cfg.demo);
    let server = screening_server::start(cfg).await.unwrap();
    let http = reqwest::Client::new();
    for path in ["/", "/index.html"] {
        let res = http
            .get(format!("{}{path}", server.base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{path} outside demo mode");
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_dirs_demo_session_and_wasm_content_type() {
    let sandbox = yardstik_sandbox::spawn(yardstik_sandbox::SandboxConfig::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let www = dir.path().join("www");
    let pkg = dir.path().join("pkg");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(www.join("index.html"), "<!doctype html><title>demo</title>").unwrap();
    std::fs::write(pkg.join("screening_widget_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(pkg.join("screening-widget-element.js"), "export {};").unwrap();
    let master = screening_model::crypto::MasterKey::generate();
    let mut cfg = config(dir.path(), &master, &sandbox, &Opts::default());
    cfg.www_dir = www;
    cfg.widget_dir = pkg;
    cfg.demo = true;
    cfg.register_webhooks = false;
    // The demo tenant, seeded the way pkg-scripts/demo does it.
    let file =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo-tenant.json");
    let cmd = screening_server::config::TenantCmd::Add {
        from_file: file.clone(),
        replace: true,
        default_webhook_url: Some("http://127.0.0.1:9/elsewhere".into()),
    };
    let mut out = Vec::new();
    screening_server::cli::tenant(&cfg.store, cmd, &mut out)
        .await
        .unwrap();
    let server = screening_server::start(cfg).await.unwrap();
    let demo = server
        .ctx
        .db
        .tenant_by_ats_account("demo-ats")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        demo.settings.default_webhook_url.as_deref(),
        Some("http://127.0.0.1:9/elsewhere"),
        "--default-webhook-url applied"
    );
    let http = reqwest::Client::new();
    let base = server.base_url();
    let index = http.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(index.status(), 200);
    assert!(index.text().await.unwrap().contains("demo"));
    let wasm = http
        .get(format!("{base}/static/widget/screening_widget_bg.wasm"))
        .send()
        .await
        .unwrap();
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    let js = http
        .get(format!("{base}/static/widget/screening-widget-element.js"))
        .send()
        .await
        .unwrap();
    assert!(js.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("javascript"));
    let res = http
        .post(format!("{base}/demo/session"))
        .json(&serde_json::json!({"capabilities": ["order"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let token = res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let pk = http
        .get(format!("{base}/widget/packages"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(pk.status(), 200);
    // A demo review session decides as the demo's hiring manager (decisions need a reviewer).
    let res = http
        .post(format!("{base}/demo/session"))
        .json(&serde_json::json!({"capabilities": ["review"], "background_check_id": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let review = res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let claims = server
        .ctx
        .signer
        .verify(
            screening_server::tokens::Purpose::WidgetSession,
            &review,
            chrono::Utc::now().timestamp(),
        )
        .unwrap();
    assert_eq!(claims.r.as_deref(), Some("demo-hiring-manager"));
    // The demo's fixed credentials work for the ATS API.
    let pk = http
        .get(format!("{base}/ats/packages"))
        .basic_auth("demo-ats", Some("demo-ats-secret"))
        .send()
        .await
        .unwrap();
    assert_eq!(pk.status(), 200);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_registration_survives_yardstik_being_down() {
    // The first GET /webhook_types fails; registration retries in the background
    // (Env::start waits until the five subscriptions exist).
    let rule: yardstik_sandbox::FaultRule =
        serde_json::from_value(serde_json::json!({"method": "GET", "path": "/webhook_types", "kind": "error", "rate": 1.0, "times": 1})).unwrap();
    let mut opts = Opts::default();
    opts.sandbox.faults = vec![rule];
    let env = Env::start(opts).await;
    let faults = env
        .http
        .get(format!("{}/sandbox/faults", env.sandbox.base_url()))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        faults["rules"][0]["hits"], 1,
        "the outage was hit: {faults}"
    );
    // Registering again is idempotent.
    let tenant = env
        .db()
        .tenant_by_ats_account(ATS_USER)
        .await
        .unwrap()
        .unwrap();
    let created =
        screening_server::orders::subscriptions::register(&env.server().ctx.orders, &tenant)
            .await
            .unwrap();
    assert_eq!(created, 0);
}

/// A database that does not answer makes `/readyz` say 503 within two seconds, not
/// the pool's 30-second wait (which the request timeout would turn into a 408): here the
/// SQLite pool's one connection is held by a transaction the test keeps open. The request
/// timeout is 10 s here, so a readiness check that waited for the pool would answer 408.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_answers_503_when_the_database_does_not_answer() {
    let env = Env::start(Opts {
        tweak: |c| c.request_timeout = std::time::Duration::from_secs(10),
        ..Opts::default()
    })
    .await;
    let get = || env.http.get(env.url("/readyz")).send();
    assert_eq!(get().await.unwrap().status(), 200);
    let tx = env.db().pool.begin().await.unwrap();
    let started = std::time::Instant::now();
    let r = get().await.unwrap();
    let took = started.elapsed();
    assert_eq!(r.status(), 503, "after {took:?}");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["status"], "database unreachable");
    eprintln!("/readyz with the database held: 503 after {took:?}");
    drop(tx);
    assert_eq!(get().await.unwrap().status(), 200, "ready again");
}
