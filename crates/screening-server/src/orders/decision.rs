//! The hiring manager's decision on a `consider` order: proceed, or start an adverse action
//! (pre-adverse notice now, final notice after the account's waiting period, unless
//! canceled), and cancel it while it is pending. A decision is about the candidate, so it
//! applies to every report of the order in `consider` (the package's and each add-on's):
//! proceeding approves each; an adverse action is started on each, with the violations
//! chosen from it (each needs one of its own, or the custom reason).
//!
//! Yardstik's rules are checked here first, so the reviewer gets a 422 naming the field
//! rather than Yardstik's refusal: only a `consider` report can be decided; an adverse
//! action needs a violation or a custom reason, at least one violation when the account
//! requires it, and an explanation for a candidate in Georgia or California. Every decision
//! is written to the order's history with the reviewer who made it, then the report is read
//! back and applied, so the ATS hears the result (proceed → `Pass`; final adverse → `Fail`).
//!
//! Yardstik's reference shows proceeding, creating an adverse action and the report's own
//! `adverse_action_id`; listing and canceling actions are not in it. Where listing is not
//! served (404/405), no action is known from Yardstik: what is shown comes from the report
//! alone (its status and `adverse_action_id`: pending while `pre_adverse`, completed once
//! `final_adverse`), and canceling is not offered, since only an action Yardstik listed is
//! known well enough to cancel. A Yardstik that lists actions but does not serve the cancel
//! route gets a clear refusal.

use screening_wire::{
    AdverseAction, Decision, FieldError, ReviewScreening, StartAdverseAction, Violation,
};

use super::reconcile::reconcile_order;
use super::{OrderError, Orders};
use screening_model::tenant::Tenant;
use screening_model::yardstik_status::ReportStatus;
use screening_model::OrderKey;
use screening_model::YardstikError;
use screening_store::orders::{self as stored, ItemRow};
use yardstik_client::adverse::{AdverseActionRes, NewAdverseAction};
use yardstik_client::types::{nonempty, Report, ReportViolation};

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

/// One report of the order (the package's or an add-on's) and its current adverse action.
struct Part {
    /// The item's position in the order (names its violations).
    position: usize,
    report: Report,
    current: Option<AdverseActionRes>,
    /// `current` came from Yardstik's list of the report's actions (not from the report
    /// alone): only then can it be canceled.
    listed: bool,
}

impl Part {
    fn status(&self) -> Option<ReportStatus> {
        self.report.status.as_deref().map(ReportStatus::parse)
    }
    fn in_consider(&self) -> bool {
        self.status() == Some(ReportStatus::Consider)
    }
    fn pending(&self) -> Option<&AdverseActionRes> {
        self.current
            .as_ref()
            .filter(|a| a.status.as_deref() == Some("pending"))
    }
    /// The pending action, if it is known well enough to cancel.
    fn cancelable(&self) -> Option<&AdverseActionRes> {
        self.pending().filter(|_| self.listed)
    }
}

/// Every report of the order, package first: a decision covers the candidate's whole
/// order, so it applies to each report it concerns.
struct Context {
    parts: Vec<Part>,
}

impl Context {
    /// The report the decision is mostly about: the first one in consider or under an
    /// adverse action, else the package's.
    fn main(&self) -> &Part {
        self.parts
            .iter()
            .find(|p| {
                matches!(
                    p.status(),
                    Some(ReportStatus::Consider | ReportStatus::PreAdverse)
                )
            })
            .unwrap_or(&self.parts[0])
    }
}

async fn load(orders: &Orders, tenant: &Tenant, bcid: &str) -> Result<Context, OrderError> {
    let items: Vec<ItemRow> =
        stored::items(&orders.db.pool, &OrderKey::new(&tenant.id, bcid)).await?;
    if items.is_empty() {
        return Err(OrderError::NotFound(bcid.to_string()));
    }
    let creds = &tenant.credentials;
    let mut parts = Vec::new();
    for (position, item) in items.iter().enumerate() {
        let Some(report_id) = &item.report_id else {
            continue;
        };
        let report = orders.yardstik.report(creds, report_id).await?;
        let (current, listed) = match orders.yardstik.adverse_actions(creds, report_id).await {
            Ok(actions) => (
                actions
                    .into_iter()
                    .filter(|a| a.status.as_deref() != Some("canceled"))
                    .max_by(|a, b| a.created_at.cmp(&b.created_at)),
                true,
            ),
            Err(e) if not_served(&e) => (from_report(&report), false),
            Err(e) => return Err(e.into()),
        };
        parts.push(Part {
            position,
            report,
            current,
            listed,
        });
    }
    if parts.is_empty() {
        return Err(OrderError::NotDecidable {
            id: bcid.to_string(),
            why: "it has no Yardstik report yet".into(),
        });
    }
    Ok(Context { parts })
}

