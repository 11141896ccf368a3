//! How things move on their own: completing an intake (apply page or control endpoint) puts
//! the invitation in `completed` and the report in `processing`; after `report_delay` the report
//! gets its final status, decided by markers in the candidate's last name (see [`outcome`]).
//! Invitations past `expires_at` are swept to `expired` (their report too); the same sweep
//! moves due adverse actions to `final_adverse` (see [`crate::adverse::sweep`]).

use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::http::{ApiError, FieldErrors};
use crate::store::{new_id, now, Event, Store};
use crate::Shared;

/// The final report status for a candidate's last name (case-insensitive, punctuation and
/// spaces ignored), first match wins:
/// - contains `exception` → `exception`
/// - contains `inforequested` (e.g. `Info-Requested`, `info_requested`) → `info_requested`
/// - contains `pending` → `pending` (stays there: a screening awaiting a third party)
/// - contains `consider` → `consider`, with violations like the reference's example
/// - otherwise → `clear`
pub fn outcome(last_name: &str) -> &'static str {
    let n: String = last_name
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    if n.contains("exception") {
        "exception"
    } else if n.contains("inforequested") {
        "info_requested"
    } else if n.contains("pending") {
        "pending"
    } else if n.contains("consider") {
        "consider"
    } else {
        "clear"
    }
}

/// Finish a candidate's intake for `report_id` (scoped to `account_id`): optional candidate
/// field overrides, consent, invitation `completed`, report `processing`; then schedule the
/// final status. Returns the report id.
pub fn complete_intake(
    s: &Shared,
    account_id: &str,
    report_id: &str,
    overrides: &Map<String, Value>,
) -> Result<(), ApiError> {
    let mut events = vec![];
    {
        let mut st = s.store();
        let Some(report) = st.report(account_id, report_id).cloned() else {
            return Err(ApiError::not_found("report", report_id));
        };
        let inv = st.invitation_for_report(report_id).cloned();
        if let Some(inv) = &inv {
            if inv.expires_at <= now() {
                return Err(ApiError::unprocessable(
                    "Invitation not completed",
                    "The invitation has expired",
                ));
            }
            if !crate::http::invitations::OPEN_STATUSES.contains(&inv.status.as_str()) {
                return Err(ApiError::unprocessable(
                    "Invitation not completed",
                    format!("An invitation in status {} cannot be completed", inv.status),
                ));
            }
        }
        if report.status != "created" {
            return Err(ApiError::unprocessable(
                "Report not submitted",
                format!("A report in status {} cannot be submitted", report.status),
            ));
        }
        // candidate overrides
        let Some(mut cand) = st.candidate(account_id, &report.candidate_id).cloned() else {
            return Err(ApiError::not_found("candidate", &report.candidate_id));
        };
        let mut errors = FieldErrors::default();
        let changed = crate::http::candidates::apply_fields(&mut cand, overrides, &mut errors);
        errors.into_result("Invitation not completed")?;
        let t = now();
        if changed {
            cand.updated_at = t;
            events.push(Event::new(account_id, "candidate", "updated", &cand.id));
        }
        cand.consented_at = Some(t);
        events.push(Event::new(account_id, "candidate", "consented", &cand.id));
        let cid = cand.id.clone();
        if let Some(slot) = st.candidate_mut(account_id, &cid) {
            *slot = cand;
        }
        if let Some(inv) = &inv {
            if let Some(i) = st.invitation_mut(account_id, &inv.id) {
                i.status = "completed".into();
                i.updated_at = t;
            }
            events.push(Event::new(account_id, "invitation", "updated", &inv.id));
        }
        if let Some(r) = st.report_mut(account_id, report_id) {
            r.submitted_at = Some(t);
        }
        events.extend(st.set_report_status(account_id, report_id, "processing"));
    }
    s.sender.emit(events);
    schedule_final(s.clone(), account_id.to_string(), report_id.to_string());
    Ok(())
}

