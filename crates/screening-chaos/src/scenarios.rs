//! The five scenarios. Each one places orders as an ATS would, drives their reports to final
//! states through the sandbox's control endpoints while something goes wrong, lets the
//! system drain, and measures the outcome against Yardstik's truth.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use futures_util::stream::{self, StreamExt};
use rand::seq::SliceRandom;
use rand::Rng;
use serde_json::{json, Value};

use crate::ats_client::{order_body, AtsClient, Placed};
use crate::receiver::Receiver;
use crate::rig::{Database, Rig, RigOptions};
use crate::sandbox_client::{sign, SandboxClient, SIGNATURE_A};
use crate::verify::{self, Measure, Plan};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Kill9,
    FlakyYardstik,
    AtsDown,
    YardstikDown,
    Reorder,
}

impl Scenario {
    pub const ALL: [Scenario; 5] = [
        Scenario::Kill9,
        Scenario::FlakyYardstik,
        Scenario::AtsDown,
        Scenario::YardstikDown,
        Scenario::Reorder,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Kill9 => "kill-9",
            Scenario::FlakyYardstik => "flaky-yardstik",
            Scenario::AtsDown => "ats-down",
            Scenario::YardstikDown => "yardstik-down",
            Scenario::Reorder => "reorder-duplicate",
        }
    }
    pub fn parse(s: &str) -> Option<Scenario> {
        Scenario::ALL.into_iter().find(|x| x.name() == s)
    }
}

/// Sizes and time limits of a run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub orders: usize,
    pub bin: PathBuf,
    pub work: PathBuf,
    /// How long results may take to reach the ATS once the disturbance is over.
    pub drain: Duration,
    /// How long the ATS answers 503 (ats-down).
    pub ats_down_for: Duration,
    /// How long every Yardstik API call fails (yardstik-down).
    pub yardstik_down_for: Duration,
}

pub struct Outcome {
    pub measure: Measure,
    /// `None`: not drained within the deadline.
    pub drain_time: Option<Duration>,
}

pub fn progress(scenario: Scenario, db: &Database, msg: &str) {
    eprintln!("[chaos] {} / {}: {msg}", scenario.name(), db.label());
}

pub async fn run(
    set: &Settings,
    scenario: Scenario,
    db: &Database,
    n: usize,
) -> anyhow::Result<Outcome> {
    let tag = match db {
        Database::Sqlite => "sqlite",
        Database::Postgres(_) => "pg",
    };
    let suffix = format!("{}_{}_{n}", scenario.name().replace('-', "_"), tag);
    let opts = RigOptions {
        delivery_schedule: if scenario == Scenario::AtsDown {
            "1s,2s,2s,4s,8s"
        } else {
            RigOptions::default().delivery_schedule
        },
        register_webhooks: scenario != Scenario::Reorder,
    };
    let say = |m: &str| progress(scenario, db, m);
    say("starting the sandbox, the database and the server(s)");
    let work = set.work.join(format!("{}-{tag}", scenario.name()));
    let mut rig = Rig::start(&set.bin, work, db, &suffix, opts).await?;
    let prefix = format!("{}-{tag}", scenario.name());
    let plans: Vec<Plan> = (0..set.orders).map(|i| verify::plan(&prefix, i)).collect();
    let mut run = Run {
        plans,
        placed: HashMap::new(),
        reports: HashMap::new(),
        attempts: Vec::new(),
    };
    let drive_end = match scenario {
        Scenario::Kill9 => kill9(&mut rig, &mut run, &say).await?,
        Scenario::FlakyYardstik => flaky(&rig, &mut run, &say).await?,
        Scenario::AtsDown => ats_down(set, &rig, &mut run, &say).await?,
        Scenario::YardstikDown => yardstik_down(set, &rig, &mut run, &say).await?,
        Scenario::Reorder => reorder(&rig, &mut run, &say).await?,
    };
    say(&format!("draining (up to {:?})", set.drain));
    let drain_time = drain(&rig, &run, drive_end, set.drain).await;
    rig.ys.clear_faults().await.ok();
    say("measuring against Yardstik's truth");
    let truth = verify::truth(&rig.ys, &run.plans).await?;
    let placed: HashSet<String> = run.placed.keys().cloned().collect();
    let mut measure = verify::measure(
        &run.plans,
        &placed,
        &truth,
        &rig.receiver.all(),
        &rig.ats,
        &rig.server_urls(),
    )
    .await;
    let failures: Vec<String> = run
        .plans
        .iter()
        .filter(|p| !run.placed.contains_key(&p.bcid))
        .take(2)
        .map(|p| format!("{}: placement failed", p.bcid))
        .collect();
    measure.notes.extend(failures);
    let retried = run.attempts.iter().filter(|a| **a > 1).count();
    if retried > 0 {
        measure.notes.insert(
            0,
            format!(
                "{retried} orders were accepted only after the ATS retried (up to {} attempts)",
                run.attempts.iter().max().unwrap_or(&1)
            ),
        );
    }
    say(&format!(
        "orders {}, delivered {}, lost {}, stale {}, duplicate invitations {}, unplaced {}",
        measure.orders,
        measure.delivered,
        measure.lost,
        measure.stale,
        measure.duplicates,
        measure.unplaced
    ));
    drop(rig);
    Ok(Outcome {
        measure,
        drain_time,
    })
}

