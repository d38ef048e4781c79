//! The billing rules as specifications: the FAQ's stories (R10, R1.4) and the laws of the
//! calendar, the ledger and renewal runs.

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;
use rust_decimal_macros::dec;
use vnum_billing::{
    BillingAnchor, BillingError, ConnectionDay, DueNumber, EntryKind, Ledger, LedgerEntry,
    NumberBilling, RenewalDay, RenewalDecision, RenewalError, ServiceState, add_on_due, cancel,
    charges_due_on, covers_first_payment, set_renewal, start_of_day,
};
use vnum_core::{Currency, Money, NumberId, Period, PrepaidTerm, rule};
use vnum_testkit::{at, day, eur};

fn period(start: NaiveDate, end: NaiveDate) -> Period {
    Period::new(start, end).expect("start before end")
}

/// Runs the renewals of every day from the number's first unpaid charge day up to `today`,
/// as the daily run does, recording every charge it decides, and returns the number as it
/// is afterwards.
fn run(
    ledger: &mut Ledger,
    id: NumberId,
    mut number: NumberBilling,
    today: NaiveDate,
) -> NumberBilling {
    let mut run_day = number.paid_until().expect("within the calendar");
    while run_day <= today {
        if let RenewalDecision::Charge {
            index,
            period,
            amount,
        } = number
            .decide(&RenewalDay::new(run_day))
            .expect("within the calendar")
        {
            let entry =
                LedgerEntry::charge(id, period, amount, rule::R10_2, at(day(2026, 1, 1), 0))
                    .expect("a fee is not negative");
            ledger.record(entry).expect("no period is charged twice");
            number = number.charged(index);
        }
        run_day = run_day.succ_opt().expect("within the calendar");
    }
    number
}

// R10.2

#[test]
fn r10_2_connected_20_january_charged_every_20th() {
    let anchor = BillingAnchor::new(day(2026, 1, 20));
    let days: Vec<_> = (0..13).map(|k| anchor.charge_day(k).unwrap()).collect();
    assert!(days.iter().all(|d| d.day() == 20), "{days:?}");
    assert_eq!(days[1], day(2026, 2, 20));
    assert_eq!(days[12], day(2027, 1, 20));

    let number = NumberBilling::new(anchor, eur(dec!(5)), 1);
    let on_19 = number.decide(&RenewalDay::new(day(2026, 2, 19))).unwrap();
    assert_eq!(on_19, RenewalDecision::NotDue);
    assert_eq!(on_19.rule(), rule::R10_2);
    let on_20 = number.decide(&RenewalDay::new(day(2026, 2, 20))).unwrap();
    assert_eq!(
        on_20,
        RenewalDecision::Charge {
            index: 1,
            period: period(day(2026, 2, 20), day(2026, 3, 20)),
            amount: eur(dec!(5)),
        }
    );
    assert_eq!(on_20.rule(), rule::R10_2);
}

#[test]
fn r10_d2_connection_day_is_the_day_in_the_billing_zone() {
    // 23:30 UTC on 19 January is already 20 January in Moscow (UTC+3).
    let connected_at = Utc.with_ymd_and_hms(2026, 1, 19, 23, 30, 0).unwrap();
    let moscow = ConnectionDay::of_instant(connected_at, chrono_tz::Europe::Moscow);
    let new_york = ConnectionDay::of_instant(connected_at, chrono_tz::America::New_York);
    assert_eq!(moscow.get(), 20);
    assert_eq!(new_york.get(), 19);
    assert_eq!(
        BillingAnchor::from_instant(connected_at, chrono_tz::Europe::Moscow).connected_on(),
        day(2026, 1, 20)
    );
}

#[test]
fn connection_day_outside_1_to_31_is_refused() {
    assert_eq!(
        ConnectionDay::new(0),
        Err(BillingError::InvalidConnectionDay(0))
    );
    assert_eq!(
        ConnectionDay::new(32),
        Err(BillingError::InvalidConnectionDay(32))
    );
    assert_eq!(ConnectionDay::new(31).unwrap().get(), 31);
    assert!(serde_json::from_str::<ConnectionDay>("32").is_err());
}

// R10.D1

#[test]
fn r10_d1_connected_31_january_charged_29_february_2028_then_31_march() {
    let anchor = BillingAnchor::new(day(2028, 1, 31));
    let days: Vec<_> = (0..5).map(|k| anchor.charge_day(k).unwrap()).collect();
    assert_eq!(
        days,
        [
            day(2028, 1, 31),
            day(2028, 2, 29),
            day(2028, 3, 31),
            day(2028, 4, 30),
            day(2028, 5, 31)
        ]
    );
    assert_eq!(
        anchor.period(1).unwrap(),
        period(day(2028, 2, 29), day(2028, 3, 31))
    );
    assert_eq!(anchor.charge_day(13).unwrap(), day(2029, 2, 28));
}

