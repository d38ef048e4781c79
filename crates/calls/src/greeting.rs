//! Greetings: the format check at upload (R13.2, R13.D1), the settings that select one
//! (R13.1), and orders for a professional recording (R13.3).
//!
//! The check walks the RIFF chunks by hand rather than through a WAV decoder: it reads
//! nothing but headers, every read is bounds-checked, and it allocates nothing whatever
//! sizes a header declares, so hostile files are rejected with a reason, never a panic.

use std::fmt;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use vnum_core::{Currency, Decimal, GreetingId, Money, PriceList};

use crate::CallsError;

/// The only format that plays (R13.2).
const REQUIRED: &str = "a greeting must be a WAV file of 8000 Hz mono 16-bit PCM";

/// How the samples of a WAV file are encoded, from its format tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Encoding {
    /// Integer PCM (tag 1).
    Pcm,
    /// IEEE floating point (tag 3).
    IeeeFloat,
    /// G.711 A-law (tag 6).
    ALaw,
    /// G.711 µ-law (tag 7).
    MuLaw,
    /// MPEG layer 3 inside a WAV container (tag 0x55).
    Mp3,
    /// Any other tag.
    Other(u16),
}

impl Encoding {
    const fn from_tag(tag: u16) -> Self {
        match tag {
            1 => Self::Pcm,
            3 => Self::IeeeFloat,
            6 => Self::ALaw,
            7 => Self::MuLaw,
            0x55 => Self::Mp3,
            other => Self::Other(other),
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pcm => f.write_str("PCM"),
            Self::IeeeFloat => f.write_str("IEEE float"),
            Self::ALaw => f.write_str("A-law"),
            Self::MuLaw => f.write_str("µ-law"),
            Self::Mp3 => f.write_str("MP3"),
            Self::Other(tag) => write!(f, "format tag {tag:#06x}"),
        }
    }
}

/// The audio format a WAV header declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudioFormat {
    /// The sample encoding.
    pub encoding: Encoding,
    /// Samples per second.
    pub sample_rate: u32,
    /// Bits per sample.
    pub bits_per_sample: u16,
    /// Channels.
    pub channels: u16,
}

impl AudioFormat {
    /// The format a greeting must have (R13.2).
    pub const GREETING: Self = Self {
        encoding: Encoding::Pcm,
        sample_rate: 8000,
        bits_per_sample: 16,
        channels: 1,
    };
}

/// Reads `44100 Hz stereo 16-bit PCM`.
impl fmt::Display for AudioFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} Hz ", self.sample_rate)?;
        match self.channels {
            1 => f.write_str("mono")?,
            2 => f.write_str("stereo")?,
            n => write!(f, "{n}-channel")?,
        }
        write!(f, " {}-bit {}", self.bits_per_sample, self.encoding)
    }
}

/// Why an uploaded file is not a usable greeting (R13.D1). Each message says what the file
/// is and what it must be.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WavError {
    /// Another kind of file altogether.
    #[error("the file is {0}, not a WAV file; {REQUIRED}")]
    NotWav(&'static str),
    /// The file ends inside a header.
    #[error("truncated header: {0}; {REQUIRED}")]
    Truncated(&'static str),
    /// A header is present but inconsistent.
    #[error("malformed WAV header: {0}; {REQUIRED}")]
    Malformed(&'static str),
    /// A well-formed WAV file of another format.
    #[error("the file is {0}; a greeting must be 8000 Hz mono 16-bit PCM")]
    WrongFormat(AudioFormat),
    /// A well-formed WAV file without sound.
    #[error("the file has no audio samples; {REQUIRED}")]
    NoAudio,
}

/// A greeting is WAV, PCM, 8 kHz, 16-bit, mono (R13.2).
impl vnum_core::rule::RuleError for WavError {
    fn rule(&self) -> vnum_core::RuleId {
        vnum_core::rule::R13_2
    }
}

/// What the check learnt about an accepted greeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WavInfo {
    /// Bytes of sample data.
    pub data_bytes: u32,
    /// Playing time in milliseconds.
    pub duration_ms: u32,
}

/// A little-endian cursor that never reads past the end.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let slice = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(slice)
    }

    fn tag(&mut self) -> Option<[u8; 4]> {
        self.take(4)?.try_into().ok()
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.tag()?))
    }

    fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.at)
    }
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    match bytes.get(at..at + 2) {
        Some(&[a, b]) => u16::from_le_bytes([a, b]),
        _ => 0,
    }
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    match bytes.get(at..at + 4) {
        Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]),
        _ => 0,
    }
}

