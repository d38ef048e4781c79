//! [`Renewals`]: the renewal run as a few set-based statements per batch (R10.2, R10.D4).
//!
//! A batch selects up to `limit` due numbers, appends one charge for each
//! (`ON CONFLICT DO NOTHING` on `ledger_charge_period` skips a period charged already, so a
//! run repeated after a crash never charges twice), moves their `paid_through`, and moves
//! every customer's balance once by the sum of its new charges. On PostgreSQL that is one
//! statement of data-modifying CTEs; on SQLite, which has none, four statements in the same
//! transaction select the same numbers.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::NaiveDate;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, Value,
};
use vnum_app::model::{NumberRecord, RenewalBatch, RenewalBatchOutcome};
use vnum_app::ports::StoreError;
use vnum_app::ports::store::Renewals;
use vnum_core::{CustomerId, Period};

use super::column;
use crate::entity::{number, renewal_state};
use crate::error::{corrupt, store_error};
use crate::store::SeaOrmTransaction;

/// The periods that start on the charge day, one row per anchor day: `$5, $6, $7` for the
/// first anchor, `$8, $9, $10` for the second, and so on.
fn anchors_cte(anchors: usize) -> String {
    let rows: Vec<String> = (0..anchors)
        .map(|i| format!("(${}, ${}, ${})", 5 + 3 * i, 6 + 3 * i, 7 + 3 * i))
        .collect();
    format!(
        "anchors (anchor_day, period_end, description) AS (VALUES {})",
        rows.join(", ")
    )
}

/// The key of the advisory lock renewal batches take on PostgreSQL ("vnum renewals").
const RENEWAL_LOCK: i64 = 0x766e_756d_5f72_656e;

/// Due on `$1` (R10.2, R10.7): an anchor day of the batch, paid up to at most the charge
/// day, and neither deleted nor set not to renew before it.
const DUE: &str = "
    FROM numbers n JOIN anchors a ON a.anchor_day = n.anchor_day
    WHERE n.paid_through <= $1 AND (n.deleted_on IS NULL OR n.deleted_on >= $1)
      AND (n.renewal_stopped_on IS NULL OR n.renewal_stopped_on >= $1)";

/// The charge rows: `$3` is when they are booked, `$4` the rule.
const CHARGE_COLUMNS: &str = "(customer_id, kind, amount_minor, currency, number_id, \
    period_start, period_end, rule, description, at)";

