//! One-shot SMS numbers (R9).

use chrono::{DateTime, TimeDelta, Utc};
use vnum_billing::ServiceState;
use vnum_core::rule;
use vnum_core::{CustomerId, NumberId, OfferId, PhoneNumber};
use vnum_lifecycle::{NumberKind, NumberStatus};
use vnum_sms::{Service, SmsError, SmsEvent, SmsPool};

use crate::model::{
    EntryKind, NewLedgerEntry, Notice, NumberSms, Page, PageRequest, ReceivedSms,
    SmsAllocationRecord, SmsDelivery, StockState,
};
use crate::ports::{StoreError, Transaction};
use crate::{Error, Vnum};

impl Vnum {
    /// Lends `customer` a number of the SMS offer `offer` to receive one verification code
    /// for `service` (R9.1), for the configured lifetime, and charges the offer's price
    /// (its monthly price is the price of one allocation) in advance (R1.4).
    ///
    /// The numbers in the offer's stock form the pool; `vnum-sms` picks one never issued
    /// for the service (R9.2), and storage refuses a second allocation of one number for one
    /// service whatever happens concurrently. A number waits for one message at a time,
    /// because an inbound SMS names no service.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a blank service, an offer that is not an SMS offer or is
    /// priced in another currency than the balance; [`Error::NotFound`] for an unknown
    /// customer or offer; [`Error::InsufficientBalance`] when the balance does not cover the
    /// price (R1.4); [`Error::Refused`] (R9.2) when no number is left for the service;
    /// [`Error::Conflict`] when another allocation took the number at the same moment.
    pub async fn allocate_sms_number(
        &self,
        customer: CustomerId,
        service: &str,
        offer: OfferId,
    ) -> Result<SmsAllocationRecord, Error> {
        let service = Service::new(service)?;
        let now = self.ports.clock.now();
        let lifetime = TimeDelta::minutes(i64::from(self.config.sms_allocation_lifetime_minutes));
        let mut tx = self.ports.store.begin().await?;
        tx.customer(customer)
            .await?
            .ok_or_else(|| Error::not_found("customer", customer))?;
        let offer = tx
            .offer(offer)
            .await?
            .ok_or_else(|| Error::not_found("offer", offer))?;
        if offer.kind() != NumberKind::Sms {
            return Err(Error::Invalid(format!(
                "offer {} sells {} numbers, not one-shot SMS numbers",
                offer.id(),
                offer.kind()
            )));
        }
        let price = offer.monthly_price();
        // Refused early when the balance cannot cover it; the debit below is the atomic
        // check (R1.D2).
        vnum_lifecycle::accept_order(tx.balance(customer).await?, price)?;
        let issued = tx.issued_for(&service).await?;
        let busy: Vec<PhoneNumber> = tx
            .waiting_sms_allocations()
            .await?
            .into_iter()
            .map(|r| r.allocation.number().clone())
            .collect();
        let mut pool = SmsPool::new(service);
        for stocked in tx.stock(offer.id()).await? {
            let free = stocked.state == StockState::Available
                && !issued.contains(&stocked.e164)
                && !busy.contains(&stocked.e164);
            if free {
                pool.add(stocked.e164)?;
            }
        }
        let id = tx.next_sms_allocation_id().await?;
        let allocation = pool.allocate(id, customer, price, now, lifetime)?;
        super::balance::pay(
            &mut *tx,
            NewLedgerEntry {
                reference: Some(format!("sms:{id}")),
                ..NewLedgerEntry::purchase(
                    customer,
                    price,
                    rule::R9_1,
                    format!(
                        "One-shot SMS number {} for {}",
                        allocation.number(),
                        allocation.service()
                    ),
                    now,
                )
            },
        )
        .await?;
        let record = tx
            .insert_sms_allocation(SmsAllocationRecord {
                allocation,
                offer: offer.id(),
                message: None,
            })
            .await
            .map_err(|e| match e {
                StoreError::Conflict { .. } => Error::Conflict(
                    "the number was allocated to someone else at the same moment: try again".into(),
                ),
                other => other.into(),
            })?;
        tx.commit().await?;
        Ok(record)
    }

