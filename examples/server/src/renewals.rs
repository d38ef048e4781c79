//! The daily renewal run: at the start of each billing day in the billing time zone.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use vnum_app::Vnum;

/// The longest single sleep, so that a suspended machine or a clock step is noticed within
/// an hour instead of at the end of a day-long sleep.
const MAX_SLEEP: std::time::Duration = std::time::Duration::from_secs(3600);

/// The next billing day after `now` and the instant it starts: the next local midnight in
/// `tz` (R10.D2). Where a daylight-saving change skips midnight, the day starts at its first
/// local time that exists.
#[must_use]
pub fn next_billing_day(now: DateTime<Utc>, tz: Tz) -> (NaiveDate, DateTime<Utc>) {
    let today = now.with_timezone(&tz).date_naive();
    let day = today.succ_opt().unwrap_or(today);
    (day, start_of_day(day, tz))
}

/// The first instant of `day` in `tz`, also where local midnight does not exist.
pub use vnum_billing::start_of_day;

/// How often free tests, one-shot SMS allocations and holds whose time is up are ended.
const EXPIRY_INTERVAL: std::time::Duration = std::time::Duration::from_secs(30);

/// Runs the daily renewals and, every half minute, the expiry of trials (R8.1), of
/// unused one-shot SMS allocations (R9.D1) and of holds on picked numbers (R1.3), for
/// ever; abort the task to stop both.
pub async fn run_jobs(vnum: Vnum) {
    tokio::join!(run_daily(vnum.clone()), run_expiries(vnum));
}

async fn run_expiries(vnum: Vnum) {
    let mut ticks = tokio::time::interval(EXPIRY_INTERVAL);
    loop {
        ticks.tick().await;
        if let Err(err) = vnum.expire_trials().await {
            tracing::error!(error = %err, "trial expiry failed");
        }
        if let Err(err) = vnum.expire_sms_allocations().await {
            tracing::error!(error = %err, "SMS allocation expiry failed");
        }
        match vnum.expire_holds().await {
            Ok(ended) if !ended.is_empty() => tracing::info!(ended = ended.len(), "holds ended"),
            Ok(_) => {}
            Err(err) => tracing::error!(error = %err, "hold expiry failed"),
        }
    }
}

/// Runs [`renew`] at the start of every billing day, for ever; abort the task to stop it.
async fn run_daily(vnum: Vnum) {
    let tz = vnum.config().billing_time_zone;
    loop {
        let (day, starts) = next_billing_day(vnum.now(), tz);
        tracing::info!(%day, %starts, "next renewal run");
        loop {
            let left = (starts - vnum.now()).to_std().unwrap_or_default();
            if left.is_zero() {
                break;
            }
            tokio::time::sleep(left.min(MAX_SLEEP)).await;
        }
        renew(&vnum, day).await;
    }
}

/// The renewal run for billing day `day`. The run covers every day since the last completed one, so a
/// server that was down over midnight catches up (R10.D4).
pub async fn renew(vnum: &Vnum, day: NaiveDate) {
    match vnum.run_renewals().await {
        Ok(report) => tracing::info!(
            %day,
            days = report.days.len(),
            charged = report.charged,
            suspended = report.suspended.len(),
            "renewals done"
        ),
        Err(err) => {
            tracing::error!(%day, error = %err, "renewal run failed; the next run continues")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn r10_d2_the_billing_day_starts_at_local_midnight() {
        // 23:30 in Moscow (UTC+3) on 19 January is 20:30 UTC.
        let (day, starts) =
            next_billing_day(utc("2026-01-19T20:30:00Z"), chrono_tz::Europe::Moscow);
        assert_eq!(day, NaiveDate::from_ymd_opt(2026, 1, 20).unwrap());
        assert_eq!(starts, utc("2026-01-19T21:00:00Z"));
    }

    #[test]
    fn r10_d2_just_after_midnight_waits_for_the_next_one() {
        let (day, starts) =
            next_billing_day(utc("2026-01-19T21:00:01Z"), chrono_tz::Europe::Moscow);
        assert_eq!(day, NaiveDate::from_ymd_opt(2026, 1, 21).unwrap());
        assert_eq!(starts, utc("2026-01-20T21:00:00Z"));
    }

    #[test]
    fn r10_d2_a_day_whose_midnight_is_skipped_starts_at_its_first_hour() {
        // Chile springs forward at midnight: 2025-09-07 00:00 does not exist in Santiago.
        let starts = start_of_day(
            NaiveDate::from_ymd_opt(2025, 9, 7).unwrap(),
            chrono_tz::America::Santiago,
        );
        assert_eq!(starts, utc("2025-09-07T04:00:00Z"));
    }
}
