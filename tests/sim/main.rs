//! The simulator agrees with the engine: random small scenarios run through `vnum-sim` and,
//! event for event, through the use cases on the in-memory store with a clock the test
//! moves. Every day's renewal charges (number, period, amount), every order's total and
//! every balance must be the same (R10.2, R10.3, R10.7, R10.D1, R11.2, R11.D1, R1.4), and
//! so must the accounts each month's renewals suspend (R10.4); customers who leave delete
//! their numbers through the use case, which refunds nothing (R10.6).

// A failed step of the replay is a failed test at the line that asked for it.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use proptest::prelude::*;
use rust_decimal::Decimal;
use vnum_app::model::{CustomerKind, EntryKind, LedgerEntry};
use vnum_app::testing::{World, mobile_offer};
use vnum_app::{Config, OrderLineRequest, PlaceOrder};
use vnum_billing::ServiceState;
use vnum_compliance::EndUser;
use vnum_core::{AgreementId, Currency, CustomerId, Money, NumberId, Period, PrepaidTerm};
use vnum_discounts::{BulkAgreement, Percent, TermTiers};
use vnum_lifecycle::{Offer, OfferTerms};
use vnum_sim::{
    AgreementSpec, Behaviour, CustomerSpec, Event, Growth, OfferSpec, Outcome, PortfolioNumber,
    Scenario, Simulation,
};
use vnum_testkit::{country, day, local, phone};

/// The billing zone of the engine; the simulator knows local days only.
const TZ: Tz = chrono_tz::Europe::Moscow;

/// A renewal charge as both sides name it: customer, number, period, amount.
type Charge = (CustomerId, NumberId, Period, Money);

/// The engine replaying a simulation, with the simulator's indices mapped to its ids.
struct Replay {
    world: World,
    customers: Vec<CustomerId>,
    offers: Vec<Offer>,
    numbers: BTreeMap<usize, NumberId>,
    seen: usize,
    /// What the engine charged from the start, by currency: renewals and orders.
    revenue: BTreeMap<Currency, Money>,
    /// Accounts the engine's renewals took below zero, by month and currency (R10.4).
    suspended: BTreeMap<(NaiveDate, Currency), u64>,
}

impl Replay {
    async fn new(scenario: &Scenario) -> Self {
        let first = scenario
            .portfolio
            .iter()
            .map(|n| n.connected_on)
            .fold(scenario.start, NaiveDate::min);
        let world = World::with_config(
            local(TZ, first, 9),
            Config {
                billing_time_zone: TZ,
                term_tiers: scenario.term_tiers,
                ..Config::default()
            },
        );
        world.carrier_stock((0..400).map(|i| phone(&format!("+49151{:08}", 10_000_000 + i))));
        world.carrier_stock((0..400).map(|i| phone(&format!("+43664{:07}", 1_000_000 + i))));
        let mut customers = Vec::new();
        for (i, spec) in scenario.customers.iter().enumerate() {
            let currency = spec.starting_balance.currency();
            let customer = world
                .register(&format!("Customer {i}"), CustomerKind::Person, currency)
                .await;
            if !spec.starting_balance.is_zero() {
                world.top_up(customer.id, spec.starting_balance).await;
            }
            customers.push(customer.id);
        }
        for agreement in &scenario.agreements {
            let agreement = BulkAgreement::new(
                AgreementId(0),
                customers[agreement.customer],
                agreement.min_quantity,
                agreement.per_country.clone(),
                agreement.default_percent,
            )
            .unwrap();
            world.vnum.set_bulk_agreement(agreement).await.unwrap();
        }
        let mut offers = Vec::new();
        for spec in &scenario.offers {
            let terms = OfferTerms {
                setup_fee: spec.setup_fee,
                ..mobile_offer(spec.country, spec.monthly_price)
            };
            offers.push(world.offer(terms).await);
        }
        let mut replay = Self {
            world,
            customers,
            offers,
            numbers: BTreeMap::new(),
            seen: 0,
            revenue: BTreeMap::new(),
            suspended: BTreeMap::new(),
        };
        replay.rent_portfolio(scenario).await;
        replay.new_entries();
        replay
    }

