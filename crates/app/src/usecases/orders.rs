use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use vnum_compliance::{EndUser, missing_documents};
use vnum_core::{CustomerId, NumberId, OfferId, OrderId, PhoneNumber, PrepaidTerm};
use vnum_discounts::{Discounts, LineItem, Quote};
use vnum_lifecycle::{City, NumberEvent, NumberState, Offer, OrderLine, ReadyBy};

use crate::model::{
    Customer, FirstCharge, NewLedgerEntry, NumberRecord, NumberSettings, OrderChoice,
    OrderLineRecord, OrderRecord, PeriodDiscount, StockState,
};
use crate::ports::{StoreError, Transaction};
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
    /// The caller's key for this order, 1 to 200 characters: the same key again answers
    /// with the first order and buys nothing more (R1.D3).
    pub idempotency_key: Option<String>,
}

/// A placed order and where its numbers stand.
#[derive(Clone, Debug, Serialize)]
pub struct PlacedOrder {
    /// The order as stored.
    pub order: OrderRecord,
    /// The quote it was charged by: list prices, each discount with its rule, the total.
    /// `None` when the order was placed before under the same key.
    pub quote: Option<Quote>,
    /// The numbers it created, as they stand now.
    pub numbers: Vec<NumberRecord>,
    /// True when the idempotency key was seen before and nothing was bought this time.
    pub replayed: bool,
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
    /// does not fit its offer (R1.2, R1.3, R7.2); [`Error::Invalid`] when the offers are
    /// priced in another currency than the customer's balance, as an order would be.
    pub async fn quote(
        &self,
        customer: CustomerId,
        lines: &[OrderLineRequest],
    ) -> Result<Quote, Error> {
        let mut tx = self.ports.store.read().await?;
        let customer = tx
            .customer(customer)
            .await?
            .ok_or_else(|| Error::not_found("customer", customer))?;
        let prepared = self.prepare_lines(&mut *tx, customer.id, lines).await?;
        self.price(&mut *tx, &customer, &prepared).await
    }

    /// Buys numbers: checks every line against its offer, prices the order with its
    /// discounts, takes the whole amount in advance (R1.4, R10.1), and creates the numbers,
    /// waiting for documents where the carrier needs them (R3.1) or going to the carrier at
    /// once. Numbers the carrier connects instantly are active when this returns (R2.1).
    ///
    /// # Errors
    /// [`Error::InsufficientBalance`] when the balance does not cover the total (R1.4);
    /// [`Error::Refused`] when a line does not fit its offer, or picks a number another
    /// customer's live hold keeps (R1.3); [`Error::NotFound`] for an
    /// unknown customer or offer; [`Error::Invalid`] for an empty order;
    /// [`Error::Conflict`] when the idempotency key was used for another order. Once the
    /// money is taken the answer is never an error (R1.D3): a number the carrier cannot
    /// provide ends as failed and its money goes back ([`Vnum::fail_provisioning`]).
    pub async fn place_order(&self, request: PlaceOrder) -> Result<PlacedOrder, Error> {
        if request.lines.is_empty() || request.lines.len() > 100 {
            return Err(Error::Invalid("an order has 1 to 100 lines".into()));
        }
        let key = match request.idempotency_key.as_deref().map(str::trim) {
            Some(key) if key.is_empty() || key.len() > 200 => {
                return Err(Error::Invalid(
                    "an idempotency key has 1 to 200 characters".into(),
                ));
            }
            key => key.map(str::to_owned),
        };
        if let Some(key) = &key
            && let Some(placed) = self.placed_before(&request, key).await?
        {
            return Ok(placed);
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
        let quote = self.price(&mut *tx, &customer, &prepared).await?;
        let count: u32 = prepared.iter().map(|p| p.line.quantity()).sum();
        let paid = super::balance::pay(
            &mut *tx,
            NewLedgerEntry {
                // One order per key, whatever races: the second debit is a conflict.
                reference: key.as_ref().map(|key| format!("order:{key}")),
                ..NewLedgerEntry::purchase(
                    customer.id,
                    quote.total(),
                    vnum_core::rule::R1_4,
                    format!("Order of {count} number(s): setup fees and the first term"),
                    now,
                )
            },
        )
        .await;
        let entry = match (paid, &key) {
            (Ok(entry), _) => entry.id,
            (Err(Error::Store(StoreError::Conflict { .. })), Some(key)) => {
                drop(tx);
                return self.placed_before(&request, key).await?.ok_or_else(|| {
                    Error::Conflict(
                        "an order with this idempotency key is being placed; retry".into(),
                    )
                });
            }
            (Err(e), _) => return Err(e),
        };

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
            let state = NumberState::Ordered.apply(NumberEvent::after_order(&check))?;
            let wanted = match p.line.choice() {
                vnum_lifecycle::NumberChoice::Manual { number } => {
                    tx.move_stock(number, StockState::Available, StockState::Taken)
                        .await
                        .map_err(|_| {
                            Error::Conflict(format!("{number} was just taken by someone else"))
                        })?;
                    // Asked again now that the stock entry is taken: a hold placed since
                    // the lines were checked has committed. The holder's order consumes
                    // its hold; another customer's live hold refuses the order (R1.3).
                    if let Some(hold) = tx.remove_hold(number).await? {
                        hold.admits(customer.id, now)?;
                    }
                    Some(number.clone())
                }
                vnum_lifecycle::NumberChoice::Automatic { .. } => None,
            };
            let share = quoted.share_per_number();
            let first_charge = FirstCharge {
                entry,
                amount: share.total,
                setup_fee: share.setup_fee,
                discounts: share
                    .discounts
                    .iter()
                    .map(|d| PeriodDiscount {
                        rule: d.rule,
                        percent: d.percent.get(),
                        amount: d.amount,
                    })
                    .collect(),
                at: now,
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
                        first_charge: Some(first_charge.clone()),
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
                idempotency_key: key,
            })
            .await?;
        tx.commit().await?;

        // The money is taken: from here on the answer is the order (R1.D3).
        let mut placed = Vec::with_capacity(numbers.len());
        for number in numbers {
            let id = number.id;
            placed.push(match self.send_to_carrier(number.clone()).await {
                Ok(sent) => sent,
                Err(e) => {
                    tracing::warn!(number = %id, error = %e, "a paid number stays where it was");
                    number
                }
            });
        }
        Ok(PlacedOrder {
            order,
            quote: Some(quote),
            numbers: placed,
            replayed: false,
        })
    }

