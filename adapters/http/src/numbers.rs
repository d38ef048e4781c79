//! Rented numbers: reading them, deleting them (R10.6, R10.7), their forwarding (R4.4,
//! R5.3), CallerID (R6.2), and the carrier's completion (R1.2, R10.2). Their greetings
//! are in [`crate::greetings`].

use chrono::NaiveDate;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object, OpenApi};
use serde::Serialize;
use vnum_app::model::{Billing, NumberRecord};
use vnum_app::{Deletion, NumberView, Vnum};
use vnum_calls::{ForwardingPlan, ForwardingTarget, RingTime, Strategy};
use vnum_compliance::EndUser;
use vnum_core::{CustomerId, GreetingId, NumberId};
use vnum_lifecycle::{NumberState, ReadyBy};

use crate::Tag;
use crate::auth::Caller;
use crate::codes::E164;
use crate::greetings::{GreetingBody, GreetingsBody};
use crate::money::MoneyBody;
use crate::payload::Serialized;
use crate::problem::{ApiResult, field_problem};

/// Numbers.
pub(crate) struct NumbersApi {
    pub(crate) vnum: Vnum,
}

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
    connection_day: u32,
    /// The day it was connected, in the billing time zone.
    connected_on: NaiveDate,
    /// The first day not paid for yet.
    paid_through: NaiveDate,
    /// What each month costs: the offer's fee plus active add-ons.
    monthly_fee: MoneyBody,
}

impl From<Billing> for BillingBody {
    fn from(billing: Billing) -> Self {
        Self {
            connection_day: billing.anchor_day.get(),
            connected_on: billing.connected_on,
            paid_through: billing.paid_through,
            monthly_fee: billing.monthly_fee.into(),
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
    earliest: Option<NaiveDate>,
    /// The ready-by date; absent while documents are awaited.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    latest: Option<NaiveDate>,
    /// True when the clock starts only once the documents are accepted (R2.2).
    when_documents_accepted: bool,
    /// The rule that set it.
    rule: String,
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
    target: String,
    /// For sequential plans: how long this target rings, 5 to 120 seconds (default 20).
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    ring_seconds: Option<u32>,
}

/// A number's forwarding plan (R5.3).
#[derive(Clone, Debug, Object, Serialize)]
#[oai(rename = "ForwardingPlan")]
pub(crate) struct PlanBody {
    /// How the targets ring.
    strategy: StrategyKind,
    /// The targets: one for `single`, 2 to 5 for the others, none for `voicemail_only`.
    #[oai(default, validator(max_items = 5))]
    targets: Vec<TargetBody>,
    /// For single and simultaneous plans: how long they ring, 5 to 120 seconds (default 20).
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    ring_seconds: Option<u32>,
    /// Whether voicemail answers when no target does (R4.5).
    #[oai(default)]
    voicemail: bool,
}

fn ring(field: &str, seconds: Option<u32>) -> ApiResult<RingTime> {
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
    id: i64,
    /// The renter.
    customer: i64,
    /// The offer it was bought under.
    offer: i64,
    /// The country.
    country: String,
    /// Where it stands.
    state: State,
    /// Why the carrier could not provide it, when it could not (R1.D3).
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    failure: Option<String>,
    /// The concrete number, E.164, once connected (R1.2).
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    e164: Option<String>,
    /// The number picked in a manual order (R1.3).
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    wanted: Option<String>,
    /// The day it was deleted.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    deleted_on: Option<NaiveDate>,
    /// Months paid with the order (R10.1).
    first_term_months: u32,
    /// Who uses it.
    end_user: EndUserKind,
    /// Billing, once connected (R10.2).
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    billing: Option<BillingBody>,
    /// When a number not connected yet is expected to be ready (R2.3).
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    ready_by: Option<ReadyByBody>,
    /// Where calls go, once set (R5.3).
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    forwarding: Option<PlanBody>,
    /// Whether the CallerID add-on is on (R6.2).
    caller_id: bool,
    /// The greetings (R13.1).
    greetings: GreetingsBody,
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

/// What deleting a number did (R10.6, R10.7).
#[derive(Clone, Debug, Object)]
#[oai(rename = "Deletion")]
pub(crate) struct DeletionBody {
    /// The number, deleted.
    number: NumberBody,
    /// What was refunded: always zero.
    refund: MoneyBody,
    /// The rule that refunds nothing for paid days left: R10.6.
    refund_rule: String,
    /// For a connected number: the first day not paid for; the days up to it are paid and
    /// given up.
    #[oai(skip_serializing_if_is_none)]
    paid_until: Option<NaiveDate>,
}

impl From<Deletion> for DeletionBody {
    fn from(deletion: Deletion) -> Self {
        Self {
            number: deletion.number.into(),
            refund: deletion.refund.into(),
            refund_rule: vnum_core::rule::R10_6.as_str().to_owned(),
            paid_until: deletion.cancellation.map(|c| c.paid_until),
        }
    }
}

/// The CallerID add-on (R6.2).
#[derive(Clone, Debug, Object)]
pub(crate) struct CallerIdBody {
    /// On or off.
    enabled: bool,
}

/// The concrete number the carrier connected.
#[derive(Clone, Debug, Object)]
pub(crate) struct Connection {
    /// The number, E.164.
    e164: E164,
}

pub(crate) fn ids(customer: i64, number: i64) -> (CustomerId, NumberId) {
    (CustomerId(customer), NumberId(number))
}

#[OpenApi(prefix_path = "/v1", tag = "Tag::Numbers")]
impl NumbersApi {
    /// List a customer's numbers
    ///
    /// Deleted ones included; numbers not connected yet carry their ready-by date (R2.3).
    #[oai(
        path = "/customers/:id/numbers",
        method = "get",
        operation_id = "list_numbers"
    )]
    async fn list(&self, caller: Caller, id: Path<i64>) -> ApiResult<Serialized<Vec<NumberBody>>> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let numbers = self.vnum.numbers_of(id).await?;
        Ok(Serialized(
            numbers.into_iter().map(NumberBody::from).collect(),
        ))
    }

