//! Stories of the simulator alone, named after the rules they show. That it agrees with the
//! use cases is the workspace's `tests/sim` suite.

#![allow(clippy::unwrap_used)]

use vnum_billing::ServiceState;
use vnum_core::{Currency, Money, PrepaidTerm};
use vnum_discounts::{Percent, TermTiers};
use vnum_sim::{
    AgreementSpec, Behaviour, CustomerSpec, Event, Growth, OfferSpec, PortfolioNumber, Scenario,
    ScenarioError, Simulation,
};
use vnum_testkit::{country, day, eur, eur_cents};

fn offer() -> OfferSpec {
    OfferSpec {
        country: country("DE"),
        monthly_price: eur("10.00"),
        setup_fee: eur("0.00"),
    }
}

/// One customer with `balance` and `behaviour`, one number connected on `connected_on`
/// with its first month paid, run for `days` days from `start`.
fn one_number(
    connected_on: chrono::NaiveDate,
    start: chrono::NaiveDate,
    days: u32,
    balance: Money,
    behaviour: Behaviour,
) -> Scenario {
    Scenario {
        start,
        days,
        offers: vec![offer()],
        customers: vec![CustomerSpec {
            starting_balance: balance,
            behaviour,
        }],
        portfolio: vec![PortfolioNumber {
            customer: 0,
            offer: 0,
            connected_on,
            paid_periods: 1,
        }],
        growth: Vec::new(),
        term_tiers: TermTiers::default(),
        agreements: Vec::new(),
    }
}

fn charge_days(scenario: Scenario) -> Vec<chrono::NaiveDate> {
    let mut days = Vec::new();
    Simulation::new(scenario)
        .unwrap()
        .run_with(1, |event| {
            if let Event::Charged { day, period, .. } = event {
                assert_eq!(period.start(), *day);
                days.push(*day);
            }
        })
        .unwrap();
    days
}

#[test]
fn r10_2_connected_20_january_charged_every_20th() {
    let scenario = one_number(
        day(2027, 1, 20),
        day(2027, 1, 20),
        100,
        eur("100.00"),
        Behaviour::PaysOnTime,
    );
    assert_eq!(
        charge_days(scenario),
        vec![day(2027, 2, 20), day(2027, 3, 20), day(2027, 4, 20)]
    );
}

#[test]
fn r10_d1_connected_31_january_charged_on_the_last_day_of_shorter_months() {
    let scenario = one_number(
        day(2028, 1, 31),
        day(2028, 2, 1),
        121,
        eur("100.00"),
        Behaviour::PaysOnTime,
    );
    assert_eq!(
        charge_days(scenario),
        vec![
            day(2028, 2, 29),
            day(2028, 3, 31),
            day(2028, 4, 30),
            day(2028, 5, 31)
        ]
    );
}

#[test]
fn r10_3_r10_4_a_customer_who_stops_paying_is_charged_into_debt_and_stays_suspended() {
    let scenario = one_number(
        day(2027, 1, 20),
        day(2027, 1, 20),
        100,
        eur("5.00"),
        Behaviour::StopsPaying { after_days: 0 },
    );
    let outcome = Simulation::new(scenario).unwrap().run(1).unwrap();
    // Three fees of 10.00 against 5.00: 25.00 of debt, charged all the same (R10.3).
    let end = outcome.customers[0];
    assert_eq!(end.balance, eur("-25.00"));
    assert_eq!(end.state, ServiceState::Suspended);
    let february = &outcome.series[1];
    assert_eq!(february.new_debt, eur("5.00"));
    assert_eq!(february.suspended, 1);
    assert_eq!(february.numbers_active, 0, "R10.4: no traffic in debt");
    let last = outcome.series.last().unwrap();
    assert_eq!(last.debt_outstanding, eur("25.00"));
    let debt: Money = Money::sum(Currency::EUR, outcome.series.iter().map(|r| r.new_debt)).unwrap();
    assert_eq!(debt, eur("25.00"));
}

#[test]
fn r10_5_a_late_payer_is_suspended_for_its_days_and_the_charge_day_does_not_move() {
    let scenario = one_number(
        day(2027, 1, 20),
        day(2027, 1, 20),
        70,
        eur("0.00"),
        Behaviour::PaysLate { days: 7 },
    );
    let mut events = Vec::new();
    let outcome = Simulation::new(scenario)
        .unwrap()
        .run_with(1, |event| events.push(event.clone()))
        .unwrap();
    let top_ups: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::ToppedUp { day, amount, .. } => Some((*day, *amount)),
            _ => None,
        })
        .collect();
    assert_eq!(
        top_ups,
        vec![
            (day(2027, 2, 27), eur("10.00")),
            (day(2027, 3, 27), eur("10.00"))
        ]
    );
    assert_eq!(
        charge_days_of(&events),
        vec![day(2027, 2, 20), day(2027, 3, 20)]
    );
    assert_eq!(outcome.customers[0].balance, eur("0.00"));
    assert_eq!(outcome.series[1].suspended, 1);
    assert_eq!(outcome.series[1].resumed, 1);
}

fn charge_days_of(events: &[Event]) -> Vec<chrono::NaiveDate> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Charged { day, .. } => Some(*day),
            _ => None,
        })
        .collect()
}

