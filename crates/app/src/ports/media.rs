use async_trait::async_trait;

/// The media store failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    /// No file under that key.
    #[error("no media file {0}")]
    NotFound(String),
    /// The store could not be used.
    #[error("the media store failed: {0}")]
    Unavailable(String),
}

/// How much a part of the store holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MediaUsage {
    /// Files.
    pub files: u64,
    /// Their bytes, added up.
    pub bytes: u64,
}

/// Where greeting files (R13) and document scans (R3) live, by key: `/`-separated
/// segments, such as `customers/7/documents/12`.
#[async_trait]
pub trait MediaStore: Send + Sync {
    /// Stores `bytes` under `key`, replacing what was there.
    ///
    /// # Errors
    /// [`MediaError::Unavailable`] when the file could not be stored.
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), MediaError>;

    /// The bytes stored under `key`.
    ///
    /// # Errors
    /// [`MediaError::NotFound`] when nothing is stored under `key`;
    /// [`MediaError::Unavailable`] when the store could not be read.
    async fn get(&self, key: &str) -> Result<Vec<u8>, MediaError>;

    /// How many files, and how many bytes, are stored under the keys that start with
    /// `prefix/` (a whole segment: `customers/7` does not count `customers/70`).
    ///
    /// # Errors
    /// [`MediaError::Unavailable`] when the store could not be listed.
    async fn usage(&self, prefix: &str) -> Result<MediaUsage, MediaError>;
}
