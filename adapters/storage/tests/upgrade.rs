//! Upgrades: a database as each earlier release left it, filled the way that release wrote
//! it, is brought up to date by the store's own start-up and reads back whole through the
//! ports, on SQLite and on PostgreSQL.
//!
//! Each release is a number of migration steps: `m0001` alone, `m0001`–`m0002`,
//! `m0001`–`m0003`, `m0001`–`m0004` (the last release before the JSON records carried
//! their version) and `m0001`–`m0005` (the rate table). The rows below are that release's rows as literals (columns and JSON
//! text as its code wrote them, instants in the backend's text form), never produced by
//! today's code, so a change to today's code cannot change what the test starts from.

// The helpers below are test code too: a failed unwrap is a failed test with a location.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::{DateTime, TimeZone, Utc};
use rust_decimal_macros::dec;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use vnum_app::model::{
    CustomerKind, EntryKind, NumberSettings, OrderChoice, Principal, RenewalBatch, StockState,
};
use vnum_app::ports::Store;
use vnum_billing::PaymentStatus;
use vnum_calls::Direction;
use vnum_compliance::{EndUser, Review};
use vnum_core::{
    Currency, CustomerId, DocumentId, Money, NumberId, OfferId, OrderId, PaymentId, Period,
    PhoneNumber, PrepaidTerm, SipAccountId,
};
use vnum_lifecycle::{NumberState, OfferTerms, WaitlistState};
use vnum_storage::SeaOrmStore;

use vnum_testkit::{day, eur};

/// The migration steps of each earlier release.
const RELEASES: [usize; 5] = [1, 2, 3, 4, 5];

fn at(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, s).unwrap()
}

fn e164(text: &str) -> PhoneNumber {
    PhoneNumber::parse(text).unwrap()
}

async fn run(db: &DatabaseConnection, sql: &str) {
    for statement in sql.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
        db.execute_unprepared(statement)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
}

/// What every release wrote to the tables of `m0001`: two customers, their ledger, API
/// keys and the last renewal day. Serial ids are left to the database, as the code did.
const M0001_COMMON: &str = "
INSERT INTO customers (name, email, email_key, kind, currency, registered_at, balance_minor)
    VALUES ('Ada Lovelace', 'Ada@Example.com', 'ada@example.com', 'person', 'EUR',
            '2026-01-01T03:00:00+00:00', 1001);
INSERT INTO customers (name, email, email_key, kind, currency, registered_at, balance_minor)
    VALUES ('Acme GmbH', 'billing@acme.example', 'billing@acme.example', 'company', 'EUR',
            '2026-01-02T03:00:00+00:00', 0);
INSERT INTO ledger_entries (customer_id, kind, amount_minor, currency, number_id,
        period_start, period_end, rule, reference, description, at)
    VALUES (1, 'top_up', 2000, 'EUR', NULL, NULL, NULL, NULL, 'card-1', 'Top-up',
            '2026-01-15T03:00:00+00:00');
INSERT INTO ledger_entries (customer_id, kind, amount_minor, currency, number_id,
        period_start, period_end, rule, reference, description, at)
    VALUES (1, 'charge', -999, 'EUR', 1, '2026-01-20', '2026-02-20', 'R10.2', NULL,
            'Monthly fee', '2026-01-20T03:00:00+00:00');
INSERT INTO api_keys (token_sha256, role, customer_id, label, created_at)
    VALUES ('aa11', 'operator', NULL, 'ops laptop', '2026-01-01T03:00:00+00:00');
INSERT INTO api_keys (token_sha256, role, customer_id, label, created_at)
    VALUES ('bb22', 'customer', 1, 'demo customer', '2026-01-01T03:00:00+00:00');
INSERT INTO renewal_state (id, last_renewal_day) VALUES (1, '2026-01-20')
";

/// Numbers as `m0001` kept them: columns only. Ada's number 1 is connected and billed,
/// Acme's number 2 ordered with a number picked (R1.3), Ada's number 3 connected and
/// deleted.
const M0001_NUMBERS: &str = "
INSERT INTO numbers (customer_id, offer_id, country, e164, anchor_day, connected_on,
        paid_through, fee_minor, fee_currency, deleted_on, version)
    VALUES (1, 1, 'DE', '+49301234001', 20, '2026-01-20', '2026-02-20', 999, 'EUR', NULL, 1);
