//! [`Waitlists`] on the `waitlist_entries` table (R7): one row per entry.

use std::collections::BTreeMap;

use async_trait::async_trait;
use vnum_app::ports::StoreError;
use vnum_app::ports::store::Waitlists;
use vnum_core::{CountryCode, CustomerId, WaitlistEntryId};
use vnum_lifecycle::{Waitlist, WaitlistEntry, WaitlistState};

use super::{Sequence, to_json};
use crate::error::corrupt;
use crate::store::SeaOrmTransaction;
use vnum_app::ports::Invariant;

const CLOSED: StoreError = StoreError::Conflict {
    what: Invariant::WaitlistEntryClosed,
};

#[async_trait]
impl Waitlists for SeaOrmTransaction<'_> {
    async fn next_waitlist_entry_id(&mut self) -> Result<WaitlistEntryId, StoreError> {
        Ok(WaitlistEntryId(
            self.next_id(Sequence::WaitlistEntries).await?,
        ))
    }

    async fn waitlist(&mut self, country: CountryCode) -> Result<Waitlist, StoreError> {
        let entries: Vec<WaitlistEntry> = self.country_entries(country).await?;
        // A waitlist is its entries in the order they joined; it is rebuilt through its
        // serde form, the same one a whole stored waitlist would have.
        serde_json::from_value(serde_json::json!({ "entries": entries }))
            .map_err(|e| corrupt("waitlist", e))
    }

    /// An entry closes once (R7.1): the upsert replaces a stored entry only while it is
    /// waiting (or with itself), so a concurrent second closing finds nothing to replace
    /// and fails with `waitlist_entry_closed`.
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
        let stored: BTreeMap<WaitlistEntryId, WaitlistEntry> = self
            .country_entries(country)
            .await?
            .into_iter()
            .map(|e| (e.id(), e))
            .collect();
        let changed: Vec<&WaitlistEntry> = waitlist
            .entries()
            .filter(|e| stored.get(&e.id()) != Some(*e))
            .collect();
        // Checked first so that a refused save writes nothing.
        if changed.iter().any(|e| {
            stored
                .get(&e.id())
                .is_some_and(|before| before.state() != WaitlistState::Waiting)
        }) {
            return Err(CLOSED);
        }
        for entry in changed {
            let written = self
                .write(
                    "INSERT INTO waitlist_entries
                        (id, country, customer_id, requested_at, waiting, record)
                    VALUES ($1, $2, $3, $4, $5, $6)
                    ON CONFLICT (id) DO UPDATE
                        SET waiting = excluded.waiting, record = excluded.record
                        WHERE waitlist_entries.waiting",
                    vec![
                        entry.id().get().into(),
                        country.as_str().into(),
                        entry.customer().get().into(),
                        entry.requested_at().into(),
                        (entry.state() == WaitlistState::Waiting).into(),
                        to_json(entry)?,
                    ],
                )
                .await?;
            if written == 0 {
                return Err(CLOSED);
            }
        }
        Ok(())
    }

    async fn waiting_entries_of(
        &mut self,
        country: CountryCode,
        customer: CustomerId,
    ) -> Result<Waitlist, StoreError> {
        let entries: Vec<WaitlistEntry> = self
            .records(
                "SELECT record FROM waitlist_entries \
                 WHERE customer_id = $1 AND country = $2 AND waiting ORDER BY id",
                vec![customer.get().into(), country.as_str().into()],
            )
            .await?;
        serde_json::from_value(serde_json::json!({ "entries": entries }))
            .map_err(|e| corrupt("waitlist", e))
    }

    async fn insert_waitlist_entry(&mut self, entry: &WaitlistEntry) -> Result<(), StoreError> {
        if entry.state() != WaitlistState::Waiting {
            return Err(StoreError::Conflict {
                what: Invariant::WaitlistEntryClosed,
            });
        }
        self.write(
            "INSERT INTO waitlist_entries
                (id, country, customer_id, requested_at, waiting, record)
            VALUES ($1, $2, $3, $4, $5, $6)",
            vec![
                entry.id().get().into(),
                entry.wanted().country.as_str().into(),
                entry.customer().get().into(),
                entry.requested_at().into(),
                true.into(),
                to_json(entry)?,
            ],
        )
        .await?;
        Ok(())
    }

    async fn waitlist_entry(
        &mut self,
        id: WaitlistEntryId,
    ) -> Result<Option<WaitlistEntry>, StoreError> {
        self.record(
            "SELECT record FROM waitlist_entries WHERE id = $1",
            vec![id.get().into()],
        )
        .await
    }

    async fn waitlist_entries_of(
        &mut self,
        customer: CustomerId,
    ) -> Result<Vec<WaitlistEntry>, StoreError> {
        self.records(
            "SELECT record FROM waitlist_entries WHERE customer_id = $1 \
             ORDER BY requested_at, id",
            vec![customer.get().into()],
        )
        .await
    }
}

impl SeaOrmTransaction<'_> {
    async fn country_entries(
        &self,
        country: CountryCode,
    ) -> Result<Vec<WaitlistEntry>, StoreError> {
        self.records(
            "SELECT record FROM waitlist_entries WHERE country = $1 ORDER BY id",
            vec![country.as_str().into()],
        )
        .await
    }
}
