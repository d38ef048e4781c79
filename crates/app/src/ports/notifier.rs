use async_trait::async_trait;

use crate::model::Event;

/// The message could not be handed over.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the email to {to} could not be sent: {reason}")]
pub struct NotifyError {
    /// The recipient.
    pub to: String,
    /// What the mail system said.
    pub reason: String,
}

/// Tells customers about events by email: a connected number (R1.2), stock that arrived
/// (R7.1), a balance that went negative (R10.4), … The adapter writes the message from
/// the event (its type and data) to the event's `email` address.
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Hands the email about `event` over for delivery. Called after the change the event
    /// reports was committed, by the outbox's worker, possibly more than once for one event
    /// (a retry after a failure or a crash): the event's id is the same every time.
    ///
    /// # Errors
    /// [`NotifyError`] when the message could not be accepted for delivery; the worker
    /// tries again later, with backoff.
    async fn notify(&self, event: &Event) -> Result<(), NotifyError>;
}
