//! The billing calendar: connection days, monthly periods and prepaid terms (R10.2, R10.D1,
//! R10.D2).

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use vnum_core::{Period, PrepaidTerm};

use crate::BillingError;

/// The day of the month a number was connected on, 1 to 31 (R10.2).
///
/// Invariant: `1 <= day <= 31`. The day is a calendar day in the provider's billing time
/// zone (R10.D2), so a number connected at 23:30 UTC on 19 January in Europe/Moscow has
/// connection day 20.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct ConnectionDay(u8);

impl ConnectionDay {
    /// The connection day `day`.
    ///
    /// # Errors
    /// [`BillingError::InvalidConnectionDay`] unless `1 <= day <= 31`.
    pub fn new(day: u32) -> Result<Self, BillingError> {
        match u8::try_from(day) {
            Ok(d @ 1..=31) => Ok(Self(d)),
            _ => Err(BillingError::InvalidConnectionDay(day)),
        }
    }

    /// The connection day of a number connected at `connected_at`, read in the billing
    /// zone `tz` (R10.D2).
    #[must_use]
    pub fn of_instant(connected_at: DateTime<Utc>, tz: Tz) -> Self {
        Self::of_day(connected_at.with_timezone(&tz).date_naive())
    }

    /// The connection day of a number connected on the local day `connected_on`.
    #[must_use]
    pub fn of_day(connected_on: NaiveDate) -> Self {
        // `Datelike::day` is always 1..=31.
        Self(connected_on.day() as u8)
    }

    /// The day of the month, 1 to 31.
    #[must_use]
    pub const fn get(self) -> u32 {
        self.0 as u32
    }

    /// The day this connection day falls on in a month of `days_in_month` days: the
    /// connection day itself, or the month's last day when the month is shorter (R10.D1).
    #[must_use]
    pub const fn in_month_of(self, days_in_month: u8) -> u8 {
        if self.0 < days_in_month {
            self.0
        } else {
            days_in_month
        }
    }
}

impl fmt::Display for ConnectionDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl TryFrom<u32> for ConnectionDay {
    type Error = BillingError;
    fn try_from(day: u32) -> Result<Self, Self::Error> {
        Self::new(day)
    }
}

impl From<ConnectionDay> for u32 {
    fn from(day: ConnectionDay) -> Self {
        day.get()
    }
}

/// A month counted from year 0: `year * 12 + (month - 1)`.
///
/// Counting months on one line is what keeps periods from drifting: period `k` is computed
/// from the anchor month plus `k`, never from the previous period (R10.D1).
pub(crate) type MonthIndex = i32;

pub(crate) fn month_index(day: NaiveDate) -> MonthIndex {
    day.year() * 12 + day.month0() as i32
}

/// The number of days of the month `index`.
pub(crate) const fn days_in_month(index: MonthIndex) -> u8 {
    let year = index.div_euclid(12);
    match index.rem_euclid(12) + 1 {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

pub(crate) fn date_of(index: MonthIndex, day: u8) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        index.div_euclid(12),
        index.rem_euclid(12) as u32 + 1,
        u32::from(day),
    )
}

/// Where a number's billing calendar starts: the local day it was connected on.
///
/// Period `k` (`k = 0` starts on the connection day) starts on the connection day of the
/// `k`-th month after the connection month, or that month's last day when the month is
/// shorter (R10.2, R10.D1), and ends where period `k + 1` starts. Connected on 31 January
/// 2028, the charge days are 29 February, 31 March, 30 April, 31 May, …
///
/// Invariant: the connection day is the day of the month of the connection date, so
/// period 0 starts on the connection date itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "NaiveDate", into = "NaiveDate")]
pub struct BillingAnchor {
    month: MonthIndex,
    day: ConnectionDay,
}

impl BillingAnchor {
    /// The calendar of a number connected on the local day `connected_on`.
    #[must_use]
    pub fn new(connected_on: NaiveDate) -> Self {
        Self {
            month: month_index(connected_on),
            day: ConnectionDay::of_day(connected_on),
        }
    }

    /// The calendar of a number connected at the instant `connected_at`, whose day is read
    /// in the billing zone `tz` (R10.D2).
    #[must_use]
    pub fn from_instant(connected_at: DateTime<Utc>, tz: Tz) -> Self {
        Self::new(connected_at.with_timezone(&tz).date_naive())
    }

    /// The connection day.
    #[must_use]
    pub const fn connection_day(&self) -> ConnectionDay {
        self.day
    }

    /// The local day the number was connected on.
    #[must_use]
    pub fn connected_on(&self) -> NaiveDate {
        // The constructor took the month and day from a real date.
        date_of(self.month, self.day.0).unwrap_or(NaiveDate::MIN)
    }

    /// The day period `k` starts and is charged on (R10.2, R10.D1).
    ///
    /// # Errors
    /// [`BillingError::BeyondCalendar`] when the day would be past the supported calendar.
    pub fn charge_day(&self, k: u32) -> Result<NaiveDate, BillingError> {
        let beyond = BillingError::BeyondCalendar { index: k };
        let month = i32::try_from(k)
            .ok()
            .and_then(|k| self.month.checked_add(k))
            .ok_or(beyond.clone())?;
        date_of(month, self.day.in_month_of(days_in_month(month))).ok_or(beyond)
    }

    /// Period `k`: from charge day `k` to charge day `k + 1` (R10.2, R10.D1).
    ///
    /// # Errors
    /// [`BillingError::BeyondCalendar`] when the period would be past the supported calendar.
    pub fn period(&self, k: u32) -> Result<Period, BillingError> {
        self.periods(k, 1)
    }

