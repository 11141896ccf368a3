//! A small Prometheus text registry: labelled counters in one map.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
pub struct Metrics {
    counters: Arc<Mutex<BTreeMap<(&'static str, String), u64>>>,
}

const HELP: &[(&str, &str)] = &[
    (
        "screening_http_requests_total",
        "HTTP requests by route and status",
    ),
    (
        "screening_orders_created_total",
        "Orders placed with Yardstik",
    ),
    (
        "screening_yardstik_requests_total",
        "Yardstik API calls by operation and outcome",
    ),
    (
        "screening_yardstik_events_total",
        "Yardstik events processed, by outcome (applied, unmatched, retry, failed, coalesced)",
    ),
    (
        "screening_reconciled_orders_total",
        "Orders re-read from Yardstik by the reconciliation job, by outcome",
    ),
    (
        "screening_placements_resumed_total",
        "Interrupted or failed placements resumed, by outcome",
    ),
    (
        "screening_yardstik_webhooks_total",
        "Yardstik webhooks received by outcome",
    ),
    (
        "screening_deliveries_total",
        "Result webhook delivery attempts by outcome",
    ),
];

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    pub fn inc(&self, name: &'static str, labels: &[(&str, &str)]) {
        let l = labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
            .collect::<Vec<_>>()
            .join(",");
        *self
            .counters
            .lock()
            .expect("metrics lock")
            .entry((name, l))
            .or_insert(0) += 1;
    }

    pub fn yardstik(&self, op: &str, outcome: &str) {
        self.inc(
            "screening_yardstik_requests_total",
            &[("op", op), ("outcome", outcome)],
        );
    }

    pub fn get(&self, name: &'static str, labels: &str) -> u64 {
        self.counters
            .lock()
            .expect("metrics lock")
            .get(&(name, labels.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// Prometheus text exposition; `gauges` are appended as-is.
    pub fn render(&self, gauges: &[(&str, &str, i64)]) -> String {
        let map = self.counters.lock().expect("metrics lock").clone();
        let mut out = String::new();
        for (name, help) in HELP {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            for ((n, labels), v) in map.iter().filter(|((n, _), _)| n == name) {
                if labels.is_empty() {
                    let _ = writeln!(out, "{n} {v}");
                } else {
                    let _ = writeln!(out, "{n}{{{labels}}} {v}");
                }
            }
        }
        for (name, help, v) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_prometheus_text() {
        let m = super::Metrics::default();
        m.inc("screening_deliveries_total", &[("outcome", "delivered")]);
        m.inc("screening_deliveries_total", &[("outcome", "delivered")]);
        let t = m.render(&[("screening_outbox_pending", "Pending deliveries", 3)]);
        assert!(t.contains("screening_deliveries_total{outcome=\"delivered\"} 2"));
        assert!(t.contains("# TYPE screening_outbox_pending gauge\nscreening_outbox_pending 3"));
    }
}
