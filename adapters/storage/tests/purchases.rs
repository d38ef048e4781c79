//! Purchases check and debit the balance in one atomic step (R1.4, R1.D2): concurrent
//! purchases through the use cases on PostgreSQL never take a balance below zero.

// Test code: a failed unwrap is a failed test with a location.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use rust_decimal_macros::dec;
use vnum_app::memory::InMemoryStore;
use vnum_app::ports::Store;
use vnum_app::testing::World;
use vnum_app::{Config, Error, TopUp, Vnum};
use vnum_calls::Voice;
use vnum_core::{CustomerId, NumberId};
use vnum_testkit::day;

use common::{billed_number, new_customer};

/// Concurrent purchases fired at once.
const PURCHASES: usize = 20;

fn vnum(store: Arc<dyn Store>) -> Vnum {
    let now = Utc.with_ymd_and_hms(2026, 2, 25, 9, 0, 0).unwrap();
    World::on_store(store, now, Config::default()).vnum
}

/// A customer with a number and a balance that covers exactly one voice recording.
async fn customer_with_one_recording_paid(
    vnum: &Vnum,
    store: &dyn Store,
) -> (CustomerId, NumberId) {
    let mut tx = store.begin().await.unwrap();
    let customer = tx
        .insert_customer(new_customer("ada@example.com"))
        .await
        .unwrap()
        .id;
    let number = billed_number(customer, "+493012345000", 20, day(2026, 3, 20), dec!(2));
    let number = tx.insert_number(number).await.unwrap().id;
    tx.commit().await.unwrap();
    let price = Config::default()
        .voice_recording_prices
        .price(vnum_core::Currency::EUR)
        .unwrap();
    vnum.top_up(TopUp {
        customer,
        amount: price,
        idempotency_key: "seed".into(),
    })
    .await
    .unwrap();
    (customer, number)
}

async fn only_one_of_many_concurrent_purchases_is_paid(store: Arc<dyn Store>) {
    let vnum = vnum(store.clone());
    let (customer, number) = customer_with_one_recording_paid(&vnum, &*store).await;
    let tasks: Vec<_> = (0..PURCHASES)
        .map(|i| {
            let vnum = vnum.clone();
            tokio::spawn(async move {
                vnum.order_voice_recording(customer, number, &format!("Hello {i}"), Voice::Female)
                    .await
            })
        })
        .collect();
    let mut paid = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => paid += 1,
            Err(Error::InsufficientBalance { needed, available }) => {
                assert!(!available.is_negative(), "{available}");
                assert!(
                    available.amount() < needed.amount(),
                    "{available} covers {needed}"
                );
            }
            // A store that serializes units of work may ask for a retry instead.
            Err(Error::Store(vnum_app::ports::StoreError::Conflict { .. })) => {}
            Err(other) => panic!("a purchase failed otherwise: {other}"),
        }
    }
    let balance = vnum.balance(customer).await.unwrap().balance;
    assert_eq!(paid, 1, "R1.D2: exactly one purchase is paid");
    assert!(balance.is_zero(), "R1.D2: the balance is {balance}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r1_d2_postgres_twenty_concurrent_purchases_on_a_balance_for_one_pay_one() {
    let Some(schema) = common::postgres().await else {
        return;
    };
    only_one_of_many_concurrent_purchases_is_paid(Arc::new(schema.store.clone())).await;
    schema.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r1_d2_sqlite_twenty_concurrent_purchases_on_a_balance_for_one_pay_one() {
    only_one_of_many_concurrent_purchases_is_paid(Arc::new(common::sqlite().await)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r1_d2_memory_twenty_concurrent_purchases_on_a_balance_for_one_pay_one() {
    only_one_of_many_concurrent_purchases_is_paid(Arc::new(InMemoryStore::new())).await;
}
