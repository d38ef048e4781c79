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
