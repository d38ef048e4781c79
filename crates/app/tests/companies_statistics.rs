//! Companies (R12) and statistics (R4.6), told through the use cases on in-memory ports.

// The world's helpers run only inside tests: a panic there is a failed test with a location.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use vnum_accounts::ContractForm;
use vnum_app::model::{Customer, CustomerKind, EntryKind, NumberRecord, PageRequest};
use vnum_app::testing::{World, mobile_offer};
use vnum_app::{Config, Error};
use vnum_calls::{CallLine, CallRecordFields, Direction, Disposition};
use vnum_core::{CallId, Currency, Money, NumberId, Period, rule};
use vnum_lifecycle::Offer;
use vnum_testkit::{country, day, eur, local_hm, phone};

/// The billing time zone: Moscow, UTC+3 all year.
const TZ: Tz = chrono_tz::Europe::Moscow;

/// The application at 09:00 on `day` in Moscow, issuing documents as "vnum Telecom Ltd",
/// with German mobile numbers at 10 EUR a month that the carrier connects at once.
async fn world_on(day: NaiveDate) -> (World, Offer) {
    let config = Config {
        billing_time_zone: TZ,
        issuer: vnum_accounts::Issuer::named("vnum Telecom Ltd"),
        ..Config::default()
    };
    let world = World::with_config(local_hm(TZ, day, 9, 0), config);
    world.carrier_stock((0..10).map(|i| phone(&format!("+49151{:08}", 10_000_000 + i))));
    let offer = world.offer(mobile_offer(country("DE"), eur("10.00"))).await;
    (world, offer)
}

async fn company_with_contract(world: &World, name: &str) -> Customer {
    let company = world
        .register(name, CustomerKind::Company, Currency::EUR)
        .await;
    world
        .vnum
        .sign_contract(company.id, &complete_form(name))
        .await
        .unwrap();
    company
}

/// Reports a call of `talk` seconds (answered after 5 seconds), or one that rang for
/// 20 seconds unanswered.
async fn call(world: &World, number: NumberId, start: DateTime<Utc>, talk: Option<i64>) {
    let answer = talk.map(|_| start + Duration::seconds(5));
    let end = answer.map_or(start + Duration::seconds(20), |a| {
        a + Duration::seconds(talk.unwrap_or(0))
    });
    world
        .vnum
        .record_call(
            CallRecordFields {
                id: CallId(0),
                line: CallLine::Number(number),
                direction: Direction::Inbound,
                from: "+4930123456".into(),
                to: "+4915110000000".into(),
                start,
                answer,
                end,
                disposition: if talk.is_some() {
                    Disposition::Answered
                } else {
                    Disposition::NoAnswer
                },
                answered_by: talk.map(|_| "sip:office@sip.vnum.example".into()),
            },
            None,
        )
        .await
        .unwrap();
}

fn march() -> Period {
    Period::new(day(2026, 3, 1), day(2026, 4, 1)).unwrap()
}

fn complete_form(company: &str) -> ContractForm {
    ContractForm {
        company_name: company.into(),
        address: "Friedrichstrasse 1, 10117 Berlin".into(),
        iban: "DE89 3704 0044 0532 0130 00".into(),
        bic: "COBADEFFXXX".into(),
        signatory_position: "Managing Director".into(),
        signatory_name: "Erika Mustermann".into(),
        ..ContractForm::default()
    }
}

#[tokio::test]
async fn r12_3_contract_needs_name_address_bank_and_signatory() {
    let (world, _) = world_on(day(2026, 3, 2)).await;
    let acme = world
        .register("Acme GmbH", CustomerKind::Company, Currency::EUR)
        .await;

    let err = world
        .vnum
        .sign_contract(acme.id, &ContractForm::default())
        .await
        .unwrap_err();
    let Error::Invalid(message) = err else {
        panic!("expected an invalid form, got {err:?}");
    };
    for missing in [
        "company name",
        "company address",
        "bank details",
        "signatory's position",
        "signatory's full name",
    ] {
        assert!(
            message.contains(missing),
            "{missing} not named in: {message}"
        );
    }
    assert!(matches!(
        world.vnum.contract_of(acme.id).await,
        Err(Error::NotFound { .. })
    ));

    let contract = world
        .vnum
        .sign_contract(acme.id, &complete_form("Acme GmbH"))
        .await
        .unwrap();
    assert_eq!(contract.version, 1);
    assert_eq!(contract.details.signatory_name(), "Erika Mustermann");
    assert_eq!(world.vnum.contract_of(acme.id).await.unwrap(), contract);
}

