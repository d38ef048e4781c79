//! Exact money in one currency.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// An ISO 4217 currency that has a minor unit (EUR, USD, JPY, KWD, …).
///
/// Invariant: the code is a current ISO 4217 code and the currency has a decimal minor unit,
/// so every amount in it can be rounded to something a bank can pay. Funds codes and
/// metals (XAU, XDR, …) have no minor unit and are refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(iso_currency::Currency);

impl Currency {
    /// Euro.
    pub const EUR: Self = Self(iso_currency::Currency::EUR);
    /// United States dollar.
    pub const USD: Self = Self(iso_currency::Currency::USD);
    /// Russian rouble.
    pub const RUB: Self = Self(iso_currency::Currency::RUB);
    /// Pound sterling.
    pub const GBP: Self = Self(iso_currency::Currency::GBP);

    /// Parses a three-letter ISO 4217 code such as `EUR`.
    ///
    /// # Errors
    /// [`MoneyError::UnknownCurrency`] when the text is not an ISO 4217 code with a minor unit.
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let unknown = || MoneyError::UnknownCurrency(code.to_owned());
        let currency = iso_currency::Currency::from_code(code).ok_or_else(unknown)?;
        currency.exponent().ok_or_else(unknown)?;
        Ok(Self(currency))
    }

    /// The three-letter code, e.g. `"EUR"`.
    #[must_use]
    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// Digits after the decimal point of the minor unit: 2 for EUR, 0 for JPY, 3 for KWD.
    #[must_use]
    pub fn minor_units(self) -> u32 {
        // The constructor refuses currencies without an exponent.
        self.0.exponent().map_or(2, u32::from)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.code().to_owned()
    }
}

/// What can go wrong when making or combining money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The currency code is not ISO 4217 or has no minor unit.
    #[error(
        "unknown currency {0:?}: expected an ISO 4217 code with a minor unit such as EUR, USD or JPY"
    )]
    UnknownCurrency(String),
    /// Two amounts in different currencies were combined.
    #[error("cannot combine {left} with {right}: amounts are in different currencies")]
    CurrencyMismatch {
        /// The currency of the left operand.
        left: Currency,
        /// The currency of the right operand.
        right: Currency,
    },
    /// The result does not fit the decimal range.
    #[error("amount out of range")]
    Overflow,
    /// Text that should have been an amount and a currency was not.
    #[error("invalid money {0:?}: expected an amount and a currency such as \"12.50 EUR\"")]
    Invalid(String),
    /// The amount has digits below the currency's minor unit.
    #[error("{amount} has fractions of a minor unit: {currency} has {minor_units} decimals")]
    FractionOfMinorUnit {
        /// The amount.
        amount: Decimal,
        /// Its currency.
        currency: Currency,
        /// The decimals the currency has.
        minor_units: u32,
    },
    /// The amount is beyond ±[`Money::MAX_MINOR_UNITS`] minor units (R10.D6).
    #[error("{amount} {currency} is out of range: amounts are at most {max} {currency} either way")]
    OutOfBounds {
        /// The amount.
        amount: Decimal,
        /// Its currency.
        currency: Currency,
        /// The largest magnitude, in the currency's major unit.
        max: Decimal,
    },
}

/// Money is exact and in the account's currency (R10.D5), and bounded (R10.D6).
impl crate::rule::RuleError for MoneyError {
    fn rule(&self) -> crate::RuleId {
        match self {
            Self::UnknownCurrency(_) | Self::CurrencyMismatch { .. } | Self::Invalid(_) => {
                crate::rule::R10_D5
            }
            Self::Overflow | Self::FractionOfMinorUnit { .. } | Self::OutOfBounds { .. } => {
                crate::rule::R10_D6
            }
        }
    }
}