    /// Rents the portfolio as it was rented: each number ordered on its connection day
    /// with its paid periods as the prepaid term, the order's total topped up first so
    /// that the starting balances stay the scenario's. No renewal runs before the start.
    async fn rent_portfolio(&mut self, scenario: &Scenario) {
        let mut portfolio: Vec<(usize, &vnum_sim::PortfolioNumber)> =
            scenario.portfolio.iter().enumerate().collect();
        portfolio.sort_by_key(|(_, n)| n.connected_on);
        for (index, number) in portfolio {
            self.world.go_to(number.connected_on, 9);
            let term = PrepaidTerm::from_months(number.paid_periods).unwrap();
            let customer = self.customers[number.customer];
            let line = OrderLineRequest {
                offer: self.offers[number.offer].id(),
                quantity: 1,
                term,
                city: None,
                number: None,
            };
            let quote = self.world.vnum.quote(customer, &[line]).await.unwrap();
            self.world.top_up(customer, quote.total()).await;
            let placed = self
                .place(number.customer, number.offer, 1, term)
                .await
                .unwrap();
            let billing = placed[0].billing.as_ref().unwrap();
            assert_eq!(billing.connected_on, number.connected_on);
            self.numbers.insert(index, placed[0].id);
        }
    }

    /// The ledger entries written since the last call.
    fn new_entries(&mut self) -> Vec<LedgerEntry> {
        let all = self.world.memory().all_entries();
        let new = all[self.seen..].to_vec();
        self.seen = all.len();
        new
    }

    /// Runs `day` on the engine: the renewal at 09:00, then the day's payments and orders
    /// as the simulator had them, checking each against the engine's ledger.
    async fn day(&mut self, day: NaiveDate, events: &[&Event]) {
        self.world.go_to(day, 9);
        let report = self.world.vnum.run_renewals().await.unwrap();
        for customer in report.suspended {
            let balance = self.world.balance(customer).await;
            let month = day.with_day(1).unwrap();
            *self
                .suspended
                .entry((month, balance.currency()))
                .or_default() += 1;
        }
        let mut charged: Vec<Charge> = self
            .new_entries()
            .into_iter()
            .map(|entry| {
                assert_eq!(entry.kind, EntryKind::Charge, "{entry:?}");
                (
                    entry.customer,
                    entry.number.unwrap(),
                    entry.period.unwrap(),
                    -entry.amount,
                )
            })
            .collect();
        let mut expected: Vec<Charge> = events
            .iter()
            .filter_map(|event| match event {
                Event::Charged {
                    customer,
                    number,
                    period,
                    amount,
                    ..
                } => Some((
                    self.customers[*customer],
                    self.numbers[number],
                    *period,
                    *amount,
                )),
                _ => None,
            })
            .collect();
        for (_, _, _, amount) in &charged {
            self.earn(*amount);
        }
        charged.sort_by_key(|(c, n, p, _)| (*c, *n, p.start()));
        expected.sort_by_key(|(c, n, p, _)| (*c, *n, p.start()));
        assert_eq!(charged, expected, "the renewal charges of {day}");

        for event in events {
            match event {
                Event::Charged { .. } => {}
                Event::ToppedUp {
                    customer, amount, ..
                } => {
                    self.world.top_up(self.customers[*customer], *amount).await;
                    self.new_entries();
                }
                Event::Ordered {
                    customer,
                    offer,
                    quantity,
                    term,
                    total,
                    first_number,
                    ..
                } => {
                    let placed = self
                        .place(*customer, *offer, *quantity, *term)
                        .await
                        .unwrap_or_else(|e| panic!("the order of {event:?} was refused: {e}"));
                    assert_eq!(placed.len(), *quantity as usize, "{event:?}");
                    for (i, number) in placed.into_iter().enumerate() {
                        let billing = number.billing.as_ref().unwrap();
                        assert_eq!(billing.connected_on, day, "{event:?}");
                        self.numbers.insert(first_number + i, number.id);
                    }
                    let taken: Vec<Money> = self.new_entries().iter().map(|e| -e.amount).collect();
                    assert_eq!(taken, vec![*total], "what the order of {event:?} took");
                    self.earn(*total);
                }
                Event::Deleted {
                    customer, number, ..
                } => {
                    self.world
                        .vnum
                        .delete_number(self.customers[*customer], self.numbers[number])
                        .await
                        .unwrap();
                    assert!(
                        self.new_entries().is_empty(),
                        "R10.6: {event:?} refunds nothing"
                    );
                }
                Event::Refused {
                    customer,
                    offer,
                    quantity,
                    term,
                    ..
                } => {
                    let refused = self.place(*customer, *offer, *quantity, *term).await;
                    assert!(refused.is_err(), "the engine accepted {event:?}");
                    assert!(self.new_entries().is_empty(), "{event:?}");
                }
            }
        }
    }

