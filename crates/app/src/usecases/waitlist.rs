//! The waitlist for numbers out of stock (R7).

use serde::{Deserialize, Serialize};
use vnum_core::{CountryCode, CustomerId, OfferId, PhoneNumber, WaitlistEntryId};
use vnum_lifecycle::{City, NumberKind, Offer, WaitlistEntry, WaitlistError, Wanted};

use crate::model::Notice;
use crate::ports::Invariant;
use crate::ports::StoreError;
use crate::{Error, Vnum};

/// What a restock did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestockOutcome {
    /// The offer, as it is now.
    pub offer: Offer,
    /// The numbers added to its stock.
    pub added: Vec<PhoneNumber>,
    /// True when the offer was not on sale and is now (R7.2).
    pub listed_now: bool,
    /// The entries fulfilled by this restock, oldest first: their customers were notified
    /// (R7.1).
    pub fulfilled: Vec<WaitlistEntry>,
}

fn waitlist_error(error: WaitlistError) -> Error {
    match error {
        WaitlistError::UnknownEntry(id) => Error::not_found("waitlist entry", id),
        on_sale @ WaitlistError::OnSale { .. } => Error::refused(on_sale),
        other @ (WaitlistError::AlreadyWaiting { .. }
        | WaitlistError::DuplicateId(_)
        | WaitlistError::AlreadyClosed { .. }) => Error::Conflict(other.to_string()),
    }
}

impl Vnum {
    /// Puts `customer` on the waitlist for numbers of `country`, optionally of one `city`
    /// and `kind`, to be emailed when they go on sale (R7.1).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown customer; [`Error::Refused`] (R7.1) when an offer
    /// on sale meets the wish already, naming it; [`Error::Conflict`] when the customer
    /// already waits for the same thing.
    pub async fn join_waitlist(
        &self,
        customer: CustomerId,
        country: CountryCode,
        city: Option<City>,
        kind: Option<NumberKind>,
    ) -> Result<WaitlistEntry, Error> {
        let now = self.ports.clock.now();
        let wanted = Wanted {
            country,
            city,
            kind,
        };
        let mut tx = self.ports.store.begin().await?;
        tx.customer(customer)
            .await?
            .ok_or_else(|| Error::not_found("customer", customer))?;
        vnum_lifecycle::nothing_on_sale_for(&wanted, &tx.offers().await?)
            .map_err(waitlist_error)?;
        // The customer's own waiting entries are all the join rule looks at (R7.1).
        let mut waitlist = tx.waiting_entries_of(country, customer).await?;
        let id = tx.next_waitlist_entry_id().await?;
        let entry = waitlist
            .join(id, customer, wanted, now)
            .map_err(waitlist_error)?
            .clone();
        tx.insert_waitlist_entry(&entry).await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Takes the customer's entry `id` off the waitlist.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the customer has no such entry; [`Error::Conflict`] when it
    /// was fulfilled or cancelled already.
    pub async fn cancel_waitlist_entry(
        &self,
        customer: CustomerId,
        id: WaitlistEntryId,
    ) -> Result<WaitlistEntry, Error> {
        let now = self.ports.clock.now();
        let mut tx = self.ports.store.begin().await?;
        let country = tx
            .waitlist_entry(id)
            .await?
            .filter(|e| e.customer() == customer)
            .ok_or_else(|| Error::not_found("waitlist entry", id))?
            .wanted()
            .country;
        let mut waitlist = tx.waitlist(country).await?;
        let entry = waitlist.cancel(id, now).map_err(waitlist_error)?.clone();
        tx.save_waitlist(country, &waitlist).await.map_err(closed)?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Adds `numbers` to the stock of offer `offer`, puts the offer on sale if it was not
    /// (R7.2), and emails every customer waiting for such numbers, oldest wish first
    /// (R7.1); their entries are fulfilled in the same unit of work, so nobody is emailed
    /// twice. Each email is a `waitlist.restocked` event of the same unit of work, sent by
    /// the outbox after the commit: one that fails is tried again and never undoes the
    /// restock.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown offer; [`Error::Invalid`] for no numbers or a
    /// number of another country than the offer's; [`Error::Conflict`] when a number is
    /// held already.
    pub async fn restock(
        &self,
        offer: OfferId,
        numbers: Vec<PhoneNumber>,
    ) -> Result<RestockOutcome, Error> {
        let now = self.ports.clock.now();
        let mut tx = self.ports.store.begin().await?;
        let mut stocked = tx
            .offer(offer)
            .await?
            .ok_or_else(|| Error::not_found("offer", offer))?;
        if numbers.is_empty() {
            return Err(Error::Invalid("a restock needs at least one number".into()));
        }
        if let Some(foreign) = numbers.iter().find(|n| n.country() != stocked.country()) {
            return Err(Error::Invalid(format!(
                "{foreign} is not a number of {}, the country of offer {offer}",
                stocked.country()
            )));
        }
        tx.add_stock(offer, &numbers).await.map_err(|e| match e {
            StoreError::Conflict { .. } => Error::Conflict(
                "one of the numbers is held already: each number is stocked once".into(),
            ),
            other => other.into(),
        })?;
        let listed_now = !stocked.is_listed();
        if listed_now {
            let mut terms = stocked.terms().clone();
            terms.listed = true;
            stocked = Offer::new(terms)?;
            tx.update_offer(stocked.clone()).await?;
        }
        let country = stocked.country();
        let mut waitlist = tx.waitlist(country).await?;
        let due: Vec<WaitlistEntryId> = waitlist
            .on_restock(country, stocked.city(), stocked.kind())
            .notify
            .iter()
            .map(|e| e.id())
            .collect();
        let mut fulfilled = Vec::with_capacity(due.len());
        for id in due {
            let entry = waitlist.fulfil(id, now).map_err(waitlist_error)?.clone();
            let customer = tx
                .customer(entry.customer())
                .await?
                .ok_or_else(|| Error::not_found("customer", entry.customer()))?;
            super::events::record(
                &mut *tx,
                now,
                Some(customer.email),
                Notice::WaitlistRestocked {
                    customer: customer.id,
                    entry_id: id.get(),
                    wanted: entry.wanted().to_string(),
                    offer_id: stocked.id().get(),
                },
            )
            .await?;
            fulfilled.push(entry);
        }
        tx.save_waitlist(country, &waitlist).await.map_err(closed)?;
        tx.commit().await?;
        Ok(RestockOutcome {
            offer: stocked,
            added: numbers,
            listed_now,
            fulfilled,
        })
    }

    /// The customer's waitlist entries, waiting and closed, oldest first.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown customer.
    pub async fn waitlist_of(&self, customer: CustomerId) -> Result<Vec<WaitlistEntry>, Error> {
        let mut tx = self.ports.store.begin().await?;
        tx.customer(customer)
            .await?
            .ok_or_else(|| Error::not_found("customer", customer))?;
        Ok(tx.waitlist_entries_of(customer).await?)
    }
}

/// A concurrent change closed an entry first.
fn closed(error: StoreError) -> Error {
    match error {
        StoreError::Conflict {
            what: Invariant::WaitlistEntryClosed,
        } => Error::Conflict("the waitlist changed at the same moment: try again".into()),
        other => other.into(),
    }
}
