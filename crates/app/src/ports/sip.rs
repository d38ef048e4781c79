use async_trait::async_trait;
use vnum_core::PhoneNumber;

/// The SIP engine could not take the change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the SIP engine could not apply the change: {0}")]
pub struct SipEngineError(pub String);

/// The SIP engine (Kamailio in production) that registers SIP accounts and routes calls.
///
/// vnum is the source of truth: the engine asks vnum how to route each call, so these
/// calls only push what the engine caches.
#[async_trait]
pub trait SipEngine: Send + Sync {
    /// Creates or updates a SIP account: the login, the realm and the digest HA1 (R5.1).
    ///
    /// # Errors
    /// [`SipEngineError`] when the engine could not store the account.
    async fn upsert_account(
        &self,
        login: &str,
        realm: &str,
        ha1: &str,
    ) -> Result<(), SipEngineError>;

    /// Removes a SIP account.
    ///
    /// # Errors
    /// [`SipEngineError`] when the engine could not remove the account.
    async fn remove_account(&self, login: &str, realm: &str) -> Result<(), SipEngineError>;

    /// Tells the engine that the routing of a number changed, so it drops what it cached.
    ///
    /// # Errors
    /// [`SipEngineError`] when the engine could not be told.
    async fn routing_changed(&self, number: &PhoneNumber) -> Result<(), SipEngineError>;
}
