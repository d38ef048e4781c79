//! E.164 phone numbers from any outside text.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        vnum_calls::fuzz_checks::e164(text);
    }
});
