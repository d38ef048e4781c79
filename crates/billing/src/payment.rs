//! Payments that credit a balance (R1.D1).
//!
//! A balance is credited only by a confirmed payment: an operator recording one it received
//! ([`PaymentMethod`]), or the payment provider confirming a payment the customer started.
//! A started payment is [`PaymentStatus::Pending`] and credits nothing; the provider's
//! outcome moves it once, to confirmed or failed, by [`PaymentStatus::next`].

use serde::{Deserialize, Serialize};
use vnum_core::{Money, RuleId, rule};

/// How an operator received a payment it records (R1.D1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Money received on the provider's bank account.
    BankTransfer,
    /// Cash received by the provider.
    Cash,
    /// A correction of the balance by an operator.
    Correction,
}

impl PaymentMethod {
    /// How the method reads in a ledger line.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::BankTransfer => "bank transfer",
            Self::Cash => "cash",
            Self::Correction => "correction",
        }
    }
}

impl std::fmt::Display for PaymentMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Where a payment the customer started stands (R1.D1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Started, not confirmed: the balance is not credited.
    Pending,
    /// The payment provider confirmed it: the balance was credited once.
    Confirmed,
    /// The payment provider reported it failed: nothing was credited.
    Failed,
}

impl PaymentStatus {
    /// How the status reads in messages.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
            Self::Failed => "failed",
        }
    }

    /// The status after the provider's `outcome` for a payment of `pending` (R1.D1): a
    /// pending payment is confirmed by a success for exactly its amount, or fails.
    ///
    /// # Errors
    /// [`PaymentError::NotPending`] when the payment is confirmed or failed already (a
    /// payment moves once); [`PaymentError::AmountMismatch`] when a success names another
    /// amount or currency than the payment.
    pub fn next(self, pending: Money, outcome: PaymentOutcome) -> Result<Self, PaymentError> {
        if self != Self::Pending {
            return Err(PaymentError::NotPending {
                status: self,
                outcome: outcome.label(),
            });
        }
        match outcome {
            PaymentOutcome::Succeeded(paid) if paid == pending => Ok(Self::Confirmed),
            PaymentOutcome::Succeeded(paid) => Err(PaymentError::AmountMismatch {
                pending,
                notified: paid,
            }),
            PaymentOutcome::Failed => Ok(Self::Failed),
        }
    }
}

impl std::fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// What the payment provider reported about a payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaymentOutcome {
    /// The money was received: this much.
    Succeeded(Money),
    /// The payment did not go through.
    Failed,
}

impl PaymentOutcome {
    /// How the outcome reads in messages.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Succeeded(_) => "success",
            Self::Failed => "failure",
        }
    }
}

/// A provider's outcome that cannot apply to a payment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// The payment moved already; it moves once.
    #[error("the payment is {status} already: a {outcome} cannot change it")]
    NotPending {
        /// Where the payment stands.
        status: PaymentStatus,
        /// The outcome that came too late.
        outcome: &'static str,
    },
    /// The provider confirmed another amount than the payment's.
    #[error(
        "the payment is for {pending}, the notification confirms {notified}: nothing was credited"
    )]
    AmountMismatch {
        /// The payment's amount.
        pending: Money,
        /// The amount notified.
        notified: Money,
    },
    /// A payment of zero or less.
    #[error("a payment must be positive, got {0}")]
    NotPositive(Money),
    /// A payment with digits below its currency's minor unit.
    #[error("{0} has fractions of a minor unit: expected at most {decimals} decimals", decimals = .0.currency().minor_units())]
    FractionOfMinorUnit(Money),
    /// A payment above the maximum per payment.
    #[error("a payment of {amount} is over the maximum of {maximum} {currency} per payment", currency = .amount.currency())]
    OverMaximum {
        /// The amount given.
        amount: Money,
        /// The maximum, in units of the amount's currency.
        maximum: vnum_core::Decimal,
    },
}

