//! The renewal run as production runs it: the use case `Vnum::run_renewals` on SQLite and
//! PostgreSQL, with more due numbers than one batch, and two servers on one PostgreSQL
//! running the same day at the same time (R10.2, R10.D4).

// Test code: a failed unwrap is a failed test with a location.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use rust_decimal_macros::dec;
use vnum_app::memory::InMemoryStore;
use vnum_app::model::EntryKind;
use vnum_app::ports::Store;
use vnum_app::testing::World;
use vnum_app::{Config, Vnum};
use vnum_core::{CustomerId, Money, NumberId};
use vnum_testkit::{day, eur};

use common::{billed_number, new_customer};

/// Due numbers on 20 February 2026, spread over two customers.
const DUE: usize = 7;

fn vnum(store: Arc<dyn Store>, batch: u64) -> Vnum {
    // 20 February 2026, 10:00 in Moscow, the default billing zone.
    let now = Utc.with_ymd_and_hms(2026, 2, 20, 7, 0, 0).unwrap();
    let config = Config {
        renewal_batch_size: batch,
        ..Config::default()
    };
    World::on_store(store, now, config).vnum
}

/// Seven numbers due on 20 February (two customers), one paid ahead and one due on the
/// 21st; yesterday's run is done.
async fn seed(store: &dyn Store) -> Vec<CustomerId> {
    let mut tx = store.begin().await.unwrap();
    let ada = tx
        .insert_customer(new_customer("ada@example.com"))
        .await
        .unwrap()
        .id;
    let bob = tx
        .insert_customer(new_customer("bob@example.com"))
        .await
        .unwrap()
        .id;
    for i in 0..DUE {
        let owner = if i % 2 == 0 { ada } else { bob };
        let number = billed_number(
            owner,
            &format!("+4930123450{i:02}"),
            20,
            day(2026, 2, 20),
            dec!(2),
        );
        tx.insert_number(number).await.unwrap();
    }
    let ahead = billed_number(ada, "+493012345098", 20, day(2026, 3, 20), dec!(2));
    tx.insert_number(ahead).await.unwrap();
    let tomorrow = billed_number(bob, "+493012345099", 21, day(2026, 2, 21), dec!(2));
    tx.insert_number(tomorrow).await.unwrap();
    tx.set_last_renewal_day(day(2026, 2, 19)).await.unwrap();
    tx.commit().await.unwrap();
    vec![ada, bob]
}

/// Every number charged on the day, with how many times; and the balances.
async fn books(
    store: &dyn Store,
    customers: &[CustomerId],
) -> (Vec<(NumberId, usize)>, Vec<Money>) {
    let mut tx = store.begin().await.unwrap();
    let from = Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2100, 1, 1, 0, 0, 0).unwrap();
    let mut charged = std::collections::BTreeMap::<NumberId, usize>::new();
    let mut balances = Vec::new();
    for customer in customers {
        for entry in tx.entries(*customer, from, to).await.unwrap() {
            assert_eq!(entry.kind, EntryKind::Charge);
            let period = entry.period.unwrap();
            assert_eq!(
                (period.start(), period.end()),
                (day(2026, 2, 20), day(2026, 3, 20))
            );
            *charged.entry(entry.number.unwrap()).or_default() += 1;
        }
        balances.push(tx.balance(*customer).await.unwrap());
    }
    // Ends the unit of work now: a dropped one is rolled back only when its connection is
    // used again, and would hold the schema until then.
    tx.commit().await.unwrap();
    (charged.into_iter().collect(), balances)
}

async fn every_due_number_is_charged_once_whatever_the_batch(store: Arc<dyn Store>) {
    let customers = seed(&*store).await;
    for batch in [1, 2, DUE as u64, 10_000] {
        // Each batch size starts from the same books: run, check, and undo nothing; the
        // first run charges, the others find the day done.
        let report = vnum(store.clone(), batch).run_renewals().await.unwrap();
        let (charged, balances) = books(&*store, &customers).await;
        assert_eq!(charged.len(), DUE, "batch {batch}: {charged:?}");
        assert!(charged.iter().all(|(_, times)| *times == 1), "{charged:?}");
        assert_eq!(balances, [eur(dec!(-8)), eur(dec!(-6))]);
        if batch == 1 {
            assert_eq!(report.charged, DUE as u64);
            assert_eq!(report.days, [day(2026, 2, 20)]);
            // A batch that comes back full is followed by one more.
            assert_eq!(report.batches, DUE as u64 + 1);
        } else {
            assert_eq!(report.charged, 0, "batch {batch}: the day was done");
        }
    }
}

async fn small_batches_charge_every_number(store: Arc<dyn Store>, batch: u64) {
    let customers = seed(&*store).await;
    let report = vnum(store.clone(), batch).run_renewals().await.unwrap();
    assert_eq!(report.charged, DUE as u64, "batch {batch}");
    let (charged, _) = books(&*store, &customers).await;
    assert_eq!(charged.len(), DUE);
    let again = vnum(store, batch).run_renewals().await.unwrap();
    assert_eq!(again.charged, 0, "R10.D4: the day is done");
}

