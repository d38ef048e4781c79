//! Events out: the transactional outbox and its delivery.
//!
//! A use case that changes something worth telling appends an [`Event`] to the outbox in
//! its own unit of work ([`record`]), so the event exists exactly when the change was
//! committed. [`Vnum::deliver_events`], run by a worker after commits and on a slow poll,
//! claims due events under a lease, emails the customer through the [`Notifier`] port and
//! queues one webhook delivery per endpoint that wants the event, then marks the event
//! delivered. A worker that dies between commit and delivery, or mid-delivery, loses
//! nothing: the lease ends and the event is claimed again, under the same id, so that a
//! receiver recognises the redelivery.
//!
//! [`Notifier`]: crate::ports::Notifier

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use vnum_core::{CustomerId, Money};

use crate::model::{Event, EventId, Notice, Settlement};
use crate::ports::Transaction;
use crate::{Error, Vnum};

/// How long a claimed event or delivery is held by the worker that claimed it unless the
/// configuration says otherwise ([`crate::Config::outbox_lease_seconds`]): longer than an
/// attempt takes (an SMTP conversation or an HTTP POST, both bounded by their timeouts),
/// short enough that a crashed worker's claims are retried soon.
pub const DELIVERY_LEASE: Duration = Duration::seconds(30);

/// How many events a worker claims at once: few, so that what a crashed worker held and
/// must wait for its lease to end is little.
pub const EVENT_BATCH: u32 = 10;

/// How many webhook deliveries a worker claims at once: one, as a delivery may take up to
/// the webhook timeout; after a crash only the delivery under way waits for its lease.
pub const WEBHOOK_BATCH: u32 = 1;

/// The pause before the `attempts`-th retry of an event whose email failed: 30 s,
/// doubling, at most an hour; retried for as long as it takes, never dropped.
#[must_use]
pub fn event_retry_delay(attempts: u32) -> Duration {
    let exponent = attempts.saturating_sub(1).min(7);
    Duration::seconds(30 * (1_i64 << exponent)).min(Duration::hours(1))
}

/// Appends `notice` to the outbox of the unit of work `tx`, stamped `now`, with the email
/// address it goes to if it is emailed.
///
/// # Errors
/// What the store answers.
pub(crate) async fn record(
    tx: &mut dyn Transaction,
    now: DateTime<Utc>,
    email: Option<String>,
    notice: Notice,
) -> Result<Event, Error> {
    let mut bytes = [0_u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let event = Event {
        id: EventId::from_random(bytes),
        created_at: now,
        email,
        notice,
    };
    tx.append_event(event.clone()).await?;
    Ok(event)
}

/// Appends the events a credit to `customer`'s balance brings: the payment, and the
/// account's resumption when the credit took the balance from below zero to zero or above
/// (R10.4, R10.5).
pub(crate) async fn record_credit(
    tx: &mut dyn Transaction,
    now: DateTime<Utc>,
    customer: CustomerId,
    amount: Money,
    reference: Option<String>,
) -> Result<(), Error> {
    let Some(found) = tx.customer(customer).await? else {
        return Ok(());
    };
    let balance = tx.balance(customer).await?;
    record(
        tx,
        now,
        Some(found.email.clone()),
        Notice::PaymentCredited {
            customer,
            amount: amount.into(),
            reference,
            balance: balance.into(),
        },
    )
    .await?;
    let before = balance.checked_sub(amount)?;
    if before.is_negative() && !balance.is_negative() {
        record(
            tx,
            now,
            Some(found.email),
            Notice::AccountResumed {
                customer,
                balance: balance.into(),
            },
        )
        .await?;
    }
    Ok(())
}

/// What one run of [`Vnum::deliver_events`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventDelivery {
    /// Events delivered (emailed and queued for their webhooks).
    pub delivered: Vec<EventId>,
    /// Events whose email failed, tried again later.
    pub retried: Vec<EventId>,
}

impl Vnum {
    /// Delivers the events due now: claims them under a lease
    /// ([`crate::Config::outbox_lease_seconds`]), emails
    /// each to its customer, queues a webhook delivery for each endpoint that wants it and
    /// marks it delivered, in batches of [`EVENT_BATCH`] until none is due. An event whose
    /// email fails is due again after [`event_retry_delay`]. When nothing is due it only
    /// reads: no unit of work that writes is begun.
    ///
    /// # Errors
    /// [`Error::Unavailable`] when the store fails; what was delivered stays delivered.
    pub async fn deliver_events(&self) -> Result<EventDelivery, Error> {
        let mut report = EventDelivery::default();
        loop {
            let now = self.ports.clock.now();
            let due = {
                let mut tx = self.ports.store.read().await?;
                tx.events_due(now).await?
            };
            if !due {
                return Ok(report);
            }
            let mut tx = self.ports.store.begin().await?;
            let claimed = tx
                .claim_events(now, now + self.config.outbox_lease(), EVENT_BATCH)
                .await?;
            tx.commit().await?;
            if claimed.is_empty() {
                return Ok(report);
            }
            for entry in claimed {
                if !self.lease_holds(now) {
                    // What is left is due again when the lease ends, for whoever is free.
                    break;
                }
                let event = entry.event;
                let emailed = match &event.email {
                    Some(_) => self.ports.notifier.notify(&event).await,
                    None => Ok(()),
                };
                let now = self.ports.clock.now();
                let mut tx = self.ports.store.begin().await?;
                match emailed {
                    Ok(()) => {
                        for endpoint in tx.webhooks().await? {
                            if endpoint.wants(&event) {
                                tx.queue_delivery(endpoint.id, &event, now).await?;
                            }
                        }
                        tx.settle_event(&event.id, Settlement::Delivered { at: now })
                            .await?;
                        report.delivered.push(event.id.clone());
                    }
                    Err(error) => {
                        tracing::warn!(event = %event.id, %error, "an event's email failed; \
                            it is tried again later");
                        tx.settle_event(
                            &event.id,
                            Settlement::Retry {
                                retry_at: now + event_retry_delay(entry.attempts),
                                error: error.to_string(),
                            },
                        )
                        .await?;
                        report.retried.push(event.id.clone());
                    }
                }
                tx.commit().await?;
            }
        }
    }

    /// Whether a batch claimed at `claimed_at` may still be worked on: within the first
    /// half of its lease, so that an attempt begun now ends before another worker may take
    /// the rest of the batch over.
    pub(crate) fn lease_holds(&self, claimed_at: DateTime<Utc>) -> bool {
        self.ports.clock.now() - claimed_at < self.config.outbox_lease() / 2
    }

    /// Events in the order they happened, after the event `after`, at most `limit` (1 to
    /// 500): a customer's own, or every event for an operator (`customer` none).
    ///
    /// # Errors
    /// [`Error::Invalid`] for a limit out of range.
    pub async fn events(
        &self,
        customer: Option<CustomerId>,
        after: Option<&EventId>,
        limit: u32,
    ) -> Result<Vec<Event>, Error> {
        if !(1..=500).contains(&limit) {
            return Err(Error::Invalid("limit is 1 to 500".into()));
        }
        let mut tx = self.ports.store.read().await?;
        Ok(tx.events(customer, after, limit).await?)
    }
}
