//! The use cases, one module per family; each is a method of [`crate::Vnum`].

mod balance;
mod customers;

pub use balance::{BalanceView, ServiceState, TopUp, TopUpReceipt};
pub use customers::RegisterCustomer;
