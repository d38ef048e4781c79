//! Events: what vnum tells the outside world (customers by email, endpoints by webhook),
//! written to the outbox in the unit of work of the change they report.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use vnum_core::{CustomerId, Money};

/// An event's id: a random UUID (version 4), the same on every delivery of the event, so
/// that a receiver recognises a redelivery.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventId(pub String);

impl EventId {
    /// A new random id from `bytes` (16 random bytes), written as a version 4 UUID.
    #[must_use]
    pub fn from_random(mut bytes: [u8; 16]) -> Self {
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Self(format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        ))
    }
}

impl std::fmt::Display for EventId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An amount on the wire: an exact decimal string and its ISO 4217 code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amount {
    /// The amount, exact (`"12.50"`).
    pub amount: Decimal,
    /// The currency's code (`"EUR"`).
    pub currency: String,
}

impl From<Money> for Amount {
    fn from(money: Money) -> Self {
        Self {
            amount: money.amount(),
            currency: money.currency().code().to_owned(),
        }
    }
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

/// What happened: one variant per event type, each with the data a receiver needs. The
/// serde form is the webhook body's `type` and `data`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum Notice {
    /// The carrier connected an ordered number (R1.2); the connection day anchors the
    /// monthly charges (R10.2).
    #[serde(rename = "number.connected")]
    NumberConnected {
        /// The customer.
        customer: CustomerId,
        /// The number's id.
        number_id: i64,
        /// The connected number, E.164.
        number: String,
        /// The day of the month it is charged on.
        charge_day: u32,
        /// The last day the first term pays for.
        paid_until: NaiveDate,
    },
    /// The carrier could not provide an ordered number; its share went back to the
    /// balance (R1.D3).
    #[serde(rename = "number.provisioning_failed")]
    ProvisioningFailed {
        /// The customer.
        customer: CustomerId,
        /// The number's id.
        number_id: i64,
        /// What the carrier said.
        reason: String,
        /// What went back to the balance, if anything.
        refund: Option<Amount>,
    },
    /// The balance went below zero: the numbers take no calls and no SMS (R10.4).
    #[serde(rename = "account.suspended")]
    AccountSuspended {
        /// The customer.
        customer: CustomerId,
        /// The balance now.
        balance: Amount,
    },
    /// A payment took the balance back to zero or above: service is restored (R10.5).
    #[serde(rename = "account.resumed")]
    AccountResumed {
        /// The customer.
        customer: CustomerId,
        /// The balance now.
        balance: Amount,
    },
    /// A payment was credited to the balance (R1.D1).
    #[serde(rename = "payment.credited")]
    PaymentCredited {
        /// The customer.
        customer: CustomerId,
        /// The amount credited.
        amount: Amount,
        /// The ledger reference of the credit.
        reference: Option<String>,
        /// The balance after it.
        balance: Amount,
    },
    /// An SMS arrived for a one-shot allocation (R9).
    #[serde(rename = "sms.received")]
    SmsReceived {
        /// The customer.
        customer: CustomerId,
        /// The allocation's id.
        allocation_id: i64,
        /// The number that received it, E.164.
        number: String,
        /// The service the allocation is for.
        service: String,
        /// The text.
        text: String,
    },
    /// A rented number received an SMS.
    #[serde(rename = "number.sms_received")]
    NumberSmsReceived {
        /// The customer.
        customer: CustomerId,
        /// The number's id.
        number_id: i64,
        /// The number that received it, E.164.
        number: String,
        /// The message's id (`GET …/numbers/{number_id}/sms`).
        message_id: i64,
        /// The sender as the gateway reported it.
        from: String,
        /// The text.
        text: String,
    },
    /// The provider delivered a professional recording: it is one of the number's
    /// greetings now (R13.D3).
    #[serde(rename = "recording.delivered")]
    RecordingDelivered {
        /// The customer.
        customer: CustomerId,
        /// The number's id.
        number_id: i64,
        /// The order's id.
        order_id: i64,
        /// The greeting it became.
        greeting_id: i64,
    },
    /// The provider cancelled a professional recording and refunded it (R13.D3).
    #[serde(rename = "recording.cancelled")]
    RecordingCancelled {
        /// The customer.
        customer: CustomerId,
        /// The number's id.
        number_id: i64,
        /// The order's id.
        order_id: i64,
        /// Why.
        reason: String,
        /// What went back to the balance.
        refund: Amount,
    },
    /// Numbers a customer waits for went on sale (R7.1).
    #[serde(rename = "waitlist.restocked")]
    WaitlistRestocked {
        /// The customer.
        customer: CustomerId,
        /// The waitlist entry's id.
        entry_id: i64,
        /// What the customer waits for, in words.
        wanted: String,
        /// The offer now in stock.
        offer_id: i64,
    },
    /// An operator reviewed a document (R3).
    #[serde(rename = "document.reviewed")]
    DocumentReviewed {
        /// The customer.
        customer: CustomerId,
        /// The document's id.
        document_id: i64,
        /// `approved` or `rejected`.
        decision: String,
        /// Why it was rejected, if it was.
        reason: Option<String>,
    },
    /// A free test's hour ended (R8).
    #[serde(rename = "trial.ended")]
    TrialEnded {
        /// The customer.
        customer: CustomerId,
        /// The trial's id.
        trial_id: i64,
        /// The number it used, E.164.
        number: String,
    },
    /// A webhook endpoint failed for too long and takes no more deliveries.
    #[serde(rename = "webhook.disabled")]
    WebhookDisabled {
        /// The endpoint's owner; none for an operator's endpoint.
        customer: Option<CustomerId>,
        /// The endpoint's id.
        endpoint_id: i64,
        /// Its URL.
        url: String,
        /// The last error.
        last_error: String,
    },
}

