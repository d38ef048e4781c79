//! Money in (R1.D1): an operator's top-up and the balance a customer then reads, with the
//! top-up's `Idempotency-Key`; and the payment provider's notification, which carries no API
//! key and is believed only when its HMAC-SHA256 signature matches its exact bytes and its
//! timestamp is within 300 s of the server's clock.

use chrono::Duration;
use poem::http::StatusCode;
use serde_json::json;
use vnum_testkit::eur;

use crate::support::{Api, SECRET, money_json, signature};

#[tokio::test]
async fn r1_d1_an_operators_top_up_is_the_balance_the_customer_reads() {
    let api = Api::new().await;
    let (ann, key) = api.customer("Ann").await;
    let top_ups = format!("/v1/customers/{}/top-ups", ann.id.get());
    let balance = format!("/v1/customers/{}/balance", ann.id.get());

    let credited = api
        .post(
            &top_ups,
            &api.operator,
            "bank-2026-03-02-1",
            json!({ "amount": "25.00", "currency": "EUR", "method": "bank_transfer" }),
        )
        .await;
    assert_eq!(credited.status, StatusCode::CREATED, "{:#}", credited.body);
    assert_eq!(credited.body["balance"], money_json("25.00", "EUR"));
    assert_eq!(credited.body["entry"]["amount"], money_json("25.00", "EUR"));
    assert_eq!(credited.body["replayed"], false);

    let read = api.get(&balance, &key).await;
    assert_eq!(read.status, StatusCode::OK, "{:#}", read.body);
    assert_eq!(read.content_type(), "application/json; charset=utf-8");
    assert_eq!(read.body["customer"], ann.id.get());
    assert_eq!(read.body["balance"], money_json("25.00", "EUR"));
    // R10.D3: zero or above, every number works.
    assert_eq!(read.body["service"], "active");
    assert_eq!(read.body["rule"], "R10.D3");

    // The same key again credits nothing and answers the first receipt.
    let again = api
        .post(
            &top_ups,
            &api.operator,
            "bank-2026-03-02-1",
            json!({ "amount": "25.00", "currency": "EUR", "method": "bank_transfer" }),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{:#}", again.body);
    assert_eq!(again.body["replayed"], true);
    assert_eq!(again.body["entry"]["id"], credited.body["entry"]["id"]);
    // The same key with another amount is another payment under a used key.
    let other = api
        .post(
            &top_ups,
            &api.operator,
            "bank-2026-03-02-1",
            money_json("30.00", "EUR"),
        )
        .await;
    other.problem(StatusCode::CONFLICT);
    assert_eq!(
        api.get(&balance, &key).await.body["balance"],
        money_json("25.00", "EUR")
    );
}

/// Ann, and a payment of 20.00 EUR she started: its id.
async fn started_payment(api: &Api) -> (vnum_app::model::Customer, String, i64) {
    let (ann, key) = api.customer("Ann").await;
    let started = api
        .post(
            &format!("/v1/customers/{}/payments", ann.id.get()),
            &key,
            "pay-1",
            money_json("20.00", "EUR"),
        )
        .await;
    assert_eq!(started.status, StatusCode::CREATED, "{:#}", started.body);
    assert_eq!(started.body["status"], "pending");
    let id = started.body["id"].as_i64().unwrap();
    (ann, key, id)
}

fn succeeded(payment: i64) -> String {
    json!({
        "event_id": "evt_1",
        "type": "payment.succeeded",
        "payment_id": payment,
        "amount": { "amount": "20.00", "currency": "EUR" },
    })
    .to_string()
}

#[tokio::test]
async fn r1_d1_a_signed_notification_confirms_the_payment_and_credits_once() {
    let api = Api::new().await;
    let (ann, key, payment) = started_payment(&api).await;
    let body = succeeded(payment);
    let now = api.world.now().timestamp();

    let reply = api
        .notify(Some(&signature(SECRET, now, &body)), &body)
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{:#}", reply.body);
    assert_eq!(reply.body["payment"]["status"], "confirmed");
    assert_eq!(reply.body["payment"]["provider_event_id"], "evt_1");
    assert_eq!(reply.body["replayed"], false);
    assert!(reply.body["ledger_entry_id"].is_i64());
    let balance = api
        .get(&format!("/v1/customers/{}/balance", ann.id.get()), &key)
        .await;
    assert_eq!(balance.body["balance"], money_json("20.00", "EUR"));

    // The same event again credits nothing.
    let again = api
        .notify(Some(&signature(SECRET, now, &body)), &body)
        .await;
    assert_eq!(again.status, StatusCode::OK, "{:#}", again.body);
    assert_eq!(again.body["replayed"], true);
    assert_eq!(api.world.balance(ann.id).await, eur("20.00"));
}

#[tokio::test]
async fn r1_d1_a_notification_with_a_bad_signature_is_401_and_changes_nothing() {
    let api = Api::new().await;
    let (ann, key, payment) = started_payment(&api).await;
    let body = succeeded(payment);
    let now = api.world.now().timestamp();

    // Signed under another secret; signed over other bytes; not signed at all.
    let other_secret = signature("whsec_someone_else_entirely", now, &body);
    let other_bytes = signature(SECRET, now, &body.replace("20.00", "2000.00"));
    for header in [
        Some(other_secret.as_str()),
        Some(other_bytes.as_str()),
        None,
    ] {
        let reply = api.notify(header, &body).await;
        reply.problem(StatusCode::UNAUTHORIZED);
        assert!(
            reply.detail().contains("Vnum-Signature"),
            "{}",
            reply.detail()
        );
    }
    // Validly signed, but the body it is sent with is another.
    let tampered = body.replace("20.00", "2000.00");
    let reply = api
        .notify(Some(&signature(SECRET, now, &body)), &tampered)
        .await;
    reply.problem(StatusCode::UNAUTHORIZED);

    assert_eq!(api.world.balance(ann.id).await, eur("0"));
    let payment = api
        .get(
            &format!("/v1/customers/{}/payments/{payment}", ann.id.get()),
            &key,
        )
        .await;
    assert_eq!(payment.body["status"], "pending");
}

#[tokio::test]
async fn r1_d1_a_notification_signed_more_than_300_seconds_away_is_401() {
    let api = Api::new().await;
    let (ann, _, payment) = started_payment(&api).await;
    let body = succeeded(payment);
    let now = api.world.now();

    for signed_at in [now - Duration::seconds(301), now + Duration::seconds(301)] {
        let header = signature(SECRET, signed_at.timestamp(), &body);
        let reply = api.notify(Some(&header), &body).await;
        reply.problem(StatusCode::UNAUTHORIZED);
        assert!(reply.detail().contains("300 s"), "{}", reply.detail());
    }
    assert_eq!(api.world.balance(ann.id).await, eur("0"));

    // Recorded five minutes ago to the second, it is still within the window.
    let header = signature(SECRET, (now - Duration::seconds(300)).timestamp(), &body);
    let reply = api.notify(Some(&header), &body).await;
    assert_eq!(reply.status, StatusCode::OK, "{:#}", reply.body);
    assert_eq!(api.world.balance(ann.id).await, eur("20.00"));
}
