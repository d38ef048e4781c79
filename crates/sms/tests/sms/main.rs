//! R9 one-shot SMS numbers as specifications.

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use vnum_core::{CustomerId, Money, PhoneNumber, SmsAllocationId, rule};
use vnum_sms::{AllocationState, Service, SmsAllocation, SmsError, SmsEvent, SmsPool};
use vnum_testkit::{at, day, eur, phone};

fn number(i: usize) -> PhoneNumber {
    phone(&format!("+49301234{i:03}"))
}

fn price() -> Money {
    eur("0.50")
}

fn noon() -> DateTime<Utc> {
    at(day(2026, 6, 1), 12)
}

fn pool(service: &str, numbers: impl IntoIterator<Item = usize>) -> SmsPool {
    let mut pool = SmsPool::new(Service::new(service).expect("a test service is not blank"));
    for i in numbers {
        pool.add(number(i)).expect("a fresh number joins the pool");
    }
    pool
}

const LIFETIME: TimeDelta = TimeDelta::minutes(20);

fn allocate(pool: &mut SmsPool, id: i64) -> SmsAllocation {
    pool.allocate(
        SmsAllocationId(id),
        CustomerId(7),
        price(),
        noon(),
        LIFETIME,
    )
    .expect("the pool has a number")
}

#[test]
fn r9_1_the_first_sms_uses_the_allocation_and_a_second_is_refused() {
    let mut telegram = pool("Telegram", [1]);
    let allocation = allocate(&mut telegram, 1);
    assert_eq!(allocation.service().as_str(), "telegram");
    assert_eq!(allocation.expires_at(), noon() + LIFETIME);
    let used = allocation
        .apply(SmsEvent::Received {
            at: noon() + TimeDelta::minutes(3),
        })
        .unwrap();
    assert_eq!(
        used.state(),
        AllocationState::Used {
            at: noon() + TimeDelta::minutes(3)
        }
    );
    let err = used
        .apply(SmsEvent::Received {
            at: noon() + TimeDelta::minutes(4),
        })
        .unwrap_err();
    assert_eq!(err, SmsError::SecondMessage { id: used.id() });
    assert_eq!(err.rule(), rule::R9_1);
    assert!(err.to_string().contains("monthly number"), "{err}");
}

#[test]
fn r9_d1_a_used_allocation_is_not_refunded() {
    let mut telegram = pool("telegram", [1]);
    let allocation = allocate(&mut telegram, 1);
    assert_eq!(allocation.settlement(), None);
    let used = allocation.apply(SmsEvent::Received { at: noon() }).unwrap();
    let settlement = used.settlement().unwrap();
    assert!(settlement.refund.is_zero());
    assert_eq!(settlement.rule, rule::R9_D1);
    assert!(matches!(
        used.apply(SmsEvent::Expire {
            at: noon() + LIFETIME
        }),
        Err(SmsError::AlreadyEnded { .. })
    ));
}

#[test]
fn r9_d1_an_allocation_expired_unused_is_refunded_in_full() {
    let mut telegram = pool("telegram", [1]);
    let allocation = allocate(&mut telegram, 1);
    let early = allocation.apply(SmsEvent::Expire {
        at: noon() + LIFETIME - TimeDelta::seconds(1),
    });
    assert!(matches!(early, Err(SmsError::NotYetExpired { .. })));
    let expired = allocation
        .apply(SmsEvent::Expire {
            at: noon() + LIFETIME,
        })
        .unwrap();
    let settlement = expired.settlement().unwrap();
    assert_eq!(settlement.refund, price());
    assert_eq!(settlement.rule, rule::R9_D1);
    assert!(matches!(
        expired.apply(SmsEvent::Received {
            at: noon() + LIFETIME
        }),
        Err(SmsError::AlreadyEnded { .. })
    ));
}

#[test]
fn r9_d1_an_sms_at_the_expiry_instant_comes_too_late() {
    let mut telegram = pool("telegram", [1]);
    let allocation = allocate(&mut telegram, 1);
    let err = allocation
        .apply(SmsEvent::Received {
            at: allocation.expires_at(),
        })
        .unwrap_err();
    assert!(matches!(err, SmsError::MessageAfterExpiry { .. }));
    assert_eq!(allocation.state(), AllocationState::Waiting);
}

#[test]
fn r9_2_a_number_issued_for_a_service_never_comes_back_for_it() {
    let mut telegram = pool("telegram", [1]);
    let first = allocate(&mut telegram, 1);
    assert_eq!(first.number(), &number(1));
    assert!(telegram.was_issued(&number(1)));
    let err = telegram.add(number(1)).unwrap_err();
    assert_eq!(err.rule(), rule::R9_2);
    assert!(matches!(err, SmsError::AlreadyIssued { .. }));
    assert!(matches!(
        telegram.allocate(SmsAllocationId(2), CustomerId(8), price(), noon(), LIFETIME),
        Err(SmsError::PoolEmpty { .. })
    ));

    // The same number may still serve another service.
    let mut whatsapp = pool("whatsapp", [1]);
    assert_eq!(allocate(&mut whatsapp, 3).number(), &number(1));
}

