//! The repositories beyond customers, the ledger and numbers: one contract test each, with
//! a round trip and every conflict the port names.

use std::collections::BTreeMap;

use chrono::Duration;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use rust_decimal_macros::dec;
use vnum_accounts::{ContractDetails, ContractForm};
use vnum_app::model::{
    NewContract, NewPayment, NumberSms, OrderChoice, OrderLineRecord, OrderRecord, PageRequest,
    PaymentRecord, ReceivedSms, RecordingOrderRecord, SipAccountRecord, SmsAllocationRecord,
    StockState,
};
use vnum_app::ports::{Store, StoreError};
use vnum_billing::PaymentStatus;
use vnum_calls::{
    CallLine, CallRecord, CallRecordFields, DialPrefix, Direction, Disposition, Increments, Rate,
    SipAccount, SipLogin,
};
use vnum_compliance::{Document, DocumentKind, ReviewEvent};
use vnum_core::{
    AgreementId, CallId, CountryCode, Currency, CustomerId, DocumentId, Money, NumberId, OfferId,
    OrderId, PaymentId, Period, PhoneNumber, PrepaidTerm, SipAccountId,
};
use vnum_discounts::{BulkAgreement, Percent};
use vnum_lifecycle::{NumberKind, Offer, OfferTerms, Trial, Waitlist, WaitlistState, Wanted};
use vnum_sms::{Service, SmsEvent, SmsPool};
use vnum_testkit::{at, country, day, eur, phone};

use super::common::billed_number;
use super::{commit_customer, commit_numbers, e164, february_20};
use vnum_app::ports::Invariant;
use vnum_app::testing::mobile_offer;

/// The `i`th number of the suite's German range.
fn nth(i: usize) -> PhoneNumber {
    phone(&e164(i))
}

pub(crate) fn mobile_terms() -> OfferTerms {
    OfferTerms {
        caller_id_monthly: Some(eur(dec!(1))),
        trial_allowed: true,
        ..mobile_offer(country("DE"), eur(dec!(9.99)))
    }
}

pub(crate) async fn numbers_keep_their_whole_record_and_the_renewed_paid_through(
    store: &dyn Store,
) {
    let ada = commit_customer(store, "ada@example.com").await;
    let mut number = billed_number(ada, &e164(1), 20, day(2026, 2, 20), dec!(9.99));
    number.wanted = Some(nth(1));
    number.first_term = PrepaidTerm::ThreeMonths;
    number.settings.caller_id = true;
    let stored = commit_numbers(store, vec![number.clone()]).await.remove(0);
    assert_eq!(
        stored,
        vnum_app::model::NumberRecord {
            id: stored.id,
            version: 1,
            ..number
        }
    );

    let mut tx = store.begin().await.unwrap();
    tx.charge_due(&february_20(10)).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let renewed = tx.number(stored.id).await.unwrap().unwrap();
    assert_eq!(
        renewed.billing.as_ref().map(|b| b.paid_through),
        Some(day(2026, 3, 20)),
        "the renewal run's paid_through is what a read shows (R10.2)"
    );
    assert_eq!(renewed.settings, stored.settings);
    assert_eq!(renewed.first_term, PrepaidTerm::ThreeMonths);
    // The renewal bumped the version: an update from the old copy is stale.
    assert!(matches!(
        tx.update_number(stored).await,
        Err(StoreError::Stale { .. })
    ));
    tx.update_number(renewed).await.unwrap();
}

pub(crate) async fn offers_round_trip_and_stock_e164_is_unique(store: &dyn Store) {
    let mut tx = store.begin().await.unwrap();
    let offer = tx.insert_offer(mobile_terms()).await.unwrap();
    let other = tx.insert_offer(mobile_terms()).await.unwrap();
    assert_ne!(offer.id(), other.id());
    let unlisted = Offer::new(OfferTerms {
        listed: false,
        ..offer.terms().clone()
    })
    .unwrap();
    tx.update_offer(unlisted.clone()).await.unwrap();
    let missing = Offer::new(OfferTerms {
        id: OfferId(other.id().get() + 1000),
        ..mobile_terms()
    })
    .unwrap();
    assert!(matches!(
        tx.update_offer(missing).await,
        Err(StoreError::Stale { what: "offer", .. })
    ));
    tx.add_stock(offer.id(), &[nth(2), nth(1)]).await.unwrap();
    assert_eq!(
        tx.add_stock(other.id(), &[nth(1)]).await,
        Err(StoreError::Conflict {
            what: Invariant::StockE164
        })
    );
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.offer(offer.id()).await.unwrap(), Some(unlisted.clone()));
    assert_eq!(tx.offers().await.unwrap(), vec![unlisted, other.clone()]);
    let stock = tx.stock(offer.id()).await.unwrap();
    assert_eq!(
        stock.iter().map(|s| s.e164.clone()).collect::<Vec<_>>(),
        vec![nth(1), nth(2)]
    );
    assert!(stock.iter().all(|s| s.state == StockState::Available));
    assert_eq!(tx.stock(other.id()).await.unwrap(), vec![]);
    tx.move_stock(&nth(1), StockState::Available, StockState::OnTrial)
        .await
        .unwrap();
    assert!(matches!(
        tx.move_stock(&nth(1), StockState::Available, StockState::Taken)
            .await,
        Err(StoreError::Stale { .. })
    ));
    let lent = tx.stock_number(&nth(1)).await.unwrap().unwrap();
    assert_eq!(lent.state, StockState::OnTrial);
    assert_eq!(tx.stock_number(&nth(9)).await.unwrap(), None);
}