    fn earn(&mut self, amount: Money) {
        let sum = self
            .revenue
            .entry(amount.currency())
            .or_insert_with(|| Money::zero(amount.currency()));
        *sum = sum.checked_add(amount).unwrap();
    }

    async fn place(
        &self,
        customer: usize,
        offer: usize,
        quantity: u32,
        term: PrepaidTerm,
    ) -> Result<Vec<vnum_app::model::NumberRecord>, vnum_app::Error> {
        self.world
            .vnum
            .place_order(PlaceOrder {
                customer: self.customers[customer],
                lines: vec![OrderLineRequest {
                    offer: self.offers[offer].id(),
                    quantity,
                    term,
                    city: None,
                    number: None,
                }],
                end_user: EndUser::Personal,
                idempotency_key: None,
            })
            .await
            .map(|placed| placed.numbers)
    }

    /// The end balances and states are the engine's; the series' revenue is what the
    /// engine charged, and the last month's debt is the engine's balances below zero.
    async fn check_end(&self, outcome: &Outcome) {
        let mut debt: BTreeMap<Currency, Money> = BTreeMap::new();
        for (i, end) in outcome.customers.iter().enumerate() {
            let balance = self.world.balance(self.customers[i]).await;
            assert_eq!(balance, end.balance, "the balance of customer {i}");
            assert_eq!(ServiceState::of_balance(balance), end.state, "customer {i}");
            let owed = debt
                .entry(balance.currency())
                .or_insert_with(|| Money::zero(balance.currency()));
            if balance.is_negative() {
                *owed = owed.checked_sub(balance).unwrap();
            }
        }
        for (currency, owed) in debt {
            let rows: Vec<_> = outcome
                .series
                .iter()
                .filter(|row| row.currency == currency)
                .collect();
            let revenue = Money::sum(currency, rows.iter().map(|row| row.revenue)).unwrap();
            let charged = self
                .revenue
                .get(&currency)
                .copied()
                .unwrap_or(Money::zero(currency));
            assert_eq!(revenue, charged, "the revenue in {currency}");
            for row in &rows {
                let suspended = self.suspended.get(&(row.month, currency)).copied();
                assert_eq!(
                    row.suspended,
                    suspended.unwrap_or(0),
                    "accounts suspended in {currency} in {}",
                    row.month
                );
            }
            let last = rows.last().unwrap();
            assert_eq!(
                last.debt_outstanding, owed,
                "the debt in {currency} at the end"
            );
        }
    }
}

