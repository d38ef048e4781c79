//! Ordering numbers: what an order names, and when it is accepted (R1).

use serde::{Deserialize, Serialize};
use vnum_core::rule::{self, RuleId};
use vnum_core::{CountryCode, Currency, Money, OfferId, PhoneNumber, PrepaidTerm};

use crate::{City, NumberKind, Offer};

/// Why an order line or an order was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    /// The offer is not on sale now (R7.2); the customer can join the waitlist (R7.1).
    #[error("offer {offer} is not on sale now: join the waitlist to be notified when it is")]
    NotListed {
        /// The offer.
        offer: OfferId,
    },
    /// One-shot SMS numbers are allocated per service, not rented by the month (R9.1, R9.3).
    #[error("one-shot SMS numbers are not rented monthly: request one for a service instead")]
    OneShotSms,
    /// The order names another country than the offer's.
    #[error("offer {offer} sells numbers in {offered}, not in {asked}")]
    WrongCountry {
        /// The offer.
        offer: OfferId,
        /// The offer's country.
        offered: CountryCode,
        /// The country in the order.
        asked: CountryCode,
    },
    /// A landline order without a city (R1.2).
    #[error("landline numbers are ordered by country and city: name the city")]
    CityRequired,
    /// A country-wide kind ordered with a city (R1.2).
    #[error("{kind} numbers are ordered by country only: leave the city out")]
    CityNotApplicable {
        /// The offer's kind.
        kind: NumberKind,
    },
    /// The order names another city than the offer's.
    #[error("offer {offer} sells numbers in {offered}, not in {asked}")]
    WrongCity {
        /// The offer.
        offer: OfferId,
        /// The offer's city.
        offered: City,
        /// The city in the order.
        asked: City,
    },
    /// An order for no numbers.
    #[error("an order needs at least one number")]
    ZeroQuantity,
    /// A manual order picked a number the provider did not offer (R1.3).
    #[error("{number} is not among the numbers offered: pick one from the list")]
    NumberNotOffered {
        /// The number picked.
        number: PhoneNumber,
    },
    /// A manual order picked a number of another country than the offer's (R1.3).
    #[error("{number} is a number of {country}, but the offer sells numbers in {offered}")]
    NumberOfOtherCountry {
        /// The number picked.
        number: PhoneNumber,
        /// Its country.
        country: CountryCode,
        /// The offer's country.
        offered: CountryCode,
    },
    /// The balance does not cover the setup fee and the first term (R1.4).
    #[error(
        "the balance of {available} does not cover {needed} due in advance: top up the difference"
    )]
    InsufficientBalance {
        /// What is due now.
        needed: Money,
        /// The balance.
        available: Money,
    },
    /// The amount due and the balance are in different currencies.
    #[error("the amount due is in {due} but the balance is in {balance}")]
    CurrencyMismatch {
        /// The balance's currency.
        balance: Currency,
        /// The amount's currency.
        due: Currency,
    },
}

impl OrderError {
    /// The rule that refused the order.
    #[must_use]
    pub const fn rule(&self) -> RuleId {
        match self {
            Self::NotListed { .. } => rule::R7_2,
            Self::OneShotSms => rule::R9_3,
            Self::WrongCountry { .. }
            | Self::CityRequired
            | Self::CityNotApplicable { .. }
            | Self::WrongCity { .. } => rule::R1_2,
            Self::NumberNotOffered { .. } | Self::NumberOfOtherCountry { .. } => rule::R1_3,
            Self::ZeroQuantity => rule::R1_1,
            Self::InsufficientBalance { .. } | Self::CurrencyMismatch { .. } => rule::R1_4,
        }
    }
}

/// How the numbers of an order line are chosen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NumberChoice {
    /// Automatic mode: the country (and city for landlines) only; the concrete numbers are
    /// known at connection (R1.2).
    Automatic {
        /// The country.
        country: CountryCode,
        /// The city, for landline numbers.
        city: Option<City>,
    },
    /// Manual mode: a concrete number picked from the provider's list (R1.3).
    Manual {
        /// The number picked.
        number: PhoneNumber,
    },
}

/// One line of an order: an offer, how many numbers, which ones, and the prepaid term.
///
/// Invariant: the choice fits the offer (R1.2, R1.3), the offer is listed (R7.2) and rented
/// monthly, and the quantity is at least one (exactly one for a manual choice).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OrderLine {
    offer: OfferId,
    choice: NumberChoice,
    quantity: u32,
    term: PrepaidTerm,
}

