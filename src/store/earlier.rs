//! Figures from earlier annual reports, per insats and year (see `domain::earlier`).

use super::Result;
use crate::domain::earlier::{Figure, Measure};
use rusqlite::{Connection, params};

/// Every figure of an insats, by year (oldest first).
pub fn of_insats(conn: &Connection, insats_id: i64) -> Result<Vec<(i32, Figure)>> {
    let rows = conn
        .prepare_cached(
            "SELECT year, measure, kind_id, dimension_id, value_id, scope_value_id, gender_value_id, count, share
             FROM earlier_figure WHERE insats_id = ?1
             ORDER BY year, measure, kind_id, dimension_id, value_id, scope_value_id, gender_value_id",
        )?
        .query_map([insats_id], |r| {
            let m: String = r.get(1)?;
            let measure = Measure::parse(&m).ok_or_else(|| {
                rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, format!("measure {m}").into())
            })?;
            Ok((
                r.get(0)?,
                Figure {
                    measure,
                    kind_id: r.get(2)?,
                    dimension_id: r.get(3)?,
                    value_id: r.get(4)?,
                    scope_value_id: r.get(5)?,
                    gender_value_id: r.get(6)?,
                    count: r.get(7)?,
                    share: r.get(8)?,
                },
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Replaces the figures of an insats' year (`opening`: the enrolled-at-start counts, of which an
/// insats has one set, replaced whatever its year; else the year's report figures).
pub fn replace(conn: &Connection, insats_id: i64, year: i32, opening: bool, figures: &[Figure]) -> Result<usize> {
    if opening {
        conn.execute("DELETE FROM earlier_figure WHERE insats_id = ?1 AND measure = 'inskrivna'", [insats_id])?;
    } else {
        conn.execute(
            "DELETE FROM earlier_figure WHERE insats_id = ?1 AND year = ?2 AND measure <> 'inskrivna'",
            params![insats_id, year],
        )?;
    }
    let mut insert = conn.prepare_cached(
        "INSERT INTO earlier_figure (insats_id, year, measure, kind_id, dimension_id, value_id, scope_value_id,
                                     gender_value_id, count, share)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for f in figures {
        insert.execute(params![
            insats_id,
            year,
            f.measure.as_str(),
            f.kind_id,
            f.dimension_id,
            f.value_id,
            f.scope_value_id,
            f.gender_value_id,
            f.count,
            f.share
        ])?;
    }
    Ok(figures.len())
}

/// The first and last year with active tallies of an insats, if any.
pub fn tallied_years(conn: &Connection, insats_id: i64) -> Result<Option<(i32, i32)>> {
    let (first, last): (Option<i32>, Option<i32>) = conn.query_row(
        "SELECT min(year), max(year) FROM tally_count WHERE insats_id = ?1 AND n <> 0",
        [insats_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(first.zip(last))
}
