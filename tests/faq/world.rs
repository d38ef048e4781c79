//! The world the FAQ's stories run in: the application on in-memory ports
//! (`vnum_app::testing`) with the billing time zone of the stories, and their catalogue.

use chrono::NaiveDate;
use chrono_tz::Tz;
use vnum_app::Config;
use vnum_app::testing::{World, mobile_offer};
use vnum_compliance::{DocumentKind, DocumentRequirement};
use vnum_core::{Money, NumberId};
use vnum_lifecycle::{City, NumberKind, Offer, OfferTerms, ProvisioningClass};
use vnum_testkit::{country, eur, local, phone};

/// The billing time zone of every story: the provider's, Moscow (UTC+3, no DST).
pub(crate) const TZ: Tz = chrono_tz::Europe::Moscow;

/// A world whose clock shows 09:00 on `day` in the billing time zone.
pub(crate) fn world_on(day: NaiveDate) -> World {
    world_with(
        day,
        Config {
            billing_time_zone: TZ,
            ..Config::default()
        },
    )
}

/// A world with its own configuration, its clock at 09:00 on `day` in the stories' zone.
pub(crate) fn world_with(day: NaiveDate, config: Config) -> World {
    World::with_config(local(TZ, day, 9), config)
}

/// The offers of the stories' catalogue.
pub(crate) struct Catalogue {
    /// German mobile numbers, connected instantly, 10 EUR a month, CallerID 2 EUR.
    pub(crate) de_mobile: Offer,
    /// Austrian mobile numbers, connected instantly, 8 EUR a month.
    pub(crate) at_mobile: Offer,
    /// Berlin landline numbers: the carrier needs a passport and a proof of address.
    pub(crate) berlin: Offer,
}

/// The stories' catalogue, with the carrier's numbers for it.
pub(crate) async fn catalogue(world: &World) -> Catalogue {
    world.carrier_stock((0..40).map(|i| phone(&format!("+49151{:08}", 10_000_000 + i))));
    world.carrier_stock((0..40).map(|i| phone(&format!("+43664{:07}", 1_000_000 + i))));
    world.carrier.stock_in(
        Some("Berlin"),
        (0..5).map(|i| phone(&format!("+4930{:08}", 12_345_600 + i))),
    );
    let de_mobile = world
        .offer(OfferTerms {
            caller_id_monthly: Some(eur("2.00")),
            ..mobile_offer(country("DE"), eur("10.00"))
        })
        .await;
    let at_mobile = world.offer(mobile_offer(country("AT"), eur("8.00"))).await;
    let documents = DocumentRequirement::new(
        [DocumentKind::PassportOrId, DocumentKind::ProofOfAddress],
        [DocumentKind::CompanyRegistration],
    );
    let berlin = world
        .offer(OfferTerms {
            city: Some(City::new("Berlin").unwrap()),
            kind: NumberKind::Landline,
            provisioning: ProvisioningClass::AfterDocuments,
            documents,
            ..mobile_offer(country("DE"), eur("12.00"))
        })
        .await;
    Catalogue {
        de_mobile,
        at_mobile,
        berlin,
    }
}

/// Every charge of a number's monthly fee, as (period start, amount).
pub(crate) fn monthly_charges(world: &World, number: NumberId) -> Vec<(NaiveDate, Money)> {
    world
        .memory()
        .all_entries()
        .into_iter()
        .filter(|e| e.number == Some(number) && e.period.is_some())
        .map(|e| (e.period.unwrap().start(), e.amount))
        .collect()
}
