//! Call detail records and the statistics of calls and of the balance (R4.6).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vnum_calls::{CallLine, CallRecord, CallRecordFields, CallStats};
use vnum_core::{CustomerId, Money, NumberId, Period, PhoneNumber, RuleId};

use super::companies::existing_customer;
use crate::model::{EntryKind, NewLedgerEntry};
use crate::ports::Invariant;
use crate::ports::StoreError;
use crate::{Error, Vnum};

/// The call statistics of one number over a period (R4.6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberCallStats {
    /// The number.
    pub number: NumberId,
    /// Its concrete number, once connected.
    pub e164: Option<PhoneNumber>,
    /// Its calls.
    pub stats: CallStats,
}

/// The call statistics of a customer's numbers over a period (R4.6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallStatsView {
    /// The period, in days of the billing time zone.
    pub period: Period,
    /// One row per number that is live or had calls in the period, by number id.
    pub numbers: Vec<NumberCallStats>,
}

/// What one kind of ledger entry added up to over a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindTotal {
    /// The kind of entry.
    pub kind: EntryKind,
    /// How many entries.
    pub entries: u32,
    /// Their sum: positive for money in, negative for charges.
    pub total: Money,
}

/// The balance transactions of a period, totalled per kind (R4.6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerStats {
    /// The period, in days of the billing time zone.
    pub period: Period,
    /// One row per kind that occurred: top-ups, bank transfers, charges, refunds,
    /// adjustments, in that order.
    pub totals: Vec<KindTotal>,
    /// How much the balance moved over the period.
    pub net: Money,
}

/// A stored call and what it cost.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatedCall {
    /// The call as stored.
    pub call: CallRecord,
    /// What it was charged to its number's owner (R6.D2, R5.D1); none when it cost
    /// nothing.
    pub cost: Option<Money>,
}

/// A call report the store took: the call, and whether the same report came before.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedCall {
    /// The call as stored.
    pub call: CallRecord,
    /// True when a call with the same reference was stored already: this report stored
    /// nothing and the first one's record is answered.
    pub replayed: bool,
    /// What the call was charged to its number's owner: an answered call out to a phone
    /// number (R6.D2) or a call forwarded to one (R5.D1), read from its ledger entry. None
    /// for a call that costs nothing or whose destination had no rate.
    pub cost: Option<Money>,
}

impl Vnum {
    /// Stores a call the SIP engine reports (R4.6), under an id storage assigns; the id in
    /// `fields` is ignored.
    ///
    /// With a `reference` (the engine's name for the call, such as its SIP Call-ID) the
    /// report is idempotent: an engine that sends it again after a lost answer gets the
    /// first record back, and the call is counted once. A second report of the same call
    /// with other details is reconciled, not dropped (`CallRecord::reconcile`): an answered
    /// or longer report replaces the stored one under its id (and an answered call out is
    /// charged then, once); a report that describes the call less well is answered with
    /// the stored record.
    ///
    /// An answered call out to a phone number (R6.D2), or an inbound call answered by a
    /// phone number through the gateway (R5.D1), is rated at its start for its answered
    /// time and charged to the number's owner in the same unit of work, as one ledger
    /// entry whose reference is `call:<call id>`; a replayed report stores nothing and
    /// charges nothing. The charge may take the balance below zero, as a renewal does
    /// (R10.3): the longest call allowed bounds it. A destination without a rate when the
    /// report arrives is recorded and not charged, and logged.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the times contradict each other or the disposition;
    /// [`Error::NotFound`] when the number does not exist; [`Error::Conflict`] when the
    /// reference names a call of another number, direction, caller, callee or start.
    pub async fn record_call(
        &self,
        fields: CallRecordFields,
        reference: Option<&str>,
    ) -> Result<RecordedCall, Error> {
        self.record_one(CallRecord::new(fields)?, reference).await
    }

