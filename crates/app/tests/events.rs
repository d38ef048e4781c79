//! Events out (the transactional outbox), told through the use cases on in-memory ports:
//! every notice is written in the unit of work of its change and emailed after the commit
//! by `deliver_events`, which survives a crash between the two.

// The world's helpers run only inside tests: a panic there is a failed test with a location.
#![allow(clippy::unwrap_used)]

use chrono::Duration;
use vnum_app::model::{Event, Notice};
use vnum_app::testing::{World, mobile_offer};
use vnum_app::{DELIVERY_LEASE, Vnum};
use vnum_testkit::{at, country, day, eur, phone};

/// The application on in-memory ports, at 09:00 UTC on 2 March 2026.
fn world() -> World {
    World::new(at(day(2026, 3, 2), 9))
}

fn types(events: &[Event]) -> Vec<&'static str> {
    events.iter().map(|e| e.notice.type_name()).collect()
}

#[tokio::test]
async fn r1_2_a_connected_number_is_an_event_of_the_connection_emailed_after_commit() {
    let world = world();
    let ann = world.customer("Ann").await;
    world.top_up(ann.id, eur("50.00")).await;
    world.carrier_stock([phone("+4915112345678")]);
    let offer = world.offer(mobile_offer(country("DE"), eur("5.00"))).await;
    world.buy(ann.id, &offer, 1).await;

    let events = world.vnum.events(Some(ann.id), None, 100).await.unwrap();
    assert_eq!(types(&events), ["payment.credited", "number.connected"]);
    let Notice::NumberConnected {
        number, paid_until, ..
    } = &events[1].notice
    else {
        panic!("{:?}", events[1]);
    };
    assert_eq!(number, "+4915112345678");
    assert_eq!(*paid_until, day(2026, 4, 1));
    assert!(
        world.outbox.sent().is_empty(),
        "nothing is sent in the unit of work"
    );

    let report = world.vnum.deliver_events().await.unwrap();
    assert_eq!(report.delivered.len(), 2);
    let sent = world.outbox.sent();
    assert_eq!(sent, events);
    assert!(
        sent.iter()
            .all(|e| e.email.as_deref() == Some(ann.email.as_str()))
    );
    assert!(
        world
            .vnum
            .deliver_events()
            .await
            .unwrap()
            .delivered
            .is_empty(),
        "delivered once"
    );
}

#[tokio::test]
async fn r10_4_suspension_and_resumption_are_events_of_the_renewal_and_the_payment() {
    let world = world();
    let ann = world.customer("Ann").await;
    world.top_up(ann.id, eur("5.00")).await;
    world.carrier_stock([phone("+4915112345678")]);
    let offer = world.offer(mobile_offer(country("DE"), eur("5.00"))).await;
    world.buy(ann.id, &offer, 1).await;
    world.run_renewals_until(day(2026, 4, 2)).await;
    world.top_up(ann.id, eur("10.00")).await;

    let events = world.vnum.events(Some(ann.id), None, 100).await.unwrap();
    assert_eq!(
        types(&events),
        [
            "payment.credited",
            "number.connected",
            "account.suspended",
            "payment.credited",
            "account.resumed"
        ]
    );
    assert_eq!(
        events[2].notice,
        Notice::AccountSuspended {
            customer: ann.id,
            balance: eur("-5.00").into()
        }
    );
    assert_eq!(
        events[4].notice,
        Notice::AccountResumed {
            customer: ann.id,
            balance: eur("5.00").into()
        }
    );
}

#[tokio::test]
async fn a_crash_between_commit_and_delivery_loses_nothing_and_the_redelivery_has_the_same_id() {
    let world = world();
    let ann = world.customer("Ann").await;
    world.top_up(ann.id, eur("5.00")).await;

    // The process dies after its claim committed, before it settles: the email went out
    // (or not), the store never heard.
    world.memory().fail_after_commits(1);
    assert!(world.vnum.deliver_events().await.is_err());
    world.memory().heal();
    assert_eq!(world.outbox.sent().len(), 1);

    // A new process on the same store: nothing is due while the lease holds.
    let restarted = Vnum::new(world.ports.clone(), world.vnum.config().clone());
    assert!(
        restarted
            .deliver_events()
            .await
            .unwrap()
            .delivered
            .is_empty()
    );
    world.clock.advance(DELIVERY_LEASE + Duration::seconds(1));
    let report = restarted.deliver_events().await.unwrap();
    assert_eq!(report.delivered.len(), 1);

    let sent = world.outbox.sent();
    assert_eq!(sent.len(), 2, "delivered again after the crash");
    assert_eq!(
        sent[0].id, sent[1].id,
        "a redelivery is recognisable by its id"
    );
    assert_eq!(sent[0], sent[1]);
}

/// A webhook client that must not be called: nothing is due.
struct Unreachable;

#[async_trait::async_trait]
impl vnum_app::ports::WebhookClient for Unreachable {
    async fn post(
        &self,
        endpoint: &vnum_app::model::WebhookEndpoint,
        _: &Event,
        _: chrono::DateTime<chrono::Utc>,
    ) -> Result<u16, vnum_app::ports::WebhookError> {
        panic!("nothing is due, yet {} was posted to", endpoint.url)
    }
}

#[tokio::test]
async fn a_worker_with_nothing_due_only_reads() {
    let world = world();
    let ann = world.customer("Ann").await;
    world.top_up(ann.id, eur("5.00")).await;
    world.vnum.deliver_events().await.unwrap();

    // Any unit of work that commits now fails: the passes below must not begin one.
    world.memory().fail_after_commits(0);
    let events = world.vnum.deliver_events().await.unwrap();
    assert!(events.delivered.is_empty() && events.retried.is_empty());
    let posted = world.vnum.deliver_webhooks(&Unreachable).await.unwrap();
    assert_eq!(posted, vnum_app::WebhookRun::default());
    world.memory().heal();
}