/// Runs `scenario` with `seed` on the simulator, replays it on the engine, and returns the
/// simulator's outcome.
fn agree(scenario: Scenario, seed: u64) -> Outcome {
    let simulation = Simulation::new(scenario).unwrap();
    let mut events = Vec::new();
    let outcome = simulation
        .run_with(seed, |event| events.push(event.clone()))
        .unwrap();
    let scenario = simulation.scenario();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut replay = Replay::new(scenario).await;
        let mut today = scenario.start;
        for _ in 0..scenario.days {
            let of_day: Vec<&Event> = events.iter().filter(|e| day_of(e) == today).collect();
            replay.day(today, &of_day).await;
            today = today.succ_opt().unwrap();
        }
        replay.check_end(&outcome).await;
    });
    outcome
}

fn day_of(event: &Event) -> NaiveDate {
    match event {
        Event::Charged { day, .. }
        | Event::ToppedUp { day, .. }
        | Event::Ordered { day, .. }
        | Event::Deleted { day, .. }
        | Event::Refused { day, .. } => *day,
    }
}

fn cents(cents: i64, currency: Currency) -> Money {
    Money::from_minor_units(cents, currency)
}

fn percent(tenths: i64) -> Percent {
    Percent::new(Decimal::new(tenths, 1)).unwrap()
}

/// A customer as drawn: euros or dollars, a starting balance in cents, a behaviour.
fn customer() -> impl Strategy<Value = CustomerSpec> {
    let behaviour = prop_oneof![
        Just(Behaviour::PaysOnTime),
        (1..12_u32).prop_map(|days| Behaviour::PaysLate { days }),
        (0..120_u32).prop_map(|after_days| Behaviour::StopsPaying { after_days }),
        (0..120_u32).prop_map(|after_days| Behaviour::Leaves { after_days }),
    ];
    (any::<bool>(), 0..6_000_i64, behaviour).prop_map(|(usd, balance, behaviour)| {
        let currency = if usd { Currency::USD } else { Currency::EUR };
        CustomerSpec {
            starting_balance: cents(balance, currency),
            behaviour,
        }
    })
}

