//! A customer's media files (greetings, R13; document scans, R3): where each is kept and
//! the quota they share.

use vnum_core::{CustomerId, DocumentId, GreetingId, NumberId};

use crate::ports::MediaUsage;
use crate::{Error, Vnum};

/// The folder of a customer's files: its quota counts what is under it.
fn customer_folder(customer: CustomerId) -> String {
    format!("customers/{customer}")
}

/// The key of a greeting file.
pub(crate) fn greeting_key(customer: CustomerId, number: NumberId, id: GreetingId) -> String {
    format!("{}/greetings/{number}/{id}", customer_folder(customer))
}

/// The key of a document scan.
pub(crate) fn scan_key(customer: CustomerId, document: DocumentId) -> String {
    format!("{}/documents/{document}", customer_folder(customer))
}

impl Vnum {
    /// How many media files and bytes a customer keeps.
    ///
    /// # Errors
    /// [`Error::Media`] when the media store cannot be listed.
    pub async fn media_usage(&self, customer: CustomerId) -> Result<MediaUsage, Error> {
        Ok(self.ports.media.usage(&customer_folder(customer)).await?)
    }

    /// Stores one of `customer`'s files under `key`, if it fits its quota
    /// ([`crate::Config::media_quota`]). Two uploads at the same instant may both fit
    /// alone and pass together: the quota bounds a customer's files, it is not a ledger.
    ///
    /// # Errors
    /// [`Error::Invalid`] saying what the quota is and what is stored when the file does not
    /// fit; [`Error::Media`] when the store fails.
    pub(crate) async fn put_media(
        &self,
        customer: CustomerId,
        key: &str,
        bytes: Vec<u8>,
    ) -> Result<(), Error> {
        let usage = self.media_usage(customer).await?;
        self.config
            .media_quota
            .admits(usage, bytes.len() as u64)
            .map_err(Error::Invalid)?;
        Ok(self.ports.media.put(key, bytes).await?)
    }
}
