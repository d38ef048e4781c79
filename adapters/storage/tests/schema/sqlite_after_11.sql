CREATE UNIQUE INDEX agreement_customer ON agreements (customer_id);
CREATE UNIQUE INDEX api_key ON api_keys (token_sha256);
CREATE INDEX api_key_customer ON api_keys (customer_id);
CREATE INDEX call_records_number_start ON call_records (number_id, started_at);
CREATE UNIQUE INDEX call_reference ON call_records (reference);
CREATE UNIQUE INDEX closing_document_period
    ON closing_document_numbers (customer_id, period_start, period_end);
CREATE UNIQUE INDEX contract_active ON contracts (customer_id) WHERE active;
CREATE UNIQUE INDEX contract_version ON contracts (customer_id, version);
CREATE UNIQUE INDEX customer_email ON customers (email_key);
CREATE INDEX documents_customer ON documents (customer_id);
CREATE INDEX documents_pending ON documents (id) WHERE pending;
CREATE INDEX hold_customer ON holds (customer_id);
CREATE UNIQUE INDEX hold_number ON holds (e164);
CREATE INDEX hold_offer ON holds (offer_id);
CREATE INDEX hold_until ON holds (held_until);
CREATE UNIQUE INDEX ledger_charge_period ON ledger_entries (number_id, period_start)
    WHERE kind = 'charge';
CREATE INDEX ledger_customer_at ON ledger_entries (customer_id, at);
CREATE UNIQUE INDEX ledger_reference ON ledger_entries (customer_id, reference)
    WHERE reference IS NOT NULL;
CREATE UNIQUE INDEX number_e164 ON numbers (e164) WHERE deleted_on IS NULL;
CREATE INDEX number_sms_number ON number_sms (number_id, id);
CREATE INDEX numbers_customer ON numbers (customer_id);
CREATE INDEX numbers_due ON numbers (anchor_day, paid_through) WHERE anchor_day IS NOT NULL;
CREATE INDEX numbers_ending ON numbers (paid_through)
    WHERE renewal_stopped_on IS NOT NULL AND deleted_on IS NULL;