#[test]
fn r11_1_a_prepaid_term_is_quoted_with_its_discount() {
    let mut scenario = one_number(
        day(2027, 1, 20),
        day(2027, 1, 1),
        31,
        eur("1000.00"),
        Behaviour::PaysOnTime,
    );
    scenario.portfolio.clear();
    scenario.growth = vec![Growth {
        offer: 0,
        orders_per_month: 1,
        numbers_per_order: 1,
        term: PrepaidTerm::ThreeMonths,
    }];
    scenario.term_tiers = TermTiers::new(
        Percent::new(rust_decimal::Decimal::new(125, 1)).unwrap(),
        Percent::ZERO,
        Percent::ZERO,
    );
    let outcome = Simulation::new(scenario).unwrap().run(3).unwrap();
    let january = &outcome.series[0];
    // 3 × 10.00 less 12.5 %: 26.25 charged, 3.75 given.
    assert_eq!(january.revenue, eur("26.25"));
    assert_eq!(january.discounts, eur("3.75"));
    assert_eq!(january.numbers_connected, 1);
    assert_eq!(outcome.customers[0].balance, eur("973.75"));
}

#[test]
fn the_same_seed_gives_the_same_run_and_another_seed_another() {
    let scenario = Scenario {
        start: day(2027, 1, 1),
        days: 365,
        offers: vec![offer()],
        customers: (0..5)
            .map(|i| CustomerSpec {
                starting_balance: eur_cents(i * 1_000),
                behaviour: Behaviour::PaysLate { days: 3 },
            })
            .collect(),
        portfolio: Vec::new(),
        growth: vec![Growth {
            offer: 0,
            orders_per_month: 4,
            numbers_per_order: 1,
            term: PrepaidTerm::OneMonth,
        }],
        term_tiers: TermTiers::default(),
        agreements: Vec::new(),
    };
    let simulation = Simulation::new(scenario).unwrap();
    let first = simulation.run(42).unwrap();
    assert_eq!(first, simulation.run(42).unwrap());
    assert_ne!(first.customers, simulation.run(43).unwrap().customers);
    assert_eq!(first.series.len(), 12);
    let connected: u64 = first.series.iter().map(|r| r.numbers_connected).sum();
    assert_eq!(connected, 48);
}

#[test]
fn a_scenario_that_cannot_run_says_what_is_wrong() {
    let mut scenario = one_number(
        day(2027, 2, 1),
        day(2027, 1, 1),
        10,
        eur("1.00"),
        Behaviour::PaysOnTime,
    );
    let refused = Simulation::new(scenario.clone()).unwrap_err();
    assert!(
        matches!(refused, ScenarioError::PortfolioNumber { number: 0, .. }),
        "{refused}"
    );
    assert!(
        refused.to_string().contains("on or before the start"),
        "{refused}"
    );

    scenario.portfolio[0].connected_on = day(2026, 12, 1);
    scenario.portfolio[0].offer = 3;
    let refused = Simulation::new(scenario.clone()).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "portfolio number 0 names offer 3, but the scenario has 1 offers, numbered from 0"
    );

    scenario.portfolio[0].offer = 0;
    scenario.offers[0].setup_fee = eur("-1.00");
    let refused = Simulation::new(scenario.clone()).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "the setup fee of offer 0 is -1.00 EUR: a price is zero or above"
    );

    scenario.offers[0].setup_fee = eur("0.00");
    scenario.offers[0].monthly_price = eur("10.001");
    let refused = Simulation::new(scenario).unwrap_err();
    assert!(
        refused.to_string().contains("whole minor units"),
        "{refused}"
    );
}

#[test]
fn r10_7_a_number_deleted_the_day_before_its_charge_day_is_not_charged_on_the_day_it_is() {
    // Connected on 20 January: charge days 20 February, 20 March, …
    let leaving = |after_days| {
        one_number(
            day(2027, 1, 20),
            day(2027, 1, 20),
            100,
            eur("100.00"),
            Behaviour::Leaves { after_days },
        )
    };
    // Leaves on 19 February: not charged (R10.7).
    assert_eq!(charge_days(leaving(30)), vec![]);
    // Leaves on 20 February, after the renewal: charged for that period, not after.
    assert_eq!(charge_days(leaving(31)), vec![day(2027, 2, 20)]);

    let outcome = Simulation::new(leaving(31)).unwrap().run(1).unwrap();
    let february = &outcome.series[1];
    assert_eq!(february.numbers_lost, 1);
    assert_eq!(february.numbers, 0);
    // Nothing refunded (R10.6).
    assert_eq!(outcome.customers[0].balance, eur("90.00"));
    assert_eq!(outcome.customers[0].numbers, 0);
}

#[test]
fn r11_2_an_order_of_the_agreed_quantity_gets_the_bulk_discount_after_the_term_discount() {
    let mut scenario = one_number(
        day(2027, 1, 20),
        day(2027, 1, 1),
        31,
        eur("1000.00"),
        Behaviour::PaysOnTime,
    );
    scenario.portfolio.clear();
    scenario.growth = vec![Growth {
        offer: 0,
        orders_per_month: 1,
        numbers_per_order: 5,
        term: PrepaidTerm::ThreeMonths,
    }];
    scenario.term_tiers = TermTiers::new(
        Percent::new(10.into()).unwrap(),
        Percent::ZERO,
        Percent::ZERO,
    );
    scenario.agreements = vec![AgreementSpec {
        customer: 0,
        min_quantity: 5,
        per_country: [(country("DE"), Percent::new(20.into()).unwrap())].into(),
        default_percent: None,
    }];
    let outcome = Simulation::new(scenario.clone()).unwrap().run(3).unwrap();
    // 5 × 3 × 10.00 = 150.00, less 10 % = 135.00, less 20 % = 108.00 (R11.D1).
    assert_eq!(outcome.series[0].revenue, eur("108.00"));
    assert_eq!(outcome.series[0].discounts, eur("42.00"));

    scenario.agreements[0].customer = 4;
    let refused = Simulation::new(scenario).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "agreement 0 names customer 4, but the scenario has 1 customers, numbered from 0"
    );
}
