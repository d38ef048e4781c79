//! The ports: what the use cases need from the outside world, as small async traits.
//!
//! Each port is owned by this crate, the layer that calls it; adapters implement them with
//! real technology (sea-orm, SMTP, a carrier's API, Kamailio) and [`crate::memory`] with
//! plain data for tests and examples. Every method documents what an implementation must
//! return on failure.

mod audio;
mod calls;
mod carrier;
mod clock;
mod companies;
mod events;
mod holds;
mod media;
mod notifier;
mod payments;
mod rates;
mod sales;
mod sip;
mod sms;
pub mod store;
mod trials;
mod waitlist;

pub use audio::{AudioConverter, ConversionError, ConvertedAudio};
pub use carrier::{CarrierError, CarrierGateway, ProvisioningRequest, ProvisioningTicket};
pub use clock::Clock;
pub use events::{Outbox, WebhookClient, WebhookError, Webhooks};
pub use media::{MediaError, MediaStore, MediaUsage};
pub use notifier::{Notifier, NotifyError};
pub use sip::{SipEngine, SipEngineError};
pub use store::{Debit, Invariant, Store, StoreError, Transaction};