#[test]
fn period_containing_and_next_charge_day_follow_the_calendar() {
    let anchor = BillingAnchor::new(day(2028, 1, 31));
    assert_eq!(
        anchor.period_containing(day(2028, 3, 1)).unwrap(),
        (1, period(day(2028, 2, 29), day(2028, 3, 31)))
    );
    assert_eq!(
        anchor.period_containing(day(2028, 1, 30)),
        Err(BillingError::BeforeConnection {
            day: day(2028, 1, 30),
            connected_on: day(2028, 1, 31)
        })
    );
    assert_eq!(
        anchor.next_charge_on_or_after(day(2028, 2, 29)).unwrap(),
        (1, day(2028, 2, 29))
    );
    assert_eq!(
        anchor.next_charge_on_or_after(day(2028, 3, 1)).unwrap(),
        (2, day(2028, 3, 31))
    );
    assert_eq!(
        anchor.next_charge_on_or_after(day(2027, 12, 1)).unwrap(),
        (0, day(2028, 1, 31))
    );
}

#[test]
fn r11_1_a_prepaid_term_covers_n_periods_on_the_connection_day() {
    let anchor = BillingAnchor::new(day(2028, 1, 31));
    let term = anchor.term(1, PrepaidTerm::ThreeMonths).unwrap();
    assert_eq!(term, period(day(2028, 2, 29), day(2028, 5, 31)));
    assert_eq!(term.start(), anchor.period(1).unwrap().start());
    assert_eq!(term.end(), anchor.period(3).unwrap().end());
}

// R10.D2: local days that do not start at midnight

#[test]
fn r10_d2_a_day_whose_midnight_does_not_exist_starts_at_the_end_of_the_gap() {
    // Chile moved its clocks from 00:00 to 01:00 on 8 September 2024 (UTC-4 → UTC-3).
    let start = start_of_day(day(2024, 9, 8), chrono_tz::America::Santiago);
    assert_eq!(start, Utc.with_ymd_and_hms(2024, 9, 8, 4, 0, 0).unwrap());
    assert_eq!(
        start
            .with_timezone(&chrono_tz::America::Santiago)
            .date_naive(),
        day(2024, 9, 8)
    );
    // Brazil did the same on 4 November 2018 (UTC-3 → UTC-2).
    let start = start_of_day(day(2018, 11, 4), chrono_tz::America::Sao_Paulo);
    assert_eq!(start, Utc.with_ymd_and_hms(2018, 11, 4, 3, 0, 0).unwrap());
    // Lebanon moves from 00:00 to 01:00 on the last Sunday of March (UTC+2 → UTC+3).
    let start = start_of_day(day(2023, 3, 26), chrono_tz::Asia::Beirut);
    assert_eq!(start, Utc.with_ymd_and_hms(2023, 3, 25, 22, 0, 0).unwrap());
}

#[test]
fn r10_d2_a_day_whose_midnight_happens_twice_starts_at_the_first() {
    // Cuba moves back from 01:00 to 00:00 on the first Sunday of November (UTC-4 → UTC-5),
    // so 00:00 on 2 November 2025 happens at 04:00 UTC and again at 05:00 UTC.
    let start = start_of_day(day(2025, 11, 2), chrono_tz::America::Havana);
    assert_eq!(start, Utc.with_ymd_and_hms(2025, 11, 2, 4, 0, 0).unwrap());
}

#[test]
fn r10_d2_a_day_after_a_repeated_hour_starts_once_the_hour_is_over() {
    // Lebanon moves back from 00:00 to 23:00 on the last Sunday of October (UTC+3 → UTC+2):
    // 23:00–24:00 on 28 October 2023 happens twice and 29 October starts at 22:00 UTC.
    let start = start_of_day(day(2023, 10, 29), chrono_tz::Asia::Beirut);
    assert_eq!(start, Utc.with_ymd_and_hms(2023, 10, 28, 22, 0, 0).unwrap());
    let before = start - chrono::TimeDelta::seconds(1);
    assert_eq!(
        before.with_timezone(&chrono_tz::Asia::Beirut).date_naive(),
        day(2023, 10, 28)
    );
    // Brazil did the same on 18 February 2018 (UTC-2 → UTC-3).
    let start = start_of_day(day(2018, 2, 18), chrono_tz::America::Sao_Paulo);
    assert_eq!(start, Utc.with_ymd_and_hms(2018, 2, 18, 3, 0, 0).unwrap());
}

#[test]
fn r10_d2_an_ordinary_day_starts_at_local_midnight() {
    let start = start_of_day(day(2026, 1, 20), chrono_tz::Europe::Moscow);
    assert_eq!(start, Utc.with_ymd_and_hms(2026, 1, 19, 21, 0, 0).unwrap());
}

// R10.3, R10.4, R10.5, R10.D3

