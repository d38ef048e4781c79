//! In-memory [`SmsAllocations`].

use async_trait::async_trait;
use vnum_core::{CustomerId, NumberId, PhoneNumber, SmsAllocationId};
use vnum_sms::{AllocationState, Service, SmsAllocation};

use super::store::InMemoryTransaction;
use crate::model::{NumberSms, Page, PageRequest, ReceivedSms, SmsAllocationRecord};
use crate::ports::Invariant;
use crate::ports::StoreError;
use crate::ports::store::{NumberMessages, SmsAllocations};

fn is_waiting(record: &SmsAllocationRecord) -> bool {
    record.allocation.state() == AllocationState::Waiting
}

#[async_trait]
impl SmsAllocations for InMemoryTransaction<'_> {
    async fn next_sms_allocation_id(&mut self) -> Result<SmsAllocationId, StoreError> {
        Ok(SmsAllocationId(self.state.next_id()))
    }

    async fn issued_for(&mut self, service: &Service) -> Result<Vec<PhoneNumber>, StoreError> {
        Ok(self
            .state
            .sms_allocations
            .values()
            .filter(|r| r.allocation.service() == service)
            .map(|r| r.allocation.number().clone())
            .collect())
    }

    async fn waiting_sms_allocations(&mut self) -> Result<Vec<SmsAllocationRecord>, StoreError> {
        Ok(self
            .state
            .sms_allocations
            .values()
            .filter(|r| is_waiting(r))
            .cloned()
            .collect())
    }

    async fn insert_sms_allocation(
        &mut self,
        record: SmsAllocationRecord,
    ) -> Result<SmsAllocationRecord, StoreError> {
        let new = &record.allocation;
        let mut stored = self.state.sms_allocations.values();
        if stored.clone().any(|r| {
            r.allocation.id() == new.id()
                || (r.allocation.number() == new.number()
                    && r.allocation.service() == new.service())
        }) {
            return Err(StoreError::Conflict {
                what: Invariant::SmsAllocation,
            });
        }
        if stored.any(|r| is_waiting(r) && r.allocation.number() == new.number()) {
            return Err(StoreError::Conflict {
                what: Invariant::SmsNumberBusy,
            });
        }
        self.state.sms_allocations.insert(new.id(), record.clone());
        Ok(record)
    }

    async fn end_sms_allocation(
        &mut self,
        allocation: &SmsAllocation,
        message: Option<ReceivedSms>,
    ) -> Result<SmsAllocationRecord, StoreError> {
        let ends = allocation.state() != AllocationState::Waiting;
        match self.state.sms_allocations.get_mut(&allocation.id()) {
            Some(record) if ends && is_waiting(record) => {
                record.allocation = allocation.clone();
                record.message = message;
                Ok(record.clone())
            }
            _ => Err(StoreError::Stale {
                what: "sms allocation",
                id: allocation.id().get(),
            }),
        }
    }

    async fn latest_sms_allocation(
        &mut self,
        number: &PhoneNumber,
    ) -> Result<Option<SmsAllocationRecord>, StoreError> {
        Ok(self
            .state
            .sms_allocations
            .values()
            .filter(|r| r.allocation.number() == number)
            .max_by_key(|r| (r.allocation.allocated_at(), r.allocation.id()))
            .cloned())
    }

    async fn sms_allocations_of(
        &mut self,
        customer: CustomerId,
    ) -> Result<Vec<SmsAllocationRecord>, StoreError> {
        Ok(self
            .state
            .sms_allocations
            .values()
            .filter(|r| r.allocation.customer() == customer)
            .cloned()
            .collect())
    }
}

#[async_trait]
impl NumberMessages for InMemoryTransaction<'_> {
    async fn insert_number_sms(&mut self, sms: NumberSms) -> Result<NumberSms, StoreError> {
        let stored = NumberSms {
            id: self.state.next_id(),
            ..sms
        };
        self.state.number_sms.insert(stored.id, stored.clone());
        Ok(stored)
    }

    async fn number_sms_page(
        &mut self,
        number: NumberId,
        page: PageRequest,
    ) -> Result<Page<NumberSms>, StoreError> {
        let rows = usize::try_from(page.rows()).unwrap_or(usize::MAX);
        let rows: Vec<NumberSms> = self
            .state
            .number_sms
            .values()
            .rev()
            .filter(|sms| sms.number == number)
            .filter(|sms| page.after.is_none_or(|after| sms.id < after))
            .take(rows)
            .cloned()
            .collect();
        Ok(Page::of_rows(rows, page, |sms| sms.id))
    }
}
