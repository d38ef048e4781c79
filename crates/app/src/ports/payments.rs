//! Storage of payments customers start (R1.D1).

use async_trait::async_trait;
use vnum_core::{CustomerId, PaymentId};

use super::StoreError;
use crate::model::{NewPayment, PaymentRecord};

/// Payments customers started, pending until the payment provider confirms or fails them.
#[async_trait]
pub trait Payments: Send {
    /// Stores a new pending payment under a new id.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`"payment_key"`) when the customer has a payment with the
    /// same idempotency key; the unit of work stays usable.
    async fn insert_payment(&mut self, payment: NewPayment) -> Result<PaymentRecord, StoreError>;

    /// The payment with this id, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn payment(&mut self, id: PaymentId) -> Result<Option<PaymentRecord>, StoreError>;

    /// The customer's payment started with this idempotency key, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn payment_by_key(
        &mut self,
        customer: CustomerId,
        idempotency_key: &str,
    ) -> Result<Option<PaymentRecord>, StoreError>;

    /// The payment the provider's event `event_id` settled, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn payment_by_event(
        &mut self,
        event_id: &str,
    ) -> Result<Option<PaymentRecord>, StoreError>;

    /// The customer's payments, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn payments_of(&mut self, customer: CustomerId)
    -> Result<Vec<PaymentRecord>, StoreError>;

    /// Replaces a payment that is pending in storage with `payment`, settled (confirmed or
    /// failed), so a payment settles once (R1.D1).
    ///
    /// # Errors
    /// [`StoreError::Stale`] when the payment is missing or no longer pending in storage,
    /// or when `payment` is still pending; [`StoreError::Conflict`] (`"payment_event"`)
    /// when another payment was settled by the same provider event. Nothing changes on an
    /// error, and the unit of work stays usable.
    async fn settle_payment(&mut self, payment: &PaymentRecord) -> Result<(), StoreError>;
}
