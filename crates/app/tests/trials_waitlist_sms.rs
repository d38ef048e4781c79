//! Free tests (R8), the waitlist (R7) and one-shot SMS numbers (R9), end to end through the
//! use cases on in-memory adapters. Each test is named after the rule it proves.

// The helpers run only inside tests: a panic there is a failed test with a location.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::Duration;
use vnum_app::memory::SipCommand;
use vnum_app::model::Event;
use vnum_app::model::{
    Customer, EntryKind, NewLedgerEntry, Notice, PageRequest, SmsAllocationRecord, SmsDelivery,
    StockState,
};
use vnum_app::ports::Invariant;
use vnum_app::ports::{Notifier, NotifyError, StoreError};
use vnum_app::testing::{World, mobile_offer};
use vnum_app::{Config, Error, TrialOutcome, Vnum};
use vnum_core::rule::{self, RuleId};
use vnum_core::{PhoneNumber, TrialId};
use vnum_lifecycle::{City, NumberKind, Offer, OfferTerms, Trial, WaitlistState};
use vnum_sms::{AllocationState, Service, SmsAllocation, SmsPool};
use vnum_testkit::{at, country, day, eur, phone};

/// The application on in-memory ports, at 09:00 UTC on 2 March 2026.
fn world() -> World {
    World::new(at(day(2026, 3, 2), 9))
}

/// The offer's terms: a mobile offer unless a city (landline) or `Sms` is given.
struct Terms<'a> {
    country: &'a str,
    city: Option<&'a str>,
    kind: NumberKind,
    monthly: &'a str,
    trial: bool,
    listed: bool,
}

impl Default for Terms<'_> {
    fn default() -> Self {
        Self {
            country: "DE",
            city: None,
            kind: NumberKind::Mobile,
            monthly: "10.00",
            trial: false,
            listed: true,
        }
    }
}

impl Terms<'_> {
    /// A mobile offer open to free tests (R8).
    fn trial() -> Self {
        Self {
            trial: true,
            ..Self::default()
        }
    }

    /// A one-shot SMS offer at 0.50 EUR a number (R9).
    fn sms() -> Self {
        Self {
            kind: NumberKind::Sms,
            monthly: "0.50",
            ..Self::default()
        }
    }
}

