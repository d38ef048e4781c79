//! [`SmsAllocations`] on the `sms_allocations` table (R9).

use async_trait::async_trait;
use vnum_app::model::{ReceivedSms, SmsAllocationRecord};
use vnum_app::ports::StoreError;
use vnum_app::ports::store::SmsAllocations;
use vnum_core::{CustomerId, PhoneNumber, SmsAllocationId};
use vnum_sms::{AllocationState, Service, SmsAllocation};

use super::{Sequence, to_json};
use crate::store::SeaOrmTransaction;

fn is_waiting(allocation: &SmsAllocation) -> bool {
    allocation.state() == AllocationState::Waiting
}

#[async_trait]
impl SmsAllocations for SeaOrmTransaction<'_> {
    async fn next_sms_allocation_id(&mut self) -> Result<SmsAllocationId, StoreError> {
        Ok(SmsAllocationId(
            self.next_id(Sequence::SmsAllocations).await?,
        ))
    }

    async fn issued_for(&mut self, service: &Service) -> Result<Vec<PhoneNumber>, StoreError> {
        let records: Vec<SmsAllocationRecord> = self
            .records(
                "SELECT record FROM sms_allocations WHERE service = $1 ORDER BY id",
                vec![service.as_str().into()],
            )
            .await?;
        Ok(records
            .into_iter()
            .map(|r| r.allocation.number().clone())
            .collect())
    }

    async fn waiting_sms_allocations(&mut self) -> Result<Vec<SmsAllocationRecord>, StoreError> {
        self.records(
            "SELECT record FROM sms_allocations WHERE waiting ORDER BY id",
            Vec::new(),
        )
        .await
    }

    /// One allocation per number and service ever is the unique index `sms_allocation`
    /// (R9.2); one waiting allocation per number the partial unique index
    /// `sms_number_busy`.
    async fn insert_sms_allocation(
        &mut self,
        record: SmsAllocationRecord,
    ) -> Result<SmsAllocationRecord, StoreError> {
        let allocation = &record.allocation;
        self.write(
            "INSERT INTO sms_allocations
                (id, number, service, customer_id, allocated_at, waiting, record)
            VALUES ($1, $2, $3, $4, $5, $6, $7)",
            vec![
                allocation.id().get().into(),
                allocation.number().as_str().into(),
                allocation.service().as_str().into(),
                allocation.customer().get().into(),
                allocation.allocated_at().into(),
                is_waiting(allocation).into(),
                to_json(&record)?,
            ],
        )
        .await?;
        Ok(record)
    }

    /// `waiting` in the update decides: an allocation ends once (R9.D1).
    async fn end_sms_allocation(
        &mut self,
        allocation: &SmsAllocation,
        message: Option<ReceivedSms>,
    ) -> Result<SmsAllocationRecord, StoreError> {
        let id = allocation.id().get();
        let stale = StoreError::Stale {
            what: "sms allocation",
            id,
        };
        if is_waiting(allocation) {
            return Err(stale);
        }
        let stored: Option<SmsAllocationRecord> = self
            .record(
                "SELECT record FROM sms_allocations WHERE id = $1 AND waiting",
                vec![id.into()],
            )
            .await?;
        let Some(stored) = stored else {
            return Err(stale);
        };
        let record = SmsAllocationRecord {
            allocation: allocation.clone(),
            message,
            ..stored
        };
        let ended = self
            .execute(
                "UPDATE sms_allocations SET waiting = $2, record = $3 WHERE id = $1 AND waiting",
                vec![id.into(), false.into(), to_json(&record)?],
            )
            .await?;
        if ended == 0 {
            return Err(stale);
        }
        Ok(record)
    }

    async fn latest_sms_allocation(
        &mut self,
        number: &PhoneNumber,
    ) -> Result<Option<SmsAllocationRecord>, StoreError> {
        self.record(
            "SELECT record FROM sms_allocations WHERE number = $1 \
             ORDER BY allocated_at DESC, id DESC LIMIT 1",
            vec![number.as_str().into()],
        )
        .await
    }

    async fn sms_allocations_of(
        &mut self,
        customer: CustomerId,
    ) -> Result<Vec<SmsAllocationRecord>, StoreError> {
        self.records(
            "SELECT record FROM sms_allocations WHERE customer_id = $1 ORDER BY id",
            vec![customer.get().into()],
        )
        .await
    }
}