    /// [`Vnum::record_call`] of a checked record.
    async fn record_one(
        &self,
        call: CallRecord,
        reference: Option<&str>,
    ) -> Result<RecordedCall, Error> {
        if let Some((destination, rule)) = self.rated_leg(&call) {
            return self
                .record_rated_call(call, reference, &destination, rule)
                .await;
        }
        let mut tx = self.ports.store.call_log().await?;
        tx.owner(call.line())
            .await?
            .ok_or_else(|| line_not_found(call.line()))?;
        if let Some(reference) = reference
            && let Some(first) = tx.call_by_reference(reference).await?
        {
            return match second_report(first, &call, reference)? {
                SecondReport::Answer(recorded) => Ok(recorded),
                SecondReport::Replace(better) => {
                    tx.update_call(&better).await?;
                    tx.commit().await?;
                    Ok(RecordedCall {
                        call: better,
                        replayed: false,
                        cost: None,
                    })
                }
            };
        }
        match (tx.insert_call(call.clone(), reference).await, reference) {
            (Ok(stored), _) => {
                tx.commit().await?;
                Ok(RecordedCall {
                    call: stored,
                    replayed: false,
                    cost: None,
                })
            }
            // The same report arrived twice at once, and the other one was stored first.
            (
                Err(StoreError::Conflict {
                    what: Invariant::CallReference,
                }),
                Some(reference),
            ) => {
                drop(tx);
                let mut tx = self.ports.store.read().await?;
                match tx.call_by_reference(reference).await? {
                    Some(first) => match second_report(first, &call, reference)? {
                        SecondReport::Answer(recorded) => Ok(recorded),
                        SecondReport::Replace(_) => Err(racing(reference)),
                    },
                    None => Err(racing(reference)),
                }
            }
            (Err(other), _) => Err(other.into()),
        }
    }

    /// Stores a batch of calls the SIP engine reports (R4.6), each with its reference (the
    /// engine's name for the call): what [`Vnum::record_call`] does for each, in the order
    /// given, with one answer per report.
    ///
    /// Calls that cost nothing are stored in one unit of work: one commit for the batch,
    /// one read of the references it names and one owner lookup per line. A rated call
    /// (R6.D2, R5.D1) is stored and charged in a unit of its own, as
    /// [`Vnum::record_call`] does. A report that names an unknown line, contradicts
    /// itself or names another call is refused on its own, the rest are stored.
    ///
    /// # Errors
    /// [`Error::Store`] when the store failed: the batch's calls that cost nothing were not
    /// stored, and the engine sends the batch again (references make that safe).
    pub async fn record_calls(
        &self,
        reports: Vec<(CallRecordFields, String)>,
    ) -> Result<Vec<Result<RecordedCall, Error>>, Error> {
        let mut outcomes: Vec<Option<Result<RecordedCall, Error>>> =
            std::iter::repeat_with(|| None)
                .take(reports.len())
                .collect();
        let mut plain = Vec::new();
        let mut rated = Vec::new();
        for (index, (fields, reference)) in reports.into_iter().enumerate() {
            match CallRecord::new(fields) {
                Err(invalid) => outcomes[index] = Some(Err(invalid.into())),
                Ok(call) if self.rated_leg(&call).is_some() => {
                    rated.push((index, call, reference));
                }
                Ok(call) => plain.push((index, call, reference)),
            }
        }
        match self.record_unrated(&plain).await {
            Ok(stored) => {
                for ((index, _, _), outcome) in plain.iter().zip(stored) {
                    outcomes[*index] = Some(outcome);
                }
            }
            // Another report of one of these calls was stored at the same time: each is
            // stored on its own, which settles the race.
            Err(Error::Store(StoreError::Conflict {
                what: Invariant::CallReference,
            })) => rated.extend(plain),
            Err(failed) => return Err(failed),
        }
        rated.sort_by_key(|(index, _, _)| *index);
        for (index, call, reference) in rated {
            outcomes[index] = Some(match self.record_one(call, Some(&reference)).await {
                Err(Error::Store(failed)) => return Err(Error::Store(failed)),
                other => other,
            });
        }
        Ok(outcomes.into_iter().flatten().collect())
    }