pub(crate) async fn r3_d1_documents_are_stored_reviewed_and_queued(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let uploaded = at(day(2026, 1, 3), 3);
    let mut tx = store.begin().await.unwrap();
    let passport = tx
        .insert_document(Document::upload(
            DocumentId(0),
            ada,
            DocumentKind::PassportOrId,
            uploaded,
        ))
        .await
        .unwrap();
    let address = tx
        .insert_document(Document::upload(
            DocumentId(0),
            ada,
            DocumentKind::ProofOfAddress,
            uploaded,
        ))
        .await
        .unwrap();
    assert_ne!(passport.id(), address.id());
    let accepted = passport
        .review(ReviewEvent::Accept {
            at: at(day(2026, 1, 4), 3),
        })
        .unwrap();
    tx.update_document(&accepted).await.unwrap();
    let missing = accepted
        .clone()
        .with_id(DocumentId(address.id().get() + 1000));
    assert!(matches!(
        tx.update_document(&missing).await,
        Err(StoreError::Stale {
            what: "document",
            ..
        })
    ));
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.document(passport.id()).await.unwrap(),
        Some(accepted.clone())
    );
    assert_eq!(tx.pending_documents().await.unwrap(), vec![address.clone()]);
    assert_eq!(tx.documents_of(ada).await.unwrap(), vec![accepted, address]);
}

pub(crate) async fn r1_4_orders_round_trip_by_customer(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let order = OrderRecord {
        id: OrderId(0),
        customer: ada,
        placed_at: at(day(2026, 1, 3), 3),
        lines: vec![OrderLineRecord {
            offer: OfferId(1),
            quantity: 2,
            term: PrepaidTerm::SixMonths,
            choice: OrderChoice::Manual(nth(1)),
            total: eur(dec!(59.94)),
        }],
        total: eur(dec!(59.94)),
        numbers: vec![NumberId(3), NumberId(4)],
        idempotency_key: None,
    };
    let mut tx = store.begin().await.unwrap();
    let first = tx.insert_order(order.clone()).await.unwrap();
    let second = tx.insert_order(order.clone()).await.unwrap();
    assert_ne!(first.id, second.id);
    assert_eq!(
        first,
        OrderRecord {
            id: first.id,
            ..order
        }
    );
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.order(first.id).await.unwrap(), Some(first.clone()));
    assert_eq!(tx.orders_of(ada).await.unwrap(), vec![first, second]);
    assert_eq!(
        tx.orders_of(CustomerId(ada.get() + 1000)).await.unwrap(),
        vec![]
    );
}

pub(crate) async fn r11_2_one_agreement_per_customer_replaced_in_place(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let agreement = |min_quantity| {
        BulkAgreement::new(
            AgreementId(0),
            ada,
            min_quantity,
            BTreeMap::from([(country("DE"), Percent::new(dec!(10)).unwrap())]),
            None,
        )
        .unwrap()
    };
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.agreement_of(ada).await.unwrap(), None);
    let first = tx.put_agreement(agreement(10)).await.unwrap();
    assert_ne!(first.id().get(), 0);
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let replaced = tx.put_agreement(agreement(50)).await.unwrap();
    assert_eq!(
        replaced.id(),
        first.id(),
        "replacing keeps the agreement's id"
    );
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.agreement_of(ada).await.unwrap(), Some(replaced));
}

fn sip_account(owner: CustomerId, login: &str, seed: u64) -> SipAccountRecord {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (account, _password) = SipAccount::issue(
        owner,
        &[NumberId(1)],
        SipLogin::parse(login).unwrap(),
        "sip.example.com",
        &mut rng,
    )
    .unwrap();
    SipAccountRecord {
        id: SipAccountId(0),
        account,
        presents: None,
    }
}

pub(crate) async fn r5_1_sip_login_is_unique(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let bob = commit_customer(store, "bob@example.com").await;
    let mut tx = store.begin().await.unwrap();
    let office = tx
        .insert_sip_account(sip_account(ada, "ada-office", 1))
        .await
        .unwrap();
    assert_eq!(
        tx.insert_sip_account(sip_account(bob, "ada-office", 2))
            .await,
        Err(StoreError::Conflict {
            what: Invariant::SipLogin
        })
    );
    let phone_account = tx
        .insert_sip_account(sip_account(ada, "ada-phone", 3))
        .await
        .unwrap();
    let presenting = SipAccountRecord {
        presents: Some(NumberId(7)),
        ..office.clone()
    };
    tx.update_sip_account(&presenting).await.unwrap();
    let missing = SipAccountRecord {
        id: SipAccountId(phone_account.id.get() + 1000),
        ..sip_account(ada, "nobody", 4)
    };
    assert!(matches!(
        tx.update_sip_account(&missing).await,
        Err(StoreError::Stale { .. })
    ));
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.sip_account(office.id).await.unwrap(),
        Some(presenting.clone())
    );
    assert_eq!(
        tx.sip_account_by_login("ada-phone").await.unwrap(),
        Some(phone_account.clone())
    );
    assert_eq!(tx.sip_account_by_login("nobody").await.unwrap(), None);
    assert_eq!(
        tx.sip_accounts_of(ada).await.unwrap(),
        vec![presenting, phone_account]
    );
    assert_eq!(tx.sip_accounts_of(bob).await.unwrap(), vec![]);
}

