//! The signature of the payment provider's notifications (R1.D1): what makes a notification
//! the provider's word, since it carries no API key.
//!
//! The provider sends `Vnum-Signature: t=<unix seconds>,v1=<hex>`, where the hex is the
//! lower-case HMAC-SHA256, under the shared secret, of the bytes `"<t>." + raw body`. A
//! notification is taken when one `v1` matches (several may be sent while a secret is being
//! replaced) and `t` is within [`REPLAY_WINDOW`] of the server's clock, so a recorded
//! notification cannot be sent again later. Keys other than `t` and `v1` are ignored, so
//! a provider can add schemes.

use chrono::{DateTime, TimeDelta, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header that carries the signature.
pub(crate) const SIGNATURE_HEADER: &str = "Vnum-Signature";

/// How far a signed timestamp may be from the server's clock, either way.
pub(crate) const REPLAY_WINDOW: TimeDelta = TimeDelta::seconds(300);

/// The shared secret that signs the payment provider's notifications. Its `Debug` never
/// shows it.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct WebhookSecret(String);

impl WebhookSecret {
    /// The fewest bytes a secret may have: shorter ones can be guessed.
    pub const MIN_BYTES: usize = 16;

    /// A secret from its text.
    ///
    /// # Errors
    /// When it is shorter than [`Self::MIN_BYTES`] bytes.
    pub fn new(secret: impl Into<String>) -> Result<Self, String> {
        let secret = secret.into();
        if secret.len() < Self::MIN_BYTES {
            return Err(format!(
                "the shared secret has {} bytes: expected at least {}",
                secret.len(),
                Self::MIN_BYTES
            ));
        }
        Ok(Self(secret))
    }

    fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The secret itself, for an adapter that signs its own requests with it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for WebhookSecret {
    type Error = String;

    fn try_from(secret: String) -> Result<Self, String> {
        Self::new(secret)
    }
}

impl std::str::FromStr for WebhookSecret {
    type Err = String;

    fn from_str(secret: &str) -> Result<Self, String> {
        Self::new(secret)
    }
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(redacted)")
    }
}

/// Why a notification's signature is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SignatureError {
    /// No signature header.
    #[error("the {SIGNATURE_HEADER} header is missing: expected t=<unix seconds>,v1=<hex>")]
    Missing,
    /// The header does not read as `t=…,v1=…`.
    #[error("the {SIGNATURE_HEADER} header is malformed: {0}; expected t=<unix seconds>,v1=<hex>")]
    Malformed(&'static str),
    /// No `v1` is the HMAC of this body at this timestamp under the secret.
    #[error("the {SIGNATURE_HEADER} does not match the body: sign \"<t>.\" + the raw body")]
    Mismatch,
    /// The timestamp is too far from the server's clock.
    #[error(
        "the signed timestamp {signed_at} is more than {} s from the server's time {now}",
        REPLAY_WINDOW.num_seconds()
    )]
    OutsideWindow {
        /// The signed timestamp.
        signed_at: DateTime<Utc>,
        /// The server's time.
        now: DateTime<Utc>,
    },
}

