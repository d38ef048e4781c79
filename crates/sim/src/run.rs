//! The day-by-day run: renewals by the production due rule, payments by each customer's
//! behaviour, orders priced by the production quote.

use chrono::{Datelike, Days, Months, NaiveDate};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use vnum_billing::{
    BillingAnchor, BillingError, DueNumber, NumberBilling, RenewalDay, ServiceState,
    covers_first_payment,
};
use vnum_core::{
    AgreementId, Currency, CustomerId, Money, MoneyError, OfferId, Period, PrepaidTerm,
};
use vnum_discounts::{BulkAgreement, DiscountError, Discounts, LineItem};

use crate::scenario::{Behaviour, Scenario, ScenarioError};

/// One thing that happened in a run, in the order it happened. A run reports them to an
/// observer ([`Simulation::run_with`]); the differential test replays them on the engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A number's monthly fee was charged for `period`, whatever the balance (R10.2, R10.3).
    Charged {
        /// The local day of the renewal.
        day: NaiveDate,
        /// The customer's index.
        customer: usize,
        /// The number: portfolio numbers first, then ordered ones in the order they came.
        number: usize,
        /// The period paid.
        period: Period,
        /// The fee.
        amount: Money,
    },
    /// A customer topped up the balance.
    ToppedUp {
        /// The local day.
        day: NaiveDate,
        /// The customer's index.
        customer: usize,
        /// The amount, above zero.
        amount: Money,
    },
    /// An order was paid and its numbers connected on the day.
    Ordered {
        /// The local day.
        day: NaiveDate,
        /// The customer's index.
        customer: usize,
        /// The offer's index.
        offer: usize,
        /// How many numbers.
        quantity: u32,
        /// The prepaid term.
        term: PrepaidTerm,
        /// What the order took from the balance: the quote's total (R11.D1).
        total: Money,
        /// The index of its first number; the others follow.
        first_number: usize,
    },
    /// A customer who left deleted a number (R10.7); nothing was refunded (R10.6).
    Deleted {
        /// The local day.
        day: NaiveDate,
        /// The customer's index.
        customer: usize,
        /// The number.
        number: usize,
    },
    /// An order the balance did not cover was refused (R1.4).
    Refused {
        /// The local day.
        day: NaiveDate,
        /// The customer's index.
        customer: usize,
        /// The offer's index.
        offer: usize,
        /// How many numbers.
        quantity: u32,
        /// The prepaid term.
        term: PrepaidTerm,
        /// The quote's total the balance did not cover.
        total: Money,
    },
}

/// One calendar month of one currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthRow {
    /// The first day of the month.
    pub month: NaiveDate,
    /// The currency of every amount in the row.
    pub currency: Currency,
    /// Money charged: monthly fees and orders' totals.
    pub revenue: Money,
    /// Discounts given on orders: their list prices less their totals (R11).
    pub discounts: Money,
    /// Debt added: the part of the month's charges that took balances below zero (R10.3).
    pub new_debt: Money,
    /// Debt at the end of the month: the balances below zero, as a positive amount.
    pub debt_outstanding: Money,
    /// Times an account's balance went below zero (R10.4), also when it was paid the same
    /// day: a customer who pays on time is suspended from the renewal to the top-up.
    pub suspended: u64,
    /// Times an account's balance came back to zero or above (R10.D3).
    pub resumed: u64,
    /// Numbers connected by orders.
    pub numbers_connected: u64,
    /// Orders refused because the balance did not cover them (R1.4).
    pub orders_refused: u64,
    /// Numbers deleted by customers who left (R10.7).
    pub numbers_lost: u64,
    /// Numbers held at the end of the month.
    pub numbers: u64,
    /// Of those, the numbers of accounts not suspended: they receive calls and SMS
    /// (R10.D3).
    pub numbers_active: u64,
}

/// A customer at the end of the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CustomerEnd {
    /// The balance.
    pub balance: Money,
    /// Whether the numbers work, derived from the balance (R10.D3).
    pub state: ServiceState,
    /// How many numbers the customer holds.
    pub numbers: u64,
}

/// What a run gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// One row per month and currency, by month, then by the currencies' order of
    /// appearance among the customers.
    pub series: Vec<MonthRow>,
    /// Every customer at the end, in the scenario's order.
    pub customers: Vec<CustomerEnd>,
    /// Numbers held summed over month ends: the work the run did, in number-months.
    pub number_months: u64,
}

