//! The media store of vnum on [`object_store`]: greeting files and document scans, kept
//! where a restart does not lose them.
//!
//! [`ObjectMedia`] implements the application's [`MediaStore`] port on a local directory
//! (the default, beside the database) or on S3-compatible storage named by a URL
//! (`s3://bucket/prefix`, with the usual `AWS_*` variables: `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT` for a store other than Amazon's,
//! `AWS_ALLOW_HTTP` for one without TLS). It holds no rule: which key a file has, and how
//! many files and bytes a customer may keep, are the use cases'.
//!
//! A file is written whole or not at all: the local store writes to a temporary file and
//! renames it, S3 stores an object in one request.

use std::path::Path as FsPath;
use std::sync::Arc;

use async_trait::async_trait;
use futures_util::TryStreamExt as _;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};
use vnum_app::ports::{MediaError, MediaStore, MediaUsage};

/// Media files in an object store, under a prefix.
#[derive(Clone, Debug)]
pub struct ObjectMedia {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
    /// Where the files are, for people: the directory or the URL.
    place: String,
}

/// Why a media store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The directory could not be created or used.
    #[error("the media directory {dir} cannot be used: {reason}")]
    Directory {
        /// The directory.
        dir: String,
        /// What failed.
        reason: String,
    },
    /// The URL is not one this store opens.
    #[error(
        "the media store {0:?} is not a directory or an s3://bucket[/prefix] URL: \
         give a local path or an S3 URL"
    )]
    Url(String),
    /// The S3 store could not be configured from the URL and the `AWS_*` variables.
    #[error("the media store {url} cannot be configured: {reason}")]
    S3 {
        /// The URL.
        url: String,
        /// What was wrong.
        reason: String,
    },
}

impl ObjectMedia {
    /// The store `place` names: `s3://bucket[/prefix]` for S3-compatible storage (configured
    /// by the `AWS_*` variables), `file:///dir` or a plain path for a local directory, which
    /// is created if missing.
    ///
    /// # Errors
    /// [`OpenError`] saying what is wrong with `place`.
    pub fn open(place: &str) -> Result<Self, OpenError> {
        Self::open_with(place, std::iter::empty::<(&str, &str)>())
    }

    /// [`ObjectMedia::open`], with S3 `options` over the `AWS_*` variables: pairs of an
    /// `object_store` configuration key (`aws_endpoint`, `aws_access_key_id`,
    /// `aws_allow_http`, …) and its value. A directory takes none.
    ///
    /// # Errors
    /// [`OpenError`] saying what is wrong with `place` or an option.
    pub fn open_with<'a>(
        place: &str,
        options: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, OpenError> {
        if let Some(rest) = place.strip_prefix("s3://") {
            return Self::s3(place, rest, options);
        }
        if place.contains("://") && !place.starts_with("file://") {
            return Err(OpenError::Url(place.to_owned()));
        }
        Self::local(FsPath::new(place.strip_prefix("file://").unwrap_or(place)))
    }

    /// A store in the local directory `dir`, created if missing.
    ///
    /// # Errors
    /// [`OpenError::Directory`] when it cannot be created or used.
    pub fn local(dir: &FsPath) -> Result<Self, OpenError> {
        let failed = |reason: String| OpenError::Directory {
            dir: dir.display().to_string(),
            reason,
        };
        std::fs::create_dir_all(dir).map_err(|e| failed(e.to_string()))?;
        let dir = dir.canonicalize().map_err(|e| failed(e.to_string()))?;
        let store = LocalFileSystem::new_with_prefix(&dir).map_err(|e| failed(e.to_string()))?;
        Ok(Self {
            store: Arc::new(store),
            prefix: Path::default(),
            place: dir.display().to_string(),
        })
    }

    fn s3<'a>(
        url: &str,
        bucket_and_prefix: &str,
        options: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, OpenError> {
        let (bucket, prefix) = bucket_and_prefix
            .split_once('/')
            .unwrap_or((bucket_and_prefix, ""));
        if bucket.is_empty() {
            return Err(OpenError::Url(url.to_owned()));
        }
        let failed = |reason: String| OpenError::S3 {
            url: url.to_owned(),
            reason,
        };
        let prefix = Path::parse(prefix).map_err(|e| failed(e.to_string()))?;
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
        for (key, value) in options {
            let key: AmazonS3ConfigKey = key.parse().map_err(|e| failed(format!("{e}")))?;
            builder = builder.with_config(key, value);
        }
        let store = builder.build().map_err(|e| failed(e.to_string()))?;
        Ok(Self {
            store: Arc::new(store),
            prefix,
            place: url.to_owned(),
        })
    }

    /// Where the files are: the directory, or the URL.
    #[must_use]
    pub fn place(&self) -> &str {
        &self.place
    }

    /// The object path of `key` under the prefix.
    fn path(&self, key: &str) -> Result<Path, MediaError> {
        let key = Path::parse(key)
            .map_err(|e| MediaError::Unavailable(format!("invalid media key {key:?}: {e}")))?;
        Ok(self.prefix.parts().chain(key.parts()).collect())
    }
}

fn unavailable(error: &object_store::Error) -> MediaError {
    MediaError::Unavailable(error.to_string())
}

#[async_trait]
impl MediaStore for ObjectMedia {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), MediaError> {
        let path = self.path(key)?;
        self.store
            .put(&path, PutPayload::from(bytes))
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, MediaError> {
        let path = self.path(key)?;
        let found = match self.store.get(&path).await {
            Ok(found) => found,
            Err(object_store::Error::NotFound { .. }) => {
                return Err(MediaError::NotFound(key.to_owned()));
            }
            Err(e) => return Err(unavailable(&e)),
        };
        let bytes = found.bytes().await.map_err(|e| unavailable(&e))?;
        Ok(bytes.to_vec())
    }

    async fn usage(&self, prefix: &str) -> Result<MediaUsage, MediaError> {
        let path = self.path(prefix)?;
        self.store
            .list(Some(&path))
            .try_fold(MediaUsage::default(), |usage, meta| async move {
                Ok(MediaUsage {
                    files: usage.files + 1,
                    bytes: usage.bytes + meta.size,
                })
            })
            .await
            .map_err(|e| unavailable(&e))
    }
}
