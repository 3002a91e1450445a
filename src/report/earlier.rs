//! Figures from earlier annual reports in the report's tables.
//!
//! An earlier figure is named by the same quantity tag as the count it stands for
//! (`p:kommun.karlskoga@2023:kvinna` for the participants of Karlskoga who were women in 2023),
//! so it takes that count's place wherever a table shows it: the previous-year columns, the
//! five-year tables, the survey trends, the charts. Cells of those years that no figure fills are
//! left empty (the figure was never counted), never shown as 0. Protection sees the figures as the
//! quantities they are; a share without a count is shown when its column's total is known and at
//! least the threshold (as the share of what it implies), and as published otherwise.
//!
//! Nothing here enters the flow arithmetic: only the enrolled-at-start counts do (`Ctx::flow`).

use super::protect::{Basis, Q};
use super::tables::{Table, Value};
use super::{Report, set_tag};
use crate::domain::earlier::{Figure, Measure};
use crate::domain::{Config, Flow, Insats};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// A figure from an earlier annual report as the report uses it.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Reported {
    /// The year whose columns it fills.
    pub year: i32,
    /// What it counts: the quantity tag (`base@year:gender`).
    pub tag: String,
    pub count: Option<i64>,
    pub share: Option<f64>,
}

/// The enrolled-at-start counts of an insats: the year they open, and the counts per (gender id,
/// value id), value 0 for all.
#[derive(Debug, Clone, Default)]
pub struct Opening {
    pub year: i32,
    pub counts: HashMap<(i64, i64), i64>,
}

impl Opening {
    pub fn from_figures(figures: &[(i32, Figure)]) -> Option<Opening> {
        let mut out: Option<Opening> = None;
        for (y, f) in figures.iter().filter(|(_, f)| f.measure == Measure::Inskrivna) {
            let o = out.get_or_insert_with(|| Opening { year: *y, counts: HashMap::new() });
            // Per gender (0: another or no stated gender, folded, or no gender split at all).
            *o.counts.entry((f.gender_value_id, f.value_id)).or_insert(0) += f.count.unwrap_or(0);
        }
        out
    }
}

/// The quantity tag of a figure (`None` when the configuration no longer has what it names).
fn tag(config: &Config, insats: &Insats, year: i32, f: &Figure) -> Option<(i32, String)> {
    let gender = if f.gender_value_id == 0 {
        "*".to_string()
    } else {
        config.gender()?.value_by_id(f.gender_value_id)?.key.clone()
    };
    let set = |dim_id: i64, value_id: i64| -> Option<String> {
        if dim_id == 0 {
            return Some("*".into());
        }
        let d = config.dimension_by_id(dim_id)?;
        d.value_by_id(value_id)?;
        Some(set_tag(d, &[value_id]))
    };
    let (base, period) = match f.measure {
        Measure::Deltagare => (format!("p:{}", set(f.dimension_id, f.value_id)?), year),
        Measure::Inskrivna => (format!("e:{}", set(f.dimension_id, f.value_id)?), year - 1),
        Measure::Avslut => {
            let exit = config.flow_kind(insats, Flow::Exit)?;
            (format!("c:{}::{}", exit.key, set(f.dimension_id, f.value_id)?), year)
        }
        Measure::Positiva => {
            let kind = config.kind_by_id(f.kind_id)?;
            let q = config.dimension_by_id(f.dimension_id)?;
            let positive: Vec<i64> = q.values.iter().filter(|v| v.positive).map(|v| v.id).collect();
            let scope = if f.scope_value_id == 0 {
                String::new()
            } else {
                config.dimensions.iter().find_map(|d| d.value_by_id(f.scope_value_id))?.key.clone()
            };
            (format!("c:{}:{scope}:{}", kind.key, set_tag(q, &positive)), year)
        }
    };
    Some((period, Q::new(&base, period, Some(&gender), 0).tag))
}

