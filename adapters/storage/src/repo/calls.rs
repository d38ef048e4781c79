//! [`SipAccounts`] and [`CallRecords`] on their tables: key columns and the record as JSON.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use vnum_app::model::{Page, PageRequest, SipAccountRecord};
use vnum_app::ports::StoreError;
use vnum_app::ports::store::{CallRecords, SipAccounts};
use vnum_calls::{CallLine, CallRecord};
use vnum_core::{CallId, CustomerId, NumberId, SipAccountId, TrialId};

use super::{Sequence, column, from_json, to_json};
use crate::store::SeaOrmTransaction;

fn sip_values(record: &SipAccountRecord) -> Result<Vec<sea_orm::Value>, StoreError> {
    Ok(vec![
        record.id.get().into(),
        record.account.owner().get().into(),
        record.account.login().as_str().into(),
        to_json(record)?,
    ])
}

#[async_trait]
impl SipAccounts for SeaOrmTransaction<'_> {
    /// A login is unique: the unique index `sip_login` (R5.1).
    async fn insert_sip_account(
        &mut self,
        mut record: SipAccountRecord,
    ) -> Result<SipAccountRecord, StoreError> {
        record.id = SipAccountId(self.next_id(Sequence::SipAccounts).await?);
        self.write(
            "INSERT INTO sip_accounts (id, customer_id, login, record) VALUES ($1, $2, $3, $4)",
            sip_values(&record)?,
        )
        .await?;
        Ok(record)
    }

    async fn update_sip_account(&mut self, record: &SipAccountRecord) -> Result<(), StoreError> {
        let updated = self
            .write(
                "UPDATE sip_accounts SET customer_id = $2, login = $3, record = $4 WHERE id = $1",
                sip_values(record)?,
            )
            .await?;
        if updated == 0 {
            return Err(StoreError::Stale {
                what: "SIP account",
                id: record.id.get(),
            });
        }
        Ok(())
    }

    async fn delete_sip_account(&mut self, id: SipAccountId) -> Result<(), StoreError> {
        let deleted = self
            .write(
                "DELETE FROM sip_accounts WHERE id = $1",
                vec![id.get().into()],
            )
            .await?;
        if deleted == 0 {
            return Err(StoreError::Stale {
                what: "SIP account",
                id: id.get(),
            });
        }
        Ok(())
    }

    async fn sip_account(
        &mut self,
        id: SipAccountId,
    ) -> Result<Option<SipAccountRecord>, StoreError> {
        self.record(
            "SELECT record FROM sip_accounts WHERE id = $1",
            vec![id.get().into()],
        )
        .await
    }

    async fn sip_account_by_login(
        &mut self,
        login: &str,
    ) -> Result<Option<SipAccountRecord>, StoreError> {
        self.record(
            "SELECT record FROM sip_accounts WHERE login = $1",
            vec![login.into()],
        )
        .await
    }

    async fn sip_accounts_of(
        &mut self,
        customer: CustomerId,
    ) -> Result<Vec<SipAccountRecord>, StoreError> {
        self.records(
            "SELECT record FROM sip_accounts WHERE customer_id = $1 ORDER BY id",
            vec![customer.get().into()],
        )
        .await
    }
}

