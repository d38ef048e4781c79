//! The application on in-memory ports, for the tests of every crate that drives the use
//! cases: `World` is one [`Vnum`] with a clock the test moves and a handle on each fake
//! port, plus the steps most stories begin with (register a customer, credit it, add an
//! offer and stock, place an order).
//!
//! Behind the `test-support` feature: a test suite takes
//! `vnum-app = { workspace = true, features = ["test-support"] }` as a dev-dependency.
//! Values (`eur("12.50")`, `day(2026, 3, 2)`, `country("DE")`) come from `vnum-testkit`,
//! which the pure crates' tests use too; this module builds on the application's types
//! only, so that `vnum-app` needs nothing more to offer it.
//!
//! Every step panics when its use case fails: a world's step is the setting of a story, and
//! a setting that fails is a failed test at the line that asked for it. Stories that are
//! about a failure call `world.vnum` themselves and look at the error.

// The steps panic on purpose (see above): a test's setup that fails is a failed test.
#![allow(clippy::missing_panics_doc, clippy::missing_errors_doc)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use vnum_compliance::{DocumentRequirement, EndUser};
use vnum_core::{
    CarrierId, CountryCode, Currency, CustomerId, Money, OfferId, PhoneNumber, PrepaidTerm,
};
use vnum_lifecycle::{NumberKind, Offer, OfferTerms, ProvisioningClass};

use crate::memory::{
    FakeCarrier, InMemoryMedia, InMemoryStore, ManualClock, NoConversion, Outbox,
    RecordingSipEngine,
};
use crate::model::{Customer, CustomerKind, NumberRecord};
use crate::ports::{Clock, Store};
use crate::{Config, OrderLineRequest, PlaceOrder, Ports, RegisterCustomer, TopUp, Vnum};

/// The application on in-memory ports (or on a store a suite brings), with a clock that
/// moves only when the test moves it and a handle on each fake port.
pub struct World {
    /// The application, on the ports below.
    pub vnum: Vnum,
    /// The ports `vnum` runs on, to build a second application on the same ones.
    pub ports: Ports,
    /// The clock: [`World::set_time`], [`World::advance`] and [`World::go_to`] move it.
    pub clock: ManualClock,
    /// Every email sent.
    pub outbox: Outbox,
    /// The carrier: its pools, requests and releases.
    pub carrier: FakeCarrier,
    /// What the SIP engine was told.
    pub sip: RecordingSipEngine,
    /// Greeting files.
    pub media: InMemoryMedia,
    /// The in-memory store, when the world runs on one.
    memory: Option<InMemoryStore>,
    /// The last idempotency key the world's top-ups used.
    keys: AtomicU64,
}

impl World {
    /// The application on an in-memory store with the default configuration, its clock
    /// standing at `now`.
    #[must_use]
    pub fn new(now: DateTime<Utc>) -> Self {
        Self::with_config(now, Config::default())
    }

    /// [`World::new`] with `config`.
    #[must_use]
    pub fn with_config(now: DateTime<Utc>, config: Config) -> Self {
        let store = InMemoryStore::new();
        let mut world = Self::on_store(Arc::new(store.clone()), now, config);
        world.memory = Some(store);
        world
    }

    /// The application on `store` (a SQLite or PostgreSQL store of a storage suite), every
    /// other port an in-memory fake: the use cases as production runs them, on a real store.
    #[must_use]
    pub fn on_store(store: Arc<dyn Store>, now: DateTime<Utc>, config: Config) -> Self {
        let clock = ManualClock::new(now);
        let outbox = Outbox::new();
        let carrier = FakeCarrier::new();
        let sip = RecordingSipEngine::new();
        let media = InMemoryMedia::new();
        let ports = Ports {
            store,
            clock: Arc::new(clock.clone()),
            notifier: Arc::new(outbox.clone()),
            carrier: Arc::new(carrier.clone()),
            sip: Arc::new(sip.clone()),
            media: Arc::new(media.clone()),
            audio: Arc::new(NoConversion),
        };
        Self {
            vnum: Vnum::new(ports.clone(), config),
            ports,
            clock,
            outbox,
            carrier,
            sip,
            media,
            memory: None,
            keys: AtomicU64::new(0),
        }
    }

    /// The in-memory store, to read what no use case shows (every ledger entry).
    ///
    /// # Panics
    /// When the world runs on a store of [`World::on_store`].
    #[must_use]
    pub fn memory(&self) -> &InMemoryStore {
        self.memory
            .as_ref()
            .expect("this world runs on a store of its suite, not the in-memory one")
    }

    /// Now, on the world's clock.
    #[must_use]
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The calendar day of now in the billing time zone (R10.D2).
    #[must_use]
    pub fn today(&self) -> NaiveDate {
        self.now()
            .with_timezone(&self.vnum.config().billing_time_zone)
            .date_naive()
    }

