//! The stored form of a one-shot SMS allocation (R9).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vnum_core::OfferId;
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
