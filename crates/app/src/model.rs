//! The records the use cases keep in storage.
//!
//! These are the aggregates as the application layer sees them: domain values from the pure
//! crates plus the ids and bookkeeping fields that storage needs. Adapters map them to their
//! own shapes (tables, JSON) and back; nothing here names a database.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use vnum_compliance::EndUser;
use vnum_core::{
    ApiKeyId, CountryCode, Currency, CustomerId, LedgerEntryId, Money, NumberId, OfferId, OrderId,
    Period, PhoneNumber, PrepaidTerm, RuleId,
};
use vnum_lifecycle::NumberState;

mod events;
mod payments;
mod recordings;
mod sms;
mod trials;

pub use events::{
    Amount, DeliveryStatus, Event, EventId, Notice, OutboxEntry, Settlement, WebhookDelivery,
    WebhookEndpoint, WebhookId,
};
pub use payments::{NewPayment, PaymentRecord};
pub use recordings::RecordingOrderRecord;
pub use sms::{NumberSms, ReceivedSms, SmsAllocationRecord, SmsDelivery};
pub use trials::TrialRecord;

/// Whether a customer is a person or a company (R12).
pub use vnum_accounts::CustomerKind;

/// A customer with one prepaid balance in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// The id.
    pub id: CustomerId,
    /// The person's full name or the company's name.
    pub name: String,
    /// Where notifications go.
    pub email: String,
    /// Person or company.
    pub kind: CustomerKind,
    /// The currency of the balance and of every price quoted to this customer.
    pub currency: Currency,
    /// When the customer registered.
    pub registered_at: DateTime<Utc>,
}

/// A customer about to be stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCustomer {
    /// The person's full name or the company's name.
    pub name: String,
    /// Where notifications go.
    pub email: String,
    /// Person or company.
    pub kind: CustomerKind,
    /// The currency of the balance.
    pub currency: Currency,
    /// When the customer registered.
    pub registered_at: DateTime<Utc>,
}

/// What a ledger entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// Money paid in by the customer (card, top-up).
    TopUp,
    /// Money paid in by bank transfer under a contract (R12.1).
    BankTransfer,
    /// A fee: setup, a monthly period, a prepaid term, an add-on, a service.
    Charge,
    /// Money given back (an unused one-shot SMS allocation, R9.D1).
    Refund,
    /// A correction by an operator.
    Adjustment,
}

/// One movement of a customer's balance. The balance is the sum of the entries (R10).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// The id.
    pub id: LedgerEntryId,
    /// Whose balance moved.
    pub customer: CustomerId,
    /// What kind of movement.
    pub kind: EntryKind,
    /// Signed: positive credits the balance, negative debits it.
    pub amount: Money,
    /// The number a charge is for.
    pub number: Option<NumberId>,
    /// The period a charge pays for; at most one charge per (number, period start).
    pub period: Option<Period>,
    /// The rule that made the movement, so support can explain it.
    pub rule: Option<RuleId>,
    /// A caller's idempotency key or a bank reference; unique per customer.
    pub reference: Option<String>,
    /// A line a customer can read.
    pub description: String,
    /// When it happened.
    pub at: DateTime<Utc>,
}

/// A ledger entry about to be stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewLedgerEntry {
    /// Whose balance moves.
    pub customer: CustomerId,
    /// What kind of movement.
    pub kind: EntryKind,
    /// Signed amount, in the customer's currency.
    pub amount: Money,
    /// The number a charge is for.
    pub number: Option<NumberId>,
    /// The period a charge pays for.
    pub period: Option<Period>,
    /// The rule that made the movement.
    pub rule: Option<RuleId>,
    /// A caller's idempotency key or a bank reference; unique per customer.
    pub reference: Option<String>,
    /// A line a customer can read.
    pub description: String,
    /// When it happens.
    pub at: DateTime<Utc>,
}

impl NewLedgerEntry {
    /// A purchase paid in advance: `price` taken from the balance as a charge under `rule`,
    /// for no number and no period until the caller says otherwise.
    #[must_use]
    pub fn purchase(
        customer: CustomerId,
        price: Money,
        rule: RuleId,
        description: String,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            customer,
            kind: EntryKind::Charge,
            amount: -price,
            number: None,
            period: None,
            rule: Some(rule),
            reference: None,
            description,
            at,
        }
    }

    /// The entry as stored under `id`.
    #[must_use]
    pub fn stored_as(self, id: LedgerEntryId) -> LedgerEntry {
        LedgerEntry {
            id,
            customer: self.customer,
            kind: self.kind,
            amount: self.amount,
            number: self.number,
            period: self.period,
            rule: self.rule,
            reference: self.reference,
            description: self.description,
            at: self.at,
        }
    }
}