fn check_offer(offer: &Offer) -> Result<(), OrderError> {
    if offer.kind() == NumberKind::Sms {
        return Err(OrderError::OneShotSms);
    }
    if !offer.is_listed() {
        return Err(OrderError::NotListed { offer: offer.id() });
    }
    Ok(())
}

impl OrderLine {
    /// An automatic order (R1.2): `quantity` numbers of `offer` in `country`, and in `city`
    /// for landline numbers; never a concrete number.
    ///
    /// # Errors
    /// [`OrderError`] when the offer is unlisted or one-shot SMS, the country or city does
    /// not fit the offer and its kind, or `quantity` is zero.
    pub fn automatic(
        offer: &Offer,
        country: CountryCode,
        city: Option<City>,
        quantity: u32,
        term: PrepaidTerm,
    ) -> Result<Self, OrderError> {
        check_offer(offer)?;
        if country != offer.country() {
            return Err(OrderError::WrongCountry {
                offer: offer.id(),
                offered: offer.country(),
                asked: country,
            });
        }
        match (offer.city(), &city) {
            (Some(_), None) => return Err(OrderError::CityRequired),
            (None, Some(_)) => return Err(OrderError::CityNotApplicable { kind: offer.kind() }),
            (Some(offered), Some(asked)) if offered != asked => {
                return Err(OrderError::WrongCity {
                    offer: offer.id(),
                    offered: offered.clone(),
                    asked: asked.clone(),
                });
            }
            _ => {}
        }
        if quantity == 0 {
            return Err(OrderError::ZeroQuantity);
        }
        Ok(Self {
            offer: offer.id(),
            choice: NumberChoice::Automatic { country, city },
            quantity,
            term,
        })
    }

    /// A manual order (R1.3): the concrete `number`, which must be one of the numbers
    /// `offered` for `offer` and of the offer's country.
    ///
    /// # Errors
    /// [`OrderError`] when the offer is unlisted or one-shot SMS, or the number is of
    /// another country or not on the list.
    pub fn manual(
        offer: &Offer,
        number: PhoneNumber,
        offered: &[PhoneNumber],
        term: PrepaidTerm,
    ) -> Result<Self, OrderError> {
        check_offer(offer)?;
        if number.country() != offer.country() {
            return Err(OrderError::NumberOfOtherCountry {
                country: number.country(),
                offered: offer.country(),
                number,
            });
        }
        if !offered.contains(&number) {
            return Err(OrderError::NumberNotOffered { number });
        }
        Ok(Self {
            offer: offer.id(),
            choice: NumberChoice::Manual { number },
            quantity: 1,
            term,
        })
    }

    /// The offer ordered.
    #[must_use]
    pub const fn offer(&self) -> OfferId {
        self.offer
    }

    /// How the numbers are chosen.
    #[must_use]
    pub const fn choice(&self) -> &NumberChoice {
        &self.choice
    }

    /// How many numbers.
    #[must_use]
    pub const fn quantity(&self) -> u32 {
        self.quantity
    }

    /// The prepaid term.
    #[must_use]
    pub const fn term(&self) -> PrepaidTerm {
        self.term
    }
}

/// An accepted order: what is charged now and what remains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Acceptance {
    /// The amount due in advance.
    pub due: Money,
    /// The balance once it is charged; never negative.
    pub balance_after: Money,
    /// R1.4.
    pub rule: RuleId,
}

/// Accepts an order when `balance` covers everything `due` in advance: setup fees plus the
/// first month or the prepaid term, as the application priced it (R1.4). Payment is strictly
/// in advance, so unlike a renewal (R10.3) an order never takes the balance below zero.
///
/// # Errors
/// [`OrderError::InsufficientBalance`] when the balance is short;
/// [`OrderError::CurrencyMismatch`] when the amounts are in different currencies.
pub fn accept_order(balance: Money, due: Money) -> Result<Acceptance, OrderError> {
    if balance.currency() != due.currency() {
        return Err(OrderError::CurrencyMismatch {
            balance: balance.currency(),
            due: due.currency(),
        });
    }
    let short = || OrderError::InsufficientBalance {
        needed: due,
        available: balance,
    };
    let balance_after = balance.checked_sub(due).map_err(|_| short())?;
    if balance_after.is_negative() {
        return Err(short());
    }
    Ok(Acceptance {
        due,
        balance_after,
        rule: rule::R1_4,
    })
}

impl vnum_core::rule::RuleError for OrderError {
    fn rule(&self) -> vnum_core::RuleId {
        OrderError::rule(self)
    }
}
