//! Parsing of the inputs several families share: day ranges, phone numbers, countries.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

use chrono::NaiveDate;
use poem::http::StatusCode;
use vnum_core::{Period, PhoneNumber};

use crate::problem::{ApiResult, Problem};

/// A 422 problem naming the field that was wrong.
pub(crate) fn invalid(field: &str, why: impl std::fmt::Display) -> Problem {
    Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        format!("`{field}` is invalid: {why}"),
    )
}

/// The most days one request may ask about: a year, leap day included. Longer ranges are
/// asked for a year at a time, so that no request reads more than a year of records.
pub(crate) const MAX_DAYS: i64 = 366;

/// The days `from` to `to`, both included, as a [`Period`] (which is half-open).
///
/// Days in queries name the last day asked for, as people write date ranges
/// ("1 to 31 January"); the answers name the same days.
///
/// # Errors
/// A 422 problem when `from` is after `to`, or the range is longer than [`MAX_DAYS`].
pub(crate) fn days(from: NaiveDate, to: NaiveDate) -> ApiResult<Period> {
    let period = to
        .succ_opt()
        .and_then(|end| Period::new(from, end).ok())
        .ok_or_else(|| {
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "`from` ({from}) is after `to` ({to}): expected from <= to, both days included"
                ),
            )
        })?;
    let length = (period.end() - period.start()).num_days();
    if length > MAX_DAYS {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "`from` ({from}) to `to` ({to}) are {length} days: at most {MAX_DAYS} days are \
                 answered at once; ask for a year at a time"
            ),
        ));
    }
    Ok(period)
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

/// The numbers the SIP engine names, each read once.
///
/// Reading a number against its country's numbering plan takes 8 to 25 µs (`cargo bench
/// --bench routing`), more than the rest of a routing decision, and the engine names the
/// same rented numbers call after call. Only numbers that parsed are kept; when `capacity`
/// are, the memo starts over.
#[derive(Debug)]
pub(crate) struct DialledNumbers {
    capacity: usize,
    parsed: RwLock<HashMap<String, PhoneNumber>>,
}

impl DialledNumbers {
    /// A memo of up to `capacity` numbers.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            parsed: RwLock::default(),
        }
    }

    /// [`phone`], answered from the memo when `text` was read before.
    ///
    /// # Errors
    /// A 422 problem naming `field`.
    pub(crate) fn phone(&self, field: &str, text: &str) -> ApiResult<PhoneNumber> {
        let known = self.parsed.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(number) = known.get(text) {
            return Ok(number.clone());
        }
        drop(known);
        let number = phone(field, text)?;
        let mut known = self.parsed.write().unwrap_or_else(PoisonError::into_inner);
        if known.len() >= self.capacity {
            known.clear();
        }
        known.insert(text.to_owned(), number.clone());
        Ok(number)
    }
}

#[cfg(test)]
mod tests {
    use vnum_testkit::day;

    use super::*;

    #[test]
    fn a_dialled_number_is_read_once_and_a_bad_one_every_time() {
        let dialled = DialledNumbers::new(2);
        let first = dialled.phone("to", "+4930123456").unwrap();
        assert_eq!(first, phone("to", "+4930123456").unwrap());
        assert_eq!(dialled.phone("to", "+4930123456").unwrap(), first);
        // An unencoded `+` arrives as a space: the memo keeps what `phone` would answer.
        assert_eq!(dialled.phone("to", " 4930123456").unwrap(), first);
        for _ in 0..2 {
            assert_eq!(dialled.phone("to", "+49").unwrap_err().status, 422);
        }
        let full = dialled.parsed.read().unwrap().len();
        assert_eq!(full, 2, "only numbers that parsed are kept");
        dialled.phone("to", "+14155550123").unwrap();
        assert_eq!(
            dialled.parsed.read().unwrap().len(),
            1,
            "a full memo starts over"
        );
    }

    #[test]
    fn a_range_of_more_than_a_year_is_refused_saying_the_limit() {
        assert!(days(day(2024, 1, 1), day(2024, 12, 31)).is_ok(), "366 days");
        let problem = days(day(2024, 1, 1), day(2025, 1, 1)).unwrap_err();
        assert_eq!(problem.status, 422);
        assert!(problem.detail.contains("367 days"), "{}", problem.detail);
        assert!(problem.detail.contains("at most 366"), "{}", problem.detail);
        assert!(days(day(2026, 1, 1), day(9999, 12, 30)).is_err());
    }

    #[test]
    fn both_days_of_a_range_are_included() {
        let period = days(day(2026, 1, 1), day(2026, 1, 31)).unwrap();
        assert_eq!(period.start(), day(2026, 1, 1));
        assert_eq!(period.end(), day(2026, 2, 1));
        assert!(days(day(2026, 1, 1), day(2026, 1, 1)).is_ok());
        assert_eq!(
            days(day(2026, 1, 2), day(2026, 1, 1)).unwrap_err().status,
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
