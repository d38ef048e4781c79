//! [`ApiKeys`] on the `api_keys` table.

use async_trait::async_trait;
use sea_orm::{ActiveValue::NotSet, ColumnTrait, EntityTrait, QueryFilter, Set};
use vnum_app::model::ApiKey;
use vnum_app::ports::StoreError;
use vnum_app::ports::store::ApiKeys;

use crate::cache::Key;
use crate::codec::{principal, principal_columns};
use crate::entity::api_key;
use crate::error::store_error;
use crate::store::SeaOrmTransaction;
use vnum_app::ports::Invariant;

#[async_trait]
impl ApiKeys for SeaOrmTransaction<'_> {
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
        match self.insert_unless_taken(row).await? {
            Some(_) => Ok(()),
            None => Err(StoreError::Conflict {
                what: Invariant::ApiKey,
            }),
        }
    }

    /// Only keys that exist are cached: unknown tokens, which anyone can send, do not
    /// take the places of known ones.
    async fn api_key(&mut self, token_sha256: &str) -> Result<Option<ApiKey>, StoreError> {
        let ticket = match self.recall(Key::Token(token_sha256.to_owned())) {
            Ok(hit) => return Ok(Some(hit)),
            Err(ticket) => ticket,
        };
        let Some(row) = api_key::Entity::find()
            .filter(api_key::Column::TokenSha256.eq(token_sha256))
            .one(&self.txn)
            .await
            .map_err(store_error)?
        else {
            return Ok(None);
        };
        let key = ApiKey {
            principal: principal(&row.role, row.customer_id)?,
            token_sha256: row.token_sha256,
            label: row.label,
            created_at: row.created_at,
        };
        self.remember(ticket, &key);
        Ok(Some(key))
    }
}
