//! [`SmsAllocations`] on the `sms_allocations` table (R9), and [`NumberMessages`] on
//! `number_sms`.

use async_trait::async_trait;
use sea_orm::QueryResult;
use vnum_app::model::{NumberSms, Page, PageRequest, ReceivedSms, SmsAllocationRecord};
use vnum_app::ports::StoreError;
use vnum_app::ports::store::{NumberMessages, SmsAllocations};
use vnum_core::{CustomerId, NumberId, PhoneNumber, SmsAllocationId};
use vnum_sms::{AllocationState, Service, SmsAllocation};

use super::{Sequence, column, to_json};
use crate::error::corrupt;
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

const NUMBER_SMS: &str =
    "SELECT id, number_id, customer_id, recipient, sender, text, received_at FROM number_sms";

fn number_sms(row: &QueryResult) -> Result<NumberSms, StoreError> {
    let id: i64 = column(row, 0)?;
    let to: String = column(row, 3)?;
    Ok(NumberSms {
        id,
        number: NumberId(column(row, 1)?),
        customer: CustomerId(column(row, 2)?),
        to: PhoneNumber::parse(&to).map_err(|e| corrupt(&format!("number sms {id}"), e))?,
        from: column(row, 4)?,
        text: column(row, 5)?,
        at: column(row, 6)?,
    })
}

#[async_trait]
impl NumberMessages for SeaOrmTransaction<'_> {
    async fn insert_number_sms(&mut self, sms: NumberSms) -> Result<NumberSms, StoreError> {
        let row = self
            .query_one(
                "INSERT INTO number_sms (number_id, customer_id, recipient, sender, text, \
                 received_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                vec![
                    sms.number.get().into(),
                    sms.customer.get().into(),
                    sms.to.as_str().into(),
                    sms.from.clone().into(),
                    sms.text.clone().into(),
                    sms.at.into(),
                ],
            )
            .await?
            .ok_or_else(|| corrupt("number sms", "the insert returned no id"))?;
        Ok(NumberSms {
            id: column(&row, 0)?,
            ..sms
        })
    }

    /// A keyset read on the index `(number_id, id)`.
    async fn number_sms_page(
        &mut self,
        number: NumberId,
        page: PageRequest,
    ) -> Result<Page<NumberSms>, StoreError> {
        let rows = i64::try_from(page.rows()).unwrap_or(i64::MAX);
        let rows = self
            .query_all(
                &format!("{NUMBER_SMS} WHERE number_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"),
                vec![
                    number.get().into(),
                    page.after.unwrap_or(i64::MAX).into(),
                    rows.into(),
                ],
            )
            .await?
            .iter()
            .map(number_sms)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page::of_rows(rows, page, |sms| sms.id))
    }
}
