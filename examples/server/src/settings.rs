//! How the server is configured: defaults, then a TOML file, then environment variables.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Deserialize;
use vnum_calls::VoiceRecordingPrices;
use vnum_core::{CountryCode, Currency, PriceList};
use vnum_discounts::{Percent, TermTiers};
use vnum_kamailio::EngineSettings;
use vnum_lifecycle::HolidayCalendar;

/// Everything the server reads at start. See `examples/server/README.md` for each key.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The address to listen on (`VNUM_LISTEN`).
    pub listen: SocketAddr,
    /// Where the data lives (`DATABASE_URL`).
    pub database_url: String,
    /// Calendar days, connection days and charge days are days here (`VNUM_BILLING_TIME_ZONE`,
    /// R10.D2).
    pub billing_time_zone: Tz,
    /// The SIP domain and digest realm of SIP accounts (`VNUM_SIP_DOMAIN`, R5.1).
    pub sip_domain: String,
    /// The SIP host that calls to the phone network go through (`VNUM_SIP_GATEWAY`): calls
    /// forwarded to phone numbers are sent there (R5.2), and no forwarding target may point
    /// at it (R5 Decision).
    pub sip_gateway: String,
    /// Whether forwarding targets may be loopback, private or link-local addresses
    /// (`VNUM_PRIVATE_FORWARDING`, R5 Decision); off unless the customers' servers share one
    /// network with the SIP engine.
    pub private_forwarding: bool,
    /// Numbers charged per renewal unit of work (`VNUM_RENEWAL_BATCH_SIZE`).
    pub renewal_batch_size: u64,
    /// The largest single payment, in the major unit of the account's currency
    /// (`VNUM_MAX_PAYMENT`, R10.D6).
    pub max_payment: rust_decimal::Decimal,
    /// Seed an operator key and a demo customer on first start (`VNUM_SEED_DEMO`).
    pub seed_demo: bool,
    /// With `seed_demo`, also seed the demo catalogue when the store has no offer
    /// (`VNUM_SEED_CATALOGUE`).
    pub seed_catalogue: bool,
    /// Let anyone register as a customer with `POST /v1/signup` (`VNUM_SELF_REGISTRATION`).
    pub self_registration: bool,
    /// Answer read-only requests from memory where it can (`VNUM_READ_CACHE`). Unset, it
    /// is on: on SQLite this process then locks the file; on PostgreSQL every commit of
    /// any server empties every server's cache (LISTEN/NOTIFY), milliseconds later.
    pub read_cache: Option<bool>,
    /// Serve `GET /bench/bare`, a bare poem handler the load bench compares against
    /// (`VNUM_BENCH_ENDPOINT`).
    pub bench_endpoint: bool,
    /// The secret the payment provider signs its notifications with
    /// (`VNUM_PAYMENT_WEBHOOK_SECRET`, R1.D1); unset, notifications are refused with 503.
    pub payment_webhook_secret: Option<vnum_http::WebhookSecret>,
    /// The JSON-RPC URL of the Kamailio SIP engine, such as `http://127.0.0.1:5065/RPC`
    /// (`VNUM_SIP_ENGINE_RPC`): a reset SIP password drops the account's registrations
    /// there. Unset, changes stay in this process (the engine asks for HA1s and routes
    /// anyway).
    pub sip_engine_rpc: Option<String>,
    /// How long Kamailio may keep a number's routing decision, in seconds
    /// (`VNUM_ROUTE_CACHE_SECONDS`, default 300). Used only with `sip_engine_rpc`, through
    /// which the server empties the engine's route table after every committed change:
    /// without it the engine asks for every call.
    pub route_cache_seconds: u32,
    /// How long a client has to send a request's headers, in seconds
    /// (`VNUM_HEADER_TIMEOUT_SECONDS`); a kept-alive connection that sends no request for as
    /// long is closed too.
    pub header_timeout_seconds: u32,
    /// How long a connection may send and read nothing while a body or an answer is under
    /// way, in seconds (`VNUM_IDLE_TIMEOUT_SECONDS`).
    pub idle_timeout_seconds: u32,
    /// How many connections are served at once (`VNUM_MAX_CONNECTIONS`); more wait until
    /// one closes.
    pub max_connections: u32,
    /// Requests a minute per API key (`VNUM_RATE_LIMIT_PER_MINUTE`); `0` is no limit.
    pub rate_limit_per_minute: u32,
    /// Requests a minute for the SIP engine's key (`VNUM_ENGINE_RATE_LIMIT_PER_MINUTE`);
    /// `0` is no limit.
    pub engine_rate_limit_per_minute: u32,
    /// Requests a minute per client address without a valid API key
    /// (`VNUM_ANONYMOUS_RATE_LIMIT_PER_MINUTE`); `0` is no limit.
    pub anonymous_rate_limit_per_minute: u32,
    /// Where greetings and document scans are kept (`VNUM_MEDIA_DIR`): a directory, or an
    /// `s3://bucket/prefix` URL for S3-compatible storage configured by the `AWS_*`
    /// variables. Unset, a directory beside the SQLite file (`vnum-media` for
    /// `vnum.sqlite`), `vnum-media` in the working directory for PostgreSQL, and process
    /// memory for an in-memory database.
    pub media_dir: Option<String>,
    /// How many media files each customer may keep (`VNUM_MEDIA_QUOTA_FILES`, default 500).
    pub media_quota_files: u64,
    /// How many bytes of media files each customer may keep (`VNUM_MEDIA_QUOTA_BYTES`,
    /// default 1 GiB).
    pub media_quota_bytes: u64,
    /// The discounts for paying 3, 6 or 12 months in advance, in percent
    /// (`VNUM_TERM_DISCOUNTS` as `5,10,15`; R11.1).
    pub term_discounts: TermTiers,
    /// A directory of holiday calendars, one file per carrier country named by its ISO
    /// code (`DE.txt`), one date per line (`VNUM_HOLIDAYS_DIR`; R2.D1). Unset, business
    /// days are weekdays.
    pub holidays_dir: Option<PathBuf>,
    /// What a professional voice recording costs per currency
    /// (`VNUM_VOICE_RECORDING_PRICES` as `EUR=15.00,USD=16.00`; R13.3).
    pub voice_recording_prices: VoiceRecordingPrices,
    /// The CallerID add-on's monthly fee for offers created without one, per currency
    /// (`VNUM_CALLER_ID_PRICES` as `EUR=1.00,USD=1.20`; R6.2). Empty by default: an offer
    /// sells the add-on only at the fee it names.
    pub caller_id_prices: PriceList,
    /// How long a one-shot SMS allocation waits for its message before it expires and is
    /// refunded, in minutes (`VNUM_SMS_ALLOCATION_LIFETIME_MINUTES`, 1 to 1440; R9).
    pub sms_allocation_lifetime_minutes: u32,
    /// How long picking a number from an offer's list holds it for the customer, in
    /// minutes (`VNUM_HOLD_MINUTES`, 1 to 1440, default 15; R1.3).
    pub hold_minutes: u32,
    /// The provider's legal name on closing documents (`VNUM_LEGAL_NAME`; R12.2).
    pub legal_name: String,
    /// The provider's registered address on closing documents (`VNUM_LEGAL_ADDRESS`).
    pub legal_address: Option<String>,
    /// The provider's tax or company registration number on closing documents
    /// (`VNUM_LEGAL_TAX_ID`).
    pub legal_tax_id: Option<String>,
    /// Start the Kamailio SIP engine with the server and stop it with the server
    /// (`VNUM_SIP_ENABLED`): it gets an engine key of its own, and changes are pushed to its
    /// JSON-RPC.
    pub sip_enabled: bool,
    /// With `sip_enabled`, the UDP address Kamailio listens on for SIP (`VNUM_SIP_LISTEN`);
    /// its JSON-RPC listens on TCP at the next port but four (5065 for 5060).
    pub sip_listen: SocketAddr,
    /// With `sip_enabled`, the TCP address of Kamailio's JSON-RPC (`VNUM_SIP_RPC`), which
    /// only this server should reach; unset, the SIP address's IP and its port plus five.
    pub sip_rpc: Option<SocketAddr>,
    /// With `sip_enabled`, Kamailio's SIP worker processes (`VNUM_SIP_CHILDREN`).
    pub sip_children: u16,
    /// With `sip_enabled`, Kamailio's shared memory in MiB (`VNUM_SIP_SHARED_MEMORY_MIB`).
    pub sip_shared_memory_mib: u32,
    /// With `sip_enabled`, the voicemail server's SIP URI (`VNUM_SIP_VOICEMAIL`).
    pub sip_voicemail: String,
    /// With `sip_enabled`, requests one address may send in `sip_flood_window_seconds`
    /// before it is ignored (`VNUM_SIP_FLOOD_REQUESTS`).
    pub sip_flood_requests: u32,
    /// With `sip_enabled`, the window of `sip_flood_requests`, in seconds
    /// (`VNUM_SIP_FLOOD_WINDOW_SECONDS`).
    pub sip_flood_window_seconds: u32,
    /// With `sip_enabled`, how long a flooding address is ignored, in seconds
    /// (`VNUM_SIP_BAN_SECONDS`).
    pub sip_ban_seconds: u32,
    /// With `sip_enabled`, where the call records Kamailio has not posted yet are kept
    /// across its restarts (`VNUM_SIP_SPOOL_DIR`). Unset, beside the SQLite file
    /// (`vnum-sip-spool` for `vnum.sqlite`), `vnum-sip-spool` in the working directory for
    /// PostgreSQL, none for an in-memory database.
    pub sip_spool_dir: Option<PathBuf>,
    /// The provisioning service of a carrier over HTTP, such as `http://127.0.0.1:9000`
    /// (`VNUM_CARRIER_URL`; protocol in adapters/carrier). Unset, the demo carrier
    /// provides numbers from its pools.
    pub carrier_url: Option<String>,
    /// The secret requests to the carrier and its callbacks are signed with, at least 16
    /// bytes (`VNUM_CARRIER_SECRET`); required with `carrier_url`.
    pub carrier_secret: Option<vnum_http::WebhookSecret>,
    /// The URL the carrier and other outside services reach this server at, such as
    /// `https://vnum.example.net` (`VNUM_PUBLIC_URL`): requests to the carrier name
    /// `<public_url>/v1/carrier/callbacks` as their callback. Unset, no callback URL is
    /// sent and the carrier's service must know it.
    pub public_url: Option<String>,
    /// The SMTP server email goes to (`VNUM_SMTP_HOST`). Unset, email is written to the log.
    pub smtp_host: Option<String>,
    /// Its port (`VNUM_SMTP_PORT`); unset, 587 for STARTTLS, 465 for TLS, 25 without.
    pub smtp_port: Option<u16>,
    /// How the connection is secured (`VNUM_SMTP_SECURITY`): `starttls` (the default),
    /// `tls` (implicit TLS) or `none`.
    pub smtp_security: crate::mail::SmtpSecurity,
    /// The user name, when the server asks for one (`VNUM_SMTP_USERNAME`).
    pub smtp_username: Option<String>,
    /// Its password (`VNUM_SMTP_PASSWORD`).
    pub smtp_password: Option<String>,
    /// The sender of every email (`VNUM_SMTP_FROM`).
    pub smtp_from: String,
    /// How long one SMTP conversation may take, in seconds (`VNUM_SMTP_TIMEOUT_SECONDS`).
    pub smtp_timeout_seconds: u32,
    /// A PEM file of certificates to trust as roots besides the usual ones, for an SMTP
    /// server whose certificate a private or self-signed authority issued
    /// (`VNUM_SMTP_CA_FILE`); read at start.
    pub smtp_ca_file: Option<std::path::PathBuf>,
    /// A directory of templates that replace the built-in ones (`VNUM_EMAIL_TEMPLATES_DIR`):
    /// `<event type>.subject`, `.txt` and `.html`.
    pub email_templates_dir: Option<std::path::PathBuf>,
    /// How often the outbox's worker looks for due events and webhook deliveries besides
    /// being woken by commits, in seconds (`VNUM_OUTBOX_POLL_SECONDS`, default 5).
    pub outbox_poll_seconds: u32,
    /// How long the worker holds the events and deliveries it claimed, in seconds
    /// (`VNUM_OUTBOX_LEASE_SECONDS`, default 30): after a crash, what it held is delivered
    /// again once this has passed. Longer than the SMTP and webhook timeouts.
    pub outbox_lease_seconds: u32,
    /// Whether webhook endpoints may be on loopback, private or link-local addresses and
    /// local names (`VNUM_WEBHOOK_PRIVATE_TARGETS`, SSRF); off by default.
    pub webhook_private_targets: bool,
    /// The pause before a failed webhook delivery's first retry, in milliseconds
    /// (`VNUM_WEBHOOK_FIRST_RETRY_MS`, default 10000); each next one doubles, at most an
    /// hour, with jitter.
    pub webhook_first_retry_ms: u64,
    /// How long after its event a webhook delivery is retried, in seconds
    /// (`VNUM_WEBHOOK_RETRY_FOR_SECONDS`, default 86400).
    pub webhook_retry_for_seconds: u64,
    /// How long an endpoint may fail without a success before it is disabled, in seconds
    /// (`VNUM_WEBHOOK_DISABLE_AFTER_SECONDS`, default 259200).
    pub webhook_disable_after_seconds: u64,
    /// How many endpoints each customer, and the operators together, may register
    /// (`VNUM_WEBHOOK_MAX_ENDPOINTS`, default 20).
    pub webhook_max_endpoints: u32,
    /// How long one webhook delivery may take, in seconds (`VNUM_WEBHOOK_TIMEOUT_SECONDS`,
    /// default 10).
    pub webhook_timeout_seconds: u32,
}

