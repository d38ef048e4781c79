//! Runs the seed corpora of the fuzz targets of the domain crates' parsers
//! (`fuzz/corpus/<target>/`) through the same laws as the fuzz targets, on stable Rust, so
//! that what fuzzing found stays fixed. The HTTP adapter's and the server's targets are
//! replayed by their own crates' tests.

use vnum::accounts::{Bic, Iban};
use vnum::calls::{ForwardingTarget, SipLogin, check_wav};
use vnum::core::{CountryCode, Money};
use vnum::lifecycle::{City, HolidayCalendar};
use vnum::sms::Service;
use vnum_testkit::fuzz_corpus;

/// Every seed of `target` as text, through `law`; the names of the seeds `accepts` takes.
fn replay(target: &str, law: impl Fn(&str), accepts: impl Fn(&str) -> bool) -> Vec<String> {
    let mut accepted = Vec::new();
    for (name, bytes) in fuzz_corpus(target) {
        let text = String::from_utf8(bytes).unwrap_or_else(|e| panic!("{target}/{name}: {e}"));
        law(&text);
        if accepts(&text) {
            accepted.push(name);
        }
    }
    accepted
}

#[test]
fn wav_header_corpus_keeps_its_laws() {
    let files = fuzz_corpus("wav_header");
    for (_, bytes) in &files {
        vnum::calls::fuzz_checks::wav(bytes);
    }
    let accepted: Vec<_> = files
        .iter()
        .filter(|(_, bytes)| check_wav(bytes).is_ok())
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(
        accepted,
        [
            "seed-good-8k-mono-pcm16",
            "seed-good-with-list-and-odd-chunk"
        ]
    );
}

#[test]
fn forwarding_target_corpus_round_trips() {
    let rejected = replay(
        "forwarding_target",
        vnum::calls::fuzz_checks::forwarding_target,
        |t| ForwardingTarget::parse(t).is_err(),
    );
    assert_eq!(
        rejected,
        [
            "seed-bad-params",
            "seed-bad-port",
            "seed-junk",
            "seed-regression-national-prefix"
        ]
    );
}

#[test]
fn e164_corpus_round_trips() {
    replay("e164", vnum::calls::fuzz_checks::e164, |_| false);
}

#[test]
fn sip_login_corpus_round_trips() {
    let accepted = replay("sip_login", vnum::calls::fuzz_checks::sip_login, |t| {
        SipLogin::parse(t).is_ok()
    });
    assert_eq!(accepted, ["seed-alice", "seed-digits", "seed-dotted"]);
}

#[test]
fn money_corpus_round_trips() {
    let accepted = replay("money", vnum::core::fuzz_checks::money, |t| {
        Money::parse(t).is_ok()
    });
    assert_eq!(
        accepted,
        [
            "seed-eur",
            "seed-four-decimals",
            "seed-huge",
            "seed-jpy",
            "seed-negative",
            "seed-spaced"
        ]
    );
}

#[test]
fn country_corpus_round_trips() {
    let accepted = replay("country", vnum::core::fuzz_checks::country, |t| {
        CountryCode::parse(t).is_ok()
    });
    assert_eq!(accepted, ["seed-de", "seed-lower", "seed-us"]);
}

#[test]
fn iban_corpus_round_trips() {
    let accepted = replay("iban", vnum::accounts::fuzz_checks::iban, |t| {
        Iban::parse(t).is_ok()
    });
    assert_eq!(
        accepted,
        [
            "seed-de",
            "seed-de-grouped",
            "seed-gb-lower",
            "seed-mt-longest",
            "seed-no"
        ]
    );
}

#[test]
fn bic_corpus_round_trips() {
    let accepted = replay("bic", vnum::accounts::fuzz_checks::bic, |t| {
        Bic::parse(t).is_ok()
    });
    assert_eq!(
        accepted,
        ["seed-eight", "seed-eleven", "seed-lower", "seed-spaced"]
    );
}

#[test]
fn city_corpus_round_trips() {
    let accepted = replay("city", vnum::lifecycle::fuzz_checks::city, |t| {
        City::new(t).is_ok()
    });
    assert_eq!(
        accepted,
        ["seed-berlin", "seed-spaced", "seed-tabs", "seed-umlaut"]
    );
}

#[test]
fn holiday_calendar_corpus_round_trips() {
    let germany = vnum_testkit::country("DE");
    let accepted = replay(
        "holiday_calendar",
        vnum::lifecycle::fuzz_checks::holiday_calendar,
        |t| HolidayCalendar::parse(germany, t).is_ok(),
    );
    assert_eq!(
        accepted,
        [
            "seed-bare-dates",
            "seed-blank-lines",
            "seed-crlf",
            "seed-empty",
            "seed-far-year",
            "seed-germany"
        ]
    );
}

#[test]
fn service_corpus_round_trips() {
    let accepted = replay("service", vnum::sms::fuzz_checks::service, |t| {
        Service::new(t).is_ok()
    });
    assert_eq!(
        accepted,
        [
            "seed-dotted-i",
            "seed-spaced",
            "seed-telegram",
            "seed-unicode",
            "seed-upper"
        ]
    );
}
