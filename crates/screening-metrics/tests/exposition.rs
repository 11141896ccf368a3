//! What `/metrics` exposes, name for name: every metric with each of its label values,
//! against `exposition.prom`: the exposition of the registry this crate replaced (the same
//! names, label names, help texts and types; only a histogram's sum is now written as a
//! float), and the connection, eviction and rate-limit metrics added since. Series within a
//! metric may come in any order.

use std::collections::BTreeSet;

use screening_metrics::*;

#[test]
fn every_name_label_and_help_text_is_the_one_exposed_before() {
    let m = Metrics::default();
    m.http_requests.inc(HttpLabels {
        route: "/ats/orders".into(),
        status: 201,
    });
    m.http_requests.inc(HttpLabels {
        route: "/webhooks/yardstik".into(),
        status: 200,
    });
    m.orders_created.inc(OrderSource::Ats);
    m.orders_created.inc(OrderSource::of("widget"));
    let call = |op, outcome| m.yardstik_requests.inc(YardstikLabels { op, outcome });
    call("create_candidate", YardstikOutcome::Ok);
    call("get_report", YardstikOutcome::Status(429));
    call("get_report", YardstikOutcome::Timeout);
    EventOutcome::ALL
        .iter()
        .for_each(|&o| m.yardstik_events.inc(o));
    ReconcileOutcome::ALL
        .iter()
        .for_each(|&o| m.reconciled_orders.inc(o));
    ResumeOutcome::ALL
        .iter()
        .for_each(|&o| m.placements_resumed.inc(o));
    WebhookOutcome::ALL
        .iter()
        .for_each(|&o| m.yardstik_webhooks.inc(o));
    DeliveryOutcome::ALL
        .iter()
        .for_each(|&o| m.deliveries.inc(o));
    m.inbox_events_deleted.inc_by(2500);
    for n in [1, 3, 300, 1000] {
        m.ingest_batch_size.observe(n);
    }
    m.ingest_queued.read_from(|| 7);
    ConnectionRefusal::ALL
        .iter()
        .for_each(|&o| m.connections_refused.inc(o));
    m.connections_open.read_from(|| 9);
    CacheName::ALL
        .iter()
        .for_each(|&c| m.cache_evictions.inc(c));
    LimitScope::ALL.iter().for_each(|&c| m.rate_limited.inc(c));
    let got = m.render(Some(Queues {
        inbox_pending: 1,
        inbox_failed: 2,
        inbox_oldest_pending_secs: 3,
        outbox_pending: 4,
        outbox_dead: 5,
    }));
    let want = include_str!("exposition.prom");

    let descriptors = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.starts_with('#'))
            .map(String::from)
            .collect()
    };
    let samples = |t: &str| -> BTreeSet<String> {
        t.lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(String::from)
            .collect()
    };
    assert_eq!(descriptors(&got), descriptors(want), "{got}");
    assert_eq!(samples(&got), samples(want), "{got}");
    // Each metric's samples follow its own descriptor.
    let mut current = "";
    for line in got.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            current = rest.split(' ').next().unwrap();
        } else if !line.starts_with('#') {
            assert!(line.starts_with(current), "{line} under {current}");
        }
    }
}
