use vnum_app::{Error, ServiceState, TopUp};
use vnum_testkit::{day, eur};

use crate::world::world_on;

#[tokio::test]
async fn r10_1_top_up_with_the_same_idempotency_key_credits_once() {
    let world = world_on(day(2026, 1, 10));
    let alice = world.customer("Alice").await;
    let request = TopUp {
        customer: alice.id,
        amount: eur("25.00"),
        idempotency_key: "pay-1".into(),
    };
    let first = world.vnum.top_up(request.clone()).await.unwrap();
    let again = world.vnum.top_up(request.clone()).await.unwrap();
    assert!(!first.replayed);
    assert!(again.replayed);
    assert_eq!(again.entry.id, first.entry.id);
    assert_eq!(world.balance(alice.id).await, eur("25.00"));

    let other_amount = TopUp {
        amount: eur("30.00"),
        ..request
    };
    assert!(matches!(
        world.vnum.top_up(other_amount).await,
        Err(Error::Conflict(_))
    ));
    assert_eq!(world.balance(alice.id).await, eur("25.00"));
}

#[tokio::test]
async fn r10_d5_top_ups_are_exact_positive_amounts_in_the_account_currency() {
    let world = world_on(day(2026, 1, 10));
    let alice = world.customer("Alice").await;
    for (amount, key) in [("0.00", "a"), ("-5.00", "b"), ("1.005", "c")] {
        let request = TopUp {
            customer: alice.id,
            amount: eur(amount),
            idempotency_key: key.into(),
        };
        let err = world.vnum.top_up(request).await.unwrap_err();
        assert_eq!(err.rule(), Some(vnum_core::rule::R10_D6), "{amount}: {err}");
    }
    let usd = vnum_core::Money::parse("5.00 USD").unwrap();
    let err = world
        .vnum
        .top_up(TopUp {
            customer: alice.id,
            amount: usd,
            idempotency_key: "d".into(),
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("EUR"), "{err}");
    let view = world.vnum.balance(alice.id).await.unwrap();
    assert!(view.balance.is_zero());
    assert_eq!(view.service, ServiceState::Active);
}
