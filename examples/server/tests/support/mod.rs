//! The harness the end-to-end tests share: the real server on a loopback port with a fresh
//! database, driven over the socket, and the reading of every answer.

// Each test file uses part of the harness.
#![allow(dead_code)]
// The harness is part of the tests: a panic here is a failed assertion.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use reqwest::multipart::Form;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vnum_app::Vnum;
use vnum_app::memory::ManualClock;
use vnum_app::ports::Clock;
use vnum_app::{OrderLineRequest, PlaceOrder, TopUp};
use vnum_compliance::{DocumentRequirement, EndUser};
use vnum_core::{CarrierId, CustomerId, NumberId, OfferId, PrepaidTerm};
use vnum_lifecycle::{NumberKind, Offer, OfferTerms, ProvisioningClass};
use vnum_server::{Demo, Running, Settings};
use vnum_testkit::{eur, phone};

/// A server started the way the binary starts it, on a port the system chose.
pub(crate) struct Server {
    pub(crate) base: String,
    pub(crate) http: reqwest::Client,
    pub(crate) demo: Demo,
    pub(crate) running: Running,
    clock: Option<Arc<ManualClock>>,
    /// The PostgreSQL schema of a story run there, dropped when the server stops.
    schema: Option<PgSchema>,
}

impl Server {
    /// Starts with the default settings on the system clock.
    pub(crate) async fn start() -> Self {
        Self::start_with(Settings::default()).await
    }

    /// Starts with `settings` on the system clock.
    pub(crate) async fn start_with(settings: Settings) -> Self {
        Self::launch(settings, None).await
    }

    /// Starts with `settings` on `clock`, which the test moves.
    pub(crate) async fn start_on(settings: Settings, clock: ManualClock) -> Self {
        Self::launch(settings, Some(Arc::new(clock))).await
    }

    /// Starts with `settings` on `clock` and the database at `database_url` (a fresh
    /// [`PgSchema`]'s, say), which the server migrates and seeds as on a first start.
    pub(crate) async fn start_on_database(
        settings: Settings,
        clock: ManualClock,
        database_url: &str,
    ) -> Self {
        Self::launch_on(settings, Some(Arc::new(clock)), database_url).await
    }

    /// Starts on a free loopback port and a fresh database, whatever `settings` say of them.
    async fn launch(settings: Settings, clock: Option<Arc<ManualClock>>) -> Self {
        Self::launch_on(settings, clock, "sqlite::memory:").await
    }

    /// Starts on a free loopback port and the database at `database_url`.
    async fn launch_on(
        settings: Settings,
        clock: Option<Arc<ManualClock>>,
        database_url: &str,
    ) -> Self {
        let settings = Settings {
            listen: "127.0.0.1:0".parse().unwrap(),
            database_url: database_url.to_owned(),
            ..settings
        };
        let mut running = match &clock {
            Some(clock) => vnum_server::start_with(&settings, clock.clone()).await,
            None => vnum_server::start(&settings).await,
        }
        .unwrap();
        let demo = running.demo.take().expect("a fresh server seeds the demo");
        Self {
            base: format!("http://{}", running.addr),
            http: reqwest::Client::new(),
            demo,
            running,
            clock,
            schema: None,
        }
    }

    /// Starts a story's server on `backend` without the demo catalogue, on `clock`: see
    /// [`Server::start_on_backend`].
    pub(crate) async fn start_story(backend: Backend, clock: ManualClock) -> Option<Self> {
        let settings = Settings {
            seed_catalogue: false,
            ..Settings::default()
        };
        Self::start_on_backend(backend, settings, clock).await
    }

    /// Starts with `settings` on `clock` and `backend`: a fresh in-memory SQLite database,
    /// or a fresh PostgreSQL schema dropped when the server stops. `None` when PostgreSQL is
    /// asked for and unreachable outside CI (the reason is printed); under `CI=true` that
    /// fails the test.
    pub(crate) async fn start_on_backend(
        backend: Backend,
        settings: Settings,
        clock: ManualClock,
    ) -> Option<Self> {
        match backend {
            Backend::Sqlite => Some(Self::start_on(settings, clock).await),
            Backend::Postgres => {
                let schema = PgSchema::create().await?;
                let mut server = Self::start_on_database(settings, clock, &schema.url).await;
                server.schema = Some(schema);
                Some(server)
            }
        }
    }

