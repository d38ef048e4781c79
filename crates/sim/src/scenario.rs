//! What a simulation runs: the catalogue, the customers and how they pay, the numbers
//! rented at the start, the numbers ordered every month, and the discount tiers.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use vnum_core::{CountryCode, Currency, Money, PrepaidTerm};
use vnum_discounts::{Percent, TermTiers};

/// One offer of the catalogue: what a number of it costs (R10.2, R1.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OfferSpec {
    /// The numbers' country.
    pub country: CountryCode,
    /// The monthly fee, charged on every charge day (R10.2); its currency is the offer's.
    pub monthly_price: Money,
    /// The setup fee, paid once with the order (R1.4).
    pub setup_fee: Money,
}

/// How a customer pays a debt (R10.3, R10.4, R10.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Tops up what is due on the day the balance goes below zero, so the account is never
    /// suspended at the end of a day.
    PaysOnTime,
    /// Tops up the whole debt `days` days after the balance went below zero; the account is
    /// suspended meanwhile (R10.4).
    PaysLate {
        /// Days from going below zero to paying.
        days: u32,
    },
    /// Pays on time until `after_days` days after the start of the simulation, then never
    /// again: charges go on (R10.3) and the debt grows.
    StopsPaying {
        /// Days from the start after which the customer no longer pays.
        after_days: u32,
    },
    /// Pays on time until `after_days` days after the start; on that day, after the day's
    /// renewal, deletes every number it holds and never pays nor orders again. A number
    /// deleted on its charge day is charged, one deleted the day before is not (R10.7);
    /// nothing is refunded (R10.6).
    Leaves {
        /// Days from the start to the day the customer leaves.
        after_days: u32,
    },
}

/// A customer: a balance in one currency and a way of paying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CustomerSpec {
    /// The balance at the start; its currency is the account's.
    pub starting_balance: Money,
    /// How the customer pays.
    pub behaviour: Behaviour,
}

/// A number rented before the simulation starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortfolioNumber {
    /// The index of its customer in [`Scenario::customers`].
    pub customer: usize,
    /// The index of its offer in [`Scenario::offers`].
    pub offer: usize,
    /// The local day it was connected on: its calendar (R10.2, R10.D1).
    pub connected_on: NaiveDate,
    /// How many periods are paid, from period 0 (at least 1: payment is in advance, R1.4).
    pub paid_periods: u32,
}

/// Numbers ordered every month of the simulation.
///
/// Every calendar month, `orders_per_month` orders of `numbers_per_order` numbers of the
/// offer are placed, each by a customer of the offer's currency and on a day of the month
/// that the seed draws, paid `term` in advance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Growth {
    /// The index of the offer in [`Scenario::offers`].
    pub offer: usize,
    /// Orders a month.
    pub orders_per_month: u32,
    /// Numbers in each order, at least 1.
    pub numbers_per_order: u32,
    /// The prepaid term of each order (R11.1).
    pub term: PrepaidTerm,
}

/// A bulk discount negotiated with one customer (R11.2): an order of at least
/// `min_quantity` numbers gets, for each number, the percentage agreed for its country, or
/// `default_percent` for a country not listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgreementSpec {
    /// The index of the customer in [`Scenario::customers`].
    pub customer: usize,
    /// The fewest numbers in an order for the agreement to apply, at least 1.
    pub min_quantity: u32,
    /// The percentage per country.
    pub per_country: BTreeMap<CountryCode, Percent>,
    /// The percentage for the other countries, if any.
    pub default_percent: Option<Percent>,
}

/// A simulation's input. [`crate::Simulation::new`] checks it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// The first local day simulated.
    pub start: NaiveDate,
    /// How many days are simulated, from `start`.
    pub days: u32,
    /// The catalogue.
    pub offers: Vec<OfferSpec>,
    /// The customers.
    pub customers: Vec<CustomerSpec>,
    /// The numbers rented at the start.
    pub portfolio: Vec<PortfolioNumber>,
    /// The numbers ordered every month.
    pub growth: Vec<Growth>,
    /// The prepaid-term discounts (R11.1), as the provider configures them.
    pub term_tiers: TermTiers,
    /// The bulk agreements (R11.2), at most one per customer.
    pub agreements: Vec<AgreementSpec>,
}

