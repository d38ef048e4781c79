//! The catalogue: offers, their numbers, quotes (R1, R2.3, R7.2, R11), and what operators
//! maintain (new offers, stock, bulk agreements).

use std::collections::BTreeMap;

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use rust_decimal::Decimal;
use vnum_app::Vnum;
use vnum_app::model::StockNumber;
use vnum_compliance::DocumentRequirement;
use vnum_core::{AgreementId, CarrierId, CustomerId, OfferId, PrepaidTerm};
use vnum_discounts::{BulkAgreement, Percent};
use vnum_lifecycle::{BusinessDayRange, City, Offer, OfferTerms, ProvisioningClass};

use crate::Tag;
use crate::auth::Caller;
use crate::codes::{Country, E164, Term};
use crate::money::MoneyBody;
use crate::page;
use crate::payload::Serialized;
use crate::problem::{ApiResult, Problem, field_problem, named_in_body};
use crate::text::Text;
use crate::wire::document::DocKind;
use crate::wire::offer::{Kind, LineBody, QuoteBody};

/// The catalogue.
pub(crate) struct OffersApi {
    pub(crate) vnum: Vnum,
}

/// How an offer's numbers are connected (R2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename = "Provisioning", rename_all = "snake_case")]
pub(crate) enum Provisioning {
    /// At once, automatically (R2.1).
    Instant,
    /// 1–2 business days after the documents are accepted (R2.2).
    AfterDocuments,
    /// Within `min_days`–`max_days` business days of the order (R2.3).
    BusinessDays,
}

/// The documents a carrier asks of each kind of end user (R3.1, R3.2).
#[derive(Clone, Debug, Default, Object)]
#[oai(rename = "DocumentRequirement")]
pub(crate) struct Requirement {
    /// Asked of private persons.
    #[oai(default)]
    personal: Vec<DocKind>,
    /// Asked of companies.
    #[oai(default)]
    business: Vec<DocKind>,
}

impl From<&DocumentRequirement> for Requirement {
    fn from(requirement: &DocumentRequirement) -> Self {
        let kinds = |end_user| {
            requirement
                .for_end_user(end_user)
                .iter()
                .map(|k| DocKind::from(*k))
                .collect()
        };
        Self {
            personal: kinds(vnum_compliance::EndUser::Personal),
            business: kinds(vnum_compliance::EndUser::Business),
        }
    }
}

impl From<Requirement> for DocumentRequirement {
    fn from(requirement: Requirement) -> Self {
        Self::new(
            requirement.personal.into_iter().map(Into::into),
            requirement.business.into_iter().map(Into::into),
        )
    }
}

/// An offer as the catalogue shows it.
#[derive(Clone, Debug, Object)]
#[oai(rename = "Offer")]
pub(crate) struct OfferBody {
    /// The id.
    id: i64,
    /// The ISO 3166-1 alpha-2 country, such as `DE`.
    country: String,
    /// The city, for landline offers.
    #[oai(skip_serializing_if_is_none)]
    city: Option<String>,
    /// The kind of number.
    kind: Kind,
    /// The carrier that owns the numbers (R3.2).
    carrier: i64,
    /// The monthly fee (R4.1).
    monthly_price: MoneyBody,
    /// The one-time setup fee.
    setup_fee: MoneyBody,
    /// How the numbers are connected.
    provisioning: Provisioning,
    /// The fewest business days to connect, for `after_documents` and `business_days`.
    #[oai(skip_serializing_if_is_none)]
    min_days: Option<u32>,
    /// The most business days to connect (the ready-by date), likewise.
    #[oai(skip_serializing_if_is_none)]
    max_days: Option<u32>,
    /// The expected connection time, as shown before purchase: `connected instantly`,
    /// `5–15 business days` (R2.3).
    eta: String,
    /// The rule behind the expected time: R2.1, R2.2 or R2.3.
    eta_rule: String,
    /// The documents the carrier asks for.
    documents: Requirement,
    /// The monthly price of the CallerID add-on, absent when the carrier cannot present the
    /// number (R6.2).
    #[oai(skip_serializing_if_is_none)]
    caller_id_monthly: Option<MoneyBody>,
    /// True when forwarding over SIP is included in the monthly fee (R4.2).
    sip_forwarding_free: bool,
    /// True when a number can be tested free for an hour (R8.1).
    trial_allowed: bool,
    /// True when the offer is on sale (R7.2).
    listed: bool,
}

