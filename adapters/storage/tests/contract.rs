//! The storage contract: every test runs on the in-memory reference store, on SQLite and on
//! PostgreSQL, and must pass the same way on each.

// The helpers below are test code too: a failed unwrap is a failed test with a location.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::{DateTime, Utc};
use rust_decimal_macros::dec;
use vnum_app::model::{ApiKey, EntryKind, NewLedgerEntry, NumberRecord, Principal, RenewalBatch};
use vnum_app::ports::{Debit, Store, StoreError};
use vnum_core::{ApiKeyId, CustomerId, Money, NumberId, Period, PhoneNumber};

use vnum_lifecycle::NumberState;

use common::{billed_number, deleted, new_customer};
use vnum_app::ports::Invariant;
use vnum_testkit::{at, day, eur};

/// Generates, for each contract test, one test per store.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(&vnum_app::memory::InMemoryStore::new()).await;
                }
            )*
        }
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(&super::common::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(schema) = super::common::postgres().await else { return };
                    super::$name(&schema.store).await;
                    schema.drop().await;
                }
            )*
        }
    };
}

contract!(
    r1_d2_a_debit_the_balance_does_not_cover_moves_nothing_and_the_unit_stays_usable,
    r10_d6_no_movement_takes_a_balance_past_the_storable_range,
    customers_are_stored_with_a_zero_balance_in_their_currency,
    customer_email_is_unique_ignoring_case_and_the_unit_stays_usable,
    r10_balance_is_the_sum_of_the_ledger_entries,
    ledger_reference_is_unique_per_customer,
    r10_d4_one_charge_per_number_and_period,
    appending_for_a_missing_customer_is_stale,
    numbers_are_stored_updated_and_versioned,
    stale_number_versions_are_refused,
    number_e164_is_unique_among_live_numbers,
    api_keys_are_found_by_hash_and_unique,
    a_revoked_api_key_keeps_its_first_revocation,
    last_renewal_day_is_remembered,
    r10_2_charge_due_charges_exactly_the_due_numbers,
    r10_7_deleted_before_the_charge_day_is_not_charged_deleted_on_it_is,
    r10_3_balances_go_negative_and_newly_negative_customers_are_reported,
    charge_due_respects_the_limit_and_repeats_until_every_number_is_charged_once,
    r10_d4_a_period_charged_already_is_skipped_and_the_pointer_moves,
    a_unit_of_work_dropped_without_commit_changes_nothing,
    a_read_only_unit_of_work_sees_what_was_committed,
    read_only_units_see_every_commit_and_nothing_rolled_back,
    numbers_keep_their_whole_record_and_the_renewed_paid_through,
    offers_round_trip_and_stock_e164_is_unique,
    r3_d1_documents_are_stored_reviewed_and_queued,
    r1_4_orders_round_trip_by_customer,
    r11_2_one_agreement_per_customer_replaced_in_place,
    r5_1_sip_login_is_unique,
    r4_6_calls_are_found_by_number_and_start,
    r4_6_a_customers_calls_are_found_by_customer_and_start,
    r4_6_a_call_log_records_calls_alone_and_reads_stay_true,
    r12_1_signing_again_supersedes_the_active_contract,
    r12_2_one_closing_document_number_per_customer_and_period,
    r8_d1_one_trial_at_a_time_and_a_number_goes_back_once,
    r9_2_one_allocation_per_number_and_service_and_one_waiting_per_number,
    number_sms_are_kept_per_number_and_paged_newest_first,
    r13_d3_a_recording_order_is_stored_listed_while_open_and_ends_once,
    r7_1_a_waitlist_entry_closes_once,
    r7_1_a_join_reads_and_writes_the_customers_own_entries,
    r1_d1_payments_are_keyed_per_customer_and_settle_once,
    r6_d2_rates_round_trip_exactly_and_one_per_prefix_currency_and_instant,
    an_event_exists_exactly_when_its_unit_of_work_committed,
    a_worker_that_dies_after_its_claim_loses_nothing_and_the_redelivery_has_the_same_id,
    a_failed_attempt_is_due_again_at_its_retry,
    events_are_listed_per_customer_after_a_cursor,
    webhooks_and_their_deliveries_round_trip,
    r1_3_one_live_hold_per_number_and_an_ended_one_is_taken_over,
    r1_3_holds_are_removed_on_release_and_when_they_end,
    r10_7_a_number_not_renewing_round_trips_with_its_first_charge,
    r10_7_set_not_to_renew_before_the_charge_day_is_not_charged_on_it_is,
    r10_7_the_numbers_ending_are_those_whose_paid_period_ended_unrenewed,
    r10_2_a_numbers_period_charges_are_its_own,
);

