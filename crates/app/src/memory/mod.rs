//! Hand-written in-memory implementations of every port, for tests and examples.
//!
//! They keep their data in process memory and are as strict as the real adapters about
//! the invariants the ports document, so a use case tested against them behaves the same
//! on a database.

mod calls;
mod companies;
mod events;
mod holds;
mod payments;
mod rates;
mod sales;
mod sms;
mod store;
mod trials;
mod waitlist;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use vnum_core::PhoneNumber;

use crate::ports::{
    CarrierError, CarrierGateway, Clock, MediaError, MediaStore, MediaUsage, Notifier, NotifyError,
    ProvisioningRequest, ProvisioningTicket, SipEngine, SipEngineError,
};

pub use store::InMemoryStore;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A clock that moves only when told to.
#[derive(Clone, Debug)]
pub struct ManualClock {
    now: Arc<Mutex<DateTime<Utc>>>,
}

impl ManualClock {
    /// A clock showing `now`.
    #[must_use]
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            now: Arc::new(Mutex::new(now)),
        }
    }

    /// Moves the clock to `now`.
    pub fn set(&self, now: DateTime<Utc>) {
        *lock(&self.now) = now;
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut now = lock(&self.now);
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *lock(&self.now)
    }
}

/// A notifier that keeps every event it was asked to email, to read back.
#[derive(Clone, Debug, Default)]
pub struct Outbox {
    sent: Arc<Mutex<Vec<crate::model::Event>>>,
}

impl Outbox {
    /// An empty outbox.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Every event emailed so far, oldest first (an event emailed twice is here twice).
    #[must_use]
    pub fn sent(&self) -> Vec<crate::model::Event> {
        lock(&self.sent).clone()
    }
}

#[async_trait]
impl Notifier for Outbox {
    async fn notify(&self, event: &crate::model::Event) -> Result<(), NotifyError> {
        lock(&self.sent).push(event.clone());
        Ok(())
    }
}

/// A carrier that hands out numbers from pools per country, at once or later.
#[derive(Clone, Debug, Default)]
pub struct FakeCarrier {
    inner: Arc<Mutex<FakeCarrierState>>,
}

#[derive(Debug, Default)]
struct FakeCarrierState {
    pools: BTreeMap<String, VecDeque<PhoneNumber>>,
    requests: Vec<ProvisioningRequest>,
    released: Vec<PhoneNumber>,
    instant: bool,
}

impl FakeCarrier {
    /// A carrier whose tickets leave the number to be assigned later.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes the carrier assign a number in its answer (instant provisioning, R2.1).
    pub fn set_instant(&self, instant: bool) {
        lock(&self.inner).instant = instant;
    }

    /// Adds numbers to the country-wide pool of their country (mobile, toll-free).
    pub fn stock<I: IntoIterator<Item = PhoneNumber>>(&self, numbers: I) {
        self.stock_in(None, numbers);
    }

    /// Adds numbers to the pool of their country and `city` (geographic numbers, R1.2).
    pub fn stock_in<I: IntoIterator<Item = PhoneNumber>>(&self, city: Option<&str>, numbers: I) {
        let mut inner = lock(&self.inner);
        for number in numbers {
            let key = pool_key(&number.country().to_string(), city);
            inner.pools.entry(key).or_default().push_back(number);
        }
    }

    /// Takes the next number of a country's pool, as the carrier does when it completes.
    #[must_use]
    pub fn take(&self, country: &str) -> Option<PhoneNumber> {
        lock(&self.inner).pools.get_mut(country)?.pop_front()
    }

    /// Every request received, oldest first.
    #[must_use]
    pub fn requests(&self) -> Vec<ProvisioningRequest> {
        lock(&self.inner).requests.clone()
    }

    /// Every number released, oldest first.
    #[must_use]
    pub fn released(&self) -> Vec<PhoneNumber> {
        lock(&self.inner).released.clone()
    }
}