    /// Moves the clock to `now`.
    pub fn set_time(&self, now: DateTime<Utc>) {
        self.clock.set(now);
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// Moves the clock to `hour` hours after the start of `day` in the billing time zone:
    /// `hour`:00 there, except on the day of a DST change.
    pub fn go_to(&self, day: NaiveDate, hour: u32) {
        let start = vnum_billing::start_of_day(day, self.vnum.config().billing_time_zone);
        self.set_time(start + Duration::hours(i64::from(hour)));
    }

    /// Runs the renewals at 09:00 of every day after today up to `until`, as the server's
    /// daily job does, and leaves the clock there.
    pub async fn run_renewals_until(&self, until: NaiveDate) {
        let mut today = self.today();
        while today < until {
            today = today.succ_opt().expect("a day after today");
            self.go_to(today, 9);
            self.vnum.run_renewals().await.expect("the renewal run");
        }
    }

    /// Registers a person paying in euros, as `name`.
    pub async fn customer(&self, name: &str) -> Customer {
        self.register(name, CustomerKind::Person, Currency::EUR)
            .await
    }

    /// Registers `name`, a person or a company, paying in `currency`; the email is the name
    /// in lower case with dots for spaces, at example.com.
    pub async fn register(&self, name: &str, kind: CustomerKind, currency: Currency) -> Customer {
        self.vnum
            .register_customer(RegisterCustomer {
                name: name.into(),
                email: format!("{}@example.com", name.to_lowercase().replace(' ', ".")),
                kind,
                currency,
            })
            .await
            .expect("the registration")
    }

    /// Credits `amount` to `customer` as an operator's top-up, each under a key of its own,
    /// and returns the balance afterwards.
    pub async fn top_up(&self, customer: CustomerId, amount: Money) -> Money {
        let key = self.keys.fetch_add(1, Ordering::Relaxed) + 1;
        self.vnum
            .top_up(TopUp {
                customer,
                amount,
                idempotency_key: format!("key-{key}"),
            })
            .await
            .expect("the top-up")
            .balance
    }

    /// Delivers the events due, as the server's worker does after every commit, and
    /// answers every event emailed so far, oldest first.
    pub async fn emailed(&self) -> Vec<crate::model::Event> {
        self.vnum
            .deliver_events()
            .await
            .expect("the events are delivered");
        self.outbox.sent()
    }

    /// The balance of `customer`.
    pub async fn balance(&self, customer: CustomerId) -> Money {
        self.vnum
            .balance(customer)
            .await
            .expect("the balance")
            .balance
    }

    /// Enters `terms` into the catalogue.
    pub async fn offer(&self, terms: OfferTerms) -> Offer {
        self.vnum.create_offer(terms).await.expect("the offer")
    }

    /// Enters `terms` into the catalogue and holds `numbers` in the offer's stock.
    pub async fn offer_with_stock(&self, terms: OfferTerms, numbers: Vec<PhoneNumber>) -> Offer {
        let offer = self.offer(terms).await;
        self.vnum
            .add_stock(offer.id(), numbers)
            .await
            .expect("the stock");
        offer
    }

    /// Makes the carrier connect at once (R2.1) and gives it `numbers`, each in the pool of
    /// its country.
    pub fn carrier_stock(&self, numbers: impl IntoIterator<Item = PhoneNumber>) {
        self.carrier.set_instant(true);
        self.carrier.stock(numbers);
    }

    /// Orders `quantity` numbers of `offer` for `months` months paid in advance, used by a
    /// private person (the documents of R3.2 are a person's), and returns them as they stand after the order (active when the
    /// carrier connects at once).
    pub async fn order(
        &self,
        customer: CustomerId,
        offer: &Offer,
        quantity: u32,
        months: u32,
    ) -> Vec<NumberRecord> {
        self.vnum
            .place_order(PlaceOrder {
                customer,
                lines: vec![OrderLineRequest {
                    offer: offer.id(),
                    quantity,
                    term: PrepaidTerm::from_months(months).expect("1, 3, 6 or 12 months"),
                    city: offer.city().map(|c| c.as_str().to_owned()),
                    number: None,
                }],
                end_user: EndUser::Personal,
                idempotency_key: None,
            })
            .await
            .expect("the order")
            .numbers
    }

    /// Orders one number of `offer` for `months` months; as [`World::order`].
    pub async fn buy(&self, customer: CustomerId, offer: &Offer, months: u32) -> NumberRecord {
        self.order(customer, offer, 1, months).await.remove(0)
    }
}

/// The terms of a listed mobile offer of `country` at `monthly` a month: no setup fee, no
/// documents, connected as soon as the carrier answers (R2.1), SIP forwarding free, no
/// CallerID add-on, no free test. A story changes what it is about with `..`.
#[must_use]
pub fn mobile_offer(country: CountryCode, monthly: Money) -> OfferTerms {
    OfferTerms {
        id: OfferId(0),
        country,
        city: None,
        kind: NumberKind::Mobile,
        carrier: CarrierId(1),
        monthly_price: monthly,
        setup_fee: Money::zero(monthly.currency()),
        provisioning: ProvisioningClass::Instant,
        documents: DocumentRequirement::none(),
        caller_id_monthly: None,
        sip_forwarding_free: true,
        trial_allowed: false,
        listed: true,
    }
}
