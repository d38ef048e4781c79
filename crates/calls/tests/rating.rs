//! Rating calls out (R6.D2) and forwarding to phone numbers (R5.D1) as specifications: the
//! operator's examples, and the laws of prefix matching, billed seconds, cost and the
//! longest call a balance allows.

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use vnum_calls::{
    CallOutError, DialPrefix, Increments, MAX_CALL_SECONDS, Rate, RateTable, authorize_call_out,
};
use vnum_core::rule::{self, RuleError};
use vnum_core::{Currency, Money, PhoneNumber};

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0)
        .single()
        .expect("a real instant")
}

fn eur(amount: Decimal) -> Money {
    Money::new(amount, Currency::EUR)
}

fn number(text: &str) -> PhoneNumber {
    PhoneNumber::parse(text).expect("a valid number")
}

fn rate(prefix: &str, price: Money, increments: &str, from: DateTime<Utc>) -> Rate {
    Rate::new(
        DialPrefix::parse(prefix).expect("a prefix"),
        price,
        Increments::parse(increments).expect("increments"),
        from,
    )
    .expect("a valid rate")
}

const BERLIN: &str = "+4930123456";
const GERMAN_MOBILE: &str = "+4915123456789";

#[test]
fn r6_d2_prefixes_and_increments_are_read_with_or_without_plus() {
    assert_eq!(DialPrefix::parse("+4915").expect("prefix").digits(), "4915");
    assert_eq!(
        DialPrefix::parse("4915").expect("prefix").to_string(),
        "+4915"
    );
    for bad in ["", "+", "+0049", "49a", "1234567890123456", "+ 49"] {
        assert!(DialPrefix::parse(bad).is_err(), "{bad:?} is no prefix");
    }
    let inc = Increments::parse("30/6").expect("increments");
    assert_eq!((inc.first(), inc.next()), (30, 6));
    assert_eq!(inc.to_string(), "30/6");
    for bad in [
        "0/60", "60/0", "3601/1", "60", "60/", "/60", "-1/60", "60/60/60", "+1/1",
    ] {
        assert!(Increments::parse(bad).is_err(), "{bad:?} are no increments");
    }
}

#[test]
fn r6_d2_a_price_is_not_negative_and_has_at_most_four_decimals() {
    let increments = Increments::parse("60/60").expect("increments");
    let prefix = DialPrefix::parse("49").expect("prefix");
    let price = |p| Rate::new(prefix.clone(), eur(p), increments, at(2026, 1, 1));
    assert!(price(dec!(0.0125)).is_ok());
    assert!(price(dec!(0)).is_ok());
    assert!(price(dec!(-0.01)).is_err());
    assert!(price(dec!(0.00001)).is_err());
    assert!(price(dec!(1000000.0001)).is_err());
    let error = price(dec!(-1)).expect_err("negative");
    assert_eq!(error.rule(), rule::R6_D2);
}

#[test]
fn r6_d2_the_longest_matching_prefix_rates_the_call() {
    let table = RateTable::new(vec![
        rate("49", eur(dec!(0.02)), "60/60", at(2026, 1, 1)),
        rate("4915", eur(dec!(0.15)), "60/60", at(2026, 1, 1)),
        rate(
            "4915",
            Money::new(dec!(0.01), Currency::USD),
            "1/1",
            at(2026, 1, 1),
        ),
    ]);
    let mobile = table
        .rate_for(&number(GERMAN_MOBILE), Currency::EUR, at(2026, 2, 1))
        .expect("a rate");
    assert_eq!(mobile.price_per_minute(), eur(dec!(0.15)));
    let landline = table
        .rate_for(&number(BERLIN), Currency::EUR, at(2026, 2, 1))
        .expect("a rate");
    assert_eq!(landline.price_per_minute(), eur(dec!(0.02)));
    // Only rates in the account's currency count.
    let in_usd = table
        .rate_for(&number(BERLIN), Currency::USD, at(2026, 2, 1))
        .expect_err("no USD rate for landlines");
    assert_eq!(in_usd.rule(), rule::R6_D2);
}

#[test]
fn r6_d2_the_latest_effective_rate_of_a_prefix_applies_from_its_instant() {
    let table = RateTable::new(vec![
        rate("49", eur(dec!(0.02)), "60/60", at(2026, 1, 1)),
        rate("49", eur(dec!(0.03)), "60/60", at(2026, 3, 1)),
        rate("49", eur(dec!(0.05)), "60/60", at(2026, 6, 1)),
    ]);
    let price = |start| {
        table
            .rate_for(&number(BERLIN), Currency::EUR, start)
            .map(Rate::price_per_minute)
    };
    assert_eq!(price(at(2026, 2, 28)), Ok(eur(dec!(0.02))));
    assert_eq!(price(at(2026, 3, 1)), Ok(eur(dec!(0.03))));
    assert_eq!(price(at(2026, 7, 1)), Ok(eur(dec!(0.05))));
    assert!(matches!(
        price(at(2025, 12, 31)),
        Err(CallOutError::NoRate { .. })
    ));
}

