//! SMS on the wire: one-shot allocations (customers list theirs, the engine delivers to
//! them, operators expire them) and the messages rented numbers receive.

use crate::money::MoneyBody;
use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};
use vnum_app::model::{NumberSms, ReceivedSms, SmsAllocationRecord, SmsDelivery};
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

/// An SMS a rented number received.
#[derive(Clone, Debug, Object)]
#[oai(rename = "NumberSms")]
pub(crate) struct NumberMessage {
    /// The id; pages are cursored by it.
    pub(crate) id: i64,
    /// The rented number's id.
    pub(crate) number_id: i64,
    /// The number it was sent to, E.164.
    pub(crate) to: String,
    /// The sender as the gateway reported it.
    pub(crate) from: String,
    /// The text.
    pub(crate) text: String,
    /// When it arrived.
    pub(crate) at: DateTime<Utc>,
}

impl From<NumberSms> for NumberMessage {
    fn from(sms: NumberSms) -> Self {
        Self {
            id: sms.id,
            number_id: sms.number.get(),
            to: sms.to.to_string(),
            from: sms.from,
            text: sms.text,
            at: sms.at,
        }
    }
}

/// What received an inbound SMS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "SmsRecipient", rename_all = "snake_case")]
pub(crate) enum Recipient {
    /// A rented number: the message is in `message`.
    Number,
    /// A one-shot allocation, now used up: it is in `allocation`.
    Allocation,
}

/// Where the gateway's SMS went.
#[derive(Clone, Debug, Object)]
pub(crate) struct SmsDelivered {
    /// A rented number or a one-shot allocation.
    pub(crate) recipient: Recipient,
    /// The message a rented number received.
    #[oai(skip_serializing_if_is_none)]
    pub(crate) message: Option<NumberMessage>,
    /// The one-shot allocation that received it.
    #[oai(skip_serializing_if_is_none)]
    pub(crate) allocation: Option<SmsAllocation>,
}

impl From<SmsDelivery> for SmsDelivered {
    fn from(delivery: SmsDelivery) -> Self {
        match delivery {
            SmsDelivery::Number(sms) => Self {
                recipient: Recipient::Number,
                message: Some(sms.into()),
                allocation: None,
            },
            SmsDelivery::Allocation(record) => Self {
                recipient: Recipient::Allocation,
                message: None,
                allocation: Some(record.into()),
            },
        }
    }
}
