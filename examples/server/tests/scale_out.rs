//! Two servers on one PostgreSQL database, each with its read cache, as a provider runs them
//! behind a load balancer: what one writes, the other reads within milliseconds — balances,
//! numbers and their routes, and keys (a key revoked through one stops working on both).

// A panic in a test or its helpers is a failed assertion.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use vnum_core::CustomerId;
use vnum_lifecycle::NumberKind;
use vnum_server::{Running, Settings};

use support::{PgSchema, offer_on, read, rent_on};

mod support;

/// How long a change committed through one server may read as it was through the other.
/// Measured here at a few milliseconds; the bound leaves room for a loaded machine.
const STALENESS_BOUND: Duration = Duration::from_secs(1);

/// One of the servers: its base URL and the running process state.
struct Instance {
    base: String,
    running: Running,
}

async fn instance(database_url: &str, seed_demo: bool) -> Instance {
    let settings = Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: database_url.to_owned(),
        seed_demo,
        seed_catalogue: false,
        ..Settings::default()
    };
    let running = vnum_server::start(&settings).await.unwrap();
    Instance {
        base: format!("http://{}", running.addr),
        running,
    }
}

async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = http.request(method, url).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    read(request.send().await.unwrap()).await
}

/// Polls `probe` until it holds; the time it took.
async fn within_bound<F, Fut>(what: &str, mut probe: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    loop {
        if probe().await {
            let lag = start.elapsed();
            assert!(lag < STALENESS_BOUND, "{what}: after {lag:?}");
            return lag;
        }
        assert!(
            start.elapsed() < STALENESS_BOUND,
            "{what}: not within {STALENESS_BOUND:?}"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_one_server_writes_the_other_reads_within_milliseconds() {
    let Some(schema) = PgSchema::create().await else {
        return;
    };
    let mut one = instance(&schema.url, true).await;
    let demo = one
        .running
        .demo
        .take()
        .expect("the first start seeds the demo");
    let other = instance(&schema.url, false).await;
    let http = reqwest::Client::new();
    let op = demo.operator_key.clone();
    let http = &http;
    let other_base = other.base.as_str();
    let get = |base: &str, path: &str, token: &str| {
        let url = format!("{base}{path}");
        let token = token.to_owned();
        async move { call(http, reqwest::Method::GET, url, &token, None).await }
    };

    // A balance: read (and remembered) through the other server, topped up through one.
    let customer = demo.customer.get();
    let balance = format!("/v1/customers/{customer}/balance");
    let (status, before) = get(other_base, &balance, &op).await;
    assert_eq!(status, StatusCode::OK, "{before}");
    let (status, _) = read(
        http.post(format!("{}/v1/customers/{customer}/top-ups", one.base))
            .bearer_auth(&op)
            .header("Idempotency-Key", "scale-out-1")
            .json(&json!({"amount": "7.00", "currency": "EUR"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let was: rust_decimal::Decimal = before["balance"]["amount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let expected = (was + rust_decimal::Decimal::new(700, 2)).to_string();
    let balance_lag = within_bound("the top-up through the other server", || {
        let (get, balance, op, expected) = (&get, &balance, &op, &expected);
        async move {
            let (_, now) = get(other_base, balance, op).await;
            now["balance"]["amount"] == expected.as_str()
        }
    })
    .await;

    // A number and its route: connected, then deleted through one server.
    let offer = offer_on(&one.running.vnum, "DE", NumberKind::Mobile, false, true).await;
    let route = "/v1/engine/route?to=%2B4915112345678";
    let (_, unknown) = get(other_base, route, &demo.engine_key).await;
    assert_eq!(unknown["status"], 404, "{unknown}");
    let number = rent_on(
        &one.running.vnum,
        CustomerId(customer),
        &offer,
        "+4915112345678",
    )
    .await;
    let route_lag = within_bound("the new number routed by the other server", || {
        let get = &get;
        let engine = &demo.engine_key;
        async move {
            let (_, now) = get(other_base, route, engine).await;
            now["number"] == number.get()
        }
    })
    .await;
    let path = format!("/v1/customers/{customer}/numbers/{}", number.get());
    let (status, _) = call(
        http,
        reqwest::Method::DELETE,
        format!("{}{path}", one.base),
        &demo.customer_key,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let number_lag = within_bound("the deletion read through the other server", || {
        let (get, path, key) = (&get, &path, &demo.customer_key);
        async move {
            let (_, now) = get(other_base, path, key).await;
            now["state"] == "deleted"
        }
    })
    .await;
    let (_, gone) = get(other_base, route, &demo.engine_key).await;
    assert_eq!(gone["status"], 404, "{gone}");

    // A key revoked through one server stops working on the other.
    let (status, created) = call(
        http,
        reqwest::Method::POST,
        format!("{}/v1/keys", one.base),
        &op,
        json!({"name": "billing export", "customer": customer}).into(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let token = created["token"].as_str().unwrap().to_owned();
    let (status, _) = get(other_base, &balance, &token).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the new key works on the other server"
    );
    let (status, _) = call(
        http,
        reqwest::Method::DELETE,
        format!("{}/v1/keys/{}", one.base, created["id"]),
        &op,
        None,
    )
    .await;
    assert!(status.is_success(), "{status}");
    let key_lag = within_bound("the revoked key refused by the other server", || {
        let (get, balance, token) = (&get, &balance, &token);
        async move { get(other_base, balance, token).await.0 == StatusCode::UNAUTHORIZED }
    })
    .await;

    println!(
        "read through the other server after: balance {balance_lag:?}, route {route_lag:?}, \
         number {number_lag:?}, revoked key {key_lag:?}"
    );
    other.running.stop().await.unwrap();
    one.running.stop().await.unwrap();
    schema.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_started_together_on_an_empty_database_migrate_and_seed_once() {
    let Some(schema) = PgSchema::create().await else {
        return;
    };
    let settings = |seed_catalogue: bool| Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: schema.url.clone(),
        seed_catalogue,
        ..Settings::default()
    };
    let settings = settings(true);
    let (one, two, three) = tokio::join!(
        vnum_server::start(&settings),
        vnum_server::start(&settings),
        vnum_server::start(&settings),
    );
    let mut servers = [one.unwrap(), two.unwrap(), three.unwrap()];
    let seeded: Vec<bool> = servers.iter().map(|s| s.demo.is_some()).collect();
    assert_eq!(
        seeded.iter().filter(|s| **s).count(),
        1,
        "one server seeds the demo: {seeded:?}"
    );
    let demo = servers
        .iter_mut()
        .find_map(|s| s.demo.take())
        .expect("a demo");
    // Every server serves the one catalogue: no offer twice.
    let http = reqwest::Client::new();
    let mut counts = Vec::new();
    for server in &servers {
        let (status, offers) = call(
            &http,
            reqwest::Method::GET,
            format!("http://{}/v1/offers?limit=500", server.addr),
            &demo.operator_key,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{offers}");
        let items = offers["items"].as_array().unwrap();
        let mut keys: Vec<String> = items
            .iter()
            .map(|o| format!("{} {} {}", o["country"], o["kind"], o["city"]))
            .collect();
        let all = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), all, "an offer seeded twice: {keys:?}");
        counts.push(all);
    }
    assert!(
        counts[0] > 0 && counts.iter().all(|c| *c == counts[0]),
        "{counts:?}"
    );
    for server in servers {
        server.stop().await.unwrap();
    }
    schema.drop().await;
}