    /// Read a number
    ///
    /// Its state, the concrete number once connected, billing (connection day, paid
    /// through, monthly fee) and, for a pending number, its ready-by date (R2.3).
    #[oai(
        path = "/customers/:id/numbers/:number_id",
        method = "get",
        operation_id = "get_number"
    )]
    async fn number(
        &self,
        caller: Caller,
        id: Path<i64>,
        number_id: Path<i64>,
    ) -> ApiResult<Serialized<NumberBody>> {
        let (customer, number) = ids(id.0, number_id.0);
        caller.may_access(customer)?;
        let view = self.vnum.number_view(customer, number).await?;
        Ok(Serialized(view.into()))
    }

    /// Delete a number
    ///
    /// Nothing is refunded for paid days left (R10.6); a number deleted a day or more
    /// before its charge day is not charged again (R10.7).
    #[oai(
        path = "/customers/:id/numbers/:number_id",
        method = "delete",
        operation_id = "delete_number"
    )]
    async fn delete(
        &self,
        caller: Caller,
        id: Path<i64>,
        number_id: Path<i64>,
    ) -> ApiResult<Json<DeletionBody>> {
        let (customer, number) = ids(id.0, number_id.0);
        caller.may_access(customer)?;
        let deletion = self.vnum.delete_number(customer, number).await?;
        Ok(Json(deletion.into()))
    }

    /// Set forwarding
    ///
    /// Where inbound calls go (R5.3): one target, several at once or one after the other
    /// (R4.4), and voicemail (R4.5). A SIP account target must be one of yours (R5.2).
    #[oai(
        path = "/customers/:id/numbers/:number_id/forwarding",
        method = "put",
        operation_id = "set_forwarding"
    )]
    async fn set_forwarding(
        &self,
        caller: Caller,
        id: Path<i64>,
        number_id: Path<i64>,
        body: Json<PlanBody>,
    ) -> ApiResult<Json<NumberBody>> {
        let (customer, number) = ids(id.0, number_id.0);
        caller.may_access(customer)?;
        let plan = body.0.into_plan()?;
        let record = self
            .vnum
            .set_forwarding(customer, number, Some(plan))
            .await?;
        Ok(Json(record.into()))
    }

    /// Turn CallerID on or off
    ///
    /// The add-on's monthly price joins the monthly fee from the next charge (R6.2).
    #[oai(
        path = "/customers/:id/numbers/:number_id/caller-id",
        method = "put",
        operation_id = "set_caller_id"
    )]
    async fn set_caller_id(
        &self,
        caller: Caller,
        id: Path<i64>,
        number_id: Path<i64>,
        body: Json<CallerIdBody>,
    ) -> ApiResult<Json<NumberBody>> {
        let (customer, number) = ids(id.0, number_id.0);
        caller.may_access(customer)?;
        let record = self
            .vnum
            .set_caller_id(customer, number, body.0.enabled)
            .await?;
        Ok(Json(record.into()))
    }

    /// Connect a number
    ///
    /// For operators, when the carrier completed: the concrete number is known now (R1.2)
    /// and today becomes its connection day, the day of every monthly charge (R10.2).
    #[oai(
        path = "/numbers/:number_id/connect",
        method = "post",
        operation_id = "connect_number"
    )]
    async fn connect(
        &self,
        caller: Caller,
        number_id: Path<i64>,
        body: Json<Connection>,
    ) -> ApiResult<Json<NumberBody>> {
        caller.operator()?;
        let e164 = body.0.e164.parse("e164")?;
        let record = self
            .vnum
            .connect_number(NumberId(number_id.0), e164)
            .await?;
        Ok(Json(record.into()))
    }

    /// Report that the carrier cannot provide a number
    ///
    /// For operators, when the carrier says no, now or later (R1.D3): the number ends as
    /// `provisioning_failed`, its share of the order goes back to the balance as a refund
    /// entry with rule R1.D3, a number picked from the list goes back on sale, and the
    /// customer is told by email. Reporting it again changes nothing. A connected or
    /// deleted number answers 422.
    #[oai(
        path = "/numbers/:number_id/provisioning-failure",
        method = "post",
        operation_id = "fail_provisioning"
    )]
    async fn fail_provisioning(
        &self,
        caller: Caller,
        number_id: Path<i64>,
        body: Json<ProvisioningFailure>,
    ) -> ApiResult<Json<NumberBody>> {
        caller.operator()?;
        let record = self
            .vnum
            .fail_provisioning(NumberId(number_id.0), &body.0.reason)
            .await?;
        Ok(Json(record.into()))
    }
}

