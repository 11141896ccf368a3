//! Placing an order with Yardstik, exactly once per (tenant, background_check_id).
//!
//! 1. Shape (wire crate rules), catalog and webhook_url checks — nothing is stored for
//!    a 4xx.
//! 2. The order key is claimed in the database (`INSERT … ON CONFLICT DO NOTHING`) before
//!    any Yardstik call. Concurrent or repeated submissions with the same payload wait for
//!    the claim holder and replay its stored answer; a different payload is a 409.
//! 3. The claim holder creates (or reuses — Yardstik answers 200 "Candidate already
//!    exists" for an email it knows) the candidate, then one invitation per ordered package
//!    (the package, then each add-on), recording each id as soon as Yardstik returns it.
//! 4. On a Yardstik failure the claim is marked failed, keeping the candidate and any
//!    invitations already created; the next submission resumes from there. A resumed
//!    attempt first looks for an invitation of that candidate and package created since the
//!    order was received and not linked to any order (one whose answer was lost to a timeout
//!    or crash) and adopts it instead of creating a second one.

use std::time::{Duration, Instant};

use screening_wire::{Applicant, OrderState};

use super::sync::{apply, ItemUpdate};
use super::view::load_state;
use crate::app::ApiContext;
use crate::db::now_ms;
use crate::db::orders::NewOrder;
use crate::http::error::Error;
use crate::ssrf;
use crate::tenant::Tenant;
use crate::yardstik::types::{NewAddress, NewCandidate, NewInvitation};

pub struct PlaceRequest<'a> {
    pub source: &'static str,
    pub background_check_id: &'a str,
    pub package_id: &'a str,
    pub add_on_package_ids: &'a [String],
    /// Empty: no result webhooks (a widget order of a tenant without a default URL).
    pub webhook_url: &'a str,
    pub applicant: &'a Applicant,
    /// Hash of the whole request, to tell a retry from a different order.
    pub request_hash: String,
}

/// Catalog checks: the package must be a (non add-on) catalog package, each add-on an
/// add-on. Returns (ATS id, Yardstik account package id, is add-on), package first.
pub fn resolve_items(
    tenant: &Tenant,
    package_id: &str,
    add_ons: &[String],
) -> Result<Vec<(String, String, bool)>, Error> {
    let mut errors = Vec::new();
    let mut items = Vec::new();
    let packages: Vec<&str> = tenant
        .settings
        .catalog
        .iter()
        .filter(|e| !e.add_on)
        .map(|e| e.id.as_str())
        .collect();
    let addons: Vec<&str> = tenant
        .settings
        .catalog
        .iter()
        .filter(|e| e.add_on)
        .map(|e| e.id.as_str())
        .collect();
    match tenant.entry(package_id).filter(|e| !e.add_on) {
        Some(e) => items.push((e.id.clone(), e.yardstik_account_package_id.clone(), false)),
        None => errors.push(screening_wire::FieldError {
            field: "package_id".into(),
            message: format!(
                "Unknown package {package_id}. Available packages: {}.",
                packages.join(", ")
            ),
        }),
    }
    for (i, a) in add_ons.iter().enumerate() {
        match tenant.entry(a).filter(|e| e.add_on) {
            Some(e) => items.push((e.id.clone(), e.yardstik_account_package_id.clone(), true)),
            None => errors.push(screening_wire::FieldError {
                field: format!("add_on_package_ids[{i}]"),
                message: format!(
                    "Unknown add-on package {a}. Available add-ons: {}.",
                    addons.join(", ")
                ),
            }),
        }
    }
    if errors.is_empty() {
        Ok(items)
    } else {
        Err(Error::Validation(errors))
    }
}

pub async fn check_webhook_url(tenant: &Tenant, url: &str) -> Result<(), Error> {
    ssrf::check(url, &tenant.settings)
        .await
        .map(|_| ())
        .map_err(|e| Error::field("webhook_url", e.to_string()))
}

fn lease_until(ctx: &ApiContext, items: usize) -> i64 {
    now_ms() + (ctx.config.yardstik_timeout.as_millis() as i64) * (items as i64 + 2) * 3 + 10_000
}

