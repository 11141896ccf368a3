//! Placing an order with Yardstik, exactly once per (tenant, background_check_id), and to
//! the end even when the caller goes away.
//!
//! 1. Shape (wire crate rules), catalog and webhook_url checks — nothing is stored for
//!    an invalid order.
//! 2. The order key is claimed in the database (`INSERT … ON CONFLICT DO NOTHING`) before
//!    any Yardstik call, with a fresh claim token. Concurrent or repeated submissions with
//!    the same payload wait for the claim holder and replay its stored answer; a different
//!    payload is refused, unless the earlier attempt failed having created nothing at
//!    Yardstik (a corrected order then takes the id).
//! 3. The placing work runs in its own task: a client that disconnects or times out does
//!    not stop it between the Yardstik calls and the database writes. The request waits
//!    for it up to `order_wait`.
//! 4. The claim holder creates (or reuses — Yardstik answers 200 "Candidate already
//!    exists" for an email it knows) the candidate, then one invitation per ordered package
//!    (the package, then each add-on), recording each id as soon as Yardstik returns it.
//!    Every write is fenced on the claim token: a holder that outlived its lease cannot
//!    race the one that took the claim over.
//! 5. On a failure the claim is marked failed, keeping the candidate and any invitations
//!    already created; the next submission, or the resumer (`worker::resumer`) for a
//!    transient failure after the candidate exists, resumes from there. A resumed attempt
//!    first looks for an invitation of that candidate and package created since the order
//!    was received and not linked to any order (one whose answer was lost to a timeout or
//!    crash) and adopts it instead of creating a second one.

use std::time::{Duration, Instant};

use screening_wire::{Applicant, OrderState};

use super::claim::{Claim, ClaimToken};
use super::error::StoredFailure;
use super::sync::{apply, ItemUpdate, Writer};
use super::view::load_state;
use super::{OrderError, Orders};
use crate::catalog;
use crate::db::now_ms;
use crate::db::orders::{NewOrder, OrderKey};
use crate::ssrf;
use crate::tenant::Tenant;
use crate::yardstik::types::{NewAddress, NewCandidate, NewInvitation};

/// An order to place. Owned: the placing task outlives the request.
#[derive(Debug, Clone)]
pub struct PlaceRequest {
    pub source: &'static str,
    pub background_check_id: String,
    pub package_id: String,
    pub add_on_package_ids: Vec<String>,
    /// Empty: no result webhooks (a widget order of a tenant without a default URL).
    pub webhook_url: String,
    pub applicant: Applicant,
    /// Hash of the whole request, to tell a retry from a different order.
    pub request_hash: String,
}

pub async fn check_webhook_url(tenant: &Tenant, url: &str) -> Result<(), OrderError> {
    ssrf::check(url, &tenant.settings)
        .await
        .map(|_| ())
        .map_err(|e| {
            OrderError::Invalid(vec![screening_wire::FieldError {
                field: "webhook_url".into(),
                message: e.to_string(),
            }])
        })
}

/// How long a claim holder may take before others may take the order over: every call
/// with its quick retries, plus a margin.
fn lease_until(orders: &Orders, items: usize) -> i64 {
    now_ms()
        + (orders.settings.yardstik_timeout.as_millis() as i64) * (items as i64 + 2) * 3
        + 10_000
}

