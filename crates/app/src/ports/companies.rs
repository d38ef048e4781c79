use async_trait::async_trait;
use vnum_core::{CustomerId, DocumentId, Period};

use super::StoreError;
use crate::model::{ContractRecord, NewContract};

/// Contracts signed by companies (R12.1).
#[async_trait]
pub trait Contracts: Send {
    /// Stores a new contract under a new id as the customer's active one, with the next
    /// version; the previously active contract, if any, is marked superseded at the new
    /// one's `signed_at`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn sign_contract(&mut self, contract: NewContract) -> Result<ContractRecord, StoreError>;

    /// The customer's active contract, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn active_contract(
        &mut self,
        customer: CustomerId,
    ) -> Result<Option<ContractRecord>, StoreError>;

    /// Every contract of the customer, superseded ones included, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn contracts_of(
        &mut self,
        customer: CustomerId,
    ) -> Result<Vec<ContractRecord>, StoreError>;
}

/// The numbers of closing documents issued before they were computed (R12.2): documents
/// already handed out keep the number they were printed with. New numbers are computed
/// ([`vnum_accounts::closing_document_id`]), so reading documents writes nothing.
#[async_trait]
pub trait ClosingDocumentNumbers: Send {
    /// The number once issued for the customer's documents of `period`, if one was.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn closing_document_number(
        &mut self,
        customer: CustomerId,
        period: Period,
    ) -> Result<Option<DocumentId>, StoreError>;
}
