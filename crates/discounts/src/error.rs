//! What the discount configuration and a quote refuse.

use vnum_core::{CustomerId, Decimal, Money, MoneyError};

/// Everything a discount configuration or a quote can get wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiscountError {
    /// A percentage below 0 or above 100.
    #[error("a discount of {0}% is not possible: expected a percentage from 0 to 100")]
    PercentOutOfRange(Decimal),
    /// A bulk agreement whose minimum quantity is zero.
    #[error("a bulk agreement needs a minimum quantity of at least 1 number")]
    ZeroMinimumQuantity,
    /// Two bulk agreements for one customer: which one applies would be a guess.
    #[error("customer {0} has more than one bulk agreement: keep one per customer")]
    DuplicateAgreement(CustomerId),
    /// A line of a quote for no numbers.
    #[error("a quote line must be for at least 1 number")]
    ZeroQuantity,
    /// A price below zero.
    #[error("a price of {0} is not possible: prices are zero or above")]
    NegativePrice(Money),
    /// A quote without lines.
    #[error("a quote needs at least one line")]
    EmptyQuote,
    /// Amounts in different currencies, or out of range.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl vnum_core::rule::RuleError for DiscountError {
    fn rule(&self) -> vnum_core::RuleId {
        use vnum_core::rule;
        match self {
            Self::PercentOutOfRange(_)
            | Self::ZeroQuantity
            | Self::NegativePrice(_)
            | Self::EmptyQuote => rule::R11_D1,
            Self::ZeroMinimumQuantity | Self::DuplicateAgreement(_) => rule::R11_2,
            Self::Money(e) => e.rule(),
        }
    }
}
