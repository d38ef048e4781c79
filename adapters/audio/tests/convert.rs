//! Greeting conversion (R13.D2): whatever goes in, what comes out passes the greeting check
//! (R13.2) and lasts as long as the input, to the nearest 8 kHz sample.

// A panic in a test is a failed assertion.
#![allow(clippy::unwrap_used)]

use std::io::Cursor;

use proptest::prelude::*;
use vnum_app::ports::ConversionError;
use vnum_audio::{GREETING_RATE, Limits, convert};
use vnum_calls::check_wav;

/// A WAV file of `frames` frames of a 440 Hz tone at half scale.
fn tone_wav(rate: u32, channels: u16, bits: u16, float: bool, frames: u32) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: if float {
            hound::SampleFormat::Float
        } else {
            hound::SampleFormat::Int
        },
    };
    let mut bytes = Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut bytes, spec).unwrap();
    for i in 0..frames {
        let x = 0.5 * (2.0 * std::f64::consts::PI * 440.0 * f64::from(i) / f64::from(rate)).sin();
        for _ in 0..channels {
            if float {
                #[allow(clippy::cast_possible_truncation)]
                writer.write_sample(x as f32).unwrap();
            } else {
                #[allow(clippy::cast_precision_loss)]
                let full = ((1_i64 << (bits - 1)) - 1) as f64;
                #[allow(clippy::cast_possible_truncation)]
                writer.write_sample((x * full).round() as i32).unwrap();
            }
        }
    }
    writer.finalize().unwrap();
    bytes.into_inner()
}

/// The samples of a greeting WAV.
fn samples(wav: &[u8]) -> Vec<i16> {
    hound::WavReader::new(Cursor::new(wav))
        .unwrap()
        .samples::<i16>()
        .map(Result::unwrap)
        .collect()
}

/// The root mean square of the middle half of `samples`, full scale 1.0.
fn rms_of_middle(samples: &[i16]) -> f64 {
    let middle = &samples[samples.len() / 4..samples.len() * 3 / 4];
    #[allow(clippy::cast_precision_loss)]
    let mean = middle
        .iter()
        .map(|s| (f64::from(*s) / 32767.0).powi(2))
        .sum::<f64>()
        / middle.len() as f64;
    mean.sqrt()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn r13_d2_any_wav_converts_to_a_greeting_of_the_same_length(
        rate in prop::sample::select(vec![8_000_u32, 11_025, 16_000, 22_050, 44_100, 48_000, 96_000]),
        channels in 1_u16..=2,
        (bits, float) in prop::sample::select(vec![(8_u16, false), (16, false), (24, false), (32, false), (32, true)]),
        millis in 1_u32..1_500,
    ) {
        let frames = (u64::from(rate) * u64::from(millis) / 1_000).max(1) as u32;
        let converted = convert(tone_wav(rate, channels, bits, float, frames), Limits::default()).unwrap();
        let info = check_wav(&converted.wav).unwrap();
        let out = u64::from(info.data_bytes / 2);
        // The input's length in 8 kHz samples, to the nearest: within one output sample
        // period of the input's duration.
        let expected = (u64::from(frames) * u64::from(GREETING_RATE) * 2 + u64::from(rate)) / (2 * u64::from(rate));
        prop_assert_eq!(out, expected, "{} frames at {} Hz", frames, rate);
        prop_assert!(converted.from.contains(&format!("{rate} Hz")), "{}", converted.from);
        if millis >= 200 {
            // A 440 Hz tone at half scale keeps its level (RMS 0.354) through the resampler.
            let rms = rms_of_middle(&samples(&converted.wav));
            prop_assert!((0.30..0.40).contains(&rms), "rms {} at {} Hz", rms, rate);
        }
    }
}

#[test]
fn r13_d2_mp3_flac_and_ogg_vorbis_convert_and_say_what_they_were() {
    for (file, codec) in [
        ("tone.mp3", "MP3"),
        ("tone.flac", "FLAC"),
        ("tone.ogg", "VORBIS"),
    ] {
        let bytes = std::fs::read(format!(
            "{}/tests/fixtures/{file}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let converted = convert(bytes, Limits::default()).unwrap();
        let info = check_wav(&converted.wav).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(
            converted.from.starts_with(codec) && converted.from.contains(" Hz, 2 channels"),
            "{file}: {}",
            converted.from
        );
        // One second, give or take the encoder's padding (MP3 frames are 1152 samples).
        assert!(
            (950..=1_100).contains(&info.duration_ms),
            "{file}: {} ms",
            info.duration_ms
        );
        let rms = rms_of_middle(&samples(&converted.wav));
        assert!((0.30..0.40).contains(&rms), "{file}: rms {rms}");
    }
}

#[test]
fn r13_d2_audio_past_the_limit_is_refused_with_its_length() {
    let two_seconds = tone_wav(16_000, 1, 16, false, 32_000);
    let refused = convert(two_seconds, Limits { max_seconds: 1 }).unwrap_err();
    assert_eq!(refused, ConversionError::TooLong { seconds: 2, max: 1 });
}

#[test]
fn r13_d2_bytes_that_are_no_audio_are_refused_saying_so() {
    for bytes in [
        Vec::new(),
        b"not audio at all, just some text".to_vec(),
        b"ID3\x04\x00\x00\x00\x00\x00\x00".to_vec(),
        vec![0xFF; 4096],
    ] {
        match convert(bytes.clone(), Limits::default()) {
            Err(ConversionError::Unreadable(why)) => assert!(!why.is_empty()),
            other => panic!("{:?}: {other:?}", &bytes[..bytes.len().min(16)]),
        }
    }
}
