//! What each scenario is measured by. The truth is the sandbox's: every order's reports are
//! read back from Yardstik's API lists and mapped independently of the server
//! (clear/proceed → Pass, consider/pre_adverse → Consider, final_adverse → Fail; the order's
//! result is the most severe of its packages). The ATS view is the receiver's log, taken the
//! way a naive ATS does: the last body to arrive wins.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::ats_client::AtsClient;
use crate::receiver::Received;
use crate::sandbox_client::{SandboxClient, PKG_BASIC, PKG_DRUG};

/// One planned order: who the applicant is and how its reports are driven.
#[derive(Debug, Clone)]
pub struct Plan {
    pub bcid: String,
    pub email: String,
    pub last_name: String,
    pub add_on: bool,
    /// Report statuses the package's report is moved through after it is final.
    pub moves: Vec<&'static str>,
}

impl Plan {
    pub fn packages(&self) -> Vec<&'static str> {
        if self.add_on {
            vec![PKG_BASIC, PKG_DRUG]
        } else {
            vec![PKG_BASIC]
        }
    }
}

/// Order `i` of a run: a mix of clear, consider, consider → proceed, consider → pre_adverse,
/// consider → pre_adverse → final_adverse; every fifth order has an add-on package.
pub fn plan(prefix: &str, i: usize) -> Plan {
    let (last_name, moves): (&str, Vec<&'static str>) = match (i % 4, (i / 4) % 3) {
        (0, 0) => ("Consider", vec!["pre_adverse", "final_adverse"]),
        (0, 1) => ("Consider", vec!["pre_adverse"]),
        (0, _) => ("Consider", vec![]),
        (1, _) => ("Considerson", vec!["proceed"]),
        _ => ("Doe", vec![]),
    };
    Plan {
        bcid: format!("{prefix}-{i:04}"),
        email: format!("{prefix}-{i:04}@chaos.example.com"),
        last_name: last_name.to_string(),
        add_on: i % 5 == 4,
        moves,
    }
}

/// `(status, result)` as the ATS sees it.
pub type Outcome = (String, Option<String>);

/// A report status's final result, or `None` while it is not final.
fn result_of(report_status: &str) -> Option<&'static str> {
    match report_status {
        "clear" | "proceed" => Some("Pass"),
        "consider" | "pre_adverse" => Some("Consider"),
        "final_adverse" => Some("Fail"),
        _ => None,
    }
}

fn severity(r: &str) -> u8 {
    match r {
        "Fail" => 2,
        "Consider" => 1,
        _ => 0,
    }
}

#[derive(Debug, Default)]
pub struct Truth {
    /// Expected final outcome per order; `None` when a report is not final at Yardstik.
    pub expected: HashMap<String, Option<Outcome>>,
    /// Extra candidates/invitations beyond one candidate per order and one invitation per
    /// ordered package (plus invitations for packages that were not ordered).
    pub duplicates: usize,
    /// Ordered packages without any invitation at Yardstik.
    pub missing: usize,
}

/// Read Yardstik's state for every planned order (API lists with `query[…]` filters).
pub async fn truth(ys: &SandboxClient, plans: &[Plan]) -> anyhow::Result<Truth> {
    let by_email: HashMap<&str, &Plan> = plans.iter().map(|p| (p.email.as_str(), p)).collect();
    let mut candidates: HashMap<&str, usize> = HashMap::new();
    for c in ys
        .list_all("/candidates?query[email_end]=@chaos.example.com")
        .await?
    {
        if let Some(p) = c["email"].as_str().and_then(|e| by_email.get(e)) {
            *candidates.entry(p.email.as_str()).or_default() += 1;
        }
    }
    // (email, package) → report statuses of its invitations
    let mut invitations: HashMap<(&str, &str), Vec<String>> = HashMap::new();
    for pkg in [PKG_BASIC, PKG_DRUG] {
        let path = format!("/invitations?query[account_package_id_eq]={pkg}");
        for inv in ys.list_all(&path).await? {
            let Some(p) = inv["candidate"]["email"]
                .as_str()
                .and_then(|e| by_email.get(e))
            else {
                continue;
            };
            let status = inv["report"]["status"].as_str().unwrap_or("").to_string();
            invitations
                .entry((p.email.as_str(), pkg))
                .or_default()
                .push(status);
        }
    }
    let mut t = Truth::default();
    for p in plans {
        t.duplicates += candidates
            .get(p.email.as_str())
            .copied()
            .unwrap_or(0)
            .saturating_sub(1);
        let ordered = p.packages();
        for pkg in [PKG_BASIC, PKG_DRUG] {
            let n = invitations
                .get(&(p.email.as_str(), pkg))
                .map_or(0, Vec::len);
            if ordered.contains(&pkg) {
                t.duplicates += n.saturating_sub(1);
                t.missing += usize::from(n == 0);
            } else {
                t.duplicates += n;
            }
        }
        let mut worst: Option<&str> = Some("Pass");
        for pkg in &ordered {
            // With duplicates, the most advanced invitation counts (the ATS cannot know).
            let r = invitations.get(&(p.email.as_str(), *pkg)).and_then(|v| {
                v.iter()
                    .filter_map(|s| result_of(s))
                    .max_by_key(|r| severity(r))
            });
            worst = match (worst, r) {
                (Some(w), Some(r)) => Some(if severity(r) > severity(w) { r } else { w }),
                _ => None,
            };
        }
        let exp = worst.map(|r| ("complete".to_string(), Some(r.to_string())));
        t.expected.insert(p.bcid.clone(), exp);
    }
    Ok(t)
}

