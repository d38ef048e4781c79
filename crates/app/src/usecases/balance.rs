use crate::ports::Invariant;
use serde::{Deserialize, Serialize};
pub use vnum_billing::{PaymentMethod, ServiceState};
use vnum_core::{CustomerId, Money};

use crate::model::{EntryKind, LedgerEntry, NewLedgerEntry};
use crate::ports::{Debit, StoreError, Transaction};
use crate::{Error, Vnum};

/// A top-up of a prepaid balance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopUp {
    /// Whose balance.
    pub customer: CustomerId,
    /// How much; positive, in the customer's currency, whole minor units.
    pub amount: Money,
    /// The caller's idempotency key: the same key twice credits once.
    pub idempotency_key: String,
}

/// What a top-up did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopUpReceipt {
    /// The ledger entry of the top-up (the first one, when the key was seen before).
    pub entry: LedgerEntry,
    /// The balance now.
    pub balance: Money,
    /// True when the key was seen before and nothing was credited this time.
    pub replayed: bool,
}

/// A balance and what it implies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceView {
    /// The customer.
    pub customer: CustomerId,
    /// The sum of the ledger.
    pub balance: Money,
    /// Whether the numbers work.
    pub service: ServiceState,
}

/// The customer a payment of `amount` is for, when its balance is kept in the payment's
/// currency.
///
/// # Errors
/// [`Error::NotFound`] for an unknown customer; [`Error::Invalid`] for another currency.
pub(crate) async fn paying_customer(
    tx: &mut dyn Transaction,
    customer: CustomerId,
    amount: Money,
) -> Result<crate::model::Customer, Error> {
    let customer = tx
        .customer(customer)
        .await?
        .ok_or_else(|| Error::not_found("customer", customer))?;
    if customer.currency != amount.currency() {
        return Err(Error::Invalid(format!(
            "the balance is kept in {}, the payment is in {}",
            customer.currency,
            amount.currency()
        )));
    }
    Ok(customer)
}

/// Takes a purchase paid in advance from the balance: the debit `entry` (a negative amount)
/// is booked only when the balance covers it, checked and moved in one atomic step, so
/// concurrent purchases never take a balance below zero (R1.4, R1.D2).
///
/// # Errors
/// [`Error::InsufficientBalance`] when the balance does not cover it (R1.4), with the
/// balance as it was; the store's errors otherwise.
pub(crate) async fn pay(
    tx: &mut dyn Transaction,
    entry: NewLedgerEntry,
) -> Result<LedgerEntry, Error> {
    let price = -entry.amount;
    match tx.debit(entry).await? {
        Debit::Taken(entry) => Ok(entry),
        Debit::Short { balance } => {
            // The rule says why in its own words; a store that refused a covered amount
            // is reported as short all the same.
            vnum_lifecycle::accept_order(balance, price)?;
            Err(Error::InsufficientBalance {
                needed: price,
                available: balance,
            })
        }
    }
}

impl Vnum {
    /// Refuses an amount no payment may have: zero or below, fractions of a minor unit, or
    /// more than [`crate::Config::max_payment`] (R10.D6).
    ///
    /// # Errors
    /// [`Error::Refused`] (R10.D6) for a non-positive amount, fractions of a minor unit or
    /// an amount above the maximum per payment.
    pub(crate) fn check_payment_amount(&self, amount: Money) -> Result<(), Error> {
        vnum_billing::check_payment_amount(amount, self.config.max_payment).map_err(Error::refused)
    }

    /// Credits a balance once per idempotency key, as an operator's payment of no stated
    /// method; see [`Vnum::record_payment`].
    ///
    /// # Errors
    /// As [`Vnum::record_payment`].
    pub async fn top_up(&self, request: TopUp) -> Result<TopUpReceipt, Error> {
        self.record_payment(request, None).await
    }

