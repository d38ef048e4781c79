//! One allocation of a number for one service (R9.1, R9.D1).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vnum_core::rule::{self, RuleId};
use vnum_core::{CustomerId, Money, PhoneNumber, SmsAllocationId};

use crate::{Service, SmsError};

/// Where an allocation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AllocationState {
    /// Waiting for the code.
    Waiting,
    /// The one SMS arrived; not refundable (R9.D1).
    Used {
        /// When it arrived.
        at: DateTime<Utc>,
    },
    /// Expired with no SMS; the price is refunded (R9.D1).
    Expired {
        /// When it was expired.
        at: DateTime<Utc>,
        /// The amount refunded: the full price.
        refund: Money,
    },
}

impl AllocationState {
    const fn name(self) -> &'static str {
        match self {
            Self::Waiting => "waiting for its SMS",
            Self::Used { .. } => "used",
            Self::Expired { .. } => "expired",
        }
    }
}

/// Something that happens to an allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SmsEvent {
    /// An SMS arrived on the number for the allocation's service.
    Received {
        /// When.
        at: DateTime<Utc>,
    },
    /// The expiry run found the allocation unused.
    Expire {
        /// When the run looked.
        at: DateTime<Utc>,
    },
}

impl SmsEvent {
    const fn name(self) -> &'static str {
        match self {
            Self::Received { .. } => "deliver an SMS to",
            Self::Expire { .. } => "expire",
        }
    }
}

/// How an ended allocation settles with the customer's balance (R9.D1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Settlement {
    /// What goes back to the balance: the full price when expired unused, zero when used.
    pub refund: Money,
    /// R9.D1.
    pub rule: RuleId,
}

/// A number of a service's pool lent to one customer to receive one code (R9.1).
///
/// Invariant: `allocated_at < expires_at`; the state only ever moves from waiting to used
/// or expired, once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsAllocation {
    id: SmsAllocationId,
    customer: CustomerId,
    service: Service,
    number: PhoneNumber,
    price: Money,
    allocated_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    state: AllocationState,
}

impl SmsAllocation {
    /// Built only by [`crate::SmsPool::allocate`], which guarantees R9.2.
    pub(crate) const fn new(
        id: SmsAllocationId,
        customer: CustomerId,
        service: Service,
        number: PhoneNumber,
        price: Money,
        allocated_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            customer,
            service,
            number,
            price,
            allocated_at,
            expires_at,
            state: AllocationState::Waiting,
        }
    }

    /// The allocation after `event` (R9.1, R9.D1).
    ///
    /// The first SMS before expiry uses the allocation. Expiry at or after `expires_at`
    /// ends an unused allocation with a refund of its price.
    ///
    /// # Errors
    /// [`SmsError::SecondMessage`] for an SMS on a used allocation (R9.1);
    /// [`SmsError::MessageAfterExpiry`] for an SMS at or after expiry;
    /// [`SmsError::NotYetExpired`] for an expiry before its time;
    /// [`SmsError::AlreadyEnded`] for any other event on an ended allocation. A refused
    /// event leaves `self` as it was.
    pub fn apply(&self, event: SmsEvent) -> Result<Self, SmsError> {
        let state = match (self.state, event) {
            (AllocationState::Waiting, SmsEvent::Received { at }) if at < self.expires_at => {
                AllocationState::Used { at }
            }
            (AllocationState::Waiting, SmsEvent::Received { .. }) => {
                return Err(SmsError::MessageAfterExpiry {
                    id: self.id,
                    expires_at: self.expires_at,
                });
            }
            (AllocationState::Waiting, SmsEvent::Expire { at }) if at >= self.expires_at => {
                AllocationState::Expired {
                    at,
                    refund: self.price,
                }
            }
            (AllocationState::Waiting, SmsEvent::Expire { .. }) => {
                return Err(SmsError::NotYetExpired {
                    id: self.id,
                    expires_at: self.expires_at,
                });
            }
            (AllocationState::Used { .. }, SmsEvent::Received { .. }) => {
                return Err(SmsError::SecondMessage { id: self.id });
            }
            (state, event) => {
                return Err(SmsError::AlreadyEnded {
                    id: self.id,
                    state: state.name(),
                    event: event.name(),
                });
            }
        };
        Ok(Self {
            state,
            ..self.clone()
        })
    }

    /// How the allocation settles, once it has ended (R9.D1): used ones are not refunded,
    /// expired ones are refunded in full. `None` while it waits.
    #[must_use]
    pub fn settlement(&self) -> Option<Settlement> {
        let refund = match self.state {
            AllocationState::Waiting => return None,
            AllocationState::Used { .. } => Money::zero(self.price.currency()),
            AllocationState::Expired { refund, .. } => refund,
        };
        Some(Settlement {
            refund,
            rule: rule::R9_D1,
        })
    }

    /// The allocation's id.
    #[must_use]
    pub const fn id(&self) -> SmsAllocationId {
        self.id
    }

    /// Who it is for.
    #[must_use]
    pub const fn customer(&self) -> CustomerId {
        self.customer
    }

    /// The service the code is for.
    #[must_use]
    pub const fn service(&self) -> &Service {
        &self.service
    }

    /// The number lent.
    #[must_use]
    pub const fn number(&self) -> &PhoneNumber {
        &self.number
    }

    /// What the customer paid.
    #[must_use]
    pub const fn price(&self) -> Money {
        self.price
    }

    /// When it was allocated.
    #[must_use]
    pub const fn allocated_at(&self) -> DateTime<Utc> {
        self.allocated_at
    }

    /// When it expires unused.
    #[must_use]
    pub const fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// Where it stands.
    #[must_use]
    pub const fn state(&self) -> AllocationState {
        self.state
    }
}
