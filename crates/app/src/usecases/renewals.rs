use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use vnum_core::CustomerId;

use crate::model::RenewalBatch;
use crate::ports::Email;
use crate::{BalanceView, ServiceState};
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
    /// balance went negative is told by email that the numbers are suspended until the debt
    /// is paid (R10.4).
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
        for customer in &report.suspended {
            self.tell_suspended(*customer).await;
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
        loop {
            let mut tx = self.ports.store.begin().await?;
            let outcome = tx.charge_due(&batch).await?;
            let done = outcome.matched < batch.limit;
            if done {
                tx.set_last_renewal_day(day).await?;
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

    async fn tell_suspended(&self, customer: CustomerId) {
        let read = async {
            let mut tx = self.ports.store.read().await?;
            let balance = tx.balance(customer).await?;
            let customer = tx.customer(customer).await?;
            Ok::<_, crate::ports::StoreError>(customer.map(|c| (c, balance)))
        };
        let (customer, balance) = match read.await {
            Ok(Some(found)) => found,
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(%error, %customer, "the suspension email was not sent");
                return;
            }
        };
        let view = BalanceView {
            customer: customer.id,
            balance,
            service: ServiceState::of_balance(balance),
        };
        let email = Email {
            to: customer.email,
            subject: "Your numbers are suspended: the balance is negative".into(),
            body: format!(
                "The monthly fees were charged and your balance is now {}. Your numbers stay \
                 yours, but they receive no calls and no SMS until the balance is zero or \
                 above again (R10.4). Top up to restore service; your charge days do not \
                 change (R10.5).",
                view.balance
            ),
        };
        // The charge is committed; a failed email does not undo it.
        super::logged(
            self.ports.notifier.send(email).await,
            "the suspension email",
        );
    }
}
