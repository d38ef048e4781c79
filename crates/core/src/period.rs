//! Half-open ranges of calendar days.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The calendar days from `start` (included) to `end` (excluded), in the billing time zone.
///
/// Invariant: `start < end`, so a period is never empty. A monthly period connected on
/// 20 January is `[2026-01-20, 2026-02-20)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "RawPeriod", into = "RawPeriod")]
pub struct Period {
    start: NaiveDate,
    end: NaiveDate,
}

/// The end is not after the start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("empty period {start}..{end}: the end must be after the start")]
pub struct PeriodError {
    /// The first day asked for.
    pub start: NaiveDate,
    /// The day after the last, asked for.
    pub end: NaiveDate,
}

/// A billing period runs from one charge day to the next (R10.2).
impl crate::rule::RuleError for PeriodError {
    fn rule(&self) -> crate::RuleId {
        crate::rule::R10_2
    }
}

impl Period {
    /// The days `start..end`.
    ///
    /// # Errors
    /// [`PeriodError`] unless `start < end`.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self, PeriodError> {
        if start < end {
            Ok(Self { start, end })
        } else {
            Err(PeriodError { start, end })
        }
    }

    /// The first day.
    #[must_use]
    pub const fn start(&self) -> NaiveDate {
        self.start
    }

    /// The day after the last day.
    #[must_use]
    pub const fn end(&self) -> NaiveDate {
        self.end
    }

    /// The last day that belongs to the period.
    #[must_use]
    pub fn last_day(&self) -> NaiveDate {
        self.end.pred_opt().unwrap_or(self.start)
    }

    /// True when `day` is in the period.
    #[must_use]
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day < self.end
    }

    /// How many days the period has.
    #[must_use]
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days()
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

#[derive(Serialize, Deserialize)]
struct RawPeriod {
    start: NaiveDate,
    end: NaiveDate,
}

impl TryFrom<RawPeriod> for Period {
    type Error = PeriodError;
    fn try_from(raw: RawPeriod) -> Result<Self, Self::Error> {
        Self::new(raw.start, raw.end)
    }
}

impl From<Period> for RawPeriod {
    fn from(p: Period) -> Self {
        Self {
            start: p.start,
            end: p.end,
        }
    }
}
