//! Processes stored Yardstik webhook events: fetch the invitation or report from the
//! configured API base (never from the event's `resource_url`), map it, update the order.
//!
//! An event whose invitation/report is not (yet) known — it can arrive before the order's
//! creation has recorded the invitation id — is retried a few times, then dropped.

use tokio_util::sync::CancellationToken;

use crate::app::ApiContext;
use crate::db::inbox::InboxRow;
use crate::db::now_ms;
use crate::db::orders::YardstikRef;
use crate::orders::sync::{apply, describe, ItemUpdate};
use crate::yardstik::YardstikError;

const MAX_UNMATCHED: i64 = 6;
const MAX_UNAVAILABLE: i64 = 12;

pub async fn run(ctx: ApiContext, shutdown: CancellationToken) {
    loop {
        let lease = now_ms() + ctx.config.yardstik_timeout.as_millis() as i64 * 6 + 30_000;
        let rows = match ctx.db.claim_events(lease, 16).await {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(error = %e, "cannot claim yardstik events");
                Vec::new()
            }
        };
        let busy = !rows.is_empty();
        for row in rows {
            process(&ctx, row).await;
        }
        if shutdown.is_cancelled() {
            return;
        }
        if !busy {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = ctx.inbox_wake.notified() => {}
                _ = tokio::time::sleep(ctx.config.inbox_poll_interval) => {}
            }
        }
    }
}

enum Outcome {
    Done,
    Retry(&'static str, i64),
    Failed(String),
}

async fn process(ctx: &ApiContext, row: InboxRow) {
    let outcome = handle(ctx, &row).await;
    let backoff = |n: i64| now_ms() + 500 * 2i64.pow(n.clamp(0, 10) as u32);
    let (state, at, err) = match outcome {
        Outcome::Done => ("done", now_ms(), None),
        Outcome::Retry(why, limit) if row.attempts + 1 < limit => {
            ("pending", backoff(row.attempts), Some(why.to_string()))
        }
        Outcome::Retry(why, _) => ("failed", now_ms(), Some(why.to_string())),
        Outcome::Failed(why) => ("failed", now_ms(), Some(why)),
    };
    if state != "done" {
        tracing::info!(event_id = %row.event_id, state, reason = err.as_deref().unwrap_or(""), "yardstik event not applied");
    }
    if let Err(e) = ctx
        .db
        .finish_event(&row.tenant_id, &row.event_id, state, at, err.as_deref())
        .await
    {
        tracing::error!(error = %e, "cannot record yardstik event outcome");
    }
}

fn yardstik_outcome(e: YardstikError) -> Outcome {
    match e {
        YardstikError::Unavailable(_) => Outcome::Retry("yardstik unavailable", MAX_UNAVAILABLE),
        e if e.is_not_found() => Outcome::Failed("resource not found at Yardstik".into()),
        e => Outcome::Failed(format!("{e}").chars().take(200).collect()),
    }
}

async fn handle(ctx: &ApiContext, row: &InboxRow) -> Outcome {
    let tenant = match ctx.db.tenant_by_id(&row.tenant_id).await {
        Ok(Some(t)) => t,
        Ok(None) => return Outcome::Failed("tenant removed".into()),
        Err(_) => return Outcome::Retry("database error", MAX_UNAVAILABLE),
    };
    let creds = &tenant.credentials;
    let kind = match row.resource_type.as_str() {
        "invitation" => YardstikRef::Invitation,
        "report" => YardstikRef::Report,
        _ => return Outcome::Done, // candidate, transaction, monitor, account…: nothing to map
    };
    // Only resources behind our orders are fetched (no Yardstik call for the others).
    let item = match ctx
        .db
        .item_by_yardstik(&tenant.id, kind, &row.resource_id)
        .await
    {
        Ok(Some(i)) => i,
        Ok(None) => return Outcome::Retry("no order item for this resource (yet)", MAX_UNMATCHED),
        Err(_) => return Outcome::Retry("database error", MAX_UNAVAILABLE),
    };
    let (upd, detail) = match kind {
        YardstikRef::Invitation => {
            let inv = match ctx.yardstik.invitation(creds, &row.resource_id).await {
                Ok(i) => i,
                Err(e) => return yardstik_outcome(e),
            };
            let detail = describe("invitation", inv.status.as_deref().unwrap_or("unknown"));
            let upd = ItemUpdate {
                invitation_id: None,
                invitation_status: inv.status.clone(),
                report_id: inv.report.as_ref().map(|r| r.id.clone()),
                report_status: inv.report.as_ref().and_then(|r| r.status.clone()),
                apply_url: inv.apply_url(),
            };
            (upd, detail)
        }
        YardstikRef::Report => {
            let rep = match ctx.yardstik.report(creds, &row.resource_id).await {
                Ok(r) => r,
                Err(e) => return yardstik_outcome(e),
            };
            let detail = describe("report", rep.status.as_deref().unwrap_or("unknown"));
            (
                ItemUpdate {
                    report_status: rep.status.clone(),
                    ..Default::default()
                },
                detail,
            )
        }
    };
    match apply(
        ctx,
        &tenant,
        &item.background_check_id,
        &item.package_id,
        upd,
        &detail,
    )
    .await
    {
        Ok(_) => Outcome::Done,
        Err(e) => {
            tracing::error!(error = %e, "cannot apply yardstik update");
            Outcome::Retry("database error", MAX_UNAVAILABLE)
        }
    }
}
