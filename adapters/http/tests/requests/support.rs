//! The API on a world of `vnum_app::testing`, and a client that reads every answer as a
//! status, a content type and a JSON body.

use hmac::{Hmac, Mac};
use poem::Route;
use poem::http::{HeaderMap, Method, StatusCode};
use poem::test::TestClient;
use poem::web::headers::Authorization;
use serde_json::Value;
use sha2::Sha256;
use vnum_app::model::{Customer, Principal};
use vnum_app::testing::World;
use vnum_http::{Options, PROBLEM_JSON, WebhookSecret};
use vnum_testkit::{at, day};

/// The secret the payment provider signs its notifications with.
pub(crate) const SECRET: &str = "whsec_test_0123456789abcdef";

/// The API as the server mounts it, on a world whose clock stands at 09:00 UTC on
/// 2 March 2026, with an operator key.
pub(crate) struct Api {
    pub(crate) world: World,
    pub(crate) operator: String,
    client: TestClient<Route>,
}

/// An answer: its status, headers and body (JSON, or `Value::Null` when empty).
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Value,
}

impl Reply {
    pub(crate) fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts the answer is an RFC 7807 problem of `status`, with the members RFC 7807
    /// defines (`type`, `title`, `status`, `detail`) consistent with the status line, and
    /// returns its body.
    #[track_caller]
    pub(crate) fn problem(&self, status: StatusCode) -> &Value {
        assert_eq!(self.status, status, "{:#}", self.body);
        assert_eq!(self.content_type(), PROBLEM_JSON, "{:#}", self.body);
        assert_eq!(self.body["status"], status.as_u16(), "{:#}", self.body);
        assert_eq!(
            self.body["title"],
            status.canonical_reason().unwrap(),
            "{:#}",
            self.body
        );
        let kind = self.body["type"].as_str().unwrap();
        assert!(kind.starts_with("urn:vnum:problem:"), "{kind}");
        let detail = self.body["detail"].as_str().unwrap();
        assert!(!detail.is_empty());
        &self.body
    }

    /// The rule a problem names, if any.
    pub(crate) fn rule(&self) -> Option<&str> {
        self.body.get("rule").map(|r| r.as_str().unwrap())
    }

    pub(crate) fn detail(&self) -> &str {
        self.body["detail"].as_str().unwrap()
    }
}

impl Api {
    pub(crate) async fn new() -> Self {
        let world = World::new(at(day(2026, 3, 2), 9));
        let operator = world
            .vnum
            .issue_api_key(Principal::Operator, "tests")
            .await
            .unwrap();
        let options = Options {
            self_registration: false,
            payment_webhook_secret: Some(WebhookSecret::new(SECRET).unwrap()),
            ..Options::default()
        };
        // As `vnum_server::routes` mounts it.
        let route = Route::new().nest("/", vnum_http::api_with(world.vnum.clone(), options));
        Self {
            world,
            operator,
            client: TestClient::new(route),
        }
    }

    /// A customer registered through the use case, and its API key.
    pub(crate) async fn customer(&self, name: &str) -> (Customer, String) {
        let customer = self.world.customer(name).await;
        let key = self
            .world
            .vnum
            .issue_api_key(Principal::Customer(customer.id), "tests")
            .await
            .unwrap();
        (customer, key)
    }

    /// Sends `method path` with `key` as a bearer token (none when `None`), `headers` and
    /// `body` as JSON.
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Reply {
        let mut request = self.client.request(method, path.to_owned());
        if let Some(key) = key {
            request = request.header("authorization", format!("Bearer {key}"));
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.body_json(&body);
        }
        read(request.send().await.0).await
    }

    pub(crate) async fn get(&self, path: &str, key: &str) -> Reply {
        self.send(Method::GET, path, Some(key), &[], None).await
    }

    pub(crate) async fn post(
        &self,
        path: &str,
        key: &str,
        idempotency: &str,
        body: Value,
    ) -> Reply {
        self.send(
            Method::POST,
            path,
            Some(key),
            &[("idempotency-key", idempotency)],
            Some(body),
        )
        .await
    }

    /// Posts the raw `body` of a payment notification, with `signature` as its
    /// `Vnum-Signature` header when given, and no API key.
    pub(crate) async fn notify(&self, signature: Option<&str>, body: &str) -> Reply {
        let mut request = self
            .client
            .post("/v1/payments/notifications")
            .content_type("application/json")
            .body(body.to_owned());
        if let Some(signature) = signature {
            request = request.header("vnum-signature", signature);
        }
        read(request.send().await.0).await
    }

    /// `GET path` with `key` as the password of HTTP Basic authentication.
    pub(crate) async fn get_basic(&self, path: &str, user: &str, key: &str) -> Reply {
        let request = self
            .client
            .get(path.to_owned())
            .typed_header(Authorization::basic(user, key));
        read(request.send().await.0).await
    }
}

async fn read(response: poem::Response) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().into_vec().await.unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!(
                "{status}: not JSON ({e}): {}",
                String::from_utf8_lossy(&bytes)
            )
        })
    };
    Reply {
        status,
        headers,
        body,
    }
}

/// The `Vnum-Signature` header the payment provider sends (R1.D1): `t=<unix seconds>`
/// and `v1=`, the lower-case hex HMAC-SHA256 under `secret` of `"<t>." + body`.
pub(crate) fn signature(secret: &str, t: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={t},v1={hex}")
}

/// Money as the API writes it.
pub(crate) fn money_json(amount: &str, currency: &str) -> Value {
    serde_json::json!({ "amount": amount, "currency": currency })
}