/// An exact amount in one currency; may be negative (a debt, a charge in a ledger).
///
/// Invariant: the amount is an exact decimal, never a float, and arithmetic only ever
/// combines amounts of the same currency (R10, Decision on money). Amounts keep whatever
/// precision a computation produced until [`Money::round_to_minor`] is called; rounding is
/// always explicit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// The largest magnitude, in minor units, of any amount or balance vnum keeps: 10^15
    /// (ten trillion euros in cents). Storage keeps money as 64-bit minor units, and twice
    /// this bound still fits, so adding a bounded amount to a bounded balance never
    /// overflows (R10.D6).
    pub const MAX_MINOR_UNITS: i64 = 1_000_000_000_000_000;

    /// Money of `amount` in `currency`.
    #[must_use]
    pub const fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }

    /// Zero in `currency`, written with the currency's minor unit (`0.00 EUR`, `0 JPY`).
    #[must_use]
    pub fn zero(currency: Currency) -> Self {
        Self::new(Decimal::new(0, currency.minor_units()), currency)
    }

    /// Parses `"12.50 EUR"`.
    ///
    /// # Errors
    /// [`MoneyError::Invalid`] or [`MoneyError::UnknownCurrency`] when the text is not an
    /// amount followed by a currency code.
    pub fn parse(text: &str) -> Result<Self, MoneyError> {
        let invalid = || MoneyError::Invalid(text.to_owned());
        let (amount, code) = text.trim().split_once(' ').ok_or_else(invalid)?;
        let amount = Decimal::from_str_exact(amount.trim()).map_err(|_| invalid())?;
        Ok(Self::new(amount, Currency::parse(code.trim())?))
    }

    /// The exact amount.
    #[must_use]
    pub const fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    #[must_use]
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    /// True for an amount below zero (a debt).
    #[must_use]
    pub fn is_negative(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    /// True for exactly zero.
    #[must_use]
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// The sum; an error when the currencies differ.
    ///
    /// # Errors
    /// [`MoneyError::CurrencyMismatch`] or [`MoneyError::Overflow`].
    pub fn checked_add(self, other: Self) -> Result<Self, MoneyError> {
        self.same_currency(other)?;
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Self::new(amount, self.currency))
    }

    /// The difference; an error when the currencies differ.
    ///
    /// # Errors
    /// [`MoneyError::CurrencyMismatch`] or [`MoneyError::Overflow`].
    pub fn checked_sub(self, other: Self) -> Result<Self, MoneyError> {
        self.checked_add(-other)
    }

    /// The amount multiplied by an exact factor (a quantity, a discount rate).
    ///
    /// # Errors
    /// [`MoneyError::Overflow`].
    pub fn checked_mul(self, factor: Decimal) -> Result<Self, MoneyError> {
        let amount = self
            .amount
            .checked_mul(factor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Self::new(amount, self.currency))
    }

    /// Compares two amounts of the same currency.
    ///
    /// # Errors
    /// [`MoneyError::CurrencyMismatch`].
    pub fn checked_cmp(&self, other: &Self) -> Result<std::cmp::Ordering, MoneyError> {
        self.same_currency(*other)?;
        Ok(self.amount.cmp(&other.amount))
    }

    /// Rounded to the currency's minor unit, half away from zero (0.005 EUR → 0.01 EUR),
    /// the way invoices round.
    #[must_use]
    pub fn round_to_minor(self) -> Self {
        let amount = self.amount.round_dp_with_strategy(
            self.currency.minor_units(),
            RoundingStrategy::MidpointAwayFromZero,
        );
        Self::new(amount, self.currency)
    }

    /// True when the amount has no digits below the minor unit.
    #[must_use]
    pub fn is_whole_minor(&self) -> bool {
        self.round_to_minor().amount == self.amount
    }

    /// The amount in whole minor units of its currency (cents for EUR, yen for JPY).
    ///
    /// # Errors
    /// [`MoneyError::FractionOfMinorUnit`] for digits below the minor unit (never rounded);
    /// [`MoneyError::OutOfBounds`] beyond ±[`Money::MAX_MINOR_UNITS`].
    pub fn to_minor_units(&self) -> Result<i64, MoneyError> {
        let minor_units = self.currency.minor_units();
        if !self.is_whole_minor() {
            return Err(MoneyError::FractionOfMinorUnit {
                amount: self.amount,
                currency: self.currency,
                minor_units,
            });
        }
        let factor = Decimal::from(10_i64.pow(minor_units));
        self.amount
            .checked_mul(factor)
            .and_then(|minor| i64::try_from(minor).ok())
            .filter(|minor| minor.unsigned_abs() <= Self::MAX_MINOR_UNITS.unsigned_abs())
            .ok_or(MoneyError::OutOfBounds {
                amount: self.amount,
                currency: self.currency,
                max: Decimal::new(Self::MAX_MINOR_UNITS, minor_units),
            })
    }

    /// Money of `minor` minor units of `currency`, written with the currency's decimals.
    #[must_use]
    pub fn from_minor_units(minor: i64, currency: Currency) -> Self {
        Self::new(Decimal::new(minor, currency.minor_units()), currency)
    }

    /// Sums amounts of one currency; `Money::zero(currency)` for none.
    ///
    /// # Errors
    /// [`MoneyError::CurrencyMismatch`] or [`MoneyError::Overflow`].
    pub fn sum<I: IntoIterator<Item = Self>>(
        currency: Currency,
        items: I,
    ) -> Result<Self, MoneyError> {
        items
            .into_iter()
            .try_fold(Self::zero(currency), Self::checked_add)
    }

    fn same_currency(self, other: Self) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }
}