#[test]
fn r10_5_debt_paid_on_25th_next_charge_still_on_20th() {
    let id = NumberId(7);
    let anchor = BillingAnchor::new(day(2026, 1, 20));
    let mut ledger = Ledger::new(Currency::EUR);
    ledger
        .record(
            LedgerEntry::top_up(eur(dec!(15)), at(day(2026, 1, 20), 9), Some("key-1".into()))
                .unwrap(),
        )
        .unwrap();
    let first = LedgerEntry::charge(
        id,
        anchor.period(0).unwrap(),
        eur(dec!(10)),
        rule::R1_4,
        at(day(2026, 1, 20), 9),
    );
    ledger.record(first.unwrap()).unwrap();
    let mut number = NumberBilling::new(anchor, eur(dec!(10)), 1);

    number = run(&mut ledger, id, number, day(2026, 2, 20));
    assert_eq!(ledger.balance(), eur(dec!(-5)), "R10.3: charged into debt");
    assert_eq!(
        ServiceState::of_balance(ledger.balance()),
        ServiceState::Suspended
    );
    number = run(&mut ledger, id, number, day(2026, 3, 20));
    assert_eq!(ledger.balance(), eur(dec!(-15)));
    assert_eq!(
        ServiceState::of_balance(ledger.balance()).rule(),
        rule::R10_4
    );

    ledger
        .record(LedgerEntry::top_up(eur(dec!(15)), at(day(2026, 3, 25), 12), None).unwrap())
        .unwrap();
    let state = ServiceState::of_balance(ledger.balance());
    assert_eq!(
        state,
        ServiceState::Active,
        "R10.D3: a zero balance works again"
    );
    assert!(state.receives_traffic());

    assert_eq!(
        number.decide(&RenewalDay::new(day(2026, 3, 25))).unwrap(),
        RenewalDecision::NotDue
    );
    assert_eq!(
        anchor.next_charge_on_or_after(day(2026, 3, 25)).unwrap().1,
        day(2026, 4, 20)
    );
    let on_20_april = number.decide(&RenewalDay::new(day(2026, 4, 20))).unwrap();
    assert!(
        matches!(on_20_april, RenewalDecision::Charge { period: p, .. } if p == period(day(2026, 4, 20), day(2026, 5, 20))),
        "{on_20_april:?}"
    );
}

// R10.6

#[test]
fn r10_6_cancelling_in_a_paid_period_refunds_nothing() {
    let number = NumberBilling::new(BillingAnchor::new(day(2026, 1, 20)), eur(dec!(10)), 2);
    let (deleted, cancellation) = cancel(number, day(2026, 2, 25)).unwrap();
    assert!(cancellation.refund.is_zero());
    assert_eq!(cancellation.refund.currency(), Currency::EUR);
    assert_eq!(cancellation.rule, rule::R10_6);
    assert_eq!(cancellation.paid_until, day(2026, 3, 20));
    assert!(matches!(
        deleted.decide(&RenewalDay::new(day(2026, 3, 20))).unwrap(),
        RenewalDecision::DeletedInTime { .. }
    ));
}

// R10.7

#[test]
fn r10_7_deleted_two_days_before_charge_day_not_charged() {
    let number = NumberBilling::new(BillingAnchor::new(day(2026, 1, 20)), eur(dec!(10)), 1)
        .deleted_on(day(2026, 2, 18));
    let decision = number.decide(&RenewalDay::new(day(2026, 2, 20))).unwrap();
    assert_eq!(
        decision,
        RenewalDecision::DeletedInTime {
            deleted_on: day(2026, 2, 18),
            charge_day: day(2026, 2, 20)
        }
    );
    assert_eq!(decision.rule(), rule::R10_7);
}

#[test]
fn r10_7_deleted_the_day_before_charge_day_not_charged() {
    let number = NumberBilling::new(BillingAnchor::new(day(2026, 1, 20)), eur(dec!(10)), 1)
        .deleted_on(day(2026, 2, 19));
    let decision = number.decide(&RenewalDay::new(day(2026, 2, 20))).unwrap();
    assert!(
        matches!(decision, RenewalDecision::DeletedInTime { .. }),
        "{decision:?}"
    );
}

#[test]
fn r10_7_deleted_on_charge_day_charged() {
    let number = NumberBilling::new(BillingAnchor::new(day(2026, 1, 20)), eur(dec!(10)), 1)
        .deleted_on(day(2026, 2, 20));
    let decision = number.decide(&RenewalDay::new(day(2026, 2, 20))).unwrap();
    assert!(
        matches!(decision, RenewalDecision::Charge { index: 1, .. }),
        "{decision:?}"
    );
    let after = number
        .charged(1)
        .decide(&RenewalDay::new(day(2026, 3, 20)))
        .unwrap();
    assert!(
        matches!(after, RenewalDecision::DeletedInTime { .. }),
        "{after:?}"
    );
}

/// R10.7: connected 20 January, monthly; set not to renew on `stopped`. Every charge
/// decided from 20 February 2026 to 20 June 2027, and the day the number ends.
fn not_renewing(stopped: NaiveDate, paid_periods: u32) -> (Vec<Period>, Option<NaiveDate>) {
    let mut ledger = Ledger::new(Currency::EUR);
    let number = NumberBilling::new(
        BillingAnchor::new(day(2026, 1, 20)),
        eur(dec!(10)),
        paid_periods,
    )
    .stopped_on(Some(stopped));
    let ends = number.ends_on().expect("within the calendar");
    run(&mut ledger, NumberId(1), number, day(2027, 6, 20));
    let charged = ledger
        .entries()
        .iter()
        .filter_map(LedgerEntry::period)
        .collect();
    (charged, ends)
}

