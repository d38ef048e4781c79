//! Forwarding targets typed by customers: SIP URIs, server addresses, logins, numbers (R5.2).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        vnum_calls::fuzz_checks::forwarding_target(text);
    }
});