/// The figures of an insats that fill the columns of `years`, tagged, with what they add up to:
/// the enrolled of all genders, and a category's groups (and all or all positive values) where
/// every member is a known count.
pub fn tagged(config: &Config, insats: &Insats, figures: &[(i32, Figure)], years: &[i32]) -> Vec<Reported> {
    let mut out: Vec<Reported> = figures
        .iter()
        .filter_map(|(y, f)| {
            let (period, tag) = tag(config, insats, *y, f)?;
            years.contains(&period).then_some(Reported { year: period, tag, count: f.count, share: f.share })
        })
        .collect();
    let mut sums: std::collections::BTreeMap<(i32, String), i64> = std::collections::BTreeMap::new();
    for (y, f) in figures.iter().filter(|(_, f)| f.measure == Measure::Inskrivna && f.gender_value_id != 0) {
        let total = Figure { gender_value_id: 0, ..*f };
        if let Some((period, tag)) = tag(config, insats, *y, &total).filter(|(p, _)| years.contains(p)) {
            *sums.entry((period, tag)).or_insert(0) += f.count.unwrap_or(0);
        }
    }
    for ((year, tag), n) in sums {
        if !out.iter().any(|r| r.tag == tag) {
            out.push(Reported { year, tag, count: Some(n), share: None });
        }
    }
    let count = |tag: &str, out: &[Reported]| out.iter().find(|r| r.tag == tag).and_then(|r| r.count);
    let mut groups = Vec::new();
    for d in &config.dimensions {
        let mut sets: Vec<Vec<i64>> = d.shown_groups().map(|g| g.value_ids.clone()).collect();
        sets.push(d.values.iter().filter(|v| v.positive).map(|v| v.id).collect());
        sets.retain(|s| s.len() > 1);
        for r in &out {
            // "{prefix}{dim}.{value}@{year}:{gender}" of one of the dimension's values.
            let Some((base, rest)) = r.tag.split_once('@') else { continue };
            let Some(v) = d.values.iter().find(|v| base.ends_with(&format!(":{}.{}", d.key, v.key))) else { continue };
            let prefix = &base[..base.len() - d.key.len() - v.key.len() - 1];
            for set in sets.iter().filter(|s| s.first() == Some(&v.id)) {
                let members: Option<i64> = set
                    .iter()
                    .map(|id| {
                        let m = d.value_by_id(*id)?;
                        count(&format!("{prefix}{}.{}@{rest}", d.key, m.key), &out)
                    })
                    .sum();
                if let Some(n) = members {
                    groups.push(Reported {
                        year: r.year,
                        tag: format!("{prefix}{}@{rest}", set_tag(d, set)),
                        count: Some(n),
                        share: None,
                    });
                }
            }
        }
    }
    for g in groups {
        if !out.iter().any(|r| r.tag == g.tag) {
            out.push(g);
        }
    }
    out
}

/// The base tags of figures (without year and gender): what an otherwise empty survey shows.
pub fn bases(figures: &[Reported]) -> BTreeSet<String> {
    figures.iter().map(|f| f.tag.rsplit_once('@').map(|(b, _)| b.to_string()).unwrap_or_default()).collect()
}

/// The year a quantity tag is about.
fn period(tag: &str) -> Option<i32> {
    let (rest, _) = tag.rsplit_once(':')?;
    rest.rsplit_once('@')?.1.parse().ok()
}

/// The note that marks a table's figures from earlier reports.
pub fn note(years: &[i32]) -> String {
    let list: Vec<String> = years.iter().map(|y| y.to_string()).collect();
    format!(
        "{}: från tidigare årsrapport – publicerade siffror, inte räknade i Pinne. Tomma rutor fanns inte i rapporten.",
        crate::sv::list(&list)
    )
}

