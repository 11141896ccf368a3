//! Enums stored as text: each value's word is written once, and reading it back is derived
//! from the same list.
//!
//! A stored enum lists every value ([`StoredEnum::ALL`]) and says its word
//! ([`StoredEnum::as_str`]); [`StoredEnum::parse`] is the inverse, found in that list, so the
//! two cannot disagree. A word the enum does not know parses to `None`: the store turns that
//! into a decode error, never a default (a value the schema does not allow is a bug or
//! another version's data, and guessing would hide it).
//!
//! [`stored_enum!`](crate::stored_enum) declares an enum with its words. The ATS vocabulary
//! (`CheckStatus`, `CheckResult`) is defined in `screening-wire`, which the widget compiles
//! to wasm; it is made a stored enum here, from the model's side, so the wire crate carries
//! no code for it.

use screening_wire::{CheckResult, CheckStatus};

/// An enum stored as one of a fixed set of words.
pub trait StoredEnum: Copy + Sized + 'static {
    /// Every value, each once.
    const ALL: &'static [Self];

    /// The stored word of a value.
    fn as_str(self) -> &'static str;

    /// The value stored as `s`; `None` for a word no value has.
    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

/// Declares a [`StoredEnum`]: `stored_enum! { /// doc
/// pub enum Name { /// doc
/// Variant = "word", … } }`. The enum derives `Debug, Clone, Copy, PartialEq, Eq`; more
/// attributes may precede `pub enum`.
#[macro_export]
macro_rules! stored_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $word:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
        }

        impl $crate::StoredEnum for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),*];

            fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $word,)*
                }
            }
        }
    };
}

impl StoredEnum for CheckStatus {
    const ALL: &'static [Self] = &CheckStatus::ALL;

    fn as_str(self) -> &'static str {
        CheckStatus::as_str(self)
    }
}

impl StoredEnum for CheckResult {
    const ALL: &'static [Self] = &[CheckResult::Pass, CheckResult::Consider, CheckResult::Fail];

    fn as_str(self) -> &'static str {
        CheckResult::as_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Claim, YardstikRef};

    /// Every value reads back as itself, the words are distinct, and an unknown word is
    /// refused.
    fn round_trips<T: StoredEnum + PartialEq + std::fmt::Debug>() {
        let mut words = std::collections::HashSet::new();
        for &v in T::ALL {
            assert_eq!(T::parse(v.as_str()), Some(v));
            assert!(words.insert(v.as_str()), "{v:?}: word used twice");
        }
        assert_eq!(T::parse("no-such-word"), None);
        assert_eq!(T::parse(""), None);
    }

    #[test]
    fn stored_enums_round_trip() {
        round_trips::<Claim>();
        round_trips::<YardstikRef>();
        round_trips::<CheckStatus>();
        round_trips::<CheckResult>();
    }

    #[test]
    fn wire_enums_read_as_the_wire_reads_them() {
        for &s in <CheckStatus as StoredEnum>::ALL {
            assert_eq!(
                <CheckStatus as StoredEnum>::parse(s.as_str()),
                CheckStatus::parse(s.as_str())
            );
        }
        // `CheckResult` has no list of its own in the wire crate: this match fails to
        // compile when a result is added, a reminder to add it to `ALL` above.
        let position = |r: CheckResult| match r {
            CheckResult::Pass => 0,
            CheckResult::Consider => 1,
            CheckResult::Fail => 2,
        };
        assert_eq!(<CheckResult as StoredEnum>::ALL.len(), 3);
        for (i, &r) in <CheckResult as StoredEnum>::ALL.iter().enumerate() {
            assert_eq!(position(r), i);
            assert_eq!(
                <CheckResult as StoredEnum>::parse(r.as_str()),
                CheckResult::parse(r.as_str())
            );
        }
    }
}
