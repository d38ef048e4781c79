//! R7 waitlist, R8 free tests, R9 one-shot SMS numbers.

use chrono::Duration;
use vnum_app::{TrialOutcome, Vnum};
use vnum_calls::RoutingDecision;
use vnum_compliance::DocumentRequirement;
use vnum_core::{CarrierId, CountryCode, OfferId, PhoneNumber};
use vnum_lifecycle::{NumberKind, Offer, OfferTerms, ProvisioningClass};
use vnum_testkit::{day, eur};

use crate::world::world_on;

async fn offer(vnum: &Vnum, country: &str, kind: NumberKind, trial: bool, listed: bool) -> Offer {
    vnum.create_offer(OfferTerms {
        id: OfferId(0),
        country: CountryCode::parse(country).unwrap(),
        city: None,
        kind,
        carrier: CarrierId(7),
        monthly_price: eur("1.50"),
        setup_fee: eur("0.00"),
        provisioning: ProvisioningClass::Instant,
        documents: DocumentRequirement::none(),
        caller_id_monthly: None,
        sip_forwarding_free: true,
        trial_allowed: trial,
        listed,
    })
    .await
    .unwrap()
}

fn numbers(prefix: &str, count: u32) -> Vec<PhoneNumber> {
    (0..count)
        .map(|i| PhoneNumber::parse(&format!("{prefix}{:04}", 1000 + i)).unwrap())
        .collect()
}

#[tokio::test]
async fn r8_1_r8_d1_a_free_test_ends_after_exactly_one_hour_and_calls_are_then_rejected() {
    let world = world_on(day(2026, 5, 4));
    let nl = offer(&world.vnum, "NL", NumberKind::Mobile, true, true).await;
    world
        .vnum
        .add_stock(nl.id(), numbers("+3161234", 2))
        .await
        .unwrap();
    let olga = world.customer("Olga").await;

    let nl_code = CountryCode::parse("NL").unwrap();
    let TrialOutcome::Started(trial) = world
        .vnum
        .start_trial(olga.id, nl_code, NumberKind::Mobile)
        .await
        .unwrap()
    else {
        panic!("a test number of the Netherlands is in stock")
    };
    let lent = trial.trial.number().clone();
    // R8.D1: one test at a time.
    assert!(
        world
            .vnum
            .start_trial(olga.id, nl_code, NumberKind::Mobile)
            .await
            .is_err()
    );

    world.clock.advance(Duration::minutes(59));
    let during = world.vnum.route_inbound(&lent).await.unwrap().decision;
    assert!(
        !matches!(&during, RoutingDecision::Reject(r) if r.status == 404),
        "the number answers during the hour: {during:?}"
    );
    world.clock.advance(Duration::minutes(1));
    match world.vnum.route_inbound(&lent).await.unwrap().decision {
        RoutingDecision::Reject(rejection) => {
            assert_eq!(rejection.status, 404);
            assert_eq!(rejection.rule, vnum_core::rule::R8_D1);
        }
        other => panic!("calls after the hour are rejected, got {other:?}"),
    }
    let ended = world.vnum.expire_trials().await.unwrap();
    assert_eq!(ended.len(), 1);
    assert!(
        world
            .vnum
            .available_numbers(nl.id(), None)
            .await
            .unwrap()
            .contains(&lent),
        "back in stock"
    );
}

#[tokio::test]
async fn r9_2_a_one_shot_sms_number_is_never_issued_twice_for_the_same_service() {
    let world = world_on(day(2026, 5, 4));
    let sms = offer(&world.vnum, "GB", NumberKind::Sms, false, true).await;
    world
        .vnum
        .add_stock(sms.id(), numbers("+44791123", 3))
        .await
        .unwrap();
    let pavel = world.customer("Pavel").await;
    world.top_up(pavel.id, eur("20.00")).await;

    let mut issued = Vec::new();
    for _ in 0..3 {
        let allocation = world
            .vnum
            .allocate_sms_number(pavel.id, "telegram", sms.id())
            .await
            .unwrap();
        let number = allocation.allocation.number().clone();
        world
            .vnum
            .receive_sms(&number, "Telegram", "code 12345")
            .await
            .unwrap();
        // R9.1: one message only.
        assert!(
            world
                .vnum
                .receive_sms(&number, "Telegram", "code 99999")
                .await
                .is_err()
        );
        assert!(
            !issued.contains(&number),
            "{number} issued twice for telegram"
        );
        issued.push(number);
    }
    // The pool is used up for this service, but another service may use the same numbers.
    assert!(
        world
            .vnum
            .allocate_sms_number(pavel.id, "telegram", sms.id())
            .await
            .is_err()
    );
    world
        .vnum
        .allocate_sms_number(pavel.id, "whatsapp", sms.id())
        .await
        .unwrap();
    assert_eq!(
        world.balance(pavel.id).await,
        eur("14.00"),
        "4 allocations at 1.50 EUR"
    );
}

#[tokio::test]
async fn r7_1_r7_2_customers_waiting_for_a_country_are_told_when_it_is_restocked() {
    let world = world_on(day(2026, 5, 4));
    let fr = offer(&world.vnum, "FR", NumberKind::Mobile, false, false).await;
    assert!(
        world.vnum.listed_offers().await.unwrap().is_empty(),
        "R7.2: not listed"
    );
    let quinn = world.customer("Quinn").await;
    let rosa = world.customer("Rosa").await;
    let france = CountryCode::parse("FR").unwrap();
    world
        .vnum
        .join_waitlist(quinn.id, france, None, Some(NumberKind::Mobile))
        .await
        .unwrap();
    world.clock.advance(Duration::minutes(5));
    world
        .vnum
        .join_waitlist(rosa.id, france, None, None)
        .await
        .unwrap();

    let outcome = world
        .vnum
        .restock(fr.id(), numbers("+3361234", 2))
        .await
        .unwrap();
    assert_eq!(outcome.fulfilled.len(), 2);
    let told: Vec<_> = world
        .emailed()
        .await
        .into_iter()
        .filter(|m| m.notice.type_name() == "waitlist.restocked")
        .filter_map(|m| m.email)
        .collect();
    assert_eq!(
        told,
        [quinn.email.clone(), rosa.email.clone()],
        "oldest first"
    );
    assert_eq!(world.vnum.listed_offers().await.unwrap().len(), 1);
}
