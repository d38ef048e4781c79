use async_trait::async_trait;
use vnum_core::{ContractId, CustomerId, DocumentId, Period};

use super::store::InMemoryTransaction;
use crate::model::{ContractRecord, NewContract};
use crate::ports::StoreError;
use crate::ports::store::{ClosingDocumentNumbers, Contracts};

#[async_trait]
impl Contracts for InMemoryTransaction<'_> {
    async fn sign_contract(&mut self, contract: NewContract) -> Result<ContractRecord, StoreError> {
        let mut version = 1;
        for previous in self
            .state
            .contracts
            .values_mut()
            .filter(|c| c.customer == contract.customer)
        {
            version = version.max(previous.version + 1);
            if previous.is_active() {
                previous.superseded_at = Some(contract.signed_at);
            }
        }
        let record = ContractRecord {
            id: ContractId(self.state.next_id()),
            customer: contract.customer,
            version,
            details: contract.details,
            signed_at: contract.signed_at,
            superseded_at: None,
        };
        self.state.contracts.insert(record.id, record.clone());
        Ok(record)
    }

    async fn active_contract(
        &mut self,
        customer: CustomerId,
    ) -> Result<Option<ContractRecord>, StoreError> {
        Ok(self
            .state
            .contracts
            .values()
            .find(|c| c.customer == customer && c.is_active())
            .cloned())
    }

    async fn contracts_of(
        &mut self,
        customer: CustomerId,
    ) -> Result<Vec<ContractRecord>, StoreError> {
        Ok(self
            .state
            .contracts
            .values()
            .filter(|c| c.customer == customer)
            .cloned()
            .collect())
    }
}

#[async_trait]
impl ClosingDocumentNumbers for InMemoryTransaction<'_> {
    async fn closing_document_number(
        &mut self,
        customer: CustomerId,
        period: Period,
    ) -> Result<Option<DocumentId>, StoreError> {
        Ok(self.state.closing_numbers.get(&(customer, period)).copied())
    }
}