/// Move an open invitation to `viewed` / `clicked` (never backwards). Returns whether it moved.
pub fn touch_invitation(s: &Shared, report_id: &str, to: &str) -> bool {
    let rank = |st: &str| match st {
        "invite_sent" => 0,
        "viewed" => 1,
        "clicked" => 2,
        _ => 9,
    };
    let mut events = vec![];
    {
        let mut st = s.store();
        let Some(inv) = st.invitations.iter_mut().find(|i| i.report_id == report_id) else {
            return false;
        };
        if rank(&inv.status) < rank(to) {
            inv.status = to.to_string();
            inv.updated_at = now();
            events.push(Event::new(
                &inv.account_id.clone(),
                "invitation",
                "updated",
                &inv.id.clone(),
            ));
        }
    }
    let moved = !events.is_empty();
    s.sender.emit(events);
    moved
}

fn schedule_final(s: Shared, account_id: String, report_id: String) {
    let delay = s.report_delay;
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        finalize(&s, &account_id, &report_id);
    });
}

/// Give a `processing` report its final status and screening results.
pub fn finalize(s: &Shared, account_id: &str, report_id: &str) {
    let events = {
        let mut st = s.store();
        let Some(report) = st.report(account_id, report_id).cloned() else {
            return;
        };
        if report.status != "processing" {
            return;
        }
        let cand = st.candidate(account_id, &report.candidate_id).cloned();
        let last = cand
            .as_ref()
            .map(|c| c.last_name.clone())
            .unwrap_or_default();
        let name_on_record = cand
            .as_ref()
            .map(|c| {
                format!(
                    "{}, {}",
                    c.last_name.to_uppercase(),
                    c.first_name.to_uppercase()
                )
            })
            .unwrap_or_default();
        let status = outcome(&last);
        fill_screenings(&mut st, account_id, report_id, status, &name_on_record);
        st.set_report_status(account_id, report_id, status)
    };
    s.sender.emit(events);
}

/// Results per screening: `clear` screenings get one clear record; for `consider` the first
/// criminal screening gets the reference's example records with violations; `exception`,
/// `info_requested` and `pending` mark the first screening with that status.
pub fn fill_screenings(
    st: &mut Store,
    account_id: &str,
    report_id: &str,
    status: &str,
    name_on_record: &str,
) {
    let Some(r) = st.report_mut(account_id, report_id) else {
        return;
    };
    let special = r
        .screenings
        .iter()
        .position(|s| s.screening_type == "Criminal")
        .unwrap_or(0);
    for (n, s) in r.screenings.iter_mut().enumerate() {
        let (st_s, decision, records) = if n == special && status == "consider" {
            ("consider", "Consider", consider_records(name_on_record))
        } else if n == special && status != "clear" {
            (status, "", vec![])
        } else {
            ("clear", "Clear", vec![clear_record(&s.label)])
        };
        s.status = st_s.to_string();
        s.decision = decision.to_string();
        s.response_status = Some(if st_s == "pending" || st_s == "info_requested" {
            "pending".into()
        } else {
            "ready".into()
        });
        s.records = records;
    }
    if r.screenings.is_empty() && status == "consider" {
        // A package without screenings still shows its violations somewhere.
        r.screenings.push(crate::store::ReportScreening {
            id: new_id(),
            screening_type: "Criminal".into(),
            label: "StateCriminalCourt".into(),
            name: "StateCriminalCourt".into(),
            status: "consider".into(),
            decision: "Consider".into(),
            response_status: Some("ready".into()),
            created_at: now(),
            records: consider_records(name_on_record),
        });
    }
}

fn clear_record(label: &str) -> Value {
    json!({
        "category": { "key": "Search", "value": label },
        "messages": [],
        "violations": [],
        "personal_data": {},
        "other_information": { "jurisdiction": null, "pending_notes": null }
    })
}

