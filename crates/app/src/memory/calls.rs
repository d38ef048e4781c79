use super::store::InMemoryTransaction;
use crate::model::{Page, PageRequest, RecordingOrderRecord, SipAccountRecord};
use crate::ports::Invariant;
use crate::ports::StoreError;
use crate::ports::store::CallRecords;
use crate::ports::store::{RecordingOrders, SipAccounts};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use vnum_calls::{CallLine, CallRecord};
use vnum_core::{CallId, NumberId, TrialId};
use vnum_core::{CustomerId, SipAccountId};

#[async_trait]
impl SipAccounts for InMemoryTransaction<'_> {
    async fn insert_sip_account(
        &mut self,
        mut record: SipAccountRecord,
    ) -> Result<SipAccountRecord, StoreError> {
        let login = record.account.login().as_str().to_owned();
        if self
            .state
            .sip_accounts
            .values()
            .any(|a| a.account.login().as_str() == login)
        {
            return Err(StoreError::Conflict {
                what: Invariant::SipLogin,
            });
        }
        record.id = SipAccountId(self.state.next_id());
        self.state.sip_accounts.insert(record.id, record.clone());
        Ok(record)
    }

    async fn update_sip_account(&mut self, record: &SipAccountRecord) -> Result<(), StoreError> {
        let slot = self
            .state
            .sip_accounts
            .get_mut(&record.id)
            .ok_or(StoreError::Stale {
                what: "SIP account",
                id: record.id.get(),
            })?;
        *slot = record.clone();
        Ok(())
    }

    async fn delete_sip_account(&mut self, id: SipAccountId) -> Result<(), StoreError> {
        self.state
            .sip_accounts
            .remove(&id)
            .map(drop)
            .ok_or(StoreError::Stale {
                what: "SIP account",
                id: id.get(),
            })
    }

    async fn sip_account(
        &mut self,
        id: SipAccountId,
    ) -> Result<Option<SipAccountRecord>, StoreError> {
        Ok(self.state.sip_accounts.get(&id).cloned())
    }

    async fn sip_account_by_login(
        &mut self,
        login: &str,
    ) -> Result<Option<SipAccountRecord>, StoreError> {
        Ok(self
            .state
            .sip_accounts
            .values()
            .find(|a| a.account.login().as_str() == login)
            .cloned())
    }

    async fn sip_accounts_of(
        &mut self,
        customer: CustomerId,
    ) -> Result<Vec<SipAccountRecord>, StoreError> {
        Ok(self
            .state
            .sip_accounts
            .values()
            .filter(|a| a.account.owner() == customer)
            .cloned()
            .collect())
    }
}

#[async_trait]
impl CallRecords for InMemoryTransaction<'_> {
    async fn insert_call(
        &mut self,
        call: CallRecord,
        reference: Option<&str>,
    ) -> Result<CallRecord, StoreError> {
        if reference.is_some_and(|r| self.state.call_references.contains_key(r)) {
            return Err(StoreError::Conflict {
                what: Invariant::CallReference,
            });
        }
        let call = call.with_id(CallId(self.state.next_id()));
        self.state.calls.insert(call.id(), call.clone());
        if let Some(reference) = reference {
            self.state
                .call_references
                .insert(reference.to_owned(), call.id());
        }
        Ok(call)
    }

    async fn update_call(&mut self, call: &CallRecord) -> Result<(), StoreError> {
        match self.state.calls.get_mut(&call.id()) {
            Some(stored) => {
                *stored = call.clone();
                Ok(())
            }
            None => Err(StoreError::Stale {
                what: "call",
                id: call.id().get(),
            }),
        }
    }

    async fn call_by_reference(
        &mut self,
        reference: &str,
    ) -> Result<Option<CallRecord>, StoreError> {
        Ok(self
            .state
            .call_references
            .get(reference)
            .and_then(|id| self.state.calls.get(id))
            .cloned())
    }

    async fn calls_of_trial(&mut self, trial: TrialId) -> Result<Vec<CallRecord>, StoreError> {
        let mut calls: Vec<CallRecord> = self
            .state
            .calls
            .values()
            .filter(|c| c.line() == CallLine::Trial(trial))
            .cloned()
            .collect();
        calls.sort_by_key(|c| (c.start(), c.id()));
        Ok(calls)
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
            .filter(|c| {
                c.number().is_some_and(|n| numbers.contains(&n))
                    && from <= c.start()
                    && c.start() < to
            })
            .cloned()
            .collect();
        calls.sort_by_key(|c| (c.start(), c.id()));
        Ok(calls)
    }

    async fn calls_page(
        &mut self,
        number: NumberId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        page: crate::model::PageRequest,
    ) -> Result<crate::model::Page<CallRecord>, StoreError> {
        let after = match page.after {
            Some(after) => match self.state.calls.get(&CallId(after)) {
                Some(call) => Some((call.start(), call.id())),
                None => return Ok(crate::model::Page::of_rows(Vec::new(), page, |_| 0)),
            },
            None => None,
        };
        let mut rows = self.calls(&[number], from, to).await?;
        rows.retain(|c| after.is_none_or(|after| (c.start(), c.id()) > after));
        rows.truncate(usize::try_from(page.rows()).unwrap_or(usize::MAX));
        Ok(crate::model::Page::of_rows(rows, page, |c| c.id().get()))
    }

    async fn customer_calls(
        &mut self,
        customer: CustomerId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CallRecord>, StoreError> {
        let numbers: Vec<NumberId> = self
            .state
            .numbers
            .values()
            .filter(|n| n.customer == customer)
            .map(|n| n.id)
            .collect();
        self.calls(&numbers, from, to).await
    }
}

#[async_trait]
impl RecordingOrders for InMemoryTransaction<'_> {
    async fn insert_recording_order(
        &mut self,
        order: RecordingOrderRecord,
    ) -> Result<RecordingOrderRecord, StoreError> {
        let stored = RecordingOrderRecord {
            id: self.state.next_id(),
            ..order
        };
        self.state
            .recording_orders
            .insert(stored.id, stored.clone());
        Ok(stored)
    }

    async fn recording_order(
        &mut self,
        id: i64,
    ) -> Result<Option<RecordingOrderRecord>, StoreError> {
        Ok(self.state.recording_orders.get(&id).cloned())
    }

    async fn end_recording_order(
        &mut self,
        order: &RecordingOrderRecord,
    ) -> Result<(), StoreError> {
        match self.state.recording_orders.get_mut(&order.id) {
            Some(stored) if stored.order.is_open() && !order.order.is_open() => {
                *stored = order.clone();
                Ok(())
            }
            _ => Err(StoreError::Stale {
                what: "recording order",
                id: order.id,
            }),
        }
    }

    async fn recording_orders_of_number(
        &mut self,
        number: NumberId,
    ) -> Result<Vec<RecordingOrderRecord>, StoreError> {
        Ok(self
            .state
            .recording_orders
            .values()
            .filter(|o| o.number == number)
            .cloned()
            .collect())
    }

    async fn open_recording_orders(
        &mut self,
        page: PageRequest,
    ) -> Result<Page<RecordingOrderRecord>, StoreError> {
        let rows = usize::try_from(page.rows()).unwrap_or(usize::MAX);
        let rows: Vec<RecordingOrderRecord> = self
            .state
            .recording_orders
            .values()
            .filter(|o| o.order.is_open())
            .filter(|o| page.after.is_none_or(|after| o.id > after))
            .take(rows)
            .cloned()
            .collect();
        Ok(Page::of_rows(rows, page, |o| o.id))
    }
}
