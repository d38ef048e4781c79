//! Forwarding plans: which targets ring, in what order, and what happens when nobody
//! answers (R4.4, R4.5, R5.3, R5.D2).

use serde::{Deserialize, Serialize};

use crate::{CallsError, ForwardingTarget, SipLogin};

/// How long a target of a sequential plan rings before the next one is tried (R5.D2).
///
/// Invariant: 5 to 120 seconds. Below 5 s a phone barely rings once; above 120 s most
/// carriers give up on the call themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct RingTime(u32);

impl RingTime {
    /// The shortest ring time accepted.
    pub const MIN_SECONDS: u32 = 5;
    /// The longest ring time accepted.
    pub const MAX_SECONDS: u32 = 120;
    /// The default ring time of R5.D2: 20 seconds.
    pub const DEFAULT: Self = Self(20);

    /// A ring time of `seconds`.
    ///
    /// # Errors
    /// [`CallsError::RingTimeOutOfRange`] outside 5 to 120 seconds.
    pub const fn from_seconds(seconds: u32) -> Result<Self, CallsError> {
        if seconds >= Self::MIN_SECONDS && seconds <= Self::MAX_SECONDS {
            Ok(Self(seconds))
        } else {
            Err(CallsError::RingTimeOutOfRange(seconds))
        }
    }

    /// The seconds.
    #[must_use]
    pub const fn seconds(self) -> u32 {
        self.0
    }
}

impl Default for RingTime {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl TryFrom<u32> for RingTime {
    type Error = CallsError;
    fn try_from(value: u32) -> Result<Self, Self::Error> {
        Self::from_seconds(value)
    }
}

impl From<RingTime> for u32 {
    fn from(value: RingTime) -> Self {
        value.0
    }
}

/// How the targets of a plan ring (R4.4, R5.D2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Strategy {
    /// One target.
    Single {
        /// The target.
        target: ForwardingTarget,
        /// How long it rings before voicemail (or the end of the call).
        ring: RingTime,
    },
    /// All targets at once; the first to answer takes the call (R4.4).
    Simultaneous {
        /// The targets, two or more.
        targets: Vec<ForwardingTarget>,
        /// How long they ring before voicemail.
        ring: RingTime,
    },
    /// One target after the other, each for its own ring time (R4.4, R5.D2).
    Sequential {
        /// The steps in order, two or more.
        steps: Vec<(ForwardingTarget, RingTime)>,
    },
    /// No target: voicemail answers at once (R4.5). Valid only with voicemail on.
    VoicemailOnly,
}

/// The forwarding settings of one number (R5.3): a strategy and whether voicemail answers
/// when no target does (R4.5, R5.D2).
///
/// Invariant: a simultaneous or sequential plan has 2 to [`ForwardingPlan::MAX_TARGETS`]
/// targets and names no target twice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawPlan", into = "RawPlan")]
pub struct ForwardingPlan {
    strategy: Strategy,
    voicemail: bool,
}

#[derive(Serialize, Deserialize)]
struct RawPlan {
    strategy: Strategy,
    voicemail: bool,
}

impl TryFrom<RawPlan> for ForwardingPlan {
    type Error = CallsError;
    fn try_from(raw: RawPlan) -> Result<Self, Self::Error> {
        Self::new(raw.strategy, raw.voicemail)
    }
}

impl From<ForwardingPlan> for RawPlan {
    fn from(plan: ForwardingPlan) -> Self {
        Self {
            strategy: plan.strategy,
            voicemail: plan.voicemail,
        }
    }
}

impl ForwardingPlan {
    /// The most targets one plan may ring; more would only delay voicemail past what a
    /// caller waits for.
    pub const MAX_TARGETS: usize = 5;

    /// Forward to one target for the default ring time (R5.D2).
    #[must_use]
    pub fn single(target: ForwardingTarget) -> Self {
        Self {
            strategy: Strategy::Single {
                target,
                ring: RingTime::DEFAULT,
            },
            voicemail: false,
        }
    }

