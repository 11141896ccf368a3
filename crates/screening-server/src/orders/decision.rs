//! The hiring manager's decision on a `consider` report: proceed, or start an adverse action
//! (pre-adverse notice now, final notice after the account's waiting period, unless
//! canceled), and cancel it while it is pending.
//!
//! Yardstik's rules are checked here first, so the reviewer gets a 422 naming the field
//! rather than Yardstik's refusal: only a `consider` report can be decided; an adverse
//! action needs a violation or a custom reason, at least one violation when the account
//! requires it, and an explanation for a candidate in Georgia or California. Every decision
//! is written to the order's history with the reviewer who made it, then the report is read
//! back and applied, so the ATS hears the result (proceed → `Pass`; final adverse → `Fail`).

use screening_wire::{
    AdverseAction, Decision, FieldError, ReviewScreening, StartAdverseAction, Violation,
};
use serde_json::{json, Value};

use super::reconcile::reconcile_order;
use super::{OrderError, Orders};
use crate::db::orders::{ItemRow, OrderKey};
use crate::tenant::Tenant;
use crate::yardstik::adverse::{AdverseActionRes, NewAdverseAction, ReportDetail};
use crate::yardstik::status::ReportStatus;

/// States whose law asks the employer to explain an adverse decision to the candidate.
const EXPLANATION_STATES: [(&str, &str); 2] = [("CA", "California"), ("GA", "Georgia")];

/// Who decides: the reviewer id the host's backend put in the session, if any.
#[derive(Debug, Clone, Copy)]
pub struct Reviewer<'a>(pub Option<&'a str>);

impl Reviewer<'_> {
    fn text(&self) -> String {
        match self.0 {
            Some(id) => format!("reviewer {id}"),
            None => "a reviewer (no id given by the host)".into(),
        }
    }
}

/// The item whose report is being decided: the first one in `consider` or in an adverse
/// action, else the package's.
fn decided_item(items: &[ItemRow]) -> Option<&ItemRow> {
    let deciding = |i: &&ItemRow| {
        matches!(
            i.report_status,
            Some(ReportStatus::Consider | ReportStatus::PreAdverse)
        )
    };
    items
        .iter()
        .filter(|i| i.report_id.is_some())
        .find(deciding)
        .or_else(|| items.iter().find(|i| i.report_id.is_some() && !i.add_on))
        .or_else(|| items.iter().find(|i| i.report_id.is_some()))
}

struct Context {
    report: ReportDetail,
    current: Option<AdverseActionRes>,
}

async fn load(orders: &Orders, tenant: &Tenant, bcid: &str) -> Result<Context, OrderError> {
    let items = orders.db.order_items(&tenant.id, bcid).await?;
    if items.is_empty() {
        return Err(OrderError::NotFound(bcid.to_string()));
    }
    let item = decided_item(&items).ok_or_else(|| OrderError::NotDecidable {
        id: bcid.to_string(),
        why: "it has no Yardstik report yet".into(),
    })?;
    let report_id = item.report_id.clone().expect("filtered");
    let creds = &tenant.credentials;
    let report = orders.yardstik.report_detail(creds, &report_id).await?;
    let actions = orders.yardstik.adverse_actions(creds, &report_id).await?;
    let current = actions
        .into_iter()
        .filter(|a| a.status.as_deref() != Some("canceled"))
        .max_by(|a, b| a.created_at.cmp(&b.created_at));
    Ok(Context { report, current })
}

fn violation_id(s: usize, r: usize, v: usize) -> String {
    format!("s{s}-r{r}-v{v}")
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(|x| x.as_str())
        .map(str::to_string)
        .filter(|s| !s.is_empty())
}

fn screenings(report: &ReportDetail) -> Vec<ReviewScreening> {
    report
        .report_screenings
        .iter()
        .enumerate()
        .map(|(s, scr)| ReviewScreening {
            name: scr
                .label
                .clone()
                .or_else(|| scr.name.clone())
                .unwrap_or_else(|| "Screening".into()),
            status: scr.status.clone(),
            violations: scr
                .records
                .iter()
                .enumerate()
                .flat_map(|(r, rec)| {
                    rec.violations
                        .iter()
                        .enumerate()
                        .map(move |(v, vi)| Violation {
                            id: violation_id(s, r, v),
                            description: text(vi, "description")
                                .unwrap_or_else(|| "Violation".into()),
                            disposition: text(vi, "disposition"),
                            date: text(vi, "disposition_date").or_else(|| text(vi, "file_date")),
                            jurisdiction: text(vi, "jurisdiction"),
                        })
                })
                .collect(),
        })
        .collect()
}

