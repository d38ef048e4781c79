//! Service names of one-shot SMS allocations (R9).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        vnum_sms::fuzz_checks::service(text);
    }
});
