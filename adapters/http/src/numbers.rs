//! Rented numbers: reading them, deleting them (R10.6, R10.7), whether they renew and their
//! renewal history (R10.7, R10.2, R11.1), their forwarding (R4.4, R5.3), CallerID (R6.2),
//! and the carrier's completion (R1.2, R10.2). Their greetings are in `greetings.rs`.

use chrono::{DateTime, NaiveDate, Utc};
use poem_openapi::param::Path;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use vnum_app::{Deletion, Vnum};
use vnum_core::{CustomerId, NumberId};

use crate::Tag;
use crate::auth::Caller;
use crate::codes::E164;
use crate::money::MoneyBody;
use crate::page;
use crate::payload::Serialized;
use crate::problem::ApiResult;
use crate::wire::number::{NumberBody, PlanBody, ids};

/// Numbers.
pub(crate) struct NumbersApi {
    pub(crate) vnum: Vnum,
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

/// Whether a number renews (R10.7).
#[derive(Clone, Debug, Object)]
#[oai(rename = "Renewal")]
pub(crate) struct RenewalBody {
    /// `false`: not charged again, released at the end of the paid period (a prepaid term
    /// included); `true`: renews on every charge day, as it did before.
    renews: bool,
}

/// A discount taken off a charged period (R11.1, R11.2).
#[derive(Clone, Debug, Object)]
#[oai(rename = "PeriodDiscount")]
pub(crate) struct PeriodDiscountBody {
    /// The rule that grants it (`R11.1` a prepaid term, `R11.2` a bulk agreement).
    rule: String,
    /// The percentage, such as `"10"`.
    percent: String,
    /// The amount taken off this number's period, rounded to the minor unit.
    amount: MoneyBody,
}

/// One charged period of a number (R10.2, R11.1).
#[derive(Clone, Debug, Object)]
#[oai(rename = "RenewedPeriod")]
pub(crate) struct RenewedPeriodBody {
    /// The first day paid for.
    start: NaiveDate,
    /// The first day after the period, the next charge day.
    end: NaiveDate,
    /// What the period cost; for the first term, the number's share of its order, setup
    /// fee included.
    amount: MoneyBody,
    /// The setup fee included in `amount`, on the first term only.
    #[oai(skip_serializing_if_is_none)]
    setup_fee: Option<MoneyBody>,
    /// The discounts taken off, each with its rule; empty for a monthly renewal.
    discounts: Vec<PeriodDiscountBody>,
    /// The rule that charged it: `R10.2` a monthly renewal, `R11.1` a prepaid term paid with
    /// the order, `R1.4` a first month paid with the order.
    rule: String,
    /// The ledger entry that took the money (the order's entry for the first term).
    ledger_entry: i64,
    /// When it was charged.
    charged_at: DateTime<Utc>,
}

impl From<vnum_app::model::RenewedPeriod> for RenewedPeriodBody {
    fn from(renewed: vnum_app::model::RenewedPeriod) -> Self {
        Self {
            start: renewed.period.start(),
            end: renewed.period.end(),
            amount: renewed.amount.into(),
            setup_fee: renewed.setup_fee.map(Into::into),
            discounts: renewed
                .discounts
                .into_iter()
                .map(|d| PeriodDiscountBody {
                    rule: d.rule.as_str().to_owned(),
                    percent: d.percent.normalize().to_string(),
                    amount: d.amount.into(),
                })
                .collect(),
            rule: renewed.rule.as_str().to_owned(),
            ledger_entry: renewed.entry.get(),
            charged_at: renewed.charged_at,
        }
    }
}

page::page_of!(
    /// A page of a number's charged periods, oldest first.
    RenewedPeriodPage,
    RenewedPeriodBody
);

/// The concrete number the carrier connected.
#[derive(Clone, Debug, Object)]
pub(crate) struct Connection {
    /// The number, E.164.
    e164: E164,
}

page::page_of!(
    /// A page of a customer's numbers, oldest first.
    NumberPage,
    NumberBody
);

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
    async fn list(
        &self,
        caller: Caller,
        id: Path<i64>,
        /// Items a page, 1 to 500 (100 unless asked).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
        /// The `next` cursor of the previous page.
        #[oai(validator(pattern = r"^[1-9][0-9]{0,17}$"))]
        after: Query<Option<String>>,
    ) -> ApiResult<Json<NumberPage>> {
        let page = page::page(limit.0, after.0.as_deref())?;
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let numbers = self.vnum.numbers_of(id).await?;
        let numbers = numbers.into_iter().map(NumberBody::from).collect();
        Ok(Json(page::slice(numbers, page, |n| n.id).into()))
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

    /// Set whether a number renews
    ///
    /// `renews: false` stops renewal: the number keeps working to the end of its paid period
    /// (a prepaid term included), is never charged again and is released on that day, shown
    /// as `billing.ends_on`; nothing is refunded (R10.6). The choice counts from the next
    /// day in the billing time zone, like a deletion: made on a charge day, that day is
    /// still charged (R10.7). `renews: true` before the number is released renews it as
    /// before.
    #[oai(
        path = "/customers/:id/numbers/:number_id/renewal",
        method = "put",
        operation_id = "set_renewal"
    )]
    async fn set_renewal(
        &self,
        caller: Caller,
        id: Path<i64>,
        number_id: Path<i64>,
        body: Json<RenewalBody>,
    ) -> ApiResult<Json<NumberBody>> {
        let (customer, number) = ids(id.0, number_id.0);
        caller.may_access(customer)?;
        let record = self
            .vnum
            .set_renewal(customer, number, body.0.renews)
            .await?;
        Ok(Json(record.into()))
    }

    /// List a number's charged periods
    ///
    /// Its renewal history, oldest first: the first term paid with the order (its share of
    /// the order with its discounts, R11.1), then every monthly renewal (R10.2), each with
    /// its days, amount, rule and ledger entry.
    #[oai(
        path = "/customers/:id/numbers/:number_id/renewals",
        method = "get",
        operation_id = "list_renewals"
    )]
    async fn list_renewals(
        &self,
        caller: Caller,
        id: Path<i64>,
        number_id: Path<i64>,
        /// Items a page, 1 to 500 (100 unless asked).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
        /// The `next` cursor of the previous page.
        #[oai(validator(pattern = r"^[1-9][0-9]{0,17}$"))]
        after: Query<Option<String>>,
    ) -> ApiResult<Json<RenewedPeriodPage>> {
        let page = page::page(limit.0, after.0.as_deref())?;
        let (customer, number) = ids(id.0, number_id.0);
        caller.may_access(customer)?;
        let periods = self.vnum.renewal_history(customer, number).await?;
        let periods = periods.into_iter().map(RenewedPeriodBody::from).collect();
        Ok(Json(
            page::slice(periods, page, |p: &RenewedPeriodBody| p.ledger_entry).into(),
        ))
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
    use crate::wire::number::{
        BillingBody, EndUserKind, GreetingBody, GreetingsBody, ReadyByBody, State, StrategyKind,
        TargetBody,
    };
    use vnum_calls::RingTime;

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
                renews: false,
                ends_on: Some(day(20)),
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
