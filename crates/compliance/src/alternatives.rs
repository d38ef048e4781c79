//! Offers a customer without documents can buy instead (R3.3).

use serde::Serialize;
use vnum_core::rule::{self, RuleId};
use vnum_core::{CountryCode, Money};

use crate::DocumentRequirement;

/// What the alternatives query needs to know of an offer.
///
/// Offers live in the lifecycle crate; this trait keeps document rules independent of how an
/// offer is shaped. `Kind` is the offer's number kind (mobile, landline, …).
pub trait DocumentedOffer {
    /// The kind of number the offer sells.
    type Kind: PartialEq;
    /// The country of the numbers.
    fn country(&self) -> CountryCode;
    /// The city of geographic numbers, `None` for numbers valid country-wide.
    fn city(&self) -> Option<&str>;
    /// The kind of number.
    fn kind(&self) -> Self::Kind;
    /// The monthly fee.
    fn monthly_price(&self) -> Money;
    /// The one-time setup fee.
    fn setup_fee(&self) -> Money;
    /// The carrier's document requirement (R3.2).
    fn documents(&self) -> &DocumentRequirement;
    /// True when the offer can be bought now (R7.2).
    fn is_listed(&self) -> bool;
}

/// The number a customer wants: a country, maybe a city, and a kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WantedNumber<K> {
    /// The country.
    pub country: CountryCode,
    /// The city, when the customer wants a geographic number there.
    pub city: Option<String>,
    /// The kind.
    pub kind: K,
}

/// An offer that needs no documents, with what it costs (R3.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Alternative<'a, O> {
    /// The offer.
    pub offer: &'a O,
    /// Its monthly fee.
    pub monthly_price: Money,
    /// Its setup fee.
    pub setup_fee: Money,
    /// The rule that proposed it: R3.3.
    pub rule: RuleId,
}

/// The listed offers of the wanted country, city and kind whose carrier asks no documents of
/// anyone, cheapest first (R3.3: such alternatives usually cost more, so the customer sees
/// the price).
///
/// Order: by currency, then monthly fee, then setup fee; amounts of different currencies are
/// never compared with each other. A wanted city matches offers of that city (compared
/// case-insensitively) and offers valid country-wide; no wanted city matches every offer of
/// the country. Unlisted offers (R7.2) are left out: they cannot be bought now.
#[must_use]
pub fn alternatives_without_documents<'a, O: DocumentedOffer>(
    offers: impl IntoIterator<Item = &'a O>,
    wanted: &WantedNumber<O::Kind>,
) -> Vec<Alternative<'a, O>> {
    let city_matches = |offer: &O| match (&wanted.city, offer.city()) {
        (Some(wanted), Some(city)) => wanted.trim().eq_ignore_ascii_case(city.trim()),
        (_, None) | (None, _) => true,
    };
    let mut found: Vec<Alternative<'a, O>> = offers
        .into_iter()
        .filter(|offer| {
            offer.is_listed()
                && offer.documents().is_none()
                && offer.country() == wanted.country
                && offer.kind() == wanted.kind
                && city_matches(offer)
        })
        .map(|offer| Alternative {
            offer,
            monthly_price: offer.monthly_price(),
            setup_fee: offer.setup_fee(),
            rule: rule::R3_3,
        })
        .collect();
    found.sort_by(|a, b| {
        let key = |x: &Alternative<'a, O>| {
            (
                x.monthly_price.currency(),
                x.monthly_price.amount(),
                x.setup_fee.amount(),
            )
        };
        key(a).cmp(&key(b))
    });
    found
}
