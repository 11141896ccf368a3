//! Deciding on a `consider` report: proceed with the candidate, or take an adverse action.
//!
//! - Proceed (`PATCH /candidates/{id}/approve_by_report`): a `consider` report of that
//!   candidate becomes `proceed`.
//! - Adverse action (`POST /reports/{id}/adverse_actions`): only from `consider`. The reasons
//!   are violations chosen from the report (matched by `description`, plus any other field
//!   given) and/or a custom reason; at least one violation when the account's
//!   `adverse_action_settings.mandatory_selection_of_violations` is on; an explanation when the
//!   candidate's address is in Georgia or California. Under a permissible purpose whose
//!   `initial_status` is `final_adverse` (tenancy) the report goes straight to `final_adverse`;
//!   otherwise it goes to `pre_adverse` and the action is scheduled to become final after the
//!   account's notification days (at least 7).
//! - The sweep ([`sweep`]) moves due pending actions to `final_adverse`, unless the report is no
//!   longer in `pre_adverse` (for instance `dispute`): then the action waits.
//! - Cancel: a pending action is `canceled` and its report goes back to `consider`.
//!
//! Everything here works on the [`Store`] and returns the [`Event`]s to send; no I/O.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};

use crate::http::{opt_str, ApiError, FieldErrors};
use crate::store::{new_id, now, AdverseAction, Event, Store};

/// States whose candidates must be given an explanation (Georgia, California).
const EXPLANATION_STATES: &[&str] = &["GA", "GEORGIA", "CA", "CALIFORNIA"];

/// `PATCH /candidates/{id}/approve_by_report {"report_id"}`: the candidate's `consider` report
/// becomes `proceed`. Answers the candidate.
pub fn proceed(
    st: &mut Store,
    account_id: &str,
    candidate_id: &str,
    body: &Map<String, Value>,
) -> Result<(Value, Vec<Event>), ApiError> {
    let mut errors = FieldErrors::default();
    let report_id = opt_str(body, "report_id", &mut errors)
        .flatten()
        .unwrap_or_default();
    if report_id.is_empty() && errors.is_empty() {
        errors.add("report_id", "can't be blank");
    }
    errors.into_result("Candidate not proceeded")?;
    if st.candidate(account_id, candidate_id).is_none() {
        return Err(ApiError::not_found("candidate", candidate_id));
    }
    let Some(report) = st.report(account_id, &report_id) else {
        return Err(ApiError::not_found("report", &report_id));
    };
    let mut errors = FieldErrors::default();
    if report.candidate_id != candidate_id {
        errors.add("report_id", "is not a report of this candidate");
    } else if report.status != "consider" {
        errors.add(
            "report_id",
            &format!(
                "is in status {}; only a report in consider can be proceeded",
                report.status
            ),
        );
    }
    errors.into_result("Candidate not proceeded")?;
    let events = st.set_report_status(account_id, &report_id, "proceed");
    let v = st
        .candidate(account_id, candidate_id)
        .map(|c| st.render_candidate(c))
        .unwrap_or_default();
    Ok((v, events))
}

/// A violation the client asked for: `{"description": …, <other fields to match>…}` or a plain
/// description string.
fn requested_violations(
    body: &Map<String, Value>,
    errors: &mut FieldErrors,
) -> Vec<Map<String, Value>> {
    let mut out = vec![];
    match body.get("violations") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (n, item) in items.iter().enumerate() {
                let wanted = match item {
                    Value::String(s) => {
                        let mut m = Map::new();
                        m.insert("description".into(), Value::String(s.trim().into()));
                        m
                    }
                    Value::Object(m) => m.clone(),
                    _ => {
                        errors.add("violations", &format!("[{n}] must be an object"));
                        continue;
                    }
                };
                match wanted.get("description") {
                    Some(Value::String(d)) if !d.trim().is_empty() => out.push(wanted),
                    _ => errors.add(
                        "violations",
                        &format!("[{n}].description must be a non-empty string"),
                    ),
                }
            }
        }
        Some(_) => errors.add("violations", "must be an array"),
    }
    out
}

/// Whether the report's violation `v` is the one `wanted` describes: same description
/// (trimmed, case-insensitive) and every other field given is equal.
fn violation_matches(v: &Value, wanted: &Map<String, Value>) -> bool {
    let norm = |x: Option<&Value>| {
        x.and_then(Value::as_str)
            .map(|s| s.trim().to_lowercase())
            .unwrap_or_default()
    };
    if norm(v.get("description")) != norm(wanted.get("description")) {
        return false;
    }
    wanted
        .iter()
        .filter(|(k, _)| k.as_str() != "description")
        .all(|(k, want)| v.get(k) == Some(want))
}

fn non_empty(s: Option<Option<String>>) -> Option<String> {
    s.flatten().filter(|s| !s.is_empty())
}

