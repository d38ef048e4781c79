use vnum_compliance::{WantedNumber, alternatives_without_documents};
use vnum_core::{CustomerId, OfferId, PhoneNumber, PrepaidTerm};
use vnum_discounts::Quote;
use vnum_lifecycle::{Offer, OfferTerms};

use crate::OrderLineRequest;

use crate::model::StockNumber;
use crate::ports::StoreError;
use crate::{Error, Vnum};

/// An offer a customer can buy without the documents another offer needs, with the
/// customer's own quote (R3.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlternativeOffer {
    /// The offer: same country, city and kind, no documents asked.
    pub offer: Offer,
    /// What `quantity` numbers of it for the term would cost this customer, discounts
    /// included (R11).
    pub quote: Quote,
}

impl Vnum {
    /// The offers a customer who cannot give the documents `wanted` asks for can buy
    /// instead (R3.3): listed offers of the same country, city and kind whose carrier asks
    /// no documents, cheapest first, each with the customer's quote for `quantity` numbers
    /// paid for `term`. Offers in another currency than the customer's are left out, as
    /// an order of them would be refused. An offer that asks no documents has none.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown customer or offer; [`Error::Invalid`] for a
    /// quantity outside 1 to 1000.
    pub async fn alternatives(
        &self,
        customer: CustomerId,
        wanted: OfferId,
        quantity: u32,
        term: PrepaidTerm,
    ) -> Result<Vec<AlternativeOffer>, Error> {
        if !(1..=1000).contains(&quantity) {
            return Err(Error::Invalid(format!(
                "the quantity is {quantity}: expected 1 to 1000"
            )));
        }
        let offers = {
            let mut tx = self.ports.store.read().await?;
            tx.customer(customer)
                .await?
                .ok_or_else(|| Error::not_found("customer", customer))?;
            tx.offers().await?
        };
        let wanted = offers
            .iter()
            .find(|o| o.id() == wanted)
            .ok_or_else(|| Error::not_found("offer", wanted))?;
        if wanted.documents().is_none() {
            return Ok(Vec::new());
        }
        let city = wanted.city().map(|c| c.as_str().to_owned());
        let candidates = alternatives_without_documents(
            &offers,
            &WantedNumber {
                country: wanted.country(),
                city: city.clone(),
                kind: wanted.kind(),
            },
        );
        let mut found = Vec::with_capacity(candidates.len());
        for candidate in candidates {
            let line = OrderLineRequest {
                offer: candidate.offer.id(),
                quantity,
                term,
                city: candidate.offer.city().map(|c| c.as_str().to_owned()),
                number: None,
            };
            match self.quote(customer, &[line]).await {
                Ok(quote) => found.push(AlternativeOffer {
                    offer: candidate.offer.clone(),
                    quote,
                }),
                // Priced in another currency than the customer pays in.
                Err(Error::Invalid(_) | Error::Refused { .. }) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(found)
    }

    /// Adds an offer to the catalogue (operators); its id is assigned. An offer without a
    /// CallerID fee of its own gets the provider's default for its currency, if there is
    /// one (R6.2).
    ///
    /// # Errors
    /// [`Error::Invalid`] when the terms break an offer's invariant (a landline without a
    /// city, prices in two currencies, an SMS offer open for trials, …).
    pub async fn create_offer(&self, mut terms: OfferTerms) -> Result<Offer, Error> {
        if terms.caller_id_monthly.is_none() {
            terms.caller_id_monthly = self
                .config
                .caller_id_prices
                .get(terms.monthly_price.currency());
        }
        Offer::new(terms.clone())?;
        let mut tx = self.ports.store.begin().await?;
        let offer = tx.insert_offer(terms).await?;
        tx.commit().await?;
        Ok(offer)
    }

    /// The offers on sale now (R7.2: those not listed are not shown).
    ///
    /// # Errors
    /// [`Error::Store`] when storage fails.
    pub async fn listed_offers(&self) -> Result<Vec<Offer>, Error> {
        let mut tx = self.ports.store.read().await?;
        Ok(tx
            .offers()
            .await?
            .into_iter()
            .filter(Offer::is_listed)
            .collect())
    }

    /// Every offer, listed or not (operators).
    ///
    /// # Errors
    /// [`Error::Store`] when storage fails.
    pub async fn all_offers(&self) -> Result<Vec<Offer>, Error> {
        let mut tx = self.ports.store.read().await?;
        Ok(tx.offers().await?)
    }

    /// The offer `id`.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is none.
    pub async fn offer(&self, id: OfferId) -> Result<Offer, Error> {
        let mut tx = self.ports.store.read().await?;
        tx.offer(id)
            .await?
            .ok_or_else(|| Error::not_found("offer", id))
    }

    /// The concrete numbers of an offer that `viewer` may pick from, for a manual order
    /// (R1.3): the available stock, less the numbers another customer's live hold keeps.
    /// A customer sees the numbers it holds itself; operators (`None`) see the numbers no
    /// live hold keeps.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown offer.
    pub async fn available_numbers(
        &self,
        id: OfferId,
        viewer: Option<CustomerId>,
    ) -> Result<Vec<PhoneNumber>, Error> {
        let now = self.ports.clock.now();
        let mut tx = self.ports.store.read().await?;
        tx.offer(id)
            .await?
            .ok_or_else(|| Error::not_found("offer", id))?;
        let hidden: Vec<PhoneNumber> = tx
            .holds_for(id)
            .await?
            .into_iter()
            .filter(|h| h.hides_from(viewer, now))
            .map(|h| h.number().clone())
            .collect();
        let mut numbers = super::holds::available_stock(&mut *tx, id).await?;
        numbers.retain(|n| !hidden.contains(n));
        Ok(numbers)
    }

    /// Adds concrete numbers to an offer's stock (operators), without waitlist
    /// notifications.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown offer; [`Error::Invalid`] for a number of another
    /// country; [`Error::Conflict`] for a number held already.
    pub async fn add_stock(
        &self,
        id: OfferId,
        numbers: Vec<PhoneNumber>,
    ) -> Result<Vec<StockNumber>, Error> {
        let mut tx = self.ports.store.begin().await?;
        let offer = tx
            .offer(id)
            .await?
            .ok_or_else(|| Error::not_found("offer", id))?;
        if let Some(other) = numbers.iter().find(|n| n.country() != offer.country()) {
            return Err(Error::Invalid(format!(
                "{other} is a number of {}, the offer is for {}",
                other.country(),
                offer.country()
            )));
        }
        tx.add_stock(id, &numbers).await.map_err(|e| match e {
            StoreError::Conflict { .. } => {
                Error::Conflict("a number in the list is held already".into())
            }
            other => other.into(),
        })?;
        let stock = tx.stock(id).await?;
        tx.commit().await?;
        Ok(stock)
    }
}

impl Vnum {
    /// Records the bulk discount negotiated with a customer (operators, R11.2), replacing
    /// any previous agreement.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown customer.
    pub async fn set_bulk_agreement(
        &self,
        agreement: vnum_discounts::BulkAgreement,
    ) -> Result<vnum_discounts::BulkAgreement, Error> {
        let mut tx = self.ports.store.begin().await?;
        let customer = agreement.customer();
        tx.customer(customer)
            .await?
            .ok_or_else(|| Error::not_found("customer", customer))?;
        let agreement = tx.put_agreement(agreement).await?;
        tx.commit().await?;
        Ok(agreement)
    }
}