/// The records of the reference's example `consider` report.
pub fn consider_records(name_on_record: &str) -> Vec<Value> {
    vec![
        json!({
            "category": { "key": "State", "value": "NEW YORK" },
            "messages": [],
            "violations": [
                {
                    "comments": null,
                    "sentence": "24 Months Or Pretrial Intervention Next Court Date 01/01/2021",
                    "file_date": "2021-03-20",
                    "case_number": "ABCDEFG",
                    "description": "Felony",
                    "disposition": "Court: Pre Trial Intervention",
                    "jurisdiction": "NEW YORK",
                    "offense_date": null,
                    "count_offense": "1. Possession Of Schedule 4 Substance",
                    "dob_on_record": "XXXX-04-01",
                    "ssn_on_record": null,
                    "name_on_record": name_on_record,
                    "disposition_date": "2021-03-20"
                },
                { "description": "This one Has Only the description" }
            ],
            "personal_data": {},
            "other_information": { "jurisdiction": "NEW YORK", "pending_notes": null }
        }),
        json!({
            "category": { "key": "State", "value": "MINNESOTA" },
            "messages": [],
            "violations": [
                {
                    "comments": null,
                    "sentence": "24 Months Or Pretrial Intervention Next Court Date 10/08/2015",
                    "file_date": "2014-08-20",
                    "case_number": "POIUYTREWQ",
                    "description": "Felony",
                    "disposition": "Court: Pre Trial Intervention",
                    "jurisdiction": "MINNESOTA",
                    "offense_date": null,
                    "count_offense": "1. Possession Of Schedule 4 Substance",
                    "dob_on_record": "XXXX-04-01",
                    "ssn_on_record": null,
                    "name_on_record": name_on_record,
                    "disposition_date": "2015-09-18"
                }
            ],
            "personal_data": {},
            "other_information": { "jurisdiction": "MINNESOTA", "pending_notes": null }
        }),
    ]
}

/// Expire one open invitation (and its report). Returns the events.
pub fn expire_invitation(
    st: &mut Store,
    account_id: &str,
    invitation_id: &str,
) -> Result<Vec<Event>, ApiError> {
    let Some(inv) = st.invitation_mut(account_id, invitation_id) else {
        return Err(ApiError::not_found("invitation", invitation_id));
    };
    if !crate::http::invitations::OPEN_STATUSES.contains(&inv.status.as_str()) {
        return Err(ApiError::unprocessable(
            "Invitation not expired",
            format!("An invitation in status {} cannot expire", inv.status),
        ));
    }
    let t = now();
    inv.status = "expired".into();
    inv.updated_at = t;
    if inv.expires_at > t {
        inv.expires_at = t;
    }
    let report_id = inv.report_id.clone();
    let mut ev = vec![Event::new(
        account_id,
        "invitation",
        "updated",
        invitation_id,
    )];
    ev.extend(st.set_report_status(account_id, &report_id, "expired"));
    Ok(ev)
}

pub fn spawn_expiry_sweeper(s: Shared, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every.max(Duration::from_millis(10)));
        loop {
            tick.tick().await;
            let events = {
                let mut st = s.store();
                let t = now();
                let due: Vec<(String, String)> = st
                    .invitations
                    .iter()
                    .filter(|i| {
                        i.expires_at <= t
                            && crate::http::invitations::OPEN_STATUSES.contains(&i.status.as_str())
                    })
                    .map(|i| (i.account_id.clone(), i.id.clone()))
                    .collect();
                let mut ev = vec![];
                for (a, i) in due {
                    if let Ok(e) = expire_invitation(&mut st, &a, &i) {
                        ev.extend(e);
                    }
                }
                ev.extend(crate::adverse::sweep(&mut st, t));
                ev
            };
            s.sender.emit(events);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::outcome;

    #[test]
    fn markers() {
        assert_eq!(outcome("Doe"), "clear");
        assert_eq!(outcome("McConsider"), "consider");
        assert_eq!(outcome("CONSIDER"), "consider");
        assert_eq!(outcome("Info-Requested"), "info_requested");
        assert_eq!(outcome("exception"), "exception");
        assert_eq!(outcome("Pending"), "pending");
    }
}
