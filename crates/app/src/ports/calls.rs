use super::{StoreError, Transaction};
use crate::model::{Page, PageRequest, RecordingOrderRecord, SipAccountRecord};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use vnum_calls::{CallLine, CallRecord};
use vnum_core::{CustomerId, SipAccountId};
use vnum_core::{NumberId, TrialId};

/// The provider's SIP accounts (R5.1).
#[async_trait]
pub trait SipAccounts: Send {
    /// Stores a new account; the id of the argument is ignored and a new one assigned.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] ([`Invariant::SipLogin`](crate::ports::Invariant::SipLogin))
    /// when the login is taken.
    async fn insert_sip_account(
        &mut self,
        account: SipAccountRecord,
    ) -> Result<SipAccountRecord, StoreError>;

    /// Replaces an account (a new password, another presented number).
    ///
    /// # Errors
    /// [`StoreError::Stale`] when there is no account with its id.
    async fn update_sip_account(&mut self, account: &SipAccountRecord) -> Result<(), StoreError>;

    /// Removes an account; its login may be issued again.
    ///
    /// # Errors
    /// [`StoreError::Stale`] when there is no account with this id.
    async fn delete_sip_account(&mut self, id: SipAccountId) -> Result<(), StoreError>;

    /// The account with this id, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn sip_account(
        &mut self,
        id: SipAccountId,
    ) -> Result<Option<SipAccountRecord>, StoreError>;

    /// The account with this login, if any (the SIP engine authenticating a device).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn sip_account_by_login(
        &mut self,
        login: &str,
    ) -> Result<Option<SipAccountRecord>, StoreError>;

    /// A customer's accounts, by id.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn sip_accounts_of(
        &mut self,
        customer: CustomerId,
    ) -> Result<Vec<SipAccountRecord>, StoreError>;
}

/// Call detail records (R4.6).
#[async_trait]
pub trait CallRecords: Send {
    /// Stores a call under a new id, which the returned record carries; the id of the
    /// argument is ignored. A `reference` (the SIP engine's name for the call, such as its
    /// Call-ID) names at most one stored call.
    ///
    /// # Errors
    /// [`StoreError::Conflict`]
    /// ([`Invariant::CallReference`](crate::ports::Invariant::CallReference)) when a call with
    /// the same reference is stored already.
    async fn insert_call(
        &mut self,
        call: CallRecord,
        reference: Option<&str>,
    ) -> Result<CallRecord, StoreError>;

    /// Replaces a stored call with a report that describes it better (R4.6), under its id.
    ///
    /// # Errors
    /// [`StoreError::Stale`] when no call has that id.
    async fn update_call(&mut self, call: &CallRecord) -> Result<(), StoreError>;

    /// The call stored with this reference, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn call_by_reference(
        &mut self,
        reference: &str,
    ) -> Result<Option<CallRecord>, StoreError>;

    /// The stored calls these references name, each with its reference; references that
    /// name none are left out. By default one [`CallRecords::call_by_reference`] each.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn calls_by_references(
        &mut self,
        references: &[&str],
    ) -> Result<Vec<(String, CallRecord)>, StoreError> {
        let mut found = Vec::new();
        for reference in references {
            if let Some(call) = self.call_by_reference(reference).await? {
                found.push(((*reference).to_owned(), call));
            }
        }
        Ok(found)
    }

    /// The calls of a free test (R8 Decision), oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn calls_of_trial(&mut self, trial: TrialId) -> Result<Vec<CallRecord>, StoreError>;

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

    /// One page of the calls of `number` that started at `from <= start < to`, oldest
    /// first (by start, then id), the cursor being the id of the last call of the previous
    /// page: a keyset read of at most `page.rows()` rows.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn calls_page(
        &mut self,
        number: NumberId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        page: crate::model::PageRequest,
    ) -> Result<crate::model::Page<CallRecord>, StoreError>;

    /// The calls of every number of `customer` (deleted ones included) that started at
    /// `from <= start < to`, oldest first: one query however many numbers the customer has.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn customer_calls(
        &mut self,
        customer: CustomerId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CallRecord>, StoreError>;
}