#[tokio::test]
async fn r12_1_signing_again_replaces_the_active_contract_with_a_new_version() {
    let (world, _) = world_on(day(2026, 3, 2)).await;
    let acme = company_with_contract(&world, "Acme GmbH").await;
    let first = world.vnum.contract_of(acme.id).await.unwrap();

    world.set_time(local_hm(TZ, day(2026, 6, 1), 10, 0));
    let mut form = complete_form("Acme Holding GmbH");
    form.signatory_name = "Max Mustermann".into();
    let second = world.vnum.sign_contract(acme.id, &form).await.unwrap();

    assert_eq!(second.version, 2);
    assert_ne!(second.id, first.id);
    let active = world.vnum.contract_of(acme.id).await.unwrap();
    assert_eq!(active, second);
    assert_eq!(active.details.company_name(), "Acme Holding GmbH");
    let history = world.vnum.contracts(acme.id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].id, first.id);
    assert_eq!(history[0].superseded_at, Some(second.signed_at));
    assert!(!history[0].is_active() && history[1].is_active());
}

#[tokio::test]
async fn r12_1_person_cannot_sign_a_contract() {
    let (world, _) = world_on(day(2026, 3, 2)).await;
    let anna = world
        .register("Anna Schmidt", CustomerKind::Person, Currency::EUR)
        .await;

    let err = world
        .vnum
        .sign_contract(anna.id, &complete_form("Anna Schmidt"))
        .await
        .unwrap_err();
    assert_eq!(err.rule(), Some(rule::R12_1), "{err:?}");

    // Without a contract there is no paying by bank transfer either.
    let err = world
        .vnum
        .record_bank_transfer(anna.id, eur("100.00"), day(2026, 3, 2), "RF18 0001")
        .await
        .unwrap_err();
    assert_eq!(err.rule(), Some(rule::R12_1), "{err:?}");
    assert_eq!(world.balance(anna.id).await, eur("0.00"));
}

#[tokio::test]
async fn r12_1_bank_transfer_credits_once_per_reference() {
    let (world, _) = world_on(day(2026, 3, 5)).await;
    let unsigned = world
        .register("Beta AG", CustomerKind::Company, Currency::EUR)
        .await;
    let err = world
        .vnum
        .record_bank_transfer(unsigned.id, eur("500.00"), day(2026, 3, 5), "RF18 5390")
        .await
        .unwrap_err();
    assert_eq!(err.rule(), Some(rule::R12_1), "{err:?}");

    let acme = company_with_contract(&world, "Acme GmbH").await;
    let entry = world
        .vnum
        .record_bank_transfer(
            acme.id,
            eur("500.00"),
            day(2026, 3, 4),
            " RF18 5390 0754 7034 ",
        )
        .await
        .unwrap();
    assert_eq!(entry.kind, EntryKind::BankTransfer);
    assert_eq!(entry.amount, eur("500.00"));
    assert!(entry.description.contains("RF18 5390 0754 7034"));
    assert!(entry.description.contains("2026-03-04"));
    assert_eq!(world.balance(acme.id).await, eur("500.00"));

    let again = world
        .vnum
        .record_bank_transfer(
            acme.id,
            eur("500.00"),
            day(2026, 3, 4),
            "RF18 5390 0754 7034",
        )
        .await;
    assert!(matches!(again, Err(Error::Conflict(_))), "{again:?}");
    assert_eq!(world.balance(acme.id).await, eur("500.00"));

    world
        .vnum
        .record_bank_transfer(
            acme.id,
            eur("250.00"),
            day(2026, 3, 5),
            "RF18 5390 0754 7035",
        )
        .await
        .unwrap();
    assert_eq!(world.balance(acme.id).await, eur("750.00"));

    let invalid = world
        .vnum
        .record_bank_transfer(acme.id, eur("0.00"), day(2026, 3, 5), "RF18 9")
        .await;
    assert!(
        matches!(&invalid, Err(e) if e.rule() == Some(rule::R12_1)),
        "{invalid:?}"
    );
    let invalid = world
        .vnum
        .record_bank_transfer(acme.id, eur("10.00"), day(2026, 3, 5), "  ")
        .await;
    assert!(
        matches!(&invalid, Err(e) if e.rule() == Some(rule::R12_1)),
        "{invalid:?}"
    );
}

