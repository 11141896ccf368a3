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
//! 5. Once the claim is committed the order is the server's: the answer is 201 whatever
//!    happens next (the order's state, `pending` while it is not placed), and a non-201
//!    only ever comes from the checks before the claim — so it always means nothing was
//!    or will be created. The applicant's details are kept sealed with the claim until
//!    the placement finishes, so the server can finish it without the ATS. On a transient
//!    failure the claim is marked failed, keeping the candidate and any invitations already
//!    created, and the resumer (`jobs::resumer`) resumes from there with backoff; a
//!    permanent failure (Yardstik refused it) or retries run out end the order `failed`:
//!    its open invitations are canceled, the history says why, and the ATS receives a
//!    result webhook with `status: failed`. A resumed attempt
//!    first looks for an invitation of that candidate and package created since the order
//!    was received and not linked to any order (one whose answer was lost to a timeout or
//!    crash) and adopts it instead of creating a second one — only after checking that the
//!    invitation names that candidate and package. A candidate Yardstik already had (the
//!    same email) is updated when the ATS's data differs.

use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

use screening_wire::{Applicant, CheckStatus, OrderState};

use super::catalog;
use super::context::OrderContext;
use super::sync::{apply, ItemUpdate, Writer};
use super::view::load_state;
use super::{OrderError, Orders};
use crate::ssrf;
use screening_metrics::{OrderSource, ResumeOutcome};
use screening_model::claim::{Claim, ClaimToken};
use screening_model::tenant::{CustomFields, Tenant};
use screening_model::OrderKey;
use screening_model::StoredFailure;
use screening_store::now_ms;
use screening_store::orders::{self as stored, NewOrder};
use yardstik_client::types::{NewAddress, NewCandidate, NewInvitation};

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
    /// What the ATS sent about who ordered and for which job, kept with the order.
    pub context: OrderContext,
    /// Hash of the whole request, to tell a retry from a different order.
    pub request_hash: String,
}

/// Orders whose id is chosen in the browser (or assigned for it) start with this.
pub const WIDGET_ID_PREFIX: &str = "w-";

impl PlaceRequest {
    /// An order of the ATS partner contract. Its hash covers the whole request, so a
    /// retry is told from a different order under the same id.
    pub fn from_ats(order: &screening_wire::OrderRequest) -> Self {
        let hash =
            screening_model::crypto::sha256_hex(&serde_json::to_vec(order).expect("serialise"));
        PlaceRequest {
            source: "ats",
            background_check_id: order.background_check_id.text.clone(),
            package_id: order.package_id.clone(),
            add_on_package_ids: order.add_on_package_ids.clone(),
            webhook_url: order.webhook_url.trim().to_string(),
            applicant: order.applicant.clone(),
            context: OrderContext {
                numeric_id: order.background_check_id.numeric,
                hiring_manager_user_id: order.hiring_manager_user_id.clone(),
                hiring_manager: order.hiring_manager.clone(),
                job: order.job.clone(),
            },
            request_hash: hash,
        }
    }

