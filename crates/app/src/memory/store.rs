//! An in-memory [`Store`]: all or nothing per unit of work, serializable by construction.
//!
//! A transaction works on a copy of the whole state and commit swaps it in if no other
//! transaction committed since it began; otherwise the commit fails with
//! `Conflict { what: Invariant::ConcurrentTransaction }` and nothing changes. Made for tests and
//! examples, not for size.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use vnum_core::{ApiKeyId, CustomerId, LedgerEntryId, Money, NumberId, OfferId, PhoneNumber};
use vnum_lifecycle::{Offer, OfferTerms};

use crate::model::{
    ApiKey, Customer, EntryKind, LedgerEntry, NewCustomer, NewLedgerEntry, NumberRecord, Principal,
    RenewalBatch, RenewalBatchOutcome, StockNumber, StockState,
};
use crate::ports::Invariant;
use crate::ports::store::{ApiKeys, Catalogue, Customers, Ledger, Numbers, Renewals};
use crate::ports::{Debit, Store, StoreError, Transaction};

#[derive(Clone, Debug, Default)]
pub(super) struct State {
    version: u64,
    next_id: i64,
    customers: BTreeMap<CustomerId, Customer>,
    balances: BTreeMap<CustomerId, Money>,
    ledger: Vec<LedgerEntry>,
    pub(super) numbers: BTreeMap<NumberId, NumberRecord>,
    last_renewal_day: Option<NaiveDate>,
    api_keys: BTreeMap<String, ApiKey>,
    /// API keys count apart, as their own table does in a SQL store.
    last_api_key_id: i64,
    offers: BTreeMap<OfferId, Offer>,
    stock: BTreeMap<PhoneNumber, StockNumber>,
    pub(super) documents: BTreeMap<vnum_core::DocumentId, vnum_compliance::Document>,
    pub(super) orders: BTreeMap<vnum_core::OrderId, crate::model::OrderRecord>,
    pub(super) agreements: BTreeMap<CustomerId, vnum_discounts::BulkAgreement>,
    pub(super) sip_accounts: BTreeMap<vnum_core::SipAccountId, crate::model::SipAccountRecord>,
    pub(super) trials: BTreeMap<vnum_core::TrialId, crate::model::TrialRecord>,
    pub(super) waitlists: BTreeMap<vnum_core::CountryCode, vnum_lifecycle::Waitlist>,
    pub(super) sms_allocations:
        BTreeMap<vnum_core::SmsAllocationId, crate::model::SmsAllocationRecord>,
    /// Professional recording orders, by id.
    pub(super) recording_orders: BTreeMap<i64, crate::model::RecordingOrderRecord>,
    /// The SMS rented numbers received, by id.
    pub(super) number_sms: BTreeMap<i64, crate::model::NumberSms>,
    pub(super) contracts: BTreeMap<vnum_core::ContractId, crate::model::ContractRecord>,
    pub(super) closing_numbers: BTreeMap<(CustomerId, vnum_core::Period), vnum_core::DocumentId>,
    pub(super) calls: BTreeMap<vnum_core::CallId, vnum_calls::CallRecord>,
    pub(super) call_references: BTreeMap<String, vnum_core::CallId>,
    pub(super) payments: BTreeMap<vnum_core::PaymentId, crate::model::PaymentRecord>,
    pub(super) rates: Vec<vnum_calls::Rate>,
    pub(super) outbox: Vec<super::events::OutboxRow>,
    pub(super) webhooks: BTreeMap<crate::model::WebhookId, crate::model::WebhookEndpoint>,
    pub(super) deliveries: Vec<super::events::DeliveryRow>,
    pub(super) holds: BTreeMap<PhoneNumber, vnum_lifecycle::Hold>,
}

impl State {
    pub(super) fn next_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }
}

#[derive(Debug, Default)]
struct Shared {
    state: State,
    /// Commits left before the store starts failing, for crash tests.
    commits_before_failure: Option<u64>,
}

/// The in-memory store. Cheap to clone: clones share the same data.
#[derive(Clone, Debug, Default)]
pub struct InMemoryStore {
    shared: Arc<Mutex<Shared>>,
}