/// Checks the signature `header` of `body` under `secret` at `now`, and returns the signed
/// timestamp. The HMAC comparison is constant-time.
///
/// # Errors
/// [`SignatureError`] saying what is wrong: a missing or malformed header, no matching
/// `v1`, or a timestamp outside [`REPLAY_WINDOW`].
pub(crate) fn verify(
    header: Option<&str>,
    body: &[u8],
    secret: &WebhookSecret,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for item in header.split(',') {
        let (key, value) = item
            .trim()
            .split_once('=')
            .ok_or(SignatureError::Malformed("an item is not key=value"))?;
        match key {
            "t" if timestamp.is_some() => {
                return Err(SignatureError::Malformed("t is given twice"));
            }
            "t" => timestamp = Some(value),
            "v1" => signatures.push(
                from_hex(value)
                    .ok_or(SignatureError::Malformed("v1 is not 64 hexadecimal digits"))?,
            ),
            _ => {}
        }
    }
    let t = timestamp.ok_or(SignatureError::Malformed("t is missing"))?;
    if t.is_empty() || t.len() > 12 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SignatureError::Malformed("t is not a number of seconds"));
    }
    let signed_at = t
        .parse::<i64>()
        .ok()
        .and_then(|seconds| DateTime::from_timestamp(seconds, 0))
        .ok_or(SignatureError::Malformed("t is not a number of seconds"))?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed("v1 is missing"));
    }
    let matches = signatures.iter().any(|signature| {
        // HMAC takes a key of any length; the error cannot happen.
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).is_ok_and(|mut mac| {
            mac.update(t.as_bytes());
            mac.update(b".");
            mac.update(body);
            mac.verify_slice(signature).is_ok()
        })
    });
    if !matches {
        return Err(SignatureError::Mismatch);
    }
    if (now - signed_at).abs() > REPLAY_WINDOW {
        return Err(SignatureError::OutsideWindow { signed_at, now });
    }
    Ok(signed_at)
}

/// The 401 answer to a request whose signature does not hold.
pub(crate) fn unauthorized(error: &SignatureError) -> crate::problem::Problem {
    crate::problem::Problem::new(poem::http::StatusCode::UNAUTHORIZED, error.to_string())
}

/// A signed request's body as it came, kept as bytes because the signature covers the
/// exact bytes; documented as the JSON of `T`, which is read once the signature holds.
pub(crate) struct SignedBody<T>(pub(crate) Vec<u8>, std::marker::PhantomData<T>);

impl<'a, T: poem_openapi::types::Type> poem_openapi::ApiExtractor<'a> for SignedBody<T> {
    const TYPES: &'static [poem_openapi::ApiExtractorType] =
        &[poem_openapi::ApiExtractorType::RequestObject];

    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut poem_openapi::registry::Registry) {
        T::register(registry);
    }

    fn request_meta() -> Option<poem_openapi::registry::MetaRequest> {
        Some(poem_openapi::registry::MetaRequest {
            description: Some("JSON; the signature covers these exact bytes."),
            content: vec![poem_openapi::registry::MetaMediaType {
                content_type: "application/json; charset=utf-8",
                schema: T::schema_ref(),
            }],
            required: true,
        })
    }

    async fn from_request(
        request: &'a poem::Request,
        body: &mut poem::RequestBody,
        _param_opts: poem_openapi::ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        Ok(Self(
            <Vec<u8> as poem::FromRequest>::from_request(request, body).await?,
            std::marker::PhantomData,
        ))
    }
}

/// 32 bytes from 64 hexadecimal digits, either case.
fn from_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 {
        return None;
    }
    let digit = |b: u8| char::from(b).to_digit(16);
    text.as_bytes()
        .chunks(2)
        .map(|pair| u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok())
        .collect()
}