INSERT INTO numbers (customer_id, offer_id, country, e164, anchor_day, connected_on,
        paid_through, fee_minor, fee_currency, deleted_on, version)
    VALUES (2, 1, 'DE', '+49301234002', NULL, NULL, NULL, NULL, NULL, NULL, 1);
INSERT INTO numbers (customer_id, offer_id, country, e164, anchor_day, connected_on,
        paid_through, fee_minor, fee_currency, deleted_on, version)
    VALUES (1, 1, 'DE', '+49301234003', 5, '2026-01-05', '2026-02-05', 500, 'EUR',
            '2026-01-25', 2)
";

/// The same numbers as `m0002` to `m0004` kept them: the columns and the whole record as
/// JSON, without a version field. Number 1 has the CallerID add-on and a three-month first
/// term, which only the JSON holds.
const M0002_NUMBERS: &str = r#"
INSERT INTO numbers (customer_id, offer_id, country, e164, anchor_day, connected_on,
        paid_through, fee_minor, fee_currency, deleted_on, version, record)
    VALUES (1, 1, 'DE', '+49301234001', 20, '2026-01-20', '2026-02-20', 999, 'EUR', NULL, 1,
    '{"billing":{"anchor_day":20,"connected_on":"2026-01-20","monthly_fee":{"amount":"9.99","currency":"EUR"},"paid_through":"2026-02-20"},"country":"DE","customer":1,"end_user":"Business","first_term":3,"id":0,"offer":1,"settings":{"caller_id":true,"forwarding":null,"greetings":{"enabled":false,"selected":null,"uploaded":[]}},"state":{"Active":{"connected_on":"2026-01-20","number":"+49301234001"}},"version":0,"wanted":null}');
INSERT INTO numbers (customer_id, offer_id, country, e164, anchor_day, connected_on,
        paid_through, fee_minor, fee_currency, deleted_on, version, record)
    VALUES (2, 1, 'DE', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1,
    '{"billing":null,"country":"DE","customer":2,"end_user":"Business","first_term":1,"id":0,"offer":1,"settings":{"caller_id":false,"forwarding":null,"greetings":{"enabled":false,"selected":null,"uploaded":[]}},"state":"AwaitingDocuments","version":0,"wanted":"+49301234002"}');
INSERT INTO numbers (customer_id, offer_id, country, e164, anchor_day, connected_on,
        paid_through, fee_minor, fee_currency, deleted_on, version, record)
    VALUES (1, 1, 'DE', '+49301234003', 5, '2026-01-05', '2026-02-05', 500, 'EUR',
            '2026-01-25', 2,
    '{"billing":{"anchor_day":5,"connected_on":"2026-01-05","monthly_fee":{"amount":"5.00","currency":"EUR"},"paid_through":"2026-02-05"},"country":"DE","customer":1,"end_user":"Personal","first_term":1,"id":0,"offer":1,"settings":{"caller_id":false,"forwarding":null,"greetings":{"enabled":false,"selected":null,"uploaded":[]}},"state":{"Deleted":{"deleted_on":"2026-01-25","number":"+49301234003"}},"version":1,"wanted":null}')
"#;

/// The aggregates of `m0002`, one of each, as JSON without a version field.
const M0002_RECORDS: &str = r#"
INSERT INTO offers (id, record) VALUES (5,
    '{"caller_id_monthly":{"amount":"0.870","currency":"KWD"},"carrier":1,"city":null,"country":"DE","documents":{"business":[],"personal":[]},"id":5,"kind":"Mobile","listed":true,"monthly_price":{"amount":"24.440","currency":"KWD"},"provisioning":"Instant","setup_fee":{"amount":"0.000","currency":"KWD"},"sip_forwarding_free":true,"trial_allowed":false}');
