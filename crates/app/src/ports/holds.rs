//! Storage of holds on picked numbers (R1.3).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use vnum_core::{CustomerId, OfferId, PhoneNumber};
use vnum_lifecycle::Hold;

use super::StoreError;

/// Holds on numbers picked from an offer's list: at most one per number. A hold that has
/// ended ([`Hold::is_live`] false) stays stored until the expiry job removes it or a new
/// hold replaces it; readers decide with [`Hold::is_live`] what it still keeps.
#[async_trait]
pub trait Holds: Send {
    /// Stores `hold` on its number unless the number has a hold still live at `now`
    /// (`now < until`); an ended one is replaced. Under concurrency exactly one of several
    /// holds placed on a free number is stored; a SQL store decides it with one
    /// conditional upsert on the number's unique index.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] with
    /// [`Invariant::HoldNumber`](crate::ports::Invariant::HoldNumber) when a live hold keeps
    /// the number (whoever holds it; nothing is written and the unit of work stays usable).
    async fn place_hold(&mut self, hold: &Hold, now: DateTime<Utc>) -> Result<Hold, StoreError>;

    /// The hold on `number`, live or ended, if one is stored.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn hold_on(&mut self, number: &PhoneNumber) -> Result<Option<Hold>, StoreError>;

    /// The holds stored for `customer`, live or ended, by number.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn holds_of(&mut self, customer: CustomerId) -> Result<Vec<Hold>, StoreError>;

    /// The holds stored on numbers of `offer`, live or ended, by number.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn holds_for(&mut self, offer: OfferId) -> Result<Vec<Hold>, StoreError>;

    /// Removes the hold on `number`, whoever holds it, and returns it, if there was one.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn remove_hold(&mut self, number: &PhoneNumber) -> Result<Option<Hold>, StoreError>;

    /// Removes every hold that has ended at `now` (`until <= now`: [`Hold::is_live`] is
    /// false) and returns them, by number.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn remove_ended_holds(&mut self, now: DateTime<Utc>) -> Result<Vec<Hold>, StoreError>;
}
