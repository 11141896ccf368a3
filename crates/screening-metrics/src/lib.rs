//! The server's Prometheus metrics, on `prometheus-client`.
//!
//! Every metric is a typed field of [`Metrics`] and every label set a type: a call site
//! writes `metrics.deliveries.inc(DeliveryOutcome::Delivered)`, so a misspelt metric or
//! label value does not compile instead of opening a new series. Where a label's values are
//! a closed set it is an enum here (the outcomes); free-form values (an HTTP route template,
//! a status code, the Yardstik client's operation name) are plain fields of a typed struct.
//!
//! [`Metrics::render`] writes the Prometheus text format (version 0.0.4, [`CONTENT_TYPE`])
//! through the crate's own encoder. The metrics are described by one collector rather than
//! registered one by one, so that each is exposed under exactly the name, labels and help
//! text the server has always used (registration would append a period to every help text)
//! and is described even before its first sample. Counters are named without `_total`: the
//! encoder appends it.
//!
//! What the process cannot count itself is read when `/metrics` is: the queue depths the
//! ops route reads from the database ([`Queues`], handed to `render`) and gauges computed
//! from memory ([`LiveGauge`]).
//!
//! This crate sits below the store and the Yardstik client, which count into it, next to
//! the model: it depends on no async runtime, HTTP or database crate (no tokio, axum, sqlx
//! or reqwest, nor anything pulling them in), so that counting never drags I/O into the
//! bottom layer and every layer above may use it. The server's rule test checks its
//! `cargo tree`.

use std::fmt::{self, Write as _};
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{
    prometheus_text, DescriptorEncoder, EncodeLabelSet, EncodeLabelValue, EncodeMetric,
    LabelSetEncoder, LabelValueEncoder,
};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// The `Content-Type` of what [`Metrics::render`] writes.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

/// Every metric the server exposes. Cloning is cheap and shares the values.
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    /// `screening_http_requests_total{route, status}`.
    pub http_requests: Counters<HttpLabels>,
    /// `screening_orders_created_total{source}`.
    pub orders_created: Counters<SourceLabel>,
    /// `screening_yardstik_requests_total{op, outcome}`.
    pub yardstik_requests: Counters<YardstikLabels>,
    /// `screening_yardstik_events_total{outcome}`: per event, and once per fetch that
    /// settled older events of its resource (`coalesced`).
    pub yardstik_events: ByOutcome<EventOutcome>,
    /// `screening_reconciled_orders_total{outcome}`.
    pub reconciled_orders: ByOutcome<ReconcileOutcome>,
    /// `screening_placements_resumed_total{outcome}`.
    pub placements_resumed: ByOutcome<ResumeOutcome>,
    /// `screening_yardstik_webhooks_total{outcome}`.
    pub yardstik_webhooks: ByOutcome<WebhookOutcome>,
    /// `screening_deliveries_total{outcome}`.
    pub deliveries: ByOutcome<DeliveryOutcome>,
    /// `screening_inbox_events_deleted_total`.
    pub inbox_events_deleted: Counter,
    /// `screening_ingest_batch_size`.
    pub ingest_batch_size: BatchSizes,
    /// `screening_ingest_queued`, once the writer is started.
    pub ingest_queued: LiveGauge,
    /// `screening_http_connections_refused_total{reason}`: connections closed at once
    /// because a cap was reached.
    pub connections_refused: ByReason<ConnectionRefusal>,
    /// `screening_http_connections_open`, once the server accepts connections.
    pub connections_open: LiveGauge,
    /// `screening_cache_evictions_total{cache}`: entries dropped from a bounded map of
    /// caller-chosen keys before their time (the map was full).
    pub cache_evictions: Counters<CacheLabel>,
    /// `screening_rate_limited_total{scope}`: requests answered 429 by a spending limit.
    pub rate_limited: Counters<ScopeLabel>,
}

impl Metrics {
    /// The Prometheus text exposition of every metric, with the queue depths of this
    /// scrape; `None` leaves them out (a reading of the counters alone).
    pub fn render(&self, queues: Option<Queues>) -> String {
        let mut registry = Registry::default();
        registry.register_collector(Box::new(Scrape {
            metrics: self.clone(),
            queues,
        }));
        let mut out = String::new();
        prometheus_text::encode(&mut out, &registry).expect("writing to a String");
        out
    }
}

