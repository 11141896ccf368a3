//! A flood of made-up logins and CORS preflights against one server. Its own test binary,
//! so the process's peak memory is this test's alone: hundreds of bad credentials at once
//! must neither grow memory (each Argon2 verification takes ~19 MiB) nor shut out the real
//! ATS, and preflights must cost nothing. Bounded and on loopback; the figures are printed.

#[path = "it/support.rs"]
#[allow(dead_code)]
mod support;

use std::time::{Duration, Instant};

use reqwest::Method;
use support::*;

/// Peak resident memory of this process so far, in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

const BAD_LOGINS: usize = 400;
const PREFLIGHTS: usize = 400;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_login_flood_is_bounded_and_the_real_ats_still_gets_in() {
    // Every caller here is 127.0.0.1: the connection cap per client (tested in the abuse
    // test, where attackers have addresses of their own) would refuse this flood's
    // connections before the login limits under test see them.
    let env = Env::start(Opts {
        tweak: |c| c.connections.max_per_client = c.connections.max_connections,
        ..Opts::default()
    })
    .await;
    // The real ATS has logged in recently.
    let (s, _) = env.ats(Method::GET, "/ats/packages", None).await;
    assert_eq!(s, 200);
    let before = peak_rss_kib();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();

    let mut flood = tokio::task::JoinSet::new();
    for i in 0..BAD_LOGINS {
        let (http, url) = (http.clone(), env.url("/ats/packages"));
        flood.spawn(async move {
            // Made-up accounts, and wrong secrets for the real one.
            let user = if i % 4 == 0 {
                ATS_USER.to_string()
            } else {
                format!("made-up-{}", i % 50)
            };
            let res = http
                .get(url)
                .basic_auth(user, Some(format!("guess-{i}")))
                .send()
                .await
                .unwrap();
            let retry_after = res.headers().contains_key("retry-after");
            (res.status().as_u16(), retry_after)
        });
    }
    for _ in 0..PREFLIGHTS {
        let (http, url) = (http.clone(), env.url("/widget/orders"));
        flood.spawn(async move {
            let res = http
                .request(Method::OPTIONS, url)
                .header("Origin", "https://ats.example.com")
                .header("Access-Control-Request-Method", "POST")
                .send()
                .await
                .unwrap();
            (res.status().as_u16() + 10_000, false) // told apart from logins below
        });
    }
    // The real ATS, in the middle of it.
    let t0 = Instant::now();
    let (valid, _) = env.ats(Method::GET, "/ats/orders/not-there", None).await;
    let valid_latency = t0.elapsed();

    let mut by_status = std::collections::BTreeMap::new();
    let mut without_retry_after = 0;
    while let Some(r) = flood.join_next().await {
        let (status, retry_after) = r.unwrap();
        *by_status.entry(status).or_insert(0) += 1;
        if (status == 429 || status == 503) && !retry_after {
            without_retry_after += 1;
        }
    }
    let after = peak_rss_kib();
    let (s, _) = env.ats(Method::GET, "/ats/packages", None).await;
    eprintln!(
        "flood: {BAD_LOGINS} bad logins + {PREFLIGHTS} preflights; answers {by_status:?} \
         (preflights as 10000+status); valid request {valid} in {valid_latency:?}; \
         peak RSS {} MiB → {} MiB",
        before / 1024,
        after / 1024
    );
    assert_eq!(valid, 404, "the real ATS authenticated during the flood");
    assert_eq!(s, 200, "and after it");
    assert_eq!(by_status.get(&10_204), Some(&PREFLIGHTS), "{by_status:?}");
    let logins: usize = by_status
        .iter()
        .filter(|(k, _)| **k < 10_000)
        .map(|(_, n)| n)
        .sum();
    assert_eq!(logins, BAD_LOGINS);
    for status in by_status.keys().filter(|k| **k < 10_000) {
        assert!(
            [401, 429, 503].contains(status),
            "a bad login gets 401, 429 or 503, never {status}: {by_status:?}"
        );
    }
    assert_eq!(without_retry_after, 0, "429/503 always carry Retry-After");
    assert!(
        by_status.get(&503).copied().unwrap_or(0) > 0,
        "the verification slots were full and the overflow refused at once: {by_status:?}"
    );
    // Unbounded, 400 verifications at once would need ~7.6 GiB; bounded, a few slots. The
    // figure also counts this process's own client side of the 800 connections.
    let grown_mib = after.saturating_sub(before) / 1024;
    assert!(
        grown_mib < 512,
        "peak memory grew by {grown_mib} MiB during the flood"
    );

    // One address that keeps guessing is cut off before any verification.
    let mut limited = None;
    for i in 0..60 {
        let res = http
            .get(env.url("/ats/packages"))
            .basic_auth("made-up-x", Some(format!("again-{i}")))
            .send()
            .await
            .unwrap();
        if res.status() == 429 {
            limited = Some((
                i,
                res.headers()["retry-after"].to_str().unwrap().to_string(),
            ));
            break;
        }
        assert_eq!(res.status(), 401);
    }
    let (after_n, retry) = limited.expect("the per-address failure limit engaged");
    eprintln!(
        "flood: a further {after_n} failures from the same address, then 429 (Retry-After {retry})"
    );
    let (s, _) = env.ats(Method::GET, "/ats/packages", None).await;
    assert_eq!(s, 200, "the real ATS, recently verified, is not locked out");
}
