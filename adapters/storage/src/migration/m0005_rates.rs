//! The operator's rate table for calls out and forwarding to phone numbers (R6.D2, R5.D1).
//!
//! Columns only, no JSON record: a rate is a handful of scalars. The price per minute may
//! be finer than the currency's minor unit (0.0125 EUR), so it is kept exactly as an
//! integer of ten-thousandths of the currency unit (`price_per_minute_e4`: 125 for
//! 0.0125), which the domain bounds to at most 10^10. One rate per prefix, currency and
//! effective instant is the unique index `rate_effective`, which also serves the lookup of
//! a destination's prefixes.

const UP: &str = "
CREATE TABLE rates (
    id {id},
    prefix TEXT NOT NULL,
    currency TEXT NOT NULL,
    price_per_minute_e4 BIGINT NOT NULL,
    first_seconds INTEGER NOT NULL,
    next_seconds INTEGER NOT NULL,
    effective_from {instant} NOT NULL
);
CREATE UNIQUE INDEX rate_effective ON rates (prefix, currency, effective_from)
";

const DOWN: &str = "
DROP TABLE rates
";

ddl_migration!();
