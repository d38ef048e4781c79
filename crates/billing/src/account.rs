//! What the balance of an account decides: whether its numbers work (R10.4, R10.D3) and
//! whether an order can be accepted (R1.4).

use serde::{Deserialize, Serialize};
use vnum_core::Money;
use vnum_core::rule::{self, RuleId};

use crate::BillingError;

/// Whether an account's numbers receive calls and SMS, derived from its balance alone
/// (R10.D3): a renewal run never rewrites any number's status, and the moment a payment
/// brings the balance to zero or above every number works again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceState {
    /// The balance is zero or above: calls and SMS are delivered.
    Active,
    /// The balance is below zero: the numbers still belong to the customer but receive no
    /// calls and no SMS (R10.4).
    Suspended,
}

/// An account in debt: its numbers receive no calls and no SMS (R10.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "the balance is {balance}, below zero: the account's numbers receive no calls and no SMS \
     until a payment brings it to zero or above"
)]
pub struct Suspended {
    /// The balance.
    pub balance: Money,
}

impl vnum_core::rule::RuleError for Suspended {
    fn rule(&self) -> RuleId {
        rule::R10_4
    }
}

impl ServiceState {
    /// Traffic for an account whose balance is `balance` is delivered only while it is
    /// zero or above (R10.4).
    ///
    /// # Errors
    /// [`Suspended`] below zero.
    pub fn require_active(balance: Money) -> Result<(), Suspended> {
        match Self::of_balance(balance) {
            Self::Active => Ok(()),
            Self::Suspended => Err(Suspended { balance }),
        }
    }

    /// The state of an account whose balance is `balance`.
    #[must_use]
    pub fn of_balance(balance: Money) -> Self {
        if balance.is_negative() {
            Self::Suspended
        } else {
            Self::Active
        }
    }

    /// True when calls and SMS are delivered.
    #[must_use]
    pub const fn receives_traffic(self) -> bool {
        matches!(self, Self::Active)
    }

    /// The rule that made the state.
    #[must_use]
    pub const fn rule(self) -> RuleId {
        match self {
            Self::Active => rule::R10_D3,
            Self::Suspended => rule::R10_4,
        }
    }

    /// Why the account is in this state, in words a customer can read.
    #[must_use]
    pub const fn reason(self) -> &'static str {
        match self {
            Self::Active => {
                "the balance is zero or above: every number receives calls and SMS (R10.D3)"
            }
            Self::Suspended => {
                "the balance is below zero: the numbers stay yours but receive no calls and no \
                 SMS until a payment brings the balance to zero or above; charge days do not \
                 change (R10.4, R10.5)"
            }
        }
    }
}

/// Accepts an order only when `balance` covers `due`, the first payment (setup fee plus the
/// first month or the prepaid term); payment is strictly in advance (R1.4).
///
/// # Errors
/// [`BillingError::InsufficientBalance`] when it does not; [`BillingError::Money`] when the
/// currencies differ.
pub fn covers_first_payment(balance: Money, due: Money) -> Result<(), BillingError> {
    if balance.checked_cmp(&due)?.is_lt() {
        return Err(BillingError::InsufficientBalance {
            needed: due,
            available: balance,
        });
    }
    Ok(())
}

/// What goes back to the balance when the carrier cannot provide one paid number (R1.D3):
/// the number's share of its order line (`line_total` over `quantity`, rounded once to the
/// minor unit), never more than the order took (`order_total`) less what was given back
/// for its other numbers (`refunded`).
///
/// # Errors
/// [`BillingError::Money`] when the currencies differ.
pub fn refund_for_unprovided(
    line_total: Money,
    quantity: u32,
    order_total: Money,
    refunded: Money,
) -> Result<Money, BillingError> {
    let share = line_total
        .amount()
        .checked_div(vnum_core::Decimal::from(quantity.max(1)))
        .map(|amount| Money::new(amount, line_total.currency()).round_to_minor())
        .ok_or(BillingError::Money(vnum_core::MoneyError::Overflow))?;
    let left = order_total.checked_sub(refunded)?;
    let refund = if share.checked_cmp(&left)?.is_gt() {
        left
    } else {
        share
    };
    Ok(if refund.is_negative() {
        Money::zero(refund.currency())
    } else {
        refund
    })
}

#[cfg(test)]
mod tests {
    use vnum_core::rule::RuleError;
    use vnum_testkit::eur_cents as eur;

    use super::*;

    #[test]
    fn r10_4_traffic_is_refused_below_zero_and_delivered_from_zero() {
        assert_eq!(ServiceState::require_active(eur(0)), Ok(()));
        assert_eq!(ServiceState::require_active(eur(1)), Ok(()));
        let refused = ServiceState::require_active(eur(-1)).unwrap_err();
        assert_eq!(refused, Suspended { balance: eur(-1) });
        assert_eq!(refused.rule(), rule::R10_4);
        assert!(refused.to_string().contains("-0.01 EUR"), "{refused}");
    }
}
