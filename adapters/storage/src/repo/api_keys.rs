//! [`ApiKeys`] on the `api_keys` table.

use async_trait::async_trait;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::NotSet, ColumnTrait, EntityTrait, QueryFilter, Set, TryInsertResult};
use vnum_app::model::ApiKey;
use vnum_app::ports::StoreError;
use vnum_app::ports::store::ApiKeys;

use crate::codec::{principal, principal_columns};
use crate::entity::api_key;
use crate::error::store_error;
use crate::store::SeaOrmTransaction;

#[async_trait]
impl ApiKeys for SeaOrmTransaction {
    async fn insert_api_key(&mut self, key: ApiKey) -> Result<(), StoreError> {
        let (role, customer) = principal_columns(key.principal);
        let row = api_key::ActiveModel {
            id: NotSet,
            token_sha256: Set(key.token_sha256),
            role: Set(role.to_owned()),
            customer_id: Set(customer),
            label: Set(key.label),
            created_at: Set(key.created_at),
        };
        let inserted = api_key::Entity::insert(row)
            .on_conflict(OnConflict::new().do_nothing().to_owned())
            .try_insert()
            .exec_without_returning(&self.txn)
            .await
            .map_err(store_error)?;
        match inserted {
            TryInsertResult::Inserted(rows) if rows > 0 => Ok(()),
            _ => Err(StoreError::Conflict { what: "api_key" }),
        }
    }

    async fn api_key(&mut self, token_sha256: &str) -> Result<Option<ApiKey>, StoreError> {
        let Some(row) = api_key::Entity::find()
            .filter(api_key::Column::TokenSha256.eq(token_sha256))
            .one(&self.txn)
            .await
            .map_err(store_error)?
        else {
            return Ok(None);
        };
        Ok(Some(ApiKey {
            principal: principal(&row.role, row.customer_id)?,
            token_sha256: row.token_sha256,
            label: row.label,
            created_at: row.created_at,
        }))
    }
}