impl From<Offer> for OfferBody {
    fn from(offer: Offer) -> Self {
        let eta = offer.eta();
        Self {
            id: offer.id().get(),
            country: offer.country().to_string(),
            city: offer.city().map(|c| c.as_str().to_owned()),
            kind: offer.kind().into(),
            carrier: offer.carrier().get(),
            monthly_price: offer.monthly_price().into(),
            setup_fee: offer.setup_fee().into(),
            provisioning: match offer.provisioning() {
                ProvisioningClass::Instant => Provisioning::Instant,
                ProvisioningClass::AfterDocuments => Provisioning::AfterDocuments,
                ProvisioningClass::BusinessDays(_) => Provisioning::BusinessDays,
            },
            min_days: eta.business_days.map(BusinessDayRange::min),
            max_days: eta.business_days.map(BusinessDayRange::max),
            eta: eta.to_string(),
            eta_rule: eta.rule.as_str().to_owned(),
            documents: offer.documents().into(),
            caller_id_monthly: offer.caller_id_monthly().map(Into::into),
            sip_forwarding_free: offer.sip_forwarding_free(),
            trial_allowed: offer.trial_allowed(),
            listed: offer.is_listed(),
        }
    }
}

fn default_true() -> bool {
    true
}

/// A new offer, as an operator enters it.
#[derive(Clone, Debug, Object)]
pub(crate) struct NewOffer {
    /// The ISO 3166-1 alpha-2 country, such as `DE`.
    country: Country,
    /// The city: required for landline offers, absent for the other kinds (R1.2).
    #[oai(skip_serializing_if_is_none)]
    city: Option<Text<1, 100>>,
    /// The kind of number.
    kind: Kind,
    /// The carrier's id.
    carrier: i64,
    /// The monthly fee.
    monthly_price: MoneyBody,
    /// The setup fee; zero when absent.
    #[oai(skip_serializing_if_is_none)]
    setup_fee: Option<MoneyBody>,
    /// How the numbers are connected.
    provisioning: Provisioning,
    /// For `business_days`: the fewest business days.
    #[oai(skip_serializing_if_is_none)]
    min_days: Option<u32>,
    /// For `business_days`: the most business days.
    #[oai(skip_serializing_if_is_none)]
    max_days: Option<u32>,
    /// The documents the carrier asks for; none when absent.
    #[oai(default)]
    documents: Requirement,
    /// The CallerID add-on's monthly price; absent when the carrier cannot present numbers.
    #[oai(skip_serializing_if_is_none)]
    caller_id_monthly: Option<MoneyBody>,
    /// Whether forwarding over SIP is included (default true, R4.2).
    #[oai(default = "default_true")]
    sip_forwarding_free: bool,
    /// Whether a number may be tested free for an hour (default false, R8.1).
    #[oai(default)]
    trial_allowed: bool,
    /// Whether it is on sale (default true, R7.2).
    #[oai(default = "default_true")]
    listed: bool,
}

impl NewOffer {
    fn into_terms(self) -> ApiResult<OfferTerms> {
        let country = self.country.0;
        let city = self
            .city
            .as_ref()
            .map(|city| City::new(city.as_str()))
            .transpose()
            .map_err(|e| field_problem("city", e))?;
        let monthly_price: vnum_core::Money = self.monthly_price.try_into()?;
        let setup_fee = match self.setup_fee {
            Some(fee) => fee.try_into()?,
            None => vnum_core::Money::zero(monthly_price.currency()),
        };
        let provisioning = match (self.provisioning, self.min_days, self.max_days) {
            (Provisioning::Instant, None, None) => ProvisioningClass::Instant,
            (Provisioning::AfterDocuments, None, None) => ProvisioningClass::AfterDocuments,
            (Provisioning::BusinessDays, Some(min), Some(max)) => ProvisioningClass::BusinessDays(
                BusinessDayRange::new(min, max).map_err(|e| field_problem("min_days", e))?,
            ),
            (Provisioning::BusinessDays, _, _) => {
                return Err(field_problem(
                    "min_days",
                    "`business_days` provisioning needs both `min_days` and `max_days`",
                ));
            }
            _ => {
                return Err(field_problem(
                    "min_days",
                    "only `business_days` provisioning takes `min_days` and `max_days`",
                ));
            }
        };
        Ok(OfferTerms {
            id: OfferId(0),
            country,
            city,
            kind: self.kind.into(),
            carrier: CarrierId(self.carrier),
            monthly_price,
            setup_fee,
            provisioning,
            documents: self.documents.into(),
            caller_id_monthly: self.caller_id_monthly.map(TryInto::try_into).transpose()?,
            sip_forwarding_free: self.sip_forwarding_free,
            trial_allowed: self.trial_allowed,
            listed: self.listed,
        })
    }
}