INSERT INTO stock_numbers (e164, offer_id, state) VALUES ('+49301234005', 5, 'available');
INSERT INTO documents (id, customer_id, pending, record) VALUES (1, 1, FALSE,
    '{"customer":1,"id":1,"kind":"PassportOrId","review":{"Accepted":{"at":"2026-01-04T03:00:00Z"}},"uploaded_at":"2026-01-03T03:00:00Z","version":1}');
INSERT INTO closing_document_numbers (customer_id, period_start, period_end, document_id)
    VALUES (2, '2026-01-01', '2026-02-01', 2);
INSERT INTO orders (id, customer_id, record) VALUES (1, 1,
    '{"customer":1,"id":1,"idempotency_key":"order-1","lines":[{"choice":"automatic","offer":1,"quantity":2,"term":3,"total":{"amount":"50.88","currency":"EUR"}},{"choice":{"manual":"+49301234001"},"offer":1,"quantity":1,"term":6,"total":{"amount":"152.64","currency":"EUR"}}],"numbers":[1,3],"placed_at":"2026-01-18T03:00:00Z","total":{"amount":"203.52","currency":"EUR"}}');
INSERT INTO agreements (id, customer_id, record) VALUES (1, 1,
    '{"customer":1,"default_percent":null,"id":1,"min_quantity":50,"per_country":{"DE":"10"}}');
INSERT INTO sip_accounts (id, customer_id, login, record) VALUES (3, 1, 'ada-phone',
    '{"account":{"ha1":"c854b3b38967af590f828c975fade8bd","login":"ada-phone","owner":1,"realm":"sip.example.com"},"id":3,"presents":1}');
INSERT INTO call_records (id, number_id, started_at, record)
    VALUES (1, 1, '2026-01-10T03:30:00+00:00',
    '{"answer":"2026-01-10T03:30:05Z","answered_by":"ada-office","direction":"inbound","disposition":{"kind":"answered"},"end":"2026-01-10T03:31:05Z","from":"+4915112345678","id":1,"number":1,"start":"2026-01-10T03:30:00Z","to":"+49301234001"}');
INSERT INTO contracts (id, customer_id, version, active, record) VALUES (1, 2, 1, TRUE,
    '{"customer":2,"details":{"address":"Unter den Linden 1, 10117 Berlin","bank_account":{"bic":"COBADEFFXXX","iban":"DE89370400440532013000","kind":"iban"},"company_name":"Acme GmbH","signatory_name":"Erika Mustermann","signatory_position":"Managing Director"},"id":1,"signed_at":"2026-01-05T03:00:00Z","superseded_at":null,"version":1}');
INSERT INTO trials (id, customer_id, number, started_at, ends_at, returned_at, record)
    VALUES (1, 1, '+49301234005', '2026-01-10T03:00:00+00:00', '2026-01-10T04:00:00+00:00',
            NULL,
    '{"customer":1,"ends_at":"2026-01-10T04:00:00Z","id":1,"number":"+49301234005","offer":5,"started_at":"2026-01-10T03:00:00Z"}');
INSERT INTO waitlist_entries (id, country, customer_id, requested_at, waiting, record)
    VALUES (1, 'DE', 1, '2026-01-03T03:00:00+00:00', FALSE,
    '{"customer":1,"id":1,"requested_at":"2026-01-03T03:00:00Z","state":{"Fulfilled":{"at":"2026-01-05T03:00:00Z"}},"wanted":{"city":null,"country":"DE","kind":"Mobile"}}');
INSERT INTO sms_allocations (id, number, service, customer_id, allocated_at, waiting, record)
    VALUES (1, '+49301234005', 'telegram', 1, '2026-01-10T03:00:00+00:00', FALSE,
    '{"allocation":{"allocated_at":"2026-01-10T03:00:00Z","customer":1,"expires_at":"2026-01-10T03:20:00Z","id":1,"number":"+49301234005","price":{"amount":"0.50","currency":"EUR"},"service":"telegram","state":{"Used":{"at":"2026-01-10T03:03:00Z"}}},"message":{"at":"2026-01-10T03:03:00Z","from":"Telegram","text":"Your code is 12345"},"offer":5}')
"#;

