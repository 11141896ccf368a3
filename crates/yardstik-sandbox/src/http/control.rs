//! Sandbox control endpoints (not part of Yardstik): drive progression and faults from tests.
//! All but `/sandbox/faults` and `/sandbox/health` need the same `Account` auth as the API and
//! only reach the calling account's resources.

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{json, Value};

use super::{ok, opt_str, ApiError, ApiResult, Auth, FieldErrors, Ids, JsonBody};
use crate::store::REPORT_STATUSES;
use crate::Shared;

/// `POST /sandbox/accounts/{id}/adverse_action_settings {"mandatory_selection_of_violations": bool}`
/// — change the calling account's setting (as its owner would in Yardstik's dashboard);
/// shown on its reports from then on. Answers the settings.
pub async fn set_adverse_action_settings(
    State(s): State<Shared>,
    auth: Auth,
    ids: Ids,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let id = ids.first();
    if id != auth.account_id {
        return Err(ApiError::not_found("account", id));
    }
    let Some(mandatory) = body
        .get("mandatory_selection_of_violations")
        .and_then(Value::as_bool)
    else {
        return Err(ApiError::unprocessable(
            "Settings not updated",
            "mandatory_selection_of_violations must be true or false".to_string(),
        )
        .with_meta(
            json!({"errors": {"mandatory_selection_of_violations": ["must be true or false"]}}),
        ));
    };
    let mut st = s.store();
    let account = st
        .accounts
        .iter_mut()
        .find(|a| a.id == id)
        .ok_or_else(|| ApiError::not_found("account", id))?;
    account
        .adverse_action_settings
        .mandatory_selection_of_violations = mandatory;
    ok(json!({ "mandatory_selection_of_violations": mandatory }))
}

/// `POST /sandbox/invitations/{id}/complete` — as if the candidate submitted the apply form.
/// Optional body: candidate field overrides (`first_name`, `last_name`, `date_of_birth`, `ssn`,
/// `addresses`, …), as accepted by the candidate update route. Answers the invitation.
pub async fn complete_invitation(
    State(s): State<Shared>,
    auth: Auth,
    ids: Ids,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let id = ids.first();
    let report_id = {
        let st = s.store();
        st.invitation(&auth.account_id, id)
            .map(|i| i.report_id.clone())
            .ok_or_else(|| ApiError::not_found("invitation", id))?
    };
    crate::progression::complete_intake(&s, &auth.account_id, &report_id, &body)?;
    let st = s.store();
    ok(st
        .invitation(&auth.account_id, id)
        .map(|i| st.render_invitation(i))
        .unwrap_or_default())
}

/// `POST /sandbox/invitations/{id}/status {"status": "viewed"|"clicked"|"completed"|"expired"|"canceled"}`
/// — `viewed`/`clicked` move an open invitation forward (422 otherwise); the others do what
/// `…/complete`, `…/expire` and `POST /invitations/{id}/cancel` do.
pub async fn set_invitation_status(
    State(s): State<Shared>,
    auth: Auth,
    ids: Ids,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let id = ids.first().to_string();
    let mut errors = FieldErrors::default();
    let status = opt_str(&body, "status", &mut errors)
        .flatten()
        .unwrap_or_default();
    if !matches!(
        status.as_str(),
        "viewed" | "clicked" | "completed" | "expired" | "canceled"
    ) {
        errors.add(
            "status",
            "must be one of viewed, clicked, completed, expired, canceled",
        );
    }
    errors.into_result("Invitation not updated")?;
    let (report_id, current) = {
        let st = s.store();
        let i = st
            .invitation(&auth.account_id, &id)
            .ok_or_else(|| ApiError::not_found("invitation", &id))?;
        (i.report_id.clone(), i.status.clone())
    };
    match status.as_str() {
        "viewed" | "clicked" => {
            if !crate::http::invitations::OPEN_STATUSES.contains(&current.as_str()) {
                return Err(ApiError::unprocessable(
                    "Invitation not updated",
                    format!("The invitation is {current}"),
                ));
            }
            crate::progression::touch_invitation(&s, &report_id, &status);
        }
        "completed" => crate::progression::complete_intake(
            &s,
            &auth.account_id,
            &report_id,
            &serde_json::Map::new(),
        )?,
        "expired" => return expire_invitation(State(s), auth, ids).await,
        _ => return crate::http::invitations::cancel(State(s), auth, ids).await,
    }
    let st = s.store();
    ok(st
        .invitation(&auth.account_id, &id)
        .map(|i| st.render_invitation(i))
        .unwrap_or_default())
}

