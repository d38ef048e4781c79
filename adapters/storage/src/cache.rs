//! The read cache: what read-only units of work remember between requests.
//!
//! A read endpoint of the API is one or two primary-key lookups; on SQLite each costs a
//! round trip to the driver's worker thread, which is most of the request. The cache
//! answers them from memory instead, and stays exact by one rule: **every committed unit of
//! work that could have written empties it**. Only read-only units ([`Store::read`]) look
//! into it; a unit of work from [`Store::begin`] always reads the database, so what it
//! decides on is never a cached answer.
//!
//! On SQLite that rule makes the cache exact because every write to the database goes
//! through this process's [`SeaOrmStore`] (and its clones): the store locks `<file>.lock`
//! beside the database exclusively, so that no other store can open it (stores without the
//! cache take that lock shared, and may share a file among themselves).
//!
//! On PostgreSQL, whose database several servers share, every unit of work that may write
//! also sends `NOTIFY "vnum_read_cache:<schema>"` inside its transaction, so the notice is
//! delivered exactly when the change is committed, and a store with the cache keeps a
//! connection that `LISTEN`s on that channel: each notice empties its cache as its own
//! commits do. While the
//! listening connection is down (and before it first listens) the cache is *deaf*: it
//! answers nothing and remembers nothing, and every read goes to the database; once the
//! connection listens again the cache starts empty. Another server's write is thus seen here
//! once its notice arrives, a few milliseconds after its commit.
//!
//! A read that raced with a commit must not put the old answer back: each answer is
//! remembered only if no commit emptied the cache since the read started (a generation
//! number, compared under the lock).
//!
//! [`Store::read`]: vnum_app::ports::Store::read
//! [`Store::begin`]: vnum_app::ports::Store::begin
//! [`SeaOrmStore`]: crate::SeaOrmStore

use std::any::Any;
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{PoisonError, RwLock};

use vnum_app::ports::StoreError;

/// Whether read-only units of work answer from memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadCache {
    /// Every read goes to the database: for a database that other processes write as well.
    Off,
    /// Read-only units of work remember up to `capacity` answers (customers, balances,
    /// numbers, offers, API keys), and any committed write forgets them all. Only exact when
    /// this process alone writes the database.
    On {
        /// How many answers are kept; when full, all are forgotten and the cache refills.
        capacity: usize,
    },
}

impl ReadCache {
    /// The capacity of [`ReadCache::default_for`]'s cache: a few tens of megabytes at most.
    pub const DEFAULT_CAPACITY: usize = 100_000;

    /// On for SQLite (a file this process locks, or a private in-memory database), off for
    /// any other database.
    #[must_use]
    pub fn default_for(url: &str) -> Self {
        if url.starts_with("sqlite:") {
            Self::On {
                capacity: Self::DEFAULT_CAPACITY,
            }
        } else {
            Self::Off
        }
    }
}

/// What a cached answer is filed under. Each kind of key holds one type of answer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    /// `ApiKey` by token hash (only keys that exist are kept).
    Token(String),
    /// `Option<Customer>`.
    Customer(i64),
    /// `Money`: the customer's balance.
    Balance(i64),
    /// `Option<NumberRecord>`.
    Number(i64),
    /// `Option<NumberRecord>`: the live number rented as this E.164 (inbound routing).
    LiveNumber(String),
    /// `Vec<NumberRecord>`: the customer's numbers.
    NumbersOf(i64),
    /// `Vec<OrderRecord>`: the customer's orders.
    OrdersOf(i64),
    /// `Option<Offer>`.
    Offer(i64),
    /// `Vec<Offer>`: the whole catalogue.
    Offers,
    /// `Option<BulkAgreement>`: the customer's agreement.
    AgreementOf(i64),
}

/// The answers and the generation they belong to.
#[derive(Default)]
struct Answers {
    generation: u64,
    entries: HashMap<Key, Box<dyn Any + Send + Sync>>,
}

