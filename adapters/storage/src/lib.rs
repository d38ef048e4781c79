//! The storage adapter of vnum: the store ports of `vnum-app` on SQLite and PostgreSQL.
//!
//! `vnum-storage` owns the database side of storage: the schema and its migrations (run on
//! every start-up), the sea-orm entities, and one implementation of
//! [`vnum_app::ports::Store`], [`SeaOrmStore`], whose unit of work is one database
//! transaction. The invariants the ports promise (one charge per number and period, unique
//! references, emails, live E.164 numbers, API key hashes, stock numbers and SIP logins, one
//! SMS allocation per number and service and one waiting per number, one active contract,
//! one closing-document number per period) are unique indexes, so they hold under
//! concurrency, and each violation comes back as the same
//! [`StoreError::Conflict`](vnum_app::ports::StoreError::Conflict) the in-memory store
//! reports. Money is kept exactly, as integer minor units beside its currency. The renewal
//! run (R10.2) is set-based: one batch is a handful of statements, whatever its size.
//!
//! It owns no business rule: which numbers are due and what the periods are come from the
//! use cases in `vnum-app`. It does not pick a database for the caller either: SQLite by a
//! `sqlite://` URL (the file is created when missing), PostgreSQL by a `postgres://` URL.
//!
//! Read-only units of work answer from a [`ReadCache`] when it is on (by default for
//! SQLite, whose file the store then locks for this process): any committed unit of work
//! forgets it all, so it never answers what the database no longer holds.
//!
//! Customers, the ledger, numbers and API keys are plain columns (the renewal run works on
//! them set-based); every other aggregate is a table of the key columns its lookups and
//! invariants need plus the record itself as a JSON document that carries the version of
//! its shape. Those documents are part of the schema: the record module says how each
//! version reads, upgrades older ones in code, refuses newer ones, and tests a committed
//! sample of every version. Adding a repository is regular: a table in a new migration
//! step, and one `impl` block of the port for the transaction in a module of its own, built
//! on the shared helpers for guarded writes, JSON records and id sequences.

pub mod entity;

mod cache;
mod codec;
mod error;
mod migration;
mod record;
mod repo;
mod store;

pub use cache::ReadCache;
pub use sea_orm::ConnectOptions;
pub use store::{SQLITE_BUSY_TIMEOUT, SQLITE_READERS, SeaOrmStore, StartUpLock};
