//! Numbers that do not renew and their renewal history, over HTTP on the real server, on
//! SQLite and on PostgreSQL (R10.6, R10.7, R10.2, R11.1): set not to renew before the charge
//! day in the billing time zone, a number is not charged, is released at the end of its
//! paid period, and its history lists the periods charged; set on the charge day itself, it
//! is charged that day once more; a customer who changes their mind before the day is
//! charged as usual; and no customer touches another's number.

// A panic in a test or its helpers is a failed assertion.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use vnum_app::memory::ManualClock;
use vnum_server::Settings;

use support::{PgSchema, Server};

mod support;

/// Moscow: three hours ahead of UTC all year, so its days start at 21:00 UTC the day
/// before (R10.D2).
const ZONE: &str = "Europe/Moscow";

fn instant(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// The server on SQLite (`None`) or on a fresh PostgreSQL schema, in Moscow's billing
/// time zone, on a clock at 20 January 2026, 12:00 in Moscow.
async fn start(schema: Option<&PgSchema>) -> Server {
    let settings = Settings {
        billing_time_zone: ZONE.parse().unwrap(),
        ..Settings::default()
    };
    let clock = ManualClock::new(instant("2026-01-20T09:00:00Z"));
    match schema {
        Some(schema) => Server::start_on_database(settings, clock, &schema.url).await,
        None => Server::start_on(settings, clock).await,
    }
}

/// Runs a story on SQLite and on PostgreSQL (skipped, with the reason printed, when there
/// is no PostgreSQL outside CI).
macro_rules! on_both {
    ($story:ident, $sqlite:ident, $postgres:ident) => {
        #[tokio::test]
        async fn $sqlite() {
            let server = start(None).await;
            $story(&server).await;
            server.stop().await;
        }

        #[tokio::test]
        async fn $postgres() {
            let Some(schema) = PgSchema::create().await else {
                return;
            };
            let server = start(Some(&schema)).await;
            $story(&server).await;
            server.stop().await;
            schema.drop().await;
        }
    };
}

/// A customer registered and funded by the operator: its id and key.
async fn customer(server: &Server, email: &str) -> (i64, String) {
    let (id, key) = server.register(email).await;
    let (status, receipt) = server
        .top_up(id, server.operator(), &format!("{email}-seed"), "50.00")
        .await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    (id, key)
}

/// Buys one Munich landline number (connected at once, R2.1) for a month: its id.
async fn buy(server: &Server, customer: i64, key: &str) -> i64 {
    let (_, offers) = server.get("/v1/offers", key).await;
    let munich = offers["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o.get("city").and_then(Value::as_str) == Some("Munich"))
        .unwrap_or_else(|| panic!("no Munich offer in {offers}"))
        .clone();
    let body = json!({
        "lines": [{"offer": munich["id"], "term_months": 1, "city": "Munich"}],
        "end_user": "personal"
    });
    let (status, placed) = server
        .post(&format!("/v1/customers/{customer}/orders"), key, body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    let number = &placed["numbers"][0];
    assert_eq!(number["state"], "active", "{placed}");
    assert_eq!(number["billing"]["connection_day"], 20);
    assert_eq!(number["billing"]["renews"], true);
    assert!(number["billing"].get("ends_on").is_none(), "{number}");
    number["id"].as_i64().unwrap()
}

async fn set_renewal(
    server: &Server,
    customer: i64,
    number: i64,
    key: &str,
    renews: bool,
) -> (StatusCode, Value) {
    server
        .put(
            &format!("/v1/customers/{customer}/numbers/{number}/renewal"),
            key,
            json!({ "renews": renews }),
        )
        .await
}

async fn number(server: &Server, customer: i64, number: i64, key: &str) -> Value {
    let (status, body) = server
        .get(&format!("/v1/customers/{customer}/numbers/{number}"), key)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn history(server: &Server, customer: i64, number: i64, key: &str) -> Vec<Value> {
    let (status, page) = server
        .get(
            &format!("/v1/customers/{customer}/numbers/{number}/renewals"),
            key,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.get("next").is_none(), "{page}");
    page["items"].as_array().unwrap().clone()
}

/// Runs the renewals through the operator's endpoint.
async fn run(server: &Server) -> Value {
    let (status, report) = server
        .post("/v1/renewals/run", server.operator(), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    report
}

/// The R10.2 renewals in the customer's ledger, as (number, period start).
async fn renewal_charges(server: &Server, customer: i64, key: &str) -> Vec<(i64, String)> {
    let (status, ledger) = server
        .get(&format!("/v1/customers/{customer}/ledger"), key)
        .await;
    assert_eq!(status, StatusCode::OK, "{ledger}");
    ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["rule"] == "R10.2")
        .map(|e| {
            (
                e["number"].as_i64().unwrap(),
                e["period_start"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// R10.7 in the billing time zone: one number set not to renew at 23:30 in Moscow on the
/// day before its charge day, one at 00:30 on the charge day (still the day before in UTC).
/// The first is not charged and is released on the 20th; the second is charged on the
/// 20th, as a deletion on the charge day would be, and released a month later. Nothing is
/// refunded (R10.6); a released number cannot renew again; the history lists what was
/// charged.
async fn not_renewing(server: &Server) {
    let (anna, key) = customer(server, "anna@example.com").await;
    let early = buy(server, anna, &key).await;
    let late = buy(server, anna, &key).await;
    let renewing = buy(server, anna, &key).await;

    // 19 February, 23:30 in Moscow.
    server.clock().set(instant("2026-02-19T20:30:00Z"));
    let (status, stopped) = set_renewal(server, anna, early, &key, false).await;
    assert_eq!(status, StatusCode::OK, "{stopped}");
    assert_eq!(stopped["billing"]["renews"], false);
    assert_eq!(stopped["billing"]["ends_on"], "2026-02-20");
    // Asked again, nothing changes.
    let (status, again) = set_renewal(server, anna, early, &key, false).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["billing"]["ends_on"], "2026-02-20");

    // 20 February, 00:30 in Moscow: the charge day itself.
    server.clock().set(instant("2026-02-19T21:30:00Z"));
    let (status, stopped) = set_renewal(server, anna, late, &key, false).await;
    assert_eq!(status, StatusCode::OK, "{stopped}");
    assert_eq!(stopped["billing"]["ends_on"], "2026-03-20", "{stopped}");
    let balance_before = server
        .get(&format!("/v1/customers/{anna}/balance"), &key)
        .await
        .1;

    let report = run(server).await;
    assert_eq!(report["charged"], 2, "{report}");
    assert_eq!(report["released"], json!([early]), "{report}");
    let released = number(server, anna, early, &key).await;
    assert_eq!(released["state"], "deleted", "{released}");
    assert_eq!(released["billing"]["paid_through"], "2026-02-20");
    let charged = number(server, anna, late, &key).await;
    assert_eq!(charged["state"], "active");
    assert_eq!(charged["billing"]["paid_through"], "2026-03-20");
    assert_eq!(charged["billing"]["renews"], false);
    // Running again charges and releases nothing (R10.D4).
    let again = run(server).await;
    assert_eq!(
        (again["charged"].clone(), again["released"].clone()),
        (json!(0), json!([]))
    );

    // Too late once released (R10.7).
    let (status, problem) = set_renewal(server, anna, early, &key, true).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["rule"], "R10.7", "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("2026-02-20"),
        "{problem}"
    );

    // 20 March: the second ends without a charge, the third renews.
    server.clock().set(instant("2026-03-20T09:00:00Z"));
    let report = run(server).await;
    assert_eq!(report["charged"], 1, "{report}");
    assert_eq!(report["released"], json!([late]), "{report}");
    assert_eq!(
        renewal_charges(server, anna, &key).await,
        vec![
            (late, "2026-02-20".to_owned()),
            (renewing, "2026-02-20".to_owned()),
            (renewing, "2026-03-20".to_owned()),
        ]
    );
    let balance_after = server
        .get(&format!("/v1/customers/{anna}/balance"), &key)
        .await
        .1;
    assert_ne!(balance_before, balance_after);

    // The history: the first month paid with the order (R1.4), then each renewal (R10.2).
    let early_history = history(server, anna, early, &key).await;
    assert_eq!(early_history.len(), 1, "{early_history:?}");
    assert_eq!(early_history[0]["rule"], "R1.4");
    assert_eq!(early_history[0]["start"], "2026-01-20");
    assert_eq!(early_history[0]["end"], "2026-02-20");
    let late_history = history(server, anna, late, &key).await;
    let periods: Vec<(&str, &str, &str)> = late_history
        .iter()
        .map(|p| {
            (
                p["start"].as_str().unwrap(),
                p["end"].as_str().unwrap(),
                p["rule"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        periods,
        [
            ("2026-01-20", "2026-02-20", "R1.4"),
            ("2026-02-20", "2026-03-20", "R10.2"),
        ]
    );
    assert_eq!(
        late_history[1]["amount"]["amount"], "4.50",
        "{late_history:?}"
    );
    assert!(late_history[1].get("setup_fee").is_none());
    assert!(
        late_history[0]["ledger_entry"].as_i64().unwrap()
            < late_history[1]["ledger_entry"].as_i64().unwrap()
    );
    // One page at a time.
    let (status, first_page) = server
        .get(
            &format!("/v1/customers/{anna}/numbers/{late}/renewals?limit=1"),
            &key,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{first_page}");
    assert_eq!(first_page["items"].as_array().unwrap().len(), 1);
    let next = first_page["next"].as_str().unwrap();
    let (_, second_page) = server
        .get(
            &format!("/v1/customers/{anna}/numbers/{late}/renewals?limit=1&after={next}"),
            &key,
        )
        .await;
    assert_eq!(second_page["items"][0]["rule"], "R10.2", "{second_page}");
}

on_both!(
    not_renewing,
    r10_7_not_renewing_ends_the_paid_period_uncharged_and_releases_the_number_on_sqlite,
    r10_7_not_renewing_ends_the_paid_period_uncharged_and_releases_the_number_on_postgres
);

/// R10.7: set not to renew on the 10th and renewing again on the 15th, a number is charged
/// on the 20th as if it had never stopped.
async fn changed_mind(server: &Server) {
    let (anna, key) = customer(server, "anna@example.com").await;
    let number_id = buy(server, anna, &key).await;
    server.clock().set(instant("2026-02-10T09:00:00Z"));
    let (status, stopped) = set_renewal(server, anna, number_id, &key, false).await;
    assert_eq!(status, StatusCode::OK, "{stopped}");
    assert_eq!(stopped["billing"]["ends_on"], "2026-02-20");
    server.clock().set(instant("2026-02-15T09:00:00Z"));
    let (status, renewing) = set_renewal(server, anna, number_id, &key, true).await;
    assert_eq!(status, StatusCode::OK, "{renewing}");
    assert_eq!(renewing["billing"]["renews"], true);
    assert!(renewing["billing"].get("ends_on").is_none(), "{renewing}");

    server.clock().set(instant("2026-02-20T09:00:00Z"));
    let report = run(server).await;
    assert_eq!(report["charged"], 1, "{report}");
    assert_eq!(report["released"], json!([]), "{report}");
    let renewed = number(server, anna, number_id, &key).await;
    assert_eq!(renewed["state"], "active");
    assert_eq!(renewed["billing"]["paid_through"], "2026-03-20");
    assert_eq!(
        renewal_charges(server, anna, &key).await,
        vec![(number_id, "2026-02-20".to_owned())]
    );
    let rules: Vec<String> = history(server, anna, number_id, &key)
        .await
        .iter()
        .map(|p| p["rule"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(rules, ["R1.4", "R10.2"]);
}

on_both!(
    changed_mind,
    r10_7_changing_ones_mind_before_the_charge_day_is_charged_as_usual_on_sqlite,
    r10_7_changing_ones_mind_before_the_charge_day_is_charged_as_usual_on_postgres
);

/// Another customer's number answers 404 to setting its renewal and to its history, as an
/// unknown one does, and nothing changes; an operator may act for the customer.
async fn other_customers(server: &Server) {
    let (anna, anna_key) = customer(server, "anna@example.com").await;
    let (boris, boris_key) = customer(server, "boris@example.com").await;
    let annas = buy(server, anna, &anna_key).await;
    for (path_customer, key) in [(anna, &boris_key), (boris, &boris_key)] {
        let (status, problem) = set_renewal(server, path_customer, annas, key, false).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
        let (status, problem) = server
            .get(
                &format!("/v1/customers/{path_customer}/numbers/{annas}/renewals"),
                key,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    }
    let untouched = number(server, anna, annas, &anna_key).await;
    assert_eq!(untouched["billing"]["renews"], true);
    let (status, by_operator) = set_renewal(server, anna, annas, server.operator(), false).await;
    assert_eq!(status, StatusCode::OK, "{by_operator}");
    assert_eq!(by_operator["billing"]["renews"], false);
}

on_both!(
    other_customers,
    r10_7_a_customer_cannot_touch_another_customers_renewal_on_sqlite,
    r10_7_a_customer_cannot_touch_another_customers_renewal_on_postgres
);
