//! Greetings converted on request (R13.D2): any bytes through the decoders and the resampler.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    vnum_audio::fuzz_checks::conversion(data);
});
