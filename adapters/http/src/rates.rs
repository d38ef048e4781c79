//! The operator's rate table for calls out and forwarding to phone numbers (R6.D2, R5.D1).

use chrono::{DateTime, Utc};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use vnum_app::Vnum;
use vnum_calls::{DialPrefix, Increments, Rate};
use vnum_core::{Money, rule};

use crate::Tag;
use crate::auth::Caller;
use crate::money::MoneyBody;
use crate::problem::{ApiResult, Problem};

/// The rate table.
pub(crate) struct RatesApi {
    pub(crate) vnum: Vnum,
}

/// A rate: calls to numbers starting with `prefix` cost `price_per_minute`, billed in
/// `increments`, from `effective_from` on.
#[derive(Clone, Debug, Object)]
#[oai(rename = "Rate")]
pub(crate) struct RateBody {
    /// The dial prefix, 1 to 15 digits with or without `+`, such as `+4915`.
    #[oai(validator(pattern = r"^\+?[1-9][0-9]{0,14}$"))]
    prefix: String,
    /// The price of one minute, at least zero, with up to 4 decimals even below the
    /// currency's minor unit (`0.0125` EUR); in the currency of the accounts it rates.
    price_per_minute: MoneyBody,
    /// `first/next` seconds, each 1 to 3600: `60/60`, `1/1`, `30/6`.
    #[oai(validator(
        pattern = r"^(?:[1-9][0-9]{0,2}|[12][0-9]{3}|3[0-5][0-9]{2}|3600)/(?:[1-9][0-9]{0,2}|[12][0-9]{3}|3[0-5][0-9]{2}|3600)$"
    ))]
    increments: String,
    /// When the rate starts to apply: calls that start at or after it.
    effective_from: DateTime<Utc>,
}

impl From<Rate> for RateBody {
    fn from(rate: Rate) -> Self {
        Self {
            prefix: rate.prefix().to_string(),
            price_per_minute: rate.price_per_minute().into(),
            increments: rate.increments().to_string(),
            effective_from: rate.effective_from(),
        }
    }
}

impl TryFrom<RateBody> for Rate {
    type Error = Problem;

    fn try_from(body: RateBody) -> Result<Self, Problem> {
        let refused = |e: vnum_calls::RateError| Problem::from(vnum_app::Error::from(e));
        let currency = body.price_per_minute.currency.0;
        Self::new(
            DialPrefix::parse(&body.prefix).map_err(refused)?,
            Money::new(body.price_per_minute.amount.0, currency),
            Increments::parse(&body.increments).map_err(refused)?,
            body.effective_from,
        )
        .map_err(refused)
    }
}

/// Every rate.
#[derive(Clone, Debug, Object)]
#[oai(rename = "Rates")]
pub(crate) struct RatesBody {
    /// By prefix, currency and effective instant.
    rates: Vec<RateBody>,
}

#[derive(ApiResponse)]
enum Added {
    /// The rate is in the table.
    #[oai(status = 201)]
    Created(Json<RateBody>),
}

/// A customer key may neither read nor change the operator's rate table.
fn operators_only(caller: &Caller) -> ApiResult<()> {
    caller
        .operator()
        .map_err(|problem| problem.with_rule(rule::R6_D2.as_str()))
}

#[OpenApi(prefix_path = "/v1/rates", tag = "Tag::Rates")]
impl RatesApi {
    /// Add a rate (operators)
    ///
    /// Calls out to the phone network, and forwarding to phone numbers, are rated by the
    /// destination's longest matching prefix among the rates in the account's currency
    /// effective when the call starts (R6.D2, R5.D1). A rate is never changed: a new price
    /// is a new rate effective from a later instant. 409 when a rate of the same prefix and
    /// currency is effective from the same instant; 422 with R6.D2 for a malformed prefix,
    /// increments out of 1..3600 or a negative price.
    #[oai(path = "/", method = "post", operation_id = "add_rate")]
    async fn add(&self, caller: Caller, body: Json<RateBody>) -> ApiResult<Added> {
        operators_only(&caller)?;
        let rate = Rate::try_from(body.0)?;
        let stored = self.vnum.add_rate(rate).await?;
        Ok(Added::Created(Json(stored.into())))
    }

    /// List the rates (operators)
    ///
    /// Every rate, past and future, by prefix, currency and effective instant.
    #[oai(path = "/", method = "get", operation_id = "list_rates")]
    async fn list(&self, caller: Caller) -> ApiResult<Json<RatesBody>> {
        operators_only(&caller)?;
        let rates = self.vnum.rates().await?;
        Ok(Json(RatesBody {
            rates: rates.into_iter().map(RateBody::from).collect(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r6_d2_a_sub_cent_price_goes_both_ways_exactly() {
        let body = RateBody {
            prefix: "4915".into(),
            price_per_minute: MoneyBody {
                amount: crate::money::Amount("0.0125".parse().unwrap_or_default()),
                currency: crate::codes::CurrencyCode(vnum_core::Currency::EUR),
            },
            increments: "30/6".into(),
            effective_from: DateTime::UNIX_EPOCH,
        };
        let back = RateBody::from(Rate::try_from(body).expect("a valid rate"));
        assert_eq!(back.prefix, "+4915");
        assert_eq!(back.price_per_minute.amount.0.to_string(), "0.0125");
        assert_eq!(back.increments, "30/6");
    }
}