    /// An order placed from the widget. Without a `background_check_id`, the id is
    /// derived from the idempotency key (so a retried request finds the same order), or
    /// is new. Results go to the tenant's default webhook URL.
    pub fn from_widget(
        tenant: &Tenant,
        mut order: screening_wire::WidgetOrderRequest,
        idempotency_key: Option<&str>,
    ) -> Self {
        let bcid = match (&order.background_check_id, idempotency_key) {
            (Some(b), _) => b.clone(),
            (None, Some(k)) => format!(
                "{WIDGET_ID_PREFIX}{}",
                &screening_model::crypto::sha256_hex(format!("{}\0{k}", tenant.id).as_bytes())
                    [..24]
            ),
            (None, None) => format!("{WIDGET_ID_PREFIX}{}", uuid::Uuid::new_v4().simple()),
        };
        order.background_check_id = Some(bcid.clone());
        let hash = screening_model::crypto::sha256_hex(
            &[
                b"widget\0".as_slice(),
                &serde_json::to_vec(&order).expect("serialise"),
            ]
            .concat(),
        );
        PlaceRequest {
            source: "widget",
            background_check_id: bcid,
            package_id: order.package_id,
            add_on_package_ids: order.add_on_package_ids,
            webhook_url: tenant
                .settings
                .default_webhook_url
                .clone()
                .unwrap_or_default(),
            applicant: order.applicant,
            context: OrderContext {
                hiring_manager: order.hiring_manager,
                ..OrderContext::default()
            },
            request_hash: hash,
        }
    }
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

/// Place (or replay) an order. The answer is the 201 body: an error only for an order
/// refused before anything was recorded.
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
    let key = OrderKey::new(&tenant.id, &bcid);
    let deadline = Instant::now() + orders.settings.order_wait;
    let mut waited = false;
    let applicant = serde_json::to_vec(&req.applicant).expect("serialise");
    let context = req.context.to_json();
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
            ats_context: context.as_deref(),
            applicant: &applicant,
            items: items.clone(),
            lease_until: lease_until(orders, items.len()),
        };
        if let Some(token) = orders.db.claim_order(&new).await? {
            return detached(orders, tenant, &req, &items, token, deadline).await;
        }
        if let Some(row) = stored::order(&orders.db.pool, &key).await? {
            if row.request_hash != req.request_hash {
                if row.claim == Claim::Failed && orders.db.forget_failed_order(&key).await? {
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
                // Given up (the ATS heard `failed`), or a failed attempt this request
                // waited on and the resumer retries: the order as it stands.
                Claim::Failed if waited || row.state.status == CheckStatus::Failed => {
                    return accepted(orders, tenant, &req, &items).await;
                }
                Claim::Failed | Claim::Creating => {
                    let takeover = row.claim == Claim::Failed || row.lease_until < now_ms();
                    if takeover {
                        if let Some(token) = orders
                            .db
                            .reclaim_order(&key, lease_until(orders, items.len()))
                            .await?
                        {
                            return detached(orders, tenant, &req, &items, token, deadline).await;
                        }
                    }
                }
            }
        }
        if Instant::now() > deadline {
            return accepted(orders, tenant, &req, &items).await;
        }
        waited = true;
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
}

/// The answer to an order whose claim is recorded but whose placement is not done (or
/// failed): the order as stored, `pending` while the server is still placing it. When even
/// that cannot be read, the state it was recorded with.
async fn accepted(
    orders: &Orders,
    tenant: &Tenant,
    req: &PlaceRequest,
    items: &[screening_model::NewItem],
) -> Result<OrderState, OrderError> {
    match load_state(orders, &tenant.id, &req.background_check_id).await {
        Ok(Some(state)) => Ok(state),
        other => {
            if let Err(e) = other {
                tracing::error!(error = %e, background_check_id = %req.background_check_id, "cannot read the accepted order back");
            }
            let now = screening_store::ms_to_rfc3339(now_ms());
            Ok(OrderState {
                background_check_id: req.background_check_id.clone(),
                status: CheckStatus::Pending,
                result: None,
                result_link_url: None,
                package_id: req.package_id.clone(),
                add_on_package_ids: req.add_on_package_ids.clone(),
                items: items
                    .iter()
                    .map(|i| screening_wire::OrderItem {
                        package_id: i.package_id.clone(),
                        add_on: i.add_on,
                        status: CheckStatus::Pending,
                        result: None,
                        invitation_status: None,
                        report_status: None,
                        report_id: None,
                    })
                    .collect(),
                history: vec![],
                hiring_manager_user_id: req.context.hiring_manager_user_id.clone(),
                hiring_manager: req.context.hiring_manager.clone(),
                job: req.context.job.clone(),
                created_at: now.clone(),
                updated_at: now,
            })
        }
    }
}

/// Run the placing work in its own task and wait for it until `deadline`. Whatever the
/// task ends in, the order is recorded: a failure or a placement still running answers the
/// order as it stands (201).
async fn detached(
    orders: &Orders,
    tenant: &Tenant,
    req: &PlaceRequest,
    items: &[screening_model::NewItem],
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
        Ok(Ok(Ok(state))) => Ok(state),
        Ok(Ok(Err(e))) => {
            tracing::info!(background_check_id = %req.background_check_id, error = %e.summary(), "order accepted; its placement did not finish within the request");
            accepted(orders, tenant, req, items).await
        }
        Ok(Err(join)) => {
            tracing::error!(background_check_id = %req.background_check_id, error = %join, "placement task failed");
            accepted(orders, tenant, req, items).await
        }
        Err(_) => accepted(orders, tenant, req, items).await,
    }
}