/// Names files that are obviously something else, from their first bytes.
fn sniff(bytes: &[u8]) -> &'static str {
    match bytes {
        [b'I', b'D', b'3', ..] | [0xFF, 0xE0..=0xFF, ..] => "an MP3 file",
        [b'O', b'g', b'g', b'S', ..] => "an Ogg file",
        [b'f', b'L', b'a', b'C', ..] => "a FLAC file",
        [_, _, _, _, b'f', b't', b'y', b'p', ..] => "an MP4/M4A file",
        [b'F', b'O', b'R', b'M', ..] => "an AIFF file",
        [b'R', b'I', b'F', b'X', ..] => "a big-endian RIFX file",
        [b'R', b'F', b'6', b'4', ..] => "an RF64 file",
        [b'R', b'I', b'F', b'F', ..] => "a RIFF file of another type (not WAVE)",
        [b'.', b's', b'n', b'd', ..] => "a Sun/NeXT AU file",
        [] => "empty",
        _ => "not an audio file this service knows",
    }
}

/// Checks that `bytes` are a WAV file a greeting can use: RIFF/WAVE, a `fmt ` chunk of PCM
/// (format tag 1, or WAVE_FORMAT_EXTENSIBLE with the PCM sub-format), 8000 Hz, 16 bits,
/// one channel, and a non-empty `data` chunk (R13.2). Other chunks (`LIST`, `fact`, …) are
/// skipped; odd-sized chunks are followed by their pad byte.
///
/// # Errors
/// A [`WavError`] saying what the file is and what it must be (R13.D1).
pub fn check_wav(bytes: &[u8]) -> Result<WavInfo, WavError> {
    if bytes.len() < 12 {
        return Err(match bytes {
            [b'R', b'I', b'F', b'F', ..] | [b'R', b'I', b'F'] | [b'R', b'I'] | [b'R'] => {
                WavError::Truncated("the file ends inside the 12-byte RIFF header")
            }
            _ => WavError::NotWav(sniff(bytes)),
        });
    }
    let mut r = Reader { bytes, at: 0 };
    let riff = r.tag();
    let _riff_size = r.u32();
    let wave = r.tag();
    if riff != Some(*b"RIFF") || wave != Some(*b"WAVE") {
        return Err(WavError::NotWav(sniff(bytes)));
    }
    let mut format: Option<AudioFormat> = None;
    let mut block_align = 0u16;
    let mut data_bytes: Option<u32> = None;
    while r.remaining() > 0 {
        let (Some(id), Some(size)) = (r.tag(), r.u32()) else {
            return Err(WavError::Truncated("the file ends inside a chunk header"));
        };
        let Ok(len) = usize::try_from(size) else {
            return Err(WavError::Malformed("a chunk is larger than memory"));
        };
        match &id {
            b"fmt " => {
                if format.is_some() {
                    return Err(WavError::Malformed("two fmt chunks"));
                }
                if len < 16 {
                    return Err(WavError::Malformed(
                        "the fmt chunk is shorter than 16 bytes",
                    ));
                }
                let body = r
                    .take(len)
                    .ok_or(WavError::Truncated("the file ends inside the fmt chunk"))?;
                let mut tag = u16_at(body, 0);
                if tag == 0xFFFE {
                    // WAVE_FORMAT_EXTENSIBLE: the real tag opens the sub-format GUID.
                    if len < 40 {
                        return Err(WavError::Malformed(
                            "the extensible fmt chunk is shorter than 40 bytes",
                        ));
                    }
                    tag = u16_at(body, 24);
                }
                block_align = u16_at(body, 12);
                format = Some(AudioFormat {
                    encoding: Encoding::from_tag(tag),
                    channels: u16_at(body, 2),
                    sample_rate: u32_at(body, 4),
                    bits_per_sample: u16_at(body, 14),
                });
            }
            b"data" => {
                if format.is_none() {
                    return Err(WavError::Malformed(
                        "the data chunk comes before the fmt chunk",
                    ));
                }
                if len > r.remaining() {
                    return Err(WavError::Truncated(
                        "the data chunk declares more bytes than the file holds",
                    ));
                }
                data_bytes = Some(size);
                // The samples themselves are not read: only their headers matter here.
                break;
            }
            _ => {
                r.take(len)
                    .ok_or(WavError::Truncated("the file ends inside a chunk"))?;
            }
        }
        if len % 2 == 1 && r.remaining() > 0 {
            r.take(1);
        }
    }
    let format = format.ok_or(WavError::Malformed("no fmt chunk"))?;
    if format != AudioFormat::GREETING {
        return Err(WavError::WrongFormat(format));
    }
    if block_align != 2 {
        return Err(WavError::Malformed(
            "the block alignment is not 2 bytes for 16-bit mono",
        ));
    }
    let data_bytes = data_bytes.ok_or(WavError::Malformed("no data chunk"))?;
    if data_bytes < 2 {
        return Err(WavError::NoAudio);
    }
    // 8000 samples of 2 bytes a second: 16 bytes a millisecond.
    Ok(WavInfo {
        data_bytes,
        duration_ms: data_bytes / 16,
    })
}