#[path = "contract/repositories.rs"]
mod repositories;
use repositories::*;

#[path = "contract/events.rs"]
mod events;
use events::*;

#[path = "contract/holds.rs"]
mod holds;
use holds::*;
#[path = "contract/renewal_stop.rs"]
mod renewal_stop;
use renewal_stop::*;

async fn commit_customer(store: &dyn Store, email: &str) -> CustomerId {
    let mut tx = store.begin().await.unwrap();
    let customer = tx.insert_customer(new_customer(email)).await.unwrap();
    tx.commit().await.unwrap();
    customer.id
}

fn top_up(customer: CustomerId, amount: Money, reference: &str) -> NewLedgerEntry {
    NewLedgerEntry {
        customer,
        kind: EntryKind::TopUp,
        amount,
        number: None,
        period: None,
        rule: None,
        reference: Some(reference.into()),
        description: "Top-up".into(),
        at: at(day(2026, 1, 5), 3),
    }
}

fn charge(customer: CustomerId, number: NumberId, period: Period, fee: Money) -> NewLedgerEntry {
    NewLedgerEntry {
        customer,
        kind: EntryKind::Charge,
        amount: -fee,
        number: Some(number),
        period: Some(period),
        rule: Some(vnum_core::rule::R10_2),
        reference: None,
        description: format!("Monthly fee {period}"),
        at: at(period.start(), 3),
    }
}

fn all_time() -> (DateTime<Utc>, DateTime<Utc>) {
    (at(day(2000, 1, 1), 3), at(day(2100, 1, 1), 3))
}

async fn commit_numbers(store: &dyn Store, numbers: Vec<NumberRecord>) -> Vec<NumberRecord> {
    let mut tx = store.begin().await.unwrap();
    let mut stored = Vec::new();
    for number in numbers {
        stored.push(tx.insert_number(number).await.unwrap());
    }
    tx.commit().await.unwrap();
    stored
}

fn e164(i: usize) -> String {
    format!("+49301234{i:03}")
}

/// The batch for 20 February 2026: anchor day 20, periods to 20 March.
fn february_20(limit: u64) -> RenewalBatch {
    RenewalBatch {
        day: vnum_billing::RenewalDay::new(day(2026, 2, 20)),
        limit,
        at: at(day(2026, 2, 20), 3),
    }
}

async fn balance_and_ledger_sum(store: &dyn Store, customer: CustomerId) -> (Money, Money) {
    let mut tx = store.begin().await.unwrap();
    let balance = tx.balance(customer).await.unwrap();
    let (from, to) = all_time();
    let entries = tx.entries(customer, from, to).await.unwrap();
    let sum = Money::sum(balance.currency(), entries.iter().map(|e| e.amount)).unwrap();
    (balance, sum)
}

async fn customers_are_stored_with_a_zero_balance_in_their_currency(store: &dyn Store) {
    let mut tx = store.begin().await.unwrap();
    let customer = tx
        .insert_customer(new_customer("ada@example.com"))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.customer(customer.id).await.unwrap(),
        Some(customer.clone())
    );
    assert_eq!(tx.balance(customer.id).await.unwrap(), eur(dec!(0)));
    assert_eq!(
        tx.customer(CustomerId(customer.id.get() + 1000))
            .await
            .unwrap(),
        None
    );
}

async fn customer_email_is_unique_ignoring_case_and_the_unit_stays_usable(store: &dyn Store) {
    commit_customer(store, "ada@example.com").await;

    let mut tx = store.begin().await.unwrap();
    let taken = tx.insert_customer(new_customer("ADA@example.com")).await;
    assert_eq!(
        taken,
        Err(StoreError::Conflict {
            what: Invariant::CustomerEmail
        })
    );
    let other = tx
        .insert_customer(new_customer("bob@example.com"))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.customer(other.id).await.unwrap(), Some(other));
}

async fn r1_d2_a_debit_the_balance_does_not_cover_moves_nothing_and_the_unit_stays_usable(
    store: &dyn Store,
) {
    let ada = commit_customer(store, "ada@example.com").await;
    let mut tx = store.begin().await.unwrap();
    tx.append(top_up(ada, eur(dec!(10.00)), "t1"))
        .await
        .unwrap();
    let mut purchase = top_up(ada, eur(dec!(-10.01)), "p1");
    purchase.kind = EntryKind::Charge;
    assert_eq!(
        tx.debit(purchase.clone()).await.unwrap(),
        Debit::Short {
            balance: eur(dec!(10.00))
        }
    );
    purchase.amount = eur(dec!(-10.00));
    let Debit::Taken(entry) = tx.debit(purchase).await.unwrap() else {
        panic!("a covered debit is taken");
    };
    assert_eq!(entry.amount, eur(dec!(-10.00)));
    tx.commit().await.unwrap();
    let (balance, sum) = balance_and_ledger_sum(store, ada).await;
    assert_eq!((balance, sum), (eur(dec!(0)), eur(dec!(0))));
}

