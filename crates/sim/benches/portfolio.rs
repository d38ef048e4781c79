//! A portfolio of 1,000,000 numbers over 10 years, simulated day by day, beside a trivial
//! loop that only subtracts every number's fee from its customer's balance once a month:
//! the floor any simulation of the same data stands on. Both report number-months per
//! second (criterion's elements per second).

#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Duration;

use chrono::Days;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vnum_core::{Money, PrepaidTerm};
use vnum_discounts::{Percent, TermTiers};
use vnum_sim::{Behaviour, CustomerSpec, Growth, OfferSpec, PortfolioNumber, Scenario, Simulation};
use vnum_testkit::{country, day, eur};

const NUMBERS: usize = 1_000_000;
const CUSTOMERS: usize = 100_000;
const YEARS: u32 = 10;

/// 1,000,000 numbers of 100,000 customers, connected on every day of the month before the
/// start; 8 customers in 10 pay on time, one pays a week late, one stops after two years;
/// 1,000 numbers ordered a month on top.
fn scenario() -> Scenario {
    let start = day(2027, 1, 1);
    let offers = vec![
        OfferSpec {
            country: country("DE"),
            monthly_price: eur("10.00"),
            setup_fee: eur("0.00"),
        },
        OfferSpec {
            country: country("AT"),
            monthly_price: eur("8.50"),
            setup_fee: eur("5.00"),
        },
    ];
    let customers = (0..CUSTOMERS)
        .map(|i| CustomerSpec {
            starting_balance: Money::from_minor_units(
                ((i % 7) * 1_000) as i64,
                eur("0").currency(),
            ),
            behaviour: match i % 10 {
                0 => Behaviour::PaysLate { days: 7 },
                1 => Behaviour::StopsPaying { after_days: 730 },
                _ => Behaviour::PaysOnTime,
            },
        })
        .collect();
    let portfolio = (0..NUMBERS)
        .map(|i| PortfolioNumber {
            customer: i % CUSTOMERS,
            offer: i % 2,
            connected_on: day(2026, 12, 1) + Days::new((i % 31) as u64),
            paid_periods: 1,
        })
        .collect();
    Scenario {
        start,
        days: (start
            .checked_add_months(chrono::Months::new(12 * YEARS))
            .unwrap()
            - start)
            .num_days() as u32,
        offers,
        customers,
        portfolio,
        growth: vec![Growth {
            offer: 0,
            orders_per_month: 1_000,
            numbers_per_order: 1,
            term: PrepaidTerm::ThreeMonths,
        }],
        term_tiers: TermTiers::new(
            Percent::new(5.into()).unwrap(),
            Percent::new(10.into()).unwrap(),
            Percent::new(15.into()).unwrap(),
        ),
        agreements: Vec::new(),
    }
}

fn portfolio(c: &mut Criterion) {
    let simulation = Simulation::new(scenario()).unwrap();
    let number_months = (NUMBERS as u64) * u64::from(12 * YEARS);

    // The baseline: the same numbers and customers, each fee subtracted once a month.
    let customer: Vec<u32> = (0..NUMBERS).map(|i| (i % CUSTOMERS) as u32).collect();
    let fee: Vec<i64> = (0..NUMBERS)
        .map(|i| if i % 2 == 0 { 1_000 } else { 850 })
        .collect();

    let mut group = c.benchmark_group("portfolio_1m_numbers_10_years");
    group.throughput(Throughput::Elements(number_months));
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(30));
    group.bench_function("trivial_loop", |b| {
        b.iter(|| {
            let mut balance = vec![0_i64; CUSTOMERS];
            for _ in 0..12 * YEARS {
                for (c, f) in customer.iter().zip(&fee) {
                    balance[*c as usize] -= f;
                }
                black_box(&mut balance);
            }
            balance
        });
    });
    group.bench_function("simulation", |b| {
        b.iter(|| simulation.run(black_box(7)).unwrap());
    });
    group.finish();
}

criterion_group!(benches, portfolio);
criterion_main!(benches);
