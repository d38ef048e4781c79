//! The example vnum server: the HTTP API of `vnum-http` on the application of `vnum-app`.
//!
//! It owns process concerns only: settings from a TOML file and the environment, choosing
//! the adapters for each port, seeding demo data, the daily renewal run, listening and
//! graceful shutdown. The binary (`cargo run --release -p vnum-server`) and the end-to-end
//! tests start the server through the same [`start`].

pub mod adapters;
pub mod events;
pub mod fuzz_checks;
pub mod listen;
pub mod mail;
pub mod renewals;
pub mod seed;
pub mod settings;
pub mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use poem::{Endpoint, EndpointExt as _, Route, handler};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use vnum_app::Vnum;
use vnum_app::ports::Clock;

pub use seed::Demo;
pub use settings::Settings;

/// How long requests in flight may take to finish after shutdown was asked for.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The application on the adapters `settings` name.
///
/// # Errors
/// When the store cannot be opened.
pub async fn application(settings: &Settings) -> anyhow::Result<Vnum> {
    application_with(
        settings,
        Arc::new(adapters::SystemClock),
        events::Wake::new(),
    )
    .await
}

/// [`application`] on `clock` instead of the machine's, whose store's commits wake the
/// outbox's worker through `wake`.
///
/// # Errors
/// When the store cannot be opened, or the email settings or templates are unusable.
pub async fn application_with(
    settings: &Settings,
    clock: Arc<dyn Clock>,
    wake: events::Wake,
) -> anyhow::Result<Vnum> {
    let kamailio = settings.engine_rpc().as_deref().map(adapters::kamailio);
    // Kamailio keeps routing decisions; each committed change empties its table. Each also
    // may have written events, which the outbox's worker delivers.
    let forget_routes = kamailio.clone().map(adapters::forget_engine_routes);
    let on_commit = move || {
        wake.wake();
        if let Some(forget) = &forget_routes {
            forget();
        }
    };
    let store =
        adapters::open_store(&settings.database_url, settings.read_cache, Some(on_commit)).await?;
    let sip: Arc<dyn vnum_app::ports::SipEngine> = match kamailio {
        Some(engine) => engine,
        None => Arc::new(adapters::NoSipEngine),
    };
    let config = settings.load_app_config()?;
    let media = adapters::open_media(settings.media_place().as_deref())?;
    let templates = match &settings.email_templates_dir {
        Some(dir) => mail::Templates::load(dir)?,
        None => mail::Templates::default(),
    };
    let notifier: Arc<dyn vnum_app::ports::Notifier> = match settings.smtp() {
        Some(smtp) => {
            tracing::info!(host = %smtp.host, port = smtp.port, security = ?smtp.security,
                "email goes to the SMTP server");
            Arc::new(mail::SmtpNotifier::new(&smtp, templates)?)
        }
        None => {
            tracing::info!("email is written to the log: no SMTP server is set (smtp_host)");
            Arc::new(mail::LogNotifier::new(templates))
        }
    };
    let mut ports = adapters::ports_with(store, clock, sip, media, notifier);
    if let (Some(url), Some(secret)) = (&settings.carrier_url, &settings.carrier_secret) {
        tracing::info!(%url, "numbers are ordered from the carrier's service over HTTP");
        ports.carrier = Arc::new(vnum_carrier::HttpCarrier::new(
            url,
            secret.expose(),
            settings.carrier_callback_url(),
        ));
    }
    Ok(Vnum::new(ports, config))
}

/// Creates an operator key named `name` on the database `settings` name (migrating it
/// first, as a start does) and returns its bearer token: the way back in for an operator
/// who lost every key. On a SQLite file that a server with the read cache is running on,
/// the file is locked: stop the server first.
///
/// # Errors
/// When the store cannot be opened or the name is empty or too long.
pub async fn create_operator_key(settings: &Settings, name: &str) -> anyhow::Result<String> {
    let vnum = application(settings).await?;
    let issued = vnum
        .create_api_key(vnum_app::NewApiKey {
            principal: vnum_app::model::Principal::Operator,
            name: name.to_owned(),
            expires_at: None,
        })
        .await
        .context("cannot create the operator key")?;
    tracing::info!(key = issued.key.id.get(), name, "operator key created");
    Ok(issued.token)
}