/// The answer to a new offer.
#[derive(ApiResponse)]
pub(crate) enum OfferCreated {
    /// The offer is in the catalogue.
    #[oai(status = 201)]
    Created(Json<OfferBody>),
}

/// Numbers to add to an offer's stock.
#[derive(Clone, Debug, Object)]
pub(crate) struct NewStock {
    /// E.164 numbers of the offer's country, such as `+4930123456`.
    #[oai(validator(min_items = 1, max_items = 1000))]
    numbers: Vec<E164>,
}

/// A number the provider holds for an offer.
#[derive(Clone, Debug, Object)]
#[oai(rename = "StockNumber")]
pub(crate) struct StockBody {
    /// The number, E.164.
    e164: String,
    /// `available`, `on_trial` or `taken`.
    state: String,
}

impl From<StockNumber> for StockBody {
    fn from(stock: StockNumber) -> Self {
        Self {
            e164: stock.e164.to_string(),
            state: match stock.state {
                vnum_app::model::StockState::Available => "available",
                vnum_app::model::StockState::OnTrial => "on_trial",
                vnum_app::model::StockState::Taken => "taken",
            }
            .to_owned(),
        }
    }
}

/// Lines to price.
#[derive(Clone, Debug, Object)]
pub(crate) struct QuoteRequest {
    /// The customer the prices are for; a customer may leave it out (its own).
    #[oai(skip_serializing_if_is_none)]
    customer: Option<i64>,
    /// The lines.
    #[oai(validator(min_items = 1, max_items = 100))]
    lines: Vec<LineBody>,
}

/// An offer a customer can buy without the documents another offer needs, with what it
/// would cost that customer (R3.3).
#[derive(Clone, Debug, Object)]
#[oai(rename = "Alternative")]
pub(crate) struct AlternativeBody {
    /// The offer: same country, city and kind, and no documents asked.
    offer: OfferBody,
    /// The customer's quote for the quantity and term asked, discounts included.
    quote: QuoteBody,
    /// The rule that proposes it: R3.3.
    rule: String,
}

/// A negotiated bulk discount (R11.2).
#[derive(Clone, Debug, Object)]
#[oai(rename = "BulkAgreement")]
pub(crate) struct AgreementBody {
    /// The id (ignored in a request).
    #[oai(read_only)]
    id: i64,
    /// The customer (taken from the path in a request).
    #[oai(read_only)]
    customer: i64,
    /// The discount applies to orders of at least this many numbers.
    #[oai(validator(minimum(value = "1")))]
    min_quantity: u32,
    /// Percent per country, such as `[{"country": "DE", "percent": "15"}]`; of a country
    /// listed twice, the later entry counts.
    #[oai(default)]
    per_country: Vec<CountryPercent>,
    /// Percent for countries not listed; none when absent.
    #[oai(
        skip_serializing_if_is_none,
        validator(pattern = r"^(100(\.0{1,4})?|[0-9]{1,2}(\.[0-9]{1,4})?)$")
    )]
    default_percent: Option<String>,
}

/// The discount of one country in a bulk agreement.
#[derive(Clone, Debug, Object)]
#[oai(rename = "CountryPercent")]
pub(crate) struct CountryPercent {
    /// The ISO 3166-1 alpha-2 country, such as `DE`.
    country: Country,
    /// The percentage, `0` to `100` with up to 4 decimals, such as `"15"` or `"12.5"`.
    #[oai(validator(pattern = r"^(100(\.0{1,4})?|[0-9]{1,2}(\.[0-9]{1,4})?)$"))]
    percent: String,
}

fn percent(field: &str, text: &str) -> ApiResult<Percent> {
    let value: Decimal = text.trim().parse().map_err(|_| {
        field_problem(
            field,
            format!("{text:?} is not a percentage such as \"15\""),
        )
    })?;
    Percent::new(value).map_err(|e| field_problem(field, e))
}

page::page_of!(
    /// A page of offers, in the order they were created.
    OfferPage,
    OfferBody
);

