//! Events out, end to end: email over SMTP to a real SMTP server (Python's `aiosmtpd`, from
//! `.ci/venv`), and signed webhooks to a real HTTP receiver this test runs, through
//! failures, recovery and a server restart in the middle of a delivery.
//!
//! With `CI=true` a missing `aiosmtpd` fails the SMTP test instead of skipping it.

// The test is the assertion: a panic is a failed test with a location.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Server, hmac_sha256_hex};
use vnum_server::Settings;

/// Waits until `check` holds, for at most `limit`.
async fn eventually<T>(limit: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(found) = check() {
            return found;
        }
        assert!(start.elapsed() < limit, "not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

// ----- SMTP ---------------------------------------------------------------------------

/// The Python with `aiosmtpd`: `.ci/venv`'s, or the system's if it has the module.
fn aiosmtpd_python() -> Option<PathBuf> {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.ci/venv/bin/python");
    let candidates = [venv, PathBuf::from("python3")];
    candidates.into_iter().find(|python| {
        std::process::Command::new(python)
            .args(["-c", "import aiosmtpd"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// An `aiosmtpd` server on a loopback port that keeps every message it accepts in a
/// maildir; killed when dropped.
struct SmtpSink {
    child: std::process::Child,
    port: u16,
    maildir: PathBuf,
}

impl SmtpSink {
    fn start() -> Option<Self> {
        Self::start_with(&[])
    }

    /// A sink started with more of `aiosmtpd`'s arguments (its TLS certificates).
    fn start_with(extra: &[&str]) -> Option<Self> {
        let Some(python) = aiosmtpd_python() else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "aiosmtpd is missing: .ci/run installs it into .ci/venv"
            );
            eprintln!("skipped: aiosmtpd is not installed (pip install aiosmtpd==1.4.6)");
            return None;
        };
        let port = free_port();
        let maildir = std::env::temp_dir().join(format!("vnum-smtp-{}-{port}", std::process::id()));
        let child = std::process::Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(extra)
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "aiosmtpd did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(Self {
            child,
            port,
            maildir,
        })
    }

    /// Every message received so far, as its raw text.
    fn messages(&self) -> Vec<String> {
        let mut found = Vec::new();
        for sub in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(self.maildir.join(sub)) else {
                continue;
            };
            for entry in entries.flatten() {
                found.push(std::fs::read_to_string(entry.path()).unwrap());
            }
        }
        found
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

/// The values of header `name` in a raw message, unfolded.
fn header(message: &str, name: &str) -> Vec<String> {
    let message = message.replace("\r\n", "\n");
    let head = message.split("\n\n").next().unwrap_or_default();
    let mut lines: Vec<String> = Vec::new();
    for line in head.lines() {
        match lines.last_mut() {
            Some(last) if line.starts_with([' ', '\t']) => last.push_str(line),
            _ => lines.push(line.to_owned()),
        }
    }
    lines
        .iter()
        .filter_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
        .collect()
}

#[tokio::test]
async fn r7_1_the_restock_email_reaches_the_smtp_server_once_with_text_html_and_no_injected_header()
{
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let server = Server::start_with(Settings {
        smtp_host: Some("127.0.0.1".into()),
        smtp_port: Some(sink.port),
        smtp_security: vnum_server::mail::SmtpSecurity::None,
        smtp_from: "vnum <noreply@vnum.example>".into(),
        seed_catalogue: false,
        outbox_poll_seconds: 1,
        ..Settings::default()
    })
    .await;
    let ann = server.customer("ann@example.com", "person").await;
    // A city whose name carries a header of its own.
    let city = "Berlin\r\nBcc: victim@example.com";
    let offer = server
        .vnum()
        .create_offer(vnum_lifecycle::OfferTerms {
            id: vnum_core::OfferId(0),
            country: vnum_testkit::country("DE"),
            city: Some(vnum_lifecycle::City::new(city).unwrap()),
            kind: vnum_lifecycle::NumberKind::Landline,
            carrier: vnum_core::CarrierId(900),
            monthly_price: vnum_testkit::eur("5.00"),
            setup_fee: vnum_testkit::eur("0.00"),
            provisioning: vnum_lifecycle::ProvisioningClass::Instant,
            documents: vnum_compliance::DocumentRequirement::none(),
            caller_id_monthly: None,
            sip_forwarding_free: true,
            trial_allowed: false,
            listed: false,
        })
        .await
        .unwrap();
    server
        .vnum()
        .join_waitlist(
            vnum_core::CustomerId(ann.id),
            vnum_testkit::country("DE"),
            Some(vnum_lifecycle::City::new(city).unwrap()),
            None,
        )
        .await
        .unwrap();
    let (status, restocked) = server
        .post(
            &format!("/v1/offers/{}/restock", offer.id().get()),
            server.operator(),
            json!({"numbers": ["+493012345601"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{restocked}");

    let wanted = |m: &String| {
        header(m, "Subject")
            .first()
            .is_some_and(|s| s.contains("on sale again"))
    };
    let message = eventually(Duration::from_secs(20), || {
        sink.messages().into_iter().find(wanted)
    })
    .await;
    assert_eq!(header(&message, "To"), ["ann@example.com"]);
    assert!(header(&message, "From")[0].contains("noreply@vnum.example"));
    assert_eq!(
        header(&message, "X-RcptTo"),
        ["ann@example.com"],
        "one recipient"
    );
    assert!(header(&message, "Bcc").is_empty(), "{message}");
    let head = message.replace("\r\n", "\n");
    let head = head.split("\n\n").next().unwrap();
    assert!(
        !head
            .lines()
            .any(|l| l.to_ascii_lowercase().starts_with("bcc")),
        "{message}"
    );
    assert_eq!(
        header(&message, "Subject"),
        ["numbers in Berlin  Bcc: victim@example.com, DE are on sale again"]
    );
    assert!(message.contains("multipart/alternative"), "{message}");
    assert!(message.contains("text/plain") && message.contains("text/html"));
    let events = server.vnum().events(None, None, 100).await.unwrap();
    let restock = events
        .iter()
        .find(|e| e.notice.type_name() == "waitlist.restocked")
        .unwrap();
    assert!(
        header(&message, "Message-ID")[0].contains(&restock.id.0),
        "the message id names the event: {message}"
    );

    // Sent once: the event is delivered, nothing is due any more.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(sink.messages().iter().filter(|m| wanted(m)).count(), 1);
    server.stop().await;
}

// ----- webhooks -----------------------------------------------------------------------

/// One request a receiver got.
#[derive(Clone, Debug)]
struct Received {
    event_id: String,
    event_type: String,
    signature: String,
    body: String,
}

/// An HTTP receiver on a loopback port: it records every POST and answers the statuses
/// of its script in turn (204 once the script is used up), waiting `hold` first.
#[derive(Clone)]
struct Receiver {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    hold: Arc<Mutex<Duration>>,
    task: Arc<tokio::task::JoinHandle<()>>,
}

impl Receiver {
    async fn start(script: &[u16]) -> Self {
        Self::start_on("127.0.0.1:0".parse().unwrap(), script).await
    }

    async fn start_on(addr: SocketAddr, script: &[u16]) -> Self {
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(script.iter().copied().collect::<VecDeque<_>>()));
        let hold = Arc::new(Mutex::new(Duration::ZERO));
        let (r, s, h) = (received.clone(), script.clone(), hold.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (r, s, h) = (r.clone(), s.clone(), h.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, r, s, h).await;
                });
            }
        });
        Self {
            addr,
            received,
            hold,
            task: Arc::new(task),
        }
    }

    fn url(&self) -> String {
        format!("http://{}/hooks/vnum", self.addr)
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    fn stop(&self) {
        self.task.abort();
    }
}

/// Reads one HTTP/1.1 request, records it, answers and closes.
async fn serve(
    mut stream: tokio::net::TcpStream,
    received: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
    hold: Arc<Mutex<Duration>>,
) -> std::io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buffer = Vec::new();
    let mut chunk = [0_u8; 4096];
    let (head, body_start) = loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break (
                String::from_utf8_lossy(&buffer[..end]).into_owned(),
                end + 4,
            );
        }
    };
    let headers: Vec<(String, String)> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let length: usize = get("content-length").parse().unwrap_or(0);
    let mut body = buffer[body_start..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        body.extend_from_slice(&chunk[..n]);
    }
    received.lock().unwrap().push(Received {
        event_id: get("vnum-event-id"),
        event_type: get("vnum-event-type"),
        signature: get("vnum-signature"),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let wait = *hold.lock().unwrap();
    tokio::time::sleep(wait).await;
    let status = script.lock().unwrap().pop_front().unwrap_or(204);
    let answer =
        format!("HTTP/1.1 {status} Scripted\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    stream.write_all(answer.as_bytes()).await?;
    stream.shutdown().await
}

/// Checks a delivery's signature as a receiver would, with HMAC-SHA256 computed apart
/// from the server's code: `t=<unix>,v1=<hex HMAC(secret, "<t>.<body>")>`.
fn verify(secret: &str, received: &Received) {
    let mut t = None;
    let mut v1 = None;
    for part in received.signature.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = Some(value.to_owned()),
            Some(("v1", value)) => v1 = Some(value.to_owned()),
            _ => {}
        }
    }
    let t = t.expect("a timestamp");
    let expected = hmac_sha256_hex(
        secret.as_bytes(),
        format!("{t}.{}", received.body).as_bytes(),
    );
    assert_eq!(v1.as_deref(), Some(expected.as_str()), "{received:?}");
    let age = chrono::Utc::now().timestamp() - t.parse::<i64>().unwrap();
    assert!((0..300).contains(&age), "a fresh timestamp: {age} s");
}

fn webhook_settings(database_url: Option<String>) -> Settings {
    Settings {
        webhook_private_targets: true,
        webhook_first_retry_ms: 300,
        webhook_timeout_seconds: 1,
        outbox_poll_seconds: 1,
        outbox_lease_seconds: 3,
        database_url: database_url.unwrap_or_else(|| "sqlite::memory:".into()),
        ..Settings::default()
    }
}

async fn register_webhook(server: &Server, key: &str, url: &str, types: &[&str]) -> (i64, String) {
    let (status, body) = server
        .post(
            "/v1/webhooks",
            key,
            json!({"url": url, "event_types": types}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (
        body["id"].as_i64().unwrap(),
        body["secret"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn webhooks_on_loopback_are_refused_unless_the_operator_allows_private_targets() {
    let server = Server::start().await;
    let (_, key) = server.register("ann@example.com").await;
    let (status, problem) = server
        .post(
            "/v1/webhooks",
            &key,
            json!({"url": "http://127.0.0.1:9/hook"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("private"),
        "{problem}"
    );
    let (status, problem) = server
        .post(
            "/v1/webhooks",
            &key,
            json!({"url": "https://hooks.example.com/x", "event_types": ["number.lost"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    server.stop().await;
}

#[tokio::test]
async fn a_signed_webhook_fails_twice_then_is_delivered_under_one_event_id() {
    let receiver = Receiver::start(&[500, 503]).await;
    let server = Server::start_with(webhook_settings(None)).await;
    let (ann, key) = server.register("ann@example.com").await;
    let (endpoint, secret) =
        register_webhook(&server, &key, &receiver.url(), &["payment.credited"]).await;
    let (status, _) = server
        .top_up(ann, server.operator(), "pay-1", "12.50")
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let deliveries = eventually(Duration::from_secs(20), || {
        let got = receiver.received();
        (got.len() >= 3).then_some(got)
    })
    .await;
    let first = &deliveries[0];
    assert!(
        deliveries.iter().all(|d| d.event_id == first.event_id),
        "a retry is the same event: {deliveries:?}"
    );
    for delivery in &deliveries {
        verify(&secret, delivery);
        assert_eq!(delivery.event_type, "payment.credited");
        let body: Value = serde_json::from_str(&delivery.body).unwrap();
        assert_eq!(body["id"], first.event_id.as_str());
        assert_eq!(body["type"], "payment.credited");
        assert_eq!(body["data"]["customer"], ann);
        assert_eq!(
            body["data"]["amount"],
            json!({"amount": "12.50", "currency": "EUR"})
        );
        assert!(body["created_at"].is_string());
    }

    let start = Instant::now();
    let log = loop {
        let (status, log) = server
            .get(&format!("/v1/webhooks/{endpoint}/deliveries"), &key)
            .await;
        assert_eq!(status, StatusCode::OK, "{log}");
        if log[0]["status"] == "delivered" {
            break log;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{log}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(log[0]["attempts"], 3, "{log}");
    assert_eq!(log[0]["last_status"], 204, "{log}");
    assert_eq!(log[0]["event_id"], first.event_id.as_str());
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(receiver.received().len(), 3, "nothing more once delivered");

    // A redelivery carries the same event id.
    let delivery = log[0]["id"].as_i64().unwrap();
    let (status, requeued) = server
        .post(
            &format!("/v1/webhooks/{endpoint}/deliveries/{delivery}/redeliver"),
            &key,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{requeued}");
    let again = eventually(Duration::from_secs(10), || {
        let got = receiver.received();
        (got.len() == 4).then_some(got)
    })
    .await;
    assert_eq!(again[3].event_id, first.event_id);
    verify(&secret, &again[3]);

    let (status, events) = server.get("/v1/events", &key).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        events["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["id"] == first.event_id.as_str())
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_restarted_in_the_middle_of_a_delivery_delivers_it_again_and_loses_nothing() {
    let file = std::env::temp_dir().join(format!("vnum-webhooks-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&file);
    let url = format!("sqlite://{}", file.display());
    let receiver = Receiver::start(&[]).await;
    // The first delivery is held past the server's stop.
    *receiver.hold.lock().unwrap() = Duration::from_secs(5);

    // Two servers in turn on one file: without the read cache neither locks it alone.
    let settings = Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        read_cache: Some(false),
        ..webhook_settings(Some(url.clone()))
    };
    let mut running = vnum_server::start(&settings).await.unwrap();
    let demo = running.demo.take().unwrap();
    let base = format!("http://{}", running.addr);
    let http = reqwest::Client::new();
    let (status, created) = support::read(
        http.post(format!("{base}/v1/customers"))
            .bearer_auth(&demo.operator_key)
            .json(&json!({"name": "Ann", "email": "ann@example.com", "kind": "person", "currency": "EUR"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let ann = created["customer"]["id"].as_i64().unwrap();
    let (status, hook) = support::read(
        http.post(format!("{base}/v1/webhooks"))
            .bearer_auth(&demo.operator_key)
            .json(&json!({"url": receiver.url(), "event_types": ["payment.credited"]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    let secret = hook["secret"].as_str().unwrap().to_owned();
    for key in ["pay-1", "pay-2", "pay-3"] {
        let (status, _) = support::read(
            http.post(format!("{base}/v1/customers/{ann}/top-ups"))
                .bearer_auth(&demo.operator_key)
                .header("Idempotency-Key", key)
                .json(&json!({"amount": "1.00", "currency": "EUR"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    // The first delivery is under way (held by the receiver): stop the server then.
    eventually(Duration::from_secs(10), || {
        (!receiver.received().is_empty()).then_some(())
    })
    .await;
    running.stop().await.unwrap();
    *receiver.hold.lock().unwrap() = Duration::ZERO;

    let running = vnum_server::start(&settings).await.unwrap();
    let got = eventually(Duration::from_secs(30), || {
        let got = receiver.received();
        let mut ids: Vec<&str> = got.iter().map(|r| r.event_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let again = got
            .first()
            .is_some_and(|f| got.iter().filter(|r| r.event_id == f.event_id).count() >= 2);
        (ids.len() == 3 && again).then_some(got)
    })
    .await;
    for delivery in &got {
        verify(&secret, delivery);
    }
    let first = &got[0].event_id;
    assert!(
        got.iter().filter(|r| &r.event_id == first).count() >= 2,
        "the delivery under way at the stop is made again, under its id: {got:?}"
    );
    running.stop().await.unwrap();
    receiver.stop();
    let _ = std::fs::remove_file(&file);
    for suffix in ["-wal", "-shm", ".lock"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
}

#[tokio::test]
async fn an_endpoint_that_keeps_failing_is_disabled_with_a_webhook_disabled_event() {
    let receiver = Receiver::start(&[500; 64]).await;
    let server = Server::start_with(Settings {
        webhook_disable_after_seconds: 1,
        ..webhook_settings(None)
    })
    .await;
    let (ann, key) = server.register("ann@example.com").await;
    let (endpoint, _) = register_webhook(&server, &key, &receiver.url(), &[]).await;
    let (status, _) = server.top_up(ann, server.operator(), "pay-1", "5.00").await;
    assert_eq!(status, StatusCode::CREATED);

    let start = Instant::now();
    let disabled = loop {
        let (status, hook) = server.get(&format!("/v1/webhooks/{endpoint}"), &key).await;
        assert_eq!(status, StatusCode::OK, "{hook}");
        if hook.get("disabled_at").is_some() {
            break hook;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{hook}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(disabled["failing_since"].is_string(), "{disabled}");
    let (_, log) = server
        .get(&format!("/v1/webhooks/{endpoint}/deliveries"), &key)
        .await;
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .all(|d| d["status"] == "failed"),
        "{log}"
    );
    assert!(log[0]["attempts"].as_u64().unwrap() >= 2, "{log}");
    assert_eq!(log[0]["last_status"], 500);
    let (_, events) = server.get("/v1/events", &key).await;
    let notice = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "webhook.disabled")
        .cloned()
        .unwrap_or_else(|| panic!("{events}"));
    assert_eq!(notice["data"]["endpoint_id"], endpoint);
    assert_eq!(notice["data"]["customer"], ann);
    assert_eq!(notice["data"]["url"], receiver.url().as_str());

    // Nothing more is posted to it.
    let posted = receiver.received().len();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(receiver.received().len(), posted);
    server.stop().await;
}

/// A certificate authority and a certificate it issued for `localhost`, made with the
/// `openssl` command in `dir`: (the authority's PEM, the server's certificate, its key).
fn localhost_certificate(dir: &std::path::Path) -> (PathBuf, PathBuf, PathBuf) {
    std::fs::create_dir_all(dir).unwrap();
    let run = |args: &[&str]| {
        let output = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(output.status.success(), "openssl {args:?}: {output:?}");
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=vnum test authority",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
    ]);
    (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    )
}

/// STARTTLS and implicit TLS to a server whose certificate a private authority issued:
/// trusted through `smtp_ca_file`, email arrives; without it, the certificate is refused
/// and nothing is sent in the clear.
#[tokio::test]
async fn email_goes_over_starttls_and_implicit_tls_to_a_server_of_a_private_authority() {
    if std::process::Command::new("openssl")
        .arg("version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "openssl is missing"
        );
        eprintln!("skipped: openssl is not installed");
        return;
    }
    let dir = std::env::temp_dir().join(format!("vnum-smtp-tls-{}", std::process::id()));
    let (ca, cert, key) = localhost_certificate(&dir);
    let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
    for (security, flags) in [
        (
            vnum_server::mail::SmtpSecurity::Starttls,
            ["--tlscert", "--tlskey"],
        ),
        (
            vnum_server::mail::SmtpSecurity::Tls,
            ["--smtpscert", "--smtpskey"],
        ),
    ] {
        let Some(sink) = SmtpSink::start_with(&[flags[0], cert, flags[1], key]) else {
            return;
        };
        for trusted in [false, true] {
            let server = Server::start_with(Settings {
                smtp_host: Some("localhost".into()),
                smtp_port: Some(sink.port),
                smtp_security: security,
                smtp_ca_file: trusted.then(|| ca.clone()),
                smtp_timeout_seconds: 5,
                seed_catalogue: false,
                outbox_poll_seconds: 1,
                ..Settings::default()
            })
            .await;
            let email = format!("tls-{trusted}@example.com");
            // A top-up writes payment.credited, emailed to the customer.
            server.customer(&email, "person").await;
            if trusted {
                let received = eventually(Duration::from_secs(20), || {
                    let found: Vec<String> = sink
                        .messages()
                        .into_iter()
                        .filter(|m| header(m, "To").iter().any(|to| to.contains(&email)))
                        .collect();
                    (!found.is_empty()).then_some(found)
                })
                .await;
                assert_eq!(received.len(), 1, "{security:?}: {received:?}");
            } else {
                tokio::time::sleep(Duration::from_secs(3)).await;
                assert!(
                    !sink.messages().iter().any(|m| m.contains(&email)),
                    "{security:?}: sent to a server whose certificate is not trusted"
                );
            }
            server.stop().await;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
