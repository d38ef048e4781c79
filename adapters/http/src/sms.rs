//! One-shot SMS numbers: allocating one for a verification code and reading what came
//! (R9).

use chrono::{DateTime, Utc};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use vnum_app::Vnum;
use vnum_app::model::{ReceivedSms, SmsAllocationRecord};
use vnum_core::{CustomerId, OfferId};
use vnum_sms::AllocationState;

use crate::Tag;
use crate::auth::Caller;
use crate::money::MoneyBody;
use crate::problem::ApiResult;

/// One-shot SMS numbers.
pub(crate) struct SmsApi {
    pub(crate) vnum: Vnum,
}

/// A request for a one-shot SMS number.
#[derive(Clone, Debug, Object)]
#[oai(rename = "NewSmsAllocation")]
pub(crate) struct NewSmsAllocation {
    /// The service whose code is awaited, such as `telegram`.
    #[oai(validator(min_length = 1, max_length = 64))]
    service: String,
    /// The SMS offer (its id) whose stock the number comes from.
    offer: i64,
}

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
    from: String,
    /// The text, usually the code.
    text: String,
    /// When it arrived.
    at: DateTime<Utc>,
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
    id: i64,
    /// The number to give the service, E.164.
    number: String,
    /// The service.
    service: String,
    /// The SMS offer it came from.
    offer: i64,
    /// What was charged in advance.
    price: MoneyBody,
    /// When it was allocated.
    allocated_at: DateTime<Utc>,
    /// Until when it waits for the SMS; unused, it is refunded after (R9.D1).
    expires_at: DateTime<Utc>,
    /// Waiting, used or expired.
    state: State,
    /// The refund of an expired allocation.
    #[oai(skip_serializing_if_is_none)]
    refund: Option<MoneyBody>,
    /// The message, once it came.
    #[oai(skip_serializing_if_is_none)]
    message: Option<Message>,
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

/// The answer to an allocation.
#[derive(ApiResponse)]
pub(crate) enum Allocated {
    /// The number is the customer's until `expires_at`, for one SMS.
    #[oai(status = 201)]
    Created(Json<SmsAllocation>),
}

#[OpenApi(prefix_path = "/v1/customers", tag = "Tag::Sms")]
impl SmsApi {
    /// Allocate a one-shot SMS number
    ///
    /// Lends a number never used for the service before (R9.2) to receive one SMS (R9.1),
    /// charging the offer's price in advance (402 with R1.4 when the balance does not cover
    /// it). Unused, it is refunded when it expires (R9.D1).
    #[oai(
        path = "/:id/sms-allocations",
        method = "post",
        operation_id = "allocate_sms_number"
    )]
    async fn allocate(
        &self,
        caller: Caller,
        id: Path<i64>,
        body: Json<NewSmsAllocation>,
    ) -> ApiResult<Allocated> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let record = self
            .vnum
            .allocate_sms_number(id, &body.0.service, OfferId(body.0.offer))
            .await?;
        Ok(Allocated::Created(Json(record.into())))
    }

    /// List one-shot SMS allocations
    ///
    /// Oldest first, each with its message once it came.
    #[oai(
        path = "/:id/sms-allocations",
        method = "get",
        operation_id = "list_sms_allocations"
    )]
    async fn list(&self, caller: Caller, id: Path<i64>) -> ApiResult<Json<Vec<SmsAllocation>>> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let records = self.vnum.sms_allocations_of(id).await?;
        Ok(Json(records.into_iter().map(SmsAllocation::from).collect()))
    }
}
