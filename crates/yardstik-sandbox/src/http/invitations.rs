//! Invitations: create (with its report), get, list, cancel, refresh, delete.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};

use super::{json_response, ok, opt_str, ApiError, ApiResult, Auth, FieldErrors, Ids, JsonBody};
use crate::store::{confirmation_code, new_id, now, Event, Invitation};
use crate::Shared;

/// Invitation statuses from which the candidate can still complete the intake.
pub const OPEN_STATUSES: &[&str] = &["invite_sent", "viewed", "clicked"];

fn parse_time_field(
    body: &Map<String, Value>,
    field: &str,
    errors: &mut FieldErrors,
) -> Option<DateTime<Utc>> {
    let s = opt_str(body, field, errors).flatten()?;
    if let Ok(t) = DateTime::parse_from_rfc3339(&s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0).map(|d| d.and_utc());
    }
    errors.add(field, "is not a valid date-time");
    None
}

pub async fn create(State(s): State<Shared>, auth: Auth, JsonBody(body): JsonBody) -> ApiResult {
    auth.require("create:invitations")?;
    let mut errors = FieldErrors::default();
    let candidate_id = opt_str(&body, "candidate_id", &mut errors)
        .flatten()
        .unwrap_or_default();
    let package_id = opt_str(&body, "account_package_id", &mut errors)
        .flatten()
        .unwrap_or_default();
    let invitation_code = opt_str(&body, "invitation_code", &mut errors)
        .flatten()
        .filter(|s| !s.is_empty());
    let external_id = opt_str(&body, "external_id", &mut errors)
        .flatten()
        .filter(|s| !s.is_empty());
    let expires_at = parse_time_field(&body, "expires_at", &mut errors);
    if candidate_id.is_empty() {
        errors.add("candidate_id", "can't be blank");
    }
    if package_id.is_empty() {
        errors.add("account_package_id", "can't be blank");
    }
    if let Some(t) = expires_at {
        if t <= now() {
            errors.add("expires_at", "must be in the future");
        }
    }
    errors.into_result("Invitation not created")?;
    let mut st = s.store();
    if st.candidate(&auth.account_id, &candidate_id).is_none() {
        return Err(ApiError::not_found("candidate", &candidate_id));
    }
    if st.package(&auth.account_id, &package_id).is_none() {
        return Err(ApiError::not_found("account package", &package_id));
    }
    let days = st
        .account(&auth.account_id)
        .map(|a| a.invitation_expiration_days)
        .unwrap_or(7);
    let t = now();
    let inv_id = new_id();
    let report = st.new_report(
        &auth.account_id,
        &candidate_id,
        &package_id,
        Some(inv_id.clone()),
        external_id.clone(),
        None,
    );
    let inv = Invitation {
        id: inv_id.clone(),
        account_id: auth.account_id.clone(),
        candidate_id,
        account_package_id: package_id,
        report_id: report.id.clone(),
        status: "invite_sent".into(),
        invitation_code,
        external_id,
        expires_at: expires_at.unwrap_or(t + Duration::days(days.max(1))),
        canceled_at: None,
        confirmation_code: confirmation_code(),
        created_at: t,
        updated_at: t,
        apply_override: None,
    };
    st.invitations.push(inv.clone());
    let v = st.render_invitation(&inv);
    drop(st);
    s.sender.emit(vec![
        Event::new(&auth.account_id, "invitation", "created", &inv_id),
        Event::new(&auth.account_id, "report", "created", &report.id),
    ]);
    Ok(json_response(StatusCode::CREATED, v))
}

pub async fn get(State(s): State<Shared>, auth: Auth, ids: Ids) -> ApiResult {
    auth.require("view:invitations")?;
    let st = s.store();
    match st.invitation(&auth.account_id, ids.first()) {
        Some(i) => ok(st.render_invitation(i)),
        None => Err(ApiError::not_found("invitation", ids.first())),
    }
}

pub async fn list(State(s): State<Shared>, auth: Auth, RawQuery(q): RawQuery) -> ApiResult {
    auth.require("view:invitations")?;
    let st = s.store();
    let items: Vec<Value> = st
        .invitations
        .iter()
        .filter(|i| i.account_id == auth.account_id)
        .map(|i| st.render_invitation(i))
        .collect();
    ok(super::list_params(&s, q.as_deref()).apply(items))
}

