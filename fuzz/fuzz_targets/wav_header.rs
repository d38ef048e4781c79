//! Uploaded greeting files: the RIFF/WAVE header walker (R13.2).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    vnum_calls::fuzz_checks::wav(data);
});