impl InMemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Lets `commits` more units of work commit, then fails every commit with
    /// [`StoreError::Unavailable`] as a crashed database would, until [`Self::heal`].
    pub fn fail_after_commits(&self, commits: u64) {
        self.lock().commits_before_failure = Some(commits);
    }

    /// Lets commits succeed again.
    pub fn heal(&self) {
        self.lock().commits_before_failure = None;
    }

    /// Every ledger entry, oldest first: for tests that check the ledger against balances.
    #[must_use]
    pub fn all_entries(&self) -> Vec<LedgerEntry> {
        self.lock().state.ledger.clone()
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        // A poisoned lock only means another test thread panicked; the data is whole
        // because every change is swapped in at once.
        self.shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl Store for InMemoryStore {
    async fn begin(&self) -> Result<Box<dyn Transaction + '_>, StoreError> {
        let state = self.lock().state.clone();
        Ok(Box::new(InMemoryTransaction { store: self, state }))
    }
}

pub(super) struct InMemoryTransaction<'a> {
    store: &'a InMemoryStore,
    pub(super) state: State,
}

#[async_trait]
impl Transaction for InMemoryTransaction<'_> {
    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        let mut shared = self.store.lock();
        if let Some(left) = shared.commits_before_failure.as_mut() {
            if *left == 0 {
                return Err(StoreError::Unavailable("injected failure".into()));
            }
            *left -= 1;
        }
        if shared.state.version != self.state.version {
            return Err(StoreError::Conflict {
                what: Invariant::ConcurrentTransaction,
            });
        }
        let mut state = self.state;
        state.version += 1;
        shared.state = state;
        Ok(())
    }
}

#[async_trait]
impl Customers for InMemoryTransaction<'_> {
    async fn insert_customer(&mut self, new: NewCustomer) -> Result<Customer, StoreError> {
        if self
            .state
            .customers
            .values()
            .any(|c| c.email.eq_ignore_ascii_case(&new.email))
        {
            return Err(StoreError::Conflict {
                what: Invariant::CustomerEmail,
            });
        }
        let id = CustomerId(self.state.next_id());
        let customer = Customer {
            id,
            name: new.name,
            email: new.email,
            kind: new.kind,
            currency: new.currency,
            registered_at: new.registered_at,
        };
        self.state.balances.insert(id, Money::zero(new.currency));
        self.state.customers.insert(id, customer.clone());
        Ok(customer)
    }

    async fn customer(&mut self, id: CustomerId) -> Result<Option<Customer>, StoreError> {
        Ok(self.state.customers.get(&id).cloned())
    }
}

impl InMemoryTransaction<'_> {
    /// Books `new` when the balance stays at or above `floor` (in minor units) and within
    /// the storable range, checked in the order the SQL stores check: a missing customer,
    /// another currency, the balance, then a reference or a period taken.
    fn book(&mut self, new: NewLedgerEntry, floor: i64) -> Result<Debit, StoreError> {
        let balance = self
            .state
            .balances
            .get(&new.customer)
            .copied()
            .ok_or(StoreError::Stale {
                what: "customer",
                id: new.customer.get(),
            })?;
        let corrupt = |e: vnum_core::MoneyError| StoreError::Corrupt(e.to_string());
        let amount = match new.amount.to_minor_units() {
            // An amount past the bound would take any balance past it too (R10.D6).
            Err(vnum_core::MoneyError::OutOfBounds { .. }) => {
                return Err(StoreError::BalanceLimit {
                    customer: new.customer.get(),
                });
            }
            other => other.map_err(corrupt)?,
        };
        let before = balance.to_minor_units().map_err(corrupt)?;
        let moved = before.saturating_add(amount);
        if moved < floor {
            if floor == 0 {
                return Ok(Debit::Short { balance });
            }
            return Err(StoreError::BalanceLimit {
                customer: new.customer.get(),
            });
        }
        if moved > Money::MAX_MINOR_UNITS {
            return Err(StoreError::BalanceLimit {
                customer: new.customer.get(),
            });
        }
        if let Some(reference) = &new.reference {
            let taken =
                self.state.ledger.iter().any(|e| {
                    e.customer == new.customer && e.reference.as_deref() == Some(reference)
                });
            if taken {
                return Err(StoreError::Conflict {
                    what: Invariant::LedgerReference,
                });
            }
        }
        if let (EntryKind::Charge, Some(number), Some(period)) = (new.kind, new.number, new.period)
        {
            let charged = self.state.ledger.iter().any(|e| {
                e.kind == EntryKind::Charge
                    && e.number == Some(number)
                    && e.period.map(|p| p.start()) == Some(period.start())
            });
            if charged {
                return Err(StoreError::Conflict {
                    what: Invariant::LedgerChargePeriod,
                });
            }
        }
        let after = balance.checked_add(new.amount).map_err(corrupt)?;
        let entry = new.stored_as(LedgerEntryId(self.state.next_id()));
        self.state.balances.insert(entry.customer, after);
        self.state.ledger.push(entry.clone());
        Ok(Debit::Taken(entry))
    }

    fn append_entry(&mut self, new: NewLedgerEntry) -> Result<LedgerEntry, StoreError> {
        match self.book(new, -Money::MAX_MINOR_UNITS)? {
            Debit::Taken(entry) => Ok(entry),
            Debit::Short { .. } => Err(StoreError::Corrupt(
                "a movement without a floor was refused as short".into(),
            )),
        }
    }
}

