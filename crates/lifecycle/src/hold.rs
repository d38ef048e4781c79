//! Holding a number picked from an offer's list while the customer decides (R1.3).
//!
//! In manual mode (R1.3) a customer picks a concrete number from the numbers an offer
//! lists. Picking may hold it for a while ([`HoldTime`], 15 minutes unless the provider
//! sets another time): while the hold is live the number is not offered, held or sold to
//! anyone else, and the holder's order of it succeeds. A hold ends by itself at its
//! `until` instant (an expiry job removes it) or when the holder releases it or orders
//! the number.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use vnum_core::rule::{self, RuleId};
use vnum_core::{CustomerId, OfferId, PhoneNumber};

/// How long a pick holds a number unless the provider sets another time, in minutes.
pub const DEFAULT_HOLD_MINUTES: u32 = 15;

/// The longest hold the provider may set, in minutes: a day. Commercial platforms hold a
/// picked number 10 (DIDWW) to 30 (Telnyx) minutes; a longer hold keeps a number from
/// every other customer for as long.
pub const MAX_HOLD_MINUTES: u32 = 24 * 60;

/// How many numbers one customer may hold at once, so that one customer cannot lock a
/// whole stock list: a customer choosing among numbers compares a few, and orders them
/// one by one within minutes.
pub const MAX_HOLDS_PER_CUSTOMER: usize = 5;

/// Why a number could not be held or ordered under the holds rule (R1.3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoldError {
    /// Another customer's live hold keeps the number. Who holds it is never said.
    #[error(
        "{number} is held for another customer until {until}: pick another number, or try \
         again after that"
    )]
    HeldByAnother {
        /// The number.
        number: PhoneNumber,
        /// When the hold ends unless that customer orders the number first.
        until: DateTime<Utc>,
    },
    /// The customer holds as many numbers as one customer may at once.
    #[error(
        "you hold {held} numbers already, the most one customer may hold at once: order or \
         release one first"
    )]
    TooManyHolds {
        /// How many numbers the customer holds.
        held: usize,
    },
    /// A hold time outside 1 minute to a day.
    #[error("a hold lasts 1 to {MAX_HOLD_MINUTES} minutes, not {minutes}")]
    HoldTimeOutOfRange {
        /// The minutes asked for.
        minutes: u32,
    },
}

impl vnum_core::rule::RuleError for HoldError {
    fn rule(&self) -> RuleId {
        rule::R1_3
    }
}

/// How long a pick holds a number.
///
/// Invariant: 1 to [`MAX_HOLD_MINUTES`] minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HoldTime(u32);

impl HoldTime {
    /// A hold time of `minutes`.
    ///
    /// # Errors
    /// [`HoldError::HoldTimeOutOfRange`] outside 1 to [`MAX_HOLD_MINUTES`].
    pub const fn from_minutes(minutes: u32) -> Result<Self, HoldError> {
        if minutes == 0 || minutes > MAX_HOLD_MINUTES {
            return Err(HoldError::HoldTimeOutOfRange { minutes });
        }
        Ok(Self(minutes))
    }

    /// The minutes.
    #[must_use]
    pub const fn minutes(self) -> u32 {
        self.0
    }

    /// As a duration.
    #[must_use]
    pub const fn duration(self) -> TimeDelta {
        TimeDelta::minutes(self.0 as i64)
    }
}

impl Default for HoldTime {
    fn default() -> Self {
        Self(DEFAULT_HOLD_MINUTES)
    }
}

/// A number held for one customer until an instant (R1.3).
///
/// The hold is live strictly before `until` and over from `until` on, so a hold of 15
/// minutes placed at 10:00 keeps the number through 10:14:59 and yields it at 10:15.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    number: PhoneNumber,
    offer: OfferId,
    customer: CustomerId,
    until: DateTime<Utc>,
}

