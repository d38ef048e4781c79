//! Webhooks out: the `WebhookClient` port over HTTP with `reqwest` (rustls).
//!
//! A delivery is `POST <url>` with the JSON body `{"id", "type", "created_at", "data"}`
//! and the headers `Vnum-Event-Id`, `Vnum-Event-Type` and
//! `Vnum-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`; a 2xx
//! answer is a delivery. The server README shows how a receiver checks the signature.
//!
//! SSRF: unless the operator allows private targets, an endpoint whose host is, or
//! resolves to, a loopback, private, link-local or otherwise non-public address is not
//! contacted (the check runs on every address a name resolves to, at connection time, so
//! a name that changes its answer after registration gains nothing); redirects are not
//! followed and no proxy is used.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use vnum_app::model::{Event, WebhookEndpoint};
use vnum_app::ports::{WebhookClient, WebhookError};

/// The body of a delivery: the event's id, type, creation instant and data.
#[must_use]
pub fn body(event: &Event) -> Vec<u8> {
    let value = serde_json::json!({
        "id": event.id,
        "type": event.notice.type_name(),
        "created_at": event.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": event.notice.data(),
    });
    serde_json::to_vec(&value).unwrap_or_default()
}

/// The `Vnum-Signature` header of `body` signed with `secret` at `timestamp` (Unix
/// seconds): `t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, the one
/// signature vnum puts on what it sends (webhooks here, requests to a carrier there).
#[must_use]
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    vnum_carrier::sign(secret.as_bytes(), timestamp, body)
}

/// Resolves names with the system's resolver and refuses every answer that holds a
/// non-public address, unless private targets are allowed.
struct PublicResolver {
    private_allowed: bool,
}

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let private_allowed = self.private_allowed;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if !private_allowed
                && let Some(private) = addrs.iter().find(|a| !vnum_calls::is_public_ip(a.ip()))
            {
                return Err(format!(
                    "{host} resolves to {}, a private address this provider does not allow",
                    private.ip()
                )
                .into());
            }
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// Posts deliveries over HTTP.
#[derive(Clone, Debug)]
pub struct HttpWebhooks {
    client: reqwest::Client,
    private_allowed: bool,
}

impl HttpWebhooks {
    /// A client whose requests take at most `timeout` each; `private_allowed` lets
    /// endpoints on private addresses be reached.
    ///
    /// # Errors
    /// When the HTTP client cannot be built (no TLS roots).
    pub fn new(private_allowed: bool, timeout: Duration) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("vnum-webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(PublicResolver { private_allowed }))
            .build()
            .context("cannot build the webhook HTTP client")?;
        Ok(Self {
            client,
            private_allowed,
        })
    }
}

#[async_trait]
impl WebhookClient for HttpWebhooks {
    async fn post(
        &self,
        endpoint: &WebhookEndpoint,
        event: &Event,
        now: DateTime<Utc>,
    ) -> Result<u16, WebhookError> {
        let failed = |status: Option<u16>, reason: String| WebhookError { status, reason };
        let url = reqwest::Url::parse(&endpoint.url)
            .map_err(|e| failed(None, format!("the URL is invalid: {e}")))?;
        let literal = url.host_str().and_then(|host| {
            host.trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<IpAddr>()
                .ok()
        });
        if let Some(ip) = literal
            && !self.private_allowed
            && !vnum_calls::is_public_ip(ip)
        {
            return Err(failed(
                None,
                format!("{ip} is a private address this provider does not allow"),
            ));
        }
        let body = body(event);
        let signed = signature(&endpoint.secret, now.timestamp(), &body);
        let answer = self
            .client
            .post(url)
            .header("Content-Type", "application/json")
            .header("Vnum-Event-Id", event.id.0.as_str())
            .header("Vnum-Event-Type", event.notice.type_name())
            .header("Vnum-Signature", signed)
            .body(body)
            .send()
            .await
            .map_err(|e| failed(None, describe(&e)))?;
        let status = answer.status();
        if status.is_success() {
            Ok(status.as_u16())
        } else {
            Err(failed(
                Some(status.as_u16()),
                format!("the endpoint answered {status}"),
            ))
        }
    }
}

/// An error of the HTTP client with its causes, which say what failed (a refused
/// address, a timeout, a TLS failure).
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body_in_hex() {
        // Computed apart, with Python's hmac module:
        // hmac.new(b"whsec_test", b"1700000000.{}", hashlib.sha256).hexdigest()
        assert_eq!(
            signature("whsec_test", 1_700_000_000, b"{}"),
            "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
    }
}