async fn r10_d6_no_movement_takes_a_balance_past_the_storable_range(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let max = Money::from_minor_units(Money::MAX_MINOR_UNITS, vnum_core::Currency::EUR);
    let mut tx = store.begin().await.unwrap();
    tx.append(top_up(ada, max, "max")).await.unwrap();
    let refused = tx.append(top_up(ada, eur(dec!(0.01)), "over")).await;
    assert_eq!(
        refused,
        Err(StoreError::BalanceLimit {
            customer: ada.get()
        })
    );
    let beyond = Money::new(rust_decimal::Decimal::MAX, vnum_core::Currency::EUR);
    let refused = tx.append(top_up(ada, beyond, "beyond")).await;
    assert_eq!(
        refused,
        Err(StoreError::BalanceLimit {
            customer: ada.get()
        })
    );
    // Nothing moved and the unit of work goes on.
    tx.append(top_up(ada, eur(dec!(-0.01)), "back"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (balance, sum) = balance_and_ledger_sum(store, ada).await;
    assert_eq!(balance, sum);
    assert_eq!(
        balance,
        Money::from_minor_units(Money::MAX_MINOR_UNITS - 1, vnum_core::Currency::EUR)
    );
}

async fn r10_balance_is_the_sum_of_the_ledger_entries(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let mut tx = store.begin().await.unwrap();
    let first = tx
        .append(top_up(ada, eur(dec!(25.50)), "t1"))
        .await
        .unwrap();
    tx.append(top_up(ada, eur(dec!(4.49)), "t2")).await.unwrap();
    let period = Period::new(day(2026, 1, 20), day(2026, 2, 20)).unwrap();
    tx.append(charge(ada, NumberId(7), period, eur(dec!(9.99))))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let (balance, sum) = balance_and_ledger_sum(store, ada).await;
    assert_eq!(balance, eur(dec!(20.00)));
    assert_eq!(balance, sum);

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.entry_by_reference(ada, "t1").await.unwrap(), Some(first));
    assert_eq!(tx.entry_by_reference(ada, "none").await.unwrap(), None);
    let january = tx
        .entries(ada, at(day(2026, 1, 1), 3), at(day(2026, 1, 20), 3))
        .await
        .unwrap();
    assert_eq!(
        january.len(),
        2,
        "the charge at 20 January is outside [1 Jan, 20 Jan)"
    );
    assert_eq!(january[0].reference.as_deref(), Some("t1"));
    assert_eq!(january[1].amount, eur(dec!(4.49)));
}

async fn ledger_reference_is_unique_per_customer(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let bob = commit_customer(store, "bob@example.com").await;
    let mut tx = store.begin().await.unwrap();
    tx.append(top_up(ada, eur(dec!(10)), "bank-1"))
        .await
        .unwrap();
    assert_eq!(
        tx.append(top_up(ada, eur(dec!(10)), "bank-1")).await,
        Err(StoreError::Conflict {
            what: Invariant::LedgerReference
        })
    );
    tx.append(top_up(bob, eur(dec!(10)), "bank-1"))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let (balance, sum) = balance_and_ledger_sum(store, ada).await;
    assert_eq!(
        (balance, sum),
        (eur(dec!(10)), eur(dec!(10))),
        "the refused entry moved nothing"
    );
}

async fn r10_d4_one_charge_per_number_and_period(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let period = Period::new(day(2026, 1, 20), day(2026, 2, 20)).unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.append(charge(ada, NumberId(7), period, eur(dec!(5))))
        .await
        .unwrap();
    let longer = Period::new(day(2026, 1, 20), day(2026, 4, 20)).unwrap();
    assert_eq!(
        tx.append(charge(ada, NumberId(7), longer, eur(dec!(15))))
            .await,
        Err(StoreError::Conflict {
            what: Invariant::LedgerChargePeriod
        }),
        "the same start is the same period, whatever its end"
    );
    tx.append(charge(ada, NumberId(8), period, eur(dec!(5))))
        .await
        .unwrap();
    let mut refund = charge(ada, NumberId(7), period, eur(dec!(-5)));
    refund.kind = EntryKind::Refund;
    tx.append(refund).await.unwrap();
    tx.commit().await.unwrap();

    let (balance, sum) = balance_and_ledger_sum(store, ada).await;
    assert_eq!((balance, sum), (eur(dec!(-5)), eur(dec!(-5))));
}

async fn appending_for_a_missing_customer_is_stale(store: &dyn Store) {
    let mut tx = store.begin().await.unwrap();
    let missing = CustomerId(424_242);
    assert_eq!(
        tx.append(top_up(missing, eur(dec!(1)), "x")).await,
        Err(StoreError::Stale {
            what: "customer",
            id: 424_242
        })
    );
    assert_eq!(
        tx.balance(missing).await,
        Err(StoreError::Stale {
            what: "customer",
            id: 424_242
        })
    );
}

async fn numbers_are_stored_updated_and_versioned(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let mut pending = billed_number(ada, &e164(1), 20, day(2026, 2, 20), dec!(9.99));
    pending.state = NumberState::Provisioning;
    pending.billing = None;
    let stored = commit_numbers(store, vec![pending.clone()]).await.remove(0);
    assert_eq!(stored.version, 1);
    assert_eq!(stored.billing, None);

    let connected = NumberRecord {
        state: billed_number(ada, &e164(1), 20, day(2026, 2, 20), dec!(9.99)).state,
        billing: billed_number(ada, &e164(1), 20, day(2026, 2, 20), dec!(9.99)).billing,
        ..stored.clone()
    };
    let mut tx = store.begin().await.unwrap();
    let updated = tx.update_number(connected.clone()).await.unwrap();
    assert_eq!(updated.version, 2);
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.number(stored.id).await.unwrap(), Some(updated.clone()));
    let by_e164 = tx
        .number_by_e164(&PhoneNumber::parse(&e164(1)).unwrap())
        .await;
    assert_eq!(by_e164.unwrap(), Some(updated.clone()));
    assert_eq!(tx.numbers_of(ada).await.unwrap(), vec![updated]);
    assert_eq!(
        tx.numbers_of(CustomerId(ada.get() + 1000)).await.unwrap(),
        vec![]
    );
}

