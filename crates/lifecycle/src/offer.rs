//! What a carrier sells: offers (R1, R2.3, R3.2, R4.2, R7.2, R8).

use std::fmt;

use serde::{Deserialize, Serialize};
use vnum_compliance::{DocumentRequirement, DocumentedOffer};
use vnum_core::{CarrierId, CountryCode, Money, OfferId};

use chrono::NaiveDate;
use vnum_compliance::EndUser;

use crate::{CalendarError, EtaRange, HolidayCalendar, ProvisioningClass, ReadyBy};

/// The kind of number an offer sells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum NumberKind {
    /// A mobile number, valid country-wide: ordered by country only (R1.2).
    Mobile,
    /// A landline (geographic) number of one city: ordered by country and city (R1.2).
    Landline,
    /// A toll-free number, valid country-wide.
    TollFree,
    /// A one-shot SMS number (R9): allocated per service by `vnum-sms`, never rented
    /// monthly and never lent for a test (R8.3).
    Sms,
}

impl NumberKind {
    /// True for kinds that belong to one city, so that an order names the city (R1.2).
    #[must_use]
    pub const fn is_geographic(self) -> bool {
        matches!(self, Self::Landline)
    }
}

impl fmt::Display for NumberKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Mobile => "mobile",
            Self::Landline => "landline",
            Self::TollFree => "toll-free",
            Self::Sms => "one-shot SMS",
        })
    }
}

/// A city name, as offers and orders of geographic numbers carry it.
///
/// Invariant: not blank, surrounding whitespace trimmed. Two cities are the same when their
/// names are equal ignoring ASCII case (`Berlin` = `BERLIN`).
#[derive(Clone, Debug, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct City(String);

/// A blank city name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the city name is empty: expected a city such as Berlin")]
pub struct CityError;

/// A landline offer names its city (R1.2).
impl vnum_core::rule::RuleError for CityError {
    fn rule(&self) -> vnum_core::RuleId {
        vnum_core::rule::R1_2
    }
}

impl City {
    /// A city from its name.
    ///
    /// # Errors
    /// [`CityError`] when the name is blank.
    pub fn new(name: &str) -> Result<Self, CityError> {
        let name = name.trim();
        if name.is_empty() {
            Err(CityError)
        } else {
            Ok(Self(name.to_owned()))
        }
    }

    /// The name as given.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl PartialEq for City {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl std::hash::Hash for City {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.to_ascii_lowercase().hash(state);
    }
}

impl fmt::Display for City {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for City {
    type Error = CityError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(&value)
    }
}

impl From<City> for String {
    fn from(value: City) -> Self {
        value.0
    }
}

/// What is wrong with an offer's terms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfferError {
    /// A landline offer without a city, or a country-wide kind with one.
    #[error("a {kind} offer {expected}")]
    CityDoesNotFitKind {
        /// The offer's kind.
        kind: NumberKind,
        /// What the kind needs, in words.
        expected: &'static str,
    },
    /// Prices of one offer are in different currencies.
    #[error("all prices of an offer must be in one currency: found {first} and {second}")]
    MixedCurrencies {
        /// The monthly price's currency.
        first: vnum_core::Currency,
        /// The other price's currency.
        second: vnum_core::Currency,
    },
    /// A price below zero.
    #[error("the {what} of an offer cannot be negative, got {price}")]
    NegativePrice {
        /// Which price.
        what: &'static str,
        /// The price given.
        price: Money,
    },
    /// SMS numbers are never lent for a test (R8.3).
    #[error("one-shot SMS numbers are never given for a free test")]
    SmsTrial,
}

impl vnum_core::rule::RuleError for OfferError {
    fn rule(&self) -> vnum_core::RuleId {
        use vnum_core::rule;
        match self {
            Self::CityDoesNotFitKind { .. } => rule::R1_2,
            Self::MixedCurrencies { .. } => rule::R10_D5,
            Self::NegativePrice { .. } => rule::R10_D6,
            Self::SmsTrial => rule::R8_3,
        }
    }
}

/// The terms of an offer as the provider enters them; [`Offer::new`] checks them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferTerms {
    /// The offer's id.
    pub id: OfferId,
    /// The numbers' country.
    pub country: CountryCode,
    /// The city, for landline numbers only.
    pub city: Option<City>,
    /// The kind of number.
    pub kind: NumberKind,
    /// The local carrier that owns the numbers (R3.2).
    pub carrier: CarrierId,
    /// The monthly fee (R4.1).
    pub monthly_price: Money,
    /// The one-time setup fee, zero when there is none (R1.4).
    pub setup_fee: Money,
    /// How long connecting takes (R2).
    pub provisioning: ProvisioningClass,
    /// The carrier's end-user documents (R3.1, R3.2).
    pub documents: DocumentRequirement,
    /// The monthly price of the CallerID add-on, `None` when the carrier cannot present the
    /// number (R6.2).
    pub caller_id_monthly: Option<Money>,
    /// True unless the offer says forwarding to SIP is charged (R4.2).
    pub sip_forwarding_free: bool,
    /// True when a number in stock can be lent for a free one-hour test (R8.1, R8.2).
    pub trial_allowed: bool,
    /// True when the numbers are on sale now; some are in stock only at times (R7.2).
    pub listed: bool,
}

/// A carrier's offer: what a customer can buy, at what price, how fast, with which documents.
///
/// Invariant: landline offers name a city and other kinds do not (R1.2); all prices are in
/// one currency and not negative; SMS offers are never open for trials (R8.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "OfferTerms", into = "OfferTerms")]
pub struct Offer(OfferTerms);

