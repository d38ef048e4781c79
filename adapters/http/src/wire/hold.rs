//! Holds on picked numbers on the wire (R1.3): customers place and list theirs, operators
//! expire ended ones.

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use vnum_lifecycle::Hold;

use crate::codes::E164;

/// A number held for its customer until `until` (R1.3).
#[derive(Clone, Debug, Object)]
#[oai(rename = "Hold")]
pub(crate) struct HoldBody {
    /// The number, E.164.
    number: E164,
    /// The offer whose list it was picked from; order it under this offer.
    offer: i64,
    /// When the hold ends by itself unless the number is ordered or released first.
    until: DateTime<Utc>,
    /// R1.3.
    rule: String,
}

impl From<Hold> for HoldBody {
    fn from(hold: Hold) -> Self {
        Self {
            number: E164(hold.number().to_string()),
            offer: hold.offer().get(),
            until: hold.until(),
            rule: vnum_core::rule::R1_3.as_str().to_owned(),
        }
    }
}