/// A call reported under its SIP Call-ID, as `m0003` added.
const M0003_RECORDS: &str = r#"
INSERT INTO call_records (id, number_id, started_at, record, reference)
    VALUES (2, 1, '2026-01-11T03:30:00+00:00',
    '{"answer":null,"answered_by":null,"direction":"inbound","disposition":{"kind":"no_answer"},"end":"2026-01-11T03:30:20Z","from":"+4915112345678","id":2,"number":1,"start":"2026-01-11T03:30:00Z","to":"+49301234001"}',
    'call-2@sip.example.com')
"#;

/// A payment, as `m0004` added.
const M0004_RECORDS: &str = r#"
INSERT INTO payments (id, customer_id, idempotency_key, pending, provider_event, created_at,
        record)
    VALUES (1, 1, 'k1', FALSE, 'evt_1', '2026-01-05T03:00:00+00:00',
    '{"amount":{"amount":"10.00","currency":"EUR"},"confirmed_at":"2026-01-06T03:00:00Z","created_at":"2026-01-05T03:00:00Z","customer":1,"failed_at":null,"id":1,"idempotency_key":"k1","provider_event":"evt_1","status":"confirmed"}')
"#;

/// The rate table of `m0005` (R6.D2): the price per minute in ten-thousandths of the unit.
const M0005_RECORDS: &str = "
INSERT INTO rates (prefix, currency, price_per_minute_e4, first_seconds, next_seconds,
        effective_from)
    VALUES ('49', 'EUR', 125, 60, 60, '2026-01-01T00:00:00+00:00'),
           ('4915', 'EUR', 1500, 1, 1, '2026-01-01T00:00:00+00:00')
";

/// Moves the id sequence `name` past `last`, as handing out ids up to it did.
fn sequence_at(backend: DbBackend, name: &str, last: i64) -> String {
    match backend {
        DbBackend::Postgres => format!("SELECT setval('{name}', {last})"),
        _ => format!("UPDATE id_sequences SET last_id = {last} WHERE name = '{name}'"),
    }
}

/// Fills a database migrated up to `steps` as the release with those steps wrote it.
async fn fill(db: &DatabaseConnection, steps: usize) {
    let backend = db.get_database_backend();
    run(db, M0001_COMMON).await;
    if steps == 1 {
        run(db, M0001_NUMBERS).await;
        return;
    }
    run(db, M0002_NUMBERS).await;
    run(db, M0002_RECORDS).await;
    let mut sequences = vec![
        ("offer_ids", 5),
        ("document_ids", 2),
        ("order_ids", 1),
        ("agreement_ids", 1),
        ("sip_account_ids", 3),
        ("call_ids", 1),
        ("contract_ids", 1),
        ("trial_ids", 1),
        ("waitlist_entry_ids", 1),
        ("sms_allocation_ids", 1),
    ];
    if steps >= 3 {
        run(db, M0003_RECORDS).await;
        sequences[5].1 = 2;
    }
    if steps >= 4 {
        run(db, M0004_RECORDS).await;
        sequences.push(("payment_ids", 1));
    }
    if steps >= 5 {
        run(db, M0005_RECORDS).await;
    }
    for (name, last) in sequences {
        run(db, &sequence_at(backend, name, last)).await;
    }
}

