//! Renewal decisions: whether one number is charged on one day (R10.2, R10.7, R10.D4).

use std::cmp::Ordering;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use vnum_core::rule::{self, RuleId};
use vnum_core::{Money, Period};

use crate::BillingError;
use crate::calendar::{BillingAnchor, MonthIndex, days_in_month, month_index};

/// The day a renewal run is for, prepared once per run so that deciding for each number is
/// integer arithmetic: no time zone conversion, no allocation.
///
/// The day is a calendar day in the billing time zone (R10.D2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RenewalDay {
    date: NaiveDate,
    month: MonthIndex,
    day: u8,
    days_in_month: u8,
}

impl RenewalDay {
    /// The run for the local day `today`.
    #[must_use]
    pub fn new(today: NaiveDate) -> Self {
        let month = month_index(today);
        Self {
            date: today,
            month,
            // `Datelike::day` is always 1..=31.
            day: today.day() as u8,
            days_in_month: days_in_month(month),
        }
    }

    /// The run for the day that contains `now` in the billing zone `tz` (R10.D2).
    #[must_use]
    pub fn of_instant(now: DateTime<Utc>, tz: Tz) -> Self {
        Self::new(now.with_timezone(&tz).date_naive())
    }

    /// The local day.
    #[must_use]
    pub const fn date(&self) -> NaiveDate {
        self.date
    }
}

/// What a renewal run needs to know about one number.
///
/// Periods are paid in order from period 0 (paid with the order, R1.4): `paid_periods` is
/// how many, so the next period to charge is period `paid_periods`. A prepaid term of `n`
/// months adds `n` at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberBilling {
    anchor: BillingAnchor,
    monthly_price: Money,
    paid_periods: u32,
    deleted_on: Option<NaiveDate>,
}

impl NumberBilling {
    /// A number on the calendar `anchor`, renewed at `monthly_price`, with its first
    /// `paid_periods` periods paid.
    #[must_use]
    pub const fn new(anchor: BillingAnchor, monthly_price: Money, paid_periods: u32) -> Self {
        Self {
            anchor,
            monthly_price,
            paid_periods,
            deleted_on: None,
        }
    }

    /// The same number, deleted on the local day `day` (R10.7).
    #[must_use]
    pub const fn deleted_on(self, day: NaiveDate) -> Self {
        Self {
            deleted_on: Some(day),
            ..self
        }
    }

    /// The same number with `periods` more periods paid, after a charge was recorded.
    #[must_use]
    pub const fn with_paid(self, periods: u32) -> Self {
        Self {
            paid_periods: self.paid_periods.saturating_add(periods),
            ..self
        }
    }

    /// The billing calendar.
    #[must_use]
    pub const fn anchor(&self) -> BillingAnchor {
        self.anchor
    }

    /// The monthly fee.
    #[must_use]
    pub const fn monthly_price(&self) -> Money {
        self.monthly_price
    }

    /// How many periods are paid, from period 0.
    #[must_use]
    pub const fn paid_periods(&self) -> u32 {
        self.paid_periods
    }

    /// The day the number was deleted, if it was.
    #[must_use]
    pub const fn deletion(&self) -> Option<NaiveDate> {
        self.deleted_on
    }

    /// The days paid for so far: up to the start of the first unpaid period.
    ///
    /// # Errors
    /// [`BillingError::BeyondCalendar`] past the supported calendar.
    pub fn paid_until(&self) -> Result<NaiveDate, BillingError> {
        self.anchor.charge_day(self.paid_periods)
    }

    /// The prepaid term a customer buys next: `term` months from the first unpaid period,
    /// on the same connection day (R10.2, R11.1).
    ///
    /// # Errors
    /// [`BillingError::BeyondCalendar`] past the supported calendar.
    pub fn next_term(&self, term: vnum_core::PrepaidTerm) -> Result<Period, BillingError> {
        self.anchor.term(self.paid_periods, term)
    }

