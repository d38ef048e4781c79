//! Renewal decisions: whether one number is charged on one day (R10.2, R10.7, R10.D4).

use std::cmp::Ordering;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use vnum_core::rule::{self, RuleId};
use vnum_core::{Money, Period};

use crate::BillingError;
use crate::calendar::{BillingAnchor, ConnectionDay, MonthIndex, days_in_month, month_index};

/// The day a renewal run is for, and the one rule of what is due on it (R10.2, R10.7,
/// R10.D1).
///
/// A number is charged on a day when three things hold:
/// - the day is its charge day: its connection day, or the month's last day when the
///   month is shorter than the connection day (R10.2, R10.D1);
/// - it is paid up to that day at most (`paid_through <= day`; a prepaid term moves
///   `paid_through` months ahead, R10.1);
/// - it was not deleted at least one day before (`deleted_on >= day` or never, R10.7);
/// - it was not set not to renew at least one day before (`stopped_on >= day` or never,
///   R10.7): the customer's choice counts from the day after it was made, exactly as a
///   deletion does, so choosing on the charge day itself does not avoid that day's charge.
///
/// A number that does not renew and was not charged on the day is released that day
/// ([`RenewalDay::releases`]): its paid period (a prepaid term included) ended the day
/// before, and it is never charged again (R10.6, R10.7).
///
/// It is charged the period `[day, end)`, where `end` is its next charge day. The run goes
/// through every day since the last completed one, so a charged number's `paid_through`
/// moves past the day and a second run charges nothing (R10.D4).
///
/// The rule has two faces that say the same: [`RenewalDay::charge`], a predicate on one
/// number that the in-memory store calls, and [`RenewalDay::anchors`] with
/// [`RenewalDay::date`], the data a SQL store turns into one set-based query (the connection
/// days due on the day and the end of the period each starts). A property test holds them
/// equal.
///
/// The day is a calendar day in the billing time zone (R10.D2). Deciding for a number is
/// integer arithmetic: no time zone conversion, no allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RenewalDay {
    date: NaiveDate,
    month: MonthIndex,
    day: u8,
    days_in_month: u8,
    next_month_days: u8,
}

/// A connection day due on a renewal day and the end of the period it starts there: the
/// data a store selects due numbers by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DueAnchor {
    /// The connection day.
    pub connection_day: ConnectionDay,
    /// The first day after the period charged.
    pub period_end: NaiveDate,
}

