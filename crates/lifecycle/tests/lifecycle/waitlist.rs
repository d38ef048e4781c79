//! R7 stock and waitlist.

use proptest::prelude::*;
use vnum_core::{CustomerId, WaitlistEntryId, rule};
use vnum_lifecycle::{NumberKind, Waitlist, WaitlistError, WaitlistState, Wanted};
use vnum_testkit::{at, at_hms, country, day};

use crate::support::city;

fn wanted(code: &str, in_city: Option<&str>, kind: Option<NumberKind>) -> Wanted {
    Wanted {
        country: country(code),
        city: in_city.map(city),
        kind,
    }
}

fn ids(list: &Waitlist, code: &str, in_city: Option<&str>, kind: NumberKind) -> Vec<i64> {
    let c = in_city.map(city);
    list.on_restock(country(code), c.as_ref(), kind)
        .notify
        .iter()
        .map(|e| e.id().get())
        .collect()
}

#[test]
fn r7_1_on_restock_every_matching_customer_is_notified_oldest_first() {
    let mut list = Waitlist::new();
    let berlin_landline = wanted("DE", Some("Berlin"), Some(NumberKind::Landline));
    list.join(
        WaitlistEntryId(1),
        CustomerId(10),
        berlin_landline.clone(),
        at(day(2026, 3, 2), 9),
    )
    .unwrap();
    list.join(
        WaitlistEntryId(2),
        CustomerId(11),
        wanted("DE", None, None),
        at(day(2026, 3, 1), 9),
    )
    .unwrap();
    list.join(
        WaitlistEntryId(3),
        CustomerId(12),
        wanted("DE", Some("Hamburg"), None),
        at(day(2026, 2, 1), 9),
    )
    .unwrap();
    list.join(
        WaitlistEntryId(4),
        CustomerId(13),
        wanted("AT", None, None),
        at(day(2026, 1, 1), 9),
    )
    .unwrap();

    assert_eq!(
        ids(&list, "DE", Some("berlin"), NumberKind::Landline),
        [2, 1]
    );
    assert_eq!(ids(&list, "DE", None, NumberKind::Mobile), [2]);
    assert_eq!(
        list.on_restock(country("AT"), None, NumberKind::Mobile)
            .rule,
        rule::R7_1
    );
}

#[test]
fn r7_1_closed_entries_are_not_notified_again() {
    let mut list = Waitlist::new();
    let wish = wanted("DE", None, Some(NumberKind::Mobile));
    list.join(
        WaitlistEntryId(1),
        CustomerId(10),
        wish.clone(),
        at(day(2026, 3, 1), 9),
    )
    .unwrap();
    list.join(
        WaitlistEntryId(2),
        CustomerId(11),
        wish,
        at(day(2026, 3, 1), 10),
    )
    .unwrap();
    list.fulfil(WaitlistEntryId(1), at(day(2026, 4, 1), 0))
        .unwrap();
    assert_eq!(ids(&list, "DE", None, NumberKind::Mobile), [2]);
    list.cancel(WaitlistEntryId(2), at(day(2026, 4, 1), 0))
        .unwrap();
    assert!(ids(&list, "DE", None, NumberKind::Mobile).is_empty());
}

#[test]
fn an_entry_is_fulfilled_or_cancelled_exactly_once() {
    let mut list = Waitlist::new();
    list.join(
        WaitlistEntryId(1),
        CustomerId(10),
        wanted("DE", None, None),
        at(day(2026, 3, 1), 9),
    )
    .unwrap();
    let done = at(day(2026, 4, 1), 0);
    assert_eq!(
        list.fulfil(WaitlistEntryId(1), done).unwrap().state(),
        WaitlistState::Fulfilled { at: done }
    );
    let err = list.fulfil(WaitlistEntryId(1), done).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot fulfil waitlist entry 1: it is already fulfilled"
    );
    assert!(matches!(
        list.cancel(WaitlistEntryId(1), done),
        Err(WaitlistError::AlreadyClosed { .. })
    ));
    assert_eq!(
        list.get(WaitlistEntryId(1)).unwrap().state(),
        WaitlistState::Fulfilled { at: done }
    );
    assert_eq!(
        list.cancel(WaitlistEntryId(9), done),
        Err(WaitlistError::UnknownEntry(WaitlistEntryId(9)))
    );
}