/// The billing state of a rented number: all the renewal run needs, set-based.
///
/// The number is charged on its connection day every month (R10.2); `paid_through` is the
/// first day not yet paid for, so a number is due on day `d` exactly when its anchor day
/// falls on `d` and `paid_through <= d`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Billing {
    /// The day of the month of the connection, 1 to 31, in the billing time zone (R10.2).
    pub anchor_day: vnum_billing::ConnectionDay,
    /// The day of the connection, in the billing time zone.
    pub connected_on: NaiveDate,
    /// The first day not yet paid for.
    pub paid_through: NaiveDate,
    /// What each month costs: the offer's monthly fee plus active add-ons.
    pub monthly_fee: Money,
    /// The local day the customer set the number not to renew, while it does not renew
    /// (R10.7): it is not charged on a charge day after this day, and it is released at the
    /// end of its paid period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_stopped_on: Option<NaiveDate>,
}

/// A number rented by a customer, from order to deletion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NumberRecord {
    /// The id.
    pub id: NumberId,
    /// The renter.
    pub customer: CustomerId,
    /// The offer it was bought under.
    pub offer: OfferId,
    /// The country.
    pub country: CountryCode,
    /// Where it stands: ordered, awaiting documents, provisioning, active or deleted. The
    /// concrete number is known once connected (R1.2).
    pub state: NumberState,
    /// The concrete number picked in a manual order (R1.3).
    pub wanted: Option<PhoneNumber>,
    /// The prepaid term of the first payment (R10.1, R11.1).
    pub first_term: PrepaidTerm,
    /// Who uses the number, for the carrier's document requirement (R3.1).
    pub end_user: EndUser,
    /// Billing, once connected.
    pub billing: Option<Billing>,
    /// Forwarding, greeting and add-ons.
    pub settings: NumberSettings,
    /// What its first term cost, its share of the order that paid it (R1.4, R11): the first
    /// period of its renewal history. Absent for numbers ordered before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_charge: Option<FirstCharge>,
    /// Bumped on every update; storage refuses a stale update.
    pub version: i64,
}

/// A number's share of the order charge that paid its first term (R1.4, R10.1, R11): the
/// order is one ledger entry for all its numbers, so each number keeps what it paid of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstCharge {
    /// The order's ledger entry.
    pub entry: LedgerEntryId,
    /// This number's share of its order line, rounded to the minor unit: the first term
    /// after discounts, with the setup fee.
    pub amount: Money,
    /// The setup fee included in `amount`, never discounted (R11.D1).
    pub setup_fee: Money,
    /// The discounts taken off this number's share, each with its rule.
    pub discounts: Vec<PeriodDiscount>,
    /// When the order was charged.
    pub at: DateTime<Utc>,
}

/// One discount taken off a charged period (R11.1, R11.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodDiscount {
    /// The rule that grants it.
    pub rule: RuleId,
    /// The configured percentage, 0 to 100.
    pub percent: vnum_core::Decimal,
    /// The amount taken off this number's period, rounded to the minor unit.
    pub amount: Money,
}

/// One charged period of a number, in its renewal history (R10.2, R11.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RenewedPeriod {
    /// The days paid for: from the start, up to the end (exclusive).
    pub period: Period,
    /// What the period cost the customer (the first term: its share of the order, with the
    /// setup fee).
    pub amount: Money,
    /// The setup fee included in `amount`, on the first period only.
    pub setup_fee: Option<Money>,
    /// The discounts taken off, each with its rule.
    pub discounts: Vec<PeriodDiscount>,
    /// The rule that charged it: R10.2 for a monthly renewal, R11.1 for a prepaid term of
    /// several months paid with the order, R1.4 for a first month paid with the order.
    pub rule: RuleId,
    /// The ledger entry that took the money.
    pub entry: LedgerEntryId,
    /// When it was charged.
    pub charged_at: DateTime<Utc>,
}

