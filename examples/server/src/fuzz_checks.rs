//! The law the fuzz target of the settings file checks, shared with the corpus test that
//! runs the seeds on stable Rust. It panics when the law is broken, which is how a fuzzer
//! reports a bug.

use crate::Settings;

/// A settings file, read as [`Settings::from_env`] reads `VNUM_CONFIG`'s, never panics: it
/// gives settings the application can be configured with, or an error that names the
/// configuration file and says what is wrong in it. Settings it accepts keep the rules the
/// environment's values are held to (the largest payment is above zero, R10.D6). Reading
/// the same text again gives the same answer.
pub fn settings(text: &str) {
    let first = Settings::from_sources(Some(text), |_| None);
    let second = Settings::from_sources(Some(text), |_| None);
    match (first, second) {
        (Ok(settings), Ok(again)) => {
            assert_eq!(settings, again, "{text:?}");
            assert!(
                settings.max_payment > rust_decimal::Decimal::ZERO,
                "{text:?}: the largest payment is {}",
                settings.max_payment
            );
            let config = settings.app_config();
            assert_eq!(config.renewal_batch_size, settings.renewal_batch_size);
        }
        (Err(error), Err(again)) => {
            let message = format!("{error:#}");
            assert!(
                message.starts_with("the configuration file is invalid: "),
                "{text:?}: {message}"
            );
            assert!(message.len() > "the configuration file is invalid: ".len());
            assert_eq!(message, format!("{again:#}"), "{text:?}");
        }
        (first, second) => panic!("{text:?} read twice: {first:?} then {second:?}"),
    }
}

#[cfg(test)]
mod tests {
    use vnum_testkit::fuzz_corpus;

    use crate::Settings;

    #[test]
    fn settings_corpus_keeps_its_laws() {
        let mut accepted = Vec::new();
        for (name, bytes) in fuzz_corpus("settings") {
            let text = String::from_utf8(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            super::settings(&text);
            if Settings::from_sources(Some(&text), |_| None).is_ok() {
                accepted.push(name);
            }
        }
        assert_eq!(accepted, ["seed-empty", "seed-full", "seed-listen"]);
    }
}
