//! A small Prometheus text registry: labelled counters in one map, the webhook ingest's
//! batch-size histogram, and gauges read live from the process (queues in memory).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};

/// A gauge computed when `/metrics` is read.
type LiveGauge = (
    &'static str,
    &'static str,
    Arc<dyn Fn() -> i64 + Send + Sync>,
);

#[derive(Clone, Default)]
pub struct Metrics {
    counters: Arc<Mutex<BTreeMap<(&'static str, String), u64>>>,
    batches: Arc<Mutex<Histogram>>,
    live: Arc<Mutex<Vec<LiveGauge>>>,
}

/// Upper bounds of the ingest batch-size buckets.
const BATCH_BUCKETS: [u64; 10] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

#[derive(Default)]
struct Histogram {
    counts: [u64; BATCH_BUCKETS.len()],
    count: u64,
    sum: u64,
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
    (
        "screening_inbox_events_deleted_total",
        "Processed Yardstik events deleted once older than SCREENING_INBOX_KEEP",
    ),
];

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    pub fn inc(&self, name: &'static str, labels: &[(&str, &str)]) {
        self.add(name, labels, 1);
    }

    /// Add `n` to a counter.
    pub fn add(&self, name: &'static str, labels: &[(&str, &str)], n: u64) {
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
            .or_insert(0) += n;
    }

    pub fn yardstik(&self, op: &str, outcome: &str) {
        self.inc(
            "screening_yardstik_requests_total",
            &[("op", op), ("outcome", outcome)],
        );
    }

    /// One group commit of `n` Yardstik webhook events.
    pub fn observe_batch(&self, n: usize) {
        let mut h = self.batches.lock().expect("metrics lock");
        let n = n as u64;
        if let Some(i) = BATCH_BUCKETS.iter().position(|b| n <= *b) {
            h.counts[i] += 1;
        }
        h.count += 1;
        h.sum += n;
    }

    /// Batches committed so far and the events in them.
    pub fn batches(&self) -> (u64, u64) {
        let h = self.batches.lock().expect("metrics lock");
        (h.count, h.sum)
    }

    /// A gauge whose value is read from `f` at every `/metrics` scrape.
    pub fn live_gauge(
        &self,
        name: &'static str,
        help: &'static str,
        f: impl Fn() -> i64 + Send + Sync + 'static,
    ) {
        let mut live = self.live.lock().expect("metrics lock");
        live.retain(|(n, _, _)| *n != name);
        live.push((name, help, Arc::new(f)));
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
        {
            let h = self.batches.lock().expect("metrics lock");
            let name = "screening_ingest_batch_size";
            let _ = writeln!(out, "# HELP {name} Yardstik webhook events stored per group commit\n# TYPE {name} histogram");
            let mut cumulative = 0;
            for (b, c) in BATCH_BUCKETS.iter().zip(h.counts) {
                cumulative += c;
                let _ = writeln!(out, "{name}_bucket{{le=\"{b}\"}} {cumulative}");
            }
            let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", h.count);
            let _ = writeln!(out, "{name}_sum {}\n{name}_count {}", h.sum, h.count);
        }
        let live: Vec<(&str, &str, i64)> = self
            .live
            .lock()
            .expect("metrics lock")
            .iter()
            .map(|(n, h, f)| (*n, *h, f()))
            .collect();
        for (name, help, v) in gauges.iter().copied().chain(live) {
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

    #[test]
    fn batch_histogram_and_live_gauges() {
        let m = super::Metrics::default();
        m.observe_batch(1);
        m.observe_batch(3);
        m.observe_batch(300);
        m.live_gauge("screening_ingest_queued", "Queued", || 7);
        let t = m.render(&[]);
        assert!(
            t.contains("screening_ingest_batch_size_bucket{le=\"1\"} 1\n"),
            "{t}"
        );
        assert!(
            t.contains("screening_ingest_batch_size_bucket{le=\"4\"} 2\n"),
            "{t}"
        );
        assert!(
            t.contains("screening_ingest_batch_size_bucket{le=\"256\"} 2\n"),
            "{t}"
        );
        assert!(
            t.contains("screening_ingest_batch_size_bucket{le=\"512\"} 3\n"),
            "{t}"
        );
        assert!(
            t.contains("screening_ingest_batch_size_sum 304\nscreening_ingest_batch_size_count 3"),
            "{t}"
        );
        assert!(t.contains("screening_ingest_queued 7"), "{t}");
    }
}
