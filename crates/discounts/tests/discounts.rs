//! The discount rules as specifications (R11): tiers and agreements from configuration, the
//! multiplicative combination, rounding once.

use std::collections::BTreeMap;

use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use vnum_core::{AgreementId, Currency, CustomerId, Money, OfferId, PrepaidTerm, rule};
use vnum_discounts::{
    BulkAgreement, DiscountError, DiscountKind, Discounts, LineItem, Percent, TermTiers,
};
use vnum_testkit::{country, eur};

fn percent(p: Decimal) -> Percent {
    Percent::new(p).expect("a percentage from 0 to 100")
}

fn line(code: &str, quantity: u32, term: PrepaidTerm, monthly: Decimal) -> LineItem {
    LineItem::new(
        OfferId(1),
        country(code),
        quantity,
        term,
        eur(monthly),
        eur(dec!(0)),
    )
    .expect("a valid line")
}

const CUSTOMER: CustomerId = CustomerId(42);

/// 3 months: 5 %, 6 months: 10 %, 12 months: 20 %; customer 42 gets 10 % on German and
/// 5 % on any other numbers from 5 numbers up.
fn config() -> Discounts {
    serde_json::from_str(
        r#"{
            "term_tiers": { "three_months": "5", "six_months": "10", "twelve_months": "20" },
            "agreements": [{
                "id": 7, "customer": 42, "min_quantity": 5,
                "per_country": { "DE": "10" }, "default_percent": "5"
            }]
        }"#,
    )
    .expect("a valid configuration")
}

#[test]
fn r11_1_paying_twelve_months_in_advance_takes_the_configured_tier() {
    let quote = config()
        .quote(
            CustomerId(1),
            &[line("DE", 1, PrepaidTerm::TwelveMonths, dec!(10))],
        )
        .unwrap();
    let line = &quote.lines()[0];
    assert_eq!(line.list_total(), eur(dec!(120)));
    assert_eq!(line.discounts().len(), 1);
    let discount = line.discounts()[0];
    assert_eq!(
        discount.kind,
        DiscountKind::PrepaidTerm {
            term: PrepaidTerm::TwelveMonths
        }
    );
    assert_eq!(discount.rule, rule::R11_1);
    assert_eq!(discount.percent, percent(dec!(20)));
    assert_eq!(discount.amount, eur(dec!(24)));
    assert_eq!(quote.total(), eur(dec!(96)));
}

#[test]
fn r11_1_one_month_has_no_discount() {
    let quote = config()
        .quote(
            CustomerId(1),
            &[line("DE", 1, PrepaidTerm::OneMonth, dec!(10))],
        )
        .unwrap();
    assert!(quote.lines()[0].discounts().is_empty());
    assert_eq!(quote.total(), eur(dec!(10)));
}

#[test]
fn r11_2_five_numbers_at_once_get_the_negotiated_country_percentage() {
    let items = [
        line("DE", 3, PrepaidTerm::OneMonth, dec!(10)),
        line("FR", 2, PrepaidTerm::OneMonth, dec!(10)),
    ];
    let quote = config().quote(CUSTOMER, &items).unwrap();
    let de = quote.lines()[0].discounts()[0];
    assert_eq!(
        de.kind,
        DiscountKind::Bulk {
            agreement: AgreementId(7)
        }
    );
    assert_eq!(de.rule, rule::R11_2);
    assert_eq!(de.amount, eur(dec!(3)));
    let fr = quote.lines()[1].discounts()[0];
    assert_eq!(
        fr.percent,
        percent(dec!(5)),
        "the default for countries not listed"
    );
    assert_eq!(quote.total(), eur(dec!(46)));
}

#[test]
fn r11_2_four_numbers_or_another_customer_get_no_bulk_discount() {
    let four = [line("DE", 4, PrepaidTerm::OneMonth, dec!(10))];
    assert_eq!(
        config().quote(CUSTOMER, &four).unwrap().total(),
        eur(dec!(40))
    );
    let five = [line("DE", 5, PrepaidTerm::OneMonth, dec!(10))];
    assert_eq!(
        config().quote(CustomerId(1), &five).unwrap().total(),
        eur(dec!(50))
    );
}

