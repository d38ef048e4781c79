//! Call records on the wire: the engine reports them, statistics and free tests list them.

use crate::money::MoneyBody;
use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};
use vnum_calls::{CallLine, CallRecord};
use vnum_core::NumberId;

/// Which way a call went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "CallDirection", rename_all = "snake_case")]
pub(crate) enum Direction {
    /// To the rented number.
    Inbound,
    /// From a SIP account, out through the rented number.
    Outbound,
}

/// How a call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "CallDisposition", rename_all = "snake_case")]
pub(crate) enum Disposition {
    /// Someone answered.
    Answered,
    /// Every branch rang out.
    NoAnswer,
    /// The target was busy.
    Busy,
    /// Refused with the SIP status in `sip_status`.
    Rejected,
    /// Voicemail took the call (R4.5).
    Voicemail,
}

/// A call detail record (R4.6).
#[derive(Clone, Debug, Object)]
#[oai(rename = "CallRecord")]
pub(crate) struct Call {
    /// The id.
    pub(crate) id: i64,
    /// The rented number (its id); absent for a free test's call.
    #[oai(skip_serializing_if_is_none)]
    pub(crate) number: Option<i64>,
    /// The free test (its id), for a free test's call (R8 Decision).
    #[oai(skip_serializing_if_is_none)]
    pub(crate) trial: Option<i64>,
    /// Inbound or outbound.
    pub(crate) direction: Direction,
    /// The caller as signalled.
    pub(crate) from: String,
    /// The callee as signalled.
    pub(crate) to: String,
    /// When the call arrived.
    pub(crate) start: DateTime<Utc>,
    /// When it was answered.
    #[oai(skip_serializing_if_is_none)]
    pub(crate) answer: Option<DateTime<Utc>>,
    /// When it ended.
    pub(crate) end: DateTime<Utc>,
    /// How it ended.
    pub(crate) disposition: Disposition,
    /// The SIP status of a rejected call.
    #[oai(skip_serializing_if_is_none)]
    pub(crate) sip_status: Option<u16>,
    /// The branch that answered.
    #[oai(skip_serializing_if_is_none)]
    pub(crate) answered_by: Option<String>,
    /// Seconds from answer to end.
    pub(crate) talk_seconds: i64,
    /// What the call was charged to the number's owner: an answered call out to a phone
    /// number (R6.D2) or a call forwarded to one (R5.D1). Absent when it cost nothing.
    #[oai(skip_serializing_if_is_none)]
    pub(crate) cost: Option<MoneyBody>,
}

impl From<vnum_app::RatedCall> for Call {
    fn from(rated: vnum_app::RatedCall) -> Self {
        Self {
            cost: rated.cost.map(MoneyBody::from),
            ..Self::from(rated.call)
        }
    }
}

impl From<CallRecord> for Call {
    fn from(call: CallRecord) -> Self {
        let (disposition, sip_status) = match call.disposition() {
            vnum_calls::Disposition::Answered => (Disposition::Answered, None),
            vnum_calls::Disposition::NoAnswer => (Disposition::NoAnswer, None),
            vnum_calls::Disposition::Busy => (Disposition::Busy, None),
            vnum_calls::Disposition::Voicemail => (Disposition::Voicemail, None),
            vnum_calls::Disposition::Rejected { code } => (Disposition::Rejected, Some(code)),
        };
        Self {
            id: call.id().get(),
            number: call.number().map(NumberId::get),
            trial: match call.line() {
                CallLine::Trial(trial) => Some(trial.get()),
                CallLine::Number(_) => None,
            },
            direction: match call.direction() {
                vnum_calls::Direction::Inbound => Direction::Inbound,
                vnum_calls::Direction::Outbound => Direction::Outbound,
            },
            from: call.from().to_owned(),
            to: call.to().to_owned(),
            start: call.start(),
            answer: call.answer(),
            end: call.end(),
            disposition,
            sip_status,
            answered_by: call.answered_by().map(str::to_owned),
            talk_seconds: call.talk_seconds(),
            cost: None,
        }
    }
}

crate::page::page_of!(
    /// A page of call records, oldest first.
    CallPage,
    Call
);
