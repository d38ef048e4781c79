//! The HTTP API of vnum: typed endpoints on poem-openapi, the OpenAPI document and
//! Swagger UI, bearer API keys, and RFC 7807 problems for every error.
//!
//! `vnum-http` owns the wire: the JSON shapes of requests and answers (converted to and
//! from the application's types here), authentication of API keys, the tenant rule (a
//! customer sees only its own resources), status codes, body limits and request logs. It
//! owns no business rule and no storage: every operation is one call of a use case on
//! [`vnum_app::Vnum`].
//!
//! The API is one [`poem_openapi::OpenApi`] struct per use-case family, one file each
//! (`customers.rs`, `balance.rs`, …), combined as a tuple in [`api`]. To add a family:
//! write `numbers.rs` with a `NumbersApi { vnum: Vnum }`, its request and answer objects
//! and their conversions; add a `Tag` variant; add `NumbersApi` to the tuple in `service`.
//! Put path variables in each operation's `path` (`/:id/numbers`), not in `prefix_path`:
//! poem-openapi 5.1 does not bind variables of a prefix.

mod allow;
mod auth;
mod balance;
mod carrier;
mod codes;
mod companies;
mod customers;
mod documents;
mod engine;
pub mod fuzz_checks;
mod greetings;
mod health;
mod holds;
mod keys;
mod limit;
mod links;
mod money;
mod numbers;
mod offers;
mod operations;
mod orders;
mod page;
mod params;
mod payload;
mod payments;
mod problem;
mod rate;
mod rates;
mod refusals;
mod shape;
mod signature;
mod sip_accounts;
mod sms;
mod statistics;
mod text;
mod trace;
mod trials;
mod waitlist;
mod webhooks;
mod wire;

pub use auth::Caller;
pub use codes::CurrencyCode;
pub use limit::{BodyLimit, BodyLimitEndpoint};
pub use money::{Amount, MoneyBody};
pub use problem::{ApiResult, PROBLEM_JSON, Problem};
pub use rate::RateLimits;
pub use signature::WebhookSecret;
pub use trace::{RequestLog, RequestLogEndpoint};

use poem::{Endpoint, EndpointExt, Response, Route};
use poem_openapi::{OpenApiService, Tags};
use vnum_app::Vnum;

use allow::{AllowOn405, AllowedMethods};
use balance::BalanceApi;
use carrier::CarrierApi;
use companies::CompaniesApi;
use customers::CustomersApi;
use documents::DocumentsApi;
use engine::EngineApi;
use greetings::GreetingsApi;
use health::HealthApi;
use holds::HoldsApi;
use keys::KeysApi;
use numbers::NumbersApi;
use offers::OffersApi;
use operations::OperationsApi;
use orders::OrdersApi;
use payments::PaymentsApi;
use rates::RatesApi;
use sip_accounts::SipAccountsApi;
use sms::SmsApi;
use statistics::StatisticsApi;
use trials::TrialsApi;
use waitlist::WaitlistApi;
use webhooks::WebhooksApi;

/// The largest request body of an operation that takes JSON (every one but uploads): 64 KiB,
/// far above any request of the API.
pub const JSON_BODY_LIMIT: usize = 64 << 10;

/// The largest batch of call records the SIP engine sends (`POST /v1/engine/calls/batch`,
/// at most 500 reports): 1 MiB.
pub const CALL_BATCH_BODY_LIMIT: usize = 1 << 20;

/// The multipart framing allowed around an uploaded file: the part's headers and the other
/// fields.
const MULTIPART_FRAMING: usize = 64 << 10;

/// The largest greeting upload: a greeting of [`vnum_app::MAX_GREETING_BYTES`] (5 MiB,
/// R13.2) and its multipart framing.
pub const GREETING_BODY_LIMIT: usize = vnum_app::MAX_GREETING_BYTES + MULTIPART_FRAMING;

/// The largest document upload: a scan of [`vnum_app::MAX_DOCUMENT_BYTES`] (10 MiB) and
/// its multipart framing.
pub const DOCUMENT_BODY_LIMIT: usize = vnum_app::MAX_DOCUMENT_BYTES + MULTIPART_FRAMING;