impl Notice {
    /// Every event type, as webhooks name them.
    pub const TYPES: [&'static str; 13] = [
        "number.connected",
        "number.provisioning_failed",
        "account.suspended",
        "account.resumed",
        "payment.credited",
        "sms.received",
        "waitlist.restocked",
        "document.reviewed",
        "trial.ended",
        "webhook.disabled",
        "number.sms_received",
        "recording.delivered",
        "recording.cancelled",
    ];

    /// The event type (`number.connected`, …).
    #[must_use]
    pub const fn type_name(&self) -> &'static str {
        match self {
            Self::NumberConnected { .. } => Self::TYPES[0],
            Self::ProvisioningFailed { .. } => Self::TYPES[1],
            Self::AccountSuspended { .. } => Self::TYPES[2],
            Self::AccountResumed { .. } => Self::TYPES[3],
            Self::PaymentCredited { .. } => Self::TYPES[4],
            Self::SmsReceived { .. } => Self::TYPES[5],
            Self::WaitlistRestocked { .. } => Self::TYPES[6],
            Self::DocumentReviewed { .. } => Self::TYPES[7],
            Self::TrialEnded { .. } => Self::TYPES[8],
            Self::WebhookDisabled { .. } => Self::TYPES[9],
            Self::NumberSmsReceived { .. } => Self::TYPES[10],
            Self::RecordingDelivered { .. } => Self::TYPES[11],
            Self::RecordingCancelled { .. } => Self::TYPES[12],
        }
    }

    /// The customer it concerns, if any.
    #[must_use]
    pub const fn customer(&self) -> Option<CustomerId> {
        match self {
            Self::NumberConnected { customer, .. }
            | Self::ProvisioningFailed { customer, .. }
            | Self::AccountSuspended { customer, .. }
            | Self::AccountResumed { customer, .. }
            | Self::PaymentCredited { customer, .. }
            | Self::SmsReceived { customer, .. }
            | Self::NumberSmsReceived { customer, .. }
            | Self::RecordingDelivered { customer, .. }
            | Self::RecordingCancelled { customer, .. }
            | Self::WaitlistRestocked { customer, .. }
            | Self::DocumentReviewed { customer, .. }
            | Self::TrialEnded { customer, .. } => Some(*customer),
            Self::WebhookDisabled { customer, .. } => *customer,
        }
    }

    /// The notice's data alone, as JSON (the webhook body's `data`).
    #[must_use]
    pub fn data(&self) -> serde_json::Value {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut fields)) => {
                fields.remove("data").unwrap_or(serde_json::Value::Null)
            }
            _ => serde_json::Value::Null,
        }
    }
}

/// One event of the outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Its id, the same on every delivery.
    pub id: EventId,
    /// When the change it reports was committed (the unit of work's clock).
    pub created_at: DateTime<Utc>,
    /// Where the email about it goes, if one does: the customer's address when it was
    /// written.
    pub email: Option<String>,
    /// What happened.
    pub notice: Notice,
}

/// An event the outbox holds, with its delivery state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxEntry {
    /// The event.
    pub event: Event,
    /// Delivery attempts begun so far (this one included, for a claimed entry).
    pub attempts: u32,
    /// When it was delivered, if it was.
    pub delivered_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
}

/// How an attempt to deliver an outbox entry ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settlement {
    /// Delivered: email sent and webhook deliveries queued.
    Delivered {
        /// When.
        at: DateTime<Utc>,
    },
    /// Failed; tried again at `retry_at`.
    Retry {
        /// When to try again.
        retry_at: DateTime<Utc>,
        /// What failed.
        error: String,
    },
}

/// A webhook endpoint's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WebhookId(pub i64);

impl std::fmt::Display for WebhookId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An endpoint that receives events by signed HTTP POST.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookEndpoint {
    /// Its id (ignored on insert).
    pub id: WebhookId,
    /// The customer whose events it receives; none for an operator's, which receives
    /// every customer's.
    pub owner: Option<CustomerId>,
    /// Where deliveries are posted.
    pub url: String,
    /// The event types it wants; empty for all.
    pub event_types: Vec<String>,
    /// The signing secret.
    pub secret: String,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// Since when its deliveries fail without a success in between, if they do.
    pub failing_since: Option<DateTime<Utc>>,
    /// When it was disabled for failing too long, if it was.
    pub disabled_at: Option<DateTime<Utc>>,
}

impl WebhookEndpoint {
    /// Whether it wants `event`: its owner's (or any, for an operator's) and of a type it
    /// asked for.
    #[must_use]
    pub fn wants(&self, event: &Event) -> bool {
        let owner = self.owner.is_none() || self.owner == event.notice.customer();
        let kind = self.event_types.is_empty()
            || self
                .event_types
                .iter()
                .any(|t| t == event.notice.type_name());
        owner && kind && self.disabled_at.is_none()
    }
}

/// Where a webhook delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Not delivered yet; tried again at its next attempt.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Retries ran out, or the endpoint was disabled or deleted.
    Failed,
}

impl DeliveryStatus {
    /// Its name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    /// The status named `name`.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "pending" => Some(Self::Pending),
            "delivered" => Some(Self::Delivered),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// One event's delivery to one endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookDelivery {
    /// Its id (ignored on insert).
    pub id: i64,
    /// The endpoint.
    pub endpoint: WebhookId,
    /// The event.
    pub event: Event,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts begun so far.
    pub attempts: u32,
    /// When it is tried next, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The HTTP status of the last answer, if there was one.
    pub last_status: Option<u16>,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// When it was delivered, if it was.
    pub delivered_at: Option<DateTime<Utc>>,
}
