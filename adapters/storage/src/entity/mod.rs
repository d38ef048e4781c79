//! The tables, as sea-orm entities: one module per table.
//!
//! Rows are database shapes: money as integer minor units beside a currency code, enums as
//! their snake-case names, dates and instants as the backend's types. The repositories in
//! this crate map them to the records of `vnum_app::model` and back; nothing outside this
//! crate needs them except reporting queries that want to read the tables directly.

pub mod api_key;
pub mod customer;
pub mod ledger_entry;
pub mod number;
pub mod renewal_state;
