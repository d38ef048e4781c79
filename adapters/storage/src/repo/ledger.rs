//! [`Ledger`] on `ledger_entries`, with the balance column of `customers` moved in step.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use vnum_app::model::{EntryKind, LedgerEntry, NewLedgerEntry, Page, PageRequest};
use vnum_app::ports::StoreError;
use vnum_app::ports::store::{Debit, Ledger};
use vnum_core::{CustomerId, LedgerEntryId, Money, NumberId, Period, RuleId};

use super::column;
use crate::cache::Key;
use crate::codec::{entry_kind, entry_kind_name, from_minor, to_minor};
use crate::entity::ledger_entry;
use crate::error::{corrupt, store_error};
use crate::store::SeaOrmTransaction;
use vnum_app::ports::Invariant;

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

/// Moves the balance only while it stays within `[$3, $4]`: one conditional update, so the
/// check and the movement are one atomic step (R1.D2, R10.D6). Concurrent movements of one
/// customer queue on its row lock, and each re-checks the bound on the row it finally
/// updates, so none is lost and none takes the balance out of bounds. Both bounds are at
/// most [`Money::MAX_MINOR_UNITS`] away from zero and so is every amount, so the sum never
/// overflows a BIGINT.
const MOVE_BALANCE: &str = "
UPDATE customers SET balance_minor = balance_minor + $2
WHERE id = $1 AND currency = $5 AND balance_minor + $2 BETWEEN $3 AND $4
RETURNING balance_minor";

/// How low a movement may take the balance.
#[derive(Clone, Copy)]
enum Floor {
    /// A purchase: the balance must cover it (R1.4, R1.D2).
    Zero,
    /// Anything else: as far as storage allows (a renewal charge may make a debt, R10.3).
    Bound,
}

#[async_trait]
impl Ledger for SeaOrmTransaction<'_> {
    async fn append(&mut self, new: NewLedgerEntry) -> Result<LedgerEntry, StoreError> {
        match self.book(new, Floor::Bound).await? {
            Debit::Taken(entry) => Ok(entry),
            // Only a floor of zero leaves a balance short.
            Debit::Short { .. } => Err(StoreError::Corrupt(
                "a movement without a floor was refused as short".into(),
            )),
        }
    }

    async fn debit(&mut self, new: NewLedgerEntry) -> Result<Debit, StoreError> {
        self.book(new, Floor::Zero).await
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

    async fn period_charges(&mut self, number: NumberId) -> Result<Vec<LedgerEntry>, StoreError> {
        // `ledger_charge_period` (number_id, period_start) holds exactly these rows.
        ledger_entry::Entity::find()
            .filter(ledger_entry::Column::NumberId.eq(number.get()))
            .filter(ledger_entry::Column::PeriodStart.is_not_null())
            .filter(ledger_entry::Column::Kind.eq(entry_kind_name(EntryKind::Charge)))
            .order_by_asc(ledger_entry::Column::Id)
            .all(&self.txn)
            .await
            .map_err(store_error)?
            .into_iter()
            .map(to_entry)
            .collect()
    }

    async fn entries_page(
        &mut self,
        customer: CustomerId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        page: PageRequest,
    ) -> Result<Page<LedgerEntry>, StoreError> {
        use ledger_entry::Column;
        let mut query = ledger_entry::Entity::find()
            .filter(Column::CustomerId.eq(customer.get()))
            .filter(Column::At.gte(from))
            .filter(Column::At.lt(to));
        if let Some(after) = page.after {
            // Keyset on (at, id), which the index on (customer_id, at) serves.
            let cursor = ledger_entry::Entity::find_by_id(after)
                .filter(Column::CustomerId.eq(customer.get()))
                .one(&self.txn)
                .await
                .map_err(store_error)?;
            let Some(cursor) = cursor else {
                return Ok(Page::of_rows(Vec::new(), page, |e| e.id.get()));
            };
            query = query.filter(
                Condition::any().add(Column::At.gt(cursor.at)).add(
                    Condition::all()
                        .add(Column::At.eq(cursor.at))
                        .add(Column::Id.gt(after)),
                ),
            );
        }
        let rows = query
            .order_by_asc(Column::At)
            .order_by_asc(Column::Id)
            .limit(page.rows())
            .all(&self.txn)
            .await
            .map_err(store_error)?
            .into_iter()
            .map(to_entry)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::of_rows(rows, page, |e| e.id.get()))
    }
}

impl SeaOrmTransaction<'_> {
    /// Moves the balance within its bounds, then inserts the entry; when the entry cannot
    /// go in (a reference or a period taken), moves the balance back in the same unit of
    /// work, whose row lock it still holds.
    async fn book(&mut self, new: NewLedgerEntry, floor: Floor) -> Result<Debit, StoreError> {
        // An amount past the bound would take any balance past it too (R10.D6).
        let amount = match new.amount.to_minor_units() {
            Err(vnum_core::MoneyError::OutOfBounds { .. }) => {
                return Err(StoreError::BalanceLimit {
                    customer: new.customer.get(),
                });
            }
            _ => to_minor(new.amount)?,
        };
        let low = match floor {
            Floor::Zero => 0,
            Floor::Bound => -Money::MAX_MINOR_UNITS,
        };
        let moved = self
            .query_one(
                MOVE_BALANCE,
                vec![
                    new.customer.get().into(),
                    amount.into(),
                    low.into(),
                    Money::MAX_MINOR_UNITS.into(),
                    new.amount.currency().code().into(),
                ],
            )
            .await?;
        if moved.is_none() {
            return self.why_not_moved(&new, amount, floor).await;
        }
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
            self.execute(
                "UPDATE customers SET balance_minor = balance_minor - $2 WHERE id = $1",
                vec![new.customer.get().into(), amount.into()],
            )
            .await?;
            return Err(self.why_not_appended(&new).await);
        };
        Ok(Debit::Taken(new.stored_as(LedgerEntryId(column(&row, 0)?))))
    }

    /// Why [`MOVE_BALANCE`] moved nothing: a missing customer, another currency, a balance
    /// short of a purchase, or one that would leave the storable range.
    async fn why_not_moved(
        &self,
        new: &NewLedgerEntry,
        amount: i64,
        floor: Floor,
    ) -> Result<Debit, StoreError> {
        let customer = new.customer.get();
        let row = self
            .query_one(
                "SELECT balance_minor, currency FROM customers WHERE id = $1",
                vec![customer.into()],
            )
            .await?
            .ok_or(StoreError::Stale {
                what: "customer",
                id: customer,
            })?;
        let balance = from_minor(column(&row, 0)?, &column::<String>(&row, 1)?)?;
        if balance.currency() != new.amount.currency() {
            return Err(StoreError::Corrupt(format!(
                "cannot book {} on a balance in {}: amounts are in different currencies",
                new.amount,
                balance.currency()
            )));
        }
        let after = column::<i64>(&row, 0)?.saturating_add(amount);
        match floor {
            Floor::Zero if after < 0 => Ok(Debit::Short { balance }),
            _ => Err(StoreError::BalanceLimit { customer }),
        }
    }

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
                        what: Invariant::LedgerReference,
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
                        what: Invariant::LedgerChargePeriod,
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
