use async_trait::async_trait;

/// A greeting file converted from another format (R13.D2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvertedAudio {
    /// WAV, PCM, 8 kHz, 16-bit, mono (R13.2).
    pub wav: Vec<u8>,
    /// What the file was, for the customer: "MP3, 44100 Hz, 2 channels, 3.2 s".
    pub from: String,
}

/// Why a file could not be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConversionError {
    /// The bytes are not audio of a format the converter reads; the text says what it saw.
    #[error("{0}")]
    Unreadable(String),
    /// The audio plays longer than a greeting may.
    #[error("the audio plays {seconds} s: at most {max} s are converted")]
    TooLong {
        /// Its length, rounded up.
        seconds: u64,
        /// The limit.
        max: u64,
    },
    /// This deployment converts nothing.
    #[error("this server converts no audio: upload WAV, PCM, 8 kHz, 16-bit, mono")]
    Unavailable,
}

/// Converts audio of common formats into greetings, on request only (R13.D2).
#[async_trait]
pub trait AudioConverter: Send + Sync {
    /// `bytes` of WAV of another rate or width, MP3, Ogg/Vorbis or FLAC as WAV, PCM,
    /// 8 kHz, 16-bit, mono, with what they were.
    ///
    /// # Errors
    /// [`ConversionError`] saying what is wrong with the file, or that nothing converts.
    async fn to_greeting(&self, bytes: Vec<u8>) -> Result<ConvertedAudio, ConversionError>;
}