    /// Stores calls that cost nothing in one unit of work, with one answer for each; see
    /// [`Vnum::record_calls`].
    async fn record_unrated(
        &self,
        calls: &[(usize, CallRecord, String)],
    ) -> Result<Vec<Result<RecordedCall, Error>>, Error> {
        if calls.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.ports.store.call_log().await?;
        let mut owners: HashMap<CallLine, Option<CustomerId>> = HashMap::new();
        let references: Vec<&str> = calls.iter().map(|(_, _, r)| r.as_str()).collect();
        let mut stored: HashMap<String, CallRecord> = tx
            .calls_by_references(&references)
            .await?
            .into_iter()
            .collect();
        let mut outcomes = Vec::with_capacity(calls.len());
        for (_, call, reference) in calls {
            let owner = match owners.get(&call.line()) {
                Some(owner) => *owner,
                None => {
                    let owner = tx.owner(call.line()).await?;
                    owners.insert(call.line(), owner);
                    owner
                }
            };
            if owner.is_none() {
                outcomes.push(Err(line_not_found(call.line())));
                continue;
            }
            let outcome = match stored.get(reference) {
                Some(first) => match second_report(first.clone(), call, reference) {
                    Ok(SecondReport::Answer(recorded)) => Ok(recorded),
                    Ok(SecondReport::Replace(better)) => {
                        tx.update_call(&better).await?;
                        stored.insert(reference.clone(), better.clone());
                        Ok(RecordedCall {
                            call: better,
                            replayed: false,
                            cost: None,
                        })
                    }
                    Err(refused) => Err(refused),
                },
                None => {
                    let call = tx.insert_call(call.clone(), Some(reference)).await?;
                    stored.insert(reference.clone(), call.clone());
                    Ok(RecordedCall {
                        call,
                        replayed: false,
                        cost: None,
                    })
                }
            };
            outcomes.push(outcome);
        }
        tx.commit().await?;
        Ok(outcomes)
    }

    /// Stores a rated call and charges it, in one unit of work that may write: the call
    /// log's narrowed unit cannot move a balance.
    async fn record_rated_call(
        &self,
        call: CallRecord,
        reference: Option<&str>,
        destination: &PhoneNumber,
        rule: RuleId,
    ) -> Result<RecordedCall, Error> {
        let mut tx = self.ports.store.begin().await?;
        let owner = crate::ports::store::owner_of_line(tx.as_mut(), call.line())
            .await?
            .ok_or_else(|| line_not_found(call.line()))?;
        let first = match reference {
            Some(reference) => tx.call_by_reference(reference).await?,
            None => None,
        };
        let stored = match (first, reference) {
            (Some(first), Some(reference)) => match second_report(first, &call, reference)? {
                SecondReport::Answer(mut recorded) => {
                    recorded.cost = charged(tx.as_mut(), owner, &recorded.call).await?;
                    return Ok(recorded);
                }
                SecondReport::Replace(better) => {
                    tx.update_call(&better).await?;
                    // A call charged already (a shorter answered report) keeps its one
                    // charge: a reference is charged once.
                    if let Some(cost) = charged(tx.as_mut(), owner, &better).await? {
                        tx.commit().await?;
                        return Ok(RecordedCall {
                            call: better,
                            replayed: false,
                            cost: Some(cost),
                        });
                    }
                    better
                }
            },
            _ => match (tx.insert_call(call.clone(), reference).await, reference) {
                (Ok(stored), _) => stored,
                (
                    Err(StoreError::Conflict {
                        what: Invariant::CallReference,
                    }),
                    Some(reference),
                ) => {
                    drop(tx);
                    let mut tx = self.ports.store.begin().await?;
                    let Some(first) = tx.call_by_reference(reference).await? else {
                        return Err(racing(reference));
                    };
                    return match second_report(first, &call, reference)? {
                        SecondReport::Answer(mut recorded) => {
                            recorded.cost = charged(tx.as_mut(), owner, &recorded.call).await?;
                            Ok(recorded)
                        }
                        SecondReport::Replace(_) => Err(racing(reference)),
                    };
                }
                (Err(other), _) => return Err(other.into()),
            },
        };
        let currency = tx.balance(owner).await?.currency();
        let table = super::rates::rate_table_for(tx.as_mut(), destination, currency).await?;
        let cost = match super::rates::cost_of(
            &table,
            destination,
            currency,
            stored.start(),
            stored.talk_seconds(),
        ) {
            Ok(cost) => Some(cost).filter(|c| !c.is_zero()),
            Err(no_rate) => {
                tracing::warn!(
                    call = %stored.id(),
                    line = ?stored.line(),
                    %destination,
                    "call recorded without a charge: {no_rate}"
                );
                None
            }
        };
        if let Some(cost) = cost {
            tx.append(NewLedgerEntry {
                customer: owner,
                kind: EntryKind::Charge,
                amount: -cost,
                number: stored.number(),
                period: None,
                rule: Some(rule),
                reference: Some(call_reference(&stored)),
                description: format!(
                    "Call to {destination}, {} s answered",
                    stored.talk_seconds()
                ),
                at: self.ports.clock.now(),
            })
            .await?;
        }
        tx.commit().await?;
        Ok(RecordedCall {
            call: stored,
            replayed: false,
            cost,
        })
    }