/// What every release's data reads back as, after the upgrade.
async fn check_customers_ledger_and_keys(store: &dyn Store) {
    let mut tx = store.read().await.unwrap();
    let ada = tx.customer(CustomerId(1)).await.unwrap().unwrap();
    assert_eq!(ada.name, "Ada Lovelace");
    assert_eq!(ada.email, "Ada@Example.com");
    assert_eq!(ada.kind, CustomerKind::Person);
    assert_eq!(ada.currency, Currency::EUR);
    assert_eq!(ada.registered_at, at(2026, 1, 1, 3, 0, 0));
    let acme = tx.customer(CustomerId(2)).await.unwrap().unwrap();
    assert_eq!(acme.kind, CustomerKind::Company);
    assert_eq!(tx.balance(CustomerId(1)).await.unwrap(), eur(dec!(10.01)));

    let entries = tx
        .entries(
            CustomerId(1),
            at(2026, 1, 1, 0, 0, 0),
            at(2026, 2, 1, 0, 0, 0),
        )
        .await
        .unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].kind, EntryKind::TopUp);
    assert_eq!(entries[0].amount, eur(dec!(20.00)));
    assert_eq!(entries[0].reference.as_deref(), Some("card-1"));
    assert_eq!(entries[1].kind, EntryKind::Charge);
    assert_eq!(entries[1].amount, eur(dec!(-9.99)));
    assert_eq!(entries[1].number, Some(NumberId(1)));
    assert_eq!(
        entries[1].period,
        Some(Period::new(day(2026, 1, 20), day(2026, 2, 20)).unwrap())
    );
    assert_eq!(entries[1].rule, Some(vnum_core::rule::R10_2));
    assert_eq!(entries[1].at, at(2026, 1, 20, 3, 0, 0));

    let operator = tx.api_key("aa11").await.unwrap().unwrap();
    assert_eq!(operator.principal, Principal::Operator);
    let customer = tx.api_key("bb22").await.unwrap().unwrap();
    assert_eq!(customer.principal, Principal::Customer(CustomerId(1)));
    assert_eq!(customer.name, "demo customer");
    // Keys stored before keys could expire or be revoked never expire and still work.
    for key in [&operator, &customer] {
        assert_eq!((key.expires_at, key.revoked_at), (None, None));
        assert!(key.works_at(at(2030, 1, 1, 0, 0, 0)));
    }
    assert_eq!(
        tx.api_keys(Some(CustomerId(1))).await.unwrap(),
        std::slice::from_ref(&customer)
    );
    assert_eq!(tx.last_renewal_day().await.unwrap(), Some(day(2026, 1, 20)));
}

/// The numbers: what both the columns and (from `m0002`) the JSON say.
async fn check_numbers(store: &dyn Store, steps: usize) {
    let mut tx = store.read().await.unwrap();
    let one = tx.number(NumberId(1)).await.unwrap().unwrap();
    assert_eq!(one.customer, CustomerId(1));
    assert_eq!(one.offer, OfferId(1));
    assert_eq!(one.country.as_str(), "DE");
    assert_eq!(
        one.state,
        NumberState::Active {
            number: e164("+49301234001"),
            connected_on: day(2026, 1, 20)
        }
    );
    let billing = one.billing.clone().unwrap();
    assert_eq!(billing.anchor_day.get(), 20);
    assert_eq!(billing.paid_through, day(2026, 2, 20));
    assert_eq!(billing.monthly_fee, eur(dec!(9.99)));
    assert_eq!(one.version, 1);
    assert_eq!(
        tx.number_by_e164(&e164("+49301234001")).await.unwrap(),
        Some(one.clone())
    );

    let two = tx.number(NumberId(2)).await.unwrap().unwrap();
    assert_eq!(two.customer, CustomerId(2));
    assert_eq!(two.wanted, Some(e164("+49301234002")));
    assert_eq!(two.billing, None);
    // A company's number is for a business (R3.1), whichever release stored it.
    assert_eq!(two.end_user, EndUser::Business);

    let three = tx.number(NumberId(3)).await.unwrap().unwrap();
    assert_eq!(
        three.state,
        NumberState::Deleted {
            number: Some(e164("+49301234003")),
            deleted_on: day(2026, 1, 25)
        }
    );
    assert_eq!(three.version, 2);
    assert_eq!(tx.numbers_of(CustomerId(1)).await.unwrap().len(), 2);

    if steps == 1 {
        // The first schema kept no lifecycle, term, end user or settings: they are what
        // its columns describe.
        assert_eq!(two.state, NumberState::Ordered);
        assert_eq!(one.first_term, PrepaidTerm::OneMonth);
        assert_eq!(one.end_user, EndUser::Personal);
        assert_eq!(one.settings, NumberSettings::default());
    } else {
        assert_eq!(two.state, NumberState::AwaitingDocuments);
        assert_eq!(one.first_term, PrepaidTerm::ThreeMonths);
        assert_eq!(one.end_user, EndUser::Business);
        assert!(one.settings.caller_id);
    }
}