impl NumberRecord {
    /// The concrete number, once connected (and after deletion, if it was connected).
    #[must_use]
    pub fn e164(&self) -> Option<&PhoneNumber> {
        match &self.state {
            NumberState::Active { number, .. } => Some(number),
            NumberState::Deleted { number, .. } => number.as_ref(),
            _ => None,
        }
    }

    /// The day the number was deleted, in the billing time zone (R10.7).
    #[must_use]
    pub fn deleted_on(&self) -> Option<NaiveDate> {
        match self.state {
            NumberState::Deleted { deleted_on, .. } => Some(deleted_on),
            _ => None,
        }
    }

    /// True unless deleted.
    #[must_use]
    pub fn is_live(&self) -> bool {
        self.deleted_on().is_none()
    }

    /// Whether the number renews on its charge days: false once the customer set it not to
    /// renew (R10.7).
    #[must_use]
    pub fn renews(&self) -> bool {
        self.billing
            .as_ref()
            .is_none_or(|b| b.renewal_stopped_on.is_none())
    }

    /// What the due rule reads of this number, once connected (R10.2, R10.7).
    #[must_use]
    pub fn due_number(&self) -> Option<vnum_billing::DueNumber> {
        let billing = self.billing.as_ref()?;
        Some(vnum_billing::DueNumber {
            connection_day: billing.anchor_day,
            paid_through: billing.paid_through,
            deleted_on: self.deleted_on(),
            stopped_on: billing.renewal_stopped_on,
        })
    }
}

/// What the customer set for a number (R5.3: forwarding is configured per number).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberSettings {
    /// The CallerID add-on is active (R6.2).
    pub caller_id: bool,
    /// While the add-on is off: the first day it was not paid for (R6.D1). Turned off, it
    /// stays paid up to here, and turning it on again charges only what is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller_id_paid_through: Option<NaiveDate>,
    /// Where inbound calls go (R4.4, R5.2, R5.3); none until the customer saves a plan.
    pub forwarding: Option<vnum_calls::ForwardingPlan>,
    /// Uploaded greetings, the selected one and whether it plays (R13.1).
    pub greetings: vnum_calls::GreetingSettings,
}

/// A SIP account as stored: the account (with its digest HA1 only, R5.1) and the number it
/// presents as CallerID on outgoing calls, if any (R6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SipAccountRecord {
    /// The id.
    pub id: vnum_core::SipAccountId,
    /// The account.
    pub account: vnum_calls::SipAccount,
    /// The rented number outgoing calls present, when the CallerID add-on allows (R6.3).
    pub presents: Option<NumberId>,
}

/// One renewal batch: up to `limit` of the numbers due on `day` by the billing crate's due
/// rule ([`vnum_billing::RenewalDay`]), each charged its monthly fee for the period that
/// starts on the day (R10.2, R10.7, R10.D1).
///
/// The rule comes with the batch: the in-memory store calls its predicate
/// ([`vnum_billing::RenewalDay::charge`]); a SQL store selects by its data
/// ([`vnum_billing::RenewalDay::anchors`]). Neither decides anything else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenewalBatch {
    /// The day being charged, with its due rule.
    pub day: vnum_billing::RenewalDay,
    /// At most this many numbers; the run repeats the batch until fewer match.
    pub limit: u64,
    /// When the charges are booked.
    pub at: DateTime<Utc>,
}

/// What one renewal batch did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewalBatchOutcome {
    /// Numbers the batch selected; fewer than `limit` means the day is done.
    pub matched: u64,
    /// Numbers charged.
    pub charged: u64,
    /// Customers whose balance went below zero with this batch (R10.3, R10.4).
    pub newly_negative: Vec<CustomerId>,
}

/// Who is calling: an operator of the provider, one customer, or the SIP engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "role", content = "customer")]
pub enum Principal {
    /// Staff of the provider: reviews documents, connects numbers, restocks, runs renewals.
    Operator,
    /// A customer, who sees and changes only its own resources.
    Customer(CustomerId),
    /// The SIP engine (or the SMS gateway): asks for routes, HA1s and CallerIDs and reports
    /// calls, and may do nothing else. Its key lives on the engine's host, so that a key
    /// read there opens no customer's data and no operator's operation.
    Engine,
}