#[test]
fn r10_7_set_not_to_renew_the_day_before_the_charge_day_is_never_charged_again() {
    let (charged, ends) = not_renewing(day(2026, 2, 19), 1);
    assert_eq!(charged, Vec::<Period>::new());
    assert_eq!(ends, Some(day(2026, 2, 20)));
    let number = NumberBilling::new(BillingAnchor::new(day(2026, 1, 20)), eur(dec!(10)), 1)
        .stopped_on(Some(day(2026, 2, 19)));
    let decision = number.decide(&RenewalDay::new(day(2026, 2, 20))).unwrap();
    assert_eq!(
        decision,
        RenewalDecision::NotRenewed {
            stopped_on: day(2026, 2, 19),
            charge_day: day(2026, 2, 20)
        }
    );
    assert_eq!(decision.rule(), rule::R10_7);
    let due = number.due_number().unwrap();
    assert!(!RenewalDay::new(day(2026, 2, 19)).releases(&due));
    assert!(RenewalDay::new(day(2026, 2, 20)).releases(&due));
}

#[test]
fn r10_7_set_not_to_renew_on_the_charge_day_is_charged_that_day_and_ends_a_period_later() {
    let (charged, ends) = not_renewing(day(2026, 2, 20), 1);
    assert_eq!(charged, vec![period(day(2026, 2, 20), day(2026, 3, 20))]);
    assert_eq!(ends, Some(day(2026, 3, 20)));
}

#[test]
fn r10_7_a_prepaid_term_not_renewing_ends_at_the_end_of_the_term() {
    // Twelve months paid with the order, set not to renew in March: works to 19 January.
    let (charged, ends) = not_renewing(day(2026, 3, 5), 12);
    assert_eq!(charged, Vec::<Period>::new());
    assert_eq!(ends, Some(day(2027, 1, 20)));
}

#[test]
fn r10_7_the_charge_day_is_the_day_in_the_billing_zone() {
    // 23:30 in Moscow on 19 February is 20:30 UTC: the day before the charge day there.
    let moscow: Tz = "Europe/Moscow".parse().unwrap();
    let evening = moscow
        .with_ymd_and_hms(2026, 2, 19, 23, 30, 0)
        .unwrap()
        .with_timezone(&Utc);
    let stopped = RenewalDay::of_instant(evening, moscow).date();
    assert_eq!(not_renewing(stopped, 1).0, Vec::<Period>::new());
    // 00:30 in Moscow on 20 February is still 19 February in UTC, but it is the charge day.
    let night = moscow
        .with_ymd_and_hms(2026, 2, 20, 0, 30, 0)
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(night.date_naive(), day(2026, 2, 19));
    let stopped = RenewalDay::of_instant(night, moscow).date();
    assert_eq!(
        not_renewing(stopped, 1).0,
        vec![period(day(2026, 2, 20), day(2026, 3, 20))]
    );
}

#[test]
fn r10_7_renewing_again_before_the_end_is_charged_as_before() {
    let anchor = BillingAnchor::new(day(2026, 1, 20));
    let number = NumberBilling::new(anchor, eur(dec!(10)), 1);
    let stopped = set_renewal(number, false, day(2026, 2, 1)).unwrap();
    assert_eq!(stopped.renewal_stopped(), Some(day(2026, 2, 1)));
    // Set again later: the first day stays.
    let again = set_renewal(stopped, false, day(2026, 2, 10)).unwrap();
    assert_eq!(again.renewal_stopped(), Some(day(2026, 2, 1)));
    let renewing = set_renewal(again, true, day(2026, 2, 15)).unwrap();
    assert_eq!(renewing, number);
    assert_eq!(renewing.ends_on().unwrap(), None);
    let decision = renewing.decide(&RenewalDay::new(day(2026, 2, 20))).unwrap();
    assert!(
        matches!(decision, RenewalDecision::Charge { index: 1, .. }),
        "{decision:?}"
    );
}

#[test]
fn r10_7_after_the_end_it_is_too_late_to_renew() {
    let number = NumberBilling::new(BillingAnchor::new(day(2026, 1, 20)), eur(dec!(10)), 1)
        .stopped_on(Some(day(2026, 2, 1)))
        .deleted_on(day(2026, 2, 20));
    let refused = set_renewal(number, true, day(2026, 2, 21)).unwrap_err();
    assert_eq!(
        refused,
        RenewalError::Ended {
            ended_on: day(2026, 2, 20)
        }
    );
    assert_eq!(vnum_core::rule::RuleError::rule(&refused), rule::R10_7);
    assert!(refused.to_string().contains("2026-02-20"), "{refused}");
}

// R10.D4

#[test]
fn r10_d4_a_second_run_on_the_same_day_charges_nothing() {
    let id = NumberId(1);
    let mut ledger = Ledger::new(Currency::EUR);
    let number = NumberBilling::new(BillingAnchor::new(day(2026, 1, 20)), eur(dec!(10)), 1);
    let number = run(&mut ledger, id, number, day(2026, 2, 20));
    let again = number.decide(&RenewalDay::new(day(2026, 2, 20))).unwrap();
    assert_eq!(
        again,
        RenewalDecision::AlreadyCharged {
            period: period(day(2026, 2, 20), day(2026, 3, 20))
        }
    );
    assert_eq!(again.rule(), rule::R10_D4);
    assert_eq!(ledger.entries().len(), 1);
}

