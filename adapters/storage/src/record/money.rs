//! Money inside records, version 1: the exact amount as decimal text beside its currency.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use vnum_core::{Currency, Money};

/// `{"amount": "12.30", "currency": "EUR"}`: the amount exactly as computed (not rounded
/// to minor units: an order line's total may have more places), the ISO 4217 code.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct MoneyV1 {
    amount: Decimal,
    currency: String,
}

impl From<Money> for MoneyV1 {
    fn from(money: Money) -> Self {
        Self {
            amount: money.amount(),
            currency: money.currency().code().to_owned(),
        }
    }
}

impl TryFrom<MoneyV1> for Money {
    type Error = String;

    fn try_from(money: MoneyV1) -> Result<Self, String> {
        let currency = Currency::parse(&money.currency).map_err(|e| e.to_string())?;
        Ok(Self::new(money.amount, currency))
    }
}
