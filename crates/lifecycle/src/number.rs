//! The lifecycle of a rented number (R1, R2, R10.4, R10.D3).

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use vnum_billing::ServiceState;
use vnum_compliance::DocumentCheck;
use vnum_core::rule::{self, RuleId};
use vnum_core::{Money, PhoneNumber};

/// Where a rented number stands in its own lifecycle.
///
/// ```text
/// Ordered ─DocumentsRequired─▶ AwaitingDocuments ─DocumentsAccepted─▶ Provisioning
///    └──────────ProvisioningStarted──────────────────────────────────▶ Provisioning
/// Provisioning ─Connected─▶ Active ─Deleted─▶ Deleted (final)
/// Ordered | AwaitingDocuments | Provisioning ─ProvisioningFailed─▶ ProvisioningFailed (final)
/// any state but Deleted ─Deleted─▶ Deleted
/// ```
///
/// Suspension is not a state of the number: it belongs to the account and is derived from
/// its balance (R10.D3), so [`NumberStatus::of`] combines this state with the account's
/// [`ServiceState`] to show `Active` or `Suspended`. Free trials and one-shot SMS numbers
/// have lifecycles of their own ([`crate::Trial`], `vnum-sms`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NumberState {
    /// Paid and accepted (R1.4); nothing asked of the carrier yet.
    Ordered,
    /// The carrier needs end-user documents before connecting (R3.1).
    AwaitingDocuments,
    /// The carrier is connecting the number (R2).
    Provisioning,
    /// Connected: the concrete number is known (R1.2) and its connection day anchors every
    /// monthly charge (R10.2).
    Active {
        /// The number the carrier connected.
        number: PhoneNumber,
        /// The connection day, in the billing time zone (R10.2, R10.D2).
        connected_on: NaiveDate,
    },
    /// Deleted by the customer or the provider; final, it never comes back.
    Deleted {
        /// The number, if it had been connected.
        number: Option<PhoneNumber>,
        /// The day it was deleted.
        deleted_on: NaiveDate,
    },
    /// Paid, but the carrier could not provide it; final. Its money went back to the
    /// balance (R1.D3).
    ProvisioningFailed {
        /// Why, in the carrier's or the operator's words.
        reason: String,
        /// The day it failed.
        failed_on: NaiveDate,
    },
}

/// Something that happens to a rented number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NumberEvent {
    /// The offer's carrier needs documents from the end user (R3.1).
    DocumentsRequired,
    /// All required documents were accepted (R2.2, R3.D1).
    DocumentsAccepted,
    /// The order went to the carrier without documents (R2.1, R2.3).
    ProvisioningStarted,
    /// The carrier connected `number` on `on` (R1.2: the number is known only now).
    Connected {
        /// The concrete number.
        number: PhoneNumber,
        /// The connection day.
        on: NaiveDate,
    },
    /// The number is deleted (R10.7), or the order is cancelled before connection.
    Deleted {
        /// The day of deletion.
        on: NaiveDate,
    },
    /// The carrier cannot provide the number (R1.D3).
    ProvisioningFailed {
        /// Why.
        reason: String,
        /// The day it failed.
        on: NaiveDate,
    },
}

/// The name of a [`NumberState`], without its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NumberStateName {
    /// [`NumberState::Ordered`].
    Ordered,
    /// [`NumberState::AwaitingDocuments`].
    AwaitingDocuments,
    /// [`NumberState::Provisioning`].
    Provisioning,
    /// [`NumberState::Active`].
    Active,
    /// [`NumberState::Deleted`].
    Deleted,
    /// [`NumberState::ProvisioningFailed`].
    ProvisioningFailed,
}

impl fmt::Display for NumberStateName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ordered => "ordered",
            Self::AwaitingDocuments => "awaiting documents",
            Self::Provisioning => "being connected",
            Self::Active => "active",
            Self::Deleted => "deleted",
            Self::ProvisioningFailed => "failed",
        })
    }
}

/// The name of a [`NumberEvent`], without its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NumberEventName {
    /// [`NumberEvent::DocumentsRequired`].
    DocumentsRequired,
    /// [`NumberEvent::DocumentsAccepted`].
    DocumentsAccepted,
    /// [`NumberEvent::ProvisioningStarted`].
    ProvisioningStarted,
    /// [`NumberEvent::Connected`].
    Connected,
    /// [`NumberEvent::Deleted`].
    Deleted,
    /// [`NumberEvent::ProvisioningFailed`].
    ProvisioningFailed,
}

