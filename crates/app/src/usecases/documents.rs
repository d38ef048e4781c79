use serde::{Deserialize, Serialize};
use vnum_compliance::{Document, DocumentKind, RejectionReason, ReviewEvent, missing_documents};
use vnum_core::{CustomerId, DocumentId};
use vnum_lifecycle::{NumberEvent, NumberState};

use super::media::scan_key;
use crate::model::NumberRecord;
use crate::{Error, Vnum};

/// The largest document scan accepted.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// A reviewer's decision on a pending document (R3.D1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum ReviewDecision {
    /// The document is fine.
    Accept,
    /// The document is not usable; the reason tells the customer what to fix.
    Reject {
        /// What to fix.
        reason: String,
    },
}

impl Vnum {
    /// Uploads an end-user document for review (R1.1, R3.1). The file is kept in the media
    /// store; the document is pending until an operator reviews it.
    ///
    /// # Errors
    /// [`Error::Invalid`] for an empty file, one over [`MAX_DOCUMENT_BYTES`] or one past
    /// the customer's media quota; [`Error::NotFound`] for an unknown customer.
    pub async fn upload_document(
        &self,
        customer: CustomerId,
        kind: DocumentKind,
        bytes: Vec<u8>,
    ) -> Result<Document, Error> {
        check_scan(&bytes)?;
        let mut tx = self.ports.store.begin().await?;
        tx.customer(customer)
            .await?
            .ok_or_else(|| Error::not_found("customer", customer))?;
        let document = Document::upload(DocumentId(0), customer, kind, self.ports.clock.now());
        let document = tx.insert_document(document).await?;
        self.store_scan(&document, bytes).await?;
        tx.commit().await?;
        Ok(document)
    }

    /// Uploads a new version of a rejected document (R3.D1).
    ///
    /// # Errors
    /// [`Error::NotFound`] when the document is not the customer's; [`Error::Refused`] when
    /// it was not rejected; [`Error::Invalid`] for a bad file.
    pub async fn reupload_document(
        &self,
        customer: CustomerId,
        previous: DocumentId,
        bytes: Vec<u8>,
    ) -> Result<Document, Error> {
        check_scan(&bytes)?;
        let mut tx = self.ports.store.begin().await?;
        let old = match tx.document(previous).await? {
            Some(d) if d.customer() == customer => d,
            _ => return Err(Error::not_found("document", previous)),
        };
        let document = old.reupload(DocumentId(0), self.ports.clock.now())?;
        let document = tx.insert_document(document).await?;
        self.store_scan(&document, bytes).await?;
        tx.commit().await?;
        Ok(document)
    }

    /// Reviews a pending document (operators). Once every document a number's carrier
    /// needs is accepted, the number goes to the carrier (R2.2); accepted documents count
    /// for every later order that needs the same kind (R3.D1).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown document; [`Error::Refused`] when it is not
    /// pending; [`Error::Invalid`] for a rejection without a reason.
    pub async fn review_document(
        &self,
        id: DocumentId,
        decision: ReviewDecision,
    ) -> Result<Document, Error> {
        let now = self.ports.clock.now();
        let (verdict, why) = match &decision {
            ReviewDecision::Accept => ("approved", None),
            ReviewDecision::Reject { reason } => ("rejected", Some(reason.trim().to_owned())),
        };
        let event = match decision {
            ReviewDecision::Accept => ReviewEvent::Accept { at: now },
            ReviewDecision::Reject { reason } => ReviewEvent::Reject {
                at: now,
                reason: RejectionReason::new(&reason)?,
            },
        };
        let mut tx = self.ports.store.begin().await?;
        let document = tx
            .document(id)
            .await?
            .ok_or_else(|| Error::not_found("document", id))?;
        let reviewed = document.review(event)?;
        tx.update_document(&reviewed).await?;
        let customer = reviewed.customer();
        let documents = tx.documents_of(customer).await?;
        let mut ready: Vec<NumberRecord> = Vec::new();
        for number in tx.numbers_of(customer).await? {
            if number.state != NumberState::AwaitingDocuments {
                continue;
            }
            let Some(offer) = tx.offer(number.offer).await? else {
                continue;
            };
            let check = missing_documents(offer.documents(), number.end_user, customer, &documents);
            if check.is_complete() {
                let state = number.state.clone().apply(NumberEvent::DocumentsAccepted)?;
                ready.push(tx.update_number(NumberRecord { state, ..number }).await?);
            }
        }
        if let Some(owner) = tx.customer(customer).await? {
            super::events::record(
                &mut *tx,
                now,
                Some(owner.email),
                crate::model::Notice::DocumentReviewed {
                    customer,
                    document_id: reviewed.id().get(),
                    decision: verdict.to_owned(),
                    reason: why,
                },
            )
            .await?;
        }
        tx.commit().await?;
        for number in ready {
            self.send_to_carrier(number).await?;
        }
        Ok(reviewed)
    }

    /// A customer's document versions, oldest first.
    ///
    /// # Errors
    /// [`Error::Store`] when storage fails.
    pub async fn documents_of(&self, customer: CustomerId) -> Result<Vec<Document>, Error> {
        let mut tx = self.ports.store.read().await?;
        Ok(tx.documents_of(customer).await?)
    }

    /// Every document waiting for review, oldest first (operators).
    ///
    /// # Errors
    /// [`Error::Store`] when storage fails.
    pub async fn pending_documents(&self) -> Result<Vec<Document>, Error> {
        let mut tx = self.ports.store.read().await?;
        Ok(tx.pending_documents().await?)
    }

    /// A document and its scan, for review: an operator's for any document (`owner`
    /// `None`), a customer's for its own only.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown document or another customer's;
    /// [`Error::Media`] when the scan cannot be read.
    pub async fn document_scan(
        &self,
        id: DocumentId,
        owner: Option<CustomerId>,
    ) -> Result<(Document, Vec<u8>), Error> {
        let mut tx = self.ports.store.read().await?;
        let document = tx
            .document(id)
            .await?
            .filter(|d| owner.is_none_or(|owner| d.customer() == owner))
            .ok_or_else(|| Error::not_found("document", id))?;
        drop(tx);
        let scan = self
            .ports
            .media
            .get(&scan_key(document.customer(), id))
            .await?;
        Ok((document, scan))
    }

    async fn store_scan(&self, document: &Document, bytes: Vec<u8>) -> Result<(), Error> {
        let customer = document.customer();
        self.put_media(customer, &scan_key(customer, document.id()), bytes)
            .await
    }
}

fn check_scan(bytes: &[u8]) -> Result<(), Error> {
    if bytes.is_empty() {
        return Err(Error::Invalid(
            "the document file is empty: upload a scan or a photo".into(),
        ));
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(Error::Invalid(format!(
            "the document file has {} bytes: at most {MAX_DOCUMENT_BYTES} bytes are accepted",
            bytes.len()
        )));
    }
    Ok(())
}