/// The longest SMS allocation lifetime the server takes, in minutes: one day.
const MAX_SMS_ALLOCATION_MINUTES: u32 = 24 * 60;

impl Default for Settings {
    fn default() -> Self {
        let app = vnum_app::Config::default();
        let engine = EngineSettings::new(SocketAddr::from(([127, 0, 0, 1], 5060)), "", "");
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://vnum.sqlite?mode=rwc".to_owned(),
            billing_time_zone: app.billing_time_zone,
            sip_domain: app.sip_domain,
            sip_gateway: app.sip_gateway,
            private_forwarding: app.private_forwarding_allowed,
            renewal_batch_size: app.renewal_batch_size,
            max_payment: app.max_payment,
            seed_demo: true,
            seed_catalogue: true,
            self_registration: false,
            read_cache: None,
            bench_endpoint: false,
            payment_webhook_secret: None,
            sip_engine_rpc: None,
            route_cache_seconds: 300,
            header_timeout_seconds: 10,
            idle_timeout_seconds: 60,
            max_connections: 1024,
            rate_limit_per_minute: 600,
            engine_rate_limit_per_minute: 60_000,
            anonymous_rate_limit_per_minute: 60,
            media_dir: None,
            media_quota_files: app.media_quota.files,
            media_quota_bytes: app.media_quota.bytes,
            term_discounts: demo_term_discounts(),
            holidays_dir: None,
            voice_recording_prices: app.voice_recording_prices,
            caller_id_prices: app.caller_id_prices,
            sms_allocation_lifetime_minutes: app.sms_allocation_lifetime_minutes,
            hold_minutes: app.hold_minutes,
            legal_name: app.issuer.name,
            legal_address: app.issuer.address,
            legal_tax_id: app.issuer.tax_id,
            sip_enabled: false,
            sip_listen: SocketAddr::from(([127, 0, 0, 1], 5060)),
            sip_rpc: None,
            sip_children: engine.children,
            sip_shared_memory_mib: engine.shared_memory_mib,
            sip_voicemail: engine.voicemail,
            sip_flood_requests: engine.flood_requests,
            sip_flood_window_seconds: engine.flood_window_seconds,
            sip_ban_seconds: engine.ban_seconds,
            sip_spool_dir: None,
            carrier_url: None,
            carrier_secret: None,
            public_url: None,
            smtp_host: None,
            smtp_port: None,
            smtp_security: crate::mail::SmtpSecurity::Starttls,
            smtp_username: None,
            smtp_password: None,
            smtp_from: "vnum <noreply@vnum.example>".to_owned(),
            smtp_timeout_seconds: 20,
            smtp_ca_file: None,
            email_templates_dir: None,
            outbox_poll_seconds: 5,
            outbox_lease_seconds: 30,
            webhook_private_targets: app.webhooks.private_targets_allowed,
            webhook_first_retry_ms: app.webhooks.first_retry_ms,
            webhook_retry_for_seconds: app.webhooks.retry_for_seconds,
            webhook_disable_after_seconds: app.webhooks.disable_after_seconds,
            webhook_max_endpoints: app.webhooks.max_endpoints,
            webhook_timeout_seconds: 10,
        }
    }
}

