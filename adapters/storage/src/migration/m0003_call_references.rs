//! The SIP engine's reference of each call record (its Call-ID), unique, so that a report
//! sent twice (a retry after a lost answer) is stored once.

use sea_orm_migration::prelude::*;

use super::run_ddl;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const UP: &str = "
ALTER TABLE call_records ADD COLUMN reference TEXT;
CREATE UNIQUE INDEX call_reference ON call_records (reference)
";

const DOWN: &str = "
DROP INDEX call_reference;
ALTER TABLE call_records DROP COLUMN reference
";

// The trait declares `&SchemaManager` with its lifetime elided; the impl must match it.
#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_ddl(manager.get_connection(), UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_ddl(manager.get_connection(), DOWN).await
    }
}
