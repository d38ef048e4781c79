//! Read caches of several servers on one PostgreSQL database: a commit through one store is
//! seen by a read through another within milliseconds (its `NOTIFY` empties every cache),
//! and a cache that lost its listening connection reads the database until it listens
//! again.

// A failed unwrap here is a failed test with a location.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use vnum_app::model::{EntryKind, NewLedgerEntry};
use vnum_app::ports::Store;
use vnum_core::CustomerId;
use vnum_storage::{ReadCache, SeaOrmStore};
use vnum_testkit::{at, day, eur};

use common::{EmptyPgSchema, new_customer};

/// The longest a read through another store may show a committed change as it was. The
/// notices take milliseconds; the bound leaves room for a loaded two-core machine.
const STALENESS_BOUND: Duration = Duration::from_secs(1);

/// A store with the read cache on the schema, as one of several servers opens it, once its
/// cache hears of the other stores' commits.
async fn cached_store(schema: &EmptyPgSchema) -> SeaOrmStore {
    let store = SeaOrmStore::open(
        schema.options(),
        ReadCache::On {
            capacity: ReadCache::DEFAULT_CAPACITY,
        },
    )
    .await
    .unwrap();
    wait_until("the cache listens", || {
        let store = store.clone();
        async move { store.read_cache_hears() == Some(true) }
    })
    .await;
    store
}

async fn wait_until<F, Fut>(what: &str, mut done: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    loop {
        if done().await {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{what}: not within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

async fn name_through(store: &SeaOrmStore, customer: CustomerId) -> String {
    let mut tx = store.read().await.unwrap();
    tx.customer(customer).await.unwrap().unwrap().name
}

/// Renames the customer behind every store's back: a statement of no unit of work, which
/// notifies nobody (an operator's `psql`, say).
async fn rename_unheard(store: &SeaOrmStore, customer: CustomerId, name: &str) {
    store
        .connection()
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE customers SET name = $1 WHERE id = $2",
            [name.into(), customer.get().into()],
        ))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_through_one_store_is_read_through_another_within_milliseconds() {
    let Some(schema) = common::postgres_empty().await else {
        return;
    };
    let one = cached_store(&schema).await;
    let other = cached_store(&schema).await;
    let mut tx = one.begin().await.unwrap();
    let customer = tx
        .insert_customer(new_customer("ada@example.com"))
        .await
        .unwrap()
        .id;
    tx.commit().await.unwrap();

    // The other store remembers what it read: a change nobody is told of stays unseen.
    let seen = name_through(&other, customer).await;
    rename_unheard(&one, customer, "Renamed unheard").await;
    assert_eq!(
        name_through(&other, customer).await,
        seen,
        "a cached answer"
    );

    // Every commit of a unit of work tells every cache; the balance read through the
    // other store follows each top-up through the first.
    let mut lags = Vec::new();
    for round in 1..=20_i64 {
        let read = other.read().await.unwrap().balance(customer).await.unwrap();
        assert_eq!(
            read,
            eur(format!("{}.00", round - 1).as_str()),
            "cached before the write"
        );
        let mut tx = one.begin().await.unwrap();
        tx.append(NewLedgerEntry {
            customer,
            kind: EntryKind::TopUp,
            amount: eur("1.00"),
            number: None,
            period: None,
            rule: None,
            reference: Some(format!("top-up-{round}")),
            description: "Top-up".into(),
            at: at(day(2026, 1, 2), 3),
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let expected = eur(format!("{round}.00").as_str());
        let lag = wait_until("the other store reads the new balance", || {
            let other = other.clone();
            async move { other.read().await.unwrap().balance(customer).await.unwrap() == expected }
        })
        .await;
        lags.push(lag);
    }
    assert_eq!(name_through(&other, customer).await, "Renamed unheard");
    lags.sort();
    let (median, worst) = (lags[lags.len() / 2], lags[lags.len() - 1]);
    println!(
        "a commit is read through the other store after {median:?} (median), {worst:?} at worst, of 20"
    );
    assert!(worst < STALENESS_BOUND, "{worst:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cache_that_lost_its_listening_connection_starts_empty_when_it_listens_again() {
    let Some(schema) = common::postgres_empty().await else {
        return;
    };
    let name = schema.name().to_owned();
    let store = cached_store(&schema).await;
    let mut tx = store.begin().await.unwrap();
    let customer = tx
        .insert_customer(new_customer("ada@example.com"))
        .await
        .unwrap()
        .id;
    tx.commit().await.unwrap();
    let seen = name_through(&store, customer).await;
    rename_unheard(&store, customer, "Renamed while deaf").await;
    assert_eq!(
        name_through(&store, customer).await,
        seen,
        "a cached answer"
    );

    // The listening connection is cut (a failover, a network partition).
    let listeners = |db: &sea_orm::DatabaseConnection| {
        let sql = format!(
            "SELECT pid FROM pg_stat_activity WHERE application_name = '{name}' \
             AND query LIKE 'LISTEN%'"
        );
        let db = db.clone();
        async move {
            db.query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
                .await
                .unwrap()
                .iter()
                .map(|row| row.try_get_by_index::<i32>(0).unwrap())
                .collect::<Vec<i32>>()
        }
    };
    let before = listeners(&schema.db).await;
    assert_eq!(before.len(), 1, "one listening connection: {before:?}");
    schema
        .db
        .execute_unprepared(&format!("SELECT pg_terminate_backend({})", before[0]))
        .await
        .unwrap();
    // It listens again on a new connection, and what it remembered is gone: the rename
    // it never heard of is read.
    wait_until("a new listening connection", || {
        let listeners = listeners(&schema.db);
        let store = store.clone();
        let old = before[0];
        async move {
            let now = listeners.await;
            now.len() == 1 && now[0] != old && store.read_cache_hears() == Some(true)
        }
    })
    .await;
    assert_eq!(name_through(&store, customer).await, "Renamed while deaf");
}