/// Cancel: only while the invitation is open (invite_sent / viewed / clicked). Its report,
/// still `created`, becomes `canceled`.
pub async fn cancel(State(s): State<Shared>, auth: Auth, ids: Ids) -> ApiResult {
    auth.require("create:invitations")?;
    let id = ids.first().to_string();
    let mut st = s.store();
    let Some(inv) = st.invitation_mut(&auth.account_id, &id) else {
        return Err(ApiError::not_found("invitation", &id));
    };
    if !OPEN_STATUSES.contains(&inv.status.as_str()) {
        return Err(ApiError::unprocessable(
            "Invitation not canceled",
            format!("An invitation in status {} cannot be canceled", inv.status),
        ));
    }
    let t = now();
    inv.status = "canceled".into();
    inv.canceled_at = Some(t);
    inv.updated_at = t;
    let report_id = inv.report_id.clone();
    let mut events = vec![Event::new(&auth.account_id, "invitation", "updated", &id)];
    events.extend(st.set_report_status(&auth.account_id, &report_id, "canceled"));
    let v = st
        .invitation(&auth.account_id, &id)
        .map(|i| st.render_invitation(i))
        .unwrap_or_default();
    drop(st);
    s.sender.emit(events);
    ok(v)
}

/// Refresh: only from `expired` or `canceled`; `expires_at` (optional, default: the account's
/// expiration setting) must be at least 24 hours ahead. Status back to `invite_sent`, its
/// report back to `created`.
pub async fn refresh(
    State(s): State<Shared>,
    auth: Auth,
    ids: Ids,
    JsonBody(body): JsonBody,
) -> ApiResult {
    auth.require("create:invitations")?;
    let id = ids.first().to_string();
    let mut errors = FieldErrors::default();
    let expires_at = parse_time_field(&body, "expires_at", &mut errors);
    let mut st = s.store();
    let days = st
        .account(&auth.account_id)
        .map(|a| a.invitation_expiration_days)
        .unwrap_or(7);
    let Some(inv) = st.invitation(&auth.account_id, &id).cloned() else {
        return Err(ApiError::not_found("invitation", &id));
    };
    if !matches!(inv.status.as_str(), "expired" | "canceled") {
        return Err(ApiError::unprocessable(
            "Invitation not refreshed",
            format!(
                "Only expired or canceled invitations can be refreshed (status is {})",
                inv.status
            ),
        ));
    }
    let t = now();
    if let Some(e) = expires_at {
        if e < t + Duration::hours(24) {
            errors.add("expires_at", "must be at least 24 hours in the future");
        }
    }
    errors.into_result("Invitation not refreshed")?;
    if let Some(i) = st.invitation_mut(&auth.account_id, &id) {
        i.status = "invite_sent".into();
        i.canceled_at = None;
        i.expires_at = expires_at.unwrap_or(t + Duration::days(days.max(1)));
        i.updated_at = t;
    }
    let mut events = vec![Event::new(&auth.account_id, "invitation", "updated", &id)];
    events.extend(st.set_report_status(&auth.account_id, &inv.report_id, "created"));
    let v = st
        .invitation(&auth.account_id, &id)
        .map(|i| st.render_invitation(i))
        .unwrap_or_default();
    drop(st);
    s.sender.emit(events);
    ok(v)
}

/// Delete: permanently removes the invitation (204). A completed invitation cannot be deleted
/// (422). Its report, if never started, is canceled.
pub async fn delete(State(s): State<Shared>, auth: Auth, ids: Ids) -> ApiResult {
    auth.require("create:invitations")?;
    let id = ids.first().to_string();
    let mut st = s.store();
    let Some(inv) = st.invitation(&auth.account_id, &id).cloned() else {
        return Err(ApiError::not_found("invitation", &id));
    };
    if inv.status == "completed" {
        return Err(ApiError::unprocessable(
            "Invitation not deleted",
            "A completed invitation cannot be deleted",
        ));
    }
    st.invitations.retain(|i| i.id != id);
    let mut events = vec![Event::new(&auth.account_id, "invitation", "deleted", &id)];
    if st
        .report(&auth.account_id, &inv.report_id)
        .map(|r| r.status == "created")
        .unwrap_or(false)
    {
        events.extend(st.set_report_status(&auth.account_id, &inv.report_id, "canceled"));
    }
    drop(st);
    s.sender.emit(events);
    Ok(StatusCode::NO_CONTENT.into_response())
}
