//! Greeting conversion on request (R13.D2): a file of another common audio format (WAV of
//! another rate or width, MP3, Ogg/Vorbis, FLAC) decoded with `symphonia`, mixed down to
//! mono, resampled to 8 kHz with `rubato` and written as 16-bit PCM WAV with `hound`, the
//! one format a greeting plays in (R13.2).
//!
//! Work is bounded whatever the bytes say: the input is at most the upload limit, the audio
//! at most [`Limits::max_seconds`], and it is resampled as it is decoded, so memory holds the
//! 8 kHz output and one chunk of input, not the decoded file.

use std::io::Cursor;

use async_trait::async_trait;
use rubato::{
    Resampler, SincFixedIn, SincInterpolationParameters, SincInterpolationType, WindowFunction,
};
use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{CODEC_TYPE_NULL, DecoderOptions};
use symphonia::core::errors::Error as DecodeError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;
use vnum_app::ports::{AudioConverter, ConversionError, ConvertedAudio};

/// The rate every greeting plays at (R13.2).
pub const GREETING_RATE: u32 = 8_000;

/// The highest input rate taken: studio audio goes to 192 kHz.
pub const MAX_INPUT_RATE: u32 = 192_000;

/// Input frames the resampler takes at a time.
const CHUNK: usize = 1_024;

/// How much audio is converted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The longest audio converted, in seconds: five minutes, which at 8 kHz 16-bit mono
    /// fits the 5 MiB a greeting may have.
    pub max_seconds: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_seconds: 300 }
    }
}

/// The [`AudioConverter`] port on `symphonia`, `rubato` and `hound`. Conversion runs on a
/// blocking thread of tokio's, not on the tasks that serve requests.
#[derive(Clone, Copy, Debug, Default)]
pub struct AudioConversion {
    limits: Limits,
}

impl AudioConversion {
    /// A converter within `limits`.
    #[must_use]
    pub const fn new(limits: Limits) -> Self {
        Self { limits }
    }
}

#[async_trait]
impl AudioConverter for AudioConversion {
    async fn to_greeting(&self, bytes: Vec<u8>) -> Result<ConvertedAudio, ConversionError> {
        let limits = self.limits;
        tokio::task::spawn_blocking(move || convert(bytes, limits))
            .await
            .map_err(|_| ConversionError::Unreadable("the decoder failed on this file".into()))?
    }
}

