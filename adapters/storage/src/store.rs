//! The store and its unit of work.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sea_orm::sqlx::sqlite::SqliteJournalMode;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseExecutor,
    DatabaseTransaction, DbBackend, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use vnum_app::ports::store::CallLog;
use vnum_app::ports::{Store, StoreError, Transaction};

use crate::cache::{Cache, Key, ReadCache, Ticket, lock_database, sqlite_file};
use crate::error::store_error;
use crate::migration::Migrator;

/// A [`Store`] on a SQL database through sea-orm: SQLite or PostgreSQL.
///
/// Read-only units of work ([`Store::read`]) answer from a [read cache](ReadCache) when it
/// is on, as it is by default for SQLite; see [`ReadCache`] for when it may be.
///
/// A SQLite file is opened in WAL mode with two pools: one writer connection, which every
/// unit of work that may write takes in turn (`BEGIN IMMEDIATE`), so writes are serialised
/// and each is one atomic transaction; and a pool of readers ([`SQLITE_READERS`] unless
/// the options' `max_connections` says otherwise) that refuse to write (`query_only`) and
/// that read-only units of work use. In WAL mode readers never wait for the writer, nor it
/// for them: a renewal batch or a long closing document does not hold up the SIP engine's
/// route and HA1 lookups. Both wait up to [`SQLITE_BUSY_TIMEOUT`] for a lock another process
/// holds. PostgreSQL has one pool for both; an in-memory SQLite database one connection.
///
/// Cheap to clone: clones share the connection pools and one cache.
#[derive(Clone, Debug)]
pub struct SeaOrmStore {
    /// Units of work that may write.
    db: DatabaseConnection,
    /// Read-only units of work: a pool of its own on a SQLite file, `db` otherwise.
    readers: DatabaseConnection,
    cache: Option<Arc<Cache>>,
    /// Called after every unit of work that may have written commits.
    on_commit: Option<CommitHook>,
    /// A SQLite file's `<file>.lock`, held while the store or a clone lives.
    _lock: Option<Arc<std::fs::File>>,
    /// On PostgreSQL with the read cache: dropped with the last clone of the store, which
    /// stops the cache's listener.
    _listener: Option<Arc<tokio::sync::oneshot::Sender<()>>>,
    /// On PostgreSQL: the quoted channel its commits notify ([`cache_channel`]).
    channel: Option<Arc<str>>,
}

/// The channel of PostgreSQL notices that a unit of work that may have written committed,
/// for the schema the store works in: every store with the read cache on that schema
/// listens on it (channels are per database, and schemas of one database hold the data of
/// different deployments).
fn cache_channel(schema: &str) -> String {
    let mut name = format!("vnum_read_cache:{schema}");
    // An identifier is at most 63 bytes.
    while name.len() > 63 {
        name.pop();
    }
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// How long a listener whose connection failed waits before it connects again.
const LISTENER_RETRY: Duration = Duration::from_secs(1);

/// What [`SeaOrmStore::on_commit`] calls.
#[derive(Clone)]
struct CommitHook(Arc<dyn Fn() + Send + Sync>);

impl std::fmt::Debug for CommitHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CommitHook")
    }
}

/// How many read-only connections a store on a SQLite file opens beside its writer, unless
/// the options' `max_connections` says otherwise.
pub const SQLITE_READERS: u32 = 4;

/// How long a SQLite connection waits for a lock held by another process (a second store
/// without read cache sharing the file, an operator's `sqlite3` shell) before the statement
/// fails as busy.
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

