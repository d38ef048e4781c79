//! The ports this server plugs in: storage, the real clock, and stand-ins for the outside
//! services an example has no account with (a demo carrier). Email is in `mail`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Context as _;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use vnum_app::Ports;
use vnum_app::memory::InMemoryMedia;
use vnum_app::ports::{
    CarrierError, CarrierGateway, Clock, MediaStore, Notifier, ProvisioningRequest,
    ProvisioningTicket, SipEngine, Store,
};
use vnum_core::{CarrierId, PhoneNumber};
use vnum_kamailio::KamailioRpc;
use vnum_storage::{ConnectOptions, ReadCache, SeaOrmStore};

/// Opens the store at `database_url`: a SQLite file (created on first start), an in-memory
/// SQLite database (`sqlite::memory:`, for tests), or PostgreSQL (`postgres://…`). The
/// migrations run before it is returned. `read_cache` turns the store's read cache on or
/// off; `None` turns it on: on SQLite the server then locks the file, and on PostgreSQL the
/// caches of every server on the database hear of each other's commits.
///
/// # Errors
/// When the database cannot be reached or migrated, or another process has the SQLite file
/// open with its read cache.
pub async fn open_store(
    database_url: &str,
    read_cache: Option<bool>,
    on_commit: Option<impl Fn() + Send + Sync + 'static>,
) -> anyhow::Result<Arc<dyn Store>> {
    // On unless turned off: on SQLite the server locks the file, on PostgreSQL every
    // server's cache hears of every commit (LISTEN/NOTIFY).
    let cache = match read_cache {
        Some(false) => ReadCache::Off,
        None | Some(true) => ReadCache::On {
            capacity: ReadCache::DEFAULT_CAPACITY,
        },
    };
    let options = ConnectOptions::new(SeaOrmStore::url_with_defaults(database_url));
    let store = SeaOrmStore::open(options, cache).await.with_context(|| {
        let mut message = format!("cannot open the database {}", redacted(database_url));
        if matches!(cache, ReadCache::On { .. }) {
            message.push_str(
                " (with the read cache on, a server must be the SQLite file's only user; \
                 to share it, set VNUM_READ_CACHE=false on every server that opens it)",
            );
        }
        message
    })?;
    tracing::info!(database = %redacted(database_url), read_cache = ?cache, "storage ready");
    Ok(match on_commit {
        Some(hook) => Arc::new(store.on_commit(hook)),
        None => Arc::new(store),
    })
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

/// The carrier of the demo catalogue that connects at once (R2.1); the others leave a
/// number provisioning until an operator reports the carrier's completion
/// (`POST /v1/numbers/{id}/connect`).
pub const INSTANT_CARRIER: CarrierId = CarrierId(1);

/// An in-process stand-in for the carriers: it holds pools of valid numbers per country
/// and city and assigns one at once when the carrier of the request connects instantly;
/// every other request is acknowledged and left for an operator to complete. Nothing
/// leaves the process.
pub struct DemoCarrier {
    /// Where rented numbers are looked up, so that a number someone rents is never handed
    /// out again, after a restart or from another server (R1.D3).
    store: Option<Arc<dyn Store>>,
    instant: BTreeSet<CarrierId>,
    pools: Mutex<BTreeMap<String, VecDeque<PhoneNumber>>>,
    requests: Mutex<u64>,
}

impl std::fmt::Debug for DemoCarrier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoCarrier")
            .field("skips_rented", &self.store.is_some())
            .field("instant", &self.instant)
            .finish_non_exhaustive()
    }
}