    /// One page of the calls of one of the customer's numbers that started at
    /// `from <= start < to`, oldest first (R4.6), each with what it was charged (R6.D2,
    /// R5.D1).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown customer, or a number that is not the customer's.
    pub async fn call_records(
        &self,
        customer: CustomerId,
        number: NumberId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        page: crate::model::PageRequest,
    ) -> Result<crate::model::Page<RatedCall>, Error> {
        let mut tx = self.ports.store.read().await?;
        existing_customer(tx.as_mut(), customer).await?;
        match tx.number(number).await? {
            Some(n) if n.customer == customer => {}
            _ => return Err(Error::not_found("number", number)),
        }
        let calls = tx.calls_page(number, from, to, page).await?;
        Ok(crate::model::Page {
            items: with_costs(tx.as_mut(), customer, calls.items).await?,
            next: calls.next,
        })
    }

    /// The call statistics of each of the customer's numbers over `period`, in days of the
    /// billing time zone (R4.6, R10.D2).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown customer.
    pub async fn call_stats(
        &self,
        customer: CustomerId,
        period: Period,
    ) -> Result<CallStatsView, Error> {
        let tz = self.config.billing_time_zone;
        let mut tx = self.ports.store.read().await?;
        existing_customer(tx.as_mut(), customer).await?;
        let numbers = tx.numbers_of(customer).await?;
        let (from, to) = instants(period, tz);
        let calls = tx.customer_calls(customer, from, to).await?;
        let mut stats = vnum_calls::call_stats(&calls, &period, tz);
        let numbers = numbers
            .into_iter()
            .filter_map(|n| {
                let stats = match stats.remove(&n.id) {
                    Some(stats) => stats,
                    None if n.is_live() => CallStats::default(),
                    None => return None,
                };
                Some(NumberCallStats {
                    number: n.id,
                    e164: n.e164().cloned(),
                    stats,
                })
            })
            .collect();
        Ok(CallStatsView { period, numbers })
    }

