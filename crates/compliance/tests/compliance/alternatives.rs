//! R3.3 alternatives without documents.

use vnum_compliance::{
    DocumentKind, DocumentRequirement, WantedNumber, alternatives_without_documents,
};
use vnum_core::rule;
use vnum_testkit::{country, eur};

use crate::support::TestOffer;

fn offer(name: &'static str, city: Option<&'static str>, monthly: &str, docs: bool) -> TestOffer {
    TestOffer {
        name,
        country: country("DE"),
        city,
        kind: "landline",
        monthly: eur(monthly),
        setup: eur("0"),
        documents: if docs {
            DocumentRequirement::new([DocumentKind::PassportOrId, DocumentKind::LocalAddress], [])
        } else {
            DocumentRequirement::none()
        },
        listed: true,
    }
}

#[test]
fn r3_3_offers_without_documents_are_proposed_cheapest_first_with_their_prices() {
    let mut unlisted = offer("unlisted", Some("Berlin"), "1", false);
    unlisted.listed = false;
    let mut mobile = offer("mobile", None, "2", false);
    mobile.kind = "mobile";
    let mut austrian = offer("austrian", None, "2", false);
    austrian.country = country("AT");
    let mut same_price_dearer_setup = offer("setup", Some("Berlin"), "12", false);
    same_price_dearer_setup.setup = eur("5");
    let offers = [
        offer("cheap with documents", Some("Berlin"), "5", true),
        offer("dear", Some("berlin"), "15", false),
        same_price_dearer_setup,
        offer("mid", Some("Berlin"), "12", false),
        offer("hamburg", Some("Hamburg"), "3", false),
        unlisted,
        mobile,
        austrian,
    ];
    let wanted = WantedNumber {
        country: country("DE"),
        city: Some("Berlin".to_owned()),
        kind: "landline",
    };
    let found = alternatives_without_documents(&offers, &wanted);
    let names: Vec<_> = found.iter().map(|a| a.offer.name).collect();
    assert_eq!(names, ["mid", "setup", "dear"]);
    assert_eq!(found[0].monthly_price, eur("12"));
    assert_eq!(found[1].setup_fee, eur("5"));
    assert!(found.iter().all(|a| a.rule == rule::R3_3));
}

#[test]
fn r3_3_no_alternative_when_every_carrier_asks_for_documents() {
    let offers = [offer("a", Some("Berlin"), "5", true)];
    let wanted = WantedNumber {
        country: country("DE"),
        city: None,
        kind: "landline",
    };
    assert!(alternatives_without_documents(&offers, &wanted).is_empty());
}
