//! Builders shared by the lifecycle specifications; every value goes through its validated
//! constructor.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use vnum_compliance::DocumentRequirement;
use vnum_core::{CarrierId, CountryCode, Money, OfferId, PhoneNumber};
use vnum_lifecycle::{City, NumberKind, Offer, OfferTerms, ProvisioningClass};

pub(crate) fn country(code: &str) -> CountryCode {
    CountryCode::parse(code).expect("a test country code is valid")
}

pub(crate) fn city(name: &str) -> City {
    City::new(name).expect("a test city is not blank")
}

pub(crate) fn money(text: &str) -> Money {
    Money::parse(text).expect("a test amount is valid")
}

pub(crate) fn number(text: &str) -> PhoneNumber {
    PhoneNumber::parse(text).expect("a test number is valid E.164")
}

pub(crate) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a test date exists")
}

pub(crate) fn at(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, s)
        .single()
        .expect("a test instant exists")
}

/// Listed, instant, no documents, testable terms; tests change what they are about.
pub(crate) fn terms(id: i64, code: &str, kind: NumberKind) -> OfferTerms {
    OfferTerms {
        id: OfferId(id),
        country: country(code),
        city: kind.is_geographic().then(|| city("Berlin")),
        kind,
        carrier: CarrierId(1),
        monthly_price: money("10.00 EUR"),
        setup_fee: money("0 EUR"),
        provisioning: ProvisioningClass::Instant,
        documents: DocumentRequirement::none(),
        caller_id_monthly: Some(money("2.00 EUR")),
        sip_forwarding_free: true,
        trial_allowed: kind != NumberKind::Sms,
        listed: true,
    }
}

pub(crate) fn offer(terms: OfferTerms) -> Offer {
    Offer::new(terms).expect("test offer terms are valid")
}