#[async_trait]
impl Ledger for InMemoryTransaction<'_> {
    async fn append(&mut self, entry: NewLedgerEntry) -> Result<LedgerEntry, StoreError> {
        self.append_entry(entry)
    }

    async fn debit(&mut self, entry: NewLedgerEntry) -> Result<Debit, StoreError> {
        self.book(entry, 0)
    }

    async fn balance(&mut self, customer: CustomerId) -> Result<Money, StoreError> {
        self.state
            .balances
            .get(&customer)
            .copied()
            .ok_or(StoreError::Stale {
                what: "customer",
                id: customer.get(),
            })
    }

    async fn entry_by_reference(
        &mut self,
        customer: CustomerId,
        reference: &str,
    ) -> Result<Option<LedgerEntry>, StoreError> {
        Ok(self
            .state
            .ledger
            .iter()
            .find(|e| e.customer == customer && e.reference.as_deref() == Some(reference))
            .cloned())
    }

    async fn entries(
        &mut self,
        customer: CustomerId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        Ok(self
            .state
            .ledger
            .iter()
            .filter(|e| e.customer == customer && from <= e.at && e.at < to)
            .cloned()
            .collect())
    }

    async fn entries_page(
        &mut self,
        customer: CustomerId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        page: crate::model::PageRequest,
    ) -> Result<crate::model::Page<LedgerEntry>, StoreError> {
        let after = match page.after {
            Some(after) => match self
                .state
                .ledger
                .iter()
                .find(|e| e.id.get() == after && e.customer == customer)
            {
                Some(cursor) => Some((cursor.at, cursor.id)),
                None => return Ok(crate::model::Page::of_rows(Vec::new(), page, |_| 0)),
            },
            None => None,
        };
        let mut rows: Vec<LedgerEntry> = self
            .state
            .ledger
            .iter()
            .filter(|e| e.customer == customer && from <= e.at && e.at < to)
            .filter(|e| after.is_none_or(|after| (e.at, e.id) > after))
            .cloned()
            .collect();
        rows.sort_by_key(|e| (e.at, e.id));
        rows.truncate(usize::try_from(page.rows()).unwrap_or(usize::MAX));
        Ok(crate::model::Page::of_rows(rows, page, |e| e.id.get()))
    }

    async fn period_charges(&mut self, number: NumberId) -> Result<Vec<LedgerEntry>, StoreError> {
        Ok(self
            .state
            .ledger
            .iter()
            .filter(|e| {
                e.kind == EntryKind::Charge && e.number == Some(number) && e.period.is_some()
            })
            .cloned()
            .collect())
    }
}

impl InMemoryTransaction<'_> {
    fn e164_taken(&self, number: &NumberRecord) -> bool {
        number.is_live()
            && number.e164().is_some()
            && self.state.numbers.values().any(|other| {
                other.id != number.id && other.is_live() && other.e164() == number.e164()
            })
    }
}

