//! `ledger_entries`: every movement of every balance.

use sea_orm::entity::prelude::*;

/// One ledger entry.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_entries")]
pub struct Model {
    /// The id; entries of a customer are listed in id order.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Whose balance moved.
    pub customer_id: i64,
    /// `top_up`, `bank_transfer`, `charge`, `refund` or `adjustment`.
    pub kind: String,
    /// Signed amount in minor units of `currency`.
    pub amount_minor: i64,
    /// The ISO 4217 code of the amount.
    pub currency: String,
    /// The number a charge is for.
    pub number_id: Option<i64>,
    /// The first day of the period a charge pays for: unique per number among charges
    /// (index `ledger_charge_period`).
    pub period_start: Option<Date>,
    /// The end (exclusive) of that period.
    pub period_end: Option<Date>,
    /// The id of the rule that made the movement.
    pub rule: Option<String>,
    /// The caller's reference: unique per customer (index `ledger_reference`).
    pub reference: Option<String>,
    /// A line the customer can read.
    pub description: String,
    /// When it happened.
    pub at: DateTimeUtc,
}

/// No relations are navigated through the ORM.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
