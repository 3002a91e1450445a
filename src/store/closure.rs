//! Closed years: once a huvudman closes a year of an insats, nothing that would change its report is
//! accepted until the förbundschef reopens it: no tally added to or voided in that year or an earlier
//! one (they make up its "enrolled at the start"), and no change to the goals it uses.

use super::Result;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Closure {
    pub closed_by: String,
    /// UTC, RFC 3339.
    pub closed_at: String,
}

pub fn get(conn: &Connection, insats_id: i64, year: i32) -> Result<Option<Closure>> {
    Ok(conn
        .prepare_cached(
            "SELECT a.name, c.closed_at FROM year_closure c JOIN account a ON a.id = c.closed_by
             WHERE c.insats_id = ?1 AND c.year = ?2",
        )?
        .query_row(params![insats_id, year], |r| Ok(Closure { closed_by: r.get(0)?, closed_at: r.get(1)? }))
        .optional()?)
}

/// The closed year that a change to tallies of `year` would alter, if any: that year itself or any
/// later closed year (whose "enrolled at the start" counts every earlier tally). The cheap check on
/// every tally write.
pub fn closed_from(conn: &Connection, insats_id: i64, year: i32) -> Result<Option<i32>> {
    // Equality only: with a range on a bound parameter, SQLite (built with STAT4) re-prepares the
    // statement at every run, which cost more than the rest of a tally write (measured).
    let closed = conn
        .prepare_cached("SELECT year FROM year_closure WHERE insats_id = ?1")?
        .query_map([insats_id], |r| r.get::<_, i32>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(closed.into_iter().filter(|y| *y >= year).min())
}

/// The closed year whose report would change if the goals of `year` changed: `year` itself, or a
/// later closed year that uses `year`'s goals (no goals set in between).
pub fn closed_by_goals(conn: &Connection, insats_id: i64, year: i32) -> Result<Option<i32>> {
    Ok(conn
        .prepare_cached(
            "SELECT min(c.year) FROM year_closure c WHERE c.insats_id = ?1 AND c.year >= ?2
               AND (c.year = ?2 OR NOT EXISTS (SELECT 1 FROM goal_year g
                                               WHERE g.insats_id = ?1 AND g.year > ?2 AND g.year <= c.year))",
        )?
        .query_row(params![insats_id, year], |r| r.get(0))?)
}

pub fn close(conn: &Connection, insats_id: i64, year: i32, by: i64, at: &str) -> Result<bool> {
    Ok(conn.execute(
        "INSERT OR IGNORE INTO year_closure (insats_id, year, closed_by, closed_at) VALUES (?1, ?2, ?3, ?4)",
        params![insats_id, year, by, at],
    )? == 1)
}

pub fn reopen(conn: &Connection, insats_id: i64, year: i32) -> Result<bool> {
    Ok(conn.execute("DELETE FROM year_closure WHERE insats_id = ?1 AND year = ?2", params![insats_id, year])? == 1)
}
