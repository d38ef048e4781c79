//! The calls of free tests (R8 Decision): a test's number is not a rented number, so its
//! calls are kept beside the rented numbers' (`call_records`), by test, with the same JSON
//! record and the same kind of reference (the SIP engine's Call-ID, unique).

const UP: &str = "
CREATE TABLE trial_calls (
    id BIGINT PRIMARY KEY,
    trial_id BIGINT NOT NULL,
    started_at {instant} NOT NULL,
    record TEXT NOT NULL,
    reference TEXT
);
CREATE INDEX trial_calls_trial ON trial_calls (trial_id, started_at);
CREATE UNIQUE INDEX trial_call_reference ON trial_calls (reference)
";

const DOWN: &str = "
DROP TABLE trial_calls
";

ddl_migration!();
