//! Call detail records and the statistics a customer sees per number (R4.6).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use vnum_core::{CallId, NumberId, Period, TrialId};

use crate::CallsError;

/// Which way a call went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// To the rented number.
    Inbound,
    /// From a SIP account, out through the rented number (R6.1).
    Outbound,
}

/// How a call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Disposition {
    /// Someone answered.
    Answered,
    /// Every branch rang out.
    NoAnswer,
    /// The target was busy.
    Busy,
    /// The call was refused with a SIP status (see the routing decision).
    Rejected {
        /// The SIP status code.
        code: u16,
    },
    /// Voicemail took the call (R4.5).
    Voicemail,
}

/// What a call was to or from: a rented number (R4.6), or the number of a free test during
/// its hour (R8 Decision).
///
/// In a record's JSON it is one field: `"number": 12` or `"trial": 3`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallLine {
    /// A rented number.
    Number(NumberId),
    /// A free test's number.
    Trial(TrialId),
}

/// One call (R4.6).
///
/// Invariant: `start <= answer <= end` where `answer` is given, and `answer` is given
/// exactly when the disposition is `Answered` or `Voicemail`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRecord {
    id: CallId,
    #[serde(flatten)]
    line: CallLine,
    direction: Direction,
    from: String,
    to: String,
    start: DateTime<Utc>,
    answer: Option<DateTime<Utc>>,
    end: DateTime<Utc>,
    disposition: Disposition,
    answered_by: Option<String>,
}

/// The fields of a [`CallRecord`], as the SIP engine reports them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRecordFields {
    /// The call.
    pub id: CallId,
    /// The rented number, or the free test, the call was to or from.
    #[serde(flatten)]
    pub line: CallLine,
    /// Inbound or outbound.
    pub direction: Direction,
    /// The caller, as signalled (an E.164 number, a SIP URI, or `anonymous`).
    pub from: String,
    /// The callee, as signalled.
    pub to: String,
    /// When the call arrived.
    pub start: DateTime<Utc>,
    /// When it was answered, if it was.
    pub answer: Option<DateTime<Utc>>,
    /// When it ended.
    pub end: DateTime<Utc>,
    /// How it ended.
    pub disposition: Disposition,
    /// The request URI of the branch that answered, if one did.
    pub answered_by: Option<String>,
}

impl CallRecord {
    /// A record from the engine's report.
    ///
    /// # Errors
    /// [`CallsError::InconsistentCallRecord`] when the times are out of order or the answer
    /// time does not match the disposition.
    pub fn new(f: CallRecordFields) -> Result<Self, CallsError> {
        let fail = |why: &'static str| CallsError::InconsistentCallRecord { id: f.id, why };
        if f.end < f.start {
            return Err(fail("it ends before it starts"));
        }
        let answered = matches!(
            f.disposition,
            Disposition::Answered | Disposition::Voicemail
        );
        match f.answer {
            Some(at) if at < f.start || at > f.end => {
                return Err(fail("it is answered outside its own duration"));
            }
            Some(_) if !answered => return Err(fail("it has an answer time but was not answered")),
            None if answered => return Err(fail("it was answered but has no answer time")),
            _ => {}
        }
        Ok(Self {
            id: f.id,
            line: f.line,
            direction: f.direction,
            from: f.from,
            to: f.to,
            start: f.start,
            answer: f.answer,
            end: f.end,
            disposition: f.disposition,
            answered_by: f.answered_by,
        })
    }

    /// The call.
    #[must_use]
    pub const fn id(&self) -> CallId {
        self.id
    }
    /// The rented number or free test it was to or from.
    #[must_use]
    pub const fn line(&self) -> CallLine {
        self.line
    }
    /// The rented number, unless it was a free test's call.
    #[must_use]
    pub const fn number(&self) -> Option<NumberId> {
        match self.line {
            CallLine::Number(number) => Some(number),
            CallLine::Trial(_) => None,
        }
    }
    /// Inbound or outbound.
    #[must_use]
    pub const fn direction(&self) -> Direction {
        self.direction
    }
    /// The caller.
    #[must_use]
    pub fn from(&self) -> &str {
        &self.from
    }
    /// The callee.
    #[must_use]
    pub fn to(&self) -> &str {
        &self.to
    }
    /// When the call arrived.
    #[must_use]
    pub const fn start(&self) -> DateTime<Utc> {
        self.start
    }
    /// When it was answered.
    #[must_use]
    pub const fn answer(&self) -> Option<DateTime<Utc>> {
        self.answer
    }
    /// When it ended.
    #[must_use]
    pub const fn end(&self) -> DateTime<Utc> {
        self.end
    }
    /// How it ended.
    #[must_use]
    pub const fn disposition(&self) -> Disposition {
        self.disposition
    }
    /// The same call under the id storage assigned to it; the id carries no invariant.
    #[must_use]
    pub fn with_id(self, id: CallId) -> Self {
        Self { id, ..self }
    }

