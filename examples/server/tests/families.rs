//! The endpoint families beyond customers and balances, end to end over a real socket: SIP
//! accounts and the SIP engine, free tests, the waitlist, one-shot SMS, statistics,
//! companies and operators' runs; and the tenant rule for every one of them.
//!
//! What no endpoint does (a carrier connecting a number, stock arriving) is set up through
//! the application the server runs, [`vnum_server::Running::application`].

// A panic in a test or its helpers is a failed assertion.
#![allow(clippy::unwrap_used)]

use chrono::{Duration, TimeZone as _, Utc};
use md5::{Digest as _, Md5};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vnum_calls::{ForwardingPlan, ForwardingTarget, RingTime};
use vnum_core::CustomerId;
use vnum_lifecycle::NumberKind;
use vnum_testkit::phone;

use support::{Backend, Customer, Server, read};
use vnum_app::memory::ManualClock;

mod support;

fn detail(problem: &Value) -> &str {
    problem["detail"].as_str().unwrap()
}

#[tokio::test]
async fn r5_1_a_sip_password_is_shown_once_and_the_engine_gets_its_ha1() {
    let server = Server::start_without_catalogue().await;
    let anna = server.customer("anna@example.com", "person").await;
    let accounts = format!("/v1/customers/{}/sip-accounts", anna.id);

    let (no_number, problem) = server.post(&accounts, &anna.key, json!({})).await;
    assert_eq!(no_number, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["rule"], "R5.1");

    let offer = server.offer("DE", NumberKind::Mobile, false, true).await;
    let number = server.rent(&anna, &offer, "+4915112345678").await;
    let (created, issued) = server
        .post(&accounts, &anna.key, json!({"login": "anna-desk"}))
        .await;
    assert_eq!(created, StatusCode::CREATED, "{issued}");
    let login = issued["account"]["login"].as_str().unwrap();
    let domain = issued["account"]["domain"].as_str().unwrap();
    let password = issued["password"].as_str().unwrap();
    assert_eq!(login, "anna-desk");
    assert_eq!(domain, "sip.vnum.example");
    assert!(password.len() >= 16, "{password}");

    let (status, digest) = server
        .get(
            &format!("/v1/engine/sip-accounts/{login}"),
            server.operator(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{digest}");
    assert_eq!(digest["realm"], domain);
    assert_eq!(
        digest["ha1"],
        md5_hex(&format!("{login}:{domain}:{password}"))
    );

    let (unknown, _) = server
        .get("/v1/engine/sip-accounts/nobody", server.operator())
        .await;
    assert_eq!(unknown, StatusCode::NOT_FOUND);

    let (_, listed) = server.get(&accounts, &anna.key).await;
    let listed = &listed["items"];
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["login"], login);
    assert_eq!(listed[0]["presented_number"], number.get());
    assert!(!listed.to_string().contains(password), "{listed}");
    assert!(listed[0].get("password").is_none() && listed[0].get("ha1").is_none());

    let account = listed[0]["id"].as_i64().unwrap();
    let (reset, renewed) = server
        .post(
            &format!("{accounts}/{account}/password"),
            &anna.key,
            json!({}),
        )
        .await;
    assert_eq!(reset, StatusCode::OK, "{renewed}");
    let new_password = renewed["password"].as_str().unwrap();
    assert_ne!(new_password, password);
    let (_, digest) = server
        .get(
            &format!("/v1/engine/sip-accounts/{login}"),
            server.operator(),
        )
        .await;
    assert_eq!(
        digest["ha1"],
        md5_hex(&format!("{login}:{domain}:{new_password}"))
    );

    let (put, cleared) = server
        .send(
            Method::PUT,
            &format!("{accounts}/{account}/presented-number"),
            &anna.key,
            Some(json!({})),
        )
        .await;
    assert_eq!(put, StatusCode::OK, "{cleared}");
    assert!(cleared.get("presented_number").is_none(), "{cleared}");
    server.stop().await;
}

fn md5_hex(text: &str) -> String {
    Md5::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn the_engine_routes_calls_and_decides_caller_ids() {
    let server = Server::start_without_catalogue().await;
    let op = server.operator().to_owned();
    let anna = server.customer("anna@example.com", "person").await;
    let offer = server.offer("DE", NumberKind::Mobile, false, true).await;
    let number = server.rent(&anna, &offer, "+4915112345678").await;

    let (status, unknown) = server.get("/v1/engine/route?to=%2B4930999999", &op).await;
    assert_eq!(status, StatusCode::OK, "{unknown}");
    assert_eq!(unknown["action"], "reject");
    assert_eq!(unknown["status"], 404);
    assert_eq!(unknown["rule"], "R5.3");
    assert!(
        unknown.get("number").is_none(),
        "nobody rents it: {unknown}"
    );

    // An unencoded `+` arrives as a space and still names the number.
    let (_, unconfigured) = server.get("/v1/engine/route?to=+4915112345678", &op).await;
    assert_eq!(unconfigured["action"], "reject");
    assert_eq!(unconfigured["status"], 480);

    let (_, issued) = server
        .post(
            &format!("/v1/customers/{}/sip-accounts", anna.id),
            &anna.key,
            json!({"login": "anna-desk"}),
        )
        .await;
    let targets = vec![
        ForwardingTarget::parse("account:anna-desk").unwrap(),
        ForwardingTarget::parse("+4930123456").unwrap(),
    ];
    let plan = ForwardingPlan::simultaneous(targets, RingTime::from_seconds(20).unwrap()).unwrap();
    server
        .vnum()
        .set_forwarding(CustomerId(anna.id), number, Some(plan))
        .await
        .unwrap();

    let (_, ring) = server
        .get("/v1/engine/route?to=%2B4915112345678", &op)
        .await;
    assert_eq!(ring["action"], "ring", "{ring}");
    assert_eq!(ring["rule"], "R4.4");
    assert_eq!(ring["number"], number.get(), "the call record names it");
    let branches = ring["branches"].as_array().unwrap();
    assert_eq!(branches.len(), 2);
    assert_eq!(branches[0]["uri"], "sip:anna-desk@sip.vnum.example");
    assert_eq!(branches[0]["step"], 0);
    assert_eq!(branches[0]["timeout_seconds"], 20);

    let (_, rtjson) = server
        .get("/v1/engine/route?to=%2B4915112345678&format=rtjson", &op)
        .await;
    assert_eq!(rtjson["routing"], "parallel", "{rtjson}");
    assert_eq!(rtjson["version"], "1.0");
    assert_eq!(rtjson["routes"][0]["uri"], branches[0]["uri"]);
    assert_eq!(rtjson["routes"][1]["fr_inv_timer"], 20_000);
    assert!(rtjson.get("branches").is_none());

    let login = issued["account"]["login"].as_str().unwrap();
    let (status, outbound) = server
        .get(
            &format!("/v1/engine/outbound?login={login}&to=%2B4930123456"),
            &op,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{outbound}");
    assert_eq!(outbound["caller_id"], "withheld");
    assert_eq!(outbound["rule"], "R6.2");
    assert_eq!(
        outbound["number_id"],
        number.get(),
        "the call is recorded on it"
    );
    let (unknown_login, _) = server
        .get("/v1/engine/outbound?login=nobody&to=%2B4930123456", &op)
        .await;
    assert_eq!(unknown_login, StatusCode::NOT_FOUND);
    let (bad_number, problem) = server.get("/v1/engine/route?to=12", &op).await;
    assert_eq!(bad_number, StatusCode::BAD_REQUEST, "{problem}");
    assert!(detail(&problem).contains("`to`"), "{problem}");
    server.stop().await;
}

#[tokio::test]
async fn r8_free_tests_start_suggest_another_country_and_run_one_at_a_time() {
    let server = Server::start_without_catalogue().await;
    let anna = server.customer("anna@example.com", "person").await;
    let trials = format!("/v1/customers/{}/trials", anna.id);
    let testable = server.offer("DE", NumberKind::Mobile, true, true).await;
    let purchase_only = server.offer("AT", NumberKind::Mobile, false, true).await;
    server
        .vnum()
        .add_stock(testable.id(), vec![phone("+4915100000001")])
        .await
        .unwrap();
    server
        .vnum()
        .add_stock(purchase_only.id(), vec![phone("+436641000001")])
        .await
        .unwrap();

    let (suggested, suggestion) = server
        .post(
            &trials,
            &anna.key,
            json!({"country": "AT", "kind": "mobile"}),
        )
        .await;
    assert_eq!(suggested, StatusCode::OK, "{suggestion}");
    assert_eq!(suggestion["rule"], "R8.2");
    assert_eq!(suggestion["offer"], testable.id().get());
    assert_eq!(suggestion["country"], "DE");

    let (started, trial) = server
        .post(
            &trials,
            &anna.key,
            json!({"country": "DE", "kind": "mobile"}),
        )
        .await;
    assert_eq!(started, StatusCode::CREATED, "{trial}");
    assert_eq!(trial["number"], "+4915100000001");
    let started_at: chrono::DateTime<Utc> = trial["started_at"].as_str().unwrap().parse().unwrap();
    let ends_at: chrono::DateTime<Utc> = trial["ends_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(ends_at - started_at, Duration::hours(1));

    let (second, problem) = server
        .post(
            &trials,
            &anna.key,
            json!({"country": "DE", "kind": "mobile"}),
        )
        .await;
    assert_eq!(second, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        problem["rule"].as_str().unwrap().starts_with("R8"),
        "{problem}"
    );

    let (_, listed) = server.get(&trials, &anna.key).await;
    let listed = &listed["items"];
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], trial["id"]);

    // R8 Decision: the test number is forwarded like a rented one, by its customer only,
    // and never to a target the R5 Decision forbids.
    let forwarding = format!("{trials}/{}/forwarding", trial["id"]);
    let plan = json!({"strategy": "single", "targets": [{"target": "203.0.113.5:5060"}]});
    let (set, forwarded) = server.put(&forwarding, &anna.key, plan.clone()).await;
    assert_eq!(set, StatusCode::OK, "{forwarded}");
    assert_eq!(forwarded["forwarding"]["strategy"], "single", "{forwarded}");
    let bob = server.customer("bob@example.com", "person").await;
    let bobs = format!(
        "/v1/customers/{}/trials/{}/forwarding",
        anna.id, trial["id"]
    );
    let (foreign, _) = server.put(&bobs, &bob.key, plan).await;
    assert_eq!(foreign, StatusCode::NOT_FOUND);
    let private = json!({"strategy": "single", "targets": [{"target": "10.0.0.1"}]});
    let (refused, problem) = server.put(&forwarding, &anna.key, private).await;
    assert_eq!(refused, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["rule"], "R5.D1", "{problem}");

    let (unknown_kind, problem) = server
        .post(
            &trials,
            &anna.key,
            json!({"country": "DE", "kind": "satellite"}),
        )
        .await;
    assert_eq!(unknown_kind, StatusCode::BAD_REQUEST);
    assert!(detail(&problem).contains("satellite"), "{problem}");
    let (bad_country, problem) = server
        .post(
            &trials,
            &anna.key,
            json!({"country": "ZZ", "kind": "mobile"}),
        )
        .await;
    assert_eq!(bad_country, StatusCode::BAD_REQUEST, "{problem}");
    assert!(detail(&problem).contains("\"ZZ\""), "{problem}");
    server.stop().await;
}

#[tokio::test]
async fn r7_a_restock_notifies_who_waits_and_an_entry_can_be_cancelled() {
    let server = Server::start_without_catalogue().await;
    let anna = server.customer("anna@example.com", "person").await;
    let waitlist = format!("/v1/customers/{}/waitlist", anna.id);
    let unlisted = server.offer("FR", NumberKind::Mobile, false, false).await;
    server.offer("ES", NumberKind::Mobile, false, true).await;

    let (on_sale, problem) = server
        .post(&waitlist, &anna.key, json!({"country": "ES"}))
        .await;
    assert_eq!(on_sale, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["rule"], "R7.1");

    let (joined, entry) = server
        .post(
            &waitlist,
            &anna.key,
            json!({"country": "FR", "kind": "mobile"}),
        )
        .await;
    assert_eq!(joined, StatusCode::CREATED, "{entry}");
    assert_eq!(entry["state"], "waiting");
    let (again, _) = server
        .post(
            &waitlist,
            &anna.key,
            json!({"country": "FR", "kind": "mobile"}),
        )
        .await;
    assert_eq!(again, StatusCode::CONFLICT);
    let (_, other) = server
        .post(
            &waitlist,
            &anna.key,
            json!({"country": "IT", "city": "Roma"}),
        )
        .await;

    let restock = format!("/v1/offers/{}/restock", unlisted.id().get());
    let (forbidden, _) = server
        .post(&restock, &anna.key, json!({"numbers": ["+33612345678"]}))
        .await;
    assert_eq!(forbidden, StatusCode::FORBIDDEN);
    let (status, report) = server
        .post(
            &restock,
            server.operator(),
            json!({"numbers": ["+33612345678"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["listed_now"], true);
    assert_eq!(report["notified"][0]["id"], entry["id"]);
    assert_eq!(report["notified"][0]["customer"], anna.id);

    let (cancelled, closed) = server
        .send(
            Method::DELETE,
            &format!("{waitlist}/{}", other["id"]),
            &anna.key,
            None,
        )
        .await;
    assert_eq!(cancelled, StatusCode::OK, "{closed}");
    assert_eq!(closed["state"], "cancelled");
    let (_, entries) = server.get(&waitlist, &anna.key).await;
    let states: Vec<&str> = entries["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["fulfilled", "cancelled"]);
    server.stop().await;
}

#[tokio::test]
async fn r9_a_one_shot_number_receives_exactly_one_sms() {
    let server = Server::start_without_catalogue().await;
    let op = server.operator().to_owned();
    let anna = server.customer("anna@example.com", "person").await;
    let allocations = format!("/v1/customers/{}/sms-allocations", anna.id);
    let offer = server.offer("DE", NumberKind::Sms, false, true).await;
    server
        .vnum()
        .add_stock(offer.id(), vec![phone("+4915200000001")])
        .await
        .unwrap();

    let (created, allocation) = server
        .post(
            &allocations,
            &anna.key,
            json!({"service": "telegram", "offer": offer.id().get()}),
        )
        .await;
    assert_eq!(created, StatusCode::CREATED, "{allocation}");
    assert_eq!(allocation["number"], "+4915200000001");
    assert_eq!(allocation["state"], "waiting");
    assert_eq!(
        allocation["price"],
        json!({"amount": "5.00", "currency": "EUR"})
    );

    let sms = json!({"to": "+4915200000001", "from": "Telegram", "text": "code 12345"});
    let (delivered, used) = server.post("/v1/engine/sms", &op, sms.clone()).await;
    assert_eq!(delivered, StatusCode::OK, "{used}");
    assert_eq!(used["recipient"], "allocation", "{used}");
    assert_eq!(used["allocation"]["state"], "used");
    assert!(used.get("message").is_none(), "{used}");
    let (second, problem) = server.post("/v1/engine/sms", &op, sms).await;
    assert_eq!(second, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["rule"], "R9.1");
    let (unknown, _) = server
        .post(
            "/v1/engine/sms",
            &op,
            json!({"to": "+4915200000009", "from": "x", "text": "y"}),
        )
        .await;
    assert_eq!(unknown, StatusCode::NOT_FOUND);

    let (_, listed) = server.get(&allocations, &anna.key).await;
    let listed = &listed["items"];
    assert_eq!(listed[0]["message"]["text"], "code 12345");
    assert_eq!(listed[0]["message"]["from"], "Telegram");
    server.stop().await;
}

/// A rented number's SMS: delivered by the gateway, kept for its customer a page at a time,
/// newest first, refused in debt (R10.4) and after deletion (R10.7); nobody else reads them.
async fn r10_4_a_rented_number_receives_sms_kept_for_its_customer(backend: Backend) {
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap());
    let Some(server) = Server::start_story(backend, clock).await else {
        return;
    };
    let op = server.operator().to_owned();
    let engine = server.engine().to_owned();
    // Anna pays exactly the first month of a number at 5.00 EUR.
    let (id, key) = server.register_as("anna@example.com", "person").await;
    let anna = Customer { id, key };
    let (status, _) = server.top_up(anna.id, &op, "first-month", "5.00").await;
    assert_eq!(status, StatusCode::CREATED);
    let bob = server.customer("bob@example.com", "person").await;
    let offer = server.offer("DE", NumberKind::Mobile, false, true).await;
    let number = server.rent(&anna, &offer, "+4915112345678").await;
    let inbox = format!("/v1/customers/{}/numbers/{}/sms", anna.id, number.get());
    let sms = |text: &str| json!({"to": "+4915112345678", "from": "Bank", "text": text});

    for i in 1..=3 {
        server.clock().advance(Duration::seconds(30));
        let (status, delivered) = server
            .post("/v1/engine/sms", &engine, sms(&format!("code {i}")))
            .await;
        assert_eq!(status, StatusCode::OK, "{delivered}");
        assert_eq!(delivered["recipient"], "number", "{delivered}");
        assert_eq!(delivered["message"]["number_id"], number.get());
        assert!(delivered.get("allocation").is_none(), "{delivered}");
    }
    let (status, page) = server.get(&format!("{inbox}?limit=2"), &anna.key).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(texts(&page), ["code 3", "code 2"]);
    assert_eq!(page["items"][0]["from"], "Bank");
    assert_eq!(page["items"][0]["to"], "+4915112345678");
    let next = page["next"].as_str().unwrap();
    let (_, rest) = server
        .get(&format!("{inbox}?limit=2&after={next}"), &anna.key)
        .await;
    assert_eq!(texts(&rest), ["code 1"]);
    assert!(rest.get("next").is_none(), "{rest}");

    // Bob reads neither Anna's messages nor whether the number exists.
    let (status, _) = server.get(&inbox, &bob.key).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = server
        .get(
            &format!("/v1/customers/{}/numbers/{}/sms", bob.id, number.get()),
            &bob.key,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A customer is not the SMS gateway.
    let (status, _) = server
        .post("/v1/engine/sms", &anna.key, sms("forged"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The second month is charged on 2 April with nothing on the balance (R10.3): in
    // debt, the number receives nothing (R10.4); paid, it does again (R10.D3).
    server
        .clock()
        .set(Utc.with_ymd_and_hms(2026, 4, 2, 9, 0, 0).unwrap());
    server.vnum().run_renewals().await.unwrap();
    let (status, problem) = server.post("/v1/engine/sms", &engine, sms("in debt")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["rule"], "R10.4");
    let (status, _) = server.top_up(anna.id, &op, "debt", "5.00").await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, delivered) = server.post("/v1/engine/sms", &engine, sms("paid")).await;
    assert_eq!(status, StatusCode::OK, "{delivered}");

    let (status, deleted) = server
        .send(
            Method::DELETE,
            &format!("/v1/customers/{}/numbers/{}", anna.id, number.get()),
            &anna.key,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{deleted}");
    let (status, problem) = server
        .post("/v1/engine/sms", &engine, sms("too late"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    let (_, kept) = server.get(&inbox, &anna.key).await;
    assert_eq!(texts(&kept), ["paid", "code 3", "code 2", "code 1"]);
    server.stop().await;
}

/// The texts of a page of messages, in its order.
fn texts(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn r10_4_a_rented_number_receives_sms_kept_for_its_customer_on_sqlite() {
    r10_4_a_rented_number_receives_sms_kept_for_its_customer(Backend::Sqlite).await;
}

#[tokio::test]
async fn r10_4_a_rented_number_receives_sms_kept_for_its_customer_on_postgres() {
    r10_4_a_rented_number_receives_sms_kept_for_its_customer(Backend::Postgres).await;
}

/// A professional recording ordered by the customer (R13.3) is an order with a status: the
/// operator finds it among the open orders and delivers the file, which becomes one of the
/// number's greetings, or cancels it with a refund of the whole price; each order ends once
/// and the customer is told (R13.D3).
async fn r13_d3_a_recording_order_is_delivered_as_a_greeting_or_cancelled_with_a_refund(
    backend: Backend,
) {
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap());
    let Some(server) = Server::start_story(backend, clock).await else {
        return;
    };
    let op = server.operator().to_owned();
    let anna = server.customer("anna@example.com", "person").await;
    let offer = server.offer("DE", NumberKind::Mobile, false, true).await;
    let number = server.rent(&anna, &offer, "+4915112345678").await;
    let base = format!("/v1/customers/{}/numbers/{}", anna.id, number.get());
    let orders = format!("{base}/voice-recordings");
    let balance = |body: &Value| body["balance"]["amount"].as_str().unwrap().to_owned();
    let (_, before) = server
        .get(&format!("/v1/customers/{}/balance", anna.id), &anna.key)
        .await;

    let (status, first) = server
        .post(
            &orders,
            &anna.key,
            json!({"text": "Welcome to Anna's office", "voice": "female"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["status"], "ordered");
    assert_eq!(
        first["price"],
        json!({"amount": "15.00", "currency": "EUR"})
    );
    let first_id = first["id"].as_i64().unwrap();

    // Only operators see the work list and deliver.
    let (status, _) = server.get("/v1/voice-recordings", &anna.key).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let delivery = format!("/v1/voice-recordings/{first_id}/delivery");
    let file = |bytes: Vec<u8>| {
        reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("recording.wav"),
        )
    };
    let (status, _) = server
        .upload(&delivery, &anna.key, file(support::wav(8000, 800)))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, open) = server.get("/v1/voice-recordings", &op).await;
    assert_eq!(status, StatusCode::OK, "{open}");
    assert_eq!(open["items"][0]["id"], first_id, "{open}");
    assert_eq!(open["items"][0]["text"], "Welcome to Anna's office");

    // A file that would not play is refused (R13.D1); the right one becomes a greeting.
    let (status, problem) = server
        .upload(&delivery, &op, file(support::wav(44_100, 800)))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["rule"], "R13.D1");
    let recording = support::wav(8000, 1600);
    let (status, delivered) = server.upload(&delivery, &op, file(recording.clone())).await;
    assert_eq!(status, StatusCode::OK, "{delivered}");
    assert_eq!(delivered["order"]["status"], "delivered");
    let greeting = delivered["greeting"]["id"].as_i64().unwrap();
    assert_eq!(delivered["order"]["greeting_id"], greeting);
    assert_eq!(delivered["greeting"]["duration_ms"], 200);
    let (_, shown) = server.get(&base, &anna.key).await;
    assert_eq!(shown["greetings"]["uploaded"][0]["id"], greeting, "{shown}");
    let audio = server
        .http
        .get(server.url(&format!("{base}/greetings/{greeting}")))
        .bearer_auth(&anna.key)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(audio.as_ref(), recording.as_slice());
    let (status, problem) = server
        .upload(&delivery, &op, file(support::wav(8000, 800)))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["rule"], "R13.D3");

    // A second order is cancelled: its whole price comes back, once.
    let (_, second) = server
        .post(
            &orders,
            &anna.key,
            json!({"text": "Out of office", "voice": "male"}),
        )
        .await;
    let second_id = second["id"].as_i64().unwrap();
    let cancellation = format!("/v1/voice-recordings/{second_id}/cancellation");
    let (status, _) = server
        .post(&cancellation, &anna.key, json!({"reason": "free please"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, cancelled) = server
        .post(
            &cancellation,
            &op,
            json!({"reason": "The studio is closed this month."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(
        cancelled["refund"],
        json!({"amount": "15.00", "currency": "EUR"})
    );
    let (status, problem) = server
        .post(&cancellation, &op, json!({"reason": "again"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["rule"], "R13.D3");
    let (_, after) = server
        .get(&format!("/v1/customers/{}/balance", anna.id), &anna.key)
        .await;
    let paid: rust_decimal::Decimal = balance(&before).parse().unwrap();
    let left: rust_decimal::Decimal = balance(&after).parse().unwrap();
    assert_eq!(
        paid - left,
        rust_decimal::Decimal::new(1500, 2),
        "one recording paid"
    );

    let (_, listed) = server.get(&orders, &anna.key).await;
    let statuses: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["delivered", "cancelled"]);
    let (_, open) = server.get("/v1/voice-recordings", &op).await;
    assert!(open["items"].as_array().unwrap().is_empty(), "{open}");
    let (_, events) = server.get("/v1/events", &anna.key).await;
    let types: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert!(types.contains(&"recording.delivered"), "{types:?}");
    assert!(types.contains(&"recording.cancelled"), "{types:?}");
    server.stop().await;
}

#[tokio::test]
async fn r13_d3_a_recording_order_is_delivered_or_cancelled_on_sqlite() {
    r13_d3_a_recording_order_is_delivered_as_a_greeting_or_cancelled_with_a_refund(Backend::Sqlite)
        .await;
}

#[tokio::test]
async fn r13_d3_a_recording_order_is_delivered_or_cancelled_on_postgres() {
    r13_d3_a_recording_order_is_delivered_as_a_greeting_or_cancelled_with_a_refund(
        Backend::Postgres,
    )
    .await;
}

#[tokio::test]
async fn r4_6_recorded_calls_make_the_statistics_and_the_call_list() {
    let server = Server::start_without_catalogue().await;
    let op = server.operator().to_owned();
    let anna = server.customer("anna@example.com", "person").await;
    let offer = server.offer("DE", NumberKind::Mobile, false, true).await;
    let number = server.rent(&anna, &offer, "+4915112345678").await;
    let start = Utc::now() - Duration::minutes(5);
    let answered = json!({
        "number": number.get(), "direction": "inbound", "from": "+4930111", "to": "+4915112345678",
        "start": start, "answer": start + Duration::seconds(5), "end": start + Duration::seconds(65),
        "disposition": "answered", "answered_by": "sip:anna@sip.vnum.example"
    });
    let missed = json!({
        "number": number.get(), "direction": "inbound", "from": "+4930222", "to": "+4915112345678",
        "start": start, "end": start + Duration::seconds(20), "disposition": "rejected",
        "sip_status": 480
    });

    // Reported with its Call-ID, and once more after a lost answer: stored once.
    let report = || {
        server
            .http
            .post(server.url("/v1/engine/calls"))
            .bearer_auth(&op)
            .header("Idempotency-Key", "a84b4c76e66710@pbx.example")
            .json(&answered)
            .send()
    };
    let (created, call) = read(report().await.unwrap()).await;
    assert_eq!(created, StatusCode::CREATED, "{call}");
    assert_eq!(call["talk_seconds"], 60);
    let (replayed, again) = read(report().await.unwrap()).await;
    assert_eq!(replayed, StatusCode::OK, "{again}");
    assert_eq!(again, call);
    // The same call named by the body's call_id is the same call.
    let mut named = answered.clone();
    named["call_id"] = json!("a84b4c76e66710@pbx.example");
    let (replayed, again) = server.post("/v1/engine/calls", &op, named.clone()).await;
    assert_eq!((replayed, &again), (StatusCode::OK, &call));
    let (disagree, problem) = read(
        server
            .http
            .post(server.url("/v1/engine/calls"))
            .bearer_auth(&op)
            .header("Idempotency-Key", "another@pbx.example")
            .json(&named)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(disagree, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(detail(&problem).contains("call_id"), "{problem}");

    let (created, call) = server.post("/v1/engine/calls", &op, missed).await;
    assert_eq!(created, StatusCode::CREATED, "{call}");
    assert_eq!(call["sip_status"], 480);
    let (no_status, problem) = server
        .post(
            "/v1/engine/calls",
            &op,
            json!({"number": number.get(), "direction": "inbound", "from": "a", "to": "b",
                   "start": start, "end": start, "disposition": "rejected"}),
        )
        .await;
    assert_eq!(no_status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(detail(&problem).contains("sip_status"), "{problem}");
    for status in [0, 200, 700] {
        let (refused, problem) = server
            .post(
                "/v1/engine/calls",
                &op,
                json!({"number": number.get(), "direction": "inbound", "from": "a", "to": "b",
                       "start": start, "end": start, "disposition": "rejected",
                       "sip_status": status}),
            )
            .await;
        assert_eq!(refused, StatusCode::UNPROCESSABLE_ENTITY, "{status}");
        assert!(detail(&problem).contains("300 to 699"), "{problem}");
    }

    let today = server.today();
    let (from, to) = (today - Duration::days(2), today + Duration::days(2));
    let base = format!("/v1/customers/{}", anna.id);
    let (status, stats) = server
        .get(
            &format!("{base}/statistics/calls?from={from}&to={to}"),
            &anna.key,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    let row = &stats["numbers"][0];
    assert_eq!(row["number"], number.get());
    assert_eq!(
        (row["calls"].as_i64(), row["answered"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        (row["missed"].as_i64(), row["talk_seconds"].as_i64()),
        (Some(1), Some(60))
    );

    let (_, calls) = server
        .get(
            &format!("{base}/calls?number={}&from={from}&to={to}", number.get()),
            &anna.key,
        )
        .await;
    assert_eq!(calls["items"].as_array().unwrap().len(), 2);

    let (_, ledger) = server
        .get(
            &format!("{base}/statistics/ledger?from={from}&to={to}"),
            &anna.key,
        )
        .await;
    let kinds: Vec<&str> = ledger["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["top_up", "charge"], "{ledger}");
    assert_eq!(ledger["net"], json!({"amount": "95.00", "currency": "EUR"}));

    let (bad_date, problem) = server
        .get(
            &format!("{base}/statistics/calls?from=2026-13-01&to={to}"),
            &anna.key,
        )
        .await;
    assert_eq!(bad_date, StatusCode::BAD_REQUEST);
    assert!(detail(&problem).contains("from"), "{problem}");
    let (backwards, _) = server
        .get(
            &format!("{base}/statistics/ledger?from={to}&to={from}"),
            &anna.key,
        )
        .await;
    assert_eq!(backwards, StatusCode::UNPROCESSABLE_ENTITY);
    server.stop().await;
}

fn valid_contract() -> Value {
    json!({
        "company_name": "Muster GmbH", "address": "Hauptstr. 1, 10115 Berlin",
        "iban": "DE89370400440532013000", "signatory_position": "Managing Director",
        "signatory_name": "Erika Mustermann"
    })
}

#[tokio::test]
async fn r12_a_company_signs_pays_by_transfer_and_gets_its_closing_documents() {
    let server = Server::start_without_catalogue().await;
    let person = server.customer("anna@example.com", "person").await;
    let company = server.customer("buero@muster.example", "company").await;
    let base = format!("/v1/customers/{}", company.id);

    let (refused, problem) = server
        .post(
            &format!("/v1/customers/{}/contract", person.id),
            &person.key,
            valid_contract(),
        )
        .await;
    assert_eq!(refused, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["rule"], "R12.1");

    let (incomplete, problem) = server
        .post(
            &format!("{base}/contract"),
            &company.key,
            json!({"company_name": "Muster GmbH", "bic": "X"}),
        )
        .await;
    assert_eq!(incomplete, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    for missing in ["address", "position", "full name", "bank details", "BIC"] {
        assert!(detail(&problem).contains(missing), "{missing}: {problem}");
    }

    let (signed, contract) = server
        .post(&format!("{base}/contract"), &company.key, valid_contract())
        .await;
    assert_eq!(signed, StatusCode::CREATED, "{contract}");
    assert_eq!(contract["version"], 1);
    let (_, read_back) = server.get(&format!("{base}/contract"), &company.key).await;
    assert_eq!(read_back["iban"], "DE89370400440532013000");

    let transfer = json!({"amount": {"amount": "250.00", "currency": "EUR"},
                          "received_on": "2026-01-15", "bank_reference": "RF18 5390 0754"});
    let transfers = format!("{base}/bank-transfers");
    let (forbidden, _) = server
        .post(&transfers, &company.key, transfer.clone())
        .await;
    assert_eq!(forbidden, StatusCode::FORBIDDEN);
    let (credited, entry) = server
        .post(&transfers, server.operator(), transfer.clone())
        .await;
    assert_eq!(credited, StatusCode::CREATED, "{entry}");
    assert_eq!(entry["kind"], "bank_transfer");
    let (repeated, _) = server.post(&transfers, server.operator(), transfer).await;
    assert_eq!(repeated, StatusCode::CONFLICT);

    let today = server.today();
    let documents = format!(
        "{base}/closing-documents?from={}&to={today}",
        today - Duration::days(30)
    );
    let (status, docs) = server.get(&documents, &company.key).await;
    assert_eq!(status, StatusCode::OK, "{docs}");
    assert_eq!(docs["invoice"]["header"]["customer"], "Muster GmbH");
    assert_eq!(docs["statement"]["closing"]["amount"], "350.00");
    assert!(docs["invoice_text"].as_str().unwrap().contains("INVOICE"));

    for (query, accept) in [("&format=text", "application/json"), ("", "text/plain")] {
        let response = server
            .http
            .get(format!("{}{documents}{query}", server.base))
            .bearer_auth(&company.key)
            .header("accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(content_type.starts_with("text/plain"), "{content_type}");
        let text = response.text().await.unwrap();
        assert!(
            text.contains("INVOICE") && text.contains(&docs["act_text"].as_str().unwrap()[..20])
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn operators_run_renewals_and_expiries_and_customers_cannot() {
    let server = Server::start_without_catalogue().await;
    let anna = server.customer("anna@example.com", "person").await;
    let (status, report) = server
        .post("/v1/renewals/run", server.operator(), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert!(
        report["days"].is_array() && report["charged"].is_u64(),
        "{report}"
    );
    let (status, ended) = server
        .post("/v1/trials/expire", server.operator(), json!({}))
        .await;
    assert_eq!((status, ended), (StatusCode::OK, json!([])));
    let (status, expired) = server
        .post("/v1/sms-allocations/expire", server.operator(), json!({}))
        .await;
    assert_eq!((status, expired), (StatusCode::OK, json!([])));

    let customer_only = [
        (Method::POST, "/v1/renewals/run"),
        (Method::POST, "/v1/trials/expire"),
        (Method::POST, "/v1/sms-allocations/expire"),
        (Method::GET, "/v1/engine/route?to=%2B4930123456"),
        (Method::GET, "/v1/engine/outbound?login=a&to=%2B4930123456"),
        (Method::GET, "/v1/engine/sip-accounts/anna"),
        (Method::POST, "/v1/engine/calls"),
        (Method::POST, "/v1/engine/sms"),
    ];
    let call = json!({"number": 1, "direction": "inbound", "from": "a", "to": "b",
                      "start": Utc::now(), "end": Utc::now(), "disposition": "busy"});
    for (method, path) in customer_only {
        let body = match path {
            "/v1/engine/calls" => Some(call.clone()),
            "/v1/engine/sms" => Some(json!({"to": "+4930123456", "from": "a", "text": "b"})),
            _ => None,
        };
        let (status, problem) = server.send(method, path, &anna.key, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {problem}");
    }
    server.stop().await;
}

#[tokio::test]
async fn a_customer_gets_404_for_every_resource_of_another() {
    let server = Server::start_without_catalogue().await;
    let anna = server.customer("anna@example.com", "company").await;
    let boris = server.customer("boris@example.com", "person").await;
    let offer = server.offer("DE", NumberKind::Mobile, true, true).await;
    let number = server.rent(&anna, &offer, "+4915112345678").await;
    let sms_offer = server.offer("DE", NumberKind::Sms, false, true).await;
    server
        .vnum()
        .add_stock(sms_offer.id(), vec![phone("+4915200000001")])
        .await
        .unwrap();
    server
        .vnum()
        .add_stock(offer.id(), vec![phone("+4915100000001")])
        .await
        .unwrap();
    let a = format!("/v1/customers/{}", anna.id);
    let (_, account) = server
        .post(&format!("{a}/sip-accounts"), &anna.key, json!({}))
        .await;
    let account = account["account"]["id"].as_i64().unwrap();
    let (started, _) = server
        .post(
            &format!("{a}/trials"),
            &anna.key,
            json!({"country": "DE", "kind": "mobile"}),
        )
        .await;
    assert_eq!(started, StatusCode::CREATED);
    let (_, entry) = server
        .post(
            &format!("{a}/waitlist"),
            &anna.key,
            json!({"country": "FR"}),
        )
        .await;
    let entry = entry["id"].as_i64().unwrap();
    let (allocated, _) = server
        .post(
            &format!("{a}/sms-allocations"),
            &anna.key,
            json!({"service": "telegram", "offer": sms_offer.id().get()}),
        )
        .await;
    assert_eq!(allocated, StatusCode::CREATED);
    let (signed, _) = server
        .post(&format!("{a}/contract"), &anna.key, valid_contract())
        .await;
    assert_eq!(signed, StatusCode::CREATED);
    let days = "from=2026-01-01&to=2026-12-31";

    let attempts: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("{a}/sip-accounts"), None),
        (Method::POST, format!("{a}/sip-accounts"), Some(json!({}))),
        (
            Method::POST,
            format!("{a}/sip-accounts/{account}/password"),
            Some(json!({})),
        ),
        (
            Method::PUT,
            format!("{a}/sip-accounts/{account}/presented-number"),
            Some(json!({"number": number.get()})),
        ),
        (Method::GET, format!("{a}/trials"), None),
        (
            Method::POST,
            format!("{a}/trials"),
            Some(json!({"country": "DE", "kind": "mobile"})),
        ),
        (Method::GET, format!("{a}/waitlist"), None),
        (Method::DELETE, format!("{a}/waitlist/{entry}"), None),
        (Method::GET, format!("{a}/sms-allocations"), None),
        (Method::GET, format!("{a}/statistics/calls?{days}"), None),
        (Method::GET, format!("{a}/statistics/ledger?{days}"), None),
        (
            Method::GET,
            format!("{a}/calls?number={}&{days}", number.get()),
            None,
        ),
        (Method::GET, format!("{a}/contract"), None),
        (
            Method::POST,
            format!("{a}/contract"),
            Some(valid_contract()),
        ),
        (Method::GET, format!("{a}/closing-documents?{days}"), None),
    ];
    for (method, path, body) in attempts {
        let (status, problem) = server.send(method, &path, &boris.key, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {problem}");
    }

    // Under Boris's own id, Anna's ids are unknown too.
    let b = format!("/v1/customers/{}", boris.id);
    let own_path_attempts: Vec<(Method, String, Option<Value>)> = vec![
        (
            Method::POST,
            format!("{b}/sip-accounts/{account}/password"),
            Some(json!({})),
        ),
        (Method::DELETE, format!("{b}/waitlist/{entry}"), None),
        (
            Method::GET,
            format!("{b}/calls?number={}&{days}", number.get()),
            None,
        ),
    ];
    for (method, path, body) in own_path_attempts {
        let (status, problem) = server.send(method, &path, &boris.key, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {problem}");
    }
    let (_, nothing) = server.get(&format!("{b}/sip-accounts"), &boris.key).await;
    assert_eq!(nothing, json!({"items": []}));
    server.stop().await;
}

#[tokio::test]
async fn the_openapi_document_lists_the_new_families() {
    let server = Server::start_without_catalogue().await;
    let response = server
        .http
        .get(format!("{}/openapi.json", server.base))
        .send()
        .await
        .unwrap();
    let (_, spec) = read(response).await;
    let paths = spec["paths"].as_object().unwrap();
    for path in [
        "/v1/customers/{id}/sip-accounts",
        "/v1/customers/{id}/sip-accounts/{account_id}/password",
        "/v1/customers/{id}/sip-accounts/{account_id}/presented-number",
        "/v1/engine/route",
        "/v1/engine/outbound",
        "/v1/engine/sip-accounts/{login}",
        "/v1/engine/calls",
        "/v1/engine/sms",
        "/v1/customers/{id}/trials",
        "/v1/customers/{id}/waitlist",
        "/v1/customers/{id}/waitlist/{entry_id}",
        "/v1/offers/{offer_id}/restock",
        "/v1/customers/{id}/sms-allocations",
        "/v1/customers/{id}/statistics/calls",
        "/v1/customers/{id}/statistics/ledger",
        "/v1/customers/{id}/calls",
        "/v1/customers/{id}/contract",
        "/v1/customers/{id}/bank-transfers",
        "/v1/customers/{id}/closing-documents",
        "/v1/renewals/run",
        "/v1/trials/expire",
        "/v1/sms-allocations/expire",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} missing from {:?}",
            paths.keys()
        );
    }

    // Days are documented in OpenAPI's own format, and both ways to send a key are.
    let text = spec.to_string();
    assert!(
        !text.contains("naive-date"),
        "a day is documented as naive-date"
    );
    let from = spec["paths"]["/v1/customers/{id}/statistics/calls"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "from")
        .unwrap();
    assert_eq!(from["schema"]["format"], "date", "{from}");
    let schemes = spec["components"]["securitySchemes"].as_object().unwrap();
    assert_eq!(schemes["ApiKey"]["scheme"], "bearer");
    assert_eq!(schemes["ApiKeyAsBasicPassword"]["scheme"], "basic");
    server.stop().await;
}
