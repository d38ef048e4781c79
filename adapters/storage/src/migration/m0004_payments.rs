//! Payments customers start, pending until the payment provider confirms or fails them
//! (R1.D1).
//!
//! One table in the shape of m0002: the key columns lookups and invariants need, and the
//! record as JSON text. One payment per customer and idempotency key (`payment_key`), and
//! one payment per provider event (`payment_event`), so an event settles one payment once.
//! Ids come from their own sequence, created here by name.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

use super::run_ddl;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const UP: &str = "
CREATE TABLE payments (
    id BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    idempotency_key TEXT NOT NULL,
    pending BOOLEAN NOT NULL,
    provider_event TEXT,
    created_at {instant} NOT NULL,
    record TEXT NOT NULL
);
CREATE UNIQUE INDEX payment_key ON payments (customer_id, idempotency_key);
CREATE UNIQUE INDEX payment_event ON payments (provider_event);
CREATE INDEX payments_customer ON payments (customer_id, id)
";

const DOWN: &str = "
DROP TABLE payments
";

/// The id sequence of payments, as m0002 makes the others: a PostgreSQL sequence, or a row
/// of `id_sequences` on SQLite.
fn sequence_ddl(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "CREATE SEQUENCE payment_ids",
        _ => "INSERT INTO id_sequences (name, last_id) VALUES ('payment_ids', 0)",
    }
}

fn drop_sequence_ddl(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "DROP SEQUENCE payment_ids",
        _ => "DELETE FROM id_sequences WHERE name = 'payment_ids'",
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
