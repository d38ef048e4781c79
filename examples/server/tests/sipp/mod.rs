//! sipp scenarios and a runner for the SIP stories and the SIP load bench: callers,
//! phones, servers, a gateway and a voicemail server, over UDP on loopback.

// Each user takes part of it.
#![allow(dead_code)]
// A panic here is a failed assertion.
#![allow(clippy::unwrap_used)]

use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// A UDP port nobody uses now, and that this process has not handed out before: the OS
/// may give a closed port again, and two parts of one lab must never share one.
pub(crate) fn free_port() -> u16 {
    unique(|| {
        UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    })
}

/// A TCP port nobody uses now, never handed out before by this process.
pub(crate) fn free_tcp_port() -> u16 {
    unique(|| {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    })
}

fn unique(mut next: impl FnMut() -> u16) -> u16 {
    static HANDED_OUT: std::sync::Mutex<std::collections::BTreeSet<u16>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    let mut handed_out = HANDED_OUT.lock().unwrap();
    loop {
        let port = next();
        if handed_out.insert(port) {
            return port;
        }
    }
}

/// Whether sipp is installed.
pub(crate) fn installed() -> bool {
    Command::new("sipp")
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// One sipp run: a scenario, its ports, and where it writes what it sent and received.
pub(crate) struct Sipp {
    command: Command,
    name: String,
    dir: PathBuf,
}

/// A sipp that runs in the background.
pub(crate) struct Running {
    child: Child,
    name: String,
    dir: PathBuf,
}

/// How a sipp run ended.
pub(crate) struct Finished {
    pub(crate) output: Output,
    name: String,
    dir: PathBuf,
}

impl Sipp {
    /// `scenario` as `name`, in `dir`, on the local UDP `port`, for one call, with every
    /// message traced to `<name>.messages` and errors to `<name>.errors`.
    pub(crate) fn new(dir: &Path, name: &str, scenario: &str, port: u16) -> Self {
        let file = dir.join(format!("{name}.xml"));
        std::fs::write(&file, scenario).unwrap();
        let mut command = Command::new("sipp");
        command
            .args(["-sf", file.to_str().unwrap(), "-i", "127.0.0.1"])
            .args(["-p", &port.to_string(), "-mp", &free_port().to_string()])
            .args(["-timeout", "20", "-timeout_error", "-nostdin"])
            .args(["-trace_err", "-error_file"])
            .arg(dir.join(format!("{name}.errors")))
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        Self {
            command,
            name: name.to_owned(),
            dir: dir.to_owned(),
        }
    }

    /// Sends its requests to `remote` (a caller); without it, it waits for requests.
    pub(crate) fn to(mut self, remote: SocketAddr) -> Self {
        self.command.arg(remote.to_string());
        self
    }

    /// More of sipp's options.
    pub(crate) fn args(mut self, args: &[&str]) -> Self {
        self.command.args(args);
        self
    }

    /// Starts it for one call, with every message traced.
    pub(crate) fn spawn(mut self) -> Running {
        self.command
            .args(["-m", "1", "-trace_msg", "-message_file"]);
        self.command
            .arg(self.dir.join(format!("{}.messages", self.name)));
        self.start()
    }

    /// Starts it for as many calls as its options say, without tracing messages.
    pub(crate) fn start(mut self) -> Running {
        Running {
            child: self.command.spawn().unwrap(),
            name: self.name,
            dir: self.dir,
        }
    }

    /// Runs one call to the end.
    pub(crate) fn run(self) -> Finished {
        self.spawn().finish()
    }
}

impl Running {
    /// Ends it now, however far it got.
    pub(crate) fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the end.
    pub(crate) fn finish(self) -> Finished {
        Finished {
            output: self.child.wait_with_output().unwrap(),
            name: self.name,
            dir: self.dir,
        }
    }
}

impl Finished {
    /// Whether every call completed its scenario.
    pub(crate) fn passed(&self) -> bool {
        self.output.status.success()
    }

    /// What went wrong, what it sent and received, and `context`, for a failed assertion.
    pub(crate) fn report(&self, context: &str) -> String {
        let read = |suffix: &str| {
            std::fs::read_to_string(self.dir.join(format!("{}.{suffix}", self.name)))
                .unwrap_or_default()
        };
        format!(
            "sipp {} failed ({}): {}\n--- sipp ---\n{}\n{}\n{context}",
            self.name,
            self.output.status,
            String::from_utf8_lossy(&self.output.stderr),
            read("messages"),
            read("errors"),
        )
    }
}

/// A caller: INVITE, the final answer `expect`, and for a 200 the ACK, `talk_ms` of talk and
/// the BYE. The INVITE's transaction absorbs provisional answers in any order.
pub(crate) fn caller(expect: u16, talk_ms: u32) -> String {
    caller_with(expect, talk_ms, SERVICE_AT_ENGINE, "")
}

/// The request URI of a call to the service number at the engine's address.
pub(crate) const SERVICE_AT_ENGINE: &str = "sip:[service]@[remote_ip]:[remote_port]";

/// [`caller`] with the INVITE to `request_uri` and with the header lines `headers` (each
/// ending in a line break) of the caller's own making.
pub(crate) fn caller_with(expect: u16, talk_ms: u32, request_uri: &str, headers: &str) -> String {
    let end = if expect == 200 {
        format!(
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
  <pause milliseconds="{talk_ms}"/>
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
        )
    } else {
        refused_with(expect)
    };
    let provisional = r#"
  <recv response="100" optional="true" response_txn="invite"/>
  <recv response="180" optional="true" response_txn="invite"/>
  <recv response="183" optional="true" response_txn="invite"/>"#;
    calling_with(
        "caller",
        request_uri,
        headers,
        &format!("{provisional}{end}"),
    )
}

/// A caller that hangs up while the call rings: INVITE, 180, CANCEL, 487, ACK.
pub(crate) fn hangs_up_while_ringing() -> String {
    // The CANCEL is the fifth message and shares the INVITE's branch (`[branch-4]`).
    calling(
        "hangs up",
        &format!(
            r#"
  <recv response="100" optional="true" response_txn="invite"/>
  <recv response="180" response_txn="invite"/>
  <pause milliseconds="300"/>
  <send>
    <![CDATA[
      CANCEL sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch-4]
      From: <sip:+4922199999@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 CANCEL
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200" optional="true"/>{}"#,
            refused_with(487)
        ),
    )
}

/// The INVITE's final failure `expect`, and its ACK.
fn refused_with(expect: u16) -> String {
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
}

/// A scenario that sends an INVITE with an offer of PCMU to `[service]` and goes on with
/// `after_invite`.
fn calling(name: &str, after_invite: &str) -> String {
    calling_with(name, SERVICE_AT_ENGINE, "", after_invite)
}

/// [`calling`] to `request_uri`, with the header lines `headers`.
fn calling_with(name: &str, request_uri: &str, headers: &str, after_invite: &str) -> String {
    let headers = headers
        .lines()
        .map(|line| format!("      {line}\n"))
        .collect::<String>();
    format!(
        r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="{name}">
  <send retrans="500" start_txn="invite">
    <![CDATA[
      INVITE {request_uri} SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:+4922199999@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:caller@[local_ip]:[local_port]>
{headers}      Max-Forwards: 70
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
  </send>{after_invite}
</scenario>
"#
    )
}

/// A phone or server that answers one call and waits for its end.
pub(crate) const ANSWERS: &str = r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
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
pub(crate) const BUSY: &str = r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
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
pub(crate) const RINGS_OUT: &str = r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="rings out">
  <recv request="INVITE">
    <action>
      <ereg regexp=".*" search_in="hdr" header="Via:" occurrence="1" assign_to="proxy"/>
      <ereg regexp=".*" search_in="hdr" header="Via:" occurrence="2" assign_to="caller"/>
    </action>
  </recv>
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
      Via:[$proxy]
      Via:[$caller]
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

/// Registers `[field0]` with the password `-ap` gives, expecting `expect` once the
/// credentials were sent; the contact is this sipp's own address.
pub(crate) fn registration(expect: u16) -> String {
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

/// An account's call out, authenticated as `[field0]`, to the service number.
pub(crate) const CALLS_OUT: &str = r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
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
pub(crate) fn checking(scenario: &str, element: &str, regexp: &str) -> String {
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
pub(crate) fn answers_checking(regexp: &str) -> String {
    checking(ANSWERS, r#"<recv request="INVITE" rrs="true"/>"#, regexp)
}

/// [`answers_checking`] whose INVITE must also not match `forbidden`: the call fails when
/// it does.
pub(crate) fn answers_checking_without(regexp: &str, forbidden: &str) -> String {
    answers_checking(regexp)
        .replacen(
            r#"assign_to="checked"/>"#,
            &format!(
                r#"assign_to="checked"/>
      <ereg regexp="{forbidden}" search_in="msg" check_it_inverse="true" assign_to="forbidden"/>"#
            ),
            1,
        )
        .replacen(
            r#"<Reference variables="checked"/>"#,
            r#"<Reference variables="checked,forbidden"/>"#,
            1,
        )
}

/// An INVITE that claims to be within a dialog (a To-tag) to `[service]` at `host`, routed
/// through `route` (the header's URI), expecting the failure `expect`.
pub(crate) fn forged_in_dialog(host: &str, route: &str, expect: u16) -> String {
    format!(
        r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="forged in-dialog request">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@{host} SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:attacker@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@{host}>;tag=forged-[call_number]
      Call-ID: [call_id]
      CSeq: 2 INVITE
      Route: <{route};lr>
      Contact: <sip:attacker@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=attacker 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="{expect}"/>
</scenario>
"#
    )
}

/// REGISTERs of made-up users (`flood<call number>`) with made-up credentials, each of
/// which would have vnum look a login up; nothing is waited for.
pub(crate) const REGISTER_FLOOD: &str = r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="register flood">
  <send>
    <![CDATA[
      REGISTER sip:sip.vnum.example SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:flood[call_number]@sip.vnum.example>;tag=[pid]SIPpTag00[call_number]
      To: <sip:flood[call_number]@sip.vnum.example>
      Call-ID: [call_id]
      CSeq: 1 REGISTER
      Contact: <sip:flood[call_number]@[local_ip]:[local_port]>
      Authorization: Digest username="flood[call_number]", realm="sip.vnum.example", nonce="made-up", uri="sip:sip.vnum.example", response="00000000000000000000000000000000", algorithm=MD5
      Expires: 600
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
</scenario>
"#;

/// The cumulative successful and failed calls of a sipp statistics file.
pub(crate) fn call_totals(file: &Path) -> (u64, u64) {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(';').collect();
    let last: Vec<&str> = lines.last().unwrap_or_default().split(';').collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .and_then(|i| last.get(i))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    (column("SuccessfulCall(C)"), column("FailedCall(C)"))
}

/// The part of [`CALLS_OUT`] from the answer on: 200, ACK, the caller's BYE and its 200.
const CALLS_OUT_ANSWERED: &str = r#"  <recv response="200" rrs="true" response_txn="invite"/>"#;

/// [`CALLS_OUT`] refused: the INVITE is answered `status` with `X-Vnum-Rule: <rule>`, and
/// acknowledged; the call fails on any other answer.
pub(crate) fn caller_checking_reply(scenario: &str, status: u16, rule: &str) -> String {
    let at = scenario
        .find(CALLS_OUT_ANSWERED)
        .expect("a scenario of calls out");
    format!(
        r#"{head}  <recv response="{status}" response_txn="invite">
    <action>
      <ereg regexp="X-Vnum-Rule: {rule}" search_in="msg" check_it="true" assign_to="checked"/>
    </action>
  </recv>
  <send ack_txn="invite">
    <![CDATA[
      ACK sip:[service]@sip.vnum.example SIP/2.0
      [last_Via:]
      From: <sip:[field0]@sip.vnum.example>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@sip.vnum.example>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 ACK
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <Reference variables="checked"/>
</scenario>
"#,
        head = &scenario[..at]
    )
}

/// [`CALLS_OUT`] whose caller would talk for 20 s but is hung up by the engine first: after
/// the ACK it waits for a BYE and answers it; the call fails if none comes.
pub(crate) fn hung_up_by_the_engine(scenario: &str) -> String {
    let bye = scenario
        .find("  <send retrans=\"500\">\n    <![CDATA[\n      BYE")
        .expect("a scenario that hangs up");
    format!(
        r#"{head}  <recv request="BYE" timeout="20000"/>
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
"#,
        head = &scenario[..bye]
    )
}
