//! Records of companies' contracts (R12.1, R12.3).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vnum_accounts::ContractDetails;
use vnum_core::{ContractId, CustomerId};

/// A contract a company signed (R12.1), with the validated details it needs (R12.3).
///
/// A customer has at most one active contract. Signing again versions it: the new
/// contract gets a new id and the next version, and the previous one is kept, superseded,
/// so documents issued under it can still be explained.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractRecord {
    /// The id.
    pub id: ContractId,
    /// The company.
    pub customer: CustomerId,
    /// 1 for the first contract of the customer, then one more per re-signing.
    pub version: u32,
    /// The company, its bank account and its signatory.
    pub details: ContractDetails,
    /// When it was signed.
    pub signed_at: DateTime<Utc>,
    /// When a newer contract replaced it; `None` while it is active.
    pub superseded_at: Option<DateTime<Utc>>,
}

impl ContractRecord {
    /// True until a newer contract replaces it.
    #[must_use]
    pub const fn is_active(&self) -> bool {
        self.superseded_at.is_none()
    }
}

/// A contract about to be stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewContract {
    /// The company.
    pub customer: CustomerId,
    /// The validated details (R12.3).
    pub details: ContractDetails,
    /// When it is signed.
    pub signed_at: DateTime<Utc>,
}
