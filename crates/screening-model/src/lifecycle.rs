//! The order lifecycle as one state machine: what Yardstik says about an invitation and its
//! report → the item's ATS state; the items → the order's state; which changes the ATS
//! hears about. The table is repeated in README.md ("Status mapping"); every row is tested
//! below.
//!
//! Rules beyond a plain lookup, and why:
//! - A report status that says nothing about the check (`created`) lets the invitation
//!   decide; one that is internal (`archived`) or unknown to this code changes nothing, so
//!   a finished result is never lost to a status Yardstik adds later.
//! - `dispute` after a result keeps the result (the check was done; the candidate contests
//!   it) and is noted in the order's history; before a result it needs action.
//! - A package complete beside an add-on that was canceled or expired is not a clean
//!   result: the ordered add-on never ran, so the order's result is at least `Consider`
//!   and the history names the add-on.

use screening_wire::{CheckResult, CheckStatus};

use crate::yardstik_status::{InvitationStatus, ReportStatus};

/// Where one check stands in the ATS's vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckState {
    pub status: CheckStatus,
    pub result: Option<CheckResult>,
}

impl CheckState {
    pub const PENDING: CheckState = CheckState::open(CheckStatus::Pending);

    pub const fn open(status: CheckStatus) -> Self {
        Self {
            status,
            result: None,
        }
    }

    pub const fn complete(result: CheckResult) -> Self {
        Self {
            status: CheckStatus::Complete,
            result: Some(result),
        }
    }
}

/// Something worth a line in the order's history although it may not change the state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// The candidate disputes a report that has a result; the result stands meanwhile.
    Disputed,
    /// The report was archived at Yardstik; the state is kept.
    Archived,
    /// A status this code does not know; the state is kept.
    UnknownStatus(String),
}

impl Note {
    pub fn text(&self) -> String {
        match self {
            Note::Disputed => {
                "The candidate disputes the report; the result stands until Yardstik settles the dispute".into()
            }
            Note::Archived => "Yardstik archived the report; the result is kept".into(),
            Note::UnknownStatus(s) => {
                format!("Yardstik reported an unknown status ({s}); the state is kept")
            }
        }
    }
}

/// A report status → the item's state, or `None` when the report says nothing of its own
/// (`created`, `archived`, unknown, or `dispute`, which depends on the previous state).
fn report_state(status: &ReportStatus) -> Option<CheckState> {
    use CheckResult::*;
    use ReportStatus as R;
    Some(match status {
        R::Clear | R::Proceed => CheckState::complete(Pass),
        // pre_adverse: the employer is acting on a `consider`; the result stays Consider
        // until Yardstik settles on final_adverse (Fail) or proceed (Pass).
        R::Consider | R::PreAdverse => CheckState::complete(Consider),
        R::FinalAdverse => CheckState::complete(Fail),
        R::Canceled => CheckState::open(CheckStatus::Canceled),
        R::Expired => CheckState::open(CheckStatus::Expired),
        R::Processing | R::Pending | R::Queued | R::ApprovedToProcess | R::YsQaReview => {
            CheckState::open(CheckStatus::Processing)
        }
        R::PendingApproval | R::Exception | R::InfoRequested => {
            CheckState::open(CheckStatus::ActionRequired)
        }
        R::Created | R::Archived | R::Dispute | R::Other(_) => return None,
    })
}

fn invitation_state(status: &InvitationStatus) -> Option<CheckState> {
    use InvitationStatus as I;
    Some(match status {
        I::InviteSent | I::Viewed | I::Clicked => CheckState::open(CheckStatus::Invited),
        I::Completed => CheckState::open(CheckStatus::FormCompleted),
        I::Canceled => CheckState::open(CheckStatus::Canceled),
        I::Expired => CheckState::open(CheckStatus::Expired),
        I::Other(_) => return None,
    })
}

