//! Calls out rated by the operator's rate table (R6.D2, R5.D1), end to end over a real
//! socket: operators keep the rates, the SIP engine is told how long a call out may last or
//! why it is refused, and a reported call is charged once.

// A panic in a test or its helpers is a failed assertion.
#![allow(clippy::unwrap_used)]

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use vnum_lifecycle::NumberKind;

use support::{Server, read};

mod support;

fn rate(prefix: &str, price: &str, increments: &str) -> Value {
    json!({
        "prefix": prefix,
        "price_per_minute": {"amount": price, "currency": "EUR"},
        "increments": increments,
        "effective_from": Utc::now() - Duration::days(1),
    })
}

#[tokio::test]
async fn r6_d2_operators_keep_the_rate_table_and_customers_may_not() {
    let server = Server::start_without_catalogue().await;
    let op = server.operator().to_owned();
    let anna = server.customer("anna@example.com", "person").await;

    let (created, stored) = server
        .post("/v1/rates", &op, rate("49", "0.0125", "1/1"))
        .await;
    assert_eq!(created, StatusCode::CREATED, "{stored}");
    assert_eq!(stored["prefix"], "+49");
    assert_eq!(stored["price_per_minute"]["amount"], "0.0125");
    assert_eq!(stored["increments"], "1/1");

    let (forbidden, problem) = server
        .post("/v1/rates", &anna.key, rate("33", "0.05", "60/60"))
        .await;
    assert_eq!(forbidden, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(problem["rule"], "R6.D2");
    let (forbidden, _) = server.get("/v1/rates", &anna.key).await;
    assert_eq!(forbidden, StatusCode::FORBIDDEN);

    let (again, problem) = server
        .post("/v1/rates", &op, rate("+49", "0.02", "1/1"))
        .await;
    let mut same_instant = rate("+49", "0.02", "1/1");
    same_instant["effective_from"] = stored["effective_from"].clone();
    let (conflict, _) = server.post("/v1/rates", &op, same_instant).await;
    assert_eq!(again, StatusCode::CREATED, "another instant: {problem}");
    assert_eq!(conflict, StatusCode::CONFLICT);

    // Increments have their range in the document's pattern: off it, the request is off
    // the schema.
    let (bad_increments, problem) = server
        .post("/v1/rates", &op, rate("44", "0.10", "0/60"))
        .await;
    assert_eq!(bad_increments, StatusCode::BAD_REQUEST, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("increments"),
        "{problem}"
    );
    let (negative, problem) = server
        .post("/v1/rates", &op, rate("44", "-0.10", "60/60"))
        .await;
    assert_eq!(negative, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    for bad_prefix in ["049", "+", "49a", "1234567890123456"] {
        let (status, problem) = server
            .post("/v1/rates", &op, rate(bad_prefix, "0.10", "60/60"))
            .await;
        assert!(status.is_client_error(), "{bad_prefix}: {problem}");
    }
    let (float, problem) = server
        .post(
            "/v1/rates",
            &op,
            json!({"prefix": "44", "price_per_minute": {"amount": 0.1, "currency": "EUR"},
                   "increments": "60/60", "effective_from": Utc::now()}),
        )
        .await;
    assert!(float.is_client_error(), "{problem}");

    let (listed, table) = server.get("/v1/rates", &op).await;
    assert_eq!(listed, StatusCode::OK, "{table}");
    let rates = table["rates"].as_array().unwrap();
    assert_eq!(rates.len(), 2, "{table}");
    assert!(rates.iter().all(|r| r["prefix"] == "+49"));
    server.stop().await;
}

async fn balance(server: &Server, customer: &support::Customer) -> Value {
    let path = format!("/v1/customers/{}/balance", customer.id);
    server.get(&path, &customer.key).await.1["balance"]["amount"].clone()
}

#[tokio::test]
async fn r6_d2_the_engine_is_told_how_long_a_call_out_may_last_and_it_is_charged_once() {
    let server = Server::start_without_catalogue().await;
    let op = server.operator().to_owned();
    let anna = server.customer("anna@example.com", "person").await;
    let offer = server.offer("DE", NumberKind::Mobile, false, true).await;
    let number = server.rent(&anna, &offer, "+4915112345678").await;
    let (_, issued) = server
        .post(
            &format!("/v1/customers/{}/sip-accounts", anna.id),
            &anna.key,
            json!({"login": "anna-desk"}),
        )
        .await;
    assert_eq!(issued["account"]["login"], "anna-desk", "{issued}");
    let (created, _) = server
        .post("/v1/rates", &op, rate("49", "1.00", "60/60"))
        .await;
    assert_eq!(created, StatusCode::CREATED);
    assert_eq!(balance(&server, &anna).await, "95.00");

    // 95.00 EUR at 1.00 EUR a whole minute: 95 minutes.
    let (status, allowed) = server
        .get("/v1/engine/outbound?login=anna-desk&to=%2B4930123456", &op)
        .await;
    assert_eq!(status, StatusCode::OK, "{allowed}");
    assert_eq!(allowed["max_duration"], 95 * 60, "{allowed}");
    assert!(allowed.get("reject").is_none(), "{allowed}");
    assert_eq!(allowed["number_id"], number.get());

    let (status, no_rate) = server
        .get("/v1/engine/outbound?login=anna-desk&to=%2B33123456789", &op)
        .await;
    assert_eq!(status, StatusCode::OK, "a refusal is a decision: {no_rate}");
    assert_eq!(no_rate["reject"]["code"], 403, "{no_rate}");
    assert_eq!(no_rate["reject"]["rule"], "R6.D2");
    assert!(no_rate.get("max_duration").is_none());

    let start = Utc::now() - Duration::minutes(10);
    let call = |talk: i64| {
        json!({"number": number.get(), "direction": "outbound", "from": "anna-desk",
               "to": "+4930123456", "start": start, "answer": start + Duration::seconds(5),
               "end": start + Duration::seconds(5 + talk), "disposition": "answered"})
    };
    let report = |body: Value| {
        server
            .http
            .post(server.url("/v1/engine/calls"))
            .bearer_auth(&op)
            .header("Idempotency-Key", "out-1@pbx.example")
            .json(&body)
            .send()
    };
    let (created, recorded) = read(report(call(61)).await.unwrap()).await;
    assert_eq!(created, StatusCode::CREATED, "{recorded}");
    assert_eq!(recorded["cost"]["amount"], "2.00", "{recorded}");
    assert_eq!(balance(&server, &anna).await, "93.00");
    let (replayed, again) = read(report(call(61)).await.unwrap()).await;
    assert_eq!(replayed, StatusCode::OK, "{again}");
    assert_eq!(again, recorded);
    assert_eq!(balance(&server, &anna).await, "93.00", "charged once");

    // A call the engine let run past its maximum is charged whole, into debt (R10.3)…
    let (created, long) = server.post("/v1/engine/calls", &op, call(100 * 60)).await;
    assert_eq!(created, StatusCode::CREATED, "{long}");
    assert_eq!(long["cost"]["amount"], "100.00");
    assert_eq!(balance(&server, &anna).await, "-7.00");
    // …and in debt no call goes out (R10.4), with the status a payment would lift.
    let (_, in_debt) = server
        .get("/v1/engine/outbound?login=anna-desk&to=%2B4930123456", &op)
        .await;
    assert_eq!(in_debt["reject"]["code"], 402, "{in_debt}");
    assert_eq!(in_debt["reject"]["rule"], "R10.4");
    server.stop().await;
}
