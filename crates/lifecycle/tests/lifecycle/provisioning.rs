//! R2 provisioning time and R2.D1 business days.

use chrono::{Datelike, NaiveDate, Weekday};
use proptest::prelude::*;
use vnum_core::rule;
use vnum_lifecycle::{
    BusinessDayRange, CalendarError, HolidayCalendar, ProvisioningClass, ReadyBy,
};
use vnum_testkit::{country, day};

fn germany() -> HolidayCalendar {
    HolidayCalendar::parse(
        country("DE"),
        "# Germany, as loaded by the provider\n\
         2026-12-25 Christmas Day\n\
         2026-12-26 Boxing Day\n\
         \n\
         2027-01-01 New Year's Day\n",
    )
    .expect("the German holiday list parses")
}

#[test]
fn r2_3_the_offer_shows_its_expected_time_before_purchase() {
    let slow = ProvisioningClass::BusinessDays(BusinessDayRange::new(5, 15).unwrap());
    assert_eq!(slow.eta().to_string(), "5–15 business days");
    assert_eq!(slow.eta().rule, rule::R2_3);
    assert_eq!(
        ProvisioningClass::AfterDocuments.eta().to_string(),
        "1–2 business days after your documents are accepted"
    );
    assert_eq!(
        ProvisioningClass::Instant.eta().to_string(),
        "connected instantly"
    );
    assert_eq!(ProvisioningClass::Instant.eta().rule, rule::R2_1);
}

#[test]
fn r2_d1_an_order_shows_a_ready_by_date_skipping_weekends_and_holidays() {
    let slow = ProvisioningClass::BusinessDays(BusinessDayRange::new(5, 15).unwrap());
    // Ordered on Wednesday 23 December 2026: Christmas (Friday) and New Year (Friday) are
    // holidays, so the 5th business day is Thursday 31 December and the 15th is 15 January.
    let ready = slow.ready_by(&germany(), day(2026, 12, 23), None).unwrap();
    assert_eq!(
        ready,
        ReadyBy::Between {
            earliest: day(2026, 12, 31),
            latest: day(2027, 1, 15),
            rule: rule::R2_D1
        }
    );
}

#[test]
fn r2_2_numbers_needing_documents_count_from_the_acceptance_day() {
    let class = ProvisioningClass::AfterDocuments;
    assert_eq!(
        class.ready_by(&germany(), day(2026, 11, 20), None).unwrap(),
        ReadyBy::WhenDocumentsAccepted { rule: rule::R2_2 }
    );
    // Accepted on Friday 27 November: ready Monday 30 November to Tuesday 1 December.
    assert_eq!(
        class
            .ready_by(&germany(), day(2026, 11, 20), Some(day(2026, 11, 27)))
            .unwrap(),
        ReadyBy::Between {
            earliest: day(2026, 11, 30),
            latest: day(2026, 12, 1),
            rule: rule::R2_2
        }
    );
}

#[test]
fn r2_1_instant_numbers_are_ready_on_the_order_day() {
    let ready = ProvisioningClass::Instant
        .ready_by(&germany(), day(2026, 12, 25), None)
        .unwrap();
    assert_eq!(
        ready,
        ReadyBy::Between {
            earliest: day(2026, 12, 25),
            latest: day(2026, 12, 25),
            rule: rule::R2_1
        }
    );
}

#[test]
fn business_day_ranges_refuse_empty_or_zero_ranges() {
    assert!(BusinessDayRange::new(0, 3).is_err());
    assert!(BusinessDayRange::new(5, 4).is_err());
    assert_eq!(
        BusinessDayRange::new(3, 3).unwrap().to_string(),
        "3 business days"
    );
}

#[test]
fn a_holiday_list_with_a_bad_line_is_refused_naming_the_line() {
    let err =
        HolidayCalendar::parse(country("DE"), "2026-01-01\n01.05.2026 Labour Day\n").unwrap_err();
    assert_eq!(
        err,
        CalendarError::BadHoliday {
            line: 2,
            text: "01.05.2026 Labour Day".to_owned()
        }
    );
}

fn date(offset: i64) -> NaiveDate {
    day(2026, 1, 1) + chrono::TimeDelta::days(offset)
}

fn calendar() -> impl Strategy<Value = HolidayCalendar> {
    prop::collection::btree_set(0i64..800, 0..120)
        .prop_map(|days| HolidayCalendar::new(country("DE"), days.into_iter().map(date)))
}

/// Counts business days in `(from, to]` by looking at every day: the oracle.
fn business_days_between(calendar: &HolidayCalendar, from: NaiveDate, to: NaiveDate) -> usize {
    from.iter_days()
        .skip(1)
        .take_while(|d| *d <= to)
        .filter(|d| {
            !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
                && calendar.holidays().all(|h| h != *d)
        })
        .count()
}

proptest! {
    #[test]
    fn r2_d1_adding_business_days_lands_on_a_business_day_and_counts_exactly_n(
        calendar in calendar(), start in 0i64..700, n in 1u32..40,
    ) {
        let from = date(start);
        let to = calendar.add_business_days(from, n).unwrap();
        prop_assert!(to > from);
        prop_assert!(!matches!(to.weekday(), Weekday::Sat | Weekday::Sun));
        prop_assert!(calendar.holidays().all(|h| h != to));
        prop_assert_eq!(business_days_between(&calendar, from, to), n as usize);
    }

    #[test]
    fn r2_d1_adding_business_days_is_monotonic(
        calendar in calendar(), a in 0i64..700, b in 0i64..700, n in 0u32..30, m in 0u32..30,
    ) {
        let (early, late) = (date(a.min(b)), date(a.max(b)));
        let (few, many) = (n.min(m), n.max(m));
        prop_assert!(
            calendar.add_business_days(early, few).unwrap()
                <= calendar.add_business_days(early, many).unwrap()
        );
        prop_assert!(
            calendar.add_business_days(early, few).unwrap()
                <= calendar.add_business_days(late, few).unwrap()
        );
    }
}

#[test]
fn r2_d1_an_offer_is_dated_only_with_its_own_country_s_holidays() {
    let mut terms = crate::support::terms(1, "DE", vnum_lifecycle::NumberKind::Mobile);
    terms.provisioning = ProvisioningClass::BusinessDays(BusinessDayRange::new(1, 1).unwrap());
    let offer = crate::support::offer(terms);
    assert_eq!(offer.eta().rule, rule::R2_3);
    // Ordered on Thursday 24 December 2026; Friday is Christmas, so Monday 28 December.
    assert_eq!(
        offer.ready_by(&germany(), day(2026, 12, 24), None).unwrap(),
        ReadyBy::Between {
            earliest: day(2026, 12, 28),
            latest: day(2026, 12, 28),
            rule: rule::R2_D1
        }
    );
    let austria = HolidayCalendar::weekends_only(country("AT"));
    assert_eq!(
        offer.ready_by(&austria, day(2026, 12, 24), None),
        Err(CalendarError::WrongCountry {
            calendar: country("AT"),
            number: country("DE")
        })
    );
}
