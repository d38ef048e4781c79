//! `customers`: a customer and its balance, kept equal to the sum of its ledger entries.

use sea_orm::entity::prelude::*;

/// One customer.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customers")]
pub struct Model {
    /// The id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The name.
    pub name: String,
    /// The email as given.
    pub email: String,
    /// The email in ASCII lower case: unique (index `customer_email`).
    pub email_key: String,
    /// `person` or `company`.
    pub kind: String,
    /// The ISO 4217 code of the balance.
    pub currency: String,
    /// When the customer registered.
    pub registered_at: DateTimeUtc,
    /// The balance in minor units of `currency`: the sum of the ledger entries.
    pub balance_minor: i64,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
