use async_trait::async_trait;
use chrono::{DateTime, Utc};
use vnum_calls::CallRecord;
use vnum_core::NumberId;

use super::StoreError;

/// Call detail records (R4.6).
#[async_trait]
pub trait CallRecords: Send {
    /// Stores a call under a new id, which the returned record carries; the id of the
    /// argument is ignored.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn insert_call(&mut self, call: CallRecord) -> Result<CallRecord, StoreError>;

    /// The calls of these numbers that started at `from <= start < to`, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn calls(
        &mut self,
        numbers: &[NumberId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CallRecord>, StoreError>;
}