fn refused_by(result: Result<impl std::fmt::Debug, Error>) -> RuleId {
    match result {
        Err(Error::Refused { rule, message }) => {
            assert!(!message.is_empty());
            rule
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

impl Terms<'_> {
    /// The offer's terms as the catalogue takes them.
    fn build(&self) -> OfferTerms {
        OfferTerms {
            city: self.city.map(|c| City::new(c).unwrap()),
            kind: self.kind,
            trial_allowed: self.trial,
            listed: self.listed,
            ..mobile_offer(country(self.country), eur(self.monthly))
        }
    }
}

/// An offer entered by the provider, with `stock` numbers held for it.
async fn offer(world: &World, terms: Terms<'_>, stock: &[&str]) -> Offer {
    let numbers: Vec<PhoneNumber> = stock.iter().map(|n| phone(n)).collect();
    world.offer_with_stock(terms.build(), numbers).await
}

async fn stock_state(world: &World, e164: &str) -> StockState {
    let mut tx = world.ports.store.begin().await.unwrap();
    tx.stock_number(&phone(e164)).await.unwrap().unwrap().state
}

async fn trial(world: &World, customer: &Customer, wanted: &str, kind: NumberKind) -> Trial {
    match world
        .vnum
        .start_trial(customer.id, country(wanted), kind)
        .await
        .unwrap()
    {
        TrialOutcome::Started(record) => record.trial,
        other @ TrialOutcome::Suggested { .. } => panic!("expected a test, got {other:?}"),
    }
}

async fn allocate(
    world: &World,
    customer: &Customer,
    service: &str,
    offer: &Offer,
) -> SmsAllocation {
    world
        .vnum
        .allocate_sms_number(customer.id, service, offer.id())
        .await
        .unwrap()
        .allocation
}

/// An SMS from `sender` arriving at `to`, delivered.
async fn receive(world: &World, to: &PhoneNumber, sender: &str, text: &str) -> SmsAllocationRecord {
    match world.vnum.receive_sms(to, sender, text).await.unwrap() {
        SmsDelivery::Allocation(record) => record,
        other @ SmsDelivery::Number(_) => panic!("expected a one-shot delivery, got {other:?}"),
    }
}

/// The allocations that expired just now (R9.D1).
async fn expire(world: &World) -> Vec<SmsAllocationRecord> {
    world.vnum.expire_sms_allocations().await.unwrap()
}

fn refunds(world: &World) -> usize {
    world
        .memory()
        .all_entries()
        .iter()
        .filter(|e| e.kind == EntryKind::Refund)
        .count()
}

/// A world where Ann has `balance` EUR and an SMS offer (0.50 EUR a number) holds `pool`.
async fn sms_world(balance: &str, pool: &[&str]) -> (World, Customer, Offer) {
    let world = world();
    let ann = world.customer("Ann").await;
    world.top_up(ann.id, eur(balance)).await;
    let offer = offer(&world, Terms::sms(), pool).await;
    (world, ann, offer)
}

#[tokio::test]
async fn r8_1_trial_ends_after_exactly_one_hour_and_number_returns_to_stock() {
    let world = world();
    let ann = world.customer("Ann").await;
    let trial_terms = Terms::trial();
    offer(&world, trial_terms, &["+4915100000001"]).await;
    let started = world.now();

    let trial = trial(&world, &ann, "DE", NumberKind::Mobile).await;

    assert_eq!(trial.number(), &phone("+4915100000001"));
    assert_eq!(trial.ends_at(), started + Duration::hours(1));
    assert_eq!(
        stock_state(&world, "+4915100000001").await,
        StockState::OnTrial
    );
    let routing = world
        .vnum
        .trial_routing(trial.number(), started + Duration::minutes(59))
        .await
        .unwrap()
        .unwrap();
    assert!(routing.routable);
    assert_eq!(routing.rule, rule::R8_1);

    world
        .clock
        .advance(Duration::hours(1) - Duration::seconds(1));
    assert!(world.vnum.expire_trials().await.unwrap().is_empty());
    assert_eq!(
        stock_state(&world, "+4915100000001").await,
        StockState::OnTrial
    );

    world.clock.advance(Duration::seconds(1));
    let ended = world.vnum.expire_trials().await.unwrap();
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0].returned_at, Some(started + Duration::hours(1)));
    assert_eq!(
        stock_state(&world, "+4915100000001").await,
        StockState::Available
    );
    let after = world
        .vnum
        .trial_routing(trial.number(), world.now())
        .await
        .unwrap()
        .unwrap();
    assert!(!after.routable, "calls after the hour are rejected");
    assert_eq!(after.rule, rule::R8_D1);

    assert!(world.vnum.expire_trials().await.unwrap().is_empty());
    // The engine drops its cached routing when the test starts and when it ends.
    let lent = SipCommand::RoutingChanged(phone("+4915100000001"));
    assert_eq!(world.sip.commands(), vec![lent.clone(), lent]);
    let history = world.vnum.trials_of(ann.id).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].returned_at, Some(started + Duration::hours(1)));
}

