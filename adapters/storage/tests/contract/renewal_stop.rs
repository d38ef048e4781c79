//! Numbers that do not renew (R10.7) and the charges a renewal history is read from: the
//! flag round-trips, the renewal run skips a number set not to renew before the charge day
//! and charges one set on it, the release selects exactly the numbers whose paid period
//! ended, and a number's period charges are its own.

use rust_decimal_macros::dec;
use vnum_app::model::{FirstCharge, NumberRecord, PeriodDiscount, RenewalBatch};
use vnum_app::ports::Store;
use vnum_core::{LedgerEntryId, NumberId, Period, rule};
use vnum_testkit::{at, day, eur};

use super::common::{billed_number, deleted};
use super::{charge, commit_customer, commit_numbers, e164, february_20};

/// `number`, set not to renew on `on`.
fn stopped(mut number: NumberRecord, on: chrono::NaiveDate) -> NumberRecord {
    if let Some(billing) = number.billing.as_mut() {
        billing.renewal_stopped_on = Some(on);
    }
    number
}

async fn ending_ids(store: &dyn Store, batch: &RenewalBatch) -> Vec<NumberId> {
    let mut tx = store.read().await.unwrap();
    let ending = tx.numbers_ending(batch).await.unwrap();
    ending.into_iter().map(|n| n.id).collect()
}

pub(super) async fn r10_7_a_number_not_renewing_round_trips_with_its_first_charge(
    store: &dyn Store,
) {
    let ada = commit_customer(store, "ada@example.com").await;
    let mut number = stopped(
        billed_number(ada, &e164(1), 20, day(2026, 2, 20), dec!(3)),
        day(2026, 2, 5),
    );
    number.first_charge = Some(FirstCharge {
        entry: LedgerEntryId(7),
        amount: eur(dec!(28.50)),
        setup_fee: eur(dec!(1)),
        discounts: vec![PeriodDiscount {
            rule: rule::R11_1,
            percent: dec!(5),
            amount: eur(dec!(1.50)),
        }],
        at: at(day(2026, 1, 20), 9),
    });
    let stored = commit_numbers(store, vec![number.clone()]).await.remove(0);
    let mut tx = store.begin().await.unwrap();
    let read = tx.number(stored.id).await.unwrap().unwrap();
    assert_eq!(read.billing, number.billing);
    assert_eq!(read.first_charge, number.first_charge);
    assert!(!read.renews());
    // Renewing again clears it.
    let mut again = read.clone();
    if let Some(billing) = again.billing.as_mut() {
        billing.renewal_stopped_on = None;
    }
    tx.update_number(again).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    let read = tx.number(stored.id).await.unwrap().unwrap();
    assert!(read.renews());
    assert_eq!(read.billing.unwrap().renewal_stopped_on, None);
}

