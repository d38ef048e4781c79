//! Storage of free one-hour tests (R8).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use vnum_core::{CustomerId, PhoneNumber, TrialId};
use vnum_lifecycle::Trial;

use super::StoreError;
use crate::model::TrialRecord;

/// Free tests: who tested which number when, and whether it went back to stock.
#[async_trait]
pub trait Trials: Send {
    /// A new id for a test about to start; never handed out twice.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn next_trial_id(&mut self) -> Result<TrialId, StoreError>;

    /// Stores a test that just started, not yet returned.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] with
    /// [`Invariant::TrialActive`](crate::ports::Invariant::TrialActive) when another test of
    /// the same customer overlaps its hour (one test at a time, R8.D1, whatever the caller
    /// checked), or [`Invariant::TrialId`](crate::ports::Invariant::TrialId) when the id is
    /// stored already.
    async fn insert_trial(&mut self, trial: &Trial) -> Result<TrialRecord, StoreError>;

    /// The customer's tests, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn trials_of(&mut self, customer: CustomerId) -> Result<Vec<TrialRecord>, StoreError>;

    /// Every test whose number has not gone back to stock yet, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn unreturned_trials(&mut self) -> Result<Vec<TrialRecord>, StoreError>;

    /// The test with this id, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn trial(&mut self, id: TrialId) -> Result<Option<TrialRecord>, StoreError>;

    /// The latest test of `number`, if it was ever lent.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn latest_trial_of_number(
        &mut self,
        number: &PhoneNumber,
    ) -> Result<Option<TrialRecord>, StoreError>;

    /// Records that the test's number went back to stock at `at`.
    ///
    /// # Errors
    /// [`StoreError::Stale`] when the test is missing or was returned already, so a number
    /// goes back once.
    async fn mark_trial_returned(
        &mut self,
        id: TrialId,
        at: DateTime<Utc>,
    ) -> Result<TrialRecord, StoreError>;

    /// Saves a test's settings (where its calls ring, R8 Decision); who, which number and
    /// when never change.
    ///
    /// # Errors
    /// [`StoreError::Stale`] when the test is missing or its number went back to stock.
    async fn update_trial(&mut self, trial: &Trial) -> Result<TrialRecord, StoreError>;
}
