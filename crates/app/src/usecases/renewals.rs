use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use vnum_core::{CustomerId, NumberId};

use crate::model::Notice;
use crate::model::RenewalBatch;
use crate::{Error, Vnum};

/// What a renewal run did (R10.2, R10.D4).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewalReport {
    /// The billing days the run covered, oldest first (more than one after a pause).
    pub days: Vec<NaiveDate>,
    /// Numbers charged for a new period.
    pub charged: u64,
    /// Units of work committed.
    pub batches: u64,
    /// Customers whose balance went below zero: their numbers are now suspended (R10.4).
    pub suspended: Vec<CustomerId>,
    /// Numbers released at the end of their paid period because they do not renew (R10.7).
    pub released: Vec<NumberId>,
}

impl Vnum {
    /// Runs the renewals of every billing day since the last completed run up to today, in
    /// the billing time zone (R10.D2).
    ///
    /// Each day charges, in batches of [`crate::Config::renewal_batch_size`] numbers each
    /// committed on its own, every number whose connection day falls on that day (R10.2,
    /// R10.D1) and that was not deleted before it (R10.7), into a negative balance if need
    /// be (R10.3). The run is idempotent (R10.D4): run again, or after a crash in the middle,
    /// it charges each number at most once per period, because storage refuses a second
    /// charge and a charged number's `paid_through` has moved past the day. A customer whose
    /// balance went negative is told (an `account.suspended` event in the batch's unit of work) that the numbers are suspended until the debt
    /// is paid (R10.4). Before charging a day, it releases the numbers that do not renew
    /// and whose paid period ended (R10.7), by the same path as a deletion; a released
    /// number is deleted, so a second run releases nothing more.
    ///
    /// # Errors
    /// [`Error::Store`] when storage fails; what was committed before stays committed and
    /// the next run continues from there.
    pub async fn run_renewals(&self) -> Result<RenewalReport, Error> {
        let now = self.ports.clock.now();
        let today = self.billing_day(now);
        let mut report = RenewalReport::default();
        let last = {
            let mut tx = self.ports.store.begin().await?;
            tx.last_renewal_day().await?
        };
        let first = last.and_then(|d| d.succ_opt()).unwrap_or(today);
        for day in first.iter_days().take_while(|d| *d <= today) {
            self.renew_day(day, now, &mut report).await?;
            report.days.push(day);
        }
        Ok(report)
    }

    async fn renew_day(
        &self,
        day: NaiveDate,
        now: DateTime<Utc>,
        report: &mut RenewalReport,
    ) -> Result<(), Error> {
        let batch = RenewalBatch {
            day: vnum_billing::RenewalDay::new(day),
            limit: self.config.renewal_batch_size.max(1),
            at: now,
        };
        self.release_ended(&batch, report).await?;
        loop {
            let mut tx = self.ports.store.begin().await?;
            let outcome = tx.charge_due(&batch).await?;
            let done = outcome.matched < batch.limit;
            if done {
                tx.set_last_renewal_day(day).await?;
            }
            for customer in &outcome.newly_negative {
                let balance = tx.balance(*customer).await?;
                if let Some(found) = tx.customer(*customer).await? {
                    super::events::record(
                        &mut *tx,
                        now,
                        Some(found.email),
                        Notice::AccountSuspended {
                            customer: *customer,
                            balance: balance.into(),
                        },
                    )
                    .await?;
                }
            }
            tx.commit().await?;
            report.batches += 1;
            report.charged += outcome.charged;
            for customer in outcome.newly_negative {
                if !report.suspended.contains(&customer) {
                    report.suspended.push(customer);
                }
            }
            if done {
                return Ok(());
            }
        }
    }

    /// Releases, a batch at a time, the numbers that do not renew and whose paid period
    /// ended on the batch's day (R10.7): each is deleted on that day and its concrete
    /// number goes back on sale and to the carrier, as a deletion does.
    async fn release_ended(
        &self,
        batch: &RenewalBatch,
        report: &mut RenewalReport,
    ) -> Result<(), Error> {
        loop {
            let mut tx = self.ports.store.begin().await?;
            let ending = tx.numbers_ending(batch).await?;
            if ending.is_empty() {
                return Ok(());
            }
            let done = (ending.len() as u64) < batch.limit;
            let mut given_back = Vec::with_capacity(ending.len());
            for number in ending {
                let (released, e164) =
                    super::numbers::end_number(&mut *tx, number, batch.day.date()).await?;
                report.released.push(released.id);
                given_back.extend(e164);
            }
            tx.commit().await?;
            for e164 in &given_back {
                self.give_back(e164).await;
            }
            if done {
                return Ok(());
            }
        }
    }
}