#[test]
fn r10_d4_the_ledger_refuses_a_second_charge_for_a_period() {
    let id = NumberId(1);
    let mut ledger = Ledger::new(Currency::EUR);
    let p = period(day(2026, 2, 20), day(2026, 3, 20));
    let charge =
        || LedgerEntry::charge(id, p, eur(dec!(10)), rule::R10_2, at(day(2026, 2, 20), 1)).unwrap();
    ledger.record(charge()).unwrap();
    assert_eq!(
        ledger.record(charge()),
        Err(BillingError::PeriodAlreadyCharged {
            number: id,
            period: p
        })
    );
    // A prepaid term overlapping the charged month is refused too.
    let term = period(day(2026, 1, 20), day(2026, 4, 20));
    let overlapping = LedgerEntry::charge(
        id,
        term,
        eur(dec!(25)),
        rule::R11_1,
        at(day(2026, 2, 21), 1),
    )
    .unwrap();
    assert!(matches!(
        ledger.record(overlapping),
        Err(BillingError::PeriodAlreadyCharged { .. })
    ));
    // Another number may be charged for the same days.
    ledger
        .record(
            LedgerEntry::charge(
                NumberId(2),
                p,
                eur(dec!(10)),
                rule::R10_2,
                at(day(2026, 2, 20), 1),
            )
            .unwrap(),
        )
        .unwrap();
    assert_eq!(ledger.balance(), eur(dec!(-20)));
    assert!(ledger.is_charged(id, day(2026, 3, 19)));
    assert!(!ledger.is_charged(id, day(2026, 3, 20)));
}

#[test]
fn r10_1_a_twelve_month_prepaid_term_is_not_charged_until_it_runs_out() {
    let anchor = BillingAnchor::new(day(2026, 1, 20));
    let number = NumberBilling::new(anchor, eur(dec!(10)), 12);
    let mid = number.decide(&RenewalDay::new(day(2026, 7, 20))).unwrap();
    assert_eq!(
        mid,
        RenewalDecision::PrepaidCovered {
            until: day(2027, 1, 20)
        }
    );
    assert_eq!(mid.rule(), rule::R10_1);
    let end = number.decide(&RenewalDay::new(day(2027, 1, 20))).unwrap();
    assert!(
        matches!(end, RenewalDecision::Charge { index: 12, .. }),
        "{end:?}"
    );
}

#[test]
fn r11_1_a_twelve_month_term_bought_with_the_order_then_monthly_renewals_from_its_end() {
    let id = NumberId(3);
    let anchor = BillingAnchor::new(day(2026, 1, 20));
    let mut ledger = Ledger::new(Currency::EUR);
    let mut number = NumberBilling::new(anchor, eur(dec!(10)), 0);
    let term = number.next_term(PrepaidTerm::TwelveMonths).unwrap();
    assert_eq!(term, period(day(2026, 1, 20), day(2027, 1, 20)));
    let entry = LedgerEntry::charge(
        id,
        term,
        eur(dec!(96)),
        rule::R11_1,
        at(day(2026, 1, 20), 8),
    );
    ledger.record(entry.unwrap()).unwrap();
    number = number.with_paid(12);

    let mut today = day(2026, 1, 20);
    while today <= day(2027, 2, 25) {
        number = run(&mut ledger, id, number, today);
        today = today.succ_opt().unwrap();
    }
    let charged: Vec<_> = ledger
        .entries()
        .iter()
        .filter_map(LedgerEntry::period)
        .collect();
    assert_eq!(
        charged,
        [
            term,
            period(day(2027, 1, 20), day(2027, 2, 20)),
            period(day(2027, 2, 20), day(2027, 3, 20)),
        ]
    );
    assert_eq!(ledger.balance(), eur(dec!(-116)));
    let json = serde_json::to_string(&number).unwrap();
    assert_eq!(
        serde_json::from_str::<NumberBilling>(&json).unwrap(),
        number
    );
}

// Ledger entries

#[test]
fn ledger_entries_carry_their_sign_and_refuse_the_wrong_one() {
    let top_up =
        LedgerEntry::top_up(eur(dec!(10)), at(day(2026, 1, 1), 0), Some("idem-1".into())).unwrap();
    assert_eq!(top_up.kind(), EntryKind::TopUp);
    assert_eq!(top_up.reference(), Some("idem-1"));
    let charge = LedgerEntry::charge(
        NumberId(1),
        period(day(2026, 1, 1), day(2026, 2, 1)),
        eur(dec!(4)),
        rule::R10_2,
        at(day(2026, 1, 1), 0),
    )
    .unwrap();
    assert_eq!(charge.amount(), eur(dec!(-4)));
    assert_eq!(
        LedgerEntry::top_up(eur(dec!(-1)), at(day(2026, 1, 1), 0), None),
        Err(BillingError::AmountNotPositive {
            kind: EntryKind::TopUp,
            amount: eur(dec!(-1))
        })
    );
    assert!(
        LedgerEntry::bank_transfer(eur(dec!(0)), at(day(2026, 1, 1), 0), "REF".into()).is_err()
    );
    assert_eq!(
        LedgerEntry::adjustment(eur(dec!(0)), rule::R10_D5, at(day(2026, 1, 1), 0), None),
        Err(BillingError::ZeroAdjustment)
    );
    let transfer =
        LedgerEntry::bank_transfer(eur(dec!(100)), at(day(2026, 1, 1), 0), "BANK-42".into())
            .unwrap();
    assert_eq!(transfer.rule(), rule::R12_1);
    let json = serde_json::to_string(&charge).unwrap();
    assert_eq!(serde_json::from_str::<LedgerEntry>(&json).unwrap(), charge);
}