fn call(number: NumberId, start_minute: i64) -> CallRecord {
    let start = at(day(2026, 1, 10), 3) + Duration::minutes(start_minute);
    CallRecord::new(CallRecordFields {
        id: CallId(0),
        line: CallLine::Number(number),
        direction: Direction::Inbound,
        from: "+4915112345678".into(),
        to: e164(1),
        start,
        answer: Some(start + Duration::seconds(5)),
        end: start + Duration::seconds(65),
        disposition: Disposition::Answered,
        answered_by: Some("ada-office".into()),
    })
    .unwrap()
}

pub(crate) async fn r4_6_calls_are_found_by_number_and_start(store: &dyn Store) {
    let (one, two, three) = (NumberId(1), NumberId(2), NumberId(3));
    let mut tx = store.begin().await.unwrap();
    let late = tx.insert_call(call(one, 30), Some("a@pbx")).await.unwrap();
    let early = tx.insert_call(call(two, 10), None).await.unwrap();
    let other = tx.insert_call(call(three, 20), None).await.unwrap();
    let outside = tx.insert_call(call(one, 120), Some("b@pbx")).await.unwrap();
    assert_ne!(late.id(), early.id());
    tx.commit().await.unwrap();

    let from = at(day(2026, 1, 10), 3);
    let to = from + Duration::minutes(60);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.calls(&[one, two], from, to).await.unwrap(),
        vec![early, late.clone()],
        "oldest first, within [from, to), only the numbers asked for"
    );
    assert_eq!(tx.calls(&[three], from, to).await.unwrap(), vec![other]);
    assert_eq!(
        tx.calls(&[one], to, to + Duration::minutes(120))
            .await
            .unwrap(),
        vec![outside.clone()]
    );
    assert_eq!(tx.calls(&[], from, to).await.unwrap(), vec![]);

    // A reference names one call; calls without one never conflict.
    assert_eq!(
        tx.call_by_reference("a@pbx").await.unwrap(),
        Some(late.clone())
    );
    assert_eq!(tx.call_by_reference("c@pbx").await.unwrap(), None);
    // Many references in one read: those that name a call, each with its call.
    let mut found = tx
        .calls_by_references(&["b@pbx", "c@pbx", "a@pbx"])
        .await
        .unwrap();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        found,
        vec![
            ("a@pbx".to_owned(), late.clone()),
            ("b@pbx".to_owned(), outside.clone())
        ]
    );
    assert_eq!(tx.calls_by_references(&[]).await.unwrap(), vec![]);
    assert_eq!(
        tx.insert_call(call(two, 40), Some("a@pbx")).await,
        Err(StoreError::Conflict {
            what: Invariant::CallReference
        })
    );
    tx.insert_call(call(two, 50), None).await.unwrap();
    assert_eq!(
        tx.calls(&[one], from, to).await.unwrap(),
        vec![late.clone()]
    );

    // A better report of a stored call replaces it under its id and keeps its reference.
    let better = CallRecord::new(CallRecordFields {
        id: late.id(),
        line: CallLine::Number(one),
        direction: Direction::Inbound,
        from: "+4915112345678".into(),
        to: e164(1),
        start: late.start(),
        answer: late.answer(),
        end: late.end() + Duration::seconds(30),
        disposition: Disposition::Answered,
        answered_by: Some("ada-office".into()),
    })
    .unwrap();
    tx.update_call(&better).await.unwrap();
    assert_eq!(
        tx.calls(&[one], from, to).await.unwrap(),
        vec![better.clone()]
    );
    assert_eq!(tx.call_by_reference("a@pbx").await.unwrap(), Some(better));
    let missing = call(one, 31).with_id(CallId(987_654));
    assert_eq!(
        tx.update_call(&missing).await,
        Err(StoreError::Stale {
            what: "call",
            id: 987_654
        })
    );
}

pub(crate) async fn r4_6_a_call_log_records_calls_alone_and_reads_stay_true(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let number = commit_numbers(
        store,
        vec![billed_number(
            ada,
            &e164(1),
            20,
            day(2026, 2, 20),
            dec!(9.99),
        )],
    )
    .await
    .remove(0);
    // Read twice, so that a store with a read cache holds it.
    for _ in 0..2 {
        let mut reader = store.read().await.unwrap();
        assert_eq!(
            reader.number(number.id).await.unwrap(),
            Some(number.clone())
        );
    }

    // Dropped without commit: nothing was recorded.
    {
        let mut log = store.call_log().await.unwrap();
        assert_eq!(
            log.owner(CallLine::Number(number.id)).await.unwrap(),
            Some(number.customer)
        );
        assert_eq!(
            log.owner(CallLine::Number(NumberId(999))).await.unwrap(),
            None
        );
        log.insert_call(call(number.id, 1), Some("dropped@pbx"))
            .await
            .unwrap();
    }
    let mut reader = store.read().await.unwrap();
    assert_eq!(reader.call_by_reference("dropped@pbx").await.unwrap(), None);
    drop(reader);

    let mut log = store.call_log().await.unwrap();
    let recorded = log
        .insert_call(call(number.id, 2), Some("kept@pbx"))
        .await
        .unwrap();
    assert_eq!(
        log.insert_call(call(number.id, 3), Some("kept@pbx")).await,
        Err(StoreError::Conflict {
            what: Invariant::CallReference
        })
    );
    log.commit().await.unwrap();
    let mut reader = store.read().await.unwrap();
    assert_eq!(
        reader.call_by_reference("kept@pbx").await.unwrap(),
        Some(recorded.clone())
    );
    let (from, to) = (at(day(2026, 1, 1), 3), at(day(2026, 2, 1), 3));
    assert_eq!(
        reader.calls(&[number.id], from, to).await.unwrap(),
        vec![recorded]
    );
    assert_eq!(
        reader.number(number.id).await.unwrap(),
        Some(number.clone())
    );
    drop(reader);

    // A whole unit of work after it still moves what readers see.
    let mut tx = store.begin().await.unwrap();
    let mut changed = number.clone();
    changed.settings.caller_id = true;
    let changed = tx.update_number(changed).await.unwrap();
    tx.commit().await.unwrap();
    let mut reader = store.read().await.unwrap();
    assert_eq!(reader.number(number.id).await.unwrap(), Some(changed));
}

