//! Free one-hour tests on the wire: customers list theirs, operators expire them.

use crate::wire::number::PlanBody;
use chrono::{DateTime, Utc};
use poem_openapi::Object;
use vnum_app::model::TrialRecord;

/// A free test: a number lent for one hour (R8.1).
#[derive(Clone, Debug, Object)]
pub(crate) struct Trial {
    /// The id.
    pub(crate) id: i64,
    /// The number lent, E.164.
    pub(crate) number: String,
    /// The offer it belongs to.
    pub(crate) offer: i64,
    /// When the test started.
    pub(crate) started_at: DateTime<Utc>,
    /// When it ends: calls are rejected after (R8.D1).
    pub(crate) ends_at: DateTime<Utc>,
    /// When the number went back to stock.
    #[oai(skip_serializing_if_is_none)]
    pub(crate) returned_at: Option<DateTime<Utc>>,
    /// Where the test number's calls ring (R8 Decision); absent, they ring the customer's
    /// SIP accounts.
    #[oai(skip_serializing_if_is_none)]
    pub(crate) forwarding: Option<PlanBody>,
}

impl From<TrialRecord> for Trial {
    fn from(record: TrialRecord) -> Self {
        let trial = record.trial;
        Self {
            id: trial.id().get(),
            number: trial.number().to_string(),
            offer: trial.offer().get(),
            started_at: trial.started_at(),
            ends_at: trial.ends_at(),
            returned_at: record.returned_at,
            forwarding: trial.forwarding().map(PlanBody::from),
        }
    }
}