/// Resume a placement left behind: a claim whose holder's lease ran out, or a transient
/// failure the resumer was asked to retry. `Ok(true)` when the order is now placed.
pub async fn resume(orders: &Orders, key: &OrderKey) -> Result<bool, OrderError> {
    let Some(tenant) = orders.db.tenant_by_id(&key.tenant_id).await? else {
        return Ok(false);
    };
    let bcid = &key.background_check_id;
    let Some(row) = stored::order(&orders.db.pool, key).await? else {
        return Ok(false);
    };
    let items = stored::items(&orders.db.pool, key).await?.len();
    let Some(token) = orders
        .db
        .reclaim_order(key, lease_until(orders, items))
        .await?
    else {
        return Ok(false); // someone else took it
    };
    // Before the candidate exists the kept applicant details create it; a row without
    // them (they do not open) cannot be finished, and is given up.
    let applicant: Option<Applicant> = match &row.candidate_id {
        Some(_) => None,
        None => orders
            .db
            .placement_applicant(&row)
            .and_then(|b| serde_json::from_slice(&b).ok()),
    };
    if row.candidate_id.is_none() && applicant.is_none() {
        give_up(
            orders,
            &tenant,
            key,
            &token,
            &StoredFailure::Interrupted,
            "the applicant's details could not be read back",
        )
        .await?;
        return Ok(false);
    }
    tracing::info!(background_check_id = %bcid, attempt = row.place_attempts + 1, "resuming placement");
    create(
        orders,
        &tenant,
        applicant.as_ref(),
        &row.source,
        bcid,
        token,
    )
    .await
    .map(|_| true)
}

/// The candidate as Yardstik's reference takes it: names and email (required), and
/// what the ATS sent of the rest — the phone in E.164 when its country can be told, the
/// address parts that are present (country `US` when state and ZIP are US-shaped; none
/// otherwise: the intake form asks), the ATS's applicant id as `external_id`, and — into
/// the custom fields the tenant named — who ordered and for which job.
fn candidate(a: &Applicant, fields: &CustomFields, ctx: &OrderContext) -> NewCandidate {
    let opt = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let us = matches!((opt(&a.state), opt(&a.zip)), (Some(st), Some(z))
        if screening_wire::validate::is_us_state(&st) && screening_wire::validate::is_us_zip(&z));
    let address = NewAddress {
        line1: opt(&a.address),
        line2: opt(&a.address_2),
        city: opt(&a.city),
        state: opt(&a.state).map(|s| if us { s.to_ascii_uppercase() } else { s }),
        zip_code: opt(&a.zip),
        country: us.then(|| "US".to_string()),
    };
    let any = address.line1.is_some()
        || address.city.is_some()
        || address.state.is_some()
        || address.zip_code.is_some();
    NewCandidate {
        first_name: a.first_name.trim().to_string(),
        last_name: a.last_name.trim().to_string(),
        email: a.email.trim().to_string(),
        phone: a
            .phone
            .as_deref()
            .and_then(screening_wire::validate::phone_e164),
        external_id: Some(a.id.clone()).filter(|s| !s.is_empty()),
        addresses: if any { vec![address] } else { vec![] },
        custom_fields: custom_fields(fields, ctx),
    }
}

