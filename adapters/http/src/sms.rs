//! SMS: one-shot numbers, allocated for a verification code, and what came (R9); the
//! messages rented numbers received.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use vnum_app::Vnum;
use vnum_core::{CustomerId, NumberId, OfferId};

use crate::Tag;
use crate::auth::Caller;
use crate::page;
use crate::problem::{ApiResult, named_in_body};
use crate::wire::sms::{NumberMessage, SmsAllocation};

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

/// The answer to an allocation.
#[derive(ApiResponse)]
pub(crate) enum Allocated {
    /// The number is the customer's until `expires_at`, for one SMS.
    #[oai(status = 201)]
    Created(Json<SmsAllocation>),
}

page::page_of!(
    /// A page of a customer's SMS allocations, oldest first.
    SmsAllocationPage,
    SmsAllocation
);

page::page_of!(
    /// A page of the SMS a rented number received, newest first.
    NumberSmsPage,
    NumberMessage
);

#[OpenApi(prefix_path = "/v1/customers", tag = "Tag::Sms")]
impl SmsApi {
    /// Read the SMS a number received
    ///
    /// The messages the rented number received, newest first; none arrive while the
    /// account's balance is below zero (R10.4). One page at a time: `limit` messages (100
    /// unless asked, at most 500) after the cursor `after`.
    #[oai(
        path = "/:id/numbers/:number_id/sms",
        method = "get",
        operation_id = "list_number_sms"
    )]
    async fn number_sms(
        &self,
        caller: Caller,
        id: Path<i64>,
        number_id: Path<i64>,
        /// Messages a page, 1 to 500 (100 unless asked).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
        /// The `next` cursor of the previous page.
        #[oai(validator(pattern = r"^[1-9][0-9]{0,17}$"))]
        after: Query<Option<String>>,
    ) -> ApiResult<Json<NumberSmsPage>> {
        let page = page::page(limit.0, after.0.as_deref())?;
        let customer = CustomerId(id.0);
        caller.may_access(customer)?;
        let messages = self
            .vnum
            .sms_of_number(customer, NumberId(number_id.0), page)
            .await?;
        Ok(Json(messages.map(NumberMessage::from).into()))
    }

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
        let record = named_in_body(
            self.vnum
                .allocate_sms_number(id, &body.0.service, OfferId(body.0.offer))
                .await,
            "offer",
            "offer",
        )?;
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
    async fn list(
        &self,
        caller: Caller,
        id: Path<i64>,
        /// Items a page, 1 to 500 (100 unless asked).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
        /// The `next` cursor of the previous page.
        #[oai(validator(pattern = r"^[1-9][0-9]{0,17}$"))]
        after: Query<Option<String>>,
    ) -> ApiResult<Json<SmsAllocationPage>> {
        let page = page::page(limit.0, after.0.as_deref())?;
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let records = self.vnum.sms_allocations_of(id).await?;
        let records = records.into_iter().map(SmsAllocation::from).collect();
        Ok(Json(page::slice(records, page, |item| item.id).into()))
    }
}
