//! R1.3 holds on picked numbers, as laws: a hold keeps its number for exactly its time,
//! only from customers other than its holder, and a pick never extends it.

use chrono::TimeDelta;
use proptest::prelude::*;
use vnum_core::{CustomerId, OfferId};
use vnum_lifecycle::{Hold, HoldError, HoldTime, MAX_HOLD_MINUTES, MAX_HOLDS_PER_CUSTOMER, Pick};
use vnum_testkit::{at, day, phone};

proptest! {
    /// Live exactly while fewer seconds than its minutes × 60 have passed since the pick
    /// (the oracle counts seconds), and while it is live only its holder may order.
    #[test]
    fn r1_3_a_hold_keeps_its_number_for_exactly_its_time(
        minutes in 1..=MAX_HOLD_MINUTES,
        hour in 0u32..24,
        passed in 0i64..(2 * 24 * 3600),
        holder in 1i64..4,
        other in 1i64..4,
    ) {
        let placed = at(day(2026, 3, 29), hour);
        let time = HoldTime::from_minutes(minutes).unwrap();
        let hold = Hold::new(phone("+4915110000001"), OfferId(1), CustomerId(holder), placed, time);
        let now = placed + TimeDelta::seconds(passed);
        let live = passed < i64::from(minutes) * 60;
        prop_assert_eq!(hold.is_live(now), live);
        prop_assert!(hold.admits(CustomerId(holder), now).is_ok());
        let admits_other = hold.admits(CustomerId(other), now);
        prop_assert_eq!(admits_other.is_ok(), !live || other == holder);
        if let Err(HoldError::HeldByAnother { until, .. }) = admits_other {
            prop_assert_eq!(until, placed + TimeDelta::minutes(i64::from(minutes)));
        }
        prop_assert_eq!(hold.hides_from(Some(CustomerId(other)), now), live && other != holder);
        prop_assert_eq!(hold.hides_from(None, now), live);
    }

    /// A pick keeps the holder's own live hold unchanged, refuses another customer's live
    /// hold, and otherwise places a new hold from `now` within the per-customer limit.
    #[test]
    fn r1_3_a_pick_never_extends_a_live_hold(
        minutes in 1..=MAX_HOLD_MINUTES,
        passed in 0i64..(2 * 24 * 3600),
        holder in 1i64..4,
        picker in 1i64..4,
        held_elsewhere in 0usize..8,
    ) {
        let placed = at(day(2026, 3, 29), 1);
        let time = HoldTime::from_minutes(minutes).unwrap();
        let number = phone("+4915110000001");
        let hold = Hold::new(number.clone(), OfferId(1), CustomerId(holder), placed, time);
        let now = placed + TimeDelta::seconds(passed);
        let pick = Hold::pick(Some(&hold), number, OfferId(1), CustomerId(picker), now, time, held_elsewhere);
        match pick {
            Ok(Pick::Kept(kept)) => {
                prop_assert!(hold.is_live(now) && picker == holder);
                prop_assert_eq!(kept, hold);
            }
            Ok(Pick::New(new)) => {
                prop_assert!(!hold.is_live(now));
                prop_assert!(held_elsewhere < MAX_HOLDS_PER_CUSTOMER);
                prop_assert_eq!(new.customer(), CustomerId(picker));
                prop_assert_eq!(new.until(), now + time.duration());
            }
            Err(HoldError::HeldByAnother { .. }) => {
                prop_assert!(hold.is_live(now) && picker != holder);
            }
            Err(HoldError::TooManyHolds { held }) => {
                prop_assert!(!hold.is_live(now));
                prop_assert_eq!(held, held_elsewhere);
                prop_assert!(held_elsewhere >= MAX_HOLDS_PER_CUSTOMER);
            }
            Err(other) => prop_assert!(false, "{other}"),
        }
    }
}
