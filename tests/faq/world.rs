//! The world the FAQ's stories run in: the application on in-memory adapters and a clock
//! the story moves by hand.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use vnum_app::memory::{
    FakeCarrier, InMemoryMedia, InMemoryStore, ManualClock, Outbox, RecordingSipEngine,
};
use vnum_app::model::{Customer, CustomerKind, NumberRecord};
use vnum_app::ports::Clock;
use vnum_app::{Config, OrderLineRequest, PlaceOrder, Ports, RegisterCustomer, TopUp, Vnum};
use vnum_compliance::{DocumentKind, DocumentRequirement, EndUser};
use vnum_core::{
    CarrierId, CountryCode, Currency, Money, NumberId, OfferId, PhoneNumber, PrepaidTerm,
};
use vnum_lifecycle::{City, NumberKind, Offer, OfferTerms, ProvisioningClass};

/// The billing time zone of every story: the provider's, Moscow (UTC+3, no DST).
pub(crate) const TZ: Tz = chrono_tz::Europe::Moscow;

pub(crate) struct World {
    pub(crate) vnum: Vnum,
    pub(crate) clock: ManualClock,
    pub(crate) store: InMemoryStore,
    pub(crate) outbox: Outbox,
    pub(crate) carrier: FakeCarrier,
    pub(crate) sip: RecordingSipEngine,
    keys: u32,
}

impl World {
    /// A world whose clock shows 09:00 on `day` in the billing time zone.
    pub(crate) fn on(day: NaiveDate) -> Self {
        Self::with_config(
            day,
            Config {
                billing_time_zone: TZ,
                ..Config::default()
            },
        )
    }

    /// A world with its own configuration.
    pub(crate) fn with_config(day: NaiveDate, config: Config) -> Self {
        let clock = ManualClock::new(at(day, 9));
        let store = InMemoryStore::new();
        let outbox = Outbox::new();
        let carrier = FakeCarrier::new();
        let sip = RecordingSipEngine::new();
        let ports = Ports {
            store: Arc::new(store.clone()),
            clock: Arc::new(clock.clone()),
            notifier: Arc::new(outbox.clone()),
            carrier: Arc::new(carrier.clone()),
            sip: Arc::new(sip.clone()),
            media: Arc::new(InMemoryMedia::new()),
        };
        Self {
            vnum: Vnum::new(ports, config),
            clock,
            store,
            outbox,
            carrier,
            sip,
            keys: 0,
        }
    }

    /// Moves the clock to `hour`:00 on `day`, billing time.
    pub(crate) fn go_to(&self, day: NaiveDate, hour: u32) {
        self.clock.set(at(day, hour));
    }

    pub(crate) async fn customer(&self, name: &str) -> Customer {
        self.vnum
            .register_customer(RegisterCustomer {
                name: name.into(),
                email: format!("{}@example.com", name.to_lowercase().replace(' ', ".")),
                kind: CustomerKind::Person,
                currency: Currency::EUR,
            })
            .await
            .expect("registration")
    }

    pub(crate) async fn top_up(&mut self, customer: &Customer, amount: &str) -> Money {
        self.keys += 1;
        self.vnum
            .top_up(TopUp {
                customer: customer.id,
                amount: eur(amount),
                idempotency_key: format!("key-{}", self.keys),
            })
            .await
            .expect("top-up")
            .balance
    }

    pub(crate) async fn balance(&self, customer: &Customer) -> Money {
        self.vnum
            .balance(customer.id)
            .await
            .expect("balance")
            .balance
    }
}

pub(crate) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// `hour`:00 on `day` in the billing time zone, as a UTC instant.
pub(crate) fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    TZ.from_local_datetime(&day.and_hms_opt(hour, 0, 0).expect("a valid hour"))
        .single()
        .expect("Moscow has no DST")
        .with_timezone(&Utc)
}

pub(crate) fn eur(amount: &str) -> Money {
    Money::parse(&format!("{amount} EUR")).expect("an amount")
}

/// The offers of the stories' catalogue.
pub(crate) struct Catalogue {
    /// German mobile numbers, connected instantly, 10 EUR a month, CallerID 2 EUR.
    pub(crate) de_mobile: Offer,
    /// Austrian mobile numbers, connected instantly, 8 EUR a month.
    pub(crate) at_mobile: Offer,
    /// Berlin landline numbers: the carrier needs a passport and a proof of address.
    pub(crate) berlin: Offer,
}