/// The aggregates of `m0002` and later.
async fn check_records(store: &dyn Store, steps: usize) {
    let mut tx = store.read().await.unwrap();
    let offer = tx.offer(OfferId(5)).await.unwrap().unwrap();
    assert_eq!(
        offer.monthly_price(),
        Money::new(dec!(24.440), Currency::parse("KWD").unwrap())
    );
    assert!(offer.sip_forwarding_free());
    let stock = tx.stock(OfferId(5)).await.unwrap();
    assert_eq!(stock.len(), 1);
    assert_eq!(stock[0].state, StockState::Available);

    let document = tx.document(DocumentId(1)).await.unwrap().unwrap();
    assert_eq!(document.customer(), CustomerId(1));
    assert!(matches!(document.state(), Review::Accepted { .. }));

    let order = tx.order(OrderId(1)).await.unwrap().unwrap();
    assert_eq!(order.numbers, [NumberId(1), NumberId(3)]);
    assert_eq!(
        order.lines[1].choice,
        OrderChoice::Manual(e164("+49301234001"))
    );
    assert_eq!(order.lines[1].term, PrepaidTerm::SixMonths);
    assert_eq!(order.total, eur(dec!(203.52)));
    assert_eq!(order.idempotency_key.as_deref(), Some("order-1"));

    let agreement = tx.agreement_of(CustomerId(1)).await.unwrap().unwrap();
    assert_eq!(agreement.min_quantity(), 50);

    let sip = tx.sip_account_by_login("ada-phone").await.unwrap().unwrap();
    assert_eq!(sip.id, SipAccountId(3));
    assert_eq!(sip.presents, Some(NumberId(1)));

    let calls = tx
        .calls(
            &[NumberId(1)],
            at(2026, 1, 1, 0, 0, 0),
            at(2026, 2, 1, 0, 0, 0),
        )
        .await
        .unwrap();
    assert_eq!(calls.len(), if steps >= 3 { 2 } else { 1 });
    assert_eq!(calls[0].direction(), Direction::Inbound);
    assert_eq!(calls[0].answered_by(), Some("ada-office"));
    if steps >= 3 {
        let call = tx
            .call_by_reference("call-2@sip.example.com")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(call.start(), at(2026, 1, 11, 3, 30, 0));
    }

    let contract = tx.active_contract(CustomerId(2)).await.unwrap().unwrap();
    assert_eq!(contract.details.company_name(), "Acme GmbH");
    assert_eq!(
        tx.closing_document_number(
            CustomerId(2),
            Period::new(day(2026, 1, 1), day(2026, 2, 1)).unwrap()
        )
        .await
        .unwrap(),
        Some(DocumentId(2)),
        "documents issued before keep their number"
    );

    let trials = tx.unreturned_trials().await.unwrap();
    assert_eq!(trials.len(), 1);
    assert_eq!(trials[0].trial.number(), &e164("+49301234005"));

    let entries = tx.waitlist_entries_of(CustomerId(1)).await.unwrap();
    assert!(matches!(
        entries[0].state(),
        WaitlistState::Fulfilled { .. }
    ));

    let sms = tx.sms_allocations_of(CustomerId(1)).await.unwrap();
    assert_eq!(sms[0].allocation.price(), eur(dec!(0.50)));
    assert_eq!(sms[0].message.as_ref().unwrap().text, "Your code is 12345");

    if steps >= 4 {
        let payment = tx.payment(PaymentId(1)).await.unwrap().unwrap();
        assert_eq!(payment.status, PaymentStatus::Confirmed);
        assert_eq!(payment.amount, eur(dec!(10.00)));
    }
    if steps >= 5 {
        let rates = tx.rates().await.unwrap();
        assert_eq!(rates.len(), 2);
        assert_eq!(rates[0].price_per_minute(), eur(dec!(0.0125)));
        assert_eq!(rates[0].increments().to_string(), "60/60");
        assert_eq!(rates[1].prefix().to_string(), "+4915");
        assert_eq!(rates[1].effective_from(), at(2026, 1, 1, 0, 0, 0));
    }
}

