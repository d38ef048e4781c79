//! The scenario file: its TOML shape, and its translation into a [`Scenario`].

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use chrono::{Days, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::Deserialize;
use vnum_core::{CountryCode, Currency, Money, PrepaidTerm};
use vnum_discounts::{Percent, TermTiers};
use vnum_sim::{
    AgreementSpec, Behaviour, CustomerSpec, Growth, OfferSpec, PortfolioNumber, Scenario,
};

/// A scenario file (see `examples/sim/scenario.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScenarioFile {
    start: NaiveDate,
    months: u32,
    #[serde(default)]
    term_tiers: TermTiers,
    offers: Vec<OfferEntry>,
    customers: Vec<CustomerGroup>,
    #[serde(default)]
    growth: Vec<GrowthEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OfferEntry {
    name: String,
    country: CountryCode,
    currency: String,
    monthly_price: Decimal,
    #[serde(default)]
    setup_fee: Decimal,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerGroup {
    count: u32,
    currency: String,
    #[serde(default)]
    starting_balance: Decimal,
    behaviour: BehaviourEntry,
    #[serde(default)]
    numbers: u32,
    offer: Option<String>,
    #[serde(default = "one")]
    paid_months: u32,
    /// A bulk discount for each customer of the group (R11.2).
    bulk: Option<BulkEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BulkEntry {
    min_quantity: u32,
    #[serde(default)]
    per_country: BTreeMap<CountryCode, Percent>,
    default_percent: Option<Percent>,
}

const fn one() -> u32 {
    1
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum BehaviourEntry {
    PaysOnTime,
    PaysLateDays(u32),
    StopsPayingAfterDays(u32),
    LeavesAfterDays(u32),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GrowthEntry {
    offer: String,
    orders_per_month: u32,
    #[serde(default = "one")]
    numbers_per_order: u32,
    #[serde(default = "one")]
    term_months: u32,
}

fn currency(code: &str, what: &str) -> anyhow::Result<Currency> {
    Currency::parse(code).with_context(|| format!("{what}: currency {code:?}"))
}

fn term(months: u32, what: &str) -> anyhow::Result<PrepaidTerm> {
    PrepaidTerm::from_months(months)
        .with_context(|| format!("{what}: {months} months, expected 1, 3, 6 or 12"))
}

impl ScenarioFile {
    /// The scenario the file describes. A group's numbers are connected on days spread
    /// over the 30 days before the start, each with `paid_months` periods paid.
    pub(crate) fn scenario(&self) -> anyhow::Result<Scenario> {
        let end = self
            .start
            .checked_add_months(Months::new(self.months))
            .with_context(|| {
                format!(
                    "{} months from {} is past the calendar",
                    self.months, self.start
                )
            })?;
        let days = u32::try_from((end - self.start).num_days())?;

        let mut offers = Vec::new();
        let mut by_name = BTreeMap::new();
        for entry in &self.offers {
            let what = format!("offer {:?}", entry.name);
            let currency = currency(&entry.currency, &what)?;
            if by_name.insert(entry.name.as_str(), offers.len()).is_some() {
                bail!("{what} is named twice: give each offer its own name");
            }
            offers.push(OfferSpec {
                country: entry.country,
                monthly_price: Money::new(entry.monthly_price, currency),
                setup_fee: Money::new(entry.setup_fee, currency),
            });
        }
        let offer = |name: &str, what: &str| {
            by_name.get(name).copied().with_context(|| {
                let known: Vec<&str> = by_name.keys().copied().collect();
                format!("{what} names offer {name:?}; the offers are {known:?}")
            })
        };

        let mut customers = Vec::new();
        let mut portfolio = Vec::new();
        let mut agreements = Vec::new();
        for (group, entry) in self.customers.iter().enumerate() {
            let what = format!("customer group {}", group + 1);
            let currency = currency(&entry.currency, &what)?;
            let behaviour = match entry.behaviour {
                BehaviourEntry::PaysOnTime => Behaviour::PaysOnTime,
                BehaviourEntry::PaysLateDays(days) => Behaviour::PaysLate { days },
                BehaviourEntry::StopsPayingAfterDays(after_days) => {
                    Behaviour::StopsPaying { after_days }
                }
                BehaviourEntry::LeavesAfterDays(after_days) => Behaviour::Leaves { after_days },
            };
            let rented = match (&entry.offer, entry.numbers) {
                (_, 0) => None,
                (Some(name), _) => Some(offer(name, &what)?),
                (None, n) => bail!("{what} rents {n} numbers of no offer: name one with offer"),
            };
            term(entry.paid_months, &what)?;
            for _ in 0..entry.count {
                let customer = customers.len();
                customers.push(CustomerSpec {
                    starting_balance: Money::new(entry.starting_balance, currency),
                    behaviour,
                });
                if let Some(bulk) = &entry.bulk {
                    agreements.push(AgreementSpec {
                        customer,
                        min_quantity: bulk.min_quantity,
                        per_country: bulk.per_country.clone(),
                        default_percent: bulk.default_percent,
                    });
                }
                for _ in 0..entry.numbers {
                    let Some(offer) = rented else { break };
                    let before = (portfolio.len() % 30) as u64 + 1;
                    portfolio.push(PortfolioNumber {
                        customer,
                        offer,
                        connected_on: self.start - Days::new(before),
                        paid_periods: entry.paid_months,
                    });
                }
            }
        }

        let mut growth = Vec::new();
        for (index, entry) in self.growth.iter().enumerate() {
            let what = format!("growth {}", index + 1);
            growth.push(Growth {
                offer: offer(&entry.offer, &what)?,
                orders_per_month: entry.orders_per_month,
                numbers_per_order: entry.numbers_per_order,
                term: term(entry.term_months, &what)?,
            });
        }
        Ok(Scenario {
            start: self.start,
            days,
            offers,
            customers,
            portfolio,
            growth,
            term_tiers: self.term_tiers,
            agreements,
        })
    }
}