fn contract_details() -> ContractDetails {
    ContractDetails::validate(&ContractForm {
        company_name: "Acme GmbH".into(),
        address: "Unter den Linden 1, 10117 Berlin".into(),
        iban: "DE89 3704 0044 0532 0130 00".into(),
        bic: "cobadeffxxx".into(),
        signatory_position: "Managing Director".into(),
        signatory_name: "Erika Mustermann".into(),
        ..ContractForm::default()
    })
    .unwrap()
}

pub(crate) async fn r12_1_signing_again_supersedes_the_active_contract(store: &dyn Store) {
    let acme = commit_customer(store, "acme@example.com").await;
    let signed = |d| NewContract {
        customer: acme,
        details: contract_details(),
        signed_at: at(day(2026, 1, d), 3),
    };
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.active_contract(acme).await.unwrap(), None);
    let first = tx.sign_contract(signed(5)).await.unwrap();
    assert_eq!(first.version, 1);
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let second = tx.sign_contract(signed(9)).await.unwrap();
    assert_eq!(second.version, 2);
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.active_contract(acme).await.unwrap(),
        Some(second.clone())
    );
    let superseded = vnum_app::model::ContractRecord {
        superseded_at: Some(at(day(2026, 1, 9), 3)),
        ..first
    };
    assert_eq!(
        tx.contracts_of(acme).await.unwrap(),
        vec![superseded, second]
    );
}

pub(crate) async fn r4_6_a_customers_calls_are_found_by_customer_and_start(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let bob = commit_customer(store, "bob@example.com").await;
    let numbers = commit_numbers(
        store,
        (1..=3)
            .map(|i| {
                let owner = if i == 3 { bob } else { ada };
                billed_number(owner, &e164(i), 20, day(2026, 1, 20), dec!(9.99))
            })
            .collect(),
    )
    .await;
    let mut tx = store.begin().await.unwrap();
    let late = tx.insert_call(call(numbers[0].id, 30), None).await.unwrap();
    let early = tx.insert_call(call(numbers[1].id, 10), None).await.unwrap();
    let bobs = tx.insert_call(call(numbers[2].id, 20), None).await.unwrap();
    let outside = tx
        .insert_call(call(numbers[0].id, 120), None)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let from = at(day(2026, 1, 10), 3);
    let to = from + Duration::minutes(60);
    let mut tx = store.read().await.unwrap();
    assert_eq!(
        tx.customer_calls(ada, from, to).await.unwrap(),
        vec![early, late],
        "oldest first, within [from, to), every number of the customer and no other's"
    );
    assert_eq!(tx.customer_calls(bob, from, to).await.unwrap(), vec![bobs]);
    assert_eq!(
        tx.customer_calls(ada, to, to + Duration::minutes(120))
            .await
            .unwrap(),
        vec![outside]
    );
}

pub(crate) async fn r12_2_one_closing_document_number_per_customer_and_period(store: &dyn Store) {
    // Numbers are computed now; the store only answers those issued before, and asking
    // issues none.
    let acme = commit_customer(store, "acme@example.com").await;
    let january = Period::new(day(2026, 1, 1), day(2026, 2, 1)).unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(
        tx.closing_document_number(acme, january).await.unwrap(),
        None
    );
    assert_eq!(
        tx.closing_document_number(acme, january).await.unwrap(),
        None,
        "asking issues no number"
    );
}