    /// The order placed before under `key`, with its numbers as they stand, when the same
    /// request was placed; a conflict when the key was used for another order.
    async fn placed_before(
        &self,
        request: &PlaceOrder,
        key: &str,
    ) -> Result<Option<PlacedOrder>, Error> {
        let mut tx = self.ports.store.read().await?;
        let orders = tx.orders_of(request.customer).await?;
        let Some(order) = orders
            .into_iter()
            .find(|o| o.idempotency_key.as_deref() == Some(key))
        else {
            return Ok(None);
        };
        let same = order.lines.len() == request.lines.len()
            && order
                .lines
                .iter()
                .zip(&request.lines)
                .all(|(placed, asked)| {
                    placed.offer == asked.offer
                        && placed.quantity == asked.quantity
                        && placed.term == asked.term
                        && match (&placed.choice, &asked.number) {
                            (OrderChoice::Manual(number), Some(asked)) => number == asked,
                            (OrderChoice::Automatic, None) => true,
                            _ => false,
                        }
                });
        if !same {
            return Err(Error::Conflict(format!(
                "the idempotency key was used for order {} with other lines",
                order.id
            )));
        }
        let mut numbers = Vec::with_capacity(order.numbers.len());
        for id in &order.numbers {
            if let Some(number) = tx.number(*id).await? {
                numbers.push(number);
            }
        }
        Ok(Some(PlacedOrder {
            order,
            quote: None,
            numbers,
            replayed: true,
        }))
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
            let line = match &request.number {
                Some(number) => {
                    if request.quantity > 1 {
                        return Err(Error::Invalid(
                            "a manual order picks one number per line: quantity must be 1".into(),
                        ));
                    }
                    let offered = super::holds::available_stock(tx, offer.id()).await?;
                    let line = OrderLine::manual(&offer, number.clone(), &offered, request.term)?;
                    // Another customer's live hold keeps the number from this order (R1.3).
                    if let Some(hold) = tx.hold_on(number).await? {
                        hold.admits(customer, self.ports.clock.now())?;
                    }
                    line
                }
                None => {
                    let city = request.city.as_deref().map(City::new).transpose()?;
                    OrderLine::automatic(
                        &offer,
                        offer.country(),
                        city,
                        request.quantity,
                        request.term,
                    )?
                }
            };
            prepared.push(PreparedLine { offer, line });
        }
        Ok(prepared)
    }

    /// The quote of `prepared` for `customer`, refused when the offers are priced in
    /// another currency than the customer's balance: such an order could never be paid, so
    /// its quote is refused the same way.
    async fn price(
        &self,
        tx: &mut dyn Transaction,
        customer: &Customer,
        prepared: &[PreparedLine],
    ) -> Result<Quote, Error> {
        let agreement = tx.agreement_of(customer.id).await?;
        let discounts = Discounts::new(self.config.term_tiers, agreement)?;
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
            .collect::<Result<Vec<_>, _>>()?;
        let quote = discounts.quote(customer.id, &items)?;
        if quote.currency() != customer.currency {
            return Err(Error::Invalid(format!(
                "the offers are priced in {}, the balance is kept in {}",
                quote.currency(),
                customer.currency
            )));
        }
        Ok(quote)
    }
}
