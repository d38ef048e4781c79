//! Schema migrations, run by [`crate::SeaOrmStore::connect`] on every start-up.
//!
//! Each step is a module `mNNNN_<what>` with DDL for both backends; adding a repository
//! adds one step here. Steps are never edited once released: a change is a new step.

mod m0001_initial;
mod m0002_repositories;
mod m0003_call_references;
mod m0004_payments;

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
        ]
    }
}

/// Runs DDL written once for both backends: `{id}` becomes an auto-increment primary key,
/// `{date}` a calendar day and `{instant}` a UTC instant in the backend's own types.
/// Statements are separated by `;`.
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
