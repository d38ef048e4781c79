//! PostgreSQL under concurrent units of work and crashes: balances stay equal to their
//! ledgers, and every due number is charged exactly once (R10.D4).

// A failed unwrap here is a failed test with a location.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use rust_decimal_macros::dec;
use sea_orm::ConnectionTrait;
use vnum_app::model::{EntryKind, NewLedgerEntry, RenewalBatch};
use vnum_app::ports::{Store, StoreError};
use vnum_core::{CustomerId, Money, NumberId};
use vnum_storage::SeaOrmStore;
use vnum_testkit::{at, day, eur};

use common::{billed_number, new_customer};

const CUSTOMERS: usize = 8;
const NUMBERS_PER_CUSTOMER: usize = 25;

/// Customers, each with numbers due on 20 February 2026 at 3.00 a month.
async fn seed(store: &SeaOrmStore) -> Vec<CustomerId> {
    let mut tx = store.begin().await.unwrap();
    let mut customers = Vec::new();
    for c in 0..CUSTOMERS {
        let customer = tx
            .insert_customer(new_customer(&format!("c{c}@example.com")))
            .await;
        let id = customer.unwrap().id;
        for n in 0..NUMBERS_PER_CUSTOMER {
            let e164 = format!("+49301234{:03}", c * NUMBERS_PER_CUSTOMER + n);
            tx.insert_number(billed_number(id, &e164, 20, day(2026, 2, 20), dec!(3)))
                .await
                .unwrap();
        }
        customers.push(id);
    }
    tx.commit().await.unwrap();
    customers
}

fn february_20(limit: u64) -> RenewalBatch {
    RenewalBatch {
        day: vnum_billing::RenewalDay::new(day(2026, 2, 20)),
        limit,
        at: at(day(2026, 2, 20), 3),
    }
}

/// Runs one batch in its own unit of work; `None` when the store asked for a retry
/// (a deadlock between two concurrent runs is detected and rolled back by PostgreSQL).
async fn batch(store: &SeaOrmStore, limit: u64) -> Option<u64> {
    let result = async {
        let mut tx = store.begin().await?;
        let outcome = tx.charge_due(&february_20(limit)).await?;
        tx.commit().await?;
        Ok::<_, StoreError>(outcome.charged)
    }
    .await;
    match result {
        Ok(charged) => Some(charged),
        Err(StoreError::Unavailable(_)) => None,
        Err(other) => panic!("a renewal batch failed: {other}"),
    }
}

/// Batches until one charges nothing.
async fn renew_until_done(store: &SeaOrmStore, limit: u64) -> u64 {
    let mut charged = 0;
    let mut retries = 0;
    loop {
        match batch(store, limit).await {
            Some(0) => return charged,
            Some(n) => charged += n,
            None => {
                retries += 1;
                assert!(retries < 100, "a renewal batch kept failing");
            }
        }
    }
}

async fn top_up(store: &SeaOrmStore, customer: CustomerId, reference: String) {
    for _ in 0..100 {
        let entry = NewLedgerEntry {
            customer,
            kind: EntryKind::TopUp,
            amount: eur(dec!(1.25)),
            number: None,
            period: None,
            rule: None,
            reference: Some(reference.clone()),
            description: "Top-up".into(),
            at: at(day(2026, 2, 20), 3),
        };
        let result = async {
            let mut tx = store.begin().await?;
            tx.append(entry).await?;
            tx.commit().await
        }
        .await;
        match result {
            Ok(()) => return,
            Err(StoreError::Unavailable(_)) => {}
            Err(other) => panic!("a top-up failed: {other}"),
        }
    }
    panic!("a top-up kept failing");
}

/// What the ledger of each customer holds: top-ups, and charges per number.
struct Books {
    top_ups: usize,
    charges: BTreeMap<NumberId, usize>,
}

