//! Yardstik invitation/report statuses → the ATS's `CheckStatus`/`CheckResult`.
//! The table is repeated in README.md ("Status mapping"); every row is tested below.

use screening_wire::{CheckResult, CheckStatus};

pub type State = (CheckStatus, Option<CheckResult>);

/// A report status, or `None` when the report says nothing yet (`created`), is internal
/// (`archived`) or unknown — the invitation status decides then.
pub fn map_report(status: &str) -> Option<State> {
    use CheckResult::*;
    use CheckStatus::*;
    Some(match status {
        "clear" | "proceed" => (Complete, Some(Pass)),
        // pre_adverse: the employer is acting on a `consider`; the result stays Consider
        // until Yardstik settles on final_adverse (Fail) or proceed (Pass).
        "consider" | "pre_adverse" => (Complete, Some(Consider)),
        "final_adverse" => (Complete, Some(Fail)),
        "canceled" => (Canceled, None),
        "expired" => (Expired, None),
        "processing" | "pending" | "queued" | "approved_to_process" | "ys_qa_review" => {
            (Processing, None)
        }
        "pending_approval" | "exception" | "dispute" | "info_requested" => (ActionRequired, None),
        _ => return None, // created, archived, unknown
    })
}

pub fn map_invitation(status: &str) -> Option<State> {
    use CheckStatus::*;
    Some(match status {
        "invite_sent" | "viewed" | "clicked" => (Invited, None),
        "completed" => (FormCompleted, None),
        "canceled" => (Canceled, None),
        "expired" => (Expired, None),
        _ => return None,
    })
}

