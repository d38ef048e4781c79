//! R1 ordering, R7.2 listing and the offer's own invariant.

use vnum_core::{Currency, PrepaidTerm, rule};
use vnum_lifecycle::{
    NumberChoice, NumberKind, Offer, OfferError, OrderError, OrderLine, accept_order,
};
use vnum_testkit::{country, eur, phone, usd};

use crate::support::{city, offer, terms};

#[test]
fn r1_2_a_mobile_number_is_ordered_by_country_only() {
    let mobile = offer(terms(1, "DE", NumberKind::Mobile));
    let line =
        OrderLine::automatic(&mobile, country("DE"), None, 3, PrepaidTerm::ThreeMonths).unwrap();
    assert_eq!(
        line.choice(),
        &NumberChoice::Automatic {
            country: country("DE"),
            city: None
        }
    );
    assert_eq!(line.quantity(), 3);
    assert_eq!(line.term(), PrepaidTerm::ThreeMonths);

    let err = OrderLine::automatic(
        &mobile,
        country("DE"),
        Some(city("Berlin")),
        1,
        PrepaidTerm::OneMonth,
    )
    .unwrap_err();
    assert_eq!(
        err,
        OrderError::CityNotApplicable {
            kind: NumberKind::Mobile
        }
    );
    assert_eq!(err.rule(), rule::R1_2);
}

#[test]
fn r1_2_a_landline_number_is_ordered_by_country_and_city() {
    let landline = offer(terms(2, "DE", NumberKind::Landline));
    let err =
        OrderLine::automatic(&landline, country("DE"), None, 1, PrepaidTerm::OneMonth).unwrap_err();
    assert_eq!(err, OrderError::CityRequired);

    let err = OrderLine::automatic(
        &landline,
        country("DE"),
        Some(city("Hamburg")),
        1,
        PrepaidTerm::OneMonth,
    )
    .unwrap_err();
    assert!(matches!(err, OrderError::WrongCity { .. }), "{err:?}");

    let line = OrderLine::automatic(
        &landline,
        country("DE"),
        Some(city("BERLIN")),
        1,
        PrepaidTerm::OneMonth,
    )
    .unwrap();
    assert_eq!(line.offer(), landline.id());
}

#[test]
fn r1_2_an_order_in_another_country_than_the_offer_is_refused() {
    let mobile = offer(terms(1, "DE", NumberKind::Mobile));
    let err =
        OrderLine::automatic(&mobile, country("AT"), None, 1, PrepaidTerm::OneMonth).unwrap_err();
    assert_eq!(err.to_string(), "offer 1 sells numbers in DE, not in AT");
}

#[test]
fn an_order_for_no_numbers_is_refused() {
    let mobile = offer(terms(1, "DE", NumberKind::Mobile));
    let err =
        OrderLine::automatic(&mobile, country("DE"), None, 0, PrepaidTerm::OneMonth).unwrap_err();
    assert_eq!(err, OrderError::ZeroQuantity);
}

#[test]
fn r1_3_a_manual_order_picks_a_number_from_the_offered_list() {
    let landline = offer(terms(2, "DE", NumberKind::Landline));
    let offered = [phone("+4930123456"), phone("+4930123457")];
    let line = OrderLine::manual(
        &landline,
        phone("+49 30 123457"),
        &offered,
        PrepaidTerm::OneMonth,
    )
    .unwrap();
    assert_eq!(
        line.choice(),
        &NumberChoice::Manual {
            number: phone("+4930123457")
        }
    );
    assert_eq!(line.quantity(), 1);

    let err = OrderLine::manual(
        &landline,
        phone("+4930123458"),
        &offered,
        PrepaidTerm::OneMonth,
    )
    .unwrap_err();
    assert_eq!(
        err,
        OrderError::NumberNotOffered {
            number: phone("+4930123458")
        }
    );
    assert_eq!(err.rule(), rule::R1_3);
}

