//! Numbered migrations from `schema/`, embedded in the binary and applied in order in one
//! transaction, tracked by `PRAGMA user_version`.

use super::{Result, StoreError};
use rusqlite::{Connection, TransactionBehavior};

/// Migration N (1-based) is `MIGRATIONS[N - 1]`. Append only; never edit a released one.
const MIGRATIONS: &[&str] = &[
    include_str!("../../schema/0001_init.sql"),
    include_str!("../../schema/0002_accounts.sql"),
    include_str!("../../schema/0003_followup.sql"),
    include_str!("../../schema/0004_cell_keys.sql"),
    include_str!("../../schema/0005_imports.sql"),
    include_str!("../../schema/0006_earlier_figures.sql"),
    include_str!("../../schema/0007_federated_login.sql"),
    include_str!("../../schema/0008_web_configuration.sql"),
    include_str!("../../schema/0009_goal_verdicts.sql"),
];

/// Applies the pending migrations. Foreign keys are off while they run (SQLite's procedure for
/// rebuilding a table; the pragma cannot change inside a transaction) and checked before commit.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let fk: bool = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let result = migrate_inner(conn);
    conn.pragma_update(None, "foreign_keys", fk)?;
    result
}

fn migrate_inner(conn: &mut Connection) -> Result<()> {
    let known = MIGRATIONS.len() as i64;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current > known {
        return Err(StoreError::TooNew { found: current, known });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tracing::info!(version = i + 1, "applied database migration");
    }
    let broken: i64 = tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))?;
    if broken != 0 {
        return Err(StoreError::Conflict(format!("migration left {broken} broken references; nothing was changed")));
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_once_and_refuses_newer_schema() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(v, MIGRATIONS.len() as i64);
        conn.pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(migrate(&mut conn), Err(StoreError::TooNew { found: 99, .. })));
    }

    /// A database at version 2 with a goal and counted tallies keeps them through version 3.
    #[test]
    fn version_3_keeps_goals_and_counts() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        for sql in &MIGRATIONS[..2] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO insats (id, key, label) VALUES (1, 'team', 'Team');
             INSERT INTO kind (id, key, label, flow) VALUES (1, 'avslut', 'Avslut', 'exit');
             INSERT INTO dimension (id, key, label, role) VALUES (1, 'orsak', 'Orsak', 'outcome');
             INSERT INTO dimension_value (id, dimension_id, key, label) VALUES (1, 1, 'arbete', 'Arbete');
             INSERT INTO kind_dimension (kind_id, dimension_id) VALUES (1, 1);
             INSERT INTO goal (id, insats_id, year, key, label, kind_id, dimension_id, comparator, target_bp)
                 VALUES (1, 1, 2026, 'arbete', 'Arbete', 1, 1, 'at_least', 4500);
             INSERT INTO goal_value (goal_id, value_id) VALUES (1, 1);
             INSERT INTO tally (insats_id, kind_id, year, month, value_ids) VALUES (1, 1, 2026, 3, '[[1,1]]');
             INSERT INTO tally_count VALUES (1, 1, 2026, 3, 0, 0, 1), (1, 1, 2026, 3, 0, 1, 1);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let goal: (String, i64, String) = conn
            .query_row(
                "SELECT g.type, g.target_bp, v.part FROM goal g JOIN goal_value v ON v.goal_id = g.id",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(goal, ("share".into(), 4500, "numerator".into()));
        let counts: Vec<(i64, i64, i64)> = conn
            .prepare("SELECT scope_value_id, value_id, n FROM tally_count ORDER BY value_id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(counts, [(0, 0, 1), (0, 1, 1)]);
        let role: String = conn.query_row("SELECT role FROM dimension", [], |r| r.get(0)).unwrap();
        assert_eq!(role, "outcome");
        // Foreign keys are back on, and the new roles are accepted.
        let fk: bool = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0)).unwrap();
        assert!(fk);
        conn.execute("INSERT INTO dimension (key, label, role) VALUES ('q', 'Fråga', 'question')", []).unwrap();
    }

    /// Version 4 gives every stored tally and event a record key and every count row the sum of
    /// its active tallies' keys.
    #[test]
    fn version_4_gives_record_keys_and_key_sums() {
        let mut conn = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..3] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 3).unwrap();
        conn.execute_batch(
            "INSERT INTO insats (id, key, label) VALUES (1, 'team', 'Team');
             INSERT INTO kind (id, key, label, flow) VALUES (1, 'avslut', 'Avslut', 'exit');
             INSERT INTO dimension (id, key, label, role) VALUES (1, 'orsak', 'Orsak', 'outcome');
             INSERT INTO dimension_value (id, dimension_id, key, label) VALUES (1, 1, 'arbete', 'Arbete'), (2, 1, 'studier', 'Studier');
             INSERT INTO kind_dimension (kind_id, dimension_id) VALUES (1, 1);
             INSERT INTO tally (insats_id, kind_id, year, month, value_ids) VALUES
                 (1, 1, 2026, 3, '[[1,1]]'), (1, 1, 2026, 3, '[[1,1]]'), (1, 1, 2026, 3, '[[1,2]]');
             INSERT INTO tally (insats_id, kind_id, year, month, value_ids, void_reason) VALUES (1, 1, 2026, 3, '[[1,2]]', 'dubblett');
             INSERT INTO tally_count VALUES (1, 1, 2026, 3, 0, 0, 0, 3), (1, 1, 2026, 3, 0, 0, 1, 2), (1, 1, 2026, 3, 0, 0, 2, 1);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let keys: Vec<i64> = conn
            .prepare("SELECT record_key FROM tally ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(keys.iter().all(|k| (0..1 << 20).contains(k)));
        let sum = |ids: &[usize]| ids.iter().map(|i| keys[*i]).sum::<i64>();
        let k: Vec<i64> = conn
            .prepare("SELECT k FROM tally_count ORDER BY value_id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        // All active tallies; the two to arbete; the one active to studier (the void one left out).
        assert_eq!(k, [sum(&[0, 1, 2]), sum(&[0, 1]), sum(&[2])]);
    }
}