/// A scenario that cannot run, and what it should be instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    /// A simulation needs at least one day.
    #[error("the scenario runs for 0 days: give a horizon of at least one day")]
    NoDays,
    /// The horizon ends past the supported calendar.
    #[error("the scenario starts on {start} and runs {days} days, past the supported calendar")]
    BeyondCalendar {
        /// The first day.
        start: NaiveDate,
        /// The horizon.
        days: u32,
    },
    /// An index names no offer.
    #[error("{what} names offer {index}, but the scenario has {count} offers, numbered from 0")]
    NoSuchOffer {
        /// What named it.
        what: String,
        /// The index.
        index: usize,
        /// How many offers there are.
        count: usize,
    },
    /// An index names no customer.
    #[error(
        "{what} names customer {index}, but the scenario has {count} customers, numbered from 0"
    )]
    NoSuchCustomer {
        /// What named it.
        what: String,
        /// The index.
        index: usize,
        /// How many customers there are.
        count: usize,
    },
    /// An amount is not a whole number of minor units, or is out of bounds.
    #[error("{what} is {amount}: expected whole minor units of its currency, within bounds")]
    Amount {
        /// What the amount is.
        what: String,
        /// The amount.
        amount: Money,
    },
    /// A price below zero.
    #[error("{what} is {amount}: a price is zero or above")]
    NegativePrice {
        /// What the price is.
        what: String,
        /// The price.
        amount: Money,
    },
    /// The offer's setup fee is in another currency than its monthly price.
    #[error("offer {offer} has a monthly price in {monthly} and a setup fee in {setup}: use one")]
    MixedCurrencies {
        /// The offer's index.
        offer: usize,
        /// The monthly price's currency.
        monthly: Currency,
        /// The setup fee's currency.
        setup: Currency,
    },
    /// A number of a customer in another currency than its offer's.
    #[error(
        "portfolio number {number} is of offer {offer} priced in {offer_currency}, but its \
         customer {customer} pays in {customer_currency}: use an offer of the customer's currency"
    )]
    CurrencyMismatch {
        /// The number's index.
        number: usize,
        /// The offer's index.
        offer: usize,
        /// The offer's currency.
        offer_currency: Currency,
        /// The customer's index.
        customer: usize,
        /// The customer's currency.
        customer_currency: Currency,
    },
    /// A portfolio number connected after the start, or with no period paid.
    #[error(
        "portfolio number {number} is connected on {connected_on} with {paid_periods} periods \
         paid: a number of the portfolio is connected on or before the start ({start}) with at \
         least its first period paid (R1.4)"
    )]
    PortfolioNumber {
        /// The number's index.
        number: usize,
        /// Its connection day.
        connected_on: NaiveDate,
        /// Its paid periods.
        paid_periods: u32,
        /// The first day simulated.
        start: NaiveDate,
    },
    /// A growth whose offer no customer can buy.
    #[error(
        "growth {growth} orders offer {offer} priced in {currency}, and no customer pays in \
         {currency}: add one or use another offer"
    )]
    NoBuyer {
        /// The growth's index.
        growth: usize,
        /// The offer's index.
        offer: usize,
        /// The offer's currency.
        currency: Currency,
    },
    /// A growth of orders of no number.
    #[error("growth {growth} orders 0 numbers per order: expected at least 1")]
    EmptyOrders {
        /// The growth's index.
        growth: usize,
    },
    /// The discount configuration was refused.
    #[error(transparent)]
    Discounts(#[from] vnum_discounts::DiscountError),
    /// More numbers or customers than the simulation indexes.
    #[error("the scenario has {count} {what}: at most {max}")]
    TooMany {
        /// Numbers or customers.
        what: &'static str,
        /// How many.
        count: usize,
        /// The most supported.
        max: usize,
    },
}
