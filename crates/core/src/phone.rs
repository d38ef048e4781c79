//! E.164 phone numbers.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::CountryCode;

/// A valid international phone number in E.164 form (`+4930123456`) and the country it
/// belongs to.
///
/// Invariant: the text is `+` followed by 8 to 15 digits, the number is valid by the
/// numbering plan of its country, and `country` is the region that plan assigns it to
/// (`+1 416…` is CA, `+1 212…` is US, `+7 727…` is KZ). The CallerID rule (R6.3) and the
/// routing of forwarded calls rely on that country.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber {
    e164: String,
    country: CountryCode,
}

/// What is wrong with a phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneNumberError {
    /// Not of the shape `+` and digits.
    #[error(
        "{0:?} is not an international number: expected E.164 such as +4930123456 ('+', country code, 8 to 15 digits in all)"
    )]
    NotE164(String),
    /// Of the right shape but not a number of any country's plan.
    #[error("{0:?} is not a valid number in its country's numbering plan")]
    Invalid(String),
}

impl PhoneNumber {
    /// Parses an E.164 number. Spaces, dashes, dots and parentheses between digits are
    /// accepted and removed (`+49 30 1234-5678`); anything else is refused.
    ///
    /// # Errors
    /// [`PhoneNumberError::NotE164`] for text that is not `+` and 8 to 15 digits;
    /// [`PhoneNumberError::Invalid`] for a number no country's plan has.
    pub fn parse(text: &str) -> Result<Self, PhoneNumberError> {
        let not_e164 = || PhoneNumberError::NotE164(text.to_owned());
        let rest = text.trim().strip_prefix('+').ok_or_else(not_e164)?;
        let mut digits = String::with_capacity(16);
        digits.push('+');
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(not_e164()),
            }
        }
        if !(9..=16).contains(&digits.len()) || digits.as_bytes()[1] == b'0' {
            return Err(not_e164());
        }
        let invalid = || PhoneNumberError::Invalid(text.to_owned());
        let parsed = phonenumber::parse(None, &digits).map_err(|_| invalid())?;
        if !phonenumber::is_valid(&parsed) {
            return Err(invalid());
        }
        let country = parsed
            .country()
            .id()
            .and_then(CountryCode::from_region)
            .ok_or_else(invalid)?;
        let e164 = parsed.format().mode(phonenumber::Mode::E164).to_string();
        // The numbering plan may rewrite what it was given (`+49 0030 708` loses its
        // national prefix and becomes `+4930708`, too short to parse again); a number is
        // accepted only as written, so that its text always parses back to itself.
        if e164 != digits {
            return Err(invalid());
        }
        Ok(Self { e164, country })
    }

    /// The E.164 text, `+4930123456`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.e164
    }

    /// The digits without the `+`, as SIP user parts carry them.
    #[must_use]
    pub fn digits(&self) -> &str {
        &self.e164[1..]
    }

    /// The country whose numbering plan the number belongs to.
    #[must_use]
    pub const fn country(&self) -> CountryCode {
        self.country
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.e164)
    }
}

impl FromStr for PhoneNumber {
    type Err = PhoneNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = PhoneNumberError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PhoneNumber> for String {
    fn from(value: PhoneNumber) -> Self {
        value.e164
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_know_their_country() {
        for (text, country) in [
            ("+4930123456", "DE"),
            ("+43 1 5123456", "AT"),
            ("+1 212 555 0100", "US"),
            ("+1 416 555 0100", "CA"),
            ("+7 495 123-45-67", "RU"),
            ("+44 20 7946 0958", "GB"),
        ] {
            let n = PhoneNumber::parse(text).unwrap();
            assert_eq!(n.country().as_str(), country, "{text}");
            assert!(n.as_str().starts_with('+'));
            assert!(!n.as_str().contains(' '));
        }
    }

    #[test]
    fn bad_numbers_are_refused_with_a_reason() {
        assert!(matches!(
            PhoneNumber::parse("4930123456"),
            Err(PhoneNumberError::NotE164(_))
        ));
        assert!(matches!(
            PhoneNumber::parse("+49abc"),
            Err(PhoneNumberError::NotE164(_))
        ));
        assert!(matches!(
            PhoneNumber::parse("+1234567890123456"),
            Err(PhoneNumberError::NotE164(_))
        ));
        assert!(matches!(
            PhoneNumber::parse("+999123456789"),
            Err(PhoneNumberError::Invalid(_))
        ));
        let err = PhoneNumber::parse("030 123456").unwrap_err().to_string();
        assert!(err.contains("E.164"), "{err}");
    }

    #[test]
    fn numbers_the_plan_would_rewrite_are_refused_so_text_round_trips() {
        assert!(matches!(
            PhoneNumber::parse("+490030-708"),
            Err(PhoneNumberError::Invalid(_))
        ));
    }

    #[test]
    fn serde_uses_the_e164_text() {
        let n = PhoneNumber::parse("+49 30 123456").unwrap();
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"+4930123456\"");
        assert!(serde_json::from_str::<PhoneNumber>("\"12\"").is_err());
    }
}
