//! The use cases, one module per family; each is a method of [`crate::Vnum`].

mod auth;
mod balance;
mod customers;
mod sms;
mod trials;
mod waitlist;

pub use auth::token_sha256;
pub use balance::{BalanceView, ServiceState, TopUp, TopUpReceipt};
pub use customers::RegisterCustomer;
pub use trials::TrialOutcome;
pub use waitlist::RestockOutcome;
