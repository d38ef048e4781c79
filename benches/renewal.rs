//! Renewal decisions over 1,000,000 numbers (R10.2), against a baseline that walks the same
//! numbers with a trivial comparison, measured in the same run.
//!
//! The numbers are spread over every connection day 1–31 and four billing zones; each run
//! day is prepared once per zone ([`RenewalDay`]), as a renewal run would.

use std::hint::black_box;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vnum_billing::{BillingAnchor, NumberBilling, RenewalDay, RenewalDecision};
use vnum_core::{Currency, Decimal, Money};

const NUMBERS: usize = 1_000_000;
const ZONES: [Tz; 4] = [
    chrono_tz::Europe::Moscow,
    chrono_tz::America::Sao_Paulo,
    chrono_tz::Asia::Beirut,
    chrono_tz::Pacific::Auckland,
];

/// The numbers of each zone, connected over the two years before `now`. In a `steady`
/// run every number is paid up to its current period, as on an ordinary day after
/// yesterday's run (about one in thirty is charged today, the others are not due). Otherwise
/// a third is paid up to the current period, a third is due (today or overdue) and a third
/// is paid one period ahead, a mix far heavier in charges than any real day.
fn numbers(now: DateTime<Utc>, steady: bool) -> Vec<(Tz, Vec<NumberBilling>)> {
    let price = Money::new(Decimal::new(499, 2), Currency::EUR);
    ZONES
        .iter()
        .enumerate()
        .map(|(z, &tz)| {
            let today = now.with_timezone(&tz).date_naive();
            let numbers = (0..NUMBERS / ZONES.len())
                .map(|i| {
                    // A spread of connection instants, every 37 minutes over two years.
                    let minutes =
                        i64::try_from(i * ZONES.len() + z).expect("fits") * 37 % 1_051_200;
                    let connected_at = now - TimeDelta::minutes(minutes);
                    let anchor = BillingAnchor::from_instant(connected_at, tz);
                    let current = anchor.index_of(today).expect("connected before today");
                    let paid = match i % 3 {
                        _ if steady => {
                            current + u32::from(anchor.charge_day(current).ok() != Some(today))
                        }
                        0 => current + 1,
                        1 => current,
                        _ => current + 2,
                    };
                    NumberBilling::new(anchor, price, paid)
                })
                .collect();
            (tz, numbers)
        })
        .collect()
}

/// Decides for every number and counts the charges.
fn charges(now: DateTime<Utc>, zones: &[(Tz, Vec<NumberBilling>)]) -> u32 {
    let mut charges = 0u32;
    for (tz, numbers) in zones {
        let today = RenewalDay::of_instant(black_box(now), *tz);
        for number in numbers {
            let decision = black_box(number)
                .decide(&today)
                .expect("within the calendar");
            charges += u32::from(matches!(decision, RenewalDecision::Charge { .. }));
        }
    }
    charges
}

fn renewal(c: &mut Criterion) {
    let now = Utc
        .with_ymd_and_hms(2026, 3, 20, 1, 30, 0)
        .single()
        .expect("a real instant");
    let mixed = numbers(now, false);
    let steady = numbers(now, true);
    let mut group = c.benchmark_group("renewal");
    group.throughput(Throughput::Elements(NUMBERS as u64));
    group.sample_size(20);
    group.measurement_time(std::time::Duration::from_secs(8));

    group.bench_function("baseline: compare the connection day", |b| {
        b.iter(|| {
            let mut due = 0u32;
            for (tz, numbers) in &mixed {
                let today = RenewalDay::of_instant(black_box(now), *tz);
                let day = chrono::Datelike::day(&today.date());
                for number in numbers {
                    due += u32::from(black_box(number).anchor().connection_day().get() == day);
                }
            }
            due
        });
    });
    for (name, zones) in [
        ("decide, ordinary day", &steady),
        ("decide, a third due", &mixed),
    ] {
        group.bench_function(name, |b| b.iter(|| charges(now, zones)));
    }
    eprintln!(
        "charges per run: ordinary day {}, a third due {}",
        charges(now, &steady),
        charges(now, &mixed)
    );
    group.finish();
}

criterion_group!(benches, renewal);
criterion_main!(benches);
