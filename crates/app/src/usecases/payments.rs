//! Payments a customer starts and the payment provider confirms (R1.D1).
//!
//! A customer never credits its own balance: it starts a payment, which stays pending, and
//! the balance is credited when the payment provider's notification confirms it. The
//! notification's authenticity (its signature) is the HTTP adapter's business; here it is
//! a fact to apply once per provider event.

use serde::{Deserialize, Serialize};
use vnum_billing::{PaymentOutcome, PaymentStatus};
use vnum_core::{CustomerId, Money, PaymentId, rule};

use crate::model::{EntryKind, LedgerEntry, NewLedgerEntry, NewPayment, PaymentRecord};
use crate::ports::Invariant;
use crate::ports::{StoreError, Transaction};
use crate::{Error, Vnum};

/// The longest idempotency key or provider event id kept.
const MAX_KEY_CHARS: usize = 200;

/// A payment a customer starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartPayment {
    /// Whose balance it credits once confirmed.
    pub customer: CustomerId,
    /// How much; positive, in the customer's currency, at most the maximum per payment.
    pub amount: Money,
    /// The caller's idempotency key: the same key starts one payment.
    pub idempotency_key: String,
}

/// What starting a payment did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartedPayment {
    /// The payment (the first one, when the key was seen before).
    pub payment: PaymentRecord,
    /// True when the key was seen before and nothing new was started.
    pub replayed: bool,
}

/// The payment provider's word on one payment, already authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderNotification {
    /// The provider's id of the event; the same event is applied once.
    pub event_id: String,
    /// The payment it is about.
    pub payment: PaymentId,
    /// Succeeded (with the amount received) or failed.
    pub outcome: PaymentOutcome,
}

/// What a notification did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotificationReceipt {
    /// The payment, settled.
    pub payment: PaymentRecord,
    /// The ledger entry that credited the balance, for a confirmed payment.
    pub entry: Option<LedgerEntry>,
    /// True when the event was applied before and nothing changed this time.
    pub replayed: bool,
}

pub(crate) fn checked_key<'a>(what: &str, key: &'a str) -> Result<&'a str, Error> {
    let key = key.trim();
    if key.is_empty() || key.chars().count() > MAX_KEY_CHARS {
        return Err(Error::Invalid(format!(
            "{what} of 1 to {MAX_KEY_CHARS} characters is required"
        )));
    }
    Ok(key)
}

/// The ledger reference of the credit a provider event made; unique per customer, so a
/// second credit for one event is refused by storage whatever happens concurrently.
fn provider_reference(event_id: &str) -> String {
    format!("provider:{event_id}")
}

impl Vnum {
    /// Starts a payment for `customer`: a pending record, once per idempotency key. Nothing
    /// is credited until the payment provider confirms it (R1.D1).
    ///
    /// # Errors
    /// [`Error::Invalid`] for an empty key, a non-positive amount, fractions of a minor unit
    /// or another currency than the balance's; [`Error::Refused`] (R10.D6) above the
    /// maximum per payment; [`Error::NotFound`] for an unknown customer;
    /// [`Error::Conflict`] when the key started a payment of another amount.
    pub async fn start_payment(&self, request: StartPayment) -> Result<StartedPayment, Error> {
        let key = checked_key("an idempotency key", &request.idempotency_key)?;
        self.check_payment_amount(request.amount)?;
        let mut tx = self.ports.store.begin().await?;
        let customer =
            super::balance::paying_customer(&mut *tx, request.customer, request.amount).await?;
        if let Some(first) = tx.payment_by_key(customer.id, key).await? {
            return replayed_start(request.amount, first);
        }
        let inserted = tx
            .insert_payment(NewPayment {
                customer: customer.id,
                amount: request.amount,
                idempotency_key: key.to_owned(),
                created_at: self.ports.clock.now(),
            })
            .await;
        let payment = match inserted {
            Ok(payment) => payment,
            // Another request with the same key stored its payment first.
            Err(StoreError::Conflict {
                what: Invariant::PaymentKey,
            }) => {
                let mut tx = self.ports.store.begin().await?;
                let first =
                    tx.payment_by_key(customer.id, key)
                        .await?
                        .ok_or(StoreError::Conflict {
                            what: Invariant::PaymentKey,
                        })?;
                return replayed_start(request.amount, first);
            }
            Err(e) => return Err(e.into()),
        };
        tx.commit().await.map_err(|e| match e {
            StoreError::Conflict { .. } => Error::Conflict(
                "the payment raced with another change; retry with the same key".into(),
            ),
            other => other.into(),
        })?;
        Ok(StartedPayment {
            payment,
            replayed: false,
        })
    }

    /// The customer's payments, oldest first.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown customer.
    pub async fn payments(&self, customer: CustomerId) -> Result<Vec<PaymentRecord>, Error> {
        let mut tx = self.ports.store.read().await?;
        tx.customer(customer)
            .await?
            .ok_or_else(|| Error::not_found("customer", customer))?;
        Ok(tx.payments_of(customer).await?)
    }

    /// One payment of the customer.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such payment, or it is another customer's.
    pub async fn payment(
        &self,
        customer: CustomerId,
        id: PaymentId,
    ) -> Result<PaymentRecord, Error> {
        let mut tx = self.ports.store.read().await?;
        tx.payment(id)
            .await?
            .filter(|p| p.customer == customer)
            .ok_or_else(|| Error::not_found("payment", id))
    }

