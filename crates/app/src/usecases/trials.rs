//! Free one-hour tests (R8).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vnum_calls::ForwardingPlan;
use vnum_core::rule::{self, RuleId};
use vnum_core::{CountryCode, CustomerId, PhoneNumber, TrialId};
use vnum_lifecycle::{NumberKind, Offer, Routing, Trial, TrialError, suggest_trial_offer};

use crate::model::{StockState, TrialRecord};
use crate::ports::Invariant;
use crate::ports::StoreError;
use crate::{Error, Vnum};

/// What asking for a free test led to.
///
/// When the wanted country cannot be tested, the customer is offered another country
/// rather than lent a number of a country they did not ask for (R8.2): nothing is lent
/// until they ask again for the suggested offer's country.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum TrialOutcome {
    /// A number of the wanted country is lent for one hour (R8.1).
    Started(TrialRecord),
    /// The wanted country is purchase-only now; this offer of another country can be tested
    /// instead (R8.2).
    Suggested {
        /// The offer to test instead.
        offer: Offer,
        /// R8.2.
        rule: RuleId,
    },
}

impl Vnum {
    /// Lends `customer` a number in stock of `country` for exactly one hour from now, a
    /// number of `kind` preferred (R8.1): the number leaves stock for the hour.
    ///
    /// `vnum-lifecycle` decides which offer to lend from among those with a number in
    /// stock ([`suggest_trial_offer`]) and whether the test may start ([`Trial::start`]):
    /// SMS numbers are never lent (R8.3) and a customer tests one number at a time
    /// (R8.D1). When `country` cannot be tested, the answer is
    /// [`TrialOutcome::Suggested`] with an offer of another country (R8.2).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown customer; [`Error::Refused`] when nothing in stock
    /// can be tested (R8.1) or a test is running (R8.D1); [`Error::Conflict`] when the
    /// number was lent to someone else at the same moment (try again).
    pub async fn start_trial(
        &self,
        customer: CustomerId,
        country: CountryCode,
        kind: NumberKind,
    ) -> Result<TrialOutcome, Error> {
        let now = self.ports.clock.now();
        let mut tx = self.ports.store.begin().await?;
        tx.customer(customer)
            .await?
            .ok_or_else(|| Error::not_found("customer", customer))?;
        let mut in_stock: Vec<(Offer, PhoneNumber)> = Vec::new();
        for offer in tx.offers().await? {
            // A number a live hold keeps is lent to no one (R1.3).
            let held: Vec<PhoneNumber> = tx
                .holds_for(offer.id())
                .await?
                .into_iter()
                .filter(|h| h.is_live(now))
                .map(|h| h.number().clone())
                .collect();
            let free = tx
                .stock(offer.id())
                .await?
                .into_iter()
                .find(|s| s.state == StockState::Available && !held.contains(&s.e164));
            if let Some(free) = free {
                in_stock.push((offer, free.e164));
            }
        }
        let suggestion = suggest_trial_offer(in_stock.iter().map(|(o, _)| o), country, kind)
            .ok_or(TrialError::NothingInStock)?;
        if suggestion.rule == rule::R8_2 {
            return Ok(TrialOutcome::Suggested {
                offer: suggestion.offer.clone(),
                rule: suggestion.rule,
            });
        }
        let (offer, number) = in_stock
            .iter()
            .find(|(o, _)| o.id() == suggestion.offer.id())
            .cloned()
            .ok_or_else(|| Error::not_found("offer", suggestion.offer.id()))?;
        let earlier = tx.trials_of(customer).await?;
        let id = tx.next_trial_id().await?;
        let trial = Trial::start(
            id,
            customer,
            &offer,
            number,
            now,
            earlier.iter().map(|r| &r.trial),
        )?;
        tx.move_stock(trial.number(), StockState::Available, StockState::OnTrial)
            .await
            .map_err(|e| match e {
                StoreError::Stale { .. } => Error::Conflict(format!(
                    "{} was just taken by someone else: try again",
                    trial.number()
                )),
                other => other.into(),
            })?;
        // Asked again now that the stock entry is taken: a hold placed meanwhile has
        // committed, and a held number is lent to no one (R1.3).
        if tx
            .hold_on(trial.number())
            .await?
            .is_some_and(|hold| hold.is_live(now))
        {
            return Err(Error::Conflict(format!(
                "{} was just held by someone else: try again",
                trial.number()
            )));
        }
        let record = tx.insert_trial(&trial).await.map_err(|e| match e {
            StoreError::Conflict {
                what: Invariant::TrialActive,
            } => Error::from(TrialError::AnotherRunning),
            other => other.into(),
        })?;
        tx.commit().await?;
        // Calls to the number are delivered from now on (R8.1): the engine must not answer
        // from what it cached. A failure here only delays that until its cache expires.
        super::logged(
            self.ports.sip.routing_changed(record.trial.number()).await,
            "telling the SIP engine a test started or ended",
        );
        Ok(TrialOutcome::Started(record))
    }

