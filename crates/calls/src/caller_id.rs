//! Which number an outgoing call presents (R6).

use serde::Serialize;
use vnum_core::PhoneNumber;
use vnum_core::rule::{self, RuleId};

/// What the called party sees on an outgoing call from a SIP account (R6.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum CallerId {
    /// The rented number is presented.
    Present {
        /// The number shown to the called party.
        number: PhoneNumber,
        /// The rule that allowed it.
        rule: RuleId,
    },
    /// No number is passed.
    Withheld {
        /// The rule that withheld it.
        rule: RuleId,
    },
}

impl CallerId {
    /// The rule that decided.
    #[must_use]
    pub const fn rule(&self) -> RuleId {
        match self {
            Self::Present { rule, .. } | Self::Withheld { rule } => *rule,
        }
    }
}

/// Decides the CallerID of a call from a SIP account that uses `rented` to `destination`.
///
/// Without the paid CallerID add-on the rented number is never presented (R6.2). With it,
/// the number is presented only on calls to numbers of its own country (R6.3): a German
/// number is presented on calls to Germany and withheld on calls to Austria.
#[must_use]
pub fn caller_id(rented: &PhoneNumber, addon_active: bool, destination: &PhoneNumber) -> CallerId {
    if !addon_active {
        CallerId::Withheld { rule: rule::R6_2 }
    } else if rented.country() == destination.country() {
        CallerId::Present {
            number: rented.clone(),
            rule: rule::R6_3,
        }
    } else {
        CallerId::Withheld { rule: rule::R6_3 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(text: &str) -> PhoneNumber {
        PhoneNumber::parse(text).unwrap()
    }

    #[test]
    fn r6_3_a_german_number_is_presented_in_germany_not_in_austria() {
        let berlin = n("+4930123456");
        assert_eq!(
            caller_id(&berlin, true, &n("+498912345678")),
            CallerId::Present {
                number: berlin.clone(),
                rule: rule::R6_3
            }
        );
        assert_eq!(
            caller_id(&berlin, true, &n("+4315123456")),
            CallerId::Withheld { rule: rule::R6_3 }
        );
    }

    #[test]
    fn r6_2_without_the_addon_nothing_is_presented() {
        assert_eq!(
            caller_id(&n("+4930123456"), false, &n("+498912345678")),
            CallerId::Withheld { rule: rule::R6_2 }
        );
    }

    /// Valid sample numbers, several per country, including countries that share a
    /// calling code (+1 US/CA, +7 RU/KZ) where only the numbering plan tells them apart.
    const SAMPLES: &[&str] = &[
        "+4930123456",
        "+498912345678",
        "+4915112345678",
        "+4315123456",
        "+436641234567",
        "+41446681800",
        "+33142685300",
        "+33612345678",
        "+442079460958",
        "+447400123456",
        "+12125550100",
        "+13105550123",
        "+14165550100",
        "+16045550123",
        "+74951234567",
        "+79161234567",
        "+77272501234",
        "+393123456789",
        "+34912345678",
        "+31201234567",
        "+48221234567",
        "+420212345678",
        "+81312345678",
        "+61212345678",
        "+5511912345678",
        "+97226251234",
    ];

    fn sample() -> impl Strategy<Value = PhoneNumber> {
        proptest::sample::select(SAMPLES).prop_map(n)
    }

    proptest! {
        #[test]
        fn r6_2_r6_3_presented_iff_addon_and_same_country(
            rented in sample(),
            destination in sample(),
            addon in any::<bool>(),
        ) {
            let decision = caller_id(&rented, addon, &destination);
            let same_country = rented.country() == destination.country();
            match &decision {
                CallerId::Present { number, .. } => {
                    prop_assert!(addon && same_country);
                    prop_assert_eq!(number, &rented);
                }
                CallerId::Withheld { .. } => prop_assert!(!addon || !same_country),
            }
            let expected_rule = if addon { rule::R6_3 } else { rule::R6_2 };
            prop_assert_eq!(decision.rule(), expected_rule);
        }
    }

    #[test]
    fn the_samples_cover_many_countries() {
        let bad: Vec<_> = SAMPLES
            .iter()
            .filter(|s| PhoneNumber::parse(s).is_err())
            .collect();
        assert!(bad.is_empty(), "{bad:?}");
        let countries: std::collections::BTreeSet<_> =
            SAMPLES.iter().map(|s| n(s).country()).collect();
        assert!(countries.len() >= 15, "{countries:?}");
    }
}
