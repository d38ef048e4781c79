//! Storage of the operator's rate table (R6.D2, R5.D1).

use async_trait::async_trait;
use vnum_calls::Rate;
use vnum_core::{Currency, PhoneNumber};

use super::StoreError;

/// The operator's rate table: rates are added, never changed; a new price for a prefix is
/// a new rate effective from a later instant.
#[async_trait]
pub trait Rates: Send {
    /// Adds a rate.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] with
    /// [`Invariant::RateEffective`](crate::ports::Invariant::RateEffective) when a rate of
    /// the same prefix and currency is effective from the same instant already.
    async fn insert_rate(&mut self, rate: Rate) -> Result<Rate, StoreError>;

    /// Every rate, by prefix, currency and effective instant.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn rates(&mut self) -> Result<Vec<Rate>, StoreError>;

    /// The rates in `currency` whose prefix `destination` starts with, whatever their
    /// effective instant: what rating a call to it chooses from. Empty when there is none.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn rates_matching(
        &mut self,
        destination: &PhoneNumber,
        currency: Currency,
    ) -> Result<Vec<Rate>, StoreError>;
}