pub fn outcome_of(body: &Value) -> Outcome {
    (
        body["status"].as_str().unwrap_or("").to_string(),
        body["result"].as_str().map(str::to_string),
    )
}

/// The last accepted body per order, by arrival.
pub fn last_received(got: &[Received]) -> HashMap<String, Outcome> {
    let mut last = HashMap::new();
    for r in got.iter().filter(|r| r.accepted()) {
        if let Some(id) = r.bcid() {
            last.insert(id.to_string(), outcome_of(&r.body));
        }
    }
    last
}

/// Does every placed order's last received body equal its expected outcome?
pub fn drained(truth: &Truth, got: &[Received]) -> bool {
    let last = last_received(got);
    truth
        .expected
        .iter()
        .all(|(id, exp)| exp.is_some() && last.get(id) == exp.as_ref())
}

#[derive(Debug, Default, Clone)]
pub struct Measure {
    pub orders: usize,
    pub delivered: usize,
    pub lost: usize,
    pub stale: usize,
    pub duplicates: usize,
    pub unplaced: usize,
    pub notes: Vec<String>,
}

impl Measure {
    pub fn failed(&self) -> bool {
        self.lost + self.stale + self.duplicates + self.unplaced > 0
    }
}

/// Compare the ATS's log and the server's view with the truth.
pub async fn measure(
    plans: &[Plan],
    placed: &HashSet<String>,
    truth: &Truth,
    got: &[Received],
    ats: &AtsClient,
    servers: &[String],
) -> Measure {
    let mut m = Measure {
        orders: plans.len(),
        duplicates: truth.duplicates,
        ..Default::default()
    };
    let ids: HashSet<&str> = plans.iter().map(|p| p.bcid.as_str()).collect();
    let accepted: Vec<&Received> = got.iter().filter(|r| r.accepted()).collect();
    m.delivered = accepted
        .iter()
        .filter(|r| r.bcid().is_some_and(|id| ids.contains(id)))
        .count();
    m.unplaced = accepted
        .iter()
        .filter(|r| !r.bcid().is_some_and(|id| ids.contains(id)))
        .count();
    let last = last_received(got);
    let (mut never_placed, mut not_final, mut server_stale, mut ats_stale) = (0, 0, 0, 0);
    let mut examples: Vec<String> = Vec::new();
    for p in plans {
        let exp = truth.expected.get(&p.bcid).cloned().flatten();
        if !placed.contains(&p.bcid) {
            never_placed += 1;
            m.lost += 1;
            continue;
        }
        let Some(exp) = exp else {
            not_final += 1;
            m.lost += 1;
            continue;
        };
        let ever = accepted
            .iter()
            .any(|r| r.bcid() == Some(p.bcid.as_str()) && outcome_of(&r.body) == exp);
        if !ever {
            m.lost += 1;
            if examples.len() < 3 {
                examples.push(format!(
                    "{} lost: expected {exp:?}, last {:?}",
                    p.bcid,
                    last.get(&p.bcid)
                ));
            }
            continue;
        }
        let mut stale = false;
        if last.get(&p.bcid) != Some(&exp) {
            ats_stale += 1;
            stale = true;
            if examples.len() < 6 {
                examples.push(format!(
                    "{} stale at ATS: expected {exp:?}, last {:?}",
                    p.bcid,
                    last.get(&p.bcid)
                ));
            }
        }
        let mut view = None;
        for s in servers {
            if let Some((200, v)) = ats.order(s, &p.bcid).await {
                view = Some(outcome_of(&v));
                break;
            }
        }
        if view.as_ref() != Some(&exp) {
            server_stale += 1;
            stale = true;
            if examples.len() < 6 {
                examples.push(format!("{} server view {view:?}, expected {exp:?}", p.bcid));
            }
        }
        m.stale += usize::from(stale);
    }
    if never_placed > 0 {
        m.notes.push(format!(
            "{never_placed} orders never accepted by the server (ATS retried until its deadline)"
        ));
    }
    if not_final > 0 {
        m.notes.push(format!("{not_final} orders whose reports never became final at Yardstik (order data never reached the driver)"));
    }
    if ats_stale > 0 || server_stale > 0 {
        m.notes.push(format!("stale: {ats_stale} at the ATS (last body by arrival), {server_stale} in the server's GET /ats/orders view"));
    }
    if truth.missing > 0 {
        m.notes.push(format!(
            "{} ordered packages without a Yardstik invitation",
            truth.missing
        ));
    }
    // Informational: repeated deliveries and the sequence header, when present.
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for r in &accepted {
        if let Some(id) = r.webhook_id.as_deref() {
            *seen.entry(id).or_default() += 1;
        }
    }
    let repeats: usize = seen.values().map(|n| n - 1).sum();
    if repeats > 0 {
        m.notes.push(format!(
            "{repeats} accepted bodies repeated an already accepted Webhook-Id"
        ));
    }
    // Would an ATS that orders by Webhook-Timestamp (then arrival) keep another body?
    let mut by_ts: HashMap<&str, ((i64, usize), Outcome)> = HashMap::new();
    for r in &accepted {
        let ts = r
            .webhook_timestamp
            .as_deref()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        if let Some(id) = r.bcid() {
            let e = by_ts
                .entry(id)
                .or_insert(((i64::MIN, 0), outcome_of(&r.body)));
            if (ts, r.arrival) >= e.0 {
                *e = ((ts, r.arrival), outcome_of(&r.body));
            }
        }
    }
    let differ = by_ts
        .iter()
        .filter(|(id, (_, o))| last.get(**id) != Some(o))
        .count();
    if differ > 0 {
        m.notes.push(format!("{differ} orders: ordering by Webhook-Timestamp would keep another last body than arrival order"));
    }
    let with_seq = accepted.iter().filter(|r| r.sequence.is_some()).count();
    if with_seq > 0 {
        let mut max: HashMap<&str, i64> = HashMap::new();
        let mut regress = 0;
        for r in &accepted {
            if let (Some(id), Some(s)) = (r.bcid(), r.sequence) {
                let e = max.entry(id).or_insert(i64::MIN);
                if s < *e {
                    regress += 1;
                }
                *e = (*e).max(s);
            }
        }
        m.notes.push(format!(
            "Screening-Sequence on {with_seq}/{} bodies; {regress} arrived after a higher sequence of the same order",
            accepted.len()
        ));
    } else if !accepted.is_empty() {
        m.notes.push("no Screening-Sequence header sent".into());
    }
    m.notes.extend(examples);
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn got(arrival: usize, answered: u16, body: Value) -> Received {
        Received {
            arrival,
            answered,
            webhook_id: Some(format!("d{arrival}")),
            webhook_timestamp: Some("1".into()),
            sequence: None,
            body,
        }
    }

    #[test]
    fn the_last_accepted_body_by_arrival_wins() {
        let consider =
            json!({"background_check_id": "o1", "status": "complete", "result": "Consider"});
        let fail = json!({"background_check_id": "o1", "status": "complete", "result": "Fail"});
        let log = vec![
            got(0, 200, fail.clone()),
            got(1, 200, consider.clone()),
            got(2, 503, fail),
        ];
        let last = last_received(&log);
        assert_eq!(last["o1"], ("complete".into(), Some("Consider".into())));
        let mut truth = Truth::default();
        truth
            .expected
            .insert("o1".into(), Some(("complete".into(), Some("Fail".into()))));
        assert!(!drained(&truth, &log), "a late earlier result is stale");
        truth.expected.insert(
            "o1".into(),
            Some(("complete".into(), Some("Consider".into()))),
        );
        assert!(drained(&truth, &log));
    }

    #[test]
    fn report_statuses_map_to_results() {
        assert_eq!(result_of("proceed"), Some("Pass"));
        assert_eq!(result_of("pre_adverse"), Some("Consider"));
        assert_eq!(result_of("final_adverse"), Some("Fail"));
        assert_eq!(result_of("processing"), None);
        let plans: Vec<Plan> = (0..20).map(|i| plan("t", i)).collect();
        assert!(plans
            .iter()
            .any(|p| p.moves == ["pre_adverse", "final_adverse"]));
        assert!(plans.iter().any(|p| p.moves == ["proceed"]));
        assert!(plans.iter().any(|p| p.add_on));
        assert!(plans.iter().any(|p| p.last_name == "Doe"));
    }
}