/// `bytes` of a common audio format as a greeting: WAV, PCM, 8 kHz, 16-bit, mono.
///
/// # Errors
/// [`ConversionError::Unreadable`] for bytes that are no audio of a format this reads, or
/// hold no sound; [`ConversionError::TooLong`] past [`Limits::max_seconds`].
pub fn convert(bytes: Vec<u8>, limits: Limits) -> Result<ConvertedAudio, ConversionError> {
    let unreadable = |what: String| ConversionError::Unreadable(what);
    let stream = MediaSourceStream::new(Box::new(Cursor::new(bytes)), Default::default());
    let probed = symphonia::default::get_probe()
        .format(
            &Hint::new(),
            stream,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .map_err(|e| unreadable(format!("it is not audio of a known format ({e})")))?;
    let mut format = probed.format;
    let track = format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or_else(|| unreadable("it holds no audio track".into()))?;
    let track_id = track.id;
    let params = track.codec_params.clone();
    let codec = symphonia::default::get_codecs()
        .get_codec(params.codec)
        .map_or("audio", |d| d.short_name);
    let rate = params
        .sample_rate
        .ok_or_else(|| unreadable(format!("the {codec} track names no sample rate")))?;
    if rate == 0 || rate > MAX_INPUT_RATE {
        return Err(unreadable(format!(
            "its sample rate is {rate} Hz: expected 1 to {MAX_INPUT_RATE} Hz"
        )));
    }
    let max_frames = limits.max_seconds.saturating_mul(u64::from(rate));
    if let Some(frames) = params.n_frames
        && frames > max_frames
    {
        return Err(too_long(frames, rate, limits));
    }
    let mut decoder = symphonia::default::get_codecs()
        .make(&params, &DecoderOptions::default())
        .map_err(|e| unreadable(format!("its {codec} audio cannot be decoded ({e})")))?;
    let mut mono = Mono::new(rate)?;
    let mut channels = params.channels.map_or(0, |c| c.count());
    let mut buffer: Option<SampleBuffer<f32>> = None;
    loop {
        let packet = match format.next_packet() {
            Ok(packet) => packet,
            Err(DecodeError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                break;
            }
            Err(DecodeError::ResetRequired) => break,
            Err(e) => return Err(unreadable(format!("its {codec} stream is damaged ({e})"))),
        };
        if packet.track_id() != track_id {
            continue;
        }
        let decoded = match decoder.decode(&packet) {
            Ok(decoded) => decoded,
            // A damaged packet is skipped, as players do.
            Err(DecodeError::DecodeError(_)) => continue,
            Err(e) => return Err(unreadable(format!("its {codec} audio is damaged ({e})"))),
        };
        let spec = *decoded.spec();
        if spec.rate != rate {
            return Err(unreadable(format!(
                "its sample rate changes from {rate} Hz to {} Hz",
                spec.rate
            )));
        }
        channels = spec.channels.count();
        if channels == 0 {
            return Err(unreadable("it has no channels".into()));
        }
        let capacity = decoded.capacity() as u64;
        let samples = match &mut buffer {
            Some(b) if b.capacity() >= decoded.capacity() * channels => b,
            slot => slot.insert(SampleBuffer::new(capacity, spec)),
        };
        samples.copy_interleaved_ref(decoded);
        for frame in samples.samples().chunks(channels) {
            #[allow(clippy::cast_precision_loss)]
            mono.push(frame.iter().sum::<f32>() / channels as f32)?;
        }
        if mono.frames_in > max_frames {
            return Err(too_long(mono.frames_in, rate, limits));
        }
    }
    if mono.frames_in == 0 {
        return Err(unreadable(format!("its {codec} track holds no sound")));
    }
    let frames_in = mono.frames_in;
    let samples = mono.finish()?;
    let wav = write_wav(&samples)?;
    #[allow(clippy::cast_precision_loss)]
    let seconds = frames_in as f64 / f64::from(rate);
    Ok(ConvertedAudio {
        wav,
        from: format!(
            "{}, {rate} Hz, {channels} channel{}, {seconds:.1} s",
            codec.to_uppercase(),
            if channels == 1 { "" } else { "s" }
        ),
    })
}

fn too_long(frames: u64, rate: u32, limits: Limits) -> ConversionError {
    ConversionError::TooLong {
        seconds: frames.div_ceil(u64::from(rate)),
        max: limits.max_seconds,
    }
}

/// Mono input at its own rate, resampled to [`GREETING_RATE`] a chunk at a time.
struct Mono {
    resampler: Option<SincFixedIn<f32>>,
    pending: Vec<f32>,
    out: Vec<f32>,
    frames_in: u64,
    rate: u32,
}

impl Mono {
    fn new(rate: u32) -> Result<Self, ConversionError> {
        let resampler = if rate == GREETING_RATE {
            None
        } else {
            let parameters = SincInterpolationParameters {
                sinc_len: 128,
                f_cutoff: 0.925,
                interpolation: SincInterpolationType::Linear,
                oversampling_factor: 128,
                window: WindowFunction::BlackmanHarris2,
            };
            Some(
                SincFixedIn::new(
                    f64::from(GREETING_RATE) / f64::from(rate),
                    1.0,
                    parameters,
                    CHUNK,
                    1,
                )
                .map_err(|e| ConversionError::Unreadable(format!("resampling failed ({e})")))?,
            )
        };
        Ok(Self {
            resampler,
            pending: Vec::with_capacity(CHUNK),
            out: Vec::new(),
            frames_in: 0,
            rate,
        })
    }

    fn push(&mut self, sample: f32) -> Result<(), ConversionError> {
        self.frames_in += 1;
        let Some(resampler) = &mut self.resampler else {
            self.out.push(sample);
            return Ok(());
        };
        self.pending.push(sample);
        if self.pending.len() == CHUNK {
            let chunk = resampler
                .process(&[&self.pending], None)
                .map_err(resampling)?;
            self.out.extend_from_slice(&chunk[0]);
            self.pending.clear();
        }
        Ok(())
    }

    /// The whole output: as many 8 kHz frames as the input lasts, rounded to the nearest.
    fn finish(mut self) -> Result<Vec<f32>, ConversionError> {
        let Some(resampler) = &mut self.resampler else {
            return Ok(self.out);
        };
        let expected = usize::try_from(
            (self.frames_in * u64::from(GREETING_RATE) + u64::from(self.rate) / 2)
                / u64::from(self.rate),
        )
        .unwrap_or(usize::MAX);
        let delay = resampler.output_delay();
        if !self.pending.is_empty() {
            let chunk = resampler
                .process_partial(Some(&[&self.pending]), None)
                .map_err(resampling)?;
            self.out.extend_from_slice(&chunk[0]);
        }
        while self.out.len() < delay + expected {
            let chunk = resampler
                .process_partial::<&[f32]>(None, None)
                .map_err(resampling)?;
            if chunk[0].is_empty() {
                break;
            }
            self.out.extend_from_slice(&chunk[0]);
        }
        let mut out: Vec<f32> = self.out.into_iter().skip(delay).take(expected).collect();
        out.resize(expected, 0.0);
        Ok(out)
    }
}

fn resampling(e: rubato::ResampleError) -> ConversionError {
    ConversionError::Unreadable(format!("resampling failed ({e})"))
}

/// `samples` at 8 kHz as WAV, PCM, 16-bit, mono.
fn write_wav(samples: &[f32]) -> Result<Vec<u8>, ConversionError> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: GREETING_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let failed = |e: hound::Error| ConversionError::Unreadable(format!("writing WAV failed ({e})"));
    let mut bytes = Cursor::new(Vec::with_capacity(44 + samples.len() * 2));
    let mut writer = hound::WavWriter::new(&mut bytes, spec).map_err(failed)?;
    for sample in samples {
        #[allow(clippy::cast_possible_truncation)]
        let value = (sample.clamp(-1.0, 1.0) * f32::from(i16::MAX)).round() as i16;
        writer.write_sample(value).map_err(failed)?;
    }
    writer.finalize().map_err(failed)?;
    Ok(bytes.into_inner())
}

