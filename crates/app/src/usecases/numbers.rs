use serde::Serialize;
use vnum_billing::{BillingAnchor, Cancellation, NumberBilling};
use vnum_calls::{CallsError, ForwardingPlan, ForwardingTarget};
use vnum_core::{CustomerId, Money, NumberId, PhoneNumber};
use vnum_lifecycle::{CarrierOutcome, NumberEvent, NumberState, OutcomeFit, ReadyBy};

use crate::model::{
    Billing, EntryKind, NewLedgerEntry, Notice, NumberRecord, OrderRecord, RenewedPeriod,
    StockState,
};
use crate::ports::{
    CarrierError, ProvisioningRequest, ProvisioningTicket, StoreError, Transaction,
};
use crate::{Error, Vnum};

impl Billing {
    /// The number's billing as the billing crate reasons about it: its calendar, its fee and
    /// how many periods are paid.
    #[must_use]
    pub fn number_billing(&self) -> NumberBilling {
        let anchor = BillingAnchor::new(self.connected_on);
        let paid = anchor.index_of(self.paid_through).unwrap_or(0);
        NumberBilling::new(anchor, self.monthly_fee, paid).stopped_on(self.renewal_stopped_on)
    }
}

/// What a carrier's report did: the number as it is now, and whether the report had been
/// applied before.
#[derive(Clone, Debug, PartialEq)]
pub struct CarrierReceipt {
    /// The number after the report.
    pub number: NumberRecord,
    /// The same report had been applied already; nothing changed.
    pub replayed: bool,
}

/// The refusal of a report that contradicts what happened to `number`.
fn contradicting(number: &NumberRecord, outcome: &CarrierOutcome) -> Error {
    let reported = match outcome {
        CarrierOutcome::Connected(e164) => format!("connected as {e164}"),
        CarrierOutcome::Failed(_) => "failed".to_owned(),
    };
    Error::Conflict(format!(
        "number {} is {} and was not waiting for the carrier: a report that it {reported} \
         contradicts it",
        number.id,
        number.state.name()
    ))
}

impl Vnum {
    /// Asks the carrier for a number that is provisioning, after its order or after its
    /// documents were accepted; connects it at once when the carrier assigns it on the spot
    /// (R2.1). A carrier that cannot be reached leaves the number provisioning, to be
    /// connected by [`Vnum::connect_number`] when the carrier completes.
    pub(crate) async fn send_to_carrier(
        &self,
        number: NumberRecord,
    ) -> Result<NumberRecord, Error> {
        if number.state != NumberState::Provisioning {
            return Ok(number);
        }
        let offer = {
            let mut tx = self.ports.store.begin().await?;
            tx.offer(number.offer)
                .await?
                .ok_or_else(|| Error::not_found("offer", number.offer))?
        };
        let request = ProvisioningRequest {
            number: number.id,
            carrier: offer.carrier(),
            offer: offer.id(),
            country: offer.country(),
            city: offer.city().map(|c| c.as_str().to_owned()),
            wanted: number.wanted.clone(),
        };
        match self.ports.carrier.request_number(request).await {
            Ok(ProvisioningTicket {
                assigned: Some(e164),
                ..
            }) => match self.connect_number(number.id, e164.clone()).await {
                // The carrier handed out a number that someone rents: it cannot provide
                // this one (R1.D3).
                Err(Error::Conflict(_) | Error::Store(StoreError::Conflict { .. })) => {
                    let reason = format!("the carrier assigned {e164}, which is rented already");
                    self.fail_provisioning(number.id, &reason).await
                }
                connected => connected,
            },
            Ok(_) => Ok(number),
            Err(CarrierError::OutOfStock) => {
                self.fail_provisioning(number.id, &CarrierError::OutOfStock.to_string())
                    .await
            }
            Err(CarrierError::Refused(reason)) => {
                self.fail_provisioning(number.id, &format!("the carrier refused: {reason}"))
                    .await
            }
            // Asked again when the carrier completes or the operator connects it.
            Err(CarrierError::Unavailable(_)) => Ok(number),
        }
    }