#[OpenApi(prefix_path = "/v1", tag = "Tag::Offers")]
impl OffersApi {
    /// List offers
    ///
    /// The offers on sale (R7.2). Operators may pass `all=true` for unlisted ones too.
    #[oai(path = "/offers", method = "get", operation_id = "list_offers")]
    async fn list(
        &self,
        caller: Caller,
        all: Query<Option<bool>>,
        /// Items a page, 1 to 500 (100 unless asked).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
        /// The `next` cursor of the previous page.
        #[oai(validator(pattern = r"^[1-9][0-9]{0,17}$"))]
        after: Query<Option<String>>,
    ) -> ApiResult<Json<OfferPage>> {
        let page = page::page(limit.0, after.0.as_deref())?;

        let offers = if all.0.unwrap_or(false) {
            caller.operator()?;
            self.vnum.all_offers().await?
        } else {
            self.vnum.listed_offers().await?
        };
        let offers = offers.into_iter().map(OfferBody::from).collect();
        Ok(Json(page::slice(offers, page, |o| o.id).into()))
    }

    /// Read an offer
    ///
    /// With the expected connection time shown before purchase (R2.3). An unlisted offer
    /// answers 404 to customers (R7.2).
    #[oai(path = "/offers/:id", method = "get", operation_id = "get_offer")]
    async fn offer(&self, caller: Caller, id: Path<i64>) -> ApiResult<Json<OfferBody>> {
        let offer = self.vnum.offer(OfferId(id.0)).await?;
        if !offer.is_listed() && caller.operator().is_err() {
            return Err(Problem::not_found("offer", id.0));
        }
        Ok(Json(offer.into()))
    }

