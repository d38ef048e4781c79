//! The laws the fuzz targets of this crate's parsers check, shared with the corpus tests
//! that run the seeds on stable Rust. Each function panics when a law is broken, which is
//! how a fuzzer reports a bug.

use crate::{Bic, Iban};

/// An IBAN reads back what it writes (groups of four), and what it keeps is 15 to 34
/// capital letters and digits.
pub fn iban(text: &str) {
    if let Ok(iban) = Iban::parse(text) {
        let kept = iban.as_str();
        assert!(
            (15..=34).contains(&kept.len())
                && kept
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
            "{text:?} -> {kept:?}"
        );
        let written = iban.to_string();
        assert_eq!(
            Iban::parse(&written).as_ref(),
            Ok(&iban),
            "{text:?} -> {written:?}"
        );
        assert_eq!(
            Iban::parse(kept).as_ref(),
            Ok(&iban),
            "{text:?} -> {kept:?}"
        );
    }
}

/// A BIC reads back what it writes, and what it writes is 8 or 11 capital letters and
/// digits.
pub fn bic(text: &str) {
    if let Ok(bic) = Bic::parse(text) {
        let written = bic.to_string();
        assert!(
            matches!(written.len(), 8 | 11)
                && written
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
            "{text:?} -> {written:?}"
        );
        assert_eq!(
            Bic::parse(&written).as_ref(),
            Ok(&bic),
            "{text:?} -> {written:?}"
        );
    }
}