    /// The branch that answered.
    #[must_use]
    pub fn answered_by(&self) -> Option<&str> {
        self.answered_by.as_deref()
    }

    /// Seconds from answer to end: talk time, or message time for voicemail.
    #[must_use]
    pub fn talk_seconds(&self) -> i64 {
        self.answer
            .map_or(0, |at| (self.end - at).num_seconds().max(0))
    }

    /// Which of two reports of one call (the same engine reference) describes it (R4.6):
    /// `self` stored first, `later` arriving now. An answered report wins over one that
    /// was not answered, and of two answered reports the longer one; otherwise the stored
    /// one stays. Reports of another number, direction, caller, callee or start are not
    /// the same call.
    ///
    /// # Errors
    /// [`CallsError::InconsistentCallRecord`] when `later` names another call.
    pub fn reconcile(&self, later: &Self) -> Result<Reconciled, CallsError> {
        let same_call = self.line == later.line
            && self.direction == later.direction
            && self.from == later.from
            && self.to == later.to
            && self.start == later.start;
        if !same_call {
            return Err(CallsError::InconsistentCallRecord {
                id: self.id,
                why: "a reference names one call: this report is of another number, direction, caller, callee or start",
            });
        }
        let later = later.clone().with_id(self.id);
        if later == *self {
            return Ok(Reconciled::Same);
        }
        let answered = |call: &Self| call.disposition == Disposition::Answered;
        let better = match (answered(self), answered(&later)) {
            (false, true) => true,
            (true, true) => later.talk_seconds() > self.talk_seconds(),
            _ => false,
        };
        Ok(if better {
            Reconciled::Replace(later)
        } else {
            Reconciled::Keep
        })
    }
}

/// What a second report of a stored call does (R4.6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reconciled {
    /// The same report again: nothing changes.
    Same,
    /// The stored report describes the call at least as well: it stays.
    Keep,
    /// The new report describes the call better (answered, or longer): it replaces the
    /// stored one, under the stored id.
    Replace(CallRecord),
}

/// The call statistics of one number over a period (R4.6).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallStats {
    /// Calls that started in the period.
    pub calls: u32,
    /// Calls a person answered.
    pub answered: u32,
    /// Inbound calls no person answered (no answer, busy, rejected or voicemail).
    pub missed: u32,
    /// Talk seconds of the answered calls.
    pub talk_seconds: i64,
}

impl CallStats {
    /// The average talk time of an answered call, in whole seconds; 0 with none answered.
    #[must_use]
    pub fn average_talk_seconds(&self) -> i64 {
        if self.answered == 0 {
            0
        } else {
            self.talk_seconds / i64::from(self.answered)
        }
    }
}

/// Statistics per number of the calls that started on a day of `period` in `tz` (R4.6,
/// R10.D2: days are calendar days of a zone).
#[must_use]
pub fn call_stats(
    records: &[CallRecord],
    period: &Period,
    tz: Tz,
) -> BTreeMap<NumberId, CallStats> {
    let mut stats: BTreeMap<NumberId, CallStats> = BTreeMap::new();
    for record in records {
        let day = record.start.with_timezone(&tz).date_naive();
        // A free test's calls are the test's, not a rented number's.
        let Some(number) = record.number() else {
            continue;
        };
        if !period.contains(day) {
            continue;
        }
        let entry = stats.entry(number).or_default();
        entry.calls += 1;
        if record.disposition == Disposition::Answered {
            entry.answered += 1;
            entry.talk_seconds += record.talk_seconds();
        } else if record.direction == Direction::Inbound {
            entry.missed += 1;
        }
    }
    stats
}

#[cfg(test)]
mod tests {
    use super::*;
    use vnum_testkit::{at_hms, day};

    /// `h`:`m`:`s` UTC on 31 March 2026.
    fn on_31_march(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        at_hms(day(2026, 3, 31), h, m, s)
    }

