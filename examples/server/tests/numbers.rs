//! Buying and running numbers over HTTP, end to end: the real server on a loopback port,
//! on a clock the test moves, with the demo catalogue seeded.

// A panic in a test or its helpers is a failed assertion.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use vnum_app::memory::ManualClock;
use vnum_server::Settings;

use support::{Backend, Server, read, wav};

mod support;

/// 20 January 2026, 09:00 UTC: the 20th in the billing time zone too.
const START: &str = "2026-01-20T09:00:00Z";

impl Server {
    /// Starts with the demo catalogue on a clock at [`START`], on `backend`.
    async fn start_on_20_january(backend: Backend) -> Option<Self> {
        Self::start_on_backend(
            backend,
            Settings::default(),
            ManualClock::new(rfc3339(START)),
        )
        .await
    }

    /// Registers a customer as the operator and tops it up: its id and API key.
    async fn funded_customer(&self, email: &str, amount: &str) -> (i64, String) {
        let (id, key) = self.register(email).await;
        self.paid(id, &format!("{email}-seed"), amount).await;
        (id, key)
    }

    /// A payment an operator records, credited (R1.D1).
    async fn paid(&self, customer: i64, idempotency_key: &str, amount: &str) {
        let (status, receipt) = self
            .top_up(customer, &self.demo.operator_key, idempotency_key, amount)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{receipt}");
    }

    async fn balance(&self, customer: i64, token: &str) -> Value {
        let (status, balance) = self
            .get(&format!("/v1/customers/{customer}/balance"), token)
            .await;
        assert_eq!(status, StatusCode::OK, "{balance}");
        balance
    }

    /// The listed offer of `country`, `kind` and `city`.
    async fn listed_offer(
        &self,
        token: &str,
        country: &str,
        kind: &str,
        city: Option<&str>,
    ) -> Value {
        let (_, offers) = self.get("/v1/offers", token).await;
        offers["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| {
                o["country"] == country
                    && o["kind"] == kind
                    && o.get("city").and_then(Value::as_str) == city
            })
            .unwrap_or_else(|| panic!("no {country} {kind} offer in {offers}"))
            .clone()
    }

    /// Orders one number of `offer` and answers the placed order.
    async fn order(&self, customer: i64, token: &str, offer: &Value, city: Option<&str>) -> Value {
        let mut line = json!({"offer": offer["id"], "term_months": 1});
        if let Some(city) = city {
            line["city"] = json!(city);
        }
        let body = json!({"lines": [line], "end_user": "personal"});
        let (status, placed) = self
            .post(&format!("/v1/customers/{customer}/orders"), token, body)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{placed}");
        placed
    }

    /// Runs the renewals of every billing day up to the clock's today, as the daily job does.
    async fn renew(&self) {
        self.running.vnum.run_renewals().await.unwrap();
    }
}