    /// Credits a balance once per idempotency key: a payment an operator received by
    /// `method` (R1.D1), which the ledger line names. When the payment clears a debt, every
    /// number of the account works again at once (R10.4, R10.D3) and the next charge is
    /// still on the connection day (R10.5): nothing else changes.
    ///
    /// # Errors
    /// [`Error::Refused`] (R10.D6) for a non-positive amount, fractions of a minor unit or
    /// more than the maximum per payment; [`Error::Invalid`] for a currency other than the
    /// customer's or an empty key; [`Error::NotFound`] for an unknown customer;
    /// [`Error::Conflict`] when the key was used for a different amount.
    pub async fn record_payment(
        &self,
        request: TopUp,
        method: Option<PaymentMethod>,
    ) -> Result<TopUpReceipt, Error> {
        let key = super::payments::checked_key("an idempotency key", &request.idempotency_key)?;
        self.check_payment_amount(request.amount)?;
        let mut tx = self.ports.store.begin().await?;
        let customer = paying_customer(&mut *tx, request.customer, request.amount).await?;
        let reference = format!("top-up:{key}");
        if let Some(entry) = tx.entry_by_reference(customer.id, &reference).await? {
            return self.replay(request.amount, entry, tx.balance(customer.id).await?);
        }
        let appended = tx
            .append(NewLedgerEntry {
                customer: customer.id,
                kind: EntryKind::TopUp,
                amount: request.amount,
                number: None,
                period: None,
                rule: Some(vnum_core::rule::R1_D1),
                reference: Some(reference.clone()),
                description: match method {
                    Some(method) => format!("Payment recorded by an operator: {method}"),
                    None => "Payment recorded by an operator".to_owned(),
                },
                at: self.ports.clock.now(),
            })
            .await;
        let entry = match appended {
            Ok(entry) => entry,
            // Another request with the same key committed first.
            Err(StoreError::Conflict {
                what: Invariant::LedgerReference,
            }) => {
                let mut tx = self.ports.store.begin().await?;
                let entry = tx
                    .entry_by_reference(customer.id, &reference)
                    .await?
                    .ok_or(StoreError::Conflict {
                        what: Invariant::LedgerReference,
                    })?;
                return self.replay(request.amount, entry, tx.balance(customer.id).await?);
            }
            Err(e) => return Err(e.into()),
        };
        super::events::record_credit(
            &mut *tx,
            entry.at,
            customer.id,
            entry.amount,
            Some(reference),
        )
        .await?;
        let balance = tx.balance(customer.id).await?;
        tx.commit().await.map_err(|e| match e {
            StoreError::Conflict { .. } => Error::Conflict(
                "the top-up raced with another change; retry with the same key".into(),
            ),
            other => other.into(),
        })?;
        Ok(TopUpReceipt {
            entry,
            balance,
            replayed: false,
        })
    }

    fn replay(
        &self,
        amount: Money,
        entry: LedgerEntry,
        balance: Money,
    ) -> Result<TopUpReceipt, Error> {
        if entry.amount != amount {
            return Err(Error::Conflict(format!(
                "the idempotency key was used for a top-up of {}, not {amount}",
                entry.amount
            )));
        }
        Ok(TopUpReceipt {
            entry,
            balance,
            replayed: true,
        })
    }

    /// The balance and the service state it implies (R10.4).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown customer.
    pub async fn balance(&self, customer: CustomerId) -> Result<BalanceView, Error> {
        let mut tx = self.ports.store.read().await?;
        let balance = tx.balance(customer).await.map_err(|e| match e {
            StoreError::Stale { .. } => Error::not_found("customer", customer),
            other => other.into(),
        })?;
        Ok(BalanceView {
            customer,
            balance,
            service: ServiceState::of_balance(balance),
        })
    }

    /// One page of the ledger of a customer between two instants, in booking order (R4.6).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown customer.
    pub async fn ledger(
        &self,
        customer: CustomerId,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
        page: crate::model::PageRequest,
    ) -> Result<crate::model::Page<LedgerEntry>, Error> {
        let mut tx = self.ports.store.read().await?;
        tx.customer(customer)
            .await?
            .ok_or_else(|| Error::not_found("customer", customer))?;
        Ok(tx.entries_page(customer, from, to, page).await?)
    }
}
