//! What can go wrong in billing.

use chrono::NaiveDate;
use vnum_core::{Money, MoneyError, NumberId, Period};

use crate::ledger::EntryKind;

/// Everything the billing calendar, the ledger and the renewal rules refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BillingError {
    /// A connection day outside 1–31 was asked for.
    #[error("connection day {0} does not exist: expected a day of the month from 1 to 31")]
    InvalidConnectionDay(u32),
    /// A period so far from the connection that the calendar cannot name its days.
    #[error("billing period {index} is beyond the supported calendar")]
    BeyondCalendar {
        /// The index of the period asked for (0 is the period that starts on connection).
        index: u32,
    },
    /// A day before the number was connected has no billing period.
    #[error("{day} is before the connection on {connected_on}: no billing period contains it")]
    BeforeConnection {
        /// The day asked about.
        day: NaiveDate,
        /// The day the number was connected.
        connected_on: NaiveDate,
    },
    /// The balance does not cover what must be paid in advance (R1.4).
    #[error("the balance of {available} does not cover {needed} due in advance: please top up")]
    InsufficientBalance {
        /// What the order costs up front.
        needed: Money,
        /// The balance there is.
        available: Money,
    },
    /// A period of a number was charged before (R10.D4).
    #[error("number {number} was already charged for {period}: a period is charged once")]
    PeriodAlreadyCharged {
        /// The number.
        number: NumberId,
        /// The period asked to be charged again.
        period: Period,
    },
    /// An entry's amount has the wrong sign or is zero for its kind.
    #[error("a {kind} of {amount} is not allowed: the amount must be above zero")]
    AmountNotPositive {
        /// The kind of entry.
        kind: EntryKind,
        /// The amount given.
        amount: Money,
    },
    /// An adjustment of zero records nothing.
    #[error("an adjustment of zero changes nothing: give an amount above or below zero")]
    ZeroAdjustment,
    /// Amounts in different currencies, or out of range.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl vnum_core::rule::RuleError for BillingError {
    fn rule(&self) -> vnum_core::RuleId {
        use vnum_core::rule;
        match self {
            Self::InvalidConnectionDay(_) | Self::BeforeConnection { .. } => rule::R10_2,
            Self::BeyondCalendar { .. } => rule::R10_D1,
            Self::InsufficientBalance { .. } => rule::R1_4,
            Self::PeriodAlreadyCharged { .. } => rule::R10_D4,
            Self::AmountNotPositive { .. } | Self::ZeroAdjustment => rule::R10_D5,
            Self::Money(e) => e.rule(),
        }
    }
}
