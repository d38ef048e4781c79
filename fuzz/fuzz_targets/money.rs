//! Amounts with their currency (`12.50 EUR`) and currency codes, as files and settings write them.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        vnum_core::fuzz_checks::money(text);
    }
});
