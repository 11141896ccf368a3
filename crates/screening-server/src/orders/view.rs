//! `OrderState` and `ResultWebhook` from stored rows; signed result links; the candidate's
//! progress (`CandidateStatus`).

use screening_wire::{
    CandidateProgress, CandidateStage, CandidateStatus, CheckStatus, OrderEvent, OrderItem,
    OrderState, ResultWebhook,
};

use super::context::OrderContext;
use super::Orders;
use crate::tokens::{Claims, Purpose};
use screening_model::lifecycle::CheckState;
use screening_model::OrderKey;
use screening_store::ms_to_rfc3339;
use screening_store::orders::{self as stored, EventRow, ItemRow, OrderRow};

/// `{public_url}/r/{token}`: a signed link to the order's read-only view. It does not
/// expire: it opens while the order exists and `epoch` is the order's current
/// `result_link_epoch` (an operator's `orders revoke-link` moves it on). The same order and
/// epoch always give the same link.
pub fn result_link(orders: &Orders, tenant_id: &str, bcid: &str, epoch: i64) -> String {
    let claims = Claims {
        t: tenant_id.to_string(),
        a: None,
        o: Some(bcid.to_string()),
        exp: 0,
        c: vec![],
        g: String::new(),
        r: None,
        v: epoch,
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
    o: &OrderRow,
    status: CheckStatus,
    items: &[ItemRow],
) -> Option<String> {
    (status == CheckStatus::Complete && items.iter().any(|i| i.report_id.is_some())).then(|| {
        result_link(
            orders,
            &o.tenant_id,
            &o.background_check_id,
            o.result_link_epoch,
        )
    })
}

pub fn order_state(
    orders: &Orders,
    o: &OrderRow,
    items: &[ItemRow],
    events: &[EventRow],
) -> OrderState {
    let ctx = OrderContext::from_json(o.ats_context.as_deref());
    OrderState {
        background_check_id: o.background_check_id.clone(),
        status: o.state.status,
        result: o.state.result,
        result_link_url: link_for(orders, o, o.state.status, items),
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
        hiring_manager_user_id: ctx.hiring_manager_user_id,
        hiring_manager: ctx.hiring_manager,
        job: ctx.job,
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
    let key = OrderKey::new(tenant_id, bcid);
    let mut tx = orders.db.begin_snapshot().await?;
    let Some(o) = stored::order(&mut *tx, &key).await? else {
        return Ok(None);
    };
    let items = stored::items(&mut *tx, &key).await?;
    let events = stored::events(&mut *tx, &key).await?;
    tx.commit().await?;
    Ok(Some(order_state(orders, &o, &items, &events)))
}

/// Where one ordered package stands for the candidate. The item's ATS state decides; an
/// item that needs action says which action from its report status.
pub fn candidate_stage(item: &ItemRow) -> CandidateStage {
    use screening_model::yardstik_status::ReportStatus as R;
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
        CheckStatus::Canceled | CheckStatus::Failed => S::Canceled,
    }
}

/// The candidate's progress on one order: per ordered package its name and stage, nothing
/// else (read from the database only, so it may be polled).
pub async fn candidate_status(
    orders: &Orders,
    tenant: &screening_model::tenant::Tenant,
    bcid: &str,
) -> Result<CandidateStatus, super::OrderError> {
    let items = stored::items(&orders.db.pool, &OrderKey::new(&tenant.id, bcid)).await?;
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

/// The result webhook; `bcid` as the ATS sent it (a number stays a number).
pub fn webhook(
    bcid: screening_wire::AtsId,
    state: CheckState,
    link: Option<String>,
) -> ResultWebhook {
    ResultWebhook {
        background_check_id: bcid,
        status: state.status,
        result: state.result,
        result_link_url: link,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use screening_model::yardstik_status::ReportStatus;

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
