//! Orders (`orders.record`), version 1.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vnum_app::model::{OrderChoice, OrderLineRecord, OrderRecord};
use vnum_core::{CustomerId, NumberId, OfferId, OrderId, PhoneNumber, PrepaidTerm};

use super::money::MoneyV1;

/// A placed, paid order (R1.1, R1.4), as version 1 stores it.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct OrderV1 {
    id: i64,
    customer: i64,
    placed_at: DateTime<Utc>,
    lines: Vec<LineV1>,
    total: MoneyV1,
    numbers: Vec<i64>,
    /// Absent when the caller sent no key (R1.D3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    idempotency_key: Option<String>,
}

/// One line of an order.
#[derive(Debug, Serialize, Deserialize)]
struct LineV1 {
    offer: i64,
    quantity: u32,
    /// The prepaid term in months: 1, 3, 6 or 12.
    term: u32,
    choice: ChoiceV1,
    total: MoneyV1,
}

/// `"automatic"`, or `{"manual": "+4930123456"}` with the E.164 number picked.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ChoiceV1 {
    Automatic,
    Manual(String),
}

impl From<&OrderRecord> for OrderV1 {
    fn from(order: &OrderRecord) -> Self {
        Self {
            id: order.id.get(),
            customer: order.customer.get(),
            placed_at: order.placed_at,
            lines: order.lines.iter().map(LineV1::from).collect(),
            total: order.total.into(),
            numbers: order.numbers.iter().map(|n| n.get()).collect(),
            idempotency_key: order.idempotency_key.clone(),
        }
    }
}

impl From<&OrderLineRecord> for LineV1 {
    fn from(line: &OrderLineRecord) -> Self {
        Self {
            offer: line.offer.get(),
            quantity: line.quantity,
            term: line.term.months(),
            choice: match &line.choice {
                OrderChoice::Automatic => ChoiceV1::Automatic,
                OrderChoice::Manual(number) => ChoiceV1::Manual(number.as_str().to_owned()),
            },
            total: line.total.into(),
        }
    }
}

impl TryFrom<OrderV1> for OrderRecord {
    type Error = String;

    fn try_from(order: OrderV1) -> Result<Self, String> {
        Ok(Self {
            id: OrderId(order.id),
            customer: CustomerId(order.customer),
            placed_at: order.placed_at,
            lines: order
                .lines
                .into_iter()
                .map(OrderLineRecord::try_from)
                .collect::<Result<_, _>>()?,
            total: order.total.try_into()?,
            numbers: order.numbers.into_iter().map(NumberId).collect(),
            idempotency_key: order.idempotency_key,
        })
    }
}

impl TryFrom<LineV1> for OrderLineRecord {
    type Error = String;

    fn try_from(line: LineV1) -> Result<Self, String> {
        Ok(Self {
            offer: OfferId(line.offer),
            quantity: line.quantity,
            term: PrepaidTerm::try_from(line.term).map_err(|e| e.to_string())?,
            choice: match line.choice {
                ChoiceV1::Automatic => OrderChoice::Automatic,
                ChoiceV1::Manual(number) => {
                    OrderChoice::Manual(PhoneNumber::parse(&number).map_err(|e| e.to_string())?)
                }
            },
            total: line.total.try_into()?,
        })
    }
}
