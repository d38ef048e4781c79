//! A rented number on the wire, with its forwarding plan and greetings: numbers, orders,
//! greetings and free tests answer it or parts of it.

use crate::money::MoneyBody;
use crate::problem::{ApiResult, field_problem};
use chrono::NaiveDate;
use poem_openapi::{Enum, Object};
use serde::Serialize;
use vnum_app::NumberView;
use vnum_app::model::{Billing, NumberRecord};
use vnum_calls::{ForwardingPlan, ForwardingTarget, RingTime, Strategy};
use vnum_compliance::EndUser;
use vnum_core::{CustomerId, GreetingId, NumberId};
use vnum_lifecycle::{NumberState, ReadyBy};

/// Where a number stands (R2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum, Serialize)]
#[oai(rename = "NumberState", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub(crate) enum State {
    /// Paid; nothing asked of the carrier yet.
    Ordered,
    /// The carrier needs end-user documents first (R3.1).
    AwaitingDocuments,
    /// The carrier is connecting it (R2).
    Provisioning,
    /// Connected: the concrete number is known (R1.2).
    Active,
    /// Deleted; final.
    Deleted,
    /// Paid, but the carrier could not provide it; its money went back to the balance
    /// (R1.D3). Final.
    ProvisioningFailed,
}

/// Who uses a number, for the carriers' document requirements (R3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum, Serialize)]
#[oai(rename = "EndUser", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub(crate) enum EndUserKind {
    /// A private person.
    Personal,
    /// A company or a sole trader.
    Business,
}

impl From<EndUserKind> for EndUser {
    fn from(kind: EndUserKind) -> Self {
        match kind {
            EndUserKind::Personal => Self::Personal,
            EndUserKind::Business => Self::Business,
        }
    }
}

impl From<EndUser> for EndUserKind {
    fn from(end_user: EndUser) -> Self {
        match end_user {
            EndUser::Personal => Self::Personal,
            EndUser::Business => Self::Business,
        }
    }
}

/// How a connected number is billed (R10.2).
#[derive(Clone, Debug, Object, Serialize)]
#[oai(rename = "NumberBilling")]
pub(crate) struct BillingBody {
    /// The day of the month it is charged, the day of the connection (R10.2).
    pub(crate) connection_day: u32,
    /// The day it was connected, in the billing time zone.
    pub(crate) connected_on: NaiveDate,
    /// The first day not paid for yet.
    pub(crate) paid_through: NaiveDate,
    /// What each month costs: the offer's fee plus active add-ons.
    pub(crate) monthly_fee: MoneyBody,
    /// False once the customer set it not to renew (R10.7): it is not charged again and is
    /// released at the end of its paid period.
    pub(crate) renews: bool,
    /// For a number that does not renew: the day it is released, the first day not paid
    /// for (a prepaid term included, R10.7). Absent while it renews.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ends_on: Option<NaiveDate>,
}

impl From<Billing> for BillingBody {
    fn from(billing: Billing) -> Self {
        Self {
            connection_day: billing.anchor_day.get(),
            connected_on: billing.connected_on,
            paid_through: billing.paid_through,
            monthly_fee: billing.monthly_fee.into(),
            renews: billing.renewal_stopped_on.is_none(),
            // Only past the supported calendar is there no day to say.
            ends_on: billing.number_billing().ends_on().ok().flatten(),
        }
    }
}

/// When a pending number is expected to be ready (R2.3, R2.D1).
#[derive(Clone, Debug, Object, Serialize)]
#[oai(rename = "ReadyBy")]
pub(crate) struct ReadyByBody {
    /// The first day it may be ready; absent while documents are awaited.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) earliest: Option<NaiveDate>,
    /// The ready-by date; absent while documents are awaited.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) latest: Option<NaiveDate>,
    /// True when the clock starts only once the documents are accepted (R2.2).
    pub(crate) when_documents_accepted: bool,
    /// The rule that set it.
    pub(crate) rule: String,
}

impl From<ReadyBy> for ReadyByBody {
    fn from(ready_by: ReadyBy) -> Self {
        match ready_by {
            ReadyBy::Between {
                earliest,
                latest,
                rule,
            } => Self {
                earliest: Some(earliest),
                latest: Some(latest),
                when_documents_accepted: false,
                rule: rule.as_str().to_owned(),
            },
            ReadyBy::WhenDocumentsAccepted { rule } => Self {
                earliest: None,
                latest: None,
                when_documents_accepted: true,
                rule: rule.as_str().to_owned(),
            },
        }
    }
}

