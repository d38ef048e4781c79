//! Storage: repositories behind a unit of work.
//!
//! A use case calls [`Store::begin`], works through the returned [`Transaction`] and calls
//! [`Transaction::commit`]; dropping a transaction without committing rolls everything back.
//! A SQL adapter maps one transaction to one database transaction; the in-memory adapter
//! applies all or nothing as well. The invariants that must hold under concurrency (one
//! charge per number and period, unique idempotency keys, …) are enforced by the store as
//! [`StoreError::Conflict`], whatever the use case checked before.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use vnum_core::{ApiKeyId, CustomerId, Money, NumberId, OfferId, PhoneNumber};
use vnum_lifecycle::{Offer, OfferTerms};

pub use super::calls::{CallLog, CallRecords, owner_of_line};
pub use super::calls::{RecordingOrders, SipAccounts};
pub use super::companies::{ClosingDocumentNumbers, Contracts};
pub use super::sales::{Agreements, Documents, Orders};
use crate::model::{
    ApiKey, Customer, LedgerEntry, NewCustomer, NewLedgerEntry, NumberRecord, RenewalBatch,
    RenewalBatchOutcome, StockNumber, StockState,
};

pub use super::events::{Outbox, Webhooks};
pub use super::holds::Holds;
pub use super::payments::Payments;
pub use super::rates::Rates;
pub use super::sms::{NumberMessages, SmsAllocations};
pub use super::trials::Trials;
pub use super::waitlist::Waitlists;

/// What a store can fail with. Use cases turn these into their own errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// An invariant refused the write.
    #[error("conflict: {what}")]
    Conflict {
        /// The invariant that refused the write.
        what: Invariant,
    },
    /// A record to update is not there, or was changed by someone else since it was read.
    #[error("{what} {id} was not found or was changed concurrently")]
    Stale {
        /// The kind of record.
        what: &'static str,
        /// Its id.
        id: i64,
    },
    /// The store could not be reached or failed; the operation may be retried.
    #[error("storage is unavailable: {0}")]
    Unavailable(String),
    /// Stored data could not be read back as a valid value.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The movement would take the balance past what can be stored,
    /// ±[`vnum_core::Money::MAX_MINOR_UNITS`] minor units (R10.D6); nothing moved.
    #[error("the balance of customer {customer} would leave the storable range")]
    BalanceLimit {
        /// The customer.
        customer: i64,
    },
}

impl StoreError {
    /// A webhook endpoint that is not there (deleted, or another owner's).
    #[must_use]
    pub fn stale_webhook(id: crate::model::WebhookId) -> Self {
        Self::Stale {
            what: "webhook",
            id: id.0,
        }
    }

    /// A webhook delivery that is not there.
    #[must_use]
    pub fn stale_delivery(id: i64) -> Self {
        Self::Stale {
            what: "webhook delivery",
            id,
        }
    }
}

/// What [`Ledger::debit`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Debit {
    /// The balance covered the amount: the entry is booked.
    Taken(LedgerEntry),
    /// The balance did not cover the amount; nothing moved.
    Short {
        /// The balance as it was.
        balance: Money,
    },
}

/// An invariant the store keeps under concurrency, whatever the use case checked before: a
/// write that would break it is refused as [`StoreError::Conflict`]. A SQL store enforces
/// each with a unique index of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Invariant {
    /// One customer per email address, ignoring case.
    CustomerEmail,
    /// One ledger entry per customer and reference: an idempotency key credits or debits once.
    LedgerReference,
    /// One charge per number and period start (R10.D4).
    LedgerChargePeriod,
    /// One live rental per concrete number.
    NumberE164,
    /// One key per token hash.
    ApiKey,
    /// One stock entry per concrete number.
    StockE164,
    /// One SIP account per login (R5.1).
    SipLogin,
    /// One call record per engine reference (its Call-ID).
    CallReference,
    /// One bulk agreement per customer (R11.2).
    AgreementCustomer,
    /// One active contract per customer (R12.1).
    ContractActive,
    /// One contract per customer and version.
    ContractVersion,
    /// One trial per id.
    TrialId,
    /// One running free test per customer (R8.D1).
    TrialActive,
    /// One allocation per number and service, ever (R9.2).
    SmsAllocation,
    /// One waiting allocation per number (R9.1).
    SmsNumberBusy,
    /// One waitlist per country.
    WaitlistCountry,
    /// A waitlist entry is closed once.
    WaitlistEntryClosed,
    /// One payment per customer and idempotency key (R1.D1).
    PaymentKey,
    /// One payment settled per provider event (R1.D1).
    PaymentEvent,
    /// One rate per prefix, currency and effective instant (R6.D2).
    RateEffective,
    /// A unit of work commits only over the state it read (the in-memory store's serializability).
    ConcurrentTransaction,
    /// One outbox event per id.
    EventId,
    /// One hold per number: a live hold keeps it from every other pick (R1.3).
    HoldNumber,
}