    /// The plan of a number the customer gave none (a free test's, R8 Decision): ring the
    /// customer's SIP accounts, at once when there are several (the first
    /// [`Self::MAX_TARGETS`], in the order given). `None` without an account.
    #[must_use]
    pub fn ring_accounts(logins: impl IntoIterator<Item = SipLogin>) -> Option<Self> {
        let mut targets: Vec<ForwardingTarget> = Vec::new();
        for login in logins {
            let target = ForwardingTarget::SipAccount(login);
            if !targets.contains(&target) && targets.len() < Self::MAX_TARGETS {
                targets.push(target);
            }
        }
        match targets.len() {
            0 => None,
            1 => targets.pop().map(Self::single),
            _ => Self::simultaneous(targets, RingTime::DEFAULT).ok(),
        }
    }

    /// Send every call to voicemail (R4.5).
    #[must_use]
    pub const fn voicemail_only() -> Self {
        Self {
            strategy: Strategy::VoicemailOnly,
            voicemail: true,
        }
    }

    /// Ring all `targets` at once (R4.4).
    ///
    /// # Errors
    /// See [`ForwardingPlan::new`].
    pub fn simultaneous(
        targets: Vec<ForwardingTarget>,
        ring: RingTime,
    ) -> Result<Self, CallsError> {
        Self::new(Strategy::Simultaneous { targets, ring }, false)
    }

    /// Ring the targets one after the other, each for its ring time (R4.4, R5.D2).
    ///
    /// # Errors
    /// See [`ForwardingPlan::new`].
    pub fn sequential(steps: Vec<(ForwardingTarget, RingTime)>) -> Result<Self, CallsError> {
        Self::new(Strategy::Sequential { steps }, false)
    }

    /// A plan of `strategy`, with voicemail when nobody answers if `voicemail` (R4.5).
    ///
    /// # Errors
    /// [`CallsError::TooFewTargets`], [`CallsError::TooManyTargets`] or
    /// [`CallsError::DuplicateTarget`] when a simultaneous or sequential plan breaks the
    /// invariant; [`CallsError::VoicemailOnlyWithoutVoicemail`] for a plan that would
    /// neither forward nor take a message.
    pub fn new(strategy: Strategy, voicemail: bool) -> Result<Self, CallsError> {
        let plan = Self {
            strategy,
            voicemail,
        };
        if matches!(plan.strategy, Strategy::VoicemailOnly) && !voicemail {
            return Err(CallsError::VoicemailOnlyWithoutVoicemail);
        }
        if matches!(
            plan.strategy,
            Strategy::Simultaneous { .. } | Strategy::Sequential { .. }
        ) {
            let targets = plan.targets();
            if targets.len() < 2 {
                return Err(CallsError::TooFewTargets(targets.len()));
            }
            if targets.len() > Self::MAX_TARGETS {
                return Err(CallsError::TooManyTargets {
                    given: targets.len(),
                    max: Self::MAX_TARGETS,
                });
            }
            for (i, t) in targets.iter().enumerate() {
                if targets[..i].contains(t) {
                    return Err(CallsError::DuplicateTarget((*t).to_string()));
                }
            }
        }
        Ok(plan)
    }

    /// The same plan with voicemail switched on or off (R4.5).
    ///
    /// # Errors
    /// [`CallsError::VoicemailOnlyWithoutVoicemail`] when switching voicemail off a
    /// voicemail-only plan.
    pub fn with_voicemail(self, voicemail: bool) -> Result<Self, CallsError> {
        Self::new(self.strategy, voicemail)
    }

    /// The strategy.
    #[must_use]
    pub const fn strategy(&self) -> &Strategy {
        &self.strategy
    }

    /// True when voicemail answers if no target does.
    #[must_use]
    pub const fn voicemail(&self) -> bool {
        self.voicemail
    }

    /// The targets in the order the plan names them.
    #[must_use]
    pub fn targets(&self) -> Vec<&ForwardingTarget> {
        match &self.strategy {
            Strategy::Single { target, .. } => vec![target],
            Strategy::Simultaneous { targets, .. } => targets.iter().collect(),
            Strategy::Sequential { steps } => steps.iter().map(|(t, _)| t).collect(),
            Strategy::VoicemailOnly => Vec::new(),
        }
    }

