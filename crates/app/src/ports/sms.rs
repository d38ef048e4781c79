//! Storage of one-shot SMS allocations (R9).

use async_trait::async_trait;
use vnum_core::{CustomerId, NumberId, PhoneNumber, SmsAllocationId};
use vnum_sms::{Service, SmsAllocation};

use super::StoreError;
use crate::model::{NumberSms, Page, PageRequest, ReceivedSms, SmsAllocationRecord};

/// One-shot SMS allocations. They double as the issue history of R9.2: storage never holds
/// two allocations of one number for one service.
#[async_trait]
pub trait SmsAllocations: Send {
    /// A new id for an allocation about to be made; never handed out twice.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn next_sms_allocation_id(&mut self) -> Result<SmsAllocationId, StoreError>;

    /// The numbers ever allocated for `service`, used or not (R9.2).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn issued_for(&mut self, service: &Service) -> Result<Vec<PhoneNumber>, StoreError>;

    /// Every allocation still waiting for its SMS, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn waiting_sms_allocations(&mut self) -> Result<Vec<SmsAllocationRecord>, StoreError>;

    /// Stores a new allocation.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] with
    /// [`Invariant::SmsAllocation`](crate::ports::Invariant::SmsAllocation) when the number was
    /// allocated for the service before (R9.2), or
    /// [`Invariant::SmsNumberBusy`](crate::ports::Invariant::SmsNumberBusy) when the number has
    /// another allocation still waiting (an inbound SMS names no service, so a number waits for
    /// one message at a time).
    async fn insert_sms_allocation(
        &mut self,
        record: SmsAllocationRecord,
    ) -> Result<SmsAllocationRecord, StoreError>;

    /// Replaces a waiting allocation with its next state, and the message it received.
    ///
    /// # Errors
    /// [`StoreError::Stale`] when the allocation is missing or no longer waiting in
    /// storage, so an allocation ends once (R9.D1), or when `allocation` has not ended.
    async fn end_sms_allocation(
        &mut self,
        allocation: &SmsAllocation,
        message: Option<ReceivedSms>,
    ) -> Result<SmsAllocationRecord, StoreError>;

    /// The latest allocation of `number`, whatever its state, if it was ever allocated.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn latest_sms_allocation(
        &mut self,
        number: &PhoneNumber,
    ) -> Result<Option<SmsAllocationRecord>, StoreError>;

    /// The customer's allocations, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn sms_allocations_of(
        &mut self,
        customer: CustomerId,
    ) -> Result<Vec<SmsAllocationRecord>, StoreError>;
}

/// The SMS rented numbers received (R10.4).
#[async_trait]
pub trait NumberMessages: Send {
    /// Stores a message; its `id` is ignored and the stored one returned.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn insert_number_sms(&mut self, sms: NumberSms) -> Result<NumberSms, StoreError>;

    /// One page of the messages `number` received, newest first (by id), the cursor being
    /// the id of the last message of the previous page: a keyset read of at most
    /// `page.rows()` rows.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn number_sms_page(
        &mut self,
        number: NumberId,
        page: PageRequest,
    ) -> Result<Page<NumberSms>, StoreError>;
}
