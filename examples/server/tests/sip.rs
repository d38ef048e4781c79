//! Calls through the SIP engine: Kamailio with vnum's configuration in front of the real
//! server, and sipp playing the callers, the customers' phones and servers, and the
//! gateway. Each story runs over UDP on loopback and then reads what vnum recorded.
//!
//! Needs `kamailio` (with its utils and extra modules) and `sipp`, which `.ci/run` installs.
//! Without them the stories say why and pass, except with `CI=true` (as `.ci/run` sets),
//! where they fail.

// A panic in a test or its helpers is a failed assertion.
#![allow(clippy::unwrap_used)]

use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use vnum_app::TopUp;
use vnum_app::memory::ManualClock;
use vnum_calls::{ForwardingPlan, ForwardingTarget, RingTime, Strategy};
use vnum_core::{CustomerId, NumberId};
use vnum_kamailio::{EngineSettings, Kamailio, KamailioRpc};
use vnum_lifecycle::NumberKind;
use vnum_server::Settings;

use sipp::{
    ANSWERS, BUSY, CALLS_OUT, Finished, REGISTER_FLOOD, RINGS_OUT, Running, Sipp, answers_checking,
    answers_checking_without, call_totals, caller, caller_checking_reply, caller_with, checking,
    forged_in_dialog, free_port, free_tcp_port, hangs_up_while_ringing, hung_up_by_the_engine,
    registration,
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
    /// The paths of the engine's requests to the server, in order.
    asked: Asked,
    /// The engine's JSON-RPC, where the server pushes its changes.
    rpc: KamailioRpc,
    /// The engine's settings.
    settings: EngineSettings,
}

impl Lab {
    async fn start(name: &str) -> Self {
        Self::start_with(name, 0, |_| {}).await
    }

    /// A lab whose relay between engine and server (see [`relay`]) refuses the first
    /// `failures` call records.
    async fn start_through(name: &str, failures: u32) -> Self {
        Self::start_with(name, failures, |_| {}).await
    }

    /// A lab with the engine's settings `tune`d, whose relay between engine and server
    /// refuses the first `failures` call records. The server pushes its changes to the
    /// engine's JSON-RPC, and the engine calls with the engine key.
    async fn start_with(name: &str, failures: u32, tune: impl FnOnce(&mut EngineSettings)) -> Self {
        let rpc = SocketAddr::from(([127, 0, 0, 1], free_tcp_port()));
        // A clock that moves only when a story says so: from now, as the engine's is.
        let gateway = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let settings = Settings {
            seed_catalogue: false,
            sip_engine_rpc: Some(format!("http://{rpc}/RPC")),
            sip_gateway: gateway.to_string(),
            // The customers' servers of these stories are sipps on loopback.
            private_forwarding: true,
            ..Settings::default()
        };
        let server = Server::start_on(settings, ManualClock::new(Utc::now())).await;
        let anna = server.customer("anna@example.com", "person").await;
        let offer = server.offer("DE", NumberKind::Mobile, false, true).await;
        let number = server.rent(&anna, &offer, RENTED).await;

        let (api, asked) = relay(server.base.clone(), failures).await;
        let mut settings = EngineSettings::new(
            SocketAddr::from(([127, 0, 0, 1], free_port())),
            &api,
            server.engine(),
        );
        settings.rpc = rpc;
        settings.gateway = gateway.to_string();
        let voicemail = SocketAddr::from(([127, 0, 0, 1], free_port()));
        settings.voicemail = format!("sip:voicemail@{voicemail}");
        settings.children = 2;
        tune(&mut settings);
        let engine = Kamailio::start(&settings).unwrap();
        let engine_settings = settings;
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
            asked,
            rpc: KamailioRpc::new(&format!("http://{rpc}/RPC")),
            settings: engine_settings,
        }
    }

    /// How many requests the engine made to the server on paths starting with `prefix`.
    fn asked(&self, prefix: &str) -> usize {
        let asked = self.asked.lock().unwrap();
        asked.iter().filter(|path| path.starts_with(prefix)).count()
    }

    /// Creates the SIP account `login` of Anna: its password.
    async fn sip_account(&self, login: &str) -> (i64, String) {
        let (created, issued) = self
            .server
            .post(
                &format!("/v1/customers/{}/sip-accounts", self.anna.id),
                &self.anna.key,
                json!({"login": login}),
            )
            .await;
        assert_eq!(created, StatusCode::CREATED, "{issued}");
        (
            issued["account"]["id"].as_i64().unwrap(),
            issued["password"].as_str().unwrap().to_owned(),
        )
    }

    /// Registers `login` with `password` from a phone on `port`, expecting `expect`.
    fn register(&self, name: &str, login: &str, password: &str, port: u16, expect: u16) {
        let fields = self.dir.join(format!("{name}.csv"));
        std::fs::write(&fields, format!("SEQUENTIAL\n{login};\n")).unwrap();
        let output = Sipp::new(&self.dir, name, &registration(expect), port)
            .to(self.engine.listen())
            .args(&[
                "-inf",
                fields.to_str().unwrap(),
                "-au",
                login,
                "-ap",
                password,
            ])
            .run();
        assert_passed(self, &output);
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
            "/v1/customers/{}/calls?number={}&from={}&to={}&limit=500",
            self.anna.id,
            self.number.get(),
            today.pred_opt().unwrap(),
            today.succ_opt().unwrap()
        );
        let deadline = Instant::now() + patience;
        loop {
            // Every page, each from the cursor of the one before.
            let mut calls = Vec::new();
            let mut page = path.clone();
            loop {
                let (status, read) = self.server.get(&page, &self.anna.key).await;
                assert_eq!(status, StatusCode::OK, "{read}");
                calls.extend(read["items"].as_array().unwrap().iter().cloned());
                match read["next"].as_str() {
                    Some(next) => page = format!("{path}&after={next}"),
                    None => break,
                }
            }
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

/// A REGISTER client on a UDP socket of its own, for what sipp cannot do: send the same
/// credentials twice.
struct Registrar {
    socket: UdpSocket,
    engine: SocketAddr,
}

impl Registrar {
    fn new(engine: SocketAddr) -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(3)))
            .unwrap();
        Self { socket, engine }
    }

    /// A REGISTER of `anna-desk` with the sequence number `cseq` and the `Authorization`
    /// header value `credentials`.
    fn register(&self, cseq: u32, credentials: Option<&str>) -> String {
        let local = self.socket.local_addr().unwrap();
        let authorization = credentials
            .map(|c| format!("Authorization: {c}\r\n"))
            .unwrap_or_default();
        format!(
            "REGISTER sip:sip.vnum.example SIP/2.0\r\n\
             Via: SIP/2.0/UDP {local};branch=z9hG4bK-replay-{cseq}\r\n\
             From: <sip:anna-desk@sip.vnum.example>;tag=replay\r\n\
             To: <sip:anna-desk@sip.vnum.example>\r\n\
             Call-ID: replay@{local}\r\n\
             CSeq: {cseq} REGISTER\r\n\
             Contact: <sip:anna-desk@{local}>\r\n\
             {authorization}\
             Expires: 600\r\n\
             Max-Forwards: 70\r\n\
             Content-Length: 0\r\n\r\n"
        )
    }

    /// The digest credentials (RFC 2617, qop=auth) of `login` for `nonce` at the count `nc`.
    fn digest(&self, login: &str, password: &str, nonce: &str, nc: u32) -> String {
        use md5::{Digest as _, Md5};
        let hex = |text: String| -> String {
            Md5::digest(text.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        };
        let (realm, uri, cnonce) = ("sip.vnum.example", "sip:sip.vnum.example", "0a4f113b");
        let ha1 = hex(format!("{login}:{realm}:{password}"));
        let ha2 = hex(format!("REGISTER:{uri}"));
        let response = hex(format!("{ha1}:{nonce}:{nc:08x}:{cnonce}:auth:{ha2}"));
        format!(
            "Digest username=\"{login}\", realm=\"{realm}\", nonce=\"{nonce}\", \
             uri=\"{uri}\", qop=auth, nc={nc:08x}, cnonce=\"{cnonce}\", \
             response=\"{response}\", algorithm=MD5"
        )
    }

    /// Sends `request` and returns the answer.
    fn send(&self, request: &str) -> String {
        self.socket
            .send_to(request.as_bytes(), self.engine)
            .unwrap();
        let mut buffer = [0_u8; 4096];
        let (read, _) = self.socket.recv_from(&mut buffer).unwrap();
        String::from_utf8_lossy(&buffer[..read]).into_owned()
    }
}

