use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use vnum_compliance::{EndUser, missing_documents};
use vnum_core::{CustomerId, NumberId, OfferId, OrderId, PhoneNumber, PrepaidTerm};
use vnum_discounts::{Discounts, LineItem, Quote};
use vnum_lifecycle::{City, NumberEvent, NumberState, Offer, OrderLine, ReadyBy};

use crate::model::{
    EntryKind, NewLedgerEntry, NumberRecord, NumberSettings, OrderChoice, OrderLineRecord,
    OrderRecord, StockState,
};
use crate::ports::Transaction;
use crate::{Error, Vnum};

/// One line of an order or a quote, as the customer asks for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLineRequest {
    /// The offer.
    pub offer: OfferId,
    /// How many numbers; 1 for a manual pick.
    pub quantity: u32,
    /// Paid in advance: 1, 3, 6 or 12 months (R10.1, R11.1).
    pub term: PrepaidTerm,
    /// The city, for landline offers (R1.2).
    pub city: Option<String>,
    /// A concrete number from the offer's list, for a manual order (R1.3).
    pub number: Option<PhoneNumber>,
}

/// An order of one or more numbers (R1.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceOrder {
    /// Who orders and pays.
    pub customer: CustomerId,
    /// What.
    pub lines: Vec<OrderLineRequest>,
    /// Who will use the numbers, for the carriers' document requirements (R3.1).
    pub end_user: EndUser,
}

/// A placed order and where its numbers stand.
#[derive(Clone, Debug, Serialize)]
pub struct PlacedOrder {
    /// The order as stored.
    pub order: OrderRecord,
    /// The quote it was charged by: list prices, each discount with its rule, the total.
    pub quote: Quote,
    /// The numbers it created.
    pub numbers: Vec<NumberRecord>,
}

/// What the customer can expect of a number before it is active (R2).
#[derive(Clone, Debug, Serialize)]
pub struct NumberView {
    /// The number.
    pub record: NumberRecord,
    /// When it is expected to be ready, for a number not connected yet (R2.3, R2.D1).
    pub ready_by: Option<ReadyBy>,
}

struct PreparedLine {
    offer: Offer,
    line: OrderLine,
}

impl Vnum {
    /// Prices lines for a customer without buying: list prices, the prepaid-term and bulk
    /// discounts that apply, and the total charged, rounded once (R11).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown customer or offer; [`Error::Refused`] when a line
    /// does not fit its offer (R1.2, R1.3, R7.2).
    pub async fn quote(
        &self,
        customer: CustomerId,
        lines: &[OrderLineRequest],
    ) -> Result<Quote, Error> {
        let mut tx = self.ports.store.read().await?;
        let prepared = self.prepare_lines(&mut *tx, customer, lines).await?;
        self.price(&mut *tx, customer, &prepared).await
    }

