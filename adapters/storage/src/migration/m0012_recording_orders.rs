//! Professional voice recording orders (R13.3, R13.D3): ordered and paid, then delivered as
//! a greeting or cancelled with a refund.
//!
//! One table in the shape of m0002: the key columns the lookups need, and the record as
//! JSON text; `open` is what makes an order end once. Ids come from their own sequence,
//! created here by name.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

use super::run_ddl;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const UP: &str = "
CREATE TABLE recording_orders (
    id BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    number_id BIGINT NOT NULL,
    open BOOLEAN NOT NULL,
    ordered_at {instant} NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX recording_orders_number ON recording_orders (number_id, id);
CREATE INDEX recording_orders_open ON recording_orders (open, id)
";

const DOWN: &str = "
DROP TABLE recording_orders
";

/// The id sequence of recording orders, as m0002 makes the others: a PostgreSQL sequence,
/// or a row of `id_sequences` on SQLite.
fn sequence_ddl(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "CREATE SEQUENCE recording_order_ids",
        _ => "INSERT INTO id_sequences (name, last_id) VALUES ('recording_order_ids', 0)",
    }
}

fn drop_sequence_ddl(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "DROP SEQUENCE recording_order_ids",
        _ => "DELETE FROM id_sequences WHERE name = 'recording_order_ids'",
    }
}

// The trait declares `&SchemaManager` with its lifetime elided; the impl must match it.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        run_ddl(db, UP).await?;
        run_ddl(db, sequence_ddl(db.get_database_backend())).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        run_ddl(db, drop_sequence_ddl(db.get_database_backend())).await?;
        run_ddl(db, DOWN).await
    }
}
