use async_trait::async_trait;
use vnum_core::{CustomerId, SipAccountId};

use super::StoreError;
use crate::model::SipAccountRecord;

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
