//! Rating calls out to the phone network (R6.D2), and forwarding to a phone number, which
//! is rated the same way (R5.D1).
//!
//! The operator keeps a rate table: for a dial prefix, a price per minute in one currency
//! with billing increments, effective from an instant. A call is rated by the rate of the
//! destination's longest matching prefix among the rates in the account's currency
//! effective when the call started. Costs are exact: integer arithmetic on the price in
//! ten-thousandths of the currency unit, rounded **up** to the currency's minor unit, so a
//! call is never undercharged (a 1-second call at 0.0125 EUR/min on 1/1 costs 0.01 EUR).

use std::fmt;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use vnum_core::{Currency, Money, PhoneNumber, RuleId, rule};

/// A dial prefix of the rate table: the leading digits of E.164 numbers it rates (`49`,
/// `4915`, `1`).
///
/// Invariant: 1 to 15 decimal digits, the first not `0` (no country code starts with 0).
/// It is read with or without a leading `+` and written with it (`+4915`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DialPrefix(String);

impl DialPrefix {
    /// Parses `+4915` or `4915`.
    ///
    /// # Errors
    /// [`RateError::InvalidPrefix`] for anything but 1 to 15 digits, not starting with 0,
    /// after an optional `+`.
    pub fn parse(text: &str) -> Result<Self, RateError> {
        let digits = text.strip_prefix('+').unwrap_or(text);
        let valid = (1..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if valid {
            Ok(Self(digits.to_owned()))
        } else {
            Err(RateError::InvalidPrefix(text.to_owned()))
        }
    }

    /// The digits, without `+`.
    #[must_use]
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// True when `number` starts with this prefix.
    #[must_use]
    pub fn matches(&self, number: &PhoneNumber) -> bool {
        number.digits().starts_with(&self.0)
    }
}

impl fmt::Display for DialPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "+{}", self.0)
    }
}

impl TryFrom<String> for DialPrefix {
    type Error = RateError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<DialPrefix> for String {
    fn from(prefix: DialPrefix) -> Self {
        prefix.to_string()
    }
}

/// Billing increments, written `first/next` in seconds: `60/60` bills whole minutes, `1/1`
/// every second, `30/6` a first half minute then every six seconds.
///
/// Invariant: both are 1 to [`Increments::MAX_SECONDS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Increments {
    first: u32,
    next: u32,
}

impl Increments {
    /// The longest increment: one hour.
    pub const MAX_SECONDS: u32 = 3600;

    /// Increments of `first` then `next` seconds.
    ///
    /// # Errors
    /// [`RateError::InvalidIncrements`] when either is 0 or above an hour.
    pub fn new(first: u32, next: u32) -> Result<Self, RateError> {
        let valid = |s: u32| (1..=Self::MAX_SECONDS).contains(&s);
        if valid(first) && valid(next) {
            Ok(Self { first, next })
        } else {
            Err(RateError::InvalidIncrements(format!("{first}/{next}")))
        }
    }

    /// Parses `60/60`.
    ///
    /// # Errors
    /// [`RateError::InvalidIncrements`] for text that is not two numbers of seconds.
    pub fn parse(text: &str) -> Result<Self, RateError> {
        let invalid = || RateError::InvalidIncrements(text.to_owned());
        let (first, next) = text.split_once('/').ok_or_else(invalid)?;
        let seconds = |s: &str| {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse::<u32>().ok()
        };
        let (first, next) = seconds(first).zip(seconds(next)).ok_or_else(invalid)?;
        Self::new(first, next).map_err(|_| invalid())
    }

    /// The first increment, in seconds.
    #[must_use]
    pub const fn first(self) -> u32 {
        self.first
    }

    /// Every later increment, in seconds.
    #[must_use]
    pub const fn next(self) -> u32 {
        self.next
    }

