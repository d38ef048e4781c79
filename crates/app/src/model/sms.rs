//! The stored form of a one-shot SMS allocation (R9).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vnum_core::{CustomerId, NumberId, OfferId, PhoneNumber};
use vnum_sms::SmsAllocation;

/// The one message a one-shot number received, kept for the customer to read (R9.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedSms {
    /// The sender as the gateway reported it (a short code or a name, not always E.164).
    pub from: String,
    /// The text: usually the verification code.
    pub text: String,
    /// When it arrived.
    pub at: DateTime<Utc>,
}

/// A one-shot SMS allocation as storage keeps it.
///
/// The allocations are also the issue history of R9.2: storage keeps at most one per
/// (number, service), ever.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsAllocationRecord {
    /// The allocation: number, service, customer, price, lifetime and state (R9.D1).
    pub allocation: SmsAllocation,
    /// The SMS offer whose stock the number came from.
    pub offer: OfferId,
    /// The message, once it arrived.
    pub message: Option<ReceivedSms>,
}

/// An SMS a rented number received, kept for its customer to read. Delivered only while the
/// number is served (R10.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberSms {
    /// The id, in the order messages were stored.
    pub id: i64,
    /// The rented number that received it.
    pub number: NumberId,
    /// Its customer when it arrived.
    pub customer: CustomerId,
    /// The number it was sent to, E.164.
    pub to: PhoneNumber,
    /// The sender as the gateway reported it (a short code or a name, not always E.164).
    pub from: String,
    /// The text.
    pub text: String,
    /// When it arrived.
    pub at: DateTime<Utc>,
}

/// Where an inbound SMS went: to a rented number, or to the one-shot allocation waiting on
/// the number (R9.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SmsDelivery {
    /// A rented number received it.
    Number(NumberSms),
    /// A one-shot allocation received it and is used up.
    Allocation(SmsAllocationRecord),
}
