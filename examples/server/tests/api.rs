//! The HTTP API end to end: the real server on a loopback port, driven over the socket.

// A panic in a test or its harness is a failed assertion.
#![allow(clippy::unwrap_used)]

use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use vnum_server::Settings;

use support::{Server, read};

mod support;

#[tokio::test]
async fn r10_1_the_same_idempotency_key_twice_credits_once() {
    let server = Server::start().await;
    let (id, key) = server.register("anna@example.com").await;

    let (first, receipt) = server
        .top_up(id, &server.demo.operator_key, "payment-1", "25.00")
        .await;
    let (again, replay) = server
        .top_up(id, &server.demo.operator_key, "payment-1", "25.00")
        .await;
    let (_, balance) = server
        .get(&format!("/v1/customers/{id}/balance"), &key)
        .await;

    assert_eq!(first, StatusCode::CREATED);
    assert_eq!(again, StatusCode::OK);
    assert_eq!(replay["replayed"], true);
    assert_eq!(replay["entry"], receipt["entry"]);
    assert_eq!(
        balance["balance"],
        json!({"amount": "25.00", "currency": "EUR"})
    );
    assert_eq!(balance["service"], "active");
    let (_, ledger) = server
        .get(&format!("/v1/customers/{id}/ledger"), &key)
        .await;
    assert_eq!(ledger["items"].as_array().unwrap().len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn an_idempotency_key_reused_for_another_amount_is_a_conflict() {
    let server = Server::start().await;
    let (id, _) = server.register("anna@example.com").await;
    server
        .top_up(id, &server.demo.operator_key, "payment-1", "25.00")
        .await;

    let (status, problem) = server
        .top_up(id, &server.demo.operator_key, "payment-1", "30.00")
        .await;

    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    server.stop().await;
}

#[tokio::test]
async fn a_top_up_without_an_idempotency_key_is_refused() {
    let server = Server::start().await;
    let (status, problem) = server
        .post_text(
            &format!("/v1/customers/{}/top-ups", server.demo.customer),
            &server.demo.customer_key,
            r#"{"amount": "5.00", "currency": "EUR"}"#,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("Idempotency-Key"),
        "{problem}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_customer_cannot_see_another_customers_resources() {
    let server = Server::start().await;
    let (anna, anna_key) = server.register("anna@example.com").await;
    let (boris, _) = server.register("boris@example.com").await;
    server
        .top_up(boris, &server.demo.operator_key, "seed", "10.00")
        .await;

    for path in ["", "/balance", "/ledger"] {
        let (status, problem) = server
            .get(&format!("/v1/customers/{boris}{path}"), &anna_key)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {problem}");
        assert!(!problem.to_string().contains("boris"), "{problem}");
    }
    let (status, _) = server.top_up(boris, &anna_key, "steal", "1.00").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (own, customer) = server
        .get(&format!("/v1/customers/{anna}"), &anna_key)
        .await;
    assert_eq!(own, StatusCode::OK);
    assert_eq!(customer["email"], "anna@example.com");
    let (_, boris_balance) = server
        .get(
            &format!("/v1/customers/{boris}/balance"),
            &server.demo.operator_key,
        )
        .await;
    assert_eq!(boris_balance["balance"]["amount"], "10.00");
    server.stop().await;
}

#[tokio::test]
async fn without_a_valid_token_the_answer_is_401() {
    let server = Server::start().await;
    let path = format!("/v1/customers/{}/balance", server.demo.customer);

    let (missing, problem) = server.get_anonymously(&path).await;
    let (unknown, _) = server
        .get(
            &path,
            "vnum_0000000000000000000000000000000000000000000000000000000000000000",
        )
        .await;
    let (garbage, _) = server.get(&path, "not-a-key").await;

    assert_eq!(missing, StatusCode::UNAUTHORIZED);
    assert!(
        problem["detail"].as_str().unwrap().contains("Bearer"),
        "{problem}"
    );
    assert_eq!(unknown, StatusCode::UNAUTHORIZED);
    assert_eq!(garbage, StatusCode::UNAUTHORIZED);
    server.stop().await;
}

#[tokio::test]
async fn an_api_key_may_be_the_password_of_basic_authentication() {
    let server = Server::start().await;
    let path = server.url(&format!("/v1/customers/{}/balance", server.demo.customer));
    let key = server.demo.customer_key.clone();

    let basic = |user: &str, password: &str| {
        server
            .http
            .get(&path)
            .basic_auth(user, Some(password))
            .send()
    };
    let (status, balance) = read(basic("engine", &key).await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{balance}");
    assert_eq!(balance["customer"], server.demo.customer.get());

    let (wrong, problem) = read(basic(&key, "not-the-key").await.unwrap()).await;
    assert_eq!(wrong, StatusCode::UNAUTHORIZED);
    assert!(
        problem["detail"].as_str().unwrap().contains("API key"),
        "{problem}"
    );
    server.stop().await;
}

#[tokio::test]
async fn operator_endpoints_answer_403_to_a_customer() {
    let server = Server::start().await;
    let body =
        json!({"name": "Eve", "email": "eve@example.com", "kind": "person", "currency": "EUR"});

    let (status, problem) = server
        .post_text(
            "/v1/customers",
            &server.demo.customer_key,
            &body.to_string(),
        )
        .await;

    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    server.stop().await;
}

#[tokio::test]
async fn the_engine_key_opens_the_engine_endpoints_and_nothing_else() {
    let server = Server::start().await;
    let engine = server.engine().to_owned();
    let customer = server.demo.customer_key.clone();
    let own = format!("/v1/customers/{}", server.demo.customer);

    // What the SIP engine asks for: the route of a call (nobody rents the number), a
    // login's HA1 (nobody has it). Answered, as Basic password too (Kamailio's way).
    let (status, route) = server
        .get("/v1/engine/route?to=%2B4930999999", &engine)
        .await;
    assert_eq!(status, StatusCode::OK, "{route}");
    assert_eq!(route["status"], 404, "{route}");
    let (status, _) = server.get("/v1/engine/sip-accounts/nobody", &engine).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let basic = server
        .http
        .get(server.url("/v1/engine/route?to=%2B4930999999"))
        .basic_auth("kamailio", Some(&engine))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::OK);

    // Everything else is 403: a customer's data, the operators' operations, the catalogue,
    // even who it is.
    for path in [
        own.clone(),
        format!("{own}/balance"),
        format!("{own}/sip-accounts"),
        "/v1/me".to_owned(),
        "/v1/offers".to_owned(),
        "/v1/documents/pending".to_owned(),
    ] {
        let (status, problem) = server.get(&path, &engine).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains("/v1/engine/"),
            "{problem}"
        );
    }
    let body =
        json!({"name": "Eve", "email": "eve@example.com", "kind": "person", "currency": "EUR"});
    let (status, problem) = server.post("/v1/customers", &engine, body).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    let (status, _) = server.post("/v1/renewals/run", &engine, json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // And a customer's key does not open the engine's endpoints.
    let (status, problem) = server
        .get("/v1/engine/route?to=%2B4930999999", &customer)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    let (status, _) = server
        .get("/v1/engine/sip-accounts/nobody", &customer)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    server.stop().await;
}

#[tokio::test]
async fn r1_1_an_operator_registers_a_customer_whose_key_works() {
    let server = Server::start().await;
    let (id, key) = server.register("anna@example.com").await;

    let (status, me) = server.get("/v1/me", &key).await;
    let (_, balance) = server
        .get(&format!("/v1/customers/{id}/balance"), &key)
        .await;
    let (duplicate, _) = server
        .post_text(
            "/v1/customers",
            &server.demo.operator_key,
            &json!({"name": "A", "email": "anna@example.com", "kind": "company", "currency": "EUR"})
                .to_string(),
        )
        .await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(me, json!({"role": "customer", "customer": id}));
    assert_eq!(balance["balance"]["amount"], "0.00");
    assert_eq!(duplicate, StatusCode::CONFLICT);
    server.stop().await;
}

#[tokio::test]
async fn malformed_requests_are_4xx_problems_with_a_reason() {
    let server = Server::start().await;
    let operator = server.demo.operator_key.clone();
    let top_up = format!("/v1/customers/{}/top-ups", server.demo.customer);
    let cases = [
        ("/v1/customers", r#"{"name": "A", "email": "#, "EOF"),
        (
            "/v1/customers",
            r#"{"name": "A", "email": "a@b.co", "kind": "robot", "currency": "EUR"}"#,
            "robot",
        ),
        // poem-openapi names the object, not the missing field.
        (
            "/v1/customers",
            r#"{"name": "A", "kind": "person", "currency": "EUR"}"#,
            "string_email",
        ),
        (
            "/v1/customers",
            r#"{"name": "A", "email": "a@b.co", "kind": 3, "currency": "EUR"}"#,
            "`kind`",
        ),
        ("/v1/customers", "[1, 2]", "NewCustomer"),
    ];
    for (path, body, reason) in cases {
        let (status, problem) = server.post_text(path, &operator, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains(reason),
            "{body}: {problem}"
        );
    }
    let response = server
        .http
        .post(server.url(&top_up))
        .bearer_auth(&operator)
        .header("Idempotency-Key", "float")
        .json(&json!({"amount": 0.1, "currency": "EUR"}))
        .send()
        .await
        .unwrap();
    let (status, problem) = read(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        problem["detail"].as_str().unwrap().contains("JSON number"),
        "{problem}"
    );
    let (status, _) = server
        .get(
            &format!(
                "/v1/customers/{}/ledger?from=yesterday",
                server.demo.customer
            ),
            &operator,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, problem) = server.get("/v1/customers/abc", &operator).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        problem["detail"].as_str().unwrap().contains("path segment"),
        "{problem}"
    );
    server.stop().await;
}

#[tokio::test]
async fn domain_refusals_are_422_problems() {
    let server = Server::start().await;
    let (id, _) = server.register("anna@example.com").await;

    let (fraction, problem) = server
        .top_up(id, &server.demo.operator_key, "k1", "5.001")
        .await;
    let (negative, _) = server
        .top_up(id, &server.demo.operator_key, "k2", "-5")
        .await;
    let (email, _) = server
        .post_text(
            "/v1/customers",
            &server.demo.operator_key,
            r#"{"name": "A", "email": "not-an-email", "kind": "person", "currency": "EUR"}"#,
        )
        .await;
    let (currency, _) = server
        .post_text(
            "/v1/customers",
            &server.demo.operator_key,
            r#"{"name": "A", "email": "a@b.co", "kind": "person", "currency": "XXX"}"#,
        )
        .await;

    assert_eq!(fraction, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["detail"].as_str().unwrap().contains("minor unit"),
        "{problem}"
    );
    assert_eq!(negative, StatusCode::UNPROCESSABLE_ENTITY);
    // An email address has a pattern in the document: one off it is off the schema.
    assert_eq!(email, StatusCode::BAD_REQUEST);
    // A currency is an enum of the document: one the server does not know is off the schema.
    assert_eq!(currency, StatusCode::BAD_REQUEST);
    server.stop().await;
}

#[tokio::test]
async fn an_oversized_body_is_413_with_or_without_a_length() {
    let server = Server::start().await;
    let padding = "x".repeat(vnum_http::JSON_BODY_LIMIT + 1);
    let body = format!(
        r#"{{"name": "{padding}", "email": "a@b.co", "kind": "person", "currency": "EUR"}}"#
    );

    let (declared, problem) = server
        .post_text("/v1/customers", &server.demo.operator_key, &body)
        .await;
    assert_eq!(declared, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");

    // Chunked, so that no Content-Length announces the size.
    let mut socket = tokio::net::TcpStream::connect(server.running.addr)
        .await
        .unwrap();
    let head = format!(
        "POST /v1/customers HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer {}\r\n\
         content-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n",
        server.demo.operator_key
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    for chunk in body.as_bytes().chunks(64 * 1024) {
        let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), chunk, b"\r\n"].concat();
        if socket.write_all(&framed).await.is_err() {
            break; // The server may answer and close before reading everything.
        }
    }
    let _ = socket.write_all(b"0\r\n\r\n").await;
    let mut answer = String::new();
    let _ = socket.read_to_string(&mut answer).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    server.stop().await;
}

#[tokio::test]
async fn unknown_paths_and_methods_are_problems() {
    let server = Server::start().await;
    let (not_found, _) = server.get_anonymously("/v1/nothing-here").await;
    let response = server
        .http
        .delete(server.url("/health"))
        .send()
        .await
        .unwrap();
    // RFC 9110: a 405 lists what the path does take.
    assert_eq!(response.headers()["allow"], "GET, HEAD");
    let (not_allowed, _) = read(response).await;
    assert_eq!(not_found, StatusCode::NOT_FOUND);
    assert_eq!(not_allowed, StatusCode::METHOD_NOT_ALLOWED);
    let response = server
        .http
        .patch(server.url("/v1/customers/1/numbers/2"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "DELETE, GET, HEAD");
    server.stop().await;
}

#[tokio::test]
async fn the_ledger_is_filtered_by_from_and_to() {
    let server = Server::start().await;
    let (id, key) = server.register("anna@example.com").await;
    server
        .top_up(id, &server.demo.operator_key, "k1", "5.00")
        .await;
    let path = format!("/v1/customers/{id}/ledger");

    let (_, all) = server
        .get(&format!("{path}?from=2000-01-01T00:00:00Z"), &key)
        .await;
    let (_, none) = server
        .get(&format!("{path}?to=2000-01-01T00:00:00Z"), &key)
        .await;

    assert_eq!(all["items"].as_array().unwrap().len(), 1);
    assert_eq!(all["items"][0]["kind"], "top_up");
    assert_eq!(all["items"][0]["rule"], "R1.D1");
    assert_eq!(none, json!({"items": []}));
    let (backwards, _) = server
        .get(
            &format!("{path}?from=2001-01-01T00:00:00Z&to=2000-01-01T00:00:00Z"),
            &key,
        )
        .await;
    assert_eq!(backwards, StatusCode::UNPROCESSABLE_ENTITY);
    server.stop().await;
}

#[tokio::test]
async fn the_openapi_document_lists_every_path_and_docs_are_html() {
    let server = Server::start().await;
    let (status, spec) = server.get_anonymously("/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let paths = spec["paths"].as_object().unwrap();
    for path in [
        "/health",
        "/v1/me",
        "/v1/customers",
        "/v1/customers/{id}",
        "/v1/customers/{id}/balance",
        "/v1/customers/{id}/top-ups",
        "/v1/customers/{id}/ledger",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} missing from {:?}",
            paths.keys()
        );
    }
    assert!(spec["components"]["schemas"]["Problem"].is_object());
    assert!(spec["components"]["securitySchemes"]["ApiKey"].is_object());

    let docs = server.http.get(server.url("/docs")).send().await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(
        docs.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(docs.text().await.unwrap().contains("swagger"));
    let (health, body) = server.get_anonymously("/health").await;
    assert_eq!(health, StatusCode::OK);
    assert_eq!(body, json!({"status": "ok"}));
    server.stop().await;
}

#[tokio::test]
async fn r1_1_self_registration_answers_the_new_customers_key_only_when_enabled() {
    let body =
        json!({"name": "Zoe", "email": "zoe@example.com", "kind": "person", "currency": "EUR"});
    let closed = Server::start().await;
    let response = closed
        .http
        .post(closed.url("/v1/signup"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, _) = read(response).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    closed.stop().await;

    let open = Server::start_with(Settings {
        self_registration: true,
        ..Settings::default()
    })
    .await;
    let response = open
        .http
        .post(open.url("/v1/signup"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, registered) = read(response).await;
    assert_eq!(status, StatusCode::CREATED, "{registered}");
    let key = registered["api_key"].as_str().unwrap();
    let (_, me) = open.get("/v1/me", key).await;
    assert_eq!(me["customer"], registered["customer"]["id"]);
    open.stop().await;
}

#[tokio::test]
async fn r1_d1_a_customer_key_cannot_credit_its_own_balance() {
    let server = Server::start().await;
    let (id, key) = server.register("anna@example.com").await;

    let (status, problem) = server.top_up(id, &key, "free-money", "1000000.00").await;
    let (_, balance) = server
        .get(&format!("/v1/customers/{id}/balance"), &key)
        .await;

    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(problem["rule"], "R1.D1");
    assert_eq!(
        balance["balance"],
        json!({"amount": "0.00", "currency": "EUR"})
    );
    server.stop().await;
}

#[tokio::test]
async fn r10_d6_hostile_amounts_are_refused_and_the_account_stays_usable() {
    let server = Server::start().await;
    let (id, key) = server.register("anna@example.com").await;
    let operator = server.demo.operator_key.clone();

    for (n, amount) in [
        "92233720368547758.07",
        "79228162514264337593543950335",
        "1e5",
        "1000000.01",
        " 5.00",
        "5.",
        "0.00",
        "-0.01",
        "0.001",
    ]
    .into_iter()
    .enumerate()
    {
        let (status, problem) = server
            .top_up(id, &operator, &format!("hostile-{n}"), amount)
            .await;
        // 400 when the text breaks the documented pattern, 422 when the value is refused.
        assert!(
            [StatusCode::BAD_REQUEST, StatusCode::UNPROCESSABLE_ENTITY].contains(&status),
            "{amount:?}: {status} {problem}"
        );
        assert!(
            problem["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{problem}"
        );
    }
    let (max, _) = server.top_up(id, &operator, "max", "1000000.00").await;
    let (cent, _) = server.top_up(id, &operator, "cent", "0.01").await;
    let (read, balance) = server
        .get(&format!("/v1/customers/{id}/balance"), &key)
        .await;

    assert_eq!(max, StatusCode::CREATED);
    assert_eq!(cent, StatusCode::CREATED);
    assert_eq!(read, StatusCode::OK);
    assert_eq!(
        balance["balance"],
        json!({"amount": "1000000.01", "currency": "EUR"})
    );
    server.stop().await;
}

#[tokio::test]
async fn a_body_over_its_routes_limit_is_413_before_any_key_is_read() {
    let server = Server::start().await;
    // Not JSON, no key: the limit is the route's, not one the client picks by its type.
    let response = server
        .http
        .post(server.url("/health"))
        .header("content-type", "application/octet-stream")
        .body(vec![0_u8; vnum_http::JSON_BODY_LIMIT + 1])
        .send()
        .await
        .unwrap();
    let (status, problem) = read(response).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!("{} bytes", vnum_http::JSON_BODY_LIMIT)),
        "{detail}"
    );

    // A document scan of 1 MiB is over the JSON limit and within its route's.
    let (id, key) = server.register("anna@example.com").await;
    let form = reqwest::multipart::Form::new()
        .text("kind", "passport")
        .part(
            "file",
            reqwest::multipart::Part::bytes(vec![b'%'; 1 << 20]).file_name("scan.pdf"),
        );
    let (status, answer) = server
        .upload(&format!("/v1/customers/{id}/documents"), &key, form)
        .await;
    assert_ne!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    server.stop().await;
}

#[tokio::test]
async fn a_client_sending_its_headers_slowly_is_cut_off_after_the_header_timeout() {
    let server = Server::start_with(Settings {
        header_timeout_seconds: 1,
        ..Settings::default()
    })
    .await;
    let mut socket = tokio::net::TcpStream::connect(server.running.addr)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let head = b"GET /health HTTP/1.1\r\nhost: localhost\r\nx-padding: slowly-but-surely\r\n";
    let mut cut_off = None;
    for byte in head.iter().cycle().take(40) {
        if socket.write_all(&[*byte]).await.is_err() {
            cut_off = Some(started.elapsed());
            break;
        }
        let mut buffer = [0_u8; 256];
        match tokio::time::timeout(
            std::time::Duration::from_millis(100),
            socket.read(&mut buffer),
        )
        .await
        {
            // The server closed the connection, or refused the request before closing it.
            Ok(read) => {
                let answered = read.as_ref().map_or(0, |n| *n);
                assert!(
                    !buffer[..answered].starts_with(b"HTTP/1.1 2"),
                    "answered a partial request"
                );
                cut_off = Some(started.elapsed());
                break;
            }
            Err(_still_open) => {}
        }
    }
    let cut_off = cut_off.expect("the connection stayed open for 4 s of headers");
    assert!(
        cut_off >= std::time::Duration::from_millis(900),
        "{cut_off:?}"
    );
    assert!(
        cut_off < std::time::Duration::from_millis(2500),
        "{cut_off:?}"
    );
    server.stop().await;
}

#[tokio::test]
async fn connections_over_the_limit_wait_until_one_closes() {
    let server = Server::start_with(Settings {
        max_connections: 2,
        header_timeout_seconds: 30,
        ..Settings::default()
    })
    .await;
    let addr = server.running.addr;
    let first = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _second = tokio::net::TcpStream::connect(addr).await.unwrap();
    // Let the server accept both before the third arrives.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;

    let mut third = tokio::net::TcpStream::connect(addr).await.unwrap();
    third
        .write_all(b"GET /health HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    let waited = tokio::time::timeout(
        std::time::Duration::from_millis(500),
        third.read_to_string(&mut answer),
    )
    .await;
    assert!(waited.is_err(), "served beyond the limit: {answer}");

    drop(first);
    tokio::time::timeout(
        std::time::Duration::from_secs(5),
        third.read_to_string(&mut answer),
    )
    .await
    .expect("served once a connection closed")
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    server.stop().await;
}

#[tokio::test]
async fn a_caller_over_its_rate_is_429_with_retry_after_and_others_go_on() {
    let server = Server::start_with(Settings {
        rate_limit_per_minute: 3,
        engine_rate_limit_per_minute: 5,
        anonymous_rate_limit_per_minute: 2,
        ..Settings::default()
    })
    .await;
    let (anna, anna_key) = server.register("anna@example.com").await;
    let (bob, bob_key) = server.register("bob@example.com").await;
    let status = |path: String, key: String| {
        let request = server.http.get(server.url(&path));
        let request = if key.is_empty() {
            request
        } else {
            request.bearer_auth(key)
        };
        async move { request.send().await.unwrap() }
    };

    let mut answers = Vec::new();
    for _ in 0..4 {
        let response = status(format!("/v1/customers/{anna}"), anna_key.clone()).await;
        answers.push(response);
    }
    let codes: Vec<_> = answers.iter().map(reqwest::Response::status).collect();
    assert_eq!(
        codes,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    let refused = answers.pop().unwrap();
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&retry_after), "{retry_after}");
    let (_, problem) = read(refused).await;
    assert_eq!(problem["status"], 429, "{problem}");

    // Another key has a limit of its own; the engine's key has its own, higher one.
    let response = status(format!("/v1/customers/{bob}"), bob_key).await;
    assert_eq!(response.status(), StatusCode::OK);
    for _ in 0..5 {
        let response = status(
            "/v1/engine/route?to=%2B4915110000000".to_owned(),
            server.demo.engine_key.clone(),
        )
        .await;
        assert_ne!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    }

    // Without a valid key, the address is what is counted: wrong keys included.
    let mut codes = Vec::new();
    for key in ["", "vnum_wrong", ""] {
        codes.push(status("/health".to_owned(), key.to_owned()).await.status());
    }
    assert_eq!(
        codes,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    server.stop().await;
}

#[tokio::test]
async fn r4_6_the_ledger_is_read_a_page_at_a_time_by_its_cursor() {
    let server = Server::start().await;
    let (id, key) = server.register("anna@example.com").await;
    for i in 0..5 {
        server
            .top_up(id, &server.demo.operator_key, &format!("k{i}"), "1.00")
            .await;
    }
    let path = format!("/v1/customers/{id}/ledger");
    let (_, whole) = server.get(&path, &key).await;
    assert_eq!(whole["items"].as_array().unwrap().len(), 5, "{whole}");
    assert!(whole.get("next").is_none(), "one page holds all: {whole}");

    let mut read = Vec::new();
    let mut query = "?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let (status, page) = server.get(&format!("{path}{query}"), &key).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page["items"].as_array().unwrap().len() <= 2, "{page}");
        read.extend(page["items"].as_array().unwrap().iter().cloned());
        pages += 1;
        match page["next"].as_str() {
            Some(next) => query = format!("?limit=2&after={next}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(&read, whole["items"].as_array().unwrap());

    // The page limit and the cursor have their bounds and pattern in the document.
    for query in ["?limit=0", "?limit=501", "?after=nonsense"] {
        let (status, problem) = server.get(&format!("{path}{query}"), &key).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {problem}");
    }
    // More than a year of call records at once is refused, saying the limit.
    let (status, problem) = server
        .get(
            &format!("/v1/customers/{id}/statistics/calls?from=2025-01-01&to=9999-12-31"),
            &key,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("at most 366 days"),
        "{problem}"
    );
    server.stop().await;
}