/// Place (or replay) an order. The answer is the 201 body.
pub async fn place(
    ctx: &ApiContext,
    tenant: &Tenant,
    req: &PlaceRequest<'_>,
) -> Result<OrderState, Error> {
    let items = resolve_items(tenant, req.package_id, req.add_on_package_ids)?;
    if !req.webhook_url.is_empty() {
        check_webhook_url(tenant, req.webhook_url).await?;
    }
    let new = NewOrder {
        tenant_id: &tenant.id,
        background_check_id: req.background_check_id,
        request_hash: &req.request_hash,
        source: req.source,
        package_id: req.package_id,
        add_on_package_ids: req.add_on_package_ids,
        webhook_url: req.webhook_url,
        applicant_id: Some(req.applicant.id.as_str()).filter(|s| !s.is_empty()),
        items: items.clone(),
        lease_until: lease_until(ctx, items.len()),
    };
    let deadline = Instant::now() + ctx.config.order_wait;
    let mut waited = false;
    loop {
        if ctx.db.claim_order(&new).await? {
            return create(ctx, tenant, req).await;
        }
        if let Some(row) = ctx.db.order(&tenant.id, req.background_check_id).await? {
            if row.request_hash != req.request_hash {
                return Err(Error::Conflict(format!(
                    "background_check_id {} was already used for a different order; use a new id for a new order.",
                    req.background_check_id
                )));
            }
            match row.claim.as_str() {
                "created" => {
                    if let Some(resp) = row
                        .response
                        .as_deref()
                        .and_then(|r| serde_json::from_str(r).ok())
                    {
                        return Ok(resp);
                    }
                }
                "failed" if waited => {
                    return Err(Error::Replay(
                        row.error_status.unwrap_or(502) as u16,
                        row.error_body.unwrap_or_default(),
                    ));
                }
                "failed" => {
                    if ctx
                        .db
                        .reclaim_order(&tenant.id, req.background_check_id, new.lease_until)
                        .await?
                    {
                        return create(ctx, tenant, req).await;
                    }
                }
                _ => {
                    if row.lease_until < now_ms()
                        && ctx
                            .db
                            .reclaim_order(
                                &tenant.id,
                                req.background_check_id,
                                lease_until(ctx, items.len()),
                            )
                            .await?
                    {
                        return create(ctx, tenant, req).await;
                    }
                }
            }
        }
        if Instant::now() > deadline {
            return Err(Error::Unavailable(
                "This order is still being placed; retry in a moment.".into(),
            ));
        }
        waited = true;
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
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

/// The claim holder's work.
async fn create(
    ctx: &ApiContext,
    tenant: &Tenant,
    req: &PlaceRequest<'_>,
) -> Result<OrderState, Error> {
    let bcid = req.background_check_id;
    match create_inner(ctx, tenant, req).await {
        Ok(state) => {
            ctx.db
                .finish_order(
                    &tenant.id,
                    bcid,
                    &serde_json::to_string(&state).expect("serialise"),
                )
                .await?;
            ctx.metrics
                .inc("screening_orders_created_total", &[("source", req.source)]);
            tracing::info!(tenant = %tenant.ats_account_id, background_check_id = bcid, "order placed");
            Ok(state)
        }
        Err(e) => {
            let (status, body) = e.status_and_body();
            let body = serde_json::to_string(&body).expect("serialise");
            if let Err(db) = ctx
                .db
                .fail_order(&tenant.id, bcid, status.as_u16(), &body)
                .await
            {
                tracing::error!(error = %db, "could not record the failed order");
            }
            tracing::warn!(tenant = %tenant.ats_account_id, background_check_id = bcid, status = status.as_u16(), "order failed");
            Err(e)
        }
    }
}

async fn create_inner(
    ctx: &ApiContext,
    tenant: &Tenant,
    req: &PlaceRequest<'_>,
) -> Result<OrderState, Error> {
    let bcid = req.background_check_id;
    let creds = &tenant.credentials;
    let row = ctx
        .db
        .order(&tenant.id, bcid)
        .await?
        .ok_or_else(|| anyhow::anyhow!("claimed order vanished"))?;
    // A resumed attempt (an earlier one created the candidate) may have lost the answer of
    // an invitation Yardstik did create: look for it before creating another.
    let resumed = row.candidate_id.is_some();
    let since = crate::db::ms_to_rfc3339(row.created_at - 60_000);
    let candidate_id = match row.candidate_id {
        Some(c) => c,
        None => {
            let (c, existed) = ctx
                .yardstik
                .create_candidate(creds, &candidate(req.applicant))
                .await?;
            tracing::info!(background_check_id = bcid, candidate_id = %c.id, existed, "yardstik candidate ready");
            ctx.db.set_candidate(&tenant.id, bcid, &c.id).await?;
            c.id
        }
    };
    for item in ctx.db.order_items(&tenant.id, bcid).await? {
        if item.invitation_id.is_some() {
            continue;
        }
        let adopted = if resumed {
            adopt(
                ctx,
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
                ctx.yardstik
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
        let upd = ItemUpdate {
            invitation_id: Some(inv.id.clone()),
            invitation_status: inv.status.clone(),
            report_id: inv.report.as_ref().map(|r| r.id.clone()),
            report_status: inv.report.as_ref().and_then(|r| r.status.clone()),
            apply_url: inv.apply_url(),
        };
        apply(
            ctx,
            tenant,
            bcid,
            &item.package_id,
            upd,
            "Candidate invited by Yardstik",
        )
        .await?;
    }
    load_state(ctx, &tenant.id, bcid)
        .await?
        .ok_or_else(|| anyhow::anyhow!("order vanished").into())
}

/// An open invitation of this candidate and package, created since the order was received
/// and not linked to any order yet.
async fn adopt(
    ctx: &ApiContext,
    tenant: &Tenant,
    candidate_id: &str,
    package: &str,
    since: &str,
) -> Result<Option<crate::yardstik::types::Invitation>, Error> {
    let found = ctx
        .yardstik
        .find_invitations(&tenant.credentials, candidate_id, package, since)
        .await?;
    for inv in found {
        if matches!(inv.status.as_deref(), Some("canceled" | "expired")) {
            continue;
        }
        if ctx
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
