//! Values as columns and back: money as integer minor units, enums as names.

use vnum_app::model::{CustomerKind, EntryKind, Principal, StockState};
use vnum_app::ports::StoreError;
use vnum_core::{Currency, CustomerId, Money};

use crate::error::corrupt;

/// An amount in integer minor units of its currency (cents for EUR, yen for JPY).
///
/// # Errors
/// [`StoreError::Corrupt`] when the amount has fractions of a minor unit or is beyond
/// ±[`Money::MAX_MINOR_UNITS`]: the store keeps money exactly or not at all, and every
/// amount the use cases book is rounded to the minor unit and bounded first.
pub(crate) fn to_minor(money: Money) -> Result<i64, StoreError> {
    money
        .to_minor_units()
        .map_err(|e| StoreError::Corrupt(format!("{money} cannot be stored: {e}")))
}

/// Money from minor units and a currency code.
pub(crate) fn from_minor(minor: i64, currency: &str) -> Result<Money, StoreError> {
    Ok(Money::from_minor_units(minor, currency_of(currency)?))
}

/// A currency from its code.
pub(crate) fn currency_of(code: &str) -> Result<Currency, StoreError> {
    Currency::parse(code).map_err(|e| corrupt("currency", e))
}

pub(crate) fn customer_kind_name(kind: CustomerKind) -> &'static str {
    match kind {
        CustomerKind::Person => "person",
        CustomerKind::Company => "company",
    }
}

pub(crate) fn customer_kind(name: &str) -> Result<CustomerKind, StoreError> {
    match name {
        "person" => Ok(CustomerKind::Person),
        "company" => Ok(CustomerKind::Company),
        other => Err(corrupt("customer kind", other)),
    }
}

pub(crate) fn entry_kind_name(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::TopUp => "top_up",
        EntryKind::BankTransfer => "bank_transfer",
        EntryKind::Charge => "charge",
        EntryKind::Refund => "refund",
        EntryKind::Adjustment => "adjustment",
    }
}

pub(crate) fn entry_kind(name: &str) -> Result<EntryKind, StoreError> {
    match name {
        "top_up" => Ok(EntryKind::TopUp),
        "bank_transfer" => Ok(EntryKind::BankTransfer),
        "charge" => Ok(EntryKind::Charge),
        "refund" => Ok(EntryKind::Refund),
        "adjustment" => Ok(EntryKind::Adjustment),
        other => Err(corrupt("ledger entry kind", other)),
    }
}

pub(crate) fn stock_state_name(state: StockState) -> &'static str {
    match state {
        StockState::Available => "available",
        StockState::OnTrial => "on_trial",
        StockState::Taken => "taken",
    }
}

pub(crate) fn stock_state(name: &str) -> Result<StockState, StoreError> {
    match name {
        "available" => Ok(StockState::Available),
        "on_trial" => Ok(StockState::OnTrial),
        "taken" => Ok(StockState::Taken),
        other => Err(corrupt("stock state", other)),
    }
}

/// The role column and customer column of a principal.
pub(crate) fn principal_columns(principal: Principal) -> (&'static str, Option<i64>) {
    match principal {
        Principal::Operator => ("operator", None),
        Principal::Customer(id) => ("customer", Some(id.get())),
        Principal::Engine => ("engine", None),
    }
}

pub(crate) fn principal(role: &str, customer: Option<i64>) -> Result<Principal, StoreError> {
    match (role, customer) {
        ("operator", None) => Ok(Principal::Operator),
        ("customer", Some(id)) => Ok(Principal::Customer(CustomerId(id))),
        ("engine", None) => Ok(Principal::Engine),
        (role, customer) => Err(corrupt("principal", format!("{role} {customer:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn money_round_trips_through_minor_units_exactly() {
        let money = Money::new(dec!(-12.34), Currency::EUR);
        assert_eq!(to_minor(money), Ok(-1234));
        assert_eq!(from_minor(-1234, "EUR"), Ok(money));
    }

    #[test]
    fn fractions_of_a_minor_unit_are_refused_not_rounded() {
        assert!(to_minor(Money::new(dec!(0.005), Currency::EUR)).is_err());
    }
}
