//! Schema migrations, run by [`crate::SeaOrmStore::connect`] on every start-up.
//!
//! Each step is a module `mNNNN_<what>` with DDL for both backends; adding a repository
//! adds one step here. Steps are never edited once released: a change is a new step. A
//! step depends on nothing that changes with the code: its DDL, the names it creates
//! (sequences included) and any data it writes are literals in its module, never read from
//! the entities, the codecs or the enums of this crate, which describe the newest schema.
//! [`run_ddl`] is part of every step: its placeholders keep the types they have.

/// A migration step that is DDL alone: `UP` applied forwards, `DOWN` backwards, both
/// through [`run_ddl`]. Expands, in the step's module, to its `Migration` (named after the
/// module) and the trait impl every such step would otherwise write out.
macro_rules! ddl_migration {
    () => {
        #[derive(sea_orm_migration::prelude::DeriveMigrationName)]
        pub(crate) struct Migration;

        // The trait declares `&SchemaManager` with its lifetime elided; the impl must
        // match it.
        #[allow(elided_lifetimes_in_paths)]
        #[async_trait::async_trait]
        impl sea_orm_migration::MigrationTrait for Migration {
            async fn up(
                &self,
                manager: &sea_orm_migration::SchemaManager,
            ) -> Result<(), sea_orm::DbErr> {
                super::run_ddl(manager.get_connection(), UP).await
            }

            async fn down(
                &self,
                manager: &sea_orm_migration::SchemaManager,
            ) -> Result<(), sea_orm::DbErr> {
                super::run_ddl(manager.get_connection(), DOWN).await
            }
        }
    };
}

mod m0001_initial;
mod m0002_repositories;
mod m0003_call_references;
mod m0004_payments;
mod m0005_rates;
mod m0006_key_management;
mod m0007_trial_calls;
mod m0008_outbox;
mod m0009_holds;
mod m0010_renewal_stop;
mod m0011_number_sms;
mod m0012_recording_orders;

use sea_orm::{ConnectionTrait, DbBackend, DbErr};
use sea_orm_migration::{MigrationTrait, MigratorTrait};

/// Every migration step, oldest first.
pub(crate) struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_initial::Migration),
            Box::new(m0002_repositories::Migration),
            Box::new(m0003_call_references::Migration),
            Box::new(m0004_payments::Migration),
            Box::new(m0005_rates::Migration),
            Box::new(m0006_key_management::Migration),
            Box::new(m0007_trial_calls::Migration),
            Box::new(m0008_outbox::Migration),
            Box::new(m0009_holds::Migration),
            Box::new(m0010_renewal_stop::Migration),
            Box::new(m0011_number_sms::Migration),
            Box::new(m0012_recording_orders::Migration),
        ]
    }
}

/// Runs DDL written once for both backends: `{id}` becomes an auto-increment primary key,
/// `{date}` a calendar day and `{instant}` a UTC instant in the backend's own types.
/// Statements are separated by `;`. Applied steps run through it, so what a placeholder
/// becomes never changes; another type is another placeholder.
async fn run_ddl<C: ConnectionTrait>(db: &C, ddl: &str) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let (id, date, instant) = match backend {
        DbBackend::Postgres => ("BIGSERIAL PRIMARY KEY", "DATE", "TIMESTAMPTZ"),
        // SQLite keeps days and instants as ISO 8601 text, which sorts chronologically.
        _ => ("INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT", "TEXT"),
    };
    let ddl = ddl
        .replace("{id}", id)
        .replace("{date}", date)
        .replace("{instant}", instant);
    for statement in ddl.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Statement};

    use crate::SeaOrmStore;
    use crate::repo::Sequence;

    /// The steps create their sequences by name, from lists of their own: every sequence
    /// the code draws ids from must be among them.
    #[tokio::test]
    async fn the_migrations_create_every_id_sequence_the_code_uses() {
        let store = SeaOrmStore::connect("sqlite::memory:").await.unwrap();
        for sequence in Sequence::ALL {
            let row = store
                .connection()
                .query_one_raw(Statement::from_sql_and_values(
                    sea_orm::DbBackend::Sqlite,
                    "SELECT count(*) FROM id_sequences WHERE name = $1",
                    [sequence.name().into()],
                ))
                .await
                .unwrap()
                .unwrap();
            let count: i64 = row.try_get_by_index(0).unwrap();
            assert_eq!(count, 1, "{}", sequence.name());
        }
    }
}
