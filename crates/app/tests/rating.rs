//! Calls out to the phone network and forwarding to phone numbers, rated by the operator's
//! rate table (R6.D2, R5.D1), told through the use cases on in-memory ports.

// The world's helpers run only inside tests: a panic there is a failed test with a location.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use vnum_app::memory::{InMemoryStore, ManualClock};
use vnum_app::model::{Customer, EntryKind, NumberRecord};
use vnum_app::ports::Clock;
use vnum_app::testing::{World as Kit, mobile_offer};
use vnum_app::{CallOut, Error, RecordedCall, Vnum};
use vnum_calls::{
    CallLine, CallRecordFields, DialPrefix, Direction, Disposition, Increments, Rate,
};
use vnum_core::{CallId, Money, NumberId, RuleId, rule};
use vnum_lifecycle::Offer;
use vnum_testkit::{country, eur, phone};

const BERLIN: &str = "+4930123456";
const PARIS: &str = "+33123456789";
const LONDON: &str = "+442071234567";

struct World {
    vnum: Vnum,
    store: InMemoryStore,
    clock: ManualClock,
    offer: Offer,
    kit: Kit,
}

/// The line a reported call was on: a number's id, or a free test's line.
struct Line(CallLine);

impl From<NumberId> for Line {
    fn from(number: NumberId) -> Self {
        Self(CallLine::Number(number))
    }
}