pub(crate) async fn r8_d1_one_trial_at_a_time_and_a_number_goes_back_once(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let mut tx = store.begin().await.unwrap();
    let offer = tx.insert_offer(mobile_terms()).await.unwrap();
    let start = at(day(2026, 1, 10), 3);
    let first = Trial::start(
        tx.next_trial_id().await.unwrap(),
        ada,
        &offer,
        nth(1),
        start,
        [],
    )
    .unwrap();
    let stored = tx.insert_trial(&first).await.unwrap();
    assert_eq!(stored.returned_at, None);
    // Another number in the same hour: the use case would refuse it; storage does too.
    let overlapping = Trial::start(
        tx.next_trial_id().await.unwrap(),
        ada,
        &offer,
        nth(2),
        start + Duration::minutes(30),
        [],
    )
    .unwrap();
    assert_eq!(
        tx.insert_trial(&overlapping).await,
        Err(StoreError::Conflict {
            what: Invariant::TrialActive
        })
    );
    assert_eq!(
        tx.insert_trial(&first).await,
        Err(StoreError::Conflict {
            what: Invariant::TrialId
        })
    );
    tx.commit().await.unwrap();

    // Where the running test rings is saved with it (R8 Decision), and read back.
    let mut forwarded = first.clone();
    let plan = vnum_calls::ForwardingPlan::single(
        vnum_calls::ForwardingTarget::parse("203.0.113.5:5060").unwrap(),
    );
    forwarded
        .forward(Some(plan), start + Duration::minutes(5))
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    let saved = tx.update_trial(&forwarded).await.unwrap();
    assert_eq!(saved.trial, forwarded);
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let read = tx.latest_trial_of_number(&nth(1)).await.unwrap().unwrap();
    assert_eq!(read.trial.forwarding(), forwarded.forwarding());
    drop(tx);
    let stored = saved;

    let back = start + Duration::minutes(61);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.unreturned_trials().await.unwrap(), vec![stored.clone()]);
    let returned = tx.mark_trial_returned(first.id(), back).await.unwrap();
    // A test whose number went back is not changed any more.
    assert_eq!(
        tx.update_trial(&forwarded).await,
        Err(StoreError::Stale {
            what: "trial",
            id: first.id().get()
        })
    );
    assert_eq!(returned.returned_at, Some(back));
    assert_eq!(
        tx.mark_trial_returned(first.id(), back).await,
        Err(StoreError::Stale {
            what: "trial",
            id: first.id().get()
        })
    );
    let later = Trial::start(
        tx.next_trial_id().await.unwrap(),
        ada,
        &offer,
        nth(1),
        start + Duration::hours(2),
        [&first],
    )
    .unwrap();
    tx.insert_trial(&later).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.unreturned_trials().await.unwrap().len(), 1);
    let latest = tx.latest_trial_of_number(&nth(1)).await.unwrap().unwrap();
    assert_eq!(latest.trial, later);
    assert_eq!(latest.trial.forwarding(), None);
    assert_eq!(tx.latest_trial_of_number(&nth(2)).await.unwrap(), None);
    let of_ada = tx.trials_of(ada).await.unwrap();
    assert_eq!(of_ada.len(), 2);
    assert_eq!(of_ada[0], returned);
}

fn allocation_record(
    service: &str,
    id: vnum_core::SmsAllocationId,
    customer: CustomerId,
    minute: i64,
) -> SmsAllocationRecord {
    let mut pool = SmsPool::new(Service::new(service).unwrap());
    pool.add(nth(1)).unwrap();
    let allocation = pool
        .allocate(
            id,
            customer,
            eur(dec!(0.50)),
            at(day(2026, 1, 10), 3) + Duration::minutes(minute),
            Duration::minutes(20),
        )
        .unwrap();
    SmsAllocationRecord {
        allocation,
        offer: OfferId(5),
        message: None,
    }
}

pub(crate) async fn r9_2_one_allocation_per_number_and_service_and_one_waiting_per_number(
    store: &dyn Store,
) {
    let ada = commit_customer(store, "ada@example.com").await;
    let mut tx = store.begin().await.unwrap();
    let id = tx.next_sms_allocation_id().await.unwrap();
    let telegram = tx
        .insert_sms_allocation(allocation_record("telegram", id, ada, 0))
        .await
        .unwrap();
    let id = tx.next_sms_allocation_id().await.unwrap();
    let whatsapp = allocation_record("whatsapp", id, ada, 5);
    assert_eq!(
        tx.insert_sms_allocation(whatsapp.clone()).await,
        Err(StoreError::Conflict {
            what: Invariant::SmsNumberBusy
        })
    );
    let received_at = at(day(2026, 1, 10), 3) + Duration::minutes(3);
    let used = telegram
        .allocation
        .apply(SmsEvent::Received { at: received_at })
        .unwrap();
    let message = ReceivedSms {
        from: "Telegram".into(),
        text: "Your code is 12345".into(),
        at: received_at,
    };
    let ended = tx
        .end_sms_allocation(&used, Some(message.clone()))
        .await
        .unwrap();
    assert_eq!(ended.message, Some(message));
    assert_eq!(ended.offer, telegram.offer);
    assert!(matches!(
        tx.end_sms_allocation(&used, None).await,
        Err(StoreError::Stale { .. })
    ));
    assert!(
        matches!(
            tx.end_sms_allocation(&telegram.allocation, None).await,
            Err(StoreError::Stale { .. })
        ),
        "a waiting allocation does not end anything"
    );
    let id = tx.next_sms_allocation_id().await.unwrap();
    assert_eq!(
        tx.insert_sms_allocation(allocation_record("Telegram", id, ada, 10))
            .await,
        Err(StoreError::Conflict {
            what: Invariant::SmsAllocation
        }),
        "a number is never issued twice for one service (R9.2)"
    );
    let whatsapp = tx.insert_sms_allocation(whatsapp).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let service = Service::new("telegram").unwrap();
    assert_eq!(tx.issued_for(&service).await.unwrap(), vec![nth(1)]);
    assert_eq!(
        tx.waiting_sms_allocations().await.unwrap(),
        vec![whatsapp.clone()]
    );
    assert_eq!(
        tx.latest_sms_allocation(&nth(1)).await.unwrap(),
        Some(whatsapp.clone())
    );
    assert_eq!(tx.latest_sms_allocation(&nth(2)).await.unwrap(), None);
    assert_eq!(
        tx.sms_allocations_of(ada).await.unwrap(),
        vec![ended, whatsapp]
    );
}

