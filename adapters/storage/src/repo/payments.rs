//! [`Payments`] on the `payments` table (R1.D1).

use async_trait::async_trait;
use vnum_app::model::{NewPayment, PaymentRecord};
use vnum_app::ports::StoreError;
use vnum_app::ports::store::Payments;
use vnum_billing::PaymentStatus;
use vnum_core::{CustomerId, PaymentId};

use super::{Sequence, to_json};
use crate::store::SeaOrmTransaction;

#[async_trait]
impl Payments for SeaOrmTransaction<'_> {
    /// One payment per customer and key is the unique index `payment_key`.
    async fn insert_payment(&mut self, payment: NewPayment) -> Result<PaymentRecord, StoreError> {
        let record = payment.stored_as(PaymentId(self.next_id(Sequence::Payments).await?));
        self.write(
            "INSERT INTO payments
                (id, customer_id, idempotency_key, pending, provider_event, created_at, record)
            VALUES ($1, $2, $3, $4, $5, $6, $7)",
            vec![
                record.id.get().into(),
                record.customer.get().into(),
                record.idempotency_key.clone().into(),
                true.into(),
                record.provider_event.clone().into(),
                record.created_at.into(),
                to_json(&record)?,
            ],
        )
        .await?;
        Ok(record)
    }

    async fn payment(&mut self, id: PaymentId) -> Result<Option<PaymentRecord>, StoreError> {
        self.record(
            "SELECT record FROM payments WHERE id = $1",
            vec![id.get().into()],
        )
        .await
    }

    async fn payment_by_key(
        &mut self,
        customer: CustomerId,
        idempotency_key: &str,
    ) -> Result<Option<PaymentRecord>, StoreError> {
        self.record(
            "SELECT record FROM payments WHERE customer_id = $1 AND idempotency_key = $2",
            vec![customer.get().into(), idempotency_key.into()],
        )
        .await
    }

    async fn payment_by_event(
        &mut self,
        event_id: &str,
    ) -> Result<Option<PaymentRecord>, StoreError> {
        self.record(
            "SELECT record FROM payments WHERE provider_event = $1",
            vec![event_id.into()],
        )
        .await
    }

    async fn payments_of(
        &mut self,
        customer: CustomerId,
    ) -> Result<Vec<PaymentRecord>, StoreError> {
        self.records(
            "SELECT record FROM payments WHERE customer_id = $1 ORDER BY id",
            vec![customer.get().into()],
        )
        .await
    }

    /// `pending` in the update decides, so a payment settles once; one payment per
    /// provider event is the unique index `payment_event`.
    async fn settle_payment(&mut self, payment: &PaymentRecord) -> Result<(), StoreError> {
        let id = payment.id.get();
        let stale = StoreError::Stale {
            what: "payment",
            id,
        };
        if payment.status == PaymentStatus::Pending {
            return Err(stale);
        }
        let settled = self
            .write(
                "UPDATE payments SET pending = $2, provider_event = $3, record = $4 \
                 WHERE id = $1 AND pending",
                vec![
                    id.into(),
                    false.into(),
                    payment.provider_event.clone().into(),
                    to_json(payment)?,
                ],
            )
            .await?;
        if settled == 0 {
            return Err(stale);
        }
        Ok(())
    }
}
