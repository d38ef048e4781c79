//! The number state machine and whether a number is served.

use proptest::prelude::*;
use vnum_billing::ServiceState;
use vnum_core::rule;
use vnum_lifecycle::{
    NumberEvent, NumberEventName, NumberState, NumberStateName, NumberStatus, routing,
};
use vnum_testkit::{day, eur, phone};

fn connected() -> NumberState {
    NumberState::Ordered
        .apply(NumberEvent::ProvisioningStarted)
        .and_then(|s| {
            s.apply(NumberEvent::Connected {
                number: phone("+4930123456"),
                on: day(2026, 1, 20),
            })
        })
        .expect("an ordered number can be provisioned and connected")
}

#[test]
fn r2_2_a_number_needing_documents_waits_for_them_before_provisioning() {
    let waiting = NumberState::Ordered
        .apply(NumberEvent::DocumentsRequired)
        .unwrap();
    assert_eq!(waiting.name(), NumberStateName::AwaitingDocuments);
    let err = waiting
        .clone()
        .apply(NumberEvent::Connected {
            number: phone("+4930123456"),
            on: day(2026, 1, 20),
        })
        .unwrap_err();
    assert_eq!(err.state, waiting);
    assert_eq!(
        err.to_string(),
        "cannot connect a number that is awaiting documents"
    );
    let provisioning = waiting.apply(NumberEvent::DocumentsAccepted).unwrap();
    assert_eq!(provisioning, NumberState::Provisioning);
}

#[test]
fn r1_2_the_concrete_number_is_known_only_once_connected() {
    assert_eq!(NumberState::Ordered.number(), None);
    assert_eq!(NumberState::Provisioning.number(), None);
    let active = connected();
    assert_eq!(active.number(), Some(&phone("+4930123456")));
    assert_eq!(
        active,
        NumberState::Active {
            number: phone("+4930123456"),
            connected_on: day(2026, 1, 20)
        }
    );
}

#[test]
fn a_deleted_number_refuses_every_event() {
    let deleted = connected()
        .apply(NumberEvent::Deleted {
            on: day(2026, 3, 1),
        })
        .unwrap();
    assert_eq!(deleted.number(), Some(&phone("+4930123456")));
    let err = deleted
        .clone()
        .apply(NumberEvent::ProvisioningStarted)
        .unwrap_err();
    assert_eq!(err.state, deleted);
    assert_eq!(err.event, NumberEventName::ProvisioningStarted);
    assert!(err.to_string().contains("deleted"), "{err}");
}

#[test]
fn r10_4_an_active_number_of_an_account_in_debt_is_suspended_and_not_routed() {
    let active = connected();
    let decision = routing(&active, eur("-0.01"));
    assert!(!decision.routable);
    assert_eq!(decision.rule, rule::R10_4);
    assert_eq!(
        NumberStatus::of(&active, ServiceState::of_balance(eur("-5"))),
        NumberStatus::Suspended
    );
}

#[test]
fn r10_d3_paying_the_debt_back_to_zero_routes_the_number_again() {
    let active = connected();
    let decision = routing(&active, eur("0.00"));
    assert!(decision.routable);
    assert_eq!(decision.rule, rule::R10_D3);
    assert_eq!(
        NumberStatus::of(&active, ServiceState::Active),
        NumberStatus::Active
    );
}

#[test]
fn numbers_not_yet_connected_or_deleted_are_never_routed() {
    for state in [
        NumberState::Ordered,
        NumberState::AwaitingDocuments,
        NumberState::Provisioning,
        NumberState::Deleted {
            number: None,
            deleted_on: day(2026, 1, 1),
        },
    ] {
        assert!(!routing(&state, eur("100")).routable, "{state:?}");
    }
}

