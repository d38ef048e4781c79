//! Customers with balances, the ledger, numbers, API keys and the renewal state.
//!
//! Every invariant the store ports promise is a unique index named after the
//! `StoreError::Conflict` it becomes (see `crate::error`), so it holds under concurrency
//! whatever a use case checked before. Money is integer minor units beside its currency:
//! exact on both backends, and summed exactly by SQL.

const UP: &str = "
CREATE TABLE customers (
    id {id},
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    registered_at {instant} NOT NULL,
    balance_minor BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX customer_email ON customers (email_key);

CREATE TABLE numbers (
    id {id},
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    offer_id BIGINT NOT NULL,
    country TEXT NOT NULL,
    e164 TEXT,
    anchor_day INTEGER CHECK (anchor_day BETWEEN 1 AND 31),
    connected_on {date},
    paid_through {date},
    fee_minor BIGINT,
    fee_currency TEXT CHECK (length(fee_currency) = 3),
    deleted_on {date},
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX number_e164 ON numbers (e164) WHERE deleted_on IS NULL;
CREATE INDEX numbers_customer ON numbers (customer_id);
CREATE INDEX numbers_due ON numbers (anchor_day, paid_through) WHERE anchor_day IS NOT NULL;

CREATE TABLE ledger_entries (
    id {id},
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    kind TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    number_id BIGINT,
    period_start {date},
    period_end {date},
    rule TEXT,
    reference TEXT,
    description TEXT NOT NULL,
    at {instant} NOT NULL
);
CREATE UNIQUE INDEX ledger_reference ON ledger_entries (customer_id, reference)
    WHERE reference IS NOT NULL;
CREATE UNIQUE INDEX ledger_charge_period ON ledger_entries (number_id, period_start)
    WHERE kind = 'charge';
CREATE INDEX ledger_customer_at ON ledger_entries (customer_id, at);

CREATE TABLE api_keys (
    id {id},
    token_sha256 TEXT NOT NULL,
    role TEXT NOT NULL,
    customer_id BIGINT,
    label TEXT NOT NULL,
    created_at {instant} NOT NULL
);
CREATE UNIQUE INDEX api_key ON api_keys (token_sha256);

CREATE TABLE renewal_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_renewal_day {date}
)
";

const DOWN: &str = "
DROP TABLE renewal_state;
DROP TABLE api_keys;
DROP TABLE ledger_entries;
DROP TABLE numbers;
DROP TABLE customers
";

ddl_migration!();