impl Offer {
    /// An offer from checked terms.
    ///
    /// # Errors
    /// [`OfferError`] saying which term breaks the invariant.
    pub fn new(terms: OfferTerms) -> Result<Self, OfferError> {
        match (terms.kind.is_geographic(), &terms.city) {
            (true, None) => {
                return Err(OfferError::CityDoesNotFitKind {
                    kind: terms.kind,
                    expected: "needs a city",
                });
            }
            (false, Some(_)) => {
                return Err(OfferError::CityDoesNotFitKind {
                    kind: terms.kind,
                    expected: "is valid country-wide and names no city",
                });
            }
            _ => {}
        }
        let currency = terms.monthly_price.currency();
        let prices = [
            ("monthly price", Some(terms.monthly_price)),
            ("setup fee", Some(terms.setup_fee)),
            ("CallerID price", terms.caller_id_monthly),
        ];
        for (what, price) in prices {
            let Some(price) = price else { continue };
            if price.currency() != currency {
                return Err(OfferError::MixedCurrencies {
                    first: currency,
                    second: price.currency(),
                });
            }
            if price.is_negative() {
                return Err(OfferError::NegativePrice { what, price });
            }
        }
        if terms.kind == NumberKind::Sms && terms.trial_allowed {
            return Err(OfferError::SmsTrial);
        }
        Ok(Self(terms))
    }

    /// The offer's id.
    #[must_use]
    pub const fn id(&self) -> OfferId {
        self.0.id
    }

    /// The numbers' country.
    #[must_use]
    pub const fn country(&self) -> CountryCode {
        self.0.country
    }

    /// The city of a landline offer.
    #[must_use]
    pub const fn city(&self) -> Option<&City> {
        self.0.city.as_ref()
    }

    /// The kind of number.
    #[must_use]
    pub const fn kind(&self) -> NumberKind {
        self.0.kind
    }

    /// The carrier (R3.2).
    #[must_use]
    pub const fn carrier(&self) -> CarrierId {
        self.0.carrier
    }

    /// The monthly fee.
    #[must_use]
    pub const fn monthly_price(&self) -> Money {
        self.0.monthly_price
    }

    /// The setup fee.
    #[must_use]
    pub const fn setup_fee(&self) -> Money {
        self.0.setup_fee
    }

    /// How long connecting takes (R2).
    #[must_use]
    pub const fn provisioning(&self) -> ProvisioningClass {
        self.0.provisioning
    }

    /// The carrier's document requirement (R3.2).
    #[must_use]
    pub const fn documents(&self) -> &DocumentRequirement {
        &self.0.documents
    }

    /// The CallerID add-on's monthly price, if the add-on is available (R6.2).
    #[must_use]
    pub const fn caller_id_monthly(&self) -> Option<Money> {
        self.0.caller_id_monthly
    }

    /// True when forwarding to SIP is included in the monthly fee (R4.2).
    #[must_use]
    pub const fn sip_forwarding_free(&self) -> bool {
        self.0.sip_forwarding_free
    }

    /// True when the offer can be tested free for an hour (R8.1).
    #[must_use]
    pub const fn trial_allowed(&self) -> bool {
        self.0.trial_allowed
    }

    /// True when the offer is on sale now (R7.2).
    #[must_use]
    pub const fn is_listed(&self) -> bool {
        self.0.listed
    }

    /// True when the carrier asks `end_user` for documents before connecting (R3.1, R3.2).
    #[must_use]
    pub fn needs_documents(&self, end_user: EndUser) -> bool {
        self.0.documents.applies_to(end_user)
    }

    /// The expected connection time, shown before purchase (R2.3).
    #[must_use]
    pub const fn eta(&self) -> EtaRange {
        self.0.provisioning.eta()
    }

    /// The expected ready-by dates of an order of this offer placed on `ordered_on`, with
    /// documents accepted on `documents_accepted_on` (R2.D1), in business days of
    /// `calendar`, which must be the offer's country's.
    ///
    /// # Errors
    /// [`CalendarError::WrongCountry`] when `calendar` is another country's;
    /// [`CalendarError::OutOfRange`] past chrono's last date.
    pub fn ready_by(
        &self,
        calendar: &HolidayCalendar,
        ordered_on: NaiveDate,
        documents_accepted_on: Option<NaiveDate>,
    ) -> Result<ReadyBy, CalendarError> {
        if calendar.country() != self.0.country {
            return Err(CalendarError::WrongCountry {
                calendar: calendar.country(),
                number: self.0.country,
            });
        }
        self.0
            .provisioning
            .ready_by(calendar, ordered_on, documents_accepted_on)
    }

    /// The checked terms.
    #[must_use]
    pub const fn terms(&self) -> &OfferTerms {
        &self.0
    }
}

impl TryFrom<OfferTerms> for Offer {
    type Error = OfferError;
    fn try_from(terms: OfferTerms) -> Result<Self, Self::Error> {
        Self::new(terms)
    }
}

impl From<Offer> for OfferTerms {
    fn from(offer: Offer) -> Self {
        offer.0
    }
}

impl fmt::Display for Offer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0.country, self.0.kind)?;
        if let Some(city) = &self.0.city {
            write!(f, " ({city})")?;
        }
        write!(f, " at {} a month", self.0.monthly_price)
    }
}

impl DocumentedOffer for Offer {
    type Kind = NumberKind;
    fn country(&self) -> CountryCode {
        self.0.country
    }
    fn city(&self) -> Option<&str> {
        self.0.city.as_ref().map(City::as_str)
    }
    fn kind(&self) -> NumberKind {
        self.0.kind
    }
    fn monthly_price(&self) -> Money {
        self.0.monthly_price
    }
    fn setup_fee(&self) -> Money {
        self.0.setup_fee
    }
    fn documents(&self) -> &DocumentRequirement {
        &self.0.documents
    }
    fn is_listed(&self) -> bool {
        self.0.listed
    }
}