    /// The seconds billed for a call of `seconds`: none for an unanswered call, the first
    /// increment for a call up to it, and otherwise the first increment and as many whole
    /// next increments as cover the rest. Saturates at `u64::MAX` (never reached by a
    /// `u32` duration).
    #[must_use]
    pub fn billed_seconds(self, seconds: u32) -> u64 {
        let (first, next) = (u64::from(self.first), u64::from(self.next));
        let d = u64::from(seconds);
        if d == 0 {
            0
        } else if d <= first {
            first
        } else {
            first + (d - first).div_ceil(next) * next
        }
    }
}

impl fmt::Display for Increments {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.first, self.next)
    }
}

impl TryFrom<String> for Increments {
    type Error = RateError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<Increments> for String {
    fn from(increments: Increments) -> Self {
        increments.to_string()
    }
}

/// One line of the operator's rate table (R6.D2).
///
/// Invariant: the price per minute is not negative, has at most
/// [`Rate::PRICE_DECIMALS`] decimals (a price may be below the minor unit, 0.0125 EUR) and
/// is at most [`Rate::MAX_PRICE_UNITS`] units of its currency, so it is exactly an integer
/// of ten-thousandths ([`Rate::price_ten_thousandths`]) that storage keeps as is. The
/// price is kept without trailing zeros (`0.1500` is `0.15`), so a rate reads back as it
/// was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    prefix: DialPrefix,
    price_per_minute: Money,
    increments: Increments,
    effective_from: DateTime<Utc>,
}

impl Rate {
    /// The most decimals a price per minute has.
    pub const PRICE_DECIMALS: u32 = 4;
    /// The highest price per minute, in units of its currency.
    pub const MAX_PRICE_UNITS: i64 = 1_000_000;

    /// A rate of `price_per_minute` for numbers starting with `prefix`, from
    /// `effective_from`.
    ///
    /// # Errors
    /// [`RateError::InvalidPrice`] for a negative price, one with more than
    /// [`Rate::PRICE_DECIMALS`] decimals or one above [`Rate::MAX_PRICE_UNITS`].
    pub fn new(
        prefix: DialPrefix,
        price_per_minute: Money,
        increments: Increments,
        effective_from: DateTime<Utc>,
    ) -> Result<Self, RateError> {
        let amount = price_per_minute.amount();
        let exact = amount.round_dp(Self::PRICE_DECIMALS) == amount;
        let valid = exact
            && !price_per_minute.is_negative()
            && amount <= Decimal::from(Self::MAX_PRICE_UNITS);
        if !valid {
            return Err(RateError::InvalidPrice(price_per_minute));
        }
        Ok(Self {
            prefix,
            price_per_minute: Money::new(amount.normalize(), price_per_minute.currency()),
            increments,
            effective_from,
        })
    }

    /// The dial prefix rated.
    #[must_use]
    pub const fn prefix(&self) -> &DialPrefix {
        &self.prefix
    }

    /// The price of one minute.
    #[must_use]
    pub const fn price_per_minute(&self) -> Money {
        self.price_per_minute
    }

    /// The billing increments.
    #[must_use]
    pub const fn increments(&self) -> Increments {
        self.increments
    }

    /// When the rate starts to apply (calls that start at or after it).
    #[must_use]
    pub const fn effective_from(&self) -> DateTime<Utc> {
        self.effective_from
    }

    /// The currency of the price.
    #[must_use]
    pub const fn currency(&self) -> Currency {
        self.price_per_minute.currency()
    }

    /// The price per minute in ten-thousandths of its currency unit: exact by the
    /// invariant, between 0 and `MAX_PRICE_UNITS × 10^4`.
    #[must_use]
    pub fn price_ten_thousandths(&self) -> i64 {
        let scaled = self.price_per_minute.amount() * Decimal::from(10_000);
        i64::try_from(scaled).unwrap_or(i64::MAX)
    }

    /// The cost of a call of `seconds`: the price of its billed seconds
    /// ([`Increments::billed_seconds`]), rounded **up** to the currency's minor unit so that
    /// a call is never undercharged. Exact: integers throughout, no float.
    #[must_use]
    pub fn cost(&self, seconds: u32) -> Money {
        let billed = self.increments.billed_seconds(seconds);
        Money::new(
            Decimal::from_i128_with_scale(self.cost_minor(billed), self.minor_units()),
            self.currency(),
        )
    }

