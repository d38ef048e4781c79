//! Holiday lists loaded for the provisioning ETA (R2.D1).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        vnum_lifecycle::fuzz_checks::holiday_calendar(text);
    }
});
