//! [`Customers`] on the `customers` table.

use async_trait::async_trait;
use sea_orm::{ActiveValue::NotSet, EntityTrait, Set};
use vnum_app::model::{Customer, NewCustomer};
use vnum_app::ports::StoreError;
use vnum_app::ports::store::Customers;
use vnum_core::CustomerId;

use crate::cache::Key;
use crate::codec::{currency_of, customer_kind, customer_kind_name};
use crate::entity::customer;
use crate::error::store_error;
use crate::store::SeaOrmTransaction;
use vnum_app::ports::Invariant;

#[async_trait]
impl Customers for SeaOrmTransaction<'_> {
    async fn insert_customer(&mut self, new: NewCustomer) -> Result<Customer, StoreError> {
        let row = customer::ActiveModel {
            id: NotSet,
            email_key: Set(new.email.to_ascii_lowercase()),
            name: Set(new.name),
            email: Set(new.email),
            kind: Set(customer_kind_name(new.kind).to_owned()),
            currency: Set(new.currency.code().to_owned()),
            registered_at: Set(new.registered_at),
            balance_minor: Set(0),
        };
        // The unique index `customer_email` decides, under concurrency too.
        match self.insert_unless_taken(row).await? {
            Some(row) => to_customer(row),
            None => Err(StoreError::Conflict {
                what: Invariant::CustomerEmail,
            }),
        }
    }

    async fn customer(&mut self, id: CustomerId) -> Result<Option<Customer>, StoreError> {
        cached!(
            self,
            Key::Customer(id.get()),
            customer::Entity::find_by_id(id.get())
                .one(&self.txn)
                .await
                .map_err(store_error)?
                .map(to_customer)
                .transpose()
        )
    }
}

fn to_customer(row: customer::Model) -> Result<Customer, StoreError> {
    Ok(Customer {
        id: CustomerId(row.id),
        name: row.name,
        email: row.email,
        kind: customer_kind(&row.kind)?,
        currency: currency_of(&row.currency)?,
        registered_at: row.registered_at,
    })
}