/// The depths of the server's queues at a scrape; `-1` where the database could not say.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Queues {
    pub inbox_pending: i64,
    pub inbox_failed: i64,
    pub inbox_oldest_pending_secs: i64,
    pub outbox_pending: i64,
    pub outbox_dead: i64,
}

/// A family of counters over the label set `L`.
#[derive(Debug)]
pub struct Counters<L>(Family<L, Counter>);

impl<L> Clone for Counters<L> {
    fn clone(&self) -> Self {
        Counters(self.0.clone())
    }
}

impl<L: Clone + Hash + Eq> Default for Counters<L> {
    fn default() -> Self {
        Counters(Family::default())
    }
}

impl<L: Clone + Hash + Eq> Counters<L> {
    /// Count one.
    pub fn inc(&self, labels: impl Into<L>) {
        self.0.get_or_create(&labels.into()).inc();
    }

    /// The count so far of one series (0 before its first).
    pub fn get(&self, labels: impl Into<L>) -> u64 {
        self.0.get(&labels.into()).map_or(0, |c| c.get())
    }
}

/// Counters by the value of one `outcome` label.
pub type ByOutcome<O> = Counters<OutcomeLabel<O>>;

/// The label set `{outcome}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OutcomeLabel<O> {
    pub outcome: O,
}

impl<O> From<O> for OutcomeLabel<O> {
    fn from(outcome: O) -> Self {
        OutcomeLabel { outcome }
    }
}

// By hand: the derive does not take generic structs.
impl<O: EncodeLabelValue + Copy> EncodeLabelSet for OutcomeLabel<O> {
    fn encode(&self, encoder: &mut LabelSetEncoder) -> fmt::Result {
        [("outcome", self.outcome)].encode(encoder)
    }
}

/// Counters by the value of one `reason` label.
pub type ByReason<R> = Counters<ReasonLabel<R>>;

/// The label set `{reason}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReasonLabel<R> {
    pub reason: R,
}

impl<R> From<R> for ReasonLabel<R> {
    fn from(reason: R) -> Self {
        ReasonLabel { reason }
    }
}

impl<R: EncodeLabelValue + Copy> EncodeLabelSet for ReasonLabel<R> {
    fn encode(&self, encoder: &mut LabelSetEncoder) -> fmt::Result {
        [("reason", self.reason)].encode(encoder)
    }
}

/// `{cache}`: which bounded map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct CacheLabel {
    pub cache: CacheName,
}

impl From<CacheName> for CacheLabel {
    fn from(cache: CacheName) -> Self {
        CacheLabel { cache }
    }
}

/// `{scope}`: what a spending limit counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct ScopeLabel {
    pub scope: LimitScope,
}

impl From<LimitScope> for ScopeLabel {
    fn from(scope: LimitScope) -> Self {
        ScopeLabel { scope }
    }
}

/// `{route, status}`: the route template (never the raw path), the answer's status.
#[derive(Clone, Debug, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct HttpLabels {
    pub route: String,
    pub status: u16,
}

/// `{source}`: where an order came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct SourceLabel {
    pub source: OrderSource,
}

impl From<OrderSource> for SourceLabel {
    fn from(source: OrderSource) -> Self {
        SourceLabel { source }
    }
}

/// `{op, outcome}`: the client's name for the call, and how it ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EncodeLabelSet)]
pub struct YardstikLabels {
    pub op: &'static str,
    pub outcome: YardstikOutcome,
}

/// How one Yardstik API call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum YardstikOutcome {
    /// A 2xx answer (`ok`).
    Ok,
    /// No answer in time (`timeout`).
    Timeout,
    /// The connection failed (`transport`).
    Transport,
    /// Any other answer, by its status code (`429`, `503`…).
    Status(u16),
}

