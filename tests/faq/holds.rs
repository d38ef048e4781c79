//! R1.3 manual mode: a number picked from an offer's list is held for its customer for the
//! provider's hold time, and meanwhile no one else is offered, lent or sold it.

use chrono::Duration;
use vnum_app::testing::mobile_offer;
use vnum_app::{Config, Error, TrialOutcome};
use vnum_core::rule;
use vnum_lifecycle::{MAX_HOLDS_PER_CUSTOMER, NumberKind, OfferTerms, Pick};
use vnum_testkit::{country, day, eur, phone};

use crate::world::{TZ, world_on, world_with};

/// Dutch mobile numbers at 1.50 EUR a month that may be lent for a free test.
fn testable_nl() -> OfferTerms {
    OfferTerms {
        trial_allowed: true,
        ..mobile_offer(country("NL"), eur("1.50"))
    }
}

#[tokio::test]
async fn r1_3_a_held_number_is_lent_for_no_free_test_until_the_hold_ends() {
    let world = world_on(day(2026, 5, 4));
    let only = phone("+31612341000");
    let nl = world
        .offer_with_stock(testable_nl(), vec![only.clone()])
        .await;
    let ada = world.customer("Ada").await;
    let olga = world.customer("Olga").await;

    let Pick::New(hold) = world
        .vnum
        .hold_number(ada.id, nl.id(), only.clone())
        .await
        .unwrap()
    else {
        panic!("the number was free")
    };
    let refused = world
        .vnum
        .start_trial(olga.id, country("NL"), NumberKind::Mobile)
        .await
        .unwrap_err();
    assert_eq!(refused.rule(), Some(rule::R8_1), "{refused}");

    world.set_time(hold.until());
    let TrialOutcome::Started(trial) = world
        .vnum
        .start_trial(olga.id, country("NL"), NumberKind::Mobile)
        .await
        .unwrap()
    else {
        panic!("the hold has ended")
    };
    assert_eq!(trial.trial.number(), &only);
    // Lent now: Ada's hold does not come back by picking again.
    let refused = world
        .vnum
        .hold_number(ada.id, nl.id(), only)
        .await
        .unwrap_err();
    assert_eq!(refused.rule(), Some(rule::R1_3), "{refused}");
}

#[tokio::test]
async fn r1_3_a_customer_holds_five_numbers_at_most_and_releases_one_to_pick_another() {
    let world = world_on(day(2026, 5, 4));
    let numbers: Vec<_> = (0..6)
        .map(|i| phone(&format!("+3161234{}", 1000 + i)))
        .collect();
    let nl = world.offer_with_stock(testable_nl(), numbers.clone()).await;
    let ada = world.customer("Ada").await;
    let bob = world.customer("Bob").await;
    for number in &numbers[..MAX_HOLDS_PER_CUSTOMER] {
        world
            .vnum
            .hold_number(ada.id, nl.id(), number.clone())
            .await
            .unwrap();
    }
    let sixth = numbers[MAX_HOLDS_PER_CUSTOMER].clone();
    let refused = world
        .vnum
        .hold_number(ada.id, nl.id(), sixth.clone())
        .await
        .unwrap_err();
    assert_eq!(refused.rule(), Some(rule::R1_3));
    assert_eq!(
        refused.to_string(),
        "you hold 5 numbers already, the most one customer may hold at once: order or \
         release one first"
    );

    // Bob cannot release Ada's hold: it answers as one that does not exist.
    assert!(matches!(
        world.vnum.release_hold(bob.id, &numbers[0]).await,
        Err(Error::NotFound { what: "hold", .. })
    ));
    let released = world.vnum.release_hold(ada.id, &numbers[0]).await.unwrap();
    assert_eq!(released.number(), &numbers[0]);
    assert!(matches!(
        world.vnum.hold_number(ada.id, nl.id(), sixth).await,
        Ok(Pick::New(_))
    ));
    assert_eq!(
        world.vnum.holds(ada.id).await.unwrap().len(),
        MAX_HOLDS_PER_CUSTOMER
    );
    assert!(
        world
            .vnum
            .available_numbers(nl.id(), Some(bob.id))
            .await
            .unwrap()
            .contains(&numbers[0]),
        "a released number is offered to everyone again"
    );
}

#[tokio::test]
async fn r1_3_the_hold_time_is_the_providers_and_the_expiry_removes_ended_holds() {
    let world = world_with(
        day(2026, 5, 4),
        Config {
            billing_time_zone: TZ,
            hold_minutes: 30,
            ..Config::default()
        },
    );
    let number = phone("+31612341000");
    let nl = world
        .offer_with_stock(testable_nl(), vec![number.clone()])
        .await;
    let ada = world.customer("Ada").await;
    let placed_at = world.now();
    let Pick::New(hold) = world
        .vnum
        .hold_number(ada.id, nl.id(), number.clone())
        .await
        .unwrap()
    else {
        panic!("the number was free")
    };
    assert_eq!(hold.until(), placed_at + Duration::minutes(30));

    world.advance(Duration::minutes(29));
    assert!(world.vnum.expire_holds().await.unwrap().is_empty());
    assert_eq!(world.vnum.holds(ada.id).await.unwrap(), vec![hold.clone()]);
    world.advance(Duration::minutes(1));
    assert_eq!(world.vnum.expire_holds().await.unwrap(), vec![hold]);
    assert!(world.vnum.holds(ada.id).await.unwrap().is_empty());
}
