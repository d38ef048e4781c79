//! SQLite as shipped by default: a file, created on first start, migrated on every start.

// A failed unwrap here is a failed test with a location.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use vnum_app::ports::Store;
use vnum_storage::{ReadCache, SeaOrmStore};

#[tokio::test]
async fn a_missing_sqlite_file_is_created_and_reopened_with_its_data() {
    let path = std::env::temp_dir().join(format!("vnum-storage-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let url = format!("sqlite://{}", path.display());

    let store = SeaOrmStore::connect(&url).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let ada = tx
        .insert_customer(common::new_customer("ada@example.com"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // While the store lives, the file is its own: its read cache would not see another
    // process's writes.
    let err = SeaOrmStore::connect(&url).await.unwrap_err();
    assert!(err.to_string().contains("open in another process"), "{err}");
    store.close().await.unwrap();
    assert!(path.exists());

    let reopened = SeaOrmStore::connect(&url).await.unwrap();
    let mut tx = reopened.begin().await.unwrap();
    assert_eq!(tx.customer(ada.id).await.unwrap(), Some(ada));
    drop(tx);
    reopened.close().await.unwrap();
    std::fs::remove_file(&path).unwrap();
    let _ = std::fs::remove_file(path.with_extension("db.lock"));
}

/// A file for one test, removed with its WAL, shared memory and lock files.
struct TempDatabase(std::path::PathBuf);

impl TempDatabase {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("vnum-{name}-{}.db", std::process::id()));
        let this = Self(path);
        this.remove();
        this
    }

    fn url(&self) -> String {
        format!("sqlite://{}", self.0.display())
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm", ".lock"] {
            let mut name = self.0.as_os_str().to_owned();
            name.push(suffix);
            let _ = std::fs::remove_file(name);
        }
    }
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        self.remove();
    }
}

/// The file is in WAL mode, so that readers and the writer never wait for each other.
#[tokio::test]
async fn a_sqlite_file_is_opened_in_wal_mode() {
    let file = TempDatabase::new("wal");
    let store = SeaOrmStore::connect(&file.url()).await.unwrap();
    let row = store
        .connection()
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA journal_mode",
        ))
        .await
        .unwrap()
        .unwrap();
    let mode: String = row.try_get_by_index(0).unwrap();
    assert_eq!(mode, "wal");
    store.close().await.unwrap();
}

/// A read-only unit of work is answered while a unit of work that writes holds the writer
/// with uncommitted changes: it neither waits for them nor sees them; once committed, it
/// sees them.
#[tokio::test]
async fn reads_do_not_wait_for_an_open_write() {
    let file = TempDatabase::new("readers");
    // Without the read cache, every read goes to the database.
    let store = SeaOrmStore::open(
        vnum_storage::ConnectOptions::new(SeaOrmStore::url_with_defaults(&file.url())),
        ReadCache::Off,
    )
    .await
    .unwrap();
    let mut tx = store.begin().await.unwrap();
    let ada = tx
        .insert_customer(common::new_customer("ada@example.com"))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut writing = store.begin().await.unwrap();
    let grace = writing
        .insert_customer(common::new_customer("grace@example.com"))
        .await
        .unwrap();
    let read = tokio::time::timeout(Duration::from_millis(500), async {
        let mut reading = store.read().await.unwrap();
        (
            reading.customer(ada.id).await.unwrap(),
            reading.customer(grace.id).await.unwrap(),
        )
    })
    .await
    .expect("a read is not held up by an open write");
    assert_eq!(read, (Some(ada.clone()), None));

    writing.commit().await.unwrap();
    let mut reading = store.read().await.unwrap();
    assert_eq!(reading.customer(grace.id).await.unwrap(), Some(grace));
    drop(reading);
    store.close().await.unwrap();
}

/// The readers refuse to write: a unit of work from `Store::read` cannot change the
/// database behind the writer's back.
#[tokio::test]
async fn the_readers_refuse_to_write() {
    let file = TempDatabase::new("query-only");
    let store = SeaOrmStore::open(
        vnum_storage::ConnectOptions::new(SeaOrmStore::url_with_defaults(&file.url())),
        ReadCache::Off,
    )
    .await
    .unwrap();
    let mut reading = store.read().await.unwrap();
    let refused = reading
        .insert_customer(common::new_customer("eve@example.com"))
        .await;
    assert!(refused.is_err(), "{refused:?}");
    drop(reading);
    // Nothing was written: the email is still free.
    let mut tx = store.begin().await.unwrap();
    tx.insert_customer(common::new_customer("eve@example.com"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    store.close().await.unwrap();
}