#[async_trait]
impl CarrierGateway for FakeCarrier {
    async fn request_number(
        &self,
        request: ProvisioningRequest,
    ) -> Result<ProvisioningTicket, CarrierError> {
        let mut inner = lock(&self.inner);
        let reference = format!("FAKE-{}", inner.requests.len() + 1);
        let assigned = if inner.instant {
            let key = pool_key(&request.country.to_string(), request.city.as_deref());
            let pool = inner.pools.entry(key).or_default();
            match &request.wanted {
                Some(wanted) => {
                    pool.retain(|n| n != wanted);
                    Some(wanted.clone())
                }
                None => Some(pool.pop_front().ok_or(CarrierError::OutOfStock)?),
            }
        } else {
            None
        };
        inner.requests.push(request);
        Ok(ProvisioningTicket {
            reference,
            assigned,
        })
    }

    async fn release_number(&self, number: &PhoneNumber) -> Result<(), CarrierError> {
        lock(&self.inner).released.push(number.clone());
        Ok(())
    }
}

fn pool_key(country: &str, city: Option<&str>) -> String {
    match city {
        Some(city) => format!("{country}/{}", city.to_lowercase()),
        None => country.to_owned(),
    }
}

/// What the recording SIP engine was told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SipCommand {
    /// An account was created or updated.
    Upsert {
        /// The login.
        login: String,
        /// The realm.
        realm: String,
        /// The digest HA1.
        ha1: String,
    },
    /// An account was removed.
    Remove {
        /// The login.
        login: String,
    },
    /// A number's routing changed.
    RoutingChanged(PhoneNumber),
}

/// A SIP engine that records what it was told.
#[derive(Clone, Debug, Default)]
pub struct RecordingSipEngine {
    commands: Arc<Mutex<Vec<SipCommand>>>,
}

impl RecordingSipEngine {
    /// An engine that was told nothing yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Everything it was told, oldest first.
    #[must_use]
    pub fn commands(&self) -> Vec<SipCommand> {
        lock(&self.commands).clone()
    }
}

#[async_trait]
impl SipEngine for RecordingSipEngine {
    async fn upsert_account(
        &self,
        login: &str,
        realm: &str,
        ha1: &str,
    ) -> Result<(), SipEngineError> {
        lock(&self.commands).push(SipCommand::Upsert {
            login: login.to_owned(),
            realm: realm.to_owned(),
            ha1: ha1.to_owned(),
        });
        Ok(())
    }

    async fn remove_account(&self, login: &str, _realm: &str) -> Result<(), SipEngineError> {
        lock(&self.commands).push(SipCommand::Remove {
            login: login.to_owned(),
        });
        Ok(())
    }

    async fn routing_changed(&self, number: &PhoneNumber) -> Result<(), SipEngineError> {
        lock(&self.commands).push(SipCommand::RoutingChanged(number.clone()));
        Ok(())
    }
}

/// An audio converter for deployments that convert nothing: every request to convert a
/// greeting is refused, saying what to upload instead (R13.D2).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoConversion;

#[async_trait]
impl crate::ports::AudioConverter for NoConversion {
    async fn to_greeting(
        &self,
        _bytes: Vec<u8>,
    ) -> Result<crate::ports::ConvertedAudio, crate::ports::ConversionError> {
        Err(crate::ports::ConversionError::Unavailable)
    }
}

/// Media files in a map.
#[derive(Clone, Debug, Default)]
pub struct InMemoryMedia {
    files: Arc<Mutex<BTreeMap<String, Vec<u8>>>>,
}

impl InMemoryMedia {
    /// No files.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl MediaStore for InMemoryMedia {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), MediaError> {
        lock(&self.files).insert(key.to_owned(), bytes);
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, MediaError> {
        lock(&self.files)
            .get(key)
            .cloned()
            .ok_or_else(|| MediaError::NotFound(key.to_owned()))
    }

    async fn usage(&self, prefix: &str) -> Result<MediaUsage, MediaError> {
        let folder = format!("{}/", prefix.trim_end_matches('/'));
        Ok(lock(&self.files)
            .iter()
            .filter(|(key, _)| key.starts_with(&folder))
            .fold(MediaUsage::default(), |usage, (_, bytes)| MediaUsage {
                files: usage.files + 1,
                bytes: usage.bytes + bytes.len() as u64,
            }))
    }
}