pub(crate) async fn r7_1_a_join_reads_and_writes_the_customers_own_entries(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let bob = commit_customer(store, "bob@example.com").await;
    let wanted = |kind| Wanted {
        country: country("DE"),
        city: None,
        kind: Some(kind),
    };
    let mut tx = store.begin().await.unwrap();
    let mut joined = Vec::new();
    for (customer, kind, day_of_month) in [
        (ada, NumberKind::Mobile, 3),
        (bob, NumberKind::Mobile, 4),
        (ada, NumberKind::Landline, 5),
    ] {
        let mut own = tx
            .waiting_entries_of(country("DE"), customer)
            .await
            .unwrap();
        let id = tx.next_waitlist_entry_id().await.unwrap();
        let entry = own
            .join(
                id,
                customer,
                wanted(kind),
                at(day(2026, 1, day_of_month), 3),
            )
            .unwrap()
            .clone();
        tx.insert_waitlist_entry(&entry).await.unwrap();
        joined.push(entry);
    }
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let adas: Vec<_> = tx
        .waiting_entries_of(country("DE"), ada)
        .await
        .unwrap()
        .entries()
        .cloned()
        .collect();
    assert_eq!(adas, vec![joined[0].clone(), joined[2].clone()]);
    assert_eq!(
        tx.waiting_entries_of(CountryCode::parse("FR").unwrap(), ada)
            .await
            .unwrap(),
        Waitlist::new()
    );
    // The country's waitlist holds every entry, in the order they joined.
    assert_eq!(
        tx.waitlist(country("DE"))
            .await
            .unwrap()
            .entries()
            .cloned()
            .collect::<Vec<_>>(),
        joined
    );
    // A cancelled entry is no longer one the customer waits with.
    let mut waitlist = tx.waitlist(country("DE")).await.unwrap();
    waitlist
        .cancel(joined[0].id(), at(day(2026, 1, 6), 3))
        .unwrap();
    tx.save_waitlist(country("DE"), &waitlist).await.unwrap();
    let adas: Vec<_> = tx
        .waiting_entries_of(country("DE"), ada)
        .await
        .unwrap()
        .entries()
        .cloned()
        .collect();
    assert_eq!(adas, vec![joined[2].clone()]);
}

pub(crate) async fn r7_1_a_waitlist_entry_closes_once(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let bob = commit_customer(store, "bob@example.com").await;
    let wanted = Wanted {
        country: country("DE"),
        city: None,
        kind: Some(NumberKind::Mobile),
    };
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.waitlist(country("DE")).await.unwrap(), Waitlist::new());
    let mut waitlist = Waitlist::new();
    let first = tx.next_waitlist_entry_id().await.unwrap();
    waitlist
        .join(first, ada, wanted.clone(), at(day(2026, 1, 3), 3))
        .unwrap();
    let second = tx.next_waitlist_entry_id().await.unwrap();
    waitlist
        .join(second, bob, wanted.clone(), at(day(2026, 1, 4), 3))
        .unwrap();
    tx.save_waitlist(country("DE"), &waitlist).await.unwrap();
    let france = CountryCode::parse("FR").unwrap();
    assert_eq!(
        tx.save_waitlist(france, &waitlist).await,
        Err(StoreError::Conflict {
            what: Invariant::WaitlistCountry
        })
    );
    tx.commit().await.unwrap();

    // Two runs read the same waiting entry; the first to save closes it.
    let mut tx = store.begin().await.unwrap();
    let read = tx.waitlist(country("DE")).await.unwrap();
    assert_eq!(read, waitlist);
    let mut fulfilled = read.clone();
    fulfilled.fulfil(first, at(day(2026, 1, 5), 3)).unwrap();
    tx.save_waitlist(country("DE"), &fulfilled).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let mut cancelled = read;
    cancelled.cancel(first, at(day(2026, 1, 6), 3)).unwrap();
    assert_eq!(
        tx.save_waitlist(country("DE"), &cancelled).await,
        Err(StoreError::Conflict {
            what: Invariant::WaitlistEntryClosed
        })
    );
    assert_eq!(tx.waitlist(country("DE")).await.unwrap(), fulfilled);
    let entry = tx.waitlist_entry(first).await.unwrap().unwrap();
    assert!(matches!(entry.state(), WaitlistState::Fulfilled { .. }));
    assert_eq!(
        tx.waitlist_entries_of(bob)
            .await
            .unwrap()
            .iter()
            .map(|e| e.id())
            .collect::<Vec<_>>(),
        vec![second]
    );
    assert_eq!(tx.waitlist(france).await.unwrap(), Waitlist::new());
}

fn new_payment(customer: CustomerId, key: &str, cents: i64) -> NewPayment {
    NewPayment {
        customer,
        amount: eur(rust_decimal::Decimal::new(cents, 2)),
        idempotency_key: key.to_owned(),
        created_at: at(day(2026, 1, 5), 3),
    }
}

fn settled(payment: &PaymentRecord, status: PaymentStatus, event: &str) -> PaymentRecord {
    let at = Some(at(day(2026, 1, 6), 3));
    PaymentRecord {
        status,
        confirmed_at: (status == PaymentStatus::Confirmed).then_some(at).flatten(),
        failed_at: (status == PaymentStatus::Failed).then_some(at).flatten(),
        provider_event: Some(event.to_owned()),
        ..payment.clone()
    }
}