impl Invariant {
    /// Every invariant.
    pub const ALL: [Self; 23] = [
        Self::CustomerEmail,
        Self::LedgerReference,
        Self::LedgerChargePeriod,
        Self::NumberE164,
        Self::ApiKey,
        Self::StockE164,
        Self::SipLogin,
        Self::CallReference,
        Self::AgreementCustomer,
        Self::ContractActive,
        Self::ContractVersion,
        Self::TrialId,
        Self::TrialActive,
        Self::SmsAllocation,
        Self::SmsNumberBusy,
        Self::WaitlistCountry,
        Self::WaitlistEntryClosed,
        Self::PaymentKey,
        Self::PaymentEvent,
        Self::RateEffective,
        Self::ConcurrentTransaction,
        Self::EventId,
        Self::HoldNumber,
    ];

    /// Its name: the unique index that enforces it in a SQL store.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::CustomerEmail => "customer_email",
            Self::LedgerReference => "ledger_reference",
            Self::LedgerChargePeriod => "ledger_charge_period",
            Self::NumberE164 => "number_e164",
            Self::ApiKey => "api_key",
            Self::StockE164 => "stock_e164",
            Self::SipLogin => "sip_login",
            Self::CallReference => "call_reference",
            Self::AgreementCustomer => "agreement_customer",
            Self::ContractActive => "contract_active",
            Self::ContractVersion => "contract_version",
            Self::TrialId => "trial_id",
            Self::TrialActive => "trial_active",
            Self::SmsAllocation => "sms_allocation",
            Self::SmsNumberBusy => "sms_number_busy",
            Self::WaitlistCountry => "waitlist_country",
            Self::WaitlistEntryClosed => "waitlist_entry_closed",
            Self::PaymentKey => "payment_key",
            Self::PaymentEvent => "payment_event",
            Self::RateEffective => "rate_effective",
            Self::ConcurrentTransaction => "concurrent_transaction",
            Self::EventId => "outbox_event",
            Self::HoldNumber => "hold_number",
        }
    }
}

impl std::fmt::Display for Invariant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Starts units of work.
#[async_trait]
pub trait Store: Send + Sync {
    /// Begins a unit of work.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store cannot be reached.
    async fn begin(&self) -> Result<Box<dyn Transaction + '_>, StoreError>;

    /// Begins a unit of work that only reads. An adapter may run it without a database
    /// transaction (each read then sees the latest committed data); a use case never writes
    /// through it. By default it is [`Store::begin`].
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store cannot be reached.
    async fn read(&self) -> Result<Box<dyn Transaction + '_>, StoreError> {
        self.begin().await
    }

    /// Begins a unit of work that records calls and nothing else. By default it is
    /// [`Store::begin`], narrowed; a store with a read cache keeps the cache across it.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store cannot be reached.
    async fn call_log(&self) -> Result<CallLog<'_>, StoreError> {
        Ok(CallLog::new(self.begin().await?))
    }
}