/// The body limit of every route: [`JSON_BODY_LIMIT`] but for the uploads and the engine's
/// batches of call records.
#[must_use]
pub fn body_limits() -> BodyLimit {
    use poem::http::Method;
    BodyLimit::new(JSON_BODY_LIMIT)
        .route(
            Method::POST,
            "/v1/customers/:id/numbers/:number_id/greetings",
            GREETING_BODY_LIMIT,
        )
        .route(
            Method::POST,
            "/v1/customers/:id/documents",
            DOCUMENT_BODY_LIMIT,
        )
        .route(
            Method::POST,
            "/v1/customers/:id/documents/:document_id/reupload",
            DOCUMENT_BODY_LIMIT,
        )
        .route(
            Method::POST,
            "/v1/engine/calls/batch",
            CALL_BATCH_BODY_LIMIT,
        )
}

/// The groups of operations in the OpenAPI document, one per use-case family.
#[derive(Tags)]
enum Tag {
    /// Registering customers and reading them.
    Customers,
    /// API keys: create, list, revoke.
    Keys,
    /// The prepaid balance, top-ups and the ledger.
    Balance,
    /// Payments customers start, and the payment provider's signed notifications that
    /// confirm them.
    Payments,
    /// A carrier's signed reports of the numbers it connects or cannot provide.
    Carrier,
    /// Liveness.
    Health,
    /// The catalogue: offers, their numbers, quotes, stock and bulk agreements.
    Offers,
    /// Numbers picked from an offer's list and held for the customer while it decides.
    Holds,
    /// Buying numbers.
    Orders,
    /// Rented numbers: state, deletion, forwarding, CallerID, connection.
    Numbers,
    /// Greetings and voicemail of a number, and professional recordings.
    Greetings,
    /// End-user documents and their review.
    Documents,
    /// SIP accounts: request, list, reset a password, choose the presented number.
    SipAccounts,
    /// For the SIP engine and the SMS gateway: routing, CallerID, digest credentials, call
    /// records, inbound SMS.
    Engine,
    /// The operator's rate table for calls out and forwarding to phone numbers.
    Rates,
    /// Free one-hour tests.
    Trials,
    /// The waitlist for numbers out of stock, and restocking.
    Waitlist,
    /// One-shot SMS numbers.
    Sms,
    /// Call records and statistics of calls and of the balance.
    Statistics,
    /// Companies: contracts, bank transfers, closing documents.
    Companies,
    /// Operators' runs: renewals and expiries.
    Operations,
    /// Events, and the webhook endpoints they are posted to.
    Webhooks,
}

/// Choices a provider makes about its API.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Lets anyone register as a customer with `POST /v1/signup` (R1.1). Off by default:
    /// operators register customers.
    pub self_registration: bool,
    /// The secret the payment provider signs its notifications with (R1.D1). Without it,
    /// `POST /v1/payments/notifications` answers 503.
    pub payment_webhook_secret: Option<WebhookSecret>,
    /// The secret a carrier's provisioning service signs its callbacks with (R2). Without
    /// it, `POST /v1/carrier/callbacks` answers 503.
    pub carrier_secret: Option<WebhookSecret>,
    /// The longest the SIP engine may keep a routing decision (`cache_seconds` of
    /// `GET /v1/engine/route`). Zero by default: the engine asks for every call. Set it
    /// only when the engine is told of every change that ends a decision (the server
    /// empties the engine's route table after each committed change).
    pub route_cache: std::time::Duration,
    /// Requests a minute per API key, for the engine's key and per address without a key:
    /// over them, 429 with `Retry-After`.
    pub rate_limits: RateLimits,
}

type Apis = (
    HealthApi,
    // Customers and the API keys they and operators hold: one element.
    (CustomersApi, KeysApi),
    BalanceApi,
    // Signed callbacks of the payment provider and of a carrier: one element.
    (PaymentsApi, CarrierApi),
    // The catalogue, and the numbers customers hold from its lists: one element.
    (OffersApi, HoldsApi),
    OrdersApi,
    // A number and its greetings: one element, as the tuple has room for 16.
    (NumbersApi, GreetingsApi),
    DocumentsApi,
    SipAccountsApi,
    // What the SIP engine asks, and the rates calls out are decided by: one element.
    (EngineApi, RatesApi),
    TrialsApi,
    WaitlistApi,
    SmsApi,
    StatisticsApi,
    CompaniesApi,
    // Operators' runs, and the events and webhooks that tell the outside: one element.
    (OperationsApi, WebhooksApi),
);

