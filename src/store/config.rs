//! Configuration tables: load into a `Config`, seed from a `Preset`.

use super::{Result, StoreError};
use crate::domain::config::KindDimension;
use crate::domain::preset::Preset;
use crate::domain::{Audience, Config, Dimension, DimensionValue, Flow, Insats, Kind, Role, Shape, ValueGroup};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;

pub fn is_empty(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM insats)", [], |r| r.get(0))?)
}

/// Writes a whole preset into an empty configuration.
pub fn apply_preset(conn: &Connection, p: &Preset) -> Result<()> {
    conn.execute(
        "INSERT INTO setting (key, value) VALUES ('association', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [&p.association],
    )?;
    if let Some(privacy) = &p.privacy {
        set_privacy(conn, &privacy.privacy().map_err(StoreError::Conflict)?)?;
    }
    let mut dim_ids = HashMap::new();
    let mut value_ids = HashMap::new();
    for (pos, d) in p.dimensions.iter().enumerate() {
        conn.execute(
            "INSERT INTO dimension (key, label, role, hint, position) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![d.key, d.label, d.role, d.hint, pos as i64],
        )?;
        let dim_id = conn.last_insert_rowid();
        dim_ids.insert(d.key.as_str(), dim_id);
        for (vpos, v) in p.values_of(d).iter().enumerate() {
            conn.execute(
                "INSERT INTO dimension_value (dimension_id, key, label, column_label, months, score, positive, position)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![dim_id, v.key, v.label, v.column_label, v.months, v.score, v.positive, vpos as i64],
            )?;
            value_ids.insert((d.key.as_str(), v.key.as_str()), conn.last_insert_rowid());
        }
        for (gpos, g) in d.groups.iter().enumerate() {
            conn.execute(
                "INSERT INTO value_group (dimension_id, key, label, position) VALUES (?1, ?2, ?3, ?4)",
                params![dim_id, g.key, g.label, gpos as i64],
            )?;
            let gid = conn.last_insert_rowid();
            for v in &g.values {
                conn.execute(
                    "INSERT INTO value_group_member (group_id, value_id) VALUES (?1, ?2)",
                    params![gid, value_ids[&(d.key.as_str(), v.as_str())]],
                )?;
            }
        }
    }
    let mut kind_ids = HashMap::new();
    for (pos, k) in p.kinds.iter().enumerate() {
        conn.execute(
            "INSERT INTO kind (key, label, flow, shape, scope_dimension_id, audience, position)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                k.key,
                k.label,
                k.flow,
                k.shape.as_deref().unwrap_or("tally"),
                k.scope.as_deref().map(|d| dim_ids[d]),
                k.audience.as_deref().unwrap_or("participants"),
                pos as i64
            ],
        )?;
        let kid = conn.last_insert_rowid();
        kind_ids.insert(k.key.as_str(), kid);
        for (dpos, d) in k.dimensions.iter().enumerate() {
            conn.execute(
                "INSERT INTO kind_dimension (kind_id, dimension_id, required, multiple, position)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![kid, dim_ids[d.as_str()], !k.optional.contains(d), k.multiple.contains(d), dpos as i64],
            )?;
        }
    }
    let mut insats_ids = HashMap::new();
    for (pos, i) in p.insatser.iter().enumerate() {
        conn.execute(
            "INSERT INTO insats (key, label, position, national) VALUES (?1, ?2, ?3, ?4)",
            params![i.key, i.label, pos as i64, i.national],
        )?;
        let iid = conn.last_insert_rowid();
        insats_ids.insert(i.key.as_str(), iid);
        for k in &i.kinds {
            conn.execute(
                "INSERT INTO insats_kind (insats_id, kind_id) VALUES (?1, ?2)",
                params![iid, kind_ids[k.as_str()]],
            )?;
        }
    }
    for (pos, g) in p.goals.iter().enumerate() {
        let refs = |part: &[String]| -> Vec<i64> {
            g.value_refs(p, part).expect("checked when parsed").iter().map(|r| value_ids[r]).collect()
        };
        let numerator: Vec<i64> =
            g.numerator_refs(p).expect("checked when parsed").iter().map(|r| value_ids[r]).collect();
        conn.execute(
            "INSERT INTO goal (insats_id, year, key, label, type, kind_id, measure, scope_value_id, comparator,
                               target_bp, target_amount, position, partial_target, expectation, unit, first_year)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            params![
                insats_ids[g.insats.as_str()],
                g.year,
                g.key,
                g.label,
                g.goal_type.as_deref().unwrap_or("share"),
                g.kind.as_deref().map(|k| kind_ids[k]),
                g.measure,
                refs(g.scope.as_slice()).first(),
                g.comparator,
                g.target_percent.map(|t| (t * 100.0).round() as i64),
                g.target,
                pos as i64,
                g.partial_stored(),
                g.expectation,
                g.unit.as_deref().unwrap_or("answers"),
                g.first_year.unwrap_or(g.year)
            ],
        )?;
        let gid = conn.last_insert_rowid();
        match g.first_year.filter(|f| *f < g.year) {
            Some(first) => conn.execute(
                "INSERT OR IGNORE INTO goal_span (insats_id, first_year, last_year) VALUES (?1, ?2, ?3)",
                params![insats_ids[g.insats.as_str()], first, g.year],
            )?,
            None => conn.execute(
                "INSERT OR IGNORE INTO goal_year (insats_id, year) VALUES (?1, ?2)",
                params![insats_ids[g.insats.as_str()], g.year],
            )?,
        };
        for (part, ids) in [("numerator", numerator), ("denominator", refs(&g.denominator))] {
            for v in ids {
                conn.execute(
                    "INSERT OR IGNORE INTO goal_value (goal_id, value_id, part) VALUES (?1, ?2, ?3)",
                    params![gid, v, part],
                )?;
            }
        }
    }
    for b in &p.budgets {
        conn.execute(
            "INSERT INTO budget (insats_id, year, budget_kr, outcome_kr) VALUES (?1, ?2, ?3, ?4)",
            params![insats_ids[b.insats.as_str()], b.year, b.budget_kr, b.outcome_kr],
        )?;
    }
    Ok(())
}

