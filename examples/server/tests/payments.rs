//! Payments end to end (R1.D1): a customer starts a payment, the payment provider's signed
//! notification confirms it, and nothing else credits a balance. The server runs on a
//! manual clock, so signed timestamps are exact.

// A panic in a test or its harness is a failed assertion.
#![allow(clippy::unwrap_used)]

use chrono::{TimeDelta, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use vnum_app::memory::ManualClock;
use vnum_server::Settings;

use support::{Server, signature};

mod support;

const SECRET: &str = "whsec_e2e_0123456789abcdef";

async fn server() -> Server {
    let settings = Settings {
        payment_webhook_secret: Some(SECRET.parse().unwrap()),
        ..Settings::default()
    };
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap());
    Server::start_on(settings, clock).await
}

impl Server {
    fn t(&self) -> i64 {
        use vnum_app::ports::Clock as _;
        self.clock().now().timestamp()
    }

    async fn start_payment(&self, customer: i64, token: &str, key: &str, amount: &str) -> Value {
        let response = self
            .http
            .post(self.url(&format!("/v1/customers/{customer}/payments")))
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(&json!({"amount": amount, "currency": "EUR"}))
            .send()
            .await
            .unwrap();
        let (status, payment) = support::read(response).await;
        assert_eq!(status, StatusCode::CREATED, "{payment}");
        payment
    }

    async fn balance_of(&self, customer: i64) -> Value {
        let path = format!("/v1/customers/{customer}/balance");
        let (status, balance) = self.get(&path, self.operator()).await;
        assert_eq!(status, StatusCode::OK, "{balance}");
        balance["balance"]["amount"].clone()
    }
}

fn succeeded(event: &str, payment: &Value, amount: &str) -> String {
    json!({
        "event_id": event,
        "type": "payment.succeeded",
        "payment_id": payment["id"],
        "amount": {"amount": amount, "currency": "EUR"},
    })
    .to_string()
}

#[tokio::test]
async fn r1_d1_a_started_payment_credits_nothing_until_a_signed_notification_credits_it_once() {
    let server = server().await;
    let (ann, key) = server.register("ann@example.com").await;
    let payment = server.start_payment(ann, &key, "pay-1", "25.00").await;
    assert_eq!(payment["status"], "pending");
    assert_eq!(
        payment["amount"],
        json!({"amount": "25.00", "currency": "EUR"})
    );
    assert_eq!(server.balance_of(ann).await, "0.00");

    let path = format!("/v1/customers/{ann}/payments");
    let (status, listed) = server.get(&path, &key).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed, json!({"items": [payment.clone()]}));

    let body = succeeded("evt_1", &payment, "25.00");
    let signed = signature(SECRET, server.t(), &body);
    let (status, first) = server.notify(Some(&signed), &body).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["replayed"], false);
    assert_eq!(first["payment"]["status"], "confirmed");
    assert_eq!(first["payment"]["provider_event_id"], "evt_1");
    assert_eq!(server.balance_of(ann).await, "25.00");

    // The provider retries the same event a minute later: nothing more is credited.
    server.clock().advance(TimeDelta::minutes(1));
    let signed = signature(SECRET, server.t(), &body);
    let (status, again) = server.notify(Some(&signed), &body).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["replayed"], true);
    assert_eq!(again["ledger_entry_id"], first["ledger_entry_id"]);
    assert_eq!(server.balance_of(ann).await, "25.00");

    let (_, ledger) = server
        .get(&format!("/v1/customers/{ann}/ledger"), &key)
        .await;
    let entries = ledger["items"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{ledger}");
    assert_eq!(entries[0]["rule"], "R1.D1");
    assert_eq!(entries[0]["id"], first["ledger_entry_id"]);
    let one = format!("/v1/customers/{ann}/payments/{}", payment["id"]);
    let (status, read) = server.get(&one, &key).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["status"], "confirmed");
}

