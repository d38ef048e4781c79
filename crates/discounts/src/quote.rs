//! Quotes: what an order costs, line by line, with every discount applied and the total
//! rounded once (R11.D1).

use std::fmt;

use serde::Serialize;
use vnum_core::rule::{self, RuleId};
use vnum_core::{
    AgreementId, CountryCode, Currency, CustomerId, Decimal, Money, OfferId, PrepaidTerm,
};

use crate::{DiscountError, Discounts, Percent};

/// One line of an order: `quantity` numbers of one offer, paid `term` in advance.
///
/// Invariant: `quantity >= 1`; both prices are zero or above and in one currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LineItem {
    offer: OfferId,
    country: CountryCode,
    quantity: u32,
    term: PrepaidTerm,
    monthly_price: Money,
    setup_fee: Money,
}

impl LineItem {
    /// `quantity` numbers of `offer` in `country` at the list prices `monthly_price` and
    /// `setup_fee` (per number), paid `term` in advance.
    ///
    /// # Errors
    /// [`DiscountError::ZeroQuantity`], [`DiscountError::NegativePrice`], or
    /// [`DiscountError::Money`] when the two prices are in different currencies.
    pub fn new(
        offer: OfferId,
        country: CountryCode,
        quantity: u32,
        term: PrepaidTerm,
        monthly_price: Money,
        setup_fee: Money,
    ) -> Result<Self, DiscountError> {
        if quantity == 0 {
            return Err(DiscountError::ZeroQuantity);
        }
        for price in [monthly_price, setup_fee] {
            if price.is_negative() {
                return Err(DiscountError::NegativePrice(price));
            }
        }
        monthly_price.checked_cmp(&setup_fee)?;
        Ok(Self {
            offer,
            country,
            quantity,
            term,
            monthly_price,
            setup_fee,
        })
    }

    /// The offer.
    #[must_use]
    pub const fn offer(&self) -> OfferId {
        self.offer
    }

    /// The numbers' country.
    #[must_use]
    pub const fn country(&self) -> CountryCode {
        self.country
    }

    /// How many numbers.
    #[must_use]
    pub const fn quantity(&self) -> u32 {
        self.quantity
    }

    /// How many months are paid in advance.
    #[must_use]
    pub const fn term(&self) -> PrepaidTerm {
        self.term
    }

    /// The list price of one number for one month.
    #[must_use]
    pub const fn monthly_price(&self) -> Money {
        self.monthly_price
    }

    /// The list setup fee of one number.
    #[must_use]
    pub const fn setup_fee(&self) -> Money {
        self.setup_fee
    }

    /// The rent at list price: monthly price × months × quantity.
    fn list_rent(&self) -> Result<Money, DiscountError> {
        let units = Decimal::from(self.term.months()) * Decimal::from(self.quantity);
        Ok(self.monthly_price.checked_mul(units)?)
    }

    fn list_setup(&self) -> Result<Money, DiscountError> {
        Ok(self.setup_fee.checked_mul(Decimal::from(self.quantity))?)
    }
}

/// Which discount was applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DiscountKind {
    /// Paying the term in advance (R11.1).
    PrepaidTerm {
        /// The term paid.
        term: PrepaidTerm,
    },
    /// The customer's negotiated bulk agreement (R11.2).
    Bulk {
        /// The agreement.
        agreement: AgreementId,
    },
}

/// One discount taken off one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct AppliedDiscount {
    /// Which discount.
    pub kind: DiscountKind,
    /// The rule that grants it.
    pub rule: RuleId,
    /// The configured percentage.
    pub percent: Percent,
    /// The exact amount taken off, zero or above, not rounded.
    pub amount: Money,
}

/// One number's share of a quoted line (see [`QuotedLine::share_per_number`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LineShare {
    /// The number's share of the line after discounts, setup fee included.
    pub total: Money,
    /// The setup fee of one number, never discounted (R11.D1).
    pub setup_fee: Money,
    /// Each discount of the line, its amount the number's share.
    pub discounts: Vec<AppliedDiscount>,
}

/// One priced line of a quote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QuotedLine {
    item: LineItem,
    list_total: Money,
    discounts: Vec<AppliedDiscount>,
    total: Money,
}

impl QuotedLine {
    /// What was asked for.
    #[must_use]
    pub const fn item(&self) -> &LineItem {
        &self.item
    }

    /// The line at list prices: setup fees plus the rent of the whole term, exact.
    #[must_use]
    pub const fn list_total(&self) -> Money {
        self.list_total
    }

    /// The discounts applied, in the order they were applied.
    #[must_use]
    pub fn discounts(&self) -> &[AppliedDiscount] {
        &self.discounts
    }

    /// The line after discounts, exact (not rounded).
    #[must_use]
    pub const fn total(&self) -> Money {
        self.total
    }