#[test]
fn r1_3_a_manual_order_for_a_number_of_another_country_is_refused() {
    let landline = offer(terms(2, "DE", NumberKind::Landline));
    let austrian = phone("+43 1 5123456");
    let err = OrderLine::manual(
        &landline,
        austrian.clone(),
        std::slice::from_ref(&austrian),
        PrepaidTerm::OneMonth,
    )
    .unwrap_err();
    assert!(
        matches!(err, OrderError::NumberOfOtherCountry { .. }),
        "{err:?}"
    );
    assert_eq!(err.rule(), rule::R1_3);
}

#[test]
fn r7_2_an_unlisted_offer_cannot_be_ordered_and_points_to_the_waitlist() {
    let mut unlisted = terms(3, "DE", NumberKind::Mobile);
    unlisted.listed = false;
    let err = OrderLine::automatic(
        &offer(unlisted),
        country("DE"),
        None,
        1,
        PrepaidTerm::OneMonth,
    )
    .unwrap_err();
    assert_eq!(err.rule(), rule::R7_2);
    assert!(err.to_string().contains("waitlist"), "{err}");
}

#[test]
fn r9_3_one_shot_sms_numbers_are_not_rented_monthly() {
    let sms = offer(terms(4, "DE", NumberKind::Sms));
    let err =
        OrderLine::automatic(&sms, country("DE"), None, 1, PrepaidTerm::OneMonth).unwrap_err();
    assert_eq!(err, OrderError::OneShotSms);
}

#[test]
fn r1_4_an_order_is_accepted_when_the_balance_covers_setup_and_first_term() {
    let acceptance = accept_order(eur("25.00"), eur("25.00")).unwrap();
    assert!(acceptance.balance_after.is_zero());
    assert_eq!(acceptance.rule, rule::R1_4);
}

#[test]
fn r1_4_an_order_the_balance_does_not_cover_is_refused_with_both_amounts() {
    let err = accept_order(eur("24.99"), eur("25.00")).unwrap_err();
    assert_eq!(
        err,
        OrderError::InsufficientBalance {
            needed: eur("25.00"),
            available: eur("24.99")
        }
    );
    assert_eq!(
        err.to_string(),
        "the balance of 24.99 EUR does not cover 25.00 EUR due in advance: top up the difference"
    );
    assert!(accept_order(eur("-3"), eur("0")).is_err());
}

#[test]
fn r1_4_a_balance_in_another_currency_is_not_compared() {
    let err = accept_order(usd("100"), eur("10")).unwrap_err();
    assert_eq!(
        err,
        OrderError::CurrencyMismatch {
            balance: Currency::USD,
            due: Currency::EUR
        }
    );
}

#[test]
fn offers_refuse_terms_that_break_their_invariant() {
    let mut no_city = terms(1, "DE", NumberKind::Landline);
    no_city.city = None;
    assert!(matches!(
        Offer::new(no_city),
        Err(OfferError::CityDoesNotFitKind { .. })
    ));

    let mut mixed = terms(1, "DE", NumberKind::Mobile);
    mixed.setup_fee = usd("5");
    assert_eq!(
        Offer::new(mixed),
        Err(OfferError::MixedCurrencies {
            first: Currency::EUR,
            second: Currency::USD
        })
    );

    let mut negative = terms(1, "DE", NumberKind::Mobile);
    negative.monthly_price = eur("-1");
    negative.setup_fee = eur("0");
    negative.caller_id_monthly = None;
    assert!(matches!(
        Offer::new(negative),
        Err(OfferError::NegativePrice { .. })
    ));

    let mut sms_trial = terms(1, "DE", NumberKind::Sms);
    sms_trial.trial_allowed = true;
    assert_eq!(Offer::new(sms_trial), Err(OfferError::SmsTrial));
}

#[test]
fn offers_cross_the_api_boundary_through_their_checked_terms() {
    let landline = offer(terms(2, "DE", NumberKind::Landline));
    let json = serde_json::to_string(&landline).unwrap();
    assert_eq!(serde_json::from_str::<Offer>(&json).unwrap(), landline);

    let broken = json.replace("\"Berlin\"", "null");
    assert!(serde_json::from_str::<Offer>(&broken).is_err());
}
