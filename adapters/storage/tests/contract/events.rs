//! The outbox and webhooks: events exist exactly when their unit of work committed, a
//! claim is a lease that a crashed worker gives back, and a redelivery carries the same
//! event id.

use chrono::{DateTime, Duration, Utc};
use vnum_app::model::{
    DeliveryStatus, Event, EventId, Notice, Settlement, WebhookEndpoint, WebhookId,
};
use vnum_app::ports::{Invariant, Store, StoreError};
use vnum_core::CustomerId;
use vnum_testkit::{at, day, eur};

use super::commit_customer;

fn noon() -> DateTime<Utc> {
    at(day(2026, 3, 2), 12)
}

fn credited(id: &str, customer: CustomerId, at: DateTime<Utc>) -> Event {
    Event {
        id: EventId(id.to_owned()),
        created_at: at,
        email: Some("ada@example.com".into()),
        notice: Notice::PaymentCredited {
            customer,
            amount: eur("12.50").into(),
            reference: Some("top-up:1".into()),
            balance: eur("12.50").into(),
        },
    }
}

pub(crate) async fn an_event_exists_exactly_when_its_unit_of_work_committed(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let mut tx = store.begin().await.unwrap();
    tx.append_event(credited("e-rolled-back", ada, noon()))
        .await
        .unwrap();
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    tx.append_event(credited("e-1", ada, noon())).await.unwrap();
    assert_eq!(
        tx.append_event(credited("e-1", ada, noon())).await,
        Err(StoreError::Conflict {
            what: Invariant::EventId
        }),
        "one event per id"
    );
    tx.commit().await.unwrap();

    let mut read = store.read().await.unwrap();
    let events = read.events(None, None, 10).await.unwrap();
    assert_eq!(events, vec![credited("e-1", ada, noon())]);
    assert!(
        read.outbox_entry(&EventId("e-rolled-back".into()))
            .await
            .unwrap()
            .is_none()
    );
    assert!(read.events_due(noon()).await.unwrap());
    assert!(
        !read
            .events_due(noon() - Duration::seconds(1))
            .await
            .unwrap()
    );
}

pub(crate) async fn a_worker_that_dies_after_its_claim_loses_nothing_and_the_redelivery_has_the_same_id(
    store: &dyn Store,
) {
    let ada = commit_customer(store, "ada@example.com").await;
    let mut tx = store.begin().await.unwrap();
    tx.append_event(credited("e-1", ada, noon())).await.unwrap();
    tx.commit().await.unwrap();

    // The first worker claims the event, then dies before it settles it.
    let lease = noon() + Duration::seconds(60);
    let mut tx = store.begin().await.unwrap();
    let first = tx.claim_events(noon(), lease, 10).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].attempts, 1);

    // While the lease holds, nobody else takes it, and nothing is due.
    let later = noon() + Duration::seconds(30);
    let mut read = store.read().await.unwrap();
    assert!(!read.events_due(later).await.unwrap());
    drop(read);
    let mut tx = store.begin().await.unwrap();
    assert!(
        tx.claim_events(later, later + Duration::seconds(60), 10)
            .await
            .unwrap()
            .is_empty()
    );
    tx.commit().await.unwrap();

    // Once it ends, the next worker gets the same event, under the same id.
    let after = lease + Duration::seconds(1);
    let mut tx = store.begin().await.unwrap();
    let second = tx
        .claim_events(after, after + Duration::seconds(60), 10)
        .await
        .unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].event.id, first[0].event.id);
    assert_eq!(second[0].event, first[0].event);
    assert_eq!(second[0].attempts, 2);
    tx.settle_event(&second[0].event.id, Settlement::Delivered { at: after })
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut read = store.read().await.unwrap();
    assert!(!read.events_due(after + Duration::days(1)).await.unwrap());
    let entry = read
        .outbox_entry(&EventId("e-1".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entry.delivered_at, Some(after));
    assert_eq!(entry.attempts, 2);
}