/// A run that failed on an amount or a day past what the rules support.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    /// Pricing an order failed.
    #[error(transparent)]
    Discount(#[from] DiscountError),
    /// The calendar failed.
    #[error(transparent)]
    Billing(#[from] BillingError),
    /// An amount is out of bounds.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// A checked scenario, ready to run with any seed.
#[derive(Clone, Debug)]
pub struct Simulation {
    scenario: Scenario,
    discounts: Discounts,
    end: NaiveDate,
    currencies: Vec<Currency>,
    customer_currency: Vec<usize>,
    offer_fee: Vec<i64>,
    buyers: Vec<Vec<u32>>,
    starting: Vec<i64>,
}

/// A number as the run keeps it: what the due rule reads, whose it is, what it costs.
#[derive(Clone, Copy, Debug)]
struct Held {
    due: DueNumber,
    customer: u32,
    offer: u32,
    id: u32,
}

/// One month's sums of one currency, in minor units.
#[derive(Clone, Copy, Debug, Default)]
struct Sums {
    revenue: i64,
    discounts: i64,
    new_debt: i64,
    suspended: u64,
    resumed: u64,
    connected: u64,
    refused: u64,
    lost: u64,
}

/// An order the seed placed.
#[derive(Clone, Copy, Debug)]
struct Planned {
    day: NaiveDate,
    customer: u32,
    growth: usize,
}

/// Balances and what they decide.
struct Accounts {
    balance: Vec<i64>,
    negative_since: Vec<Option<NaiveDate>>,
    numbers: Vec<u64>,
    debtors: Vec<u32>,
    currency: Vec<usize>,
}

impl Accounts {
    #[inline]
    fn debit(&mut self, customer: usize, amount: i64, day: NaiveDate, sums: &mut [Sums]) {
        let before = self.balance[customer];
        let after = before.saturating_sub(amount);
        self.balance[customer] = after;
        let sums = &mut sums[self.currency[customer]];
        sums.new_debt += (-after).max(0) - (-before).max(0);
        if before >= 0 && after < 0 {
            sums.suspended += 1;
            self.negative_since[customer] = Some(day);
            self.debtors.push(customer as u32);
        }
    }

    fn credit(&mut self, customer: usize, amount: i64, sums: &mut [Sums]) {
        let before = self.balance[customer];
        let after = before.saturating_add(amount);
        self.balance[customer] = after;
        if before < 0 && after >= 0 {
            sums[self.currency[customer]].resumed += 1;
            self.negative_since[customer] = None;
        }
    }
}

impl Simulation {
    /// Checks `scenario`.
    ///
    /// # Errors
    /// [`ScenarioError`] naming what is wrong: an index out of range, an amount that is
    /// not whole minor units, a currency that does not match, a horizon of no day.
    pub fn new(scenario: Scenario) -> Result<Self, ScenarioError> {
        if scenario.days == 0 {
            return Err(ScenarioError::NoDays);
        }
        let end = scenario
            .start
            .checked_add_days(Days::new(u64::from(scenario.days)))
            .filter(|end| end.year() < 9000)
            .ok_or(ScenarioError::BeyondCalendar {
                start: scenario.start,
                days: scenario.days,
            })?;
        let too_many = |what, count: usize| {
            if count >= u32::MAX as usize {
                Err(ScenarioError::TooMany {
                    what,
                    count,
                    max: u32::MAX as usize - 1,
                })
            } else {
                Ok(())
            }
        };
        too_many("customers", scenario.customers.len())?;
        too_many("portfolio numbers", scenario.portfolio.len())?;
        too_many("offers", scenario.offers.len())?;
        let minor = |what: String, amount: Money| {
            amount
                .to_minor_units()
                .map_err(|_| ScenarioError::Amount { what, amount })
        };

        let mut currencies = Vec::new();
        let mut customer_currency = Vec::with_capacity(scenario.customers.len());
        let mut starting = Vec::with_capacity(scenario.customers.len());
        for (i, customer) in scenario.customers.iter().enumerate() {
            let currency = customer.starting_balance.currency();
            let index = currencies
                .iter()
                .position(|c| *c == currency)
                .unwrap_or_else(|| {
                    currencies.push(currency);
                    currencies.len() - 1
                });
            customer_currency.push(index);
            starting.push(minor(
                format!("the starting balance of customer {i}"),
                customer.starting_balance,
            )?);
        }
        let mut offer_fee = Vec::with_capacity(scenario.offers.len());
        for (i, offer) in scenario.offers.iter().enumerate() {
            let price = |what: &str, amount: Money| {
                let what = format!("the {what} of offer {i}");
                if amount.is_negative() {
                    return Err(ScenarioError::NegativePrice { what, amount });
                }
                minor(what, amount)
            };
            let monthly = price("monthly price", offer.monthly_price)?;
            price("setup fee", offer.setup_fee)?;
            if offer.setup_fee.currency() != offer.monthly_price.currency() {
                return Err(ScenarioError::MixedCurrencies {
                    offer: i,
                    monthly: offer.monthly_price.currency(),
                    setup: offer.setup_fee.currency(),
                });
            }
            offer_fee.push(monthly);
        }
        let offer_named = |what: String, index: usize| {
            scenario
                .offers
                .get(index)
                .ok_or(ScenarioError::NoSuchOffer {
                    what,
                    index,
                    count: scenario.offers.len(),
                })
        };
        for (i, number) in scenario.portfolio.iter().enumerate() {
            let offer = offer_named(format!("portfolio number {i}"), number.offer)?;
            let customer =
                scenario
                    .customers
                    .get(number.customer)
                    .ok_or(ScenarioError::NoSuchCustomer {
                        what: format!("portfolio number {i}"),
                        index: number.customer,
                        count: scenario.customers.len(),
                    })?;
            let (offer_currency, customer_currency) = (
                offer.monthly_price.currency(),
                customer.starting_balance.currency(),
            );
            if offer_currency != customer_currency {
                return Err(ScenarioError::CurrencyMismatch {
                    number: i,
                    offer: number.offer,
                    offer_currency,
                    customer: number.customer,
                    customer_currency,
                });
            }
            if number.connected_on > scenario.start || number.paid_periods == 0 {
                return Err(ScenarioError::PortfolioNumber {
                    number: i,
                    connected_on: number.connected_on,
                    paid_periods: number.paid_periods,
                    start: scenario.start,
                });
            }
        }
        let mut buyers = Vec::with_capacity(scenario.growth.len());
        for (i, growth) in scenario.growth.iter().enumerate() {
            let offer = offer_named(format!("growth {i}"), growth.offer)?;
            if growth.numbers_per_order == 0 {
                return Err(ScenarioError::EmptyOrders { growth: i });
            }
            let currency = offer.monthly_price.currency();
            let of_currency: Vec<u32> = scenario
                .customers
                .iter()
                .enumerate()
                .filter(|(_, c)| c.starting_balance.currency() == currency)
                .map(|(c, _)| c as u32)
                .collect();
            if of_currency.is_empty() && growth.orders_per_month > 0 {
                return Err(ScenarioError::NoBuyer {
                    growth: i,
                    offer: growth.offer,
                    currency,
                });
            }
            buyers.push(of_currency);
        }
        let mut agreements = Vec::with_capacity(scenario.agreements.len());
        for (i, agreement) in scenario.agreements.iter().enumerate() {
            if agreement.customer >= scenario.customers.len() {
                return Err(ScenarioError::NoSuchCustomer {
                    what: format!("agreement {i}"),
                    index: agreement.customer,
                    count: scenario.customers.len(),
                });
            }
            agreements.push(BulkAgreement::new(
                AgreementId(i as i64),
                CustomerId(agreement.customer as i64),
                agreement.min_quantity,
                agreement.per_country.clone(),
                agreement.default_percent,
            )?);
        }
        // The customer ids of quotes are the customers' indices.
        let discounts = Discounts::new(scenario.term_tiers, agreements)?;
        Ok(Self {
            scenario,
            discounts,
            end,
            currencies,
            customer_currency,
            offer_fee,
            buyers,
            starting,
        })
    }

    /// The scenario.
    #[must_use]
    pub const fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Runs the scenario with `seed`.
    ///
    /// # Errors
    /// [`SimError`] when an amount or a day goes past what the rules support.
    pub fn run(&self, seed: u64) -> Result<Outcome, SimError> {
        self.run_with(seed, |_| {})
    }

    /// Runs the scenario with `seed`, telling `observe` every [`Event`] as it happens.
    ///
    /// Each day, in this order: the renewal of the day charges every number the due rule
    /// of production says is due ([`RenewalDay::charge`], R10.2, R10.7, R10.D1), into a
    /// negative balance if need be (R10.3); customers whose paying day has come top up their
    /// debt (their [`Behaviour`]); customers who leave delete their numbers (R10.7); then
    /// the day's orders are priced by the production quote
    /// ([`Discounts::quote`], R11.D1) and accepted when the balance covers them
    /// ([`covers_first_payment`], R1.4) — a customer who still pays tops up the shortfall
    /// first — and their numbers are connected on the day with the prepaid term paid.
    ///
    /// # Errors
    /// [`SimError`] when an amount or a day goes past what the rules support.
    pub fn run_with(
        &self,
        seed: u64,
        mut observe: impl FnMut(&Event),
    ) -> Result<Outcome, SimError> {
        let scenario = &self.scenario;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut accounts = Accounts {
            balance: self.starting.clone(),
            negative_since: scenario
                .customers
                .iter()
                .map(|c| c.starting_balance.is_negative().then_some(scenario.start))
                .collect(),
            numbers: vec![0; scenario.customers.len()],
            debtors: Vec::new(),
            currency: self.customer_currency.clone(),
        };
        accounts.debtors = (0..scenario.customers.len() as u32)
            .filter(|c| accounts.balance[*c as usize] < 0)
            .collect();

        // Numbers by connection day: a renewal day reads only the ones it may charge.
        let mut buckets: Vec<Vec<Held>> = vec![Vec::new(); 32];
        for (id, number) in scenario.portfolio.iter().enumerate() {
            let offer = &scenario.offers[number.offer];
            let billing = NumberBilling::new(
                BillingAnchor::new(number.connected_on),
                offer.monthly_price,
                number.paid_periods,
            );
            let due = billing.due_number()?;
            buckets[due.connection_day.get() as usize].push(Held {
                due,
                customer: number.customer as u32,
                offer: number.offer as u32,
                id: id as u32,
            });
            accounts.numbers[number.customer] += 1;
        }
        let mut next_id = scenario.portfolio.len();
        let mut leaving: Vec<(NaiveDate, u32)> = (0..scenario.customers.len())
            .filter_map(|c| Some((self.leaves_on(c)?, c as u32)))
            .filter(|(day, _)| *day >= scenario.start)
            .collect();
        leaving.sort_unstable();
        let mut next_leaving = 0;
        let mut leaves_today = vec![false; scenario.customers.len()];

        let mut sums = vec![Sums::default(); self.currencies.len()];
        let mut series = Vec::new();
        let mut number_months = 0;
        let mut planned: Vec<Planned> = Vec::new();
        let mut next_planned = 0;

        let mut day = scenario.start;
        while day < self.end {
            if day == scenario.start || day.day() == 1 {
                planned = self.plan_month(day, &mut rng);
                next_planned = 0;
            }

            // Renewals (R10.2, R10.3, R10.7, R10.D1), by the rule production runs.
            let renewal = RenewalDay::new(day);
            for anchor in renewal.anchors() {
                for held in &mut buckets[anchor.connection_day.get() as usize] {
                    let Some(period) = renewal.charge(&held.due) else {
                        continue;
                    };
                    held.due.paid_through = period.end();
                    let customer = held.customer as usize;
                    let offer = held.offer as usize;
                    accounts.debit(customer, self.offer_fee[offer], day, &mut sums);
                    sums[accounts.currency[customer]].revenue += self.offer_fee[offer];
                    observe(&Event::Charged {
                        day,
                        customer,
                        number: held.id as usize,
                        period,
                        amount: scenario.offers[offer].monthly_price,
                    });
                }
            }

            // Payments of debts, each customer by its behaviour.
            let mut debtors = std::mem::take(&mut accounts.debtors);
            debtors.retain(|&customer| {
                let customer = customer as usize;
                let balance = accounts.balance[customer];
                if balance >= 0 {
                    return false;
                }
                let since = accounts.negative_since[customer].unwrap_or(day);
                match self.pays_on(customer, since) {
                    Some(paying) if paying <= day => {
                        accounts.credit(customer, -balance, &mut sums);
                        observe(&Event::ToppedUp {
                            day,
                            customer,
                            amount: self.money(customer, -balance),
                        });
                        false
                    }
                    Some(_) => true,
                    None => false,
                }
            });
            debtors.append(&mut accounts.debtors);
            accounts.debtors = debtors;

            // Customers who leave today delete their numbers, after the renewal (R10.7).
            let first_leaving = next_leaving;
            while let Some((_, customer)) = leaving.get(next_leaving).filter(|l| l.0 == day) {
                leaves_today[*customer as usize] = true;
                next_leaving += 1;
            }
            if next_leaving > first_leaving {
                for held in buckets.iter_mut().flatten() {
                    let customer = held.customer as usize;
                    if !leaves_today[customer] || held.due.deleted_on.is_some() {
                        continue;
                    }
                    held.due.deleted_on = Some(day);
                    accounts.numbers[customer] -= 1;
                    sums[accounts.currency[customer]].lost += 1;
                    observe(&Event::Deleted {
                        day,
                        customer,
                        number: held.id as usize,
                    });
                }
                for (_, customer) in &leaving[first_leaving..next_leaving] {
                    leaves_today[*customer as usize] = false;
                }
            }

            // Orders (R1.4, R11).
            while let Some(order) = planned.get(next_planned).filter(|o| o.day == day) {
                next_planned += 1;
                let growth = &scenario.growth[order.growth];
                let offer = &scenario.offers[growth.offer];
                let customer = order.customer as usize;
                if self.leaves_on(customer).is_some_and(|left| left <= day) {
                    // A customer who left orders nothing.
                    continue;
                }
                let item = LineItem::new(
                    OfferId(growth.offer as i64),
                    offer.country,
                    growth.numbers_per_order,
                    growth.term,
                    offer.monthly_price,
                    offer.setup_fee,
                )?;
                let quote = self.discounts.quote(CustomerId(customer as i64), &[item])?;
                let total = quote.total().to_minor_units()?;
                let list = Money::sum(
                    quote.currency(),
                    quote
                        .lines()
                        .iter()
                        .map(vnum_discounts::QuotedLine::list_total),
                )?
                .round_to_minor()
                .to_minor_units()?;
                let balance = accounts.balance[customer];
                if balance < total && self.pays_on(customer, day).is_some() {
                    accounts.credit(customer, total - balance, &mut sums);
                    observe(&Event::ToppedUp {
                        day,
                        customer,
                        amount: self.money(customer, total - balance),
                    });
                }
                let currency = accounts.currency[customer];
                if covers_first_payment(
                    self.money(customer, accounts.balance[customer]),
                    quote.total(),
                )
                .is_err()
                {
                    sums[currency].refused += 1;
                    observe(&Event::Refused {
                        day,
                        customer,
                        offer: growth.offer,
                        quantity: growth.numbers_per_order,
                        term: growth.term,
                        total: quote.total(),
                    });
                    continue;
                }
                accounts.debit(customer, total, day, &mut sums);
                let sums = &mut sums[currency];
                sums.revenue += total;
                sums.discounts += list - total;
                sums.connected += u64::from(growth.numbers_per_order);
                observe(&Event::Ordered {
                    day,
                    customer,
                    offer: growth.offer,
                    quantity: growth.numbers_per_order,
                    term: growth.term,
                    total: quote.total(),
                    first_number: next_id,
                });
                // Connected on the day, the prepaid term paid (R10.2, R11.1).
                let anchor = BillingAnchor::new(day);
                let due = DueNumber {
                    connection_day: anchor.connection_day(),
                    paid_through: anchor.term(0, growth.term)?.end(),
                    deleted_on: None,
                    stopped_on: None,
                };
                for _ in 0..growth.numbers_per_order {
                    buckets[due.connection_day.get() as usize].push(Held {
                        due,
                        customer: order.customer,
                        offer: growth.offer as u32,
                        id: next_id as u32,
                    });
                    next_id += 1;
                }
                accounts.numbers[customer] += u64::from(growth.numbers_per_order);
            }

            let next = day
                .succ_opt()
                .ok_or(BillingError::BeyondCalendar { index: 0 })?;
            if next.day() == 1 || next == self.end {
                let month = day.with_day(1).unwrap_or(day);
                for (currency_index, currency) in self.currencies.iter().enumerate() {
                    let row = self.close_month(
                        month,
                        currency_index,
                        *currency,
                        &accounts,
                        sums[currency_index],
                    );
                    number_months += row.numbers;
                    series.push(row);
                    sums[currency_index] = Sums::default();
                }
            }
            day = next;
        }

        let customers = (0..scenario.customers.len())
            .map(|customer| {
                let balance = self.money(customer, accounts.balance[customer]);
                CustomerEnd {
                    balance,
                    state: ServiceState::of_balance(balance),
                    numbers: accounts.numbers[customer],
                }
            })
            .collect();
        Ok(Outcome {
            series,
            customers,
            number_months,
        })
    }

    /// The orders the seed places in the month of `from`, on `from` or later and before
    /// the end, by day.
    fn plan_month(&self, from: NaiveDate, rng: &mut ChaCha8Rng) -> Vec<Planned> {
        let first = from.with_day(1).unwrap_or(from);
        let length = first
            .checked_add_months(Months::new(1))
            .map_or(28, |next| (next - first).num_days() as u32);
        let mut planned = Vec::new();
        for (growth_index, growth) in self.scenario.growth.iter().enumerate() {
            let buyers = &self.buyers[growth_index];
            for _ in 0..growth.orders_per_month {
                let day_of_month = below(rng, length) + 1;
                let customer = buyers[below(rng, buyers.len() as u32) as usize];
                let Some(day) = first.with_day(day_of_month) else {
                    continue;
                };
                if day >= from && day < self.end {
                    planned.push(Planned {
                        day,
                        customer,
                        growth: growth_index,
                    });
                }
            }
        }
        planned.sort_by_key(|p| p.day);
        planned
    }

    /// The first day `customer`, in debt since `since`, pays it; `None` when it never
    /// will.
    fn pays_on(&self, customer: usize, since: NaiveDate) -> Option<NaiveDate> {
        match self.scenario.customers[customer].behaviour {
            Behaviour::PaysOnTime => Some(since),
            Behaviour::PaysLate { days } => since.checked_add_days(Days::new(u64::from(days))),
            Behaviour::StopsPaying { after_days } | Behaviour::Leaves { after_days } => {
                let stops = self
                    .scenario
                    .start
                    .checked_add_days(Days::new(u64::from(after_days)))?;
                (since < stops).then_some(since)
            }
        }
    }

    /// The day `customer` leaves, if it does.
    fn leaves_on(&self, customer: usize) -> Option<NaiveDate> {
        match self.scenario.customers[customer].behaviour {
            Behaviour::Leaves { after_days } => self
                .scenario
                .start
                .checked_add_days(Days::new(u64::from(after_days))),
            _ => None,
        }
    }

    fn money(&self, customer: usize, minor: i64) -> Money {
        Money::from_minor_units(minor, self.currencies[self.customer_currency[customer]])
    }

    fn close_month(
        &self,
        month: NaiveDate,
        currency_index: usize,
        currency: Currency,
        accounts: &Accounts,
        sums: Sums,
    ) -> MonthRow {
        let (mut debt, mut numbers, mut active) = (0_i64, 0, 0);
        for (customer, balance) in accounts.balance.iter().enumerate() {
            if accounts.currency[customer] != currency_index {
                continue;
            }
            numbers += accounts.numbers[customer];
            if *balance < 0 {
                debt += -balance;
            } else {
                active += accounts.numbers[customer];
            }
        }
        let money = |minor| Money::from_minor_units(minor, currency);
        MonthRow {
            month,
            currency,
            revenue: money(sums.revenue),
            discounts: money(sums.discounts),
            new_debt: money(sums.new_debt),
            debt_outstanding: money(debt),
            suspended: sums.suspended,
            resumed: sums.resumed,
            numbers_connected: sums.connected,
            orders_refused: sums.refused,
            numbers_lost: sums.lost,
            numbers,
            numbers_active: active,
        }
    }
}

/// A number drawn from `0..n` (`n >= 1`), by the multiply-shift of Lemire: no division.
fn below(rng: &mut ChaCha8Rng, n: u32) -> u32 {
    ((u64::from(rng.next_u32()) * u64::from(n)) >> 32) as u32
}