    fn record(
        id: i64,
        number: i64,
        start: DateTime<Utc>,
        talk: Option<i64>,
        d: Disposition,
    ) -> CallRecord {
        let answer = talk.map(|_| start + chrono::Duration::seconds(5));
        let end = answer.map_or(start + chrono::Duration::seconds(20), |a| {
            a + chrono::Duration::seconds(talk.unwrap_or(0))
        });
        CallRecord::new(CallRecordFields {
            id: CallId(id),
            line: CallLine::Number(NumberId(number)),
            direction: Direction::Inbound,
            from: "+4930123456".into(),
            to: "+4940123456".into(),
            start,
            answer,
            end,
            disposition: d,
            answered_by: talk.map(|_| "sip:alice@sip.vnum.test".into()),
        })
        .unwrap()
    }

    fn march() -> Period {
        Period::new(day(2026, 3, 1), day(2026, 4, 1)).unwrap()
    }

    #[test]
    fn r4_6_a_second_report_of_a_call_keeps_the_one_that_describes_it_best() {
        let start = on_31_march(9, 0, 0);
        let missed = record(7, 1, start, None, Disposition::NoAnswer);
        let answered = record(8, 1, start, Some(30), Disposition::Answered);
        let longer = record(9, 1, start, Some(31), Disposition::Answered);
        assert_eq!(missed.reconcile(&missed), Ok(Reconciled::Same));
        assert_eq!(
            missed.reconcile(&answered),
            Ok(Reconciled::Replace(answered.clone().with_id(CallId(7))))
        );
        assert_eq!(answered.reconcile(&missed), Ok(Reconciled::Keep));
        assert_eq!(
            answered.reconcile(&longer),
            Ok(Reconciled::Replace(longer.clone().with_id(CallId(8))))
        );
        assert_eq!(longer.reconcile(&answered), Ok(Reconciled::Keep));
        // Another number under the same reference is not the same call.
        let elsewhere = record(10, 2, start, Some(30), Disposition::Answered);
        assert!(matches!(
            answered.reconcile(&elsewhere),
            Err(CallsError::InconsistentCallRecord { .. })
        ));
    }

    #[test]
    fn r4_6_counts_answered_and_missed_calls_and_talk_time_per_number() {
        let records = [
            record(1, 1, on_31_march(9, 0, 0), Some(60), Disposition::Answered),
            record(
                2,
                1,
                on_31_march(10, 0, 0),
                Some(120),
                Disposition::Answered,
            ),
            record(3, 1, on_31_march(11, 0, 0), None, Disposition::NoAnswer),
            record(
                4,
                1,
                on_31_march(12, 0, 0),
                Some(30),
                Disposition::Voicemail,
            ),
            record(5, 2, on_31_march(12, 0, 0), None, Disposition::Busy),
        ];
        let stats = call_stats(&records, &march(), chrono_tz::Europe::Berlin);
        let one = stats[&NumberId(1)];
        assert_eq!((one.calls, one.answered, one.missed), (4, 2, 2));
        assert_eq!(one.talk_seconds, 180);
        assert_eq!(one.average_talk_seconds(), 90);
        assert_eq!(stats[&NumberId(2)].missed, 1);
        assert_eq!(stats[&NumberId(2)].average_talk_seconds(), 0);
    }

    #[test]
    fn r10_d2_a_call_belongs_to_the_day_of_the_zone() {
        // 23:30 UTC on 31 March is 1 April in Berlin, so not in March there.
        let late = record(1, 1, on_31_march(23, 30, 0), None, Disposition::NoAnswer);
        assert!(
            call_stats(
                std::slice::from_ref(&late),
                &march(),
                chrono_tz::Europe::Berlin
            )
            .is_empty()
        );
        assert_eq!(
            call_stats(&[late], &march(), chrono_tz::UTC)[&NumberId(1)].calls,
            1
        );
    }

    #[test]
    fn records_with_times_out_of_order_are_refused() {
        let err = CallRecord::new(CallRecordFields {
            id: CallId(1),
            line: CallLine::Number(NumberId(1)),
            direction: Direction::Outbound,
            from: "sip:alice@sip.vnum.test".into(),
            to: "+4930123456".into(),
            start: on_31_march(10, 0, 0),
            answer: None,
            end: on_31_march(9, 0, 0),
            disposition: Disposition::NoAnswer,
            answered_by: None,
        })
        .unwrap_err();
        assert!(err.to_string().contains("ends before it starts"), "{err}");
    }
}