impl fmt::Display for NumberEventName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::DocumentsRequired => "ask for documents for",
            Self::DocumentsAccepted => "accept documents for",
            Self::ProvisioningStarted => "start connecting",
            Self::Connected => "connect",
            Self::Deleted => "delete",
            Self::ProvisioningFailed => "fail to provide",
        })
    }
}

/// An event the number's state does not allow.
///
/// The state is handed back unchanged, so a refused event never loses a number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {event} a number that is {}", .state.name())]
pub struct TransitionError {
    /// The state the number is still in.
    pub state: NumberState,
    /// The event that was refused.
    pub event: NumberEventName,
}

/// The rule a refused event breaks: each event belongs to the rule that allows it.
impl vnum_core::rule::RuleError for TransitionError {
    fn rule(&self) -> RuleId {
        match self.event {
            NumberEventName::DocumentsRequired | NumberEventName::DocumentsAccepted => rule::R3_1,
            NumberEventName::ProvisioningStarted => rule::R2_1,
            NumberEventName::Connected => rule::R1_2,
            NumberEventName::Deleted => rule::R10_7,
            NumberEventName::ProvisioningFailed => rule::R1_D3,
        }
    }
}

impl NumberEvent {
    /// The first step of a number just ordered (R1.4): straight to provisioning when the
    /// customer's `documents` for the offer are complete, accepted ones reused (R2.1,
    /// R3.D1), otherwise waiting for documents (R2.2, R3.1).
    #[must_use]
    pub fn after_order(documents: &DocumentCheck) -> Self {
        if documents.is_complete() {
            Self::ProvisioningStarted
        } else {
            Self::DocumentsRequired
        }
    }

    /// The event's name.
    #[must_use]
    pub const fn name(&self) -> NumberEventName {
        match self {
            Self::DocumentsRequired => NumberEventName::DocumentsRequired,
            Self::DocumentsAccepted => NumberEventName::DocumentsAccepted,
            Self::ProvisioningStarted => NumberEventName::ProvisioningStarted,
            Self::Connected { .. } => NumberEventName::Connected,
            Self::Deleted { .. } => NumberEventName::Deleted,
            Self::ProvisioningFailed { .. } => NumberEventName::ProvisioningFailed,
        }
    }
}

impl NumberState {
    /// The state's name.
    #[must_use]
    pub const fn name(&self) -> NumberStateName {
        match self {
            Self::Ordered => NumberStateName::Ordered,
            Self::AwaitingDocuments => NumberStateName::AwaitingDocuments,
            Self::Provisioning => NumberStateName::Provisioning,
            Self::Active { .. } => NumberStateName::Active,
            Self::Deleted { .. } => NumberStateName::Deleted,
            Self::ProvisioningFailed { .. } => NumberStateName::ProvisioningFailed,
        }
    }

    /// The concrete number, once connected (R1.2).
    #[must_use]
    pub const fn number(&self) -> Option<&PhoneNumber> {
        match self {
            Self::Active { number, .. } => Some(number),
            Self::Deleted { number, .. } => number.as_ref(),
            _ => None,
        }
    }

    /// The state after `event`.
    ///
    /// # Errors
    /// [`TransitionError`] naming the state (returned unchanged) and the event when the
    /// lifecycle does not allow it; a deleted number accepts no event at all.
    pub fn apply(self, event: NumberEvent) -> Result<Self, TransitionError> {
        match (self, event) {
            (Self::Ordered, NumberEvent::DocumentsRequired) => Ok(Self::AwaitingDocuments),
            (Self::Ordered, NumberEvent::ProvisioningStarted)
            | (Self::AwaitingDocuments, NumberEvent::DocumentsAccepted) => Ok(Self::Provisioning),
            (Self::Provisioning, NumberEvent::Connected { number, on }) => Ok(Self::Active {
                number,
                connected_on: on,
            }),
            (
                Self::Ordered | Self::AwaitingDocuments | Self::Provisioning,
                NumberEvent::Deleted { on },
            ) => Ok(Self::Deleted {
                number: None,
                deleted_on: on,
            }),
            (Self::Active { number, .. }, NumberEvent::Deleted { on }) => Ok(Self::Deleted {
                number: Some(number),
                deleted_on: on,
            }),
            (
                Self::Ordered | Self::AwaitingDocuments | Self::Provisioning,
                NumberEvent::ProvisioningFailed { reason, on },
            ) => Ok(Self::ProvisioningFailed {
                reason,
                failed_on: on,
            }),
            (state, event) => Err(TransitionError {
                state,
                event: event.name(),
            }),
        }
    }
}