#[tokio::test]
async fn r1_d1_wrong_signatures_stale_timestamps_and_tampered_bodies_credit_nothing() {
    let server = server().await;
    let (ann, key) = server.register("ann@example.com").await;
    let payment = server.start_payment(ann, &key, "pay-1", "25.00").await;
    let body = succeeded("evt_1", &payment, "25.00");
    let now = server.t();

    let refused = [
        ("no signature", None, body.clone()),
        (
            "another secret",
            Some(signature("not_the_shared_secret_at_all", now, &body)),
            body.clone(),
        ),
        (
            "a stale timestamp",
            Some(signature(SECRET, now - 301, &body)),
            body.clone(),
        ),
        (
            "a timestamp from the future",
            Some(signature(SECRET, now + 301, &body)),
            body.clone(),
        ),
        (
            "a tampered body",
            Some(signature(SECRET, now, &body)),
            succeeded("evt_1", &payment, "2500.00"),
        ),
        (
            "a malformed header",
            Some(format!("sha256={}", "0".repeat(64))),
            body.clone(),
        ),
    ];
    for (what, signed, sent) in refused {
        let (status, problem) = server.notify(signed.as_deref(), &sent).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {problem}");
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("Vnum-Signature")
                || problem["detail"].as_str().unwrap().contains("300 s"),
            "{what}: {problem}"
        );
    }
    assert_eq!(server.balance_of(ann).await, "0.00");
    let one = format!("/v1/customers/{ann}/payments/{}", payment["id"]);
    let (_, read) = server.get(&one, &key).await;
    assert_eq!(read["status"], "pending");
}

#[tokio::test]
async fn r1_d1_signed_notifications_that_do_not_fit_the_payment_credit_nothing() {
    let server = server().await;
    let (ann, key) = server.register("ann@example.com").await;
    let payment = server.start_payment(ann, &key, "pay-1", "25.00").await;
    let now = server.t();

    let more = succeeded("evt_1", &payment, "250.00");
    let (status, problem) = server
        .notify(Some(&signature(SECRET, now, &more)), &more)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["rule"], "R1.D1");

    let not_json = "event_id=evt_2";
    let (status, problem) = server
        .notify(Some(&signature(SECRET, now, not_json)), not_json)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");

    let unknown_type =
        json!({"event_id": "evt_3", "type": "payment.refunded", "payment_id": payment["id"]})
            .to_string();
    let (status, problem) = server
        .notify(Some(&signature(SECRET, now, &unknown_type)), &unknown_type)
        .await;
    // A type off the document's enum is off the schema: 400 naming the types.
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("expected one of payment.succeeded, payment.failed"),
        "{problem}"
    );

    let no_amount =
        json!({"event_id": "evt_4", "type": "payment.succeeded", "payment_id": payment["id"]})
            .to_string();
    let (status, _) = server
        .notify(Some(&signature(SECRET, now, &no_amount)), &no_amount)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let unknown =
        json!({"event_id": "evt_5", "type": "payment.failed", "payment_id": 999_999}).to_string();
    let (status, _) = server
        .notify(Some(&signature(SECRET, now, &unknown)), &unknown)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    assert_eq!(server.balance_of(ann).await, "0.00");

    // A failure settles it for good: a later success of another event credits nothing.
    let failed =
        json!({"event_id": "evt_6", "type": "payment.failed", "payment_id": payment["id"]})
            .to_string();
    let (status, answer) = server
        .notify(Some(&signature(SECRET, now, &failed)), &failed)
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["payment"]["status"], "failed");
    let late = succeeded("evt_7", &payment, "25.00");
    let (status, _) = server
        .notify(Some(&signature(SECRET, now, &late)), &late)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(server.balance_of(ann).await, "0.00");
}

