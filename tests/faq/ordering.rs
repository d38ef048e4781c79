//! R1 ordering, R2 provisioning, R3 documents, R11 discounts.

use std::collections::BTreeMap;

use rust_decimal_macros::dec;
use vnum_app::{Config, Error, OrderLineRequest, PlaceOrder, ReviewDecision};
use vnum_compliance::{DocumentKind, EndUser};
use vnum_core::{AgreementId, CountryCode, PrepaidTerm};
use vnum_discounts::{BulkAgreement, Percent, TermTiers};
use vnum_lifecycle::NumberState;
use vnum_testkit::{day, eur};

use crate::world::{TZ, catalogue, world_on, world_with};

#[tokio::test]
async fn r1_4_an_order_the_balance_does_not_cover_is_refused_and_charges_nothing() {
    let world = world_on(day(2026, 3, 2));
    let shop = catalogue(&world).await;
    let frank = world.customer("Frank").await;
    world.top_up(frank.id, eur("5.00")).await;
    let err = world
        .vnum
        .place_order(PlaceOrder {
            customer: frank.id,
            lines: vec![OrderLineRequest {
                offer: shop.de_mobile.id(),
                quantity: 1,
                term: PrepaidTerm::OneMonth,
                city: None,
                number: None,
            }],
            end_user: EndUser::Personal,
            idempotency_key: None,
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InsufficientBalance { .. }), "{err}");
    assert_eq!(err.rule(), Some(vnum_core::rule::R1_4));
    assert_eq!(world.balance(frank.id).await, eur("5.00"));
    assert!(world.vnum.numbers_of(frank.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn r1_2_the_concrete_number_is_known_at_connection_and_emailed() {
    let world = world_on(day(2026, 3, 2));
    let shop = catalogue(&world).await;
    world.carrier.set_instant(false);
    let gina = world.customer("Gina").await;
    world.top_up(gina.id, eur("10.00")).await;
    let ordered = world.buy(gina.id, &shop.de_mobile, 1).await;
    assert_eq!(ordered.state, NumberState::Provisioning);
    assert!(
        ordered.e164().is_none(),
        "an automatic order names no number (R1.2)"
    );
    assert_eq!(world.carrier.requests().len(), 1);

    let assigned = world.carrier.take("DE").unwrap();
    world.go_to(day(2026, 3, 3), 10);
    let active = world
        .vnum
        .connect_number(ordered.id, assigned.clone())
        .await
        .unwrap();
    assert_eq!(active.e164(), Some(&assigned));
    assert_eq!(
        active.billing.as_ref().unwrap().anchor_day.get(),
        3,
        "R10.2: the connection day"
    );
    let mail = world
        .emailed()
        .await
        .into_iter()
        .find(|m| {
            m.email.as_ref() == Some(&gina.email) && m.notice.type_name() == "number.connected"
        })
        .unwrap();
    assert!(
        matches!(&mail.notice, vnum_app::model::Notice::NumberConnected { number, .. } if number == assigned.as_str()),
        "{mail:?}"
    );
    // Connecting twice is refused, not a second connection.
    assert!(
        world
            .vnum
            .connect_number(ordered.id, assigned)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn r3_d1_a_rejected_document_is_reuploaded_and_the_number_connects_after_acceptance() {
    let world = world_on(day(2026, 3, 2));
    let shop = catalogue(&world).await;
    let hana = world.customer("Hana").await;
    world.top_up(hana.id, eur("50.00")).await;
    let number = world.buy(hana.id, &shop.berlin, 1).await;
    assert_eq!(
        number.state,
        NumberState::AwaitingDocuments,
        "R3.1: the carrier needs documents"
    );
    let views = world.vnum.numbers_of(hana.id).await.unwrap();
    assert!(
        views[0].ready_by.is_some(),
        "R2: the expected time is shown"
    );

    let passport = world
        .vnum
        .upload_document(hana.id, DocumentKind::PassportOrId, b"scan".to_vec())
        .await
        .unwrap();
    let bill = world
        .vnum
        .upload_document(hana.id, DocumentKind::ProofOfAddress, b"bill".to_vec())
        .await
        .unwrap();
    world
        .vnum
        .review_document(passport.id(), ReviewDecision::Accept)
        .await
        .unwrap();
    let rejected = world
        .vnum
        .review_document(
            bill.id(),
            ReviewDecision::Reject {
                reason: "the bill is older than 3 months".into(),
            },
        )
        .await
        .unwrap();
    assert!(!rejected.is_accepted());
    let still = world.vnum.number(hana.id, number.id).await.unwrap();
    assert_eq!(still.state, NumberState::AwaitingDocuments);

    // Only a rejected document can be uploaded again.
    assert!(
        world
            .vnum
            .reupload_document(hana.id, passport.id(), b"x".to_vec())
            .await
            .is_err()
    );
    let fresh = world
        .vnum
        .reupload_document(hana.id, bill.id(), b"new bill".to_vec())
        .await
        .unwrap();
    assert_eq!(fresh.version(), 2);
    world
        .vnum
        .review_document(fresh.id(), ReviewDecision::Accept)
        .await
        .unwrap();

    let connected = world.vnum.number(hana.id, number.id).await.unwrap();
    assert!(
        matches!(connected.state, NumberState::Active { .. }),
        "{:?}",
        connected.state
    );
    assert!(connected.e164().unwrap().as_str().starts_with("+4930"));

    // R3.D1: accepted documents are reused: a second Berlin number needs nothing new.
    let second = world.buy(hana.id, &shop.berlin, 1).await;
    assert!(
        matches!(second.state, NumberState::Active { .. }),
        "{:?}",
        second.state
    );
}

#[tokio::test]
async fn r11_six_numbers_in_two_countries_prepaid_12_months_get_the_tier_and_the_bulk_discount() {
    let tiers = TermTiers::new(
        Percent::new(dec!(5)).unwrap(),
        Percent::new(dec!(10)).unwrap(),
        Percent::new(dec!(15)).unwrap(),
    );
    let config = Config {
        billing_time_zone: TZ,
        term_tiers: tiers,
        ..Config::default()
    };
    let world = world_with(day(2026, 3, 2), config);
    let shop = catalogue(&world).await;
    let acme = world.customer("Acme").await;
    let per_country = BTreeMap::from([
        (
            CountryCode::parse("DE").unwrap(),
            Percent::new(dec!(10)).unwrap(),
        ),
        (
            CountryCode::parse("AT").unwrap(),
            Percent::new(dec!(5)).unwrap(),
        ),
    ]);
    let agreement = BulkAgreement::new(AgreementId(0), acme.id, 5, per_country, None).unwrap();
    world.vnum.set_bulk_agreement(agreement).await.unwrap();
    world.top_up(acme.id, eur("600.00")).await;

    let line = |offer: &vnum_lifecycle::Offer, quantity| OrderLineRequest {
        offer: offer.id(),
        quantity,
        term: PrepaidTerm::TwelveMonths,
        city: None,
        number: None,
    };
    let lines = vec![line(&shop.de_mobile, 4), line(&shop.at_mobile, 2)];
    let quote = world.vnum.quote(acme.id, &lines).await.unwrap();
    // DE: 10 × 12 × 4 = 480 × 0.85 × 0.90 = 367.20; AT: 8 × 12 × 2 = 192 × 0.85 × 0.95 = 155.04.
    assert_eq!(quote.total(), eur("522.24"));
    for quoted in quote.lines() {
        assert_eq!(
            quoted.discounts().len(),
            2,
            "a tier and a bulk discount on every line"
        );
    }

    let placed = world
        .vnum
        .place_order(PlaceOrder {
            customer: acme.id,
            lines,
            end_user: EndUser::Business,
            idempotency_key: None,
        })
        .await
        .unwrap();
    assert_eq!(placed.order.total, eur("522.24"));
    assert_eq!(placed.numbers.len(), 6);
    assert_eq!(world.balance(acme.id).await, eur("77.76"));

    // A year is paid: no renewal charge until the connection day 12 months on.
    world.run_renewals_until(day(2027, 3, 1)).await;
    assert_eq!(world.balance(acme.id).await, eur("77.76"));
    world.run_renewals_until(day(2027, 3, 2)).await;
    assert_eq!(
        world.balance(acme.id).await,
        eur("21.76"),
        "4 × 10 + 2 × 8 monthly"
    );
}

#[tokio::test]
async fn r2_3_r2_d1_a_slow_number_shows_a_ready_by_date_on_business_days_skipping_holidays() {
    let holiday = day(2026, 5, 1);
    let config = Config {
        billing_time_zone: TZ,
        holidays: BTreeMap::from([(CountryCode::parse("FR").unwrap(), vec![holiday])]),
        ..Config::default()
    };
    let world = world_with(day(2026, 4, 24), config);
    let paris = world
        .vnum
        .create_offer(vnum_lifecycle::OfferTerms {
            id: vnum_core::OfferId(0),
            country: CountryCode::parse("FR").unwrap(),
            city: Some(vnum_lifecycle::City::new("Paris").unwrap()),
            kind: vnum_lifecycle::NumberKind::Landline,
            carrier: vnum_core::CarrierId(5),
            monthly_price: eur("5.00"),
            setup_fee: eur("0.00"),
            provisioning: vnum_lifecycle::ProvisioningClass::BusinessDays(
                vnum_lifecycle::BusinessDayRange::new(5, 15).unwrap(),
            ),
            documents: vnum_compliance::DocumentRequirement::none(),
            caller_id_monthly: None,
            sip_forwarding_free: true,
            trial_allowed: false,
            listed: true,
        })
        .await
        .unwrap();
    assert_eq!(
        paris.eta().to_string(),
        "5–15 business days",
        "R2.3: shown before purchase"
    );
    let rita = world.customer("Rita").await;
    world.top_up(rita.id, eur("10.00")).await;
    let number = world.buy(rita.id, &paris, 1).await;
    assert_eq!(number.state, NumberState::Provisioning);
    let view = world.vnum.numbers_of(rita.id).await.unwrap().remove(0);
    match view.ready_by {
        Some(vnum_lifecycle::ReadyBy::Between {
            earliest, latest, ..
        }) => {
            // Ordered Friday 24 April: five business days skip the weekends and 1 May.
            assert_eq!(earliest, day(2026, 5, 4));
            assert_eq!(latest, day(2026, 5, 18));
        }
        other => panic!("expected a ready-by date, got {other:?}"),
    }
}

#[tokio::test]
async fn r2_2_r2_3_after_documents_the_ready_by_date_runs_from_the_review_that_completed_them() {
    // Friday 1 May 2026 is a holiday in Germany.
    let config = Config {
        billing_time_zone: TZ,
        holidays: BTreeMap::from([(CountryCode::parse("DE").unwrap(), vec![day(2026, 5, 1)])]),
        ..Config::default()
    };
    let world = world_with(day(2026, 4, 24), config);
    let shop = catalogue(&world).await;
    world.carrier.set_instant(false);
    let hana = world.customer("Hana").await;
    world.top_up(hana.id, eur("50.00")).await;
    let number = world.buy(hana.id, &shop.berlin, 1).await;
    let view = world.vnum.number_view(hana.id, number.id).await.unwrap();
    assert!(
        matches!(
            view.ready_by,
            Some(vnum_lifecycle::ReadyBy::WhenDocumentsAccepted { .. })
        ),
        "R2.2: no date while the documents are not accepted: {:?}",
        view.ready_by
    );

    let mut kinds = Vec::new();
    for kind in [DocumentKind::PassportOrId, DocumentKind::ProofOfAddress] {
        kinds.push(
            world
                .vnum
                .upload_document(hana.id, kind, b"scan".to_vec())
                .await
                .unwrap(),
        );
    }
    world
        .vnum
        .review_document(kinds[0].id(), ReviewDecision::Accept)
        .await
        .unwrap();
    // The last document is accepted on Thursday 30 April.
    world.go_to(day(2026, 4, 30), 10);
    world
        .vnum
        .review_document(kinds[1].id(), ReviewDecision::Accept)
        .await
        .unwrap();
    // Days later the date still counts from the review, not from today.
    world.go_to(day(2026, 5, 4), 10);
    let view = world.vnum.number_view(hana.id, number.id).await.unwrap();
    assert_eq!(view.record.state, NumberState::Provisioning);
    match view.ready_by {
        Some(vnum_lifecycle::ReadyBy::Between {
            earliest,
            latest,
            rule,
        }) => {
            // One to two business days from Thursday 30 April: Friday 1 May is a holiday
            // and the weekend follows.
            assert_eq!((earliest, latest), (day(2026, 5, 4), day(2026, 5, 5)));
            assert_eq!(rule, vnum_core::rule::R2_2);
        }
        other => panic!("expected a ready-by date, got {other:?}"),
    }
    let listed = world.vnum.numbers_of(hana.id).await.unwrap();
    assert_eq!(
        listed[0].ready_by, view.ready_by,
        "the list shows the same date"
    );
}

#[tokio::test]
async fn r6_2_an_offer_without_its_own_caller_id_fee_gets_the_providers_default_for_its_currency() {
    let defaults =
        vnum_core::PriceList::new(BTreeMap::from([(vnum_core::Currency::EUR, dec!(1.5))])).unwrap();
    let config = Config {
        billing_time_zone: TZ,
        caller_id_prices: defaults,
        ..Config::default()
    };
    let world = world_with(day(2026, 4, 24), config);
    let terms = vnum_app::testing::mobile_offer(CountryCode::parse("DE").unwrap(), eur("10.00"));
    let defaulted = world
        .vnum
        .create_offer(vnum_lifecycle::OfferTerms {
            caller_id_monthly: None,
            ..terms.clone()
        })
        .await
        .unwrap();
    assert_eq!(defaulted.caller_id_monthly(), Some(eur("1.50")));
    let own = world
        .vnum
        .create_offer(vnum_lifecycle::OfferTerms {
            caller_id_monthly: Some(eur("3.00")),
            ..terms.clone()
        })
        .await
        .unwrap();
    assert_eq!(
        own.caller_id_monthly(),
        Some(eur("3.00")),
        "an offer's own fee stands"
    );
    let usd = world
        .vnum
        .create_offer(vnum_lifecycle::OfferTerms {
            monthly_price: vnum_testkit::usd("10.00"),
            setup_fee: vnum_testkit::usd("0.00"),
            caller_id_monthly: None,
            ..terms
        })
        .await
        .unwrap();
    assert_eq!(
        usd.caller_id_monthly(),
        None,
        "no default in USD: no add-on"
    );
}

fn one_de_mobile(
    shop_offer: &vnum_lifecycle::Offer,
    key: Option<&str>,
    customer: vnum_core::CustomerId,
    quantity: u32,
) -> PlaceOrder {
    PlaceOrder {
        customer,
        lines: vec![OrderLineRequest {
            offer: shop_offer.id(),
            quantity,
            term: PrepaidTerm::OneMonth,
            city: None,
            number: None,
        }],
        end_user: EndUser::Personal,
        idempotency_key: key.map(str::to_owned),
    }
}

#[tokio::test]
async fn r1_d3_a_paid_number_the_carrier_cannot_provide_is_refunded_and_the_order_still_answers() {
    let world = world_on(day(2026, 3, 2));
    let shop = catalogue(&world).await;
    while world.carrier.take("DE").is_some() {}
    let hana = world.customer("Hana").await;
    world.top_up(hana.id, eur("20.00")).await;

    let placed = world
        .vnum
        .place_order(one_de_mobile(&shop.de_mobile, None, hana.id, 1))
        .await
        .expect("an order that took money answers with the order");

    let number = &placed.numbers[0];
    assert!(
        matches!(number.state, NumberState::ProvisioningFailed { .. }),
        "{:?}",
        number.state
    );
    assert_eq!(
        world.balance(hana.id).await,
        eur("20.00"),
        "R1.D3: the money is back"
    );
    let refunds: Vec<_> = world
        .memory()
        .all_entries()
        .into_iter()
        .filter(|e| e.rule == Some(vnum_core::rule::R1_D3))
        .collect();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].amount, placed.order.total);
    assert!(
        world.emailed().await.iter().any(|e| {
            e.email.as_deref() == Some("hana@example.com")
                && e.notice.type_name() == "number.provisioning_failed"
        }),
        "the customer is told"
    );
}

#[tokio::test]
async fn r1_d3_a_carrier_that_says_no_later_refunds_the_number_once() {
    let world = world_on(day(2026, 3, 2));
    let shop = catalogue(&world).await;
    world.carrier.set_instant(false);
    let ivan = world.customer("Ivan").await;
    world.top_up(ivan.id, eur("30.00")).await;
    let placed = world
        .vnum
        .place_order(one_de_mobile(&shop.de_mobile, None, ivan.id, 2))
        .await
        .unwrap();
    let paid = world.balance(ivan.id).await;
    let first = placed.numbers[0].id;

    for _ in 0..2 {
        let failed = world
            .vnum
            .fail_provisioning(first, "no mobile numbers left")
            .await
            .unwrap();
        assert!(matches!(
            failed.state,
            NumberState::ProvisioningFailed { .. }
        ));
    }
    let share = placed
        .order
        .total
        .checked_mul(dec!(0.5))
        .unwrap()
        .round_to_minor();
    assert_eq!(
        world.balance(ivan.id).await,
        paid.checked_add(share).unwrap(),
        "one number's share, once"
    );
    // The other number is connected as usual; a connected number cannot fail.
    let other = placed.numbers[1].id;
    let e164 = world.carrier.take("DE").unwrap();
    world.vnum.connect_number(other, e164).await.unwrap();
    let err = world
        .vnum
        .fail_provisioning(other, "too late")
        .await
        .unwrap_err();
    assert_eq!(err.rule(), Some(vnum_core::rule::R1_D3));
}

#[tokio::test]
async fn r1_d3_an_order_repeated_with_the_same_key_buys_once() {
    let world = world_on(day(2026, 3, 2));
    let shop = catalogue(&world).await;
    let jana = world.customer("Jana").await;
    world.top_up(jana.id, eur("50.00")).await;

    let first = world
        .vnum
        .place_order(one_de_mobile(&shop.de_mobile, Some("order-1"), jana.id, 1))
        .await
        .unwrap();
    let after_first = world.balance(jana.id).await;
    let again = world
        .vnum
        .place_order(one_de_mobile(&shop.de_mobile, Some("order-1"), jana.id, 1))
        .await
        .unwrap();
    let other_lines = world
        .vnum
        .place_order(one_de_mobile(&shop.de_mobile, Some("order-1"), jana.id, 2))
        .await
        .unwrap_err();

    assert!(!first.replayed);
    assert!(again.replayed);
    assert_eq!(again.order, first.order);
    assert_eq!(world.balance(jana.id).await, after_first, "charged once");
    assert_eq!(world.vnum.numbers_of(jana.id).await.unwrap().len(), 1);
    assert!(matches!(other_lines, Error::Conflict(_)), "{other_lines}");
}
