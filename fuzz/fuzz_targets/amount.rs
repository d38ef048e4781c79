//! Amounts and money bodies on the HTTP API, read as its endpoints read them (R10.D6).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    vnum_http::fuzz_checks::amount(data);
});
