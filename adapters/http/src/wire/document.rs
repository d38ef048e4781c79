//! Document kinds on the wire: documents are uploaded by kind, offers ask for kinds.

use poem_openapi::Enum;
use vnum_compliance::DocumentKind;

/// A kind of end-user document (R3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "DocumentKind", rename_all = "snake_case")]
pub(crate) enum DocKind {
    /// A passport or national identity card.
    PassportOrId,
    /// A proof of address, such as a utility bill.
    ProofOfAddress,
    /// An extract of the company register.
    CompanyRegistration,
    /// An identity document of the company's legal representative.
    RepresentativeId,
    /// A proof of an address in the number's city or country.
    LocalAddress,
}

impl From<DocKind> for DocumentKind {
    fn from(kind: DocKind) -> Self {
        match kind {
            DocKind::PassportOrId => Self::PassportOrId,
            DocKind::ProofOfAddress => Self::ProofOfAddress,
            DocKind::CompanyRegistration => Self::CompanyRegistration,
            DocKind::RepresentativeId => Self::RepresentativeId,
            DocKind::LocalAddress => Self::LocalAddress,
        }
    }
}

impl From<DocumentKind> for DocKind {
    fn from(kind: DocumentKind) -> Self {
        match kind {
            DocumentKind::PassportOrId => Self::PassportOrId,
            DocumentKind::ProofOfAddress => Self::ProofOfAddress,
            DocumentKind::CompanyRegistration => Self::CompanyRegistration,
            DocumentKind::RepresentativeId => Self::RepresentativeId,
            DocumentKind::LocalAddress => Self::LocalAddress,
        }
    }
}
