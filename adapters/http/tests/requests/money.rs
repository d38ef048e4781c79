//! Amounts on the wire (R10.D6, money is exact): a decimal string of at most 16 digits
//! before the point and no exponent, never a JSON number; no more decimals than the
//! currency has; a known ISO 4217 currency; and within the bounds of a payment. A
//! malformed amount is a 400 (the body does not match the schema); a well-formed one the
//! rules refuse is a 422 naming R10.D6. Nothing refused moves money.

use poem::http::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::support::{Api, money_json};

/// Posts an operator's top-up of `amount` to a new customer and returns the answer and the
/// balance after it.
async fn top_up(amount: Value) -> (crate::support::Reply, vnum_core::Money) {
    let api = Api::new().await;
    let (ann, _) = api.customer("Ann").await;
    let reply = api
        .post(
            &format!("/v1/customers/{}/top-ups", ann.id.get()),
            &api.operator,
            "payment-1",
            amount,
        )
        .await;
    let balance = api.world.balance(ann.id).await;
    (reply, balance)
}

/// The decimal an amount of the API's answer writes.
fn amount(body: &Value) -> Decimal {
    body["amount"].as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn r10_d6_a_plain_decimal_is_credited_exactly() {
    for (sent, credited) in [("12.5", "12.50"), ("0.01", "0.01"), ("7", "7.00")] {
        let (reply, balance) = top_up(money_json(sent, "EUR")).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
        assert_eq!(amount(&reply.body["balance"]), credited.parse().unwrap());
        // Written with the currency's two decimals, as a bank statement would.
        assert_eq!(
            reply.body["balance"]["amount"], credited,
            "{:#}",
            reply.body
        );
        assert_eq!(reply.body["balance"]["currency"], "EUR");
        assert_eq!(balance, vnum_testkit::eur(credited));
    }
}

#[tokio::test]
async fn r10_d6_an_amount_off_the_pattern_is_a_400() {
    for amount in [
        json!("1e3"),
        json!("12,50"),
        json!(" 12.50"),
        json!("+12.50"),
        json!("12."),
        json!("12345678901234567"),
        json!("1.23456"),
        json!(12.5),
    ] {
        let (reply, balance) = top_up(json!({ "amount": amount, "currency": "EUR" })).await;
        reply.problem(StatusCode::BAD_REQUEST);
        assert_eq!(balance, vnum_testkit::eur("0"), "{amount}");
    }
}

#[tokio::test]
async fn r10_d6_a_json_number_is_refused_so_that_money_is_never_a_float() {
    let (reply, _) = top_up(json!({ "amount": 0.1, "currency": "EUR" })).await;
    reply.problem(StatusCode::BAD_REQUEST);
    assert!(reply.detail().contains("string"), "{}", reply.detail());
}

#[tokio::test]
async fn r10_d6_more_decimals_than_the_currency_has_is_a_422() {
    let (reply, balance) = top_up(money_json("12.345", "EUR")).await;
    let problem = reply.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["type"], "urn:vnum:problem:unprocessable-entity");
    assert_eq!(reply.rule(), Some("R10.D6"));
    assert_eq!(balance, vnum_testkit::eur("0"));
}

#[tokio::test]
async fn an_unknown_or_lower_case_currency_is_off_the_schema_a_400_saying_what_is_expected() {
    for code in ["XYZ", "eur", "XAU"] {
        let (reply, balance) = top_up(money_json("10.00", code)).await;
        reply.problem(StatusCode::BAD_REQUEST);
        assert!(
            reply.detail().contains("ISO 4217 code with a minor unit"),
            "{code}: {}",
            reply.detail()
        );
        assert_eq!(balance, vnum_testkit::eur("0"));
    }
}

#[tokio::test]
async fn r10_d6_amounts_past_the_bounds_are_422() {
    // Past what a balance can hold: 10^15 minor units.
    let (reply, balance) = top_up(money_json("9999999999999999", "EUR")).await;
    reply.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.rule(), Some("R10.D6"));
    assert_eq!(balance, vnum_testkit::eur("0"));

    // Past the largest payment, 1,000,000.00 by default.
    let (reply, balance) = top_up(money_json("1000000.01", "EUR")).await;
    reply.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.rule(), Some("R10.D6"));
    assert_eq!(balance, vnum_testkit::eur("0"));

    let (reply, balance) = top_up(money_json("1000000.00", "EUR")).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:#}", reply.body);
    assert_eq!(balance, vnum_testkit::eur("1000000.00"));
}

#[tokio::test]
async fn r1_d1_a_top_up_credits_a_positive_amount_only() {
    for amount in ["0", "-5.00"] {
        let (reply, balance) = top_up(money_json(amount, "EUR")).await;
        reply.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(balance, vnum_testkit::eur("0"), "{amount}");
    }
}