impl Settings {
    /// The settings of this process: the defaults, overridden by the TOML file named by
    /// `VNUM_CONFIG` if set, overridden by the environment variables.
    ///
    /// # Errors
    /// When the file cannot be read or parsed, or a variable has an invalid value.
    pub fn from_env() -> anyhow::Result<Self> {
        let file = match std::env::var_os("VNUM_CONFIG") {
            Some(path) => Some(read_file(Path::new(&path))?),
            None => None,
        };
        Self::from_sources(file.as_deref(), |name| std::env::var(name).ok())
    }

    /// The defaults, overridden by `toml` (a file's text) and then by `env`.
    ///
    /// # Errors
    /// When the TOML does not parse or names an unknown key, or a variable has an invalid
    /// value.
    pub fn from_sources(
        toml: Option<&str>,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Self> {
        let mut settings = match toml {
            Some(text) => {
                let settings: Self =
                    toml::from_str(text).context("the configuration file is invalid")?;
                // The rule VNUM_MAX_PAYMENT is held to below holds for the file too (R10.D6).
                if settings.max_payment <= rust_decimal::Decimal::ZERO {
                    anyhow::bail!(
                        "the configuration file is invalid: max_payment is {}: expected an \
                         amount above zero",
                        settings.max_payment
                    );
                }
                settings
                    .check()
                    .context("the configuration file is invalid")?;
                settings
            }
            None => Self::default(),
        };
        if let Some(v) = env("VNUM_LISTEN") {
            settings.listen = parse("VNUM_LISTEN", &v)?;
        }
        if let Some(v) = env("DATABASE_URL") {
            settings.database_url = v;
        }
        if let Some(v) = env("VNUM_BILLING_TIME_ZONE") {
            settings.billing_time_zone = parse("VNUM_BILLING_TIME_ZONE", &v)?;
        }
        if let Some(v) = env("VNUM_SIP_DOMAIN") {
            settings.sip_domain = v;
        }
        if let Some(v) = env("VNUM_SIP_GATEWAY") {
            settings.sip_gateway = v;
        }
        if let Some(v) = env("VNUM_PRIVATE_FORWARDING") {
            settings.private_forwarding = parse("VNUM_PRIVATE_FORWARDING", &v)?;
        }
        if let Some(v) = env("VNUM_RENEWAL_BATCH_SIZE") {
            settings.renewal_batch_size = parse("VNUM_RENEWAL_BATCH_SIZE", &v)?;
        }
        if let Some(v) = env("VNUM_MAX_PAYMENT") {
            settings.max_payment = parse("VNUM_MAX_PAYMENT", &v)?;
            if settings.max_payment <= rust_decimal::Decimal::ZERO {
                anyhow::bail!("VNUM_MAX_PAYMENT is {v}: expected an amount above zero");
            }
        }
        if let Some(v) = env("VNUM_SEED_DEMO") {
            settings.seed_demo = parse("VNUM_SEED_DEMO", &v)?;
        }
        if let Some(v) = env("VNUM_SEED_CATALOGUE") {
            settings.seed_catalogue = parse("VNUM_SEED_CATALOGUE", &v)?;
        }
        if let Some(v) = env("VNUM_SELF_REGISTRATION") {
            settings.self_registration = parse("VNUM_SELF_REGISTRATION", &v)?;
        }
        if let Some(v) = env("VNUM_READ_CACHE") {
            settings.read_cache = Some(parse("VNUM_READ_CACHE", &v)?);
        }
        if let Some(v) = env("VNUM_BENCH_ENDPOINT") {
            settings.bench_endpoint = parse("VNUM_BENCH_ENDPOINT", &v)?;
        }
        if let Some(v) = env("VNUM_PAYMENT_WEBHOOK_SECRET") {
            settings.payment_webhook_secret = Some(
                v.parse()
                    .map_err(|e| anyhow::anyhow!("VNUM_PAYMENT_WEBHOOK_SECRET is invalid: {e}"))?,
            );
        }
        if let Some(v) = env("VNUM_SIP_ENGINE_RPC") {
            settings.sip_engine_rpc = Some(v);
        }
        if let Some(v) = env("VNUM_ROUTE_CACHE_SECONDS") {
            settings.route_cache_seconds = parse("VNUM_ROUTE_CACHE_SECONDS", &v)?;
        }
        for (name, value) in [
            (
                "VNUM_HEADER_TIMEOUT_SECONDS",
                &mut settings.header_timeout_seconds,
            ),
            (
                "VNUM_IDLE_TIMEOUT_SECONDS",
                &mut settings.idle_timeout_seconds,
            ),
            ("VNUM_MAX_CONNECTIONS", &mut settings.max_connections),
            (
                "VNUM_RATE_LIMIT_PER_MINUTE",
                &mut settings.rate_limit_per_minute,
            ),
            (
                "VNUM_ENGINE_RATE_LIMIT_PER_MINUTE",
                &mut settings.engine_rate_limit_per_minute,
            ),
            (
                "VNUM_ANONYMOUS_RATE_LIMIT_PER_MINUTE",
                &mut settings.anonymous_rate_limit_per_minute,
            ),
        ] {
            if let Some(v) = env(name) {
                *value = parse(name, &v)?;
            }
        }
        if let Some(v) = env("VNUM_MEDIA_DIR") {
            settings.media_dir = Some(v);
        }
        if let Some(v) = env("VNUM_MEDIA_QUOTA_FILES") {
            settings.media_quota_files = parse("VNUM_MEDIA_QUOTA_FILES", &v)?;
        }
        if let Some(v) = env("VNUM_MEDIA_QUOTA_BYTES") {
            settings.media_quota_bytes = parse("VNUM_MEDIA_QUOTA_BYTES", &v)?;
        }
        if let Some(v) = env("VNUM_TERM_DISCOUNTS") {
            settings.term_discounts =
                term_discounts(&v).with_context(|| format!("VNUM_TERM_DISCOUNTS is {v:?}"))?;
        }
        if let Some(v) = env("VNUM_HOLIDAYS_DIR") {
            settings.holidays_dir = Some(PathBuf::from(v));
        }
        if let Some(v) = env("VNUM_VOICE_RECORDING_PRICES") {
            settings.voice_recording_prices = VoiceRecordingPrices::new(
                price_list(&v)
                    .with_context(|| format!("VNUM_VOICE_RECORDING_PRICES is {v:?}"))?
                    .into(),
            )
            .with_context(|| format!("VNUM_VOICE_RECORDING_PRICES is {v:?}"))?;
        }
        if let Some(v) = env("VNUM_CALLER_ID_PRICES") {
            settings.caller_id_prices =
                price_list(&v).with_context(|| format!("VNUM_CALLER_ID_PRICES is {v:?}"))?;
        }
        if let Some(v) = env("VNUM_SMS_ALLOCATION_LIFETIME_MINUTES") {
            settings.sms_allocation_lifetime_minutes =
                parse("VNUM_SMS_ALLOCATION_LIFETIME_MINUTES", &v)?;
        }
        if let Some(v) = env("VNUM_HOLD_MINUTES") {
            settings.hold_minutes = parse("VNUM_HOLD_MINUTES", &v)?;
        }
        if let Some(v) = env("VNUM_LEGAL_NAME") {
            settings.legal_name = v;
        }
        if let Some(v) = env("VNUM_LEGAL_ADDRESS") {
            settings.legal_address = Some(v);
        }
        if let Some(v) = env("VNUM_LEGAL_TAX_ID") {
            settings.legal_tax_id = Some(v);
        }
        if let Some(v) = env("VNUM_SIP_ENABLED") {
            settings.sip_enabled = parse("VNUM_SIP_ENABLED", &v)?;
        }
        if let Some(v) = env("VNUM_SIP_LISTEN") {
            settings.sip_listen = parse("VNUM_SIP_LISTEN", &v)?;
        }
        if let Some(v) = env("VNUM_SIP_RPC") {
            settings.sip_rpc = Some(parse("VNUM_SIP_RPC", &v)?);
        }
        if let Some(v) = env("VNUM_SIP_CHILDREN") {
            settings.sip_children = parse("VNUM_SIP_CHILDREN", &v)?;
        }
        if let Some(v) = env("VNUM_SIP_SHARED_MEMORY_MIB") {
            settings.sip_shared_memory_mib = parse("VNUM_SIP_SHARED_MEMORY_MIB", &v)?;
        }
        if let Some(v) = env("VNUM_SIP_VOICEMAIL") {
            settings.sip_voicemail = v;
        }
        for (name, value) in [
            ("VNUM_SIP_FLOOD_REQUESTS", &mut settings.sip_flood_requests),
            (
                "VNUM_SIP_FLOOD_WINDOW_SECONDS",
                &mut settings.sip_flood_window_seconds,
            ),
            ("VNUM_SIP_BAN_SECONDS", &mut settings.sip_ban_seconds),
        ] {
            if let Some(v) = env(name) {
                *value = parse(name, &v)?;
            }
        }
        if let Some(v) = env("VNUM_SIP_SPOOL_DIR") {
            settings.sip_spool_dir = Some(PathBuf::from(v));
        }
        if let Some(v) = env("VNUM_CARRIER_URL") {
            settings.carrier_url = Some(v);
        }
        if let Some(v) = env("VNUM_CARRIER_SECRET") {
            settings.carrier_secret = Some(
                v.parse()
                    .map_err(|e| anyhow::anyhow!("VNUM_CARRIER_SECRET is invalid: {e}"))?,
            );
        }
        if let Some(v) = env("VNUM_PUBLIC_URL") {
            settings.public_url = Some(v);
        }
        for (name, value) in [
            ("VNUM_SMTP_HOST", &mut settings.smtp_host),
            ("VNUM_SMTP_USERNAME", &mut settings.smtp_username),
            ("VNUM_SMTP_PASSWORD", &mut settings.smtp_password),
        ] {
            if let Some(v) = env(name) {
                *value = Some(v);
            }
        }
        if let Some(v) = env("VNUM_SMTP_PORT") {
            settings.smtp_port = Some(parse("VNUM_SMTP_PORT", &v)?);
        }
        if let Some(v) = env("VNUM_SMTP_SECURITY") {
            settings.smtp_security = parse("VNUM_SMTP_SECURITY", &v)?;
        }
        if let Some(v) = env("VNUM_SMTP_FROM") {
            settings.smtp_from = v;
        }
        if let Some(v) = env("VNUM_SMTP_TIMEOUT_SECONDS") {
            settings.smtp_timeout_seconds = parse("VNUM_SMTP_TIMEOUT_SECONDS", &v)?;
        }
        if let Some(v) = env("VNUM_SMTP_CA_FILE") {
            settings.smtp_ca_file = Some(v.into());
        }
        if let Some(v) = env("VNUM_EMAIL_TEMPLATES_DIR") {
            settings.email_templates_dir = Some(v.into());
        }
        if let Some(v) = env("VNUM_WEBHOOK_PRIVATE_TARGETS") {
            settings.webhook_private_targets = parse("VNUM_WEBHOOK_PRIVATE_TARGETS", &v)?;
        }
        for (name, value) in [
            (
                "VNUM_WEBHOOK_FIRST_RETRY_MS",
                &mut settings.webhook_first_retry_ms,
            ),
            (
                "VNUM_WEBHOOK_RETRY_FOR_SECONDS",
                &mut settings.webhook_retry_for_seconds,
            ),
            (
                "VNUM_WEBHOOK_DISABLE_AFTER_SECONDS",
                &mut settings.webhook_disable_after_seconds,
            ),
        ] {
            if let Some(v) = env(name) {
                *value = parse(name, &v)?;
            }
        }
        for (name, value) in [
            (
                "VNUM_OUTBOX_POLL_SECONDS",
                &mut settings.outbox_poll_seconds,
            ),
            (
                "VNUM_OUTBOX_LEASE_SECONDS",
                &mut settings.outbox_lease_seconds,
            ),
            (
                "VNUM_WEBHOOK_MAX_ENDPOINTS",
                &mut settings.webhook_max_endpoints,
            ),
            (
                "VNUM_WEBHOOK_TIMEOUT_SECONDS",
                &mut settings.webhook_timeout_seconds,
            ),
        ] {
            if let Some(v) = env(name) {
                *value = parse(name, &v)?;
            }
        }
        for (name, value) in [
            ("outbox_poll_seconds", settings.outbox_poll_seconds),
            ("webhook_timeout_seconds", settings.webhook_timeout_seconds),
            ("webhook_max_endpoints", settings.webhook_max_endpoints),
        ] {
            if value == 0 {
                anyhow::bail!("{name} is 0: expected at least 1");
            }
        }
        let longest = settings
            .webhook_timeout_seconds
            .max(if settings.smtp_host.is_some() {
                settings.smtp_timeout_seconds
            } else {
                0
            });
        if settings.outbox_lease_seconds <= longest {
            anyhow::bail!(
                "outbox_lease_seconds is {}: expected more than the longest attempt \
                 (webhook_timeout_seconds, smtp_timeout_seconds), {longest} s",
                settings.outbox_lease_seconds
            );
        }
        if settings.webhook_first_retry_ms == 0 {
            anyhow::bail!("webhook_first_retry_ms is 0: expected at least 1");
        }
        settings.check_smtp()?;
        settings.check()?;
        Ok(settings)
    }

    /// Where a carrier calls back: `<public_url>/v1/carrier/callbacks`.
    #[must_use]
    pub fn carrier_callback_url(&self) -> Option<String> {
        self.public_url
            .as_ref()
            .map(|base| format!("{}/v1/carrier/callbacks", base.trim_end_matches('/')))
    }

    /// SMTP settings that cannot work are refused at start, not at the first email.
    fn check_smtp(&self) -> anyhow::Result<()> {
        if self.smtp_username.is_some() != self.smtp_password.is_some() {
            anyhow::bail!("smtp_username and smtp_password go together: set both or neither");
        }
        if self
            .smtp_host
            .as_deref()
            .is_some_and(|h| h.trim().is_empty())
        {
            anyhow::bail!("smtp_host is empty: name the SMTP server, or unset it to log email");
        }
        if self.smtp_timeout_seconds == 0 {
            anyhow::bail!("smtp_timeout_seconds is 0: expected at least 1");
        }
        self.smtp_from
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| {
                anyhow::anyhow!(
                    "smtp_from {:?} is not an email address: {e}",
                    self.smtp_from
                )
            })?;
        Ok(())
    }

