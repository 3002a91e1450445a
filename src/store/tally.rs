//! Tallies and their pre-aggregated counts. Every insert and void updates `tally_count` in the same
//! transaction, so a report reads a few thousand count rows however many tallies there are. A tally's
//! values live in its own row (`value_ids`, JSON pairs), so a durable write is two statements.

use super::{Result, StoreError};
use crate::domain::account::Visible;
use crate::domain::{NewTally, Period, StoredTally, VoidReason};
use rusqlite::{Connection, OptionalExtension, params};

/// Refuses a change to a tally of a closed year.
fn ensure_open(conn: &Connection, insats_id: i64, year: i32) -> Result<()> {
    match super::closure::closed_from(conn, insats_id, year)? {
        Some(closed) if closed == year => Err(StoreError::Conflict(format!(
            "{year} är stängt för insatsen. Registreringar kan inte läggas till eller makuleras; be förbundschefen öppna året om något måste rättas."
        ))),
        Some(closed) => Err(StoreError::Conflict(format!(
            "En ändring i {year} skulle ändra {closed}, som är stängt (de inskrivna vid årets början). Be förbundschefen öppna {closed} om något måste rättas."
        ))),
        None => Ok(()),
    }
}

/// Inserts a validated tally and its counts, refusing a closed year. `author` is the account that
/// registered it. Call inside a write transaction.
pub fn insert(conn: &Connection, t: &NewTally, author: Option<i64>) -> Result<i64> {
    insert_from(conn, t, author, None)
}

/// `insert`, for a tally that comes from an import (`store::import`).
pub fn insert_from(conn: &Connection, t: &NewTally, author: Option<i64>, import_id: Option<i64>) -> Result<i64> {
    ensure_open(conn, t.insats_id, t.period.year)?;
    let value_ids = serde_json::to_string(&t.values).expect("pairs of integers serialise");
    let record_key = new_record_key();
    conn.prepare_cached(
        "INSERT INTO tally (insats_id, kind_id, year, month, split_value_id, scope_value_id, value_ids, created_by, record_key, import_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        t.insats_id,
        t.kind_id,
        t.period.year,
        t.period.month,
        t.split_value_id,
        t.scope_value_id,
        value_ids,
        author,
        record_key,
        import_id
    ])?;
    let id = conn.last_insert_rowid();
    let key = CountKey {
        insats_id: t.insats_id,
        kind_id: t.kind_id,
        period: t.period,
        scope: t.scope_value_id,
        split: t.split_value_id,
    };
    bump_answers(conn, &key, &value_ids, 1, record_key)?;
    bump_counts(conn, key, t.values.iter().map(|v| v.1), 1, record_key)?;
    Ok(id)
}

/// Adds `delta` to the row of a tally's answers in `answer_count` (nothing for a tally that answers
/// no survey question): its pattern is made from the stored value pairs in the same statement.
fn bump_answers(conn: &Connection, k: &CountKey, value_ids: &str, delta: i64, record_key: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO answer_count (insats_id, kind_id, year, month, scope_value_id, split_value_id, pattern, n, k)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, p, ?7, ?8 FROM (
             SELECT group_concat(d.id || ':' || json_extract(j.value, '$[1]'), ',' ORDER BY d.id) AS p
             FROM json_each(?9) j JOIN dimension d ON d.id = json_extract(j.value, '$[0]')
             WHERE d.role = 'question')
         WHERE p IS NOT NULL
         ON CONFLICT DO UPDATE SET n = n + excluded.n, k = k + excluded.k",
    )?
    .execute(params![
        k.insats_id,
        k.kind_id,
        k.period.year,
        k.period.month,
        k.scope,
        k.split,
        delta,
        delta * record_key,
        value_ids
    ])?;
    Ok(())
}

/// How the returned questionnaires of one insats answered, per kind, year, scope value, gender
/// value and pattern (see `answer_count`), for `year − 1` and `year` up to the end of `month`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerRow {
    pub kind_id: i64,
    pub year: i32,
    pub scope_value_id: i64,
    pub split_value_id: i64,
    /// (question dimension id, answer value id), in dimension order.
    pub answers: Vec<(i64, i64)>,
    pub n: i64,
    /// The sum of the tallies' record keys.
    pub k: i64,
}

