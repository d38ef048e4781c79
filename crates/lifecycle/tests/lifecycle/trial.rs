//! R8 free one-hour tests.

use chrono::TimeDelta;
use vnum_core::{CustomerId, OfferId, TrialId, rule};
use vnum_lifecycle::{NumberKind, Trial, TrialError, suggest_trial_offer};
use vnum_testkit::{at, country, day, eur, phone};

use crate::support::{offer, terms};

/// Customer 7's test of a DE mobile number from `start`, with no other test running.
fn mobile_test_from(start: chrono::DateTime<chrono::Utc>) -> Result<Trial, TrialError> {
    let mobile = offer(terms(1, "DE", NumberKind::Mobile));
    Trial::start(
        TrialId(1),
        CustomerId(7),
        &mobile,
        phone("+4930123456"),
        start,
        [],
    )
}

#[test]
fn r8_1_a_test_lasts_exactly_one_hour_and_is_over_at_the_hour() {
    let start = at(day(2026, 5, 4), 12);
    let trial = mobile_test_from(start).unwrap();
    assert_eq!(trial.ends_at(), at(day(2026, 5, 4), 13));
    assert!(trial.routing(start).routable);
    assert_eq!(trial.routing(start).rule, rule::R8_1);
    assert!(
        trial
            .routing(trial.ends_at() - TimeDelta::seconds(1))
            .routable
    );

    let ended = trial.routing(trial.ends_at());
    assert!(!ended.routable);
    assert_eq!(ended.rule, rule::R8_D1);
    assert!(trial.is_back_in_stock(trial.ends_at()));
    assert!(!trial.is_back_in_stock(start));
}

#[test]
fn r8_d1_a_tests_routing_changes_by_time_only_at_the_hour() {
    let start = at(day(2026, 5, 4), 12);
    let trial = mobile_test_from(start).unwrap();
    let hour = at(day(2026, 5, 4), 13);
    for now in [start, hour - TimeDelta::seconds(1)] {
        assert_eq!(trial.routing_changes_at(now), Some(hour), "{now}");
        // Nothing changes before it: the state just before the hour is the state now.
        assert_eq!(
            trial.routing_state(now),
            trial.routing_state(hour - TimeDelta::nanoseconds(1))
        );
    }
    assert_ne!(trial.routing_state(start), trial.routing_state(hour));
    assert_eq!(trial.routing_changes_at(hour), None);
    assert_eq!(trial.routing_changes_at(hour + TimeDelta::days(400)), None);
    assert_eq!(
        trial.routing_state(hour),
        trial.routing_state(hour + TimeDelta::days(400))
    );
}

#[test]
fn r8_d1_one_free_test_per_customer_at_a_time() {
    let mobile = offer(terms(1, "DE", NumberKind::Mobile));
    let start = at(day(2026, 5, 4), 12);
    let first = Trial::start(
        TrialId(1),
        CustomerId(7),
        &mobile,
        phone("+4930123456"),
        start,
        [],
    )
    .unwrap();
    let err = Trial::start(
        TrialId(2),
        CustomerId(7),
        &mobile,
        phone("+4930123457"),
        start + TimeDelta::minutes(59),
        [&first],
    )
    .unwrap_err();
    assert_eq!(err.rule(), rule::R8_D1);
    assert!(matches!(err, TrialError::AlreadyTesting { .. }));

    let other_customer = Trial::start(
        TrialId(3),
        CustomerId(8),
        &mobile,
        phone("+4930123457"),
        start,
        [&first],
    );
    assert!(other_customer.is_ok());

    let after_the_hour = Trial::start(
        TrialId(4),
        CustomerId(7),
        &mobile,
        phone("+4930123457"),
        first.ends_at(),
        [&first],
    );
    assert!(after_the_hour.is_ok());
}

#[test]
fn r8_3_sms_numbers_are_never_lent() {
    let sms = offer(terms(1, "DE", NumberKind::Sms));
    let err = Trial::start(
        TrialId(1),
        CustomerId(7),
        &sms,
        phone("+4930123456"),
        at(day(2026, 5, 4), 12),
        [],
    )
    .unwrap_err();
    assert_eq!(err, TrialError::SmsNumber);
    assert_eq!(err.rule(), rule::R8_3);
}

#[test]
fn r8_2_a_purchase_only_offer_is_not_lent() {
    let mut purchase_only = terms(1, "DE", NumberKind::Mobile);
    purchase_only.trial_allowed = false;
    let err = Trial::start(
        TrialId(1),
        CustomerId(7),
        &offer(purchase_only),
        phone("+4930123456"),
        at(day(2026, 5, 4), 12),
        [],
    )
    .unwrap_err();
    assert_eq!(err, TrialError::NotTestable { offer: OfferId(1) });
}

#[test]
fn r8_2_when_the_wanted_country_is_purchase_only_another_country_is_suggested() {
    let mut germany = terms(1, "DE", NumberKind::Mobile);
    germany.trial_allowed = false;
    let mut austria_expensive = terms(2, "AT", NumberKind::Mobile);
    austria_expensive.monthly_price = eur("30");
    let austria_cheap = terms(3, "AT", NumberKind::Mobile);
    let sms = terms(4, "DE", NumberKind::Sms);
    let landline_cheaper = {
        let mut t = terms(5, "AT", NumberKind::Landline);
        t.monthly_price = eur("1");
        t
    };
    let offers = [
        germany,
        austria_expensive,
        austria_cheap,
        sms,
        landline_cheaper,
    ]
    .map(offer);

    let suggestion = suggest_trial_offer(&offers, country("DE"), NumberKind::Mobile).unwrap();
    assert_eq!(suggestion.offer.id(), OfferId(3));
    assert_eq!(suggestion.rule, rule::R8_2);

    let at_home = suggest_trial_offer(&offers, country("AT"), NumberKind::Mobile).unwrap();
    assert_eq!(at_home.offer.id(), OfferId(3));
    assert_eq!(at_home.rule, rule::R8_1);
}

#[test]
fn r8_3_nothing_is_suggested_when_only_sms_numbers_are_in_stock() {
    let offers = [offer(terms(1, "DE", NumberKind::Sms))];
    assert_eq!(
        suggest_trial_offer(&offers, country("DE"), NumberKind::Mobile),
        None
    );
}
