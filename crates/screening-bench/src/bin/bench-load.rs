//! The load generator of `pkg-scripts/bench`.
//!
//! Open loop (`--rate R`): request `i` is due at `start + i/R`, sent then whatever happened to
//! earlier ones, and its latency is measured from that due time, not from when it was
//! actually sent, so a stalled server is charged for every request it delayed (no coordinated
//! omission). Closed loop (`--connections C`): C workers, each sending its next request when
//! the previous one answered — for maximum throughput only.
//!
//!   bench-load run SCENARIO --url URL (--rate R | --connections C) --duration SECS
//!              [--flood N --flood-url URL] [scenario options] [--out FILE]
//!   bench-load corpus --out FILE --n N --account ID --key KEY --report ID --base URL [--tag HEX8]
//!
//! Scenarios:
//! - `ingest --corpus FILE`: `POST /webhooks/yardstik`, the corpus's signed bodies in turn
//!   (lines `<hex signature> <body>`, written by `corpus`); 200 expected.
//! - `orders --run ID --webhook URL`: `POST /ats/orders` (HTTP Basic, the demo tenant), a
//!   new `background_check_id` and applicant email each; 201 expected.
//! - `intake-ref --run ID --package YARDSTIK_PACKAGE_ID --key API_KEY`: the two Yardstik calls
//!   an order makes, straight to the sandbox with the server's exact bodies: `POST /candidates`
//!   then `POST /invitations` for that candidate; emails in their own namespace
//!   (`ref-…@example.net`) so no call takes the sandbox's "already exists" path.
//! - `ats-get`: `GET /ats/packages` with the demo tenant's valid credentials; 200 expected.
//!
//! `--flood N`: meanwhile N concurrent bad logins (`GET /ats/packages` with made-up or wrong
//! Basic credentials, half for an unknown account, half for the real one) from distinct
//! loopback source addresses (127.2.x.y), started one second before the measured requests and
//! stopped after them; their answers are counted by status.
//!
//! Prints one JSON object (latency in ms): sent, ok, errors (any unexpected status or
//! transport error; samples kept), achieved rate, p50/p90/p99/p99.9/max, over_1s.

use std::collections::BTreeMap;
use std::io::{BufRead, Read, Write};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::time::Instant;

const ATS_BASIC: &str = "demo-ats:demo-ats-secret";

fn die(msg: &str) -> ! {
    eprintln!("bench-load: {msg}");
    std::process::exit(2);
}

struct Args(BTreeMap<String, String>);

impl Args {
    fn parse(it: impl Iterator<Item = String>) -> Args {
        let mut m = BTreeMap::new();
        let mut it = it.peekable();
        while let Some(a) = it.next() {
            let Some(k) = a.strip_prefix("--") else {
                die(&format!("unexpected argument {a}"))
            };
            let v = it
                .next()
                .unwrap_or_else(|| die(&format!("--{k} needs a value")));
            m.insert(k.to_string(), v);
        }
        Args(m)
    }
    fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str)
    }
    fn req(&self, k: &str) -> &str {
        self.get(k)
            .unwrap_or_else(|| die(&format!("--{k} is required")))
    }
    fn num(&self, k: &str) -> Option<f64> {
        self.get(k).map(|v| {
            v.parse()
                .unwrap_or_else(|_| die(&format!("--{k}: not a number")))
        })
    }
}