impl SeaOrmStore {
    /// Connects to `url` and brings the schema up to date.
    ///
    /// A `sqlite://path` URL without a `mode` opens the file read-write and creates it when
    /// missing; `sqlite::memory:` is a private database on one connection, for tests. The
    /// read cache is [`ReadCache::default_for`] the URL: on for SQLite, which then locks
    /// the file for this process, off for PostgreSQL.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the database cannot be reached or migrated, or when
    /// another process has the SQLite file open with its read cache.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(ConnectOptions::new(Self::url_with_defaults(url))).await
    }

    /// The URL [`SeaOrmStore::connect`] connects to: a SQLite file URL without a `mode`
    /// gets `mode=rwc`, so that the file is created when missing.
    #[must_use]
    pub fn url_with_defaults(url: &str) -> String {
        with_sqlite_create(url)
    }

    /// Connects with sea-orm's options (pool size, PostgreSQL schema search path, …) and
    /// the read cache [`ReadCache::default_for`] the URL, and brings the schema up to date.
    ///
    /// # Errors
    /// As [`SeaOrmStore::connect`].
    pub async fn connect_with(options: ConnectOptions) -> Result<Self, StoreError> {
        let cache = ReadCache::default_for(options.get_url());
        Self::open(options, cache).await
    }

    /// Connects with sea-orm's options and the given read cache, and brings the schema up
    /// to date. A SQLite file is locked (`<file>.lock`) while the store or a clone of it
    /// lives: exclusively with the cache on, so that nothing else writes behind it, shared
    /// with the cache off, so that uncached stores may share the file.
    ///
    /// # Errors
    /// As [`SeaOrmStore::connect`].
    pub async fn open(mut options: ConnectOptions, cache: ReadCache) -> Result<Self, StoreError> {
        let url = options.get_url();
        if url.contains(":memory:") || url.contains("mode=memory") {
            // Every connection to an in-memory SQLite database opens a new, empty one.
            options.max_connections(1).min_connections(1);
        }
        let cached = matches!(cache, ReadCache::On { .. });
        let lock = sqlite_file(options.get_url())
            .map(|file| lock_database(&file, cached))
            .transpose()?
            .map(Arc::new);
        options.sqlx_logging(false);
        let Some(_) = sqlite_file(options.get_url()) else {
            let db = Database::connect(options).await.map_err(store_error)?;
            migrate(&db, None).await.map_err(store_error)?;
            let channel: Option<Arc<str>> = match db.get_database_backend() {
                DbBackend::Postgres => {
                    let row = db
                        .query_one_raw(sea_orm::Statement::from_string(
                            DbBackend::Postgres,
                            "SELECT current_schema()",
                        ))
                        .await
                        .map_err(store_error)?
                        .ok_or_else(|| StoreError::Unavailable("no current schema".into()))?;
                    let schema: String = row.try_get_by_index(0).map_err(store_error)?;
                    Some(cache_channel(&schema).into())
                }
                _ => None,
            };
            let (cache, listener) = match cache {
                ReadCache::Off => (None, None),
                ReadCache::On { capacity } if db.get_database_backend() == DbBackend::Postgres => {
                    let cache = Arc::new(Cache::shared(capacity));
                    let (stop, stopped) = tokio::sync::oneshot::channel();
                    tokio::spawn(listen(
                        db.get_postgres_connection_pool().clone(),
                        channel
                            .clone()
                            .unwrap_or_else(|| cache_channel("public").into()),
                        Arc::downgrade(&cache),
                        stopped,
                    ));
                    (Some(cache), Some(Arc::new(stop)))
                }
                ReadCache::On { capacity } => (Some(Arc::new(Cache::new(capacity))), None),
            };
            return Ok(Self {
                readers: db.clone(),
                db,
                cache,
                on_commit: None,
                _lock: lock,
                _listener: listener,
                channel,
            });
        };
        let cache = match cache {
            ReadCache::Off => None,
            ReadCache::On { capacity } => Some(Arc::new(Cache::new(capacity))),
        };
        let mut readers = options.clone();
        let mut writer = options;
        writer
            .max_connections(1)
            .min_connections(1)
            .map_sqlx_sqlite_opts(|sqlite| {
                sqlite
                    .journal_mode(SqliteJournalMode::Wal)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
            });
        let db = Database::connect(writer).await.map_err(store_error)?;
        migrate(&db, None).await.map_err(store_error)?;
        // Opened after the migrations, so that no reader sees a schema half made.
        readers
            .max_connections(readers.get_max_connections().unwrap_or(SQLITE_READERS))
            .map_sqlx_sqlite_opts(|sqlite| {
                sqlite
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
                    .pragma("query_only", "ON")
            });
        let readers = Database::connect(readers).await.map_err(store_error)?;
        Ok(Self {
            db,
            readers,
            cache,
            on_commit: None,
            _lock: lock,
            _listener: None,
            channel: None,
        })
    }

    /// Calls `hook` after every unit of work from [`Store::begin`] commits (or fails to:
    /// whether it took effect is then not certain), on the task that committed: what others
    /// keep of this database's data (a SIP engine's route table) can be forgotten then.
    /// Call logs ([`Store::call_log`]) and read-only units of work do not call it. Keep the
    /// hook short: signal a task rather than do the work.
    #[must_use]
    pub fn on_commit(mut self, hook: impl Fn() + Send + Sync + 'static) -> Self {
        self.on_commit = Some(CommitHook(Arc::new(hook)));
        self
    }

    /// Closes the connections of the store and its clones; units of work begun after it
    /// fail.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when a connection cannot be closed cleanly.
    pub async fn close(self) -> Result<(), StoreError> {
        let readers = self.readers.close().await.map_err(store_error);
        self.db.close().await.map_err(store_error)?;
        readers
    }

    /// How many migration steps this build has: [`SeaOrmStore::connect`] brings every
    /// database up to all of them.
    #[must_use]
    pub fn migration_steps() -> usize {
        Migrator::migrations().len()
    }

    /// Brings the schema of `db` up to its first `steps` migration steps and no further, as
    /// an earlier release left it: the upgrade tests build such databases, fill them as that
    /// release did, and then connect, which applies the rest. Steps applied already stay;
    /// nothing is ever migrated down.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when a step fails or `steps` is beyond
    /// [`SeaOrmStore::migration_steps`].
    pub async fn migrate_to(db: &DatabaseConnection, steps: usize) -> Result<(), StoreError> {
        let known = Self::migration_steps();
        if steps > known {
            return Err(StoreError::Unavailable(format!(
                "there are {known} migration steps, not {steps}"
            )));
        }
        let applied = Migrator::get_applied_migrations(db)
            .await
            .map_err(store_error)?
            .len();
        match u32::try_from(steps.saturating_sub(applied)) {
            Ok(0) => Ok(()),
            Ok(more) => migrate(db, Some(more)).await.map_err(store_error),
            Err(e) => Err(StoreError::Unavailable(e.to_string())),
        }
    }

    /// Forgets what the read cache remembers: after writing to the database other than
    /// through this store's units of work (through [`SeaOrmStore::connection`], say).
    pub fn forget_cached(&self) {
        if let Some(cache) = &self.cache {
            cache.forget();
        }
    }

    /// Whether the read cache hears of every commit to the database, so that it may answer:
    /// always on SQLite; on PostgreSQL, while its listening connection is up (a few
    /// milliseconds after the store opens, and again after a lost connection is back).
    /// `None` without the read cache.
    #[must_use]
    pub fn read_cache_hears(&self) -> Option<bool> {
        self.cache.as_deref().map(Cache::is_hearing)
    }

    /// The connection pool of units of work that may write (on a SQLite file, its one
    /// writer connection), for operators' queries and tests that look at the tables.
    #[must_use]
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// A transaction on the writer. On SQLite it takes the write lock at `BEGIN`
    /// (`IMMEDIATE`), so that a lock held by another process is waited for there, up to
    /// the busy timeout, rather than failing at the first write of a deferred transaction.
    async fn begin_writing(&self) -> Result<DatabaseTransaction, StoreError> {
        let begun = match self.db.get_database_backend() {
            DbBackend::Sqlite => {
                self.db
                    .begin_with_options(TransactionOptions {
                        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                        ..TransactionOptions::default()
                    })
                    .await
            }
            _ => self.db.begin().await,
        };
        begun.map_err(store_error)
    }
}

