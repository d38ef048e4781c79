//! Prepaid-term and negotiated bulk discounts and how they combine (R11).
//!
//! `vnum-discounts` owns the discount configuration ([`Discounts`]: the [`TermTiers`] for
//! paying 3, 6 or 12 months in advance and each customer's [`BulkAgreement`]), and the
//! [`Quote`] of an order: its lines at list price, every discount applied with the rule
//! that grants it, and the total to charge. Percentages are configuration, not code
//! (R11.D1).
//!
//! # How discounts combine (R11.D1)
//!
//! Discounts apply to the rent of a line (monthly price × months × quantity), not to setup
//! fees, and they multiply: `rent × (1 − term %) × (1 − bulk %)`. Multiplying never takes a
//! price below zero, whatever two percentages are configured (adding 60 % and 50 % would),
//! does not depend on the order the discounts are taken in, and keeps each negotiated
//! percentage a share of what the customer would otherwise pay.
//!
//! # Rounding (R11.D1)
//!
//! Every line amount is exact. The quote's total is the sum of the exact line totals,
//! rounded once to the currency's minor unit, half away from zero; that is the amount
//! charged. [`QuotedLine::display_total`] rounds a line for display only, so displayed
//! lines can differ from the total by at most half a minor unit per line.
//!
//! The crate does not know catalogue prices, balances or orders: it prices what it is
//! given. It does no I/O.

mod config;
mod error;
mod quote;

pub use config::{BulkAgreement, Discounts, Percent, TermTiers};
pub use error::DiscountError;
pub use quote::{AppliedDiscount, DiscountKind, LineItem, LineShare, Quote, QuotedLine};