impl From<CallLine> for Line {
    fn from(line: CallLine) -> Self {
        Self(line)
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn rate(prefix: &str, price: &str, increments: &str) -> Rate {
    Rate::new(
        DialPrefix::parse(prefix).unwrap(),
        eur(price),
        Increments::parse(increments).unwrap(),
        now() - Duration::days(30),
    )
    .unwrap()
}

impl World {
    async fn new() -> Self {
        let kit = Kit::new(now());
        kit.carrier_stock((0..4).map(|i| phone(&format!("+49151{:08}", 10_000_000 + i))));
        let offer = kit.offer(mobile_offer(country("DE"), eur("10.00"))).await;
        let vnum = kit.vnum.clone();
        vnum.add_rate(rate("49", "0.60", "60/60")).await.unwrap();
        vnum.add_rate(rate("44", "20.00", "60/60")).await.unwrap();
        Self {
            vnum,
            store: kit.memory().clone(),
            clock: kit.clock.clone(),
            offer,
            kit,
        }
    }

    /// Ada with `balance` left after buying one number, and a SIP account `ada`.
    async fn ada_with(&self, balance: &str) -> (Customer, NumberRecord) {
        let ada = self.kit.customer("Ada").await;
        let paid = eur(balance).checked_add(eur("10.00")).unwrap();
        self.kit.top_up(ada.id, paid).await;
        let number = self.kit.buy(ada.id, &self.offer, 1).await;
        self.vnum
            .request_sip_account(ada.id, Some("ada"))
            .await
            .unwrap();
        assert_eq!(self.balance(&ada).await, eur(balance));
        (ada, number)
    }

    async fn balance(&self, customer: &Customer) -> Money {
        self.vnum.balance(customer.id).await.unwrap().balance
    }

    async fn call_out(&self, to: &str) -> (Option<NumberId>, CallOut) {
        let decision = self
            .vnum
            .authorize_outbound("ada", &phone(to))
            .await
            .unwrap();
        (decision.number, decision.call_out)
    }

    /// Reports a call of `talk` answered seconds, answered after 10 seconds of ringing.
    async fn report(
        &self,
        line: impl Into<Line>,
        direction: Direction,
        to: &str,
        answered_by: Option<&str>,
        talk: i64,
        reference: Option<&str>,
    ) -> RecordedCall {
        let start = self.clock.now();
        let answer = start + Duration::seconds(10);
        self.vnum
            .record_call(
                CallRecordFields {
                    id: CallId(0),
                    line: line.into().0,
                    direction,
                    from: "+4915110000000".into(),
                    to: to.into(),
                    start,
                    answer: Some(answer),
                    end: answer + Duration::seconds(talk),
                    disposition: Disposition::Answered,
                    answered_by: answered_by.map(Into::into),
                },
                reference,
            )
            .await
            .unwrap()
    }

    fn call_charges(&self) -> Vec<(Money, Option<RuleId>, Option<String>)> {
        self.store
            .all_entries()
            .into_iter()
            .filter(|e| {
                e.kind == EntryKind::Charge
                    && e.reference
                        .as_deref()
                        .is_some_and(|r| r.starts_with("call:"))
            })
            .map(|e| (e.amount, e.rule, e.reference))
            .collect()
    }
}

fn refused_by(call_out: &CallOut) -> Option<RuleId> {
    match call_out {
        CallOut::Refused { rule, .. } => Some(*rule),
        CallOut::Allowed { .. } => None,
    }
}

#[tokio::test]
async fn r6_d2_a_call_out_lasts_as_long_as_the_balance_pays() {
    let world = World::new().await;
    let (_, number) = world.ada_with("10.00").await;
    let (recorded_against, call_out) = world.call_out(BERLIN).await;
    assert_eq!(recorded_against, Some(number.id));
    // 10.00 EUR at 0.60 EUR per whole minute: 16 minutes.
    match call_out {
        CallOut::Allowed { max_seconds, rate } => {
            assert_eq!(max_seconds, 16 * 60);
            assert_eq!(rate.prefix().to_string(), "+49");
        }
        refused @ CallOut::Refused { .. } => panic!("refused: {refused:?}"),
    }
}

#[tokio::test]
async fn r6_d2_calls_out_without_a_rate_or_the_first_increment_are_refused() {
    let world = World::new().await;
    world.ada_with("10.00").await;
    let (_, to_paris) = world.call_out(PARIS).await;
    assert_eq!(refused_by(&to_paris), Some(rule::R6_D2));
    // London costs 20.00 EUR for its first minute.
    let (_, to_london) = world.call_out(LONDON).await;
    assert_eq!(refused_by(&to_london), Some(rule::R6_D2));
    let CallOut::Refused { reason, .. } = to_london else {
        unreachable!()
    };
    assert!(reason.contains("first increment"), "{reason}");
}

#[tokio::test]
async fn r6_d2_an_answered_call_out_is_charged_once_and_may_take_the_balance_below_zero() {
    let world = World::new().await;
    let (ada, number) = world.ada_with("10.00").await;
    // 61 answered seconds on 60/60 are two minutes: 1.20 EUR.
    let first = world
        .report(
            number.id,
            Direction::Outbound,
            BERLIN,
            None,
            61,
            Some("c1@pbx"),
        )
        .await;
    assert_eq!(first.cost, Some(eur("1.20")));
    assert_eq!(world.balance(&ada).await, eur("8.80"));
    let again = world
        .report(
            number.id,
            Direction::Outbound,
            BERLIN,
            None,
            61,
            Some("c1@pbx"),
        )
        .await;
    assert!(again.replayed);
    assert_eq!(again.cost, Some(eur("1.20")));
    assert_eq!(world.balance(&ada).await, eur("8.80"));
    assert_eq!(
        world.call_charges(),
        vec![(
            eur("-1.20"),
            Some(rule::R6_D2),
            Some(format!("call:{}", first.call.id()))
        )]
    );

    // A call longer than allowed (the engine failed to end it) is charged whole: 20 minutes.
    world
        .report(number.id, Direction::Outbound, BERLIN, None, 1200, None)
        .await;
    assert_eq!(world.balance(&ada).await, eur("-3.20"));
    // R10.4: in debt, no call out.
    let (_, in_debt) = world.call_out(BERLIN).await;
    assert_eq!(refused_by(&in_debt), Some(rule::R10_4));
}

#[tokio::test]
async fn r8_a_free_tests_call_forwarded_to_a_phone_number_is_charged_to_its_customer() {
    let world = World::new().await;
    let (ada, _) = world.ada_with("10.00").await;
    let testable = vnum_lifecycle::OfferTerms {
        trial_allowed: true,
        ..mobile_offer(country("DE"), eur("10.00"))
    };
    world
        .kit
        .offer_with_stock(testable, vec![phone("+4915199999999")])
        .await;
    let trial = match world
        .vnum
        .start_trial(ada.id, country("DE"), vnum_lifecycle::NumberKind::Mobile)
        .await
        .unwrap()
    {
        vnum_app::TrialOutcome::Started(record) => record.trial,
        other => panic!("expected a test, got {other:?}"),
    };
    // Forwarded like a rented number (R8 Decision): the leg to a phone is rated (R5.D1).
    let forwarded = world
        .report(
            CallLine::Trial(trial.id()),
            Direction::Inbound,
            "+4915199999999",
            Some("sip:+4930123456@gateway.vnum.example;user=phone"),
            30,
            Some("trial-1"),
        )
        .await;
    assert_eq!(forwarded.call.number(), None);
    assert_eq!(forwarded.cost, Some(eur("0.60")));
    assert_eq!(world.balance(&ada).await, eur("9.40"));
    let calls = world.vnum.calls_of_trial(ada.id, trial.id()).await.unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].cost, Some(eur("0.60")));
    assert_eq!(calls[0].call.line(), CallLine::Trial(trial.id()));
    // Nobody else's, and an unknown test is not found.
    let bob = world.kit.customer("Bob").await;
    assert!(world.vnum.calls_of_trial(bob.id, trial.id()).await.is_err());
    let unknown = CallRecordFields {
        line: CallLine::Trial(vnum_core::TrialId(999)),
        ..forwarded_fields(&world)
    };
    let refused = world.vnum.record_call(unknown, None).await.unwrap_err();
    assert!(
        matches!(refused, vnum_app::Error::NotFound { .. }),
        "{refused}"
    );
}