    /// The cost of an **answered** call reported as `seconds` long: at least its first
    /// increment. SIP engines stamp answer and end to the second, so an answered call they
    /// report as 0 s lasted up to a second; billing it nothing would make a caller's short
    /// calls free (R6.D2).
    #[must_use]
    pub fn answered_cost(&self, seconds: u32) -> Money {
        self.cost(seconds.max(1))
    }

    /// The longest call `balance` pays for: the largest billed duration (on an increment
    /// boundary) whose cost is at most the balance, capped at [`MAX_CALL_SECONDS`]. A call
    /// no longer than it never costs more than the balance.
    ///
    /// # Errors
    /// [`CallOutError::InDebt`] when the balance is below zero (R10.4);
    /// [`CallOutError::CurrencyMismatch`] when the balance is in another currency;
    /// [`CallOutError::FirstIncrementNotCovered`] when it cannot pay the first increment
    /// (R6.D2).
    pub fn max_duration(&self, balance: Money) -> Result<u32, CallOutError> {
        if balance.is_negative() {
            return Err(CallOutError::InDebt { balance });
        }
        if balance.currency() != self.currency() {
            return Err(CallOutError::CurrencyMismatch {
                rate: self.currency(),
                balance: balance.currency(),
            });
        }
        let first_cost = self.cost(self.increments.first);
        if first_cost.amount() > balance.amount() {
            return Err(CallOutError::FirstIncrementNotCovered {
                needed: first_cost,
                balance,
            });
        }
        let cap = u64::from(MAX_CALL_SECONDS);
        let (per_second, divisor) = self.cost_terms();
        if per_second == 0 {
            return Ok(MAX_CALL_SECONDS);
        }
        // cost(b) = ceil(per_second × b / divisor) <= balance ⇔ per_second × b <= balance ×
        // divisor, so the longest affordable billed time is floor(balance × divisor /
        // per_second), taken down to an increment boundary.
        let balance_minor =
            (balance.amount() * Decimal::from(10_i64.pow(self.minor_units()))).floor();
        let balance_minor = i128::try_from(balance_minor).unwrap_or(i128::MAX);
        let affordable = balance_minor.saturating_mul(divisor) / per_second;
        let affordable = u64::try_from(affordable).unwrap_or(u64::MAX);
        let (first, next) = (
            u64::from(self.increments.first),
            u64::from(self.increments.next),
        );
        let billed = first + affordable.saturating_sub(first) / next * next;
        Ok(u32::try_from(billed.min(cap)).unwrap_or(MAX_CALL_SECONDS))
    }

    fn minor_units(&self) -> u32 {
        self.currency().minor_units()
    }

    /// `(price × 10^minor, 60 × 10^4)`: the cost of `b` billed seconds in minor units is
    /// `ceil(b × first / second)`.
    fn cost_terms(&self) -> (i128, i128) {
        let per_second = i128::from(self.price_ten_thousandths()) * 10_i128.pow(self.minor_units());
        (per_second, 60 * 10_000)
    }

    fn cost_minor(&self, billed: u64) -> i128 {
        let (per_second, divisor) = self.cost_terms();
        let numerator = per_second.saturating_mul(i128::from(billed));
        numerator.div_euclid(divisor) + i128::from(numerator.rem_euclid(divisor) != 0)
    }
}

/// The longest call a balance is allowed, whatever it could pay: four hours. The SIP engine
/// ends a call at the allowed maximum; a longer call is set up again.
pub const MAX_CALL_SECONDS: u32 = 4 * 3600;

/// The operator's rate table (R6.D2): every rate, in every currency, past and future.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RateTable {
    rates: Vec<Rate>,
}

