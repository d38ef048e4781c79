//! Numbers that do not renew (R10.7): the day the customer set a number not to renew, in a
//! column the renewal run selects on, beside `anchor_day`, `paid_through` and `deleted_on`.
//! `numbers_ending` is the index of the release at the end of a paid period: only numbers
//! that do not renew and are not deleted are in it.

const UP: &str = "
ALTER TABLE numbers ADD COLUMN renewal_stopped_on {date};
CREATE INDEX numbers_ending ON numbers (paid_through)
    WHERE renewal_stopped_on IS NOT NULL AND deleted_on IS NULL
";

const DOWN: &str = "
DROP INDEX numbers_ending;
ALTER TABLE numbers DROP COLUMN renewal_stopped_on
";

ddl_migration!();