    /// Where and how email is sent; `None` writes it to the log.
    #[must_use]
    pub fn smtp(&self) -> Option<crate::mail::SmtpSettings> {
        use crate::mail::SmtpSecurity;
        let host = self.smtp_host.clone()?;
        let port = self.smtp_port.unwrap_or(match self.smtp_security {
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::None => 25,
        });
        Some(crate::mail::SmtpSettings {
            host,
            port,
            security: self.smtp_security,
            credentials: self.smtp_username.clone().zip(self.smtp_password.clone()),
            from: self.smtp_from.clone(),
            timeout: std::time::Duration::from_secs(u64::from(self.smtp_timeout_seconds)),
            ca_file: self.smtp_ca_file.clone(),
        })
    }

    /// The JSON-RPC URL of the SIP engine changes are pushed to: `sip_engine_rpc`, or the
    /// engine this server starts with `sip_enabled`.
    #[must_use]
    pub fn engine_rpc(&self) -> Option<String> {
        match &self.sip_engine_rpc {
            Some(url) => Some(url.clone()),
            None if self.sip_enabled => Some(self.engine_settings("", "").rpc_url()),
            None => None,
        }
    }

    /// The settings of the Kamailio this server starts with `sip_enabled`, serving the API
    /// at `api` with the engine key `engine_key`.
    #[must_use]
    pub fn engine_settings(&self, api: &str, engine_key: &str) -> EngineSettings {
        let defaults = EngineSettings::new(self.sip_listen, api, engine_key);
        EngineSettings {
            rpc: self.sip_rpc.unwrap_or(defaults.rpc),
            sip_domain: self.sip_domain.clone(),
            gateway: self.sip_gateway.clone(),
            voicemail: self.sip_voicemail.clone(),
            children: self.sip_children,
            shared_memory_mib: self.sip_shared_memory_mib,
            flood_requests: self.sip_flood_requests,
            flood_window_seconds: self.sip_flood_window_seconds,
            ban_seconds: self.sip_ban_seconds,
            spool: self
                .sip_spool_dir
                .clone()
                .or_else(|| self.beside_database("sip-spool").map(PathBuf::from)),
            ..defaults
        }
    }

