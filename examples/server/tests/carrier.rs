//! A carrier over HTTP end to end: the server orders numbers from a provisioning service
//! (a bridge the test runs on loopback) with signed JSON requests, and the bridge's signed
//! callbacks connect or fail them (R2, R1.D3). Signatures are checked here with the test's
//! own HMAC, not the server's.

// A panic in a test or its harness is a failed assertion.
#![allow(clippy::unwrap_used)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use chrono::Utc;
use poem::http::StatusCode as PoemStatus;
use poem::web::Data;
use poem::{EndpointExt as _, Response, Route, handler, post};
use reqwest::StatusCode;
use serde_json::{Value, json};
use vnum_app::{OrderLineRequest, PlaceOrder};
use vnum_compliance::EndUser;
use vnum_core::{CustomerId, NumberId, PrepaidTerm};
use vnum_lifecycle::{NumberKind, NumberStateName};
use vnum_server::Settings;

use support::{Customer, Server, signature};

mod support;

const SECRET: &str = "carrier_e2e_0123456789abcdef";

/// One request the bridge received: its path, signature header and body.
#[derive(Clone, Debug)]
struct Received {
    path: String,
    signature: String,
    body: Value,
    raw: String,
}

/// The provisioning service: it records what it receives and answers from a script.
#[derive(Clone, Default)]
struct Bridge {
    received: Arc<Mutex<Vec<Received>>>,
    answers: Arc<Mutex<VecDeque<(u16, Value)>>>,
}

#[handler]
async fn receive(request: &poem::Request, body: String, Data(bridge): Data<&Bridge>) -> Response {
    let signature = request
        .header("Vnum-Signature")
        .unwrap_or_default()
        .to_owned();
    bridge.received.lock().unwrap().push(Received {
        path: request.uri().path().to_owned(),
        signature,
        body: serde_json::from_str(&body).unwrap_or(Value::Null),
        raw: body,
    });
    let (status, answer) = bridge
        .answers
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or((200, json!({})));
    Response::builder()
        .status(PoemStatus::from_u16(status).unwrap())
        .content_type("application/json")
        .body(answer.to_string())
}

impl Bridge {
    /// Serves on a loopback port; returns its base URL.
    async fn start(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let app = Route::new()
            .at("/numbers", post(receive))
            .at("/numbers/release", post(receive))
            .data(self.clone());
        let server = poem::Server::new(poem::listener::TcpListener::bind(addr.to_string()));
        tokio::spawn(async move { server.run(app).await });
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(addr).await.is_ok() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        format!("http://{addr}")
    }

    fn answer(&self, status: u16, body: Value) {
        self.answers.lock().unwrap().push_back((status, body));
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// A request of vnum's is signed with the shared secret, at about now.
fn assert_signed(request: &Received) {
    let t: i64 = request
        .signature
        .strip_prefix("t=")
        .and_then(|rest| rest.split(',').next())
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("no timestamp in {:?}", request.signature));
    assert!((Utc::now().timestamp() - t).abs() < 60, "{request:?}");
    assert_eq!(
        request.signature,
        signature(SECRET, t, &request.raw),
        "vnum's request is not signed with the shared secret"
    );
}

async fn lab() -> (Server, Bridge, Customer) {
    let bridge = Bridge::default();
    let url = bridge.start().await;
    let server = Server::start_with(Settings {
        seed_catalogue: false,
        carrier_url: Some(url),
        carrier_secret: Some(SECRET.parse().unwrap()),
        ..Settings::default()
    })
    .await;
    let customer = server.customer("ada@example.com", "person").await;
    (server, bridge, customer)
}

async fn order(server: &Server, customer: &Customer) -> NumberId {
    let offer = server.offer("DE", NumberKind::Mobile, false, true).await;
    let placed = server
        .vnum()
        .place_order(PlaceOrder {
            customer: CustomerId(customer.id),
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
    placed.numbers[0].id
}

async fn state(server: &Server, customer: &Customer, number: NumberId) -> NumberStateName {
    server
        .vnum()
        .number(CustomerId(customer.id), number)
        .await
        .unwrap()
        .state
        .name()
}

async fn balance(server: &Server, customer: &Customer) -> String {
    server
        .vnum()
        .balance(CustomerId(customer.id))
        .await
        .unwrap()
        .balance
        .to_string()
}

/// Posts a callback `body`, signed with `secret` now.
async fn callback(server: &Server, secret: &str, body: &Value) -> (StatusCode, Value) {
    let text = body.to_string();
    let response = server
        .http
        .post(server.url("/v1/carrier/callbacks"))
        .header("content-type", "application/json")
        .header(
            "Vnum-Signature",
            signature(secret, Utc::now().timestamp(), &text),
        )
        .body(text)
        .send()
        .await
        .unwrap();
    support::read(response).await
}

#[tokio::test]
async fn r2_an_order_waits_for_the_carriers_signed_callback_which_connects_it_once() {
    let (server, bridge, ada) = lab().await;
    bridge.answer(202, json!({"status": "pending", "reference": "BR-1"}));
    let number = order(&server, &ada).await;

    let sent = bridge.received();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].path, "/numbers");
    assert_signed(&sent[0]);
    assert_eq!(sent[0].body["number"], number.get(), "{:?}", sent[0]);
    assert_eq!(sent[0].body["country"], "DE");
    assert_eq!(sent[0].body["wanted"], Value::Null);
    assert_eq!(
        state(&server, &ada, number).await,
        NumberStateName::Provisioning
    );
    let paid = balance(&server, &ada).await;

    let connected =
        json!({"number": number.get(), "status": "connected", "e164": "+4915112345678"});
    let (status, answer) = callback(&server, "not-the-shared-secret-at-all", &connected).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
    assert_eq!(
        state(&server, &ada, number).await,
        NumberStateName::Provisioning
    );

    let (status, answer) = callback(&server, SECRET, &connected).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["state"], "active", "{answer}");
    assert_eq!(answer["e164"], "+4915112345678", "{answer}");
    assert_eq!(answer["replayed"], false, "{answer}");