/// A plain answered inbound report of no line in particular.
fn forwarded_fields(world: &World) -> CallRecordFields {
    let start = world.clock.now();
    CallRecordFields {
        id: CallId(0),
        line: CallLine::Number(NumberId(1)),
        direction: Direction::Inbound,
        from: "+4915110000000".into(),
        to: "+4915199999999".into(),
        start,
        answer: None,
        end: start,
        disposition: Disposition::NoAnswer,
        answered_by: None,
    }
}

#[tokio::test]
async fn r5_d1_forwarding_to_a_phone_number_is_charged_to_the_numbers_owner() {
    let world = World::new().await;
    let (ada, number) = world.ada_with("10.00").await;
    let forwarded = world
        .report(
            number.id,
            Direction::Inbound,
            "+4915110000000",
            Some("sip:+4930123456@gateway.vnum.example;user=phone"),
            30,
            Some("in-1"),
        )
        .await;
    assert_eq!(forwarded.cost, Some(eur("0.60")));
    assert_eq!(world.balance(&ada).await, eur("9.40"));
    assert_eq!(world.call_charges()[0].1, Some(rule::R5_D1));

    // Answered by a SIP account: free (R4.2). Voicemail and unrated numbers: not charged.
    let to_sip = world
        .report(
            number.id,
            Direction::Inbound,
            "+4915110000000",
            Some("sip:ada@sip.vnum.example"),
            300,
            None,
        )
        .await;
    assert_eq!(to_sip.cost, None);
    let unrated = world
        .report(number.id, Direction::Outbound, PARIS, None, 300, None)
        .await;
    assert_eq!(unrated.cost, None);
    assert_eq!(world.balance(&ada).await, eur("9.40"));
    assert_eq!(world.call_charges().len(), 1);
}

