//! Free one-hour tests (R8).

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use vnum_core::rule::{self, RuleId};
use vnum_core::{CountryCode, CustomerId, OfferId, PhoneNumber, TrialId};

use crate::{NumberKind, Offer};

/// How long a free test lasts (R8.1).
pub const TRIAL_LENGTH: TimeDelta = TimeDelta::hours(1);

/// Why a free test was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrialError {
    /// No number that may be lent is in stock now (R8.1).
    #[error("no number is in stock for a free test right now: try again later")]
    NothingInStock,
    /// SMS numbers are never lent (R8.3).
    #[error("SMS numbers are never given for a free test")]
    SmsNumber,
    /// The offer is purchase-only or not on sale now (R8.2).
    #[error("offer {offer} cannot be tested now: it is for purchase only")]
    NotTestable {
        /// The offer.
        offer: OfferId,
    },
    /// The test is over: its number is no longer the customer's (R8.D1).
    #[error("the free test of {number} ended at {ended_at}: start a new one or buy the number")]
    Over {
        /// The test's number.
        number: PhoneNumber,
        /// When the hour ended.
        ended_at: DateTime<Utc>,
    },
    /// The customer started another test at the same moment (R8.D1).
    #[error("you already have a free test running: one free test at a time")]
    AnotherRunning,
    /// The customer already has a test running (R8.D1).
    #[error("you already test {number} until {ends_at}: one free test at a time")]
    AlreadyTesting {
        /// The running test's number.
        number: PhoneNumber,
        /// When it ends.
        ends_at: DateTime<Utc>,
    },
    /// The number lent is not of the offer's country.
    #[error("{number} is not a number of {offered}, the offer's country")]
    NumberOfOtherCountry {
        /// The number.
        number: PhoneNumber,
        /// The offer's country.
        offered: CountryCode,
    },
}

impl TrialError {
    /// The rule that refused the test.
    #[must_use]
    pub const fn rule(&self) -> RuleId {
        match self {
            Self::SmsNumber => rule::R8_3,
            Self::NotTestable { .. } => rule::R8_2,
            Self::NothingInStock => rule::R8_1,
            Self::AlreadyTesting { .. } | Self::AnotherRunning | Self::Over { .. } => rule::R8_D1,
            Self::NumberOfOtherCountry { .. } => rule::R8_1,
        }
    }
}

/// A number from stock lent to a customer for exactly one hour (R8.1).
///
/// Invariant: `ends_at = started_at + 1 hour`. The test is over at `ends_at` exactly: the
/// number returns to stock and calls to it are rejected (R8.D1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trial {
    id: TrialId,
    customer: CustomerId,
    offer: OfferId,
    number: PhoneNumber,
    started_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    /// Where its calls ring, as the customer set it (R8 Decision); none rings the
    /// customer's SIP accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    forwarding: Option<vnum_calls::ForwardingPlan>,
}