    /// The rules that hold for the settings whichever source gave them.
    fn check(&self) -> anyhow::Result<()> {
        for (name, url) in [
            ("carrier_url", &self.carrier_url),
            ("public_url", &self.public_url),
        ] {
            if let Some(url) = url
                && !(url.starts_with("http://") || url.starts_with("https://"))
            {
                anyhow::bail!("{name} is {url:?}: expected an http:// or https:// URL");
            }
        }
        if self.carrier_url.is_some() && self.carrier_secret.is_none() {
            anyhow::bail!(
                "carrier_url is set but carrier_secret is not: requests to the carrier and its \
                 callbacks are signed with it (at least 16 bytes)"
            );
        }
        for (name, value) in [
            ("header_timeout_seconds", self.header_timeout_seconds),
            ("idle_timeout_seconds", self.idle_timeout_seconds),
            ("max_connections", self.max_connections),
        ] {
            if value == 0 {
                anyhow::bail!("{name} is 0: expected at least 1");
            }
        }
        if !(1..=MAX_SMS_ALLOCATION_MINUTES).contains(&self.sms_allocation_lifetime_minutes) {
            anyhow::bail!(
                "sms_allocation_lifetime_minutes is {}: expected 1 to {MAX_SMS_ALLOCATION_MINUTES} \
                 (a day)",
                self.sms_allocation_lifetime_minutes
            );
        }
        if let Err(error) = vnum_lifecycle::HoldTime::from_minutes(self.hold_minutes) {
            anyhow::bail!("hold_minutes is {}: {error}", self.hold_minutes);
        }
        if self.legal_name.trim().is_empty() {
            anyhow::bail!(
                "legal_name is empty: expected the provider's legal name, printed on closing \
                 documents"
            );
        }
        for (name, text) in [
            ("legal_name", Some(&self.legal_name)),
            ("legal_address", self.legal_address.as_ref()),
            ("legal_tax_id", self.legal_tax_id.as_ref()),
        ] {
            if let Some(text) = text
                && (text.chars().count() > 200 || text.chars().any(char::is_control))
            {
                anyhow::bail!(
                    "{name} is {text:?}: expected one line of at most 200 characters, printed \
                     on closing documents"
                );
            }
        }
        Ok(())
    }

    /// The holiday calendars of [`Settings::holidays_dir`]: every `<country>.txt` file in
    /// it, each line a date (`2026-12-25 Christmas Day`; `#` starts a comment). Other files
    /// are left alone.
    ///
    /// # Errors
    /// When the directory cannot be read, a `.txt` file is not named by a country code, or
    /// a line is not a date: the message names the file and the line.
    pub fn holidays(&self) -> anyhow::Result<BTreeMap<CountryCode, Vec<NaiveDate>>> {
        let mut calendars = BTreeMap::new();
        let Some(dir) = &self.holidays_dir else {
            return Ok(calendars);
        };
        let entries = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read holidays_dir {}", dir.display()))?;
        for entry in entries {
            let path = entry
                .with_context(|| format!("cannot read holidays_dir {}", dir.display()))?
                .path();
            if path.extension().is_none_or(|e| e != "txt") {
                continue;
            }
            let stem = path.file_stem().unwrap_or_default().to_string_lossy();
            let country = CountryCode::parse(&stem).map_err(|e| {
                anyhow::anyhow!(
                    "holiday calendar {}: {e}: name each file by its country's ISO code, \
                     such as DE.txt",
                    path.display()
                )
            })?;
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read holiday calendar {}", path.display()))?;
            let calendar = HolidayCalendar::parse(country, &text)
                .with_context(|| format!("holiday calendar {} is invalid", path.display()))?;
            calendars.insert(country, calendar.holidays().collect());
        }
        Ok(calendars)
    }

    /// The configuration of the application with the holiday calendars read from
    /// [`Settings::holidays_dir`].
    ///
    /// # Errors
    /// See [`Settings::holidays`].
    pub fn load_app_config(&self) -> anyhow::Result<vnum_app::Config> {
        Ok(vnum_app::Config {
            holidays: self.holidays()?,
            ..self.app_config()
        })
    }

    /// The bounds of every connection the server serves.
    #[must_use]
    pub fn connection_limits(&self) -> crate::listen::ConnectionLimits {
        crate::listen::ConnectionLimits {
            header_timeout: std::time::Duration::from_secs(u64::from(self.header_timeout_seconds)),
            idle_timeout: std::time::Duration::from_secs(u64::from(self.idle_timeout_seconds)),
            max_connections: usize::try_from(self.max_connections).unwrap_or(usize::MAX),
        }
    }

    /// The request rate limits of the API.
    #[must_use]
    pub fn rate_limits(&self) -> vnum_http::RateLimits {
        use std::num::NonZeroU32;
        vnum_http::RateLimits {
            per_key: NonZeroU32::new(self.rate_limit_per_minute),
            engine: NonZeroU32::new(self.engine_rate_limit_per_minute),
            anonymous_per_address: NonZeroU32::new(self.anonymous_rate_limit_per_minute),
        }
    }

    /// Where media files are kept: [`Settings::media_dir`], or by default beside the
    /// database; `None` for process memory, when the database is in memory too.
    #[must_use]
    pub fn media_place(&self) -> Option<String> {
        match &self.media_dir {
            Some(place) => Some(place.clone()),
            None => self.beside_database("media"),
        }
    }

    /// A place named `<stem>-<what>` beside the SQLite file (`vnum-media` for
    /// `vnum.sqlite`), `vnum-<what>` in the working directory for PostgreSQL, `None` for an
    /// in-memory database.
    fn beside_database(&self, what: &str) -> Option<String> {
        let Some(rest) = self
            .database_url
            .strip_prefix("sqlite://")
            .or_else(|| self.database_url.strip_prefix("sqlite:"))
        else {
            return Some(format!("vnum-{what}"));
        };
        let (file, query) = rest.split_once('?').unwrap_or((rest, ""));
        if file.is_empty() || file == ":memory:" || query.split('&').any(|p| p == "mode=memory") {
            return None;
        }
        let file = Path::new(file);
        let stem = file.file_stem().map_or_else(
            || "vnum".to_owned(),
            |stem| stem.to_string_lossy().into_owned(),
        );
        Some(
            file.with_file_name(format!("{stem}-{what}"))
                .display()
                .to_string(),
        )
    }

    /// How long the SIP engine may keep a routing decision: the setting with an engine
    /// this server empties the route table of, zero without one.
    #[must_use]
    pub fn route_cache(&self) -> std::time::Duration {
        if self.engine_rpc().is_some() {
            std::time::Duration::from_secs(u64::from(self.route_cache_seconds))
        } else {
            std::time::Duration::ZERO
        }
    }