/// One item (one invitation and its report): the report decides once it says anything.
pub fn map_item(invitation: Option<&str>, report: Option<&str>) -> Option<State> {
    report
        .and_then(map_report)
        .or_else(|| invitation.and_then(map_invitation))
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

/// The order's state from its items (`(state, is_add_on)`, package first):
/// - the package item canceled/expired → the order is canceled/expired;
/// - any item still open → `action_required` if any item needs action, otherwise the
///   least advanced open status;
/// - all items final → `complete`, result = most severe result of the completed items
///   (`CheckResult::combine`: Fail > Consider > Pass); a canceled/expired add-on does not
///   block the package's result.
pub fn combine(items: &[(State, bool)]) -> State {
    let Some(((primary, _), _)) = items.iter().find(|(_, add_on)| !add_on).or(items.first()) else {
        return (CheckStatus::Pending, None);
    };
    if matches!(primary, CheckStatus::Canceled | CheckStatus::Expired) {
        return (*primary, None);
    }
    let open: Vec<CheckStatus> = items
        .iter()
        .map(|((s, _), _)| *s)
        .filter(|s| !s.is_final())
        .collect();
    if !open.is_empty() {
        if open.contains(&CheckStatus::ActionRequired) {
            return (CheckStatus::ActionRequired, None);
        }
        return (
            open.into_iter()
                .min_by_key(|s| rank(*s))
                .expect("non-empty"),
            None,
        );
    }
    let results = items
        .iter()
        .filter(|((s, _), _)| *s == CheckStatus::Complete)
        .filter_map(|((_, r), _)| *r);
    (CheckStatus::Complete, CheckResult::combine(results))
}

/// Is a change worth a result webhook? Final states always; intermediate ones only for
/// tenants with progress updates on. A changed result after completion (consider →
/// final_adverse) is sent too.
pub fn should_notify(prev: State, next: State, progress_updates: bool) -> bool {
    prev != next && next.0 != CheckStatus::Pending && (next.0.is_final() || progress_updates)
}

#[cfg(test)]
mod tests {
    use super::*;
    use CheckResult::*;
    use CheckStatus::*;

    #[test]
    fn every_report_row() {
        let table: &[(&str, Option<State>)] = &[
            ("clear", Some((Complete, Some(Pass)))),
            ("proceed", Some((Complete, Some(Pass)))),
            ("consider", Some((Complete, Some(Consider)))),
            ("pre_adverse", Some((Complete, Some(Consider)))),
            ("final_adverse", Some((Complete, Some(Fail)))),
            ("canceled", Some((Canceled, None))),
            ("expired", Some((Expired, None))),
            ("processing", Some((Processing, None))),
            ("pending", Some((Processing, None))),
            ("queued", Some((Processing, None))),
            ("approved_to_process", Some((Processing, None))),
            ("ys_qa_review", Some((Processing, None))),
            ("pending_approval", Some((ActionRequired, None))),
            ("exception", Some((ActionRequired, None))),
            ("dispute", Some((ActionRequired, None))),
            ("info_requested", Some((ActionRequired, None))),
            ("created", None),
            ("archived", None),
            ("something_new", None),
        ];
        for (s, want) in table {
            assert_eq!(map_report(s), *want, "{s}");
        }
    }

    #[test]
    fn every_invitation_row() {
        for s in ["invite_sent", "viewed", "clicked"] {
            assert_eq!(map_invitation(s), Some((Invited, None)), "{s}");
        }
        assert_eq!(map_invitation("completed"), Some((FormCompleted, None)));
        assert_eq!(map_invitation("canceled"), Some((Canceled, None)));
        assert_eq!(map_invitation("expired"), Some((Expired, None)));
        assert_eq!(map_invitation("weird"), None);
    }

    #[test]
    fn report_wins_once_it_says_something() {
        assert_eq!(
            map_item(Some("invite_sent"), Some("created")),
            Some((Invited, None))
        );
        assert_eq!(
            map_item(Some("completed"), Some("clear")),
            Some((Complete, Some(Pass)))
        );
        assert_eq!(
            map_item(Some("canceled"), Some("created")),
            Some((Canceled, None))
        );
        assert_eq!(map_item(Some("expired"), None), Some((Expired, None)));
        assert_eq!(map_item(None, Some("archived")), None);
    }

    #[test]
    fn combining_package_and_add_ons() {
        let c = |s: CheckStatus, r: Option<CheckResult>| (s, r);
        assert_eq!(
            combine(&[
                (c(Complete, Some(Pass)), false),
                (c(Complete, Some(Consider)), true)
            ]),
            (Complete, Some(Consider))
        );
        assert_eq!(
            combine(&[
                (c(Complete, Some(Fail)), false),
                (c(Complete, Some(Pass)), true)
            ]),
            (Complete, Some(Fail))
        );
        assert_eq!(
            combine(&[
                (c(Complete, Some(Pass)), false),
                (c(Processing, None), true)
            ]),
            (Processing, None)
        );
        assert_eq!(
            combine(&[(c(Invited, None), false), (c(Processing, None), true)]),
            (Invited, None)
        );
        assert_eq!(
            combine(&[
                (c(Processing, None), false),
                (c(ActionRequired, None), true)
            ]),
            (ActionRequired, None)
        );
        assert_eq!(
            combine(&[(c(Canceled, None), false), (c(Complete, Some(Pass)), true)]),
            (Canceled, None)
        );
        assert_eq!(combine(&[(c(Expired, None), false)]), (Expired, None));
        assert_eq!(
            combine(&[(c(Complete, Some(Pass)), false), (c(Expired, None), true)]),
            (Complete, Some(Pass))
        );
    }

    #[test]
    fn notification_rules() {
        assert!(should_notify(
            (Processing, None),
            (Complete, Some(Pass)),
            false
        ));
        assert!(!should_notify((Invited, None), (Processing, None), false));
        assert!(should_notify((Invited, None), (Processing, None), true));
        assert!(!should_notify(
            (Complete, Some(Pass)),
            (Complete, Some(Pass)),
            true
        ));
        assert!(should_notify(
            (Complete, Some(Consider)),
            (Complete, Some(Fail)),
            false
        ));
        assert!(!should_notify((Pending, None), (Pending, None), true));
    }
}
