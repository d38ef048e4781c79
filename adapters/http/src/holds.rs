//! Holds on numbers picked from an offer's list (R1.3): a customer holds a number while it
//! decides, lists its holds and releases one.

use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use vnum_app::Vnum;
use vnum_core::{CustomerId, OfferId, PhoneNumber};
use vnum_lifecycle::Pick;

use crate::Tag;
use crate::auth::Caller;
use crate::codes::E164;
use crate::problem::{ApiResult, Problem};
use crate::wire::hold::HoldBody;

/// Holds on picked numbers.
pub(crate) struct HoldsApi {
    pub(crate) vnum: Vnum,
}

/// A number to hold.
#[derive(Clone, Debug, Object)]
#[oai(rename = "NewHold")]
pub(crate) struct NewHold {
    /// A number from the offer's list (`GET /v1/offers/{id}/numbers`), E.164.
    number: E164,
}

/// The answer to a pick.
#[derive(ApiResponse)]
pub(crate) enum Held {
    /// The number is held for the customer until `until`.
    #[oai(status = 201)]
    Created(Json<HoldBody>),
    /// The customer held the number already: the hold as it is, not extended.
    #[oai(status = 200)]
    Kept(Json<HoldBody>),
}

/// A held number named in a path; a number no numbering plan has was never held.
fn path_number(text: &str) -> ApiResult<PhoneNumber> {
    PhoneNumber::parse(text).map_err(|_| Problem::not_found("hold", text))
}

#[OpenApi(prefix_path = "/v1/customers", tag = "Tag::Holds")]
impl HoldsApi {
    /// Hold a picked number
    ///
    /// Holds a number from the offer's list for the customer while it decides (R1.3), for
    /// the provider's hold time (15 minutes unless configured): it is then listed, held,
    /// lent and sold to no one else, and the customer's manual order of it succeeds and
    /// ends the hold. A hold ends by itself at `until`. Picking a number the customer holds
    /// answers 200 with the hold unchanged: picking again does not extend it. 422 with
    /// R1.3 when another customer holds the number (until when is said, not who), when the
    /// customer holds five numbers already, or when the number is not on the list.
    #[oai(
        path = "/:id/offers/:offer_id/holds",
        method = "post",
        operation_id = "hold_number"
    )]
    async fn hold(
        &self,
        caller: Caller,
        id: Path<i64>,
        offer_id: Path<i64>,
        body: Json<NewHold>,
    ) -> ApiResult<Held> {
        let customer = CustomerId(id.0);
        caller.may_access(customer)?;
        let number = body.0.number.parse("number")?;
        Ok(
            match self
                .vnum
                .hold_number(customer, OfferId(offer_id.0), number)
                .await?
            {
                Pick::New(hold) => Held::Created(Json(hold.into())),
                Pick::Kept(hold) => Held::Kept(Json(hold.into())),
            },
        )
    }

    /// List held numbers
    ///
    /// The customer's live holds, by number (R1.3); at most five.
    #[oai(path = "/:id/holds", method = "get", operation_id = "list_holds")]
    async fn list(&self, caller: Caller, id: Path<i64>) -> ApiResult<Json<Vec<HoldBody>>> {
        let customer = CustomerId(id.0);
        caller.may_access(customer)?;
        let holds = self.vnum.holds(customer).await?;
        Ok(Json(holds.into_iter().map(HoldBody::from).collect()))
    }

    /// Release a held number
    ///
    /// Ends the customer's hold before its time: the number is offered to everyone again.
    /// Answers the hold released; 404 when the customer holds no such number.
    #[oai(
        path = "/:id/holds/:number",
        method = "delete",
        operation_id = "release_hold"
    )]
    async fn release(
        &self,
        caller: Caller,
        id: Path<i64>,
        /// The held number, E.164 (`+` as is or encoded as `%2B`).
        #[oai(validator(pattern = r"^\+[1-9][0-9]{7,14}$"))]
        number: Path<String>,
    ) -> ApiResult<Json<HoldBody>> {
        let customer = CustomerId(id.0);
        caller.may_access(customer)?;
        let number = path_number(&number.0)?;
        let hold = self.vnum.release_hold(customer, &number).await?;
        Ok(Json(hold.into()))
    }
}
