use async_trait::async_trait;
use vnum_compliance::Document;
use vnum_core::{CustomerId, DocumentId, OrderId};
use vnum_discounts::BulkAgreement;

use super::StoreError;
use crate::model::OrderRecord;

/// End-user documents and their reviews (R3).
#[async_trait]
pub trait Documents: Send {
    /// Stores a new document version under a new id, which the returned value carries.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn insert_document(&mut self, document: Document) -> Result<Document, StoreError>;

    /// Replaces a stored document (a review).
    ///
    /// # Errors
    /// [`StoreError::Stale`] when there is no document with its id.
    async fn update_document(&mut self, document: &Document) -> Result<(), StoreError>;

    /// The document with this id, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn document(&mut self, id: DocumentId) -> Result<Option<Document>, StoreError>;

    /// Every document version of a customer, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn documents_of(&mut self, customer: CustomerId) -> Result<Vec<Document>, StoreError>;

    /// Every document waiting for review, oldest first: the operators' queue.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn pending_documents(&mut self) -> Result<Vec<Document>, StoreError>;
}

/// Placed orders.
#[async_trait]
pub trait Orders: Send {
    /// Stores a new order; the id of the argument is ignored and a new one assigned.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn insert_order(&mut self, order: OrderRecord) -> Result<OrderRecord, StoreError>;

    /// The order with this id, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn order(&mut self, id: OrderId) -> Result<Option<OrderRecord>, StoreError>;

    /// A customer's orders, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn orders_of(&mut self, customer: CustomerId) -> Result<Vec<OrderRecord>, StoreError>;
}

/// Bulk discount agreements negotiated with customers (R11.2).
#[async_trait]
pub trait Agreements: Send {
    /// Stores the customer's agreement, replacing any previous one; its id is assigned
    /// when it is new (id 0).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn put_agreement(
        &mut self,
        agreement: BulkAgreement,
    ) -> Result<BulkAgreement, StoreError>;

    /// The agreement negotiated with `customer`, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn agreement_of(
        &mut self,
        customer: CustomerId,
    ) -> Result<Option<BulkAgreement>, StoreError>;
}
