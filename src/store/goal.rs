//! Goals per insats and year.

use super::Result;
use crate::domain::goal::NewGoal;
use crate::domain::{Comparator, Goal, GoalSpec, Measure};
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
    of_span(conn, insats_id, year, year)
}

/// Whether goals were set for the span `first`–`last` (possibly to none).
pub fn span_set(conn: &Connection, insats_id: i64, first: i32, last: i32) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM goal_span WHERE insats_id = ?1 AND first_year = ?2 AND last_year = ?3)",
        params![insats_id, first, last],
        |r| r.get(0),
    )?)
}

/// The spans goals were set for (the spans published to readers), in the order they were set.
pub fn spans(conn: &Connection, insats_id: i64) -> Result<Vec<(i32, i32)>> {
    Ok(conn
        .prepare_cached("SELECT first_year, last_year FROM goal_span WHERE insats_id = ?1 ORDER BY id")?
        .query_map([insats_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The goals set for the span `first`–`last` (a year when `first == last`).
pub fn of_span(conn: &Connection, insats_id: i64, first: i32, year: i32) -> Result<Vec<Goal>> {
    type Row = (
        i64,
        String,
        String,
        String,
        Option<i64>,
        Option<String>,
        Option<i64>,
        String,
        Option<i64>,
        Option<i64>,
        (Option<i64>, bool, String),
    );
    let rows = conn
        .prepare_cached(
            "SELECT id, key, label, type, kind_id, measure, scope_value_id, comparator, target_bp, target_amount,
                    partial_target, expectation, unit
             FROM goal WHERE insats_id = ?1 AND first_year = ?2 AND year = ?3 ORDER BY position, id",
        )?
        .query_map(params![insats_id, first, year], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                (r.get(10)?, r.get(11)?, r.get(12)?),
            ))
        })?
        .collect::<rusqlite::Result<Vec<Row>>>()?;
    let mut values =
        conn.prepare_cached("SELECT value_id FROM goal_value WHERE goal_id = ?1 AND part = ?2 ORDER BY value_id")?;
    let mut goals = Vec::new();
    for (
        id,
        key,
        label,
        goal_type,
        kind_id,
        measure,
        scope,
        comparator,
        target_bp,
        amount,
        (partial, expectation, unit),
    ) in rows
    {
        let mut part = |p: &str| -> Result<Vec<i64>> {
            Ok(values.query_map(params![id, p], |r| r.get(0))?.collect::<rusqlite::Result<Vec<_>>>()?)
        };
        let numerator = part("numerator")?;
        let denominator = part("denominator")?;
        // The table's CHECK guarantees the fields each type needs.
        let spec = match goal_type.as_str() {
            "share" => GoalSpec::Share {
                kind_id: kind_id.unwrap_or_default(),
                scope_value_id: scope,
                numerator,
                denominator,
                target_bp: target_bp.unwrap_or_default(),
                by_respondent: unit == "respondents",
            },
            "count" => GoalSpec::Count {
                measure: measure.as_deref().and_then(Measure::parse).unwrap_or(Measure::Participants),
                kind_id,
                numerator,
                target: amount.unwrap_or_default(),
            },
            _ => GoalSpec::CostPerParticipant { target_kr: amount.unwrap_or_default() },
        };
        goals.push(Goal {
            id,
            insats_id,
            first_year: first,
            year,
            key,
            label,
            comparator: Comparator::parse(&comparator).unwrap_or(Comparator::AtLeast),
            spec,
            partial,
            expectation,
        });
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
    insert(conn, insats_id, year, year, goals)
}

/// Replaces the goals of the span `first`–`last` (first < last). A span's goals change no yearly
/// report, so closed years do not hold them back. Call inside a write transaction.
pub fn replace_span(conn: &Connection, insats_id: i64, first: i32, last: i32, goals: &[NewGoal]) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO goal_span (insats_id, first_year, last_year) VALUES (?1, ?2, ?3)",
        params![insats_id, first, last],
    )?;
    insert(conn, insats_id, first, last, goals)
}

fn insert(conn: &Connection, insats_id: i64, first: i32, year: i32, goals: &[NewGoal]) -> Result<()> {
    conn.execute(
        "DELETE FROM goal WHERE insats_id = ?1 AND first_year = ?2 AND year = ?3",
        params![insats_id, first, year],
    )?;
    for (pos, g) in goals.iter().enumerate() {
        const NONE: &[i64] = &[];
        let by_respondent = matches!(g.spec, GoalSpec::Share { by_respondent: true, .. });
        let (measure, scope, bp, amount, numerator, denominator) = match &g.spec {
            GoalSpec::Share { scope_value_id, numerator, denominator, target_bp, .. } => {
                (None, *scope_value_id, Some(*target_bp), None, numerator.as_slice(), denominator.as_slice())
            }
            GoalSpec::Count { measure, numerator, target, .. } => {
                (Some(measure.as_str()), None, None, Some(*target), numerator.as_slice(), NONE)
            }
            GoalSpec::CostPerParticipant { target_kr } => (None, None, None, Some(*target_kr), NONE, NONE),
        };
        conn.execute(
            "INSERT INTO goal (insats_id, year, key, label, type, kind_id, measure, scope_value_id, comparator,
                               target_bp, target_amount, position, partial_target, expectation, unit, first_year)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            params![
                insats_id,
                year,
                g.key,
                g.label,
                g.spec.type_str(),
                g.spec.kind_id(),
                measure,
                scope,
                g.comparator.as_str(),
                bp,
                amount,
                pos as i64,
                g.partial,
                g.expectation,
                if by_respondent { "respondents" } else { "answers" },
                first
            ],
        )?;
        let id = conn.last_insert_rowid();
        for (part, ids) in [("numerator", numerator), ("denominator", denominator)] {
            for v in ids {
                conn.execute(
                    "INSERT OR IGNORE INTO goal_value (goal_id, value_id, part) VALUES (?1, ?2, ?3)",
                    params![id, v, part],
                )?;
            }
        }
    }
    Ok(())
}
