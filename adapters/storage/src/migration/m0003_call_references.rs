//! The SIP engine's reference of each call record (its Call-ID), unique, so that a report
//! sent twice (a retry after a lost answer) is stored once.

const UP: &str = "
ALTER TABLE call_records ADD COLUMN reference TEXT;
CREATE UNIQUE INDEX call_reference ON call_records (reference)
";

const DOWN: &str = "
DROP INDEX call_reference;
ALTER TABLE call_records DROP COLUMN reference
";

ddl_migration!();
