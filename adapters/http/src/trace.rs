//! One log line per request, inside a span with method, path, status and latency.

use std::time::Instant;

use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use tracing::Instrument;

/// Logs every request with `tracing`: a `request` span carrying `method` and `path`, and an
/// event with `status` and `latency_us` when the answer is ready (`warn` for 5xx).
#[derive(Clone, Copy, Debug, Default)]
pub struct RequestLog;

impl<E: Endpoint> Middleware<E> for RequestLog {
    type Output = RequestLogEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        RequestLogEndpoint { inner }
    }
}

/// The endpoint [`RequestLog`] wraps.
#[derive(Debug)]
pub struct RequestLogEndpoint<E> {
    inner: E,
}

impl<E: Endpoint> Endpoint for RequestLogEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let span = tracing::info_span!(
            "request",
            method = %req.method(),
            path = %req.uri().path(),
        );
        async {
            let started = Instant::now();
            let response = self.inner.call(req).await.map(IntoResponse::into_response);
            let status = match &response {
                Ok(response) => response.status(),
                Err(err) => err.status(),
            };
            let latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
            if status.is_server_error() {
                tracing::warn!(status = status.as_u16(), latency_us, "answered");
            } else {
                tracing::info!(status = status.as_u16(), latency_us, "answered");
            }
            response
        }
        .instrument(span)
        .await
    }
}
