//! How long one inbound routing decision takes. The SIP engine asks for one per call, so a
//! decision must stay well under 2 µs.
//!
//! The baseline in the same run is the irreducible work of any answer: formatting one SIP
//! request URI. A decision costs a few of those plus the plan walk.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use vnum_calls::{
    ForwardingPlan, ForwardingTarget, InboundNumber, RingTime, RoutingState, SipHosts,
    route_inbound,
};
use vnum_core::GreetingId;

fn target(text: &str) -> ForwardingTarget {
    ForwardingTarget::parse(text).expect("a valid bench target")
}

fn routing(c: &mut Criterion) {
    let hosts = SipHosts {
        domain: "sip.vnum.test".into(),
        gateway: "gw.vnum.test".into(),
    };
    let simultaneous = ForwardingPlan::simultaneous(
        vec![target("+4915112345678"), target("account:alice")],
        RingTime::DEFAULT,
    )
    .and_then(|p| p.with_voicemail(true))
    .expect("a valid simultaneous plan");
    let sequential = ForwardingPlan::sequential(vec![
        (target("account:alice"), RingTime::DEFAULT),
        (target("sip:bob@example.com:5080"), RingTime::DEFAULT),
        (target("[2001:db8::1]:5070"), RingTime::DEFAULT),
        (target("+4915112345678"), RingTime::DEFAULT),
        (target("203.0.113.5:5060"), RingTime::DEFAULT),
    ])
    .and_then(|p| p.with_voicemail(true))
    .expect("a valid sequential plan");
    let alice = target("account:alice");

    let mut group = c.benchmark_group("routing");
    group.bench_function("baseline: format one request URI", |b| {
        b.iter(|| black_box(&alice).request_uri(black_box(&hosts.domain), &hosts.gateway));
    });
    group.bench_function("suspended account (R10.4)", |b| {
        let number = InboundNumber {
            state: RoutingState::AccountSuspended,
            plan: Some(&simultaneous),
            greeting: None,
        };
        b.iter(|| route_inbound(black_box(&number), &hosts));
    });
    group.bench_function("simultaneous 2 + voicemail (R4.4)", |b| {
        let number = InboundNumber {
            state: RoutingState::Active,
            plan: Some(&simultaneous),
            greeting: Some(GreetingId(1)),
        };
        b.iter(|| route_inbound(black_box(&number), &hosts));
    });
    group.bench_function("sequential 5 + voicemail (R5.D2)", |b| {
        let number = InboundNumber {
            state: RoutingState::Active,
            plan: Some(&sequential),
            greeting: Some(GreetingId(1)),
        };
        b.iter(|| route_inbound(black_box(&number), &hosts));
    });
    group.finish();
}

/// The engine names the dialled number as text; reading it as an E.164 number (checked
/// against the numbering plan of its country) comes before every decision.
fn dialled_number(c: &mut Criterion) {
    let mut group = c.benchmark_group("dialled number");
    for text in ["+4915112345678", "+14155550123", "+442071838750"] {
        group.bench_function(format!("parse {text}"), |b| {
            b.iter(|| vnum_core::PhoneNumber::parse(black_box(text)));
        });
    }
    group.finish();
}

criterion_group!(benches, routing, dialled_number);
criterion_main!(benches);
