//! Request rate limits: per API key, with the SIP engine's key on a limit of its own, and
//! per client address for requests without a valid key.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::Clock as _;
use governor::{DefaultKeyedRateLimiter, Quota};
use poem::http::StatusCode;
use poem::http::header::RETRY_AFTER;
use poem::web::headers::authorization::{Basic, Bearer};
use poem::web::headers::{Authorization, HeaderMapExt as _};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use vnum_app::Vnum;
use vnum_app::model::Principal;

use crate::problem::Problem;

/// How many requests a minute each kind of caller may make; `None` is no limit. A caller
/// may spend a whole minute's requests at once, and gets one more every 60/n seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimits {
    /// Each customer's or operator's API key.
    pub per_key: Option<NonZeroU32>,
    /// The SIP engine's key, which asks for every call and registration.
    pub engine: Option<NonZeroU32>,
    /// Each client address, for requests without a valid API key (including wrong keys,
    /// so that guessing keys is limited too).
    pub anonymous_per_address: Option<NonZeroU32>,
}

impl Default for RateLimits {
    /// 600 a minute per key, 60 000 for the engine, 60 per address without a key.
    fn default() -> Self {
        Self {
            per_key: NonZeroU32::new(600),
            engine: NonZeroU32::new(60_000),
            anonymous_per_address: NonZeroU32::new(60),
        }
    }
}

impl RateLimits {
    /// No limit at all.
    #[must_use]
    pub const fn none() -> Self {
        Self {
            per_key: None,
            engine: None,
            anonymous_per_address: None,
        }
    }
}

/// Whose requests share a limit.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Bucket {
    /// A valid API key, by the principal it authenticates (a customer's keys share one).
    Key(Principal),
    /// No valid key: the client's address.
    Address(IpAddr),
}

/// How many requests pass between two sweeps of buckets that are full again.
const SWEEP_EVERY: u64 = 4096;

/// The middleware answering 429 Too Many Requests, with `Retry-After` in whole seconds,
/// to a caller over its limit of [`RateLimits`].
///
/// The key is looked up the way operations look it up (the read cache answers it where
/// there is one), before the body is read. Limits hold per server process.
#[derive(Clone)]
pub(crate) struct RateLimit {
    vnum: Vnum,
    state: Arc<Limiters>,
}

struct Limiters {
    keys: Option<DefaultKeyedRateLimiter<Bucket>>,
    engine: Option<DefaultKeyedRateLimiter<Bucket>>,
    addresses: Option<DefaultKeyedRateLimiter<Bucket>>,
    seen: AtomicU64,
}

impl RateLimit {
    pub(crate) fn new(vnum: Vnum, limits: RateLimits) -> Self {
        let limiter =
            |n: Option<NonZeroU32>| n.map(|n| DefaultKeyedRateLimiter::keyed(Quota::per_minute(n)));
        Self {
            vnum,
            state: Arc::new(Limiters {
                keys: limiter(limits.per_key),
                engine: limiter(limits.engine),
                addresses: limiter(limits.anonymous_per_address),
                seen: AtomicU64::new(0),
            }),
        }
    }
}

impl<E: Endpoint> Middleware<E> for RateLimit {
    type Output = RateLimitEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        RateLimitEndpoint {
            inner,
            limit: self.clone(),
        }
    }
}

/// The endpoint [`RateLimit`] wraps.
pub(crate) struct RateLimitEndpoint<E> {
    inner: E,
    limit: RateLimit,
}

/// The API key of `req`, as a bearer token or the password of Basic authentication.
fn presented_key(req: &Request) -> Option<String> {
    let headers = req.headers();
    if let Some(Authorization(bearer)) = headers.typed_get::<Authorization<Bearer>>() {
        return Some(bearer.token().to_owned());
    }
    headers
        .typed_get::<Authorization<Basic>>()
        .map(|Authorization(basic)| basic.password().to_owned())
}

impl<E: Endpoint> RateLimitEndpoint<E> {
    /// The limiter and bucket `req` counts against.
    async fn bucket(&self, req: &Request) -> Option<(&DefaultKeyedRateLimiter<Bucket>, Bucket)> {
        let state = &self.limit.state;
        let principal = match presented_key(req) {
            // A store that cannot answer is the operation's to report.
            Some(key) => self.limit.vnum.authenticate(&key).await.ok().flatten(),
            None => None,
        };
        match principal {
            Some(Principal::Engine) => {
                Some((state.engine.as_ref()?, Bucket::Key(Principal::Engine)))
            }
            Some(principal) => Some((state.keys.as_ref()?, Bucket::Key(principal))),
            None => {
                let address = req.remote_addr().as_socket_addr()?.ip();
                Some((state.addresses.as_ref()?, Bucket::Address(address)))
            }
        }
    }
}

impl<E: Endpoint> Endpoint for RateLimitEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Self::Output> {
        if let Some((limiter, bucket)) = self.bucket(&req).await {
            if let Err(not_until) = limiter.check_key(&bucket) {
                let wait = not_until.wait_time_from(limiter.clock().now());
                return Ok(too_many_requests(wait));
            }
            let state = &self.limit.state;
            if state
                .seen
                .fetch_add(1, Ordering::Relaxed)
                .is_multiple_of(SWEEP_EVERY)
            {
                // Buckets that are full again hold nothing worth keeping: without this,
                // every address that ever called would stay in memory.
                for limiter in [&state.keys, &state.engine, &state.addresses]
                    .into_iter()
                    .flatten()
                {
                    limiter.retain_recent();
                }
            }
        }
        self.inner.call(req).await.map(IntoResponse::into_response)
    }
}

/// 429 with the whole seconds to wait, at least one.
fn too_many_requests(wait: Duration) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let seconds = seconds.max(1);
    let mut response = Problem::new(
        StatusCode::TOO_MANY_REQUESTS,
        format!("too many requests: retry in {seconds} s"),
    )
    .into_response();
    response
        .headers_mut()
        .insert(RETRY_AFTER, poem::http::HeaderValue::from(seconds));
    response
}
