//! API keys through the API: a customer creates, lists and revokes its own keys, an
//! operator any key; a token is shown once; a revoked or expired key answers 401 on the
//! very next request.

use chrono::Duration;
use poem::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::Api;

async fn delete(api: &Api, path: &str, key: &str) -> crate::support::Reply {
    api.send(Method::DELETE, path, Some(key), &[], None).await
}

async fn create(api: &Api, key: &str, body: Value) -> crate::support::Reply {
    api.send(Method::POST, "/v1/keys", Some(key), &[], Some(body))
        .await
}

#[tokio::test]
async fn a_customer_creates_lists_and_revokes_its_own_keys_and_the_token_is_shown_once() {
    let api = Api::new().await;
    let (ann, key) = api.customer("Ann").await;
    let ann_id = ann.id.get();

    let created = create(&api, &key, json!({ "name": "billing export" })).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:#}", created.body);
    assert_eq!(created.body["name"], "billing export");
    assert_eq!(created.body["role"], "customer");
    assert_eq!(created.body["customer"], ann_id);
    assert_eq!(created.body["active"], true);
    assert!(created.body.get("expires_at").is_none());
    let token = created.body["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("vnum_") && token.len() == 69, "{token}");
    let me = api.get("/v1/me", &token).await;
    assert_eq!(me.body, json!({ "role": "customer", "customer": ann_id }));

    let listed = api.get("/v1/keys", &token).await;
    assert_eq!(listed.status, StatusCode::OK, "{:#}", listed.body);
    let keys = listed.body["items"].as_array().unwrap();
    assert_eq!(
        keys.len(),
        2,
        "the key it was given and the new one: {keys:?}"
    );
    assert_eq!(keys[1]["id"], created.body["id"]);
    assert!(
        keys.iter().all(|k| k.get("token").is_none()),
        "a token is never shown again: {keys:?}"
    );
    assert!(!listed.body.to_string().contains(&token[5..]));

    let id = created.body["id"].as_i64().unwrap();
    let revoked = delete(&api, &format!("/v1/keys/{id}"), &key).await;
    assert_eq!(revoked.status, StatusCode::OK, "{:#}", revoked.body);
    assert_eq!(revoked.body["active"], false);
    assert_eq!(revoked.body["revoked_at"], "2026-03-02T09:00:00+00:00");
    api.get("/v1/me", &token)
        .await
        .problem(StatusCode::UNAUTHORIZED);
    // The other key is untouched, and revoking twice changes nothing.
    assert_eq!(api.get("/v1/me", &key).await.status, StatusCode::OK);
    let again = delete(&api, &format!("/v1/keys/{id}"), &key).await;
    assert_eq!(again.body["revoked_at"], "2026-03-02T09:00:00+00:00");
}

#[tokio::test]
async fn a_customer_creates_no_operator_engine_or_other_customers_key() {
    let api = Api::new().await;
    let (_, ann_key) = api.customer("Ann").await;
    let (bob, bob_key) = api.customer("Bob").await;

    for role in ["operator", "engine"] {
        let reply = create(&api, &ann_key, json!({ "name": "mine", "role": role })).await;
        let problem = reply.problem(StatusCode::FORBIDDEN);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("operator and engine keys are created by operators"),
            "{problem}"
        );
    }
    let reply = create(
        &api,
        &ann_key,
        json!({ "name": "his", "customer": bob.id.get() }),
    )
    .await;
    reply.problem(StatusCode::NOT_FOUND);

    // Nor does it see or revoke another customer's keys.
    let bobs = api.get("/v1/keys", &bob_key).await;
    let bob_key_id = bobs.body["items"][0]["id"].as_i64().unwrap();
    delete(&api, &format!("/v1/keys/{bob_key_id}"), &ann_key)
        .await
        .problem(StatusCode::NOT_FOUND);
    api.get(&format!("/v1/keys?customer={}", bob.id.get()), &ann_key)
        .await
        .problem(StatusCode::NOT_FOUND);
    assert_eq!(api.get("/v1/me", &bob_key).await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_operator_creates_any_key_sees_every_key_and_revokes_any() {
    let api = Api::new().await;
    let (ann, ann_key) = api.customer("Ann").await;

    let engine = create(
        &api,
        &api.operator,
        json!({ "name": "kamailio", "role": "engine" }),
    )
    .await;
    assert_eq!(engine.status, StatusCode::CREATED, "{:#}", engine.body);
    let engine_token = engine.body["token"].as_str().unwrap();
    // An engine key opens the engine's operations only.
    api.get("/v1/keys", engine_token)
        .await
        .problem(StatusCode::FORBIDDEN);

    let deputy = create(
        &api,
        &api.operator,
        json!({ "name": "deputy", "role": "operator" }),
    )
    .await;
    let deputy_token = deputy.body["token"].as_str().unwrap();
    assert_eq!(
        api.get("/v1/me", deputy_token).await.body,
        json!({ "role": "operator" })
    );

    let for_ann = create(
        &api,
        &api.operator,
        json!({ "name": "for Ann", "role": "customer", "customer": ann.id.get() }),
    )
    .await;
    assert_eq!(for_ann.body["customer"], ann.id.get());
    let missing_customer = create(&api, &api.operator, json!({ "name": "whose?" })).await;
    assert!(
        missing_customer.problem(StatusCode::UNPROCESSABLE_ENTITY)["detail"]
            .as_str()
            .unwrap()
            .contains("customer"),
    );
    create(
        &api,
        &api.operator,
        json!({ "name": "nobody", "customer": 999_999 }),
    )
    .await
    .problem(StatusCode::NOT_FOUND);

    let all = api.get("/v1/keys", deputy_token).await;
    let names: Vec<&str> = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["tests", "tests", "kamailio", "deputy", "for Ann"]);
    let anns = api
        .get(
            &format!("/v1/keys?customer={}", ann.id.get()),
            &api.operator,
        )
        .await;
    assert_eq!(anns.body["items"].as_array().unwrap().len(), 2);

    let ann_key_id = anns.body["items"][0]["id"].as_i64().unwrap();
    let revoked = delete(&api, &format!("/v1/keys/{ann_key_id}"), deputy_token).await;
    assert_eq!(revoked.status, StatusCode::OK, "{:#}", revoked.body);
    api.get("/v1/me", &ann_key)
        .await
        .problem(StatusCode::UNAUTHORIZED);
    delete(&api, "/v1/keys/999999", &api.operator)
        .await
        .problem(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_key_stops_working_when_its_expiry_comes() {
    let api = Api::new().await;
    let (_, key) = api.customer("Ann").await;

    let created = create(
        &api,
        &key,
        json!({ "name": "one hour", "expires_at": "2026-03-02T10:00:00Z" }),
    )
    .await;
    assert_eq!(created.body["expires_at"], "2026-03-02T10:00:00+00:00");
    let token = created.body["token"].as_str().unwrap();
    assert_eq!(api.get("/v1/me", token).await.status, StatusCode::OK);

    api.world.advance(Duration::minutes(59));
    assert_eq!(api.get("/v1/me", token).await.status, StatusCode::OK);
    api.world.advance(Duration::minutes(1));
    api.get("/v1/me", token)
        .await
        .problem(StatusCode::UNAUTHORIZED);
    let listed = api.get("/v1/keys", &key).await;
    assert_eq!(listed.body["items"][1]["active"], false);
    assert!(listed.body["items"][1].get("revoked_at").is_none());
}

#[tokio::test]
async fn an_expiry_that_is_not_in_the_future_or_a_bad_name_is_422_saying_what_is_expected() {
    let api = Api::new().await;
    let (_, key) = api.customer("Ann").await;

    let past = create(
        &api,
        &key,
        json!({ "name": "late", "expires_at": "2026-03-02T09:00:00Z" }),
    )
    .await;
    let detail = past.problem(StatusCode::UNPROCESSABLE_ENTITY)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.contains("not in the future"), "{detail}");

    let blank = create(&api, &key, json!({ "name": "   " })).await;
    let detail = blank.problem(StatusCode::UNPROCESSABLE_ENTITY)["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.contains("1 to 100 characters"), "{detail}");
    let long = create(&api, &key, json!({ "name": "x".repeat(101) })).await;
    assert!(long.status.is_client_error(), "{:#}", long.body);
    let keys = api.get("/v1/keys", &key).await;
    assert_eq!(
        keys.body["items"].as_array().unwrap().len(),
        1,
        "nothing was created"
    );
}
