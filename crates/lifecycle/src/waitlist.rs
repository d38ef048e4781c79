//! Customers waiting for numbers that are out of stock or not listed (R7).

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vnum_core::rule::{self, RuleId};
use vnum_core::{CountryCode, CustomerId, WaitlistEntryId};

use crate::{City, NumberKind};

/// What went wrong on the waitlist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WaitlistError {
    /// The customer already waits for exactly this.
    #[error("you are already on the waitlist for {wanted} (entry {entry})")]
    AlreadyWaiting {
        /// The open entry.
        entry: WaitlistEntryId,
        /// What it waits for.
        wanted: Wanted,
    },
    /// An entry id that is already taken.
    #[error("waitlist entry {0} already exists")]
    DuplicateId(WaitlistEntryId),
    /// No entry with this id.
    #[error("there is no waitlist entry {0}")]
    UnknownEntry(WaitlistEntryId),
    /// The entry was already fulfilled or cancelled; an entry closes exactly once.
    #[error("cannot {event} waitlist entry {entry}: it is already {state}")]
    AlreadyClosed {
        /// The entry.
        entry: WaitlistEntryId,
        /// Its state, unchanged.
        state: &'static str,
        /// The refused step.
        event: &'static str,
    },
    /// An offer on sale meets the wish already: there is nothing to wait for (R7.1).
    #[error("{wanted} are on sale now: order offer {offer} instead of waiting")]
    OnSale {
        /// What was asked for.
        wanted: Wanted,
        /// The offer that meets it.
        offer: vnum_core::OfferId,
    },
}

/// Every waitlist refusal is under R7.1.
impl vnum_core::rule::RuleError for WaitlistError {
    fn rule(&self) -> RuleId {
        rule::R7_1
    }
}

/// Joining a waitlist is for what is not on sale (R7.1): the first offer of `offers` that is
/// listed and meets `wanted` refuses the wish.
///
/// # Errors
/// [`WaitlistError::OnSale`] naming that offer.
pub fn nothing_on_sale_for<'a>(
    wanted: &Wanted,
    offers: impl IntoIterator<Item = &'a crate::Offer>,
) -> Result<(), WaitlistError> {
    match offers.into_iter().find(|offer| {
        offer.is_listed() && wanted.is_met_by(offer.country(), offer.city(), offer.kind())
    }) {
        Some(offer) => Err(WaitlistError::OnSale {
            wanted: wanted.clone(),
            offer: offer.id(),
        }),
        None => Ok(()),
    }
}

/// What a waiting customer asked for: a country, and optionally a city and a kind (R7.1).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Wanted {
    /// The country.
    pub country: CountryCode,
    /// The city; `None` for any city of the country.
    pub city: Option<City>,
    /// The kind; `None` for any kind.
    pub kind: Option<NumberKind>,
}

impl Wanted {
    /// True when numbers of `country`, `city` and `kind` going on sale satisfy this wish.
    #[must_use]
    pub fn is_met_by(&self, country: CountryCode, city: Option<&City>, kind: NumberKind) -> bool {
        self.country == country
            && self.city.as_ref().is_none_or(|wanted| Some(wanted) == city)
            && self.kind.is_none_or(|wanted| wanted == kind)
    }
}

impl fmt::Display for Wanted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(kind) = self.kind {
            write!(f, "{kind} numbers in ")?;
        } else {
            f.write_str("numbers in ")?;
        }
        if let Some(city) = &self.city {
            write!(f, "{city}, ")?;
        }
        write!(f, "{}", self.country)
    }
}

/// Where a waitlist entry stands; it closes exactly once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WaitlistState {
    /// Waiting to be notified.
    Waiting,
    /// The customer was served: notified and the wish met.
    Fulfilled {
        /// When.
        at: DateTime<Utc>,
    },
    /// The customer, or the provider, withdrew the wish.
    Cancelled {
        /// When.
        at: DateTime<Utc>,
    },
}

impl WaitlistState {
    const fn name(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Fulfilled { .. } => "fulfilled",
            Self::Cancelled { .. } => "cancelled",
        }
    }
}

/// One customer's wish for numbers that are out of stock or not listed (R7.1, R7.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitlistEntry {
    id: WaitlistEntryId,
    customer: CustomerId,
    wanted: Wanted,
    requested_at: DateTime<Utc>,
    state: WaitlistState,
}

impl WaitlistEntry {
    /// The entry's id.
    #[must_use]
    pub const fn id(&self) -> WaitlistEntryId {
        self.id
    }

    /// Who waits.
    #[must_use]
    pub const fn customer(&self) -> CustomerId {
        self.customer
    }

    /// What for.
    #[must_use]
    pub const fn wanted(&self) -> &Wanted {
        &self.wanted
    }