    /// The configuration of the application, without the holiday calendars (files read by
    /// [`Settings::load_app_config`]).
    #[must_use]
    pub fn app_config(&self) -> vnum_app::Config {
        vnum_app::Config {
            billing_time_zone: self.billing_time_zone,
            sip_domain: self.sip_domain.clone(),
            sip_gateway: self.sip_gateway.clone(),
            private_forwarding_allowed: self.private_forwarding,
            renewal_batch_size: self.renewal_batch_size,
            max_payment: self.max_payment,
            media_quota: vnum_app::MediaQuota {
                files: self.media_quota_files,
                bytes: self.media_quota_bytes,
            },
            term_tiers: self.term_discounts,
            voice_recording_prices: self.voice_recording_prices.clone(),
            caller_id_prices: self.caller_id_prices.clone(),
            sms_allocation_lifetime_minutes: self.sms_allocation_lifetime_minutes,
            issuer: vnum_accounts::Issuer {
                name: self.legal_name.clone(),
                address: self.legal_address.clone(),
                tax_id: self.legal_tax_id.clone(),
            },
            webhooks: vnum_app::WebhookPolicy {
                first_retry_ms: self.webhook_first_retry_ms,
                retry_for_seconds: self.webhook_retry_for_seconds,
                disable_after_seconds: self.webhook_disable_after_seconds,
                private_targets_allowed: self.webhook_private_targets,
                max_endpoints: self.webhook_max_endpoints,
            },
            outbox_lease_seconds: u64::from(self.outbox_lease_seconds),
            hold_minutes: self.hold_minutes,
            ..vnum_app::Config::default()
        }
    }
}

/// The term discounts the demo ships: 5 %, 10 % and 15 % for 3, 6 and 12 months (R11.1).
fn demo_term_discounts() -> TermTiers {
    let percent = |p| Percent::new(rust_decimal::Decimal::from(p)).expect("0 to 100");
    TermTiers::new(percent(5), percent(10), percent(15))
}

/// `5,10,15`: the percentages for 3, 6 and 12 months.
fn term_discounts(text: &str) -> anyhow::Result<TermTiers> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    let [three, six, twelve] = parts[..] else {
        anyhow::bail!("expected three percentages for 3, 6 and 12 months, such as 5,10,15");
    };
    let percent = |p: &str| -> anyhow::Result<Percent> {
        let value: rust_decimal::Decimal = p
            .parse()
            .map_err(|_| anyhow::anyhow!("{p:?} is not a percentage such as 12.5"))?;
        Ok(Percent::new(value)?)
    };
    Ok(TermTiers::new(
        percent(three)?,
        percent(six)?,
        percent(twelve)?,
    ))
}

/// `EUR=15.00,USD=16.00`: a price per currency.
fn price_list(text: &str) -> anyhow::Result<PriceList> {
    let mut prices = BTreeMap::new();
    for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((code, amount)) = pair.split_once('=') else {
            anyhow::bail!("{pair:?}: expected CURRENCY=amount, such as EUR=15.00");
        };
        let currency = Currency::parse(code.trim())?;
        let amount: rust_decimal::Decimal = amount
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("{pair:?}: {amount:?} is not an amount such as 15.00"))?;
        if prices.insert(currency, amount).is_some() {
            anyhow::bail!("{currency} is priced twice");
        }
    }
    Ok(PriceList::new(prices)?)
}

fn read_file(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))
}