/// `POST /reports/{id}/adverse_actions`. Answers the new adverse action.
pub fn create(
    st: &mut Store,
    account_id: &str,
    report_id: &str,
    body: &Map<String, Value>,
) -> Result<(Value, Vec<Event>), ApiError> {
    const TITLE: &str = "Adverse action not created";
    let mut errors = FieldErrors::default();
    let wanted = requested_violations(body, &mut errors);
    let custom_reason = non_empty(opt_str(body, "custom_reason", &mut errors));
    let explanation = non_empty(opt_str(body, "explanation", &mut errors));
    errors.into_result(TITLE)?;
    let Some(report) = st.report(account_id, report_id).cloned() else {
        return Err(ApiError::not_found("report", report_id));
    };
    if report.status != "consider" {
        return Err(ApiError::unprocessable(
            TITLE,
            format!(
                "Only reports set to consider can be placed in the pre_adverse status; \
                 the report is {}",
                report.status
            ),
        )
        .with_meta(serde_json::json!({
            "report_id": report_id,
            "errors": { "status": [format!("is {}", report.status)] },
        })));
    }
    let acct = st
        .account(account_id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("report", report_id))?;
    // Resolve the chosen violations against the report's.
    let on_report: Vec<&Value> = report
        .screenings
        .iter()
        .flat_map(|s| s.records.iter())
        .filter_map(|r| r.get("violations").and_then(Value::as_array))
        .flatten()
        .collect();
    let mut chosen: Vec<Value> = vec![];
    let mut errors = FieldErrors::default();
    for (n, w) in wanted.iter().enumerate() {
        match on_report.iter().find(|v| violation_matches(v, w)) {
            Some(v) => {
                if !chosen.contains(v) {
                    chosen.push((*v).clone());
                }
            }
            None => errors.add(
                "violations",
                &format!("[{n}] is not a violation of the report"),
            ),
        }
    }
    if errors.is_empty() {
        if chosen.is_empty() && custom_reason.is_none() {
            errors.add(
                "violations",
                "choose at least one violation of the report or give a custom_reason",
            );
        } else if chosen.is_empty()
            && acct
                .adverse_action_settings
                .mandatory_selection_of_violations
        {
            errors.add(
                "violations",
                "at least one violation must be chosen (adverse_action_settings.mandatory_selection_of_violations)",
            );
        }
    }
    let candidate = st.candidate(account_id, &report.candidate_id).cloned();
    let state = candidate
        .as_ref()
        .and_then(|c| c.addresses.first())
        .and_then(|a| a.state.clone())
        .map(|s| s.trim().to_uppercase())
        .unwrap_or_default();
    if EXPLANATION_STATES.contains(&state.as_str()) && explanation.is_none() {
        errors.add(
            "explanation",
            "is required for a candidate in Georgia or California",
        );
    }
    errors.into_result(TITLE)?;

    let t = now();
    // A report has at most one pending action (only possible otherwise through the control
    // status endpoint): older ones are canceled.
    for a in st.adverse_actions.iter_mut() {
        if a.report_id == report_id && a.status == "pending" {
            a.status = "canceled".into();
            a.canceled_at = Some(t);
            a.updated_at = t;
        }
    }
    let straight_to_final = acct.initial_adverse_status() == "final_adverse";
    let days = acct
        .adverse_actions
        .final_adverse_notification_days
        .max(crate::fixture::MIN_FINAL_ADVERSE_NOTIFICATION_DAYS);
    let action = AdverseAction {
        id: new_id(),
        account_id: account_id.into(),
        report_id: report_id.into(),
        candidate_id: report.candidate_id.clone(),
        status: if straight_to_final {
            "completed"
        } else {
            "pending"
        }
        .into(),
        violations: chosen,
        custom_reason,
        explanation,
        created_at: t,
        updated_at: t,
        scheduled_final_at: (!straight_to_final).then(|| t + Duration::days(days)),
        completed_at: straight_to_final.then_some(t),
        canceled_at: None,
    };
    let v = action.render();
    st.adverse_actions.push(action);
    let to = if straight_to_final {
        "final_adverse"
    } else {
        "pre_adverse"
    };
    let events = st.set_report_status(account_id, report_id, to);
    Ok((v, events))
}

/// The report's adverse actions, oldest first (404 for an unknown report).
pub fn list(st: &Store, account_id: &str, report_id: &str) -> Result<Vec<Value>, ApiError> {
    if st.report(account_id, report_id).is_none() {
        return Err(ApiError::not_found("report", report_id));
    }
    Ok(st
        .adverse_actions
        .iter()
        .filter(|a| a.account_id == account_id && a.report_id == report_id)
        .map(AdverseAction::render)
        .collect())
}

fn action_mut<'a>(
    st: &'a mut Store,
    account_id: &str,
    report_id: &str,
    id: &str,
) -> Result<&'a mut AdverseAction, ApiError> {
    if st.report(account_id, report_id).is_none() {
        return Err(ApiError::not_found("report", report_id));
    }
    st.adverse_actions
        .iter_mut()
        .find(|a| a.account_id == account_id && a.report_id == report_id && a.id == id)
        .ok_or_else(|| ApiError::not_found("adverse action", id))
}

