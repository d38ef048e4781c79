//! [`Documents`], [`Orders`] and [`Agreements`] on their tables: key columns and the record
//! as JSON.

use async_trait::async_trait;
use vnum_app::model::OrderRecord;
use vnum_app::ports::StoreError;
use vnum_app::ports::store::{Agreements, Documents, Orders};
use vnum_compliance::{Document, Review};
use vnum_core::{AgreementId, CustomerId, DocumentId, OrderId};
use vnum_discounts::BulkAgreement;

use super::{Sequence, column, to_json};
use crate::cache::Key;
use crate::store::SeaOrmTransaction;

fn is_pending(document: &Document) -> bool {
    matches!(document.state(), Review::Pending)
}

#[async_trait]
impl Documents for SeaOrmTransaction<'_> {
    async fn insert_document(&mut self, document: Document) -> Result<Document, StoreError> {
        let document = document.with_id(DocumentId(self.next_id(Sequence::Documents).await?));
        self.write(
            "INSERT INTO documents (id, customer_id, pending, record) VALUES ($1, $2, $3, $4)",
            vec![
                document.id().get().into(),
                document.customer().get().into(),
                is_pending(&document).into(),
                to_json(&document)?,
            ],
        )
        .await?;
        Ok(document)
    }

    async fn update_document(&mut self, document: &Document) -> Result<(), StoreError> {
        let updated = self
            .write(
                "UPDATE documents SET customer_id = $2, pending = $3, record = $4 WHERE id = $1",
                vec![
                    document.id().get().into(),
                    document.customer().get().into(),
                    is_pending(document).into(),
                    to_json(document)?,
                ],
            )
            .await?;
        if updated == 0 {
            return Err(StoreError::Stale {
                what: "document",
                id: document.id().get(),
            });
        }
        Ok(())
    }

    async fn document(&mut self, id: DocumentId) -> Result<Option<Document>, StoreError> {
        self.record(
            "SELECT record FROM documents WHERE id = $1",
            vec![id.get().into()],
        )
        .await
    }

    async fn documents_of(&mut self, customer: CustomerId) -> Result<Vec<Document>, StoreError> {
        self.records(
            "SELECT record FROM documents WHERE customer_id = $1 ORDER BY id",
            vec![customer.get().into()],
        )
        .await
    }

    async fn pending_documents(&mut self) -> Result<Vec<Document>, StoreError> {
        self.records(
            "SELECT record FROM documents WHERE pending ORDER BY id",
            Vec::new(),
        )
        .await
    }
}

#[async_trait]
impl Orders for SeaOrmTransaction<'_> {
    async fn insert_order(&mut self, mut order: OrderRecord) -> Result<OrderRecord, StoreError> {
        order.id = OrderId(self.next_id(Sequence::Orders).await?);
        self.write(
            "INSERT INTO orders (id, customer_id, record) VALUES ($1, $2, $3)",
            vec![
                order.id.get().into(),
                order.customer.get().into(),
                to_json(&order)?,
            ],
        )
        .await?;
        Ok(order)
    }

    async fn order(&mut self, id: OrderId) -> Result<Option<OrderRecord>, StoreError> {
        self.record(
            "SELECT record FROM orders WHERE id = $1",
            vec![id.get().into()],
        )
        .await
    }

    async fn orders_of(&mut self, customer: CustomerId) -> Result<Vec<OrderRecord>, StoreError> {
        cached!(
            self,
            Key::OrdersOf(customer.get()),
            self.records(
                "SELECT record FROM orders WHERE customer_id = $1 ORDER BY id",
                vec![customer.get().into()],
            )
            .await
        )
    }
}

#[async_trait]
impl Agreements for SeaOrmTransaction<'_> {
    /// One agreement per customer is the unique index `agreement_customer`; replacing keeps
    /// the stored id, as in the in-memory store.
    async fn put_agreement(
        &mut self,
        agreement: BulkAgreement,
    ) -> Result<BulkAgreement, StoreError> {
        let customer = agreement.customer().get();
        let stored = self
            .query_one(
                "SELECT id FROM agreements WHERE customer_id = $1",
                vec![customer.into()],
            )
            .await?
            .map(|row| column::<i64>(&row, 0))
            .transpose()?;
        let id = match stored {
            Some(id) => AgreementId(id),
            None if agreement.id().get() == 0 => {
                AgreementId(self.next_id(Sequence::Agreements).await?)
            }
            None => agreement.id(),
        };
        let agreement = agreement.with_id(id);
        let sql = if stored.is_some() {
            "UPDATE agreements SET record = $3 WHERE id = $1 AND customer_id = $2"
        } else {
            "INSERT INTO agreements (id, customer_id, record) VALUES ($1, $2, $3)"
        };
        self.write(
            sql,
            vec![id.get().into(), customer.into(), to_json(&agreement)?],
        )
        .await?;
        Ok(agreement)
    }

    async fn agreement_of(
        &mut self,
        customer: CustomerId,
    ) -> Result<Option<BulkAgreement>, StoreError> {
        cached!(
            self,
            Key::AgreementOf(customer.get()),
            self.record(
                "SELECT record FROM agreements WHERE customer_id = $1",
                vec![customer.get().into()],
            )
            .await
        )
    }
}
