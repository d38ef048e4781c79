//! The first start of the server binary on a fresh SQLite file, killed (SIGKILL) at moments
//! spread over its start-up, migrations included, and started again: the second start must
//! serve, and the file must hold the whole schema, as a start never interrupted leaves it.

// A failed unwrap here is a failed test with a location.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait as _, Database, DatabaseConnection, DbBackend, Statement};
use vnum_storage::SeaOrmStore;

/// How many first starts are killed.
const TRIES: u32 = 12;

/// What a start printed, line by line, with the instant each line arrived.
struct Started {
    child: Child,
    lines: mpsc::Receiver<(Instant, String)>,
    at: Instant,
}

/// The server binary on the SQLite file `database`, on a port the system chooses, with the
/// demo seeded as the binary does by default.
fn start(database: &Path) -> Started {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vnum-server"))
        .env_clear()
        .env("DATABASE_URL", format!("sqlite://{}", database.display()))
        .env("VNUM_LISTEN", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let at = Instant::now();
    let stdout = child.stdout.take().unwrap();
    let (send, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if send.send((Instant::now(), line)).is_err() {
                break;
            }
        }
    });
    Started { child, lines, at }
}

impl Started {
    /// Waits for a line containing `text`: how long after the start it came.
    fn until(&self, text: &str) -> Duration {
        let deadline = self.at + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok((at, line)) if line.contains(text) => return at - self.at,
                Ok(_) => {}
                Err(e) => panic!("the server never printed {text:?}: {e}"),
            }
        }
    }

    /// Kills the process with SIGKILL: what it printed before, line by line.
    fn kill(mut self) -> Vec<String> {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        self.lines.try_iter().map(|(_, line)| line).collect()
    }
}

/// The file `database` with its WAL, shared memory and lock files.
fn remove(database: &Path) {
    for suffix in ["", "-wal", "-shm", ".lock"] {
        let mut name = database.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(name);
    }
}

/// The schema as SQLite keeps it, and the migration steps recorded as applied.
async fn schema(db: &DatabaseConnection) -> (String, i64) {
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name",
        ))
        .await
        .unwrap();
    let sql = rows
        .iter()
        .map(|row| format!("{};\n", row.try_get_by_index::<String>(2).unwrap()))
        .collect();
    let applied = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT count(*) FROM seaql_migrations",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index(0)
        .unwrap();
    (sql, applied)
}

/// A pseudo-random fraction in [0, 1) for try `n`, different in every run.
fn jitter(n: u32) -> f64 {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let mixed = (u64::from(seed) ^ u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15))
        .wrapping_mul(0xbf58_476d_1ce4_e5b9);
    f64::from(u32::try_from(mixed >> 40).unwrap()) / f64::from(1u32 << 24)
}

#[tokio::test]
async fn a_first_start_killed_at_any_moment_starts_again_with_the_whole_schema() {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("vnum-first-start-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let database = dir.join("vnum.sqlite");

    // A start never interrupted: the schema to expect, and how long start-up takes.
    let reference = {
        let store = SeaOrmStore::connect("sqlite::memory:").await.unwrap();
        schema(store.connection()).await
    };
    assert_eq!(
        reference.1,
        i64::try_from(SeaOrmStore::migration_steps()).unwrap()
    );
    remove(&database);
    let clean = start(&database);
    let migrated = clean.until("storage ready");
    let listening = clean.until("vnum listening on");
    clean.kill();

    let mut before_migrated = 0;
    for n in 0..TRIES {
        remove(&database);
        // Two thirds spread over the opening of the store and its migrations, the rest
        // over the whole start-up, to a little after it serves.
        let (window, slot, slots) = if n < TRIES * 2 / 3 {
            (migrated.as_secs_f64() * 1.5, n, TRIES * 2 / 3)
        } else {
            (
                listening.as_secs_f64() * 1.2,
                n - TRIES * 2 / 3,
                TRIES - TRIES * 2 / 3,
            )
        };
        let delay = window * (f64::from(slot) + jitter(n)) / f64::from(slots);
        let first = start(&database);
        std::thread::sleep(Duration::from_secs_f64(delay));
        let printed = first.kill();
        if !printed.iter().any(|line| line.contains("storage ready")) {
            before_migrated += 1;
        }

        let second = start(&database);
        second.until("vnum listening on");
        second.kill();
        let db = Database::connect(format!("sqlite://{}?mode=ro", database.display()))
            .await
            .unwrap();
        assert_eq!(
            schema(&db).await,
            reference,
            "killed {delay:.3} s into the first start"
        );
        db.close().await.unwrap();
    }
    remove(&database);
    let _ = std::fs::remove_dir(&dir);
    eprintln!(
        "{TRIES} first starts killed (migrated after {:.0} ms, serving after {:.0} ms): \
         {before_migrated} before the migrations were done",
        migrated.as_secs_f64() * 1000.0,
        listening.as_secs_f64() * 1000.0
    );
    assert!(
        before_migrated > 0 && before_migrated < TRIES,
        "the kills came both before and after the migrations"
    );
}