pub(super) async fn r10_7_set_not_to_renew_before_the_charge_day_is_not_charged_on_it_is(
    store: &dyn Store,
) {
    let ada = commit_customer(store, "ada@example.com").await;
    let before = stopped(
        billed_number(ada, &e164(1), 20, day(2026, 2, 20), dec!(3)),
        day(2026, 2, 19),
    );
    let on = stopped(
        billed_number(ada, &e164(2), 20, day(2026, 2, 20), dec!(4)),
        day(2026, 2, 20),
    );
    let renewing = billed_number(ada, &e164(3), 20, day(2026, 2, 20), dec!(5));
    let numbers = commit_numbers(store, vec![before, on, renewing]).await;

    let mut tx = store.begin().await.unwrap();
    let outcome = tx.charge_due(&february_20(100)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!((outcome.matched, outcome.charged), (2, 2));

    let mut tx = store.read().await.unwrap();
    assert!(tx.period_charges(numbers[0].id).await.unwrap().is_empty());
    for (number, fee) in [(&numbers[1], dec!(-4)), (&numbers[2], dec!(-5))] {
        let charges = tx.period_charges(number.id).await.unwrap();
        assert_eq!(charges.len(), 1, "{:?}", number.id);
        assert_eq!(charges[0].amount, eur(fee));
        assert_eq!(charges[0].rule, Some(rule::R10_2));
        assert_eq!(
            charges[0].period,
            Some(Period::new(day(2026, 2, 20), day(2026, 3, 20)).unwrap())
        );
    }
    assert_eq!(tx.balance(ada).await.unwrap(), eur(dec!(-9)));
}

pub(super) async fn r10_7_the_numbers_ending_are_those_whose_paid_period_ended_unrenewed(
    store: &dyn Store,
) {
    let ada = commit_customer(store, "ada@example.com").await;
    let numbers = commit_numbers(
        store,
        vec![
            // Ends on the 20th: set not to renew before it.
            stopped(
                billed_number(ada, &e164(1), 20, day(2026, 2, 20), dec!(3)),
                day(2026, 2, 10),
            ),
            // Set on the day: charged first, ends a period later.
            stopped(
                billed_number(ada, &e164(2), 20, day(2026, 2, 20), dec!(3)),
                day(2026, 2, 20),
            ),
            // Paid beyond the day (a prepaid term): ends later.
            stopped(
                billed_number(ada, &e164(3), 20, day(2026, 5, 20), dec!(3)),
                day(2026, 2, 10),
            ),
            // Renews.
            billed_number(ada, &e164(4), 20, day(2026, 2, 20), dec!(3)),
            // Deleted already.
            deleted(
                stopped(
                    billed_number(ada, &e164(5), 20, day(2026, 2, 20), dec!(3)),
                    day(2026, 2, 10),
                ),
                day(2026, 2, 15),
            ),
            // Paid period ended on another day: still released.
            stopped(
                billed_number(ada, &e164(6), 5, day(2026, 2, 5), dec!(3)),
                day(2026, 2, 1),
            ),
        ],
    )
    .await;
    let ids: Vec<NumberId> = numbers.iter().map(|n| n.id).collect();
    assert_eq!(
        ending_ids(store, &february_20(100)).await,
        vec![ids[0], ids[5]]
    );
    assert_eq!(ending_ids(store, &february_20(1)).await, vec![ids[0]]);
    // None ends the day before the 20th but the one ended on the 5th.
    let day_before = RenewalBatch {
        day: vnum_billing::RenewalDay::new(day(2026, 2, 19)),
        limit: 100,
        at: at(day(2026, 2, 19), 3),
    };
    assert_eq!(ending_ids(store, &day_before).await, vec![ids[5]]);
    // Each agrees with the billing crate's rule.
    for number in &numbers {
        let due = number.due_number().unwrap();
        let listed = ending_ids(store, &february_20(100))
            .await
            .contains(&number.id);
        assert_eq!(
            listed,
            vnum_billing::RenewalDay::new(day(2026, 2, 20)).releases(&due),
            "{:?}",
            number.id
        );
    }
    // Released (deleted on the day), it is not listed again.
    let mut tx = store.begin().await.unwrap();
    let first = tx.number(ids[0]).await.unwrap().unwrap();
    tx.update_number(deleted(first, day(2026, 2, 20)))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(ending_ids(store, &february_20(100)).await, vec![ids[5]]);
}

pub(super) async fn r10_2_a_numbers_period_charges_are_its_own(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let numbers = commit_numbers(
        store,
        vec![
            billed_number(ada, &e164(1), 20, day(2026, 2, 20), dec!(3)),
            billed_number(ada, &e164(2), 20, day(2026, 2, 20), dec!(3)),
        ],
    )
    .await;
    let february = Period::new(day(2026, 2, 20), day(2026, 3, 20)).unwrap();
    let march = Period::new(day(2026, 3, 20), day(2026, 4, 20)).unwrap();
    let mut tx = store.begin().await.unwrap();
    let first = tx
        .append(charge(ada, numbers[0].id, february, eur(dec!(3))))
        .await
        .unwrap();
    tx.append(charge(ada, numbers[1].id, february, eur(dec!(3))))
        .await
        .unwrap();
    let second = tx
        .append(charge(ada, numbers[0].id, march, eur(dec!(3))))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    let charges = tx.period_charges(numbers[0].id).await.unwrap();
    assert_eq!(charges, vec![first, second]);
    assert!(
        tx.period_charges(NumberId(999_999))
            .await
            .unwrap()
            .is_empty()
    );
}