/// Everything the server answers: the API and, when asked for, the bare bench handler.
pub fn routes(vnum: Vnum, settings: &Settings) -> impl Endpoint + 'static {
    let options = vnum_http::Options {
        self_registration: settings.self_registration,
        payment_webhook_secret: settings.payment_webhook_secret.clone(),
        carrier_secret: settings.carrier_secret.clone(),
        route_cache: settings.route_cache(),
        rate_limits: settings.rate_limits(),
    };
    let route = Route::new().nest("/", vnum_http::api_with(vnum, options));
    if settings.bench_endpoint {
        route.at("/bench/bare", bare)
    } else {
        route
    }
}

/// The baseline of the load bench: a poem handler with no middleware and no I/O.
#[handler]
fn bare() -> &'static str {
    "hello"
}

/// A server that runs until [`Running::stop`].
pub struct Running {
    /// The address it listens on (with port 0 in the settings, the port the system chose).
    pub addr: SocketAddr,
    /// The demo keys, when this start seeded the demo.
    pub demo: Option<Demo>,
    /// The application the server serves, for jobs and tests beside the API.
    pub vnum: Vnum,
    stop: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
    renewals: JoinHandle<()>,
    events: JoinHandle<()>,
    engine: Option<vnum_kamailio::Kamailio>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("addr", &self.addr)
            .field("demo", &self.demo)
            .finish_non_exhaustive()
    }
}

impl Running {
    /// The application the server runs: the use cases on the same store the API uses, for
    /// embedding programs and end-to-end tests that set up what no endpoint does (a
    /// carrier connecting a number, stock arriving).
    #[must_use]
    pub fn application(&self) -> &Vnum {
        &self.vnum
    }

    /// The SIP engine this server started (`sip_enabled`), for its address and log.
    #[must_use]
    pub fn engine(&self) -> Option<&vnum_kamailio::Kamailio> {
        self.engine.as_ref()
    }

    /// Stops accepting connections, lets requests in flight finish and stops the renewals,
    /// the outbox's worker and the SIP engine it started.
    ///
    /// # Errors
    /// When the server failed while running.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.renewals.abort();
        // Deliveries under way are claimed under a lease: the next start delivers them.
        self.events.abort();
        if let Some(engine) = self.engine {
            // Kamailio keeps the records it has not posted in its spool, then stops.
            tokio::task::spawn_blocking(move || engine.stop())
                .await
                .context("stopping the SIP engine panicked")?;
            tracing::info!("SIP engine stopped");
        }
        // The server may have stopped already; then the receiver is gone and that is fine.
        let _ = self.stop.send(());
        self.server.await.context("the server task panicked")??;
        Ok(())
    }
}

/// Builds the application, seeds the demo if asked, binds `settings.listen` and serves
/// until [`Running::stop`]; the daily renewal run and the outbox's worker start beside it.
///
/// # Errors
/// When the store cannot be opened, seeding fails or the address cannot be bound.
pub async fn start(settings: &Settings) -> anyhow::Result<Running> {
    start_with(settings, Arc::new(adapters::SystemClock)).await
}

