//! R4, R5, R6, R13: forwarding, SIP accounts, CallerID and greetings.

use vnum_app::Error;
use vnum_calls::{
    CallerId, ForwardingPlan, ForwardingTarget, RingTime, RoutingDecision, wav_fixtures,
};
use vnum_core::PhoneNumber;
use vnum_testkit::{day, eur};

use crate::world::{catalogue, world_on};

fn target(text: &str) -> ForwardingTarget {
    ForwardingTarget::parse(text).unwrap()
}

#[tokio::test]
async fn r5_1_a_sip_account_needs_a_number_and_stores_only_the_digest() {
    let world = world_on(day(2026, 4, 1));
    let shop = catalogue(&world).await;
    let ivan = world.customer("Ivan").await;
    let refused = world
        .vnum
        .request_sip_account(ivan.id, None)
        .await
        .unwrap_err();
    assert_eq!(refused.rule(), Some(vnum_core::rule::R5_1), "{refused}");

    world.top_up(ivan.id, eur("20.00")).await;
    world.buy(ivan.id, &shop.de_mobile, 1).await;
    let issued = world
        .vnum
        .request_sip_account(ivan.id, Some("ivan-desk"))
        .await
        .unwrap();
    assert!(issued.password.len() >= 16);
    assert!(issued.record.account.verify(&issued.password));
    let stored = world.vnum.sip_account_by_login("ivan-desk").await.unwrap();
    let stored_text = serde_json::to_string(&stored).unwrap();
    assert!(
        !stored_text.contains(&issued.password),
        "the password is never stored"
    );
    assert!(world.sip.commands().iter().any(|c| matches!(
        c,
        vnum_app::memory::SipCommand::Upsert { login, .. } if login == "ivan-desk"
    )));

    let reset = world
        .vnum
        .reset_sip_password(ivan.id, issued.record.id)
        .await
        .unwrap();
    assert!(reset.record.account.verify(&reset.password));
    assert!(
        !reset.record.account.verify(&issued.password),
        "the old password stops working"
    );
    let taken = world
        .vnum
        .request_sip_account(ivan.id, Some("ivan-desk"))
        .await
        .unwrap_err();
    assert!(matches!(taken, Error::Conflict(_)), "{taken}");
}

