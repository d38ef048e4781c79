//! The use cases, one module per family; each is a method of [`crate::Vnum`].

mod auth;
mod balance;
mod companies;
mod customers;
mod documents;
mod events;
mod greetings;
mod holds;
mod media;
mod numbers;
mod offers;
mod orders;
mod payments;
mod rates;
mod renewals;
mod routing;
mod sip_accounts;
mod sms;
mod statistics;
mod trials;
mod waitlist;
mod webhooks;

pub use auth::{IssuedApiKey, MAX_KEY_NAME_CHARS, NewApiKey, token_sha256};
pub use balance::{BalanceView, PaymentMethod, ServiceState, TopUp, TopUpReceipt};
pub use companies::ClosingDocuments;
pub use customers::RegisterCustomer;
pub use documents::{MAX_DOCUMENT_BYTES, ReviewDecision};
pub use events::{DELIVERY_LEASE, EVENT_BATCH, EventDelivery, WEBHOOK_BATCH, event_retry_delay};
pub use greetings::{MAX_GREETING_BYTES, UploadedGreeting};
pub use numbers::{CarrierReceipt, Deletion, NumberView};
pub use offers::AlternativeOffer;
pub use orders::{OrderLineRequest, PlaceOrder, PlacedOrder};
pub use payments::{NotificationReceipt, ProviderNotification, StartPayment, StartedPayment};
pub use renewals::RenewalReport;
pub use routing::{CallOut, InboundRoute, OutboundDecision};
pub use sip_accounts::IssuedSipAccount;
pub use statistics::{
    CallStatsView, KindTotal, LedgerStats, NumberCallStats, RatedCall, RecordedCall,
};
pub use trials::TrialOutcome;
pub use waitlist::RestockOutcome;
pub use webhooks::{
    MAX_WEBHOOK_URL_CHARS, RegisterWebhook, RegisteredWebhook, WebhookOwner, WebhookRun,
    check_webhook_url, webhook_retry_delay,
};

/// Logs the failure of a port call whose change is committed already: an email, a push to
/// the SIP engine, a release to the carrier. The use case answers with what it did; the
/// failure is not lost, it is in the log with what was being done.
pub(crate) fn logged<E: std::fmt::Display>(result: Result<(), E>, what: &str) {
    if let Err(error) = result {
        tracing::warn!(%error, "{what} failed; the committed change stands");
    }
}
