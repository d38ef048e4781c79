//! Who may call what: a missing or unknown key is 401 (RFC 9110: the request lacks valid
//! credentials, and the answer names the scheme); a customer sees only its own resources,
//! and another customer's answers exactly as an id that does not exist (404); what only an
//! operator may do answers 403 to a customer.

use poem::http::{Method, StatusCode};
use serde_json::json;

use crate::support::{Api, money_json};

#[tokio::test]
async fn a_request_without_a_key_is_401_naming_the_bearer_scheme() {
    let api = Api::new().await;
    let (ann, _) = api.customer("Ann").await;
    let path = format!("/v1/customers/{}/balance", ann.id.get());

    let reply = api.send(Method::GET, &path, None, &[], None).await;

    let problem = reply.problem(StatusCode::UNAUTHORIZED);
    assert_eq!(problem["type"], "urn:vnum:problem:unauthorized");
    assert_eq!(reply.rule(), None);
    assert_eq!(
        reply.headers.get("www-authenticate").unwrap(),
        "Bearer",
        "RFC 9110 11.6.1: a 401 names the scheme"
    );
}

#[tokio::test]
async fn an_unknown_key_is_401() {
    let api = Api::new().await;
    let (ann, key) = api.customer("Ann").await;
    let path = format!("/v1/customers/{}/balance", ann.id.get());
    // The right shape, one digit off.
    let mut forged = key.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == '0' { '1' } else { '0' });

    let reply = api.get(&path, &forged).await;

    reply.problem(StatusCode::UNAUTHORIZED);
    assert_eq!(reply.headers.get("www-authenticate").unwrap(), "Bearer");
    assert_eq!(api.get(&path, &key).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_key_is_also_taken_as_the_basic_password() {
    let api = Api::new().await;
    let (ann, key) = api.customer("Ann").await;

    let me = api.get_basic("/v1/me", "any-user", &key).await;
    assert_eq!(me.status, StatusCode::OK, "{:#}", me.body);
    assert_eq!(
        me.body,
        json!({ "role": "customer", "customer": ann.id.get() })
    );

    let operator = api.get("/v1/me", &api.operator).await;
    assert_eq!(operator.body, json!({ "role": "operator" }));

    let wrong = api.get_basic("/v1/me", "any-user", "vnum_not-a-key").await;
    wrong.problem(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn another_customers_resource_answers_as_one_that_does_not_exist() {
    let api = Api::new().await;
    let (ann, ann_key) = api.customer("Ann").await;
    let (bob, _) = api.customer("Bob").await;
    api.world.top_up(bob.id, vnum_testkit::eur("30.00")).await;
    let unknown = bob.id.get() + 1000;

    for path in ["", "/balance", "/ledger", "/payments"] {
        let bobs = api
            .get(&format!("/v1/customers/{}{path}", bob.id.get()), &ann_key)
            .await;
        let missing = api
            .get(&format!("/v1/customers/{unknown}{path}"), &ann_key)
            .await;
        bobs.problem(StatusCode::NOT_FOUND);
        missing.problem(StatusCode::NOT_FOUND);
        // Nothing tells Bob's id from an id that does not exist but the id itself.
        assert_eq!(
            bobs.detail().replace(&bob.id.get().to_string(), "ID"),
            missing.detail().replace(&unknown.to_string(), "ID"),
            "{path}"
        );
        assert_eq!(bobs.body["type"], missing.body["type"]);
        assert!(!bobs.body.to_string().contains("30.00"), "{:#}", bobs.body);
    }

    let own = api
        .get(&format!("/v1/customers/{}", ann.id.get()), &ann_key)
        .await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.body["name"], "Ann");
}

#[tokio::test]
async fn r1_d1_a_customer_key_cannot_credit_its_own_balance() {
    let api = Api::new().await;
    let (ann, key) = api.customer("Ann").await;
    let path = format!("/v1/customers/{}/top-ups", ann.id.get());

    let reply = api
        .post(&path, &key, "self-credit", money_json("100.00", "EUR"))
        .await;

    let problem = reply.problem(StatusCode::FORBIDDEN);
    assert_eq!(problem["type"], "urn:vnum:problem:forbidden");
    assert_eq!(reply.rule(), Some("R1.D1"));
    assert_eq!(api.world.balance(ann.id).await, vnum_testkit::eur("0"));
    assert!(api.world.memory().all_entries().is_empty());
}

#[tokio::test]
async fn registering_customers_is_for_operators() {
    let api = Api::new().await;
    let (_, key) = api.customer("Ann").await;
    let body = json!({
        "name": "Mallory",
        "email": "mallory@example.com",
        "kind": "person",
        "currency": "EUR",
    });

    let refused = api
        .send(
            Method::POST,
            "/v1/customers",
            Some(&key),
            &[],
            Some(body.clone()),
        )
        .await;
    refused.problem(StatusCode::FORBIDDEN);

    let registered = api
        .send(
            Method::POST,
            "/v1/customers",
            Some(&api.operator),
            &[],
            Some(body),
        )
        .await;
    assert_eq!(
        registered.status,
        StatusCode::CREATED,
        "{:#}",
        registered.body
    );
    // Mallory exists once: the refused request registered nothing.
    let id = registered.body["customer"]["id"].as_i64().unwrap();
    let mallory = api.get(&format!("/v1/customers/{id}"), &api.operator).await;
    assert_eq!(mallory.body["email"], "mallory@example.com");
    let again = api
        .get(&format!("/v1/customers/{}", id - 1), &api.operator)
        .await;
    assert_eq!(
        again.body["name"], "Ann",
        "no customer between Ann and Mallory"
    );
}