impl EncodeLabelValue for YardstikOutcome {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> fmt::Result {
        match self {
            YardstikOutcome::Ok => encoder.write_str("ok"),
            YardstikOutcome::Timeout => encoder.write_str("timeout"),
            YardstikOutcome::Transport => encoder.write_str("transport"),
            YardstikOutcome::Status(code) => write!(encoder, "{code}"),
        }
    }
}

/// A closed set of label values: an enum, each variant with the text exposed.
macro_rules! label_values {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The label value exposed.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl EncodeLabelValue for $name {
            fn encode(&self, encoder: &mut LabelValueEncoder) -> fmt::Result {
                encoder.write_str(self.as_str())
            }
        }
    };
}

label_values! {
    /// Where an order came from: the ATS partner contract or the widget.
    OrderSource {
        Ats = "ats",
        Widget = "widget",
        /// A stored source neither of the above (none is written).
        Other = "other",
    }
}

impl OrderSource {
    /// The source an order is stored with (`"ats"`, `"widget"`).
    pub fn of(stored: &str) -> Self {
        match stored {
            "ats" => OrderSource::Ats,
            "widget" => OrderSource::Widget,
            _ => OrderSource::Other,
        }
    }
}

label_values! {
    /// What processing a Yardstik event came to.
    EventOutcome {
        Applied = "applied",
        Ignored = "ignored",
        Covered = "covered",
        Unmatched = "unmatched",
        Retry = "retry",
        Failed = "failed",
        /// One fetch settled older events of the same resource too.
        Coalesced = "coalesced",
    }
}

label_values! {
    /// What re-reading an order from Yardstik found.
    ReconcileOutcome {
        Changed = "changed",
        Unchanged = "unchanged",
        Failed = "failed",
    }
}

label_values! {
    /// How a resumed placement ended.
    ResumeOutcome {
        Placed = "placed",
        Failed = "failed",
    }
}

label_values! {
    /// What became of a Yardstik webhook.
    WebhookOutcome {
        Accepted = "accepted",
        Duplicate = "duplicate",
        Malformed = "malformed",
        BadSignature = "bad_signature",
        UnknownAccount = "unknown_account",
    }
}

label_values! {
    /// How one result webhook delivery attempt ended.
    DeliveryOutcome {
        Delivered = "delivered",
        Refused = "refused",
        Retry = "retry",
        Dead = "dead",
    }
}

label_values! {
    /// Why a connection was closed as soon as it was accepted.
    ConnectionRefusal {
        /// The server holds its most connections.
        TotalCap = "total_cap",
        /// The client address holds its most connections.
        PerClientCap = "per_client_cap",
    }
}

label_values! {
    /// The bounded maps whose keys a caller chooses.
    CacheName {
        /// Yardstik account ids named by webhooks.
        WebhookAccounts = "webhook_accounts",
        /// Failed-login counters by client address.
        LoginFailuresByAddress = "login_failures_by_address",
        /// Failed-login counters by account id.
        LoginFailuresByAccount = "login_failures_by_account",
        /// Rate-limit cells by widget session.
        RateSessions = "rate_sessions",
    }
}

label_values! {
    /// What a spending limit counts requests by.
    LimitScope {
        /// One widget session.
        Session = "session",
        /// One tenant (every session and the ATS together).
        Tenant = "tenant",
    }
}

/// Upper bounds of the ingest batch-size buckets.
const BATCH_BUCKETS: [u64; 10] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

/// The sizes of the webhook ingest's group commits.
#[derive(Clone, Debug)]
pub struct BatchSizes(Histogram);

impl Default for BatchSizes {
    fn default() -> Self {
        BatchSizes(Histogram::new(BATCH_BUCKETS.map(|b| b as f64)))
    }
}

impl BatchSizes {
    /// One group commit of `n` Yardstik webhook events.
    pub fn observe(&self, n: usize) {
        self.0.observe(n as f64);
    }

    /// Batches committed so far and the events in them.
    #[cfg(feature = "test-util")]
    pub fn batches(&self) -> (u64, u64) {
        (self.0.count(), self.0.sum() as u64)
    }
}

type Read = Arc<dyn Fn() -> i64 + Send + Sync>;

