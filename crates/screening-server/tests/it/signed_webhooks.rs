//! Signed result webhooks, checked by an independent verifier: the `standardwebhooks`
//! package from PyPI (installed by `pkg-scripts/setup` into `target/tools/venv`). A tenant
//! with a signing secret gets `webhook-signature`; a rotation signs under both secrets for
//! its overlap; a tenant that disables signing, or never enabled it, gets no signature.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;
use serde_json::json;

use crate::support::*;

/// Captures each delivery's headers and exact body bytes.
#[derive(Clone, Default)]
struct RawReceiver {
    got: Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>,
    url: String,
}

impl RawReceiver {
    async fn start() -> RawReceiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut r = RawReceiver {
            url: format!("http://{}/hooks", listener.local_addr().unwrap()),
            ..Default::default()
        };
        let got = r.got.clone();
        let app = Router::new().route(
            "/hooks",
            post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let got = got.clone();
                async move {
                    got.lock().unwrap().push((headers, body.to_vec()));
                    "ok"
                }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        r.got = r.got.clone();
        r
    }

    async fn next(&self, n: usize) -> (HeaderMap, Vec<u8>) {
        for _ in 0..1200 {
            if let Some(d) = self.got.lock().unwrap().get(n) {
                return d.clone();
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("delivery {n} never came");
    }
}

/// The venv's Python with `standardwebhooks`, or `None` (then the test is skipped, unless
/// `SCREENING_TEST_REQUIRE_VERIFIERS=1`, set by `pkg-scripts/test`).
fn verifier() -> Option<PathBuf> {
    let python = std::env::var_os("SCREENING_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/tools/venv/bin/python")
        });
    let ok = std::process::Command::new(&python)
        .args(["-c", "import standardwebhooks"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok || std::env::var("SCREENING_TEST_REQUIRE_VERIFIERS").as_deref() != Ok("1"),
        "SCREENING_TEST_REQUIRE_VERIFIERS=1 but {} cannot import standardwebhooks",
        python.display()
    );
    ok.then_some(python)
}

/// Does `standardwebhooks.Webhook(secret).verify(body, headers)` accept the delivery?
fn verifies(python: &PathBuf, secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let body_file = dir.path().join("body");
    std::fs::write(&body_file, body).unwrap();
    let h = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_string());
    let hs = json!({
        "webhook-id": h("webhook-id"),
        "webhook-timestamp": h("webhook-timestamp"),
        "webhook-signature": h("webhook-signature"),
    });
    let script = "import sys, json, standardwebhooks\n\
                  body = open(sys.argv[2], 'rb').read()\n\
                  standardwebhooks.Webhook(sys.argv[1]).verify(body, json.loads(sys.argv[3]))\n";
    let o = std::process::Command::new(python)
        .args(["-c", script, secret])
        .arg(&body_file)
        .arg(hs.to_string())
        .output()
        .unwrap();
    o.status.success()
}