CREATE INDEX orders_customer ON orders (customer_id);
CREATE INDEX outbox_customer ON outbox (customer_id, seq);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL;
CREATE UNIQUE INDEX outbox_event ON outbox (event_id);
CREATE UNIQUE INDEX payment_event ON payments (provider_event);
CREATE UNIQUE INDEX payment_key ON payments (customer_id, idempotency_key);
CREATE INDEX payments_customer ON payments (customer_id, id);
CREATE UNIQUE INDEX rate_effective ON rates (prefix, currency, effective_from);
CREATE INDEX sip_accounts_customer ON sip_accounts (customer_id);
CREATE UNIQUE INDEX sip_login ON sip_accounts (login);
CREATE UNIQUE INDEX sms_allocation ON sms_allocations (number, service);
CREATE INDEX sms_allocations_customer ON sms_allocations (customer_id);
CREATE UNIQUE INDEX sms_number_busy ON sms_allocations (number) WHERE waiting;
CREATE UNIQUE INDEX stock_e164 ON stock_numbers (e164);
CREATE INDEX stock_numbers_offer ON stock_numbers (offer_id);
CREATE UNIQUE INDEX trial_call_reference ON trial_calls (reference);
CREATE INDEX trial_calls_trial ON trial_calls (trial_id, started_at);
CREATE INDEX trials_customer ON trials (customer_id, started_at);
CREATE INDEX trials_number ON trials (number, started_at);
CREATE INDEX trials_unreturned ON trials (id) WHERE returned_at IS NULL;
CREATE INDEX waitlist_entries_country ON waitlist_entries (country, id);
CREATE INDEX waitlist_entries_customer ON waitlist_entries (customer_id);
CREATE INDEX webhook_delivery_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE UNIQUE INDEX webhook_delivery_event ON webhook_deliveries (endpoint_id, event_id);
CREATE TABLE agreements (
    id BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_sha256 TEXT NOT NULL,
    role TEXT NOT NULL,
    customer_id BIGINT,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
, expires_at TEXT, revoked_at TEXT);
CREATE TABLE call_records (
    id BIGINT PRIMARY KEY,
    number_id BIGINT NOT NULL,
    started_at TEXT NOT NULL,
    record TEXT NOT NULL
, reference TEXT);
CREATE TABLE closing_document_numbers (
    customer_id BIGINT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    document_id BIGINT NOT NULL
);
CREATE TABLE contracts (
    id BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    version BIGINT NOT NULL,
    active BOOLEAN NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE customers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    registered_at TEXT NOT NULL,
    balance_minor BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE documents (
    id BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    pending BOOLEAN NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE holds (
    e164 TEXT NOT NULL,
    offer_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    held_until TEXT NOT NULL
);
CREATE TABLE id_sequences (name TEXT PRIMARY KEY, last_id BIGINT NOT NULL);
CREATE TABLE ledger_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    kind TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL CHECK (length(currency) = 3),
    number_id BIGINT,
    period_start TEXT,
    period_end TEXT,
    rule TEXT,
    reference TEXT,
    description TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE number_sms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    recipient TEXT NOT NULL,
    sender TEXT NOT NULL,
    text TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE TABLE numbers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    offer_id BIGINT NOT NULL,
    country TEXT NOT NULL,
    e164 TEXT,
    anchor_day INTEGER CHECK (anchor_day BETWEEN 1 AND 31),
    connected_on TEXT,
    paid_through TEXT,
    fee_minor BIGINT,
    fee_currency TEXT CHECK (length(fee_currency) = 3),
    deleted_on TEXT,
    version BIGINT NOT NULL
, record TEXT, renewal_stopped_on TEXT);
CREATE TABLE offers (
    id BIGINT PRIMARY KEY,
    record TEXT NOT NULL
);
CREATE TABLE orders (
    id BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    customer_id BIGINT,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    lease_until TEXT,
    delivered_at TEXT,
    last_error TEXT
);
CREATE TABLE payments (
    id BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    idempotency_key TEXT NOT NULL,
    pending BOOLEAN NOT NULL,
    provider_event TEXT,
    created_at TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE rates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    prefix TEXT NOT NULL,
    currency TEXT NOT NULL,
    price_per_minute_e4 BIGINT NOT NULL,
    first_seconds INTEGER NOT NULL,
    next_seconds INTEGER NOT NULL,
    effective_from TEXT NOT NULL
);
CREATE TABLE renewal_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_renewal_day TEXT
);
CREATE TABLE sip_accounts (
    id BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    login TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE sms_allocations (
    id BIGINT PRIMARY KEY,
    number TEXT NOT NULL,
    service TEXT NOT NULL,
    customer_id BIGINT NOT NULL,
    allocated_at TEXT NOT NULL,
    waiting BOOLEAN NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE stock_numbers (
    e164 TEXT NOT NULL,
    offer_id BIGINT NOT NULL,
    state TEXT NOT NULL
);
CREATE TABLE trial_calls (
    id BIGINT PRIMARY KEY,
    trial_id BIGINT NOT NULL,
    started_at TEXT NOT NULL,
    record TEXT NOT NULL,
    reference TEXT
);
CREATE TABLE trials (
    id BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    number TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    returned_at TEXT,
    record TEXT NOT NULL
);
CREATE TABLE waitlist_entries (
    id BIGINT PRIMARY KEY,
    country TEXT NOT NULL,
    customer_id BIGINT NOT NULL,
    requested_at TEXT NOT NULL,
    waiting BOOLEAN NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id BIGINT NOT NULL,
    event_id TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT,
    lease_until TEXT,
    last_status INTEGER,
    last_error TEXT,
    delivered_at TEXT
);
CREATE TABLE webhook_endpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id BIGINT,
    url TEXT NOT NULL,
    event_types TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at TEXT NOT NULL,
    failing_since TEXT,
    disabled_at TEXT
);
-- id_sequences: agreement_ids 0
-- id_sequences: call_ids 0
-- id_sequences: contract_ids 0
-- id_sequences: document_ids 0
-- id_sequences: offer_ids 0
-- id_sequences: order_ids 0
-- id_sequences: payment_ids 0
-- id_sequences: sip_account_ids 0
-- id_sequences: sms_allocation_ids 0
-- id_sequences: trial_ids 0
-- id_sequences: waitlist_entry_ids 0
