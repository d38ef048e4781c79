//! The example server's settings file (`VNUM_CONFIG`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        vnum_server::fuzz_checks::settings(text);
    }
});
