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
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
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

use support::{Customer, Server};

mod support;

/// The number the stories rent.
const RENTED: &str = "+4915112345678";

/// A SIP account's calls leave through this gateway, which a sipp plays.
const GATEWAY_NUMBER: &str = "+4930123456";

/// Whether the SIP tools are here; without them, outside CI, the reason is printed.
fn tools_present() -> bool {
    let sipp = Command::new("sipp")
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    let missing = match (Kamailio::binary().is_some(), sipp) {
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

/// A UDP port nobody uses now.
fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
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
        let mut settings = EngineSettings::new(
            SocketAddr::from(([127, 0, 0, 1], free_port())),
            &server.base,
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

    /// Starts a sipp that waits for calls on `port` and plays `scenario`.
    fn phone(&self, name: &str, scenario: &str, port: u16) -> Sipp {
        Sipp::spawn(&self.dir, name, scenario, port, None, &[])
    }

    /// Runs a sipp against the engine to the end: `service` is the request-URI's user.
    fn call(&self, name: &str, scenario: &str, service: &str, extra: &[&str]) -> Output {
        let port = free_port();
        let mut args = vec!["-s", service];
        args.extend_from_slice(extra);
        Sipp::spawn(
            &self.dir,
            name,
            scenario,
            port,
            Some(self.engine.listen()),
            &args,
        )
        .finish()
    }

    /// The calls vnum recorded on the rented number, waiting up to five seconds for `count`.
    async fn calls(&self, count: usize) -> Vec<Value> {
        let today = self.server.today();
        let path = format!(
            "/v1/customers/{}/calls?number={}&from={}&to={}",
            self.anna.id,
            self.number.get(),
            today.pred_opt().unwrap(),
            today.succ_opt().unwrap()
        );
        let deadline = Instant::now() + Duration::from_secs(5);
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

/// One sipp process, and what it printed.
struct Sipp {
    child: Child,
    name: String,
    dir: PathBuf,
}

impl Sipp {
    fn spawn(
        dir: &Path,
        name: &str,
        scenario: &str,
        port: u16,
        remote: Option<SocketAddr>,
        args: &[&str],
    ) -> Self {
        let file = dir.join(format!("{name}.xml"));
        std::fs::write(&file, scenario).unwrap();
        let mut command = Command::new("sipp");
        if let Some(remote) = remote {
            command.arg(remote.to_string());
        }
        command
            .args(["-sf", file.to_str().unwrap(), "-m", "1", "-i", "127.0.0.1"])
            .args(["-p", &port.to_string(), "-mp", &free_port().to_string()])
            .args(["-timeout", "20", "-timeout_error", "-nostdin"])
            .args(["-trace_err", "-error_file"])
            .arg(dir.join(format!("{name}.errors")))
            .args(["-trace_msg", "-message_file"])
            .arg(dir.join(format!("{name}.messages")))
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        Self {
            child: command.spawn().unwrap(),
            name: name.to_owned(),
            dir: dir.to_owned(),
        }
    }

    /// Waits for the end and returns how it went.
    fn finish(self) -> Output {
        self.child.wait_with_output().unwrap()
    }

    /// What it sent and received, for a failure's message.
    fn transcript(dir: &Path, name: &str) -> String {
        let read = |suffix: &str| {
            std::fs::read_to_string(dir.join(format!("{name}.{suffix}"))).unwrap_or_default()
        };
        format!("{}\n{}", read("messages"), read("errors"))
    }
}

/// Asserts that a sipp run completed its scenario, with its transcript and the engine's log
/// otherwise.
fn assert_passed(lab: &Lab, name: &str, output: &Output) {
    assert!(
        output.status.success(),
        "sipp {name} failed ({}): {}\n--- sipp ---\n{}\n--- kamailio ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr),
        Sipp::transcript(&lab.dir, name),
        lab.engine.log()
    );
}

fn assert_phone_passed(lab: &Lab, phone: Sipp) {
    let (dir, name) = (phone.dir.clone(), phone.name.clone());
    let output = phone.finish();
    assert!(
        output.status.success(),
        "sipp {name} failed ({}): {}\n--- sipp ---\n{}\n--- kamailio ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr),
        Sipp::transcript(&dir, &name),
        lab.engine.log()
    );
}

/// A caller: INVITE, the final answer `expect`, and for a 200 the ACK, a second of talk and
/// the BYE. The INVITE's transaction absorbs provisional answers in any order.
fn caller(expect: u16) -> String {
    let end = if expect == 200 {
        r#"
  <recv response="200" rrs="true" response_txn="invite"/>
  <send ack_txn="invite">
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:+4922199999@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      [routes]
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <pause milliseconds="1000"/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:+4922199999@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      [routes]
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200"/>"#
            .to_owned()
    } else {
        format!(
            r#"
  <recv response="{expect}" response_txn="invite"/>
  <send ack_txn="invite">
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      From: <sip:+4922199999@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>"#
        )
    };
    format!(
        r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="caller">
  <send retrans="500" start_txn="invite">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:+4922199999@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:caller@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=caller 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
    ]]>
  </send>
  <recv response="100" optional="true" response_txn="invite"/>
  <recv response="180" optional="true" response_txn="invite"/>
  <recv response="183" optional="true" response_txn="invite"/>{end}
</scenario>
"#
    )
}

/// A phone or server that answers one call and waits for its end.
const ANSWERS: &str = r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="answers">
  <recv request="INVITE" rrs="true"/>
  <send>
    <![CDATA[
      SIP/2.0 180 Ringing
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      [last_Record-Route:]
      Contact: <sip:phone@[local_ip]:[local_port]>
      Content-Length: 0
    ]]>
  </send>
  <send retrans="500">
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      [last_Record-Route:]
      Contact: <sip:phone@[local_ip]:[local_port]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=phone 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
    ]]>
  </send>
  <recv request="ACK"/>
  <recv request="BYE"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