/// A unit of work narrowed to call records (R4.6): the SIP engine reports a call after
/// every call, and nothing else changes. Since it can write no other record, a store that
/// caches what it reads keeps its cache across it ([`super::Store::call_log`]).
pub struct CallLog<'a>(Box<dyn Transaction + 'a>);

impl<'a> CallLog<'a> {
    /// Narrows `unit` to call records. A store that caches reads passes a unit of work
    /// that leaves its cache alone when it commits.
    #[must_use]
    pub fn new(unit: Box<dyn Transaction + 'a>) -> Self {
        Self(unit)
    }

    /// Whose the line a report names is, if it exists: see [`owner_of_line`].
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    pub async fn owner(&mut self, line: CallLine) -> Result<Option<CustomerId>, StoreError> {
        owner_of_line(self.0.as_mut(), line).await
    }

    /// See [`CallRecords::insert_call`].
    ///
    /// # Errors
    /// As [`CallRecords::insert_call`].
    pub async fn insert_call(
        &mut self,
        call: CallRecord,
        reference: Option<&str>,
    ) -> Result<CallRecord, StoreError> {
        self.0.insert_call(call, reference).await
    }

    /// See [`CallRecords::update_call`].
    ///
    /// # Errors
    /// As [`CallRecords::update_call`].
    pub async fn update_call(&mut self, call: &CallRecord) -> Result<(), StoreError> {
        self.0.update_call(call).await
    }

    /// See [`CallRecords::call_by_reference`].
    ///
    /// # Errors
    /// As [`CallRecords::call_by_reference`].
    pub async fn call_by_reference(
        &mut self,
        reference: &str,
    ) -> Result<Option<CallRecord>, StoreError> {
        self.0.call_by_reference(reference).await
    }

    /// See [`CallRecords::calls_by_references`].
    ///
    /// # Errors
    /// As [`CallRecords::calls_by_references`].
    pub async fn calls_by_references(
        &mut self,
        references: &[&str],
    ) -> Result<Vec<(String, CallRecord)>, StoreError> {
        self.0.calls_by_references(references).await
    }

    /// Makes the recorded calls durable, or none of them.
    ///
    /// # Errors
    /// As [`Transaction::commit`].
    pub async fn commit(self) -> Result<(), StoreError> {
        self.0.commit().await
    }
}

/// Who a call's line belongs to, if it exists: the rented number's owner, or the customer of
/// the free test.
///
/// # Errors
/// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
pub async fn owner_of_line(
    unit: &mut (dyn Transaction + '_),
    line: CallLine,
) -> Result<Option<CustomerId>, StoreError> {
    Ok(match line {
        CallLine::Number(id) => unit.number(id).await?.map(|n| n.customer),
        CallLine::Trial(id) => unit.trial(id).await?.map(|t| t.trial.customer()),
    })
}

/// Professional voice recording orders (R13.3, R13.D3).
#[async_trait]
pub trait RecordingOrders: Send {
    /// Stores a new order; its `id` is ignored and the stored one returned.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn insert_recording_order(
        &mut self,
        order: RecordingOrderRecord,
    ) -> Result<RecordingOrderRecord, StoreError>;

    /// The order with this id, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn recording_order(
        &mut self,
        id: i64,
    ) -> Result<Option<RecordingOrderRecord>, StoreError>;

    /// Replaces an order that is still open in storage with its ended state.
    ///
    /// # Errors
    /// [`StoreError::Stale`] when the order is missing or ended already, so that an order
    /// is delivered or cancelled once whatever runs concurrently.
    async fn end_recording_order(&mut self, order: &RecordingOrderRecord)
    -> Result<(), StoreError>;

    /// The orders of a number, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn recording_orders_of_number(
        &mut self,
        number: NumberId,
    ) -> Result<Vec<RecordingOrderRecord>, StoreError>;

    /// One page of the orders still open, oldest first (by id), after the cursor.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn open_recording_orders(
        &mut self,
        page: PageRequest,
    ) -> Result<Page<RecordingOrderRecord>, StoreError>;
}
