use async_trait::async_trait;
use chrono::{DateTime, Utc};
use vnum_calls::{CallRecord, CallRecordFields};
use vnum_core::{CallId, NumberId};

use super::store::InMemoryTransaction;
use crate::ports::StoreError;
use crate::ports::store::CallRecords;

#[async_trait]
impl CallRecords for InMemoryTransaction<'_> {
    async fn insert_call(&mut self, call: CallRecord) -> Result<CallRecord, StoreError> {
        let call = with_id(&call, CallId(self.state.next_id()))?;
        self.state.calls.insert(call.id(), call.clone());
        Ok(call)
    }

    async fn calls(
        &mut self,
        numbers: &[NumberId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CallRecord>, StoreError> {
        let mut calls: Vec<CallRecord> = self
            .state
            .calls
            .values()
            .filter(|c| numbers.contains(&c.number()) && from <= c.start() && c.start() < to)
            .cloned()
            .collect();
        calls.sort_by_key(|c| (c.start(), c.id()));
        Ok(calls)
    }
}

/// The same call under another id, rebuilt through its validated constructor as an
/// adapter reading a row back would.
fn with_id(call: &CallRecord, id: CallId) -> Result<CallRecord, StoreError> {
    CallRecord::new(CallRecordFields {
        id,
        number: call.number(),
        direction: call.direction(),
        from: call.from().to_owned(),
        to: call.to().to_owned(),
        start: call.start(),
        answer: call.answer(),
        end: call.end(),
        disposition: call.disposition(),
        answered_by: call.answered_by().map(str::to_owned),
    })
    .map_err(|e| StoreError::Corrupt(e.to_string()))
}
