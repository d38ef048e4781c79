//! Databases for the storage suites: SQLite in memory, and a fresh PostgreSQL schema per
//! test so that runs never see each other's data.

#![allow(dead_code)] // Each test binary uses its own part of these helpers.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use vnum_app::model::{Billing, CustomerKind, NewCustomer, NumberRecord, NumberSettings};
use vnum_compliance::EndUser;
use vnum_core::{CustomerId, NumberId, OfferId, PrepaidTerm};
use vnum_lifecycle::NumberState;
use vnum_storage::SeaOrmStore;
use vnum_testkit::{at, country, day, eur, phone};

/// Where the PostgreSQL suites connect unless `VNUM_TEST_POSTGRES_URL` says otherwise.
pub(crate) const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

pub(crate) async fn sqlite() -> SeaOrmStore {
    SeaOrmStore::connect("sqlite::memory:")
        .await
        .expect("an in-memory SQLite database opens and migrates")
}

/// A store on a schema of its own, dropped by [`PgSchema::drop`], or when the value goes
/// out of scope in a test that failed before.
pub(crate) struct PgSchema {
    pub(crate) store: SeaOrmStore,
    pub(crate) admin: DatabaseConnection,
    pub(crate) name: String,
    url: String,
    dropped: bool,
}

impl PgSchema {
    /// Another store on the same schema, as a second server sharing the database would
    /// open it.
    pub(crate) async fn second_store(&self) -> SeaOrmStore {
        let separator = if self.url.contains('?') { '&' } else { '?' };
        let mut options = ConnectOptions::new(format!(
            "{}{separator}application_name={}",
            self.url, self.name
        ));
        options
            .set_schema_search_path(self.name.clone())
            .max_connections(20);
        SeaOrmStore::connect_with(options)
            .await
            .expect("a second store connects to the same schema")
    }

    pub(crate) async fn drop(mut self) {
        self.admin
            .execute_unprepared(&format!("DROP SCHEMA {} CASCADE", self.name))
            .await
            .expect("the test schema drops");
        self.dropped = true;
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        // A failed test unwinds here.
        drop_schema_on_the_side(self.url.clone(), self.name.clone());
    }
}

/// Drops schema `name` from a thread of its own, since a test's runtime cannot be blocked
/// on while it unwinds.
fn drop_schema_on_the_side(url: String, name: String) {
    let cleanup = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for the cleanup");
        runtime.block_on(async move {
            if let Ok(admin) = Database::connect(url.as_str()).await {
                let _ = admin
                    .execute_unprepared(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                    .await;
            }
        });
    });
    let _ = cleanup.join();
}

fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "{prefix}_{}_{nanos}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A fresh schema on the test server, or `None` (with the reason printed) when there is no
/// server. Under `CI=true` a missing server fails the test instead.
pub(crate) async fn postgres() -> Option<PgSchema> {
    Some(postgres_empty().await?.store().await)
}

/// A fresh schema that no migration has run on yet, for the upgrade tests: they migrate
/// [`EmptyPgSchema::db`] part of the way, fill it as an earlier release did, and then open
/// the store, which applies the remaining steps. `None` as for [`postgres`].
pub(crate) struct EmptyPgSchema {
    /// A connection to the schema alone.
    pub(crate) db: DatabaseConnection,
    admin: Option<DatabaseConnection>,
    options: ConnectOptions,
    name: String,
    url: String,
}

impl EmptyPgSchema {
    /// The schema's name, which is also the `application_name` of its connections.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The options a store of this schema connects with.
    pub(crate) fn options(&self) -> ConnectOptions {
        self.options.clone()
    }

    /// The store on this schema, connected and migrated as production connects.
    pub(crate) async fn store(mut self) -> PgSchema {
        let store = SeaOrmStore::connect_with(self.options.clone())
            .await
            .expect("the store connects and migrates");
        PgSchema {
            store,
            admin: self.admin.take().expect("the schema is opened once"),
            name: std::mem::take(&mut self.name),
            url: self.url.clone(),
            dropped: false,
        }
    }
}

impl Drop for EmptyPgSchema {
    fn drop(&mut self) {
        // Handed over to a `PgSchema`, which drops it; otherwise a test failed before.
        if self.admin.is_some() {
            drop_schema_on_the_side(self.url.clone(), self.name.clone());
        }
    }
}

/// See [`EmptyPgSchema`].
pub(crate) async fn postgres_empty() -> Option<EmptyPgSchema> {
    let url =
        std::env::var("VNUM_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.into());
    // One failed connection is enough to know for every test of this binary.
    static UNREACHABLE: AtomicBool = AtomicBool::new(false);
    let mut admin_options = ConnectOptions::new(url.clone());
    admin_options
        .connect_timeout(Duration::from_secs(3))
        .acquire_timeout(Duration::from_secs(3));
    let connected = if UNREACHABLE.load(Ordering::Relaxed) {
        Err("it was unreachable for an earlier test".to_owned())
    } else {
        Database::connect(admin_options)
            .await
            .map_err(|e| e.to_string())
    };
    let admin = match connected {
        Ok(admin) => admin,
        Err(error) => {
            UNREACHABLE.store(true, Ordering::Relaxed);
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "PostgreSQL is required in CI at {url}: {error}"
            );
            eprintln!("skipped: PostgreSQL is unreachable at {url}: {error}");
            return None;
        }
    };
    let name = unique_name("vnum_test");
    admin
        .execute_unprepared(&format!("CREATE SCHEMA {name}"))
        .await
        .expect("the test schema is created");
    let separator = if url.contains('?') { '&' } else { '?' };
    // The application name lets a crash test find this store's connections, and only them.
    let mut options = ConnectOptions::new(format!("{url}{separator}application_name={name}"));
    options
        .set_schema_search_path(name.clone())
        .max_connections(20);
    let mut schema_only = options.clone();
    schema_only.max_connections(1);
    let db = Database::connect(schema_only)
        .await
        .expect("a connection to the test schema");
    Some(EmptyPgSchema {
        db,
        admin: Some(admin),
        options,
        name,
        url,
    })
}

pub(crate) fn new_customer(email: &str) -> NewCustomer {
    NewCustomer {
        name: "Ada Lovelace".into(),
        email: email.into(),
        kind: CustomerKind::Person,
        currency: vnum_core::Currency::EUR,
        registered_at: at(day(2026, 1, 1), 3),
    }
}

/// A number connected on the `anchor` day of January 2026, paid up to `paid_through`.
pub(crate) fn billed_number(
    customer: CustomerId,
    e164: &str,
    anchor: u32,
    paid_through: NaiveDate,
    fee: Decimal,
) -> NumberRecord {
    NumberRecord {
        id: NumberId(0),
        customer,
        offer: OfferId(1),
        country: country("DE"),
        state: NumberState::Active {
            number: phone(e164),
            connected_on: day(2026, 1, anchor),
        },
        wanted: None,
        first_term: PrepaidTerm::OneMonth,
        end_user: EndUser::Business,
        billing: Some(Billing {
            anchor_day: vnum_billing::ConnectionDay::new(anchor).unwrap(),
            connected_on: day(2026, 1, anchor),
            paid_through,
            monthly_fee: eur(fee),
            renewal_stopped_on: None,
        }),
        settings: NumberSettings::default(),
        first_charge: None,
        version: 0,
    }
}

/// The number deleted on `on`, keeping its concrete number (R10.7).
pub(crate) fn deleted(mut number: NumberRecord, on: NaiveDate) -> NumberRecord {
    number.state = NumberState::Deleted {
        number: number.e164().cloned(),
        deleted_on: on,
    };
    number
}