    /// Ends every test whose hour is over: its number goes back to stock and the test is
    /// marked returned, once (R8.D1). Run by a scheduler or an operator; running it again
    /// changes nothing.
    ///
    /// Returns the tests ended by this run.
    ///
    /// # Errors
    /// [`Error::Store`] when storage fails or a concurrent run won (nothing changed).
    pub async fn expire_trials(&self) -> Result<Vec<TrialRecord>, Error> {
        let now = self.ports.clock.now();
        let mut tx = self.ports.store.begin().await?;
        let mut ended = Vec::new();
        for record in tx.unreturned_trials().await? {
            if !record.trial.is_back_in_stock(now) {
                continue;
            }
            let returned = tx
                .move_stock(
                    record.trial.number(),
                    StockState::OnTrial,
                    StockState::Available,
                )
                .await;
            match returned {
                // An operator took the number out of trial stock by hand: nothing to return,
                // and the test still ends, so one odd number cannot hold up every other.
                Ok(()) | Err(StoreError::Stale { .. }) => {}
                Err(other) => return Err(other.into()),
            }
            let returned = tx.mark_trial_returned(record.trial.id(), now).await?;
            let customer = returned.trial.customer();
            if let Some(owner) = tx.customer(customer).await? {
                super::events::record(
                    &mut *tx,
                    now,
                    Some(owner.email),
                    crate::model::Notice::TrialEnded {
                        customer,
                        trial_id: returned.trial.id().get(),
                        number: returned.trial.number().to_string(),
                    },
                )
                .await?;
            }
            ended.push(returned);
        }
        tx.commit().await?;
        // Calls after the hour are rejected (R8.D1).
        for record in &ended {
            super::logged(
                self.ports.sip.routing_changed(record.trial.number()).await,
                "telling the SIP engine a test started or ended",
            );
        }
        Ok(ended)
    }

    /// Whether calls to `number` are delivered at `now` because of a free test: `None` when
    /// the number is not in stock or no test ever lent it (another rule routes it), else
    /// delivered only while its latest test runs (R8.1) and rejected after the hour (R8.D1).
    ///
    /// # Errors
    /// [`Error::Store`] when storage fails.
    pub async fn trial_routing(
        &self,
        number: &PhoneNumber,
        now: DateTime<Utc>,
    ) -> Result<Option<Routing>, Error> {
        let mut tx = self.ports.store.read().await?;
        Ok(lent_for_trial(&mut *tx, number)
            .await?
            .map(|trial| trial.routing(now)))
    }

    /// Sets where the customer's running free test rings (R8 Decision): a forwarding plan
    /// checked like a rented number's (R5 Decision), or none to ring the customer's SIP
    /// accounts.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the test is not the customer's; [`Error::Refused`] (R8.D1)
    /// after its hour, (R5.D1) for a target the forwarding rules forbid.
    pub async fn set_trial_forwarding(
        &self,
        customer: CustomerId,
        trial: TrialId,
        plan: Option<ForwardingPlan>,
    ) -> Result<TrialRecord, Error> {
        let now = self.ports.clock.now();
        let mut tx = self.ports.store.begin().await?;
        let mut record = tx
            .trials_of(customer)
            .await?
            .into_iter()
            .find(|r| r.trial.id() == trial)
            .ok_or_else(|| Error::not_found("trial", trial))?;
        if let Some(plan) = &plan {
            self.check_plan(&mut *tx, customer, plan).await?;
        }
        record.trial.forward(plan, now)?;
        let saved = tx.update_trial(&record.trial).await.map_err(|e| match e {
            StoreError::Stale { .. } => Error::from(TrialError::Over {
                number: record.trial.number().clone(),
                ended_at: record.trial.ends_at(),
            }),
            other => other.into(),
        })?;
        tx.commit().await?;
        super::logged(
            self.ports.sip.routing_changed(saved.trial.number()).await,
            "telling the SIP engine a test's forwarding changed",
        );
        Ok(saved)
    }

    /// The customer's free tests, oldest first.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown customer.
    pub async fn trials_of(&self, customer: CustomerId) -> Result<Vec<TrialRecord>, Error> {
        let mut tx = self.ports.store.read().await?;
        tx.customer(customer)
            .await?
            .ok_or_else(|| Error::not_found("customer", customer))?;
        Ok(tx.trials_of(customer).await?)
    }

    /// The calls to a customer's free test (R8 Decision), oldest first, each with what it
    /// cost (a leg forwarded to a phone number is rated as a rented number's, R5.D1).
    ///
    /// # Errors
    /// [`Error::NotFound`] when the test is not the customer's.
    pub async fn calls_of_trial(
        &self,
        customer: CustomerId,
        trial: TrialId,
    ) -> Result<Vec<crate::RatedCall>, Error> {
        let mut tx = self.ports.store.read().await?;
        match tx.trial(trial).await? {
            Some(record) if record.trial.customer() == customer => {}
            _ => return Err(Error::not_found("free test", trial)),
        }
        let calls = tx.calls_of_trial(trial).await?;
        super::statistics::with_costs(tx.as_mut(), customer, calls).await
    }
}

/// The latest free test of `number` while the number is in stock: `None` when it is rented
/// or no test ever lent it.
pub(super) async fn lent_for_trial(
    tx: &mut dyn crate::ports::Transaction,
    number: &PhoneNumber,
) -> Result<Option<Trial>, Error> {
    let in_stock = tx
        .stock_number(number)
        .await?
        .is_some_and(|s| s.state != StockState::Taken);
    if !in_stock {
        return Ok(None);
    }
    Ok(tx
        .latest_trial_of_number(number)
        .await?
        .map(|record| record.trial))
}
