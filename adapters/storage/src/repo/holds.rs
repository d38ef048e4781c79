//! [`Holds`] on the `holds` table (R1.3): one row per held number.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::QueryResult;
use vnum_app::ports::store::Holds;
use vnum_app::ports::{Invariant, StoreError};
use vnum_core::{CustomerId, OfferId, PhoneNumber};
use vnum_lifecycle::Hold;

use super::column;
use crate::error::corrupt;
use crate::store::SeaOrmTransaction;

const COLUMNS: &str = "e164, offer_id, customer_id, held_until";

#[async_trait]
impl Holds for SeaOrmTransaction<'_> {
    /// One conditional upsert on the unique index `hold_number`: a new row, or the row of
    /// a hold that has ended (`held_until <= now`: `Hold::is_live` is false) replaced. On
    /// PostgreSQL a concurrent pick of the same number waits for the row and then finds
    /// it live, so exactly one pick is stored; SQLite has one writer.
    async fn place_hold(&mut self, hold: &Hold, now: DateTime<Utc>) -> Result<Hold, StoreError> {
        let placed = self
            .execute(
                &format!(
                    "INSERT INTO holds ({COLUMNS}) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (e164) DO UPDATE SET offer_id = excluded.offer_id, \
                     customer_id = excluded.customer_id, held_until = excluded.held_until \
                     WHERE holds.held_until <= $5"
                ),
                vec![
                    hold.number().as_str().into(),
                    hold.offer().get().into(),
                    hold.customer().get().into(),
                    hold.until().into(),
                    now.into(),
                ],
            )
            .await?;
        if placed == 0 {
            return Err(StoreError::Conflict {
                what: Invariant::HoldNumber,
            });
        }
        Ok(hold.clone())
    }

    async fn hold_on(&mut self, number: &PhoneNumber) -> Result<Option<Hold>, StoreError> {
        self.query_one(
            &format!("SELECT {COLUMNS} FROM holds WHERE e164 = $1"),
            vec![number.as_str().into()],
        )
        .await?
        .as_ref()
        .map(hold)
        .transpose()
    }

    async fn holds_of(&mut self, customer: CustomerId) -> Result<Vec<Hold>, StoreError> {
        self.holds_where("customer_id = $1", vec![customer.get().into()])
            .await
    }

    async fn holds_for(&mut self, offer: OfferId) -> Result<Vec<Hold>, StoreError> {
        self.holds_where("offer_id = $1", vec![offer.get().into()])
            .await
    }

    async fn remove_hold(&mut self, number: &PhoneNumber) -> Result<Option<Hold>, StoreError> {
        self.query_one(
            &format!("DELETE FROM holds WHERE e164 = $1 RETURNING {COLUMNS}"),
            vec![number.as_str().into()],
        )
        .await?
        .as_ref()
        .map(hold)
        .transpose()
    }

    /// `held_until <= now` is `Hold::is_live` false, as the contract suite checks at the
    /// boundary.
    async fn remove_ended_holds(&mut self, now: DateTime<Utc>) -> Result<Vec<Hold>, StoreError> {
        let mut ended = self
            .query_all(
                &format!("DELETE FROM holds WHERE held_until <= $1 RETURNING {COLUMNS}"),
                vec![now.into()],
            )
            .await?
            .iter()
            .map(hold)
            .collect::<Result<Vec<_>, _>>()?;
        ended.sort_by(|a, b| a.number().cmp(b.number()));
        Ok(ended)
    }
}

impl SeaOrmTransaction<'_> {
    async fn holds_where(
        &self,
        condition: &str,
        values: Vec<sea_orm::Value>,
    ) -> Result<Vec<Hold>, StoreError> {
        let mut holds = self
            .query_all(
                &format!("SELECT {COLUMNS} FROM holds WHERE {condition}"),
                values,
            )
            .await?
            .iter()
            .map(hold)
            .collect::<Result<Vec<_>, _>>()?;
        // By number as the port says, in Rust: database collations order text differently.
        holds.sort_by(|a, b| a.number().cmp(b.number()));
        Ok(holds)
    }
}

/// A row back as a [`Hold`].
fn hold(row: &QueryResult) -> Result<Hold, StoreError> {
    let number = column::<String>(row, 0)?;
    Ok(Hold::restore(
        PhoneNumber::parse(&number).map_err(|e| corrupt(&format!("held number {number}"), e))?,
        OfferId(column(row, 1)?),
        CustomerId(column(row, 2)?),
        column::<DateTime<Utc>>(row, 3)?,
    ))
}