/// Place (or replay) an order. The answer is the 201 body.
pub async fn place(
    orders: &Orders,
    tenant: &Tenant,
    req: PlaceRequest,
) -> Result<OrderState, OrderError> {
    let items = catalog::resolve_items(tenant, &req.package_id, &req.add_on_package_ids)
        .map_err(OrderError::Invalid)?;
    if !req.webhook_url.is_empty() {
        check_webhook_url(tenant, &req.webhook_url).await?;
    }
    let bcid = req.background_check_id.clone();
    let deadline = Instant::now() + orders.settings.order_wait;
    let mut waited = false;
    loop {
        let new = NewOrder {
            tenant_id: &tenant.id,
            background_check_id: &bcid,
            request_hash: &req.request_hash,
            source: req.source,
            package_id: &req.package_id,
            add_on_package_ids: &req.add_on_package_ids,
            webhook_url: &req.webhook_url,
            applicant_id: Some(req.applicant.id.as_str()).filter(|s| !s.is_empty()),
            items: items.clone(),
            lease_until: lease_until(orders, items.len()),
        };
        if let Some(token) = orders.db.claim_order(&new).await? {
            return detached(orders, tenant, &req, token, deadline).await;
        }
        if let Some(row) = orders.db.order(&tenant.id, &bcid).await? {
            if row.request_hash != req.request_hash {
                if row.claim == Claim::Failed
                    && orders.db.forget_failed_order(&tenant.id, &bcid).await?
                {
                    tracing::info!(background_check_id = %bcid, "a failed order that created nothing at Yardstik is replaced by a corrected one");
                    continue;
                }
                return Err(OrderError::IdInUse(bcid));
            }
            match row.claim {
                Claim::Created => {
                    if let Some(resp) = row
                        .response
                        .as_deref()
                        .and_then(|r| serde_json::from_str(r).ok())
                    {
                        return Ok(resp);
                    }
                }
                Claim::Failed if waited => {
                    return Err(OrderError::EarlierAttemptFailed(
                        orders
                            .db
                            .placement_failure(&row)
                            .unwrap_or(StoredFailure::Internal),
                    ));
                }
                Claim::Failed | Claim::Creating => {
                    let takeover = row.claim == Claim::Failed || row.lease_until < now_ms();
                    if takeover {
                        if let Some(token) = orders
                            .db
                            .reclaim_order(&tenant.id, &bcid, lease_until(orders, items.len()))
                            .await?
                        {
                            return detached(orders, tenant, &req, token, deadline).await;
                        }
                    }
                }
            }
        }
        if Instant::now() > deadline {
            return Err(OrderError::StillPlacing);
        }
        waited = true;
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
}

/// Run the placing work in its own task and wait for it until `deadline`.
async fn detached(
    orders: &Orders,
    tenant: &Tenant,
    req: &PlaceRequest,
    token: ClaimToken,
    deadline: Instant,
) -> Result<OrderState, OrderError> {
    let task = tokio::spawn({
        let (orders, tenant, req) = (orders.clone(), tenant.clone(), req.clone());
        async move {
            create(
                &orders,
                &tenant,
                Some(&req.applicant),
                req.source,
                &req.background_check_id,
                token,
            )
            .await
        }
    });
    match tokio::time::timeout_at(deadline.into(), task).await {
        Ok(Ok(result)) => result,
        Ok(Err(join)) => Err(OrderError::Internal(anyhow::anyhow!(
            "placement task failed: {join}"
        ))),
        Err(_) => Err(OrderError::StillPlacing),
    }
}

/// Resume a placement left behind: a claim whose holder's lease ran out, or a transient
/// failure the resumer was asked to retry. `Ok(true)` when the order is now placed.
pub async fn resume(orders: &Orders, key: &OrderKey) -> Result<bool, OrderError> {
    let Some(tenant) = orders.db.tenant_by_id(&key.tenant_id).await? else {
        return Ok(false);
    };
    let bcid = &key.background_check_id;
    let Some(row) = orders.db.order(&tenant.id, bcid).await? else {
        return Ok(false);
    };
    let items = orders.db.order_items(&tenant.id, bcid).await?.len();
    let Some(token) = orders
        .db
        .reclaim_order(&tenant.id, bcid, lease_until(orders, items))
        .await?
    else {
        return Ok(false); // someone else took it
    };
    if row.candidate_id.is_none() {
        // Without a candidate there is nothing at Yardstik to finish, and the applicant's
        // details are not kept: the ATS's retry places it (candidate creation is idempotent).
        orders
            .db
            .fail_order(&tenant.id, bcid, &token, &StoredFailure::Interrupted, 0)
            .await?;
        tracing::info!(background_check_id = %bcid, "interrupted placement with no candidate left for the ATS to retry");
        return Ok(false);
    }
    tracing::info!(background_check_id = %bcid, attempt = row.place_attempts + 1, "resuming placement");
    create(orders, &tenant, None, &row.source, bcid, token)
        .await
        .map(|_| true)
}

fn candidate(a: &Applicant) -> NewCandidate {
    let opt = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let addresses = match (opt(&a.address), opt(&a.city), opt(&a.state), opt(&a.zip)) {
        (Some(line1), Some(city), Some(state), Some(zip_code)) => vec![NewAddress {
            line1,
            line2: opt(&a.address_2),
            city,
            state: state.to_ascii_uppercase(),
            zip_code,
            country: "US".into(),
        }],
        _ => vec![],
    };
    NewCandidate {
        first_name: a.first_name.trim().to_string(),
        last_name: a.last_name.trim().to_string(),
        email: a.email.trim().to_string(),
        phone: a
            .phone
            .as_deref()
            .and_then(screening_wire::validate::phone_e164),
        external_id: Some(a.id.clone()).filter(|s| !s.is_empty()),
        addresses,
    }
}

/// The claim holder's work: place, then record the answer or the failure (fenced).
async fn create(
    orders: &Orders,
    tenant: &Tenant,
    applicant: Option<&Applicant>,
    source: &str,
    bcid: &str,
    token: ClaimToken,
) -> Result<OrderState, OrderError> {
    match create_inner(orders, tenant, applicant, bcid, &token).await {
        Ok(state) => {
            let response = serde_json::to_string(&state).expect("serialise");
            if !orders
                .db
                .finish_order(&tenant.id, bcid, &token, &response)
                .await?
            {
                return Err(OrderError::StillPlacing);
            }
            orders
                .metrics
                .inc("screening_orders_created_total", &[("source", source)]);
            tracing::info!(tenant = %tenant.ats_account_id, background_check_id = bcid, "order placed");
            Ok(state)
        }
        Err(OrderError::StillPlacing) => Err(OrderError::StillPlacing),
        Err(e) => {
            let failure = StoredFailure::of(&e);
            let row = orders.db.order(&tenant.id, bcid).await.ok().flatten();
            let resume_at = match &row {
                Some(r) if r.candidate_id.is_some() && failure.is_transient() => {
                    let elapsed = Duration::from_millis((now_ms() - r.created_at).max(0) as u64);
                    orders
                        .settings
                        .resume
                        .next_delay(r.place_attempts.max(1) as u32, elapsed)
                        .map(|d| now_ms() + d.as_millis() as i64)
                        .unwrap_or(0)
                }
                _ => 0,
            };
            match orders
                .db
                .fail_order(&tenant.id, bcid, &token, &failure, resume_at)
                .await
            {
                Ok(true) => {}
                Ok(false) => return Err(OrderError::StillPlacing),
                Err(db) => tracing::error!(error = %db, "could not record the failed order"),
            }
            tracing::warn!(tenant = %tenant.ats_account_id, background_check_id = bcid, resume = resume_at > 0, error = %e.summary(), "order placement failed");
            Err(e)
        }
    }
}

async fn create_inner(
    orders: &Orders,
    tenant: &Tenant,
    applicant: Option<&Applicant>,
    bcid: &str,
    token: &ClaimToken,
) -> Result<OrderState, OrderError> {
    let creds = &tenant.credentials;
    let row = orders
        .db
        .order(&tenant.id, bcid)
        .await?
        .ok_or_else(|| anyhow::anyhow!("claimed order vanished"))?;
    // A resumed attempt (an earlier one created the candidate) may have lost the answer of
    // an invitation Yardstik did create: look for it before creating another.
    let resumed = row.candidate_id.is_some();
    let since = crate::db::ms_to_rfc3339(row.created_at - 60_000);
    let candidate_id = match (row.candidate_id, applicant) {
        (Some(c), _) => c,
        (None, Some(applicant)) => {
            let (c, existed) = orders
                .yardstik
                .create_candidate(creds, &candidate(applicant))
                .await?;
            tracing::info!(background_check_id = bcid, candidate_id = %c.id, existed, "yardstik candidate ready");
            if !orders
                .db
                .set_candidate(&tenant.id, bcid, token, &c.id)
                .await?
            {
                return Err(OrderError::StillPlacing);
            }
            c.id
        }
        (None, None) => return Err(OrderError::EarlierAttemptFailed(StoredFailure::Interrupted)),
    };
    for item in orders.db.order_items(&tenant.id, bcid).await? {
        if item.invitation_id.is_some() {
            continue;
        }
        let adopted = if resumed {
            adopt(
                orders,
                tenant,
                &candidate_id,
                &item.yardstik_package_id,
                &since,
            )
            .await?
        } else {
            None
        };
        let inv = match adopted {
            Some(inv) => {
                tracing::info!(background_check_id = bcid, invitation_id = %inv.id, "adopted an invitation created by an earlier attempt");
                inv
            }
            None => {
                orders
                    .yardstik
                    .create_invitation(
                        creds,
                        &NewInvitation {
                            account_package_id: item.yardstik_package_id.clone(),
                            candidate_id: candidate_id.clone(),
                            expires_at: None,
                        },
                    )
                    .await?
            }
        };
        tracing::info!(background_check_id = bcid, package = %item.package_id, invitation_id = %inv.id, "yardstik invitation created");
        apply(
            orders,
            tenant,
            bcid,
            &item.package_id,
            ItemUpdate::from_invitation(&inv),
            Writer::Placement(token),
        )
        .await?;
    }
    load_state(orders, &tenant.id, bcid)
        .await?
        .ok_or_else(|| anyhow::anyhow!("order vanished").into())
}

/// An open invitation of this candidate and package, created since the order was received
/// and not linked to any order yet.
async fn adopt(
    orders: &Orders,
    tenant: &Tenant,
    candidate_id: &str,
    package: &str,
    since: &str,
) -> Result<Option<crate::yardstik::types::Invitation>, OrderError> {
    let found = orders
        .yardstik
        .find_invitations(&tenant.credentials, candidate_id, package, since)
        .await?;
    for inv in found {
        let status = inv
            .status
            .as_deref()
            .map(crate::yardstik::status::InvitationStatus::parse);
        if matches!(
            status,
            Some(
                crate::yardstik::status::InvitationStatus::Canceled
                    | crate::yardstik::status::InvitationStatus::Expired
            )
        ) {
            continue;
        }
        if orders
            .db
            .item_by_yardstik(
                &tenant.id,
                crate::db::orders::YardstikRef::Invitation,
                &inv.id,
            )
            .await?
            .is_none()
        {
            return Ok(Some(inv));
        }
    }
    Ok(None)
}
