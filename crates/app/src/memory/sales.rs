use async_trait::async_trait;
use vnum_compliance::Document;
use vnum_core::{AgreementId, CustomerId, DocumentId, OrderId};
use vnum_discounts::BulkAgreement;

use super::store::InMemoryTransaction;
use crate::model::OrderRecord;
use crate::ports::StoreError;
use crate::ports::store::{Agreements, Documents, Orders};

#[async_trait]
impl Documents for InMemoryTransaction<'_> {
    async fn insert_document(&mut self, document: Document) -> Result<Document, StoreError> {
        let document = document.with_id(DocumentId(self.state.next_id()));
        self.state.documents.insert(document.id(), document.clone());
        Ok(document)
    }

    async fn update_document(&mut self, document: &Document) -> Result<(), StoreError> {
        let slot = self
            .state
            .documents
            .get_mut(&document.id())
            .ok_or(StoreError::Stale {
                what: "document",
                id: document.id().get(),
            })?;
        *slot = document.clone();
        Ok(())
    }

    async fn document(&mut self, id: DocumentId) -> Result<Option<Document>, StoreError> {
        Ok(self.state.documents.get(&id).cloned())
    }

    async fn documents_of(&mut self, customer: CustomerId) -> Result<Vec<Document>, StoreError> {
        Ok(self
            .state
            .documents
            .values()
            .filter(|d| d.customer() == customer)
            .cloned()
            .collect())
    }

    async fn pending_documents(&mut self) -> Result<Vec<Document>, StoreError> {
        Ok(self
            .state
            .documents
            .values()
            .filter(|d| matches!(d.state(), vnum_compliance::Review::Pending))
            .cloned()
            .collect())
    }
}

#[async_trait]
impl Orders for InMemoryTransaction<'_> {
    async fn insert_order(&mut self, mut order: OrderRecord) -> Result<OrderRecord, StoreError> {
        order.id = OrderId(self.state.next_id());
        self.state.orders.insert(order.id, order.clone());
        Ok(order)
    }

    async fn order(&mut self, id: OrderId) -> Result<Option<OrderRecord>, StoreError> {
        Ok(self.state.orders.get(&id).cloned())
    }

    async fn orders_of(&mut self, customer: CustomerId) -> Result<Vec<OrderRecord>, StoreError> {
        Ok(self
            .state
            .orders
            .values()
            .filter(|o| o.customer == customer)
            .cloned()
            .collect())
    }
}

#[async_trait]
impl Agreements for InMemoryTransaction<'_> {
    async fn put_agreement(
        &mut self,
        agreement: BulkAgreement,
    ) -> Result<BulkAgreement, StoreError> {
        let id = match self.state.agreements.get(&agreement.customer()) {
            Some(existing) => existing.id(),
            None if agreement.id().get() == 0 => AgreementId(self.state.next_id()),
            None => agreement.id(),
        };
        let agreement = agreement.with_id(id);
        self.state
            .agreements
            .insert(agreement.customer(), agreement.clone());
        Ok(agreement)
    }

    async fn agreement_of(
        &mut self,
        customer: CustomerId,
    ) -> Result<Option<BulkAgreement>, StoreError> {
        Ok(self.state.agreements.get(&customer).cloned())
    }
}