/// Writes after the upgrade: the serial ids and the id sequences go on where the release
/// left them, the renewal run charges what is due, and a number stored before is written
/// back whole, in the current version.
async fn check_writes(store: &dyn Store, db: &DatabaseConnection, steps: usize) {
    let mut tx = store.begin().await.unwrap();
    let carol = tx
        .insert_customer(common::new_customer("carol@example.com"))
        .await
        .unwrap();
    assert_eq!(carol.id, CustomerId(3));
    let offer = tx.insert_offer(offer_terms()).await.unwrap();
    assert_eq!(offer.id(), OfferId(if steps == 1 { 1 } else { 6 }));

    let outcome = tx
        .charge_due(&RenewalBatch {
            day: vnum_billing::RenewalDay::new(day(2026, 2, 20)),
            limit: 10,
            at: at(2026, 2, 20, 3, 0, 0),
        })
        .await
        .unwrap();
    assert_eq!(outcome.charged, 1);
    assert_eq!(tx.balance(CustomerId(1)).await.unwrap(), eur(dec!(0.02)));

    let rate = vnum_calls::Rate::new(
        vnum_calls::DialPrefix::parse("+44").unwrap(),
        eur(dec!(0.02)),
        vnum_calls::Increments::parse("1/1").unwrap(),
        at(2026, 2, 1, 0, 0, 0),
    )
    .unwrap();
    tx.insert_rate(rate).await.unwrap();

    let mut two = tx.number(NumberId(2)).await.unwrap().unwrap();
    two.state = NumberState::Provisioning;
    tx.update_number(two).await.unwrap();
    tx.commit().await.unwrap();

    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT record FROM numbers WHERE id = 2",
        ))
        .await
        .unwrap()
        .unwrap();
    let record: String = row.try_get_by_index(0).unwrap();
    let record: serde_json::Value = serde_json::from_str(&record).unwrap();
    assert_eq!(record["v"], 1);
    assert_eq!(record["state"], "Provisioning");

    let mut tx = store.read().await.unwrap();
    let one = tx.number(NumberId(1)).await.unwrap().unwrap();
    assert_eq!(one.billing.unwrap().paid_through, day(2026, 3, 20));
    let two = tx.number(NumberId(2)).await.unwrap().unwrap();
    assert_eq!(two.state, NumberState::Provisioning);
    assert_eq!(two.wanted, Some(e164("+49301234002")));
}

fn offer_terms() -> OfferTerms {
    let mut terms: OfferTerms = serde_json::from_str(
        r#"{"caller_id_monthly":null,"carrier":1,"city":null,"country":"DE","documents":{"business":[],"personal":[]},"id":0,"kind":"Mobile","listed":true,"monthly_price":{"amount":"9.99","currency":"EUR"},"provisioning":"Instant","setup_fee":{"amount":"0.00","currency":"EUR"},"sip_forwarding_free":false,"trial_allowed":false}"#,
    )
    .unwrap();
    terms.id = OfferId(0);
    terms
}

async fn check(store: &dyn Store, db: &DatabaseConnection, steps: usize) {
    check_customers_ledger_and_keys(store).await;
    check_numbers(store, steps).await;
    if steps >= 2 {
        check_records(store, steps).await;
    }
    check_writes(store, db, steps).await;
}

