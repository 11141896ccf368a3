//! Processes stored Yardstik webhook events: read the invitation or report from the
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
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::app::ApiContext;
use crate::db::inbox::{EventOutcome, InboxRow};
use crate::db::now_ms;
use crate::db::orders::YardstikRef;
use crate::orders::reconcile::{refresh_resource, Refreshed};
use crate::retry::{Budget, RetryPolicy};
use crate::tenant::Tenant;
use crate::worker::inbox_pace::{InFlight, ResourceKey};

/// After a wake-up by a new event, how long to wait for the rest of its burst.
const CLAIM_GATHER: Duration = Duration::from_millis(3);

/// How long a tenant read for one event is reused for the next.
const TENANT_TTL: Duration = Duration::from_secs(2);

/// Tenants by id, for [`TENANT_TTL`].
#[derive(Clone, Default)]
struct Tenants(Arc<Mutex<HashMap<String, (Instant, Arc<Tenant>)>>>);

impl Tenants {
    async fn get(&self, ctx: &ApiContext, id: &str) -> Result<Option<Arc<Tenant>>, ()> {
        if let Some((at, t)) = self.0.lock().expect("tenants").get(id) {
            if at.elapsed() < TENANT_TTL {
                return Ok(Some(t.clone()));
            }
        }
        match ctx.db.tenant_by_id(id).await {
            Ok(Some(t)) => {
                let t = Arc::new(t);
                let mut map = self.0.lock().expect("tenants");
                if map.len() > 1000 {
                    map.retain(|_, (at, _)| at.elapsed() < TENANT_TTL);
                }
                map.insert(id.to_string(), (Instant::now(), t.clone()));
                Ok(Some(t))
            }
            Ok(None) => Ok(None),
            Err(_) => Err(()),
        }
    }
}

pub async fn run(ctx: ApiContext, shutdown: CancellationToken) {
    let owner = uuid::Uuid::new_v4().to_string();
    let workers = ctx.config.lifecycle.inbox_workers.max(1);
    let mut inflight: JoinSet<()> = JoinSet::new();
    let tenants = Tenants::default();
    loop {
        while inflight.try_join_next().is_some() {}
        let free = workers.saturating_sub(inflight.len());
        let mut claimed = 0;
        if free > 0 && !shutdown.is_cancelled() {
            // One group does one Yardstik read (with its quick retries) and a transaction.
            let lease = now_ms() + ctx.config.yardstik_timeout.as_millis() as i64 * 6 + 30_000;
            match ctx.db.claim_events(&owner, lease, free as i64).await {
                Ok(rows) => {
                    claimed = rows.len();
                    for (key, group) in by_resource(rows) {
                        let (ctx, owner, tenants) = (ctx.clone(), owner.clone(), tenants.clone());
                        let resource = ctx.inbox_pace.start(key);
                        inflight.spawn(async move {
                            process(&ctx, &tenants, &owner, group, &resource).await
                        });
                    }
                }
                Err(e) => tracing::error!(error = %e, "cannot claim yardstik events"),
            }
        }
        if shutdown.is_cancelled() {
            break;
        }
        if claimed == 0 || inflight.len() >= workers {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = ctx.inbox_pace.woken() => {
                    // Events arrive in bursts: gather a moment's worth into one claim
                    // rather than claim once per webhook.
                    tokio::time::sleep(CLAIM_GATHER).await;
                }
                Some(_) = inflight.join_next(), if !inflight.is_empty() => {}
                _ = tokio::time::sleep(ctx.config.inbox_poll_interval) => {}
            }
        }
    }
    while inflight.join_next().await.is_some() {}
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

async fn handle(ctx: &ApiContext, tenants: &Tenants, group: &[InboxRow]) -> Handled {
    let row = &group[0];
    let Some(kind) = YardstikRef::parse(&row.resource_type) else {
        return Handled::Ignored; // candidate, transaction, monitor, account…: nothing to map
    };
    if group.iter().all(|r| r.event == "created") {
        match ctx
            .db
            .item_by_yardstik(&row.tenant_id, kind, &row.resource_id)
            .await
        {
            Ok(Some(item)) if item.report_id.is_some() => return Handled::Covered,
            Ok(_) => {} // not recorded yet, or without its report: read it
            Err(_) => return Handled::Retry("database error".into()),
        }
    }
    let tenant = match tenants.get(ctx, &row.tenant_id).await {
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

fn outcome(ctx: &ApiContext, handled: &Handled, row: &InboxRow) -> EventOutcome {
    let l = &ctx.config.lifecycle;
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

async fn process(
    ctx: &ApiContext,
    tenants: &Tenants,
    owner: &str,
    group: Vec<InboxRow>,
    resource: &InFlight,
) {
    let Some(first) = group.first() else { return };
    let wait = ctx.inbox_pace.before_read(resource.key(), Instant::now());
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    let fetched_at = now_ms();
    let handled = handle(ctx, tenants, &group).await;
    let label = match &handled {
        Handled::Applied => "applied",
        Handled::Ignored => "ignored",
        Handled::Covered => "covered",
        Handled::Unmatched => "unmatched",
        Handled::Retry(_) => "retry",
        Handled::Failed(_) => "failed",
    };
    for _ in &group {
        ctx.metrics
            .inc("screening_yardstik_events_total", &[("outcome", label)]);
    }
    if handled == Handled::Applied {
        // One statement finishes the group and settles the resource's older events.
        match ctx
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
                    ctx.metrics.inc(
                        "screening_yardstik_events_total",
                        &[("outcome", "coalesced")],
                    );
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
            tracing::info!(event_id = %row.event_id, outcome = label, state = ?out, "yardstik event not applied");
        }
        match ctx
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
    use crate::db::inbox::InboxState;
    use crate::orders::OrderError;
    use crate::yardstik::YardstikError;

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