/// Stores the small-number protection settings (checked by the caller).
pub fn set_privacy(conn: &Connection, p: &crate::domain::Privacy) -> Result<()> {
    let settings = [
        ("small_count_threshold", p.threshold.to_string()),
        ("small_count_form", p.form.clone().unwrap_or_default()),
        ("privacy_method", p.method.key().to_string()),
        ("privacy_max_deviation", p.max_deviation.to_string()),
        ("privacy_variance", p.variance.to_string()),
    ];
    for (key, value) in settings {
        conn.execute(
            "INSERT INTO setting (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value.as_str()],
        )?;
    }
    Ok(())
}

fn setting(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

/// Loads the whole configuration, retired entries included.
pub fn load(conn: &Connection) -> Result<Config> {
    let association: String = setting(conn, "association")?.unwrap_or_default();
    let defaults = crate::domain::Privacy::default();
    let privacy = crate::domain::Privacy {
        threshold: setting(conn, "small_count_threshold")?.and_then(|t| t.parse().ok()).unwrap_or(defaults.threshold),
        form: setting(conn, "small_count_form")?.filter(|f| !f.trim().is_empty()),
        method: setting(conn, "privacy_method")?
            .and_then(|m| crate::domain::PrivacyMethod::parse(&m))
            .unwrap_or(defaults.method),
        max_deviation: setting(conn, "privacy_max_deviation")?
            .and_then(|t| t.parse().ok())
            .unwrap_or(defaults.max_deviation),
        variance: setting(conn, "privacy_variance")?.and_then(|t| t.parse().ok()).unwrap_or(defaults.variance),
    };

    let mut values: HashMap<i64, Vec<DimensionValue>> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT dimension_id, id, key, label, column_label, months, score, positive, retired FROM dimension_value
         ORDER BY position, id",
    )?;
    for row in stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            DimensionValue {
                id: r.get(1)?,
                key: r.get(2)?,
                label: r.get(3)?,
                column_label: r.get(4)?,
                months: r.get(5)?,
                score: r.get(6)?,
                positive: r.get(7)?,
                retired: r.get(8)?,
            },
        ))
    })? {
        let (dim, v) = row?;
        values.entry(dim).or_default().push(v);
    }

    let mut members: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut stmt = conn.prepare("SELECT group_id, value_id FROM value_group_member ORDER BY value_id")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
        let (g, v) = row?;
        members.entry(g).or_default().push(v);
    }
    let mut groups: HashMap<i64, Vec<ValueGroup>> = HashMap::new();
    let mut stmt =
        conn.prepare("SELECT dimension_id, id, key, label, retired FROM value_group ORDER BY position, id")?;
    for row in stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get(2)?, r.get(3)?, r.get::<_, bool>(4)?)))?
    {
        let (dim, id, key, label, retired) = row?;
        let value_ids = members.remove(&id).unwrap_or_default();
        groups.entry(dim).or_default().push(ValueGroup { id, key, label, value_ids, retired });
    }

    let mut stmt = conn.prepare("SELECT id, key, label, role, hint, retired FROM dimension ORDER BY position, id")?;
    let dimensions = stmt
        .query_map([], |r| {
            let id: i64 = r.get(0)?;
            let role: String = r.get(3)?;
            Ok(Dimension {
                id,
                key: r.get(1)?,
                label: r.get(2)?,
                role: Role::parse(&role).unwrap_or(Role::Person),
                hint: r.get(4)?,
                retired: r.get(5)?,
                values: values.remove(&id).unwrap_or_default(),
                groups: groups.remove(&id).unwrap_or_default(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;

    let mut kind_dims: HashMap<i64, Vec<KindDimension>> = HashMap::new();
    let mut stmt = conn
        .prepare("SELECT kind_id, dimension_id, required, multiple FROM kind_dimension ORDER BY kind_id, position")?;
    for row in stmt.query_map([], |r| {
        Ok((r.get::<_, i64>(0)?, KindDimension { dimension_id: r.get(1)?, required: r.get(2)?, multiple: r.get(3)? }))
    })? {
        let (k, kd) = row?;
        kind_dims.entry(k).or_default().push(kd);
    }
    let mut stmt = conn.prepare(
        "SELECT id, key, label, flow, shape, scope_dimension_id, audience, retired FROM kind ORDER BY position, id",
    )?;
    let kinds = stmt
        .query_map([], |r| {
            let id: i64 = r.get(0)?;
            let flow: Option<String> = r.get(3)?;
            let shape: String = r.get(4)?;
            let audience: String = r.get(6)?;
            Ok(Kind {
                id,
                key: r.get(1)?,
                label: r.get(2)?,
                flow: flow.as_deref().and_then(Flow::parse),
                shape: Shape::parse(&shape).unwrap_or(Shape::Tally),
                scope_dimension_id: r.get(5)?,
                dimensions: kind_dims.remove(&id).unwrap_or_default(),
                audience: Audience::parse(&audience).unwrap_or(Audience::Participants),
                retired: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;

    let mut insats_kinds: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut stmt = conn.prepare("SELECT insats_id, kind_id FROM insats_kind")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
        let (i, k) = row?;
        insats_kinds.entry(i).or_default().push(k);
    }
    let mut stmt = conn.prepare("SELECT id, key, label, retired, national FROM insats ORDER BY position, id")?;
    let insatser = stmt
        .query_map([], |r| {
            let id: i64 = r.get(0)?;
            Ok(Insats {
                id,
                key: r.get(1)?,
                label: r.get(2)?,
                retired: r.get(3)?,
                kind_ids: insats_kinds.remove(&id).unwrap_or_default(),
                national: r.get::<_, Option<String>>(4)?.as_deref().and_then(crate::domain::config::National::parse),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;

    Ok(Config { association, privacy, insatser, kinds, dimensions })
}

// Configuration changes from the settings page. Each adds a row or flips a `retired` flag: a stored
// tally refers to ids, so no change rewrites one, and retired entries stay in past reports.

/// A key not yet used by `taken`: the slug itself, or with `_2`, `_3`, … appended.
fn free_key(conn: &Connection, sql: &str, scope: i64, slug: &str) -> Result<String> {
    let base = if slug.is_empty() { "ny".to_string() } else { slug.to_string() };
    let mut key = base.clone();
    let mut n = 1;
    while conn.query_row(sql, params![scope, key], |r| r.get::<_, bool>(0))? {
        n += 1;
        key = format!("{base}_{n}");
    }
    Ok(key)
}

/// Adds an insats taking `kind_ids`; returns its key.
pub fn add_insats(conn: &Connection, label: &str, kind_ids: &[i64]) -> Result<String> {
    let key = free_key(
        conn,
        "SELECT EXISTS (SELECT 1 FROM insats WHERE ?1 = ?1 AND key = ?2)",
        0,
        &crate::domain::goal::slug(label),
    )?;
    conn.execute(
        "INSERT INTO insats (key, label, position) VALUES (?1, ?2, (SELECT coalesce(max(position), 0) + 1 FROM insats))",
        params![key, label],
    )?;
    let id = conn.last_insert_rowid();
    for k in kind_ids {
        conn.execute("INSERT INTO insats_kind (insats_id, kind_id) VALUES (?1, ?2)", params![id, k])?;
    }
    Ok(key)
}

/// How Uppföljning Finsam takes an insats (`None`: as its tallies suggest).
pub fn set_insats_national(
    conn: &Connection,
    id: i64,
    national: Option<crate::domain::config::National>,
) -> Result<()> {
    conn.execute("UPDATE insats SET national = ?2 WHERE id = ?1", params![id, national.map(|n| n.as_str())])?;
    Ok(())
}

pub fn set_insats_retired(conn: &Connection, id: i64, retired: bool) -> Result<()> {
    conn.execute("UPDATE insats SET retired = ?2 WHERE id = ?1", params![id, retired])?;
    Ok(())
}

/// Adds a value at the end of a dimension; returns its key.
pub fn add_value(conn: &Connection, dimension_id: i64, label: &str) -> Result<String> {
    let key = free_key(
        conn,
        "SELECT EXISTS (SELECT 1 FROM dimension_value WHERE dimension_id = ?1 AND key = ?2)",
        dimension_id,
        &crate::domain::goal::slug(label),
    )?;
    conn.execute(
        "INSERT INTO dimension_value (dimension_id, key, label, position)
         VALUES (?1, ?2, ?3, (SELECT coalesce(max(position), 0) + 1 FROM dimension_value WHERE dimension_id = ?1))",
        params![dimension_id, key, label],
    )?;
    Ok(key)
}

pub fn set_value_retired(conn: &Connection, value_id: i64, retired: bool) -> Result<()> {
    conn.execute("UPDATE dimension_value SET retired = ?2 WHERE id = ?1", params![value_id, retired])?;
    Ok(())
}

/// Adds a survey question to `kind`, answered on the same scale as `like` (another question of
/// the kind); optional, like every question. Returns its key.
pub fn add_question(conn: &Connection, kind_id: i64, like: i64, label: &str) -> Result<String> {
    let key = free_key(
        conn,
        "SELECT EXISTS (SELECT 1 FROM dimension WHERE ?1 = ?1 AND key = ?2)",
        0,
        &format!("fraga_{}", crate::domain::goal::slug(label)),
    )?;
    conn.execute(
        "INSERT INTO dimension (key, label, role, position)
         VALUES (?1, ?2, 'question', (SELECT coalesce(max(position), 0) + 1 FROM dimension))",
        params![key, label],
    )?;
    let id = conn.last_insert_rowid();
    conn.execute(
        "INSERT INTO dimension_value (dimension_id, key, label, column_label, positive, position)
         SELECT ?1, key, label, column_label, positive, position FROM dimension_value
         WHERE dimension_id = ?2 AND retired = 0",
        params![id, like],
    )?;
    conn.execute(
        "INSERT INTO kind_dimension (kind_id, dimension_id, required, multiple, position)
         VALUES (?1, ?2, 0, 0, (SELECT coalesce(max(position), 0) + 1 FROM kind_dimension WHERE kind_id = ?1))",
        params![kind_id, id],
    )?;
    Ok(key)
}

pub fn set_dimension_retired(conn: &Connection, id: i64, retired: bool) -> Result<()> {
    conn.execute("UPDATE dimension SET retired = ?2 WHERE id = ?1", params![id, retired])?;
    Ok(())
}

/// A tally kind added on the settings page (checked by the caller): never an entry or exit kind.
#[derive(Debug, Clone)]
pub struct NewKind {
    pub label: String,
    pub shape: Shape,
    pub audience: Audience,
    /// The existing dimensions it takes, in form order (none for an event kind).
    pub dimensions: Vec<KindDimension>,
    /// One of `dimensions` that keys every count row (required, single).
    pub scope_dimension_id: Option<i64>,
    /// A survey's first question: its label and an existing question whose answers it copies.
    pub question: Option<(String, i64)>,
    /// The insatser that take it.
    pub insatser: Vec<i64>,
}

/// Adds a kind with its dimensions (and, for a survey, its first question) to `insatser`; returns
/// its key. Nothing existing is changed.
pub fn add_kind(conn: &Connection, k: &NewKind) -> Result<String> {
    let key = free_key(
        conn,
        "SELECT EXISTS (SELECT 1 FROM kind WHERE ?1 = ?1 AND key = ?2)",
        0,
        &crate::domain::goal::slug(&k.label),
    )?;
    conn.execute(
        "INSERT INTO kind (key, label, shape, scope_dimension_id, audience, position)
         VALUES (?1, ?2, ?3, ?4, ?5, (SELECT coalesce(max(position), 0) + 1 FROM kind))",
        params![key, k.label, k.shape.as_str(), k.scope_dimension_id, k.audience.as_str()],
    )?;
    let id = conn.last_insert_rowid();
    for (pos, d) in k.dimensions.iter().enumerate() {
        conn.execute(
            "INSERT INTO kind_dimension (kind_id, dimension_id, required, multiple, position)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, d.dimension_id, d.required, d.multiple, pos as i64],
        )?;
    }
    if let Some((label, like)) = &k.question {
        add_question(conn, id, *like, label)?;
    }
    for i in &k.insatser {
        conn.execute("INSERT INTO insats_kind (insats_id, kind_id) VALUES (?1, ?2)", params![i, id])?;
    }
    Ok(key)
}

pub fn set_kind_retired(conn: &Connection, id: i64, retired: bool) -> Result<()> {
    conn.execute("UPDATE kind SET retired = ?2 WHERE id = ?1", params![id, retired])?;
    Ok(())
}

/// Adds a value group (a report row summing `value_ids`, values of `dimension_id`) at the end of
/// the dimension's groups; returns its key.
pub fn add_group(conn: &Connection, dimension_id: i64, label: &str, value_ids: &[i64]) -> Result<String> {
    let key = free_key(
        conn,
        "SELECT EXISTS (SELECT 1 FROM value_group WHERE dimension_id = ?1 AND key = ?2)",
        dimension_id,
        &crate::domain::goal::slug(label),
    )?;
    conn.execute(
        "INSERT INTO value_group (dimension_id, key, label, position)
         VALUES (?1, ?2, ?3, (SELECT coalesce(max(position), 0) + 1 FROM value_group WHERE dimension_id = ?1))",
        params![dimension_id, key, label],
    )?;
    let id = conn.last_insert_rowid();
    for v in value_ids {
        conn.execute("INSERT INTO value_group_member (group_id, value_id) VALUES (?1, ?2)", params![id, v])?;
    }
    Ok(key)
}

pub fn set_group_retired(conn: &Connection, id: i64, retired: bool) -> Result<()> {
    conn.execute("UPDATE value_group SET retired = ?2 WHERE id = ?1", params![id, retired])?;
    Ok(())
}