/// Checks every balance against its ledger and returns the ledgers.
async fn books(store: &SeaOrmStore, customers: &[CustomerId]) -> Vec<Books> {
    let mut tx = store.begin().await.unwrap();
    let mut all = Vec::new();
    for &customer in customers {
        let balance = tx.balance(customer).await.unwrap();
        let entries = tx
            .entries(customer, at(day(2000, 1, 1), 3), at(day(2100, 1, 1), 3))
            .await
            .unwrap();
        let sum = Money::sum(balance.currency(), entries.iter().map(|e| e.amount)).unwrap();
        assert_eq!(
            balance, sum,
            "the balance of {customer} is the sum of its ledger"
        );
        let mut books = Books {
            top_ups: 0,
            charges: BTreeMap::new(),
        };
        for entry in entries {
            match entry.kind {
                EntryKind::TopUp => books.top_ups += 1,
                EntryKind::Charge => {
                    *books.charges.entry(entry.number.unwrap()).or_default() += 1;
                }
                other => panic!("unexpected entry {other:?}"),
            }
        }
        all.push(books);
    }
    all
}

fn assert_each_number_charged_once(books: &[Books]) {
    for customer in books {
        assert_eq!(customer.charges.len(), NUMBERS_PER_CUSTOMER);
        assert!(
            customer.charges.values().all(|&n| n == 1),
            "a number charged twice"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r10_d4_sixteen_tasks_top_up_and_renew_at_once_and_nothing_is_doubled_or_lost() {
    let Some(schema) = common::postgres().await else {
        return;
    };
    let store = schema.store.clone();
    let customers = seed(&store).await;

    let mut tasks = Vec::new();
    for task in 0..16 {
        let store = store.clone();
        let customers = customers.clone();
        tasks.push(tokio::spawn(async move {
            if task < 12 {
                for i in 0..10 {
                    let customer = customers[(task + i) % CUSTOMERS];
                    top_up(&store, customer, format!("task{task}-{i}")).await;
                }
                0
            } else {
                renew_until_done(&store, 16).await
            }
        }));
    }
    let mut charged = 0;
    for task in tasks {
        charged += task.await.unwrap();
    }

    assert_eq!(charged, (CUSTOMERS * NUMBERS_PER_CUSTOMER) as u64);
    let books = books(&store, &customers).await;
    assert_each_number_charged_once(&books);
    assert_eq!(books.iter().map(|b| b.top_ups).sum::<usize>(), 12 * 10);
    schema.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r10_d4_a_renewal_aborted_mid_transaction_and_run_again_charges_each_number_once() {
    let Some(schema) = common::postgres().await else {
        return;
    };
    let store = schema.store.clone();
    let customers = seed(&store).await;
    assert_eq!(batch(&store, 50).await, Some(50));
    assert_eq!(batch(&store, 50).await, Some(50));

    // The third batch charges and then hangs before commit, until it is aborted.
    let (charged_tx, charged_rx) = tokio::sync::oneshot::channel();
    let hung = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut tx = store.begin().await.unwrap();
            let outcome = tx.charge_due(&february_20(50)).await.unwrap();
            charged_tx.send(outcome.charged).unwrap();
            std::future::pending::<()>().await;
            tx.commit().await.unwrap();
        })
    };
    assert_eq!(charged_rx.await.unwrap(), 50);
    hung.abort();
    assert!(hung.await.unwrap_err().is_cancelled());

    assert_eq!(renew_until_done(&store, 50).await, 100);
    assert_each_number_charged_once(&books(&store, &customers).await);
    schema.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r10_d4_a_renewal_whose_connection_drops_and_run_again_charges_each_number_once() {
    let Some(schema) = common::postgres().await else {
        return;
    };
    let store = schema.store.clone();
    let customers = seed(&store).await;
    assert_eq!(batch(&store, 120).await, Some(120));

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.charge_due(&february_20(120)).await.unwrap().charged, 80);
    // The server loses every connection of this store, the open transaction's too.
    let terminated = schema
        .admin
        .execute_unprepared(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = '{}'",
            schema.name
        ))
        .await;
    terminated.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(matches!(tx.commit().await, Err(StoreError::Unavailable(_))));

    assert_eq!(renew_until_done(&store, 120).await, 80);
    assert_each_number_charged_once(&books(&store, &customers).await);
    schema.drop().await;
}