    // The carrier lost the answer and sends the report again: nothing changes.
    let (status, answer) = callback(&server, SECRET, &connected).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["replayed"], true, "{answer}");
    assert_eq!(balance(&server, &ada).await, paid);

    // A report that contradicts it is refused.
    let other = json!({"number": number.get(), "status": "connected", "e164": "+4915112345679"});
    let (status, answer) = callback(&server, SECRET, &other).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    let failed = json!({"number": number.get(), "status": "failed", "reason": "too late"});
    let (status, answer) = callback(&server, SECRET, &failed).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(balance(&server, &ada).await, paid);

    // Deleting the number gives it back to the carrier.
    server
        .vnum()
        .delete_number(CustomerId(ada.id), number)
        .await
        .unwrap();
    let sent = bridge.received();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[1].path, "/numbers/release");
    assert_signed(&sent[1]);
    assert_eq!(sent[1].body, json!({"e164": "+4915112345678"}));
    server.stop().await;
}

#[tokio::test]
async fn r1_d3_a_carrier_without_numbers_fails_the_order_and_the_customer_is_refunded() {
    let (server, bridge, ada) = lab().await;
    let before = balance(&server, &ada).await;

    bridge.answer(409, json!({"status": "out_of_stock"}));
    let sold_out = order(&server, &ada).await;
    assert_eq!(
        state(&server, &ada, sold_out).await,
        NumberStateName::ProvisioningFailed
    );
    bridge.answer(
        422,
        json!({"status": "refused", "reason": "no mobile numbers for resale"}),
    );
    let refused = order(&server, &ada).await;
    let record = server
        .vnum()
        .number(CustomerId(ada.id), refused)
        .await
        .unwrap();
    assert!(
        format!("{:?}", record.state).contains("no mobile numbers for resale"),
        "{:?}",
        record.state
    );
    assert_eq!(balance(&server, &ada).await, before, "both orders refunded");

    // A carrier that cannot be reached leaves the number provisioning, and its later
    // callback fails it, once.
    bridge.answer(503, json!({"error": "maintenance"}));
    let waiting = order(&server, &ada).await;
    assert_eq!(
        state(&server, &ada, waiting).await,
        NumberStateName::Provisioning
    );
    let failed = json!({"number": waiting.get(), "status": "failed", "reason": "no stock"});
    let (status, answer) = callback(&server, SECRET, &failed).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["state"], "provisioning_failed", "{answer}");
    let (status, answer) = callback(&server, SECRET, &failed).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["replayed"], true, "{answer}");
    assert_eq!(balance(&server, &ada).await, before, "refunded once");

    // A report naming neither shape is refused with what is expected.
    let (status, answer) = callback(
        &server,
        SECRET,
        &json!({"number": waiting.get(), "status": "connected"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    server.stop().await;
}

#[tokio::test]
async fn without_a_carrier_secret_callbacks_are_refused_as_not_configured() {
    let server = Server::start_without_catalogue().await;
    let (status, answer) = callback(
        &server,
        SECRET,
        &json!({"number": 1, "status": "failed", "reason": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    server.stop().await;
}