/// Keeps `cache` hearing of the commits of every server on the database: `LISTEN`s on
/// `channel` ([`cache_channel`]) on a connection of its own and empties the cache at each notice. While
/// that connection is down the cache is deaf; it hears again, empty, once the connection
/// listens again. Ends when the store is dropped (`stopped`) or the pool closes.
async fn listen(
    pool: sea_orm::sqlx::PgPool,
    channel: Arc<str>,
    cache: std::sync::Weak<Cache>,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
) {
    use sea_orm::sqlx::postgres::PgListener;
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(error) => {
                if pool.is_closed() {
                    return;
                }
                tracing::warn!(%error, "the read cache cannot listen for other servers' commits");
                tokio::select! {
                    _ = &mut stopped => return,
                    () = tokio::time::sleep(LISTENER_RETRY) => continue,
                }
            }
        };
        let unquoted = channel.trim_matches('"').replace("\"\"", "\"");
        if let Err(error) = listener.listen(&unquoted).await {
            tracing::warn!(%error, "the read cache cannot listen for other servers' commits");
            tokio::select! {
                _ = &mut stopped => return,
                () = tokio::time::sleep(LISTENER_RETRY) => continue,
            }
        }
        match cache.upgrade() {
            Some(cache) => cache.hears(true),
            None => return,
        }
        loop {
            let notice = tokio::select! {
                _ = &mut stopped => return,
                notice = listener.try_recv() => notice,
            };
            let Some(cache) = cache.upgrade() else { return };
            match notice {
                Ok(Some(_)) => cache.forget(),
                Ok(None) | Err(_) => {
                    cache.hears(false);
                    tracing::warn!(
                        "the read cache lost its listening connection: reading the database \
                         until it is back"
                    );
                    break;
                }
            }
        }
    }
}