    /// Delivers an SMS from the gateway: to the rented number `number` when one is rented
    /// (and not deleted), kept for its customer to read; otherwise to the one-shot allocation
    /// waiting on it, which it uses up (R9.1, R9.D1). The customer is told either way, in the
    /// same unit of work.
    ///
    /// # Errors
    /// [`Error::NotFound`] when `number` is neither rented nor was ever allocated;
    /// [`Error::Refused`] while the customer's balance is below zero (R10.4), for a rented
    /// number not connected yet (R1.2), for a second SMS to a one-shot number (R9.1) or one
    /// after its allocation expired (R9.D1).
    pub async fn receive_sms(
        &self,
        number: &PhoneNumber,
        from: &str,
        text: &str,
    ) -> Result<SmsDelivery, Error> {
        let now = self.ports.clock.now();
        let mut tx = self.ports.store.begin().await?;
        let delivery = match tx.number_by_e164(number).await? {
            Some(rented) => {
                let balance = tx.balance(rented.customer).await?;
                ServiceState::require_active(balance)?;
                NumberStatus::of(&rented.state, ServiceState::of_balance(balance)).receive_sms()?;
                let sms = tx
                    .insert_number_sms(NumberSms {
                        id: 0,
                        number: rented.id,
                        customer: rented.customer,
                        to: number.clone(),
                        from: from.to_owned(),
                        text: text.to_owned(),
                        at: now,
                    })
                    .await?;
                let owner = tx.customer(rented.customer).await?;
                super::events::record(
                    &mut *tx,
                    now,
                    owner.map(|o| o.email),
                    Notice::NumberSmsReceived {
                        customer: sms.customer,
                        number_id: sms.number.get(),
                        number: sms.to.to_string(),
                        message_id: sms.id,
                        from: sms.from.clone(),
                        text: sms.text.clone(),
                    },
                )
                .await?;
                SmsDelivery::Number(sms)
            }
            None => SmsDelivery::Allocation(one_shot(&mut *tx, number, from, text, now).await?),
        };
        tx.commit().await?;
        Ok(delivery)
    }

    /// One page of the SMS the customer's rented number `number` received, newest first.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a number that is not the customer's.
    pub async fn sms_of_number(
        &self,
        customer: CustomerId,
        number: NumberId,
        page: PageRequest,
    ) -> Result<Page<NumberSms>, Error> {
        let mut tx = self.ports.store.read().await?;
        super::numbers::owned_number(&mut *tx, customer, number).await?;
        Ok(tx.number_sms_page(number, page).await?)
    }

    /// Ends every allocation that expired unused and refunds its price, once (R9.D1). Run
    /// by a scheduler or an operator; running it again refunds nothing more.
    ///
    /// Returns the allocations expired by this run.
    ///
    /// # Errors
    /// [`Error::Store`] when storage fails or a concurrent run won (nothing changed).
    pub async fn expire_sms_allocations(&self) -> Result<Vec<SmsAllocationRecord>, Error> {
        let now = self.ports.clock.now();
        let mut tx = self.ports.store.begin().await?;
        let mut expired = Vec::new();
        for record in tx.waiting_sms_allocations().await? {
            let ended = match record.allocation.apply(SmsEvent::Expire { at: now }) {
                Ok(ended) => ended,
                Err(SmsError::NotYetExpired { .. }) => continue,
                Err(other) => return Err(other.into()),
            };
            if let Some(settlement) = ended.settlement().filter(|s| !s.refund.is_zero()) {
                tx.append(NewLedgerEntry {
                    customer: ended.customer(),
                    kind: EntryKind::Refund,
                    amount: settlement.refund,
                    number: None,
                    period: None,
                    rule: Some(settlement.rule),
                    reference: Some(format!("sms-refund:{}", ended.id())),
                    description: format!(
                        "Refund: no SMS for {} arrived on {}",
                        ended.service(),
                        ended.number()
                    ),
                    at: now,
                })
                .await?;
            }
            expired.push(tx.end_sms_allocation(&ended, None).await?);
        }
        tx.commit().await?;
        Ok(expired)
    }

    /// The customer's one-shot SMS allocations, oldest first, with the messages received.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown customer.
    pub async fn sms_allocations_of(
        &self,
        customer: CustomerId,
    ) -> Result<Vec<SmsAllocationRecord>, Error> {
        let mut tx = self.ports.store.begin().await?;
        tx.customer(customer)
            .await?
            .ok_or_else(|| Error::not_found("customer", customer))?;
        Ok(tx.sms_allocations_of(customer).await?)
    }
}

/// Delivers an SMS to the allocation waiting on `number` and uses it up (R9.1, R9.D1).
async fn one_shot(
    tx: &mut dyn Transaction,
    number: &PhoneNumber,
    from: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<SmsAllocationRecord, Error> {
    let record = tx
        .latest_sms_allocation(number)
        .await?
        .ok_or_else(|| Error::not_found("number", number))?;
    let customer = record.allocation.customer();
    ServiceState::require_active(tx.balance(customer).await?)?;
    let used = record.allocation.apply(SmsEvent::Received { at: now })?;
    let message = ReceivedSms {
        from: from.to_owned(),
        text: text.to_owned(),
        at: now,
    };
    let stored = tx
        .end_sms_allocation(&used, Some(message))
        .await
        .map_err(|e| match e {
            StoreError::Stale { .. } => Error::from(SmsError::SecondMessage { id: used.id() }),
            other => other.into(),
        })?;
    let owner = tx.customer(customer).await?;
    super::events::record(
        tx,
        now,
        owner.map(|o| o.email),
        Notice::SmsReceived {
            customer,
            allocation_id: used.id().get(),
            number: used.number().to_string(),
            service: used.service().to_string(),
            text: text.to_owned(),
        },
    )
    .await?;
    Ok(stored)
}
