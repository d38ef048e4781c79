//! Discount configuration: prepaid-term tiers and negotiated bulk agreements (R11.1, R11.2,
//! R11.D1). These are plain values read from configuration, never constants in code.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use vnum_core::{AgreementId, CountryCode, CustomerId, Decimal, PrepaidTerm};

use crate::DiscountError;

/// A percentage from 0 to 100, such as `12.5`.
///
/// Invariant: `0 <= percent <= 100`, so a discount never takes more than the price.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct Percent(Decimal);

impl Percent {
    /// No discount.
    pub const ZERO: Self = Self(Decimal::ZERO);

    /// The percentage `percent`.
    ///
    /// # Errors
    /// [`DiscountError::PercentOutOfRange`] unless `0 <= percent <= 100`.
    pub fn new(percent: Decimal) -> Result<Self, DiscountError> {
        if percent < Decimal::ZERO || percent > Decimal::ONE_HUNDRED {
            return Err(DiscountError::PercentOutOfRange(percent));
        }
        Ok(Self(percent.normalize()))
    }

    /// The percentage, 0 to 100.
    #[must_use]
    pub const fn get(self) -> Decimal {
        self.0
    }

    /// True for 0 %.
    #[must_use]
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// The share of a price this percentage is: 12.5 % is 0.125.
    #[must_use]
    pub fn fraction(self) -> Decimal {
        self.0 / Decimal::ONE_HUNDRED
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

impl TryFrom<Decimal> for Percent {
    type Error = DiscountError;
    fn try_from(percent: Decimal) -> Result<Self, Self::Error> {
        Self::new(percent)
    }
}

impl From<Percent> for Decimal {
    fn from(percent: Percent) -> Self {
        percent.0
    }
}

/// The discount for paying 3, 6 or 12 months in advance (R11.1). One month, the minimum
/// rental, has none. A tier left out of the configuration is 0 %.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermTiers {
    #[serde(default)]
    three_months: Percent,
    #[serde(default)]
    six_months: Percent,
    #[serde(default)]
    twelve_months: Percent,
}

impl Default for Percent {
    fn default() -> Self {
        Self::ZERO
    }
}

impl TermTiers {
    /// The tiers for 3, 6 and 12 months.
    #[must_use]
    pub const fn new(three_months: Percent, six_months: Percent, twelve_months: Percent) -> Self {
        Self {
            three_months,
            six_months,
            twelve_months,
        }
    }

    /// The discount for paying `term` in advance.
    #[must_use]
    pub const fn percent(&self, term: PrepaidTerm) -> Percent {
        match term {
            PrepaidTerm::OneMonth => Percent::ZERO,
            PrepaidTerm::ThreeMonths => self.three_months,
            PrepaidTerm::SixMonths => self.six_months,
            PrepaidTerm::TwelveMonths => self.twelve_months,
        }
    }
}

/// A bulk discount negotiated with one customer (R11.2): when an order has at least
/// `min_quantity` numbers, each number gets the percentage agreed for its country, or the
/// agreement's default percentage for a country not listed (none when there is no default).
///
/// Invariant: `min_quantity >= 1` and every percentage is within 0–100.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawAgreement", into = "RawAgreement")]
pub struct BulkAgreement {
    id: AgreementId,
    customer: CustomerId,
    min_quantity: u32,
    per_country: BTreeMap<CountryCode, Percent>,
    default_percent: Option<Percent>,
}

impl BulkAgreement {
    /// The agreement `id` with `customer`.
    ///
    /// # Errors
    /// [`DiscountError::ZeroMinimumQuantity`] when `min_quantity` is 0.
    pub fn new(
        id: AgreementId,
        customer: CustomerId,
        min_quantity: u32,
        per_country: BTreeMap<CountryCode, Percent>,
        default_percent: Option<Percent>,
    ) -> Result<Self, DiscountError> {
        if min_quantity == 0 {
            return Err(DiscountError::ZeroMinimumQuantity);
        }
        Ok(Self {
            id,
            customer,
            min_quantity,
            per_country,
            default_percent,
        })
    }