#[tokio::test]
async fn r5_1_a_removed_sip_account_is_gone_from_the_engine_and_its_login_is_free() {
    let world = world_on(day(2026, 4, 1));
    let shop = catalogue(&world).await;
    let ivan = world.customer("Ivan").await;
    let olga = world.customer("Olga").await;
    for who in [ivan.id, olga.id] {
        world.top_up(who, eur("20.00")).await;
    }
    let number = world.buy(ivan.id, &shop.de_mobile, 1).await;
    world.buy(olga.id, &shop.de_mobile, 1).await;
    let desk = world
        .vnum
        .request_sip_account(ivan.id, Some("ivan-desk"))
        .await
        .unwrap();
    let id = desk.record.id;

    // Another customer cannot remove it.
    let foreign = world
        .vnum
        .remove_sip_account(olga.id, id)
        .await
        .unwrap_err();
    assert!(matches!(foreign, Error::NotFound { .. }), "{foreign}");

    // While the number rings it, it stays: whoever took the login next would ring.
    world
        .vnum
        .set_forwarding(
            ivan.id,
            number.id,
            Some(ForwardingPlan::single(target("account:ivan-desk"))),
        )
        .await
        .unwrap();
    let rung = world
        .vnum
        .remove_sip_account(ivan.id, id)
        .await
        .unwrap_err();
    assert!(matches!(rung, Error::Conflict(_)), "{rung}");
    assert!(rung.to_string().contains("ivan-desk"), "{rung}");
    assert!(world.vnum.sip_account_by_login("ivan-desk").await.is_ok());

    world
        .vnum
        .set_forwarding(ivan.id, number.id, None)
        .await
        .unwrap();
    let removed = world.vnum.remove_sip_account(ivan.id, id).await.unwrap();
    assert_eq!(removed.id, id);
    assert!(matches!(
        world.vnum.sip_account_by_login("ivan-desk").await,
        Err(Error::NotFound { .. })
    ));
    assert!(
        world
            .vnum
            .sip_accounts_of(ivan.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(world.sip.commands().iter().any(|c| matches!(
        c,
        vnum_app::memory::SipCommand::Remove { login } if login == "ivan-desk"
    )));
    let again = world
        .vnum
        .remove_sip_account(ivan.id, id)
        .await
        .unwrap_err();
    assert!(matches!(again, Error::NotFound { .. }), "{again}");

    // The login is free again, for anyone.
    let reissued = world
        .vnum
        .request_sip_account(olga.id, Some("ivan-desk"))
        .await
        .unwrap();
    assert_ne!(reissued.record.id, id);
}

#[tokio::test]
async fn r4_4_r5_d1_sequential_forwarding_rings_the_sip_account_then_the_mobile() {
    let world = world_on(day(2026, 4, 1));
    let shop = catalogue(&world).await;
    let jana = world.customer("Jana").await;
    world.top_up(jana.id, eur("20.00")).await;
    let number = world.buy(jana.id, &shop.de_mobile, 1).await;
    world
        .vnum
        .request_sip_account(jana.id, Some("jana"))
        .await
        .unwrap();

    let plan = ForwardingPlan::sequential(vec![
        (target("account:jana"), RingTime::DEFAULT),
        (
            target("+4915799999999"),
            RingTime::from_seconds(30).unwrap(),
        ),
    ])
    .unwrap()
    .with_voicemail(true)
    .unwrap();
    world
        .vnum
        .set_forwarding(jana.id, number.id, Some(plan))
        .await
        .unwrap();

    let dialled = number.e164().unwrap();
    match world.vnum.route_inbound(dialled).await.unwrap().decision {
        RoutingDecision::Ring {
            branches,
            voicemail,
            ..
        } => {
            assert_eq!(branches.len(), 2);
            assert!(branches[0].uri.contains("jana@"), "{}", branches[0].uri);
            assert_eq!(branches[0].timeout_seconds, 20, "R5.D2: 20 s by default");
            assert!(branches[1].step > branches[0].step, "one after the other");
            assert!(voicemail.is_some(), "R4.5: voicemail when nobody answers");
        }
        other => panic!("expected ring, got {other:?}"),
    }

    // R5 Decision: another customer's SIP account is not a target.
    let kim = world.customer("Kim").await;
    world.top_up(kim.id, eur("20.00")).await;
    let kims = world.buy(kim.id, &shop.de_mobile, 1).await;
    let stolen = ForwardingPlan::single(target("account:jana"));
    let err = world
        .vnum
        .set_forwarding(kim.id, kims.id, Some(stolen))
        .await
        .unwrap_err();
    assert_eq!(err.rule(), Some(vnum_core::rule::R5_D1), "{err}");
    // Nor the provider's own numbers, domain or gateway, nor a private address.
    for looped in [
        dialled.to_string(),
        format!("sip:{dialled}@sip.vnum.example"),
        "sip:+4930999999@gateway.vnum.example".to_owned(),
        "192.168.1.20:5060".to_owned(),
    ] {
        let err = world
            .vnum
            .set_forwarding(
                kim.id,
                kims.id,
                Some(ForwardingPlan::single(target(&looped))),
            )
            .await
            .unwrap_err();
        assert_eq!(err.rule(), Some(vnum_core::rule::R5_D1), "{looped}: {err}");
    }
    // And Kim cannot touch Jana's number at all.
    let err = world
        .vnum
        .set_forwarding(kim.id, number.id, None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
}

#[tokio::test]
async fn r10_4_calls_to_an_account_in_debt_are_rejected_until_it_is_paid() {
    let world = world_on(day(2026, 1, 20));
    let shop = catalogue(&world).await;
    let lena = world.customer("Lena").await;
    world.top_up(lena.id, eur("10.00")).await;
    let number = world.buy(lena.id, &shop.de_mobile, 1).await;
    world
        .vnum
        .set_forwarding(
            lena.id,
            number.id,
            Some(ForwardingPlan::single(target("+4915799999999"))),
        )
        .await
        .unwrap();
    let dialled = number.e164().unwrap().clone();
    assert!(matches!(
        world.vnum.route_inbound(&dialled).await.unwrap().decision,
        RoutingDecision::Ring { .. }
    ));

    world.run_renewals_until(day(2026, 2, 20)).await;
    let refused = world.vnum.route_inbound(&dialled).await.unwrap();
    assert_eq!(
        refused.number,
        Some(number.id),
        "the refused call is reported (R4.6)"
    );
    match refused.decision {
        RoutingDecision::Reject(rejection) => {
            assert_eq!(rejection.status, 480);
            assert_eq!(rejection.rule, vnum_core::rule::R10_4);
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    world.top_up(lena.id, eur("10.00")).await;
    assert!(matches!(
        world.vnum.route_inbound(&dialled).await.unwrap().decision,
        RoutingDecision::Ring { .. }
    ));

    let unknown = PhoneNumber::parse("+4915700000001").unwrap();
    let nobody = world.vnum.route_inbound(&unknown).await.unwrap();
    assert_eq!(nobody.number, None);
    match nobody.decision {
        RoutingDecision::Reject(rejection) => assert_eq!(rejection.status, 404),
        other => panic!("expected 404, got {other:?}"),
    }
}

#[tokio::test]
async fn r6_3_a_german_number_is_presented_to_germany_and_withheld_to_austria() {
    let world = world_on(day(2026, 4, 1));
    let shop = catalogue(&world).await;
    let max = world.customer("Max").await;
    world.top_up(max.id, eur("50.00")).await;
    let number = world.buy(max.id, &shop.de_mobile, 1).await;
    world
        .vnum
        .request_sip_account(max.id, Some("max"))
        .await
        .unwrap();
    let berlin = PhoneNumber::parse("+49 30 901820").unwrap();
    let vienna = PhoneNumber::parse("+43 1 5123456").unwrap();

    // R6.2: without the add-on the rented number is not presented.
    let plain = world.vnum.authorize_outbound("max", &berlin).await.unwrap();
    assert!(matches!(plain.caller_id, CallerId::Withheld { .. }));
    assert_eq!(
        plain.number,
        Some(number.id),
        "withheld, and still recorded on it"
    );

    world
        .vnum
        .set_caller_id(max.id, number.id, true)
        .await
        .unwrap();
    let home = world.vnum.authorize_outbound("max", &berlin).await.unwrap();
    match home.caller_id {
        CallerId::Present {
            number: shown,
            rule,
        } => {
            assert_eq!(Some(&shown), number.e164());
            assert_eq!(rule, vnum_core::rule::R6_3);
        }
        other => panic!("expected presented, got {other:?}"),
    }
    let abroad = world.vnum.authorize_outbound("max", &vienna).await.unwrap();
    assert_eq!(
        abroad.caller_id,
        CallerId::Withheld {
            rule: vnum_core::rule::R6_3
        }
    );

    // The add-on is paid monthly: 10 EUR + 2 EUR from the next charge on.
    let fee = world
        .vnum
        .number(max.id, number.id)
        .await
        .unwrap()
        .billing
        .unwrap()
        .monthly_fee;
    assert_eq!(fee, eur("12.00"));
    // An offer without the add-on refuses it.
    let at = world.buy(max.id, &shop.at_mobile, 1).await;
    let err = world
        .vnum
        .set_caller_id(max.id, at.id, true)
        .await
        .unwrap_err();
    assert_eq!(err.rule(), Some(vnum_core::rule::R6_2));
}

#[tokio::test]
async fn r13_2_r13_d1_a_greeting_must_be_8khz_16bit_mono_pcm_and_is_selected_after_upload() {
    let world = world_on(day(2026, 4, 1));
    let shop = catalogue(&world).await;
    let nina = world.customer("Nina").await;
    world.top_up(nina.id, eur("50.00")).await;
    let number = world.buy(nina.id, &shop.de_mobile, 1).await;

    let cd_quality = wav_fixtures::wav(1, 2, 44_100, 16, &[], 400);
    let err = world
        .vnum
        .upload_greeting(nina.id, number.id, "music", cd_quality, false)
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("44100 Hz stereo"), "{message}");
    assert!(message.contains("8000 Hz mono 16-bit PCM"), "{message}");
    assert!(message.contains("asking for conversion"), "{message}");
    assert_eq!(err.rule(), Some(vnum_core::rule::R13_D1));
    let mp3 = b"ID3\x04\x00\x00\x00\x00\x00\x00".to_vec();
    assert!(
        world
            .vnum
            .upload_greeting(nina.id, number.id, "mp3", mp3, false)
            .await
            .is_err()
    );
    // Conversion is asked for, but this deployment converts nothing (R13.D2).
    let refused = world
        .vnum
        .upload_greeting(nina.id, number.id, "mp3", b"ID3\x04".to_vec(), true)
        .await
        .unwrap_err();
    assert_eq!(refused.rule(), Some(vnum_core::rule::R13_D2));
    assert!(
        refused.to_string().contains("converts no audio"),
        "{refused}"
    );

    let good = wav_fixtures::wav(1, 1, 8_000, 16, &[(b"LIST", b"INFOtest")], 1_600);
    let id = world
        .vnum
        .upload_greeting(nina.id, number.id, "hello", good.clone(), false)
        .await
        .unwrap()
        .id;
    let saved = world
        .vnum
        .set_greeting(nina.id, number.id, Some(id), true)
        .await
        .unwrap();
    assert_eq!(saved.settings.greetings.active(), Some(id));
    assert_eq!(
        world
            .vnum
            .greeting_file(nina.id, number.id, id)
            .await
            .unwrap(),
        good
    );

    // R13.3: a professional recording is a paid extra.
    world
        .vnum
        .order_voice_recording(
            nina.id,
            number.id,
            "Welcome to Nina's studio",
            vnum_calls::Voice::Female,
        )
        .await
        .unwrap();
    assert_eq!(world.balance(nina.id).await, eur("25.00"));
}