/// The header a provider sends for `body` at `t`: for tests and for documentation.
#[cfg(test)]
pub(crate) fn sign(secret: &WebhookSecret, t: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const BODY: &[u8] = br#"{"event_id":"evt_1","type":"payment.succeeded","payment_id":7,"amount":{"amount":"10.00","currency":"EUR"}}"#;

    /// 2026-01-01T00:00:00Z.
    const T: i64 = 1_767_225_600;

    /// Computed independently with Python's standard library:
    ///
    /// ```text
    /// python3 -c 'import hmac, hashlib; print(hmac.new(b"whsec_test_0123456789abcdef",
    ///     b"1767225600." + BODY, hashlib.sha256).hexdigest())'
    /// ```
    ///
    /// with `BODY` the bytes of [`BODY`].
    const PYTHON_V1: &str = "a0d7cac1c28fb8daf705ecf584619347ae72d42501c9a74c033a9261f7d65226";

    fn secret() -> WebhookSecret {
        WebhookSecret::new("whsec_test_0123456789abcdef").unwrap()
    }

    /// The instant `t` seconds after the Unix epoch.
    fn unix(t: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(t, 0).unwrap()
    }

    fn header() -> String {
        format!("t={T},v1={PYTHON_V1}")
    }

    #[test]
    fn a_signature_computed_by_another_implementation_is_accepted() {
        assert_eq!(
            verify(Some(&header()), BODY, &secret(), unix(T)),
            Ok(unix(T))
        );
        assert_eq!(sign(&secret(), T, BODY), header());
    }

    #[test]
    fn a_timestamp_within_the_window_either_way_is_accepted() {
        for now in [T - 300, T + 300, T + 1] {
            assert!(
                verify(Some(&header()), BODY, &secret(), unix(now)).is_ok(),
                "{now}"
            );
        }
    }

    #[test]
    fn a_timestamp_outside_the_window_is_refused_even_when_signed() {
        for now in [T - 301, T + 301, T + 86_400] {
            assert_eq!(
                verify(Some(&header()), BODY, &secret(), unix(now)),
                Err(SignatureError::OutsideWindow {
                    signed_at: unix(T),
                    now: unix(now)
                })
            );
        }
    }

    #[test]
    fn a_tampered_body_a_moved_timestamp_or_another_secret_is_a_mismatch() {
        let tampered = String::from_utf8(BODY.to_vec())
            .unwrap()
            .replace("10.00", "99.00");
        assert_eq!(
            verify(Some(&header()), tampered.as_bytes(), &secret(), unix(T)),
            Err(SignatureError::Mismatch)
        );
        let moved = format!("t={},v1={PYTHON_V1}", T + 1);
        assert_eq!(
            verify(Some(&moved), BODY, &secret(), unix(T)),
            Err(SignatureError::Mismatch)
        );
        let other = WebhookSecret::new("another_secret_of_some_length").unwrap();
        assert_eq!(
            verify(Some(&header()), BODY, &other, unix(T)),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn one_matching_v1_among_several_is_enough_and_unknown_keys_are_ignored() {
        let zeros = "0".repeat(64);
        let rotated = format!(
            "t={T}, v1={zeros}, v0=legacy, v1={}",
            PYTHON_V1.to_uppercase()
        );
        assert_eq!(
            verify(Some(&rotated), BODY, &secret(), unix(T)),
            Ok(unix(T))
        );
    }

    #[test]
    fn a_missing_or_malformed_header_says_what_is_expected() {
        assert_eq!(
            verify(None, BODY, &secret(), unix(T)),
            Err(SignatureError::Missing)
        );
        for (header, why) in [
            ("", "an item is not key=value"),
            (&format!("v1={PYTHON_V1}") as &str, "t is missing"),
            (&format!("t={T}") as &str, "v1 is missing"),
            (
                &format!("t=-{T},v1={PYTHON_V1}") as &str,
                "t is not a number of seconds",
            ),
            (
                &format!("t=1e9,v1={PYTHON_V1}") as &str,
                "t is not a number of seconds",
            ),
            (
                &format!("t={T},t={T},v1={PYTHON_V1}") as &str,
                "t is given twice",
            ),
            (
                &format!("t={T},v1=abc") as &str,
                "v1 is not 64 hexadecimal digits",
            ),
            (
                &format!("t={T},v1={}", "g".repeat(64)) as &str,
                "v1 is not 64 hexadecimal digits",
            ),
        ] {
            assert_eq!(
                verify(Some(header), BODY, &secret(), unix(T)),
                Err(SignatureError::Malformed(why)),
                "{header}"
            );
        }
    }

    #[test]
    fn a_short_secret_is_refused_and_a_secret_is_never_shown() {
        assert!(WebhookSecret::new("short").is_err());
        assert_eq!(format!("{:?}", secret()), "WebhookSecret(redacted)");
    }
}
