//! `OrderState` and `ResultWebhook` from stored rows; signed result links; the candidate's
//! progress (`CandidateStatus`).

use screening_wire::{
    CandidateProgress, CandidateStage, CandidateStatus, CheckStatus, OrderEvent, OrderItem,
    OrderState, ResultWebhook,
};

use super::status::CheckState;
use super::Orders;
use crate::db::ms_to_rfc3339;
use crate::db::orders::{events_in, items_in, order_in, EventRow, ItemRow, OrderRow};
use crate::db::tenants::tenant_generation_in;
use crate::tokens::{Claims, Purpose};

/// `{public_url}/r/{token}`: a signed, expiring link to the in-page report.
pub fn result_link(orders: &Orders, tenant_id: &str, generation: &str, bcid: &str) -> String {
    let claims = Claims {
        t: tenant_id.to_string(),
        a: None,
        o: Some(bcid.to_string()),
        exp: orders.now_secs() + orders.settings.result_link_ttl.as_secs() as i64,
        c: vec![screening_wire::Capability::Review],
        g: generation.to_string(),
        r: None,
    };
    format!(
        "{}/r/{}",
        orders.settings.public_url,
        orders.signer.sign(Purpose::ResultLink, &claims)
    )
}

/// A link exists once the order is complete and its package has a report.
pub fn link_for(
    orders: &Orders,
    tenant_id: &str,
    generation: &str,
    bcid: &str,
    status: CheckStatus,
    items: &[ItemRow],
) -> Option<String> {
    (status == CheckStatus::Complete && items.iter().any(|i| i.report_id.is_some()))
        .then(|| result_link(orders, tenant_id, generation, bcid))
}

pub fn order_state(
    orders: &Orders,
    generation: &str,
    o: &OrderRow,
    items: &[ItemRow],
    events: &[EventRow],
) -> OrderState {
    OrderState {
        background_check_id: o.background_check_id.clone(),
        status: o.state.status,
        result: o.state.result,
        result_link_url: link_for(
            orders,
            &o.tenant_id,
            generation,
            &o.background_check_id,
            o.state.status,
            items,
        ),
        package_id: o.package_id.clone(),
        add_on_package_ids: o.add_on_package_ids.clone(),
        items: items
            .iter()
            .map(|i| OrderItem {
                package_id: i.package_id.clone(),
                add_on: i.add_on,
                status: i.state.status,
                result: i.state.result,
                invitation_status: i.invitation_status.as_ref().map(|s| s.to_string()),
                report_status: i.report_status.as_ref().map(|s| s.to_string()),
                report_id: i.report_id.clone(),
            })
            .collect(),
        history: events
            .iter()
            .map(|e| OrderEvent {
                at: ms_to_rfc3339(e.at),
                status: e.state.status,
                result: e.state.result,
                detail: e.detail.clone(),
            })
            .collect(),
        created_at: ms_to_rfc3339(o.created_at),
        updated_at: ms_to_rfc3339(o.updated_at),
    }
}

/// The order, its items and history read in one transaction (one consistent snapshot).
pub async fn load_state(
    orders: &Orders,
    tenant_id: &str,
    bcid: &str,
) -> Result<Option<OrderState>, sqlx::Error> {
    let db = &orders.db;
    let mut tx = db.pool.begin().await?;
    if db.backend == crate::db::Backend::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            .execute(&mut *tx)
            .await?;
    }
    let Some(o) = order_in(&mut tx, tenant_id, bcid, "").await? else {
        return Ok(None);
    };
    let items = items_in(&mut tx, tenant_id, bcid).await?;
    let events = events_in(&mut tx, tenant_id, bcid).await?;
    // Only a complete order has a result link, which needs the tenant's generation.
    let generation = if o.state.status == CheckStatus::Complete {
        tenant_generation_in(&mut tx, tenant_id)
            .await?
            .unwrap_or_default()
    } else {
        String::new()
    };
    tx.commit().await?;
    Ok(Some(order_state(orders, &generation, &o, &items, &events)))
}

