//! The SIP engine's call record body, read as `POST /v1/engine/calls` reads it (R4.6).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    vnum_http::fuzz_checks::call_record(data);
});