    /// Since when.
    #[must_use]
    pub const fn requested_at(&self) -> DateTime<Utc> {
        self.requested_at
    }

    /// Where it stands.
    #[must_use]
    pub const fn state(&self) -> WaitlistState {
        self.state
    }

    const fn is_waiting(&self) -> bool {
        matches!(self.state, WaitlistState::Waiting)
    }
}

/// Who to notify when numbers go on sale, and the rule that says so.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Restock<'a> {
    /// Every waiting entry the new stock satisfies, oldest first.
    pub notify: Vec<&'a WaitlistEntry>,
    /// R7.1.
    pub rule: RuleId,
}

/// The waitlist: every customer's wishes, waiting and closed (R7.1).
///
/// On restock every matching customer is notified, oldest first, however few numbers came
/// in: a notification is not a reservation (R7.1 promises to notify, not to hold a number),
/// and whoever buys first gets the number. The order still rewards the longest wait when the
/// application sends notifications in batches. The application marks entries fulfilled once
/// notified, so nobody is notified twice.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waitlist {
    entries: Vec<WaitlistEntry>,
}

impl Waitlist {
    /// An empty waitlist.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `customer`'s wish for `wanted`, made at `at` (R7.1).
    ///
    /// # Errors
    /// [`WaitlistError::AlreadyWaiting`] when the customer already waits for the same thing;
    /// [`WaitlistError::DuplicateId`] when `id` is taken.
    pub fn join(
        &mut self,
        id: WaitlistEntryId,
        customer: CustomerId,
        wanted: Wanted,
        at: DateTime<Utc>,
    ) -> Result<&WaitlistEntry, WaitlistError> {
        if self.entries.iter().any(|e| e.id == id) {
            return Err(WaitlistError::DuplicateId(id));
        }
        if let Some(open) = self
            .entries
            .iter()
            .find(|e| e.is_waiting() && e.customer == customer && e.wanted == wanted)
        {
            return Err(WaitlistError::AlreadyWaiting {
                entry: open.id,
                wanted,
            });
        }
        let index = self.entries.len();
        self.entries.push(WaitlistEntry {
            id,
            customer,
            wanted,
            requested_at: at,
            state: WaitlistState::Waiting,
        });
        Ok(&self.entries[index])
    }

    /// The waiting entries that numbers of `country`, `city` and `kind` going on sale
    /// satisfy, oldest first (by request time, then id) (R7.1).
    #[must_use]
    pub fn on_restock(
        &self,
        country: CountryCode,
        city: Option<&City>,
        kind: NumberKind,
    ) -> Restock<'_> {
        let mut notify: Vec<&WaitlistEntry> = self
            .entries
            .iter()
            .filter(|e| e.is_waiting() && e.wanted.is_met_by(country, city, kind))
            .collect();
        notify.sort_by_key(|e| (e.requested_at, e.id));
        Restock {
            notify,
            rule: rule::R7_1,
        }
    }

    /// Marks entry `id` fulfilled.
    ///
    /// # Errors
    /// [`WaitlistError::UnknownEntry`], or [`WaitlistError::AlreadyClosed`] when it was
    /// already fulfilled or cancelled.
    pub fn fulfil(
        &mut self,
        id: WaitlistEntryId,
        at: DateTime<Utc>,
    ) -> Result<&WaitlistEntry, WaitlistError> {
        self.close(id, WaitlistState::Fulfilled { at }, "fulfil")
    }

    /// Marks entry `id` cancelled.
    ///
    /// # Errors
    /// [`WaitlistError::UnknownEntry`], or [`WaitlistError::AlreadyClosed`] when it was
    /// already fulfilled or cancelled.
    pub fn cancel(
        &mut self,
        id: WaitlistEntryId,
        at: DateTime<Utc>,
    ) -> Result<&WaitlistEntry, WaitlistError> {
        self.close(id, WaitlistState::Cancelled { at }, "cancel")
    }

    /// The entry `id`, if any.
    #[must_use]
    pub fn get(&self, id: WaitlistEntryId) -> Option<&WaitlistEntry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// Every entry, in the order they joined.
    pub fn entries(&self) -> impl Iterator<Item = &WaitlistEntry> {
        self.entries.iter()
    }

    fn close(
        &mut self,
        id: WaitlistEntryId,
        closed: WaitlistState,
        event: &'static str,
    ) -> Result<&WaitlistEntry, WaitlistError> {
        let entry = self
            .entries
            .iter_mut()
            .find(|e| e.id == id)
            .ok_or(WaitlistError::UnknownEntry(id))?;
        if !entry.is_waiting() {
            return Err(WaitlistError::AlreadyClosed {
                entry: id,
                state: entry.state.name(),
                event,
            });
        }
        entry.state = closed;
        Ok(entry)
    }
}