pub fn answers_until(conn: &Connection, insats_id: i64, year: i32, month: u32) -> Result<Vec<AnswerRow>> {
    answers_between(conn, insats_id, year - 1, year, month)
}

/// The same for the years `first..=last`, the last up to the end of `month`.
pub fn answers_between(conn: &Connection, insats_id: i64, first: i32, last: i32, month: u32) -> Result<Vec<AnswerRow>> {
    let rows = conn
        .prepare_cached(
            "SELECT kind_id, year, scope_value_id, split_value_id, pattern, sum(n), sum(k) FROM answer_count
             WHERE insats_id = ?1 AND year BETWEEN ?2 AND ?3 AND (year < ?3 OR month <= ?4)
             GROUP BY kind_id, year, scope_value_id, split_value_id, pattern HAVING sum(n) <> 0",
        )?
        .query_map(params![insats_id, first, last, month], |r| {
            let pattern: String = r.get(4)?;
            let answers = pattern
                .split(',')
                .filter_map(|p| p.split_once(':'))
                .filter_map(|(d, v)| Some((d.parse().ok()?, v.parse().ok()?)))
                .collect();
            Ok(AnswerRow {
                kind_id: r.get(0)?,
                year: r.get(1)?,
                scope_value_id: r.get(2)?,
                split_value_id: r.get(3)?,
                answers,
                n: r.get(5)?,
                k: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Record keys are drawn from 0..2^20 (see `report::protect::ckm`).
pub const RECORD_KEYS: i64 = 1 << 20;

/// A random record key for a new tally or event: independent of everything stored with it.
pub fn new_record_key() -> i64 {
    rand::random_range(0..RECORD_KEYS)
}

/// What a tally's count rows share.
struct CountKey {
    insats_id: i64,
    kind_id: i64,
    period: Period,
    scope: i64,
    split: i64,
}

/// Adds `delta` to the count rows of a tally, and `delta`·`record_key` to their key sums, in one
/// statement: the row of all tallies (value 0) and one row per value.
fn bump_counts(
    conn: &Connection,
    k: CountKey,
    value_ids: impl Iterator<Item = i64>,
    delta: i64,
    record_key: i64,
) -> Result<()> {
    let mut args = vec![
        k.insats_id,
        k.kind_id,
        i64::from(k.period.year),
        i64::from(k.period.month),
        k.scope,
        k.split,
        delta,
        delta * record_key,
        0,
    ];
    args.extend(value_ids);
    let rows = args.len() - 8;
    match COUNT_SQL.get_or_init(|| (0..=64).map(count_sql).collect()).get(rows) {
        Some(sql) => conn.prepare_cached(sql)?.execute(rusqlite::params_from_iter(args))?,
        None => conn.prepare_cached(&count_sql(rows))?.execute(rusqlite::params_from_iter(args))?,
    };
    Ok(())
}

/// The upsert text for `rows` count rows, built once per row count (`COUNT_SQL`) and kept prepared
/// in the connection's statement cache.
static COUNT_SQL: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();

fn count_sql(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO tally_count (insats_id, kind_id, year, month, scope_value_id, split_value_id, value_id, n, k) VALUES ",
    );
    for i in 0..rows {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&format!("(?1, ?2, ?3, ?4, ?5, ?6, ?{}, ?7, ?8)", 9 + i));
    }
    sql.push_str(" ON CONFLICT DO UPDATE SET n = n + excluded.n, k = k + excluded.k");
    sql
}

const COLUMNS: &str = "id, insats_id, kind_id, year, month, value_ids, void_reason, created_by";

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<StoredTally> {
    let (year, month): (i32, u32) = (r.get(3)?, r.get(4)?);
    let value_ids: String = r.get(5)?;
    let reason: Option<String> = r.get(6)?;
    let bad = |e: String| rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, e.into());
    Ok(StoredTally {
        id: r.get(0)?,
        insats_id: r.get(1)?,
        kind_id: r.get(2)?,
        period: Period::new(year, month).ok_or_else(|| bad(format!("bad period {year}-{month}")))?,
        values: serde_json::from_str(&value_ids).map_err(|e| bad(e.to_string()))?,
        void_reason: reason.as_deref().and_then(VoidReason::parse_stored),
        author: r.get(7)?,
    })
}

/// Reads one tally.
pub fn get(conn: &Connection, id: i64) -> Result<StoredTally> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM tally WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// Voids a tally: it stays stored but leaves every count. Call inside a write transaction.
pub fn void(conn: &Connection, id: i64, reason: VoidReason) -> Result<StoredTally> {
    let t = get(conn, id)?;
    ensure_open(conn, t.insats_id, t.period.year)?;
    if t.void_reason.is_some() {
        return Err(StoreError::Conflict("Registreringen är redan ångrad.".into()));
    }
    conn.execute("UPDATE tally SET void_reason = ?2 WHERE id = ?1", params![id, reason.as_str()])?;
    let (split, scope, record_key): (i64, i64, i64) =
        conn.query_row("SELECT split_value_id, scope_value_id, record_key FROM tally WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    let key = CountKey { insats_id: t.insats_id, kind_id: t.kind_id, period: t.period, scope, split };
    let value_ids = serde_json::to_string(&t.values).expect("pairs of integers serialise");
    bump_answers(conn, &key, &value_ids, -1, record_key)?;
    bump_counts(conn, key, t.values.iter().map(|v| v.1), -1, record_key)?;
    Ok(StoredTally { void_reason: Some(reason), ..t })
}

/// The most recent tallies of an insats that `visible` lets through, newest first, voided ones
/// included.
pub fn recent(conn: &Connection, insats_id: i64, visible: &Visible, limit: usize) -> Result<Vec<StoredTally>> {
    let rows = match visible {
        Visible::All => conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM tally WHERE insats_id = ?1 ORDER BY id DESC LIMIT ?2"))?
            .query_map(params![insats_id, limit as i64], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
        Visible::Own { author, months } => {
            let month = |p: &Period| i64::from(p.year) * 100 + i64::from(p.month);
            conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM tally
                 WHERE insats_id = ?1 AND created_by = ?3 AND year * 100 + month BETWEEN ?4 AND ?5
                 ORDER BY id DESC LIMIT ?2"
            ))?
            .query_map(params![insats_id, limit as i64, author, month(months.start()), month(months.end())], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?
        }
    };
    Ok(rows)
}

/// Number of tallies stored (voided included).
pub fn count_all(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM tally", [], |r| r.get(0))?)
}

/// Counts of active tallies of one insats, summed per kind, year, half-year, scope value, gender
/// value and value. The report shows five years (`year - 4` to `year`); all years before those are
/// folded into one row each under year `year - FOLDED_BACK` and half 1: the report needs only their
/// net balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountRow {
    pub kind_id: i64,
    pub year: i32,
    /// 1: January–June, 2: July–December.
    pub half: u8,
    /// The value of the kind's scope dimension (0 if none).
    pub scope_value_id: i64,
    pub split_value_id: i64,
    /// 0: all tallies of the kind.
    pub value_id: i64,
    pub n: i64,
    /// The sum of the counted tallies' record keys (the Cell Key Method's input).
    pub k: i64,
}

/// How many years back the earlier years are folded (see `CountRow`).
pub const FOLDED_BACK: i32 = 5;

fn count_row(r: &rusqlite::Row) -> rusqlite::Result<CountRow> {
    Ok(CountRow {
        kind_id: r.get(0)?,
        year: r.get(1)?,
        half: r.get(2)?,
        scope_value_id: r.get(3)?,
        split_value_id: r.get(4)?,
        value_id: r.get(5)?,
        n: r.get(6)?,
        k: r.get(7)?,
    })
}

pub fn counts_for_report(conn: &Connection, insats_id: i64, year: i32) -> Result<Vec<CountRow>> {
    counts_until(conn, insats_id, year, 12)
}

/// The counts as they were at the end of `month` of `year` (the goal dashboard's "last month").
pub fn counts_until(conn: &Connection, insats_id: i64, year: i32, month: u32) -> Result<Vec<CountRow>> {
    let rows = conn
        .prepare_cached(
            "SELECT kind_id, max(year, ?2 - 5) AS y, CASE WHEN year < ?2 - 5 OR month <= 6 THEN 1 ELSE 2 END AS h,
                    scope_value_id, split_value_id, value_id, sum(n), sum(k)
             FROM tally_count WHERE insats_id = ?1 AND year <= ?2 AND (year < ?2 OR month <= ?3)
             GROUP BY kind_id, y, h, scope_value_id, split_value_id, value_id",
        )?
        .query_map(params![insats_id, year, month], count_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The counts of a span of years `first..=last` as if they were one year, `last` (half-years as
/// they fell), with every earlier year folded into `last − 1`: the span report's rows (see
/// `store::span_inputs_until`). The last year as it stood at the end of `month`.
pub fn span_counts_until(
    conn: &Connection,
    insats_id: i64,
    first: i32,
    last: i32,
    month: u32,
) -> Result<Vec<CountRow>> {
    let rows = conn
        .prepare_cached(
            "SELECT kind_id, CASE WHEN year < ?2 THEN ?3 - 1 ELSE ?3 END AS y,
                    CASE WHEN year < ?2 OR month <= 6 THEN 1 ELSE 2 END AS h,
                    scope_value_id, split_value_id, value_id, sum(n), sum(k)
             FROM tally_count WHERE insats_id = ?1 AND year <= ?3 AND (year < ?3 OR month <= ?4)
             GROUP BY kind_id, y, h, scope_value_id, split_value_id, value_id",
        )?
        .query_map(params![insats_id, first, last, month], count_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The same counts computed the plain way, by grouping the raw tallies (for the benchmark and as a
/// cross-check in tests). `gender_dimension_id` is the dimension used as the split.
pub fn counts_from_raw(
    conn: &Connection,
    insats_id: i64,
    year: i32,
    gender_dimension_id: i64,
) -> Result<Vec<CountRow>> {
    let sql = "
        WITH t AS (
            SELECT tally.id, tally.kind_id, tally.record_key, max(year, ?2 - 5) AS y,
                   CASE WHEN year < ?2 - 5 OR month <= 6 THEN 1 ELSE 2 END AS h, value_ids,
                   coalesce((SELECT json_extract(g.value, '$[1]') FROM json_each(tally.value_ids) g
                             WHERE json_extract(g.value, '$[0]') = ?3), 0) AS split,
                   coalesce((SELECT json_extract(g.value, '$[1]') FROM json_each(tally.value_ids) g
                             JOIN kind k ON k.id = tally.kind_id
                             WHERE json_extract(g.value, '$[0]') = k.scope_dimension_id), 0) AS scope
            FROM tally WHERE insats_id = ?1 AND year <= ?2 AND void_reason IS NULL
        )
        SELECT kind_id, y, h, scope, split, 0, count(*), sum(record_key) FROM t GROUP BY kind_id, y, h, scope, split
        UNION ALL
        SELECT kind_id, y, h, scope, split, json_extract(v.value, '$[1]') AS value_id, count(*), sum(record_key)
        FROM t, json_each(t.value_ids) v
        GROUP BY kind_id, y, h, scope, split, value_id";
    let rows = conn
        .prepare(sql)?
        .query_map(params![insats_id, year, gender_dimension_id], count_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Active tallies of an insats up to and including `year`, grouped by kind, month and values (the
/// export that the import reads back), oldest first.
pub fn groups_until(conn: &Connection, insats_id: i64, year: i32) -> Result<Vec<Group>> {
    let rows = conn
        .prepare(
            "SELECT kind_id, year, month, value_ids, count(*) FROM tally
             WHERE insats_id = ?1 AND year <= ?2 AND void_reason IS NULL
             GROUP BY kind_id, year, month, value_ids ORDER BY year, month, kind_id, value_ids",
        )?
        .query_map(params![insats_id, year], |r| {
            let (y, m): (i32, u32) = (r.get(1)?, r.get(2)?);
            let values: String = r.get(3)?;
            let bad = |e: String| rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, e.into());
            Ok(Group {
                insats_id,
                kind_id: r.get(0)?,
                period: Period::new(y, m).ok_or_else(|| bad(format!("bad period {y}-{m}")))?,
                values: serde_json::from_str(&values).map_err(|e| bad(e.to_string()))?,
                n: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
/// One row of an export: a kind, a month, the values (dimension id, value id) and how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub insats_id: i64,
    pub kind_id: i64,
    pub period: Period,
    pub values: Vec<(i64, i64)>,
    pub n: i64,
}