    /// The carrier cannot provide a paid number, now or later (R1.D3): the number ends as
    /// failed, its share of the order goes back to the balance as a refund entry with the
    /// rule, a number picked from the list goes back on sale, and the customer is told by
    /// email. Failing a number that failed already changes nothing.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown number; [`Error::Refused`] (R1.D3) for a number
    /// that is connected or deleted; [`Error::Invalid`] for an empty or overlong reason.
    pub async fn fail_provisioning(
        &self,
        id: NumberId,
        reason: &str,
    ) -> Result<NumberRecord, Error> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(Error::Invalid(
                "the reason is 1 to 500 characters: what the carrier said".into(),
            ));
        }
        let now = self.ports.clock.now();
        let today = self.billing_day(now);
        let mut tx = self.ports.store.begin().await?;
        let number = tx
            .number(id)
            .await?
            .ok_or_else(|| Error::not_found("number", id))?;
        if matches!(number.state, NumberState::ProvisioningFailed { .. }) {
            return Ok(number);
        }
        let state = number
            .state
            .clone()
            .apply(NumberEvent::ProvisioningFailed {
                reason: reason.to_owned(),
                on: today,
            })?;
        let refund = self.refund_of(&mut *tx, &number).await?;
        if let Some(amount) = refund.filter(|r| !r.is_zero()) {
            tx.append(NewLedgerEntry {
                customer: number.customer,
                kind: EntryKind::Refund,
                amount,
                number: Some(id),
                period: None,
                rule: Some(vnum_core::rule::R1_D3),
                reference: Some(format!("provisioning-failed:{id}")),
                description: format!("Refund: the carrier could not provide number {id}"),
                at: now,
            })
            .await?;
        }
        if let Some(wanted) = &number.wanted
            && tx.stock_number(wanted).await?.is_some()
        {
            // Back on sale; a number moved on by someone else stays where it is.
            if let Err(e) = tx
                .move_stock(wanted, StockState::Taken, StockState::Available)
                .await
            {
                tracing::warn!(number = %wanted, error = %e, "a failed pick stays off sale");
            }
        }
        let customer = tx
            .customer(number.customer)
            .await?
            .ok_or_else(|| Error::not_found("customer", number.customer))?;
        let updated = tx.update_number(NumberRecord { state, ..number }).await?;
        super::events::record(
            &mut *tx,
            now,
            Some(customer.email),
            Notice::ProvisioningFailed {
                customer: customer.id,
                number_id: id.get(),
                reason: reason.to_owned(),
                refund: refund.filter(|r| !r.is_zero()).map(Into::into),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// The money a number not provided gives back: its share of its order line, never more
    /// than the order took less what its other failed numbers gave back (R1.D3).
    async fn refund_of(
        &self,
        tx: &mut dyn Transaction,
        number: &NumberRecord,
    ) -> Result<Option<Money>, Error> {
        let orders = tx.orders_of(number.customer).await?;
        let Some(order) = orders.iter().find(|o| o.numbers.contains(&number.id)) else {
            return Ok(None);
        };
        let position = order.numbers.iter().position(|n| *n == number.id);
        let mut first = 0usize;
        let mut line = None;
        for candidate in &order.lines {
            let count = candidate.quantity as usize;
            if position.is_some_and(|p| p >= first && p < first + count) {
                line = Some(candidate);
            }
            first += count;
        }
        let Some(line) = line else {
            return Ok(None);
        };
        let mut refunded = Money::zero(order.total.currency());
        for other in &order.numbers {
            let reference = format!("provisioning-failed:{other}");
            if let Some(entry) = tx.entry_by_reference(number.customer, &reference).await? {
                refunded = refunded.checked_add(entry.amount)?;
            }
        }
        vnum_billing::refund_for_unprovided(line.total, line.quantity, order.total, refunded)
            .map(Some)
            .map_err(Error::from)
    }

    /// A carrier's report about a number it was asked to connect (a callback of a carrier
    /// over HTTP): the number is connected or fails as [`Vnum::connect_number`] and
    /// [`Vnum::fail_provisioning`] do. The same report again changes nothing and answers
    /// `replayed` (a carrier retries a callback whose answer it lost), also when two copies
    /// race.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown number; [`Error::Conflict`] for a report that
    /// contradicts what happened (another number connected, a failure after the
    /// connection, a number never sent to the carrier or deleted); the errors of
    /// [`Vnum::connect_number`] and [`Vnum::fail_provisioning`].
    pub async fn apply_carrier_report(
        &self,
        id: NumberId,
        outcome: CarrierOutcome,
    ) -> Result<CarrierReceipt, Error> {
        let fit = |number: &NumberRecord| number.state.meets(&outcome);
        let number = self.number_record(id).await?;
        match fit(&number) {
            OutcomeFit::AlreadyApplied => {
                return Ok(CarrierReceipt {
                    number,
                    replayed: true,
                });
            }
            OutcomeFit::Contradicts => return Err(contradicting(&number, &outcome)),
            OutcomeFit::Apply => {}
        }
        let applied = match &outcome {
            CarrierOutcome::Connected(e164) => self.connect_number(id, e164.clone()).await,
            CarrierOutcome::Failed(reason) => self.fail_provisioning(id, reason).await,
        };
        match applied {
            Ok(number) => Ok(CarrierReceipt {
                number,
                replayed: false,
            }),
            Err(error) => {
                // Another copy of the report may have been applied in between.
                let now = self.number_record(id).await?;
                match fit(&now) {
                    OutcomeFit::AlreadyApplied => Ok(CarrierReceipt {
                        number: now,
                        replayed: true,
                    }),
                    _ => Err(error),
                }
            }
        }
    }

    async fn number_record(&self, id: NumberId) -> Result<NumberRecord, Error> {
        let mut tx = self.ports.store.read().await?;
        tx.number(id)
            .await?
            .ok_or_else(|| Error::not_found("number", id))
    }

    /// The carrier connected a number (operator or carrier callback): the concrete number is
    /// known now (R1.2), the connection day anchors every monthly charge (R10.2), the first
    /// paid term runs from today (R10.1), and the customer is told by email.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown number; [`Error::Refused`] when the number is not
    /// provisioning (connecting twice, or a deleted number); [`Error::Conflict`] when the
    /// concrete number is rented to someone else.
    pub async fn connect_number(
        &self,
        id: NumberId,
        e164: PhoneNumber,
    ) -> Result<NumberRecord, Error> {
        let now = self.ports.clock.now();
        let today = self.billing_day(now);
        let mut tx = self.ports.store.begin().await?;
        let number = tx
            .number(id)
            .await?
            .ok_or_else(|| Error::not_found("number", id))?;
        let offer = tx
            .offer(number.offer)
            .await?
            .ok_or_else(|| Error::not_found("offer", number.offer))?;
        if e164.country() != number.country {
            return Err(Error::Invalid(format!(
                "{e164} is a number of {}, the order is for {}",
                e164.country(),
                number.country
            )));
        }
        let state = number.state.clone().apply(NumberEvent::Connected {
            number: e164.clone(),
            on: today,
        })?;
        let anchor = BillingAnchor::new(today);
        let first = anchor.term(0, number.first_term)?;
        let monthly_fee = match offer.caller_id_monthly() {
            Some(addon) if number.settings.caller_id => {
                vnum_billing::monthly_fee_with(offer.monthly_price(), addon, true)?
            }
            _ => offer.monthly_price(),
        };
        let billing = Billing {
            anchor_day: anchor.connection_day(),
            connected_on: today,
            paid_through: first.end(),
            monthly_fee,
            renewal_stopped_on: None,
        };
        if let Some(stock) = tx.stock_number(&e164).await?
            && stock.state == StockState::Available
        {
            tx.move_stock(&e164, StockState::Available, StockState::Taken)
                .await?;
        }
        let updated = tx
            .update_number(NumberRecord {
                state,
                billing: Some(billing),
                ..number
            })
            .await
            .map_err(|e| match e {
                StoreError::Conflict { .. } => {
                    Error::Conflict(format!("{e164} is rented to another number already"))
                }
                other => other.into(),
            })?;
        if let Some(customer) = tx.customer(updated.customer).await? {
            super::events::record(
                &mut *tx,
                now,
                Some(customer.email),
                Notice::NumberConnected {
                    customer: customer.id,
                    number_id: id.get(),
                    number: e164.to_string(),
                    charge_day: updated.billing.as_ref().map_or(0, |b| b.anchor_day.get()),
                    paid_until: first.last_day(),
                },
            )
            .await?;
        }
        tx.commit().await?;
        super::logged(
            self.ports.sip.routing_changed(&e164).await,
            "telling the SIP engine the routing changed",
        );
        Ok(updated)
    }

    /// Deletes a number. Nothing is refunded for the paid days left (R10.6); a number
    /// deleted at least one day before its charge day is not charged again, one deleted on
    /// the charge day is (R10.7). The number goes back to the carrier.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the number is not the customer's; [`Error::Refused`] when
    /// it is deleted already.
    pub async fn delete_number(
        &self,
        customer: CustomerId,
        id: NumberId,
    ) -> Result<Deletion, Error> {
        let now = self.ports.clock.now();
        let today = self.billing_day(now);
        let mut tx = self.ports.store.begin().await?;
        let number = owned_number(&mut *tx, customer, id).await?;
        let cancellation = match &number.billing {
            Some(billing) => Some(vnum_billing::cancel(billing.number_billing(), today)?.1),
            None => None,
        };
        let (updated, released) = end_number(&mut *tx, number, today).await?;
        tx.commit().await?;
        if let Some(e164) = &released {
            self.give_back(e164).await;
        }
        let currency = self.customer(customer).await?.currency;
        Ok(Deletion {
            number: updated,
            refund: cancellation
                .as_ref()
                .map_or(Money::zero(currency), |c| c.refund),
            cancellation,
        })
    }

    /// Gives a concrete number that ended back to the carrier and tells the SIP engine its
    /// routing changed, after the unit of work that ended it committed.
    pub(super) async fn give_back(&self, e164: &PhoneNumber) {
        super::logged(
            self.ports.carrier.release_number(e164).await,
            "releasing the number to the carrier",
        );
        super::logged(
            self.ports.sip.routing_changed(e164).await,
            "telling the SIP engine the routing changed",
        );
    }

    /// Sets whether a number renews (R10.7). Not renewing, it keeps working to the end of
    /// its paid period (a prepaid term included), is never charged again and is released
    /// then by the renewal run; nothing is refunded (R10.6). The choice counts from the day
    /// after it is made in the billing time zone, like a deletion: made on a charge day not
    /// yet charged, that day is still charged. Renewing again is allowed until the number is
    /// released. A balance below zero changes nothing (R10.4): the number is still the
    /// customer's.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the number is not the customer's; [`Error::Refused`] (R10.7)
    /// once it was released or deleted, (R10.2) before it is connected.
    pub async fn set_renewal(
        &self,
        customer: CustomerId,
        id: NumberId,
        renews: bool,
    ) -> Result<NumberRecord, Error> {
        let now = self.ports.clock.now();
        let today = self.billing_day(now);
        let mut tx = self.ports.store.begin().await?;
        let mut record = owned_number(&mut *tx, customer, id).await?;
        let deleted_on = record.deleted_on();
        let Some(billing) = record.billing.as_mut() else {
            // Never connected: nothing to renew, or too late once deleted.
            return Err(match deleted_on {
                Some(ended_on) => vnum_billing::RenewalError::Ended { ended_on },
                None => vnum_billing::RenewalError::NotConnected,
            }
            .into());
        };
        let mut current = billing.number_billing();
        if let Some(day) = deleted_on {
            current = current.deleted_on(day);
        }
        let changed = vnum_billing::set_renewal(current, renews, today)?;
        if changed.renewal_stopped() == billing.renewal_stopped_on {
            return Ok(record);
        }
        billing.renewal_stopped_on = changed.renewal_stopped();
        let updated = tx.update_number(record).await?;
        tx.commit().await?;
        Ok(updated)
    }

    /// The charged periods of a number, oldest first (R10.2, R11.1): its first term, the
    /// share of the order that paid it with its discounts, then every monthly renewal, each
    /// with its dates, amount, rule and ledger entry.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the number is not the customer's.
    pub async fn renewal_history(
        &self,
        customer: CustomerId,
        id: NumberId,
    ) -> Result<Vec<RenewedPeriod>, Error> {
        let mut tx = self.ports.store.read().await?;
        let record = owned_number(&mut *tx, customer, id).await?;
        let mut periods = Vec::new();
        if let (Some(first), Some(billing)) = (&record.first_charge, &record.billing) {
            let period = BillingAnchor::new(billing.connected_on).term(0, record.first_term)?;
            periods.push(RenewedPeriod {
                period,
                amount: first.amount,
                setup_fee: Some(first.setup_fee),
                discounts: first.discounts.clone(),
                rule: vnum_billing::first_term_rule(record.first_term),
                entry: first.entry,
                charged_at: first.at,
            });
        }
        for entry in tx.period_charges(id).await? {
            let Some(period) = entry.period else { continue };
            periods.push(RenewedPeriod {
                period,
                amount: -entry.amount,
                setup_fee: None,
                discounts: Vec::new(),
                rule: entry.rule.unwrap_or(vnum_core::rule::R10_2),
                entry: entry.id,
                charged_at: entry.at,
            });
        }
        periods.sort_by_key(|p| p.entry);
        Ok(periods)
    }

    /// Saves a number's forwarding plan (R5.3). No target may lead where the R5 Decision
    /// forbids: another customer's SIP account, the provider's own numbers, SIP domain or
    /// gateway, or a non-public address unless [`crate::Config::private_forwarding_allowed`].
    ///
    /// # Errors
    /// [`Error::NotFound`] when the number is not the customer's; [`Error::Refused`] (R5.D1)
    /// for a target the Decision forbids.
    pub async fn set_forwarding(
        &self,
        customer: CustomerId,
        number: NumberId,
        plan: Option<ForwardingPlan>,
    ) -> Result<NumberRecord, Error> {
        let mut tx = self.ports.store.begin().await?;
        let mut record = owned_number(&mut *tx, customer, number).await?;
        if let Some(plan) = &plan {
            self.check_plan(&mut *tx, customer, plan).await?;
        }
        record.settings.forwarding = plan;
        self.save_settings(tx, record).await
    }

    /// Refuses a plan whose targets the R5 Decision forbids: another customer's SIP
    /// account, the provider's own numbers, SIP domain or gateway, a non-public address
    /// unless allowed.
    pub(super) async fn check_plan(
        &self,
        tx: &mut dyn Transaction,
        customer: CustomerId,
        plan: &ForwardingPlan,
    ) -> Result<(), Error> {
        let limits = self.config.forwarding_limits();
        for target in plan.targets() {
            limits.check(target)?;
            match target {
                ForwardingTarget::SipAccount(login) => {
                    let owned = tx
                        .sip_account_by_login(login.as_str())
                        .await?
                        .is_some_and(|a| a.account.owner() == customer);
                    if !owned {
                        return Err(CallsError::NotYourAccount(login.to_string()).into());
                    }
                }
                ForwardingTarget::Phone(e164) => {
                    let ours = tx.number_by_e164(e164).await?.is_some()
                        || tx.stock_number(e164).await?.is_some();
                    if ours {
                        return Err(CallsError::LoopToProvider(e164.to_string()).into());
                    }
                }
                ForwardingTarget::SipUri(_) | ForwardingTarget::Server(_) => {}
            }
        }
        Ok(())
    }

    /// Turns the CallerID add-on on or off (R6.2). It is prepaid like every service
    /// (R6.D1): turning it on charges its monthly fee at once for the periods the number is
    /// paid for from today on (one for a monthly number), as a ledger line of its own, unless
    /// they were paid for it before; from the next charge day it is part of the monthly fee.
    /// Turning it off refunds nothing (R10.6) and takes it out of the next charges.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the number is not the customer's; [`Error::Refused`] (R6.2)
    /// when the offer has no CallerID add-on, (R6.D1) before the number is connected;
    /// [`Error::InsufficientBalance`] when the balance does not cover the add-on (R1.4).
    pub async fn set_caller_id(
        &self,
        customer: CustomerId,
        number: NumberId,
        enabled: bool,
    ) -> Result<NumberRecord, Error> {
        let now = self.ports.clock.now();
        let today = self.billing_day(now);
        let mut tx = self.ports.store.begin().await?;
        let mut record = owned_number(&mut *tx, customer, number).await?;
        let offer = tx
            .offer(record.offer)
            .await?
            .ok_or_else(|| Error::not_found("offer", record.offer))?;
        let addon = vnum_billing::caller_id_fee(offer.caller_id_monthly())?;
        if record.settings.caller_id == enabled {
            return self.save_settings(tx, record).await;
        }
        let active = matches!(record.state, vnum_lifecycle::NumberState::Active { .. });
        let billing = record
            .billing
            .as_mut()
            .filter(|_| active)
            .ok_or(vnum_billing::AddOnError::NotConnected)?;
        if enabled {
            let due = vnum_billing::add_on_due(
                &vnum_billing::BillingAnchor::new(billing.connected_on),
                today,
                billing.paid_through,
                record.settings.caller_id_paid_through,
                addon,
            )?;
            if let Some(due) = due {
                super::balance::pay(
                    &mut *tx,
                    NewLedgerEntry {
                        number: Some(number),
                        // One add-on charge per number and period start, whatever races.
                        reference: Some(format!("caller-id:{number}:{}", due.period.start())),
                        ..NewLedgerEntry::purchase(
                            customer,
                            due.amount,
                            vnum_core::rule::R6_D1,
                            format!("CallerID add-on {}", due.period),
                            now,
                        )
                    },
                )
                .await?;
            }
            record.settings.caller_id_paid_through = None;
        } else {
            // Paid with the number up to its paid-through day; nothing is refunded (R10.6).
            record.settings.caller_id_paid_through = Some(billing.paid_through);
        }
        billing.monthly_fee = vnum_billing::monthly_fee_with(billing.monthly_fee, addon, enabled)?;
        record.settings.caller_id = enabled;
        self.save_settings(tx, record).await
    }

    pub(super) async fn save_settings(
        &self,
        mut tx: Box<dyn Transaction + '_>,
        record: NumberRecord,
    ) -> Result<NumberRecord, Error> {
        let updated = tx.update_number(record).await?;
        tx.commit().await?;
        if let Some(e164) = updated.e164() {
            super::logged(
                self.ports.sip.routing_changed(e164).await,
                "telling the SIP engine the routing changed",
            );
        }
        Ok(updated)
    }

    /// A customer's numbers, deleted ones included, with the expected ready-by date of
    /// those not connected yet (R2.3).
    ///
    /// # Errors
    /// [`Error::Store`] when storage fails.
    pub async fn numbers_of(&self, customer: CustomerId) -> Result<Vec<NumberView>, Error> {
        let mut tx = self.ports.store.read().await?;
        let numbers = tx.numbers_of(customer).await?;
        let (mut orders, mut documents) = (None, None);
        let mut views = Vec::with_capacity(numbers.len());
        for record in numbers {
            views.push(
                self.view(&mut *tx, record, &mut orders, &mut documents)
                    .await?,
            );
        }
        Ok(views)
    }

    /// The number `id` of `customer`, with its expected ready-by date while it is not
    /// connected (R2.3).
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is none, or it is another customer's.
    pub async fn number_view(
        &self,
        customer: CustomerId,
        id: NumberId,
    ) -> Result<NumberView, Error> {
        let mut tx = self.ports.store.read().await?;
        let record = owned_number(&mut *tx, customer, id).await?;
        self.view(&mut *tx, record, &mut None, &mut None).await
    }

    /// A number with its ready-by date, found through the order that placed it and, for a
    /// carrier that waits for documents, the day they were complete (R2.2, R2.3); `orders`
    /// and `documents` hold the customer's once one number needed them.
    async fn view(
        &self,
        tx: &mut dyn Transaction,
        record: NumberRecord,
        orders: &mut Option<Vec<OrderRecord>>,
        documents: &mut Option<Vec<vnum_compliance::Document>>,
    ) -> Result<NumberView, Error> {
        if matches!(
            record.state,
            NumberState::Active { .. } | NumberState::Deleted { .. }
        ) {
            return Ok(NumberView {
                record,
                ready_by: None,
            });
        }
        let placed = match orders {
            Some(placed) => placed,
            None => orders.insert(tx.orders_of(record.customer).await?),
        };
        let ordered_on = placed
            .iter()
            .find(|o| o.numbers.contains(&record.id))
            .map(|o| {
                o.placed_at
                    .with_timezone(&self.config.billing_time_zone)
                    .date_naive()
            });
        let Some(ordered_on) = ordered_on else {
            return Ok(NumberView {
                record,
                ready_by: None,
            });
        };
        let Some(offer) = tx.offer(record.offer).await? else {
            return Ok(NumberView {
                record,
                ready_by: None,
            });
        };
        // The carrier's clock starts when the documents are complete (R2.2): the review
        // that accepted the last of them, or the order when they were all accepted before.
        let documents_accepted_on = if record.state == NumberState::Provisioning
            && offer.provisioning() == vnum_lifecycle::ProvisioningClass::AfterDocuments
        {
            let documents = match documents {
                Some(documents) => documents,
                None => documents.insert(tx.documents_of(record.customer).await?),
            };
            vnum_compliance::documents_complete_at(
                offer.documents(),
                record.end_user,
                record.customer,
                documents.iter(),
            )
            .map(|at| {
                at.with_timezone(&self.config.billing_time_zone)
                    .date_naive()
                    .max(ordered_on)
            })
        } else {
            None
        };
        let ready_by = self.ready_by(&offer, ordered_on, documents_accepted_on);
        Ok(NumberView { record, ready_by })
    }

    /// The number `id` of `customer`.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is none, or it is another customer's.
    pub async fn number(&self, customer: CustomerId, id: NumberId) -> Result<NumberRecord, Error> {
        let mut tx = self.ports.store.read().await?;
        owned_number(&mut *tx, customer, id).await
    }
}

/// What deleting a number did.
#[derive(Clone, Debug, Serialize)]
pub struct Deletion {
    /// The number, deleted.
    pub number: NumberRecord,
    /// What was refunded: always nothing (R10.6).
    pub refund: Money,
    /// The paid days given up, for a connected number.
    pub cancellation: Option<Cancellation>,
}

/// What the customer can expect of a number before it is active (R2).
#[derive(Clone, Debug, Serialize)]
pub struct NumberView {
    /// The number.
    pub record: NumberRecord,
    /// When it is expected to be ready, for a number not connected yet (R2.3, R2.D1).
    pub ready_by: Option<ReadyBy>,
}

/// Ends `number` on the local day `day` in `tx`: deleted by its customer, or released at
/// the end of its paid period when it does not renew (R10.7). Its concrete number goes back
/// on sale; the caller gives it back to the carrier once committed ([`Vnum::give_back`]).
pub(super) async fn end_number(
    tx: &mut dyn Transaction,
    number: NumberRecord,
    day: chrono::NaiveDate,
) -> Result<(NumberRecord, Option<PhoneNumber>), Error> {
    let state = number
        .state
        .clone()
        .apply(NumberEvent::Deleted { on: day })?;
    let released = number.e164().cloned();
    let updated = tx.update_number(NumberRecord { state, ..number }).await?;
    if let Some(e164) = &released
        && tx.stock_number(e164).await?.is_some()
    {
        // A number someone moved on already stays where it is.
        super::logged(
            tx.move_stock(e164, StockState::Taken, StockState::Available)
                .await,
            "putting the deleted number back on sale",
        );
    }
    Ok((updated, released))
}

/// The number `id` if it is `customer`'s; another customer's number is "not found", so
/// nothing leaks about it.
pub(crate) async fn owned_number(
    tx: &mut dyn Transaction,
    customer: CustomerId,
    id: NumberId,
) -> Result<NumberRecord, Error> {
    match tx.number(id).await? {
        Some(number) if number.customer == customer => Ok(number),
        _ => Err(Error::not_found("number", id)),
    }
}