impl World {
    pub(crate) async fn catalogue(&self) -> Catalogue {
        self.carrier.set_instant(true);
        self.carrier.stock(
            (0..40).map(|i| PhoneNumber::parse(&format!("+49151{:08}", 10_000_000 + i)).unwrap()),
        );
        self.carrier.stock(
            (0..40).map(|i| PhoneNumber::parse(&format!("+43664{:07}", 1_000_000 + i)).unwrap()),
        );
        self.carrier.stock_in(
            Some("Berlin"),
            (0..5).map(|i| PhoneNumber::parse(&format!("+4930{:08}", 12_345_600 + i)).unwrap()),
        );
        let de_mobile = self
            .offer(
                "DE",
                None,
                "10.00",
                Some("2.00"),
                DocumentRequirement::none(),
            )
            .await;
        let at_mobile = self
            .offer("AT", None, "8.00", None, DocumentRequirement::none())
            .await;
        let documents = DocumentRequirement::new(
            [DocumentKind::PassportOrId, DocumentKind::ProofOfAddress],
            [DocumentKind::CompanyRegistration],
        );
        let berlin = self
            .offer("DE", Some("Berlin"), "12.00", None, documents)
            .await;
        Catalogue {
            de_mobile,
            at_mobile,
            berlin,
        }
    }

    async fn offer(
        &self,
        country: &str,
        city: Option<&str>,
        monthly: &str,
        caller_id: Option<&str>,
        documents: DocumentRequirement,
    ) -> Offer {
        let terms = OfferTerms {
            id: OfferId(0),
            country: CountryCode::parse(country).unwrap(),
            city: city.map(|c| City::new(c).unwrap()),
            kind: if city.is_some() {
                NumberKind::Landline
            } else {
                NumberKind::Mobile
            },
            carrier: CarrierId(1),
            monthly_price: eur(monthly),
            setup_fee: eur("0.00"),
            provisioning: if documents.is_none() {
                ProvisioningClass::Instant
            } else {
                ProvisioningClass::AfterDocuments
            },
            documents,
            caller_id_monthly: caller_id.map(eur),
            sip_forwarding_free: true,
            trial_allowed: false,
            listed: true,
        };
        self.vnum.create_offer(terms).await.expect("offer")
    }

    /// Buys one number of `offer` for `term` months and returns it as it stands after
    /// the order (active when the carrier connects instantly).
    pub(crate) async fn buy(&self, customer: &Customer, offer: &Offer, term: u32) -> NumberRecord {
        self.buy_many(customer, offer, 1, term).await.remove(0)
    }

    pub(crate) async fn buy_many(
        &self,
        customer: &Customer,
        offer: &Offer,
        quantity: u32,
        term: u32,
    ) -> Vec<NumberRecord> {
        self.vnum
            .place_order(PlaceOrder {
                customer: customer.id,
                lines: vec![OrderLineRequest {
                    offer: offer.id(),
                    quantity,
                    term: PrepaidTerm::from_months(term).unwrap(),
                    city: offer.city().map(|c| c.as_str().to_owned()),
                    number: None,
                }],
                end_user: EndUser::Personal,
                idempotency_key: None,
            })
            .await
            .expect("order")
            .numbers
    }

    /// Runs the renewals at 09:00 of every day from the day after the clock's day up to
    /// `until`, as the server's daily job does.
    pub(crate) async fn run_days_until(&self, until: NaiveDate) {
        let mut today = self.clock.now().with_timezone(&TZ).date_naive();
        while today < until {
            today = today.succ_opt().unwrap();
            self.go_to(today, 9);
            self.vnum.run_renewals().await.expect("renewal run");
        }
    }

    /// Every charge of a number's monthly fee, as (period start, amount).
    pub(crate) fn monthly_charges(&self, number: NumberId) -> Vec<(NaiveDate, Money)> {
        self.store
            .all_entries()
            .into_iter()
            .filter(|e| e.number == Some(number) && e.period.is_some())
            .map(|e| (e.period.unwrap().start(), e.amount))
            .collect()
    }
}
