//! Buying numbers: an order of one or more lines, paid in advance (R1.1, R1.4, R10.1).

use chrono::{DateTime, Utc};
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use vnum_app::model::{OrderChoice, OrderLineRecord, OrderRecord};
use vnum_app::{PlaceOrder, PlacedOrder, Vnum};
use vnum_core::CustomerId;

use crate::Tag;
use crate::auth::Caller;
use crate::money::MoneyBody;
use crate::problem::{ApiResult, named_in_body};
use crate::wire::number::{EndUserKind, NumberBody};
use crate::wire::offer::{LineBody, QuoteBody};

/// Orders.
pub(crate) struct OrdersApi {
    pub(crate) vnum: Vnum,
}

/// An order.
#[derive(Clone, Debug, Object)]
pub(crate) struct NewOrder {
    /// What to buy, 1 to 100 lines.
    #[oai(validator(min_items = 1, max_items = 100))]
    lines: Vec<LineBody>,
    /// Who will use the numbers: `personal` or `business`, for the carriers' document
    /// requirements (R3.1).
    end_user: EndUserKind,
}

/// A line of a placed order.
#[derive(Clone, Debug, Object)]
#[oai(rename = "PlacedOrderLine")]
pub(crate) struct PlacedLineBody {
    /// The offer.
    offer: i64,
    /// How many numbers.
    quantity: u32,
    /// Months paid in advance.
    term_months: u32,
    /// The number picked, for a manual order (R1.3).
    #[oai(skip_serializing_if_is_none)]
    number: Option<String>,
    /// What the line cost after discounts, exact.
    total: MoneyBody,
}

impl From<OrderLineRecord> for PlacedLineBody {
    fn from(line: OrderLineRecord) -> Self {
        Self {
            offer: line.offer.get(),
            quantity: line.quantity,
            term_months: line.term.months(),
            number: match line.choice {
                OrderChoice::Automatic => None,
                OrderChoice::Manual(number) => Some(number.to_string()),
            },
            total: line.total.into(),
        }
    }
}

/// A placed, paid order.
#[derive(Clone, Debug, Object)]
#[oai(rename = "Order")]
pub(crate) struct OrderBody {
    /// The id.
    id: i64,
    /// Who ordered.
    customer: i64,
    /// When.
    placed_at: DateTime<Utc>,
    /// The lines.
    lines: Vec<PlacedLineBody>,
    /// What was charged, rounded once (R11.D1).
    total: MoneyBody,
}

impl From<OrderRecord> for OrderBody {
    fn from(order: OrderRecord) -> Self {
        Self {
            id: order.id.get(),
            customer: order.customer.get(),
            placed_at: order.placed_at,
            lines: order.lines.into_iter().map(Into::into).collect(),
            total: order.total.into(),
        }
    }
}

/// An order, what it was charged by and where its numbers stand.
#[derive(Clone, Debug, Object)]
#[oai(rename = "PlacedOrder")]
pub(crate) struct PlacedBody {
    /// The order.
    order: OrderBody,
    /// The quote it was charged by: list prices and each discount with its rule; left out
    /// when the order was placed before under the same `Idempotency-Key`.
    #[oai(skip_serializing_if_is_none)]
    quote: Option<QuoteBody>,
    /// The numbers it created: active at once for instant offers (R2.1), awaiting
    /// documents (R3.1) or provisioning otherwise.
    numbers: Vec<NumberBody>,
}

impl From<PlacedOrder> for PlacedBody {
    fn from(placed: PlacedOrder) -> Self {
        Self {
            quote: placed.quote.as_ref().map(Into::into),
            order: placed.order.into(),
            numbers: placed.numbers.into_iter().map(NumberBody::from).collect(),
        }
    }
}

/// The answer to an order.
#[derive(ApiResponse)]
pub(crate) enum Placed {
    /// Paid and placed.
    #[oai(status = 201)]
    Created(Json<PlacedBody>),
    /// Placed before under the same `Idempotency-Key`: nothing was bought this time; the
    /// order and its numbers as they stand.
    #[oai(status = 200)]
    Replayed(Json<PlacedBody>),
}

#[OpenApi(prefix_path = "/v1", tag = "Tag::Orders")]
impl OrdersApi {
    /// Order numbers
    ///
    /// Checks each line against its offer (R1.2 city, R1.3 picked number, R7.2 listed),
    /// prices the order with its discounts (R11) and takes the whole amount in advance:
    /// a balance that does not cover it answers 402 with rule R1.4. Numbers of instant
    /// offers are active in the answer (R2.1); those whose carrier needs documents wait
    /// for them (R3.1).
    ///
    /// With an `Idempotency-Key`, the same key again answers 200 with the first order and
    /// buys nothing more; the key with other lines answers 409 (R1.D3). Once the money is
    /// taken the answer is the order: a number the carrier cannot provide is
    /// `provisioning_failed` in it, and its money is back on the balance.
    #[oai(
        path = "/customers/:id/orders",
        method = "post",
        operation_id = "place_order"
    )]
    async fn place(
        &self,
        caller: Caller,
        id: Path<i64>,
        /// A key of the caller's choosing, 1 to 200 characters, unique per order; a retry
        /// with the same key buys nothing twice.
        #[oai(name = "Idempotency-Key", validator(min_length = 1, max_length = 200))]
        idempotency_key: Header<Option<String>>,
        body: Json<NewOrder>,
    ) -> ApiResult<Placed> {
        let customer = CustomerId(id.0);
        caller.may_access(customer)?;
        let lines = body
            .0
            .lines
            .into_iter()
            .map(LineBody::into_request)
            .collect::<ApiResult<Vec<_>>>()?;
        let placed = named_in_body(
            self.vnum
                .place_order(PlaceOrder {
                    customer,
                    lines,
                    end_user: body.0.end_user.into(),
                    idempotency_key: idempotency_key.0,
                })
                .await,
            "offer",
            "lines",
        )?;
        Ok(if placed.replayed {
            Placed::Replayed(Json(placed.into()))
        } else {
            Placed::Created(Json(placed.into()))
        })
    }
}
