//! Real-browser check of the embed protocol (headless Chromium): the framed pages post the exact
//! JSON strings to the parent, from the app origin. Needs a Chromium binary (`CHROMIUM` env,
//! `chromium`/`chromium-browser`/`google-chrome` on PATH, or `/usr/bin/chromium`). Without
//! one the tests say so and pass, unless `SCREENING_TEST_REQUIRE_BROWSER=1` (set by
//! `pkg-scripts/test`): then a missing browser fails them.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::*;
use axum::extract::State;
use axum::response::Html;
use axum::routing::{get, post};
use serde_json::json;
use yardstik_sandbox::SandboxConfig;

fn find_chromium() -> Option<String> {
    if let Ok(c) = std::env::var("CHROMIUM") {
        return Some(c).filter(|c| std::path::Path::new(c).is_file());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|b| {
            std::env::split_paths(&path)
                .map(|d| d.join(b))
                .find(|p| p.is_file())
        })
        .or_else(|| Some(std::path::PathBuf::from("/usr/bin/chromium")).filter(|p| p.is_file()))
        .map(|p| p.to_string_lossy().into_owned())
}

/// The browser to use; `None` (skip) only when the browser is not required.
fn chromium() -> Option<String> {
    let found = find_chromium();
    if found.is_none() {
        if std::env::var("SCREENING_TEST_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("no Chromium found (CHROMIUM, PATH, /usr/bin/chromium) and SCREENING_TEST_REQUIRE_BROWSER=1: run pkg-scripts/setup");
        }
        eprintln!("no chromium: skipped (set SCREENING_TEST_REQUIRE_BROWSER=1 to fail instead)");
    }
    found
}

#[derive(Clone)]
struct Host {
    page: Arc<String>,
    log: Arc<Mutex<Vec<String>>>,
    want: usize,
}

/// Loaded from `<head>`, before any frame exists: a frame that loads fast must not post its first
/// message before the parent listens.
const HOST_JS: &str = r#"
window.addEventListener("message", function (e) {
  fetch("/log", { method: "POST", body: e.origin + " " + (typeof e.data) + " " + e.data });
});
document.addEventListener("DOMContentLoaded", function () {
  var f = document.getElementById("autosubmit");
  if (f) { f.submit(); }
});
"#;

/// Serve the parent page on its own origin; `/hold.png` keeps the page loading until `want`
/// messages arrived (bounded), so `--dump-dom` waits for them.
async fn host(page: String, want: usize) -> (String, Arc<Mutex<Vec<String>>>) {
    let st = Host {
        page: Arc::new(page),
        log: Arc::default(),
        want,
    };
    let app = axum::Router::new()
        .route(
            "/",
            get(|State(s): State<Host>| async move { Html((*s.page).clone()) }),
        )
        .route(
            "/host.js",
            get(|| async { ([("content-type", "text/javascript")], HOST_JS) }),
        )
        .route(
            "/log",
            post(|State(s): State<Host>, body: String| async move {
                s.log.lock().unwrap().push(body);
            }),
        )
        .route(
            "/hold.png",
            get(|State(s): State<Host>| async move {
                for _ in 0..150 {
                    if s.log.lock().unwrap().len() >= s.want {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                axum::http::StatusCode::NO_CONTENT
            }),
        )
        .with_state(st.clone());
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    (url, st.log)
}

async fn run_chromium(bin: &str, url: &str) {
    // A fresh profile per run: two tests may run Chromium at the same time.
    let profile = std::env::temp_dir().join(format!("sandbox-chromium-{}", uuid::Uuid::new_v4()));
    let profile_arg = format!("--user-data-dir={}", profile.display());
    let out = tokio::process::Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            profile_arg.as_str(),
            "--dump-dom",
            url,
        ])
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(60), out)
        .await
        .expect("chromium finishes within 60 s")
        .unwrap_or_else(|e| panic!("{bin} could not be run: {e}"));
    let _ = std::fs::remove_dir_all(&profile);
    if !out.status.success() {
        eprintln!(
            "{bin} exited with {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[tokio::test]
async fn report_embed_posts_loaded_then_token_expiration() {
    let Some(bin) = chromium() else {
        return;
    };
    let sb = start_with(SandboxConfig {
        web_token_ttl: Duration::from_secs(6),
        ..Default::default()
    })
    .await;
    let c = sb
        .candidate(KEY_A, "Hank", "Consider", "hank@example.com")
        .await;
    let r = sb
        .post(
            "/reports",
            KEY_A,
            json!({"candidate_id": c["id"], "account_package_id": PKG_BASIC}),
        )
        .await;
    let rid = r.body["id"].as_str().unwrap();
    let t = sb
        .post("/web_tokens", KEY_A, json!({"user_email": USER_A}))
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_string();
    let page = format!(
        "<!doctype html><html><head><script src=\"/host.js\"></script></head><body>\
         <iframe src=\"{}/embed/report/{rid}?jwt={t}\"></iframe><img src=\"/hold.png\"></body></html>",
        sb.handle.app_origin()
    );
    let (url, log) = host(page, 2).await;
    run_chromium(&bin, &url).await;
    let log = log.lock().unwrap().clone();
    let origin = sb.handle.app_origin();
    assert_eq!(
        log,
        vec![
            format!("{origin} string {{\"name\":\"yardstik:loaded\"}}"),
            format!("{origin} string {{\"name\":\"yardstik:tokenExpiration\"}}"),
        ]
    );
}

#[tokio::test]
async fn apply_page_posts_form_submitted() {
    let Some(bin) = chromium() else {
        return;
    };
    let sb = start().await;
    let c = sb.candidate(KEY_A, "Jane", "Doe", "jane@example.com").await;
    let i = sb
        .invitation(KEY_A, c["id"].as_str().unwrap(), PKG_STANDARD)
        .await;
    let apply = i["meta"]["apply"].as_str().unwrap();
    let page = format!(
        "<!doctype html><html><head><script src=\"/host.js\"></script></head><body><iframe name=\"f\"></iframe>\
         <form id=\"autosubmit\" target=\"f\" method=\"post\" action=\"{apply}\">\
         <input name=\"first_name\" value=\"Jane\"><input name=\"last_name\" value=\"Doe\">\
         <input name=\"date_of_birth\" value=\"1991-02-03\"><input name=\"ssn\" value=\"6789\">\
         <input name=\"line1\" value=\"1 Main St\"><input name=\"city\" value=\"Austin\">\
         <input name=\"state\" value=\"TX\"><input name=\"zip_code\" value=\"78701\"><input name=\"consent\" value=\"yes\">\
         </form><img src=\"/hold.png\"></body></html>"
    );
    let (url, log) = host(page, 1).await;
    run_chromium(&bin, &url).await;
    let log = log.lock().unwrap().clone();
    assert_eq!(
        log,
        vec![format!(
            "{} string {{\"name\":\"yardstik:form_submitted\"}}",
            sb.handle.app_origin()
        )]
    );
    let inv = sb
        .get(
            &format!("/invitations/{}", i["id"].as_str().unwrap()),
            KEY_A,
        )
        .await;
    assert_eq!(inv.body["status"], "completed");
}