    /// Numbers of an offer
    ///
    /// The concrete numbers a customer may pick from in a manual order (R1.3): a number
    /// another customer holds is left out; a customer sees the numbers it holds itself.
    #[oai(
        path = "/offers/:id/numbers",
        method = "get",
        operation_id = "list_offer_numbers"
    )]
    async fn numbers(&self, caller: Caller, id: Path<i64>) -> ApiResult<Json<Vec<String>>> {
        let offer = self.vnum.offer(OfferId(id.0)).await?;
        if !offer.is_listed() && caller.operator().is_err() {
            return Err(Problem::not_found("offer", id.0));
        }
        let viewer = match caller.principal() {
            vnum_app::model::Principal::Customer(own) => Some(own),
            vnum_app::model::Principal::Operator | vnum_app::model::Principal::Engine => None,
        };
        let numbers = self.vnum.available_numbers(OfferId(id.0), viewer).await?;
        Ok(Json(numbers.iter().map(ToString::to_string).collect()))
    }

    /// Price lines
    ///
    /// List prices, each discount with its rule (R11.1 prepaid term, R11.2 bulk), exact
    /// line totals, display totals and the total charged, rounded once (R11.D1). Nothing
    /// is bought.
    #[oai(path = "/quotes", method = "post", operation_id = "quote")]
    async fn quote(
        &self,
        caller: Caller,
        body: Json<QuoteRequest>,
    ) -> ApiResult<Serialized<QuoteBody>> {
        let customer = match (caller.principal(), body.0.customer) {
            (_, Some(id)) => CustomerId(id),
            (vnum_app::model::Principal::Customer(own), None) => own,
            (vnum_app::model::Principal::Operator | vnum_app::model::Principal::Engine, None) => {
                return Err(field_problem(
                    "customer",
                    "an operator names the customer the quote is for",
                ));
            }
        };
        caller.may_access(customer)?;
        let lines = body
            .0
            .lines
            .into_iter()
            .map(LineBody::into_request)
            .collect::<ApiResult<Vec<_>>>()?;
        let quote = named_in_body(self.vnum.quote(customer, &lines).await, "offer", "lines")?;
        Ok(Serialized((&quote).into()))
    }

    /// Alternatives without documents
    ///
    /// For a customer who cannot give the documents an offer's carrier asks for (R3.2):
    /// the listed offers of the same country, city and kind whose carrier asks none,
    /// cheapest first, each with the customer's quote for `quantity` numbers (default 1)
    /// paid `term` months in advance (default 1). They usually cost more (R3.3). An offer
    /// that asks no documents has no alternatives.
    #[oai(
        path = "/customers/:id/offers/:offer_id/alternatives",
        method = "get",
        operation_id = "list_alternatives"
    )]
    async fn alternatives(
        &self,
        caller: Caller,
        id: Path<i64>,
        offer_id: Path<i64>,
        /// Numbers to quote, 1 to 1000.
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
        quantity: Query<Option<u32>>,
        /// Months paid in advance: 1, 3, 6 or 12.
        term: Query<Option<Term>>,
    ) -> ApiResult<Json<Vec<AlternativeBody>>> {
        let customer = CustomerId(id.0);
        caller.may_access(customer)?;
        let term = term.0.map_or(PrepaidTerm::OneMonth, |t| t.0);
        let found = self
            .vnum
            .alternatives(customer, OfferId(offer_id.0), quantity.0.unwrap_or(1), term)
            .await?;
        Ok(Json(
            found
                .into_iter()
                .map(|alternative| AlternativeBody {
                    quote: (&alternative.quote).into(),
                    offer: alternative.offer.into(),
                    rule: vnum_core::rule::R3_3.as_str().to_owned(),
                })
                .collect(),
        ))
    }

    /// Create an offer
    ///
    /// For operators.
    #[oai(path = "/offers", method = "post", operation_id = "create_offer")]
    async fn create(&self, caller: Caller, body: Json<NewOffer>) -> ApiResult<OfferCreated> {
        caller.operator()?;
        let offer = self.vnum.create_offer(body.0.into_terms()?).await?;
        Ok(OfferCreated::Created(Json(offer.into())))
    }

    /// Add stock
    ///
    /// For operators: concrete numbers of the offer's country, to pick from (R1.3) or lend
    /// for tests (R8.1). Answers the offer's whole stock.
    #[oai(
        path = "/offers/:id/stock",
        method = "post",
        operation_id = "add_stock"
    )]
    async fn add_stock(
        &self,
        caller: Caller,
        id: Path<i64>,
        body: Json<NewStock>,
    ) -> ApiResult<Json<Vec<StockBody>>> {
        caller.operator()?;
        let numbers = body
            .0
            .numbers
            .iter()
            .map(|n| n.parse("numbers"))
            .collect::<ApiResult<Vec<_>>>()?;
        let stock = self.vnum.add_stock(OfferId(id.0), numbers).await?;
        Ok(Json(stock.into_iter().map(StockBody::from).collect()))
    }

    /// Set a bulk agreement
    ///
    /// For operators: the discount negotiated with a customer (R11.2), replacing any
    /// previous one.
    #[oai(
        path = "/customers/:id/bulk-agreement",
        method = "put",
        operation_id = "set_bulk_agreement"
    )]
    async fn set_agreement(
        &self,
        caller: Caller,
        id: Path<i64>,
        body: Json<AgreementBody>,
    ) -> ApiResult<Json<AgreementBody>> {
        caller.operator()?;
        let body = body.0;
        let mut listed = BTreeMap::new();
        for entry in &body.per_country {
            listed.insert(
                entry.country.0,
                (percent("per_country", &entry.percent)?, entry),
            );
        }
        let per_country = listed
            .iter()
            .map(|(country, (percent, _))| (*country, *percent))
            .collect();
        let default_percent = body
            .default_percent
            .as_deref()
            .map(|p| percent("default_percent", p))
            .transpose()?;
        let agreement = BulkAgreement::new(
            AgreementId(0),
            CustomerId(id.0),
            body.min_quantity,
            per_country,
            default_percent,
        )
        .map_err(|e| field_problem("min_quantity", e))?;
        let saved = self.vnum.set_bulk_agreement(agreement).await?;
        Ok(Json(AgreementBody {
            id: saved.id().get(),
            customer: saved.customer().get(),
            min_quantity: saved.min_quantity(),
            per_country: listed.values().map(|(_, entry)| (*entry).clone()).collect(),
            default_percent: body.default_percent.clone(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Amount;
    use crate::payload::assert_written_alike;
    use crate::wire::offer::{DiscountBody, QuotedLineBody};

    #[test]
    fn a_quote_is_written_alike_by_serde_and_by_poem_openapi() {
        let eur = |cents| MoneyBody {
            amount: Amount(Decimal::new(cents, 2)),
            currency: crate::codes::CurrencyCode(vnum_core::Currency::EUR),
        };
        let line = |discounts| QuotedLineBody {
            offer: 1,
            country: "DE".to_owned(),
            quantity: 3,
            term_months: 12,
            list_total: eur(18_000),
            discounts,
            total: eur(16_200),
            display_total: eur(16_200),
        };
        assert_written_alike(&QuoteBody {
            customer: 2,
            lines: vec![
                line(Vec::new()),
                line(vec![DiscountBody {
                    kind: "prepaid_term".to_owned(),
                    rule: "R11.1".to_owned(),
                    percent: "10".to_owned(),
                    amount: eur(1_800),
                }]),
            ],
            total: eur(34_200),
        });
    }
}