/// The order's context in the tenant's Yardstik custom fields (only those it named, only
/// what the ATS sent).
fn custom_fields(
    fields: &CustomFields,
    ctx: &OrderContext,
) -> std::collections::BTreeMap<String, String> {
    let hm = ctx.hiring_manager.clone().unwrap_or_default();
    let present = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let name = [hm.first_name.clone(), hm.last_name.clone()]
        .into_iter()
        .flatten()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    [
        (
            &fields.hiring_manager_id,
            present(
                ctx.hiring_manager_user_id
                    .as_ref()
                    .or(hm.id.as_ref())
                    .map(|i| i.text.clone()),
            ),
        ),
        (&fields.hiring_manager_name, present(Some(name))),
        (&fields.hiring_manager_email, present(hm.email.clone())),
        (
            &fields.job_id,
            present(
                ctx.job
                    .as_ref()
                    .and_then(|j| j.id.as_ref())
                    .map(|i| i.text.clone()),
            ),
        ),
    ]
    .into_iter()
    .filter_map(|(key, value)| Some((key.clone()?, value?)))
    .collect()
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
    let key = OrderKey::new(&tenant.id, bcid);
    match create_inner(orders, tenant, applicant, &key, &token).await {
        Ok(state) => {
            let response = serde_json::to_string(&state).expect("serialise");
            if !orders.db.finish_order(&key, &token, &response).await? {
                return Err(OrderError::StillPlacing);
            }
            orders.metrics.orders_created.inc(OrderSource::of(source));
            tracing::info!(tenant = %tenant.ats_account_id, background_check_id = bcid, "order placed");
            Ok(state)
        }
        Err(OrderError::StillPlacing) => Err(OrderError::StillPlacing),
        Err(e) => {
            let failure = e.stored();
            let row = stored::order(&orders.db.pool, &key).await.ok().flatten();
            let resume_at = match &row {
                Some(r) if failure.is_transient() => {
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
            if resume_at == 0 {
                tracing::warn!(tenant = %tenant.ats_account_id, background_check_id = bcid, error = %e.summary(), "order placement failed for good");
                match give_up(orders, tenant, &key, &token, &failure, &e.summary()).await {
                    Ok(true) => {}
                    Ok(false) => return Err(OrderError::StillPlacing),
                    Err(db) => {
                        tracing::error!(error = %db.summary(), "could not record the failed order")
                    }
                }
                return Err(e);
            }
            match orders
                .db
                .fail_order(&key, &token, &failure, resume_at)
                .await
            {
                Ok(true) => {}
                Ok(false) => return Err(OrderError::StillPlacing),
                Err(db) => tracing::error!(error = %db, "could not record the failed order"),
            }
            tracing::warn!(tenant = %tenant.ats_account_id, background_check_id = bcid, resume = true, error = %e.summary(), "order placement failed; it will be resumed");
            Err(e)
        }
    }
}

/// End a placement for good: cancel the invitations it already created (so the candidate
/// is not asked to fill in an order that failed), then mark the order `failed` with the
/// reason in its history and queue the result webhook, fenced on `token`. `false` when the
/// claim was lost to another holder.
async fn give_up(
    orders: &Orders,
    tenant: &Tenant,
    key: &OrderKey,
    token: &ClaimToken,
    failure: &StoredFailure,
    why: &str,
) -> Result<bool, OrderError> {
    let bcid = key.background_check_id.as_str();
    let mut canceled = Vec::new();
    for item in stored::items(&orders.db.pool, key).await? {
        let Some(inv) = item.invitation_id.as_deref() else {
            continue;
        };
        match orders
            .yardstik
            .cancel_invitation(&tenant.credentials, inv)
            .await
        {
            Ok(_) => canceled.push(item.package_id.clone()),
            Err(e) => {
                tracing::warn!(background_check_id = bcid, package = %item.package_id, error = %e.summary(), "could not cancel the invitation of a failed order")
            }
        }
    }
    let mut detail = format!("The order could not be placed at Yardstik: {why}");
    if !canceled.is_empty() {
        detail.push_str(&format!(
            "; the invitation already sent for {} was canceled",
            canceled.join(", ")
        ));
    }
    let row = stored::order(&orders.db.pool, key).await?;
    let ctx = OrderContext::from_json(row.as_ref().and_then(|r| r.ats_context.as_deref()));
    let state = screening_model::lifecycle::CheckState::open(CheckStatus::Failed);
    let body = serde_json::to_string(&super::view::webhook(ctx.ats_id(bcid), state, None))
        .expect("serialise");
    match orders
        .db
        .give_up_order(key, token, failure, state, &detail, &body)
        .await?
    {
        None => Ok(false),
        Some(notified) => {
            if notified {
                orders.outbox_wake.notify_one();
            }
            Ok(true)
        }
    }
}

async fn create_inner(
    orders: &Orders,
    tenant: &Tenant,
    applicant: Option<&Applicant>,
    key: &OrderKey,
    token: &ClaimToken,
) -> Result<OrderState, OrderError> {
    let creds = &tenant.credentials;
    let bcid = key.background_check_id.as_str();
    let row = stored::order(&orders.db.pool, key)
        .await?
        .ok_or_else(|| anyhow::anyhow!("claimed order vanished"))?;
    // A resumed attempt (an earlier one created the candidate) may have lost the answer of
    // an invitation Yardstik did create: look for it before creating another.
    let resumed = row.candidate_id.is_some();
    let since = screening_store::ms_to_rfc3339(row.created_at - 60_000);
    let candidate_id = match (row.candidate_id, applicant) {
        (Some(c), _) => c,
        (None, Some(applicant)) => {
            let new = candidate(
                applicant,
                &tenant.settings.yardstik_custom_fields,
                &OrderContext::from_json(row.ats_context.as_deref()),
            );
            let (c, existed) = orders.yardstik.create_candidate(creds, &new).await?;
            if existed && c.differs_from(&new) {
                update_candidate(orders, tenant, bcid, &c.id, &new).await?;
            }
            tracing::info!(background_check_id = bcid, candidate_id = %c.id, existed, "yardstik candidate ready");
            if !orders.db.set_candidate(key, token, &c.id).await? {
                return Err(OrderError::StillPlacing);
            }
            c.id
        }
        (None, None) => return Err(OrderError::EarlierAttemptFailed(StoredFailure::Interrupted)),
    };
    for item in stored::items(&orders.db.pool, key).await? {
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

/// A returning applicant's Yardstik candidate, brought up to the ATS's data
/// (`PATCH /candidates/{id}`), so the intake and the report do not show stale details.
/// Yardstik unreachable fails the attempt (before the candidate is recorded, so the next one
/// updates it); a refusal leaves the candidate as it is — the intake form lets the candidate
/// correct it.
async fn update_candidate(
    orders: &Orders,
    tenant: &Tenant,
    bcid: &str,
    id: &str,
    new: &NewCandidate,
) -> Result<(), OrderError> {
    match orders
        .yardstik
        .update_candidate(&tenant.credentials, id, new)
        .await
    {
        Ok(_) => {
            tracing::info!(background_check_id = bcid, candidate_id = %id, "existing yardstik candidate updated with the ATS's data");
            Ok(())
        }
        Err(e @ yardstik_client::YardstikError::Rejected { .. }) => {
            tracing::warn!(background_check_id = bcid, candidate_id = %id, error = %e.summary(), "existing yardstik candidate not updated");
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// An open invitation of this candidate and package, created since the order was received
/// and not linked to any order yet. Each one found is checked: a Yardstik that ignores the
/// candidate and package predicates answers other applicants' invitations too.
async fn adopt(
    orders: &Orders,
    tenant: &Tenant,
    candidate_id: &str,
    package: &str,
    since: &str,
) -> Result<Option<yardstik_client::types::Invitation>, OrderError> {
    let found = orders
        .yardstik
        .find_invitations(&tenant.credentials, candidate_id, package, since)
        .await?;
    for inv in found {
        let ours = inv.candidate() == Some(candidate_id)
            && inv.account_package().as_deref() == Some(package);
        if !ours {
            continue;
        }
        let status = inv
            .status
            .as_deref()
            .map(screening_model::yardstik_status::InvitationStatus::parse);
        if matches!(
            status,
            Some(
                screening_model::yardstik_status::InvitationStatus::Canceled
                    | screening_model::yardstik_status::InvitationStatus::Expired
            )
        ) {
            continue;
        }
        if orders
            .db
            .item_by_yardstik(
                &tenant.id,
                screening_model::YardstikRef::Invitation,
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

/// One pass of the resumer: placements whose holder's lease ran out, and failed ones due
/// for another attempt, are taken over and finished.
pub async fn resume_due(orders: &Orders, shutdown: &CancellationToken) {
    let keys = match orders.db.orders_to_resume(16).await {
        Ok(k) => k,
        Err(e) => {
            tracing::error!(error = %e, "cannot list placements to resume");
            return;
        }
    };
    for key in keys {
        if shutdown.is_cancelled() {
            return;
        }
        match resume(orders, &key).await {
            Ok(true) => {
                orders.metrics.placements_resumed.inc(ResumeOutcome::Placed);
                tracing::info!(background_check_id = %key.background_check_id, "placement resumed and finished");
            }
            Ok(false) => {}
            Err(e) => {
                orders.metrics.placements_resumed.inc(ResumeOutcome::Failed);
                tracing::warn!(background_check_id = %key.background_check_id, error = %e.summary(), "resumed placement failed");
            }
        }
    }
}
