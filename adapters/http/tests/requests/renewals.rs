//! Whether a number renews and its history (R10.7, R10.2): another customer's number answers
//! exactly as a number that does not exist, a refusal names its rule, and a body off its
//! schema names the field and what was expected.

use poem::http::{Method, StatusCode};
use serde_json::json;
use vnum_app::testing::mobile_offer;
use vnum_testkit::{country, eur, phone};

use crate::support::Api;

#[tokio::test]
async fn r10_7_another_customers_number_answers_as_one_that_does_not_exist() {
    let api = Api::new().await;
    let (ann, ann_key) = api.customer("Ann").await;
    let (bob, _) = api.customer("Bob").await;
    api.world.top_up(bob.id, eur("30.00")).await;
    let offer = api
        .world
        .offer(mobile_offer(country("DE"), eur("10.00")))
        .await;
    let bobs = api.world.buy(bob.id, &offer, 1).await;
    let unknown = bobs.id.get() + 1000;
    let ann_id = ann.id.get();

    for (method, suffix, body) in [
        (Method::PUT, "renewal", Some(json!({"renews": false}))),
        (Method::GET, "renewals", None),
    ] {
        let theirs = api
            .send(
                method.clone(),
                &format!("/v1/customers/{ann_id}/numbers/{}/{suffix}", bobs.id.get()),
                Some(&ann_key),
                &[],
                body.clone(),
            )
            .await;
        let missing = api
            .send(
                method,
                &format!("/v1/customers/{ann_id}/numbers/{unknown}/{suffix}"),
                Some(&ann_key),
                &[],
                body,
            )
            .await;
        theirs.problem(StatusCode::NOT_FOUND);
        missing.problem(StatusCode::NOT_FOUND);
        assert_eq!(
            theirs.detail().replace(&bobs.id.get().to_string(), "ID"),
            missing.detail().replace(&unknown.to_string(), "ID"),
            "{suffix}"
        );
    }
    let untouched = api.world.vnum.number(bob.id, bobs.id).await.unwrap();
    assert!(untouched.renews());
}

#[tokio::test]
async fn r10_7_setting_renewal_refuses_by_rule_and_names_a_bad_field() {
    let api = Api::new().await;
    let (ann, key) = api.customer("Ann").await;
    api.world.top_up(ann.id, eur("30.00")).await;
    let offer = api
        .world
        .offer(mobile_offer(country("DE"), eur("10.00")))
        .await;
    let number = api.world.buy(ann.id, &offer, 1).await;
    let path = format!(
        "/v1/customers/{}/numbers/{}/renewal",
        ann.id.get(),
        number.id.get()
    );

    // Not connected yet: there is no paid period to end (R10.2).
    let early = api
        .send(
            Method::PUT,
            &path,
            Some(&key),
            &[],
            Some(json!({"renews": false})),
        )
        .await;
    early.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(early.rule(), Some("R10.2"));
    api.world
        .vnum
        .connect_number(number.id, phone("+4915112345678"))
        .await
        .unwrap();

    let bad = api
        .send(
            Method::PUT,
            &path,
            Some(&key),
            &[],
            Some(json!({"renews": "no"})),
        )
        .await;
    bad.problem(StatusCode::BAD_REQUEST);
    assert_eq!(bad.detail(), "`renews` is a string: expected true or false");

    let stopped = api
        .send(
            Method::PUT,
            &path,
            Some(&key),
            &[],
            Some(json!({"renews": false})),
        )
        .await;
    assert_eq!(stopped.status, StatusCode::OK, "{:#}", stopped.body);
    assert_eq!(stopped.body["billing"]["renews"], false);
    assert_eq!(stopped.body["billing"]["ends_on"], "2026-04-02");

    api.world
        .vnum
        .delete_number(ann.id, number.id)
        .await
        .unwrap();
    let late = api
        .send(
            Method::PUT,
            &path,
            Some(&key),
            &[],
            Some(json!({"renews": true})),
        )
        .await;
    late.problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(late.rule(), Some("R10.7"));
}
