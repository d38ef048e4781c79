//! The decision for one inbound call: ring these branches, then voicemail, or reject.
//!
//! The SIP engine asks this for every call to a rented number, so it is a pure function of
//! the number's state and settings; it allocates only the request URIs it returns.

use serde::{Deserialize, Serialize};
use vnum_core::GreetingId;
use vnum_core::rule::{self, RuleId};

use crate::{ForwardingPlan, Strategy};

/// Whether a dialled number can take calls, as the application derives it from the number's
/// lifecycle and its owner's balance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RoutingState {
    /// No number of ours has this E.164 text.
    Unknown,
    /// Connected, owned and paid for.
    Active,
    /// The owner's balance is below zero (R10.4, R10.D3).
    AccountSuspended,
    /// A free test whose hour is over (R8.D1).
    TrialExpired,
    /// Deleted by its owner; back in stock or returned to the carrier.
    Deleted,
    /// Ordered but not yet connected by the carrier (R1.2, R2).
    NotYetConnected,
}

/// What the router needs to know about the dialled number.
#[derive(Clone, Copy, Debug)]
pub struct InboundNumber<'a> {
    /// Whether it can take calls.
    pub state: RoutingState,
    /// Its forwarding settings, if the customer saved any (R5.3).
    pub plan: Option<&'a ForwardingPlan>,
    /// The greeting voicemail plays, if one is enabled and selected (R13.1).
    pub greeting: Option<GreetingId>,
}

/// The provider's SIP hosts, which turn targets into request URIs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SipHosts {
    /// The domain of the provider's SIP accounts, e.g. `sip.example.net`.
    pub domain: String,
    /// The host of the telephone-network gateway that phone-number targets go through.
    pub gateway: String,
}

/// One leg to ring.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branch {
    /// The SIP request URI.
    pub uri: String,
    /// The serial step this branch belongs to: branches of one step ring together, and
    /// step `n + 1` starts when step `n` has rung out.
    pub step: u16,
    /// How long the branch rings before it is given up.
    pub timeout_seconds: u32,
}

/// What happens when no branch answers (R4.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoicemailFallback {
    /// Seconds from the start of ringing until voicemail answers.
    pub after_seconds: u32,
    /// The greeting to play, if any (R13.1); without one the engine's standard prompt plays.
    pub greeting: Option<GreetingId>,
}

/// A SIP final response that refuses the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// The SIP status code.
    pub status: u16,
    /// The reason phrase.
    pub reason: &'static str,
    /// The rule that refused the call.
    pub rule: RuleId,
}

/// How to handle one inbound call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum RoutingDecision {
    /// Ring the branches, step by step, then fall back to voicemail if there is one.
    Ring {
        /// The branches, ordered by step.
        branches: Vec<Branch>,
        /// Voicemail after the last step, if enabled.
        voicemail: Option<VoicemailFallback>,
        /// The rule that shaped the plan.
        rule: RuleId,
    },
    /// Answer with voicemail at once.
    Voicemail {
        /// The fallback, with `after_seconds` 0.
        voicemail: VoicemailFallback,
        /// The rule.
        rule: RuleId,
    },
    /// Refuse the call.
    Reject(Rejection),
}

impl RoutingDecision {
    /// The rule that made the decision.
    #[must_use]
    pub const fn rule(&self) -> RuleId {
        match self {
            Self::Ring { rule, .. } | Self::Voicemail { rule, .. } => *rule,
            Self::Reject(rejection) => rejection.rule,
        }
    }
}

/// 404 for a number that is nobody's. A caller's carrier treats it as "no such number",
/// which is the truth for an unknown or deleted number.
const NOT_FOUND: Rejection = Rejection {
    status: 404,
    reason: "Not Found",
    rule: rule::R5_3,
};

/// 480 for a suspended account (R10.4). The number still belongs to the customer and works
/// again the moment the debt is paid (R10.D3), so the refusal must say "not reachable now",
/// not "does not exist" (404) nor "refused for good" (403 Forbidden, which callers' carriers
/// must not retry and which would tell the caller the number is barred).
const SUSPENDED: Rejection = Rejection {
    status: 480,
    reason: "Temporarily Unavailable",
    rule: rule::R10_4,
};

