//! [`Trials`] on the `trials` table (R8).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use vnum_app::model::TrialRecord;
use vnum_app::ports::StoreError;
use vnum_app::ports::store::Trials;
use vnum_core::{CustomerId, PhoneNumber, TrialId};
use vnum_lifecycle::Trial;

use super::{Sequence, column, from_json, to_json};
use crate::store::SeaOrmTransaction;
use vnum_app::ports::Invariant;

/// The columns a [`TrialRecord`] is read from: the trial as JSON and when it was returned.
const COLUMNS: &str = "SELECT record, returned_at FROM trials";

#[async_trait]
impl Trials for SeaOrmTransaction<'_> {
    async fn next_trial_id(&mut self) -> Result<TrialId, StoreError> {
        Ok(TrialId(self.next_id(Sequence::Trials).await?))
    }

    /// One test at a time (R8.D1) is "no other test of the customer overlaps this hour",
    /// which no unique index can say. The check is made safe under concurrency by locking
    /// the customer's row first (a no-op update): a second insert for the same customer
    /// waits until the first commits, then sees its test. SQLite has one writer anyway.
    async fn insert_trial(&mut self, trial: &Trial) -> Result<TrialRecord, StoreError> {
        let customer = trial.customer().get();
        self.execute(
            "UPDATE customers SET balance_minor = balance_minor WHERE id = $1",
            vec![customer.into()],
        )
        .await?;
        let row = self
            .query_one(
                "SELECT
                    (SELECT count(*) FROM trials WHERE id = $1),
                    (SELECT count(*) FROM trials
                     WHERE customer_id = $2 AND started_at < $4 AND $3 < ends_at)",
                vec![
                    trial.id().get().into(),
                    customer.into(),
                    trial.started_at().into(),
                    trial.ends_at().into(),
                ],
            )
            .await?;
        let (same_id, overlapping) = match row {
            Some(row) => (column::<i64>(&row, 0)?, column::<i64>(&row, 1)?),
            None => (0, 0),
        };
        if same_id > 0 {
            return Err(StoreError::Conflict {
                what: Invariant::TrialId,
            });
        }
        if overlapping > 0 {
            return Err(StoreError::Conflict {
                what: Invariant::TrialActive,
            });
        }
        self.write(
            "INSERT INTO trials (id, customer_id, number, started_at, ends_at, record) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            vec![
                trial.id().get().into(),
                customer.into(),
                trial.number().as_str().into(),
                trial.started_at().into(),
                trial.ends_at().into(),
                to_json(trial)?,
            ],
        )
        .await?;
        Ok(TrialRecord {
            trial: trial.clone(),
            returned_at: None,
        })
    }

    async fn trials_of(&mut self, customer: CustomerId) -> Result<Vec<TrialRecord>, StoreError> {
        self.trial_records(
            "WHERE customer_id = $1 ORDER BY id",
            vec![customer.get().into()],
        )
        .await
    }

    async fn unreturned_trials(&mut self) -> Result<Vec<TrialRecord>, StoreError> {
        self.trial_records("WHERE returned_at IS NULL ORDER BY id", Vec::new())
            .await
    }

    async fn trial(&mut self, id: TrialId) -> Result<Option<TrialRecord>, StoreError> {
        Ok(self
            .trial_records("WHERE id = $1", vec![id.get().into()])
            .await?
            .pop())
    }

    async fn latest_trial_of_number(
        &mut self,
        number: &PhoneNumber,
    ) -> Result<Option<TrialRecord>, StoreError> {
        Ok(self
            .trial_records(
                "WHERE number = $1 ORDER BY started_at DESC, id DESC LIMIT 1",
                vec![number.as_str().into()],
            )
            .await?
            .pop())
    }

    /// `returned_at IS NULL` in the update decides: a number goes back once (R8.D1).
    async fn mark_trial_returned(
        &mut self,
        id: TrialId,
        at: DateTime<Utc>,
    ) -> Result<TrialRecord, StoreError> {
        let returned = self
            .execute(
                "UPDATE trials SET returned_at = $2 WHERE id = $1 AND returned_at IS NULL",
                vec![id.get().into(), at.into()],
            )
            .await?;
        let stale = StoreError::Stale {
            what: "trial",
            id: id.get(),
        };
        if returned == 0 {
            return Err(stale);
        }
        self.trial_records("WHERE id = $1", vec![id.get().into()])
            .await?
            .pop()
            .ok_or(stale)
    }

    /// `returned_at IS NULL` decides: a test whose number is back in stock is not changed.
    async fn update_trial(&mut self, trial: &Trial) -> Result<TrialRecord, StoreError> {
        let stale = StoreError::Stale {
            what: "trial",
            id: trial.id().get(),
        };
        let updated = self
            .execute(
                "UPDATE trials SET record = $2 WHERE id = $1 AND returned_at IS NULL",
                vec![trial.id().get().into(), to_json(trial)?],
            )
            .await?;
        if updated == 0 {
            return Err(stale);
        }
        self.trial_records("WHERE id = $1", vec![trial.id().get().into()])
            .await?
            .pop()
            .ok_or(stale)
    }
}

impl SeaOrmTransaction<'_> {
    async fn trial_records(
        &self,
        rest: &str,
        values: Vec<sea_orm::Value>,
    ) -> Result<Vec<TrialRecord>, StoreError> {
        self.query_all(&format!("{COLUMNS} {rest}"), values)
            .await?
            .iter()
            .map(|row| {
                Ok(TrialRecord {
                    trial: from_json(&column::<String>(row, 0)?)?,
                    returned_at: column(row, 1)?,
                })
            })
            .collect()
    }
}