/// Why the carrier cannot provide a number.
#[derive(Clone, Debug, Object)]
pub(crate) struct ProvisioningFailure {
    /// What the carrier said, 1 to 500 characters.
    #[oai(validator(min_length = 1, max_length = 500))]
    reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::assert_written_alike;

    #[test]
    fn a_number_is_written_alike_by_serde_and_by_poem_openapi() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 2, d).unwrap_or_default();
        let bare = NumberBody {
            failure: None,
            id: 7,
            customer: 3,
            offer: 1,
            country: "DE".to_owned(),
            state: State::AwaitingDocuments,
            e164: None,
            wanted: None,
            deleted_on: None,
            first_term_months: 1,
            end_user: EndUserKind::Business,
            billing: None,
            ready_by: Some(ReadyByBody {
                earliest: None,
                latest: None,
                when_documents_accepted: true,
                rule: "R2.2".to_owned(),
            }),
            forwarding: None,
            caller_id: false,
            greetings: GreetingsBody {
                uploaded: Vec::new(),
                selected: None,
                enabled: false,
            },
        };
        assert_written_alike(&bare);
        let full = NumberBody {
            state: State::Deleted,
            e164: Some("+4930123456".to_owned()),
            wanted: Some("+4930123456".to_owned()),
            deleted_on: Some(day(28)),
            end_user: EndUserKind::Personal,
            billing: Some(BillingBody {
                connection_day: 20,
                connected_on: day(20),
                paid_through: day(20),
                monthly_fee: MoneyBody {
                    amount: crate::money::Amount(rust_decimal::Decimal::new(-1250, 2)),
                    currency: crate::codes::CurrencyCode(vnum_core::Currency::EUR),
                },
            }),
            ready_by: Some(ReadyByBody {
                earliest: Some(day(1)),
                latest: Some(day(10)),
                when_documents_accepted: false,
                rule: "R2.3".to_owned(),
            }),
            forwarding: Some(plan(
                StrategyKind::Sequential,
                &[("account:alice", Some(10)), ("sip:b@example.com", None)],
            )),
            caller_id: true,
            greetings: GreetingsBody {
                uploaded: vec![GreetingBody {
                    id: 2,
                    name: "Hello \"world\" \u{e9}".to_owned(),
                    duration_ms: 1500,
                    converted_from: None,
                }],
                selected: Some(2),
                enabled: true,
            },
            ..bare.clone()
        };
        assert_written_alike(&full);
        assert_written_alike(&vec![bare, full]);
        for strategy in [
            StrategyKind::Single,
            StrategyKind::Simultaneous,
            StrategyKind::VoicemailOnly,
        ] {
            assert_written_alike(&plan(strategy, &[]));
        }
        for state in [State::Ordered, State::Provisioning, State::Active] {
            assert_written_alike(&state);
        }
    }

    fn plan(strategy: StrategyKind, targets: &[(&str, Option<u32>)]) -> PlanBody {
        PlanBody {
            strategy,
            targets: targets
                .iter()
                .map(|(t, r)| TargetBody {
                    target: (*t).to_owned(),
                    ring_seconds: *r,
                })
                .collect(),
            ring_seconds: None,
            voicemail: true,
        }
    }

    #[test]
    fn r4_4_a_sequential_plan_keeps_each_ring_time_through_the_wire() {
        let body = plan(
            StrategyKind::Sequential,
            &[("account:alice", Some(10)), ("203.0.113.5:5060", None)],
        );
        let domain = body.into_plan().unwrap();
        let back = PlanBody::from(&domain);
        assert_eq!(back.strategy, StrategyKind::Sequential);
        assert_eq!(back.targets[0].target, "account:alice");
        assert_eq!(back.targets[0].ring_seconds, Some(10));
        assert_eq!(
            back.targets[1].ring_seconds,
            Some(RingTime::DEFAULT.seconds())
        );
        assert!(back.voicemail);
    }

    #[test]
    fn a_single_plan_with_two_targets_names_the_field() {
        let body = plan(
            StrategyKind::Single,
            &[("+4930123456", None), ("+4930123457", None)],
        );
        let problem = body.into_plan().unwrap_err();
        assert_eq!(problem.status, 422);
        assert!(
            problem.detail.starts_with("`targets`"),
            "{}",
            problem.detail
        );
    }

    #[test]
    fn a_ring_time_out_of_range_names_the_field() {
        let mut body = plan(StrategyKind::Single, &[("+4930123456", None)]);
        body.ring_seconds = Some(500);
        let problem = body.into_plan().unwrap_err();
        assert!(
            problem.detail.starts_with("`ring_seconds`"),
            "{}",
            problem.detail
        );
    }

    #[test]
    fn r4_5_voicemail_only_takes_no_targets() {
        assert!(plan(StrategyKind::VoicemailOnly, &[]).into_plan().is_ok());
        let problem = plan(StrategyKind::VoicemailOnly, &[("+4930123456", None)])
            .into_plan()
            .unwrap_err();
        assert!(problem.detail.contains("no targets"), "{}", problem.detail);
    }
}
