//! `numbers`: rented numbers with their billing state, in columns the renewal run selects on.

use sea_orm::entity::prelude::*;

/// One rented number.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "numbers")]
pub struct Model {
    /// The id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The renter.
    pub customer_id: i64,
    /// The offer it was bought under.
    pub offer_id: i64,
    /// ISO 3166 alpha-2 country code.
    pub country: String,
    /// The E.164 number: unique among live numbers (partial index `number_e164`).
    pub e164: Option<String>,
    /// The day of the month it is charged on; set once connected, like the columns below.
    pub anchor_day: Option<i32>,
    /// The day it was connected.
    pub connected_on: Option<Date>,
    /// The first day not yet paid for.
    pub paid_through: Option<Date>,
    /// The monthly fee in minor units of `fee_currency`.
    pub fee_minor: Option<i64>,
    /// The ISO 4217 code of the fee.
    pub fee_currency: Option<String>,
    /// The day the customer deleted it, or the run released it (R10.7).
    pub deleted_on: Option<Date>,
    /// The day the customer set it not to renew, while it does not renew (R10.7).
    pub renewal_stopped_on: Option<Date>,
    /// Bumped on every update, for optimistic concurrency.
    pub version: i64,
    /// The whole record as JSON; the columns above win over it where they overlap (the
    /// renewal run moves `paid_through` and `version` in the columns only).
    pub record: Option<String>,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
