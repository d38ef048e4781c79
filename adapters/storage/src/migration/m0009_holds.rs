//! Holds on numbers picked from an offer's list (R1.3).
//!
//! Columns only: a hold is a number, its offer, its customer and the instant it ends.
//! `hold_number` (one hold per number) is the unique index a pick's conditional upsert
//! decides on, so that of concurrent picks of one number exactly one is stored;
//! `hold_customer` serves a customer's list and `hold_until` the expiry job.

const UP: &str = "
CREATE TABLE holds (
    e164 TEXT NOT NULL,
    offer_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    held_until {instant} NOT NULL
);
CREATE UNIQUE INDEX hold_number ON holds (e164);
CREATE INDEX hold_customer ON holds (customer_id);
CREATE INDEX hold_offer ON holds (offer_id);
CREATE INDEX hold_until ON holds (held_until)
";

const DOWN: &str = "
DROP TABLE holds
";

ddl_migration!();