    /// Decides whether the number is charged on `today`.
    ///
    /// The first unpaid period is charged once its charge day has come (R10.2), whatever
    /// the balance (R10.3), unless the number was deleted at least one day before that
    /// charge day (R10.7). A run that missed days catches up one period per decision: the
    /// caller records the charge, adds it with [`NumberBilling::with_paid`] and decides
    /// again until the decision is no longer a charge. Running again on the same day
    /// charges nothing (R10.D4).
    ///
    /// # Errors
    /// [`BillingError::BeyondCalendar`] past the supported calendar.
    #[inline]
    pub fn decide(&self, today: &RenewalDay) -> Result<RenewalDecision, BillingError> {
        let current = self
            .anchor
            .signed_index(today.month, today.day, today.days_in_month);
        if current < 0 {
            return Ok(RenewalDecision::NotDue);
        }
        // Periods before `paid_periods` are paid; compare the first unpaid one with today's.
        Ok(match i64::from(self.paid_periods).cmp(&(current + 1)) {
            Ordering::Greater => RenewalDecision::PrepaidCovered {
                until: self.paid_until()?,
            },
            Ordering::Equal if self.is_charge_day(today) => RenewalDecision::AlreadyCharged {
                period: self.anchor.period(self.paid_periods - 1)?,
            },
            Ordering::Equal => RenewalDecision::NotDue,
            Ordering::Less => self.due(self.paid_periods)?,
        })
    }

    fn is_charge_day(&self, today: &RenewalDay) -> bool {
        today.day
            == self
                .anchor
                .connection_day()
                .in_month_of(today.days_in_month)
    }

    #[cold]
    fn due(&self, k: u32) -> Result<RenewalDecision, BillingError> {
        let charge_day = self.anchor.charge_day(k)?;
        match self.deleted_on {
            Some(deleted_on) if deleted_on < charge_day => Ok(RenewalDecision::DeletedInTime {
                deleted_on,
                charge_day,
            }),
            _ => Ok(RenewalDecision::Charge {
                index: k,
                period: self.anchor.period(k)?,
                amount: self.monthly_price,
            }),
        }
    }
}

/// The outcome of a renewal for one number on one day; [`RenewalDecision::rule`] names the
/// rule that made it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum RenewalDecision {
    /// Charge the monthly fee `amount` for period number `index`, `period` (R10.2). The
    /// charge is made whatever the balance (R10.3).
    Charge {
        /// The index of the period (0 starts on the connection day).
        index: u32,
        /// The days the fee pays for.
        period: Period,
        /// The fee, above or equal to zero; the ledger records it as a negative entry.
        amount: Money,
    },
    /// Today is not a charge day of this number and nothing is overdue (R10.2).
    NotDue,
    /// Today's period was charged before: a second run charges nothing (R10.D4).
    AlreadyCharged {
        /// The period charged before.
        period: Period,
    },
    /// A prepaid term covers today and beyond; nothing is charged until it runs out
    /// (R10.1).
    PrepaidCovered {
        /// The first day not paid for.
        until: NaiveDate,
    },
    /// The number was deleted at least one day before the charge day, so it is not charged
    /// (R10.7).
    DeletedInTime {
        /// The day it was deleted.
        deleted_on: NaiveDate,
        /// The charge day it was deleted before.
        charge_day: NaiveDate,
    },
}

impl RenewalDecision {
    /// The rule that made the decision.
    #[must_use]
    pub const fn rule(&self) -> RuleId {
        match self {
            Self::Charge { .. } | Self::NotDue => rule::R10_2,
            Self::AlreadyCharged { .. } => rule::R10_D4,
            Self::PrepaidCovered { .. } => rule::R10_1,
            Self::DeletedInTime { .. } => rule::R10_7,
        }
    }
}

/// What cancelling a number gives back: nothing (R10.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Cancellation {
    /// The day the number was deleted.
    pub deleted_on: NaiveDate,
    /// The first day not paid for; the days from `deleted_on` to here are paid and lost.
    pub paid_until: NaiveDate,
    /// The money returned to the balance, always zero.
    pub refund: Money,
    /// R10.6.
    pub rule: RuleId,
}

/// Cancels `number` on the local day `deleted_on`. Cancelling before the end of a paid
/// period (or prepaid term) refunds nothing (R10.6); the returned number no longer renews
/// (R10.7).
///
/// # Errors
/// [`BillingError::BeyondCalendar`] past the supported calendar.
pub fn cancel(
    number: NumberBilling,
    deleted_on: NaiveDate,
) -> Result<(NumberBilling, Cancellation), BillingError> {
    let cancellation = Cancellation {
        deleted_on,
        paid_until: number.paid_until()?,
        refund: Money::zero(number.monthly_price.currency()),
        rule: rule::R10_6,
    };
    Ok((number.deleted_on(deleted_on), cancellation))
}