#[tokio::test]
async fn r5_1_a_call_out_is_recorded_against_a_live_number_of_the_owner_or_refused() {
    let world = World::new().await;
    let (ada, number) = world.ada_with("10.00").await;
    let account = world.vnum.sip_account_by_login("ada").await.unwrap();
    world
        .vnum
        .set_presented_number(ada.id, account.id, None)
        .await
        .unwrap();
    let (recorded_against, call_out) = world.call_out(BERLIN).await;
    assert_eq!(recorded_against, Some(number.id));
    assert_eq!(refused_by(&call_out), None);

    world.vnum.delete_number(ada.id, number.id).await.unwrap();
    let (recorded_against, call_out) = world.call_out(BERLIN).await;
    assert_eq!(recorded_against, None);
    assert_eq!(refused_by(&call_out), Some(rule::R5_1));
}

#[tokio::test]
async fn r6_d2_a_rate_is_added_once_per_prefix_currency_and_instant() {
    let world = World::new().await;
    let again = world.vnum.add_rate(rate("49", "0.70", "1/1")).await;
    assert!(matches!(again, Err(Error::Conflict(_))), "{again:?}");
    let later = Rate::new(
        DialPrefix::parse("49").unwrap(),
        eur("0.70"),
        Increments::parse("1/1").unwrap(),
        now() + Duration::days(1),
    )
    .unwrap();
    world.vnum.add_rate(later).await.unwrap();
    let rates = world.vnum.rates().await.unwrap();
    assert_eq!(rates.len(), 3);
    // The new price applies from its instant only.
    world.ada_with("10.00").await;
    let (_, today) = world.call_out(BERLIN).await;
    assert!(matches!(
        today,
        CallOut::Allowed {
            max_seconds: 960,
            ..
        }
    ));
    world.clock.set(now() + Duration::days(2));
    let (_, tomorrow) = world.call_out(BERLIN).await;
    // 10.00 EUR at 0.70 EUR per minute, per second: 857 seconds (9.9983… EUR).
    assert!(
        matches!(
            tomorrow,
            CallOut::Allowed {
                max_seconds: 857,
                ..
            }
        ),
        "{tomorrow:?}"
    );
}

#[tokio::test]
async fn r6_d2_a_call_out_reported_missed_then_answered_is_charged_once() {
    let world = World::new().await;
    let (ada, number) = world.ada_with("10.00").await;
    let start = world.clock.now();
    let missed = CallRecordFields {
        id: CallId(0),
        line: CallLine::Number(number.id),
        direction: Direction::Outbound,
        from: "ada".into(),
        to: BERLIN.into(),
        start,
        answer: None,
        end: start + Duration::seconds(10),
        disposition: Disposition::NoAnswer,
        answered_by: None,
    };
    world
        .vnum
        .record_call(missed.clone(), Some("c9@pbx"))
        .await
        .unwrap();
    assert_eq!(world.balance(&ada).await, eur("10.00"));
    // The engine reports the same call again, answered for 61 s: two minutes on 60/60.
    let answered = CallRecordFields {
        answer: Some(start + Duration::seconds(10)),
        end: start + Duration::seconds(71),
        disposition: Disposition::Answered,
        ..missed.clone()
    };
    let better = world
        .vnum
        .record_call(answered.clone(), Some("c9@pbx"))
        .await
        .unwrap();
    assert!(!better.replayed);
    assert_eq!(better.cost, Some(eur("1.20")));
    assert_eq!(world.balance(&ada).await, eur("8.80"));
    // Sent again, or a late copy of the missed report: no second charge, no error.
    let again = world
        .vnum
        .record_call(answered, Some("c9@pbx"))
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!(again.cost, Some(eur("1.20")));
    let late = world
        .vnum
        .record_call(missed, Some("c9@pbx"))
        .await
        .unwrap();
    assert!(late.replayed);
    assert_eq!(late.call.disposition(), Disposition::Answered);
    assert_eq!(world.balance(&ada).await, eur("8.80"));
}
