//! Yardstik's invitation and report statuses, as types.
//!
//! Parsed once where they enter (a Yardstik answer, a database row). A status this code
//! does not know is kept as `Other(text)` rather than refused: Yardstik may add statuses,
//! and an unknown one must change nothing (see `orders::status`), not fail an update.

macro_rules! yardstik_status {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum $name {
            $($variant,)*
            /// A status this code does not know (stored as received).
            Other(String),
        }

        impl $name {
            pub fn parse(s: &str) -> Self {
                match s {
                    $($text => Self::$variant,)*
                    other => Self::Other(other.to_string()),
                }
            }

            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Other(s) => s,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

yardstik_status! {
    /// An invitation's status (the reference's invitation statuses).
    InvitationStatus {
        InviteSent = "invite_sent",
        Viewed = "viewed",
        Clicked = "clicked",
        Completed = "completed",
        Canceled = "canceled",
        Expired = "expired",
    }
}

yardstik_status! {
    /// A report's status (the reference's table of report statuses).
    ReportStatus {
        Created = "created",
        PendingApproval = "pending_approval",
        ApprovedToProcess = "approved_to_process",
        Processing = "processing",
        Pending = "pending",
        Queued = "queued",
        Clear = "clear",
        Consider = "consider",
        YsQaReview = "ys_qa_review",
        PreAdverse = "pre_adverse",
        FinalAdverse = "final_adverse",
        Proceed = "proceed",
        Exception = "exception",
        Canceled = "canceled",
        Dispute = "dispute",
        InfoRequested = "info_requested",
        Expired = "expired",
        Archived = "archived",
    }
}

impl InvitationStatus {
    /// The intake is over: submitted, or no longer possible. Every other status — the
    /// ones the reference lists before completion and any Yardstik adds later — leaves
    /// the form open, and Yardstik's own page says whether it still takes it.
    pub fn is_closed(&self) -> bool {
        matches!(self, Self::Completed | Self::Canceled | Self::Expired)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_keeps_unknown_text() {
        for s in [
            "invite_sent",
            "viewed",
            "clicked",
            "completed",
            "canceled",
            "expired",
        ] {
            assert_eq!(InvitationStatus::parse(s).as_str(), s);
            assert!(!matches!(
                InvitationStatus::parse(s),
                InvitationStatus::Other(_)
            ));
        }
        assert_eq!(
            ReportStatus::parse("ys_qa_review"),
            ReportStatus::YsQaReview
        );
        assert_eq!(
            ReportStatus::parse("brand_new"),
            ReportStatus::Other("brand_new".into())
        );
        assert_eq!(ReportStatus::parse("brand_new").as_str(), "brand_new");
        assert!(!InvitationStatus::Clicked.is_closed());
        assert!(InvitationStatus::Completed.is_closed());
        assert!(InvitationStatus::Expired.is_closed() && InvitationStatus::Canceled.is_closed());
        assert!(!InvitationStatus::Other("paused".into()).is_closed());
    }
}