/// A scenario as drawn: 1 to 3 customers, 1 to 3 offers priced in their currencies, 1 to
/// 3 growths, term tiers with tenths of a percent, 20 to 140 days from a start between
/// 2027 and 2030 (a leap February, months of 28 to 31 days), up to 5 numbers rented
/// before the start, and bulk agreements (R11.2) for some customers.
fn scenario() -> impl Strategy<Value = Scenario> {
    let offer = (
        any::<usize>(),
        any::<bool>(),
        100..2_500_i64,
        0..1_500_i64,
        any::<bool>(),
    );
    let growth = (any::<usize>(), 0..4_u32, 1..4_u32, 0..4_usize);
    let rented = (any::<usize>(), any::<usize>(), 0..400_u64, 0..4_usize);
    let bulk = prop::option::of((
        1..6_u32,
        prop::option::of(0..300_i64),
        prop::option::of(0..300_i64),
    ));
    (
        0..1_100_u64,
        20..140_u32,
        prop::collection::vec(customer(), 1..4),
        prop::collection::vec(offer, 1..4),
        prop::collection::vec(growth, 1..4),
        (0..300_i64, 0..300_i64, 0..300_i64),
        prop::collection::vec(rented, 0..6),
        prop::collection::vec(bulk, 3),
    )
        .prop_map(
            |(offset, days, customers, offers, growth, tiers, rented, bulk)| {
                let start = day(2026, 1, 1) + chrono::Days::new(offset + 400);
                let currencies: Vec<Currency> = customers
                    .iter()
                    .map(|c| c.starting_balance.currency())
                    .collect();
                let offers: Vec<OfferSpec> = offers
                    .into_iter()
                    .map(|(pick, austria, monthly, setup, free_setup)| {
                        let currency = currencies[pick % currencies.len()];
                        OfferSpec {
                            country: country(if austria { "AT" } else { "DE" }),
                            monthly_price: cents(monthly, currency),
                            setup_fee: cents(if free_setup { 0 } else { setup }, currency),
                        }
                    })
                    .collect();
                let growth = growth
                    .into_iter()
                    .map(|(pick, orders, numbers, term)| Growth {
                        offer: pick % offers.len(),
                        orders_per_month: orders,
                        numbers_per_order: numbers,
                        term: PrepaidTerm::ALL[term],
                    })
                    .collect();
                // A rented number of a customer, of an offer in the customer's currency,
                // connected up to 400 days before the start with a prepaid term paid.
                let portfolio = rented
                    .into_iter()
                    .filter_map(|(who, which, before, term)| {
                        let customer = who % customers.len();
                        let currency = customers[customer].starting_balance.currency();
                        let of_currency: Vec<usize> = (0..offers.len())
                            .filter(|o| offers[*o].monthly_price.currency() == currency)
                            .collect();
                        let offer = *of_currency.get(which % of_currency.len().max(1))?;
                        Some(PortfolioNumber {
                            customer,
                            offer,
                            connected_on: start - chrono::Days::new(before),
                            paid_periods: PrepaidTerm::ALL[term].months(),
                        })
                    })
                    .collect();
                // A bulk agreement for some customers: a minimum of 1 to 5 numbers, a
                // percentage for German numbers, one for the others, or neither.
                let agreements = bulk
                    .into_iter()
                    .take(customers.len())
                    .enumerate()
                    .filter_map(|(customer, bulk)| {
                        let (min_quantity, germany, others) = bulk?;
                        Some(AgreementSpec {
                            customer,
                            min_quantity,
                            per_country: germany
                                .map(|p| (country("DE"), percent(p)))
                                .into_iter()
                                .collect(),
                            default_percent: others.map(percent),
                        })
                    })
                    .collect();
                Scenario {
                    start,
                    days,
                    offers,
                    customers,
                    portfolio,
                    growth,
                    term_tiers: TermTiers::new(
                        percent(tiers.0),
                        percent(tiers.1),
                        percent(tiers.2),
                    ),
                    agreements,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// R10.2, R10.3, R10.D1, R11.2, R11.D1, R1.4: every charge, order and balance of a simulated
    /// run is the engine's.
    #[test]
    fn r10_2_r11_2_r11_d1_the_simulator_agrees_with_the_engine(scenario in scenario(), seed in any::<u64>()) {
        agree(scenario, seed);
    }
}

/// R10.D1, R10.4, R10.7: numbers connected around the end of January of a leap year, a
/// customer who pays late, one who stops, one who leaves: the stories the random runs may
/// miss, on both sides.
#[test]
fn r10_d1_r10_4_r10_7_month_ends_late_payers_debt_and_leavers_agree_with_the_engine() {
    let eur = |c| cents(c, Currency::EUR);
    let scenario = Scenario {
        start: day(2028, 1, 29),
        days: 100,
        offers: vec![OfferSpec {
            country: country("DE"),
            monthly_price: eur(1_000),
            setup_fee: eur(250),
        }],
        customers: vec![
            CustomerSpec {
                starting_balance: eur(0),
                behaviour: Behaviour::PaysLate { days: 7 },
            },
            CustomerSpec {
                starting_balance: eur(5_000),
                behaviour: Behaviour::StopsPaying { after_days: 20 },
            },
            CustomerSpec {
                starting_balance: eur(3_000),
                behaviour: Behaviour::Leaves { after_days: 45 },
            },
        ],
        portfolio: Vec::new(),
        growth: vec![Growth {
            offer: 0,
            orders_per_month: 6,
            numbers_per_order: 2,
            term: PrepaidTerm::OneMonth,
        }],
        term_tiers: TermTiers::default(),
        agreements: Vec::new(),
    };
    let outcome = agree(scenario, 7);
    let charged: u64 = outcome.series.iter().map(|row| row.numbers_connected).sum();
    assert!(charged > 0, "{outcome:?}");
    assert!(
        outcome.series.iter().any(|row| row.suspended > 0),
        "someone went into debt: {outcome:?}"
    );
    assert!(
        outcome.series.iter().any(|row| row.numbers_lost > 0),
        "someone left with numbers: {outcome:?}"
    );
}
