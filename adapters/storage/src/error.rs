//! Backend errors as [`StoreError`]s.

use sea_orm::{DbErr, SqlErr};
use vnum_app::ports::{Invariant, StoreError};

/// The unique indexes and the invariant each one enforces: `(invariant, PostgreSQL index
/// name, SQLite indexed columns)`. PostgreSQL names the index in its message; SQLite names
/// the indexed columns. Two indexes may enforce one invariant (an allocation id handed out
/// twice is an allocation made twice).
const INVARIANTS: &[(Invariant, &str, &str)] = &[
    (
        Invariant::CustomerEmail,
        "customer_email",
        "customers.email_key",
    ),
    (
        Invariant::LedgerReference,
        "ledger_reference",
        "ledger_entries.customer_id, ledger_entries.reference",
    ),
    (
        Invariant::LedgerChargePeriod,
        "ledger_charge_period",
        "ledger_entries.number_id, ledger_entries.period_start",
    ),
    (Invariant::NumberE164, "number_e164", "numbers.e164"),
    (Invariant::ApiKey, "api_key", "api_keys.token_sha256"),
    (Invariant::StockE164, "stock_e164", "stock_numbers.e164"),
    (Invariant::SipLogin, "sip_login", "sip_accounts.login"),
    (
        Invariant::CallReference,
        "call_reference",
        "call_records.reference",
    ),
    (
        Invariant::CallReference,
        "trial_call_reference",
        "trial_calls.reference",
    ),
    (
        Invariant::AgreementCustomer,
        "agreement_customer",
        "agreements.customer_id",
    ),
    (
        Invariant::ContractActive,
        "contract_active",
        "contracts.customer_id",
    ),
    (
        Invariant::ContractVersion,
        "contract_version",
        "contracts.customer_id, contracts.version",
    ),
    (Invariant::TrialId, "trials_pkey", "trials.id"),
    (
        Invariant::SmsAllocation,
        "sms_allocation",
        "sms_allocations.number, sms_allocations.service",
    ),
    (
        Invariant::SmsAllocation,
        "sms_allocations_pkey",
        "sms_allocations.id",
    ),
    (
        Invariant::SmsNumberBusy,
        "sms_number_busy",
        "sms_allocations.number",
    ),
    (
        Invariant::PaymentKey,
        "payment_key",
        "payments.customer_id, payments.idempotency_key",
    ),
    (
        Invariant::PaymentEvent,
        "payment_event",
        "payments.provider_event",
    ),
    (
        Invariant::RateEffective,
        "rate_effective",
        "rates.prefix, rates.currency, rates.effective_from",
    ),
    (Invariant::EventId, "outbox_event", "outbox.event_id"),
    (Invariant::HoldNumber, "hold_number", "holds.e164"),
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
fn conflict(message: &str) -> Option<Invariant> {
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
    use vnum_app::ports::Invariant;

    #[test]
    fn unique_violations_are_named_after_their_index_on_both_backends() {
        assert_eq!(
            conflict("duplicate key value violates unique constraint \"number_e164\""),
            Some(Invariant::NumberE164)
        );
        assert_eq!(
            conflict(
                "UNIQUE constraint failed: ledger_entries.customer_id, ledger_entries.reference"
            ),
            Some(Invariant::LedgerReference)
        );
        assert_eq!(
            conflict("duplicate key value violates unique constraint \"trials_pkey\""),
            Some(Invariant::TrialId)
        );
        assert_eq!(
            conflict("UNIQUE constraint failed: sms_allocations.number"),
            Some(Invariant::SmsNumberBusy)
        );
        assert_eq!(conflict("UNIQUE constraint failed: other.column"), None);
    }

    #[test]
    fn every_invariant_has_a_unique_index_named_after_it_or_a_check_of_its_own() {
        // Checked by the repositories themselves, in the unit of work that writes.
        let checked = [
            Invariant::ConcurrentTransaction,
            Invariant::TrialActive,
            Invariant::WaitlistCountry,
            Invariant::WaitlistEntryClosed,
        ];
        for invariant in Invariant::ALL {
            let indexes: Vec<_> = super::INVARIANTS
                .iter()
                .filter(|(i, _, _)| *i == invariant)
                .map(|(_, index, _)| *index)
                .collect();
            assert_eq!(
                indexes.is_empty(),
                checked.contains(&invariant),
                "{invariant}"
            );
            assert!(
                indexes.is_empty()
                    || indexes
                        .iter()
                        .any(|i| *i == invariant.name() || i.ends_with("_pkey")),
                "{invariant}: {indexes:?}"
            );
        }
    }
}