/// One unit of work: every repository, and commit.
#[async_trait]
pub trait Transaction:
    ApiKeys
    + Agreements
    + CallRecords
    + Catalogue
    + ClosingDocumentNumbers
    + Contracts
    + Customers
    + Documents
    + Holds
    + Ledger
    + NumberMessages
    + Numbers
    + Orders
    + Outbox
    + Payments
    + Rates
    + RecordingOrders
    + Renewals
    + SipAccounts
    + SmsAllocations
    + Trials
    + Waitlists
    + Webhooks
    + Send
{
    /// Makes every change of this unit of work durable, or none of them.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when a concurrent unit of work broke an invariant first;
    /// [`StoreError::Unavailable`] when the store failed (nothing was committed).
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// Customers and their balances.
#[async_trait]
pub trait Customers: Send {
    /// Stores a new customer with a zero balance in its currency.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] ([`Invariant::CustomerEmail`]) when the email is taken.
    async fn insert_customer(&mut self, customer: NewCustomer) -> Result<Customer, StoreError>;

    /// The customer with this id, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn customer(&mut self, id: CustomerId) -> Result<Option<Customer>, StoreError>;
}

/// The ledger: every movement of every balance.
#[async_trait]
pub trait Ledger: Send {
    /// Appends an entry and moves the customer's balance by its amount, atomically. The
    /// balance may go below zero (a renewal charge, R10.3).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] with [`Invariant::LedgerReference`] when the customer already
    /// has an entry with the same reference, or [`Invariant::LedgerChargePeriod`] when the
    /// number already has a charge for a period with the same start;
    /// [`StoreError::BalanceLimit`] when the balance would leave ±[`Money::MAX_MINOR_UNITS`]
    /// minor units. Nothing moves on an error, and the unit of work stays usable.
    async fn append(&mut self, entry: NewLedgerEntry) -> Result<LedgerEntry, StoreError>;

    /// Appends a debit (a negative entry) only when the balance covers it: the check and the
    /// movement are one atomic step, so concurrent purchases never take a balance below
    /// zero (R1.4, R1.D2). A SQL store makes it one conditional update of the balance row.
    ///
    /// # Errors
    /// As [`Ledger::append`]; a balance too small is [`Debit::Short`], not an error.
    async fn debit(&mut self, entry: NewLedgerEntry) -> Result<Debit, StoreError>;

    /// The balance: the sum of the customer's entries.
    ///
    /// # Errors
    /// [`StoreError::Stale`] when the customer does not exist.
    async fn balance(&mut self, customer: CustomerId) -> Result<Money, StoreError>;

    /// The customer's entry with this reference, if any (idempotent top-ups).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn entry_by_reference(
        &mut self,
        customer: CustomerId,
        reference: &str,
    ) -> Result<Option<LedgerEntry>, StoreError>;

    /// The customer's entries with `from <= at < to`, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn entries(
        &mut self,
        customer: CustomerId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<LedgerEntry>, StoreError>;

    /// One page of the customer's entries with `from <= at < to`, oldest first (by `at`,
    /// then id), the cursor being the id of the last entry of the previous page: a keyset
    /// read of at most `page.rows()` rows, whatever the length of the ledger. An unknown
    /// cursor gives an empty page.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn entries_page(
        &mut self,
        customer: CustomerId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        page: crate::model::PageRequest,
    ) -> Result<crate::model::Page<LedgerEntry>, StoreError>;

    /// The charges of one number for a period (its monthly renewals, R10.2), by id: the
    /// entries of kind charge that name the number and a period. A number's renewal history
    /// is read from them.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn period_charges(&mut self, number: NumberId) -> Result<Vec<LedgerEntry>, StoreError>;
}

/// Rented numbers.
#[async_trait]
pub trait Numbers: Send {
    /// Stores a new number; `id` and `version` of the argument are ignored.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`"number_e164"`) when the concrete number is rented by a
    /// number that is not deleted.
    async fn insert_number(&mut self, number: NumberRecord) -> Result<NumberRecord, StoreError>;

    /// The number with this id, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn number(&mut self, id: NumberId) -> Result<Option<NumberRecord>, StoreError>;

    /// The live (not deleted) number rented as `e164`, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn number_by_e164(
        &mut self,
        e164: &PhoneNumber,
    ) -> Result<Option<NumberRecord>, StoreError>;

    /// The customer's numbers, deleted ones included, by id.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn numbers_of(&mut self, customer: CustomerId) -> Result<Vec<NumberRecord>, StoreError>;

    /// Replaces a number whose stored `version` equals the argument's, and bumps it.
    ///
    /// # Errors
    /// [`StoreError::Stale`] when the number is missing or its version moved on;
    /// [`StoreError::Conflict`] (`"number_e164"`) as for insert.
    async fn update_number(&mut self, number: NumberRecord) -> Result<NumberRecord, StoreError>;
}