</scenario>
"#;

/// A phone that is busy.
const BUSY: &str = r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="busy">
  <recv request="INVITE"/>
  <send>
    <![CDATA[
      SIP/2.0 486 Busy Here
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
  <recv request="ACK"/>
</scenario>
"#;

/// A phone that rings until the call is cancelled.
const RINGS_OUT: &str = r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="rings out">
  <recv request="INVITE"/>
  <send>
    <![CDATA[
      SIP/2.0 180 Ringing
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:phone@[local_ip]:[local_port]>
      Content-Length: 0
    ]]>
  </send>
  <recv request="CANCEL"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
  <send>
    <![CDATA[
      SIP/2.0 487 Request Terminated
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      CSeq: [cseq] INVITE
      Content-Length: 0
    ]]>
  </send>
  <recv request="ACK"/>
</scenario>
"#;

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
    let output = lab.call("answered-caller", &caller(200), RENTED, &[]);
    assert_passed(&lab, "answered-caller", &output);
    assert_phone_passed(&lab, phone);

    let calls = lab.calls(1).await;
    assert_eq!(calls.len(), 1, "{calls:?}\n{}", lab.engine.log());
    let call = &calls[0];
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
    let output = lab.call("serial-caller", &caller(200), RENTED, &[]);
    assert_passed(&lab, "serial-caller", &output);
    assert_phone_passed(&lab, busy);
    assert_phone_passed(&lab, answers);

    let calls = lab.calls(1).await;
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0]["disposition"], "answered", "{}", calls[0]);
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
    let output = lab.call("busy-caller", &caller(486), RENTED, &[]);
    assert_passed(&lab, "busy-caller", &output);
    assert_phone_passed(&lab, phone);

    let calls = lab.calls(1).await;
    assert_eq!(calls.len(), 1, "{calls:?}\n{}", lab.engine.log());
    assert_eq!(calls[0]["disposition"], "busy", "{}", calls[0]);
    assert!(calls[0].get("answer").is_none());
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vnum_refusals_reach_the_caller_with_their_sip_status() {
    if !tools_present() {
        return;
    }
    let lab = Lab::start("refused").await;

    // Nobody rents it: 404, and no call record anywhere.
    let output = lab.call("unknown-caller", &caller(404), "+4930999999", &[]);
    assert_passed(&lab, "unknown-caller", &output);

    // Rented, but with nowhere to ring: 480, and the missed call is recorded.
    let output = lab.call("unrouted-caller", &caller(480), RENTED, &[]);
    assert_passed(&lab, "unrouted-caller", &output);
    let calls = lab.calls(1).await;
    assert_eq!(calls.len(), 1, "{calls:?}\n{}", lab.engine.log());
    assert_eq!(calls[0]["disposition"], "rejected", "{}", calls[0]);
    assert_eq!(calls[0]["sip_status"], 480);
    lab.stop().await;
}