#[test]
fn r6_d2_costs_round_up_to_the_cent() {
    let per_second = rate("49", eur(dec!(0.0125)), "1/1", at(2026, 1, 1));
    assert_eq!(per_second.cost(0), eur(dec!(0.00)));
    // 1 s at 0.0125 EUR/min is 0.000208… EUR: charged one cent, never nothing.
    assert_eq!(per_second.cost(1), eur(dec!(0.01)));
    assert_eq!(per_second.cost(60), eur(dec!(0.02)));
    assert_eq!(per_second.cost(48 * 60), eur(dec!(0.60)));
    let per_minute = rate("49", eur(dec!(0.10)), "60/60", at(2026, 1, 1));
    assert_eq!(per_minute.cost(1), eur(dec!(0.10)));
    assert_eq!(per_minute.cost(60), eur(dec!(0.10)));
    assert_eq!(per_minute.cost(61), eur(dec!(0.20)));
    let thirty_six = rate("49", eur(dec!(0.60)), "30/6", at(2026, 1, 1));
    assert_eq!(thirty_six.cost(10), eur(dec!(0.30)));
    assert_eq!(thirty_six.cost(31), eur(dec!(0.36)));
    let yen = rate(
        "81",
        Money::new(dec!(12.5), Currency::parse("JPY").expect("JPY")),
        "1/1",
        at(2026, 1, 1),
    );
    assert_eq!(yen.cost(1).amount(), dec!(1));
}

#[test]
fn r6_d2_and_r10_4_calls_out_refused_in_debt_without_rate_or_first_increment() {
    let table = RateTable::new(vec![rate("49", eur(dec!(0.60)), "60/60", at(2026, 1, 1))]);
    let start = at(2026, 2, 1);
    let refuse = |balance, to: &str| {
        authorize_call_out(&table, &number(to), balance, start).expect_err("refused")
    };
    let debt = refuse(eur(dec!(-0.01)), BERLIN);
    assert_eq!(debt.rule(), rule::R10_4);
    let short = refuse(eur(dec!(0.59)), BERLIN);
    assert_eq!(short.rule(), rule::R6_D2);
    assert!(matches!(
        short,
        CallOutError::FirstIncrementNotCovered { .. }
    ));
    let nowhere = refuse(eur(dec!(100)), "+33123456789");
    assert!(matches!(nowhere, CallOutError::NoRate { .. }));
    // Debt is refused before anything else, even to a destination without rate.
    assert_eq!(refuse(eur(dec!(-5)), "+33123456789").rule(), rule::R10_4);

    let allowed = authorize_call_out(&table, &number(BERLIN), eur(dec!(1.50)), start)
        .expect("two minutes are paid for");
    assert_eq!(allowed.max_seconds, 120);
    assert_eq!(allowed.rule, rule::R6_D2);
    let free = rate("49", eur(dec!(0)), "60/60", at(2026, 1, 1));
    assert_eq!(free.max_duration(eur(dec!(0))), Ok(MAX_CALL_SECONDS));
}

fn currency() -> impl Strategy<Value = Currency> {
    prop_oneof![
        Just(Currency::EUR),
        Just(Currency::USD),
        Just(Currency::parse("JPY").expect("JPY")),
        Just(Currency::parse("KWD").expect("KWD")),
    ]
}

fn increments() -> impl Strategy<Value = Increments> {
    prop_oneof![
        Just((60, 60)),
        Just((1, 1)),
        Just((30, 6)),
        (1..=3600_u32, 1..=3600_u32)
    ]
    .prop_map(|(first, next)| Increments::new(first, next).expect("within bounds"))
}

/// A rate of up to 20 units per minute, to four decimals.
fn any_rate() -> impl Strategy<Value = Rate> {
    (currency(), 0..=200_000_i64, increments()).prop_map(|(currency, price, increments)| {
        Rate::new(
            DialPrefix::parse("49").expect("prefix"),
            Money::new(Decimal::new(price, 4), currency),
            increments,
            at(2026, 1, 1),
        )
        .expect("a valid rate")
    })
}

/// The cost in minor units, written independently: the exact rational price × billed / 60
/// as a fraction, rounded up.
fn oracle_cost_minor(rate: &Rate, billed: u64) -> i128 {
    let minor = 10_i128.pow(rate.currency().minor_units());
    let numerator = i128::from(rate.price_ten_thousandths()) * i128::from(billed) * minor;
    let denominator = 60 * 10_000_i128;
    let mut cost = numerator / denominator;
    if cost * denominator < numerator {
        cost += 1;
    }
    cost
}

fn minor(money: Money) -> i128 {
    let scaled = money.amount() * Decimal::from(10_i64.pow(money.currency().minor_units()));
    assert_eq!(
        scaled.fract(),
        Decimal::ZERO,
        "{money} is whole minor units"
    );
    i128::try_from(scaled).expect("fits")
}

