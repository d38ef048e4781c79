//! R10: monthly charges on the connection day, debt, suspension and deletion.

use vnum_app::{Config, ServiceState, TopUp};
use vnum_lifecycle::NumberState;
use vnum_testkit::{day, eur};

use crate::world::{TZ, catalogue, monthly_charges, world_on, world_with};

#[tokio::test]
async fn r10_2_r10_3_r10_4_r10_5_connected_20_january_charged_on_the_20th_for_14_months() {
    let world = world_on(day(2026, 1, 20));
    let shop = catalogue(&world).await;
    let alice = world.customer("Alice").await;
    world.top_up(alice.id, eur("25.00")).await;
    let number = world.buy(alice.id, &shop.de_mobile, 1).await;
    assert!(
        matches!(number.state, NumberState::Active { .. }),
        "{:?}",
        number.state
    );
    assert_eq!(world.balance(alice.id).await, eur("15.00"));

    world.run_renewals_until(day(2026, 3, 19)).await;
    assert_eq!(world.balance(alice.id).await, eur("5.00"));

    // R10.3: on 20 March the balance is short; the fee is charged anyway.
    world.run_renewals_until(day(2026, 3, 20)).await;
    assert_eq!(world.balance(alice.id).await, eur("-5.00"));
    // R10.4: the number still belongs to Alice but the account is suspended.
    let view = world.vnum.balance(alice.id).await.unwrap();
    assert_eq!(view.service, ServiceState::Suspended);
    let kept = world.vnum.number(alice.id, number.id).await.unwrap();
    assert!(matches!(kept.state, NumberState::Active { .. }));
    assert!(
        world.emailed().await.iter().any(|m| {
            m.email.as_ref() == Some(&alice.email) && m.notice.type_name() == "account.suspended"
        }),
        "the customer is told the numbers are suspended"
    );

    // R10.5: paid on 25 March; the next charge is still on the 20th.
    world.run_renewals_until(day(2026, 3, 25)).await;
    world
        .vnum
        .top_up(TopUp {
            customer: alice.id,
            amount: eur("200.00"),
            idempotency_key: "march".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        world.vnum.balance(alice.id).await.unwrap().service,
        ServiceState::Active
    );
    world.run_renewals_until(day(2027, 3, 31)).await;

    let charges = monthly_charges(&world, number.id);
    let expected: Vec<_> = (0..14)
        .map(|k| {
            let month = (1 + k) % 12 + 1;
            let year = if k >= 11 { 2027 } else { 2026 };
            (day(year, month, 20), eur("-10.00"))
        })
        .collect();
    assert_eq!(charges, expected);
    assert_eq!(world.balance(alice.id).await, eur("75.00"));
}

#[tokio::test]
async fn r10_d1_connected_31_january_charged_on_the_last_day_of_february_and_on_31_march() {
    let world = world_on(day(2028, 1, 31));
    let shop = catalogue(&world).await;
    let bob = world.customer("Bob").await;
    world.top_up(bob.id, eur("100.00")).await;
    let number = world.buy(bob.id, &shop.de_mobile, 1).await;
    world.run_renewals_until(day(2028, 5, 31)).await;
    let starts: Vec<_> = monthly_charges(&world, number.id)
        .into_iter()
        .map(|(d, _)| d)
        .collect();
    assert_eq!(
        starts,
        [
            day(2028, 2, 29),
            day(2028, 3, 31),
            day(2028, 4, 30),
            day(2028, 5, 31)
        ]
    );
}

#[tokio::test]
async fn r10_7_deleted_two_days_before_the_charge_day_is_not_charged_deleted_on_it_is() {
    let world = world_on(day(2026, 1, 20));
    let shop = catalogue(&world).await;
    let carol = world.customer("Carol").await;
    world.top_up(carol.id, eur("100.00")).await;
    let early = world.buy(carol.id, &shop.de_mobile, 1).await;
    let late = world.buy(carol.id, &shop.de_mobile, 1).await;

    world.run_renewals_until(day(2026, 2, 18)).await;
    let deletion = world.vnum.delete_number(carol.id, early.id).await.unwrap();
    // R10.6: the paid days left are not refunded.
    assert!(deletion.refund.is_zero());
    world.run_renewals_until(day(2026, 2, 20)).await;
    world.go_to(day(2026, 2, 20), 8);
    world.vnum.delete_number(carol.id, late.id).await.unwrap();
    world.go_to(day(2026, 2, 20), 9);
    world.vnum.run_renewals().await.unwrap();
    world.run_renewals_until(day(2026, 4, 30)).await;

    assert!(monthly_charges(&world, early.id).is_empty());
    assert_eq!(
        monthly_charges(&world, late.id),
        [(day(2026, 2, 20), eur("-10.00"))]
    );
    assert_eq!(world.balance(carol.id).await, eur("70.00"));
    assert_eq!(world.carrier.released().len(), 2);
}

#[tokio::test]
async fn r10_d4_a_renewal_run_twice_the_same_day_charges_once() {
    let world = world_on(day(2026, 1, 20));
    let shop = catalogue(&world).await;
    let dave = world.customer("Dave").await;
    world.top_up(dave.id, eur("100.00")).await;
    let number = world.buy(dave.id, &shop.de_mobile, 1).await;
    world.run_renewals_until(day(2026, 2, 20)).await;
    let again = world.vnum.run_renewals().await.unwrap();
    assert_eq!(again.charged, 0);
    world.go_to(day(2026, 2, 20), 23);
    assert_eq!(world.vnum.run_renewals().await.unwrap().charged, 0);
    assert_eq!(monthly_charges(&world, number.id).len(), 1);
}

#[tokio::test]
async fn r10_d4_a_renewal_run_that_crashes_after_k_batches_charges_every_number_once_when_rerun() {
    let config = Config {
        billing_time_zone: TZ,
        renewal_batch_size: 3,
        ..Config::default()
    };
    let world = world_with(day(2026, 1, 20), config);
    let shop = catalogue(&world).await;
    let erin = world.customer("Erin").await;
    world.top_up(erin.id, eur("1000.00")).await;
    let numbers = world.order(erin.id, &shop.de_mobile, 20, 1).await;
    world.run_renewals_until(day(2026, 2, 19)).await;

    for crash_after in [0, 1, 2, 1] {
        world.go_to(day(2026, 2, 20), 9);
        world.memory().fail_after_commits(crash_after);
        assert!(
            world.vnum.run_renewals().await.is_err(),
            "the store fails mid-run"
        );
        world.memory().heal();
    }
    let report = world.vnum.run_renewals().await.unwrap();
    assert!(report.charged > 0);
    for number in &numbers {
        assert_eq!(
            monthly_charges(&world, number.id).len(),
            1,
            "number {}",
            number.id
        );
    }
    assert_eq!(world.balance(erin.id).await, eur("600.00"));
    let sum = world
        .memory()
        .all_entries()
        .into_iter()
        .filter(|e| e.customer == erin.id)
        .try_fold(
            vnum_core::Money::zero(vnum_core::Currency::EUR),
            |acc, e| acc.checked_add(e.amount),
        )
        .unwrap();
    assert_eq!(
        sum,
        world.balance(erin.id).await,
        "the balance is the sum of the ledger"
    );
}

/// R10.3, R10.4, R10.7: a number in debt still belongs to its customer, who may set it not
/// to renew; it is then charged nothing more, so the debt does not grow, and it is released
/// at the end of its paid period. After that it is too late to renew it.
#[tokio::test]
async fn r10_3_r10_7_a_number_in_debt_set_not_to_renew_makes_no_more_debt_and_is_released() {
    let world = world_on(day(2026, 1, 20));
    let shop = catalogue(&world).await;
    let dora = world.customer("Dora").await;
    world.top_up(dora.id, eur("10.00")).await;
    let number = world.buy(dora.id, &shop.de_mobile, 1).await;
    world.run_renewals_until(day(2026, 2, 20)).await;
    assert_eq!(world.balance(dora.id).await, eur("-10.00"));

    world.go_to(day(2026, 2, 25), 10);
    let stopped = world
        .vnum
        .set_renewal(dora.id, number.id, false)
        .await
        .unwrap();
    assert!(!stopped.renews());
    world.run_renewals_until(day(2026, 5, 30)).await;
    assert_eq!(world.balance(dora.id).await, eur("-10.00"));
    assert_eq!(
        monthly_charges(&world, number.id),
        [(day(2026, 2, 20), eur("-10.00"))]
    );
    let released = world.vnum.number(dora.id, number.id).await.unwrap();
    assert_eq!(released.deleted_on(), Some(day(2026, 3, 20)));
    assert_eq!(world.carrier.released().len(), 1);

    let late = world
        .vnum
        .set_renewal(dora.id, number.id, true)
        .await
        .unwrap_err();
    assert_eq!(late.rule(), Some(vnum_core::rule::R10_7), "{late}");
}

/// R10.7, R11.1: a number paid twelve months in advance and set not to renew works to the
/// end of its term, is never charged, and is released then; its history is the term.
#[tokio::test]
async fn r10_7_r11_1_a_prepaid_term_not_renewing_ends_at_the_end_of_the_term() {
    let world = world_on(day(2026, 1, 20));
    let shop = catalogue(&world).await;
    let emil = world.customer("Emil").await;
    world.top_up(emil.id, eur("200.00")).await;
    let number = world.buy(emil.id, &shop.de_mobile, 12).await;
    world.go_to(day(2026, 3, 5), 10);
    world
        .vnum
        .set_renewal(emil.id, number.id, false)
        .await
        .unwrap();
    world.run_renewals_until(day(2027, 1, 19)).await;
    let working = world.vnum.number(emil.id, number.id).await.unwrap();
    assert!(working.is_live());
    world.run_renewals_until(day(2027, 3, 1)).await;
    let ended = world.vnum.number(emil.id, number.id).await.unwrap();
    assert_eq!(ended.deleted_on(), Some(day(2027, 1, 20)));
    assert!(monthly_charges(&world, number.id).is_empty());
    let history = world
        .vnum
        .renewal_history(emil.id, number.id)
        .await
        .unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0].rule, vnum_core::rule::R11_1);
    assert_eq!(history[0].period.start(), day(2026, 1, 20));
    assert_eq!(history[0].period.end(), day(2027, 1, 20));
}