/// What the due rule reads of a number: the columns a store keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DueNumber {
    /// The connection day of its calendar.
    pub connection_day: ConnectionDay,
    /// The first day not paid for.
    pub paid_through: NaiveDate,
    /// The local day it was deleted, if it was.
    pub deleted_on: Option<NaiveDate>,
    /// The local day the customer set it not to renew, while it does not renew (R10.7).
    pub stopped_on: Option<NaiveDate>,
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
            next_month_days: days_in_month(month + 1),
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

    /// The period charged today to a number with this connection day, when today is one of
    /// its charge days (R10.2, R10.D1).
    #[inline]
    #[must_use]
    pub fn period_of(&self, connection_day: ConnectionDay) -> Option<Period> {
        if connection_day.in_month_of(self.days_in_month) != self.day {
            return None;
        }
        let end = crate::calendar::date_of(
            self.month + 1,
            connection_day.in_month_of(self.next_month_days),
        )?;
        Period::new(self.date, end).ok()
    }

    /// The due rule as a predicate: the period `number` is charged today, or `None`.
    #[inline]
    #[must_use]
    pub fn charge(&self, number: &DueNumber) -> Option<Period> {
        if number.paid_through > self.date {
            return None;
        }
        // R10.7: deleted (or set not to renew) on the charge day is charged; before it is
        // not.
        if number.deleted_on.is_some_and(|deleted| deleted < self.date)
            || number.stopped_on.is_some_and(|stopped| stopped < self.date)
        {
            return None;
        }
        self.period_of(number.connection_day)
    }

    /// The end of a number that does not renew (R10.7): true when `number` is released on
    /// this day, because its paid period ended and it was set not to renew at least one day
    /// before. A SQL store selects the same numbers with the same three conditions: not
    /// deleted, `stopped_on < date`, `paid_through <= date`. A number released is never
    /// charged on the day ([`RenewalDay::charge`] answers `None` for it), and once released
    /// (deleted on the day) it is not released again.
    #[must_use]
    pub fn releases(&self, number: &DueNumber) -> bool {
        number.deleted_on.is_none()
            && number.stopped_on.is_some_and(|stopped| stopped < self.date)
            && number.paid_through <= self.date
    }

    /// The due rule as data: every connection day charged today, with the end of the period
    /// it starts. A store selects the numbers with one of these connection days, paid
    /// through [`RenewalDay::date`] at most and not deleted before it.
    #[must_use]
    pub fn anchors(&self) -> Vec<DueAnchor> {
        crate::calendar::charges_due_on(self.date)
            .into_iter()
            .map(|(connection_day, period_end)| DueAnchor {
                connection_day,
                period_end,
            })
            .collect()
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
    stopped_on: Option<NaiveDate>,
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
            stopped_on: None,
        }
    }

    /// The same number, set not to renew on the local day `day` (R10.7), or renewing again
    /// with `None`.
    #[must_use]
    pub const fn stopped_on(self, day: Option<NaiveDate>) -> Self {
        Self {
            stopped_on: day,
            ..self
        }
    }

    /// The day the customer set it not to renew, while it does not renew (R10.7).
    #[must_use]
    pub const fn renewal_stopped(&self) -> Option<NaiveDate> {
        self.stopped_on
    }

    /// The day a number that does not renew is released: the first charge day it is not
    /// charged on, the end of its paid period (a prepaid term included). Set on a charge
    /// day not yet charged, that day is still charged (R10.7) and the number ends a period
    /// later. `None` while it renews.
    ///
    /// # Errors
    /// [`BillingError::BeyondCalendar`] past the supported calendar.
    pub fn ends_on(&self) -> Result<Option<NaiveDate>, BillingError> {
        let Some(stopped) = self.stopped_on else {
            return Ok(None);
        };
        let mut index = self.paid_periods;
        loop {
            let day = self.anchor.charge_day(index)?;
            if day > stopped {
                return Ok(Some(day));
            }
            index = index
                .checked_add(1)
                .ok_or(BillingError::BeyondCalendar { index })?;
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

    /// The same number with `periods` more periods paid, after a prepaid term was bought.
    #[must_use]
    pub const fn with_paid(self, periods: u32) -> Self {
        Self {
            paid_periods: self.paid_periods.saturating_add(periods),
            ..self
        }
    }

    /// The same number after the charge of period `index` was recorded: paid up to the
    /// end of that period.
    #[must_use]
    pub const fn charged(self, index: u32) -> Self {
        Self {
            paid_periods: index.saturating_add(1),
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

    /// What the due rule reads of this number (see [`RenewalDay`]).
    ///
    /// # Errors
    /// [`BillingError::BeyondCalendar`] past the supported calendar.
    pub fn due_number(&self) -> Result<DueNumber, BillingError> {
        Ok(DueNumber {
            connection_day: self.anchor.connection_day(),
            paid_through: self.paid_until()?,
            deleted_on: self.deleted_on,
            stopped_on: self.stopped_on,
        })
    }

    /// Decides whether the number is charged on `today`, by the due rule of
    /// [`RenewalDay::charge`], and says why when it is not.
    ///
    /// The first unpaid period is charged on its charge day (R10.2), whatever the balance
    /// (R10.3), unless the number was deleted at least one day before that charge day
    /// (R10.7). A run that missed days decides for each of them in order, as the renewal
    /// run does. Running again on the same day charges nothing (R10.D4).
    ///
    /// # Errors
    /// [`BillingError::BeyondCalendar`] past the supported calendar.
    #[inline]
    pub fn decide(&self, today: &RenewalDay) -> Result<RenewalDecision, BillingError> {
        let due = self.due_number()?;
        if let Some(period) = today.charge(&due) {
            let index =
                self.anchor
                    .index_of(period.start())
                    .ok_or(BillingError::BeyondCalendar {
                        index: self.paid_periods,
                    })?;
            return Ok(RenewalDecision::Charge {
                index,
                period,
                amount: self.monthly_price,
            });
        }
        self.why_not(today, &due)
    }

    #[cold]
    fn why_not(
        &self,
        today: &RenewalDay,
        due: &DueNumber,
    ) -> Result<RenewalDecision, BillingError> {
        let current = self
            .anchor
            .signed_index(today.month, today.day, today.days_in_month);
        let charge_day = today.period_of(due.connection_day).is_some();
        Ok(match i64::from(self.paid_periods).cmp(&(current + 1)) {
            _ if current < 0 => RenewalDecision::NotDue,
            Ordering::Greater => RenewalDecision::PrepaidCovered {
                until: due.paid_through,
            },
            Ordering::Equal if charge_day => RenewalDecision::AlreadyCharged {
                period: self.anchor.period(self.paid_periods - 1)?,
            },
            Ordering::Less => match (self.deleted_on, self.stopped_on) {
                (Some(deleted_on), _) if charge_day && deleted_on < today.date => {
                    RenewalDecision::DeletedInTime {
                        deleted_on,
                        charge_day: today.date,
                    }
                }
                (_, Some(stopped_on)) if charge_day => RenewalDecision::NotRenewed {
                    stopped_on,
                    charge_day: today.date,
                },
                _ => RenewalDecision::NotDue,
            },
            Ordering::Equal => RenewalDecision::NotDue,
        })
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
    /// The number was set not to renew at least one day before the charge day: it is not
    /// charged and its paid period ends (R10.7).
    NotRenewed {
        /// The day it was set not to renew.
        stopped_on: NaiveDate,
        /// The charge day it was set before, the day it is released.
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
            Self::DeletedInTime { .. } | Self::NotRenewed { .. } => rule::R10_7,
        }
    }
}

/// The rule a number's first term is charged by, with its order: a prepaid term of several
/// months (R11.1), or the first month paid in advance (R1.4).
#[must_use]
pub const fn first_term_rule(term: vnum_core::PrepaidTerm) -> RuleId {
    match term {
        vnum_core::PrepaidTerm::OneMonth => rule::R1_4,
        _ => rule::R11_1,
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

/// Why a number's renewal cannot be changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RenewalError {
    /// The number is no longer the customer's: released at the end of its paid period, or
    /// deleted (R10.7).
    #[error(
        "the number ended on {ended_on}: it was released and can no longer renew; order a new \
         number instead"
    )]
    Ended {
        /// The local day it was released or deleted.
        ended_on: NaiveDate,
    },
    /// The number is not connected yet: it has no paid period to end (R10.2).
    #[error(
        "the number is not connected yet: it renews from its connection day, and can be set \
         not to renew once connected"
    )]
    NotConnected,
}

