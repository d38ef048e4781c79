//! Builders shared by the compliance specifications.

use chrono::{DateTime, TimeZone, Utc};
use vnum_compliance::{DocumentRequirement, DocumentedOffer};
use vnum_core::{CountryCode, Money};

pub(crate) fn country(code: &str) -> CountryCode {
    CountryCode::parse(code).expect("a test country code is valid")
}

pub(crate) fn money(text: &str) -> Money {
    Money::parse(text).expect("a test amount is valid")
}

pub(crate) fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, 0, 0)
        .single()
        .expect("a test instant exists")
}

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
