//! What one service costs in each currency a provider sells it in.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Currency, Decimal, Money};

/// A price per currency, such as a professional recording's or the CallerID add-on's.
///
/// Invariant: every price is above zero, a whole number of its currency's minor units and
/// within the bounds of money (R10.D6), and is written with the currency's minor digits
/// (15 EUR is 15.00 EUR).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    try_from = "BTreeMap<Currency, Decimal>",
    into = "BTreeMap<Currency, Decimal>"
)]
pub struct PriceList(BTreeMap<Currency, Money>);

/// A price of a list that is not an amount of its currency.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the price in {currency} is {price}: {why}")]
pub struct PriceListError {
    /// The currency.
    pub currency: Currency,
    /// The price given.
    pub price: Decimal,
    /// What is expected.
    pub why: String,
}

/// Prices are money: exact and bounded (R10.D6).
impl crate::rule::RuleError for PriceListError {
    fn rule(&self) -> crate::RuleId {
        crate::rule::R10_D6
    }
}

impl PriceList {
    /// The list `prices`.
    ///
    /// # Errors
    /// [`PriceListError`] for a price that is not above zero, has digits below its
    /// currency's minor unit, or is past the bounds of money.
    pub fn new(prices: BTreeMap<Currency, Decimal>) -> Result<Self, PriceListError> {
        let mut list = BTreeMap::new();
        for (currency, price) in prices {
            let invalid = |why: String| PriceListError {
                currency,
                price,
                why,
            };
            if price <= Decimal::ZERO {
                return Err(invalid("expected an amount above zero".into()));
            }
            let money = Money::new(price, currency);
            if let Err(e) = money.to_minor_units() {
                return Err(invalid(e.to_string()));
            }
            let mut amount = price;
            amount.rescale(currency.minor_units());
            list.insert(currency, Money::new(amount, currency));
        }
        Ok(Self(list))
    }

    /// The price in `currency`, if the list has one.
    #[must_use]
    pub fn get(&self, currency: Currency) -> Option<Money> {
        self.0.get(&currency).copied()
    }

    /// The currencies with a price, in code order.
    pub fn currencies(&self) -> impl Iterator<Item = Currency> + '_ {
        self.0.keys().copied()
    }
}

impl TryFrom<BTreeMap<Currency, Decimal>> for PriceList {
    type Error = PriceListError;
    fn try_from(prices: BTreeMap<Currency, Decimal>) -> Result<Self, Self::Error> {
        Self::new(prices)
    }
}

impl From<PriceList> for BTreeMap<Currency, Decimal> {
    fn from(list: PriceList) -> Self {
        list.0.into_iter().map(|(c, m)| (c, m.amount())).collect()
    }
}