fn parse<T>(name: &str, value: &str) -> anyhow::Result<T>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    value
        .parse()
        .map_err(|e| anyhow::anyhow!("{name}={value:?} is invalid: {e}"))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use vnum_core::PrepaidTerm;
    use vnum_testkit::day;

    use super::*;

    #[test]
    fn defaults_listen_on_loopback_8080_with_a_sqlite_file() {
        let settings = Settings::from_sources(None, |_| None).unwrap();
        assert_eq!(settings.listen, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(settings.database_url, "sqlite://vnum.sqlite?mode=rwc");
    }

    #[test]
    fn media_files_are_kept_beside_the_database_unless_told_where() {
        let at = |url: &str| Settings {
            database_url: url.to_owned(),
            ..Settings::default()
        };
        assert_eq!(
            Settings::default().media_place().as_deref(),
            Some("vnum-media")
        );
        assert_eq!(
            at("sqlite:///var/lib/vnum/main.db?mode=rwc")
                .media_place()
                .as_deref(),
            Some("/var/lib/vnum/main-media")
        );
        assert_eq!(at("sqlite::memory:").media_place(), None);
        assert_eq!(
            at("postgres://vnum@db/vnum").media_place().as_deref(),
            Some("vnum-media")
        );
        let env = Settings::from_sources(None, |name| match name {
            "VNUM_MEDIA_DIR" => Some("s3://vnum-media/prod".to_owned()),
            "VNUM_MEDIA_QUOTA_FILES" => Some("20".to_owned()),
            "VNUM_MEDIA_QUOTA_BYTES" => Some("1048576".to_owned()),
            _ => None,
        })
        .unwrap();
        assert_eq!(env.media_place().as_deref(), Some("s3://vnum-media/prod"));
        assert_eq!(
            env.app_config().media_quota,
            vnum_app::MediaQuota {
                files: 20,
                bytes: 1 << 20
            }
        );
        let err = Settings::from_sources(None, |name| {
            (name == "VNUM_MEDIA_QUOTA_BYTES").then(|| "1 GiB".to_owned())
        })
        .unwrap_err();
        assert!(err.to_string().contains("VNUM_MEDIA_QUOTA_BYTES"), "{err}");
    }

    #[test]
    fn environment_overrides_the_file() {
        let file = r#"
            listen = "0.0.0.0:9000"
            billing_time_zone = "Europe/Berlin"
            sip_domain = "sip.example.net"
        "#;
        let settings = Settings::from_sources(Some(file), |name| {
            (name == "VNUM_LISTEN").then(|| "127.0.0.1:7000".to_owned())
        })
        .unwrap();
        assert_eq!(settings.listen, "127.0.0.1:7000".parse().unwrap());
        assert_eq!(settings.billing_time_zone, chrono_tz::Europe::Berlin);
        assert_eq!(settings.sip_domain, "sip.example.net");
        assert_eq!(settings.sip_engine_rpc, None);
        let engine = Settings::from_sources(None, |name| {
            (name == "VNUM_SIP_ENGINE_RPC").then(|| "http://127.0.0.1:5065/RPC".to_owned())
        })
        .unwrap();
        assert_eq!(
            engine.sip_engine_rpc.as_deref(),
            Some("http://127.0.0.1:5065/RPC")
        );
    }

    #[test]
    fn connection_bounds_and_rate_limits_come_from_the_file_or_the_environment() {
        let defaults = Settings::default();
        assert_eq!(
            defaults.connection_limits().header_timeout,
            std::time::Duration::from_secs(10)
        );
        assert_eq!(defaults.rate_limits(), vnum_http::RateLimits::default());
        let settings = Settings::from_sources(Some("max_connections = 7"), |name| match name {
            "VNUM_HEADER_TIMEOUT_SECONDS" => Some("3".to_owned()),
            "VNUM_RATE_LIMIT_PER_MINUTE" => Some("0".to_owned()),
            _ => None,
        })
        .unwrap();
        assert_eq!(settings.connection_limits().max_connections, 7);
        assert_eq!(
            settings.connection_limits().header_timeout,
            std::time::Duration::from_secs(3)
        );
        assert_eq!(settings.rate_limits().per_key, None);
        let err = Settings::from_sources(None, |name| {
            (name == "VNUM_MAX_CONNECTIONS").then(|| "0".to_owned())
        })
        .unwrap_err();
        assert!(err.to_string().contains("max_connections"), "{err}");
    }

    #[test]
    fn an_unknown_key_or_zone_is_refused_with_its_name() {
        assert!(Settings::from_sources(Some("lisen = \"x\""), |_| None).is_err());
        let err = Settings::from_sources(None, |name| {
            (name == "VNUM_BILLING_TIME_ZONE").then(|| "Mars/Olympus".to_owned())
        })
        .unwrap_err();
        assert!(err.to_string().contains("VNUM_BILLING_TIME_ZONE"), "{err}");
    }

    #[test]
    fn the_maximum_payment_is_a_positive_decimal_from_the_file_or_the_environment() {
        let file = Settings::from_sources(Some("max_payment = \"2500.50\""), |_| None).unwrap();
        assert_eq!(file.max_payment, rust_decimal::Decimal::new(250_050, 2));
        let env = |value: &'static str| {
            move |name: &str| (name == "VNUM_MAX_PAYMENT").then(|| value.to_owned())
        };
        assert_eq!(
            Settings::from_sources(None, env("10"))
                .unwrap()
                .app_config()
                .max_payment,
            rust_decimal::Decimal::TEN
        );
        assert!(Settings::from_sources(None, env("0")).is_err());
        assert!(Settings::from_sources(None, env("ten")).is_err());
    }

    /// Found by fuzzing the settings file: the file took a largest payment the environment
    /// refuses.
    #[test]
    fn a_file_with_a_largest_payment_of_zero_or_less_is_refused() {
        for value in ["0000", "0", "-5"] {
            let text = format!("max_payment = \"{value}\"");
            let err = Settings::from_sources(Some(&text), |_| None).unwrap_err();
            assert!(
                format!("{err:#}").contains("max_payment is")
                    && err.to_string().contains("above zero"),
                "{value}: {err:#}"
            );
        }
    }

    #[test]
    fn r5_d1_the_gateway_and_private_forwarding_reach_the_application() {
        let defaults = Settings::default().app_config();
        assert!(!defaults.private_forwarding_allowed);
        let file = Settings::from_sources(
            Some("sip_gateway = \"10.0.0.7:5080\"\nprivate_forwarding = true"),
            |_| None,
        )
        .unwrap()
        .app_config();
        assert_eq!(file.sip_gateway, "10.0.0.7:5080");
        assert!(file.private_forwarding_allowed);
        let env = Settings::from_sources(None, |name| match name {
            "VNUM_SIP_GATEWAY" => Some("gw.example.net".to_owned()),
            "VNUM_PRIVATE_FORWARDING" => Some("true".to_owned()),
            _ => None,
        })
        .unwrap()
        .app_config();
        assert_eq!(env.sip_gateway, "gw.example.net");
        assert!(env.private_forwarding_allowed);
        let err = Settings::from_sources(None, |name| {
            (name == "VNUM_PRIVATE_FORWARDING").then(|| "sometimes".to_owned())
        })
        .unwrap_err();
        assert!(err.to_string().contains("VNUM_PRIVATE_FORWARDING"), "{err}");
    }

    /// The configuration table of the README: each row's TOML key and variable.
    fn readme_rows() -> BTreeMap<String, String> {
        let readme = include_str!("../README.md");
        let start = readme
            .find("| TOML key | environment variable |")
            .expect("the README has a settings table");
        readme[start..]
            .lines()
            .skip(2)
            .take_while(|line| line.starts_with('|'))
            .map(|line| {
                let cells: Vec<&str> = line.split('|').map(str::trim).collect();
                let code = |cell: &str| cell.trim_matches('`').to_owned();
                (code(cells[1]), code(cells[2]))
            })
            .collect()
    }

    #[test]
    fn the_readme_lists_every_setting_and_every_variable_the_server_reads() {
        let rows = readme_rows();
        // serde names every key of the type when it refuses an unknown one.
        let refused = toml::from_str::<Settings>("no_such_setting = 1")
            .unwrap_err()
            .to_string();
        let listed = refused
            .split("expected one of")
            .nth(1)
            .unwrap_or_else(|| panic!("{refused}"));
        let keys: BTreeSet<String> = listed
            .split(',')
            .map(|k| k.trim().trim_matches('`').to_owned())
            .collect();
        let documented: BTreeSet<String> = rows.keys().cloned().collect();
        assert_eq!(
            documented, keys,
            "the README's table and the Settings type name different keys"
        );
        let asked = std::cell::RefCell::new(BTreeSet::new());
        Settings::from_sources(None, |name| {
            asked.borrow_mut().insert(name.to_owned());
            None
        })
        .unwrap();
        let variables: BTreeSet<String> = rows.values().cloned().collect();
        assert_eq!(
            variables,
            asked.into_inner(),
            "the README's table and the variables the server reads differ"
        );
        for (key, variable) in &rows {
            let expected = if key == "database_url" {
                "DATABASE_URL".to_owned()
            } else {
                format!("VNUM_{}", key.to_uppercase())
            };
            assert_eq!(variable, &expected, "the variable of {key}");
        }
    }

    #[test]
    fn r11_1_the_demo_grants_term_discounts_and_a_provider_sets_its_own() {
        let defaults = Settings::default().app_config();
        let tiers: Vec<String> = [
            PrepaidTerm::ThreeMonths,
            PrepaidTerm::SixMonths,
            PrepaidTerm::TwelveMonths,
        ]
        .iter()
        .map(|t| defaults.term_tiers.percent(*t).to_string())
        .collect();
        assert_eq!(tiers, ["5%", "10%", "15%"]);

        let file = "[term_discounts]\nthree_months = 2\nsix_months = \"4.5\"\ntwelve_months = 9\n";
        let from_file = Settings::from_sources(Some(file), |_| None).unwrap();
        assert_eq!(
            from_file
                .term_discounts
                .percent(PrepaidTerm::SixMonths)
                .get(),
            rust_decimal::Decimal::new(45, 1)
        );
        let from_env = Settings::from_sources(Some(file), |name| {
            (name == "VNUM_TERM_DISCOUNTS").then(|| "0, 0, 30".to_owned())
        })
        .unwrap();
        assert_eq!(
            from_env
                .term_discounts
                .percent(PrepaidTerm::TwelveMonths)
                .to_string(),
            "30%"
        );
        for bad in ["5,10", "5,10,101", "5,ten,15"] {
            let error = Settings::from_sources(None, |name| {
                (name == "VNUM_TERM_DISCOUNTS").then(|| bad.to_owned())
            })
            .unwrap_err();
            assert!(
                format!("{error:#}").contains("VNUM_TERM_DISCOUNTS"),
                "{error:#}"
            );
        }
        let error = Settings::from_sources(Some("[term_discounts]\nsix_months = 120\n"), |_| None)
            .unwrap_err();
        assert!(
            format!("{error:#}").starts_with("the configuration file is invalid"),
            "{error:#}"
        );
    }

    #[test]
    fn r13_3_recording_prices_are_per_currency_from_the_file_or_the_environment() {
        let file = "voice_recording_prices = { EUR = \"12.00\", JPY = \"1800\" }\n";
        let settings = Settings::from_sources(Some(file), |_| None).unwrap();
        let config = settings.app_config();
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(
            config
                .voice_recording_prices
                .price(jpy)
                .unwrap()
                .to_string(),
            "1800 JPY"
        );
        assert!(config.voice_recording_prices.price(Currency::USD).is_err());
        let from_env = Settings::from_sources(Some(file), |name| {
            (name == "VNUM_VOICE_RECORDING_PRICES").then(|| "USD=9.99, GBP=8".to_owned())
        })
        .unwrap()
        .app_config();
        assert_eq!(
            from_env
                .voice_recording_prices
                .price(Currency::GBP)
                .unwrap()
                .to_string(),
            "8.00 GBP"
        );
        assert!(
            from_env
                .voice_recording_prices
                .price(Currency::EUR)
                .is_err()
        );
        for bad in ["EUR", "EUR=0", "EUR=1.001", "XXX=1", "EUR=1,EUR=2"] {
            let error = Settings::from_sources(None, |name| {
                (name == "VNUM_VOICE_RECORDING_PRICES").then(|| bad.to_owned())
            })
            .unwrap_err();
            assert!(
                format!("{error:#}").contains("VNUM_VOICE_RECORDING_PRICES"),
                "{bad}: {error:#}"
            );
        }
    }

    #[test]
    fn sms_lifetime_and_legal_details_are_checked_wherever_they_come_from() {
        let settings = Settings::from_sources(
            Some("legal_name = \"Acme Telecom GmbH\"\nsms_allocation_lifetime_minutes = 45\n"),
            |name| (name == "VNUM_LEGAL_TAX_ID").then(|| "DE123456789".to_owned()),
        )
        .unwrap();
        let config = settings.app_config();
        assert_eq!(config.sms_allocation_lifetime_minutes, 45);
        assert_eq!(config.hold_minutes, 15);
        assert_eq!(config.issuer.name, "Acme Telecom GmbH");
        assert_eq!(config.issuer.tax_id.as_deref(), Some("DE123456789"));
        assert_eq!(config.issuer.address, None);
        for file in [
            "sms_allocation_lifetime_minutes = 0",
            "sms_allocation_lifetime_minutes = 1441",
            "hold_minutes = 0",
            "hold_minutes = 1441",
            "legal_name = \"  \"",
            "legal_address = \"line one\\nBcc: x@example.com\"",
        ] {
            let error = Settings::from_sources(Some(file), |_| None).unwrap_err();
            assert!(
                format!("{error:#}").starts_with("the configuration file is invalid: "),
                "{file}: {error:#}"
            );
        }
        let error = Settings::from_sources(None, |name| {
            (name == "VNUM_SMS_ALLOCATION_LIFETIME_MINUTES").then(|| "0".to_owned())
        })
        .unwrap_err();
        assert!(
            format!("{error:#}").contains("expected 1 to 1440"),
            "{error:#}"
        );
    }

    #[test]
    fn r2_d1_holiday_calendars_are_read_from_a_directory_one_file_per_country() {
        let dir = std::env::temp_dir().join(format!("vnum-holidays-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("DE.txt"),
            "# Germany\n2026-12-25 Christmas Day\n2026-12-26 Boxing Day\n",
        )
        .unwrap();
        std::fs::write(dir.join("README.md"), "not a calendar").unwrap();
        let settings = Settings::from_sources(None, |name| {
            (name == "VNUM_HOLIDAYS_DIR").then(|| dir.display().to_string())
        })
        .unwrap();
        let config = settings.load_app_config().unwrap();
        let germany = CountryCode::parse("DE").unwrap();
        assert!(!config.calendar(germany).is_business_day(day(2026, 12, 25)));
        assert!(config.calendar(germany).is_business_day(day(2026, 12, 28)));
        assert!(
            config
                .calendar(CountryCode::parse("FR").unwrap())
                .is_business_day(day(2026, 12, 25)),
            "a country without a file has weekends only"
        );

        std::fs::write(dir.join("XX.txt"), "2026-01-01\n").unwrap();
        let error = format!("{:#}", settings.load_app_config().unwrap_err());
        assert!(
            error.contains("XX.txt") && error.contains("ISO code"),
            "{error}"
        );
        std::fs::remove_file(dir.join("XX.txt")).unwrap();
        std::fs::write(dir.join("FR.txt"), "2026-07-14\nBastille Day\n").unwrap();
        let error = format!("{:#}", settings.load_app_config().unwrap_err());
        assert!(
            error.contains("FR.txt") && error.contains("line 2"),
            "{error}"
        );
        std::fs::remove_dir_all(&dir).unwrap();

        let missing = Settings::from_sources(None, |name| {
            (name == "VNUM_HOLIDAYS_DIR").then(|| "/no/such/holidays".to_owned())
        })
        .unwrap();
        let error = format!("{:#}", missing.load_app_config().unwrap_err());
        assert!(error.contains("/no/such/holidays"), "{error}");
    }

    #[test]
    fn smtp_comes_from_the_file_or_the_environment_and_is_off_by_default() {
        use crate::mail::SmtpSecurity;
        assert_eq!(Settings::default().smtp(), None, "email goes to the log");
        let file = Settings::from_sources(
            Some("smtp_host = \"mail.example.net\"\nsmtp_security = \"tls\""),
            |_| None,
        )
        .unwrap();
        let smtp = file.smtp().unwrap();
        assert_eq!((smtp.host.as_str(), smtp.port), ("mail.example.net", 465));
        assert_eq!(smtp.security, SmtpSecurity::Tls);
        assert_eq!(smtp.credentials, None);
        let env = Settings::from_sources(None, |name| match name {
            "VNUM_SMTP_HOST" => Some("127.0.0.1".to_owned()),
            "VNUM_SMTP_PORT" => Some("2525".to_owned()),
            "VNUM_SMTP_SECURITY" => Some("none".to_owned()),
            "VNUM_SMTP_USERNAME" => Some("vnum".to_owned()),
            "VNUM_SMTP_PASSWORD" => Some("secret".to_owned()),
            "VNUM_SMTP_FROM" => Some("Billing <billing@example.net>".to_owned()),
            _ => None,
        })
        .unwrap();
        let smtp = env.smtp().unwrap();
        assert_eq!(smtp.port, 2525);
        assert_eq!(smtp.security, SmtpSecurity::None);
        assert_eq!(
            smtp.credentials,
            Some(("vnum".to_owned(), "secret".to_owned()))
        );
        assert_eq!(smtp.from, "Billing <billing@example.net>");
        for (name, value, says) in [
            ("VNUM_SMTP_SECURITY", "ssl", "VNUM_SMTP_SECURITY"),
            ("VNUM_SMTP_USERNAME", "vnum", "smtp_password"),
            ("VNUM_SMTP_FROM", "not an address", "smtp_from"),
        ] {
            let err = Settings::from_sources(None, |n| (n == name).then(|| value.to_owned()))
                .unwrap_err();
            assert!(err.to_string().contains(says), "{err}");
        }
    }

    #[test]
    fn webhook_limits_reach_the_application_and_a_lease_shorter_than_an_attempt_is_refused() {
        let config = Settings::from_sources(None, |name| match name {
            "VNUM_WEBHOOK_PRIVATE_TARGETS" => Some("true".to_owned()),
            "VNUM_WEBHOOK_FIRST_RETRY_MS" => Some("500".to_owned()),
            "VNUM_WEBHOOK_RETRY_FOR_SECONDS" => Some("3600".to_owned()),
            "VNUM_WEBHOOK_DISABLE_AFTER_SECONDS" => Some("7200".to_owned()),
            "VNUM_WEBHOOK_MAX_ENDPOINTS" => Some("3".to_owned()),
            "VNUM_OUTBOX_LEASE_SECONDS" => Some("45".to_owned()),
            _ => None,
        })
        .unwrap()
        .app_config();
        assert_eq!(
            config.webhooks,
            vnum_app::WebhookPolicy {
                first_retry_ms: 500,
                retry_for_seconds: 3600,
                disable_after_seconds: 7200,
                private_targets_allowed: true,
                max_endpoints: 3,
            }
        );
        assert_eq!(config.outbox_lease_seconds, 45);
        assert!(
            !Settings::default()
                .app_config()
                .webhooks
                .private_targets_allowed
        );
        let err = Settings::from_sources(None, |name| {
            (name == "VNUM_OUTBOX_LEASE_SECONDS").then(|| "10".to_owned())
        })
        .unwrap_err();
        assert!(err.to_string().contains("outbox_lease_seconds"), "{err}");
        let err = Settings::from_sources(None, |name| {
            (name == "VNUM_OUTBOX_POLL_SECONDS").then(|| "0".to_owned())
        })
        .unwrap_err();
        assert!(err.to_string().contains("outbox_poll_seconds"), "{err}");
    }

    #[test]
    fn r6_2_a_default_caller_id_fee_per_currency_comes_from_the_file_or_the_environment() {
        assert!(
            Settings::default()
                .app_config()
                .caller_id_prices
                .get(Currency::EUR)
                .is_none(),
            "no default: an offer names its own fee"
        );
        let file =
            Settings::from_sources(Some("caller_id_prices = { EUR = \"1\" }\n"), |_| None).unwrap();
        assert_eq!(
            file.app_config()
                .caller_id_prices
                .get(Currency::EUR)
                .unwrap()
                .to_string(),
            "1.00 EUR"
        );
        let env = Settings::from_sources(None, |name| {
            (name == "VNUM_CALLER_ID_PRICES").then(|| "USD=1.20".to_owned())
        })
        .unwrap();
        assert!(
            env.app_config()
                .caller_id_prices
                .get(Currency::USD)
                .is_some()
        );
        for bad in ["USD=0", "USD=1.001", "USD"] {
            let error = Settings::from_sources(None, |name| {
                (name == "VNUM_CALLER_ID_PRICES").then(|| bad.to_owned())
            })
            .unwrap_err();
            assert!(
                format!("{error:#}").contains("VNUM_CALLER_ID_PRICES"),
                "{bad}: {error:#}"
            );
        }
    }
}
