//! Ledger entries on the wire: the balance, the statistics of the ledger and the closing
//! documents show them.

use crate::money::MoneyBody;
use chrono::{DateTime, NaiveDate, Utc};
use poem_openapi::{Enum, Object};
use vnum_app::model::{EntryKind, LedgerEntry};

/// What a ledger entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "EntryKind", rename_all = "snake_case")]
pub(crate) enum Kind {
    /// Money paid in by the customer.
    TopUp,
    /// Money paid in by bank transfer under a contract (R12.1).
    BankTransfer,
    /// A fee: setup, a monthly period, a prepaid term, an add-on, a service.
    Charge,
    /// Money given back.
    Refund,
    /// A correction by an operator.
    Adjustment,
}

impl From<EntryKind> for Kind {
    fn from(kind: EntryKind) -> Self {
        match kind {
            EntryKind::TopUp => Self::TopUp,
            EntryKind::BankTransfer => Self::BankTransfer,
            EntryKind::Charge => Self::Charge,
            EntryKind::Refund => Self::Refund,
            EntryKind::Adjustment => Self::Adjustment,
        }
    }
}

/// One movement of the balance. The balance is the sum of the entries (R10).
#[derive(Clone, Debug, Object)]
pub(crate) struct Entry {
    /// The id.
    pub(crate) id: i64,
    /// What kind of movement.
    pub(crate) kind: Kind,
    /// Signed: positive credits the balance, negative debits it.
    pub(crate) amount: MoneyBody,
    /// The number a charge is for.
    #[oai(skip_serializing_if_is_none)]
    pub(crate) number: Option<i64>,
    /// The first day of the period a charge pays for.
    #[oai(skip_serializing_if_is_none)]
    pub(crate) period_start: Option<NaiveDate>,
    /// The day after the period a charge pays for.
    #[oai(skip_serializing_if_is_none)]
    pub(crate) period_end: Option<NaiveDate>,
    /// The rule that made the movement (`R10.2`).
    #[oai(skip_serializing_if_is_none)]
    pub(crate) rule: Option<String>,
    /// A line a customer can read.
    pub(crate) description: String,
    /// When it happened.
    pub(crate) at: DateTime<Utc>,
}

impl From<LedgerEntry> for Entry {
    fn from(entry: LedgerEntry) -> Self {
        Self {
            id: entry.id.get(),
            kind: entry.kind.into(),
            amount: entry.amount.into(),
            number: entry.number.map(vnum_core::NumberId::get),
            period_start: entry.period.map(|p| p.start()),
            period_end: entry.period.map(|p| p.end()),
            rule: entry.rule.map(|r| r.as_str().to_owned()),
            description: entry.description,
            at: entry.at,
        }
    }
}