    /// The clock the server was started on with [`Server::start_on`].
    pub(crate) fn clock(&self) -> &ManualClock {
        self.clock
            .as_deref()
            .expect("the server was started on a manual clock")
    }

    /// The application the server runs, for what no endpoint does.
    pub(crate) fn vnum(&self) -> &Vnum {
        self.running.application()
    }

    /// Today as the server counts billing days: in its billing time zone, on its clock.
    ///
    /// Near midnight UTC that is not the UTC date (the R10 decision on "day").
    pub(crate) fn today(&self) -> NaiveDate {
        let now = self.clock.as_deref().map_or_else(Utc::now, Clock::now);
        now.with_timezone(&self.vnum().config().billing_time_zone)
            .date_naive()
    }

    pub(crate) fn operator(&self) -> &str {
        &self.demo.operator_key
    }

    /// The SIP engine's key: `/v1/engine/*` only.
    pub(crate) fn engine(&self) -> &str {
        &self.demo.engine_key
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, self.url(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await.unwrap()).await
    }

    pub(crate) async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.send(Method::GET, path, token, None).await
    }

    /// A GET without credentials.
    pub(crate) async fn get_anonymously(&self, path: &str) -> (StatusCode, Value) {
        read(self.http.get(self.url(path)).send().await.unwrap()).await
    }

    pub(crate) async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, path, token, Some(body)).await
    }

    /// A POST of `body` as it is, declared JSON: for bodies that are not.
    pub(crate) async fn post_text(
        &self,
        path: &str,
        token: &str,
        body: &str,
    ) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.url(path))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        read(response).await
    }

    pub(crate) async fn put(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::PUT, path, token, Some(body)).await
    }

    pub(crate) async fn upload(&self, path: &str, token: &str, form: Form) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.url(path))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        read(response).await
    }

    /// Tops up `customer` by `amount` EUR under `idempotency_key` (R10.1).
    pub(crate) async fn top_up(
        &self,
        customer: i64,
        token: &str,
        idempotency_key: &str,
        amount: &str,
    ) -> (StatusCode, Value) {
        let response = self
            .http
            .post(self.url(&format!("/v1/customers/{customer}/top-ups")))
            .bearer_auth(token)
            .header("Idempotency-Key", idempotency_key)
            .json(&json!({"amount": amount, "currency": "EUR"}))
            .send()
            .await
            .unwrap();
        read(response).await
    }

    /// Registers a person as the operator: its id and API key.
    pub(crate) async fn register(&self, email: &str) -> (i64, String) {
        self.register_as(email, "person").await
    }

    /// Registers a customer of `kind` as the operator: its id and API key.
    pub(crate) async fn register_as(&self, email: &str, kind: &str) -> (i64, String) {
        let body = json!({"name": "Anna", "email": email, "kind": kind, "currency": "EUR"});
        let (status, registered) = self.post("/v1/customers", self.operator(), body).await;
        assert_eq!(status, StatusCode::CREATED, "{registered}");
        (
            registered["customer"]["id"].as_i64().unwrap(),
            registered["api_key"].as_str().unwrap().to_owned(),
        )
    }

    pub(crate) async fn stop(self) {
        self.running.stop().await.unwrap();
        if let Some(schema) = self.schema {
            schema.drop().await;
        }
    }
}

/// Where a story's server keeps its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backend {
    /// An in-memory SQLite database.
    Sqlite,
    /// A fresh schema on the PostgreSQL server of `VNUM_TEST_POSTGRES_URL`
    /// (`postgres://postgres@127.0.0.1:5432/test` unless set).
    Postgres,
}

/// The status and the JSON body; a problem must come as `application/problem+json`.
pub(crate) async fn read(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.unwrap();
    let body: Value = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("{status}: not JSON ({content_type}): {text}"));
    if !status.is_success() {
        assert_eq!(content_type, "application/problem+json", "{status}: {text}");
        assert_eq!(body["status"], status.as_u16(), "{text}");
        assert!(
            body["type"]
                .as_str()
                .unwrap()
                .starts_with("urn:vnum:problem:")
        );
        assert!(!body["detail"].as_str().unwrap().is_empty());
    }
    assert_no_null(&body, "$", &text);
    (status, body)
}