async fn stale_number_versions_are_refused(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let number = billed_number(ada, &e164(1), 20, day(2026, 2, 20), dec!(9.99));
    let stored = commit_numbers(store, vec![number]).await.remove(0);

    let mut tx = store.begin().await.unwrap();
    tx.update_number(stored.clone()).await.unwrap();
    let again = tx.update_number(stored.clone()).await;
    assert_eq!(
        again,
        Err(StoreError::Stale {
            what: "number",
            id: stored.id.get()
        })
    );
    let missing = NumberRecord {
        id: NumberId(stored.id.get() + 1000),
        ..stored.clone()
    };
    assert_eq!(
        tx.update_number(missing.clone()).await,
        Err(StoreError::Stale {
            what: "number",
            id: missing.id.get()
        })
    );
}

async fn number_e164_is_unique_among_live_numbers(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let first = billed_number(ada, &e164(1), 20, day(2026, 2, 20), dec!(9.99));
    let stored = commit_numbers(store, vec![first.clone()]).await.remove(0);

    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.insert_number(first.clone()).await,
        Err(StoreError::Conflict {
            what: Invariant::NumberE164
        })
    );
    let second = tx
        .insert_number(billed_number(
            ada,
            &e164(2),
            20,
            day(2026, 2, 20),
            dec!(9.99),
        ))
        .await
        .unwrap();
    let renumbered = NumberRecord {
        state: first.state.clone(),
        ..second.clone()
    };
    assert_eq!(
        tx.update_number(renumbered).await,
        Err(StoreError::Conflict {
            what: Invariant::NumberE164
        })
    );
    // The refused update left the unit usable and the number unchanged.
    assert_eq!(tx.number(second.id).await.unwrap(), Some(second.clone()));
    tx.update_number(deleted(stored, day(2026, 2, 1)))
        .await
        .unwrap();
    let reused = tx.insert_number(first).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let live = tx
        .number_by_e164(&PhoneNumber::parse(&e164(1)).unwrap())
        .await;
    assert_eq!(live.unwrap().map(|n| n.id), Some(reused.id));
    assert_eq!(tx.numbers_of(ada).await.unwrap().len(), 3);
}

