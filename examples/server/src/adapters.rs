//! The ports this server plugs in: storage, the real clock, and logging stand-ins for the
//! outside services an example has no account with.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use vnum_app::Ports;
use vnum_app::memory::{FakeCarrier, InMemoryMedia, InMemoryStore, RecordingSipEngine};
use vnum_app::ports::{Clock, Email, Notifier, NotifyError, Store};

/// Opens the store at `database_url`.
///
/// Until the sea-orm adapter (`vnum-storage`) is wired here, data lives in process memory
/// and `database_url` is not used. Wiring it is: add `vnum-storage.workspace = true` to
/// this crate's dependencies and make the body
/// `Ok(Arc::new(vnum_storage::SeaOrmStore::connect(database_url).await?))`.
///
/// # Errors
/// When the store cannot be opened.
#[allow(clippy::unused_async)] // Opening a database is async; the stand-in is not.
pub async fn open_store(database_url: &str) -> anyhow::Result<Arc<dyn Store>> {
    tracing::warn!(
        database_url,
        "the SQL store is not wired yet: data lives in memory and is lost at exit"
    );
    Ok(Arc::new(InMemoryStore::new()))
}

/// The clock of the machine.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A notifier that writes each email to the log instead of sending it.
#[derive(Clone, Copy, Debug, Default)]
pub struct LogNotifier;

#[async_trait]
impl Notifier for LogNotifier {
    async fn send(&self, email: Email) -> Result<(), NotifyError> {
        tracing::info!(to = %email.to, subject = %email.subject, "email not sent: no SMTP configured");
        Ok(())
    }
}

/// The ports of the example server on `store`.
#[must_use]
pub fn ports(store: Arc<dyn Store>) -> Ports {
    Ports {
        store,
        clock: Arc::new(SystemClock),
        notifier: Arc::new(LogNotifier),
        carrier: Arc::new(FakeCarrier::new()),
        sip: Arc::new(RecordingSipEngine::new()),
        media: Arc::new(InMemoryMedia::new()),
    }
}
