//! ISO 3166-1 alpha-2 country codes from any outside text.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        vnum_core::fuzz_checks::country(text);
    }
});