#[async_trait]
impl CallRecords for SeaOrmTransaction<'_> {
    /// The unique index `call_reference` decides, under concurrency too.
    async fn insert_call(
        &mut self,
        call: CallRecord,
        reference: Option<&str>,
    ) -> Result<CallRecord, StoreError> {
        let call = call.with_id(CallId(self.next_id(Sequence::Calls).await?));
        // A free test's calls have a table of their own (R8 Decision).
        let (sql, line) = match call.line() {
            CallLine::Number(number) => (
                "INSERT INTO call_records (id, number_id, started_at, record, reference)
                VALUES ($1, $2, $3, $4, $5)",
                number.get(),
            ),
            CallLine::Trial(trial) => (
                "INSERT INTO trial_calls (id, trial_id, started_at, record, reference)
                VALUES ($1, $2, $3, $4, $5)",
                trial.get(),
            ),
        };
        self.write(
            sql,
            vec![
                call.id().get().into(),
                line.into(),
                call.start().into(),
                to_json(&call)?,
                reference.map(str::to_owned).into(),
            ],
        )
        .await?;
        Ok(call)
    }

    async fn update_call(&mut self, call: &CallRecord) -> Result<(), StoreError> {
        let table = match call.line() {
            CallLine::Number(_) => "call_records",
            CallLine::Trial(_) => "trial_calls",
        };
        let updated = self
            .execute(
                &format!("UPDATE {table} SET started_at = $2, record = $3 WHERE id = $1"),
                vec![call.id().get().into(), call.start().into(), to_json(call)?],
            )
            .await?;
        if updated == 0 {
            return Err(StoreError::Stale {
                what: "call",
                id: call.id().get(),
            });
        }
        Ok(())
    }

    async fn call_by_reference(
        &mut self,
        reference: &str,
    ) -> Result<Option<CallRecord>, StoreError> {
        self.record(
            "SELECT record FROM call_records WHERE reference = $1
            UNION ALL SELECT record FROM trial_calls WHERE reference = $1",
            vec![reference.into()],
        )
        .await
    }

    async fn calls_by_references(
        &mut self,
        references: &[&str],
    ) -> Result<Vec<(String, CallRecord)>, StoreError> {
        let mut found = Vec::new();
        // Within the parameters every backend takes in one statement.
        for chunk in references.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let list = placeholders.join(", ");
            let sql = format!(
                "SELECT reference, record FROM call_records WHERE reference IN ({list})
                UNION ALL SELECT reference, record FROM trial_calls WHERE reference IN ({list})"
            );
            let values = chunk.iter().map(|r| (*r).into()).collect();
            for row in self.query_all(&sql, values).await? {
                found.push((column(&row, 0)?, from_json(&column::<String>(&row, 1)?)?));
            }
        }
        Ok(found)
    }

    async fn calls_of_trial(&mut self, trial: TrialId) -> Result<Vec<CallRecord>, StoreError> {
        self.records(
            "SELECT record FROM trial_calls WHERE trial_id = $1 ORDER BY started_at, id",
            vec![trial.get().into()],
        )
        .await
    }

    async fn calls(
        &mut self,
        numbers: &[NumberId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CallRecord>, StoreError> {
        if numbers.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (0..numbers.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "SELECT record FROM call_records
            WHERE started_at >= $1 AND started_at < $2 AND number_id IN ({})
            ORDER BY started_at, id",
            placeholders.join(", ")
        );
        let mut values = vec![from.into(), to.into()];
        values.extend(numbers.iter().map(|n| n.get().into()));
        self.records(&sql, values).await
    }

    /// Keyset on (start, id): the calls after the cursor's, which is found by its id.
    async fn calls_page(
        &mut self,
        number: NumberId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        page: PageRequest,
    ) -> Result<Page<CallRecord>, StoreError> {
        let limit = i64::try_from(page.rows()).unwrap_or(i64::MAX);
        let rows = match page.after {
            None => {
                self.records(
                    "SELECT record FROM call_records
                    WHERE number_id = $1 AND started_at >= $2 AND started_at < $3
                    ORDER BY started_at, id LIMIT $4",
                    vec![number.get().into(), from.into(), to.into(), limit.into()],
                )
                .await?
            }
            Some(after) => {
                self.records(
                    "SELECT c.record FROM call_records c, call_records cursor
                    WHERE cursor.id = $4 AND c.number_id = $1
                      AND c.started_at >= $2 AND c.started_at < $3
                      AND (c.started_at > cursor.started_at
                           OR (c.started_at = cursor.started_at AND c.id > cursor.id))
                    ORDER BY c.started_at, c.id LIMIT $5",
                    vec![
                        number.get().into(),
                        from.into(),
                        to.into(),
                        after.into(),
                        limit.into(),
                    ],
                )
                .await?
            }
        };
        Ok(Page::of_rows(rows, page, |c: &CallRecord| c.id().get()))
    }

    async fn customer_calls(
        &mut self,
        customer: CustomerId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CallRecord>, StoreError> {
        self.records(
            "SELECT record FROM call_records
            WHERE started_at >= $1 AND started_at < $2
              AND number_id IN (SELECT id FROM numbers WHERE customer_id = $3)
            ORDER BY started_at, id",
            vec![from.into(), to.into(), customer.get().into()],
        )
        .await
    }
}
