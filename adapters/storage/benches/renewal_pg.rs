//! The renewal run on PostgreSQL at scale, against hand-written SQL in the same run.
//!
//! Seeds two identical schemas with `VNUM_BENCH_NUMBERS` due numbers (default 1,000,000)
//! in `VNUM_BENCH_CUSTOMERS` customers (default 4,000), plus numbers that are not due
//! (deleted before the charge day, paid ahead, another anchor day). Then it charges
//! 28 February 2027, when the anchor days 28 to 31 are due (R10.2, R10.D1):
//!
//! - vnum: the production run, `Vnum::run_renewals`, in batches of `VNUM_BENCH_BATCH`
//!   numbers (default 50,000), one unit of work each, until a batch selects fewer; it also
//!   emails every customer whose balance went below zero;
//! - baseline: one hand-written SQL transaction that makes the same charges at once.
//!
//! It prints both times and their ratio, and fails unless both made the same number of
//! charges for the same total and left the same balances. Run it with
//! `cargo bench -p vnum-storage --bench renewal_pg`; `VNUM_TEST_POSTGRES_URL` picks the
//! server (default `postgres://postgres@127.0.0.1:5432/test`).

// A bench reports on standard output, and a failed setup is a failed bench.
#![allow(clippy::print_stdout, clippy::expect_used)]

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use std::sync::Arc;

use vnum_app::Config;
use vnum_app::ports::Store;
use vnum_app::testing::World;
use vnum_core::Period;
use vnum_storage::SeaOrmStore;
use vnum_testkit::{at, day};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| v.parse().expect("a whole number"))
        .unwrap_or(default)
}

struct Schema {
    name: String,
    store: SeaOrmStore,
}

async fn schema(url: &str, admin: &DatabaseConnection, name: String) -> Schema {
    admin
        .execute_unprepared(&format!(
            "DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}"
        ))
        .await
        .expect("the bench schema is created");
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .set_schema_search_path(name.clone())
        .max_connections(2);
    let store = SeaOrmStore::connect_with(options)
        .await
        .expect("the store connects and migrates");
    Schema { name, store }
}

/// The same rows in every schema: `numbers` due ones, and 5% more that are not due.
async fn seed(schema: &Schema, customers: u64, numbers: u64) {
    let sql = format!(
        "SET search_path TO {s};
        INSERT INTO customers (name, email, email_key, kind, currency, registered_at, balance_minor)
        SELECT 'Customer ' || g, 'c' || g || '@example.com', 'c' || g || '@example.com',
               'person', 'EUR', TIMESTAMPTZ '2026-01-01 00:00:00+00', 10000 + g % 5000
        FROM generate_series(1, {customers}) g;
        INSERT INTO numbers (customer_id, offer_id, country, e164, anchor_day, connected_on,
                             paid_through, fee_minor, fee_currency, deleted_on, version)
        SELECT 1 + g % {customers}, 1, 'DE', '+4930' || (10000000 + g),
               28 + g % 4, DATE '2026-01-28' + (g % 4), DATE '2027-02-28', 100 + g % 900,
               'EUR', NULL, 1
        FROM generate_series(1, {numbers}) g;
        INSERT INTO numbers (customer_id, offer_id, country, e164, anchor_day, connected_on,
                             paid_through, fee_minor, fee_currency, deleted_on, version)
        SELECT 1 + g % {customers}, 1, 'DE', '+4931' || (10000000 + g),
               CASE g % 3 WHEN 0 THEN 27 ELSE 28 END, DATE '2026-01-27' + (g % 3 = 0)::int,
               CASE g % 3 WHEN 1 THEN DATE '2027-03-28' ELSE DATE '2027-02-28' END,
               100 + g % 900, 'EUR',
               CASE g % 3 WHEN 2 THEN DATE '2027-02-27' END, 1
        FROM generate_series(1, {extra}) g;
        ANALYZE customers; ANALYZE numbers; ANALYZE ledger_entries",
        s = schema.name,
        extra = numbers / 20,
    );
    schema
        .store
        .connection()
        .execute_unprepared(&sql)
        .await
        .expect("the bench data is seeded");
}

/// The periods that start on the charge day: the anchors 28 to 31 all end in March.
fn anchors(day: NaiveDate) -> Vec<(u32, NaiveDate)> {
    (28..=31)
        .map(|anchor| (anchor, vnum_testkit::day(2027, 3, anchor)))
        .collect::<Vec<_>>()
        .into_iter()
        .filter(|(_, end)| *end > day)
        .collect()
}

/// The renewal run as production runs it: `Vnum::run_renewals` on the store, its clock on
/// the charge day, the day before done, batches of `limit`. It also tells every customer
/// whose balance went below zero (R10.4), which the baseline does not.
async fn vnum_renewal(store: &SeaOrmStore, day: NaiveDate, limit: u64) -> (Duration, u64, u64) {
    {
        let mut tx = store.begin().await.expect("a unit of work begins");
        tx.set_last_renewal_day(day.pred_opt().expect("a day before"))
            .await
            .expect("yesterday is done");
        tx.commit().await.expect("it commits");
    }
    let config = Config {
        renewal_batch_size: limit,
        ..Config::default()
    };
    let vnum = World::on_store(Arc::new(store.clone()), at(day, 3), config).vnum;
    let started = Instant::now();
    let report = vnum.run_renewals().await.expect("the renewals run");
    assert_eq!(report.days, [day], "one day renewed");
    (started.elapsed(), report.charged, report.batches)
}

