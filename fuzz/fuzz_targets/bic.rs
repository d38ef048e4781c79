//! BICs typed into a company's contract (R12.3).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        vnum_accounts::fuzz_checks::bic(text);
    }
});