/// What servers starting together on one PostgreSQL schema do once, one after the other:
/// seeding the demo and the catalogue. Each takes this lock (a session-level advisory lock
/// of its own connection, keyed by the schema) before it looks whether the work is done, and
/// releases it after; a second server waits, then finds the work done. On SQLite, where one
/// server has the file to itself, it locks nothing.
///
/// Dropped without [`StartUpLock::release`] (a failed start), its connection closes, which
/// releases the lock too.
#[derive(Debug)]
pub struct StartUpLock {
    connection: Option<DatabaseConnection>,
}

impl StartUpLock {
    /// Waits for and takes the start-up lock of the database at `url` (with the defaults
    /// of [`SeaOrmStore::url_with_defaults`]).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when PostgreSQL cannot be reached.
    pub async fn acquire(url: &str) -> Result<Self, StoreError> {
        if !(url.starts_with("postgres:") || url.starts_with("postgresql:")) {
            return Ok(Self { connection: None });
        }
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(1)
            .min_connections(1)
            .sqlx_logging(false);
        let connection = Database::connect(options).await.map_err(store_error)?;
        connection
            .execute_unprepared(START_UP_LOCK)
            .await
            .map_err(store_error)?;
        Ok(Self {
            connection: Some(connection),
        })
    }

    /// Releases the lock: the next server starting may go on.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the connection failed (the lock went with it).
    pub async fn release(self) -> Result<(), StoreError> {
        let Some(connection) = self.connection else {
            return Ok(());
        };
        connection
            .execute_unprepared(START_UP_UNLOCK)
            .await
            .map_err(store_error)?;
        connection.close().await.map_err(store_error)
    }
}

/// The start-up lock: an advisory lock keyed by the schema, so that deployments in other
/// schemas of the database start on their own.
const START_UP_LOCK: &str =
    "SELECT pg_advisory_lock(hashtext('vnum start-up ' || current_schema()))";
const START_UP_UNLOCK: &str =
    "SELECT pg_advisory_unlock(hashtext('vnum start-up ' || current_schema()))";

/// A lock number of PostgreSQL's advisory locks that only the migrations take: servers that
/// start together on one database migrate it one after the other.
const MIGRATION_LOCK: i64 = 0x766e_756d_0001;

/// Applies the pending migration steps (`steps` of them, or all) in one transaction: a
/// process killed while migrating leaves the database as it was, and the next start
/// migrates it whole. On PostgreSQL the transaction first takes [`MIGRATION_LOCK`], so a
/// second server that starts at the same time waits and then finds nothing to apply.
async fn migrate(db: &DatabaseConnection, steps: Option<u32>) -> Result<(), DbErr> {
    let txn = match db.get_database_backend() {
        DbBackend::Sqlite => {
            db.begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            })
            .await?
        }
        DbBackend::Postgres => {
            let txn = db.begin().await?;
            txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
                .await?;
            txn
        }
        _ => db.begin().await?,
    };
    Migrator::up(&txn, steps).await?;
    txn.commit().await
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
        let txn = self.begin_writing().await?;
        let backend = self.db.get_database_backend();
        Ok(Box::new(SeaOrmTransaction {
            txn: DatabaseExecutor::OwnedTransaction(txn),
            backend,
            cache: self.cache.as_deref().map(Caching::Forget),
            on_commit: self.on_commit.as_ref(),
            notify: self.channel.as_deref(),
        }))
    }

    /// A database transaction that neither reads from the cache nor forgets it when it
    /// commits: [`CallLog`] lets it write call records alone, which the cache never holds.
    /// A busy SIP engine's reports leave the answers it asks for next in memory.
    async fn call_log(&self) -> Result<CallLog<'_>, StoreError> {
        let txn = self.begin_writing().await?;
        Ok(CallLog::new(Box::new(SeaOrmTransaction {
            txn: DatabaseExecutor::OwnedTransaction(txn),
            backend: self.db.get_database_backend(),
            cache: None,
            on_commit: None,
            notify: None,
        })))
    }

    /// Reads on the readers' pool without BEGIN and ROLLBACK: each statement sees the
    /// latest committed data, as every statement of a READ COMMITTED transaction does, at a
    /// third of the round trips; with the read cache on, the lookups it keeps are answered
    /// from memory when they can be. On a SQLite file the readers never wait for the
    /// writer.
    async fn read(&self) -> Result<Box<dyn Transaction + '_>, StoreError> {
        let backend = self.readers.get_database_backend();
        Ok(Box::new(SeaOrmTransaction {
            txn: DatabaseExecutor::Connection(&self.readers),
            backend,
            cache: self.cache.as_deref().map(Caching::Recall),
            on_commit: None,
            notify: None,
        }))
    }
}

