//! Apply what Yardstik says about one invitation/report to its order, in one transaction
//! with the history rows and (when the ATS should hear about it) the outbox row.
//!
//! Snapshots apply in order: each item remembers Yardstik's `updated_at` of the newest
//! invitation and report it applied, and an older snapshot (a slow fetch overtaken by a
//! newer one, another instance) leaves those fields alone. A report status embedded in an
//! invitation is only used until the report itself has been read.

use super::view::{link_for, webhook};
use super::{OrderError, Orders};
use screening_model::claim::ClaimToken;
use screening_model::lifecycle::{combine, next_item, should_notify, CheckState, ItemState};
use screening_model::tenant::Tenant;
use screening_model::yardstik_status::{InvitationStatus, ReportStatus};
use screening_model::OrderKey;
use screening_store::orders as stored;
use screening_store::outbox;
use yardstik_client::types::{Invitation, Report};

/// New facts about one item; `None` fields keep their stored value.
#[derive(Debug, Default, Clone)]
pub struct ItemUpdate {
    pub invitation_id: Option<String>,
    pub invitation_status: Option<InvitationStatus>,
    /// Yardstik's `updated_at` of the invitation snapshot (unix ms).
    pub invitation_updated_at: Option<i64>,
    pub apply_url: Option<String>,
    pub report_id: Option<String>,
    /// From the report itself.
    pub report_status: Option<ReportStatus>,
    pub report_updated_at: Option<i64>,
    /// From the report reference inside an invitation.
    pub embedded_report_status: Option<ReportStatus>,
}

fn ms(rfc3339: Option<&str>) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(rfc3339?)
        .ok()
        .map(|t| t.timestamp_millis())
}

impl ItemUpdate {
    pub fn from_invitation(inv: &Invitation) -> Self {
        ItemUpdate {
            invitation_id: Some(inv.id.clone()),
            invitation_status: inv.status.as_deref().map(InvitationStatus::parse),
            invitation_updated_at: ms(inv.updated_at.as_deref()),
            apply_url: inv.apply_url(),
            report_id: inv.report.as_ref().map(|r| r.id.clone()),
            embedded_report_status: inv
                .report
                .as_ref()
                .and_then(|r| r.status.as_deref())
                .map(ReportStatus::parse),
            ..Default::default()
        }
    }

    pub fn from_report(rep: &Report) -> Self {
        ItemUpdate {
            report_id: Some(rep.id.clone()),
            report_status: rep.status.as_deref().map(ReportStatus::parse),
            report_updated_at: ms(rep.updated_at.as_deref()),
            ..Default::default()
        }
    }

    /// A short history text.
    pub fn describe(&self) -> String {
        match (&self.report_status, &self.invitation_status) {
            (Some(r), _) => format!("Yardstik report status: {r}"),
            (None, Some(i)) => format!("Yardstik invitation status: {i}"),
            (None, None) => "Yardstik update".into(),
        }
    }
}

/// Who writes: the placing task (fenced on its claim) or anyone applying Yardstik's view.
#[derive(Debug, Clone, Copy)]
pub enum Writer<'a> {
    Placement(&'a ClaimToken),
    Yardstik,
}

/// `stored` is not newer than `incoming` (unknown times never block).
fn not_older(stored: Option<i64>, incoming: Option<i64>) -> bool {
    match (stored, incoming) {
        (Some(s), Some(i)) => i >= s,
        _ => true,
    }
}