/// Customers picking one number at the same moment (R1.3).
const PICKERS: usize = 16;

/// R1.3: sixteen units of work place a hold on one free number at once, with nothing but
/// the store between them: the conditional upsert on `hold_number` stores exactly one,
/// and every other is refused as a conflict.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r1_3_sixteen_concurrent_holds_of_one_number_store_exactly_one() {
    let Some(schema) = common::postgres().await else {
        return;
    };
    let store = schema.store.clone();
    let now = at(day(2026, 3, 2), 10);
    let number = vnum_testkit::phone("+4915110000001");
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(PICKERS));
    let tasks: Vec<_> = (0..PICKERS)
        .map(|i| {
            let store = store.clone();
            let barrier = barrier.clone();
            let hold = vnum_lifecycle::Hold::new(
                number.clone(),
                vnum_core::OfferId(1),
                CustomerId(i64::try_from(i).unwrap() + 1),
                now,
                vnum_lifecycle::HoldTime::default(),
            );
            tokio::spawn(async move {
                let mut tx = store.begin().await.unwrap();
                barrier.wait().await;
                let placed = tx.place_hold(&hold, now).await;
                if placed.is_ok() {
                    tx.commit().await.unwrap();
                }
                placed
            })
        })
        .collect();
    let mut stored = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(hold) => stored.push(hold),
            Err(StoreError::Conflict {
                what: vnum_app::ports::Invariant::HoldNumber,
            }) => {}
            Err(other) => panic!("a hold failed otherwise: {other}"),
        }
    }
    assert_eq!(stored.len(), 1, "R1.3: exactly one hold is stored");
    let mut read = store.read().await.unwrap();
    assert_eq!(read.hold_on(&number).await.unwrap(), stored.pop());
    drop(read);
    schema.drop().await;
}

/// R1.3 through the use case: sixteen customers pick the same number of an offer's list at
/// once; exactly one holds it, every other is refused with R1.3 (held by another
/// customer), and the number is listed to the holder alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r1_3_sixteen_customers_pick_one_number_at_once_and_exactly_one_holds_it() {
    let Some(schema) = common::postgres().await else {
        return;
    };
    let store: std::sync::Arc<dyn Store> = std::sync::Arc::new(schema.store.clone());
    let world = vnum_app::testing::World::on_store(
        store,
        at(day(2026, 3, 2), 10),
        vnum_app::Config::default(),
    );
    let number = vnum_testkit::phone("+4915110000001");
    let offer = world
        .offer_with_stock(
            vnum_app::testing::mobile_offer(vnum_testkit::country("DE"), eur("5.00")),
            vec![number.clone()],
        )
        .await;
    let mut customers = Vec::new();
    for i in 0..PICKERS {
        customers.push(world.customer(&format!("picker{i}")).await.id);
    }
    let tasks: Vec<_> = customers
        .iter()
        .map(|&customer| {
            let vnum = world.vnum.clone();
            let number = number.clone();
            let offer = offer.id();
            tokio::spawn(async move { (customer, vnum.hold_number(customer, offer, number).await) })
        })
        .collect();
    let mut holders = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            (customer, Ok(vnum_lifecycle::Pick::New(hold))) => {
                assert_eq!(hold.customer(), customer);
                holders.push(customer);
            }
            (_, Err(vnum_app::Error::Refused { rule, message })) => {
                assert_eq!(rule, vnum_core::rule::R1_3, "{message}");
                assert!(message.contains("held for another customer"), "{message}");
            }
            (customer, other) => panic!("customer {customer}'s pick: {other:?}"),
        }
    }
    assert_eq!(
        holders.len(),
        1,
        "R1.3: exactly one customer holds the number"
    );
    for &customer in &customers {
        let listed = world
            .vnum
            .available_numbers(offer.id(), Some(customer))
            .await
            .unwrap();
        assert_eq!(
            listed.contains(&number),
            customer == holders[0],
            "{customer}"
        );
    }
    schema.drop().await;
}
