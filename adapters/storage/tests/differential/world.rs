//! One application on one store, driven only through `Vnum`'s public use cases, and what
//! it shows afterwards, in the model's vocabulary.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use rust_decimal::Decimal;
use vnum_app::memory::{FakeCarrier, InMemoryStore};
use vnum_app::model::{CustomerKind, NumberRecord, PageRequest};
use vnum_app::ports::Store;
use vnum_app::testing::{self, mobile_offer};
use vnum_app::{
    Config, Error, OrderLineRequest, PlaceOrder, RegisterCustomer, ServiceState, TopUp, Vnum,
};
use vnum_compliance::EndUser;
use vnum_core::{CustomerId, Money, NumberId, OfferId};
use vnum_discounts::{Percent, TermTiers};
use vnum_lifecycle::{NumberState, OfferTerms};
use vnum_testkit::country;

use crate::common::{self, PgSchema};
use crate::model::{CustomerSnap, Line, NumberBilling, NumberSnap, NumberStand, Op, Outcome};
use crate::steps::{Case, currency};

/// A ledger line with what only the stores are compared on: the reference and the text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct FullLine {
    pub(crate) line: Line,
    pub(crate) reference: Option<String>,
    pub(crate) description: String,
}

/// What a store shows of one customer: the model's view plus the full ledger lines and the
/// service state the application derives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StoreSnap {
    pub(crate) customer: CustomerSnap,
    pub(crate) service: ServiceState,
    pub(crate) full_lines: Vec<FullLine>,
}

pub(crate) struct World {
    pub(crate) name: &'static str,
    vnum: Vnum,
    /// The application and its fake ports; `vnum` and `carrier` are its.
    app: testing::World,
    carrier: FakeCarrier,
    offers: Vec<OfferId>,
    customers: Vec<CustomerId>,
    numbers: Vec<NumberId>,
    /// The numbers each order key bought (R1.D3).
    orders: HashMap<String, Vec<NumberId>>,
    schema: Option<PgSchema>,
}

fn config(case: &Case) -> Config {
    let percent = |p| Percent::new(p).expect("a tier from 0 to 100");
    Config {
        billing_time_zone: case.zone,
        renewal_batch_size: case.batch_size,
        term_tiers: TermTiers::new(
            percent(case.tiers[0]),
            percent(case.tiers[1]),
            percent(case.tiers[2]),
        ),
        max_payment: crate::model::MAX_PAYMENT,
        ..Config::default()
    }
}

impl World {
    fn on(
        name: &'static str,
        store: Arc<dyn Store>,
        schema: Option<PgSchema>,
        case: &Case,
        now: DateTime<Utc>,
    ) -> Self {
        let app = testing::World::on_store(store, now, config(case));
        Self {
            name,
            vnum: app.vnum.clone(),
            carrier: app.carrier.clone(),
            app,
            offers: Vec::new(),
            customers: Vec::new(),
            numbers: Vec::new(),
            orders: HashMap::new(),
            schema,
        }
    }

    pub(crate) fn memory(case: &Case, now: DateTime<Utc>) -> Self {
        Self::on("memory", Arc::new(InMemoryStore::new()), None, case, now)
    }

    pub(crate) async fn sqlite(case: &Case, now: DateTime<Utc>) -> Self {
        Self::on("sqlite", Arc::new(common::sqlite().await), None, case, now)
    }

    /// On a fresh PostgreSQL schema; `None` when no server answers.
    pub(crate) async fn postgres(case: &Case, now: DateTime<Utc>) -> Option<Self> {
        let schema = common::postgres().await?;
        let store = Arc::new(schema.store.clone());
        Some(Self::on("postgres", store, Some(schema), case, now))
    }

    /// Drops the PostgreSQL schema, if any.
    pub(crate) async fn finish(self) {
        if let Some(schema) = self.schema {
            schema.drop().await;
        }
    }

    pub(crate) fn set_clock(&self, now: DateTime<Utc>) {
        self.app.set_time(now);
    }

    /// The case's offers, German mobile numbers connected as soon as the carrier answers.
    pub(crate) async fn create_offers(&mut self, case: &Case) -> Result<(), String> {
        for spec in &case.offers {
            let cur = currency(spec.currency);
            let price = |minor| Money::new(Decimal::new(minor, cur.minor_units()), cur);
            let terms = OfferTerms {
                setup_fee: price(spec.setup_minor),
                caller_id_monthly: spec.caller_id_minor.map(price),
                ..mobile_offer(country("DE"), price(spec.monthly_minor))
            };
            let offer = self
                .vnum
                .create_offer(terms)
                .await
                .map_err(|e| format!("{}: an offer is refused: {e}", self.name))?;
            self.offers.push(offer.id());
        }
        Ok(())
    }

