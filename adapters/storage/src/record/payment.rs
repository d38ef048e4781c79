//! Payments (`payments.record`), version 1.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vnum_app::model::PaymentRecord;
use vnum_billing::PaymentStatus;
use vnum_core::{CustomerId, PaymentId};

use super::money::MoneyV1;

/// A payment a customer started (R1.D1), as version 1 stores it.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct PaymentV1 {
    id: i64,
    customer: i64,
    amount: MoneyV1,
    status: StatusV1,
    idempotency_key: String,
    created_at: DateTime<Utc>,
    confirmed_at: Option<DateTime<Utc>>,
    failed_at: Option<DateTime<Utc>>,
    provider_event: Option<String>,
}

/// Where the payment stands, by its snake-case name.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StatusV1 {
    Pending,
    Confirmed,
    Failed,
}

impl From<&PaymentRecord> for PaymentV1 {
    fn from(payment: &PaymentRecord) -> Self {
        Self {
            id: payment.id.get(),
            customer: payment.customer.get(),
            amount: payment.amount.into(),
            status: match payment.status {
                PaymentStatus::Pending => StatusV1::Pending,
                PaymentStatus::Confirmed => StatusV1::Confirmed,
                PaymentStatus::Failed => StatusV1::Failed,
            },
            idempotency_key: payment.idempotency_key.clone(),
            created_at: payment.created_at,
            confirmed_at: payment.confirmed_at,
            failed_at: payment.failed_at,
            provider_event: payment.provider_event.clone(),
        }
    }
}

impl TryFrom<PaymentV1> for PaymentRecord {
    type Error = String;

    fn try_from(payment: PaymentV1) -> Result<Self, String> {
        Ok(Self {
            id: PaymentId(payment.id),
            customer: CustomerId(payment.customer),
            amount: payment.amount.try_into()?,
            status: match payment.status {
                StatusV1::Pending => PaymentStatus::Pending,
                StatusV1::Confirmed => PaymentStatus::Confirmed,
                StatusV1::Failed => PaymentStatus::Failed,
            },
            idempotency_key: payment.idempotency_key,
            created_at: payment.created_at,
            confirmed_at: payment.confirmed_at,
            failed_at: payment.failed_at,
            provider_event: payment.provider_event,
        })
    }
}
