//! Request body limits per route, applied before a body is read and before authentication.

use std::sync::Arc;

use poem::http::{Method, StatusCode};
use poem::web::headers::{ContentLength, HeaderMapExt};
use poem::{Body, Endpoint, Middleware, Request, Result};

use crate::problem::Problem;

/// Refuses request bodies over the limit of their route with 413: a small limit for every
/// route, larger ones for the few that take uploads.
///
/// The limit is chosen by method and path, never by anything the client declares about the
/// body (a `Content-Type` would let any client pick the upload limit anywhere). A declared
/// `Content-Length` over the limit is refused before a byte of the body is read; a body
/// without one (chunked) is read up to the limit and refused as soon as it passes it. Both
/// happen before the operation runs, so before the API key is looked at: an anonymous
/// client can make the server hold at most one route's limit per request.
#[derive(Clone, Debug)]
pub struct BodyLimit {
    default: usize,
    routes: Arc<[RouteLimit]>,
}

/// One route with a limit of its own: a method and a path whose `:name` segments match any
/// one segment.
#[derive(Clone, Debug)]
struct RouteLimit {
    method: Method,
    segments: Vec<String>,
    limit: usize,
}

impl RouteLimit {
    fn matches(&self, method: &Method, path: &str) -> bool {
        if self.method != method {
            return false;
        }
        let mut given = path.trim_end_matches('/').split('/');
        let mut expected = self.segments.iter();
        loop {
            match (given.next(), expected.next()) {
                (None, None) => return true,
                (Some(part), Some(pattern)) => {
                    let wildcard = pattern.starts_with(':') && !part.is_empty();
                    if !wildcard && part != pattern {
                        return false;
                    }
                }
                _ => return false,
            }
        }
    }
}

impl BodyLimit {
    /// A limit of `default` bytes for the body of every request.
    #[must_use]
    pub fn new(default: usize) -> Self {
        Self {
            default,
            routes: Arc::from(Vec::new()),
        }
    }

    /// Gives `method` on `path` (such as `/v1/customers/:id/documents`) a limit of `limit`
    /// bytes instead of the default.
    #[must_use]
    pub fn route(self, method: Method, path: &str, limit: usize) -> Self {
        let mut routes = self.routes.to_vec();
        routes.push(RouteLimit {
            method,
            segments: path
                .trim_end_matches('/')
                .split('/')
                .map(str::to_owned)
                .collect(),
            limit,
        });
        Self {
            default: self.default,
            routes: Arc::from(routes),
        }
    }

    /// The largest body `method` on `path` takes.
    #[must_use]
    pub fn limit_for(&self, method: &Method, path: &str) -> usize {
        self.routes
            .iter()
            .find(|route| route.matches(method, path))
            .map_or(self.default, |route| route.limit)
    }
}

impl<E: Endpoint> Middleware<E> for BodyLimit {
    type Output = BodyLimitEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        BodyLimitEndpoint {
            inner,
            limit: self.clone(),
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
        let max = self.limit.limit_for(req.method(), req.uri().path());
        let operation = format!("{} {}", req.method(), req.uri().path());
        let too_large = || {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the request body is larger than the limit of {max} bytes for {operation}"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_limit_matches_its_method_and_any_value_of_its_variables() {
        let limits = BodyLimit::new(10).route(Method::POST, "/v1/customers/:id/documents", 99);
        assert_eq!(
            limits.limit_for(&Method::POST, "/v1/customers/7/documents"),
            99
        );
        assert_eq!(
            limits.limit_for(&Method::POST, "/v1/customers/7/documents/"),
            99
        );
        assert_eq!(
            limits.limit_for(&Method::GET, "/v1/customers/7/documents"),
            10
        );
        assert_eq!(
            limits.limit_for(&Method::POST, "/v1/customers//documents"),
            10
        );
        assert_eq!(
            limits.limit_for(&Method::POST, "/v1/customers/7/documents/1"),
            10
        );
        assert_eq!(limits.limit_for(&Method::POST, "/health"), 10);
    }
}