/// The shared cache of one store and its clones.
pub(crate) struct Cache {
    capacity: usize,
    answers: RwLock<Answers>,
    /// False while the cache cannot hear of other servers' commits (a shared database whose
    /// listening connection is down): it then answers and remembers nothing.
    hearing: AtomicBool,
}

/// A miss, to be filled in with the answer read from the database.
#[derive(Debug)]
pub(crate) struct Ticket {
    key: Key,
    generation: u64,
}

impl Cache {
    /// A cache of `capacity` answers, of a database this process alone writes.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            answers: RwLock::default(),
            hearing: AtomicBool::new(true),
        }
    }

    /// A cache of `capacity` answers of a shared database: deaf until its listener says
    /// that it hears ([`Cache::hears`]).
    pub(crate) fn shared(capacity: usize) -> Self {
        Self {
            hearing: AtomicBool::new(false),
            ..Self::new(capacity)
        }
    }

    /// Whether the cache hears of every commit: always for a database this process alone
    /// writes; for a shared one, while its listening connection is up.
    pub(crate) fn is_hearing(&self) -> bool {
        self.hearing.load(Ordering::SeqCst)
    }

    /// Starts (`true`) or stops hearing of other servers' commits; either way the cache
    /// starts empty, since what it remembers may have changed unheard.
    pub(crate) fn hears(&self, hearing: bool) {
        let mut answers = self.answers.write().unwrap_or_else(PoisonError::into_inner);
        self.hearing.store(hearing, Ordering::SeqCst);
        answers.generation += 1;
        answers.entries.clear();
    }

    /// The remembered answer under `key`, or a ticket to remember it by.
    pub(crate) fn recall<T: Clone + 'static>(&self, key: Key) -> Result<T, Ticket> {
        let answers = self.answers.read().unwrap_or_else(PoisonError::into_inner);
        if !self.is_hearing() {
            return Err(Ticket {
                key,
                generation: answers.generation,
            });
        }
        if let Some(hit) = answers
            .entries
            .get(&key)
            .and_then(|answer| answer.downcast_ref::<T>())
        {
            return Ok(hit.clone());
        }
        Err(Ticket {
            key,
            generation: answers.generation,
        })
    }

    /// Remembers `answer` for the ticket's key, unless a commit emptied the cache since the
    /// ticket was taken (the answer may then be older than that commit).
    pub(crate) fn remember<T: Clone + Send + Sync + 'static>(&self, ticket: Ticket, answer: &T) {
        let mut answers = self.answers.write().unwrap_or_else(PoisonError::into_inner);
        if answers.generation != ticket.generation || !self.is_hearing() {
            return;
        }
        if answers.entries.len() >= self.capacity {
            answers.entries.clear();
        }
        answers.entries.insert(ticket.key, Box::new(answer.clone()));
    }

    /// Forgets every answer: a unit of work committed.
    pub(crate) fn forget(&self) {
        let mut answers = self.answers.write().unwrap_or_else(PoisonError::into_inner);
        answers.generation += 1;
        answers.entries.clear();
    }

    /// How many answers are remembered.
    pub(crate) fn len(&self) -> usize {
        self.answers
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .entries
            .len()
    }
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

/// The path of the SQLite database file a URL names, if it names a file.
pub(crate) fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let in_memory =
        path.is_empty() || path == ":memory:" || query.split('&').any(|pair| pair == "mode=memory");
    (!in_memory).then(|| PathBuf::from(path))
}

