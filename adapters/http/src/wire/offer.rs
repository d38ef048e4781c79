//! Offers and quotes on the wire: the catalogue, orders, free tests and the waitlist name a
//! kind of number, orders quote their lines.

use crate::codes::{E164, Term};
use crate::money::MoneyBody;
use crate::problem::ApiResult;
use poem_openapi::{Enum, Object};
use serde::Serialize;
use vnum_app::OrderLineRequest;
use vnum_core::OfferId;
use vnum_discounts::{AppliedDiscount, DiscountKind, Quote, QuotedLine};
use vnum_lifecycle::NumberKind;

/// The kind of a number: what an offer sells, a free test lends and a waitlist entry waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "NumberKind", rename_all = "snake_case")]
pub(crate) enum Kind {
    /// Valid country-wide: ordered by country only (R1.2).
    Mobile,
    /// A number of one city: ordered by country and city (R1.2).
    Landline,
    /// Toll-free, valid country-wide.
    TollFree,
    /// A one-shot SMS number (R9); never lent for a free test (R8.3).
    Sms,
}

impl From<Kind> for NumberKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Mobile => Self::Mobile,
            Kind::Landline => Self::Landline,
            Kind::TollFree => Self::TollFree,
            Kind::Sms => Self::Sms,
        }
    }
}

impl From<NumberKind> for Kind {
    fn from(kind: NumberKind) -> Self {
        match kind {
            NumberKind::Mobile => Self::Mobile,
            NumberKind::Landline => Self::Landline,
            NumberKind::TollFree => Self::TollFree,
            NumberKind::Sms => Self::Sms,
        }
    }
}

/// One line of a quote or an order.
#[derive(Clone, Debug, Object)]
#[oai(rename = "OrderLine")]
pub(crate) struct LineBody {
    /// The offer.
    pub(crate) offer: i64,
    /// How many numbers (default 1); 1 for a picked number.
    #[oai(
        default = "one",
        validator(minimum(value = "1"), maximum(value = "1000"))
    )]
    pub(crate) quantity: u32,
    /// Months paid in advance: 1, 3, 6 or 12 (R10.1, R11.1).
    pub(crate) term_months: Term,
    /// The city, for landline offers (R1.2).
    #[oai(skip_serializing_if_is_none)]
    pub(crate) city: Option<String>,
    /// A number picked from the offer's list, E.164 (R1.3).
    #[oai(skip_serializing_if_is_none)]
    pub(crate) number: Option<E164>,
}

pub(crate) fn one() -> u32 {
    1
}

impl LineBody {
    pub(crate) fn into_request(self) -> ApiResult<OrderLineRequest> {
        Ok(OrderLineRequest {
            offer: OfferId(self.offer),
            quantity: self.quantity,
            term: self.term_months.0,
            city: self.city,
            number: self.number.map(|n| n.parse("number")).transpose()?,
        })
    }
}

/// A discount taken off a line (R11).
#[derive(Clone, Debug, Object, Serialize)]
#[oai(rename = "Discount")]
pub(crate) struct DiscountBody {
    /// `prepaid_term` (R11.1) or `bulk` (R11.2).
    pub(crate) kind: String,
    /// The rule that grants it.
    pub(crate) rule: String,
    /// The percentage, such as `"10"`.
    pub(crate) percent: String,
    /// The exact amount taken off, not rounded.
    pub(crate) amount: MoneyBody,
}

impl From<&AppliedDiscount> for DiscountBody {
    fn from(discount: &AppliedDiscount) -> Self {
        Self {
            kind: match discount.kind {
                DiscountKind::PrepaidTerm { .. } => "prepaid_term",
                DiscountKind::Bulk { .. } => "bulk",
            }
            .to_owned(),
            rule: discount.rule.as_str().to_owned(),
            percent: discount.percent.get().normalize().to_string(),
            amount: discount.amount.into(),
        }
    }
}

/// A priced line.
#[derive(Clone, Debug, Object, Serialize)]
#[oai(rename = "QuotedLine")]
pub(crate) struct QuotedLineBody {
    /// The offer.
    pub(crate) offer: i64,
    /// The offer's country.
    pub(crate) country: String,
    /// How many numbers.
    pub(crate) quantity: u32,
    /// Months paid in advance.
    pub(crate) term_months: u32,
    /// List price: monthly fee times months and quantity, plus setup fees.
    pub(crate) list_total: MoneyBody,
    /// Each discount, with its rule.
    pub(crate) discounts: Vec<DiscountBody>,
    /// The line's exact total after discounts.
    pub(crate) total: MoneyBody,
    /// The line's total rounded to the currency's minor unit, for display.
    pub(crate) display_total: MoneyBody,
}

impl From<&QuotedLine> for QuotedLineBody {
    fn from(line: &QuotedLine) -> Self {
        let item = line.item();
        Self {
            offer: item.offer().get(),
            country: item.country().to_string(),
            quantity: item.quantity(),
            term_months: item.term().months(),
            list_total: line.list_total().into(),
            discounts: line.discounts().iter().map(DiscountBody::from).collect(),
            total: line.total().into(),
            display_total: line.display_total().into(),
        }
    }
}

/// A quote: what an order of the lines would charge (R11, R11.D1).
#[derive(Clone, Debug, Object, Serialize)]
#[oai(rename = "Quote")]
pub(crate) struct QuoteBody {
    /// The customer.
    pub(crate) customer: i64,
    /// The lines.
    pub(crate) lines: Vec<QuotedLineBody>,
    /// What is charged: the exact line totals summed and rounded once (R11.D1).
    pub(crate) total: MoneyBody,
}

impl From<&Quote> for QuoteBody {
    fn from(quote: &Quote) -> Self {
        Self {
            customer: quote.customer().get(),
            lines: quote.lines().iter().map(QuotedLineBody::from).collect(),
            total: quote.total().into(),
        }
    }
}
