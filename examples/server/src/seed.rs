//! Demo data for a first start: a catalogue of offers, an operator key, the SIP engine's key
//! and a customer with money on its balance.

use rust_decimal::Decimal;
use vnum_app::model::{CustomerKind, Principal};
use vnum_app::{Error, RegisterCustomer, TopUp, Vnum};
use vnum_compliance::{DocumentKind, DocumentRequirement};
use vnum_core::{CarrierId, CountryCode, Currency, CustomerId, Money, OfferId, PhoneNumber};
use vnum_lifecycle::{BusinessDayRange, City, NumberKind, OfferTerms, ProvisioningClass};

use crate::adapters::INSTANT_CARRIER;

/// The email of the demo customer; finding it registered means the demo was seeded before.
pub const DEMO_EMAIL: &str = "demo@vnum.example";

/// The keys of a freshly seeded demo, shown once.
#[derive(Clone, Debug)]
pub struct Demo {
    /// An operator API key.
    pub operator_key: String,
    /// The demo customer.
    pub customer: CustomerId,
    /// The demo customer's API key.
    pub customer_key: String,
    /// The SIP engine's API key: `/v1/engine/*` and nothing else (Kamailio's
    /// `vnum-http.cfg`).
    pub engine_key: String,
}

/// Seeds the demo on first start: `None` when it was seeded before (its keys were printed
/// then; vnum keeps only their hashes).
///
/// # Errors
/// When a use case fails.
pub async fn seed_demo(vnum: &Vnum) -> Result<Option<Demo>, Error> {
    let registered = vnum
        .register_customer(RegisterCustomer {
            name: "Demo Customer".to_owned(),
            email: DEMO_EMAIL.to_owned(),
            kind: CustomerKind::Person,
            currency: Currency::EUR,
        })
        .await;
    let customer = match registered {
        Ok(customer) => customer,
        Err(Error::Conflict(_)) => return Ok(None),
        Err(err) => return Err(err),
    };
    vnum.top_up(TopUp {
        customer: customer.id,
        amount: Money::new(Decimal::new(10_000, 2), Currency::EUR),
        idempotency_key: "demo-seed".to_owned(),
    })
    .await?;
    let customer_key = vnum
        .issue_api_key(Principal::Customer(customer.id), "demo customer")
        .await?;
    let operator_key = vnum
        .issue_api_key(Principal::Operator, "demo operator")
        .await?;
    let engine_key = vnum.issue_api_key(Principal::Engine, "SIP engine").await?;
    Ok(Some(Demo {
        operator_key,
        customer: customer.id,
        customer_key,
        engine_key,
    }))
}

/// One offer of the demo catalogue.
struct DemoOffer {
    country: &'static str,
    city: Option<&'static str>,
    kind: NumberKind,
    carrier: CarrierId,
    monthly_cents: i64,
    setup_cents: i64,
    provisioning: ProvisioningClass,
    personal: &'static [DocumentKind],
    business: &'static [DocumentKind],
    caller_id_cents: Option<i64>,
    trial_allowed: bool,
    /// Numbers to pick from (R1.3) or lend for tests (R8.1).
    stock: &'static [&'static str],
}

/// The carrier that asks for documents before connecting (R3.1, R2.2).
const DOCUMENTS_CARRIER: CarrierId = CarrierId(2);
/// The carrier that connects within 5–15 business days (R2.3).
const SLOW_CARRIER: CarrierId = CarrierId(3);

const ID_AND_ADDRESS: &[DocumentKind] = &[DocumentKind::PassportOrId, DocumentKind::LocalAddress];
const COMPANY_AND_ADDRESS: &[DocumentKind] = &[
    DocumentKind::CompanyRegistration,
    DocumentKind::LocalAddress,
];