#[tokio::test]
async fn r10_2_memory_every_due_number_is_charged_once_whatever_the_batch() {
    every_due_number_is_charged_once_whatever_the_batch(Arc::new(InMemoryStore::new())).await;
}

#[tokio::test]
async fn r10_2_sqlite_every_due_number_is_charged_once_whatever_the_batch() {
    every_due_number_is_charged_once_whatever_the_batch(Arc::new(common::sqlite().await)).await;
}

#[tokio::test]
async fn r10_2_postgres_every_due_number_is_charged_once_whatever_the_batch() {
    let Some(schema) = common::postgres().await else {
        return;
    };
    every_due_number_is_charged_once_whatever_the_batch(Arc::new(schema.store.clone())).await;
    schema.drop().await;
}

#[tokio::test]
async fn r10_2_sqlite_batches_of_two_and_three_charge_every_number() {
    for batch in [2, 3] {
        small_batches_charge_every_number(Arc::new(common::sqlite().await), batch).await;
    }
}

#[tokio::test]
async fn r10_2_postgres_batches_of_two_and_three_charge_every_number() {
    for batch in [2, 3] {
        let Some(schema) = common::postgres().await else {
            return;
        };
        small_batches_charge_every_number(Arc::new(schema.store.clone()), batch).await;
        schema.drop().await;
    }
}

/// Two servers on one PostgreSQL run the same renewal day at the same time, in batches of
/// one and two: every period is charged once, and both runs end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r10_d4_two_servers_running_the_same_day_at_once_charge_each_period_once() {
    let Some(schema) = common::postgres().await else {
        return;
    };
    let customers = seed(&schema.store).await;
    let first = vnum(Arc::new(schema.store.clone()), 1);
    let second = vnum(Arc::new(schema.second_store().await), 2);
    let (a, b) = tokio::join!(
        tokio::spawn(async move { first.run_renewals().await }),
        tokio::spawn(async move { second.run_renewals().await }),
    );
    let (a, b) = (a.unwrap().unwrap(), b.unwrap().unwrap());
    assert_eq!(a.charged + b.charged, DUE as u64, "{a:?} {b:?}");
    let (charged, balances) = books(&schema.store, &customers).await;
    assert_eq!(charged.len(), DUE);
    assert!(charged.iter().all(|(_, times)| *times == 1), "{charged:?}");
    assert_eq!(balances, [eur(dec!(-8)), eur(dec!(-6))]);
    schema.drop().await;
}

/// Two servers on one PostgreSQL run the same day at the same time while numbers that do
/// not renew end on it (R10.7): each is released once, none is charged, and both runs end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r10_7_two_servers_running_the_same_day_at_once_release_each_number_once() {
    let Some(schema) = common::postgres().await else {
        return;
    };
    let mut tx = schema.store.begin().await.unwrap();
    let ada = tx
        .insert_customer(new_customer("ada@example.com"))
        .await
        .unwrap()
        .id;
    for i in 0..DUE {
        let mut number = billed_number(
            ada,
            &format!("+4930123450{i:02}"),
            20,
            day(2026, 2, 20),
            dec!(2),
        );
        if let Some(billing) = number.billing.as_mut() {
            billing.renewal_stopped_on = Some(day(2026, 2, 10));
        }
        tx.insert_number(number).await.unwrap();
    }
    tx.set_last_renewal_day(day(2026, 2, 19)).await.unwrap();
    tx.commit().await.unwrap();

    let first = vnum(Arc::new(schema.store.clone()), 1);
    let second = vnum(Arc::new(schema.second_store().await), 2);
    let (a, b) = tokio::join!(
        tokio::spawn(async move { first.run_renewals().await }),
        tokio::spawn(async move { second.run_renewals().await }),
    );
    let (a, b) = (a.unwrap().unwrap(), b.unwrap().unwrap());
    assert_eq!(a.charged + b.charged, 0, "{a:?} {b:?}");
    let mut released: Vec<NumberId> = a.released.iter().chain(&b.released).copied().collect();
    released.sort();
    released.dedup();
    assert_eq!(released.len(), DUE, "{a:?} {b:?}");
    assert_eq!(a.released.len() + b.released.len(), DUE, "{a:?} {b:?}");
    let mut tx = schema.store.begin().await.unwrap();
    for number in tx.numbers_of(ada).await.unwrap() {
        assert_eq!(number.deleted_on(), Some(day(2026, 2, 20)), "{number:?}");
    }
    assert_eq!(tx.balance(ada).await.unwrap(), eur(dec!(0)));
    tx.commit().await.unwrap();
    schema.drop().await;
}