async fn api_keys_are_found_by_hash_and_unique(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let key = |hash: &str, principal| ApiKey {
        id: ApiKeyId(0),
        token_sha256: hash.into(),
        principal,
        name: "laptop".into(),
        created_at: at(day(2026, 1, 2), 3),
        expires_at: None,
        revoked_at: None,
    };
    let mut tx = store.begin().await.unwrap();
    let operator = tx
        .insert_api_key(key("aa", Principal::Operator))
        .await
        .unwrap();
    let customer = tx
        .insert_api_key(ApiKey {
            expires_at: Some(at(day(2026, 3, 1), 0)),
            ..key("bb", Principal::Customer(ada))
        })
        .await
        .unwrap();
    let engine = tx
        .insert_api_key(key("ee", Principal::Engine))
        .await
        .unwrap();
    assert_ne!(operator.id, customer.id);
    assert_eq!(
        tx.insert_api_key(key("aa", Principal::Customer(ada))).await,
        Err(StoreError::Conflict {
            what: Invariant::ApiKey
        })
    );
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.api_key("aa").await.unwrap(), Some(operator.clone()));
    assert_eq!(tx.api_key("bb").await.unwrap(), Some(customer.clone()));
    assert_eq!(
        customer.expires_at,
        Some(at(day(2026, 3, 1), 0)),
        "the expiry is kept"
    );
    assert_eq!(tx.api_key("ee").await.unwrap(), Some(engine.clone()));
    assert_eq!(tx.api_key("cc").await.unwrap(), None);
    assert_eq!(
        tx.api_key_by_id(customer.id).await.unwrap(),
        Some(customer.clone())
    );
    assert_eq!(tx.api_key_by_id(ApiKeyId(999_999)).await.unwrap(), None);
    assert_eq!(
        tx.api_keys(None).await.unwrap(),
        [operator.clone(), customer.clone(), engine.clone()]
    );
    assert_eq!(tx.api_keys(Some(ada)).await.unwrap(), [customer]);
    assert_eq!(tx.api_keys(Some(CustomerId(999_999))).await.unwrap(), []);
}

async fn a_revoked_api_key_keeps_its_first_revocation(store: &dyn Store) {
    let mut tx = store.begin().await.unwrap();
    let stored = tx
        .insert_api_key(ApiKey {
            id: ApiKeyId(0),
            token_sha256: "dd".into(),
            principal: Principal::Operator,
            name: "ops laptop".into(),
            created_at: at(day(2026, 1, 2), 3),
            expires_at: None,
            revoked_at: None,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // Read through a read-only unit of work first, so that a cached answer would show.
    let mut read = store.read().await.unwrap();
    assert_eq!(read.api_key("dd").await.unwrap(), Some(stored.clone()));
    drop(read);

    let mut tx = store.begin().await.unwrap();
    tx.revoke_api_key(stored.id, at(day(2026, 1, 5), 9))
        .await
        .unwrap();
    tx.revoke_api_key(stored.id, at(day(2026, 1, 6), 9))
        .await
        .unwrap();
    assert_eq!(
        tx.revoke_api_key(ApiKeyId(999_999), at(day(2026, 1, 6), 9))
            .await,
        Err(StoreError::Stale {
            what: "api key",
            id: 999_999
        })
    );
    tx.commit().await.unwrap();

    let mut read = store.read().await.unwrap();
    let revoked = read.api_key("dd").await.unwrap().unwrap();
    assert_eq!(revoked.revoked_at, Some(at(day(2026, 1, 5), 9)));
    assert_eq!(read.api_key_by_id(stored.id).await.unwrap(), Some(revoked));
}

async fn last_renewal_day_is_remembered(store: &dyn Store) {
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.last_renewal_day().await.unwrap(), None);
    tx.set_last_renewal_day(day(2026, 2, 19)).await.unwrap();
    tx.set_last_renewal_day(day(2026, 2, 20)).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.last_renewal_day().await.unwrap(), Some(day(2026, 2, 20)));
}

