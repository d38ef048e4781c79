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

/// Where greeting files live (R13), by key.
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
}
