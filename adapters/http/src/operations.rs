//! Operators' runs: renewals, the end of free tests, the expiry of one-shot SMS numbers
//! and of holds on picked numbers.
//! The example server runs them on a schedule; these let an operator run them at once.

use chrono::NaiveDate;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use vnum_app::{RenewalReport, ServiceState, Vnum};

use crate::Tag;
use crate::auth::Caller;
use crate::problem::ApiResult;
use crate::wire::hold::HoldBody;
use crate::wire::sms::SmsAllocation;
use crate::wire::trial::Trial;

/// Operators' runs.
pub(crate) struct OperationsApi {
    pub(crate) vnum: Vnum,
}

/// What a renewal run did (R10.2, R10.D4).
#[derive(Clone, Debug, Object)]
#[oai(rename = "RenewalReport")]
pub(crate) struct Renewals {
    /// The billing days covered, oldest first; more than one after a pause, none when
    /// today was done already.
    days: Vec<NaiveDate>,
    /// Numbers charged for a new period.
    charged: u64,
    /// Units of work committed.
    batches: u64,
    /// Customers whose balance went below zero: their numbers are suspended (R10.4).
    suspended: Vec<Suspension>,
    /// Numbers released at the end of their paid period because they do not renew (R10.7).
    released: Vec<i64>,
}

/// An account the run suspended, and the rule that did.
#[derive(Clone, Debug, Object)]
pub(crate) struct Suspension {
    /// The customer.
    customer: i64,
    /// R10.4: a negative balance suspends every number of the account.
    rule: String,
    /// Why, in words.
    reason: String,
}

impl From<RenewalReport> for Renewals {
    fn from(report: RenewalReport) -> Self {
        Self {
            days: report.days,
            charged: report.charged,
            batches: report.batches,
            suspended: report
                .suspended
                .iter()
                .map(|c| Suspension {
                    customer: c.get(),
                    rule: ServiceState::Suspended.rule().as_str().to_owned(),
                    reason: ServiceState::Suspended.reason().to_owned(),
                })
                .collect(),
            released: report.released.iter().map(|n| n.get()).collect(),
        }
    }
}

#[OpenApi(prefix_path = "/v1", tag = "Tag::Operations")]
impl OperationsApi {
    /// Run the renewals
    ///
    /// For operators. Charges every number due on each billing day since the last run up
    /// to today (R10.2, R10.D2), and releases the numbers that do not renew whose paid
    /// period ended (R10.7); running it again charges and releases nothing twice (R10.D4).
    #[oai(path = "/renewals/run", method = "post", operation_id = "run_renewals")]
    async fn renewals(&self, caller: Caller) -> ApiResult<Json<Renewals>> {
        caller.operator()?;
        Ok(Json(self.vnum.run_renewals().await?.into()))
    }

    /// End the free tests whose hour is over
    ///
    /// For operators. Returns their numbers to stock (R8.D1); answers the tests it ended.
    #[oai(
        path = "/trials/expire",
        method = "post",
        operation_id = "expire_trials"
    )]
    async fn expire_trials(&self, caller: Caller) -> ApiResult<Json<Vec<Trial>>> {
        caller.operator()?;
        let ended = self.vnum.expire_trials().await?;
        Ok(Json(ended.into_iter().map(Trial::from).collect()))
    }

    /// Expire unused one-shot SMS numbers
    ///
    /// For operators. Ends the allocations whose time is up without an SMS and refunds
    /// them (R9.D1); answers the allocations it expired.
    #[oai(
        path = "/sms-allocations/expire",
        method = "post",
        operation_id = "expire_sms_allocations"
    )]
    async fn expire_sms(&self, caller: Caller) -> ApiResult<Json<Vec<SmsAllocation>>> {
        caller.operator()?;
        let expired = self.vnum.expire_sms_allocations().await?;
        Ok(Json(expired.into_iter().map(SmsAllocation::from).collect()))
    }

    /// Remove ended holds
    ///
    /// For operators. Removes the holds on picked numbers whose time is up (R1.3); an
    /// ended hold keeps its number from no one even before. Answers the holds removed.
    #[oai(path = "/holds/expire", method = "post", operation_id = "expire_holds")]
    async fn expire_holds(&self, caller: Caller) -> ApiResult<Json<Vec<HoldBody>>> {
        caller.operator()?;
        let ended = self.vnum.expire_holds().await?;
        Ok(Json(ended.into_iter().map(HoldBody::from).collect()))
    }
}