    /// The same agreement under the id storage assigned to it.
    #[must_use]
    pub fn with_id(self, id: AgreementId) -> Self {
        Self { id, ..self }
    }

    /// The agreement's id.
    #[must_use]
    pub const fn id(&self) -> AgreementId {
        self.id
    }

    /// The customer it was negotiated with.
    #[must_use]
    pub const fn customer(&self) -> CustomerId {
        self.customer
    }

    /// How many numbers an order needs for the agreement to apply.
    #[must_use]
    pub const fn min_quantity(&self) -> u32 {
        self.min_quantity
    }

    /// The percentage for a number in `country`, when the agreement gives one.
    #[must_use]
    pub fn percent_for(&self, country: CountryCode) -> Option<Percent> {
        self.per_country
            .get(&country)
            .copied()
            .or(self.default_percent)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAgreement {
    id: AgreementId,
    customer: CustomerId,
    min_quantity: u32,
    #[serde(default)]
    per_country: BTreeMap<CountryCode, Percent>,
    #[serde(default)]
    default_percent: Option<Percent>,
}

impl TryFrom<RawAgreement> for BulkAgreement {
    type Error = DiscountError;
    fn try_from(raw: RawAgreement) -> Result<Self, Self::Error> {
        Self::new(
            raw.id,
            raw.customer,
            raw.min_quantity,
            raw.per_country,
            raw.default_percent,
        )
    }
}

impl From<BulkAgreement> for RawAgreement {
    fn from(a: BulkAgreement) -> Self {
        Self {
            id: a.id,
            customer: a.customer,
            min_quantity: a.min_quantity,
            per_country: a.per_country,
            default_percent: a.default_percent,
        }
    }
}

/// The whole discount configuration: the term tiers and at most one bulk agreement per
/// customer (R11.D1).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawDiscounts", into = "RawDiscounts")]
pub struct Discounts {
    term_tiers: TermTiers,
    agreements: BTreeMap<CustomerId, BulkAgreement>,
}

impl Discounts {
    /// The configuration of `term_tiers` and `agreements`.
    ///
    /// # Errors
    /// [`DiscountError::DuplicateAgreement`] when a customer has two agreements.
    pub fn new<I>(term_tiers: TermTiers, agreements: I) -> Result<Self, DiscountError>
    where
        I: IntoIterator<Item = BulkAgreement>,
    {
        let mut by_customer = BTreeMap::new();
        for agreement in agreements {
            let customer = agreement.customer;
            if by_customer.insert(customer, agreement).is_some() {
                return Err(DiscountError::DuplicateAgreement(customer));
            }
        }
        Ok(Self {
            term_tiers,
            agreements: by_customer,
        })
    }

    /// The prepaid-term tiers.
    #[must_use]
    pub const fn term_tiers(&self) -> &TermTiers {
        &self.term_tiers
    }

    /// The bulk agreement of `customer`, if one was negotiated.
    #[must_use]
    pub fn agreement_for(&self, customer: CustomerId) -> Option<&BulkAgreement> {
        self.agreements.get(&customer)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDiscounts {
    #[serde(default)]
    term_tiers: TermTiers,
    #[serde(default)]
    agreements: Vec<BulkAgreement>,
}

impl TryFrom<RawDiscounts> for Discounts {
    type Error = DiscountError;
    fn try_from(raw: RawDiscounts) -> Result<Self, Self::Error> {
        Self::new(raw.term_tiers, raw.agreements)
    }
}

impl From<Discounts> for RawDiscounts {
    fn from(d: Discounts) -> Self {
        Self {
            term_tiers: d.term_tiers,
            agreements: d.agreements.into_values().collect(),
        }
    }
}