/// 404 for a free test whose hour is over (R8.D1). The number went back to stock and will
/// be sold again, so it is unknown to the caller rather than gone for good (410 Gone would
/// promise the number is never coming back).
const TRIAL_EXPIRED: Rejection = Rejection {
    status: 404,
    reason: "Not Found",
    rule: rule::R8_D1,
};

/// 480 for a number ordered but not yet connected (R1.2): it becomes reachable once the
/// carrier connects it.
const NOT_YET_CONNECTED: Rejection = Rejection {
    status: 480,
    reason: "Temporarily Unavailable",
    rule: rule::R1_2,
};

/// 480 for an active number with no forwarding saved (R5.3): nobody can take the call
/// until its owner configures where calls go.
const NOTHING_CONFIGURED: Rejection = Rejection {
    status: 480,
    reason: "Temporarily Unavailable",
    rule: rule::R5_3,
};

/// Decides how to handle a call to `number`.
///
/// Refusals: unknown or deleted numbers 404 (R5.3); a suspended account 480 (R10.4); an
/// expired trial 404 (R8.D1); a number not yet connected 480 (R1.2); an active number with
/// no forwarding 480 (R5.3). An active number rings its plan: one target (R5.3), all at
/// once (R4.4) or step by step with each step's ring time (R5.D2), then voicemail if
/// enabled (R4.5) after the total ring time.
#[must_use]
pub fn route_inbound(number: &InboundNumber<'_>, hosts: &SipHosts) -> RoutingDecision {
    let plan = match number.state {
        RoutingState::Unknown | RoutingState::Deleted => return RoutingDecision::Reject(NOT_FOUND),
        RoutingState::AccountSuspended => return RoutingDecision::Reject(SUSPENDED),
        RoutingState::TrialExpired => return RoutingDecision::Reject(TRIAL_EXPIRED),
        RoutingState::NotYetConnected => return RoutingDecision::Reject(NOT_YET_CONNECTED),
        RoutingState::Active => match number.plan {
            Some(plan) => plan,
            None => return RoutingDecision::Reject(NOTHING_CONFIGURED),
        },
    };
    let uri = |t: &crate::ForwardingTarget| t.request_uri(&hosts.domain, &hosts.gateway);
    let (branches, rule): (Vec<Branch>, RuleId) = match plan.strategy() {
        Strategy::VoicemailOnly => {
            return RoutingDecision::Voicemail {
                voicemail: VoicemailFallback {
                    after_seconds: 0,
                    greeting: number.greeting,
                },
                rule: rule::R4_5,
            };
        }
        Strategy::Single { target, ring } => (
            vec![Branch {
                uri: uri(target),
                step: 0,
                timeout_seconds: ring.seconds(),
            }],
            rule::R5_3,
        ),
        Strategy::Simultaneous { targets, ring } => (
            targets
                .iter()
                .map(|t| Branch {
                    uri: uri(t),
                    step: 0,
                    timeout_seconds: ring.seconds(),
                })
                .collect(),
            rule::R4_4,
        ),
        Strategy::Sequential { steps } => (
            steps
                .iter()
                .zip(0u16..)
                .map(|((t, ring), step)| Branch {
                    uri: uri(t),
                    step,
                    timeout_seconds: ring.seconds(),
                })
                .collect(),
            rule::R5_D2,
        ),
    };
    let voicemail = plan.voicemail().then(|| VoicemailFallback {
        after_seconds: total_ring_seconds(&branches),
        greeting: number.greeting,
    });
    RoutingDecision::Ring {
        branches,
        voicemail,
        rule,
    }
}

