//! What the SIP engine asks for each call: where an inbound call rings (R4, R5, R10.4,
//! R8) and what an outgoing call presents (R6).

use chrono::TimeDelta;
use serde::Serialize;
use vnum_billing::ServiceState;
use vnum_calls::{
    CallerId, ForwardingPlan, InboundNumber, Rate, RoutingDecision, RoutingState, SipHosts,
    route_inbound,
};
use vnum_core::rule::RuleError;
use vnum_core::{NumberId, PhoneNumber, RuleId, TrialId};
use vnum_lifecycle::NumberStatus;

use crate::model::NumberRecord;
use crate::{Error, Vnum};

/// What an outgoing call from a SIP account presents (R6), and whether it may be made and
/// for how long (R6.D2).
#[derive(Clone, Debug, Serialize)]
pub struct OutboundDecision {
    /// The account that calls.
    pub login: String,
    /// The rented number the call is recorded against (R4.6): the one the account
    /// presents when it is live, or else a live number of the account's owner; none when
    /// the owner has none (the call is then refused, R5.1).
    pub number: Option<NumberId>,
    /// The number presented, or withheld, and the rule that decided.
    pub caller_id: CallerId,
    /// Whether the call may be made, and for how long.
    pub call_out: CallOut,
}

/// Whether a call out may be made (R6.D2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CallOut {
    /// The balance pays for up to `max_seconds` at `rate`.
    Allowed {
        /// The longest the call may last, in seconds: the engine ends it then.
        max_seconds: u32,
        /// The rate of the destination.
        rate: Rate,
    },
    /// The call is refused.
    Refused {
        /// The rule that refused: R10.4 in debt, R6.D2 without a rate or without the
        /// first increment, R5.1 without a number to record it against.
        rule: RuleId,
        /// Why, in words the caller can read.
        reason: String,
        /// True when money is the reason (in debt, or the first increment not paid for):
        /// a payment would let the call through.
        unpaid: bool,
    },
}

/// How to route one inbound call, and which rented number it is for.
#[derive(Clone, Debug, Serialize)]
pub struct InboundRoute {
    /// The rented number dialled, when it is one: call records name it (R4.6). A free
    /// test's number (R8) or an unknown number has none.
    pub number: Option<NumberId>,
    /// The free test whose number was dialled, when it is one: its calls are recorded
    /// against the test (R8 Decision).
    pub trial: Option<TrialId>,
    /// Ring, voicemail or reject, and the rule that decided.
    pub decision: RoutingDecision,
    /// How long the decision holds by time alone: until a free test's hour ends (R8.1,
    /// R8.D1). `None` when only a change to the number, its owner's SIP accounts or their
    /// balance can change it (the engine may keep it until it is told of such a change).
    pub stable_for: Option<TimeDelta>,
}