async fn r10_2_charge_due_charges_exactly_the_due_numbers(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let mut tx = store.begin().await.unwrap();
    tx.append(top_up(ada, eur(dec!(100)), "t")).await.unwrap();
    tx.commit().await.unwrap();
    let mut unbilled = billed_number(ada, &e164(5), 20, day(2026, 2, 20), dec!(1));
    unbilled.billing = None;
    let numbers = commit_numbers(
        store,
        vec![
            billed_number(ada, &e164(1), 20, day(2026, 2, 20), dec!(9.99)), // due
            billed_number(ada, &e164(2), 21, day(2026, 2, 21), dec!(5)),    // another day
            billed_number(ada, &e164(3), 20, day(2026, 3, 20), dec!(5)),    // paid ahead
            billed_number(ada, &e164(4), 20, day(2026, 1, 20), dec!(2.01)), // behind: due
            unbilled,
        ],
    )
    .await;

    let mut tx = store.begin().await.unwrap();
    let outcome = tx.charge_due(&february_20(100)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(outcome.charged, 2);
    assert_eq!(outcome.newly_negative, vec![]);

    let mut tx = store.begin().await.unwrap();
    let after = tx.numbers_of(ada).await.unwrap();
    let paid_through: Vec<_> = after
        .iter()
        .map(|n| n.billing.as_ref().map(|b| b.paid_through))
        .collect();
    assert_eq!(
        paid_through,
        vec![
            Some(day(2026, 3, 20)),
            Some(day(2026, 2, 21)),
            Some(day(2026, 3, 20)),
            Some(day(2026, 3, 20)),
            None
        ]
    );
    assert_eq!(after[0].version, numbers[0].version + 1);
    assert_eq!(after[1].version, numbers[1].version);
    let (from, to) = all_time();
    let charges: Vec<_> = tx
        .entries(ada, from, to)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EntryKind::Charge)
        .collect();
    let period = Period::new(day(2026, 2, 20), day(2026, 3, 20)).unwrap();
    assert_eq!(charges.len(), 2);
    assert_eq!(charges[0].number, Some(numbers[0].id));
    assert_eq!(charges[0].amount, eur(dec!(-9.99)));
    assert_eq!(charges[0].period, Some(period));
    assert_eq!(charges[0].rule, Some(vnum_core::rule::R10_2));
    assert_eq!(charges[0].description, format!("Monthly fee {period}"));
    assert_eq!(charges[1].number, Some(numbers[3].id));
    drop(tx);
    let (balance, sum) = balance_and_ledger_sum(store, ada).await;
    assert_eq!((balance, sum), (eur(dec!(88.00)), eur(dec!(88.00))));

    let mut tx = store.begin().await.unwrap();
    let again = tx.charge_due(&february_20(100)).await.unwrap();
    assert_eq!(
        again.charged, 0,
        "a second run the same day charges nothing (R10.D4)"
    );
}

async fn r10_7_deleted_before_the_charge_day_is_not_charged_deleted_on_it_is(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let before = deleted(
        billed_number(ada, &e164(1), 20, day(2026, 2, 20), dec!(3)),
        day(2026, 2, 19),
    );
    let on = deleted(
        billed_number(ada, &e164(2), 20, day(2026, 2, 20), dec!(4)),
        day(2026, 2, 20),
    );
    let numbers = commit_numbers(store, vec![before, on]).await;

    let mut tx = store.begin().await.unwrap();
    let outcome = tx.charge_due(&february_20(100)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(outcome.charged, 1);
    assert_eq!(outcome.newly_negative, vec![ada]);

    let mut tx = store.begin().await.unwrap();
    let (from, to) = all_time();
    let entries = tx.entries(ada, from, to).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].number, Some(numbers[1].id));
    assert_eq!(tx.balance(ada).await.unwrap(), eur(dec!(-4)));
}

async fn r10_3_balances_go_negative_and_newly_negative_customers_are_reported(store: &dyn Store) {
    let rich = commit_customer(store, "rich@example.com").await;
    let short = commit_customer(store, "short@example.com").await;
    let indebted = commit_customer(store, "indebted@example.com").await;
    let exact = commit_customer(store, "exact@example.com").await;
    let mut tx = store.begin().await.unwrap();
    tx.append(top_up(rich, eur(dec!(100)), "t")).await.unwrap();
    tx.append(top_up(short, eur(dec!(5)), "t")).await.unwrap();
    tx.append(top_up(indebted, eur(dec!(-1)), "t"))
        .await
        .unwrap();
    tx.append(top_up(exact, eur(dec!(6)), "t")).await.unwrap();
    tx.commit().await.unwrap();
    let fee = dec!(3);
    commit_numbers(
        store,
        vec![
            billed_number(rich, &e164(1), 20, day(2026, 2, 20), fee),
            billed_number(short, &e164(2), 20, day(2026, 2, 20), fee),
            billed_number(short, &e164(3), 20, day(2026, 2, 20), fee),
            billed_number(indebted, &e164(4), 20, day(2026, 2, 20), fee),
            billed_number(exact, &e164(5), 20, day(2026, 2, 20), fee),
            billed_number(exact, &e164(6), 20, day(2026, 2, 20), fee),
        ],
    )
    .await;

    let mut tx = store.begin().await.unwrap();
    let mut outcome = tx.charge_due(&february_20(100)).await.unwrap();
    tx.commit().await.unwrap();
    outcome.newly_negative.sort();
    assert_eq!(outcome.charged, 6);
    assert_eq!(
        outcome.newly_negative,
        vec![short],
        "zero is not negative; a debt is not new"
    );
    for (customer, expected) in [
        (rich, dec!(97)),
        (short, dec!(-1)),
        (indebted, dec!(-4)),
        (exact, dec!(0)),
    ] {
        let (balance, sum) = balance_and_ledger_sum(store, customer).await;
        assert_eq!((balance, sum), (eur(expected), eur(expected)));
    }
}