/// A stored API key: only the SHA-256 of the token is kept, never the token.
///
/// A key works from its creation until it is revoked or its expiry passes, whichever comes
/// first ([`ApiKey::works_at`]); a revoked or expired key is kept, so that its owner still
/// sees what it was and when it stopped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    /// The id; a store assigns it on insert, whatever it was.
    pub id: ApiKeyId,
    /// Lower-case hex SHA-256 of the bearer token.
    pub token_sha256: String,
    /// Whom the key authenticates.
    pub principal: Principal,
    /// A name for people ("demo customer", "ops laptop").
    pub name: String,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it stops working by itself, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiKey {
    /// Whether the key opens the API at `now`: not revoked, and not past its expiry (a key
    /// expiring at `t` works until just before `t`).
    #[must_use]
    pub fn works_at(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|expiry| now < expiry)
    }
}

/// Whether a number the provider holds can be handed out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockState {
    /// Free: can be offered in a manual order (R1.3), lent for a trial (R8.1) or used for
    /// one-shot SMS (R9).
    Available,
    /// Lent for a free one-hour test (R8.1).
    OnTrial,
    /// Rented by a customer.
    Taken,
}

/// A concrete number the provider holds for an offer (R1.3, R7, R8, R9).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockNumber {
    /// The number.
    pub e164: PhoneNumber,
    /// The offer it is sold under.
    pub offer: OfferId,
    /// Whether it can be handed out.
    pub state: StockState,
}

/// How one line of an order chose its numbers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderChoice {
    /// The carrier picks the numbers in the country (and city) of the offer (R1.2).
    Automatic,
    /// The customer picked this number from the offer's list (R1.3).
    Manual(PhoneNumber),
}

/// One line of a placed order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLineRecord {
    /// The offer.
    pub offer: OfferId,
    /// How many numbers.
    pub quantity: u32,
    /// Paid in advance.
    pub term: PrepaidTerm,
    /// Automatic or manual.
    pub choice: OrderChoice,
    /// What the line cost, after discounts, exact (the order's total is rounded once).
    pub total: Money,
}

/// A placed, paid order (R1.1, R1.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRecord {
    /// The id.
    pub id: OrderId,
    /// Who ordered.
    pub customer: CustomerId,
    /// When.
    pub placed_at: DateTime<Utc>,
    /// The lines.
    pub lines: Vec<OrderLineRecord>,
    /// What was charged: the quote's total, rounded once (R11.D1).
    pub total: Money,
    /// The numbers the order created, in line order.
    pub numbers: Vec<NumberId>,
    /// The caller's idempotency key, when it sent one: the same key again buys nothing
    /// more (R1.D3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
}

mod companies;

pub use companies::{ContractRecord, NewContract};

/// Where a page of a list starts and how long it is (keyset pagination): the items after
/// the one whose cursor is `after` (from the first without one), at most `limit` of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// The cursor of the last item of the previous page.
    pub after: Option<i64>,
    /// How many items at most, from 1 to [`PageRequest::MAX_LIMIT`].
    pub limit: u32,
}

impl PageRequest {
    /// The longest page a store is asked for.
    pub const MAX_LIMIT: u32 = 500;

    /// The first page of `limit` items (held to 1..=[`PageRequest::MAX_LIMIT`]).
    #[must_use]
    pub fn first(limit: u32) -> Self {
        Self {
            after: None,
            limit: limit.clamp(1, Self::MAX_LIMIT),
        }
    }

    /// The page after the item whose cursor is `after`.
    #[must_use]
    pub fn after(self, after: i64) -> Self {
        Self {
            after: Some(after),
            ..self
        }
    }

    /// How many rows a store reads for this page: one more than the page holds, so that
    /// it knows whether another page follows.
    #[must_use]
    pub fn rows(self) -> u64 {
        u64::from(self.limit.clamp(1, Self::MAX_LIMIT)) + 1
    }
}

/// One page of a list, in the list's order, and the cursor of the next page when more
/// items follow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Where the next page starts: the cursor of the last item, when more follow.
    pub next: Option<i64>,
}

impl<T> Page<T> {
    /// The page of `rows`, read with [`PageRequest::rows`]: at most `page.limit` of them,
    /// and the cursor (`key`) of the last when more were read.
    #[must_use]
    pub fn of_rows(mut rows: Vec<T>, page: PageRequest, key: impl Fn(&T) -> i64) -> Self {
        let limit = usize::try_from(page.limit.clamp(1, PageRequest::MAX_LIMIT)).unwrap_or(1);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = if more { rows.last().map(key) } else { None };
        Self { items: rows, next }
    }

    /// The same page with each item changed by `f`.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}
