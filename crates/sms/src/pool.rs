//! Pools of numbers per service (R9.2).

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use vnum_core::{CustomerId, Money, PhoneNumber, SmsAllocationId};

use crate::{SmsAllocation, SmsError};

/// A service a verification code is for, such as `telegram` (R9.1).
///
/// Invariant: not blank; trimmed and lower-cased, so `Telegram` and `telegram` are one
/// service and share one pool.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Service(String);

impl Service {
    /// A service from its name.
    ///
    /// # Errors
    /// [`SmsError::BlankService`] when the name is blank.
    pub fn new(name: &str) -> Result<Self, SmsError> {
        let name = name.trim();
        if name.is_empty() {
            Err(SmsError::BlankService)
        } else {
            Ok(Self(name.to_lowercase()))
        }
    }

    /// The normalised name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Service {
    type Error = SmsError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(&value)
    }
}

impl From<Service> for String {
    fn from(value: Service) -> Self {
        value.0
    }
}

/// The numbers that can receive a code for one service.
///
/// Invariant: `available` and `issued` are disjoint; a number moves from `available` to
/// `issued` when allocated and never moves back, so no number is issued twice for the
/// service (R9.2), whether its allocation was used or expired unused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsPool {
    service: Service,
    available: BTreeSet<PhoneNumber>,
    issued: BTreeSet<PhoneNumber>,
}

impl SmsPool {
    /// An empty pool for `service`.
    #[must_use]
    pub const fn new(service: Service) -> Self {
        Self {
            service,
            available: BTreeSet::new(),
            issued: BTreeSet::new(),
        }
    }

    /// Adds `number` to the pool.
    ///
    /// # Errors
    /// [`SmsError::AlreadyIssued`] when the number was ever issued for this service (R9.2);
    /// [`SmsError::AlreadyInPool`] when it is available already.
    pub fn add(&mut self, number: PhoneNumber) -> Result<(), SmsError> {
        if self.issued.contains(&number) {
            return Err(SmsError::AlreadyIssued {
                number,
                service: self.service.clone(),
            });
        }
        if self.available.contains(&number) {
            return Err(SmsError::AlreadyInPool {
                number,
                service: self.service.clone(),
            });
        }
        self.available.insert(number);
        Ok(())
    }

    /// Allocates a number never issued for this service to `customer` at `now`, for
    /// `lifetime`, at `price` (R9.1, R9.2). The lowest available number is taken, so the
    /// choice is reproducible.
    ///
    /// # Errors
    /// [`SmsError::PoolEmpty`] when no number is available;
    /// [`SmsError::NonPositiveLifetime`] when `lifetime` is zero or negative.
    pub fn allocate(
        &mut self,
        id: SmsAllocationId,
        customer: CustomerId,
        price: Money,
        now: DateTime<Utc>,
        lifetime: TimeDelta,
    ) -> Result<SmsAllocation, SmsError> {
        if lifetime <= TimeDelta::zero() {
            return Err(SmsError::NonPositiveLifetime);
        }
        let number = self
            .available
            .pop_first()
            .ok_or_else(|| SmsError::PoolEmpty {
                service: self.service.clone(),
            })?;
        self.issued.insert(number.clone());
        Ok(SmsAllocation::new(
            id,
            customer,
            self.service.clone(),
            number,
            price,
            now,
            now + lifetime,
        ))
    }

    /// The service.
    #[must_use]
    pub const fn service(&self) -> &Service {
        &self.service
    }

    /// The numbers that can still be allocated.
    pub fn available(&self) -> impl Iterator<Item = &PhoneNumber> {
        self.available.iter()
    }

    /// The numbers ever issued for the service.
    pub fn issued(&self) -> impl Iterator<Item = &PhoneNumber> {
        self.issued.iter()
    }

    /// True when `number` was ever issued for the service (R9.2).
    #[must_use]
    pub fn was_issued(&self, number: &PhoneNumber) -> bool {
        self.issued.contains(number)
    }
}
