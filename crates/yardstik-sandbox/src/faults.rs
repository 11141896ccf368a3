//! Fault injection per route: a rate of 500s, 429s with `Retry-After`, added latency, dropped
//! connections. Rules come from the config (`--faults`) or `POST /sandbox/faults`; they never
//! apply to `/sandbox/*` (the control surface) so tests can always turn them off.
//!
//! Rule JSON (a single object, an array, or `{"rules": [...]}`):
//! ```json
//! {"method": "POST", "path": "/invitations", "kind": "error", "rate": 1.0, "times": 2}
//! ```
//! - `path`: exact path, or a prefix when it ends with `*` (`/reports/*`); `*` alone or absent = all.
//! - `method`: optional, any when absent.
//! - `kind`: `error` (500), `reject` (422 in the reference's error shape: Yardstik refusing
//!   the request), `rate_limit` (429 + `Retry-After: retry_after_secs`, default 1),
//!   `latency` (sleep `latency_ms` then serve normally), `drop` (the connection is closed
//!   without a response).
//! - `rate`: probability 0..=1 (default 1). `times`: optional cap on how many requests the
//!   rule hits before it stops (deterministic tests use `rate: 1, times: n`).

use std::time::Duration;

use rand::Rng;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    Error,
    Reject,
    RateLimit,
    Latency,
    Drop,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FaultRule {
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    pub kind: FaultKind,
    #[serde(default = "one")]
    pub rate: f64,
    #[serde(default)]
    pub times: Option<u64>,
    #[serde(default)]
    pub latency_ms: Option<u64>,
    #[serde(default)]
    pub retry_after_secs: Option<u64>,
    /// How many requests this rule has hit so far (read-only in responses).
    #[serde(default)]
    pub hits: u64,
}

fn one() -> f64 {
    1.0
}

#[cfg(test)]
mod tests {
    use super::path_matches;

    #[test]
    fn paths() {
        assert!(path_matches("/reports", "/reports"));
        assert!(!path_matches("/reports", "/reports/1"));
        assert!(path_matches("/reports*", "/reports/1"));
        assert!(path_matches("/reports/*", "/reports/1"));
        assert!(path_matches(
            "/invitations/*/cancel",
            "/invitations/abc/cancel"
        ));
        assert!(!path_matches(
            "/invitations/*/cancel",
            "/invitations/abc/refresh"
        ));
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    Error,
    Reject,
    RateLimit { retry_after_secs: u64 },
    Latency(Duration),
    Drop,
}

impl FaultRule {
    fn applies(&self, method: &str, path: &str) -> bool {
        if let Some(m) = &self.method {
            if !m.eq_ignore_ascii_case(method) {
                return false;
            }
        }
        match self.path.as_deref() {
            None | Some("*") | Some("") => true,
            Some(p) => path_matches(p, path),
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.rate) || self.rate.is_nan() {
            return Err(format!("rate must be within 0..=1, got {}", self.rate));
        }
        if self.kind == FaultKind::Latency && self.latency_ms.unwrap_or(0) > 120_000 {
            return Err("latency_ms must be at most 120000".into());
        }
        Ok(())
    }
}

/// `/reports` exact; `/reports*` prefix; `/invitations/*/cancel` (`*` = one segment).
fn path_matches(pattern: &str, path: &str) -> bool {
    if let Some(prefix) = pattern.strip_suffix('*') {
        if !prefix.contains('*') && !prefix.ends_with('/') {
            return path.starts_with(prefix);
        }
    }
    let p: Vec<&str> = pattern.trim_end_matches('/').split('/').collect();
    let a: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    if p.last() == Some(&"*")
        && p.len() <= a.len()
        && p[..p.len() - 1]
            .iter()
            .zip(&a)
            .all(|(x, y)| *x == "*" || x == y)
    {
        return true;
    }
    p.len() == a.len() && p.iter().zip(&a).all(|(x, y)| *x == "*" || x == y)
}

pub fn parse_rules(text: &str) -> Result<Vec<FaultRule>, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    rules_from_value(v)
}

pub fn rules_from_value(v: serde_json::Value) -> Result<Vec<FaultRule>, String> {
    let arr = match v {
        serde_json::Value::Array(a) => a,
        serde_json::Value::Object(mut m) if m.contains_key("rules") => match m.remove("rules") {
            Some(serde_json::Value::Array(a)) => a,
            _ => return Err("`rules` must be an array".into()),
        },
        o @ serde_json::Value::Object(_) => vec![o],
        _ => return Err("expected an object, an array or {\"rules\": [...]}".into()),
    };
    let mut out = vec![];
    for r in arr {
        let mut rule: FaultRule = serde_json::from_value(r).map_err(|e| e.to_string())?;
        rule.hits = 0;
        rule.validate()?;
        out.push(rule);
    }
    Ok(out)
}

/// Pick the faults for a request (at most one of each kind, first matching rule per kind), and
/// count the hits. Latency combines with the others.
pub fn pick(rules: &mut [FaultRule], method: &str, path: &str) -> Vec<Fault> {
    if path.starts_with("/sandbox/") || path == "/sandbox" {
        return vec![];
    }
    let mut rng = rand::thread_rng();
    let mut out: Vec<Fault> = vec![];
    for r in rules.iter_mut() {
        if !r.applies(method, path) {
            continue;
        }
        if let Some(t) = r.times {
            if r.hits >= t {
                continue;
            }
        }
        let same_kind_taken = out.iter().any(|f| {
            matches!((f, &r.kind), (Fault::Latency(_), FaultKind::Latency))
                || (!matches!(f, Fault::Latency(_)) && r.kind != FaultKind::Latency)
        });
        if same_kind_taken {
            continue;
        }
        if !(0.0..=1.0).contains(&r.rate) || (r.rate < 1.0 && !rng.gen_bool(r.rate)) {
            continue;
        }
        r.hits += 1;
        out.push(match r.kind {
            FaultKind::Error => Fault::Error,
            FaultKind::Reject => Fault::Reject,
            FaultKind::RateLimit => Fault::RateLimit {
                retry_after_secs: r.retry_after_secs.unwrap_or(1),
            },
            FaultKind::Latency => Fault::Latency(Duration::from_millis(r.latency_ms.unwrap_or(0))),
            FaultKind::Drop => Fault::Drop,
        });
    }
    // latency first
    out.sort_by_key(|f| if matches!(f, Fault::Latency(_)) { 0 } else { 1 });
    out
}
