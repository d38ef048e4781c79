//! Parsing of the inputs several families share: day ranges, phone numbers, countries.

use chrono::NaiveDate;
use poem::http::StatusCode;
use vnum_core::{CountryCode, Period, PhoneNumber};

use crate::problem::{ApiResult, Problem};

/// A 422 problem naming the field that was wrong.
pub(crate) fn invalid(field: &str, why: impl std::fmt::Display) -> Problem {
    Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        format!("`{field}` is invalid: {why}"),
    )
}

/// The days `from` to `to`, both included, as a [`Period`] (which is half-open).
///
/// Days in queries name the last day asked for, as people write date ranges
/// ("1 to 31 January"); the answers name the same days.
///
/// # Errors
/// A 422 problem when `from` is after `to`.
pub(crate) fn days(from: NaiveDate, to: NaiveDate) -> ApiResult<Period> {
    to.succ_opt()
        .and_then(|end| Period::new(from, end).ok())
        .ok_or_else(|| {
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "`from` ({from}) is after `to` ({to}): expected from <= to, both days included"
                ),
            )
        })
}

/// An E.164 number from a request. A `+` sent unencoded in a query string arrives as a
/// space, so a leading space is read as the `+` it was.
///
/// # Errors
/// A 422 problem naming `field`.
pub(crate) fn phone(field: &str, text: &str) -> ApiResult<PhoneNumber> {
    let trimmed = text.trim();
    let text = if trimmed.starts_with('+') {
        trimmed.to_owned()
    } else {
        format!("+{trimmed}")
    };
    PhoneNumber::parse(&text).map_err(|e| invalid(field, e))
}

/// An ISO 3166-1 alpha-2 country from a request.
///
/// # Errors
/// A 422 problem naming `field`.
pub(crate) fn country(field: &str, text: &str) -> ApiResult<CountryCode> {
    CountryCode::parse(text.trim()).map_err(|e| invalid(field, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn both_days_of_a_range_are_included() {
        let period = days(day("2026-01-01"), day("2026-01-31")).unwrap();
        assert_eq!(period.start(), day("2026-01-01"));
        assert_eq!(period.end(), day("2026-02-01"));
        assert!(days(day("2026-01-01"), day("2026-01-01")).is_ok());
        assert_eq!(
            days(day("2026-01-02"), day("2026-01-01"))
                .unwrap_err()
                .status,
            422
        );
    }

    #[test]
    fn a_plus_decoded_as_a_space_still_reads_as_e164() {
        assert_eq!(phone("to", " 4930123456").unwrap().as_str(), "+4930123456");
        assert_eq!(phone("to", "+4930123456").unwrap().as_str(), "+4930123456");
        assert!(phone("to", "abc").unwrap_err().detail.contains("`to`"));
    }
}