/// Yardstik does not serve the route (it is not in the reference).
fn not_served(e: &YardstikError) -> bool {
    matches!(
        e,
        YardstikError::Rejected {
            status: 404 | 405,
            ..
        }
    )
}

/// The report's current adverse action as the report alone tells it: its
/// `adverse_action_id`, pending while `pre_adverse`, completed once `final_adverse`; none in
/// any other status (a canceled action leaves the report in consider).
fn from_report(report: &Report) -> Option<AdverseActionRes> {
    let status = match report.status.as_deref().map(ReportStatus::parse) {
        Some(ReportStatus::PreAdverse) => "pending",
        Some(ReportStatus::FinalAdverse) => "completed",
        _ => return None,
    };
    Some(AdverseActionRes {
        id: nonempty(&report.adverse_action_id)?,
        status: Some(status.into()),
        violations: Vec::new(),
        custom_reason: None,
        explanation: None,
        created_at: None,
        scheduled_final_at: None,
    })
}

fn violation_id(p: usize, s: usize, r: usize, v: usize) -> String {
    format!("p{p}-s{s}-r{r}-v{v}")
}

/// Every violation of a report with its id.
fn violations_of(part: &Part) -> Vec<(usize, String, &ReportViolation)> {
    let mut out = Vec::new();
    for (s, scr) in part.report.report_screenings.iter().enumerate() {
        for (r, rec) in scr.records.iter().enumerate() {
            for (v, vi) in rec.violations.iter().enumerate() {
                out.push((s, violation_id(part.position, s, r, v), vi));
            }
        }
    }
    out
}

