//! API keys and media files on the real server: a revoked or expired key answers 401 on the
//! very next request with the read cache on; the binary's `create-operator-key` lets an
//! operator back into an existing database; greetings and document scans survive a
//! restart, operators download scans, and each customer's files stay within its quota.

// Test code: a failed unwrap is a failed test with a location.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use vnum_app::memory::ManualClock;
use vnum_app::{OrderLineRequest, PlaceOrder, Vnum};
use vnum_compliance::{DocumentRequirement, EndUser};
use vnum_core::{CarrierId, CustomerId, NumberId, OfferId, PrepaidTerm};
use vnum_lifecycle::{NumberKind, OfferTerms, ProvisioningClass};
use vnum_server::{Running, Settings};
use vnum_testkit::{eur, phone};

use support::{Server, read, wav};

mod support;

/// A directory of its own under the system's temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("vnum-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Settings for a server on a SQLite file in `dir` and a free loopback port.
fn on_file(dir: &Path) -> Settings {
    Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: format!("sqlite://{}?mode=rwc", dir.join("vnum.sqlite").display()),
        seed_catalogue: false,
        ..Settings::default()
    }
}

/// A client for the server `running`.
struct Client {
    base: String,
    http: reqwest::Client,
}

impl Client {
    fn of(running: &Running) -> Self {
        Self {
            base: format!("http://{}", running.addr),
            http: reqwest::Client::new(),
        }
    }

    async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        read(response).await
    }

    async fn bytes(&self, path: &str, token: &str) -> (StatusCode, Vec<u8>) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (response.status(), response.bytes().await.unwrap().to_vec())
    }

    async fn upload(&self, path: &str, token: &str, form: Form) -> (StatusCode, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        read(response).await
    }
}

fn greeting(name: &str, bytes: Vec<u8>) -> Form {
    Form::new()
        .text("name", name.to_owned())
        .part("file", Part::bytes(bytes).file_name("greeting.wav"))
}

fn scan(bytes: Vec<u8>) -> Form {
    Form::new()
        .text("kind", "passport_or_id")
        .part("file", Part::bytes(bytes).file_name("passport.pdf"))
}