async fn hand_written_renewal(db: &DatabaseConnection, schema: &str, day: NaiveDate) -> Duration {
    let values: Vec<String> = anchors(day)
        .into_iter()
        .map(|(anchor, end)| {
            let period = Period::new(day, end).expect("the period ends after the charge day");
            format!("({anchor}, DATE '{end}', 'Monthly fee {period}')")
        })
        .collect();
    let sql = format!(
        "SET search_path TO {schema};
        BEGIN;
        WITH anchors (anchor_day, period_end, description) AS (VALUES {values}),
        due AS (
            SELECT n.id, n.customer_id, n.fee_minor, n.fee_currency, a.period_end, a.description
            FROM numbers n JOIN anchors a ON a.anchor_day = n.anchor_day
            WHERE n.paid_through <= DATE '{day}'
              AND (n.deleted_on IS NULL OR n.deleted_on >= DATE '{day}')
        ),
        charged AS (
            INSERT INTO ledger_entries (customer_id, kind, amount_minor, currency, number_id,
                period_start, period_end, rule, description, at)
            SELECT customer_id, 'charge', -fee_minor, fee_currency, id, DATE '{day}',
                   period_end, 'R10.2', description, TIMESTAMPTZ '{day} 03:00:00+00'
            FROM due
            ON CONFLICT DO NOTHING
            RETURNING customer_id, amount_minor
        ),
        moved AS (
            UPDATE numbers SET paid_through = due.period_end, version = numbers.version + 1
            FROM due WHERE numbers.id = due.id
        )
        UPDATE customers SET balance_minor = customers.balance_minor + t.total
        FROM (SELECT customer_id, sum(amount_minor) AS total FROM charged GROUP BY customer_id) t
        WHERE customers.id = t.customer_id;
        COMMIT",
        values = values.join(", "),
    );
    let started = Instant::now();
    db.execute_unprepared(&sql)
        .await
        .expect("the hand-written run succeeds");
    started.elapsed()
}

/// Charges, their total, and the sum of all balances, in minor units.
async fn totals(db: &DatabaseConnection, schema: &str) -> (i64, i64, i64) {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT (SELECT count(*) FROM {schema}.ledger_entries WHERE kind = 'charge'),
                        (SELECT coalesce(sum(amount_minor), 0)::bigint
                         FROM {schema}.ledger_entries WHERE kind = 'charge'),
                        (SELECT sum(balance_minor)::bigint FROM {schema}.customers)"
            ),
        ))
        .await
        .expect("the totals are read")
        .expect("one row");
    (
        row.try_get_by_index(0).expect("a count"),
        row.try_get_by_index(1).expect("a total"),
        row.try_get_by_index(2).expect("a sum of balances"),
    )
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime starts");
    runtime.block_on(run());
}

async fn run() {
    let url = std::env::var("VNUM_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let numbers = setting("VNUM_BENCH_NUMBERS", 1_000_000);
    let customers = setting("VNUM_BENCH_CUSTOMERS", 4_000);
    let limit = setting("VNUM_BENCH_BATCH", 50_000);
    let day = day(2027, 2, 28);

    let admin = Database::connect(url.as_str())
        .await
        .expect("PostgreSQL is reachable");
    let tag = std::process::id();
    let vnum = schema(&url, &admin, format!("vnum_bench_{tag}_vnum")).await;
    let baseline = schema(&url, &admin, format!("vnum_bench_{tag}_sql")).await;
    let seeding = Instant::now();
    seed(&vnum, customers, numbers).await;
    seed(&baseline, customers, numbers).await;
    println!(
        "seeded 2 x {numbers} due numbers (+{} not due) in {customers} customers in {:.1?}",
        numbers / 20,
        seeding.elapsed()
    );

    // Each timed run starts from a clean checkpoint, so neither pays for the other's writes.
    let checkpoint = || async {
        admin
            .execute_unprepared("CHECKPOINT")
            .await
            .expect("a checkpoint is taken");
    };
    checkpoint().await;
    let (vnum_time, charged, batches) = vnum_renewal(&vnum.store, day, limit).await;
    checkpoint().await;
    let sql_time = hand_written_renewal(baseline.store.connection(), &baseline.name, day).await;

    let vnum_totals = totals(&admin, &vnum.name).await;
    let sql_totals = totals(&admin, &baseline.name).await;
    println!(
        "vnum run_renewals: {vnum_time:>10.2?}  ({charged} charges in {batches} batches of {limit})"
    );
    println!("hand-written SQL: {sql_time:>10.2?}  (one transaction)");
    println!(
        "ratio vnum / SQL: {:.2}",
        vnum_time.as_secs_f64() / sql_time.as_secs_f64()
    );
    println!("charges, total, balances: vnum {vnum_totals:?}, SQL {sql_totals:?}");
    for schema in [&vnum.name, &baseline.name] {
        admin
            .execute_unprepared(&format!("DROP SCHEMA {schema} CASCADE"))
            .await
            .expect("the bench schema drops");
    }
    assert_eq!(vnum_totals, sql_totals, "both runs made the same charges");
    assert_eq!(i64::try_from(charged).expect("fits"), vnum_totals.0);
    assert_eq!(
        vnum_totals.0,
        i64::try_from(numbers).expect("fits"),
        "every due number charged"
    );
}
