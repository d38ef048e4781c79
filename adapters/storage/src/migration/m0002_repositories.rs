//! Every other aggregate: offers and stock, documents, orders, agreements, SIP accounts,
//! calls, contracts and closing-document numbers, trials, the waitlist and SMS allocations;
//! and the whole number record beside the columns of m0001.
//!
//! Each aggregate is one table: the key columns that lookups, ordering and the invariants
//! need, and the record itself as JSON text in `record`, written from the same record so
//! the two never disagree. The invariants the ports promise are unique indexes named after
//! the `StoreError::Conflict` they become (see `crate::error`). Ids that a port hands out
//! before the record is stored come from one sequence per kind of record: PostgreSQL
//! sequences, or the rows of `id_sequences` on SQLite.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

use super::run_ddl;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const UP: &str = "
ALTER TABLE numbers ADD COLUMN record TEXT;

CREATE TABLE offers (
    id BIGINT PRIMARY KEY,
    record TEXT NOT NULL
);

CREATE TABLE stock_numbers (
    e164 TEXT NOT NULL,
    offer_id BIGINT NOT NULL,
    state TEXT NOT NULL
);
CREATE UNIQUE INDEX stock_e164 ON stock_numbers (e164);
CREATE INDEX stock_numbers_offer ON stock_numbers (offer_id);

CREATE TABLE documents (
    id BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    pending BOOLEAN NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX documents_customer ON documents (customer_id);
CREATE INDEX documents_pending ON documents (id) WHERE pending;

CREATE TABLE closing_document_numbers (
    customer_id BIGINT NOT NULL,
    period_start {date} NOT NULL,
    period_end {date} NOT NULL,
    document_id BIGINT NOT NULL
);
CREATE UNIQUE INDEX closing_document_period
    ON closing_document_numbers (customer_id, period_start, period_end);

CREATE TABLE orders (
    id BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX orders_customer ON orders (customer_id);

CREATE TABLE agreements (
    id BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    record TEXT NOT NULL
);
CREATE UNIQUE INDEX agreement_customer ON agreements (customer_id);

CREATE TABLE sip_accounts (
    id BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    login TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE UNIQUE INDEX sip_login ON sip_accounts (login);
CREATE INDEX sip_accounts_customer ON sip_accounts (customer_id);

CREATE TABLE call_records (
    id BIGINT PRIMARY KEY,
    number_id BIGINT NOT NULL,
    started_at {instant} NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX call_records_number_start ON call_records (number_id, started_at);

CREATE TABLE contracts (
    id BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    version BIGINT NOT NULL,
    active BOOLEAN NOT NULL,
    record TEXT NOT NULL
);
CREATE UNIQUE INDEX contract_active ON contracts (customer_id) WHERE active;
CREATE UNIQUE INDEX contract_version ON contracts (customer_id, version);

CREATE TABLE trials (
    id BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    number TEXT NOT NULL,
    started_at {instant} NOT NULL,
    ends_at {instant} NOT NULL,
    returned_at {instant},
    record TEXT NOT NULL
);
CREATE INDEX trials_customer ON trials (customer_id, started_at);
CREATE INDEX trials_number ON trials (number, started_at);
CREATE INDEX trials_unreturned ON trials (id) WHERE returned_at IS NULL;

CREATE TABLE waitlist_entries (
    id BIGINT PRIMARY KEY,
    country TEXT NOT NULL,
    customer_id BIGINT NOT NULL,
    requested_at {instant} NOT NULL,
    waiting BOOLEAN NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX waitlist_entries_country ON waitlist_entries (country, id);
CREATE INDEX waitlist_entries_customer ON waitlist_entries (customer_id);

CREATE TABLE sms_allocations (
    id BIGINT PRIMARY KEY,
    number TEXT NOT NULL,
    service TEXT NOT NULL,
    customer_id BIGINT NOT NULL,
    allocated_at {instant} NOT NULL,
    waiting BOOLEAN NOT NULL,
    record TEXT NOT NULL
);
CREATE UNIQUE INDEX sms_allocation ON sms_allocations (number, service);
CREATE UNIQUE INDEX sms_number_busy ON sms_allocations (number) WHERE waiting;
CREATE INDEX sms_allocations_customer ON sms_allocations (customer_id)
";

const DOWN: &str = "
DROP TABLE sms_allocations;
DROP TABLE waitlist_entries;
DROP TABLE trials;
DROP TABLE contracts;
DROP TABLE call_records;
DROP TABLE sip_accounts;
DROP TABLE agreements;
DROP TABLE orders;
DROP TABLE closing_document_numbers;
DROP TABLE documents;
DROP TABLE stock_numbers;
DROP TABLE offers;
ALTER TABLE numbers DROP COLUMN record
";

/// The id sequences this step creates, by name. Frozen here: the storage code names the
/// sequences it uses (`crate::repo::Sequence`), and a sequence added later is created by
/// the step that adds it (as `m0004` creates `payment_ids`), never by growing this list,
/// which would change what this step does on a new database.
const SEQUENCES: [&str; 10] = [
    "offer_ids",
    "document_ids",
    "order_ids",
    "agreement_ids",
    "sip_account_ids",
    "call_ids",
    "contract_ids",
    "trial_ids",
    "waitlist_entry_ids",
    "sms_allocation_ids",
];

/// The id sequences: PostgreSQL's own, or one row each in `id_sequences` on SQLite.
fn sequences_ddl(backend: DbBackend) -> String {
    let names = SEQUENCES;
    match backend {
        DbBackend::Postgres => names
            .iter()
            .map(|name| format!("CREATE SEQUENCE {name}"))
            .collect::<Vec<_>>()
            .join(";"),
        _ => format!(
            "CREATE TABLE id_sequences (name TEXT PRIMARY KEY, last_id BIGINT NOT NULL);
            INSERT INTO id_sequences (name, last_id) VALUES {}",
            names
                .iter()
                .map(|name| format!("('{name}', 0)"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn drop_sequences_ddl(backend: DbBackend) -> String {
    match backend {
        DbBackend::Postgres => SEQUENCES
            .map(|name| format!("DROP SEQUENCE {name}"))
            .join(";"),
        _ => "DROP TABLE id_sequences".to_owned(),
    }
}

// The trait declares `&SchemaManager` with its lifetime elided; the impl must match it.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        run_ddl(db, UP).await?;
        run_ddl(db, &sequences_ddl(db.get_database_backend())).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        run_ddl(db, &drop_sequences_ddl(db.get_database_backend())).await?;
        run_ddl(db, DOWN).await
    }
}