/// The OpenAPI document declares no field nullable: an absent value is left out, never
/// written as `null`.
fn assert_no_null(value: &Value, path: &str, text: &str) {
    match value {
        Value::Null => panic!("{path} is null, which the schema does not allow: {text}"),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                assert_no_null(item, &format!("{path}[{i}]"), text);
            }
        }
        Value::Object(fields) => {
            for (name, field) in fields {
                assert_no_null(field, &format!("{path}.{name}"), text);
            }
        }
        _ => {}
    }
}

/// A customer: its id and API key.
pub(crate) struct Customer {
    pub(crate) id: i64,
    pub(crate) key: String,
}

impl Server {
    /// The stories bring their own offers, on a carrier that connects on request.
    pub(crate) async fn start_without_catalogue() -> Self {
        Self::start_with(Settings {
            seed_catalogue: false,
            ..Settings::default()
        })
        .await
    }

    /// Registers a customer as the operator, with 100.00 EUR on its balance.
    pub(crate) async fn customer(&self, email: &str, kind: &str) -> Customer {
        let (id, key) = self.register_as(email, kind).await;
        self.vnum()
            .top_up(TopUp {
                customer: CustomerId(id),
                amount: eur("100.00"),
                idempotency_key: format!("seed-{id}"),
            })
            .await
            .unwrap();
        Customer { id, key }
    }

    /// An offer of `kind` numbers of `country` at 5.00 EUR a month.
    pub(crate) async fn offer(
        &self,
        country: &str,
        kind: NumberKind,
        trial: bool,
        listed: bool,
    ) -> Offer {
        offer_on(self.vnum(), country, kind, trial, listed).await
    }

    /// Rents one number of `offer` to `customer`, connected by the carrier as `e164`.
    pub(crate) async fn rent(&self, customer: &Customer, offer: &Offer, e164: &str) -> NumberId {
        rent_on(self.vnum(), CustomerId(customer.id), offer, e164).await
    }
}

/// An offer of `kind` numbers of `country` at 5.00 EUR a month, on `vnum`.
pub(crate) async fn offer_on(
    vnum: &Vnum,
    country: &str,
    kind: NumberKind,
    trial: bool,
    listed: bool,
) -> Offer {
    vnum.create_offer(OfferTerms {
        id: OfferId(0),
        country: vnum_testkit::country(country),
        city: None,
        kind,
        carrier: CarrierId(900),
        monthly_price: eur("5.00"),
        setup_fee: eur("0.00"),
        provisioning: ProvisioningClass::Instant,
        documents: DocumentRequirement::none(),
        caller_id_monthly: None,
        sip_forwarding_free: true,
        trial_allowed: trial,
        listed,
    })
    .await
    .unwrap()
}

/// Rents one number of `offer` to `customer` on `vnum`, connected by the carrier as `e164`.
pub(crate) async fn rent_on(
    vnum: &Vnum,
    customer: CustomerId,
    offer: &Offer,
    e164: &str,
) -> NumberId {
    let placed = vnum
        .place_order(PlaceOrder {
            customer,
            lines: vec![OrderLineRequest {
                offer: offer.id(),
                quantity: 1,
                term: PrepaidTerm::from_months(1).unwrap(),
                city: None,
                number: None,
            }],
            end_user: EndUser::Personal,
            idempotency_key: None,
        })
        .await
        .unwrap();
    let id = placed.numbers[0].id;
    vnum.connect_number(id, phone(e164)).await.unwrap();
    id
}

/// A WAV file of `samples` of silence at `rate` Hz, 16-bit, mono.
pub(crate) fn wav(rate: u32, samples: u32) -> Vec<u8> {
    let data = samples * 2;
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + data).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes()); // PCM
    bytes.extend_from_slice(&1u16.to_le_bytes()); // mono
    bytes.extend_from_slice(&rate.to_le_bytes());
    bytes.extend_from_slice(&(rate * 2).to_le_bytes());
    bytes.extend_from_slice(&2u16.to_le_bytes());
    bytes.extend_from_slice(&16u16.to_le_bytes());
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&data.to_le_bytes());
    bytes.resize(bytes.len() + data as usize, 0);
    bytes
}

