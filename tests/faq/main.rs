//! The provider FAQ's stories, end to end through the use cases on in-memory adapters.
//!
//! Each test is named after the rules it proves (see spec/RULES.md).

// The world's helpers run only inside tests: a panic there is a failed test with a location.
#![allow(clippy::unwrap_used)]

mod world;

mod balance;
mod billing;
mod calls;
mod companies;
mod holds;
mod ordering;
mod stock;