async fn charge_due_respects_the_limit_and_repeats_until_every_number_is_charged_once(
    store: &dyn Store,
) {
    let ada = commit_customer(store, "ada@example.com").await;
    let numbers = commit_numbers(
        store,
        (0..7)
            .map(|i| billed_number(ada, &e164(i), 20, day(2026, 2, 20), dec!(1)))
            .collect(),
    )
    .await;

    let mut batches = Vec::new();
    loop {
        let mut tx = store.begin().await.unwrap();
        let outcome = tx.charge_due(&february_20(3)).await.unwrap();
        tx.commit().await.unwrap();
        batches.push((outcome.matched, outcome.charged));
        // The use case's stop condition: a batch that selects fewer than its limit.
        if outcome.matched < 3 {
            break;
        }
        assert!(batches.len() < 10, "the batches never end: {batches:?}");
    }
    assert_eq!(batches, vec![(3, 3), (3, 3), (1, 1)]);

    let mut tx = store.begin().await.unwrap();
    let (from, to) = all_time();
    let charged: Vec<_> = tx
        .entries(ada, from, to)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.number)
        .collect();
    let ids: Vec<_> = numbers.iter().map(|n| Some(n.id)).collect();
    assert_eq!(charged, ids, "each number once, lowest ids first");
}

async fn r10_d4_a_period_charged_already_is_skipped_and_the_pointer_moves(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let numbers = commit_numbers(
        store,
        vec![
            billed_number(ada, &e164(1), 20, day(2026, 2, 20), dec!(2)),
            billed_number(ada, &e164(2), 20, day(2026, 2, 20), dec!(2)),
        ],
    )
    .await;
    // A run that charged the first number and crashed before moving its pointer.
    let period = Period::new(day(2026, 2, 20), day(2026, 3, 20)).unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.append(charge(ada, numbers[0].id, period, eur(dec!(2))))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.begin().await.unwrap();
    let outcome = tx.charge_due(&february_20(100)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(outcome.charged, 1);

    let mut tx = store.begin().await.unwrap();
    let first = tx.number(numbers[0].id).await.unwrap().unwrap();
    assert_eq!(first.billing.unwrap().paid_through, day(2026, 3, 20));
    drop(tx);
    let (balance, sum) = balance_and_ledger_sum(store, ada).await;
    assert_eq!((balance, sum), (eur(dec!(-4)), eur(dec!(-4))));
}

async fn a_unit_of_work_dropped_without_commit_changes_nothing(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let number = commit_numbers(
        store,
        vec![billed_number(ada, &e164(1), 20, day(2026, 2, 20), dec!(2))],
    )
    .await
    .remove(0);
    {
        let mut tx = store.begin().await.unwrap();
        tx.insert_customer(new_customer("bob@example.com"))
            .await
            .unwrap();
        tx.append(top_up(ada, eur(dec!(50)), "t")).await.unwrap();
        assert_eq!(tx.charge_due(&february_20(100)).await.unwrap().charged, 1);
        tx.set_last_renewal_day(day(2026, 2, 20)).await.unwrap();
    }
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.balance(ada).await.unwrap(), eur(dec!(0)));
    assert_eq!(tx.entry_by_reference(ada, "t").await.unwrap(), None);
    assert_eq!(tx.number(number.id).await.unwrap(), Some(number));
    assert_eq!(tx.last_renewal_day().await.unwrap(), None);
    // The email of the customer rolled back is free.
    tx.insert_customer(new_customer("bob@example.com"))
        .await
        .unwrap();
}

async fn a_read_only_unit_of_work_sees_what_was_committed(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let mut tx = store.begin().await.unwrap();
    tx.append(top_up(ada, eur(dec!(50)), "t")).await.unwrap();
    tx.commit().await.unwrap();
    let mut reader = store.read().await.unwrap();
    assert_eq!(reader.balance(ada).await.unwrap(), eur(dec!(50)));
    assert!(reader.entry_by_reference(ada, "t").await.unwrap().is_some());
    reader.commit().await.unwrap();
}

