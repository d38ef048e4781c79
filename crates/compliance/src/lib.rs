//! End-user documents: what a carrier's offer requires, how uploaded documents are reviewed,
//! and which offers a customer without documents can buy instead (R3).
//!
//! `vnum-compliance` owns [`DocumentKind`], the [`DocumentRequirement`] of one carrier's offer
//! (R3.2: requirements belong to the offer, not to the country), the review state machine of
//! an uploaded [`Document`] (R3.D1: pending → accepted / rejected with a reason, rejected
//! documents re-uploaded as a new version), [`missing_documents`] (accepted documents are
//! reused for later orders) and [`alternatives_without_documents`] (R3.3).
//!
//! It does not own offers, orders or files: an offer is anything that implements
//! [`DocumentedOffer`], and the scan itself lives in the application's media store. The crate
//! does no I/O and reads no clock.

mod alternatives;
mod document;
mod requirement;

pub use alternatives::{
    Alternative, DocumentedOffer, WantedNumber, alternatives_without_documents,
};
pub use document::{
    Document, DocumentCheck, DocumentError, RejectionReason, Review, ReviewEvent,
    documents_complete_at, missing_documents,
};
pub use requirement::{DocumentKind, DocumentRequirement, EndUser};