/// Puts the report's earlier figures into its tables (see the module).
pub fn overlay(r: &Report, tables: &mut [Table]) {
    if r.earlier.is_empty() {
        return;
    }
    let years: BTreeSet<i32> = r.earlier.iter().map(|f| f.year).collect();
    let mut known: HashMap<String, (Option<i64>, Option<f64>)> =
        r.earlier.iter().map(|f| (f.tag.clone(), (f.count, f.share))).collect();
    let in_years = |q: &Q| period(&q.tag).is_some_and(|p| years.contains(&p));
    for t in tables.iter_mut().filter(|t| !matches!(t.key.as_str(), "dataproblem" | "kostnad")) {
        // A total whose parts are all known counts is their sum (a group of exit reasons).
        for s in &t.sums {
            if in_years(&s.total) && !known.contains_key(&s.total.tag) {
                let parts: Option<i64> = s.parts.iter().map(|p| known.get(&p.tag).and_then(|(n, _)| *n)).sum();
                if let Some(n) = parts.filter(|_| !s.parts.is_empty()) {
                    known.insert(s.total.tag.clone(), (Some(n), None));
                }
            }
        }
        let count = |q: &Q| known.get(&q.tag).and_then(|(n, _)| *n);
        let share = |q: &Q| known.get(&q.tag).and_then(|(_, s)| *s);
        let threshold_basis = |num: &Q, den: &Q, s: f64| match count(den) {
            // A share stands for about share × total: protected as that many.
            Some(d) => Basis::Share {
                num: Q { tag: format!("~{}", num.tag), n: (s * d as f64).round() as i64 },
                den: Q { tag: den.tag.clone(), n: d },
            },
            None => Basis::None,
        };
        let mut filled = BTreeSet::new();
        let columns: Vec<Option<i32>> = t.columns.iter().map(|c| c.year.filter(|y| years.contains(y))).collect();
        for row in &mut t.rows {
            for (i, (cell, basis)) in row.cells.iter_mut().zip(row.basis.iter_mut()).enumerate() {
                let Some(year) = columns.get(i).copied().flatten() else { continue };
                let empty = basis.quantities().iter().all(|q| q.n == 0);
                let replaced = match basis.clone() {
                    Basis::Count(q) => count(&q).map(|n| {
                        let v = if matches!(cell, Value::CountShare(..)) {
                            Value::CountShare(n, None)
                        } else {
                            Value::Count(n)
                        };
                        (v, Basis::Count(Q { n, ..q }))
                    }),
                    Basis::CountShare(q, den) => match (count(&q), share(&q)) {
                        (Some(n), _) => Some(match count(&den) {
                            Some(d) => (
                                Value::CountShare(n, (d != 0).then(|| n as f64 / d as f64)),
                                Basis::CountShare(Q { n, ..q }, Q { n: d, ..den }),
                            ),
                            None => (Value::CountShare(n, None), Basis::Count(Q { n, ..q })),
                        }),
                        (None, Some(s)) => Some((Value::Share(Some(s)), threshold_basis(&q, &den, s))),
                        _ => None,
                    },
                    Basis::Share { num, den } => match (count(&num), share(&num), count(&den)) {
                        (Some(n), _, Some(d)) => Some((
                            Value::Share((d != 0).then(|| n as f64 / d as f64)),
                            Basis::Share { num: Q { n, ..num }, den: Q { n: d, ..den } },
                        )),
                        (None, Some(s), _) => Some((Value::Share(Some(s)), threshold_basis(&num, &den, s))),
                        _ => None,
                    },
                    _ => None,
                };
                match replaced {
                    Some((v, b)) => {
                        *cell = v;
                        *basis = b;
                        filled.insert(year);
                    }
                    // Never counted: empty, not 0.
                    None if empty && *basis != Basis::None => {
                        *cell = Value::Text(String::new());
                        *basis = Basis::None;
                    }
                    None => {}
                }
            }
        }
        // The sums hold the figures' values. Parts the report never gave are, together, the known
        // total less the known parts: one remainder that is never shown (a reader still knows the
        // known parts add up to no more than the total). Without a known total a sum says nothing.
        let sums = std::mem::take(&mut t.sums);
        let unknown = |q: &Q| in_years(q) && count(q).is_none() && q.n == 0;
        let value = |q: &Q| if in_years(q) { count(q).unwrap_or(q.n) } else { q.n };
        t.sums = sums
            .into_iter()
            .filter_map(|s| {
                if unknown(&s.total) {
                    return None;
                }
                let total = Q { n: value(&s.total), ..s.total.clone() };
                let (missing, known): (Vec<Q>, Vec<Q>) = s.parts.into_iter().partition(|q| unknown(q));
                let mut parts: Vec<Q> = known.into_iter().map(|q| Q { n: value(&q), ..q }).collect();
                if !missing.is_empty() {
                    let rest = total.n - parts.iter().map(|q| q.n).sum::<i64>();
                    if rest < 0 {
                        return None;
                    }
                    parts.push(Q { tag: format!("~rest:{}", total.tag), n: rest });
                }
                Some(super::protect::Sum { total, parts })
            })
            .collect();
        if !filled.is_empty() {
            t.earlier = filled.into_iter().collect();
            let n = note(&t.earlier);
            t.note = Some(match t.note.take() {
                Some(old) => format!("{old} {n}"),
                None => n,
            });
        }
    }
}