    /// Buys numbers: checks every line against its offer, prices the order with its
    /// discounts, takes the whole amount in advance (R1.4, R10.1), and creates the numbers,
    /// waiting for documents where the carrier needs them (R3.1) or going to the carrier at
    /// once. Numbers the carrier connects instantly are active when this returns (R2.1).
    ///
    /// # Errors
    /// [`Error::InsufficientBalance`] when the balance does not cover the total (R1.4);
    /// [`Error::Refused`] when a line does not fit its offer; [`Error::NotFound`] for an
    /// unknown customer or offer; [`Error::Invalid`] for an empty order.
    pub async fn place_order(&self, request: PlaceOrder) -> Result<PlacedOrder, Error> {
        if request.lines.is_empty() || request.lines.len() > 100 {
            return Err(Error::Invalid("an order has 1 to 100 lines".into()));
        }
        let now = self.ports.clock.now();
        let mut tx = self.ports.store.begin().await?;
        let customer = tx
            .customer(request.customer)
            .await?
            .ok_or_else(|| Error::not_found("customer", request.customer))?;
        let prepared = self
            .prepare_lines(&mut *tx, customer.id, &request.lines)
            .await?;
        let quote = self.price(&mut *tx, customer.id, &prepared).await?;
        if quote.currency() != customer.currency {
            return Err(Error::Invalid(format!(
                "the offers are priced in {}, the balance is kept in {}",
                quote.currency(),
                customer.currency
            )));
        }
        let count: u32 = prepared.iter().map(|p| p.line.quantity()).sum();
        super::balance::pay(
            &mut *tx,
            NewLedgerEntry {
                customer: customer.id,
                kind: EntryKind::Charge,
                amount: -quote.total(),
                number: None,
                period: None,
                rule: Some(vnum_core::rule::R1_4),
                reference: None,
                description: format!("Order of {count} number(s): setup fees and the first term"),
                at: now,
            },
        )
        .await?;

        let documents = tx.documents_of(customer.id).await?;
        let mut numbers = Vec::new();
        let mut lines = Vec::new();
        for (p, quoted) in prepared.iter().zip(quote.lines()) {
            let check = missing_documents(
                p.offer.documents(),
                request.end_user,
                customer.id,
                &documents,
            );
            let state = NumberState::Ordered
                .apply(NumberEvent::after_order(&check))
                .map_err(|e| Error::Invalid(e.to_string()))?;
            let wanted = match p.line.choice() {
                vnum_lifecycle::NumberChoice::Manual { number } => {
                    tx.move_stock(number, StockState::Available, StockState::Taken)
                        .await
                        .map_err(|_| {
                            Error::Conflict(format!("{number} was just taken by someone else"))
                        })?;
                    Some(number.clone())
                }
                vnum_lifecycle::NumberChoice::Automatic { .. } => None,
            };
            for _ in 0..p.line.quantity() {
                let record = tx
                    .insert_number(NumberRecord {
                        id: NumberId(0),
                        customer: customer.id,
                        offer: p.offer.id(),
                        country: p.offer.country(),
                        state: state.clone(),
                        wanted: wanted.clone(),
                        first_term: p.line.term(),
                        end_user: request.end_user,
                        billing: None,
                        settings: NumberSettings::default(),
                        version: 0,
                    })
                    .await?;
                numbers.push(record);
            }
            lines.push(OrderLineRecord {
                offer: p.offer.id(),
                quantity: p.line.quantity(),
                term: p.line.term(),
                choice: wanted.map_or(OrderChoice::Automatic, OrderChoice::Manual),
                total: quoted.total(),
            });
        }
        let order = tx
            .insert_order(OrderRecord {
                id: OrderId(0),
                customer: customer.id,
                placed_at: now,
                lines,
                total: quote.total(),
                numbers: numbers.iter().map(|n| n.id).collect(),
            })
            .await?;
        tx.commit().await?;

        let mut placed = Vec::with_capacity(numbers.len());
        for number in numbers {
            placed.push(self.send_to_carrier(number).await?);
        }
        Ok(PlacedOrder {
            order,
            quote,
            numbers: placed,
        })
    }

    /// A customer's numbers, deleted ones included, with the expected ready-by date of
    /// those not connected yet (R2.3).
    ///
    /// # Errors
    /// [`Error::Store`] when storage fails.
    pub async fn numbers_of(&self, customer: CustomerId) -> Result<Vec<NumberView>, Error> {
        let mut tx = self.ports.store.read().await?;
        let numbers = tx.numbers_of(customer).await?;
        let mut orders = None;
        let mut views = Vec::with_capacity(numbers.len());
        for record in numbers {
            views.push(self.view(&mut *tx, record, &mut orders).await?);
        }
        Ok(views)
    }

    /// The number `id` of `customer`, with its expected ready-by date while it is not
    /// connected (R2.3).
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is none, or it is another customer's.
    pub async fn number_view(
        &self,
        customer: CustomerId,
        id: NumberId,
    ) -> Result<NumberView, Error> {
        let mut tx = self.ports.store.read().await?;
        let record = owned_number(&mut *tx, customer, id).await?;
        self.view(&mut *tx, record, &mut None).await
    }

