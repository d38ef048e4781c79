//! The ports this server plugs in: storage, the real clock, and logging stand-ins for the
//! outside services an example has no account with.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use vnum_app::Ports;
use anyhow::Context as _;
use vnum_app::memory::{FakeCarrier, InMemoryMedia, RecordingSipEngine};
use vnum_app::ports::{Clock, Email, Notifier, NotifyError, Store};

/// Opens the store at `database_url`: a SQLite file (created on first start), an in-memory
/// SQLite database (`sqlite::memory:`, for tests), or PostgreSQL (`postgres://…`). The
/// migrations run before it is returned.
///
/// # Errors
/// When the database cannot be reached or migrated.
pub async fn open_store(database_url: &str) -> anyhow::Result<Arc<dyn Store>> {
    let store = vnum_storage::SeaOrmStore::connect(database_url)
        .await
        .with_context(|| format!("cannot open the database {database_url}"))?;
    tracing::info!(database = %redacted(database_url), "storage ready");
    Ok(Arc::new(store))
}

/// The URL without its password, for the log.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
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
