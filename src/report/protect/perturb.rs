//! The Cell Key Method applied to a year's tables (see `ckm` for the perturbation table).
//!
//! - Every quantity a table shows is decided once, the first time any table shows it: its
//!   published value is `PTable::perturb(true value, cell key)`. The cell key is the sum of the
//!   record keys of the tallies it counts (from `Keys`), so the same tallies give the same value in
//!   every table, year, export and request. Totals are quantities of their own: perturbed on their
//!   own, not the sum of perturbed parts.
//! - Shares are the published numerator over the published denominator; means of scores and
//!   months are computed from the published distribution; cost per person from the published
//!   number of people; goals from the published counts (`goals`). A figure that cannot be computed
//!   from published counts (a mean by gender, which has no published distribution) is not shown.
//! - The folded gender column is left out as under suppression.

use super::ckm::{KEY_RANGE, PTable};
use super::{Basis, Keys, Protector, Q, Status, apply};
use crate::report::tables::{Hidden, Table, Value};
use crate::report::{GoalStatus, Report, goals};
use std::collections::HashSet;

pub(super) fn protect(p: &mut Protector, pt: &PTable, tables: &mut [Table], keys: &Keys) {
    let first_new = p.names.len();
    let mut shown = HashSet::new();
    for table in tables.iter() {
        for row in &table.rows {
            for q in row.basis.iter().flat_map(Basis::quantities) {
                shown.insert(p.id(q));
            }
        }
    }
    for i in first_new..p.names.len() {
        let tag = &p.names[i];
        let status = if p.rule.folded(tag) || !shown.contains(&i) { Status::Unpublished } else { Status::Published };
        p.status[i] = Some(status);
        let key = match keys.get(tag) {
            Some(k) => *k,
            None => {
                if p.value[i] != 0 {
                    p.keyless.push(tag.clone());
                }
                0
            }
        };
        p.perturbed[i] = Some(pt.perturb(p.value[i], key, KEY_RANGE));
    }
    register_sums(p, tables, first_new);
    super::bounds::consistent(p, pt, first_new);
    for table in tables.iter_mut() {
        apply_table(p, pt, table);
    }
}

/// The sums the tables declare (and the gender sums), where they hold for the true values.
fn register_sums(p: &mut Protector, tables: &[Table], first_new: usize) {
    let mut sums: Vec<super::Sum> = tables.iter().flat_map(|t| t.sums.iter().cloned()).collect();
    sums.extend(p.gender_sums(first_new));
    for s in sums {
        for q in s.parts.iter().chain([&s.total]) {
            p.id(q);
        }
        let value = |q: &Q| p.value[p.index[&q.tag]];
        if s.parts.iter().map(value).sum::<i64>() != value(&s.total) {
            continue;
        }
        let total = p.index[&s.total.tag];
        let mut parts: Vec<usize> = s.parts.iter().map(|q| p.index[&q.tag]).collect();
        parts.sort_unstable();
        parts.dedup();
        if p.sum_keys.insert((total, parts.clone())) {
            p.sums.push((total, parts));
        }
    }
    // Quantities only in sums are decided as well (they are never shown).
    for i in first_new..p.names.len() {
        if p.status[i].is_none() {
            p.status[i] = Some(Status::Unpublished);
            p.perturbed[i] = Some(p.value[i]);
        }
    }
}

/// A weighted mean of published counts, if they add up to at least the threshold.
fn mean(p: &Protector, t: i64, deps: &[Q], weights: &[f64]) -> Option<f64> {
    let (mut n, mut sum) = (0i64, 0f64);
    for (q, w) in deps.iter().zip(weights).filter(|(_, w)| w.is_finite()) {
        let c = p.published(q);
        n += c;
        sum += c as f64 * w;
    }
    (n >= t).then(|| sum / n as f64)
}

/// Rewrites a table's cells by the published values.
pub fn apply_table(p: &mut Protector, pt: &PTable, table: &mut Table) {
    let t = pt.threshold;
    let symbol = Value::Hidden(Hidden(p.rule.form.clone()));
    let ratio = |num: i64, den: i64| (den > 0).then(|| num as f64 / den as f64);
    let mut derived = std::mem::take(&mut p.derived_values);
    for row in &mut table.rows {
        for (cell, basis) in row.cells.iter_mut().zip(&row.basis) {
            match (basis, &mut *cell) {
                (Basis::Count(q), Value::Count(n)) => *n = p.published(q),
                (Basis::Count(q), Value::CountShare(n, s)) => {
                    // A count whose share is of nothing declared: the share cannot be recomputed.
                    *n = p.published(q);
                    *s = None;
                }
                (Basis::CountShare(q, den), Value::CountShare(n, s)) => {
                    *n = p.published(q);
                    *s = s.and(ratio(*n, p.published(den)));
                }
                (Basis::CountShare(q, _), Value::Count(n)) => *n = p.published(q),
                (Basis::Share { num, den }, Value::Share(s)) => {
                    *s = s.and(ratio(p.published(num), p.published(den)));
                }
                // Goals are computed anew from published counts (`goals`) before their table is.
                (Basis::Derived { .. }, _) if table.key == "mal" => {}
                (Basis::Derived { den: Some(den), deps, .. }, Value::Kronor(k)) if deps.is_empty() => {
                    // Kronor per person: the same kronor over the published number of people.
                    let people = p.published(den);
                    *k = k.filter(|_| people > 0).map(|k| (k as f64 * den.n as f64 / people as f64).round() as i64);
                }
                (Basis::Derived { id, deps, weights, .. }, Value::Mean(m) | Value::Months(m)) => {
                    let own =
                        if weights.len() == deps.len() && !deps.is_empty() { mean(p, t, deps, weights) } else { None };
                    *m = match id {
                        Some(id) if deps.is_empty() => derived.get(id).copied().flatten(),
                        Some(id) => *derived.entry(id.clone()).or_insert(own),
                        None => own,
                    };
                    if m.is_none() {
                        *cell = symbol.clone();
                    }
                }
                (Basis::None, _) => {}
                // A figure of another shape over counts: never shown as it is.
                (_, Value::Text(_) | Value::Hidden(_)) => {}
                _ => *cell = symbol.clone(),
            }
            // A goal's share: rounded, and said only as the side of its target.
            if let Value::ShareAgainst(s, _, published) = cell {
                *cell = Value::ShareAgainst(apply::round_share(*s), published.clone(), published.clone());
            }
            match cell {
                Value::CountShare(_, Some(s)) | Value::Share(Some(s)) => *s = apply::round_share(*s),
                Value::Mean(Some(m)) | Value::Months(Some(m)) => *m = (*m * 10.0).round() / 10.0,
                _ => {}
            }
        }
    }
    p.derived_values = derived;
    apply::drop_folded_columns(&p.rule, table);
    table.protected = true;
}