/// The pools of the demo carrier: country, city (for landline numbers) and the number
/// pattern, with `{}` standing for two digits.
const POOLS: &[(&str, Option<&str>, &str)] = &[
    ("DE", None, "+49151000000{}"),
    ("DE", Some("Berlin"), "+4930123456{}"),
    ("DE", Some("Munich"), "+4989123456{}"),
    ("AT", None, "+4366410000{}"),
    ("AT", Some("Vienna"), "+43151234{}"),
    ("GB", None, "+4474001234{}"),
    ("GB", Some("London"), "+4420794609{}"),
    ("US", Some("New York"), "+121255501{}"),
    ("NL", Some("Amsterdam"), "+312012345{}"),
    ("FR", None, "+336123456{}"),
    ("FR", Some("Paris"), "+331426853{}"),
];

fn pool_key(country: &str, city: Option<&str>) -> String {
    match city {
        Some(city) => format!("{country}/{}", city.to_lowercase()),
        None => country.to_owned(),
    }
}

impl DemoCarrier {
    /// A carrier whose `instant` carriers connect at once, with 50 numbers (`…00` to
    /// `…49`) in each pool of [`POOLS`].
    #[must_use]
    pub fn stocked(instant: impl IntoIterator<Item = CarrierId>) -> Self {
        let pools = POOLS
            .iter()
            .map(|(country, city, pattern)| {
                let numbers = (0..50)
                    .filter_map(|n| {
                        PhoneNumber::parse(&pattern.replace("{}", &format!("{n:02}"))).ok()
                    })
                    .collect();
                (pool_key(country, *city), numbers)
            })
            .collect();
        Self {
            store: None,
            instant: instant.into_iter().collect(),
            pools: Mutex::new(pools),
            requests: Mutex::new(0),
        }
    }

    /// The same carrier, skipping every number rented in `store`.
    #[must_use]
    pub fn skipping_rented_in(self, store: Arc<dyn Store>) -> Self {
        Self {
            store: Some(store),
            ..self
        }
    }

    /// The next number of the pool `key` that nobody rents.
    async fn next_free(&self, key: &str) -> Result<PhoneNumber, CarrierError> {
        loop {
            let candidate = {
                let mut pools = self.pools.lock().unwrap_or_else(PoisonError::into_inner);
                pools
                    .get_mut(key)
                    .and_then(VecDeque::pop_front)
                    .ok_or(CarrierError::OutOfStock)?
            };
            let Some(store) = &self.store else {
                return Ok(candidate);
            };
            let rented = async {
                let mut tx = store.read().await?;
                tx.number_by_e164(&candidate).await
            }
            .await
            .map_err(|e| CarrierError::Unavailable(e.to_string()))?;
            if rented.is_none() {
                return Ok(candidate);
            }
        }
    }
}

#[async_trait]
impl CarrierGateway for DemoCarrier {
    async fn request_number(
        &self,
        request: ProvisioningRequest,
    ) -> Result<ProvisioningTicket, CarrierError> {
        let reference = {
            let mut requests = self.requests.lock().unwrap_or_else(PoisonError::into_inner);
            *requests += 1;
            format!("DEMO-{requests}")
        };
        if !self.instant.contains(&request.carrier) {
            tracing::info!(%reference, number = %request.number, "carrier request left for an operator to complete");
            return Ok(ProvisioningTicket {
                reference,
                assigned: None,
            });
        }
        let assigned = match request.wanted {
            Some(wanted) => wanted,
            None => {
                self.next_free(&pool_key(
                    &request.country.to_string(),
                    request.city.as_deref(),
                ))
                .await?
            }
        };
        Ok(ProvisioningTicket {
            reference,
            assigned: Some(assigned),
        })
    }

    async fn release_number(&self, number: &PhoneNumber) -> Result<(), CarrierError> {
        tracing::info!(%number, "number returned to the demo carrier");
        Ok(())
    }
}

/// The ports of the example server on `store`, with the machine's clock, no SIP engine,
/// media files in memory and email to the log.
#[must_use]
pub fn ports(store: Arc<dyn Store>) -> Ports {
    ports_with(
        store,
        Arc::new(SystemClock),
        Arc::new(NoSipEngine),
        Arc::new(InMemoryMedia::new()),
        Arc::new(crate::mail::LogNotifier::default()),
    )
}

