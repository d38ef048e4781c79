//! The value types every other vnum crate speaks in.
//!
//! `vnum-core` owns [`Money`] (an exact decimal amount in one ISO 4217 currency),
//! [`CountryCode`] (ISO 3166-1 alpha-2), [`PhoneNumber`] (E.164 with the country it belongs
//! to), the typed ids of every aggregate, [`Period`] (a half-open range of calendar days) and
//! [`RuleId`], the id of a business rule in `spec/RULES.md` that every decision carries.
//!
//! Each type guards its invariant: fields are private, construction goes through a fallible
//! `parse`/`new` that says what was wrong, and a value that exists is valid. The crate does
//! no I/O and reads no clock.

mod country;
pub mod fuzz_checks;
mod ids;
mod money;
mod period;
mod phone;
mod prices;
pub mod rule;
mod term;

pub use country::{CountryCode, CountryCodeError};
pub use ids::*;
pub use money::{Currency, Money, MoneyError};
pub use period::{Period, PeriodError};
pub use phone::{PhoneNumber, PhoneNumberError};
pub use prices::{PriceList, PriceListError};
pub use rule::RuleId;
pub use term::{PrepaidTerm, PrepaidTermError};

/// Re-exported so that downstream crates name one decimal type.
pub use rust_decimal::Decimal;