/// Registers `[field0]` with the password `-ap` gives, expecting `expect` once the
/// credentials were sent; the contact is this sipp's own address.
fn registration(expect: u16) -> String {
    format!(
        r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="register">
  <send retrans="500">
    <![CDATA[
      REGISTER sip:sip.vnum.example SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@sip.vnum.example>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[field0]@sip.vnum.example>
      Call-ID: [call_id]
      CSeq: 1 REGISTER
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      Expires: 600
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="401" auth="true"/>
  <send retrans="500">
    <![CDATA[
      REGISTER sip:sip.vnum.example SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@sip.vnum.example>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[field0]@sip.vnum.example>
      Call-ID: [call_id]
      CSeq: 2 REGISTER
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      [authentication]
      Expires: 600
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="{expect}"/>
</scenario>
"#
    )
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
    assert_passed(&lab, "wrong-password", &output);

    // The right one registers the phone's address.
    let phone_port = free_port();
    let right = [&inject[..], &["-ap", &password]].concat();
    let output = Sipp::spawn(
        &lab.dir,
        "register",
        &registration(200),
        phone_port,
        Some(lab.engine.listen()),
        &right,
    )
    .finish();
    assert_passed(&lab, "register", &output);

    // The number forwards to the account: the call reaches the registered phone.
    lab.forward(ForwardingPlan::single(
        ForwardingTarget::parse("account:anna-desk").unwrap(),
    ))
    .await;
    let phone = lab.phone("desk-phone", ANSWERS, phone_port);
    let output = lab.call("desk-caller", &caller(200), RENTED, &[]);
    assert_passed(&lab, "desk-caller", &output);
    assert_phone_passed(&lab, phone);
    let calls = lab.calls(1).await;
    assert_eq!(calls[0]["disposition"], "answered", "{}", calls[0]);
    lab.stop().await;
}

/// An account's call out, authenticated as `[field0]`, to the service number.
const CALLS_OUT: &str = r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="calls out">
  <send retrans="500" start_txn="first">
    <![CDATA[
      INVITE sip:[service]@sip.vnum.example SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@sip.vnum.example>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@sip.vnum.example>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="407" auth="true" response_txn="first"/>
  <send ack_txn="first">
    <![CDATA[
      ACK sip:[service]@sip.vnum.example SIP/2.0
      [last_Via:]
      From: <sip:[field0]@sip.vnum.example>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@sip.vnum.example>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <send retrans="500" start_txn="invite">
    <![CDATA[
      INVITE sip:[service]@sip.vnum.example SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@sip.vnum.example>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@sip.vnum.example>
      Call-ID: [call_id]
      CSeq: 2 INVITE
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      [authentication]
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="100" optional="true" response_txn="invite"/>
  <recv response="180" optional="true" response_txn="invite"/>
  <recv response="200" rrs="true" response_txn="invite"/>
  <send ack_txn="invite">
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@sip.vnum.example>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@sip.vnum.example>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 ACK
      [routes]
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@sip.vnum.example>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@sip.vnum.example>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 3 BYE
      [routes]
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200"/>
</scenario>
"#;

/// `scenario` with a check on the message `element` receives: it must match `regexp`, or
/// the call fails.
fn checking(scenario: &str, element: &str, regexp: &str) -> String {
    assert!(scenario.contains(element), "no {element} in the scenario");
    let open = element.trim_end_matches("/>");
    scenario
        .replacen(
            element,
            &format!(
                r#"{open}>
    <action>
      <ereg regexp="{regexp}" search_in="msg" check_it="true" assign_to="checked"/>
    </action>
  </recv>"#
            ),
            1,
        )
        .replacen(
            "</scenario>",
            r#"  <Reference variables="checked"/>
</scenario>"#,
            1,
        )
}

/// A phone, gateway or voicemail server that answers one call whose INVITE matches
/// `regexp`.
fn answers_checking(regexp: &str) -> String {
    checking(ANSWERS, r#"<recv request="INVITE" rrs="true"/>"#, regexp)
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
    assert_passed(&lab, "account-calls-out", &output);
    assert_phone_passed(&lab, gateway);
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r4_5_a_number_on_voicemail_sends_its_calls_there() {
    if !tools_present() {
        return;
    }
    let lab = Lab::start("voicemail").await;
    lab.forward(ForwardingPlan::voicemail_only()).await;

    let header = format!("X-Vnum-Number: \\{RENTED}");
    let voicemail = lab.phone(
        "voicemail",
        &answers_checking(&header),
        lab.voicemail.port(),
    );
    let output = lab.call("voicemail-caller", &caller(200), RENTED, &[]);
    assert_passed(&lab, "voicemail-caller", &output);
    assert_phone_passed(&lab, voicemail);

    let calls = lab.calls(1).await;
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0]["disposition"], "voicemail", "{}", calls[0]);
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
    let output = lab.call("fallback-caller", &caller(200), RENTED, &[]);
    assert_passed(&lab, "fallback-caller", &output);
    assert_phone_passed(&lab, phone);
    assert_phone_passed(&lab, voicemail);

    let calls = lab.calls(1).await;
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0]["disposition"], "voicemail", "{}", calls[0]);
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
            amount: support::eur(500),
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
        &caller(480),
        r#"<recv response="480" response_txn="invite"/>"#,
        "X-Vnum-Rule: R10\\.4",
    );
    let output = lab.call("debt-caller", &refused, borrowed, &[]);
    assert_passed(&lab, "debt-caller", &output);
    lab.stop().await;
}
