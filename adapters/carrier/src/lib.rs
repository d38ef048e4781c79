//! A carrier over HTTP: vnum's [`CarrierGateway`] port spoken as JSON to a provisioning
//! service the provider runs in front of its real carriers (a small bridge), so that a
//! carrier is connected without patching vnum. The protocol is in this crate's README.
//!
//! - vnum asks for a number with `POST {base}/numbers` and releases one with
//!   `POST {base}/numbers/release`, each signed with the shared secret (`Vnum-Signature:
//!   t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>`), so the bridge knows the
//!   request is vnum's.
//! - The bridge answers at once (`200` connected, `409` out of stock, `422` refused) or
//!   later (`202` pending): then it calls vnum back at the request's `callback_url`
//!   (`POST /v1/carrier/callbacks`, signed the same way) with the connected number or the
//!   failure.

use std::time::Duration;

use async_trait::async_trait;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use vnum_app::ports::{CarrierError, CarrierGateway, ProvisioningRequest, ProvisioningTicket};
use vnum_core::PhoneNumber;

/// How long one request to the bridge may take before the carrier counts as unreachable.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The signature header of requests both ways.
pub const SIGNATURE_HEADER: &str = "Vnum-Signature";

/// What vnum sends to order a number (`POST {base}/numbers`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberRequest {
    /// vnum's id of the number ordered: the key of the callback, and of a retried request
    /// (the bridge answers a request it has seen with its first answer).
    pub number: i64,
    /// The carrier of the offer, as vnum's catalogue names it.
    pub carrier: i64,
    /// The offer ordered.
    pub offer: i64,
    /// The country, ISO 3166-1 alpha-2.
    pub country: String,
    /// The city, for geographic numbers.
    pub city: Option<String>,
    /// The number the customer picked, for manual orders; none lets the carrier choose.
    pub wanted: Option<String>,
    /// Where the bridge reports a pending request's outcome.
    pub callback_url: Option<String>,
}

/// The bridge's answer to a [`NumberRequest`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum NumberAnswer {
    /// Connected now (HTTP 200): `e164` is the number.
    Connected {
        /// The bridge's reference of the request.
        reference: String,
        /// The connected number, E.164.
        e164: String,
    },
    /// Accepted, outcome later through the callback (HTTP 202).
    Pending {
        /// The bridge's reference of the request.
        reference: String,
    },
    /// No number for this request (HTTP 409).
    OutOfStock,
    /// The carrier refused the request (HTTP 422).
    Refused {
        /// What the carrier said.
        reason: String,
    },
}

/// What vnum sends to release a number (`POST {base}/numbers/release`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseRequest {
    /// The number released, E.164.
    pub e164: String,
}

/// The bridge at `base`, with the secret both sides sign with.
#[derive(Clone)]
pub struct HttpCarrier {
    client: reqwest::Client,
    base: String,
    secret: String,
    callback_url: Option<String>,
}

impl std::fmt::Debug for HttpCarrier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpCarrier")
            .field("base", &self.base)
            .field("secret", &"***")
            .field("callback_url", &self.callback_url)
            .finish()
    }
}

impl HttpCarrier {
    /// The bridge at `base` (such as `http://127.0.0.1:9000`), signing with `secret`, told
    /// to call back at `callback_url`.
    ///
    /// # Panics
    /// Never: a client with a timeout and no TLS settings always builds.
    #[must_use]
    pub fn new(base: &str, secret: &str, callback_url: Option<String>) -> Self {
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Self {
            client,
            base: base.trim_end_matches('/').to_owned(),
            secret: secret.to_owned(),
            callback_url,
        }
    }

    async fn post(&self, path: &str, body: Vec<u8>) -> Result<reqwest::Response, CarrierError> {
        let t = chrono::Utc::now().timestamp();
        self.client
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, sign(self.secret.as_bytes(), t, &body))
            .body(body)
            .send()
            .await
            .map_err(|e| CarrierError::Unavailable(format!("{}{path}: {e}", self.base)))
    }
}

/// The `Vnum-Signature` value for `body` signed at `t` (unix seconds) with `secret`.
#[must_use]
pub fn sign(secret: &[u8], t: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={t},v1={hex}")
}

#[async_trait]
impl CarrierGateway for HttpCarrier {
    async fn request_number(
        &self,
        request: ProvisioningRequest,
    ) -> Result<ProvisioningTicket, CarrierError> {
        let body = NumberRequest {
            number: request.number.get(),
            carrier: request.carrier.get(),
            offer: request.offer.get(),
            country: request.country.to_string(),
            city: request.city,
            wanted: request.wanted.map(|w| w.as_str().to_owned()),
            callback_url: self.callback_url.clone(),
        };
        let body =
            serde_json::to_vec(&body).map_err(|e| CarrierError::Unavailable(e.to_string()))?;
        let response = self.post("/numbers", body).await?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| CarrierError::Unavailable(format!("reading the answer: {e}")))?;
        let answer = match status.as_u16() {
            200 | 202 | 409 | 422 => serde_json::from_str::<NumberAnswer>(&text).map_err(|e| {
                CarrierError::Unavailable(format!("the answer {status} is not understood: {e}"))
            })?,
            _ => {
                return Err(CarrierError::Unavailable(format!(
                    "the bridge answered {status}: {}",
                    text.chars().take(200).collect::<String>()
                )));
            }
        };
        match (status.as_u16(), answer) {
            (200, NumberAnswer::Connected { reference, e164 }) => {
                let assigned = PhoneNumber::parse(&e164).map_err(|e| {
                    CarrierError::Unavailable(format!("the bridge connected {e164:?}: {e}"))
                })?;
                Ok(ProvisioningTicket {
                    reference,
                    assigned: Some(assigned),
                })
            }
            (202, NumberAnswer::Pending { reference }) => Ok(ProvisioningTicket {
                reference,
                assigned: None,
            }),
            (409, NumberAnswer::OutOfStock) => Err(CarrierError::OutOfStock),
            (422, NumberAnswer::Refused { reason }) => {
                Err(CarrierError::Refused(reason.chars().take(400).collect()))
            }
            (status, answer) => Err(CarrierError::Unavailable(format!(
                "the bridge answered {status} with {answer:?}: the status and the answer disagree"
            ))),
        }
    }

    async fn release_number(&self, number: &PhoneNumber) -> Result<(), CarrierError> {
        let body = serde_json::to_vec(&ReleaseRequest {
            e164: number.as_str().to_owned(),
        })
        .map_err(|e| CarrierError::Unavailable(e.to_string()))?;
        let response = self.post("/numbers/release", body).await?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(CarrierError::Unavailable(format!(
                "releasing {number}: the bridge answered {}",
                response.status()
            )))
        }
    }
}
