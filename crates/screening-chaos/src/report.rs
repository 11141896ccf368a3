//! The results table (stdout) and RELIABILITY.md.

use std::time::Duration;

use crate::rig::Database;
use crate::scenarios::{Outcome, Scenario, Settings};

pub struct Row {
    pub scenario: Scenario,
    pub database: Database,
    /// `Err`: the scenario could not run to the end (setup or driver failure).
    pub outcome: Result<Outcome, String>,
}

impl Row {
    pub fn failed(&self) -> bool {
        match &self.outcome {
            Ok(o) => o.measure.failed(),
            Err(_) => true,
        }
    }
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

pub fn table(rows: &[Row], drain_limit: Duration) -> String {
    let mut t = String::from(
        "| scenario | database | orders | results delivered | lost | stale | duplicate invitations | unplaced results | time to drain |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let (name, db) = (r.scenario.name(), r.database.label());
        match &r.outcome {
            Ok(o) => {
                let m = &o.measure;
                let drain = o
                    .drain_time
                    .map(secs)
                    .unwrap_or_else(|| format!("not drained in {}", secs(drain_limit)));
                t.push_str(&format!(
                    "| {name} | {db} | {} | {} | {} | {} | {} | {} | {drain} |\n",
                    m.orders, m.delivered, m.lost, m.stale, m.duplicates, m.unplaced
                ));
            }
            Err(e) => {
                let e: String = e.chars().take(120).collect();
                t.push_str(&format!(
                    "| {name} | {db} | – | – | – | – | – | – | did not complete: {} |\n",
                    e.replace('|', "/")
                ));
            }
        }
    }
    t
}

pub fn notes(rows: &[Row]) -> String {
    let mut s = String::new();
    for r in rows {
        if let Ok(o) = &r.outcome {
            if o.measure.notes.is_empty() {
                continue;
            }
            s.push_str(&format!(
                "- **{} / {}**: ",
                r.scenario.name(),
                r.database.label()
            ));
            s.push_str(&o.measure.notes.join("; "));
            s.push('\n');
        }
    }
    s
}

const METHOD: &str = "\
Every scenario starts real processes on 127.0.0.1: a fresh `yardstik-sandbox`, a fresh \
database with the tenant added through `screening-server tenant add`, and the server \
(`screening-server serve`; on PostgreSQL two instances sharing one database, orders spread \
over both). An in-process ATS receiver records every result webhook with its headers \
(`Webhook-Id`, `Webhook-Timestamp`, and `Screening-Sequence` when sent). Orders are placed \
like an ATS would, retrying the same body on 5xx, 429 and transport errors until a deadline; \
every fifth order has an add-on package. Reports are completed through the sandbox's control \
endpoints with last names that give `clear` or `consider`, and some are moved further \
(consider → proceed, consider → pre_adverse, consider → pre_adverse → final_adverse), so \
later results must replace earlier ones at the ATS.

- **kill-9**: while the reports are completed (a burst of Yardstik webhooks: ~4 per report \
plus the adjudication moves), the server (on PostgreSQL: one of the two) is killed with \
SIGKILL once it has received ~40% of the burst, and restarted 1.5 s later.
- **flaky-yardstik**: sandbox fault rules make ~32% of Yardstik API calls fail (12% 500, 12% \
429 with `Retry-After: 1`, 12% dropped connections) and slow 30% by 300 ms, from before the \
first order until the drain is over.
- **ats-down**: the server runs with `SCREENING_DELIVERY_SCHEDULE=1s,2s,2s,4s,8s`; the ATS \
answers 503 while the reports are completed and for a while after, then 200.
- **yardstik-down**: every Yardstik API call answers 500 for longer than the server's \
shortened inbox retry budget (`SCREENING_INBOX_RETRY_FOR=5s`); half the orders are completed \
during the outage, the other half is submitted during it (the ATS keeps retrying) and \
completed after.
- **reorder-duplicate**: the server does not subscribe to Yardstik itself; the runner takes \
the webhook bodies from the sandbox's delivery log, signs them with the account's key \
(`demo-webhook-signature`), and posts them to the server shuffled, 1–3 copies each, once \
after the reports are final and again (all of them, 1–2 copies) after adjudication.

All servers get `SCREENING_RECONCILE_INTERVAL=2s`, `SCREENING_RECONCILE_AFTER=2s`, \
`SCREENING_INBOX_RETRY_FOR=5s`, `SCREENING_INBOX_BACKOFF_MAX=2s` (so events the inbox gives \
up on are recovered by reconciliation) and a delivery schedule of `1s,2s,4s,8s,16s,30s` unless stated.

How it is measured. The truth is read from the sandbox's API lists (`GET /candidates`, \
`GET /invitations?query[account_package_id_eq]=…`) and mapped independently of the server: \
report clear/proceed → complete/Pass, consider/pre_adverse → complete/Consider, \
final_adverse → complete/Fail; an order's result is the most severe of its packages. \
**results delivered**: result webhook bodies the ATS accepted (2xx) for placed orders, \
repeats included. **lost**: orders whose expected final result never reached the ATS before \
the drain deadline (including orders the server never accepted). **stale**: orders whose \
expected result did arrive, but whose *last* body by arrival time (what a naive ATS keeps) \
differs from the truth, or whose `GET /ats/orders/{id}` differs from it. **duplicate \
invitations**: candidates beyond one per order plus invitations beyond one per ordered \
package. **unplaced results**: bodies for `background_check_id`s that were never ordered. \
**time to drain**: from the end of the disturbance and of the driving until every order's \
last received body matched the truth. Any non-zero lost/stale/duplicate/unplaced count makes \
the run fail (non-zero exit).";

pub fn markdown(rows: &[Row], set: &Settings, commit: &str, date: &str, command: &str) -> String {
    format!(
        "# Reliability: the chaos suite\n\n\
         Generated by `pkg-scripts/chaos` (`{command}`) on {date} at commit `{commit}`, \
         {} orders per scenario, drain deadline {}.\n\n{METHOD}\n\n## Results\n\n{}\n{}",
        set.orders,
        secs(set.drain),
        table(rows, set.drain),
        match notes(rows) {
            n if n.is_empty() => String::new(),
            n => format!("\n### Details\n\n{n}"),
        }
    )
}