fn candidate_state(report: &ReportDetail) -> Option<String> {
    report
        .candidate
        .as_ref()
        .and_then(|c| c.full_address.as_ref())
        .and_then(|a| a.state.clone())
        .map(|s| s.trim().to_ascii_uppercase())
        .filter(|s| !s.is_empty())
}

fn explanation_required(state: Option<&str>) -> Option<String> {
    let (_, name) = EXPLANATION_STATES
        .iter()
        .find(|(code, _)| Some(*code) == state)?;
    Some(format!(
        "The candidate is in {name}, where the employer must explain an adverse decision to the candidate."
    ))
}

fn view(bcid: &str, ctx: &Context) -> Decision {
    let r = &ctx.report;
    let status = r.status.clone().unwrap_or_default();
    let state = candidate_state(r);
    let current = ctx.current.as_ref().map(|a| AdverseAction {
        id: a.id.clone(),
        status: a.status.clone().unwrap_or_else(|| "pending".into()),
        violations: a
            .violations
            .iter()
            .filter_map(|v| text(v, "description").or_else(|| v.as_str().map(str::to_string)))
            .collect(),
        custom_reason: a.custom_reason.clone(),
        explanation: a.explanation.clone(),
        created_at: a.created_at.clone().unwrap_or_default(),
        scheduled_final_at: a.scheduled_final_at.clone(),
    });
    let consider = status == ReportStatus::Consider.as_str();
    Decision {
        background_check_id: bcid.to_string(),
        report_id: r.id.clone(),
        can_proceed: consider,
        can_start_adverse_action: consider,
        can_cancel_adverse_action: status == ReportStatus::PreAdverse.as_str()
            && current.as_ref().is_some_and(|a| a.status == "pending"),
        report_status: status,
        violations_required: r
            .adverse_action_settings
            .as_ref()
            .is_some_and(|s| s.mandatory_selection_of_violations),
        explanation_required: explanation_required(state.as_deref()),
        candidate_state: state,
        screenings: screenings(r),
        adverse_action: current,
    }
}

/// The decision as it stands.
pub async fn decision(
    orders: &Orders,
    tenant: &Tenant,
    bcid: &str,
) -> Result<Decision, OrderError> {
    Ok(view(bcid, &load(orders, tenant, bcid).await?))
}

fn not_consider(bcid: &str, status: Option<&str>) -> OrderError {
    OrderError::NotDecidable {
        id: bcid.to_string(),
        why: format!(
            "its report is {}, and only a report in consider can be decided",
            status.unwrap_or("unknown")
        ),
    }
}

/// Record the decision, then read the report back and apply it (the ATS hears the result).
async fn after(
    orders: &Orders,
    tenant: &Tenant,
    bcid: &str,
    history: &str,
) -> Result<Decision, OrderError> {
    orders.db.note_in_history(&tenant.id, bcid, history).await?;
    let key = OrderKey {
        tenant_id: tenant.id.clone(),
        background_check_id: bcid.to_string(),
    };
    reconcile_order(orders, &key).await?;
    decision(orders, tenant, bcid).await
}

pub async fn proceed(
    orders: &Orders,
    tenant: &Tenant,
    bcid: &str,
    reviewer: Reviewer<'_>,
) -> Result<Decision, OrderError> {
    let ctx = load(orders, tenant, bcid).await?;
    if ctx.report.status.as_deref() != Some(ReportStatus::Consider.as_str()) {
        return Err(not_consider(bcid, ctx.report.status.as_deref()));
    }
    let candidate = ctx
        .report
        .candidate_id
        .clone()
        .ok_or_else(|| anyhow::anyhow!("the report names no candidate"))?;
    orders
        .yardstik
        .approve_by_report(&tenant.credentials, &candidate, &ctx.report.id)
        .await?;
    tracing::info!(background_check_id = bcid, "decision: proceed");
    after(
        orders,
        tenant,
        bcid,
        &format!(
            "Decision: proceed with the candidate, by {}",
            reviewer.text()
        ),
    )
    .await
}

