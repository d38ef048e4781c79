//! The laws the fuzz targets of this crate's parsers check, shared with the corpus tests
//! that run the seeds on stable Rust. Each function panics when a law is broken, which is
//! how a fuzzer reports a bug.

use crate::{CountryCode, Currency, Money};

/// An amount with its currency (`12.50 EUR`) reads back what it writes, with the same
/// amount, scale included, and currency; a currency code alone reads back the same.
pub fn money(text: &str) {
    if let Ok(money) = Money::parse(text) {
        let written = money.to_string();
        let reread = Money::parse(&written).expect("a written amount parses");
        assert_eq!(reread, money, "{text:?} -> {written:?}");
        assert_eq!(reread.to_string(), written, "{text:?}");
    }
    if let Ok(currency) = Currency::parse(text) {
        let written = currency.to_string();
        assert_eq!(
            Currency::parse(&written),
            Ok(currency),
            "{text:?} -> {written:?}"
        );
    }
}

/// A country code reads back what it writes, and what it writes is two capital letters.
pub fn country(text: &str) {
    if let Ok(country) = CountryCode::parse(text) {
        let written = country.to_string();
        assert!(
            written.len() == 2 && written.bytes().all(|b| b.is_ascii_uppercase()),
            "{text:?} -> {written:?}"
        );
        assert_eq!(
            CountryCode::parse(&written),
            Ok(country),
            "{text:?} -> {written:?}"
        );
    }
}
