//! Payments that credit a balance (R1.D1), told through the use cases on in-memory ports: a
//! customer starts a payment, the payment provider confirms or fails it, an operator
//! records one it received.

// The world's helpers run only inside tests: a panic there is a failed test with a location.
#![allow(clippy::unwrap_used)]

use vnum_app::model::{Customer, EntryKind};
use vnum_app::testing::World;
use vnum_app::{Error, PaymentMethod, ProviderNotification, StartPayment, TopUp};
use vnum_billing::{PaymentOutcome, PaymentStatus};
use vnum_core::{PaymentId, rule};
use vnum_testkit::{at, day, eur, usd};

/// The application on in-memory ports, at 09:00 UTC on 2 March 2026.
fn world() -> World {
    World::new(at(day(2026, 3, 2), 9))
}

/// Starts a payment of `amount` under `key` and returns its id.
async fn start(world: &World, customer: &Customer, amount: &str, key: &str) -> PaymentId {
    world
        .vnum
        .start_payment(StartPayment {
            customer: customer.id,
            amount: eur(amount),
            idempotency_key: key.into(),
        })
        .await
        .unwrap()
        .payment
        .id
}

fn succeeded(event: &str, payment: PaymentId, amount: &str) -> ProviderNotification {
    ProviderNotification {
        event_id: event.into(),
        payment,
        outcome: PaymentOutcome::Succeeded(eur(amount)),
    }
}

#[tokio::test]
async fn r1_d1_a_started_payment_is_pending_and_credits_nothing() {
    let world = world();
    let ann = world.customer("Ann").await;
    let started = world
        .vnum
        .start_payment(StartPayment {
            customer: ann.id,
            amount: eur("25.00"),
            idempotency_key: "pay-1".into(),
        })
        .await
        .unwrap();
    assert!(!started.replayed);
    assert_eq!(started.payment.status, PaymentStatus::Pending);
    assert_eq!(started.payment.amount, eur("25.00"));
    assert_eq!(started.payment.confirmed_at, None);
    assert_eq!(world.balance(ann.id).await, eur("0.00"));
    assert!(world.memory().all_entries().is_empty());
    assert_eq!(
        world.vnum.payments(ann.id).await.unwrap(),
        vec![started.payment.clone()]
    );
    assert_eq!(
        world
            .vnum
            .payment(ann.id, started.payment.id)
            .await
            .unwrap(),
        started.payment
    );
}

