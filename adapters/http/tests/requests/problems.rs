//! Every error is an RFC 7807 problem (`application/problem+json` with `type`, `title`,
//! `status` and `detail`), the errors poem raises itself included, and a refusal by a
//! business rule names the rule.

use poem::http::{Method, StatusCode};
use serde_json::json;

use crate::support::Api;

#[tokio::test]
async fn an_unknown_path_is_a_404_problem() {
    let api = Api::new().await;
    let reply = api.get("/v1/no-such-thing", &api.operator).await;
    let problem = reply.problem(StatusCode::NOT_FOUND);
    assert_eq!(problem["type"], "urn:vnum:problem:not-found");
    assert_eq!(reply.rule(), None);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_400_problem() {
    let api = Api::new().await;
    let (ann, _) = api.customer("Ann").await;
    let reply = api
        .send(
            Method::POST,
            &format!("/v1/customers/{}/top-ups", ann.id.get()),
            Some(&api.operator),
            &[
                ("idempotency-key", "k1"),
                ("content-type", "application/json"),
            ],
            None,
        )
        .await;
    let problem = reply.problem(StatusCode::BAD_REQUEST);
    assert_eq!(problem["type"], "urn:vnum:problem:bad-request");
}

#[tokio::test]
async fn a_missing_idempotency_key_on_a_top_up_is_a_400_problem() {
    let api = Api::new().await;
    let (ann, _) = api.customer("Ann").await;
    let reply = api
        .send(
            Method::POST,
            &format!("/v1/customers/{}/top-ups", ann.id.get()),
            Some(&api.operator),
            &[],
            Some(json!({ "amount": "10.00", "currency": "EUR" })),
        )
        .await;
    reply.problem(StatusCode::BAD_REQUEST);
    assert!(
        reply.detail().contains("Idempotency-Key"),
        "{}",
        reply.detail()
    );
    assert_eq!(api.world.balance(ann.id).await, vnum_testkit::eur("0"));
}

#[tokio::test]
async fn r1_4_an_order_the_balance_does_not_cover_is_402_naming_the_rule() {
    let api = Api::new().await;
    let (ann, key) = api.customer("Ann").await;
    let offer = crate::orders::german_mobiles(&api).await;
    api.world.top_up(ann.id, vnum_testkit::eur("9.99")).await;

    let reply = api
        .send(
            Method::POST,
            &format!("/v1/customers/{}/orders", ann.id.get()),
            Some(&key),
            &[],
            Some(crate::orders::one_number(offer.id().get(), 1)),
        )
        .await;

    let problem = reply.problem(StatusCode::PAYMENT_REQUIRED);
    assert_eq!(problem["type"], "urn:vnum:problem:payment-required");
    assert_eq!(reply.rule(), Some("R1.4"));
    assert_eq!(api.world.balance(ann.id).await, vnum_testkit::eur("9.99"));
}

#[tokio::test]
async fn a_wrong_method_is_405_with_the_allowed_ones() {
    let api = Api::new().await;
    let reply = api
        .send(Method::DELETE, "/v1/me", Some(&api.operator), &[], None)
        .await;
    reply.problem(StatusCode::METHOD_NOT_ALLOWED);
    // RFC 9110 15.5.6: a 405 lists the methods the resource takes; a GET resource takes
    // HEAD too (9.3.2).
    let allow = reply.headers.get("allow").unwrap().to_str().unwrap();
    let mut methods: Vec<&str> = allow.split(',').map(str::trim).collect();
    methods.sort_unstable();
    assert_eq!(methods, ["GET", "HEAD"]);
}
