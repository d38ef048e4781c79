//! `api_keys`: the SHA-256 of each bearer token and whom it authenticates.

use sea_orm::entity::prelude::*;

/// One API key.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_keys")]
pub struct Model {
    /// The id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Lower-case hex SHA-256 of the token: unique (index `api_key`).
    pub token_sha256: String,
    /// `operator`, `customer` or `engine`.
    pub role: String,
    /// The customer, for a customer's key.
    pub customer_id: Option<i64>,
    /// A name for people.
    pub name: String,
    /// When it was issued.
    pub created_at: DateTimeUtc,
    /// When it stops working by itself, if ever.
    pub expires_at: Option<DateTimeUtc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTimeUtc>,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
