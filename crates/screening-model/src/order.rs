//! What identifies an order and what it is made of.

/// The key of an order: the tenant and the ATS's `background_check_id`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrderKey {
    pub tenant_id: String,
    pub background_check_id: String,
}

impl OrderKey {
    pub fn new(tenant_id: impl Into<String>, background_check_id: impl Into<String>) -> Self {
        OrderKey {
            tenant_id: tenant_id.into(),
            background_check_id: background_check_id.into(),
        }
    }
}

/// One ordered package, as catalog resolution names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    /// The ATS's package id.
    pub package_id: String,
    pub yardstik_package_id: String,
    pub add_on: bool,
}

crate::stored_enum! {
    /// The kind of Yardstik resource an event or an item names (the word is the webhook's
    /// `resource_type`, stored with the event).
    pub enum YardstikRef {
        Invitation = "invitation",
        Report = "report",
    }
}

/// Whether an ordered item still takes the candidate's intake.
#[derive(Debug, Clone, Copy)]
pub struct ItemIntake<'a> {
    /// Yardstik's invitation status, once read.
    pub invitation: Option<&'a crate::InvitationStatus>,
    /// The item's state in the ATS's vocabulary.
    pub status: screening_wire::CheckStatus,
}

impl ItemIntake<'_> {
    /// Open: the invitation is not closed (see [`crate::InvitationStatus::is_closed`]; one
    /// not read yet is open) and the item has not moved past `invited`.
    pub fn is_open(&self) -> bool {
        use screening_wire::CheckStatus;
        !self.invitation.is_some_and(|s| s.is_closed())
            && matches!(self.status, CheckStatus::Pending | CheckStatus::Invited)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::InvitationStatus as I;
    use screening_wire::CheckStatus as S;

    #[test]
    fn intake_open_table() {
        let table = [
            (None, S::Pending, true),
            (Some(I::InviteSent), S::Invited, true),
            (Some(I::Clicked), S::Invited, true),
            (Some(I::Other("paused".into())), S::Invited, true),
            (Some(I::Completed), S::Invited, false),
            (Some(I::Expired), S::Invited, false),
            (Some(I::Canceled), S::Pending, false),
            (Some(I::Clicked), S::Processing, false),
            (None, S::Complete, false),
        ];
        for (inv, status, open) in table {
            let i = ItemIntake {
                invitation: inv.as_ref(),
                status,
            };
            assert_eq!(i.is_open(), open, "{inv:?} {status:?}");
        }
    }
}
