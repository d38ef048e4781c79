//! ISO 3166-1 alpha-2 country codes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A country (or territory) by its ISO 3166-1 alpha-2 code, e.g. `DE`.
///
/// Invariant: two upper-case ASCII letters naming a region that has a telephone numbering
/// plan (the regions of ITU-T E.164 as libphonenumber knows them). Lower-case input is
/// accepted and normalised; `UK` is refused (the ISO code is `GB`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

/// The text is not a country code vnum knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown country code {0:?}: expected an ISO 3166-1 alpha-2 code such as DE, AT or US")]
pub struct CountryCodeError(pub String);

impl CountryCode {
    /// Parses an alpha-2 code, case-insensitively.
    ///
    /// # Errors
    /// [`CountryCodeError`] when the text is not a known ISO 3166-1 alpha-2 code.
    pub fn parse(code: &str) -> Result<Self, CountryCodeError> {
        let err = || CountryCodeError(code.to_owned());
        let bytes: [u8; 2] = code.as_bytes().try_into().map_err(|_| err())?;
        if !bytes.iter().all(u8::is_ascii_alphabetic) {
            return Err(err());
        }
        let upper = bytes.map(|b| b.to_ascii_uppercase());
        let text = std::str::from_utf8(&upper).map_err(|_| err())?;
        phonenumber::country::Id::from_str(text).map_err(|_| err())?;
        Ok(Self(upper))
    }

    /// The two upper-case letters.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    pub(crate) fn from_region(id: phonenumber::country::Id) -> Option<Self> {
        Self::parse(id.as_ref()).ok()
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CountryCode {
    type Err = CountryCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for CountryCode {
    type Error = CountryCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CountryCode> for String {
    fn from(value: CountryCode) -> Self {
        value.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_parse_and_normalise() {
        assert_eq!(CountryCode::parse("de").unwrap().as_str(), "DE");
        assert_eq!(CountryCode::parse("AT").unwrap().to_string(), "AT");
    }

    #[test]
    fn unknown_codes_are_refused_with_a_reason() {
        for bad in ["", "D", "DEU", "UK", "ZZ", "1A", "é"] {
            let err = CountryCode::parse(bad).unwrap_err();
            assert!(err.to_string().contains("ISO 3166-1"), "{bad}: {err}");
        }
    }
}