#[test]
fn the_ledger_refuses_another_currency_and_stays_unchanged() {
    let mut ledger = Ledger::new(Currency::EUR);
    let usd = LedgerEntry::top_up(
        Money::new(dec!(5), Currency::USD),
        at(day(2026, 1, 1), 0),
        None,
    )
    .unwrap();
    assert!(matches!(ledger.record(usd), Err(BillingError::Money(_))));
    assert!(ledger.entries().is_empty());
    assert!(ledger.balance().is_zero());
}

// R1.4

#[test]
fn r1_4_an_order_is_accepted_only_when_the_balance_covers_the_first_payment() {
    assert_eq!(covers_first_payment(eur(dec!(10)), eur(dec!(10))), Ok(()));
    assert_eq!(
        covers_first_payment(eur(dec!(9.99)), eur(dec!(10))),
        Err(BillingError::InsufficientBalance {
            needed: eur(dec!(10)),
            available: eur(dec!(9.99))
        })
    );
    let err = covers_first_payment(eur(dec!(1)), eur(dec!(10))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the balance of 1 EUR does not cover 10 EUR due in advance: please top up"
    );
    assert!(matches!(
        covers_first_payment(eur(dec!(10)), Money::new(dec!(1), Currency::USD)),
        Err(BillingError::Money(_))
    ));
}

// Laws

const ZONES: [Tz; 8] = [
    chrono_tz::Europe::Moscow,
    chrono_tz::America::Santiago,
    chrono_tz::America::Sao_Paulo,
    chrono_tz::Asia::Beirut,
    chrono_tz::Pacific::Kiritimati,
    chrono_tz::Pacific::Pago_Pago,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::UTC,
];

