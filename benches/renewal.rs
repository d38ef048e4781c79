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

/// The numbers of each zone, connected over the two years before `now`, each paid up to
/// its current period, the one before it (due today or overdue), or one ahead.
fn numbers(now: DateTime<Utc>) -> Vec<(Tz, Vec<NumberBilling>)> {
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

fn renewal(c: &mut Criterion) {
    let now = Utc
        .with_ymd_and_hms(2026, 3, 20, 1, 30, 0)
        .single()
        .expect("a real instant");
    let zones = numbers(now);
    let mut group = c.benchmark_group("renewal");
    group.throughput(Throughput::Elements(NUMBERS as u64));
    group.sample_size(20);
    group.measurement_time(std::time::Duration::from_secs(8));

    group.bench_function("baseline: compare the connection day", |b| {
        b.iter(|| {
            let mut due = 0u32;
            for (tz, numbers) in &zones {
                let today = RenewalDay::of_instant(black_box(now), *tz);
                let day = chrono::Datelike::day(&today.date());
                for number in numbers {
                    due += u32::from(black_box(number).anchor().connection_day().get() == day);
                }
            }
            due
        });
    });

    group.bench_function("decide", |b| {
        b.iter(|| {
            let mut charges = 0u32;
            for (tz, numbers) in &zones {
                let today = RenewalDay::of_instant(black_box(now), *tz);
                for number in numbers {
                    let decision = black_box(number)
                        .decide(&today)
                        .expect("within the calendar");
                    charges += u32::from(matches!(decision, RenewalDecision::Charge { .. }));
                }
            }
            charges
        });
    });
    group.finish();
}

criterion_group!(benches, renewal);
criterion_main!(benches);