/// `POST /sandbox/reports/{id}/complete` — same for a report created by `POST /reports`
/// (or one behind an invitation). Answers the report.
pub async fn complete_report(
    State(s): State<Shared>,
    auth: Auth,
    ids: Ids,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let id = ids.first();
    crate::progression::complete_intake(&s, &auth.account_id, id, &body)?;
    let st = s.store();
    ok(st
        .report(&auth.account_id, id)
        .map(|r| st.render_report(r))
        .unwrap_or_default())
}

/// `POST /sandbox/invitations/{id}/expire` — an open invitation becomes `expired`, its report too.
pub async fn expire_invitation(State(s): State<Shared>, auth: Auth, ids: Ids) -> ApiResult {
    let id = ids.first();
    let (events, v) = {
        let mut st = s.store();
        let ev = crate::progression::expire_invitation(&mut st, &auth.account_id, id)?;
        let v = st
            .invitation(&auth.account_id, id)
            .map(|i| st.render_invitation(i))
            .unwrap_or_default();
        (ev, v)
    };
    s.sender.emit(events);
    ok(v)
}

/// `POST /sandbox/reports/{id}/status {"status": "<any report status>", "force": false}`.
/// Sets the status and fires `report.updated` (+ `report.completed` when a completed status is
/// first reached). `pre_adverse` needs the report in `consider` (as in Yardstik) unless
/// `force: true`; `final_adverse` needs `pre_adverse` or `consider` (tenant flows) unless forced.
/// Setting `clear`/`consider` on a report without results fills its screenings as the
/// progression would.
pub async fn set_report_status(
    State(s): State<Shared>,
    auth: Auth,
    ids: Ids,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let id = ids.first();
    let mut errors = FieldErrors::default();
    let status = opt_str(&body, "status", &mut errors)
        .flatten()
        .unwrap_or_default();
    let force = body.get("force").and_then(Value::as_bool).unwrap_or(false);
    if status.is_empty() {
        errors.add("status", "can't be blank");
    } else if !REPORT_STATUSES.contains(&status.as_str()) {
        errors.add(
            "status",
            &format!("is not one of {}", REPORT_STATUSES.join(", ")),
        );
    }
    errors.into_result("Report not updated")?;
    let (events, v) = {
        let mut st = s.store();
        let Some(r) = st.report(&auth.account_id, id).cloned() else {
            return Err(ApiError::not_found("report", id));
        };
        if !force {
            if status == "pre_adverse" && r.status != "consider" {
                return Err(ApiError::unprocessable(
                    "Report not updated",
                    "Only reports set to consider can be placed in the pre_adverse status",
                ));
            }
            if status == "final_adverse" && !matches!(r.status.as_str(), "pre_adverse" | "consider")
            {
                return Err(ApiError::unprocessable(
                    "Report not updated",
                    "Only reports in pre_adverse (or consider) can be placed in final_adverse",
                ));
            }
        }
        if matches!(
            status.as_str(),
            "clear" | "consider" | "exception" | "info_requested"
        ) && r.screenings.iter().all(|x| x.records.is_empty())
        {
            let name = st
                .candidate(&auth.account_id, &r.candidate_id)
                .map(|c| {
                    format!(
                        "{}, {}",
                        c.last_name.to_uppercase(),
                        c.first_name.to_uppercase()
                    )
                })
                .unwrap_or_default();
            crate::progression::fill_screenings(&mut st, &auth.account_id, id, &status, &name);
        }
        if r.submitted_at.is_none()
            && !matches!(status.as_str(), "created" | "canceled" | "expired")
        {
            if let Some(rm) = st.report_mut(&auth.account_id, id) {
                rm.submitted_at = Some(crate::store::now());
            }
        }
        let ev = st.set_report_status(&auth.account_id, id, &status);
        let v = st
            .report(&auth.account_id, id)
            .map(|r| st.render_report(r))
            .unwrap_or_default();
        (ev, v)
    };
    s.sender.emit(events);
    ok(v)
}

