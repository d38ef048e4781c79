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
use sea_orm::{DbBackend, EntityTrait, Set, Value};
use vnum_app::model::{RenewalBatch, RenewalBatchOutcome};
use vnum_app::ports::StoreError;
use vnum_app::ports::store::Renewals;
use vnum_core::{CustomerId, Period};

use super::column;
use crate::entity::renewal_state;
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

/// Due on `$1` (R10.2, R10.7): an anchor day of the batch, paid up to at most the charge
/// day, and not deleted before it.
const DUE: &str = "
    FROM numbers n JOIN anchors a ON a.anchor_day = n.anchor_day
    WHERE n.paid_through <= $1 AND (n.deleted_on IS NULL OR n.deleted_on >= $1)";

/// The charge rows: `$3` is when they are booked, `$4` the rule.
const CHARGE_COLUMNS: &str = "(customer_id, kind, amount_minor, currency, number_id, \
    period_start, period_end, rule, description, at)";

#[async_trait]
impl Renewals for SeaOrmTransaction<'_> {
    async fn charge_due(
        &mut self,
        batch: &RenewalBatch,
    ) -> Result<RenewalBatchOutcome, StoreError> {
        let day = batch.charge_day;
        let mut values: Vec<Value> = vec![
            day.into(),
            i64::try_from(batch.limit).unwrap_or(i64::MAX).into(),
            batch.at.into(),
            vnum_core::rule::R10_2.as_str().into(),
        ];
        let mut anchors = 0;
        for (anchor, end) in &batch.anchors {
            // A period that does not end after the charge day charges nothing, as in the
            // in-memory store.
            let Ok(period) = Period::new(day, *end) else {
                continue;
            };
            let anchor = i32::try_from(*anchor).map_err(|e| corrupt("anchor day", e))?;
            values.extend([
                anchor.into(),
                (*end).into(),
                format!("Monthly fee {period}").into(),
            ]);
            anchors += 1;
        }
        if anchors == 0 || batch.limit == 0 {
            return Ok(RenewalBatchOutcome::default());
        }
        let balances = match self.backend {
            DbBackend::Postgres => self.charge_due_in_one_statement(anchors, values).await?,
            _ => self.charge_due_step_by_step(anchors, values).await?,
        };
        let mut outcome = RenewalBatchOutcome::default();
        for moved in balances {
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
    async fn charge_due_in_one_statement(
        &self,
        anchors: usize,
        values: Vec<Value>,
    ) -> Result<Vec<BalanceMove>, StoreError> {
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
            )
            UPDATE customers SET balance_minor = customers.balance_minor + totals.total
            FROM totals WHERE customers.id = totals.customer_id
            RETURNING customers.id, customers.balance_minor - totals.total,
                      customers.balance_minor, totals.charges",
            anchors_cte = anchors_cte(anchors),
        );
        self.query_all(&sql, values)
            .await?
            .iter()
            .map(|row| {
                Ok(BalanceMove {
                    customer: column(row, 0)?,
                    before: column(row, 1)?,
                    after: column(row, 2)?,
                    charges: u64::try_from(column::<i64>(row, 3)?)
                        .map_err(|e| corrupt("charges", e))?,
                })
            })
            .collect()
    }

    /// SQLite: the last due id of the batch bounds the same selection in each statement,
    /// so numbers are taken in id order.
    async fn charge_due_step_by_step(
        &self,
        anchors: usize,
        values: Vec<Value>,
    ) -> Result<Vec<BalanceMove>, StoreError> {
        let anchors_cte = anchors_cte(anchors);
        let last = format!(
            "WITH {anchors_cte}
            SELECT max(id) FROM (SELECT n.id {DUE} ORDER BY n.id LIMIT $2) AS batch"
        );
        let Some(last_id) = self
            .query_one(&last, values.clone())
            .await?
            .map(|row| column::<Option<i64>>(&row, 0))
            .transpose()?
            .flatten()
        else {
            return Ok(Vec::new());
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
        Ok(moves)
    }
}
