//! Holds on picked numbers (R1.3): one per number, a live hold is never replaced, an ended
//! one is, and the expiry removes exactly the holds `Hold::is_live` calls ended.

use chrono::{DateTime, Duration, Utc};
use vnum_app::ports::{Invariant, Store, StoreError};
use vnum_core::{CustomerId, OfferId};
use vnum_lifecycle::{Hold, HoldTime};
use vnum_testkit::{at, day, phone};

use super::commit_customer;

fn ten() -> DateTime<Utc> {
    at(day(2026, 3, 2), 10)
}

fn hold(number: &str, offer: i64, customer: CustomerId, now: DateTime<Utc>) -> Hold {
    Hold::new(
        phone(number),
        OfferId(offer),
        customer,
        now,
        HoldTime::from_minutes(15).unwrap(),
    )
}

pub(crate) async fn r1_3_one_live_hold_per_number_and_an_ended_one_is_taken_over(
    store: &dyn Store,
) {
    let ada = commit_customer(store, "ada@example.com").await;
    let bob = commit_customer(store, "bob@example.com").await;
    let ada_holds = hold("+4915110000001", 1, ada, ten());

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.place_hold(&ada_holds, ten()).await,
        Ok(ada_holds.clone())
    );
    let bob_tries = hold("+4915110000001", 1, bob, ten() + Duration::minutes(14));
    assert_eq!(
        tx.place_hold(&bob_tries, ten() + Duration::minutes(14))
            .await,
        Err(StoreError::Conflict {
            what: Invariant::HoldNumber
        }),
        "a live hold keeps the number"
    );
    // The unit of work stays usable after the refusal.
    let other = hold("+4915110000002", 1, ada, ten());
    tx.place_hold(&other, ten()).await.unwrap();
    tx.commit().await.unwrap();

    let mut read = store.read().await.unwrap();
    assert_eq!(
        read.hold_on(&phone("+4915110000001")).await.unwrap(),
        Some(ada_holds.clone())
    );
    assert_eq!(
        read.holds_of(ada).await.unwrap(),
        vec![ada_holds.clone(), other.clone()]
    );
    assert_eq!(read.holds_of(bob).await.unwrap(), Vec::new());
    assert_eq!(
        read.holds_for(OfferId(1)).await.unwrap(),
        vec![ada_holds.clone(), other.clone()]
    );
    assert_eq!(read.holds_for(OfferId(2)).await.unwrap(), Vec::new());
    drop(read);

    // At `until` the hold has ended (`Hold::is_live` is false) and a new one replaces it.
    let ended = ada_holds.until();
    let bob_holds = hold("+4915110000001", 1, bob, ended);
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.place_hold(&bob_holds, ended).await,
        Ok(bob_holds.clone())
    );
    tx.commit().await.unwrap();
    let mut read = store.read().await.unwrap();
    assert_eq!(
        read.hold_on(&phone("+4915110000001")).await.unwrap(),
        Some(bob_holds.clone())
    );
    assert_eq!(read.holds_of(ada).await.unwrap(), vec![other]);
}

pub(crate) async fn r1_3_holds_are_removed_on_release_and_when_they_end(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let early = hold("+4915110000001", 1, ada, ten());
    let late = hold("+4915110000002", 1, ada, ten() + Duration::minutes(5));
    let released = hold("+4915110000003", 2, ada, ten());
    let mut tx = store.begin().await.unwrap();
    for h in [&early, &late, &released] {
        tx.place_hold(h, ten()).await.unwrap();
    }
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.remove_hold(released.number()).await.unwrap(),
        Some(released.clone())
    );
    assert_eq!(tx.remove_hold(released.number()).await.unwrap(), None);
    // A second before `early` ends nothing has ended.
    let before = early.until() - Duration::seconds(1);
    assert_eq!(tx.remove_ended_holds(before).await.unwrap(), Vec::new());
    // At its `until` it has ended, and only it.
    assert!(!early.is_live(early.until()) && late.is_live(early.until()));
    assert_eq!(
        tx.remove_ended_holds(early.until()).await.unwrap(),
        vec![early.clone()]
    );
    tx.commit().await.unwrap();

    let mut read = store.read().await.unwrap();
    assert_eq!(read.holds_of(ada).await.unwrap(), vec![late.clone()]);
    assert_eq!(read.hold_on(early.number()).await.unwrap(), None);
    drop(read);

    // A unit of work dropped without commit removes nothing.
    let mut tx = store.begin().await.unwrap();
    tx.remove_ended_holds(late.until()).await.unwrap();
    drop(tx);
    let mut read = store.read().await.unwrap();
    assert_eq!(read.holds_of(ada).await.unwrap(), vec![late]);
}