/// The SIP engine port of a server with no engine to push to: the engine asks for HA1s
/// and routes on every registration and call anyway, so nothing is kept, and each change
/// is only logged.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoSipEngine;

#[async_trait::async_trait]
impl vnum_app::ports::SipEngine for NoSipEngine {
    async fn upsert_account(
        &self,
        login: &str,
        realm: &str,
        _ha1: &str,
    ) -> Result<(), vnum_app::ports::SipEngineError> {
        tracing::debug!(
            login,
            realm,
            "SIP account changed (no engine RPC to push to)"
        );
        Ok(())
    }

    async fn remove_account(
        &self,
        login: &str,
        realm: &str,
    ) -> Result<(), vnum_app::ports::SipEngineError> {
        tracing::debug!(
            login,
            realm,
            "SIP account removed (no engine RPC to push to)"
        );
        Ok(())
    }

    async fn routing_changed(
        &self,
        number: &vnum_core::PhoneNumber,
    ) -> Result<(), vnum_app::ports::SipEngineError> {
        tracing::debug!(%number, "routing changed (no engine RPC to push to)");
        Ok(())
    }
}

/// Kamailio's JSON-RPC at `url`: the SIP engine port.
#[must_use]
pub fn kamailio(url: &str) -> Arc<KamailioRpc> {
    tracing::info!(%url, "SIP engine changes go to Kamailio's JSON-RPC");
    Arc::new(KamailioRpc::new(url))
}

/// A commit hook ([`SeaOrmStore::on_commit`]) that empties the engine's route table after
/// every committed change, from a task of its own: changes that come while it is emptied
/// are forgotten once more after, so none is missed, and many are forgotten at once. The
/// table is emptied once at start too (it may hold a previous run's decisions). An engine
/// that cannot be reached is tried again for a while; a Kamailio that restarts starts with
/// an empty table anyway. The task ends with the store.
///
/// Needs a Tokio runtime.
pub fn forget_engine_routes(engine: Arc<KamailioRpc>) -> impl Fn() + Send + Sync + 'static {
    let (changed, mut changes) = tokio::sync::mpsc::channel::<()>(1);
    let _ = changed.try_send(());
    tokio::spawn(async move {
        while changes.recv().await.is_some() {
            let mut delay = std::time::Duration::from_millis(20);
            while let Err(e) = engine.forget_routes().await {
                if delay > std::time::Duration::from_secs(5) {
                    tracing::warn!(error = %e, "the SIP engine's routes could not be forgotten; \
                        it keeps them for route_cache_seconds at most");
                    break;
                }
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
        }
    });
    move || {
        // A full channel holds a change that is not forgotten yet: this one goes with it.
        let _ = changed.try_send(());
    }
}

/// The ports of the example server on `store` and `clock` (tests pass a manual clock), with
/// `sip` as the SIP engine, `media` as the media store and `notifier` for email.
#[must_use]
pub fn ports_with(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    sip: Arc<dyn SipEngine>,
    media: Arc<dyn MediaStore>,
    notifier: Arc<dyn Notifier>,
) -> Ports {
    Ports {
        carrier: Arc::new(
            DemoCarrier::stocked([INSTANT_CARRIER]).skipping_rented_in(store.clone()),
        ),
        store,
        clock,
        notifier,
        sip,
        media,
        audio: Arc::new(vnum_audio::AudioConversion::default()),
    }
}