pub(crate) async fn a_failed_attempt_is_due_again_at_its_retry(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let mut tx = store.begin().await.unwrap();
    tx.append_event(credited("e-1", ada, noon())).await.unwrap();
    tx.append_event(credited("e-2", ada, noon())).await.unwrap();
    let claimed = tx
        .claim_events(noon(), noon() + Duration::seconds(60), 1)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1, "at most the limit");
    assert_eq!(claimed[0].event.id, EventId("e-1".into()), "oldest first");
    let retry_at = noon() + Duration::seconds(30);
    tx.settle_event(
        &claimed[0].event.id,
        Settlement::Retry {
            retry_at,
            error: "connection refused".into(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let next = tx
        .claim_events(
            noon() + Duration::seconds(1),
            retry_at + Duration::seconds(60),
            10,
        )
        .await
        .unwrap();
    assert_eq!(
        next.iter()
            .map(|e| e.event.id.0.as_str())
            .collect::<Vec<_>>(),
        vec!["e-2"]
    );
    let again = tx
        .claim_events(retry_at, retry_at + Duration::seconds(60), 10)
        .await
        .unwrap();
    assert_eq!(
        again
            .iter()
            .map(|e| e.event.id.0.as_str())
            .collect::<Vec<_>>(),
        vec!["e-1"]
    );
    assert_eq!(again[0].last_error.as_deref(), Some("connection refused"));
    tx.commit().await.unwrap();
}

pub(crate) async fn events_are_listed_per_customer_after_a_cursor(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let bob = commit_customer(store, "bob@example.com").await;
    let mut tx = store.begin().await.unwrap();
    for (id, who) in [("e-1", ada), ("e-2", bob), ("e-3", ada), ("e-4", ada)] {
        tx.append_event(credited(id, who, noon())).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut read = store.read().await.unwrap();
    let ids = |events: Vec<Event>| events.into_iter().map(|e| e.id.0).collect::<Vec<_>>();
    assert_eq!(
        ids(read.events(Some(ada), None, 2).await.unwrap()),
        ["e-1", "e-3"]
    );
    assert_eq!(
        ids(read
            .events(Some(ada), Some(&EventId("e-3".into())), 10)
            .await
            .unwrap()),
        ["e-4"]
    );
    assert_eq!(
        ids(read
            .events(None, Some(&EventId("e-1".into())), 10)
            .await
            .unwrap()),
        ["e-2", "e-3", "e-4"]
    );
    assert!(
        read.events(None, Some(&EventId("nope".into())), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub(crate) async fn webhooks_and_their_deliveries_round_trip(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let event = credited("e-1", ada, noon());
    let mut tx = store.begin().await.unwrap();
    tx.append_event(event.clone()).await.unwrap();
    let endpoint = tx
        .insert_webhook(WebhookEndpoint {
            id: WebhookId(0),
            owner: Some(ada),
            url: "https://hooks.example.com/vnum".into(),
            event_types: vec!["payment.credited".into()],
            secret: "whsec_1".into(),
            created_at: noon(),
            failing_since: None,
            disabled_at: None,
        })
        .await
        .unwrap();
    tx.queue_delivery(endpoint.id, &event, noon())
        .await
        .unwrap();
    tx.queue_delivery(endpoint.id, &event, noon())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut read = store.read().await.unwrap();
    assert_eq!(
        read.webhook(endpoint.id).await.unwrap(),
        Some(endpoint.clone())
    );
    assert_eq!(read.webhooks().await.unwrap(), vec![endpoint.clone()]);
    let queued = read.deliveries(endpoint.id, 10).await.unwrap();
    assert_eq!(queued.len(), 1, "an event is queued once per endpoint");
    assert_eq!(queued[0].event, event);
    assert_eq!(queued[0].status, DeliveryStatus::Pending);
    assert!(read.deliveries_due(noon()).await.unwrap());
    drop(read);

    let lease = noon() + Duration::seconds(60);
    let mut tx = store.begin().await.unwrap();
    let mut claimed = tx.claim_deliveries(noon(), lease, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].attempts, 1);
    assert!(
        tx.claim_deliveries(noon(), lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let mut failed = claimed.remove(0);
    failed.last_status = Some(503);
    failed.last_error = Some("503 Service Unavailable".into());
    failed.next_attempt_at = Some(noon() + Duration::seconds(10));
    tx.settle_delivery(&failed).await.unwrap();
    let failing = WebhookEndpoint {
        failing_since: Some(noon()),
        ..endpoint.clone()
    };
    tx.update_webhook(&failing).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.webhook(endpoint.id).await.unwrap(), Some(failing));
    let due = noon() + Duration::seconds(10);
    let mut again = tx.claim_deliveries(due, due, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 2);
    assert_eq!(again[0].last_status, Some(503));
    let mut delivered = again.remove(0);
    delivered.status = DeliveryStatus::Delivered;
    delivered.last_status = Some(204);
    delivered.last_error = None;
    delivered.next_attempt_at = None;
    delivered.delivered_at = Some(due);
    tx.settle_delivery(&delivered).await.unwrap();
    tx.requeue_delivery(delivered.id, due).await.unwrap();
    tx.fail_pending_deliveries(endpoint.id, "disabled")
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let stored = tx.delivery(delivered.id).await.unwrap().unwrap();
    assert_eq!(stored.status, DeliveryStatus::Failed);
    assert_eq!(stored.last_error.as_deref(), Some("disabled"));
    assert_eq!(stored.delivered_at, Some(due));
    tx.delete_webhook(endpoint.id).await.unwrap();
    assert!(tx.webhook(endpoint.id).await.unwrap().is_none());
    assert!(tx.deliveries(endpoint.id, 10).await.unwrap().is_empty());
    assert_eq!(
        tx.delete_webhook(endpoint.id).await,
        Err(StoreError::Stale {
            what: "webhook",
            id: endpoint.id.0
        })
    );
    tx.commit().await.unwrap();
}
