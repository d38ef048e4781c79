//! The lifecycle of a rented number, from the offer to deletion (R1, R2, R7, R8).
//!
//! `vnum-lifecycle` owns what a carrier sells ([`Offer`]), what an order names and when it is
//! accepted ([`OrderLine`], [`accept_order`]: payment strictly in advance, R1.4), how a
//! picked number is held for its customer ([`Hold`], R1.3), how long
//! connecting takes ([`ProvisioningClass`], business days in a [`HolidayCalendar`], R2), the
//! number's own state machine ([`NumberState::apply`]) and whether it is served
//! ([`routing`]: suspension is derived from the account's balance, R10.D3), the
//! [`Waitlist`] for numbers out of stock (R7) and free one-hour tests ([`Trial`], R8).
//!
//! It does not price orders (the application composes billing and discounts and hands the
//! amount due to [`accept_order`]), does not review documents (`vnum-compliance`) and does
//! not allocate one-shot SMS numbers (`vnum-sms`). It does no I/O and reads no clock: every
//! function takes the day or instant it decides for.

mod calendar;
pub mod fuzz_checks;
mod hold;
mod number;
mod offer;
mod order;
mod provisioning;
mod trial;
mod waitlist;

pub use calendar::{CalendarError, HolidayCalendar};
pub use hold::{
    DEFAULT_HOLD_MINUTES, Hold, HoldError, HoldTime, MAX_HOLD_MINUTES, MAX_HOLDS_PER_CUSTOMER, Pick,
};
pub use number::{
    CarrierOutcome, NotServed, NumberEvent, NumberEventName, NumberState, NumberStateName,
    NumberStatus, OutcomeFit, Routing, TransitionError, routing,
};
pub use offer::{City, CityError, NumberKind, Offer, OfferError, OfferTerms};
pub use order::{Acceptance, NumberChoice, OrderError, OrderLine, accept_order};
pub use provisioning::{
    BusinessDayRange, BusinessDayRangeError, EtaRange, ProvisioningClass, ReadyBy,
};
pub use trial::{TRIAL_LENGTH, Trial, TrialError, TrialSuggestion, suggest_trial_offer};
pub use waitlist::{
    Restock, Waitlist, WaitlistEntry, WaitlistError, WaitlistState, Wanted, nothing_on_sale_for,
};