/// A random v4 UUID; `tag` (8 hex digits) replaces its first group, so one run's events can
/// be counted in the server's database (`event_id LIKE 'tag-%'`).
fn uuid_v4(rng: &mut impl Read, tag: Option<&str>) -> String {
    let mut b = [0u8; 16];
    rng.read_exact(&mut b).expect("/dev/urandom");
    if let Some(t) = tag
        .and_then(|t| hex::decode(t).ok())
        .filter(|t| t.len() == 4)
    {
        b[..4].copy_from_slice(&t);
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Distinct signed webhooks in the sandbox's exact body shape and key order.
fn corpus(a: &Args) {
    let n = a.num("n").unwrap_or(1000.0) as usize;
    let (account, key, report, base) = (
        a.req("account"),
        a.req("key"),
        a.req("report"),
        a.req("base"),
    );
    let mut rng =
        std::io::BufReader::new(std::fs::File::open("/dev/urandom").expect("/dev/urandom"));
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(a.req("out")).unwrap_or_else(|e| die(&format!("--out: {e}"))),
    );
    for _ in 0..n {
        let body = format!(
            r#"{{"id":"{}","event":"updated","resource_id":"{report}","account_id":"{account}","account_name":"Demo Staffing Co","resource_type":"report","resource_url":"{base}/reports/{report}"}}"#,
            uuid_v4(&mut rng, a.get("tag"))
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("key");
        mac.update(body.as_bytes());
        writeln!(out, "{} {body}", hex::encode(mac.finalize().into_bytes())).expect("write");
    }
}

enum Scenario {
    Ingest(Vec<(String, String)>),
    Orders {
        run: String,
        webhook: String,
    },
    IntakeRef {
        run: String,
        package: String,
        key: String,
    },
    AtsGet,
}

#[derive(Default)]
struct Tally {
    lat_us: Vec<u64>,
    ok: u64,
    errors: u64,
    status: BTreeMap<String, u64>,
    samples: Vec<String>,
}

impl Tally {
    fn add(&mut self, lat: Duration, res: Result<(), String>) {
        self.lat_us.push(lat.as_micros() as u64);
        match res {
            Ok(()) => self.ok += 1,
            Err(e) => {
                self.errors += 1;
                let k = e.split(':').next().unwrap_or("").to_string();
                *self.status.entry(k).or_default() += 1;
                if self.samples.len() < 5 {
                    self.samples.push(e);
                }
            }
        }
    }
}

async fn expect(res: reqwest::Result<reqwest::Response>, ok: &[u16]) -> Result<Value, String> {
    let r = res.map_err(|e| format!("transport: {e}"))?;
    let status = r.status().as_u16();
    let body = r.bytes().await.map_err(|e| format!("transport: {e}"))?;
    if !ok.contains(&status) {
        return Err(format!(
            "{status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(200)])
        ));
    }
    Ok(serde_json::from_slice(&body).unwrap_or(Value::Null))
}

fn basic(creds: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(creds)
    )
}

async fn one(c: &reqwest::Client, url: &str, s: &Scenario, i: u64) -> Result<(), String> {
    match s {
        Scenario::Ingest(corpus) => {
            let (sig, body) = &corpus[i as usize % corpus.len()];
            expect(
                c.post(format!("{url}/webhooks/yardstik"))
                    .header("content-type", "application/json")
                    .header("x-yardstik-webhook-signature", sig)
                    .body(body.clone())
                    .send()
                    .await,
                &[200],
            )
            .await
            .map(|_| ())
        }
        Scenario::Orders { run, webhook } => {
            let id = format!("{run}-{i}");
            let body = json!({
                "account_id": "demo-ats", "hiring_manager_user_id": "67890", "background_check_id": id,
                "package_id": "PKG001", "add_on_package_ids": [], "webhook_url": webhook,
                "hiring_manager": {"id": "67890", "first_name": "Jill", "last_name": "Smith", "email": "jill@example.com"},
                "applicant": {"id": format!("a-{id}"), "first_name": "John", "last_name": "Doe", "phone": "888-555-1234",
                    "email": format!("{id}@example.com"), "address": "123 Main St.", "address_2": "Apt. 1",
                    "city": "Springfield", "state": "IL", "zip": "12345"},
                "job": {"id": "12345"}
            });
            expect(
                c.post(format!("{url}/ats/orders"))
                    .header("authorization", basic(ATS_BASIC))
                    .json(&body)
                    .send()
                    .await,
                &[201],
            )
            .await
            .map(|_| ())
        }
        Scenario::IntakeRef { run, package, key } => {
            let id = format!("{run}-{i}");
            let auth = format!("Account {key}");
            // The server's NewCandidate for the orders scenario's applicant, field for field.
            let cand = json!({
                "first_name": "John", "last_name": "Doe", "email": format!("ref-{id}@example.net"),
                "phone": "+18885551234", "external_id": format!("a-{id}"),
                "addresses": [{"line1": "123 Main St.", "line2": "Apt. 1", "city": "Springfield",
                    "state": "IL", "zip_code": "12345", "country": "US"}]
            });
            let v = expect(
                c.post(format!("{url}/candidates"))
                    .header("authorization", &auth)
                    .header("accept", "application/json")
                    .json(&cand)
                    .send()
                    .await,
                &[201],
            )
            .await?;
            let cid = v["id"]
                .as_str()
                .ok_or_else(|| "body: candidate without id".to_string())?;
            expect(
                c.post(format!("{url}/invitations"))
                    .header("authorization", &auth)
                    .header("accept", "application/json")
                    .json(&json!({"account_package_id": package, "candidate_id": cid}))
                    .send()
                    .await,
                &[201],
            )
            .await
            .map(|_| ())
        }
        Scenario::AtsGet => expect(
            c.get(format!("{url}/ats/packages"))
                .header("authorization", basic(ATS_BASIC))
                .send()
                .await,
            &[200],
        )
        .await
        .map(|_| ()),
    }
}

fn client(local: Option<IpAddr>) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(4096)
        .timeout(Duration::from_secs(30));
    if let Some(ip) = local {
        b = b.local_address(ip);
    }
    b.build().expect("http client")
}

