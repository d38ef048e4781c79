//! R7 stock and waitlist.

use vnum_core::{CustomerId, WaitlistEntryId, rule};
use vnum_lifecycle::{NumberKind, Waitlist, WaitlistError, WaitlistState, Wanted};

use crate::support::{at, city, country};

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
        at(2026, 3, 2, 9, 0, 0),
    )
    .unwrap();
    list.join(
        WaitlistEntryId(2),
        CustomerId(11),
        wanted("DE", None, None),
        at(2026, 3, 1, 9, 0, 0),
    )
    .unwrap();
    list.join(
        WaitlistEntryId(3),
        CustomerId(12),
        wanted("DE", Some("Hamburg"), None),
        at(2026, 2, 1, 9, 0, 0),
    )
    .unwrap();
    list.join(
        WaitlistEntryId(4),
        CustomerId(13),
        wanted("AT", None, None),
        at(2026, 1, 1, 9, 0, 0),
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
        at(2026, 3, 1, 9, 0, 0),
    )
    .unwrap();
    list.join(
        WaitlistEntryId(2),
        CustomerId(11),
        wish,
        at(2026, 3, 1, 10, 0, 0),
    )
    .unwrap();
    list.fulfil(WaitlistEntryId(1), at(2026, 4, 1, 0, 0, 0))
        .unwrap();
    assert_eq!(ids(&list, "DE", None, NumberKind::Mobile), [2]);
    list.cancel(WaitlistEntryId(2), at(2026, 4, 1, 0, 0, 0))
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
        at(2026, 3, 1, 9, 0, 0),
    )
    .unwrap();
    let done = at(2026, 4, 1, 0, 0, 0);
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
        at(2026, 3, 1, 9, 0, 0),
    )
    .unwrap();
    assert!(matches!(
        list.join(
            WaitlistEntryId(2),
            CustomerId(10),
            wish.clone(),
            at(2026, 3, 2, 9, 0, 0)
        ),
        Err(WaitlistError::AlreadyWaiting { .. })
    ));
    assert_eq!(
        list.join(
            WaitlistEntryId(1),
            CustomerId(11),
            wish.clone(),
            at(2026, 3, 2, 9, 0, 0)
        ),
        Err(WaitlistError::DuplicateId(WaitlistEntryId(1)))
    );
    list.cancel(WaitlistEntryId(1), at(2026, 3, 3, 9, 0, 0))
        .unwrap();
    assert!(
        list.join(
            WaitlistEntryId(2),
            CustomerId(10),
            wish,
            at(2026, 3, 4, 9, 0, 0)
        )
        .is_ok()
    );
}