#[async_trait]
impl Renewals for SeaOrmTransaction<'_> {
    async fn charge_due(
        &mut self,
        batch: &RenewalBatch,
    ) -> Result<RenewalBatchOutcome, StoreError> {
        let day = batch.day.date();
        let mut values: Vec<Value> = vec![
            day.into(),
            i64::try_from(batch.limit).unwrap_or(i64::MAX).into(),
            batch.at.into(),
            vnum_core::rule::R10_2.as_str().into(),
        ];
        let anchors = batch.day.anchors();
        for anchor in &anchors {
            let period =
                Period::new(day, anchor.period_end).map_err(|e| corrupt("renewal period", e))?;
            values.extend([
                // 1 to 31: always an i32.
                (anchor.connection_day.get() as i32).into(),
                anchor.period_end.into(),
                format!("Monthly fee {period}").into(),
            ]);
        }
        if anchors.is_empty() || batch.limit == 0 {
            return Ok(RenewalBatchOutcome::default());
        }
        let selected = match self.backend {
            DbBackend::Postgres => {
                self.charge_due_in_one_statement(anchors.len(), values)
                    .await?
            }
            _ => self.charge_due_step_by_step(anchors.len(), values).await?,
        };
        let mut outcome = RenewalBatchOutcome {
            matched: selected.matched,
            ..RenewalBatchOutcome::default()
        };
        for moved in selected.balances {
            outcome.charged += moved.charges;
            // R10.3: the fee is charged anyway; the use case suspends (R10.4) and tells the
            // customers whose balance crossed zero with this batch.
            if moved.before >= 0 && moved.after < 0 {
                outcome.newly_negative.push(CustomerId(moved.customer));
            }
        }
        outcome.newly_negative.sort();
        Ok(outcome)
    }

    /// The release of [`vnum_billing::RenewalDay::releases`] as a query on the
    /// `numbers_ending` index: not deleted, set not to renew before the day, paid through
    /// the day at most (R10.7). On PostgreSQL it takes the renewal batches' advisory lock
    /// first, so that servers sharing the database release a number once: the second reads
    /// after the first committed, and no longer sees the numbers it released.
    async fn numbers_ending(
        &mut self,
        batch: &RenewalBatch,
    ) -> Result<Vec<NumberRecord>, StoreError> {
        if self.backend == DbBackend::Postgres {
            self.execute(
                "SELECT pg_advisory_xact_lock($1)",
                vec![RENEWAL_LOCK.into()],
            )
            .await?;
        }
        let day = batch.day.date();
        let rows = number::Entity::find()
            .filter(number::Column::DeletedOn.is_null())
            .filter(number::Column::RenewalStoppedOn.lt(day))
            .filter(number::Column::PaidThrough.lte(day))
            .order_by_asc(number::Column::Id)
            .limit(batch.limit)
            .all(&self.txn)
            .await
            .map_err(store_error)?;
        let mut records = Vec::with_capacity(rows.len());
        for row in rows {
            records.push(self.to_record(row).await?);
        }
        Ok(records)
    }

    async fn last_renewal_day(&mut self) -> Result<Option<NaiveDate>, StoreError> {
        Ok(renewal_state::Entity::find_by_id(1)
            .one(&self.txn)
            .await
            .map_err(store_error)?
            .and_then(|state| state.last_renewal_day))
    }

    async fn set_last_renewal_day(&mut self, day: NaiveDate) -> Result<(), StoreError> {
        let state = renewal_state::ActiveModel {
            id: Set(1),
            last_renewal_day: Set(Some(day)),
        };
        renewal_state::Entity::insert(state)
            .on_conflict(
                OnConflict::column(renewal_state::Column::Id)
                    .update_column(renewal_state::Column::LastRenewalDay)
                    .to_owned(),
            )
            .exec_without_returning(&self.txn)
            .await
            .map_err(store_error)?;
        Ok(())
    }
}

/// What a batch selected and how it moved the balances.
struct Selected {
    /// Due numbers the batch took, charged now or (after a crash) before.
    matched: u64,
    balances: Vec<BalanceMove>,
}

/// How one customer's balance moved in a batch, in minor units.
struct BalanceMove {
    customer: i64,
    before: i64,
    after: i64,
    charges: u64,
}

