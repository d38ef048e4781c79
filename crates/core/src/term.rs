//! Prepaid terms.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How many months a customer pays in advance: 1 (the minimum rental, R10.1), or 3, 6 or 12
/// months for a discount (R11.1). A term is anchored on the connection day like every
/// monthly period (R10.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub enum PrepaidTerm {
    /// One month, the minimum rental.
    OneMonth,
    /// Three months in advance.
    ThreeMonths,
    /// Six months in advance.
    SixMonths,
    /// Twelve months in advance.
    TwelveMonths,
}

/// A term of another length was asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a prepaid term of {0} months is not offered: expected 1, 3, 6 or 12 months")]
pub struct PrepaidTermError(pub u32);

/// The prepaid terms are 1, 3, 6 and 12 months (R11.1).
impl crate::rule::RuleError for PrepaidTermError {
    fn rule(&self) -> crate::RuleId {
        crate::rule::R11_1
    }
}

impl PrepaidTerm {
    /// Every term, shortest first.
    pub const ALL: [Self; 4] = [
        Self::OneMonth,
        Self::ThreeMonths,
        Self::SixMonths,
        Self::TwelveMonths,
    ];

    /// The term of `months` months.
    ///
    /// # Errors
    /// [`PrepaidTermError`] unless `months` is 1, 3, 6 or 12.
    pub const fn from_months(months: u32) -> Result<Self, PrepaidTermError> {
        match months {
            1 => Ok(Self::OneMonth),
            3 => Ok(Self::ThreeMonths),
            6 => Ok(Self::SixMonths),
            12 => Ok(Self::TwelveMonths),
            other => Err(PrepaidTermError(other)),
        }
    }

    /// The number of months.
    #[must_use]
    pub const fn months(self) -> u32 {
        match self {
            Self::OneMonth => 1,
            Self::ThreeMonths => 3,
            Self::SixMonths => 6,
            Self::TwelveMonths => 12,
        }
    }
}

impl fmt::Display for PrepaidTerm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.months() {
            1 => f.write_str("1 month"),
            n => write!(f, "{n} months"),
        }
    }
}

impl TryFrom<u32> for PrepaidTerm {
    type Error = PrepaidTermError;
    fn try_from(months: u32) -> Result<Self, Self::Error> {
        Self::from_months(months)
    }
}

impl From<PrepaidTerm> for u32 {
    fn from(term: PrepaidTerm) -> Self {
        term.months()
    }
}
