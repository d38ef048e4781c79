//! Holds on numbers picked from an offer's list (R1.3).

use vnum_core::{CustomerId, OfferId, PhoneNumber, PrepaidTerm};
use vnum_lifecycle::{Hold, HoldTime, OrderLine, Pick};

use crate::model::StockState;
use crate::ports::{StoreError, Transaction};
use crate::{Error, Vnum};

impl Vnum {
    /// Holds `number`, picked from the list of `offer`, for `customer` for the provider's
    /// hold time (`Config::hold_minutes`, R1.3): while the hold is live the number is not
    /// listed, held, lent or sold to anyone else, and the customer's order of it succeeds.
    /// The number must be one the customer could order from the offer now (listed, of its
    /// country, available in its stock).
    ///
    /// Picking a number the customer holds already answers [`Pick::Kept`] with the hold as
    /// it is: a hold is never extended, so picking again never keeps a number from others
    /// for longer. A hold that has ended is replaced by a new one ([`Pick::New`]), whoever
    /// held it.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown customer or offer; [`Error::Refused`] (R1.3)
    /// when another customer's hold is live (saying until when, never who), when the
    /// customer holds [`vnum_lifecycle::MAX_HOLDS_PER_CUSTOMER`] numbers already, or when
    /// the number is not on the offer's list (R1.3, R7.2, R9.3 as for an order);
    /// [`Error::Conflict`] when the number was taken at the same moment.
    pub async fn hold_number(
        &self,
        customer: CustomerId,
        offer: OfferId,
        number: PhoneNumber,
    ) -> Result<Pick, Error> {
        let time = HoldTime::from_minutes(self.config.hold_minutes)?;
        let now = self.ports.clock.now();
        let mut tx = self.ports.store.begin().await?;
        tx.customer(customer)
            .await?
            .ok_or_else(|| Error::not_found("customer", customer))?;
        let listed = tx
            .offer(offer)
            .await?
            .ok_or_else(|| Error::not_found("offer", offer))?;
        let offered = available_stock(&mut *tx, offer).await?;
        // A number that could not be ordered from the offer now cannot be held either.
        OrderLine::manual(&listed, number.clone(), &offered, PrepaidTerm::OneMonth)?;
        // Moving the stock entry from available to available takes its row: an order or
        // a hold of the same number in another unit of work waits for this one, so holds
        // and orders of one number are decided one after the other.
        tx.move_stock(&number, StockState::Available, StockState::Available)
            .await
            .map_err(|e| taken(&number, e))?;
        let existing = tx.hold_on(&number).await?;
        let held_elsewhere = tx
            .holds_of(customer)
            .await?
            .iter()
            .filter(|h| h.is_live(now) && h.number() != &number)
            .count();
        let pick = Hold::pick(
            existing.as_ref(),
            number.clone(),
            offer,
            customer,
            now,
            time,
            held_elsewhere,
        )?;
        if let Pick::New(hold) = &pick {
            if let Err(error) = tx.place_hold(hold, now).await {
                // A hold placed at the same moment won: report it as the rule does.
                if let Some(winner) = tx.hold_on(&number).await? {
                    winner.admits(customer, now)?;
                }
                return Err(taken(&number, error));
            }
            tx.commit().await?;
        }
        Ok(pick)
    }

    /// The customer's live holds, by number (R1.3).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown customer.
    pub async fn holds(&self, customer: CustomerId) -> Result<Vec<Hold>, Error> {
        let now = self.ports.clock.now();
        let mut tx = self.ports.store.read().await?;
        tx.customer(customer)
            .await?
            .ok_or_else(|| Error::not_found("customer", customer))?;
        let mut holds = tx.holds_of(customer).await?;
        holds.retain(|h| h.is_live(now));
        holds.sort_by(|a, b| a.number().cmp(b.number()));
        Ok(holds)
    }

    /// Ends the customer's live hold on `number` before its time (R1.3): the number is
    /// offered to everyone again. Returns the hold released.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown customer, or when the customer has no live hold
    /// on the number (another customer's hold answers the same).
    pub async fn release_hold(
        &self,
        customer: CustomerId,
        number: &PhoneNumber,
    ) -> Result<Hold, Error> {
        let now = self.ports.clock.now();
        let mut tx = self.ports.store.begin().await?;
        tx.customer(customer)
            .await?
            .ok_or_else(|| Error::not_found("customer", customer))?;
        match tx.hold_on(number).await? {
            Some(hold) if hold.customer() == customer && hold.is_live(now) => {
                tx.remove_hold(number).await?;
                tx.commit().await?;
                Ok(hold)
            }
            _ => Err(Error::not_found("hold", number)),
        }
    }

    /// Removes every hold that has ended (R1.3). Run by a periodic job; an ended hold keeps
    /// nothing even before it runs, as every reader asks [`Hold::is_live`]. Returns the
    /// holds removed.
    ///
    /// # Errors
    /// [`Error::Store`] when storage fails; nothing is removed then.
    pub async fn expire_holds(&self) -> Result<Vec<Hold>, Error> {
        let now = self.ports.clock.now();
        let mut tx = self.ports.store.begin().await?;
        let ended = tx.remove_ended_holds(now).await?;
        if !ended.is_empty() {
            tx.commit().await?;
        }
        Ok(ended)
    }
}

/// The numbers of `offer`'s stock that are available, whatever holds them.
pub(super) async fn available_stock(
    tx: &mut dyn Transaction,
    offer: OfferId,
) -> Result<Vec<PhoneNumber>, Error> {
    Ok(tx
        .stock(offer)
        .await?
        .into_iter()
        .filter(|s| s.state == StockState::Available)
        .map(|s| s.e164)
        .collect())
}

fn taken(number: &PhoneNumber, error: StoreError) -> Error {
    match error {
        StoreError::Stale { .. } | StoreError::Conflict { .. } => Error::Conflict(format!(
            "{number} was just taken or held by someone else: pick another number or try again"
        )),
        other => other.into(),
    }
}