/// One unit of work: one database transaction, dropped without commit it rolls back; or,
/// for a read-only unit of work, the connection pool itself.
pub(crate) struct SeaOrmTransaction<'a> {
    pub(crate) txn: DatabaseExecutor<'a>,
    pub(crate) backend: DbBackend,
    cache: Option<Caching<'a>>,
    on_commit: Option<&'a CommitHook>,
    /// The channel the commit tells every server's read cache on (PostgreSQL,
    /// [`cache_channel`]).
    notify: Option<&'a str>,
}

/// What a unit of work does with the store's read cache.
#[derive(Clone, Copy)]
enum Caching<'a> {
    /// A read-only unit of work: answers from it and fills it.
    Recall(&'a Cache),
    /// A unit of work that may write: reads the database, and empties the cache when it
    /// commits.
    Forget(&'a Cache),
}

impl SeaOrmTransaction<'_> {
    /// The cached answer under `key` for a read-only unit of work; otherwise a ticket (if
    /// there is a cache to fill) for [`SeaOrmTransaction::remember`].
    pub(crate) fn recall<T: Clone + 'static>(&self, key: Key) -> Result<T, Option<Ticket>> {
        match self.cache {
            Some(Caching::Recall(cache)) => cache.recall(key).map_err(Some),
            Some(Caching::Forget(_)) | None => Err(None),
        }
    }

    /// Remembers the answer read from the database for a ticket of
    /// [`SeaOrmTransaction::recall`].
    pub(crate) fn remember<T: Clone + Send + Sync + 'static>(
        &self,
        ticket: Option<Ticket>,
        answer: &T,
    ) {
        if let (Some(Caching::Recall(cache)), Some(ticket)) = (self.cache, ticket) {
            cache.remember(ticket, answer);
        }
    }
}

#[async_trait]
impl Transaction for SeaOrmTransaction<'_> {
    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        let committed = match self.txn {
            DatabaseExecutor::OwnedTransaction(txn) => {
                // Delivered by PostgreSQL at the commit and only if it commits: the
                // notice and the change are one.
                if let Some(channel) = self.notify {
                    txn.execute_unprepared(&format!("NOTIFY {channel}"))
                        .await
                        .map_err(store_error)?;
                }
                txn.commit().await.map_err(store_error)
            }
            // A read-only unit of work wrote nothing to commit.
            DatabaseExecutor::Connection(_) | DatabaseExecutor::Transaction(_) => Ok(()),
        };
        // Forgotten after a failed commit too: whether it took effect is not certain.
        if let Some(Caching::Forget(cache)) = self.cache {
            cache.forget();
        }
        if let Some(CommitHook(hook)) = self.on_commit {
            hook();
        }
        committed
    }
}

#[cfg(test)]
mod tests {
    use super::{cache_channel, with_sqlite_create};

    #[test]
    fn each_schema_has_its_own_quoted_channel_of_at_most_63_bytes() {
        assert_eq!(cache_channel("public"), "\"vnum_read_cache:public\"");
        assert_eq!(cache_channel("a\"b"), "\"vnum_read_cache:a\"\"b\"");
        let long = cache_channel(&"x".repeat(100));
        assert_eq!(long.len(), 63 + 2);
    }

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