/// The rules, checked before Yardstik is asked. Returns the violations to send.
fn check_start(ctx: &Context, req: &StartAdverseAction) -> Result<Vec<Value>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let field = |f: &str, m: String| FieldError {
        field: f.into(),
        message: m,
    };
    let mut chosen = Vec::new();
    for (i, id) in req.violations.iter().enumerate() {
        let found = ctx
            .report
            .report_screenings
            .iter()
            .enumerate()
            .flat_map(|(s, scr)| {
                scr.records.iter().enumerate().flat_map(move |(r, rec)| {
                    rec.violations
                        .iter()
                        .enumerate()
                        .map(move |(v, vi)| (violation_id(s, r, v), vi))
                })
            })
            .find(|(vid, _)| vid == id);
        match found {
            Some((_, v)) => {
                let mut sent = json!({"description": text(v, "description").unwrap_or_default()});
                if let Some(c) = text(v, "case_number") {
                    sent["case_number"] = json!(c);
                }
                chosen.push(sent);
            }
            None => errors.push(field(
                &format!("violations[{i}]"),
                format!("{id} is not a violation on this report."),
            )),
        }
    }
    let reason = req.custom_reason.as_deref().map(str::trim).unwrap_or("");
    let explanation = req.explanation.as_deref().map(str::trim).unwrap_or("");
    let mandatory = ctx
        .report
        .adverse_action_settings
        .as_ref()
        .is_some_and(|s| s.mandatory_selection_of_violations);
    if mandatory && req.violations.is_empty() {
        errors.push(field(
            "violations",
            "Choose at least one violation: this account requires it for an adverse action.".into(),
        ));
    } else if req.violations.is_empty() && reason.is_empty() {
        errors.push(field(
            "violations",
            "Choose the violations this decision rests on, or give a custom reason.".into(),
        ));
    }
    if reason.chars().count() > 2000 || explanation.chars().count() > 5000 {
        errors.push(field(
            "custom_reason",
            "The reason is at most 2000 and the explanation at most 5000 characters.".into(),
        ));
    }
    if let Some(why) = explanation_required(candidate_state(&ctx.report).as_deref()) {
        if explanation.is_empty() {
            errors.push(field(
                "explanation",
                format!("An explanation is required. {why}"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(chosen)
    } else {
        Err(errors)
    }
}

pub async fn start_adverse_action(
    orders: &Orders,
    tenant: &Tenant,
    bcid: &str,
    reviewer: Reviewer<'_>,
    req: &StartAdverseAction,
) -> Result<Decision, OrderError> {
    let ctx = load(orders, tenant, bcid).await?;
    if ctx.report.status.as_deref() != Some(ReportStatus::Consider.as_str()) {
        return Err(not_consider(bcid, ctx.report.status.as_deref()));
    }
    let violations = check_start(&ctx, req).map_err(OrderError::Invalid)?;
    let n = violations.len();
    let created = orders
        .yardstik
        .create_adverse_action(
            &tenant.credentials,
            &ctx.report.id,
            &NewAdverseAction {
                violations,
                custom_reason: req
                    .custom_reason
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
                explanation: req
                    .explanation
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            },
        )
        .await?;
    tracing::info!(
        background_check_id = bcid,
        violations = n,
        "decision: adverse action"
    );
    let when = created
        .scheduled_final_at
        .as_deref()
        .map(|t| format!("; the final notice is scheduled for {t}"))
        .unwrap_or_default();
    after(
        orders,
        tenant,
        bcid,
        &format!(
            "Decision: adverse action started by {} ({n} violation(s){}); pre-adverse notice sent{when}",
            reviewer.text(),
            if req.custom_reason.as_deref().is_some_and(|r| !r.trim().is_empty()) {
                ", custom reason"
            } else {
                ""
            },
        ),
    )
    .await
}

pub async fn cancel_adverse_action(
    orders: &Orders,
    tenant: &Tenant,
    bcid: &str,
    reviewer: Reviewer<'_>,
) -> Result<Decision, OrderError> {
    let ctx = load(orders, tenant, bcid).await?;
    let pending = ctx
        .current
        .as_ref()
        .filter(|a| a.status.as_deref() == Some("pending"))
        .ok_or_else(|| OrderError::NotDecidable {
            id: bcid.to_string(),
            why: "it has no pending adverse action to cancel".into(),
        })?;
    orders
        .yardstik
        .cancel_adverse_action(&tenant.credentials, &ctx.report.id, &pending.id)
        .await?;
    tracing::info!(
        background_check_id = bcid,
        "decision: adverse action canceled"
    );
    after(
        orders,
        tenant,
        bcid,
        &format!("Decision: adverse action canceled by {}", reviewer.text()),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explanations_for_georgia_and_california() {
        assert!(explanation_required(Some("CA"))
            .unwrap()
            .contains("California"));
        assert!(explanation_required(Some("GA"))
            .unwrap()
            .contains("Georgia"));
        assert_eq!(explanation_required(Some("IL")), None);
        assert_eq!(explanation_required(None), None);
    }
}