/// What a pick does, given the hold the number has (R1.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pick {
    /// The customer holds the number already: the hold stays as it is. Picking again does
    /// not extend a hold, so repeating the pick never keeps a number from others for longer.
    Kept(Hold),
    /// A new hold, to be stored; it replaces a hold that has ended.
    New(Hold),
}

impl Hold {
    /// The hold a pick of `number` (offered by `offer`) places for `customer` at `now`,
    /// lasting `time`.
    #[must_use]
    pub fn new(
        number: PhoneNumber,
        offer: OfferId,
        customer: CustomerId,
        now: DateTime<Utc>,
        time: HoldTime,
    ) -> Self {
        Self {
            number,
            offer,
            customer,
            until: now + time.duration(),
        }
    }

    /// A hold as it was stored.
    #[must_use]
    pub const fn restore(
        number: PhoneNumber,
        offer: OfferId,
        customer: CustomerId,
        until: DateTime<Utc>,
    ) -> Self {
        Self {
            number,
            offer,
            customer,
            until,
        }
    }

    /// What `customer` picking `number` of `offer` at `now` does, given the hold on the
    /// number (`existing`, live or ended), and how many other numbers the customer holds
    /// live (`held_elsewhere`).
    ///
    /// # Errors
    /// [`HoldError::HeldByAnother`] while another customer's hold is live;
    /// [`HoldError::TooManyHolds`] when a new hold would take the customer past
    /// [`MAX_HOLDS_PER_CUSTOMER`].
    pub fn pick(
        existing: Option<&Self>,
        number: PhoneNumber,
        offer: OfferId,
        customer: CustomerId,
        now: DateTime<Utc>,
        time: HoldTime,
        held_elsewhere: usize,
    ) -> Result<Pick, HoldError> {
        if let Some(existing) = existing.filter(|h| h.is_live(now)) {
            existing.admits(customer, now)?;
            return Ok(Pick::Kept(existing.clone()));
        }
        if held_elsewhere >= MAX_HOLDS_PER_CUSTOMER {
            return Err(HoldError::TooManyHolds {
                held: held_elsewhere,
            });
        }
        Ok(Pick::New(Self::new(number, offer, customer, now, time)))
    }

    /// The number held.
    #[must_use]
    pub const fn number(&self) -> &PhoneNumber {
        &self.number
    }

    /// The offer whose list the number was picked from.
    #[must_use]
    pub const fn offer(&self) -> OfferId {
        self.offer
    }

    /// Who holds it.
    #[must_use]
    pub const fn customer(&self) -> CustomerId {
        self.customer
    }

    /// When the hold ends by itself.
    #[must_use]
    pub const fn until(&self) -> DateTime<Utc> {
        self.until
    }

