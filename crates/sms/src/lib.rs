//! One-shot SMS numbers: a number lent to receive exactly one verification code for one
//! service (R9).
//!
//! `vnum-sms` owns the [`Service`] a code is for, the [`SmsPool`] of numbers that can receive
//! codes for one service (R9.2: a number once issued for a service is never issued for it
//! again) and the [`SmsAllocation`] state machine: waiting → used at the first SMS (not
//! refunded) or expired unused (refunded), R9.D1. A second SMS is refused (R9.1).
//!
//! It does not price allocations, touch the balance or deliver messages: the application
//! charges the price it passes in, credits the refund a [`Settlement`] names, and forwards
//! the code. Monthly numbers for customers who need more than one SMS (R9.3) are ordinary
//! offers of `vnum-lifecycle`. The crate does no I/O and reads no clock.

mod allocation;
pub mod fuzz_checks;
mod pool;

pub use allocation::{AllocationState, Settlement, SmsAllocation, SmsEvent};
pub use pool::{Service, SmsPool};

use chrono::{DateTime, Utc};
use vnum_core::rule::{self, RuleId};
use vnum_core::{PhoneNumber, SmsAllocationId};

/// What went wrong with a one-shot SMS number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsError {
    /// A service name that is blank.
    #[error("the service name is empty: expected a service such as telegram")]
    BlankService,
    /// No number left that was never issued for the service (R9.2).
    #[error("no number is free for {service} right now: try again later")]
    PoolEmpty {
        /// The service.
        service: Service,
    },
    /// A number already issued for the service cannot come back to its pool (R9.2).
    #[error("{number} was already issued for {service} and is never issued for it again")]
    AlreadyIssued {
        /// The number.
        number: PhoneNumber,
        /// The service.
        service: Service,
    },
    /// The number is in the pool already.
    #[error("{number} is already in the pool for {service}")]
    AlreadyInPool {
        /// The number.
        number: PhoneNumber,
        /// The service.
        service: Service,
    },
    /// An allocation must last some time.
    #[error("an allocation must last longer than zero")]
    NonPositiveLifetime,
    /// A second SMS on a number that already received its one (R9.1).
    #[error("allocation {id} already received its one SMS: buy a monthly number to receive more")]
    SecondMessage {
        /// The allocation.
        id: SmsAllocationId,
    },
    /// An SMS arriving at or after the allocation's expiry (R9.D1).
    #[error("allocation {id} expired at {expires_at}: the SMS came too late")]
    MessageAfterExpiry {
        /// The allocation.
        id: SmsAllocationId,
        /// When it expired.
        expires_at: DateTime<Utc>,
    },
    /// Expiring an allocation before its time (R9.D1).
    #[error("allocation {id} runs until {expires_at} and cannot expire earlier")]
    NotYetExpired {
        /// The allocation.
        id: SmsAllocationId,
        /// When it expires.
        expires_at: DateTime<Utc>,
    },
    /// An event on an allocation that has already ended.
    #[error("cannot {event} allocation {id}: it is already {state}")]
    AlreadyEnded {
        /// The allocation.
        id: SmsAllocationId,
        /// Its state, unchanged.
        state: &'static str,
        /// The refused event.
        event: &'static str,
    },
}

impl SmsError {
    /// The rule that refused.
    #[must_use]
    pub const fn rule(&self) -> RuleId {
        match self {
            Self::BlankService | Self::SecondMessage { .. } => rule::R9_1,
            Self::PoolEmpty { .. } | Self::AlreadyIssued { .. } | Self::AlreadyInPool { .. } => {
                rule::R9_2
            }
            Self::NonPositiveLifetime
            | Self::MessageAfterExpiry { .. }
            | Self::NotYetExpired { .. }
            | Self::AlreadyEnded { .. } => rule::R9_D1,
        }
    }
}

impl vnum_core::rule::RuleError for SmsError {
    fn rule(&self) -> vnum_core::RuleId {
        SmsError::rule(self)
    }
}
