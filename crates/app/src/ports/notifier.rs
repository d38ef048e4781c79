use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// An email to a customer: a connected number (R1.2), stock that arrived (R7.1), a
/// balance that went negative (R10.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    /// The recipient's address.
    pub to: String,
    /// One line.
    pub subject: String,
    /// Plain text.
    pub body: String,
}

/// The message could not be handed over.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the email to {to} could not be sent: {reason}")]
pub struct NotifyError {
    /// The recipient.
    pub to: String,
    /// What the mail system said.
    pub reason: String,
}

/// Sends emails to customers.
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Hands one email over for delivery.
    ///
    /// # Errors
    /// [`NotifyError`] when the message could not be accepted for delivery. Use cases treat
    /// a failed notification as non-fatal: the business change it reports is already
    /// committed.
    async fn send(&self, email: Email) -> Result<(), NotifyError>;
}
