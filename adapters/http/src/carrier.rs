//! The signed callbacks of a carrier over HTTP: a provisioning service reports that a
//! number it was asked for is connected, or that it cannot be provided (R2, R1.D3).

use poem::http::StatusCode;
use poem_openapi::param::Header;
use poem_openapi::payload::Json;
use poem_openapi::types::ParseFromJSON;
use poem_openapi::{Enum, Object, OpenApi};
use vnum_app::{CarrierReceipt, Vnum};
use vnum_core::{NumberId, rule};
use vnum_lifecycle::{CarrierOutcome, NumberStateName};

use crate::Tag;
use crate::codes::E164;
use crate::problem::{ApiResult, Problem};
use crate::signature::{self, SignedBody, WebhookSecret};

/// The carrier's callbacks.
pub(crate) struct CarrierApi {
    pub(crate) vnum: Vnum,
    /// The secret shared with the provisioning service; without it callbacks are refused.
    pub(crate) secret: Option<WebhookSecret>,
}

/// What the carrier reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "CarrierReportStatus", rename_all = "snake_case")]
pub(crate) enum ReportStatus {
    /// The number is connected: `e164` names it.
    Connected,
    /// The number cannot be provided: `reason` says why.
    Failed,
}

/// A carrier's report about one number vnum asked it for.
#[derive(Clone, Debug, Object)]
#[oai(rename = "CarrierReport", deny_unknown_fields)]
pub(crate) struct ReportBody {
    /// vnum's id of the number, as the request to the carrier gave it (`number`).
    number: i64,
    /// Connected or failed.
    status: ReportStatus,
    /// With `connected`: the number connected, E.164.
    #[oai(skip_serializing_if_is_none)]
    e164: Option<E164>,
    /// With `failed`: what the carrier said, 1 to 500 characters.
    #[oai(
        skip_serializing_if_is_none,
        validator(min_length = 1, max_length = 500)
    )]
    reason: Option<String>,
}

/// What the report did.
#[derive(Clone, Debug, Object)]
#[oai(rename = "CarrierReportAnswer")]
pub(crate) struct ReportAnswer {
    /// vnum's id of the number.
    number: i64,
    /// The number's state now: `active` or `provisioning_failed`.
    state: String,
    /// The connected number, once connected.
    #[oai(skip_serializing_if_is_none)]
    e164: Option<String>,
    /// True when the same report was applied before and nothing changed this time.
    replayed: bool,
}

impl From<CarrierReceipt> for ReportAnswer {
    fn from(receipt: CarrierReceipt) -> Self {
        Self {
            number: receipt.number.id.get(),
            state: state_name(receipt.number.state.name()).to_owned(),
            e164: receipt.number.e164().map(|n| n.as_str().to_owned()),
            replayed: receipt.replayed,
        }
    }
}

/// A state as the API writes it.
fn state_name(state: NumberStateName) -> &'static str {
    match state {
        NumberStateName::Ordered => "ordered",
        NumberStateName::AwaitingDocuments => "awaiting_documents",
        NumberStateName::Provisioning => "provisioning",
        NumberStateName::Active => "active",
        NumberStateName::Deleted => "deleted",
        NumberStateName::ProvisioningFailed => "provisioning_failed",
    }
}

const EXPECTED: &str = "expected {\"number\": <id>, \"status\": \"connected\", \"e164\": \
                        \"+4930123456\"} or {\"number\": <id>, \"status\": \"failed\", \
                        \"reason\": \"…\"}";

/// The report in `bytes`, read once its signature holds.
fn report(bytes: &[u8]) -> ApiResult<(NumberId, CarrierOutcome)> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            format!("the body is not JSON ({e}): {EXPECTED}"),
        )
    })?;
    let body = ReportBody::parse_from_json(Some(value)).map_err(|e| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("the report is invalid ({}): {EXPECTED}", e.message()),
        )
    })?;
    let outcome = match (body.status, body.e164, body.reason) {
        (ReportStatus::Connected, Some(e164), None) => {
            CarrierOutcome::Connected(e164.parse("e164")?)
        }
        (ReportStatus::Failed, None, Some(reason)) => CarrierOutcome::Failed(reason),
        _ => {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "a connected report names the e164 and no reason, a failed one the reason \
                     and no e164: {EXPECTED}"
                ),
            ));
        }
    };
    Ok((NumberId(body.number), outcome))
}

#[OpenApi(prefix_path = "/v1", tag = "Tag::Carrier")]
impl CarrierApi {
    /// Report a number's provisioning (the carrier)
    ///
    /// The provisioning service in front of a carrier tells vnum that a number it was
    /// asked for (`POST {carrier_url}/numbers`, answered `202 pending`) is connected, or
    /// cannot be provided. No API key: the request is authenticated by its signature,
    /// `Vnum-Signature: t=<unix seconds>,v1=<hex>`, the lower-case hex HMAC-SHA256 under
    /// the shared secret (`carrier_secret`) of the bytes `"<t>." + raw body`; a missing or
    /// wrong signature, or a `t` more than 300 s from the server's clock, answers 401 and
    /// changes nothing.
    ///
    /// `connected` connects the number: its connection day anchors its charges (R10.2).
    /// `failed` ends it and refunds its share of the order (R1.D3). The same report again
    /// answers 200 with `replayed` and changes nothing; a report that contradicts what
    /// happened (another number, a failure after the connection, a deleted number)
    /// answers 409. Without a configured secret, 503.
    #[oai(
        path = "/carrier/callbacks",
        method = "post",
        operation_id = "report_provisioning"
    )]
    async fn report(
        &self,
        /// `t=<unix seconds>,v1=<lower-case hex HMAC-SHA256 of "<t>." + body>`.
        #[oai(name = "Vnum-Signature")]
        signature: Header<Option<String>>,
        body: SignedBody<ReportBody>,
    ) -> ApiResult<Json<ReportAnswer>> {
        let Some(secret) = &self.secret else {
            return Err(Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "carrier callbacks are not configured on this server: set carrier_url and \
                 carrier_secret (VNUM_CARRIER_URL, VNUM_CARRIER_SECRET)",
            )
            .with_rule(rule::R2_1.as_str()));
        };
        signature::verify(signature.0.as_deref(), &body.0, secret, self.vnum.now())
            .map_err(|e| signature::unauthorized(&e))?;
        let (number, outcome) = report(&body.0)?;
        let receipt = self.vnum.apply_carrier_report(number, outcome).await?;
        Ok(Json(receipt.into()))
    }
}