pub mod fuzz_checks {
    //! The law the fuzz target of greeting conversion checks, shared with the corpus test
    //! that runs the seeds on stable Rust.

    use super::{GREETING_RATE, Limits, convert};

    /// The limit the fuzz target converts within: short, so each input stays fast.
    pub const LIMITS: Limits = Limits { max_seconds: 10 };

    /// Any bytes asked to be converted never panic: they give a file that passes the
    /// greeting check (R13.2) and lasts at most the limit, or an error that says why.
    ///
    /// # Panics
    /// When the law is broken, which is how a fuzzer reports a bug.
    pub fn conversion(bytes: &[u8]) {
        match convert(bytes.to_vec(), LIMITS) {
            Ok(converted) => {
                let info = vnum_calls::check_wav(&converted.wav)
                    .unwrap_or_else(|e| panic!("a converted file fails the greeting check: {e}"));
                let most = LIMITS.max_seconds * u64::from(GREETING_RATE) + 1;
                assert!(
                    u64::from(info.data_bytes / 2) <= most,
                    "{} samples out of at most {most}",
                    info.data_bytes / 2
                );
                assert!(!converted.from.is_empty());
            }
            Err(error) => assert!(!error.to_string().is_empty()),
        }
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn greeting_audio_corpus_keeps_its_law() {
            let corpus = vnum_testkit::fuzz_corpus("greeting_audio");
            assert!(corpus.len() >= 7, "{} seeds", corpus.len());
            for (name, bytes) in corpus {
                eprintln!("{name}");
                super::conversion(&bytes);
            }
        }
    }
}