fn last_day_of_month(d: NaiveDate) -> u32 {
    let next = if d.month() == 12 {
        day(d.year() + 1, 1, 1)
    } else {
        day(d.year(), d.month() + 1, 1)
    };
    next.pred_opt().expect("not the first day").day()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn r10_d1_periods_never_drift_over_1200_months(
        connection_day in 1u32..=31,
        zone in 0usize..ZONES.len(),
        year in 1990i32..2100,
        month in 1u32..=12,
        hour in 0u32..24,
    ) {
        // A connection instant whose local day in the zone has `connection_day`, when the
        // month has it; otherwise the month's last day.
        let tz = ZONES[zone];
        let first = day(year, month, 1);
        let local = day(year, month, connection_day.min(last_day_of_month(first)));
        let connected_at = start_of_day(local, tz) + chrono::TimeDelta::hours(i64::from(hour) / 2);
        let anchor = BillingAnchor::from_instant(connected_at, tz);
        prop_assert_eq!(anchor.connected_on(), local);
        let c = anchor.connection_day().get();
        let mut previous = anchor.period(0).unwrap();
        prop_assert_eq!(previous.start(), local);
        for k in 1..1200u32 {
            let p = anchor.period(k).unwrap();
            prop_assert_eq!(p.start(), previous.end(), "period {} starts where {} ends", k, k - 1);
            let expected = c.min(last_day_of_month(p.start()));
            prop_assert_eq!(p.start().day(), expected);
            // An independent oracle: chrono adds months to the connection date and clamps
            // to the month's last day, always from the anchor.
            prop_assert_eq!(Some(p.start()), local.checked_add_months(chrono::Months::new(k)));
            prop_assert_eq!(anchor.index_of(p.start()), Some(k));
            prop_assert_eq!(anchor.index_of(p.last_day()), Some(k));
            if k % 12 == 0 && c <= 28 {
                prop_assert_eq!((p.start().month(), p.start().day()), (local.month(), local.day()));
            }
            previous = p;
        }
    }

    #[test]
    fn r10_d2_a_local_day_starts_at_its_first_instant(
        zone in 0usize..ZONES.len(),
        offset in 0i64..(200 * 366),
    ) {
        let tz = ZONES[zone];
        let local = day(1900, 1, 1) + chrono::TimeDelta::days(offset);
        let start = start_of_day(local, tz);
        prop_assert_eq!(start.with_timezone(&tz).date_naive(), local);
        let before = start - chrono::TimeDelta::seconds(1);
        prop_assert!(before.with_timezone(&tz).date_naive() < local);
    }

    #[test]
    fn the_balance_is_the_sum_of_the_ledger(ops in proptest::collection::vec((0u8..5, 1i64..100_000, 0i64..4, 0u32..24), 0..60)) {
        let mut ledger = Ledger::new(Currency::EUR);
        let anchor = BillingAnchor::new(day(2026, 1, 20));
        for (kind, cents, number, k) in ops {
            let amount = Money::new(rust_decimal::Decimal::new(cents, 2), Currency::EUR);
            let now = at(day(2026, 1, 1), 0);
            let entry = match kind {
                0 => LedgerEntry::top_up(amount, now, None),
                1 => LedgerEntry::bank_transfer(amount, now, "REF".into()),
                2 => LedgerEntry::refund(amount, rule::R9_D1, now, None),
                3 => LedgerEntry::adjustment(-amount, rule::R10_D5, now, None),
                _ => LedgerEntry::charge(NumberId(number), anchor.period(k).unwrap(), amount, rule::R10_2, now),
            }.unwrap();
            let before = ledger.clone();
            match ledger.record(entry) {
                Ok(balance) => prop_assert_eq!(balance, ledger.balance()),
                Err(BillingError::PeriodAlreadyCharged { .. }) => prop_assert_eq!(&ledger, &before),
                Err(other) => prop_assert!(false, "unexpected {other}"),
            }
            let sum = Money::sum(Currency::EUR, ledger.entries().iter().map(LedgerEntry::amount)).unwrap();
            prop_assert_eq!(sum, ledger.balance());
        }
    }

    #[test]
    fn r10_d4_renewal_runs_in_any_order_charge_every_elapsed_period_exactly_once(
        connected in 0i64..730,
        runs in proptest::collection::vec(0i64..500, 1..40),
        deleted_after in proptest::option::of(0i64..500),
    ) {
        let connected_on = day(2027, 1, 1) + chrono::TimeDelta::days(connected);
        let anchor = BillingAnchor::new(connected_on);
        let id = NumberId(1);
        let mut ledger = Ledger::new(Currency::EUR);
        let mut number = NumberBilling::new(anchor, eur(dec!(3)), 0);
        let deleted_on = deleted_after.map(|d| connected_on + chrono::TimeDelta::days(d));
        if let Some(d) = deleted_on {
            number = number.deleted_on(d);
        }
        let mut last = connected_on;
        for offset in runs.iter().chain(runs.iter()) {
            let today = connected_on + chrono::TimeDelta::days(*offset);
            last = last.max(today);
            number = run(&mut ledger, id, number, today);
        }
        number = run(&mut ledger, id, number, last);
        // The ledger refuses doubles, so a double would have failed `run`; count anyway.
        let mut charged: Vec<Period> = ledger.entries().iter().filter_map(LedgerEntry::period).collect();
        charged.sort();
        charged.dedup();
        prop_assert_eq!(charged.len(), ledger.entries().len());
        let elapsed = anchor.index_of(last).unwrap() + 1;
        let expected: Vec<Period> = (0..elapsed)
            .map(|k| anchor.period(k).unwrap())
            .filter(|p| deleted_on.is_none_or(|d| d >= p.start()))
            .collect();
        prop_assert_eq!(charged, expected);
        prop_assert_eq!(number.paid_periods() as usize, ledger.entries().len());
    }
}

proptest! {
    /// The set-based renewal run selects due numbers by connection day: a connection day is
    /// due on a day exactly when that day starts one of its periods, and the period it
    /// starts ends where the calendar says (R10.2, R10.D1).
    #[test]
    fn r10_d1_charges_due_on_a_day_are_the_calendar_charge_days(
        connected in 0i64..3_000,
        offset in 1i64..2_000,
    ) {
        let connected_on = day(2024, 1, 1) + chrono::Duration::days(connected);
        let today = connected_on + chrono::Duration::days(offset);
        let anchor = BillingAnchor::new(connected_on);
        let (k, period) = anchor.period_containing(today).unwrap();
        let due = charges_due_on(today);
        let listed = due.iter().find(|(d, _)| *d == anchor.connection_day());
        if period.start() == today {
            prop_assert!(k > 0);
            prop_assert_eq!(listed.map(|(_, end)| *end), Some(period.end()));
        } else {
            prop_assert!(listed.is_none(), "{today} is not a charge day of {connected_on}");
        }
    }
}

