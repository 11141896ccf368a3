//! `screening-chaos`: a reliability proof. Starts the real `yardstik-sandbox` and
//! `screening-server` binaries on loopback, breaks things on purpose (SIGKILL, flaky or absent
//! Yardstik, the ATS down, webhooks reordered and duplicated), and measures what reached the
//! ATS against Yardstik's truth. Prints a table; `--write RELIABILITY.md` writes the report.
//! Exits non-zero when any scenario lost, staled or duplicated anything.

mod ats_client;
mod procs;
mod receiver;
mod report;
mod rig;
mod sandbox_client;
mod scenarios;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use report::Row;
use rig::Database;
use scenarios::{Scenario, Settings};

#[derive(Debug, Parser)]
#[command(
    name = "screening-chaos",
    about = "Chaos suite for screening-server (real processes on loopback)"
)]
struct Args {
    /// SQLite only, 40 orders, short outages: a quick check (about two minutes).
    #[arg(long)]
    fast: bool,
    /// Orders per scenario (default 200, or 40 with --fast).
    #[arg(long)]
    orders: Option<usize>,
    /// Run only these scenarios: kill-9, flaky-yardstik, ats-down, yardstik-down,
    /// reorder-duplicate (repeatable).
    #[arg(long = "scenario", value_name = "NAME")]
    scenarios: Vec<String>,
    /// PostgreSQL server to also run every scenario on (two server instances sharing a fresh
    /// database per scenario), e.g. postgres://postgres@127.0.0.1:5432/postgres.
    #[arg(long, env = "SCREENING_CHAOS_POSTGRES_URL", hide_env_values = true)]
    postgres_url: Option<String>,
    /// Write the report (markdown) to this file, e.g. RELIABILITY.md.
    #[arg(long, value_name = "FILE")]
    write: Option<PathBuf>,
    /// Where `screening-server` and `yardstik-sandbox` are (default: next to this binary).
    #[arg(long)]
    bin_dir: Option<PathBuf>,
    /// Scratch directory for databases and process logs (default target/chaos).
    #[arg(long, default_value = "target/chaos")]
    work_dir: PathBuf,
    /// Drain deadline in seconds (default 120, or 60 with --fast).
    #[arg(long)]
    drain_secs: Option<u64>,
}

fn git(args: &[&str]) -> String {
    std::process::Command::new("git")
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    tokio::select! {
        code = run(args) => code,
        _ = tokio::signal::ctrl_c() => {
            eprintln!("[chaos] interrupted; stopping every process it started");
            ExitCode::from(130)
        }
    }
}

async fn run(args: Args) -> ExitCode {
    let mut scenarios = Vec::new();
    for name in &args.scenarios {
        match Scenario::parse(name) {
            Some(s) => scenarios.push(s),
            None => {
                eprintln!(
                    "unknown scenario {name:?}; use one of: {}",
                    Scenario::ALL.map(|s| s.name()).join(", ")
                );
                return ExitCode::from(2);
            }
        }
    }
    if scenarios.is_empty() {
        scenarios = Scenario::ALL.to_vec();
    }
    // The commit the binaries under test were built from: read now, not when the report is
    // written (the checkout may move on during a long run).
    let mut commit = git(&["rev-parse", "--short", "HEAD"]);
    if !git(&["status", "--porcelain", "--untracked-files=no"]).is_empty() {
        commit.push_str(" (with uncommitted changes)");
    }
    let work = std::path::absolute(&args.work_dir).unwrap_or(args.work_dir.clone());
    let set = Settings {
        orders: args.orders.unwrap_or(if args.fast { 40 } else { 200 }),
        bin: procs::bin_dir(args.bin_dir.clone()),
        work: work.clone(),
        drain: Duration::from_secs(args.drain_secs.unwrap_or(if args.fast { 60 } else { 120 })),
        ats_down_for: Duration::from_secs(if args.fast { 6 } else { 12 }),
        yardstik_down_for: Duration::from_secs(if args.fast { 10 } else { 20 }),
    };
    let mut dbs = vec![Database::Sqlite];
    match (&args.postgres_url, args.fast) {
        (Some(u), false) => dbs.push(Database::Postgres(u.clone())),
        (Some(_), true) => eprintln!("[chaos] --fast: SQLite only, the PostgreSQL URL is not used"),
        _ => {}
    }
    let mut rows = Vec::new();
    let mut n = 0;
    for s in &scenarios {
        for db in &dbs {
            n += 1;
            let outcome = scenarios::run(&set, *s, db, n)
                .await
                .map_err(|e| format!("{e:#}"));
            if let Err(e) = &outcome {
                scenarios::progress(*s, db, &format!("did not complete: {e}"));
            }
            rows.push(Row {
                scenario: *s,
                database: db.clone(),
                outcome,
            });
        }
    }
    let table = report::table(&rows, set.drain);
    println!("{table}");
    let notes = report::notes(&rows);
    if !notes.is_empty() {
        println!("{notes}");
    }
    if let Some(path) = &args.write {
        let date = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string();
        let mut command = String::from("screening-chaos");
        if args.fast {
            command.push_str(" --fast");
        }
        if args.postgres_url.is_some() && !args.fast {
            command.push_str(" --postgres-url …");
        }
        if let Some(o) = args.orders {
            command.push_str(&format!(" --orders {o}"));
        }
        for s in &args.scenarios {
            command.push_str(&format!(" --scenario {s}"));
        }
        let md = report::markdown(&rows, &set, &commit, &date, &command);
        if let Err(e) = std::fs::write(path, md) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
        eprintln!("[chaos] wrote {}", path.display());
    }
    if rows.iter().any(Row::failed) {
        eprintln!("[chaos] FAIL: results were lost, stale, duplicated or sent for unplaced orders (or a scenario did not complete)");
        ExitCode::FAILURE
    } else {
        eprintln!("[chaos] PASS");
        ExitCode::SUCCESS
    }
}