fn service(vnum: &Vnum, options: Options) -> OpenApiService<Apis, ()> {
    let apis = (
        HealthApi,
        (
            CustomersApi {
                vnum: vnum.clone(),
                self_registration: options.self_registration,
            },
            KeysApi { vnum: vnum.clone() },
        ),
        BalanceApi { vnum: vnum.clone() },
        (
            PaymentsApi {
                vnum: vnum.clone(),
                webhook_secret: options.payment_webhook_secret,
            },
            CarrierApi {
                vnum: vnum.clone(),
                secret: options.carrier_secret,
            },
        ),
        (
            OffersApi { vnum: vnum.clone() },
            HoldsApi { vnum: vnum.clone() },
        ),
        OrdersApi { vnum: vnum.clone() },
        (
            NumbersApi { vnum: vnum.clone() },
            GreetingsApi { vnum: vnum.clone() },
        ),
        DocumentsApi { vnum: vnum.clone() },
        SipAccountsApi { vnum: vnum.clone() },
        (
            EngineApi {
                vnum: vnum.clone(),
                dialled: params::DialledNumbers::new(100_000),
                route_cache: options.route_cache,
            },
            RatesApi { vnum: vnum.clone() },
        ),
        TrialsApi { vnum: vnum.clone() },
        WaitlistApi { vnum: vnum.clone() },
        SmsApi { vnum: vnum.clone() },
        StatisticsApi { vnum: vnum.clone() },
        CompaniesApi { vnum: vnum.clone() },
        (
            OperationsApi { vnum: vnum.clone() },
            WebhooksApi { vnum: vnum.clone() },
        ),
    );
    OpenApiService::new(apis, "vnum", env!("CARGO_PKG_VERSION")).description(
        "Virtual phone numbers: customers, prepaid balances, numbers, forwarding. \
         Authenticate with `Authorization: Bearer vnum_…` (or the key as the password of HTTP \
         Basic authentication); errors are RFC 7807 problems. No field of a request body is \
         nullable: a field without a value is left out, and `null` in a field the schema \
         names is refused with 400.",
    )
}

/// The OpenAPI document of the API, as JSON.
#[must_use]
pub fn openapi_json(vnum: &Vnum) -> String {
    served_spec(&service(vnum, Options::default()).spec())
}

/// The document as served: poem-openapi's, with two things generic clients and validators
/// read differently put the way they read them:
///
/// - days in the format OpenAPI names their wire form (`YYYY-MM-DD`, RFC 3339 full-date):
///   `date`, where poem-openapi writes `naive-date`;
/// - a field of a named type as a plain `$ref` beside its description, where poem-openapi
///   wraps the reference in an `allOf` to carry the description: generators take an
///   `allOf` as a new object type, and an enum (a string) cannot be one.
fn served_spec(spec: &str) -> String {
    fn visit(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(fields) => {
                if fields.get("format").and_then(serde_json::Value::as_str) == Some("naive-date") {
                    fields.insert("format".to_owned(), "date".into());
                }
                bound_integer(fields);
                unwrap_all_of(fields);
                fields.values_mut().for_each(visit);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(visit),
            _ => {}
        }
    }
    match serde_json::from_str::<serde_json::Value>(spec) {
        Ok(mut document) => {
            visit(&mut document);
            close_forms(&mut document);
            refusals::document_refusals(&mut document);
            links::add_links(&mut document);
            serde_json::to_string_pretty(&document).unwrap_or_else(|_| spec.to_owned())
        }
        Err(_) => spec.to_owned(),
    }
}