/// The transition table written out independently of the implementation.
fn oracle(state: NumberStateName, event: NumberEventName) -> Option<NumberStateName> {
    use NumberEventName as E;
    use NumberStateName as S;
    match (state, event) {
        (S::Ordered, E::DocumentsRequired) => Some(S::AwaitingDocuments),
        (S::Ordered, E::ProvisioningStarted) | (S::AwaitingDocuments, E::DocumentsAccepted) => {
            Some(S::Provisioning)
        }
        (S::Provisioning, E::Connected) => Some(S::Active),
        (S::Deleted, _) => None,
        (_, E::Deleted) => Some(S::Deleted),
        _ => None,
    }
}

fn event() -> impl Strategy<Value = NumberEvent> {
    let numbers = ["+4930123456", "+4940123456", "+43 1 5123456"];
    prop_oneof![
        Just(NumberEvent::DocumentsRequired),
        Just(NumberEvent::DocumentsAccepted),
        Just(NumberEvent::ProvisioningStarted),
        (0..numbers.len(), 1u32..=28).prop_map(move |(n, d)| NumberEvent::Connected {
            number: phone(numbers[n]),
            on: day(2026, 2, d),
        }),
        (1u32..=28).prop_map(|d| NumberEvent::Deleted {
            on: day(2026, 3, d)
        }),
    ]
}

proptest! {
    #[test]
    fn any_event_sequence_follows_the_transition_table(events in prop::collection::vec(event(), 0..40)) {
        let mut state = NumberState::Ordered;
        let mut deleted = false;
        for event in events {
            let before = state.clone();
            let expected = oracle(before.name(), event.name());
            match state.apply(event.clone()) {
                Ok(next) => {
                    prop_assert_eq!(Some(next.name()), expected);
                    if before.number().is_some() {
                        prop_assert_eq!(next.number(), before.number());
                    }
                    state = next;
                }
                Err(err) => {
                    prop_assert_eq!(expected, None);
                    prop_assert_eq!(&err.state, &before);
                    prop_assert_eq!(err.event, event.name());
                    state = err.state;
                }
            }
            if deleted {
                prop_assert_eq!(state.name(), NumberStateName::Deleted);
                prop_assert_eq!(&state, &before);
            }
            deleted = state.name() == NumberStateName::Deleted;
        }
    }
}

#[test]
fn r3_d1_a_customer_with_accepted_documents_goes_straight_to_provisioning() {
    use vnum_compliance::{DocumentKind, DocumentRequirement, EndUser, missing_documents};
    use vnum_core::CustomerId;

    let requirement = DocumentRequirement::new([DocumentKind::PassportOrId], []);
    let nothing_uploaded = missing_documents(&requirement, EndUser::Personal, CustomerId(7), []);
    assert_eq!(
        NumberEvent::after_order(&nothing_uploaded),
        NumberEvent::DocumentsRequired
    );
    let no_documents_needed = missing_documents(&requirement, EndUser::Business, CustomerId(7), []);
    assert_eq!(
        NumberEvent::after_order(&no_documents_needed),
        NumberEvent::ProvisioningStarted
    );
}

#[test]
fn a_refused_event_names_the_rule_that_allows_it_and_keeps_the_state() {
    use vnum_core::rule::{self, RuleError};
    let on = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let number = vnum_core::PhoneNumber::parse("+4930123456").unwrap();
    let active = NumberState::Active {
        number: number.clone(),
        connected_on: on,
    };
    let connect_again = active
        .clone()
        .apply(NumberEvent::Connected {
            number: number.clone(),
            on,
        })
        .unwrap_err();
    let fail_active = active
        .clone()
        .apply(NumberEvent::ProvisioningFailed {
            reason: "none left".into(),
            on,
        })
        .unwrap_err();
    let deleted = active.apply(NumberEvent::Deleted { on }).unwrap();
    let delete_again = deleted
        .clone()
        .apply(NumberEvent::Deleted { on })
        .unwrap_err();

    assert_eq!(connect_again.rule(), rule::R1_2);
    assert_eq!(fail_active.rule(), rule::R1_D3);
    assert_eq!(delete_again.rule(), rule::R10_7);
    assert_eq!(delete_again.state, deleted, "a refused event loses nothing");
}
