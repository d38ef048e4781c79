//! Orders under an `Idempotency-Key` (R1.D3): the first request buys and answers 201
//! Created; the same request again answers 200 with the same order and buys nothing more;
//! the same key with another body is a 409 Conflict and buys nothing.

use poem::http::StatusCode;
use serde_json::{Value, json};
use vnum_app::testing::mobile_offer;
use vnum_lifecycle::Offer;
use vnum_testkit::{country, eur, phone};

use crate::support::{Api, money_json};

/// German mobile numbers at 10.00 EUR a month, five of them with the carrier, which
/// connects at once.
pub(crate) async fn german_mobiles(api: &Api) -> Offer {
    api.world
        .carrier_stock((1..=5).map(|i| phone(&format!("+4915110000{i:03}"))));
    api.world
        .offer(mobile_offer(country("DE"), eur("10.00")))
        .await
}

/// An order body of `quantity` numbers of `offer` for one month, for a person.
pub(crate) fn one_number(offer: i64, quantity: u32) -> Value {
    json!({
        "lines": [{ "offer": offer, "quantity": quantity, "term_months": 1 }],
        "end_user": "personal",
    })
}

#[tokio::test]
async fn r1_d3_an_order_repeated_with_its_key_buys_once() {
    let api = Api::new().await;
    let (ann, key) = api.customer("Ann").await;
    let offer = german_mobiles(&api).await;
    api.world.top_up(ann.id, eur("50.00")).await;
    let path = format!("/v1/customers/{}/orders", ann.id.get());
    let body = one_number(offer.id().get(), 1);

    let first = api.post(&path, &key, "order-1", body.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:#}", first.body);
    assert_eq!(first.body["order"]["customer"], ann.id.get());
    assert_eq!(first.body["order"]["total"], money_json("10.00", "EUR"));
    assert_eq!(first.body["numbers"].as_array().unwrap().len(), 1);
    assert_eq!(api.world.balance(ann.id).await, eur("40.00"));

    let again = api.post(&path, &key, "order-1", body).await;
    assert_eq!(again.status, StatusCode::OK, "{:#}", again.body);
    assert_eq!(again.body["order"]["id"], first.body["order"]["id"]);
    assert_eq!(again.body["numbers"], first.body["numbers"]);
    assert_eq!(api.world.balance(ann.id).await, eur("40.00"), "bought once");
    assert_eq!(api.world.carrier.requests().len(), 1);
}

#[tokio::test]
async fn r1_d3_the_same_key_with_another_order_is_a_409_and_buys_nothing() {
    let api = Api::new().await;
    let (ann, key) = api.customer("Ann").await;
    let offer = german_mobiles(&api).await;
    api.world.top_up(ann.id, eur("50.00")).await;
    let path = format!("/v1/customers/{}/orders", ann.id.get());

    let first = api
        .post(&path, &key, "order-1", one_number(offer.id().get(), 1))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{:#}", first.body);

    let other = api
        .post(&path, &key, "order-1", one_number(offer.id().get(), 2))
        .await;
    let problem = other.problem(StatusCode::CONFLICT);
    assert_eq!(problem["type"], "urn:vnum:problem:conflict");
    assert_eq!(api.world.balance(ann.id).await, eur("40.00"));
    assert_eq!(api.world.carrier.requests().len(), 1);

    // Another key is another order.
    let second = api
        .post(&path, &key, "order-2", one_number(offer.id().get(), 2))
        .await;
    assert_eq!(second.status, StatusCode::CREATED, "{:#}", second.body);
    assert_ne!(second.body["order"]["id"], first.body["order"]["id"]);
    assert_eq!(api.world.balance(ann.id).await, eur("20.00"));
}

#[tokio::test]
async fn a_customer_cannot_order_for_another_customer() {
    let api = Api::new().await;
    let (_, ann_key) = api.customer("Ann").await;
    let (bob, _) = api.customer("Bob").await;
    let offer = german_mobiles(&api).await;
    api.world.top_up(bob.id, eur("50.00")).await;

    let reply = api
        .post(
            &format!("/v1/customers/{}/orders", bob.id.get()),
            &ann_key,
            "order-1",
            one_number(offer.id().get(), 1),
        )
        .await;

    reply.problem(StatusCode::NOT_FOUND);
    assert_eq!(api.world.balance(bob.id).await, eur("50.00"));
    assert!(api.world.carrier.requests().is_empty());
}

#[tokio::test]
async fn a_quote_in_a_currency_the_customer_cannot_pay_in_is_refused_as_the_order_is() {
    let api = Api::new().await;
    let (ann, key) = api.customer("Ann").await;
    let offer = api
        .world
        .offer(mobile_offer(country("US"), vnum_testkit::usd("3.00")))
        .await;
    api.world.top_up(ann.id, eur("50.00")).await;
    let line = json!([{ "offer": offer.id().get(), "quantity": 1, "term_months": 1 }]);

    let quote = api
        .post("/v1/quotes", &key, "q-1", json!({ "lines": line }))
        .await;
    let order = api
        .post(
            &format!("/v1/customers/{}/orders", ann.id.get()),
            &key,
            "order-usd",
            json!({ "lines": line, "end_user": "personal" }),
        )
        .await;

    let refused = quote.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused, order.problem(StatusCode::UNPROCESSABLE_ENTITY));
    assert!(quote.detail().contains("USD"), "{}", quote.detail());
    assert!(quote.detail().contains("EUR"), "{}", quote.detail());
    assert_eq!(api.world.balance(ann.id).await, eur("50.00"));
}