pub async fn get_faults(State(s): State<Shared>) -> ApiResult {
    let rules = crate::webhook_sender::lock(&s.faults).clone();
    ok(json!({ "rules": rules }))
}

/// Replace the fault rules (see `faults.rs` / README for the format). Answers the new rules.
pub async fn set_faults(State(s): State<Shared>, body: axum::body::Bytes) -> ApiResult {
    let v: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("Malformed JSON: {e}")))?;
    let rules = crate::faults::rules_from_value(v)
        .map_err(|e| ApiError::unprocessable("Faults not set", e))?;
    *crate::webhook_sender::lock(&s.faults) = rules.clone();
    ok(json!({ "rules": rules }))
}

pub async fn clear_faults(State(s): State<Shared>) -> ApiResult {
    crate::webhook_sender::lock(&s.faults).clear();
    Ok(axum::response::IntoResponse::into_response(
        StatusCode::NO_CONTENT,
    ))
}

/// `GET /sandbox/webhook_deliveries` — the calling account's delivery log (body, signature,
/// attempts, last status, state).
pub async fn deliveries(State(s): State<Shared>, auth: Auth) -> ApiResult {
    let st = s.store();
    let v: Vec<_> = st
        .deliveries
        .iter()
        .filter(|d| d.account_id == auth.account_id)
        .cloned()
        .collect();
    ok(json!({ "data": v }))
}

/// `GET /sandbox/webhook_queue` — how many webhook deliveries are still to be sent (queued,
/// in flight, or waiting for a retry), all accounts together. Read-only: a load test waits
/// for zero before timing anything.
pub async fn webhook_queue(State(s): State<Shared>) -> ApiResult {
    ok(json!({ "pending": s.sender.queued() }))
}

pub async fn health(State(s): State<Shared>) -> ApiResult {
    ok(json!({
        "status": "ok",
        "base_url": s.base_url,
        "app_origin": s.app_origin,
        "profile_origin": s.profile_origin,
        "reference_only": s.reference_only,
    }))
}

/// `POST /sandbox/invitations/{id}/apply_url {"url": "…"}` — the invitation's `meta.apply`
/// (and `meta.apply_url`) become `url`, whatever it is (a `javascript:` or foreign link, as
/// a compromised or spoofed upstream would send); `{"url": null}` restores the sandbox's own.
/// Sends `invitation.updated`. Answers the invitation.
pub async fn set_apply_url(
    State(s): State<Shared>,
    auth: Auth,
    ids: Ids,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let id = ids.first();
    let url = match body.get("url") {
        Some(Value::String(u)) => Some(u.clone()),
        Some(Value::Null) => None,
        _ => {
            return Err(ApiError::unprocessable(
                "Invitation not updated",
                "url must be a string or null".to_string(),
            )
            .with_meta(json!({"errors": {"url": ["must be a string or null"]}})))
        }
    };
    let mut st = s.store();
    let inv = st
        .invitations
        .iter_mut()
        .find(|i| i.id == id && i.account_id == auth.account_id)
        .ok_or_else(|| ApiError::not_found("invitation", id))?;
    inv.apply_override = url;
    inv.updated_at = chrono::Utc::now();
    let inv = inv.clone();
    let v = st.render_invitation(&inv);
    drop(st);
    s.sender.emit(vec![crate::store::Event::new(
        &auth.account_id,
        "invitation",
        "updated",
        &inv.id,
    )]);
    ok(v)
}