proptest! {
    #[test]
    fn r6_d2_a_longer_matching_prefix_always_wins(
        digits in "(49|33|44|1[2-9][0-9]{2})[0-9]{7,8}",
        short in 1..5_usize,
        extra in 1..5_usize,
        short_first in any::<bool>(),
    ) {
        let destination = PhoneNumber::parse(&format!("+{digits}"));
        prop_assume!(destination.is_ok());
        let destination = destination.expect("assumed valid");
        let long = short + extra;
        let short_rate = rate(&digits[..short], eur(dec!(0.01)), "60/60", at(2026, 1, 1));
        // The longer prefix is older: length wins over recency.
        let long_rate = rate(&digits[..long], eur(dec!(0.02)), "1/1", at(2025, 1, 1));
        let other = rate("9", eur(dec!(0.03)), "1/1", at(2026, 1, 1));
        let rates = if short_first {
            vec![short_rate, long_rate.clone(), other]
        } else {
            vec![other, long_rate.clone(), short_rate]
        };
        let table = RateTable::new(rates);
        let found = table.rate_for(&destination, Currency::EUR, at(2026, 2, 1));
        prop_assert_eq!(found, Ok(&long_rate));
    }

    #[test]
    fn r6_d2_billed_seconds_cover_the_call_on_an_increment_boundary(
        inc in increments(),
        seconds in 0..=100_000_u32,
    ) {
        let billed = inc.billed_seconds(seconds);
        let (first, next, d) = (u64::from(inc.first()), u64::from(inc.next()), u64::from(seconds));
        prop_assert!(billed >= d);
        if d == 0 {
            prop_assert_eq!(billed, 0);
        } else if d <= first {
            prop_assert_eq!(billed, first);
        } else {
            prop_assert_eq!((billed - first) % next, 0);
            prop_assert!(billed - d < next);
        }
    }

    #[test]
    fn r6_d2_cost_is_exact_and_monotonic_in_duration(
        rate in any_rate(),
        a in 0..=50_000_u32,
        b in 0..=50_000_u32,
    ) {
        let (short, long) = (a.min(b), a.max(b));
        let (cost_short, cost_long) = (rate.cost(short), rate.cost(long));
        prop_assert!(cost_short.amount() <= cost_long.amount());
        prop_assert_eq!(cost_short.currency(), rate.currency());
        let billed = rate.increments().billed_seconds(long);
        prop_assert_eq!(minor(cost_long), oracle_cost_minor(&rate, billed));
        // Never undercharged: the cost is at least the exact price of the billed time.
        let exact = rate.price_per_minute().amount() * Decimal::from(billed) / Decimal::from(60);
        prop_assert!(cost_long.amount() >= exact);
    }

    #[test]
    fn r6_d2_an_answered_call_costs_at_least_its_first_increment(
        rate in any_rate(),
        d in 0..=50_000_u32,
    ) {
        // Reported as 0 s (stamps to the second), it still bills the first increment.
        let first = rate.cost(1);
        prop_assert!(rate.answered_cost(d).amount() >= first.amount());
        prop_assert_eq!(rate.answered_cost(0), first);
        if d > 0 {
            prop_assert_eq!(rate.answered_cost(d), rate.cost(d));
        }
    }

    #[test]
    fn r6_d2_the_longest_allowed_call_is_paid_for_and_one_more_increment_is_not(
        rate in any_rate(),
        balance_minor in 0..=2_000_000_i64,
    ) {
        let balance = Money::from_minor_units(balance_minor, rate.currency());
        match rate.max_duration(balance) {
            Ok(max) => {
                prop_assert!(rate.cost(max).amount() <= balance.amount());
                let billed = rate.increments().billed_seconds(max);
                prop_assert!(billed >= u64::from(rate.increments().first()));
                if max < MAX_CALL_SECONDS {
                    let one_more = u32::try_from(billed).expect("small") + rate.increments().next();
                    prop_assert!(rate.cost(one_more).amount() > balance.amount());
                    prop_assert_eq!(u64::from(max), billed, "an uncapped maximum is on an increment boundary");
                }
            }
            Err(CallOutError::FirstIncrementNotCovered { needed, .. }) => {
                prop_assert!(needed.amount() > balance.amount());
                prop_assert_eq!(needed, rate.cost(rate.increments().first()));
            }
            Err(other) => prop_assert!(false, "unexpected refusal {other}"),
        }
    }

    #[test]
    fn r10_4_a_balance_below_zero_allows_no_call(
        rate in any_rate(),
        debt in 1..=1_000_000_i64,
    ) {
        let balance = Money::from_minor_units(-debt, rate.currency());
        let refused = rate.max_duration(balance).expect_err("in debt");
        prop_assert_eq!(refused.rule(), rule::R10_4);
    }
}
