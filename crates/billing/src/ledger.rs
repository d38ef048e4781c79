//! The ledger: every movement of a customer's balance, and the balance as their sum.

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use vnum_core::rule::{self, RuleId};
use vnum_core::{Currency, Money, NumberId, Period};

use crate::BillingError;

/// What moved the balance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// The customer paid money in (R1.1); positive.
    TopUp,
    /// A number's fee for a period or a prepaid term (R10.2); negative.
    Charge,
    /// A correction by the provider, either way.
    Adjustment,
    /// Money given back to the balance (an unused one-shot SMS allocation, R9.D1); positive.
    Refund,
    /// A company's payment by bank transfer under its contract (R12.1); positive.
    BankTransfer,
}

impl fmt::Display for EntryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TopUp => "top-up",
            Self::Charge => "charge",
            Self::Adjustment => "adjustment",
            Self::Refund => "refund",
            Self::BankTransfer => "bank transfer",
        })
    }
}

/// One movement of a customer's balance.
///
/// Invariant: the amount's sign follows the kind: money in (top-ups, bank transfers,
/// refunds) is above zero, a charge is below zero (or zero for a free period), an adjustment
/// is not zero. Only a charge names a number and a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    kind: EntryKind,
    amount: Money,
    number: Option<NumberId>,
    period: Option<Period>,
    #[serde(deserialize_with = "deserialize_rule")]
    rule: RuleId,
    occurred_at: DateTime<Utc>,
    reference: Option<String>,
}

impl LedgerEntry {
    /// Money the customer paid in, with the payment provider's idempotency key or receipt
    /// as `reference` (R1.1).
    ///
    /// # Errors
    /// [`BillingError::AmountNotPositive`] unless `amount` is above zero.
    pub fn top_up(
        amount: Money,
        occurred_at: DateTime<Utc>,
        reference: Option<String>,
    ) -> Result<Self, BillingError> {
        Self::money_in(EntryKind::TopUp, amount, rule::R1_1, occurred_at, reference)
    }

    /// A company's payment by bank transfer, with the bank's reference (R12.1).
    ///
    /// # Errors
    /// [`BillingError::AmountNotPositive`] unless `amount` is above zero.
    pub fn bank_transfer(
        amount: Money,
        occurred_at: DateTime<Utc>,
        bank_reference: String,
    ) -> Result<Self, BillingError> {
        Self::money_in(
            EntryKind::BankTransfer,
            amount,
            rule::R12_1,
            occurred_at,
            Some(bank_reference),
        )
    }

    /// Money given back to the balance under the rule `rule` (e.g. R9.D1).
    ///
    /// # Errors
    /// [`BillingError::AmountNotPositive`] unless `amount` is above zero.
    pub fn refund(
        amount: Money,
        rule: RuleId,
        occurred_at: DateTime<Utc>,
        reference: Option<String>,
    ) -> Result<Self, BillingError> {
        Self::money_in(EntryKind::Refund, amount, rule, occurred_at, reference)
    }

    /// The fee `price` for `number` over `period` (a month or a prepaid term), recorded as
    /// a negative amount. It is recorded whatever the balance: a short balance goes negative
    /// (R10.3).
    ///
    /// # Errors
    /// [`BillingError::AmountNotPositive`] when `price` is below zero.
    pub fn charge(
        number: NumberId,
        period: Period,
        price: Money,
        rule: RuleId,
        occurred_at: DateTime<Utc>,
    ) -> Result<Self, BillingError> {
        if price.is_negative() {
            return Err(BillingError::AmountNotPositive {
                kind: EntryKind::Charge,
                amount: price,
            });
        }
        Ok(Self {
            kind: EntryKind::Charge,
            amount: -price,
            number: Some(number),
            period: Some(period),
            rule,
            occurred_at,
            reference: None,
        })
    }

    /// A correction of `amount` (either sign) by the provider under `rule`.
    ///
    /// # Errors
    /// [`BillingError::ZeroAdjustment`] when `amount` is zero.
    pub fn adjustment(
        amount: Money,
        rule: RuleId,
        occurred_at: DateTime<Utc>,
        reference: Option<String>,
    ) -> Result<Self, BillingError> {
        if amount.is_zero() {
            return Err(BillingError::ZeroAdjustment);
        }
        Ok(Self {
            kind: EntryKind::Adjustment,
            amount,
            number: None,
            period: None,
            rule,
            occurred_at,
            reference,
        })
    }