impl Trial {
    /// Lends `number`, in stock for `offer`, to `customer` from `now` for one hour (R8.1).
    /// `customer_trials` are the customer's earlier tests; one of them still running at
    /// `now` refuses the new one (R8.D1).
    ///
    /// # Errors
    /// [`TrialError`]: SMS offers are never lent (R8.3); a purchase-only or unlisted offer
    /// cannot be tested (R8.2, see [`suggest_trial_offer`]); one test at a time (R8.D1); the
    /// number must be of the offer's country.
    pub fn start<'a>(
        id: TrialId,
        customer: CustomerId,
        offer: &Offer,
        number: PhoneNumber,
        now: DateTime<Utc>,
        customer_trials: impl IntoIterator<Item = &'a Trial>,
    ) -> Result<Self, TrialError> {
        if offer.kind() == NumberKind::Sms {
            return Err(TrialError::SmsNumber);
        }
        if !is_testable(offer) {
            return Err(TrialError::NotTestable { offer: offer.id() });
        }
        if number.country() != offer.country() {
            return Err(TrialError::NumberOfOtherCountry {
                number,
                offered: offer.country(),
            });
        }
        if let Some(running) = customer_trials
            .into_iter()
            .find(|t| t.customer == customer && t.is_running(now))
        {
            return Err(TrialError::AlreadyTesting {
                number: running.number.clone(),
                ends_at: running.ends_at,
            });
        }
        Ok(Self {
            id,
            customer,
            offer: offer.id(),
            number,
            started_at: now,
            ends_at: now + TRIAL_LENGTH,
            forwarding: None,
        })
    }

    /// Sets where the test number's calls ring (R8 Decision): only while the test runs.
    ///
    /// # Errors
    /// [`TrialError::Over`] at or after the end of the hour (R8.D1).
    pub fn forward(
        &mut self,
        plan: Option<vnum_calls::ForwardingPlan>,
        now: DateTime<Utc>,
    ) -> Result<(), TrialError> {
        if !self.is_running(now) {
            return Err(TrialError::Over {
                number: self.number.clone(),
                ended_at: self.ends_at,
            });
        }
        self.forwarding = plan;
        Ok(())
    }

    /// Where the test number's calls ring, if the customer said (R8 Decision).
    #[must_use]
    pub const fn forwarding(&self) -> Option<&vnum_calls::ForwardingPlan> {
        self.forwarding.as_ref()
    }

    /// True from the start until just before the hour is over (R8.1): at `ends_at` exactly
    /// the test has ended.
    #[must_use]
    pub fn is_running(&self, now: DateTime<Utc>) -> bool {
        self.started_at <= now && now < self.ends_at
    }

    /// Whether calls to the number are delivered at `now`: only while the test runs; after
    /// the hour they are rejected (R8.D1).
    #[must_use]
    pub fn routing(&self, now: DateTime<Utc>) -> crate::Routing {
        if self.is_running(now) {
            crate::Routing {
                routable: true,
                rule: rule::R8_1,
            }
        } else {
            crate::Routing {
                routable: false,
                rule: rule::R8_D1,
            }
        }
    }

    /// What the call router is told about the lent number at `now`: served while the test
    /// runs (R8.1), rejected after the hour (R8.D1).
    #[must_use]
    pub fn routing_state(&self, now: DateTime<Utc>) -> vnum_calls::RoutingState {
        if self.is_running(now) {
            vnum_calls::RoutingState::Active
        } else {
            vnum_calls::RoutingState::TrialExpired
        }
    }

    /// When [`Trial::routing_state`] changes by time alone after `now`: at the end of the
    /// hour while the test runs (R8.1, R8.D1); never once it has ended.
    #[must_use]
    pub fn routing_changes_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        (now < self.ends_at).then_some(self.ends_at)
    }

    /// True once the number is back in stock (R8.D1).
    #[must_use]
    pub fn is_back_in_stock(&self, now: DateTime<Utc>) -> bool {
        now >= self.ends_at
    }

    /// The test's id.
    #[must_use]
    pub const fn id(&self) -> TrialId {
        self.id
    }

    /// Who tests.
    #[must_use]
    pub const fn customer(&self) -> CustomerId {
        self.customer
    }

    /// The offer tested.
    #[must_use]
    pub const fn offer(&self) -> OfferId {
        self.offer
    }

    /// The number lent.
    #[must_use]
    pub const fn number(&self) -> &PhoneNumber {
        &self.number
    }

    /// When the test started.
    #[must_use]
    pub const fn started_at(&self) -> DateTime<Utc> {
        self.started_at
    }

    /// When it ends: one hour after the start (R8.1).
    #[must_use]
    pub const fn ends_at(&self) -> DateTime<Utc> {
        self.ends_at
    }
}

fn is_testable(offer: &Offer) -> bool {
    offer.kind() != NumberKind::Sms && offer.trial_allowed() && offer.is_listed()
}

/// An offer proposed for a free test, and the rule that proposed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TrialSuggestion<'a> {
    /// The offer to test.
    pub offer: &'a Offer,
    /// R8.1 when it is of the wanted country, R8.2 when it is of another.
    pub rule: RuleId,
}

/// The offer to lend a test number from when a customer wants to test `country`, numbers of
/// `kind` preferred.
///
/// A testable offer of the wanted country comes first (R8.1); when the country is
/// purchase-only, a testable offer of another country is proposed (R8.2). SMS offers are
/// never proposed (R8.3). Among candidates: the wanted kind first, then the lowest monthly
/// price, then the lowest offer id, so the answer is stable. `None` when nothing can be
/// tested.
#[must_use]
pub fn suggest_trial_offer<'a>(
    offers: impl IntoIterator<Item = &'a Offer>,
    country: CountryCode,
    kind: NumberKind,
) -> Option<TrialSuggestion<'a>> {
    offers
        .into_iter()
        .filter(|offer| is_testable(offer))
        .min_by_key(|offer| {
            (
                offer.country() != country,
                offer.kind() != kind,
                offer.monthly_price().currency(),
                offer.monthly_price().amount(),
                offer.id(),
            )
        })
        .map(|offer| TrialSuggestion {
            offer,
            rule: if offer.country() == country {
                rule::R8_1
            } else {
                rule::R8_2
            },
        })
}

impl vnum_core::rule::RuleError for TrialError {
    fn rule(&self) -> vnum_core::RuleId {
        TrialError::rule(self)
    }
}