/// Returns the order's new state when it changed.
pub async fn apply(
    orders: &Orders,
    tenant: &Tenant,
    bcid: &str,
    package_id: &str,
    upd: ItemUpdate,
    writer: Writer<'_>,
) -> Result<Option<CheckState>, OrderError> {
    let db = &orders.db;
    let key = OrderKey::new(&tenant.id, bcid);
    let mut tx = db.pool.begin().await?;
    let Some(order) = stored::order_for_update(&mut *tx, db.backend, &key).await? else {
        return Ok(None);
    };
    if let Writer::Placement(token) = writer {
        if !order.held_by(token) {
            return Err(OrderError::StillPlacing);
        }
    }
    let mut items = stored::items(&mut *tx, &key).await?;
    let Some(item) = items.iter_mut().find(|i| i.package_id == package_id) else {
        return Ok(None);
    };
    let prev_item = item.state;
    let seen_before = (item.invitation_status.clone(), item.report_status.clone());
    if item.invitation_id.is_none() {
        item.invitation_id = upd.invitation_id.clone();
    }
    if item.report_id.is_none() {
        item.report_id = upd.report_id.clone();
    }
    if upd.invitation_status.is_some()
        && not_older(item.invitation_seen_at, upd.invitation_updated_at)
    {
        item.invitation_status = upd.invitation_status.clone();
        item.invitation_seen_at = upd.invitation_updated_at.or(item.invitation_seen_at);
        if upd.apply_url.is_some() {
            item.apply_url = upd.apply_url.clone();
        }
        if item.report_seen_at.is_none() && upd.embedded_report_status.is_some() {
            item.report_status = upd.embedded_report_status.clone();
        }
    }
    if upd.report_status.is_some() && not_older(item.report_seen_at, upd.report_updated_at) {
        item.report_status = upd.report_status.clone();
        item.report_seen_at = upd.report_updated_at.or(item.report_seen_at);
    }
    let (next_state, note) = next_item(
        prev_item,
        item.invitation_status.as_ref(),
        item.report_status.as_ref(),
    );
    item.state = next_state;
    stored::update_item(&mut *tx, item).await?;
    // A note is history only when the status behind it is new (not on every re-fetch).
    let statuses_changed =
        seen_before != (item.invitation_status.clone(), item.report_status.clone());
    let mut notes: Vec<String> = note
        .filter(|_| statuses_changed)
        .map(|n| n.text())
        .into_iter()
        .collect();
    if item.add_on
        && prev_item != next_state
        && matches!(
            next_state.status,
            screening_wire::CheckStatus::Canceled | screening_wire::CheckStatus::Expired
        )
    {
        notes.push(format!(
            "Add-on {} was {}: it was not screened",
            item.package_id,
            next_state.status.as_str()
        ));
    }
    // What decided this change, for the history.
    let detail = match (&item.report_status, &item.invitation_status) {
        (Some(r), _) if *r != ReportStatus::Created && seen_before.1.as_ref() != Some(r) => {
            format!("Yardstik report status: {r}")
        }
        (_, Some(i)) if seen_before.0.as_ref() != Some(i) => {
            format!("Yardstik invitation status: {i}")
        }
        _ => upd.describe(),
    };
    let item_states: Vec<ItemState> = items
        .iter()
        .map(|i| ItemState {
            state: i.state,
            add_on: i.add_on,
        })
        .collect();
    let prev = order.state;
    // An order given up (`failed`, the ATS was told) keeps that state: a late word about
    // an invitation it canceled only updates the item.
    let next = if prev.status == screening_wire::CheckStatus::Failed {
        prev
    } else {
        combine(&item_states)
    };
    let synced = matches!(writer, Writer::Yardstik);
    let now = screening_store::now_ms();
    for n in &notes {
        stored::insert_event(&mut *tx, &key, now, prev, Some(n)).await?;
    }
    if next == prev {
        if synced {
            stored::update_order_state(&mut *tx, &key, prev, true).await?;
        }
        tx.commit().await?;
        return Ok(None);
    }
    stored::update_order_state(&mut *tx, &key, next, synced).await?;
    stored::insert_event(&mut *tx, &key, now, next, Some(&detail)).await?;
    let notify = should_notify(prev, next, tenant.settings.progress_updates)
        && !order.webhook_url.is_empty();
    if notify {
        let link = link_for(orders, &order, next.status, &items);
        let id = super::context::OrderContext::from_json(order.ats_context.as_deref()).ats_id(bcid);
        let body = serde_json::to_string(&webhook(id, next, link)).expect("serialise");
        outbox::enqueue(&mut tx, &key, &order.webhook_url, &body, now).await?;
    }
    tx.commit().await?;
    if notify {
        orders.outbox_wake.notify_one();
    }
    tracing::info!(
        background_check_id = bcid,
        status = next.status.as_str(),
        result = next.result.map(|r| r.as_str()),
        notify,
        "order status changed"
    );
    Ok(Some(next))
}