#[async_trait]
impl Numbers for InMemoryTransaction<'_> {
    async fn insert_number(
        &mut self,
        mut number: NumberRecord,
    ) -> Result<NumberRecord, StoreError> {
        number.id = NumberId(self.state.next_id());
        number.version = 1;
        if self.e164_taken(&number) {
            return Err(StoreError::Conflict {
                what: Invariant::NumberE164,
            });
        }
        self.state.numbers.insert(number.id, number.clone());
        Ok(number)
    }

    async fn number(&mut self, id: NumberId) -> Result<Option<NumberRecord>, StoreError> {
        Ok(self.state.numbers.get(&id).cloned())
    }

    async fn number_by_e164(
        &mut self,
        e164: &PhoneNumber,
    ) -> Result<Option<NumberRecord>, StoreError> {
        Ok(self
            .state
            .numbers
            .values()
            .find(|n| n.is_live() && n.e164() == Some(e164))
            .cloned())
    }

    async fn numbers_of(&mut self, customer: CustomerId) -> Result<Vec<NumberRecord>, StoreError> {
        Ok(self
            .state
            .numbers
            .values()
            .filter(|n| n.customer == customer)
            .cloned()
            .collect())
    }

    async fn update_number(
        &mut self,
        mut number: NumberRecord,
    ) -> Result<NumberRecord, StoreError> {
        let stale = StoreError::Stale {
            what: "number",
            id: number.id.get(),
        };
        let stored = self.state.numbers.get(&number.id).ok_or(stale.clone())?;
        if stored.version != number.version {
            return Err(stale);
        }
        if self.e164_taken(&number) {
            return Err(StoreError::Conflict {
                what: Invariant::NumberE164,
            });
        }
        number.version += 1;
        self.state.numbers.insert(number.id, number.clone());
        Ok(number)
    }
}

#[async_trait]
impl Renewals for InMemoryTransaction<'_> {
    async fn charge_due(
        &mut self,
        batch: &RenewalBatch,
    ) -> Result<RenewalBatchOutcome, StoreError> {
        let due: Vec<(NumberId, CustomerId, vnum_core::Period, Money)> = self
            .state
            .numbers
            .values()
            .filter_map(|n| {
                let billing = n.billing.as_ref()?;
                let period = batch.day.charge(&n.due_number()?)?;
                Some((n.id, n.customer, period, billing.monthly_fee))
            })
            .take(usize::try_from(batch.limit).unwrap_or(usize::MAX))
            .collect();
        let mut outcome = RenewalBatchOutcome {
            matched: due.len() as u64,
            ..RenewalBatchOutcome::default()
        };
        for (number, customer, period, fee) in due {
            let before = self.state.balances.get(&customer).copied();
            let entry = NewLedgerEntry {
                customer,
                kind: EntryKind::Charge,
                amount: -fee,
                number: Some(number),
                period: Some(period),
                rule: Some(vnum_core::rule::R10_2),
                reference: None,
                description: format!("Monthly fee {period}"),
                at: batch.at,
            };
            match self.append_entry(entry) {
                Ok(_) => outcome.charged += 1,
                // Charged already (R10.D4): only the pointer below was behind.
                Err(StoreError::Conflict {
                    what: Invariant::LedgerChargePeriod,
                }) => {}
                Err(e) => return Err(e),
            }
            if let Some(n) = self.state.numbers.get_mut(&number) {
                if let Some(billing) = n.billing.as_mut() {
                    billing.paid_through = period.end();
                }
                n.version += 1;
            }
            let after = self.state.balances.get(&customer).copied();
            if before.is_some_and(|b| !b.is_negative())
                && after.is_some_and(|a| a.is_negative())
                && !outcome.newly_negative.contains(&customer)
            {
                outcome.newly_negative.push(customer);
            }
        }
        Ok(outcome)
    }

    async fn numbers_ending(
        &mut self,
        batch: &RenewalBatch,
    ) -> Result<Vec<NumberRecord>, StoreError> {
        Ok(self
            .state
            .numbers
            .values()
            .filter(|n| n.due_number().is_some_and(|due| batch.day.releases(&due)))
            .take(usize::try_from(batch.limit).unwrap_or(usize::MAX))
            .cloned()
            .collect())
    }

    async fn last_renewal_day(&mut self) -> Result<Option<NaiveDate>, StoreError> {
        Ok(self.state.last_renewal_day)
    }

    async fn set_last_renewal_day(&mut self, day: NaiveDate) -> Result<(), StoreError> {
        self.state.last_renewal_day = Some(day);
        Ok(())
    }
}

