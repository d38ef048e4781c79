//! A request body limit that holds for every body, with or without `Content-Length`.

use poem::http::StatusCode;
use poem::http::header::CONTENT_TYPE;
use poem::web::headers::{ContentLength, HeaderMapExt};
use poem::{Body, Endpoint, Middleware, Request, Result};

use crate::problem::Problem;

/// Refuses request bodies over a limit with 413: JSON bodies over `json` bytes, any other
/// body (greeting uploads) over `other` bytes.
///
/// A declared `Content-Length` over the limit is refused before the body is read; a body
/// without one (chunked) is read up to the limit and refused as soon as it passes it.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimit {
    json: usize,
    other: usize,
}

impl BodyLimit {
    /// A limit of `json` bytes for JSON bodies and `other` bytes for the rest.
    #[must_use]
    pub const fn new(json: usize, other: usize) -> Self {
        Self { json, other }
    }
}

impl<E: Endpoint> Middleware<E> for BodyLimit {
    type Output = BodyLimitEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        BodyLimitEndpoint {
            inner,
            limit: *self,
        }
    }
}

/// The endpoint [`BodyLimit`] wraps.
#[derive(Debug)]
pub struct BodyLimitEndpoint<E> {
    inner: E,
    limit: BodyLimit,
}

impl<E: Endpoint> Endpoint for BodyLimitEndpoint<E> {
    type Output = E::Output;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("json"));
        let max = if is_json {
            self.limit.json
        } else {
            self.limit.other
        };
        let too_large = || {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the request body is larger than the limit of {max} bytes"),
            )
        };
        match req.headers().typed_get::<ContentLength>() {
            Some(ContentLength(length)) => {
                if usize::try_from(length).map_or(true, |length| length > max) {
                    return Err(too_large().into());
                }
            }
            None => {
                let body = req.take_body();
                if !body.is_empty() {
                    let bytes = body.into_bytes_limit(max).await.map_err(|_| too_large())?;
                    req.set_body(Body::from_bytes(bytes));
                }
            }
        }
        self.inner.call(req).await
    }
}
