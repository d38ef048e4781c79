//! Business days (R2.D1).

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use vnum_core::CountryCode;

/// What can go wrong with a holiday calendar or business-day arithmetic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A line of a holiday list is not a date.
    #[error("line {line} of the holiday list is {text:?}: expected a date such as 2026-12-25")]
    BadHoliday {
        /// The 1-based line number.
        line: usize,
        /// The line's text.
        text: String,
    },
    /// The holidays of one country were used for a number of another.
    #[error(
        "the holidays of {calendar} cannot date a number in {number}: load the calendar of {number}"
    )]
    WrongCountry {
        /// The calendar's country.
        calendar: CountryCode,
        /// The number's country.
        number: CountryCode,
    },
    /// The result is past the last date the calendar can represent.
    #[error("{days} business days after {from} is past the last representable date")]
    OutOfRange {
        /// The start day.
        from: NaiveDate,
        /// The business days asked for.
        days: u32,
    },
}

/// Business days and their holiday calendars (R2.D1).
impl vnum_core::rule::RuleError for CalendarError {
    fn rule(&self) -> vnum_core::RuleId {
        vnum_core::rule::R2_D1
    }
}

/// The public holidays of one carrier country, as the provider loaded them (R2.D1).
///
/// A country without loaded holidays has an empty calendar: only Saturdays and Sundays are
/// skipped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayCalendar {
    country: CountryCode,
    holidays: BTreeSet<NaiveDate>,
}

impl HolidayCalendar {
    /// A calendar that skips only weekends.
    #[must_use]
    pub fn weekends_only(country: CountryCode) -> Self {
        Self {
            country,
            holidays: BTreeSet::new(),
        }
    }

    /// A calendar with the given holidays.
    #[must_use]
    pub fn new(country: CountryCode, holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self {
            country,
            holidays: holidays.into_iter().collect(),
        }
    }

    /// Parses a holiday list: one ISO date per line, optionally followed by whitespace and
    /// the holiday's name; blank lines and lines starting with `#` are ignored.
    ///
    /// ```text
    /// # Germany 2026
    /// 2026-01-01 New Year's Day
    /// 2026-12-25 Christmas Day
    /// ```
    ///
    /// # Errors
    /// [`CalendarError::BadHoliday`] naming the first line that does not start with a date.
    pub fn parse(country: CountryCode, text: &str) -> Result<Self, CalendarError> {
        let mut holidays = BTreeSet::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let date = line.split_whitespace().next().unwrap_or_default();
            let day = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| {
                CalendarError::BadHoliday {
                    line: index + 1,
                    text: line.to_owned(),
                }
            })?;
            holidays.insert(day);
        }
        Ok(Self { country, holidays })
    }

    /// The country whose holidays these are.
    #[must_use]
    pub const fn country(&self) -> CountryCode {
        self.country
    }

    /// The loaded holidays, earliest first.
    pub fn holidays(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.holidays.iter().copied()
    }

    /// True unless `day` is a Saturday, a Sunday or a loaded holiday (R2.D1).
    #[must_use]
    pub fn is_business_day(&self, day: NaiveDate) -> bool {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&day)
    }

    /// The `days`-th business day after `from` (R2.D1); `from` itself when `days` is 0.
    ///
    /// `from` itself never counts, whatever day it is: an order placed on Friday with one
    /// business day to go is ready on Monday.
    ///
    /// # Errors
    /// [`CalendarError::OutOfRange`] past the last date chrono can represent.
    pub fn add_business_days(
        &self,
        from: NaiveDate,
        days: u32,
    ) -> Result<NaiveDate, CalendarError> {
        let mut day = from;
        let mut left = days;
        while left > 0 {
            day = day
                .succ_opt()
                .ok_or(CalendarError::OutOfRange { from, days })?;
            if self.is_business_day(day) {
                left -= 1;
            }
        }
        Ok(day)
    }
}