/// What a customer sees of a number: its own state combined with the account's standing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum NumberStatus {
    /// Ordered, waiting for documents or being connected.
    Pending(NumberStateName),
    /// Connected and served.
    Active,
    /// Connected, still the customer's, but not served while the balance is negative
    /// (R10.4); it works again the moment the debt is paid (R10.D3).
    Suspended,
    /// Deleted.
    Deleted,
    /// The carrier could not provide it; its money went back (R1.D3).
    Failed,
}

/// Whether calls and SMS to a number are delivered, and the rule that decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Routing {
    /// True when calls and SMS are delivered.
    pub routable: bool,
    /// The rule that decided.
    pub rule: RuleId,
}

impl NumberStatus {
    /// The status of a number in `state` on an account in `standing` (R10.D3).
    #[must_use]
    pub const fn of(state: &NumberState, standing: ServiceState) -> Self {
        match (state, standing) {
            (NumberState::Active { .. }, ServiceState::Active) => Self::Active,
            (NumberState::Active { .. }, ServiceState::Suspended) => Self::Suspended,
            (NumberState::Deleted { .. }, _) => Self::Deleted,
            (NumberState::ProvisioningFailed { .. }, _) => Self::Failed,
            (pending, _) => Self::Pending(pending.name()),
        }
    }

    /// Whether calls and SMS to the number are delivered: only an active number of an
    /// account in good standing is served (R10.4, R10.D3); a number not yet connected has no
    /// route (R1.2); a deleted one never again.
    #[must_use]
    pub const fn routing(self) -> Routing {
        let (routable, rule) = match self {
            Self::Active => (true, rule::R10_D3),
            Self::Suspended => (false, rule::R10_4),
            Self::Pending(_) => (false, rule::R1_2),
            Self::Deleted => (false, rule::R10_7),
            Self::Failed => (false, rule::R1_D3),
        };
        Routing { routable, rule }
    }

    /// Whether an SMS to the number is delivered: as for calls, only an active number of an
    /// account in good standing receives one (R10.4, R10.D3).
    ///
    /// # Errors
    /// [`NotServed`], naming the status and its rule, for any other status.
    pub const fn receive_sms(self) -> Result<(), NotServed> {
        if self.routing().routable {
            Ok(())
        } else {
            Err(NotServed { status: self })
        }
    }

    /// What the call router is told about a number in this status: served while active; in
    /// debt it rejects calls with R10.4; not yet connected it has no route (R1.2); deleted or
    /// failed, it is no number of ours any more.
    #[must_use]
    pub const fn routing_state(self) -> vnum_calls::RoutingState {
        use vnum_calls::RoutingState;
        match self {
            Self::Active => RoutingState::Active,
            Self::Suspended => RoutingState::AccountSuspended,
            Self::Pending(_) => RoutingState::NotYetConnected,
            Self::Deleted | Self::Failed => RoutingState::Deleted,
        }
    }
}

/// A number that takes no calls and no SMS in its status: in debt (R10.4), not yet
/// connected (R1.2), deleted (R10.7) or never provided (R1.D3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.reason())]
pub struct NotServed {
    /// The number's status.
    pub status: NumberStatus,
}

impl NotServed {
    const fn reason(&self) -> &'static str {
        match self.status {
            NumberStatus::Suspended => {
                "the account's balance is below zero: its numbers receive no calls and no SMS \
                 until a payment brings it to zero or above"
            }
            NumberStatus::Pending(_) => {
                "the number is not connected yet: it receives calls and SMS once the carrier \
                 has connected it"
            }
            NumberStatus::Deleted => "the number was deleted: it receives nothing any more",
            NumberStatus::Failed => "the carrier could not provide the number",
            NumberStatus::Active => "the number is served",
        }
    }
}

impl vnum_core::rule::RuleError for NotServed {
    fn rule(&self) -> RuleId {
        self.status.routing().rule
    }
}

/// What a carrier reports about a number it was asked to connect (R2, R1.D3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CarrierOutcome {
    /// It connected the number.
    Connected(PhoneNumber),
    /// It cannot provide the number, for the reason given.
    Failed(String),
}

/// How a carrier's report meets the number's state. A carrier may report one outcome many
/// times (a callback retried after a lost answer); only the first changes anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutcomeFit {
    /// The number waits for this report: apply it.
    Apply,
    /// The same outcome was applied already: change nothing, answer as before.
    AlreadyApplied,
    /// The report contradicts what happened (another number connected, a failure after
    /// the connection, a number never sent to the carrier or deleted): refuse it.
    Contradicts,
}

