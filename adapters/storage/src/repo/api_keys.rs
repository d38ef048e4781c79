//! [`ApiKeys`] on the `api_keys` table.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::NotSet, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use vnum_app::model::{ApiKey, Principal};
use vnum_app::ports::StoreError;
use vnum_app::ports::store::ApiKeys;
use vnum_core::{ApiKeyId, CustomerId};

use crate::cache::Key;
use crate::codec::{principal, principal_columns};
use crate::entity::api_key;
use crate::error::store_error;
use crate::store::SeaOrmTransaction;
use vnum_app::ports::Invariant;

fn from_row(row: api_key::Model) -> Result<ApiKey, StoreError> {
    Ok(ApiKey {
        id: ApiKeyId(row.id),
        principal: principal(&row.role, row.customer_id)?,
        token_sha256: row.token_sha256,
        name: row.name,
        created_at: row.created_at,
        expires_at: row.expires_at,
        revoked_at: row.revoked_at,
    })
}

#[async_trait]
impl ApiKeys for SeaOrmTransaction<'_> {
    async fn insert_api_key(&mut self, key: ApiKey) -> Result<ApiKey, StoreError> {
        let (role, customer) = principal_columns(key.principal);
        let row = api_key::ActiveModel {
            id: NotSet,
            token_sha256: Set(key.token_sha256),
            role: Set(role.to_owned()),
            customer_id: Set(customer),
            name: Set(key.name),
            created_at: Set(key.created_at),
            expires_at: Set(key.expires_at),
            revoked_at: Set(key.revoked_at),
        };
        match self.insert_unless_taken(row).await? {
            Some(row) => from_row(row),
            None => Err(StoreError::Conflict {
                what: Invariant::ApiKey,
            }),
        }
    }

    /// Only keys that exist are cached: unknown tokens, which anyone can send, do not
    /// take the places of known ones. A revocation is a committed unit of work, which
    /// empties the cache; an expiry is an instant in the key, which the caller compares
    /// with the clock on every use.
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
        let key = from_row(row)?;
        self.remember(ticket, &key);
        Ok(Some(key))
    }

    async fn api_key_by_id(&mut self, id: ApiKeyId) -> Result<Option<ApiKey>, StoreError> {
        api_key::Entity::find_by_id(id.get())
            .one(&self.txn)
            .await
            .map_err(store_error)?
            .map(from_row)
            .transpose()
    }

    async fn api_keys(&mut self, customer: Option<CustomerId>) -> Result<Vec<ApiKey>, StoreError> {
        let mut query = api_key::Entity::find().order_by_asc(api_key::Column::Id);
        if let Some(customer) = customer {
            let (role, id) = principal_columns(Principal::Customer(customer));
            query = query
                .filter(api_key::Column::Role.eq(role))
                .filter(api_key::Column::CustomerId.eq(id));
        }
        query
            .all(&self.txn)
            .await
            .map_err(store_error)?
            .into_iter()
            .map(from_row)
            .collect()
    }

    async fn revoke_api_key(&mut self, id: ApiKeyId, at: DateTime<Utc>) -> Result<(), StoreError> {
        api_key::Entity::update_many()
            .col_expr(api_key::Column::RevokedAt, Expr::value(Some(at)))
            .filter(api_key::Column::Id.eq(id.get()))
            .filter(api_key::Column::RevokedAt.is_null())
            .exec(&self.txn)
            .await
            .map_err(store_error)?;
        match self.api_key_by_id(id).await? {
            Some(_) => Ok(()),
            None => Err(StoreError::Stale {
                what: "api key",
                id: id.get(),
            }),
        }
    }
}