/// A gauge whose value is read at every scrape; not exposed until it has something to
/// read from.
#[derive(Clone, Default)]
pub struct LiveGauge(Arc<Mutex<Option<Read>>>);

impl LiveGauge {
    /// Read the gauge from `f` from now on (instead of what it was read from before).
    pub fn read_from(&self, f: impl Fn() -> i64 + Send + Sync + 'static) {
        *self.0.lock().expect("metrics lock") = Some(Arc::new(f));
    }

    /// The value now, if it has something to read from.
    pub fn read(&self) -> Option<i64> {
        let f = self.0.lock().expect("metrics lock").clone();
        f.map(|f| f())
    }
}

impl fmt::Debug for LiveGauge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LiveGauge").field(&self.read()).finish()
    }
}

/// One scrape: the metrics, described in the order and with the help texts `/metrics`
/// has always had, then the queue depths and the live gauges.
#[derive(Debug)]
struct Scrape {
    metrics: Metrics,
    queues: Option<Queues>,
}

fn describe(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    metric: &impl EncodeMetric,
) -> fmt::Result {
    metric.encode(encoder.encode_descriptor(name, help, None, metric.metric_type())?)
}

impl Collector for Scrape {
    fn encode(&self, mut e: DescriptorEncoder) -> fmt::Result {
        let m = &self.metrics;
        let e = &mut e;
        describe(
            e,
            "screening_http_requests",
            "HTTP requests by route and status",
            &m.http_requests.0,
        )?;
        describe(
            e,
            "screening_orders_created",
            "Orders placed with Yardstik",
            &m.orders_created.0,
        )?;
        describe(
            e,
            "screening_yardstik_requests",
            "Yardstik API calls by operation and outcome",
            &m.yardstik_requests.0,
        )?;
        describe(
            e,
            "screening_yardstik_events",
            "Yardstik events processed, by outcome (applied, unmatched, retry, failed, coalesced)",
            &m.yardstik_events.0,
        )?;
        describe(
            e,
            "screening_reconciled_orders",
            "Orders re-read from Yardstik by the reconciliation job, by outcome",
            &m.reconciled_orders.0,
        )?;
        describe(
            e,
            "screening_placements_resumed",
            "Interrupted or failed placements resumed, by outcome",
            &m.placements_resumed.0,
        )?;
        describe(
            e,
            "screening_yardstik_webhooks",
            "Yardstik webhooks received by outcome",
            &m.yardstik_webhooks.0,
        )?;
        describe(
            e,
            "screening_deliveries",
            "Result webhook delivery attempts by outcome",
            &m.deliveries.0,
        )?;
        describe(
            e,
            "screening_inbox_events_deleted",
            "Processed Yardstik events deleted once older than SCREENING_INBOX_KEEP",
            &m.inbox_events_deleted,
        )?;
        describe(
            e,
            "screening_ingest_batch_size",
            "Yardstik webhook events stored per group commit",
            &m.ingest_batch_size.0,
        )?;
        describe(
            e,
            "screening_http_connections_refused",
            "Connections closed on accept because a connection cap was reached, by reason",
            &m.connections_refused.0,
        )?;
        describe(
            e,
            "screening_cache_evictions",
            "Entries evicted early from bounded maps of caller-chosen keys, by map",
            &m.cache_evictions.0,
        )?;
        describe(
            e,
            "screening_rate_limited",
            "Requests refused with 429 by a spending rate limit, by scope",
            &m.rate_limited.0,
        )?;
        if let Some(q) = self.queues {
            for (name, help, value) in [
                (
                    "screening_inbox_pending",
                    "Yardstik events waiting to be processed",
                    q.inbox_pending,
                ),
                (
                    "screening_inbox_failed",
                    "Yardstik events whose retry budget ran out",
                    q.inbox_failed,
                ),
                (
                    "screening_inbox_oldest_pending_seconds",
                    "Age of the oldest Yardstik event waiting to be processed",
                    q.inbox_oldest_pending_secs,
                ),
                (
                    "screening_outbox_pending",
                    "Result webhooks waiting for delivery",
                    q.outbox_pending,
                ),
                (
                    "screening_outbox_dead",
                    "Result webhooks dead-lettered",
                    q.outbox_dead,
                ),
            ] {
                describe(e, name, help, &ConstGauge::new(value))?;
            }
        }
        if let Some(v) = m.ingest_queued.read() {
            describe(
                e,
                "screening_ingest_queued",
                "Verified Yardstik webhooks waiting for the next group commit",
                &ConstGauge::new(v),
            )?;
        }
        if let Some(v) = m.connections_open.read() {
            describe(
                e,
                "screening_http_connections_open",
                "HTTP connections open now",
                &ConstGauge::new(v),
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::default();
        let empty = m.render(None);
        assert!(
            empty.contains(
                "# HELP screening_deliveries_total Result webhook delivery attempts by outcome\n\
                 # TYPE screening_deliveries_total counter\n"
            ),
            "described before its first sample: {empty}"
        );
        m.deliveries.inc(DeliveryOutcome::Delivered);
        m.deliveries.inc(DeliveryOutcome::Delivered);
        let t = m.render(Some(Queues {
            outbox_pending: 3,
            ..Queues::default()
        }));
        assert!(t.contains("screening_deliveries_total{outcome=\"delivered\"} 2"));
        assert!(t.contains("# TYPE screening_outbox_pending gauge\nscreening_outbox_pending 3"));
        assert_eq!(m.deliveries.get(DeliveryOutcome::Delivered), 2);
        assert_eq!(m.deliveries.get(DeliveryOutcome::Dead), 0);
    }

    #[test]
    fn batch_histogram_and_live_gauges() {
        let m = Metrics::default();
        m.ingest_batch_size.observe(1);
        m.ingest_batch_size.observe(3);
        m.ingest_batch_size.observe(300);
        assert!(!m.render(None).contains("screening_ingest_queued"));
        m.ingest_queued.read_from(|| 6);
        m.ingest_queued.read_from(|| 7);
        let t = m.render(None);
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
        // The encoder writes a histogram's sum as a float.
        assert!(
            t.contains(
                "screening_ingest_batch_size_sum 304.0\nscreening_ingest_batch_size_count 3"
            ),
            "{t}"
        );
        assert!(t.contains("screening_ingest_queued 7"), "{t}");
        let samples = t
            .lines()
            .filter(|l| l.starts_with("screening_ingest_queued "));
        assert_eq!(
            samples.count(),
            1,
            "the last reader replaces the first: {t}"
        );
    }

    #[test]
    fn label_values_are_distinct_snake_case() {
        fn check(values: &[&str]) {
            for v in values {
                assert!(
                    !v.is_empty() && v.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                    "{v}"
                );
            }
            let mut unique = values.to_vec();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), values.len(), "{values:?}");
        }
        macro_rules! texts {
            ($t:ty) => {
                <$t>::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>()
            };
        }
        check(&texts!(OrderSource));
        check(&texts!(EventOutcome));
        check(&texts!(ReconcileOutcome));
        check(&texts!(ResumeOutcome));
        check(&texts!(WebhookOutcome));
        check(&texts!(DeliveryOutcome));
        check(&texts!(ConnectionRefusal));
        check(&texts!(CacheName));
        check(&texts!(LimitScope));
    }

    #[test]
    fn yardstik_outcomes_and_escaped_routes() {
        let m = Metrics::default();
        for outcome in [
            YardstikOutcome::Ok,
            YardstikOutcome::Timeout,
            YardstikOutcome::Transport,
            YardstikOutcome::Status(429),
        ] {
            m.yardstik_requests.inc(YardstikLabels {
                op: "get_report",
                outcome,
            });
        }
        m.http_requests.inc(HttpLabels {
            route: "/a\"b".into(),
            status: 404,
        });
        let t = m.render(None);
        for o in ["ok", "timeout", "transport", "429"] {
            assert!(
                t.contains(&format!(
                    "screening_yardstik_requests_total{{op=\"get_report\",outcome=\"{o}\"}} 1\n"
                )),
                "{t}"
            );
        }
        assert!(
            t.contains("screening_http_requests_total{route=\"/a\\\"b\",status=\"404\"} 1\n"),
            "{t}"
        );
    }
}