    /// A number with its ready-by date, found through the order that placed it; `orders`
    /// holds the customer's orders once one number needed them.
    async fn view(
        &self,
        tx: &mut dyn Transaction,
        record: NumberRecord,
        orders: &mut Option<Vec<OrderRecord>>,
    ) -> Result<NumberView, Error> {
        if matches!(
            record.state,
            NumberState::Active { .. } | NumberState::Deleted { .. }
        ) {
            return Ok(NumberView {
                record,
                ready_by: None,
            });
        }
        let placed = match orders {
            Some(placed) => placed,
            None => orders.insert(tx.orders_of(record.customer).await?),
        };
        let ordered_on = placed
            .iter()
            .find(|o| o.numbers.contains(&record.id))
            .map(|o| {
                o.placed_at
                    .with_timezone(&self.config.billing_time_zone)
                    .date_naive()
            });
        let ready_by = match ordered_on {
            Some(ordered_on) => tx
                .offer(record.offer)
                .await?
                .and_then(|offer| self.ready_by(&offer, ordered_on, None)),
            None => None,
        };
        Ok(NumberView { record, ready_by })
    }

    /// The number `id` of `customer`.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is none, or it is another customer's.
    pub async fn number(&self, customer: CustomerId, id: NumberId) -> Result<NumberRecord, Error> {
        let mut tx = self.ports.store.read().await?;
        owned_number(&mut *tx, customer, id).await
    }

    pub(crate) fn ready_by(
        &self,
        offer: &Offer,
        ordered_on: NaiveDate,
        documents_accepted_on: Option<NaiveDate>,
    ) -> Option<ReadyBy> {
        let calendar = self.config.calendar(offer.country());
        offer
            .ready_by(&calendar, ordered_on, documents_accepted_on)
            .ok()
    }

    async fn prepare_lines(
        &self,
        tx: &mut dyn Transaction,
        customer: CustomerId,
        lines: &[OrderLineRequest],
    ) -> Result<Vec<PreparedLine>, Error> {
        tx.customer(customer)
            .await?
            .ok_or_else(|| Error::not_found("customer", customer))?;
        let mut prepared = Vec::with_capacity(lines.len());
        for request in lines {
            let offer = tx
                .offer(request.offer)
                .await?
                .ok_or_else(|| Error::not_found("offer", request.offer))?;
            let refused = |e: vnum_lifecycle::OrderError| Error::Refused {
                rule: e.rule(),
                message: e.to_string(),
            };
            let line = match &request.number {
                Some(number) => {
                    if request.quantity > 1 {
                        return Err(Error::Invalid(
                            "a manual order picks one number per line: quantity must be 1".into(),
                        ));
                    }
                    let offered: Vec<PhoneNumber> = tx
                        .stock(offer.id())
                        .await?
                        .into_iter()
                        .filter(|s| s.state == StockState::Available)
                        .map(|s| s.e164)
                        .collect();
                    OrderLine::manual(&offer, number.clone(), &offered, request.term)
                        .map_err(refused)?
                }
                None => {
                    let city = request
                        .city
                        .as_deref()
                        .map(City::new)
                        .transpose()
                        .map_err(|e| Error::Invalid(e.to_string()))?;
                    OrderLine::automatic(
                        &offer,
                        offer.country(),
                        city,
                        request.quantity,
                        request.term,
                    )
                    .map_err(refused)?
                }
            };
            prepared.push(PreparedLine { offer, line });
        }
        Ok(prepared)
    }

    async fn price(
        &self,
        tx: &mut dyn Transaction,
        customer: CustomerId,
        prepared: &[PreparedLine],
    ) -> Result<Quote, Error> {
        let agreement = tx.agreement_of(customer).await?;
        let discounts = Discounts::new(self.config.term_tiers, agreement)
            .map_err(|e| Error::Invalid(e.to_string()))?;
        let items = prepared
            .iter()
            .map(|p| {
                LineItem::new(
                    p.offer.id(),
                    p.offer.country(),
                    p.line.quantity(),
                    p.line.term(),
                    p.offer.monthly_price(),
                    p.offer.setup_fee(),
                )
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::Invalid(e.to_string()))?;
        discounts
            .quote(customer, &items)
            .map_err(|e| Error::Invalid(e.to_string()))
    }
}

/// The number `id` if it is `customer`'s; another customer's number is "not found", so
/// nothing leaks about it.
pub(crate) async fn owned_number(
    tx: &mut dyn Transaction,
    customer: CustomerId,
    id: NumberId,
) -> Result<NumberRecord, Error> {
    match tx.number(id).await? {
        Some(number) if number.customer == customer => Ok(number),
        _ => Err(Error::not_found("number", id)),
    }
}
