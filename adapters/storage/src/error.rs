//! Backend errors as [`StoreError`]s.

use sea_orm::{DbErr, SqlErr};
use vnum_app::ports::StoreError;

/// The unique indexes and the conflict each one reports, the same names the in-memory store
/// uses: `(conflict, PostgreSQL index name, SQLite indexed columns)`. PostgreSQL names the
/// index in its message; SQLite names the indexed columns.
const INVARIANTS: &[(&str, &str, &str)] = &[
    ("customer_email", "customer_email", "customers.email_key"),
    (
        "ledger_reference",
        "ledger_reference",
        "ledger_entries.customer_id, ledger_entries.reference",
    ),
    (
        "ledger_charge_period",
        "ledger_charge_period",
        "ledger_entries.number_id, ledger_entries.period_start",
    ),
    ("number_e164", "number_e164", "numbers.e164"),
    ("api_key", "api_key", "api_keys.token_sha256"),
    ("stock_e164", "stock_e164", "stock_numbers.e164"),
    ("sip_login", "sip_login", "sip_accounts.login"),
    ("call_reference", "call_reference", "call_records.reference"),
    (
        "agreement_customer",
        "agreement_customer",
        "agreements.customer_id",
    ),
    (
        "contract_active",
        "contract_active",
        "contracts.customer_id",
    ),
    (
        "contract_version",
        "contract_version",
        "contracts.customer_id, contracts.version",
    ),
    ("trial_id", "trials_pkey", "trials.id"),
    (
        "sms_allocation",
        "sms_allocation",
        "sms_allocations.number, sms_allocations.service",
    ),
    // An allocation id handed out twice is an allocation made twice.
    (
        "sms_allocation",
        "sms_allocations_pkey",
        "sms_allocations.id",
    ),
    (
        "sms_number_busy",
        "sms_number_busy",
        "sms_allocations.number",
    ),
    (
        "payment_key",
        "payment_key",
        "payments.customer_id, payments.idempotency_key",
    ),
    ("payment_event", "payment_event", "payments.provider_event"),
];

/// Maps a sea-orm error: a unique violation becomes the [`StoreError::Conflict`] of its
/// index, a value that cannot be decoded [`StoreError::Corrupt`], anything else
/// [`StoreError::Unavailable`] (which a caller may retry: lost connections, deadlocks and
/// serialization failures land there).
pub(crate) fn store_error(error: DbErr) -> StoreError {
    if let Some(SqlErr::UniqueConstraintViolation(message)) = error.sql_err() {
        return match conflict(&message) {
            Some(what) => StoreError::Conflict { what },
            None => StoreError::Unavailable(message),
        };
    }
    match error {
        DbErr::Type(_) | DbErr::TryIntoErr { .. } | DbErr::Json(_) => {
            StoreError::Corrupt(error.to_string())
        }
        _ => StoreError::Unavailable(error.to_string()),
    }
}

/// The conflict a unique-violation message reports, if it names a known index.
fn conflict(message: &str) -> Option<&'static str> {
    INVARIANTS.iter().find_map(|(what, index, columns)| {
        let postgres = message.contains(&format!("\"{index}\""));
        let sqlite = message
            .strip_prefix("UNIQUE constraint failed: ")
            .or_else(|| message.split("UNIQUE constraint failed: ").nth(1))
            .is_some_and(|failed| failed.trim() == *columns);
        (postgres || sqlite).then_some(*what)
    })
}

/// A value read back that is not valid for its type.
pub(crate) fn corrupt(what: &str, error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {error}"))
}

#[cfg(test)]
mod tests {
    use super::conflict;

    #[test]
    fn unique_violations_are_named_after_their_index_on_both_backends() {
        assert_eq!(
            conflict("duplicate key value violates unique constraint \"number_e164\""),
            Some("number_e164")
        );
        assert_eq!(
            conflict(
                "UNIQUE constraint failed: ledger_entries.customer_id, ledger_entries.reference"
            ),
            Some("ledger_reference")
        );
        assert_eq!(
            conflict("duplicate key value violates unique constraint \"trials_pkey\""),
            Some("trial_id")
        );
        assert_eq!(
            conflict("UNIQUE constraint failed: sms_allocations.number"),
            Some("sms_number_busy")
        );
        assert_eq!(conflict("UNIQUE constraint failed: other.column"), None);
    }
}