impl RateTable {
    /// A table of `rates`.
    #[must_use]
    pub const fn new(rates: Vec<Rate>) -> Self {
        Self { rates }
    }

    /// The rates, in the order given.
    #[must_use]
    pub fn rates(&self) -> &[Rate] {
        &self.rates
    }

    /// The rate of a call to `destination` in `currency` starting at `start`: among the
    /// rates in that currency already effective, those of the longest prefix the number
    /// starts with, and of them the one effective latest.
    ///
    /// # Errors
    /// [`CallOutError::NoRate`] when no such rate exists (R6.D2: the call is refused).
    pub fn rate_for(
        &self,
        destination: &PhoneNumber,
        currency: Currency,
        start: DateTime<Utc>,
    ) -> Result<&Rate, CallOutError> {
        self.rates
            .iter()
            .filter(|r| {
                r.currency() == currency
                    && r.effective_from <= start
                    && r.prefix.matches(destination)
            })
            .max_by_key(|r| (r.prefix.0.len(), r.effective_from))
            .ok_or_else(|| CallOutError::NoRate {
                destination: destination.clone(),
                currency,
            })
    }
}

/// A call out allowed: the rate that applies and the longest the call may last.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CallAllowance {
    /// The rate of the destination.
    pub rate: Rate,
    /// The longest the call may last, in seconds.
    pub max_seconds: u32,
    /// The rule that decided: R6.D2.
    pub rule: RuleId,
}

/// Whether a call out to `destination` starting at `start` may be made on `balance`, and
/// for how long (R6.D2): refused in debt (R10.4), without a rate, or when the balance
/// cannot cover the first increment.
///
/// # Errors
/// The [`CallOutError`] that refuses, in that order.
pub fn authorize_call_out(
    table: &RateTable,
    destination: &PhoneNumber,
    balance: Money,
    start: DateTime<Utc>,
) -> Result<CallAllowance, CallOutError> {
    if balance.is_negative() {
        return Err(CallOutError::InDebt { balance });
    }
    let rate = table.rate_for(destination, balance.currency(), start)?;
    let max_seconds = rate.max_duration(balance)?;
    Ok(CallAllowance {
        rate: rate.clone(),
        max_seconds,
        rule: rule::R6_D2,
    })
}

/// A rate the operator cannot enter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    /// A prefix that is not digits.
    #[error(
        "invalid dial prefix {0:?}: expected 1 to 15 digits, not starting with 0, with or without '+', such as +4915"
    )]
    InvalidPrefix(String),
    /// Increments out of bounds or malformed.
    #[error(
        "invalid billing increments {0:?}: expected first/next seconds, each 1 to 3600, such as 60/60 or 1/1"
    )]
    InvalidIncrements(String),
    /// A negative, too precise or too large price.
    #[error(
        "invalid price per minute {0}: expected 0 to 1000000 with at most 4 decimals, such as 0.0125 EUR"
    )]
    InvalidPrice(Money),
}

/// A rate is entered by the rules of the rate table (R6.D2).
impl vnum_core::rule::RuleError for RateError {
    fn rule(&self) -> RuleId {
        rule::R6_D2
    }
}

/// Why a call out is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallOutError {
    /// No rate for the destination in the account's currency.
    #[error("calls to {destination} are not available: there is no rate for it in {currency}")]
    NoRate {
        /// The number called.
        destination: PhoneNumber,
        /// The account's currency.
        currency: Currency,
    },
    /// The balance is below zero.
    #[error("the balance is {balance}: calls out are refused until it is topped up")]
    InDebt {
        /// The balance.
        balance: Money,
    },
    /// The balance does not pay the first billing increment.
    #[error("the balance {balance} does not cover the first increment of the call, {needed}")]
    FirstIncrementNotCovered {
        /// The cost of the first increment.
        needed: Money,
        /// The balance.
        balance: Money,
    },
    /// A rate in another currency than the balance.
    #[error("a rate in {rate} cannot be charged to a balance in {balance}")]
    CurrencyMismatch {
        /// The rate's currency.
        rate: Currency,
        /// The balance's currency.
        balance: Currency,
    },
}

