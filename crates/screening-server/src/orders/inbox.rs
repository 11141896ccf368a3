//! Stored Yardstik webhook events processed: read the invitation or report from the
//! configured API base (never from the event's `resource_url`) and apply it to its order.
//!
//! Up to `SCREENING_INBOX_WORKERS` (32 by default: the work is waiting on Yardstik)
//! resources are processed at once, each by one task (the claim never hands out a
//! resource that has an event in flight), so one order's snapshots apply in order while
//! different orders proceed in parallel. One fetch settles every event of its resource
//! received before it started, and one resource is fetched at most once per
//! `inbox_pace::MIN_REREAD` (a burst of its events is coalesced into few fetches; a stored
//! event of a resource in flight does not wake the worker, see [`super::inbox_pace`]).
//! Events are claimed by priority (a report's progress before a backlog of creation
//! notices, see `db::inbox::priority`), so a burst of new orders does not delay the
//! results the ATS is waiting for. A tenant read for an event is reused for a couple of
//! seconds by the next events of that tenant.
//!
//! Failures are retried with the one retry policy: capped exponential backoff for
//! `SCREENING_INBOX_RETRY_FOR` (48 h by default), whatever the cause (Yardstik down, the
//! account's key refused, the database). Only then is an event marked failed, and an
//! operator can list and replay it (`screening-server events failed|replay`). An event
//! naming a resource no order knows (its order may still be recording the invitation) is
//! retried for `unmatched_retry_for` and then set aside as done; the reconciliation job
//! catches up with any order whose events were missed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::inbox_pace::{InFlight, InboxPace, ResourceKey};
use super::reconcile::{refresh_resource, Refreshed};
use super::tenants::TenantDirectory;
use super::Orders;
use crate::config::LifecycleConfig;
use screening_metrics::EventOutcome as Processed;
use screening_model::retry::{Budget, RetryPolicy};
use screening_model::{StoredEnum, YardstikRef};
use screening_store::inbox::{EventOutcome, InboxRow};
use screening_store::now_ms;

/// What processing events needs.
#[derive(Clone)]
pub struct Inbox {
    pub orders: Orders,
    pub tenants: TenantDirectory,
    pub pace: Arc<InboxPace>,
    pub lifecycle: LifecycleConfig,
}

/// A leased group of events of one resource, marked in flight until it is dropped.
pub struct Group {
    events: Vec<InboxRow>,
    resource: InFlight,
}

impl Inbox {
    /// Lease up to `limit` events to `owner`, grouped by resource and marked in flight.
    pub async fn claim(&self, owner: &str, limit: usize) -> anyhow::Result<Vec<Group>> {
        // One group does one Yardstik read (with its quick retries) and a transaction.
        let timeout = self.orders.settings.yardstik_timeout;
        let lease = now_ms() + timeout.as_millis() as i64 * 6 + 30_000;
        let rows = self
            .orders
            .db
            .claim_events(owner, lease, limit as i64)
            .await?;
        Ok(by_resource(rows)
            .into_iter()
            .map(|(key, events)| Group {
                resource: self.pace.start(key),
                events,
            })
            .collect())
    }

    /// Read the group's resource from Yardstik, apply it and record the events' outcome.
    pub async fn process(&self, owner: &str, group: Group) {
        process(self, owner, group.events, &group.resource).await
    }
}

/// Claimed events grouped by resource, oldest first within a group.
fn by_resource(rows: Vec<InboxRow>) -> Vec<(ResourceKey, Vec<InboxRow>)> {
    let mut groups: Vec<(ResourceKey, Vec<InboxRow>)> = Vec::new();
    let mut index: HashMap<ResourceKey, usize> = HashMap::new();
    for r in rows {
        let key = (
            r.tenant_id.clone(),
            r.resource_type.clone(),
            r.resource_id.clone(),
        );
        match index.get(&key) {
            Some(&i) => groups[i].1.push(r),
            None => {
                index.insert(key.clone(), groups.len());
                groups.push((key, vec![r]));
            }
        }
    }
    groups
}

/// How handling one resource ended.
#[derive(Debug, Clone, PartialEq)]
enum Handled {
    Applied,
    /// Nothing to map (a candidate, an account…).
    Ignored,
    /// Only creation notices of an invitation or report its order already recorded from
    /// Yardstik's answer at placement (with the report's id): nothing newer to fetch. Any
    /// later change comes with its own `updated`/`completed` event.
    Covered,
    Unmatched,
    Retry(String),
    Failed(String),
}

async fn handle(ctx: &Inbox, group: &[InboxRow]) -> Handled {
    let row = &group[0];
    let Some(kind) = YardstikRef::parse(&row.resource_type) else {
        return Handled::Ignored; // candidate, transaction, monitor, account…: nothing to map
    };
    if group.iter().all(|r| r.event == "created") {
        match ctx
            .orders
            .db
            .item_by_yardstik(&row.tenant_id, kind, &row.resource_id)
            .await
        {
            Ok(Some(item)) if item.report_id.is_some() => return Handled::Covered,
            Ok(_) => {} // not recorded yet, or without its report: read it
            Err(_) => return Handled::Retry("database error".into()),
        }
    }
    let tenant = match ctx.tenants.by_id_for_events(&row.tenant_id).await {
        Ok(Some(t)) => t,
        Ok(None) => return Handled::Failed("tenant removed".into()),
        Err(_) => return Handled::Retry("database error".into()),
    };
    match refresh_resource(&ctx.orders, &tenant, kind, &row.resource_id).await {
        Ok(Refreshed::Applied { .. }) => Handled::Applied,
        Ok(Refreshed::Unmatched) => Handled::Unmatched,
        Err(e) => Handled::Retry(e.summary()),
    }
}

