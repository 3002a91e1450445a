//! Tallies and their pre-aggregated counts. Every insert and void updates `tally_count` in the same
//! transaction, so a report reads a few thousand count rows however many tallies there are.

use super::{Result, StoreError};
use crate::domain::{NewTally, Period, StoredTally, VoidReason};
use rusqlite::{Connection, OptionalExtension, params};

/// `INSERT ... VALUES` with `rows` rows, each `row(i)`; built once per row count and cached
/// by the connection's statement cache (so a tally costs three statements, not eighteen).
fn multi_row_sql(head: &str, rows: usize, row: impl Fn(usize) -> String, tail: &str) -> String {
    let mut sql = String::with_capacity(head.len() + tail.len() + rows * 32);
    sql.push_str(head);
    for i in 0..rows {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&row(i));
    }
    sql.push_str(tail);
    sql
}

/// Inserts a validated tally and its counts. Call inside a write transaction.
pub fn insert(conn: &Connection, t: &NewTally) -> Result<i64> {
    conn.prepare_cached("INSERT INTO tally (insats_id, kind_id, year, month) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![t.insats_id, t.kind_id, t.period.year, t.period.month])?;
    let id = conn.last_insert_rowid();
    if !t.values.is_empty() {
        let sql = multi_row_sql(
            "INSERT INTO tally_value (tally_id, dimension_id, value_id) VALUES ",
            t.values.len(),
            |i| format!("(?1, ?{}, ?{})", 2 + 2 * i, 3 + 2 * i),
            "",
        );
        let mut args = Vec::with_capacity(1 + 2 * t.values.len());
        args.push(id);
        for (dim, value) in &t.values {
            args.push(*dim);
            args.push(*value);
        }
        conn.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(args))?;
    }
    bump_counts(conn, t.insats_id, t.kind_id, t.period, t.split_value_id, t.values.iter().map(|v| v.1), 1)?;
    Ok(id)
}

/// Adds `delta` to the count rows of a tally: the row of all tallies (value 0) and one per value.
fn bump_counts(
    conn: &Connection,
    insats_id: i64,
    kind_id: i64,
    period: Period,
    split_value_id: i64,
    value_ids: impl Iterator<Item = i64>,
    delta: i64,
) -> Result<()> {
    let mut args = vec![insats_id, kind_id, i64::from(period.year), i64::from(period.month), split_value_id, delta];
    args.push(0);
    args.extend(value_ids);
    let sql = multi_row_sql(
        "INSERT INTO tally_count (insats_id, kind_id, year, month, split_value_id, value_id, n) VALUES ",
        args.len() - 6,
        |i| format!("(?1, ?2, ?3, ?4, ?5, ?{}, ?6)", 7 + i),
        " ON CONFLICT DO UPDATE SET n = n + excluded.n",
    );
    conn.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(args))?;
    Ok(())
}

/// Reads one tally.
pub fn get(conn: &Connection, id: i64) -> Result<StoredTally> {
    let head = conn
        .prepare_cached("SELECT insats_id, kind_id, year, month, void_reason FROM tally WHERE id = ?1")?
        .query_row([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i32>(2)?,
                r.get::<_, u32>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })
        .optional()?
        .ok_or(StoreError::NotFound)?;
    let values = conn
        .prepare_cached("SELECT dimension_id, value_id FROM tally_value WHERE tally_id = ?1")?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(StoredTally {
        id,
        insats_id: head.0,
        kind_id: head.1,
        period: Period::new(head.2, head.3).ok_or(StoreError::NotFound)?,
        values,
        void_reason: head.4.as_deref().and_then(VoidReason::parse),
    })
}

/// Voids a tally: it stays stored but leaves every count. Call inside a write transaction.
pub fn void(conn: &Connection, id: i64, reason: VoidReason) -> Result<StoredTally> {
    let t = get(conn, id)?;
    if t.void_reason.is_some() {
        return Err(StoreError::Conflict("Registreringen är redan ångrad.".into()));
    }
    conn.execute("UPDATE tally SET void_reason = ?2 WHERE id = ?1", params![id, reason.as_str()])?;
    let split: i64 = conn
        .query_row(
            "SELECT tv.value_id FROM tally_value tv JOIN dimension d ON d.id = tv.dimension_id
             WHERE tv.tally_id = ?1 AND d.role = 'gender'",
            [id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0);
    bump_counts(conn, t.insats_id, t.kind_id, t.period, split, t.values.iter().map(|v| v.1), -1)?;
    Ok(StoredTally { void_reason: Some(reason), ..t })
}

/// The most recent tallies of an insats, newest first, voided ones included.
pub fn recent(conn: &Connection, insats_id: i64, limit: usize) -> Result<Vec<StoredTally>> {
    let ids = conn
        .prepare_cached("SELECT id FROM tally WHERE insats_id = ?1 ORDER BY id DESC LIMIT ?2")?
        .query_map(params![insats_id, limit as i64], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    ids.into_iter().map(|id| get(conn, id)).collect()
}

/// Number of tallies stored (voided included).
pub fn count_all(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM tally", [], |r| r.get(0))?)
}

/// Counts of active tallies of one insats, summed per kind, year, gender value and value.
/// Years before `year - 1` are folded into one row each, under year `year - 2`: the report needs
/// only their net balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountRow {
    pub kind_id: i64,
    pub year: i32,
    pub split_value_id: i64,
    /// 0: all tallies of the kind.
    pub value_id: i64,
    pub n: i64,
}

pub fn counts_for_report(conn: &Connection, insats_id: i64, year: i32) -> Result<Vec<CountRow>> {
    let rows = conn
        .prepare_cached(
            "SELECT kind_id, max(year, ?2 - 2) AS y, split_value_id, value_id, sum(n)
             FROM tally_count WHERE insats_id = ?1 AND year <= ?2
             GROUP BY kind_id, y, split_value_id, value_id",
        )?
        .query_map(params![insats_id, year], |r| {
            Ok(CountRow {
                kind_id: r.get(0)?,
                year: r.get(1)?,
                split_value_id: r.get(2)?,
                value_id: r.get(3)?,
                n: r.get(4)?,
            })
        })?
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
            SELECT tally.id, kind_id, max(year, ?2 - 2) AS y,
                   coalesce((SELECT value_id FROM tally_value g WHERE g.tally_id = tally.id AND g.dimension_id = ?3), 0) AS split
            FROM tally WHERE insats_id = ?1 AND year <= ?2 AND void_reason IS NULL
        )
        SELECT kind_id, y, split, 0, count(*) FROM t GROUP BY kind_id, y, split
        UNION ALL
        SELECT kind_id, y, split, tv.value_id, count(*) FROM t JOIN tally_value tv ON tv.tally_id = t.id
        GROUP BY kind_id, y, split, tv.value_id";
    let rows = conn
        .prepare(sql)?
        .query_map(params![insats_id, year, gender_dimension_id], |r| {
            Ok(CountRow {
                kind_id: r.get(0)?,
                year: r.get(1)?,
                split_value_id: r.get(2)?,
                value_id: r.get(3)?,
                n: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
