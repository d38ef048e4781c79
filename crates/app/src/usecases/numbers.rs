use serde::Serialize;
use vnum_billing::{BillingAnchor, Cancellation, NumberBilling};
use vnum_core::{CustomerId, Money, NumberId, PhoneNumber};
use vnum_lifecycle::{NumberEvent, NumberState};

use super::orders::owned_number;
use crate::model::{Billing, NumberRecord, StockState};
use crate::ports::{Email, ProvisioningRequest, StoreError};
use crate::{Error, Vnum};

impl Billing {
    /// The number's billing as the billing crate reasons about it: its calendar, its fee and
    /// how many periods are paid.
    #[must_use]
    pub fn number_billing(&self) -> NumberBilling {
        let anchor = BillingAnchor::new(self.connected_on);
        let paid = anchor.index_of(self.paid_through).unwrap_or(0);
        NumberBilling::new(anchor, self.monthly_fee, paid)
    }
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
            Ok(ticket) => match ticket.assigned {
                Some(e164) => self.connect_number(number.id, e164).await,
                None => Ok(number),
            },
            Err(_) => Ok(number),
        }
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
        let today = now
            .with_timezone(&self.config.billing_time_zone)
            .date_naive();
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
        let state = number
            .state
            .clone()
            .apply(NumberEvent::Connected {
                number: e164.clone(),
                on: today,
            })
            .map_err(|e| Error::Refused {
                rule: vnum_core::rule::R1_2,
                message: e.to_string(),
            })?;
        let anchor = BillingAnchor::new(today);
        let first = anchor
            .term(0, number.first_term)
            .map_err(|e| Error::Invalid(e.to_string()))?;
        let mut monthly_fee = offer.monthly_price();
        if number.settings.caller_id
            && let Some(addon) = offer.caller_id_monthly()
        {
            monthly_fee = monthly_fee
                .checked_add(addon)
                .map_err(|e| Error::Invalid(e.to_string()))?;
        }
        let billing = Billing {
            anchor_day: anchor.connection_day(),
            connected_on: today,
            paid_through: first.end(),
            monthly_fee,
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
        let customer = tx.customer(updated.customer).await?;
        tx.commit().await?;
        if let Some(customer) = customer {
            let email = Email {
                to: customer.email,
                subject: format!("Your number {e164} is connected"),
                body: format!(
                    "Your new number {e164} is connected and ready for calls. It is charged \
                     on day {} of every month; the first {} are paid until {}.",
                    updated.billing.as_ref().map_or(0, |b| b.anchor_day.get()),
                    updated.first_term,
                    first.last_day(),
                ),
            };
            let _ = self.ports.notifier.send(email).await;
        }
        let _ = self.ports.sip.routing_changed(&e164).await;
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
        let today = now
            .with_timezone(&self.config.billing_time_zone)
            .date_naive();
        let mut tx = self.ports.store.begin().await?;
        let number = owned_number(&mut *tx, customer, id).await?;
        let state = number
            .state
            .clone()
            .apply(NumberEvent::Deleted { on: today })
            .map_err(|e| Error::Refused {
                rule: vnum_core::rule::R10_7,
                message: e.to_string(),
            })?;
        let cancellation = match &number.billing {
            Some(billing) => Some(
                vnum_billing::cancel(billing.number_billing(), today)
                    .map_err(|e| Error::Invalid(e.to_string()))?
                    .1,
            ),
            None => None,
        };
        let released = number.e164().cloned();
        let updated = tx.update_number(NumberRecord { state, ..number }).await?;
        if let Some(e164) = &released
            && tx.stock_number(e164).await?.is_some()
        {
            tx.move_stock(e164, StockState::Taken, StockState::Available)
                .await
                .ok();
        }
        tx.commit().await?;
        if let Some(e164) = &released {
            let _ = self.ports.carrier.release_number(e164).await;
            let _ = self.ports.sip.routing_changed(e164).await;
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