    /// Whether the hold keeps the number at `now`: strictly before `until`. A store that
    /// selects ended holds in SQL writes this as `until <= now`.
    #[must_use]
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        now < self.until
    }

    /// Whether the hold lets `customer` order (or hold) the number at `now`: always once
    /// it has ended, and only its holder while it is live.
    ///
    /// # Errors
    /// [`HoldError::HeldByAnother`], naming the number and until when, never the holder.
    pub fn admits(&self, customer: CustomerId, now: DateTime<Utc>) -> Result<(), HoldError> {
        if self.is_live(now) && self.customer != customer {
            return Err(HoldError::HeldByAnother {
                number: self.number.clone(),
                until: self.until,
            });
        }
        Ok(())
    }

    /// Whether the hold keeps the number from `viewer` at `now`: another customer's live
    /// hold. Operators (`None`) see a number as kept by any live hold.
    #[must_use]
    pub fn hides_from(&self, viewer: Option<CustomerId>, now: DateTime<Utc>) -> bool {
        self.is_live(now) && viewer != Some(self.customer)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use vnum_testkit::phone;

    use super::*;

    fn ten() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap()
    }

    fn held_by(customer: i64) -> Hold {
        Hold::new(
            phone("+4915110000001"),
            OfferId(1),
            CustomerId(customer),
            ten(),
            HoldTime::default(),
        )
    }

    #[test]
    fn r1_3_a_hold_lasts_15_minutes_by_default_and_ends_at_its_until() {
        let hold = held_by(1);
        assert_eq!(hold.until(), ten() + TimeDelta::minutes(15));
        assert!(hold.is_live(ten() + TimeDelta::seconds(899)));
        assert!(!hold.is_live(ten() + TimeDelta::minutes(15)));
    }

    #[test]
    fn r1_3_only_the_holder_may_order_a_held_number_while_the_hold_is_live() {
        let hold = held_by(1);
        assert_eq!(hold.admits(CustomerId(1), ten()), Ok(()));
        let refused = hold.admits(CustomerId(2), ten()).unwrap_err();
        assert_eq!(vnum_core::rule::RuleError::rule(&refused), rule::R1_3);
        assert_eq!(
            refused.to_string(),
            "+4915110000001 is held for another customer until 2026-03-02 10:15:00 UTC: pick \
             another number, or try again after that"
        );
        assert_eq!(
            hold.admits(CustomerId(2), ten() + TimeDelta::minutes(15)),
            Ok(())
        );
    }

    #[test]
    fn r1_3_picking_again_keeps_the_hold_without_extending_it() {
        let hold = held_by(1);
        let later = ten() + TimeDelta::minutes(10);
        let pick = Hold::pick(
            Some(&hold),
            hold.number().clone(),
            OfferId(1),
            CustomerId(1),
            later,
            HoldTime::default(),
            MAX_HOLDS_PER_CUSTOMER,
        );
        assert_eq!(pick, Ok(Pick::Kept(hold)));
    }

    #[test]
    fn r1_3_an_ended_hold_is_taken_over_by_a_new_one() {
        let hold = held_by(1);
        let later = ten() + TimeDelta::minutes(15);
        let pick = Hold::pick(
            Some(&hold),
            hold.number().clone(),
            OfferId(1),
            CustomerId(2),
            later,
            HoldTime::default(),
            0,
        )
        .unwrap();
        let Pick::New(new) = pick else {
            panic!("{pick:?}")
        };
        assert_eq!(new.customer(), CustomerId(2));
        assert_eq!(new.until(), later + TimeDelta::minutes(15));
    }

    #[test]
    fn r1_3_a_customer_holds_at_most_five_numbers_at_once() {
        let pick = |held| {
            Hold::pick(
                None,
                phone("+4915110000002"),
                OfferId(1),
                CustomerId(1),
                ten(),
                HoldTime::default(),
                held,
            )
        };
        assert!(matches!(pick(4), Ok(Pick::New(_))));
        let refused = pick(5).unwrap_err();
        assert_eq!(refused, HoldError::TooManyHolds { held: 5 });
        assert_eq!(vnum_core::rule::RuleError::rule(&refused), rule::R1_3);
    }

    #[test]
    fn r1_3_the_hold_time_is_one_minute_to_a_day() {
        assert_eq!(
            HoldTime::from_minutes(0),
            Err(HoldError::HoldTimeOutOfRange { minutes: 0 })
        );
        assert_eq!(HoldTime::from_minutes(1).map(HoldTime::minutes), Ok(1));
        assert_eq!(
            HoldTime::from_minutes(1440).map(HoldTime::minutes),
            Ok(1440)
        );
        assert!(HoldTime::from_minutes(1441).is_err());
    }

    #[test]
    fn r1_3_a_live_hold_hides_the_number_from_everyone_but_its_holder() {
        let hold = held_by(1);
        assert!(!hold.hides_from(Some(CustomerId(1)), ten()));
        assert!(hold.hides_from(Some(CustomerId(2)), ten()));
        assert!(hold.hides_from(None, ten()));
        assert!(!hold.hides_from(Some(CustomerId(2)), hold.until()));
    }
}