impl SeaOrmTransaction<'_> {
    /// PostgreSQL: the whole batch in one statement, one round trip.
    ///
    /// The batch takes due numbers in the order of the `numbers_due` index rather than by
    /// id: a charged number leaves the index range, so each batch reads only what it
    /// charges, where sorting by id would read every number still due, every batch.
    ///
    /// Servers sharing the database take turns (a transaction-scoped advisory lock): a
    /// second server's batch waits for the first to commit, then reads the numbers it
    /// moved past the day, so each period is charged once and the two never deadlock on
    /// the rows both would update.
    async fn charge_due_in_one_statement(
        &self,
        anchors: usize,
        values: Vec<Value>,
    ) -> Result<Selected, StoreError> {
        self.execute(
            "SELECT pg_advisory_xact_lock($1)",
            vec![RENEWAL_LOCK.into()],
        )
        .await?;
        let sql = format!(
            "WITH {anchors_cte},
            due AS (
                SELECT n.id, n.customer_id, n.fee_minor, n.fee_currency, a.period_end,
                       a.description
                {DUE}
                LIMIT $2
            ),
            charged AS (
                INSERT INTO ledger_entries {CHARGE_COLUMNS}
                SELECT customer_id, 'charge', -fee_minor, fee_currency, id, $1, period_end,
                       $4, description, $3
                FROM due ORDER BY id
                ON CONFLICT DO NOTHING
                RETURNING customer_id, amount_minor
            ),
            moved AS (
                UPDATE numbers SET paid_through = due.period_end, version = numbers.version + 1
                FROM due WHERE numbers.id = due.id
            ),
            totals AS (
                SELECT customer_id, sum(amount_minor)::bigint AS total, count(*) AS charges
                FROM charged GROUP BY customer_id
            ),
            balances AS (
                UPDATE customers SET balance_minor = customers.balance_minor + totals.total
                FROM totals WHERE customers.id = totals.customer_id
                RETURNING customers.id, customers.balance_minor - totals.total AS before,
                          customers.balance_minor AS after, totals.charges
            )
            SELECT (SELECT count(*) FROM due), balances.id, balances.before, balances.after,
                   balances.charges
            FROM (SELECT 1) AS one LEFT JOIN balances ON true",
            anchors_cte = anchors_cte(anchors),
        );
        let rows = self.query_all(&sql, values).await?;
        let mut selected = Selected {
            matched: 0,
            balances: Vec::with_capacity(rows.len()),
        };
        for row in &rows {
            selected.matched =
                u64::try_from(column::<i64>(row, 0)?).map_err(|e| corrupt("matched", e))?;
            // One row with no customer when nothing was charged.
            let Some(customer) = column::<Option<i64>>(row, 1)? else {
                continue;
            };
            selected.balances.push(BalanceMove {
                customer,
                before: column(row, 2)?,
                after: column(row, 3)?,
                charges: u64::try_from(column::<i64>(row, 4)?)
                    .map_err(|e| corrupt("charges", e))?,
            });
        }
        Ok(selected)
    }

    /// SQLite: the last due id of the batch bounds the same selection in each statement,
    /// so numbers are taken in id order.
    async fn charge_due_step_by_step(
        &self,
        anchors: usize,
        values: Vec<Value>,
    ) -> Result<Selected, StoreError> {
        let anchors_cte = anchors_cte(anchors);
        let last = format!(
            "WITH {anchors_cte}
            SELECT count(*), max(id) FROM (SELECT n.id {DUE} ORDER BY n.id LIMIT $2) AS batch"
        );
        let Some(row) = self.query_one(&last, values.clone()).await? else {
            return Err(corrupt("renewal batch", "no row from count(*)"));
        };
        let matched = u64::try_from(column::<i64>(&row, 0)?).map_err(|e| corrupt("matched", e))?;
        let Some(last_id) = column::<Option<i64>>(&row, 1)? else {
            return Ok(Selected {
                matched,
                balances: Vec::new(),
            });
        };
        // `$2` is the limit in the first statement and the last id in the others.
        let mut values = values;
        values[1] = last_id.into();
        let charge = format!(
            "WITH {anchors_cte}
            INSERT INTO ledger_entries {CHARGE_COLUMNS}
            SELECT n.customer_id, 'charge', -n.fee_minor, n.fee_currency, n.id, $1,
                   a.period_end, $4, a.description, $3
            {DUE} AND n.id <= $2 ORDER BY n.id
            ON CONFLICT DO NOTHING
            RETURNING customer_id, amount_minor"
        );
        let mut totals: BTreeMap<i64, (i64, u64)> = BTreeMap::new();
        for row in self.query_all(&charge, values.clone()).await? {
            let total = totals.entry(column(&row, 0)?).or_default();
            total.0 += column::<i64>(&row, 1)?;
            total.1 += 1;
        }
        let advance = format!(
            "WITH {anchors_cte}
            UPDATE numbers SET
                paid_through = (SELECT period_end FROM anchors a
                                WHERE a.anchor_day = numbers.anchor_day),
                version = version + 1
            WHERE id IN (SELECT n.id {DUE} AND n.id <= $2)"
        );
        self.execute(&advance, values).await?;
        let mut moves = Vec::with_capacity(totals.len());
        for (customer, (total, charges)) in totals {
            let row = self
                .query_one(
                    "UPDATE customers SET balance_minor = balance_minor + $2 WHERE id = $1 \
                     RETURNING balance_minor",
                    vec![customer.into(), total.into()],
                )
                .await?
                .ok_or(StoreError::Stale {
                    what: "customer",
                    id: customer,
                })?;
            let after: i64 = column(&row, 0)?;
            moves.push(BalanceMove {
                customer,
                before: after - total,
                after,
                charges,
            });
        }
        Ok(Selected {
            matched,
            balances: moves,
        })
    }
}
