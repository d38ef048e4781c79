//! The store and its unit of work.

use async_trait::async_trait;
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseExecutor, DbBackend, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use vnum_app::ports::{Store, StoreError, Transaction};

use crate::error::store_error;
use crate::migration::Migrator;

/// A [`Store`] on a SQL database through sea-orm: SQLite or PostgreSQL.
///
/// Cheap to clone: clones share one connection pool.
#[derive(Clone, Debug)]
pub struct SeaOrmStore {
    db: DatabaseConnection,
}

impl SeaOrmStore {
    /// Connects to `url` and brings the schema up to date.
    ///
    /// A `sqlite://path` URL without a `mode` opens the file read-write and creates it when
    /// missing; `sqlite::memory:` is a private database on one connection, for tests.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the database cannot be reached or migrated.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(ConnectOptions::new(with_sqlite_create(url))).await
    }

    /// Connects with sea-orm's options (pool size, PostgreSQL schema search path, …) and
    /// brings the schema up to date.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the database cannot be reached or migrated.
    pub async fn connect_with(mut options: ConnectOptions) -> Result<Self, StoreError> {
        if options.get_url().contains(":memory:") || options.get_url().contains("mode=memory") {
            // Every connection to an in-memory SQLite database opens a new, empty one.
            options.max_connections(1).min_connections(1);
        }
        options.sqlx_logging(false);
        let db = Database::connect(options).await.map_err(store_error)?;
        Migrator::up(&db, None).await.map_err(store_error)?;
        Ok(Self { db })
    }

    /// The connection pool, for operators' queries and tests that look at the tables.
    #[must_use]
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }
}

/// Adds `mode=rwc` to a SQLite file URL that has no mode, so the file is created.
fn with_sqlite_create(url: &str) -> String {
    let is_file = url.starts_with("sqlite:") && !url.contains(":memory:");
    if is_file && !url.contains("mode=") {
        let separator = if url.contains('?') { '&' } else { '?' };
        format!("{url}{separator}mode=rwc")
    } else {
        url.to_owned()
    }
}

#[async_trait]
impl Store for SeaOrmStore {
    async fn begin(&self) -> Result<Box<dyn Transaction + '_>, StoreError> {
        let txn = self.db.begin().await.map_err(store_error)?;
        let backend = self.db.get_database_backend();
        Ok(Box::new(SeaOrmTransaction {
            txn: DatabaseExecutor::OwnedTransaction(txn),
            backend,
        }))
    }

    /// Reads on the pool without BEGIN and ROLLBACK: each statement sees the latest
    /// committed data, as every statement of a READ COMMITTED transaction does, at a third
    /// of the round trips.
    async fn read(&self) -> Result<Box<dyn Transaction + '_>, StoreError> {
        let backend = self.db.get_database_backend();
        Ok(Box::new(SeaOrmTransaction {
            txn: DatabaseExecutor::Connection(&self.db),
            backend,
        }))
    }
}

/// One unit of work: one database transaction, dropped without commit it rolls back; or,
/// for a read-only unit of work, the connection pool itself.
pub(crate) struct SeaOrmTransaction<'a> {
    pub(crate) txn: DatabaseExecutor<'a>,
    pub(crate) backend: DbBackend,
}

#[async_trait]
impl Transaction for SeaOrmTransaction<'_> {
    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        match self.txn {
            DatabaseExecutor::OwnedTransaction(txn) => txn.commit().await.map_err(store_error),
            // A read-only unit of work wrote nothing to commit.
            DatabaseExecutor::Connection(_) | DatabaseExecutor::Transaction(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::with_sqlite_create;

    #[test]
    fn a_sqlite_file_is_created_when_missing() {
        assert_eq!(
            with_sqlite_create("sqlite://a.db"),
            "sqlite://a.db?mode=rwc"
        );
        assert_eq!(
            with_sqlite_create("sqlite://a.db?x=1"),
            "sqlite://a.db?x=1&mode=rwc"
        );
        assert_eq!(
            with_sqlite_create("sqlite://a.db?mode=ro"),
            "sqlite://a.db?mode=ro"
        );
        assert_eq!(with_sqlite_create("sqlite::memory:"), "sqlite::memory:");
        assert_eq!(with_sqlite_create("postgres://x/y"), "postgres://x/y");
    }
}