#[tokio::test]
async fn r1_d1_the_same_key_starts_one_payment() {
    let world = world();
    let ann = world.customer("Ann").await;
    let first = start(&world, &ann, "25.00", "pay-1").await;
    let again = world
        .vnum
        .start_payment(StartPayment {
            customer: ann.id,
            amount: eur("25.00"),
            idempotency_key: "pay-1".into(),
        })
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!(again.payment.id, first);
    let other_amount = world
        .vnum
        .start_payment(StartPayment {
            customer: ann.id,
            amount: eur("30.00"),
            idempotency_key: "pay-1".into(),
        })
        .await;
    assert!(matches!(other_amount, Err(Error::Conflict(_))));
    assert_eq!(world.vnum.payments(ann.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn r10_d6_a_started_payment_is_positive_whole_and_at_most_the_maximum() {
    let world = world();
    let ann = world.customer("Ann").await;
    for amount in ["0.00", "-5.00", "0.001"] {
        let refused = world
            .vnum
            .start_payment(StartPayment {
                customer: ann.id,
                amount: eur(amount),
                idempotency_key: format!("pay-{amount}"),
            })
            .await
            .unwrap_err();
        assert_eq!(refused.rule(), Some(rule::R10_D6), "{amount}: {refused}");
    }
    let too_much = world
        .vnum
        .start_payment(StartPayment {
            customer: ann.id,
            amount: eur("1000000.01"),
            idempotency_key: "pay-big".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(too_much.rule(), Some(rule::R10_D6));
    let dollars = world
        .vnum
        .start_payment(StartPayment {
            customer: ann.id,
            amount: usd("10"),
            idempotency_key: "pay-usd".into(),
        })
        .await;
    assert!(matches!(dollars, Err(Error::Invalid(_))));
    assert!(world.vnum.payments(ann.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn r1_d1_another_customers_payment_is_not_found() {
    let world = world();
    let ann = world.customer("Ann").await;
    let bob = world.customer("Bob").await;
    let anns = start(&world, &ann, "25.00", "pay-1").await;
    assert!(matches!(
        world.vnum.payment(bob.id, anns).await,
        Err(Error::NotFound { .. })
    ));
    assert!(world.vnum.payments(bob.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn r1_d1_a_confirmed_payment_credits_once_even_when_notified_twice() {
    let world = world();
    let ann = world.customer("Ann").await;
    let payment = start(&world, &ann, "25.00", "pay-1").await;

    let first = world
        .vnum
        .apply_payment_notification(succeeded("evt_1", payment, "25.00"))
        .await
        .unwrap();
    assert!(!first.replayed);
    assert_eq!(first.payment.status, PaymentStatus::Confirmed);
    assert_eq!(first.payment.provider_event.as_deref(), Some("evt_1"));
    assert!(first.payment.confirmed_at.is_some());
    let entry = first.entry.clone().unwrap();
    assert_eq!(entry.kind, EntryKind::TopUp);
    assert_eq!(entry.amount, eur("25.00"));
    assert_eq!(entry.rule, Some(rule::R1_D1));
    assert_eq!(entry.reference.as_deref(), Some("provider:evt_1"));
    assert_eq!(world.balance(ann.id).await, eur("25.00"));

    let second = world
        .vnum
        .apply_payment_notification(succeeded("evt_1", payment, "25.00"))
        .await
        .unwrap();
    assert!(second.replayed);
    assert_eq!(second.payment, first.payment);
    assert_eq!(second.entry, first.entry);
    assert_eq!(world.balance(ann.id).await, eur("25.00"));
    assert_eq!(world.memory().all_entries().len(), 1);
}

#[tokio::test]
async fn r1_d1_a_notified_amount_other_than_the_payments_credits_nothing() {
    let world = world();
    let ann = world.customer("Ann").await;
    let payment = start(&world, &ann, "25.00", "pay-1").await;
    for notified in [eur("250.00"), eur("24.99"), usd("25.00")] {
        let refused = world
            .vnum
            .apply_payment_notification(ProviderNotification {
                event_id: "evt_1".into(),
                payment,
                outcome: PaymentOutcome::Succeeded(notified),
            })
            .await
            .unwrap_err();
        assert_eq!(refused.rule(), Some(rule::R1_D1), "{notified}");
    }
    assert_eq!(world.balance(ann.id).await, eur("0.00"));
    let stored = world.vnum.payment(ann.id, payment).await.unwrap();
    assert_eq!(stored.status, PaymentStatus::Pending);
}

#[tokio::test]
async fn r1_d1_a_failed_payment_credits_nothing_and_stays_failed() {
    let world = world();
    let ann = world.customer("Ann").await;
    let payment = start(&world, &ann, "25.00", "pay-1").await;
    let failed = world
        .vnum
        .apply_payment_notification(ProviderNotification {
            event_id: "evt_1".into(),
            payment,
            outcome: PaymentOutcome::Failed,
        })
        .await
        .unwrap();
    assert_eq!(failed.payment.status, PaymentStatus::Failed);
    assert!(failed.payment.failed_at.is_some());
    assert_eq!(failed.entry, None);
    assert_eq!(world.balance(ann.id).await, eur("0.00"));

    // A later success of another event cannot revive it.
    let late = world
        .vnum
        .apply_payment_notification(succeeded("evt_2", payment, "25.00"))
        .await;
    assert!(matches!(late, Err(Error::Conflict(_))));
    // Nor can the same event say otherwise.
    let contradicted = world
        .vnum
        .apply_payment_notification(succeeded("evt_1", payment, "25.00"))
        .await;
    assert!(matches!(contradicted, Err(Error::Conflict(_))));
    assert_eq!(world.balance(ann.id).await, eur("0.00"));
}

#[tokio::test]
async fn r1_d1_a_notification_for_an_unknown_payment_is_not_found() {
    let world = world();
    let missing = world
        .vnum
        .apply_payment_notification(succeeded("evt_1", PaymentId(999), "25.00"))
        .await;
    assert!(matches!(missing, Err(Error::NotFound { .. })));
}

#[tokio::test]
async fn r1_d1_an_operator_payment_names_its_method_in_the_ledger() {
    let world = world();
    let ann = world.customer("Ann").await;
    let receipt = world
        .vnum
        .record_payment(
            TopUp {
                customer: ann.id,
                amount: eur("40.00"),
                idempotency_key: "wire-7".into(),
            },
            Some(PaymentMethod::BankTransfer),
        )
        .await
        .unwrap();
    assert_eq!(
        receipt.entry.description,
        "Payment recorded by an operator: bank transfer"
    );
    assert_eq!(receipt.entry.rule, Some(rule::R1_D1));
    assert_eq!(receipt.balance, eur("40.00"));
    let plain = world
        .vnum
        .top_up(TopUp {
            customer: ann.id,
            amount: eur("1.00"),
            idempotency_key: "plain".into(),
        })
        .await
        .unwrap();
    assert_eq!(plain.entry.description, "Payment recorded by an operator");
}