/// A call out is refused in debt (R10.4), without a rate or without the first increment
/// (R6.D2), and money is in the account's currency (R10.D5).
impl vnum_core::rule::RuleError for CallOutError {
    fn rule(&self) -> RuleId {
        match self {
            Self::InDebt { .. } => rule::R10_4,
            Self::NoRate { .. } | Self::FirstIncrementNotCovered { .. } => rule::R6_D2,
            Self::CurrencyMismatch { .. } => rule::R10_D5,
        }
    }
}

/// Which leg of a reported call is rated, and by which rule: an answered call out to a
/// phone number (R6.D2), or an inbound call answered by a phone number through the
/// gateway `gateway` (`host[:port]`, forwarding, R5.D1). Calls between SIP endpoints,
/// unanswered calls and voicemail cost nothing (R4.2).
#[must_use]
pub fn rated_leg(call: &crate::CallRecord, gateway: &str) -> Option<(PhoneNumber, RuleId)> {
    if call.disposition() != crate::Disposition::Answered {
        return None;
    }
    match call.direction() {
        crate::Direction::Outbound => phone_of(call.to(), None).map(|to| (to, rule::R6_D2)),
        crate::Direction::Inbound => call
            .answered_by()
            .and_then(|uri| phone_of(uri, Some(gateway)))
            .map(|to| (to, rule::R5_D1)),
    }
}

/// The phone number a call went to: plain E.164 (`+4930123456`), or the user part of a SIP
/// URI (`sip:+4930123456@gateway;user=phone`), whose host must be `gateway` when given.
fn phone_of(text: &str, gateway: Option<&str>) -> Option<PhoneNumber> {
    let text = text.trim();
    let Some(uri) = text
        .strip_prefix("sip:")
        .or_else(|| text.strip_prefix("sips:"))
    else {
        if gateway.is_some() {
            return None;
        }
        return PhoneNumber::parse(text).ok();
    };
    let uri = uri.split(';').next().unwrap_or(uri);
    let (user, host) = uri.split_once('@')?;
    if gateway.is_some_and(|gateway| !crate::target::same_host(host, gateway)) {
        return None;
    }
    PhoneNumber::parse(user).ok()
}

#[cfg(test)]
mod leg_tests {
    use super::phone_of;

    #[test]
    fn r5_d1_only_phone_numbers_through_the_gateway_are_rated() {
        let gw = Some("gateway.vnum.example");
        let rated = |text, gateway| phone_of(text, gateway).map(|p| p.to_string());
        assert_eq!(
            rated("sip:+4930123456@gateway.vnum.example;user=phone", gw).as_deref(),
            Some("+4930123456")
        );
        assert_eq!(
            rated("sip:+4930123456@GATEWAY.vnum.example:5060", gw).as_deref(),
            Some("+4930123456")
        );
        assert_eq!(rated("sip:+4930123456@pbx.example.com", gw), None);
        // A gateway configured with its port: that port, or none, is the gateway.
        let gw_port = Some("10.0.0.7:5080");
        assert_eq!(
            rated("sip:+4930123456@10.0.0.7:5080;user=phone", gw_port).as_deref(),
            Some("+4930123456")
        );
        assert_eq!(
            rated("sip:+4930123456@10.0.0.7", gw_port).as_deref(),
            Some("+4930123456")
        );
        assert_eq!(rated("sip:+4930123456@10.0.0.7:5060", gw_port), None);
        assert_eq!(rated("sip:ada@sip.vnum.example", gw), None);
        assert_eq!(rated("+4930123456", gw), None);
        assert_eq!(rated("+4930123456", None).as_deref(), Some("+4930123456"));
        assert_eq!(
            rated("sip:+4930123456@sip.vnum.example", None).as_deref(),
            Some("+4930123456")
        );
        assert_eq!(rated("sip:ada@sip.vnum.example", None), None);
    }
}
