//! The stored form of a professional voice recording order (R13.3, R13.D3).

use serde::{Deserialize, Serialize};
use vnum_calls::RecordingOrder;
use vnum_core::{CustomerId, NumberId};

/// A recording order as storage keeps it: the domain order plus who ordered it for which
/// number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordingOrderRecord {
    /// The id; storage gives it at insert.
    pub id: i64,
    /// The customer who ordered and paid.
    pub customer: CustomerId,
    /// The number whose greeting it becomes.
    pub number: NumberId,
    /// The text, voice, price and status.
    pub order: RecordingOrder,
}
