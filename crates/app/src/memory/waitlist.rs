//! In-memory [`Waitlists`].

use async_trait::async_trait;
use vnum_core::{CountryCode, CustomerId, WaitlistEntryId};
use vnum_lifecycle::{Waitlist, WaitlistEntry, WaitlistState};

use super::store::InMemoryTransaction;
use crate::ports::Invariant;
use crate::ports::StoreError;
use crate::ports::store::Waitlists;

#[async_trait]
impl Waitlists for InMemoryTransaction<'_> {
    async fn next_waitlist_entry_id(&mut self) -> Result<WaitlistEntryId, StoreError> {
        Ok(WaitlistEntryId(self.state.next_id()))
    }

    async fn waitlist(&mut self, country: CountryCode) -> Result<Waitlist, StoreError> {
        Ok(self
            .state
            .waitlists
            .get(&country)
            .cloned()
            .unwrap_or_default())
    }

    async fn waiting_entries_of(
        &mut self,
        country: CountryCode,
        customer: CustomerId,
    ) -> Result<Waitlist, StoreError> {
        let mut own = Waitlist::new();
        let stored = self.state.waitlists.get(&country);
        for entry in stored
            .into_iter()
            .flat_map(Waitlist::entries)
            .filter(|e| e.customer() == customer && e.state() == WaitlistState::Waiting)
        {
            own.join(
                entry.id(),
                customer,
                entry.wanted().clone(),
                entry.requested_at(),
            )
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        }
        Ok(own)
    }

    async fn insert_waitlist_entry(&mut self, entry: &WaitlistEntry) -> Result<(), StoreError> {
        if entry.state() != WaitlistState::Waiting {
            return Err(StoreError::Conflict {
                what: Invariant::WaitlistEntryClosed,
            });
        }
        let waitlist = self
            .state
            .waitlists
            .entry(entry.wanted().country)
            .or_default();
        waitlist
            .join(
                entry.id(),
                entry.customer(),
                entry.wanted().clone(),
                entry.requested_at(),
            )
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(())
    }

    async fn save_waitlist(
        &mut self,
        country: CountryCode,
        waitlist: &Waitlist,
    ) -> Result<(), StoreError> {
        if waitlist.entries().any(|e| e.wanted().country != country) {
            return Err(StoreError::Conflict {
                what: Invariant::WaitlistCountry,
            });
        }
        if let Some(stored) = self.state.waitlists.get(&country) {
            let reopened_or_reclosed = stored.entries().any(|before| {
                before.state() != WaitlistState::Waiting
                    && waitlist
                        .get(before.id())
                        .is_some_and(|after| after != before)
            });
            if reopened_or_reclosed {
                return Err(StoreError::Conflict {
                    what: Invariant::WaitlistEntryClosed,
                });
            }
        }
        self.state.waitlists.insert(country, waitlist.clone());
        Ok(())
    }

    async fn waitlist_entry(
        &mut self,
        id: WaitlistEntryId,
    ) -> Result<Option<WaitlistEntry>, StoreError> {
        Ok(self
            .state
            .waitlists
            .values()
            .find_map(|w| w.get(id))
            .cloned())
    }

    async fn waitlist_entries_of(
        &mut self,
        customer: CustomerId,
    ) -> Result<Vec<WaitlistEntry>, StoreError> {
        let mut entries: Vec<WaitlistEntry> = self
            .state
            .waitlists
            .values()
            .flat_map(Waitlist::entries)
            .filter(|e| e.customer() == customer)
            .cloned()
            .collect();
        entries.sort_by_key(|e| (e.requested_at(), e.id()));
        Ok(entries)
    }
}