/// Acme's year so far: a top-up and a number in February, in March a transfer, a renewal
/// charge and a late top-up at 23:30 on the 31st, in April (from 00:30 on the 1st) another
/// transfer and another renewal.
async fn acme_through_april(world: &World, offer: &Offer) -> (Customer, NumberRecord, Money) {
    let acme = company_with_contract(world, "Acme GmbH").await;
    world.top_up(acme.id, eur("100.00")).await;
    let number = world.buy(acme.id, offer, 1).await;

    world.set_time(local_hm(TZ, day(2026, 3, 5), 11, 0));
    world
        .vnum
        .record_bank_transfer(acme.id, eur("500.00"), day(2026, 3, 4), "RF-0305")
        .await
        .unwrap();
    world.set_time(local_hm(TZ, day(2026, 3, 20), 9, 0));
    world.vnum.run_renewals().await.unwrap();
    world.set_time(local_hm(TZ, day(2026, 3, 31), 23, 30));
    world.top_up(acme.id, eur("50.00")).await;
    let end_of_march = world.balance(acme.id).await;

    world.set_time(local_hm(TZ, day(2026, 4, 1), 0, 30));
    world
        .vnum
        .record_bank_transfer(acme.id, eur("200.00"), day(2026, 3, 31), "RF-0401")
        .await
        .unwrap();
    world.set_time(local_hm(TZ, day(2026, 4, 20), 9, 0));
    world.vnum.run_renewals().await.unwrap();
    (acme, number, end_of_march)
}

#[tokio::test]
async fn r12_2_reconciliation_statement_closes_on_the_ledger_balance() {
    let (world, offer) = world_on(day(2026, 2, 20)).await;
    let (acme, number, end_of_march) = acme_through_april(&world, &offer).await;
    assert_eq!(end_of_march, eur("630.00"));
    assert_eq!(world.balance(acme.id).await, eur("820.00"));

    let documents = world
        .vnum
        .closing_documents(acme.id, march())
        .await
        .unwrap();
    let statement = &documents.statement;
    assert_eq!(statement.opening(), eur("90.00"));
    assert_eq!(statement.closing(), end_of_march);
    let movements: Vec<Money> = statement.lines().iter().map(|l| l.amount).collect();
    assert_eq!(movements, [eur("500.00"), eur("-10.00"), eur("50.00")]);
    assert!(documents.statement_text.contains("Closing balance"));
    assert!(documents.statement_text.contains(&end_of_march.to_string()));

    let e164 = number.e164().unwrap().clone();
    assert_eq!(documents.invoice.total(), eur("10.00"));
    assert_eq!(documents.invoice.items().len(), 1);
    assert_eq!(documents.invoice.items()[0].number.as_ref(), Some(&e164));
    assert_eq!(documents.act.total(), eur("10.00"));
    assert_eq!(documents.act.sections()[0].number.as_ref(), Some(&e164));
    assert!(documents.act_text.contains(e164.as_str()));
    assert_eq!(documents.invoice.header().customer, "Acme GmbH");
    assert_eq!(documents.invoice.header().provider.name, "vnum Telecom Ltd");
    assert!(documents.invoice_text.contains("vnum Telecom Ltd"));

    // Asking again prints the same document number; another period gets its own.
    let again = world
        .vnum
        .closing_documents(acme.id, march())
        .await
        .unwrap();
    assert_eq!(again.invoice.header().id, documents.invoice.header().id);
    let april = Period::new(day(2026, 4, 1), day(2026, 5, 1)).unwrap();
    let april = world.vnum.closing_documents(acme.id, april).await.unwrap();
    assert_ne!(april.invoice.header().id, documents.invoice.header().id);
    assert_eq!(april.statement.opening(), end_of_march);
    assert_eq!(april.statement.closing(), world.balance(acme.id).await);
}