#[tokio::test]
async fn every_earlier_release_upgrades_on_sqlite() {
    for steps in RELEASES {
        let path =
            std::env::temp_dir().join(format!("vnum-upgrade-{}-{steps}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let url = format!("sqlite://{}", path.display());
        let db = Database::connect(SeaOrmStore::url_with_defaults(&url))
            .await
            .unwrap();
        SeaOrmStore::migrate_to(&db, steps).await.unwrap();
        fill(&db, steps).await;
        db.close().await.unwrap();

        let store = SeaOrmStore::connect(&url).await.unwrap();
        check(&store, store.connection(), steps).await;
        store.close().await.unwrap();
        std::fs::remove_file(&path).unwrap();
        let _ = std::fs::remove_file(path.with_extension("db.lock"));
    }
}

#[tokio::test]
async fn every_earlier_release_upgrades_on_postgres() {
    for steps in RELEASES {
        let Some(empty) = common::postgres_empty().await else {
            return;
        };
        SeaOrmStore::migrate_to(&empty.db, steps).await.unwrap();
        fill(&empty.db, steps).await;
        let schema = empty.store().await;
        check(&schema.store, schema.store.connection(), steps).await;
        schema.drop().await;
    }
}

#[tokio::test]
async fn a_database_is_migrated_no_further_than_asked() {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    SeaOrmStore::migrate_to(&db, 1).await.unwrap();
    let tables = |db: DatabaseConnection| async move {
        db.query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'offers'",
        ))
        .await
        .unwrap()
        .len()
    };
    assert_eq!(tables(db.clone()).await, 0);
    SeaOrmStore::migrate_to(&db, 2).await.unwrap();
    assert_eq!(tables(db.clone()).await, 1);
    // Asking for fewer steps than applied migrates nothing down.
    SeaOrmStore::migrate_to(&db, 1).await.unwrap();
    assert_eq!(tables(db.clone()).await, 1);
    assert!(
        SeaOrmStore::migrate_to(&db, SeaOrmStore::migration_steps() + 1)
            .await
            .is_err()
    );
}

/// The SQLite schema after each step, as committed in `tests/schema/sqlite_after_<n>.sql`
/// when the step was released: an applied step creates what it always created, whatever
/// the code around it became (`run_ddl`'s placeholders included).
#[tokio::test]
async fn each_migration_step_creates_the_schema_it_always_created() {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    for steps in 1..=SeaOrmStore::migration_steps() {
        SeaOrmStore::migrate_to(&db, steps).await.unwrap();
        let rows = db
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT sql FROM sqlite_master
                 WHERE sql IS NOT NULL AND name NOT LIKE 'seaql_%' AND name NOT LIKE 'sqlite_%'
                 ORDER BY type, name",
            ))
            .await
            .unwrap();
        let mut schema: String = rows
            .iter()
            .map(|row| format!("{};\n", row.try_get_by_index::<String>(0).unwrap()))
            .collect();
        if steps >= 2 {
            // The id sequences are rows on SQLite: their names are part of the step too.
            let sequences = db
                .query_all_raw(Statement::from_string(
                    DbBackend::Sqlite,
                    "SELECT name, last_id FROM id_sequences ORDER BY name",
                ))
                .await
                .unwrap();
            for row in sequences {
                let name: String = row.try_get_by_index(0).unwrap();
                let last: i64 = row.try_get_by_index(1).unwrap();
                schema.push_str(&format!("-- id_sequences: {name} {last}\n"));
            }
        }
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/schema/sqlite_after_{steps}.sql"));
        if std::env::var_os("VNUM_CAPTURE_SCHEMA").is_some() && !path.exists() {
            std::fs::write(&path, &schema).unwrap();
        }
        let committed = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{} is committed: {e}", path.display()));
        assert_eq!(schema, committed, "migration step {steps} changed");
    }
}

/// Servers that start together on a fresh PostgreSQL database migrate it one after the
/// other: every one starts, and each step is applied once.
#[tokio::test]
async fn servers_starting_together_on_postgres_migrate_once() {
    let Some(empty) = common::postgres_empty().await else {
        return;
    };
    let options = empty.options();
    let starts = (0..4).map(|_| SeaOrmStore::connect_with(options.clone()));
    let stores = futures_join_all(starts).await;
    for store in &stores {
        assert!(store.is_ok(), "{:?}", store.as_ref().err());
    }
    let row = empty
        .db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT count(*), count(DISTINCT version) FROM seaql_migrations",
        ))
        .await
        .unwrap()
        .unwrap();
    let steps = i64::try_from(SeaOrmStore::migration_steps()).unwrap();
    assert_eq!(row.try_get_by_index::<i64>(0).unwrap(), steps);
    assert_eq!(row.try_get_by_index::<i64>(1).unwrap(), steps);
    drop(stores);
    empty.store().await.drop().await;
}

/// Awaits every future, concurrently, on the test's runtime.
async fn futures_join_all<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut outputs = Vec::new();
    for handle in handles {
        outputs.push(handle.await.unwrap());
    }
    outputs
}