impl vnum_core::rule::RuleError for RenewalError {
    fn rule(&self) -> RuleId {
        match self {
            Self::Ended { .. } => rule::R10_7,
            Self::NotConnected => rule::R10_2,
        }
    }
}

/// Sets whether `number` renews, on the local day `today` (R10.7, R10.6).
///
/// Not renewing, the number keeps working to the end of its paid period (a prepaid term
/// included), is never charged again and is released then; nothing is refunded (R10.6).
/// The choice counts from the day after it was made, like a deletion (R10.7): made on a
/// charge day not yet charged, that day's charge is still made. Set again, the first day
/// stays. Renewing again is allowed until the number is released: then it renews as if it
/// had never stopped. A balance below zero changes nothing: the number is still the
/// customer's (R10.4).
///
/// # Errors
/// [`RenewalError::Ended`] once the number was released or deleted.
pub fn set_renewal(
    number: NumberBilling,
    renews: bool,
    today: NaiveDate,
) -> Result<NumberBilling, RenewalError> {
    if let Some(ended_on) = number.deleted_on {
        return Err(RenewalError::Ended { ended_on });
    }
    let stopped = match (renews, number.stopped_on) {
        (true, _) => None,
        (false, Some(before)) => Some(before),
        (false, None) => Some(today),
    };
    Ok(number.stopped_on(stopped))
}