fn screenings(ctx: &Context) -> Vec<ReviewScreening> {
    ctx.parts
        .iter()
        .filter(|p| {
            matches!(
                p.status(),
                Some(
                    ReportStatus::Consider | ReportStatus::PreAdverse | ReportStatus::FinalAdverse
                )
            )
        })
        .flat_map(|part| {
            let all = violations_of(part);
            part.report
                .report_screenings
                .iter()
                .enumerate()
                .map(move |(s, scr)| ReviewScreening {
                    name: scr.display(),
                    status: scr.status.clone(),
                    violations: all
                        .iter()
                        .filter(|(si, _, _)| *si == s)
                        .map(|(_, id, vi)| Violation {
                            id: id.clone(),
                            description: vi.description(),
                            disposition: nonempty(&vi.disposition),
                            date: vi.date(),
                            jurisdiction: nonempty(&vi.jurisdiction),
                        })
                        .collect(),
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn explanation_required(state: Option<&str>) -> Option<String> {
    let (_, name) = EXPLANATION_STATES
        .iter()
        .find(|(code, _)| Some(*code) == state)?;
    Some(format!(
        "The candidate is in {name}, where the employer must explain an adverse decision to the candidate."
    ))
}

fn mandatory(ctx: &Context) -> bool {
    ctx.parts.iter().any(|p| p.report.violations_mandatory())
}

fn view(bcid: &str, ctx: &Context) -> Decision {
    let main = ctx.main();
    let state = main.report.candidate_state();
    let current = main.current.as_ref().map(|a| AdverseAction {
        id: a.id.clone(),
        status: a.status.clone().unwrap_or_else(|| "pending".into()),
        violations: ctx
            .parts
            .iter()
            .filter_map(|p| p.current.as_ref())
            .filter(|x| x.status == a.status)
            .flat_map(|x| x.violations.iter())
            .map(ReportViolation::description)
            .collect(),
        custom_reason: a.custom_reason.clone(),
        explanation: a.explanation.clone(),
        created_at: a.created_at.clone().unwrap_or_default(),
        scheduled_final_at: a.scheduled_final_at.clone(),
    });
    let any_consider = ctx.parts.iter().any(Part::in_consider);
    Decision {
        background_check_id: bcid.to_string(),
        report_id: main.report.id.clone(),
        report_status: main.report.status.clone().unwrap_or_default(),
        can_proceed: any_consider,
        can_start_adverse_action: any_consider,
        can_cancel_adverse_action: ctx
            .parts
            .iter()
            .any(|p| p.status() == Some(ReportStatus::PreAdverse) && p.cancelable().is_some()),
        violations_required: mandatory(ctx),
        explanation_required: explanation_required(state.as_deref()),
        candidate_state: state,
        screenings: screenings(ctx),
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

fn not_consider(bcid: &str, ctx: &Context) -> OrderError {
    OrderError::NotDecidable {
        id: bcid.to_string(),
        why: format!(
            "its report is {}, and only a report in consider can be decided",
            ctx.main().report.status.as_deref().unwrap_or("unknown")
        ),
    }
}

/// Record the decision, then read the reports back and apply them (the ATS hears the result).
async fn after(
    orders: &Orders,
    tenant: &Tenant,
    bcid: &str,
    history: &str,
) -> Result<Decision, OrderError> {
    let key = OrderKey::new(&tenant.id, bcid);
    orders.db.note_in_history(&key, history).await?;
    reconcile_order(orders, &key).await?;
    decision(orders, tenant, bcid).await
}

/// Proceed: every report of the order in consider is approved.
pub async fn proceed(
    orders: &Orders,
    tenant: &Tenant,
    bcid: &str,
    reviewer: Reviewer<'_>,
) -> Result<Decision, OrderError> {
    let ctx = load(orders, tenant, bcid).await?;
    let deciding: Vec<&Part> = ctx.parts.iter().filter(|p| p.in_consider()).collect();
    if deciding.is_empty() {
        return Err(not_consider(bcid, &ctx));
    }
    for part in &deciding {
        let candidate = part
            .report
            .candidate_id
            .clone()
            .ok_or_else(|| anyhow::anyhow!("the report names no candidate"))?;
        orders
            .yardstik
            .approve_by_report(&tenant.credentials, &candidate, &part.report.id)
            .await?;
    }
    tracing::info!(
        background_check_id = bcid,
        reports = deciding.len(),
        "decision: proceed"
    );
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

/// The rules, checked before Yardstik is asked: per report in consider, the violations to
/// send (each report needs one of its own violations or the custom reason).
fn check_start(
    ctx: &Context,
    req: &StartAdverseAction,
) -> Result<Vec<(usize, Vec<ReportViolation>)>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let field = |f: &str, m: String| FieldError {
        field: f.into(),
        message: m,
    };
    let deciding: Vec<&Part> = ctx.parts.iter().filter(|p| p.in_consider()).collect();
    let mut chosen: Vec<(usize, Vec<ReportViolation>)> =
        deciding.iter().map(|p| (p.position, Vec::new())).collect();
    for (i, id) in req.violations.iter().enumerate() {
        let found = deciding.iter().find_map(|p| {
            violations_of(p)
                .into_iter()
                .find(|(_, vid, _)| vid == id)
                .map(|(_, _, v)| (p.position, v.clone()))
        });
        match found {
            Some((position, v)) => {
                if let Some(slot) = chosen.iter_mut().find(|(p, _)| *p == position) {
                    slot.1.push(v);
                }
            }
            None => errors.push(field(
                &format!("violations[{i}]"),
                format!("{id} is not a violation on this order's reports."),
            )),
        }
    }
    let reason = req.custom_reason.as_deref().map(str::trim).unwrap_or("");
    let explanation = req.explanation.as_deref().map(str::trim).unwrap_or("");
    if mandatory(ctx) && req.violations.is_empty() {
        errors.push(field(
            "violations",
            "Choose at least one violation: this account requires it for an adverse action.".into(),
        ));
    } else if req.violations.is_empty() && reason.is_empty() {
        errors.push(field(
            "violations",
            "Choose the violations this decision rests on, or give a custom reason.".into(),
        ));
    } else if errors.is_empty() && reason.is_empty() {
        if let Some(p) = deciding.iter().find(|p| {
            chosen
                .iter()
                .any(|(pos, v)| *pos == p.position && v.is_empty())
        }) {
            let name = p
                .report
                .report_screenings
                .first()
                .map(|s| s.display())
                .unwrap_or_else(|| "another package".into());
            errors.push(field(
                "violations",
                format!("The decision covers every report in consider: choose a violation from {name} too, or give a custom reason."),
            ));
        }
    }
    if reason.chars().count() > 2000 || explanation.chars().count() > 5000 {
        errors.push(field(
            "custom_reason",
            "The reason is at most 2000 and the explanation at most 5000 characters.".into(),
        ));
    }
    if let Some(why) = explanation_required(ctx.main().report.candidate_state().as_deref()) {
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

/// An adverse action on every report of the order in consider.
pub async fn start_adverse_action(
    orders: &Orders,
    tenant: &Tenant,
    bcid: &str,
    reviewer: Reviewer<'_>,
    req: &StartAdverseAction,
) -> Result<Decision, OrderError> {
    let ctx = load(orders, tenant, bcid).await?;
    if !ctx.parts.iter().any(Part::in_consider) {
        return Err(not_consider(bcid, &ctx));
    }
    let plan = check_start(&ctx, req).map_err(OrderError::Invalid)?;
    let trimmed = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let n: usize = plan.iter().map(|(_, v)| v.len()).sum();
    let mut when = None;
    for (position, violations) in plan {
        let part = ctx
            .parts
            .iter()
            .find(|p| p.position == position)
            .expect("planned from the parts");
        let created = orders
            .yardstik
            .create_adverse_action(
                &tenant.credentials,
                &part.report.id,
                &NewAdverseAction {
                    violations,
                    custom_reason: trimmed(&req.custom_reason),
                    explanation: trimmed(&req.explanation),
                },
            )
            .await?;
        when = when.or(created.scheduled_final_at);
    }
    tracing::info!(
        background_check_id = bcid,
        violations = n,
        "decision: adverse action"
    );
    let when = when
        .map(|t| format!("; the final notice is scheduled for {t}"))
        .unwrap_or_default();
    after(
        orders,
        tenant,
        bcid,
        &format!(
            "Decision: adverse action started by {} ({n} violation(s){}); pre-adverse notice sent{when}",
            reviewer.text(),
            if trimmed(&req.custom_reason).is_some() {
                ", custom reason"
            } else {
                ""
            },
        ),
    )
    .await
}

/// Cancel every pending adverse action of the order.
pub async fn cancel_adverse_action(
    orders: &Orders,
    tenant: &Tenant,
    bcid: &str,
    reviewer: Reviewer<'_>,
) -> Result<Decision, OrderError> {
    let ctx = load(orders, tenant, bcid).await?;
    let pending: Vec<(&Part, &AdverseActionRes)> = ctx
        .parts
        .iter()
        .filter_map(|p| p.cancelable().map(|a| (p, a)))
        .collect();
    if pending.is_empty() && ctx.parts.iter().any(|p| p.pending().is_some()) {
        return Err(OrderError::NotDecidable {
            id: bcid.to_string(),
            why: "Yardstik does not list this report's adverse actions, so the pending one is not known well enough to cancel here; cancel it in Yardstik's dashboard".into(),
        });
    }
    if pending.is_empty() {
        return Err(OrderError::NotDecidable {
            id: bcid.to_string(),
            why: "it has no pending adverse action to cancel".into(),
        });
    }
    for (part, action) in &pending {
        match orders
            .yardstik
            .cancel_adverse_action(&tenant.credentials, &part.report.id, &action.id)
            .await
        {
            Ok(()) => {}
            Err(e) if not_served(&e) => {
                return Err(OrderError::NotDecidable {
                    id: bcid.to_string(),
                    why: format!(
                        "Yardstik does not cancel adverse action {} through its API ({}); cancel it in Yardstik's dashboard",
                        action.id,
                        e.summary()
                    ),
                })
            }
            Err(e) => return Err(e.into()),
        }
    }
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

    fn report(status: &str, aa: Option<&str>) -> Report {
        Report {
            id: "r1".into(),
            status: Some(status.into()),
            adverse_action_id: aa.map(str::to_string),
            ..Report::default()
        }
    }

    #[test]
    fn the_report_alone_tells_the_current_action() {
        let a = from_report(&report("pre_adverse", Some("aa1"))).unwrap();
        assert_eq!(
            (a.id.as_str(), a.status.as_deref()),
            ("aa1", Some("pending"))
        );
        let a = from_report(&report("final_adverse", Some("aa1"))).unwrap();
        assert_eq!(a.status.as_deref(), Some("completed"));
        assert!(from_report(&report("consider", Some("aa1"))).is_none());
        assert!(from_report(&report("proceed", Some("aa1"))).is_none());
        assert!(
            from_report(&report("pre_adverse", None)).is_none(),
            "no id: no action known"
        );
        assert!(from_report(&report("pre_adverse", Some(""))).is_none());
    }

    #[test]
    fn only_404_and_405_mean_not_served() {
        let rejected = |status| YardstikError::Rejected {
            status,
            title: String::new(),
            detail: String::new(),
        };
        assert!(not_served(&rejected(404)));
        assert!(not_served(&rejected(405)));
        assert!(!not_served(&rejected(422)));
        assert!(!not_served(&rejected(401)));
        assert!(!not_served(&YardstikError::Unavailable("down".into())));
    }

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
