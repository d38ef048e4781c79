//! The balance movements closing documents are made from, and bank-transfer payments
//! (R12.1, R12.2).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use vnum_core::{Money, PhoneNumber};

use crate::AccountsError;

/// What moved the balance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    /// A fee for a service: rental, setup, forwarding minutes, add-ons.
    Charge,
    /// Money received from the customer.
    Payment,
    /// Money given back to the balance for a service not rendered.
    Refund,
    /// A manual correction, either way.
    Adjustment,
}

impl LedgerKind {
    /// How the kind reads in a document.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Charge => "charge",
            Self::Payment => "payment",
            Self::Refund => "refund",
            Self::Adjustment => "adjustment",
        }
    }
}

/// One movement of a customer's balance, as the application maps it from the billing
/// ledger.
///
/// Invariant: `amount` is the effect on the balance, so a charge is zero or below, a
/// payment or refund zero or above, and an adjustment either.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerLine {
    at: DateTime<Utc>,
    kind: LedgerKind,
    amount: Money,
    number: Option<PhoneNumber>,
    description: String,
}

impl LedgerLine {
    /// A line of `kind` moving the balance by `amount` at `at`, for `number` if it concerns
    /// one.
    ///
    /// # Errors
    /// [`AccountsError::WrongSign`] when the sign of `amount` contradicts `kind`.
    pub fn new(
        at: DateTime<Utc>,
        kind: LedgerKind,
        amount: Money,
        number: Option<PhoneNumber>,
        description: &str,
    ) -> Result<Self, AccountsError> {
        let sign_ok = match kind {
            LedgerKind::Charge => amount.is_negative() || amount.is_zero(),
            LedgerKind::Payment | LedgerKind::Refund => !amount.is_negative(),
            LedgerKind::Adjustment => true,
        };
        if !sign_ok {
            return Err(AccountsError::WrongSign { kind, amount });
        }
        Ok(Self {
            at,
            kind,
            amount,
            number,
            description: description.trim().to_owned(),
        })
    }

    /// When it happened.
    #[must_use]
    pub const fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// The calendar day it happened on in `tz` (R10.D2).
    #[must_use]
    pub fn day(&self, tz: Tz) -> NaiveDate {
        self.at.with_timezone(&tz).date_naive()
    }

    /// What moved the balance.
    #[must_use]
    pub const fn kind(&self) -> LedgerKind {
        self.kind
    }

    /// The effect on the balance.
    #[must_use]
    pub const fn amount(&self) -> Money {
        self.amount
    }

    /// The number it concerns, if any.
    #[must_use]
    pub const fn number(&self) -> Option<&PhoneNumber> {
        self.number.as_ref()
    }

    /// The description.
    #[must_use]
    pub fn description(&self) -> &str {
        &self.description
    }
}

/// A payment a company made by bank transfer (R12.1).
///
/// Invariant: the amount is above zero and the bank reference is not empty.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankTransfer {
    amount: Money,
    received_on: NaiveDate,
    bank_reference: String,
}

impl BankTransfer {
    /// A transfer of `amount` received on `received_on` under `bank_reference`.
    ///
    /// # Errors
    /// [`AccountsError::TransferNotPositive`] or [`AccountsError::BankReferenceMissing`].
    pub fn new(
        amount: Money,
        received_on: NaiveDate,
        bank_reference: &str,
    ) -> Result<Self, AccountsError> {
        if amount.is_negative() || amount.is_zero() {
            return Err(AccountsError::TransferNotPositive(amount));
        }
        let bank_reference = bank_reference.trim();
        if bank_reference.is_empty() {
            return Err(AccountsError::BankReferenceMissing);
        }
        Ok(Self {
            amount,
            received_on,
            bank_reference: bank_reference.to_owned(),
        })
    }

    /// The amount received.
    #[must_use]
    pub const fn amount(&self) -> Money {
        self.amount
    }

    /// The day the bank credited it.
    #[must_use]
    pub const fn received_on(&self) -> NaiveDate {
        self.received_on
    }

    /// The bank's reference, which support matches statements by.
    #[must_use]
    pub fn bank_reference(&self) -> &str {
        &self.bank_reference
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use vnum_testkit::eur_cents;

    #[test]
    fn a_line_whose_sign_contradicts_its_kind_is_refused() {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        assert!(LedgerLine::new(at, LedgerKind::Charge, eur_cents(-100), None, "rental").is_ok());
        assert!(
            LedgerLine::new(at, LedgerKind::Adjustment, eur_cents(100), None, "goodwill").is_ok()
        );
        let err =
            LedgerLine::new(at, LedgerKind::Charge, eur_cents(100), None, "rental").unwrap_err();
        assert!(err.to_string().contains("charge"), "{err}");
        assert!(LedgerLine::new(at, LedgerKind::Payment, eur_cents(-100), None, "x").is_err());
    }

    #[test]
    fn r12_1_a_bank_transfer_has_a_positive_amount_and_a_reference() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        let t = BankTransfer::new(eur_cents(50_000), day, " RF18 5390 0754 7034 ").unwrap();
        assert_eq!(t.bank_reference(), "RF18 5390 0754 7034");
        assert_eq!(
            BankTransfer::new(eur_cents(0), day, "x"),
            Err(AccountsError::TransferNotPositive(eur_cents(0)))
        );
        assert_eq!(
            BankTransfer::new(eur_cents(100), day, "  "),
            Err(AccountsError::BankReferenceMissing)
        );
    }
}
