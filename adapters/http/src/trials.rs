//! Free one-hour tests (R8).

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use vnum_app::{TrialOutcome, Vnum};
use vnum_core::{CustomerId, TrialId};
use vnum_lifecycle::Offer;

use crate::Tag;
use crate::auth::Caller;
use crate::codes::Country;
use crate::page;
use crate::problem::ApiResult;
use crate::wire::call::{Call, CallPage};
use crate::wire::number::PlanBody;
use crate::wire::offer::Kind;
use crate::wire::trial::Trial;

/// Free tests.
pub(crate) struct TrialsApi {
    pub(crate) vnum: Vnum,
}

/// A request for a free test.
#[derive(Clone, Debug, Object)]
#[oai(rename = "NewTrial")]
pub(crate) struct NewTrial {
    /// The country, ISO 3166-1 alpha-2 (`DE`).
    country: Country,
    /// The kind of number preferred.
    kind: Kind,
}

/// An offer of another country that can be tested instead (R8.2).
#[derive(Clone, Debug, Object)]
#[oai(rename = "TrialSuggestion")]
pub(crate) struct Suggestion {
    /// The offer to ask a test of.
    offer: i64,
    /// Its country.
    country: String,
    /// Its city, for landlines.
    #[oai(skip_serializing_if_is_none)]
    city: Option<String>,
    /// Its kind.
    kind: Kind,
    /// R8.2.
    rule: String,
}

impl Suggestion {
    fn new(offer: &Offer, rule: vnum_core::RuleId) -> Self {
        Self {
            offer: offer.id().get(),
            country: offer.country().to_string(),
            city: offer.city().map(|c| c.as_str().to_owned()),
            kind: offer.kind().into(),
            rule: rule.as_str().to_owned(),
        }
    }
}

/// The answer to a request for a free test.
#[derive(ApiResponse)]
pub(crate) enum Started {
    /// The test started: the number is lent until `ends_at` (R8.1).
    #[oai(status = 201)]
    Created(Json<Trial>),
    /// The country cannot be tested now; this offer of another country can (R8.2).
    /// Nothing was lent.
    #[oai(status = 200)]
    Suggested(Json<Suggestion>),
}

page::page_of!(
    /// A page of a customer's free tests, oldest first.
    TrialPage,
    Trial
);

#[OpenApi(prefix_path = "/v1/customers", tag = "Tag::Trials")]
impl TrialsApi {
    /// Start a free test
    ///
    /// Lends a number of the country for one hour (R8.1): 201 with the number. When the
    /// country is purchase-only now, 200 with an offer of another country to test instead
    /// (R8.2). 422 with the rule when nothing can be tested (R8.1) or a test is running
    /// (R8.D1).
    #[oai(path = "/:id/trials", method = "post", operation_id = "start_trial")]
    async fn start(
        &self,
        caller: Caller,
        id: Path<i64>,
        body: Json<NewTrial>,
    ) -> ApiResult<Started> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let country = body.0.country.0;
        Ok(
            match self
                .vnum
                .start_trial(id, country, body.0.kind.into())
                .await?
            {
                TrialOutcome::Started(record) => Started::Created(Json(record.into())),
                TrialOutcome::Suggested { offer, rule } => {
                    Started::Suggested(Json(Suggestion::new(&offer, rule)))
                }
            },
        )
    }

    /// List free tests
    ///
    /// The customer's tests, oldest first.
    #[oai(path = "/:id/trials", method = "get", operation_id = "list_trials")]
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
    ) -> ApiResult<Json<TrialPage>> {
        let page = page::page(limit.0, after.0.as_deref())?;
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let trials = self.vnum.trials_of(id).await?;
        let trials = trials.into_iter().map(Trial::from).collect();
        Ok(Json(page::slice(trials, page, |item| item.id).into()))
    }

    /// Set where a free test rings
    ///
    /// While the test runs, its number is forwarded like a rented one (R8 Decision): the
    /// same plans and the same forbidden targets (R5 Decision). Without a plan it rings the
    /// customer's SIP accounts. 422 with R8.D1 after the hour.
    #[oai(
        path = "/:id/trials/:trial_id/forwarding",
        method = "put",
        operation_id = "set_trial_forwarding"
    )]
    async fn set_forwarding(
        &self,
        caller: Caller,
        id: Path<i64>,
        trial_id: Path<i64>,
        body: Json<PlanBody>,
    ) -> ApiResult<Json<Trial>> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let plan = body.0.into_plan()?;
        let record = self
            .vnum
            .set_trial_forwarding(id, TrialId(trial_id.0), Some(plan))
            .await?;
        Ok(Json(record.into()))
    }

    /// List a free test's calls
    ///
    /// The calls to the test's number during and after its hour (R8 Decision), oldest
    /// first, each with what it cost: a leg forwarded to a phone number is rated as a
    /// rented number's (R5.D1).
    #[oai(
        path = "/:id/trials/:trial_id/calls",
        method = "get",
        operation_id = "list_trial_calls"
    )]
    async fn calls(
        &self,
        caller: Caller,
        id: Path<i64>,
        trial_id: Path<i64>,
        /// Items a page, 1 to 500 (100 unless asked).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
        /// The `next` cursor of the previous page.
        #[oai(validator(pattern = r"^[1-9][0-9]{0,17}$"))]
        after: Query<Option<String>>,
    ) -> ApiResult<Json<CallPage>> {
        let page = page::page(limit.0, after.0.as_deref())?;
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let calls = self.vnum.calls_of_trial(id, TrialId(trial_id.0)).await?;
        let calls = calls.into_iter().map(Call::from).collect();
        Ok(Json(page::slice(calls, page, |call| call.id).into()))
    }

    /// Stop forwarding a free test
    ///
    /// Its calls ring the customer's SIP accounts again (R8 Decision).
    #[oai(
        path = "/:id/trials/:trial_id/forwarding",
        method = "delete",
        operation_id = "clear_trial_forwarding"
    )]
    async fn clear_forwarding(
        &self,
        caller: Caller,
        id: Path<i64>,
        trial_id: Path<i64>,
    ) -> ApiResult<Json<Trial>> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let record = self
            .vnum
            .set_trial_forwarding(id, TrialId(trial_id.0), None)
            .await?;
        Ok(Json(record.into()))
    }
}