#[tokio::test]
async fn r4_6_ledger_statistics_total_each_kind_of_entry() {
    let (world, offer) = world_on(day(2026, 2, 20)).await;
    let (acme, _, end_of_march) = acme_through_april(&world, &offer).await;

    let stats = world.vnum.ledger_stats(acme.id, march()).await.unwrap();
    let totals: Vec<(EntryKind, u32, Money)> = stats
        .totals
        .iter()
        .map(|t| (t.kind, t.entries, t.total))
        .collect();
    assert_eq!(
        totals,
        [
            (EntryKind::TopUp, 1, eur("50.00")),
            (EntryKind::BankTransfer, 1, eur("500.00")),
            (EntryKind::Charge, 1, eur("-10.00")),
        ]
    );
    assert_eq!(stats.net, eur("540.00"));
    let opening = world
        .vnum
        .closing_documents(acme.id, march())
        .await
        .unwrap()
        .statement
        .opening();
    assert_eq!(opening.checked_add(stats.net).unwrap(), end_of_march);
}

#[tokio::test]
async fn r4_6_call_statistics_per_number_and_period() {
    let (world, offer) = world_on(day(2026, 3, 1)).await;
    let acme = company_with_contract(&world, "Acme GmbH").await;
    world.top_up(acme.id, eur("100.00")).await;
    let office = world.buy(acme.id, &offer, 1).await;
    let support = world.buy(acme.id, &offer, 1).await;
    let quiet = world.buy(acme.id, &offer, 1).await;

    call(
        &world,
        office.id,
        local_hm(TZ, day(2026, 2, 28), 23, 50),
        Some(30),
    )
    .await;
    call(
        &world,
        office.id,
        local_hm(TZ, day(2026, 3, 3), 10, 0),
        Some(60),
    )
    .await;
    call(
        &world,
        office.id,
        local_hm(TZ, day(2026, 3, 4), 10, 0),
        None,
    )
    .await;
    call(
        &world,
        office.id,
        local_hm(TZ, day(2026, 4, 1), 0, 10),
        Some(90),
    )
    .await;
    call(
        &world,
        support.id,
        local_hm(TZ, day(2026, 3, 31), 23, 50),
        Some(120),
    )
    .await;
    call(
        &world,
        support.id,
        local_hm(TZ, day(2026, 3, 10), 12, 0),
        Some(40),
    )
    .await;

    let view = world.vnum.call_stats(acme.id, march()).await.unwrap();
    let rows: Vec<(NumberId, u32, u32, u32, i64)> = view
        .numbers
        .iter()
        .map(|n| {
            let s = n.stats;
            (n.number, s.calls, s.answered, s.missed, s.talk_seconds)
        })
        .collect();
    assert_eq!(
        rows,
        [
            (office.id, 2, 1, 1, 60),
            (support.id, 2, 2, 0, 160),
            (quiet.id, 0, 0, 0, 0),
        ]
    );
    assert_eq!(view.numbers[0].e164.as_ref(), office.e164());

    let (from, to) = (
        local_hm(TZ, day(2026, 3, 1), 0, 0),
        local_hm(TZ, day(2026, 4, 1), 0, 0),
    );
    let all = PageRequest::first(100);
    let records = world
        .vnum
        .call_records(acme.id, office.id, from, to, all)
        .await
        .unwrap();
    assert_eq!(records.next, None, "everything fits one page");
    let records = records.items;
    // A page of one, then the page after its cursor: the same calls in the same order.
    let first = world
        .vnum
        .call_records(acme.id, office.id, from, to, PageRequest::first(1))
        .await
        .unwrap();
    assert_eq!(first.items, records[..1]);
    let next = first.next.expect("a second call follows");
    let second = world
        .vnum
        .call_records(
            acme.id,
            office.id,
            from,
            to,
            PageRequest::first(1).after(next),
        )
        .await
        .unwrap();
    assert_eq!(second.items, records[1..]);
    assert_eq!(second.next, None);
    let starts: Vec<DateTime<Utc>> = records.iter().map(|r| r.call.start()).collect();
    assert_eq!(
        starts,
        [
            local_hm(TZ, day(2026, 3, 3), 10, 0),
            local_hm(TZ, day(2026, 3, 4), 10, 0)
        ]
    );
    assert_ne!(records[0].call.id(), records[1].call.id());
    assert!(
        records.iter().all(|r| r.cost.is_none()),
        "inbound calls cost nothing"
    );
    assert!(records.iter().all(|r| r.call.id() != CallId(0)));
}

