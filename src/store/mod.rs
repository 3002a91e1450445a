//! Everything that touches SQLite: opening with the right pragmas, migrations, and one module per
//! table group. One writer connection (all writes `BEGIN IMMEDIATE`, `synchronous=FULL`) and a small
//! pool of read-only connections; async callers go through `spawn_blocking`.

pub mod account;
pub mod audit;
pub mod closure;
pub mod config;
pub mod earlier;
pub mod event;
pub mod goal;
pub mod import;
mod migrate;
pub mod tally;

use crate::domain::{Config, preset::Preset};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

/// The database file inside the data directory.
pub const DB_FILE: &str = "pinne.sqlite3";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot create data directory {path}: {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
    #[error("database schema version {found} is newer than this program knows ({known}); upgrade Pinne")]
    TooNew { found: i64, known: i64 },
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("background task failed: {0}")]
    Join(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

struct Inner {
    path: PathBuf,
    /// A random per-installation key, kept in the `setting` table, for keyed hashes of throttling
    /// subjects (client addresses, typed names).
    throttle_key: Vec<u8>,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    config: RwLock<Arc<Config>>,
    /// Counts committed writes, so caches of what was read can tell that nothing changed.
    generation: std::sync::atomic::AtomicU64,
}

/// A handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

/// Applies the pragmas every connection needs.
pub fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

impl Store {
    /// Opens (creating and migrating if needed) the database in `data_dir`, seeding the default
    /// configuration into a new database.
    pub fn open(data_dir: &Path) -> Result<Store> {
        Store::open_with_preset(data_dir, &Preset::builtin(crate::domain::preset::DEFAULT).expect("default preset"))
    }

    /// Like `open`, but seeds `preset` if the database has no configuration yet.
    pub fn open_with_preset(data_dir: &Path, preset: &Preset) -> Result<Store> {
        std::fs::create_dir_all(data_dir)
            .map_err(|source| StoreError::DataDir { path: data_dir.to_path_buf(), source })?;
        let path = data_dir.join(DB_FILE);
        let mut writer = Connection::open(&path)?;
        configure(&writer)?;
        migrate::migrate(&mut writer)?;
        {
            let tx = writer.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if config::is_empty(&tx)? {
                config::apply_preset(&tx, preset)?;
            }
            tx.execute(
                "INSERT OR IGNORE INTO setting (key, value) VALUES ('throttle_key', ?1)",
                [crate::auth::new_token().0],
            )?;
            tx.commit()?;
        }
        let throttle_key: String =
            writer.query_row("SELECT value FROM setting WHERE key = 'throttle_key'", [], |r| r.get(0))?;
        let cfg = config::load(&writer)?;
        Ok(Store {
            inner: Arc::new(Inner {
                path,
                throttle_key: throttle_key.into_bytes(),
                writer: Mutex::new(writer),
                readers: Mutex::new(Vec::new()),
                config: RwLock::new(Arc::new(cfg)),
                generation: Default::default(),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The per-installation key for hashing throttling subjects.
    pub fn throttle_key(&self) -> &[u8] {
        &self.inner.throttle_key
    }

    /// The configuration as last loaded.
    pub fn config(&self) -> Arc<Config> {
        self.inner.config.read().expect("config lock").clone()
    }

    fn reader(&self) -> Result<Connection> {
        if let Some(c) = self.inner.readers.lock().expect("reader pool").pop() {
            return Ok(c);
        }
        let c = Connection::open_with_flags(
            &self.inner.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )?;
        configure(&c)?;
        c.pragma_update(None, "query_only", "ON")?;
        Ok(c)
    }

    /// Runs a read on a pooled read-only connection (blocking).
    pub fn read_blocking<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.reader()?;
        let out = f(&conn);
        let mut pool = self.inner.readers.lock().expect("reader pool");
        if pool.len() < 8 {
            pool.push(conn);
        }
        out
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction on the writer connection and commits it
    /// (blocking). With `synchronous=FULL` the commit is on disk when this returns `Ok`.
    pub fn write_blocking<T>(&self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let mut conn = self.inner.writer.lock().unwrap_or_else(|e| e.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        self.inner.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(out)
    }

    /// How many writes this handle's process has committed (see `write_blocking`).
    pub fn generation(&self) -> u64 {
        self.inner.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// `read_blocking` off the async runtime.
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.read_blocking(f))
            .await
            .map_err(|e| StoreError::Join(e.to_string()))?
    }

    /// `write_blocking` off the async runtime.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Transaction) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || store.write_blocking(f))
            .await
            .map_err(|e| StoreError::Join(e.to_string()))?
    }

    /// Reloads the cached configuration after a change.
    pub fn reload_config(&self) -> Result<()> {
        let cfg = self.read_blocking(config::load)?;
        *self.inner.config.write().expect("config lock") = Arc::new(cfg);
        Ok(())
    }
}

/// Everything a yearly report of `insats_id` for `year` is made from.
/// The first year with tallies or events for an insats: where small-number protection starts.
pub fn first_year(conn: &Connection, insats_id: i64) -> Result<Option<i32>> {
    Ok(conn.query_row(
        "SELECT min(y) FROM (SELECT min(year) AS y FROM tally_count WHERE insats_id = ?1 AND n <> 0
                             UNION ALL SELECT min(year) FROM event WHERE insats_id = ?1
                             UNION ALL SELECT min(CASE WHEN measure = 'inskrivna' THEN year - 1 ELSE year END)
                                       FROM earlier_figure WHERE insats_id = ?1)",
        [insats_id],
        |r| r.get(0),
    )?)
}

pub fn report_inputs(conn: &Connection, insats_id: i64, year: i32) -> Result<crate::report::Inputs> {
    report_inputs_until(conn, insats_id, year, 12)
}

/// The same as it stood at the end of `month` of `year`: tallies and events of later months left
/// out (budgets and goals as they are now).
pub fn report_inputs_until(conn: &Connection, insats_id: i64, year: i32, month: u32) -> Result<crate::report::Inputs> {
    let mut events = event::of_years(conn, insats_id, year - 4, year)?;
    events.retain(|e| e.period.year < year || e.period.month <= month);
    Ok(crate::report::Inputs {
        rows: tally::counts_until(conn, insats_id, year, month)?,
        answers: tally::answers_until(conn, insats_id, year, month)?,
        goals: goal::for_year(conn, insats_id, year)?,
        events,
        budgets: event::budgets(conn, insats_id, year - 4, year)?,
        earlier: earlier::of_insats(conn, insats_id)?,
    })
}

/// The inputs of a report over the span of years `first..=last` (first < last), shaped as one year
/// (`last`) so the yearly report's arithmetic applies (`report::span::report`): the span's tallies
/// and answers count as that year's (its events keep their months; the report counts them in it), everything before the span as the year before (so the enrolled at the start of
/// the span follow from the flow, counted once), budgets summed over the span, and the span's goals.
/// The last year as it stood at the end of `month`. Figures from earlier annual reports are yearly
/// and do not apply, except the enrolled at the start of a first tallied year at or before `first`.
pub fn span_inputs_until(
    conn: &Connection,
    insats_id: i64,
    first: i32,
    last: i32,
    month: u32,
) -> Result<crate::report::Inputs> {
    let mut events = event::of_years(conn, insats_id, first, last)?;
    events.retain(|e| e.period.year < last || e.period.month <= month);
    let mut answers = tally::answers_between(conn, insats_id, first, last, month)?;
    for a in &mut answers {
        a.year = last;
    }
    // The span's cost: each year's outcome, or its budget while it has none; an outcome only when
    // every year of the span has one.
    let years = event::budgets(conn, insats_id, first, last)?;
    let per_year: Vec<Option<i64>> = (first..=last)
        .map(|y| years.iter().find(|(by, _)| *by == y).and_then(|(_, b)| b.outcome_kr.or(b.budget_kr)))
        .collect();
    let all_outcomes = (first..=last).all(|y| years.iter().any(|(by, b)| *by == y && b.outcome_kr.is_some()));
    let total: Option<i64> = per_year.iter().flatten().copied().reduce(|a, b| a + b);
    let budgets = match total {
        None => Vec::new(),
        Some(kr) if all_outcomes => vec![(last, event::Budget { budget_kr: None, outcome_kr: Some(kr) })],
        Some(kr) => vec![(last, event::Budget { budget_kr: Some(kr), outcome_kr: None })],
    };
    let earlier = earlier::of_insats(conn, insats_id)?
        .into_iter()
        .filter(|(y, f)| f.measure == crate::domain::earlier::Measure::Inskrivna && *y <= first)
        .map(|(y, f)| (if y == first { last } else { last - 1 }, f))
        .collect();
    let goals = if goal::span_set(conn, insats_id, first, last)? {
        (Some(last), goal::of_span(conn, insats_id, first, last)?)
    } else {
        (None, Vec::new())
    };
    Ok(crate::report::Inputs {
        rows: tally::span_counts_until(conn, insats_id, first, last, month)?,
        answers,
        goals,
        events,
        budgets,
        earlier,
    })
}
