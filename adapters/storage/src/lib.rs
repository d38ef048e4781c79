//! The storage adapter of vnum: the store ports of `vnum-app` on SQLite and PostgreSQL.
//!
//! `vnum-storage` owns the database side of storage: the schema and its migrations (run on
//! every start-up), the sea-orm entities, and one implementation of
//! [`vnum_app::ports::Store`], [`SeaOrmStore`], whose unit of work is one database
//! transaction. The invariants the ports promise (one charge per number and period, unique
//! references, emails, live E.164 numbers and API key hashes) are unique indexes, so they
//! hold under concurrency, and each violation comes back as the same
//! [`StoreError::Conflict`](vnum_app::ports::StoreError::Conflict) the in-memory store
//! reports. Money is kept exactly, as integer minor units beside its currency. The renewal
//! run (R10.2) is set-based: one batch is a handful of statements, whatever its size.
//!
//! It owns no business rule: which numbers are due and what the periods are come from the
//! use cases in `vnum-app`. It does not pick a database for the caller either: SQLite by a
//! `sqlite://` URL (the file is created when missing), PostgreSQL by a `postgres://` URL.
//!
//! Adding a repository is regular: an entity in [`entity`], a migration step, and one
//! `impl` block of the port for the transaction in a module of its own.

pub mod entity;

mod codec;
mod error;
mod migration;
mod repo;
mod store;

pub use sea_orm::ConnectOptions;
pub use store::SeaOrmStore;