/// Where one ordered package stands for the candidate. The item's ATS state decides; an
/// item that needs action says which action from its report status.
pub fn candidate_stage(item: &ItemRow) -> CandidateStage {
    use crate::yardstik::status::ReportStatus as R;
    use CandidateStage as S;
    match item.state.status {
        CheckStatus::Pending => S::Preparing,
        CheckStatus::Invited => S::Invited,
        CheckStatus::FormCompleted => S::FormSubmitted,
        CheckStatus::Processing => S::InProgress,
        CheckStatus::ActionRequired => match item.report_status {
            Some(R::InfoRequested) => S::InfoRequested,
            Some(R::PendingApproval) => S::GuardianConsent,
            Some(R::Dispute) => S::Disputed,
            _ => S::OnHold,
        },
        CheckStatus::Complete => S::Done,
        CheckStatus::Expired => S::Expired,
        CheckStatus::Canceled => S::Canceled,
    }
}

/// The candidate's progress on one order: per ordered package its name and stage, nothing
/// else (read from the database only, so it may be polled).
pub async fn candidate_status(
    orders: &Orders,
    tenant: &crate::tenant::Tenant,
    bcid: &str,
) -> Result<CandidateStatus, super::OrderError> {
    let items = orders.db.order_items(&tenant.id, bcid).await?;
    if items.is_empty() {
        return Err(super::OrderError::NotFound(bcid.to_string()));
    }
    Ok(CandidateStatus {
        background_check_id: bcid.to_string(),
        packages: items
            .iter()
            .map(|i| CandidateProgress {
                name: tenant
                    .entry(&i.package_id)
                    .map_or_else(|| i.package_id.clone(), |e| e.name.clone()),
                package_id: i.package_id.clone(),
                add_on: i.add_on,
                stage: candidate_stage(i),
            })
            .collect(),
    })
}

pub fn webhook(bcid: &str, state: CheckState, link: Option<String>) -> ResultWebhook {
    ResultWebhook {
        background_check_id: bcid.to_string(),
        status: state.status,
        result: state.result,
        result_link_url: link,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yardstik::status::ReportStatus;

    fn item(status: CheckStatus, report: Option<&str>) -> ItemRow {
        ItemRow {
            tenant_id: "t".into(),
            background_check_id: "b".into(),
            package_id: "PKG001".into(),
            position: 0,
            add_on: false,
            yardstik_package_id: "y".into(),
            invitation_id: None,
            report_id: None,
            invitation_status: None,
            report_status: report.map(ReportStatus::parse),
            invitation_seen_at: None,
            report_seen_at: None,
            apply_url: None,
            state: CheckState {
                status,
                result: None,
            },
            updated_at: 0,
        }
    }

    #[test]
    fn the_candidate_stage_of_each_item_state() {
        use CandidateStage as S;
        use CheckStatus as C;
        for (status, report, want) in [
            (C::Pending, None, S::Preparing),
            (C::Invited, None, S::Invited),
            (C::FormCompleted, Some("created"), S::FormSubmitted),
            (C::Processing, Some("processing"), S::InProgress),
            (C::ActionRequired, Some("info_requested"), S::InfoRequested),
            (
                C::ActionRequired,
                Some("pending_approval"),
                S::GuardianConsent,
            ),
            (C::ActionRequired, Some("exception"), S::OnHold),
            (C::ActionRequired, Some("dispute"), S::Disputed),
            (C::Complete, Some("consider"), S::Done),
            (C::Complete, Some("dispute"), S::Done),
            (C::Expired, Some("expired"), S::Expired),
            (C::Canceled, None, S::Canceled),
        ] {
            assert_eq!(
                candidate_stage(&item(status, report)),
                want,
                "{status:?} {report:?}"
            );
        }
    }
}
