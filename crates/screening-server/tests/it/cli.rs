//! The tenant CLI: add (from file, --replace), list, rotate-secret (printed once), remove.

use screening_server::cli;
use screening_server::config::TenantCmd;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_commands() {
    let dir = tempfile::tempdir().unwrap();
    let master = screening_model::crypto::MasterKey::generate();
    let store = store(dir.path(), &master);
    let fixture =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo-tenant.json");
    let run = |cmd: TenantCmd| {
        let store = store.clone();
        async move {
            let mut out = Vec::new();
            let r = cli::tenant(&store, cmd, &mut out).await;
            (
                r.map_err(|e| e.to_string()),
                String::from_utf8(out).unwrap(),
            )
        }
    };
    let (r, out) = run(TenantCmd::Add {
        from_file: fixture.clone(),
        replace: false,
        default_webhook_url: None,
    })
    .await;
    r.unwrap();
    assert!(
        out.contains("demo-ats") && !out.contains("API secret"),
        "fixture secret is not printed: {out}"
    );
    let (r, _) = run(TenantCmd::Add {
        from_file: fixture.clone(),
        replace: false,
        default_webhook_url: None,
    })
    .await;
    assert!(r.unwrap_err().contains("--replace"));
    run(TenantCmd::Add {
        from_file: fixture.clone(),
        replace: true,
        default_webhook_url: None,
    })
    .await
    .0
    .unwrap();

    // Credentials are sealed at rest.
    let raw = std::fs::read(dir.path().join("screening.db")).unwrap();
    let raw = String::from_utf8_lossy(&raw);
    assert!(
        !raw.contains("demo-yardstik-key")
            && !raw.contains("demo-webhook-signature")
            && !raw.contains("demo-ats-secret")
    );
    assert!(
        !raw.contains(ACCOUNT_A),
        "the Yardstik account id is sealed too"
    );

    let (_, out) = run(TenantCmd::List).await;
    assert!(
        out.contains("demo-ats\tDemo Staffing Co")
            && out.contains("PKG001,PKG002,PKG003,DRG01,DRG02"),
        "{out}"
    );
    assert!(!out.contains("demo-yardstik-key"));

    let (r, out) = run(TenantCmd::RotateSecret {
        ats_account_id: "demo-ats".into(),
    })
    .await;
    r.unwrap();
    let secret = out.trim().rsplit(' ').next().unwrap().to_string();
    assert!(secret.len() >= 40, "{out}");
    let db = screening_store::Db::connect(&store).await.unwrap();
    let t = db.tenant_by_ats_account("demo-ats").await.unwrap().unwrap();
    assert!(screening_model::crypto::verify_secret(
        &secret,
        &t.secret_hash
    ));
    assert!(!screening_model::crypto::verify_secret(
        "demo-ats-secret",
        &t.secret_hash
    ));
    db.pool.close().await;

    // Bad files get a message naming the problem.
    let bad = dir.path().join("bad.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&fixture).unwrap()).unwrap();
    v["catalog"][0]["price"] = serde_json::json!("29.999");
    std::fs::write(&bad, v.to_string()).unwrap();
    let (r, _) = run(TenantCmd::Add {
        from_file: bad,
        replace: true,
        default_webhook_url: None,
    })
    .await;
    assert!(r.unwrap_err().contains("price"), "price error named");

    let (r, out) = run(TenantCmd::Remove {
        ats_account_id: "demo-ats".into(),
        yardstik_api_base: None,
        public_url: None,
    })
    .await;
    r.unwrap();
    assert!(
        out.contains("subscriptions to this server are left in place"),
        "{out}"
    );
    let (_, out) = run(TenantCmd::List).await;
    assert!(out.trim().is_empty());
    let (r, _) = run(TenantCmd::Remove {
        ats_account_id: "demo-ats".into(),
        yardstik_api_base: None,
        public_url: None,
    })
    .await;
    assert!(r.unwrap_err().contains("no tenant"));
}