/// How the targets of a plan ring (R4.4, R5.D1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum, Serialize)]
#[oai(rename = "ForwardingStrategy", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub(crate) enum StrategyKind {
    /// One target.
    Single,
    /// All targets at once; the first to answer takes the call.
    Simultaneous,
    /// One after the other, each for its own ring time.
    Sequential,
    /// No target: voicemail answers at once (R4.5).
    VoicemailOnly,
}

/// One forwarding target.
#[derive(Clone, Debug, Object, Serialize)]
#[oai(rename = "ForwardingTarget")]
pub(crate) struct TargetBody {
    /// `account:alice` (a SIP account of yours), `sip:bob@example.com`,
    /// `203.0.113.5:5060` (your server) or `+4930123456` (a phone number).
    pub(crate) target: String,
    /// For sequential plans: how long this target rings, 5 to 120 seconds (default 20).
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ring_seconds: Option<u32>,
}

/// A number's forwarding plan (R5.3).
#[derive(Clone, Debug, Object, Serialize)]
#[oai(rename = "ForwardingPlan")]
pub(crate) struct PlanBody {
    /// How the targets ring.
    pub(crate) strategy: StrategyKind,
    /// The targets: one for `single`, 2 to 5 for the others, none for `voicemail_only`.
    #[oai(default, validator(max_items = 5))]
    pub(crate) targets: Vec<TargetBody>,
    /// For single and simultaneous plans: how long they ring, 5 to 120 seconds (default 20).
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ring_seconds: Option<u32>,
    /// Whether voicemail answers when no target does (R4.5).
    #[oai(default)]
    pub(crate) voicemail: bool,
}

pub(crate) fn ring(field: &str, seconds: Option<u32>) -> ApiResult<RingTime> {
    seconds.map_or(Ok(RingTime::DEFAULT), |s| {
        RingTime::from_seconds(s).map_err(|e| field_problem(field, e))
    })
}

impl PlanBody {
    pub(crate) fn into_plan(self) -> ApiResult<ForwardingPlan> {
        let parse = |t: &TargetBody| {
            ForwardingTarget::parse(&t.target).map_err(|e| field_problem("targets", e))
        };
        let strategy = match self.strategy {
            StrategyKind::Single => {
                let [target] = self.targets.as_slice() else {
                    return Err(field_problem(
                        "targets",
                        "a single plan has exactly one target",
                    ));
                };
                Strategy::Single {
                    target: parse(target)?,
                    ring: ring("ring_seconds", self.ring_seconds)?,
                }
            }
            StrategyKind::Simultaneous => Strategy::Simultaneous {
                targets: self.targets.iter().map(parse).collect::<ApiResult<_>>()?,
                ring: ring("ring_seconds", self.ring_seconds)?,
            },
            StrategyKind::Sequential => Strategy::Sequential {
                steps: self
                    .targets
                    .iter()
                    .map(|t| Ok((parse(t)?, ring("targets.ring_seconds", t.ring_seconds)?)))
                    .collect::<ApiResult<_>>()?,
            },
            StrategyKind::VoicemailOnly => {
                if !self.targets.is_empty() {
                    return Err(field_problem(
                        "targets",
                        "a voicemail-only plan has no targets",
                    ));
                }
                Strategy::VoicemailOnly
            }
        };
        ForwardingPlan::new(strategy, self.voicemail).map_err(|e| field_problem("strategy", e))
    }
}

impl From<&ForwardingPlan> for PlanBody {
    fn from(plan: &ForwardingPlan) -> Self {
        let target = |t: &ForwardingTarget, ring: Option<RingTime>| TargetBody {
            target: t.to_string(),
            ring_seconds: ring.map(RingTime::seconds),
        };
        let (strategy, targets, ring_seconds) = match plan.strategy() {
            Strategy::Single { target: t, ring } => (
                StrategyKind::Single,
                vec![target(t, None)],
                Some(ring.seconds()),
            ),
            Strategy::Simultaneous { targets, ring } => (
                StrategyKind::Simultaneous,
                targets.iter().map(|t| target(t, None)).collect(),
                Some(ring.seconds()),
            ),
            Strategy::Sequential { steps } => (
                StrategyKind::Sequential,
                steps.iter().map(|(t, r)| target(t, Some(*r))).collect(),
                None,
            ),
            Strategy::VoicemailOnly => (StrategyKind::VoicemailOnly, Vec::new(), None),
        };
        Self {
            strategy,
            targets,
            ring_seconds,
            voicemail: plan.voicemail(),
        }
    }
}