/// Opens the media store `place` names: a directory or an `s3://` URL
/// ([`vnum_media::ObjectMedia::open`]); `None` keeps files in process memory, for a
/// database that is in memory too.
///
/// # Errors
/// When the directory cannot be created or the URL is not one the store opens.
pub fn open_media(place: Option<&str>) -> anyhow::Result<Arc<dyn MediaStore>> {
    let Some(place) = place else {
        tracing::info!("media files in memory, like the database");
        return Ok(Arc::new(InMemoryMedia::new()));
    };
    let media = vnum_media::ObjectMedia::open(place).context("cannot open the media store")?;
    tracing::info!(media = media.place(), "media store ready");
    Ok(Arc::new(media))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pool_of_the_demo_carrier_holds_fifty_valid_numbers() {
        let carrier = DemoCarrier::stocked([INSTANT_CARRIER]);
        let pools = carrier.pools.lock().unwrap();
        assert_eq!(pools.len(), POOLS.len());
        for (key, numbers) in pools.iter() {
            assert_eq!(numbers.len(), 50, "{key}");
        }
    }

    #[tokio::test]
    async fn r2_1_the_instant_carrier_assigns_a_number_of_the_city_and_the_others_wait() {
        let carrier = DemoCarrier::stocked([INSTANT_CARRIER]);
        let request = |carrier| ProvisioningRequest {
            number: vnum_core::NumberId(1),
            carrier,
            offer: vnum_core::OfferId(1),
            country: vnum_core::CountryCode::parse("DE").unwrap(),
            city: Some("berlin".to_owned()),
            wanted: None,
        };
        let instant = carrier
            .request_number(request(INSTANT_CARRIER))
            .await
            .unwrap();
        let slow = carrier.request_number(request(CarrierId(3))).await.unwrap();
        assert_eq!(
            instant.assigned.map(|n| n.to_string()),
            Some("+493012345600".to_owned())
        );
        assert_eq!(slow.assigned, None);
    }

    #[tokio::test]
    async fn r1_d3_the_demo_carrier_never_hands_out_a_rented_number_after_a_restart() {
        use vnum_app::memory::InMemoryStore;
        use vnum_app::model::{Billing, NumberRecord, NumberSettings};

        // Before the restart, +493012345600 was handed out and is rented.
        let store = InMemoryStore::new();
        let rented = PhoneNumber::parse("+493012345600").unwrap();
        let mut tx = vnum_app::ports::Store::begin(&store).await.unwrap();
        let customer = tx
            .insert_customer(vnum_app::model::NewCustomer {
                name: "Ada".into(),
                email: "ada@example.com".into(),
                kind: vnum_app::model::CustomerKind::Person,
                currency: vnum_core::Currency::EUR,
                registered_at: chrono::Utc::now(),
            })
            .await
            .unwrap();
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 20).unwrap();
        tx.insert_number(NumberRecord {
            id: vnum_core::NumberId(0),
            customer: customer.id,
            offer: vnum_core::OfferId(1),
            country: vnum_core::CountryCode::parse("DE").unwrap(),
            state: vnum_lifecycle::NumberState::Active {
                number: rented.clone(),
                connected_on: day,
            },
            wanted: None,
            first_term: vnum_core::PrepaidTerm::OneMonth,
            end_user: vnum_compliance::EndUser::Personal,
            billing: Some(Billing {
                anchor_day: vnum_billing::ConnectionDay::of_day(day),
                connected_on: day,
                paid_through: day,
                monthly_fee: vnum_core::Money::zero(vnum_core::Currency::EUR),
                renewal_stopped_on: None,
            }),
            settings: NumberSettings::default(),
            first_charge: None,
            version: 0,
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let carrier = DemoCarrier::stocked([INSTANT_CARRIER]).skipping_rented_in(Arc::new(store));
        let ticket = carrier
            .request_number(ProvisioningRequest {
                number: vnum_core::NumberId(2),
                carrier: INSTANT_CARRIER,
                offer: vnum_core::OfferId(1),
                country: vnum_core::CountryCode::parse("DE").unwrap(),
                city: Some("Berlin".to_owned()),
                wanted: None,
            })
            .await
            .unwrap();
        assert_eq!(
            ticket.assigned.map(|n| n.to_string()),
            Some("+493012345601".to_owned())
        );
    }
}
