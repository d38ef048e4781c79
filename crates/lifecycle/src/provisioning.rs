//! How long connecting a number takes (R2).

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use vnum_core::RuleId;
use vnum_core::rule;

use crate::{CalendarError, HolidayCalendar};

/// A range of business days, such as 5–15 (R2.3).
///
/// Invariant: `1 <= min <= max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawRange", into = "RawRange")]
pub struct BusinessDayRange {
    min: u32,
    max: u32,
}

/// A range that is empty or starts at zero.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{min}–{max} business days is not a range: expected 1 <= min <= max, such as 5–15")]
pub struct BusinessDayRangeError {
    /// The minimum given.
    pub min: u32,
    /// The maximum given.
    pub max: u32,
}

/// The expected provisioning time is a range of business days (R2.3).
impl vnum_core::rule::RuleError for BusinessDayRangeError {
    fn rule(&self) -> vnum_core::RuleId {
        vnum_core::rule::R2_3
    }
}

impl BusinessDayRange {
    /// The range `min..=max` business days.
    ///
    /// # Errors
    /// [`BusinessDayRangeError`] unless `1 <= min <= max`.
    pub const fn new(min: u32, max: u32) -> Result<Self, BusinessDayRangeError> {
        if min >= 1 && min <= max {
            Ok(Self { min, max })
        } else {
            Err(BusinessDayRangeError { min, max })
        }
    }

    /// The fewest business days.
    #[must_use]
    pub const fn min(self) -> u32 {
        self.min
    }

    /// The most business days.
    #[must_use]
    pub const fn max(self) -> u32 {
        self.max
    }
}

impl fmt::Display for BusinessDayRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (1, 1) => f.write_str("1 business day"),
            (min, max) if min == max => write!(f, "{min} business days"),
            (min, max) => write!(f, "{min}–{max} business days"),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct RawRange {
    min: u32,
    max: u32,
}

impl TryFrom<RawRange> for BusinessDayRange {
    type Error = BusinessDayRangeError;
    fn try_from(raw: RawRange) -> Result<Self, Self::Error> {
        Self::new(raw.min, raw.max)
    }
}

impl From<BusinessDayRange> for RawRange {
    fn from(range: BusinessDayRange) -> Self {
        Self {
            min: range.min,
            max: range.max,
        }
    }
}

/// How an offer's numbers are connected, a property of the offer (R2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProvisioningClass {
    /// Connected instantly and automatically (R2.1).
    Instant,
    /// Connected within 1–2 business days after the documents are accepted (R2.2).
    AfterDocuments,
    /// Connected within a range of business days after the order, such as 5–15 (R2.3).
    BusinessDays(BusinessDayRange),
}

/// 1–2 business days after acceptance (R2.2).
const AFTER_DOCUMENTS: BusinessDayRange = BusinessDayRange { min: 1, max: 2 };

/// The expected connection time shown on an offer before purchase (R2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct EtaRange {
    /// `None` for instant connection.
    pub business_days: Option<BusinessDayRange>,
    /// True when the clock starts only once the documents are accepted (R2.2).
    pub after_documents: bool,
    /// The rule that set it: R2.1, R2.2 or R2.3.
    pub rule: RuleId,
}

impl fmt::Display for EtaRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.business_days, self.after_documents) {
            (None, _) => f.write_str("connected instantly"),
            (Some(days), true) => write!(f, "{days} after your documents are accepted"),
            (Some(days), false) => write!(f, "{days}"),
        }
    }
}

/// When an order's number is expected to be ready (R2.D1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ReadyBy {
    /// Expected between `earliest` and `latest` (the ready-by date), both included.
    Between {
        /// The first day it may be ready.
        earliest: NaiveDate,
        /// The ready-by date.
        latest: NaiveDate,
        /// The rule that set it.
        rule: RuleId,
    },
    /// The clock has not started: the documents are not accepted yet (R2.2).
    WhenDocumentsAccepted {
        /// R2.2.
        rule: RuleId,
    },
}

impl ProvisioningClass {
    /// The expected time as shown before purchase (R2.3).
    #[must_use]
    pub const fn eta(self) -> EtaRange {
        match self {
            Self::Instant => EtaRange {
                business_days: None,
                after_documents: false,
                rule: rule::R2_1,
            },
            Self::AfterDocuments => EtaRange {
                business_days: Some(AFTER_DOCUMENTS),
                after_documents: true,
                rule: rule::R2_2,
            },
            Self::BusinessDays(range) => EtaRange {
                business_days: Some(range),
                after_documents: false,
                rule: rule::R2_3,
            },
        }
    }

    /// The expected ready-by dates of an order placed on `ordered_on` whose documents were
    /// accepted on `documents_accepted_on`, counted in business days of the carrier country's
    /// `calendar` (R2.D1).
    ///
    /// Instant numbers are ready on the order day (R2.1). Numbers that need documents count
    /// from the acceptance day (R2.2) and have no date before it.
    ///
    /// # Errors
    /// [`CalendarError::OutOfRange`] when the date would be past chrono's last date.
    pub fn ready_by(
        self,
        calendar: &HolidayCalendar,
        ordered_on: NaiveDate,
        documents_accepted_on: Option<NaiveDate>,
    ) -> Result<ReadyBy, CalendarError> {
        let (start, range, rule) = match self {
            Self::Instant => {
                return Ok(ReadyBy::Between {
                    earliest: ordered_on,
                    latest: ordered_on,
                    rule: rule::R2_1,
                });
            }
            Self::AfterDocuments => match documents_accepted_on {
                Some(day) => (day, AFTER_DOCUMENTS, rule::R2_2),
                None => return Ok(ReadyBy::WhenDocumentsAccepted { rule: rule::R2_2 }),
            },
            Self::BusinessDays(range) => (ordered_on, range, rule::R2_D1),
        };
        Ok(ReadyBy::Between {
            earliest: calendar.add_business_days(start, range.min)?,
            latest: calendar.add_business_days(start, range.max)?,
            rule,
        })
    }
}