proptest! {
    /// The due rule has two faces: the predicate the in-memory store calls and the data a SQL
    /// store selects by (the connection days due on the day with their period ends, paid
    /// through the day at most, not deleted or set not to renew before it). They choose the
    /// same numbers and the same periods (R10.2, R10.7, R10.D1); the release of a number
    /// that does not renew is never a charge.
    #[test]
    fn r10_2_the_due_rule_as_data_selects_exactly_what_the_predicate_charges(
        connected in 0i64..3_000,
        offset in 0i64..800,
        paid_ahead in -40i64..400,
        deleted in proptest::option::of(-3i64..3),
        stopped in proptest::option::of(-3i64..3),
    ) {
        let connected_on = day(2024, 1, 1) + chrono::TimeDelta::days(connected);
        let today = connected_on + chrono::TimeDelta::days(offset);
        let number = DueNumber {
            connection_day: ConnectionDay::of_day(connected_on),
            paid_through: today + chrono::TimeDelta::days(paid_ahead),
            deleted_on: deleted.map(|d| today + chrono::TimeDelta::days(d)),
            stopped_on: stopped.map(|d| today + chrono::TimeDelta::days(d)),
        };
        let run = RenewalDay::new(today);
        let by_data = run
            .anchors()
            .iter()
            .find(|a| {
                a.connection_day == number.connection_day
                    && number.paid_through <= run.date()
                    && number.deleted_on.is_none_or(|d| d >= run.date())
                    && number.stopped_on.is_none_or(|d| d >= run.date())
            })
            .map(|a| period(run.date(), a.period_end));
        prop_assert_eq!(run.charge(&number), by_data);
        // The release as data: what a SQL store selects by.
        let released = number.deleted_on.is_none()
            && number.stopped_on.is_some_and(|d| d < run.date())
            && number.paid_through <= run.date();
        prop_assert_eq!(run.releases(&number), released);
        // A number released on a day is never charged on it.
        prop_assert!(!(run.releases(&number) && run.charge(&number).is_some()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// R10.7: a number set not to renew before a charge day is never charged on that day or
    /// after; up to the day it was set it is charged exactly as the same number renewing.
    #[test]
    fn r10_7_a_number_not_renewing_is_never_charged_after_it_was_set_and_as_before_until_then(
        connected in 0i64..1_000,
        paid in 1u32..13,
        stopped_after in 0i64..500,
    ) {
        let connected_on = day(2026, 1, 1) + chrono::TimeDelta::days(connected);
        let anchor = BillingAnchor::new(connected_on);
        let renewing = NumberBilling::new(anchor, eur(dec!(3)), paid);
        let stopped_on = connected_on + chrono::TimeDelta::days(stopped_after);
        let stopping = renewing.stopped_on(Some(stopped_on));
        let until = stopped_on + chrono::TimeDelta::days(800);
        let (mut both, mut alone) = (Ledger::new(Currency::EUR), Ledger::new(Currency::EUR));
        run(&mut alone, NumberId(1), stopping, until);
        run(&mut both, NumberId(1), renewing, until);
        let charged: Vec<Period> = alone.entries().iter().filter_map(LedgerEntry::period).collect();
        let before: Vec<Period> = both
            .entries()
            .iter()
            .filter_map(LedgerEntry::period)
            .filter(|p| p.start() <= stopped_on)
            .collect();
        prop_assert_eq!(&charged, &before);
        prop_assert!(charged.iter().all(|p| p.start() <= stopped_on));
        // It ends on the first charge day it was not charged on.
        let ends = stopping.ends_on().unwrap().unwrap();
        let paid_to = charged.last().map_or(renewing.paid_until().unwrap(), |p| p.end());
        prop_assert_eq!(ends, paid_to);
        prop_assert!(ends > stopped_on);
    }
}

// R6.D1

#[test]
fn r6_d1_an_add_on_turned_on_is_paid_at_once_for_the_current_period() {
    let anchor = BillingAnchor::new(day(2026, 1, 20));
    let due = add_on_due(
        &anchor,
        day(2026, 2, 25),
        day(2026, 3, 20),
        None,
        eur(dec!(2)),
    )
    .unwrap()
    .unwrap();
    assert_eq!(due.period, period(day(2026, 2, 20), day(2026, 3, 20)));
    assert_eq!((due.months, due.amount), (1, eur(dec!(2))));
}

#[test]
fn r6_d1_on_a_prepaid_term_the_add_on_is_paid_to_the_end_of_the_term() {
    let anchor = BillingAnchor::new(day(2026, 1, 20));
    // Twelve months paid with the order; turned on in May: May to January, 8 months.
    let due = add_on_due(
        &anchor,
        day(2026, 5, 2),
        day(2027, 1, 20),
        None,
        eur(dec!(2)),
    )
    .unwrap()
    .unwrap();
    assert_eq!(due.period, period(day(2026, 4, 20), day(2027, 1, 20)));
    assert_eq!((due.months, due.amount), (9, eur(dec!(18))));
}

#[test]
fn r6_d1_turned_off_and_on_again_within_paid_periods_costs_nothing_more() {
    let anchor = BillingAnchor::new(day(2026, 1, 20));
    let again = add_on_due(
        &anchor,
        day(2026, 3, 1),
        day(2026, 3, 20),
        Some(day(2026, 3, 20)),
        eur(dec!(2)),
    );
    assert_eq!(again.unwrap(), None);
    // Paid for it up to 20 March, the number renewed to 20 April: one month is due.
    let later = add_on_due(
        &anchor,
        day(2026, 4, 1),
        day(2026, 4, 20),
        Some(day(2026, 3, 20)),
        eur(dec!(2)),
    )
    .unwrap()
    .unwrap();
    assert_eq!(later.period, period(day(2026, 3, 20), day(2026, 4, 20)));
    assert_eq!(later.amount, eur(dec!(2)));
}