#[test]
fn a_customer_waits_once_for_the_same_thing_but_may_ask_again_after_closing() {
    let mut list = Waitlist::new();
    let wish = wanted("DE", Some("Berlin"), None);
    list.join(
        WaitlistEntryId(1),
        CustomerId(10),
        wish.clone(),
        at(day(2026, 3, 1), 9),
    )
    .unwrap();
    assert!(matches!(
        list.join(
            WaitlistEntryId(2),
            CustomerId(10),
            wish.clone(),
            at(day(2026, 3, 2), 9)
        ),
        Err(WaitlistError::AlreadyWaiting { .. })
    ));
    assert_eq!(
        list.join(
            WaitlistEntryId(1),
            CustomerId(11),
            wish.clone(),
            at(day(2026, 3, 2), 9)
        ),
        Err(WaitlistError::DuplicateId(WaitlistEntryId(1)))
    );
    list.cancel(WaitlistEntryId(1), at(day(2026, 3, 3), 9))
        .unwrap();
    assert!(
        list.join(
            WaitlistEntryId(2),
            CustomerId(10),
            wish,
            at(day(2026, 3, 4), 9)
        )
        .is_ok()
    );
}

#[derive(Clone, Debug)]
enum Op {
    Join {
        customer: i64,
        city: usize,
        minute: u32,
    },
    Fulfil {
        entry: i64,
    },
    Cancel {
        entry: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0i64..4, 0usize..3, 0u32..60).prop_map(|(customer, city, minute)| Op::Join {
            customer,
            city,
            minute
        }),
        (0i64..20).prop_map(|entry| Op::Fulfil { entry }),
        (0i64..20).prop_map(|entry| Op::Cancel { entry }),
    ]
}

proptest! {
    /// Under any sequence of joins and closings, an entry closes exactly once and keeps its
    /// closing, and a restock lists only waiting entries, oldest first (R7.1).
    #[test]
    fn r7_1_entries_close_once_and_restock_lists_waiting_entries_oldest_first(
        ops in prop::collection::vec(op(), 0..60),
    ) {
        let cities = [None, Some("Berlin"), Some("Hamburg")];
        let mut list = Waitlist::new();
        let mut next_id = 0i64;
        for op in ops {
            match op {
                Op::Join { customer, city: c, minute } => {
                    let _ = list.join(
                        WaitlistEntryId(next_id),
                        CustomerId(customer),
                        wanted("DE", cities[c], None),
                        at_hms(day(2026, 3, 1), 9, minute, 0),
                    );
                    next_id += 1;
                }
                Op::Fulfil { entry } | Op::Cancel { entry } => {
                    let id = WaitlistEntryId(entry);
                    let before = list.get(id).map(|e| e.state());
                    let when = at(day(2026, 4, 1), 0);
                    let result = if matches!(op, Op::Fulfil { .. }) {
                        list.fulfil(id, when).map(|e| e.state())
                    } else {
                        list.cancel(id, when).map(|e| e.state())
                    };
                    match before {
                        None => prop_assert_eq!(result, Err(WaitlistError::UnknownEntry(id))),
                        Some(WaitlistState::Waiting) => prop_assert!(result.is_ok()),
                        Some(closed) => {
                            let refused = matches!(result, Err(WaitlistError::AlreadyClosed { .. }));
                            prop_assert!(refused, "closed twice: {:?}", result);
                            prop_assert_eq!(list.get(id).map(|e| e.state()), Some(closed));
                        }
                    }
                }
            }
        }
        let berlin = city("Berlin");
        let notified = list.on_restock(country("DE"), Some(&berlin), NumberKind::Landline).notify;
        prop_assert!(notified.iter().all(|e| e.state() == WaitlistState::Waiting));
        prop_assert!(notified.windows(2).all(|w| w[0].requested_at() <= w[1].requested_at()));
        let expected = list
            .entries()
            .filter(|e| e.state() == WaitlistState::Waiting && e.wanted().city.as_ref().is_none_or(|c| *c == berlin))
            .count();
        prop_assert_eq!(notified.len(), expected);
    }
}