/// HMAC-SHA256 (RFC 2104) written out from SHA-256, independently of the server's `hmac`
/// crate, as a provider would compute it.
pub(crate) fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|k| k ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    outer.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `Vnum-Signature` header of `body` signed at unix second `t` under `secret`.
pub(crate) fn signature(secret: &str, t: i64, body: &str) -> String {
    let signed = format!("{t}.{body}");
    format!(
        "t={t},v1={}",
        hmac_sha256_hex(secret.as_bytes(), signed.as_bytes())
    )
}

impl Server {
    /// Posts a payment notification `body` as it is, with `signature` as its
    /// `Vnum-Signature` header when given, and no API key.
    pub(crate) async fn notify(&self, signature: Option<&str>, body: &str) -> (StatusCode, Value) {
        let mut request = self
            .http
            .post(self.url("/v1/payments/notifications"))
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(signature) = signature {
            request = request.header("Vnum-Signature", signature);
        }
        read(request.send().await.unwrap()).await
    }
}

/// Where the PostgreSQL stories connect unless `VNUM_TEST_POSTGRES_URL` says otherwise.
const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A fresh PostgreSQL schema for one server: `url` connects to it alone (its search path),
/// so stories never see each other's data. Dropped by [`PgSchema::drop`].
pub(crate) struct PgSchema {
    /// The database URL a server is started on.
    pub(crate) url: String,
    admin: sea_orm::DatabaseConnection,
    base: String,
    name: String,
    dropped: bool,
}

impl PgSchema {
    /// A new schema on the test server, or `None` (with the reason printed) when there is
    /// no server. Under `CI=true` a missing server fails the story instead.
    pub(crate) async fn create() -> Option<Self> {
        use sea_orm::ConnectionTrait;
        let base = std::env::var("VNUM_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
        let mut options = sea_orm::ConnectOptions::new(base.clone());
        options
            .connect_timeout(std::time::Duration::from_secs(3))
            .acquire_timeout(std::time::Duration::from_secs(3));
        let admin = match sea_orm::Database::connect(options).await {
            Ok(admin) => admin,
            Err(error) => {
                assert!(
                    std::env::var("CI").as_deref() != Ok("true"),
                    "PostgreSQL is required in CI at {base}: {error}"
                );
                eprintln!("skipped: PostgreSQL is unreachable at {base}: {error}");
                return None;
            }
        };
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let name = format!(
            "vnum_server_test_{}_{}_{}",
            std::process::id(),
            Utc::now().timestamp_subsec_nanos(),
            COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        admin
            .execute_unprepared(&format!("CREATE SCHEMA {name}"))
            .await
            .unwrap();
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}options=-c%20search_path%3D{name}");
        Some(Self {
            url,
            admin,
            base,
            name,
            dropped: false,
        })
    }

    /// Drops the schema and everything in it.
    pub(crate) async fn drop(mut self) {
        use sea_orm::ConnectionTrait;
        self.admin
            .execute_unprepared(&format!("DROP SCHEMA {} CASCADE", self.name))
            .await
            .unwrap();
        self.dropped = true;
    }
}

impl Drop for PgSchema {
    /// A story that failed unwinds here: its schema is dropped from a thread of its own,
    /// since the story's runtime cannot be blocked on while it unwinds.
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let (base, name) = (self.base.clone(), self.name.clone());
        let cleanup = std::thread::spawn(move || {
            use sea_orm::ConnectionTrait;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                if let Ok(admin) = sea_orm::Database::connect(base.as_str()).await {
                    let dropped = admin
                        .execute_unprepared(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                        .await;
                    if let Err(error) = dropped {
                        eprintln!("the test schema {name} stays: {error}");
                    }
                }
            });
        });
        if cleanup.join().is_err() {
            eprintln!("the test schema {} stays", self.name);
        }
    }
}
