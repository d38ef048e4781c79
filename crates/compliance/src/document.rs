//! Uploaded documents and their review (R3.D1).

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vnum_core::rule::{self, RuleId};
use vnum_core::{CustomerId, DocumentId};

use crate::{DocumentKind, DocumentRequirement, EndUser};

/// What can go wrong with a document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// A review step that the document's state does not allow, such as rejecting an
    /// accepted document (R3.D1).
    #[error("cannot {event} a document that is {state}")]
    IllegalReview {
        /// The state the document is in, unchanged.
        state: &'static str,
        /// The review step that was refused.
        event: &'static str,
    },
    /// Only a rejected document is replaced by a new upload (R3.D1).
    #[error(
        "document {id} is {state} and cannot be uploaded again: only a rejected document can be replaced"
    )]
    NotRejected {
        /// The document that was to be replaced.
        id: DocumentId,
        /// Its review state.
        state: &'static str,
    },
    /// A rejection without a reason would leave the customer guessing (R3.D1).
    #[error(
        "a rejection needs a reason the customer can act on, such as \"the scan is unreadable\""
    )]
    EmptyRejectionReason,
}

/// Every review step and upload follows the review Decision (R3.D1).
impl vnum_core::rule::RuleError for DocumentError {
    fn rule(&self) -> vnum_core::RuleId {
        vnum_core::rule::R3_D1
    }
}

/// Why a document was rejected, in words the customer can act on (R3.D1).
///
/// Invariant: not blank; surrounding whitespace is trimmed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RejectionReason(String);

impl RejectionReason {
    /// A reason from the reviewer's text.
    ///
    /// # Errors
    /// [`DocumentError::EmptyRejectionReason`] when the text is blank.
    pub fn new(text: &str) -> Result<Self, DocumentError> {
        let text = text.trim();
        if text.is_empty() {
            Err(DocumentError::EmptyRejectionReason)
        } else {
            Ok(Self(text.to_owned()))
        }
    }

    /// The reason as the customer reads it.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RejectionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for RejectionReason {
    type Error = DocumentError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(&value)
    }
}

impl From<RejectionReason> for String {
    fn from(value: RejectionReason) -> Self {
        value.0
    }
}

/// The review state of one uploaded document (R3.D1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Review {
    /// Uploaded, waiting for a reviewer.
    Pending,
    /// Accepted; reusable for every later order that asks for the same kind.
    Accepted {
        /// When the reviewer accepted it.
        at: DateTime<Utc>,
    },
    /// Rejected; the customer may upload a new version.
    Rejected {
        /// When the reviewer rejected it.
        at: DateTime<Utc>,
        /// What the customer has to fix.
        reason: RejectionReason,
    },
}

/// A reviewer's decision on a pending document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReviewEvent {
    /// The document is fine.
    Accept {
        /// When.
        at: DateTime<Utc>,
    },
    /// The document is not usable, for `reason`.
    Reject {
        /// When.
        at: DateTime<Utc>,
        /// What the customer has to fix.
        reason: RejectionReason,
    },
}

impl ReviewEvent {
    fn name(&self) -> &'static str {
        match self {
            Self::Accept { .. } => "accept",
            Self::Reject { .. } => "reject",
        }
    }
}

impl Review {
    /// The state's name, as errors and support screens show it.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Pending => "pending review",
            Self::Accepted { .. } => "accepted",
            Self::Rejected { .. } => "rejected",
        }
    }

    /// The state after `event`: only a pending document is accepted or rejected, once
    /// (R3.D1). A decision is final; a rejected document is replaced by a new upload
    /// ([`Document::reupload`]), never re-reviewed.
    ///
    /// # Errors
    /// [`DocumentError::IllegalReview`] naming the state and the event when the document is
    /// not pending.
    pub fn apply(&self, event: ReviewEvent) -> Result<Self, DocumentError> {
        match (self, event) {
            (Self::Pending, ReviewEvent::Accept { at }) => Ok(Self::Accepted { at }),
            (Self::Pending, ReviewEvent::Reject { at, reason }) => {
                Ok(Self::Rejected { at, reason })
            }
            (state @ (Self::Accepted { .. } | Self::Rejected { .. }), event) => {
                Err(DocumentError::IllegalReview {
                    state: state.name(),
                    event: event.name(),
                })
            }
        }
    }
}

/// One uploaded version of an end-user document (R1.1, R3.1).
///
/// Invariant: `version` starts at 1 and grows by one with each re-upload of a rejected
/// document; a new version is always pending.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    id: DocumentId,
    customer: CustomerId,
    kind: DocumentKind,
    version: u32,
    uploaded_at: DateTime<Utc>,
    review: Review,
}