fn rfc3339(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn document(kind: &str) -> Form {
    Form::new().text("kind", kind.to_owned()).part(
        "file",
        Part::bytes(b"%PDF-1.4 scan".to_vec()).file_name("scan.pdf"),
    )
}

fn greeting(name: &str, bytes: Vec<u8>) -> Form {
    Form::new()
        .text("name", name.to_owned())
        .part("file", Part::bytes(bytes).file_name("greeting.wav"))
}

fn amount(value: &Value) -> &str {
    value["amount"].as_str().unwrap()
}

/// The story of the FAQ: a Berlin number whose carrier needs documents is ordered and
/// paid (R1.4), waits for documents (R3.1), is connected after review (R2.2) on the 20th
/// (R10.2), gets a forwarding plan (R5.3), renews monthly on the 20th, goes into debt and
/// is suspended (R10.3, R10.4), and works again once paid (R10.4).
async fn r1_4_r2_2_r10_2_r10_4_order_documents_review_connection_forwarding_renewals_debt_payment(
    backend: Backend,
) {
    let Some(server) = Server::start_on_20_january(backend).await else {
        return;
    };
    let (anna, key) = server.funded_customer("anna@example.com", "15.00").await;

    // The offer shows its ETA before purchase (R2.3) and what the carrier asks for.
    let berlin = server
        .listed_offer(&key, "DE", "landline", Some("Berlin"))
        .await;
    assert_eq!(berlin["provisioning"], "after_documents");
    assert_eq!(
        berlin["eta"],
        "1–2 business days after your documents are accepted"
    );
    assert_eq!(
        berlin["documents"]["personal"],
        json!(["passport_or_id", "local_address"])
    );
    let (_, vienna) = server
        .get(
            &format!(
                "/v1/offers/{}",
                server
                    .listed_offer(&key, "AT", "landline", Some("Vienna"))
                    .await["id"]
            ),
            &key,
        )
        .await;
    assert_eq!(vienna["eta"], "5–15 business days");
    assert_eq!(vienna["eta_rule"], "R2.3");
    assert_eq!(
        (&vienna["min_days"], &vienna["max_days"]),
        (&json!(5), &json!(15))
    );

    // Ordered and paid in advance: 10.00 setup and the first month of 4.00 (R1.4, R10.1).
    let placed = server.order(anna, &key, &berlin, Some("Berlin")).await;
    assert_eq!(amount(&placed["order"]["total"]), "14.00");
    assert_eq!(amount(&placed["quote"]["total"]), "14.00");
    let number = placed["numbers"][0].clone();
    let id = number["id"].as_i64().unwrap();
    assert_eq!(number["state"], "awaiting_documents");
    assert_eq!(amount(&server.balance(anna, &key).await["balance"]), "1.00");

    // Another order is more than the balance: 402 naming R1.4.
    let body = json!({"lines": [{"offer": berlin["id"], "term_months": 1, "city": "Berlin"}],
                      "end_user": "personal"});
    let (short, problem) = server
        .post(&format!("/v1/customers/{anna}/orders"), &key, body)
        .await;
    assert_eq!(short, StatusCode::PAYMENT_REQUIRED, "{problem}");
    assert_eq!(problem["rule"], "R1.4");

    let path = format!("/v1/customers/{anna}/numbers/{id}");
    let (_, waiting) = server.get(&path, &key).await;
    assert_eq!(waiting["ready_by"]["when_documents_accepted"], true);
    assert_eq!(waiting["ready_by"]["rule"], "R2.2");

    // Documents: one rejected, uploaded again, both accepted (R3.D1).
    let documents = format!("/v1/customers/{anna}/documents");
    let (created, passport) = server
        .upload(&documents, &key, document("passport_or_id"))
        .await;
    assert_eq!(created, StatusCode::CREATED, "{passport}");
    let (_, address) = server
        .upload(&documents, &key, document("local_address"))
        .await;
    assert_eq!(address["review"], "pending");
    let (_, pending) = server.get("/v1/documents/pending", server.operator()).await;
    assert_eq!(pending["items"].as_array().unwrap().len(), 2, "{pending}");
    let (_, rejected) = server
        .post(
            &format!("/v1/documents/{}/review", passport["id"]),
            server.operator(),
            json!({"decision": "reject", "reason": "the photo is blurred"}),
        )
        .await;
    assert_eq!(rejected["review"], "rejected");
    assert_eq!(rejected["reason"], "the photo is blurred");
    let form = Form::new().part(
        "file",
        Part::bytes(b"%PDF sharper".to_vec()).file_name("s.pdf"),
    );
    let (_, second) = server
        .upload(
            &format!("{documents}/{}/reupload", passport["id"]),
            &key,
            form,
        )
        .await;
    assert_eq!(second["version"], 2, "{second}");
    for document in [&second, &address] {
        let (status, accepted) = server
            .post(
                &format!("/v1/documents/{}/review", document["id"]),
                server.operator(),
                json!({"decision": "accept"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{accepted}");
        assert_eq!(accepted["review"], "accepted");
    }
    let (_, provisioning) = server.get(&path, &key).await;
    assert_eq!(provisioning["state"], "provisioning", "{provisioning}");
    assert_eq!(provisioning["ready_by"]["rule"], "R2.2");

    // The carrier completes on the 20th: the number is known and billed on the 20th (R10.2).
    let (status, active) = server
        .post(
            &format!("/v1/numbers/{id}/connect"),
            server.operator(),
            json!({"e164": "+493012345699"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{active}");
    assert_eq!(active["state"], "active");
    assert_eq!(active["e164"], "+493012345699");
    assert_eq!(active["billing"]["connection_day"], 20);
    assert_eq!(active["billing"]["paid_through"], "2026-02-20");
    assert_eq!(amount(&active["billing"]["monthly_fee"]), "4.00");
    assert!(active.get("ready_by").is_none(), "{active}");

    // Forwarding: a phone first, then a SIP address, then voicemail (R4.4, R4.5, R5.3).
    let plan = json!({
        "strategy": "sequential",
        "targets": [{"target": "+4930123456", "ring_seconds": 15},
                    {"target": "sip:bob@example.com", "ring_seconds": 20}],
        "voicemail": true,
    });
    let (status, forwarded) = server.put(&format!("{path}/forwarding"), &key, plan).await;
    assert_eq!(status, StatusCode::OK, "{forwarded}");
    assert_eq!(forwarded["forwarding"]["strategy"], "sequential");
    assert_eq!(
        forwarded["forwarding"]["targets"][1]["target"],
        "sip:bob@example.com"
    );
    assert_eq!(forwarded["forwarding"]["targets"][0]["ring_seconds"], 15);

    // 20 February: the second month is charged and the balance goes below zero (R10.3):
    // the numbers are suspended (R10.4).
    server.clock().set(rfc3339("2026-02-20T09:00:00Z"));
    server.renew().await;
    let balance = server.balance(anna, &key).await;
    assert_eq!(amount(&balance["balance"]), "-3.00");
    assert_eq!(balance["service"], "suspended");
    assert_eq!(
        balance["rule"], "R10.4",
        "the balance names the rule that suspended it"
    );
    let (_, renewed) = server.get(&path, &key).await;
    assert_eq!(renewed["billing"]["paid_through"], "2026-03-20");

    // A payment that clears the debt makes the numbers work again at once (R10.4).
    server.paid(anna, "march", "10.00").await;
    let balance = server.balance(anna, &key).await;
    assert_eq!(amount(&balance["balance"]), "7.00");
    assert_eq!(balance["service"], "active");

    // 20 March: charged again on the 20th.
    server.clock().set(rfc3339("2026-03-20T09:00:00Z"));
    server.renew().await;
    assert_eq!(amount(&server.balance(anna, &key).await["balance"]), "3.00");
    let (_, ledger) = server
        .get(&format!("/v1/customers/{anna}/ledger"), &key)
        .await;
    let renewals: Vec<&Value> = ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["number"] == id && e["kind"] == "charge")
        .collect();
    assert_eq!(renewals.len(), 2, "{ledger}");
    assert_eq!(renewals[0]["period_start"], "2026-02-20");
    assert_eq!(renewals[1]["period_start"], "2026-03-20");
    server.stop().await;
}

/// An instant offer is active in the order's answer (R2.1); deleting it refunds nothing
/// (R10.6).
async fn r2_1_an_instant_number_is_active_at_once_and_r10_6_deleting_refunds_nothing(
    backend: Backend,
) {
    let Some(server) = Server::start_on_20_january(backend).await else {
        return;
    };
    let (anna, key) = server.funded_customer("anna@example.com", "20.00").await;
    let munich = server
        .listed_offer(&key, "DE", "landline", Some("Munich"))
        .await;
    assert_eq!(munich["eta"], "connected instantly");

    let placed = server.order(anna, &key, &munich, Some("Munich")).await;
    let number = &placed["numbers"][0];
    assert_eq!(number["state"], "active", "{placed}");
    assert!(
        number["e164"].as_str().unwrap().starts_with("+4989"),
        "{number}"
    );
    assert_eq!(number["billing"]["connection_day"], 20);

    let (status, deletion) = server
        .send(
            reqwest::Method::DELETE,
            &format!("/v1/customers/{anna}/numbers/{}", number["id"]),
            &key,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{deletion}");
    assert_eq!(deletion["number"]["state"], "deleted");
    assert_eq!(amount(&deletion["refund"]), "0.00");
    assert_eq!(deletion["refund_rule"], "R10.6");
    assert_eq!(deletion["paid_until"], "2026-02-20");
    server.stop().await;
}

/// A number picked from the offer's list is the one connected (R1.3); a quote shows each
/// discount with its rule (R11.1, R11.2).
async fn r1_3_a_picked_number_is_connected_and_r11_quotes_name_each_discount(backend: Backend) {
    let Some(server) = Server::start_on_20_january(backend).await else {
        return;
    };
    let (anna, key) = server.funded_customer("anna@example.com", "100.00").await;
    let mobile = server.listed_offer(&key, "DE", "mobile", None).await;
    let (_, numbers) = server
        .get(&format!("/v1/offers/{}/numbers", mobile["id"]), &key)
        .await;
    let picked = numbers[0].as_str().unwrap().to_owned();

    let body = json!({"lines": [{"offer": mobile["id"], "term_months": 1, "number": picked}],
                      "end_user": "personal"});
    let (status, placed) = server
        .post(&format!("/v1/customers/{anna}/orders"), &key, body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    assert_eq!(placed["numbers"][0]["e164"], picked.as_str());
    let (_, left) = server
        .get(&format!("/v1/offers/{}/numbers", mobile["id"]), &key)
        .await;
    assert!(
        !left
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == picked.as_str()),
        "{left}"
    );

    let (status, agreement) = server
        .put(
            &format!("/v1/customers/{anna}/bulk-agreement"),
            server.operator(),
            json!({"min_quantity": 2, "per_country": [{"country": "DE", "percent": "10"}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{agreement}");
    let (status, quote) = server
        .post(
            "/v1/quotes",
            &key,
            json!({"lines": [{"offer": mobile["id"], "quantity": 3, "term_months": 12}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    let line = &quote["lines"][0];
    assert_eq!(amount(&line["list_total"]), "180.00");
    let rules: Vec<&str> = line["discounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"R11.2"), "{quote}");
    assert_eq!(quote["total"], line["display_total"], "{quote}");
    server.stop().await;
}

/// A greeting in another format is refused with the offer to convert it (R13.D1); asked
/// for, MP3 and FLAC are converted to WAV PCM 8 kHz 16-bit mono and the answer says what
/// they were (R13.D2); bytes that are no audio are refused with R13.D2.
async fn r13_d2_a_greeting_in_another_format_is_converted_when_asked_for(backend: Backend) {
    let Some(server) = Server::start_on_20_january(backend).await else {
        return;
    };
    let (anna, anna_key) = server.funded_customer("anna@example.com", "20.00").await;
    let mobile = server.listed_offer(&anna_key, "DE", "mobile", None).await;
    let placed = server.order(anna, &anna_key, &mobile, None).await;
    let number = placed["numbers"][0]["id"].as_i64().unwrap();
    let path = format!("/v1/customers/{anna}/numbers/{number}/greetings");
    let fixture = |name: &str| {
        std::fs::read(format!(
            "{}/../../adapters/audio/tests/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };

    let (status, refused) = server
        .upload(&path, &anna_key, greeting("Music", fixture("tone.mp3")))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["rule"], "R13.D1", "{refused}");
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("asking for conversion"),
        "{refused}"
    );

    for (file, codec) in [("tone.mp3", "MP3"), ("tone.flac", "FLAC")] {
        let (status, uploaded) = server
            .upload(
                &path,
                &anna_key,
                greeting("Music", fixture(file)).text("convert", "true"),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{file}: {uploaded}");
        assert!(
            uploaded["converted_from"]
                .as_str()
                .unwrap()
                .starts_with(codec),
            "{uploaded}"
        );
        let played = server
            .http
            .get(format!("{}{path}/{}", server.base, uploaded["id"]))
            .bearer_auth(&anna_key)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let info = vnum_calls::check_wav(&played).unwrap();
        assert_eq!(
            u64::from(info.duration_ms),
            uploaded["duration_ms"].as_u64().unwrap()
        );
    }

    let (status, refused) = server
        .upload(
            &path,
            &anna_key,
            greeting("Noise", b"this is not audio".to_vec()).text("convert", "true"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["rule"], "R13.D2", "{refused}");
    server.stop().await;
}

/// Another customer's number, forwarding, greeting and document answer 404, through the
/// other customer's path and through its own (R5.3 tenant rule).
async fn a_customer_gets_404_for_another_customers_numbers_greetings_and_documents(
    backend: Backend,
) {
    let Some(server) = Server::start_on_20_january(backend).await else {
        return;
    };
    let (anna, anna_key) = server.funded_customer("anna@example.com", "20.00").await;
    let (boris, boris_key) = server.funded_customer("boris@example.com", "20.00").await;
    let mobile = server.listed_offer(&anna_key, "DE", "mobile", None).await;
    let placed = server.order(anna, &anna_key, &mobile, None).await;
    let number = placed["numbers"][0]["id"].as_i64().unwrap();
    let (status, uploaded) = server
        .upload(
            &format!("/v1/customers/{anna}/numbers/{number}/greetings"),
            &anna_key,
            greeting("Welcome", wav(8000, 8000)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{uploaded}");
    assert_eq!(uploaded["duration_ms"], 1000);
    let greeting_id = uploaded["id"].as_i64().unwrap();
    let (_, document) = server
        .upload(
            &format!("/v1/customers/{anna}/documents"),
            &anna_key,
            document("passport_or_id"),
        )
        .await;
    let (_, rejected) = server
        .post(
            &format!("/v1/documents/{}/review", document["id"]),
            server.operator(),
            json!({"decision": "reject", "reason": "expired"}),
        )
        .await;
    assert_eq!(rejected["review"], "rejected");

    let own = server
        .http
        .get(format!(
            "{}/v1/customers/{anna}/numbers/{number}/greetings/{greeting_id}",
            server.base
        ))
        .bearer_auth(&anna_key)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::OK);
    assert_eq!(own.headers()["content-type"], "audio/wav");
    assert_eq!(own.bytes().await.unwrap().len(), wav(8000, 8000).len());

    let plan = json!({"strategy": "single", "targets": [{"target": "+4930123456"}]});
    for owner in [anna, boris] {
        let base = format!("/v1/customers/{owner}/numbers/{number}");
        let (read, problem) = server.get(&base, &boris_key).await;
        assert_eq!(read, StatusCode::NOT_FOUND, "{base}: {problem}");
        let (forwarding, _) = server
            .put(&format!("{base}/forwarding"), &boris_key, plan.clone())
            .await;
        assert_eq!(forwarding, StatusCode::NOT_FOUND, "{base}");
        let (greeting, _) = server
            .get(&format!("{base}/greetings/{greeting_id}"), &boris_key)
            .await;
        assert_eq!(greeting, StatusCode::NOT_FOUND, "{base}");
        let form = Form::new().part("file", Part::bytes(b"%PDF".to_vec()).file_name("x.pdf"));
        let (reupload, _) = server
            .upload(
                &format!(
                    "/v1/customers/{owner}/documents/{}/reupload",
                    document["id"]
                ),
                &boris_key,
                form,
            )
            .await;
        assert_eq!(reupload, StatusCode::NOT_FOUND, "{owner}");
    }
    let (_, listed) = server
        .get(&format!("/v1/customers/{boris}/numbers"), &boris_key)
        .await;
    assert_eq!(listed, json!({"items": []}));
    let (status, _) = server
        .post(
            &format!("/v1/numbers/{number}/connect"),
            &boris_key,
            json!({"e164": "+4915100000099"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    server.stop().await;
}

/// Bad input answers a problem naming the field and what is expected: a forwarding target
/// that is none of the kinds, a greeting of the wrong format (R13.D1), unknown enum values.
async fn bad_targets_wrong_wavs_and_unknown_enum_values_are_problems(backend: Backend) {
    let Some(server) = Server::start_on_20_january(backend).await else {
        return;
    };
    let (anna, key) = server.funded_customer("anna@example.com", "20.00").await;
    let mobile = server.listed_offer(&key, "DE", "mobile", None).await;
    let placed = server.order(anna, &key, &mobile, None).await;
    let base = format!(
        "/v1/customers/{anna}/numbers/{}",
        placed["numbers"][0]["id"]
    );

    let plan = json!({"strategy": "single", "targets": [{"target": "my desk phone"}]});
    let (status, problem) = server.put(&format!("{base}/forwarding"), &key, plan).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("targets"),
        "{problem}"
    );

    let (status, problem) = server
        .upload(
            &format!("{base}/greetings"),
            &key,
            greeting("CD", wav(44_100, 100)),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["rule"], "R13.D1");
    assert!(
        problem["detail"].as_str().unwrap().contains("8000 Hz"),
        "{problem}"
    );

    let plan = json!({"strategy": "round_robin", "targets": []});
    let (status, problem) = server.put(&format!("{base}/forwarding"), &key, plan).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("round_robin"),
        "{problem}"
    );

    let body = json!({"lines": [{"offer": mobile["id"], "term_months": 1}], "end_user": "alien"});
    let (status, problem) = server
        .post(&format!("/v1/customers/{anna}/orders"), &key, body)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("alien"),
        "{problem}"
    );

    let body =
        json!({"lines": [{"offer": mobile["id"], "term_months": 2}], "end_user": "personal"});
    let (status, problem) = server
        .post(&format!("/v1/customers/{anna}/orders"), &key, body)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("term_months"),
        "{problem}"
    );

    let (status, problem) = server
        .upload(
            &format!("/v1/customers/{anna}/documents"),
            &key,
            document("selfie"),
        )
        .await;
    // A document kind is the document's enum: off it, the form is off its schema.
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("`kind`") && detail.contains("\"selfie\""),
        "{problem}"
    );
    assert!(detail.contains("passport_or_id"), "{problem}");
    server.stop().await;
}

/// R3.3: a customer who cannot give the documents the Berlin carrier asks for sees the
/// offers of another carrier that asks none, dearer, with its own quote, and buys one
/// without uploading anything.
async fn r3_3_a_customer_without_documents_is_shown_dearer_alternatives_and_buys_one(
    backend: Backend,
) {
    let Some(server) = Server::start_on_20_january(backend).await else {
        return;
    };
    let (anna, key) = server.funded_customer("anna@example.com", "50.00").await;
    let berlin = server
        .listed_offer(&key, "DE", "landline", Some("Berlin"))
        .await;
    assert_eq!(berlin["provisioning"], "after_documents", "{berlin}");
    let alternatives = format!("/v1/customers/{anna}/offers/{}/alternatives", berlin["id"]);
    let (status, none) = server.get(&alternatives, &key).await;
    assert_eq!(status, StatusCode::OK, "{none}");
    assert_eq!(none, json!([]), "no carrier without documents yet");

    let no_documents = json!({
        "country": "DE", "city": "Berlin", "kind": "landline", "carrier": 1,
        "monthly_price": {"amount": "9.00", "currency": "EUR"},
        "setup_fee": {"amount": "1.00", "currency": "EUR"}, "provisioning": "instant",
    });
    let (status, created) = server
        .post("/v1/offers", server.operator(), no_documents)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    // Another city and a mobile offer are no alternative to a Berlin landline.
    let (status, _) = server
        .post(
            "/v1/offers",
            server.operator(),
            json!({
                "country": "DE", "city": "Hamburg", "kind": "landline", "carrier": 1,
                "monthly_price": {"amount": "3.00", "currency": "EUR"}, "provisioning": "instant",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, found) = server
        .get(&format!("{alternatives}?quantity=2&term=3"), &key)
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["offer"]["id"], created["id"]);
    assert_eq!(found[0]["rule"], "R3.3");
    assert_eq!(found[0]["quote"]["lines"][0]["quantity"], 2, "{}", found[0]);
    assert!(
        found[0]["offer"]["documents"]["personal"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // It costs more than the offer that asks for documents.
    let price = |offer: &Value| {
        offer["monthly_price"]["amount"]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .unwrap()
    };
    assert!(price(&found[0]["offer"]) > price(&berlin));

    let (forbidden, _) = server
        .get(&alternatives, &server.register("boris@example.com").await.1)
        .await;
    assert_eq!(forbidden, StatusCode::NOT_FOUND, "another customer's path");
    let (status, _) = server.get(&format!("{alternatives}?term=2"), &key).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a term of 2 months is no term"
    );

    let alternative = found[0]["offer"].clone();
    let placed = server.order(anna, &key, &alternative, Some("Berlin")).await;
    let state = placed["numbers"][0]["state"].as_str().unwrap();
    assert!(
        state == "active" || state == "provisioning",
        "no documents awaited: {placed}"
    );
    server.stop().await;
}

/// Operators add offers and stock; an unlisted offer is hidden from customers (R7.2);
/// an offer's terms are checked (R1.2); stock is of the offer's country.
async fn r7_2_operators_add_offers_and_stock_and_unlisted_offers_are_hidden(backend: Backend) {
    let Some(server) = Server::start_on_20_january(backend).await else {
        return;
    };
    let (_, key) = server.funded_customer("anna@example.com", "1.00").await;
    let offer = json!({
        "country": "GB", "kind": "mobile", "carrier": 1,
        "monthly_price": {"amount": "6.00", "currency": "EUR"},
        "provisioning": "instant", "caller_id_monthly": {"amount": "2.00", "currency": "EUR"},
        "listed": false,
    });
    let (status, created) = server.post("/v1/offers", server.operator(), offer).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["listed"], false);
    assert_eq!(amount(&created["setup_fee"]), "0.00");
    let id = created["id"].as_i64().unwrap();

    let (_, listed) = server.get("/v1/offers", &key).await;
    assert!(
        !listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == id)
    );
    let (_, all) = server.get("/v1/offers?all=true", server.operator()).await;
    assert!(
        all["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == id)
    );
    let (forbidden, _) = server.get("/v1/offers?all=true", &key).await;
    assert_eq!(forbidden, StatusCode::FORBIDDEN);
    let (hidden, _) = server.get(&format!("/v1/offers/{id}"), &key).await;
    assert_eq!(hidden, StatusCode::NOT_FOUND);

    let stock = format!("/v1/offers/{id}/stock");
    let (status, problem) = server
        .post(
            &stock,
            server.operator(),
            json!({"numbers": ["+4915100000077"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, added) = server
        .post(
            &stock,
            server.operator(),
            json!({"numbers": ["+447400123477"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{added}");
    assert_eq!(
        added,
        json!([{"e164": "+447400123477", "state": "available"}])
    );

    let landline = json!({
        "country": "DE", "kind": "landline", "carrier": 1,
        "monthly_price": {"amount": "6.00", "currency": "EUR"}, "provisioning": "instant",
    });
    let (status, problem) = server.post("/v1/offers", server.operator(), landline).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("city"),
        "{problem}"
    );
    server.stop().await;
}

/// CallerID is paid at once for the current period and joins the monthly fee where the
/// offer has the add-on (R6.D1), is refused where it has not (R6.2), and costs nothing more
/// when turned off and on again in a paid period; greetings are selected and turned on (R13.1); a voice recording is
/// charged in advance (R13.3, R1.4).
async fn r6_2_caller_id_r13_1_greetings_and_r13_3_voice_recordings(backend: Backend) {
    let Some(server) = Server::start_on_20_january(backend).await else {
        return;
    };
    let (anna, key) = server.funded_customer("anna@example.com", "25.50").await;
    let mobile = server.listed_offer(&key, "DE", "mobile", None).await;
    let munich = server
        .listed_offer(&key, "DE", "landline", Some("Munich"))
        .await;
    let with_addon = server.order(anna, &key, &mobile, None).await["numbers"][0].clone();
    let without = server.order(anna, &key, &munich, Some("Munich")).await["numbers"][0].clone();
    let base = format!("/v1/customers/{anna}/numbers/{}", with_addon["id"]);

    let (status, on) = server
        .put(&format!("{base}/caller-id"), &key, json!({"enabled": true}))
        .await;
    assert_eq!(status, StatusCode::OK, "{on}");
    assert_eq!(on["caller_id"], true);
    assert_eq!(amount(&on["billing"]["monthly_fee"]), "6.00");
    let paid_for_addon = server.balance(anna, &key).await["balance"].clone();
    for enabled in [false, true] {
        let (status, _) = server
            .put(
                &format!("{base}/caller-id"),
                &key,
                json!({"enabled": enabled}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(
        server.balance(anna, &key).await["balance"],
        paid_for_addon,
        "R6.D1: off and on again in a paid period costs nothing more"
    );
    let (_, ledger) = server
        .get(&format!("/v1/customers/{anna}/ledger"), &key)
        .await;
    let addon: Vec<_> = ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["rule"] == "R6.D1")
        .collect();
    assert_eq!(addon.len(), 1, "{ledger}");
    assert_eq!(amount(&addon[0]["amount"]), "-1.00");
    let (status, problem) = server
        .put(
            &format!("/v1/customers/{anna}/numbers/{}/caller-id", without["id"]),
            &key,
            json!({"enabled": true}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["rule"], "R6.2");

    let (_, uploaded) = server
        .upload(
            &format!("{base}/greetings"),
            &key,
            greeting("Hello", wav(8000, 4000)),
        )
        .await;
    let (status, chosen) = server
        .put(
            &format!("{base}/greeting"),
            &key,
            json!({"selected": uploaded["id"], "enabled": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{chosen}");
    assert_eq!(chosen["greetings"]["selected"], uploaded["id"]);
    assert_eq!(chosen["greetings"]["enabled"], true);
    assert_eq!(chosen["greetings"]["uploaded"][0]["name"], "Hello");

    // 25.50 - 5.00 - 4.50 - 1.00 leaves 15.00: one recording at 15.00, not two.
    let recording = json!({"text": "Welcome to Anna's office", "voice": "female"});
    let path = format!("{base}/voice-recordings");
    let (status, ordered) = server.post(&path, &key, recording.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{ordered}");
    assert_eq!(amount(&ordered["price"]), "15.00");
    let (status, problem) = server.post(&path, &key, recording).await;
    assert_eq!(status, StatusCode::PAYMENT_REQUIRED, "{problem}");
    assert_eq!(problem["rule"], "R1.4");
    server.stop().await;
}

async fn the_openapi_document_lists_the_catalogue_order_number_and_document_paths(
    backend: Backend,
) {
    let Some(server) = Server::start_on_20_january(backend).await else {
        return;
    };
    let spec: Value = server
        .http
        .get(format!("{}/openapi.json", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/v1/offers",
        "/v1/offers/{id}",
        "/v1/offers/{id}/numbers",
        "/v1/offers/{id}/stock",
        "/v1/quotes",
        "/v1/customers/{id}/bulk-agreement",
        "/v1/customers/{id}/orders",
        "/v1/customers/{id}/numbers",
        "/v1/customers/{id}/numbers/{number_id}",
        "/v1/customers/{id}/numbers/{number_id}/forwarding",
        "/v1/customers/{id}/numbers/{number_id}/caller-id",
        "/v1/customers/{id}/numbers/{number_id}/greetings",
        "/v1/customers/{id}/numbers/{number_id}/greetings/{greeting_id}",
        "/v1/customers/{id}/numbers/{number_id}/greeting",
        "/v1/customers/{id}/numbers/{number_id}/voice-recordings",
        "/v1/numbers/{number_id}/connect",
        "/v1/customers/{id}/documents",
        "/v1/customers/{id}/documents/{document_id}/reupload",
        "/v1/documents/pending",
        "/v1/documents/{document_id}/review",
    ] {
        assert!(spec["paths"].get(path).is_some(), "{path} missing");
    }
    server.stop().await;
}

/// An order sent twice with one `Idempotency-Key` buys once: 201, then 200 with the same
/// order; the key with other lines answers 409 (R1.D3).
async fn r1_d3_an_order_retried_with_its_idempotency_key_buys_once(backend: Backend) {
    let Some(server) = Server::start_on_20_january(backend).await else {
        return;
    };
    let (anna, key) = server.funded_customer("anna@example.com", "50.00").await;
    let mobile = server.listed_offer(&key, "DE", "mobile", None).await;
    let path = format!("/v1/customers/{anna}/orders");
    let order = |quantity: u32| {
        json!({
            "lines": [{"offer": mobile["id"], "term_months": 1, "quantity": quantity}],
            "end_user": "personal",
        })
    };
    let send = |body: Value| {
        let request = server
            .http
            .post(format!("{}{path}", server.base))
            .bearer_auth(&key)
            .header("Idempotency-Key", "order-1")
            .json(&body);
        async move { read(request.send().await.unwrap()).await }
    };

    let (first, placed) = send(order(1)).await;
    let balance = server.balance(anna, &key).await["balance"].clone();
    let (again, replayed) = send(order(1)).await;
    let (other, problem) = send(order(2)).await;

    assert_eq!(first, StatusCode::CREATED, "{placed}");
    assert_eq!(again, StatusCode::OK, "{replayed}");
    assert_eq!(replayed["order"], placed["order"]);
    assert_eq!(other, StatusCode::CONFLICT, "{problem}");
    assert_eq!(server.balance(anna, &key).await["balance"], balance);
    server.stop().await;
}

/// Runs each story on SQLite and on PostgreSQL: `<story>::sqlite` and `<story>::postgres`.
macro_rules! on_both {
    ($($story:ident),* $(,)?) => {$(
        mod $story {
            use super::Backend;

            #[tokio::test]
            async fn sqlite() {
                super::$story(Backend::Sqlite).await;
            }

            #[tokio::test]
            async fn postgres() {
                super::$story(Backend::Postgres).await;
            }
        }
    )*};
}

on_both!(
    r1_4_r2_2_r10_2_r10_4_order_documents_review_connection_forwarding_renewals_debt_payment,
    r2_1_an_instant_number_is_active_at_once_and_r10_6_deleting_refunds_nothing,
    r1_3_a_picked_number_is_connected_and_r11_quotes_name_each_discount,
    r13_d2_a_greeting_in_another_format_is_converted_when_asked_for,
    a_customer_gets_404_for_another_customers_numbers_greetings_and_documents,
    bad_targets_wrong_wavs_and_unknown_enum_values_are_problems,
    r3_3_a_customer_without_documents_is_shown_dearer_alternatives_and_buys_one,
    r7_2_operators_add_offers_and_stock_and_unlisted_offers_are_hidden,
    r6_2_caller_id_r13_1_greetings_and_r13_3_voice_recordings,
    the_openapi_document_lists_the_catalogue_order_number_and_document_paths,
    r1_d3_an_order_retried_with_its_idempotency_key_buys_once,
);