#[test]
fn r11_d1_term_and_bulk_discounts_multiply_and_spare_the_setup_fee() {
    let item = LineItem::new(
        OfferId(1),
        country("DE"),
        5,
        PrepaidTerm::TwelveMonths,
        eur(dec!(10)),
        eur(dec!(2)),
    )
    .unwrap();
    let quote = config().quote(CUSTOMER, &[item]).unwrap();
    let line = &quote.lines()[0];
    // Rent 5 × 12 × 10 = 600; × 0.8 = 480; × 0.9 = 432; setup 5 × 2 = 10.
    assert_eq!(line.list_total(), eur(dec!(610)));
    let amounts: Vec<_> = line.discounts().iter().map(|d| d.amount).collect();
    assert_eq!(amounts, [eur(dec!(120)), eur(dec!(48))]);
    assert_eq!(line.total(), eur(dec!(442)));
    assert_eq!(quote.total(), eur(dec!(442)));
}

#[test]
fn r11_1_one_numbers_share_of_a_line_divides_its_total_setup_fee_and_discounts() {
    let item = LineItem::new(
        OfferId(1),
        country("DE"),
        5,
        PrepaidTerm::TwelveMonths,
        eur(dec!(10)),
        eur(dec!(2)),
    )
    .unwrap();
    let quote = config().quote(CUSTOMER, &[item]).unwrap();
    let share = quote.lines()[0].share_per_number();
    // 442 / 5; 120 / 5 and 48 / 5 off; the setup fee of one number.
    assert_eq!(share.total, eur(dec!(88.40)));
    assert_eq!(share.setup_fee, eur(dec!(2)));
    let amounts: Vec<_> = share.discounts.iter().map(|d| (d.rule, d.amount)).collect();
    assert_eq!(
        amounts,
        [(rule::R11_1, eur(dec!(24))), (rule::R11_2, eur(dec!(9.60)))]
    );
}

#[test]
fn r11_d1_the_total_is_rounded_once_not_line_by_line() {
    // Three lines of 0.005 each: rounded once the total is 0.015 → 0.02; rounding each
    // line first would charge 0.03.
    let items = [
        line("DE", 1, PrepaidTerm::OneMonth, dec!(0.005)),
        line("DE", 1, PrepaidTerm::OneMonth, dec!(0.005)),
        line("DE", 1, PrepaidTerm::OneMonth, dec!(0.005)),
    ];
    let quote = config().quote(CustomerId(1), &items).unwrap();
    assert_eq!(quote.total(), eur(dec!(0.02)));
    assert!(
        quote
            .lines()
            .iter()
            .all(|l| l.display_total() == eur(dec!(0.01)))
    );
    assert_eq!(
        quote.lines()[0].total(),
        eur(dec!(0.005)),
        "lines stay exact"
    );
}

#[test]
fn r11_d1_percentages_outside_0_to_100_are_refused() {
    assert_eq!(
        Percent::new(dec!(-1)),
        Err(DiscountError::PercentOutOfRange(dec!(-1)))
    );
    assert_eq!(
        Percent::new(dec!(100.01)),
        Err(DiscountError::PercentOutOfRange(dec!(100.01)))
    );
    assert!(Percent::new(dec!(100)).is_ok());
    let err = serde_json::from_str::<TermTiers>(r#"{ "three_months": "150" }"#).unwrap_err();
    assert!(
        err.to_string()
            .contains("expected a percentage from 0 to 100"),
        "{err}"
    );
    let bad_agreement = r#"{ "agreements": [{ "id": 1, "customer": 1, "min_quantity": 5, "default_percent": "-3" }] }"#;
    assert!(serde_json::from_str::<Discounts>(bad_agreement).is_err());
}

#[test]
fn r11_d1_configuration_is_validated_when_read() {
    let zero_minimum = r#"{ "agreements": [{ "id": 1, "customer": 1, "min_quantity": 0 }] }"#;
    let err = serde_json::from_str::<Discounts>(zero_minimum).unwrap_err();
    assert!(err.to_string().contains("minimum quantity"), "{err}");
    let twice = r#"{ "agreements": [
        { "id": 1, "customer": 1, "min_quantity": 5 },
        { "id": 2, "customer": 1, "min_quantity": 10 }
    ] }"#;
    let err = serde_json::from_str::<Discounts>(twice).unwrap_err();
    assert!(
        err.to_string().contains("more than one bulk agreement"),
        "{err}"
    );
    let tiers: TermTiers = serde_json::from_str(r#"{ "twelve_months": 15 }"#).unwrap();
    assert_eq!(tiers.percent(PrepaidTerm::TwelveMonths), percent(dec!(15)));
    assert!(tiers.percent(PrepaidTerm::ThreeMonths).is_zero());
    let round_trip: Discounts =
        serde_json::from_str(&serde_json::to_string(&config()).unwrap()).unwrap();
    assert_eq!(round_trip, config());
}