/// Recomputes a report's goals from the published counts their figures rest on: outcome, met or
/// not, and the distances. The goal table is then made anew from them.
pub fn goals(p: &Protector, r: &mut Report) {
    let year = r.year;
    for g in &mut r.goals {
        let fig = |y: i32, gender: &str| g.basis.figures.get(&(y, gender.to_string())).cloned();
        let published = |f: &Option<crate::report::GoalFigure>| -> Option<(i64, i64)> {
            let f = f.as_ref()?;
            let num = f.deps.first().map(|q| p.published(q)).unwrap_or(0);
            let den = f.den.as_ref().map(|q| (p.published(q), q.n)).unwrap_or((0, 0));
            Some((num, if f.den.is_some() { den.0 } else { 0 }))
        };
        let genders: Vec<String> = g.actual_by_gender.keys().cloned().collect();
        let value = |g: &GoalStatus, f: Option<(i64, i64)>| -> Option<f64> {
            let (num, den) = f?;
            match g.goal_type {
                "share" => (den > 0).then(|| num as f64 / den as f64),
                "count" => Some(num as f64),
                _ => None,
            }
        };
        let now = published(&fig(year, "*"));
        match g.goal_type {
            "share" => {
                let (a, n) = now.unwrap_or((0, 0));
                let target_bp = (g.target * 10_000.0).round() as i64;
                let d = goals::distance(g.comparator, target_bp, a, n);
                g.numerator = a;
                g.denominator = n;
                g.actual = value(g, now);
                (g.met, g.needed_more, g.short_by) = (d.met, d.needed_more, d.short_by);
            }
            "count" => {
                let n = now.map(|x| x.0).unwrap_or(0);
                let target = g.target.round() as i64;
                let met = match g.comparator {
                    crate::domain::Comparator::AtLeast => n >= target,
                    crate::domain::Comparator::AtMost => n <= target,
                };
                let gap = if met { 0 } else { (target - n).abs() };
                g.numerator = n;
                g.actual = Some(n as f64);
                (g.met, g.needed_more, g.short_by) = (Some(met), Some(gap), Some(gap));
            }
            _ => {
                // Kronor per person: the kronor are not about anyone; the people are published.
                let people = fig(year, "*").and_then(|f| f.den).map(|q| (p.published(&q), q.n));
                if let (Some(actual), Some((shown, true_n))) = (g.actual, people) {
                    let kr = (actual * true_n as f64).round() as i64;
                    let target = g.target.round() as i64;
                    g.denominator = shown;
                    g.actual = (shown > 0).then(|| kr as f64 / shown as f64);
                    g.met = g.actual.map(|a| match g.comparator {
                        crate::domain::Comparator::AtMost => a <= target as f64,
                        crate::domain::Comparator::AtLeast => a >= target as f64,
                    });
                    (g.needed_more, g.short_by) = match g.met {
                        Some(false) if g.comparator == crate::domain::Comparator::AtMost && target > 0 => {
                            (Some((kr + target - 1) / target - shown), Some(kr - target * shown))
                        }
                        Some(true) => (Some(0), Some(0)),
                        _ => (None, None),
                    };
                }
                let prev = fig(year - 1, "*").and_then(|f| f.den).map(|q| (p.published(&q), q.n));
                if let (Some(a), Some((shown, true_n))) = (g.previous_actual, prev) {
                    g.previous_actual = (shown > 0).then(|| a * true_n as f64 / shown as f64);
                }
            }
        }
        if g.goal_type != "cost_per_participant" {
            g.previous_actual = value(g, published(&fig(year - 1, "*")));
            for k in genders {
                let v = value(g, published(&fig(year, &k)));
                g.actual_by_gender.insert(k, v);
            }
        }
        g.verdict = goals::verdict(g);
        // The sentence is written from the published table instead (`summary::goal_sentence`).
        g.summary.clear();
    }
}