/// A rented number.
#[derive(Clone, Debug, Object, Serialize)]
#[oai(rename = "Number")]
pub(crate) struct NumberBody {
    /// The id.
    pub(crate) id: i64,
    /// The renter.
    pub(crate) customer: i64,
    /// The offer it was bought under.
    pub(crate) offer: i64,
    /// The country.
    pub(crate) country: String,
    /// Where it stands.
    pub(crate) state: State,
    /// Why the carrier could not provide it, when it could not (R1.D3).
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) failure: Option<String>,
    /// The concrete number, E.164, once connected (R1.2).
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) e164: Option<String>,
    /// The number picked in a manual order (R1.3).
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) wanted: Option<String>,
    /// The day it was deleted.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) deleted_on: Option<NaiveDate>,
    /// Months paid with the order (R10.1).
    pub(crate) first_term_months: u32,
    /// Who uses it.
    pub(crate) end_user: EndUserKind,
    /// Billing, once connected (R10.2).
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) billing: Option<BillingBody>,
    /// When a number not connected yet is expected to be ready (R2.3).
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ready_by: Option<ReadyByBody>,
    /// Where calls go, once set (R5.3).
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) forwarding: Option<PlanBody>,
    /// Whether the CallerID add-on is on (R6.2).
    pub(crate) caller_id: bool,
    /// The greetings (R13.1).
    pub(crate) greetings: GreetingsBody,
}

impl NumberBody {
    pub(crate) fn new(record: NumberRecord, ready_by: Option<ReadyBy>) -> Self {
        let greetings = &record.settings.greetings;
        let greetings = GreetingsBody {
            uploaded: greetings
                .uploaded()
                .iter()
                .map(|g| GreetingBody {
                    id: g.id().get(),
                    name: g.name().to_owned(),
                    duration_ms: g.info().duration_ms,
                    converted_from: None,
                })
                .collect(),
            selected: greetings.selected().map(GreetingId::get),
            enabled: greetings.enabled(),
        };
        Self {
            id: record.id.get(),
            customer: record.customer.get(),
            offer: record.offer.get(),
            country: record.country.to_string(),
            state: match record.state {
                NumberState::Ordered => State::Ordered,
                NumberState::AwaitingDocuments => State::AwaitingDocuments,
                NumberState::Provisioning => State::Provisioning,
                NumberState::Active { .. } => State::Active,
                NumberState::Deleted { .. } => State::Deleted,
                NumberState::ProvisioningFailed { .. } => State::ProvisioningFailed,
            },
            failure: match &record.state {
                NumberState::ProvisioningFailed { reason, .. } => Some(reason.clone()),
                _ => None,
            },
            e164: record.e164().map(ToString::to_string),
            wanted: record.wanted.as_ref().map(ToString::to_string),
            deleted_on: record.deleted_on(),
            first_term_months: record.first_term.months(),
            end_user: record.end_user.into(),
            forwarding: record.settings.forwarding.as_ref().map(PlanBody::from),
            caller_id: record.settings.caller_id,
            billing: record.billing.map(Into::into),
            ready_by: ready_by.map(Into::into),
            greetings,
        }
    }
}

impl From<NumberView> for NumberBody {
    fn from(view: NumberView) -> Self {
        Self::new(view.record, view.ready_by)
    }
}

impl From<NumberRecord> for NumberBody {
    fn from(record: NumberRecord) -> Self {
        Self::new(record, None)
    }
}

pub(crate) fn ids(customer: i64, number: i64) -> (CustomerId, NumberId) {
    (CustomerId(customer), NumberId(number))
}

/// An uploaded greeting (R13.1).
#[derive(Clone, Debug, Object, Serialize)]
#[oai(rename = "Greeting")]
pub(crate) struct GreetingBody {
    /// The id.
    pub(crate) id: i64,
    /// The name given at upload.
    pub(crate) name: String,
    /// Playing time in milliseconds.
    pub(crate) duration_ms: u32,
    /// What the file was before it was converted on upload (R13.D2), in the upload's
    /// answer.
    #[oai(read_only, skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) converted_from: Option<String>,
}

/// The greetings of a number.
#[derive(Clone, Debug, Object, Serialize)]
#[oai(rename = "Greetings")]
pub(crate) struct GreetingsBody {
    /// Every uploaded greeting.
    pub(crate) uploaded: Vec<GreetingBody>,
    /// The selected one.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) selected: Option<i64>,
    /// Whether the selected greeting plays before forwarding.
    pub(crate) enabled: bool,
}
