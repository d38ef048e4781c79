//! One module per port: each is one `impl` block for [`SeaOrmTransaction`].

/// Answers a lookup from the read cache under `$key` when the unit of work may, and
/// otherwise evaluates `$load` (a `Result`) and remembers its answer.
macro_rules! cached {
    ($tx:expr, $key:expr, $load:expr) => {
        match $tx.recall($key) {
            Ok(hit) => Ok(hit),
            Err(ticket) => {
                let answer = $load;
                if let Ok(answer) = &answer {
                    $tx.remember(ticket, answer);
                }
                answer
            }
        }
    };
}

mod api_keys;
mod calls;
mod catalogue;
mod companies;
mod customers;
mod events;
mod holds;
mod ledger;
mod numbers;
mod payments;
mod rates;
mod recordings;
mod renewals;
mod sales;
mod sms;
mod trials;
mod waitlists;

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryResult,
    QueryTrait, Statement, TransactionTrait, Value,
};
use vnum_app::ports::StoreError;

use crate::error::{corrupt, store_error};
use crate::record::{self, Record};
use crate::store::SeaOrmTransaction;

impl SeaOrmTransaction<'_> {
    /// A raw statement with `$n` placeholders, which both backends accept.
    fn statement(&self, sql: &str, values: Vec<Value>) -> Statement {
        Statement::from_sql_and_values(self.backend, sql, values)
    }

    async fn query_all(
        &self,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<Vec<QueryResult>, StoreError> {
        self.txn
            .query_all_raw(self.statement(sql, values))
            .await
            .map_err(store_error)
    }

    async fn query_one(
        &self,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<Option<QueryResult>, StoreError> {
        self.txn
            .query_one_raw(self.statement(sql, values))
            .await
            .map_err(store_error)
    }

    /// Inserts a row unless a unique index holds its key already: `None` then. `DO NOTHING`
    /// instead of a unique violation keeps the transaction usable after a conflict, as the
    /// ports promise.
    async fn insert_unless_taken<A>(
        &self,
        row: A,
    ) -> Result<Option<<A::Entity as EntityTrait>::Model>, StoreError>
    where
        A: ActiveModelTrait + Send,
    {
        let mut insert = <A::Entity as EntityTrait>::insert(row)
            .on_conflict(OnConflict::new().do_nothing().to_owned())
            .into_query();
        insert.returning_all();
        self.txn
            .query_one(&insert)
            .await
            .map_err(store_error)?
            .map(|row| <A::Entity as EntityTrait>::Model::from_query_result(&row, ""))
            .transpose()
            .map_err(store_error)
    }

    async fn execute(&self, sql: &str, values: Vec<Value>) -> Result<u64, StoreError> {
        self.txn
            .execute_raw(self.statement(sql, values))
            .await
            .map(|result| result.rows_affected())
            .map_err(store_error)
    }

    /// Runs a write that a unique index may refuse, in a savepoint: a violation comes back
    /// as the [`StoreError::Conflict`] named after its index and leaves the unit of work
    /// usable, as the ports promise. Returns the rows written.
    async fn write(&self, sql: &str, values: Vec<Value>) -> Result<u64, StoreError> {
        let savepoint = self.txn.begin().await.map_err(store_error)?;
        match savepoint.execute_raw(self.statement(sql, values)).await {
            Ok(result) => {
                savepoint.commit().await.map_err(store_error)?;
                Ok(result.rows_affected())
            }
            Err(error) => {
                savepoint.rollback().await.map_err(store_error)?;
                Err(store_error(error))
            }
        }
    }

    /// The next value of one of the id sequences of the migrations, for records whose
    /// id is known before they are stored: a PostgreSQL sequence (never rolled back, so
    /// never handed out twice), or a row of `id_sequences` on SQLite, whose single writer
    /// makes the increment safe.
    async fn next_id(&self, sequence: Sequence) -> Result<i64, StoreError> {
        let name = sequence.name();
        let row = match self.backend {
            DbBackend::Postgres => {
                self.query_one(&format!("SELECT nextval('{name}')"), Vec::new())
                    .await?
            }
            _ => {
                self.query_one(
                    "UPDATE id_sequences SET last_id = last_id + 1 WHERE name = $1 \
                     RETURNING last_id",
                    vec![name.into()],
                )
                .await?
            }
        };
        let row = row.ok_or_else(|| corrupt("id sequence", format!("{name} is missing")))?;
        column(&row, 0)
    }

    /// The records in the first column of every row, decoded from JSON.
    async fn records<T: Record>(
        &self,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<Vec<T>, StoreError> {
        self.query_all(sql, values)
            .await?
            .iter()
            .map(|row| from_json(&column::<String>(row, 0)?))
            .collect()
    }

    /// The record in the first column of the first row, if any, decoded from JSON.
    async fn record<T: Record>(
        &self,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<Option<T>, StoreError> {
        self.query_one(sql, values)
            .await?
            .map(|row| from_json(&column::<String>(&row, 0)?))
            .transpose()
    }
}

/// The id sequences, one per kind of record whose id storage assigns. Each is created by
/// name in the migration step that introduced its table (`m0002`, `m0004`); the steps do not
/// read this list, which grows with the code.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Sequence {
    Offers,
    /// Documents and the numbers of closing documents share one space of document ids.
    Documents,
    Orders,
    Agreements,
    SipAccounts,
    Calls,
    Contracts,
    Trials,
    WaitlistEntries,
    SmsAllocations,
    Payments,
    RecordingOrders,
}

impl Sequence {
    /// Every sequence, for the test that the migrations create each one.
    #[cfg(test)]
    pub(crate) const ALL: [Self; 12] = [
        Self::Offers,
        Self::Documents,
        Self::Orders,
        Self::Agreements,
        Self::SipAccounts,
        Self::Calls,
        Self::Contracts,
        Self::Trials,
        Self::WaitlistEntries,
        Self::SmsAllocations,
        Self::Payments,
        Self::RecordingOrders,
    ];

    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::Offers => "offer_ids",
            Self::Documents => "document_ids",
            Self::Orders => "order_ids",
            Self::Agreements => "agreement_ids",
            Self::SipAccounts => "sip_account_ids",
            Self::Calls => "call_ids",
            Self::Contracts => "contract_ids",
            Self::Trials => "trial_ids",
            Self::WaitlistEntries => "waitlist_entry_ids",
            Self::SmsAllocations => "sms_allocation_ids",
            Self::Payments => "payment_ids",
            Self::RecordingOrders => "recording_order_ids",
        }
    }
}

/// A record as the JSON text of its `record` column, in the current version of its kind.
fn to_json<T: Record>(value: &T) -> Result<Value, StoreError> {
    record::encode(value).map(Value::from)
}

/// A record from the JSON text of its `record` column, in any version this build reads.
fn from_json<T: Record>(json: &str) -> Result<T, StoreError> {
    record::decode(json)
}

/// Column `index` of a raw row.
fn column<T: sea_orm::TryGetable>(row: &QueryResult, index: usize) -> Result<T, StoreError> {
    row.try_get_by_index(index).map_err(store_error)
}
