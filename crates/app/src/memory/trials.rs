//! In-memory [`Trials`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use vnum_core::{CustomerId, PhoneNumber, TrialId};
use vnum_lifecycle::Trial;

use super::store::InMemoryTransaction;
use crate::model::TrialRecord;
use crate::ports::Invariant;
use crate::ports::StoreError;
use crate::ports::store::Trials;

#[async_trait]
impl Trials for InMemoryTransaction<'_> {
    async fn next_trial_id(&mut self) -> Result<TrialId, StoreError> {
        Ok(TrialId(self.state.next_id()))
    }

    async fn insert_trial(&mut self, trial: &Trial) -> Result<TrialRecord, StoreError> {
        if self.state.trials.contains_key(&trial.id()) {
            return Err(StoreError::Conflict {
                what: Invariant::TrialId,
            });
        }
        // Two hours of one customer overlap when each starts before the other ends (R8.D1).
        let overlapping = self.state.trials.values().any(|r| {
            r.trial.customer() == trial.customer()
                && r.trial.started_at() < trial.ends_at()
                && trial.started_at() < r.trial.ends_at()
        });
        if overlapping {
            return Err(StoreError::Conflict {
                what: Invariant::TrialActive,
            });
        }
        let record = TrialRecord {
            trial: trial.clone(),
            returned_at: None,
        };
        self.state.trials.insert(trial.id(), record.clone());
        Ok(record)
    }

    async fn trials_of(&mut self, customer: CustomerId) -> Result<Vec<TrialRecord>, StoreError> {
        Ok(self
            .state
            .trials
            .values()
            .filter(|r| r.trial.customer() == customer)
            .cloned()
            .collect())
    }

    async fn unreturned_trials(&mut self) -> Result<Vec<TrialRecord>, StoreError> {
        Ok(self
            .state
            .trials
            .values()
            .filter(|r| r.returned_at.is_none())
            .cloned()
            .collect())
    }

    async fn trial(&mut self, id: TrialId) -> Result<Option<TrialRecord>, StoreError> {
        Ok(self.state.trials.get(&id).cloned())
    }

    async fn latest_trial_of_number(
        &mut self,
        number: &PhoneNumber,
    ) -> Result<Option<TrialRecord>, StoreError> {
        Ok(self
            .state
            .trials
            .values()
            .filter(|r| r.trial.number() == number)
            .max_by_key(|r| (r.trial.started_at(), r.trial.id()))
            .cloned())
    }

    async fn mark_trial_returned(
        &mut self,
        id: TrialId,
        at: DateTime<Utc>,
    ) -> Result<TrialRecord, StoreError> {
        match self.state.trials.get_mut(&id) {
            Some(record) if record.returned_at.is_none() => {
                record.returned_at = Some(at);
                Ok(record.clone())
            }
            _ => Err(StoreError::Stale {
                what: "trial",
                id: id.get(),
            }),
        }
    }

    async fn update_trial(&mut self, trial: &Trial) -> Result<TrialRecord, StoreError> {
        match self.state.trials.get_mut(&trial.id()) {
            Some(record) if record.returned_at.is_none() => {
                record.trial = trial.clone();
                Ok(record.clone())
            }
            _ => Err(StoreError::Stale {
                what: "trial",
                id: trial.id().get(),
            }),
        }
    }
}
