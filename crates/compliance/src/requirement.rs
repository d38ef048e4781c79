//! What a carrier asks of the end user.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A kind of end-user document a carrier may ask for (R3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DocumentKind {
    /// A passport or national identity card of the end user.
    PassportOrId,
    /// A proof of address, such as a utility bill, not older than the carrier accepts.
    ProofOfAddress,
    /// An extract of the company register, for business end users.
    CompanyRegistration,
    /// An identity document of the company's legal representative.
    RepresentativeId,
    /// A proof that the end user has an address in the number's city or country.
    LocalAddress,
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::PassportOrId => "passport or identity card",
            Self::ProofOfAddress => "proof of address",
            Self::CompanyRegistration => "company registration extract",
            Self::RepresentativeId => "identity document of the company's representative",
            Self::LocalAddress => "proof of a local address",
        })
    }
}

/// Who will use the number: carriers ask different documents of people and of companies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EndUser {
    /// A private person.
    Personal,
    /// A company or a sole trader.
    Business,
}

/// The documents one carrier's offer requires, for personal and for business end users.
///
/// It belongs to the offer, not to the country (R3.2): two carriers in the same city may ask
/// for different documents, or one of them for none at all (R3.3).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRequirement {
    personal: BTreeSet<DocumentKind>,
    business: BTreeSet<DocumentKind>,
}

impl DocumentRequirement {
    /// No documents for anyone: the number can be bought right away (R2.1).
    #[must_use]
    pub fn none() -> Self {
        Self::default()
    }

    /// The documents asked of personal and of business end users.
    #[must_use]
    pub fn new(
        personal: impl IntoIterator<Item = DocumentKind>,
        business: impl IntoIterator<Item = DocumentKind>,
    ) -> Self {
        Self {
            personal: personal.into_iter().collect(),
            business: business.into_iter().collect(),
        }
    }

    /// The documents asked of `end_user`.
    #[must_use]
    pub fn for_end_user(&self, end_user: EndUser) -> &BTreeSet<DocumentKind> {
        match end_user {
            EndUser::Personal => &self.personal,
            EndUser::Business => &self.business,
        }
    }

    /// True when nobody has to upload anything (R3.3 alternatives are such offers).
    #[must_use]
    pub fn is_none(&self) -> bool {
        self.personal.is_empty() && self.business.is_empty()
    }

    /// True when `end_user` has to upload at least one document (R3.1).
    #[must_use]
    pub fn applies_to(&self, end_user: EndUser) -> bool {
        !self.for_end_user(end_user).is_empty()
    }
}
