//! [`Contracts`] and [`ClosingDocumentNumbers`] on their tables (R12.1, R12.2).

use async_trait::async_trait;
use vnum_app::model::{ContractRecord, NewContract};
use vnum_app::ports::StoreError;
use vnum_app::ports::store::{ClosingDocumentNumbers, Contracts};
use vnum_core::{ContractId, CustomerId, DocumentId, Period};

use super::{Sequence, column, to_json};
use crate::error::corrupt;
use crate::store::SeaOrmTransaction;

#[async_trait]
impl Contracts for SeaOrmTransaction<'_> {
    /// One active contract per customer is the partial unique index `contract_active`, and
    /// one contract per version `contract_version`: of two concurrent signings one commits,
    /// the other fails with their conflict.
    async fn sign_contract(&mut self, contract: NewContract) -> Result<ContractRecord, StoreError> {
        let customer = contract.customer.get();
        let last_version = self
            .query_one(
                "SELECT COALESCE(MAX(version), 0) FROM contracts WHERE customer_id = $1",
                vec![customer.into()],
            )
            .await?
            .map(|row| column::<i64>(&row, 0))
            .transpose()?
            .unwrap_or(0);
        let active: Option<ContractRecord> = self
            .record(
                "SELECT record FROM contracts WHERE customer_id = $1 AND active",
                vec![customer.into()],
            )
            .await?;
        if let Some(mut previous) = active {
            previous.superseded_at = Some(contract.signed_at);
            self.write(
                "UPDATE contracts SET active = $2, record = $3 WHERE id = $1 AND active",
                vec![previous.id.get().into(), false.into(), to_json(&previous)?],
            )
            .await?;
        }
        let record = ContractRecord {
            id: ContractId(self.next_id(Sequence::Contracts).await?),
            customer: contract.customer,
            version: u32::try_from(last_version + 1).map_err(|e| corrupt("contract version", e))?,
            details: contract.details,
            signed_at: contract.signed_at,
            superseded_at: None,
        };
        self.write(
            "INSERT INTO contracts (id, customer_id, version, active, record) \
             VALUES ($1, $2, $3, $4, $5)",
            vec![
                record.id.get().into(),
                customer.into(),
                i64::from(record.version).into(),
                true.into(),
                to_json(&record)?,
            ],
        )
        .await?;
        Ok(record)
    }

    async fn active_contract(
        &mut self,
        customer: CustomerId,
    ) -> Result<Option<ContractRecord>, StoreError> {
        self.record(
            "SELECT record FROM contracts WHERE customer_id = $1 AND active",
            vec![customer.get().into()],
        )
        .await
    }

    async fn contracts_of(
        &mut self,
        customer: CustomerId,
    ) -> Result<Vec<ContractRecord>, StoreError> {
        self.records(
            "SELECT record FROM contracts WHERE customer_id = $1 ORDER BY id",
            vec![customer.get().into()],
        )
        .await
    }
}

#[async_trait]
impl ClosingDocumentNumbers for SeaOrmTransaction<'_> {
    /// One number per customer and period is the unique index `closing_document_period`;
    /// a concurrent first request waits for the other and reads the number it issued.
    async fn closing_document_number(
        &mut self,
        customer: CustomerId,
        period: Period,
    ) -> Result<Option<DocumentId>, StoreError> {
        let row = self
            .query_one(
                "SELECT document_id FROM closing_document_numbers \
                 WHERE customer_id = $1 AND period_start = $2 AND period_end = $3",
                vec![
                    customer.get().into(),
                    period.start().into(),
                    period.end().into(),
                ],
            )
            .await?;
        row.map(|row| column(&row, 0).map(DocumentId)).transpose()
    }
}