/// [`start`] with the application on `clock`: tests pass a
/// [`vnum_app::memory::ManualClock`] to move days and months forward.
///
/// # Errors
/// When the store cannot be opened, seeding fails or the address cannot be bound.
pub async fn start_with(settings: &Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Running> {
    let wake = events::Wake::new();
    let vnum = application_with(settings, clock, wake.clone()).await?;
    let demo = if settings.seed_demo {
        // Servers starting together on one database seed it once: the others wait here,
        // then find the demo and the catalogue there.
        let once = vnum_storage::StartUpLock::acquire(
            &vnum_storage::SeaOrmStore::url_with_defaults(&settings.database_url),
        )
        .await
        .context("cannot take the start-up lock of the database")?;
        if settings.seed_catalogue {
            seed::seed_catalogue(&vnum)
                .await
                .context("seeding the demo catalogue failed")?;
        }
        let demo = seed::seed_demo(&vnum)
            .await
            .context("seeding the demo data failed")?;
        once.release()
            .await
            .context("cannot release the start-up lock of the database")?;
        demo
    } else {
        None
    };
    let webhooks = webhooks::HttpWebhooks::new(
        settings.webhook_private_targets,
        Duration::from_secs(u64::from(settings.webhook_timeout_seconds)),
    )?;
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let addr = listener.local_addr().unwrap_or(settings.listen);
    let (stop, stopped) = oneshot::channel::<()>();
    let server = listen::serve(
        listener,
        routes(vnum.clone(), settings).map_to_response(),
        settings.connection_limits(),
        async {
            let _ = stopped.await;
        },
        SHUTDOWN_GRACE,
    );
    let server = tokio::spawn(server);
    let renewals = tokio::spawn(renewals::run_jobs(vnum.clone()));
    let events = tokio::spawn(events::run(
        vnum.clone(),
        wake,
        Arc::new(webhooks),
        Duration::from_secs(u64::from(settings.outbox_poll_seconds)),
    ));
    tracing::info!(%addr, "listening");
    let engine = if settings.sip_enabled {
        match start_engine(&vnum, settings, addr).await {
            Ok(engine) => Some(engine),
            Err(error) => {
                renewals.abort();
                events.abort();
                let _ = stop.send(());
                let _ = server.await;
                return Err(error);
            }
        }
    } else {
        None
    };
    Ok(Running {
        addr,
        demo,
        vnum,
        stop,
        server,
        renewals,
        events,
        engine,
    })
}

/// The name of the engine key a server makes for the Kamailio it starts; the key of the
/// previous start is revoked when a new one is made.
pub const ENGINE_KEY_NAME: &str = "SIP engine started by vnum-server";

/// Starts Kamailio with vnum's configuration for the API at `addr`, with an engine key
/// of its own (the one of a previous start is revoked).
async fn start_engine(
    vnum: &Vnum,
    settings: &Settings,
    addr: SocketAddr,
) -> anyhow::Result<vnum_kamailio::Kamailio> {
    if vnum_kamailio::Kamailio::binary().is_none() {
        anyhow::bail!(
            "sip_enabled is true but Kamailio is not installed: on Debian or Ubuntu, \
             `apt-get install kamailio kamailio-utils-modules kamailio-extra-modules` (5.6 or \
             later; see adapters/kamailio/README.md), or set VNUM_KAMAILIO to its binary"
        );
    }
    for key in vnum.api_keys(None).await? {
        if key.name == ENGINE_KEY_NAME
            && key.principal == vnum_app::model::Principal::Engine
            && key.revoked_at.is_none()
        {
            vnum.revoke_api_key(key.id, None).await?;
        }
    }
    let issued = vnum
        .create_api_key(vnum_app::NewApiKey {
            principal: vnum_app::model::Principal::Engine,
            name: ENGINE_KEY_NAME.to_owned(),
            expires_at: None,
        })
        .await
        .context("cannot create the SIP engine's key")?;
    // Kamailio reaches the API on loopback when the server listens on every address.
    let host = if addr.ip().is_unspecified() {
        SocketAddr::new(
            if addr.is_ipv4() {
                std::net::Ipv4Addr::LOCALHOST.into()
            } else {
                std::net::Ipv6Addr::LOCALHOST.into()
            },
            addr.port(),
        )
    } else {
        addr
    };
    let engine_settings = settings.engine_settings(&format!("http://{host}"), &issued.token);
    if let Some(spool) = &engine_settings.spool {
        std::fs::create_dir_all(spool)
            .with_context(|| format!("cannot create the SIP spool {}", spool.display()))?;
    }
    let engine = tokio::task::spawn_blocking(move || {
        vnum_kamailio::Kamailio::start(&engine_settings).map(|engine| (engine, engine_settings))
    })
    .await
    .context("starting the SIP engine panicked")?
    .context("the SIP engine did not start")?;
    let (engine, engine_settings) = engine;
    tracing::info!(
        sip = %engine.listen(),
        rpc = %engine_settings.rpc_url(),
        "SIP engine (Kamailio) started"
    );
    Ok(engine)
}
