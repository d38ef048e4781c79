//! Call detail records and statistics of calls and of the balance (R4.6).

use chrono::NaiveDate;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use vnum_app::{CallStatsView, KindTotal, LedgerStats, Vnum};
use vnum_core::{CustomerId, NumberId, Period};

use crate::Tag;
use crate::auth::Caller;
use crate::money::MoneyBody;
use crate::page;
use crate::params::days;
use crate::problem::ApiResult;
use crate::wire::call::{Call, CallPage};
use crate::wire::ledger::Kind;

/// Statistics and call records.
pub(crate) struct StatisticsApi {
    pub(crate) vnum: Vnum,
}

/// The calls of one number over the period.
#[derive(Clone, Debug, Object)]
pub(crate) struct NumberCalls {
    /// The number (its id).
    number: i64,
    /// Its E.164 text, once connected.
    #[oai(skip_serializing_if_is_none)]
    e164: Option<String>,
    /// Calls that started in the period.
    calls: u32,
    /// Calls a person answered.
    answered: u32,
    /// Inbound calls nobody answered (no answer, busy, rejected or voicemail).
    missed: u32,
    /// Talk seconds of the answered calls.
    talk_seconds: i64,
    /// The average talk time of an answered call, in whole seconds.
    average_talk_seconds: i64,
}

/// The call statistics of a customer's numbers (R4.6).
#[derive(Clone, Debug, Object)]
pub(crate) struct CallStatistics {
    /// The first day, in the billing time zone.
    from: NaiveDate,
    /// The last day, included.
    to: NaiveDate,
    /// One row per number that is live or had calls, by number id.
    numbers: Vec<NumberCalls>,
}

impl From<CallStatsView> for CallStatistics {
    fn from(view: CallStatsView) -> Self {
        Self {
            from: view.period.start(),
            to: view.period.last_day(),
            numbers: view
                .numbers
                .into_iter()
                .map(|n| NumberCalls {
                    number: n.number.get(),
                    e164: n.e164.map(|e| e.to_string()),
                    calls: n.stats.calls,
                    answered: n.stats.answered,
                    missed: n.stats.missed,
                    talk_seconds: n.stats.talk_seconds,
                    average_talk_seconds: n.stats.average_talk_seconds(),
                })
                .collect(),
        }
    }
}

/// What one kind of ledger entry added up to.
#[derive(Clone, Debug, Object)]
#[oai(rename = "LedgerKindTotal")]
pub(crate) struct Total {
    /// The kind of entry.
    kind: Kind,
    /// How many entries.
    entries: u32,
    /// Their sum: positive for money in, negative for charges.
    total: MoneyBody,
}

impl From<KindTotal> for Total {
    fn from(total: KindTotal) -> Self {
        Self {
            kind: total.kind.into(),
            entries: total.entries,
            total: total.total.into(),
        }
    }
}

/// The balance movements of a period, totalled per kind (R4.6).
#[derive(Clone, Debug, Object)]
pub(crate) struct LedgerStatistics {
    /// The first day, in the billing time zone.
    from: NaiveDate,
    /// The last day, included.
    to: NaiveDate,
    /// Top-ups, bank transfers, charges, refunds, adjustments: those that occurred.
    totals: Vec<Total>,
    /// How much the balance moved.
    net: MoneyBody,
}

impl From<LedgerStats> for LedgerStatistics {
    fn from(stats: LedgerStats) -> Self {
        Self {
            from: stats.period.start(),
            to: stats.period.last_day(),
            totals: stats.totals.into_iter().map(Total::from).collect(),
            net: stats.net.into(),
        }
    }
}

#[OpenApi(prefix_path = "/v1/customers", tag = "Tag::Statistics")]
impl StatisticsApi {
    /// Call statistics
    ///
    /// Per number: calls, answered, missed and talk seconds of the calls that started
    /// from `from` to `to`, both days included, in the billing time zone (R4.6, R10.D2).
    #[oai(
        path = "/:id/statistics/calls",
        method = "get",
        operation_id = "call_statistics"
    )]
    async fn calls(
        &self,
        caller: Caller,
        id: Path<i64>,
        /// The first day, `YYYY-MM-DD`.
        from: Query<NaiveDate>,
        /// The last day, included, `YYYY-MM-DD`.
        to: Query<NaiveDate>,
    ) -> ApiResult<Json<CallStatistics>> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let period = days(from.0, to.0)?;
        Ok(Json(self.vnum.call_stats(id, period).await?.into()))
    }

    /// Ledger statistics
    ///
    /// The balance movements from `from` to `to`, both days included, totalled per kind,
    /// and the net change (R4.6).
    #[oai(
        path = "/:id/statistics/ledger",
        method = "get",
        operation_id = "ledger_statistics"
    )]
    async fn ledger(
        &self,
        caller: Caller,
        id: Path<i64>,
        /// The first day, `YYYY-MM-DD`.
        from: Query<NaiveDate>,
        /// The last day, included, `YYYY-MM-DD`.
        to: Query<NaiveDate>,
    ) -> ApiResult<Json<LedgerStatistics>> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let period = days(from.0, to.0)?;
        Ok(Json(self.vnum.ledger_stats(id, period).await?.into()))
    }

    /// Call records of a number
    ///
    /// The calls of one of the customer's numbers that started from `from` to `to`, both
    /// days included in the billing time zone, oldest first (R4.6). Another customer's
    /// number answers 404. One page at a time: `limit` calls (100 unless asked, at most
    /// 500) after the cursor `after`; `next` is the cursor of the next page while more
    /// follow.
    #[oai(path = "/:id/calls", method = "get", operation_id = "list_calls")]
    // poem-openapi takes each query parameter as an argument of the operation.
    #[allow(clippy::too_many_arguments)]
    async fn records(
        &self,
        caller: Caller,
        id: Path<i64>,
        /// The number (its id).
        number: Query<i64>,
        /// The first day, `YYYY-MM-DD`.
        from: Query<NaiveDate>,
        /// The last day, included, `YYYY-MM-DD`.
        to: Query<NaiveDate>,
        /// Calls a page, 1 to 500 (100 unless asked).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
        /// The `next` cursor of the previous page.
        #[oai(validator(pattern = r"^[1-9][0-9]{0,17}$"))]
        after: Query<Option<String>>,
    ) -> ApiResult<Json<CallPage>> {
        let id = CustomerId(id.0);
        caller.may_access(id)?;
        let period: Period = days(from.0, to.0)?;
        let page = page::page(limit.0, after.0.as_deref())?;
        let tz = self.vnum.config().billing_time_zone;
        let calls = self
            .vnum
            .call_records(
                id,
                NumberId(number.0),
                vnum_billing::start_of_day(period.start(), tz),
                vnum_billing::start_of_day(period.end(), tz),
                page,
            )
            .await?;
        Ok(Json(CallPage {
            next: page::cursor(calls.next),
            items: calls.items.into_iter().map(Call::from).collect(),
        }))
    }
}