/// An uploaded greeting that passed the check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GreetingFile {
    id: GreetingId,
    name: String,
    info: WavInfo,
}

impl GreetingFile {
    /// The id of the stored file.
    #[must_use]
    pub const fn id(&self) -> GreetingId {
        self.id
    }

    /// The name the customer gave it.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Length and size.
    #[must_use]
    pub const fn info(&self) -> WavInfo {
        self.info
    }
}

/// The greeting settings of one number (R13.1): the uploaded files, the one selected, and
/// whether the greeting is on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GreetingSettings {
    uploaded: Vec<GreetingFile>,
    selected: Option<GreetingId>,
    enabled: bool,
}

impl GreetingSettings {
    /// Adds an uploaded file after checking its format (R13.2, R13.D1) and returns what
    /// the check learnt about it. `id` is the id the media store gave the bytes.
    ///
    /// # Errors
    /// [`CallsError::GreetingRejected`] for a file of another format;
    /// [`CallsError::DuplicateGreeting`] when `id` is already uploaded.
    pub fn upload(
        &mut self,
        id: GreetingId,
        name: &str,
        bytes: &[u8],
    ) -> Result<WavInfo, CallsError> {
        let info = check_wav(bytes)?;
        if self.uploaded.iter().any(|g| g.id == id) {
            return Err(CallsError::DuplicateGreeting(id));
        }
        self.uploaded.push(GreetingFile {
            id,
            name: name.trim().to_owned(),
            info,
        });
        Ok(info)
    }

    /// The uploaded files, oldest first.
    #[must_use]
    pub fn uploaded(&self) -> &[GreetingFile] {
        &self.uploaded
    }

    /// Selects one of the uploaded files and saves the choice (R13.1).
    ///
    /// # Errors
    /// [`CallsError::GreetingNotFound`] when no uploaded file has `id`.
    pub fn select(&mut self, id: GreetingId) -> Result<(), CallsError> {
        if !self.uploaded.iter().any(|g| g.id == id) {
            return Err(CallsError::GreetingNotFound(id));
        }
        self.selected = Some(id);
        Ok(())
    }

    /// Turns the greeting on or off (R13.1). It may be turned on before a file is
    /// selected; it plays once both are done.
    pub const fn set_enabled(&mut self, enabled: bool) {
        self.enabled = enabled;
    }

    /// The selected file.
    #[must_use]
    pub const fn selected(&self) -> Option<GreetingId> {
        self.selected
    }

    /// True when the greeting is switched on.
    #[must_use]
    pub const fn enabled(&self) -> bool {
        self.enabled
    }

    /// The greeting that plays: the selected file, when the greeting is on.
    #[must_use]
    pub const fn active(&self) -> Option<GreetingId> {
        if self.enabled { self.selected } else { None }
    }
}

/// The voice of a professional recording.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Voice {
    /// A female voice.
    Female,
    /// A male voice.
    Male,
}

/// What a professional voice recording costs in each currency the provider prices it in
/// (R13.3). A customer whose currency has no price cannot order one.
///
/// Invariant: every price is above zero, a whole number of its currency's minor units and
/// within the bounds of money (R10.D6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    try_from = "BTreeMap<Currency, Decimal>",
    into = "BTreeMap<Currency, Decimal>"
)]
pub struct VoiceRecordingPrices(PriceList);

impl VoiceRecordingPrices {
    /// The price list `prices`.
    ///
    /// # Errors
    /// [`CallsError::RecordingPriceInvalid`] for a price that is not above zero, has digits
    /// below its currency's minor unit, or is past the bounds of money.
    pub fn new(prices: BTreeMap<Currency, Decimal>) -> Result<Self, CallsError> {
        PriceList::new(prices)
            .map(Self)
            .map_err(|e| CallsError::RecordingPriceInvalid {
                currency: e.currency,
                price: e.price,
                why: e.why,
            })
    }

