//! Imports of tallies: one file stored in one transaction, remembered by its SHA-256, size and
//! number of rows (never its content), and undone as a whole.

use super::{Result, StoreError};
use crate::domain::{NewTally, VoidReason};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

/// An import as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Import {
    pub id: i64,
    pub sha256: String,
    pub bytes: i64,
    pub rows: i64,
    pub tallies: i64,
    /// The account that imported, by name.
    pub created_by: Option<String>,
    /// The date (UTC).
    pub created_on: String,
    pub undone_by: Option<String>,
    pub undone_on: Option<String>,
}

/// What is known about a file before it is stored.
#[derive(Debug, Clone)]
pub struct Meta {
    pub sha256: String,
    pub bytes: i64,
    pub rows: i64,
}

const SELECT: &str = "SELECT i.id, i.sha256, i.bytes, i.rows, i.tallies, a.name, i.created_on, u.name, i.undone_on
     FROM import i LEFT JOIN account a ON a.id = i.created_by LEFT JOIN account u ON u.id = i.undone_by";

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<Import> {
    Ok(Import {
        id: r.get(0)?,
        sha256: r.get(1)?,
        bytes: r.get(2)?,
        rows: r.get(3)?,
        tallies: r.get(4)?,
        created_by: r.get(5)?,
        created_on: r.get(6)?,
        undone_by: r.get(7)?,
        undone_on: r.get(8)?,
    })
}

/// The imports, newest first.
pub fn list(conn: &Connection, limit: usize) -> Result<Vec<Import>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} ORDER BY i.id DESC LIMIT ?1"))?
        .query_map([limit as i64], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Import> {
    conn.prepare_cached(&format!("{SELECT} WHERE i.id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// The latest import of the same file that has not been undone.
pub fn same_file(conn: &Connection, sha256: &str) -> Result<Option<Import>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE i.sha256 = ?1 AND i.undone_on IS NULL ORDER BY i.id DESC LIMIT 1"))?
        .query_row([sha256], from_row)
        .optional()?)
}

/// The insatser an import's tallies belong to (for the access check on undo).
pub fn insatser(conn: &Connection, id: i64) -> Result<Vec<i64>> {
    Ok(conn
        .prepare_cached("SELECT DISTINCT insats_id FROM tally WHERE import_id = ?1")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Stores every tally (each `n` times) with the import it came from, refusing a closed year like
/// any tally. `done` counts the tallies stored so far (for a progress bar). Call inside one write
/// transaction: an error anywhere leaves nothing.
pub fn store(
    conn: &Connection,
    meta: &Meta,
    tallies: &[(NewTally, u32)],
    by: Option<i64>,
    on: &str,
    done: &AtomicU64,
) -> Result<i64> {
    let total: u64 = tallies.iter().map(|(_, n)| u64::from(*n)).sum();
    conn.prepare_cached(
        "INSERT INTO import (sha256, bytes, rows, tallies, created_by, created_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![meta.sha256, meta.bytes, meta.rows, total as i64, by, on])?;
    let id = conn.last_insert_rowid();
    for (t, n) in tallies {
        for _ in 0..*n {
            super::tally::insert_from(conn, t, by, Some(id))?;
        }
        done.fetch_add(u64::from(*n), Ordering::Relaxed);
    }
    Ok(id)
}

/// Undoes an import: every tally of it still active is voided with reason `import_angrad` (a
/// closed year refuses, as for any void). Returns how many were voided. Call inside a write
/// transaction.
pub fn undo(conn: &Connection, id: i64, by: Option<i64>, on: &str) -> Result<i64> {
    let import = get(conn, id)?;
    if import.undone_on.is_some() {
        return Err(StoreError::Conflict("Importen är redan ångrad.".into()));
    }
    let ids = conn
        .prepare_cached("SELECT id FROM tally WHERE import_id = ?1 AND void_reason IS NULL")?
        .query_map([id], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for t in &ids {
        super::tally::void(conn, *t, VoidReason::ImportAngrad)?;
    }
    conn.execute("UPDATE import SET undone_by = ?2, undone_on = ?3 WHERE id = ?1", params![id, by, on])?;
    Ok(ids.len() as i64)
}
