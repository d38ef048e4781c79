use super::StoreError;
use crate::model::SipAccountRecord;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use vnum_calls::CallRecord;
use vnum_core::NumberId;
use vnum_core::{CustomerId, SipAccountId};

/// The provider's SIP accounts (R5.1).
#[async_trait]
pub trait SipAccounts: Send {
    /// Stores a new account; the id of the argument is ignored and a new one assigned.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`"sip_login"`) when the login is taken.
    async fn insert_sip_account(
        &mut self,
        account: SipAccountRecord,
    ) -> Result<SipAccountRecord, StoreError>;

    /// Replaces an account (a new password, another presented number).
    ///
    /// # Errors
    /// [`StoreError::Stale`] when there is no account with its id.
    async fn update_sip_account(&mut self, account: &SipAccountRecord) -> Result<(), StoreError>;

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
    /// [`StoreError::Conflict`] (`"call_reference"`) when a call with the same reference is
    /// stored already.
    async fn insert_call(
        &mut self,
        call: CallRecord,
        reference: Option<&str>,
    ) -> Result<CallRecord, StoreError>;

    /// The call stored with this reference, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn call_by_reference(
        &mut self,
        reference: &str,
    ) -> Result<Option<CallRecord>, StoreError>;

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
