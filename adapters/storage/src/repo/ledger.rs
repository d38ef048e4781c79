//! [`Ledger`] on `ledger_entries`, with the balance column of `customers` moved in step.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use vnum_app::model::{EntryKind, LedgerEntry, NewLedgerEntry};
use vnum_app::ports::StoreError;
use vnum_app::ports::store::Ledger;
use vnum_core::{CustomerId, LedgerEntryId, Money, NumberId, Period, RuleId};

use super::column;
use crate::cache::Key;
use crate::codec::{entry_kind, entry_kind_name, from_minor, to_minor};
use crate::entity::ledger_entry;
use crate::error::{corrupt, store_error};
use crate::store::SeaOrmTransaction;

/// Inserts the entry only if the customer exists in the entry's currency; a reference or
/// charge period taken already inserts nothing (`DO NOTHING` keeps the transaction usable,
/// as the port promises). `RETURNING` says whether the row went in.
const INSERT_ENTRY: &str = "
INSERT INTO ledger_entries
    (customer_id, kind, amount_minor, currency, number_id, period_start, period_end, rule,
     reference, description, at)
SELECT id, $2, $3, currency, $4, $5, $6, $7, $8, $9, $10
FROM customers WHERE id = $1 AND currency = $11
ON CONFLICT DO NOTHING
RETURNING id";

/// An atomic increment: concurrent appends to one customer queue on its row lock and
/// none is lost.
const MOVE_BALANCE: &str = "UPDATE customers SET balance_minor = balance_minor + $2 WHERE id = $1";

#[async_trait]
impl Ledger for SeaOrmTransaction<'_> {
    async fn append(&mut self, new: NewLedgerEntry) -> Result<LedgerEntry, StoreError> {
        let amount = to_minor(new.amount)?;
        let inserted = self
            .query_one(
                INSERT_ENTRY,
                vec![
                    new.customer.get().into(),
                    entry_kind_name(new.kind).into(),
                    amount.into(),
                    new.number.map(NumberId::get).into(),
                    new.period.map(|p| p.start()).into(),
                    new.period.map(|p| p.end()).into(),
                    new.rule.map(RuleId::as_str).into(),
                    new.reference.clone().into(),
                    new.description.clone().into(),
                    new.at.into(),
                    new.amount.currency().code().into(),
                ],
            )
            .await?;
        let Some(row) = inserted else {
            return Err(self.why_not_appended(&new).await);
        };
        self.execute(MOVE_BALANCE, vec![new.customer.get().into(), amount.into()])
            .await?;
        Ok(new.stored_as(LedgerEntryId(column(&row, 0)?)))
    }

    async fn balance(&mut self, customer: CustomerId) -> Result<Money, StoreError> {
        cached!(self, Key::Balance(customer.get()), {
            let row = self
                .query_one(
                    "SELECT balance_minor, currency FROM customers WHERE id = $1",
                    vec![customer.get().into()],
                )
                .await?
                .ok_or(StoreError::Stale {
                    what: "customer",
                    id: customer.get(),
                })?;
            from_minor(column(&row, 0)?, &column::<String>(&row, 1)?)
        })
    }

    async fn entry_by_reference(
        &mut self,
        customer: CustomerId,
        reference: &str,
    ) -> Result<Option<LedgerEntry>, StoreError> {
        ledger_entry::Entity::find()
            .filter(ledger_entry::Column::CustomerId.eq(customer.get()))
            .filter(ledger_entry::Column::Reference.eq(reference))
            .one(&self.txn)
            .await
            .map_err(store_error)?
            .map(to_entry)
            .transpose()
    }

    async fn entries(
        &mut self,
        customer: CustomerId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        ledger_entry::Entity::find()
            .filter(ledger_entry::Column::CustomerId.eq(customer.get()))
            .filter(ledger_entry::Column::At.gte(from))
            .filter(ledger_entry::Column::At.lt(to))
            .order_by_asc(ledger_entry::Column::Id)
            .all(&self.txn)
            .await
            .map_err(store_error)?
            .into_iter()
            .map(to_entry)
            .collect()
    }
}

impl SeaOrmTransaction<'_> {
    /// Why [`INSERT_ENTRY`] inserted nothing, checked in the order the in-memory store
    /// checks: a missing customer, a reference taken, a period charged, another currency.
    async fn why_not_appended(&self, new: &NewLedgerEntry) -> StoreError {
        let customer = new.customer.get();
        let currency = match self
            .query_one(
                "SELECT currency FROM customers WHERE id = $1",
                vec![customer.into()],
            )
            .await
        {
            Ok(Some(row)) => match column::<String>(&row, 0) {
                Ok(currency) => currency,
                Err(e) => return e,
            },
            Ok(None) => {
                return StoreError::Stale {
                    what: "customer",
                    id: customer,
                };
            }
            Err(e) => return e,
        };
        if let Some(reference) = &new.reference {
            match self
                .query_one(
                    "SELECT 1 FROM ledger_entries WHERE customer_id = $1 AND reference = $2",
                    vec![customer.into(), reference.clone().into()],
                )
                .await
            {
                Ok(Some(_)) => {
                    return StoreError::Conflict {
                        what: "ledger_reference",
                    };
                }
                Ok(None) => {}
                Err(e) => return e,
            }
        }
        if let (EntryKind::Charge, Some(number), Some(period)) = (new.kind, new.number, new.period)
        {
            match self
                .query_one(
                    "SELECT 1 FROM ledger_entries \
                     WHERE kind = 'charge' AND number_id = $1 AND period_start = $2",
                    vec![number.get().into(), period.start().into()],
                )
                .await
            {
                Ok(Some(_)) => {
                    return StoreError::Conflict {
                        what: "ledger_charge_period",
                    };
                }
                Ok(None) => {}
                Err(e) => return e,
            }
        }
        StoreError::Corrupt(format!(
            "cannot book {} on a balance in {currency}: amounts are in different currencies",
            new.amount
        ))
    }
}

fn to_entry(row: ledger_entry::Model) -> Result<LedgerEntry, StoreError> {
    let period = match (row.period_start, row.period_end) {
        (Some(start), Some(end)) => {
            Some(Period::new(start, end).map_err(|e| corrupt("ledger period", e))?)
        }
        (None, None) => None,
        _ => return Err(corrupt("ledger period", "half a period")),
    };
    let rule = row
        .rule
        .map(|id| RuleId::find(&id).ok_or_else(|| corrupt("rule id", id)))
        .transpose()?;
    Ok(LedgerEntry {
        id: LedgerEntryId(row.id),
        customer: CustomerId(row.customer_id),
        kind: entry_kind(&row.kind)?,
        amount: from_minor(row.amount_minor, &row.currency)?,
        number: row.number_id.map(NumberId),
        period,
        rule,
        reference: row.reference,
        description: row.description,
        at: row.at,
    })
}
