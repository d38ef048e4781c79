use vnum_core::{Money, RuleId};

use crate::ports::StoreError;

/// Why a use case did not do what was asked.
///
/// Each variant says what happened in words a customer can read; [`Error::rule`] names the
/// business rule that refused, where one did.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The thing asked for does not exist, or does not belong to the caller.
    #[error("{what} {id} not found")]
    NotFound {
        /// The kind of thing.
        what: &'static str,
        /// Its id as the caller gave it.
        id: String,
    },
    /// The input was not valid; the message says what is expected.
    #[error("{0}")]
    Invalid(String),
    /// The balance does not cover what must be paid in advance (R1.4).
    #[error("insufficient balance: {needed} is needed in advance, the balance is {available}")]
    InsufficientBalance {
        /// What the order costs up front.
        needed: Money,
        /// The balance.
        available: Money,
    },
    /// Something already exists that must be unique.
    #[error("{0}")]
    Conflict(String),
    /// A business rule refused the request.
    #[error("{message}")]
    Refused {
        /// The rule.
        rule: RuleId,
        /// What the rule says here.
        message: String,
    },
    /// Storage failed; nothing was changed.
    #[error(transparent)]
    Store(StoreError),
    /// The media store (greetings, document scans) failed or has no such file; the meaning
    /// is kept up to the HTTP status: a missing file is not found, a failed store is
    /// unavailable.
    #[error(transparent)]
    Media(#[from] crate::ports::MediaError),
}

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        match error {
            // R10.D6: a movement past what can be stored is refused, never half-done.
            StoreError::BalanceLimit { .. } => Self::Refused {
                rule: vnum_core::rule::R10_D6,
                message: format!(
                    "{error}: a balance is kept within ±{} minor units of its currency; \
                     nothing was booked",
                    Money::MAX_MINOR_UNITS
                ),
            },
            other => Self::Store(other),
        }
    }
}

/// An order, or any purchase paid in advance, refused by the ordering rules (R1, R7, R9).
impl From<vnum_lifecycle::OrderError> for Error {
    fn from(error: vnum_lifecycle::OrderError) -> Self {
        match error {
            vnum_lifecycle::OrderError::InsufficientBalance { needed, available } => {
                Self::InsufficientBalance { needed, available }
            }
            other => Self::refused(other),
        }
    }
}

/// A domain crate's error, reported with the rule it names: one conversion for every
/// domain error, so that a use case writes `?` and never picks a rule id by hand.
macro_rules! refused_by_rule {
    ($($error:ty),* $(,)?) => {$(
        impl From<$error> for Error {
            fn from(error: $error) -> Self {
                Self::refused(error)
            }
        }
    )*};
}

refused_by_rule!(
    vnum_core::MoneyError,
    vnum_core::PeriodError,
    vnum_core::PrepaidTermError,
    vnum_accounts::AccountsError,
    vnum_accounts::ContractFieldError,
    vnum_billing::AddOnError,
    vnum_billing::PaymentError,
    vnum_billing::RenewalError,
    vnum_billing::Suspended,
    vnum_calls::CallsError,
    vnum_calls::CallOutError,
    vnum_calls::RateError,
    vnum_calls::RecordingError,
    vnum_calls::WavError,
    vnum_compliance::DocumentError,
    vnum_discounts::DiscountError,
    vnum_lifecycle::BusinessDayRangeError,
    vnum_lifecycle::CalendarError,
    vnum_lifecycle::CityError,
    vnum_lifecycle::HoldError,
    vnum_lifecycle::NotServed,
    vnum_lifecycle::OfferError,
    vnum_lifecycle::TransitionError,
    vnum_lifecycle::TrialError,
    vnum_lifecycle::WaitlistError,
    vnum_sms::SmsError,
);

/// The billing rules' errors; a balance short of what is due in advance is the
/// payment-required answer (R1.4), like an order's.
impl From<vnum_billing::BillingError> for Error {
    fn from(error: vnum_billing::BillingError) -> Self {
        match error {
            vnum_billing::BillingError::InsufficientBalance { needed, available } => {
                Self::InsufficientBalance { needed, available }
            }
            other => Self::refused(other),
        }
    }
}

/// Malformed values of the shared kernel that no business rule covers: a phone number
/// that is not E.164, an unknown country.
macro_rules! invalid_input {
    ($($error:ty),* $(,)?) => {$(
        impl From<$error> for Error {
            fn from(error: $error) -> Self {
                Self::Invalid(error.to_string())
            }
        }
    )*};
}

invalid_input!(vnum_core::PhoneNumberError, vnum_core::CountryCodeError);

impl Error {
    /// The business rule behind the refusal, if a rule refused.
    #[must_use]
    pub fn rule(&self) -> Option<RuleId> {
        match self {
            Self::InsufficientBalance { .. } => Some(vnum_core::rule::R1_4),
            Self::Refused { rule, .. } => Some(*rule),
            _ => None,
        }
    }

    /// A domain crate's refusal, with the rule it names (R…): no use case picks a rule
    /// id by hand for an error that knows its own.
    pub(crate) fn refused(error: impl vnum_core::rule::RuleError) -> Self {
        Self::Refused {
            rule: error.rule(),
            message: error.to_string(),
        }
    }

    pub(crate) fn not_found(what: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            what,
            id: id.to_string(),
        }
    }
}
