//! Monthly add-ons of a number, such as CallerID (R6.2): prepaid like every service
//! (R6.D1, R10.1).

use chrono::NaiveDate;
use serde::Serialize;
use vnum_core::{Money, Period};

use crate::BillingError;
use crate::calendar::BillingAnchor;

/// What turning a monthly add-on on costs now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct AddOnCharge {
    /// The days it pays for: from the current period (or the end of what was paid for the
    /// add-on before) to the end of what the number is paid for.
    pub period: Period,
    /// How many monthly periods that is.
    pub months: u32,
    /// The add-on's monthly fee times `months`.
    pub amount: Money,
}

/// Why the CallerID add-on cannot be turned on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AddOnError {
    /// The number's offer has no CallerID add-on: its carrier cannot present it (R6.2).
    #[error("the carrier of this number cannot present it: no CallerID add-on")]
    NotOffered,
    /// The number is not connected: the add-on is paid with the number (R6.D1).
    #[error("the CallerID add-on is paid with the number: turn it on once the number is connected")]
    NotConnected,
}

impl vnum_core::rule::RuleError for AddOnError {
    fn rule(&self) -> vnum_core::RuleId {
        match self {
            Self::NotOffered => vnum_core::rule::R6_2,
            Self::NotConnected => vnum_core::rule::R6_D1,
        }
    }
}

/// The CallerID add-on's monthly fee of an offer that has one (R6.2).
///
/// # Errors
/// [`AddOnError::NotOffered`] when the offer has none.
pub fn caller_id_fee(offered: Option<Money>) -> Result<Money, AddOnError> {
    offered.ok_or(AddOnError::NotOffered)
}

/// A number's monthly fee `fee` after an add-on of monthly fee `add_on` is turned on or
/// off: from the next charge day the add-on is charged with the number (R6.D1).
///
/// # Errors
/// [`BillingError::Money`] when the fees are in different currencies or the sum overflows.
pub fn monthly_fee_with(fee: Money, add_on: Money, on: bool) -> Result<Money, BillingError> {
    let change = if on { add_on } else { -add_on };
    Ok(fee.checked_add(change)?)
}

/// What turning on an add-on of `monthly` fee costs on `today` for a number on the calendar
/// `anchor` paid up to `paid_through` (R6.D1).
///
/// The add-on is prepaid like the number (R10.1): its fee is charged at once for every
/// monthly period from the one containing `today` up to `paid_through` (one period for a
/// monthly number; the rest of the term for a prepaid term), except the periods already
/// paid for it (`covered_until`: it was on before, and was paid or renewed up to there).
/// From the next charge day it is charged with the number. Turning it off refunds nothing
/// (R10.6), so turning it off and on again within paid periods costs nothing more.
///
/// `None` when nothing is left to pay.
///
/// # Errors
/// [`BillingError::BeforeConnection`] when `today` is before the connection day;
/// [`BillingError::BeyondCalendar`] past the supported calendar.
pub fn add_on_due(
    anchor: &BillingAnchor,
    today: NaiveDate,
    paid_through: NaiveDate,
    covered_until: Option<NaiveDate>,
    monthly: Money,
) -> Result<Option<AddOnCharge>, BillingError> {
    let (current, period) = anchor.period_containing(today)?;
    let from = covered_until.map_or(period.start(), |covered| covered.max(period.start()));
    if from >= paid_through {
        return Ok(None);
    }
    let first = anchor.index_of(from).unwrap_or(current);
    let end = anchor
        .index_of(paid_through)
        .ok_or(BillingError::BeforeConnection {
            day: paid_through,
            connected_on: anchor.connected_on(),
        })?;
    let months = end.saturating_sub(first);
    if months == 0 {
        return Ok(None);
    }
    let period = Period::new(anchor.charge_day(first)?, anchor.charge_day(end)?)
        .map_err(|_| BillingError::BeyondCalendar { index: end })?;
    let amount = monthly
        .checked_mul(months.into())
        .map_err(|_| BillingError::BeyondCalendar { index: end })?;
    Ok(Some(AddOnCharge {
        period,
        months,
        amount,
    }))
}

#[cfg(test)]
mod tests {
    use vnum_core::rule::{self, RuleError};
    use vnum_testkit::eur_cents as eur;

    use super::*;

    #[test]
    fn r6_2_caller_id_needs_an_offer_with_the_add_on() {
        assert_eq!(caller_id_fee(Some(eur(300))), Ok(eur(300)));
        let refused = caller_id_fee(None).unwrap_err();
        assert_eq!(refused, AddOnError::NotOffered);
        assert_eq!(refused.rule(), rule::R6_2);
        assert_eq!(AddOnError::NotConnected.rule(), rule::R6_D1);
    }

    #[test]
    fn r6_d1_the_add_on_joins_the_monthly_fee_and_leaves_it_again() {
        let on = monthly_fee_with(eur(1000), eur(300), true).unwrap();
        assert_eq!(on, eur(1300));
        assert_eq!(monthly_fee_with(on, eur(300), false).unwrap(), eur(1000));
        let usd = vnum_testkit::usd("3.00");
        assert!(matches!(
            monthly_fee_with(eur(1000), usd, true),
            Err(BillingError::Money(_))
        ));
    }
}
