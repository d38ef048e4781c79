//! The use cases of vnum, behind ports.
//!
//! `vnum-app` owns the application layer: [`Vnum`] runs each use case ("buy a number",
//! "run today's renewals", "route an inbound call") by calling the pure domain crates for
//! every decision and the [`ports`] for everything outside: storage behind a unit of work,
//! the clock, email, carriers, the SIP engine and the media store. [`memory`] has an
//! in-memory implementation of every port for tests and examples, and `testing` (feature
//! `test-support`) the application on them that test suites drive.
//!
//! It owns no business rule of its own (those live in the domain crates, named by rule id)
//! and no technology: it never names a database, an HTTP framework, a SIP engine or an
//! async runtime. Adapters plug technology into the ports.

pub mod memory;
pub mod model;
pub mod ports;
#[cfg(feature = "test-support")]
pub mod testing;

mod config;
mod error;
mod usecases;

pub use config::{Config, MediaQuota, WebhookPolicy};
pub use error::Error;
pub use usecases::*;

use std::sync::Arc;

use ports::{CarrierGateway, Clock, MediaStore, Notifier, SipEngine, Store};

/// The ports a [`Vnum`] runs on.
#[derive(Clone)]
pub struct Ports {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// Email to customers.
    pub notifier: Arc<dyn Notifier>,
    /// The carriers.
    pub carrier: Arc<dyn CarrierGateway>,
    /// The SIP engine.
    pub sip: Arc<dyn SipEngine>,
    /// Greeting files.
    pub media: Arc<dyn MediaStore>,
    /// Greetings of other formats, converted on request (R13.D2).
    pub audio: Arc<dyn ports::AudioConverter>,
}

/// The application: every use case, as a method. Cheap to clone and share between tasks.
#[derive(Clone)]
pub struct Vnum {
    ports: Ports,
    config: Arc<Config>,
}

impl Vnum {
    /// The application on `ports` with `config`.
    #[must_use]
    pub fn new(ports: Ports, config: Config) -> Self {
        Self {
            ports,
            config: Arc::new(config),
        }
    }

    /// The configuration it runs with.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Now, on the application's clock: what jobs and adapters schedule by, so that they
    /// and the use cases never read two clocks.
    #[must_use]
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.ports.clock.now()
    }

    /// The calendar day that contains `now` in the billing time zone (R10.D2).
    pub(crate) fn billing_day(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        now.with_timezone(&self.config.billing_time_zone)
            .date_naive()
    }
}
