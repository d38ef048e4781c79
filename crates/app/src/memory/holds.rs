//! In-memory [`Holds`] (R1.3).

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use vnum_core::{CustomerId, OfferId, PhoneNumber};
use vnum_lifecycle::Hold;

use super::store::InMemoryTransaction;
use crate::ports::store::Holds;
use crate::ports::{Invariant, StoreError};

#[async_trait]
impl Holds for InMemoryTransaction<'_> {
    async fn place_hold(&mut self, hold: &Hold, now: DateTime<Utc>) -> Result<Hold, StoreError> {
        if self
            .state
            .holds
            .get(hold.number())
            .is_some_and(|held| held.is_live(now))
        {
            return Err(StoreError::Conflict {
                what: Invariant::HoldNumber,
            });
        }
        self.state.holds.insert(hold.number().clone(), hold.clone());
        Ok(hold.clone())
    }

    async fn hold_on(&mut self, number: &PhoneNumber) -> Result<Option<Hold>, StoreError> {
        Ok(self.state.holds.get(number).cloned())
    }

    async fn holds_of(&mut self, customer: CustomerId) -> Result<Vec<Hold>, StoreError> {
        // By number: the map's order.
        Ok(self
            .state
            .holds
            .values()
            .filter(|h| h.customer() == customer)
            .cloned()
            .collect())
    }

    async fn holds_for(&mut self, offer: OfferId) -> Result<Vec<Hold>, StoreError> {
        Ok(self
            .state
            .holds
            .values()
            .filter(|h| h.offer() == offer)
            .cloned()
            .collect())
    }

    async fn remove_hold(&mut self, number: &PhoneNumber) -> Result<Option<Hold>, StoreError> {
        Ok(self.state.holds.remove(number))
    }

    async fn remove_ended_holds(&mut self, now: DateTime<Utc>) -> Result<Vec<Hold>, StoreError> {
        let (ended, live): (BTreeMap<_, _>, BTreeMap<_, _>) = std::mem::take(&mut self.state.holds)
            .into_iter()
            .partition(|(_, h)| !h.is_live(now));
        self.state.holds = live;
        Ok(ended.into_values().collect())
    }
}