    fn money_in(
        kind: EntryKind,
        amount: Money,
        rule: RuleId,
        occurred_at: DateTime<Utc>,
        reference: Option<String>,
    ) -> Result<Self, BillingError> {
        if amount.is_negative() || amount.is_zero() {
            return Err(BillingError::AmountNotPositive { kind, amount });
        }
        Ok(Self {
            kind,
            amount,
            number: None,
            period: None,
            rule,
            occurred_at,
            reference,
        })
    }

    /// What moved the balance.
    #[must_use]
    pub const fn kind(&self) -> EntryKind {
        self.kind
    }

    /// The signed amount: above zero adds to the balance, below zero takes from it.
    #[must_use]
    pub const fn amount(&self) -> Money {
        self.amount
    }

    /// The number a charge is for.
    #[must_use]
    pub const fn number(&self) -> Option<NumberId> {
        self.number
    }

    /// The period (a month or a prepaid term) a charge is for.
    #[must_use]
    pub const fn period(&self) -> Option<Period> {
        self.period
    }

    /// The rule that made the entry.
    #[must_use]
    pub const fn rule(&self) -> RuleId {
        self.rule
    }

    /// When it happened, in UTC.
    #[must_use]
    pub const fn occurred_at(&self) -> DateTime<Utc> {
        self.occurred_at
    }

    /// The outside reference: an idempotency key, a receipt, a bank reference.
    #[must_use]
    pub fn reference(&self) -> Option<&str> {
        self.reference.as_deref()
    }
}

impl fmt::Display for LedgerEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.occurred_at, self.kind, self.amount)?;
        if let (Some(number), Some(period)) = (self.number, self.period) {
            write!(f, " number {number} for {period}")?;
        }
        write!(f, " ({})", self.rule)
    }
}

fn deserialize_rule<'de, D: Deserializer<'de>>(deserializer: D) -> Result<RuleId, D::Error> {
    let id = String::deserialize(deserializer)?;
    RuleId::find(&id).ok_or_else(|| serde::de::Error::custom(format!("unknown rule id {id:?}")))
}

/// One customer's ledger: the entries in the order they were recorded, and the balance.
///
/// Invariant: the balance is the exact sum of the entries, all in the ledger's currency,
/// and no two charges of one number cover a common day, so no period is charged twice
/// (R10.D4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ledger {
    entries: Vec<LedgerEntry>,
    balance: Money,
    charged: HashMap<NumberId, Vec<Period>>,
}

impl Ledger {
    /// An empty ledger in `currency`.
    #[must_use]
    pub fn new(currency: Currency) -> Self {
        Self {
            entries: Vec::new(),
            balance: Money::zero(currency),
            charged: HashMap::new(),
        }
    }

    /// A ledger rebuilt from stored entries.
    ///
    /// # Errors
    /// As [`Ledger::record`], for the first entry that breaks the invariant.
    pub fn from_entries<I>(currency: Currency, entries: I) -> Result<Self, BillingError>
    where
        I: IntoIterator<Item = LedgerEntry>,
    {
        let mut ledger = Self::new(currency);
        for entry in entries {
            ledger.record(entry)?;
        }
        Ok(ledger)
    }

    /// Records `entry` and returns the new balance. A charge is recorded whatever the
    /// balance, which may go negative (R10.3).
    ///
    /// # Errors
    /// [`BillingError::Money`] when the entry is in another currency or the sum overflows;
    /// [`BillingError::PeriodAlreadyCharged`] when a charge covers a day of the same number
    /// already charged (R10.D4). The ledger is unchanged on error.
    pub fn record(&mut self, entry: LedgerEntry) -> Result<Money, BillingError> {
        let balance = self.balance.checked_add(entry.amount)?;
        if let (Some(number), Some(period)) = (entry.number, entry.period) {
            let charged = self.charged.entry(number).or_default();
            if charged.iter().any(|p| overlaps(p, &period)) {
                return Err(BillingError::PeriodAlreadyCharged { number, period });
            }
            charged.push(period);
        }
        self.balance = balance;
        self.entries.push(entry);
        Ok(balance)
    }

    /// The balance: the sum of every entry.
    #[must_use]
    pub const fn balance(&self) -> Money {
        self.balance
    }

    /// The entries, oldest first.
    #[must_use]
    pub fn entries(&self) -> &[LedgerEntry] {
        &self.entries
    }

    /// True when some charge of `number` covers `day`.
    #[must_use]
    pub fn is_charged(&self, number: NumberId, day: chrono::NaiveDate) -> bool {
        self.charged
            .get(&number)
            .is_some_and(|periods| periods.iter().any(|p| p.contains(day)))
    }
}

fn overlaps(a: &Period, b: &Period) -> bool {
    a.start() < b.end() && b.start() < a.end()
}