    /// Runs an operation through the use cases.
    pub(crate) async fn run(&mut self, op: &Op) -> Outcome {
        match op {
            Op::Register { currency } => {
                let i = self.customers.len();
                let registered = self
                    .vnum
                    .register_customer(RegisterCustomer {
                        name: format!("Customer {i}"),
                        email: format!("customer{i}@example.com"),
                        kind: CustomerKind::Person,
                        currency: *currency,
                    })
                    .await;
                match registered {
                    Ok(customer) => {
                        self.customers.push(customer.id);
                        Outcome::Done
                    }
                    Err(e) => outcome_of(&e),
                }
            }
            Op::Pay {
                customer,
                amount,
                key,
            } => self.pay(self.customers[*customer], *amount, key).await,
            Op::Order {
                customer,
                lines,
                instant,
                key,
            } => {
                if let Some(numbers) = instant {
                    self.carrier.set_instant(true);
                    self.carrier.stock(numbers.iter().cloned());
                }
                let placed = self
                    .vnum
                    .place_order(PlaceOrder {
                        customer: self.customers[*customer],
                        lines: lines
                            .iter()
                            .map(|(offer, quantity, term)| OrderLineRequest {
                                offer: self.offers[*offer],
                                quantity: *quantity,
                                term: *term,
                                city: None,
                                number: None,
                            })
                            .collect(),
                        end_user: EndUser::Personal,
                        idempotency_key: Some(key.clone()),
                    })
                    .await;
                self.carrier.set_instant(false);
                while self.carrier.take("DE").is_some() {}
                match placed {
                    Ok(placed) => {
                        let ids: Vec<NumberId> = placed.numbers.iter().map(|n| n.id).collect();
                        if !placed.replayed {
                            self.numbers.extend(&ids);
                            self.orders.insert(key.clone(), ids);
                            Outcome::Done
                        } else if self.orders.get(key) == Some(&ids) {
                            Outcome::Replayed
                        } else {
                            Outcome::Failed(format!("the replay answered other numbers: {ids:?}"))
                        }
                    }
                    Err(e) => outcome_of(&e),
                }
            }
            Op::Connect { number, e164 } => {
                match self
                    .vnum
                    .connect_number(self.numbers[*number], e164.clone())
                    .await
                {
                    Ok(_) => Outcome::Done,
                    Err(e) => outcome_of(&e),
                }
            }
            Op::SetCallerId {
                number,
                customer,
                enabled,
            } => {
                match self
                    .vnum
                    .set_caller_id(self.customers[*customer], self.numbers[*number], *enabled)
                    .await
                {
                    Ok(record) if record.settings.caller_id == *enabled => Outcome::Done,
                    Ok(_) => Outcome::Failed(format!("CallerID is not {enabled}")),
                    Err(Error::Refused { rule, .. }) => {
                        Outcome::RefusedBy(rule.as_str().to_owned())
                    }
                    Err(e) => outcome_of(&e),
                }
            }
            Op::Delete { number, customer } => {
                match self
                    .vnum
                    .delete_number(self.customers[*customer], self.numbers[*number])
                    .await
                {
                    Ok(deletion) if deletion.refund.is_zero() => Outcome::Done,
                    Ok(deletion) => Outcome::Failed(format!("refunded {}", deletion.refund)),
                    Err(e) => outcome_of(&e),
                }
            }
            Op::SetRenewal {
                number,
                customer,
                renews,
            } => {
                match self
                    .vnum
                    .set_renewal(self.customers[*customer], self.numbers[*number], *renews)
                    .await
                {
                    Ok(record) if record.renews() == *renews => Outcome::Done,
                    Ok(_) => Outcome::Failed(format!("renews is not {renews}")),
                    Err(Error::Refused { rule, .. }) => {
                        Outcome::RefusedBy(rule.as_str().to_owned())
                    }
                    Err(e) => outcome_of(&e),
                }
            }
            Op::Renew => match self.vnum.run_renewals().await {
                Ok(report) => {
                    let mut suspended: Vec<usize> = report
                        .suspended
                        .iter()
                        .map(|id| {
                            self.customers
                                .iter()
                                .position(|c| c == id)
                                .unwrap_or(usize::MAX)
                        })
                        .collect();
                    suspended.sort_unstable();
                    Outcome::Renewed {
                        days: report.days,
                        charged: report.charged,
                        suspended,
                    }
                }
                Err(e) => outcome_of(&e),
            },
        }
    }

    /// A payment credited to a balance: the one place that names the payment use case.
    async fn pay(&self, customer: CustomerId, amount: Money, key: &str) -> Outcome {
        let paid = self
            .vnum
            .top_up(TopUp {
                customer,
                amount,
                idempotency_key: key.to_owned(),
            })
            .await;
        match paid {
            Ok(receipt) if receipt.replayed => Outcome::Replayed,
            Ok(_) => Outcome::Done,
            Err(e) => outcome_of(&e),
        }
    }

