//! vnum: the back office of a virtual phone number provider, as Rust crates.
//!
//! This crate gathers the pure domain crates under one name for embedders who want them
//! all; each is also usable on its own. The rules they implement are listed, with ids, in
//! `spec/RULES.md`; the crates' doc comments and tests name those ids. See `ARCHITECTURE.md`
//! for the map of crates and what each must never depend on.

pub use vnum_accounts as accounts;
pub use vnum_billing as billing;
pub use vnum_calls as calls;
pub use vnum_compliance as compliance;
pub use vnum_core as core;
pub use vnum_discounts as discounts;
pub use vnum_lifecycle as lifecycle;
pub use vnum_sms as sms;