    /// Whether the plan rings the provider's SIP account `login`.
    #[must_use]
    pub fn rings_account(&self, login: &SipLogin) -> bool {
        self.targets()
            .into_iter()
            .any(|t| matches!(t, ForwardingTarget::SipAccount(l) if l == login))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> ForwardingTarget {
        ForwardingTarget::parse(text).unwrap()
    }

    #[test]
    fn r8_d2_a_number_without_a_plan_rings_the_customers_accounts() {
        let login = |text: &str| SipLogin::parse(text).unwrap();
        assert_eq!(ForwardingPlan::ring_accounts([]), None);
        assert_eq!(
            ForwardingPlan::ring_accounts([login("anna")]),
            Some(ForwardingPlan::single(t("account:anna")))
        );
        let many = ForwardingPlan::ring_accounts(
            ["anna", "desk", "anna", "bob1", "bob2", "bob3", "bob4"].map(login),
        )
        .unwrap();
        let targets: Vec<String> = many
            .targets()
            .into_iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            targets,
            [
                "account:anna",
                "account:desk",
                "account:bob1",
                "account:bob2",
                "account:bob3"
            ]
        );
        assert!(matches!(many.strategy(), Strategy::Simultaneous { .. }));
    }

    #[test]
    fn r5_d1_sequential_rings_default_to_20_seconds_and_stay_in_bounds() {
        assert_eq!(RingTime::default().seconds(), 20);
        assert!(RingTime::from_seconds(5).is_ok());
        assert!(RingTime::from_seconds(120).is_ok());
        let err = RingTime::from_seconds(4).unwrap_err().to_string();
        assert!(err.contains("5 to 120"), "{err}");
        assert!(RingTime::from_seconds(121).is_err());
    }

    #[test]
    fn r4_4_a_mobile_phone_and_a_sip_account_at_once_or_in_turn() {
        let both = vec![t("+4915112345678"), t("account:alice")];
        let at_once = ForwardingPlan::simultaneous(both.clone(), RingTime::DEFAULT).unwrap();
        assert_eq!(at_once.targets(), both.iter().collect::<Vec<_>>());
        let in_turn = ForwardingPlan::sequential(vec![
            (both[0].clone(), RingTime::from_seconds(15).unwrap()),
            (both[1].clone(), RingTime::DEFAULT),
        ])
        .unwrap();
        assert_eq!(in_turn.targets().len(), 2);
    }

    #[test]
    fn r4_4_plans_of_one_repeated_or_too_many_targets_are_refused() {
        assert_eq!(
            ForwardingPlan::simultaneous(vec![t("account:alice")], RingTime::DEFAULT),
            Err(CallsError::TooFewTargets(1))
        );
        let err = ForwardingPlan::simultaneous(
            vec![t("account:alice"), t("account:alice")],
            RingTime::DEFAULT,
        )
        .unwrap_err();
        assert_eq!(err, CallsError::DuplicateTarget("account:alice".into()));
        let six = (0..6)
            .map(|i| (t(&format!("account:user{i}")), RingTime::DEFAULT))
            .collect();
        assert!(matches!(
            ForwardingPlan::sequential(six),
            Err(CallsError::TooManyTargets { given: 6, max: 5 })
        ));
    }

    #[test]
    fn r4_5_voicemail_only_needs_voicemail() {
        assert!(ForwardingPlan::voicemail_only().voicemail());
        assert_eq!(
            ForwardingPlan::voicemail_only().with_voicemail(false),
            Err(CallsError::VoicemailOnlyWithoutVoicemail)
        );
    }

    #[test]
    fn serde_validates_plans_on_the_way_in() {
        let plan = ForwardingPlan::single(t("account:alice"))
            .with_voicemail(true)
            .unwrap();
        let json = serde_json::to_string(&plan).unwrap();
        assert_eq!(serde_json::from_str::<ForwardingPlan>(&json).unwrap(), plan);
        let bad = r#"{"strategy":{"kind":"simultaneous","targets":["account:alice"],"ring":20},"voicemail":false}"#;
        assert!(serde_json::from_str::<ForwardingPlan>(bad).is_err());
    }
}