/// One item (an invitation and its report): its next state from its previous one and what
/// Yardstik says now. The report decides once it says anything.
pub fn next_item(
    prev: CheckState,
    invitation: Option<&InvitationStatus>,
    report: Option<&ReportStatus>,
) -> (CheckState, Option<Note>) {
    match report {
        Some(ReportStatus::Dispute) => {
            let next = if prev.status == CheckStatus::Complete {
                prev
            } else {
                CheckState::open(CheckStatus::ActionRequired)
            };
            return (next, Some(Note::Disputed));
        }
        Some(ReportStatus::Archived) => return (prev, Some(Note::Archived)),
        Some(ReportStatus::Other(s)) => return (prev, Some(Note::UnknownStatus(s.clone()))),
        Some(r) => {
            if let Some(s) = report_state(r) {
                return (s, None);
            }
        }
        None => {}
    }
    match invitation {
        Some(InvitationStatus::Other(s)) => (prev, Some(Note::UnknownStatus(s.clone()))),
        Some(i) => (invitation_state(i).unwrap_or(prev), None),
        None => (prev, None),
    }
}

/// One item's state as the order sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemState {
    pub state: CheckState,
    pub add_on: bool,
}

fn rank(s: CheckStatus) -> u8 {
    match s {
        CheckStatus::Pending => 0,
        CheckStatus::Invited => 1,
        CheckStatus::FormCompleted => 2,
        CheckStatus::Processing => 3,
        CheckStatus::ActionRequired => 4,
        _ => 5,
    }
}

/// The order's state from its items (package first):
/// - the package item canceled/expired → the order is canceled/expired;
/// - any item still open → `action_required` if any item needs action, otherwise the
///   least advanced open status;
/// - all items final → `complete`, result = most severe result of the completed items
///   (Fail > Consider > Pass), and at least `Consider` when an add-on was canceled or
///   expired (it was ordered and never ran).
pub fn combine(items: &[ItemState]) -> CheckState {
    let Some(primary) = items.iter().find(|i| !i.add_on).or(items.first()) else {
        return CheckState::PENDING;
    };
    if matches!(
        primary.state.status,
        CheckStatus::Canceled | CheckStatus::Expired
    ) {
        return CheckState::open(primary.state.status);
    }
    let open = items
        .iter()
        .map(|i| i.state.status)
        .filter(|s| !s.is_final());
    if let Some(least) = open.clone().min_by_key(|s| rank(*s)) {
        if open.clone().any(|s| s == CheckStatus::ActionRequired) {
            return CheckState::open(CheckStatus::ActionRequired);
        }
        return CheckState::open(least);
    }
    let results = items
        .iter()
        .filter(|i| i.state.status == CheckStatus::Complete)
        .filter_map(|i| i.state.result);
    let add_on_missing = items.iter().any(|i| {
        i.add_on && matches!(i.state.status, CheckStatus::Canceled | CheckStatus::Expired)
    });
    let mut result = CheckResult::combine(results);
    if add_on_missing {
        result = result.max(Some(CheckResult::Consider));
    }
    CheckState {
        status: CheckStatus::Complete,
        result,
    }
}

/// Is a change worth a result webhook? Final states always; intermediate ones only for
/// tenants with progress updates on. A changed result after completion (consider →
/// final_adverse) is sent too.
pub fn should_notify(prev: CheckState, next: CheckState, progress_updates: bool) -> bool {
    prev != next
        && next.status != CheckStatus::Pending
        && (next.status.is_final() || progress_updates)
}

#[cfg(test)]
mod tests {
    use super::*;
    use CheckResult::*;
    use CheckStatus::*;

    fn open(s: CheckStatus) -> CheckState {
        CheckState::open(s)
    }
    fn done(r: CheckResult) -> CheckState {
        CheckState::complete(r)
    }

