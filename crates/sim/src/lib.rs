//! A billing simulation of a number portfolio: what it brings over the years, and what
//! happens to revenue and debt when discount tiers or customers' habits change.
//!
//! `vnum-sim` owns the [`Scenario`] (offers, customers and how they pay or leave, the
//! numbers rented at the start, the numbers ordered every month, the prepaid-term
//! discounts and bulk agreements) and its day-by-day run ([`Simulation::run`]) with a seed, which draws who orders and when
//! (ChaCha8: the same seed gives the same run on every machine). The result is a monthly
//! series per currency ([`MonthRow`]: revenue, discounts given, new debt, debt outstanding,
//! accounts suspended and resumed, numbers connected, lost and active) and each customer's
//! end state ([`CustomerEnd`]).
//!
//! It restates no rule. What is due on a day is [`vnum_billing::RenewalDay::charge`], the
//! predicate the in-memory store runs; a new number's calendar and paid term are
//! [`vnum_billing::BillingAnchor`]'s; an order's price is [`vnum_discounts::Discounts::quote`]
//! and its acceptance [`vnum_billing::covers_first_payment`]; suspension is
//! [`vnum_billing::ServiceState::of_balance`]. A differential test in the workspace's
//! `tests/sim` replays runs on the use cases and compares ledgers and balances.
//!
//! Days are local days of the billing zone (R10.D2): a run never converts an instant. The
//! crate does no I/O and reads no clock; balances are kept in whole minor units and given
//! back as [`vnum_core::Money`].

mod run;
mod scenario;

pub use run::{CustomerEnd, Event, MonthRow, Outcome, SimError, Simulation};
pub use scenario::{
    AgreementSpec, Behaviour, CustomerSpec, Growth, OfferSpec, PortfolioNumber, Scenario,
    ScenarioError,
};
