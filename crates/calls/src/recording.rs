//! Professional voice recordings as orders with a status (R13.3, R13.D3): ordered and paid
//! in advance, then delivered (the recording becomes one of the number's greetings) or
//! cancelled with the price refunded. Each order ends once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vnum_core::rule::{self, RuleId};
use vnum_core::{GreetingId, Money};

use crate::VoiceRecordingOrder;

/// Where a recording order stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RecordingStatus {
    /// Paid, waiting for the provider's recording.
    Ordered,
    /// The recording was delivered: it is the number's greeting `greeting`.
    Delivered {
        /// The greeting it became.
        greeting: GreetingId,
        /// When.
        at: DateTime<Utc>,
    },
    /// The provider cancelled the order and refunded its price.
    Cancelled {
        /// Why, as the customer is told.
        reason: String,
        /// What went back to the balance: the whole price.
        refund: Money,
        /// When.
        at: DateTime<Utc>,
    },
}

/// An order that cannot take the step asked of it: it ended already (R13.D3).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RecordingError {
    /// The order was delivered or cancelled before.
    #[error(
        "the recording order ended already ({status}): an order is delivered or cancelled once"
    )]
    Ended {
        /// `delivered` or `cancelled`.
        status: &'static str,
    },
    /// The order's number was deleted: the recording has no number to greet on.
    #[error("the number of this recording order was deleted: cancel the order to refund it")]
    NumberDeleted,
    /// A cancellation without a reason.
    #[error("a cancellation needs a reason of 1 to {max} characters, which the customer is told")]
    Reason {
        /// The longest reason.
        max: usize,
    },
}

impl vnum_core::rule::RuleError for RecordingError {
    fn rule(&self) -> RuleId {
        rule::R13_D3
    }
}

/// A professional recording ordered for a number: what to record, in which voice, at what
/// price, and where it stands (R13.D3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordingOrder {
    /// The text, voice and price.
    pub order: VoiceRecordingOrder,
    /// When it was ordered and paid.
    pub ordered_at: DateTime<Utc>,
    /// Ordered, delivered or cancelled.
    pub status: RecordingStatus,
}

impl RecordingOrder {
    /// The longest cancellation reason.
    pub const MAX_REASON_CHARS: usize = 500;

    /// A new order, paid at `at`.
    #[must_use]
    pub const fn new(order: VoiceRecordingOrder, at: DateTime<Utc>) -> Self {
        Self {
            order,
            ordered_at: at,
            status: RecordingStatus::Ordered,
        }
    }

    /// Whether it still waits for its recording.
    #[must_use]
    pub const fn is_open(&self) -> bool {
        matches!(self.status, RecordingStatus::Ordered)
    }

    /// The order delivered as the greeting `greeting` at `at`.
    ///
    /// # Errors
    /// [`RecordingError::Ended`] when it was delivered or cancelled before.
    pub fn deliver(&self, greeting: GreetingId, at: DateTime<Utc>) -> Result<Self, RecordingError> {
        self.open()?;
        Ok(Self {
            status: RecordingStatus::Delivered { greeting, at },
            ..self.clone()
        })
    }

    /// The order cancelled at `at` for `reason`, its whole price refunded: nothing was
    /// delivered for it.
    ///
    /// # Errors
    /// [`RecordingError::Ended`] when it was delivered or cancelled before;
    /// [`RecordingError::Reason`] for a blank or overlong reason.
    pub fn cancel(&self, reason: &str, at: DateTime<Utc>) -> Result<Self, RecordingError> {
        self.open()?;
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > Self::MAX_REASON_CHARS {
            return Err(RecordingError::Reason {
                max: Self::MAX_REASON_CHARS,
            });
        }
        Ok(Self {
            status: RecordingStatus::Cancelled {
                reason: reason.to_owned(),
                refund: self.order.price(),
                at,
            },
            ..self.clone()
        })
    }

    fn open(&self) -> Result<(), RecordingError> {
        match self.status {
            RecordingStatus::Ordered => Ok(()),
            RecordingStatus::Delivered { .. } => Err(RecordingError::Ended {
                status: "delivered",
            }),
            RecordingStatus::Cancelled { .. } => Err(RecordingError::Ended {
                status: "cancelled",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;
    use vnum_core::rule::RuleError as _;
    use vnum_testkit::eur;

    use super::*;
    use crate::Voice;

    fn order() -> RecordingOrder {
        let price = eur("25.00");
        let paid = VoiceRecordingOrder::new("Welcome to Acme.", Voice::Female, price).unwrap();
        RecordingOrder::new(paid, Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap())
    }

    #[test]
    fn r13_d3_an_order_is_delivered_once_as_a_greeting() {
        let at = Utc.with_ymd_and_hms(2026, 3, 4, 9, 0, 0).unwrap();
        let ordered = order();
        assert!(ordered.is_open());
        let delivered = ordered.deliver(GreetingId(3), at).unwrap();
        assert_eq!(
            delivered.status,
            RecordingStatus::Delivered {
                greeting: GreetingId(3),
                at
            }
        );
        assert!(!delivered.is_open());
        for again in [
            delivered.deliver(GreetingId(4), at),
            delivered.cancel("late", at),
        ] {
            let error = again.unwrap_err();
            assert_eq!(
                error,
                RecordingError::Ended {
                    status: "delivered"
                }
            );
            assert_eq!(error.rule(), rule::R13_D3);
        }
    }

    #[test]
    fn r13_d3_a_cancelled_order_refunds_its_whole_price_once_and_says_why() {
        let at = Utc.with_ymd_and_hms(2026, 3, 4, 9, 0, 0).unwrap();
        let ordered = order();
        assert_eq!(
            ordered.cancel("  ", at),
            Err(RecordingError::Reason {
                max: RecordingOrder::MAX_REASON_CHARS
            })
        );
        assert!(ordered.cancel(&"x".repeat(501), at).is_err());
        let cancelled = ordered.cancel(" The text is not speakable. ", at).unwrap();
        let RecordingStatus::Cancelled { reason, refund, .. } = &cancelled.status else {
            panic!("{cancelled:?}");
        };
        assert_eq!(reason, "The text is not speakable.");
        assert_eq!(*refund, ordered.order.price());
        assert_eq!(
            cancelled.deliver(GreetingId(1), at),
            Err(RecordingError::Ended {
                status: "cancelled"
            })
        );
        assert!(cancelled.cancel("again", at).is_err());
    }
}
