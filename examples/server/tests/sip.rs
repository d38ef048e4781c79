//! Calls through the SIP engine: Kamailio with vnum's configuration in front of the real
//! server, and sipp playing the callers, the customers' phones and servers, and the
//! gateway. Each story runs over UDP on loopback and then reads what vnum recorded.
//!
//! Needs `kamailio` (with its utils and extra modules) and `sipp`, which `.ci/run` installs.
//! Without them the stories say why and pass, except with `CI=true` (as `.ci/run` sets),
//! where they fail.

// A panic in a test or its helpers is a failed assertion.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use vnum_app::TopUp;
use vnum_app::memory::ManualClock;
use vnum_calls::{ForwardingPlan, ForwardingTarget, RingTime, Strategy};
use vnum_core::{CustomerId, NumberId};
use vnum_kamailio::{EngineSettings, Kamailio};
use vnum_lifecycle::NumberKind;
use vnum_server::Settings;

use sipp::{
    ANSWERS, BUSY, CALLS_OUT, Finished, RINGS_OUT, Running, Sipp, answers_checking, call_totals,
    caller, checking, free_port, hangs_up_while_ringing, registration,
};
use support::{Customer, Server};

mod sipp;
mod support;

/// The number the stories rent.
const RENTED: &str = "+4915112345678";

/// A SIP account's calls leave through this gateway, which a sipp plays.
const GATEWAY_NUMBER: &str = "+4930123456";

/// Whether the SIP tools are here; without them, outside CI, the reason is printed.
fn tools_present() -> bool {
    let missing = match (Kamailio::binary().is_some(), sipp::installed()) {
        (true, true) => return true,
        (false, _) => "kamailio",
        (_, false) => "sipp",
    };
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{missing} is not installed: CI must run the SIP stories (.ci/run installs it)"
    );
    eprintln!(
        "skipped: {missing} is not installed (apt-get install kamailio kamailio-utils-modules kamailio-extra-modules sip-tester)"
    );
    false
}

/// The server, the SIP engine in front of it, and a customer with a rented number.
struct Lab {
    server: Server,
    engine: Kamailio,
    gateway: SocketAddr,
    voicemail: SocketAddr,
    anna: Customer,
    number: NumberId,
    dir: PathBuf,
}

impl Lab {
    async fn start(name: &str) -> Self {
        Self::start_through(name, None).await
    }