/// The text of `text` between `start` and the next `end`.
fn between(text: &str, start: &str, end: &str) -> String {
    let from = text.find(start).unwrap() + start.len();
    let to = from + text[from..].find(end).unwrap();
    text[from..to].to_owned()
}

/// The paths of the requests a relay passed on.
type Asked = Arc<Mutex<Vec<String>>>;

/// A UDP address that must hear nothing: a phone or a gateway an attack must not reach.
struct Deaf(UdpSocket);

impl Deaf {
    fn bind(port: u16) -> Self {
        let socket = UdpSocket::bind(("127.0.0.1", port)).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        Self(socket)
    }

    /// What it heard within `patience`, if anything.
    fn heard(&self, patience: Duration) -> Option<String> {
        let deadline = Instant::now() + patience;
        let mut buffer = [0_u8; 4096];
        while Instant::now() < deadline {
            if let Ok((read, _)) = self.0.recv_from(&mut buffer) {
                return Some(String::from_utf8_lossy(&buffer[..read]).into_owned());
            }
        }
        None
    }
}

/// An HTTP relay to `target` that writes down the path of every request and answers the
/// first `failures` call records with 503, as a server that is restarting would; everything
/// else passes through. Its base URL, and the paths.
async fn relay(target: String, failures: u32) -> (String, Asked) {
    use poem::listener::{Acceptor as _, Listener as _, TcpListener};
    use poem::{Body, Request, Response};

    let refused = Arc::new(AtomicU32::new(0));
    let asked = Asked::default();
    let client = reqwest::Client::new();
    let paths = asked.clone();
    let relay = poem::endpoint::make(move |mut request: Request| {
        let (target, refused, client) = (target.clone(), refused.clone(), client.clone());
        let paths = paths.clone();
        async move {
            let path = request.uri().path_and_query().map(ToString::to_string);
            let path = path.unwrap_or_default();
            paths.lock().unwrap().push(path.clone());
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
    (format!("http://{addr}"), asked)
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

/// An Austrian number the gateway reaches (R6.3: another country than the rented number's).
const AUSTRIAN_NUMBER: &str = "+43316123456";

impl Lab {
    /// A SIP account `login` of Anna's, presenting `number`, and the sipp arguments that
    /// authenticate as it.
    async fn account(&self, login: &str, number: NumberId) -> Vec<String> {
        let (created, issued) = self
            .server
            .post(
                &format!("/v1/customers/{}/sip-accounts", self.anna.id),
                &self.anna.key,
                json!({"login": login}),
            )
            .await;
        assert_eq!(created, StatusCode::CREATED, "{issued}");
        let id = vnum_core::SipAccountId(issued["account"]["id"].as_i64().unwrap());
        self.server
            .vnum()
            .set_presented_number(CustomerId(self.anna.id), id, Some(number))
            .await
            .unwrap();
        let fields = self.dir.join(format!("{login}.csv"));
        std::fs::write(&fields, format!("SEQUENTIAL\n{login};\n")).unwrap();
        [
            "-inf",
            fields.to_str().unwrap(),
            "-au",
            login,
            "-ap",
            issued["password"].as_str().unwrap(),
        ]
        .map(str::to_owned)
        .to_vec()
    }

    /// The operator's rate for numbers starting with `prefix` (R6.D2).
    async fn rate(&self, prefix: &str, per_minute: &str, increments: &str) {
        let (status, body) = self
            .server
            .post(
                "/v1/rates",
                self.server.operator(),
                json!({
                    "prefix": prefix,
                    "price_per_minute": {"amount": per_minute, "currency": "EUR"},
                    "increments": increments,
                    "effective_from": "2020-01-01T00:00:00Z",
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    /// Anna's balance.
    async fn balance(&self) -> Decimal {
        let (status, body) = self
            .server
            .get(
                &format!("/v1/customers/{}/balance", self.anna.id),
                &self.anna.key,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["balance"]["amount"].as_str().unwrap().parse().unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r6_3_caller_id_is_presented_at_home_with_the_add_on_and_withheld_abroad() {
    if !tools_present() {
        return;
    }
    const PRESENTED: &str = "+4915112340000";
    let lab = Lab::start("caller-id").await;
    lab.rate("+49", "0.02", "1/1").await;
    lab.rate("+43", "0.05", "1/1").await;
    // A German number whose offer has the CallerID add-on, turned on (R6.2, R6.D1).
    let offer = lab
        .server
        .vnum()
        .create_offer(vnum_lifecycle::OfferTerms {
            caller_id_monthly: Some(vnum_testkit::eur("2.00")),
            ..lab
                .server
                .offer("DE", NumberKind::Mobile, false, true)
                .await
                .terms()
                .clone()
        })
        .await
        .unwrap();
    let with_add_on = lab.server.rent(&lab.anna, &offer, PRESENTED).await;
    lab.server
        .vnum()
        .set_caller_id(CustomerId(lab.anna.id), with_add_on, true)
        .await
        .unwrap();
    let args = lab.account("anna-desk", with_add_on).await;
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    // To a German number: the German number is presented.
    // (`.` for the angle brackets, which a regexp in sipp's XML cannot hold.)
    let home = format!("P-Asserted-Identity: .sip:\\{PRESENTED}@sip\\.vnum\\.example;user=phone.");
    let gateway = lab.phone(
        "gateway-home",
        &answers_checking_without(&home, "Privacy: id"),
        lab.gateway.port(),
    );
    let output = lab.call("calls-home", CALLS_OUT, GATEWAY_NUMBER, &args);
    assert_passed(&lab, &output);
    assert_phone_passed(&lab, gateway);

    // To an Austrian number: withheld, although the add-on is on.
    let gateway = lab.phone(
        "gateway-abroad",
        &answers_checking_without("Privacy: id", "P-Asserted-Identity"),
        lab.gateway.port(),
    );
    let output = lab.call("calls-abroad", CALLS_OUT, AUSTRIAN_NUMBER, &args);
    assert_passed(&lab, &output);
    assert_phone_passed(&lab, gateway);

    // Without the add-on (the lab's number), withheld even at home (R6.2).
    let args = lab.account("anna-mobile", lab.number).await;
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let gateway = lab.phone(
        "gateway-plain",
        &answers_checking_without("Privacy: id", "P-Asserted-Identity"),
        lab.gateway.port(),
    );
    let output = lab.call("calls-plain", CALLS_OUT, GATEWAY_NUMBER, &args);
    assert_passed(&lab, &output);
    assert_phone_passed(&lab, gateway);

    // The call out from the lab's number is in its records (R4.6), and rated (R6.D2).
    let call = lab.only_call().await;
    assert_eq!(call["direction"], "outbound", "{call}");
    assert_eq!(call["disposition"], "answered", "{call}");
    assert_eq!(
        (&call["from"], &call["to"]),
        (&json!("anna-mobile"), &json!(GATEWAY_NUMBER))
    );
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r6_d2_a_call_out_ends_when_the_balance_is_spent_and_is_refused_in_debt_or_unrated() {
    if !tools_present() {
        return;
    }
    let lab = Lab::start("rated").await;
    let args = lab.account("anna-desk", lab.number).await;
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    // No rate for Austria: refused with the rule, the gateway hears nothing (R6.D2).
    let refused = caller_checking_reply(CALLS_OUT, 403, "R6.D2");
    let output = lab.call("unrated", &refused, AUSTRIAN_NUMBER, &args);
    assert_passed(&lab, &output);

    // 1,800.00 EUR a minute by the second: 30.00 EUR a second. The balance (95.00 EUR
    // after the first month) pays 3 seconds; the engine hangs up there although the
    // caller would talk on.
    let balance = lab.balance().await;
    assert_eq!(balance, Decimal::new(9500, 2));
    lab.rate("+4930", "1800", "1/1").await;
    let gateway = lab.phone("gateway", ANSWERS, lab.gateway.port());
    let started = Instant::now();
    let output = lab.call(
        "hung-up",
        &hung_up_by_the_engine(CALLS_OUT),
        GATEWAY_NUMBER,
        &args,
    );
    assert_passed(&lab, &output);
    assert_phone_passed(&lab, gateway);
    assert!(
        started.elapsed() < Duration::from_secs(12),
        "{:?}",
        started.elapsed()
    );

    let call = lab.only_call().await;
    assert_eq!(call["disposition"], "answered", "{call}");
    let talk = call["talk_seconds"].as_i64().unwrap();
    // The engine stamps answer and end to the second: 3 s of talk reads as 2 to 4.
    assert!((2..=4).contains(&talk), "{call}");
    // Charged what the call lasted, by the second, once (R6.D2).
    let charged = Decimal::from(30 * talk);
    assert_eq!(lab.balance().await, balance - charged);
    let cost: Decimal = call["cost"]["amount"].as_str().unwrap().parse().unwrap();
    assert_eq!(cost, charged, "{call}");

    // What the balance still pays, the engine lets through and ends in time; once it is
    // below zero (R10.4) or below one second's price (R6.D2) the call is refused with 402.
    // (The engine's timestamps are whole seconds, so how much is left varies by a second.)
    let per_second = Decimal::from(30);
    for round in 0..5 {
        let left = lab.balance().await;
        if left.is_sign_negative() {
            let refused = caller_checking_reply(CALLS_OUT, 402, "R10.4");
            let output = lab.call("in-debt", &refused, GATEWAY_NUMBER, &args);
            assert_passed(&lab, &output);
            break;
        }
        if left < per_second {
            let refused = caller_checking_reply(CALLS_OUT, 402, "R6.D2");
            let output = lab.call("unpaid", &refused, GATEWAY_NUMBER, &args);
            assert_passed(&lab, &output);
            break;
        }
        assert!(round < 4, "{left} EUR left after {round} more calls");
        let gateway = lab.phone(&format!("gateway-{round}"), ANSWERS, lab.gateway.port());
        let call = hung_up_by_the_engine(CALLS_OUT);
        let output = lab.call(&format!("again-{round}"), &call, GATEWAY_NUMBER, &args);
        assert_passed(&lab, &output);
        assert_phone_passed(&lab, gateway);
        // The call's record arrives after the call; the next decision reads its charge.
        let recorded = lab.calls_within(round + 2, Duration::from_secs(5)).await;
        assert_eq!(
            recorded.len(),
            round + 2,
            "{recorded:?}\n{}",
            lab.engine.log()
        );
    }
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
    let greeting = lab
        .server
        .vnum()
        .upload_greeting(anna, lab.number, "Welcome", support::wav(8000, 8000), false)
        .await
        .unwrap()
        .id;
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
    let lab = Lab::start_through("retry", 3).await;
    let port = free_port();
    lab.forward(ForwardingPlan::single(server_target(port)))
        .await;

    let phone = lab.phone("retry-phone", ANSWERS, port);
    let output = lab.call("retry-caller", &caller(200, 0), RENTED, &[]);
    assert_passed(&lab, &output);
    assert_phone_passed(&lab, phone);

    let call = lab.only_call().await;
    assert_eq!(call["disposition"], "answered", "{call}");
    assert!(lab.engine.log().contains("they are sent again"));
    // Nothing more arrives later.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(lab.calls(2).await.len(), 1);
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r4_6_call_records_wait_in_the_spool_while_the_engine_restarts_and_vnum_is_down() {
    if !tools_present() {
        return;
    }
    let spool = std::env::temp_dir().join(format!("vnum-spool-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&spool);
    // Before the restart, vnum takes no record.
    let mut lab = Lab::start_with("spool", u32::MAX, |engine| {
        engine.spool = Some(spool.clone());
    })
    .await;
    let port = free_port();
    lab.forward(ForwardingPlan::single(server_target(port)))
        .await;
    let phone = lab.phone("spool-phone", ANSWERS, port);
    let output = lab.call("spool-caller", &caller(200, 0), RENTED, &[]);
    assert_passed(&lab, &output);
    assert_phone_passed(&lab, phone);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !lab.engine.log().contains("they are sent again") && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(lab.engine.log().contains("they are sent again"));
    assert!(lab.calls_within(1, Duration::ZERO).await.is_empty());

    // Kamailio restarts, now straight to the server, which takes records again.
    let direct = EngineSettings {
        api: lab.server.base.clone(),
        ..lab.settings.clone()
    };
    lab.engine.restart(&direct).unwrap();
    let calls = lab.calls(1).await;
    assert_eq!(calls.len(), 1, "{calls:?}\n{}", lab.engine.log());
    assert_eq!(calls[0]["disposition"], "answered", "{calls:?}");
    // Taken from the spool, once: nothing more arrives.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(lab.calls_within(2, Duration::ZERO).await.len(), 1);
    lab.stop().await;
    let _ = std::fs::remove_dir_all(&spool);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r4_6_a_backlog_of_call_records_is_posted_in_batches() {
    if !tools_present() {
        return;
    }
    // While the server refuses the first 40 reports (two posters, ten rounds a second:
    // about two seconds), calls go on and their records queue up: more than one pass of
    // Kamailio's while loop may take (100 by default).
    // The caller plays a carrier: all its calls come from one address, above the default
    // flood limit.
    let lab = Lab::start_with("backlog", 40, |engine| engine.flood_requests = 5_000).await;
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
    assert!(
        log.contains("they are sent again"),
        "the server refused none"
    );
    assert!(!log.contains("runaway"), "a posting round was cut short");
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r4_6_a_call_id_of_quotes_backslashes_and_non_ascii_bytes_is_recorded_with_the_others() {
    if !tools_present() {
        return;
    }
    // The engine writes most records as text; a caller's bytes that JSON text cannot hold
    // as they are must neither be lost nor make vnum refuse the batch they travel in.
    let lab = Lab::start("odd-call-id").await;
    let port = free_port();
    lab.forward(ForwardingPlan::single(server_target(port)))
        .await;
    // sipp names each call's Call-ID with this pattern (%u the call's number, %p its
    // process, %s its address).
    let odd = "q\"b\\s-\u{e9}-%u-%p@%s";

    let phone = Sipp::new(&lab.dir, "odd-call-id-phone", ANSWERS, port)
        .args(&["-timeout", "0"])
        .start();
    let output = lab.call(
        "odd-call-id-caller",
        &caller(200, 100),
        RENTED,
        &["-cid_str", odd],
    );
    assert_passed(&lab, &output);
    let output = lab.call("plain-call-id-caller", &caller(200, 100), RENTED, &[]);
    assert_passed(&lab, &output);
    phone.stop();

    let calls = lab.calls(2).await;
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(
        calls.iter().all(|c| c["disposition"] == "answered"),
        "{calls:?}"
    );
    let log = lab.engine.log();
    assert!(!log.contains("vnum refused"), "{log}");
    lab.stop().await;
}

// The edge: what the engine refuses (adapters/kamailio/kamailio.cfg, its header).

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_in_dialog_request_is_refused_and_reaches_no_gateway() {
    if !tools_present() {
        return;
    }
    let lab = Lab::start("forged").await;
    let gateway = Deaf::bind(lab.gateway.port());
    let premium = "+19005550199";

    // Routed at the gateway: not this proxy's route, 403.
    let at_gateway = format!("sip:{}", lab.gateway);
    let scenario = forged_in_dialog(&lab.gateway.to_string(), &at_gateway, 403);
    let output = lab.call("forged-to-gateway", &scenario, premium, &[]);
    assert_passed(&lab, &output);

    // Routed through this proxy, for a dialog it never created: 404.
    let through_engine = format!("sip:{}", lab.engine.listen());
    let scenario = forged_in_dialog(&lab.gateway.to_string(), &through_engine, 404);
    let output = lab.call("forged-through-engine", &scenario, premium, &[]);
    assert_passed(&lab, &output);

    assert_eq!(gateway.heard(Duration::from_secs(1)), None);
    assert_eq!(lab.asked("/v1/engine/"), 0, "vnum was asked");
    assert!(
        lab.calls_within(1, Duration::from_millis(500))
            .await
            .is_empty()
    );
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r5_1_an_account_rings_only_through_vnums_route_never_from_outside() {
    if !tools_present() {
        return;
    }
    let lab = Lab::start("around").await;
    let (_, password) = lab.sip_account("anna-desk").await;
    let phone_port = free_port();
    lab.register("around-register", "anna-desk", &password, phone_port, 200);
    let phone = Deaf::bind(phone_port);

    // Straight to the account's address from outside: refused, the phone hears nothing.
    let refused = caller_with(403, 0, "sip:anna-desk@sip.vnum.example", "");
    let output = lab.call("around-caller", &refused, "anna-desk", &[]);
    assert_passed(&lab, &output);
    assert_eq!(phone.heard(Duration::from_secs(1)), None);
    assert_eq!(lab.asked("/v1/engine/route"), 0);

    // Not even while the account is in debt would that matter: the only way in is the
    // rented number's route, which vnum decides and records.
    drop(phone);
    lab.forward(ForwardingPlan::single(
        ForwardingTarget::parse("account:anna-desk").unwrap(),
    ))
    .await;
    let answers = lab.phone("around-phone", ANSWERS, phone_port);
    let output = lab.call("around-routed", &caller(200, 0), RENTED, &[]);
    assert_passed(&lab, &output);
    assert_phone_passed(&lab, answers);
    assert_eq!(lab.only_call().await["disposition"], "answered");
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_of_the_callers_making_never_reach_voicemail_or_the_customer() {
    if !tools_present() {
        return;
    }
    let lab = Lab::start("spoofed").await;
    let forged = "X-Vnum-Number: +19005550199\nX-Vnum-Greeting: forged-greeting\n\
                  P-Asserted-Identity: <sip:+19005550199@evil.example>\nPrivacy: none\n\
                  Remote-Party-ID: <sip:+19005550199@evil.example>;party=calling\n";
    let spoofing = caller_with(200, 0, sipp::SERVICE_AT_ENGINE, forged);
    let forbidden = "19005550199|forged-greeting|evil\\.example|Privacy|Remote-Party-ID";

    // Voicemail hears vnum's number, and only vnum's.
    lab.forward(ForwardingPlan::voicemail_only()).await;
    let header = format!("X-Vnum-Number: \\{RENTED}");
    let voicemail = lab.phone(
        "spoofed-voicemail",
        &answers_checking_without(&header, forbidden),
        lab.voicemail.port(),
    );
    let output = lab.call("spoofed-caller", &spoofing, RENTED, &[]);
    assert_passed(&lab, &output);
    assert_phone_passed(&lab, voicemail);

    // The customer's server hears none of them either.
    let port = free_port();
    lab.forward(ForwardingPlan::single(server_target(port)))
        .await;
    let server = lab.phone(
        "spoofed-server",
        &answers_checking_without("INVITE sip:", forbidden),
        port,
    );
    let output = lab.call("spoofed-caller-2", &spoofing, RENTED, &[]);
    assert_passed(&lab, &output);
    assert_phone_passed(&lab, server);
    assert_eq!(lab.calls(2).await.len(), 2);
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_that_routes_back_to_the_engine_ends_at_once() {
    if !tools_present() {
        return;
    }
    let lab = Lab::start("loop").await;
    // vnum refuses a plan that names its own SIP domain (R5 Decision)…
    let own_domain = ForwardingPlan::simultaneous(
        vec![
            ForwardingTarget::parse(&format!("sip:{RENTED}@sip.vnum.example")).unwrap(),
            ForwardingTarget::parse(&format!("sip:{}@sip.vnum.example", &RENTED[1..])).unwrap(),
        ],
        RingTime::DEFAULT,
    )
    .unwrap();
    let refused = lab
        .server
        .vnum()
        .set_forwarding(CustomerId(lab.anna.id), lab.number, Some(own_domain))
        .await
        .unwrap_err();
    assert_eq!(refused.rule(), Some(vnum_core::rule::R5_D1), "{refused}");
    // …but a provider that allows private addresses cannot tell its engine's address from
    // a customer's server: the number's own digits, with and without their +, sent straight
    // back to the engine.
    let engine = lab.engine.listen();
    let plan = ForwardingPlan::simultaneous(
        vec![
            ForwardingTarget::parse(&format!("sip:{RENTED}@{engine}")).unwrap(),
            ForwardingTarget::parse(&format!("sip:{}@{engine}", &RENTED[1..])).unwrap(),
        ],
        RingTime::DEFAULT,
    )
    .unwrap();
    lab.forward(plan).await;

    let started = Instant::now();
    let output = lab.call("loop-caller", &caller(482, 0), RENTED, &[]);
    assert_passed(&lab, &output);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let asked = lab.asked("/v1/engine/route");
    assert!(asked < 10, "{asked} route requests for one call");
    assert_eq!(asked, 1, "one call, one route request");
    let call = lab.only_call().await;
    assert_eq!(call["disposition"], "rejected", "{call}");

    // The engine goes on: a call on a sane plan is answered.
    let port = free_port();
    lab.forward(ForwardingPlan::single(server_target(port)))
        .await;
    let phone = lab.phone("loop-server", ANSWERS, port);
    let output = lab.call("loop-after", &caller(200, 0), RENTED, &[]);
    assert_passed(&lab, &output);
    assert_phone_passed(&lab, phone);
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_register_flood_is_cut_off_and_calls_go_on() {
    if !tools_present() {
        return;
    }
    // 40 requests in two seconds from one address, then 30 s of silence for it.
    let lab = Lab::start_with("flood", 0, |engine| {
        engine.flood_requests = 40;
        engine.flood_window_seconds = 2;
        engine.ban_seconds = 30;
    })
    .await;
    let port = free_port();
    lab.forward(ForwardingPlan::single(server_target(port)))
        .await;

    // 1,500 REGISTERs of made-up users at 300 a second, from another address.
    let flood = Sipp::new(&lab.dir, "flood", REGISTER_FLOOD, free_port())
        .to(lab.engine.listen())
        .args(&["-i", "127.0.0.2", "-m", "1500", "-r", "300", "-aa"])
        .start();
    tokio::time::sleep(Duration::from_secs(1)).await;

    // Meanwhile, a call.
    let phone = lab.phone("flood-server", ANSWERS, port);
    let output = lab.call("flood-caller", &caller(200, 500), RENTED, &[]);
    assert_passed(&lab, &output);
    assert_phone_passed(&lab, phone);
    flood.finish();

    let lookups = lab.asked("/v1/engine/sip-accounts/");
    assert!(lookups <= 120, "{lookups} of 1,500 REGISTERs looked up");
    assert!(lookups > 0, "the flood never reached the engine");
    let log = lab.engine.log();
    assert!(log.contains("flood from 127.0.0.2"), "{log}");
    assert!(!log.contains("flood from 127.0.0.1"), "{log}");
    assert_eq!(lab.only_call().await["disposition"], "answered");
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r5_1_digest_challenges_carry_qop_and_a_nonce_count_is_taken_once() {
    if !tools_present() {
        return;
    }
    let lab = Lab::start("qop").await;
    let (_, password) = lab.sip_account("anna-desk").await;
    let fields = lab.dir.join("qop.csv");
    std::fs::write(&fields, "SEQUENTIAL\nanna-desk;\n").unwrap();
    let args = [
        "-inf",
        fields.to_str().unwrap(),
        "-au",
        "anna-desk",
        "-ap",
        &password,
    ];
    let challenged = checking(
        &registration(200),
        r#"<recv response="401" auth="true"/>"#,
        "qop=.auth",
    );
    let output = lab.call("qop-register", &challenged, "anna-desk", &args);
    assert_passed(&lab, &output);

    // A client that sends the same credentials twice (the same nonce, the same nonce
    // count), as a replay would: the second time is refused; the next count is taken.
    let client = Registrar::new(lab.engine.listen());
    let challenge = client.send(&client.register(1, None));
    assert!(challenge.starts_with("SIP/2.0 401"), "{challenge}");
    assert!(challenge.contains("qop=\"auth\""), "{challenge}");
    let nonce = between(&challenge, "nonce=\"", "\"");
    let first = client.digest("anna-desk", &password, &nonce, 1);
    let answer = client.send(&client.register(2, Some(&first)));
    assert!(answer.starts_with("SIP/2.0 200"), "{answer}");
    let answer = client.send(&client.register(3, Some(&first)));
    assert!(
        answer.starts_with("SIP/2.0 401"),
        "a replay registered: {answer}"
    );
    let second = client.digest("anna-desk", &password, &nonce, 2);
    let answer = client.send(&client.register(4, Some(&second)));
    assert!(answer.starts_with("SIP/2.0 200"), "{answer}");
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r5_1_a_reset_password_ends_the_accounts_registrations() {
    if !tools_present() {
        return;
    }
    let lab = Lab::start("reset").await;
    let (account, password) = lab.sip_account("anna-desk").await;
    let phone_port = free_port();
    lab.register("reset-register", "anna-desk", &password, phone_port, 200);
    lab.forward(ForwardingPlan::single(
        ForwardingTarget::parse("account:anna-desk").unwrap(),
    ))
    .await;

    let (status, renewed) = lab
        .server
        .post(
            &format!(
                "/v1/customers/{}/sip-accounts/{account}/password",
                lab.anna.id
            ),
            &lab.anna.key,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{renewed}");

    // The old registration is gone: the number's call finds no phone.
    let phone = Deaf::bind(phone_port);
    let output = lab.call("reset-caller", &caller(480, 0), RENTED, &[]);
    assert_passed(&lab, &output);
    assert_eq!(phone.heard(Duration::from_millis(500)), None);
    let call = lab.only_call().await;
    assert_eq!(call["disposition"], "no_answer", "{call}");
    drop(phone);

    // The old password no longer registers; the new one does.
    lab.register("reset-old", "anna-desk", &password, phone_port, 401);
    let new_password = renewed["password"].as_str().unwrap();
    lab.register("reset-new", "anna-desk", new_password, phone_port, 200);
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r5_1_a_removed_account_loses_its_registrations_and_cannot_register() {
    if !tools_present() {
        return;
    }
    let lab = Lab::start("removed").await;
    let (account, password) = lab.sip_account("anna-desk").await;
    lab.register("removed-register", "anna-desk", &password, free_port(), 200);
    let registered = |contacts: &Result<Value, _>| {
        contacts
            .as_ref()
            .is_ok_and(|c: &Value| c.to_string().contains("anna-desk"))
    };
    let before = lab
        .rpc
        .call("ul.lookup", json!(["location", "anna-desk"]))
        .await;
    assert!(registered(&before), "{before:?}");

    let path = format!("/v1/customers/{}/sip-accounts/{account}", lab.anna.id);
    let (status, removed) = lab
        .server
        .send(reqwest::Method::DELETE, &path, &lab.anna.key, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{removed}");
    assert_eq!(removed["login"], "anna-desk", "{removed}");

    // Kamailio no longer knows the phone, and the password no longer registers.
    let after = lab
        .rpc
        .call("ul.lookup", json!(["location", "anna-desk"]))
        .await;
    assert!(!registered(&after), "{after:?}");
    lab.register("removed-again", "anna-desk", &password, free_port(), 401);
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r8_d2_a_test_number_rings_where_the_customer_says_during_its_hour_and_not_after() {
    if !tools_present() {
        return;
    }
    const TEST_NUMBER: &str = "+4915100000077";
    let lab = Lab::start("trial").await;
    let vnum = lab.server.vnum();
    let offer = lab.server.offer("DE", NumberKind::Mobile, true, true).await;
    vnum.add_stock(offer.id(), vec![vnum_testkit::phone(TEST_NUMBER)])
        .await
        .unwrap();
    let anna = CustomerId(lab.anna.id);
    let trial = match vnum
        .start_trial(anna, vnum_testkit::country("DE"), NumberKind::Mobile)
        .await
        .unwrap()
    {
        vnum_app::TrialOutcome::Started(record) => record.trial,
        other => panic!("expected a test, got {other:?}"),
    };
    assert_eq!(trial.number().as_str(), TEST_NUMBER);
    let port = free_port();
    vnum.set_trial_forwarding(
        anna,
        trial.id(),
        Some(ForwardingPlan::single(server_target(port))),
    )
    .await
    .unwrap();

    // During the hour the customer's server answers the test number.
    let phone = lab.phone("trial-phone", ANSWERS, port);
    let output = lab.call("trial-caller", &caller(200, 500), TEST_NUMBER, &[]);
    assert_passed(&lab, &output);
    assert_phone_passed(&lab, phone);
    // The call is the test's, in its list (R8 Decision), and in no number's statistics.
    let calls_path = format!("/v1/customers/{}/trials/{}/calls", lab.anna.id, trial.id());
    let trial_calls = |count: usize| {
        let path = calls_path.clone();
        let lab = &lab;
        async move {
            let deadline = Instant::now() + Duration::from_secs(5);
            loop {
                let (status, calls) = lab.server.get(&path, &lab.anna.key).await;
                assert_eq!(status, StatusCode::OK, "{calls}");
                let calls = calls["items"].as_array().unwrap().clone();
                if calls.len() >= count || Instant::now() > deadline {
                    return calls;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    let calls = trial_calls(1).await;
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0]["disposition"], "answered", "{calls:?}");
    assert_eq!(calls[0]["trial"], trial.id().get(), "{calls:?}");
    assert!(calls[0].get("number").is_none(), "{calls:?}");
    assert!(lab.calls_within(1, Duration::ZERO).await.is_empty());

    // After it, the number is rejected as no longer the customer's (R8.D1), and the
    // refused call is recorded on the test too.
    lab.server.clock().advance(chrono::Duration::hours(1));
    vnum.expire_trials().await.unwrap();
    let output = lab.call("trial-late", &caller(404, 0), TEST_NUMBER, &[]);
    assert_passed(&lab, &output);
    let calls = trial_calls(2).await;
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(calls[1]["disposition"], "rejected", "{calls:?}");
    assert_eq!(calls[1]["sip_status"], 404, "{calls:?}");
    // Another customer cannot read them: to them, the test does not exist.
    let bob = lab.server.customer("bob@example.com", "person").await;
    let (status, _) = lab.server.get(&calls_path, &bob.key).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r4_4_simultaneous_forwarding_rings_both_and_the_first_to_answer_takes_the_call() {
    if !tools_present() {
        return;
    }
    let lab = Lab::start("simultaneous").await;
    let (ringing_port, answer_port) = (free_port(), free_port());
    // A third-party SIP URI and the customer's server (R5.2), at once (R4.4).
    let elsewhere = ForwardingTarget::parse(&format!("sip:anna@127.0.0.1:{answer_port}")).unwrap();
    let plan = ForwardingPlan::simultaneous(
        vec![server_target(ringing_port), elsewhere],
        RingTime::DEFAULT,
    )
    .unwrap();
    lab.forward(plan).await;

    let ringing = lab.phone("both-ringing", RINGS_OUT, ringing_port);
    let answers = lab.phone(
        "both-answers",
        &answers_checking(&format!("INVITE sip:anna@127.0.0.1:{answer_port}")),
        answer_port,
    );
    let output = lab.call("both-caller", &caller(200, 500), RENTED, &[]);
    assert_passed(&lab, &output);
    assert_phone_passed(&lab, answers);
    // The other phone rang and was cancelled when the first answered.
    assert_phone_passed(&lab, ringing);

    let call = lab.only_call().await;
    assert_eq!(call["disposition"], "answered", "{call}");
    assert!(
        call["answered_by"]
            .as_str()
            .is_some_and(|by| by.contains(&format!("anna@127.0.0.1:{answer_port}"))),
        "{call}"
    );
    assert!(
        call.get("cost").is_none(),
        "SIP targets are free (R4.2): {call}"
    );
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r5_d1_a_call_forwarded_to_a_phone_number_leaves_through_the_gateway_and_is_rated() {
    if !tools_present() {
        return;
    }
    let lab = Lab::start("to-phone").await;
    // 0.60 EUR a minute by the second: 0.01 EUR a second of the forwarded leg.
    lab.rate("+4930", "0.60", "1/1").await;
    let before = lab.balance().await;
    lab.forward(ForwardingPlan::single(
        ForwardingTarget::parse(GATEWAY_NUMBER).unwrap(),
    ))
    .await;

    let gateway = lab.phone(
        "to-phone-gateway",
        &answers_checking(&format!("INVITE sip:\\{GATEWAY_NUMBER}@")),
        lab.gateway.port(),
    );
    let output = lab.call("to-phone-caller", &caller(200, 2000), RENTED, &[]);
    assert_passed(&lab, &output);
    assert_phone_passed(&lab, gateway);

    let call = lab.only_call().await;
    assert_eq!(call["disposition"], "answered", "{call}");
    // An answered leg bills at least its first second (the engine stamps to the second).
    let talk = Decimal::from(call["talk_seconds"].as_i64().unwrap().max(1));
    let expected = talk * Decimal::new(1, 2);
    let cost: Decimal = call["cost"]["amount"].as_str().unwrap().parse().unwrap();
    assert_eq!(cost, expected, "{call}");
    assert_eq!(lab.balance().await, before - expected);
    lab.stop().await;
}

/// `sip_enabled`: the server starts Kamailio itself with a key of the engine's own, a
/// customer's phone registers through it, and stopping the server stops the engine. A
/// second start replaces the engine key of the first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_runs_its_own_engine_and_stops_it_with_itself() {
    if !tools_present() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("vnum-sip-own-engine-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sip = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let settings = Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: format!("sqlite://{}?mode=rwc", dir.join("vnum.sqlite").display()),
        seed_catalogue: false,
        sip_enabled: true,
        sip_listen: sip,
        sip_rpc: Some(SocketAddr::from(([127, 0, 0, 1], free_tcp_port()))),
        sip_children: 2,
        ..Settings::default()
    };
    let running = vnum_server::start(&settings).await.unwrap();
    let demo = running.demo.clone().unwrap();
    let offer =
        support::offer_on(running.application(), "DE", NumberKind::Mobile, false, true).await;
    support::rent_on(running.application(), demo.customer, &offer, RENTED).await;
    let http = reqwest::Client::new();
    let created: Value = http
        .post(format!(
            "http://{}/v1/customers/{}/sip-accounts",
            running.addr, demo.customer.0
        ))
        .bearer_auth(&demo.customer_key)
        .json(&json!({"login": "demo-desk"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let password = created["password"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_owned();
    let fields = dir.join("account.csv");
    std::fs::write(&fields, "SEQUENTIAL\ndemo-desk;\n").unwrap();
    let output = Sipp::new(&dir, "register", &registration(200), free_port())
        .to(sip)
        .args(&[
            "-inf",
            fields.to_str().unwrap(),
            "-au",
            "demo-desk",
            "-ap",
            &password,
        ])
        .run();
    let log = running.engine().map(Kamailio::log).unwrap_or_default();
    assert!(output.passed(), "{}", output.report(&log));

    running.stop().await.unwrap();
    let probe = UdpSocket::bind("127.0.0.1:0").unwrap();
    probe
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    probe
        .send_to(options_request(&probe, sip).as_bytes(), sip)
        .unwrap();
    let mut answer = [0_u8; 2048];
    assert!(
        probe.recv_from(&mut answer).is_err(),
        "the engine still answers after the server stopped"
    );

    // A second start on the same database: one engine key works, the new one.
    let again = vnum_server::start(&settings).await.unwrap();
    let engine_keys: Vec<_> = again
        .application()
        .api_keys(None)
        .await
        .unwrap()
        .into_iter()
        .filter(|k| k.name == vnum_server::ENGINE_KEY_NAME)
        .collect();
    assert_eq!(engine_keys.len(), 2, "{engine_keys:?}");
    assert!(engine_keys[0].revoked_at.is_some(), "{engine_keys:?}");
    assert!(engine_keys[1].revoked_at.is_none(), "{engine_keys:?}");
    again.stop().await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An OPTIONS request from `from` to `to`.
fn options_request(from: &UdpSocket, to: SocketAddr) -> String {
    let local = from.local_addr().unwrap();
    format!(
        "OPTIONS sip:{to} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK-own-engine\r\n\
         Max-Forwards: 70\r\nFrom: <sip:probe@{local}>;tag=1\r\nTo: <sip:{to}>\r\n\
         Call-ID: own-engine-probe\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
    )
}