#[tokio::test]
async fn r1_d1_a_customer_can_start_its_own_payments_but_never_record_one() {
    let server = server().await;
    let (ann, anns_key) = server.register("ann@example.com").await;
    let (bob, bobs_key) = server.register("bob@example.com").await;
    let payment = server.start_payment(ann, &anns_key, "pay-1", "25.00").await;

    // Recording a payment is for operators, whatever the body says.
    let response = server
        .http
        .post(server.url(&format!("/v1/customers/{ann}/top-ups")))
        .bearer_auth(&anns_key)
        .header("Idempotency-Key", "self-credit")
        .json(&json!({"amount": "25.00", "currency": "EUR", "method": "cash"}))
        .send()
        .await
        .unwrap();
    let (status, problem) = support::read(response).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(problem["rule"], "R1.D1");

    // Another customer's payments are not found.
    let anns = format!("/v1/customers/{ann}/payments/{}", payment["id"]);
    let (status, _) = server.get(&anns, &bobs_key).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let bobs_view_of_ann = format!("/v1/customers/{bob}/payments/{}", payment["id"]);
    let (status, _) = server.get(&bobs_view_of_ann, &bobs_key).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(server.balance_of(ann).await, "0.00");

    // An operator records a payment it received, and the ledger names how.
    let response = server
        .http
        .post(server.url(&format!("/v1/customers/{ann}/top-ups")))
        .bearer_auth(server.operator())
        .header("Idempotency-Key", "wire-1")
        .json(&json!({"amount": "40.00", "currency": "EUR", "method": "bank_transfer"}))
        .send()
        .await
        .unwrap();
    let (status, receipt) = support::read(response).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    assert_eq!(
        receipt["entry"]["description"],
        "Payment recorded by an operator: bank transfer"
    );
    assert_eq!(server.balance_of(ann).await, "40.00");
}

#[tokio::test]
async fn r10_d6_a_started_payment_is_positive_and_at_most_the_maximum() {
    let server = server().await;
    let (ann, key) = server.register("ann@example.com").await;
    for (amount, expected) in [
        ("0.00", StatusCode::UNPROCESSABLE_ENTITY),
        ("-1.00", StatusCode::UNPROCESSABLE_ENTITY),
        ("1000000.01", StatusCode::UNPROCESSABLE_ENTITY),
        ("1.001", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let response = server
            .http
            .post(server.url(&format!("/v1/customers/{ann}/payments")))
            .bearer_auth(&key)
            .header("Idempotency-Key", format!("pay-{amount}"))
            .json(&json!({"amount": amount, "currency": "EUR"}))
            .send()
            .await
            .unwrap();
        let (status, problem) = support::read(response).await;
        assert_eq!(status, expected, "{amount}: {problem}");
    }
    let (_, listed) = server
        .get(&format!("/v1/customers/{ann}/payments"), &key)
        .await;
    assert_eq!(listed, json!({"items": []}));
}

#[tokio::test]
async fn payment_notifications_without_a_secret_say_they_are_not_configured() {
    let server = Server::start().await;
    let body = json!({"event_id": "evt_1", "type": "payment.failed", "payment_id": 1}).to_string();
    let signed = signature(SECRET, Utc::now().timestamp(), &body);
    let (status, problem) = server.notify(Some(&signed), &body).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("VNUM_PAYMENT_WEBHOOK_SECRET")
    );

    // The document describes the notification's body and asks for no API key.
    let (_, spec) = server.get_anonymously("/openapi.json").await;
    let notify = &spec["paths"]["/v1/payments/notifications"]["post"];
    assert!(notify["security"].is_null(), "{notify}");
    let schema = &notify["requestBody"]["content"]["application/json; charset=utf-8"]["schema"];
    assert_eq!(
        schema["$ref"], "#/components/schemas/PaymentNotification",
        "{notify}"
    );
    assert!(spec["components"]["schemas"]["PaymentNotification"].is_object());
    assert!(spec["paths"]["/v1/customers/{id}/payments/{payment_id}"].is_object());
}