/// Bad logins until `stop`, from `n` tasks over distinct source addresses.
fn flood(
    n: usize,
    url: String,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<BTreeMap<String, u64>> {
    tokio::spawn(async move {
        let counts: Arc<Mutex<BTreeMap<String, u64>>> = Arc::default();
        let mut tasks = vec![];
        for i in 0..n {
            let ip = IpAddr::V4(Ipv4Addr::new(127, 2, (i / 250) as u8, (i % 250 + 1) as u8));
            let (c, url, stop, counts) =
                (client(Some(ip)), url.clone(), stop.clone(), counts.clone());
            tasks.push(tokio::spawn(async move {
                let mut k = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    k += 1;
                    let creds = if i % 2 == 0 {
                        format!("flood-{i}-{k}:wrong")
                    } else {
                        format!("demo-ats:wrong-{i}-{k}")
                    };
                    let key = match c
                        .get(format!("{url}/ats/packages"))
                        .header("authorization", basic(&creds))
                        .send()
                        .await
                    {
                        Ok(r) => {
                            let s = r.status().as_u16().to_string();
                            let _ = r.bytes().await;
                            s
                        }
                        Err(_) => {
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            "transport".to_string()
                        }
                    };
                    *counts.lock().unwrap().entry(key).or_default() += 1;
                }
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
        let m = counts.lock().unwrap().clone();
        m
    })
}

fn pct(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[i.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

async fn run(scenario: &str, a: &Args) -> Value {
    let url = a.req("url").trim_end_matches('/').to_string();
    let s = Arc::new(match scenario {
        "ingest" => {
            let f = std::fs::File::open(a.req("corpus"))
                .unwrap_or_else(|e| die(&format!("--corpus: {e}")));
            let lines: Vec<(String, String)> = std::io::BufReader::new(f)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| {
                    l.split_once(' ')
                        .map(|(s, b)| (s.to_string(), b.to_string()))
                })
                .collect();
            if lines.is_empty() {
                die("empty corpus");
            }
            Scenario::Ingest(lines)
        }
        "orders" => Scenario::Orders {
            run: a.req("run").into(),
            webhook: a.req("webhook").into(),
        },
        "intake-ref" => Scenario::IntakeRef {
            run: a.req("run").into(),
            package: a.req("package").into(),
            key: a.req("key").into(),
        },
        "ats-get" => Scenario::AtsGet,
        other => die(&format!("unknown scenario {other}")),
    });
    let duration = Duration::from_secs_f64(a.num("duration").unwrap_or(10.0));
    let flood_n = a.num("flood").unwrap_or(0.0) as usize;
    let stop = Arc::new(AtomicBool::new(false));
    let flood_task = (flood_n > 0).then(|| {
        flood(
            flood_n,
            a.get("flood-url")
                .unwrap_or(&url)
                .trim_end_matches('/')
                .to_string(),
            stop.clone(),
        )
    });
    if flood_task.is_some() {
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let c = client(None);
    let tally = Arc::new(Mutex::new(Tally::default()));
    let started = Instant::now();
    let (mode, target, overload) = if let Some(rate) = a.num("rate") {
        let n = (rate * duration.as_secs_f64()).round().max(1.0) as u64;
        let max_inflight = a.num("max-inflight").unwrap_or(20_000.0) as u64;
        let inflight = Arc::new(AtomicU64::new(0));
        let mut overload = 0u64;
        let mut set = tokio::task::JoinSet::new();
        let start = Instant::now() + Duration::from_millis(20);
        for i in 0..n {
            let due = start + Duration::from_secs_f64(i as f64 / rate);
            tokio::time::sleep_until(due).await;
            if inflight.load(Ordering::Relaxed) >= max_inflight {
                overload += 1;
                tally.lock().unwrap().add(
                    Instant::now() - due,
                    Err("overload: too many requests in flight".into()),
                );
                continue;
            }
            inflight.fetch_add(1, Ordering::Relaxed);
            let (c, url, s, tally, inflight) = (
                c.clone(),
                url.clone(),
                s.clone(),
                tally.clone(),
                inflight.clone(),
            );
            set.spawn(async move {
                let res = one(&c, &url, &s, i).await;
                tally.lock().unwrap().add(Instant::now() - due, res);
                inflight.fetch_sub(1, Ordering::Relaxed);
            });
            while set.try_join_next().is_some() {}
        }
        while set.join_next().await.is_some() {}
        ("open", json!(rate), overload)
    } else {
        let conns = a.num("connections").unwrap_or(8.0) as u64;
        let next = Arc::new(AtomicU64::new(0));
        let end = Instant::now() + duration;
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..conns {
            let (c, url, s, tally, next) = (
                c.clone(),
                url.clone(),
                s.clone(),
                tally.clone(),
                next.clone(),
            );
            set.spawn(async move {
                while Instant::now() < end {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let t = Instant::now();
                    let res = one(&c, &url, &s, i).await;
                    tally.lock().unwrap().add(t.elapsed(), res);
                }
            });
        }
        while set.join_next().await.is_some() {}
        ("closed", json!(conns), 0)
    };
    let elapsed = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let flood_counts = match flood_task {
        Some(t) => Some(t.await.unwrap_or_default()),
        None => None,
    };
    let mut t = std::mem::take(&mut *tally.lock().unwrap());
    t.lat_us.sort_unstable();
    let mean = if t.lat_us.is_empty() {
        f64::NAN
    } else {
        t.lat_us.iter().sum::<u64>() as f64 / t.lat_us.len() as f64 / 1000.0
    };
    let r3 = |x: f64| (x * 1000.0).round() / 1000.0;
    json!({
        "scenario": scenario, "mode": mode, "target": target, "duration_s": r3(duration.as_secs_f64()),
        "elapsed_s": r3(elapsed), "sent": t.lat_us.len(), "ok": t.ok, "errors": t.errors, "overload": overload,
        "error_kinds": t.status, "error_samples": t.samples,
        "rps": r3(t.ok as f64 / if mode == "open" { duration.as_secs_f64() } else { elapsed }),
        "p50_ms": r3(pct(&t.lat_us, 50.0)), "p90_ms": r3(pct(&t.lat_us, 90.0)), "p99_ms": r3(pct(&t.lat_us, 99.0)),
        "p999_ms": r3(pct(&t.lat_us, 99.9)), "max_ms": r3(pct(&t.lat_us, 100.0)), "mean_ms": r3(mean),
        "over_1s": t.lat_us.iter().filter(|&&l| l > 1_000_000).count(),
        "flood": flood_counts.map(|m| json!({"connections": flood_n, "by_status": m, "sent": m.values().sum::<u64>()})),
    })
}

#[tokio::main]
async fn main() {
    let mut argv = std::env::args().skip(1);
    match argv.next().as_deref() {
        Some("corpus") => corpus(&Args::parse(argv)),
        Some("run") => {
            let scenario = argv.next().unwrap_or_else(|| die("run needs a scenario"));
            let a = Args::parse(argv);
            let out = run(&scenario, &a).await.to_string();
            match a.get("out") {
                Some(p) => std::fs::write(p, out + "\n").unwrap_or_else(|e| die(&format!("--out: {e}"))),
                None => println!("{out}"),
            }
        }
        _ => die("usage: bench-load run SCENARIO --url URL (--rate R | --connections C) --duration S … | bench-load corpus …"),
    }
}

#[cfg(test)]
mod tests {
    use super::pct;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<u64> = (1..=100).map(|x| x * 1000).collect();
        assert_eq!(pct(&v, 50.0), 50.0);
        assert_eq!(pct(&v, 99.0), 99.0);
        assert_eq!(pct(&v, 100.0), 100.0);
        assert_eq!(pct(&[5000], 99.0), 5.0);
    }
}