pub(crate) async fn r1_d1_payments_are_keyed_per_customer_and_settle_once(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let bob = commit_customer(store, "bob@example.com").await;
    let mut tx = store.begin().await.unwrap();
    let first = tx
        .insert_payment(new_payment(ada, "k1", 1000))
        .await
        .unwrap();
    assert_eq!(first, new_payment(ada, "k1", 1000).stored_as(first.id));
    assert_eq!(first.status, PaymentStatus::Pending);
    assert_eq!(
        tx.insert_payment(new_payment(ada, "k1", 2000)).await,
        Err(StoreError::Conflict {
            what: Invariant::PaymentKey
        })
    );
    // The unit of work stays usable, and a key is unique per customer only.
    let bobs = tx
        .insert_payment(new_payment(bob, "k1", 500))
        .await
        .unwrap();
    let second = tx
        .insert_payment(new_payment(ada, "k2", 700))
        .await
        .unwrap();
    assert_ne!(first.id, second.id);
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.payment(first.id).await.unwrap(), Some(first.clone()));
    assert_eq!(
        tx.payment(PaymentId(first.id.get() + 1000)).await.unwrap(),
        None
    );
    assert_eq!(
        tx.payment_by_key(ada, "k1").await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(tx.payment_by_key(ada, "k3").await.unwrap(), None);
    assert_eq!(
        tx.payments_of(ada).await.unwrap(),
        vec![first.clone(), second.clone()]
    );
    assert_eq!(tx.payments_of(bob).await.unwrap(), vec![bobs.clone()]);

    // A payment settles once, and settling names a settled state.
    assert_eq!(
        tx.settle_payment(&first).await,
        Err(StoreError::Stale {
            what: "payment",
            id: first.id.get()
        })
    );
    let confirmed = settled(&first, PaymentStatus::Confirmed, "evt_1");
    tx.settle_payment(&confirmed).await.unwrap();
    assert_eq!(
        tx.settle_payment(&settled(&first, PaymentStatus::Failed, "evt_9"))
            .await,
        Err(StoreError::Stale {
            what: "payment",
            id: first.id.get()
        })
    );
    // One payment per provider event; the unit of work stays usable.
    assert_eq!(
        tx.settle_payment(&settled(&second, PaymentStatus::Failed, "evt_1"))
            .await,
        Err(StoreError::Conflict {
            what: Invariant::PaymentEvent
        })
    );
    let failed = settled(&second, PaymentStatus::Failed, "evt_2");
    tx.settle_payment(&failed).await.unwrap();
    let missing = settled(&bobs, PaymentStatus::Failed, "evt_3");
    let missing = PaymentRecord {
        id: PaymentId(bobs.id.get() + 1000),
        ..missing
    };
    assert!(matches!(
        tx.settle_payment(&missing).await,
        Err(StoreError::Stale { .. })
    ));
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    assert_eq!(
        tx.payment_by_event("evt_1").await.unwrap(),
        Some(confirmed.clone())
    );
    assert_eq!(
        tx.payment_by_event("evt_2").await.unwrap(),
        Some(failed.clone())
    );
    assert_eq!(tx.payment_by_event("evt_3").await.unwrap(), None);
    assert_eq!(tx.payments_of(ada).await.unwrap(), vec![confirmed, failed]);
    assert_eq!(tx.payments_of(bob).await.unwrap(), vec![bobs]);
}

fn rate(prefix: &str, price: Money, increments: &str, from: chrono::DateTime<chrono::Utc>) -> Rate {
    Rate::new(
        DialPrefix::parse(prefix).unwrap(),
        price,
        Increments::parse(increments).unwrap(),
        from,
    )
    .unwrap()
}

pub(crate) async fn r6_d2_rates_round_trip_exactly_and_one_per_prefix_currency_and_instant(
    store: &dyn Store,
) {
    let january = at(day(2026, 1, 1), 0);
    let march = at(day(2026, 3, 1), 0);
    let sub_cent = rate("+49", eur(dec!(0.0125)), "60/60", january);
    let mobile = rate("4915", eur(dec!(0.1500)), "1/1", january);
    let later = rate("49", eur(dec!(0.02)), "30/6", march);
    let in_usd = rate(
        "49",
        Money::new(dec!(0.0099), Currency::USD),
        "60/60",
        january,
    );
    let yen = rate(
        "81",
        Money::new(dec!(12.5), Currency::parse("JPY").unwrap()),
        "1/1",
        january,
    );
    let mut tx = store.begin().await.unwrap();
    for r in [&later, &mobile, &sub_cent, &in_usd, &yen] {
        assert_eq!(&tx.insert_rate(r.clone()).await.unwrap(), r);
    }
    // Same prefix, currency and instant: refused, and the unit of work stays usable.
    let again = rate("49", eur(dec!(0.03)), "1/1", january);
    assert_eq!(
        tx.insert_rate(again).await.unwrap_err(),
        StoreError::Conflict {
            what: Invariant::RateEffective
        }
    );
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    let all = tx.rates().await.unwrap();
    assert_eq!(
        all,
        vec![
            sub_cent.clone(),
            later.clone(),
            in_usd.clone(),
            mobile.clone(),
            yen.clone()
        ]
    );
    assert_eq!(all[0].price_per_minute().amount().to_string(), "0.0125");
    assert_eq!(all[3].price_per_minute().amount().to_string(), "0.15");
    assert_eq!(all[4].price_per_minute().amount().to_string(), "12.5");
    let berlin = PhoneNumber::parse("+4930123456").unwrap();
    let matching = tx.rates_matching(&berlin, Currency::EUR).await.unwrap();
    assert_eq!(matching, vec![sub_cent.clone(), later.clone()]);
    let german_mobile = PhoneNumber::parse("+4915123456789").unwrap();
    let matching = tx
        .rates_matching(&german_mobile, Currency::EUR)
        .await
        .unwrap();
    assert_eq!(matching, vec![sub_cent, later, mobile]);
    let paris = PhoneNumber::parse("+33123456789").unwrap();
    assert_eq!(
        tx.rates_matching(&paris, Currency::EUR).await.unwrap(),
        vec![]
    );
    assert_eq!(
        tx.rates_matching(&berlin, Currency::USD).await.unwrap(),
        vec![in_usd]
    );
}

