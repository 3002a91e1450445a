//! Rewrites a table's cells by the protection decisions: hidden figures get the one symbol, shares
//! are rounded to the whole per cent the page shows (so no export carries more precision than the
//! page), means to one decimal, and the folded gender column is left out.

use super::{Basis, Protector, Q, Rule, Status};
use crate::report::tables::{Hidden, Table, Value};

/// A share as published: whole per cent.
pub fn round_share(s: f64) -> f64 {
    (s * 100.0).round() / 100.0
}

fn round_mean(m: f64) -> f64 {
    (m * 10.0).round() / 10.0
}

pub fn apply(p: &mut Protector, table: &mut Table) {
    let t = p.rule.threshold;
    let symbol = || Value::Hidden(Hidden(p.rule.form.clone()));
    let mut derived = std::mem::take(&mut p.derived);
    let st = |q: &Q| p.status(&q.tag).unwrap_or(Status::Published);
    let hidden = |q: &Q| st(q).hidden();
    let small_or_hidden = |q: &Q| hidden(q) || q.n < t;
    for row in &mut table.rows {
        for (cell, basis) in row.cells.iter_mut().zip(&row.basis) {
            match basis {
                Basis::None => {}
                Basis::Count(q) => {
                    if hidden(q) {
                        *cell = symbol();
                    }
                }
                Basis::CountShare(q, den) => {
                    if hidden(q) {
                        *cell = symbol();
                    } else if small_or_hidden(den)
                        && let Value::CountShare(_, s) = cell
                    {
                        *s = None;
                    }
                }
                Basis::Share { num, den } => {
                    if hidden(num) || small_or_hidden(den) {
                        *cell = symbol();
                    }
                }
                Basis::Derived { id, den, deps, .. } => {
                    let own = !deps.iter().any(hidden) && !den.as_ref().is_some_and(small_or_hidden);
                    let shown = match id {
                        Some(id) => *derived.entry(id.clone()).or_insert(own) && own,
                        None => own,
                    };
                    if !shown {
                        *cell = symbol();
                    }
                }
            }
            // A goal's share: rounded, and said only as the side of its target.
            if let Value::ShareAgainst(s, _, published) = cell {
                *cell = Value::ShareAgainst(round_share(*s), published.clone(), published.clone());
            }
            match cell {
                Value::CountShare(_, Some(s)) | Value::Share(Some(s)) => *s = round_share(*s),
                Value::Mean(Some(m)) | Value::Months(Some(m)) => *m = round_mean(*m),
                _ => {}
            }
        }
    }
    p.derived = derived;
    drop_folded_columns(&p.rule, table);
    table.protected = true;
}

/// Leaves out the columns whose every figure is of the folded gender column.
pub(super) fn drop_folded_columns(rule: &Rule, table: &mut Table) {
    let is_folded = |b: &Basis| {
        let qs = b.quantities();
        !qs.is_empty() && qs.iter().all(|q| rule.folded(&q.tag))
    };
    let keep: Vec<bool> = (0..table.columns.len())
        .map(|c| {
            let bases: Vec<&Basis> = table.rows.iter().filter_map(|r| r.basis.get(c)).collect();
            !(bases.iter().any(|b| is_folded(b)) && bases.iter().all(|b| is_folded(b) || **b == Basis::None))
        })
        .collect();
    if keep.iter().all(|k| *k) {
        return;
    }
    let mut k = keep.iter();
    table.columns.retain(|_| *k.next().unwrap());
    for row in &mut table.rows {
        let mut k = keep.iter();
        row.cells.retain(|_| *k.next().unwrap_or(&true));
        let mut k = keep.iter();
        row.basis.retain(|_| *k.next().unwrap_or(&true));
    }
}