/// What happened to the planned orders so far.
struct Run {
    plans: Vec<Plan>,
    /// Orders the server accepted (201).
    placed: HashMap<String, Value>,
    /// (order, report ids of its items, package first).
    reports: HashMap<String, Vec<String>>,
    /// Placement attempts of the accepted orders.
    attempts: Vec<u32>,
}

/// Place `plans` with ATS retries, 16 at a time; returns (accepted, failures).
async fn place(
    rig: &Rig,
    plans: &[Plan],
    deadline: Instant,
) -> (HashMap<String, (u32, Value)>, Vec<String>) {
    let servers = rig.server_urls();
    let url = rig.receiver.url.clone();
    let results: Vec<(String, Placed)> = stream::iter(plans.iter().enumerate())
        .map(|(i, p)| {
            let ats = rig.ats.clone();
            let mut order: Vec<String> = servers.clone();
            order.rotate_left(i % servers.len());
            let add_ons: Vec<&str> = if p.add_on { vec!["DRG01"] } else { vec![] };
            let body = order_body(&p.bcid, &url, &p.email, &p.last_name, &add_ons);
            async move { (p.bcid.clone(), ats.place(&order, &body, deadline).await) }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let mut ok = HashMap::new();
    let mut failed = Vec::new();
    for (id, r) in results {
        match r {
            Placed::Ok { state, attempts } => {
                ok.insert(id, (attempts, state));
            }
            Placed::Failed { attempts, last } => {
                failed.push(format!("{id} after {attempts} attempts: {last}"))
            }
        }
    }
    (ok, failed)
}

/// The report id of every item, from the order state (read again until complete).
async fn report_ids(
    ats: &AtsClient,
    servers: &[String],
    bcid: &str,
    state: &Value,
    deadline: Instant,
) -> Option<Vec<String>> {
    let ids = |v: &Value| -> Option<Vec<String>> {
        let items = v["items"].as_array()?;
        let ids: Vec<String> = items
            .iter()
            .filter_map(|i| i["report_id"].as_str().map(str::to_string))
            .collect();
        (!items.is_empty() && ids.len() == items.len()).then_some(ids)
    };
    if let Some(v) = ids(state) {
        return Some(v);
    }
    let mut k = 0;
    while Instant::now() < deadline {
        if let Some((200, v)) = ats.order(&servers[k % servers.len()], bcid).await {
            if let Some(v) = ids(&v) {
                return Some(v);
            }
        }
        k += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    None
}

async fn place_and_collect(
    rig: &Rig,
    run: &mut Run,
    range: std::ops::Range<usize>,
    deadline: Instant,
) -> Vec<String> {
    let plans = &run.plans[range];
    let (ok, mut failed) = place(rig, plans, deadline).await;
    let servers = rig.server_urls();
    let mut ids = Vec::new();
    for p in plans {
        let Some((attempts, state)) = ok.get(&p.bcid) else {
            continue;
        };
        run.attempts.push(*attempts);
        let end = Instant::now().max(deadline) + Duration::from_secs(10);
        match report_ids(&rig.ats, &servers, &p.bcid, state, end).await {
            Some(r) => {
                run.reports.insert(p.bcid.clone(), r);
                ids.push(p.bcid.clone());
            }
            None => failed.push(format!("{}: no report ids in the order state", p.bcid)),
        }
        run.placed.insert(p.bcid.clone(), state.clone());
    }
    for f in failed.iter().take(3) {
        eprintln!("[chaos]   placement problem: {f}");
    }
    ids
}

/// Complete every report of these orders (as the candidate would), then move the package
/// reports through their planned adjudication steps.
/// With `ats`, the moves wait (up to 8 s) until the ATS has heard a first result for those
/// orders, so that later results have an earlier one to replace.
async fn drive(
    ys: SandboxClient,
    work: Vec<(Plan, Vec<String>)>,
    ats: Option<Receiver>,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(120);
    let errors: Vec<String> = stream::iter(work.clone())
        .map(|(p, reports)| {
            let ys = ys.clone();
            async move {
                for r in &reports {
                    ys.complete_report(r, &p.last_name).await?;
                }
                anyhow::Ok(())
            }
        })
        .buffer_unordered(16)
        .filter_map(|r| async move { r.err().map(|e| e.to_string()) })
        .collect()
        .await;
    if let Some(r) = ats {
        wait_heard(&r, &work).await;
    }
    let moved: Vec<String> = stream::iter(work)
        .map(|(p, reports)| {
            let ys = ys.clone();
            async move {
                for status in &p.moves {
                    ys.move_report(&reports[0], status, deadline).await?;
                }
                anyhow::Ok(())
            }
        })
        .buffer_unordered(16)
        .filter_map(|r| async move { r.err().map(|e| e.to_string()) })
        .collect()
        .await;
    let all: Vec<String> = errors.into_iter().chain(moved).collect();
    if let Some(e) = all.first() {
        anyhow::bail!("{} driving errors, e.g. {e}", all.len());
    }
    Ok(())
}

/// Wait (up to 8 s) until the ATS accepted a body for every order that has moves planned.
async fn wait_heard(r: &Receiver, work: &[(Plan, Vec<String>)]) {
    let want: HashSet<&str> = work
        .iter()
        .filter(|(p, _)| !p.moves.is_empty())
        .map(|(p, _)| p.bcid.as_str())
        .collect();
    let end = Instant::now() + Duration::from_secs(8);
    while Instant::now() < end {
        let got = r.all();
        let heard: HashSet<&str> = got
            .iter()
            .filter(|x| x.accepted())
            .filter_map(|x| x.bcid())
            .collect();
        if want.iter().all(|id| heard.contains(id)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn work_for(run: &Run, ids: &[String]) -> Vec<(Plan, Vec<String>)> {
    run.plans
        .iter()
        .filter(|p| ids.contains(&p.bcid))
        .map(|p| (p.clone(), run.reports[&p.bcid].clone()))
        .collect()
}

/// Wait until every order's last received body equals Yardstik's truth (bounded). Returns
/// the time from `since` when that held, or `None`.
async fn drain(rig: &Rig, run: &Run, since: Instant, limit: Duration) -> Option<Duration> {
    let end = Instant::now() + limit;
    let placed: Vec<Plan> = run
        .plans
        .iter()
        .filter(|p| run.placed.contains_key(&p.bcid))
        .cloned()
        .collect();
    if placed.len() < run.plans.len() {
        // An order that was never placed can never drain.
        tokio::time::sleep_until(end.into()).await;
        return None;
    }
    let mut truth = None;
    let mut truth_at = Instant::now() - Duration::from_secs(60);
    while Instant::now() < end {
        if truth_at.elapsed() > Duration::from_secs(3) {
            truth = verify::truth(&rig.ys, &placed).await.ok();
            truth_at = Instant::now();
        }
        if let Some(t) = &truth {
            if verify::drained(t, &rig.receiver.all()) {
                return Some(since.elapsed());
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    None
}

type Say<'a> = dyn Fn(&str) + 'a;

fn all_ids(run: &Run, ids: &[String]) -> Vec<(Plan, Vec<String>)> {
    work_for(run, ids)
}

/// 1. SIGKILL a server in the middle of a burst of Yardstik webhooks, then restart it.
async fn kill9(rig: &mut Rig, run: &mut Run, say: &Say<'_>) -> anyhow::Result<Instant> {
    say(&format!("placing {} orders", run.plans.len()));
    let ids = place_and_collect(
        rig,
        run,
        0..run.plans.len(),
        Instant::now() + Duration::from_secs(120),
    )
    .await;
    let victim_url = rig.servers[0].webhook_url();
    let count_to_victim = |d: &[Value]| {
        d.iter()
            .filter(|x| x["url"] == victim_url.as_str() && x["state"] == "delivered")
            .count()
    };
    let before = count_to_victim(&rig.ys.deliveries().await?);
    let reports: usize = ids.iter().map(|i| run.reports[i].len()).sum();
    let moves: usize = run.plans.iter().map(|p| p.moves.len() * 2).sum();
    let burst = reports * 4 + moves;
    let kill_after = burst * 2 / 5;
    say(&format!("completing every report (a burst of ~{burst} webhooks per server); SIGKILL after ~{kill_after}"));
    let task = tokio::spawn(drive(
        rig.ys.clone(),
        all_ids(run, &ids),
        Some(rig.receiver.clone()),
    ));
    let end = Instant::now() + Duration::from_secs(60);
    let mut sent = 0;
    while Instant::now() < end {
        sent = count_to_victim(&rig.ys.deliveries().await?).saturating_sub(before);
        if sent >= kill_after {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let pid = rig.servers[0].guard.as_ref().and_then(|g| g.pid());
    rig.servers[0].kill9();
    say(&format!(
        "SIGKILLed server 1 (pid {pid:?}) after it had received {sent} webhooks of the burst"
    ));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    rig.servers[0].start(&rig.http).await?;
    say("server 1 restarted");
    task.await.context("driver task")??;
    Ok(Instant::now())
}

/// 2. Yardstik fails ~30% of API calls (500, 429 + Retry-After, dropped connections) and adds
/// latency, while orders are placed (the ATS retries) and completed.
async fn flaky(rig: &Rig, run: &mut Run, say: &Say<'_>) -> anyhow::Result<Instant> {
    rig.ys
        .set_faults(json!({"rules": [
            {"kind": "error", "rate": 0.12},
            {"kind": "rate_limit", "rate": 0.12, "retry_after_secs": 1},
            {"kind": "drop", "rate": 0.12},
            {"kind": "latency", "rate": 0.3, "latency_ms": 300}
        ]}))
        .await?;
    say(&format!(
        "faults on (~32% of API calls fail, 30% slowed); placing {} orders",
        run.plans.len()
    ));
    let ids = place_and_collect(
        rig,
        run,
        0..run.plans.len(),
        Instant::now() + Duration::from_secs(180),
    )
    .await;
    say(&format!(
        "{} orders placed; completing every report (faults still on)",
        ids.len()
    ));
    drive(
        rig.ys.clone(),
        all_ids(run, &ids),
        Some(rig.receiver.clone()),
    )
    .await?;
    Ok(Instant::now())
}

/// 3. The ATS answers 503 for a stretch of the (shortened) delivery schedule, then recovers.
async fn ats_down(
    set: &Settings,
    rig: &Rig,
    run: &mut Run,
    say: &Say<'_>,
) -> anyhow::Result<Instant> {
    say(&format!("placing {} orders", run.plans.len()));
    let ids = place_and_collect(
        rig,
        run,
        0..run.plans.len(),
        Instant::now() + Duration::from_secs(120),
    )
    .await;
    rig.receiver.answer_with(503);
    let down = Instant::now();
    say(&format!(
        "ATS down (503) for {:?}; completing every report",
        set.ats_down_for
    ));
    drive(rig.ys.clone(), all_ids(run, &ids), None).await?;
    tokio::time::sleep_until((down + set.ats_down_for).into()).await;
    rig.receiver.answer_with(200);
    say("ATS up again");
    Ok(Instant::now())
}

/// 4. Every Yardstik API call fails for longer than the server's (shortened) retry budget;
/// half the orders are completed during the outage, the other half is placed during it.
async fn yardstik_down(
    set: &Settings,
    rig: &Rig,
    run: &mut Run,
    say: &Say<'_>,
) -> anyhow::Result<Instant> {
    let half = run.plans.len() / 2;
    say(&format!("placing {half} orders"));
    let first =
        place_and_collect(rig, run, 0..half, Instant::now() + Duration::from_secs(120)).await;
    rig.ys
        .set_faults(json!({"rules": [{"kind": "error", "rate": 1.0}]}))
        .await?;
    let down = Instant::now();
    say(&format!(
        "Yardstik API down for {:?}: completing {} orders, placing {} more",
        set.yardstik_down_for,
        first.len(),
        run.plans.len() - half
    ));
    let later: Vec<Plan> = run.plans[half..].to_vec();
    let deadline = down + set.yardstik_down_for + Duration::from_secs(90);
    let placing = {
        let (ats, servers, url) = (rig.ats.clone(), rig.server_urls(), rig.receiver.url.clone());
        tokio::spawn(async move {
            let mut out = Vec::new();
            let res: Vec<(String, Placed)> = stream::iter(later.into_iter().enumerate())
                .map(|(i, p)| {
                    let (ats, mut order) = (ats.clone(), servers.clone());
                    let k = i % order.len();
                    order.rotate_left(k);
                    let add_ons: Vec<&str> = if p.add_on { vec!["DRG01"] } else { vec![] };
                    let body = order_body(&p.bcid, &url, &p.email, &p.last_name, &add_ons);
                    async move { (p.bcid.clone(), ats.place(&order, &body, deadline).await) }
                })
                .buffer_unordered(16)
                .collect()
                .await;
            out.extend(res);
            out
        })
    };
    drive(rig.ys.clone(), all_ids(run, &first), None).await?;
    tokio::time::sleep_until((down + set.yardstik_down_for).into()).await;
    rig.ys.clear_faults().await?;
    say("Yardstik API back; waiting for the ATS's retried placements");
    let servers = rig.server_urls();
    let mut second = Vec::new();
    for (id, r) in placing.await.context("placement task")? {
        match r {
            Placed::Ok { state, attempts } => {
                run.attempts.push(attempts);
                let end = Instant::now() + Duration::from_secs(20);
                if let Some(r) = report_ids(&rig.ats, &servers, &id, &state, end).await {
                    run.reports.insert(id.clone(), r);
                    second.push(id.clone());
                }
                run.placed.insert(id, state);
            }
            Placed::Failed { attempts, last } => {
                eprintln!("[chaos]   placement problem: {id} after {attempts} attempts: {last}")
            }
        }
    }
    say(&format!(
        "completing the {} orders placed during the outage",
        second.len()
    ));
    drive(
        rig.ys.clone(),
        all_ids(run, &second),
        Some(rig.receiver.clone()),
    )
    .await?;
    Ok(Instant::now())
}

/// 5. The server does not subscribe itself; the runner forwards Yardstik's webhook bodies
/// (from the sandbox's delivery log, signed with the account's key) shuffled and duplicated,
/// in two waves: after the reports are final, and again (all of them) after adjudication.
async fn reorder(rig: &Rig, run: &mut Run, say: &Say<'_>) -> anyhow::Result<Instant> {
    rig.ys.subscribe(&rig.receiver.sink_url).await?;
    say(&format!("placing {} orders", run.plans.len()));
    let ids = place_and_collect(
        rig,
        run,
        0..run.plans.len(),
        Instant::now() + Duration::from_secs(120),
    )
    .await;
    let work = all_ids(run, &ids);
    let without_moves: Vec<(Plan, Vec<String>)> = work
        .iter()
        .map(|(p, r)| {
            (
                Plan {
                    moves: vec![],
                    ..p.clone()
                },
                r.clone(),
            )
        })
        .collect();
    say("completing every report");
    drive(rig.ys.clone(), without_moves, None).await?;
    settle(&rig.ys, Duration::from_secs(1)).await;
    let n = forward(rig, 3).await?;
    say(&format!(
        "wave 1: forwarded {n} webhook bodies (shuffled, 1-3 copies each)"
    ));
    wait_heard(&rig.receiver, &work).await;
    let ys = rig.ys.clone();
    let deadline = Instant::now() + Duration::from_secs(60);
    let errs: Vec<String> = stream::iter(work)
        .map(|(p, r)| {
            let ys = ys.clone();
            async move {
                for s in &p.moves {
                    ys.move_report(&r[0], s, deadline).await?;
                }
                anyhow::Ok(())
            }
        })
        .buffer_unordered(16)
        .filter_map(|r| async move { r.err().map(|e| e.to_string()) })
        .collect()
        .await;
    if let Some(e) = errs.first() {
        anyhow::bail!("{} adjudication errors, e.g. {e}", errs.len());
    }
    settle(&rig.ys, Duration::from_millis(500)).await;
    let n = forward(rig, 2).await?;
    say(&format!(
        "wave 2: forwarded all {n} webhook bodies again (shuffled, 1-2 copies each)"
    ));
    Ok(Instant::now())
}

/// Wait (bounded) until the sandbox has no webhook delivery pending and reports are final.
async fn settle(ys: &SandboxClient, extra: Duration) {
    tokio::time::sleep(extra).await;
    let end = Instant::now() + Duration::from_secs(30);
    while Instant::now() < end {
        match ys.deliveries().await {
            Ok(d) if d.iter().all(|x| x["state"] != "pending") => return,
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// Send every logged Yardstik webhook body to the server(s), each 1..=`max_copies` times,
/// shuffled, 8 at a time; returns how many requests were sent.
async fn forward(rig: &Rig, max_copies: usize) -> anyhow::Result<usize> {
    let log = rig.ys.deliveries().await?;
    let mut bodies = Vec::new();
    {
        let mut rng = rand::thread_rng();
        for d in &log {
            let body = d["body"].as_str().unwrap_or_default().to_string();
            let sig = sign(SIGNATURE_A, body.as_bytes());
            anyhow::ensure!(
                d["signature"].as_str() == Some(sig.as_str()),
                "the sandbox's signature differs from HMAC-SHA256(demo-webhook-signature, body)"
            );
            for _ in 0..rng.gen_range(1..=max_copies) {
                bodies.push((body.clone(), sig.clone()));
            }
        }
        bodies.shuffle(&mut rng);
    }
    let servers = rig.server_urls();
    let http = rig.http.clone();
    let total = bodies.len();
    let failures: usize = stream::iter(bodies.into_iter().enumerate())
        .map(|(i, (body, sig))| {
            let url = format!("{}/webhooks/yardstik", servers[i % servers.len()]);
            let http = http.clone();
            async move {
                for _ in 0..5 {
                    let r = http
                        .post(&url)
                        .header("content-type", "application/json")
                        .header("x-yardstik-webhook-signature", &sig)
                        .body(body.clone())
                        .send()
                        .await;
                    if matches!(&r, Ok(r) if r.status().is_success()) {
                        return 0usize;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                1
            }
        })
        .buffer_unordered(8)
        .collect::<Vec<usize>>()
        .await
        .into_iter()
        .sum();
    if failures > 0 {
        eprintln!("[chaos]   {failures} forwarded webhooks were never accepted by the server");
    }
    Ok(total)
}