/// An integer of a sized format (`uint16`, `int64`, …) carries the range of its type as
/// `minimum` and `maximum` where its schema has none of its own: the server refuses what
/// is outside (`-1` for a `uint32`), so the document says so.
fn bound_integer(fields: &mut serde_json::Map<String, serde_json::Value>) {
    if fields.get("type").and_then(serde_json::Value::as_str) != Some("integer") {
        return;
    }
    let (low, high): (serde_json::Value, serde_json::Value) =
        match fields.get("format").and_then(serde_json::Value::as_str) {
            Some("int8") => (i8::MIN.into(), i8::MAX.into()),
            Some("int16") => (i16::MIN.into(), i16::MAX.into()),
            Some("int32") => (i32::MIN.into(), i32::MAX.into()),
            Some("int64") => (i64::MIN.into(), i64::MAX.into()),
            Some("uint8") => (0.into(), u8::MAX.into()),
            Some("uint16") => (0.into(), u16::MAX.into()),
            Some("uint32") => (0.into(), u32::MAX.into()),
            Some("uint64") => (0.into(), u64::MAX.into()),
            _ => return,
        };
    fields.entry("minimum").or_insert(low);
    fields.entry("maximum").or_insert(high);
}

/// Upload forms (`multipart/form-data`) take the fields they name and no other: their
/// schemas say `additionalProperties: false`, as the operations refuse other fields.
fn close_forms(document: &mut serde_json::Value) {
    let Some(paths) = document
        .get_mut("paths")
        .and_then(serde_json::Value::as_object_mut)
    else {
        return;
    };
    for operation in paths
        .values_mut()
        .filter_map(serde_json::Value::as_object_mut)
        .flat_map(|operations| operations.values_mut())
    {
        if let Some(serde_json::Value::Object(form)) =
            operation.pointer_mut("/requestBody/content/multipart~1form-data/schema")
        {
            form.insert("additionalProperties".to_owned(), false.into());
        }
    }
}

/// `{"allOf": [{"$ref": R}, {"description": D, …}], …}` becomes `{"$ref": R, "description":
/// D, …}`; any other `allOf` is left as it is.
fn unwrap_all_of(fields: &mut serde_json::Map<String, serde_json::Value>) {
    let Some(serde_json::Value::Array(parts)) = fields.get("allOf") else {
        return;
    };
    let reference = parts.first().and_then(|first| first.get("$ref")).cloned();
    let annotations_only = parts
        .iter()
        .skip(1)
        .all(|part| part.as_object().is_some_and(|o| !o.contains_key("$ref")));
    let (Some(reference), true) = (reference, annotations_only) else {
        return;
    };
    let Some(serde_json::Value::Array(parts)) = fields.remove("allOf") else {
        return;
    };
    for part in parts.into_iter().skip(1) {
        if let serde_json::Value::Object(annotations) = part {
            for (key, value) in annotations {
                fields.entry(key).or_insert(value);
            }
        }
    }
    fields.insert("$ref".to_owned(), reference);
}

/// The whole HTTP API on `vnum`: the operations, `/openapi.json`, Swagger UI at `/docs`,
/// `/health`; with the body limits of [`body_limits`] (checked before authentication), every
/// error as `application/problem+json` (including those poem raises itself: malformed
/// JSON, missing parameters, unknown paths, oversized bodies) and a log line per request.
pub fn api(vnum: Vnum) -> impl Endpoint<Output = Response> + 'static {
    api_with(vnum, Options::default())
}

/// [`api`] with `options`.
pub fn api_with(vnum: Vnum, options: Options) -> impl Endpoint<Output = Response> + 'static {
    let rate_limits = options.rate_limits;
    let service = service(&vnum, options);
    let document = served_spec(&service.spec());
    let document_value = serde_json::from_str(&document).unwrap_or_default();
    let spec = poem::get(poem::endpoint::make_sync(move |_| {
        Response::builder()
            .content_type("application/json; charset=utf-8")
            .body(document.clone())
    }));
    let docs = service.swagger_ui();
    let allowed = AllowedMethods::from_spec(&service.spec(), &["/openapi.json", "/docs"]);
    Route::new()
        .nest("/", service)
        .at("/openapi.json", spec)
        .nest("/docs", docs)
        .with(shape::ShapeCheck::from_document(&document_value))
        .with(body_limits())
        .with(rate::RateLimit::new(vnum.clone(), rate_limits))
        .data(vnum)
        .catch_all_error(|err| async move { Problem::from_poem(err) })
        .with(AllowOn405(std::sync::Arc::new(allowed)))
        .with(RequestLog)
}