    /// A lab whose engine reaches the server through `relay` (see [`flaky_relay`]) when
    /// given one.
    async fn start_through(name: &str, relay: Option<u32>) -> Self {
        // A clock that moves only when a story says so: from now, as the engine's is.
        let settings = Settings {
            seed_catalogue: false,
            ..Settings::default()
        };
        let server = Server::start_on(settings, ManualClock::new(Utc::now())).await;
        let anna = server.customer("anna@example.com", "person").await;
        let offer = server.offer("DE", NumberKind::Mobile, false, true).await;
        let number = server.rent(&anna, &offer, RENTED).await;

        let gateway = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let api = match relay {
            Some(failures) => flaky_relay(server.base.clone(), failures).await,
            None => server.base.clone(),
        };
        let mut settings = EngineSettings::new(
            SocketAddr::from(([127, 0, 0, 1], free_port())),
            &api,
            server.operator(),
        );
        settings.gateway = gateway.to_string();
        let voicemail = SocketAddr::from(([127, 0, 0, 1], free_port()));
        settings.voicemail = format!("sip:voicemail@{voicemail}");
        settings.children = 2;
        let engine = Kamailio::start(&settings).unwrap();
        let dir = std::env::temp_dir().join(format!("vnum-sip-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self {
            server,
            engine,
            gateway,
            voicemail,
            anna,
            number,
            dir,
        }
    }

    async fn forward(&self, plan: ForwardingPlan) {
        self.server
            .vnum()
            .set_forwarding(CustomerId(self.anna.id), self.number, Some(plan))
            .await
            .unwrap();
    }

    /// Starts a sipp that waits for a call on `port` and plays `scenario`.
    fn phone(&self, name: &str, scenario: &str, port: u16) -> Running {
        Sipp::new(&self.dir, name, scenario, port).spawn()
    }

    /// Runs a sipp against the engine to the end: `service` is the request-URI's user.
    fn call(&self, name: &str, scenario: &str, service: &str, extra: &[&str]) -> Finished {
        Sipp::new(&self.dir, name, scenario, free_port())
            .to(self.engine.listen())
            .args(&["-s", service])
            .args(extra)
            .run()
    }

    /// The one call vnum recorded on the rented number, waiting up to five seconds for it.
    async fn only_call(&self) -> Value {
        let calls = self.calls(1).await;
        assert_eq!(calls.len(), 1, "{calls:?}\n{}", self.engine.log());
        calls.into_iter().next().unwrap_or_default()
    }

    /// The calls vnum recorded on the rented number, waiting up to five seconds for `count`.
    async fn calls(&self, count: usize) -> Vec<Value> {
        self.calls_within(count, Duration::from_secs(5)).await
    }

    /// The calls vnum recorded on the rented number, waiting up to `patience` for `count`.
    async fn calls_within(&self, count: usize, patience: Duration) -> Vec<Value> {
        let today = self.server.today();
        let path = format!(
            "/v1/customers/{}/calls?number={}&from={}&to={}",
            self.anna.id,
            self.number.get(),
            today.pred_opt().unwrap(),
            today.succ_opt().unwrap()
        );
        let deadline = Instant::now() + patience;
        loop {
            let (status, calls) = self.server.get(&path, &self.anna.key).await;
            assert_eq!(status, StatusCode::OK, "{calls}");
            let calls = calls.as_array().unwrap().clone();
            if calls.len() >= count || Instant::now() > deadline {
                return calls;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn stop(self) {
        self.engine.stop();
        self.server.stop().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Asserts that a sipp run completed its scenario, with its transcript and the engine's log
/// otherwise.
fn assert_passed(lab: &Lab, run: &Finished) {
    let engine = format!("--- kamailio ---\n{}", lab.engine.log());
    assert!(run.passed(), "{}", run.report(&engine));
}

/// Waits for a phone's end and asserts that it played its part.
fn assert_phone_passed(lab: &Lab, phone: Running) {
    assert_passed(lab, &phone.finish());
}

/// An HTTP relay to `target` that answers the first `failures` call records with 503, as
/// a server that is restarting would; everything else passes through. Its base URL.
async fn flaky_relay(target: String, failures: u32) -> String {
    use poem::listener::{Acceptor as _, Listener as _, TcpListener};
    use poem::{Body, Request, Response};

    let refused = Arc::new(AtomicU32::new(0));
    let client = reqwest::Client::new();
    let relay = poem::endpoint::make(move |mut request: Request| {
        let (target, refused, client) = (target.clone(), refused.clone(), client.clone());
        async move {
            let path = request.uri().path_and_query().map(ToString::to_string);
            let path = path.unwrap_or_default();
            if path.starts_with("/v1/engine/calls")
                && refused.fetch_add(1, Ordering::SeqCst) < failures
            {
                return Response::builder()
                    .status(poem::http::StatusCode::SERVICE_UNAVAILABLE)
                    .body("restarting");
            }
            let body = request.take_body().into_bytes().await.unwrap_or_default();
            let mut forward = client.request(request.method().clone(), format!("{target}{path}"));
            for name in ["authorization", "content-type", "idempotency-key"] {
                if let Some(value) = request.headers().get(name) {
                    forward = forward.header(name, value.clone());
                }
            }
            let answer = forward.body(body.to_vec()).send().await.unwrap();
            let status = answer.status();
            let content_type = answer.headers().get("content-type").cloned();
            let mut response = Response::builder().status(status);
            if let Some(content_type) = content_type {
                response = response.header("content-type", content_type);
            }
            response.body(Body::from(answer.bytes().await.unwrap().to_vec()))
        }
    });
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .unwrap();
    let addr = *acceptor.local_addr()[0].as_socket_addr().unwrap();
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(relay));
    format!("http://{addr}")
}

fn server_target(port: u16) -> ForwardingTarget {
    ForwardingTarget::parse(&format!("127.0.0.1:{port}")).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r4_6_an_answered_call_rings_the_customers_server_and_is_recorded_once() {
    if !tools_present() {
        return;
    }
    let lab = Lab::start("answered").await;
    let port = free_port();
    lab.forward(ForwardingPlan::single(server_target(port)))
        .await;

    let phone = lab.phone("answered-phone", ANSWERS, port);
    let output = lab.call("answered-caller", &caller(200, 1000), RENTED, &[]);
    assert_passed(&lab, &output);
    assert_phone_passed(&lab, phone);

    let call = lab.only_call().await;
    assert_eq!(call["direction"], "inbound");
    assert_eq!(call["disposition"], "answered", "{call}");
    assert_eq!(call["to"], RENTED);
    assert_eq!(call["from"], "+4922199999");
    assert!(call.get("answer").is_some(), "{call}");
    assert!(call["talk_seconds"].as_i64().unwrap() <= 3, "{call}");
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r4_3_a_busy_first_step_goes_on_to_the_next_one() {
    if !tools_present() {
        return;
    }
    let lab = Lab::start("serial").await;
    let (busy_port, answer_port) = (free_port(), free_port());
    let plan = ForwardingPlan::sequential(vec![
        (
            server_target(busy_port),
            RingTime::from_seconds(15).unwrap(),
        ),
        (
            server_target(answer_port),
            RingTime::from_seconds(15).unwrap(),
        ),
    ])
    .unwrap();
    lab.forward(plan).await;

    let busy = lab.phone("serial-busy", BUSY, busy_port);
    let answers = lab.phone("serial-answers", ANSWERS, answer_port);
    let output = lab.call("serial-caller", &caller(200, 1000), RENTED, &[]);
    assert_passed(&lab, &output);
    assert_phone_passed(&lab, busy);
    assert_phone_passed(&lab, answers);

    let call = lab.only_call().await;
    assert_eq!(call["disposition"], "answered", "{call}");
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_customer_gives_the_caller_busy_and_a_missed_call() {
    if !tools_present() {
        return;
    }
    let lab = Lab::start("busy").await;
    let port = free_port();
    lab.forward(ForwardingPlan::single(server_target(port)))
        .await;

    let phone = lab.phone("busy-phone", BUSY, port);
    let output = lab.call("busy-caller", &caller(486, 0), RENTED, &[]);
    assert_passed(&lab, &output);
    assert_phone_passed(&lab, phone);

    let call = lab.only_call().await;
    assert_eq!(call["disposition"], "busy", "{call}");
    assert!(call.get("answer").is_none());
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_who_hangs_up_while_it_rings_leaves_a_missed_call() {
    if !tools_present() {
        return;
    }
    let lab = Lab::start("cancel").await;
    let port = free_port();
    lab.forward(ForwardingPlan::single(server_target(port)))
        .await;

    let phone = lab.phone("cancel-phone", RINGS_OUT, port);
    let output = lab.call("cancel-caller", &hangs_up_while_ringing(), RENTED, &[]);
    assert_passed(&lab, &output);
    assert_phone_passed(&lab, phone);

    let call = lab.only_call().await;
    assert_eq!(call["disposition"], "no_answer", "{call}");
    assert!(call.get("answer").is_none());
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vnum_refusals_reach_the_caller_with_their_sip_status() {
    if !tools_present() {
        return;
    }
    let lab = Lab::start("refused").await;

    // Nobody rents it: 404, and no call record anywhere.
    let output = lab.call("unknown-caller", &caller(404, 0), "+4930999999", &[]);
    assert_passed(&lab, &output);

    // Rented, but with nowhere to ring: 480, and the missed call is recorded.
    let output = lab.call("unrouted-caller", &caller(480, 0), RENTED, &[]);
    assert_passed(&lab, &output);
    let call = lab.only_call().await;
    assert_eq!(call["disposition"], "rejected", "{call}");
    assert_eq!(call["sip_status"], 480);
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r5_1_a_sip_account_registers_with_its_password_and_takes_the_numbers_calls() {
    if !tools_present() {
        return;
    }
    let lab = Lab::start("account").await;
    let (created, issued) = lab
        .server
        .post(
            &format!("/v1/customers/{}/sip-accounts", lab.anna.id),
            &lab.anna.key,
            json!({"login": "anna-desk"}),
        )
        .await;
    assert_eq!(created, StatusCode::CREATED, "{issued}");
    let password = issued["password"].as_str().unwrap().to_owned();
    let fields = lab.dir.join("account.csv");
    std::fs::write(&fields, "SEQUENTIAL\nanna-desk;\n").unwrap();
    let inject = ["-inf", fields.to_str().unwrap(), "-au", "anna-desk"];

    // A wrong password is challenged again and never registers.
    let wrong = [&inject[..], &["-ap", "not-the-password"]].concat();
    let output = lab.call("wrong-password", &registration(401), "anna-desk", &wrong);
    assert_passed(&lab, &output);

    // The right one registers the phone's address.
    let phone_port = free_port();
    let right = [&inject[..], &["-ap", &password]].concat();
    let output = Sipp::new(&lab.dir, "register", &registration(200), phone_port)
        .to(lab.engine.listen())
        .args(&right)
        .run();
    assert_passed(&lab, &output);

    // The number forwards to the account: the call reaches the registered phone.
    lab.forward(ForwardingPlan::single(
        ForwardingTarget::parse("account:anna-desk").unwrap(),
    ))
    .await;
    let phone = lab.phone("desk-phone", ANSWERS, phone_port);
    let output = lab.call("desk-caller", &caller(200, 1000), RENTED, &[]);
    assert_passed(&lab, &output);
    assert_phone_passed(&lab, phone);
    let calls = lab.calls(1).await;
    assert_eq!(calls[0]["disposition"], "answered", "{}", calls[0]);
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r6_an_accounts_call_out_presents_its_number_to_the_gateway() {
    if !tools_present() {
        return;
    }
    let lab = Lab::start("outbound").await;
    let (created, issued) = lab
        .server
        .post(
            &format!("/v1/customers/{}/sip-accounts", lab.anna.id),
            &lab.anna.key,
            json!({"login": "anna-desk"}),
        )
        .await;
    assert_eq!(created, StatusCode::CREATED, "{issued}");
    let password = issued["password"].as_str().unwrap().to_owned();
    let fields = lab.dir.join("account.csv");
    std::fs::write(&fields, "SEQUENTIAL\nanna-desk;\n").unwrap();

    let (status, decision) = lab
        .server
        .get(
            &format!(
                "/v1/engine/outbound?login=anna-desk&to=%2B{}",
                &GATEWAY_NUMBER[1..]
            ),
            lab.server.operator(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{decision}");
    let identity = match decision["number"].as_str() {
        Some(number) => {
            format!("P-Asserted-Identity: <sip:\\{number}@sip.vnum.example;user=phone>")
        }
        None => "Privacy: id".to_owned(),
    };

    let gateway = lab.phone("gateway", &answers_checking(&identity), lab.gateway.port());
    let args = [
        "-inf",
        fields.to_str().unwrap(),
        "-au",
        "anna-desk",
        "-ap",
        &password,
    ];
    let output = lab.call("account-calls-out", CALLS_OUT, GATEWAY_NUMBER, &args);
    assert_passed(&lab, &output);
    assert_phone_passed(&lab, gateway);

    // The call out is in the number's records (R4.6).
    let call = lab.only_call().await;
    assert_eq!(call["direction"], "outbound", "{call}");
    assert_eq!(call["disposition"], "answered", "{call}");
    assert_eq!(
        (&call["from"], &call["to"]),
        (&json!("anna-desk"), &json!(GATEWAY_NUMBER))
    );
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r4_5_a_number_on_voicemail_sends_its_calls_there() {
    if !tools_present() {
        return;
    }
    let lab = Lab::start("voicemail").await;
    lab.forward(ForwardingPlan::voicemail_only()).await;
    // The number's own greeting (R13.1): the voicemail server is told which one to play.
    let anna = CustomerId(lab.anna.id);
    let (greeting, _) = lab
        .server
        .vnum()
        .upload_greeting(anna, lab.number, "Welcome", support::wav(8000, 8000))
        .await
        .unwrap();
    lab.server
        .vnum()
        .set_greeting(anna, lab.number, Some(greeting), true)
        .await
        .unwrap();

    let header = format!(
        "X-Vnum-Number: \\{RENTED}.*X-Vnum-Greeting: {}",
        greeting.get()
    );
    let voicemail = lab.phone(
        "voicemail",
        &answers_checking(&header),
        lab.voicemail.port(),
    );
    let output = lab.call("voicemail-caller", &caller(200, 1000), RENTED, &[]);
    assert_passed(&lab, &output);
    assert_phone_passed(&lab, voicemail);

    let call = lab.only_call().await;
    assert_eq!(call["disposition"], "voicemail", "{call}");
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r4_5_voicemail_takes_the_call_when_the_ring_time_is_over() {
    if !tools_present() {
        return;
    }
    let lab = Lab::start("fallback").await;
    let port = free_port();
    let ring = RingTime::from_seconds(RingTime::MIN_SECONDS).unwrap();
    let single = Strategy::Single {
        target: server_target(port),
        ring,
    };
    let plan = ForwardingPlan::new(single, true).unwrap();
    lab.forward(plan).await;

    let phone = lab.phone("fallback-phone", RINGS_OUT, port);
    let header = format!("X-Vnum-Number: \\{RENTED}");
    let voicemail = lab.phone(
        "fallback-voicemail",
        &answers_checking(&header),
        lab.voicemail.port(),
    );
    let output = lab.call("fallback-caller", &caller(200, 1000), RENTED, &[]);
    assert_passed(&lab, &output);
    assert_phone_passed(&lab, phone);
    assert_phone_passed(&lab, voicemail);

    let call = lab.only_call().await;
    assert_eq!(call["disposition"], "voicemail", "{call}");
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r10_4_a_number_of_an_account_in_debt_answers_480_with_the_rule() {
    if !tools_present() {
        return;
    }
    let lab = Lab::start("debt").await;
    let server = &lab.server;
    // Boris pays the first month and nothing more.
    let (boris, _) = server.register_as("boris@example.com", "person").await;
    server
        .vnum()
        .top_up(TopUp {
            customer: CustomerId(boris),
            amount: vnum_testkit::eur("5.00"),
            idempotency_key: "boris-first-month".to_owned(),
        })
        .await
        .unwrap();
    let offer = server.offer("DE", NumberKind::Mobile, false, true).await;
    let borrowed = "+4915112345679";
    let boris = Customer {
        id: boris,
        key: String::new(),
    };
    let number = server.rent(&boris, &offer, borrowed).await;
    server
        .vnum()
        .set_forwarding(
            CustomerId(boris.id),
            number,
            Some(ForwardingPlan::single(server_target(free_port()))),
        )
        .await
        .unwrap();

    // The daily runs go on; the second month is charged anyway (R10.3), below zero.
    server.vnum().run_renewals().await.unwrap();
    server.clock().advance(chrono::Duration::days(40));
    server.vnum().run_renewals().await.unwrap();
    let balance = server.vnum().balance(CustomerId(boris.id)).await.unwrap();
    assert!(balance.balance.amount() < Decimal::ZERO, "{balance:?}");

    let refused = checking(
        &caller(480, 0),
        r#"<recv response="480" response_txn="invite"/>"#,
        "X-Vnum-Rule: R10\\.4",
    );
    let output = lab.call("debt-caller", &refused, borrowed, &[]);
    assert_passed(&lab, &output);
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r4_6_a_call_record_vnum_could_not_take_is_sent_again_and_counted_once() {
    if !tools_present() {
        return;
    }
    // The first three reports meet a server that cannot take them.
    let lab = Lab::start_through("retry", Some(3)).await;
    let port = free_port();
    lab.forward(ForwardingPlan::single(server_target(port)))
        .await;

    let phone = lab.phone("retry-phone", ANSWERS, port);
    let output = lab.call("retry-caller", &caller(200, 0), RENTED, &[]);
    assert_passed(&lab, &output);
    assert_phone_passed(&lab, phone);

    let call = lab.only_call().await;
    assert_eq!(call["disposition"], "answered", "{call}");
    assert!(lab.engine.log().contains("it is sent again"));
    // Nothing more arrives later.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(lab.calls(2).await.len(), 1);
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r4_6_a_backlog_of_call_records_is_posted_record_for_record() {
    if !tools_present() {
        return;
    }
    // While the server refuses the first 40 reports (two posters, ten rounds a second:
    // about two seconds), calls go on and their records queue up: more than one pass of
    // Kamailio's while loop may take (100 by default).
    let lab = Lab::start_through("backlog", Some(40)).await;
    let port = free_port();
    lab.forward(ForwardingPlan::single(server_target(port)))
        .await;
    let calls = 300;

    let phone = Sipp::new(&lab.dir, "backlog-phone", ANSWERS, port)
        .args(&["-timeout", "0"])
        .start();
    let stats = lab.dir.join("backlog-caller.csv");
    let count = calls.to_string();
    let run = Sipp::new(&lab.dir, "backlog-caller", &caller(200, 50), free_port())
        .to(lab.engine.listen())
        .args(&["-s", RENTED, "-m", &count, "-r", "100", "-l", &count])
        .args(&["-recv_timeout", "8000", "-trace_stat", "-fd", "1"])
        .args(&["-stf", stats.to_str().unwrap()])
        .start()
        .finish();
    phone.stop();
    // A loaded machine may time a call out; the engine carries nearly all of them.
    let (completed, _) = call_totals(&stats);
    let engine = format!("--- kamailio ---\n{}", lab.engine.log());
    assert!(
        completed >= calls * 9 / 10,
        "{completed} of {calls}: {}",
        run.report(&engine)
    );

    // Every completed call is recorded, once.
    let recorded = lab
        .calls_within(usize::try_from(completed).unwrap(), Duration::from_secs(60))
        .await;
    let log = lab.engine.log();
    let tail = log.lines().rev().take(20).collect::<Vec<_>>().join("\n");
    assert!(
        recorded.len() as u64 >= completed,
        "{} of {completed}: {tail}",
        recorded.len()
    );
    assert!(
        recorded.len() as u64 <= calls,
        "more records than calls: {tail}"
    );
    assert!(log.contains("it is sent again"), "the server refused none");
    assert!(!log.contains("runaway"), "a posting round was cut short");
    lab.stop().await;
}