#[test]
fn quote_lines_are_validated() {
    let de = country("DE");
    assert_eq!(
        LineItem::new(
            OfferId(1),
            de,
            0,
            PrepaidTerm::OneMonth,
            eur(dec!(1)),
            eur(dec!(0))
        ),
        Err(DiscountError::ZeroQuantity)
    );
    assert_eq!(
        LineItem::new(
            OfferId(1),
            de,
            1,
            PrepaidTerm::OneMonth,
            eur(dec!(-1)),
            eur(dec!(0))
        ),
        Err(DiscountError::NegativePrice(eur(dec!(-1))))
    );
    let usd = Money::new(dec!(1), Currency::USD);
    assert!(matches!(
        LineItem::new(OfferId(1), de, 1, PrepaidTerm::OneMonth, eur(dec!(1)), usd),
        Err(DiscountError::Money(_))
    ));
    assert_eq!(
        config().quote(CUSTOMER, &[]),
        Err(DiscountError::EmptyQuote)
    );
    let mixed = [
        line("DE", 1, PrepaidTerm::OneMonth, dec!(1)),
        LineItem::new(
            OfferId(2),
            de,
            1,
            PrepaidTerm::OneMonth,
            usd,
            Money::zero(Currency::USD),
        )
        .unwrap(),
    ];
    assert!(matches!(
        config().quote(CUSTOMER, &mixed),
        Err(DiscountError::Money(_))
    ));
}

fn any_percent() -> impl Strategy<Value = Percent> {
    (0i64..=10_000).prop_map(|basis_points| percent(Decimal::new(basis_points, 2)))
}

fn any_term() -> impl Strategy<Value = PrepaidTerm> {
    proptest::sample::select(PrepaidTerm::ALL.to_vec())
}

proptest! {
    #[test]
    fn r11_d1_a_discounted_line_stays_within_zero_and_its_list_price(
        tiers in (any_percent(), any_percent(), any_percent()),
        bulk in any_percent(),
        lines in proptest::collection::vec((1u32..50, any_term(), 0i64..100_000, 0i64..10_000, 0usize..3), 1..8),
    ) {
        let agreement = BulkAgreement::new(
            AgreementId(1), CUSTOMER, 5,
            BTreeMap::from([(country("DE"), bulk)]),
            Some(percent(dec!(3))),
        ).unwrap();
        let discounts = Discounts::new(TermTiers::new(tiers.0, tiers.1, tiers.2), [agreement]).unwrap();
        let codes = ["DE", "FR", "AT"];
        let items: Vec<LineItem> = lines.iter().map(|&(quantity, term, monthly, setup, c)| {
            LineItem::new(OfferId(1), country(codes[c]), quantity, term,
                eur(Decimal::new(monthly, 3)), eur(Decimal::new(setup, 2))).unwrap()
        }).collect();
        let quote = discounts.quote(CUSTOMER, &items).unwrap();
        let half_minor = dec!(0.005);
        let mut exact_sum = Decimal::ZERO;
        for line in quote.lines() {
            let total = line.total().amount();
            prop_assert!(total >= Decimal::ZERO);
            prop_assert!(total <= line.list_total().amount());
            for discount in line.discounts() {
                prop_assert!(discount.amount.amount() >= Decimal::ZERO);
            }
            prop_assert!((line.display_total().amount() - total).abs() <= half_minor);
            exact_sum += total;
        }
        prop_assert!((quote.total().amount() - exact_sum).abs() <= half_minor);
        prop_assert!(quote.total().is_whole_minor());
    }

    #[test]
    fn r11_d1_the_combination_does_not_depend_on_the_order(
        term in any_percent(), bulk in any_percent(), monthly in 0i64..1_000_000,
    ) {
        // price × (1 − t) × (1 − b) = price × (1 − b) × (1 − t): the quote equals the
        // product, whichever discount is taken first.
        let agreement = BulkAgreement::new(AgreementId(1), CUSTOMER, 1, BTreeMap::new(), Some(bulk)).unwrap();
        let discounts = Discounts::new(TermTiers::new(term, term, term), [agreement]).unwrap();
        let price = Decimal::new(monthly, 2);
        let quote = discounts.quote(CUSTOMER, &[line("DE", 1, PrepaidTerm::ThreeMonths, price)]).unwrap();
        let rent = price * dec!(3);
        let bulk_first = rent * (Decimal::ONE - bulk.fraction()) * (Decimal::ONE - term.fraction());
        prop_assert_eq!(quote.lines()[0].total().amount().normalize(), bulk_first.normalize());
    }
}