#[tokio::test]
async fn r4_6_another_customers_calls_are_not_found() {
    let (world, offer) = world_on(day(2026, 3, 1)).await;
    let acme = company_with_contract(&world, "Acme GmbH").await;
    world.top_up(acme.id, eur("100.00")).await;
    let office = world.buy(acme.id, &offer, 1).await;
    call(
        &world,
        office.id,
        local_hm(TZ, day(2026, 3, 3), 10, 0),
        Some(60),
    )
    .await;
    let snoop = world
        .register("Snoop Ltd", CustomerKind::Company, Currency::EUR)
        .await;

    let peek = world
        .vnum
        .call_records(
            snoop.id,
            office.id,
            local_hm(TZ, day(2026, 3, 1), 0, 0),
            local_hm(TZ, day(2026, 4, 1), 0, 0),
            PageRequest::first(100),
        )
        .await;
    assert!(matches!(peek, Err(Error::NotFound { .. })), "{peek:?}");
    let stats = world.vnum.call_stats(snoop.id, march()).await.unwrap();
    assert!(stats.numbers.is_empty());

    let unknown = world
        .vnum
        .record_call(
            CallRecordFields {
                id: CallId(0),
                line: CallLine::Number(NumberId(9_999)),
                direction: Direction::Inbound,
                from: "anonymous".into(),
                to: "+4915110000000".into(),
                start: local_hm(TZ, day(2026, 3, 3), 11, 0),
                answer: None,
                end: local_hm(TZ, day(2026, 3, 3), 11, 1),
                disposition: Disposition::Busy,
                answered_by: None,
            },
            None,
        )
        .await;
    assert!(
        matches!(unknown, Err(Error::NotFound { .. })),
        "{unknown:?}"
    );
}

#[tokio::test]
async fn r4_6_a_call_whose_times_contradict_each_other_is_refused() {
    let (world, offer) = world_on(day(2026, 3, 1)).await;
    let acme = company_with_contract(&world, "Acme GmbH").await;
    world.top_up(acme.id, eur("100.00")).await;
    let office = world.buy(acme.id, &offer, 1).await;

    let backwards = world
        .vnum
        .record_call(
            CallRecordFields {
                id: CallId(0),
                line: CallLine::Number(office.id),
                direction: Direction::Inbound,
                from: "+4930123456".into(),
                to: "+4915110000000".into(),
                start: local_hm(TZ, day(2026, 3, 3), 11, 0),
                answer: None,
                end: local_hm(TZ, day(2026, 3, 3), 10, 0),
                disposition: Disposition::NoAnswer,
                answered_by: None,
            },
            None,
        )
        .await;
    assert!(
        matches!(&backwards, Err(e) if e.rule() == Some(rule::R4_6)),
        "{backwards:?}"
    );
    let stats = world.vnum.call_stats(acme.id, march()).await.unwrap();
    assert_eq!(stats.numbers[0].stats.calls, 0);
}

#[tokio::test]
async fn r4_6_a_call_reported_twice_under_its_reference_is_counted_once() {
    let (world, offer) = world_on(day(2026, 3, 1)).await;
    let acme = company_with_contract(&world, "Acme GmbH").await;
    world.top_up(acme.id, eur("100.00")).await;
    let office = world.buy(acme.id, &offer, 1).await;
    let report = |minute| CallRecordFields {
        id: CallId(0),
        line: CallLine::Number(office.id),
        direction: Direction::Inbound,
        from: "+4930123456".into(),
        to: "+4915110000000".into(),
        start: local_hm(TZ, day(2026, 3, 3), 11, minute),
        answer: None,
        end: local_hm(TZ, day(2026, 3, 3), 11, minute + 1),
        disposition: Disposition::NoAnswer,
        answered_by: None,
    };

    let first = world
        .vnum
        .record_call(report(0), Some("a84b4c76e66710@pbx"))
        .await
        .unwrap();
    assert!(!first.replayed);
    // The engine lost the answer and sends the same report again.
    let again = world
        .vnum
        .record_call(report(0), Some("a84b4c76e66710@pbx"))
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!(again.call, first.call);
    // The same reference for another call is a mistake, not a replay.
    let other = world
        .vnum
        .record_call(report(5), Some("a84b4c76e66710@pbx"))
        .await;
    assert!(matches!(other, Err(Error::Conflict(_))), "{other:?}");
    let stats = world.vnum.call_stats(acme.id, march()).await.unwrap();
    assert_eq!(stats.numbers[0].stats.calls, 1);

    // The same call reported again as answered describes it better: it replaces the
    // first report, under its id, and is still counted once.
    let answered = CallRecordFields {
        answer: Some(local_hm(TZ, day(2026, 3, 3), 11, 0)),
        disposition: Disposition::Answered,
        answered_by: Some("sip:desk@sip.vnum.example".into()),
        ..report(0)
    };
    let better = world
        .vnum
        .record_call(answered, Some("a84b4c76e66710@pbx"))
        .await
        .unwrap();
    assert!(!better.replayed);
    assert_eq!(better.call.id(), first.call.id());
    assert_eq!(better.call.disposition(), Disposition::Answered);
    // A late copy of the missed report changes nothing, and is not an error.
    let late = world
        .vnum
        .record_call(report(0), Some("a84b4c76e66710@pbx"))
        .await
        .unwrap();
    assert!(late.replayed);
    assert_eq!(late.call, better.call);
    let stats = world.vnum.call_stats(acme.id, march()).await.unwrap();
    assert_eq!(stats.numbers[0].stats.calls, 1);
    assert_eq!(stats.numbers[0].stats.answered, 1);
}

