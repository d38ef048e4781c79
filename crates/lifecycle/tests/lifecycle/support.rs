//! Builders of lifecycle values shared by the lifecycle specifications; every value goes
//! through its validated constructor. Plain values come from `vnum-testkit`.

use vnum_compliance::DocumentRequirement;
use vnum_core::{CarrierId, OfferId};
use vnum_lifecycle::{City, NumberKind, Offer, OfferTerms, ProvisioningClass};
use vnum_testkit::{country, eur};

pub(crate) fn city(name: &str) -> City {
    City::new(name).expect("a test city is not blank")
}

/// Listed, instant, no documents, testable terms; tests change what they are about.
pub(crate) fn terms(id: i64, code: &str, kind: NumberKind) -> OfferTerms {
    OfferTerms {
        id: OfferId(id),
        country: country(code),
        city: kind.is_geographic().then(|| city("Berlin")),
        kind,
        carrier: CarrierId(1),
        monthly_price: eur("10.00"),
        setup_fee: eur("0"),
        provisioning: ProvisioningClass::Instant,
        documents: DocumentRequirement::none(),
        caller_id_monthly: Some(eur("2.00")),
        sip_forwarding_free: true,
        trial_allowed: kind != NumberKind::Sms,
        listed: true,
    }
}

pub(crate) fn offer(terms: OfferTerms) -> Offer {
    Offer::new(terms).expect("test offer terms are valid")
}