/// A number of `customer`, connected as `e164`, on an offer that needs no document.
async fn rent(vnum: &Vnum, customer: CustomerId, e164: &str) -> NumberId {
    let offer = vnum
        .create_offer(OfferTerms {
            id: OfferId(0),
            country: vnum_testkit::country("DE"),
            city: None,
            kind: NumberKind::Mobile,
            carrier: CarrierId(900),
            monthly_price: eur("5.00"),
            setup_fee: eur("0.00"),
            provisioning: ProvisioningClass::Instant,
            documents: DocumentRequirement::none(),
            caller_id_monthly: None,
            sip_forwarding_free: true,
            trial_allowed: false,
            listed: true,
        })
        .await
        .unwrap();
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

#[tokio::test]
async fn a_revoked_key_answers_401_on_the_very_next_request_with_the_read_cache_on() {
    let server = Server::start().await;
    assert_eq!(server.running.vnum.config().media_quota.files, 500);
    let (status, created) = server
        .post(
            "/v1/keys",
            server.operator(),
            json!({"name": "laptop", "role": "customer", "customer": server.demo.customer.get()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let token = created["token"].as_str().unwrap().to_owned();
    // Twice: the second answer comes from the read cache.
    for _ in 0..2 {
        assert_eq!(server.get("/v1/me", &token).await.0, StatusCode::OK);
    }

    let response = server
        .http
        .delete(server.url(&format!("/v1/keys/{}", created["id"])))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let (status, revoked) = read(response).await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    let (status, problem) = server.get("/v1/me", &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{problem}");
    // The customer's other key still works.
    assert_eq!(
        server.get("/v1/me", &server.demo.customer_key).await.0,
        StatusCode::OK
    );
    server.stop().await;
}

#[tokio::test]
async fn an_expired_key_answers_401_at_its_expiry_although_the_read_cache_holds_it() {
    let start = Utc::now();
    let clock = ManualClock::new(start);
    let server = Server::start_on(Settings::default(), clock).await;
    let expiry = (start + Duration::hours(1)).to_rfc3339();
    let (status, created) = server
        .post(
            "/v1/keys",
            &server.demo.customer_key,
            json!({"name": "one hour", "expires_at": expiry}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let token = created["token"].as_str().unwrap().to_owned();
    for _ in 0..2 {
        assert_eq!(server.get("/v1/me", &token).await.0, StatusCode::OK);
    }
    server.clock().advance(Duration::minutes(59));
    assert_eq!(server.get("/v1/me", &token).await.0, StatusCode::OK);
    server.clock().advance(Duration::minutes(1));
    assert_eq!(
        server.get("/v1/me", &token).await.0,
        StatusCode::UNAUTHORIZED
    );
    server.stop().await;
}

#[tokio::test]
async fn create_operator_key_lets_an_operator_back_into_an_existing_database() {
    let dir = TempDir::new("rescue");
    let settings = Settings {
        seed_demo: false,
        ..on_file(dir.path())
    };
    let first = vnum_server::start(&settings).await.unwrap();
    let customer = first
        .vnum
        .register_customer(vnum_app::RegisterCustomer {
            name: "Ann".to_owned(),
            email: "ann@example.com".to_owned(),
            kind: vnum_app::model::CustomerKind::Person,
            currency: vnum_core::Currency::EUR,
        })
        .await
        .unwrap();
    first.stop().await.unwrap();

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_vnum-server"))
        .args(["create-operator-key", "--name", "rescue"])
        .env("DATABASE_URL", &settings.database_url)
        .env_remove("VNUM_CONFIG")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let token = stdout.trim();
    assert!(
        token.starts_with("vnum_") && token.len() == 69 && !token.contains('\n'),
        "stdout holds the token alone: {stdout:?}"
    );

    let second = vnum_server::start(&settings).await.unwrap();
    let client = Client::of(&second);
    let (status, keys) = client.get("/v1/keys", token).await;
    assert_eq!(status, StatusCode::OK, "{keys}");
    assert_eq!(keys["items"][0]["name"], "rescue");
    assert_eq!(keys["items"][0]["role"], "operator");
    let (status, found) = client
        .get(&format!("/v1/customers/{}", customer.id), token)
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    second.stop().await.unwrap();

    let usage = std::process::Command::new(env!("CARGO_BIN_EXE_vnum-server"))
        .args(["create-operator-key"])
        .env("DATABASE_URL", &settings.database_url)
        .output()
        .unwrap();
    assert!(!usage.status.success());
    assert!(
        String::from_utf8_lossy(&usage.stderr).contains("--name NAME"),
        "{}",
        String::from_utf8_lossy(&usage.stderr)
    );
}

#[tokio::test]
async fn greetings_and_scans_survive_a_restart_and_operators_download_scans() {
    let dir = TempDir::new("media");
    let settings = on_file(dir.path());
    let mut first = vnum_server::start(&settings).await.unwrap();
    let demo = first.demo.take().unwrap();
    let number = rent(&first.vnum, demo.customer, "+4915111111111").await;
    let client = Client::of(&first);
    let customer = demo.customer.get();
    let wav_bytes = wav(8000, 4000);
    let (status, uploaded) = client
        .upload(
            &format!("/v1/customers/{customer}/numbers/{number}/greetings"),
            &demo.customer_key,
            greeting("Hello", wav_bytes.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{uploaded}");
    let scan_bytes: Vec<u8> = b"%PDF-1.4 a passport"
        .iter()
        .copied()
        .cycle()
        .take(50_000)
        .collect();
    let (status, document) = client
        .upload(
            &format!("/v1/customers/{customer}/documents"),
            &demo.customer_key,
            scan(scan_bytes.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{document}");
    first.stop().await.unwrap();
    assert!(
        dir.path().join("vnum-media").is_dir(),
        "the files are beside the database"
    );

    let second = vnum_server::start(&settings).await.unwrap();
    let client = Client::of(&second);
    let (status, played) = client
        .bytes(
            &format!(
                "/v1/customers/{customer}/numbers/{number}/greetings/{}",
                uploaded["id"]
            ),
            &demo.customer_key,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(played, wav_bytes, "the greeting is the one uploaded");

    let path = format!("/v1/documents/{}/scan", document["id"]);
    let (status, reviewed) = client.bytes(&path, &demo.operator_key).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reviewed, scan_bytes, "the operator reads the scan uploaded");
    let (status, own) = client.bytes(&path, &demo.customer_key).await;
    assert_eq!((status, own == scan_bytes), (StatusCode::OK, true));

    // Another customer learns nothing, the SIP engine is refused.
    let operator = &demo.operator_key;
    let response = client
        .http
        .post(format!("{}/v1/customers", client.base))
        .bearer_auth(operator)
        .json(&json!({"name": "Bob", "email": "bob@example.com", "kind": "person", "currency": "EUR"}))
        .send()
        .await
        .unwrap();
    let (_, bob) = read(response).await;
    let bob_key = bob["api_key"].as_str().unwrap();
    let (status, problem) = client.get(&path, bob_key).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    let (status, _) = client.bytes(&path, &demo.engine_key).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    second.stop().await.unwrap();
}

#[tokio::test]
async fn a_customer_past_its_media_quota_is_told_the_limit() {
    let server = Server::start_with(Settings {
        media_quota_files: 2,
        media_quota_bytes: 120_000,
        ..Settings::default()
    })
    .await;
    let client = Client {
        base: server.base.clone(),
        http: server.http.clone(),
    };
    let customer = server.demo.customer.get();
    let key = &server.demo.customer_key;
    let documents = format!("/v1/customers/{customer}/documents");

    let (status, body) = client.upload(&documents, key, scan(vec![1; 70_000])).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, problem) = client.upload(&documents, key, scan(vec![2; 60_000])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("the media quota is 120000 bytes per customer")
            && detail.contains("70000 are stored"),
        "{detail}"
    );

    let (status, body) = client.upload(&documents, key, scan(vec![3; 40_000])).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, problem) = client.upload(&documents, key, scan(vec![4; 10])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("the media quota is 2 files per customer and 2 are stored"),
        "{detail}"
    );
    // The refused files were not kept, and the quota is per customer.
    let (_, listed) = server.get(&documents, key).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2, "{listed}");
    let (bob, bob_key) = server.register("bob@example.com").await;
    let (status, body) = client
        .upload(
            &format!("/v1/customers/{bob}/documents"),
            &bob_key,
            scan(vec![5; 100_000]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    server.stop().await;
}