/// One adverse action of the report.
pub fn get(st: &Store, account_id: &str, report_id: &str, id: &str) -> Result<Value, ApiError> {
    if st.report(account_id, report_id).is_none() {
        return Err(ApiError::not_found("report", report_id));
    }
    st.adverse_actions
        .iter()
        .find(|a| a.account_id == account_id && a.report_id == report_id && a.id == id)
        .map(AdverseAction::render)
        .ok_or_else(|| ApiError::not_found("adverse action", id))
}

/// `POST /reports/{id}/adverse_actions/{aa_id}/cancel`: a pending action becomes `canceled`;
/// a report still in `pre_adverse` goes back to `consider`.
pub fn cancel(
    st: &mut Store,
    account_id: &str,
    report_id: &str,
    id: &str,
) -> Result<(Value, Vec<Event>), ApiError> {
    let a = action_mut(st, account_id, report_id, id)?;
    if a.status != "pending" {
        return Err(ApiError::unprocessable(
            "Adverse action not canceled",
            format!(
                "An adverse action in status {} cannot be canceled",
                a.status
            ),
        )
        .with_meta(serde_json::json!({ "adverse_action_id": id })));
    }
    let t = now();
    a.status = "canceled".into();
    a.canceled_at = Some(t);
    a.updated_at = t;
    let v = a.render();
    let back = st
        .report(account_id, report_id)
        .is_some_and(|r| r.status == "pre_adverse");
    let events = if back {
        let ev = st.set_report_status(account_id, report_id, "consider");
        if let Some(r) = st.report_mut(account_id, report_id) {
            // No decision any more (as before the action).
            r.decision = String::new();
        }
        ev
    } else {
        vec![]
    };
    Ok((v, events))
}

/// `POST /sandbox/reports/{id}/advance {"days": n}` or `{"to_final": true}`: the report's
/// pending adverse action is scheduled `n` days earlier (or now), as if that time had passed.
pub fn advance(
    st: &mut Store,
    account_id: &str,
    report_id: &str,
    body: &Map<String, Value>,
) -> Result<Value, ApiError> {
    const TITLE: &str = "Report not advanced";
    let mut errors = FieldErrors::default();
    let to_final = match body.get("to_final") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            errors.add("to_final", "must be a boolean");
            false
        }
    };
    let days = match body.get("days") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64() {
            Some(d) if (1..=36500).contains(&d) => Some(d),
            _ => {
                errors.add("days", "must be a whole number of days from 1 to 36500");
                None
            }
        },
    };
    if errors.is_empty() && !to_final && days.is_none() {
        errors.add("days", "give days or to_final: true");
    }
    errors.into_result(TITLE)?;
    if st.report(account_id, report_id).is_none() {
        return Err(ApiError::not_found("report", report_id));
    }
    let Some(a) =
        st.adverse_actions.iter_mut().rev().find(|a| {
            a.account_id == account_id && a.report_id == report_id && a.status == "pending"
        })
    else {
        return Err(
            ApiError::unprocessable(TITLE, "The report has no pending adverse action")
                .with_meta(serde_json::json!({ "report_id": report_id })),
        );
    };
    let t = now();
    let at = a.scheduled_final_at.unwrap_or(t);
    a.scheduled_final_at = Some(if to_final {
        at.min(t)
    } else {
        at - Duration::days(days.unwrap_or(0))
    });
    a.updated_at = t;
    Ok(a.render())
}

/// Pending actions due at `t` whose report is still in `pre_adverse` become `completed` and
/// their report `final_adverse`. A report elsewhere (`dispute`, …) holds its action back; one
/// already moved to `final_adverse` by other means just completes the action.
pub fn sweep(st: &mut Store, t: DateTime<Utc>) -> Vec<Event> {
    let due: Vec<(String, String, String)> = st
        .adverse_actions
        .iter()
        .filter(|a| a.status == "pending" && a.scheduled_final_at.is_some_and(|s| s <= t))
        .map(|a| (a.account_id.clone(), a.report_id.clone(), a.id.clone()))
        .collect();
    let mut events = vec![];
    for (account_id, report_id, id) in due {
        let status = st
            .report(&account_id, &report_id)
            .map(|r| r.status.clone())
            .unwrap_or_default();
        if status != "pre_adverse" && status != "final_adverse" {
            continue;
        }
        if let Some(a) = st.adverse_actions.iter_mut().find(|a| a.id == id) {
            a.status = "completed".into();
            a.completed_at = Some(t);
            a.updated_at = t;
        }
        if status == "pre_adverse" {
            events.extend(st.set_report_status(&account_id, &report_id, "final_adverse"));
        }
    }
    events
}