    /// The price of a recording for a customer paying in `currency`.
    ///
    /// # Errors
    /// [`CallsError::RecordingNotOffered`] when the list has no price in `currency`.
    pub fn price(&self, currency: Currency) -> Result<Money, CallsError> {
        self.0
            .get(currency)
            .ok_or_else(|| CallsError::RecordingNotOffered {
                currency,
                offered: self
                    .0
                    .currencies()
                    .map(Currency::code)
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

impl Default for VoiceRecordingPrices {
    /// 15.00 EUR, 16.00 USD, 13.00 GBP and 1,500.00 RUB.
    fn default() -> Self {
        Self::new(BTreeMap::from([
            (Currency::EUR, Decimal::new(1500, 2)),
            (Currency::USD, Decimal::new(1600, 2)),
            (Currency::GBP, Decimal::new(1300, 2)),
            (Currency::RUB, Decimal::new(150_000, 2)),
        ]))
        .unwrap_or_else(|_| Self(PriceList::default()))
    }
}

impl TryFrom<BTreeMap<Currency, Decimal>> for VoiceRecordingPrices {
    type Error = CallsError;
    fn try_from(prices: BTreeMap<Currency, Decimal>) -> Result<Self, Self::Error> {
        Self::new(prices)
    }
}

impl From<VoiceRecordingPrices> for BTreeMap<Currency, Decimal> {
    fn from(list: VoiceRecordingPrices) -> Self {
        list.0.into()
    }
}

/// An order for a professional voice recording of a greeting, an extra paid service
/// (R13.3). The price comes from the provider's price list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoiceRecordingOrder {
    text: String,
    voice: Voice,
    price: Money,
}

impl VoiceRecordingOrder {
    /// The longest text accepted: about two minutes of speech.
    pub const MAX_TEXT_CHARS: usize = 2000;

    /// An order to record `text` in `voice` for `price`.
    ///
    /// # Errors
    /// [`CallsError::RecordingTextEmpty`], [`CallsError::RecordingTextTooLong`] or
    /// [`CallsError::RecordingNotPaid`] for a price that is not above zero.
    pub fn new(text: &str, voice: Voice, price: Money) -> Result<Self, CallsError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(CallsError::RecordingTextEmpty);
        }
        let chars = text.chars().count();
        if chars > Self::MAX_TEXT_CHARS {
            return Err(CallsError::RecordingTextTooLong {
                chars,
                max: Self::MAX_TEXT_CHARS,
            });
        }
        if price.is_negative() || price.is_zero() {
            return Err(CallsError::RecordingNotPaid(price));
        }
        Ok(Self {
            text: text.to_owned(),
            voice,
            price,
        })
    }

    /// The text to record.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The voice.
    #[must_use]
    pub const fn voice(&self) -> Voice {
        self.voice
    }

    /// The price charged for the recording.
    #[must_use]
    pub const fn price(&self) -> Money {
        self.price
    }
}

/// Builders of WAV headers for tests and the fuzz corpus.
#[doc(hidden)]
pub mod wav_fixtures {
    /// A WAV file with the given format fields, `extra` chunks before `data`, and
    /// `samples` bytes of silence.
    #[must_use]
    pub fn wav(
        tag: u16,
        channels: u16,
        rate: u32,
        bits: u16,
        extra: &[(&[u8; 4], &[u8])],
        samples: usize,
    ) -> Vec<u8> {
        let block = channels.saturating_mul(bits / 8);
        let mut fmt = Vec::new();
        fmt.extend(tag.to_le_bytes());
        fmt.extend(channels.to_le_bytes());
        fmt.extend(rate.to_le_bytes());
        fmt.extend(rate.saturating_mul(u32::from(block)).to_le_bytes());
        fmt.extend(block.to_le_bytes());
        fmt.extend(bits.to_le_bytes());
        let mut body = b"WAVE".to_vec();
        chunk(&mut body, b"fmt ", &fmt);
        for (id, data) in extra {
            chunk(&mut body, id, data);
        }
        chunk(&mut body, b"data", &vec![0; samples]);
        let mut file = b"RIFF".to_vec();
        file.extend(u32::try_from(body.len()).unwrap_or(u32::MAX).to_le_bytes());
        file.extend(body);
        file
    }