/// A message `text` that arrived on the rented number `number` (`e164`) at minute `minute`.
fn number_sms(number: i64, customer: CustomerId, e164: &str, minute: i64, text: &str) -> NumberSms {
    NumberSms {
        id: 0,
        number: NumberId(number),
        customer,
        to: phone(e164),
        from: "Bank \"Ünïcode\"".to_owned(),
        text: text.to_owned(),
        at: at(day(2026, 1, 10), 3) + Duration::minutes(minute),
    }
}

pub(crate) async fn number_sms_are_kept_per_number_and_paged_newest_first(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let mut tx = store.begin().await.unwrap();
    let mut stored = Vec::new();
    for minute in 0..5 {
        let sms = number_sms(7, ada, "+4915100000007", minute, &format!("code {minute}"));
        let kept = tx.insert_number_sms(sms.clone()).await.unwrap();
        assert_eq!(kept, NumberSms { id: kept.id, ..sms });
        stored.push(kept);
        // Another number's messages, between them, are not the first number's.
        tx.insert_number_sms(number_sms(8, ada, "+4915100000008", minute, "other"))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let ids: Vec<i64> = stored.iter().map(|m| m.id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids in order: {ids:?}");

    let mut tx = store.read().await.unwrap();
    let first = tx
        .number_sms_page(NumberId(7), PageRequest::first(2))
        .await
        .unwrap();
    assert_eq!(first.items, vec![stored[4].clone(), stored[3].clone()]);
    assert_eq!(first.next, Some(stored[3].id));
    let second = tx
        .number_sms_page(NumberId(7), PageRequest::first(2).after(stored[3].id))
        .await
        .unwrap();
    assert_eq!(second.items, vec![stored[2].clone(), stored[1].clone()]);
    let last = tx
        .number_sms_page(NumberId(7), PageRequest::first(2).after(stored[1].id))
        .await
        .unwrap();
    assert_eq!((last.items, last.next), (vec![stored[0].clone()], None));
    let none = tx
        .number_sms_page(NumberId(9), PageRequest::first(2))
        .await
        .unwrap();
    assert_eq!((none.items.len(), none.next), (0, None));
}

/// An order of a recording of `text` for number `number`, paid at minute `minute`.
fn recording_order(
    customer: CustomerId,
    number: i64,
    minute: i64,
    text: &str,
) -> RecordingOrderRecord {
    let paid =
        vnum_calls::VoiceRecordingOrder::new(text, vnum_calls::Voice::Male, eur("15.00")).unwrap();
    RecordingOrderRecord {
        id: 0,
        customer,
        number: NumberId(number),
        order: vnum_calls::RecordingOrder::new(
            paid,
            at(day(2026, 1, 10), 3) + Duration::minutes(minute),
        ),
    }
}

pub(crate) async fn r13_d3_a_recording_order_is_stored_listed_while_open_and_ends_once(
    store: &dyn Store,
) {
    let ada = commit_customer(store, "ada@example.com").await;
    let mut tx = store.begin().await.unwrap();
    let mut stored = Vec::new();
    for (i, number) in [2, 3, 2].into_iter().enumerate() {
        let order = recording_order(ada, number, i64::try_from(i).unwrap(), &format!("text {i}"));
        let kept = tx.insert_recording_order(order.clone()).await.unwrap();
        assert_eq!(
            kept,
            RecordingOrderRecord {
                id: kept.id,
                ..order
            }
        );
        stored.push(kept);
    }
    tx.commit().await.unwrap();
    assert!(stored[0].id < stored[1].id && stored[1].id < stored[2].id);

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.recording_order(stored[1].id).await.unwrap(),
        Some(stored[1].clone())
    );
    assert_eq!(tx.recording_order(9_999).await.unwrap(), None);
    assert_eq!(
        tx.recording_orders_of_number(NumberId(2)).await.unwrap(),
        vec![stored[0].clone(), stored[2].clone()]
    );
    let first = tx
        .open_recording_orders(PageRequest::first(2))
        .await
        .unwrap();
    assert_eq!(first.items, vec![stored[0].clone(), stored[1].clone()]);
    assert_eq!(first.next, Some(stored[1].id));

    // An open order is no end; an ended one ends once.
    assert!(matches!(
        tx.end_recording_order(&stored[0]).await,
        Err(StoreError::Stale { .. })
    ));
    let delivered = RecordingOrderRecord {
        order: stored[0]
            .order
            .deliver(vnum_core::GreetingId(1), at(day(2026, 1, 12), 9))
            .unwrap(),
        ..stored[0].clone()
    };
    tx.end_recording_order(&delivered).await.unwrap();
    let cancelled = RecordingOrderRecord {
        order: stored[0]
            .order
            .cancel("late", at(day(2026, 1, 12), 10))
            .unwrap(),
        ..stored[0].clone()
    };
    assert!(matches!(
        tx.end_recording_order(&cancelled).await,
        Err(StoreError::Stale { .. })
    ));
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    assert_eq!(
        tx.recording_order(stored[0].id).await.unwrap(),
        Some(delivered)
    );
    let open = tx
        .open_recording_orders(PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(
        (open.items, open.next),
        (vec![stored[1].clone(), stored[2].clone()], None)
    );
    let after = tx
        .open_recording_orders(PageRequest::first(10).after(stored[1].id))
        .await
        .unwrap();
    assert_eq!(after.items, vec![stored[2].clone()]);
}