    /// The customer's balance transactions over `period`, totalled per kind (R4.6).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown customer.
    pub async fn ledger_stats(
        &self,
        customer: CustomerId,
        period: Period,
    ) -> Result<LedgerStats, Error> {
        let tz = self.config.billing_time_zone;
        let mut tx = self.ports.store.read().await?;
        let customer = existing_customer(tx.as_mut(), customer).await?;
        let (from, to) = instants(period, tz);
        let entries = tx.entries(customer.id, from, to).await?;
        let corrupt = |e: vnum_core::MoneyError| StoreError::Corrupt(e.to_string());
        let mut totals: BTreeMap<u8, KindTotal> = BTreeMap::new();
        for entry in &entries {
            let row = totals.entry(rank(entry.kind)).or_insert_with(|| KindTotal {
                kind: entry.kind,
                entries: 0,
                total: Money::zero(customer.currency),
            });
            row.entries += 1;
            row.total = row.total.checked_add(entry.amount).map_err(corrupt)?;
        }
        let totals: Vec<KindTotal> = totals.into_values().collect();
        let net = Money::sum(customer.currency, totals.iter().map(|t| t.total)).map_err(corrupt)?;
        Ok(LedgerStats {
            period,
            totals,
            net,
        })
    }
}

/// The instants a period of days in `tz` spans: from the start of its first day to the
/// start of the day after its last (R10.D2).
fn instants(period: Period, tz: chrono_tz::Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    (
        vnum_billing::start_of_day(period.start(), tz),
        vnum_billing::start_of_day(period.end(), tz),
    )
}

/// The order kinds are listed in: money in, then money out, then corrections.
const fn rank(kind: EntryKind) -> u8 {
    match kind {
        EntryKind::TopUp => 0,
        EntryKind::BankTransfer => 1,
        EntryKind::Charge => 2,
        EntryKind::Refund => 3,
        EntryKind::Adjustment => 4,
    }
}

/// The ledger reference of a call's charge: the call's id, which names one stored call.
fn call_reference(call: &CallRecord) -> String {
    format!("call:{}", call.id())
}

/// What a stored call was charged, from its ledger entry.
async fn charged(
    tx: &mut (dyn crate::ports::Transaction + '_),
    owner: CustomerId,
    call: &CallRecord,
) -> Result<Option<Money>, StoreError> {
    Ok(tx
        .entry_by_reference(owner, &call_reference(call))
        .await?
        .map(|entry| -entry.amount))
}

/// Two reports of one call arrived at once with other details: the engine sends it again.
fn racing(reference: &str) -> Error {
    Error::Conflict(format!(
        "the call {reference} was being stored at the same time: send it again"
    ))
}

/// What a report whose reference names a stored call (`first`) does (R4.6): the same
/// report, or one that describes the call less well, is answered with the stored record; a
/// better one (answered, or longer) replaces it; a report of another call is a conflict.
enum SecondReport {
    Answer(RecordedCall),
    Replace(CallRecord),
}

fn second_report(
    first: CallRecord,
    call: &CallRecord,
    reference: &str,
) -> Result<SecondReport, Error> {
    match first.reconcile(call) {
        Ok(vnum_calls::Reconciled::Same | vnum_calls::Reconciled::Keep) => {
            Ok(SecondReport::Answer(RecordedCall {
                call: first,
                replayed: true,
                cost: None,
            }))
        }
        Ok(vnum_calls::Reconciled::Replace(better)) => Ok(SecondReport::Replace(better)),
        Err(e) => Err(Error::Conflict(format!("the call {reference}: {e}"))),
    }
}

/// `calls` of `customer`'s lines, each with what it was charged (R6.D2, R5.D1).
pub(super) async fn with_costs(
    tx: &mut (dyn crate::ports::Transaction + '_),
    customer: CustomerId,
    calls: Vec<CallRecord>,
) -> Result<Vec<RatedCall>, Error> {
    let mut rated = Vec::with_capacity(calls.len());
    for call in calls {
        // Only an answered call can have been charged.
        let cost = match call.disposition() {
            vnum_calls::Disposition::Answered => charged(&mut *tx, customer, &call).await?,
            _ => None,
        };
        rated.push(RatedCall { call, cost });
    }
    Ok(rated)
}

/// A report of a line that does not exist.
fn line_not_found(line: CallLine) -> Error {
    match line {
        CallLine::Number(id) => Error::not_found("number", id),
        CallLine::Trial(id) => Error::not_found("free test", id),
    }
}