#[tokio::test]
async fn r4_6_a_batch_of_reports_is_stored_together_and_each_report_answered_on_its_own() {
    let (world, offer) = world_on(day(2026, 3, 1)).await;
    let acme = company_with_contract(&world, "Acme GmbH").await;
    world.top_up(acme.id, eur("100.00")).await;
    let office = world.buy(acme.id, &offer, 1).await;
    let report = |line, minute| CallRecordFields {
        id: CallId(0),
        line,
        direction: Direction::Inbound,
        from: "+4930123456".into(),
        to: "+4915110000000".into(),
        start: local_hm(TZ, day(2026, 3, 3), 11, minute),
        answer: None,
        end: local_hm(TZ, day(2026, 3, 3), 11, minute + 1),
        disposition: Disposition::NoAnswer,
        answered_by: None,
    };
    let line = CallLine::Number(office.id);
    let stored = world
        .vnum
        .record_call(report(line, 0), Some("first@pbx"))
        .await
        .unwrap();
    let backwards = CallRecordFields {
        end: local_hm(TZ, day(2026, 3, 3), 10, 0),
        ..report(line, 20)
    };
    let answered = CallRecordFields {
        answer: Some(local_hm(TZ, day(2026, 3, 3), 11, 30)),
        disposition: Disposition::Answered,
        ..report(line, 30)
    };

    let outcomes = world
        .vnum
        .record_calls(vec![
            (report(line, 0), "first@pbx".into()),
            (report(line, 10), "second@pbx".into()),
            (
                report(CallLine::Number(NumberId(999_999)), 15),
                "unknown@pbx".into(),
            ),
            (backwards, "backwards@pbx".into()),
            (report(line, 5), "first@pbx".into()),
            (report(line, 30), "third@pbx".into()),
            // The same call again in the same batch, better described: it replaces the
            // report before it.
            (answered, "third@pbx".into()),
        ])
        .await
        .unwrap();
    assert_eq!(outcomes.len(), 7);
    let replay = outcomes[0].as_ref().unwrap();
    assert!(replay.replayed);
    assert_eq!(replay.call, stored.call);
    assert!(!outcomes[1].as_ref().unwrap().replayed);
    assert!(
        matches!(&outcomes[2], Err(Error::NotFound { .. })),
        "{:?}",
        outcomes[2]
    );
    assert!(
        matches!(&outcomes[3], Err(e) if e.rule() == Some(rule::R4_6)),
        "{:?}",
        outcomes[3]
    );
    // A reference of another call is refused, the rest of the batch stands.
    assert!(
        matches!(&outcomes[4], Err(Error::Conflict(_))),
        "{:?}",
        outcomes[4]
    );
    let third = outcomes[5].as_ref().unwrap();
    let better = outcomes[6].as_ref().unwrap();
    assert_eq!(better.call.id(), third.call.id());
    assert_eq!(better.call.disposition(), Disposition::Answered);

    let stats = world.vnum.call_stats(acme.id, march()).await.unwrap();
    assert_eq!(stats.numbers[0].stats.calls, 3, "first, second and third");
    assert_eq!(stats.numbers[0].stats.answered, 1);
}