impl Vnum {
    /// How to route a call to `dialled` (the SIP engine asks for every inbound call): the
    /// branches to ring, voicemail, or a rejection with its SIP status and rule. A number
    /// whose account is in debt rejects calls (R10.4). A free test's number rings the
    /// customer's SIP accounts during its hour (R8 Decision) and rejects calls after it
    /// (R8.D1). The answer names the rented number, so that the engine can report
    /// the call (R4.6).
    ///
    /// # Errors
    /// [`Error::Store`] when storage fails.
    pub async fn route_inbound(&self, dialled: &PhoneNumber) -> Result<InboundRoute, Error> {
        let hosts = SipHosts {
            domain: self.config.sip_domain.clone(),
            gateway: self.config.sip_gateway.clone(),
        };
        let mut tx = self.ports.store.read().await?;
        let Some(number) = tx.number_by_e164(dialled).await? else {
            // A free test's number rings where the customer set it, or the customer's SIP
            // accounts, during its hour (R8 Decision), and is rejected after it (R8.D1).
            let Some(trial) = super::trials::lent_for_trial(&mut *tx, dialled).await? else {
                return Ok(InboundRoute {
                    number: None,
                    trial: None,
                    decision: route_inbound(
                        &InboundNumber {
                            state: RoutingState::Unknown,
                            plan: None,
                            greeting: None,
                        },
                        &hosts,
                    ),
                    stable_for: None,
                });
            };
            let plan = match trial.forwarding() {
                Some(plan) => Some(plan.clone()),
                None => ForwardingPlan::ring_accounts(
                    tx.sip_accounts_of(trial.customer())
                        .await?
                        .into_iter()
                        .map(|a| a.account.login().clone()),
                ),
            };
            // A free test is no reason to ring for an account in debt (R10.4).
            let now = self.ports.clock.now();
            let state = match trial.routing_state(now) {
                RoutingState::Active
                    if ServiceState::of_balance(tx.balance(trial.customer()).await?)
                        == ServiceState::Suspended =>
                {
                    RoutingState::AccountSuspended
                }
                state => state,
            };
            let inbound = InboundNumber {
                state,
                plan: plan.as_ref(),
                greeting: None,
            };
            return Ok(InboundRoute {
                number: None,
                trial: Some(trial.id()),
                decision: route_inbound(&inbound, &hosts),
                stable_for: trial.routing_changes_at(now).map(|at| at - now),
            });
        };
        let balance = tx.balance(number.customer).await?;
        let state =
            NumberStatus::of(&number.state, ServiceState::of_balance(balance)).routing_state();
        let inbound = vnum_calls::InboundNumber {
            state,
            plan: number.settings.forwarding.as_ref(),
            greeting: number.settings.greetings.active(),
        };
        Ok(InboundRoute {
            number: Some(number.id),
            trial: None,
            decision: route_inbound(&inbound, &hosts),
            stable_for: None,
        })
    }

    /// What an outgoing call from a SIP account to `destination` presents (R6.1–R6.3): the
    /// rented number only with the CallerID add-on and only to its own country; and whether
    /// it may be made (R6.D2): refused in debt (R10.4), to a destination without a rate in
    /// the account's currency, or when the balance cannot pay the first increment, and
    /// otherwise allowed for as long as the balance pays. The call is recorded against the
    /// presented number when it is live, or else the owner's first live number; an owner
    /// without one is refused (R5.1).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown login.
    pub async fn authorize_outbound(
        &self,
        login: &str,
        destination: &PhoneNumber,
    ) -> Result<OutboundDecision, Error> {
        let mut tx = self.ports.store.read().await?;
        let account = tx
            .sip_account_by_login(login)
            .await?
            .ok_or_else(|| Error::not_found("SIP account", login))?;
        let presented = match account.presents {
            Some(id) => tx.number(id).await?.filter(NumberRecord::is_live),
            None => None,
        };
        let caller_id = match presented.as_ref().and_then(|n| n.e164().map(|e| (n, e))) {
            Some((number, e164)) => {
                vnum_calls::caller_id(e164, number.settings.caller_id, destination)
            }
            None => CallerId::Withheld {
                rule: vnum_core::rule::R6_2,
            },
        };
        let owner = account.account.owner();
        let recorded = match presented {
            Some(number) => Some(number.id),
            None => tx
                .numbers_of(owner)
                .await?
                .into_iter()
                .find(NumberRecord::is_live)
                .map(|n| n.id),
        };
        let call_out = if recorded.is_none() {
            CallOut::Refused {
                rule: vnum_core::rule::R5_1,
                reason: format!(
                    "the owner of {login} has no live number to make the call from: buy a number first"
                ),
                unpaid: false,
            }
        } else {
            let balance = tx.balance(owner).await?;
            let table =
                super::rates::rate_table_for(&mut *tx, destination, balance.currency()).await?;
            match vnum_calls::authorize_call_out(
                &table,
                destination,
                balance,
                self.ports.clock.now(),
            ) {
                Ok(allowed) => CallOut::Allowed {
                    max_seconds: allowed.max_seconds,
                    rate: allowed.rate,
                },
                Err(refused) => CallOut::Refused {
                    rule: refused.rule(),
                    reason: refused.to_string(),
                    unpaid: matches!(
                        refused,
                        vnum_calls::CallOutError::InDebt { .. }
                            | vnum_calls::CallOutError::FirstIncrementNotCovered { .. }
                    ),
                },
            }
        };
        Ok(OutboundDecision {
            login: login.to_owned(),
            number: recorded,
            caller_id,
            call_out,
        })
    }
}