    /// One number's share of the line: its total, setup fee and each discount divided by
    /// the quantity and rounded to the minor unit, half away from zero. It says what one
    /// number's first term cost in its history; the order is charged the quote's total,
    /// rounded once (R11.D1), so the shares of a line may differ from it by at most half a
    /// minor unit per number.
    #[must_use]
    pub fn share_per_number(&self) -> LineShare {
        let quantity = Decimal::from(self.item.quantity);
        let share =
            |money: Money| Money::new(money.amount() / quantity, money.currency()).round_to_minor();
        LineShare {
            total: share(self.total),
            setup_fee: self.item.setup_fee.round_to_minor(),
            discounts: self
                .discounts
                .iter()
                .map(|d| AppliedDiscount {
                    amount: share(d.amount),
                    ..*d
                })
                .collect(),
        }
    }

    /// The line after discounts rounded to the minor unit, for display only: the quote's
    /// total is the exact line totals summed, then rounded once, so the displayed lines may
    /// differ from the total by at most half a minor unit per line (R11.D1).
    #[must_use]
    pub fn display_total(&self) -> Money {
        self.total.round_to_minor()
    }
}

/// What an order costs: its lines and the total to charge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Quote {
    customer: CustomerId,
    lines: Vec<QuotedLine>,
    total: Money,
}

impl Quote {
    /// The customer quoted.
    #[must_use]
    pub const fn customer(&self) -> CustomerId {
        self.customer
    }

    /// The priced lines, in the order asked.
    #[must_use]
    pub fn lines(&self) -> &[QuotedLine] {
        &self.lines
    }

    /// The total to charge: the exact line totals summed and rounded once to the minor
    /// unit (R11.D1). This is the amount the order's first payment is checked against
    /// (R1.4).
    #[must_use]
    pub const fn total(&self) -> Money {
        self.total
    }

    /// The currency of every amount in the quote.
    #[must_use]
    pub const fn currency(&self) -> Currency {
        self.total.currency()
    }
}

impl fmt::Display for Quote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.lines {
            let item = line.item();
            write!(
                f,
                "{} × offer {} ({}), {}: {}",
                item.quantity,
                item.offer,
                item.country,
                item.term,
                line.list_total().round_to_minor()
            )?;
            for discount in line.discounts() {
                write!(f, ", −{} ({})", discount.percent, discount.rule)?;
            }
            writeln!(f, " = {}", line.display_total())?;
        }
        write!(f, "total {}", self.total)
    }
}

impl Discounts {
    /// Prices `items` for `customer`.
    ///
    /// The combination rule (R11.D1): discounts apply to the rent (monthly price × months ×
    /// quantity), never to setup fees, and multiply:
    /// `rent × (1 − term %) × (1 − bulk %)`. The term discount (R11.1) is taken first and
    /// the bulk discount (R11.2) off what remains; the order does not change the result.
    /// Multiplying keeps every line within 0 and its list price whatever the percentages,
    /// and each discount is a share of what the customer would otherwise pay, as both were
    /// negotiated.
    ///
    /// The bulk agreement applies when the order as a whole has at least its minimum
    /// quantity of numbers ("buying 5 or more numbers at once", R11.2), each line at the
    /// percentage agreed for its country.
    ///
    /// Line amounts stay exact; the total is rounded once, half away from zero, to the
    /// currency's minor unit.
    ///
    /// # Errors
    /// [`DiscountError::EmptyQuote`] without items; [`DiscountError::Money`] when the
    /// items are in different currencies or an amount overflows.
    pub fn quote(&self, customer: CustomerId, items: &[LineItem]) -> Result<Quote, DiscountError> {
        let first = items.first().ok_or(DiscountError::EmptyQuote)?;
        let currency = first.monthly_price.currency();
        let quantity: u64 = items.iter().map(|item| u64::from(item.quantity)).sum();
        let agreement = self
            .agreement_for(customer)
            .filter(|agreement| quantity >= u64::from(agreement.min_quantity()));

        let mut lines = Vec::with_capacity(items.len());
        for item in items {
            let rent = item.list_rent()?;
            let list_total = rent.checked_add(item.list_setup()?)?;
            let mut discounts = Vec::with_capacity(2);
            let mut remaining_rent = rent;

            let term = (
                DiscountKind::PrepaidTerm { term: item.term },
                rule::R11_1,
                self.term_tiers().percent(item.term),
            );
            let bulk = agreement.and_then(|a| {
                let percent = a.percent_for(item.country)?;
                Some((
                    DiscountKind::Bulk { agreement: a.id() },
                    rule::R11_2,
                    percent,
                ))
            });
            for (kind, rule, percent) in std::iter::once(term).chain(bulk) {
                if percent.is_zero() {
                    continue;
                }
                let amount = remaining_rent.checked_mul(percent.fraction())?;
                remaining_rent = remaining_rent.checked_sub(amount)?;
                discounts.push(AppliedDiscount {
                    kind,
                    rule,
                    percent,
                    amount,
                });
            }
            let taken = Money::sum(currency, discounts.iter().map(|d| d.amount))?;
            lines.push(QuotedLine {
                item: *item,
                list_total,
                discounts,
                total: list_total.checked_sub(taken)?,
            });
        }
        let total = Money::sum(currency, lines.iter().map(QuotedLine::total))?.round_to_minor();
        Ok(Quote {
            customer,
            lines,
            total,
        })
    }
}