    /// The prepaid term that starts with period `k`: periods `k..k + n` for a term of `n`
    /// months, anchored on the same connection day as every monthly period (R10.2, R11.1).
    ///
    /// # Errors
    /// [`BillingError::BeyondCalendar`] when the term would end past the supported calendar.
    pub fn term(&self, k: u32, term: PrepaidTerm) -> Result<Period, BillingError> {
        self.periods(k, term.months())
    }

    fn periods(&self, k: u32, months: u32) -> Result<Period, BillingError> {
        let end = k
            .checked_add(months)
            .ok_or(BillingError::BeyondCalendar { index: k })?;
        let period = Period::new(self.charge_day(k)?, self.charge_day(end)?);
        // Charge days strictly increase with k, so the period is never empty.
        period.map_err(|_| BillingError::BeyondCalendar { index: k })
    }

    /// The index of the period that contains `day`, or `None` before the connection.
    #[must_use]
    pub fn index_of(&self, day: NaiveDate) -> Option<u32> {
        let month = month_index(day);
        // `Datelike::day` is always 1..=31.
        let k = self.signed_index(month, day.day() as u8, days_in_month(month));
        u32::try_from(k).ok()
    }

    /// The index of the period that contains day `day` of the month `month` of
    /// `days_in_month` days; below zero before the connection. Integer arithmetic only, so
    /// a renewal run can call it for every number.
    pub(crate) const fn signed_index(&self, month: MonthIndex, day: u8, days_in_month: u8) -> i64 {
        let months = month as i64 - self.month as i64;
        if day >= self.day.in_month_of(days_in_month) {
            months
        } else {
            months - 1
        }
    }

    /// The period that contains `day`, with its index.
    ///
    /// # Errors
    /// [`BillingError::BeforeConnection`] when `day` is before the connection day.
    pub fn period_containing(&self, day: NaiveDate) -> Result<(u32, Period), BillingError> {
        let k = self
            .index_of(day)
            .ok_or_else(|| BillingError::BeforeConnection {
                day,
                connected_on: self.connected_on(),
            })?;
        Ok((k, self.period(k)?))
    }

    /// The first charge day on or after `day`, with the index of the period it starts.
    /// Before the connection it is the connection day itself. Paying a debt late does not
    /// move it: the calendar depends on the connection day only (R10.5).
    ///
    /// # Errors
    /// [`BillingError::BeyondCalendar`] past the supported calendar.
    pub fn next_charge_on_or_after(
        &self,
        day: NaiveDate,
    ) -> Result<(u32, NaiveDate), BillingError> {
        let k = match self.index_of(day) {
            None => 0,
            Some(k) => {
                let start = self.charge_day(k)?;
                if start == day { k } else { k + 1 }
            }
        };
        Ok((k, self.charge_day(k)?))
    }
}

impl From<NaiveDate> for BillingAnchor {
    fn from(connected_on: NaiveDate) -> Self {
        Self::new(connected_on)
    }
}

impl From<BillingAnchor> for NaiveDate {
    fn from(anchor: BillingAnchor) -> Self {
        anchor.connected_on()
    }
}

impl fmt::Display for BillingAnchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "connected on {}, charged on day {}",
            self.connected_on(),
            self.day
        )
    }
}

/// The connection days whose monthly charge falls on `day`, each with the end of the period
/// it starts there (R10.2, R10.D1).
///
/// On most days that is the connection day equal to the day of the month. On the last day
/// of a month it is also every later connection day the month does not have: on 28
/// February 2027 the connection days 28, 29, 30 and 31 are charged, and their periods end
/// on 28, 29, 30 and 31 March. This is what lets a renewal run select the due numbers of a
/// day as a set, by connection day, instead of asking every number.
#[must_use]
pub fn charges_due_on(day: NaiveDate) -> Vec<(ConnectionDay, NaiveDate)> {
    let month = month_index(day);
    let length = days_in_month(month);
    let next_length = days_in_month(month + 1);
    let today = day.day() as u8;
    let last = if today == length { 31 } else { today };
    (today..=last)
        .filter_map(|d| {
            let connection_day = ConnectionDay(d);
            let end = date_of(month + 1, connection_day.in_month_of(next_length))?;
            Some((connection_day, end))
        })
        .collect()
}

/// The instant the local `day` starts in `tz` (R10.D2).
///
/// Where local midnight does not exist (a clock jumping forward at 00:00, as in
/// America/Santiago or Asia/Beirut) the day starts at the end of the gap, the first instant
/// whose local date is `day`. Where midnight happens twice (a clock falling back at 00:00)
/// the day starts at the earlier of the two.
#[must_use]
pub fn start_of_day(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight: NaiveDateTime = day.and_time(chrono::NaiveTime::MIN);
    if let Some(start) = tz.from_local_datetime(&midnight).earliest() {
        return start.with_timezone(&Utc);
    }
    // Local midnight falls in a gap. Every offset is within ±26 hours, so `day` starts
    // somewhere in this window, and the local date only moves forward across a gap: search
    // for the first second whose local date is `day`.
    let around = midnight.and_utc();
    let window = TimeDelta::hours(30);
    let (mut lo, mut hi) = (
        around.checked_sub_signed(window).unwrap_or(around),
        around.checked_add_signed(window).unwrap_or(around),
    );
    while (hi - lo).num_seconds() > 1 {
        let mid = lo + TimeDelta::seconds((hi - lo).num_seconds() / 2);
        if mid.with_timezone(&tz).date_naive() >= day {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}