/// Whatever a store remembers for its read-only units of work (the SQLite store's read
/// cache), a read after a commit answers what was committed, and a unit of work dropped
/// without commit leaves every answer as it was.
async fn read_only_units_see_every_commit_and_nothing_rolled_back(store: &dyn Store) {
    let ada = commit_customer(store, "ada@example.com").await;
    let mut tx = store.begin().await.unwrap();
    tx.append(top_up(ada, eur(dec!(100)), "t")).await.unwrap();
    let offer = tx.insert_offer(mobile_terms()).await.unwrap();
    tx.commit().await.unwrap();
    let first = commit_numbers(
        store,
        vec![billed_number(
            ada,
            &e164(1),
            20,
            day(2026, 2, 20),
            dec!(9.99),
        )],
    )
    .await
    .remove(0);

    // What a reader sees, asked twice so that a cache has it.
    async fn seen(
        store: &dyn Store,
        ada: CustomerId,
        number: NumberId,
        offer: vnum_core::OfferId,
    ) -> (
        Money,
        Option<NumberRecord>,
        usize,
        usize,
        Option<vnum_lifecycle::Offer>,
        bool,
        Option<NumberRecord>,
    ) {
        let mut answers = Vec::new();
        for _ in 0..2 {
            let mut reader = store.read().await.unwrap();
            answers.push((
                reader.balance(ada).await.unwrap(),
                reader.number(number).await.unwrap(),
                reader.numbers_of(ada).await.unwrap().len(),
                reader.offers().await.unwrap().len(),
                reader.offer(offer).await.unwrap(),
                reader.agreement_of(ada).await.unwrap().is_some(),
                reader
                    .number_by_e164(&PhoneNumber::parse(&e164(1)).unwrap())
                    .await
                    .unwrap(),
            ));
        }
        assert_eq!(answers[0], answers[1], "two reads in a row agree");
        answers.remove(0)
    }
    let before = seen(store, ada, first.id, offer.id()).await;
    assert_eq!(before.0, eur(dec!(100)));
    assert_eq!(before.2, 1);
    assert!(!before.5);

    // Rolled back: every answer stays.
    {
        let mut tx = store.begin().await.unwrap();
        tx.append(top_up(ada, eur(dec!(5)), "dropped"))
            .await
            .unwrap();
        tx.insert_offer(mobile_terms()).await.unwrap();
    }
    assert_eq!(seen(store, ada, first.id, offer.id()).await, before);

    // Committed, one repository after another: each answer moves.
    let mut tx = store.begin().await.unwrap();
    tx.append(top_up(ada, eur(dec!(5)), "t2")).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        seen(store, ada, first.id, offer.id()).await.0,
        eur(dec!(105))
    );

    commit_numbers(
        store,
        vec![billed_number(ada, &e164(2), 20, day(2026, 2, 20), dec!(1))],
    )
    .await;
    assert_eq!(seen(store, ada, first.id, offer.id()).await.2, 2);

    let mut tx = store.begin().await.unwrap();
    tx.charge_due(&february_20(100)).await.unwrap();
    tx.commit().await.unwrap();
    let renewed = seen(store, ada, first.id, offer.id()).await;
    assert_eq!(renewed.0, eur(dec!(105) - dec!(9.99) - dec!(1)));
    assert_eq!(renewed.6, renewed.1, "by id and by E.164 alike");
    let paid_through = renewed.1.unwrap().billing.unwrap().paid_through;
    assert_eq!(paid_through, day(2026, 3, 20));

    let mut tx = store.begin().await.unwrap();
    let unlisted = vnum_lifecycle::Offer::new(vnum_lifecycle::OfferTerms {
        listed: false,
        ..offer.terms().clone()
    })
    .unwrap();
    tx.update_offer(unlisted.clone()).await.unwrap();
    tx.insert_offer(mobile_terms()).await.unwrap();
    tx.put_agreement(
        vnum_discounts::BulkAgreement::new(
            vnum_core::AgreementId(0),
            ada,
            10,
            std::collections::BTreeMap::from([(
                vnum_core::CountryCode::parse("DE").unwrap(),
                vnum_discounts::Percent::new(dec!(10)).unwrap(),
            )]),
            None,
        )
        .unwrap(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let after = seen(store, ada, first.id, offer.id()).await;
    assert_eq!(after.3, 2);
    assert_eq!(after.4, Some(unlisted));
    assert!(after.5);
}
