//! In-memory [`Rates`].

use async_trait::async_trait;
use vnum_calls::Rate;
use vnum_core::{Currency, PhoneNumber};

use super::store::InMemoryTransaction;
use crate::ports::store::Rates;
use crate::ports::{Invariant, StoreError};

fn key(rate: &Rate) -> (&str, &'static str, chrono::DateTime<chrono::Utc>) {
    (
        rate.prefix().digits(),
        rate.currency().code(),
        rate.effective_from(),
    )
}

#[async_trait]
impl Rates for InMemoryTransaction<'_> {
    async fn insert_rate(&mut self, rate: Rate) -> Result<Rate, StoreError> {
        if self.state.rates.iter().any(|r| key(r) == key(&rate)) {
            return Err(StoreError::Conflict {
                what: Invariant::RateEffective,
            });
        }
        self.state.rates.push(rate.clone());
        Ok(rate)
    }

    async fn rates(&mut self) -> Result<Vec<Rate>, StoreError> {
        let mut rates = self.state.rates.clone();
        rates.sort_by(|a, b| key(a).cmp(&key(b)));
        Ok(rates)
    }

    async fn rates_matching(
        &mut self,
        destination: &PhoneNumber,
        currency: Currency,
    ) -> Result<Vec<Rate>, StoreError> {
        let mut rates = self.rates().await?;
        rates.retain(|r| r.currency() == currency && r.prefix().matches(destination));
        Ok(rates)
    }
}