    #[test]
    fn every_report_row_from_an_open_item() {
        let prev = open(Invited);
        let table: &[(&str, CheckState, Option<Note>)] = &[
            ("clear", done(Pass), None),
            ("proceed", done(Pass), None),
            ("consider", done(Consider), None),
            ("pre_adverse", done(Consider), None),
            ("final_adverse", done(Fail), None),
            ("canceled", open(Canceled), None),
            ("expired", open(Expired), None),
            ("processing", open(Processing), None),
            ("pending", open(Processing), None),
            ("queued", open(Processing), None),
            ("approved_to_process", open(Processing), None),
            ("ys_qa_review", open(Processing), None),
            ("pending_approval", open(ActionRequired), None),
            ("exception", open(ActionRequired), None),
            ("info_requested", open(ActionRequired), None),
            ("dispute", open(ActionRequired), Some(Note::Disputed)),
            // says nothing: the invitation (invite_sent) decides
            ("created", open(Invited), None),
            ("archived", prev, Some(Note::Archived)),
            (
                "something_new",
                prev,
                Some(Note::UnknownStatus("something_new".into())),
            ),
        ];
        let inv = InvitationStatus::InviteSent;
        for (s, want, note) in table {
            let got = next_item(prev, Some(&inv), Some(&ReportStatus::parse(s)));
            assert_eq!(got, (*want, note.clone()), "{s}");
        }
    }

    #[test]
    fn a_result_survives_archive_unknown_and_dispute() {
        for prev in [done(Pass), done(Consider), done(Fail)] {
            let inv = InvitationStatus::Completed;
            for s in ["archived", "dispute", "whatever_next"] {
                let (next, note) = next_item(prev, Some(&inv), Some(&ReportStatus::parse(s)));
                assert_eq!(next, prev, "{s} after {prev:?}");
                assert!(note.is_some(), "{s} is noted");
            }
        }
    }

    #[test]
    fn every_invitation_row() {
        let prev = CheckState::PENDING;
        let table: &[(&str, CheckState)] = &[
            ("invite_sent", open(Invited)),
            ("viewed", open(Invited)),
            ("clicked", open(Invited)),
            ("completed", open(FormCompleted)),
            ("canceled", open(Canceled)),
            ("expired", open(Expired)),
            ("weird", prev),
        ];
        for (s, want) in table {
            let (got, _) = next_item(prev, Some(&InvitationStatus::parse(s)), None);
            assert_eq!(got, *want, "{s}");
        }
        assert_eq!(next_item(open(Invited), None, None), (open(Invited), None));
    }

    #[test]
    fn combining_package_and_add_ons() {
        let pkg = |state| ItemState {
            state,
            add_on: false,
        };
        let add = |state| ItemState {
            state,
            add_on: true,
        };
        let table: &[(&[ItemState], CheckState)] = &[
            (&[pkg(done(Pass)), add(done(Consider))], done(Consider)),
            (&[pkg(done(Fail)), add(done(Pass))], done(Fail)),
            (&[pkg(done(Pass)), add(open(Processing))], open(Processing)),
            (&[pkg(open(Invited)), add(open(Processing))], open(Invited)),
            (
                &[pkg(open(Processing)), add(open(ActionRequired))],
                open(ActionRequired),
            ),
            (&[pkg(open(Canceled)), add(done(Pass))], open(Canceled)),
            (&[pkg(open(Expired))], open(Expired)),
            // the ordered add-on never ran: not a clean Pass
            (&[pkg(done(Pass)), add(open(Expired))], done(Consider)),
            (&[pkg(done(Pass)), add(open(Canceled))], done(Consider)),
            (&[pkg(done(Fail)), add(open(Canceled))], done(Fail)),
            (&[pkg(done(Pass))], done(Pass)),
            (&[], CheckState::PENDING),
        ];
        for (items, want) in table {
            assert_eq!(combine(items), *want, "{items:?}");
        }
    }

    #[test]
    fn notification_rules() {
        assert!(should_notify(open(Processing), done(Pass), false));
        assert!(!should_notify(open(Invited), open(Processing), false));
        assert!(should_notify(open(Invited), open(Processing), true));
        assert!(!should_notify(done(Pass), done(Pass), true));
        assert!(should_notify(done(Consider), done(Fail), false));
        assert!(!should_notify(
            CheckState::PENDING,
            CheckState::PENDING,
            true
        ));
    }
}
