//! The stored form of a free one-hour test (R8).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vnum_lifecycle::Trial;

/// A free test as storage keeps it: the domain [`Trial`] plus when its number went back to
/// stock (R8.D1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrialRecord {
    /// The test: who, which number, from when until when (R8.1).
    pub trial: Trial,
    /// When the expiry run returned the number to stock; `None` until then. Set exactly
    /// once.
    pub returned_at: Option<DateTime<Utc>>,
}
