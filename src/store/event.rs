//! Structural events and budgets: few rows a year, read directly (no pre-aggregation).

use super::{Result, StoreError};
use crate::domain::event::{NewEvent, StoredEvent};
use crate::domain::{Period, VoidReason};
use rusqlite::{Connection, OptionalExtension, params};

/// Events count only in their own year, so only that year's closure matters.
fn ensure_open(conn: &Connection, insats_id: i64, year: i32) -> Result<()> {
    if super::closure::closed_from(conn, insats_id, year)? == Some(year) {
        return Err(StoreError::Conflict(format!(
            "{year} är stängt för insatsen. Aktiviteter kan inte läggas till eller makuleras; be förbundschefen öppna året om något måste rättas."
        )));
    }
    Ok(())
}

/// Inserts a validated event, refusing a closed year. Call inside a write transaction.
pub fn insert(conn: &Connection, e: &NewEvent, author: Option<i64>) -> Result<i64> {
    ensure_open(conn, e.insats_id, e.period.year)?;
    conn.prepare_cached(
        "INSERT INTO event (insats_id, kind_id, year, month, name, organiser, attendees, by_gender, created_by, record_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        e.insats_id,
        e.kind_id,
        e.period.year,
        e.period.month,
        e.name,
        e.organiser,
        e.attendees,
        serde_json::to_string(&e.by_gender).expect("pairs of integers serialise"),
        author,
        super::tally::new_record_key()
    ])?;
    Ok(conn.last_insert_rowid())
}

const COLUMNS: &str =
    "id, insats_id, kind_id, year, month, name, organiser, attendees, by_gender, void_reason, created_by, record_key";

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<StoredEvent> {
    let (year, month): (i32, u32) = (r.get(3)?, r.get(4)?);
    let by_gender: String = r.get(8)?;
    let reason: Option<String> = r.get(9)?;
    let bad = |e: String| rusqlite::Error::FromSqlConversionFailure(8, rusqlite::types::Type::Text, e.into());
    Ok(StoredEvent {
        id: r.get(0)?,
        insats_id: r.get(1)?,
        kind_id: r.get(2)?,
        period: Period::new(year, month).ok_or_else(|| bad(format!("bad period {year}-{month}")))?,
        name: r.get(5)?,
        organiser: r.get(6)?,
        attendees: r.get(7)?,
        by_gender: serde_json::from_str(&by_gender).map_err(|e| bad(e.to_string()))?,
        void_reason: reason.as_deref().and_then(VoidReason::parse),
        author: r.get(10)?,
        record_key: r.get(11)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<StoredEvent> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM event WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// Voids an event (it stays stored, out of every report). Call inside a write transaction.
pub fn void(conn: &Connection, id: i64, reason: VoidReason) -> Result<StoredEvent> {
    let e = get(conn, id)?;
    ensure_open(conn, e.insats_id, e.period.year)?;
    if e.void_reason.is_some() {
        return Err(StoreError::Conflict("Aktiviteten är redan makulerad.".into()));
    }
    conn.execute("UPDATE event SET void_reason = ?2 WHERE id = ?1", params![id, reason.as_str()])?;
    Ok(StoredEvent { void_reason: Some(reason), ..e })
}

/// The events of an insats in the given years (voided ones included), in month order.
pub fn of_years(conn: &Connection, insats_id: i64, from: i32, to: i32) -> Result<Vec<StoredEvent>> {
    let rows = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM event WHERE insats_id = ?1 AND year BETWEEN ?2 AND ?3 ORDER BY year, month, id"
        ))?
        .query_map(params![insats_id, from, to], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The latest events of an insats, newest first.
pub fn recent(conn: &Connection, insats_id: i64, limit: usize) -> Result<Vec<StoredEvent>> {
    let rows = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM event WHERE insats_id = ?1 ORDER BY id DESC LIMIT ?2"))?
        .query_map(params![insats_id, limit as i64], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Budget and outcome of an insats for a year, in kronor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Budget {
    pub budget_kr: Option<i64>,
    pub outcome_kr: Option<i64>,
}

/// The budgets of an insats for the years `from..=to`, by year.
pub fn budgets(conn: &Connection, insats_id: i64, from: i32, to: i32) -> Result<Vec<(i32, Budget)>> {
    let rows = conn
        .prepare_cached(
            "SELECT year, budget_kr, outcome_kr FROM budget WHERE insats_id = ?1 AND year BETWEEN ?2 AND ?3 ORDER BY year",
        )?
        .query_map(params![insats_id, from, to], |r| {
            Ok((r.get(0)?, Budget { budget_kr: r.get(1)?, outcome_kr: r.get(2)? }))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Sets (or, with both amounts empty, removes) the budget of an insats for a year, unless the year
/// is closed. Call inside a write transaction.
pub fn set_budget(conn: &Connection, insats_id: i64, year: i32, b: Budget) -> Result<()> {
    if super::closure::closed_from(conn, insats_id, year)? == Some(year) {
        return Err(StoreError::Conflict(format!(
            "{year} är stängt, så budget och utfall kan inte ändras. Förbundschefen kan öppna året igen."
        )));
    }
    if b.budget_kr.is_none() && b.outcome_kr.is_none() {
        conn.execute("DELETE FROM budget WHERE insats_id = ?1 AND year = ?2", params![insats_id, year])?;
    } else {
        conn.execute(
            "INSERT INTO budget (insats_id, year, budget_kr, outcome_kr) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (insats_id, year) DO UPDATE SET budget_kr = excluded.budget_kr, outcome_kr = excluded.outcome_kr",
            params![insats_id, year, b.budget_kr, b.outcome_kr],
        )?;
    }
    Ok(())
}