/// The time until the last step rings out: the sum over steps of each step's longest ring.
fn total_ring_seconds(branches: &[Branch]) -> u32 {
    let mut total = 0;
    let mut i = 0;
    while let Some(first) = branches.get(i) {
        let step = &branches[i..];
        let len = step.iter().take_while(|b| b.step == first.step).count();
        total += step[..len]
            .iter()
            .map(|b| b.timeout_seconds)
            .max()
            .unwrap_or(0);
        i += len;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ForwardingTarget, RingTime};

    fn hosts() -> SipHosts {
        SipHosts {
            domain: "sip.vnum.test".into(),
            gateway: "gw.vnum.test".into(),
        }
    }

    fn t(text: &str) -> ForwardingTarget {
        ForwardingTarget::parse(text).unwrap()
    }

    fn route(state: RoutingState, plan: Option<&ForwardingPlan>) -> RoutingDecision {
        route_inbound(
            &InboundNumber {
                state,
                plan,
                greeting: Some(GreetingId(7)),
            },
            &hosts(),
        )
    }

    fn rejection(decision: RoutingDecision) -> Rejection {
        match decision {
            RoutingDecision::Reject(r) => r,
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[test]
    fn refusals_carry_a_sip_status_and_their_rule() {
        let plan = ForwardingPlan::single(t("account:alice"));
        let cases = [
            (RoutingState::Unknown, 404, rule::R5_3),
            (RoutingState::Deleted, 404, rule::R5_3),
            (RoutingState::AccountSuspended, 480, rule::R10_4),
            (RoutingState::TrialExpired, 404, rule::R8_D1),
            (RoutingState::NotYetConnected, 480, rule::R1_2),
        ];
        for (state, status, rule) in cases {
            let r = rejection(route(state, Some(&plan)));
            assert_eq!((r.status, r.rule), (status, rule), "{state:?}");
        }
    }

    #[test]
    fn r10_4_a_suspended_number_rings_nothing_even_with_a_plan() {
        let plan = ForwardingPlan::single(t("account:alice"))
            .with_voicemail(true)
            .unwrap();
        let r = rejection(route(RoutingState::AccountSuspended, Some(&plan)));
        assert_eq!(r.reason, "Temporarily Unavailable");
    }

    #[test]
    fn r5_3_an_active_number_without_forwarding_is_unavailable() {
        let r = rejection(route(RoutingState::Active, None));
        assert_eq!((r.status, r.rule), (480, rule::R5_3));
    }

    #[test]
    fn r4_4_simultaneous_rings_both_in_one_step_then_voicemail() {
        let plan = ForwardingPlan::simultaneous(
            vec![t("+4915112345678"), t("account:alice")],
            RingTime::from_seconds(25).unwrap(),
        )
        .unwrap()
        .with_voicemail(true)
        .unwrap();
        let decision = route(RoutingState::Active, Some(&plan));
        assert_eq!(
            decision,
            RoutingDecision::Ring {
                branches: vec![
                    Branch {
                        uri: "sip:+4915112345678@gw.vnum.test;user=phone".into(),
                        step: 0,
                        timeout_seconds: 25
                    },
                    Branch {
                        uri: "sip:alice@sip.vnum.test".into(),
                        step: 0,
                        timeout_seconds: 25
                    },
                ],
                voicemail: Some(VoicemailFallback {
                    after_seconds: 25,
                    greeting: Some(GreetingId(7))
                }),
                rule: rule::R4_4,
            }
        );
    }

    #[test]
    fn r5_d1_sequential_rings_each_target_for_its_time_then_voicemail() {
        let plan = ForwardingPlan::sequential(vec![
            (t("account:alice"), RingTime::DEFAULT),
            (
                t("sip:bob@example.com"),
                RingTime::from_seconds(30).unwrap(),
            ),
        ])
        .unwrap()
        .with_voicemail(true)
        .unwrap();
        let RoutingDecision::Ring {
            branches,
            voicemail,
            rule,
        } = route(RoutingState::Active, Some(&plan))
        else {
            panic!("expected ringing");
        };
        assert_eq!(rule, rule::R5_D2);
        let shape: Vec<_> = branches
            .iter()
            .map(|b| (b.step, b.timeout_seconds))
            .collect();
        assert_eq!(shape, [(0, 20), (1, 30)]);
        assert_eq!(voicemail.map(|v| v.after_seconds), Some(50));
    }

    #[test]
    fn r4_5_without_voicemail_the_call_ends_when_nobody_answers() {
        let plan = ForwardingPlan::single(t("203.0.113.5:5060"));
        let RoutingDecision::Ring {
            branches,
            voicemail,
            ..
        } = route(RoutingState::Active, Some(&plan))
        else {
            panic!("expected ringing");
        };
        assert_eq!(branches[0].uri, "sip:203.0.113.5:5060");
        assert_eq!(voicemail, None);
    }

    #[test]
    fn r4_5_voicemail_only_answers_at_once_with_the_greeting() {
        let plan = ForwardingPlan::voicemail_only();
        assert_eq!(
            route(RoutingState::Active, Some(&plan)),
            RoutingDecision::Voicemail {
                voicemail: VoicemailFallback {
                    after_seconds: 0,
                    greeting: Some(GreetingId(7))
                },
                rule: rule::R4_5
            }
        );
    }
}
