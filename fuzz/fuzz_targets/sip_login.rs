//! SIP logins chosen by customers (R5.1).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        vnum_calls::fuzz_checks::sip_login(text);
    }
});