impl NumberState {
    /// How `outcome` meets this state (R2, R1.D3).
    #[must_use]
    pub fn meets(&self, outcome: &CarrierOutcome) -> OutcomeFit {
        match (self, outcome) {
            (Self::Provisioning, _) => OutcomeFit::Apply,
            (Self::Active { number, .. }, CarrierOutcome::Connected(reported))
                if number == reported =>
            {
                OutcomeFit::AlreadyApplied
            }
            (Self::ProvisioningFailed { .. }, CarrierOutcome::Failed(_)) => {
                OutcomeFit::AlreadyApplied
            }
            _ => OutcomeFit::Contradicts,
        }
    }
}

/// Whether a number in `state` on an account with `balance` receives calls and SMS
/// (R10.4, R10.D3).
#[must_use]
pub fn routing(state: &NumberState, balance: Money) -> Routing {
    NumberStatus::of(state, ServiceState::of_balance(balance)).routing()
}

#[cfg(test)]
mod routing_state_tests {
    use vnum_calls::RoutingState;

    use super::{NumberStateName, NumberStatus};

    #[test]
    fn r10_4_only_an_active_number_of_an_account_in_good_standing_receives_sms() {
        use vnum_core::rule::{self, RuleError};
        assert_eq!(NumberStatus::Active.receive_sms(), Ok(()));
        for (status, expected) in [
            (NumberStatus::Suspended, rule::R10_4),
            (
                NumberStatus::Pending(NumberStateName::Provisioning),
                rule::R1_2,
            ),
            (NumberStatus::Deleted, rule::R10_7),
            (NumberStatus::Failed, rule::R1_D3),
        ] {
            let refused = status.receive_sms().expect_err("not served");
            assert_eq!(refused.rule(), expected, "{status:?}");
            assert!(!refused.to_string().is_empty());
        }
    }

    #[test]
    fn the_router_is_told_what_each_status_means_for_calls() {
        // R10.D3 served; R10.4 in debt; R1.2 not yet connected; deleted or failed: gone.
        for (status, expected) in [
            (NumberStatus::Active, RoutingState::Active),
            (NumberStatus::Suspended, RoutingState::AccountSuspended),
            (
                NumberStatus::Pending(NumberStateName::Provisioning),
                RoutingState::NotYetConnected,
            ),
            (NumberStatus::Deleted, RoutingState::Deleted),
            (NumberStatus::Failed, RoutingState::Deleted),
        ] {
            assert_eq!(status.routing_state(), expected, "{status:?}");
        }
        // The router serves exactly the numbers the lifecycle calls routable.
        for status in [
            NumberStatus::Active,
            NumberStatus::Suspended,
            NumberStatus::Pending(NumberStateName::Ordered),
            NumberStatus::Deleted,
            NumberStatus::Failed,
        ] {
            assert_eq!(
                status.routing().routable,
                status.routing_state() == RoutingState::Active,
                "{status:?}"
            );
        }
    }
}

#[cfg(test)]
mod carrier_outcome_tests {
    use chrono::NaiveDate;
    use vnum_core::PhoneNumber;

    use super::{CarrierOutcome, NumberState, OutcomeFit};

    #[test]
    fn r2_a_carrier_report_applies_once_and_a_contradicting_one_is_refused() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default();
        let connected = PhoneNumber::parse("+4930123456").ok();
        let other = PhoneNumber::parse("+4930123457").ok();
        let (Some(connected), Some(other)) = (connected, other) else {
            panic!("valid test numbers");
        };
        let active = NumberState::Active {
            number: connected.clone(),
            connected_on: day,
        };
        let failed = NumberState::ProvisioningFailed {
            reason: "no stock".into(),
            failed_on: day,
        };
        let deleted = NumberState::Deleted {
            number: None,
            deleted_on: day,
        };
        let same = CarrierOutcome::Connected(connected);
        let another = CarrierOutcome::Connected(other);
        let failure = CarrierOutcome::Failed("no stock".into());
        let cases = [
            (&NumberState::Provisioning, &same, OutcomeFit::Apply),
            (&NumberState::Provisioning, &failure, OutcomeFit::Apply),
            (&active, &same, OutcomeFit::AlreadyApplied),
            (&active, &another, OutcomeFit::Contradicts),
            (&active, &failure, OutcomeFit::Contradicts),
            (&failed, &failure, OutcomeFit::AlreadyApplied),
            (&failed, &same, OutcomeFit::Contradicts),
            (&deleted, &same, OutcomeFit::Contradicts),
            (&NumberState::Ordered, &same, OutcomeFit::Contradicts),
            (
                &NumberState::AwaitingDocuments,
                &failure,
                OutcomeFit::Contradicts,
            ),
        ];
        for (state, outcome, fit) in cases {
            assert_eq!(state.meets(outcome), fit, "{state:?} meets {outcome:?}");
        }
    }
}