fn demo_offers() -> Result<Vec<DemoOffer>, Error> {
    let slow = ProvisioningClass::BusinessDays(
        BusinessDayRange::new(5, 15).map_err(|e| Error::Invalid(e.to_string()))?,
    );
    let offer = |country, city, kind, carrier, monthly_cents, provisioning| DemoOffer {
        country,
        city,
        kind,
        carrier,
        monthly_cents,
        setup_cents: 0,
        provisioning,
        personal: &[],
        business: &[],
        caller_id_cents: None,
        trial_allowed: false,
        stock: &[],
    };
    let instant = ProvisioningClass::Instant;
    let after_documents = ProvisioningClass::AfterDocuments;
    Ok(vec![
        DemoOffer {
            caller_id_cents: Some(100),
            trial_allowed: true,
            stock: &["+4915100000050", "+4915100000051", "+4915100000052"],
            ..offer(
                "DE",
                None,
                NumberKind::Mobile,
                INSTANT_CARRIER,
                500,
                instant,
            )
        },
        DemoOffer {
            setup_cents: 1000,
            personal: ID_AND_ADDRESS,
            business: COMPANY_AND_ADDRESS,
            caller_id_cents: Some(150),
            ..offer(
                "DE",
                Some("Berlin"),
                NumberKind::Landline,
                DOCUMENTS_CARRIER,
                400,
                after_documents,
            )
        },
        DemoOffer {
            stock: &["+498912345650", "+498912345651"],
            ..offer(
                "DE",
                Some("Munich"),
                NumberKind::Landline,
                INSTANT_CARRIER,
                450,
                instant,
            )
        },
        DemoOffer {
            trial_allowed: true,
            stock: &["+436641000050", "+436641000051"],
            ..offer(
                "AT",
                None,
                NumberKind::Mobile,
                INSTANT_CARRIER,
                600,
                instant,
            )
        },
        DemoOffer {
            setup_cents: 500,
            personal: &[DocumentKind::PassportOrId],
            business: &[DocumentKind::CompanyRegistration],
            ..offer(
                "AT",
                Some("Vienna"),
                NumberKind::Landline,
                SLOW_CARRIER,
                600,
                slow,
            )
        },
        DemoOffer {
            caller_id_cents: Some(100),
            ..offer(
                "GB",
                Some("London"),
                NumberKind::Landline,
                INSTANT_CARRIER,
                300,
                instant,
            )
        },
        DemoOffer {
            personal: &[DocumentKind::PassportOrId, DocumentKind::ProofOfAddress],
            business: &[DocumentKind::CompanyRegistration],
            ..offer(
                "GB",
                None,
                NumberKind::Mobile,
                DOCUMENTS_CARRIER,
                700,
                after_documents,
            )
        },
        offer(
            "US",
            Some("New York"),
            NumberKind::Landline,
            SLOW_CARRIER,
            200,
            slow,
        ),
        DemoOffer {
            personal: &[DocumentKind::LocalAddress],
            business: &[DocumentKind::LocalAddress],
            ..offer(
                "NL",
                Some("Amsterdam"),
                NumberKind::Landline,
                DOCUMENTS_CARRIER,
                500,
                after_documents,
            )
        },
        DemoOffer {
            trial_allowed: true,
            caller_id_cents: Some(100),
            stock: &["+33612345650", "+33612345651"],
            ..offer(
                "FR",
                None,
                NumberKind::Mobile,
                INSTANT_CARRIER,
                550,
                instant,
            )
        },
        DemoOffer {
            personal: &[DocumentKind::PassportOrId, DocumentKind::ProofOfAddress],
            business: &[DocumentKind::CompanyRegistration],
            ..offer(
                "FR",
                Some("Paris"),
                NumberKind::Landline,
                SLOW_CARRIER,
                500,
                slow,
            )
        },
        DemoOffer {
            stock: &["+4915100000060", "+4915100000061", "+4915100000062"],
            ..offer("DE", None, NumberKind::Sms, INSTANT_CARRIER, 50, instant)
        },
    ])
}

/// Seeds the demo catalogue when the store has no offers: mobile and landline offers in
/// DE, AT, GB, US, NL and FR, prices in EUR; carriers with and without document
/// requirements (R3.2); instant (R2.1), after-documents (R2.2) and 5–15 business-day
/// (R2.3) provisioning; trial offers with stock (R8.1), a one-shot SMS offer with stock
/// (R9) and the CallerID add-on on some (R6.2). Answers how many offers it created.
///
/// # Errors
/// When a use case fails.
pub async fn seed_catalogue(vnum: &Vnum) -> Result<usize, Error> {
    if !vnum.all_offers().await?.is_empty() {
        return Ok(0);
    }
    let eur = |cents| Money::new(Decimal::new(cents, 2), Currency::EUR);
    let offers = demo_offers()?;
    let count = offers.len();
    for demo in offers {
        let country =
            CountryCode::parse(demo.country).map_err(|e| Error::Invalid(e.to_string()))?;
        let city = demo
            .city
            .map(City::new)
            .transpose()
            .map_err(|e| Error::Invalid(e.to_string()))?;
        let offer = vnum
            .create_offer(OfferTerms {
                id: OfferId(0),
                country,
                city,
                kind: demo.kind,
                carrier: demo.carrier,
                monthly_price: eur(demo.monthly_cents),
                setup_fee: eur(demo.setup_cents),
                provisioning: demo.provisioning,
                documents: DocumentRequirement::new(
                    demo.personal.iter().copied(),
                    demo.business.iter().copied(),
                ),
                caller_id_monthly: demo.caller_id_cents.map(eur),
                sip_forwarding_free: true,
                trial_allowed: demo.trial_allowed,
                listed: true,
            })
            .await?;
        if !demo.stock.is_empty() {
            let numbers = demo
                .stock
                .iter()
                .map(|n| PhoneNumber::parse(n).map_err(|e| Error::Invalid(e.to_string())))
                .collect::<Result<Vec<_>, _>>()?;
            vnum.add_stock(offer.id(), numbers).await?;
        }
    }
    Ok(count)
}
