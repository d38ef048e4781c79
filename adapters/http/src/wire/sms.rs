//! One-shot SMS allocations on the wire: customers list theirs, the engine delivers to
//! them, operators expire them.

use crate::money::MoneyBody;
use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};
use vnum_app::model::{ReceivedSms, SmsAllocationRecord};
use vnum_sms::AllocationState;

/// Where an allocation stands (R9.D1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "SmsAllocationState", rename_all = "snake_case")]
pub(crate) enum State {
    /// Waiting for its one SMS.
    Waiting,
    /// The SMS came; the allocation is used up.
    Used,
    /// No SMS came in time; the price was refunded.
    Expired,
}

/// The one message an allocation received.
#[derive(Clone, Debug, Object)]
#[oai(rename = "ReceivedSms")]
pub(crate) struct Message {
    /// The sender as the gateway reported it.
    pub(crate) from: String,
    /// The text, usually the code.
    pub(crate) text: String,
    /// When it arrived.
    pub(crate) at: DateTime<Utc>,
}

impl From<ReceivedSms> for Message {
    fn from(sms: ReceivedSms) -> Self {
        Self {
            from: sms.from,
            text: sms.text,
            at: sms.at,
        }
    }
}

/// A number lent to receive one SMS (R9.1).
#[derive(Clone, Debug, Object)]
pub(crate) struct SmsAllocation {
    /// The id.
    pub(crate) id: i64,
    /// The number to give the service, E.164.
    pub(crate) number: String,
    /// The service.
    pub(crate) service: String,
    /// The SMS offer it came from.
    pub(crate) offer: i64,
    /// What was charged in advance.
    pub(crate) price: MoneyBody,
    /// When it was allocated.
    pub(crate) allocated_at: DateTime<Utc>,
    /// Until when it waits for the SMS; unused, it is refunded after (R9.D1).
    pub(crate) expires_at: DateTime<Utc>,
    /// Waiting, used or expired.
    pub(crate) state: State,
    /// The refund of an expired allocation.
    #[oai(skip_serializing_if_is_none)]
    pub(crate) refund: Option<MoneyBody>,
    /// The message, once it came.
    #[oai(skip_serializing_if_is_none)]
    pub(crate) message: Option<Message>,
}

impl From<SmsAllocationRecord> for SmsAllocation {
    fn from(record: SmsAllocationRecord) -> Self {
        let allocation = record.allocation;
        let (state, refund) = match allocation.state() {
            AllocationState::Waiting => (State::Waiting, None),
            AllocationState::Used { .. } => (State::Used, None),
            AllocationState::Expired { refund, .. } => (State::Expired, Some(refund.into())),
        };
        Self {
            id: allocation.id().get(),
            number: allocation.number().to_string(),
            service: allocation.service().as_str().to_owned(),
            offer: record.offer.get(),
            price: allocation.price().into(),
            allocated_at: allocation.allocated_at(),
            expires_at: allocation.expires_at(),
            state,
            refund,
            message: record.message.map(Message::from),
        }
    }
}
