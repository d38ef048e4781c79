//! The transactional outbox and webhooks.
//!
//! `outbox` holds every event, written in the unit of work of the change it reports: its
//! id (a UUID, unique: `outbox_event`), type, customer, the event as JSON (`payload`),
//! and its delivery state (attempts, when it is due next, the lease of the worker that
//! claimed it, when it was delivered, the last error). `seq` orders events as they were
//! appended. `webhook_endpoints` are the endpoints customers and operators registered
//! (`customer_id` none for an operator's), the event types they want as a JSON array;
//! `webhook_deliveries` one event's delivery to one endpoint (`webhook_delivery_event`:
//! once per endpoint and event), with its status and retry state.

const UP: &str = "
CREATE TABLE outbox (
    seq {id},
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    customer_id BIGINT,
    payload TEXT NOT NULL,
    created_at {instant} NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at {instant} NOT NULL,
    lease_until {instant},
    delivered_at {instant},
    last_error TEXT
);
CREATE UNIQUE INDEX outbox_event ON outbox (event_id);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL;
CREATE INDEX outbox_customer ON outbox (customer_id, seq);
CREATE TABLE webhook_endpoints (
    id {id},
    customer_id BIGINT,
    url TEXT NOT NULL,
    event_types TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at {instant} NOT NULL,
    failing_since {instant},
    disabled_at {instant}
);
CREATE TABLE webhook_deliveries (
    id {id},
    endpoint_id BIGINT NOT NULL,
    event_id TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at {instant},
    lease_until {instant},
    last_status INTEGER,
    last_error TEXT,
    delivered_at {instant}
);
CREATE UNIQUE INDEX webhook_delivery_event ON webhook_deliveries (endpoint_id, event_id);
CREATE INDEX webhook_delivery_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'
";

const DOWN: &str = "
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
DROP TABLE outbox
";

ddl_migration!();
