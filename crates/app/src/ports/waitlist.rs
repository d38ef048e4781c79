//! Storage of the waitlist (R7).

use async_trait::async_trait;
use vnum_core::{CountryCode, CustomerId, WaitlistEntryId};
use vnum_lifecycle::{Waitlist, WaitlistEntry};

use super::StoreError;

/// The waitlist, partitioned by the wanted country: every wish names one country, and stock
/// arrives for one offer of one country, so a country's entries are what a use case decides
/// on at once.
#[async_trait]
pub trait Waitlists: Send {
    /// A new id for an entry about to join; never handed out twice.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn next_waitlist_entry_id(&mut self) -> Result<WaitlistEntryId, StoreError>;

    /// Every entry that wants numbers of `country`, waiting or closed, in the order they
    /// joined; empty when there is none.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn waitlist(&mut self, country: CountryCode) -> Result<Waitlist, StoreError>;

    /// Stores `waitlist` as the entries of `country`: entries new to storage are added,
    /// changed ones replaced.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] with
    /// [`Invariant::WaitlistEntryClosed`](crate::ports::Invariant::WaitlistEntryClosed) when an
    /// entry that storage holds as fulfilled or cancelled would change (an entry closes once,
    /// so nobody is notified twice, R7.1), or
    /// [`Invariant::WaitlistCountry`](crate::ports::Invariant::WaitlistCountry) when an entry
    /// wants another country.
    async fn save_waitlist(
        &mut self,
        country: CountryCode,
        waitlist: &Waitlist,
    ) -> Result<(), StoreError>;

    /// `customer`'s waiting entries for `country`, in the order they joined: all a join is
    /// decided on (R7.1), without loading the rest of the country's entries.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn waiting_entries_of(
        &mut self,
        country: CountryCode,
        customer: CustomerId,
    ) -> Result<Waitlist, StoreError>;

    /// Stores `entry`, which has just joined (its id is new, from
    /// [`Waitlists::next_waitlist_entry_id`]).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] with
    /// [`Invariant::WaitlistEntryClosed`](crate::ports::Invariant::WaitlistEntryClosed) when
    /// the entry is not waiting (only a waiting entry joins), or [`StoreError::Unavailable`].
    async fn insert_waitlist_entry(&mut self, entry: &WaitlistEntry) -> Result<(), StoreError>;

    /// The entry with this id, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn waitlist_entry(
        &mut self,
        id: WaitlistEntryId,
    ) -> Result<Option<WaitlistEntry>, StoreError>;

    /// The customer's entries, waiting and closed, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn waitlist_entries_of(
        &mut self,
        customer: CustomerId,
    ) -> Result<Vec<WaitlistEntry>, StoreError>;
}
