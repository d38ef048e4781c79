//! Value builders for vnum's tests: `eur("12.50")`, `day(2026, 3, 2)`, `at(day, 9)`,
//! `country("DE")`, `phone("+4915110000000")`.
//!
//! Every builder goes through the validated constructor of its type and panics, naming what
//! was wrong, when a test writes an invalid value: in a test that is a failed test with a
//! location, never a value that could not exist in production.
//!
//! `vnum-testkit` depends on `vnum-core` and the time and decimal crates only, so every
//! crate of the workspace, the pure ones included, can take it as a dev-dependency without
//! a cycle. (A crate's own unit tests see their crate compiled twice when a dev-dependency
//! depends on it; `vnum-core`'s unit tests therefore build their values themselves.) The
//! application on in-memory ports that the suites drive is `vnum_app::testing`, behind
//! `vnum-app`'s `test-support` feature; it is not here, so that the pure crates' tests never
//! build the application.

// A builder that panics on an invalid value is the point of a test kit: a test that writes
// one fails at the line that wrote it.
#![allow(clippy::missing_panics_doc)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use vnum_core::{CountryCode, Currency, Money, PhoneNumber};

/// An amount a test writes: a decimal string (`"12.50"`, `"-3"`) or a [`Decimal`].
pub trait Amount {
    /// The exact amount.
    fn decimal(self) -> Decimal;
}

impl Amount for &str {
    fn decimal(self) -> Decimal {
        match self.parse() {
            Ok(amount) => amount,
            Err(e) => panic!("{self:?} is not a decimal amount: {e}"),
        }
    }
}

impl Amount for Decimal {
    fn decimal(self) -> Decimal {
        self
    }
}

/// `amount` of `currency`, exactly as written.
#[must_use]
pub fn money(amount: impl Amount, currency: Currency) -> Money {
    Money::new(amount.decimal(), currency)
}

/// `amount` euros: `eur("12.50")`, `eur(dec!(12.5))`.
#[must_use]
pub fn eur(amount: impl Amount) -> Money {
    money(amount, Currency::EUR)
}

/// `amount` US dollars.
#[must_use]
pub fn usd(amount: impl Amount) -> Money {
    money(amount, Currency::USD)
}

/// `cents` euro cents: `eur_cents(1250)` is 12.50 EUR.
#[must_use]
pub fn eur_cents(cents: i64) -> Money {
    Money::from_minor_units(cents, Currency::EUR)
}

/// The calendar day `y`-`m`-`d`.
#[must_use]
pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(day) => day,
        None => panic!("{y}-{m}-{d} is not a day"),
    }
}

/// `hour`:00 UTC on `day`.
#[must_use]
pub fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    at_hms(day, hour, 0, 0)
}

/// `hour`:`minute`:`second` UTC on `day`.
#[must_use]
pub fn at_hms(day: NaiveDate, hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
    match day.and_hms_opt(hour, minute, second) {
        Some(time) => time.and_utc(),
        None => panic!("{hour:02}:{minute:02}:{second:02} is not a time of day"),
    }
}

/// `hour`:00 on `day` in the time zone `tz` (a billing time zone, R10.D2), as a UTC
/// instant. A local time a DST change skips is refused; one it repeats is its first
/// occurrence.
#[must_use]
pub fn local(tz: Tz, day: NaiveDate, hour: u32) -> DateTime<Utc> {
    local_hm(tz, day, hour, 0)
}

/// `hour`:`minute` on `day` in the time zone `tz`, as a UTC instant; as [`local`].
#[must_use]
pub fn local_hm(tz: Tz, day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let Some(time) = day.and_hms_opt(hour, minute, 0) else {
        panic!("{hour:02}:{minute:02} is not a time of day");
    };
    match tz.from_local_datetime(&time).earliest() {
        Some(instant) => instant.with_timezone(&Utc),
        None => panic!("{time} does not exist in {tz}: a DST change skips it"),
    }
}