    /// Applies the payment provider's notification, once per event (R1.D1). A success for
    /// the payment's amount credits the customer's balance with one ledger entry (rule
    /// R1.D1, reference `provider:<event id>`) and confirms the payment, in one unit of
    /// work; a failure marks it failed and credits nothing. The same event again changes
    /// nothing and answers what it did the first time.
    ///
    /// # Errors
    /// [`Error::Invalid`] for an empty event id; [`Error::NotFound`] for an unknown payment;
    /// [`Error::Refused`] (R1.D1) when a success names another amount or currency than the
    /// payment (nothing is credited), or (R10.D6) when the balance would leave the storable
    /// range; [`Error::Conflict`] when the payment was settled by another event, or the
    /// event settled another payment or said otherwise before.
    pub async fn apply_payment_notification(
        &self,
        notification: ProviderNotification,
    ) -> Result<NotificationReceipt, Error> {
        let event_id = checked_key("an event id", &notification.event_id)?.to_owned();
        let notification = ProviderNotification {
            event_id,
            ..notification
        };
        let mut tx = self.ports.store.begin().await?;
        if let Some(receipt) = replayed_event(tx.as_mut(), &notification).await? {
            return Ok(receipt);
        }
        let payment = tx
            .payment(notification.payment)
            .await?
            .ok_or_else(|| Error::not_found("payment", notification.payment))?;
        let status = payment
            .status
            .next(payment.amount, notification.outcome)
            .map_err(|e| match e {
                vnum_billing::PaymentError::NotPending { .. } => Error::Conflict(format!(
                    "payment {}: {e}; event {} was not applied",
                    payment.id, notification.event_id
                )),
                other => Error::refused(other),
            })?;
        let now = self.ports.clock.now();
        let entry = match status {
            PaymentStatus::Confirmed => Some(
                tx.append(NewLedgerEntry {
                    customer: payment.customer,
                    kind: EntryKind::TopUp,
                    amount: payment.amount,
                    number: None,
                    period: None,
                    rule: Some(rule::R1_D1),
                    reference: Some(provider_reference(&notification.event_id)),
                    description: format!(
                        "Payment {} confirmed by the payment provider",
                        payment.id
                    ),
                    at: now,
                })
                .await,
            )
            .transpose(),
            _ => Ok(None),
        };
        let settled = PaymentRecord {
            status,
            confirmed_at: (status == PaymentStatus::Confirmed).then_some(now),
            failed_at: (status == PaymentStatus::Failed).then_some(now),
            provider_event: Some(notification.event_id.clone()),
            ..payment
        };
        if let Ok(Some(credit)) = &entry {
            super::events::record_credit(
                &mut *tx,
                now,
                credit.customer,
                credit.amount,
                credit.reference.clone(),
            )
            .await?;
        }
        let written = match entry {
            Ok(entry) => tx.settle_payment(&settled).await.map(|()| entry),
            Err(e) => Err(e),
        };
        let committed = match written {
            Ok(entry) => tx.commit().await.map(|()| entry),
            Err(e) => Err(e),
        };
        match committed {
            Ok(entry) => Ok(NotificationReceipt {
                payment: settled,
                entry,
                replayed: false,
            }),
            // The same event, delivered twice at once, was applied by the other delivery;
            // or another event settled the payment first.
            Err(StoreError::Conflict { .. } | StoreError::Stale { .. }) => {
                let mut tx = self.ports.store.begin().await?;
                match replayed_event(tx.as_mut(), &notification).await? {
                    Some(receipt) => Ok(receipt),
                    None => Err(Error::Conflict(format!(
                        "payment {} changed at the same time; event {} was not applied: send \
                         it again",
                        notification.payment, notification.event_id
                    ))),
                }
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// The first payment started with a key, when the key comes again for the same amount.
fn replayed_start(amount: Money, first: PaymentRecord) -> Result<StartedPayment, Error> {
    if first.amount != amount {
        return Err(Error::Conflict(format!(
            "the idempotency key started a payment of {}, not {amount}",
            first.amount
        )));
    }
    Ok(StartedPayment {
        payment: first,
        replayed: true,
    })
}

/// What an event did when it was applied before, if it was; an event that comes back about
/// another payment or with another outcome is a conflict.
async fn replayed_event(
    tx: &mut dyn Transaction,
    notification: &ProviderNotification,
) -> Result<Option<NotificationReceipt>, Error> {
    let Some(payment) = tx.payment_by_event(&notification.event_id).await? else {
        return Ok(None);
    };
    let same = payment.id == notification.payment
        && match notification.outcome {
            PaymentOutcome::Succeeded(amount) => {
                payment.status == PaymentStatus::Confirmed && payment.amount == amount
            }
            PaymentOutcome::Failed => payment.status == PaymentStatus::Failed,
        };
    if !same {
        return Err(Error::Conflict(format!(
            "event {} was applied before to payment {} ({}); it cannot say otherwise now",
            notification.event_id, payment.id, payment.status
        )));
    }
    let entry = tx
        .entry_by_reference(
            payment.customer,
            &provider_reference(&notification.event_id),
        )
        .await?;
    Ok(Some(NotificationReceipt {
        payment,
        entry,
        replayed: true,
    }))
}
