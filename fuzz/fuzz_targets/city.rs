//! City names of landline offers and orders (R1.2).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        vnum_lifecycle::fuzz_checks::city(text);
    }
});