/// The ISO 3166-1 alpha-2 country `code`.
#[must_use]
pub fn country(code: &str) -> CountryCode {
    match CountryCode::parse(code) {
        Ok(country) => country,
        Err(e) => panic!("{code:?} is not a country code: {e}"),
    }
}

/// The E.164 number `text` (`"+4915110000000"`).
#[must_use]
pub fn phone(text: &str) -> PhoneNumber {
    match PhoneNumber::parse(text) {
        Ok(number) => number,
        Err(e) => panic!("{text:?} is not an E.164 number: {e}"),
    }
}

/// The seed corpus of fuzz target `target` (`fuzz/corpus/<target>/`), each file's name and
/// bytes, sorted by name: the corpus tests run every seed through the law its target
/// checks, on stable Rust, so that what fuzzing found stays fixed. Panics when the folder
/// is missing or holds fewer than five seeds.
#[must_use]
pub fn fuzz_corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) => panic!("the corpus {} cannot be read: {e}", dir.display()),
    };
    let mut files: Vec<(String, Vec<u8>)> = entries
        .map(|entry| {
            let path = match entry {
                Ok(entry) => entry.path(),
                Err(e) => panic!("an entry of {} cannot be read: {e}", dir.display()),
            };
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match std::fs::read(&path) {
                Ok(bytes) => (name, bytes),
                Err(e) => panic!("{} cannot be read: {e}", path.display()),
            }
        })
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{target}: only {} seeds", files.len());
    files
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;

    #[test]
    fn amounts_are_exact_whether_written_as_text_or_decimal() {
        assert_eq!(
            eur("12.50"),
            Money::new(Decimal::new(1250, 2), Currency::EUR)
        );
        assert_eq!(eur(Decimal::new(125, 1)), eur("12.50"));
        assert_eq!(eur_cents(1250), eur("12.50"));
        assert_eq!(usd("-3").currency(), Currency::USD);
        assert_eq!(money("100", Currency::GBP).amount(), Decimal::from(100));
    }

    #[test]
    #[should_panic(expected = "is not a decimal amount")]
    fn an_amount_that_is_not_a_decimal_fails_the_test() {
        let _ = eur("12,50");
    }

    #[test]
    fn instants_are_utc_or_local_to_the_zone() {
        let d = day(2026, 3, 2);
        assert_eq!(at(d, 9).to_rfc3339(), "2026-03-02T09:00:00+00:00");
        assert_eq!(at_hms(d, 9, 5, 7).to_rfc3339(), "2026-03-02T09:05:07+00:00");
        // Moscow is UTC+3 all year; Berlin is UTC+1 in March before the change.
        assert_eq!(local(chrono_tz::Europe::Moscow, d, 9), at(d, 6));
        assert_eq!(
            local_hm(chrono_tz::Europe::Berlin, d, 9, 30),
            at_hms(d, 8, 30, 0)
        );
        // 02:30 on 27 October 2024 happened twice in Berlin: the first is at 00:30 UTC.
        let repeated = day(2024, 10, 27);
        assert_eq!(
            local_hm(chrono_tz::Europe::Berlin, repeated, 2, 30),
            at_hms(repeated, 0, 30, 0)
        );
    }

    #[test]
    #[should_panic(expected = "a DST change skips it")]
    fn a_local_time_a_dst_change_skips_fails_the_test() {
        let _ = local(chrono_tz::Europe::Berlin, day(2024, 3, 31), 2);
    }

    #[test]
    #[should_panic(expected = "is not a day")]
    fn a_day_that_does_not_exist_fails_the_test() {
        let _ = day(2026, 2, 29);
    }

    #[test]
    fn countries_and_numbers_go_through_their_constructors() {
        assert_eq!(country("DE").as_str(), "DE");
        assert_eq!(phone("+4915110000000").country(), country("DE"));
    }
}
