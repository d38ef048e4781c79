//! Builders shared by the compliance specifications.

use vnum_compliance::{DocumentRequirement, DocumentedOffer};
use vnum_core::{CountryCode, Money};

/// The smallest offer the alternatives query can read; the real one lives in
/// `vnum-lifecycle`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) struct TestOffer {
    pub(crate) name: &'static str,
    pub(crate) country: CountryCode,
    pub(crate) city: Option<&'static str>,
    pub(crate) kind: &'static str,
    pub(crate) monthly: Money,
    pub(crate) setup: Money,
    pub(crate) documents: DocumentRequirement,
    pub(crate) listed: bool,
}

impl DocumentedOffer for TestOffer {
    type Kind = &'static str;
    fn country(&self) -> CountryCode {
        self.country
    }
    fn city(&self) -> Option<&str> {
        self.city
    }
    fn kind(&self) -> &'static str {
        self.kind
    }
    fn monthly_price(&self) -> Money {
        self.monthly
    }
    fn setup_fee(&self) -> Money {
        self.setup
    }
    fn documents(&self) -> &DocumentRequirement {
        &self.documents
    }
    fn is_listed(&self) -> bool {
        self.listed
    }
}