    fn chunk(out: &mut Vec<u8>, id: &[u8; 4], data: &[u8]) {
        out.extend(id);
        out.extend(u32::try_from(data.len()).unwrap_or(u32::MAX).to_le_bytes());
        out.extend(data);
        if data.len() % 2 == 1 {
            out.push(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::wav_fixtures::wav;
    use super::*;
    use proptest::prelude::*;
    use vnum_core::Currency;

    fn good() -> Vec<u8> {
        wav(1, 1, 8000, 16, &[], 16_000)
    }

    fn message(bytes: &[u8]) -> String {
        check_wav(bytes).unwrap_err().to_string()
    }

    #[test]
    fn r13_2_an_8khz_mono_16bit_pcm_wav_is_accepted() {
        assert_eq!(
            check_wav(&good()),
            Ok(WavInfo {
                data_bytes: 16_000,
                duration_ms: 1000
            })
        );
    }

    #[test]
    fn r13_2_unknown_chunks_and_odd_padding_are_walked_over() {
        let bytes = wav(
            1,
            1,
            8000,
            16,
            &[(b"LIST", b"INFOISFT\x03\0\0ab\0"), (b"junk", b"x")],
            800,
        );
        assert_eq!(check_wav(&bytes).map(|i| i.duration_ms), Ok(50));
    }

    #[test]
    fn r13_d1_other_formats_say_what_they_are_and_what_they_must_be() {
        let cases: [(Vec<u8>, &str); 8] = [
            (
                wav(1, 2, 44_100, 16, &[], 400),
                "the file is 44100 Hz stereo 16-bit PCM; a greeting must be 8000 Hz mono 16-bit PCM",
            ),
            (
                wav(3, 1, 8000, 32, &[], 400),
                "8000 Hz mono 32-bit IEEE float",
            ),
            (wav(7, 1, 8000, 8, &[], 400), "µ-law"),
            (wav(1, 1, 16_000, 16, &[], 400), "16000 Hz mono 16-bit PCM"),
            (
                b"ID3\x04\0\0\0\0\0\0rest of an mp3".to_vec(),
                "an MP3 file, not a WAV file",
            ),
            (b"OggS\0\x02\0\0\0\0\0\0\0\0".to_vec(), "an Ogg file"),
            (b"RIFF\x10\0\0\0AVI LIST".to_vec(), "not WAVE"),
            (b"hello, this is text".to_vec(), "not a WAV file"),
        ];
        for (bytes, expected) in cases {
            let msg = message(&bytes);
            assert!(msg.contains(expected), "{msg}");
            assert!(msg.contains("8000 Hz mono 16-bit PCM"), "{msg}");
        }
    }

    #[test]
    fn r13_d1_broken_headers_are_named() {
        let full = good();
        assert!(message(&full[..8]).starts_with("truncated header"));
        assert!(message(&full[..30]).starts_with("truncated header"));
        assert!(message(&full[..50]).contains("data chunk declares more bytes"));
        let no_data = &full[..36];
        assert!(message(no_data).contains("no data chunk"));
        assert_eq!(
            check_wav(&wav(1, 1, 8000, 16, &[], 0)),
            Err(WavError::NoAudio)
        );
        let mut huge = full.clone();
        huge[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(message(&huge).starts_with("truncated header"));
    }

    #[test]
    fn wave_format_extensible_with_the_pcm_subformat_is_pcm() {
        let mut ext = vec![0u8; 40];
        ext[0..2].copy_from_slice(&0xFFFEu16.to_le_bytes());
        ext[2..4].copy_from_slice(&1u16.to_le_bytes());
        ext[4..8].copy_from_slice(&8000u32.to_le_bytes());
        ext[8..12].copy_from_slice(&16_000u32.to_le_bytes());
        ext[12..14].copy_from_slice(&2u16.to_le_bytes());
        ext[14..16].copy_from_slice(&16u16.to_le_bytes());
        ext[24..26].copy_from_slice(&1u16.to_le_bytes());
        let mut file = b"RIFF\0\0\0\0WAVEfmt \x28\0\0\0".to_vec();
        file.extend(&ext);
        file.extend(b"data\x04\0\0\0\0\0\0\0");
        assert!(check_wav(&file).is_ok());
    }

    proptest! {
        #[test]
        fn hostile_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = check_wav(&bytes);
        }

        #[test]
        fn every_prefix_of_a_good_file_is_rejected_not_panicked(cut in 0usize..60) {
            let full = good();
            prop_assert!(check_wav(&full[..cut]).is_err());
        }
    }

    fn greeting_bytes() -> Vec<u8> {
        good()
    }

    #[test]
    fn r13_1_upload_list_select_enable() {
        let mut settings = GreetingSettings::default();
        let info = settings
            .upload(GreetingId(1), "office hours", &greeting_bytes())
            .unwrap();
        assert_eq!(info.duration_ms, 1000);
        settings
            .upload(GreetingId(2), "holiday", &greeting_bytes())
            .unwrap();
        let names: Vec<_> = settings.uploaded().iter().map(GreetingFile::name).collect();
        assert_eq!(names, ["office hours", "holiday"]);
        settings.set_enabled(true);
        assert_eq!(settings.active(), None);
        settings.select(GreetingId(2)).unwrap();
        assert_eq!(settings.active(), Some(GreetingId(2)));
        assert_eq!(
            settings.upload(GreetingId(2), "again", &greeting_bytes()),
            Err(CallsError::DuplicateGreeting(GreetingId(2)))
        );
        settings.set_enabled(false);
        assert_eq!(settings.active(), None);
        assert_eq!(settings.selected(), Some(GreetingId(2)));
    }

    #[test]
    fn r13_1_selecting_a_greeting_that_was_never_uploaded_is_an_error() {
        let mut settings = GreetingSettings::default();
        assert_eq!(
            settings.select(GreetingId(9)),
            Err(CallsError::GreetingNotFound(GreetingId(9)))
        );
    }

    #[test]
    fn r13_d1_a_rejected_upload_is_not_listed() {
        let mut settings = GreetingSettings::default();
        let err = settings
            .upload(GreetingId(1), "song", &wav(1, 2, 44_100, 16, &[], 40))
            .unwrap_err();
        assert!(matches!(
            err,
            CallsError::GreetingRejected(WavError::WrongFormat(_))
        ));
        assert!(settings.uploaded().is_empty());
    }

    #[test]
    fn r13_3_a_recording_order_has_text_voice_and_a_price() {
        let price = Money::new(vnum_core::Decimal::new(1500, 2), Currency::EUR);
        let order = VoiceRecordingOrder::new(" Welcome to Acme. ", Voice::Female, price).unwrap();
        assert_eq!(order.text(), "Welcome to Acme.");
        assert_eq!(order.price(), price);
        assert_eq!(
            VoiceRecordingOrder::new("  ", Voice::Male, price),
            Err(CallsError::RecordingTextEmpty)
        );
        assert!(VoiceRecordingOrder::new("Hi", Voice::Male, Money::zero(Currency::EUR)).is_err());
    }

    #[test]
    fn r13_3_a_recording_is_priced_in_the_customers_currency_or_not_offered() {
        let jpy = Currency::parse("JPY").unwrap();
        let kwd = Currency::parse("KWD").unwrap();
        let list: VoiceRecordingPrices =
            serde_json::from_str(r#"{"EUR": "15", "JPY": "2000", "KWD": "4.500"}"#).unwrap();
        assert_eq!(
            list.price(Currency::EUR).unwrap().to_string(),
            "15.00 EUR",
            "a price is kept with its currency's minor digits"
        );
        assert_eq!(list.price(jpy).unwrap().amount(), Decimal::new(2000, 0));
        assert_eq!(list.price(kwd).unwrap().amount(), Decimal::new(4500, 3));
        let refused = list.price(Currency::USD).unwrap_err();
        assert_eq!(
            vnum_core::rule::RuleError::rule(&refused),
            vnum_core::rule::R13_3
        );
        assert!(refused.to_string().contains("USD"), "{refused}");
        assert!(refused.to_string().contains("EUR, JPY, KWD"), "{refused}");
    }

    #[test]
    fn r13_3_a_price_list_refuses_free_fractional_and_unbounded_prices() {
        for (raw, why) in [
            (r#"{"EUR": "0"}"#, "above zero"),
            (r#"{"EUR": "-1.00"}"#, "above zero"),
            (r#"{"EUR": "1.005"}"#, "minor unit"),
            (r#"{"JPY": "10.5"}"#, "minor unit"),
            (r#"{"EUR": "99999999999999999"}"#, "out of range"),
        ] {
            let error = serde_json::from_str::<VoiceRecordingPrices>(raw).unwrap_err();
            assert!(error.to_string().contains(why), "{raw}: {error}");
        }
    }
}
