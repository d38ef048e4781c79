//! Webhook endpoints and events through the API: a customer manages its own endpoints (the
//! secret shown once), another customer's answer as unknown ones, operators see them all;
//! private targets and unknown event types are refused; events are listed a page at a time.

use poem::http::{Method, StatusCode};
use serde_json::json;

use crate::support::Api;

async fn register(api: &Api, key: &str, url: &str) -> crate::support::Reply {
    api.send(
        Method::POST,
        "/v1/webhooks",
        Some(key),
        &[],
        Some(json!({ "url": url, "event_types": ["payment.credited"] })),
    )
    .await
}

#[tokio::test]
async fn a_customer_manages_its_own_webhooks_and_another_customers_are_not_found() {
    let api = Api::new().await;
    let (ann, ann_key) = api.customer("Ann").await;
    let (_, bob_key) = api.customer("Bob").await;

    let created = register(&api, &ann_key, "https://hooks.example.com/ann").await;
    assert_eq!(created.status, StatusCode::CREATED, "{:#}", created.body);
    let id = created.body["id"].as_i64().unwrap();
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    assert!(
        secret.starts_with("whsec_") && secret.len() == 70,
        "{secret}"
    );
    assert_eq!(created.body["customer"], ann.id.get());
    assert_eq!(created.body["event_types"], json!(["payment.credited"]));

    let listed = api.get("/v1/webhooks", &ann_key).await;
    assert_eq!(
        listed.body.as_array().unwrap().len(),
        1,
        "{:#}",
        listed.body
    );
    assert!(!listed.body.to_string().contains(&secret), "shown once");
    assert!(
        api.get("/v1/webhooks", &bob_key)
            .await
            .body
            .as_array()
            .unwrap()
            .is_empty()
    );
    let path = format!("/v1/webhooks/{id}");
    api.get(&path, &bob_key)
        .await
        .problem(StatusCode::NOT_FOUND);
    api.get(&format!("{path}/deliveries"), &bob_key)
        .await
        .problem(StatusCode::NOT_FOUND);
    api.send(Method::DELETE, &path, Some(&bob_key), &[], None)
        .await
        .problem(StatusCode::NOT_FOUND);
    let operator = api.operator.clone();
    assert_eq!(api.get(&path, &operator).await.status, StatusCode::OK);
    assert_eq!(
        api.get("/v1/webhooks", &operator)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let deleted = api
        .send(Method::DELETE, &path, Some(&ann_key), &[], None)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    api.get(&path, &ann_key)
        .await
        .problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn private_targets_and_unknown_event_types_are_refused() {
    let api = Api::new().await;
    let (_, key) = api.customer("Ann").await;
    for url in [
        "http://127.0.0.1/hook",
        "http://localhost:8080/hook",
        "https://10.0.0.7/hook",
        "https://169.254.169.254/latest",
        "https://[::1]/hook",
        "ftp://hooks.example.com/",
    ] {
        let reply = register(&api, &key, url).await;
        reply.problem(StatusCode::UNPROCESSABLE_ENTITY);
    }
    let reply = api
        .send(
            Method::POST,
            "/v1/webhooks",
            Some(&key),
            &[],
            Some(json!({ "url": "https://hooks.example.com/", "event_types": ["number.lost"] })),
        )
        .await;
    assert!(
        reply.problem(StatusCode::UNPROCESSABLE_ENTITY)["detail"]
            .as_str()
            .unwrap()
            .contains("number.connected")
    );
}

#[tokio::test]
async fn events_are_the_callers_own_a_page_at_a_time() {
    let api = Api::new().await;
    let (ann, ann_key) = api.customer("Ann").await;
    let (bob, bob_key) = api.customer("Bob").await;
    for (customer, n) in [(ann.id, 3), (bob.id, 1)] {
        for _ in 0..n {
            api.world.top_up(customer, vnum_testkit::eur("1.00")).await;
        }
    }
    let first = api.get("/v1/events?limit=2", &ann_key).await;
    assert_eq!(first.status, StatusCode::OK, "{:#}", first.body);
    let items = first.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|e| e["type"] == "payment.credited"));
    assert!(items.iter().all(|e| e["data"]["customer"] == ann.id.get()));
    let next = first.body["next"].as_str().unwrap();
    let second = api
        .get(&format!("/v1/events?limit=2&after={next}"), &ann_key)
        .await;
    assert_eq!(second.body["items"].as_array().unwrap().len(), 1);
    assert!(second.body.get("next").is_none(), "{:#}", second.body);
    let bobs = api.get("/v1/events", &bob_key).await;
    assert_eq!(bobs.body["items"].as_array().unwrap().len(), 1);
    let all = api.get("/v1/events", &api.operator.clone()).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 4);
    // A page size off its documented range is a malformed request.
    api.get("/v1/events?limit=0", &ann_key)
        .await
        .problem(StatusCode::BAD_REQUEST);
}
