//! Free tests (R8), the waitlist (R7) and one-shot SMS numbers (R9), end to end through the
//! use cases on in-memory adapters. Each test is named after the rule it proves.

// The helpers run only inside tests: a panic there is a failed test with a location.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use vnum_app::memory::{
    FakeCarrier, InMemoryMedia, InMemoryStore, ManualClock, Outbox, RecordingSipEngine, SipCommand,
};
use vnum_app::model::{
    Customer, CustomerKind, EntryKind, NewLedgerEntry, SmsAllocationRecord, StockState,
};
use vnum_app::ports::Invariant;
use vnum_app::ports::{Clock, Email, Notifier, NotifyError, Store, StoreError};
use vnum_app::{Config, Error, Ports, RegisterCustomer, TopUp, TrialOutcome, Vnum};
use vnum_compliance::DocumentRequirement;
use vnum_core::rule::{self, RuleId};
use vnum_core::{CarrierId, CountryCode, Currency, Money, OfferId, PhoneNumber, TrialId};
use vnum_lifecycle::{
    City, NumberKind, Offer, OfferTerms, ProvisioningClass, Trial, WaitlistState,
};
use vnum_sms::{AllocationState, Service, SmsAllocation, SmsPool};

struct World {
    vnum: Vnum,
    ports: Ports,
    clock: ManualClock,
    store: InMemoryStore,
    outbox: Outbox,
    sip: RecordingSipEngine,
    keys: u32,
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn eur(amount: &str) -> Money {
    Money::parse(&format!("{amount} EUR")).unwrap()
}

fn number(e164: &str) -> PhoneNumber {
    PhoneNumber::parse(e164).unwrap()
}

fn country(code: &str) -> CountryCode {
    CountryCode::parse(code).unwrap()
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

impl World {
    fn new() -> Self {
        let clock = ManualClock::new(start());
        let store = InMemoryStore::new();
        let outbox = Outbox::new();
        let sip = RecordingSipEngine::new();
        let ports = Ports {
            store: Arc::new(store.clone()),
            clock: Arc::new(clock.clone()),
            notifier: Arc::new(outbox.clone()),
            carrier: Arc::new(FakeCarrier::new()),
            sip: Arc::new(sip.clone()),
            media: Arc::new(InMemoryMedia::new()),
        };
        Self {
            vnum: Vnum::new(ports.clone(), Config::default()),
            ports,
            clock,
            store,
            outbox,
            sip,
            keys: 0,
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    async fn customer(&self, name: &str) -> Customer {
        self.vnum
            .register_customer(RegisterCustomer {
                name: name.into(),
                email: format!("{}@example.com", name.to_lowercase()),
                kind: CustomerKind::Person,
                currency: Currency::EUR,
            })
            .await
            .unwrap()
    }

    async fn top_up(&mut self, customer: &Customer, amount: &str) {
        self.keys += 1;
        self.vnum
            .top_up(TopUp {
                customer: customer.id,
                amount: eur(amount),
                idempotency_key: format!("key-{}", self.keys),
            })
            .await
            .unwrap();
    }

    async fn balance(&self, customer: &Customer) -> Money {
        self.vnum.balance(customer.id).await.unwrap().balance
    }

    /// An offer entered by the provider, with `stock` numbers held for it.
    async fn offer(&self, terms: Terms<'_>, stock: &[&str]) -> Offer {
        let mut tx = self.store.begin().await.unwrap();
        let offer = tx
            .insert_offer(OfferTerms {
                id: OfferId(0),
                country: country(terms.country),
                city: terms.city.map(|c| City::new(c).unwrap()),
                kind: terms.kind,
                carrier: CarrierId(1),
                monthly_price: eur(terms.monthly),
                setup_fee: eur("0.00"),
                provisioning: ProvisioningClass::Instant,
                documents: DocumentRequirement::none(),
                caller_id_monthly: None,
                sip_forwarding_free: true,
                trial_allowed: terms.trial,
                listed: terms.listed,
            })
            .await
            .unwrap();
        let numbers: Vec<PhoneNumber> = stock.iter().map(|n| number(n)).collect();
        tx.add_stock(offer.id(), &numbers).await.unwrap();
        tx.commit().await.unwrap();
        offer
    }

    async fn stock_state(&self, e164: &str) -> StockState {
        let mut tx = self.store.begin().await.unwrap();
        tx.stock_number(&number(e164)).await.unwrap().unwrap().state
    }

    async fn trial(&self, customer: &Customer, wanted: &str, kind: NumberKind) -> Trial {
        match self
            .vnum
            .start_trial(customer.id, country(wanted), kind)
            .await
            .unwrap()
        {
            TrialOutcome::Started(record) => record.trial,
            other @ TrialOutcome::Suggested { .. } => panic!("expected a test, got {other:?}"),
        }
    }

    async fn allocate(&self, customer: &Customer, service: &str, offer: &Offer) -> SmsAllocation {
        self.vnum
            .allocate_sms_number(customer.id, service, offer.id())
            .await
            .unwrap()
            .allocation
    }

    /// An SMS from `sender` arriving at `to`, delivered.
    async fn receive(&self, to: &PhoneNumber, sender: &str, text: &str) -> SmsAllocationRecord {
        self.vnum.receive_sms(to, sender, text).await.unwrap()
    }

    /// The allocations that expired just now (R9.D1).
    async fn expire(&self) -> Vec<SmsAllocationRecord> {
        self.vnum.expire_sms_allocations().await.unwrap()
    }

    fn refunds(&self) -> usize {
        self.store
            .all_entries()
            .iter()
            .filter(|e| e.kind == EntryKind::Refund)
            .count()
    }
}

/// A world where Ann has `balance` EUR and an SMS offer (0.50 EUR a number) holds `pool`.
async fn sms_world(balance: &str, pool: &[&str]) -> (World, Customer, Offer) {
    let mut world = World::new();
    let ann = world.customer("Ann").await;
    world.top_up(&ann, balance).await;
    let offer = world.offer(Terms::sms(), pool).await;
    (world, ann, offer)
}

#[tokio::test]
async fn r8_1_trial_ends_after_exactly_one_hour_and_number_returns_to_stock() {
    let world = World::new();
    let ann = world.customer("Ann").await;
    let trial_terms = Terms::trial();
    world.offer(trial_terms, &["+4915100000001"]).await;
    let started = world.now();

    let trial = world.trial(&ann, "DE", NumberKind::Mobile).await;

    assert_eq!(trial.number(), &number("+4915100000001"));
    assert_eq!(trial.ends_at(), started + Duration::hours(1));
    assert_eq!(
        world.stock_state("+4915100000001").await,
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
        world.stock_state("+4915100000001").await,
        StockState::OnTrial
    );

    world.clock.advance(Duration::seconds(1));
    let ended = world.vnum.expire_trials().await.unwrap();
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0].returned_at, Some(started + Duration::hours(1)));
    assert_eq!(
        world.stock_state("+4915100000001").await,
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
    let lent = SipCommand::RoutingChanged(number("+4915100000001"));
    assert_eq!(world.sip.commands(), vec![lent.clone(), lent]);
    let history = world.vnum.trials_of(ann.id).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].returned_at, Some(started + Duration::hours(1)));
}

#[tokio::test]
async fn r8_d1_one_running_trial_per_customer() {
    let world = World::new();
    let ann = world.customer("Ann").await;
    let bob = world.customer("Bob").await;
    let offer = world
        .offer(
            Terms::trial(),
            &["+4915100000001", "+4915100000002", "+4915100000003"],
        )
        .await;

    let first = world.trial(&ann, "DE", NumberKind::Mobile).await;
    let again = world
        .vnum
        .start_trial(ann.id, country("DE"), NumberKind::Mobile)
        .await;
    assert_eq!(refused_by(again), rule::R8_D1);
    let other = world.trial(&bob, "DE", NumberKind::Mobile).await;
    assert_ne!(other.number(), first.number());

    // The store holds the line too: an overlapping hour of the same customer is refused.
    let mut tx = world.store.begin().await.unwrap();
    let sneaked = Trial::start(
        TrialId(9_999),
        ann.id,
        &offer,
        number("+4915100000003"),
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
    let next = world.trial(&ann, "DE", NumberKind::Mobile).await;
    assert_eq!(next.started_at(), first.ends_at());
    assert_eq!(world.vnum.trials_of(ann.id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn r8_2_untestable_country_suggests_another() {
    let world = World::new();
    let ann = world.customer("Ann").await;
    world.offer(Terms::default(), &["+4915100000001"]).await;
    let austria = world
        .offer(
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
        world.stock_state("+4915100000001").await,
        StockState::Available
    );
    assert_eq!(
        world.stock_state("+436641000001").await,
        StockState::Available
    );

    let trial = world.trial(&ann, "AT", NumberKind::Mobile).await;
    assert_eq!(trial.number(), &number("+436641000001"));
}

#[tokio::test]
async fn r8_3_sms_numbers_never_lent() {
    let world = World::new();
    let ann = world.customer("Ann").await;
    let sms = Terms::sms();
    world.offer(sms, &["+4915200000001"]).await;

    let refused = world
        .vnum
        .start_trial(ann.id, country("DE"), NumberKind::Sms)
        .await;
    assert_eq!(refused_by(refused), rule::R8_1);
    assert_eq!(
        world.stock_state("+4915200000001").await,
        StockState::Available
    );

    world.offer(Terms::trial(), &["+4915100000001"]).await;
    let trial = world.trial(&ann, "DE", NumberKind::Sms).await;
    assert_eq!(trial.number(), &number("+4915100000001"));
    assert_eq!(
        world.stock_state("+4915200000001").await,
        StockState::Available
    );
}

#[tokio::test]
async fn r7_1_restock_notifies_waiting_customers_oldest_first() {
    let world = World::new();
    let bob = world.customer("Bob").await;
    let ann = world.customer("Ann").await;
    let cleo = world.customer("Cleo").await;
    let dan = world.customer("Dan").await;
    let eve = world.customer("Eve").await;
    let berlin = world
        .offer(
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
            vec![number("+493012345601"), number("+493012345602")],
        )
        .await
        .unwrap();

    assert!(restock.listed_now, "stock puts the offer on sale (R7.2)");
    assert!(restock.offer.is_listed());
    let fulfilled: Vec<_> = restock.fulfilled.iter().map(|e| e.id()).collect();
    assert_eq!(fulfilled, vec![bobs.id(), anns.id()]);
    assert!(restock.undelivered.is_empty());
    let recipients: Vec<String> = world.outbox.sent().into_iter().map(|e| e.to).collect();
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
        .restock(berlin.id(), vec![number("+493012345603")])
        .await
        .unwrap();
    assert!(more.fulfilled.is_empty(), "nobody is notified twice");
    assert!(!more.listed_now);
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
        let allocation = world.allocate(&ann, "Telegram", &offer).await;
        if round % 2 == 0 {
            world
                .receive(allocation.number(), "Telegram", "code 12345")
                .await;
        } else {
            world.clock.advance(Duration::minutes(20));
            assert_eq!(world.expire().await.len(), 1);
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
        let allocation = world.allocate(&ann, "whatsapp", &offer).await;
        world
            .receive(allocation.number(), "WhatsApp", "code 999")
            .await;
        whatsapp.push(allocation.number().clone());
    }
    telegram.sort();
    whatsapp.sort();
    assert_eq!(
        telegram, whatsapp,
        "another service may use the same numbers"
    );

    // The store holds the line too: one allocation per (number, service), ever.
    let mut tx = world.store.begin().await.unwrap();
    let mut again = SmsPool::new(Service::new("telegram").unwrap());
    again.add(number(pool[0])).unwrap();
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
    let allocation = world.allocate(&ann, "telegram", &offer).await;
    assert_eq!(world.balance(&ann).await, eur("4.50"));

    let used = world
        .receive(allocation.number(), "Telegram", "Your code: 424242")
        .await;
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
        .receive_sms(&number("+4915299999999"), "Telegram", "hi")
        .await;
    assert!(
        matches!(unknown, Err(Error::NotFound { .. })),
        "{unknown:?}"
    );
}

#[tokio::test]
async fn r10_4_no_sms_while_the_balance_is_negative() {
    let (mut world, ann, offer) = sms_world("1.00", &["+4915200000001"]).await;
    let allocation = world.allocate(&ann, "telegram", &offer).await;
    let mut tx = world.store.begin().await.unwrap();
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

    world.top_up(&ann, "1.50").await;
    let delivered = world.receive(allocation.number(), "Telegram", "code").await;
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
    assert_eq!(world.balance(&ann).await, eur("0.40"));
}

#[tokio::test]
async fn r9_d1_expired_unused_allocation_refunded_once() {
    let (world, ann, offer) = sms_world("10.00", &["+4915200000001", "+4915200000002"]).await;

    let unused = world.allocate(&ann, "telegram", &offer).await;
    assert_eq!(unused.expires_at(), world.now() + Duration::minutes(20));
    assert_eq!(world.balance(&ann).await, eur("9.50"));

    world.clock.advance(Duration::minutes(19));
    assert!(world.expire().await.is_empty());
    world.clock.advance(Duration::minutes(1));
    let expired = world.expire().await;
    assert_eq!(expired.len(), 1);
    assert_eq!(world.balance(&ann).await, eur("10.00"));
    assert!(world.expire().await.is_empty());
    assert_eq!(world.balance(&ann).await, eur("10.00"));
    assert_eq!(world.refunds(), 1);
    let late = world
        .vnum
        .receive_sms(unused.number(), "Telegram", "code")
        .await;
    assert_eq!(refused_by(late), rule::R9_D1);

    let used = world.allocate(&ann, "telegram", &offer).await;
    world.receive(used.number(), "Telegram", "code").await;
    world.clock.advance(Duration::hours(1));
    assert!(world.expire().await.is_empty());
    assert_eq!(
        world.balance(&ann).await,
        eur("9.50"),
        "used ones are not refunded"
    );
    assert_eq!(world.refunds(), 1);
}

/// A mail system that accepts nothing.
struct DownMailer;

#[async_trait::async_trait]
impl Notifier for DownMailer {
    async fn send(&self, email: Email) -> Result<(), NotifyError> {
        Err(NotifyError {
            to: email.to,
            reason: "connection refused".into(),
        })
    }
}

#[tokio::test]
async fn r7_1_a_failed_email_does_not_undo_the_restock() {
    let world = World::new();
    let ann = world.customer("Ann").await;
    let offer = world
        .offer(
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
        .restock(offer.id(), vec![number("+4915100000001")])
        .await
        .unwrap();

    assert_eq!(restock.undelivered, vec![entry.id()]);
    assert_eq!(
        world.stock_state("+4915100000001").await,
        StockState::Available
    );
    let entries = world.vnum.waitlist_of(ann.id).await.unwrap();
    assert!(matches!(
        entries[0].state(),
        WaitlistState::Fulfilled { .. }
    ));
}

#[tokio::test]
async fn r7_1_storage_closes_an_entry_once() {
    let world = World::new();
    let ann = world.customer("Ann").await;
    let entry = world
        .vnum
        .join_waitlist(ann.id, country("DE"), None, None)
        .await
        .unwrap();
    let mut tx = world.store.begin().await.unwrap();
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
    let telegram = world.allocate(&ann, "telegram", &offer).await;

    // An inbound SMS names no service, so the number serves one allocation at a time.
    let busy = world
        .vnum
        .allocate_sms_number(ann.id, "whatsapp", offer.id())
        .await;
    assert_eq!(refused_by(busy), rule::R9_2);
    assert_eq!(
        world.balance(&ann).await,
        eur("4.50"),
        "a refusal charges nothing"
    );

    world.receive(telegram.number(), "Telegram", "code").await;
    let whatsapp = world.allocate(&ann, "whatsapp", &offer).await;
    assert_eq!(whatsapp.number(), telegram.number());
}