impl Document {
    /// A freshly uploaded document, pending review (R3.D1).
    #[must_use]
    pub fn upload(
        id: DocumentId,
        customer: CustomerId,
        kind: DocumentKind,
        uploaded_at: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            customer,
            kind,
            version: 1,
            uploaded_at,
            review: Review::Pending,
        }
    }

    /// A new pending version replacing this rejected document (R3.D1).
    ///
    /// # Errors
    /// [`DocumentError::NotRejected`] when this document is pending or accepted.
    pub fn reupload(
        &self,
        id: DocumentId,
        uploaded_at: DateTime<Utc>,
    ) -> Result<Self, DocumentError> {
        match self.review {
            Review::Rejected { .. } => Ok(Self {
                id,
                customer: self.customer,
                kind: self.kind,
                version: self.version.saturating_add(1),
                uploaded_at,
                review: Review::Pending,
            }),
            _ => Err(DocumentError::NotRejected {
                id: self.id,
                state: self.review.name(),
            }),
        }
    }

    /// The document after the reviewer's decision (R3.D1).
    ///
    /// # Errors
    /// [`DocumentError::IllegalReview`] when the document is not pending; `self` stays as it
    /// was.
    pub fn review(&self, event: ReviewEvent) -> Result<Self, DocumentError> {
        let review = self.review.apply(event)?;
        Ok(Self {
            review,
            ..self.clone()
        })
    }

    /// The same document under the id storage assigned to it.
    #[must_use]
    pub fn with_id(self, id: DocumentId) -> Self {
        Self { id, ..self }
    }

    /// The document's id.
    #[must_use]
    pub const fn id(&self) -> DocumentId {
        self.id
    }

    /// Whose document it is.
    #[must_use]
    pub const fn customer(&self) -> CustomerId {
        self.customer
    }

    /// What it proves.
    #[must_use]
    pub const fn kind(&self) -> DocumentKind {
        self.kind
    }

    /// 1 for the first upload, one more for each re-upload.
    #[must_use]
    pub const fn version(&self) -> u32 {
        self.version
    }

    /// When this version was uploaded.
    #[must_use]
    pub const fn uploaded_at(&self) -> DateTime<Utc> {
        self.uploaded_at
    }

    /// Where its review stands.
    #[must_use]
    pub const fn state(&self) -> &Review {
        &self.review
    }

    /// True once a reviewer accepted it.
    #[must_use]
    pub const fn is_accepted(&self) -> bool {
        matches!(self.review, Review::Accepted { .. })
    }
}

/// What a customer still has to do before an offer's documents are complete.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DocumentCheck {
    /// Kinds with no accepted document and none waiting for review: upload these.
    pub missing: BTreeSet<DocumentKind>,
    /// Kinds with no accepted document but a version waiting for review.
    pub awaiting_review: BTreeSet<DocumentKind>,
    /// The rule that decided: R3.D1 (accepted documents are reused).
    pub rule: RuleId,
}

impl DocumentCheck {
    /// True when every required kind has an accepted document: the number can go on to
    /// provisioning (R2.2).
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty() && self.awaiting_review.is_empty()
    }
}

/// When `customer`'s accepted documents first covered everything `requirement` asks of
/// `end_user`: for each required kind the earliest acceptance, and the latest of those.
/// That is the moment the documents were complete and the carrier's clock started (R2.2);
/// `None` while a kind has no accepted document. A requirement of nothing was never
/// waited for: `None` too.
#[must_use]
pub fn documents_complete_at<'a>(
    requirement: &DocumentRequirement,
    end_user: EndUser,
    customer: CustomerId,
    documents: impl IntoIterator<Item = &'a Document> + Clone,
) -> Option<DateTime<Utc>> {
    let mut complete_at: Option<DateTime<Utc>> = None;
    for kind in requirement.for_end_user(end_user) {
        let first_accepted = documents
            .clone()
            .into_iter()
            .filter(|d| d.customer == customer && d.kind == *kind)
            .filter_map(|d| match d.review {
                Review::Accepted { at } => Some(at),
                _ => None,
            })
            .min()?;
        complete_at = complete_at.max(Some(first_accepted));
    }
    complete_at
}

/// Which of `requirement`'s documents for `end_user` the `customer` still lacks.
///
/// Any accepted document of the customer of the required kind counts, whichever order it
/// was uploaded for: accepted documents are reusable (R3.D1). Documents of other customers
/// are ignored.
#[must_use]
pub fn missing_documents<'a>(
    requirement: &DocumentRequirement,
    end_user: EndUser,
    customer: CustomerId,
    documents: impl IntoIterator<Item = &'a Document>,
) -> DocumentCheck {
    let mut accepted = BTreeSet::new();
    let mut pending = BTreeSet::new();
    for document in documents.into_iter().filter(|d| d.customer == customer) {
        match document.review {
            Review::Accepted { .. } => {
                accepted.insert(document.kind);
            }
            Review::Pending => {
                pending.insert(document.kind);
            }
            Review::Rejected { .. } => {}
        }
    }
    let (awaiting_review, missing) = requirement
        .for_end_user(end_user)
        .iter()
        .filter(|kind| !accepted.contains(kind))
        .partition(|kind| pending.contains(kind));
    DocumentCheck {
        missing,
        awaiting_review,
        rule: rule::R3_D1,
    }
}
