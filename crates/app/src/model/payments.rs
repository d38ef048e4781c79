//! The stored form of a payment a customer started (R1.D1).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vnum_billing::PaymentStatus;
use vnum_core::{CustomerId, Money, PaymentId};

/// A payment a customer started, as storage keeps it. It credits the balance only once the
/// payment provider confirms it (R1.D1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRecord {
    /// The id; the payment provider names it in its notification.
    pub id: PaymentId,
    /// Whose balance it credits once confirmed.
    pub customer: CustomerId,
    /// How much: positive, in the customer's currency (R10.D6).
    pub amount: Money,
    /// Pending, confirmed or failed.
    pub status: PaymentStatus,
    /// The customer's idempotency key: the same key starts one payment.
    pub idempotency_key: String,
    /// When it was started.
    pub created_at: DateTime<Utc>,
    /// When the provider's confirmation credited the balance.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// When the provider reported it failed.
    pub failed_at: Option<DateTime<Utc>>,
    /// The id of the provider's event that confirmed or failed it; unique among payments.
    pub provider_event: Option<String>,
}

/// A payment about to be stored: pending, as every payment starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPayment {
    /// Whose balance it credits once confirmed.
    pub customer: CustomerId,
    /// How much.
    pub amount: Money,
    /// The customer's idempotency key; unique per customer.
    pub idempotency_key: String,
    /// When it is started.
    pub created_at: DateTime<Utc>,
}

impl NewPayment {
    /// The payment as stored under `id`: pending.
    #[must_use]
    pub fn stored_as(self, id: PaymentId) -> PaymentRecord {
        PaymentRecord {
            id,
            customer: self.customer,
            amount: self.amount,
            status: PaymentStatus::Pending,
            idempotency_key: self.idempotency_key,
            created_at: self.created_at,
            confirmed_at: None,
            failed_at: None,
            provider_event: None,
        }
    }
}