#[test]
fn an_allocation_must_last_some_time() {
    let mut telegram = pool("telegram", [1]);
    assert_eq!(
        telegram.allocate(
            SmsAllocationId(1),
            CustomerId(7),
            price(),
            noon(),
            TimeDelta::zero()
        ),
        Err(SmsError::NonPositiveLifetime)
    );
    assert_eq!(telegram.available().count(), 1);
    assert_eq!(Service::new(" "), Err(SmsError::BlankService));
}

#[derive(Clone, Debug)]
enum Op {
    Add { service: usize, number: usize },
    Allocate { service: usize },
    Receive { allocation: usize, minutes: i64 },
    Expire { allocation: usize, minutes: i64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..3, 0usize..8).prop_map(|(service, number)| Op::Add { service, number }),
        (0usize..3).prop_map(|service| Op::Allocate { service }),
        (0usize..40, 0i64..40).prop_map(|(allocation, minutes)| Op::Receive {
            allocation,
            minutes
        }),
        (0usize..40, 0i64..40).prop_map(|(allocation, minutes)| Op::Expire {
            allocation,
            minutes
        }),
    ]
}

proptest! {
    /// R9.2 and R9.D1 under any interleaving: no (number, service) pair is issued twice,
    /// the pool hands out only numbers it has, and an allocation ends at most once, with a
    /// refund exactly when it expired unused.
    #[test]
    fn r9_2_no_number_is_issued_twice_for_a_service(ops in prop::collection::vec(op(), 0..80)) {
        let mut pools: Vec<SmsPool> = ["telegram", "whatsapp", "viber"]
            .into_iter()
            .map(|s| pool(s, []))
            .collect();
        let mut issued: HashSet<(PhoneNumber, String)> = HashSet::new();
        let mut allocations: Vec<SmsAllocation> = Vec::new();
        let mut next_id = 0i64;
        for op in ops {
            match op {
                Op::Add { service, number: n } => {
                    let pool = &mut pools[service];
                    let before: BTreeSet<PhoneNumber> = pool.available().cloned().collect();
                    let result = pool.add(number(n));
                    let known = issued.contains(&(number(n), pool.service().to_string()));
                    prop_assert_eq!(result.is_ok(), !known && !before.contains(&number(n)));
                }
                Op::Allocate { service } => {
                    let pool = &mut pools[service];
                    let before: BTreeSet<PhoneNumber> = pool.available().cloned().collect();
                    next_id += 1;
                    match pool.allocate(SmsAllocationId(next_id), CustomerId(7), price(), noon(), LIFETIME) {
                        Ok(allocation) => {
                            prop_assert!(before.contains(allocation.number()));
                            prop_assert!(!pool.available().any(|n| n == allocation.number()));
                            let pair = (allocation.number().clone(), allocation.service().to_string());
                            prop_assert!(issued.insert(pair), "issued twice");
                            allocations.push(allocation);
                        }
                        Err(err) => {
                            prop_assert!(before.is_empty());
                            prop_assert!(matches!(err, SmsError::PoolEmpty { .. }), "{err:?}");
                        }
                    }
                }
                Op::Receive { allocation, minutes } | Op::Expire { allocation, minutes } => {
                    let Some(current) = allocations.get(allocation) else { continue };
                    let at = noon() + TimeDelta::minutes(minutes);
                    let event = if matches!(op, Op::Receive { .. }) {
                        SmsEvent::Received { at }
                    } else {
                        SmsEvent::Expire { at }
                    };
                    let legal = current.state() == AllocationState::Waiting
                        && match event {
                            SmsEvent::Received { at } => at < current.expires_at(),
                            SmsEvent::Expire { at } => at >= current.expires_at(),
                        };
                    match current.apply(event) {
                        Ok(next) => {
                            prop_assert!(legal);
                            let refund = next.settlement().expect("an ended allocation settles").refund;
                            match event {
                                SmsEvent::Received { .. } => prop_assert!(refund.is_zero()),
                                SmsEvent::Expire { .. } => prop_assert_eq!(refund, price()),
                            }
                            allocations[allocation] = next;
                        }
                        Err(_) => prop_assert!(!legal),
                    }
                }
            }
        }
        for pool in &pools {
            let available: BTreeSet<&PhoneNumber> = pool.available().collect();
            prop_assert!(pool.issued().all(|n| !available.contains(n)));
        }
    }
}
