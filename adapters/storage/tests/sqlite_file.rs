//! SQLite as shipped by default: a file, created on first start, migrated on every start.

// A failed unwrap here is a failed test with a location.
#![allow(clippy::unwrap_used)]

mod common;

use vnum_app::ports::Store;
use vnum_storage::SeaOrmStore;

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
    store.connection().clone().close().await.unwrap();
    drop(store);
    assert!(path.exists());

    let reopened = SeaOrmStore::connect(&url).await.unwrap();
    let mut tx = reopened.begin().await.unwrap();
    assert_eq!(tx.customer(ada.id).await.unwrap(), Some(ada));
    drop(tx);
    reopened.connection().clone().close().await.unwrap();
    drop(reopened);
    std::fs::remove_file(&path).unwrap();
    let _ = std::fs::remove_file(path.with_extension("db.lock"));
}
