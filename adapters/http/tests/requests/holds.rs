//! Holds on picked numbers (R1.3): a customer holds a number from an offer's list, which
//! is then listed, held and sold to no other customer; its own order of it succeeds; no
//! customer reads, releases or places another customer's holds.

use poem::http::{Method, StatusCode};
use serde_json::json;
use vnum_app::testing::mobile_offer;
use vnum_lifecycle::Offer;
use vnum_testkit::{country, eur, phone};

use crate::support::Api;

const PICKED: &str = "+4915110000001";
const OTHER: &str = "+4915110000002";

/// German mobile numbers at 10.00 EUR a month with two numbers to pick from, connected at
/// once by the carrier.
async fn german_list(api: &Api) -> Offer {
    api.world.carrier.set_instant(true);
    api.world
        .offer_with_stock(
            mobile_offer(country("DE"), eur("10.00")),
            vec![phone(PICKED), phone(OTHER)],
        )
        .await
}

fn manual_order(offer: &Offer, number: &str) -> serde_json::Value {
    json!({
        "lines": [{ "offer": offer.id().get(), "term_months": 1, "number": number }],
        "end_user": "personal",
    })
}

#[tokio::test]
async fn r1_3_a_held_number_is_listed_held_and_sold_to_its_holder_alone() {
    let api = Api::new().await;
    let (ann, ann_key) = api.customer("Ann").await;
    let (bob, bob_key) = api.customer("Bob").await;
    let offer = german_list(&api).await;
    api.world.top_up(ann.id, eur("50.00")).await;
    api.world.top_up(bob.id, eur("50.00")).await;
    let ann_holds = format!("/v1/customers/{}/offers/{}/holds", ann.id, offer.id());
    let bob_holds = format!("/v1/customers/{}/offers/{}/holds", bob.id, offer.id());
    let numbers = format!("/v1/offers/{}/numbers", offer.id());

    let held = api
        .post(&ann_holds, &ann_key, "h-1", json!({ "number": PICKED }))
        .await;
    assert_eq!(held.status, StatusCode::CREATED, "{:#}", held.body);
    assert_eq!(held.body["number"], PICKED);
    assert_eq!(held.body["offer"], offer.id().get());
    assert_eq!(held.body["rule"], "R1.3");
    let until: chrono::DateTime<chrono::Utc> =
        held.body["until"].as_str().unwrap().parse().unwrap();
    assert_eq!(until, api.world.now() + chrono::TimeDelta::minutes(15));
    // Picking again keeps the hold as it is.
    api.world.advance(chrono::TimeDelta::minutes(5));
    let again = api
        .post(&ann_holds, &ann_key, "h-2", json!({ "number": PICKED }))
        .await;
    assert_eq!(again.status, StatusCode::OK, "{:#}", again.body);
    assert_eq!(again.body, held.body);

    assert_eq!(
        api.get(&numbers, &ann_key).await.body,
        json!([PICKED, OTHER])
    );
    assert_eq!(api.get(&numbers, &bob_key).await.body, json!([OTHER]));
    assert_eq!(api.get(&numbers, &api.operator).await.body, json!([OTHER]));

    let refused = api
        .post(&bob_holds, &bob_key, "h-3", json!({ "number": PICKED }))
        .await;
    refused.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.rule(), Some("R1.3"));
    assert!(
        refused.detail().contains("held for another customer until"),
        "{}",
        refused.detail()
    );
    assert!(!refused.detail().contains("Ann"), "{}", refused.detail());
    let order = api
        .post(
            &format!("/v1/customers/{}/orders", bob.id),
            &bob_key,
            "o-1",
            manual_order(&offer, PICKED),
        )
        .await;
    order.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(order.rule(), Some("R1.3"));
    assert_eq!(api.world.balance(bob.id).await, eur("50.00"));

    let listed = api
        .get(&format!("/v1/customers/{}/holds", ann.id), &ann_key)
        .await;
    assert_eq!(listed.body, json!([held.body]));

    let bought = api
        .post(
            &format!("/v1/customers/{}/orders", ann.id),
            &ann_key,
            "o-2",
            manual_order(&offer, PICKED),
        )
        .await;
    assert_eq!(bought.status, StatusCode::CREATED, "{:#}", bought.body);
    assert_eq!(bought.body["numbers"][0]["e164"], PICKED);
    let listed = api
        .get(&format!("/v1/customers/{}/holds", ann.id), &ann_key)
        .await;
    assert_eq!(listed.body, json!([]), "the order ends the hold");
    assert_eq!(api.get(&numbers, &bob_key).await.body, json!([OTHER]));
}

#[tokio::test]
async fn r1_3_no_customer_reads_releases_or_places_another_customers_holds() {
    let api = Api::new().await;
    let (ann, ann_key) = api.customer("Ann").await;
    let (_, bob_key) = api.customer("Bob").await;
    let offer = german_list(&api).await;
    let ann_holds = format!("/v1/customers/{}/offers/{}/holds", ann.id, offer.id());
    let held = api
        .post(&ann_holds, &ann_key, "h-1", json!({ "number": PICKED }))
        .await;
    assert_eq!(held.status, StatusCode::CREATED, "{:#}", held.body);

    let list = format!("/v1/customers/{}/holds", ann.id);
    let release = format!("/v1/customers/{}/holds/{PICKED}", ann.id);
    api.get(&list, &bob_key)
        .await
        .problem(StatusCode::NOT_FOUND);
    api.send(Method::DELETE, &release, Some(&bob_key), &[], None)
        .await
        .problem(StatusCode::NOT_FOUND);
    api.post(&ann_holds, &bob_key, "h-2", json!({ "number": OTHER }))
        .await
        .problem(StatusCode::NOT_FOUND);
    assert_eq!(api.get(&list, &ann_key).await.body, json!([held.body]));

    // A `+` encoded as `%2B` names the same number.
    let encoded = release.replace('+', "%2B");
    api.send(Method::DELETE, &encoded, Some(&bob_key), &[], None)
        .await
        .problem(StatusCode::NOT_FOUND);

    // An operator reads and releases it; the number is listed to everyone again.
    assert_eq!(api.get(&list, &api.operator).await.body, json!([held.body]));
    let released = api
        .send(Method::DELETE, &release, Some(&api.operator), &[], None)
        .await;
    assert_eq!(released.status, StatusCode::OK, "{:#}", released.body);
    assert_eq!(released.body, held.body);
    assert_eq!(api.get(&list, &ann_key).await.body, json!([]));
    assert_eq!(
        api.get(&format!("/v1/offers/{}/numbers", offer.id()), &bob_key)
            .await
            .body,
        json!([PICKED, OTHER])
    );
    // Released once: a second release finds nothing.
    api.send(Method::DELETE, &encoded, Some(&ann_key), &[], None)
        .await
        .problem(StatusCode::NOT_FOUND);
}