fn signatures(h: &HeaderMap) -> Vec<String> {
    h.get("webhook-signature")
        .map(|v| v.to_str().unwrap().split(' ').map(String::from).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn result_webhooks_signed_rotated_and_verified_independently() {
    let Some(python) = verifier() else {
        eprintln!("standardwebhooks not installed: signed-webhook test skipped");
        return;
    };
    let env = Env::start(Opts::default()).await;
    let rx = RawReceiver::start().await;

    // Not enabled: no signature, as before.
    place_cleared(&env, "sig-0", &rx.url).await;
    let (h, _) = rx.next(0).await;
    assert!(h.contains_key("webhook-id") && h.contains_key("webhook-timestamp"));
    assert!(!h.contains_key("webhook-signature"), "{h:?}");

    let a = env.db().add_signing_secret(ATS_USER, 0).await.unwrap();
    place_cleared(&env, "sig-1", &rx.url).await;
    let (h, body) = rx.next(1).await;
    assert_eq!(signatures(&h).len(), 1, "{h:?}");
    assert!(
        verifies(&python, a.expose(), &h, &body),
        "secret A verifies"
    );
    let mut tampered = body.clone();
    let at = tampered.len() / 2;
    tampered[at] ^= 1;
    assert!(
        !verifies(&python, a.expose(), &h, &tampered),
        "a changed body fails"
    );
    let other = screening_model::result_signature::SigningSecret::generate();
    assert!(
        !verifies(&python, other.expose(), &h, &body),
        "another secret fails"
    );

    // Rotation with an overlap: both secrets sign, either verifies.
    let b = env
        .db()
        .add_signing_secret(ATS_USER, 3_600_000)
        .await
        .unwrap();
    place_cleared(&env, "sig-2", &rx.url).await;
    let (h, body) = rx.next(2).await;
    assert_eq!(signatures(&h).len(), 2, "{h:?}");
    assert!(
        verifies(&python, b.expose(), &h, &body),
        "the new secret verifies"
    );
    assert!(
        verifies(&python, a.expose(), &h, &body),
        "the old one, during the overlap"
    );

    // Rotation without an overlap: only the newest signs.
    let c = env.db().add_signing_secret(ATS_USER, 0).await.unwrap();
    place_cleared(&env, "sig-3", &rx.url).await;
    let (h, body) = rx.next(3).await;
    assert_eq!(signatures(&h).len(), 1, "{h:?}");
    assert!(verifies(&python, c.expose(), &h, &body));
    assert!(
        !verifies(&python, b.expose(), &h, &body),
        "the old secret ended"
    );

    // Disabled: no signature again.
    assert!(env.db().remove_signing_secrets(ATS_USER).await.unwrap());
    place_cleared(&env, "sig-4", &rx.url).await;
    let (h, _) = rx.next(4).await;
    assert!(!h.contains_key("webhook-signature"), "{h:?}");

    // Secrets are sealed at rest (the database file and its write-ahead log).
    for file in ["screening.db", "screening.db-wal"] {
        let raw = std::fs::read(env.data_dir().join(file)).unwrap_or_default();
        let raw = String::from_utf8_lossy(&raw);
        for s in [&a, &b, &c] {
            assert!(
                !raw.contains(&s.expose()[6..]),
                "a secret in the clear in {file}"
            );
        }
    }
}

/// `tenant signing-secret` prints a new secret once and `--disable` stops signing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_signing_secret_command() {
    use screening_server::config::TenantCmd;
    let env = Env::start(Opts::default()).await;
    let store = store(&env.data_dir(), &env.master);
    let run = |cmd: TenantCmd| {
        let store = store.clone();
        async move {
            let mut out = Vec::new();
            screening_server::cli::tenant(&store, cmd, &mut out)
                .await
                .map(|_| String::from_utf8(out).unwrap())
                .map_err(|e| e.to_string())
        }
    };
    let cmd = |ats: &str, disable| TenantCmd::SigningSecret {
        ats_account_id: ats.into(),
        overlap: std::time::Duration::from_secs(3600),
        disable,
    };
    let out = run(cmd(ATS_USER, false)).await.unwrap();
    let secret = out
        .split_whitespace()
        .find(|w| w.starts_with("whsec_"))
        .expect("the secret is printed");
    let signing = env
        .db()
        .signing_secrets(&tenant(&env).await.id)
        .await
        .unwrap();
    assert_eq!(signing.len(), 1);
    assert_eq!(signing[0].expose(), secret);
    assert!(out.contains("1h"), "{out}");
    let e = run(cmd("no-such-ats", false)).await.unwrap_err();
    assert!(e.contains("no-such-ats"), "{e}");
    assert!(run(cmd(ATS_USER, true))
        .await
        .unwrap()
        .contains("no longer signed"));
    assert!(run(cmd(ATS_USER, true))
        .await
        .unwrap()
        .contains("were not signed"));
    assert!(env
        .db()
        .signing_secrets(&tenant(&env).await.id)
        .await
        .unwrap()
        .is_empty());
}