/// The daily renewal run, set-based (R10.2, R10.D4).
#[async_trait]
pub trait Renewals: Send {
    /// Charges every number the batch selects, at most `limit` of them: appends one charge
    /// per number for `[charge_day, period_end)`, moves `paid_through` to `period_end`,
    /// and moves each customer's balance, possibly below zero (R10.3).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`]; a charge that already exists is skipped, never doubled.
    async fn charge_due(&mut self, batch: &RenewalBatch)
    -> Result<RenewalBatchOutcome, StoreError>;

    /// The numbers whose paid period ended on the batch's day and that do not renew, by id,
    /// at most `limit` of them: those the billing crate's
    /// [`vnum_billing::RenewalDay::releases`] answers true for (not deleted, set not to
    /// renew before the day, paid through the day at most, R10.7). The run releases them,
    /// so asking again gives the next ones.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn numbers_ending(
        &mut self,
        batch: &RenewalBatch,
    ) -> Result<Vec<NumberRecord>, StoreError>;

    /// The last billing day whose renewal run completed, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn last_renewal_day(&mut self) -> Result<Option<NaiveDate>, StoreError>;

    /// Records that the run for `day` completed.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn set_last_renewal_day(&mut self, day: NaiveDate) -> Result<(), StoreError>;
}

/// API keys, by the hash of their token or by id.
#[async_trait]
pub trait ApiKeys: Send {
    /// Stores a key under a new id and returns it as stored.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] ([`Invariant::ApiKey`]) when the hash is stored already.
    async fn insert_api_key(&mut self, key: ApiKey) -> Result<ApiKey, StoreError>;

    /// The key whose token hashes to `token_sha256`, if any, revoked and expired ones
    /// included (the caller decides whether it works).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn api_key(&mut self, token_sha256: &str) -> Result<Option<ApiKey>, StoreError>;

    /// The key `id`, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn api_key_by_id(&mut self, id: ApiKeyId) -> Result<Option<ApiKey>, StoreError>;

    /// The keys of customer `customer`, or every key (operators', the engine's and all
    /// customers') for `None`; oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn api_keys(&mut self, customer: Option<CustomerId>) -> Result<Vec<ApiKey>, StoreError>;

    /// Marks key `id` revoked at `at`; a key revoked already keeps its first instant.
    ///
    /// # Errors
    /// [`StoreError::Stale`] when there is no key `id`; [`StoreError::Unavailable`].
    async fn revoke_api_key(&mut self, id: ApiKeyId, at: DateTime<Utc>) -> Result<(), StoreError>;
}

/// Offers and the concrete numbers held for them.
#[async_trait]
pub trait Catalogue: Send {
    /// Stores a new offer; the id of the terms is ignored and a new one assigned.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn insert_offer(&mut self, terms: OfferTerms) -> Result<Offer, StoreError>;

    /// Replaces an offer (same id).
    ///
    /// # Errors
    /// [`StoreError::Stale`] when there is no offer with its id.
    async fn update_offer(&mut self, offer: Offer) -> Result<(), StoreError>;

    /// The offer with this id, if any.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn offer(&mut self, id: OfferId) -> Result<Option<Offer>, StoreError>;

    /// Every offer, by id.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn offers(&mut self) -> Result<Vec<Offer>, StoreError>;

    /// Adds numbers to an offer's stock, available.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] (`"stock_e164"`) when a number is held already.
    async fn add_stock(
        &mut self,
        offer: OfferId,
        numbers: &[PhoneNumber],
    ) -> Result<(), StoreError>;

    /// The numbers held for an offer, by number.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn stock(&mut self, offer: OfferId) -> Result<Vec<StockNumber>, StoreError>;

    /// The stock entry of a number, if the provider holds it.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] or [`StoreError::Corrupt`].
    async fn stock_number(&mut self, e164: &PhoneNumber)
    -> Result<Option<StockNumber>, StoreError>;

    /// Moves a held number from state `from` to `to`.
    ///
    /// # Errors
    /// [`StoreError::Stale`] when the number is not held or not in state `from` (someone
    /// else took it first).
    async fn move_stock(
        &mut self,
        e164: &PhoneNumber,
        from: StockState,
        to: StockState,
    ) -> Result<(), StoreError>;
}
