//! R1.3 through the real server, on SQLite and on PostgreSQL: a customer holds a number
//! picked from an offer's list; another customer does not see it listed and can neither
//! hold nor order it; the holder orders it, or the hold runs out and the other customer
//! takes it.

// Test code: a failed unwrap is a failed test with a location.
#![allow(clippy::unwrap_used)]

mod support;

use chrono::{Duration, TimeZone, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vnum_app::memory::ManualClock;
use vnum_lifecycle::NumberKind;
use vnum_server::Settings;

use support::{Customer, PgSchema, Server};

const PICKED: &str = "+4915110000001";
const OTHER: &str = "+4915110000002";

/// The server on the database at `url` (SQLite in memory unless given), its clock at
/// 10:00 UTC on 2 March 2026, without the demo catalogue.
async fn server(url: Option<&str>) -> Server {
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap());
    let settings = Settings {
        seed_catalogue: false,
        ..Settings::default()
    };
    match url {
        Some(url) => Server::start_on_database(settings, clock, url).await,
        None => Server::start_on(settings, clock).await,
    }
}

/// A listed German mobile offer with two numbers to pick from, stocked by the operator.
async fn german_list(server: &Server) -> i64 {
    let offer = server.offer("DE", NumberKind::Mobile, false, true).await;
    let (status, body) = server
        .post(
            &format!("/v1/offers/{}/stock", offer.id()),
            server.operator(),
            json!({ "numbers": [PICKED, OTHER] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    offer.id().get()
}

async fn listed(server: &Server, offer: i64, who: &Customer) -> Value {
    let (status, body) = server
        .get(&format!("/v1/offers/{offer}/numbers"), &who.key)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn hold(server: &Server, offer: i64, who: &Customer, number: &str) -> (StatusCode, Value) {
    server
        .post(
            &format!("/v1/customers/{}/offers/{offer}/holds", who.id),
            &who.key,
            json!({ "number": number }),
        )
        .await
}

async fn order(server: &Server, offer: i64, who: &Customer, number: &str) -> (StatusCode, Value) {
    server
        .post(
            &format!("/v1/customers/{}/orders", who.id),
            &who.key,
            json!({
                "lines": [{ "offer": offer, "term_months": 1, "number": number }],
                "end_user": "personal",
            }),
        )
        .await
}

async fn holds_of(server: &Server, who: &Customer) -> Value {
    let (status, body) = server
        .get(&format!("/v1/customers/{}/holds", who.id), &who.key)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Ann holds the number; Bob does not see it, cannot hold or order it; then Ann orders it.
async fn the_holder_orders_the_held_number(server: Server) {
    let offer = german_list(&server).await;
    let ann = server.customer("ann@example.com", "person").await;
    let bob = server.customer("bob@example.com", "person").await;

    let (status, held) = hold(&server, offer, &ann, PICKED).await;
    assert_eq!(status, StatusCode::CREATED, "{held}");
    assert_eq!(held["rule"], "R1.3");
    assert_eq!(listed(&server, offer, &ann).await, json!([PICKED, OTHER]));
    assert_eq!(listed(&server, offer, &bob).await, json!([OTHER]));

    let (status, refused) = hold(&server, offer, &bob, PICKED).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["rule"], "R1.3");
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("held for another customer until 2026-03-02 10:15:00 UTC"),
        "{refused}"
    );
    let (status, refused) = order(&server, offer, &bob, PICKED).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["rule"], "R1.3");

    server.clock().advance(Duration::minutes(10));
    let (status, placed) = order(&server, offer, &ann, PICKED).await;
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    assert!(placed["order"].to_string().contains(PICKED), "{placed}");
    assert_eq!(
        holds_of(&server, &ann).await,
        json!([]),
        "the order ends the hold"
    );
    assert_eq!(listed(&server, offer, &bob).await, json!([OTHER]));
    let (status, refused) = hold(&server, offer, &bob, PICKED).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["rule"], "R1.3", "sold: no longer on the list");
    server.stop().await;
}

/// Ann holds the number and lets the hold run out: at 10:15 Bob sees, holds and orders it.
async fn an_ended_hold_lets_another_customer_take_the_number(server: Server) {
    let offer = german_list(&server).await;
    let ann = server.customer("ann@example.com", "person").await;
    let bob = server.customer("bob@example.com", "person").await;

    let (status, held) = hold(&server, offer, &ann, PICKED).await;
    assert_eq!(status, StatusCode::CREATED, "{held}");
    server
        .clock()
        .advance(Duration::minutes(15) - Duration::seconds(1));
    assert_eq!(listed(&server, offer, &bob).await, json!([OTHER]));
    let (status, refused) = hold(&server, offer, &bob, PICKED).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");

    server.clock().advance(Duration::seconds(1));
    assert_eq!(listed(&server, offer, &bob).await, json!([PICKED, OTHER]));
    let (status, expired) = server
        .post("/v1/holds/expire", server.operator(), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{expired}");
    assert_eq!(holds_of(&server, &ann).await, json!([]));

    let (status, taken) = hold(&server, offer, &bob, PICKED).await;
    assert_eq!(status, StatusCode::CREATED, "{taken}");
    let (status, refused) = order(&server, offer, &ann, PICKED).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["rule"], "R1.3");
    let (status, released) = server
        .send(
            Method::DELETE,
            &format!("/v1/customers/{}/holds/{PICKED}", bob.id),
            &bob.key,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{released}");
    let (status, placed) = order(&server, offer, &ann, PICKED).await;
    assert_eq!(status, StatusCode::CREATED, "released: {placed}");
    server.stop().await;
}

#[tokio::test]
async fn r1_3_sqlite_a_held_number_is_sold_to_its_holder_alone() {
    the_holder_orders_the_held_number(server(None).await).await;
}

#[tokio::test]
async fn r1_3_sqlite_an_ended_hold_lets_another_customer_take_the_number() {
    an_ended_hold_lets_another_customer_take_the_number(server(None).await).await;
}

#[tokio::test]
async fn r1_3_postgres_a_held_number_is_sold_to_its_holder_alone() {
    let Some(schema) = PgSchema::create().await else {
        return;
    };
    the_holder_orders_the_held_number(server(Some(&schema.url)).await).await;
    schema.drop().await;
}

#[tokio::test]
async fn r1_3_postgres_an_ended_hold_lets_another_customer_take_the_number() {
    let Some(schema) = PgSchema::create().await else {
        return;
    };
    an_ended_hold_lets_another_customer_take_the_number(server(Some(&schema.url)).await).await;
    schema.drop().await;
}
