//! Who is placing an order, and how far placement got.
//!
//! The order key (tenant, background_check_id) is claimed before any Yardstik call. Each
//! claim or take-over gets a fresh token; every write of the placing task names it, so a
//! holder that outlived its lease finds its writes refused instead of racing the new
//! holder (fencing).

crate::stored_enum! {
    /// The placement state of an order.
    pub enum Claim {
        /// Someone holds the lease until `lease_until` and is calling Yardstik.
        Creating = "creating",
        /// The last attempt failed; what was created (candidate, invitations) is kept, a new
        /// submission or the resumer may take it over.
        Failed = "failed",
        /// Placed: the stored answer is replayed to retries.
        Created = "created",
    }
}

/// The token of one claim; writes made under it are fenced on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimToken(pub String);

impl ClaimToken {
    pub fn new() -> Self {
        ClaimToken(uuid::Uuid::new_v4().to_string())
    }
}

impl Default for ClaimToken {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoredEnum;

    #[test]
    fn parses_what_it_writes() {
        for c in [Claim::Creating, Claim::Failed, Claim::Created] {
            assert_eq!(Claim::parse(c.as_str()), Some(c));
        }
        assert_eq!(Claim::parse("done"), None);
        assert_ne!(ClaimToken::new(), ClaimToken::new());
    }
}