#[tokio::test]
async fn r8_d1_one_running_trial_per_customer() {
    let world = world();
    let ann = world.customer("Ann").await;
    let bob = world.customer("Bob").await;
    let offer = offer(
        &world,
        Terms::trial(),
        &["+4915100000001", "+4915100000002", "+4915100000003"],
    )
    .await;

    let first = trial(&world, &ann, "DE", NumberKind::Mobile).await;
    let again = world
        .vnum
        .start_trial(ann.id, country("DE"), NumberKind::Mobile)
        .await;
    assert_eq!(refused_by(again), rule::R8_D1);
    let other = trial(&world, &bob, "DE", NumberKind::Mobile).await;
    assert_ne!(other.number(), first.number());

    // The store holds the line too: an overlapping hour of the same customer is refused.
    let mut tx = world.ports.store.begin().await.unwrap();
    let sneaked = Trial::start(
        TrialId(9_999),
        ann.id,
        &offer,
        phone("+4915100000003"),
        world.now() + Duration::minutes(30),
        [],
    )
    .unwrap();
    assert_eq!(
        tx.insert_trial(&sneaked).await,
        Err(StoreError::Conflict {
            what: Invariant::TrialActive
        })
    );
    drop(tx);

    world.clock.advance(Duration::hours(1));
    world.vnum.expire_trials().await.unwrap();
    let next = trial(&world, &ann, "DE", NumberKind::Mobile).await;
    assert_eq!(next.started_at(), first.ends_at());
    assert_eq!(world.vnum.trials_of(ann.id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn r8_2_untestable_country_suggests_another() {
    let world = world();
    let ann = world.customer("Ann").await;
    offer(&world, Terms::default(), &["+4915100000001"]).await;
    let austria = offer(
        &world,
        Terms {
            country: "AT",
            trial: true,
            monthly: "8.00",
            ..Terms::default()
        },
        &["+436641000001"],
    )
    .await;

    let outcome = world
        .vnum
        .start_trial(ann.id, country("DE"), NumberKind::Mobile)
        .await
        .unwrap();

    assert_eq!(
        outcome,
        TrialOutcome::Suggested {
            offer: austria,
            rule: rule::R8_2
        }
    );
    assert!(world.vnum.trials_of(ann.id).await.unwrap().is_empty());
    assert_eq!(
        stock_state(&world, "+4915100000001").await,
        StockState::Available
    );
    assert_eq!(
        stock_state(&world, "+436641000001").await,
        StockState::Available
    );

    let trial = trial(&world, &ann, "AT", NumberKind::Mobile).await;
    assert_eq!(trial.number(), &phone("+436641000001"));
}

#[tokio::test]
async fn r8_3_sms_numbers_never_lent() {
    let world = world();
    let ann = world.customer("Ann").await;
    let sms = Terms::sms();
    offer(&world, sms, &["+4915200000001"]).await;

    let refused = world
        .vnum
        .start_trial(ann.id, country("DE"), NumberKind::Sms)
        .await;
    assert_eq!(refused_by(refused), rule::R8_1);
    assert_eq!(
        stock_state(&world, "+4915200000001").await,
        StockState::Available
    );

    offer(&world, Terms::trial(), &["+4915100000001"]).await;
    let trial = trial(&world, &ann, "DE", NumberKind::Sms).await;
    assert_eq!(trial.number(), &phone("+4915100000001"));
    assert_eq!(
        stock_state(&world, "+4915200000001").await,
        StockState::Available
    );
}

#[tokio::test]
async fn r7_1_restock_notifies_waiting_customers_oldest_first() {
    let world = world();
    let bob = world.customer("Bob").await;
    let ann = world.customer("Ann").await;
    let cleo = world.customer("Cleo").await;
    let dan = world.customer("Dan").await;
    let eve = world.customer("Eve").await;
    let berlin = offer(
        &world,
        Terms {
            city: Some("Berlin"),
            kind: NumberKind::Landline,
            listed: false,
            ..Terms::default()
        },
        &[],
    )
    .await;
    let berlin_city = Some(City::new("Berlin").unwrap());

    let bobs = world
        .vnum
        .join_waitlist(bob.id, country("DE"), None, None)
        .await
        .unwrap();
    world.clock.advance(Duration::minutes(5));
    let anns = world
        .vnum
        .join_waitlist(
            ann.id,
            country("DE"),
            berlin_city.clone(),
            Some(NumberKind::Landline),
        )
        .await
        .unwrap();
    world
        .vnum
        .join_waitlist(cleo.id, country("AT"), None, None)
        .await
        .unwrap();
    world
        .vnum
        .join_waitlist(
            dan.id,
            country("DE"),
            Some(City::new("Munich").unwrap()),
            None,
        )
        .await
        .unwrap();
    let eves = world
        .vnum
        .join_waitlist(eve.id, country("DE"), None, Some(NumberKind::Landline))
        .await
        .unwrap();
    world
        .vnum
        .cancel_waitlist_entry(eve.id, eves.id())
        .await
        .unwrap();
    let twice = world
        .vnum
        .join_waitlist(bob.id, country("DE"), None, None)
        .await;
    assert!(matches!(twice, Err(Error::Conflict(_))), "{twice:?}");

    let restock = world
        .vnum
        .restock(
            berlin.id(),
            vec![phone("+493012345601"), phone("+493012345602")],
        )
        .await
        .unwrap();

    assert!(restock.listed_now, "stock puts the offer on sale (R7.2)");
    assert!(restock.offer.is_listed());
    let fulfilled: Vec<_> = restock.fulfilled.iter().map(|e| e.id()).collect();
    assert_eq!(fulfilled, vec![bobs.id(), anns.id()]);
    assert!(world.outbox.sent().is_empty(), "emails go after the commit");
    world.vnum.deliver_events().await.unwrap();
    let recipients: Vec<String> = world
        .outbox
        .sent()
        .into_iter()
        .filter_map(|e| e.email)
        .collect();
    assert_eq!(recipients, vec![bob.email.clone(), ann.email.clone()]);
    let anns_now = world.vnum.waitlist_of(ann.id).await.unwrap();
    assert!(matches!(
        anns_now[0].state(),
        WaitlistState::Fulfilled { .. }
    ));
    let dans_now = world.vnum.waitlist_of(dan.id).await.unwrap();
    assert_eq!(dans_now[0].state(), WaitlistState::Waiting);

    let more = world
        .vnum
        .restock(berlin.id(), vec![phone("+493012345603")])
        .await
        .unwrap();
    assert!(more.fulfilled.is_empty(), "nobody is notified twice");
    assert!(!more.listed_now);
    world.vnum.deliver_events().await.unwrap();
    assert_eq!(world.outbox.sent().len(), 2);

    let on_sale = world
        .vnum
        .join_waitlist(eve.id, country("DE"), berlin_city, None)
        .await;
    assert_eq!(refused_by(on_sale), rule::R7_1);
}

#[tokio::test]
async fn r9_2_one_shot_number_never_reissued_for_the_same_service() {
    let pool = ["+4915200000001", "+4915200000002", "+4915200000003"];
    let (world, ann, offer) = sms_world("100.00", &pool).await;

    let mut telegram = Vec::new();
    for round in 0..pool.len() {
        let allocation = allocate(&world, &ann, "Telegram", &offer).await;
        if round % 2 == 0 {
            receive(&world, allocation.number(), "Telegram", "code 12345").await;
        } else {
            world.clock.advance(Duration::minutes(20));
            assert_eq!(expire(&world).await.len(), 1);
        }
        assert!(!telegram.contains(allocation.number()));
        telegram.push(allocation.number().clone());
    }
    let exhausted = world
        .vnum
        .allocate_sms_number(ann.id, "telegram", offer.id())
        .await;
    assert_eq!(refused_by(exhausted), rule::R9_2);

    let mut whatsapp = Vec::new();
    for _ in 0..pool.len() {
        let allocation = allocate(&world, &ann, "whatsapp", &offer).await;
        receive(&world, allocation.number(), "WhatsApp", "code 999").await;
        whatsapp.push(allocation.number().clone());
    }
    telegram.sort();
    whatsapp.sort();
    assert_eq!(
        telegram, whatsapp,
        "another service may use the same numbers"
    );

    // The store holds the line too: one allocation per (number, service), ever.
    let mut tx = world.ports.store.begin().await.unwrap();
    let mut again = SmsPool::new(Service::new("telegram").unwrap());
    again.add(phone(pool[0])).unwrap();
    let duplicate = again
        .allocate(
            tx.next_sms_allocation_id().await.unwrap(),
            ann.id,
            eur("0.50"),
            world.now(),
            Duration::minutes(20),
        )
        .unwrap();
    let refused = tx
        .insert_sms_allocation(SmsAllocationRecord {
            allocation: duplicate,
            offer: offer.id(),
            message: None,
        })
        .await;
    assert_eq!(
        refused,
        Err(StoreError::Conflict {
            what: Invariant::SmsAllocation
        })
    );
}

#[tokio::test]
async fn r9_1_second_sms_rejected() {
    let (world, ann, offer) = sms_world("5.00", &["+4915200000001"]).await;
    let allocation = allocate(&world, &ann, "telegram", &offer).await;
    assert_eq!(world.balance(ann.id).await, eur("4.50"));

    let used = receive(&world, allocation.number(), "Telegram", "Your code: 424242").await;
    assert!(matches!(
        used.allocation.state(),
        AllocationState::Used { .. }
    ));

    let second = world
        .vnum
        .receive_sms(allocation.number(), "Telegram", "Your code: 111111")
        .await;
    assert_eq!(refused_by(second), rule::R9_1);
    let mine = world.vnum.sms_allocations_of(ann.id).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].message.as_ref().unwrap().text, "Your code: 424242");

    let unknown = world
        .vnum
        .receive_sms(&phone("+4915299999999"), "Telegram", "hi")
        .await;
    assert!(
        matches!(unknown, Err(Error::NotFound { .. })),
        "{unknown:?}"
    );
}

#[tokio::test]
async fn r10_4_no_sms_while_the_balance_is_negative() {
    let (world, ann, offer) = sms_world("1.00", &["+4915200000001"]).await;
    let allocation = allocate(&world, &ann, "telegram", &offer).await;
    let mut tx = world.ports.store.begin().await.unwrap();
    tx.append(NewLedgerEntry {
        customer: ann.id,
        kind: EntryKind::Adjustment,
        amount: eur("-2.00"),
        number: None,
        period: None,
        rule: None,
        reference: None,
        description: "Correction".into(),
        at: world.now(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let suspended = world
        .vnum
        .receive_sms(allocation.number(), "Telegram", "code")
        .await;
    assert_eq!(refused_by(suspended), rule::R10_4);

    world.top_up(ann.id, eur("1.50")).await;
    let delivered = receive(&world, allocation.number(), "Telegram", "code").await;
    assert!(delivered.message.is_some());
}

#[tokio::test]
async fn r1_4_sms_number_paid_in_advance() {
    let (world, ann, offer) = sms_world("0.40", &["+4915200000001"]).await;

    let short = world
        .vnum
        .allocate_sms_number(ann.id, "telegram", offer.id())
        .await;

    assert!(
        matches!(short, Err(Error::InsufficientBalance { needed, available })
            if needed == eur("0.50") && available == eur("0.40")),
        "{short:?}"
    );
    assert!(
        world
            .vnum
            .sms_allocations_of(ann.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(world.balance(ann.id).await, eur("0.40"));
}

#[tokio::test]
async fn r9_d1_expired_unused_allocation_refunded_once() {
    let (world, ann, offer) = sms_world("10.00", &["+4915200000001", "+4915200000002"]).await;

    let unused = allocate(&world, &ann, "telegram", &offer).await;
    assert_eq!(unused.expires_at(), world.now() + Duration::minutes(20));
    assert_eq!(world.balance(ann.id).await, eur("9.50"));

    world.clock.advance(Duration::minutes(19));
    assert!(expire(&world).await.is_empty());
    world.clock.advance(Duration::minutes(1));
    let expired = expire(&world).await;
    assert_eq!(expired.len(), 1);
    assert_eq!(world.balance(ann.id).await, eur("10.00"));
    assert!(expire(&world).await.is_empty());
    assert_eq!(world.balance(ann.id).await, eur("10.00"));
    assert_eq!(refunds(&world), 1);
    let late = world
        .vnum
        .receive_sms(unused.number(), "Telegram", "code")
        .await;
    assert_eq!(refused_by(late), rule::R9_D1);

    let used = allocate(&world, &ann, "telegram", &offer).await;
    receive(&world, used.number(), "Telegram", "code").await;
    world.clock.advance(Duration::hours(1));
    assert!(expire(&world).await.is_empty());
    assert_eq!(
        world.balance(ann.id).await,
        eur("9.50"),
        "used ones are not refunded"
    );
    assert_eq!(refunds(&world), 1);
}

/// A mail system that accepts nothing.
struct DownMailer;

#[async_trait::async_trait]
impl Notifier for DownMailer {
    async fn notify(&self, event: &Event) -> Result<(), NotifyError> {
        Err(NotifyError {
            to: event.email.clone().unwrap_or_default(),
            reason: "connection refused".into(),
        })
    }
}

#[tokio::test]
async fn r7_1_a_failed_email_does_not_undo_the_restock() {
    let world = world();
    let ann = world.customer("Ann").await;
    let offer = offer(
        &world,
        Terms {
            listed: false,
            ..Terms::default()
        },
        &[],
    )
    .await;
    let entry = world
        .vnum
        .join_waitlist(ann.id, country("DE"), None, None)
        .await
        .unwrap();
    let mut ports = world.ports.clone();
    ports.notifier = Arc::new(DownMailer);
    let down = Vnum::new(ports, Config::default());

    let restock = down
        .restock(offer.id(), vec![phone("+4915100000001")])
        .await
        .unwrap();

    assert_eq!(restock.fulfilled.len(), 1);
    let failed = down.deliver_events().await.unwrap();
    assert_eq!(failed.retried.len(), 1, "{failed:?}");
    assert_eq!(
        stock_state(&world, "+4915100000001").await,
        StockState::Available
    );
    let entries = world.vnum.waitlist_of(ann.id).await.unwrap();
    assert!(matches!(
        entries[0].state(),
        WaitlistState::Fulfilled { .. }
    ));
    assert_eq!(entries[0].id(), entry.id());

    // Not due again before its backoff ends; then sent, under the same event id.
    assert!(
        world
            .vnum
            .deliver_events()
            .await
            .unwrap()
            .delivered
            .is_empty()
    );
    world.clock.advance(Duration::seconds(30));
    let sent = world.vnum.deliver_events().await.unwrap();
    assert_eq!(sent.delivered, failed.retried);
    let emailed = world.outbox.sent();
    assert_eq!(emailed.len(), 1);
    assert_eq!(emailed[0].id, failed.retried[0]);
    assert_eq!(emailed[0].email.as_deref(), Some(ann.email.as_str()));
    assert_eq!(emailed[0].notice.type_name(), "waitlist.restocked");
}

#[tokio::test]
async fn r7_1_storage_closes_an_entry_once() {
    let world = world();
    let ann = world.customer("Ann").await;
    let entry = world
        .vnum
        .join_waitlist(ann.id, country("DE"), None, None)
        .await
        .unwrap();
    let mut tx = world.ports.store.begin().await.unwrap();
    let before = tx.waitlist(country("DE")).await.unwrap();
    let mut fulfilled = before.clone();
    fulfilled.fulfil(entry.id(), world.now()).unwrap();
    tx.save_waitlist(country("DE"), &fulfilled).await.unwrap();

    // A stale copy, read before the entry was fulfilled, would reopen it.
    assert_eq!(
        tx.save_waitlist(country("DE"), &before).await,
        Err(StoreError::Conflict {
            what: Invariant::WaitlistEntryClosed
        })
    );
}

#[tokio::test]
async fn r9_d1_a_number_waits_for_one_message_at_a_time() {
    let (world, ann, offer) = sms_world("5.00", &["+4915200000001"]).await;
    let telegram = allocate(&world, &ann, "telegram", &offer).await;

    // An inbound SMS names no service, so the number serves one allocation at a time.
    let busy = world
        .vnum
        .allocate_sms_number(ann.id, "whatsapp", offer.id())
        .await;
    assert_eq!(refused_by(busy), rule::R9_2);
    assert_eq!(
        world.balance(ann.id).await,
        eur("4.50"),
        "a refusal charges nothing"
    );

    receive(&world, telegram.number(), "Telegram", "code").await;
    let whatsapp = allocate(&world, &ann, "whatsapp", &offer).await;
    assert_eq!(whatsapp.number(), telegram.number());
}

/// The SIP status and rule of a rejected call, or the request URIs a call rings.
async fn route(world: &World, e164: &str) -> Result<Vec<String>, (u16, RuleId)> {
    match world
        .vnum
        .route_inbound(&phone(e164))
        .await
        .unwrap()
        .decision
    {
        vnum_calls::RoutingDecision::Ring { branches, .. } => {
            Ok(branches.into_iter().map(|b| b.uri).collect())
        }
        vnum_calls::RoutingDecision::Reject(rejection) => Err((rejection.status, rejection.rule)),
        other => panic!("expected ring or reject, got {other:?}"),
    }
}

#[tokio::test]
async fn r8_d2_a_test_number_rings_where_the_customer_says_during_its_hour_only() {
    let world = world();
    let ann = world.customer("Ann").await;
    let bob = world.customer("Bob").await;
    offer(&world, Terms::trial(), &["+4915100000001"]).await;
    let trial = trial(&world, &ann, "DE", NumberKind::Mobile).await;
    let number = "+4915100000001";

    // Nowhere to ring yet: no plan and no SIP account (R5.3).
    assert_eq!(route(&world, number).await, Err((480, rule::R5_3)));

    let server = vnum_calls::ForwardingTarget::parse("203.0.113.5:5060").unwrap();
    let plan = vnum_calls::ForwardingPlan::single(server);
    let saved = world
        .vnum
        .set_trial_forwarding(ann.id, trial.id(), Some(plan.clone()))
        .await
        .unwrap();
    assert_eq!(saved.trial.forwarding(), Some(&plan));
    assert_eq!(
        route(&world, number).await,
        Ok(vec!["sip:203.0.113.5:5060".to_owned()])
    );

    // The forwarding rules hold for tests too (R5 Decision), and only Ann sets hers.
    let private = vnum_calls::ForwardingPlan::single(
        vnum_calls::ForwardingTarget::parse("192.168.0.10").unwrap(),
    );
    let refused = world
        .vnum
        .set_trial_forwarding(ann.id, trial.id(), Some(private))
        .await
        .unwrap_err();
    assert_eq!(refused.rule(), Some(rule::R5_D1), "{refused}");
    let stranger = world
        .vnum
        .set_trial_forwarding(bob.id, trial.id(), None)
        .await;
    assert!(
        matches!(stranger, Err(Error::NotFound { .. })),
        "{stranger:?}"
    );

    // An account in debt receives no calls, free test or not (R10.4).
    let mut tx = world.ports.store.begin().await.unwrap();
    tx.append(NewLedgerEntry::purchase(
        ann.id,
        eur("1.00"),
        rule::R10_3,
        "a charge that leaves a debt".into(),
        world.now(),
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(route(&world, number).await, Err((480, rule::R10_4)));
    world.top_up(ann.id, eur("1.00")).await;
    assert!(route(&world, number).await.is_ok());

    // After the hour the number is rejected, and its plan can no longer change (R8.D1).
    world.clock.advance(Duration::hours(1));
    world.vnum.expire_trials().await.unwrap();
    assert_eq!(route(&world, number).await, Err((404, rule::R8_D1)));
    let late = world
        .vnum
        .set_trial_forwarding(ann.id, trial.id(), None)
        .await
        .unwrap_err();
    assert_eq!(late.rule(), Some(rule::R8_D1), "{late}");
}

/// A world where Ann has `balance` EUR and rents one German mobile number at 10 EUR a month,
/// connected at once.
async fn rented_world(balance: &str) -> (World, Customer, vnum_app::model::NumberRecord) {
    let world = world();
    world.carrier_stock([phone("+4915100000001")]);
    let offer = world.offer(mobile_offer(country("DE"), eur("10.00"))).await;
    let ann = world.customer("Ann").await;
    world.top_up(ann.id, eur(balance)).await;
    let number = world.buy(ann.id, &offer, 1).await;
    (world, ann, number)
}

/// Takes `amount` off the customer's balance, as a correction would.
async fn correct(world: &World, customer: &Customer, amount: &str) {
    let mut tx = world.ports.store.begin().await.unwrap();
    tx.append(NewLedgerEntry {
        customer: customer.id,
        kind: EntryKind::Adjustment,
        amount: eur(amount),
        number: None,
        period: None,
        rule: None,
        reference: None,
        description: "Correction".into(),
        at: world.now(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn r10_4_a_rented_number_receives_sms_kept_for_its_customer_newest_first() {
    let (world, ann, number) = rented_world("10.00").await;
    let e164 = phone("+4915100000001");
    for i in 1..=3 {
        world.advance(Duration::minutes(1));
        let delivery = world
            .vnum
            .receive_sms(&e164, "Bank", &format!("code {i}"))
            .await
            .unwrap();
        let SmsDelivery::Number(sms) = delivery else {
            panic!("expected the rented number to receive it, got {delivery:?}");
        };
        assert_eq!((sms.number, sms.customer), (number.id, ann.id));
        assert_eq!(sms.text, format!("code {i}"));
    }
    let first = world
        .vnum
        .sms_of_number(ann.id, number.id, PageRequest::first(2))
        .await
        .unwrap();
    let texts: Vec<&str> = first.items.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["code 3", "code 2"]);
    let next = first.next.expect("a third message follows");
    let rest = world
        .vnum
        .sms_of_number(ann.id, number.id, PageRequest::first(2).after(next))
        .await
        .unwrap();
    let texts: Vec<&str> = rest.items.iter().map(|m| m.text.as_str()).collect();
    assert_eq!((texts, rest.next), (vec!["code 1"], None));

    // The customer is told, in the unit of work of the delivery.
    let told = world
        .emailed()
        .await
        .into_iter()
        .filter(|e| matches!(e.notice, Notice::NumberSmsReceived { .. }))
        .count();
    assert_eq!(told, 3);

    // Another customer's number is not found, and says nothing about the messages.
    let bob = world.customer("Bob").await;
    let foreign = world
        .vnum
        .sms_of_number(bob.id, number.id, PageRequest::first(10))
        .await;
    assert!(
        matches!(foreign, Err(Error::NotFound { .. })),
        "{foreign:?}"
    );
}

#[tokio::test]
async fn r10_4_a_rented_number_receives_no_sms_while_the_balance_is_negative() {
    let (world, ann, number) = rented_world("10.00").await;
    let e164 = phone("+4915100000001");
    correct(&world, &ann, "-5.00").await;

    let suspended = world.vnum.receive_sms(&e164, "Bank", "code").await;
    assert_eq!(refused_by(suspended), rule::R10_4);
    let kept = world
        .vnum
        .sms_of_number(ann.id, number.id, PageRequest::first(10))
        .await
        .unwrap();
    assert!(kept.items.is_empty(), "{kept:?}");

    // R10.D3: paid, the number receives again.
    world.top_up(ann.id, eur("5.00")).await;
    let delivered = world.vnum.receive_sms(&e164, "Bank", "code").await.unwrap();
    assert!(matches!(delivered, SmsDelivery::Number(_)), "{delivered:?}");
}

#[tokio::test]
async fn r10_7_a_deleted_number_receives_no_sms() {
    let (world, ann, number) = rented_world("10.00").await;
    let e164 = phone("+4915100000001");
    world.vnum.delete_number(ann.id, number.id).await.unwrap();

    let gone = world.vnum.receive_sms(&e164, "Bank", "code").await;
    assert!(matches!(gone, Err(Error::NotFound { .. })), "{gone:?}");
}