fn outcome(ctx: &Inbox, handled: &Handled, row: &InboxRow) -> EventOutcome {
    let l = &ctx.lifecycle;
    let elapsed = Duration::from_millis((now_ms() - row.received_at).max(0) as u64);
    let failed = row.attempts as u32 + 1;
    let retry = |policy: RetryPolicy, error: &str, give_up: EventOutcome| match policy
        .next_delay(failed, elapsed)
    {
        Some(d) => EventOutcome::Retry {
            at: now_ms() + d.as_millis() as i64,
            error: error.to_string(),
        },
        None => give_up,
    };
    match handled {
        Handled::Applied | Handled::Ignored | Handled::Covered => EventOutcome::Done,
        Handled::Failed(e) => EventOutcome::Failed { error: e.clone() },
        Handled::Retry(e) => retry(
            RetryPolicy::exponential(
                Duration::from_secs(1),
                l.inbox_backoff_max,
                Budget::Elapsed(l.inbox_retry_for),
            )
            .with_jitter(0.2),
            e,
            EventOutcome::Failed { error: e.clone() },
        ),
        Handled::Unmatched => retry(
            RetryPolicy::exponential(
                Duration::from_millis(500),
                Duration::from_secs(60),
                Budget::Elapsed(l.unmatched_retry_for),
            ),
            "no order item for this resource (yet)",
            EventOutcome::Done,
        ),
    }
}

async fn process(ctx: &Inbox, owner: &str, group: Vec<InboxRow>, resource: &InFlight) {
    let Some(first) = group.first() else { return };
    let wait = ctx.pace.before_read(resource.key(), Instant::now());
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    let fetched_at = now_ms();
    let handled = handle(ctx, &group).await;
    let label = match &handled {
        Handled::Applied => Processed::Applied,
        Handled::Ignored => Processed::Ignored,
        Handled::Covered => Processed::Covered,
        Handled::Unmatched => Processed::Unmatched,
        Handled::Retry(_) => Processed::Retry,
        Handled::Failed(_) => Processed::Failed,
    };
    for _ in &group {
        ctx.orders.metrics.yardstik_events.inc(label);
    }
    if handled == Handled::Applied {
        // One statement finishes the group and settles the resource's older events.
        match ctx
            .orders
            .db
            .settle_resource_events(
                &first.tenant_id,
                &first.resource_type,
                &first.resource_id,
                fetched_at,
                owner,
            )
            .await
        {
            Ok(n) => {
                if n > group.len() as u64 {
                    ctx.orders.metrics.yardstik_events.inc(Processed::Coalesced);
                    tracing::debug!(
                        coalesced = n - group.len() as u64,
                        "events settled by one fetch"
                    );
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot settle yardstik events"),
        }
        return;
    }
    for row in &group {
        let out = outcome(ctx, &handled, row);
        if !matches!(out, EventOutcome::Done) {
            tracing::info!(event_id = %row.event_id, outcome = label.as_str(), state = ?out, "yardstik event not applied");
        }
        match ctx
            .orders
            .db
            .finish_event(&row.tenant_id, &row.event_id, owner, &out)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(event_id = %row.event_id, "yardstik event lease lost; its new holder records the outcome")
            }
            Err(e) => tracing::error!(error = %e, "cannot record yardstik event outcome"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::OrderError;
    use screening_store::inbox::InboxState;
    use yardstik_client::YardstikError;

    fn row(tenant: &str, kind: &str, id: &str, event: &str) -> InboxRow {
        InboxRow {
            tenant_id: tenant.into(),
            event_id: event.into(),
            resource_type: kind.into(),
            resource_id: id.into(),
            event: "updated".into(),
            state: InboxState::Pending,
            attempts: 0,
            last_error: None,
            received_at: 0,
        }
    }

    #[test]
    fn groups_by_resource_keeping_order() {
        let groups = by_resource(vec![
            row("t", "report", "r1", "e1"),
            row("t", "report", "r2", "e2"),
            row("t", "report", "r1", "e3"),
            row("u", "report", "r1", "e4"),
            row("t", "invitation", "r1", "e5"),
        ]);
        let ids: Vec<Vec<&str>> = groups
            .iter()
            .map(|(_, g)| g.iter().map(|r| r.event_id.as_str()).collect())
            .collect();
        assert_eq!(
            ids,
            vec![vec!["e1", "e3"], vec!["e2"], vec!["e4"], vec!["e5"]]
        );
    }

    #[test]
    fn failure_summaries_carry_no_yardstik_text() {
        let e = OrderError::Yardstik(YardstikError::Rejected {
            status: 422,
            title: "Invalid".into(),
            detail: "Jane Doe's zip 12345 is wrong".into(),
        });
        assert_eq!(e.summary(), "Yardstik answered 422");
    }
}
