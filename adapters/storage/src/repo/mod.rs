//! One module per port: each is one `impl` block for [`SeaOrmTransaction`].

mod api_keys;
mod customers;
mod ledger;
mod numbers;
mod renewals;

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryResult, QueryTrait,
    Statement, Value,
};
use vnum_app::ports::StoreError;

use crate::error::store_error;
use crate::store::SeaOrmTransaction;

impl SeaOrmTransaction {
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
}

/// Column `index` of a raw row.
fn column<T: sea_orm::TryGetable>(row: &QueryResult, index: usize) -> Result<T, StoreError> {
    row.try_get_by_index(index).map_err(store_error)
}
