//! Typed values out of rows. A stored enum ([`StoredEnum`]: claims, ATS statuses and
//! results, inbox and outbox states) is decoded here, once, from its column; a word the enum
//! does not know is sqlx's `ColumnDecode` error naming the column and the value. A row the
//! schema does not allow is refused rather than read with a default: it is a bug or another
//! version's data, and a guess would hide it.

use screening_model::StoredEnum;
use sqlx::any::AnyRow;
use sqlx::Row;

/// The error for a stored value that does not decode.
pub(crate) fn unexpected(column: &str, value: &str) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.to_string(),
        source: format!("unexpected value {value:?}").into(),
    }
}

/// A stored word as `T`.
pub(crate) fn word<T: StoredEnum>(column: &str, value: &str) -> sqlx::Result<T> {
    T::parse(value).ok_or_else(|| unexpected(column, value))
}

/// The enum stored in `column`.
pub(crate) fn decode<T: StoredEnum>(row: &AnyRow, column: &str) -> sqlx::Result<T> {
    word(column, &row.try_get::<String, _>(column)?)
}

/// The enum stored in the nullable `column`.
pub(crate) fn decode_optional<T: StoredEnum>(
    row: &AnyRow,
    column: &str,
) -> sqlx::Result<Option<T>> {
    row.try_get::<Option<String>, _>(column)?
        .map(|s| word(column, &s))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use screening_model::Claim;

    #[test]
    fn an_unknown_word_is_a_decode_error_naming_its_column() {
        assert_eq!(word::<Claim>("claim", "created").unwrap(), Claim::Created);
        match word::<Claim>("claim", "done") {
            Err(sqlx::Error::ColumnDecode { index, source }) => {
                assert_eq!(index, "claim");
                assert!(source.to_string().contains("\"done\""), "{source}");
            }
            other => panic!("{other:?}"),
        }
    }
}
