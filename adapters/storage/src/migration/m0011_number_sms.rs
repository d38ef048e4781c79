//! The SMS rented numbers receive (R10.4: only while served), kept for their customers to
//! read, newest first, a page at a time.

const UP: &str = "
CREATE TABLE number_sms (
    id {id},
    number_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    recipient TEXT NOT NULL,
    sender TEXT NOT NULL,
    text TEXT NOT NULL,
    received_at {instant} NOT NULL
);
CREATE INDEX number_sms_number ON number_sms (number_id, id)
";

const DOWN: &str = "
DROP TABLE number_sms
";

ddl_migration!();