/// Locks `<database>.lock`: exclusively for a store with the read cache, so that no other
/// store (in this process or another) writes the database behind its cache; shared for a
/// store without, so that any number of those may share the file, but none beside a cached
/// one.
///
/// # Errors
/// [`StoreError::Unavailable`] when another store holds the lock in a way that excludes
/// this one, or the lock file cannot be created.
pub(crate) fn lock_database(database: &Path, exclusive: bool) -> Result<File, StoreError> {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    let path = PathBuf::from(name);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|err| {
            StoreError::Unavailable(format!(
                "cannot create the lock file {}: {err}",
                path.display()
            ))
        })?;
    let locked = if exclusive {
        file.try_lock()
    } else {
        file.try_lock_shared()
    };
    match locked {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Unavailable(format!(
            "the SQLite database {} is open in another process (it holds {}); a store with \
             the read cache must be its only user: stop the other process, or open every \
             store of the file without the read cache (ReadCache::Off)",
            database.display(),
            path.display()
        ))),
        Err(std::fs::TryLockError::Error(err)) => Err(StoreError::Unavailable(format!(
            "cannot lock {}: {err}",
            path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_file("sqlite://vnum.sqlite?mode=rwc"),
            Some(PathBuf::from("vnum.sqlite"))
        );
        assert_eq!(
            sqlite_file("sqlite:///tmp/a.db"),
            Some(PathBuf::from("/tmp/a.db"))
        );
        assert_eq!(sqlite_file("sqlite:a.db"), Some(PathBuf::from("a.db")));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("sqlite://x.db?mode=memory&cache=shared"), None);
        assert_eq!(sqlite_file("postgres://localhost/test"), None);
    }

    #[test]
    fn a_miss_is_remembered_and_a_commit_forgets_it() {
        let cache = Cache::new(10);
        let ticket = cache.recall::<i64>(Key::Balance(1)).unwrap_err();
        cache.remember(ticket, &5_i64);
        assert_eq!(cache.recall::<i64>(Key::Balance(1)).unwrap(), 5);
        cache.forget();
        assert!(cache.recall::<i64>(Key::Balance(1)).is_err());
    }

    #[test]
    fn an_answer_read_before_a_commit_is_not_remembered_after_it() {
        let cache = Cache::new(10);
        let ticket = cache.recall::<i64>(Key::Balance(1)).unwrap_err();
        cache.forget();
        cache.remember(ticket, &5_i64);
        assert!(cache.recall::<i64>(Key::Balance(1)).is_err());
    }

    #[test]
    fn a_deaf_cache_answers_and_remembers_nothing_and_starts_empty_when_it_hears() {
        let cache = Cache::shared(10);
        let ticket = cache.recall::<i64>(Key::Balance(1)).unwrap_err();
        cache.remember(ticket, &5_i64);
        assert!(
            cache.recall::<i64>(Key::Balance(1)).is_err(),
            "deaf at first"
        );
        cache.hears(true);
        let ticket = cache.recall::<i64>(Key::Balance(1)).unwrap_err();
        cache.remember(ticket, &5_i64);
        assert_eq!(cache.recall::<i64>(Key::Balance(1)).unwrap(), 5);
        // A read begun while hearing, remembered after the listener went down, is dropped.
        let ticket = cache.recall::<i64>(Key::Balance(2)).unwrap_err();
        cache.hears(false);
        cache.remember(ticket, &7_i64);
        assert!(cache.recall::<i64>(Key::Balance(1)).is_err());
        assert!(cache.recall::<i64>(Key::Balance(2)).is_err());
        cache.hears(true);
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn a_full_cache_starts_over() {
        let cache = Cache::new(2);
        for id in 0..3 {
            let ticket = cache.recall::<i64>(Key::Customer(id)).unwrap_err();
            cache.remember(ticket, &id);
        }
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.recall::<i64>(Key::Customer(2)).unwrap(), 2);
    }

    #[test]
    fn a_cached_store_has_its_database_to_itself_uncached_ones_share() {
        let dir = std::env::temp_dir().join(format!("vnum-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let database = dir.join("a.sqlite");
        let cached = lock_database(&database, true).unwrap();
        for exclusive in [true, false] {
            let err = lock_database(&database, exclusive).unwrap_err();
            assert!(err.to_string().contains("open in another process"), "{err}");
        }
        drop(cached);
        let uncached = lock_database(&database, false).unwrap();
        let another = lock_database(&database, false).unwrap();
        assert!(lock_database(&database, true).is_err());
        drop((uncached, another));
        drop(lock_database(&database, true).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
