//! One client against the real server process, on loopback: slowloris and idle-socket
//! floods, long-key webhook and login floods, a burst of bad logins against the real ATS's
//! account from four addresses, and fifty orders a second from one widget session. Through
//! each flood valid requests (the ATS, `/healthz`) are sent as well and must be answered
//! and never refused; the server's peak memory must stay under [`PEAK_RSS_MIB`]. The
//! attackers use other loopback addresses (127.0.0.2 and up) than the valid callers
//! (127.0.0.1), as they would be other hosts. Bounded in requests and time; the figures
//! (valid-request latency per flood, peak RSS, connections held) are printed, never
//! asserted on.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use screening_model::crypto::MasterKey;
use screening_model::tenant::{Secret, TenantSpec};
use screening_store::{Db, StoreConfig};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::Mutex;

const ATS_USER: &str = "ACCT123";
const ATS_SECRET: &str = "abuse-test-secret-1";
/// The bound on the server's peak resident memory through every flood.
const PEAK_RSS_MIB: u64 = 384;

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// `VmHWM` (peak resident set) and `VmRSS` of the server process, in MiB.
    fn rss_mib(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let field = |name: &str| -> u64 {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .unwrap_or(0)
                / 1024
        };
        (field("VmHWM:"), field("VmRSS:"))
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start(dir: &Path, sandbox: &yardstik_sandbox::SandboxHandle) -> Server {
    let master = MasterKey::generate();
    let url = format!("sqlite://{}/screening.db", dir.display());
    let store = StoreConfig {
        data_dir: dir.to_path_buf(),
        database_url: url.clone(),
        master_key: master.clone(),
    };
    let db = Db::connect(&store).await.unwrap();
    let mut spec: TenantSpec =
        serde_json::from_str(include_str!("../fixtures/demo-tenant.json")).unwrap();
    spec.ats_account_id = ATS_USER.into();
    spec.api_secret = Some(Secret(ATS_SECRET.into()));
    db.upsert_tenant(&spec, ATS_SECRET, false).await.unwrap();
    db.pool.close().await;
    let port = free_port();
    let log = std::fs::File::create(dir.join("server.log")).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_screening-server"))
        .arg("serve")
        .env("SCREENING_BIND", format!("127.0.0.1:{port}"))
        .env("SCREENING_DATA_DIR", dir)
        .env("DATABASE_URL", &url)
        .env("SCREENING_MASTER_KEY", master.to_hex())
        .env("YARDSTIK_API_BASE", sandbox.base_url())
        .env("YARDSTIK_APP_ORIGIN", sandbox.app_origin())
        .env("SCREENING_REGISTER_WEBHOOKS", "0")
        .env("SCREENING_HEADER_READ_TIMEOUT", "3s")
        .env("SCREENING_IDLE_TIMEOUT", "3s")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let server = Server {
        child,
        addr: format!("127.0.0.1:{port}").parse().unwrap(),
    };
    let http = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(r) = http.get(server.url("/healthz")).send().await {
            if r.status() == 200 {
                return server;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "the server did not start: {}",
        std::fs::read_to_string(dir.join("server.log")).unwrap_or_default()
    );
}

/// A connection from the loopback address `127.0.0.{n}`.
async fn connect_from(n: u8, to: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::from(([127, 0, 0, n], 0)))?;
    socket.connect(to).await
}

/// Valid requests sent through a flood: what they were answered and how fast.
#[derive(Default)]
struct Probe {
    ats: Vec<(u16, Duration)>,
    health: Vec<(u16, Duration)>,
}

impl Probe {
    fn summary(&self) -> String {
        let stats = |v: &[(u16, Duration)]| {
            let mut ms: Vec<f64> = v.iter().map(|(_, d)| d.as_secs_f64() * 1e3).collect();
            ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
            if ms.is_empty() {
                return "none".to_string();
            }
            format!(
                "{} sent, median {:.1} ms, max {:.1} ms",
                ms.len(),
                ms[ms.len() / 2],
                ms[ms.len() - 1]
            )
        };
        format!(
            "ATS GET /ats/packages {}; GET /healthz {}",
            stats(&self.ats),
            stats(&self.health)
        )
    }

    fn assert_all_answered(&self, flood: &str) {
        for (s, _) in &self.ats {
            assert_eq!(*s, 200, "{flood}: the real ATS was refused ({s})");
        }
        for (s, _) in &self.health {
            assert_eq!(*s, 200, "{flood}: /healthz answered {s}");
        }
        assert!(
            !self.ats.is_empty() && !self.health.is_empty(),
            "{flood}: probes ran"
        );
    }
}

/// Send valid requests (from 127.0.0.1, a fresh connection each) every 100 ms until
/// `stop` is set; at most `max` of each.
fn probe(
    server: &Server,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> tokio::task::JoinHandle<Probe> {
    let (ats, health) = (server.url("/ats/packages"), server.url("/healthz"));
    tokio::spawn(async move {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let mut p = Probe::default();
        for _ in 0..600 {
            if stop.load(std::sync::atomic::Ordering::SeqCst) && !p.ats.is_empty() {
                break;
            }
            let t = Instant::now();
            let s = http
                .get(&ats)
                .basic_auth(ATS_USER, Some(ATS_SECRET))
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0);
            p.ats.push((s, t.elapsed()));
            let t = Instant::now();
            let s = http
                .get(&health)
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0);
            p.health.push((s, t.elapsed()));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        p
    })
}

/// Run `flood` while probing; the probe's figures.
async fn through<F: std::future::Future<Output = String>>(
    server: &Server,
    name: &str,
    flood: F,
    report: &Mutex<Vec<String>>,
) {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let prober = probe(server, stop.clone());
    let what = flood.await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let p = prober.await.unwrap();
    let (peak, now) = server.rss_mib();
    let line = format!(
        "{name}: {what}; valid requests: {}; server RSS {now} MiB (peak so far {peak} MiB)",
        p.summary()
    );
    eprintln!("abuse: {line}");
    report.lock().await.push(format!(
        "| {name} | {what} | {} | {now} MiB (peak {peak} MiB) |",
        p.summary()
    ));
    p.assert_all_answered(name);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_client_cannot_take_the_server_down() {
    let sandbox = yardstik_sandbox::spawn(yardstik_sandbox::SandboxConfig::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &sandbox).await;
    let report = Mutex::new(Vec::new());
    let http = reqwest::Client::new();
    // The real ATS logs in (its address and credential are known from now on).
    let r = http
        .get(server.url("/ats/packages"))
        .basic_auth(ATS_USER, Some(ATS_SECRET))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    through(
        &server,
        "baseline",
        async { "no flood".to_string() },
        &report,
    )
    .await;

    // Slowloris: 600 connections from six addresses, each sending a request head a few
    // bytes a second and never finishing it.
    let addr = server.addr;
    through(
        &server,
        "slowloris",
        async move {
            let mut tasks = tokio::task::JoinSet::new();
            for i in 0..600u32 {
                tasks.spawn(async move {
                    let Ok(mut s) = connect_from(2 + (i % 6) as u8, addr).await else {
                        return (false, Duration::ZERO);
                    };
                    let t = Instant::now();
                    let head = b"POST /ats/orders HTTP/1.1\r\nHost: x\r\nX-Pad: ";
                    for b in head.iter().cycle().take(100) {
                        if s.write_all(&[*b]).await.is_err() {
                            return (true, t.elapsed());
                        }
                        tokio::time::sleep(Duration::from_millis(250)).await;
                    }
                    (false, t.elapsed())
                });
            }
            let held_mid = {
                tokio::time::sleep(Duration::from_millis(1500)).await;
                open_connections_at(addr).await
            };
            let (mut cut, mut longest) = (0, Duration::ZERO);
            while let Some(r) = tasks.join_next().await {
                let (was_cut, after) = r.unwrap();
                if was_cut {
                    cut += 1;
                    longest = longest.max(after);
                }
            }
            assert_eq!(cut, 600, "every never-ending head was cut off");
            format!(
                "600 slow heads, all cut off (the last after {:.1} s); connections held mid-flood {held_mid}",
                longest.as_secs_f64()
            )
        },
        &report,
    )
    .await;

    // Idle sockets: 3,000 connections from 30 addresses that send nothing.
    through(
        &server,
        "idle sockets",
        async move {
            let mut sockets = Vec::new();
            let mut refused = 0;
            for i in 0..3000u32 {
                match connect_from(10 + (i % 30) as u8, addr).await {
                    Ok(s) => sockets.push(s),
                    Err(_) => refused += 1,
                }
            }
            let held = open_connections_at(addr).await;
            // Every one is closed by the server (bounded wait).
            let mut closed = 0;
            for mut s in sockets {
                let mut buf = [0u8; 16];
                if let Ok(Ok(0) | Err(_)) =
                    tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf)).await
                {
                    closed += 1;
                }
            }
            assert_eq!(closed + refused, 3000, "every idle socket was closed");
            format!("3000 idle sockets opened ({refused} refused on connect), connections held {held}, all closed by the server")
        },
        &report,
    )
    .await;

    // Webhooks naming 2,000 distinct made-up account ids of 60 KB each.
    let url = server.url("/webhooks/yardstik");
    through(
        &server,
        "long-key webhooks",
        async move {
            // A fresh connection per request, as a flood from many hosts would come.
            let http = reqwest::Client::builder()
                .local_address(std::net::IpAddr::from([127, 0, 0, 50]))
                .pool_max_idle_per_host(0)
                .build()
                .unwrap();
            let mut statuses = std::collections::BTreeMap::new();
            let pad = "k".repeat(60_000);
            for batch in 0..50 {
                let mut tasks = tokio::task::JoinSet::new();
                for j in 0..40 {
                    let (http, url) = (http.clone(), url.clone());
                    let body = json!({"id": format!("e-{batch}-{j}"), "event": "updated",
                        "account_id": format!("{batch}-{j}-{pad}"), "resource_type": "Report",
                        "resource_id": "r1"})
                    .to_string();
                    tasks.spawn(async move {
                        match http
                            .post(url)
                            .header("content-type", "application/json")
                            .header("x-yardstik-webhook-signature", "00")
                            .body(body)
                            .send()
                            .await
                        {
                            Ok(r) => r.status().as_u16(),
                            Err(e) => {
                                eprintln!("abuse: webhook transport error: {e:?}");
                                0
                            }
                        }
                    });
                }
                while let Some(s) = tasks.join_next().await {
                    *statuses.entry(s.unwrap()).or_insert(0) += 1;
                }
            }
            assert_eq!(statuses.get(&401), Some(&2000), "{statuses:?}");
            "2000 webhooks with distinct 60 KB account ids, all 401".to_string()
        },
        &report,
    )
    .await;

    // Logins with 1,000 distinct 30 KB user names, then 100 bad secrets for the real
    // ATS's account from four addresses.
    let url = server.url("/ats/packages");
    through(
        &server,
        "long-key logins and bad logins against the ATS's account",
        async move {
            let mut statuses = std::collections::BTreeMap::new();
            let pad = "u".repeat(30_000);
            for batch in 0..25u8 {
                let http = reqwest::Client::builder()
                    .local_address(std::net::IpAddr::from([127, 0, 0, 60 + batch]))
                    .build()
                    .unwrap();
                let mut tasks = tokio::task::JoinSet::new();
                for j in 0..40 {
                    let (http, url) = (http.clone(), url.clone());
                    let user = format!("{batch}-{j}-{pad}");
                    tasks.spawn(async move {
                        let basic = base64::engine::general_purpose::STANDARD
                            .encode(format!("{user}:guess"));
                        http.get(url)
                            .header("authorization", format!("Basic {basic}"))
                            .send()
                            .await
                            .map(|r| r.status().as_u16())
                            .unwrap_or(0)
                    });
                }
                while let Some(s) = tasks.join_next().await {
                    *statuses.entry(s.unwrap()).or_insert(0) += 1;
                }
            }
            let long_keys = format!("{statuses:?}");
            assert!(
                statuses.keys().all(|s| [401, 429].contains(s)),
                "long user names: 401 or 429 only: {statuses:?}"
            );
            let mut bad = std::collections::BTreeMap::new();
            let clients: Vec<reqwest::Client> = (0..4u8)
                .map(|k| {
                    reqwest::Client::builder()
                        .local_address(std::net::IpAddr::from([127, 0, 0, 90 + k]))
                        .build()
                        .unwrap()
                })
                .collect();
            let mut tasks = tokio::task::JoinSet::new();
            for i in 0..100usize {
                let (http, url) = (clients[i % 4].clone(), url.clone());
                tasks.spawn(async move {
                    http.get(url)
                        .basic_auth(ATS_USER, Some(format!("wrong-{i}")))
                        .send()
                        .await
                        .map(|r| r.status().as_u16())
                        .unwrap_or(0)
                });
            }
            while let Some(s) = tasks.join_next().await {
                *bad.entry(s.unwrap()).or_insert(0) += 1;
            }
            assert!(
                bad.keys().all(|s| [401, 429, 503].contains(s)),
                "bad secrets: {bad:?}"
            );
            format!("1000 logins with distinct 30 KB user names {long_keys}; 100 bad secrets for the ATS's account from 4 addresses {bad:?}")
        },
        &report,
    )
    .await;

    // Fifty orders a second from one widget session, while the ATS orders too.
    let (session_url, orders_url, ats_orders) = (
        server.url("/widget/sessions"),
        server.url("/widget/orders"),
        server.url("/ats/orders"),
    );
    through(
        &server,
        "50 orders a second from one session",
        async move {
            let http = reqwest::Client::new();
            let token = http
                .post(&session_url)
                .basic_auth(ATS_USER, Some(ATS_SECRET))
                .json(&json!({"capabilities": ["order"]}))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()["token"]
                .as_str()
                .unwrap()
                .to_string();
            let applicant = json!({"id": "12345", "first_name": "John", "last_name": "Doe",
                "phone": "888-555-1234", "email": "john.doe@example.com",
                "address": "123 Main St.", "city": "Springfield", "state": "IL", "zip": "12345"});
            let mut statuses = std::collections::BTreeMap::new();
            let mut ats_statuses = std::collections::BTreeMap::new();
            for second in 0..2 {
                let started = Instant::now();
                let mut tasks = tokio::task::JoinSet::new();
                for i in 0..50 {
                    let (http, url, token, applicant) =
                        (http.clone(), orders_url.clone(), token.clone(), applicant.clone());
                    tasks.spawn(async move {
                        http.post(url)
                            .bearer_auth(token)
                            .header("Idempotency-Key", format!("flood-{second}-{i}"))
                            .json(&json!({"package_id": "PKG001", "applicant": applicant}))
                            .send()
                            .await
                            .map(|r| r.status().as_u16())
                            .unwrap_or(0)
                    });
                }
                let ats = http
                    .post(&ats_orders)
                    .basic_auth(ATS_USER, Some(ATS_SECRET))
                    .json(&json!({"account_id": ATS_USER,
                        "hiring_manager_user_id": "67890",
                        "background_check_id": format!("ats-during-{second}"),
                        "package_id": "PKG001", "add_on_package_ids": [],
                        "webhook_url": "http://127.0.0.1:9/hooks",
                        "hiring_manager": {"id": "67890", "first_name": "Jill",
                            "last_name": "Smith", "email": "jill.smith@example.com"},
                        "applicant": applicant, "job": {"id": "12345"}}))
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0);
                *ats_statuses.entry(ats).or_insert(0) += 1;
                while let Some(s) = tasks.join_next().await {
                    *statuses.entry(s.unwrap()).or_insert(0) += 1;
                }
                if let Some(rest) = Duration::from_secs(1).checked_sub(started.elapsed()) {
                    tokio::time::sleep(rest).await;
                }
            }
            let placed = statuses.get(&201).copied().unwrap_or(0);
            assert!(
                statuses.keys().all(|s| [201, 429].contains(s)),
                "orders: {statuses:?}"
            );
            assert!(placed <= 22, "at most the burst and the rate: {statuses:?}");
            assert!(statuses.get(&429).copied().unwrap_or(0) >= 70, "{statuses:?}");
            assert_eq!(ats_statuses.get(&201), Some(&2), "the ATS's own orders: {ats_statuses:?}");
            format!("100 widget orders in 2 s from one session {statuses:?}; the ATS's orders meanwhile {ats_statuses:?}")
        },
        &report,
    )
    .await;

    let (peak, _) = server.rss_mib();
    eprintln!("abuse: server peak RSS {peak} MiB (bound {PEAK_RSS_MIB} MiB)");
    assert!(
        peak < PEAK_RSS_MIB,
        "server peak RSS {peak} MiB over {PEAK_RSS_MIB} MiB"
    );
    // Still answering.
    let r = http
        .get(server.url("/ats/packages"))
        .basic_auth(ATS_USER, Some(ATS_SECRET))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // A Markdown table of the figures, for `pkg-scripts/bench`'s report.
    if let Ok(path) = std::env::var("SCREENING_ABUSE_REPORT") {
        let mut text = String::from(
            "| Flood | What the attacker got | Valid requests meanwhile (from another address, a fresh connection each, a pair every 100 ms) | Server RSS after |\n|---|---|---|---|\n",
        );
        text.push_str(&report.lock().await.join("\n"));
        text.push_str(&format!(
            "\n\nServer peak RSS over the whole test: {peak} MiB (bound {PEAK_RSS_MIB} MiB).\n"
        ));
        std::fs::write(path, text).unwrap();
    }
}

async fn open_connections_at(addr: SocketAddr) -> i64 {
    let m = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap();
    let text = m.text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("screening_http_connections_open "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(-1)
}