impl std::ops::Neg for Money {
    type Output = Self;
    fn neg(self) -> Self {
        Self::new(-self.amount, self.currency)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn adding_across_currencies_is_an_error_not_a_sum() {
        let eur = Money::new(dec!(1), Currency::EUR);
        let usd = Money::new(dec!(1), Currency::USD);
        assert_eq!(
            eur.checked_add(usd),
            Err(MoneyError::CurrencyMismatch {
                left: Currency::EUR,
                right: Currency::USD
            })
        );
    }

    #[test]
    fn rounding_follows_the_currency_minor_unit() {
        let jpy = Currency::parse("JPY").unwrap();
        let kwd = Currency::parse("KWD").unwrap();
        assert_eq!(
            Money::new(dec!(10.5), jpy).round_to_minor().amount(),
            dec!(11)
        );
        assert_eq!(
            Money::new(dec!(1.2345), kwd).round_to_minor().amount(),
            dec!(1.235)
        );
        assert_eq!(
            Money::new(dec!(0.005), Currency::EUR)
                .round_to_minor()
                .amount(),
            dec!(0.01)
        );
        assert_eq!(
            Money::new(dec!(-0.005), Currency::EUR)
                .round_to_minor()
                .amount(),
            dec!(-0.01)
        );
    }

    #[test]
    fn unknown_and_unitless_currencies_are_refused_with_a_reason() {
        let err = Currency::parse("EURO").unwrap_err();
        assert!(err.to_string().contains("ISO 4217"), "{err}");
        assert!(Currency::parse("XAU").is_err());
    }

    #[test]
    fn serde_round_trip_keeps_the_exact_amount() {
        let m = Money::parse("12.50 EUR").unwrap();
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"amount":"12.50","currency":"EUR"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1","currency":"ZZZ"}"#).is_err());
    }

    proptest! {
        #[test]
        fn rounding_moves_an_amount_by_at_most_half_a_minor_unit(cents in -10_000_000i64..10_000_000, extra in 0u32..10_000) {
            let amount = Decimal::new(cents, 2) + Decimal::new(i64::from(extra), 6);
            let rounded = Money::new(amount, Currency::EUR).round_to_minor();
            prop_assert!((rounded.amount() - amount).abs() <= dec!(0.005));
            prop_assert!(rounded.is_whole_minor());
        }

        #[test]
        fn parse_display_round_trip(cents in -10_000_000i64..10_000_000) {
            let m = Money::new(Decimal::new(cents, 2), Currency::USD);
            prop_assert_eq!(Money::parse(&m.to_string()).unwrap(), m);
        }
    }
}
