//! The operator's rate table for calls out and forwarding to phone numbers (R6.D2, R5.D1),
//! and the rating of a reported call.

use chrono::{DateTime, Utc};
use vnum_calls::{CallRecord, Rate, RateTable};
use vnum_core::{Money, PhoneNumber, RuleId};

use crate::ports::{Invariant, StoreError, Transaction};
use crate::{Error, Vnum};

impl Vnum {
    /// Adds a rate to the operator's table (R6.D2). A new price for a prefix is a new rate
    /// effective from a later instant; a rate is never changed, so calls rated before keep
    /// their price.
    ///
    /// # Errors
    /// [`Error::Conflict`] when a rate of the same prefix and currency is effective from the
    /// same instant already.
    pub async fn add_rate(&self, rate: Rate) -> Result<Rate, Error> {
        let mut tx = self.ports.store.begin().await?;
        let stored = match tx.insert_rate(rate.clone()).await {
            Ok(stored) => stored,
            Err(StoreError::Conflict {
                what: Invariant::RateEffective,
            }) => {
                return Err(Error::Conflict(format!(
                    "a rate for {} in {} effective from {} exists already: add one effective \
                     from another instant",
                    rate.prefix(),
                    rate.currency(),
                    rate.effective_from()
                )));
            }
            Err(other) => return Err(other.into()),
        };
        tx.commit().await?;
        Ok(stored)
    }

    /// Every rate of the operator's table, by prefix, currency and effective instant.
    ///
    /// # Errors
    /// [`Error::Store`] when storage fails.
    pub async fn rates(&self) -> Result<Vec<Rate>, Error> {
        let mut tx = self.ports.store.read().await?;
        Ok(tx.rates().await?)
    }

    /// What a reported call costs its number's owner, if anything
    /// ([`vnum_calls::rated_leg`]), with this provider's gateway.
    pub(crate) fn rated_leg(&self, call: &CallRecord) -> Option<(PhoneNumber, RuleId)> {
        vnum_calls::rated_leg(call, &self.config.sip_gateway)
    }
}

/// The rate of a call to `destination` starting at `start`, in `currency`, from the
/// rates the store holds for the destination's prefixes.
pub(crate) async fn rate_table_for(
    tx: &mut (dyn Transaction + '_),
    destination: &PhoneNumber,
    currency: vnum_core::Currency,
) -> Result<RateTable, StoreError> {
    Ok(RateTable::new(
        tx.rates_matching(destination, currency).await?,
    ))
}

/// The cost of a rated (answered) call: its answered time at the rate effective when it
/// started, at least the first increment (`Rate::answered_cost`).
pub(crate) fn cost_of(
    table: &RateTable,
    destination: &PhoneNumber,
    currency: vnum_core::Currency,
    start: DateTime<Utc>,
    talk_seconds: i64,
) -> Result<Money, vnum_calls::CallOutError> {
    let rate = table.rate_for(destination, currency, start)?;
    let seconds = u32::try_from(talk_seconds.max(0)).unwrap_or(u32::MAX);
    Ok(rate.answered_cost(seconds))
}