impl vnum_core::rule::RuleError for PaymentError {
    /// A balance is credited only by a confirmed payment of what was started (R1.D1); a
    /// payment is bounded like every amount (R10.D6).
    fn rule(&self) -> RuleId {
        match self {
            Self::NotPending { .. } | Self::AmountMismatch { .. } => rule::R1_D1,
            Self::NotPositive(_) | Self::FractionOfMinorUnit(_) | Self::OverMaximum { .. } => {
                rule::R10_D6
            }
        }
    }
}

/// Checks an amount someone pays in: above zero, whole minor units of its currency, and
/// at most `maximum` (in the currency's units) per payment (R10.D6).
///
/// # Errors
/// [`PaymentError::NotPositive`], [`PaymentError::FractionOfMinorUnit`] or
/// [`PaymentError::OverMaximum`].
pub fn check_payment_amount(
    amount: Money,
    maximum: vnum_core::Decimal,
) -> Result<(), PaymentError> {
    if amount.is_negative() || amount.is_zero() {
        return Err(PaymentError::NotPositive(amount));
    }
    if !amount.is_whole_minor() {
        return Err(PaymentError::FractionOfMinorUnit(amount));
    }
    if amount.amount() > maximum {
        return Err(PaymentError::OverMaximum { amount, maximum });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use vnum_testkit::eur_cents;

    use super::*;

    #[test]
    fn r10_d6_a_payment_is_positive_in_whole_minor_units_and_at_most_the_maximum() {
        use vnum_core::rule::RuleError;
        let max = vnum_core::Decimal::new(1_000, 0);
        assert_eq!(check_payment_amount(eur_cents(1), max), Ok(()));
        assert_eq!(check_payment_amount(eur_cents(100_000), max), Ok(()));
        for (amount, refusal) in [
            (eur_cents(0), PaymentError::NotPositive(eur_cents(0))),
            (eur_cents(-1), PaymentError::NotPositive(eur_cents(-1))),
            (
                eur_cents(100_001),
                PaymentError::OverMaximum {
                    amount: eur_cents(100_001),
                    maximum: max,
                },
            ),
        ] {
            assert_eq!(check_payment_amount(amount, max), Err(refusal));
        }
        let half_cent = vnum_testkit::eur("1.005");
        let refused = check_payment_amount(half_cent, max).unwrap_err();
        assert_eq!(refused, PaymentError::FractionOfMinorUnit(half_cent));
        assert_eq!(refused.rule(), rule::R10_D6);
        assert!(
            refused.to_string().contains("at most 2 decimals"),
            "{refused}"
        );
    }

    #[test]
    fn r1_d1_a_pending_payment_is_confirmed_by_a_success_for_its_amount() {
        let next = PaymentStatus::Pending
            .next(eur_cents(1000), PaymentOutcome::Succeeded(eur_cents(1000)));
        assert_eq!(next, Ok(PaymentStatus::Confirmed));
    }

    #[test]
    fn r1_d1_a_success_for_another_amount_confirms_nothing() {
        let next =
            PaymentStatus::Pending.next(eur_cents(1000), PaymentOutcome::Succeeded(eur_cents(999)));
        assert_eq!(
            next,
            Err(PaymentError::AmountMismatch {
                pending: eur_cents(1000),
                notified: eur_cents(999)
            })
        );
        let usd = vnum_testkit::usd("10.00");
        assert!(
            PaymentStatus::Pending
                .next(eur_cents(1000), PaymentOutcome::Succeeded(usd))
                .is_err()
        );
    }

    #[test]
    fn r1_d1_a_pending_payment_fails_on_a_failure() {
        let next = PaymentStatus::Pending.next(eur_cents(1000), PaymentOutcome::Failed);
        assert_eq!(next, Ok(PaymentStatus::Failed));
    }

    #[test]
    fn r1_d1_a_payment_moves_once() {
        for status in [PaymentStatus::Confirmed, PaymentStatus::Failed] {
            for outcome in [
                PaymentOutcome::Succeeded(eur_cents(1000)),
                PaymentOutcome::Failed,
            ] {
                let refused = status.next(eur_cents(1000), outcome);
                assert_eq!(
                    refused,
                    Err(PaymentError::NotPending {
                        status,
                        outcome: outcome.label()
                    })
                );
            }
        }
    }
}
