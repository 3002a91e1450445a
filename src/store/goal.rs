//! Goals per insats and year.

use super::Result;
use crate::domain::goal::NewGoal;
use crate::domain::{Comparator, Goal};
use rusqlite::{Connection, OptionalExtension, params};

/// The goals that apply to `year`: the year's own, or else those of the latest earlier year that
/// goals were set for (possibly to none). Returns that year (None if goals were never set).
pub fn for_year(conn: &Connection, insats_id: i64, year: i32) -> Result<(Option<i32>, Vec<Goal>)> {
    let source: Option<i32> = conn
        .query_row(
            "SELECT max(year) FROM goal_year WHERE insats_id = ?1 AND year <= ?2",
            params![insats_id, year],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let Some(source) = source else {
        return Ok((None, Vec::new()));
    };
    Ok((Some(source), of_year(conn, insats_id, source)?))
}

/// The goals set for exactly this year.
pub fn of_year(conn: &Connection, insats_id: i64, year: i32) -> Result<Vec<Goal>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, key, label, kind_id, dimension_id, comparator, target_bp FROM goal
         WHERE insats_id = ?1 AND year = ?2 ORDER BY position, id",
    )?;
    let mut goals = stmt
        .query_map(params![insats_id, year], |r| {
            let comparator: String = r.get(5)?;
            Ok(Goal {
                id: r.get(0)?,
                insats_id,
                year,
                key: r.get(1)?,
                label: r.get(2)?,
                kind_id: r.get(3)?,
                dimension_id: r.get(4)?,
                value_ids: Vec::new(),
                comparator: Comparator::parse(&comparator).unwrap_or(Comparator::AtLeast),
                target_bp: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut values = conn.prepare_cached("SELECT value_id FROM goal_value WHERE goal_id = ?1 ORDER BY value_id")?;
    for g in &mut goals {
        g.value_ids = values.query_map([g.id], |r| r.get(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    }
    Ok(goals)
}

/// Replaces the goals of a year with `goals` (an empty list means: no goals this year), unless a
/// closed year's report would change. Call inside a write transaction.
pub fn replace(conn: &Connection, insats_id: i64, year: i32, goals: &[NewGoal]) -> Result<()> {
    if let Some(closed) = super::closure::closed_by_goals(conn, insats_id, year)? {
        return Err(super::StoreError::Conflict(if closed == year {
            format!("{year} är stängt, så årets mål kan inte ändras. Förbundschefen kan öppna året igen.")
        } else {
            format!(
                "{closed} är stängt och använder målen från {year}, så de kan inte ändras. Sätt egna mål för ett senare år, eller öppna {closed}."
            )
        }));
    }
    conn.execute("INSERT OR IGNORE INTO goal_year (insats_id, year) VALUES (?1, ?2)", params![insats_id, year])?;
    conn.execute("DELETE FROM goal WHERE insats_id = ?1 AND year = ?2", params![insats_id, year])?;
    for (pos, g) in goals.iter().enumerate() {
        conn.execute(
            "INSERT INTO goal (insats_id, year, key, label, kind_id, dimension_id, comparator, target_bp, position)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                insats_id,
                year,
                g.key,
                g.label,
                g.kind_id,
                g.dimension_id,
                g.comparator.as_str(),
                g.target_bp,
                pos as i64
            ],
        )?;
        let id = conn.last_insert_rowid();
        for v in &g.value_ids {
            conn.execute("INSERT INTO goal_value (goal_id, value_id) VALUES (?1, ?2)", params![id, v])?;
        }
    }
    Ok(())
}
