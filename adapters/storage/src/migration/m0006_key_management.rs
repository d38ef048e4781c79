//! API keys that can be named, expire and be revoked.
//!
//! The people's label of a key becomes its `name`; `expires_at` and `revoked_at` are empty
//! for every key stored before, which therefore keep working as they did. A customer's keys
//! are listed by `customer_id` (index `api_key_customer`).

const UP: &str = "
ALTER TABLE api_keys RENAME COLUMN label TO name;
ALTER TABLE api_keys ADD COLUMN expires_at {instant};
ALTER TABLE api_keys ADD COLUMN revoked_at {instant};
CREATE INDEX api_key_customer ON api_keys (customer_id)
";

const DOWN: &str = "
DROP INDEX api_key_customer;
ALTER TABLE api_keys DROP COLUMN revoked_at;
ALTER TABLE api_keys DROP COLUMN expires_at;
ALTER TABLE api_keys RENAME COLUMN name TO label
";

ddl_migration!();