    /// Every customer as the use cases show it now.
    pub(crate) async fn snapshot(&self) -> Result<Vec<StoreSnap>, String> {
        let index: HashMap<NumberId, usize> = self
            .numbers
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, i))
            .collect();
        let fail = |what: &str, e: Error| format!("{}: {what}: {e}", self.name);
        let from = Utc
            .with_ymd_and_hms(2000, 1, 1, 0, 0, 0)
            .single()
            .expect("an instant");
        let to = Utc
            .with_ymd_and_hms(2100, 1, 1, 0, 0, 0)
            .single()
            .expect("an instant");
        let mut snaps = Vec::with_capacity(self.customers.len());
        for id in &self.customers {
            let view = self
                .vnum
                .balance(*id)
                .await
                .map_err(|e| fail("balance", e))?;
            // Every page of the ledger, each read from the cursor of the one before.
            let mut entries = Vec::new();
            let mut page = PageRequest::first(7);
            loop {
                let read = self
                    .vnum
                    .ledger(*id, from, to, page)
                    .await
                    .map_err(|e| fail("ledger", e))?;
                entries.extend(read.items);
                match read.next {
                    Some(next) => page = page.after(next),
                    None => break,
                }
            }
            let mut full_lines: Vec<FullLine> = entries
                .into_iter()
                .map(|e| FullLine {
                    line: Line {
                        at: e.at,
                        kind: format!("{:?}", e.kind),
                        amount: e.amount.amount().normalize(),
                        currency: e.amount.currency(),
                        number: e
                            .number
                            .map(|n| index.get(&n).copied().unwrap_or(usize::MAX)),
                        period: e.period.map(|p| (p.start(), p.end())),
                        rule: e.rule.map(|r| r.as_str().to_owned()),
                    },
                    reference: e.reference.map(|r| case_reference(&index, r)),
                    description: e.description,
                })
                .collect();
            full_lines.sort();
            let mut numbers: Vec<NumberSnap> = self
                .vnum
                .numbers_of(*id)
                .await
                .map_err(|e| fail("numbers", e))?
                .into_iter()
                .map(|v| number_snap(&index, v.record))
                .collect();
            numbers.sort_by_key(|n| n.index);
            snaps.push(StoreSnap {
                customer: CustomerSnap {
                    balance: (view.balance.amount().normalize(), view.balance.currency()),
                    suspended: view.service == ServiceState::Suspended,
                    lines: full_lines.iter().map(|l| l.line.clone()).collect(),
                    numbers,
                },
                service: view.service,
                full_lines,
            });
        }
        Ok(snaps)
    }
}

fn number_snap(index: &HashMap<NumberId, usize>, record: NumberRecord) -> NumberSnap {
    let stand = match &record.state {
        NumberState::Active {
            number,
            connected_on,
        } => NumberStand::Active {
            e164: number.as_str().to_owned(),
            connected_on: *connected_on,
        },
        NumberState::Deleted { number, deleted_on } => NumberStand::Deleted {
            e164: number.as_ref().map(|n| n.as_str().to_owned()),
            deleted_on: *deleted_on,
        },
        pending => NumberStand::Pending(format!("{pending:?}")),
    };
    NumberSnap {
        index: index.get(&record.id).copied().unwrap_or(usize::MAX),
        caller_id: record.settings.caller_id,
        stand,
        billing: record.billing.map(|b| NumberBilling {
            anchor_day: b.anchor_day.get(),
            connected_on: b.connected_on,
            paid_through: b.paid_through,
            monthly_fee: (b.monthly_fee.amount().normalize(), b.monthly_fee.currency()),
            renewal_stopped_on: b.renewal_stopped_on,
        }),
    }
}

/// A ledger reference with a store's own number id replaced by the number's index in the
/// case, so that stores which number their rows differently compare equal.
fn case_reference(index: &HashMap<NumberId, usize>, reference: String) -> String {
    let Some((id, rest)) = reference
        .strip_prefix("caller-id:")
        .and_then(|r| r.split_once(':'))
    else {
        return reference;
    };
    match index.iter().find(|(n, _)| n.to_string() == id) {
        Some((_, i)) => format!("caller-id:#{i}:{rest}"),
        None => reference,
    }
}

fn outcome_of(error: &Error) -> Outcome {
    match error {
        Error::NotFound { .. } => Outcome::NotFound,
        Error::Invalid(_) => Outcome::Invalid,
        Error::InsufficientBalance { .. } => Outcome::Insufficient,
        Error::Conflict(_) => Outcome::Conflict,
        Error::Refused { .. } => Outcome::Refused,
        Error::Store(e) => Outcome::Failed(e.to_string()),
        Error::Media(e) => Outcome::Failed(e.to_string()),
    }
}
