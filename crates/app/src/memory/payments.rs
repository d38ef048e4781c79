//! In-memory [`Payments`].

use async_trait::async_trait;
use vnum_billing::PaymentStatus;
use vnum_core::{CustomerId, PaymentId};

use super::store::InMemoryTransaction;
use crate::model::{NewPayment, PaymentRecord};
use crate::ports::Invariant;
use crate::ports::StoreError;
use crate::ports::store::Payments;

#[async_trait]
impl Payments for InMemoryTransaction<'_> {
    async fn insert_payment(&mut self, payment: NewPayment) -> Result<PaymentRecord, StoreError> {
        if self
            .state
            .payments
            .values()
            .any(|p| p.customer == payment.customer && p.idempotency_key == payment.idempotency_key)
        {
            return Err(StoreError::Conflict {
                what: Invariant::PaymentKey,
            });
        }
        let record = payment.stored_as(PaymentId(self.state.next_id()));
        self.state.payments.insert(record.id, record.clone());
        Ok(record)
    }

    async fn payment(&mut self, id: PaymentId) -> Result<Option<PaymentRecord>, StoreError> {
        Ok(self.state.payments.get(&id).cloned())
    }

    async fn payment_by_key(
        &mut self,
        customer: CustomerId,
        idempotency_key: &str,
    ) -> Result<Option<PaymentRecord>, StoreError> {
        Ok(self
            .state
            .payments
            .values()
            .find(|p| p.customer == customer && p.idempotency_key == idempotency_key)
            .cloned())
    }

    async fn payment_by_event(
        &mut self,
        event_id: &str,
    ) -> Result<Option<PaymentRecord>, StoreError> {
        Ok(self
            .state
            .payments
            .values()
            .find(|p| p.provider_event.as_deref() == Some(event_id))
            .cloned())
    }

    async fn payments_of(
        &mut self,
        customer: CustomerId,
    ) -> Result<Vec<PaymentRecord>, StoreError> {
        Ok(self
            .state
            .payments
            .values()
            .filter(|p| p.customer == customer)
            .cloned()
            .collect())
    }

    async fn settle_payment(&mut self, payment: &PaymentRecord) -> Result<(), StoreError> {
        let stale = StoreError::Stale {
            what: "payment",
            id: payment.id.get(),
        };
        if payment.status == PaymentStatus::Pending {
            return Err(stale);
        }
        if payment.provider_event.is_some()
            && self
                .state
                .payments
                .values()
                .any(|p| p.id != payment.id && p.provider_event == payment.provider_event)
        {
            return Err(StoreError::Conflict {
                what: Invariant::PaymentEvent,
            });
        }
        match self.state.payments.get_mut(&payment.id) {
            Some(stored) if stored.status == PaymentStatus::Pending => {
                *stored = payment.clone();
                Ok(())
            }
            _ => Err(stale),
        }
    }
}