#[async_trait]
impl ApiKeys for InMemoryTransaction<'_> {
    async fn insert_api_key(&mut self, mut key: ApiKey) -> Result<ApiKey, StoreError> {
        if self.state.api_keys.contains_key(&key.token_sha256) {
            return Err(StoreError::Conflict {
                what: Invariant::ApiKey,
            });
        }
        self.state.last_api_key_id += 1;
        key.id = ApiKeyId(self.state.last_api_key_id);
        self.state
            .api_keys
            .insert(key.token_sha256.clone(), key.clone());
        Ok(key)
    }

    async fn api_key(&mut self, token_sha256: &str) -> Result<Option<ApiKey>, StoreError> {
        Ok(self.state.api_keys.get(token_sha256).cloned())
    }

    async fn api_key_by_id(&mut self, id: ApiKeyId) -> Result<Option<ApiKey>, StoreError> {
        Ok(self.state.api_keys.values().find(|k| k.id == id).cloned())
    }

    async fn api_keys(&mut self, customer: Option<CustomerId>) -> Result<Vec<ApiKey>, StoreError> {
        let mut keys: Vec<ApiKey> = self
            .state
            .api_keys
            .values()
            .filter(|k| customer.is_none_or(|c| k.principal == Principal::Customer(c)))
            .cloned()
            .collect();
        keys.sort_by_key(|k| k.id);
        Ok(keys)
    }

    async fn revoke_api_key(&mut self, id: ApiKeyId, at: DateTime<Utc>) -> Result<(), StoreError> {
        let key = self
            .state
            .api_keys
            .values_mut()
            .find(|k| k.id == id)
            .ok_or(StoreError::Stale {
                what: "api key",
                id: id.get(),
            })?;
        key.revoked_at.get_or_insert(at);
        Ok(())
    }
}

#[async_trait]
impl Catalogue for InMemoryTransaction<'_> {
    async fn insert_offer(&mut self, mut terms: OfferTerms) -> Result<Offer, StoreError> {
        terms.id = OfferId(self.state.next_id());
        let offer = Offer::new(terms).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.state.offers.insert(offer.id(), offer.clone());
        Ok(offer)
    }

    async fn update_offer(&mut self, offer: Offer) -> Result<(), StoreError> {
        let slot = self
            .state
            .offers
            .get_mut(&offer.id())
            .ok_or(StoreError::Stale {
                what: "offer",
                id: offer.id().get(),
            })?;
        *slot = offer;
        Ok(())
    }

    async fn offer(&mut self, id: OfferId) -> Result<Option<Offer>, StoreError> {
        Ok(self.state.offers.get(&id).cloned())
    }

    async fn offers(&mut self) -> Result<Vec<Offer>, StoreError> {
        Ok(self.state.offers.values().cloned().collect())
    }

    async fn add_stock(
        &mut self,
        offer: OfferId,
        numbers: &[PhoneNumber],
    ) -> Result<(), StoreError> {
        for e164 in numbers {
            if self.state.stock.contains_key(e164) {
                return Err(StoreError::Conflict {
                    what: Invariant::StockE164,
                });
            }
            let entry = StockNumber {
                e164: e164.clone(),
                offer,
                state: StockState::Available,
            };
            self.state.stock.insert(e164.clone(), entry);
        }
        Ok(())
    }

    async fn stock(&mut self, offer: OfferId) -> Result<Vec<StockNumber>, StoreError> {
        Ok(self
            .state
            .stock
            .values()
            .filter(|s| s.offer == offer)
            .cloned()
            .collect())
    }

    async fn stock_number(
        &mut self,
        e164: &PhoneNumber,
    ) -> Result<Option<StockNumber>, StoreError> {
        Ok(self.state.stock.get(e164).cloned())
    }

    async fn move_stock(
        &mut self,
        e164: &PhoneNumber,
        from: StockState,
        to: StockState,
    ) -> Result<(), StoreError> {
        match self.state.stock.get_mut(e164) {
            Some(entry) if entry.state == from => {
                entry.state = to;
                Ok(())
            }
            _ => Err(StoreError::Stale {
                what: "stock number",
                id: 0,
            }),
        }
    }
}
