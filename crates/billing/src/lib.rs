//! The billing calendar, the ledger and renewal decisions (R10, R1.4).
//!
//! `vnum-billing` owns the connection-day calendar ([`BillingAnchor`]: monthly periods that
//! never drift, prepaid terms on the same day, local days in the provider's billing zone),
//! the [`Ledger`] of balance movements whose sum is the balance, the renewal decision for
//! one number on one day ([`NumberBilling::decide`]), the account's [`ServiceState`]
//! derived from its balance, and the up-front payment check of an order
//! ([`covers_first_payment`]), and the payments that credit a balance: how an operator
//! received one ([`PaymentMethod`]) and the states of one a customer started
//! ([`PaymentStatus`], R1.D1).
//!
//! It does not price anything (prices and discounts come from `vnum-discounts`), store
//! anything, read a clock or send a notice: time is an argument, a local day
//! ([`chrono::NaiveDate`]) or a UTC instant with a [`chrono_tz::Tz`].

mod account;
mod addon;
mod calendar;
mod error;
mod ledger;
mod payment;
mod renewal;

pub use account::{ServiceState, Suspended, covers_first_payment, refund_for_unprovided};
pub use addon::{AddOnCharge, AddOnError, add_on_due, caller_id_fee, monthly_fee_with};
pub use calendar::{BillingAnchor, ConnectionDay, charges_due_on, start_of_day};
pub use error::BillingError;
pub use ledger::{EntryKind, Ledger, LedgerEntry};
pub use payment::{
    PaymentError, PaymentMethod, PaymentOutcome, PaymentStatus, check_payment_amount,
};
pub use renewal::{
    Cancellation, DueAnchor, DueNumber, NumberBilling, RenewalDay, RenewalDecision, RenewalError,
    cancel, first_term_rule, set_renewal,
};
